"""Injected time.

Anything with a window, a backoff, a heartbeat or a lease reads a :class:`Clock`
it was given.  Production code gets :class:`RealClock`; tests and simulations
get :class:`FakeClock` and move time forward themselves::

    clock = FakeClock(start=1_700_000_000.0)
    t = clock.after(5.0)          # a timer, released when time reaches +5 s
    clock.advance(4.9); assert not t.fired
    clock.advance(0.1); assert t.fired

``now()`` is wall time (seconds since the epoch, what timestamps are made of);
``monotonic()`` only ever grows (what deadlines are measured on).  A fake clock
moves both together.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "RealClock", "Timer"]


class Timer:
    """A one-shot timer: ``fired`` turns true once its clock reaches ``deadline``
    (on the clock's monotonic scale).  ``wait()`` blocks until then; with a
    fake clock that means until another thread advances the clock."""

    __slots__ = ("deadline", "_event", "_cancel")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self._event = threading.Event()
        self._cancel: object = None

    @property
    def fired(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the timer fires (``timeout`` is in real seconds, a guard
        against a test that forgets to advance its fake clock)."""
        return self._event.wait(timeout)

    def cancel(self) -> None:
        cancel = self._cancel
        if cancel is not None:
            cancel.cancel()  # type: ignore[attr-defined]

    def _fire(self) -> None:
        self._event.set()


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Wall time in seconds since the epoch."""

    def monotonic(self) -> float:
        """Seconds on a scale that never goes back."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock advances itself instead)."""

    def after(self, seconds: float) -> Timer:
        """A timer that fires ``seconds`` from now."""


class RealClock:
    """The system's clocks."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def after(self, seconds: float) -> Timer:
        timer = Timer(time.monotonic() + seconds)
        if seconds <= 0:
            timer._fire()
            return timer
        t = threading.Timer(seconds, timer._fire)
        t.daemon = True
        timer._cancel = t
        t.start()
        return timer


class FakeClock:
    """A clock that moves only when told to.  Thread-safe.

    ``advance(s)`` moves wall and monotonic time by ``s`` and fires, in deadline
    order, every timer that is due; ``sleep(s)`` advances the clock itself (as
    Kubernetes' ``testing.FakeClock.Sleep`` does), so code under test that sleeps
    never blocks.  ``step`` is an alias of ``advance``.
    """

    def __init__(self, start: float = 1_700_000_000.0, monotonic_start: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self._wall = float(start)
        self._mono = float(monotonic_start)
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()

    # Reads take no lock: reading one attribute is atomic, and two separate
    # reads were never consistent with each other anyway (the lock is
    # released between them).  Every store write reads the clock.
    def now(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)

    def after(self, seconds: float) -> Timer:
        with self._lock:
            timer = Timer(self._mono + seconds)
            if seconds <= 0:
                timer._fire()
            else:
                heapq.heappush(self._timers, (timer.deadline, next(self._seq), timer))
            return timer

    @property
    def pending_timers(self) -> int:
        """How many timers have not fired yet (cancelled ones included)."""
        with self._lock:
            return len(self._timers)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards: advance({seconds!r})")
        with self._lock:
            self._wall += seconds
            self._mono += seconds
            due = []
            while self._timers and self._timers[0][0] <= self._mono:
                due.append(heapq.heappop(self._timers)[2])
        for timer in due:
            timer._fire()

    step = advance

    def set_wall(self, wall: float) -> None:
        """Jump wall time (as an NTP step would); monotonic time is untouched."""
        with self._lock:
            self._wall = float(wall)
