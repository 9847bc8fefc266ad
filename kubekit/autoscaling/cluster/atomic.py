"""Node groups that scale atomically: ``ZeroOrMaxNodeScaling``
(cluster-autoscaler's ``config.NodeGroupAutoscalingOptions``), a group that
is either empty or at its max size (a TPU slice, a set of nodes wired
together).  Pure.

**Scale-up** (``core/scaleup/orchestrator``):

* :func:`atomic_scale_up_skip` (``filterValidScaleUpNodeGroups``): a group
  whose whole remaining size would take the cluster past
  ``--max-nodes-total`` is skipped, ``atomic scale-up exceeds cluster node
  count limit``;
* :func:`atomic_node_count` (``ComputeExpansionOption``): an option of such
  a group asks for the group's max size, whatever the estimate (0 stays 0);
  the resize is capped at the max size, so the group ends at its max.  Such
  a group is never balanced with similar groups
  (``ComputeSimilarNodeGroups``; kubekit balances none anyway).

**Scale-down** (``core/scaledown``):

* :func:`prefilter_incomplete` (the planner's
  ``prefilterIncompleteAtomicNodeGroups``): a group with fewer eligible
  candidates than its target size *and* than its registered nodes cannot go
  as a whole: its candidates are ``AtomicScaleDownFailed`` and are not
  simulated;
* the move simulation takes the group as a unit
  (:func:`~.scaledown.find_unneeded`'s ``atomic``);
* :func:`select_atomic_removals`: of the group's unneeded nodes past their
  unneeded (unready) time, those above the min size (``RemovableAt``) go
  only when they are the whole group -- as many as its target size or its
  registered nodes (``AtomicResizeFilteringProcessor``), else all are
  ``AtomicScaleDownFailed``; then the parallelism budgets
  (``ScaleDownBudgetProcessor.CropNodes``): atomic groups before single
  nodes, a group whole or not at all, and the first group may overflow the
  budget ("one pod slice can sneak in"); single nodes get what is left
  (:func:`plan_removals`).

**Instances in error** (``overrideNodesToDeleteForZeroOrMax``): cleaning up a
failed scale-up of such a group deletes all its instances.  **Incorrect
sizes** are not fixed for such a group (``fixNodeGroupSize`` skips it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from kubekit.autoscaling.cluster.scaledown import (
    ATOMIC_SCALE_DOWN_FAILED, MIN_SIZE_REACHED, PARALLELISM_LIMIT, Candidate, NodeVerdict, Removals, select_removals,
)

__all__ = ["ATOMIC_EXCEEDS_MAX_TOTAL", "AtomicRemovals", "atomic_node_count", "atomic_scale_up_skip",
           "crop_atomic", "plan_removals", "prefilter_incomplete", "select_atomic_removals", "whole_group"]

ATOMIC_EXCEEDS_MAX_TOTAL = "atomic scale-up exceeds cluster node count limit"


def atomic_scale_up_skip(size: int, max_size: int, total_nodes: int, max_nodes_total: int) -> str:
    """The reason to skip an atomic group in scale-up ("" for none); ``size``
    is its target size, ``total_nodes`` the cluster's."""
    if max_nodes_total != 0 and total_nodes + (max_size - size) > max_nodes_total:
        return ATOMIC_EXCEEDS_MAX_TOTAL
    return ""


def atomic_node_count(estimated: int, max_size: int) -> int:
    """``ComputeExpansionOption``: the only node count an atomic option
    can have is the group's max size."""
    return max_size if estimated > 0 else 0


def whole_group(count: int, target: int, registered: int) -> bool:
    """``count`` nodes are the whole group: its target size, or every node
    registered (instances that never registered do not hold it up)."""
    return count == target or count == registered


def _failed(v_or_c, why: str) -> NodeVerdict:
    return NodeVerdict(v_or_c.name, v_or_c.group, v_or_c.utilization, False, ATOMIC_SCALE_DOWN_FAILED, why)


def prefilter_incomplete(candidates: Sequence[Candidate], atomic: Collection[str], targets: Mapping[str, int],
                         registered: Mapping[str, int]) -> tuple[list[Candidate], list[NodeVerdict]]:
    """``(candidates to simulate, verdicts of those left out)``."""
    count: dict[str, int] = {}
    for c in candidates:
        if c.group in atomic:
            count[c.group] = count.get(c.group, 0) + 1
    incomplete = {g for g, n in count.items() if n < targets.get(g, 0) and not n >= registered.get(g, 0)}
    kept = [c for c in candidates if c.group not in incomplete]
    failed = [_failed(c, f"node group {c.group} scales down atomically: {count[c.group]} of its "
                         f"{targets[c.group]} nodes are candidates") for c in candidates if c.group in incomplete]
    return kept, failed


