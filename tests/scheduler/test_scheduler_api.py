"""The Scheduler facade: cluster updates, binding, user plugins, bad input."""

from __future__ import annotations

import pytest

from kubekit import ConfigError, Node, Pod, Scheduler, SchedulerError
from kubekit.api import Taint
from kubekit.scheduler import Code, Status

ENGINES = ("fast", "twin")


def _nodes(n=3, **kw):
    return [Node.simple(f"n{i}", **kw) for i in range(n)]


@pytest.mark.parametrize("engine", ENGINES)
def test_schedule_does_not_change_state_and_assume_does(engine):
    s = Scheduler(nodes=[Node.simple("n0", cpu="1", memory="4Gi", pods=10)], engine=engine)
    pod = Pod.simple("p", cpu="600m", memory="1Gi")
    assert s.schedule(pod).node == "n0"
    assert s.schedule(pod).node == "n0"  # nothing was reserved
    s.assume(pod, "n0")
    other = Pod.simple("q", cpu="600m", memory="1Gi")
    r = s.schedule(other)
    assert r.node is None
    assert r.message == "0/1 nodes are available: 1 Insufficient cpu."
    assert s.forget(pod) == "n0"
    assert s.schedule(other).node == "n0"


@pytest.mark.parametrize("engine", ENGINES)
def test_node_updates_take_effect(engine):
    s = Scheduler(nodes=_nodes(2, cpu="2"), engine=engine)
    pod = Pod.simple("p", cpu="1")
    s.update_node(Node.simple("n0", cpu="2", taints=(Taint("k", "v", "NoSchedule"),)))
    s.update_node(Node.simple("n1", cpu="2", unschedulable=True))
    r = s.schedule(pod)
    assert r.node is None
    assert r.reasons == {"node(s) had untolerated taint(s)": 1, "node(s) were unschedulable": 1}
    s.remove_node("n1")
    s.add_node(Node.simple("n2", cpu="8"))
    assert s.schedule(pod).node == "n2"
    assert sorted(s.node_names) == ["n0", "n2"]


@pytest.mark.parametrize("engine", ENGINES)
def test_removed_node_forgets_its_pods_and_slot_is_reused(engine):
    s = Scheduler(nodes=_nodes(2), engine=engine)
    p = Pod.simple("p")
    s.assume(p, "n1")
    assert s.remove_node("n1") == ["default/p"]
    assert s.node_of(p) is None
    s.add_node(Node.simple("n9"))
    assert s.node_names == ["n0", "n9"]  # n9 took n1's slot
    assert s.schedule_batch([p]).placements["default/p"] in ("n0", "n9")
    assert s.node_of(p) in ("n0", "n9")


def test_bad_input_errors():
    with pytest.raises(SchedulerError, match="duplicate node name 'n0'"):
        Scheduler(nodes=[Node.simple("n0"), Node.simple("n0")])
    s = Scheduler(nodes=_nodes(1))
    with pytest.raises(SchedulerError, match="unknown node 'nope'"):
        s.assume(Pod.simple("p"), "nope")
    s.assume(Pod.simple("p"), "n0")
    with pytest.raises(SchedulerError, match="already bound"):
        s.assume(Pod.simple("p"), "n0")
    with pytest.raises(SchedulerError, match="not bound"):
        s.forget(Pod.simple("q"))
    with pytest.raises(SchedulerError, match="unknown engine"):
        Scheduler(engine="gpu")


