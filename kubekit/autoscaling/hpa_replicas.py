"""The HPA replica calculator, as pure functions.

One function per upstream ``ReplicaCalculator`` method
(``pkg/controller/podautoscaler/replica_calculator.go``); the metrics client's
fetch is replaced by the metric values passed in.  Every function returns a
:class:`~kubekit.autoscaling.hpa_types.ReplicaResult` or raises
:class:`~kubekit.autoscaling.hpa_errors.HPAMetricError` with upstream's message.

=====================================  ==========================================
function                               upstream
=====================================  ==========================================
:func:`replicas_for_resource`          ``GetResourceReplicas`` (Utilization)
:func:`replicas_for_raw_resource`      ``GetRawResourceReplicas`` (AverageValue)
:func:`replicas_for_pods_metric`       ``GetMetricReplicas`` (Pods metrics)
:func:`replicas_for_object_value`      ``GetObjectMetricReplicas``
:func:`replicas_for_object_per_pod`    ``GetObjectPerPodMetricReplicas``
:func:`replicas_for_external_value`    ``GetExternalMetricReplicas``
:func:`replicas_for_external_per_pod`  ``GetExternalPerPodMetricReplicas``
=====================================  ==========================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from kubekit._fast._records import new_slots
from kubekit.autoscaling.hpa_errors import HPAMetricError, HPASpecError
from kubekit.autoscaling.hpa_gomath import (
    _BOUND,
    MAX_INT32,
    MAX_INT64,
    ceil_to_int32,
    float_cut,
    go_div,
    go_fdiv,
    time_after,
    time_before,
)
from kubekit.autoscaling.hpa_metrics import (
    metric_usage_ratio,
    resource_metrics_from_samples,
    resource_utilization_ratio,
    utilization_ratio,
)
from kubekit.autoscaling.hpa_pods import CPU, SelectedPods, calculate_requests, group_pods, ready_pods_count, settled_requests
from kubekit.autoscaling.hpa_types import (
    AVERAGE_VALUE,
    GO_ZERO_TIME,
    VALUE,
    MetricTarget,
    PodInfo,
    PodMetric,
    PodMetricsSample,
    ReplicaResult,
    Tolerances,
)

__all__ = [
    "ResourceMetrics",
    "replicas_for_external_metric",
    "replicas_for_external_per_pod",
    "replicas_for_external_value",
    "replicas_for_object_metric",
    "replicas_for_object_per_pod",
    "replicas_for_object_value",
    "replicas_for_pods_metric",
    "replicas_for_raw_resource",
    "replicas_for_resource",
]

#: Resource metrics as the metrics client returns them (per pod, already
#: aggregated) or as the ``metrics.k8s.io`` API lists them (raw samples).
ResourceMetrics = Mapping[str, PodMetric] | Sequence[PodMetricsSample]

DEFAULT_TOLERANCES = Tolerances()


def _resource_metrics(
    metrics: ResourceMetrics, resource: str, container: str, timestamp: float | None, namespace: str
) -> tuple[dict[str, PodMetric], float]:
    if isinstance(metrics, Mapping):
        out = dict(metrics)
        if timestamp is None:
            timestamp = next(iter(out.values())).timestamp if out else GO_ZERO_TIME
        return out, timestamp
    try:
        out, first = resource_metrics_from_samples(list(metrics), resource, container, namespace=namespace)
    except HPAMetricError as err:
        raise HPAMetricError(f"unable to get metrics for resource {resource}: {err}") from None
    return out, first if timestamp is None else timestamp


def replicas_for_resource(
    current_replicas: int,
    target_utilization: int,
    resource: str,
    pods: Sequence[PodInfo],
    metrics: ResourceMetrics,
    now: float,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    container: str = "",
    cpu_initialization_period: float = 300.0,
    delay_of_initial_readiness_status: float = 30.0,
    pod_level_resources: bool = True,
    timestamp: float | None = None,
    namespace: str = "",
) -> ReplicaResult:
    """``GetResourceReplicas``: the replicas for a Utilization target (a
    percentage of the pods' requests of ``resource``; ``container`` for a
    ContainerResource metric).

    ``metrics`` are the per-pod values (a mapping) or the raw ``PodMetrics``
    samples; ``timestamp`` defaults to the first sample's.  Returns the
    proposal, the current utilization and the raw average value, both computed
    *before* unready and missing pods are filled in (as upstream).
    """
    if type(pods) is SelectedPods and type(metrics) is dict:
        settled = _settled_resource_replicas(
            current_replicas, target_utilization, resource, pods, metrics, now, tolerances, container,
            cpu_initialization_period, pod_level_resources, timestamp,
        )
        if settled is not None:
            return settled
    metric_map, ts = _resource_metrics(metrics, resource, container, timestamp, namespace)
    if not pods:
        raise HPAMetricError("no pods returned by selector while calculating replica count")
    groups = group_pods(
        pods, metric_map, resource, cpu_initialization_period, delay_of_initial_readiness_status, now
    )
    for name in groups.ignored | groups.unready:
        metric_map.pop(name, None)
    if not metric_map:
        raise HPAMetricError("did not receive metrics for targeted pods (pods might be unready)")
    requests = calculate_requests(pods, container, resource, pod_level_resources=pod_level_resources)
    usage_ratio, utilization, raw = resource_utilization_ratio(metric_map, requests, target_utilization)

    scale_up_with_unready = len(groups.unready) > 0 and usage_ratio > 1.0
    if not scale_up_with_unready and not groups.missing:
        if tolerances.is_within(usage_ratio):
            return ReplicaResult(current_replicas, utilization, raw, ts)
        return ReplicaResult(ceil_to_int32(usage_ratio * float(groups.ready_count)), utilization, raw, ts)

    if groups.missing:
        if usage_ratio < 1.0:
            # scale-down: a missing pod uses 100% of its request, or the target
            # when the target is above 100%
            fallback = max(100, target_utilization)
            for name in groups.missing:
                metric_map[name] = PodMetric(go_div(requests[name] * fallback, 100))
        elif usage_ratio > 1.0:
            for name in groups.missing:
                metric_map[name] = PodMetric(0)
    if scale_up_with_unready:
        for name in groups.unready:
            metric_map[name] = PodMetric(0)

    new_ratio, _, _ = resource_utilization_ratio(metric_map, requests, target_utilization)
    if (
        tolerances.is_within(new_ratio)
        or (usage_ratio < 1.0 and new_ratio > 1.0)
        or (usage_ratio > 1.0 and new_ratio < 1.0)
    ):
        return ReplicaResult(current_replicas, utilization, raw, ts)
    new_replicas = ceil_to_int32(new_ratio * float(len(metric_map)))
    if (new_ratio < 1.0 and new_replicas > current_replicas) or (
        new_ratio > 1.0 and new_replicas < current_replicas
    ):
        return ReplicaResult(current_replicas, utilization, raw, ts)
    return ReplicaResult(new_replicas, utilization, raw, ts)


def _settled_resource_replicas(
    current_replicas: int, target_utilization: int, resource: str, pods: SelectedPods,
    metrics: dict[str, PodMetric], now: float, tolerances: Tolerances, container: str,
    cpu_initialization_period: float, pod_level_resources: bool, timestamp: float | None,
) -> ReplicaResult | None:
    """:func:`replicas_for_resource` in one pass over ``metrics`` when every pod
    of a settled selection (:func:`~kubekit.autoscaling.hpa_pods.settled_requests`)
    counts as ready; None (take the general path) otherwise.

    Why it is the general path: such a selection has no ignored pod, and a pod
    is unready only if (cpu) it started After ``now - cpuInit`` and its sample
    is Before its readiness transition plus the sample's window (Ready is True:
    ``group_pods``); any unready or missing pod, or no request at all, returns
    None.  Otherwise the metric map keeps every metric, the ready count is the
    selection's size, and the sums run over the metrics, in the map's order,
    of the pods that have a request: exactly the pods of the selection
    (distinct names); a utilization out of the int32 range raises the general
    path's error."""
    settled = settled_requests(pods, container, resource, pod_level_resources)
    if settled is None:
        return None
    by_name, earliest_start, latest_start = settled
    # Which pods are initialising (started After now - cpuInit): the starts
    # are plain, so beyond the float bounds of that instant a start is
    # decided, between them it is compared exactly.
    every_young = some_young = False
    if resource == CPU:
        bounds = float_cut(now, -cpu_initialization_period)
        if bounds is None:
            return None
        lo, hi = bounds
        every_young = earliest_start > hi
        some_young = not every_young and latest_start >= lo
    metrics_total = requests_total = counted = 0
    for name, metric in metrics.items():
        row = by_name.get(name)
        if row is None:
            continue                    # not a pod of the selection: no request, counts nowhere
        request, start, ready_at = row
        if every_young or (some_young and start >= lo and (start > hi or time_after(
                start, now, -cpu_initialization_period))):
            # Initialising (Ready True): unready iff sampled Before ready_at + window.
            # A float t - window above ready_at means the exact difference is
            # (rounding is monotone, and the plain ready_at is exact in a
            # float): not Before.  Anything else is compared exactly.
            t, window = metric.timestamp, metric.window
            if not (type(t) is float and type(window) is float and ready_at < t - window < _BOUND) \
                    and time_before(t, ready_at, window):
                return None
        metrics_total += metric.value
        requests_total += request
        counted += 1
    if counted != len(by_name) or requests_total == 0:
        return None                     # a pod without a metric, or no request at all
    usage_ratio, utilization, raw = utilization_ratio(metrics_total, requests_total, counted, target_utilization)
    if timestamp is None:
        timestamp = next(iter(metrics.values())).timestamp
    if tolerances.is_within(usage_ratio):
        return new_slots(ReplicaResult, (current_replicas, utilization, raw, timestamp))
    return new_slots(ReplicaResult, (ceil_to_int32(usage_ratio * float(counted)), utilization, raw, timestamp))


