"""The fleet benchmark (cluster issue §8): a 10,000-replica Deployment on
1,000 simulated nodes, from apply to every pod Running, on a fake clock;
then a rolling update of the same Deployment.

    python3 bench/cluster_fleet.py [--nodes 1000] [--replicas 10000] [--runs 3] [--gc default,control-plane]
                                   [--out bench/results/cluster_fleet.md]

Everything is real except the nodes' processes: the in-memory store (JSON
objects, revisions, watches), the informers, the Deployment and ReplicaSet
controllers (slow-start batches of at most 500 creations per sync, as
kube-controller-manager), kubekit's scheduler binding each pod with two store
writes and an event, and the simulated nodes writing each pod's Running
status.  Wall time is measured with ``time.perf_counter``; the simulated time
the fake clock covered is reported beside it.  Target (the issue): apply to
all Running in under 2 s wall.

Each run is made under each ``--gc`` setting of CPython's cyclic collector,
in turn: ``default`` (CPython's thresholds, 700/10/10) and ``control-plane``
(:func:`kubekit.gcpolicy.control_plane_gc`, what ``kubekit serve`` runs
under); the time the collector took (``gc.callbacks``) is reported beside.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def deployment(replicas: int, image: str) -> dict:
    labels = {"app": "fleet"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "fleet", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": image,
                                                           "resources": {"requests": {"cpu": "100m",
                                                                                      "memory": "128Mi"}}}]}}}}


class GcTimer:
    """Seconds the cyclic collector ran, and its full collections."""

    def __init__(self) -> None:
        self.seconds, self.full, self._t = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t
            self.full += info["generation"] == 2


def run(nodes: int, replicas: int, gc_setting: str = "default") -> dict:
    import contextlib
    import gc

    from kubekit.gcpolicy import control_plane_gc

    with control_plane_gc() if gc_setting == "control-plane" else contextlib.nullcontext():
        timer = GcTimer()
        gc.callbacks.append(timer)
        try:
            return {**_run(nodes, replicas, timer), "gc_s": timer.seconds, "gc_full": timer.full}
        finally:
            gc.callbacks.remove(timer)


def _run(nodes: int, replicas: int, timer: GcTimer) -> dict:
    from kubekit.clock import FakeClock
    from kubekit.cluster.local import ControlPlane
    from kubekit.node.simulated import NodeTemplate

    cp = ControlPlane(FakeClock(), start_delay=1.0)
    cp.scheduler.keep_attempts = False
    cp.fleet.add_nodes([f"node-{i:05d}" for i in range(nodes)], NodeTemplate(cpu="32", memory="128Gi"))
    cp.start()
    t0 = time.perf_counter()
    cp.store.create(deployment(replicas, "app:v1"))
    sim = cp.run_until(lambda: cp.count_pods("default", "Running") == replicas, max_sim_seconds=3600)
    apply_s = time.perf_counter() - t0
    apply_gc_s = timer.seconds

    def rolled() -> bool:
        pods = [p for p in cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
        return len(pods) == replicas and all(
            p["spec"]["containers"][0]["image"] == "app:v2" and (p.get("status") or {}).get("phase") == "Running"
            for p in pods)
    t1 = time.perf_counter()
    cp.store.guaranteed_update("Deployment", "default", "fleet", lambda d: {**d, "spec": {
        **d["spec"], "template": deployment(replicas, "app:v2")["spec"]["template"]}})
    sim_roll = cp.run_until(rolled, max_sim_seconds=36000)
    roll_s = time.perf_counter() - t1
    return {"apply_s": apply_s, "apply_sim_s": sim, "apply_gc_s": apply_gc_s, "roll_s": roll_s, "roll_sim_s": sim_roll,
            "roll_gc_s": timer.seconds - apply_gc_s,
            "revision": cp.store.kv.revision}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gc", default="default,control-plane",
                    help="collector settings to run, in turn (default, control-plane)")
    ap.add_argument("--out", default="bench/results/cluster_fleet.md")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:                                   # one run, in this fresh process; JSON on stdout
        import json

        print(json.dumps(run(a.nodes, a.replicas, a.gc)))
        return 0
    import json
    import subprocess

    # Each run in a fresh interpreter, as a control plane is one long-lived
    # process: runs in one process get slower as its heap fragments.  The
    # collector settings take turns, so both see the same machine.
    settings = [g.strip() for g in a.gc.split(",") if g.strip()]
    bad = [g for g in settings if g not in ("default", "control-plane")]
    if bad or not settings:
        ap.error(f"--gc {a.gc!r}: expected default and/or control-plane")
    results: dict[str, list[dict]] = {g: [] for g in settings}
    for _ in range(a.runs):
        for g in settings:
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", "--nodes", str(a.nodes),
                                  "--replicas", str(a.replicas), "--gc", g], capture_output=True, text=True,
                                 check=True).stdout
            results[g].append(json.loads(out.strip().splitlines()[-1]))
    cmd = " ".join(["python3"] + sys.argv)
    lines = [f"# Fleet: {a.replicas:,} replicas on {a.nodes:,} simulated nodes (`{cmd}`)", "",
             f"{platform.node()} · {platform.python_implementation()} {platform.python_version()} · "
             f"{os.cpu_count()} cpus · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · "
             f"{a.runs} runs per collector setting, each in a fresh process, settings in turn; medians", "",
             "| phase | collector | wall s (median) | min | max | of it, collector s | simulated s | target |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for phase, label, target in (("apply", "apply → all Running", "< 2 s wall"),
                                 ("roll", "rolling update (25% surge / 25% unavailable) → all new Running",
                                  "report")):
        for g, rs in results.items():
            walls = [r[f"{phase}_s"] for r in rs]
            gc_col = f"{statistics.median(r[f'{phase}_gc_s'] for r in rs):.2f}"
            lines.append(f"| {label} | {g} | {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} | "
                         f"{gc_col} | {statistics.median(r[f'{phase}_sim_s'] for r in rs):.0f} | {target} |")
    first = next(iter(results.values()))
    lines += ["", f"Store revision at the end (≈ writes): {int(statistics.median(r['revision'] for r in first)):,}. "
              "The collector column is the time CPython's cyclic collector ran in that phase "
              "(`gc.callbacks`); full collections per run (both phases): " +
              ", ".join(f"{g} {statistics.median(r['gc_full'] for r in rs):.0f}" for g, rs in results.items()) +
              ". `control-plane` is `kubekit.gcpolicy.control_plane_gc()` (young-generation threshold 20,000 "
              "instead of 700, middle generation every 50 young collections instead of 10), what `kubekit serve` runs under.", ""]
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
