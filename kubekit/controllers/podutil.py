"""Pod predicates the ReplicaSet and Deployment controllers use.

Pods are plain dicts shaped like Kubernetes Pod manifests.  Sources:
``pkg/controller/controller_utils.go`` (IsPodActive, IsPodTerminating,
podReadyTime, maxContainerRestarts), ``pkg/api/v1/pod/util.go`` (IsPodReady,
IsPodAvailable) and ``pkg/apis/core/helper`` (GetDeletionCostFromPodAnnotations).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from kubekit.controllers.timeutil import ZERO_TIME, is_zero, parse_time

Pod = Mapping[str, Any]

#: Annotation read by ActivePodsWithRanks rule 4 (PodDeletionCost, beta and on by default since 1.22).
POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _meta(pod: Pod) -> Mapping[str, Any]:
    return pod.get("metadata") or {}


def _status(pod: Pod) -> Mapping[str, Any]:
    return pod.get("status") or {}


def pod_phase(pod: Pod) -> str:
    return _status(pod).get("phase") or ""


def pod_node_name(pod: Pod) -> str:
    return (pod.get("spec") or {}).get("nodeName") or ""


def pod_uid(pod: Pod) -> str:
    return _meta(pod).get("uid") or ""


def is_pod_terminal(pod: Pod) -> bool:
    """Succeeded or Failed (``podutil.IsPodTerminal``)."""
    return pod_phase(pod) in ("Succeeded", "Failed")


def is_pod_active(pod: Pod) -> bool:
    """Not Succeeded, not Failed and no deletionTimestamp (``controller.IsPodActive``).
    (Written out: controllers ask it of every pod of a rollout at each step.)"""
    status = pod.get("status")
    if status and status.get("phase") in ("Succeeded", "Failed"):
        return False
    meta = pod.get("metadata")
    return not (meta and meta.get("deletionTimestamp"))


def is_pod_terminating(pod: Pod) -> bool:
    """A deletionTimestamp and not yet terminal (``controller.IsPodTerminating``)."""
    return not is_pod_terminal(pod) and bool(_meta(pod).get("deletionTimestamp"))


def _ready_condition(pod: Pod) -> Mapping[str, Any] | None:
    for cond in _status(pod).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond
    return None


def is_pod_ready(pod: Pod) -> bool:
    """The Ready condition is ``True`` (``podutil.IsPodReady``)."""
    cond = _ready_condition(pod)
    return cond is not None and cond.get("status") == "True"


def is_pod_available(pod: Pod, min_ready_seconds: int, now: datetime) -> bool:
    """Ready, and ready for at least ``min_ready_seconds`` at ``now``.

    ``minReadySeconds == 0`` means available as soon as ready.  Otherwise the
    Ready condition's lastTransitionTime must be set and
    ``lastTransitionTime + minReadySeconds <= now``.  The boundary is
    inclusive, as in the v1.34+ ``pkg/api/v1/pod/util_test.go``
    (TestIsPodAvailable: ready 51 s ago, minReadySeconds 51 → available);
    older releases used a strict ``Before``.
    """
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds == 0:
        return True
    cond = _ready_condition(pod) or {}
    since = parse_time(cond.get("lastTransitionTime"), "status.conditions[Ready].lastTransitionTime")
    if is_zero(since):
        return False
    return since + timedelta(seconds=min_ready_seconds) <= parse_time(now, "now")


def pod_ready_time(pod: Pod) -> datetime:
    """lastTransitionTime of a True Ready condition, else the zero time (``podReadyTime``)."""
    if is_pod_ready(pod):
        for cond in _status(pod).get("conditions") or ():
            if cond.get("type") == "Ready" and cond.get("status") == "True":
                return parse_time(cond.get("lastTransitionTime"), "status.conditions[Ready].lastTransitionTime")
    return ZERO_TIME


def max_container_restarts(pod: Pod) -> int:
    """Highest restartCount among the pod's containerStatuses (``maxContainerRestarts``)."""
    best = 0
    for cs in _status(pod).get("containerStatuses") or ():
        best = max(best, int(cs.get("restartCount") or 0))
    return best


def pod_deletion_cost(pod: Pod) -> int:
    """The pod-deletion-cost annotation as int32; 0 when absent or invalid.

    Follows ``GetDeletionCostFromPodAnnotations``: the value must be a base-10
    int32 with no ``+`` sign and no leading zeros (``"0"`` itself is fine);
    anything else counts as 0 (the controller ignores the parse error).
    """
    value = (_meta(pod).get("annotations") or {}).get(POD_DELETION_COST_ANNOTATION)
    if value is None:
        return 0
    if not isinstance(value, str) or not value:
        return 0
    first = value[0]
    if not (first == "-" or value == "0" or "1" <= first <= "9"):
        return 0
    body = value[1:] if first == "-" else value
    if not body.isascii() or not body.isdigit():
        return 0
    number = int(value)
    if not _INT32_MIN <= number <= _INT32_MAX:
        return 0
    return number


def pod_creation_time(pod: Pod) -> datetime:
    return parse_time(_meta(pod).get("creationTimestamp"), "metadata.creationTimestamp")
