"""A tiny progress bar: one line on stderr, redrawn at most every 0.2 s, and
only when stderr is a terminal (logs and pipes stay clean)."""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


class Progress:
    """``Progress(total, "FGD")``; ``update(n)``; ``close()``.  Disabled
    (a no-op) unless ``enabled`` is true or, by default, ``stream`` is a
    TTY.  ``clock`` is injectable for tests."""

    def __init__(self, total: int, label: str = "", *, stream: TextIO | None = None, enabled: bool | None = None,
                 width: int = 28, interval: float = 0.2, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.total = max(int(total), 0)
        self.label = label
        self.width = width
        self.interval = interval
        self.clock = clock
        self.count = 0
        self.start = clock()
        self._last = -1e18
        self._drawn = False

    def update(self, n: int = 1) -> None:
        self.count += n
        if self.enabled:
            now = self.clock()
            if now - self._last >= self.interval or self.count >= self.total:
                self._last = now
                self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The text of the bar (what is drawn)."""
        now = self.clock() if now is None else now
        frac = min(self.count / self.total, 1.0) if self.total else 1.0
        filled = int(frac * self.width)
        rate = self.count / max(now - self.start, 1e-9)
        return (f"{self.label:<12} [{'#' * filled}{'.' * (self.width - filled)}] {100 * frac:5.1f}% "
                f"{self.count}/{self.total} {rate:,.0f}/s")

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.line(now))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
