"""Progress of pulls and pushes, blob by blob.

A :class:`Progress` receives, for each blob: ``blob_start`` when bytes
start to move, ``blob_progress(digest, done, total)`` as they do, and
``blob_done`` with what happened (an :data:`OUTCOMES` word).  Calls come
from the worker threads of a pull or push, possibly at the same time.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

__all__ = ["OUTCOMES", "NullProgress", "Progress", "TextProgress", "short_digest"]

OUTCOMES = {
    "downloaded": "downloaded",
    "uploaded": "uploaded",
    "exists": "already there",
    "shared": "downloaded by a concurrent pull",
    "mounted": "mounted from another repository",
}


class Progress(Protocol):
    def blob_start(self, digest: str, total: int, action: str) -> None:
        """``action`` is ``"download"`` or ``"upload"``; ``total`` in bytes."""

    def blob_progress(self, digest: str, done: int, total: int) -> None:
        """``done`` of ``total`` bytes have moved."""

    def blob_done(self, digest: str, total: int, outcome: str) -> None:
        """The blob is where it should be; ``outcome`` is a key of :data:`OUTCOMES`."""


class NullProgress:
    """Reports nothing."""

    def blob_start(self, digest: str, total: int, action: str) -> None:
        pass

    def blob_progress(self, digest: str, done: int, total: int) -> None:
        pass

    def blob_done(self, digest: str, total: int, outcome: str) -> None:
        pass


def short_digest(digest: str) -> str:
    """``sha256:0123456789ab…`` -> ``0123456789ab``, as ``docker pull`` shows."""
    return digest.partition(":")[2][:12] or digest


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


class TextProgress:
    """One line per blob start and end, and a progress line every
    ``interval`` seconds per blob while it moves (for the CLI)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 2.0) -> None:
        self._out = stream or sys.stderr
        self._interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def _say(self, line: str) -> None:
        with self._lock:
            print(line, file=self._out, flush=True)

    def blob_start(self, digest: str, total: int, action: str) -> None:
        self._last[digest] = time.monotonic()
        self._say(f"{short_digest(digest)}: {action}ing {_size(total)}")

    def blob_progress(self, digest: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last.get(digest, 0.0) >= self._interval:
            self._last[digest] = now
            pct = f" ({100 * done // total}%)" if total > 0 else ""
            self._say(f"{short_digest(digest)}: {_size(done)} of {_size(total)}{pct}")

    def blob_done(self, digest: str, total: int, outcome: str) -> None:
        self._last.pop(digest, None)
        self._say(f"{short_digest(digest)}: {OUTCOMES.get(outcome, outcome)} ({_size(total)})")
