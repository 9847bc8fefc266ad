"""Batch placement at scale (issue 7 §1): the Cython kernel next to its
plain-Python twin, in one run.

    OPENBLAS_NUM_THREADS=1 python bench/packing_scale.py [--sizes 1000,10000,100000] [--ratio 10]
        [--runs 3] [--twin-max 1000] [--trace DIR] [--variant gpuspec33] [--md out.md] [--json out.json]

**Workload** (:func:`openb_problem`): nodes and pods with the shapes of the
OpenB trace (Alibaba cluster-trace-gpu-v2023): the full files from
``--trace`` (default ``../shared/data/traces/alibaba_gpu_v2023_openb`` when
present), else the sample shipped in ``kubekit/data/traces/openb``.  N nodes
are drawn uniformly from the node list (27 shapes, 7 GPU models and
CPU-only nodes), ``ratio * N`` pods from the pod list, with a seeded RNG.
Resources: ``cpu_milli``, ``memory_bytes``, ``gpu_milli`` (the GPU-share
model: a share of one GPU, or whole GPUs) and ``pods`` (110 per node, 1 per
pod).  A pod's ``gpu_spec`` (the accepted GPU models) becomes its mask.

OpenB's pods are large (10.5 cores and 0.75 GPU on average against 82
cores and 4.1 GPUs per node), so ten uniform draws per node would ask for
127 % of the CPU and 183 % of the GPUs, a problem ``PackingProblem`` refuses
as infeasible.  Pods are therefore drawn with probability proportional to
``size ** -a`` (``size``: the pod's largest share of an average node), ``a``
fitted so that the busiest resource is asked for ``--fill`` (90 %) of the
cluster: still the trace's shapes, tilted towards the small ones.

**Measured**, per size and algorithm (order ``max``; ``ffd`` and ``bfd``
with fits ``dot``, ``l2``, ``most``): the kernel run on a prepared problem
(median of ``--runs``), pods/s, microseconds and tree nodes visited per pod;
``place()`` end to end (index build + order + run, median); the nodes used,
the best cheap lower bound on the nodes that can hold the pods the run
placed (:func:`placed_bound`: volume and, where every node has the same
capacity in a resource, Martello–Toth L2) and the gap ``bins / bound − 1``
(the heuristic is at most that far above the optimum for those pods; on
the OpenB workload a run leaves pods unplaced, so a bound on *all* pods,
printed per size, would not bound it); the twin
(:func:`kubekit.packing.batch.reference_place`, or the reference heuristics
with ``--vector``) on sizes up to ``--twin-max`` nodes, and whether the two
assignments are identical.  The load average (``uptime``) is printed before
and after: the machine has 2 cores shared with other jobs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from kubekit.packing import PackingProblem, best_fit_decreasing, first_fit_decreasing, gap, l2_bound, volume_bound
from kubekit.packing.batch import prepare, reference_place
from kubekit.traces import load, load_sample

FULL_TRACE = Path(__file__).resolve().parents[2] / "shared" / "data" / "traces" / "alibaba_gpu_v2023_openb"
RESOURCES = ("cpu_milli", "memory_bytes", "gpu_milli", "pods")
MAX_PODS = 110
RUNS = (("ffd", None), ("bfd", "dot"), ("bfd", "l2"), ("bfd", "most"))


def load_openb(trace: str | os.PathLike[str] | None = None, variant: str = "gpuspec33"):
    """The OpenB trace: ``trace`` if given, else the full files when present,
    else the bundled sample.  Returns (trace, where it came from)."""
    path = Path(trace) if trace else FULL_TRACE
    if path.is_dir():
        return load("openb", path, variant=variant), str(path)
    return load_sample("openb", variant=variant), "kubekit/data/traces/openb (sample)"


def openb_problem(n_nodes: int, pods_per_node: int = 10, seed: int = 0, trace=None, variant: str = "gpuspec33",
                  fill: float = 0.9, source=None) -> tuple[PackingProblem, dict]:
    """The benchmark problem (see the module doc) and facts about it."""
    t = source if source is not None else load_openb(trace, variant)[0]
    nodes, pods = t.nodes, t.pods
    rng = np.random.default_rng(seed)
    node_idx = rng.integers(0, len(nodes.cpu_milli), size=n_nodes)
    n = n_nodes * pods_per_node
    share = np.where(pods.gpu_count == 1, pods.gpu_milli, pods.gpu_count * 1000).astype(np.int64)
    need = np.stack([pods.cpu_milli, pods.memory_bytes, share], 1).astype(float)
    mean_node = np.stack([nodes.cpu_milli, nodes.memory_bytes, nodes.gpu_count * 1000], 1).astype(float).mean(0)
    size = (need / mean_node).max(1)
    lo, hi = 0.0, 16.0
    for _ in range(60):                      # the smallest tilt a whose expected demand is <= fill
        a = (lo + hi) / 2
        w = size ** -a
        w /= w.sum()
        if (pods_per_node * (w[:, None] * need).sum(0) / mean_node).max() > fill:
            lo = a
        else:
            hi = a
    w = size ** -hi
    w /= w.sum()
    pod_idx = rng.choice(len(size), size=n, p=w)
    caps = np.stack([nodes.cpu_milli[node_idx], nodes.memory_bytes[node_idx], nodes.gpu_count[node_idx] * 1000,
                     np.full(n_nodes, MAX_PODS)], 1)
    demands = np.stack([pods.cpu_milli[pod_idx], pods.memory_bytes[pod_idx], share[pod_idx],
                        np.ones(n, dtype=np.int64)], 1)
    specs = [pods.gpu_models[i] for i in pod_idx.tolist()]
    group_of: dict = {None: 0}
    groups = np.array([group_of.setdefault(s, len(group_of)) for s in specs], dtype=np.int64)
    models = [nodes.gpu_model[i] for i in node_idx.tolist()]
    allowed = np.ones((len(group_of), n_nodes), dtype=bool)
    for spec, g in group_of.items():
        if spec is not None:
            allowed[g] = [m in spec for m in models]
    p = PackingProblem(demands, caps, allowed=allowed, item_groups=groups, resources=RESOURCES)
    asked = demands.sum(0) / caps.sum(0)
    facts = {"tilt_a": round(hi, 3), "asked": {r: round(float(x), 3) for r, x in zip(RESOURCES, asked)},
             "mask_groups": len(group_of), "constrained_pods": int((groups > 0).sum()),
             "node_shapes": int(p.n_bin_classes)}
    return p, facts


def cheap_bound(p: PackingProblem) -> tuple[int, dict]:
    """The best of the volume and L2 bounds on the bins (and each of them;
    L2 is ``None`` without a resource all bins share a capacity in)."""
    b = {"volume": volume_bound(p), "l2": l2_bound(p)}
    return max(v for v in b.values() if v is not None), b


def placed_bound(p: PackingProblem, assignment: np.ndarray) -> tuple[int, dict]:
    """:func:`cheap_bound` for the pods that ``assignment`` placed, on all
    the nodes.  Masks and the GPU-share model are dropped (the volume and
    L2 bounds read neither), so the bound stays valid for the run."""
    placed = assignment >= 0
    return cheap_bound(PackingProblem(p.demands[placed], p.capacities, resources=p.resources))


def load_average() -> str:
    try:
        return "load average " + ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover
        return "load average unknown"


def twin(p: PackingProblem, alg: str, fit: str | None, vector: bool):
    if vector:
        return first_fit_decreasing(p, "max") if alg == "ffd" else best_fit_decreasing(p, "max", fit)
    return reference_place(p, alg, "max", fit, gpu_share="gpu_milli")


def run(args) -> dict:
    source, where = load_openb(args.trace, args.variant)
    gpu = None if args.vector else "gpu_milli"
    out = {"trace": where, "variant": args.variant, "ratio": args.ratio, "runs": args.runs,
           "model": "vector" if args.vector else "gpu-share", "load_before": load_average(), "sizes": []}
    print(f"# trace {where} ({args.variant}), {args.ratio} pods per node, model {out['model']}, "
          f"{out['load_before']}", flush=True)
    for n_nodes in args.sizes:
        t0 = time.perf_counter()
        p, facts = openb_problem(n_nodes, args.ratio, args.seed, source=source, fill=args.fill)
        t_problem = time.perf_counter() - t0
        prep_times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            prep = prepare(p, gpu_share=gpu)
            prep.item_order("max")
            prep_times.append(time.perf_counter() - t0)
        bound_all, bounds_all = cheap_bound(p)
        row = {"nodes": n_nodes, "pods": p.n_items, "problem_s": t_problem, "prepare_s": statistics.median(prep_times),
               "cache_k": prep.packer.cache_k, "index_bytes": prep.stats["index_bytes"], **facts,
               "bound_all": bound_all, "bounds_all": bounds_all, "algorithms": []}
        print(f"\n## {n_nodes} nodes, {p.n_items} pods: PackingProblem {t_problem:.2f} s, index + order "
              f"{row['prepare_s']:.3f} s, K={row['cache_k']}, asked {facts['asked']}, "
              f"{facts['constrained_pods']} pods with a GPU-model mask ({facts['mask_groups'] - 1} specs), "
              f"all pods need >= {bound_all} nodes ({bounds_all})", flush=True)
        for alg, fit in RUNS:
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                got = prep.place(alg, "max", fit)
                times.append(time.perf_counter() - t0)
            stats = prep.stats
            e2e = []
            for _ in range(args.runs if n_nodes <= 10_000 else 1):
                t0 = time.perf_counter()
                prepare(p, gpu_share=gpu).place(alg, "max", fit)
                e2e.append(time.perf_counter() - t0)
            kernel = statistics.median(times)
            bound, bounds = placed_bound(p, got.assignment)
            r = {"algorithm": got.name, "kernel_s": kernel, "pods_per_s": p.n_items / kernel,
                 "us_per_pod": 1e6 * kernel / p.n_items, "visits_per_pod": stats["visits"] / p.n_items,
                 "searches": stats["searches"], "cache_hits": stats["cache_hits"],
                 "exact_calls": stats["exact_calls"], "place_s": statistics.median(e2e),
                 "placed": p.n_items - len(got.unplaced), "bins": got.bins_used, "bound": bound, "bounds": bounds,
                 "gap": gap(got.bins_used, bound), "twin_s": None, "equal": None}
            if n_nodes <= args.twin_max:
                t0 = time.perf_counter()
                ref = twin(p, alg, fit, args.vector)
                r["twin_s"] = time.perf_counter() - t0
                r["equal"] = bool(np.array_equal(ref.assignment, got.assignment))
            row["algorithms"].append(r)
            tw = "—" if r["twin_s"] is None else f"{r['twin_s']:.2f} s ({r['twin_s'] / kernel:.0f}x), equal={r['equal']}"
            print(f"  {got.name:14s} kernel {kernel:8.3f} s  {r['pods_per_s']:>11,.0f} pods/s  "
                  f"{r['us_per_pod']:6.2f} us/pod  {r['visits_per_pod']:6.1f} visits/pod  place() {r['place_s']:.3f} s  "
                  f"placed {r['placed']}  bins {r['bins']}  bound {bound}  gap {100 * r['gap']:.2f}%  twin {tw}", flush=True)
        out["sizes"].append(row)
    out["load_after"] = load_average()
    print(f"\n# {out['load_after']}")
    growth(out)
    return out


def growth(out: dict) -> None:
    """Cost per pod between consecutive sizes, as an exponent of N."""
    sizes = out["sizes"]
    if len(sizes) < 2:
        return
    print("\n## cost per pod vs N (exponent b in cost ~ N^b between consecutive sizes; 1 = linear)")
    for k in range(len(sizes[0]["algorithms"])):
        parts = []
        for a, b in zip(sizes, sizes[1:]):
            ra, rb = a["algorithms"][k], b["algorithms"][k]
            span = math.log(b["nodes"] / a["nodes"])
            parts.append(f"{a['nodes']}->{b['nodes']}: time b={math.log(rb['us_per_pod'] / ra['us_per_pod']) / span:.2f}, "
                         f"visits b={math.log(rb['visits_per_pod'] / ra['visits_per_pod']) / span:.2f}")
        print(f"  {sizes[0]['algorithms'][k]['algorithm']:14s} " + "; ".join(parts))


def markdown(out: dict) -> str:
    lines = [f"Trace {out['trace']} ({out['variant']}), {out['ratio']} pods per node, {out['model']} model, "
             f"median of {out['runs']} runs; {out['load_before']} before, {out['load_after']} after.  `bound`: no "
             "placement of the pods the run placed uses fewer nodes (best of the volume and L2 bounds); "
             "`gap` = bins / bound − 1.", "",
             "| nodes | pods | algorithm | kernel s | pods/s | µs/pod | visits/pod | place() s | placed | bins "
             "| bound | gap | twin s | equal |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in out["sizes"]:
        for r in row["algorithms"]:
            tw = "—" if r["twin_s"] is None else f"{r['twin_s']:.2f}"
            eq = "—" if r["equal"] is None else ("yes" if r["equal"] else "**no**")
            lines.append(f"| {row['nodes']:,} | {row['pods']:,} | {r['algorithm']} | {r['kernel_s']:.3f} | "
                         f"{r['pods_per_s']:,.0f} | {r['us_per_pod']:.2f} | {r['visits_per_pod']:.1f} | "
                         f"{r['place_s']:.3f} | {r['placed']:,} | {r['bins']:,} | {r['bound']:,} | {100 * r['gap']:.2f}% | "
                         f"{tw} | {eq} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="node counts, comma-separated")
    ap.add_argument("--ratio", type=int, default=10, help="pods per node")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--twin-max", type=int, default=1000, help="run the twin on sizes up to this many nodes")
    ap.add_argument("--trace", default=None, help="OpenB csv directory (default: the full trace if present)")
    ap.add_argument("--variant", default="gpuspec33")
    ap.add_argument("--fill", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vector", action="store_true", help="no GPU-share model; twin = reference heuristics")
    ap.add_argument("--md", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    out = run(args)
    if args.md:
        Path(args.md).write_text(markdown(out))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())
