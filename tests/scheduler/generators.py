"""Hypothesis strategies for clusters, pods and scheduler configurations."""

from __future__ import annotations

from hypothesis import strategies as st

ZONES = ["z0", "z1", "z2"]
TAINTS = [
    {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
    {"key": "dedicated", "value": "infra", "effect": "NoExecute"},
    {"key": "spot", "value": "true", "effect": "PreferNoSchedule"},
    {"key": "slow", "value": "", "effect": "PreferNoSchedule"},
    {"key": "sla", "value": "900", "effect": "NoSchedule"},
]
TOLERATIONS = [
    {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
    {"key": "dedicated", "operator": "Exists"},
    {"key": "spot", "operator": "Exists", "effect": "PreferNoSchedule"},
    {"operator": "Exists"},
    {"key": "sla", "operator": "Gt", "value": "500", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
CPUS = ["0", "250m", "500m", "1", "2", "4", "8"]
MEMS = ["0", "256Mi", "1Gi", "4Gi", "16Gi", "32Gi"]


@st.composite
def node_manifest(draw, name):
    alloc = {
        "cpu": draw(st.sampled_from(CPUS + ["16"])),
        "memory": draw(st.sampled_from(MEMS + ["64Gi"])),
        "pods": str(draw(st.integers(0, 6))),
    }
    if draw(st.booleans()):
        alloc["ephemeral-storage"] = draw(st.sampled_from(["0", "10Gi", "100Gi"]))
    if draw(st.booleans()):
        alloc["example.com/gpu"] = str(draw(st.integers(0, 4)))
    if draw(st.integers(0, 4)) == 0:
        alloc["hugepages-2Mi"] = draw(st.sampled_from(["0", "4Mi", "64Mi"]))
    labels = {"kubernetes.io/hostname": name}
    if draw(st.booleans()):
        labels["zone"] = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        labels["gen"] = draw(st.sampled_from(["1", "5", "12", "x", "007"]))
    taints = draw(st.lists(st.sampled_from(TAINTS), max_size=2, unique_by=lambda t: (t["key"], t["effect"])))
    spec = {"taints": taints}
    if draw(st.integers(0, 6)) == 0:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {"capacity": alloc, "allocatable": alloc},
    }


@st.composite
def requests(draw, allow_missing=True):
    r = {}
    if not allow_missing or draw(st.booleans()):
        r["cpu"] = draw(st.sampled_from(["0", "100m", "250m", "500m", "1", "3"]))
    if not allow_missing or draw(st.booleans()):
        r["memory"] = draw(st.sampled_from(["0", "128Mi", "512Mi", "2Gi", "8Gi"]))
    if draw(st.integers(0, 3)) == 0:
        r["example.com/gpu"] = str(draw(st.integers(0, 2)))
    if draw(st.integers(0, 4)) == 0:
        r["ephemeral-storage"] = draw(st.sampled_from(["0", "1Gi", "20Gi"]))
    if draw(st.integers(0, 6)) == 0:
        r["hugepages-2Mi"] = draw(st.sampled_from(["2Mi", "8Mi"]))
    return r


def _res(requests):
    """The API server requires limits == requests for extended and hugepages resources."""
    limits = {k: v for k, v in requests.items() if "/" in k or k.startswith("hugepages-")}
    return {"requests": requests, **({"limits": limits} if limits else {})}


def _expr(draw):
    op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]))
    if op in ("In", "NotIn"):
        return {"key": draw(st.sampled_from(["zone", "gen", "missing"])), "operator": op,
                "values": draw(st.lists(st.sampled_from(ZONES + ["1", "x"]), min_size=1, max_size=2))}
    if op in ("Gt", "Lt"):
        return {"key": "gen", "operator": op, "values": [draw(st.sampled_from(["0", "4", "10"]))]}
    return {"key": draw(st.sampled_from(["zone", "gen", "missing"])), "operator": op}


@st.composite
def term(draw, node_names):
    t = {"matchExpressions": [_expr(draw) for _ in range(draw(st.integers(1, 2)))]}
    if node_names and draw(st.integers(0, 4)) == 0:
        t["matchFields"] = [{"key": "metadata.name", "operator": draw(st.sampled_from(["In", "NotIn"])),
                             "values": [draw(st.sampled_from(node_names))]}]
    return t


