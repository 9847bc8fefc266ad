"""Node readiness and health, as cluster-autoscaler's clusterstate registry
counts them (``clusterstate/clusterstate.go``: ``updateReadinessStats``,
``updateAcceptableRanges``, ``IsClusterHealthy``, ``IsNodeGroupHealthy``).
Pure: the autoscaler hands in what it read.

**Readiness.**  Each registered node is exactly one of:

* *deleted* — being removed by the autoscaler (upstream: no cloud instance
  any more; here: the ``ToBeDeletedByClusterAutoscaler`` taint);
* *ready* — its ``Ready`` condition is ``True``;
* *not started* — not ready, created less than ``max_node_startup_time``
  (15 min, upstream's ``MaxNodeStartupTime``) ago;
* *unready* — not ready for longer: it broke down.

A node a scale-up asked for that has not registered is *unregistered*, and
*long unregistered* once it has waited more than ``max-node-provision-time``.

**Health.**

* The cluster is unhealthy when more than ``ok_total_unready_count`` (3)
  nodes are unready *and* they are more than ``max_total_unready_percentage``
  (45 %) of all registered nodes.  The autoscaler then does nothing but
  report it (``ClusterUnhealthy``): with that much of the cluster broken, its
  view cannot be trusted.
* A group's *acceptable minimum* is its target size less its long
  unregistered nodes and less the nodes of a scale-up still in flight.  Its
  ready nodes short of that minimum are *unjustified*; the group is
  unhealthy (and is not scaled up: ``not ready for scale-up``) when they are
  more than ``ok_total_unready_count`` and more than the percentage of its
  ready, unready and not-started nodes.  A group with no node registered or
  awaited is healthy when its target is 0 or its minimum is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_NODE_STARTUP_TIME", "NOT_READY_FOR_SCALE_UP", "Readiness", "cluster_healthy", "group_healthy",
           "node_is_ready", "readiness"]

MAX_NODE_STARTUP_TIME = 15 * 60.0
"""Upstream's ``MaxNodeStartupTime``: how long a new node may stay not ready."""

NOT_READY_FOR_SCALE_UP = "not ready for scale-up"
"""Upstream's ``NotReadyReason``: a pod's reason when an unhealthy group is skipped."""


@dataclass(frozen=True)
class Readiness:
    """Node names per readiness class (upstream's ``Readiness``)."""

    ready: tuple[str, ...] = ()
    unready: tuple[str, ...] = ()
    not_started: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unregistered: tuple[str, ...] = ()
    long_unregistered: tuple[str, ...] = ()
    registered: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """The status ConfigMap's node counts."""
        return {"registered": len(self.registered), "ready": len(self.ready), "notStarted": len(self.not_started),
                "beingDeleted": len(self.deleted), "unready": len(self.unready),
                "unregistered": len(self.unregistered), "longUnregistered": len(self.long_unregistered)}


def node_is_ready(node: Mapping[str, Any]) -> bool:
    """The node's ``Ready`` condition is ``True``."""
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def readiness(nodes: Iterable[tuple[str, bool, bool, float]], unregistered: Iterable[tuple[str, float]], now: float,
              *, max_node_startup_time: float = MAX_NODE_STARTUP_TIME,
              max_node_provision_time: float = 900.0) -> Readiness:
    """``nodes``: ``(name, ready, being deleted, created at)`` per registered
    node; ``unregistered``: ``(name, unregistered since)`` per awaited node;
    times in seconds on one clock."""
    out: dict[str, list[str]] = {k: [] for k in ("ready", "unready", "not_started", "deleted", "unregistered",
                                                 "long_unregistered", "registered")}
    for name, ready, deleted, created in nodes:
        out["registered"].append(name)
        if deleted:
            out["deleted"].append(name)
        elif ready:
            out["ready"].append(name)
        elif created + max_node_startup_time > now:
            out["not_started"].append(name)
        else:
            out["unready"].append(name)
    for name, since in unregistered:
        out["long_unregistered" if since + max_node_provision_time < now else "unregistered"].append(name)
    return Readiness(**{k: tuple(v) for k, v in out.items()})


def cluster_healthy(total: Readiness, registered_nodes: int, *, ok_total_unready_count: int = 3,
                    max_total_unready_percentage: float = 45.0) -> bool:
    """``IsClusterHealthy``: not too many nodes broke down."""
    unready = len(total.unready)
    return not (unready > ok_total_unready_count
                and unready > max_total_unready_percentage / 100.0 * registered_nodes)


def group_healthy(group: Readiness | None, target: int, in_flight: int, *, ok_total_unready_count: int = 3,
                  max_total_unready_percentage: float = 45.0) -> bool:
    """``IsNodeGroupHealthy``: ``group`` is the group's readiness (None when
    it has no node registered or awaited), ``target`` its target size and
    ``in_flight`` the nodes of its scale-up still under way."""
    minimum = target - (len(group.long_unregistered) if group is not None else 0) - in_flight
    if group is None:
        return target == 0 or (minimum == 0 and target > 0)
    unjustified = max(0, minimum - len(group.ready))
    return not (unjustified > ok_total_unready_count
                and unjustified > max_total_unready_percentage / 100.0
                * (len(group.ready) + len(group.unready) + len(group.not_started)))
