"""The cluster autoscaler in a simulated cluster on a fake clock: pending
pods bring nodes of the right group, idle nodes go after the unneeded time
(down to min size), max size and scale-down-delay-after-add hold, budgets
block drains, and every decision is explained."""

from __future__ import annotations

import yaml
from ca_builders import cluster, deployment, events, live_pods, pdb, scale, settle

from kubekit.autoscaling.cluster import AutoscalerOptions, NodeGroup, PdbStatusWriter
from kubekit.autoscaling.cluster.removal import TO_BE_DELETED_TAINT, drain_node
from kubekit.node.simulated import NodeTemplate

SMALL = NodeTemplate(cpu="4", memory="16Gi")
ARM = NodeTemplate(cpu="8", memory="32Gi", labels={"arch": "arm"})


def running(cp, n, ns="default"):
    return lambda: sum(1 for p in live_pods(cp, ns) if (p.get("status") or {}).get("phase") == "Running") == n


def test_pending_pods_scale_up_the_group_they_fit_and_run_there():
    cp, ca, _, _ = cluster([("small", 0, 10, SMALL, {}), ("arm", 0, 10, ARM, {})],
                           options=AutoscalerOptions(expander="least-waste"))
    cp.store.create(deployment("web", 6, cpu="1", memory="1Gi", node_selector={"arch": "arm"}))
    took = cp.run_until(running(cp, 6), max_sim_seconds=120)
    assert took <= 30                                      # one or two scans
    ups = [d for d in ca.decisions if d["action"] == "ScaleUp"]
    assert [(d["group"], d["from"], d["to"]) for d in ups] == [("arm", 0, 1)]
    assert {p["spec"]["nodeName"] for p in live_pods(cp)} == {"arm-0"}
    (ev,) = {e["message"] for e in events(cp, "TriggeredScaleUp")}
    assert ev == "pod triggered scale-up: [{arm 0->1 (max: 10)}]"
    assert len(events(cp, "TriggeredScaleUp")) == 6        # one per pod
    (grp,) = events(cp, "ScaledUpGroup")
    assert grp["involvedObject"]["name"] == "cluster-autoscaler-status"
    assert grp["message"] == "Scale-up: setting group arm size to 1 instead of 0 (max: 10)"


def test_the_packing_gives_the_node_count_and_every_new_node_is_used():
    cp, ca, _, _ = cluster([("small", 0, 10, SMALL, {})])
    cp.store.create(deployment("web", 10, cpu="1500m", memory="1Gi"))
    cp.run_until(running(cp, 10), max_sim_seconds=120)
    (up,) = [d for d in ca.decisions if d["action"] == "ScaleUp"]
    assert up["to"] == 5                                   # 2 pods of 1.5 cpu per 4-cpu node
    used = {p["spec"]["nodeName"] for p in live_pods(cp)}
    assert used == set(up["nodes"])


def test_idle_nodes_are_drained_and_removed_after_the_unneeded_time_down_to_min_size():
    opts = AutoscalerOptions(scale_down_delay_after_add=0.0)
    cp, ca, _, groups = cluster([("small", 2, 10, SMALL, {})], options=opts, initial={"small": 2})
    cp.store.create(deployment("web", 16, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 16), max_sim_seconds=120)
    assert len(groups[0].node_names()) == 4
    scale(cp, "web", 2)
    start = cp.clock.monotonic()
    cp.run_until(lambda: len(groups[0].node_names()) == 2, max_sim_seconds=3600)
    assert cp.clock.monotonic() - start >= 600.0           # never before scale-down-unneeded-time
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    cp.clock.advance(3600)
    settle(cp)
    assert len(groups[0].node_names()) == 2                # min size holds
    st = ca.status()
    assert all(n in {"small-0", "small-1", "small-2", "small-3"} for n in st["scaleDown"]["nodes"])
    removed = [d for d in ca.decisions if d["action"] == "ScaleDown"]
    assert len(removed) == 2
    assert all(live["spec"]["nodeName"] in groups[0].node_names() for live in live_pods(cp))
    assert {e["message"] for e in events(cp, "ScaleDown") if e["involvedObject"]["kind"] == "Node"} >= \
        {"marked the node as toBeDeleted/unschedulable", "node removed by cluster autoscaler"}


