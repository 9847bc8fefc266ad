"""The downward API's values: a pod's fields and a container's resources as
text, exactly as the kubelet renders them for env vars and downwardAPI
volume files.

* :func:`pod_field_value` — ``podFieldSelectorRuntimeValue`` (kubelet_pods.go)
  over ``fieldpath.ExtractFieldPathAsString``: ``metadata.name``,
  ``metadata.namespace``, ``metadata.uid``, ``metadata.labels``/``annotations``
  (the whole map as ``fieldpath.FormatMap``: sorted ``key="value"`` lines) or
  one key (``metadata.labels['k']``), ``spec.nodeName``,
  ``spec.serviceAccountName``, ``status.hostIP(s)``, ``status.podIP(s)``
  (comma-joined);
* :func:`resource_field_value` — ``ExtractContainerResourceValue``: cpu in
  whole units of the divisor rounded **up** (``limits.cpu`` 250m with divisor
  1 is ``1``), memory and ephemeral-storage likewise in bytes / divisor;
* :func:`limits_defaulted_to_allocatable` — ``defaultPodLimitsForDownwardAPI``:
  a container without a limit reports the node's allocatable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubekit.node.rules.errors import NodeRulesError

__all__ = ["format_map", "limits_defaulted_to_allocatable", "pod_field_value", "resource_field_value",
           "volume_field_value", "DOWNWARD_RESOURCES"]

DOWNWARD_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def format_map(m: Mapping[str, str]) -> str:
    """``fieldpath.FormatMap``: ``key="value"`` (Go-quoted) per line, keys sorted."""
    from kubekit.validation.field import go_quote

    return "\n".join(f"{k}={go_quote(str(m[k]))}" for k in sorted(m))


def _subscript(path: str) -> tuple[str, str | None]:
    """``fieldpath.SplitMaybeSubscriptedPath``: ``metadata.labels['k']`` ->
    (``metadata.labels``, ``k``)."""
    if not path.endswith("']"):
        return path, None
    head, sep, rest = path.partition("['")
    if not sep:
        return path, None
    return head, rest[:-2]


def _extract_metadata(pod: Mapping[str, Any], path: str) -> str:
    """``fieldpath.ExtractFieldPathAsString`` for the metadata fields."""
    meta = pod.get("metadata") or {}
    head, key = _subscript(path)
    if key is not None:
        if head == "metadata.annotations":
            return str((meta.get("annotations") or {}).get(key, ""))
        if head == "metadata.labels":
            return str((meta.get("labels") or {}).get(key, ""))
        raise NodeRulesError(f"fieldPath {path!r} does not support subscript")
    if path == "metadata.annotations":
        return format_map(meta.get("annotations") or {})
    if path == "metadata.labels":
        return format_map(meta.get("labels") or {})
    if path in ("metadata.name", "metadata.namespace", "metadata.uid"):
        return str(meta.get(path.split(".", 1)[1]) or "")
    raise NodeRulesError(f"unsupported fieldPath: {path}")


def pod_field_value(pod: Mapping[str, Any], path: str, *, host_ips: Sequence[str] = (),
                    pod_ips: Sequence[str] = ()) -> str:
    """The value of ``fieldRef.fieldPath`` for an env var (the kubelet's
    ``podFieldSelectorRuntimeValue``)."""
    spec = pod.get("spec") or {}
    if path == "spec.nodeName":
        return str(spec.get("nodeName") or "")
    if path == "spec.serviceAccountName":
        return str(spec.get("serviceAccountName") or "")
    if path == "status.hostIP":
        return host_ips[0] if host_ips else ""
    if path == "status.hostIPs":
        return ",".join(host_ips)
    if path == "status.podIP":
        return pod_ips[0] if pod_ips else ""
    if path == "status.podIPs":
        return ",".join(pod_ips)
    return _extract_metadata(pod, path)


def volume_field_value(pod: Mapping[str, Any], path: str) -> str:
    """A downwardAPI volume item's ``fieldRef`` (metadata only, as upstream's
    ``CollectData`` calls ``ExtractFieldPathAsString`` directly)."""
    return _extract_metadata(pod, path)


def _quantity(text: Any):
    from kubekit.api.quantity import Quantity

    return Quantity(str(text))


def limits_defaulted_to_allocatable(container: Mapping[str, Any], allocatable: Mapping[str, Any]) -> dict[str, Any]:
    """The container with every missing cpu / memory / ephemeral-storage
    limit set to the node's allocatable (``MergeContainerResourceLimits``)."""
    res = dict(container.get("resources") or {})
    limits = dict(res.get("limits") or {})
    for name in DOWNWARD_RESOURCES:
        if name not in limits and name in allocatable:
            limits[name] = allocatable[name]
    res["limits"] = limits
    return {**container, "resources": res}


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def resource_field_value(ref: Mapping[str, Any], container: Mapping[str, Any]) -> str:
    """``ExtractContainerResourceValue``: ``ref`` is a ``resourceFieldRef``
    (``resource``, optional ``divisor``); the container's limits should have
    been defaulted first (:func:`limits_defaulted_to_allocatable`)."""
    resource = str(ref.get("resource") or "")
    divisor = _quantity(ref.get("divisor") or "0")
    if divisor.is_zero():
        divisor = _quantity("1")
    kind, _, name = resource.partition(".")
    if kind not in ("limits", "requests") or not (name in DOWNWARD_RESOURCES or name.startswith("hugepages-")):
        raise NodeRulesError(f"unsupported container resource : {resource}")
    values = (container.get("resources") or {}).get(kind) or {}
    q = _quantity(values.get(name, "0"))
    if name == "cpu":
        return str(_ceil_div(q.milli_value(), divisor.milli_value()))
    return str(_ceil_div(q.value(), divisor.value()))
