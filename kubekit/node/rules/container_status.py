"""API container statuses from runtime instances: ``convertToAPIContainerStatuses``
(``pkg/kubelet/kubelet_pods.go``, v1.34/v1.35 with default gates).

Decides each container's ``state`` (waiting with ``ContainerCreating`` /
``PodInitializing`` / a sync-error reason such as ``CrashLoopBackOff`` or
``ErrImagePull``; running; terminated with the runtime's reason), its
``lastState`` and ``restartCount``.  Not modelled: resources, volume mounts,
``user``, ``stopSignal``, image ids, the alpha ``RestartAllContainers`` path.

Terminated reasons come from the runtime: containerd's CRI reports ``Completed``
(exit 0), ``Error`` (non-zero), ``OOMKilled`` and ``StartError``
(:func:`runtime_exit_reason`).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from kubekit.node.rules.pod_spec import Manifest, is_restartable_init_container, init_containers
from kubekit.node.rules.restart_policy import should_container_be_restarted
from kubekit.node.rules.runtime_status import PodRuntimeStatus, RuntimeContainer

# Waiting reasons (kubelet_pods.go, kubecontainer/sync_result.go, images/types.go).
CONTAINER_CREATING = "ContainerCreating"
POD_INITIALIZING = "PodInitializing"
CRASH_LOOP_BACK_OFF = "CrashLoopBackOff"
ERR_IMAGE_PULL = "ErrImagePull"
IMAGE_PULL_BACK_OFF = "ImagePullBackOff"
ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull"
INVALID_IMAGE_NAME = "InvalidImageName"
IMAGE_INSPECT_ERROR = "ImageInspectError"
CREATE_CONTAINER_CONFIG_ERROR = "CreateContainerConfigError"
CREATE_CONTAINER_ERROR = "CreateContainerError"
RUN_CONTAINER_ERROR = "RunContainerError"
PRE_START_HOOK_ERROR = "PreStartHookError"
POST_START_HOOK_ERROR = "PostStartHookError"

# Terminated reasons.
COMPLETED = "Completed"
ERROR = "Error"
OOM_KILLED = "OOMKilled"
START_ERROR = "StartError"
CONTAINER_CANNOT_RUN = "ContainerCannotRun"  # dockershim's; kept for old clusters' data
CONTAINER_STATUS_UNKNOWN = "ContainerStatusUnknown"

MSG_LOCATED_WHEN_DELETED = "The container could not be located when the pod was deleted.  The container used to be Running"
MSG_LOCATED_WHEN_TERMINATED = "The container could not be located when the pod was terminated"
MSG_INIT_ASSUMED_COMPLETED = (
    "Unable to get init container status from container runtime and pod has been initialized, "
    "treat it as exited normally"
)


def runtime_exit_reason(exit_code: int, *, oom_killed: bool = False, start_failed: bool = False) -> str:
    """The terminated ``reason`` containerd's CRI plugin reports
    (``internal/cri/server/container_status.go``): ``OOMKilled`` when the
    kernel OOM-killed the container, ``StartError`` when it never started,
    else ``Completed`` for exit 0 and ``Error`` otherwise."""
    if start_failed:
        return START_ERROR
    if oom_killed:
        return OOM_KILLED
    return COMPLETED if exit_code == 0 else ERROR


def _kind(status: Mapping[str, Any], key: str = "state") -> Optional[str]:
    state = status.get(key) or {}
    for kind in ("running", "terminated", "waiting"):
        if state.get(kind) is not None:
            return kind
    return None


def _convert(c: RuntimeContainer, old: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """``convertContainerStatus``."""
    status: Dict[str, Any] = {"name": c.name, "restartCount": c.restart_count, "containerID": c.id, "lastState": {}}
    if c.state == "running":
        status["state"] = {"running": {"startedAt": c.started_at}}
    elif c.state == "created":
        status["state"] = {"waiting": {}}
    elif c.state == "exited":
        terminated: Dict[str, Any] = {"exitCode": c.exit_code, "containerID": c.id}
        if c.reason:
            terminated["reason"] = c.reason
        if c.message:
            terminated["message"] = c.message
        terminated["startedAt"] = c.started_at
        terminated["finishedAt"] = c.finished_at
        status["state"] = {"terminated": terminated}
    elif c.state == "unknown" and old is not None and _kind(old) == "running":
        status["state"] = {
            "terminated": {"reason": CONTAINER_STATUS_UNKNOWN, "message": MSG_LOCATED_WHEN_TERMINATED, "exitCode": 137}
        }
        status["restartCount"] = int(old.get("restartCount") or 0) + 1
    else:
        status["state"] = {"waiting": {}}
    return status


def container_statuses(
    pod: Manifest,
    spec_containers: Sequence[Mapping[str, Any]],
    runtime: PodRuntimeStatus,
    previous: Sequence[Mapping[str, Any]] = (),
    *,
    has_init_containers: bool = False,
    is_init_container: bool = False,
    sync_errors: Optional[Mapping[str, Tuple[str, str]]] = None,
) -> List[Dict[str, Any]]:
    """``convertToAPIContainerStatuses``.

    ``spec_containers`` is ``spec.containers`` or ``spec.initContainers``
    (``is_init_container``); ``previous`` the statuses last reported for them;
    ``sync_errors`` the kubelet's reason cache: container name -> (reason,
    message) of the last failed start (e.g. ``("CrashLoopBackOff", "back-off
    10s restarting failed container=...")`` or ``("ErrImagePull", ...)``).
    Init statuses keep spec order; regular statuses are sorted by name."""
    sync_errors = sync_errors or {}
    old_by_name = {s.get("name"): s for s in previous or ()}
    default_reason = POD_INITIALIZING if has_init_containers else CONTAINER_CREATING
    statuses: Dict[str, Dict[str, Any]] = {}
    for container in spec_containers:
        name = container.get("name")
        status: Dict[str, Any] = {
            "name": name,
            "state": {"waiting": {"reason": default_reason}},
            "lastState": {},
            "restartCount": 0,
        }
        old = old_by_name.get(name)
        if old is not None:
            if _kind(old) == "terminated":
                status = copy.deepcopy(dict(old))
            else:
                status["restartCount"] = int(old.get("restartCount") or 0)
                status["lastState"] = copy.deepcopy(dict(old.get("lastState") or {}))
        statuses[name] = status

    runtime_names = {c.name for c in runtime.containers}
    for container in spec_containers:
        name = container.get("name")
        if name in runtime_names:
            continue
        old = old_by_name.get(name)
        if old is None or _kind(old) != "running":
            continue
        status = statuses[name]
        waiting = (status.get("state") or {}).get("waiting")
        if waiting is None or waiting.get("reason") != default_reason:
            continue
        if (status.get("lastState") or {}).get("terminated") is not None:
            continue
        status["lastState"] = {
            "terminated": {"reason": CONTAINER_STATUS_UNKNOWN, "message": MSG_LOCATED_WHEN_DELETED, "exitCode": 137}
        }
        if not (pod.get("metadata") or {}).get("deletionTimestamp"):
            status["restartCount"] = int(status.get("restartCount") or 0) + 1

    seen: Dict[str, int] = {}
    for c in runtime.newest_first():
        if c.name not in statuses or seen.get(c.name, 0) >= 2:
            continue
        old = old_by_name.get(c.name)
        converted = _convert(c, old)
        if c.state == "running" and old is not None and old.get("started") is not None:
            converted["started"] = old.get("started")
        if seen.get(c.name, 0) == 0:
            statuses[c.name] = converted
        else:
            statuses[c.name]["lastState"] = converted["state"]
        seen[c.name] = seen.get(c.name, 0) + 1

    regular_created = any(
        (r := runtime.find(c.get("name"))) is not None and r.state in ("created", "running", "exited")
        for c in (pod.get("spec") or {}).get("containers") or ()
    )
    for container in spec_containers:
        name = container.get("name")
        latest = runtime.find(name)
        if is_init_container:
            if latest is not None and latest.state == "exited" and latest.exit_code == 0:
                continue
            if (
                latest is None
                and regular_created
                and not is_restartable_init_container(container)
                and (statuses[name].get("state") or {}).get("waiting") is not None
            ):
                statuses[name]["state"] = {
                    "terminated": {"reason": COMPLETED, "message": MSG_INIT_ASSUMED_COMPLETED, "exitCode": 0}
                }
                continue
        if not should_container_be_restarted(
            container, pod, None if latest is None else latest.state, 0 if latest is None else latest.exit_code
        ):
            continue
        if name not in sync_errors:
            continue
        reason, message = sync_errors[name]
        status = statuses[name]
        if (status.get("state") or {}).get("terminated") is not None:
            status["lastState"] = status["state"]
        waiting: Dict[str, Any] = {"reason": reason}
        if message:
            waiting["message"] = message
        status["state"] = {"waiting": waiting}

    if is_init_container:
        order = [c.get("name") for c in init_containers(pod)] or [c.get("name") for c in spec_containers]
        return [statuses[n] for n in order if n in statuses]
    return [statuses[n] for n in sorted(statuses)]
