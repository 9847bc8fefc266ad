"""Zone-aware, rate-limited NoExecute tainting (``pkg/controller/nodelifecycle``:
``handleDisruption``, ``ComputeZoneState``, ``doNoExecuteTaintingPass`` and
``scheduler.RateLimitedTimedQueue``), pure.

A node that stops being Ready is tainted NoSchedule at once, but its
NoExecute taint (which makes the taint manager evict its pods) waits in its
*zone*'s queue, drained by a token bucket:

* **Zones.**  A node's zone key is ``region + ":\\x00:" + zone`` from its
  ``topology.kubernetes.io/region``/``zone`` labels (or the deprecated
  ``failure-domain.beta.kubernetes.io`` ones); no labels: the zone ``""``.
* **Zone state** (:func:`compute_zone_state`): no Ready node (and some not
  Ready) is ``FullDisruption``; more than 2 not Ready and at least
  ``unhealthy-zone-threshold`` (0.55) of the zone is ``PartialDisruption``;
  else ``Normal``.  A zone first seen is ``Initial``.
* **Rates** (:func:`zone_qps`): ``Normal`` and ``FullDisruption`` taint at
  ``node-eviction-rate`` (0.1 nodes/s); ``PartialDisruption`` at
  ``secondary-node-eviction-rate`` (0.01/s) in a zone larger than
  ``large-cluster-size-threshold`` (50 nodes), else not at all.
* **Master disruption** (:func:`disruption_decision`): when every zone is
  in ``FullDisruption`` the controller assumes it is the one cut off: it
  removes every NoExecute taint it set and stops tainting; when some zone
  recovers it gives every node a fresh grace period and resumes.
* **The queue** (:class:`RateLimitedQueue`): a unique queue of node names
  with a token bucket of burst 1 (``flowcontrol.NewTokenBucketRateLimiter``
  over ``golang.org/x/time/rate``): every try takes a token, so nodes leave
  it at most ``qps`` per second.  A name taken out stays *known* until it
  is :meth:`~RateLimitedQueue.remove`\\ d, so it is not queued again.
"""

from __future__ import annotations

import heapq
import itertools
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "FULL_DISRUPTION", "INITIAL", "NORMAL", "PARTIAL_DISRUPTION", "DisruptionDecision", "RateLimitedQueue",
    "TokenBucket", "compute_zone_state", "disruption_decision", "zone_key", "zone_qps",
]

INITIAL, NORMAL, FULL_DISRUPTION, PARTIAL_DISRUPTION = "Initial", "Normal", "FullDisruption", "PartialDisruption"

NODE_EVICTION_RATE = 0.1              # --node-eviction-rate
SECONDARY_NODE_EVICTION_RATE = 0.01   # --secondary-node-eviction-rate
UNHEALTHY_ZONE_THRESHOLD = 0.55       # --unhealthy-zone-threshold
LARGE_CLUSTER_SIZE_THRESHOLD = 50     # --large-cluster-size-threshold
NODE_EVICTION_PERIOD = 0.1            # scheduler.NodeEvictionPeriod: how often the tainting pass runs