def test_max_size_is_respected_and_explained():
    cp, ca, _, groups = cluster([("small", 0, 2, SMALL, {})])
    cp.store.create(deployment("web", 12, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 8), max_sim_seconds=120)
    cp.run_until(lambda: bool(events(cp, "NotTriggerScaleUp")), max_sim_seconds=120)
    assert len(groups[0].node_names()) == 2
    cp.clock.advance(10)                                   # one more scan, on the state the scheduler left
    settle(cp)
    msgs = {e["message"] for e in events(cp, "NotTriggerScaleUp")}
    assert msgs == {"pod didn't trigger scale-up: 1 max node group size reached"}
    pending = [p for p in live_pods(cp) if not p["spec"].get("nodeName")]
    assert len(pending) == 4
    assert set(ca.status()["scaleUp"]["podsNotTriggeringScaleUp"]) == \
        {f"default/{p['metadata']['name']}" for p in pending}


def test_pods_that_fit_no_group_never_scale_up():
    cp, ca, _, groups = cluster([("small", 0, 5, SMALL, {})])
    cp.store.create(deployment("huge", 2, cpu="32", memory="1Gi"))
    cp.run_until(lambda: bool(events(cp, "NotTriggerScaleUp")), max_sim_seconds=120)
    cp.clock.advance(100)
    settle(cp)
    assert groups[0].node_names() == [] and ca.decisions == []
    assert {e["message"] for e in events(cp, "NotTriggerScaleUp")} == \
        {"pod didn't trigger scale-up: 1 Insufficient cpu"}


def test_scale_down_waits_for_the_delay_after_add():
    opts = AutoscalerOptions(scale_down_delay_after_add=1800.0)
    cp, ca, _, groups = cluster([("small", 0, 10, SMALL, {})], options=opts)
    cp.store.create(deployment("web", 8, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 8), max_sim_seconds=120)
    (up,) = ca.decisions
    added_at = ca.last_scale_up
    scale(cp, "web", 0)
    cp.run_until(lambda: groups[0].node_names() == [], max_sim_seconds=7200)
    assert cp.clock.monotonic() - added_at >= 1800.0
    # the nodes were unneeded (empty) for far longer than the unneeded time before that
    (removal, *_) = [d for d in ca.decisions if d["action"] == "ScaleDown"]
    assert removal["evicted"] == []


def test_cooldown_is_reported_while_it_lasts():
    opts = AutoscalerOptions(scale_down_delay_after_add=1800.0)
    cp, ca, _, groups = cluster([("small", 0, 10, SMALL, {})], options=opts)
    cp.store.create(deployment("web", 4, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 4), max_sim_seconds=120)
    scale(cp, "web", 0)
    cp.run_until(lambda: ca.status()["scaleDown"].get("nodes", {}).get("small-0", {}).get("unneededForSeconds", 0)
                 >= 900, max_sim_seconds=1200)
    assert ca.status()["scaleDown"]["cooldown"].startswith("ScaleDownInCooldown")
    assert groups[0].node_names() == ["small-0"]


def test_a_budget_with_no_disruptions_allowed_blocks_the_drain():
    opts = AutoscalerOptions(scale_down_delay_after_add=0.0)
    cp, ca, _, groups = cluster([("small", 0, 10, SMALL, {})], options=opts, initial={"small": 2})
    cp.store.create(deployment("web", 2, cpu="500m", memory="1Gi"))
    cp.store.create(pdb("web", selector={"app": "web"}, min_available=2))
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    cp.clock.advance(1)
    cp.run_until(lambda: ca.status().get("scaleDown", {}).get("nodes"), max_sim_seconds=60)
    cp.clock.advance(3600)
    settle(cp)
    nodes = ca.status()["scaleDown"]["nodes"]
    used = {p["spec"]["nodeName"] for p in live_pods(cp)}
    for name in used:
        assert nodes[name]["reason"] == "BlockedByPod" and nodes[name]["message"].startswith("NotEnoughPdb")
    assert used <= set(groups[0].node_names())
    assert not [d for d in ca.decisions if d["action"] == "ScaleDown" and d["evicted"]]


