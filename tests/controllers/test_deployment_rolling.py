"""Scaling old ReplicaSets down in a rolling update.  Upstream tables:
``pkg/controller/deployment/rolling_test.go`` (TestDeploymentController_
reconcileOldReplicaSets, _cleanupUnhealthyReplicas,
_scaleDownOldReplicaSetsForRollingUpdate).  Current upstream (``newDeployment``
with maxSurge 0, ``rs.Status.AvailableReplicas`` set from the "ready pods"
columns) has the same rows as the older pod-listing version; both were read.
Upstream asserts only whether scaling happened for reconcileOldReplicaSets;
the expectedOldReplicas column is checked here too."""

from __future__ import annotations

import pytest

from ctrl_builders import NOW, deployment, rs
from kubekit.controllers import (
    ControllerInputError, cleanup_unhealthy_replicas, reconcile_old_replica_sets, rolling_update_step,
    scale_down_old_replica_sets_for_rolling_update,
)

# (deploymentReplicas, maxUnavailable, oldReplicas, newReplicas, readyOld, readyNew, scaleExpected, expectedOld)
RECONCILE_OLD = [
    (10, 0, 10, 0, 10, 0, True, 9),
    (10, 2, 10, 0, 10, 0, True, 8),
    (10, 2, 10, 0, 8, 0, True, 8),   # unhealthy replicas of the old RS cleaned up
    (10, 2, 10, 0, 9, 0, True, 8),   # 1 unhealthy cleaned up, 1 ready scaled down
    (10, 2, 8, 2, 8, 0, False, 8),   # unavailable new pods block further scale-down
]


@pytest.mark.parametrize("dep,mu,old,new,ready_old,ready_new,scale,expected_old", RECONCILE_OLD,
                         ids=[f"TestDeploymentController_reconcileOldReplicaSets/{i}" for i in range(len(RECONCILE_OLD))])
def test_reconcile_old_replica_sets(dep, mu, old, new, ready_old, ready_new, scale, expected_old):
    d = deployment(replicas=dep, max_surge=0, max_unavailable=mu)
    new_rs = rs("foo-new", new, available=ready_new)
    old_rs = rs("foo-old", old, available=ready_old)
    decision = reconcile_old_replica_sets(d, [old_rs, new_rs], [old_rs], new_rs)
    assert decision.scaled is scale
    assert decision.replicas.get("foo-old", old) == expected_old


# (oldReplicas, readyPods, unHealthyPods, maxCleanupCount, cleanupCountExpected)
CLEANUP = [(10, 8, 2, 1, 1), (10, 8, 2, 3, 2), (10, 8, 2, 0, 0), (10, 10, 0, 3, 0)]


@pytest.mark.parametrize("old,ready,unhealthy,max_cleanup,expected", CLEANUP,
                         ids=[f"TestDeploymentController_cleanupUnhealthyReplicas/{i}" for i in range(len(CLEANUP))])
def test_cleanup_unhealthy_replicas(old, ready, unhealthy, max_cleanup, expected):
    sizes, count = cleanup_unhealthy_replicas([rs("foo-v2", old, available=ready)], max_cleanup)
    assert count == expected
    assert sizes.get("foo-v2", old) == old - expected


def test_cleanup_refuses_to_scale_up():
    # rolling.go: availableReplicas > spec.replicas makes a scale-*up* request; upstream errors.
    with pytest.raises(ControllerInputError, match=r"scale down default/odd 2 -> 3"):
        cleanup_unhealthy_replicas([rs("odd", 2, available=3)], 5)


# (deploymentReplicas, maxUnavailable, readyPods, oldReplicas, scaleExpected, expectedOldReplicas)
SCALE_DOWN_OLD = [
    (10, 0, 10, 10, True, 9),
    (10, 2, 10, 10, True, 8),
    (10, 2, 8, 10, False, None),
    (10, 2, 10, 0, False, None),
    (10, 2, 1, 10, False, None),
]


@pytest.mark.parametrize("dep,mu,ready,old,scale,expected", SCALE_DOWN_OLD,
                         ids=[f"TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/{i}"
                              for i in range(len(SCALE_DOWN_OLD))])
def test_scale_down_old_for_rolling_update(dep, mu, ready, old, scale, expected):
    d = deployment(replicas=dep, max_surge=0, max_unavailable=mu)
    old_rs = rs("foo-v2", old, available=ready)
    sizes, count = scale_down_old_replica_sets_for_rolling_update(d, [old_rs], [old_rs])
    assert (count > 0) is scale
    if scale:
        assert sizes["foo-v2"] == expected


def test_oldest_old_rs_scaled_down_first():
    # scaleDownOldReplicaSetsForRollingUpdate sorts by creationTimestamp (kubekit row).
    from datetime import timedelta
    d = deployment(replicas=6, max_surge=0, max_unavailable=3)
    older = rs("older", 3, created=NOW - timedelta(hours=2), available=3)
    newer = rs("newer", 3, created=NOW - timedelta(hours=1), available=3)
    new_rs = rs("new", 0, created=NOW)
    decision = reconcile_old_replica_sets(d, [newer, older, new_rs], [newer, older], new_rs)
    assert decision.replicas == {"older": 0}


def test_rolling_update_step_scales_up_before_down():
    d = deployment(replicas=4, max_surge=1, max_unavailable=1)
    old_rs, new_rs = rs("old", 4, available=4), rs("new", 0)
    step = rolling_update_step(d, new_rs, [old_rs])
    assert (step.phase, step.replicas) == ("scale-up-new", {"new": 1})
    new_rs = rs("new", 1)
    step = rolling_update_step(d, new_rs, [old_rs])
    assert (step.phase, step.replicas) == ("scale-down-old", {"old": 3})
