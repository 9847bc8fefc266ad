"""Binary encodings of the store's durable records (private).

A WAL record is one of::

    TXN      b"T" rev:u64 nops:u32 op* nrevoked:u32 lease_id:u64*
             op = b"P" key value lease:u64  |  b"D" key
    GRANT    b"G" lease_id:u64 ttl:u64
    COMPACT  b"C" rev:u64

strings and byte strings are ``len:u32`` then the bytes (keys UTF-8).  A
snapshot is ``rev compact_rev next_segment next_lease (id ttl)* (kv)*``.
Everything is little-endian.  Framing and checksums are :mod:`.wal`'s.
"""

from __future__ import annotations

import struct
from typing import Iterable

from kubekit.errors import WalCorruptError
from kubekit.store.kv import KeyValue

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_GRANT = struct.Struct("<cQQ")
_COMPACT = struct.Struct("<cQ")
_KVHDR = struct.Struct("<QQQQ")  # create, mod, version, lease

TXN, GRANT, COMPACT = b"T", b"G", b"C"

# (kind, key, value, lease): kind "P" (put) or "D" (delete; value b"", lease 0)
Change = tuple[str, str, bytes, int]


def encode_txn(rev: int, changes: Iterable[Change], revoked: Iterable[int] = ()) -> bytes:
    parts = [b"T", _U64.pack(rev)]
    body: list[bytes] = []
    n = 0
    for kind, key, value, lease in changes:
        k = key.encode()
        if kind == "P":
            body += (b"P", _U32.pack(len(k)), k, _U32.pack(len(value)), value, _U64.pack(lease))
        else:
            body += (b"D", _U32.pack(len(k)), k)
        n += 1
    revoked = list(revoked)
    parts.append(_U32.pack(n))
    parts += body
    parts.append(_U32.pack(len(revoked)))
    parts += [_U64.pack(i) for i in revoked]
    return b"".join(parts)


def encode_grant(lease_id: int, ttl: int) -> bytes:
    return _GRANT.pack(GRANT, lease_id, ttl)


def encode_compact(rev: int) -> bytes:
    return _COMPACT.pack(COMPACT, rev)


class _Reader:
    __slots__ = ("buf", "pos", "what")

    def __init__(self, buf: bytes, what: str) -> None:
        self.buf, self.pos, self.what = buf, 0, what

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise WalCorruptError(f"{self.what}: record ends early at byte {self.pos} (needs {n} more)")
        out = self.buf[self.pos:end]
        self.pos = end
        return out

    def u32(self) -> int:
        return _U32.unpack(self.take(4))[0]

    def u64(self) -> int:
        return _U64.unpack(self.take(8))[0]

    def blob(self) -> bytes:
        return self.take(self.u32())


def decode_record(payload: bytes, what: str) -> tuple:
    """``("T", rev, changes, revoked)``, ``("G", id, ttl)`` or ``("C", rev)``."""
    r = _Reader(payload, what)
    tag = r.take(1)
    if tag == TXN:
        rev = r.u64()
        changes: list[Change] = []
        for _ in range(r.u32()):
            kind = r.take(1)
            key = r.blob().decode()
            if kind == b"P":
                value = r.blob()
                changes.append(("P", key, value, r.u64()))
            elif kind == b"D":
                changes.append(("D", key, b"", 0))
            else:
                raise WalCorruptError(f"{what}: unknown operation {kind!r} in a transaction record")
        revoked = [r.u64() for _ in range(r.u32())]
        return ("T", rev, changes, revoked)
    if tag == GRANT:
        return ("G", r.u64(), r.u64())
    if tag == COMPACT:
        return ("C", r.u64())
    raise WalCorruptError(f"{what}: unknown record type {tag!r}")


def encode_snapshot(rev: int, compact_rev: int, next_segment: int, next_lease: int,
                    leases: Iterable[tuple[int, int]], kvs: Iterable[KeyValue]) -> bytes:
    leases = list(leases)
    parts = [_U64.pack(rev), _U64.pack(compact_rev), _U64.pack(next_segment), _U64.pack(next_lease),
             _U32.pack(len(leases))]
    parts += [_U64.pack(i) + _U64.pack(t) for i, t in leases]
    kvs = list(kvs)
    parts.append(_U32.pack(len(kvs)))
    for kv in kvs:
        k = kv.key.encode()
        parts += (_U32.pack(len(k)), k, _U32.pack(len(kv.value)), kv.value,
                  _KVHDR.pack(kv.create_revision, kv.mod_revision, kv.version, kv.lease))
    return b"".join(parts)


def decode_snapshot(payload: bytes, what: str) -> tuple[int, int, int, int, list[tuple[int, int]], list[KeyValue]]:
    r = _Reader(payload, what)
    rev, compact_rev, next_segment, next_lease = r.u64(), r.u64(), r.u64(), r.u64()
    leases = [(r.u64(), r.u64()) for _ in range(r.u32())]
    kvs = []
    for _ in range(r.u32()):
        key = r.blob().decode()
        value = r.blob()
        create, mod, version, lease = _KVHDR.unpack(r.take(_KVHDR.size))
        kvs.append(KeyValue(key, value, create, mod, version, lease))
    return rev, compact_rev, next_segment, next_lease, leases, kvs
