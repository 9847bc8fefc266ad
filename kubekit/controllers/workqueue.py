"""client-go's work queue, on an injected clock.

Every controller owns one.  Keys (``"namespace/name"``) go in; a worker takes
one, reconciles it, and says :meth:`WorkQueue.done`.  The semantics are
``k8s.io/client-go/util/workqueue``'s:

* **Deduplicated.** A key added while it waits is not added twice; a key
  added while a worker holds it is queued again only after ``done`` (so one
  key is never reconciled by two workers at once, and no change is missed).
* **Delayed.** ``add_after(key, seconds)``; the earliest of several delays wins.
* **Rate limited.** ``add_rate_limited(key)`` waits what the rate limiter says:
  by default client-go's ``DefaultControllerRateLimiter``, the larger of a
  per-key exponential backoff (5 ms doubling to 1,000 s) and an overall token
  bucket (10 per second, burst 100).  ``forget(key)`` after a success resets
  the key's backoff.

Time comes from a :class:`~kubekit.clock.Clock`.  A simulation on a fake
clock drives the queue without threads: :meth:`WorkQueue.try_get` takes a
key that is ready now, and :meth:`WorkQueue.next_ready_in` says how far to
advance the clock for the next delayed one.  Threads can block in
:meth:`WorkQueue.get` (on a real clock).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import deque
from collections.abc import Hashable
from typing import Protocol

__all__ = [
    "BucketRateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "RateLimiter",
    "WorkQueue",
    "default_controller_rate_limiter",
]


class RateLimiter(Protocol):
    def when(self, item: Hashable) -> float:
        """Seconds to wait before ``item`` is processed again (counts a failure)."""

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (it succeeded)."""

    def num_requeues(self, item: Hashable) -> int:
        ...


class ItemExponentialFailureRateLimiter:
    """``base * 2**failures`` seconds, capped at ``max_delay``."""

    def __init__(self, base_delay: float, max_delay: float) -> None:
        self.base, self.max = base_delay, max_delay
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            exp = self._failures.get(item, 0)
            self._failures[item] = exp + 1
        # client-go computes in nanoseconds and caps on overflow; 2**exp past
        # the cap only needs to compare, not to be exact.
        if exp > 1023:
            return self.max
        backoff = self.base * math.pow(2, exp)
        return self.max if backoff > self.max else backoff

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)


class ItemFastSlowRateLimiter:
    """``fast_delay`` for the first ``max_fast_attempts`` failures, then ``slow_delay``."""

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        self.fast, self.slow, self.max_fast = fast_delay, slow_delay, max_fast_attempts
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            self._failures[item] = n = self._failures.get(item, 0) + 1
        return self.fast if n <= self.max_fast else self.slow

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)


class BucketRateLimiter:
    """An overall token bucket (``golang.org/x/time/rate``): ``qps`` tokens a
    second, at most ``burst`` saved; each ``when`` reserves one token and
    returns how long until it is there."""

    def __init__(self, qps: float, burst: int, clock) -> None:
        self.qps, self.burst, self.clock = qps, burst, clock
        self._tokens = float(burst)
        self._last: float | None = None
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            now = self.clock.monotonic()
            if self._last is not None and now > self._last:
                self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
            self._last = now if self._last is None else max(now, self._last)
            self._tokens -= 1.0
            return -self._tokens / self.qps if self._tokens < 0 else 0.0

    def forget(self, item: Hashable) -> None:
        pass

    def num_requeues(self, item: Hashable) -> int:
        return 0


class MaxOfRateLimiter:
    """The longest wait any of ``limiters`` asks for."""

    def __init__(self, *limiters: RateLimiter) -> None:
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        return max(lim.when(item) for lim in self.limiters)

    def forget(self, item: Hashable) -> None:
        for lim in self.limiters:
            lim.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        return max(lim.num_requeues(item) for lim in self.limiters)


def default_controller_rate_limiter(clock) -> MaxOfRateLimiter:
    """client-go's ``DefaultControllerRateLimiter``: exponential 5 ms to
    1,000 s per key, and 10 qps with a burst of 100 overall."""
    return MaxOfRateLimiter(ItemExponentialFailureRateLimiter(0.005, 1000.0), BucketRateLimiter(10.0, 100, clock))


class ShutDown(Exception):
    """The queue was shut down."""


