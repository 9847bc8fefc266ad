"""Scale-down of unready nodes (``--scale-down-unready-time``,
``--scale-down-unready-enabled``) and of GPU nodes
(``--scale-down-gpu-utilization-threshold``), with their per-group
overrides: pure tables transcribed from cluster-autoscaler's own tests
(each table names its file), then end to end on simulated nodes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from ca_builders import cluster, deployment, events, live_pods, pod, settle

from kubekit.autoscaling.cluster import AutoscalerOptions, NodeGroup
from kubekit.autoscaling.cluster.customresources import node_gpu_resource
from kubekit.autoscaling.cluster.nodegroupconfig import (
    hold_not_unneeded_long_enough, removable_after, split_by_utilization,
)
from kubekit.autoscaling.cluster.options import NodeGroupAutoscalingOptions
from kubekit.autoscaling.cluster.scaledown import Candidate, NodeVerdict, select_removals
from kubekit.autoscaling.cluster.snapshot import PodParser
from kubekit.autoscaling.cluster.utilization import Utilization, calculate, split_pods
from kubekit.node.simulated import NodeTemplate
from kubekit.store.meta import parse_time, rfc3339

MINUTE = 60.0
NOW = 100_000.0
SMALL = NodeTemplate(cpu="4", memory="16Gi")
parse = PodParser()


# -- the node group config processor (processors/nodegroupconfig/node_group_config_processor_test.go:
#    TestDelegatingNodeGroupConfigProcessor; its "NodeGroup returns error" case has no counterpart: a
#    kubekit group's options cannot fail) ----------------------------------------------------------------------

GLOBAL = AutoscalerOptions(scale_down_unneeded_time=3 * MINUTE, scale_down_unready_time=4 * MINUTE,
                           scale_down_gpu_utilization_threshold=0.6, scale_down_utilization_threshold=0.5)
NG_OPTS = NodeGroupAutoscalingOptions(scale_down_unneeded_time=10 * MINUTE, scale_down_unready_time=11 * MINUTE,
                                      scale_down_gpu_utilization_threshold=0.85, scale_down_utilization_threshold=0.75)
WANT = {"GLOBAL": (3 * MINUTE, 4 * MINUTE, 0.5, 0.6), "NG": (10 * MINUTE, 11 * MINUTE, 0.75, 0.85)}


@pytest.mark.parametrize("case, options, want", [
    ("NodeGroup.GetOptions not implemented", None, "GLOBAL"),
    ("NodeGroup returns no value fallbacks to default", NodeGroupAutoscalingOptions(), "GLOBAL"),
    ("NodeGroup option overrides global default", NG_OPTS, "NG"),
])
def test_group_options_fall_back_to_the_flags(case, options, want):
    got = NodeGroup("ng", 0, 3, SMALL, options=options).get_options(GLOBAL)
    assert (got.scale_down_unneeded_time, got.scale_down_unready_time, got.scale_down_utilization_threshold,
            got.scale_down_gpu_utilization_threshold) == WANT[want]


def test_the_new_flags_have_upstreams_defaults_and_are_checked():
    o = AutoscalerOptions()
    assert (o.scale_down_unready_time, o.scale_down_unready_enabled, o.scale_down_gpu_utilization_threshold) == (
        20 * MINUTE, True, 0.5)
    assert NodeGroup("ng", 0, 1, SMALL).get_options(o).zero_or_max_node_scaling is False
    for bad in ({"scale_down_gpu_utilization_threshold": 1.5}, {"scale_down_unready_time": -1}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            AutoscalerOptions(**bad)
        with pytest.raises(ValueError, match=next(iter(bad))):
            NodeGroupAutoscalingOptions(**bad)


# -- removableAt: unneeded time for a ready node, unready time for an unready one (core/scaledown/unneeded/nodes.go)

@pytest.mark.parametrize("ready, since, unneeded, unready, held", [
    (True, NOW - 600, 600.0, 1200.0, "NotUnneededLongEnough"),    # !since.Add(t).Before(now): equal is not enough
    (True, NOW - 601, 600.0, 1200.0, None),
    (False, NOW - 601, 600.0, 1200.0, "NotUnreadyLongEnough"),    # unready: the unready time counts
    (False, NOW - 1200, 600.0, 1200.0, "NotUnreadyLongEnough"),
    (False, NOW - 1201, 600.0, 1200.0, None),
    (False, NOW - 61, 600.0, 60.0, None),                         # an unready time shorter than the unneeded one
    (True, NOW - 61, 600.0, 60.0, "NotUnneededLongEnough"),
])
def test_an_unready_node_waits_for_the_unready_time(ready, since, unneeded, unready, held):
    v = NodeVerdict("n", "g", Utilization(Fraction(0), Fraction(0)), True)
    kept, reasons = hold_not_unneeded_long_enough([v], {"n": since}, NOW, {"g": unneeded}, {"g": unready},
                                                  set() if ready else {"n"})
    assert reasons == ({} if held is None else {"n": held}) and len(kept) == (held is None)


# unneeded/nodes_test.go TestRemovableAt: test nodes carry no Ready condition, so they are unready; unneeded
# time 0, unready time 5 min, unneeded since 10 min ago; deletions in progress lower the group's size.
@pytest.mark.parametrize("name, num_empty, num_drain, min_size, target, ongoing, empty_to_remove, drain_to_remove", [
    ("Node group min size is not reached", 3, 2, 1, 10, 2, 3, 2),
    ("Node group min size is reached for drain nodes", 3, 5, 1, 10, 2, 3, 4),
    ("Node group min size is reached for empty and drain nodes", 3, 5, 1, 5, 2, 2, 0),
])
def test_removable_at(name, num_empty, num_drain, min_size, target, ongoing, empty_to_remove, drain_to_remove):
    u = Utilization(Fraction(0), Fraction(0))
    verdicts = [NodeVerdict(f"empty-{i}", "ng", u, True) for i in range(num_empty)] + \
        [NodeVerdict(f"drain-{i}", "ng", u, True, pods_to_move=(f"default/pod-{i}",)) for i in range(num_drain)]
    since = {v.node: NOW - 10 * MINUTE for v in verdicts}
    kept, held = hold_not_unneeded_long_enough(verdicts, since, NOW, {"ng": 0.0}, {"ng": 5 * MINUTE},
                                               {v.node for v in verdicts})
    assert held == {} and removable_after(False, 0.0, 5 * MINUTE) == (5 * MINUTE, "NotUnreadyLongEnough")
    r = select_removals(kept, since, NOW, unneeded_time=0.0, sizes={"ng": target - ongoing},
                        min_sizes={"ng": min_size}, max_empty_bulk_delete=100, max_drain_parallelism=100)
    assert (len(r.empty), len(r.drain)) == (empty_to_remove, drain_to_remove)
    assert set(r.reasons.values()) <= {"NodeGroupMinSizeReached"}


# -- eligibility (core/scaledown/eligibility/eligibility_test.go: TestFilterOutUnremovable; its deleted and
#    no-scale-down cases are filtered before utilization, in ClusterAutoscaler._candidates, its DRA cases have no
#    counterpart) ------------------------------------------------------------------------------------------------

REGULAR = {"cpu": 1000, "memory": 10}       # BuildTestNode("regular", 1000, 10)
BROKEN = {"cpu": 0, "memory": 0}            # BuildTestNode("regular", 0, 0): utilization can't be calculated


def _node(name):
    return {"metadata": {"name": name}, "status": {"allocatable": {"cpu": "1", "memory": "10"}}}


def regular_node_candidate(pods, ready=True, ignore_daemonsets=False, allocatable=REGULAR):
    counted, skipped = split_pods(pods, NOW, ignore_daemonsets=ignore_daemonsets)
    util = calculate(allocatable, [parse(p).requests for p in counted], [parse(p).requests for p in skipped])
    return Candidate("regular" if ready else "unready", "ng1", _node("regular"), pods, util, ready)


def _on_regular(name, cpu, owner=None):
    return pod(name, cpu=cpu, memory="0", node="regular", owner=owner)


BIG, SMALL_POD = _on_regular("bigPod", "600m"), _on_regular("smallPod", "100m")
DS = _on_regular("dsPod", "500m", owner=("DaemonSet", "ds"))


@pytest.mark.parametrize("desc, alloc, pods, ready, scale_down_unready, ignore_ds, threshold, want, reason", [
    ("regular node stays", REGULAR, [], True, True, False, 0.5, ["regular"], None),
    ("highly utilized node is filtered out", REGULAR, [BIG], True, True, False, 0.5, [], "NotUnderutilized"),
    ("underutilized node stays", REGULAR, [SMALL_POD], True, True, False, 0.5, ["regular"], None),
    ("node is filtered out if utilization can't be calculated", BROKEN, [SMALL_POD], True, True, False, 0.5, [],
     "UnexpectedError"),
    ("unready node stays", REGULAR, [], False, True, False, 0.5, ["unready"], None),
    ("unready node is filtered oud when scale-down of unready is disabled", REGULAR, [], False, False, False, 0.5, [],
     "ScaleDownUnreadyDisabled"),
    ("high utilization daemonsets node is filtered out, when ignore daemonsets utilization is disabled", REGULAR,
     [SMALL_POD, DS], True, True, False, 0.5, [], "NotUnderutilized"),
    ("high utilization daemonsets node stays, when ignore daemonsets utilization is enabled", REGULAR,
     [SMALL_POD, DS], True, True, True, 0.5, ["regular"], None),
    # utilization 0 at threshold 0: at or below the threshold is underutilized (upstream #8975)
    ("only daemonsets pods on this nodes, when ignore daemonsets utilization is enabled and scale down utilization "
     "threshold is set to 0", REGULAR, [DS], True, True, True, 0.0, ["regular"], None),
])
def test_filter_out_unremovable(desc, alloc, pods, ready, scale_down_unready, ignore_ds, threshold, want, reason):
    c = regular_node_candidate(pods, ready, ignore_ds, alloc)
    over, under = split_by_utilization([c], {"ng1": threshold}, {"ng1": 0.5},
                                       scale_down_unready_enabled=scale_down_unready)
    assert [u.name for u in under] == want
    assert [v.reason for v in over] == ([] if reason is None else [reason])


@pytest.mark.parametrize("value, cpu_threshold, gpu_threshold, under", [
    (Fraction(55, 100), 0.6, 0.5, False),      # the GPU threshold counts, not the cpu one
    (Fraction(55, 100), 0.5, 0.6, True),
    (Fraction(1, 2), 0.4, 0.5, True),          # at the threshold: underutilized (isNodeAtOrBelowUtilizationThreshold)
])
def test_a_gpu_node_is_judged_against_the_gpu_threshold(value, cpu_threshold, gpu_threshold, under):
    gpu = Candidate("g-0", "g", {}, [], Utilization(Fraction(0), Fraction(0), value, "nvidia.com/gpu"))
    cpu = Candidate("c-0", "g", {}, [], Utilization(value, Fraction(0)))
    over, got = split_by_utilization([gpu, cpu], {"g": cpu_threshold}, {"g": gpu_threshold})
    assert ("g-0" in [u.name for u in got]) is under
    assert ("c-0" in [u.name for u in got]) is (value <= Fraction(str(cpu_threshold)))
    if not under:
        (v,) = [v for v in over if v.node == "g-0"]
        assert (v.reason, v.message) == ("NotUnderutilized", f"utilization 0.550 is above {gpu_threshold:.3f}")


# -- utilization.Calculate (simulator/utilization/info_test.go: TestCalculate) ------------------------------------

TEST_TIME = parse_time("2020-12-18T17:00:00Z")


def p(name, cpu="100m", memory="200000", **kw):
    return pod(name, cpu=cpu, memory=memory, node="node1", **kw)


def no_requests(name):
    out = p(name)
    out["spec"]["containers"][0]["resources"] = {}
    return out


def with_init_containers():
    out = p("p-init")
    out["spec"]["initContainers"] = [
        {"name": "sidecar", "image": "x", "restartPolicy": "Always",
         "resources": {"requests": {"cpu": "50m", "memory": "100000"}}},
        {"name": "init", "image": "x", "resources": {"requests": {"cpu": "5m", "memory": "100"}}}]
    return out


def with_large_init_container():
    out = p("p-large-init")
    out["spec"]["initContainers"] = [
        {"name": "init", "image": "x", "resources": {"requests": {"cpu": "50", "memory": "100000000"}}}]
    return out


def gpu_pod():
    out = p("gpu_pod")
    out["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m", "memory": "200000", "nvidia.com/gpu": "1"},
                                                 "limits": {"nvidia.com/gpu": "1"}}
    return out


POD, POD2 = p("p1"), no_requests("p2")
DS3 = p("p3", owner=("DaemonSet", "ds"))
DS4 = p("p4", annotations={"cluster-autoscaler.kubernetes.io/daemonset-pod": "true"})
TERMINATED = p("podTerminated", deleting=rfc3339(TEST_TIME - 10 * MINUTE))
MIRROR = p("p4", annotations={"kubernetes.io/config.mirror": ""})
NODE1 = {"cpu": 2000, "memory": 2000000}


def util(allocatable, pods, skip_ds=False, skip_mirror=False, gpu=None):
    counted, skipped = split_pods(pods, TEST_TIME, ignore_daemonsets=skip_ds, ignore_mirror_pods=skip_mirror)
    return calculate(allocatable, [parse(x).requests for x in counted], [parse(x).requests for x in skipped],
                     gpu_resource=gpu)


@pytest.mark.parametrize("allocatable, pods, skip_ds, skip_mirror, gpu, value, cpu", [
    (NODE1, [POD, POD, POD2], False, False, None, Fraction(2, 10), Fraction(1, 10)),
    (NODE1, [POD, with_init_containers(), with_large_init_container()], False, False, None, Fraction(5025, 100),
     Fraction(25125, 1000)),
    (NODE1, [POD, POD, POD2, DS3, DS4], True, False, None, Fraction(25, 100), None),
    (NODE1, [POD, POD2, DS3], False, False, None, Fraction(2, 10), None),
    (NODE1, [POD, POD, POD2, TERMINATED], False, False, None, Fraction(2, 10), None),
    (NODE1, [POD, POD, POD2, MIRROR], False, True, None, Fraction(2, 9), None),
    (NODE1, [POD, POD2, MIRROR], False, False, None, Fraction(2, 10), None),
    (NODE1, [POD, MIRROR, DS3], True, True, None, Fraction(1, 8), None),
    ({**NODE1, "nvidia.com/gpu": 1}, [POD, POD, gpu_pod()], False, False, "nvidia.com/gpu", Fraction(1), Fraction(0)),
    # a node with the GPU label but no GPU allocatable yet: 0, so it can still be scaled down
    (NODE1, [POD, POD], False, False, "nvidia.com/gpu", Fraction(0), Fraction(0)),
])
def test_calculate(allocatable, pods, skip_ds, skip_mirror, gpu, value, cpu):
    u = util(allocatable, pods, skip_ds, skip_mirror, gpu)
    assert u.value == value and not u.error
    if cpu is not None:
        assert u.cpu == cpu
    assert u.resource == (gpu or ("cpu" if u.cpu > u.memory else "memory"))


@pytest.mark.parametrize("allocatable, error", [
    ({"cpu": 2000}, "failed to get memory"),                 # node2: no memory allocatable, Calculate errs
    ({"cpu": 2000, "memory": 0}, "memory is 0"),
    ({"memory": 2000000}, "failed to get cpu"),
])
def test_calculate_errs_without_cpu_or_memory(allocatable, error):
    u = util(allocatable, [POD, POD, POD2])
    assert (u.error, u.value) == (error, 0)


# -- which resource a GPU node is judged by (utils/gpu/gpu.go: GetNodeGPUFromCloudProvider,
#    DetectNodeGPUResourceName) -------------------------------------------------------------------------------------

@pytest.mark.parametrize("allocatable, should, want", [
    ({}, False, None),
    ({"cpu": "8"}, False, None),
    ({"nvidia.com/gpu": "0"}, False, None),                      # zero is no GPU
    ({"nvidia.com/gpu": "2"}, False, "nvidia.com/gpu"),
    ({"amd.com/gpu": "1"}, False, "amd.com/gpu"),
    ({"habana.ai/gaudi": "1", "amd.com/gpu": "1"}, False, "habana.ai/gaudi"),   # the vendor list's order
    ({"nvidia.com/gpu": "0", "microsoft.com/directx": "1"}, True, "microsoft.com/directx"),
    ({}, True, "nvidia.com/gpu"),                                # labelled (template) but not up yet: Nvidia
])
def test_node_gpu_resource(allocatable, should, want):
    assert node_gpu_resource({"status": {"allocatable": allocatable}}, should) == want


# -- end to end --------------------------------------------------------------------------------------------------

GPU = NodeTemplate(cpu="8", memory="32Gi", extended={"nvidia.com/gpu": "2"})


def gpu_deployment(name, replicas, gpus="1", cpu="1"):
    d = deployment(name, replicas, cpu=cpu, memory="1Gi",
                   node_selector={"autoscaling.kubekit.io/node-group": "gpu"})
    resources = d["spec"]["template"]["spec"]["containers"][0]["resources"]
    if gpus:
        resources["requests"]["nvidia.com/gpu"] = gpus
        resources["limits"] = {"nvidia.com/gpu": gpus}
    return d


def test_a_gpu_node_is_scaled_down_by_its_gpu_utilization():
    """Two GPU nodes, each with one GPU pod of two GPUs: 0.5, above the
    global GPU threshold 0.4 (their cpu, 1 of 8, is below the cpu threshold
    0.5).  A group GPU threshold of 0.5 makes them underutilized (at the
    threshold counts): one goes, its pod moves to the other's free GPU."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0, scale_down_unneeded_time=60.0,
                             scale_down_gpu_utilization_threshold=0.4)
    cp, ca, _, (g,) = cluster([("gpu", 0, 5, GPU, {})], options=opts, initial={"gpu": 2})
    cp.store.create(gpu_deployment("train", 2))
    cp.run_until(lambda: len([x for x in live_pods(cp) if x["spec"].get("nodeName")]) == 2, max_sim_seconds=60)
    assert len({x["spec"]["nodeName"] for x in live_pods(cp)}) == 2
    cp.clock.advance(120)
    settle(cp)
    nodes = ca.status()["scaleDown"]["nodes"]
    assert {n: (s["resource"], s["utilization"], s["reason"]) for n, s in nodes.items()} == {
        "gpu-0": ("nvidia.com/gpu", 0.5, "NotUnderutilized"), "gpu-1": ("nvidia.com/gpu", 0.5, "NotUnderutilized")}
    assert g.node_names() == ["gpu-0", "gpu-1"]
    ca.groups = [NodeGroup("gpu", 0, 5, GPU, provider=g.provider,
                           options=NodeGroupAutoscalingOptions(scale_down_gpu_utilization_threshold=0.5))]
    cp.run_until(lambda: len(ca.groups[0].node_names()) == 1, max_sim_seconds=300)
    (d,) = [d for d in ca.decisions if d["action"] == "ScaleDown"]
    assert d["utilization"] == 0.5
    (ev,) = [e for e in events(cp, "ScaleDown") if e["message"].startswith("Scale-down: removing node")]
    assert "utilization: {nvidia.com/gpu 0.500}" in ev["message"]
    cp.run_until(lambda: all(x["spec"].get("nodeName") for x in live_pods(cp)), max_sim_seconds=60)
    assert {x["spec"]["nodeName"] for x in live_pods(cp)} == set(ca.groups[0].node_names())


