"""The cloud failing a scale-up (instances created in error: a stockout),
and a cluster too broken to autoscale (cluster-autoscaler's
``handleInstanceCreationErrors``, ``deleteCreatedNodesWithErrors`` and
``IsClusterHealthy``), end to end on simulated nodes."""

from __future__ import annotations

import pytest
from ca_builders import cluster, deployment, events, live_pods, scale, settle

from kubekit.autoscaling.cluster import AutoscalerOptions, FleetProvider, NodeGroup
from kubekit.autoscaling.cluster.nodegroups import InstanceError
from kubekit.clock import FakeClock
from kubekit.node.simulated import NodeTemplate, SimulatedFleet
from kubekit.store import APIStore

SMALL = NodeTemplate(cpu="4", memory="16Gi")


def running(cp):
    return sum(1 for p in live_pods(cp) if (p.get("status") or {}).get("phase") == "Running")


def test_a_limited_provider_creates_what_is_left_and_fails_the_rest():
    clock = FakeClock()
    fleet = SimulatedFleet(APIStore(clock=clock), clock)
    provider = FleetProvider(fleet)
    g = NodeGroup("a", 1, 5, SMALL, provider=provider)
    provider.limit("a", 1, InstanceError("OutOfResource", "QUOTA_EXCEEDED", "quota 'CPUS' exceeded"))
    assert provider.increase_size(g, 3) == ["a-0", "a-1", "a-2"]
    assert g.node_names() == ["a-0"]
    assert g.instance_errors() == {n: InstanceError("OutOfResource", "QUOTA_EXCEEDED", "quota 'CPUS' exceeded")
                                   for n in ("a-1", "a-2")}
    assert provider.increase_size(g, 2) == ["a-3", "a-4"]         # instances in error count in the target size
    with pytest.raises(ValueError, match="desired 6, max 5"):
        provider.increase_size(g, 1)
    assert provider.delete_nodes(g, ["a-1", "a-2", "a-3", "a-4"]) == 4    # min size bounds real nodes only
    assert g.instance_errors() == {} and g.node_names() == ["a-0"]
    provider.limit("a", None)
    assert provider.increase_size(g, 1) == ["a-5"] and g.node_names() == ["a-0", "a-5"]   # names never reused


def test_a_stockout_fails_the_scale_up_backs_the_group_off_and_removes_the_failed_instances():
    cp, ca, provider, (small,) = cluster([("small", 0, 10, SMALL, {})],
                                         options=AutoscalerOptions(expander="least-waste"))
    provider.limit("small", 1)
    cp.store.create(deployment("web", 3, cpu="3", memory="1Gi"))          # one per node: 3 nodes
    cp.run_until(lambda: bool(events(cp, "ScaleUpFailed")), max_sim_seconds=60)
    first = cp.clock.monotonic()
    (ev,) = events(cp, "ScaleUpFailed")
    assert ev["type"] == "Warning" and ev["involvedObject"]["name"] == "cluster-autoscaler-status"
    assert ev["message"] == ("Failed adding 2 nodes to group small due to OutOfResource.STOCKOUT; "
                             "source errors: no capacity left for node group small")
    assert [(d["from"], d["to"]) for d in ca.decisions] == [(0, 3)]
    assert ca.backoff.info("small").error_code == "OutOfResource.STOCKOUT"
    settle(cp)
    assert small.instance_errors() == {} and small.node_names() == ["small-0"]      # deleted in the same scan
    (st,) = ca.status()["nodeGroups"]
    assert st["backoffInfo"] == {"errorCode": "OutOfResource.STOCKOUT",
                                 "errorMessage": "no capacity left for node group small"}
    assert st["size"] == 1 and ca.scale_up_requests["small"][2] == 1     # the request shrank by the two
    cp.run_until(lambda: not ca.scale_up_requests, max_sim_seconds=30)      # and ends at the next scan
    assert ca.backoff.is_backed_off("small", cp.clock.monotonic())
    cp.run_until(lambda: any("in backoff after failed scale-up" in e["message"]
                             for e in events(cp, "NotTriggerScaleUp")), max_sim_seconds=60)
    assert running(cp) == 1
    # after the 5 min backoff it tries again, and the cloud is still out: 10 min this time
    cp.run_until(lambda: len(ca.decisions) == 2, max_sim_seconds=600)
    assert 300 <= cp.clock.monotonic() - first <= 310
    cp.run_until(lambda: sum(e["count"] for e in events(cp, "ScaleUpFailed")) == 2, max_sim_seconds=60)
    assert ca.backoff.info("small").duration == 600
    # capacity comes back: the next try after the backoff succeeds
    provider.limit("small", None)
    cp.run_until(lambda: running(cp) == 3, max_sim_seconds=900)
    assert [(d["from"], d["to"]) for d in ca.decisions][-1] == (1, 3)
    assert cp.clock.monotonic() - first >= 300 + 600


def test_an_unhealthy_cluster_is_not_autoscaled():
    """Five nodes; after their 15 min start-up window four stop (their
    kubelets die) and go NotReady: more than 3 and more than 45 % unready,
    so the autoscaler only reports ``ClusterUnhealthy``: three more replicas
    stay pending without a scale-up (the node lifecycle controller does not
    evict from a zone that is mostly down, either).  When the nodes come
    back it carries on and scales up for them."""
    cp, ca, provider, (small,) = cluster([("small", 0, 10, SMALL, {})], initial={"small": 5},
                                         options=AutoscalerOptions(expander="least-waste"))
    cp.store.create(deployment("web", 5, cpu="3", memory="1Gi"))
    cp.run_until(lambda: running(cp) == 5, max_sim_seconds=120)
    cp.clock.advance(900)
    settle(cp)
    assert ca.status()["clusterWide"]["health"]["status"] == "Healthy"
    for name in small.node_names()[1:]:
        cp.fleet.stop_node(name)
    cp.run_until(lambda: bool(events(cp, "ClusterUnhealthy")), max_sim_seconds=120)
    st = ca.status()
    assert st["clusterWide"]["health"] == {"status": "Unhealthy", "nodeCounts": {
        "registered": 5, "ready": 1, "notStarted": 0, "beingDeleted": 0, "unready": 4, "resourceUnready": 0,
        "unregistered": 0, "longUnregistered": 0}}
    assert st["scaleUp"] == {} and st["scaleDown"] == {}
    (ev,) = events(cp, "ClusterUnhealthy")
    assert ev["type"] == "Warning" and ev["message"] == "Cluster is unhealthy"
    scale(cp, "web", 8)
    cp.clock.advance(300)
    settle(cp)
    assert ca.decisions == [] and len(small.node_names()) == 5
    assert sum(1 for p in live_pods(cp) if not p["spec"].get("nodeName")) == 3
    assert next(e for e in events(cp, "ClusterUnhealthy"))["count"] > 1
    for name in small.node_names()[1:]:
        cp.fleet.restart_node(name)
    cp.run_until(lambda: running(cp) == 8, max_sim_seconds=300)
    assert ca.status()["clusterWide"]["health"]["status"] == "Healthy"
    assert [(d["from"], d["to"]) for d in ca.decisions] == [(5, 8)]
