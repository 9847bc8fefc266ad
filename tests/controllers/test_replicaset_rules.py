"""ReplicaSet decisions.  Upstream tables: ``pkg/controller/replicaset/
replica_set_utils_test.go`` (TestCalculateStatus, TestCalculateStatusConditions).
manageReplicas / slowStartBatch have no table test upstream; their rows here
are derived from ``replica_set.go`` and say so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, strategies as st

from ctrl_builders import NOW, pod
from kubekit.controllers import (
    ControllerInputError, manage_replicas_decision, replicaset_status, simulate_slow_start, slow_start_batches,
)
from kubekit.controllers.replicaset_rules import counts_from_tally, pod_tally_key, replicaset_status_from_counts

FULL = {"name": "foo", "type": "production"}  # newReplicaSet's template labels


def new_replica_set(replicas: int, selector: dict, min_ready: int = 0, conditions=None, generation: int = 0) -> dict:
    """``newReplicaSet(replicas, selectorMap)`` of replica_set_test.go."""
    return {
        "metadata": {"name": "foobar", "generation": generation},
        "spec": {"replicas": replicas, "selector": {"matchLabels": selector}, "minReadySeconds": min_ready,
                 "template": {"metadata": {"labels": dict(FULL)}}},
        "status": {"conditions": conditions} if conditions else {},
    }


def new_pod(name: str, rs: dict, phase: str) -> dict:
    """``newPod(name, rs, phase, nil, true)``: Running pods get Ready=True with a zero transition time."""
    return pod(name, node="", phase=phase, ready=(phase == "Running"),
               labels=dict(rs["spec"]["selector"]["matchLabels"]))


not_fully = new_replica_set(1, {"name": "foo"})
fully = new_replica_set(2, FULL)
long_min_ready = new_replica_set(1, FULL, min_ready=3600)

# (upstream row, rs, pods, replicas, fullyLabeled, ready, available)
CALCULATE_STATUS = [
    ("1 fully labelled pod", fully, [new_pod("pod1", fully, "Running")], 1, 1, 1, 1),
    ("1 not fully labelled pod", not_fully, [new_pod("pod1", not_fully, "Running")], 1, 0, 1, 1),
    ("2 fully labelled pods", fully, [new_pod("pod1", fully, "Running"), new_pod("pod2", fully, "Running")], 2, 2, 2, 2),
    ("2 not fully labelled pods", not_fully,
     [new_pod("pod1", not_fully, "Running"), new_pod("pod2", not_fully, "Running")], 2, 0, 2, 2),
    ("1 fully labelled pod, 1 not fully labelled pod", not_fully,
     [new_pod("pod1", not_fully, "Running"), new_pod("pod2", fully, "Running")], 2, 1, 2, 2),
    ("1 non-ready pod", fully, [new_pod("pod1", fully, "Pending")], 1, 1, 0, 0),
    ("1 ready but non-available pod", long_min_ready, [new_pod("pod1", long_min_ready, "Running")], 1, 1, 1, 0),
]


@pytest.mark.parametrize("name,rs,pods,replicas,fully_labeled,ready,available", CALCULATE_STATUS,
                         ids=[f"TestCalculateStatus/{r[0]}" for r in CALCULATE_STATUS])
def test_calculate_status(name, rs, pods, replicas, fully_labeled, ready, available):
    status = replicaset_status(rs, pods, NOW, terminating_replicas=False)
    assert status == {"replicas": replicas, "fullyLabeledReplicas": fully_labeled, "readyReplicas": ready,
                      "availableReplicas": available, "observedGeneration": 0}


rs2 = new_replica_set(2, {"name": "foo"})
failure_rs = new_replica_set(10, {"name": "foo"}, conditions=[{"type": "ReplicaFailure", "status": "True"}])

# (upstream row, rs, pods, manageReplicasErr, expected conditions without lastTransitionTime)
CONDITIONS = [
    ("manageReplicasErr != nil && failureCond == nil, diff < 0", rs2, [new_pod("pod1", rs2, "Running")],
     "fake manageReplicasErr",
     [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "fake manageReplicasErr"}]),
    ("manageReplicasErr != nil && failureCond == nil, diff > 0", rs2,
     [new_pod(f"pod{i}", rs2, "Running") for i in (1, 2, 3)], "fake manageReplicasErr",
     [{"type": "ReplicaFailure", "status": "True", "reason": "FailedDelete", "message": "fake manageReplicasErr"}]),
    ("manageReplicasErr == nil && failureCond != nil", failure_rs, [new_pod("pod1", failure_rs, "Running")], None, []),
    ("manageReplicasErr != nil && failureCond != nil", failure_rs, [new_pod("pod1", failure_rs, "Running")],
     "fake manageReplicasErr", [{"type": "ReplicaFailure", "status": "True"}]),
    ("manageReplicasErr == nil && failureCond == nil", rs2, [new_pod("pod1", rs2, "Running")], None, []),
]


@pytest.mark.parametrize("name,rs,pods,err,expected", CONDITIONS,
                         ids=[f"TestCalculateStatusConditions/{r[0]}" for r in CONDITIONS])
def test_calculate_status_conditions(name, rs, pods, err, expected):
    status = replicaset_status(rs, pods, NOW, manage_replicas_error=err)
    got = [{k: v for k, v in c.items() if k != "lastTransitionTime"} for c in status.get("conditions", [])]
    assert got == expected


def test_status_terminating_and_generation():
    # kubekit rows (1.35 DeploymentReplicaSetTerminatingReplicas beta, on): a deleted
    # pod is counted only in terminatingReplicas; observedGeneration = metadata.generation.
    rs = new_replica_set(2, FULL, generation=4)
    pods = [new_pod("a", rs, "Running"), pod("b", labels=FULL, ready=True, deleted=NOW),
            pod("c", labels=FULL, phase="Failed", deleted=NOW)]
    status = replicaset_status(rs, pods, NOW)
    assert (status["replicas"], status["terminatingReplicas"], status["observedGeneration"]) == (1, 1, 4)
    assert "terminatingReplicas" not in replicaset_status(rs, pods, NOW, terminating_replicas=False)


def test_status_available_uses_min_ready_seconds():
    rs = new_replica_set(2, FULL, min_ready=10)
    pods = [pod("a", labels=FULL, ready=True, ready_since=NOW - timedelta(seconds=10)),
            pod("b", labels=FULL, ready=True, ready_since=NOW - timedelta(seconds=9))]
    assert replicaset_status(rs, pods, NOW)["availableReplicas"] == 1


# manageReplicas (replica_set.go): diff = len(active) - replicas, capped by burstReplicas.
@pytest.mark.parametrize("active,desired,burst,expected", [
    (0, 3, 500, ("create", 3)),
    (5, 3, 500, ("delete", 2)),
    (3, 3, 500, ("none", 0)),
    (0, 1000, 500, ("create", 500)),
    (1200, 0, 500, ("delete", 500)),
    (0, 10, 4, ("create", 4)),
])
def test_manage_replicas_decision(active, desired, burst, expected):
    decision = manage_replicas_decision(active, desired, burst)
    assert (decision.action, decision.count) == expected


def test_manage_replicas_rejects_bad_input():
    with pytest.raises(ControllerInputError, match="desired: -1"):
        manage_replicas_decision(0, -1)


# slowStartBatch(count, SlowStartInitialBatchSize=1, fn): sizes 1, 2, 4, ... capped by what remains.
@pytest.mark.parametrize("count,initial,batches", [
    (0, 1, []), (1, 1, [1]), (3, 1, [1, 2]), (10, 1, [1, 2, 4, 3]), (500, 1, [1, 2, 4, 8, 16, 32, 64, 128, 245]),
    (10, 3, [3, 6, 1]),
])
def test_slow_start_batches(count, initial, batches):
    assert slow_start_batches(count, initial) == batches


def test_slow_start_stops_after_failing_batch():
    # 10 pods, call #4 fails (in the third batch, calls 3..6): the batch completes
    # (parallel), no fourth batch runs; skipped = 10 - successes decrements expectations.
    result = simulate_slow_start(10, lambda i: i == 4)
    assert result.batches == (1, 2, 4)
    assert (result.successes, result.failures, result.attempted, result.skipped) == (6, 1, 7, 4)


@given(st.integers(0, 600), st.sets(st.integers(0, 700), max_size=5))
def test_slow_start_properties(count, failing):
    result = simulate_slow_start(count, lambda i: i in failing)
    assert result.successes + result.skipped == count
    assert result.attempted == sum(result.batches) <= count
    if not failing & set(range(count)):
        assert list(result.batches) == slow_start_batches(count) and result.skipped == 0
    else:
        first_bad = min(failing & set(range(count)))
        assert result.attempted > first_bad  # the failing batch ran to its end, nothing after it
        assert result.attempted - result.batches[-1] <= first_bad


# TestSlowStartBatch: the table carried with copies of Kubernetes' slowStartBatch (e.g. OpenKruise,
# "Copyright 2016 The Kubernetes Authors"); the kubernetes/kubernetes file itself was not found in
# the index.  Calls beyond callLimit fail.  (name, count, callLimit, successes, calls)
SLOW_START = [
    ("callLimit = 0 (all fail)", 10, 0, 0, 1),
    ("callLimit = count (all succeed)", 10, 10, 10, 10),
    ("callLimit < count (some succeed)", 10, 5, 5, 7),
]


@pytest.mark.parametrize("name,count,limit,successes,calls", SLOW_START,
                         ids=[f"TestSlowStartBatch/{r[0]}" for r in SLOW_START])
def test_slow_start_batch_table(name, count, limit, successes, calls):
    result = simulate_slow_start(count, lambda i: i >= limit)
    assert (result.successes, result.attempted) == (successes, calls)
    assert (result.failures > 0) is (successes < count)


_pod_shapes = st.tuples(st.sampled_from(["Running", "Pending", "Succeeded", "Failed"]), st.booleans(),
                        st.sampled_from([None, "True", "False"]), st.booleans(),
                        st.sampled_from([dict(FULL), {"name": "foo"}, {"type": "production", "name": "foo"}]))


@given(st.lists(_pod_shapes, max_size=40), st.sampled_from([fully, not_fully]))
def test_counts_from_a_tally_equal_the_pass_over_the_pods(shapes, rs):
    """The controller's tally path (pod_tally_key per pod, counts_from_tally
    per sync) gives the status the per-pod pass gives, when minReadySeconds
    is 0 (available = ready); label order in a pod does not matter."""
    pods = []
    for i, (phase, deleted, ready, reorder, labels) in enumerate(shapes):
        if reorder:
            labels = dict(reversed(list(labels.items())))
        pods.append(pod(f"p{i}", phase=phase, ready_condition=ready, labels=labels,
                        deleted=NOW - timedelta(seconds=1) if deleted else None))
    tally: dict = {}
    for p in pods:
        tally[pod_tally_key(p)] = tally.get(pod_tally_key(p), 0) + 1
    counts = counts_from_tally(tally, rs["spec"]["template"]["metadata"]["labels"])
    assert replicaset_status_from_counts(rs, counts, NOW) == replicaset_status(rs, pods, NOW)
