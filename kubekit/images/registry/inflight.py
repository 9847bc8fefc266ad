"""Deduplicating concurrent work on the same key (Go's ``singleflight``).

Two threads pulling images that share a layer into the same :class:`OciDir`
must not download it twice: the first call for a key runs, later calls for
the same key wait for it and get its result (or its exception).  Only calls
that overlap in time are merged; a key is forgotten as soon as its call ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["InFlight"]

T = TypeVar("T")


class _Call(Generic[T]):
    __slots__ = ("done", "error", "result", "waiters")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.waiters = 0
        self.result: T | None = None
        self.error: BaseException | None = None


class InFlight(Generic[T]):
    """``run(key, fn)`` -> ``(fn's result, shared)``: ``shared`` is True when
    another thread's call for ``key`` did the work."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[Hashable, _Call[T]] = {}

    def run(self, key: Hashable, fn: Callable[[], T]) -> tuple[T, bool]:
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if call is None:
                call = self._calls[key] = _Call()
            else:
                call.waiters += 1
        if not leader:
            call.done.wait()
            if call.error is not None:
                raise call.error
            return call.result, True  # type: ignore[return-value]
        try:
            call.result = fn()
            return call.result, False
        except BaseException as e:
            call.error = e
            raise
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()

    def waiters(self, key: Hashable) -> int:
        """How many calls are waiting for the running call for ``key`` (0
        when none runs): for tests and diagnostics."""
        with self._lock:
            call = self._calls.get(key)
            return call.waiters if call is not None else 0
