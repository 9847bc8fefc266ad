"""HPA decisions per second: 10,000 HPAs, each over 100 pods.

    python3 bench/hpa_throughput.py [--hpas 10000] [--pods 100] [--runs 3] [--controller-hpas 10000]

Two measurements, medians over ``--runs``:

1. **pure**: :func:`kubekit.autoscaling.hpa_decide` on prepared inputs — per
   HPA a cpu Utilization target (50%), the default behavior, 100 Running and
   Ready pods requesting 500m (started 20 min before ``now``: past the cpu
   initialization period) and 100 per-pod samples.  Every HPA has its own
   usage (30–79% of request), so the proposals differ (scale-ups, holds and
   scale-downs).  The pod list is shared between HPAs (each HPA is in its own
   namespace with pods ``p-0`` .. ``p-99``; ``hpa_decide`` never mutates
   its inputs); the samples are per HPA.
2. **controller**: :meth:`HPAController.reconcile` of every HPA, over a real
   in-memory :class:`~kubekit.store.APIStore` holding the Deployments and the
   HPAs (scale read with ``store.get``, status written with
   ``update_status``, Events written).  The 100 pods per HPA are **not** in
   the store (1,000,000 pod creations would dominate the set-up): they are
   fed to the controller's pod informer handlers as ADDED events, as an
   informer's initial list would; metrics come from a prepared source with
   the same per-pod usage as (1).  Round 1 writes every status (and scales
   the targets that are out of tolerance); later rounds are the 15 s resync
   of an unchanged cluster, where the scale is read and the decision made
   again but nothing changes.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

NOW = 1_700_000_000.0


def pure_inputs(hpas: int, pods: int, seed: int = 0):
    from kubekit.autoscaling import (ContainerSpec, HPABehavior, HPASpec, MetricInput, MetricSpec, MetricTarget,
                                     PodInfo, PodMetric)

    rng = random.Random(seed)
    pod_list = [PodInfo(name=f"p-{i}", start_time=NOW - 1200, ready_transition_time=NOW - 1190,
                        containers=(ContainerSpec("app", {"cpu": 500}),)) for i in range(pods)]
    spec = HPASpec(max_replicas=1000, min_replicas=1,
                   metrics=(MetricSpec("Resource", "cpu", MetricTarget.utilization(50)),), behavior=HPABehavior())
    inputs = []
    for _ in range(hpas):
        level = rng.randrange(150, 400)
        samples = {p.name: PodMetric(level + rng.randrange(-20, 21), NOW - 5, 15.0) for p in pod_list}
        inputs.append([MetricInput(pod_metrics=samples)])
    return spec, pod_list, inputs


def run_pure(spec, pods, inputs) -> tuple[float, int]:
    from kubekit.autoscaling import HPAState, hpa_decide

    state = HPAState()
    rescales = 0
    t0 = time.perf_counter()
    for metric_inputs in inputs:
        d = hpa_decide(spec, len(pods), pods, metric_inputs, NOW, state=state)
        rescales += d.rescale
    return time.perf_counter() - t0, rescales


class PreparedMetrics:
    """Resource metrics from a prepared table ``namespace -> {pod: milli-cpu}``."""

    def __init__(self, table, clock):
        from kubekit.autoscaling.metrics_source import ResourceValue

        self.clock = clock
        self.table = {ns: {p: ResourceValue(v, NOW - 5, 15.0) for p, v in pods.items()} for ns, pods in table.items()}

    def resource_metrics(self, resource, namespace, selector, container=""):
        return dict(self.table[namespace])

    def pods_metric(self, *a, **k):
        raise NotImplementedError

    object_metric = external_metric = pods_metric


def controller_setup(hpas: int, pods: int, seed: int = 0):
    from kubekit.clock import FakeClock
    from kubekit.controllers.hpa import HPAController
    from kubekit.store import APIStore

    rng = random.Random(seed)
    clock = FakeClock(start=NOW)
    store = APIStore(clock=clock)
    pod_spec = {"containers": [{"name": "app", "image": "app:v1", "resources": {"requests": {"cpu": "500m"}}}]}
    pod_status = {"phase": "Running", "startTime": "2023-11-14T21:53:20Z",
                  "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2023-11-14T21:53:30Z"}]}
    table = {}
    for h in range(hpas):
        ns = f"t{h}"
        labels = {"app": "web"}
        store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
                      "spec": {"replicas": pods, "selector": {"matchLabels": labels},
                               "template": {"metadata": {"labels": labels}, "spec": pod_spec}}})
        store.create({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                      "metadata": {"name": "web", "namespace": ns},
                      "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                               "minReplicas": 1, "maxReplicas": 1000, "behavior": {},
                               "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                   "type": "Utilization", "averageUtilization": 50}}}]}})
        level = rng.randrange(150, 400)
        table[ns] = {f"p-{i}": level + rng.randrange(-20, 21) for i in range(pods)}
    ctl = HPAController(store, clock, PreparedMetrics(table, clock))
    ctl.hpas.start()
    for h in range(hpas):
        ns = f"t{h}"
        for i in range(pods):
            ctl._pod_put({"metadata": {"name": f"p-{i}", "namespace": ns, "labels": {"app": "web"},
                                       "resourceVersion": "1"}, "spec": pod_spec, "status": pod_status})
    return ctl, [f"t{h}/web" for h in range(hpas)]


def run_controller(ctl, keys) -> float:
    t0 = time.perf_counter()
    for key in keys:
        ctl.reconcile(key)
    return time.perf_counter() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hpas", type=int, default=10_000)
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--controller-hpas", type=int, default=10_000)
    args = ap.parse_args(argv)
    print(f"# HPA decisions: {args.hpas} HPAs x {args.pods} pods; python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cpus")
    spec, pods, inputs = pure_inputs(args.hpas, args.pods)
    times = []
    for _ in range(args.runs):
        gc.collect()
        dt, rescales = run_pure(spec, pods, inputs)
        times.append(dt)
    med = statistics.median(times)
    print(f"pure hpa_decide: median {med:.2f} s for {args.hpas} decisions = {args.hpas / med:,.0f} decisions/s "
          f"({med / args.hpas * 1e6:.0f} us each; runs {', '.join(f'{t:.2f}' for t in times)}; "
          f"{rescales} would rescale)")
    if args.controller_hpas <= 0:
        return
    t0 = time.perf_counter()
    ctl, keys = controller_setup(args.controller_hpas, args.pods)
    print(f"controller set-up: {time.perf_counter() - t0:.1f} s ({args.controller_hpas} Deployments + HPAs in the "
          f"store, {args.controller_hpas * args.pods:,} pods in the informer)")
    first = run_controller(ctl, keys)
    print(f"controller round 1 (writes every status, {ctl.rescales} rescales): {first:.2f} s = "
          f"{len(keys) / first:,.0f} reconciles/s")
    times = []
    for _ in range(args.runs):
        ctl.clock.advance(15)
        gc.collect()
        times.append(run_controller(ctl, keys))
    med = statistics.median(times)
    print(f"controller resync rounds: median {med:.2f} s = {len(keys) / med:,.0f} reconciles/s "
          f"({med / len(keys) * 1e6:.0f} us each; runs {', '.join(f'{t:.2f}' for t in times)}; "
          f"{ctl.decisions} decisions in total, {ctl.errors} errors)")


if __name__ == "__main__":
    main()
