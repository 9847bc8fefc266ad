"""Scale-up decisions: which node groups would help the pending pods, and by
how many nodes (the cluster autoscaler's ``core/scaleup`` orchestrator and
binpacking estimator).  No effects: everything runs on scheduler snapshots.

1. **Filter out schedulable pods** (``FilterOutSchedulable``): the pending
   pods are placed on a snapshot of the existing nodes, in the scheduling
   queue's order; those that fit need no new node (the scheduler will get to
   them).
2. **Per group that can grow** (size below max), the remaining pods are
   checked against the group's template node with the scheduler's own
   filters (one check per pod template, the scheduler's ``template_key``).
   A group at max size is skipped with ``max node group size reached``, a
   group backed off after a failed scale-up with ``in backoff after failed
   scale-up``.
3. **Estimate** (the binpacking estimator's role): the packing kernels
   (first-fit decreasing, ``kubekit.packing.batch``) give the number of
   template nodes the fitting pods need, capped by the group's headroom and
   ``max_nodes_total``; then the scheduler itself places the pods on that
   many template nodes beside the existing ones.  The option's node count is
   the number of template nodes that received a pod, its pods the ones
   placed: an option never contains a node no pod would use.
4. A group with ``ZeroOrMaxNodeScaling`` goes to its max size or stays
   (:mod:`.atomic`).
5. A pod no option helps gets a reason per group, as CA's
   ``NotTriggerScaleUp`` event: ``pod didn't trigger scale-up: 1 Insufficient
   cpu, 1 max node group size reached``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kubekit.api.resources import PODS
from kubekit.autoscaling.cluster.atomic import atomic_node_count, atomic_scale_up_skip
from kubekit.autoscaling.cluster.clusterstate import NOT_READY_FOR_SCALE_UP
from kubekit.packing.batch import place
from kubekit.packing.cluster import cluster_resources
from kubekit.packing.problem import PackingError, PackingProblem
from kubekit.scheduler.compile import template_key

__all__ = ["BACKED_OFF", "GroupState", "MAX_SIZE_REACHED", "ScaleUpOption", "ScaleUpPlan", "estimate_node_count",
           "not_triggered_message", "plan_scale_up", "triggered_message"]

MAX_SIZE_REACHED = "max node group size reached"
MAX_TOTAL_REACHED = "max total nodes in cluster reached"
BACKED_OFF = "in backoff after failed scale-up"


@dataclass(frozen=True, slots=True)
class GroupState:
    """A node group as the planner sees it: its current size and its
    template node (a parsed :class:`kubekit.Node`; None for a fixed group)."""

    name: str
    size: int
    min_size: int
    max_size: int
    template: object | None = None
    price: float = 1.0
    priority: int = 0
    backed_off: bool = False        # after a failed scale-up: skipped
    healthy: bool = True            # too many of its nodes missing (clusterstate): skipped
    zero_or_max: bool = False       # ZeroOrMaxNodeScaling: an option asks for the max size (:mod:`.atomic`)


@dataclass(frozen=True, slots=True)
class ScaleUpOption:
    """Adding ``node_count`` nodes to ``group`` would place ``pods``
    (``expander.Option``)."""

    group: str
    node_count: int
    pods: tuple[str, ...]
    requested_cpu_milli: int = 0
    requested_memory_bytes: int = 0
    node_cpu_milli: int = 0
    node_memory_bytes: int = 0
    price: float = 1.0
    priority: int = 0


@dataclass(frozen=True, slots=True)
class ScaleUpPlan:
    """Every option, the pending pods that fit existing nodes, and the
    reasons (``reason -> how many groups``) for each pod no option helps."""

    options: tuple[ScaleUpOption, ...]
    schedulable: tuple[str, ...] = ()
    not_helped: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def not_triggered_message(reasons: Mapping[str, int]) -> str:
    """CA's ``NotTriggerScaleUp`` message: the per-group reasons counted and
    sorted as strings."""
    parts = sorted(f"{n} {reason}" for reason, n in reasons.items())
    return "pod didn't trigger scale-up: " + ", ".join(parts) if parts else \
        "pod didn't trigger scale-up: no node group can grow"


def triggered_message(scale_ups: Sequence[tuple[str, int, int, int]]) -> str:
    """CA's ``TriggeredScaleUp`` message, ``(group, size, new size, max)`` each."""
    return "pod triggered scale-up: [" + " ".join(f"{{{g} {a}->{b} (max: {m})}}" for g, a, b, m in scale_ups) + "]"


def _pod_key(pod) -> str:
    return f"{pod.namespace}/{pod.name}"


def estimate_node_count(pods: Sequence[object], template, limit: int) -> int:
    """How many template nodes first-fit decreasing (the packing kernel)
    opens for ``pods``, each of which fits an empty template node; at most
    ``limit`` (the pods that would need more stay unhelped)."""
    if limit <= 0 or not pods:
        return 0
    resources = cluster_resources(pods, [template])
    demands = np.array([[1 if r == PODS else p.requests.get(r, 0) for r in resources] for p in pods],
                       dtype=np.int64)
    capacity = [template.allocatable.get(r, 0) for r in resources]
    try:
        problem = PackingProblem.identical(demands, capacity, resources=resources)
    except PackingError:
        return 0
    return min(limit, int(place(problem, "ffd", order="max").bins_used))


