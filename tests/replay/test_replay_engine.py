"""The replay engine and its reports: every placement is feasible at every
point, no policy beats the lower bound, the numbers add up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing.gpu import GpuCluster, GpuPackingError, GpuPod
from kubekit.replay import ReplayConfig, curve, replay, text_table, verify_placement
from kubekit.replay.report import node_lower_bound
from kubekit.traces import MISSING, NodeTable, PodTable, Trace

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_trace(nodes, pods) -> Trace:
    nt = NodeTable(name=[n[0] for n in nodes], cpu_milli=[n[1] for n in nodes], memory_bytes=[n[2] for n in nodes],
                   gpu_count=[n[3] for n in nodes], gpu_model=[n[4] for n in nodes])
    pt = PodTable(name=[f"p{i}" for i in range(len(pods))], cpu_milli=[p[0] for p in pods],
                  memory_bytes=[p[1] for p in pods], gpu_count=[p[2] for p in pods], gpu_milli=[p[3] for p in pods],
                  gpu_models=[p[4] for p in pods], arrival_s=[p[5] for p in pods], departure_s=[p[6] for p in pods])
    return Trace(name="openb", source="generated", nodes=nt, pods=pt, units_note="", attribution="")


@st.composite
def traces(draw):
    n = draw(st.integers(1, 5))
    nodes = []
    for i in range(n):
        g = draw(st.integers(0, 4))
        nodes.append((f"n{i}", draw(st.sampled_from([4000, 8000, 32000])), draw(st.sampled_from([8, 32])) << 30, g,
                      draw(st.sampled_from(["T4", "V100"])) if g else None))
    pods = []
    for _ in range(draw(st.integers(1, 30))):
        g = draw(st.sampled_from([0, 1, 1, 2]))
        milli = 0 if g == 0 else (draw(st.sampled_from([200, 500, 1000])) if g == 1 else 1000)
        models = draw(st.sampled_from([None, ("T4",), ("V100", "T4")])) if g else None
        a = draw(st.integers(0, 50))
        d = draw(st.one_of(st.just(MISSING), st.integers(a, 80)))
        pods.append((draw(st.sampled_from([500, 2000, 6000])), draw(st.sampled_from([1, 4])) << 30, g, milli, models,
                     a, d))
    return make_trace(nodes, pods)


def check_run(result, policy_runs=None):
    cluster = result.cluster
    for name, runs in result.runs.items():
        for run, rep in zip(runs, result.reports[name]):
            pods = result.workloads[run.seed].pods
            assert rep.pods_placed + rep.pods_unplaced == rep.pods_total == result.workloads[run.seed].arrivals
            # every prefix of the replay is a feasible placement of the pods alive then
            for e in sorted({0, len(run.nodes) // 2, len(run.nodes) - 1, int(np.argmax(run.nodes))}):
                alive = run.alive_at(e)
                verify_placement(cluster, pods, run.node, run.gpus, alive)
                assert len(np.unique(run.node[alive])) == run.nodes[e]
                lb, _ = node_lower_bound(cluster, pods, alive)
                assert run.nodes[e] >= lb                        # no policy beats a valid lower bound
            assert rep.nodes_used >= rep.lower_bound
            assert 0 <= rep.unallocated_gpus <= rep.gpus_total
            assert 0 <= rep.fragmented_gpus <= rep.unallocated_gpus + 1e-9
            assert all(0 <= u <= 1 for u in rep.utilization.values())


@SETTINGS
@given(traces(), st.sampled_from(["static", "arrivals"]), st.sampled_from(["order", "random"]),
       st.sampled_from(["exact", "simulator"]))
def test_generated_replays_are_feasible(trace, mode, tie_break, scoring):
    result = replay(ReplayConfig("openb", mode=mode, tie_break=tie_break, scoring=scoring), trace=trace)
    check_run(result)


@pytest.mark.parametrize("mode, extra", [("static", {}), ("static", {"order": "shuffle", "repeat": 2}),
                                         ("arrivals", {}), ("inflate", {"repeat": 2})])
def test_bundled_openb_sample(mode, extra):
    result = replay(ReplayConfig("openb", mode=mode, **extra))
    check_run(result)
    assert list(result.runs) == ["FGD", "BestFit", "DotProduct", "Packing", "Clustering", "Random"]
    summary = result.summary()
    table = text_table(summary)
    assert table.splitlines()[0].split()[:3] == ["policy", "placed", "unplaced"] and len(table.splitlines()) == 8
    if mode == "inflate":
        cap = result.cluster.total_gpu_milli
        assert len(result.cluster) == 150                       # GPU nodes only, as in the paper
        for w in result.workloads.values():
            assert sum(p.gpu_total_milli for p in w.pods) <= 1.3 * cap
        x, frag, unalloc = curve(result.runs["FGD"][0])
        assert x[0] == 0 and x[-1] >= 125 and unalloc[0] > 99
        assert (frag <= unalloc + 1e-9).all()


def test_gpuspec_variant_respects_models():
    result = replay(ReplayConfig("openb", mode="static", trace_options={"variant": "gpuspec33"}))
    check_run(result)
    pods = next(iter(result.workloads.values())).pods
    assert sum(p.gpu_models is not None for p in pods) == 54


def test_verify_placement_finds_violations():
    cluster = GpuCluster(["a", "b"], [4000, 4000], [1 << 30] * 2, [1, 0], ["T4", None])
    pods = [GpuPod(3000, 0, 1, 600), GpuPod(1000, 0, 1, 600), GpuPod(1000, 0, 1, 100, ("V100",))]
    node = np.array([0, 0, 0])
    with pytest.raises(GpuPackingError, match="GPU 0 of node 'a' is shared beyond one GPU: 1200/1000"):
        verify_placement(cluster, pods, node, [(0,), (0,), ()], np.array([0, 1]))
    with pytest.raises(GpuPackingError, match="accepts \\('V100',\\), node 'a' has T4"):
        verify_placement(cluster, pods, node, [(0,), (0,), (0,)], np.array([2]))
    with pytest.raises(GpuPackingError, match="over capacity: cpu 5000/4000"):
        verify_placement(cluster, [GpuPod(3000), GpuPod(2000)], np.array([1, 1]), [(), ()], np.array([0, 1]))
    verify_placement(cluster, pods, node, [(0,), (0,), ()], np.array([0]))


def test_config_errors():
    with pytest.raises(GpuPackingError, match="invalid mode 'online'"):
        ReplayConfig("openb", mode="online")
    with pytest.raises(GpuPackingError, match="invalid tie-break 'first'"):
        ReplayConfig("openb", tie_break="first")
    with pytest.raises(GpuPackingError, match="unknown policy 'tetris'"):
        ReplayConfig("openb", policies=("tetris",))
