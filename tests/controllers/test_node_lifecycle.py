"""The node lifecycle controller: rules as tables, and a simulated cluster
that loses a node, evicts its pods after the default 300 s toleration and
gets them replaced elsewhere."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane
from kubekit.controllers.nodelifecycle_rules import (
    NOT_READY_TAINT,
    UNREACHABLE_TAINT,
    condition_taints,
    eviction_delay,
    node_ready_status,
    should_mark_unknown,
    unknown_conditions,
)
from kubekit.node.simulated import NodeTemplate
from kubekit.store.meta import micro_time

UNREACH = {"key": UNREACHABLE_TAINT, "effect": "NoExecute"}


@pytest.mark.parametrize("ready,ever,beat,now,want", [
    ("True", True, 100.0, 150.0, False),       # exactly the grace period: not yet
    ("True", True, 100.0, 150.1, True),
    ("False", True, 100.0, 151.0, True),       # NotReady too becomes Unknown without heartbeats
    ("Unknown", True, 100.0, 500.0, False),    # already Unknown
    ("True", False, 100.0, 155.0, False),      # never Ready: the 60 s startup grace
    ("True", False, 100.0, 160.5, True),
])
def test_should_mark_unknown(ready, ever, beat, now, want):
    assert should_mark_unknown(ready, ever, beat, now) == want


def test_condition_taints_and_unknown_conditions():
    assert condition_taints("True") == []
    assert condition_taints("False") == [(NOT_READY_TAINT, "NoExecute"), (NOT_READY_TAINT, "NoSchedule")]
    assert condition_taints("Unknown") == [(UNREACHABLE_TAINT, "NoExecute"), (UNREACHABLE_TAINT, "NoSchedule")]
    conds = unknown_conditions([{"type": "Ready", "status": "True", "lastHeartbeatTime": "t0",
                                 "lastTransitionTime": "t0"}], "t1")
    ready = conds[0]
    assert (ready["status"], ready["reason"], ready["message"], ready["lastHeartbeatTime"],
            ready["lastTransitionTime"]) == ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.",
                                             "t0", "t1")
    assert {c["type"] for c in conds} == {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}


@pytest.mark.parametrize("tolerations,want", [
    ([], 300.0),                                                               # DefaultTolerationSeconds
    ([{"key": UNREACHABLE_TAINT, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}], 30.0),
    ([{"key": UNREACHABLE_TAINT, "operator": "Exists", "effect": "NoExecute"}], None),   # forever
    ([{"operator": "Exists"}], None),                                          # tolerates everything
    ([{"key": UNREACHABLE_TAINT, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": -5}], 0.0),
])
def test_eviction_delay(tolerations, want):
    assert eviction_delay({"spec": {"tolerations": tolerations}}, [UNREACH]) == want


def test_an_untolerated_no_execute_taint_evicts_at_once():
    assert eviction_delay({"spec": {}}, [{"key": "dedicated", "value": "gpu", "effect": "NoExecute"}]) == 0.0
    assert eviction_delay({"spec": {}}, [{"key": "dedicated", "effect": "NoSchedule"}]) is None


def _deployment(replicas):
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "c", "image": "x", "resources": {"requests": {"cpu": "100m"}}}]}}}}


def test_a_lost_node_is_tainted_and_its_pods_move_after_300s():
    cp = ControlPlane(FakeClock(), start_delay=1.0)
    cp.fleet.add_nodes(["n0", "n1", "n2"], NodeTemplate(cpu="4"))
    cp.store.create(_deployment(6))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 6)
    on_n0 = {p["metadata"]["name"] for p in cp.pods.list() if p["spec"]["nodeName"] == "n0"}
    assert on_n0
    cp.fleet.stop_node("n0")
    t0 = cp.clock.now()

    def n0_unknown():
        n = cp.store.get("Node", None, "n0")
        return any(c["type"] == "Ready" and c["status"] == "Unknown" for c in n["status"]["conditions"])
    cp.run_until(n0_unknown)
    assert 50 < cp.clock.now() - t0 <= 60
    unknown_at = cp.clock.now()

    def n0_taints():
        return {(t["key"], t["effect"]) for t in cp.store.get("Node", None, "n0")["spec"].get("taints") or ()}
    assert (UNREACHABLE_TAINT, "NoSchedule") in n0_taints()
    # the NoExecute taint comes from the zone's tainting pass (every 100 ms; the bucket has a token)
    cp.run_until(lambda: (UNREACHABLE_TAINT, "NoExecute") in n0_taints(), max_sim_seconds=1)
    assert cp.clock.now() - unknown_at <= 0.1 + 1e-6
    assert n0_taints() == {(UNREACHABLE_TAINT, "NoExecute"), (UNREACHABLE_TAINT, "NoSchedule")}
    assert {p["metadata"]["name"] for p in cp.pods.list() if p["spec"]["nodeName"] == "n0"} == on_n0   # not yet

    def moved():
        pods = [p for p in cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
        return (len(pods) == 6 and all(p["spec"].get("nodeName") in ("n1", "n2") for p in pods)
                and cp.count_pods("default", "Running") == 6)
    cp.run_until(moved, max_sim_seconds=600)
    assert cp.clock.now() - t0 >= 300                       # the default toleration held them 300 s
    evicted = [e for e in cp.store.list("Event", "default")[0] if e["reason"] == "TaintManagerEviction"]
    assert {e["involvedObject"]["name"] for e in evicted} == on_n0
    cp.fleet.restart_node("n0")
    cp.run_until(lambda: not cp.store.get("Node", None, "n0")["spec"].get("taints"))


def test_the_periodic_pass_reconciles_only_nodes_that_need_work():
    """monitorNodeHealth looks at every node each 5 s; a Ready node with a
    fresh heartbeat and no taints costs no reconcile, a silent one does."""
    cp = ControlPlane(FakeClock())
    cp.fleet.add_nodes([f"n{i}" for i in range(4)], NodeTemplate(cpu="4"))
    seen: list[str] = []
    real = cp.node_lifecycle.reconcile
    cp.node_lifecycle.reconcile = lambda name: (seen.append(name), real(name))[1]
    t0 = cp.clock.monotonic()
    cp.run_until(lambda: cp.clock.monotonic() >= t0 + 1)
    assert sorted(set(seen)) == ["n0", "n1", "n2", "n3"]        # each new node once
    seen.clear()
    cp.run_until(lambda: cp.clock.monotonic() >= t0 + 31)       # six passes, leases renewed every 10 s
    assert seen == []
    cp.fleet.stop_node("n2")
    cp.run_until(lambda: cp.clock.monotonic() >= t0 + 100)
    assert set(seen) == {"n2"}                                   # past the 50 s grace: n2 only
    n2 = cp.store.get("Node", None, "n2")
    assert any(c["type"] == "Ready" and c["status"] == "Unknown" for c in n2["status"]["conditions"])
    assert all(not (cp.store.get("Node", None, n)["spec"].get("taints")) for n in ("n0", "n1", "n3"))


def test_the_periodic_pass_queues_exactly_the_nodes_a_full_scan_would():
    """The pass looks only at changed nodes and expired deadlines; at every
    pass it must queue the same nodes as checking every node would, through
    a stop, a lease set back in time, a deleted lease and a restart."""
    cp = ControlPlane(FakeClock())
    names = [f"n{i}" for i in range(6)]
    cp.fleet.add_nodes(names, NodeTemplate(cpu="4"))
    nlc = cp.node_lifecycle
    passes: list[set[str]] = []
    real_monitor = nlc._monitor

    def checked_monitor(wall):
        want = {n["metadata"]["name"] for n in nlc.nodes.list() if not nlc._quiet(n, wall)}
        got: set[str] = set()
        real_enqueue = nlc.enqueue
        nlc.enqueue = got.add
        try:
            real_monitor(wall)
        finally:
            nlc.enqueue = real_enqueue
        for name in got:
            real_enqueue(name)
        assert got == want, (wall, got, want)
        passes.append(got)
    nlc._monitor = checked_monitor
    t0 = cp.clock.monotonic()

    def at(t):
        cp.run_until(lambda: cp.clock.monotonic() >= t0 + t)
    at(20)
    cp.fleet.stop_node("n1")
    at(40)
    cp.fleet.stop_node("n2")             # its lease goes back 30 s: it stops being quiet before its deadline
    cp.store.guaranteed_update("Lease", "kube-node-lease", "n2",
                               lambda lease: {**lease, "spec": {**lease["spec"],
                                                                "renewTime": micro_time(cp.clock.now() - 30)}})
    at(60)
    cp.fleet.stop_node("n3")
    cp.store.delete("Lease", "kube-node-lease", "n3")
    at(100)
    cp.store.guaranteed_update("Node", None, "n4", lambda n: {**n, "metadata": {
        **n["metadata"], "labels": {**n["metadata"]["labels"], "touched": "yes"}}})
    at(106)                              # n4 was just looked at: its deadline is ~50 s away
    cp.fleet.stop_node("n4")
    cp.store.guaranteed_update("Lease", "kube-node-lease", "n4",
                               lambda lease: {**lease, "spec": {**lease["spec"],
                                                                "renewTime": micro_time(cp.clock.now() - 60)}})
    at(150)
    assert any("n4" in p for p in passes)
    cp.fleet.restart_node("n1")
    cp.fleet.restart_node("n4")
    cp.fleet.restart_node("n2")
    at(250)
    assert len(passes) >= 45 and any(passes) and not passes[-1] - {"n3"}
    unknown = {n["metadata"]["name"] for n in cp.nodes.list() if node_ready_status(n) == "Unknown"}
    assert unknown == {"n3"}
