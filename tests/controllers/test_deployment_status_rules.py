"""Deployment status.  Upstream tables: ``deployment/util/deployment_util_test.go``
(TestDeploymentComplete, TestDeploymentProgressing, TestDeploymentTimedOut,
TestGetReplicaCountForReplicaSets; v1.35-era version) and ``deployment/progress_test.go``
(TestRequeueStuckDeployment; the stored copy is an older extensions/v1beta1 one).  Rows for calculateStatus/syncRolloutStatus
are kubekit's, derived from ``sync.go``/``progress.go``, and say so."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ctrl_builders import NOW, deployment, rs
from kubekit.controllers import (
    deployment_complete, deployment_progressing, deployment_status, deployment_timed_out, progress_requeue_after,
    rollout_status,
)
from kubekit.controllers.deployment_rules import actual_replica_count, replica_count
from kubekit.controllers.deployment_status import terminating_replica_count


# TestGetReplicaCountForReplicaSets (v1.35 version with terminatingReplicas).  Upstream sets
# rs1.Status.ObservedGeneration twice and never rs2's; transcribed as written.
_rs1 = rs("foo-rs", 1, status_replicas=2, observedGeneration=1, terminatingReplicas=3)
_rs2 = rs("bar-rs", 2, status_replicas=3, terminatingReplicas=1)
_rs3 = rs("unsynced-rs", 3, status_replicas=0)
_rs4 = rs("dropped-rs", 1, status_replicas=1, observedGeneration=1)
REPLICA_COUNTS = [
    ("scaling down rs1", [_rs1], 1, 2, 3),
    ("scaling down rs1 and rs2", [_rs1, _rs2], 3, 5, 4),
    ("scaling up rs3", [_rs3], 3, 0, 0),
    ("scaling down rs1 and rs2 and scaling up rs3", [_rs1, _rs2, _rs3], 6, 5, 4),
    ("invalid/unknown terminating status for rs4", [_rs4], 1, 1, None),
    ("invalid/unknown terminating status for rs4 with rs1, rs2 and rs3", [_rs1, _rs2, _rs3, _rs4], 7, 6, None),
]


@pytest.mark.parametrize("name,sets,count,actual,terminating", REPLICA_COUNTS,
                         ids=[f"TestGetReplicaCountForReplicaSets/{r[0]}" for r in REPLICA_COUNTS])
def test_get_replica_count_for_replica_sets(name, sets, count, actual, terminating):
    assert replica_count(sets) == count
    assert actual_replica_count(sets) == actual
    assert terminating_replica_count(sets) == terminating


def _complete_d(desired, current, updated, available, mu, ms):
    return deployment(replicas=desired, max_surge=ms, max_unavailable=mu,
                      status={"replicas": current, "updatedReplicas": updated, "availableReplicas": available})


COMPLETE = [
    ("not complete: min but not all pods become available", _complete_d(5, 5, 5, 4, 1, 0), False),
    ("not complete: min availability is not honored", _complete_d(5, 5, 5, 3, 1, 0), False),
    ("complete", _complete_d(5, 5, 5, 5, 0, 0), True),
    ("not complete: all pods are available but not updated", _complete_d(5, 5, 4, 5, 0, 0), False),
    ("not complete: still running old pods", _complete_d(1, 2, 1, 1, 0, 1), False),
    ("not complete: one replica deployment never comes up", _complete_d(1, 1, 1, 0, 1, 1), False),
]


@pytest.mark.parametrize("name,d,expected", COMPLETE, ids=[f"TestDeploymentComplete/{r[0]}" for r in COMPLETE])
def test_deployment_complete(name, d, expected):
    assert deployment_complete(d, d["status"]) is expected


def _counts(current, updated, ready, available):
    return {"replicas": current, "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": available}


PROGRESSING = [
    ("progressing: updated pods", (10, 4, 4, 4), (10, 6, 4, 4), True),
    ("not progressing", (10, 4, 4, 4), (10, 4, 4, 4), False),
    ("progressing: old pods removed", (10, 4, 6, 6), (8, 4, 6, 6), True),
    ("not progressing: less new pods", (10, 7, 3, 3), (10, 6, 3, 3), False),
    ("progressing: less overall but more new pods", (10, 4, 7, 7), (8, 8, 5, 5), True),
    ("progressing: more ready pods", (10, 10, 9, 8), (10, 10, 10, 8), True),
    ("progressing: more available pods", (10, 10, 10, 9), (10, 10, 10, 10), True),
]


@pytest.mark.parametrize("name,old,new,expected", PROGRESSING, ids=[f"TestDeploymentProgressing/{r[0]}" for r in PROGRESSING])
def test_deployment_progressing(name, old, new, expected):
    d = deployment(status=_counts(*old))
    assert deployment_progressing(d, _counts(*new)) is expected


def _time(minute, sec):
    return datetime(2016, 1, 1, 0, minute, sec, tzinfo=timezone.utc)


def _timed_d(reason, pds, since):
    d = deployment(progress_deadline=pds)
    d["status"] = {"conditions": [{"type": "Progressing", "status": "True", "reason": reason,
                                   "lastUpdateTime": since.isoformat() if since else None}]}
    return d


TIMED_OUT = [
    ("nil progressDeadlineSeconds specified - no timeout", _timed_d("", None, _time(1, 9)), _time(1, 20), False),
    ("infinite progressDeadlineSeconds specified - no timeout", _timed_d("", 2**31 - 1, _time(1, 9)), _time(1, 20), False),
    ("progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s",
     _timed_d("", 10, _time(1, 9)), _time(1, 20), True),
    ("progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s",
     _timed_d("", 10, _time(1, 11)), _time(1, 20), False),
    ("previous status was a complete deployment", _timed_d("NewReplicaSetAvailable", None, None), _time(1, 20), False),
]


@pytest.mark.parametrize("name,d,now,expected", TIMED_OUT, ids=[f"TestDeploymentTimedOut/{r[0]}" for r in TIMED_OUT])
def test_deployment_timed_out(name, d, now, expected):
    assert deployment_timed_out(d, d["status"], now) is expected


def test_timed_out_boundary_is_strict():
    # DeploymentTimedOut: from.Add(delta).Before(now) — exactly at the deadline is not timed out (kubekit row).
    d = _timed_d("ReplicaSetUpdated", 10, _time(1, 10))
    assert not deployment_timed_out(d, d["status"], _time(1, 20))
    assert deployment_timed_out(d, d["status"], _time(1, 20) + timedelta(microseconds=1))


def test_calculate_status_counts_and_available_condition():
    # sync.go calculateStatus (kubekit rows): sums over RS statuses; unavailable = Σspec - available.
    d = deployment(replicas=5, max_surge=1, max_unavailable=1, generation=3)
    new_rs = rs("new", 3, status_replicas=3, available=2, readyReplicas=3, terminatingReplicas=1)
    old_rs = rs("old", 3, status_replicas=3, available=3, readyReplicas=3, terminatingReplicas=0)
    status = deployment_status(d, [old_rs, new_rs], new_rs, NOW)
    assert {k: status[k] for k in ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                                   "availableReplicas", "unavailableReplicas", "terminatingReplicas")} == {
        "observedGeneration": 3, "replicas": 6, "updatedReplicas": 3, "readyReplicas": 6,
        "availableReplicas": 5, "unavailableReplicas": 1, "terminatingReplicas": 1}
    (cond,) = status["conditions"]
    assert (cond["type"], cond["status"], cond["reason"]) == ("Available", "True", "MinimumReplicasAvailable")
    short = deployment_status(d, [rs("only", 5, available=3, observedGeneration=1)], None, NOW)
    assert short["conditions"][0]["reason"] == "MinimumReplicasUnavailable"
    assert short["unavailableReplicas"] == 2 and "terminatingReplicas" not in short  # RS does not report it


def test_rollout_status_progressing_conditions():
    # progress.go syncRolloutStatus (kubekit rows): progress -> ReplicaSetUpdated; complete -> NewReplicaSetAvailable;
    # stuck past the deadline -> False/ProgressDeadlineExceeded.
    earlier = NOW - timedelta(minutes=30)
    d = deployment(name="web", replicas=2, max_surge=1, max_unavailable=0, progress_deadline=600,
                   status={"replicas": 2, "updatedReplicas": 0, "availableReplicas": 2, "conditions": [
                       {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                        "lastUpdateTime": earlier.isoformat(), "lastTransitionTime": earlier.isoformat()}]})
    new_rs = rs("web-new", 1, status_replicas=1, available=0)
    old_rs = rs("web-old", 2, status_replicas=2, available=2)
    moving = rollout_status(d, [old_rs, new_rs], new_rs, NOW)
    prog = next(c for c in moving["conditions"] if c["type"] == "Progressing")
    assert (prog["status"], prog["reason"], prog["message"]) == ("True", "ReplicaSetUpdated",
                                                                 'ReplicaSet "web-new" is progressing.')
    assert prog["lastTransitionTime"] == earlier.isoformat() and prog["lastUpdateTime"] == "2025-06-15T12:00:00Z"
    d["status"].update(updatedReplicas=1, replicas=3)
    stuck = rollout_status(d, [old_rs, new_rs], new_rs, NOW)
    prog = next(c for c in stuck["conditions"] if c["type"] == "Progressing")
    assert (prog["status"], prog["reason"]) == ("False", "ProgressDeadlineExceeded")
    done_new = rs("web-new", 2, status_replicas=2, available=2)
    done = rollout_status(d, [rs("web-old", 0, status_replicas=0), done_new], done_new, NOW)
    prog = next(c for c in done["conditions"] if c["type"] == "Progressing")
    assert (prog["status"], prog["reason"]) == ("True", "NewReplicaSetAvailable")


def test_rollout_status_copies_replica_failure():
    d = deployment(replicas=1)
    failing = rs("new", 1, status_replicas=0, conditions=[
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "quota",
         "lastTransitionTime": "2025-06-15T11:00:00Z"}])
    status = rollout_status(d, [failing], failing, NOW)
    fail = next(c for c in status["conditions"] if c["type"] == "ReplicaFailure")
    assert (fail["reason"], fail["message"], fail["lastUpdateTime"]) == ("FailedCreate", "quota", "2025-06-15T11:00:00Z")
    assert not any(c["type"] == "Progressing" for c in status["conditions"])  # no deadline set


def _stuck_d(pds, replicas, status_replicas, updated, available, conditions):
    """``currentDeployment(pds, replicas, statusReplicas, updatedReplicas, availableReplicas, conditions)``."""
    d = deployment(name="progress-test", replicas=replicas, strategy="Recreate", progress_deadline=pds)
    d["status"] = {"replicas": status_replicas, "updatedReplicas": updated, "availableReplicas": available}
    if conditions:
        d["status"]["conditions"] = conditions
    return d


_FAILED = [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]
_STUCK = [{"type": "Progressing", "status": "True", "lastUpdateTime": "2017-02-15T18:49:00Z"}]


def _at(minute, sec, micro=0):
    return datetime(2017, 2, 15, 18, minute, sec, micro, tzinfo=timezone.utc)


# (name, deployment, new status (replicas, updated, available), now, expected)
REQUEUE = [
    ("no progressDeadlineSeconds specified", _stuck_d(None, 4, 3, 3, 2, None), (3, 3, 2), _at(49, 0), None),
    ("no progressing condition found", _stuck_d(60, 4, 3, 3, 2, None), (3, 3, 2), _at(49, 0), None),
    ("complete deployment does not need to be requeued", _stuck_d(60, 3, 3, 3, 3, None), (3, 3, 3), _at(49, 0), None),
    ("already failed deployment does not need to be requeued", _stuck_d(60, 3, 3, 3, 0, _FAILED), (3, 3, 0),
     _at(49, 0), None),
    ("stuck deployment - 30s", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(49, 30), timedelta(seconds=30)),
    ("stuck deployment - 1s", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(49, 59), timedelta(seconds=1)),
    # Upstream uses 1 ns past 18:49:59; Python datetimes stop at microseconds, so 1 µs here.
    ("failed deployment - less than a second => now", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(49, 59, 1),
     timedelta(0)),
    ("failed deployment - now", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(50, 0), timedelta(0)),
    ("failed deployment - 1s after deadline", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(50, 1), timedelta(0)),
    ("failed deployment - 60s after deadline", _stuck_d(60, 3, 3, 3, 1, _STUCK), (3, 3, 1), _at(51, 0), timedelta(0)),
]


@pytest.mark.parametrize("name,d,status,now,expected", REQUEUE, ids=[f"TestRequeueStuckDeployment/{r[0]}" for r in REQUEUE])
def test_requeue_stuck_deployment(name, d, status, now, expected):
    new_status = {"replicas": status[0], "updatedReplicas": status[1], "availableReplicas": status[2]}
    assert progress_requeue_after(d, new_status, now) == expected
