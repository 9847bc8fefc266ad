"""The FGD kernel (kubekit._fast._pack.FgdIndex via FGDKernel) against its
plain-Python twin (policies.FGD): the same scores, the same GPU choice, the
same node for every pod, with both scorings and both tie rules, through
arrivals and departures, with and without node groups (eligibility masks),
ephemeral storage and pod limits; FragRows against FragTable's numpy
refresh; the simulator thresholds against the twin's truncation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing.gpu import (
    FGD, Binding, FragTable, GpuCluster, GpuPackingError, GpuPod, GpuScheduler, TargetWorkload, fgd_quantize,
    make_policy,
)
from kubekit.packing.gpu.fgd_kernel import FGDKernel, simulator_thresholds

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODELS = ("A", "B", "C")


@st.composite
def clusters(draw):
    """Keyword arguments of ``GpuCluster`` plus ``groups`` (node masks to
    register): sometimes none of the limits, sometimes storage, pod limits
    and node groups, per node or not at all."""
    n = draw(st.integers(1, 9))
    gpus = [draw(st.sampled_from([0, 1, 2, 4, 8])) for _ in range(n)]
    cl = dict(names=[f"n{i}" for i in range(n)],
              cpu_milli=[draw(st.sampled_from([2000, 8000, 16000, 64000])) for _ in range(n)],
              memory_bytes=[draw(st.sampled_from([4, 16, 64])) << 30 for _ in range(n)],
              gpu_count=gpus, gpu_model=[draw(st.sampled_from(MODELS)) if g else None for g in gpus])
    if draw(st.booleans()):     # identical nodes: one interned state, eligibility tells them apart
        for k in ("cpu_milli", "memory_bytes", "gpu_count", "gpu_model"):
            cl[k] = cl[k][:1] * n
    if draw(st.booleans()):
        cl["ephemeral_storage_bytes"] = [draw(st.sampled_from([None, 0, 2, 8, 20])) for _ in range(n)]
        cl["ephemeral_storage_bytes"] = [None if v is None else v << 30 for v in cl["ephemeral_storage_bytes"]]
    if draw(st.booleans()):
        cl["max_pods"] = [draw(st.sampled_from([None, 0, 1, 2, 3, 6])) for _ in range(n)]
    cl["groups"] = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), max_size=3))
    return cl


def build_cluster(cl) -> tuple[GpuCluster, list[int]]:
    """The cluster, and the id ``add_node_group`` gave each of ``cl["groups"]`` (equal masks share one)."""
    cluster = GpuCluster(**{k: v for k, v in cl.items() if k != "groups"})
    return cluster, [cluster.add_node_group(m) for m in cl["groups"]]


def in_groups(pods, ids):
    """Pods whose ``node_group`` indexes the drawn masks, pointed at the cluster's group ids."""
    return [p if p.node_group < 0 else replace(p, node_group=ids[p.node_group]) for p in pods]


@st.composite
def gpu_pods(draw, n_groups=0):
    kind = draw(st.sampled_from(["cpu", "share", "share", "whole", "partial"]))
    cpu = draw(st.sampled_from([0, 500, 1000, 4000, 12000]))
    mem = draw(st.sampled_from([0, 1, 8])) << 30
    models = draw(st.sampled_from([None, None, ("A",), ("A", "B"), ("C",)]))
    extra = dict(ephemeral_storage_bytes=draw(st.sampled_from([0, 0, 1, 5])) << 30,
                 node_group=draw(st.integers(-1, n_groups - 1)))
    if kind == "cpu":
        return GpuPod(cpu, mem, **extra)
    if kind == "share":
        return GpuPod(cpu, mem, 1, draw(st.sampled_from([100, 250, 300, 500, 700, 999])), models, **extra)
    if kind == "whole":
        return GpuPod(cpu, mem, draw(st.integers(1, 3)), 1000, models, **extra)
    return GpuPod(cpu, mem, draw(st.integers(2, 3)), draw(st.sampled_from([200, 400, 700])), models, **extra)


