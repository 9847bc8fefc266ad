"""A profile resolved into what the kernels need: which built-in filters run,
the score weights, and NodeResourcesFit / BalancedAllocation arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubekit._fast import _sched

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.scheduler.config import Profile

# Built-in filter plugin -> kernel status id, in kube-scheduler's default order.
BUILTIN_FILTERS = {
    "NodeUnschedulable": _sched.STATUS_UNSCHEDULABLE,
    "NodeName": _sched.STATUS_NODE_NAME,
    "TaintToleration": _sched.STATUS_TAINT,
    "NodeAffinity": _sched.STATUS_AFFINITY,
    "NodeResourcesFit": _sched.STATUS_FIT,
}
BUILTIN_SCORES = ("NodeResourcesFit", "NodeResourcesBalancedAllocation", "TaintToleration", "NodeAffinity")
STRATEGIES = {"LeastAllocated": 0, "MostAllocated": 1, "RequestedToCapacityRatio": 2}


@dataclass(frozen=True, slots=True)
class Plan:
    filters: int
    w_fit: int
    w_ba: int
    w_taint: int
    w_aff: int
    strategy: str
    fit_resources: tuple[tuple[str, int], ...]
    shape: tuple[tuple[int, int], ...]          # scores already ×10 (0..100)
    ba_resources: tuple[str, ...]
    ignored: frozenset[str]
    ignored_groups: frozenset[str]
    added_required: tuple = ()                  # NodeAffinityArgs.addedAffinity required terms (ORed)
    added_preferred: tuple = ()                 # NodeAffinityArgs.addedAffinity preferred terms

    @classmethod
    def from_profile(cls, profile: "Profile") -> "Plan":
        filters = 0
        for name in profile.filter:
            if name in BUILTIN_FILTERS:
                filters |= 1 << BUILTIN_FILTERS[name]
        weights = dict(profile.score)
        st = profile.fit_args.scoring_strategy
        added = added_affinity(profile)
        return cls(
            filters=filters,
            w_fit=weights.get("NodeResourcesFit", 0),
            w_ba=weights.get("NodeResourcesBalancedAllocation", 0),
            w_taint=weights.get("TaintToleration", 0),
            w_aff=weights.get("NodeAffinity", 0),
            strategy=st.type,
            fit_resources=tuple((r.name, r.weight) for r in st.resources),
            shape=tuple((p.utilization, p.score * 10) for p in st.shape),
            ba_resources=tuple(r.name for r in profile.balanced_args.resources),
            ignored=frozenset(profile.fit_args.ignored_resources),
            ignored_groups=frozenset(profile.fit_args.ignored_resource_groups),
            added_required=added.required or () if added else (),
            added_preferred=added.preferred if added else (),
        )


def added_affinity(profile: "Profile"):
    """NodeAffinityArgs.addedAffinity of the profile, parsed (or None)."""
    from kubekit.api.affinity import parse_node_affinity

    raw = (profile.plugin_args.get("NodeAffinity") or {}).get("addedAffinity")
    return parse_node_affinity(_thaw(raw), "pluginConfig.NodeAffinity.args.addedAffinity")


def _thaw(v):
    """Frozen config values (mappings, tuples) back to plain dicts and lists."""
    from collections.abc import Mapping

    if isinstance(v, Mapping):
        return {k: _thaw(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_thaw(x) for x in v]
    return v
