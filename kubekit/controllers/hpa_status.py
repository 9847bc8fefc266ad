"""The HPA's status and the texts of its events, as upstream's controller
writes them (``horizontal.go``: ``setCondition``/``setConditionInList``,
``setStatus``, ``computeStatusFor*Metric``, ``getUnableComputeReplicaCountCondition``).
Pure: plain dicts in, new dicts out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.autoscaling.hpa_errors import HPAError
from kubekit.autoscaling.hpa_types import (
    AVERAGE_VALUE,
    CONTAINER_RESOURCE,
    EXTERNAL,
    OBJECT,
    PODS,
    RESOURCE,
    Condition,
    MetricProposal,
    MetricSpec,
)
from kubekit.controllers.hpa_inputs import SOURCE_FIELD, metric_source_of

__all__ = ["hpa_status", "metric_error_text", "metric_status", "set_condition"]


def set_condition(conditions: Sequence[Mapping[str, Any]], cond: Condition, now: str) -> list[dict[str, Any]]:
    """``setConditionInList``: a new list where ``cond`` replaces the entry
    of its type (keeping its position) or is appended; ``lastTransitionTime``
    moves only when the status changes."""
    out = [dict(c) for c in conditions]
    _set_in(out, cond, now)
    return out


def _set_in(out: list[dict[str, Any]], cond: Condition, now: str) -> None:
    """:func:`set_condition` on a list of dicts of the caller's own."""
    for c in out:
        if c.get("type") == cond.type:
            break
    else:
        c = {"type": cond.type}
        out.append(c)
    if c.get("status") != cond.status:
        c["lastTransitionTime"] = now
    c["status"], c["reason"], c["message"] = cond.status, cond.reason, cond.message


@functools.lru_cache(maxsize=8192)
def _milli_text(value: int) -> str:
    return str(Quantity.from_scaled(value, -3))


def _milli_quantity(value: int) -> str:
    """``resource.NewMilliQuantity(v, resource.DecimalSI).String()`` (a pure
    function of the integer: each value is formatted once)."""
    return _milli_text(int(value))


def metric_status(metric: Mapping[str, Any], result: MetricProposal | HPAError) -> dict[str, Any]:
    """One ``status.currentMetrics`` entry for ``spec.metrics[i]``: upstream
    leaves the zero ``MetricStatus`` (``{"type": ""}``) for a failed metric."""
    if isinstance(result, HPAError):
        return {"type": ""}
    kind = str(metric.get("type"))
    src = metric_source_of(metric)
    target = src.get("target") or {}
    r = result.result
    if kind in (RESOURCE, CONTAINER_RESOURCE):
        current: dict[str, Any] = {}
        if target.get("averageValue") is None and r.utilization is not None:
            current["averageUtilization"] = r.utilization
        current["averageValue"] = _milli_quantity(r.value)
        body: dict[str, Any] = {"name": src.get("name"), "current": current}
        if kind == CONTAINER_RESOURCE:
            body["container"] = src.get("container")
        return {"type": kind, SOURCE_FIELD[kind]: body}
    ident = dict(src.get("metric") or {})
    per_pod = target.get("type") == AVERAGE_VALUE or (kind == EXTERNAL and target.get("averageValue") is not None)
    current = {"averageValue" if (per_pod or kind == PODS) else "value": _milli_quantity(r.value)}
    body = {"metric": ident, "current": current}
    if kind == OBJECT and not per_pod:
        body = {"describedObject": dict(src.get("describedObject") or {}), **body}
    return {"type": kind, SOURCE_FIELD[kind]: body}


def _strip(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text


def metric_error_text(spec: MetricSpec, err: HPAError) -> str:
    """The text of a failed metric's Event and ``ScalingActive`` message:
    upstream takes them before ``computeReplicasForMetric`` (and, for
    per-pod Object and External targets, ``computeStatusFor*Metric``) wrap
    the error, so those prefixes come off the full chain."""
    text = str(err)
    if spec.type == RESOURCE:
        return _strip(text, f"failed to get {spec.name} resource metric value: ")
    if spec.type == CONTAINER_RESOURCE:
        return _strip(text, f"failed to get {spec.container} container metric value: ")
    if spec.type == PODS:
        return _strip(text, "failed to get pods metric value: ")
    if spec.type == OBJECT:
        text = _strip(text, "failed to get object metric value: ")
        return _strip(text, f"failed to get {spec.name} object metric: ")
    if spec.type == EXTERNAL:
        text = _strip(text, f"failed to get {spec.name} external metric value: ")
        text = _strip(text, f"failed to get {spec.name} external metric: ")
        return _strip(text, f"failed to get external metric {spec.name}: ")
    return text


def hpa_status(old: Mapping[str, Any] | None, *, current_replicas: int, desired_replicas: int | None,
               current_metrics: list[dict[str, Any]] | None, conditions: Sequence[Condition], now: str,
               rescaled: bool) -> dict[str, Any]:
    """``setStatus``: the new status from the old one.  ``desired_replicas``
    None keeps the old value (``setCurrentReplicasAndMetricsInStatus``);
    ``lastScaleTime`` moves to ``now`` on a rescale; the conditions are set
    in order over the old ones."""
    old = old or {}
    conds: list[dict[str, Any]] = [dict(c) for c in old.get("conditions") or ()]
    for c in conditions:
        _set_in(conds, c, now)
    out: dict[str, Any] = {}
    last = now if rescaled else old.get("lastScaleTime")
    if last:
        out["lastScaleTime"] = last
    out["currentReplicas"] = current_replicas
    out["desiredReplicas"] = old.get("desiredReplicas", 0) if desired_replicas is None else desired_replicas
    if current_metrics:
        out["currentMetrics"] = current_metrics
    if conds:
        out["conditions"] = conds
    return out
