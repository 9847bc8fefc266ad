"""Replica proposals per metric spec, and the highest one over several metrics.

Mirrors ``computeReplicasForMetric`` (with ``computeStatusForObjectMetric``,
``computeStatusForPodsMetric``, ``computeStatusForResourceMetricGeneric``,
``computeStatusForResourceMetric``, ``computeStatusForContainerResourceMetric``,
``computeStatusForExternalMetric``) and ``computeReplicasForMetrics`` of
``pkg/controller/podautoscaler/horizontal.go``: which calculator a spec uses,
which replica count it starts from (``spec.replicas`` or, for per-pod Object and
External targets, ``status.replicas``), the metric's description, the error
wording, and how invalid metrics are handled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubekit._fast._records import new_slots
from kubekit.autoscaling.hpa_errors import HPAError, HPAInvalidMetricsError, HPAMetricError, HPASpecError
from kubekit.autoscaling.hpa_replicas import (
    ResourceMetrics,
    replicas_for_external_per_pod,
    replicas_for_external_value,
    replicas_for_object_per_pod,
    replicas_for_object_value,
    replicas_for_pods_metric,
    replicas_for_raw_resource,
    replicas_for_resource,
)
from kubekit.autoscaling.hpa_types import (
    AVERAGE_VALUE,
    CONTAINER_RESOURCE,
    EXTERNAL,
    GO_ZERO_TIME,
    OBJECT,
    PODS,
    RESOURCE,
    VALUE,
    MetricProposal,
    MetricSpec,
    PodInfo,
    PodMetric,
    Tolerances,
    slot_setters,
)

__all__ = ["MetricInput", "MetricsProposal", "replicas_for_metric", "replicas_for_metrics"]


@dataclass(frozen=True, slots=True)
class MetricInput:
    """What was observed for one metric spec.

    * Resource / ContainerResource: ``pod_metrics`` (per-pod values or raw
      ``PodMetrics`` samples);
    * Pods: ``pod_metrics`` (a mapping pod -> value);
    * Object: ``value``; External: ``values`` (one per series).

    ``timestamp`` is the sample time where upstream reports one.  ``error``
    is the text of a failed fetch (the metrics API's error); the proposal then
    fails with upstream's wrapping of it."""

    pod_metrics: Mapping[str, PodMetric] | ResourceMetrics | None = None
    value: int | None = None
    values: Sequence[int] | None = None
    timestamp: float | None = None
    error: str | None = None

    def __init__(self, pod_metrics: Mapping[str, PodMetric] | ResourceMetrics | None = None,
                 value: int | None = None, values: Sequence[int] | None = None, timestamp: float | None = None,
                 error: str | None = None) -> None:
        # built for every metric of every sync: the slots' setters (hpa_types.slot_setters)
        _set_pod_metrics(self, pod_metrics)
        _set_input_value(self, value)
        _set_values(self, values)
        _set_input_timestamp(self, timestamp)
        _set_error(self, error)


_set_pod_metrics, _set_input_value, _set_values, _set_input_timestamp, _set_error = slot_setters(MetricInput)


@dataclass(frozen=True, slots=True)
class MetricsProposal:
    """The outcome of :func:`replicas_for_metrics`: the highest proposal, the
    metric it came from and its timestamp.  ``error`` is set when some metrics
    failed but the others still scale up (upstream scales and reports the error)."""

    replicas: int
    metric_name: str
    timestamp: float
    error: HPAInvalidMetricsError | None = None


def _fail(message: str, reason: str) -> HPAMetricError:
    return HPAMetricError(message, reason=reason)


def replicas_for_metric(
    spec: MetricSpec,
    observed: MetricInput,
    spec_replicas: int,
    status_replicas: int,
    pods: Sequence[PodInfo],
    now: float,
    *,
    tolerances: Tolerances = Tolerances(),
    cpu_initialization_period: float = 300.0,
    delay_of_initial_readiness_status: float = 30.0,
    pod_level_resources: bool = True,
    namespace: str = "",
) -> MetricProposal:
    """The proposal for one metric spec (``computeReplicasForMetric``).

    Raises :class:`HPAMetricError` whose ``reason`` is the condition reason
    (``FailedGetResourceMetric``, ``FailedGetContainerResourceMetric``,
    ``FailedGetPodsMetric``, ``FailedGetObjectMetric``,
    ``FailedGetExternalMetric``, ``InvalidMetricSourceType``) and whose message
    is upstream's full error chain.
    """
    if spec.type in (RESOURCE, CONTAINER_RESOURCE):
        try:
            return _resource_proposal(
                spec, observed, spec_replicas, pods, now, tolerances, cpu_initialization_period,
                delay_of_initial_readiness_status, pod_level_resources, namespace,
            )
        except HPAMetricError as err:
            if spec.type == RESOURCE:
                outer, reason = f"failed to get {spec.name} resource metric value", "FailedGetResourceMetric"
            else:
                outer, reason = f"failed to get {spec.container} container metric value", \
                    "FailedGetContainerResourceMetric"
            raise _fail(f"{outer}: {err}", reason) from None

    calc = _calculator_settings(cpu_initialization_period, delay_of_initial_readiness_status)
    target = spec.target
    if spec.type == PODS:
        reason = "FailedGetPodsMetric"
        try:
            if target.average_value is None:
                raise HPAMetricError("invalid pods metric source: no average value target was set")
            if observed.error is not None:
                raise HPAMetricError(f"unable to get metric {spec.name}: {observed.error}")
            pod_metrics = observed.pod_metrics if isinstance(observed.pod_metrics, Mapping) else {}
            result = replicas_for_pods_metric(
                spec_replicas, target.average_value, spec.name, pods, pod_metrics, now,
                tolerances=tolerances, timestamp=observed.timestamp, **calc,
            )
        except HPAMetricError as err:
            raise _fail(f"failed to get pods metric value: {err}", reason) from None
        return MetricProposal(result, f"pods metric {spec.name}")

    if spec.type == OBJECT:
        reason = "FailedGetObjectMetric"
        fetch_error = (
            f"unable to get metric {spec.name}: {spec.described_kind} on {namespace} "
            f"{spec.described_name}/{observed.error}"
        )
        try:
            if target.type == VALUE and target.value is not None:
                if observed.error is not None or observed.value is None:
                    raise HPAMetricError(fetch_error)
                result = replicas_for_object_value(
                    spec_replicas, target.value, observed.value, pods, tolerances=tolerances
                )
                return MetricProposal(result, f"{spec.described_kind} metric {spec.name}")
            if target.type == AVERAGE_VALUE and target.average_value is not None:
                if observed.error is not None or observed.value is None:
                    raise HPAMetricError(f"failed to get {spec.name} object metric: {fetch_error}")
                result = replicas_for_object_per_pod(
                    status_replicas, target.average_value, observed.value, tolerances=tolerances,
                    timestamp=observed.timestamp if observed.timestamp is not None else GO_ZERO_TIME,
                )
                return MetricProposal(result, f"external metric {spec.name}({spec.selector})")
            raise HPAMetricError(
                "invalid object metric source: neither a value target nor an average value target was set"
            )
        except HPAMetricError as err:
            raise _fail(f"failed to get object metric value: {err}", reason) from None

    if spec.type == EXTERNAL:
        reason = "FailedGetExternalMetric"
        outer = f"failed to get {spec.name} external metric value"
        fetch_error = f"unable to get external metric {namespace}/{spec.name}/{spec.selector}: {observed.error}"
        name = f"external metric {spec.name}({spec.selector})"
        try:
            if target.average_value is not None:
                try:
                    if observed.error is not None:
                        raise HPAMetricError(fetch_error)
                    result = replicas_for_external_per_pod(
                        status_replicas, target.average_value, list(observed.values or ()),
                        tolerances=tolerances,
                        timestamp=observed.timestamp if observed.timestamp is not None else GO_ZERO_TIME,
                        metric_name=spec.name, namespace=namespace, selector=spec.selector,
                    )
                except HPAMetricError as err:
                    raise HPAMetricError(f"failed to get {spec.name} external metric: {err}") from None
                return MetricProposal(result, name)
            if target.value is not None:
                try:
                    if observed.error is not None:
                        raise HPAMetricError(fetch_error)
                    result = replicas_for_external_value(
                        spec_replicas, target.value, list(observed.values or ()), pods,
                        tolerances=tolerances, metric_name=spec.name, namespace=namespace,
                        selector=spec.selector,
                    )
                except HPAMetricError as err:
                    raise HPAMetricError(f"failed to get external metric {spec.name}: {err}") from None
                return MetricProposal(result, name)
            raise HPAMetricError(
                "invalid external metric source: neither a value target nor an average value target was set"
            )
        except HPAMetricError as err:
            raise _fail(f"{outer}: {err}", reason) from None

    raise _fail(f'unknown metric source type "{spec.type}"', "InvalidMetricSourceType")


def _resource_proposal(
    spec: MetricSpec, observed: MetricInput, spec_replicas: int, pods: Sequence[PodInfo], now: float,
    tolerances: Tolerances, cpu_initialization_period: float, delay_of_initial_readiness_status: float,
    pod_level_resources: bool, namespace: str,
) -> MetricProposal:
    """The proposal of a Resource or ContainerResource metric spec
    (``computeStatusForResourceMetricGeneric``); raises :class:`HPAMetricError`
    with the message :func:`replicas_for_metric` wraps."""
    container = "" if spec.type == RESOURCE else spec.container
    target = spec.target
    metrics: ResourceMetrics = observed.pod_metrics if observed.pod_metrics is not None else ()
    if target.average_value is not None:
        try:
            _check_fetched(spec, observed)
            result = replicas_for_raw_resource(
                spec_replicas, target.average_value, spec.name, pods, metrics, now,
                tolerances=tolerances, container=container, timestamp=observed.timestamp,
                namespace=namespace, **_calculator_settings(cpu_initialization_period,
                                                            delay_of_initial_readiness_status),
            )
        except HPAMetricError as err:
            raise HPAMetricError(f"failed to get {spec.name} usage: {err}") from None
        return MetricProposal(result, f"{spec.name} resource")
    if target.average_utilization is None:
        raise HPAMetricError(
            "invalid resource metric source: neither an average utilization target "
            "nor an average value (usage) target was set"
        )
    try:
        _check_fetched(spec, observed)
        result = replicas_for_resource(
            spec_replicas, target.average_utilization, spec.name, pods, metrics, now,
            tolerances=tolerances, container=container, timestamp=observed.timestamp,
            pod_level_resources=pod_level_resources, namespace=namespace,
            cpu_initialization_period=cpu_initialization_period,
            delay_of_initial_readiness_status=delay_of_initial_readiness_status,
        )
    except HPAMetricError as err:
        raise HPAMetricError(f"failed to get {spec.name} utilization: {err}") from None
    kind = "resource" if spec.type == RESOURCE else "container resource"
    return new_slots(MetricProposal, (result, f"{spec.name} {kind} utilization (percentage of request)"))


def _calculator_settings(cpu_initialization_period: float, delay_of_initial_readiness_status: float) -> dict:
    return dict(
        cpu_initialization_period=cpu_initialization_period,
        delay_of_initial_readiness_status=delay_of_initial_readiness_status,
    )


def _check_fetched(spec: MetricSpec, observed: MetricInput) -> None:
    """The resource metrics API's error, as the metrics client wraps it."""
    if observed.error is not None:
        raise HPAMetricError(f"unable to get metrics for resource {spec.name}: {observed.error}")


def replicas_for_metrics(
    spec_replicas: int, results: Sequence[MetricProposal | HPAError]
) -> MetricsProposal:
    """``computeReplicasForMetrics``: the highest proposal over the metric specs.

    ``results`` holds, per spec in order, its proposal or the error it raised.
    If every metric failed, or some failed and the highest valid proposal is
    below ``spec_replicas`` (a scale-down), the scale is held: raises
    :class:`HPAInvalidMetricsError` (``invalid metrics (N invalid out of M),
    first error is: ...``).  If some failed but the others scale up or hold,
    the proposal stands and carries the same error.
    """
    return MetricsProposal(*replicas_for_metrics_as_tuple(spec_replicas, results))


def replicas_for_metrics_as_tuple(
    spec_replicas: int, results: Sequence[MetricProposal | HPAError]
) -> tuple[int, str, float, HPAInvalidMetricsError | None]:
    """:func:`replicas_for_metrics` as the plain tuple of the
    :class:`MetricsProposal` fields, in order (for :func:`hpa_decide`)."""
    replicas = 0
    metric_name = ""
    timestamp = GO_ZERO_TIME
    invalid = 0
    first: HPAError | None = None
    for item in results:
        if isinstance(item, HPAError):
            if invalid <= 0:
                first = item
            invalid += 1
            continue
        if replicas == 0 or item.result.replicas > replicas:
            timestamp = item.result.timestamp
            replicas = item.result.replicas
            metric_name = item.metric_name
    error: HPAInvalidMetricsError | None = None
    if first is not None:
        error = HPAInvalidMetricsError(invalid, len(results), first, getattr(first, "reason", ""))
    if not results:
        raise HPASpecError("spec.metrics: no metric specs (the API server defaults them to cpu 80%)")
    if invalid >= len(results) or (invalid > 0 and replicas < spec_replicas):
        assert error is not None
        raise error
    return replicas, metric_name, timestamp, error
