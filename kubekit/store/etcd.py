"""The :class:`~kubekit.store.kv.KV` contract over a real etcd v3 server,
so that an :class:`~kubekit.store.APIStore` (and everything above it) can
keep its objects in etcd, as the Kubernetes API server does::

    from kubekit.store import APIStore
    from kubekit.store.etcd import EtcdKV

    store = APIStore(EtcdKV("http://127.0.0.1:2379"))
    store = APIStore(EtcdKV("http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379"))

**Several endpoints** (the members of an etcd cluster, as kube-apiserver's
``--etcd-servers`` takes them): requests go to one member; when it cannot be
reached the client moves on to the next, round the list.  A request that
never reached a member (the connection was refused or timed out) is sent to
the next one, writes included, since nothing was applied.  A read (and a
lease keepalive) is also sent again when its connection broke after sending,
or when the member answered *unavailable* (gRPC code 14: e.g. it has lost
its leader).  A write whose connection broke after it was sent is never sent
again: whether etcd applied it is unknown, and the caller is told so.
Watches open on the current member, moving on the same way, and require a
leader (clientv3's ``WithRequireLeader``: a member cut off from its cluster
cancels them); a watch whose member dies or loses its leader ends with an
error, and the informer above watches again from its resourceVersion (on a
member that answers).  A kept connection that the member closed while idle
is noticed before a request is sent on it, so a healthy member's idle close
never makes a write ambiguous.

It speaks etcd's gRPC API through the JSON gateway every etcd v3 server
serves on its client URL (``/v3/kv/range``, ``/v3/kv/txn``, ``/v3/watch``,
``/v3/lease/...``), with the standard library's HTTP client: no extra
dependency.  Keys and values are base64 in the JSON, 64-bit integers are
strings, and fields equal to their zero value are left out, as gRPC's JSON
mapping does.

Revisions, transactions, historical reads, watches from a revision,
compaction and leases are etcd's own; the differences from
:class:`~kubekit.store.MemoryKV` are etcd's: lease ids are chosen by the
server, leases expire on etcd's clock (``tick`` does nothing), and the
compacted revision is only known from this client's ``compact`` calls and
from etcd's answers (a range at a compacted revision does not say how far
compaction went).
"""

from __future__ import annotations

import base64
import http.client
import json
import queue
import select
import threading
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

from kubekit.errors import CompactedError, LeaseNotFoundError, StoreError
from kubekit.store.kv import (
    Compare, Delete, Event, Get, KeyValue, LeaseInfo, Op, Put, RangeResult, TxnResult, WatchBase, prefix_end,
)

__all__ = ["EtcdError", "EtcdKV", "EtcdWatch"]

_TARGETS = {"version": ("VERSION", "version"), "create": ("CREATE", "create_revision"),
            "mod": ("MOD", "mod_revision"), "value": ("VALUE", "value"), "lease": ("LEASE", "lease")}
