"""Node conditions and heartbeat timing.

* Conditions: ``pkg/kubelet/nodestatus/setters.go`` ``ReadyCondition``,
  ``MemoryPressureCondition``, ``DiskPressureCondition``,
  ``PIDPressureCondition``.  ``lastTransitionTime`` changes only when the
  status changes; ``lastHeartbeatTime`` is always ``now``.
* Lease: ``pkg/kubelet/kubelet.go`` ``nodeLeaseRenewIntervalFraction = 0.25``
  of ``nodeLeaseDurationSeconds`` (default 40 -> renew every 10 s).
* Status: computed every ``nodeStatusUpdateFrequency`` (default 10 s) and
  posted when it changed or ``nodeStatusReportFrequency`` (default 5 min) has
  passed since the last post (``kubelet_node_status.go``
  ``tryUpdateNodeStatus`` / ``isUpdateStatusPeriodExperid``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Optional, Sequence

from kubekit.node.rules.errors import NodeRulesError

DEFAULT_NODE_LEASE_DURATION_SECONDS = 40
NODE_LEASE_RENEW_INTERVAL_FRACTION = 0.25
DEFAULT_NODE_STATUS_UPDATE_FREQUENCY = 10.0
DEFAULT_NODE_STATUS_REPORT_FREQUENCY = 300.0


@dataclass(frozen=True, slots=True)
class NodeCondition:
    type: str
    status: str
    reason: str
    message: str
    last_heartbeat_time: float
    last_transition_time: float

    def to_dict(self) -> dict:
        return {
            "type": self.type,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "lastHeartbeatTime": self.last_heartbeat_time,
            "lastTransitionTime": self.last_transition_time,
        }


REQUIRED_CAPACITIES = ("cpu", "memory", "pods", "ephemeral-storage")


def aggregate_error_message(messages: Sequence[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message as is; several
    de-duplicated, joined with ``", "`` and bracketed."""
    msgs = [m for m in messages if m]
    if not msgs:
        return ""
    if len(msgs) == 1:
        return msgs[0]
    seen: list = []
    for m in msgs:
        if m not in seen:
            seen.append(m)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def ready_condition(
    previous: Optional[NodeCondition],
    now: float,
    *,
    errors: Sequence[str] = (),
    capacity_names: Iterable[str] = REQUIRED_CAPACITIES,
    shutdown_error: str = "",
    apparmor_enabled: bool = False,
    soft_requirements: str = "",
) -> NodeCondition:
    """``ReadyCondition``.  ``errors`` are the runtime, network and storage
    errors (in that order); a missing required capacity and a node-shutdown
    error are appended; they are combined like ``utilerrors.NewAggregate``.
    A ready node whose AppArmor validation passed gets ``. AppArmor enabled``;
    container-manager soft requirements add ``. WARNING: ...``."""
    errs = list(errors)
    have = set(capacity_names)
    missing = [r for r in REQUIRED_CAPACITIES if r not in have]
    if missing:
        errs.append(f"missing node capacity for resources: {', '.join(missing)}")
    if shutdown_error:
        errs.append(shutdown_error)
    message = aggregate_error_message(errs)
    if message:
        status, reason = "False", "KubeletNotReady"
    else:
        status, reason, message = "True", "KubeletReady", "kubelet is posting ready status"
        if apparmor_enabled:
            message += ". AppArmor enabled"
    if soft_requirements:
        message = f"{message}. WARNING: {soft_requirements}"
    transition = now
    if previous is not None and previous.status == status:
        transition = previous.last_transition_time
    return NodeCondition("Ready", status, reason, message, now, transition)


_PRESSURE = {
    "MemoryPressure": (
        ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
        ("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ),
    "DiskPressure": (
        ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ),
    "PIDPressure": (
        ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
        ("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ),
}


def pressure_condition(type_: str, previous: Optional[NodeCondition], under_pressure: bool, now: float) -> NodeCondition:
    """``MemoryPressureCondition`` / ``DiskPressureCondition`` /
    ``PIDPressureCondition``: a new condition starts ``Unknown`` so the first
    call always transitions."""
    if type_ not in _PRESSURE:
        raise NodeRulesError(f"pressure condition type {type_!r}: expected one of {sorted(_PRESSURE)}")
    cond = previous or NodeCondition(type_, "Unknown", "", "", now, 0.0)
    (true_reason, true_msg), (false_reason, false_msg) = _PRESSURE[type_]
    if under_pressure:
        if cond.status != "True":
            cond = replace(cond, status="True", reason=true_reason, message=true_msg, last_transition_time=now)
    elif cond.status != "False":
        cond = replace(cond, status="False", reason=false_reason, message=false_msg, last_transition_time=now)
    return replace(cond, last_heartbeat_time=now)


def lease_renew_interval(lease_duration_seconds: int = DEFAULT_NODE_LEASE_DURATION_SECONDS) -> float:
    """``renewInterval = leaseDuration * 0.25`` (10 s by default)."""
    if lease_duration_seconds <= 0:
        raise NodeRulesError(f"nodeLeaseDurationSeconds: expected > 0, got {lease_duration_seconds}")
    return lease_duration_seconds * NODE_LEASE_RENEW_INTERVAL_FRACTION


def next_lease_renewal(last_renew: float, lease_duration_seconds: int = DEFAULT_NODE_LEASE_DURATION_SECONDS) -> float:
    return last_renew + lease_renew_interval(lease_duration_seconds)


def lease_expired(renew_time: float, now: float, lease_duration_seconds: int = DEFAULT_NODE_LEASE_DURATION_SECONDS) -> bool:
    """Whether a lease last renewed at ``renew_time`` has expired (what the node
    lifecycle controller checks against its grace period)."""
    return now > renew_time + lease_duration_seconds


def should_post_node_status(
    changed: bool,
    last_reported: Optional[float],
    now: float,
    report_frequency: float = DEFAULT_NODE_STATUS_REPORT_FREQUENCY,
) -> bool:
    """Post the node status if anything but heartbeat times changed, or if
    ``report_frequency`` passed since the last post (or it was never posted)."""
    if last_reported is None or changed:
        return True
    return now - last_reported >= report_frequency