class WorkQueue:
    """A deduplicating, delaying, rate-limited queue of keys."""

    def __init__(self, clock, rate_limiter: RateLimiter | None = None, name: str = "") -> None:
        self.clock = clock
        self.name = name
        self.rate_limiter = rate_limiter if rate_limiter is not None else default_controller_rate_limiter(clock)
        self._queue: deque[Hashable] = deque()
        self._dirty: set[Hashable] = set()
        self._processing: set[Hashable] = set()
        # Delayed keys: a heap of the distinct times they are due, and each
        # time's keys in the order they were added (a controller that syncs
        # its objects every period puts many keys at one time: a push or pop
        # is then a list append, not a heap operation on a (time, seq, key)
        # tuple); a key's entry is live while _waiting_at holds that time
        self._waiting: list[float] = []
        self._due: dict[float, list[Hashable]] = {}
        self._waiting_at: dict[Hashable, float] = {}
        # the lock is taken directly (a C call, not Condition's Python-level
        # ``__enter__``/``__exit__``); ``notify`` only when a getter waits
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._getters = 0
        self._shutting_down = False

    # -- adding ------------------------------------------------------------------
    def add(self, key: Hashable) -> None:
        with self._lock:
            self._add(key)

    def _add(self, key: Hashable) -> None:
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key in self._processing:
            return
        self._queue.append(key)
        self._wake()

    def _wake(self) -> None:
        if self._getters:
            self._cond.notify()

    def add_after(self, key: Hashable, seconds: float) -> None:
        with self._lock:
            if self._shutting_down:
                return
            if seconds <= 0:
                self._add(key)
                return
            at = self.clock.monotonic() + seconds
            if self._waiting_at.get(key, math.inf) <= at:
                return                      # an earlier wake-up is already set
            self._waiting_at[key] = at
            keys = self._due.get(at)
            if keys is None:
                self._due[at] = [key]
                heapq.heappush(self._waiting, at)
            else:
                keys.append(key)
            self._wake()

    def add_rate_limited(self, key: Hashable) -> None:
        self.add_after(key, self.rate_limiter.when(key))

    def forget(self, key: Hashable) -> None:
        self.rate_limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        return self.rate_limiter.num_requeues(key)

    # -- taking ------------------------------------------------------------------
    def _promote(self) -> None:
        """Move the delayed keys whose time has come into the queue."""
        now = self.clock.monotonic()
        while self._waiting and self._waiting[0] <= now:
            at = heapq.heappop(self._waiting)
            for key in self._due.pop(at):
                if self._waiting_at.get(key) == at:
                    del self._waiting_at[key]
                    self._add(key)

    def _take(self) -> Hashable:
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def try_get(self) -> Hashable | None:
        """A key that is ready now (the caller must :meth:`done` it), or None."""
        with self._lock:
            self._promote()
            return self._take() if self._queue else None

    def get(self, timeout: float | None = None) -> Hashable | None:
        """Block until a key is ready (None on timeout, in real seconds).
        Raises :class:`ShutDown` once the queue is shut down and drained."""
        with self._lock:
            while True:
                self._promote()
                if self._queue:
                    return self._take()
                if self._shutting_down:
                    raise ShutDown(self.name)
                wait = self._next_ready_in_locked()
                if timeout is not None:
                    wait = timeout if wait is None else min(wait, timeout)
                self._getters += 1
                try:
                    woken = self._cond.wait(wait)
                finally:
                    self._getters -= 1
                if not woken and timeout is not None and not self._queue:
                    self._promote()
                    if not self._queue:
                        return None

    def done(self, key: Hashable) -> None:
        with self._lock:
            self._processing.discard(key)
            if key in self._dirty:
                self._queue.append(key)
                self._wake()

    # -- state -------------------------------------------------------------------
    def _next_ready_in_locked(self) -> float | None:
        if self._queue:
            return 0.0
        while self._waiting:
            at = self._waiting[0]
            if any(self._waiting_at.get(key) == at for key in self._due[at]):
                break
            heapq.heappop(self._waiting)            # every key of it superseded by an earlier add_after
            del self._due[at]
        if not self._waiting:
            return None
        return max(0.0, self._waiting[0] - self.clock.monotonic())

    def next_ready_in(self) -> float | None:
        """Seconds until a key is ready (0 if one is), None if none is queued or waiting."""
        with self._lock:
            self._promote()
            return self._next_ready_in_locked()

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def waiting(self) -> int:
        """Keys delayed for later."""
        with self._lock:
            return len(self._waiting_at)

    def shutdown(self) -> None:
        with self._lock:
            self._shutting_down = True
            self._cond.notify_all()