_RESULTS = {"=": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS", ">": "GREATER"}
# Requests that may be sent again when a kept-alive connection turns out dead:
# reads (and a keepalive, which only refreshes).  A write is never repeated: if
# its connection breaks, whether etcd applied it is unknown, and the caller is told.
_RETRYABLE = frozenset({"/v3/kv/range", "/v3/lease/timetolive", "/v3/lease/leases", "/v3/lease/keepalive"})
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a member to accept a connection before moving on."""


class EtcdError(StoreError):
    """etcd refused a request (its message and gRPC code)."""

    def __init__(self, message: str, code: int) -> None:
        self.code = code
        super().__init__(f"etcd: {message} (code {code})")


def _b64(s: str | bytes) -> str:
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def _unb64(s: str | None) -> bytes:
    return base64.b64decode(s) if s else b""


def _kv(d: dict[str, Any]) -> KeyValue:
    return KeyValue(_unb64(d.get("key")).decode(), _unb64(d.get("value")), int(d.get("create_revision", 0)),
                    int(d.get("mod_revision", 0)), int(d.get("version", 0)), int(d.get("lease", 0)))


def _interval(key: str, prefix: bool, range_end: str | None = None) -> dict[str, str]:
    # etcd refuses an empty key: every key is the range ["\0", "\0")
    body = {"key": _b64(key or "\0")}
    if prefix:
        body["range_end"] = _b64(prefix_end(key))
    elif range_end is not None:
        body["range_end"] = _b64(range_end)
    return body


def _compare(c: Compare) -> dict[str, Any]:
    if c.target not in _TARGETS:
        raise ValueError(f"unknown compare target {c.target!r}: expected version, create, mod, value or lease")
    if c.op not in _RESULTS:
        raise ValueError(f"unknown compare operator {c.op!r}: expected =, !=, < or >")
    target, field = _TARGETS[c.target]
    value = _b64(c.value) if c.target == "value" else str(int(c.value))     # type: ignore[arg-type]
    return {"key": _b64(c.key), "target": target, "result": _RESULTS[c.op], field: value}


def _op(op: Op) -> dict[str, Any]:
    if isinstance(op, Put):
        body: dict[str, Any] = {"key": _b64(op.key), "value": _b64(op.value), "prev_kv": True}
        if op.lease:
            body["lease"] = str(op.lease)
        return {"request_put": body}
    if isinstance(op, Delete):
        return {"request_delete_range": {**_interval(op.key, op.prefix), "prev_kv": True}}
    if isinstance(op, Get):
        return {"request_range": _interval(op.key, op.prefix)}
    raise TypeError(f"not a transaction operation: {op!r} (expected Put, Delete or Get)")


def parse_endpoints(endpoints: str | Sequence[str]) -> tuple[tuple[str, str, int], ...]:
    """``(url, host, port)`` per client URL: a comma-separated string or a
    sequence of ``http://host[:port]`` (port 2379 by default)."""
    items = endpoints.split(",") if isinstance(endpoints, str) else list(endpoints)
    out = []
    for raw in items:
        url = raw.strip()
        try:
            u = urllib.parse.urlsplit(url)
            port = u.port or 2379
        except ValueError:
            u, port = None, 0
        if u is None or u.scheme != "http" or not u.hostname or u.path not in ("", "/"):
            raise ValueError(f"etcd endpoint {url!r}: expected http://host:port")
        out.append((url, u.hostname, port))
    if not out:
        raise ValueError("no etcd endpoint given")
    return tuple(out)


class EtcdKV:
    """An etcd v3 cluster as a :class:`~kubekit.store.kv.KV` (see the module
    docstring).  ``endpoints``: its members' client URLs, a list or one
    comma-separated string; ``timeout`` bounds each request (a watch waits
    as long as its caller asks)."""

    def __init__(self, endpoints: str | Sequence[str] = "http://127.0.0.1:2379", *, timeout: float = 30.0) -> None:
        self._targets = parse_endpoints(endpoints)
        self.endpoints = tuple(t[0] for t in self._targets)
        self.timeout = timeout
        self._current = 0                   # the member new connections go to
        self._local = threading.local()
        self._conns: set[http.client.HTTPConnection] = set()      # every thread's, closed by close()
        self._lock = threading.Lock()
        self._compact_rev = 0
        self._watches: list[EtcdWatch] = []
        self._closed = False

    # ------------------------------------------------------------ transport

    @property
    def endpoint(self) -> str:
        """The client URL requests go to now."""
        return self.endpoints[self._current]

    def _move_on(self, at: int) -> None:
        """Member ``at`` failed: new connections go to the next one (unless
        another thread has moved on already)."""
        with self._lock:
            if self._current == at:
                self._current = (at + 1) % len(self._targets)

    def _connect(self, where: str) -> tuple[http.client.HTTPConnection, int]:
        """A connected connection to the current member, moving on round the
        list past members that cannot be reached (``where`` names the
        request in the error when none can)."""
        errors = []
        for _ in range(len(self._targets)):
            with self._lock:
                at = self._current
            _, host, port = self._targets[at]
            conn = http.client.HTTPConnection(host, port, timeout=min(self.timeout, CONNECT_TIMEOUT))
            try:
                conn.connect()
                conn.timeout = self.timeout                 # requests then get the full timeout
                conn.sock.settimeout(self.timeout)
                return conn, at
            except OSError as e:
                conn.close()
                errors.append(f"{self.endpoints[at]}: {e!r}")
                self._move_on(at)
        raise EtcdError(f"{where}: no etcd endpoint could be reached ({'; '.join(errors)})", 14)

    def _connection(self, path: str) -> tuple[http.client.HTTPConnection, int]:
        kept = getattr(self._local, "conn", None)
        if kept is not None:
            sock = kept[0].sock
            # an idle kept connection is silent: if it is readable, the member closed it
            if sock is not None and not select.select([sock], [], [], 0)[0]:
                return kept
            self._drop_connection(kept[0])
        conn, at = self._local.conn = self._connect(path)
        with self._lock:
            self._conns.add(conn)
        return conn, at

    def _drop_connection(self, conn: http.client.HTTPConnection) -> None:
        conn.close()
        self._local.conn = None
        with self._lock:
            self._conns.discard(conn)

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self._closed:
            raise ValueError("the store is closed")
        data = json.dumps(body).encode()
        retryable = path in _RETRYABLE
        # a read tries each member once after a broken kept-alive connection
        for attempt in range(len(self._targets) + 1):
            conn, at = self._connection(path)
            try:
                conn.request("POST", path, data, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                payload = resp.read()
            except (http.client.HTTPException, OSError) as e:
                self._drop_connection(conn)
                self._move_on(at)
                if not retryable or attempt == len(self._targets):
                    why = (f"tried {attempt + 1} times" if retryable
                           else "the write may or may not have been applied")
                    raise EtcdError(f"{path}: the connection to {self.endpoints[at]} failed ({e!r}); {why}",
                                    14) from e
                continue
            out = json.loads(payload or b"{}")
            if resp.status != 200 or "error" in out:
                if retryable and int(out.get("code", 0)) == 14 and attempt < len(self._targets):
                    self._drop_connection(conn)         # this member is unavailable: ask the next
                    self._move_on(at)
                    continue
                self._raise(out, body)
            return out
        raise AssertionError("unreachable")

    def _raise(self, out: dict[str, Any], body: dict[str, Any]) -> None:
        message, code = out.get("message") or out.get("error") or "request failed", int(out.get("code", 2))
        if "required revision has been compacted" in message:
            raise CompactedError(int(body.get("revision", 0)), self._compact_rev)
        if "future revision" in message:
            raise ValueError(f"revision {body.get('revision')} is in the future (the store is at {self.revision})")
        if "lease not found" in message:
            raise LeaseNotFoundError(f"lease {body.get('ID') or body.get('lease')} not found ({message})")
        if "duplicate key" in message:
            raise ValueError(f"duplicate key in a transaction ({message})")
        raise EtcdError(message, code)

    # ------------------------------------------------------------ reads

    @property
    def revision(self) -> int:
        r = self._call("/v3/kv/range", {"key": _b64("\0"), "count_only": True})
        return int(r["header"]["revision"])

    @property
    def compact_revision(self) -> int:
        return self._compact_rev

    def range(self, key: str, *, prefix: bool = False, revision: int | None = None,
              limit: int | None = None, range_end: str | None = None) -> RangeResult:
        body: dict[str, Any] = _interval(key, prefix, range_end)
        if revision:
            body["revision"] = str(revision)
        if limit:
            body["limit"] = str(limit)
        r = self._call("/v3/kv/range", body)
        return RangeResult([_kv(k) for k in r.get("kvs", ())], int(r["header"]["revision"]),
                           int(r.get("count", 0)), bool(r.get("more", False)))

    def get(self, key: str) -> KeyValue | None:
        kvs = self.range(key).kvs
        return kvs[0] if kvs else None

    # ------------------------------------------------------------ writes

    def put(self, key: str, value: bytes, *, lease: int = 0) -> int:
        return self.txn((), (Put(key, value, lease),)).revision

    def delete(self, key: str, *, prefix: bool = False) -> int:
        return len(self.txn((), (Delete(key, prefix),)).responses[0])  # type: ignore[arg-type]

    def txn(self, compares: Sequence[Compare], success: Sequence[Op], failure: Sequence[Op] = ()) -> TxnResult:
        body = {"compare": [_compare(c) for c in compares], "success": [_op(o) for o in success],
                "failure": [_op(o) for o in failure]}
        r = self._call("/v3/kv/txn", body)
        ok = bool(r.get("succeeded", False))
        responses: list[object] = []
        for op, resp in zip(success if ok else failure, r.get("responses", ())):
            if isinstance(op, Put):
                prev = (resp.get("response_put") or {}).get("prev_kv")
                responses.append(_kv(prev) if prev else None)
            elif isinstance(op, Delete):
                responses.append([_kv(k) for k in (resp.get("response_delete_range") or {}).get("prev_kvs", ())])
            else:
                rr = resp.get("response_range") or {}
                responses.append(RangeResult([_kv(k) for k in rr.get("kvs", ())], int(r["header"]["revision"]),
                                             int(rr.get("count", 0)), bool(rr.get("more", False))))
        return TxnResult(ok, int(r["header"]["revision"]), responses)

    def compact(self, revision: int) -> None:
        self._call("/v3/kv/compaction", {"revision": str(revision), "physical": True})
        with self._lock:
            self._compact_rev = max(self._compact_rev, revision)

    # ------------------------------------------------------------ watches

    def watch(self, key: str, *, prefix: bool = False, start_revision: int | None = None) -> EtcdWatch:
        if start_revision:
            # etcd would accept the watch and cancel it a moment later; a read
            # at that revision says at once whether it was compacted away
            try:
                self._call("/v3/kv/range", {**_interval(key, prefix), "revision": str(start_revision),
                                            "count_only": True})
            except ValueError:
                pass                                        # a future revision: the watch waits for it
        w = EtcdWatch(self, key, prefix, start_revision)
        with self._lock:
            self._watches = [x for x in self._watches if not x.closed] + [w]
        return w

    def _note_compacted(self, revision: int) -> None:
        with self._lock:
            self._compact_rev = max(self._compact_rev, revision)

    # ------------------------------------------------------------ leases

    def grant(self, ttl: int, lease_id: int = 0) -> int:
        if ttl < 1:
            raise ValueError(f"lease TTL must be at least 1 second, got {ttl!r}")
        body: dict[str, Any] = {"TTL": str(ttl)}
        if lease_id:
            body["ID"] = str(lease_id)
        return int(self._call("/v3/lease/grant", body)["ID"])

    def keepalive(self, lease_id: int) -> int:
        r = self._call("/v3/lease/keepalive", {"ID": str(lease_id)})
        ttl = int((r.get("result") or {}).get("TTL", 0))
        if ttl <= 0:
            raise LeaseNotFoundError(f"lease {lease_id} not found")
        return ttl

    def revoke(self, lease_id: int) -> None:
        self._call("/v3/lease/revoke", {"ID": str(lease_id)})

    def time_to_live(self, lease_id: int) -> LeaseInfo:
        r = self._call("/v3/lease/timetolive", {"ID": str(lease_id), "keys": True})
        remaining = int(r.get("TTL", -1))
        if remaining < 0:
            raise LeaseNotFoundError(f"lease {lease_id} not found")
        keys = tuple(sorted(_unb64(k).decode() for k in r.get("keys", ())))
        return LeaseInfo(lease_id, int(r.get("grantedTTL", 0)), float(remaining), keys)

    def leases(self) -> list[int]:
        """The ids of the live leases."""
        return sorted(int(x["ID"]) for x in self._call("/v3/lease/leases", {}).get("leases", ()))

    def tick(self) -> int:
        """Nothing: etcd's leader expires leases itself."""
        return 0

    def close(self) -> None:
        with self._lock:
            watches, self._watches = self._watches, []
        for w in watches:
            w.close()
        self._closed = True
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            conn.close()
        self._local.conn = None


class EtcdWatch(WatchBase):
    """An etcd watch stream (``/v3/watch`` with ``prev_kv``): a reader thread
    turns each response into a batch of :class:`~kubekit.store.kv.Event`;
    ``revision`` is the newest revision the stream has confirmed (every
    change up to it has been delivered).  Creating it from a compacted
    revision raises :class:`~kubekit.errors.CompactedError`, as does
    reading a stream etcd cancelled for compaction."""

    def __init__(self, kv: EtcdKV, key: str, prefix: bool, start_revision: int | None) -> None:
        self._kv = kv
        self.closed = False
        self._batches: queue.Queue = queue.Queue()
        self._error: Exception | None = None
        req: dict[str, Any] = {**_interval(key, prefix), "prev_kv": True, "progress_notify": True}
        if start_revision:
            req["start_revision"] = str(start_revision)
        self._conn, at = kv._connect("/v3/watch")
        try:
            # Grpc-Metadata-hasleader: clientv3's WithRequireLeader, through the gateway
            self._conn.request("POST", "/v3/watch", json.dumps({"create_request": req}).encode(),
                               {"Content-Type": "application/json", "Grpc-Metadata-hasleader": "true"})
            self._resp = self._conn.getresponse()
            first = self._read()
        except (http.client.HTTPException, OSError, ValueError) as e:
            self._conn.close()
            kv._move_on(at)
            raise EtcdError(f"/v3/watch: the connection to {kv.endpoints[at]} failed ({e!r})", 14) from e
        if first is None:
            self._conn.close()
            kv._move_on(at)
            raise EtcdError("the watch stream ended before it was created", 14)
        result = first.get("result") or {}
        if "error" in first or (result.get("canceled") and not int(result.get("compact_revision", 0))):
            self._conn.close()
            kv._move_on(at)
            why = result.get("cancel_reason") or (first.get("error") or {}).get("message") or "cancelled"
            raise EtcdError(f"/v3/watch on {kv.endpoints[at]}: {why}", 14)
        if result.get("canceled"):
            self._conn.close()
            compact = int(result.get("compact_revision", 0))
            kv._note_compacted(compact)
            raise CompactedError(int(start_revision or 0), compact)
        header_rev = int((result.get("header") or {}).get("revision", 0))
        self.revision = (start_revision - 1) if start_revision else header_rev
        self._thread = threading.Thread(target=self._pump, name="kubekit-etcd-watch", daemon=True)
        self._thread.start()

    def _read(self) -> dict[str, Any] | None:
        line = self._resp.readline()
        while line and not line.strip():
            line = self._resp.readline()
        return json.loads(line) if line else None

    def _pump(self) -> None:
        self._conn.sock.settimeout(None)           # a quiet watch is not an error
        try:
            while not self.closed:
                msg = self._read()
                if msg is None:
                    if not self.closed:
                        self._error = EtcdError("the watch stream ended: its etcd member closed it or went away", 14)
                    break
                result = msg.get("result") or {}
                if "error" in msg or (result.get("canceled") and not int(result.get("compact_revision", 0))):
                    # cancelled for another reason than compaction (e.g. the member lost its leader)
                    why = result.get("cancel_reason") or (msg.get("error") or {}).get("message") or "cancelled"
                    self._error = EtcdError(f"the watch stream ended: {why}", 14)
                    break
                if result.get("canceled"):
                    compact = int(result.get("compact_revision", 0))
                    self._kv._note_compacted(compact)
                    self._error = CompactedError(self.revision + 1, compact)
                    break
                events = [Event(ev.get("type", "PUT"), _kv(ev["kv"]), _kv(ev["prev_kv"]) if ev.get("prev_kv") else None)
                          for ev in result.get("events", ())]
                rev = int((result.get("header") or {}).get("revision", 0))
                self._batches.put((events, max([rev] + [e.kv.mod_revision for e in events])))
        except Exception as e:               # noqa: BLE001 - the stream's end, however it came
            if not self.closed:
                self._error = EtcdError(f"the watch stream broke: {e!r}", 14)
        finally:
            self._batches.put(None)
            self._conn.close()

    def next_batch(self, timeout: float | None = None) -> list[Event]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = self._batches.get(timeout=left) if left is None or left > 0 else self._batches.get_nowait()
            except queue.Empty:
                return []
            if item is None:
                self._batches.put(None)                 # stays ended
                if self._error is not None and not self.closed:
                    raise self._error
                return []
            events, rev = item
            self.revision = max(self.revision, rev)
            if events:
                return events

    def close(self) -> None:
        """End the stream; the reader thread sees it end and closes the connection."""
        if not self.closed:
            self.closed = True
            sock = self._conn.sock
            if sock is not None:
                try:
                    sock.shutdown(2)
                except OSError:
                    pass
            self._thread.join(10)
