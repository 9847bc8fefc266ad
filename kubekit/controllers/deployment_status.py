"""Deployment status and conditions (``calculateStatus`` and
``syncRolloutStatus`` in ``pkg/controller/deployment/sync.go`` / ``progress.go``;
``DeploymentComplete``, ``DeploymentProgressing``, ``DeploymentTimedOut``,
``SetDeploymentCondition`` in ``deployment/util``).

Conditions are dicts ``{type, status, reason, message, lastUpdateTime,
lastTransitionTime}``; times are written as RFC 3339 strings from the
injected ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from kubekit.controllers.deployment_rules import (
    Deployment, actual_replica_count, available_replica_count, deployment_name, deployment_replicas,
    max_unavailable, ready_replica_count, replica_count,
)
from kubekit.controllers.rs_ordering import ReplicaSet, rs_name
from kubekit.controllers.timeutil import format_time, parse_time

MAX_INT32 = 2**31 - 1

# Condition reasons (deployment_util.go).
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

Condition = dict[str, Any]


_last_stamp: tuple[Any, str] = (None, "")     # the last ``now`` (a datetime) and its RFC 3339 text


def _stamp(now: datetime) -> str:
    """``format_time(parse_time(now))``, remembered for the last ``now``
    (every condition of a sync is stamped with the same instant)."""
    global _last_stamp
    last, text = _last_stamp
    if type(now) is datetime and type(last) is datetime and now == last and \
            (now.tzinfo is None) == (last.tzinfo is None):
        return text
    text = format_time(parse_time(now, "now"))
    _last_stamp = (now, text)
    return text


def new_condition(cond_type: str, status: str, reason: str, message: str, now: datetime) -> Condition:
    """``NewDeploymentCondition`` with both times at ``now``."""
    stamp = _stamp(now)
    return {"type": cond_type, "status": status, "lastUpdateTime": stamp, "lastTransitionTime": stamp,
            "reason": reason, "message": message}


def get_condition(status: Mapping[str, Any], cond_type: str) -> Condition | None:
    for cond in status.get("conditions") or ():
        if cond.get("type") == cond_type:
            return dict(cond)
    return None


def set_condition(status: dict[str, Any], condition: Condition) -> None:
    """``SetDeploymentCondition`` on a status dict (mutates ``status``, which
    the caller owns): same status and reason → unchanged; same status →
    keep lastTransitionTime; the condition moves to the end."""
    current = get_condition(status, condition["type"])
    if current is not None and current.get("status") == condition["status"] and current.get("reason") == condition["reason"]:
        return
    condition = dict(condition)
    if current is not None and current.get("status") == condition["status"]:
        condition["lastTransitionTime"] = current.get("lastTransitionTime")
    others = [dict(c) for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    status["conditions"] = others + [condition]


def remove_condition(status: dict[str, Any], cond_type: str) -> None:
    """``RemoveDeploymentCondition``."""
    kept = [dict(c) for c in status.get("conditions") or () if c.get("type") != cond_type]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def terminating_replica_count(rss: Sequence[ReplicaSet | None]) -> int | None:
    """``GetTerminatingReplicaCountForReplicaSets``: sum of status.terminatingReplicas.

    An RS never synced (observedGeneration 0, no terminatingReplicas) is
    skipped; any other RS without the field makes the sum unknown (``None``).
    """
    total = 0
    for rs in rss:
        if rs is None:
            continue
        status = rs.get("status") or {}
        value = status.get("terminatingReplicas")
        if value is None:
            if not status.get("observedGeneration"):
                continue
            return None
        total += int(value)
    return total


def deployment_status(
    d: Deployment, all_rs: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None, now: datetime,
    terminating_replicas: bool = True,
) -> dict[str, Any]:
    """``calculateStatus``: counts summed over the ReplicaSets' statuses, plus
    the Available condition (True/MinimumReplicasAvailable when
    ``available >= replicas - MaxUnavailable``).  ``unavailableReplicas`` is
    ``Σ spec.replicas - available``, floored at 0.  ``terminatingReplicas``
    (gate DeploymentReplicaSetTerminatingReplicas, on by default in 1.35) is
    the sum over RSs, absent if any RS does not report it.
    """
    old_status = d.get("status") or {}
    available = available_replica_count(all_rs)
    unavailable = max(0, replica_count(all_rs) - available)
    status: dict[str, Any] = {
        "observedGeneration": int((d.get("metadata") or {}).get("generation") or 0),
        "replicas": actual_replica_count(all_rs),
        "updatedReplicas": actual_replica_count([new_rs]),
        "readyReplicas": ready_replica_count(all_rs),
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
    }
    if old_status.get("collisionCount") is not None:
        status["collisionCount"] = old_status["collisionCount"]
    if terminating_replicas:
        terminating = terminating_replica_count(all_rs)
        if terminating is not None:
            status["terminatingReplicas"] = terminating
    if old_status.get("conditions"):
        status["conditions"] = [dict(c) for c in old_status["conditions"]]
    if available >= deployment_replicas(d) - max_unavailable(d):
        cond = new_condition("Available", "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
    else:
        cond = new_condition("Available", "False", MINIMUM_REPLICAS_UNAVAILABLE,
                             "Deployment does not have minimum availability.", now)
    set_condition(status, cond)
    return status


def deployment_complete(d: Deployment, new_status: Mapping[str, Any]) -> bool:
    """``DeploymentComplete``: updated, total and available replicas all equal
    spec.replicas and observedGeneration >= generation."""
    replicas = deployment_replicas(d)
    return (int(new_status.get("updatedReplicas") or 0) == replicas
            and int(new_status.get("replicas") or 0) == replicas
            and int(new_status.get("availableReplicas") or 0) == replicas
            and int(new_status.get("observedGeneration") or 0) >= int((d.get("metadata") or {}).get("generation") or 0))


def deployment_progressing(d: Deployment, new_status: Mapping[str, Any]) -> bool:
    """``DeploymentProgressing``: more updated, fewer old, more ready or more
    available replicas than the Deployment's current status."""
    old = d.get("status") or {}

    def get(s: Mapping[str, Any], k: str) -> int:
        return int(s.get(k) or 0)

    old_old = get(old, "replicas") - get(old, "updatedReplicas")
    new_old = get(new_status, "replicas") - get(new_status, "updatedReplicas")
    return (get(new_status, "updatedReplicas") > get(old, "updatedReplicas")
            or new_old < old_old
            or get(new_status, "readyReplicas") > get(old, "readyReplicas")
            or get(new_status, "availableReplicas") > get(old, "availableReplicas"))


