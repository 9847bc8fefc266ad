"""Snapshots: the whole key space at one revision, written atomically.

``snap-00000007.snap`` holds the state after every record of segments 1..6
(``next_segment`` = 7).  It is written to a temporary name, fsync'd, renamed
into place and the directory fsync'd, so a crash leaves either the old or
the new snapshot, never half of one.  The file is ``b"KKSNAP1\\n"`` then one
checksummed frame (the WAL's).
"""

from __future__ import annotations

import logging
import os
import re
import struct
import zlib

from kubekit.store.wal import fsync_dir, frame

__all__ = ["write_snapshot", "read_newest_snapshot", "list_snapshots", "snapshot_name"]

log = logging.getLogger(__name__)

MAGIC = b"KKSNAP1\n"
_HDR = struct.Struct("<II")
_SNAP = re.compile(r"^snap-(\d{8})\.snap$")


def snapshot_name(next_segment: int) -> str:
    return f"snap-{next_segment:08d}.snap"


def list_snapshots(directory: str) -> list[int]:
    return sorted(int(m.group(1)) for n in os.listdir(directory) if (m := _SNAP.match(n)))


def write_snapshot(directory: str, next_segment: int, payload: bytes, *, fsync: bool = True) -> str:
    path = os.path.join(directory, snapshot_name(next_segment))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(frame(payload))
        f.flush()
        if fsync:
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if fsync:
        fsync_dir(directory)
    return path


def read_snapshot(path: str) -> bytes | None:
    """The payload, or ``None`` when the file is not a whole, valid snapshot."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _HDR.size:
        return None
    length, crc = _HDR.unpack_from(data, len(MAGIC))
    payload = data[len(MAGIC) + _HDR.size:]
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None
    return payload


def read_newest_snapshot(directory: str) -> tuple[int, bytes] | None:
    """``(next_segment, payload)`` of the newest valid snapshot, if any."""
    for seq in reversed(list_snapshots(directory)):
        path = os.path.join(directory, snapshot_name(seq))
        payload = read_snapshot(path)
        if payload is not None:
            return seq, payload
        log.warning("%s: not a valid snapshot, trying an older one", path)
    return None