@pytest.mark.parametrize(
    "profile, needle",
    [
        ({"plugins": {"score": {"enabled": [{"name": "NoSuchPlugin"}]}}}, "NoSuchPlugin"),
        ({"pluginConfig": [{"name": "NodeResourcesFit", "args": {"scoringStrategy": {
            "type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 101}]}}}]}, "101"),
        ({"pluginConfig": [{"name": "NodeResourcesFit", "args": {"scoringStrategy": {
            "type": "RequestedToCapacityRatio", "resources": [{"name": "cpu", "weight": 1}],
            "requestedToCapacityRatio": {"shape": [{"utilization": 50, "score": 1}, {"utilization": 10, "score": 2}]}}}}]},
         "utilization"),
        ({"pluginConfig": [{"name": "NodeResourcesFit", "args": {"scoringStrategy": {
            "type": "RequestedToCapacityRatio", "resources": [{"name": "cpu", "weight": 1}],
            "requestedToCapacityRatio": {"shape": [{"utilization": 10, "score": 11}]}}}}]}, "score"),
    ],
)
def test_invalid_configs_are_rejected(profile, needle):
    cfg = {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
           "profiles": [{"schedulerName": "default-scheduler", **profile}]}
    with pytest.raises(ConfigError) as err:
        Scheduler(cfg)
    assert needle in str(err.value)


def test_unknown_scheduler_name_is_left_alone():
    s = Scheduler(nodes=_nodes(1))
    r = s.schedule(Pod.simple("p", scheduler_name="other"))
    assert r.node is None and "no profile for schedulerName 'other'" in r.message


def test_no_nodes():
    assert Scheduler().schedule(Pod.simple("p")).message == "no nodes available to schedule pods"


class OnlyEven:
    """A user Filter + Score plugin: only nodes whose name ends in an even digit;
    prefers the highest digit."""

    name = "OnlyEven"

    def filter(self, state, pod, node):
        if int(node.name[-1]) % 2 == 0:
            return Status()
        return Status(Code.UNSCHEDULABLE, ("odd node",), self.name)

    def score(self, state, pod, node):
        return int(node.name[-1]) * 10, Status()


class Recorder:
    name = "Recorder"

    def __init__(self):
        self.reserved, self.bound = [], []

    def reserve(self, state, pod, node_name):
        self.reserved.append((pod.name, node_name))
        return Status()

    def unreserve(self, state, pod, node_name):
        self.reserved.remove((pod.name, node_name))

    def bind(self, state, pod, node_name):
        self.bound.append((pod.name, node_name))
        return Status()


@pytest.mark.parametrize("engine", ENGINES)
def test_user_plugins_run_at_their_extension_points(engine):
    rec = Recorder()
    cfg = {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
           "profiles": [{"schedulerName": "default-scheduler", "plugins": {
               "filter": {"enabled": [{"name": "OnlyEven"}]},
               "score": {"enabled": [{"name": "OnlyEven", "weight": 50}]},
               "reserve": {"enabled": [{"name": "Recorder"}]},
               "bind": {"enabled": [{"name": "Recorder"}]}}}]}
    s = Scheduler(cfg, nodes=_nodes(5), engine=engine, plugins={"OnlyEven": OnlyEven(), "Recorder": rec})
    exp = s.explain(Pod.simple("p"))
    assert exp.chosen == "n4"
    assert exp.node("n3").reasons == ("odd node",) and exp.node("n3").plugin == "OnlyEven"
    assert exp.node("n4").scores["OnlyEven"].normalized == 40
    res = s.schedule_batch([Pod.simple("p")])
    assert res.placements == {"default/p": "n4"}
    assert rec.reserved == [("p", "n4")] and rec.bound == [("p", "n4")]
    # user filters run after the built-in kernels, on the nodes they passed
    assert s.schedule(Pod.simple("big", cpu="100")).message == "0/5 nodes are available: 5 Insufficient cpu."
    assert s.schedule(Pod.simple("small", cpu="1")).node == "n4"
    s2 = Scheduler(cfg, nodes=[Node.simple("n1"), Node.simple("n3")], engine=engine, plugins={"OnlyEven": OnlyEven(), "Recorder": Recorder()})
    assert s2.schedule(Pod.simple("p")).message == "0/2 nodes are available: 2 odd node."


def test_percentage_of_nodes_to_score_stops_early_and_rotates():
    nodes = [Node.simple(f"n{i:03d}", cpu="4") for i in range(500)]
    fast = Scheduler(nodes=nodes, percentage_of_nodes_to_score=10, seed=3)
    twin = Scheduler(nodes=nodes, percentage_of_nodes_to_score=10, seed=3, engine="twin")
    for i in range(4):
        pod = Pod.simple(f"p{i}")
        rf, rt = fast.schedule(pod), twin.schedule(pod)
        # numFeasibleNodesToFind(10%, 500) = max(50, 100) = 100 nodes, then stop
        assert rf.feasible_nodes == rf.evaluated_nodes == 100
        assert (rf.node, rf.score) == (rt.node, rt.score)
        # the search starts where the previous one stopped
        assert int(rf.node[1:]) // 100 == i


@pytest.mark.parametrize("engine", ENGINES)
def test_negative_score_weights_still_choose_the_highest_total(engine):
    # kube-scheduler accepts negative plugin weights; totals may then be negative.
    cfg = {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
           "profiles": [{"schedulerName": "default-scheduler", "plugins": {"score": {
               "disabled": [{"name": "*"}], "enabled": [{"name": "NodeResourcesFit", "weight": -2}]}}}]}
    s = Scheduler(cfg, nodes=[Node.simple("empty", cpu="4"), Node.simple("busy", cpu="4")], engine=engine)
    s.assume(Pod.simple("x", cpu="3"), "busy")
    exp = s.explain(Pod.simple("p", cpu="100m"))
    assert exp.node("busy").total < 0 and exp.node("empty").total < exp.node("busy").total
    assert exp.chosen == "busy"
    assert s.schedule_batch([Pod.simple(f"r{i}", cpu="100m") for i in range(5)]).placements["default/r0"] == "busy"


@pytest.mark.parametrize("engine", ENGINES)
def test_label_key_first_seen_after_a_pod_was_compiled(engine):
    # three keys leave a spare column in the packed label table (it doubles)
    s = Scheduler(nodes=[Node.simple("a", labels={"x": "1", "y": "1", "z": "1"})], engine=engine)
    pod = Pod.simple("p", node_selector={"disk": "ssd"})
    assert s.schedule(pod).node is None  # compiled while no node has the key 'disk'
    s.add_node(Node.simple("b", labels={"disk": "ssd"}))
    assert s.schedule(pod).node == "b"
    assert s.schedule_batch([Pod.simple(f"r{i}", node_selector={"disk": "ssd"}) for i in range(6)]).placements == {
        f"default/r{i}": "b" for i in range(6)}


class Gate:
    """PreFilter: rejects pods labelled blocked=true."""

    name = "Gate"

    def pre_filter(self, state, pod, nodes):
        if pod.labels.get("blocked") == "true":
            return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, ("pod is blocked",), self.name)
        return Status()


class Spread:
    """PreScore skips pods without the 'spread' label; Score prefers nodes with
    fewer pods; NormalizeScore reverses (DefaultNormalizeScore-style)."""

    name = "Spread"

    def pre_score(self, state, pod, nodes):
        return Status() if "spread" in pod.labels else Status(Code.SKIP)

    def score(self, state, pod, node):
        return node.pod_count, Status()

    def normalize_score(self, state, pod, scores):
        from kubekit.scheduler.framework import default_normalize_score

        default_normalize_score(100, True, scores)
        return Status()


@pytest.mark.parametrize("engine", ENGINES)
def test_user_prefilter_prescore_and_normalize(engine):
    cfg = {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
           "profiles": [{"schedulerName": "default-scheduler", "plugins": {
               "preFilter": {"enabled": [{"name": "Gate"}]},
               "preScore": {"enabled": [{"name": "Spread"}]},
               "score": {"disabled": [{"name": "*"}], "enabled": [{"name": "Spread", "weight": 1}]}}}]}
    s = Scheduler(cfg, nodes=_nodes(3), engine=engine, plugins={"Gate": Gate(), "Spread": Spread()})
    s.assume(Pod.simple("a"), "n0")
    s.assume(Pod.simple("b"), "n0")
    s.assume(Pod.simple("c"), "n1")
    blocked = s.schedule(Pod.simple("x", labels={"blocked": "true"}))
    assert blocked.node is None and blocked.message == "0/3 nodes are available: pod is blocked."
    exp = s.explain(Pod.simple("y", labels={"spread": "yes"}))
    # pod counts 2, 1, 0 -> normalized (reverse) 0, 50, 100
    assert [exp.node(n).scores["Spread"].normalized for n in ("n0", "n1", "n2")] == [0, 50, 100]
    assert exp.chosen == "n2"
    skipped = s.explain(Pod.simple("z"))
    assert all("Spread" not in n.scores for n in skipped.nodes)
