"""Deployment rollout decisions: fenceposts and the rolling/recreate steps.

Sources (kubernetes/kubernetes): ``pkg/controller/deployment/util/deployment_util.go``
(ResolveFenceposts, MaxUnavailable, MaxSurge, MinAvailable, NewRSNewReplicas,
IsSaturated), ``pkg/controller/deployment/rolling.go`` (reconcileNewReplicaSet,
reconcileOldReplicaSets, cleanupUnhealthyReplicas,
scaleDownOldReplicaSetsForRollingUpdate) and ``recreate.go``.

Deployments and ReplicaSets are plain manifest dicts.  Missing fields take
apps/v1 defaults: ``spec.replicas`` 1, ``strategy.type`` RollingUpdate,
``maxSurge``/``maxUnavailable`` 25%.  Decisions never mutate their inputs; the
sizes they choose are returned keyed by ReplicaSet name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubekit.controllers.errors import ControllerInputError
from kubekit.controllers.intorstr import scaled_value
from kubekit.controllers.podutil import Pod, pod_phase
from kubekit.controllers.rs_ordering import (
    ReplicaSet, filter_active, rs_annotations, rs_name, rs_spec_replicas, rs_status_int, rs_uid, sort_by_creation,
)

Deployment = Mapping[str, Any]

ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"


# -- accessors -----------------------------------------------------------------------------------

def deployment_name(d: Deployment) -> str:
    return (d.get("metadata") or {}).get("name") or ""


def deployment_replicas(d: Deployment) -> int:
    value = (d.get("spec") or {}).get("replicas", 1)
    if value is None:
        value = 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ControllerInputError(f"{deployment_name(d)}: spec.replicas: {value!r} is not a non-negative integer")
    return value


def strategy_type(d: Deployment) -> str:
    strategy = (d.get("spec") or {}).get("strategy") or {}
    return strategy.get("type") or ROLLING_UPDATE


def is_rolling_update(d: Deployment) -> bool:
    return strategy_type(d) == ROLLING_UPDATE


def _rolling_params(d: Deployment) -> tuple[int | str, int | str]:
    rolling = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    surge = rolling.get("maxSurge")
    unavailable = rolling.get("maxUnavailable")
    return ("25%" if surge is None else surge), ("25%" if unavailable is None else unavailable)


# -- fenceposts ------------------------------------------------------------------------------------

_FENCEPOSTS: dict[tuple, tuple[int, int]] = {}     # (types and values of the arguments) -> the result
_FENCEPOSTS_MAX = 4096


def resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None, desired: int) -> tuple[int, int]:
    """``ResolveFenceposts``: (surge, unavailable) for ``desired`` replicas.

    ``None`` is 0.  Percentages: surge rounds **up**, unavailable rounds
    **down**.  If both come out 0, unavailable becomes 1.  A bad value raises
    :class:`~kubekit.controllers.errors.IntOrStringError` with apimachinery's
    message (upstream returns ``(0, 0, err)``).  Results are remembered by
    the arguments and their types (a controller resolves the same few at
    every sync); errors are not.
    """
    key = (type(max_surge), max_surge, type(max_unavailable), max_unavailable, type(desired), desired)
    try:
        hit = _FENCEPOSTS.get(key)
    except TypeError:                                  # an unhashable (bad) value: resolve it to get the error
        return _resolve_fenceposts(max_surge, max_unavailable, desired)
    if hit is None:
        if len(_FENCEPOSTS) >= _FENCEPOSTS_MAX:
            _FENCEPOSTS.clear()
        hit = _FENCEPOSTS[key] = _resolve_fenceposts(max_surge, max_unavailable, desired)
    return hit


def _resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None,
                        desired: int) -> tuple[int, int]:
    surge = scaled_value(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(d: Deployment) -> int:
    """``MaxUnavailable``: 0 unless RollingUpdate with replicas > 0; else the
    resolved value capped at spec.replicas."""
    replicas = deployment_replicas(d)
    if not is_rolling_update(d) or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(*_rolling_params(d), replicas)
    return min(unavailable, replicas)


def max_surge(d: Deployment) -> int:
    """``MaxSurge``: the resolved surge, 0 for Recreate."""
    if not is_rolling_update(d):
        return 0
    surge, _ = resolve_fenceposts(*_rolling_params(d), deployment_replicas(d))
    return surge


def min_available(d: Deployment) -> int:
    """``MinAvailable``: replicas - MaxUnavailable, 0 for Recreate."""
    if not is_rolling_update(d):
        return 0
    return deployment_replicas(d) - max_unavailable(d)


# -- new replica set ---------------------------------------------------------------------------------

def replica_count(rss: Sequence[ReplicaSet | None]) -> int:
    """``GetReplicaCountForReplicaSets``: sum of spec.replicas."""
    return sum(rs_spec_replicas(rs) for rs in rss if rs is not None)


def actual_replica_count(rss: Sequence[ReplicaSet | None]) -> int:
    """``GetActualReplicaCountForReplicaSets``: sum of status.replicas."""
    return sum(rs_status_int(rs, "replicas") for rs in rss if rs is not None)


def ready_replica_count(rss: Sequence[ReplicaSet | None]) -> int:
    return sum(rs_status_int(rs, "readyReplicas") for rs in rss if rs is not None)


def available_replica_count(rss: Sequence[ReplicaSet | None]) -> int:
    """``GetAvailableReplicaCountForReplicaSets``: sum of status.availableReplicas."""
    return sum(rs_status_int(rs, "availableReplicas") for rs in rss if rs is not None)


def new_rs_new_replicas(d: Deployment, all_rs: Sequence[ReplicaSet | None], new_rs: ReplicaSet) -> int:
    """``NewRSNewReplicas``: the size the new ReplicaSet should have now.

    RollingUpdate: with ``maxTotal = replicas + surge``, keep the current size
    if ``Σ spec.replicas >= maxTotal``, else grow by
    ``min(maxTotal - Σ, replicas - newRS.spec.replicas)``.  Recreate: replicas.
    (Upstream resolves maxSurge alone here, without the both-zero fencepost.)
    """
    replicas = deployment_replicas(d)
    kind = strategy_type(d)
    if kind == ROLLING_UPDATE:
        surge = scaled_value(_rolling_params(d)[0], replicas, True)
        current = replica_count(all_rs)
        max_total = replicas + surge
        if current >= max_total:
            return rs_spec_replicas(new_rs)
        scale_up = min(max_total - current, replicas - rs_spec_replicas(new_rs))
        return rs_spec_replicas(new_rs) + scale_up
    if kind == RECREATE:
        return replicas
    raise ControllerInputError(f"deployment type {kind} isn't supported")


def nonnegative_int32_annotation(rs: ReplicaSet, key: str) -> tuple[int, bool]:
    """``getNonNegativeInt32FromAnnotation``: (value, valid).

    Valid only for plain decimal digits within 0..MaxInt32 (no sign);
    absent or invalid gives (0, False).  Raises nothing — upstream logs.
    """
    value, valid, _ = _nonnegative_int32(rs_annotations(rs), key)
    return value, valid


def _nonnegative_int32(annotations: Mapping[str, str], key: str) -> tuple[int, bool, str | None]:
    text = annotations.get(key)
    if text is None:
        return 0, False, None
    if not text or not text.isascii() or not text.isdigit():
        return 0, False, f'strconv.ParseUint: parsing "{text}": invalid syntax'
    number = int(text)
    if number > 2**31 - 1:
        return 0, False, f'strconv.ParseUint: parsing "{text}": value out of range'
    return number, True, None


def is_saturated(d: Deployment, rs: ReplicaSet | None) -> bool:
    """``IsSaturated``: the RS owns all desired replicas (spec, desired-replicas
    annotation and availableReplicas all equal spec.replicas)."""
    if rs is None:
        return False
    desired, valid = nonnegative_int32_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
    if not valid:
        return False
    replicas = deployment_replicas(d)
    return (rs_spec_replicas(rs) == replicas and desired == replicas
            and rs_status_int(rs, "availableReplicas") == replicas)


@dataclass(frozen=True, slots=True)
class ScaleDecision:
    """Whether to scale one ReplicaSet, and to what size."""

    scale: bool
    replicas: int


def reconcile_new_replica_set(d: Deployment, all_rs: Sequence[ReplicaSet | None], new_rs: ReplicaSet) -> ScaleDecision:
    """``reconcileNewReplicaSet``: equal → nothing; larger than spec.replicas →
    scale down to it; smaller → :func:`new_rs_new_replicas`."""
    replicas = deployment_replicas(d)
    current = rs_spec_replicas(new_rs)
    if current == replicas:
        return ScaleDecision(False, current)
    if current > replicas:
        return ScaleDecision(True, replicas)
    target = new_rs_new_replicas(d, all_rs, new_rs)
    return ScaleDecision(target != current, target)


# -- old replica sets --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OldReplicaSetsDecision:
    """Outcome of :func:`reconcile_old_replica_sets`.

    ``replicas`` maps each ReplicaSet the decision resizes to its new
    spec.replicas.  ``scaled`` is what upstream returns (it is False when an
    internal error stopped the step, even if earlier resizes were made).
    ``error`` carries that internal error's text.
    """

    scaled: bool
    replicas: dict[str, int] = field(default_factory=dict)
    cleanup_count: int = 0
    scaled_down_count: int = 0
    max_scaled_down: int = 0
    error: str | None = None


def _namespaced(rs: ReplicaSet) -> str:
    return f"{(rs.get('metadata') or {}).get('namespace') or ''}/{rs_name(rs)}"


def _cleanup_unhealthy(
    old_rss: Sequence[ReplicaSet], max_cleanup_count: int,
) -> tuple[dict[str, int], int, str | None]:
    current: dict[str, int] = {}
    total = 0
    for rs in sort_by_creation(old_rss):
        if total >= max_cleanup_count:
            break
        spec = rs_spec_replicas(rs)
        if spec == 0:
            continue
        available = rs_status_int(rs, "availableReplicas")
        if spec == available:
            continue
        count = min(max_cleanup_count - total, spec - available)
        new_count = spec - count
        if new_count > spec:
            return current, total, (
                f"when cleaning up unhealthy replicas, got invalid request to scale down {_namespaced(rs)} "
                f"{spec} -> {new_count}")
        current[rs_name(rs)] = new_count
        total += count
    return current, total, None


def cleanup_unhealthy_replicas(old_rss: Sequence[ReplicaSet], max_cleanup_count: int) -> tuple[dict[str, int], int]:
    """``cleanupUnhealthyReplicas``: shrink old RSs (oldest first) by their
    unavailable replicas (spec - availableReplicas), at most ``max_cleanup_count`` in all.

    Returns (new sizes by name, total scaled down).  Raises
    :class:`ControllerInputError` with upstream's message when an RS reports
    more availableReplicas than spec.replicas (the request would scale *up*).
    """
    sizes, total, error = _cleanup_unhealthy(old_rss, max_cleanup_count)
    if error is not None:
        raise ControllerInputError(error)
    return sizes, total


def scale_down_old_replica_sets_for_rolling_update(
    d: Deployment, all_rs: Sequence[ReplicaSet | None], old_rss: Sequence[ReplicaSet],
    sizes: dict[str, int] | None = None,
) -> tuple[dict[str, int], int]:
    """``scaleDownOldReplicaSetsForRollingUpdate``: remove up to
    ``Σ availableReplicas(all_rs) - minAvailable`` old replicas, oldest RS first.

    Returns (new sizes by name, total scaled down).
    """
    current = dict(sizes or {})
    minimum = deployment_replicas(d) - max_unavailable(d)
    available = available_replica_count(all_rs)
    if available <= minimum:
        return current, 0
    total = 0
    budget = available - minimum
    for rs in sort_by_creation(old_rss):
        if total >= budget:
            break
        spec = current.get(rs_name(rs), rs_spec_replicas(rs))
        if spec == 0:
            continue
        count = min(spec, budget - total)
        current[rs_name(rs)] = spec - count
        total += count
    return current, total


def reconcile_old_replica_sets(
    d: Deployment, all_rs: Sequence[ReplicaSet | None], old_rss: Sequence[ReplicaSet], new_rs: ReplicaSet | None,
) -> OldReplicaSetsDecision:
    """``reconcileOldReplicaSets`` for a RollingUpdate.

    ``old_rss`` are the *active* old ReplicaSets (spec.replicas > 0), as
    ``rolloutRolling`` passes them.  ``maxScaledDown = Σ spec(all) -
    minAvailable - (newRS.spec - newRS.availableReplicas)``; if positive,
    unhealthy old replicas are cleaned up first (within maxScaledDown), then
    old RSs are scaled down within ``Σ available - minAvailable``.
    """
    if replica_count(old_rss) == 0:
        return OldReplicaSetsDecision(False)
    all_pods = replica_count(all_rs)
    minimum = deployment_replicas(d) - max_unavailable(d)
    new_unavailable = 0
    if new_rs is not None:
        new_unavailable = rs_spec_replicas(new_rs) - rs_status_int(new_rs, "availableReplicas")
    max_scaled_down = all_pods - minimum - new_unavailable
    if max_scaled_down <= 0:
        return OldReplicaSetsDecision(False, max_scaled_down=max_scaled_down)
    sizes, cleanup, error = _cleanup_unhealthy(old_rss, max_scaled_down)
    if error is not None:
        # Upstream returns (false, nil); resizes made before the error stand.
        return OldReplicaSetsDecision(False, sizes, cleanup, 0, max_scaled_down, error)
    pool = list(old_rss) + ([new_rs] if new_rs is not None else [])
    sizes, scaled_down = scale_down_old_replica_sets_for_rolling_update(d, pool, old_rss, sizes)
    changed = {name: n for name, n in sizes.items()
               if n != next(rs_spec_replicas(rs) for rs in old_rss if rs_name(rs) == name)}
    return OldReplicaSetsDecision(cleanup + scaled_down > 0, changed, cleanup, scaled_down, max_scaled_down)


# -- one rolling-update sync ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RollingStep:
    """What one ``rolloutRolling`` pass changes: ``phase`` is ``"scale-up-new"``,
    ``"scale-down-old"`` or ``"none"``; ``replicas`` the resized ReplicaSets."""

    phase: str
    replicas: dict[str, int] = field(default_factory=dict)


def rolling_update_step(d: Deployment, new_rs: ReplicaSet, old_rss: Sequence[ReplicaSet]) -> RollingStep:
    """One ``rolloutRolling`` pass once the new RS exists: scale the new RS if
    it can; only if it did not, scale old RSs down."""
    all_rs = list(old_rss) + [new_rs]
    up = reconcile_new_replica_set(d, all_rs, new_rs)
    if up.scale:
        return RollingStep("scale-up-new", {rs_name(new_rs): up.replicas})
    down = reconcile_old_replica_sets(d, all_rs, filter_active(old_rss), new_rs)
    if down.scaled or down.replicas:
        return RollingStep("scale-down-old", dict(down.replicas))
    return RollingStep("none")


# -- recreate ------------------------------------------------------------------------------------------------

def old_pods_running(
    new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet], pods_by_rs_uid: Mapping[str, Sequence[Pod]] | None,
) -> bool:
    """``oldPodsRunning``: any old RS reports status.replicas > 0, or any pod
    not owned by the new RS is in a non-terminal phase (Unknown counts)."""
    if actual_replica_count(old_rss) > 0:
        return True
    new_uid = rs_uid(new_rs) if new_rs is not None else None
    for uid, pods in (pods_by_rs_uid or {}).items():
        if new_rs is not None and uid == new_uid:
            continue
        for pod in pods:
            if pod_phase(pod) in ("Failed", "Succeeded"):
                continue
            return True
    return False


@dataclass(frozen=True, slots=True)
class RecreateStep:
    """What one ``rolloutRecreate`` pass does.  ``phase`` is one of
    ``"scale-down-old"``, ``"wait-for-old-pods"``, ``"create-new-rs"`` (then
    size it to ``new_rs_replicas``), ``"scale-up-new"`` or ``"none"``."""

    phase: str
    replicas: dict[str, int] = field(default_factory=dict)
    new_rs_replicas: int | None = None


def recreate_step(
    d: Deployment, new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet],
    pods_by_rs_uid: Mapping[str, Sequence[Pod]] | None = None,
) -> RecreateStep:
    """``rolloutRecreate``: scale every active old RS to 0; then wait until
    no old pod runs; then create the new RS if needed and scale it to spec.replicas."""
    active_old = filter_active(old_rss)
    if active_old:
        return RecreateStep("scale-down-old", {rs_name(rs): 0 for rs in active_old})
    if old_pods_running(new_rs, old_rss, pods_by_rs_uid):
        return RecreateStep("wait-for-old-pods")
    replicas = deployment_replicas(d)
    if new_rs is None:
        return RecreateStep("create-new-rs", new_rs_replicas=replicas)
    if rs_spec_replicas(new_rs) != replicas:
        return RecreateStep("scale-up-new", {rs_name(new_rs): replicas}, replicas)
    return RecreateStep("none")
