"""GPU-sharing placement: the fit rule, fragmentation and every policy's
score, on hand-computed tables; the batch engine against the scalar
definitions on generated clusters."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing.gpu import (
    FragTable, GpuCluster, GpuNode, GpuPackingError, GpuPod, GpuScheduler, TargetWorkload, best_fit_score,
    dot_product_score, fgd_score, fits, fragmented_gpus, gpu_clustering_score, gpu_packing_score,
    least_sufficient_gpus, make_policy, node_fragmentation, policy_names, select_host, shape_fragment, subtract,
)
from kubekit.packing.gpu.frag import TaskShape
from kubekit.packing.gpu.model import UNLIMITED

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the fit rule ---------------------------------------------------------------------------

V100 = GpuNode(8000, (1000, 500, 200, 0), "V100", memory_bytes_left=64 << 30)


@pytest.mark.parametrize("node, pod, ok", [
    (V100, GpuPod(1000, 1 << 30, 1, 500), True),                      # a share fits GPU 0 or 1
    (V100, GpuPod(1000, 1 << 30, 1, 600), True),                      # only GPU 0
    (V100, GpuPod(1000, 1 << 30, 2, 1000), False),                    # one free GPU, not two
    (V100, GpuPod(1000, 1 << 30, 1, 1000), True),
    (V100, GpuPod(9000, 0, 1, 100), False),                           # CPU
    (V100, GpuPod(1000, 65 << 30, 0, 0), False),                      # memory
    (V100, GpuPod(1000, 0, 1, 100, ("T4",)), False),                  # GPU model
    (V100, GpuPod(1000, 0, 1, 100, ("T4", "V100")), True),
    (V100, GpuPod(8000, 64 << 30, 0, 0), True),                       # a CPU pod, exactly full
    (GpuNode(32000), GpuPod(1000, 0, 1, 100), False),                 # no GPUs on the node
    (GpuNode(32000), GpuPod(1000, 0, 0, 0, None), True),
    # ephemeral storage and the pod limit, where the node has them
    (GpuNode(8000, ephemeral_storage_bytes_left=10), GpuPod(1000, ephemeral_storage_bytes=10), True),
    (GpuNode(8000, ephemeral_storage_bytes_left=10), GpuPod(1000, ephemeral_storage_bytes=11), False),
    (GpuNode(8000), GpuPod(1000, ephemeral_storage_bytes=1 << 50), True),        # no storage limit
    (GpuNode(8000, pods_left=1), GpuPod(1000), True),
    (GpuNode(8000, pods_left=0), GpuPod(0), False),                              # full by pod count
])
def test_fits(node, pod, ok):
    assert fits(node, pod) is ok


def test_subtract_takes_storage_and_a_pod_slot():
    node = GpuNode(8000, (1000,), "T4", 1 << 30, ephemeral_storage_bytes_left=5, pods_left=2)
    after = subtract(node, GpuPod(1000, 0, 1, 300, ephemeral_storage_bytes=3), (0,))
    assert (after.ephemeral_storage_bytes_left, after.pods_left, after.gpu_milli_left) == (2, 1, (700,))
    assert subtract(GpuNode(8000), GpuPod(1000, ephemeral_storage_bytes=3), ()).pods_left is None
    with pytest.raises(GpuPackingError, match="ephemeral storage or pod limit"):
        subtract(GpuNode(8000, pods_left=0), GpuPod(1000), ())


def test_node_groups_and_limits_in_the_cluster():
    cluster = GpuCluster(["a", "b", "c"], [4000] * 3, [1 << 30] * 3, [1, 1, 0], ["T4", "T4", None],
                         ephemeral_storage_bytes=[100, None, 50], max_pods=[None, 1, 2])
    assert cluster.add_node_group([True, False, True]) == 0
    assert cluster.add_node_group(np.array([1, 0, 1])) == 0                       # same mask, same id
    assert cluster.add_node_group([False, True, True]) == 1
    pod = GpuPod(1000, 0, 0, 0, name="p", ephemeral_storage_bytes=60, node_group=0)
    assert cluster.feasible(pod).tolist() == [True, False, False]               # b: not in the group; c: storage
    with pytest.raises(GpuPackingError, match="may not use node 'b': it is not in the pod's node group 0"):
        cluster.bind(1, pod, ())
    with pytest.raises(GpuPackingError, match="ephemeral storage \\(60 asked, 50 left\\)"):
        cluster.bind(2, pod, ())
    b = cluster.bind(0, pod, ())
    assert cluster.node(0).ephemeral_storage_bytes_left == 40 and cluster.node(0).pods_left is None
    one = GpuPod(0, name="q", node_group=1)
    cluster.bind(1, one, ())
    assert cluster.node(1).pods_left == 0 and cluster.node(1).ephemeral_storage_bytes_left is None
    assert cluster.feasible(one).tolist() == [False, False, True]
    with pytest.raises(GpuPackingError, match="already runs 1 pods, its limit"):
        cluster.bind(1, one, ())
    cluster.unbind(pod, b)
    assert cluster.storage_left[0] == 100 and cluster.pods_on.tolist() == [0, 1, 0]
    with pytest.raises(GpuPackingError, match="node group 5 is not one of this cluster's 2"):
        cluster.feasible(GpuPod(0, node_group=5))
    with pytest.raises(GpuPackingError, match="one bool per node"):
        cluster.add_node_group([True])
    with pytest.raises(GpuPackingError, match="max_pods: 2 values for 3 nodes"):
        GpuCluster(["a", "b", "c"], [1] * 3, [1] * 3, [0] * 3, [None] * 3, max_pods=[1, 2])
    plain = GpuCluster(["a"], [1000], [1000], [0], [None])
    assert not plain.has_storage_limit and not plain.has_pod_limit and plain.pod_limit[0] == UNLIMITED


@pytest.mark.parametrize("left, pod, gpus", [
    ((1000, 500, 200, 0), GpuPod(0, 0, 1, 150), (2,)),                # the fullest GPU that fits
    ((1000, 500, 200, 0), GpuPod(0, 0, 1, 500), (1,)),
    ((1000, 500, 500, 1000), GpuPod(0, 0, 1, 400), (1,)),             # equal shares: lowest index
    ((500, 1000, 1000, 1000), GpuPod(0, 0, 2, 1000), (1, 2)),         # whole GPUs: first free by index
    ((1000,), GpuPod(0, 0, 0, 0), ()),
    ((900, 300, 800), GpuPod(0, 0, 2, 300), (1, 2)),                  # several partial GPUs: least sufficient
])
def test_least_sufficient_gpus(left, pod, gpus):
    assert least_sufficient_gpus(left, pod) == gpus


def test_bad_values():
    with pytest.raises(GpuPackingError, match="gpu_milli 1001 is above 1000"):
        GpuPod(1000, 0, 1, 1001)
    with pytest.raises(GpuPackingError, match="gpu_milli must be 0 exactly when gpu_count is 0"):
        GpuPod(1000, 0, 0, 500)
    with pytest.raises(GpuPackingError, match="cpu_milli must be >= 0"):
        GpuPod(-1)
    with pytest.raises(GpuPackingError, match="node_group must be >= -1"):
        GpuPod(0, node_group=-2)
    with pytest.raises(GpuPackingError, match="ephemeral_storage_bytes must be >= 0"):
        GpuPod(0, ephemeral_storage_bytes=-1)
    with pytest.raises(GpuPackingError, match="needs a gpu_model"):
        GpuNode(1000, (1000,))
    with pytest.raises(GpuPackingError, match="GPU 2 has 200 left, pod needs 500"):
        subtract(V100, GpuPod(0, 0, 1, 500), (2,))
    with pytest.raises(GpuPackingError, match="a GPU model is needed exactly when it has GPUs"):
        GpuCluster(["n"], [1000], [1000], [2], [None])
    with pytest.raises(GpuPackingError, match="unknown policy 'worstfit'"):
        policy_names("fgd,worstfit")
    assert policy_names("dotprod, GPUPACKING,fgd,fgd") == ["DotProduct", "Packing", "FGD"]
    assert policy_names("all") == ["FGD", "BestFit", "DotProduct", "Packing", "Clustering", "Random"]


# -- fragmentation: a paper-style example -----------------------------------------------------
#
# Node: 8 cores left, 4 V100 GPUs with 1000, 500, 200 and 0 thousandths left (L = 1700).
# Target workload (weights are pod counts, W = 9):
#   A  4 cores, 1 x 600   w=2  fits (GPU 0): fragment = GPUs under 600 = 500 + 200 + 0 = 700
#   B  2 cores, 2 x 1000  w=1  one free GPU only: all 1700
#   C 16 cores, 1 x 100   w=1  lacks CPU: 1700
#   D  1 core,  no GPU    w=1  a CPU task uses no GPU: 1700
#   E  1 core,  1 x 200 (T4 only)        w=1  wrong model: 1700
#   F  1 core,  1 x 200 (V100 or T4)     w=3  fits: GPUs under 200 = 0
# F_n = 2*700 + 4*1700 + 3*0 = 8200, i.e. 8200 / (1000 * 9) = 0.911 GPUs.

SHAPES = {
    "A": (GpuPod(4000, 0, 1, 600), 2), "B": (GpuPod(2000, 0, 2, 1000), 1), "C": (GpuPod(16000, 0, 1, 100), 1),
    "D": (GpuPod(1000), 1), "E": (GpuPod(1000, 0, 1, 200, ("T4",)), 1),
    "F": (GpuPod(1000, 0, 1, 200, ("V100", "T4")), 3),
}
TARGET = TargetWorkload.of(SHAPES.values())


@pytest.mark.parametrize("shape, fragment", [("A", 700), ("B", 1700), ("C", 1700), ("D", 1700), ("E", 1700),
                                             ("F", 0)])
def test_shape_fragment(shape, fragment):
    pod, w = SHAPES[shape]
    assert shape_fragment(V100, TaskShape(pod.cpu_milli, pod.gpu_milli, pod.gpu_count, pod.gpu_models, w)) == fragment


def test_node_fragmentation():
    assert TARGET.total_weight == 9
    assert node_fragmentation(V100, TARGET) == 8200
    assert fragmented_gpus(8200, TARGET) == Fraction(82, 90)
    assert node_fragmentation(GpuNode(64000), TARGET) == 0               # no GPU, nothing to fragment
    empty = GpuNode(64000, (1000,) * 4, "V100")
    # empty: A, B, F fit with no small GPU (0); C fits (16 cores); D and E see all 4000
    assert node_fragmentation(empty, TARGET) == 2 * 4000


@pytest.mark.parametrize("pod, scoring, expected", [
    # a 500 share: on GPU 1 (500 -> 0) F_n drops to 400 + 4*1200 = 5200; on GPU 0 (1000 -> 500) A no
    # longer fits: 2*1200 + 4*1200 = 7200.  GPU 1 wins: 8200 - 5200 = 3000.
    (GpuPod(1000, 0, 1, 500), "exact", (3000, (1,))),
    # the simulator: floor(100 * sigmoid(3000 / (1000 * 9))) = floor(58.26); GPU 0 would score 52
    (GpuPod(1000, 0, 1, 500), "simulator", (58, (1,))),
    # a whole GPU (GPU 0): L = 700, A lacks a GPU: 2*700 + 4*700 = 4200
    (GpuPod(2000, 0, 1, 1000), "exact", (4000, (0,))),
    # a CPU pod taking 7 of the 8 cores: A (4 cores) no longer fits: 2*1700 more, nothing less
    (GpuPod(7000, 0, 0, 0), "exact", (-2000, ())),
])
def test_fgd_score(pod, scoring, expected):
    assert fgd_score(V100, pod, TARGET, scoring=scoring) == expected


@pytest.mark.parametrize("fn, pod, scoring, expected", [
    # BestFit: -((8000 - 1000) + 16 * (1700 - 500)); simulator: floor(100 * (1 - 7000/256000 - 1200/16000))
    (best_fit_score, GpuPod(1000, 0, 1, 500), "exact", -26200),
    (best_fit_score, GpuPod(1000, 0, 1, 500), "simulator", 89),
    (best_fit_score, GpuPod(8000, 0, 0, 0), "exact", -16 * 1700),
    # DotProduct: -(8000*1000 + 256*1700*500); simulator: floor(100 * (1 - (0.0625*0.0078125 + 0.2125*0.0625)/2))
    (dot_product_score, GpuPod(1000, 0, 1, 500), "exact", -225_600_000),
    (dot_product_score, GpuPod(1000, 0, 1, 500), "simulator", 99),
])
def test_fit_scores(fn, pod, scoring, expected):
    assert fn(V100, pod, scoring=scoring) == expected


@pytest.mark.parametrize("left, pod, expected", [
    ((1000, 500, 200, 0), GpuPod(0, 0, 1, 500), 95),        # shares GPU 1 (500 left): 100 - 50 // 10
    ((1000, 350), GpuPod(0, 0, 1, 300), 97),                # 100 - 35 // 10
    ((1000, 500, 200, 0), GpuPod(0, 0, 1, 1000), 49),       # must take a free GPU on a used node: 50 - 1
    ((1000, 1000, 1000, 0), GpuPod(0, 0, 2, 1000), 48),     # 50 - 2
    ((1000,) * 8, GpuPod(0, 0, 1, 100), 25),                # all free: max(33 - 8, 8)
    ((1000,) * 2, GpuPod(0, 0, 1, 100), 31),                # max(33 - 2, 2)
    ((1000, 500, 200, 0), GpuPod(4000), 0),                 # a CPU pod: 0 everywhere
])
def test_gpu_packing_score(left, pod, expected):
    assert gpu_packing_score(GpuNode(8000, left, "V100"), pod) == expected


@pytest.mark.parametrize("kinds, pod, expected", [
    # base = 25 * (8000 - 1700) // 8000 = 19
    ({"share": 2}, GpuPod(0, 0, 1, 500), 19 + 75),          # only its kind on the node
    ({"share": 1, "1-gpu": 1}, GpuPod(0, 0, 1, 500), 19 + 50),
    ({}, GpuPod(0, 0, 1, 500), 19 + 25),                    # no GPU pod yet
    ({"1-gpu": 3}, GpuPod(0, 0, 1, 500), 19),               # other kinds only
    ({"1-gpu": 3}, GpuPod(0, 0, 1, 1000), 19 + 75),
    ({"share": 1}, GpuPod(1000), 0),                        # a CPU pod
])
def test_gpu_clustering_score(kinds, pod, expected):
    assert gpu_clustering_score(V100, kinds, pod) == expected


def test_target_from_pods():
    a, b, c, d = GpuPod(1000, 0, 1, 500), GpuPod(2000, 0, 1, 1000), GpuPod(4000), GpuPod(2000)
    pods = [a] * 5 + [b] * 3 + [c] + [d]
    assert [(s.cpu_milli, s.weight) for s in TargetWorkload.from_pods(pods, popularity=80).shapes] == [(1000, 5),
                                                                                                       (2000, 3)]
    # 95%: the two singletons tie on count; the larger CPU comes first, and both are needed (9 < 9.5)
    assert [(s.cpu_milli, s.weight) for s in TargetWorkload.from_pods(pods, popularity=95).shapes] == [
        (1000, 5), (2000, 3), (4000, 1), (2000, 1)]
    assert TargetWorkload.from_pods(pods, include_cpu_pods=False).total_weight == 8
    with pytest.raises(GpuPackingError, match="popularity 0"):
        TargetWorkload.from_pods(pods, popularity=0)


@pytest.mark.parametrize("scores, rank, expected", [
    ([3, 7, 7, 1], None, 1),                 # no rank, no rng: the lowest index among the best
    ([3, 7, 7, 1], [3, 2, 1, 0], 2),         # ties to the smallest rank
    ([9, 7, 7, 1], [3, 2, 1, 0], 0),         # a single best needs no tie rule
])
def test_select_host(scores, rank, expected):
    nodes = np.arange(len(scores))
    r = None if rank is None else np.asarray(rank)
    assert select_host(nodes, np.asarray(scores), rank=r) == expected


def test_select_host_random_is_uniform_and_seeded():
    nodes = np.arange(4)
    scores = np.array([5, 5, 1, 5])
    picks = [select_host(nodes, scores, rng=np.random.default_rng(s)) for s in range(200)]
    assert set(picks) == {0, 1, 3}
    assert picks == [select_host(nodes, scores, rng=np.random.default_rng(s)) for s in range(200)]


# -- the batch engine against the definitions -------------------------------------------------

MODELS = ("A", "B")


@st.composite
def clusters(draw):
    n = draw(st.integers(1, 6))
    shapes = [draw(st.tuples(st.sampled_from([4000, 8000, 16000]), st.integers(0, 4), st.sampled_from(MODELS)))
              for _ in range(n)]
    return [(f"n{i}", cpu, 64 << 30, g, m if g else None) for i, (cpu, g, m) in enumerate(shapes)]


@st.composite
def gpu_pods(draw):
    g = draw(st.sampled_from([0, 1, 1, 1, 2]))
    # several partial GPUs (2 x 300) do not occur in OpenB but take their own code path
    milli = 0 if g == 0 else draw(st.sampled_from([100, 250, 500, 700, 1000] if g == 1 else [1000, 1000, 300]))
    models = draw(st.sampled_from([None, None, ("A",), ("B", "A")])) if g else None
    return GpuPod(draw(st.sampled_from([0, 500, 1000, 3000])), draw(st.sampled_from([0, 1 << 30])), g, milli, models)


def build(nodes) -> GpuCluster:
    names, cpu, mem, gpu, model = zip(*nodes)
    return GpuCluster(names, cpu, mem, gpu, model)


@SETTINGS
@given(clusters(), st.lists(gpu_pods(), min_size=1, max_size=25), st.lists(gpu_pods(), min_size=1, max_size=6),
       st.sampled_from(["exact", "simulator"]), st.integers(0, 3))
def test_batch_scores_match_the_definitions(nodes, workload, probes, scoring, seed):
    cluster = build(nodes)
    target = TargetWorkload.from_pods(workload + probes)
    frag = FragTable(cluster, target)
    sched = GpuScheduler(cluster, make_policy("bestfit"), frag=frag, seed=seed)
    for p in workload:
        sched.place(p)
    for n in range(len(cluster)):                             # the table is kept up to date
        assert frag.frag[n] == node_fragmentation(cluster.node(n), target)
    assert frag.total == sum(node_fragmentation(cluster.node(n), target) for n in range(len(cluster)))
    scalar = {
        "FGD": lambda node, n, p: fgd_score(node, p, target, scoring=scoring)[0],
        "BestFit": lambda node, n, p: best_fit_score(node, p, scoring=scoring),
        "DotProduct": lambda node, n, p: dot_product_score(node, p, scoring=scoring),
        "Packing": lambda node, n, p: gpu_packing_score(node, p),
        "Clustering": lambda node, n, p: gpu_clustering_score(node, cluster.affinity[n], p),
    }
    for name, ref in scalar.items():
        plugin = make_policy(name, scoring)
        plugin.setup(cluster, frag, np.random.default_rng(seed))
        for p in probes:
            nodes_ok = np.flatnonzero(cluster.feasible(p))
            assert nodes_ok.tolist() == [n for n in range(len(cluster)) if fits(cluster.node(n), p)]
            if len(nodes_ok) == 0:
                continue
            got = plugin.score(p, nodes_ok)
            assert got.tolist() == [ref(cluster.node(int(n)), int(n), p) for n in nodes_ok], name
            if name == "FGD" and p.sharing:
                for n in nodes_ok.tolist():
                    assert plugin.select_gpus(n, p) == fgd_score(cluster.node(n), p, target, scoring=scoring)[1]


@SETTINGS
@given(clusters(), st.lists(gpu_pods(), min_size=1, max_size=30), st.sampled_from(sorted(policy_names("all"))),
       st.sampled_from(["order", "random"]), st.integers(0, 5))
def test_every_placement_respects_capacity_and_models(nodes, pods, policy, tie_break, seed):
    cluster = build(nodes)
    frag = FragTable(cluster, TargetWorkload.from_pods(pods))
    sched = GpuScheduler(cluster, make_policy(policy), frag=frag, seed=seed, tie_break=tie_break)
    for p in pods:
        before = [cluster.node(n) for n in range(len(cluster))]
        b = sched.place(p)
        if b is None:
            assert not any(fits(node, p) for node in before)   # unplaced only when nothing fits
            continue
        assert fits(before[b.node], p)
        assert cluster.node(b.node) == subtract(before[b.node], p, b.gpus)
    assert (cluster.cpu_left >= 0).all() and (cluster.memory_left >= 0).all()
    assert ((cluster.gpu_left >= 0) & (cluster.gpu_left <= 1000)).all()


@st.composite
def limited_clusters(draw):
    """A cluster with node groups, ephemeral storage and pod limits (some
    nodes without a limit), and the group ids."""
    nodes = draw(clusters())
    n = len(nodes)
    storage = [draw(st.sampled_from([None, 0, 2, 6])) for _ in range(n)]
    cluster = GpuCluster(*zip(*nodes), ephemeral_storage_bytes=[None if s is None else s << 30 for s in storage],
                         max_pods=[draw(st.sampled_from([None, 0, 1, 2, 4])) for _ in range(n)])
    masks = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=1, max_size=3))
    return cluster, [cluster.add_node_group(m) for m in masks]


@SETTINGS
@given(limited_clusters(), st.lists(gpu_pods(), min_size=1, max_size=30), st.data(),
       st.sampled_from(sorted(policy_names("all"))), st.sampled_from(["order", "random"]), st.integers(0, 5),
       st.booleans())
def test_every_placement_respects_eligibility_storage_and_pod_count(limited, pods, data, policy, tie_break, seed,
                                                                    batch):
    """Every policy (FGD through its kernel) places a pod only on a node of
    its group with the storage and a pod slot left, and leaves it unplaced
    only when no such node fits; ``feasible`` is :func:`fits` on the group's
    nodes.  ``batch``: the whole list through ``place_batch``."""
    from dataclasses import replace

    cluster, ids = limited
    pods = [replace(p, ephemeral_storage_bytes=data.draw(st.sampled_from([0, 1 << 30, 3 << 30])),
                    node_group=data.draw(st.sampled_from([-1] + ids))) for p in pods]
    sched = GpuScheduler(cluster, make_policy(policy), frag=FragTable(cluster, TargetWorkload.from_pods(pods)),
                         seed=seed, tie_break=tie_break)

    def allowed(p):
        return np.ones(len(cluster), bool) if p.node_group < 0 else cluster.node_groups[p.node_group]

    if batch:
        node, gpus = sched.place_batch(pods)
        placed = [(p, int(n)) for p, n in zip(pods, node.tolist()) if n >= 0]
        for p, n in placed:
            assert allowed(p)[n]
        for i in range(len(cluster)):
            assert cluster.pods_on[i] == sum(1 for _, n in placed if n == i)
    else:
        for p in pods:
            before = [cluster.node(n) for n in range(len(cluster))]
            ok = allowed(p)
            assert cluster.feasible(p).tolist() == [bool(ok[n]) and fits(before[n], p) for n in range(len(cluster))]
            b = sched.place(p)
            if b is None:
                assert not any(ok[n] and fits(before[n], p) for n in range(len(cluster)))
                continue
            assert ok[b.node] and fits(before[b.node], p)
            assert cluster.node(b.node) == subtract(before[b.node], p, b.gpus)
    limited_storage = cluster.storage_capacity < UNLIMITED
    assert (cluster.storage_left[limited_storage] >= 0).all()
    assert (cluster.pods_on <= cluster.pod_limit).all()
    assert (cluster.cpu_left >= 0).all() and ((cluster.gpu_left >= 0) & (cluster.gpu_left <= 1000)).all()
