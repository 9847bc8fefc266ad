"""``kubekit demo --openb``: schedule a real workload on a real cluster and
show what happened.

The cluster is Alibaba's OpenB GPU cluster (1,213 Node manifests published
with the FGD paper); the workload is real manifests from kubernetes/examples
and kube-scheduler's scheduler_perf templates, expanded to their replica
counts.  Every decision below is kube-scheduler's default profile, computed
by the Cython kernels.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from typing import Any, TextIO

from kubekit.api import Node, Pod
from kubekit.data import load_manifests
from kubekit.scheduler import Scheduler

CLUSTER = "alibaba-openb/openb_node_list_gpu_node.yaml"
WORKLOADS = [
    ("kubernetes-examples/web__guestbook__all-in-one__guestbook-all-in-one.yaml", None),
    ("kubernetes-examples/AI__vllm-deployment__vllm-deployment.yaml", None),
    ("kubernetes-examples/databases__cassandra__cassandra-statefulset.yaml", None),
    ("kubernetes-scheduler-perf/templates__pod-default.yaml", 20000),
    ("kubernetes-scheduler-perf/templates__pod-high-priority-large-cpu.yaml", 3),
]
SCHEDULABLE_KINDS = ("Pod", "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "ReplicationController", "Job")


def replicas(manifest: dict[str, Any], count: int | None = None) -> list[Pod]:
    """The pods a manifest asks for: a Pod once, a workload ``spec.replicas``
    times (1 if unset), each with its own name."""
    kind = manifest.get("kind", "Pod")
    n = count if count is not None else (1 if kind == "Pod" else int(manifest.get("spec", {}).get("replicas", 1) or 1))
    base = manifest["metadata"].get("name") or manifest["metadata"].get("generateName", "pod").rstrip("-")
    out = []
    for i in range(n):
        m = copy.deepcopy(manifest)
        m["metadata"]["name"] = f"{base}-{i}" if n > 1 or kind != "Pod" else base
        out.append(Pod.from_manifest(m))
    return out


def run(out: TextIO, seed: int = 0) -> int:
    t0 = time.perf_counter()
    nodes = [Node.from_manifest(d) for d in load_manifests(CLUSTER)]
    t_parse = time.perf_counter() - t0
    sched = Scheduler(nodes=nodes, seed=seed)
    cpu = sum(n.allocatable.get("cpu", 0) for n in nodes) / 1000
    gpus = sum(n.allocatable.get("alibabacloud.com/gpu-count", 0) for n in nodes)
    print(f"cluster: {len(nodes)} nodes from {CLUSTER} ({cpu:,.0f} cores, {gpus:,} GPUs), parsed in {t_parse:.2f}s", file=out)

    queue: list[Pod] = []
    origin: dict[str, str] = {}
    for path, count in WORKLOADS:
        for doc in load_manifests(path):
            if doc.get("kind") not in SCHEDULABLE_KINDS:
                continue
            pods = replicas(doc, count)
            for p in pods:
                meta = doc["metadata"]
                origin[f"{p.namespace}/{p.name}"] = f"{doc['kind']}/{meta.get('name') or meta.get('generateName', '')}"
            queue += pods
    print(f"queue: {len(queue)} pods from {len(WORKLOADS)} manifest files", file=out)

    t0 = time.perf_counter()
    result = sched.schedule_batch(queue)
    dt = time.perf_counter() - t0
    print(f"scheduled in {dt * 1000:.1f} ms ({len(queue) / dt:,.0f} pods/s): "
          f"{len(result.placements)} bound, {len(result.unschedulable)} unschedulable\n", file=out)

    per_workload: dict[str, Counter] = {}
    for r in result.results:
        c = per_workload.setdefault(origin[r.pod], Counter())
        c["bound" if r.node else "pending"] += 1
    for name, c in per_workload.items():
        print(f"  {name:45} {c['bound']:6d} bound {c['pending']:6d} pending", file=out)

    failed = result.unschedulable
    if failed:
        print("\nwhy pods are pending (kube-scheduler's message):", file=out)
        for msg, n in Counter((origin[r.pod], r.message) for r in failed).most_common(5):
            print(f"  {n:5d} x {msg[0]}: {msg[1]}", file=out)

    used_nodes = Counter(result.placements.values())
    print(f"\npods landed on {len(used_nodes)} nodes; busiest: "
          + ", ".join(f"{n} ({k})" for n, k in used_nodes.most_common(3)), file=out)

    probe = replicas(load_manifests(WORKLOADS[0][0])[1], 1)[0]
    exp = sched.explain(probe)
    print(f"\nexplain {exp.pod} (next replica of the guestbook Deployment): would go to {exp.chosen}", file=out)
    feasible = sorted((n for n in exp.nodes if n.feasible), key=lambda n: -n.total)[:5]
    for n in feasible:
        parts = ", ".join(f"{k} {s.normalized}x{s.weight}" for k, s in n.scores.items())
        print(f"  {n.node:28} total {n.total:4d}  ({parts})", file=out)
    print(f"  ... {sum(1 for n in exp.nodes if n.feasible)} feasible of {len(exp.nodes)}", file=out)
    return 0
