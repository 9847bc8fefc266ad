"""What the API server sets on a new pod (the pod strategy's
``PrepareForCreate``): the status starts over, ``phase: Pending``, with the
pod's QoS class (``GetPodQOS``, pkg/apis/core/helper/qos).

QoS from the containers' (init and regular) cpu and memory:

* **BestEffort**: no requests and no limits at all;
* **Guaranteed**: every container limits cpu and memory, and the summed
  requests equal the summed limits (a missing request defaults to its limit);
* **Burstable**: anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.store import jsoncodec

__all__ = ["initial_pod_status", "pod_qos_class"]

_QOS_RESOURCES = ("cpu", "memory")


def _value(q: Any) -> int:
    from kubekit.api.quantity import Quantity

    return Quantity(str(q)).milli_value()


_QOS_CACHE: dict[bytes, str] = {}


def pod_qos_class(spec: Mapping[str, Any]) -> str:
    """The pod's QoS class; replicas of one template share the answer (cached
    on the containers' resources)."""
    key = jsoncodec.dumps([c.get("resources") for c in list(spec.get("initContainers") or ())
                           + list(spec.get("containers") or ())])
    hit = _QOS_CACHE.get(key)
    if hit is None:
        hit = _pod_qos_class(spec)
        if len(_QOS_CACHE) < 4096:
            _QOS_CACHE[key] = hit
    return hit


def _pod_qos_class(spec: Mapping[str, Any]) -> str:
    requests: dict[str, int] = {}
    limits: dict[str, int] = {}
    guaranteed = True
    for c in list(spec.get("initContainers") or ()) + list(spec.get("containers") or ()):
        res = c.get("resources") or {}
        lim = {k: v for k, v in (res.get("limits") or {}).items() if k in _QOS_RESOURCES}
        req = {**lim, **{k: v for k, v in (res.get("requests") or {}).items() if k in _QOS_RESOURCES}}
        for name, q in req.items():
            v = _value(q)
            if v:
                requests[name] = requests.get(name, 0) + v
        found = set()
        for name, q in lim.items():
            v = _value(q)
            if v:
                found.add(name)
                limits[name] = limits.get(name, 0) + v
        if not found >= set(_QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(n) == v for n, v in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


def initial_pod_status(spec: Mapping[str, Any]) -> dict:
    return {"phase": "Pending", "qosClass": pod_qos_class(spec)}
