"""The scheduling loop: kube-scheduler's role in the cluster.

It watches Nodes and Pods through informers, keeps kubekit's
:class:`~kubekit.scheduler.Scheduler` in step with the cluster (nodes added,
changed and removed; pods bound, finished or deleted), and for each pending
pod of its ``schedulerName``:

1. pops it from the :class:`~kubekit.scheduler.queue.SchedulingQueue`
   (priority, then age; backoff and unschedulable pods wait there);
2. asks the scheduler for a node (filters and scores, exact);
3. **binds**: sets ``spec.nodeName`` (refused if another scheduler bound it
   first) and the ``PodScheduled`` condition, and records a ``Scheduled``
   event; the scheduler *assumes* the pod at once, so the next decision
   already counts it;
4. or, when no node fits, records ``FailedScheduling`` with kube-scheduler's
   message (``0/3 nodes are available: 3 Insufficient cpu.``), sets
   ``PodScheduled=False`` with reason ``Unschedulable``, and parks the pod
   until a cluster event could make it fit (a node added or changed, a bound
   pod deleted or finished) or its backoff ends.

Nothing here sleeps: :meth:`SchedulingLoop.run_once` does what is ready
now; :meth:`SchedulingLoop.next_wakeup` says when more will be.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kubekit.cluster.conditions import set_condition
from kubekit.cluster.events import EventRecorder
from kubekit.cluster.podparse import PodParser, parse_node
from kubekit.cluster.volumebinding import VolumeBinder, uses_claims
from kubekit.controllers.informer import Informer, object_key
from kubekit.errors import ConflictError, KubekitError, NotFoundError
from kubekit.scheduler.queue import SchedulingQueue
from kubekit.store.meta import rfc3339

__all__ = ["SchedulingLoop", "pod_is_pending", "pod_updated", "set_condition"]

log = logging.getLogger(__name__)

DEFAULT_SCHEDULER_NAME = "default-scheduler"
TERMINAL_PHASES = ("Succeeded", "Failed")


def pod_is_pending(pod: dict, scheduler_name: str = DEFAULT_SCHEDULER_NAME) -> bool:
    """Unbound, not terminating, not finished, and ours to schedule."""
    spec, m = pod.get("spec") or {}, pod["metadata"]
    return (not spec.get("nodeName") and not m.get("deletionTimestamp")
            and (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES
            and (spec.get("schedulerName") or DEFAULT_SCHEDULER_NAME) == scheduler_name)


def pod_updated(old: dict, new: dict) -> bool:
    """kube-scheduler's ``isPodUpdated``: did more than the status (and the
    bookkeeping fields) change?  A scheduler's own status writes must not
    retry an unschedulable pod."""
    def strip(p: dict) -> dict:
        m = {k: v for k, v in p["metadata"].items()
             if k not in ("resourceVersion", "generation", "managedFields", "finalizers")}
        return {**{k: v for k, v in p.items() if k != "status"}, "metadata": m}
    return strip(old) != strip(new)


def _holds_resources(pod: dict) -> bool:
    """A bound pod counts on its node until it finishes (kube-scheduler
    drops terminated pods from its cache)."""
    return bool((pod.get("spec") or {}).get("nodeName")) and \
        (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one scheduling attempt did (for tests, logs and benchmarks)."""

    pod: str
    node: str | None
    message: str = ""