def _plain_metric_replicas(
    metric_map: dict[str, PodMetric],
    current_replicas: int,
    target_usage: int,
    tolerances: Tolerances,
    pods: Sequence[PodInfo],
    resource: str,
    cpu_initialization_period: float,
    delay_of_initial_readiness_status: float,
    now: float,
) -> tuple[int, int]:
    """``calcPlainMetricReplicas``: ``(replicas, average usage)``."""
    if not pods:
        raise HPAMetricError("no pods returned by selector while calculating replica count")
    groups = group_pods(
        pods, metric_map, resource, cpu_initialization_period, delay_of_initial_readiness_status, now
    )
    for name in groups.ignored | groups.unready:
        metric_map.pop(name, None)
    if not metric_map:
        raise HPAMetricError("did not receive metrics for targeted pods (pods might be unready)")
    usage_ratio, usage = metric_usage_ratio(metric_map, target_usage)

    scale_up_with_unready = len(groups.unready) > 0 and usage_ratio > 1.0
    if not scale_up_with_unready and not groups.missing:
        if tolerances.is_within(usage_ratio):
            return current_replicas, usage
        return ceil_to_int32(usage_ratio * float(groups.ready_count)), usage

    if groups.missing:
        if usage_ratio < 1.0:
            # scale-down: a missing pod uses exactly the target
            for name in groups.missing:
                metric_map[name] = PodMetric(target_usage)
        elif usage_ratio > 1.0:
            for name in groups.missing:
                metric_map[name] = PodMetric(0)
    if scale_up_with_unready:
        for name in groups.unready:
            metric_map[name] = PodMetric(0)

    new_ratio, _ = metric_usage_ratio(metric_map, target_usage)
    if (
        tolerances.is_within(new_ratio)
        or (usage_ratio < 1.0 and new_ratio > 1.0)
        or (usage_ratio > 1.0 and new_ratio < 1.0)
    ):
        return current_replicas, usage
    new_replicas = ceil_to_int32(new_ratio * float(len(metric_map)))
    if (new_ratio < 1.0 and new_replicas > current_replicas) or (
        new_ratio > 1.0 and new_replicas < current_replicas
    ):
        return current_replicas, usage
    return new_replicas, usage


