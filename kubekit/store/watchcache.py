"""The watch cache: one KV watch per kind, shared by every object watch of
it, with an index on the fields a kind declares (Pod: ``spec.nodeName``).

Without it, each object watch scans (and decodes) every event of its kind:
a thousand node agents watching ``spec.nodeName=<node>`` would decode every
pod event a thousand times.  With it, each event is decoded once, when it
enters the cache, to read its indexed fields; a watch whose field selector
pins an indexed field (``spec.nodeName=n1``) visits only the events whose old
or new object has that value, as the API server's cacher does with its
``IndexerFuncs``.

There is no thread: whichever reader finds nothing new pulls the shared KV
watch (one at a time; the others wait for it), so a fake-clock simulation
that only ``poll()``\\ s stays deterministic.  Entries are the KV's own
immutable log entries, kept as plain tuples (``(type, record, previous
record)``, records as :class:`~kubekit.store.kv.KeyValue`'s fields): the
garbage collector stops tracking a tuple of plain values, so a window of
tens of thousands of events costs a full collection nothing (NamedTuples
stay tracked).  A reader takes the entries themselves (``next_entries``: what
an object watch converts) or an :class:`~kubekit.store.kv.Event` built for
each (``next_batch``).  The cache costs a list slot and the index entries per
event.  A reader that falls behind the cache's window continues on a direct
KV watch, which is exactly as old as the KV's history allows.
"""

from __future__ import annotations

import bisect
import threading
import time

from kubekit.errors import StoreError
from kubekit.store import jsoncodec
from kubekit.store.kinds import Kind, field_value
from kubekit.store.kv import KV, Event, Watch, WatchBase, event_of, log_entry
from kubekit.store.memory import KVWatch, has_prefix

__all__ = ["WatchCache", "CachedWatch"]

_SLICE = 0.25   # real seconds a pumping reader blocks before looking around
_KEY, _VALUE, _MOD = 0, 1, 3        # fields of a record


class WatchCache:
    """The events of one kind from ``start`` on, indexed."""

    def __init__(self, kv: KV, kind: Kind, *, capacity: int = 10_000) -> None:
        self.kv = kv
        self.kind = kind
        self.capacity = capacity
        self._cond = threading.Condition(threading.Lock())
        self._kvw = kv.watch(kind.prefix(), prefix=True)
        # the store's own entries when it hands them out (MemoryKV), else converted events
        self._next = getattr(self._kvw, "next_entries", None) or (
            lambda timeout: [log_entry(e) for e in self._kvw.next_batch(timeout)])
        # the MemoryKV whose watch epoch tells a reader that polls "nothing
        # new" exactly (see CachedWatch.idle); None (another KV): always look
        self._epoch_kv = self._kvw._store if type(self._kvw) is KVWatch else None
        self.start = self._kvw.revision + 1       # the first revision the cache holds
        self._events: list[tuple] = []            # log entries (see kv.log_entry)
        self._revs: list[int] = []
        self._base = 0                            # absolute position of _events[0]
        self._examined = self._kvw.revision       # every revision up to here is in the cache
        # field -> value -> positions; a field is indexed from the first
        # reader that asks for it on (decoding costs a json.loads per event)
        self._index: dict[str, dict[str, list[int]]] = {}
        self._pumping = False
        # the KV compacted past the cache, or its watch broke (an etcd member
        # went away): readers go to the KV directly, new ones to a new cache
        self.broken: BaseException | None = None

    def reader(self, start_revision: int, prefix: str, index: tuple[str, str] | None) -> Watch:
        """A watch from ``start_revision`` of keys under ``prefix``, visiting
        only events indexed under ``index`` (field, value) if given."""
        with self._cond:
            if index is not None and index[0] not in self._index:
                self._build_index(index[0])
            if self.broken is None and start_revision >= max(self.start, self._revs[0] if self._revs else 0):
                cursor = self._base + bisect.bisect_left(self._revs, start_revision)
                return CachedWatch(self, cursor, start_revision - 1, prefix, index)
        return self.kv.watch(prefix, prefix=True, start_revision=start_revision)

    # -- filling (the caller holds the lock) --

    def _append(self, events: list[tuple]) -> None:
        pos = self._base + len(self._events)
        self._events += events
        self._revs += [e[1][_MOD] for e in events]
        if self._index:
            for i, ev in enumerate(events, pos):
                for f, values in self._index.items():
                    for v in self._values(ev, f):
                        values.setdefault(v, []).append(i)
        if len(self._events) > 2 * self.capacity:
            self._trim(len(self._events) - self.capacity)

    def _build_index(self, field: str) -> None:
        if field not in self.kind.indexed_fields:
            raise ValueError(f"{self.kind.kind} does not index {field!r} (it indexes {self.kind.indexed_fields})")
        values: dict[str, list[int]] = {}
        for i, ev in enumerate(self._events, self._base):
            for v in self._values(ev, field):
                values.setdefault(v, []).append(i)
        self._index[field] = values

    def _values(self, ev: tuple, field: str) -> set[str]:
        out = set()
        for rec in (ev[1] if ev[0] == "PUT" else None, ev[2]):
            if rec is not None:
                out.add(field_value(jsoncodec.loads(rec[_VALUE]), field))
        return out

    def _trim(self, n: int) -> None:
        del self._events[:n]
        del self._revs[:n]
        self._base += n
        for values in self._index.values():
            for v in list(values):
                positions = values[v]
                cut = bisect.bisect_left(positions, self._base)
                if cut == len(positions):
                    del values[v]
                elif cut:
                    del positions[:cut]

    @property
    def closed(self) -> bool:
        """The KV (or the cache) was closed: readers end."""
        return bool(getattr(self._kvw, "closed", False))

    def _pump_nowait(self) -> None:
        if not self._pumping and self.broken is None:
            try:
                self._fill(self._next(0))
            except StoreError as e:              # CompactedError, or a broken stream
                self.broken = e

    def _fill(self, events: list[tuple]) -> None:
        if events:
            self._append(events)
        self._examined = max(self._examined, self._kvw.revision)

    def _pump(self, timeout: float | None) -> None:
        """Wait up to ``timeout`` for new events (the lock is held on entry
        and exit; one pumper at a time)."""
        if self.broken is not None:
            return
        if self._pumping:
            self._cond.wait(timeout)
            return
        self._pumping = True
        self._cond.release()
        events: list[tuple] = []
        try:
            # In slices, so that a reader closed meanwhile is noticed.
            events = self._next(_SLICE if timeout is None else min(timeout, _SLICE))
        except StoreError as e:                  # CompactedError, or a broken stream
            self.broken = e
        finally:
            self._cond.acquire()
            self._pumping = False
            if self.broken is None:
                self._fill(events)
            self._cond.notify_all()

    def close(self) -> None:
        self._kvw.close()


