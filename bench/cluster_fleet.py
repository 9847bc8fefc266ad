"""The fleet benchmark (cluster issue §8): a 10,000-replica Deployment on
1,000 simulated nodes, from apply to every pod Running, on a fake clock;
then a rolling update of the same Deployment.

    python3 bench/cluster_fleet.py [--nodes 1000] [--replicas 10000] [--runs 3] [--out bench/results/cluster_fleet.md]

Everything is real except the nodes' processes: the in-memory store (JSON
objects, revisions, watches), the informers, the Deployment and ReplicaSet
controllers (slow-start batches of at most 500 creations per sync, as
kube-controller-manager), kubekit's scheduler binding each pod with two store
writes and an event, and the simulated nodes writing each pod's Running
status.  Wall time is measured with ``time.perf_counter``; the simulated time
the fake clock covered is reported beside it.  Target (the issue): apply to
all Running in under 2 s wall.
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


def run(nodes: int, replicas: int) -> dict:
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
    return {"apply_s": apply_s, "apply_sim_s": sim, "roll_s": roll_s, "roll_sim_s": sim_roll,
            "revision": cp.store.kv.revision}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/results/cluster_fleet.md")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:                                   # one run, in this fresh process; JSON on stdout
        import json

        print(json.dumps(run(a.nodes, a.replicas)))
        return 0
    import json
    import subprocess

    # Each run in a fresh interpreter, as a control plane is one long-lived
    # process: runs in one process get slower as its heap fragments.
    results = []
    for _ in range(a.runs):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", "--nodes", str(a.nodes),
                              "--replicas", str(a.replicas)], capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    cmd = " ".join(["python3"] + sys.argv)
    lines = [f"# Fleet: {a.replicas:,} replicas on {a.nodes:,} simulated nodes (`{cmd}`)", "",
             f"{platform.node()} · {platform.python_implementation()} {platform.python_version()} · "
             f"{os.cpu_count()} cpus · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · "
             f"{a.runs} runs, each in a fresh process, medians", "",
             "| phase | wall s (median) | min | max | simulated s | target |", "|---|---:|---:|---:|---:|---|",
             f"| apply → all Running | {med['apply_s']:.2f} | {min(r['apply_s'] for r in results):.2f} | "
             f"{max(r['apply_s'] for r in results):.2f} | {med['apply_sim_s']:.0f} | < 2 s wall |",
             f"| rolling update (25% surge / 25% unavailable) → all new Running | {med['roll_s']:.2f} | "
             f"{min(r['roll_s'] for r in results):.2f} | {max(r['roll_s'] for r in results):.2f} | "
             f"{med['roll_sim_s']:.0f} | report |", "",
             f"Store revision at the end (≈ writes): {int(med['revision']):,}.", ""]
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
