"""Tables transcribed from pkg/kubelet/cm/node_container_manager_linux_test.go
(TestNodeAllocatableReservationForScheduling, TestNodeAllocatableForEnforcement,
TestNodeAllocatableInputValidation), plus capacity/allocatable strings."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kubekit.api.quantity import Quantity
from kubekit.node.rules.allocatable import (
    DEFAULT_EVICTION_HARD,
    allocatable_reservation,
    node_allocatable_absolute,
    node_capacity_and_allocatable,
    validate_node_allocatable,
)
from kubekit.node.rules.errors import NodeRulesError


def rl(cpu="", memory=""):
    """getResourceList(cpu, memory)."""
    out = {}
    if cpu:
        out["cpu"] = Quantity(cpu)
    if memory:
        out["memory"] = Quantity(memory)
    return out


def es(storage=""):
    """getEphemeralStorageResourceList(storage)."""
    return {"ephemeral-storage": Quantity(storage)} if storage else {}


def milli(d):
    return {k: v.milli_value() for k, v in d.items()}


MEM = [
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), None, rl("150m", "150Mi")),
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), "100Mi", rl("150m", "250Mi")),
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), "5%", rl("150m", "694157320")),
    ({}, {}, rl("10", "10Gi"), None, rl("", "")),
    (rl("", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), None, rl("50m", "150Mi")),
    (rl("50m", "100Mi"), rl("", "50Mi"), rl("10", "10Gi"), None, rl("50m", "150Mi")),
    (rl("", "100Mi"), rl("", "50Mi"), rl("10", ""), None, rl("", "150Mi")),
]


@pytest.mark.parametrize("kube,system,capacity,threshold,expected", MEM)
def test_node_allocatable_reservation_for_scheduling_cpu_memory(kube, system, capacity, threshold, expected):
    # The Go test installs a memory.available threshold whose value may be empty (0).
    eviction = {"memory.available": threshold} if threshold else {}
    got = allocatable_reservation(capacity, kube, system, eviction)
    for name, value in got.items():
        assert name in expected, name
        assert value.milli_value() == expected[name].milli_value(), name


EPHEMERAL = [
    (es("100Mi"), es("10Gi"), None, es("100Mi")),
    (es("100Mi"), es("10Gi"), "100Mi", es("200Mi")),
    (es("150Mi"), es("10Gi"), "5%", es("694157320")),
    ({}, es("10Gi"), None, es("")),
]


@pytest.mark.parametrize("kube,capacity,threshold,expected", EPHEMERAL)
def test_node_allocatable_reservation_for_scheduling_ephemeral_storage(kube, capacity, threshold, expected):
    eviction = {"nodefs.available": threshold} if threshold else {}
    got = allocatable_reservation(capacity, kube, None, eviction)
    for name, value in got.items():
        assert name in expected, name
        assert value.milli_value() == expected[name].milli_value(), name


ENFORCEMENT = [
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), rl("9850m", "10090Mi")),
    ({}, {}, rl("10", "10Gi"), rl("10", "10Gi")),
    (rl("", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), rl("9950m", "10090Mi")),
    (rl("50m", "100Mi"), rl("", "50Mi"), rl("10", "10Gi"), rl("9950m", "10090Mi")),
    (rl("", "100Mi"), rl("", "50Mi"), rl("10", ""), rl("10", "")),
]


@pytest.mark.parametrize("kube,system,capacity,expected", ENFORCEMENT)
def test_node_allocatable_for_enforcement(kube, system, capacity, expected):
    # Eviction thresholds (100Mi or 5% in the Go table) never change the absolute value.
    got = node_allocatable_absolute(capacity, kube, system)
    assert milli(got) == milli({k: v for k, v in expected.items() if k in capacity})


VALIDATION = [
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), None, False),
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), "100Mi", False),
    (rl("100m", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), "5%", False),
    ({}, {}, rl("10", "10Gi"), None, False),
    (rl("", "100Mi"), rl("50m", "50Mi"), rl("10", "10Gi"), None, False),
    (rl("50m", "100Mi"), rl("", "50Mi"), rl("10", "10Gi"), None, False),
    (rl("", "100Mi"), rl("", "50Mi"), rl("10", ""), None, False),
    (rl("5", "10Gi"), rl("5", "10Gi"), rl("10", "11Gi"), "2Gi", True),
]


@pytest.mark.parametrize("kube,system,capacity,threshold,invalid", VALIDATION)
def test_node_allocatable_input_validation(kube, system, capacity, threshold, invalid):
    eviction = {"memory.available": threshold} if threshold else {}
    reservation = allocatable_reservation(capacity, kube, system, eviction)
    if invalid:
        with pytest.raises(NodeRulesError, match="'memory' has a reservation"):
            validate_node_allocatable(capacity, reservation)
    else:
        validate_node_allocatable(capacity, reservation)


@pytest.mark.parametrize(
    "kube,capacity,threshold,invalid",
    [(es("100Mi"), es("500Mi"), None, False), (es("20Gi"), es("20Gi"), "100Mi", True)],
)
def test_node_allocatable_input_validation_ephemeral(kube, capacity, threshold, invalid):
    eviction = {"nodefs.available": threshold} if threshold else {}
    reservation = allocatable_reservation(capacity, kube, None, eviction)
    if invalid:
        with pytest.raises(NodeRulesError):
            validate_node_allocatable(capacity, reservation)
    else:
        validate_node_allocatable(capacity, reservation)


# ---- the node's capacity/allocatable strings ---------------------------------

def test_default_eviction_hard_is_linux_default():
    assert DEFAULT_EVICTION_HARD == {
        "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%",
        "imagefs.available": "15%", "imagefs.inodesFree": "5%",
    }


def test_capacity_and_allocatable_defaults():
    got = node_capacity_and_allocatable(4, 16 * 1024**3, 100 * 1024**3)
    assert got["capacity"] == {"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    # 10% of 100Gi as float32(0.1) = 10737418400 bytes (Go: int64(float64(cap)*float64(float32(0.1))))
    assert got["allocatable"] == {"cpu": "4", "memory": "16284Mi", "pods": "110", "ephemeral-storage": "96636764000"}


def test_capacity_and_allocatable_with_reservations():
    got = node_capacity_and_allocatable(
        2, 8 * 1024**3, 50 * 1024**3,
        reserved={"kube": {"cpu": "100m", "memory": "256Mi"}, "system": {"cpu": "50m", "memory": "256Mi", "ephemeral-storage": "1Gi"}},
        eviction_hard={"memory.available": "500Mi", "nodefs.available": "1Gi"},
        max_pods=58,
    )
    assert got["capacity"] == {"cpu": "2", "memory": "8Gi", "pods": "58", "ephemeral-storage": "50Gi"}
    assert got["allocatable"] == {"cpu": "1850m", "memory": "7180Mi", "pods": "58", "ephemeral-storage": "48Gi"}


def test_hugepages_are_taken_out_of_allocatable_memory():
    got = node_capacity_and_allocatable(2, 8 * 1024**3, None, eviction_hard={}, hugepages={"2Mi": 1024**3})
    assert got["capacity"]["hugepages-2Mi"] == "1Gi"
    assert got["allocatable"]["memory"] == "7Gi"


def test_bad_threshold_names_the_signal():
    with pytest.raises(NodeRulesError, match="memory.available"):
        node_capacity_and_allocatable(1, 1024**3, None, eviction_hard={"memory.available": "lots"})
    with pytest.raises(NodeRulesError, match="bogus.available"):
        node_capacity_and_allocatable(1, 1024**3, None, eviction_hard={"bogus.available": "1Gi"})
    with pytest.raises(NodeRulesError, match="reservation"):
        node_capacity_and_allocatable(1, 1024**3, None, reserved={"kube": {"cpu": "2"}})


@given(st.integers(1, 256), st.integers(1, 2**40), st.integers(0, 2000), st.integers(0, 1024))
def test_allocatable_never_exceeds_capacity(cpus, mem, cpu_res_m, mem_res_mi):
    got = node_capacity_and_allocatable(
        cpus, mem, None, reserved={"kube": {"cpu": f"{cpu_res_m}m", "memory": f"{mem_res_mi}Mi"}},
        eviction_hard={}, validate=False,
    )
    for name, cap in got["capacity"].items():
        alloc = Quantity(got["allocatable"][name])
        assert alloc.sign() >= 0
        assert (Quantity(cap) - alloc).sign() >= 0
