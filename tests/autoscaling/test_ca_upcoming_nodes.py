"""Nodes that take time to boot (``NodeGroup.boot_seconds``): a scale-up's
nodes are *upcoming* until they register; the autoscaler counts them in the
group's target size and places pending pods on them in its simulation (CA's
upcoming nodes), so it does not scale up twice for the same pods."""

from __future__ import annotations

from ca_builders import cluster, deployment, events, live_pods, settle

from kubekit.autoscaling.cluster import AutoscalerOptions, FleetProvider, NodeGroup
from kubekit.clock import FakeClock
from kubekit.node.simulated import NodeTemplate, SimulatedFleet
from kubekit.store import APIStore

SMALL = NodeTemplate(cpu="4", memory="16Gi")


def running(cp, n):
    return lambda: sum(1 for p in live_pods(cp) if (p.get("status") or {}).get("phase") == "Running") == n


def test_a_booting_node_is_upcoming_until_it_registers():
    clock = FakeClock()
    store = APIStore(clock=clock)
    fleet = SimulatedFleet(store, clock)
    g = NodeGroup("a", 0, 3, SMALL, provider=FleetProvider(fleet), boot_seconds=90)
    assert g.provider.increase_size(g, 2) == ["a-0", "a-1"]
    assert (g.node_names(), g.upcoming()) == ([], ["a-0", "a-1"])
    assert store.list("Node")[0] == []
    assert g.provider.increase_size(g, 1) == ["a-2"]              # names and sizes count the upcoming ones
    clock.advance(89.9)
    fleet.run_once()
    assert store.list("Node")[0] == [] and fleet.next_wakeup() is not None
    assert g.provider.delete_nodes(g, ["a-2"]) == 1               # a cancelled VM never registers
    clock.advance(0.1)
    fleet.run_once()
    assert (g.node_names(), g.upcoming()) == (["a-0", "a-1"], [])
    assert sorted(n["metadata"]["name"] for n in store.list("Node")[0]) == ["a-0", "a-1"]
    assert sorted(ls["metadata"]["name"] for ls in store.list("Lease", "kube-node-lease")[0]) == ["a-0", "a-1"]
    clock.advance(600)
    fleet.run_once()
    assert store.list("Node")[0] and "a-2" not in fleet.nodes


def test_pods_waiting_for_upcoming_nodes_trigger_no_second_scale_up():
    cp, ca, _, groups = cluster([("small", 0, 10, SMALL, {"boot_seconds": 120})],
                                options=AutoscalerOptions(expander="least-waste"))
    cp.store.create(deployment("web", 6, cpu="1500m", memory="1Gi"))          # 2 per node: 3 nodes
    took = cp.run_until(running(cp, 6), max_sim_seconds=600)
    ups = [d for d in ca.decisions if d["action"] == "ScaleUp"]
    assert [(d["from"], d["to"]) for d in ups] == [(0, 3)]         # twelve scans ran while they booted
    assert 120 <= took <= 150
    assert len(events(cp, "TriggeredScaleUp")) == 6 and len(events(cp, "ScaledUpGroup")) == 1
    assert {p["spec"]["nodeName"] for p in live_pods(cp)} == set(ups[0]["nodes"])
    (st,) = ca.status()["nodeGroups"]
    assert (st["size"], st["upcoming"]) == (3, [])


