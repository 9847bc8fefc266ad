"""The Cython engine equals the plain-Python twin on generated clusters:
feasibility, reasons, every plugin's raw and normalized score, totals, the
chosen node and every placement of a batch."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators import node_manifest, scenario
from kubekit import Node, Pod, Scheduler


def _build(sc, engine):
    s = Scheduler(sc["config"], engine=engine, seed=sc["seed"])
    for m in sc["nodes"]:
        s.add_node(Node.from_manifest(m))
    for m, node in sc["existing"]:
        s.assume(Pod.from_manifest(m), node)
    return s


def _view(exp):
    return (
        exp.chosen,
        exp.message,
        tuple(
            (n.node, n.code, tuple(sorted(n.reasons)), n.plugin, n.total,
             tuple(sorted((k, v.raw, v.normalized, v.weight) for k, v in n.scores.items())))
            for n in exp.nodes
        ),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario())
def test_explain_and_batch_agree(sc):
    fast, twin = _build(sc, "fast"), _build(sc, "twin")
    pods = [Pod.from_manifest(m) for m in sc["pods"]]
    for pod in pods:
        assert _view(fast.explain(pod)) == _view(twin.explain(pod))
    rf, rt = fast.schedule_batch(pods), twin.schedule_batch(pods)
    assert [(r.pod, r.node, r.message) for r in rf.results] == [(r.pod, r.node, r.message) for r in rt.results]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario(max_nodes=6, max_pods=20))
def test_replica_runs_match_one_by_one(sc):
    """A batch of identical replicas (the incremental index) places exactly as
    scheduling them one at a time with full scans does."""
    template = sc["pods"][0]
    replicas = []
    for i in range(len(sc["pods"]) + 5):
        m = {**template, "metadata": {**template["metadata"], "name": f"r{i}"}}
        replicas.append(Pod.from_manifest(m))
    batch = _build(sc, "fast")
    single = _build(sc, "fast")
    got = [r.node for r in batch.schedule_batch(replicas).results]
    want = []
    for pod in replicas:
        r = single.schedule(pod)
        want.append(r.node)
        if r.node is not None:
            single.assume(pod, r.node)
    assert got == want


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario(max_nodes=8, max_pods=10), scenario(max_nodes=6, max_pods=10), st.data())
def test_engines_agree_through_cluster_changes(sc, later, data):
    """Schedule, then add nodes (new label keys, values, taints, resources),
    update and remove nodes, forget pods, and schedule again: the caches of
    the fast engine (compiled pods, replica indexes, change log) must keep it
    equal to the twin."""
    fast, twin = _build(sc, "fast"), _build(sc, "twin")
    pods = [Pod.from_manifest(m) for m in sc["pods"]]
    rf, rt = fast.schedule_batch(pods), twin.schedule_batch(pods)
    assert [r.node for r in rf.results] == [r.node for r in rt.results]
    for i, m in enumerate(later["nodes"]):
        m = {**m, "metadata": {**m["metadata"], "name": f"late{i}",
                               "labels": {**m["metadata"]["labels"], f"k{i}": "v"}}}
        node = Node.from_manifest(m)
        fast.add_node(node)
        twin.add_node(node)
    names = fast.node_names
    for name in data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        m = data.draw(node_manifest(name))
        fast.update_node(Node.from_manifest(m))
        twin.update_node(Node.from_manifest(m))
    for name in data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        assert fast.remove_node(name) == twin.remove_node(name)
    for p in pods:
        if fast.node_of(p) is not None and data.draw(st.booleans()):
            assert fast.forget(p) == twin.forget(p)
    second = [Pod.from_manifest({**m, "metadata": {**m["metadata"], "name": f"second-{i}"}})
              for i, m in enumerate(later["pods"] + sc["pods"])]
    for pod in second[:5]:
        vf, vt = _view(fast.explain(pod)), _view(twin.explain(pod))
        assert vf[:2] == vt[:2]
        for nf, nt in zip(vf[2], vt[2]):
            assert nf == nt
    rf, rt = fast.schedule_batch(second), twin.schedule_batch(second)
    assert [(r.node, r.message) for r in rf.results] == [(r.node, r.message) for r in rt.results]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario(max_nodes=6, max_pods=8))
def test_one_by_one_replicas_match_the_twin(sc):
    """schedule() then assume(), replica after replica, as an embedding caller
    does: from the second replica on the fast engine answers from the
    template's index, and must still choose what the twin chooses."""
    template = sc["pods"][0]
    fast, twin = _build(sc, "fast"), _build(sc, "twin")
    for i in range(12):
        pod = Pod.from_manifest({**template, "metadata": {**template["metadata"], "name": f"one-{i}"}})
        rf, rt = fast.schedule(pod), twin.schedule(pod)
        assert (rf.node, rf.score, rf.feasible_nodes) == (rt.node, rt.score, rt.feasible_nodes)
        if rf.node is None:
            assert rf.message == rt.message
        else:
            fast.assume(pod, rf.node)
            twin.assume(pod, rt.node)