def test_a_gpu_node_without_gpu_pods_is_empty_for_scale_down_whatever_its_cpu():
    """A GPU node busy with cpu work only (7 of 8 cpu) has GPU utilization
    0: it is underutilized, and goes once its pod fits elsewhere."""
    opts = AutoscalerOptions(expander="least-waste", scale_down_delay_after_add=0.0, scale_down_unneeded_time=60.0)
    cp, ca, _, (g, _) = cluster([("gpu", 0, 5, GPU, {}), ("cpu", 0, 5, NodeTemplate(cpu="8", memory="32Gi"), {})],
                                options=opts, initial={"gpu": 1, "cpu": 1})
    cp.store.create(gpu_deployment("batch", 1, gpus="", cpu="7"))
    cp.run_until(lambda: all(x["spec"].get("nodeName") for x in live_pods(cp)) and live_pods(cp), max_sim_seconds=60)
    assert live_pods(cp)[0]["spec"]["nodeName"] == "gpu-0"
    cp.clock.advance(20)
    settle(cp)
    st = ca.status()["scaleDown"]["nodes"]["gpu-0"]
    assert (st["resource"], st["utilization"]) == ("nvidia.com/gpu", 0.0)
    # the pod is pinned to the GPU group: nowhere to move it, so the node stays
    assert st["reason"] == "NoPlaceToMovePods"


