"""Consolidation and provisioning on clusters built from the bundled OpenB
sample (``kubekit.traces.load_sample("openb")``), for docs/packing-consolidation.md.

    python bench/packing_consolidation.py [--time-limit 20] [--workers 2] [--inflate 1 3] [--greedy-scale 8]

**Resources**: cpu_milli, memory_mib, gpu_milli.  A pod's GPU demand is
``gpu_count × gpu_milli``; a node's is ``gpu_count × 1000`` (pooled: a
relaxation of per-GPU sharing, see the doc).

**Prices** (synthetic, integer units per node): 4 per core, 1 per GiB of
memory, 200 per GPU.

**Consolidation**: the pods (repeated ``--inflate`` times) are first spread
over the 191 nodes the way kube-scheduler's LeastAllocated spreads them (each
pod, largest first, on the allowed node with the lowest utilization after
placing it), which leaves most nodes lightly used.  Pods belong to 20
round-robin workloads with ``maxUnavailable: 1``; every 20th pod is pinned
(do-not-disrupt).

**Provisioning**: the pods of the ``gpuspec33`` variant (54 with a GPU-model
constraint) as pending pods; node types are the distinct node shapes of the
sample (shape + GPU model), each available as many times as the sample has
such nodes (×inflate).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from kubekit.packing import PackingProblem, item_order
from kubekit.packing.consolidate import ConsolidationProblem, consolidate, consolidate_greedy
from kubekit.packing.provision import ProvisionRequest, provision
from kubekit.traces import load_sample

MIB = 2**20
RESOURCES = ("cpu_milli", "memory_mib", "gpu_milli")


def node_rows(trace):
    n = trace.nodes
    caps = np.stack([n.cpu_milli, n.memory_bytes // MIB, n.gpu_count * 1000], axis=1).astype(np.int64)
    price = (n.cpu_milli // 1000) * 4 + n.memory_bytes // 2**30 + n.gpu_count * 200
    models = [m if m is not None else "" for m in n.gpu_model.tolist()]
    return caps, price.astype(np.int64), models


def pod_rows(trace, inflate: int):
    p = trace.pods
    d = np.stack([p.cpu_milli, p.memory_bytes // MIB, p.gpu_count * p.gpu_milli], axis=1).astype(np.int64)
    models = [tuple(m) if m else None for m in p.gpu_models.tolist()]
    names = [str(s) for s in p.name.tolist()]
    d = np.concatenate([d] * inflate)
    models = models * inflate
    names = [f"{s}-{k}" for k in range(inflate) for s in names]
    return d, models, names


def gpu_allowed(pod_models, node_models):
    """pods × nodes: a pod with a GPU-model constraint may only use nodes of those models."""
    return np.array([[m is None or nm in m for nm in node_models] for m in pod_models], dtype=bool)


def spread_placement(problem: PackingProblem) -> np.ndarray:
    """LeastAllocated-style spreading: each item, largest first (decreasing
    ``max`` order, so the few pods that fit only the biggest nodes find room),
    on the allowed bin with the lowest Σ_r load_r / cap_r after placing it
    (ties: lowest index)."""
    caps = problem.capacities.astype(np.float64)
    load = np.zeros_like(caps)
    safe = np.where(caps > 0, caps, 1.0)
    a = np.full(problem.n_items, -1, dtype=np.int64)
    for i in item_order(problem, "max").tolist():
        d = problem.demands[i]
        ok = problem.allowed[problem.item_groups[i]] & ((problem.capacities - load.astype(np.int64)) >= d).all(axis=1)
        cand = np.flatnonzero(ok)
        if not len(cand):
            raise SystemExit(f"pod {i} does not fit anywhere while spreading")
        util = (((load[cand] + d) / safe[cand]) * (caps[cand] > 0)).sum(axis=1)
        b = int(cand[np.argmin(util)])
        a[i] = b
        load[b] += d
    return a


def consolidation_rows(inflate: int, time_limit: float, workers: int, budgets):
    trace = load_sample("openb")
    caps, price, node_models = node_rows(trace)
    d, pod_models, names = pod_rows(trace, inflate)
    allowed = gpu_allowed(pod_models, node_models)
    problem = PackingProblem(d, caps, costs=price, allowed=allowed, resources=RESOURCES, item_names=names,
                             bin_names=[str(s) for s in trace.nodes.name.tolist()])
    a = spread_placement(problem)
    n = problem.n_items
    workloads = [f"w{i % 20}" for i in range(n)]
    rows = []
    for objective in ("bins", "cost"):
        for budget in budgets:
            cp = ConsolidationProblem(problem, a, workloads=workloads, max_unavailable={f"w{k}": 1 for k in range(20)},
                                      pinned=list(range(0, n, 20)), max_moves=budget)
            t0 = time.perf_counter()
            g = consolidate_greedy(cp, objective)
            tg = time.perf_counter() - t0
            g.verify()
            t0 = time.perf_counter()
            e = consolidate(cp, objective, time_limit_s=time_limit, workers=workers, greedy=g)
            te = time.perf_counter() - t0
            e.verify()
            rows.append((inflate, n, objective, "∞" if budget is None else budget, g.value_before, g.value_after,
                         g.moves, f"{tg:.2f}", e.value_after, e.moves, e.bound, f"{100 * e.gap:.1f}%",
                         e.status.value, e.cp_sat_status or "-", f"{te:.1f}"))
    return rows


def provisioning_rows(inflate: int, time_limit: float, workers: int):
    trace = load_sample("openb", variant="gpuspec33")
    caps, _, node_models = node_rows(trace)
    keys: dict[tuple, int] = {}
    for b in range(len(caps)):
        key = (tuple(caps[b].tolist()), node_models[b])
        keys[key] = keys.get(key, 0) + 1
    types = sorted(keys)
    tcaps = np.array([k[0] for k in types], dtype=np.int64)
    tmodels = [k[1] for k in types]
    tprice = (tcaps[:, 0] // 1000) * 4 + tcaps[:, 1] // 1024 + (tcaps[:, 2] // 1000) * 200
    counts = np.array([keys[k] * inflate for k in types], dtype=np.int64)
    d, pod_models, names = pod_rows(trace, inflate)
    req = ProvisionRequest(d, tcaps, tprice, counts, allowed=gpu_allowed(pod_models, tmodels), resources=RESOURCES,
                           pod_names=names,
                           type_names=[f"{c[0] // 1000}c-{c[1] // 1024}g-{c[2] // 1000}x{m or 'cpu'}"
                                       for c, m in zip(tcaps.tolist(), tmodels)])
    t0 = time.perf_counter()
    r = provision(req, time_limit_s=time_limit, workers=workers)
    t = time.perf_counter() - t0
    r.heuristic.verify()
    if r.best is not None:
        r.best.verify()
    return [(inflate, req.n_pods, req.n_types, r.heuristic.method, r.heuristic.n_nodes, r.heuristic.cost,
             r.best.n_nodes if r.best else "-", r.cost, r.bound,
             f"{100 * r.heuristic_excess:.1f}%" if r.heuristic_excess is not None else "-",
             f"{100 * r.gap:.1f}%" if r.gap is not None else "-", r.status.value, r.cp_sat_status or "-", f"{t:.1f}")]


def greedy_scale_rows(copies: int):
    """Greedy only, on the sample's nodes repeated ``copies`` times and its pods ``2 × copies`` times."""
    trace = load_sample("openb")
    caps, price, node_models = node_rows(trace)
    caps, price, node_models = np.concatenate([caps] * copies), np.concatenate([price] * copies), node_models * copies
    d, pod_models, _ = pod_rows(trace, 2 * copies)
    problem = PackingProblem(d, caps, costs=price, allowed=gpu_allowed(pod_models, node_models), resources=RESOURCES)
    cp = ConsolidationProblem(problem, spread_placement(problem))
    rows = []
    for fit in ("dot", "l2", "most", "best"):
        t0 = time.perf_counter()
        g = consolidate_greedy(cp, "bins", fit=fit)
        t = time.perf_counter() - t0
        g.verify()
        rows.append((problem.n_bins, problem.n_items, fit, g.value_before, g.value_after, g.moves, g.bound, f"{t:.1f}"))
    return rows


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--inflate", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--budgets", type=lambda s: None if s == "none" else int(s), nargs="+", default=[None, 40])
    ap.add_argument("--greedy-scale", type=int, default=0, metavar="K",
                    help="also time the greedy alone on the nodes repeated K times and the pods 2K times")
    args = ap.parse_args()
    rows = []
    for k in args.inflate:
        rows += consolidation_rows(k, args.time_limit, args.workers, args.budgets)
    print("Consolidation (191 OpenB nodes, pods spread LeastAllocated-style)\n")
    print(table(("inflate", "pods", "objective", "max moves", "before", "greedy after", "greedy moves", "greedy s",
                 "CP-SAT after", "CP-SAT moves", "bound", "gap", "status", "CP-SAT status", "CP-SAT s"), rows))
    rows = []
    for k in args.inflate:
        rows += provisioning_rows(k, args.time_limit, args.workers)
    print("\nProvisioning (OpenB gpuspec33 pods pending; node types = the sample's node shapes)\n")
    print(table(("inflate", "pods", "types", "heuristic", "heur. nodes", "heur. cost", "best nodes", "best cost",
                 "bound", "heuristic excess", "gap", "status", "CP-SAT status", "s"), rows))
    if args.greedy_scale:
        print(f"\nGreedy consolidation alone (nodes x{args.greedy_scale}, pods x{2 * args.greedy_scale}, no rules)\n")
        print(table(("nodes", "pods", "fit", "before", "after", "moves", "bound", "s"),
                    greedy_scale_rows(args.greedy_scale)))


if __name__ == "__main__":
    main()
