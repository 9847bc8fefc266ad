"""NodeResourcesFit (filter + score) and NodeResourcesBalancedAllocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from kubekit.scheduler.framework import SUCCESS, Code, CycleState, NodeInfo, Status
from kubekit.scheduler.plugins.scoring import MAX_CUSTOM_PRIORITY_SCORE, MAX_NODE_SCORE, balanced_score, strategy_score
from kubekit.scheduler.resource_names import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    is_extended_resource_name,
    is_scalar_resource_name,
)

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod
    from kubekit.scheduler.config import BalancedAllocationArgs, NodeResourcesFitArgs

_BASIC = (CPU, MEMORY, EPHEMERAL_STORAGE)


def insufficient_resources(
    requests: dict[str, int],
    node: NodeInfo,
    ignored: frozenset[str] = frozenset(),
    ignored_groups: frozenset[str] = frozenset(),
) -> list[tuple[str, str, bool]]:
    """``fitsRequest``: (resource, reason, unresolvable) for every resource the
    node lacks.  Plain requests only: the scoring defaults never apply here."""
    out: list[tuple[str, str, bool]] = []
    alloc = node.node.allocatable
    allowed_pods = alloc.get(PODS, 0)
    if node.pod_count + 1 > allowed_pods:
        out.append((PODS, "Too many pods", False))
    scalars = {k: v for k, v in requests.items() if is_scalar_resource_name(k)}
    if all(requests.get(r, 0) == 0 for r in _BASIC) and not scalars:
        return out
    for r in _BASIC:
        q = requests.get(r, 0)
        if q > 0 and q > alloc.get(r, 0) - node.requested.get(r, 0):
            out.append((r, f"Insufficient {r}", q > alloc.get(r, 0)))
    for r, q in sorted(scalars.items()):  # a Go map in kube-scheduler: no order; sorted here
        if q == 0:
            continue
        if is_extended_resource_name(r) and (r in ignored or r.split("/")[0] in ignored_groups):
            continue
        if q > alloc.get(r, 0) - node.requested.get(r, 0):
            out.append((r, f"Insufficient {r}", q > alloc.get(r, 0)))
    return out


def _score_request(pod: "Pod", resource: str, nonzero: bool) -> int:
    if nonzero and resource in (CPU, MEMORY):
        return pod.nonzero_requests.get(resource, 0)
    return pod.requests.get(resource, 0)


def allocatable_and_requested(
    pod: "Pod", node: NodeInfo, resources: Sequence[str], nonzero: bool
) -> tuple[list[int], list[int]]:
    """``calculateResourceAllocatableRequest`` for each configured resource:
    ``nonzero`` selects NodeInfo.NonZeroRequested (the Fit strategies) over
    Requested (BalancedAllocation).  A scalar resource the pod does not
    request, or one the node does not have, gives (0, 0) and is left out."""
    allocs: list[int] = []
    reqs: list[int] = []
    for r in resources:
        pod_req = _score_request(pod, r, nonzero)
        tracked = r in _BASIC or is_scalar_resource_name(r)
        alloc = node.node.allocatable.get(r, 0) if tracked else 0
        if pod_req == 0 and is_scalar_resource_name(r):
            alloc = 0
        if r == CPU and nonzero:
            used = node.nonzero_cpu_milli
        elif r == MEMORY and nonzero:
            used = node.nonzero_memory_bytes
        else:
            used = node.requested.get(r, 0)
        allocs.append(alloc)
        reqs.append(used + pod_req if alloc else 0)
    return allocs, reqs


class NodeResourcesFit:
    name = "NodeResourcesFit"

    def __init__(self, args: "NodeResourcesFitArgs") -> None:
        self.args = args
        self.ignored = frozenset(args.ignored_resources)
        self.ignored_groups = frozenset(args.ignored_resource_groups)
        st = args.scoring_strategy
        self.strategy = st.type
        self.resources = [r.name for r in st.resources]
        self.weights = [r.weight for r in st.resources]
        scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
        self.shape = [(p.utilization, p.score * scale) for p in st.shape]

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status:
        lacking = insufficient_resources(pod.requests, node, self.ignored, self.ignored_groups)
        if not lacking:
            return SUCCESS
        code = Code.UNSCHEDULABLE_AND_UNRESOLVABLE if any(u for _, _, u in lacking) else Code.UNSCHEDULABLE
        return Status(code, tuple(reason for _, reason, _ in lacking), self.name)

    def score(self, state: CycleState, pod: "Pod", node: NodeInfo) -> tuple[int, Status]:
        allocs, reqs = allocatable_and_requested(pod, node, self.resources, nonzero=True)
        return strategy_score(self.strategy, reqs, allocs, self.weights, self.shape), SUCCESS


class BalancedAllocation:
    name = "NodeResourcesBalancedAllocation"

    def __init__(self, args: "BalancedAllocationArgs") -> None:
        self.resources = [r.name for r in args.resources]

    def pre_score(self, state: CycleState, pod: "Pod", nodes: list[NodeInfo]) -> Status:
        # Best-effort pods (no configured resource requested) are not scored
        # (kubernetes/kubernetes#129138).
        if all(pod.requests.get(r, 0) == 0 for r in self.resources):
            return Status(Code.SKIP, plugin=self.name)
        return SUCCESS

    def score(self, state: CycleState, pod: "Pod", node: NodeInfo) -> tuple[int, Status]:
        allocs, reqs = allocatable_and_requested(pod, node, self.resources, nonzero=False)
        return balanced_score(reqs, allocs), SUCCESS


__all__ = ["NodeResourcesFit", "BalancedAllocation", "insufficient_resources", "allocatable_and_requested"]