def replicas_for_raw_resource(
    current_replicas: int,
    target_usage: int,
    resource: str,
    pods: Sequence[PodInfo],
    metrics: ResourceMetrics,
    now: float,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    container: str = "",
    cpu_initialization_period: float = 300.0,
    delay_of_initial_readiness_status: float = 30.0,
    timestamp: float | None = None,
    namespace: str = "",
) -> ReplicaResult:
    """``GetRawResourceReplicas``: the replicas for an AverageValue target of a
    resource (milli-units per pod).  Readiness is examined for ``cpu`` as in
    :func:`replicas_for_resource`; a missing pod counts as using exactly the
    target on a scale-down."""
    metric_map, ts = _resource_metrics(metrics, resource, container, timestamp, namespace)
    replicas, usage = _plain_metric_replicas(
        metric_map, current_replicas, target_usage, tolerances, pods, resource,
        cpu_initialization_period, delay_of_initial_readiness_status, now,
    )
    return ReplicaResult(replicas, None, usage, ts)


def replicas_for_pods_metric(
    current_replicas: int,
    target_usage: int,
    metric_name: str,
    pods: Sequence[PodInfo],
    metrics: Mapping[str, PodMetric],
    now: float,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    cpu_initialization_period: float = 300.0,
    delay_of_initial_readiness_status: float = 30.0,
    timestamp: float | None = None,
) -> ReplicaResult:
    """``GetMetricReplicas``: the replicas for a Pods metric with an
    AverageValue target.  Readiness is never examined (upstream passes no
    resource name); an empty ``metrics`` mapping is the custom metrics API
    returning nothing: ``unable to get metric NAME: no metrics returned from
    custom metrics API``."""
    if not metrics:
        raise HPAMetricError(
            f"unable to get metric {metric_name}: no metrics returned from custom metrics API"
        )
    metric_map = dict(metrics)
    ts = next(iter(metric_map.values())).timestamp if timestamp is None else timestamp
    replicas, usage = _plain_metric_replicas(
        metric_map, current_replicas, target_usage, tolerances, pods, "",
        cpu_initialization_period, delay_of_initial_readiness_status, now,
    )
    return ReplicaResult(replicas, None, usage, ts)


