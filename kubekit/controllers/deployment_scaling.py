"""Proportional scaling of a Deployment's ReplicaSets (``scale()`` in
``pkg/controller/deployment/sync.go``; ``GetReplicaSetProportion`` /
``getReplicaSetFraction`` / ``FindActiveOrLatest`` in ``deployment/util``).

When spec.replicas changes mid-rollout, the difference is spread over the
active ReplicaSets in proportion to their size, using each RS's
``deployment.kubernetes.io/max-replicas`` annotation (the Deployment's
replicas + maxSurge when the RS was last sized) as the base.  Leftovers go to
the first RS of the sort: the largest, newest first when scaling up, oldest
first when scaling down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from kubekit.controllers.deployment_rules import (
    MAX_REPLICAS_ANNOTATION, Deployment, deployment_replicas, is_rolling_update, is_saturated, max_surge,
    nonnegative_int32_annotation, replica_count,
)
from kubekit.controllers.rs_ordering import (
    ReplicaSet, filter_active, rs_name, rs_spec_replicas, sort_by_creation, sort_by_size_newer,
    sort_by_size_older,
)


def _go_round(x: float) -> int:
    """Go's ``math.Round``: half away from zero (``integer.RoundToInt32``)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def replica_set_fraction(rs: ReplicaSet, d: Deployment) -> int:
    """``getReplicaSetFraction``: how many replicas ``rs`` gains (or loses).

    To 0 replicas: minus its whole size.  Otherwise
    ``round(rs.spec * (replicas + maxSurge) / maxReplicasAnnotation) - rs.spec``;
    a missing/invalid/zero annotation falls back to ``status.replicas`` of the
    Deployment, and to a fraction of 0 if that is 0 as well (v1.31+).
    """
    replicas = deployment_replicas(d)
    if replicas == 0:
        return -rs_spec_replicas(rs)
    deployment_max = replicas + max_surge(d)
    before, valid = nonnegative_int32_annotation(rs, MAX_REPLICAS_ANNOTATION)
    if not valid or before == 0:
        before = int((d.get("status") or {}).get("replicas") or 0)
        if before == 0:
            return 0
    size = float(rs_spec_replicas(rs) * deployment_max) / float(before)
    return _go_round(size) - rs_spec_replicas(rs)


def replica_set_proportion(rs: ReplicaSet | None, d: Deployment, to_add: int, added: int) -> int:
    """``GetReplicaSetProportion``: the fraction, clamped so the running total
    never passes ``to_add``; 0 for an empty RS or when nothing is left."""
    if rs is None or rs_spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replica_set_fraction(rs, d)
    allowed = to_add - added
    if to_add > 0:
        return min(fraction, allowed)
    return max(fraction, allowed)


def find_active_or_latest(new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """``FindActiveOrLatest``: the only active RS; if none is active, the new
    RS or else the newest old one; ``None`` when several are active."""
    if new_rs is None and not old_rss:
        return None
    newest_first = list(reversed(sort_by_creation(old_rss)))
    active = filter_active(newest_first + [new_rs])
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    if len(active) == 1:
        return active[0]
    return None


@dataclass(frozen=True, slots=True)
class ScaleOutcome:
    """Sizes chosen by :func:`scale_decision` for the ReplicaSets it resizes,
    keyed by name (an RS absent from ``replicas`` keeps its size)."""

    replicas: dict[str, int] = field(default_factory=dict)
    reason: str = "none"


def scale_decision(d: Deployment, new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]) -> ScaleOutcome:
    """``DeploymentController.scale``.

    1. One active RS (or none: the newest) → it gets spec.replicas.
    2. New RS saturated → every active old RS goes to 0.
    3. RollingUpdate → spread ``(replicas + maxSurge) - Σ spec`` (``0 - Σ``
       when replicas is 0) proportionally; leftovers to the first RS.
    Recreate with several active RSs → nothing.
    """
    target = find_active_or_latest(new_rs, old_rss)
    replicas = deployment_replicas(d)
    if target is not None:
        if rs_spec_replicas(target) == replicas:
            return ScaleOutcome({}, "single-active-unchanged")
        return ScaleOutcome({rs_name(target): replicas}, "single-active")
    if is_saturated(d, new_rs):
        return ScaleOutcome({rs_name(rs): 0 for rs in filter_active(old_rss)}, "new-saturated")
    if not is_rolling_update(d):
        return ScaleOutcome({}, "none")
    all_rs = filter_active(list(old_rss) + [new_rs])
    total = replica_count(all_rs)
    allowed = replicas + max_surge(d) if replicas > 0 else 0
    to_add = allowed - total
    if to_add > 0:
        all_rs = sort_by_size_newer(all_rs)
    elif to_add < 0:
        all_rs = sort_by_size_older(all_rs)
    added = 0
    sizes: dict[str, int] = {}
    for rs in all_rs:
        if to_add != 0:
            proportion = replica_set_proportion(rs, d, to_add, added)
            sizes[rs_name(rs)] = rs_spec_replicas(rs) + proportion
            added += proportion
        else:
            sizes[rs_name(rs)] = rs_spec_replicas(rs)
    if all_rs and to_add != 0:
        first = rs_name(all_rs[0])
        sizes[first] = max(0, sizes[first] + to_add - added)
    changed = {name: n for name, n in sizes.items()
               if n != next(rs_spec_replicas(rs) for rs in all_rs if rs_name(rs) == name)}
    return ScaleOutcome(changed, "proportional")
