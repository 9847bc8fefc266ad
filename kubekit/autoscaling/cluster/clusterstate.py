"""Node readiness, health and node-group sizes, as cluster-autoscaler's
clusterstate registry counts them (``clusterstate/clusterstate.go``:
``updateReadinessStats``, ``updateAcceptableRanges``, ``IsClusterHealthy``,
``IsNodeGroupHealthy``, ``GetUpcomingNodes``,
``updateIncorrectNodeGroupSizes``; and ``core/static_autoscaler.go``'s
``fixNodeGroupSize``).  Pure: the autoscaler hands in what it read.

**Readiness.**  Each registered node is exactly one of:

* *deleted* — being removed by the autoscaler (upstream: no cloud instance
  any more; here: the ``ToBeDeletedByClusterAutoscaler`` taint);
* *ready* — its ``Ready`` condition is ``True``;
* *not started* — not ready, created less than ``max_node_startup_time``
  (15 min, upstream's ``MaxNodeStartupTime``) ago;
* *unready* — not ready for longer: it broke down.  An unready node that is
  not ready only because its GPUs are not allocatable yet
  (:mod:`.customresources`: upstream's ``ResourceUnready`` reason) is also
  *resource unready*; that list only informs (the status), the node counts
  as unready everywhere (cluster and group health).  Before
  ``max_node_startup_time`` such a node is *not started*, like any young
  node that is not ready.

A node a scale-up asked for that has not registered is *unregistered*, and
*long unregistered* once it has waited more than its group's
``max_node_provision_time``.

**Upcoming nodes** (``GetUpcomingNodes``): a group's target size less its
ready, unready and long-unregistered nodes; its not-started nodes are among
them (the scale-up simulation stands template nodes in for them and
scale-down leaves them alone).

**Incorrect size** (``updateIncorrectNodeGroupSizes``): a group with nodes
registered or awaited whose registered nodes are more than its target size,
or fewer than its target size less its unregistered nodes (the target holds
requests the cloud never turned into instances).  The first time the
difference was seen is kept while the registered count and the target stay
the same, and starts over when either changes (a new scale-up changes the
target).  Once it is older than the group's ``max_node_provision_time``, a
group short of its target has its target decreased by the difference
(``fixNodeGroupSize``); one above its target is left alone.

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

__all__ = ["MAX_NODE_STARTUP_TIME", "NOT_READY_FOR_SCALE_UP", "IncorrectNodeGroupSize", "Readiness",
           "cluster_healthy", "group_healthy", "incorrect_node_group_sizes", "node_group_size_fix", "node_is_ready",
           "readiness", "upcoming_nodes"]

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
    resource_unready: tuple[str, ...] = ()      # among ``unready``: its GPUs are not allocatable

    def counts(self) -> dict[str, int]:
        """The status ConfigMap's node counts (upstream's ``buildNodeCount``;
        ``resourceUnready`` is among ``unready``)."""
        return {"registered": len(self.registered), "ready": len(self.ready), "notStarted": len(self.not_started),
                "beingDeleted": len(self.deleted), "unready": len(self.unready),
                "resourceUnready": len(self.resource_unready),
                "unregistered": len(self.unregistered), "longUnregistered": len(self.long_unregistered)}


def node_is_ready(node: Mapping[str, Any]) -> bool:
    """The node's ``Ready`` condition is ``True``."""
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def readiness(nodes: Iterable[tuple], unregistered: Iterable[tuple], now: float,
              *, max_node_startup_time: float = MAX_NODE_STARTUP_TIME,
              max_node_provision_time: float = 900.0) -> Readiness:
    """``updateReadinessStats``.  ``nodes``: ``(name, ready, being deleted,
    created at[, resource unready])`` per registered node (a resource-unready
    node is passed not ready, as upstream's processor hands the registry an
    unready copy of it); ``unregistered``: ``(name, unregistered since[, its
    group's max node provision time])`` per awaited node (without it,
    ``max_node_provision_time``); times in seconds on one clock."""
    out: dict[str, list[str]] = {k: [] for k in ("ready", "unready", "not_started", "deleted", "unregistered",
                                                 "long_unregistered", "registered", "resource_unready")}
    for name, ready, deleted, created, *rest in nodes:
        out["registered"].append(name)
        if deleted:
            out["deleted"].append(name)
        elif ready:
            out["ready"].append(name)
        elif created + max_node_startup_time > now:
            out["not_started"].append(name)
        else:
            out["unready"].append(name)
            if rest and rest[0]:
                out["resource_unready"].append(name)
    for name, since, *rest in unregistered:
        limit = rest[0] if rest else max_node_provision_time
        out["long_unregistered" if since + limit < now else "unregistered"].append(name)
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


def upcoming_nodes(group: Readiness | None, target: int) -> tuple[int, tuple[str, ...]]:
    """``GetUpcomingNodes`` for one group: how many nodes are still to come
    (its target less its ready, unready and long-unregistered nodes) and,
    when any are, which of them already registered (its not-started
    nodes)."""
    r = group or Readiness()
    new_nodes = target - (len(r.ready) + len(r.unready) + len(r.long_unregistered))
    if new_nodes <= 0:
        return 0, ()
    return new_nodes, r.not_started


@dataclass(frozen=True, slots=True)
class IncorrectNodeGroupSize:
    """Upstream's ``IncorrectNodeGroupSize``: the group's target size
    (``expected_size``), its registered nodes (``current_size``) and when
    that difference was first seen."""

    expected_size: int
    current_size: int
    first_observed: float


def incorrect_node_group_sizes(previous: Mapping[str, IncorrectNodeGroupSize],
                               groups: Mapping[str, tuple[Readiness | None, int]],
                               now: float) -> dict[str, IncorrectNodeGroupSize]:
    """``updateIncorrectNodeGroupSizes``: ``groups`` maps each group to its
    readiness (None: no node registered or awaited; such a group is never
    of incorrect size) and its target size; ``previous`` is the last scan's
    result."""
    out: dict[str, IncorrectNodeGroupSize] = {}
    for name, (r, target) in groups.items():
        if r is None:
            continue
        registered = len(r.registered)
        unregistered = len(r.unregistered) + len(r.long_unregistered)
        if registered > target or registered < target - unregistered:
            incorrect = IncorrectNodeGroupSize(target, registered, now)
            old = previous.get(name)
            if old is not None and (old.current_size, old.expected_size) == (registered, target):
                incorrect = old
            out[name] = incorrect
    return out


def node_group_size_fix(incorrect: IncorrectNodeGroupSize | None, now: float, max_node_provision_time: float) -> int:
    """``fixNodeGroupSize`` for one group: the (negative) change of its
    target size to make now, 0 for none.  Only a group short of its target
    for longer than ``max_node_provision_time`` is fixed."""
    if incorrect is None or not incorrect.first_observed + max_node_provision_time < now:
        return 0
    return min(0, incorrect.current_size - incorrect.expected_size)
