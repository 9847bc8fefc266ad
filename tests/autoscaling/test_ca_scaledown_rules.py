"""Scale-down's pure parts: utilization, unneeded tracking, which unneeded
nodes go now, and the move simulation on a scheduler snapshot."""

from __future__ import annotations

from fractions import Fraction

import pytest
from ca_builders import pdb, pod

from kubekit.autoscaling.cluster.drainability import RemainingBudgets
from kubekit.autoscaling.cluster.scaledown import (
    Candidate, NodeVerdict, Utilization, find_unneeded, node_utilization, pods_for_utilization, select_removals,
    update_unneeded,
)
from kubekit.autoscaling.cluster.snapshot import PodParser, build_scheduler

GI = 1 << 30


@pytest.mark.parametrize("alloc, reqs, cpu, mem, value, resource", [
    ({"cpu": 4000, "memory": 16 * GI}, [], 0, 0, 0, "memory"),       # a tie is memory (info.go: if cpu > mem)
    ({"cpu": 4000, "memory": 16 * GI}, [{"cpu": 1000, "memory": 2 * GI}], Fraction(1, 4), Fraction(1, 8),
     Fraction(1, 4), "cpu"),
    ({"cpu": 4000, "memory": 16 * GI}, [{"cpu": 500, "memory": 8 * GI}, {"cpu": 500}], Fraction(1, 4),
     Fraction(1, 2), Fraction(1, 2), "memory"),
    ({"cpu": 0, "memory": 16 * GI}, [], 0, 0, 0, ""),           # no allocatable cpu: cannot be calculated
])
def test_utilization_is_the_larger_of_cpu_and_memory(alloc, reqs, cpu, mem, value, resource):
    u = node_utilization(alloc, reqs)
    assert (u.cpu, u.memory, u.value, u.resource, bool(u.error)) == (cpu, mem, value, resource, not resource)


def test_which_pods_count_towards_utilization():
    ds = pod("ds", owner=("DaemonSet", "d"))
    mirror = pod("m", annotations={"kubernetes.io/config.mirror": "x"})
    pods = [pod("a"), pod("done", phase="Succeeded"), pod("gone", deleting="2023-01-01T00:00:00Z"), ds, mirror]
    now = 1_700_000_000.0
    assert [p["metadata"]["name"] for p in pods_for_utilization(pods, now)] == ["a", "ds", "m"]
    assert [p["metadata"]["name"] for p in pods_for_utilization(pods, now, ignore_daemonsets=True,
                                                                ignore_mirror_pods=True)] == ["a"]


@pytest.mark.parametrize("since, unneeded, now, want", [
    ({}, ["a"], 10.0, {"a": 10.0}),
    ({"a": 5.0}, ["a", "b"], 10.0, {"a": 5.0, "b": 10.0}),     # a keeps its time
    ({"a": 5.0, "b": 7.0}, ["b"], 10.0, {"b": 7.0}),            # a broke its streak: dropped
    ({"a": 5.0}, [], 10.0, {}),
])
def test_unneeded_since(since, unneeded, now, want):
    assert update_unneeded(since, unneeded, now) == want


def verdict(name, group="g", empty=True):
    return NodeVerdict(name, group, Utilization(Fraction(0), Fraction(0)), True,
                       pods_to_move=() if empty else ("default/p",))


@pytest.mark.parametrize("verdicts, since, sizes, mins, kw, empty, drain, reasons", [
    # unneeded long enough: removed
    ([verdict("a")], {"a": 0.0}, {"g": 3}, {"g": 0}, {}, ("a",), (), {}),
    # not yet
    ([verdict("a")], {"a": 401.0}, {"g": 3}, {"g": 0}, {}, (), (), {"a": "NotUnneededLongEnough"}),
    # min size: only one of two may go (the one unneeded longest)
    ([verdict("a"), verdict("b")], {"a": 10.0, "b": 0.0}, {"g": 3}, {"g": 2}, {}, ("b",), (),
     {"a": "NodeGroupMinSizeReached"}),
    # empty nodes in bulk, nodes with pods one at a time
    ([verdict("a", empty=False), verdict("b", empty=False), verdict("c"), verdict("d")],
     {"a": 0.0, "b": 1.0, "c": 2.0, "d": 3.0}, {"g": 9}, {"g": 0}, {}, ("c", "d"), ("a",),
     {"b": "ScaleDownParallelismLimitReached"}),
    ([verdict("c"), verdict("d")], {"c": 0.0, "d": 0.0}, {"g": 9}, {"g": 0}, {"max_empty_bulk_delete": 1},
     ("c",), (), {"d": "ScaleDownParallelismLimitReached"}),
])
def test_select_removals(verdicts, since, sizes, mins, kw, empty, drain, reasons):
    r = select_removals(verdicts, since, 1000.0, unneeded_time=600.0, sizes=sizes, min_sizes=mins, **kw)
    assert (r.empty, r.drain, dict(r.reasons)) == (empty, drain, reasons)


