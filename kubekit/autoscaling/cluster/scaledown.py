"""Scale-down decisions (the cluster autoscaler's ``core/scaledown``): which
nodes are unneeded, for how long, and which to remove now.  No effects:
the move simulation runs on a scheduler snapshot.

* **Utilization** (:mod:`.utilization`, ``utilization.Calculate``): per
  node, the larger of Σ cpu requests / allocatable cpu and Σ memory
  requests / allocatable memory over the pods on it, or for a node with
  GPUs its GPU utilization alone (finished and long-terminating pods left
  out; DaemonSet and mirror pods counted unless told otherwise).
* **Unneeded**: at or below the utilization threshold, no pod blocks the drain
  (:mod:`.drainability`, budgets included), and every pod that must move
  fits on the other nodes, with the scheduler's filters, after the pods
  moved off the nodes found unneeded before it in the same pass
  (``FindNodesToRemove``).  Nodes are tried emptiest first.
* **Removal** (:func:`select_removals`): a node unneeded without a break
  for ``scale-down-unneeded-time``, whose group stays at or above its min
  size; empty nodes in bulk (``max-empty-bulk-delete``), nodes with pods to
  move ``max-drain-parallelism`` at a time, within what the empty ones leave
  of the bulk budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kubekit.autoscaling.cluster.drainability import RemainingBudgets, is_finished, pod_name, pods_to_move
from kubekit.autoscaling.cluster.snapshot import parse_node, unbound
from kubekit.autoscaling.cluster.utilization import Utilization, node_utilization, split_pods
from kubekit.errors import KubekitError

__all__ = ["Candidate", "NodeVerdict", "Removals", "Utilization", "find_unneeded", "node_utilization",
           "pods_for_utilization", "select_removals", "update_unneeded", "utilization_verdict"]

NOT_UNDERUTILIZED = "NotUnderutilized"
NO_PLACE_TO_MOVE_PODS = "NoPlaceToMovePods"
BLOCKED_BY_POD = "BlockedByPod"
NOT_UNNEEDED_LONG_ENOUGH = "NotUnneededLongEnough"
MIN_SIZE_REACHED = "NodeGroupMinSizeReached"
PARALLELISM_LIMIT = "ScaleDownParallelismLimitReached"
NOT_UNREADY_LONG_ENOUGH = "NotUnreadyLongEnough"
SCALE_DOWN_UNREADY_DISABLED = "ScaleDownUnreadyDisabled"
ATOMIC_SCALE_DOWN_FAILED = "AtomicScaleDownFailed"
UNEXPECTED_ERROR = "UnexpectedError"


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


def utilization_verdict(c: Candidate, limit: Fraction) -> NodeVerdict | None:
    """The eligibility check's utilization part (``eligibility.go``): a node
    whose utilization cannot be calculated is ``UnexpectedError``, one above
    ``limit`` ``NotUnderutilized``; at or below it is underutilized (None;
    upstream's ``isNodeAtOrBelowUtilizationThreshold``, so a threshold of 0
    still lets nodes at 0 go)."""
    u = c.utilization
    if u.error:
        return NodeVerdict(c.name, c.group, u, False, UNEXPECTED_ERROR, f"failed to calculate utilization: {u.error}")
    if u.value > limit:
        return NodeVerdict(c.name, c.group, u, False, NOT_UNDERUTILIZED,
                           f"utilization {float(u.value):.3f} is above {float(limit):.3f}")
    return None


def _key(pod) -> str:
    return f"{pod.namespace}/{pod.name}"


def find_unneeded(candidates: Sequence[Candidate], sched, parse: Callable[[Mapping[str, Any]], Any], *,
                  threshold: float, pdbs: Sequence[Mapping[str, Any]], budgets: RemainingBudgets,
                  controller_exists: Callable[[Mapping[str, Any]], bool], now: float,
                  skip_nodes_with_system_pods: bool = True, skip_nodes_with_local_storage: bool = True,
                  atomic: Collection[str] = ()) -> list[NodeVerdict]:
    """A verdict per candidate (see the module docstring).  ``sched`` is a
    snapshot of every node and its pods; the unneeded nodes end up removed
    from it and their pods placed on the others.

    The candidates of a group in ``atomic`` (``ZeroOrMaxNodeScaling``) are
    simulated together when the first of them comes up (the planner's
    ``simulateAtomicNodeGroup``): if one is not removable, the removals of
    the others are undone (their pods back, budgets restored) and they are
    ``AtomicScaleDownFailed``; the one that failed keeps its own reason."""
    sim = _Simulation(sched, parse, pdbs, budgets, controller_exists, now, skip_nodes_with_system_pods,
                      skip_nodes_with_local_storage, Fraction(str(threshold)))
    ordered = sorted(candidates, key=lambda c: (c.utilization.value, c.name))
    members: dict[str, list[Candidate]] = {}
    for c in ordered:
        if c.group in atomic:
            members.setdefault(c.group, []).append(c)
    out: list[NodeVerdict] = []
    for c in ordered:
        if c.group not in atomic:
            out.append(sim.step(c)[0])
        elif c.group in members:
            out += sim.atomic_group(members.pop(c.group))
    return out


class _Simulation:
    """``FindNodesToRemove`` node by node on one snapshot, each step
    reversible (what ``ClusterSnapshot.Fork``/``Revert`` gives upstream)."""

    def __init__(self, sched, parse, pdbs, budgets: RemainingBudgets, controller_exists, now: float,
                 system_pods: bool, local_storage: bool, limit: Fraction) -> None:
        self.sched, self.parse, self.pdbs, self.budgets = sched, parse, pdbs, budgets
        self.controller_exists, self.now, self.limit = controller_exists, now, limit
        self.system_pods, self.local_storage = system_pods, local_storage
        self.moved_onto: dict[str, list[Any]] = {}     # node -> pods the simulation moved onto it

    def step(self, c: Candidate) -> tuple[NodeVerdict, tuple | None]:
        """The node's verdict and, when it was found removable, what undoes it."""
        ineligible = utilization_verdict(c, self.limit)
        if ineligible is not None:
            return ineligible, None
        plan = pods_to_move(c.pods, pdbs=self.pdbs, controller_exists=self.controller_exists, now=self.now,
                            skip_nodes_with_system_pods=self.system_pods,
                            skip_nodes_with_local_storage=self.local_storage)
        blocking = plan.blocking or self.budgets.check(plan.to_move)
        if blocking is not None:
            return NodeVerdict(c.name, c.group, c.utilization, False, BLOCKED_BY_POD,
                               f"{blocking.reason.value}: {blocking.message}"), None
        before = self.moved_onto.get(c.name, [])
        movers = [self.parse(unbound(p)) for p in plan.to_move] + before
        self.sched.remove_node(c.name)
        result = self.sched.schedule_batch(movers) if movers else None
        placed = {r.pod: r.node for r in result.results if r.node is not None} if result else {}
        if len(placed) < len(movers):
            self._put_back(c, movers, placed, before)
            missing = sorted(_key(p) for p in movers if _key(p) not in placed)
            return NodeVerdict(c.name, c.group, c.utilization, False, NO_PLACE_TO_MOVE_PODS,
                               f"no place to move pods: {', '.join(missing[:5])}"
                               + (" ..." if len(missing) > 5 else "")), None
        self.moved_onto.pop(c.name, None)
        by_key = {_key(p): p for p in movers}
        for k, node in placed.items():
            self.moved_onto.setdefault(node, []).append(by_key[k])
        self.budgets.take(plan.to_move)
        return NodeVerdict(c.name, c.group, c.utilization, True,
                           pods_to_move=tuple(sorted(pod_name(p) for p in plan.to_move)),
                           destinations=placed), (c, movers, placed, before)

    def _put_back(self, c: Candidate, movers, placed, before) -> None:
        """Undo one node's removal on the snapshot: its movers leave where
        they were placed, the node and its pods (and those moved onto it)
        come back."""
        for p in movers:
            if _key(p) in placed:
                self.sched.forget(p)
        self.sched.add_node(parse_node(c.node))
        for p in c.pods:
            if not is_finished(p):
                _assume_quietly(self.sched, self.parse(p), c.name)
        for p in before:
            _assume_quietly(self.sched, p, c.name)

    def atomic_group(self, group: Sequence[Candidate]) -> list[NodeVerdict]:
        """All of an atomic group's candidates removable, or none."""
        moved = {n: list(ps) for n, ps in self.moved_onto.items()}
        left = dict(self.budgets.left)
        verdicts: list[NodeVerdict] = []
        undo: list[tuple] = []
        for c in group:
            v, step = self.step(c)
            if step is None:
                for record in reversed(undo):
                    self._put_back(*record)
                self.moved_onto, self.budgets.left = moved, left
                return [v if o.name == c.name else NodeVerdict(
                    o.name, o.group, o.utilization, False, ATOMIC_SCALE_DOWN_FAILED,
                    f"node group {o.group} scales down atomically and {c.name} cannot be removed: {v.reason}")
                    for o in group]
            verdicts.append(v)
            undo.append(step)
        return verdicts


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
    empty nodes first), each oldest unneeded first.  ``max_empty_bulk_delete``
    is the parallelism budget (``--max-scale-down-parallelism``, whose
    default it is): the nodes to drain get at most what the empty ones leave
    of it, and at most ``max_drain_parallelism`` (``CropNodes``)."""
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
        elif not v.empty and len(drain) < min(max_drain_parallelism, max_empty_bulk_delete - len(empty)):
            drain.append(v.node)
        else:
            reasons[v.node] = PARALLELISM_LIMIT
            continue
        removing[v.group] = removing.get(v.group, 0) + 1
    return Removals(tuple(empty), tuple(drain), reasons)