@dataclass(frozen=True, slots=True)
class AtomicRemovals:
    """Per atomic group the nodes to remove now, empty and to drain;
    reasons for the unneeded nodes that stay; the budgets left."""

    groups: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    parallelism_left: int = 0
    drain_left: int = 0


def crop_atomic(buckets: Sequence[tuple[str, tuple[str, ...], tuple[str, ...]]], parallelism: int,
                drain_budget: int) -> tuple[list[str], int, int]:
    """``CropNodes``' atomic part: ``buckets`` are ``(group, empty, drain)``
    in order, each already the whole group.  Returns the groups taken and
    the parallelism and drain budgets left.  Groups with empty nodes come
    first (their drain nodes count against the drain budget too), then the
    groups with only nodes to drain, against min(parallelism, drain)."""
    taken: list[str] = []
    can_overflow = True
    for group, empty, drain in (b for b in buckets if b[1]):
        if parallelism < len(empty) + len(drain) or drain_budget < len(drain):
            if parallelism == 0 or (drain and drain_budget == 0) or not can_overflow:
                break
        taken.append(group)
        parallelism -= len(empty) + len(drain)
        drain_budget -= len(drain)
        can_overflow = False
    drain_budget = min(parallelism, drain_budget)
    for group, _, drain in (b for b in buckets if not b[1]):
        if drain_budget < len(drain):
            if drain_budget == 0 or not can_overflow:
                break
        taken.append(group)
        parallelism -= len(drain)
        drain_budget -= len(drain)
        can_overflow = False
    return taken, parallelism, drain_budget


def select_atomic_removals(unneeded: Sequence[NodeVerdict], since: Mapping[str, float], now: float, *,
                           sizes: Mapping[str, int], min_sizes: Mapping[str, int], registered: Mapping[str, int],
                           parallelism: int, drain_budget: int) -> AtomicRemovals:
    """Which atomic groups to remove now (see the module docstring):
    ``unneeded`` holds the verdicts of atomic groups' nodes past their
    unneeded time, ``sizes`` the target sizes, ``parallelism`` and
    ``drain_budget`` the budgets (``--max-scale-down-parallelism``,
    ``--max-drain-parallelism``)."""
    reasons: dict[str, str] = {}
    by_group: dict[str, list[NodeVerdict]] = {}
    left = dict(sizes)
    for v in sorted((v for v in unneeded if v.unneeded), key=lambda v: (not v.empty, since.get(v.node, now), v.node)):
        if left.get(v.group, 0) <= min_sizes.get(v.group, 0):
            reasons[v.node] = MIN_SIZE_REACHED
            continue
        left[v.group] = left.get(v.group, 0) - 1
        by_group.setdefault(v.group, []).append(v)
    buckets = []
    for group, vs in by_group.items():
        if not whole_group(len(vs), sizes.get(group, 0), registered.get(group, 0)):
            for v in vs:
                reasons[v.node] = ATOMIC_SCALE_DOWN_FAILED
            continue
        buckets.append((group, tuple(v.node for v in vs if v.empty), tuple(v.node for v in vs if not v.empty)))
    taken, parallelism, drain_budget = crop_atomic(buckets, parallelism, drain_budget)
    groups = {b[0]: (b[1], b[2]) for b in buckets if b[0] in taken}
    for group, empty, drain in buckets:
        if group not in groups:
            reasons.update((n, PARALLELISM_LIMIT) for n in empty + drain)
    return AtomicRemovals(groups, reasons, parallelism, drain_budget)


def plan_removals(unneeded: Sequence[NodeVerdict], since: Mapping[str, float], now: float, *, atomic: Collection[str],
                  sizes: Mapping[str, int], min_sizes: Mapping[str, int], registered: Mapping[str, int],
                  parallelism: int, drain_budget: int) -> tuple[AtomicRemovals, Removals]:
    """``CropNodes`` over every node past its unneeded time: the atomic
    groups first (:func:`select_atomic_removals`), then the single nodes
    (:func:`~.scaledown.select_removals`) within what the groups left of
    both budgets -- nothing once a group overflowed them."""
    whole = select_atomic_removals([v for v in unneeded if v.group in atomic], since, now, sizes=sizes,
                                   min_sizes=min_sizes, registered=registered, parallelism=parallelism,
                                   drain_budget=drain_budget)
    single = select_removals([v for v in unneeded if v.group not in atomic], since, now, unneeded_time=0.0,
                             sizes=sizes, min_sizes=min_sizes, max_empty_bulk_delete=whole.parallelism_left,
                             max_drain_parallelism=whole.drain_left)
    return whole, single
