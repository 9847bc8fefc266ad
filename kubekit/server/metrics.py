"""Resource metrics (``metrics.k8s.io/v1beta1``) from the local node agent,
as metrics-server serves them: what ``kubekit top`` and (later) the
autoscaler read.

The sampling rule is the pure function :func:`usage_between`: cpu is a rate
(the growth of a container's cumulative ``cpu_ns`` between two samples over
their interval, in nanocores), memory the working set of the newer sample.
A rate is only taken for the same container instance (its runtime id changes
on every restart, and a counter never goes back); a pod is reported only when
every one of its running containers has a rate, as metrics-server does.

:class:`MetricsSampler` runs in the control loop (the agent's thread), takes a
sample every ``interval`` seconds and keeps the last two;
:class:`MetricsAPI` answers the HTTP paths from them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.store.meta import rfc3339

__all__ = ["ContainerUsage", "MetricsAPI", "MetricsSampler", "PodUsage", "Sample", "cpu_quantity",
           "go_duration", "memory_quantity", "usage_between"]

log = logging.getLogger(__name__)

GROUP_VERSION = "metrics.k8s.io/v1beta1"
PREFIX = "/apis/" + GROUP_VERSION


@dataclass(frozen=True, slots=True)
class Sample:
    """What :meth:`NodeAgent.usage` returned at ``time`` (monotonic seconds;
    ``wall``: the same instant as seconds since the epoch)."""

    time: float
    wall: float
    pods: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ContainerUsage:
    name: str
    nanocores: int
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class PodUsage:
    containers: tuple[ContainerUsage, ...]

    @property
    def nanocores(self) -> int:
        return sum(c.nanocores for c in self.containers)

    @property
    def memory_bytes(self) -> int:
        return sum(c.memory_bytes for c in self.containers)


def usage_between(prev: Sample, cur: Sample) -> dict[str, PodUsage]:
    """``pod key -> PodUsage`` from two samples of the same node.  Pure."""
    dt = cur.time - prev.time
    if dt <= 0:
        return {}
    out: dict[str, PodUsage] = {}
    for key, pod in cur.pods.items():
        old = (prev.pods.get(key) or {}).get("containers") or {}
        containers = []
        for name, c in sorted((pod.get("containers") or {}).items()):
            o = old.get(name)
            if o is None or o.get("id") != c.get("id") or c["cpu_ns"] < o["cpu_ns"]:
                break                                   # no rate for this container yet: none for the pod
            containers.append(ContainerUsage(name, round((c["cpu_ns"] - o["cpu_ns"]) / dt),
                                             int(c["memory_bytes"])))
        else:
            if containers:
                out[key] = PodUsage(tuple(containers))
    return out


# -- formatting ----------------------------------------------------------------------------

def cpu_quantity(nanocores: int) -> str:
    """metrics-server's cpu: a quantity in nanocores (``12345678n``, ``0``)."""
    from kubekit.api.quantity import Quantity

    return str(Quantity.from_scaled(int(nanocores), -9))


def memory_quantity(nbytes: int) -> str:
    """metrics-server's memory: bytes as a binary-SI quantity (``3Mi``, ``12345678``)."""
    from kubekit.api.quantity import BINARY_SI, Quantity

    return str(Quantity.from_scaled(int(nbytes), 0, BINARY_SI))


def go_duration(seconds: float) -> str:
    """A window the way Go prints a ``time.Duration``: ``5s``, ``1.5s``, ``250ms``."""
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    return f"{round(seconds, 3):g}s"


# -- the sampler (control loop thread) --------------------------------------------------------

class MetricsSampler:
    """Calls ``source()`` (the agent's ``usage``) every ``interval`` seconds
    from the control loop and keeps the last two samples.  :meth:`window`
    is safe from any thread."""

    def __init__(self, source: Callable[[], Mapping[str, Mapping[str, Any]]], clock, interval: float = 5.0) -> None:
        if interval <= 0:
            raise ValueError("the metrics interval must be positive")
        self.source, self.clock, self.interval = source, clock, interval
        self._lock = threading.Lock()
        self._prev: Sample | None = None
        self._cur: Sample | None = None
        self._due = 0.0

    def run_once(self) -> int:
        now = self.clock.monotonic()
        if now < self._due:
            return 0
        self._due = now + self.interval
        try:
            pods = self.source()
        except Exception:  # noqa: BLE001 - a cgroup read racing with a container's exit; next sample
            log.debug("metrics sample failed", exc_info=True)
            return 0
        s = Sample(now, self.clock.now(), pods)
        with self._lock:
            self._prev, self._cur = self._cur, s
        return 0                                      # sampling is not progress: the loop may sleep

    def next_wakeup(self) -> float:
        return max(0.0, self._due - self.clock.monotonic())

    def window(self) -> tuple[Sample, Sample] | None:
        """The last two samples, or None until there are two."""
        with self._lock:
            if self._prev is None or self._cur is None:
                return None
            return self._prev, self._cur


# -- the HTTP side ---------------------------------------------------------------------------

