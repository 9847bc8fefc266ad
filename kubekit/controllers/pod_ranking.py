"""Which pods a ReplicaSet deletes first when it scales down.

Follows ``ActivePodsWithRanks.Less`` in ``pkg/controller/controller_utils.go``
and ``getPodsToDelete`` / ``getPodsRankedByRelatedPodsOnSameNode`` in
``pkg/controller/replicaset/replica_set.go``.  Rules, first that differs wins:

1. an unassigned pod (no nodeName) before an assigned one;
2. phase Pending < Unknown < Running (any other phase counts as Pending);
3. not ready before ready;
4. lower ``controller.kubernetes.io/pod-deletion-cost`` first (PodDeletionCost gate);
5. higher rank first (more active related pods on the same node);
6. both ready: ready more recently first, a zero ready time first;
7. more container restarts first;
8. created more recently first, a zero creationTimestamp first.

With LogarithmicScaleDown (GA since 1.31, always on in 1.34/1.35) rules 6 and
8 compare ``floor(log2(now - t))`` in nanoseconds and, on a tie, the lower
UID goes first.  When no rule decides, ``Less`` is false both ways; Go's
``sort.Sort`` is not stable, so such ties have no defined order upstream —
here they keep their input order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cmp_to_key

from kubekit.controllers.errors import ControllerInputError
from kubekit.controllers.podutil import (
    Pod, is_pod_active, is_pod_ready, max_container_restarts, pod_creation_time, pod_deletion_cost,
    pod_node_name, pod_phase, pod_ready_time, pod_uid,
)
from kubekit.controllers.timeutil import ZERO_TIME, duration_ns, is_zero, parse_time

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True, slots=True)
class RankingFeatures:
    """Feature gates that change the order.  Defaults are those of v1.34/v1.35."""

    pod_deletion_cost: bool = True
    logarithmic_scale_down: bool = True


DEFAULT_FEATURES = RankingFeatures()


def _go_log2(x: float) -> float:
    """Go's ``math.Log2`` (portable version): exact for powers of two."""
    frac, exp = math.frexp(x)
    if frac == 0.5:
        return float(exp - 1)
    return math.log(frac) * (1 / math.log(2)) + exp


def logarithmic_rank_diff(t1: datetime, t2: datetime, now: datetime) -> int:
    """``logarithmicRankDiff``: bucket of ``now - t1`` minus bucket of ``now - t2``."""
    d1, d2 = duration_ns(now, t1), duration_ns(now, t2)
    r1 = int(_go_log2(float(d1))) if d1 > 0 else -1
    r2 = int(_go_log2(float(d2))) if d2 > 0 else -1
    return r1 - r2


def _after_or_zero(t1: datetime, t2: datetime) -> bool:
    if is_zero(t1) or is_zero(t2):
        return is_zero(t1)
    return t1 > t2


def deletion_less(
    pod_i: Pod, rank_i: int, pod_j: Pod, rank_j: int, now: datetime | None,
    features: RankingFeatures = DEFAULT_FEATURES,
) -> bool:
    """``ActivePodsWithRanks.Less``: True when ``pod_i`` should be deleted before ``pod_j``.

    ``now`` is the reference for logarithmic comparisons; ``None`` (Go's zero
    ``Now``) compares plain timestamps.
    """
    ref = ZERO_TIME if now is None else parse_time(now, "now")
    node_i, node_j = pod_node_name(pod_i), pod_node_name(pod_j)
    if node_i != node_j and (not node_i or not node_j):
        return not node_i
    phase_i = _PHASE_ORDINAL.get(pod_phase(pod_i), 0)
    phase_j = _PHASE_ORDINAL.get(pod_phase(pod_j), 0)
    if phase_i != phase_j:
        return phase_i < phase_j
    ready_i, ready_j = is_pod_ready(pod_i), is_pod_ready(pod_j)
    if ready_i != ready_j:
        return not ready_i
    if features.pod_deletion_cost:
        cost_i, cost_j = pod_deletion_cost(pod_i), pod_deletion_cost(pod_j)
        if cost_i != cost_j:
            return cost_i < cost_j
    if rank_i != rank_j:
        return rank_i > rank_j
    if ready_i and ready_j:
        t1, t2 = pod_ready_time(pod_i), pod_ready_time(pod_j)
        if t1 != t2:
            decided = _compare_times(t1, t2, ref, pod_i, pod_j, features)
            if decided is not None:
                return decided
    restarts_i, restarts_j = max_container_restarts(pod_i), max_container_restarts(pod_j)
    if restarts_i != restarts_j:
        return restarts_i > restarts_j
    c1, c2 = pod_creation_time(pod_i), pod_creation_time(pod_j)
    if c1 != c2:
        decided = _compare_times(c1, c2, ref, pod_i, pod_j, features)
        if decided is not None:
            return decided
    return False


def _compare_times(
    t1: datetime, t2: datetime, now: datetime, pod_i: Pod, pod_j: Pod, features: RankingFeatures,
) -> bool:
    if not features.logarithmic_scale_down or is_zero(now) or is_zero(t1) or is_zero(t2):
        return _after_or_zero(t1, t2)
    diff = logarithmic_rank_diff(t1, t2, now)
    if diff == 0:
        return pod_uid(pod_i) < pod_uid(pod_j)
    return diff < 0


def ranks_by_related_pods_on_same_node(pods: Sequence[Pod], related_pods: Sequence[Pod]) -> list[int]:
    """``getPodsRankedByRelatedPodsOnSameNode``: for each pod, how many active
    related pods share its nodeName (unassigned pods share the node ``""``)."""
    on_node: dict[str, int] = {}
    for pod in related_pods:
        if is_pod_active(pod):
            name = pod_node_name(pod)
            on_node[name] = on_node.get(name, 0) + 1
    return [on_node.get(pod_node_name(pod), 0) for pod in pods]