_F32 = struct.Struct("f")
_ZONE_LABELS = (("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"),
                ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"))


def zone_key(labels: Mapping[str, str] | None) -> str:
    """``nodetopology.GetZoneKey``."""
    if not labels:
        return ""
    (region_label, old_region), (zone_label, old_zone) = _ZONE_LABELS
    zone = labels[zone_label] if zone_label in labels else labels.get(old_zone, "")
    region = labels[region_label] if region_label in labels else labels.get(old_region, "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def compute_zone_state(ready_statuses: Iterable[str], threshold: float = UNHEALTHY_ZONE_THRESHOLD
                       ) -> tuple[int, str]:
    """``ComputeZoneState``: (not Ready nodes, the zone's state) from its
    nodes' Ready statuses (``True``, ``False``, ``Unknown``)."""
    ready = not_ready = 0
    for s in ready_statuses:
        if s == "True":
            ready += 1
        else:
            not_ready += 1
    if ready == 0 and not_ready > 0:
        return not_ready, FULL_DISRUPTION
    # Go computes the fraction in float32: float32(notReady)/float32(notReady+ready) >= threshold (float32)
    if not_ready > 2 and _f32(_f32(not_ready) / _f32(not_ready + ready)) >= _f32(threshold):
        return not_ready, PARTIAL_DISRUPTION
    return not_ready, NORMAL


def _f32(x: float) -> float:
    return _F32.unpack(_F32.pack(x))[0]


def zone_qps(state: str, zone_size: int, *, eviction_qps: float = NODE_EVICTION_RATE,
             secondary_qps: float = SECONDARY_NODE_EVICTION_RATE,
             large_cluster_threshold: int = LARGE_CLUSTER_SIZE_THRESHOLD) -> float:
    """``setLimiterInZone``: the tainting rate of a zone in ``state``
    (``HealthyQPSFunc`` for full disruption, ``ReducedQPSFunc`` for partial)."""
    if state == PARTIAL_DISRUPTION:
        return secondary_qps if zone_size > large_cluster_threshold else 0.0
    return eviction_qps


class TokenBucket:
    """``golang.org/x/time/rate.Limiter`` as ``TryAccept`` uses it (burst
    tokens, starting full); ``qps <= 0`` never accepts
    (``NewFakeNeverRateLimiter``)."""

    def __init__(self, qps: float, burst: int = 1) -> None:
        self.qps, self.burst = qps, burst
        self._tokens = 0.0
        self._last: float | None = None

    def _advance(self, now: float) -> float:
        if self._last is None:
            return float(self.burst)
        last = min(self._last, now)
        return min(self._tokens + (now - last) * self.qps, float(self.burst))

    def try_accept(self, now: float) -> bool:
        if self.qps <= 0:
            return False
        tokens = self._advance(now) - 1
        if tokens < 0:
            return False               # a refused try changes nothing
        self._tokens, self._last = tokens, now
        return True

    def ready_at(self, now: float) -> float | None:
        """The earliest time a try can succeed (None: never)."""
        if self.qps <= 0:
            return None
        tokens = self._advance(now)
        return now if tokens >= 1 else now + (1 - tokens) / self.qps


@dataclass(order=True)
class _Entry:
    process_at: float
    seq: int
    name: str = field(compare=False)


class RateLimitedQueue:
    """``RateLimitedTimedQueue`` over a ``UniqueQueue`` (see the module docstring)."""

    def __init__(self, qps: float) -> None:
        self.limiter = TokenBucket(qps)
        self._heap: list[_Entry] = []
        self._queued: dict[str, _Entry] = {}
        self._known: set[str] = set()
        self._seq = itertools.count()

    @property
    def qps(self) -> float:
        return self.limiter.qps

    def __len__(self) -> int:
        return len(self._queued)

    def __contains__(self, name: str) -> bool:
        return name in self._queued

    def add(self, name: str, now: float) -> bool:
        """Queue ``name`` unless it is known (queued, or taken out and not
        removed since); whether it was added."""
        if name in self._known:
            return False
        entry = _Entry(now, next(self._seq), name)
        heapq.heappush(self._heap, entry)
        self._queued[name] = entry
        self._known.add(name)
        return True

    def remove(self, name: str) -> bool:
        """Forget ``name`` (it may be added again); whether it was queued."""
        self._known.discard(name)
        return self._queued.pop(name, None) is not None

    def _head(self) -> _Entry | None:
        while self._heap and self._queued.get(self._heap[0].name) is not self._heap[0]:
            heapq.heappop(self._heap)             # removed or replaced since
        return self._heap[0] if self._heap else None

    def try_(self, fn: Callable[[str], tuple[bool, float]], now: float) -> None:
        """``Try``: while a token is available and the head is due, call
        ``fn(name) -> (done, wait)``; done takes it out of the queue (it
        stays known), else it is retried ``wait`` seconds later."""
        head = self._head()
        while head is not None:
            if not self.limiter.try_accept(now):
                break
            if now < head.process_at:
                break
            done, wait = fn(head.name)
            heapq.heappop(self._heap)
            if done:
                del self._queued[head.name]
            else:
                entry = _Entry(now + wait + 1e-9, next(self._seq), head.name)
                heapq.heappush(self._heap, entry)
                self._queued[head.name] = entry
            head = self._head()

    def next_try(self, now: float) -> float | None:
        """When a try could next take a node out (None: empty, or never)."""
        head = self._head()
        if head is None:
            return None
        token = self.limiter.ready_at(now)
        return None if token is None else max(token, head.process_at)

    def swap_limiter(self, qps: float, now: float) -> None:
        """``SwapLimiter``: a new rate; a fresh bucket starts drained if the
        old one had no token left (burst 1)."""
        if qps == self.limiter.qps:
            return
        if qps <= 0:
            self.limiter = TokenBucket(0.0)
            return
        fresh = TokenBucket(qps)
        if not self.limiter.try_accept(now):
            fresh.try_accept(now)
        self.limiter = fresh


@dataclass(frozen=True, slots=True)
class DisruptionDecision:
    """What ``handleDisruption`` does this pass: the zones' new states, the
    zones whose rate changes (zone -> qps), and whether it enters master
    disruption mode (remove every NoExecute taint, stop tainting) or leaves it
    (every node's grace period starts over)."""

    states: dict[str, str]
    rates: dict[str, float]
    enter_master_disruption: bool = False
    exit_master_disruption: bool = False


def disruption_decision(states: Mapping[str, str], zone_statuses: Mapping[str, list[str]], *,
                        threshold: float = UNHEALTHY_ZONE_THRESHOLD, eviction_qps: float = NODE_EVICTION_RATE,
                        secondary_qps: float = SECONDARY_NODE_EVICTION_RATE,
                        large_cluster_threshold: int = LARGE_CLUSTER_SIZE_THRESHOLD) -> DisruptionDecision:
    """``handleDisruption`` given the zones' current states and, per zone
    with nodes, its nodes' Ready statuses this pass."""
    new = {z: compute_zone_state(s, threshold)[1] for z, s in zone_statuses.items()}
    cur = {z: states.get(z, INITIAL) for z in zone_statuses}          # unseen zones start Initial
    all_are_full = all(s == FULL_DISRUPTION for s in new.values())
    all_were_full = all(s == FULL_DISRUPTION for s in cur.values())

    def qps(zone: str, state: str) -> float:
        return zone_qps(state, len(zone_statuses[zone]), eviction_qps=eviction_qps, secondary_qps=secondary_qps,
                        large_cluster_threshold=large_cluster_threshold)
    if all_are_full and all_were_full:
        return DisruptionDecision(cur, {})
    if all_are_full:
        return DisruptionDecision({z: FULL_DISRUPTION for z in cur}, {z: 0.0 for z in cur},
                                  enter_master_disruption=True)
    if all_were_full:
        return DisruptionDecision(dict(new), {z: qps(z, new[z]) for z in cur}, exit_master_disruption=True)
    changed = {z for z in cur if cur[z] != new[z]}
    return DisruptionDecision({z: new[z] if z in changed else cur[z] for z in cur},
                              {z: qps(z, new[z]) for z in sorted(changed)})
