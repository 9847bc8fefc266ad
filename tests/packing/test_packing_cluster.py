"""Kubernetes objects to a PackingProblem: the feasibility a pod gets in the
packing model must be exactly what kubekit's scheduler (checked against
Kubernetes' own tables) decides for it on an empty cluster."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scheduler"))
from generators import scenario  # noqa: E402

from kubekit.api import Node, Pod  # noqa: E402
from kubekit.packing import PackingError  # noqa: E402
from kubekit.packing.cluster import problem_from_cluster  # noqa: E402
from kubekit.scheduler import Scheduler  # noqa: E402


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario(max_nodes=8, max_pods=6))
def test_feasibility_equals_the_schedulers_filters(sc):
    nodes = [Node.from_manifest(m) for m in sc["nodes"]]
    pods = [Pod.from_manifest(m) for m in sc["pods"]]
    sched = Scheduler(nodes=nodes)   # default profile: every built-in filter on
    for pod in pods:
        exp = sched.explain(pod)
        try:
            problem = problem_from_cluster([pod], nodes)
        except PackingError:
            # No node accepts it (filters or requests): nor does the scheduler.
            assert all(n.plugin != "" for n in exp.nodes), exp.table()
            continue
        for b, node in enumerate(nodes):
            verdict = exp.node(node.name)
            assert bool(problem.allowed[0, b]) == (verdict.plugin in ("", "NodeResourcesFit")), (node.name, verdict)
            fits = bool(problem.allowed[0, b]) and bool(np.all(problem.demands[0] <= problem.capacities[b]))
            assert fits == (verdict.plugin == ""), (node.name, verdict, problem.resources, problem.demands[0],
                                                    problem.capacities[b])


def test_resources_and_groups():
    nodes = [Node.simple("a", cpu="4", memory="8Gi"), Node.simple("b", cpu="2", memory="4Gi")]
    pods = [Pod.simple("x", cpu="500m", memory="1Gi"), Pod.simple("y", cpu="1", memory="2Gi")]
    p = problem_from_cluster(pods, nodes)
    assert p.resources[:2] == ("cpu", "memory") and "pods" in p.resources
    assert p.demands[1, 0] == 1000 and p.demands[1, 1] == 2 << 30
    assert p.demands[0, p.resources.index("pods")] == 1
    assert list(p.item_groups) == [0, 0] and p.allowed.shape == (1, 2)
    assert p.item_names == ("default/x", "default/y") and p.bin_names == ("a", "b")


def test_a_pod_no_node_accepts_is_named():
    nodes = [Node.simple("a", cpu="4", memory="8Gi")]
    pinned = Pod.from_manifest({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pinned"},
                                "spec": {"nodeName": "elsewhere", "containers": [{"name": "c"}]}})
    with pytest.raises(PackingError, match="pod default/pinned: no node passes its filters"):
        problem_from_cluster([pinned], nodes)
