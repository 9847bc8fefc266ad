"""FFD and BFD (the Cython Packer) as replay policies: the kernel's
assignment, bound on the cluster, feasible at every point, no better than the
lower bound; refused in arrivals mode; every bundled sample with pods."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from kubekit.packing import PackingProblem
from kubekit.packing.batch import reference_place
from kubekit.packing.gpu import MILLI, GpuCluster, GpuPackingError, GpuPod
from kubekit.replay import ReplayConfig, replay
from kubekit.replay.batch import BatchPlan, replay_policy_names
from kubekit.replay.cli import main as cli_main

from test_replay_engine import check_run, traces


@pytest.mark.parametrize("names, want", [
    (["ffd"], ["FFD"]),
    (["BFD", "fgd", "ffd"], ["BFD", "FGD", "FFD"]),
    (["all", "bfd"], ["FGD", "BestFit", "DotProduct", "Packing", "Clustering", "Random", "BFD"]),
    (["bestfit", " ffd ", "bestfit", "FFD"], ["BestFit", "FFD"]),
    (["ffd-sum", "BFD-max-L2", "bfd-product-most", "ffd"], ["FFD-sum", "BFD-max-l2", "BFD-product-most", "FFD"]),
])
def test_table_replay_policy_names(names, want):
    assert replay_policy_names(names) == want


def test_policy_name_errors():
    with pytest.raises(GpuPackingError, match="unknown policy 'nfd'"):
        replay_policy_names(["ffd", "nfd"])
    with pytest.raises(GpuPackingError, match="no policy given"):
        replay_policy_names([" "])
    for bad in ("bfd-sum", "ffd-sum-dot", "ffd-biggest", "bfd-max-cosine"):
        with pytest.raises(GpuPackingError, match="expected ffd-<order> or bfd-<order>-<fit>"):
            replay_policy_names([bad])


def test_named_orders_and_fits_are_the_reference_packings():
    """``ffd-<order>`` and ``bfd-<order>-<fit>`` replay the kernel's packing
    with that order and fit: the reference twin's assignment, bound in the
    order the kernel placed the pods."""
    names = ("ffd-sum", "ffd-none", "bfd-max-l2", "bfd-sum-most", "bfd-product-dot")
    result = replay(ReplayConfig("openb", mode="static", policies=names))
    check_run(result)
    assert list(result.runs) == ["FFD-sum", "FFD-none", "BFD-max-l2", "BFD-sum-most", "BFD-product-dot"]
    pods = result.workloads[0].pods
    problem = kernel_problem(result, pods)
    for name in result.runs:
        alg, order, *fit = name.lower().split("-")
        want = reference_place(problem, alg, order, fit[0] if fit else None, gpu_share="r2")
        assert result.runs[name][0].node.tolist() == want.assignment.tolist(), name


def kernel_problem(result, pods):
    """The problem BatchPlan packs, rebuilt here independently for the reference twin."""
    cl = result.cluster
    models = sorted({p.gpu_models for p in pods if p.gpu_count and p.gpu_models is not None})
    allowed = np.stack([np.ones(len(cl), dtype=bool)] + [cl.model_mask(m) for m in models])
    groups = [models.index(p.gpu_models) + 1 if p.gpu_count and p.gpu_models is not None else 0 for p in pods]
    caps = np.stack([cl.cpu_capacity, cl.memory_capacity, MILLI * cl.gpu_count], axis=1)
    return PackingProblem([[p.cpu_milli, p.memory_bytes, p.gpu_total_milli] for p in pods], caps, allowed=allowed,
                          item_groups=groups)


@pytest.mark.parametrize("variant", ["default", "gpuspec33"])
def test_openb_sample_static_is_the_reference_packing(variant):
    result = replay(ReplayConfig("openb", mode="static", policies=("ffd", "bfd", "fgd"),
                                 trace_options={"variant": variant}))
    check_run(result)
    assert list(result.runs) == ["FFD", "BFD", "FGD"]
    pods = result.workloads[0].pods
    problem = kernel_problem(result, pods)
    for name, fit in (("FFD", None), ("BFD", "dot")):
        run = result.runs[name][0]
        want = reference_place(problem, name.lower(), "max", fit, gpu_share="r2")
        assert run.node.tolist() == want.assignment.tolist()
        rep = result.reports[name][0]
        assert rep.nodes_used == want.bins_used and rep.pods_placed == len(pods) - len(want.unplaced)
        assert rep.pods_per_s > 0 and rep.utilization["gpu"] > 0


def test_inflate_overflows_and_stays_feasible():
    result = replay(ReplayConfig("openb", mode="inflate", policies=("bfd", "ffd"), repeat=2))
    check_run(result)
    for name in ("FFD", "BFD"):
        for rep, w in zip(result.reports[name], result.workloads.values()):
            assert 0 < rep.pods_placed < len(w.pods)           # 1.3x the GPUs cannot all fit


@pytest.mark.parametrize("trace", ["alibaba2017", "azure_v1"])     # the samples with pods (2018, 2011: nodes)
def test_other_bundled_samples(trace):
    result = replay(ReplayConfig(trace, mode="static", policies=("ffd", "bfd", "bestfit")))
    check_run(result)
    for name in ("FFD", "BFD"):
        assert result.reports[name][0].pods_placed > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traces())
def test_generated_static_batch_replays_are_feasible(trace):
    check_run(replay(ReplayConfig("openb", mode="static", policies=("ffd", "bfd")), trace=trace))


def test_arrivals_mode_refuses_batch_policies(capsys):
    with pytest.raises(GpuPackingError, match="FFD, BFD pack a whole set of pods at once.*use mode 'static'"):
        ReplayConfig("openb", mode="arrivals", policies=("fgd", "ffd", "bfd"))
    assert cli_main(["replay", "openb", "--mode", "arrivals", "--policy", "bfd", "--no-report"]) != 0
    assert "BFD pack a whole set" in capsys.readouterr().err


def test_batch_plan_refuses_what_it_cannot_model():
    cluster = GpuCluster(["a"], [8000], [1 << 34], [4], ["T4"])
    with pytest.raises(GpuPackingError, match="2 GPUs with 500/1000 each"):
        BatchPlan(cluster, [GpuPod(1000, 0, 2, 500, name="p")], "FFD")
    with pytest.raises(GpuPackingError, match="invalid batch policy 'NFD'"):
        BatchPlan(cluster, [], "NFD")
    pods = [GpuPod(1000, 0, 1, 500), GpuPod(99_000)]          # the second fits no node: left unplaced
    plan = BatchPlan(cluster, pods, "BFD")
    assert plan.node.tolist() == [0, -1] and plan.order.tolist() == [0, 1]
    with pytest.raises(GpuPackingError, match="out of the plan's order"):
        plan.place(pods[1])
    assert plan.place(pods[0]).gpus == (0,) and plan.place(pods[1]) is None
