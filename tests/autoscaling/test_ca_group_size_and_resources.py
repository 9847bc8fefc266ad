"""Node groups whose size is off, per-group options and GPU nodes whose
devices are not ready (cluster-autoscaler's ``updateIncorrectNodeGroupSizes``
and ``fixNodeGroupSize``, ``NodeGroup.GetOptions`` and the node group config
processor, ``GpuCustomResourcesProcessor.FilterOutNodesWithUnreadyResources``
and the ``ResourceUnready`` readiness class): pure tables, transcribed from
upstream's tests where they exist, then end to end on simulated nodes."""

from __future__ import annotations

import pytest
from ca_builders import cluster, deployment, events, live_pods, pod, settle

from kubekit.autoscaling.cluster import AutoscalerOptions, FleetProvider, NodeGroup
from kubekit.autoscaling.cluster.clusterstate import (
    MAX_NODE_STARTUP_TIME, IncorrectNodeGroupSize, Readiness, cluster_healthy, group_healthy,
    incorrect_node_group_sizes, node_group_size_fix, readiness, upcoming_nodes,
)
from kubekit.autoscaling.cluster.customresources import expects_gpu, has_unready_gpu
from kubekit.autoscaling.cluster.nodegroupconfig import hold_not_unneeded_long_enough, split_by_utilization
from kubekit.autoscaling.cluster.options import NodeGroupAutoscalingOptions
from kubekit.autoscaling.cluster.scaledown import Candidate, NodeVerdict, Utilization
from kubekit.clock import FakeClock
from kubekit.node.simulated import NodeTemplate, SimulatedFleet
from kubekit.store import APIStore

NOW = 10_000.0
HOUR, MINUTE = 3600.0, 60.0
SMALL = NodeTemplate(cpu="4", memory="16Gi")
GPU = NodeTemplate(cpu="8", memory="32Gi", extended={"nvidia.com/gpu": "1"})


# -- updateIncorrectNodeGroupSizes (clusterstate_test.go: TestUpdateIncorrectNodeGroupSizes) ----------------------

def r(registered=0, unregistered=0, long_unregistered=0):
    return Readiness(registered=tuple(f"n{i}" for i in range(registered)),
                     unregistered=tuple(f"u{i}" for i in range(unregistered)),
                     long_unregistered=tuple(f"l{i}" for i in range(long_unregistered)))


def ins(current, expected, first):
    return IncorrectNodeGroupSize(expected_size=expected, current_size=current, first_observed=first)


@pytest.mark.parametrize("groups, previous, want", [
    pytest.param({"ng1": (r(10), 10), "ng2": (r(20), 20)}, {}, {}, id="node groups with correct sizes"),
    pytest.param({"ng1": (r(10), 10), "ng2": (r(20), 20)},
                 {"ng1": ins(8, 10, NOW - HOUR), "ng2": ins(15, 20, NOW - MINUTE)}, {},
                 id="node groups with correct sizes after not being correct sized"),
    pytest.param({"ng1": (r(8), 10), "ng2": (r(15), 20)}, {},
                 {"ng1": ins(8, 10, NOW), "ng2": ins(15, 20, NOW)}, id="node groups below the target size"),
    pytest.param({"ng1": (r(12), 10), "ng2": (r(25), 20)}, {},
                 {"ng1": ins(12, 10, NOW), "ng2": ins(25, 20, NOW)}, id="node groups above the target size"),
    pytest.param({"ng1": (r(8), 10), "ng2": (r(15), 20)},
                 {"ng1": ins(7, 10, NOW - HOUR), "ng2": ins(14, 20, NOW - MINUTE)},
                 {"ng1": ins(8, 10, NOW), "ng2": ins(15, 20, NOW)},
                 id="node groups below the target size with changed delta"),
    pytest.param({"ng1": (r(8), 10), "ng2": (r(15), 20)},
                 {"ng1": ins(8, 10, NOW - HOUR), "ng2": ins(15, 20, NOW - MINUTE)},
                 {"ng1": ins(8, 10, NOW - HOUR), "ng2": ins(15, 20, NOW - MINUTE)},
                 id="node groups below the target size with the same delta"),
    pytest.param({"ng1": (r(8, unregistered=2), 10), "ng2": (r(15, unregistered=3), 20)}, {},
                 {"ng2": ins(15, 20, NOW)}, id="node groups below the target size with short unregistered nodes"),
    pytest.param({"ng1": (r(8, long_unregistered=2), 10), "ng2": (r(15, long_unregistered=3), 20)}, {},
                 {"ng2": ins(15, 20, NOW)}, id="node groups below the target size with long unregistered nodes"),
    pytest.param({"ng1": (r(8, 1, 1), 10), "ng2": (r(15, 2, 2), 20)}, {},
                 {"ng2": ins(15, 20, NOW)}, id="node groups below the target size with various unregistered nodes"),
    # kubekit's own: a group with nothing registered or awaited has no readiness, never an incorrect size
    pytest.param({"ng1": (None, 3)}, {"ng1": ins(0, 3, NOW - HOUR)}, {}, id="no readiness"),
    # a scale-up raises the target: the difference is a new one, its clock starts over
    pytest.param({"ng1": (r(1), 5)}, {"ng1": ins(1, 3, NOW - HOUR)}, {"ng1": ins(1, 5, NOW)},
                 id="a new scale-up changes the expected size"),
])
def test_update_incorrect_node_group_sizes(groups, previous, want):
    assert incorrect_node_group_sizes(previous, groups, NOW) == want


