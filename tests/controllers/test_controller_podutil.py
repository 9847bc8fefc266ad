"""Pod predicates.  Upstream tables: ``pkg/api/v1/pod/util_test.go``
(TestIsPodAvailable, v1.34+ version with the inclusive boundary rows),
``pkg/controller/controller_utils_test.go`` (TestActivePodFiltering)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ctrl_builders import NOW, pod
from kubekit.controllers import (
    ControllerInputError, is_pod_active, is_pod_available, is_pod_ready, is_pod_terminating, pod_deletion_cost,
)


def _avail_pod(ready: bool, before_sec: int, zero_ltt: bool = False) -> dict:
    """``newPod(now, ready, beforeSec)`` of util_test.go."""
    since = None if zero_ltt else NOW - timedelta(seconds=before_sec)
    return pod("p", ready_condition="True" if ready else "False", ready_since=since)


# (upstream test, pod, minReadySeconds, expected)
IS_POD_AVAILABLE = [
    ("TestIsPodAvailable#0 not ready", _avail_pod(False, 0), 0, False),
    ("TestIsPodAvailable#1 ready now, minReady 1", _avail_pod(True, 0), 1, False),
    ("TestIsPodAvailable#2 zero lastTransitionTime, minReady 1", _avail_pod(True, 0, zero_ltt=True), 1, False),
    ("TestIsPodAvailable#3 ready now, minReady 0", _avail_pod(True, 0), 0, True),
    ("TestIsPodAvailable#4 ready 51s, minReady 50", _avail_pod(True, 51), 50, True),
    ("TestIsPodAvailable#5 ready 51s, minReady 51 (inclusive)", _avail_pod(True, 51), 51, True),
    ("TestIsPodAvailable#6 ready 51s, minReady 52", _avail_pod(True, 51), 52, False),
]


@pytest.mark.parametrize("name,p,min_ready,expected", IS_POD_AVAILABLE, ids=[r[0] for r in IS_POD_AVAILABLE])
def test_is_pod_available(name, p, min_ready, expected):
    assert is_pod_available(p, min_ready, NOW) is expected


def test_active_pod_filtering():
    # TestActivePodFiltering "Filters active pods": Succeeded and Failed pods are not active.
    pods = [pod("pod-1", phase="Succeeded"), pod("pod-2", phase="Failed"), pod("pod-3"), pod("pod-4"), pod("pod-5")]
    assert [p["metadata"]["name"] for p in pods if is_pod_active(p)] == ["pod-3", "pod-4", "pod-5"]


def test_deleted_pod_is_terminating_not_active():
    # controller_utils.go IsPodActive / IsPodTerminating (kubekit row, not an upstream table row).
    p = pod("x", deleted=NOW)
    assert not is_pod_active(p) and is_pod_terminating(p)
    assert not is_pod_terminating(pod("y", phase="Failed", deleted=NOW))


def test_ready_needs_true_condition():
    assert is_pod_ready(pod("a", ready=True))
    assert not is_pod_ready(pod("b", ready_condition="Unknown"))
    assert not is_pod_ready(pod("c"))


# GetDeletionCostFromPodAnnotations (pkg/apis/core/helper): kubekit rows derived from its rules.
@pytest.mark.parametrize("value,cost", [
    ("10", 10), ("-5", -5), ("0", 0), ("+10", 0), ("008", 0), ("", 0), ("abc", 0),
    ("2147483647", 2147483647), ("2147483648", 0), ("-2147483648", -2147483648),
])
def test_pod_deletion_cost_parsing(value, cost):
    p = pod("x", annotations={"controller.kubernetes.io/pod-deletion-cost": value})
    assert pod_deletion_cost(p) == cost


def test_bad_timestamp_names_field():
    p = pod("x", ready=True)
    p["status"]["conditions"][0]["lastTransitionTime"] = "yesterday"
    with pytest.raises(ControllerInputError, match="lastTransitionTime: 'yesterday'"):
        is_pod_available(p, 5, NOW)
