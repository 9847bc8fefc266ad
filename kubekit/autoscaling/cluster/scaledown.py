"""Scale-down decisions (the cluster autoscaler's ``core/scaledown``): which
nodes are unneeded, for how long, and which to remove now.  No effects:
the move simulation runs on a scheduler snapshot.

* **Utilization** (:mod:`.utilization`, ``utilization.Calculate``): per
  node, the larger of Σ cpu requests / allocatable cpu and Σ memory
  requests / allocatable memory over the pods on it, or for a node with
  GPUs its GPU utilization alone (finished and long-terminating pods left
  out; DaemonSet and mirror pods counted unless told otherwise).
* **Unneeded**: below the utilization threshold, no pod blocks the drain
  (:mod:`.drainability`, budgets included), and every pod that must move
  fits on the other nodes, with the scheduler's filters, after the pods
  moved off the nodes found unneeded before it in the same pass
  (``FindNodesToRemove``).  Nodes are tried emptiest first.
* **Removal** (:func:`select_removals`): a node unneeded without a break
  for ``scale-down-unneeded-time``, whose group stays at or above its min
  size; empty nodes in bulk (``max-empty-bulk-delete``), nodes with pods to
  move ``max-drain-parallelism`` at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kubekit.autoscaling.cluster.drainability import RemainingBudgets, is_finished, pod_name, pods_to_move
from kubekit.autoscaling.cluster.snapshot import parse_node, unbound
from kubekit.autoscaling.cluster.utilization import Utilization, node_utilization, split_pods
from kubekit.errors import KubekitError

__all__ = ["Candidate", "NodeVerdict", "Removals", "Utilization", "find_unneeded", "node_utilization",
           "pods_for_utilization", "select_removals", "update_unneeded"]

NOT_UNDERUTILIZED = "NotUnderutilized"
NO_PLACE_TO_MOVE_PODS = "NoPlaceToMovePods"
BLOCKED_BY_POD = "BlockedByPod"
NOT_UNNEEDED_LONG_ENOUGH = "NotUnneededLongEnough"
MIN_SIZE_REACHED = "NodeGroupMinSizeReached"
PARALLELISM_LIMIT = "ScaleDownParallelismLimitReached"
NOT_UNREADY_LONG_ENOUGH = "NotUnreadyLongEnough"
SCALE_DOWN_UNREADY_DISABLED = "ScaleDownUnreadyDisabled"
ATOMIC_SCALE_DOWN_FAILED = "AtomicScaleDownFailed"


def pods_for_utilization(pods: Iterable[Mapping[str, Any]], now: float, *, ignore_daemonsets: bool = False,
                         ignore_mirror_pods: bool = False) -> list[Mapping[str, Any]]:
    """The pods whose requests count towards a node's utilization
    (:func:`~.utilization.split_pods`' first list)."""
    return split_pods(pods, now, ignore_daemonsets=ignore_daemonsets, ignore_mirror_pods=ignore_mirror_pods)[0]


def update_unneeded(since: Mapping[str, float], unneeded: Iterable[str], now: float) -> dict[str, float]:
    """Since when each node has been unneeded without a break: nodes that
    stay keep their time, new ones start now, the others are dropped."""
    return {n: since.get(n, now) for n in unneeded}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A node the planner may remove: its manifest, group and pods, and
    whether it is ready (upstream's ``GetReadinessState`` on the node the
    GPU processor may have marked unready)."""

    name: str
    group: str
    node: Mapping[str, Any]
    pods: Sequence[Mapping[str, Any]]
    utilization: Utilization
    ready: bool = True


@dataclass(frozen=True, slots=True)
class NodeVerdict:
    """One node's scale-down status in this pass."""

    node: str
    group: str
    utilization: Utilization
    unneeded: bool
    reason: str = ""              # why not unneeded
    message: str = ""
    pods_to_move: tuple[str, ...] = ()
    destinations: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.pods_to_move


def _key(pod) -> str:
    return f"{pod.namespace}/{pod.name}"


def find_unneeded(candidates: Sequence[Candidate], sched, parse: Callable[[Mapping[str, Any]], Any], *,
                  threshold: float, pdbs: Sequence[Mapping[str, Any]], budgets: RemainingBudgets,
                  controller_exists: Callable[[Mapping[str, Any]], bool], now: float,
                  skip_nodes_with_system_pods: bool = True,
                  skip_nodes_with_local_storage: bool = True) -> list[NodeVerdict]:
    """A verdict per candidate (see the module docstring).  ``sched`` is a
    snapshot of every node and its pods; the unneeded nodes end up removed
    from it and their pods placed on the others."""
    out: list[NodeVerdict] = []
    moved_onto: dict[str, list[Any]] = {}
    limit = Fraction(str(threshold))
    for c in sorted(candidates, key=lambda c: (c.utilization.value, c.name)):
        if c.utilization.value >= limit:
            out.append(NodeVerdict(c.name, c.group, c.utilization, False, NOT_UNDERUTILIZED,
                                   f"utilization {float(c.utilization.value):.3f} is not below "
                                   f"{float(limit):.3f}"))
            continue
        plan = pods_to_move(c.pods, pdbs=pdbs, controller_exists=controller_exists, now=now,
                            skip_nodes_with_system_pods=skip_nodes_with_system_pods,
                            skip_nodes_with_local_storage=skip_nodes_with_local_storage)
        blocking = plan.blocking or budgets.check(plan.to_move)
        if blocking is not None:
            out.append(NodeVerdict(c.name, c.group, c.utilization, False, BLOCKED_BY_POD,
                                   f"{blocking.reason.value}: {blocking.message}"))
            continue
        movers = [parse(unbound(p)) for p in plan.to_move] + moved_onto.get(c.name, [])
        sched.remove_node(c.name)
        result = sched.schedule_batch(movers) if movers else None
        placed = {r.pod: r.node for r in result.results if r.node is not None} if result else {}
        if len(placed) < len(movers):
            for p in movers:
                if _key(p) in placed:
                    sched.forget(p)
            sched.add_node(parse_node(c.node))
            for p in c.pods:
                if not is_finished(p):
                    _assume_quietly(sched, parse(p), c.name)
            for p in moved_onto.get(c.name, []):
                _assume_quietly(sched, p, c.name)
            missing = sorted(_key(p) for p in movers if _key(p) not in placed)
            out.append(NodeVerdict(c.name, c.group, c.utilization, False, NO_PLACE_TO_MOVE_PODS,
                                   f"no place to move pods: {', '.join(missing[:5])}"
                                   + (" ..." if len(missing) > 5 else "")))
            continue
        moved_onto.pop(c.name, None)
        by_key = {_key(p): p for p in movers}
        for k, node in placed.items():
            moved_onto.setdefault(node, []).append(by_key[k])
        budgets.take(plan.to_move)
        out.append(NodeVerdict(c.name, c.group, c.utilization, True,
                               pods_to_move=tuple(sorted(pod_name(p) for p in plan.to_move)),
                               destinations=placed))
    return out


def _assume_quietly(sched, pod, node: str) -> None:
    try:
        sched.assume(pod, node)
    except KubekitError:
        pass


@dataclass(frozen=True, slots=True)
class Removals:
    empty: tuple[str, ...] = ()
    drain: tuple[str, ...] = ()
    reasons: Mapping[str, str] = field(default_factory=dict)      # unneeded node -> why it stays


def select_removals(unneeded: Sequence[NodeVerdict], since: Mapping[str, float], now: float, *,
                    unneeded_time: float, sizes: Mapping[str, int], min_sizes: Mapping[str, int],
                    max_empty_bulk_delete: int = 10, max_drain_parallelism: int = 1) -> Removals:
    """Which unneeded nodes to remove now: empty ones first, then those
    with pods to move (``RemovableAt``'s order, so the min size is spent on
    empty nodes first), each oldest unneeded first."""
    empty: list[str] = []
    drain: list[str] = []
    reasons: dict[str, str] = {}
    removing: dict[str, int] = {}
    for v in sorted((v for v in unneeded if v.unneeded),
                    key=lambda v: (not v.empty, since.get(v.node, now), v.node)):
        if now - since.get(v.node, now) < unneeded_time:
            reasons[v.node] = NOT_UNNEEDED_LONG_ENOUGH
            continue
        if sizes.get(v.group, 0) - removing.get(v.group, 0) <= min_sizes.get(v.group, 0):
            reasons[v.node] = MIN_SIZE_REACHED
            continue
        if v.empty and len(empty) < max_empty_bulk_delete:
            empty.append(v.node)
        elif not v.empty and len(drain) < max_drain_parallelism:
            drain.append(v.node)
        else:
            reasons[v.node] = PARALLELISM_LIMIT
            continue
        removing[v.group] = removing.get(v.group, 0) + 1
    return Removals(tuple(empty), tuple(drain), reasons)
