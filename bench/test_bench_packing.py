"""pytest-benchmark suite for the batch-placement kernel (issue 7 §1):
``pytest bench/test_bench_packing.py --benchmark-only``.

The OpenB-shaped workload of ``packing_scale.py`` (10 pods per node): the
index is built once per size (not timed); each round runs one algorithm on
it from empty bins (timed).  The 100,000-node size (a million pods) runs
only with ``KUBEKIT_BENCH_LARGE=1``.
"""

from __future__ import annotations

import os

import pytest

from kubekit.packing.batch import prepare
from packing_scale import RUNS, openb_problem

SIZES = [1_000, 10_000] + ([100_000] if os.environ.get("KUBEKIT_BENCH_LARGE") else [])
_PREPARED: dict[int, object] = {}


def _prepared(n_nodes: int):
    if n_nodes not in _PREPARED:
        p, _ = openb_problem(n_nodes, 10, seed=0)
        prep = prepare(p, gpu_share="gpu_milli")
        prep.item_order("max")
        _PREPARED[n_nodes] = prep
    return _PREPARED[n_nodes]


@pytest.mark.parametrize("n_nodes", SIZES)
@pytest.mark.parametrize("alg, fit", RUNS, ids=[a if f is None else f"{a}-{f}" for a, f in RUNS])
def test_batch_kernel(benchmark, n_nodes, alg, fit):
    prep = _prepared(n_nodes)
    result = benchmark.pedantic(prep.place, args=(alg, "max", fit), rounds=3 if n_nodes >= 100_000 else 5,
                                iterations=1)
    benchmark.extra_info.update(nodes=n_nodes, pods=prep.problem.n_items, placed=prep.problem.n_items - len(result.unplaced),
                                bins=result.bins_used, **prep.stats)


@pytest.mark.parametrize("n_nodes", [1_000])
def test_place_end_to_end(benchmark, n_nodes):
    p = _prepared(n_nodes).problem
    benchmark.pedantic(lambda: prepare(p, gpu_share="gpu_milli").place("bfd", "max", "dot"), rounds=5, iterations=1)


def _fgd_run(engine: str, scoring: str):
    """FGD on the bundled OpenB sample, inflated to 1.3x its GPU nodes' capacity (setup not timed)."""
    import numpy as np

    from kubekit.packing.gpu import FragTable, GpuCluster, GpuScheduler, TargetWorkload, make_policy
    from kubekit.replay.workload import inflate_workload, trace_pods
    from kubekit.traces import load_sample

    tr = load_sample("openb")
    pods, _, _ = trace_pods(tr)
    target = TargetWorkload.from_pods(pods)

    def setup():
        cluster = GpuCluster.from_table(tr.nodes, gpu_only=True)
        w = inflate_workload(pods, cluster.total_gpu_milli, 1.3, rng=np.random.default_rng(42))
        frag = FragTable(cluster, target, kernel=engine == "kernel")
        sched = GpuScheduler(cluster, make_policy("fgd", scoring, engine=engine), frag=frag, seed=42)
        return (sched, w.pods), {}

    return setup


@pytest.mark.parametrize("scoring", ["exact", "simulator"])
@pytest.mark.parametrize("engine", ["kernel", "python"])
def test_fgd_openb_sample(benchmark, engine, scoring):
    """FGD's Cython index against its numpy twin, pod by pod (Filter + Score + bind)."""
    result = benchmark.pedantic(lambda sched, pods: [sched.place(p) for p in pods], setup=_fgd_run(engine, scoring),
                                rounds=5, iterations=1)
    benchmark.extra_info.update(pods=len(result), placed=sum(b is not None for b in result))
