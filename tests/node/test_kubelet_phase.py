"""getPhase tables transcribed from pkg/kubelet/kubelet_pods_test.go
(kubernetes/kubernetes, master as stored, v1.35 feature defaults)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kubekit.node.rules.phase import FAILED, PENDING, RUNNING, SUCCEEDED, pod_phase
from kubelet_fixtures import (
    failed,
    pod,
    running,
    sidecar,
    started,
    stopped,
    succeeded,
    waiting,
    waiting_last_termination,
    waiting_nonzero_termination,
)

AB = ("containerA", "containerB")

# TestPodPhaseWithRestartAlways (podHasInitialized=false)
RESTART_ALWAYS = [
    ("waiting", [], False, PENDING),
    ("all running", [running("containerA"), running("containerB")], False, RUNNING),
    ("all stopped with restart always", [stopped("containerA"), stopped("containerB")], False, RUNNING),
    ("all succeeded with restart always, but the pod is terminal", [succeeded("containerA"), succeeded("containerB")], True, SUCCEEDED),
    ("all stopped with restart always, but the pod is terminal", [succeeded("containerA"), failed("containerB")], True, FAILED),
    ("mixed state #1 with restart always", [running("containerA"), stopped("containerB")], False, RUNNING),
    ("mixed state #2 with restart always", [running("containerA")], False, PENDING),
    ("mixed state #3 with restart always", [running("containerA"), waiting("containerB")], False, PENDING),
    ("backoff crashloop container with restart always", [running("containerA"), waiting_last_termination("containerB")], False, RUNNING),
]


@pytest.mark.parametrize("name,statuses,terminal,want", RESTART_ALWAYS, ids=[r[0] for r in RESTART_ALWAYS])
def test_pod_phase_with_restart_always(name, statuses, terminal, want):
    assert pod_phase(pod(AB, restart_policy="Always"), statuses, pod_is_terminal=terminal) == want


# TestPodPhaseWithRestartAlwaysInitContainers
ALWAYS_INIT = [
    ("empty, waiting", [], PENDING),
    ("init container running", [running("containerX")], PENDING),
    ("init container terminated non-zero", [failed("containerX")], PENDING),
    ("init container waiting, terminated zero", [waiting_last_termination("containerX")], PENDING),
    ("init container waiting, terminated non-zero", [waiting_nonzero_termination("containerX")], PENDING),
    ("init container waiting, not terminated", [waiting("containerX")], PENDING),
    ("init container succeeded", [succeeded("containerX"), running("containerA"), running("containerB")], RUNNING),
]


@pytest.mark.parametrize("name,statuses,want", ALWAYS_INIT, ids=[r[0] for r in ALWAYS_INIT])
def test_pod_phase_with_restart_always_init_containers(name, statuses, want):
    assert pod_phase(pod(AB, init=["containerX"], restart_policy="Always"), statuses) == want


# TestPodPhaseWithRestartAlwaysRestartableInitContainers (terminal, hasInitialized)
ALWAYS_SIDECAR = [
    ("empty, waiting", [], False, False, PENDING),
    ("restartable init container running", [running("containerX")], False, False, PENDING),
    ("restartable init container stopped", [stopped("containerX")], False, False, PENDING),
    ("restartable init container waiting, terminated zero", [waiting_last_termination("containerX")], False, False, PENDING),
    ("restartable init container waiting, terminated non-zero", [waiting_nonzero_termination("containerX")], False, False, PENDING),
    ("restartable init container waiting, not terminated", [waiting("containerX")], False, False, PENDING),
    ("restartable init container started, 1/2 regular container running", [started("containerX"), running("containerA")], False, True, PENDING),
    ("restartable init container started, all regular containers running", [started("containerX"), running("containerA"), running("containerB")], False, True, RUNNING),
    ("restartable init container running, all regular containers running", [running("containerX"), running("containerA"), running("containerB")], False, True, RUNNING),
    ("restartable init container stopped, all regular containers running", [stopped("containerX"), running("containerA"), running("containerB")], False, True, RUNNING),
    ("backoff crashloop restartable init container, all regular containers running", [waiting_last_termination("containerX"), running("containerA"), running("containerB")], False, True, RUNNING),
    ("all regular containers succeeded and restartable init container failed with restart always, but the pod is terminal", [failed("containerX"), succeeded("containerA"), succeeded("containerB")], True, True, SUCCEEDED),
    ("all regular containers succeeded and restartable init container succeeded with restart always, but the pod is terminal", [succeeded("containerX"), succeeded("containerA"), succeeded("containerB")], True, True, SUCCEEDED),
    ("re-initializing the pod after the sandbox is recreated", [running("containerX"), running("containerA"), running("containerB")], False, False, PENDING),
]


@pytest.mark.parametrize("name,statuses,terminal,initialized,want", ALWAYS_SIDECAR, ids=[r[0] for r in ALWAYS_SIDECAR])
def test_pod_phase_with_restart_always_restartable_init_containers(name, statuses, terminal, initialized, want):
    p = pod(AB, init=[sidecar("containerX")], restart_policy="Always")
    assert pod_phase(p, statuses, pod_is_terminal=terminal, pod_has_initialized=initialized) == want


# TestPodPhaseWithRestartAlwaysAndPodHasRun
HAS_RUN = [
    ("regular init containers, restartable init container and regular container are all running", [running("containerX"), running("containerY"), running("containerA")], False, PENDING),
    ("regular containers is stopped, restartable init container and regular int container are both running", [running("containerX"), running("containerY"), stopped("containerA")], False, PENDING),
    ("re-created sandbox: regular init container is succeeded, restartable init container is running, old regular containers is stopped", [succeeded("containerX"), running("containerY"), stopped("containerA")], False, PENDING),
    ("regular init container is succeeded, restartable init container is running, regular containers is stopped", [succeeded("containerX"), running("containerY"), stopped("containerA")], True, RUNNING),
    ("regular init container is succeeded, restartable init container and regular containers are both running", [succeeded("containerX"), running("containerY"), running("containerA")], True, RUNNING),
]


@pytest.mark.parametrize("name,statuses,initialized,want", HAS_RUN, ids=[r[0] for r in HAS_RUN])
def test_pod_phase_with_restart_always_and_pod_has_run(name, statuses, initialized, want):
    p = pod(["containerA"], init=["containerX", sidecar("containerY")], restart_policy="Always")
    assert pod_phase(p, statuses, pod_has_initialized=initialized) == want


# TestPodPhaseWithRestartNever
NEVER = [
    ("waiting", [], PENDING),
    ("all running with restart never", [running("containerA"), running("containerB")], RUNNING),
    ("all succeeded with restart never", [succeeded("containerA"), succeeded("containerB")], SUCCEEDED),
    ("all failed with restart never", [failed("containerA"), failed("containerB")], FAILED),
    ("mixed state #1 with restart never", [running("containerA"), succeeded("containerB")], RUNNING),
    ("mixed state #2 with restart never", [running("containerA")], PENDING),
    ("mixed state #3 with restart never", [running("containerA"), waiting("containerB")], PENDING),
]


@pytest.mark.parametrize("name,statuses,want", NEVER, ids=[r[0] for r in NEVER])
def test_pod_phase_with_restart_never(name, statuses, want):
    assert pod_phase(pod(AB, restart_policy="Never"), statuses) == want


# TestPodPhaseWithRestartNeverInitContainers
NEVER_INIT = [
    ("empty, waiting", [], PENDING),
    ("init container running", [running("containerX")], PENDING),
    ("init container terminated non-zero", [failed("containerX")], FAILED),
    ("init container waiting, terminated zero", [waiting_last_termination("containerX")], PENDING),
    ("init container waiting, terminated non-zero", [waiting_nonzero_termination("containerX")], FAILED),
    ("init container waiting, not terminated", [waiting("containerX")], PENDING),
    ("init container succeeded", [succeeded("containerX"), running("containerA"), running("containerB")], RUNNING),
]


@pytest.mark.parametrize("name,statuses,want", NEVER_INIT, ids=[r[0] for r in NEVER_INIT])
def test_pod_phase_with_restart_never_init_containers(name, statuses, want):
    assert pod_phase(pod(AB, init=["containerX"], restart_policy="Never"), statuses) == want


# TestPodPhaseWithRestartNeverRestartableInitContainers (hasInitialized)
NEVER_SIDECAR = [
    ("empty, waiting", [], False, PENDING),
    ("restartable init container running", [running("containerX")], False, PENDING),
    ("restartable init container stopped", [stopped("containerX")], False, PENDING),
    ("restartable init container waiting, terminated zero", [waiting_last_termination("containerX")], False, PENDING),
    ("restartable init container waiting, terminated non-zero", [waiting_nonzero_termination("containerX")], False, PENDING),
    ("restartable init container waiting, not terminated", [waiting("containerX")], False, PENDING),
    ("restartable init container started, one main container running", [started("containerX"), running("containerA")], True, PENDING),
    ("restartable init container started, main containers succeeded", [started("containerX"), succeeded("containerA"), succeeded("containerB")], True, RUNNING),
    ("restartable init container re-running, main containers succeeded", [running("containerX"), succeeded("containerA"), succeeded("containerB")], True, RUNNING),
    ("all containers succeeded", [succeeded("containerX"), succeeded("containerA"), succeeded("containerB")], True, SUCCEEDED),
    ("restartable init container terminated non-zero, main containers succeeded", [failed("containerX"), succeeded("containerA"), succeeded("containerB")], True, SUCCEEDED),
    ("backoff crashloop restartable init container, main containers succeeded", [waiting_last_termination("containerX"), succeeded("containerA"), succeeded("containerB")], True, SUCCEEDED),
    ("backoff crashloop with non-zero restartable init container, main containers succeeded", [waiting_nonzero_termination("containerX"), succeeded("containerA"), succeeded("containerB")], True, SUCCEEDED),
]


@pytest.mark.parametrize("name,statuses,initialized,want", NEVER_SIDECAR, ids=[r[0] for r in NEVER_SIDECAR])
def test_pod_phase_with_restart_never_restartable_init_containers(name, statuses, initialized, want):
    p = pod(AB, init=[sidecar("containerX")], restart_policy="Never")
    assert pod_phase(p, statuses, pod_has_initialized=initialized) == want


# TestPodPhaseWithRestartOnFailure
ON_FAILURE = [
    ("waiting", [], PENDING),
    ("all running with restart onfailure", [running("containerA"), running("containerB")], RUNNING),
    ("all succeeded with restart onfailure", [succeeded("containerA"), succeeded("containerB")], SUCCEEDED),
    ("all failed with restart never", [failed("containerA"), failed("containerB")], RUNNING),
    ("mixed state #1 with restart onfailure", [running("containerA"), succeeded("containerB")], RUNNING),
    ("mixed state #2 with restart onfailure", [running("containerA")], PENDING),
    ("mixed state #3 with restart onfailure", [running("containerA"), waiting("containerB")], PENDING),
    ("backoff crashloop container with restart onfailure", [running("containerA"), waiting_last_termination("containerB")], RUNNING),
]


@pytest.mark.parametrize("name,statuses,want", ON_FAILURE, ids=[r[0] for r in ON_FAILURE])
def test_pod_phase_with_restart_on_failure(name, statuses, want):
    assert pod_phase(pod(AB, restart_policy="OnFailure"), statuses) == want


# TestPodPhaseWithContainerRestartPolicy (ContainerRestartRules on; podHasInitialized=true)
CONTAINER_POLICY = [
    ("container with restart policy Never failed", [{"name": "failed-container", "restartPolicy": "Never"}], "Always", [failed("failed-container")], FAILED),
    ("container with restart policy OnFailure failed", [{"name": "failed-container", "restartPolicy": "OnFailure"}], "Always", [failed("failed-container")], RUNNING),
    ("container with restart policy Always failed", [{"name": "failed-container", "restartPolicy": "Always"}], "Always", [failed("failed-container")], RUNNING),
    ("At least one container with restartable container-level restart policy failed", [{"name": "containerA", "restartPolicy": "Always"}, {"name": "containerB"}], "Never", [succeeded("containerA"), failed("containerB")], RUNNING),
    ("All containers without restartable container-level restart policy failed", [{"name": "containerA", "restartPolicy": "Never"}, {"name": "containerB", "restartPolicy": "OnFailure"}], "Always", [failed("containerA"), succeeded("containerB")], FAILED),
    ("All containers succeeded", [{"name": "containerA", "restartPolicy": "Never"}, {"name": "containerB", "restartPolicy": "OnFailure"}], "Always", [succeeded("containerA"), succeeded("containerB")], SUCCEEDED),
]


@pytest.mark.parametrize("name,ctrs,policy,statuses,want", CONTAINER_POLICY, ids=[r[0] for r in CONTAINER_POLICY])
def test_pod_phase_with_container_restart_policy(name, ctrs, policy, statuses, want):
    assert pod_phase(pod(ctrs, restart_policy=policy), statuses, pod_has_initialized=True) == want


# TestPodPhaseWithContainerRestartPolicyInitContainers
INIT_CONTAINER_POLICY = [
    ("init container with restart policy Never failed", "Never", "Always", FAILED),
    ("init container with restart policy OnFailure failed", "OnFailure", "Never", PENDING),
    ("container with restart policy Always failed", "Always", "Never", PENDING),
]


@pytest.mark.parametrize("name,cpolicy,policy,want", INIT_CONTAINER_POLICY, ids=[r[0] for r in INIT_CONTAINER_POLICY])
def test_pod_phase_with_container_restart_policy_init_containers(name, cpolicy, policy, want):
    p = pod(["container"], init=[{"name": "failed-container", "restartPolicy": cpolicy}], restart_policy=policy)
    assert pod_phase(p, [failed("failed-container")], pod_has_initialized=True) == want


# --- properties -------------------------------------------------------------

_STATE = st.sampled_from(["none", "running", "waiting", "ok", "fail", "crashloop-ok", "crashloop-fail"])


def _status(name, kind):
    return {
        "none": None,
        "running": running(name),
        "waiting": waiting(name),
        "ok": succeeded(name),
        "fail": failed(name, 1),
        "crashloop-ok": waiting_last_termination(name),
        "crashloop-fail": waiting_nonzero_termination(name),
    }[kind]


@given(st.lists(_STATE, min_size=1, max_size=4), st.sampled_from(["Always", "OnFailure", "Never"]))
def test_succeeded_only_if_all_terminated_with_zero(kinds, policy):
    names = [f"c{i}" for i in range(len(kinds))]
    statuses = [s for s in (_status(n, k) for n, k in zip(names, kinds)) if s is not None]
    phase = pod_phase(pod(names, restart_policy=policy), statuses)
    if phase == SUCCEEDED:
        assert policy != "Always"
        assert all(k in ("ok", "crashloop-ok") for k in kinds)
    if all(k == "ok" for k in kinds) and policy != "Always":
        assert phase == SUCCEEDED
    if policy == "Always":
        assert phase in (PENDING, RUNNING)
