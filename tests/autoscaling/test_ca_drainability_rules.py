"""The cluster autoscaler's drain rules (which pods block a node's removal,
which must move) and the per-pass budget tracker, as tables."""

from __future__ import annotations

import pytest
from ca_builders import pdb, pod

from kubekit.autoscaling.cluster.drainability import BlockingReason, RemainingBudgets, pods_to_move

RS = ("ReplicaSet", "web-rs")
NOW = 1_700_000_000.0
SOON = "2023-11-14T22:13:30Z"          # NOW + 10 s: deleting, within its grace period
LONG_AGO = "2023-11-14T22:00:00Z"      # deleted well over 30 s + 30 s ago


@pytest.mark.parametrize("p, moved, blocked", [
    (pod("a", owner=RS), True, None),
    (pod("a"), False, BlockingReason.NOT_REPLICATED),
    (pod("a", annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}), True, None),
    (pod("a", owner=RS, annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}), False,
     BlockingReason.NOT_SAFE_TO_EVICT_ANNOTATION),
    (pod("a", owner=RS, volumes=[{"name": "v", "emptyDir": {}}]), False, BlockingReason.LOCAL_STORAGE_REQUESTED),
    (pod("a", owner=RS, volumes=[{"name": "v", "hostPath": {"path": "/x"}}]), False,
     BlockingReason.LOCAL_STORAGE_REQUESTED),
    (pod("a", owner=RS, volumes=[{"name": "v", "configMap": {"name": "c"}}]), True, None),
    (pod("a", owner=RS, volumes=[{"name": "v", "emptyDir": {}}],
         annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}), True, None),
    (pod("a", ns="kube-system", owner=RS), False, BlockingReason.UNMOVABLE_KUBE_SYSTEM_POD),
    (pod("a", owner=("DaemonSet", "ds")), False, None),               # goes with the node, never blocks
    (pod("a", annotations={"kubernetes.io/config.mirror": "x"}), False, None),    # mirror: ignored
    (pod("a", phase="Succeeded"), False, None),                      # finished: nothing to move
    (pod("a", phase="Failed", owner=RS), False, None),
    (pod("a", deleting=LONG_AGO), False, None),                      # long terminating: ignored
    (pod("a", deleting=SOON), False, BlockingReason.NOT_REPLICATED),  # still terminating: still counts
])
def test_drain_rules(p, moved, blocked):
    plan = pods_to_move([p], now=NOW)
    assert (plan.blocking.reason if plan.blocking else None) == blocked
    assert (len(plan.to_move) == 1) is moved


def test_a_kube_system_pod_with_a_budget_may_move():
    p = pod("dns", ns="kube-system", owner=RS, labels={"k8s-app": "dns"})
    budget = pdb("dns", ns="kube-system", selector={"k8s-app": "dns"}, max_unavailable=1)
    assert pods_to_move([p], pdbs=[budget], now=NOW).to_move == (p,)
    assert pods_to_move([p], now=NOW, skip_nodes_with_system_pods=False).to_move == (p,)


def test_local_storage_does_not_block_when_told():
    p = pod("a", owner=RS, volumes=[{"name": "v", "emptyDir": {}}])
    assert pods_to_move([p], now=NOW, skip_nodes_with_local_storage=False).drainable


def test_a_missing_controller_blocks():
    plan = pods_to_move([pod("a", owner=RS)], controller_exists=lambda p: False, now=NOW)
    assert plan.blocking.reason is BlockingReason.CONTROLLER_NOT_FOUND
    assert plan.blocking.message == "owner ReplicaSet for default/a is not available"


def test_the_first_blocking_pod_is_named_and_daemonset_pods_are_listed():
    ds = pod("ds", owner=("DaemonSet", "ds"))
    plan = pods_to_move([ds, pod("ok", owner=RS)], now=NOW)
    assert plan.daemonset == (ds,) and [p["metadata"]["name"] for p in plan.to_move] == ["ok"]
    plan = pods_to_move([pod("ok", owner=RS), pod("bare"), pod("bare2")], now=NOW)
    assert plan.blocking.pod == "default/bare" and plan.blocking.message == "default/bare is not replicated"


def test_remaining_budgets_count_across_nodes_of_one_pass():
    budget = pdb("web", selector={"app": "web"}, max_unavailable=1)
    pods = [pod(f"w{i}", owner=RS, labels={"app": "web"}) for i in range(3)]
    tracker = RemainingBudgets([budget], {"default/web": 2})
    assert tracker.check(pods[:2]) is None
    assert tracker.check(pods).reason is BlockingReason.NOT_ENOUGH_PDB
    tracker.take(pods[:1])
    assert tracker.check(pods[1:2]) is None
    tracker.take(pods[1:2])
    assert tracker.check(pods[2:]).pod == "default/w2"
    # an unready pod takes nothing from the budget
    assert tracker.check([pod("u", owner=RS, labels={"app": "web"}, ready=False)]) is None
    # a pod no budget covers is free
    assert tracker.check([pod("other", owner=RS, labels={"app": "db"})]) is None


def test_a_zero_budget_blocks_every_covered_pod():
    tracker = RemainingBudgets([pdb("web", selector={"app": "web"}, min_available=3)], {"default/web": 0})
    assert tracker.check([pod("w", owner=RS, labels={"app": "web"})]).reason is BlockingReason.NOT_ENOUGH_PDB