@st.composite
def pod_manifest(draw, name, node_names=()):
    containers = [{"name": f"c{i}", "resources": _res(draw(requests()))} for i in range(draw(st.integers(1, 3)))]
    spec: dict = {"containers": containers}
    if draw(st.integers(0, 3)) == 0:
        spec["initContainers"] = [
            {"name": f"i{i}", "resources": _res(draw(requests())),
             **({"restartPolicy": "Always"} if draw(st.booleans()) else {})}
            for i in range(draw(st.integers(1, 2)))
        ]
    if draw(st.integers(0, 5)) == 0:
        spec["overhead"] = {"cpu": "50m", "memory": "64Mi"}
    if draw(st.booleans()):
        spec["tolerations"] = draw(st.lists(st.sampled_from(TOLERATIONS), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        spec["nodeSelector"] = {"zone": draw(st.sampled_from(ZONES))}
    aff = {}
    if draw(st.integers(0, 3)) == 0:
        aff["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": draw(st.lists(term(node_names), min_size=1, max_size=2))}
    if draw(st.integers(0, 2)) == 0:
        aff["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": draw(st.integers(1, 100)), "preference": draw(term(node_names))}
            for _ in range(draw(st.integers(1, 3)))
        ]
    if aff:
        spec["affinity"] = {"nodeAffinity": aff}
    if draw(st.integers(0, 8)) == 0 and node_names:
        spec["nodeName"] = draw(st.sampled_from(list(node_names) + ["nowhere"]))
    prio = draw(st.integers(0, 2))
    if prio:
        spec["priority"] = prio
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


RESOURCES = ["cpu", "memory", "ephemeral-storage", "example.com/gpu", "hugepages-2Mi"]


@st.composite
def scheduler_config(draw):
    strategy = draw(st.sampled_from(["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"]))
    res = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=4, unique=True))
    ss = {"type": strategy, "resources": [{"name": r, "weight": draw(st.integers(1, 5))} for r in res]}
    if strategy == "RequestedToCapacityRatio":
        us = sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True)))
        ss["requestedToCapacityRatio"] = {"shape": [{"utilization": u, "score": draw(st.integers(0, 10))} for u in us]}
    ba = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3, unique=True))
    plugin_config = [
        {"name": "NodeResourcesFit", "args": {"scoringStrategy": ss}},
        {"name": "NodeResourcesBalancedAllocation", "args": {"resources": [{"name": r, "weight": 1} for r in ba]}},
    ]
    if draw(st.integers(0, 4)) == 0:
        plugin_config[0]["args"]["ignoredResources"] = ["example.com/gpu"]
    profile = {"schedulerName": "default-scheduler", "pluginConfig": plugin_config}
    if draw(st.integers(0, 3)) == 0:
        # kube-scheduler accepts any plugin weight (0 becomes 1), negative ones too
        profile["plugins"] = {"score": {"enabled": [
            {"name": name, "weight": draw(st.integers(-3, 5))}
            for name in draw(st.lists(st.sampled_from(["NodeResourcesFit", "NodeResourcesBalancedAllocation",
                                                       "TaintToleration", "NodeAffinity"]), max_size=3, unique=True))
        ]}}
    return {
        "apiVersion": "kubescheduler.config.k8s.io/v1",
        "kind": "KubeSchedulerConfiguration",
        "profiles": [profile],
    }


@st.composite
def scenario(draw, max_nodes=12, max_pods=12):
    n = draw(st.integers(1, max_nodes))
    names = [f"n{i}" for i in range(n)]
    nodes = [draw(node_manifest(nm)) for nm in names]
    pods = [draw(pod_manifest(f"p{i}", names)) for i in range(draw(st.integers(1, max_pods)))]
    existing = [(draw(pod_manifest(f"e{i}")), draw(st.sampled_from(names))) for i in range(draw(st.integers(0, 4)))]
    return {"config": draw(scheduler_config()), "nodes": nodes, "pods": pods, "existing": existing,
            "seed": draw(st.integers(0, 2**32))}
