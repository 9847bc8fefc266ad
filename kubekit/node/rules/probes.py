"""Probes as a pure state machine: ``pkg/kubelet/prober/worker.go`` (v1.35,
``ContainerRestartRules`` on), the probe defaults of
``pkg/apis/core/v1/defaults.go`` ``SetDefaults_Probe``, the result rules of
``pkg/probe/http/http.go`` / ``pkg/probe/exec`` / ``pkg/probe/tcp`` /
``pkg/probe/grpc`` and ``prober.go``, and how the probe manager turns results
into ``started``/``ready`` (``prober_manager.go`` ``UpdatePodStatus``).

The I/O (running the HTTP GET, the exec, the TCP dial) is the agent's; it feeds
the outcome of one probe run to :func:`probe_step`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Optional, Tuple

from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.pod_spec import Manifest
from kubekit.node.rules.restart_policy import container_should_restart

SUCCESS = "Success"
FAILURE = "Failure"
UNKNOWN = "Unknown"

LIVENESS = "liveness"
READINESS = "readiness"
STARTUP = "startup"
PROBE_TYPES = (LIVENESS, READINESS, STARTUP)

#: ``newWorker``: the result published for a new container before any probe ran.
INITIAL_RESULT = {READINESS: FAILURE, LIVENESS: SUCCESS, STARTUP: UNKNOWN}


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A ``v1.Probe`` after defaulting (seconds)."""

    initial_delay_seconds: int = 0
    timeout_seconds: int = 1
    period_seconds: int = 10
    success_threshold: int = 1
    failure_threshold: int = 3
    termination_grace_period_seconds: Optional[int] = None


def probe_spec_from_manifest(probe: Mapping[str, Any], *, probe_type: str = READINESS) -> ProbeSpec:
    """``SetDefaults_Probe``: timeout 1, period 10, success 1, failure 3 (zero
    counts as unset).  Liveness and startup probes must have successThreshold 1
    (API validation); anything else is rejected here."""
    if probe_type not in PROBE_TYPES:
        raise NodeRulesError(f"probe type {probe_type!r}: expected one of {list(PROBE_TYPES)}")

    def field(name: str, default: int) -> int:
        value = probe.get(name) or 0
        if not isinstance(value, int) or isinstance(value, bool):
            raise NodeRulesError(f"{probe_type}Probe.{name}: expected an integer, got {value!r}")
        return value or default

    spec = ProbeSpec(
        initial_delay_seconds=int(probe.get("initialDelaySeconds") or 0),
        timeout_seconds=field("timeoutSeconds", 1),
        period_seconds=field("periodSeconds", 10),
        success_threshold=field("successThreshold", 1),
        failure_threshold=field("failureThreshold", 3),
        termination_grace_period_seconds=probe.get("terminationGracePeriodSeconds"),
    )
    if probe_type != READINESS and spec.success_threshold != 1:
        raise NodeRulesError(f"{probe_type}Probe.successThreshold: must be 1, got {spec.success_threshold}")
    return spec


def http_probe_result(status_code: int) -> str:
    """``DoHTTPProbe``: 200..399 succeed (3xx is ``Warning``, which ``prober.go``
    reports as ``Success``); everything else fails."""
    return SUCCESS if 200 <= status_code < 400 else FAILURE


def http_probe_output(status_code: int) -> str:
    """The failure message ``DoHTTPProbe`` records (the body is never included)."""
    return "" if 200 <= status_code < 400 else f"HTTP probe failed with statuscode: {status_code}"


def exec_probe_result(exit_code: Optional[int], *, timed_out: bool = False) -> str:
    """Exec probes succeed on exit code 0; a timeout is a failure
    (``ExecProbeTimeout``, GA)."""
    return SUCCESS if not timed_out and exit_code == 0 else FAILURE


def tcp_probe_result(connected: bool) -> str:
    """TCP probes succeed when the connection is established."""
    return SUCCESS if connected else FAILURE


def grpc_probe_result(serving_status: str) -> str:
    """gRPC probes succeed on ``SERVING``."""
    return SUCCESS if serving_status == "SERVING" else FAILURE


@dataclass(frozen=True, slots=True)
class ProbeState:
    """A probe worker's memory (``worker`` fields).

    ``result`` is what the results manager holds for the current container
    (``None`` = nothing set yet); ``last_result``/``result_run`` count
    consecutive identical probe outcomes; ``on_hold`` stops probing until a new
    container id appears."""

    probe_type: str
    spec: ProbeSpec
    container_id: str = ""
    result: Optional[str] = None
    last_result: str = UNKNOWN
    result_run: int = 0
    on_hold: bool = False
    stopped: bool = False

    def __post_init__(self) -> None:
        if self.probe_type not in PROBE_TYPES:
            raise NodeRulesError(f"ProbeState.probe_type {self.probe_type!r}: expected one of {list(PROBE_TYPES)}")


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """What ``doProbe`` reads from the pod status for the probed container.

    ``container_id`` is empty when the pod status has no entry (or no id yet)
    for the container; ``state`` is ``running``/``waiting``/``terminated`` or
    ``None`` for an empty state."""

    container_id: str = ""
    state: Optional[str] = None
    started_at: float = 0.0
    started: bool = False
    exit_code: int = 0
    pod_phase: str = "Running"
    pod_deleted: bool = False
    has_pod_status: bool = True


