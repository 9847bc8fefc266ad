"""Metric arithmetic of the HPA: usage ratios and the resource-metrics client.

Mirrors ``pkg/controller/podautoscaler/metrics/utilization.go``
(``GetResourceUtilizationRatio``, ``GetMetricUsageRatio``) and the pod/container
aggregation of ``metrics/client.go`` (``getPodMetrics``, ``getContainerMetrics``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kubekit.autoscaling.hpa_errors import HPAMetricError
from kubekit.autoscaling.hpa_gomath import MAX_INT32, MIN_INT32, go_div, go_fdiv
from kubekit.autoscaling.hpa_types import PodMetric, PodMetricsSample

__all__ = [
    "metric_usage_ratio",
    "resource_metrics_from_samples",
    "resource_utilization_ratio",
    "utilization_ratio",
]


def resource_utilization_ratio(
    metrics: Mapping[str, PodMetric], requests: Mapping[str, int], target_utilization: int
) -> tuple[float, int, int]:
    """``GetResourceUtilizationRatio``: ``(usage_ratio, utilization, raw_average)``.

    Sums run over the pods that have both a metric and a request (a metric of a
    pod not in ``requests`` counts nowhere).  ``utilization`` is the truncated
    percentage ``sum(metric) * 100 / sum(request)`` and the ratio is taken from
    it: ``float(utilization) / float(target)``.  ``raw_average`` is
    ``sum(metric) / n``, truncated.
    """
    metrics_total = 0
    requests_total = 0
    entries = 0
    for pod_name, metric in metrics.items():
        request = requests.get(pod_name)
        if request is None:
            continue
        metrics_total += metric.value
        requests_total += request
        entries += 1
    return utilization_ratio(metrics_total, requests_total, entries, target_utilization)


def utilization_ratio(
    metrics_total: int, requests_total: int, entries: int, target_utilization: int
) -> tuple[float, int, int]:
    """:func:`resource_utilization_ratio` from its sums over the ``entries``
    pods that have both a metric and a request."""
    if requests_total == 0:
        raise HPAMetricError("no metrics returned matched known pods")
    percentage = go_div(metrics_total * 100, requests_total)
    if percentage < MIN_INT32 or percentage > MAX_INT32:
        raise HPAMetricError(f"resource utilization {percentage} is outside the int32 range")
    ratio = go_fdiv(float(percentage), float(target_utilization))
    return ratio, percentage, go_div(metrics_total, entries)


def metric_usage_ratio(metrics: Mapping[str, PodMetric], target_usage: int) -> tuple[float, int]:
    """``GetMetricUsageRatio``: ``(usage_ratio, average_usage)`` with the average
    truncated before the ratio is taken."""
    total = sum(m.value for m in metrics.values())
    usage = go_div(total, len(metrics))
    return go_fdiv(float(usage), float(target_usage)), usage


def resource_metrics_from_samples(
    samples: Sequence[PodMetricsSample],
    resource: str,
    container: str = "",
    *,
    missing_container_is_error: bool = False,
    namespace: str = "",
) -> tuple[dict[str, PodMetric], float]:
    """What the resource metrics client makes of ``metrics.k8s.io`` items:
    ``(metrics per pod, timestamp of the first item)``.

    Pod scope (``container == ""``): the sum over the pod's containers; a pod
    with no container entries, or one entry lacking ``resource``, has no metric.
    Container scope: that container's usage; a pod without the container, or
    whose container lacks the resource, has no metric (newest client; older
    releases failed the whole call: ``missing_container_is_error=True``
    reproduces that, ``failed to get container metrics: container C not present
    in metrics for pod NS/P``).  An empty list raises ``no metrics returned from
    resource metrics API``.
    """
    if not samples:
        raise HPAMetricError("no metrics returned from resource metrics API")
    out: dict[str, PodMetric] = {}
    for sample in samples:
        if container:
            found = False
            for c in sample.containers:
                if c.name == container:
                    found = True
                    if resource in c.usage:
                        out[sample.pod] = PodMetric(c.usage[resource], sample.timestamp, sample.window)
                    break
            if not found and missing_container_is_error:
                raise HPAMetricError(
                    f"failed to get container metrics: container {container} not present "
                    f"in metrics for pod {namespace}/{sample.pod}"
                )
            continue
        missing = len(sample.containers) == 0
        total = 0
        for c in sample.containers:
            if resource not in c.usage:
                missing = True
                break
            total += c.usage[resource]
        if not missing:
            out[sample.pod] = PodMetric(total, sample.timestamp, sample.window)
    return out, samples[0].timestamp