def _fit_reasons(representatives: Mapping[tuple, object], template, config, seed: int) -> dict[tuple, str]:
    """Per pod template (one representative pod each): "" when it fits an
    empty template node, else the scheduler's first reason."""
    from kubekit.scheduler import Scheduler

    sched = Scheduler(config, nodes=[template], seed=seed)
    out: dict[tuple, str] = {}
    for key, pod in representatives.items():
        res = sched.schedule(pod)
        out[key] = "" if res.node is not None else (next(iter(sorted(res.reasons)), "") or res.message)
    return out


def in_runs(pods: Sequence[object]) -> list[object]:
    """``pods`` in the scheduling queue's priority order, replicas of one
    template side by side (first appearance order otherwise kept), so the
    scheduler places each template's replicas as one run."""
    first: dict[tuple, int] = {}
    keyed = []
    for i, p in enumerate(pods):
        k = first.setdefault((p.scheduler_name, template_key(p)), i)
        keyed.append((-p.priority, k, i))
    return [pods[i] for _, _, i in sorted(keyed)]


def _option(group: GroupState, sched, pods: Sequence[object], count: int) -> ScaleUpOption | None:
    """Place ``pods`` with the scheduler on ``count`` template nodes added to
    ``sched`` (removed again afterwards); the option of the nodes used."""
    names = [f"{group.template.name}-{i}" for i in range(count)]
    for name in names:
        sched.add_node(dataclasses.replace(group.template, name=name))
    try:
        result = sched.schedule_batch(pods)
    finally:
        for name in names:
            sched.remove_node(name)
    new = set(names)
    placed = {r.pod: r.node for r in result.results if r.node in new}
    if not placed:
        return None
    by_key = {_pod_key(p): p for p in pods}
    cpu = sum(by_key[k].requests.get("cpu", 0) for k in placed)
    mem = sum(by_key[k].requests.get("memory", 0) for k in placed)
    alloc = group.template.allocatable
    return ScaleUpOption(group.name, len(set(placed.values())), tuple(sorted(placed)), cpu, mem,
                         alloc.get("cpu", 0), alloc.get("memory", 0), group.price, group.priority)


def plan_scale_up(pending: Sequence[object], existing, groups: Sequence[GroupState], *, config=None, seed: int = 0,
                  total_nodes: int = 0, max_nodes_total: int = 0) -> ScaleUpPlan:
    """The scale-up options for ``pending`` (parsed pods, in queue order)
    given ``existing``, a scheduler snapshot of the current nodes and their
    pods (it is used and changed: the schedulable pods end up assumed on
    it).  ``max_nodes_total`` 0: no cluster-wide cap."""
    if not pending:
        return ScaleUpPlan(())
    pending = in_runs(pending)
    first = existing.schedule_batch(pending) if len(existing.node_names) else None
    schedulable = tuple(sorted(r.pod for r in first.results if r.node is not None)) if first else ()
    fitted = set(schedulable)
    rest = [p for p in pending if _pod_key(p) not in fitted]
    reasons: dict[str, dict[str, int]] = {_pod_key(p): {} for p in rest}
    options: list[ScaleUpOption] = []
    room_total = max_nodes_total - total_nodes if max_nodes_total > 0 else None
    keys = [(p.scheduler_name, template_key(p)) for p in rest]
    representatives: dict[tuple, object] = {}
    for k, p in zip(keys, rest):
        representatives.setdefault(k, p)
    for g in groups:
        if g.template is None:
            continue                    # a fixed group: never a scale-up option
        if not g.healthy or g.backed_off:           # NodeGroupScaleUpSafety: health first
            why = BACKED_OFF if g.healthy else NOT_READY_FOR_SCALE_UP
            for k in reasons:
                reasons[k][why] = reasons[k].get(why, 0) + 1
            continue
        atomic_skip = atomic_scale_up_skip(g.size, g.max_size, total_nodes, max_nodes_total) \
            if g.zero_or_max and g.size < g.max_size else ""
        if atomic_skip:
            for k in reasons:
                reasons[k][atomic_skip] = reasons[k].get(atomic_skip, 0) + 1
            continue
        headroom = g.max_size - g.size
        if room_total is not None:
            headroom = min(headroom, room_total)
        if headroom <= 0:
            why = MAX_SIZE_REACHED if g.size >= g.max_size else MAX_TOTAL_REACHED
            for k in reasons:
                reasons[k][why] = reasons[k].get(why, 0) + 1
            continue
        verdicts = _fit_reasons(representatives, g.template, config, seed)
        fits = []
        for k, p in zip(keys, rest):
            why = verdicts[k]
            if why:
                reasons[_pod_key(p)][why] = reasons[_pod_key(p)].get(why, 0) + 1
            else:
                fits.append(p)
        count = estimate_node_count(fits, g.template, headroom)
        option = None
        while count:
            # the packing bound can be below what the scheduler's own spreading
            # needs (LeastAllocated may leave no room for a big pod): add nodes
            # until every pod that fits the template is placed, up to the headroom
            option = _option(g, existing, fits, count)
            if (option is not None and len(option.pods) == len(fits)) or count >= headroom:
                break
            count += 1
        if option is not None and g.zero_or_max:
            option = dataclasses.replace(option, node_count=atomic_node_count(option.node_count, g.max_size))
        if option is not None:
            options.append(option)
        if count >= headroom:                 # the group could not take every pod that fits it
            placed = set(option.pods) if option is not None else set()
            for p in fits:
                if _pod_key(p) not in placed:
                    r = reasons[_pod_key(p)]
                    r[MAX_SIZE_REACHED] = r.get(MAX_SIZE_REACHED, 0) + 1
    helped = {k for o in options for k in o.pods}
    not_helped = {k: r for k, r in reasons.items() if k not in helped}
    return ScaleUpPlan(tuple(options), schedulable, not_helped)
