"""Pod phase from container statuses: the kubelet's ``getPhase``
(``pkg/kubelet/kubelet_pods.go``), v1.35 with default feature gates
(``ContainerRestartRules`` on; ``RestartAllContainersOnContainerExits`` is alpha
and not modelled).

Statuses are API ``ContainerStatus`` dicts (``{"name", "state": {"running": {...}}
| {"terminated": {"exitCode": n}} | {"waiting": {...}}, "lastState": {...},
"started": bool}``), init and regular containers in one list.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from kubekit.node.rules.pod_spec import (
    Manifest,
    containers,
    exit_code,
    find_status,
    init_containers,
    is_restartable_init_container,
    is_static_pod,
    state_kind,
)
from kubekit.node.rules.restart_policy import container_should_restart

PENDING = "Pending"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"


def has_any_regular_container_started(pod: Manifest, statuses: Iterable[Mapping[str, Any]]) -> bool:
    """``kubecontainer.HasAnyRegularContainerStarted``: a regular container's
    status is running or terminated."""
    names = {c.get("name") for c in containers(pod)}
    for status in statuses or ():
        if status.get("name") in names and state_kind(status.get("state")) in ("running", "terminated"):
            return True
    return False


def pod_phase(
    pod: Manifest,
    statuses: Sequence[Mapping[str, Any]],
    *,
    pod_is_terminal: bool = False,
    pod_has_initialized: bool = False,
) -> str:
    """``getPhase(pod, info, podIsTerminal, podHasInitialized)``.

    ``pod_has_initialized`` is ``HasAnyActiveRegularContainerStarted``: whether a
    regular container of the current sandbox has been started (the caller knows
    it from the runtime)."""
    pending_restartable_init = 0
    pending_regular_init = 0
    failed_init_not_restartable = 0

    for container in init_containers(pod):
        if is_restartable_init_container(container):
            continue
        status = find_status(statuses, container.get("name"))
        if status is None:
            pending_regular_init += 1
            continue
        kind = state_kind(status.get("state"))
        if kind == "running":
            pending_regular_init += 1
        elif kind == "terminated":
            code = exit_code(status["state"]["terminated"])
            if code != 0 and not container_should_restart(container, pod, code):
                failed_init_not_restartable += 1
        elif kind == "waiting":
            last = (status.get("lastState") or {}).get("terminated")
            if last is not None:
                code = exit_code(last)
                if code != 0 and not container_should_restart(container, pod, code):
                    failed_init_not_restartable += 1
            else:
                pending_regular_init += 1
        else:
            pending_regular_init += 1

    unknown = running = waiting = stopped = stopped_not_restartable = succeeded = 0

    for container in init_containers(pod):
        if not is_restartable_init_container(container):
            continue
        status = find_status(statuses, container.get("name"))
        if status is None:
            unknown += 1
            continue
        kind = state_kind(status.get("state"))
        if kind == "running":
            if not status.get("started"):
                pending_restartable_init += 1
            running += 1
        elif kind == "terminated":
            pass  # terminated sidecars do not count towards the phase
        elif kind == "waiting":
            if (status.get("lastState") or {}).get("terminated") is None:
                pending_restartable_init += 1
                waiting += 1
        else:
            pending_restartable_init += 1
            unknown += 1

    for container in containers(pod):
        status = find_status(statuses, container.get("name"))
        if status is None:
            unknown += 1
            continue
        kind = state_kind(status.get("state"))
        if kind == "running":
            running += 1
        elif kind == "terminated":
            stopped += 1
            code = exit_code(status["state"]["terminated"])
            if not container_should_restart(container, pod, code):
                stopped_not_restartable += 1
            if code == 0:
                succeeded += 1
        elif kind == "waiting":
            last = (status.get("lastState") or {}).get("terminated")
            if last is not None:
                stopped += 1
                if not container_should_restart(container, pod, exit_code(last)):
                    stopped_not_restartable += 1
            else:
                waiting += 1
        else:
            unknown += 1

    if failed_init_not_restartable > 0:
        return FAILED

    if pending_regular_init > 0 or (pending_restartable_init > 0 and not pod_has_initialized) or waiting > 0:
        return PENDING
    if running > 0 and unknown == 0:
        return RUNNING
    if running == 0 and stopped > 0 and unknown == 0:
        if pod_is_terminal and not is_static_pod(pod):
            return SUCCEEDED if stopped == succeeded else FAILED
        if stopped != stopped_not_restartable:
            return RUNNING
        return SUCCEEDED if stopped == succeeded else FAILED
    return PENDING
