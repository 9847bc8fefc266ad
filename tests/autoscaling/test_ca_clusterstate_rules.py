"""Readiness and health as cluster-autoscaler's clusterstate registry counts
them (``updateReadinessStats``, ``IsClusterHealthy``, ``IsNodeGroupHealthy``):
pure table tests."""

from __future__ import annotations

import pytest

from kubekit.autoscaling.cluster.clusterstate import (
    MAX_NODE_STARTUP_TIME, Readiness, cluster_healthy, group_healthy, node_is_ready, readiness,
)

NOW = 10_000.0


def test_each_registered_node_is_in_exactly_one_class():
    nodes = [("ready", True, False, 0.0), ("deleting", True, True, 0.0), ("young", False, False, NOW - 60),
             ("old", False, False, NOW - MAX_NODE_STARTUP_TIME - 1), ("edge", False, False, NOW - MAX_NODE_STARTUP_TIME)]
    r = readiness(nodes, [("booting", NOW - 60), ("lost", NOW - 901), ("edge-u", NOW - 900)], NOW)
    assert r == Readiness(ready=("ready",), unready=("old", "edge"), not_started=("young",), deleted=("deleting",),
                          unregistered=("booting", "edge-u"), long_unregistered=("lost",),
                          registered=("ready", "deleting", "young", "old", "edge"))
    assert r.counts() == {"registered": 5, "ready": 1, "notStarted": 1, "beingDeleted": 1, "unready": 2,
                          "resourceUnready": 0, "unregistered": 2, "longUnregistered": 1}


@pytest.mark.parametrize("unready, registered, healthy", [
    (0, 0, True), (3, 3, True),          # at most ok-total-unready-count (3): always fine
    (4, 4, False), (4, 8, False),        # 4 > 3 and 4 > 45% of 8 = 3.6
    (4, 9, True),                        # 4 > 3 but 4 <= 45% of 9 = 4.05
    (5, 11, False), (5, 12, True),       # 4.95 / 5.4
    (100, 223, True), (100, 222, False),  # 100.35 / 99.9
])
def test_cluster_health(unready, registered, healthy):
    r = Readiness(unready=tuple(f"u{i}" for i in range(unready)))
    assert cluster_healthy(r, registered) is healthy


def test_cluster_health_options():
    r = Readiness(unready=("a", "b"))
    assert cluster_healthy(r, 2) and not cluster_healthy(r, 2, ok_total_unready_count=1)
    assert cluster_healthy(r, 2, ok_total_unready_count=1, max_total_unready_percentage=100.0)


def group(ready=0, unready=0, not_started=0, long_unregistered=0):
    return Readiness(ready=tuple(f"r{i}" for i in range(ready)), unready=tuple(f"u{i}" for i in range(unready)),
                     not_started=tuple(f"n{i}" for i in range(not_started)),
                     long_unregistered=tuple(f"l{i}" for i in range(long_unregistered)))


@pytest.mark.parametrize("readiness_, target, in_flight, healthy", [
    (None, 0, 0, True),                    # an empty group at size 0
    (None, 3, 3, True),                    # nothing registered yet: the scale-up is under way
    (None, 3, 0, False),                   # three nodes expected, none anywhere
    (group(ready=5), 5, 0, True),
    (group(ready=1, unready=4), 5, 0, False),          # 4 missing > 3, > 45% of 5
    (group(ready=2, unready=3), 5, 0, True),           # 3 missing: within ok-total-unready-count
    (group(ready=1, not_started=4), 5, 4, True),       # the missing ones are a scale-up in flight
    (group(ready=1, unready=4, long_unregistered=4), 9, 0, False),   # 9 - 4 long unregistered = 5: 4 missing
    (group(ready=6, unready=4), 10, 0, True),          # 4 missing <= 45% of 10
    (group(ready=1, unready=8), 9, 0, False),
])
def test_group_health(readiness_, target, in_flight, healthy):
    assert group_healthy(readiness_, target, in_flight) is healthy


@pytest.mark.parametrize("conditions, ready", [
    ([{"type": "Ready", "status": "True"}], True),
    ([{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}], True),
    ([{"type": "Ready", "status": "False"}], False),
    ([{"type": "Ready", "status": "Unknown"}], False),
    ([], False),
])
def test_node_is_ready(conditions, ready):
    assert node_is_ready({"status": {"conditions": conditions}}) is ready
