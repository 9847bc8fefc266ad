"""Side-by-side report for the scheduler core (issue 2):

    python bench/report.py [--quick]

For each workload, in one run: pods/s of the Cython engine (whole queue via
``schedule_batch``), pods/s of the Python twin on a prefix of the same queue
(the twin costs the same per pod all through), their ratio, and the memory
held per node by the scheduler state (tracemalloc of everything the scheduler
allocates while nodes are added, plus the packed numpy arrays).  Repeats each
measurement and prints medians.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubekit import Scheduler  # noqa: E402
from workloads import workload_a, workload_b  # noqa: E402

KUBE_SCHEDULER_FLOOR = 680  # scheduler_perf SchedulingBasic 5000 nodes, CI minimum pods/s


def pods_per_s(nodes, pods, engine, repeats):
    """Median pods/s, pods placed, and the bytes per node the run left in
    caches (replica indexes, scan buffers: C memory tracemalloc cannot see)."""
    rates = []
    for _ in range(repeats):
        s = Scheduler(nodes=nodes, engine=engine)
        gc.collect()
        t0 = time.perf_counter()
        r = s.schedule_batch(pods)
        dt = time.perf_counter() - t0
        rates.append(len(pods) / dt)
        placed = len(r.placements)
    cache = s.engine.cache_bytes() / len(nodes) if engine == "fast" else 0.0
    return statistics.median(rates), placed, cache


def one_by_one_per_s(nodes, pods, repeats):
    """pods/s when an embedding caller calls schedule() then assume() per pod."""
    rates = []
    for _ in range(repeats):
        s = Scheduler(nodes=nodes)
        t0 = time.perf_counter()
        for p in pods:
            r = s.schedule(p)
            if r.node is not None:
                s.assume(p, r.node)
        rates.append(len(pods) / (time.perf_counter() - t0))
    return statistics.median(rates)


def bytes_per_node(nodes):
    gc.collect()
    tracemalloc.start()
    s = Scheduler()
    base = tracemalloc.get_traced_memory()[0]
    for n in nodes:
        s.add_node(n)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used / len(nodes), s.state_bytes() / len(nodes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a shorter twin prefix")
    args = ap.parse_args()
    repeats = 3 if args.quick else 5
    twin_pods = 20 if args.quick else 60
    rows = []
    cases = [("A", n, *workload_a(n, 10000)) for n in (500, 5000, 15000)] + [("B", 5000, *workload_b(5000, 10000))]
    for name, n, nodes, pods in cases:
        fast, placed, cache = pods_per_s(nodes, pods, "fast", repeats)
        twin, _, _ = pods_per_s(nodes, pods[:twin_pods], "twin", max(1, repeats // 2))
        per_node, packed = bytes_per_node(nodes)
        rows.append((name, n, len(pods), placed, fast, twin, fast / twin, per_node, packed, cache))
    print(f"{'workload':8} {'nodes':>6} {'pods':>6} {'placed':>6} {'fast pods/s':>12} {'twin pods/s':>12} "
          f"{'speedup':>8} {'B/node':>7} {'arrays':>7} {'caches':>7} {'vs 680/s':>9}")
    for name, n, p, placed, fast, twin, ratio, per_node, packed, cache in rows:
        print(f"{name:8} {n:6d} {p:6d} {placed:6d} {fast:12,.0f} {twin:12,.1f} {ratio:7,.0f}x {per_node:7.0f} {packed:7.0f} "
              f"{cache:7.0f} {fast / KUBE_SCHEDULER_FLOOR:8,.0f}x")
    nodes, pods = workload_a(5000, 10000)
    print(f"\nA 5000 nodes, schedule() + assume() one pod at a time: {one_by_one_per_s(nodes, pods, repeats):,.0f} pods/s")
    print("\nmedians of", repeats, "runs; twin measured on the first", twin_pods, "pods of the same queue;"
          " B/node = tracemalloc bytes per node held after add_node (names, tables, arrays); arrays = the packed"
          " numpy state alone; caches = replica indexes and scan buffers left after the run, per node")


if __name__ == "__main__":
    main()
