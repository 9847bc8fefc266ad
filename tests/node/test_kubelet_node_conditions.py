"""Node conditions and lease timing.  TestReadyCondition, TestMemoryPressureCondition,
TestPIDPressureCondition and TestDiskPressureCondition rows are transcribed from
pkg/kubelet/nodestatus/setters_test.go; lease/report timing cases are written from
pkg/kubelet/kubelet.go and kubelet_node_status.go."""

from __future__ import annotations

import pytest

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.node_status import (
    lease_expired,
    lease_renew_interval,
    next_lease_renewal,
    pressure_condition,
    ready_condition,
    should_post_node_status,
)


def test_ready_condition_when_healthy():
    c = ready_condition(None, 100.0)
    assert (c.type, c.status, c.reason, c.message) == ("Ready", "True", "KubeletReady", "kubelet is posting ready status")
    assert c.last_heartbeat_time == 100.0 and c.last_transition_time == 100.0


def test_ready_condition_keeps_transition_time_while_status_is_unchanged():
    first = ready_condition(None, 100.0)
    again = ready_condition(first, 110.0)
    assert again.last_heartbeat_time == 110.0 and again.last_transition_time == 100.0


def test_ready_condition_not_ready_on_errors_and_missing_capacity():
    first = ready_condition(None, 100.0)
    c = ready_condition(first, 120.0, errors=["container runtime is down"], capacity_names=["cpu", "memory", "pods"])
    assert (c.status, c.reason) == ("False", "KubeletNotReady")
    assert c.message == "[container runtime is down, missing node capacity for resources: ephemeral-storage]"
    assert c.last_transition_time == 120.0


@pytest.mark.parametrize(
    "type_,true_reason,true_msg,false_reason,false_msg",
    [
        ("MemoryPressure", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available",
         "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "KubeletHasDiskPressure", "kubelet has disk pressure",
         "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "KubeletHasInsufficientPID", "kubelet has insufficient PID available",
         "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ],
)
def test_pressure_conditions(type_, true_reason, true_msg, false_reason, false_msg):
    c = pressure_condition(type_, None, False, 10.0)
    assert (c.status, c.reason, c.message, c.last_transition_time) == ("False", false_reason, false_msg, 10.0)
    c = pressure_condition(type_, c, False, 20.0)
    assert c.last_transition_time == 10.0 and c.last_heartbeat_time == 20.0
    c = pressure_condition(type_, c, True, 30.0)
    assert (c.status, c.reason, c.message, c.last_transition_time) == ("True", true_reason, true_msg, 30.0)


def test_unknown_pressure_type_is_rejected():
    with pytest.raises(NodeRulesError, match="Swap"):
        pressure_condition("SwapPressure", None, False, 0.0)


def test_lease_renews_every_quarter_of_its_duration():
    assert lease_renew_interval() == 10.0
    assert lease_renew_interval(60) == 15.0
    assert next_lease_renewal(100.0) == 110.0
    assert not lease_expired(100.0, 140.0) and lease_expired(100.0, 140.5)


def test_node_status_posted_on_change_or_every_five_minutes():
    assert should_post_node_status(False, None, 0.0)
    assert should_post_node_status(True, 100.0, 101.0)
    assert not should_post_node_status(False, 100.0, 399.0)
    assert should_post_node_status(False, 100.0, 400.0)


NOW, BEFORE = 1000.0, 999.0
ALL = ("cpu", "memory", "pods", "ephemeral-storage")

# TestReadyCondition: (desc, previous status, kwargs, status, message, transition time)
READY = [
    ("new, ready", None, {}, "True", "kubelet is posting ready status", NOW),
    ("new, ready: apparmor validator passed", None, {"apparmor_enabled": True}, "True", "kubelet is posting ready status. AppArmor enabled", NOW),
    ("new, ready: apparmor validator failed", None, {"apparmor_enabled": False}, "True", "kubelet is posting ready status", NOW),
    ("new, ready: soft requirement warning", None, {"soft_requirements": "foo"}, "True", "kubelet is posting ready status. WARNING: foo", NOW),
    ("new, not ready: storage errors", None, {"errors": ["some storage error"]}, "False", "some storage error", NOW),
    ("new, not ready: shutdown active", None, {"shutdown_error": "node is shutting down"}, "False", "node is shutting down", NOW),
    ("new, not ready: runtime and network errors", None, {"errors": ["runtime", "network"]}, "False", "[runtime, network]", NOW),
    ("new, not ready: missing capacities", None, {"capacity_names": ()}, "False", "missing node capacity for resources: cpu, memory, pods, ephemeral-storage", NOW),
    ("transition to ready", "False", {}, "True", "kubelet is posting ready status", NOW),
    ("transition to not ready", "True", {"errors": ["foo"]}, "False", "foo", NOW),
    ("ready, no transition", "True", {}, "True", "kubelet is posting ready status", BEFORE),
    ("not ready, no transition", "False", {"errors": ["foo"]}, "False", "foo", BEFORE),
]


@pytest.mark.parametrize("desc,prev,kwargs,status,message,transition", READY, ids=[r[0] for r in READY])
def test_ready_condition_table(desc, prev, kwargs, status, message, transition):
    from kubekit.node.rules.node_status import NodeCondition
    previous = None if prev is None else NodeCondition("Ready", prev, "", "", BEFORE, BEFORE)
    kwargs = dict({"capacity_names": ALL}, **kwargs)
    c = ready_condition(previous, NOW, **kwargs)
    assert (c.status, c.message, c.last_heartbeat_time, c.last_transition_time) == (status, message, NOW, transition)
    assert c.reason == ("KubeletReady" if status == "True" else "KubeletNotReady")


# Test{Memory,PID,Disk}PressureCondition: (desc, previous status, pressure, status, transition time)
PRESSURE = [
    ("new, no pressure", None, False, "False", NOW),
    ("new, pressure", None, True, "True", NOW),
    ("transition to pressure", "False", True, "True", NOW),
    ("transition to no pressure", "True", False, "False", NOW),
    ("pressure, no transition", "True", True, "True", BEFORE),
    ("no pressure, no transition", "False", False, "False", BEFORE),
]


@pytest.mark.parametrize("type_", ["MemoryPressure", "PIDPressure", "DiskPressure"])
@pytest.mark.parametrize("desc,prev,pressure,status,transition", PRESSURE, ids=[r[0] for r in PRESSURE])
def test_pressure_condition_table(type_, desc, prev, pressure, status, transition):
    from kubekit.node.rules.node_status import NodeCondition
    previous = None
    if prev is not None:
        previous = pressure_condition(type_, None, prev == "True", BEFORE)
        assert isinstance(previous, NodeCondition)
    c = pressure_condition(type_, previous, pressure, NOW)
    assert (c.status, c.last_heartbeat_time, c.last_transition_time) == (status, NOW, transition)
