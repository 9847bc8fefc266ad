"""The kubelet-owned pod conditions ``ContainersReady``, ``Ready`` and
``Initialized``: ``pkg/kubelet/status/generate.go`` (v1.34/v1.35).

``observedGeneration`` (PodObservedGenerationTracking) is not produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from kubekit.node.rules.pod_spec import (
    Manifest,
    containers,
    find_status,
    init_containers,
    is_restartable_init_container,
    spec_of,
)
from kubekit.node.rules.phase import FAILED, SUCCEEDED, has_any_regular_container_started

UNKNOWN_CONTAINER_STATUSES = "UnknownContainerStatuses"
POD_COMPLETED = "PodCompleted"
POD_FAILED = "PodFailed"
CONTAINERS_NOT_READY = "ContainersNotReady"
CONTAINERS_NOT_INITIALIZED = "ContainersNotInitialized"
READINESS_GATES_NOT_READY = "ReadinessGatesNotReady"


@dataclass(frozen=True, slots=True)
class PodCondition:
    type: str
    status: str  # "True" / "False"
    reason: str = ""
    message: str = ""

    def to_dict(self) -> Dict[str, str]:
        out = {"type": self.type, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.message:
            out["message"] = self.message
        return out


def go_string_list(names: Sequence[str]) -> str:
    """``fmt.Sprintf("%s", []string{...})``: ``[a b c]``."""
    return "[" + " ".join(names) + "]"


def _terminal(type_: str, phase: str) -> PodCondition:
    return PodCondition(type_, "False", POD_FAILED if phase == FAILED else POD_COMPLETED)


def containers_ready_condition(
    pod: Manifest, statuses: Optional[Sequence[Mapping[str, Any]]], phase: str
) -> PodCondition:
    """``GenerateContainersReadyCondition``.  ``statuses=None`` means the
    statuses are unknown (Go's nil slice); ``[]`` means known and empty."""
    if statuses is None:
        return PodCondition("ContainersReady", "False", UNKNOWN_CONTAINER_STATUSES)
    unknown: List[str] = []
    unready: List[str] = []
    watched = [c for c in init_containers(pod) if is_restartable_init_container(c)] + list(containers(pod))
    for container in watched:
        status = find_status(statuses, container.get("name"))
        if status is None:
            unknown.append(container.get("name"))
        elif not status.get("ready"):
            unready.append(container.get("name"))
    if phase == SUCCEEDED and not unknown:
        return _terminal("ContainersReady", phase)
    if phase == FAILED:
        return _terminal("ContainersReady", phase)
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {go_string_list(unknown)}")
    if unready:
        messages.append(f"containers with unready status: {go_string_list(unready)}")
    if messages:
        return PodCondition("ContainersReady", "False", CONTAINERS_NOT_READY, ", ".join(messages))
    return PodCondition("ContainersReady", "True")


def pod_ready_condition(
    pod: Manifest,
    conditions: Optional[Sequence[Mapping[str, Any]]],
    statuses: Optional[Sequence[Mapping[str, Any]]],
    phase: str,
) -> PodCondition:
    """``GeneratePodReadyCondition``: ContainersReady, then every
    ``spec.readinessGates`` condition must be ``True``."""
    ready = containers_ready_condition(pod, statuses, phase)
    if ready.status != "True":
        return PodCondition("Ready", ready.status, ready.reason, ready.message)
    messages = []
    for gate in spec_of(pod).get("readinessGates") or ():
        ctype = gate.get("conditionType")
        found = next((c for c in conditions or () if c.get("type") == ctype), None)
        if found is None:
            messages.append(f'corresponding condition of pod readiness gate "{ctype}" does not exist.')
        elif found.get("status") != "True":
            messages.append(f'the status of pod readiness gate "{ctype}" is not "True", but {found.get("status")}')
    if messages:
        return PodCondition("Ready", "False", READINESS_GATES_NOT_READY, ", ".join(messages))
    return PodCondition("Ready", "True")


def _init_container_initialized(container: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    if is_restartable_init_container(container):
        return bool(status.get("started"))
    return bool(status.get("ready"))


def pod_initialized_condition(
    pod: Manifest, statuses: Optional[Sequence[Mapping[str, Any]]], phase: str
) -> PodCondition:
    """``GeneratePodInitializedCondition``."""
    if statuses is None and init_containers(pod):
        return PodCondition("Initialized", "False", UNKNOWN_CONTAINER_STATUSES)
    unknown: List[str] = []
    incomplete: List[str] = []
    for container in init_containers(pod):
        status = find_status(statuses or (), container.get("name"))
        if status is None:
            unknown.append(container.get("name"))
        elif not _init_container_initialized(container, status):
            incomplete.append(container.get("name"))
    if phase == SUCCEEDED and not unknown:
        return PodCondition("Initialized", "True", POD_COMPLETED)
    if has_any_regular_container_started(pod, statuses or ()):
        return PodCondition("Initialized", "True")
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: {go_string_list(unknown)}")
    if incomplete:
        messages.append(f"containers with incomplete status: {go_string_list(incomplete)}")
    if messages:
        return PodCondition("Initialized", "False", CONTAINERS_NOT_INITIALIZED, ", ".join(messages))
    return PodCondition("Initialized", "True")
