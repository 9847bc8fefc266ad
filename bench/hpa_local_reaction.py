"""Local-node reaction time (autoscaling issue §5): from a cpu load step in
real containers to the new pod Ready.

    sudo python3 bench/hpa_local_reaction.py [--runs 3] [--out bench/results/hpa_local_reaction.md]

The setting is ``kubekit demo``'s (``kubekit/demo/setting.py``): an embedded
control plane, the local node running the Deployment's busybox workers as
real containers (requests 200m, limits 300m), the HPA controller reading
their cgroup cpu through the node agent's metrics sampler.  Here the HPA's
``maxReplicas`` is 3, so the scale-up stays on the local node (it offers
600m: three workers).  Each run starts from two Ready workers idling with
two metric samples taken, then creates the load file at t = 0 and measures

* **rescale**: the HPA's ``desiredReplicas`` becomes 3 (the decision);
* **ready**: the third worker is Running and Ready (a real container).

Both are dominated by two periods, so every run is made twice: with the
demo's (HPA sync 5 s, metrics resolution 2 s) and with Kubernetes' defaults
(``--horizontal-pod-autoscaler-sync-period`` 15 s, metrics-server's
``--metric-resolution`` 15 s).  Medians over runs; each run is a fresh
cluster.  Needs root (real containers).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

CONFIGS = {"demo (sync 5 s, metrics 2 s)": (5.0, 2.0), "Kubernetes defaults (15 s, 15 s)": (15.0, 15.0)}


def one_run(hpa_sync: float, metrics_interval: float) -> dict:
    from kubekit.demo.setting import label_local_node, open_setting
    from kubekit.demo.story import Story, workload
    from kubekit.demo.view import LiveView
    from kubekit.validation import check

    s = open_setting(hpa_sync=hpa_sync, metrics_interval=metrics_interval)
    try:
        if not s.real:
            raise SystemExit(f"needs real containers: {s.fallback}")
        story = Story(s, LiveView(io.StringIO(), live=False))
        story.wait_for("node", lambda: s.cp.nodes.get(s.local_node_name) is not None, 30)
        label_local_node(s)
        for doc in workload(s.load.directory):
            if doc["kind"] == "HorizontalPodAutoscaler":
                doc["spec"]["maxReplicas"] = 3
            s.store.create(check(doc))
        story.wait_for("2 ready", lambda: len(story.ready_pods()) == 2, 60)
        sampler = s.local.sampler

        def idle_samples() -> bool:                       # two samples of both workers, idle
            w = sampler.window()
            return w is not None and all(
                f"default/{p['metadata']['name']}" in w[0].pods for p in story.ready_pods())
        story.wait_for("idle samples", idle_samples, 3 * metrics_interval + 10)
        t0 = time.monotonic()
        s.load.set(True)
        story.wait_for("rescale", lambda: (story.hpa().get("status") or {}).get("desiredReplicas", 0) >= 3,
                       4 * (hpa_sync + metrics_interval) + 30)
        rescale = time.monotonic() - t0
        story.wait_for("3 ready", lambda: len(story.ready_pods()) >= 3, 60)
        ready = time.monotonic() - t0
        new = [p for p in story.ready_pods() if p["spec"].get("nodeName") == s.local_node_name]
        assert len(new) == 3, "the third worker should run on the local node"
        s.load.set(False)
        return {"rescale_s": rescale, "ready_s": ready}
    finally:
        s.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/results/hpa_local_reaction.md")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (real containers)", file=sys.stderr)
        return 2
    rows = []
    for name, (sync, metrics) in CONFIGS.items():
        runs = [one_run(sync, metrics) for _ in range(args.runs)]
        r = {k: statistics.median(x[k] for x in runs) for k in ("rescale_s", "ready_s")}
        rows.append((name, r, runs))
        print(f"{name}: load step -> HPA rescale {r['rescale_s']:.2f} s, -> new pod Ready {r['ready_s']:.2f} s "
              f"(median of {args.runs}; runs: " + ", ".join(f"{x['ready_s']:.2f}" for x in runs) + ")")
    lines = ["# Local-node reaction time: cpu load step → HPA rescale → new pod Ready", "",
             f"`sudo python3 bench/hpa_local_reaction.py --runs {args.runs}` on {platform.node()} "
             f"({os.cpu_count()} cpus), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "| config | HPA rescale (median) | new pod Ready (median) | runs (Ready, s) |", "|---|---|---|---|"]
    for name, r, runs in rows:
        lines.append(f"| {name} | {r['rescale_s']:.2f} s | {r['ready_s']:.2f} s | "
                     + ", ".join(f"{x['ready_s']:.2f}" for x in runs) + " |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
