"""Tables transcribed from pkg/kubelet/status/generate_test.go
(TestGenerateContainersReadyCondition, TestGeneratePodReadyCondition,
TestGeneratePodInitializedCondition)."""

from __future__ import annotations

import pytest

from kubekit.node.rules.conditions import (
    CONTAINERS_NOT_INITIALIZED,
    CONTAINERS_NOT_READY,
    POD_COMPLETED,
    POD_FAILED,
    READINESS_GATES_NOT_READY,
    UNKNOWN_CONTAINER_STATUSES,
    containers_ready_condition,
    pod_initialized_condition,
    pod_ready_condition,
)
from kubelet_fixtures import not_ready, pod, ready, running, sidecar

R = "Running"
S = "Succeeded"

# TestGenerateContainersReadyCondition
CONTAINERS_READY = [
    ([], [], None, R, "False", UNKNOWN_CONTAINER_STATUSES, ""),
    ([], [], [], R, "True", "", ""),
    ([], ["1234"], [], R, "False", CONTAINERS_NOT_READY, "containers with unknown status: [1234]"),
    ([], ["1234", "5678"], [ready("1234"), ready("5678")], R, "True", "", ""),
    ([], ["1234", "5678"], [ready("1234")], R, "False", CONTAINERS_NOT_READY, "containers with unknown status: [5678]"),
    ([], ["1234", "5678"], [ready("1234"), not_ready("5678")], R, "False", CONTAINERS_NOT_READY, "containers with unready status: [5678]"),
    ([], ["1234"], [not_ready("1234")], S, "False", POD_COMPLETED, ""),
    ([sidecar("restartable-init-1")], ["regular-1"], [ready("regular-1")], R, "False", CONTAINERS_NOT_READY,
     "containers with unknown status: [restartable-init-1]"),
    ([sidecar("restartable-init-1"), sidecar("restartable-init-2")], ["regular-1"],
     [ready("restartable-init-1"), ready("restartable-init-2"), ready("regular-1")], R, "True", "", ""),
    ([sidecar("restartable-init-1"), sidecar("restartable-init-2")], ["regular-1"],
     [ready("restartable-init-1"), ready("regular-1")], R, "False", CONTAINERS_NOT_READY,
     "containers with unknown status: [restartable-init-2]"),
    ([sidecar("restartable-init-1"), sidecar("restartable-init-2")], ["regular-1"],
     [ready("restartable-init-1"), not_ready("restartable-init-2"), ready("regular-1")], R, "False",
     CONTAINERS_NOT_READY, "containers with unready status: [restartable-init-2]"),
]


@pytest.mark.parametrize("init,ctrs,statuses,phase,status,reason,message", CONTAINERS_READY)
def test_generate_containers_ready_condition(init, ctrs, statuses, phase, status, reason, message):
    c = containers_ready_condition(pod(ctrs, init=init), statuses, phase)
    assert (c.type, c.status, c.reason, c.message) == ("ContainersReady", status, reason, message)


def gate(*names):
    return [{"conditionType": n} for n in names]


def cond(type_, status):
    return {"type": type_, "status": status}


# TestGeneratePodReadyCondition
POD_READY = [
    ([], None, None, R, "False", UNKNOWN_CONTAINER_STATUSES, ""),
    ([], None, [], R, "True", "", ""),
    (["1234"], None, [], R, "False", CONTAINERS_NOT_READY, "containers with unknown status: [1234]"),
    (["1234", "5678"], None, [ready("1234"), ready("5678")], R, "True", "", ""),
    (["1234", "5678"], None, [ready("1234")], R, "False", CONTAINERS_NOT_READY, "containers with unknown status: [5678]"),
    (["1234", "5678"], None, [ready("1234"), not_ready("5678")], R, "False", CONTAINERS_NOT_READY, "containers with unready status: [5678]"),
    (["1234"], None, [not_ready("1234")], S, "False", POD_COMPLETED, ""),
]