def progress_deadline_seconds(d: Deployment) -> int | None:
    """spec.progressDeadlineSeconds; absent means the apps/v1 default 600,
    an explicit ``None`` means unset (Go's nil)."""
    spec = d.get("spec") or {}
    return spec["progressDeadlineSeconds"] if "progressDeadlineSeconds" in spec else 600


def has_progress_deadline(d: Deployment) -> bool:
    """``HasProgressDeadline``: set and not MaxInt32."""
    value = progress_deadline_seconds(d)
    return value is not None and value != MAX_INT32


def deployment_timed_out(d: Deployment, new_status: Mapping[str, Any], now: datetime) -> bool:
    """``DeploymentTimedOut``: the Progressing condition of ``new_status`` is
    older than progressDeadlineSeconds (``lastUpdateTime + deadline < now``),
    or already says ProgressDeadlineExceeded.  Never with no deadline, no
    condition, or reason NewReplicaSetAvailable."""
    if not has_progress_deadline(d):
        return False
    cond = get_condition(new_status, "Progressing")
    if cond is None:
        return False
    if cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    since = parse_time(cond.get("lastUpdateTime"), "status.conditions[Progressing].lastUpdateTime")
    deadline = timedelta(seconds=int(progress_deadline_seconds(d) or 0))
    return since + deadline < parse_time(now, "now")


