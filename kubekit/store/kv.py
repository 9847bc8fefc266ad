"""The key-value contract: etcd v3's, so that an etcd-backed store can follow.

Keys are strings, values bytes.  One cluster-wide revision grows by one per
write transaction; every key carries ``create_revision`` (the revision that
created it), ``mod_revision`` (the last that changed it) and ``version`` (puts
since creation; a delete resets the key).  A transaction is compares, then the
``success`` or ``failure`` operations, applied atomically under one revision.
A watch yields every change to a key prefix, in revision order, from any
revision still in history.  Leases carry a TTL; the keys attached to a lease
vanish when it expires or is revoked.

:class:`KV` is the protocol; :class:`kubekit.store.memory.MemoryKV` is the
embedded implementation.  ``docs/store.md`` maps each call onto etcd's API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal, NamedTuple, Protocol, Sequence, TypeVar, Union, runtime_checkable

from kubekit._fast._records import new_tuple

__all__ = [
    "KV", "KeyValue", "Event", "Compare", "Put", "Delete", "Get", "Op",
    "RangeResult", "TxnResult", "Watch", "WatchBase", "LeaseInfo", "event_of", "log_entry", "prefix_end",
]


# The records are NamedTuples, not dataclasses: the store makes several per
# write and keeps its history of them, and a tuple of plain values is cheaper
# to build and is left alone by the cyclic garbage collector (which otherwise
# walks the whole history on every full collection).  Ops of different types
# must not be compared with ``==`` (they are tuples); nothing does.


class KeyValue(NamedTuple):
    key: str
    value: bytes
    create_revision: int
    mod_revision: int
    version: int
    lease: int = 0


class Event(NamedTuple):
    """A change to one key.  ``kv`` is the key after a PUT; after a DELETE it
    is the key with an empty value and ``mod_revision`` = the delete's
    revision (etcd's tombstone).  ``prev_kv`` is the key before the change
    (``None`` when a PUT created it)."""

    type: Literal["PUT", "DELETE"]
    kv: KeyValue
    prev_kv: KeyValue | None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


class Compare(NamedTuple):
    """``target`` of ``key`` compared with ``value``: ``Compare(k, "mod", "=", 7)``.

    Targets are etcd's: ``"version"``, ``"create"`` (create_revision),
    ``"mod"`` (mod_revision), ``"value"`` and ``"lease"``; a missing key has
    version, create and mod 0 (so ``Compare(k, "create", "=", 0)`` means "does
    not exist").  Operators: ``=``, ``!=``, ``<``, ``>``."""

    key: str
    target: Literal["version", "create", "mod", "value", "lease"]
    op: Literal["=", "!=", "<", ">"]
    value: int | bytes


class Put(NamedTuple):
    key: str
    value: bytes
    lease: int = 0


class Delete(NamedTuple):
    """Delete ``key``, or every key starting with it when ``prefix``."""

    key: str
    prefix: bool = False


class Get(NamedTuple):
    """A read inside a transaction (its result lands in ``TxnResult.responses``)."""

    key: str
    prefix: bool = False


Op = Union[Put, Delete, Get]


class RangeResult(NamedTuple):
    kvs: list[KeyValue]
    revision: int          # the store's revision the read saw
    count: int             # matching keys before ``limit``
    more: bool = False


class TxnResult(NamedTuple):
    succeeded: bool
    revision: int          # the revision after the transaction
    responses: list[object]
    """One entry per operation run: a :class:`RangeResult` for a Get, the
    previous :class:`KeyValue` (or ``None``) for a Put, the deleted
    :class:`KeyValue` list for a Delete."""


@dataclass(frozen=True, slots=True)
class LeaseInfo:
    id: int
    ttl: int               # granted TTL, seconds
    remaining: float       # seconds left on the store's clock
    keys: tuple[str, ...]


@runtime_checkable
class Watch(Protocol):
    """A stream of events for one prefix.  Iterating blocks for the next
    event; ``next_batch(timeout)`` returns what is ready (``[]`` on timeout);
    ``poll()`` never blocks.  ``revision`` is the last revision this watch
    has examined (events or not): resume from ``revision + 1``."""

    revision: int

    def next_batch(self, timeout: float | None = None) -> list[Event]: ...

    def poll(self) -> list[Event]: ...

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Event]: ...


_W = TypeVar("_W", bound="WatchBase")


class WatchBase:
    """What every watch derives from ``next_batch`` and ``close``: ``poll``,
    blocking iteration and the context manager."""

    def next_batch(self, timeout: float | None = None) -> list:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def poll(self) -> list:
        return self.next_batch(0)

    def __iter__(self) -> Iterator:
        while True:
            batch = self.next_batch(None)
            if not batch:
                return
            yield from batch

    def __enter__(self: _W) -> _W:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@runtime_checkable
class KV(Protocol):
    """etcd v3's KV, Watch and Lease services, in-process."""

    @property
    def revision(self) -> int: ...

    @property
    def compact_revision(self) -> int: ...

    def range(self, key: str, *, prefix: bool = False, revision: int | None = None,
              limit: int | None = None, range_end: str | None = None) -> RangeResult: ...

    def get(self, key: str) -> KeyValue | None: ...

    def put(self, key: str, value: bytes, *, lease: int = 0) -> int: ...

    def delete(self, key: str, *, prefix: bool = False) -> int: ...

    def txn(self, compares: Sequence[Compare], success: Sequence[Op],
            failure: Sequence[Op] = ()) -> TxnResult: ...

    def watch(self, key: str, *, prefix: bool = False, start_revision: int | None = None) -> Watch: ...

    def compact(self, revision: int) -> None: ...

    def grant(self, ttl: int, lease_id: int = 0) -> int: ...

    def keepalive(self, lease_id: int) -> int: ...

    def revoke(self, lease_id: int) -> None: ...

    def time_to_live(self, lease_id: int) -> LeaseInfo: ...

    def tick(self) -> int: ...

    def close(self) -> None: ...


def new_tuple_py(cls: type, items) -> tuple:
    """``tuple.__new__(cls, items)``: the plain-Python twin of
    :func:`kubekit._fast._records.new_tuple`, the C call the store builds its
    NamedTuples with (a NamedTuple's Python-level ``__new__`` costs more than
    the rest of a read)."""
    return tuple.__new__(cls, items)


# A store's log entry: a plain tuple ``(type, record, previous record or
# None)``, each record a plain tuple of KeyValue's fields.  The collector
# stops tracking a tuple of plain values (NamedTuples stay tracked), so a
# history of tens of thousands of entries costs full collections nothing;
# readers get an Event built per entry.
def log_entry(ev: Event) -> tuple:
    """``ev`` as a plain-tuple log entry."""
    prev = ev.prev_kv
    return (ev.type, tuple(ev.kv), None if prev is None else tuple(prev))


def event_of(entry: tuple) -> Event:
    """The :class:`Event` of a log entry (no copy of its fields)."""
    prev = entry[2]
    return new_tuple(Event, (entry[0], new_tuple(KeyValue, entry[1]),
                              None if prev is None else new_tuple(KeyValue, prev)))


def prefix_end(prefix: str) -> str:
    """etcd's ``range_end`` for a prefix: the prefix with its last character
    incremented (``"/a/"`` -> ``"/a0"``)."""
    for i in range(len(prefix) - 1, -1, -1):
        c = ord(prefix[i])
        if c < 0x10FFFF:
            return prefix[:i] + chr(c + 1)
    return "\0"  # every key: etcd's range_end of "\0"