def node(name, cpu="4"):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {}},
            "status": {"capacity": {"cpu": cpu, "memory": "16Gi", "pods": "110"},
                       "allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}}}


def simulate(nodes, bound, pdbs=(), allowed=None, threshold=0.5):
    parse = PodParser()
    sched = build_scheduler(nodes, bound, parse)
    cands = []
    for n in nodes:
        name = n["metadata"]["name"]
        reqs = [parse(p).requests for p in bound.get(name, [])]
        cands.append(Candidate(name, "g", n, bound.get(name, []), node_utilization({"cpu": 4000, "memory": 16 * GI},
                                                                                  reqs)))
    return {v.node: v for v in find_unneeded(cands, sched, parse, threshold=threshold, pdbs=list(pdbs),
                                             budgets=RemainingBudgets(list(pdbs), allowed or {}),
                                             controller_exists=lambda p: True, now=0.0)}


RS = ("ReplicaSet", "web")


def test_a_lightly_used_node_whose_pods_fit_elsewhere_is_unneeded():
    bound = {"a": [pod("p1", node="a", cpu="1", owner=RS)], "b": [pod("p2", node="b", cpu="3", owner=RS)]}
    v = simulate([node("a"), node("b")], bound)
    assert v["a"].unneeded and v["a"].destinations == {"default/p1": "b"}
    assert not v["b"].unneeded and v["b"].reason == "NotUnderutilized"


def test_pods_that_fit_nowhere_else_keep_their_node():
    bound = {"a": [pod("p1", node="a", cpu="1500m", owner=RS)], "b": [pod("p2", node="b", cpu="3", owner=RS)]}
    v = simulate([node("a"), node("b")], bound)
    assert not v["a"].unneeded and v["a"].reason == "NoPlaceToMovePods"
    assert "default/p1" in v["a"].message


def test_two_nodes_cannot_both_move_onto_each_other():
    bound = {"a": [pod("p1", node="a", cpu="1", owner=RS)], "b": [pod("p2", node="b", cpu="1", owner=RS)]}
    v = simulate([node("a"), node("b")], bound)
    assert [v["a"].unneeded, v["b"].unneeded].count(True) == 1


def test_pods_moved_onto_a_node_move_again_if_it_goes_too():
    # a's pod moves to b; then b (now 2 cpu) is still under 0.6 and both its pods fit on c
    bound = {"a": [pod("p1", node="a", cpu="500m", owner=RS)], "b": [pod("p2", node="b", cpu="1", owner=RS)],
             "c": [pod("p3", node="c", cpu="2", owner=RS)]}
    v = simulate([node("a"), node("b"), node("c")], bound, threshold=0.6)
    assert v["a"].unneeded and v["b"].unneeded and not v["c"].unneeded


def test_a_budget_with_no_disruptions_left_blocks():
    bound = {"a": [pod("p1", node="a", cpu="1", owner=RS, labels={"app": "web"})],
             "b": [pod("p2", node="b", cpu="2", owner=RS)]}
    budget = pdb("web", selector={"app": "web"}, min_available=1)
    v = simulate([node("a"), node("b")], bound, [budget], {"default/web": 0})
    assert not v["a"].unneeded and v["a"].message.startswith("NotEnoughPdb")
    v = simulate([node("a"), node("b")], bound, [budget], {"default/web": 1})
    assert v["a"].unneeded
