"""Simulated nodes, as KWOK or kubemark fake them: Node objects with
heartbeats, and pods that become Running without any process.

One :class:`SimulatedFleet` stands for any number of nodes with a single pod
informer (KWOK's design: one controller, many fake nodes), so thousands of
nodes run in one process.  It implements what the cluster sees of a kubelet:

* **registration**: a Node with the given capacity (allocatable = capacity),
  labels (``kubernetes.io/hostname``, ``type: kwok``...) and a Ready condition,
  at once or ``boot_seconds`` later (a cloud VM booting: until then the node
  is *provisioning*, known to the fleet but not to the cluster);
* **heartbeat**: a ``coordination.k8s.io/v1`` Lease per node in
  ``kube-node-lease``, renewed every ``renew_interval`` (10 s, a quarter of
  the 40 s lease duration, as kubelet does); a node can be *stopped*
  (heartbeats cease) to exercise the node lifecycle controller;
* **pods**: a pod bound to one of its nodes becomes Running and Ready
  ``start_delay`` seconds after the fleet first sees it (on the injected
  clock), with the conditions and container statuses a kubelet writes; a
  deleted pod is simply gone (no processes to stop);
* **usage**: each running pod reports cpu and memory usage (for the metrics
  the autoscaler reads): a constant per pod, or whatever a *usage model*
  ``model(pod, now) -> (cpu milli, memory bytes)`` says (a load trace spread
  over a Deployment's pods, say), or a *namespace usage model*
  ``model(namespace, running, now) -> {pod key: (cpu milli, memory bytes)}``
  that answers for a namespace's running pods at once (``running`` is
  ``pod key -> node``; one call per namespace and query instead of one per
  pod, for models that spread a namespace's load evenly);
* **removal**: :meth:`SimulatedFleet.remove_nodes` deletes nodes as a cloud
  provider does when a node group shrinks (the Node, its Lease, and the pods
  still bound to it, which Kubernetes' pod GC would delete).

Nothing sleeps: :meth:`SimulatedFleet.run_once` does what is due now, and
:meth:`SimulatedFleet.next_wakeup` says when the next thing is due.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from kubekit.cluster.conditions import set_condition
from kubekit.controllers.informer import Informer, object_key
from kubekit.errors import AlreadyExistsError, ConflictError, NotFoundError
from kubekit.node.lease import LEASE_NAMESPACE, renew_node_lease
from kubekit.store.meta import rfc3339

__all__ = ["NodeTemplate", "SimulatedFleet"]

log = logging.getLogger(__name__)

RENEW_INTERVAL = 10.0

#: ``model(namespace, running, now) -> {pod key: (cpu milli, memory bytes)}``, ``running``
#: the namespace's running pods (``pod key -> node``, read-only): a key left out has no usage.
NamespaceUsageModel = Callable[[str, Mapping[str, str], float], Mapping[str, tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class NodeTemplate:
    """The shape of simulated nodes."""

    cpu: str = "32"
    memory: str = "256Gi"
    pods: str = "110"
    ephemeral_storage: str = "1Ti"
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Mapping[str, str], ...] = ()
    extended: Mapping[str, str] = field(default_factory=dict)    # e.g. {"nvidia.com/gpu": "8"}

    def manifest(self, name: str, now: str) -> dict:
        capacity = {"cpu": self.cpu, "memory": self.memory, "pods": self.pods,
                    "ephemeral-storage": self.ephemeral_storage, **self.extended}
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                                  "kubernetes.io/arch": "amd64", "type": "kwok", **self.labels},
                         "annotations": {"kwok.x-k8s.io/node": "fake"}},
            "spec": {"taints": [dict(t) for t in self.taints]} if self.taints else {},
            "status": {"capacity": dict(capacity), "allocatable": dict(capacity),
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "kubelet is posting ready status",
                                       "lastHeartbeatTime": now, "lastTransitionTime": now}],
                       "nodeInfo": {"kubeletVersion": "kubekit-simulated", "operatingSystem": "linux",
                                    "architecture": "amd64"}},
        }


class SimulatedFleet:
    """Simulated nodes sharing one pod informer (see the module docstring)."""

    def __init__(self, store, clock, *, start_delay: float = 0.0, renew_interval: float = RENEW_INTERVAL,
                 pods: Informer | None = None, usage_cpu_milli: int = 0, usage_memory_bytes: int = 0,
                 usage_model: Callable[[dict, float], tuple[int, int]] | None = None,
                 namespace_usage_model: NamespaceUsageModel | None = None) -> None:
        self.store, self.clock = store, clock
        self.start_delay, self.renew_interval = start_delay, renew_interval
        self.usage_cpu_milli, self.usage_memory_bytes = usage_cpu_milli, usage_memory_bytes
        self.usage_model = usage_model
        self.namespace_usage_model = namespace_usage_model      # wins over usage_model when set
        self.nodes: dict[str, NodeTemplate] = {}
        self.stopped: set[str] = set()
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.pods.add_handler(self._pod_seen, lambda _o, n: self._pod_seen(n), self._pod_gone)
        self._due: list[tuple[float, int, str, str]] = []     # (when, seq, action, key) heap
        self._seq = itertools.count()
        self._scheduled: set[str] = set()                      # pod keys with a pending start
        self._running: dict[str, str] = {}                     # pod key -> node
        self._running_by_ns: dict[str, dict[str, str]] = {}   # namespace -> the same, for metrics
        self._next_renew = 0.0
        self._leases: dict[str, dict] = {}                     # node -> its Lease as last written
        self.provisioning: dict[str, NodeTemplate] = {}        # booting nodes, registered when due

    # -- nodes -------------------------------------------------------------------------
    def add_nodes(self, names: Iterable[str], template: NodeTemplate = NodeTemplate(), *,
                  boot_seconds: float = 0.0) -> None:
        """Register nodes (and their leases), at once or, with
        ``boot_seconds``, that many seconds from now (meanwhile they are in
        :attr:`provisioning`)."""
        names = list(names)
        if boot_seconds < 0:
            raise ValueError(f"boot_seconds {boot_seconds}: expected a non-negative number of seconds")
        if boot_seconds > 0:
            due = self.clock.monotonic() + boot_seconds
            for name in names:
                if name not in self.nodes and name not in self.provisioning:
                    self.provisioning[name] = template
                    heapq.heappush(self._due, (due, next(self._seq), "register", name))
            return
        self._register(names, template)

    def _register(self, names: list[str], template: NodeTemplate) -> None:
        now = self.clock.now()
        for name in names:
            try:
                self.store.create(template.manifest(name, rfc3339(now)))
            except AlreadyExistsError:
                pass
            self.nodes[name] = template
            self._renew_lease(name, now)
        self._next_renew = self.clock.monotonic() + self.renew_interval
        added = set(names)
        for pod in self.pods.list():          # a kubelet that registers lists the pods already bound to it
            if (pod.get("spec") or {}).get("nodeName") in added:
                self._pod_seen(pod)

    def remove_nodes(self, names: Iterable[str]) -> int:
        """Delete nodes for good, as a cloud provider does when a node group
        shrinks: the pods still bound to them (pod GC's orphans), their Leases
        and the Node objects.  How many nodes were removed."""
        names = list(names)
        cancelled = [n for n in names if self.provisioning.pop(n, None) is not None]   # never booted
        gone = [n for n in names if n in self.nodes]
        for pod in self.pods.list():
            if (pod.get("spec") or {}).get("nodeName") in gone:
                m = pod["metadata"]
                try:
                    self.store.delete("Pod", m.get("namespace"), m["name"], grace_period_seconds=0,
                                      preconditions={"uid": m.get("uid", "")})
                except (NotFoundError, ConflictError):
                    pass
        for name in gone:
            for kind, ns in (("Lease", LEASE_NAMESPACE), ("Node", None)):
                try:
                    self.store.delete(kind, ns, name)
                except NotFoundError:
                    pass
            del self.nodes[name]
            self._leases.pop(name, None)
            self.stopped.discard(name)
        return len(gone) + len(cancelled)

    def stop_node(self, name: str) -> None:
        """The node's kubelet dies: no more heartbeats, pods no longer started."""
        self.stopped.add(name)

    def restart_node(self, name: str) -> None:
        """The kubelet is back: it renews its lease and posts Ready again."""
        self.stopped.discard(name)
        now = self.clock.now()
        self._renew_lease(name, now)
        stamp = rfc3339(now)

        def ready(cur: dict) -> dict:
            st = cur.setdefault("status", {})
            conds = [c for c in st.get("conditions") or [] if c.get("type") not in
                     ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")]
            conds.append({"type": "Ready", "status": "True", "reason": "KubeletReady",
                          "message": "kubelet is posting ready status", "lastHeartbeatTime": stamp,
                          "lastTransitionTime": stamp})
            st["conditions"] = conds
            return cur
        self.store.guaranteed_update("Node", None, name, ready, status=True)
        for pod in self.pods.list():          # pods bound while it was down start now
            if (pod.get("spec") or {}).get("nodeName") == name:
                self._pod_seen(pod)

    def _renew_lease(self, name: str, now: float) -> None:
        renew_node_lease(self.store, name, now, self._leases)

    # -- pods ---------------------------------------------------------------------------
    def _pod_seen(self, pod: dict) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        key = object_key(pod)
        if node not in self.nodes or key in self._running or key in self._scheduled:
            return
        if pod["metadata"].get("deletionTimestamp") or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return
        self._scheduled.add(key)
        heapq.heappush(self._due, (self.clock.monotonic() + self.start_delay, next(self._seq), "start", key))

    def _pod_gone(self, pod: dict) -> None:
        key = object_key(pod)
        self._scheduled.discard(key)
        if self._running.pop(key, None) is not None:
            ns = key.partition("/")[0]
            bucket = self._running_by_ns[ns]
            del bucket[key]
            if not bucket:
                del self._running_by_ns[ns]

    def _start(self, key: str) -> None:
        self._scheduled.discard(key)
        pod = self.pods.get(key)
        if pod is None:
            return
        node = pod["spec"].get("nodeName")
        if node in self.stopped:
            return                                   # a dead kubelet starts nothing (restart_node retries)
        now = rfc3339(self.clock.now())

        def run(cur: dict) -> dict | None:
            if cur["metadata"].get("uid") != pod["metadata"].get("uid") or cur["metadata"].get("deletionTimestamp"):
                return None
            st = cur.setdefault("status", {})
            # the conditions are set in place: copies, so a cached pod handed in stays as it was
            st["conditions"] = [dict(c) for c in st.get("conditions") or ()]
            st["phase"] = "Running"
            st["hostIP"] = "10.0.0.1"
            h = zlib.crc32(key.encode())
            st["podIP"] = f"10.{(h >> 16) & 255}.{(h >> 8) & 255}.{h & 255}"
            st.setdefault("startTime", now)
            for c in ("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"):
                set_condition(st, c, "True", now)
            st["containerStatuses"] = [
                {"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": True, "started": True,
                 "restartCount": 0, "state": {"running": {"startedAt": now}}}
                for c in (cur.get("spec") or {}).get("containers") or ()]
            return cur
        try:
            # As KWOK does, write the status from the pod as this node saw it
            # (the informer's; never changed here); if the pod has moved on
            # since, read it and write again (guaranteed_update).
            new = run({**pod, "status": dict(pod.get("status") or {})})
            written = False
            if new is not None:
                try:
                    self.store.update_status(new, handoff=True)      # built for this write, never touched again
                    written = True
                except ConflictError:
                    pass
            if not written:
                self.store.guaranteed_update("Pod", pod["metadata"].get("namespace"), pod["metadata"]["name"], run,
                                             status=True)
            self._running[key] = node
            self._running_by_ns.setdefault(key.partition("/")[0], {})[key] = node
        except NotFoundError:
            pass

    # -- driving ------------------------------------------------------------------------
    def run_once(self) -> int:
        """Sync the pod informer, start due pods, renew due leases; how many
        things were done."""
        self.pods.pump()
        n = 0
        now = self.clock.monotonic()
        booted: dict[int, tuple[NodeTemplate, list[str]]] = {}      # by template (id: templates hold dicts)
        while self._due and self._due[0][0] <= now:
            _, _, action, key = heapq.heappop(self._due)
            if action == "start":
                self._start(key)
                n += 1
            elif action == "register" and key in self.provisioning:     # not cancelled meanwhile
                template = self.provisioning.pop(key)
                booted.setdefault(id(template), (template, []))[1].append(key)
        for template, names in booted.values():
            self._register(names, template)
            n += len(names)
        if now >= self._next_renew and self.nodes:
            wall = self.clock.now()
            for name in self.nodes:
                if name not in self.stopped:
                    self._renew_lease(name, wall)
            self._next_renew = now + self.renew_interval
            n += 1
        return n

    def next_wakeup(self) -> float | None:
        now = self.clock.monotonic()
        times = [self._due[0][0]] if self._due else []
        if self.nodes:
            times.append(self._next_renew)
        return max(0.0, min(times) - now) if times else None

    def running_in(self, namespace: str) -> dict[str, str]:
        """``pod key -> node`` of the running pods in ``namespace`` (read-only)."""
        return self._running_by_ns.get(namespace, {})

    def usage(self, namespace: str | None = None) -> dict[str, tuple[int, int]]:
        """``pod key -> (cpu milli, memory bytes)`` for running pods (in
        ``namespace``, or all): the usage model's answer for each, or the
        configured constant (a metrics source for simulations)."""
        by_ns = self.namespace_usage_model
        if by_ns is not None:
            now = self.clock.monotonic()
            if namespace is not None:
                running = self.running_in(namespace)
                if not running:
                    return {}
                return {k: v for k, v in by_ns(namespace, running, now).items() if k in running}
            out = {}
            for ns, running in self._running_by_ns.items():
                if running:
                    out.update((k, v) for k, v in by_ns(ns, running, now).items() if k in running)
            return out
        keys = self._running if namespace is None else self.running_in(namespace)
        if self.usage_model is None:
            return {k: (self.usage_cpu_milli, self.usage_memory_bytes) for k in keys}
        now = self.clock.monotonic()
        out = {}
        get, model = self.pods.get, self.usage_model
        for k in keys:
            pod = get(k)
            if pod is not None:
                out[k] = model(pod, now)
        return out