def web_under_budget(max_unavailable):
    """Two nodes, a 2-replica Deployment under a budget, the autoscaler's
    own scale-down off; the cluster, a node with web pods and those pods."""
    cp, _, _, _ = cluster([("small", 0, 10, SMALL, {})], initial={"small": 2},
                          options=AutoscalerOptions(scale_down_enabled=False))
    cp.store.create(deployment("web", 2, cpu="500m", memory="1Gi"))
    cp.store.create(pdb("web", selector={"app": "web"}, max_unavailable=max_unavailable))
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    node = live_pods(cp)[0]["spec"]["nodeName"]
    return cp, node, [p for p in live_pods(cp) if p["spec"]["nodeName"] == node]


def test_a_refused_eviction_aborts_the_removal_and_untaints_the_node():
    cp, node, on_node = web_under_budget(0)
    deleted = []
    result = drain_node(cp.store, cp.clock.now(), node, on_node, lambda: deleted.append(node))
    assert not result.removed and deleted == [] and result.evicted == ()
    assert "Cannot evict pod as it would violate the pod's disruption budget" in result.message
    taints = cp.store.get("Node", None, node)["spec"].get("taints") or []
    assert not [t for t in taints if t["key"] == TO_BE_DELETED_TAINT]
    assert len(live_pods(cp)) == 2


def test_a_drain_taints_evicts_and_deletes():
    cp, node, on_node = web_under_budget(1)
    seen = []
    result = drain_node(cp.store, cp.clock.now(), node, on_node,
                        lambda: seen.append([t["key"] for t in cp.store.get("Node", None, node)["spec"]["taints"]]))
    assert result.removed and len(result.evicted) == len(on_node)
    assert seen == [[TO_BE_DELETED_TAINT]]                 # tainted before the provider deleted it


def test_the_local_node_is_a_fixed_group_that_takes_pods_but_never_changes():
    opts = AutoscalerOptions(scale_down_delay_after_add=0.0)
    cp, ca, provider, groups = cluster([("small", 0, 10, SMALL, {})], options=opts, initial={"small": 1})
    cp.fleet.add_nodes(["my-host"], NodeTemplate(cpu="4", memory="16Gi"))
    local = NodeGroup.fixed("local", ["my-host"])
    ca.groups.append(local)
    assert (local.min_size, local.max_size, local.can_grow) == (1, 1, False)
    cp.store.create(deployment("web", 2, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    cp.clock.advance(1200)
    cp.run_until(lambda: groups[0].node_names() == [], max_sim_seconds=3600)
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    assert {p["spec"]["nodeName"] for p in live_pods(cp)} == {"my-host"}    # moved onto the local node
    assert "my-host" in cp.fleet.nodes
    st = {g["name"]: g for g in ca.status()["nodeGroups"]}
    assert st["local"]["nodes"] == ["my-host"] and st["local"]["size"] == 1


def test_status_is_written_to_the_configmap():
    cp, ca, _, _ = cluster([("small", 0, 3, SMALL, {})])
    cp.store.create(deployment("web", 2, cpu="1", memory="1Gi"))
    cp.run_until(running(cp, 2), max_sim_seconds=120)
    cm = cp.store.get("ConfigMap", "kube-system", "cluster-autoscaler-status")
    st = yaml.safe_load(cm["data"]["status"])
    assert st == ca.status()
    assert st["nodeGroups"][0]["name"] == "small" and st["autoscalerStatus"] == "Running"


def test_the_pdb_status_writer_fills_in_status():
    cp, ca, _, _ = cluster([("small", 0, 3, SMALL, {})], initial={"small": 1})
    cp.add_component(PdbStatusWriter(cp.store, cp.clock, pods=cp.pods))
    cp.store.create(deployment("web", 3, cpu="100m", memory="1Gi"))
    cp.store.create(pdb("web", selector={"app": "web"}, max_unavailable="34%"))
    cp.run_until(running(cp, 3), max_sim_seconds=120)
    cp.run_until(lambda: (cp.store.get("PodDisruptionBudget", "default", "web").get("status") or {})
                 .get("currentHealthy") == 3, max_sim_seconds=60)
    st = cp.store.get("PodDisruptionBudget", "default", "web")["status"]
    assert (st["expectedPods"], st["desiredHealthy"], st["currentHealthy"], st["disruptionsAllowed"]) == (3, 1, 3, 2)
