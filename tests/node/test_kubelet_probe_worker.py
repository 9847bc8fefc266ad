"""Probe worker state machine, transcribed from pkg/kubelet/prober/worker_test.go
(TestDoProbe rows, TestInitialDelay, TestFailureThreshold, TestSuccessThreshold,
TestStartupProbeSuccessThreshold, TestStartupProbeFailureThreshold,
TestOnHoldOnLivenessOrStartupCheckFailure, TestResultRunOnLivenessCheckFailure,
TestResultRunOnStartupCheckFailure, TestLivenessProbeDisabledByStarted,
TestStartupProbeDisabledByStarted), plus probe defaults and result rules."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.probes import (
    FAILURE,
    LIVENESS,
    READINESS,
    STARTUP,
    SUCCESS,
    UNKNOWN,
    ProbeSpec,
    ProbeTarget,
    container_ready,
    container_started,
    exec_probe_result,
    http_probe_output,
    http_probe_result,
    new_probe_state,
    next_probe_time,
    probe_due,
    probe_spec_from_manifest,
    probe_step,
)

NOW = 1_000_000.0
CID = "test://cOnTaInEr_Id"


def running_target(started=True, cid=CID, started_at=NOW, **kw):
    """getTestRunningStatusWithStarted(started)."""
    return ProbeTarget(container_id=cid, state="running", started_at=started_at, started=started, **kw)


def started_for(probe_type):
    return probe_type != STARTUP


def worker(probe_type, **spec):
    return new_probe_state(probe_type, ProbeSpec(**spec))


# ---- TestDoProbe (rows consistent with worker.go as read; see docs) ----------

@pytest.mark.parametrize("probe_type", [LIVENESS, READINESS, STARTUP])
def test_do_probe_running_success(probe_type):
    state, keep = probe_step(worker(probe_type), running_target(started_for(probe_type)), NOW, SUCCESS)
    assert keep and state.result == SUCCESS


@pytest.mark.parametrize("probe_type", [LIVENESS, READINESS, STARTUP])
def test_do_probe_pod_failed_stops(probe_type):
    state, keep = probe_step(worker(probe_type), running_target(pod_phase="Failed"), NOW, SUCCESS)
    assert not keep and state.result is None


@pytest.mark.parametrize("probe_type,want_keep", [(LIVENESS, False), (READINESS, True), (STARTUP, False)])
def test_do_probe_pod_deleted(probe_type, want_keep):
    state, keep = probe_step(worker(probe_type), running_target(started_for(probe_type), pod_deleted=True), NOW, SUCCESS)
    assert keep == want_keep and state.result == SUCCESS


@pytest.mark.parametrize("probe_type", [LIVENESS, READINESS, STARTUP])
def test_do_probe_container_status_missing(probe_type):
    state, keep = probe_step(worker(probe_type), ProbeTarget(container_id=""), NOW, SUCCESS)
    assert keep and state.result is None


@pytest.mark.parametrize("probe_type", [LIVENESS, READINESS, STARTUP])
def test_do_probe_initial_delay_passed(probe_type):
    w = worker(probe_type, initial_delay_seconds=-100)
    state, keep = probe_step(w, running_target(started_for(probe_type)), NOW, SUCCESS)
    assert keep and state.result == SUCCESS


@pytest.mark.parametrize("probe_type", [LIVENESS, READINESS, STARTUP])
def test_do_probe_no_pod_status(probe_type):
    state, keep = probe_step(worker(probe_type), ProbeTarget(has_pod_status=False), NOW, SUCCESS)
    assert keep and state.result is None


def test_do_probe_non_running_container_is_failure_and_continues_if_restartable():
    pod = {"spec": {"restartPolicy": "Never"}}
    w = worker(READINESS)
    state, keep = probe_step(w, ProbeTarget(container_id=CID, state="waiting"), NOW, None, pod=pod, container={"name": "c"})
    assert keep and state.result == FAILURE
    state, keep = probe_step(w, ProbeTarget(container_id=CID, state="terminated"), NOW, None, pod=pod, container={"name": "c"})
    assert not keep and state.result == FAILURE
    sidecar = {"name": "c", "restartPolicy": "Always"}
    state, keep = probe_step(w, ProbeTarget(container_id=CID, state="terminated"), NOW, None, pod=pod, container=sidecar)
    assert keep and state.result == FAILURE


# ---- TestInitialDelay --------------------------------------------------------

@pytest.mark.parametrize("probe_type,during", [(LIVENESS, SUCCESS), (READINESS, FAILURE), (STARTUP, UNKNOWN)])
def test_initial_delay(probe_type, during):
    w = worker(probe_type, initial_delay_seconds=10)
    w, keep = probe_step(w, running_target(started_for(probe_type)), NOW, SUCCESS)
    assert keep and w.result == during
    w, keep = probe_step(w, running_target(started_for(probe_type), started_at=NOW - 100), NOW, SUCCESS)
    assert keep and w.result == SUCCESS


# ---- TestFailureThreshold / TestSuccessThreshold ------------------------------

def test_failure_threshold():
    w = worker(READINESS, success_threshold=1, failure_threshold=3)
    t = running_target()
    for _ in range(2):
        for _ in range(3):
            w, keep = probe_step(w, t, NOW, SUCCESS)
            assert keep and w.result == SUCCESS
        for _ in range(2):
            w, keep = probe_step(w, t, NOW, FAILURE)
            assert keep and w.result == SUCCESS
        for _ in range(3):
            w, keep = probe_step(w, t, NOW, FAILURE)
            assert keep and w.result == FAILURE


def test_success_threshold():
    w = worker(READINESS, success_threshold=3, failure_threshold=1)
    t = running_target()
    w, _ = probe_step(w, t, NOW, None)  # adopt the container: result starts as Failure
    assert w.result == FAILURE
    for _ in range(2):
        for _ in range(2):
            w, keep = probe_step(w, t, NOW, SUCCESS)
            assert keep and w.result == FAILURE
        for _ in range(3):
            w, keep = probe_step(w, t, NOW, SUCCESS)
            assert keep and w.result == SUCCESS
        w, keep = probe_step(w, t, NOW, FAILURE)
        assert keep and w.result == FAILURE


# ---- startup thresholds --------------------------------------------------------

def test_startup_probe_success_threshold():
    w = worker(STARTUP, success_threshold=1, failure_threshold=3)
    t = running_target(started=False)
    assert not w.on_hold
    w, keep = probe_step(w, t, NOW, SUCCESS)
    assert keep and w.result == SUCCESS
    assert w.on_hold and w.result_run == 0


def test_startup_probe_failure_threshold():
    w = worker(STARTUP, success_threshold=1, failure_threshold=3)
    t = running_target(started=False)
    for i in range(3):
        assert not w.on_hold
        w, keep = probe_step(w, t, NOW, FAILURE)
        assert keep
        if i < 2:
            assert w.result == UNKNOWN and w.result_run == i + 1
        else:
            assert w.result == FAILURE and w.result_run == 0
    assert w.on_hold and w.result_run == 0


# ---- TestOnHoldOnLivenessOrStartupCheckFailure ------------------------------

@pytest.mark.parametrize("probe_type", [LIVENESS, STARTUP])
def test_on_hold_on_liveness_or_startup_check_failure(probe_type):
    w = worker(probe_type, success_threshold=1, failure_threshold=1)
    t = running_target(started_for(probe_type))
    w, keep = probe_step(w, t, NOW, FAILURE)
    assert keep and w.result == FAILURE and w.on_hold
    w, keep = probe_step(w, t, NOW, SUCCESS)
    assert keep and w.result == FAILURE and w.on_hold
    w, keep = probe_step(w, running_target(started_for(probe_type), cid="test://newCont_ID"), NOW, SUCCESS)
    assert keep and w.result == SUCCESS
    assert w.on_hold == (probe_type == STARTUP)


# ---- TestResultRunOn{Liveness,Startup}CheckFailure ---------------------------

def test_result_run_on_liveness_check_failure():
    w = worker(LIVENESS, success_threshold=1, failure_threshold=3)
    t = running_target()
    expected = [(SUCCESS, SUCCESS, 1), (FAILURE, SUCCESS, 1), (FAILURE, SUCCESS, 2), (FAILURE, FAILURE, 0)]
    for outcome, result, run in expected:
        w, keep = probe_step(w, t, NOW, outcome)
        assert keep and w.result == result and w.result_run == run


def test_result_run_on_startup_check_failure():
    w = worker(STARTUP, success_threshold=1, failure_threshold=3)
    t = running_target(started=False)
    for outcome, result, run in [(FAILURE, UNKNOWN, 1), (FAILURE, UNKNOWN, 2), (FAILURE, FAILURE, 0)]:
        w, keep = probe_step(w, t, NOW, outcome)
        assert keep and w.result == result and w.result_run == run


# ---- Test{Liveness,Startup}ProbeDisabledByStarted ----------------------------

def test_liveness_probe_disabled_by_started():
    w = worker(LIVENESS, success_threshold=1, failure_threshold=1)
    w, _ = probe_step(w, running_target(started=False), NOW, FAILURE)
    assert w.result == SUCCESS  # not started: liveness does not probe
    w, _ = probe_step(w, running_target(started=True), NOW, FAILURE)
    assert w.result == FAILURE


def test_startup_probe_disabled_by_started():
    w = worker(STARTUP, success_threshold=1, failure_threshold=2)
    w, _ = probe_step(w, running_target(started=False), NOW, FAILURE)
    assert w.result == UNKNOWN
    w, _ = probe_step(w, running_target(started=False), NOW, SUCCESS)
    assert w.result == SUCCESS
    w, _ = probe_step(w, running_target(started=True), NOW, FAILURE)
    assert w.result == SUCCESS


def test_prober_error_is_thrown_away():
    w = worker(READINESS)
    w, _ = probe_step(w, running_target(), NOW, SUCCESS)
    w2, keep = probe_step(w, running_target(), NOW, None)
    assert keep and w2 == w


# ---- probe_due / timing / defaults / result rules ----------------------------

def test_probe_due_gates():
    w = worker(READINESS, initial_delay_seconds=5)
    assert not probe_due(w, running_target(), NOW + 4.9)
    assert probe_due(w, running_target(), NOW + 5)
    assert not probe_due(w, running_target(started=False), NOW + 5)
    assert probe_due(worker(STARTUP), running_target(started=False), NOW)
    assert not probe_due(worker(STARTUP), running_target(started=True), NOW)


def test_next_probe_time_is_one_period_later():
    assert next_probe_time(NOW, ProbeSpec()) == NOW + 10
    assert next_probe_time(NOW, ProbeSpec(period_seconds=3)) == NOW + 3


def test_probe_defaults():
    spec = probe_spec_from_manifest({"httpGet": {"path": "/"}})
    assert spec == ProbeSpec(initial_delay_seconds=0, timeout_seconds=1, period_seconds=10, success_threshold=1, failure_threshold=3)
    spec = probe_spec_from_manifest({"periodSeconds": 0, "failureThreshold": 5, "timeoutSeconds": 2}, probe_type=LIVENESS)
    assert (spec.period_seconds, spec.failure_threshold, spec.timeout_seconds) == (10, 5, 2)


def test_liveness_success_threshold_must_be_one():
    with pytest.raises(NodeRulesError, match="livenessProbe.successThreshold"):
        probe_spec_from_manifest({"successThreshold": 2}, probe_type=LIVENESS)


@pytest.mark.parametrize("code,want", [(199, FAILURE), (200, SUCCESS), (204, SUCCESS), (302, SUCCESS), (399, SUCCESS), (400, FAILURE), (404, FAILURE), (500, FAILURE)])
def test_http_probe_result(code, want):
    assert http_probe_result(code) == want


def test_http_probe_failure_message():
    assert http_probe_output(503) == "HTTP probe failed with statuscode: 503"


def test_exec_probe_result():
    assert exec_probe_result(0) == SUCCESS
    assert exec_probe_result(1) == FAILURE
    assert exec_probe_result(0, timed_out=True) == FAILURE


def test_started_and_ready_from_probe_results():
    assert container_started(True, False, None)
    assert not container_started(True, True, None)
    assert not container_started(True, True, UNKNOWN)
    assert container_started(True, True, SUCCESS)
    assert not container_started(False, False, None)
    assert container_ready(True, True, False, None)
    assert not container_ready(True, True, True, FAILURE)
    assert container_ready(True, True, True, SUCCESS)
    assert not container_ready(True, False, False, None)
    assert container_ready(False, False, False, None, is_init_container=True, terminated_exit_code=0)
    assert not container_ready(False, False, False, None, is_init_container=True, terminated_exit_code=1)


@given(st.lists(st.sampled_from([SUCCESS, FAILURE]), max_size=40), st.integers(1, 5), st.integers(1, 5))
def test_readiness_result_changes_only_after_threshold_runs(outcomes, succ, fail):
    w = worker(READINESS, success_threshold=succ, failure_threshold=fail)
    t = running_target()
    run_value, run = None, 0
    for o in outcomes:
        before = w.result
        w, keep = probe_step(w, t, NOW, o)
        assert keep
        run = run + 1 if o == run_value else 1
        run_value = o
        if w.result != before and before is not None:
            assert w.result == o and run >= (succ if o == SUCCESS else fail)
