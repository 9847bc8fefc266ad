"""Carrying out scale-down decisions (cluster-autoscaler's
``core/scaledown/actuation``), with the Events and decision records: one
node at a time (:meth:`Actuation._remove`), or an atomic
(``ZeroOrMaxNodeScaling``) group whole (:meth:`Actuation._remove_atomic`,
``GroupDeletionScheduler``): every node of the group is tainted and
drained, and only when all drains succeed are the nodes deleted, in one
call; if any fails, every node of the group stays (the taint comes off,
pods already evicted are not brought back) and each gets a
``ScaleDownFailed`` Event -- its own error, or ``couldn't scale down other
nodes in this node group`` (upstream logs ``scale down failed for node
group as a whole`` beside it).

A ``ScaleDownFailed`` Event reads as CA's
``CleanUpAndRecordFailedScaleDownEvent`` writes it: ``failed to drain and
delete node: <error>``, or ``failed to delete empty node: <error>`` for a
node without pods to move; the decision record keeps the error alone.

A mixin of :class:`~.autoscaler.ClusterAutoscaler`: it uses its store,
clock, groups, events, decisions and scale-down timestamps."""

from __future__ import annotations

from collections.abc import Sequence

from kubekit.autoscaling.cluster.drainability import pod_name
from kubekit.autoscaling.cluster.removal import TO_BE_DELETED_TAINT, DrainResult, drain_node, without_taint
from kubekit.autoscaling.cluster.scaledown import NodeVerdict
from kubekit.errors import KubekitError, NotFoundError
from kubekit.store.meta import rfc3339

__all__ = ["Actuation", "GROUP_FAILED"]

GROUP_FAILED = "couldn't scale down other nodes in this node group"
"""The error of an atomic group's nodes that failed with another
(``GroupDeletionScheduler.AbortNodeDeletion``)."""


class Actuation:
    def _drain(self, v: NodeVerdict, node: dict, pods: list[dict], wall: float, delete) -> DrainResult:
        wanted = set(v.pods_to_move)
        movers = [p for p in pods if pod_name(p) in wanted]
        self.events.normal(node, "ScaleDown", "marked the node as toBeDeleted/unschedulable")
        for p in movers:
            self.events.normal(p, "ScaleDown", "deleting pod for node scale down")
        return drain_node(self.store, wall, v.node, movers, delete)

    def _failed(self, v: NodeVerdict, node: dict, message: str, wall: float) -> None:
        self.last_scale_down_failure = self.clock.monotonic()
        prefix = "failed to delete empty node" if v.empty else "failed to drain and delete node"
        self.events.warning(node, "ScaleDownFailed", f"{prefix}: {message}")
        self.decisions.append({"action": "ScaleDownFailed", "group": v.group, "node": v.node,
                               "message": message, "time": rfc3339(wall)})

    def _removed(self, v: NodeVerdict, node: dict, result: DrainResult, wall: float) -> None:
        self.last_scale_down_delete = self.clock.monotonic()
        self.unneeded_since.pop(v.node, None)
        self.events.normal(node, "ScaleDown", "node removed by cluster autoscaler")
        if v.empty:
            self.events.normal(self._status_object(), "ScaleDownEmpty", f"Scale-down: removing empty node {v.node}")
        else:
            self.events.normal(self._status_object(), "ScaleDown",
                               f"Scale-down: removing node {v.node}, utilization: "
                               f"{{{v.utilization.resource} {float(v.utilization.value):.3f}}}, "
                               f"pods to reschedule: {','.join(v.pods_to_move)}")
        self.decisions.append({"action": "ScaleDown", "group": v.group, "node": v.node,
                               "evicted": list(result.evicted), "utilization": float(v.utilization.value),
                               "time": rfc3339(wall)})

    def _remove(self, v: NodeVerdict, node: dict, pods: list[dict], wall: float) -> bool:
        group = next(g for g in self.groups if g.name == v.group)
        result = self._drain(v, node, pods, wall, lambda: group.provider.delete_nodes(group, [v.node]))
        if not result.removed:
            self._failed(v, node, result.message, wall)
            return False
        self._removed(v, node, result, wall)
        return True

    def _remove_atomic(self, verdicts: Sequence[NodeVerdict], nodes, bound, wall: float) -> list[str]:
        """Remove an atomic group's nodes together, or none of them."""
        group = next(g for g in self.groups if g.name == verdicts[0].group)
        results = [(v, self._drain(v, nodes[v.node], bound.get(v.node, []), wall, lambda: None)) for v in verdicts]
        errors = {v.node: r.message for v, r in results if not r.removed}
        if not errors:
            try:
                group.provider.delete_nodes(group, [v.node for v in verdicts])
            except (ValueError, KubekitError) as e:
                errors = {v.node: f"failed to delete nodes of group {group.name}: {e}" for v in verdicts}
        if errors:
            for v, r in results:
                if r.removed:              # drained, but the group stays: it is schedulable again
                    try:
                        self.store.guaranteed_update("Node", None, v.node,
                                                     lambda n: without_taint(n, TO_BE_DELETED_TAINT))
                    except NotFoundError:
                        pass
                self._failed(v, nodes[v.node], errors.get(v.node, GROUP_FAILED), wall)
            return []
        for v, r in results:
            self._removed(v, nodes[v.node], r, wall)
        return [v.node for v in verdicts]
