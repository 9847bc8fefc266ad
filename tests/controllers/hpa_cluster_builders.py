"""A simulated cluster with the HPA controller, for the controller tests.

``HPACluster`` is a :class:`~kubekit.cluster.local.ControlPlane` on a
:class:`~kubekit.clock.FakeClock` with simulated nodes, a
:class:`~kubekit.autoscaling.metrics_source.FleetMetrics` (plus a
:class:`StaticMetrics` for custom metrics) and an :class:`HPAController`.
The load is a per-app total of cpu milli-cores, spread evenly over the app's
running pods by the fleet's usage model: ``cluster.load["web"] = 2400``.
"""

from __future__ import annotations

from kubekit.autoscaling.metrics_source import CombinedMetrics, FleetMetrics, StaticMetrics
from kubekit.clock import FakeClock
from kubekit.cluster.events import events_for
from kubekit.cluster.local import ControlPlane
from kubekit.controllers.hpa import HPAController
from kubekit.node.simulated import NodeTemplate

START = 1_700_000_000.0


def deployment(name: str, replicas: int, cpu: str = "500m", memory: str = "256Mi", namespace: str = "default"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": "app:v1",
                                                           "resources": {"requests": {"cpu": cpu,
                                                                                      "memory": memory}}}]}}}}


def hpa(name: str, target: str, *, min_replicas: int | None = 1, max_replicas: int = 20, metrics=None,
        behavior=None, kind: str = "Deployment", api_version: str = "apps/v1", namespace: str = "default"):
    spec = {"scaleTargetRef": {"apiVersion": api_version, "kind": kind, "name": target},
            "maxReplicas": max_replicas,
            "metrics": metrics if metrics is not None else [cpu_utilization(50)]}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    if behavior is not None:
        spec["behavior"] = behavior
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def cpu_utilization(percent: int) -> dict:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                       "averageUtilization": percent}}}


class HPACluster:
    def __init__(self, nodes: int = 10, *, start_delay: float = 0.0, sync_period: float = 15.0, config=None):
        self.clock = FakeClock(start=START)
        self.cp = ControlPlane(self.clock, start_delay=start_delay)
        self.cp.fleet.add_nodes([f"n{i}" for i in range(nodes)], NodeTemplate(cpu="32"))
        self.load: dict[str, int] = {}           # app -> total cpu milli
        self.memory: dict[str, int] = {}         # app -> total memory bytes
        self.cp.fleet.usage_model = self._usage
        self.custom = StaticMetrics(self.clock)
        self.metrics = CombinedMetrics(FleetMetrics(self.cp.fleet), self.custom)
        self.hpa = HPAController(self.cp.store, self.clock, self.metrics, pods=self.cp.pods,
                                 sync_period=sync_period, config=config)
        self.cp.add_component(self.hpa)

    def _usage(self, pod: dict, _now: float) -> tuple[int, int]:
        app = pod["metadata"].get("labels", {}).get("app", "")
        n = max(1, sum(1 for p in self.cp.pods.list()
                       if p["metadata"].get("labels", {}).get("app") == app
                       and (p.get("status") or {}).get("phase") == "Running"
                       and not p["metadata"].get("deletionTimestamp")))
        return self.load.get(app, 0) // n, self.memory.get(app, 0) // n

    # -- driving -------------------------------------------------------------------------
    def create(self, obj: dict) -> dict:
        return self.cp.store.create(obj)

    def replicas(self, name: str, namespace: str = "default") -> int:
        return int(self.cp.store.get("Deployment", namespace, name)["spec"]["replicas"])

    def advance(self, seconds: float) -> None:
        """Run the cluster for ``seconds`` simulated seconds."""
        end = self.clock.monotonic() + seconds
        self.cp.run_until(lambda: self.clock.monotonic() >= end, max_sim_seconds=seconds + 60)

    def settle(self, seconds: float = 1.0) -> None:
        self.advance(seconds)

    def status(self, name: str, namespace: str = "default") -> dict:
        return self.cp.store.get("HorizontalPodAutoscaler", namespace, name).get("status") or {}

    def condition(self, name: str, type_: str) -> dict | None:
        for c in self.status(name).get("conditions") or ():
            if c["type"] == type_:
                return c
        return None

    def events(self, name: str, namespace: str = "default") -> list[dict]:
        obj = self.cp.store.get("HorizontalPodAutoscaler", namespace, name)
        return events_for(self.cp.store, obj)

    def reasons(self, name: str) -> list[str]:
        return [e["reason"] for e in self.events(name)]

    def replica_history(self, name: str, seconds: float, step: float = 15.0) -> list[int]:
        out = []
        t = 0.0
        while t < seconds:
            self.advance(step)
            t += step
            out.append(self.replicas(name))
        return out