GATES = [
    (gate("gate1"), None, "False", READINESS_GATES_NOT_READY, 'corresponding condition of pod readiness gate "gate1" does not exist.'),
    (gate("gate1"), [cond("gate1", "False")], "False", READINESS_GATES_NOT_READY, 'the status of pod readiness gate "gate1" is not "True", but False'),
    (gate("gate1"), [cond("gate1", "True")], "True", "", ""),
    (gate("gate1", "gate2"), [cond("gate1", "True")], "False", READINESS_GATES_NOT_READY, 'corresponding condition of pod readiness gate "gate2" does not exist.'),
    (gate("gate1", "gate2"), [cond("gate1", "True"), cond("gate2", "False")], "False", READINESS_GATES_NOT_READY, 'the status of pod readiness gate "gate2" is not "True", but False'),
    (gate("gate1", "gate2"), [cond("gate1", "True"), cond("gate2", "True")], "True", "", ""),
]


@pytest.mark.parametrize("ctrs,conditions,statuses,phase,status,reason,message", POD_READY)
def test_generate_pod_ready_condition(ctrs, conditions, statuses, phase, status, reason, message):
    c = pod_ready_condition(pod(ctrs), conditions, statuses, phase)
    assert (c.type, c.status, c.reason, c.message) == ("Ready", status, reason, message)


@pytest.mark.parametrize("gates,conditions,status,reason,message", GATES)
def test_generate_pod_ready_condition_readiness_gates(gates, conditions, status, reason, message):
    c = pod_ready_condition(pod([], readinessGates=gates), conditions, [], R)
    assert (c.status, c.reason, c.message) == (status, reason, message)


def test_generate_pod_ready_condition_gate_true_but_container_unready():
    p = pod(["1234"], readinessGates=gate("gate1"))
    c = pod_ready_condition(p, [cond("gate1", "True")], [not_ready("1234")], R)
    assert (c.status, c.reason, c.message) == ("False", CONTAINERS_NOT_READY, "containers with unready status: [1234]")


def test_failed_pod_is_not_ready_with_reason_pod_failed():
    # generate.go generateContainersReadyConditionForTerminalPhase (PodFailed).
    c = pod_ready_condition(pod(["a"]), None, [ready("a")], "Failed")
    assert (c.status, c.reason) == ("False", POD_FAILED)


ONE = (["1234"], ["regular"])
TWO = (["1234", "5678"], ["regular"])
ONE_SIDECAR = ([sidecar("1234")], ["regular"])

# TestGeneratePodInitializedCondition
INITIALIZED = [
    (TWO, None, R, "False", UNKNOWN_CONTAINER_STATUSES),
    (([], ["regular"]), [], R, "True", ""),
    (ONE, [], R, "False", CONTAINERS_NOT_INITIALIZED),
    (TWO, [ready("1234"), ready("5678")], R, "True", ""),
    (TWO, [ready("1234")], R, "False", CONTAINERS_NOT_INITIALIZED),
    (TWO, [ready("1234"), not_ready("5678")], R, "False", CONTAINERS_NOT_INITIALIZED),
    (ONE, [ready("1234")], S, "True", POD_COMPLETED),
    (ONE_SIDECAR, [{"name": "1234", "started": False}], "Pending", "False", CONTAINERS_NOT_INITIALIZED),
    (ONE_SIDECAR, [{"name": "1234", "started": True}], R, "True", ""),
    (ONE_SIDECAR, [{"name": "1234", "started": False}, running("regular")], R, "True", ""),
    (ONE, [{"name": "1234", "state": {"waiting": {}}}, {"name": "regular", "state": {"terminated": {}}}], R, "True", ""),
]


@pytest.mark.parametrize("spec,statuses,phase,status,reason", INITIALIZED)
def test_generate_pod_initialized_condition(spec, statuses, phase, status, reason):
    init, ctrs = spec
    c = pod_initialized_condition(pod(ctrs, init=init), statuses, phase)
    assert (c.type, c.status, c.reason) == ("Initialized", status, reason)


def test_initialized_message_lists_unknown_then_incomplete():
    c = pod_initialized_condition(pod(["r"], init=["a", "b", "c"]), [not_ready("b")], R)
    assert c.message == "containers with unknown status: [a c], containers with incomplete status: [b]"
