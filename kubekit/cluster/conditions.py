"""Pod and node conditions in a status dict, set as the API server's
helpers set them (``podutil.UpdatePodCondition``)."""

from __future__ import annotations

__all__ = ["set_condition"]


def set_condition(status: dict, type_: str, value: str, now: str, reason: str = "", message: str = "") -> bool:
    """Set a pod condition in ``status`` as the API server's helpers do:
    ``lastTransitionTime`` moves only when the status value changes.  True if
    anything changed."""
    conds = status.setdefault("conditions", [])
    for c in conds:
        if c.get("type") == type_:
            if (c.get("status"), c.get("reason") or "", c.get("message") or "") == (value, reason, message):
                return False
            if c.get("status") != value:
                c["lastTransitionTime"] = now
            c["status"] = value
            for k, v in (("reason", reason), ("message", message)):
                if v:
                    c[k] = v
                else:
                    c.pop(k, None)
            c["lastProbeTime"] = None
            return True
    conds.append({"type": type_, "status": value, **({"reason": reason} if reason else {}),
                  **({"message": message} if message else {}), "lastProbeTime": None, "lastTransitionTime": now})
    return True
