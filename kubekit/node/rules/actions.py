"""Which containers to start and kill: ``computePodActions``
(``pkg/kubelet/kuberuntime/kuberuntime_manager.go``) and
``computeInitContainerActions`` (``kuberuntime_container.go``), for v1.34/v1.35
with sidecar containers GA.

Not modelled: in-place resize (``computePodResizeAction``), the alpha
``RestartAllContainers`` action, user-namespace/hostNetwork changes other than
the sandbox network mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from kubekit.node.rules.pod_spec import (
    Manifest,
    containers,
    ephemeral_containers,
    init_containers,
    is_restartable_init_container,
    pod_restart_policy,
    spec_of,
)
from kubekit.node.rules.restart_policy import should_container_be_restarted, should_restart_on_failure
from kubekit.node.rules.runtime_status import PodRuntimeStatus, RuntimeContainer

# containerKillReason values
REASON_STARTUP_PROBE = "StartupProbe"
REASON_LIVENESS_PROBE = "LivenessProbe"
REASON_FAILED_POST_START_HOOK = "FailedPostStartHook"
REASON_UNKNOWN = ""

SUCCESS = "Success"
FAILURE = "Failure"
UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class ContainerToKill:
    container_id: str
    name: str
    message: str
    reason: str = REASON_UNKNOWN


@dataclass(frozen=True, slots=True)
class PodActions:
    """``podActions``."""

    kill_pod: bool = False
    create_sandbox: bool = False
    sandbox_id: str = ""
    attempt: int = 0
    init_containers_to_start: Tuple[int, ...] = ()
    containers_to_start: Tuple[int, ...] = ()
    containers_to_kill: Tuple[ContainerToKill, ...] = ()
    ephemeral_containers_to_start: Tuple[int, ...] = ()

    def kill_ids(self) -> Tuple[str, ...]:
        return tuple(sorted(k.container_id for k in self.containers_to_kill))


def pod_sandbox_changed(pod: Manifest, status: PodRuntimeStatus) -> Tuple[bool, int, str]:
    """``runtimeutil.PodSandboxChanged`` -> (create a new sandbox?, attempt, sandbox id)."""
    if not status.sandboxes:
        return True, 0, ""
    ready_count = sum(1 for s in status.sandboxes if s.ready)
    latest = status.sandboxes[0]
    if ready_count > 1:
        return True, latest.attempt + 1, latest.id
    if not latest.ready:
        return True, latest.attempt + 1, latest.id
    if latest.host_network != bool(spec_of(pod).get("hostNetwork")):
        return True, latest.attempt + 1, ""
    if not spec_of(pod).get("hostNetwork") and not latest.ip:
        return True, latest.attempt + 1, latest.id
    return False, latest.attempt, latest.id


def _container_succeeded(container: Mapping[str, Any], status: PodRuntimeStatus) -> bool:
    """``containerSucceeded``."""
    c = status.find(container.get("name"))
    if c is None or c.state == "running":
        return False
    return c.exit_code == 0


def _init_container_failed(c: RuntimeContainer) -> bool:
    """``isInitContainerFailed``."""
    if c.reason == "OOMKilled":
        return True
    if c.state == "exited" and c.exit_code != 0:
        return True
    return c.state == "unknown"


def _has_any_regular_container_created(pod: Manifest, status: PodRuntimeStatus) -> bool:
    """``hasAnyRegularContainerCreated``."""
    for container in containers(pod):
        c = status.find(container.get("name"))
        if c is not None and c.state in ("created", "running", "exited"):
            return True
    return False


def _changed(container: Mapping[str, Any], c: RuntimeContainer, spec_hashes: Mapping[str, str]) -> bool:
    """``containerChanged``: the instance's hash differs from the spec's."""
    want = spec_hashes.get(container.get("name"))
    return c.spec_hash is not None and want is not None and c.spec_hash != want


def _compute_init_actions(
    pod: Manifest,
    status: PodRuntimeStatus,
    kill: List[ContainerToKill],
    liveness: Mapping[str, str],
    startup: Mapping[str, str],
    spec_hashes: Mapping[str, str],
) -> Tuple[bool, bool, List[int]]:
    """``computeInitContainerActions`` -> (pod initialized, kill pod, init indexes to start)."""
    inits = init_containers(pod)
    if not inits:
        return True, False, []
    has_initialized = False
    for container in containers(pod):
        c = status.find(container.get("name"))
        if c is not None and c.state in ("created", "running"):
            has_initialized = True
            break
    previously_initialized = has_initialized
    restart_on_failure = should_restart_on_failure(pod)
    to_start: List[int] = []

    for i in range(len(inits) - 1, -1, -1):
        container = inits[i]
        name = container.get("name")
        restartable = is_restartable_init_container(container)
        c = status.find(name)
        if c is None:
            if previously_initialized and restartable:
                to_start.append(i)
            continue
        if previously_initialized and not restartable:
            continue
        if c.state == "created":
            to_start.append(i)
        elif c.state == "running":
            if restartable:
                _running_sidecar(
                    i, container, c, inits, previously_initialized, kill, to_start, liveness, startup, spec_hashes
                )
                if i == len(inits) - 1 and _sidecar_started(container, c, startup):
                    has_initialized = True
        elif c.state == "exited":
            if restartable:
                to_start.append(i)
            elif _init_container_failed(c):
                if not restart_on_failure:
                    return False, True, []
                to_start.append(i)
            elif i == len(inits) - 1:
                has_initialized = True
            else:
                to_start.append(i + 1)
        else:  # unknown
            message = f'Init container is in "{c.state}" state, try killing it before restart'
            if restartable:
                kill.append(ContainerToKill(c.id, name, message, REASON_UNKNOWN))
                to_start.append(i)
            else:
                if not restart_on_failure:
                    return False, True, []
                kill.append(ContainerToKill(c.id, name, message, REASON_UNKNOWN))
                to_start.append(i)
        if not previously_initialized:
            previously_initialized = True

    if not previously_initialized:
        to_start.append(0)
    to_start.reverse()
    return has_initialized, False, to_start


def _sidecar_started(container: Mapping[str, Any], c: RuntimeContainer, startup: Mapping[str, str]) -> bool:
    if container.get("startupProbe") is None:
        return True
    return startup.get(c.id) == SUCCESS


def _running_sidecar(
    i: int,
    container: Mapping[str, Any],
    c: RuntimeContainer,
    inits: Any,
    previously_initialized: bool,
    kill: List[ContainerToKill],
    to_start: List[int],
    liveness: Mapping[str, str],
    startup: Mapping[str, str],
    spec_hashes: Mapping[str, str],
) -> None:
    """The ``ContainerStateRunning`` branch for a restartable init container."""
    name = container.get("name")
    if container.get("startupProbe") is not None:
        result = startup.get(c.id)
        if result is None:
            return  # startup probe has not run yet: wait
        if result != SUCCESS:
            if result == FAILURE:
                kill.append(ContainerToKill(c.id, name, f"Init container {name} failed startup probe", REASON_STARTUP_PROBE))
                to_start.append(i)
            return
    if i != len(inits) - 1 and not previously_initialized:
        to_start.append(i + 1)
    if _changed(container, c, spec_hashes):
        kill.append(ContainerToKill(c.id, name, f"Init container {name} definition changed", REASON_UNKNOWN))
        to_start.append(i)
        return
    if container.get("livenessProbe") is not None:
        result = liveness.get(c.id)
        if result is None:
            return
        if result == FAILURE:
            kill.append(ContainerToKill(c.id, name, f"Init container {name} failed liveness probe", REASON_LIVENESS_PROBE))
            to_start.append(i)


def compute_pod_actions(
    pod: Manifest,
    status: PodRuntimeStatus,
    *,
    liveness: Optional[Mapping[str, str]] = None,
    startup: Optional[Mapping[str, str]] = None,
    spec_hashes: Optional[Mapping[str, str]] = None,
) -> PodActions:
    """``computePodActions(pod, podStatus)``.

    ``liveness``/``startup`` map a container id to the probe manager's current
    result (``Success``/``Failure``/``Unknown``; absent = not probed yet).
    ``spec_hashes`` maps a container name to the hash of its current spec; a
    running instance whose ``spec_hash`` differs is killed and restarted."""
    liveness = liveness or {}
    startup = startup or {}
    spec_hashes = spec_hashes or {}
    create, attempt, sandbox_id = pod_sandbox_changed(pod, status)
    regular = containers(pod)

    if create:
        if not should_restart_on_failure(pod) and attempt != 0 and status.containers:
            return PodActions(kill_pod=True, create_sandbox=False, sandbox_id=sandbox_id, attempt=attempt)
        to_start = [
            idx
            for idx, c in enumerate(regular)
            if not (pod_restart_policy(pod) == "OnFailure" and _container_succeeded(c, status))
        ]
        if not to_start and _has_any_regular_container_created(pod, status):
            return PodActions(kill_pod=True, create_sandbox=False, sandbox_id=sandbox_id, attempt=attempt)
        if init_containers(pod):
            return PodActions(
                kill_pod=True, create_sandbox=True, sandbox_id=sandbox_id, attempt=attempt, init_containers_to_start=(0,)
            )
        return PodActions(
            kill_pod=True, create_sandbox=True, sandbox_id=sandbox_id, attempt=attempt, containers_to_start=tuple(to_start)
        )

    ephemeral = tuple(
        i for i, c in enumerate(ephemeral_containers(pod)) if status.find(c.get("name")) is None
    )
    kill: List[ContainerToKill] = []
    initialized, kill_pod, init_to_start = _compute_init_actions(pod, status, kill, liveness, startup, spec_hashes)
    base = dict(sandbox_id=sandbox_id, attempt=attempt, ephemeral_containers_to_start=ephemeral)
    if kill_pod or not initialized:
        return PodActions(
            kill_pod=kill_pod,
            init_containers_to_start=tuple(init_to_start),
            containers_to_kill=tuple(kill),
            **base,
        )

    keep = 0
    to_start_list: List[int] = []
    for idx, container in enumerate(regular):
        name = container.get("name")
        c = status.find(name)
        if c is None or c.state != "running":
            if should_container_be_restarted(container, pod, None if c is None else c.state, 0 if c is None else c.exit_code):
                to_start_list.append(idx)
                if c is not None and c.state == "unknown":
                    kill.append(
                        ContainerToKill(c.id, name, f'Container is in "{c.state}" state, try killing it before restart', REASON_UNKNOWN)
                    )
            continue
        restart = should_restart_on_failure(pod)
        if _changed(container, c, spec_hashes):
            message, reason, restart = f"Container {name} definition changed", REASON_UNKNOWN, True
        elif liveness.get(c.id) == FAILURE:
            message, reason = f"Container {name} failed liveness probe", REASON_LIVENESS_PROBE
        elif startup.get(c.id) == FAILURE:
            message, reason = f"Container {name} failed startup probe", REASON_STARTUP_PROBE
        else:
            keep += 1
            continue
        if restart:
            message = f"{message}, will be restarted"
            to_start_list.append(idx)
        kill.append(ContainerToKill(c.id, name, message, reason))

    if keep == 0 and not to_start_list:
        return PodActions(kill_pod=True, containers_to_kill=tuple(kill), **base)
    return PodActions(
        init_containers_to_start=tuple(init_to_start),
        containers_to_start=tuple(to_start_list),
        containers_to_kill=tuple(kill),
        **base,
    )