def test_status_and_max_size_count_the_upcoming_nodes():
    cp, ca, _, groups = cluster([("small", 0, 3, SMALL, {"boot_seconds": 300})])
    cp.store.create(deployment("web", 6, cpu="1500m", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    (st,) = ca.status()["nodeGroups"]
    assert (st["size"], st["nodes"], st["upcoming"]) == (3, [], ["small-0", "small-1", "small-2"])
    # more pods than the upcoming nodes hold: the group is at its max size, counting them
    cp.store.create(deployment("more", 2, cpu="3", memory="1Gi"))
    cp.clock.advance(30)
    cp.run_until(lambda: bool(events(cp, "NotTriggerScaleUp")), max_sim_seconds=60)
    assert len(ca.decisions) == 1
    msgs = {e["message"] for e in events(cp, "NotTriggerScaleUp")}
    assert any("max node group size reached" in m for m in msgs), msgs
    assert groups[0].node_names() == [] and len(groups[0].upcoming()) == 3


def test_nodes_that_never_register_time_out_are_removed_and_back_the_group_off():
    """A group whose nodes take 20 min to boot (more than the 15 min
    max-node-provision-time): the scale-up times out (ScaleUpTimedOut), the
    group is backed off for 5 min (pods say ``in backoff after failed
    scale-up``), the unregistered nodes are deleted (DeleteUnregistered),
    and the next failure backs it off for 10 min."""
    cp, ca, _, groups = cluster([("slow", 0, 10, SMALL, {"boot_seconds": 1200})])
    t0 = cp.clock.monotonic()
    cp.store.create(deployment("web", 2, cpu="3", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    asked = cp.clock.monotonic()
    assert asked - t0 <= 10 and groups[0].upcoming() == ["slow-0", "slow-1"]
    cp.run_until(lambda: bool(events(cp, "ScaleUpTimedOut")), max_sim_seconds=1200)
    (ev,) = events(cp, "ScaleUpTimedOut")
    assert ev["type"] == "Warning" and ev["involvedObject"]["name"] == "cluster-autoscaler-status"
    assert ev["message"] == "Nodes added to group slow failed to register within 15m10s"
    assert cp.clock.monotonic() - asked == 910
    (st,) = ca.status()["nodeGroups"]
    assert "backoffUntil" in st
    cp.run_until(lambda: len(events(cp, "DeleteUnregistered")) == 2, max_sim_seconds=60)
    assert sorted(e["message"] for e in events(cp, "DeleteUnregistered")) == [
        "Removing unregistered node slow-0", "Removing unregistered node slow-1"]
    assert groups[0].upcoming() == [] and groups[0].node_names() == []
    cp.run_until(lambda: any("in backoff after failed scale-up" in e["message"]
                             for e in events(cp, "NotTriggerScaleUp")), max_sim_seconds=60)
    assert len(ca.decisions) == 1
    # backed off for 300 s from the timeout; then a second scale-up, which fails too
    cp.run_until(lambda: len(ca.decisions) == 2, max_sim_seconds=600)
    assert cp.clock.monotonic() - asked == 910 + 300
    assert ca.backoff.info("slow").duration == 300
    # (the same message again: the recorder counts it on the first Event)
    cp.run_until(lambda: sum(e["count"] for e in events(cp, "ScaleUpTimedOut")) == 2, max_sim_seconds=1200)
    assert ca.backoff.info("slow").duration == 600                # the previous backoff had ended: doubled
    assert not [p for p in live_pods(cp) if p["spec"].get("nodeName")]


def test_a_scale_up_that_registers_in_time_clears_the_request():
    cp, ca, _, groups = cluster([("small", 0, 10, SMALL, {"boot_seconds": 300})])
    cp.store.create(deployment("web", 2, cpu="3", memory="1Gi"))
    cp.run_until(running(cp, 2), max_sim_seconds=600)
    cp.run_until(lambda: not ca.scale_up_requests, max_sim_seconds=30)
    assert not events(cp, "ScaleUpTimedOut") and not events(cp, "DeleteUnregistered")
    assert ca.backoff.info("small") is None and ca.unregistered_since == {}


def test_an_unregistered_node_is_kept_when_its_group_is_at_min_size():
    cp, ca, _, groups = cluster([("slow", 1, 10, SMALL, {"boot_seconds": 1200})])
    cp.store.create(deployment("web", 1, cpu="3", memory="1Gi"))
    cp.run_until(lambda: bool(ca.decisions), max_sim_seconds=60)
    cp.run_until(lambda: bool(events(cp, "ScaleUpTimedOut")), max_sim_seconds=1200)
    cp.clock.advance(60)
    settle(cp)
    assert not events(cp, "DeleteUnregistered") and groups[0].upcoming() == ["slow-0"]
    cp.run_until(running(cp, 1), max_sim_seconds=600)         # it registers after all, and runs the pod
    assert groups[0].node_names() == ["slow-0"]
