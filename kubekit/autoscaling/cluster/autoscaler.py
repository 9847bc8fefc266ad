"""The cluster autoscaler: every ``scan_interval`` it reads the cluster,
scales a node group up for pending pods no node can take, and removes nodes
that have been unneeded long enough (``core/static_autoscaler.RunOnce``).

The decisions are the pure planners' (:mod:`.scaleup`, :mod:`.expander`,
:mod:`.scaledown`, :mod:`.drainability`, :mod:`.disruption`); this module
reads the informers, calls them, and acts: a provider grows or shrinks a
group, nodes are tainted and drained (:mod:`.removal`), Events explain every
decision, and :meth:`ClusterAutoscaler.status` (also written to the
``kube-system/cluster-autoscaler-status`` ConfigMap) says what was decided
and why.  Level-triggered: each scan starts from what the cluster is now.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubekit.autoscaling.cluster.actuation import Actuation
from kubekit.autoscaling.cluster.atomic import plan_removals, prefilter_incomplete
from kubekit.autoscaling.cluster.backoff import GroupBackoff
from kubekit.autoscaling.cluster.clusterstate import (
    IncorrectNodeGroupSize, Readiness, cluster_healthy, group_healthy, incorrect_node_group_sizes, node_group_size_fix,
    node_is_ready, readiness, upcoming_nodes,
)
from kubekit.autoscaling.cluster.customresources import expects_gpu, has_unready_gpu, node_gpu_resource
from kubekit.autoscaling.cluster.disruption import budget_status
from kubekit.autoscaling.cluster.drainability import RemainingBudgets, pod_name
from kubekit.autoscaling.cluster.expander import Expander
from kubekit.autoscaling.cluster.nodegroupconfig import hold_not_unneeded_long_enough, split_by_utilization
from kubekit.autoscaling.cluster.nodegroups import NodeGroup
from kubekit.autoscaling.cluster.options import AutoscalerOptions, NodeGroupAutoscalingOptions
from kubekit.autoscaling.cluster.owners import StoreOwners
from kubekit.autoscaling.cluster.removal import TO_BE_DELETED_TAINT
from kubekit.autoscaling.cluster.scaledown import (
    Candidate, NodeVerdict, find_unneeded, update_unneeded,
)
from kubekit.autoscaling.cluster.scaleup import GroupState, not_triggered_message, plan_scale_up, triggered_message
from kubekit.autoscaling.cluster.snapshot import PodParser, build_scheduler, parse_node
from kubekit.autoscaling.cluster.status import status_configmap
from kubekit.autoscaling.cluster.utilization import calculate, split_pods
from kubekit.cluster.events import EventRecorder
from kubekit.cluster.scheduling import pod_is_pending
from kubekit.controllers.informer import Informer, object_key
from kubekit.errors import KubekitError
from kubekit.node.rules.backoff import go_duration
from kubekit.store.meta import parse_time, rfc3339

__all__ = ["ClusterAutoscaler", "SCALE_DOWN_DISABLED"]

log = logging.getLogger(__name__)

SCALE_DOWN_DISABLED = "cluster-autoscaler.kubernetes.io/scale-down-disabled"


def _unschedulable(pod: Mapping[str, Any]) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "PodScheduled":
            return c.get("status") == "False" and c.get("reason") == "Unschedulable"
    return False


def _queue_order(pod: Mapping[str, Any]) -> tuple:
    m = pod["metadata"]
    return (-int((pod.get("spec") or {}).get("priority") or 0), m.get("creationTimestamp") or "", object_key(pod))


def _tainted_for_deletion(node: Mapping[str, Any]) -> bool:
    return any(t.get("key") == TO_BE_DELETED_TAINT for t in (node.get("spec") or {}).get("taints") or ())


class ClusterAutoscaler(Actuation):
    """See the module docstring.  ``pods``/``nodes``: shared informers (a
    :class:`~kubekit.cluster.local.ControlPlane`'s); without them the
    autoscaler opens its own."""

    def __init__(self, store, clock, groups: Sequence[NodeGroup], *, pods: Informer | None = None,
                 nodes: Informer | None = None, options: AutoscalerOptions = AutoscalerOptions(),
                 events: EventRecorder | None = None) -> None:
        names = [g.name for g in groups]
        if len(set(names)) != len(names):
            raise ValueError(f"node group names must be unique: {names}")
        self.store, self.clock, self.groups, self.options = store, clock, list(groups), options
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.nodes = nodes if nodes is not None else Informer(store, "Node")
        self.pdbs = Informer(store, "PodDisruptionBudget")
        self._own = [i for i, given in ((self.pods, pods), (self.nodes, nodes)) if given is None] + [self.pdbs]
        self.events = events or EventRecorder(store, clock, "cluster-autoscaler")
        self.expander = Expander(options.expander, seed=options.seed)
        self.parse = PodParser()
        self.unneeded_since: dict[str, float] = {}
        self.backoff = GroupBackoff(options.initial_node_group_backoff_duration,
                                    options.max_node_group_backoff_duration, options.node_group_backoff_reset_timeout)
        # clusterstate: per group, the scale-up under way [time, expected add
        # time, nodes asked for]; per node a scale-up asked for, when it was
        # first seen unregistered; the instances in error already reported
        self.scale_up_requests: dict[str, list] = {}
        self.unregistered_since: dict[str, float] = {}
        self._seen_errors: set[str] = set()
        # per group, since when its registered nodes disagree with its target size
        self.incorrect_sizes: dict[str, IncorrectNodeGroupSize] = {}
        self.last_scale_up = self.last_scale_down_delete = self.last_scale_down_failure = float("-inf")
        self._next_scan = clock.monotonic()
        self._status: dict[str, Any] = {}
        self.decisions: list[dict[str, Any]] = []        # every scale-up and removal, in order (for tests, demos)

    # -- the loop --------------------------------------------------------------------
    def run_once(self) -> int:
        """Scan if ``scan_interval`` has passed since the last scan; 1 if it did."""
        now = self.clock.monotonic()
        if now < self._next_scan:
            return 0
        self._next_scan = now + self.options.scan_interval
        for inf in self._own:
            if not inf.has_synced:
                inf.start()
            inf.pump()
        self.scan()
        return 1

    @property
    def group_options(self) -> dict[str, NodeGroupAutoscalingOptions]:
        """Each group's options: its own overrides, else the global ones
        (``GetOptions``; read each time, as ``groups`` may change)."""
        return {g.name: g.get_options(self.options) for g in self.groups}

    def next_wakeup(self) -> float | None:
        return max(0.0, self._next_scan - self.clock.monotonic())

    def status(self) -> dict[str, Any]:
        """The last scan's status (a copy): cluster-wide and per group, with
        the reasons for every decision."""
        return copy.deepcopy(self._status)

    # -- one scan ----------------------------------------------------------------------
    def scan(self) -> None:
        now, wall = self.clock.monotonic(), self.clock.now()
        nodes = {n["metadata"]["name"]: n for n in self.nodes.list()}
        pods = self.pods.list()
        bound: dict[str, list[dict]] = {}
        for p in pods:
            node = (p.get("spec") or {}).get("nodeName")
            if node and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                bound.setdefault(node, []).append(p)
        members = {g.name: [n for n in g.node_names() if n in nodes] for g in self.groups}
        upcoming = self._upcoming(nodes)
        errors = {g.name: g.instance_errors() for g in self.groups}
        # target size the cloud holds no instance for yet (never named)
        unfulfilled = {g.name: g.target_size() - len(members[g.name]) - len(upcoming[g.name]) - len(errors[g.name])
                       for g in self.groups}
        self._update_scale_up_requests(upcoming, errors, unfulfilled, now)
        self._handle_instance_errors(errors, now)
        if self._remove_old_unregistered(members, upcoming, now):
            upcoming = self._upcoming(nodes)
        targets = {g.name: g.target_size() for g in self.groups}
        total, per_group = self._readiness(nodes, members, upcoming, now, wall)
        self.incorrect_sizes = incorrect_node_group_sizes(
            self.incorrect_sizes, {g.name: (per_group[g.name], targets[g.name]) for g in self.groups}, now)
        healthy = cluster_healthy(total, len(nodes), ok_total_unready_count=self.options.ok_total_unready_count,
                                  max_total_unready_percentage=self.options.max_total_unready_percentage)
        status: dict[str, Any] = {"time": rfc3339(wall), "autoscalerStatus": "Running",
                                  "clusterWide": {"health": {"status": "Healthy" if healthy else "Unhealthy",
                                                             "nodeCounts": total.counts()}},
                                  "nodeGroups": [], "scaleUp": {}, "scaleDown": {}}
        group_ok = {}
        for g in self.groups:
            request = self.scale_up_requests.get(g.name)
            group_ok[g.name] = group_healthy(
                per_group[g.name], targets[g.name], request[2] if request else 0,
                ok_total_unready_count=self.options.ok_total_unready_count,
                max_total_unready_percentage=self.options.max_total_unready_percentage)
        if not healthy:
            # static_autoscaler: with that much of the cluster broken, do nothing but say so
            log.warning("Cluster is not ready for autoscaling")
            self.unneeded_since.clear()
            self.events.warning(self._status_object(), "ClusterUnhealthy", "Cluster is unhealthy")
        elif self._delete_created_nodes_with_errors(errors):
            # static_autoscaler: the sizes this scan read are stale now; decide at the next scan
            log.info("some nodes that failed to create were removed, skipping iteration")
        elif self._fix_node_group_sizes(now, wall):
            # static_autoscaler: fixNodeGroupSize changed a target size (or failed): decide at the next scan
            log.info("Some node group target size was fixed, skipping the iteration")
        else:
            # registered nodes still to come (not started): the scale-up simulation replaces them with
            # template nodes and scale-down leaves them alone (GetUpcomingNodes' registered names)
            coming = {g.name: upcoming_nodes(per_group[g.name], targets[g.name]) for g in self.groups}
            starting = {n for count, names in coming.values() for n in names}
            long_unregistered = {g.name: (per_group[g.name] or Readiness()).long_unregistered for g in self.groups}
            scaled = self._scale_up(nodes, pods, bound, members, upcoming, status["scaleUp"], group_ok,
                                    targets=targets, unfulfilled=unfulfilled, starting=starting,
                                    counts={name: count for name, (count, _) in coming.items()},
                                    long_unregistered=long_unregistered)
            if self.options.scale_down_enabled:
                self._scale_down(nodes, bound, members, targets, status["scaleDown"], skip=scaled, now=now,
                                 wall=wall, starting=starting)
        for g in self.groups:
            registered, booting, failed = g.node_names(), g.upcoming(), g.instance_errors()
            entry = {"name": g.name, "size": g.target_size(), "minSize": g.min_size,
                     "maxSize": g.max_size, "price": g.price, "priority": g.priority, "nodes": sorted(registered),
                     "upcoming": sorted(booting),
                     "health": {"status": "Healthy" if group_ok[g.name] else "Unhealthy",
                                "nodeCounts": (per_group[g.name] or Readiness()).counts()}}
            if failed:
                entry["instanceErrors"] = {n: f"{e.error_class}.{e.code}: {e.message}" for n, e in sorted(failed.items())}
            incorrect = self.incorrect_sizes.get(g.name)
            if incorrect is not None:
                entry["incorrectSize"] = {"expectedSize": incorrect.expected_size,
                                          "currentSize": incorrect.current_size,
                                          "firstObserved": rfc3339(wall - (now - incorrect.first_observed))}
            if self.backoff.is_backed_off(g.name, now):
                info = self.backoff.info(g.name)
                entry["backoffUntil"] = rfc3339(wall + info.until - now)
                if info.error_code:
                    entry["backoffInfo"] = {"errorCode": info.error_code, "errorMessage": info.error_message}
            status["nodeGroups"].append(entry)
        self._status = status
        if self.options.write_status_configmap:
            self._write_status()

    # -- upcoming nodes (clusterstate) ------------------------------------------------
    def _upcoming(self, nodes: Mapping[str, dict]) -> dict[str, list[str]]:
        """Per group, the nodes a scale-up asked for that are not in the
        cluster yet (booting, or registered but not yet seen by the
        informer), as CA's clusterstate counts them."""
        return {g.name: g.upcoming() + [n for n in g.node_names() if n not in nodes] for g in self.groups}

    def _update_scale_up_requests(self, upcoming: Mapping[str, list[str]], errors: Mapping[str, Mapping[str, Any]],
                                  unfulfilled: Mapping[str, int], now: float) -> None:
        """``updateScaleRequests``: a scale-up whose nodes all registered is
        done (instances in error and requests the cloud has not turned into
        instances still count as awaited: the group's target size holds
        them); one still waiting after its group's
        ``max_node_provision_time`` (the expected time set when it was
        made) timed out: the group is backed off.  (As upstream today, a
        completed scale-up does not reset a backoff; old entries expire
        after ``node_group_backoff_reset_timeout``.)"""
        self.backoff.remove_stale(now)
        for name, (asked, expected, _) in list(self.scale_up_requests.items()):
            if not upcoming.get(name) and not errors.get(name) and unfulfilled.get(name, 0) <= 0:
                del self.scale_up_requests[name]
            elif expected < now:
                took = go_duration(now - asked)
                log.warning("scale-up timed out for node group %s after %s", name, took)
                self.events.warning(self._status_object(), "ScaleUpTimedOut",
                                    f"Nodes added to group {name} failed to register within {took}")
                self.backoff.backoff(name, now)
                del self.scale_up_requests[name]

    def _remove_old_unregistered(self, members: Mapping[str, list[str]], upcoming: Mapping[str, list[str]],
                                 now: float) -> bool:
        """``removeOldUnregisteredNodes``: a node asked for that has not
        registered within its group's ``max_node_provision_time`` of being
        first seen is deleted from its group, unless the group is at its min
        size."""
        waiting = {n for names in upcoming.values() for n in names}
        self.unregistered_since = {n: self.unregistered_since.get(n, now) for n in waiting}
        removed = False
        for g in self.groups:
            size = g.target_size()
            limit = g.get_options(self.options).max_node_provision_time
            for name in upcoming[g.name]:
                if self.unregistered_since[name] + limit >= now:
                    continue
                if g.min_size >= size:
                    log.warning("failed to remove node %s: node group min size reached, skipping unregistered "
                                "node removal", name)
                    continue
                self.events.normal(self._status_object(), "DeleteUnregistered", f"Removing unregistered node {name}")
                try:
                    g.provider.delete_nodes(g, [name])
                except (ValueError, KubekitError) as e:
                    log.warning("failed to remove unregistered node %s: %s", name, e)
                    continue
                self.unregistered_since.pop(name)
                size -= 1
                removed = True
        return removed

    # -- instances in error, readiness (clusterstate) --------------------------------
    def _handle_instance_errors(self, errors: Mapping[str, Mapping[str, Any]], now: float) -> None:
        """``handleInstanceCreationErrors``: instances of a scale-up under way
        that the cloud failed to create (not seen before) fail the scale-up:
        a ``ScaleUpFailed`` Event per error code, the request shrinks by
        them, and the group is backed off with the error."""
        for g in self.groups:
            by_code: dict[tuple[str, str], list[str]] = {}
            for name, e in sorted(errors[g.name].items()):
                by_code.setdefault((e.error_class, e.code), []).append(name)
            for (cls, code), names in sorted(by_code.items()):
                unseen = [n for n in names if n not in self._seen_errors]
                request = self.scale_up_requests.get(g.name)
                if not unseen or request is None:
                    continue
                messages = sorted({errors[g.name][n].message for n in names})
                text = ", ".join(messages) + (", ..." if len(messages) > 3 else "")
                log.warning("failed adding %d nodes to group %s due to %s.%s: %s", len(unseen), g.name, cls, code, text)
                self.events.warning(self._status_object(), "ScaleUpFailed",
                                    f"Failed adding {len(unseen)} nodes to group {g.name} due to {cls}.{code}; "
                                    f"source errors: {text}")
                request[2] -= len(unseen)
                if request[2] <= 0:
                    del self.scale_up_requests[g.name]
                self.backoff.backoff(g.name, now, error_code=f"{cls}.{code}", error_message=text)
        self._seen_errors = {n for errs in errors.values() for n in errs}

    def _delete_created_nodes_with_errors(self, errors: Mapping[str, Mapping[str, Any]]) -> bool:
        """``deleteCreatedNodesWithErrors``: instances in error leave their
        group; all of an atomic group's instances go with them."""
        deleted = False
        for g in self.groups:
            if not errors[g.name]:
                continue
            names = sorted(errors[g.name])
            if g.get_options(self.options).zero_or_max_node_scaling:
                # overrideNodesToDeleteForZeroOrMax: an atomic group's failed scale-up is cleaned up whole
                names = sorted(set(names) | set(g.node_names()) | set(g.upcoming()))
            log.info("deleting %d instances of node group %s because of create errors", len(names), g.name)
            try:
                g.provider.delete_nodes(g, names)
                deleted = True
            except (ValueError, KubekitError) as e:
                log.warning("failed to delete instances in error of node group %s: %s", g.name, e)
        return deleted

    def _readiness(self, nodes: Mapping[str, dict], members: Mapping[str, list[str]],
                   upcoming: Mapping[str, list[str]], now: float,
                   wall: float) -> tuple[Readiness, dict[str, Readiness | None]]:
        """The cluster's and each group's readiness (``updateReadinessStats``),
        a ready node of a group whose template has GPUs but with none
        allocatable counted not ready (``FilterOutNodesWithUnreadyResources``)."""
        o = self.options
        gpu_groups = {g.name for g in self.groups if g.template is not None and expects_gpu(g.template.extended)}
        gpu_nodes = {n for g in self.groups if g.name in gpu_groups for n in members[g.name]}

        def state(name: str) -> tuple[str, bool, bool, float, bool]:
            n = nodes[name]
            created = (n.get("metadata") or {}).get("creationTimestamp")
            ready = node_is_ready(n)
            resource_unready = ready and has_unready_gpu(n, name in gpu_nodes)
            return (name, ready and not resource_unready, _tainted_for_deletion(n),
                    parse_time(created) if created else wall, resource_unready)

        def waiting(g: NodeGroup) -> list[tuple[str, float, float]]:
            limit = g.get_options(self.options).max_node_provision_time
            return [(n, wall - (now - self.unregistered_since.get(n, now)), limit) for n in upcoming[g.name]]

        kw = {"max_node_startup_time": o.max_node_startup_time}
        states = {name: state(name) for name in sorted(nodes)}          # each node read once
        total = readiness(states.values(), [w for g in self.groups for w in waiting(g)], wall, **kw)
        per_group = {g.name: readiness([states[n] for n in members[g.name]], waiting(g), wall, **kw)
                     if members[g.name] or upcoming[g.name] else None for g in self.groups}
        return total, per_group

    def _fix_node_group_sizes(self, now: float, wall: float) -> bool:
        """``fixNodeGroupSize``: a group short of its target size for longer
        than its ``max_node_provision_time`` has its target decreased by the
        difference (``DecreaseTargetSize``).  True if a target changed or a
        decrease failed: upstream then ends the iteration (a failure stops
        the fixing at that group, as upstream returns its error).  An atomic
        (``ZeroOrMaxNodeScaling``) group is skipped, as upstream's
        ``TestFixNodeGroupSize_ZeroOrMaxNodeScaling`` has it."""
        fixed = False
        for g in self.groups:
            if g.get_options(self.options).zero_or_max_node_scaling:
                continue                # an atomic group's target is not decreased piecemeal
            incorrect = self.incorrect_sizes.get(g.name)
            delta = node_group_size_fix(incorrect, now, g.get_options(self.options).max_node_provision_time)
            if delta >= 0:
                continue
            log.info("Decreasing size of %s, expected=%d current=%d delta=%d", g.name, incorrect.expected_size,
                     incorrect.current_size, delta)
            try:
                g.decrease_target_size(delta)
            except (ValueError, KubekitError) as e:
                log.error("Failed to fix node group sizes: failed to decrease %s: %s", g.name, e)
                return True
            fixed = True
            self.decisions.append({"action": "FixNodeGroupSize", "group": g.name, "from": incorrect.expected_size,
                                   "to": incorrect.expected_size + delta, "time": rfc3339(wall)})
        return fixed

    # -- scale-up --------------------------------------------------------------------
    def _group_states(self, sizes: Mapping[str, int], healthy: Mapping[str, bool]) -> list[GroupState]:
        stamp = rfc3339(self.clock.now())
        now = self.clock.monotonic()
        out = []
        for g in self.groups:
            template = parse_node(g.template_manifest(stamp)) if g.can_grow else None
            out.append(GroupState(g.name, sizes[g.name], g.min_size, g.max_size, template, g.price, g.priority,
                                  self.backoff.is_backed_off(g.name, now), healthy[g.name],
                                  bool(g.get_options(self.options).zero_or_max_node_scaling)))
        return out

    def _upcoming_manifests(self, upcoming: Mapping[str, list[str]], unfulfilled: Mapping[str, int],
                            starting: set[str], members: Mapping[str, list[str]],
                            counts: Mapping[str, int] | None = None,
                            long_unregistered: Mapping[str, Iterable[str]] | None = None) -> list[dict]:
        """Template nodes standing for the upcoming ones (CA's
        ``getUpcomingNodeInfos``): pods that fit them wait for them rather
        than trigger another scale-up.  Upcoming: the nodes not registered
        yet, the registered ones not started yet (``starting``: a GPU node
        whose GPUs are not allocatable yet gets its template's GPUs here)
        and the target size the cloud has no instance for yet -- at most
        ``counts[group]`` of them (``GetUpcomingNodes``: the target size
        less the ready, unready and long-unregistered nodes), and never a
        long-unregistered node (one that did not register within
        ``max_node_provision_time``: it is not coming)."""
        stamp = rfc3339(self.clock.now())
        out = []
        for g in self.groups:
            if g.template is None:
                continue
            gone = set((long_unregistered or {}).get(g.name) or ())
            names = [n for n in upcoming[g.name] if n not in gone] + [n for n in members[g.name] if n in starting]
            names += [f"template-node-for-{g.name}-upcoming-{i}" for i in range(max(0, unfulfilled[g.name]))]
            if counts is not None:
                names = names[:max(0, counts.get(g.name, 0))]
            if names:
                template = g.labelled_template()
                out += [template.manifest(name, stamp) for name in names]
        return out

    def _scale_up(self, nodes, pods, bound, members, upcoming, out: dict, healthy: Mapping[str, bool], *,
                  targets: Mapping[str, int], unfulfilled: Mapping[str, int], starting: set[str],
                  counts: Mapping[str, int] | None = None,
                  long_unregistered: Mapping[str, Iterable[str]] | None = None) -> bool:
        pending = sorted((p for p in pods if pod_is_pending(p) and _unschedulable(p)), key=_queue_order)
        out.update({"pendingUnschedulable": len(pending), "status": "NoActivity"})
        if not pending:
            return False
        manifests, parsed = {}, []
        for p in pending:
            try:
                pod = self.parse(p)
            except KubekitError as e:
                log.warning("pending pod %s cannot be simulated: %s", object_key(p), e)
                continue
            parsed.append(pod)
            manifests[f"{pod.namespace}/{pod.name}"] = p
        # a not-started node leaves the snapshot with its pods; a template node stands in for it
        kept = [n for name, n in nodes.items() if name not in starting]
        coming = self._upcoming_manifests(upcoming, unfulfilled, starting, members, counts, long_unregistered)
        snapshot = build_scheduler([*kept, *coming],
                                   {n: ps for n, ps in bound.items() if n not in starting}, self.parse,
                                   config=self.options.scheduler_config, seed=self.options.seed)
        sizes = dict(targets)
        # the nodes still to come that are not registered (not-started ones are among ``nodes``)
        awaited = sum(1 for m in coming if m["metadata"]["name"] not in starting)
        plan = plan_scale_up(parsed, snapshot, self._group_states(sizes, healthy), config=self.options.scheduler_config,
                             seed=self.options.seed, total_nodes=len(nodes) + awaited,
                             max_nodes_total=self.options.max_nodes_total)
        out["schedulableOnExistingNodes"] = len(plan.schedulable)
        out["options"] = [{"group": o.group, "nodes": o.node_count, "pods": len(o.pods)} for o in plan.options]
        for key, reasons in plan.not_helped.items():
            self.events.normal(manifests[key], "NotTriggerScaleUp", not_triggered_message(reasons))
        out["podsNotTriggeringScaleUp"] = {k: not_triggered_message(r) for k, r in sorted(plan.not_helped.items())}
        best = self.expander.best_option(plan.options)
        if best is None:
            return False
        group = next(g for g in self.groups if g.name == best.group)
        size = sizes[group.name]
        # an atomic option asks for the max size; the resize stops there (balanceScaleUps caps at MaxSize)
        delta = min(best.node_count, group.max_size - size)
        try:
            added = group.provider.increase_size(group, delta)
        except (ValueError, KubekitError) as e:
            out.update({"status": "Failed", "error": str(e)})
            log.warning("scale-up of %s failed: %s", group.name, e)
            return False
        self.last_scale_up = now = self.clock.monotonic()
        # a new request, or more nodes for a pending one: its clock starts over
        pending_nodes = self.scale_up_requests[group.name][2] if group.name in self.scale_up_requests else 0
        self.scale_up_requests[group.name] = [now, now + group.get_options(self.options).max_node_provision_time,
                                              pending_nodes + delta]
        msg = triggered_message([(group.name, size, size + delta, group.max_size)])
        for key in best.pods:
            self.events.normal(manifests[key], "TriggeredScaleUp", msg)
        self.events.normal(self._status_object(), "ScaledUpGroup",
                           f"Scale-up: setting group {group.name} size to {size + delta} instead of "
                           f"{size} (max: {group.max_size})")
        decision = {"action": "ScaleUp", "group": group.name, "from": size, "to": size + delta,
                    "nodes": list(added), "pods": list(best.pods), "expander": ",".join(self.expander.names),
                    "time": rfc3339(self.clock.now())}
        self.decisions.append(decision)
        out.update({"status": "InProgress", "lastScaleUp": decision})
        return True

    # -- scale-down ------------------------------------------------------------------
    def _cooldown(self, now: float) -> str:
        o = self.options
        if now < self.last_scale_up + o.scale_down_delay_after_add:
            return "ScaleDownInCooldown: a scale-up happened less than scale-down-delay-after-add ago"
        if now < self.last_scale_down_delete + o.delay_after_delete:
            return "ScaleDownInCooldown: a node was deleted less than scale-down-delay-after-delete ago"
        if now < self.last_scale_down_failure + o.scale_down_delay_after_failure:
            return "ScaleDownInCooldown: a scale-down failed less than scale-down-delay-after-failure ago"
        return ""

    def _requests(self, pod: Mapping[str, Any]) -> Mapping[str, int]:
        try:
            return self.parse(pod).requests
        except KubekitError:
            return {}

    def _candidates(self, nodes, bound, members, wall: float, starting: set[str]) -> list[Candidate]:
        """Every node a scale-down may remove, with its utilization (GPU
        nodes by their GPU) and readiness (a GPU node whose GPUs are not
        allocatable is unready, as the GPU processor marks it)."""
        o = self.options
        out = []
        for g in self.groups:
            if not g.can_grow:
                continue                     # a fixed group never shrinks
            ignore_daemonsets = g.get_options(self.options).ignore_daemonsets_utilization
            should_have_gpu = g.template is not None and expects_gpu(g.template.extended)
            for name in members[g.name]:
                node = nodes.get(name)
                if node is None or name in starting or _tainted_for_deletion(node) or \
                        (node["metadata"].get("annotations") or {}).get(SCALE_DOWN_DISABLED) == "true":
                    continue
                pods = bound.get(name, [])
                counted, skipped = split_pods(pods, wall, ignore_daemonsets=ignore_daemonsets,
                                              ignore_mirror_pods=o.ignore_mirror_pods_utilization)
                util = calculate(parse_node(node).allocatable, [self._requests(p) for p in counted],
                                 [self._requests(p) for p in skipped],
                                 gpu_resource=node_gpu_resource(node, should_have_gpu))
                ready = node_is_ready(node) and not has_unready_gpu(node, should_have_gpu)
                out.append(Candidate(name, g.name, node, pods, util, ready))
        return out

    def _budgets(self, pods_by_ns: Mapping[str, list[dict]], owners: StoreOwners) -> tuple[list[dict], dict[str, int]]:
        pdbs = self.pdbs.list()
        allowed = {pod_name(b): budget_status(b, pods_by_ns.get(b["metadata"].get("namespace") or "default", []),
                                              owners.scale).disruptions_allowed for b in pdbs}
        return pdbs, allowed

    def _scale_down(self, nodes, bound, members, targets, out: dict, *, skip: bool, now: float,
                    wall: float, starting: set[str]) -> None:
        """Not-started nodes (``starting``) are neither candidates nor
        destinations (upstream subtracts the registered upcoming nodes from
        ``allNodes``); each group's thresholds and unneeded/unready times
        are its own (:mod:`.nodegroupconfig`); atomic groups go whole or
        not at all (:mod:`.atomic`)."""
        o = self.options
        owners = StoreOwners(self.store)
        pods_by_ns: dict[str, list[dict]] = {}
        for p in self.pods.list():
            pods_by_ns.setdefault(p["metadata"].get("namespace") or "default", []).append(p)
        pdbs, allowed = self._budgets(pods_by_ns, owners)
        candidates = self._candidates(nodes, bound, members, wall, starting)
        snapshot = build_scheduler([n for name, n in nodes.items() if name not in starting],
                                   {n: ps for n, ps in bound.items() if n not in starting}, self.parse,
                                   config=o.scheduler_config, seed=o.seed)
        group_options = self.group_options
        not_underutilized, underutilized = split_by_utilization(
            candidates, {g: go.scale_down_utilization_threshold for g, go in group_options.items()},
            {g: go.scale_down_gpu_utilization_threshold for g, go in group_options.items()},
            scale_down_unready_enabled=o.scale_down_unready_enabled)
        atomic = {g for g, go in group_options.items() if go.zero_or_max_node_scaling}
        registered = {g.name: len(members[g.name]) for g in self.groups}
        underutilized, incomplete = prefilter_incomplete(underutilized, atomic, targets, registered)
        verdicts = find_unneeded(underutilized, snapshot, self.parse, threshold=1.0,
                                 pdbs=pdbs, budgets=RemainingBudgets(pdbs, allowed),
                                 controller_exists=owners.controller_exists, now=wall,
                                 skip_nodes_with_system_pods=o.skip_nodes_with_system_pods,
                                 skip_nodes_with_local_storage=o.skip_nodes_with_local_storage, atomic=atomic)
        verdicts = sorted(not_underutilized + incomplete + verdicts, key=lambda v: (v.utilization.value, v.node))
        self.unneeded_since = update_unneeded(self.unneeded_since, [v.node for v in verdicts if v.unneeded], now)
        cooldown = "ScaleUpInThisLoop" if skip else self._cooldown(now)
        ready_to_go, held = hold_not_unneeded_long_enough(
            verdicts, self.unneeded_since, now, {g: go.scale_down_unneeded_time for g, go in group_options.items()},
            {g: go.scale_down_unready_time for g, go in group_options.items()},
            {c.name for c in candidates if not c.ready})
        # atomic groups first, whole or not at all; single nodes get what they leave of the budgets (CropNodes)
        whole, removals = plan_removals(ready_to_go, self.unneeded_since, now, atomic=atomic, sizes=targets,
                                        min_sizes={g.name: g.min_size for g in self.groups}, registered=registered,
                                        parallelism=o.max_empty_bulk_delete, drain_budget=o.max_drain_parallelism)
        reasons = {**held, **whole.reasons, **removals.reasons}
        out["status"] = "CandidatesPresent" if any(v.unneeded for v in verdicts) else "NoCandidates"
        out["cooldown"] = cooldown
        out["nodes"] = {v.node: self._verdict_status(v, reasons, now) for v in verdicts}
        if cooldown:
            return
        by_name = {v.node: v for v in verdicts}
        removed: list[str] = []
        for name in removals.empty + removals.drain:
            if self._remove(by_name[name], nodes[name], bound.get(name, []), wall):
                removed.append(name)
        for empty, drain in whole.groups.values():
            removed += self._remove_atomic([by_name[n] for n in empty + drain], nodes, bound, wall)
        out["removed"] = removed

    def _verdict_status(self, v: NodeVerdict, reasons: Mapping[str, str], now: float) -> dict[str, Any]:
        d: dict[str, Any] = {"group": v.group, "utilization": round(float(v.utilization.value), 4),
                             "resource": v.utilization.resource, "unneeded": v.unneeded}
        if v.unneeded:
            d["unneededForSeconds"] = round(now - self.unneeded_since.get(v.node, now), 3)
            d["podsToMove"] = list(v.pods_to_move)
            if v.node in reasons:
                d["reason"] = reasons[v.node]
        else:
            d.update({"reason": v.reason, "message": v.message})
        return d

    # -- status ConfigMap --------------------------------------------------------------
    def _status_object(self) -> dict:
        o = self.options
        try:
            return self.store.get("ConfigMap", o.namespace, o.status_config_map_name)
        except KubekitError:
            return {"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": o.status_config_map_name, "namespace": o.namespace}}

    def _write_status(self) -> None:
        o = self.options
        cm = status_configmap(self._status, o.namespace, o.status_config_map_name)
        try:
            self.store.guaranteed_update("ConfigMap", o.namespace, o.status_config_map_name,
                                         lambda cur: {**cur, "data": cm["data"]} if cur.get("data") != cm["data"]
                                         else None)
        except KubekitError:
            try:
                self.store.create(cm)
            except KubekitError as e:
                log.warning("could not write the status ConfigMap: %s", e)