def new_probe_state(probe_type: str, spec: ProbeSpec) -> ProbeState:
    return ProbeState(probe_type=probe_type, spec=spec)


def probe_due(
    state: ProbeState, target: ProbeTarget, now: float
) -> bool:
    """Whether ``doProbe`` would actually run the prober now (as opposed to
    returning early): the gates before ``prober.probe`` in ``doProbe``."""
    if state.stopped or state.on_hold or target.state != "running":
        return False
    if target.pod_deleted and state.probe_type in (LIVENESS, STARTUP):
        return False
    if int(now - target.started_at) < state.spec.initial_delay_seconds:
        return False
    if target.started:
        return state.probe_type != STARTUP
    return state.probe_type == STARTUP


def probe_step(
    state: ProbeState,
    target: ProbeTarget,
    now: float,
    outcome: Optional[str],
    *,
    pod: Optional[Manifest] = None,
    container: Optional[Mapping[str, Any]] = None,
    is_init_container: bool = False,
) -> Tuple[ProbeState, bool]:
    """One ``doProbe`` call -> (new state, keep going).

    ``outcome`` is the result of running the probe (``Success``/``Failure``, or
    ``None`` for a prober error, which is thrown away); it is only used when
    :func:`probe_due` holds.  ``pod``/``container`` decide whether a terminated
    container will be restarted (``ContainerShouldRestart``; omitted means the
    default ``Always`` policy).  ``is_init_container`` is accepted for
    symmetry with the worker; with ``ContainerRestartRules`` on, a sidecar's
    ``restartPolicy: Always`` already answers the question."""
    if state.stopped:
        return state, False
    if not target.has_pod_status:
        return state, True
    if target.pod_phase in ("Failed", "Succeeded"):
        return replace(state, stopped=True), False
    if not target.container_id:
        return state, True

    if target.container_id != state.container_id:
        state = replace(
            state, container_id=target.container_id, result=INITIAL_RESULT[state.probe_type], on_hold=False
        )
    if state.on_hold:
        return state, True

    if target.state != "running":
        state = replace(state, result=FAILURE)
        if target.state != "terminated":
            return state, True
        keep = container_should_restart(container or {}, pod or {}, target.exit_code)
        if not keep:
            state = replace(state, stopped=True)
        return state, keep

    if target.pod_deleted and state.probe_type in (LIVENESS, STARTUP):
        return replace(state, result=SUCCESS, stopped=True), False
    if int(now - target.started_at) < state.spec.initial_delay_seconds:
        return state, True
    if target.started:
        if state.probe_type == STARTUP:
            return state, True
    elif state.probe_type != STARTUP:
        return state, True

    if outcome is None:
        return state, True
    if outcome not in (SUCCESS, FAILURE, UNKNOWN):
        raise NodeRulesError(f"probe outcome {outcome!r}: expected Success, Failure, Unknown or None")

    if state.last_result == outcome:
        run = state.result_run + 1
    else:
        run = 1
    state = replace(state, last_result=outcome, result_run=run)
    if (outcome == FAILURE and run < state.spec.failure_threshold) or (
        outcome == SUCCESS and run < state.spec.success_threshold
    ):
        return state, True
    state = replace(state, result=outcome)
    if (state.probe_type == LIVENESS and outcome == FAILURE) or state.probe_type == STARTUP:
        state = replace(state, on_hold=True, result_run=0)
    return state, True


def next_probe_time(last_probe_at: float, spec: ProbeSpec) -> float:
    """The worker's ticker fires every ``periodSeconds`` after the previous run
    (a manual trigger resets the ticker, so pass the time of that run).  The
    random start-up jitter the kubelet adds right after it restarts is not
    modelled."""
    return last_probe_at + spec.period_seconds


def probe_timeout(spec: ProbeSpec) -> float:
    """Seconds the agent lets one probe run before counting it as a failure."""
    return float(spec.timeout_seconds)


def container_started(running: bool, has_startup_probe: bool, startup_result: Optional[str]) -> bool:
    """``UpdatePodStatus``: ``started`` is false unless running; with a startup
    probe it is the probe's result being ``Success``; without one it is true."""
    if not running:
        return False
    if startup_result is not None:
        return startup_result == SUCCESS
    return not has_startup_probe


def container_ready(
    running: bool,
    started: bool,
    has_readiness_probe: bool,
    readiness_result: Optional[str],
    *,
    is_init_container: bool = False,
    restartable: bool = False,
    terminated_exit_code: Optional[int] = None,
) -> bool:
    """``UpdatePodStatus``: ``ready`` for a container.  A regular init
    container is ready once it terminated with 0; other containers must be
    started and running, and pass their readiness probe (ready without one)."""
    if is_init_container and not restartable:
        return terminated_exit_code == 0
    if not started or not running:
        return False
    if readiness_result == SUCCESS:
        return True
    return not has_readiness_probe
