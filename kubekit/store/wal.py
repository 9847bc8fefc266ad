"""The write-ahead log: numbered segment files of checksummed records.

A frame is ``length:u32 crc32:u32 payload`` (little-endian; the CRC covers
the payload).  Segments are ``wal-00000001.log``, ``wal-00000002.log``...; a
new one starts at each snapshot, so the snapshot that names segment *n* as its
successor makes every older segment obsolete.

Durability: :meth:`Wal.append` writes a frame (``write(2)``, no fsync) and
returns its sequence number; :meth:`Wal.sync` returns once that sequence is on
disk.  Concurrent callers share fsyncs (group commit): the first to arrive
flushes everything written so far while the others wait for it.

Reading: :func:`read_segment` returns the valid records and where they end.
A damaged frame at the end of the newest segment is a write that was in
flight at a crash (never acknowledged) and is cut off; damage followed by
more data, or in an older segment, is :class:`WalCorruptError`.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import threading
import zlib

from kubekit.errors import StoreError, WalCorruptError

__all__ = ["Wal", "frame", "read_segment", "segment_name", "list_segments", "fsync_dir"]

log = logging.getLogger(__name__)

_HDR = struct.Struct("<II")
_SEGMENT = re.compile(r"^wal-(\d{8})\.log$")
MAX_RECORD = 1 << 30


def segment_name(seq: int) -> str:
    return f"wal-{seq:08d}.log"


def list_segments(directory: str) -> list[int]:
    return sorted(int(m.group(1)) for n in os.listdir(directory) if (m := _SEGMENT.match(n)))


def frame(payload: bytes) -> bytes:
    return _HDR.pack(len(payload), zlib.crc32(payload)) + payload


def fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_segment(path: str, *, last: bool) -> tuple[list[bytes], int]:
    """The payloads of ``path``'s valid frames and the byte offset where they
    end.  ``last``: this is the newest segment, whose damaged tail is a torn
    write to discard rather than corruption."""
    with open(path, "rb") as f:
        data = f.read()
    out: list[bytes] = []
    pos, size = 0, len(data)
    while pos < size:
        why, frame_end = _check_frame(data, pos)
        if why is None:
            out.append(data[pos + _HDR.size:frame_end])
            pos = frame_end
            continue
        # A torn write: the damaged frame is the last thing in the file (or
        # only zeros follow it, as after a crash on a file system that grew
        # the file before writing the data).
        torn = last and (frame_end >= size or not data[frame_end:].strip(b"\0"))
        if not torn:
            raise WalCorruptError(f"{path}: {why} at byte {pos} of {size}, with data after it")
        log.warning("%s: discarding a torn last write at byte %d (%s, %d bytes)", path, pos, why, size - pos)
        return out, pos
    return out, pos


def _check_frame(data: bytes, pos: int) -> tuple[str | None, int]:
    """Why the frame at ``pos`` is invalid (``None`` if it is valid) and where
    it ends (the end of the data when its length cannot be trusted)."""
    size = len(data)
    if size - pos < _HDR.size:
        return "a partial frame header", size
    length, crc = _HDR.unpack_from(data, pos)
    end = pos + _HDR.size + length
    if length == 0:
        return "an empty frame", size if not data[pos:].strip(b"\0") else end
    if length > MAX_RECORD or end > size:
        return f"a frame of {length} bytes running past the end of the file", size
    if zlib.crc32(data[pos + _HDR.size:end]) != crc:
        return "a checksum mismatch", end
    return None, end


class Wal:
    """The open, newest segment of a WAL directory plus group commit."""

    def __init__(self, directory: str, segment: int, *, fsync: bool = True, truncate_at: int | None = None) -> None:
        self.directory = directory
        self.fsync = fsync
        self._cv = threading.Condition(threading.Lock())
        self._written = 0      # sequence numbers of appended frames
        self._synced = 0
        self._syncing = False
        self._error: BaseException | None = None   # a failed write or fsync: the log is unusable
        self.segment = segment
        self.segment_bytes = 0
        self._fd = self._open(segment, truncate_at)

    def _open(self, segment: int, truncate_at: int | None) -> int:
        path = os.path.join(self.directory, segment_name(segment))
        existed = os.path.exists(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        if truncate_at is not None and os.fstat(fd).st_size != truncate_at:
            os.ftruncate(fd, truncate_at)
            os.fsync(fd)
        self.segment_bytes = os.fstat(fd).st_size
        if not existed:
            fsync_dir(self.directory)
        return fd

    def append(self, payload: bytes) -> int:
        """Write one record; its sequence number is what :meth:`sync` takes."""
        data = frame(payload)
        with self._cv:
            self._check()
            view = memoryview(data)
            try:
                while view:
                    n = os.write(self._fd, view)
                    view = view[n:]
            except OSError as e:
                self._error = e
                raise StoreError(f"{self._path()}: write failed: {e}; the store must be reopened") from e
            self.segment_bytes += len(data)
            self._written += 1
            return self._written

    def sync(self, seq: int | None = None) -> None:
        """Return once record ``seq`` (default: everything written) is durable."""
        with self._cv:
            if seq is None:
                seq = self._written
            if not self.fsync:
                self._synced = max(self._synced, seq)
                return
            while self._synced < seq:
                self._check()
                if self._syncing:
                    self._cv.wait()
                    continue
                self._syncing = True
                target, fd = self._written, self._fd
                self._cv.release()
                try:
                    os.fdatasync(fd)
                except OSError as e:
                    # After a failed fsync the kernel may have dropped the dirty
                    # pages: retrying could report success for lost data.
                    self._error = e
                    raise StoreError(f"{self._path()}: fsync failed: {e}; the store must be reopened") from e
                finally:
                    self._cv.acquire()
                    self._syncing = False
                    self._cv.notify_all()
                self._synced = max(self._synced, target)

    def _path(self) -> str:
        return os.path.join(self.directory, segment_name(self.segment))

    def _check(self) -> None:
        if self._error is not None:
            raise StoreError(f"{self._path()}: an earlier write or fsync failed ({self._error}); "
                             "the store must be reopened")

    def roll(self) -> int:
        """Make everything written durable, then start the next segment.
        Returns the new segment's number.  The caller holds the store's lock
        so nothing is appended meanwhile."""
        with self._cv:
            while self._syncing:
                self._cv.wait()
            self._check()
            if self.fsync:
                os.fdatasync(self._fd)
            self._synced = self._written
            os.close(self._fd)
            self.segment += 1
            self._fd = self._open(self.segment, None)
            return self.segment

    def close(self) -> None:
        with self._cv:
            while self._syncing:
                self._cv.wait()
            if self._fd >= 0:
                if self.fsync:
                    os.fdatasync(self._fd)
                os.close(self._fd)
                self._fd = -1