@pytest.mark.parametrize("incorrect, limit, delta", [
    (None, 900.0, 0),
    (ins(1, 3, NOW - 899), 900.0, 0),                # not for long enough
    (ins(1, 3, NOW - 900), 900.0, 0),                # FirstObserved.Add(max).Before(now): strictly
    (ins(1, 3, NOW - 901), 900.0, -2),               # short by two: decrease by two
    (ins(1, 3, NOW - 61), 60.0, -2),                 # the group's own provision time
    (ins(5, 3, NOW - HOUR), 900.0, 0),               # above its target: left alone
])
def test_fix_node_group_size(incorrect, limit, delta):
    assert node_group_size_fix(incorrect, NOW, limit) == delta


# -- GetUpcomingNodes ----------------------------------------------------------------------------------------------

def g(ready=0, unready=0, not_started=0, long_unregistered=0, unregistered=0):
    return Readiness(ready=tuple(f"r{i}" for i in range(ready)), unready=tuple(f"x{i}" for i in range(unready)),
                     not_started=tuple(f"s{i}" for i in range(not_started)),
                     long_unregistered=tuple(f"l{i}" for i in range(long_unregistered)),
                     unregistered=tuple(f"u{i}" for i in range(unregistered)))


@pytest.mark.parametrize("readiness_, target, want", [
    (None, 0, (0, ())),
    (None, 3, (3, ())),                                            # nothing registered yet
    (g(ready=1, not_started=2), 3, (2, ("s0", "s1"))),
    (g(ready=1, unready=1, not_started=1, unregistered=1, long_unregistered=1), 5, (2, ("s0",))),
    (g(ready=3, not_started=1), 3, (0, ())),                       # none to come: nothing registered is upcoming
])
def test_upcoming_nodes(readiness_, target, want):
    assert upcoming_nodes(readiness_, target) == want


# -- ResourceUnready (gpu_processor_test.go: TestFilterOutNodesWithUnreadyResources) ------------------------------

def node(allocatable=None):
    return {"metadata": {"name": "n"}, "status": {"allocatable": allocatable} if allocatable is not None else {}}


@pytest.mark.parametrize("case, n, should_have_gpu, unready", [
    ("nodeGpuReady", node({"nvidia.com/gpu": "1"}), True, False),
    ("nodeGpuUnready", node({"nvidia.com/gpu": "0"}), True, True),
    ("nodeGpuUnready2", node(), True, True),                          # no allocatable at all
    ("nodeDirectXReady", node({"microsoft.com/directx": "1"}), True, False),
    ("nodeDirectXUnready", node({"microsoft.com/directx": "0"}), True, True),
    ("nodeNoGpuReady", node(), False, False),                         # no GPU expected
    ("cpu only", node({"cpu": "8"}), True, True),
])
def test_a_node_that_should_have_gpus_but_has_none_allocatable_is_resource_unready(case, n, should_have_gpu, unready):
    assert has_unready_gpu(n, should_have_gpu) is unready


@pytest.mark.parametrize("capacity, gpu", [
    ({"nvidia.com/gpu": "8"}, True), ({"microsoft.com/directx": 1}, True), ({"nvidia.com/gpu": "0"}, False),
    ({}, False), ({"example.com/fpga": "1"}, False),
])
def test_a_template_with_gpus_expects_them(capacity, gpu):
    assert expects_gpu(capacity) is gpu