def _replica_failures(all_rs: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None) -> list[Condition]:
    def failures(rs: ReplicaSet) -> list[Condition]:
        out = []
        for c in (rs.get("status") or {}).get("conditions") or ():
            if c.get("type") == "ReplicaFailure":
                out.append({"type": "ReplicaFailure", "status": c.get("status"),
                            "lastTransitionTime": c.get("lastTransitionTime"),
                            "lastUpdateTime": c.get("lastTransitionTime"),
                            "reason": c.get("reason", ""), "message": c.get("message", "")})
        return out
    if new_rs is not None:
        found = failures(new_rs)
        if found:
            return found
    return [c for rs in all_rs if rs is not None for c in failures(rs)]


def rollout_status(
    d: Deployment, all_rs: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None, now: datetime,
    terminating_replicas: bool = True,
) -> dict[str, Any]:
    """``syncRolloutStatus``'s new status: :func:`deployment_status` plus the
    Progressing condition (complete → NewReplicaSetAvailable; progress →
    ReplicaSetUpdated with a fresh lastUpdateTime; past the deadline →
    False/ProgressDeadlineExceeded) and ReplicaFailure copied from the RSs
    (the new RS's failures win)."""
    status = deployment_status(d, all_rs, new_rs, now, terminating_replicas)
    if not has_progress_deadline(d):
        remove_condition(status, "Progressing")
    current = get_condition(d.get("status") or {}, "Progressing")
    complete_already = (status["replicas"] == status["updatedReplicas"] and current is not None
                        and current.get("reason") == NEW_RS_AVAILABLE_REASON)
    name = deployment_name(d)
    if has_progress_deadline(d) and not complete_already:
        if deployment_complete(d, status):
            msg = (f'ReplicaSet "{rs_name(new_rs)}" has successfully progressed.' if new_rs is not None
                   else f'Deployment "{name}" has successfully progressed.')
            set_condition(status, new_condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, msg, now))
        elif deployment_progressing(d, status):
            msg = (f'ReplicaSet "{rs_name(new_rs)}" is progressing.' if new_rs is not None
                   else f'Deployment "{name}" is progressing.')
            cond = new_condition("Progressing", "True", REPLICA_SET_UPDATED_REASON, msg, now)
            if current is not None:
                if current.get("status") == "True":
                    cond["lastTransitionTime"] = current.get("lastTransitionTime")
                remove_condition(status, "Progressing")
            set_condition(status, cond)
        elif deployment_timed_out(d, status, now):
            msg = (f'ReplicaSet "{rs_name(new_rs)}" has timed out progressing.' if new_rs is not None
                   else f'Deployment "{name}" has timed out progressing.')
            set_condition(status, new_condition("Progressing", "False", TIMED_OUT_REASON, msg, now))
    failures = _replica_failures(all_rs, new_rs)
    if failures:
        set_condition(status, failures[0])
    else:
        remove_condition(status, "ReplicaFailure")
    return status


def progress_requeue_after(d: Deployment, new_status: Mapping[str, Any], now: datetime) -> timedelta | None:
    """``requeueStuckDeployment``: when to look at the progress deadline again.

    ``None`` (upstream -1) when there is no deadline, no Progressing
    condition in ``d.status``, the rollout is complete, or it already timed
    out.  Otherwise ``lastUpdateTime + progressDeadlineSeconds - now``, or
    ``timedelta(0)`` ("now, rate limited") when that is under one second.
    Upstream enqueues after the returned duration plus one second.
    """
    current = get_condition(d.get("status") or {}, "Progressing")
    if not has_progress_deadline(d) or current is None:
        return None
    if deployment_complete(d, new_status) or current.get("reason") == TIMED_OUT_REASON:
        return None
    since = parse_time(current.get("lastUpdateTime"), "status.conditions[Progressing].lastUpdateTime")
    after = since + timedelta(seconds=int(progress_deadline_seconds(d) or 0)) - parse_time(now, "now")
    if after < timedelta(seconds=1):
        return timedelta(0)
    return after
