"""From Kubernetes objects to a :class:`PackingProblem`, with the scheduler's filters.

``problem_from_cluster(pods, nodes)`` turns :class:`kubekit.Pod` and
:class:`kubekit.Node` objects (read from real manifests) into the packing
model: one item per pod with its aggregated requests (``Pod.requests``: init
containers, sidecars and overhead counted as Kubernetes does), one bin per
node with its allocatable, and a feasibility mask computed by the same
predicates as kube-scheduler's non-resource filters in kubekit's scheduler:

* NodeUnschedulable — an unschedulable node only for pods tolerating its taint;
* NodeName — ``spec.nodeName`` pins a pod to one node;
* TaintToleration — every NoSchedule/NoExecute taint must be tolerated;
* NodeAffinity — ``spec.nodeSelector`` and the required node-affinity terms.

NodeResourcesFit is the packing's capacity constraint itself: every resource
any pod requests or any node offers becomes a dimension (cpu in millicores,
memory and storage in bytes, extended resources such as ``nvidia.com/gpu``
as counts) and ``pods`` counts one per pod against the node's pod capacity.
Pods with identical constraints share one feasibility group, so the mask
costs groups × nodes, not pods × nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from kubekit.api.affinity import match_required_node_affinity, tolerates_taint
from kubekit.api.resources import PODS
from kubekit.packing.problem import PackingError, PackingProblem

if TYPE_CHECKING:
    from kubekit.api import Node, Pod

# kube-scheduler's TaintToleration filter considers these effects.
FILTER_EFFECTS = ("NoSchedule", "NoExecute")
UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable"


def _constraint_key(pod: Pod) -> tuple:
    return (pod.node_name, tuple(sorted(pod.node_selector.items())), pod.affinity, pod.tolerations)


def pod_may_use(pod: Pod, node: Node) -> bool:
    """kube-scheduler's non-resource filters for one pod and node (pure)."""
    from kubekit.api.affinity import Taint

    if pod.node_name and pod.node_name != node.name:
        return False
    if node.unschedulable and not any(
            tolerates_taint(t, Taint(UNSCHEDULABLE_TAINT_KEY, "", "NoSchedule")) for t in pod.tolerations):
        return False
    for taint in node.taints:
        if taint.effect in FILTER_EFFECTS and not any(tolerates_taint(t, taint) for t in pod.tolerations):
            return False
    return match_required_node_affinity(pod.node_selector, pod.affinity, node.labels, node.name)


def eligibility_groups(pods: Sequence[Pod], nodes: Sequence[Node]) -> tuple[np.ndarray, np.ndarray]:
    """``(item_groups, allowed)``: pod ``i`` may use node ``b`` iff
    ``allowed[item_groups[i], b]`` (:func:`pod_may_use`, once per group of
    pods with identical constraints).  Raises :class:`PackingError` naming
    a pod that no node's filters let in."""
    groups: dict[tuple, int] = {}
    item_groups = np.zeros(len(pods), dtype=np.int64)
    rows: list[list[bool]] = []
    for i, p in enumerate(pods):
        key = _constraint_key(p)
        if key not in groups:
            groups[key] = len(rows)
            rows.append([pod_may_use(p, n) for n in nodes])
        item_groups[i] = groups[key]
    allowed = np.array(rows, dtype=bool).reshape(len(rows), len(nodes))
    for i, p in enumerate(pods):
        if not allowed[item_groups[i]].any():
            raise PackingError(f"pod {p.key}: no node passes its filters (nodeName, nodeSelector, node affinity, "
                               f"taints and tolerations, unschedulable)")
    return item_groups, allowed


def cluster_resources(pods: Sequence[Pod], nodes: Sequence[Node]) -> tuple[str, ...]:
    """Every resource a pod requests or a node offers, ``pods`` included;
    cpu and memory first, the rest sorted."""
    names = {PODS}
    for p in pods:
        names.update(p.requests)
    for n in nodes:
        names.update(n.allocatable or {})
    head = [r for r in ("cpu", "memory") if r in names]
    return tuple(head + sorted(names - set(head)))


def problem_from_cluster(pods: Sequence[Pod], nodes: Sequence[Node], *, costs: Sequence[int] | None = None,
                         resources: Sequence[str] | None = None) -> PackingProblem:
    """The packing problem of placing ``pods`` on ``nodes`` (costs: one per
    node, default 1).  Raises :class:`PackingError` naming a pod that no node
    can take (its filters or its requests rule every node out)."""
    if not nodes:
        raise PackingError("no nodes: a cluster needs at least one node")
    res = tuple(resources) if resources is not None else cluster_resources(pods, nodes)
    demands = np.zeros((len(pods), len(res)), dtype=np.int64)
    for i, p in enumerate(pods):
        for r, name in enumerate(res):
            demands[i, r] = 1 if name == PODS else p.requests.get(name, 0)
    capacities = np.array([[(n.allocatable or {}).get(name, 0) for name in res] for n in nodes], dtype=np.int64)
    item_groups, allowed = eligibility_groups(pods, nodes)
    return PackingProblem(
        demands=demands, capacities=capacities, costs=np.ones(len(nodes), dtype=np.int64) if costs is None else costs,
        allowed=allowed, item_groups=item_groups, resources=res,
        item_names=tuple(p.key for p in pods), bin_names=tuple(n.name for n in nodes),
    )
