"""Node groups that scale atomically (``ZeroOrMaxNodeScaling``): scale-up to
the max size or not at all, scale-down of the whole group or nothing.  Pure
tables transcribed from cluster-autoscaler's own tests where they exist
(each names its file), then end to end on simulated nodes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from ca_builders import cluster, deployment, events, live_pods, pod, scale, settle

from kubekit.autoscaling.cluster import AutoscalerOptions
from kubekit.autoscaling.cluster.atomic import (
    ATOMIC_EXCEEDS_MAX_TOTAL, atomic_node_count, atomic_scale_up_skip, crop_atomic, plan_removals,
    prefilter_incomplete, select_atomic_removals,
)
from kubekit.autoscaling.cluster.drainability import RemainingBudgets
from kubekit.autoscaling.cluster.options import NodeGroupAutoscalingOptions
from kubekit.autoscaling.cluster.scaledown import Candidate, NodeVerdict, Utilization, find_unneeded
from kubekit.autoscaling.cluster.scaleup import GroupState, plan_scale_up
from kubekit.autoscaling.cluster.snapshot import PodParser, build_scheduler, parse_node
from kubekit.node.simulated import NodeTemplate

NOW = 10_000.0
ZERO = Utilization(Fraction(0), Fraction(0))
SLICE = NodeTemplate(cpu="4", memory="16Gi")
ATOMIC = NodeGroupAutoscalingOptions(zero_or_max_node_scaling=True)


# -- scale-up (core/scaleup/orchestrator/orchestrator.go: filterValidScaleUpNodeGroups, ComputeExpansionOption) --

@pytest.mark.parametrize("size, max_size, total, max_total, want", [
    (0, 4, 10, 0, ""),                         # no cluster limit
    (0, 4, 10, 14, ""),                        # exactly at the limit afterwards
    (0, 4, 11, 14, ATOMIC_EXCEEDS_MAX_TOTAL),  # the whole group would not fit
    (2, 4, 12, 14, ""),                        # what is left to the max counts, not the max
])
def test_atomic_scale_up_skip(size, max_size, total, max_total, want):
    assert atomic_scale_up_skip(size, max_size, total, max_total) == want


@pytest.mark.parametrize("estimated, max_size, want", [(0, 4, 0), (1, 4, 4), (4, 4, 4), (7, 4, 4)])
def test_an_atomic_option_asks_for_the_max_size(estimated, max_size, want):
    assert atomic_node_count(estimated, max_size) == want


def _template(name):
    return parse_node(SLICE.manifest(f"template-node-for-{name}", "2024-01-01T00:00:00Z"))


def test_the_plan_gives_an_atomic_group_its_max_size_and_skips_it_past_max_nodes_total():
    parse = PodParser()
    pending = [parse(pod("p", cpu="1", memory="1Gi"))]
    groups = [GroupState("slice", 0, 0, 4, _template("slice"), zero_or_max=True),
              GroupState("plain", 0, 0, 4, _template("plain"))]
    plan = plan_scale_up(pending, build_scheduler([], {}, parse), groups, total_nodes=0, max_nodes_total=0)
    assert {o.group: o.node_count for o in plan.options} == {"slice": 4, "plain": 1}
    plan = plan_scale_up(pending, build_scheduler([], {}, parse), groups, total_nodes=1, max_nodes_total=4)
    assert {o.group: o.node_count for o in plan.options} == {"plain": 1}
    plan = plan_scale_up([parse(pod("q", cpu="9", memory="1Gi"))], build_scheduler([], {}, parse), groups,
                         total_nodes=1, max_nodes_total=4)
    assert plan.not_helped["default/q"] == {ATOMIC_EXCEEDS_MAX_TOTAL: 1, "Insufficient cpu": 1}


# -- AtomicResizeFilteringProcessor (processors/nodes/scale_down_set_processor_test.go:
#    TestAtomicResizeFilterUnremovableNodes; every node of both groups is registered) ------------------------------

def unneeded(name, group, empty=True):
    return NodeVerdict(name, group, ZERO, True, pods_to_move=() if empty else ("default/p",))


def test_atomic_resize_filter_unremovable_nodes():
    verdicts = [unneeded("node-1", "ng1"), unneeded("node-2", "ng1"), unneeded("node-3", "ng1"),
                unneeded("node-4", "ng2"), unneeded("node-5", "ng2")]
    r = select_atomic_removals(verdicts, {}, NOW, sizes={"ng1": 3, "ng2": 4}, min_sizes={}, registered={"ng1": 3,
                               "ng2": 4}, parallelism=10, drain_budget=10)
    assert dict(r.groups) == {"ng1": (("node-1", "node-2", "node-3"), ())}
    assert dict(r.reasons) == {"node-4": "AtomicScaleDownFailed", "node-5": "AtomicScaleDownFailed"}


@pytest.mark.parametrize("n, target, registered, min_size, taken, reasons", [
    (3, 3, 3, 0, True, set()),
    (2, 3, 2, 0, True, set()),                    # the third instance never registered: the registered nodes suffice
    (2, 3, 3, 0, False, {"AtomicScaleDownFailed"}),
    (3, 3, 3, 1, False, {"NodeGroupMinSizeReached", "AtomicScaleDownFailed"}),   # RemovableAt's min size first
])
def test_an_atomic_group_goes_whole_or_not_at_all(n, target, registered, min_size, taken, reasons):
    verdicts = [unneeded(f"s-{i}", "s") for i in range(n)]
    r = select_atomic_removals(verdicts, {}, NOW, sizes={"s": target}, min_sizes={"s": min_size},
                               registered={"s": registered}, parallelism=10, drain_budget=1)
    assert ("s" in r.groups) is taken and set(r.reasons.values()) == reasons


# -- CropNodes, atomic groups (core/scaledown/budgets/budgets_test.go: TestCropNodesToBudgets, the cases with
#    atomic groups only; MaxScaleDownParallelism 10, MaxDrainParallelism 5, less the deletions in progress) ------

def b(name, empty, drain):
    return (name, tuple(f"{name}-e{i}" for i in range(empty)), tuple(f"{name}-d{i}" for i in range(drain)))


@pytest.mark.parametrize("case, in_progress, buckets, want", [
    ("empty atomic node group exceeding max limit", (0, 0), [b("atomic-11", 11, 0)], ["atomic-11"]),
    ("empty atomic nodes with deletions in progress, exceeding budget", (3, 3), [b("atomic-8", 8, 0)], ["atomic-8"]),
    ("empty atomic nodes with deletions in progress, 0 budget left", (5, 5), [b("atomic-3", 3, 0)], []),
    ("drain atomic exceeding limit", (0, 0), [b("atomic-8", 0, 8)], ["atomic-8"]),
    ("multiple drain atomic", (0, 0), [b("atomic-3", 0, 3), b("atomic-4", 0, 4)], ["atomic-3"]),
    ("drain atomic nodes with deletions in progress, exceeding drain budget", (1, 2), [b("atomic-4", 0, 4)],
     ["atomic-4"]),
    ("drain atomic nodes with deletions in progress, 0 drain budget left", (1, 5), [b("atomic-4", 0, 4)], []),
    ("empty&drain atomic nodes within max limits", (0, 0), [b("atomic-3", 3, 0), b("atomic-4", 0, 4)],
     ["atomic-3", "atomic-4"]),
    ("empty&drain atomic nodes exceeding overall limit", (0, 0), [b("atomic-8", 8, 0), b("atomic-4", 0, 4)],
     ["atomic-8"]),
    ("empty&drain atomic nodes in same group within overall limit", (0, 0), [b("atomic-8", 5, 3)], ["atomic-8"]),
    ("empty&drain atomic nodes in same group exceeding overall limit", (0, 0), [b("atomic-11", 8, 3)],
     ["atomic-11"]),
    ("empty&drain atomic nodes in same group exceeding drain limit", (0, 0), [b("atomic-8", 2, 6)], ["atomic-8"]),
    ("empty&drain atomic nodes exceeding drain limit", (0, 0), [b("atomic-4", 4, 0), b("atomic-8", 0, 8)],
     ["atomic-4"]),
    ("empty&drain regular and multiple atomic nodes in same group exceeding drain limit", (0, 0),
     [b("atomic-8", 5, 3), b("atomic-11", 8, 3)], ["atomic-8"]),
    ("empty&drain multiple atomic nodes in same group exceeding overall limit", (0, 0),
     [b("atomic-3", 3, 0), b("atomic-4", 2, 2), b("atomic-11", 11, 0)], ["atomic-3", "atomic-4"]),
    ("empty&drain atomic nodes with deletions in progress, 0 overall budget left", (10, 0),
     [b("atomic-4", 4, 0), b("atomic-3", 0, 3)], []),
    ("empty&drain atomic nodes in same group with deletions in progress, 0 overall budget left", (10, 0),
     [b("atomic-8", 4, 4)], []),
])
def test_crop_atomic(case, in_progress, buckets, want):
    empty_in_progress, drain_in_progress = in_progress
    taken, _, _ = crop_atomic(buckets, 10 - empty_in_progress - drain_in_progress, 5 - drain_in_progress)
    assert taken == want


def test_crop_atomic_leaves_single_nodes_the_rest_of_the_budgets():
    # budgets_test.go "empty regular and atomic": atomic-3 first, then 7 of the regular group's 8 empty nodes
    taken, parallelism, drain = crop_atomic([b("atomic-3", 3, 0)], 10, 5)
    assert (taken, parallelism, drain) == (["atomic-3"], 7, 5)
    # "drain regular and atomic exceeding limit": atomic-3's drains leave 2 of the drain budget
    assert crop_atomic([b("atomic-3", 0, 3)], 10, 5)[1:] == (7, 2)


# -- CropNodes, atomic groups and single nodes together (budgets_test.go TestCropNodesToBudgets, the cases that
#    mix them or crop single nodes; "ng"/"ng2" are ordinary groups, "atomic-N" a ZeroOrMaxNodeScaling group of
#    target size N; each list in its order, which is oldest unneeded first here) ----------------------------------

def _mixed(empty, drain):
    verdicts, since, t = [], {}, 0.0
    for kind, spec in (("e", empty), ("d", drain)):
        for group, count in spec:
            for i in range(count):
                name = f"{group}-{kind}{i}"
                verdicts.append(unneeded(name, group, empty=kind == "e"))
                since[name], t = t, t + 1.0
    return verdicts, since


def _counts(nodes):
    out = {}
    for n in nodes:
        group = n.rsplit("-", 1)[0]
        out[group] = out.get(group, 0) + 1
    return out


@pytest.mark.parametrize("case, in_progress, empty, drain, want_empty, want_drain, registered", [
    ("empty nodes exceeding max limit, no deletions in progress", (0, 0), [("ng", 11)], [], {"ng": 10}, {}, {}),
    ("empty regular and atomic", (0, 0), [("ng", 8), ("atomic-3", 3)], [], {"atomic-3": 3, "ng": 7}, {}, {}),
    ("multiple empty atomic", (0, 0), [("ng", 3), ("atomic-8", 8), ("atomic-3", 3)], [], {"atomic-8": 8, "ng": 2},
     {}, {}),
    ("drain regular and atomic exceeding limit", (0, 0), [], [("ng", 3), ("atomic-3", 3)], {},
     {"atomic-3": 3, "ng": 2}, {}),
    ("multiple drain atomic", (0, 0), [], [("ng", 3), ("atomic-3", 3), ("atomic-4", 4)], {},
     {"atomic-3": 3, "ng": 2}, {}),
    ("drain nodes with deletions in progress, exceeding overall budget", (7, 1), [], [("ng", 4)], {}, {"ng": 2}, {}),
    ("empty&drain nodes exceeding overall limit, no deletions in progress", (0, 0), [("ng", 8)], [("ng2", 8)],
     {"ng": 8}, {"ng2": 2}, {}),
    ("empty&drain atomic nodes exceeding overall limit, no deletions in progress", (0, 0), [("atomic-8", 8)],
     [("atomic-4", 4)], {"atomic-8": 8}, {}, {}),
    ("empty&drain atomic nodes in same group not matching registered node group size", (0, 0), [("atomic-8", 2)],
     [("atomic-8", 2)], {}, {}, {"atomic-8": 8}),
    ("empty&drain atomic nodes in same group matching registered node group size", (0, 0), [("atomic-8", 2)],
     [("atomic-8", 2)], {"atomic-8": 2}, {"atomic-8": 2}, {"atomic-8": 4}),
    ("empty&drain atomic and regular nodes exceeding drain limit", (0, 0), [("ng", 5), ("atomic-3", 3)],
     [("atomic-8", 8)], {"atomic-3": 3, "ng": 5}, {}, {}),
    ("empty&drain regular and atomic nodes in same group exceeding overall limit", (0, 0),
     [("ng", 5), ("atomic-11", 8)], [("atomic-11", 3)], {"atomic-11": 8}, {"atomic-11": 3}, {}),
    ("empty&drain regular and multiple atomic nodes in same group exceeding drain limit", (0, 0),
     [("ng", 5), ("atomic-8", 5), ("atomic-11", 8)], [("atomic-11", 3), ("atomic-8", 3)],
     {"atomic-8": 5, "ng": 2}, {"atomic-8": 3}, {}),
    ("empty regular and drain atomic nodes exceeding overall limit", (0, 0), [("ng", 5)], [("atomic-8", 8)],
     {"ng": 2}, {"atomic-8": 8}, {}),
    ("empty&drain nodes exceeding drain limit, no deletions in progress", (0, 0), [("ng", 2)], [("ng2", 8)],
     {"ng": 2}, {"ng2": 5}, {}),
    ("empty&drain nodes with deletions in progress, 0 drain budget left", (0, 5), [("ng", 5)], [("ng2", 5)],
     {"ng": 5}, {}, {}),
    ("empty&drain nodes with deletions in progress, drain budget exceeded (sanity check)", (0, 9), [("ng", 5)],
     [("ng2", 5)], {"ng": 1}, {}, {}),
    ("empty&drain nodes with deletions in progress, overall budget exceeded, only empty nodes fit", (5, 3),
     [("ng", 5)], [("ng2", 2)], {"ng": 2}, {}, {}),
    ("empty&drain nodes with deletions in progress, overall budget exceeded, both empty&drain nodes fit", (5, 3),
     [("ng", 1)], [("ng2", 2)], {"ng": 1}, {"ng2": 1}, {}),
    ("empty&drain nodes with deletions in progress, drain budget exceeded", (1, 3), [("ng", 4)], [("ng2", 5)],
     {"ng": 4}, {"ng2": 2}, {}),
    ("empty&drain regular and atomic nodes with deletions in progress, overall budget exceeded, only empty atomic "
     "is deleted", (5, 2), [("ng", 4), ("atomic-4", 4)], [("ng2", 4), ("atomic-3", 3)], {"atomic-4": 4}, {}, {}),
    ("empty&drain regular and atomic nodes in same group with deletions in progress, overall budget exceeded, both "
     "empty&drain atomic nodes fit", (5, 2), [("ng", 4), ("atomic-4", 2)], [("ng2", 4), ("atomic-4", 2)],
     {"atomic-4": 2}, {"atomic-4": 2}, {}),
    ("empty&drain regular and atomic nodes in same group with deletions in progress, both empty&drain nodes fit",
     (2, 2), [("ng", 4), ("atomic-4", 2)], [("ng2", 4), ("atomic-4", 2)], {"atomic-4": 2, "ng": 2},
     {"atomic-4": 2}, {}),
])
def test_crop_nodes_to_budgets(case, in_progress, empty, drain, want_empty, want_drain, registered):
    """What atomic groups take (an overflow included) leaves the single
    nodes only the rest of both budgets, and single nodes to drain get at
    most what the parallelism budget leaves after the empty ones."""
    verdicts, since = _mixed(empty, drain)
    groups = {v.group for v in verdicts}
    atomic = {g for g in groups if g.startswith("atomic-")}
    sizes = {g: int(g.split("-")[1]) if g in atomic else 100 for g in groups}
    whole, single = plan_removals(verdicts, since, NOW, atomic=atomic, sizes=sizes, min_sizes={},
                                  registered={**sizes, **registered}, parallelism=10 - sum(in_progress),
                                  drain_budget=5 - in_progress[1])
    got_empty = _counts([n for e, _ in whole.groups.values() for n in e] + list(single.empty))
    got_drain = _counts([n for _, d in whole.groups.values() for n in d] + list(single.drain))
    assert (got_empty, got_drain) == (want_empty, want_drain)


# -- prefilterIncompleteAtomicNodeGroups (core/scaledown/planner/planner.go) -------------------------------------

def cand(name, group):
    return Candidate(name, group, {}, [], ZERO)


@pytest.mark.parametrize("n, target, registered, simulated", [
    (3, 3, 3, True), (2, 3, 3, False), (2, 3, 2, True), (4, 3, 4, True),
])
def test_prefilter_incomplete(n, target, registered, simulated):
    cands = [cand(f"s-{i}", "s") for i in range(n)] + [cand("x-0", "x")]
    kept, failed = prefilter_incomplete(cands, {"s"}, {"s": target, "x": 5}, {"s": registered, "x": 5})
    assert [c.name for c in kept] == ([c.name for c in cands] if simulated else ["x-0"])
    assert all(v.reason == "AtomicScaleDownFailed" for v in failed) and len(failed) == (0 if simulated else n)


# -- the move simulation takes an atomic group as a unit (planner.go: simulateAtomicNodeGroup) --------------------

def node(name, cpu="4"):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {}},
            "status": {"capacity": {"cpu": cpu, "memory": "16Gi", "pods": "110"},
                       "allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}}}


RS = ("ReplicaSet", "web")


def simulate(groups, bound, atomic):
    parse = PodParser()
    nodes = [node(n) for n in groups]
    sched = build_scheduler(nodes, bound, parse)
    cands = []
    for n in nodes:
        name = n["metadata"]["name"]
        reqs = [parse(p).requests for p in bound.get(name, [])]
        cpu = Fraction(sum(r.get("cpu", 0) for r in reqs), 4000)
        cands.append(Candidate(name, groups[name], n, bound.get(name, []), Utilization(cpu, Fraction(0))))
    return {v.node: v for v in find_unneeded(cands, sched, parse, threshold=0.5, pdbs=[],
                                             budgets=RemainingBudgets([], {}), controller_exists=lambda p: True,
                                             now=0.0, atomic=atomic)}


BOUND = {"a1": [pod("p1", node="a1", cpu="1", owner=RS)],
         "a2": [pod("p2", node="a2", cpu="3600m", owner=RS)],              # busy: not underutilized
         "x": [pod("p3", node="x", cpu="1900m", owner=RS)],
         "d": [pod("p4", node="d", cpu="2", owner=RS)]}
GROUPS = {"a1": "slice", "a2": "slice", "x": "g", "d": "g"}


def test_an_atomic_group_with_an_unremovable_node_undoes_the_others_moves():
    v = simulate(GROUPS, BOUND, {"slice"})
    assert (v["a2"].reason, v["a1"].reason) == ("NotUnderutilized", "AtomicScaleDownFailed")
    assert "a2 cannot be removed: NotUnderutilized" in v["a1"].message
    # a1 and its pod are back in the snapshot: x's pod finds room (one by one, a1's pod took it)
    assert v["x"].unneeded


def test_without_atomic_the_same_nodes_are_judged_one_by_one():
    v = simulate(GROUPS, BOUND, set())
    assert v["a1"].unneeded and v["a2"].reason == "NotUnderutilized" and v["x"].reason == "NoPlaceToMovePods"


def test_an_atomic_group_whose_nodes_all_move_is_unneeded_together():
    bound = {**BOUND, "a2": [pod("p2", node="a2", cpu="200m", owner=RS)]}
    v = simulate(GROUPS, bound, {"slice"})
    assert v["a1"].unneeded and v["a2"].unneeded


# -- end to end ------------------------------------------------------------------------------------------------------

def pending(cp):
    return [x for x in live_pods(cp) if not x["spec"].get("nodeName")]


def test_an_atomic_group_scales_up_to_its_max_and_down_whole():
    """One pending pod brings the whole slice (0 -> 4).  When the pod goes,
    the four empty nodes are removed together once unneeded long enough."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0, scale_down_unneeded_time=60.0)
    cp, ca, _, (s,) = cluster([("slice", 0, 4, SLICE, {"options": ATOMIC})], options=opts)
    cp.store.create(deployment("train", 1, cpu="1", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    (d,) = ca.decisions
    assert (d["action"], d["from"], d["to"], len(d["nodes"])) == ("ScaleUp", 0, 4, 4)
    (ev,) = [e for e in events(cp, "TriggeredScaleUp")]
    assert ev["message"] == "pod triggered scale-up: [{slice 0->4 (max: 4)}]"
    assert any(e["message"] == "Scale-up: setting group slice size to 4 instead of 0 (max: 4)"
               for e in events(cp, "ScaledUpGroup"))
    cp.run_until(lambda: not pending(cp) and len(s.node_names()) == 4, max_sim_seconds=120)
    cp.clock.advance(300)
    settle(cp)
    assert len(s.node_names()) == 4                      # three empty nodes, one busy: none goes
    reasons = sorted(st.get("reason") for st in ca.status()["scaleDown"]["nodes"].values())
    assert reasons == ["AtomicScaleDownFailed"] * 3 + ["NoPlaceToMovePods"]    # its pod has nowhere else to go
    scale(cp, "train", 0)
    cp.run_until(lambda: s.node_names() == [], max_sim_seconds=300)
    removals = [x for x in ca.decisions if x["action"] == "ScaleDown"]
    assert len(removals) == 4 and len({x["time"] for x in removals}) == 1   # one scan, one batch


def test_an_atomic_group_past_max_nodes_total_is_not_scaled_up():
    opts = AutoscalerOptions(expander="least-waste", max_nodes_total=3)
    cp, ca, _, _ = cluster([("slice", 0, 4, SLICE, {"options": ATOMIC})], options=opts)
    cp.store.create(deployment("train", 1, cpu="1", memory="1Gi"))
    cp.run_until(lambda: bool(events(cp, "NotTriggerScaleUp")), max_sim_seconds=60)
    assert ca.decisions == []
    (ev,) = events(cp, "NotTriggerScaleUp")
    assert ev["message"] == "pod didn't trigger scale-up: 1 atomic scale-up exceeds cluster node count limit"


def test_a_refused_eviction_keeps_the_whole_atomic_group():
    """Both nodes of a slice are unneeded (slice-1's pod fits on ``big``),
    but the eviction of that pod is refused (two budgets cover it): neither
    node is deleted, both are untainted, and both get ``ScaleDownFailed``
    with CA's ``CleanUpAndRecordFailedScaleDownEvent`` text: slice-1 its own
    error, slice-0 (empty) ``couldn't scale down other nodes in this node
    group`` (``scale down failed for node group as a whole`` is only CA's
    log line)."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0, scale_down_unneeded_time=60.0)
    cp, ca, _, (s, _) = cluster([("slice", 0, 2, SLICE, {"options": ATOMIC}), ("big", 1, 1, SLICE, {})],
                                options=opts, initial={"slice": 2, "big": 1})
    cp.store.create(pod("anchor", node="big-0", cpu="3"))                    # big-0 is busy: not a candidate
    cp.store.create(pod("w", node="slice-1", cpu="500m", labels={"app": "web"},
                        annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}))
    for name in ("one", "two"):
        cp.store.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                         "metadata": {"name": name, "namespace": "default"},
                         "spec": {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 0}})
    cp.run_until(lambda: any(x["action"] == "ScaleDownFailed" for x in ca.decisions), max_sim_seconds=600)
    failed = {x["node"]: x["message"] for x in ca.decisions if x["action"] == "ScaleDownFailed"}
    assert failed["slice-0"] == "couldn't scale down other nodes in this node group"
    assert failed["slice-1"].startswith("failed to evict pod default/w")
    messages = {e["involvedObject"]["name"]: e["message"] for e in events(cp, "ScaleDownFailed")}
    assert messages["slice-0"] == "failed to delete empty node: couldn't scale down other nodes in this node group"
    assert messages["slice-1"].startswith("failed to drain and delete node: failed to evict pod default/w")
    assert s.node_names() == ["slice-0", "slice-1"]
    assert {x["metadata"]["name"]: x["spec"]["nodeName"] for x in live_pods(cp)} == {"anchor": "big-0", "w": "slice-1"}
    for name in s.node_names():
        assert not (cp.store.get("Node", None, name)["spec"].get("taints") or [])
    assert {e["involvedObject"]["name"] for e in events(cp, "ScaleDownFailed")} == {"slice-0", "slice-1"}