@st.composite
def scenarios(draw):
    cl = draw(clusters())
    pods = draw(st.lists(gpu_pods(len(cl["groups"])), min_size=1, max_size=40))
    if draw(st.booleans()):
        target = TargetWorkload.from_pods(pods, popularity=draw(st.integers(30, 100)))
    else:
        target = TargetWorkload.of((p, draw(st.integers(1, 50))) for p in draw(st.lists(gpu_pods(), max_size=6)))
    # ops: >= 0 places the next pod, < 0 removes a live pod (index mod the live count)
    ops = draw(st.lists(st.integers(-20, 3), max_size=60))
    return cl, pods, target, ops


def replay_ops(engine, cl, pods, target, ops, scoring, tie_break, seed, slot_bytes=None):
    cluster, ids = build_cluster(cl)
    pods = in_groups(pods, ids)
    frag = FragTable(cluster, target, kernel=(engine == "kernel"))
    policy = make_policy("fgd", scoring, engine=engine)
    if slot_bytes is not None:          # one tree slot, and the smallest state table: rebuilds and refills
        policy.slot_bytes = slot_bytes
        policy.state_capacity = 1
    sched = GpuScheduler(cluster, policy, frag=frag, seed=seed, tie_break=tie_break)
    out, live, k = [], [], 0
    for op in ops + [0] * len(pods):
        if op >= 0:
            if k == len(pods):
                continue
            b = sched.place(pods[k])
            out.append(None if b is None else (b.node, b.gpus))
            if b is not None:
                live.append((pods[k], b))
            k += 1
        elif live:
            p, b = live.pop((-op) % len(live))
            sched.remove(p, b)
            out.append(("left", b.node))
        out.append(frag.total)
    return out, sched, frag


@SETTINGS
@given(scenarios(), st.sampled_from(["exact", "simulator"]), st.sampled_from(["order", "random"]),
       st.integers(0, 3), st.sampled_from([None, 1]))
def test_kernel_places_as_the_twin(scn, scoring, tie_break, seed, slot_bytes):
    cl, pods, target, ops = scn
    want, _, _ = replay_ops("python", cl, pods, target, ops, scoring, tie_break, seed)
    got, sched, frag = replay_ops("kernel", cl, pods, target, ops, scoring, tie_break, seed, slot_bytes)
    assert got == want
    # the index keeps the same per-node fragmentation as the table (and the table's numpy twin agrees)
    assert np.array_equal(sched.policy.index.node_frag, frag.frag)
    assert sched.policy.index.total == frag.total
    fresh = FragTable(build_cluster(cl)[0], target, kernel=False)
    fresh.cluster.cpu_left[:] = frag.cluster.cpu_left
    fresh.cluster.gpu_left[:] = frag.cluster.gpu_left
    fresh._refresh(np.arange(len(fresh.cluster)))
    assert np.array_equal(fresh.frag, frag.frag) and np.array_equal(fresh.H, frag.H)
    assert np.array_equal(fresh.S, frag.S) and np.array_equal(fresh.L, frag.L)


