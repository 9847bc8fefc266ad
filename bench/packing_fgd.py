"""FGD speed: the Cython index (engine ``kernel``) against its plain-Python /
numpy twin (engine ``python``), and how the kernel's cost per pod grows with
the node count.

    OPENBLAS_NUM_THREADS=1 python bench/packing_fgd.py [--data DIR] [--seeds 42-44] [--scales 1,4,16]
        [--skip-openb] [--skip-scale] [--target-runs 5] [--target-size 10000,100000]

1. **OpenB** (the FGD paper's experiment, ``kubekit replay openb --mode
   inflate``: the 1,213 GPU nodes, the default pod list shuffled and cloned to
   1.3x the GPU capacity), FGD alone, per scoring and engine, one run per
   seed: pods/s of Filter + Score + bind as the replay reports it.  Checks
   that both engines place every pod identically.
2. **Scale**: the OpenB GPU nodes repeated k times (k x 1,213 nodes) and the
   same inflation to 1.3x their capacity (about k x 10,900 pods), kernel
   only (and the twin up to ``--twin-max-scale``): pods/s, and the index's
   work per pod (node scores recomputed, slot rebuilds).

3. **Target** (issue 7: "100,000 pods onto 10,000 nodes: under 1 s"), FGD
   exact scoring, ``order`` ties: the OpenB GPU nodes repeated in order and
   cut at 10,000 nodes (8 full copies of the 1,213 plus the first 296); the
   pods are the inflation above (the default pod list shuffled, then uniform
   clones) continued until there are 100,000 pods (the prefix of the
   inflation does not depend on the ratio; 100,000 pods ask for about 1.46x
   the GPUs, so the last ~30% find no node, and the kernel must prove it).
   Times ``GpuScheduler.place_batch`` (one kernel call: from the GpuPod
   objects to the bound cluster, pod counts and fragmentation table) and
   ``place`` per pod, alternately, ``--target-runs`` times each, on fresh
   clusters; checks both place every pod identically (the per-pod kernel is
   checked against the numpy twin by the tests).

Prints markdown tables (medians over seeds / runs).  Never used by the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kubekit.packing.gpu import FragTable, GpuCluster, GpuScheduler, TargetWorkload, make_policy  # noqa: E402
from kubekit.replay import ReplayConfig, replay  # noqa: E402
from kubekit.replay.workload import inflate_workload, trace_pods  # noqa: E402
from kubekit.traces import NodeTable, load  # noqa: E402

DEFAULT_DATA = "/work/shared/data/traces/alibaba_gpu_v2023_openb"


def seeds_arg(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def openb(data: str, seeds: list[int]) -> list[str]:
    lines = ["| scoring | engine | pods/s (median) | runs | placed (seed " + str(seeds[0]) + ") |",
             "|---|---|---:|---|---:|"]
    for scoring in ("exact", "simulator"):
        placements = {}
        for engine in ("python", "kernel"):
            cfg = ReplayConfig("openb", path=data, mode="inflate", policies=("FGD",), seed=seeds[0],
                               repeat=len(seeds), scoring=scoring, engine=engine)
            runs = next(iter(replay(cfg, progress=False).runs.values()))
            placements[engine] = [(r.node.tolist(), r.gpus) for r in runs]
            rates = [r.pods_per_s for r in runs]
            lines.append(f"| {scoring} | {engine} | {statistics.median(rates):,.0f} | "
                         f"{', '.join(f'{x:,.0f}' for x in rates)} | {runs[0].placed:,} |")
            print(lines[-1], flush=True)
        if placements["python"] != placements["kernel"]:
            raise SystemExit(f"engines disagree ({scoring})")
    return lines + ["", "Both engines placed every pod on the same node and GPUs (checked)."]


def scaled(nodes: NodeTable, k: int) -> GpuCluster:
    gpu = np.flatnonzero(np.asarray(nodes.gpu_count) > 0)
    names = [f"{nodes.name[i]}-{r}" for r in range(k) for i in gpu]
    rep = np.tile(gpu, k)
    return GpuCluster(names, nodes.cpu_milli[rep], nodes.memory_bytes[rep], nodes.gpu_count[rep],
                      [nodes.gpu_model[i] for i in rep])


def scale(data: str, seeds: list[int], scales: list[int], twin_max: int) -> list[str]:
    tr = load("openb", data)
    pods, _, _ = trace_pods(tr)
    target = TargetWorkload.from_pods(pods)
    lines = ["| nodes | pods | engine | pods/s (median) | node scores recomputed / pod | slot rebuilds |",
             "|---:|---:|---|---:|---:|---:|"]
    for k in scales:
        for engine in ("kernel", "python"):
            if engine == "python" and k > twin_max:
                continue
            rates, work, rebuilds = [], [], []
            for s in seeds:
                cluster = scaled(tr.nodes, k)
                w = inflate_workload(pods, cluster.total_gpu_milli, 1.3, rng=np.random.default_rng(s))
                frag = FragTable(cluster, target, kernel=engine == "kernel")
                sched = GpuScheduler(cluster, make_policy("fgd", "exact", engine=engine), frag=frag, seed=s)
                t0 = time.perf_counter()
                for p in w.pods:
                    sched.place(p)
                rates.append(len(w.pods) / (time.perf_counter() - t0))
                if engine == "kernel":
                    idx = sched.policy.index
                    work.append((idx.rescored + idx.rebuilds * len(cluster)) / len(w.pods))
                    rebuilds.append(idx.rebuilds)
            cells = [f"{len(cluster):,}", f"{len(w.pods):,}", engine, f"{statistics.median(rates):,.0f}",
                     f"{statistics.median(work):,.1f}" if work else "all feasible",
                     f"{statistics.median(rebuilds):,.0f}" if rebuilds else "—"]
            lines.append("| " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    return lines


def target_instance(data: str, n_nodes: int = 10_000, n_pods: int = 100_000, seed: int = 42):
    """The target instance (see the module docstring): a cluster factory, the pods, the target workload."""
    tr = load("openb", data)
    pods, _, _ = trace_pods(tr)
    nodes = tr.nodes
    gpu = np.flatnonzero(np.asarray(nodes.gpu_count) > 0)
    rep = np.resize(gpu, n_nodes)

    def make() -> GpuCluster:
        return GpuCluster([f"{nodes.name[i]}-{k}" for k, i in enumerate(rep)], nodes.cpu_milli[rep],
                          nodes.memory_bytes[rep], nodes.gpu_count[rep], [nodes.gpu_model[i] for i in rep])

    cap = make().total_gpu_milli
    ratio = 1.3
    while True:
        w = inflate_workload(pods, cap, ratio, rng=np.random.default_rng(seed))
        if len(w.pods) >= n_pods:
            break
        ratio *= 1.1
    work = w.pods[:n_pods]
    return make, work, TargetWorkload.from_pods(pods), sum(p.gpu_total_milli for p in work) / cap


def target(data: str, runs: int, n_nodes: int = 10_000, n_pods: int = 100_000) -> list[str]:
    make, pods, tw, ask = target_instance(data, n_nodes, n_pods)
    rows: dict[str, list[float]] = {"place_batch": [], "place per pod": []}
    result: dict[str, tuple] = {}
    placed = 0
    for _ in range(runs):
        for how in rows:
            cluster = make()
            sched = GpuScheduler(cluster, make_policy("fgd", "exact", engine="kernel"),
                                 frag=FragTable(cluster, tw, kernel=True), seed=42)
            t0 = time.perf_counter()
            if how == "place_batch":
                node, _ = sched.place_batch(pods)
            else:
                node = np.array([-1 if b is None else b.node for b in map(sched.place, pods)])
            rows[how].append(time.perf_counter() - t0)
            got = (node.tolist(), cluster.gpu_left.tolist())
            if result.setdefault("place_batch", got) != got:
                raise SystemExit(f"target: {how} disagrees")
            placed = int((node >= 0).sum())
    lines = [f"{len(cluster):,} nodes, {len(pods):,} pods (GPU asked {ask:.2f}x the capacity), {placed:,} placed",
             "", "| path | seconds (median) | pods/s (median) | runs (s) |", "|---|---:|---:|---|"]
    for how, ts in rows.items():
        m = statistics.median(ts)
        lines.append(f"| {how} | {m:.3f} | {len(pods) / m:,.0f} | {', '.join(f'{t:.3f}' for t in ts)} |")
    return lines + ["", "Both paths placed every pod on the same node and GPUs (checked)."]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help="the OpenB csv directory (full trace)")
    ap.add_argument("--seeds", default="42-44")
    ap.add_argument("--scales", default="1,4,16")
    ap.add_argument("--twin-max-scale", type=int, default=4)
    ap.add_argument("--skip-openb", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--target-runs", type=int, default=0,
                    help="runs of the 100,000-pods-onto-10,000-nodes target (0: skip)")
    ap.add_argument("--target-size", default="10000,100000", metavar="NODES,PODS",
                    help="the target instance's size (the issue's second target: 100000,1000000)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.data):
        print(f"packing_fgd: no OpenB trace at {args.data}: pass --data DIR", file=sys.stderr)
        return 2
    seeds = seeds_arg(args.seeds)
    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"load before: {up}", flush=True)
    out = [] if args.skip_openb else openb(args.data, seeds) + [""]
    if not args.skip_scale:
        out += scale(args.data, seeds, [int(x) for x in args.scales.split(",")], args.twin_max_scale) + [""]
    if args.target_runs:
        n_nodes, n_pods = (int(x) for x in args.target_size.split(","))
        out += target(args.data, args.target_runs, n_nodes, n_pods)
    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print("\n".join(["", *out, "", f"load after: {up}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
