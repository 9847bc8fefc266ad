"""Recreate strategy.  Upstream tables: ``pkg/controller/deployment/recreate_test.go``
(TestOldPodsRunning, TestScaleDownOldReplicaSets)."""

from __future__ import annotations

import pytest

from ctrl_builders import deployment, pod, rs
from kubekit.controllers import old_pods_running, recreate_step


def _status_rs(name, spec, status):
    return rs(name, spec, status_replicas=status)


def _pods(*phases):
    return [pod(f"p{i}", phase=phase) for i, phase in enumerate(phases)]


OLD_PODS_RUNNING = [
    ("no old RSs", None, [], None, False),
    ("old RSs with running pods", None, [rs("foo-some-uid", 0, uid="some-uid"), rs("foo-other-uid", 0, uid="other-uid")],
     {"some-uid": _pods("", ""), "other-uid": _pods("", "")}, True),
    ("old RSs without pods but with non-zero status replicas", None, [_status_rs("rs-1", 0, 1)], None, True),
    ("old RSs without pods or non-zero status replicas", None, [_status_rs("rs-1", 0, 0)], None, False),
    ("old RSs with zero status replicas but pods in terminal state are present", None, [_status_rs("rs-1", 0, 0)],
     {"uid-1": _pods("Failed", "Succeeded")}, False),
    ("old RSs with zero status replicas but pod in unknown phase present", None, [_status_rs("rs-1", 0, 0)],
     {"uid-1": _pods("Unknown")}, True),
    ("old RSs with zero status replicas with pending pod present", None, [_status_rs("rs-1", 0, 0)],
     {"uid-1": _pods("Pending")}, True),
    ("old RSs with zero status replicas with running pod present", None, [_status_rs("rs-1", 0, 0)],
     {"uid-1": _pods("Running")}, True),
    ("old RSs with zero status replicas but pods in terminal state and pending are present", None,
     [_status_rs("rs-1", 0, 0)], {"uid-1": _pods("Failed", "Succeeded"), "uid-2": [], "uid-3": _pods("Pending")}, True),
]


@pytest.mark.parametrize("name,new_rs,old_rss,pod_map,expected", OLD_PODS_RUNNING,
                         ids=[f"TestOldPodsRunning/{r[0]}" for r in OLD_PODS_RUNNING])
def test_old_pods_running(name, new_rs, old_rss, pod_map, expected):
    assert old_pods_running(new_rs, old_rss, pod_map) is expected


def test_scale_down_old_replica_sets():
    # TestScaleDownOldReplicaSets: oldRSSizes [3], Deployment of 3 -> every old RS to 0.
    d = deployment(replicas=3, strategy="Recreate")
    step = recreate_step(d, None, [rs("foo-0", 3)])
    assert (step.phase, step.replicas) == ("scale-down-old", {"foo-0": 0})


def test_recreate_sequence():
    # rolloutRecreate order (kubekit rows): wait for old pods, create, scale up, done.
    d = deployment(replicas=2, strategy="Recreate")
    old = rs("old", 0, status_replicas=0, uid="old-uid")
    assert recreate_step(d, None, [old], {"old-uid": _pods("Running")}).phase == "wait-for-old-pods"
    created = recreate_step(d, None, [old], {"old-uid": _pods("Succeeded")})
    assert (created.phase, created.new_rs_replicas) == ("create-new-rs", 2)
    new = rs("new", 0, uid="new-uid")
    assert recreate_step(d, new, [old], {"new-uid": _pods("Running")}).replicas == {"new": 2}
    assert recreate_step(d, rs("new", 2, uid="new-uid"), [old]).phase == "none"