class SchedulingLoop:
    """Schedules the cluster's pending pods (see the module docstring)."""

    def __init__(self, store, clock, *, config=None, seed: int = 0,
                 scheduler_name: str = DEFAULT_SCHEDULER_NAME, events: EventRecorder | None = None,
                 pods: Informer | None = None, nodes: Informer | None = None) -> None:
        from kubekit.scheduler import Scheduler

        self.store, self.clock, self.scheduler_name = store, clock, scheduler_name
        self.scheduler = Scheduler(config, nodes=[], seed=seed)
        self.queue = SchedulingQueue(clock)
        self.events = events or EventRecorder(store, clock, "default-scheduler")
        self.nodes = nodes if nodes is not None else Informer(store, "Node")
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self._assumed: dict[str, object] = {}      # pod key -> the Pod object the scheduler accounts
        self._pod = PodParser()                     # manifest -> scheduler Pod, cached per template
        self._volumes: VolumeBinder | None = None   # started by the first pod with a PVC
        self.nodes.add_handler(self._node_added, self._node_updated, self._node_deleted)
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self.attempts: list[Attempt] = []
        self.keep_attempts = True

    # -- cluster state ----------------------------------------------------------------
    _node = staticmethod(parse_node)

    def _node_added(self, obj: dict) -> None:
        try:
            self.scheduler.add_node(self._node(obj))
        except KubekitError as e:
            log.warning("node %s cannot be used: %s", obj["metadata"]["name"], e)
            return
        self.queue.move_all_to_active_or_backoff("NodeAdd")

    def _node_updated(self, old: dict, new: dict) -> None:
        try:
            self.scheduler.update_node(self._node(new))
        except KubekitError as e:
            log.warning("node %s cannot be used: %s", new["metadata"]["name"], e)
            return
        self.queue.move_all_to_active_or_backoff("NodeUpdate")

    def _node_deleted(self, obj: dict) -> None:
        for key in self.scheduler.remove_node(obj["metadata"]["name"]):
            self._assumed.pop(key, None)

    def _account(self, key: str, obj: dict) -> None:
        if key in self._assumed:
            return
        node = obj["spec"]["nodeName"]
        if node not in self.scheduler.node_names:
            return                                   # its node is unknown (yet): nothing to account
        try:
            pod = self._pod(obj)
            self.scheduler.assume(pod, node)
        except KubekitError as e:
            log.warning("bound pod %s cannot be accounted: %s", key, e)
            return
        self._assumed[key] = pod

    def _release(self, key: str) -> bool:
        pod = self._assumed.pop(key, None)
        if pod is None:
            return False
        try:
            self.scheduler.forget(pod)
        except KubekitError:
            pass
        return True

    def _pod_added(self, obj: dict) -> None:
        key = object_key(obj)
        if _holds_resources(obj):
            self._account(key, obj)
        elif pod_is_pending(obj, self.scheduler_name):
            self.queue.add(key, obj, int((obj.get("spec") or {}).get("priority") or 0))

    def _pod_updated(self, old: dict, new: dict) -> None:
        key = object_key(new)
        if _holds_resources(new):
            self.queue.delete(key)                   # bound (by us or someone else)
            self._account(key, new)
        elif (new.get("spec") or {}).get("nodeName"):  # finished: its resources are free
            if self._release(key):
                self.queue.move_all_to_active_or_backoff("AssignedPodUpdate")
        elif pod_is_pending(new, self.scheduler_name):
            self.queue.update(key, new, int((new.get("spec") or {}).get("priority") or 0), pod_updated(old, new))
        else:
            self.queue.delete(key)

    def _pod_deleted(self, obj: dict) -> None:
        key = object_key(obj)
        self.queue.delete(key)
        if self._release(key):
            self.queue.move_all_to_active_or_backoff("AssignedPodDelete")

    # -- the loop -----------------------------------------------------------------------
    def start(self) -> SchedulingLoop:
        for inf in (self.nodes, self.pods):    # nodes first, so the first pods find them
            if not inf.has_synced:
                inf.start()
        return self

    def sync(self) -> int:
        """Apply the watch events that have arrived."""
        return self.nodes.pump() + self.pods.pump() + (self._volumes.sync() if self._volumes is not None else 0)

    def _volume_binder(self) -> VolumeBinder:
        if self._volumes is None:
            self._volumes = VolumeBinder(self.store, self.queue.move_all_to_active_or_backoff)
        return self._volumes

    def schedule_one(self) -> Attempt | None:
        """Try the next ready pod; None if none is ready."""
        info = self.queue.pop()
        if info is None:
            return None
        obj = self.pods.get(info.key)
        if obj is None or not pod_is_pending(obj, self.scheduler_name):
            self.queue.delete(info.key)
            return None
        plan = None
        try:
            if uses_claims(obj):                    # PersistentVolumeClaims: see kubekit.cluster.volumebinding
                plan = self._volume_binder().plan(obj, len(self.scheduler.node_names))
                if plan.error is not None:
                    self._unschedulable(obj, info, plan.error)
                    return self._note(Attempt(info.key, None, plan.error))
            pod = self._pod(obj if plan is None else plan.pod)
        except KubekitError as e:
            self.events.warning(obj, "FailedScheduling", str(e))
            self.queue.add_unschedulable(info)
            return self._note(Attempt(info.key, None, str(e)))
        result = self.scheduler.schedule(pod)
        if result.node is None:
            message = result.message
            if plan is not None and plan.constraints:
                message = plan.failure_message(self.scheduler.explain(self._pod(obj)), self.nodes)
            self._unschedulable(obj, info, message)
            return self._note(Attempt(info.key, None, message))
        self.scheduler.assume(pod, result.node)
        self._assumed[info.key] = pod
        try:
            self._bind(obj, result.node)
        except (ConflictError, NotFoundError) as e:
            self._release(info.key)
            if isinstance(e, NotFoundError):
                self.queue.delete(info.key)
            else:
                self.queue.add_backoff(info)
            return self._note(Attempt(info.key, None, str(e)))
        self.queue.done(info.key)
        if plan is not None and plan.delayed:
            try:
                self._volumes.select_node(obj, plan.delayed, result.node)
            except KubekitError as e:                # the PV controller sets it from the bound pod instead
                log.warning("pod %s: selected-node annotation: %s", info.key, e)
        m = obj["metadata"]
        self.events.normal(obj, "Scheduled", f"Successfully assigned {m.get('namespace', 'default')}/{m['name']} "
                                             f"to {result.node}")
        return self._note(Attempt(info.key, result.node))

    def _note(self, a: Attempt) -> Attempt:
        if self.keep_attempts:
            self.attempts.append(a)
        return a

    def _bind(self, obj: dict, node: str) -> None:
        """The binding subresource: ``spec.nodeName`` and ``PodScheduled``
        in one write, refused if someone bound the pod first."""
        m = obj["metadata"]
        self.store.bind(m.get("namespace"), m["name"], node, uid=m.get("uid"))

    def _unschedulable(self, obj: dict, info, message: str) -> None:
        m = obj["metadata"]
        self.events.warning(obj, "FailedScheduling", message)
        now = rfc3339(self.clock.now())
        try:
            self.store.guaranteed_update("Pod", m.get("namespace"), m["name"], lambda cur: cur if set_condition(
                cur.setdefault("status", {}), "PodScheduled", "False", now, "Unschedulable", message) else None,
                status=True)
        except NotFoundError:
            self.queue.delete(info.key)
            return
        self.queue.add_unschedulable(info)

    def run_once(self, limit: int | None = None) -> int:
        """Sync, then schedule every pod that is ready now (at most ``limit``);
        returns how many were tried."""
        self.sync()
        n = 0
        while limit is None or n < limit:
            if self.schedule_one() is None and self.queue.next_ready_in() != 0.0:
                break
            n += 1
            if n % 256 == 0:
                self.sync()
        return n

    def next_wakeup(self) -> float | None:
        """Seconds until a parked pod is ready again (None: only an event can wake one)."""
        return self.queue.next_ready_in()
