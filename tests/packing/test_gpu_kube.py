"""Kubernetes objects to the GPU-sharing model (``gpu_cluster_from_objects``):
node groups are exactly the scheduler's non-resource filters, the requests
and allocatable become the model's resources (ephemeral storage and the pod
limit included), and every GPU policy then places within them."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scheduler"))
from generators import scenario  # noqa: E402

from kubekit.api import Node, Pod  # noqa: E402
from kubekit.api.affinity import Taint  # noqa: E402
from kubekit.packing import PackingError  # noqa: E402
from kubekit.packing.cluster import pod_may_use  # noqa: E402
from kubekit.packing.gpu import (  # noqa: E402
    FragTable, GpuScheduler, TargetWorkload, fits, gpu_cluster_from_objects, make_policy, policy_names,
)
from kubekit.packing.gpu.kube import UNKNOWN_MODEL, node_gpus, pod_gpus  # noqa: E402
from kubekit.scheduler import Scheduler  # noqa: E402

GI = 1 << 30


def gpu_node(name, gpus=0, model=None, *, pods=110, storage="100Gi", labels=None, taints=()):
    lb = dict(labels or {})
    if model:
        lb["nvidia.com/gpu.product"] = model
    extra = {"ephemeral-storage": storage} if storage is not None else {}
    if gpus:
        extra["nvidia.com/gpu"] = gpus
    return Node.simple(name, cpu="16", memory="64Gi", pods=pods, labels=lb, taints=taints, extra=extra)


def pod(name, *, cpu="1", memory="1Gi", gpu=None, milli=None, storage=None, spec=None):
    res = {"cpu": cpu, "memory": memory}
    if gpu is not None:
        res["nvidia.com/gpu"] = str(gpu)
    if milli is not None:
        res["alibabacloud.com/gpu-milli"] = str(milli)
    if storage is not None:
        res["ephemeral-storage"] = storage
    limits = {k: v for k, v in res.items() if k not in ("cpu", "memory", "ephemeral-storage")}
    container = {"name": "c", "resources": {"requests": res, "limits": limits}}
    return Pod.from_manifest({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                              "spec": {"containers": [container], **(spec or {})}})


NODES = [
    gpu_node("cpu-0", storage="20Gi"),
    gpu_node("t4-0", 2, "T4", labels={"zone": "z1"}),
    gpu_node("t4-1", 2, "T4", labels={"zone": "z2"}, pods=2),
    gpu_node("a100-0", 8, "A100", labels={"zone": "z1"}, taints=(Taint("dedicated", "train", "NoSchedule"),)),
    gpu_node("gpu-nolabel", 1, storage=None),
]
TOLERATE = {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "train", "effect": "NoSchedule"}]}
AFFINITY_Z1 = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
    "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}}}
PODS = [
    pod("plain", storage="1Gi"),                                              # no constraint: every untainted node
    pod("share", milli=300),
    pod("whole-2", gpu=2),
    pod("trainer", gpu=4, spec=TOLERATE),                                      # only the tainted A100 has 4 GPUs
    pod("t4-only", milli=500, spec={"nodeSelector": {"nvidia.com/gpu.product": "T4"}}),
    pod("z1", cpu="2", spec=AFFINITY_Z1),
    pod("z1-tolerant", cpu="2", spec={**AFFINITY_Z1, **TOLERATE}),
    pod("scratch", storage="25Gi"),
]


def test_objects_to_the_gpu_model():
    cluster, pods = gpu_cluster_from_objects(PODS, NODES)
    by = {p.name.split("/")[1]: p for p in pods}
    assert cluster.names == tuple(n.name for n in NODES)
    assert cluster.gpu_count.tolist() == [0, 2, 2, 8, 1]
    assert cluster.models == ("A100", "T4", UNKNOWN_MODEL)                     # sorted; a GPU node without a label
    assert cluster.pod_limit.tolist() == [110, 110, 2, 110, 110]
    # storage: the allocatable, 0 where a node has none (as NodeResourcesFit)
    assert cluster.storage_capacity.tolist() == [20 * GI, 100 * GI, 100 * GI, 100 * GI, 0]
    assert (by["plain"].cpu_milli, by["plain"].memory_bytes, by["plain"].ephemeral_storage_bytes) == (1000, GI, GI)
    assert (by["share"].gpu_count, by["share"].gpu_milli) == (1, 300)
    assert (by["whole-2"].gpu_count, by["whole-2"].gpu_milli) == (2, 1000)
    assert by["t4-only"].gpu_models == ("T4",) and by["share"].gpu_models is None
    # node groups are pod_may_use, one per set of constraints; no group when every node passes
    for p, gp in zip(PODS, pods):
        want = [pod_may_use(p, n) for n in NODES]
        got = [True] * len(NODES) if gp.node_group < 0 else cluster.node_groups[gp.node_group].tolist()
        assert got == want, p.name
    assert by["plain"].node_group == by["share"].node_group == by["scratch"].node_group >= 0   # the taint
    assert cluster.node_groups[by["z1"].node_group].tolist() == [False, True, False, False, False]
    assert cluster.node_groups[by["z1-tolerant"].node_group].tolist() == [False, True, False, True, False]
    assert by["trainer"].node_group == -1                                      # tolerates the only taint
    assert len(cluster.node_groups) == 4
    # on the empty cluster: fits on the nodes of its group only
    assert cluster.feasible(by["trainer"]).tolist() == [False, False, False, True, False]
    assert cluster.feasible(by["scratch"]).tolist() == [False, True, True, False, False]   # 25Gi: not cpu-0 (20Gi)


@pytest.mark.parametrize("policy", sorted(policy_names("all")))
def test_every_policy_places_within_the_filters_and_limits(policy):
    """Many copies of the pods: every placement is on a node the scheduler's
    filters allow, the two-pod node takes two pods, no storage is
    overdrawn; what is left unplaced fits no allowed node."""
    many = [pod(f"{p.name}-{k}", cpu="500m", memory="1Gi", **kw)
            for k in range(6) for p, kw in (
                (PODS[0], {"storage": "6Gi"}), (PODS[1], {"milli": 300}), (PODS[4], {"milli": 500, "spec": {
                    "nodeSelector": {"nvidia.com/gpu.product": "T4"}}}), (PODS[5], {"spec": AFFINITY_Z1}),
                (PODS[3], {"gpu": 4, "spec": TOLERATE}))]
    cluster, pods = gpu_cluster_from_objects(many, NODES)
    sched = GpuScheduler(cluster, make_policy(policy), frag=FragTable(cluster, TargetWorkload.from_pods(pods)),
                         seed=1)
    for kp, gp in zip(many, pods):
        before = [cluster.node(i) for i in range(len(cluster))]
        b = sched.place(gp)
        allowed = [pod_may_use(kp, n) for n in NODES]
        if b is None:
            assert not any(a and fits(nd, gp) for a, nd in zip(allowed, before)), kp.name
            continue
        assert allowed[b.node] and fits(before[b.node], gp), (kp.name, b.node)
    assert cluster.pods_on[2] <= 2 and (cluster.storage_left >= 0).all()
    assert cluster.pods_on.sum() > 0 and cluster.pods_on[3] == 2             # two trainers fill the A100 node


def test_a_pod_no_node_can_take_is_named():
    pinned = Pod.from_manifest({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pinned"},
                                "spec": {"nodeName": "elsewhere", "containers": [{"name": "c"}]}})
    with pytest.raises(PackingError, match="pod default/pinned: no node passes its filters"):
        gpu_cluster_from_objects([PODS[0], pinned], NODES)
    with pytest.raises(PackingError, match="pod default/huge: no node it may use has room for it even empty"):
        gpu_cluster_from_objects([pod("huge", gpu=3)], NODES)                 # 3 GPUs: only the tainted A100
    with pytest.raises(PackingError, match="pod default/scratchy: no node it may use has room"):
        gpu_cluster_from_objects([pod("scratchy", storage="200Gi")], NODES)
    with pytest.raises(PackingError, match="no nodes"):
        gpu_cluster_from_objects(PODS, [])


@pytest.mark.parametrize("requests, expected", [
    ({}, (0, 0)),
    ({"nvidia.com/gpu": 2}, (2, 1000)),
    ({"alibabacloud.com/gpu-milli": 250}, (1, 250)),
    ({"alibabacloud.com/gpu-milli": 3000}, (3, 1000)),
    ({"alibabacloud.com/gpu-milli": 1000, "alibabacloud.com/gpu-count": 1}, (1, 1000)),
])
def test_pod_gpus(requests, expected):
    assert pod_gpus(requests) == expected


@pytest.mark.parametrize("requests, message", [
    ({"alibabacloud.com/gpu-milli": 1500}, "neither a share of one GPU"),
    ({"nvidia.com/gpu": 1, "alibabacloud.com/gpu-milli": 500}, "asks for both"),
    ({"alibabacloud.com/gpu-milli": 500, "alibabacloud.com/gpu-count": 2}, "disagrees"),
])
def test_pod_gpus_errors(requests, message):
    with pytest.raises(PackingError, match=message):
        pod_gpus(requests, "default/p")


@pytest.mark.parametrize("alloc, labels, expected", [
    ({"cpu": 1000}, {}, (0, None)),
    ({"nvidia.com/gpu": 4}, {"nvidia.com/gpu.product": "A100"}, (4, "A100")),
    ({"alibabacloud.com/gpu-count": 2, "alibabacloud.com/gpu-milli": 2000},
     {"alibabacloud.com/gpu-card-model": "P100", "nvidia.com/gpu.product": "x"}, (2, "P100")),   # OpenB's label first
    ({"alibabacloud.com/gpu-milli": 8000}, {}, (8, UNKNOWN_MODEL)),
])
def test_node_gpus(alloc, labels, expected):
    assert node_gpus(alloc, labels) == expected


def test_openb_nodes_round_trip():
    """``NodeTable.to_nodes`` (OpenB's Node manifests) back into the model:
    the same GPUs and models as ``GpuCluster.from_table``."""
    from kubekit.packing.gpu import GpuCluster
    from kubekit.traces import load_sample

    tr = load_sample("openb")
    direct = GpuCluster.from_table(tr.nodes)
    cluster, _ = gpu_cluster_from_objects([], tr.nodes.to_nodes())
    assert cluster.gpu_count.tolist() == direct.gpu_count.tolist()
    assert [cluster.models[m] if m >= 0 else None for m in cluster.model.tolist()] == \
        [direct.models[m] if m >= 0 else None for m in direct.model.tolist()]
    assert cluster.cpu_left.tolist() == direct.cpu_left.tolist()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario(max_nodes=8, max_pods=6))
def test_groups_and_fit_equal_the_schedulers_filters(sc):
    """On generated clusters, a pod's node group is exactly the nodes the
    scheduler's filters other than NodeResourcesFit pass; for a pod asking
    only what the model has (cpu, memory, ephemeral-storage), the empty
    cluster's ``feasible`` is exactly the nodes the scheduler accepts."""
    nodes = [Node.from_manifest(m) for m in sc["nodes"]]
    pods = [Pod.from_manifest(m) for m in sc["pods"]]
    sched = Scheduler(nodes=nodes)
    for p in pods:
        exp = sched.explain(p)
        try:
            cluster, (gp,) = gpu_cluster_from_objects([p], nodes)
        except PackingError:
            assert all(exp.node(n.name).plugin != "" for n in nodes), exp.table()
            continue
        group = np.ones(len(nodes), bool) if gp.node_group < 0 else cluster.node_groups[gp.node_group]
        for b, n in enumerate(nodes):
            assert bool(group[b]) == (exp.node(n.name).plugin in ("", "NodeResourcesFit")), (n.name, exp.table())
        if set(p.requests) <= {"cpu", "memory", "ephemeral-storage"}:
            assert cluster.feasible(gp).tolist() == [exp.node(n.name).plugin == "" for n in nodes], exp.table()
