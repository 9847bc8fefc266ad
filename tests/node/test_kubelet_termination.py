"""Grace periods (pkg/kubelet/pod_workers.go calculateEffectiveGracePeriod,
pkg/kubelet/kuberuntime/kuberuntime_container.go setTerminationGracePeriod and
killContainer).  Written from the source, not transcribed from a Go table."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.termination import container_grace_period, kill_deadline, pod_grace_period, should_sigkill


def pod(grace=None, deletion=None):
    p = {"metadata": {}, "spec": {"containers": [{"name": "c"}]}}
    if grace is not None:
        p["spec"]["terminationGracePeriodSeconds"] = grace
    if deletion is not None:
        p["metadata"]["deletionGracePeriodSeconds"] = deletion
    return p


@pytest.mark.parametrize(
    "grace,deletion,previous,override,want",
    [
        (30, None, 0, None, (30, False)),
        (30, 10, 0, None, (10, False)),
        (30, 10, 10, 5, (5, True)),       # eviction may shorten it
        (30, 10, 5, None, (5, False)),    # never lengthened again
        (None, None, 0, None, (1, False)),
        (0, None, 0, None, (1, False)),   # at least 1 s
        (30, 0, 0, None, (1, False)),     # a force delete (deletionGracePeriodSeconds 0) is not replaced by the spec: 1 s
    ],
)
def test_pod_grace_period(grace, deletion, previous, override, want):
    assert pod_grace_period(pod(grace, deletion), previous=previous, override=override) == want


def test_container_grace_period():
    c = {"name": "c", "livenessProbe": {"terminationGracePeriodSeconds": 7}}
    assert container_grace_period(pod(30), c) == 30
    assert container_grace_period(pod(30, 12), c) == 12
    assert container_grace_period(pod(30), c, reason="LivenessProbe") == 7
    assert container_grace_period(pod(30), c, reason="StartupProbe") == 30
    assert container_grace_period(pod(0), c) == 2          # minimumGracePeriodInSeconds
    assert container_grace_period(pod(30), c, override=0) == 0  # the pod worker's override wins
    assert container_grace_period(pod(None), c) == 2


def test_kill_deadline_and_sigkill():
    assert kill_deadline(100.0, 30) == 130.0
    assert not should_sigkill(129.9, 100.0, 30)
    assert should_sigkill(130.0, 100.0, 30)
    assert not should_sigkill(200.0, 100.0, 30, exited=True)


def test_negative_grace_period_names_the_field():
    with pytest.raises(NodeRulesError, match="terminationGracePeriodSeconds"):
        pod_grace_period(pod(-1))


@given(st.integers(0, 3600), st.one_of(st.none(), st.integers(0, 3600)), st.one_of(st.none(), st.integers(0, 3600)))
def test_pod_grace_period_never_grows_and_is_at_least_one(grace, deletion, override):
    first, _ = pod_grace_period(pod(grace, deletion))
    second, _ = pod_grace_period(pod(grace, deletion), previous=first, override=override)
    assert 1 <= second <= first or first == 1