class MetricsNotFound(LookupError):
    """No metrics for this object (yet): a 404 with metrics-server's message."""


def _meta(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (obj or {}).get("metadata") or {}


class MetricsAPI:
    """``GET /apis/metrics.k8s.io/v1beta1/...`` from a sampler of the node
    ``node_name``'s agent.  :meth:`handle` returns ``(code, body)``; errors
    are raised (NotFound, BadRequest) for the transport's Status answers."""

    def __init__(self, store, sampler: MetricsSampler, node_name: str) -> None:
        self.store, self.sampler, self.node_name = store, sampler, node_name

    def handle(self, path: str, query: Mapping[str, str]) -> tuple[int, Any]:
        from kubekit.errors import NotFoundError
        from kubekit.server.routes import RouteNotFound

        parts = [p for p in path[len(PREFIX):].split("/") if p]
        if not parts:
            return 200, self._discovery()
        ns = None
        if parts[0] == "namespaces" and len(parts) >= 3:
            ns, parts = parts[1], parts[2:]
        if parts[0] == "nodes" and ns is None and len(parts) <= 2:
            if len(parts) == 2:
                item = self._node_item(parts[1])
                if item is None:
                    raise NotFoundError(f'nodemetrics.metrics.k8s.io "{parts[1]}" not found')
                return 200, item
            return 200, self._list("NodeMetricsList", self._nodes(query))
        if parts[0] == "pods" and len(parts) <= 2:
            if len(parts) == 2:
                if ns is None:
                    raise RouteNotFound(path)
                items = self._pods(ns, query, name=parts[1])
                if not items:
                    raise NotFoundError(f'podmetrics.metrics.k8s.io "{ns}/{parts[1]}" not found')
                return 200, items[0]
            return 200, self._list("PodMetricsList", self._pods(ns, query))
        raise RouteNotFound(path)

    @staticmethod
    def _discovery() -> dict:
        verbs = ["get", "list"]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GROUP_VERSION,
                "resources": [{"name": "nodes", "singularName": "", "namespaced": False, "kind": "NodeMetrics",
                               "verbs": verbs},
                              {"name": "pods", "singularName": "", "namespaced": True, "kind": "PodMetrics",
                               "verbs": verbs}]}

    @staticmethod
    def _list(kind: str, items: list[dict]) -> dict:
        return {"kind": kind, "apiVersion": GROUP_VERSION, "metadata": {}, "items": items}

    def _usage(self) -> tuple[dict[str, PodUsage], Sample, Sample] | None:
        w = self.sampler.window()
        if w is None:
            return None
        return usage_between(*w), w[0], w[1]

    def _pods(self, ns: str | None, query: Mapping[str, str], name: str | None = None) -> list[dict]:
        got = self._usage()
        if got is None:
            return []
        usage, prev, cur = got
        fields = ",".join(f for f in (query.get("fieldSelector") or "", f"metadata.name={name}" if name else "") if f)
        pods, _ = self.store.list("Pod", ns, label_selector=query.get("labelSelector") or None,
                                  field_selector=fields or None)
        out = []
        for p in pods:
            m = _meta(p)
            u = usage.get(f"{m.get('namespace')}/{m.get('name')}")
            if u is None or (p.get("spec") or {}).get("nodeName") != self.node_name:
                continue
            out.append({"kind": "PodMetrics", "apiVersion": GROUP_VERSION,
                        "metadata": {"name": m["name"], "namespace": m.get("namespace"),
                                     "creationTimestamp": rfc3339(cur.wall), "labels": dict(m.get("labels") or {})},
                        "timestamp": rfc3339(cur.wall), "window": go_duration(cur.time - prev.time),
                        "containers": [{"name": c.name, "usage": {"cpu": cpu_quantity(c.nanocores),
                                                                  "memory": memory_quantity(c.memory_bytes)}}
                                       for c in u.containers]})
        return out

    def _node_item(self, name: str) -> dict | None:
        if name != self.node_name:
            return None
        got = self._usage()
        if got is None:
            return None
        usage, prev, cur = got
        from kubekit.errors import NotFoundError
        try:
            labels = dict(_meta(self.store.get("Node", None, name)).get("labels") or {})
        except NotFoundError:
            return None
        return {"kind": "NodeMetrics", "apiVersion": GROUP_VERSION,
                "metadata": {"name": name, "creationTimestamp": rfc3339(cur.wall), "labels": labels},
                "timestamp": rfc3339(cur.wall), "window": go_duration(cur.time - prev.time),
                "usage": {"cpu": cpu_quantity(sum(u.nanocores for u in usage.values())),
                          "memory": memory_quantity(sum(u.memory_bytes for u in usage.values()))}}

    def _nodes(self, query: Mapping[str, str]) -> list[dict]:
        nodes, _ = self.store.list("Node", None, label_selector=query.get("labelSelector") or None,
                                   field_selector=query.get("fieldSelector") or None)
        if not any(_meta(n).get("name") == self.node_name for n in nodes):
            return []
        item = self._node_item(self.node_name)
        return [item] if item is not None else []