class CachedWatch(WatchBase):
    """A cursor into a :class:`WatchCache` (the :class:`~kubekit.store.kv.Watch` protocol)."""

    def __init__(self, cache: WatchCache, cursor: int, revision: int, prefix: str,
                 index: tuple[str, str] | None) -> None:
        self._cache = cache
        self._cursor = cursor
        self.revision = revision
        self._first = revision + 1           # the cache may not have reached it yet: skip what is older
        self._prefix = prefix
        self._index = index
        self._closed = False
        self._direct: Watch | None = None     # after falling out of the cache's window
        self._idle_epoch: int | None = None   # see idle()

    def next_batch(self, timeout: float | None = None) -> list[Event]:
        return [event_of(e) for e in self.next_entries(timeout)]

    def next_entries(self, timeout: float | None = None) -> list[tuple]:
        """:meth:`next_batch` as plain log entries (see :func:`kubekit.store.kv.log_entry`)."""
        if self._direct is not None:
            d = self._direct
            out = d.next_entries(timeout) if hasattr(d, "next_entries") else [
                log_entry(e) for e in d.next_batch(timeout)]
            self.revision = d.revision
            return out
        c = self._cache
        deadline = None if timeout is None else time.monotonic() + timeout
        with c._cond:
            c._pump_nowait()
            while not self._closed:
                if c.closed:
                    return []
                if self._cursor < c._base or c.broken is not None:
                    break                                    # out of the window: go direct
                out = self._take()
                if out:
                    return out
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    self._idle_epoch = self._caught_up_epoch()
                    return []
                c._pump(left)
            else:
                return []
        self._idle_epoch = None
        self._direct = c.kv.watch(self._prefix, prefix=True, start_revision=self.revision + 1)
        return self.next_entries(timeout)

    def _caught_up_epoch(self) -> int | None:
        """(Lock held, after a look that found nothing.)  The KV's watch
        epoch if this watch and the cache are caught up with the KV: the
        cursor at the end of the cache, this watch's revision the cache's,
        no pump under way, and the cache's KV watch found nothing at this
        very epoch after taking everything in (its revision is in
        ``_examined``).  None otherwise (and for a KV without epochs)."""
        c = self._cache
        kv = c._epoch_kv
        if kv is None or c._pumping or c.broken is not None or self._closed:
            return None
        epoch = kv._watch_epoch
        kvw = c._kvw
        if (kvw._idle_epoch == epoch and self._cursor == c._base + len(c._events)
                and self.revision >= c._examined >= kvw.revision):
            return epoch
        return None

    def idle(self) -> bool:
        """Whether ``next_entries(0)`` would return ``[]`` and change
        nothing (a cheap, lock-free check for a reader that polls).  True
        when the last look found nothing with everything caught up (see
        ``_caught_up_epoch``) and the KV's watch epoch has not moved since:
        then the KV watch finds nothing and changes nothing (``KVWatch.idle``),
        so the cache gets no events and its ``_examined`` stays, so ``_take``
        takes nothing and this watch's revision stays.  (Only this watch's
        own calls move its cursor and revision; a pump by another reader
        changes the cache only with entries the KV showed it, which moved the
        epoch.)"""
        kv = self._cache._epoch_kv
        return kv is not None and self._idle_epoch == kv._watch_epoch

    def _take(self) -> list[tuple]:
        """Matching events past the cursor (lock held); moves the cursor to
        the end of the cache."""
        c = self._cache
        end = c._base + len(c._events)
        if self._index is None:
            batch = c._events[self._cursor - c._base:]
        else:
            field, value = self._index
            positions = c._index[field].get(value, ())
            i = bisect.bisect_left(positions, self._cursor)
            batch = [c._events[p - c._base] for p in positions[i:]]
        self._cursor = end
        self.revision = max(self.revision, c._examined)
        prefix, first = self._prefix, self._first
        return [e for e in batch if e[1][_MOD] >= first and has_prefix(e[1][_KEY], prefix)]

    def close(self) -> None:
        self._closed = True
        if self._direct is not None:
            self._direct.close()
        with self._cache._cond:
            self._cache._cond.notify_all()