@SETTINGS
@given(scenarios(), st.sampled_from(["exact", "simulator"]), st.integers(0, 2))
def test_kernel_scores_every_feasible_node_as_the_twin(scn, scoring, seed):
    """After some placements, every pod's batch score on every feasible node
    (and a sharing pod's GPU) is the twin's, and the kernel finds exactly the
    twin's feasible nodes (node group, storage and pod limit included)."""
    cl, pods, target, ops = scn
    cluster, ids = build_cluster(cl)
    pods = in_groups(pods, ids)
    frag = FragTable(cluster, target)
    twin, kern = FGD(scoring), FGDKernel(scoring)
    sched = GpuScheduler(cluster, make_policy("bestfit"), frag=frag, seed=seed)
    twin.setup(cluster, frag, np.random.default_rng(0))
    kern.setup(cluster, frag, np.random.default_rng(0))
    kern.set_ties(None)
    for p in pods[: len(pods) // 2]:
        sched.place(p)
    for p in pods:
        feasible = cluster.feasible(p)
        sid = kern._shape(p)
        assert [kern.index.score(sid, n) is not None for n in range(len(cluster))] == feasible.tolist()
        nodes = np.flatnonzero(feasible)
        if len(nodes) == 0:
            continue
        assert kern.score(p, nodes).tolist() == twin.score(p, nodes).tolist()
        for n in nodes.tolist():
            assert kern.select_gpus(n, p) == twin.select_gpus(n, p)


@SETTINGS
@given(st.integers(1, 10_000), st.integers(1, 16), st.lists(st.integers(-2**40, 2**40), max_size=30))
def test_simulator_thresholds_reproduce_the_truncation(weight, gpus, extra):
    bound = weight * 1000 * gpus
    thr = simulator_thresholds(weight, bound)
    inside = [t for t in thr.tolist() if -bound <= t <= bound]
    d = np.array(sorted({-bound, 0, bound} | {t + e for t in inside for e in (-1, 0, 1)}
                        | {x % (2 * bound + 1) - bound for x in extra}), dtype=np.int64)
    d = d[(d >= -bound) & (d <= bound)]
    counted = np.searchsorted(thr, d, side="right")
    assert counted.tolist() == fgd_quantize(d, weight).tolist()


def test_table_simulator_thresholds():
    # W = 1, bound 1000: sigmoid(d/1000) crosses 50 at d = 0 and 73 at d >= 995 (100 * sigmoid(0.995) = 73.01)
    thr = simulator_thresholds(1, 1000)
    assert thr[49] == 0 and fgd_quantize(np.array([-1]), 1)[0] == 49
    assert fgd_quantize(np.array([thr[72] - 1, thr[72]]), 1).tolist() == [72, 73]
    assert thr[73] == 1001                  # 74 is never reached within the bound


def test_openb_sample_same_placements():
    from kubekit.replay.workload import inflate_workload, trace_pods
    from kubekit.traces import load_sample

    tr = load_sample("openb")
    pods, _, _ = trace_pods(tr)
    target = TargetWorkload.from_pods(pods)
    for scoring in ("exact", "simulator"):
        for tie_break in ("order", "random"):
            runs = {}
            for engine in ("python", "kernel"):
                cluster = GpuCluster.from_table(tr.nodes, gpu_only=True)
                w = inflate_workload(pods, cluster.total_gpu_milli, 1.3, rng=np.random.default_rng(7))
                frag = FragTable(cluster, target, kernel=engine == "kernel")
                sched = GpuScheduler(cluster, make_policy("fgd", scoring, engine=engine), frag=frag, seed=42,
                                     tie_break=tie_break)
                runs[engine] = ([(b.node, b.gpus) if b else None for b in map(sched.place, w.pods)], frag.total)
            assert runs["kernel"] == runs["python"]
            placed = sum(1 for b in runs["kernel"][0] if b)
            assert 0 < placed < len(w.pods)          # the inflated workload overflows the cluster


def test_index_counts_and_errors():
    from kubekit._fast._pack import FgdIndex

    cluster = GpuCluster(["a", "b", "c"], [8000] * 3, [1 << 34] * 3, [2, 2, 0], ["T4", "T4", None])
    pods = [GpuPod(1000, 0, 1, 500)] * 3
    frag = FragTable(cluster, TargetWorkload.from_pods(pods))
    sched = GpuScheduler(cluster, make_policy("fgd"), frag=frag, seed=0)
    first = sched.place(pods[0])
    idx = sched.policy.index
    # the second sharing pod goes next to the first (its half GPU is the least fragmenting choice)
    assert sched.place(pods[1]) == type(first)(first.node, first.gpus)
    assert idx.rebuilds == 1 and idx.queries == 2 and idx.rescored == 1
    with pytest.raises(ValueError, match="pos must be a permutation"):
        FgdIndex(cluster.cpu_left, cluster.memory_left, cluster.gpu_left, cluster.model, 1, [], [], [], [],
                 np.zeros((0, 2)), [0, 0, 1])
    with pytest.raises(GpuPackingError, match="invalid engine"):
        make_policy("fgd", engine="gpu")
    assert make_policy("bestfit", engine="kernel").name == "BestFit"


def batch_ops(cl, pods, target, ops, scoring, seed, slot_bytes, engine):
    """``ops`` cut ``pods`` into chunks: a chunk of k >= 0 pods is placed at
    once (``place_batch`` for the kernel, ``place`` per pod for the twin),
    a negative op removes a live pod.  Returns every placement, the state."""
    cluster, ids = build_cluster(cl)
    pods = in_groups(pods, ids)
    frag = FragTable(cluster, target, kernel=(engine == "kernel"))
    policy = make_policy("fgd", scoring, engine=engine)
    if slot_bytes is not None:          # one tree slot, and the smallest state table: rebuilds and refills
        policy.slot_bytes = slot_bytes
        policy.state_capacity = 1
    sched = GpuScheduler(cluster, policy, frag=frag, seed=seed)
    out, live, k = [], [], 0
    for op in ops + [len(pods)]:
        if op >= 0:
            chunk = pods[k:k + op]
            k += len(chunk)
            node, gpus = sched.place_batch(chunk)
            for p, n, g in zip(chunk, node.tolist(), gpus.tolist()):
                assert g[p.gpu_count:] == [-1] * (len(g) - p.gpu_count)
                out.append(None if n < 0 else (n, tuple(g[:p.gpu_count])))
                if n >= 0:
                    live.append((p, Binding(n, tuple(g[:p.gpu_count]))))
        elif live:
            p, b = live.pop((-op) % len(live))
            sched.remove(p, b)
            out.append(("left", b.node))
        out.append(frag.total)
    state = (cluster.cpu_left.tolist(), cluster.memory_left.tolist(), cluster.gpu_left.tolist(),
             cluster.storage_left.tolist(), cluster.pods_on.tolist(), [dict(c) for c in cluster.affinity],
             frag.frag.tolist())
    return out, state, sched


@SETTINGS
@given(scenarios(), st.sampled_from(["exact", "simulator"]), st.integers(0, 3), st.sampled_from([None, 1]))
def test_batch_places_as_the_twin_one_by_one(scn, scoring, seed, slot_bytes):
    """``place_batch`` (one kernel call per chunk, ``order`` ties) makes the
    twin's placements and leaves the cluster, its storage, pod counts (each
    counted once: the kernel counts them, ``record_binds`` does not), GPU
    kinds and the fragmentation table as the twin's ``place`` per pod does;
    later pods of a chunk see the storage and pod counts of earlier ones."""
    cl, pods, target, ops = scn
    ops = [op % 7 if op >= 0 else op for op in ops]
    want, want_state, twin = batch_ops(cl, pods, target, ops, scoring, seed, None, "python")
    got, state, sched = batch_ops(cl, pods, target, ops, scoring, seed, slot_bytes, "kernel")
    assert not twin.batched and sched.batched
    assert got == want
    assert state == want_state
    assert np.array_equal(sched.policy.index.node_frag, np.array(state[-1], dtype=np.int64))


def test_place_all_batches_only_with_order_ties():
    from kubekit.replay.workload import inflate_workload, trace_pods
    from kubekit.traces import load_sample

    tr = load_sample("openb")
    pods, _, _ = trace_pods(tr)
    target = TargetWorkload.from_pods(pods)
    got = {}
    for engine, tie_break in (("kernel", "order"), ("python", "order"), ("kernel", "random")):
        cluster = GpuCluster.from_table(tr.nodes, gpu_only=True)
        w = inflate_workload(pods, cluster.total_gpu_milli, 1.3, rng=np.random.default_rng(3))
        sched = GpuScheduler(cluster, make_policy("fgd", engine=engine), frag=FragTable(cluster, target), seed=5,
                             tie_break=tie_break)
        assert sched.batched == (engine == "kernel" and tie_break == "order")
        got[engine, tie_break] = sched.place_all(w.pods)
    assert got["kernel", "order"] == got["python", "order"]
    assert any(b is None for b in got["kernel", "order"]) and any(b is not None for b in got["kernel", "order"])


def test_state_table_refills_keep_the_placements():
    """The index interns node states in a table that is refilled from the
    nodes when full; with the smallest table (one state per node) and one
    tree slot it refills and rebuilds constantly, and still places every pod
    of the OpenB sample as the twin does."""
    from kubekit.replay.workload import inflate_workload, trace_pods
    from kubekit.traces import load_sample

    tr = load_sample("openb")
    pods, _, _ = trace_pods(tr)
    target = TargetWorkload.from_pods(pods)
    got = {}
    for engine in ("kernel", "python"):
        cluster = GpuCluster.from_table(tr.nodes, gpu_only=True)
        w = inflate_workload(pods, cluster.total_gpu_milli, 1.3, rng=np.random.default_rng(7))
        policy = make_policy("fgd", engine=engine)
        policy.slot_bytes, policy.state_capacity = 1, 1
        sched = GpuScheduler(cluster, policy, frag=FragTable(cluster, target), seed=2)
        got[engine] = sched.place_all(w.pods)
        if engine == "kernel":
            idx = sched.policy.index
            assert idx.state_resets > 10 and idx.rebuilds > 100 and idx.reused > 0
    assert got["kernel"] == got["python"]


def test_index_place_checks_its_arrays():
    cluster = GpuCluster(["a", "b"], [8000] * 2, [1 << 34] * 2, [2, 0], ["T4", None])
    pod = GpuPod(1000, 0, 1, 500)
    sched = GpuScheduler(cluster, make_policy("fgd"), frag=FragTable(cluster, TargetWorkload.from_pods([pod])))
    idx = sched.policy.index
    out = np.empty(1, dtype=np.int64), np.empty((1, 2), dtype=np.int64)
    with pytest.raises(ValueError, match="the same memory"):
        idx.place([0], cluster.cpu_left.copy(), cluster.memory_left, cluster.gpu_left, *out)
    with pytest.raises(IndexError, match="shape 0 out of range"):
        idx.place([0], cluster.cpu_left, cluster.memory_left, cluster.gpu_left, *out)
    assert cluster.cpu_left.tolist() == [8000, 8000]           # nothing bound
    node, gpus = sched.place_batch([pod, GpuPod(8000, 0, 1, 1000)])
    assert node.tolist() == [0, -1] and gpus.tolist() == [[0, -1], [-1, -1]]
    assert cluster.pods_on.tolist() == [1, 0] and cluster.affinity[0] == {"share": 1}


def test_the_default_tree_budget_is_two_gib_or_a_quarter_of_memory(monkeypatch):
    from kubekit.packing.gpu import fgd_kernel as fk

    pages = {"SC_PHYS_PAGES": (24 << 30) // 4096, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(fk.os, "sysconf", lambda name: pages[name])
    assert fk.slot_budget() == 2 << 30                           # 24 GiB: the 2 GiB cap
    pages["SC_PHYS_PAGES"] = (4 << 30) // 4096
    assert fk.slot_budget() == 1 << 30                           # a quarter of 4 GiB
    pages["SC_PHYS_PAGES"] = (512 << 20) // 4096
    assert fk.slot_budget() == fk.DEFAULT_SLOT_BYTES             # never under 256 MiB


def test_slots_are_taken_in_order_so_unused_ones_cost_no_memory():
    """Only the slots of shapes in use are written: a small workload on a
    cluster with a large budget touches a few slots (the rest of the
    uninitialised array stays untouched address space)."""
    from kubekit.packing.gpu import fgd_kernel as fk

    cl = GpuCluster([f"n{i}" for i in range(8)], [8000] * 8, [32 << 30] * 8, [2] * 8, ["A"] * 8)
    pods = [GpuPod(500 * (1 + i % 3), 1 << 30, 1, 500, name=f"p{i}") for i in range(12)]
    target = TargetWorkload.from_pods(pods)
    frag = FragTable(cl, target, kernel=True)
    index = fk.build_index(cl, frag, "exact", np.arange(len(cl), dtype=np.int64))
    assert index.n_slots == fk.MAX_SLOTS                         # 8 nodes: the slot count cap
    sched = GpuScheduler(cl, make_policy("fgd", "exact", engine="kernel"), frag=frag, seed=1)
    sched.place_batch(pods)
    assert sched.policy.index.rebuilds <= 3                      # three shapes, one slot each


@pytest.mark.parametrize("slot_bytes", [None, 1])
def test_eligibility_is_checked_outside_the_state_memo(slot_bytes):
    """Eight identical nodes (one interned state): a rebuild scores the state
    once and copies the score, but a pod whose node group leaves out the
    first nodes in tie order must never get one of them, however the trees
    are rebuilt; pods of another group (or none) share the state and the
    memo and still get their own nodes."""
    n = 8
    cluster = GpuCluster([f"n{i}" for i in range(n)], [16000] * n, [64 << 30] * n, [4] * n, ["A"] * n)
    odd = cluster.add_node_group([i % 2 == 1 for i in range(n)])
    late = cluster.add_node_group([i >= 6 for i in range(n)])
    assert cluster.add_node_group([i % 2 == 1 for i in range(n)]) == odd         # deduplicated
    pods = [GpuPod(1000, 1 << 30, 1, 500, name=f"p{i}", node_group=(odd, late, -1)[i % 3]) for i in range(30)]
    target = TargetWorkload.from_pods(pods)
    got = {}
    for engine in ("kernel", "python"):
        c, ids = build_cluster(dict(names=cluster.names, cpu_milli=[16000] * n, memory_bytes=[64 << 30] * n,
                                    gpu_count=[4] * n, gpu_model=["A"] * n,
                                    groups=[[i % 2 == 1 for i in range(n)], [i >= 6 for i in range(n)]]))
        policy = make_policy("fgd", engine=engine)
        if slot_bytes is not None:
            policy.slot_bytes, policy.state_capacity = slot_bytes, 1
        sched = GpuScheduler(c, policy, frag=FragTable(c, target), seed=3)
        got[engine] = [sched.place(p) for p in pods]
        for p, b in zip(pods, got[engine]):
            if b is not None and p.node_group >= 0:
                assert c.node_groups[p.node_group][b.node], (p.name, b.node)
        if engine == "kernel":
            assert sched.policy.index.n_masks == 2 and sched.policy.index.reused > 0
    assert got["kernel"] == got["python"]
    assert {b.node for p, b in zip(pods, got["kernel"]) if p.node_group == late and b} <= {6, 7}


def test_pod_limit_and_storage_inside_one_batch():
    """One ``place_batch`` call: the kernel counts every pod it binds and
    takes its storage before the next pod is placed, and ``record_binds``
    does not count them again."""
    cluster = GpuCluster(["a", "b", "c"], [64000] * 3, [1 << 40] * 3, [2, 2, 2], ["T4"] * 3,
                         ephemeral_storage_bytes=[None, 10 << 30, 3 << 30], max_pods=[2, None, 5])
    pods = [GpuPod(100, 0, 1, 100, name=f"p{i}", ephemeral_storage_bytes=2 << 30) for i in range(9)]
    sched = GpuScheduler(cluster, make_policy("fgd"), frag=FragTable(cluster, TargetWorkload.from_pods(pods)))
    node, _ = sched.place_batch(pods)
    per_node = np.bincount(node[node >= 0], minlength=3).tolist()
    assert per_node == [2, 5, 1]                                  # a: 2 pods; b: 10 GiB / 2; c: 3 GiB / 2
    assert (node < 0).sum() == 1
    assert cluster.pods_on.tolist() == per_node
    assert cluster.storage_left.tolist()[1:] == [0, 1 << 30]
    assert cluster.node(0).pods_left == 0 and cluster.node(0).ephemeral_storage_bytes_left is None


def test_index_checks_masks_and_limits():
    from kubekit._fast._pack import FgdIndex

    cluster = GpuCluster(["a", "b"], [8000] * 2, [1 << 34] * 2, [2, 0], ["T4", None], max_pods=[1, 1])
    args = (cluster.cpu_left, cluster.memory_left, cluster.gpu_left, cluster.model, 1, [], [], [], [],
            np.zeros((0, 2)), [0, 1])
    with pytest.raises(ValueError, match="pod_limit needs pods_on"):
        FgdIndex(*args, pod_limit=cluster.pod_limit)
    index = FgdIndex(*args, pods_on=cluster.pods_on, pod_limit=cluster.pod_limit)
    assert index.extra and not FgdIndex(*args).extra
    with pytest.raises(ValueError, match="one entry per node"):
        index.add_shape(0, 0, 0, 0, [1, 1], node_mask=[1, 0, 1])
    s = index.add_shape(1000, 0, 0, 0, [1, 1], node_mask=[0, 1])
    assert index.score(s, 0) is None and index.score(s, 1) is not None
    cluster.pods_on[1] = 1
    index.node_changed(1)
    assert index.best(s) == (-1, 0)                               # b is full by pod count, a is not eligible
