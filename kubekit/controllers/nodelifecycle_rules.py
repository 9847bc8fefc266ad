"""The node lifecycle controller's decisions (``pkg/controller/nodelifecycle``
and its NoExecute taint manager), pure.

* **Health.**  A node's last heartbeat is the newest of its Lease's
  ``renewTime`` and its Ready condition's ``lastHeartbeatTime`` (or when the
  controller first saw it).  With no heartbeat for ``node-monitor-grace-period``
  (50 s since v1.32; 40 s before) — or ``node-startup-grace-period`` (60 s)
  for a node that was never Ready — its Ready, MemoryPressure, DiskPressure
  and PIDPressure conditions become ``Unknown`` with reason
  ``NodeStatusUnknown`` and message ``Kubelet stopped posting node status.``
* **Taints.**  Ready=False → ``node.kubernetes.io/not-ready``; Ready=Unknown
  → ``node.kubernetes.io/unreachable``; each with effect NoExecute (taint-based
  eviction) and NoSchedule (TaintNodesByCondition).  They are removed when
  the node is Ready again.
* **Eviction.**  A pod on a node with a NoExecute taint it does not tolerate
  is deleted at once; one that tolerates it with ``tolerationSeconds`` is
  deleted that long after the taint was added; without ``tolerationSeconds``
  it stays.  Every pod that does not tolerate ``not-ready``/``unreachable``
  NoExecute itself gets the ``DefaultTolerationSeconds`` admission plugin's
  tolerations for both, 300 s (applied here when deciding, with the same
  outcome as at admission).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "NOT_READY_TAINT", "UNREACHABLE_TAINT", "DEFAULT_TOLERATION_SECONDS", "NODE_MONITOR_GRACE_PERIOD",
    "condition_status", "condition_taints", "eviction_delay", "last_heartbeat", "node_ready_status", "ready_condition",
    "renewal_needs_look", "should_mark_unknown",
    "unknown_conditions",
]

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300
NODE_MONITOR_GRACE_PERIOD = 50.0      # --node-monitor-grace-period (v1.32+; 40 s before)
NODE_STARTUP_GRACE_PERIOD = 60.0      # --node-startup-grace-period
NODE_MONITOR_PERIOD = 5.0             # --node-monitor-period
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
MONITORED_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")


def ready_condition(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The node's (first) Ready condition, if any."""
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return c
    return None


def renewal_needs_look(old: dict, new: dict) -> bool:
    """Whether an update of a node's Lease from ``old`` to ``new`` may change
    what the periodic pass decides for the node: its ``spec.renewTime``
    changed and is not plainly later (two RFC 3339 texts of one width sort as
    the times they name; anything else, a missing time included, is looked at
    again).  A renewal to a later time keeps a quiet node quiet."""
    before, after = _renew_time(old), _renew_time(new)
    return before != after and not (before and after and type(before) is str and type(after) is str
                                    and len(before) == len(after) and after > before)


def _renew_time(lease: dict) -> Any:
    got = lease.get("spec")
    if type(got) is not dict:
        return (got or {}).get("renewTime")
    spec = got                      # a dict (typed in the compiled module: a direct lookup)
    return spec.get("renewTime")


def condition_status(cond: Mapping[str, Any] | None) -> str:
    """A Ready condition's status (``Unknown`` when it is missing or empty)."""
    return (cond.get("status") or "Unknown") if cond is not None else "Unknown"


def node_ready_status(node: Mapping[str, Any]) -> str:
    """``True``, ``False`` or ``Unknown`` (no Ready condition: Unknown)."""
    return condition_status(ready_condition(node))


def last_heartbeat(node_heartbeat: float | None, lease_renew: float | None, first_seen: float) -> float:
    """The newest sign of life, in epoch seconds: ``max`` of those given,
    the first of equal ones (spelled out: no generator for every node of
    every monitor pass)."""
    newest = node_heartbeat
    if lease_renew is not None and (newest is None or lease_renew > newest):
        newest = lease_renew
    return first_seen if newest is None or first_seen > newest else newest


def should_mark_unknown(ready: str, ever_ready: bool, heartbeat: float, now: float,
                        grace: float = NODE_MONITOR_GRACE_PERIOD,
                        startup_grace: float = NODE_STARTUP_GRACE_PERIOD) -> bool:
    """``tryUpdateNodeHealth``: past the grace period without a heartbeat,
    and not already Unknown."""
    limit = grace if ever_ready else startup_grace
    return ready != "Unknown" and now > heartbeat + limit


def unknown_conditions(conditions: Sequence[Mapping[str, Any]], now: str) -> list[dict]:
    """The node's conditions with the monitored ones set to Unknown (added if
    absent); ``lastHeartbeatTime`` stays, ``lastTransitionTime`` moves."""
    out = [dict(c) for c in conditions]
    have = {c.get("type") for c in out}
    for c in out:
        if c.get("type") in MONITORED_CONDITIONS and c.get("status") != "Unknown":
            c.update(status="Unknown", reason=UNKNOWN_REASON, message=UNKNOWN_MESSAGE, lastTransitionTime=now)
    for t in MONITORED_CONDITIONS:
        if t not in have:
            out.append({"type": t, "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                        "message": "Kubelet never posted node status.", "lastHeartbeatTime": now,
                        "lastTransitionTime": now})
    return out


def condition_taints(ready: str) -> list[tuple[str, str]]:
    """The (key, effect) taints a Ready status calls for."""
    if ready == "False":
        return [(NOT_READY_TAINT, "NoExecute"), (NOT_READY_TAINT, "NoSchedule")]
    if ready == "Unknown":
        return [(UNREACHABLE_TAINT, "NoExecute"), (UNREACHABLE_TAINT, "NoSchedule")]
    return []


def _tolerates(tol: Mapping[str, Any], key: str, value: str, effect: str) -> bool:
    if tol.get("effect") and tol["effect"] != effect:
        return False
    if tol.get("key") and tol["key"] != key:
        return False
    op = tol.get("operator") or "Equal"
    if op == "Exists":
        return True
    return op == "Equal" and (tol.get("value") or "") == value


def effective_tolerations(pod: Mapping[str, Any]) -> list[dict]:
    """The pod's tolerations plus the DefaultTolerationSeconds admission
    plugin's (not-ready and unreachable NoExecute, 300 s) for whichever of the
    two the pod does not already tolerate."""
    tols = [dict(t) for t in (pod.get("spec") or {}).get("tolerations") or ()]
    for key in (NOT_READY_TAINT, UNREACHABLE_TAINT):
        if not any(_tolerates(t, key, "", "NoExecute") for t in tols):
            tols.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    return tols


def eviction_delay(pod: Mapping[str, Any], taints: Sequence[Mapping[str, Any]]) -> float | None:
    """Seconds after the NoExecute taints were added when the pod must go
    (``getMinTolerationTime``): 0 if one taint is not tolerated, else the
    smallest ``tolerationSeconds`` among the tolerations used; None when every
    taint is tolerated forever (or there is no NoExecute taint)."""
    tols = effective_tolerations(pod)
    delay: float | None = None
    for taint in taints:
        if taint.get("effect") != "NoExecute":
            continue
        used = [t for t in tols if _tolerates(t, taint.get("key", ""), taint.get("value") or "", "NoExecute")]
        if not used:
            return 0.0
        for t in used:
            secs = t.get("tolerationSeconds")
            if secs is not None:
                secs = max(float(secs), 0.0)
                delay = secs if delay is None else min(delay, secs)
    return delay
