"""The ``scale`` subresource (``autoscaling/v1`` Scale) of Deployments and
ReplicaSets.  Pure."""

from __future__ import annotations

from typing import Any, Mapping

from kubekit.server.status import BadRequest

__all__ = ["scale_of", "with_replicas", "selector_string"]


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """A ``metav1.LabelSelector`` as a label-selector string (``app=web,tier in (a,b)``)."""
    if not selector:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or ():
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def scale_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    m = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    meta = {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in m}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": {"replicas": int(spec.get("replicas", 1))},
            "status": {"replicas": int((obj.get("status") or {}).get("replicas") or 0),
                       "selector": selector_string(spec.get("selector"))}}


def with_replicas(obj: Mapping[str, Any], scale: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` with the Scale's ``spec.replicas``; the Scale's resourceVersion,
    if any, becomes the object's (a precondition on the update)."""
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise BadRequest(f"Scale: spec.replicas: expected an integer, got {replicas!r}")
    out = dict(obj)
    out["spec"] = dict(obj.get("spec") or {}, replicas=replicas)
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    out["metadata"] = dict(obj.get("metadata") or {})
    if rv:
        out["metadata"]["resourceVersion"] = rv
    return out