def test_resource_unready_nodes_are_not_started_then_unready_and_counted_apart():
    old = NOW - MAX_NODE_STARTUP_TIME - 1
    nodes = [("gpu-young", False, False, NOW - 60, True), ("gpu-old", False, False, old, True),
             ("broken", False, False, old), ("ok", True, False, 0.0, False)]
    got = readiness(nodes, [], NOW)
    assert got.not_started == ("gpu-young",) and got.unready == ("gpu-old", "broken")
    assert got.resource_unready == ("gpu-old",) and got.ready == ("ok",)
    assert got.counts() == {"registered": 4, "ready": 1, "notStarted": 1, "beingDeleted": 0, "unready": 2,
                            "resourceUnready": 1, "unregistered": 0, "longUnregistered": 0}


def test_resource_unready_nodes_count_as_unready_for_health():
    four = Readiness(unready=("a", "b", "c", "d"), resource_unready=("a", "b", "c", "d"))
    assert not cluster_healthy(four, 4)                       # IsClusterHealthy counts Unready, these among them
    assert not group_healthy(Readiness(unready=four.unready, resource_unready=four.resource_unready), 4, 0)


def test_each_unregistered_node_uses_its_groups_provision_time():
    got = readiness([], [("fast", NOW - 61, 60.0), ("slow", NOW - 61, 900.0), ("default", NOW - 901)], NOW)
    assert got.long_unregistered == ("fast", "default") and got.unregistered == ("slow",)


# -- per-group options (GetOptions, the node group config processor) ----------------------------------------------

def test_a_group_option_overrides_the_global_one_and_none_falls_back():
    defaults = AutoscalerOptions(max_node_provision_time=900.0, scale_down_unneeded_time=600.0)
    own = NodeGroupAutoscalingOptions(max_node_provision_time=60.0, ignore_daemonsets_utilization=True)
    assert own.resolve(defaults) == NodeGroupAutoscalingOptions(
        scale_down_utilization_threshold=0.5, scale_down_gpu_utilization_threshold=0.5, scale_down_unneeded_time=600.0,
        scale_down_unready_time=1200.0, max_node_provision_time=60.0, ignore_daemonsets_utilization=True,
        zero_or_max_node_scaling=False)
    assert NodeGroup("a", 0, 1, SMALL).get_options(defaults) == NodeGroupAutoscalingOptions().resolve(defaults)
    assert NodeGroup("a", 0, 1, SMALL, options=own).get_options(defaults).max_node_provision_time == 60.0


@pytest.mark.parametrize("kw", [{"scale_down_utilization_threshold": 1.5}, {"max_node_provision_time": 0},
                                {"scale_down_unneeded_time": -1}])
def test_group_options_are_checked(kw):
    with pytest.raises(ValueError):
        NodeGroupAutoscalingOptions(**kw)


def cand(name, group, util):
    from fractions import Fraction
    return Candidate(name, group, {}, [], Utilization(Fraction(util), Fraction(0)))


def test_each_group_has_its_own_utilization_threshold():
    over, under = split_by_utilization([cand("a-0", "a", "3/5"), cand("b-0", "b", "3/5"), cand("b-1", "b", "1/5")],
                                       {"a": 0.7, "b": 0.5})
    assert [c.name for c in under] == ["a-0", "b-1"]
    (v,) = over
    assert (v.node, v.unneeded, v.reason, v.message) == ("b-0", False, "NotUnderutilized",
                                                         "utilization 0.600 is above 0.500")


def test_each_group_has_its_own_unneeded_time():
    u = Utilization(0, 0)
    verdicts = [NodeVerdict("a-0", "a", u, True), NodeVerdict("b-0", "b", u, True), NodeVerdict("b-1", "b", u, False)]
    kept, held = hold_not_unneeded_long_enough(verdicts, {"a-0": NOW - 120, "b-0": NOW - 120}, NOW,
                                               {"a": 60.0, "b": 600.0})
    assert [v.node for v in kept] == ["a-0", "b-1"] and held == {"b-0": "NotUnneededLongEnough"}


# -- a cloud that accepts a target size it never fulfils -----------------------------------------------------------

