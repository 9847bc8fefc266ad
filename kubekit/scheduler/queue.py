"""kube-scheduler's scheduling queue, on an injected clock.

Three places a pending pod can wait (``pkg/scheduler/backend/queue/scheduling_queue.go``):

* **activeQ**: ready to be tried, highest priority first, then the pod that
  has waited longest (the default ``PrioritySort`` QueueSort plugin);
* **backoffQ**: failed recently; it waits ``podInitialBackoffSeconds`` (1 s)
  doubled per attempt, at most ``podMaxBackoffSeconds`` (10 s);
* **unschedulablePods**: no node fits; it waits for a cluster event that could
  change that (a node added or changed, a pod deleted ...), or at most
  ``podMaxInUnschedulablePodsDuration`` (5 min).

A pod found unschedulable while such an event happened during its own
scheduling cycle goes to backoffQ instead (the ``moveRequestCycle`` rule), so
the event is not missed.  Time comes from a :class:`~kubekit.clock.Clock`;
nothing sleeps: :meth:`SchedulingQueue.pop` returns None when no pod is ready
and :meth:`SchedulingQueue.next_ready_in` says how long until one is.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["QueuedPod", "SchedulingQueue", "backoff_duration"]

DEFAULT_INITIAL_BACKOFF = 1.0
DEFAULT_MAX_BACKOFF = 10.0
DEFAULT_MAX_IN_UNSCHEDULABLE = 300.0


def backoff_duration(attempts: int, initial: float = DEFAULT_INITIAL_BACKOFF,
                     maximum: float = DEFAULT_MAX_BACKOFF) -> float:
    """``calculateBackoffDuration``: ``initial`` doubled for every attempt
    after the first, capped at ``maximum``."""
    duration = initial
    for _ in range(1, attempts):
        if duration > maximum - duration:
            return maximum
        duration += duration
    return min(duration, maximum)


@dataclass(slots=True)
class QueuedPod:
    """A pending pod as the queue tracks it (``QueuedPodInfo``)."""

    key: Hashable
    pod: Any
    priority: int = 0
    timestamp: float = 0.0              # when it entered the queue (the sort's tie-break)
    initial_attempt: float | None = None
    attempts: int = 0
    unschedulable_plugins: frozenset[str] = field(default_factory=frozenset)
    backoff_until: float = 0.0
    unschedulable_since: float = 0.0


_TICK = 1e-6     # the least wait past a strict deadline


class SchedulingQueue:
    """activeQ, backoffQ and unschedulablePods, keyed by pod key."""

    def __init__(self, clock, initial_backoff: float = DEFAULT_INITIAL_BACKOFF,
                 max_backoff: float = DEFAULT_MAX_BACKOFF,
                 max_in_unschedulable: float = DEFAULT_MAX_IN_UNSCHEDULABLE) -> None:
        self.clock = clock
        self.initial_backoff, self.max_backoff = initial_backoff, max_backoff
        self.max_in_unschedulable = max_in_unschedulable
        self._active: list[tuple[int, float, int, Hashable]] = []      # (-priority, timestamp, seq, key)
        self._backoff: list[tuple[float, int, Hashable]] = []          # (backoff until, seq, key)
        self._where: dict[Hashable, str] = {}                          # key -> "active" | "backoff" | "unschedulable" | "inflight"
        self._info: dict[Hashable, QueuedPod] = {}
        self._unschedulable: dict[Hashable, QueuedPod] = {}
        self._seq = itertools.count()
        self.scheduling_cycle = 0
        self.move_request_cycle = -1

    # -- entry ---------------------------------------------------------------------
    def add(self, key: Hashable, pod: Any, priority: int = 0) -> None:
        """A new pending pod (or one whose update may make it schedulable):
        straight to activeQ."""
        now = self.clock.monotonic()
        info = self._info.get(key)
        if info is None:
            info = QueuedPod(key, pod, priority, timestamp=now)
            self._info[key] = info
        else:
            info.pod, info.priority = pod, priority
        where = self._where.get(key)
        if where == "inflight":
            return                           # the scheduler has it; its result decides
        if where == "unschedulable":
            del self._unschedulable[key]
        if where != "active":
            self._push_active(info)

    def update(self, key: Hashable, pod: Any, priority: int = 0, changed: bool = True) -> None:
        """The pod changed (``Update``): an unschedulable pod is retried (in
        backoffQ if it is still backing off) if ``changed`` says more than its
        status moved (``isPodUpdated``); otherwise only the object is swapped."""
        info = self._info.get(key)
        if info is None:
            self.add(key, pod, priority)
            return
        info.pod, info.priority = pod, priority
        if changed and self._where.get(key) == "unschedulable":
            del self._unschedulable[key]
            self._requeue(info)

    def delete(self, key: Hashable) -> None:
        """The pod was deleted or bound by someone else: forget it."""
        self._where.pop(key, None)
        self._info.pop(key, None)
        self._unschedulable.pop(key, None)  # heap entries are dropped lazily

    def _push_active(self, info: QueuedPod) -> None:
        self._where[info.key] = "active"
        heapq.heappush(self._active, (-info.priority, info.timestamp, next(self._seq), info.key))

    def _push_backoff(self, info: QueuedPod) -> None:
        self._where[info.key] = "backoff"
        heapq.heappush(self._backoff, (info.backoff_until, next(self._seq), info.key))

    def _requeue(self, info: QueuedPod) -> None:
        if info.backoff_until > self.clock.monotonic():
            self._push_backoff(info)
        else:
            self._push_active(info)

    # -- the scheduler's side --------------------------------------------------------
    def pop(self) -> QueuedPod | None:
        """The next pod to schedule, or None if none is ready.  It is
        in flight until :meth:`done`, :meth:`add_unschedulable` or :meth:`add_backoff`."""
        self.flush()
        while self._active:
            _, _, _, key = heapq.heappop(self._active)
            if self._where.get(key) != "active":
                continue                     # stale entry (deleted or moved)
            info = self._info[key]
            self._where[key] = "inflight"
            info.attempts += 1
            if info.initial_attempt is None:
                info.initial_attempt = self.clock.monotonic()
            self.scheduling_cycle += 1
            return info
        return None

    def done(self, key: Hashable) -> None:
        """The pod was bound: it leaves the queue."""
        self.delete(key)

    def add_unschedulable(self, info: QueuedPod, plugins: Iterable[str] = (), cycle: int | None = None) -> None:
        """No node fits ``info`` (tried in scheduling ``cycle``, default the
        latest).  If a move request came during that cycle, it backs off
        instead of waiting for another event."""
        if info.key not in self._info:
            return                           # deleted meanwhile
        now = self.clock.monotonic()
        info.timestamp = now                 # re-added: it sorts after pods that waited meanwhile
        info.unschedulable_plugins = frozenset(plugins)
        info.backoff_until = now + backoff_duration(info.attempts, self.initial_backoff, self.max_backoff)
        cycle = self.scheduling_cycle if cycle is None else cycle
        if self.move_request_cycle >= cycle:
            self._push_backoff(info)
        else:
            info.unschedulable_since = now
            self._where[info.key] = "unschedulable"
            self._unschedulable[info.key] = info

    def add_backoff(self, info: QueuedPod) -> None:
        """Scheduling failed with an error (not "no node fits"): retry after backoff."""
        if info.key not in self._info:
            return
        info.timestamp = self.clock.monotonic()
        info.backoff_until = info.timestamp + backoff_duration(info.attempts, self.initial_backoff,
                                                                       self.max_backoff)
        self._push_backoff(info)

    # -- cluster events --------------------------------------------------------------
    def move_all_to_active_or_backoff(self, event: str = "") -> int:
        """A cluster event that may make unschedulable pods fit (a node added
        or updated, an assigned pod deleted): every unschedulable pod goes to
        activeQ, or backoffQ if still backing off.  Returns how many moved."""
        moved = list(self._unschedulable.values())
        self._unschedulable.clear()
        for info in moved:
            self._requeue(info)
        self.move_request_cycle = self.scheduling_cycle
        return len(moved)

    def flush(self) -> None:
        """Backoff completed -> activeQ; unschedulable for longer than the
        maximum -> activeQ or backoffQ (kube-scheduler runs these every 1 s
        and 30 s; here they run whenever the queue is read)."""
        now = self.clock.monotonic()
        while self._backoff and self._backoff[0][0] <= now:
            _, _, key = heapq.heappop(self._backoff)
            if self._where.get(key) == "backoff":
                self._push_active(self._info[key])
        stale = [i for i in self._unschedulable.values() if now - i.unschedulable_since > self.max_in_unschedulable]
        for info in stale:
            del self._unschedulable[info.key]
            self._requeue(info)

    # -- state -----------------------------------------------------------------------
    def next_ready_in(self) -> float | None:
        """Seconds until a pod is ready to pop (0 if one is), None if none will
        be without an event (only unschedulable pods wait, up to their maximum)."""
        self.flush()
        if any(self._where.get(k) == "active" for _, _, _, k in self._active):
            return 0.0
        now = self.clock.monotonic()
        waits = [max(0.0, t - now) for t, _, k in self._backoff if self._where.get(k) == "backoff"]
        # an unschedulable pod leaves only once *more* than the maximum has passed
        # (upstream's strict ">"): at exactly the maximum it is not ready yet
        waits += [max(_TICK, i.unschedulable_since + self.max_in_unschedulable - now)
                  for i in self._unschedulable.values()]
        return min(waits) if waits else None

    def counts(self) -> dict[str, int]:
        """How many pods wait where (``active``, ``backoff``, ``unschedulable``, ``inflight``)."""
        out = {"active": 0, "backoff": 0, "unschedulable": 0, "inflight": 0}
        for where in self._where.values():
            out[where] += 1
        return out

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._where
