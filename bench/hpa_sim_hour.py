"""One simulated hour of a 500-node cluster with 200 HPAs driven by a load
trace, on a fake clock.  Target: under 10 s wall.

    python3 bench/hpa_sim_hour.py [--nodes 500] [--hpas 200] [--seconds 3600] [--runs 3] [--profile]
                                  [--gc default,control-plane]

**The cluster.** A :class:`~kubekit.cluster.local.ControlPlane` (in-memory
store, informers, scheduler, ReplicaSet/Deployment/node-lifecycle
controllers) with 500 simulated nodes (32 cpu each, lease heartbeats every
10 s), and the :class:`~kubekit.controllers.hpa.HPAController` reading
:class:`~kubekit.autoscaling.metrics_source.FleetMetrics`.  Each of the 200
apps is a Deployment in its own namespace (``app-000`` ...), pods requesting
500m cpu, with an HPA targeting 60% cpu utilization, ``minReplicas`` 1,
``maxReplicas`` 5x its base size, and the default behavior (``behavior: {}``:
scale-up max(+4, +100%) per 15 s, scale-down 300 s stabilization).

**The load, derived from a real trace.** There is no utilization time
series among the bundled traces, so the load curve is the *cpu requested by
the batch tasks running* in the Alibaba 2017 sample
(``kubekit/data/traces/alibaba2017/batch_task_first12h.csv``, read with
:func:`kubekit.traces.alibaba2017.load_alibaba2017`; 289 tasks with
requests): ``curve(t) = Σ plan_cpu × instances`` over the tasks with
``create_timestamp <= t < modify_timestamp`` (tasks not ended run to the end),
sampled on a 15 s grid over the 12 hours.  It is divided by its median and
clipped to [0.1, 5] (the raw curve is 0 in the first minutes and has a 12x
spike).  App ``i`` reads the curve from a phase offset
``1 h + i × 10 h / 200`` (so the 200 apps see different hours of the trace)
and has a base size ``n_i`` drawn uniformly from 4..20 pods (seeded):
its total cpu usage at simulated second ``t`` is
``n_i × 300m × curve(offset_i + t)`` (300m = 60% of the 500m request, so
``n_i`` pods are on target at the median), spread evenly over its Running
pods by the fleet's usage model.

Wall time is ``time.perf_counter`` around the simulated hour only (set-up and
the initial roll-out excluded, reported apart).  Each run is made under each
``--gc`` setting of CPython's cyclic collector in turn: ``default`` and
``control-plane`` (:func:`kubekit.gcpolicy.control_plane_gc`, what
``kubekit serve`` runs under).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

TRACE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kubekit", "data", "traces", "alibaba2017",
                     "batch_task_first12h.csv")
GRID = 15.0


def load_curve() -> list[float]:
    """The normalized running-cpu curve on a 15 s grid (see the docstring)."""
    import numpy as np

    from kubekit.traces.alibaba2017 import load_alibaba2017
    from kubekit.traces.model import MISSING

    pods = load_alibaba2017(TRACE).pods
    start = pods.arrival_s.astype(float)
    end = np.where(pods.departure_s == MISSING, np.inf, pods.departure_s.astype(float))
    weight = pods.cpu_milli.astype(float) * pods.count.astype(float)
    grid = np.arange(0.0, 12 * 3600.0, GRID)
    running = np.array([weight[(start <= g) & (end > g)].sum() for g in grid])
    return list(np.clip(running / np.median(running), 0.1, 5.0))


class Load:
    """The fleet's namespace usage model: each app's total usage spread
    evenly over its Running pods, answered for all of an app's pods at once."""

    def __init__(self, curve, offsets, bases, t0):
        self.curve, self.offsets, self.bases, self.t0 = curve, offsets, bases, t0

    def total(self, app: int, now: float) -> int:
        i = int((self.offsets[app] + now - self.t0) // GRID) % len(self.curve)
        return int(self.bases[app] * 300 * self.curve[i])

    def by_namespace(self, ns: str, running, now: float) -> dict[str, tuple[int, int]]:
        return dict.fromkeys(running, (self.total(int(ns[4:]), now) // max(1, len(running)), 0))


def build(nodes: int, hpas: int, seed: int = 0):
    from kubekit.autoscaling.metrics_source import FleetMetrics
    from kubekit.clock import FakeClock
    from kubekit.cluster.local import ControlPlane
    from kubekit.controllers.hpa import HPAController
    from kubekit.node.simulated import NodeTemplate

    rng = random.Random(seed)
    clock = FakeClock()
    cp = ControlPlane(clock, start_delay=1.0)
    cp.fleet.add_nodes([f"node-{i:04d}" for i in range(nodes)], NodeTemplate(cpu="32", memory="256Gi"))
    curve = load_curve()
    offsets = [3600 + i * 36000 / hpas for i in range(hpas)]
    bases = [rng.randint(4, 20) for _ in range(hpas)]
    ctl = HPAController(cp.store, clock, FleetMetrics(cp.fleet), pods=cp.pods)
    cp.add_component(ctl)
    for i in range(hpas):
        ns = f"app-{i:03d}"
        labels = {"app": "web"}
        cp.store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
                         "spec": {"replicas": bases[i], "selector": {"matchLabels": labels},
                                  "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                                      "name": "app", "image": "app:v1",
                                      "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}}]}}}})
    expected = sum(bases)
    cp.run_until(lambda: cp.count_pods(phase="Running") >= expected, max_sim_seconds=600)
    load = Load(curve, offsets, bases, clock.monotonic())
    cp.fleet.namespace_usage_model = load.by_namespace
    for i in range(hpas):
        cp.store.create({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                         "metadata": {"name": "web", "namespace": f"app-{i:03d}"},
                         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                                  "minReplicas": 1, "maxReplicas": 5 * bases[i], "behavior": {},
                                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                      "type": "Utilization", "averageUtilization": 60}}}]}})
    return cp, ctl, load