def test_a_silent_limit_holds_the_target_size_without_instances_and_only_those_can_be_decreased():
    clock = FakeClock()
    provider = FleetProvider(SimulatedFleet(APIStore(clock=clock), clock))
    grp = NodeGroup("a", 0, 5, SMALL, provider=provider)
    provider.limit("a", 1, silent=True)
    assert provider.increase_size(grp, 3) == ["a-0"]
    assert (grp.node_names(), grp.instance_errors(), provider.requested(grp), grp.target_size()) == (["a-0"], {}, 2, 3)
    with pytest.raises(ValueError, match="desired 6, max 5"):
        provider.increase_size(grp, 3)
    with pytest.raises(ValueError, match="attempt to delete existing nodes"):
        grp.decrease_target_size(-3)
    grp.decrease_target_size(-2)
    assert (provider.requested(grp), grp.target_size(), grp.node_names()) == (0, 1, ["a-0"])
    with pytest.raises(ValueError, match="fixed"):
        NodeGroup.fixed("local", ["h"]).decrease_target_size(-1)


# -- end to end ------------------------------------------------------------------------------------------------------

def pending(cp):
    return [p for p in live_pods(cp) if not p["spec"].get("nodeName")]


def test_a_group_short_of_its_target_for_longer_than_the_provision_time_has_its_target_decreased():
    """The cloud accepts a resize to 3 but creates nothing (a quota it does
    not report): the target holds two requests no instance stands for.
    The size is incorrect from the next scan; the scale-up times out after
    the provision time (backoff), and the scan after the difference has
    been there for longer than the provision time decreases the target by
    two (``fixNodeGroupSize``) and decides nothing else."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_enabled=False)
    cp, ca, provider, (small,) = cluster([("small", 0, 10, SMALL, {})], options=opts, initial={"small": 1})
    provider.limit("small", 0, silent=True)
    cp.store.create(deployment("web", 3, cpu="3", memory="1Gi"))             # one per node: 3 nodes
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    asked = cp.clock.monotonic()
    assert [(d["from"], d["to"]) for d in ca.decisions] == [(1, 3)] and small.target_size() == 3
    cp.run_until(lambda: "small" in ca.incorrect_sizes, max_sim_seconds=30)
    first = ca.incorrect_sizes["small"]
    assert (first.expected_size, first.current_size) == (3, 1)
    (st,) = ca.status()["nodeGroups"]
    assert st["size"] == 3 and st["incorrectSize"]["expectedSize"] == 3 and st["incorrectSize"]["currentSize"] == 1
    assert st["incorrectSize"]["firstObserved"] == ca.status()["time"]
    # the two requests are upcoming for the simulation: no second scale-up for the two pending pods
    cp.run_until(lambda: bool(events(cp, "ScaleUpTimedOut")), max_sim_seconds=1200)
    assert 900 <= cp.clock.monotonic() - asked <= 920
    assert [d["action"] for d in ca.decisions] == ["ScaleUp"] and ca.incorrect_sizes["small"] == first
    cp.run_until(lambda: len(ca.decisions) == 2, max_sim_seconds=120)
    fix = ca.decisions[-1]
    assert (fix["action"], fix["group"], fix["from"], fix["to"]) == ("FixNodeGroupSize", "small", 3, 1)
    assert cp.clock.monotonic() > first.first_observed + 900
    assert small.target_size() == 1 and provider.requested(small) == 0 and len(pending(cp)) == 2
    fixed_at = cp.clock.monotonic()
    cp.run_until(lambda: cp.clock.monotonic() > fixed_at + 20, max_sim_seconds=60)
    assert "small" not in ca.incorrect_sizes and "incorrectSize" not in ca.status()["nodeGroups"][0]
    assert ca.backoff.is_backed_off("small", cp.clock.monotonic())          # the timeout's backoff holds


def test_a_groups_own_provision_time_times_its_scale_up_out_and_removes_its_unregistered_nodes():
    opts = AutoscalerOptions(expander="least-waste", max_node_provision_time=900.0)
    own = NodeGroupAutoscalingOptions(max_node_provision_time=60.0)
    cp, ca, _, (slow,) = cluster([("slow", 0, 10, SMALL, {"boot_seconds": 600, "options": own})], options=opts)
    cp.store.create(deployment("web", 1, cpu="1", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    asked = cp.clock.monotonic()
    assert ca.scale_up_requests["slow"][1] == asked + 60.0
    cp.run_until(lambda: bool(events(cp, "ScaleUpTimedOut")), max_sim_seconds=300)
    assert 60 < cp.clock.monotonic() - asked <= 80
    (ev,) = events(cp, "ScaleUpTimedOut")
    assert ev["message"].startswith("Nodes added to group slow failed to register within 1m")
    cp.run_until(lambda: bool(events(cp, "DeleteUnregistered")), max_sim_seconds=60)
    assert cp.clock.monotonic() - asked <= 90 and slow.upcoming() == []


def test_a_node_past_its_groups_provision_time_is_long_unregistered():
    """At its min size the group keeps the node that has not registered
    (``removeOldUnregisteredNodes`` skips it): past the group's 60 s it is
    long unregistered; the global 900 s would not have it so yet."""
    own = NodeGroupAutoscalingOptions(max_node_provision_time=60.0)
    cp, ca, _, (slow,) = cluster([("slow", 1, 5, SMALL, {"boot_seconds": 600, "options": own})], initial={"slow": 1})
    cp.run_until(lambda: bool(ca.status()), max_sim_seconds=30)
    assert ca.status()["nodeGroups"][0]["health"]["nodeCounts"]["unregistered"] == 1
    cp.clock.advance(61)
    settle(cp)
    counts = ca.status()["nodeGroups"][0]["health"]["nodeCounts"]
    assert (counts["unregistered"], counts["longUnregistered"]) == (0, 1)
    assert ca.status()["clusterWide"]["health"]["nodeCounts"]["longUnregistered"] == 1
    assert slow.upcoming() == ["slow-0"] and not events(cp, "DeleteUnregistered")


def test_a_long_unregistered_node_is_not_upcoming_and_a_pending_pod_scales_the_group_up():
    """``GetUpcomingNodes``: target (1) less ready, unready and
    long-unregistered (1) is 0 nodes to come, so no template node stands in
    for the node that never boots and the pending pod triggers a scale-up
    (the group is at its min size: the node is kept, not removed)."""
    own = NodeGroupAutoscalingOptions(max_node_provision_time=60.0)
    cp, ca, _, (slow,) = cluster([("slow", 1, 5, SMALL, {"boot_seconds": 100000, "options": own})],
                                 initial={"slow": 1})
    cp.run_until(lambda: bool(ca.status()), max_sim_seconds=30)
    cp.clock.advance(61)
    settle(cp)
    assert ca.status()["nodeGroups"][0]["health"]["nodeCounts"]["longUnregistered"] == 1
    cp.store.create(deployment("web", 1, cpu="1", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=120)
    (d,) = [d for d in ca.decisions if d["action"] == "ScaleUp"]
    assert (d["group"], d["from"], d["to"]) == ("slow", 1, 2)
    assert ca.status()["scaleUp"]["schedulableOnExistingNodes"] == 0


def test_a_group_can_leave_daemonset_pods_out_of_its_utilization():
    own = NodeGroupAutoscalingOptions(ignore_daemonsets_utilization=True)
    cp, ca, _, _ = cluster([("lean", 0, 5, SMALL, {"options": own}), ("full", 0, 5, SMALL, {})],
                           initial={"lean": 1, "full": 1})
    for n in ("lean-0", "full-0"):
        cp.store.create(pod(f"agent-{n}", cpu="1", memory="1Gi", node=n, owner=("DaemonSet", "agent")))
    cp.clock.advance(20)
    settle(cp)
    nodes = ca.status()["scaleDown"]["nodes"]
    assert (nodes["lean-0"]["utilization"], nodes["full-0"]["utilization"]) == (0.0, 0.25)


def test_a_group_with_its_own_threshold_and_unneeded_time_scales_down_on_them():
    """A node in each group at 0.625 utilization: ``keen`` (threshold 0.7,
    unneeded time 60 s) loses its node after a minute, its pod moving to
    ``plain``'s; ``plain`` (the global 0.5) keeps its own: not
    underutilized."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0)
    keen = NodeGroupAutoscalingOptions(scale_down_utilization_threshold=0.7, scale_down_unneeded_time=60.0)
    big = NodeTemplate(cpu="8", memory="32Gi")
    cp, ca, _, (g_keen, g_plain) = cluster([("keen", 0, 5, SMALL, {"options": keen}), ("plain", 0, 5, big, {})],
                                           options=opts, initial={"keen": 1, "plain": 1})
    cp.store.create(deployment("db", 1, cpu="5", memory="1Gi",
                               node_selector={"autoscaling.kubekit.io/node-group": "plain"}))   # 5 of 8 cpu
    cp.store.create(deployment("web", 1, cpu="2500m", memory="1Gi"))                            # 2.5 of 4 cpu
    cp.run_until(lambda: len(live_pods(cp)) == 2 and not pending(cp), max_sim_seconds=60)
    assert sorted(p["spec"]["nodeName"] for p in live_pods(cp)) == ["keen-0", "plain-0"]
    start = cp.clock.monotonic()
    cp.run_until(lambda: g_keen.node_names() == [], max_sim_seconds=600)
    assert 60 <= cp.clock.monotonic() - start <= 90                 # keen's 60 s, not the global 600 s
    assert g_plain.node_names() == ["plain-0"]
    cp.run_until(lambda: len(live_pods(cp)) == 2 and not pending(cp), max_sim_seconds=60)
    assert {p["spec"]["nodeName"] for p in live_pods(cp)} == {"plain-0"}
    cp.clock.advance(20)
    settle(cp)
    plain = ca.status()["scaleDown"]["nodes"]["plain-0"]
    assert (plain["reason"], plain["message"]) == ("NotUnderutilized", "utilization 0.938 is above 0.500")