def _usage_ratio_replica_count(
    current_replicas: int, usage_ratio: float, tolerances: Tolerances, pods: Sequence[PodInfo]
) -> int:
    """``getUsageRatioReplicaCount``: with replicas, ``ceil(ratio * ready
    pods)`` outside the tolerance (saturating at MaxInt32); from zero replicas
    ``ceil(ratio)`` without any tolerance (scale from zero)."""
    if current_replicas != 0:
        if tolerances.is_within(usage_ratio):
            return current_replicas
        try:
            ready = ready_pods_count(pods)
        except HPAMetricError as err:
            raise HPAMetricError(f"unable to calculate ready pods: {err}") from None
        replicas_float = usage_ratio * float(ready)
        if replicas_float > MAX_INT32:
            return MAX_INT32
        return ceil_to_int32(replicas_float)
    return ceil_to_int32(usage_ratio)


def replicas_for_object_value(
    current_replicas: int,
    target_value: int,
    usage: int,
    pods: Sequence[PodInfo],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> ReplicaResult:
    """``GetObjectMetricReplicas`` (Object metric, Value target): ratio
    ``usage / target``, scaled by the pods that are Running and Ready.  The
    returned timestamp is Go's zero time: upstream drops the metric's."""
    ratio = go_fdiv(float(usage), float(target_value))
    replicas = _usage_ratio_replica_count(current_replicas, ratio, tolerances, pods)
    return ReplicaResult(replicas, None, usage, GO_ZERO_TIME)


def replicas_for_object_per_pod(
    status_replicas: int,
    target_average_value: int,
    usage: int,
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    timestamp: float = GO_ZERO_TIME,
) -> ReplicaResult:
    """``GetObjectPerPodMetricReplicas`` (Object metric, AverageValue target),
    from ``status.replicas``: ratio ``usage / (target * status_replicas)``;
    outside the tolerance ``ceil(usage / target)``.  The reported value is
    ``ceil(usage / status_replicas)``."""
    replicas = status_replicas
    ratio = go_fdiv(float(usage), float(target_average_value) * float(status_replicas))
    if not tolerances.is_within(ratio):
        replicas = ceil_to_int32(go_fdiv(float(usage), float(target_average_value)))
    per_pod = _ceil_to_int64(go_fdiv(float(usage), float(status_replicas)))
    return ReplicaResult(replicas, None, per_pod, timestamp)


def _external_total(values: Sequence[int]) -> int:
    total = 0
    for v in values:
        if v > 0 and total > MAX_INT64 - v:
            return MAX_INT64
        total += v
    return total


def _no_external(namespace: str, metric_name: str, selector: str) -> HPAMetricError:
    return HPAMetricError(
        f"unable to get external metric {namespace}/{metric_name}/{selector}: "
        "no metrics returned from external metrics API"
    )


def replicas_for_external_value(
    current_replicas: int,
    target_value: int,
    values: Sequence[int],
    pods: Sequence[PodInfo],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    metric_name: str = "",
    namespace: str = "",
    selector: str = "nil",
) -> ReplicaResult:
    """``GetExternalMetricReplicas`` (External metric, Value target): the sum of
    the values (capped at MaxInt64) against the target, scaled by the Running
    and Ready pods; from zero replicas ``ceil(ratio)``.  The timestamp is Go's
    zero time, as upstream."""
    if not values:
        raise _no_external(namespace, metric_name, selector)
    usage = _external_total(values)
    ratio = go_fdiv(float(usage), float(target_value))
    replicas = _usage_ratio_replica_count(current_replicas, ratio, tolerances, pods)
    return ReplicaResult(replicas, None, usage, GO_ZERO_TIME)


def replicas_for_external_per_pod(
    status_replicas: int,
    target_average_value: int,
    values: Sequence[int],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    timestamp: float = GO_ZERO_TIME,
    metric_name: str = "",
    namespace: str = "",
    selector: str = "nil",
) -> ReplicaResult:
    """``GetExternalPerPodMetricReplicas`` (External metric, AverageValue
    target), from ``status.replicas``: outside the tolerance
    ``ceil(sum / target)`` (saturating at MaxInt32); the reported value is the
    per-pod average ``ceil(sum / status_replicas)``.  A running sum that turns
    negative is taken as an int64 overflow: MaxInt64 (as upstream)."""
    if not values:
        raise _no_external(namespace, metric_name, selector)
    usage = 0
    for v in values:
        usage = _wrap_int64(usage + v)
        if usage < 0:
            usage = MAX_INT64
            break
    replicas = status_replicas
    ratio = go_fdiv(float(usage), float(target_average_value) * float(status_replicas))
    if not tolerances.is_within(ratio):
        quotient = go_fdiv(float(usage), float(target_average_value))
        result = float(math.ceil(quotient)) if math.isfinite(quotient) else quotient
        replicas = MAX_INT32 if result > float(MAX_INT32) else ceil_to_int32(result)
    if float(usage) >= float(MAX_INT64):
        per_pod = MAX_INT64
    else:
        per_pod = _ceil_to_int64(go_fdiv(float(usage), float(status_replicas)))
    return ReplicaResult(replicas, None, per_pod, timestamp)


def _wrap_int64(x: int) -> int:
    return (x + 2**63) % 2**64 - 2**63


def _ceil_to_int64(x: float) -> int:
    """Go's ``int64(math.Ceil(x))``, saturating where Go is implementation-defined."""
    if math.isnan(x):
        return -(2**63)
    if x >= float(MAX_INT64):
        return MAX_INT64
    if x <= -float(2**63):
        return -(2**63)
    return int(math.ceil(x))


def replicas_for_object_metric(
    spec_replicas: int,
    status_replicas: int,
    target: MetricTarget,
    usage: int,
    pods: Sequence[PodInfo],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    timestamp: float = GO_ZERO_TIME,
) -> ReplicaResult:
    """An Object metric, either target (as ``computeStatusForObjectMetric``):
    ``Value`` -> :func:`replicas_for_object_value` from ``spec_replicas``;
    ``AverageValue`` -> :func:`replicas_for_object_per_pod` from
    ``status_replicas``."""
    if target.type == VALUE and target.value is not None:
        return replicas_for_object_value(spec_replicas, target.value, usage, pods, tolerances=tolerances)
    if target.type == AVERAGE_VALUE and target.average_value is not None:
        return replicas_for_object_per_pod(
            status_replicas, target.average_value, usage, tolerances=tolerances, timestamp=timestamp
        )
    raise HPASpecError(
        "invalid object metric source: neither a value target nor an average value target was set"
    )


def replicas_for_external_metric(
    spec_replicas: int,
    status_replicas: int,
    target: MetricTarget,
    values: Sequence[int],
    pods: Sequence[PodInfo],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    timestamp: float = GO_ZERO_TIME,
    metric_name: str = "",
    namespace: str = "",
    selector: str = "nil",
) -> ReplicaResult:
    """An External metric, either target (as ``computeStatusForExternalMetric``,
    which checks ``averageValue`` first): AverageValue ->
    :func:`replicas_for_external_per_pod` from ``status_replicas``; Value ->
    :func:`replicas_for_external_value` from ``spec_replicas``."""
    if target.average_value is not None:
        return replicas_for_external_per_pod(
            status_replicas, target.average_value, values, tolerances=tolerances, timestamp=timestamp,
            metric_name=metric_name, namespace=namespace, selector=selector,
        )
    if target.value is not None:
        return replicas_for_external_value(
            spec_replicas, target.value, values, pods, tolerances=tolerances,
            metric_name=metric_name, namespace=namespace, selector=selector,
        )
    raise HPASpecError(
        "invalid external metric source: neither a value target nor an average value target was set"
    )