def simulate(cp, seconds: float) -> float:
    end = cp.clock.monotonic() + seconds
    t0 = time.perf_counter()
    cp.run_until(lambda: cp.clock.monotonic() >= end, max_sim_seconds=seconds + 60, max_steps=10_000_000)
    return time.perf_counter() - t0


def one_run(nodes: int, hpas: int, seconds: float, profile: bool = False, gc_setting: str = "default") -> dict:
    import contextlib

    from kubekit.gcpolicy import control_plane_gc

    with control_plane_gc() if gc_setting == "control-plane" else contextlib.nullcontext():
        return _one_run(nodes, hpas, seconds, profile)


def _one_run(nodes: int, hpas: int, seconds: float, profile: bool) -> dict:
    t0 = time.perf_counter()
    cp, ctl, load = build(nodes, hpas)
    setup = time.perf_counter() - t0
    pods_before = cp.count_pods(phase="Running")
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    wall = simulate(cp, seconds)
    if prof is not None:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return {"wall": wall, "setup": setup, "rescales": ctl.rescales, "decisions": ctl.decisions,
            "errors": ctl.errors, "pods_before": pods_before, "pods_after": cp.count_pods(phase="Running"),
            "store_rv": cp.store.list("Namespace")[1]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--hpas", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3600.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="one profiled run (cProfile) instead of timed runs")
    ap.add_argument("--gc", default="default,control-plane",
                    help="collector settings to run, in turn (default, control-plane)")
    args = ap.parse_args(argv)
    settings = [g.strip() for g in args.gc.split(",") if g.strip()]
    if not settings or any(g not in ("default", "control-plane") for g in settings):
        ap.error(f"--gc {args.gc!r}: expected default and/or control-plane")
    if args.profile:
        one_run(args.nodes, args.hpas, args.seconds, profile=True)
        return
    by_gc: dict[str, list[dict]] = {g: [] for g in settings}
    for _ in range(args.runs):
        for g in settings:
            by_gc[g].append(one_run(args.nodes, args.hpas, args.seconds, gc_setting=g))
    print(f"# {args.seconds:.0f} simulated s, {args.nodes} nodes, {args.hpas} HPAs (python {sys.version.split()[0]}); "
          f"collector settings in turn")
    for g, results in by_gc.items():
        walls = [r["wall"] for r in results]
        med = statistics.median(walls)
        r = results[0]
        print(f"[gc {g}] wall (median of {args.runs}): {med:.2f} s  [runs: {', '.join(f'{w:.2f}' for w in walls)}]; "
              f"set-up and roll-out {statistics.median(x['setup'] for x in results):.1f} s (not counted)")
        print(f"[gc {g}] HPA decisions: {r['decisions']} = {r['decisions'] / med:,.0f} decisions/s of wall; "
              f"scale events (target writes): {r['rescales']}; errors: {r['errors']}")
        print(f"[gc {g}] running pods: {r['pods_before']} before, {r['pods_after']} after; "
              f"store revision {r['store_rv']}")
        print(f"[gc {g}] target < 10 s: {'met' if med < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
