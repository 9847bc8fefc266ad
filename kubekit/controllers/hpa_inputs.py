"""From manifests to the HPA decision's plain values.  Pure.

* :func:`hpa_spec_of` — an ``autoscaling/v2`` HorizontalPodAutoscaler to an
  :class:`~kubekit.autoscaling.HPASpec` (quantities as milli-units, as
  upstream's ``MilliValue()``);
* :func:`pod_info_of` — a Pod to a :class:`~kubekit.autoscaling.PodInfo`
  (requests in milli-units: cpu milli-cores, memory milli-bytes);
* :func:`go_selector_text` — a metric selector as Go prints it with ``%+v``
  (it appears in upstream's metric names and messages).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.autoscaling.hpa_types import (
    CONTAINER_RESOURCE,
    EXTERNAL,
    GO_ZERO_TIME,
    OBJECT,
    PODS,
    RESOURCE,
    ContainerSpec,
    HPABehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    HPASpec,
    MetricSpec,
    MetricTarget,
    PodInfo,
)
from kubekit.store.meta import parse_time

__all__ = ["DEFAULT_METRICS", "go_selector_text", "hpa_spec_of", "metric_source_of", "milli", "pod_info_of"]

#: The API server's default when ``spec.metrics`` is empty (``SetDefaults_HorizontalPodAutoscaler``).
DEFAULT_METRICS = ({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                             "averageUtilization": 80}}},)

#: the member of a MetricSpec holding each source type
SOURCE_FIELD = {RESOURCE: "resource", CONTAINER_RESOURCE: "containerResource", PODS: "pods", OBJECT: "object",
                EXTERNAL: "external"}


def milli(value: Any) -> int | None:
    """``Quantity.MilliValue()`` of a manifest quantity (None when unset)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _milli_of_text(value)
    return Quantity.from_manifest(value).milli_value()


@functools.lru_cache(maxsize=4096)
def _milli_of_text(text: str) -> int:
    """Requests repeat (``500m``, ``256Mi``): each text is parsed once."""
    return Quantity.from_manifest(text).milli_value()


def go_selector_text(sel: Mapping[str, Any] | None) -> str:
    """``fmt.Sprintf("%+v", *metav1.LabelSelector)``: the generated ``String()``."""
    if sel is None:
        return "nil"
    labels = sel.get("matchLabels") or {}
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(e.get('values') or [])}],}},"
        for e in sel.get("matchExpressions") or ())
    pairs = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{pairs}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")


def _target(raw: Mapping[str, Any] | None) -> MetricTarget:
    raw = raw or {}
    return MetricTarget(str(raw.get("type") or ""), average_utilization=raw.get("averageUtilization"),
                        average_value=milli(raw.get("averageValue")), value=milli(raw.get("value")))


def metric_source_of(metric: Mapping[str, Any]) -> Mapping[str, Any]:
    """The set member of a MetricSpec for its ``type`` (``{}`` when absent)."""
    return metric.get(SOURCE_FIELD.get(str(metric.get("type")), "")) or {}


def _metric(metric: Mapping[str, Any]) -> MetricSpec:
    kind = str(metric.get("type") or "")
    src = metric_source_of(metric)
    if kind in (RESOURCE, CONTAINER_RESOURCE):
        return MetricSpec(kind, str(src.get("name") or ""), _target(src.get("target")),
                          container=str(src.get("container") or ""))
    ident = src.get("metric") or {}
    described = src.get("describedObject") or {}
    return MetricSpec(kind, str(ident.get("name") or ""), _target(src.get("target")),
                      described_kind=str(described.get("kind") or ""),
                      described_name=str(described.get("name") or ""),
                      selector=go_selector_text(ident.get("selector")))


def _rules(raw: Mapping[str, Any] | None) -> HPAScalingRules | None:
    if raw is None:
        return None
    policies = raw.get("policies")
    tolerance = raw.get("tolerance")
    return HPAScalingRules(
        stabilization_window_seconds=raw.get("stabilizationWindowSeconds"),
        select_policy=raw.get("selectPolicy"),
        policies=None if policies is None else tuple(
            HPAScalingPolicy(str(p.get("type")), int(p.get("value") or 0), int(p.get("periodSeconds") or 0))
            for p in policies),
        tolerance=None if tolerance is None else float(Quantity.from_manifest(tolerance).as_fraction()),
    )


def hpa_spec_of(hpa: Mapping[str, Any]) -> HPASpec:
    """The decision's view of ``hpa["spec"]``.  Empty ``metrics`` get the API
    server's default (cpu at 80%): the store itself does not default."""
    spec = hpa.get("spec") or {}
    metrics = spec.get("metrics") or DEFAULT_METRICS
    behavior = spec.get("behavior")
    return HPASpec(
        max_replicas=int(spec.get("maxReplicas") or 0),
        metrics=tuple(_metric(m) for m in metrics),
        min_replicas=spec.get("minReplicas"),
        behavior=None if behavior is None else HPABehavior(_rules(behavior.get("scaleUp")),
                                                           _rules(behavior.get("scaleDown"))),
    )


def _time(value: Any) -> float:
    return parse_time(value) if value else GO_ZERO_TIME


def _requests(resources: Mapping[str, Any] | None) -> dict[str, int]:
    reqs = (resources or {}).get("requests") or {}
    return {name: milli(q) for name, q in reqs.items()}  # type: ignore[misc]


def pod_info_of(pod: Mapping[str, Any]) -> PodInfo:
    """What the HPA reads of a pod: phase, the Ready condition (status and
    ``lastTransitionTime``), ``startTime``, deletion, and the requests of its
    containers, restartable init containers and pod-level resources."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    ready, ready_at = None, GO_ZERO_TIME
    for c in status.get("conditions") or ():
        if c.get("type") == "Ready":
            ready, ready_at = c.get("status"), _time(c.get("lastTransitionTime"))
            break
    start = status.get("startTime")
    pod_level = (spec.get("resources") or {}).get("requests")
    return PodInfo(
        name=pod["metadata"]["name"],
        phase=status.get("phase") or "Pending",
        ready=ready,
        ready_transition_time=ready_at,
        start_time=_time(start) if start else None,
        deleted=bool(pod["metadata"].get("deletionTimestamp")),
        containers=tuple(ContainerSpec(c.get("name", ""), _requests(c.get("resources")))
                         for c in spec.get("containers") or ()),
        init_containers=tuple(ContainerSpec(c.get("name", ""), _requests(c.get("resources")),
                                            restart_policy_always=c.get("restartPolicy") == "Always")
                              for c in spec.get("initContainers") or ()),
        pod_requests=None if pod_level is None else _requests(spec.get("resources")),
    )
