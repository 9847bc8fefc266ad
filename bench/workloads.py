"""Benchmark workloads, built from real manifests and seeded generators.

Workload A is kube-scheduler's scheduler_perf ``SchedulingBasic``: nodes from
``templates/node-default.yaml`` (4 CPU, 32Gi, 110 pods), pods from
``templates/pod-default.yaml`` (100m, 500Mi), default profile.  The two
templates are read from the copies shipped in ``kubekit/data``.

Workload B is a heterogeneous cluster: 5,000 nodes of mixed shapes (zones,
instance types, 10% tainted), 10,000 seeded-random pods of which 20% carry a
nodeSelector.
"""

from __future__ import annotations

import copy
import random

from kubekit import Node, Pod
from kubekit.data import load_manifest

NODE_SHAPES = [  # (instance type, cpu, memory, weight) — common cloud shapes
    ("m.large", "2", "8Gi", 3),
    ("m.xlarge", "4", "16Gi", 4),
    ("m.2xlarge", "8", "32Gi", 4),
    ("c.4xlarge", "16", "32Gi", 2),
    ("r.4xlarge", "16", "128Gi", 2),
    ("m.16xlarge", "64", "256Gi", 1),
]
ZONES = ["zone-a", "zone-b", "zone-c"]


def workload_a(n_nodes: int, n_pods: int) -> tuple[list[Node], list[Pod]]:
    node_t = load_manifest("kubernetes-scheduler-perf/templates__node-default.yaml")
    pod_t = load_manifest("kubernetes-scheduler-perf/templates__pod-default.yaml")
    nodes = []
    for i in range(n_nodes):
        m = copy.deepcopy(node_t)
        m["metadata"]["name"] = f"node-{i}"
        nodes.append(Node.from_manifest(m))
    pods = []
    for i in range(n_pods):
        m = copy.deepcopy(pod_t)
        m["metadata"] = {"name": f"pod-{i}", "namespace": "default"}
        pods.append(Pod.from_manifest(m))
    return nodes, pods


def workload_b(n_nodes: int = 5000, n_pods: int = 10000, seed: int = 1) -> tuple[list[Node], list[Pod]]:
    rng = random.Random(seed)
    shapes = [s for s in NODE_SHAPES for _ in range(s[3])]
    nodes = []
    for i in range(n_nodes):
        itype, cpu, mem, _ = rng.choice(shapes)
        taints = ()
        if rng.random() < 0.10:
            from kubekit.api import Taint

            taints = (Taint("dedicated", rng.choice(["batch", "gpu"]), "NoSchedule"),)
        nodes.append(Node.simple(
            f"node-{i}", cpu=cpu, memory=mem, pods=110, taints=taints,
            labels={"topology.kubernetes.io/zone": rng.choice(ZONES), "node.kubernetes.io/instance-type": itype,
                    "kubernetes.io/hostname": f"node-{i}"},
        ))
    pods = []
    for i in range(n_pods):
        kw = {}
        if rng.random() < 0.20:
            kw["node_selector"] = (
                {"topology.kubernetes.io/zone": rng.choice(ZONES)} if rng.random() < 0.5
                else {"node.kubernetes.io/instance-type": rng.choice(NODE_SHAPES)[0]}
            )
        cpu = f"{rng.randrange(50, 2001, 50)}m"
        mem = f"{rng.randrange(64, 4097, 64)}Mi"
        pods.append(Pod.simple(f"pod-{i}", cpu=cpu, memory=mem, priority=rng.choice([0, 0, 0, 100]), **kw))
    return nodes, pods