def _bucket(t: datetime, ref: datetime) -> int:
    d = duration_ns(ref, t)
    return int(_go_log2(float(d))) if d > 0 else -1


def _pod_features(pod: Pod) -> tuple:
    """What the order reads from one pod alone (no rank, no reference time)."""
    ready = is_pod_ready(pod)
    return (pod_node_name(pod), _PHASE_ORDINAL.get(pod_phase(pod), 0), ready, pod_deletion_cost(pod),
            pod_ready_time(pod) if ready else ZERO_TIME, max_container_restarts(pod), pod_creation_time(pod),
            pod_uid(pod))


class FeatureCache:
    """:func:`_pod_features` per pod version (uid and resourceVersion), for a
    controller that ranks the same thousands of pods at every scale-down
    step of a rollout.  An object's version changes with every write, so an
    entry never goes stale; pods without both (plain dicts in tests) are
    computed afresh.  At ``limit`` entries the cache starts over."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._entries: dict[tuple[str, str], tuple] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, pod: Pod) -> tuple:
        m = pod.get("metadata") or {}
        uid, rv = m.get("uid"), m.get("resourceVersion")
        if not uid or not rv:
            return _pod_features(pod)
        key = (uid, rv)
        hit = self._entries.get(key)
        if hit is None:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            hit = self._entries[key] = _pod_features(pod)
        return hit


def _features(pod: Pod, rank: int, ref: datetime, features: RankingFeatures, cache: FeatureCache | None = None,
              buckets: dict | None = None) -> tuple:
    """Everything :func:`deletion_less` reads from one pod, computed once
    (``buckets`` memoizes the log2 bucket of each distinct time)."""
    node, phase, ready, cost, rt, restarts, ct, uid = cache.get(pod) if cache is not None else _pod_features(pod)
    log = features.logarithmic_scale_down and not is_zero(ref)
    memo = {} if buckets is None else buckets
    return (node, phase, ready, cost if features.pod_deletion_cost else 0, rank,
            rt, _memo_bucket(rt, ref, memo) if log else None, restarts,
            ct, _memo_bucket(ct, ref, memo) if log else None, uid)


def _memo_bucket(t: datetime, ref: datetime, memo: dict) -> int | None:
    """:func:`_bucket` of ``t`` (None for the zero time), remembered in ``memo``."""
    if is_zero(t):
        return None
    b = memo.get(t)
    if b is None:
        b = memo[t] = _bucket(t, ref)
    return b


def _times_less(t1: datetime, b1: int | None, t2: datetime, b2: int | None, uid1: str, uid2: str) -> bool:
    """:func:`_compare_times` on precomputed buckets (``None``: compare the times)."""
    if b1 is None or b2 is None:
        return _after_or_zero(t1, t2)
    if b1 == b2:
        return uid1 < uid2
    return b1 < b2


def _less(a: tuple, b: tuple) -> bool:
    """:func:`deletion_less` on :func:`_features` tuples: the same rules, in the same order."""
    node_a, node_b = a[0], b[0]
    if node_a != node_b and (not node_a or not node_b):
        return not node_a
    if a[1] != b[1]:
        return a[1] < b[1]
    if a[2] != b[2]:
        return not a[2]
    if a[3] != b[3]:
        return a[3] < b[3]
    if a[4] != b[4]:
        return a[4] > b[4]
    if a[2] and b[2] and a[5] != b[5]:
        return _times_less(a[5], a[6], b[5], b[6], a[10], b[10])
    if a[7] != b[7]:
        return a[7] > b[7]
    if a[8] != b[8]:
        return _times_less(a[8], a[9], b[8], b[9], a[10], b[10])
    return False


def sort_for_deletion(
    pods: Sequence[Pod], ranks: Sequence[int], now: datetime | None,
    features: RankingFeatures = DEFAULT_FEATURES, cache: FeatureCache | None = None,
) -> list[Pod]:
    """Pods in deletion-preference order (stable for undecided pairs).

    The comparison is :func:`deletion_less`'s, made on features computed once
    per pod (a ReplicaSet scaling down thousands of pods compares each pod
    many times), and kept across calls in ``cache`` if given."""
    if len(pods) != len(ranks):
        raise ControllerInputError(f"ranks: {len(ranks)} ranks for {len(pods)} pods")
    ref = ZERO_TIME if now is None else parse_time(now, "now")
    buckets: dict = {}
    indexed = [(_features(pod, rank, ref, features, cache, buckets), pod) for pod, rank in zip(pods, ranks)]

    def cmp(a: tuple, b: tuple) -> int:
        if _less(a[0], b[0]):
            return -1
        if _less(b[0], a[0]):
            return 1
        return 0

    return [pod for _, pod in sorted(indexed, key=cmp_to_key(cmp))]


def pods_to_delete(
    pods: Sequence[Pod], related_pods: Sequence[Pod], n: int, now: datetime | None,
    features: RankingFeatures = DEFAULT_FEATURES, cache: FeatureCache | None = None,
) -> list[Pod]:
    """``getPodsToDelete``: the ``n`` pods to delete out of ``pods`` (the RS's active pods).

    ``related_pods`` are the active pods of every ReplicaSet with the same
    controlling owner (for a Deployment, all its ReplicaSets), used for the
    rank.  When ``n >= len(pods)`` no ranking happens and the first ``n`` are
    returned as given, like upstream.
    """
    if n < 0:
        raise ControllerInputError(f"n: {n} pods to delete is negative")
    if n < len(pods):
        ranks = ranks_by_related_pods_on_same_node(pods, related_pods)
        return sort_for_deletion(pods, ranks, now, features, cache)[:n]
    return list(pods[:n])