def stop(cp, name):
    cp.fleet.stop_node(name)


def test_an_unready_node_goes_after_the_unready_time_and_never_when_disabled():
    """Two empty nodes past their start-up window; one stops (NotReady).
    The ready one is removed after the unneeded time (60 s); the unready
    one waits for its group's unready time (300 s), reported as
    ``NotUnreadyLongEnough``.  With ``--scale-down-unready-enabled=false`` it
    is never a candidate: ``ScaleDownUnreadyDisabled``."""
    for enabled in (True, False):
        opts = AutoscalerOptions(scale_down_unneeded_time=60.0, scale_down_unready_time=900.0,
                                 scale_down_delay_after_add=0.0, scale_down_unready_enabled=enabled)
        own = NodeGroupAutoscalingOptions(scale_down_unready_time=300.0)
        cp, ca, _, (g,) = cluster([("small", 0, 5, SMALL, {"options": own})], options=opts, initial={"small": 2})
        cp.clock.advance(900)
        settle(cp)
        ca.unneeded_since.clear()
        stop(cp, "small-1")
        cp.run_until(lambda: "small-1" in ca.status().get("scaleDown", {}).get("nodes", {}) and
                     ca.status()["scaleDown"]["nodes"]["small-1"].get("reason") in (
                         "NotUnreadyLongEnough", "ScaleDownUnreadyDisabled"), max_sim_seconds=300)
        since = ca.unneeded_since.get("small-1")
        if not enabled:
            st = ca.status()["scaleDown"]["nodes"]["small-1"]
            assert (st["unneeded"], st["reason"]) == (False, "ScaleDownUnreadyDisabled")
            cp.clock.advance(1800)
            settle(cp)
            assert "small-1" in g.node_names()
            assert ca.status()["scaleDown"]["nodes"]["small-1"]["reason"] == "ScaleDownUnreadyDisabled"
            continue
        cp.run_until(lambda: g.node_names() != ["small-0", "small-1"], max_sim_seconds=300)
        assert g.node_names() == ["small-1"]                            # the ready one, after 60 s
        assert ca.status()["scaleDown"]["nodes"]["small-1"]["reason"] == "NotUnreadyLongEnough"
        cp.run_until(lambda: g.node_names() == [], max_sim_seconds=600)
        assert 300 < cp.clock.monotonic() - since <= 320                # the group's 300 s, not 900 s
