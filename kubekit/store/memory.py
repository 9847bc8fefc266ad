"""The embedded KV store: etcd's contract in-process, optionally durable.

``MemoryKV()`` keeps everything in memory.  ``MemoryKV(data_dir=...)`` also
writes every change to a write-ahead log before acknowledging it and takes
snapshots; reopening the directory recovers every acknowledged write (see
:mod:`.wal`, :mod:`.snapshot`).

Concurrency: one lock guards the state; a write holds it only to check its
compares, apply its changes and ``write(2)`` its WAL record; the fsync is
shared with concurrent writers (group commit) outside the lock.  Watches are
pull-based: every event goes once into a global, revision-ordered log; a
watch is a cursor into it, so a write costs the same with one watcher or a
thousand.  Nothing is ever shown to a reader or a watcher before it is
durable.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import os
import threading
import time
from typing import Sequence

from sortedcontainers import SortedList

from kubekit._fast._records import new_tuple
from kubekit.clock import Clock, RealClock
from kubekit.errors import CompactedError, LeaseNotFoundError, WalCorruptError
from kubekit.store import _codec
from kubekit.store.kv import (
    Compare, Delete, Event, Get, KeyValue, LeaseInfo, Op, Put, RangeResult, TxnResult, WatchBase, event_of, prefix_end,
)
from kubekit.store.snapshot import list_snapshots, read_newest_snapshot, snapshot_name, write_snapshot
from kubekit.store.wal import Wal, list_segments, read_segment, segment_name

__all__ = ["MemoryKV"]

log = logging.getLogger(__name__)


def _interval(key: str, prefix: bool, range_end: str | None) -> tuple[str, str | None] | str:
    """A key (a ``str``) or an interval ``[lo, hi)`` (``hi`` None: no end)."""
    if range_end is not None:
        return (key, None if range_end == "\0" else range_end)
    if prefix:
        return (key, prefix_end(key) if key else None)
    return key


class _Lease:
    __slots__ = ("id", "ttl", "deadline", "keys")

    def __init__(self, lease_id: int, ttl: int, deadline: float) -> None:
        self.id, self.ttl, self.deadline = lease_id, ttl, deadline
        self.keys: set[str] = set()


# Inside the store a key's record is a plain tuple (key, value, create_revision,
# mod_revision, version, lease) and a log entry a plain tuple (type, record,
# previous record or None): the garbage collector stops tracking tuples of plain
# values, so the history the store keeps costs full collections nothing.  Reads
# and watches hand out KeyValue and Event (NamedTuples over the same fields).
_VALUE, _CREATE, _MOD, _VERSION, _LEASE = 1, 2, 3, 4, 5


def _kv(rec: tuple | None) -> KeyValue | None:
    return None if rec is None else new_tuple(KeyValue, rec)


def _compare(c: Compare, kv: tuple | None) -> bool:
    if c.target == "value":
        actual: int | bytes = kv[_VALUE] if kv is not None else b""
    elif kv is None:
        actual = 0
    elif c.target == "mod":
        actual = kv[_MOD]
    elif c.target == "create":
        actual = kv[_CREATE]
    elif c.target == "version":
        actual = kv[_VERSION]
    elif c.target == "lease":
        actual = kv[_LEASE]
    else:
        raise ValueError(f"unknown compare target {c.target!r}: expected version, create, mod, value or lease")
    if c.op == "=":
        return actual == c.value
    if c.op == "!=":
        return actual != c.value
    if c.op == "<":
        return actual < c.value  # type: ignore[operator]
    if c.op == ">":
        return actual > c.value  # type: ignore[operator]
    raise ValueError(f"unknown compare operator {c.op!r}: expected =, !=, < or >")


def has_prefix(key: str, prefix: str) -> bool:
    """``key.startswith(prefix)``.  Compiled, memory.pxd types both as
    ``str``, so the test is a C call (a method call on an untyped object, or
    ``str.startswith`` called as a function, parses its arguments each time:
    about 400 instructions, once per event per watch)."""
    return key.startswith(prefix)


def _holds(c: Compare, kv: tuple | None) -> bool:
    """``_compare``, with the compare of every update (its key's mod
    revision equal to the one read) spelled out first: the same test."""
    if c.target == "mod" and c.op == "=":
        return (kv[_MOD] if kv is not None else 0) == c.value
    return _compare(c, kv)


class MemoryKV:
    """etcd's KV, Watch and Lease services, in one process.

    ``clock`` drives lease expiry (a :class:`~kubekit.clock.FakeClock` in
    tests).  With ``data_dir`` every write is logged before it returns
    (``fsync=False`` keeps the log but skips the fsyncs: survives a process
    crash, not a power cut); a snapshot is taken every ``snapshot_every``
    WAL records and on :meth:`snapshot`.  ``history``: how many revisions
    of history to keep for reads at a revision and watches from one (older
    ones are compacted away automatically; ``None`` keeps all until
    :meth:`compact`).
    """

    def __init__(self, clock: Clock | None = None, *, data_dir: str | None = None, fsync: bool = True,
                 snapshot_every: int = 50_000, history: int | None = 100_000) -> None:
        self._clock = clock or RealClock()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._data: dict[str, tuple] = {}   # key -> record (see _kv)
        # sorted, for prefix ranges: a SortedList inserts in O(log n) (a plain
        # list's insort moves half of 30,000 keys for every new object)
        self._keys = SortedList()
        self._rev = 1                       # etcd's empty store is at revision 1: the first write is 2
        self._durable = 1                   # highest revision known to be on disk
        self._compact_rev = 0
        self._watch_floor = 1               # lowest start revision with full history
        self._log: list[tuple] = []         # every event with revision >= _watch_floor (see kv.event_of)
        self._log_revs: list[int] = []      # their revisions, for bisect
        self._log_base = 0                  # absolute index of _log[0]
        # bumped whenever what a watch can see may have changed: the durable
        # revision moved, a compaction moved _log_base, the store closed (see
        # KVWatch.idle)
        self._watch_epoch = 0
        self._leases: dict[int, _Lease] = {}
        self._lease_heap: list[tuple[float, int]] = []
        self._next_lease = 1
        self._closed = False
        self._wal: Wal | None = None
        self._dir = data_dir
        self._snapshot_every = snapshot_every
        self._history = history
        self._records_since_snapshot = 0
        self._snapshotting = threading.Lock()
        if data_dir is not None:
            os.makedirs(data_dir, exist_ok=True)
            self._recover(data_dir, fsync)
        log.debug("store open: revision %d, %d keys", self._rev, len(self._data))

    # ------------------------------------------------------------ reads

    @property
    def revision(self) -> int:
        with self._lock:
            return self._rev

    @property
    def compact_revision(self) -> int:
        with self._lock:
            return self._compact_rev

    def get(self, key: str) -> KeyValue | None:
        """``range(key)``'s one key-value, or ``None`` (without building a
        :class:`RangeResult`: every update of an object starts with one)."""
        seq = self._expire_leases()
        if seq is None and self._wal is None:
            rec = self._data.get(key)      # one dict read of an immutable record: atomic, no lock
        else:
            with self._lock:
                rec = self._data.get(key)
                rev = self._rev
            self._await_durable(seq, rev)
        return None if rec is None else new_tuple(KeyValue, rec)

    def range(self, key: str, *, prefix: bool = False, revision: int | None = None,
              limit: int | None = None, range_end: str | None = None) -> RangeResult:
        """Keys equal to ``key`` (or starting with it when ``prefix``, or in
        ``[key, range_end)`` as etcd's range; ``range_end="\\0"``: every key
        from ``key`` on), sorted, as of ``revision`` (default: now)."""
        seq = self._expire_leases()
        with self._lock:
            result = self._range_locked(_interval(key, prefix, range_end), revision, limit)
        self._await_durable(seq, result.revision)
        return result

    def _slice(self, span: tuple[str, str | None]) -> list[str]:
        lo, hi = span
        keys = self._keys
        return keys[keys.bisect_left(lo):(keys.bisect_left(hi) if hi is not None else None)]

    def _range_locked(self, span: tuple[str, str | None] | str, revision: int | None,
                      limit: int | None) -> RangeResult:
        if revision is not None and revision > 0 and revision < self._rev:
            return self._range_at_locked(span, revision, limit)
        if revision is not None and revision > self._rev:
            raise ValueError(f"revision {revision} is in the future (the store is at {self._rev})")
        if isinstance(span, str):
            rec = self._data.get(span)
            kvs = [new_tuple(KeyValue, rec)] if rec is not None else []
            return RangeResult(kvs, self._rev, len(kvs), False)
        keys = self._slice(span)
        count = len(keys)
        if limit:
            keys = keys[:limit]
        data = self._data
        return RangeResult([new_tuple(KeyValue, data[k]) for k in keys], self._rev, count, len(keys) < count)

    def _range_at_locked(self, span: tuple[str, str | None] | str, revision: int,
                         limit: int | None) -> RangeResult:
        if revision < self._compact_rev or revision < self._watch_floor - 1:
            raise CompactedError(revision, max(self._compact_rev, self._watch_floor - 1))
        if isinstance(span, str):
            def wanted(k: str) -> bool:
                return k == span
            state = {span: self._data[span]} if span in self._data else {}
        else:
            lo, hi = span

            def wanted(k: str) -> bool:
                return k >= lo and (hi is None or k < hi)
            state = {k: self._data[k] for k in self._slice(span)}
        # Undo, newest first, every event after ``revision``.
        i = len(self._log) - 1
        while i >= 0 and self._log_revs[i] > revision:
            _type, rec, prev = self._log[i]
            if wanted(rec[0]):
                if prev is None:
                    state.pop(rec[0], None)
                else:
                    state[rec[0]] = prev
            i -= 1
        kvs = [new_tuple(KeyValue, state[k]) for k in sorted(state)]
        count = len(kvs)
        if limit:
            kvs = kvs[:limit]
        return RangeResult(kvs, revision, count, len(kvs) < count)

    # ------------------------------------------------------------ writes

    def put(self, key: str, value: bytes, *, lease: int = 0) -> int:
        """Set ``key``; returns the new revision."""
        return self.txn((), (Put(key, value, lease),)).revision

    def delete(self, key: str, *, prefix: bool = False) -> int:
        """Delete ``key`` (or a prefix); returns how many keys went."""
        return len(self.txn((), (Delete(key, prefix),)).responses[0])  # type: ignore[arg-type]

    def txn(self, compares: Sequence[Compare], success: Sequence[Op], failure: Sequence[Op] = ()) -> TxnResult:
        """If every compare holds run ``success``, else ``failure``; atomically,
        under one new revision if anything changed."""
        if len(success) == 1 and len(compares) == 1 and not failure and type(success[0]) is Put:
            return self._compare_and_put(compares[0], success[0])
        seq = self._expire_leases()
        with self._lock:
            self._check_open()
            data = self._data
            ok = all(_compare(c, data.get(c.key)) for c in compares)
            ops = success if ok else failure
            self._check_ops(ops)
            rev = self._rev + 1
            responses: list[object] = []
            changes: list[_codec.Change] = []
            events: list[tuple] = []
            for op in ops:
                if isinstance(op, Put):
                    prev = data.get(op.key)
                    responses.append(_kv(prev))
                    events.append(self._apply_put(op.key, op.value, op.lease, rev, prev))
                    changes.append(("P", op.key, op.value, op.lease))
                elif isinstance(op, Delete):
                    gone = self._apply_delete(op.key, op.prefix, rev, events)
                    responses.append(gone)
                    changes += [("D", kv.key, b"", 0) for kv in gone]
                else:
                    responses.append(self._range_locked(_interval(op.key, op.prefix, None), None, None))
            if events:
                seq = self._commit_locked(rev, events, changes, ()) or seq
            result = TxnResult(ok, self._rev, responses)
        self._await_durable(seq, result.revision)
        return result

    def _compare_and_put(self, compare: Compare, put: Put) -> TxnResult:
        """``txn([compare], [put])``, the shape of every object create and
        update, without the general loop (same result, same effects)."""
        key, value, lease = put
        ok, rev, prev = self._put_if(key, value, lease, compare, 0)
        if not ok:
            return new_tuple(TxnResult, (False, rev, []))
        return new_tuple(TxnResult, (True, rev, [None if prev is None else new_tuple(KeyValue, prev)]))

    def put_if_mod(self, key: str, mod_revision: int, value: bytes, lease: int = 0) -> int:
        """``txn([Compare(key, "mod", "=", mod_revision)], [Put(key, value, lease)])``
        (``mod_revision`` 0: the key does not exist), answered with the
        revision of the put, or 0 when the compare failed; the same effects
        without the transaction's records (the store's creates and updates)."""
        ok, rev, _ = self._put_if(key, value, lease, None, mod_revision)
        return rev if ok else 0

    def _put_if(self, key: str, value: bytes, lease: int, compare: Compare | None,
                mod_revision: int) -> tuple[bool, int, tuple | None]:
        """Put ``key`` if ``compare`` holds (None: if the key's mod revision is
        ``mod_revision``): (whether it did, the revision after, the record
        it replaced)."""
        seq = self._expire_leases()
        with self._lock:
            self._check_open()
            data = self._data
            prev = data.get(key)
            if compare is None:
                ok = (0 if prev is None else prev[_MOD]) == mod_revision
            else:
                ok = _holds(compare, prev if compare.key == key else data.get(compare.key))
            if not ok:
                rev = self._rev
            else:
                if lease and lease not in self._leases:
                    raise LeaseNotFoundError(f"lease {lease} not found (put of {key!r})")
                rev = self._rev + 1
                event = self._apply_put(key, value, lease, rev, prev)
                # (the changes are for the WAL only: none without one)
                seq = self._commit_locked(rev, [event], [("P", key, value, lease)] if self._wal is not None else (),
                                          ()) or seq
        self._await_durable(seq, rev)
        return ok, rev, prev

    def _check_ops(self, ops: Sequence[Op]) -> None:
        seen: set[str] = set()
        for op in ops:
            if isinstance(op, Put):
                if op.key in seen:
                    raise ValueError(f"duplicate key {op.key!r} in a transaction")
                seen.add(op.key)
                if op.lease and op.lease not in self._leases:
                    raise LeaseNotFoundError(f"lease {op.lease} not found (put of {op.key!r})")
            elif isinstance(op, Delete):
                if not op.prefix and op.key in seen:
                    raise ValueError(f"duplicate key {op.key!r} in a transaction")
                seen.add(op.key)
            elif not isinstance(op, Get):
                raise TypeError(f"not a transaction operation: {op!r} (expected Put, Delete or Get)")

    def _apply_put(self, key: str, value: bytes, lease: int, rev: int, prev: tuple | None) -> tuple:
        if prev is None:
            rec = (key, value, rev, rev, 1, lease)
            self._keys.add(key)
        else:
            rec = (key, value, prev[_CREATE], rev, prev[_VERSION] + 1, lease)
            old_lease = prev[_LEASE]
            if old_lease and old_lease != lease and old_lease in self._leases:
                self._leases[old_lease].keys.discard(key)
        if lease:
            self._leases[lease].keys.add(key)
        self._data[key] = rec
        return ("PUT", rec, prev)

    def _apply_delete(self, key: str, prefix: bool, rev: int, events: list[tuple]) -> list[KeyValue]:
        if prefix:
            lo = self._keys.bisect_left(key)
            hi = self._keys.bisect_left(prefix_end(key)) if key else len(self._keys)
            keys = self._keys[lo:hi]
            del self._keys[lo:hi]
        elif key in self._data:
            keys = [key]
            self._keys.remove(key)
        else:
            return []
        gone = []
        for k in keys:
            prev = self._data.pop(k)
            if prev[_LEASE] and prev[_LEASE] in self._leases:
                self._leases[prev[_LEASE]].keys.discard(k)
            gone.append(new_tuple(KeyValue, prev))
            events.append(("DELETE", (k, b"", 0, rev, 0, 0), prev))
        return gone

    def _commit_locked(self, rev: int, events: list[tuple], changes: list[_codec.Change],
                       revoked: Sequence[int]) -> int | None:
        """Publish applied events at ``rev``; log them.  Returns the WAL
        sequence to sync on (``None`` without a WAL)."""
        if events:
            self._rev = rev
            if len(events) == 1:          # (a put's one event: no list built to extend with)
                self._log.append(events[0])
                self._log_revs.append(rev)
            else:
                self._log += events
                self._log_revs += [rev] * len(events)
            if self._history is not None and rev - self._watch_floor > 2 * self._history:
                self._compact_locked(rev - self._history)   # in memory only: a restart starts history anew
        if self._wal is None:
            self._durable = self._rev
            self._watch_epoch += 1
            if self._cond._waiters:       # a blocked watcher (Condition keeps them in a deque): wake it
                self._cond.notify_all()
            return None
        self._records_since_snapshot += 1
        return self._wal.append(_codec.encode_txn(self._rev, changes, revoked))

    def _await_durable(self, seq: int | None, revision: int) -> None:
        """Wait for WAL record ``seq`` and anything seen at ``revision`` to be
        on disk; then let watchers see it."""
        wal = self._wal
        if wal is None:
            return
        if seq is None:
            if self._durable >= revision:
                return
            wal.sync()
        else:
            wal.sync(seq)
        with self._lock:
            if revision > self._durable:
                self._durable = revision
                self._watch_epoch += 1
                self._cond.notify_all()
        if self._records_since_snapshot >= self._snapshot_every and self._snapshotting.acquire(blocking=False):
            try:
                self._snapshot_now()
            finally:
                self._snapshotting.release()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the store is closed")

    # ------------------------------------------------------------ compaction

    def compact(self, revision: int) -> None:
        """Forget history before ``revision``: reads at an older revision and
        watches starting before it raise :class:`CompactedError`."""
        with self._lock:
            if revision > self._rev:
                raise ValueError(f"cannot compact to revision {revision}: the store is at {self._rev}")
            if revision <= self._compact_rev:
                raise CompactedError(revision, self._compact_rev)
            self._compact_locked(revision)
            seq = self._wal.append(_codec.encode_compact(revision)) if self._wal else None
        self._await_durable(seq, 0)

    def _compact_locked(self, revision: int) -> None:
        self._compact_rev = revision
        self._watch_floor = max(self._watch_floor, revision)
        n = bisect.bisect_left(self._log_revs, revision)
        if n:
            del self._log[:n]
            del self._log_revs[:n]
            self._log_base += n
            self._watch_epoch += 1

    # ------------------------------------------------------------ watches

    def watch(self, key: str, *, prefix: bool = False, start_revision: int | None = None) -> "KVWatch":
        """Events for ``key`` (or the prefix) from ``start_revision`` on
        (default: changes after now), strictly in revision order."""
        with self._lock:
            self._check_open()
            if not start_revision:
                start_revision = self._rev + 1
            if start_revision < self._watch_floor:
                raise CompactedError(start_revision, self._watch_floor)
            cursor = self._log_base + bisect.bisect_left(self._log_revs, start_revision)
            return KVWatch(self, key, prefix, cursor, start_revision - 1)

    # ------------------------------------------------------------ leases

    def grant(self, ttl: int, lease_id: int = 0) -> int:
        """A lease that expires ``ttl`` seconds from now unless kept alive."""
        if ttl < 1:
            raise ValueError(f"lease TTL must be at least 1 second, got {ttl!r}")
        with self._lock:
            self._check_open()
            if lease_id == 0:
                lease_id = self._next_lease
            elif lease_id in self._leases:
                raise ValueError(f"lease {lease_id} already exists")
            self._grant_locked(lease_id, ttl)
            seq = self._wal.append(_codec.encode_grant(lease_id, ttl)) if self._wal else None
        self._await_durable(seq, 0)
        return lease_id

    def _grant_locked(self, lease_id: int, ttl: int) -> None:
        lease = _Lease(lease_id, ttl, self._clock.monotonic() + ttl)
        self._leases[lease_id] = lease
        self._next_lease = max(self._next_lease, lease_id + 1)
        heapq.heappush(self._lease_heap, (lease.deadline, lease_id))

    def keepalive(self, lease_id: int) -> int:
        """Restart the lease's TTL; returns it."""
        self._await_durable(self._expire_leases(), 0)
        with self._lock:
            lease = self._leases.get(lease_id)
            if lease is None:
                raise LeaseNotFoundError(f"lease {lease_id} not found")
            lease.deadline = self._clock.monotonic() + lease.ttl
            heapq.heappush(self._lease_heap, (lease.deadline, lease_id))
            return lease.ttl

    def revoke(self, lease_id: int) -> None:
        """End the lease now, deleting its keys (one revision)."""
        with self._lock:
            if lease_id not in self._leases:
                raise LeaseNotFoundError(f"lease {lease_id} not found")
            seq = self._revoke_locked([lease_id])
            rev = self._rev
        self._await_durable(seq, rev)

    def time_to_live(self, lease_id: int) -> LeaseInfo:
        self._await_durable(self._expire_leases(), 0)
        with self._lock:
            lease = self._leases.get(lease_id)
            if lease is None:
                raise LeaseNotFoundError(f"lease {lease_id} not found")
            return LeaseInfo(lease.id, lease.ttl, max(0.0, lease.deadline - self._clock.monotonic()),
                             tuple(sorted(lease.keys)))

    def leases(self) -> list[int]:
        with self._lock:
            return sorted(self._leases)

    def tick(self) -> int:
        """Expire every lease whose TTL has run out on the clock; returns how
        many.  Every read and write does this too; an owner with a fake clock
        calls it after advancing time."""
        with self._lock:
            before = len(self._leases)
        self._await_durable(self._expire_leases(), self.revision)
        with self._lock:
            return max(0, before - len(self._leases))

    def _expire_leases(self) -> int | None:
        heap = self._lease_heap
        if not heap:
            return None
        now = self._clock.monotonic()
        try:
            if heap[0][0] > now:   # a lock-free peek; the lock is taken only when something is due
                return None
        except IndexError:         # another thread took the last one meanwhile
            return None
        with self._lock:
            due = []
            while heap and heap[0][0] <= now:
                deadline, lease_id = heapq.heappop(heap)
                lease = self._leases.get(lease_id)
                if lease is not None and lease.deadline == deadline and lease_id not in due:
                    due.append(lease_id)
            if not due:
                return None
            log.info("leases expired: %s", due)
            return self._revoke_locked(due)

    def _revoke_locked(self, lease_ids: list[int]) -> int | None:
        rev = self._rev + 1
        events: list[tuple] = []
        for lease_id in lease_ids:
            lease = self._leases.pop(lease_id)
            for k in sorted(lease.keys):
                self._apply_delete(k, False, rev, events)
        return self._commit_locked(rev, events, [("D", e[1][0], b"", 0) for e in events], lease_ids)

    # ------------------------------------------------------------ persistence

    def _recover(self, directory: str, fsync: bool) -> None:
        snap = read_newest_snapshot(directory)
        first_segment = 1
        if snap is not None:
            first_segment, payload = snap
            rev, compact_rev, _, next_lease, leases, kvs = _codec.decode_snapshot(
                payload, os.path.join(directory, snapshot_name(first_segment)))
            self._rev = self._durable = rev
            self._compact_rev = compact_rev
            self._watch_floor = rev + 1
            self._next_lease = next_lease
            for lease_id, ttl in leases:
                self._grant_locked(lease_id, ttl)
            for kv in kvs:
                self._data[kv.key] = tuple(kv)
                if kv.lease in self._leases:
                    self._leases[kv.lease].keys.add(kv.key)
            self._keys = SortedList(self._data)
        segments = [s for s in list_segments(directory) if s >= first_segment]
        # A snapshot's successor segment is created before the snapshot is
        # written, so it must exist; without a snapshot the log starts at 1.
        if (snap is not None or segments) and (not segments or segments[0] != first_segment):
            raise WalCorruptError(f"{directory}: WAL segment {segment_name(first_segment)} is missing")
        for a, b in zip(segments, segments[1:]):
            if b != a + 1:
                raise WalCorruptError(f"{directory}: WAL segment {segment_name(a + 1)} is missing")
        end = None
        replayed = 0
        for i, seg in enumerate(segments):
            path = os.path.join(directory, segment_name(seg))
            payloads, end = read_segment(path, last=i == len(segments) - 1)
            for n, payload in enumerate(payloads):
                self._replay(_codec.decode_record(payload, f"{path} record {n}"), path)
            replayed += len(payloads)
        self._durable = self._rev
        current = segments[-1] if segments else first_segment
        self._wal = Wal(directory, current, fsync=fsync, truncate_at=end)
        self._records_since_snapshot = replayed
        # What a crash during a snapshot left behind: covered segments, older
        # snapshots, a half-written temporary.
        for old in list_segments(directory):
            if old < first_segment:
                os.unlink(os.path.join(directory, segment_name(old)))
        for old in list_snapshots(directory):
            if old < first_segment:
                os.unlink(os.path.join(directory, snapshot_name(old)))
        for name in os.listdir(directory):
            if name.endswith(".snap.tmp"):
                os.unlink(os.path.join(directory, name))
        if snap is not None:
            log.info("recovered %s: snapshot at revision %d + %d WAL records -> revision %d",
                     directory, self._watch_floor - 1, replayed, self._rev)

    def _replay(self, record: tuple, path: str) -> None:
        if record[0] == "T":
            _, rev, changes, revoked = record
            if changes and rev != self._rev + 1:
                raise WalCorruptError(f"{path}: transaction at revision {rev} follows revision {self._rev}")
            events: list[tuple] = []
            for kind, key, value, lease in changes:
                if kind == "P":
                    if lease and lease not in self._leases:
                        lease = 0
                    events.append(self._apply_put(key, value, lease, rev, self._data.get(key)))
                else:
                    self._apply_delete(key, False, rev, events)
            for lease_id in revoked:
                self._leases.pop(lease_id, None)
            if events:
                self._rev = rev
                self._log += events
                self._log_revs += [rev] * len(events)
        elif record[0] == "G":
            self._grant_locked(record[1], record[2])
        else:
            self._compact_locked(record[1])

    def snapshot(self) -> str | None:
        """Write a snapshot now and drop the WAL segments it covers; returns
        its path (``None`` for a store without a directory)."""
        if self._wal is None:
            return None
        with self._snapshotting:
            return self._snapshot_now()

    def _snapshot_now(self) -> str:
        assert self._wal is not None and self._dir is not None
        with self._lock:
            segment = self._wal.roll()
            self._records_since_snapshot = 0
            kvs = [new_tuple(KeyValue, rec) for rec in self._data.values()]
            leases = [(lease.id, lease.ttl) for lease in self._leases.values()]
            state = (self._rev, self._compact_rev, segment, self._next_lease)
        payload = _codec.encode_snapshot(*state, leases, kvs)
        path = write_snapshot(self._dir, segment, payload, fsync=self._wal.fsync)
        for old in list_segments(self._dir):
            if old < segment:
                os.unlink(os.path.join(self._dir, segment_name(old)))
        for old in list_snapshots(self._dir):
            if old < segment:
                os.unlink(os.path.join(self._dir, snapshot_name(old)))
        log.info("snapshot %s at revision %d (%d keys)", path, state[0], len(kvs))
        return path

    def close(self) -> None:
        """Wake and end every watch; flush and close the WAL."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._watch_epoch += 1
            self._cond.notify_all()
            wal, self._wal = self._wal, None
        if wal is not None:
            wal.close()

    def __enter__(self) -> "MemoryKV":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KVWatch(WatchBase):
    """A cursor into the store's event log (see :class:`kubekit.store.kv.Watch`)."""

    def __init__(self, store: MemoryKV, key: str, prefix: bool, cursor: int, revision: int) -> None:
        self._store = store
        self._key = key
        self._prefix = prefix
        self._cursor = cursor
        self._closed = False
        self.revision = revision
        self._idle_epoch: int | None = None   # the store's _watch_epoch when a look last found nothing: see idle()

    @property
    def closed(self) -> bool:
        return self._closed or self._store._closed

    def next_batch(self, timeout: float | None = None) -> list[Event]:
        """The events ready now, waiting up to ``timeout`` real seconds
        (``None``: forever) for at least one; ``[]`` on timeout or close."""
        return [event_of(e) for e in self.next_entries(timeout)]

    def next_entries(self, timeout: float | None = None) -> list[tuple]:
        """:meth:`next_batch` as the store's own log entries: plain tuples
        ``(type, record, previous record or None)``, records as
        :class:`KeyValue`'s fields (what a watch cache keeps: tuples of plain
        values are not tracked by the garbage collector, NamedTuples are)."""
        s = self._store
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with s._cond:
                while True:
                    if self._closed or s._closed:
                        return []
                    if self._cursor < s._log_base:
                        raise CompactedError(self.revision + 1, s._watch_floor)
                    i = self._cursor - s._log_base
                    revs = s._log_revs
                    if s._durable >= s._rev:
                        end = len(revs)
                    else:
                        end = bisect.bisect_right(revs, s._durable, i)
                    if end > i:
                        batch = s._log[i:end]
                        self._cursor = s._log_base + end
                        durable = s._durable
                        at_end = end == len(revs)
                        break
                    self.revision = max(self.revision, s._durable)
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        self._idle_epoch = s._watch_epoch
                        return []
                    s._cond.wait(remaining)
            key = self._key
            if self._prefix:
                out = [e for e in batch if has_prefix(e[1][0], key)]
            else:
                out = [e for e in batch if e[1][0] == key]
            self.revision = durable if at_end else batch[-1][1][_MOD]
            if out:
                return out

    def idle(self) -> bool:
        """Whether ``next_entries(0)`` would return ``[]`` and change
        nothing (a cheap, lock-free check for a reader that polls): the last
        call found nothing new and returned, and the store's watch epoch has
        not moved since.  Then the durable revision (the most a watcher may
        see) and the log's base are the same, so the entries up to it are
        the ones that call already passed, its ``revision = max(revision,
        durable)`` is already done, and nothing closed."""
        return self._idle_epoch == self._store._watch_epoch

    def close(self) -> None:
        self._closed = True
        self._idle_epoch = None
        with self._store._cond:
            self._store._cond.notify_all()