def gpu_zero(cp, name):
    """The node registered, its GPU driver not installed yet: no GPU allocatable."""
    def edit(cur):
        cur["status"]["allocatable"]["nvidia.com/gpu"] = "0"
        return cur
    cp.store.guaranteed_update("Node", None, name, edit, status=True)


def gpu_deployment(name, replicas):
    d = deployment(name, replicas, cpu="1", memory="1Gi")
    resources = d["spec"]["template"]["spec"]["containers"][0]["resources"]
    resources["requests"]["nvidia.com/gpu"] = "1"
    resources["limits"] = {"nvidia.com/gpu": "1"}          # an extended resource is requested by its limit
    return d


def test_a_gpu_node_without_allocatable_gpus_is_upcoming_then_resource_unready():
    """A GPU node registered ready but its GPU is not allocatable yet.  For
    its first 15 min it is *not started*: the scale-up simulation stands
    its template (with the GPU) in for it, so a pending GPU pod waits for it
    instead of triggering a scale-up, and scale-down leaves the empty node
    alone.  Past 15 min it is *unready* and *resource unready*: the pod
    then brings a new node."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0, scale_down_unneeded_time=60.0)
    cp, ca, _, _ = cluster([("gpu", 0, 5, GPU, {})], options=opts, initial={"gpu": 1})
    gpu_zero(cp, "gpu-0")
    cp.store.create(gpu_deployment("train", 1))
    cp.run_until(lambda: bool(ca.status()), max_sim_seconds=30)
    cp.clock.advance(600)
    settle(cp)
    st = ca.status()
    assert st["nodeGroups"][0]["health"]["nodeCounts"]["notStarted"] == 1
    assert st["clusterWide"]["health"]["nodeCounts"]["ready"] == 0
    assert ca.decisions == [] and len(pending(cp)) == 1                      # waits for gpu-0
    assert "gpu-0" not in st["scaleDown"].get("nodes", {})                   # not a scale-down candidate
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=400)
    assert cp.clock.monotonic() >= MAX_NODE_STARTUP_TIME
    st = ca.status()
    counts = st["nodeGroups"][0]["health"]["nodeCounts"]
    assert (counts["unready"], counts["resourceUnready"], counts["notStarted"]) == (1, 1, 0)
    assert st["clusterWide"]["health"]["nodeCounts"]["resourceUnready"] == 1
    assert [(d["action"], d["from"], d["to"]) for d in ca.decisions] == [("ScaleUp", 1, 2)]
    cp.run_until(lambda: not pending(cp), max_sim_seconds=60)
    assert live_pods(cp)[0]["spec"]["nodeName"] == "gpu-1"


def test_a_gpu_node_whose_gpu_comes_up_is_ready_and_takes_the_pod():
    cp, ca, _, _ = cluster([("gpu", 0, 5, GPU, {})], options=AutoscalerOptions(expander="least-waste"),
                                initial={"gpu": 1})
    gpu_zero(cp, "gpu-0")
    cp.store.create(gpu_deployment("train", 1))
    cp.clock.advance(120)
    settle(cp)
    assert len(pending(cp)) == 1 and ca.decisions == []

    def installed(cur):
        cur["status"]["allocatable"]["nvidia.com/gpu"] = "1"
        return cur
    cp.store.guaranteed_update("Node", None, "gpu-0", installed, status=True)
    cp.run_until(lambda: not pending(cp), max_sim_seconds=120)
    assert ca.decisions == [] and live_pods(cp)[0]["spec"]["nodeName"] == "gpu-0"
    cp.run_until(lambda: ca.status()["nodeGroups"][0]["health"]["nodeCounts"]["ready"] == 1, max_sim_seconds=30)
