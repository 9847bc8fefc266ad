"""Pod classification and requests for the HPA replica calculator.

Mirrors ``groupPods``, ``calculateRequests`` (with ``calculatePodLevelRequests``
and ``calculatePodRequestsFromContainers``) and ``getReadyPodsCount`` of
``pkg/controller/podautoscaler/replica_calculator.go``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubekit.autoscaling.hpa_errors import HPAMetricError
from kubekit.autoscaling.hpa_gomath import cut, time_before
from kubekit.autoscaling.hpa_types import (
    CONDITION_FALSE,
    CONDITION_TRUE,
    POD_FAILED,
    POD_PENDING,
    POD_RUNNING,
    PodInfo,
    PodMetric,
)

__all__ = ["PodGroups", "calculate_requests", "group_pods", "ready_pods_count"]

CPU = "cpu"


@dataclass(frozen=True, slots=True)
class PodGroups:
    """The result of ``groupPods``: how many pods count as ready, and the names
    of the unready, missing (no metric) and ignored (deleted or failed) pods."""

    ready_count: int
    unready: frozenset[str]
    missing: frozenset[str]
    ignored: frozenset[str]


def group_pods(
    pods: Sequence[PodInfo],
    metrics: Mapping[str, PodMetric],
    resource: str,
    cpu_initialization_period: float,
    delay_of_initial_readiness_status: float,
    now: float,
) -> PodGroups:
    """``groupPods``.  Each pod, in order of the checks:

    1. deleted or ``Failed``: ignored;
    2. ``Pending``: unready;
    3. no metric: missing;
    4. only for ``resource == "cpu"``: no Ready condition or no start time:
       unready; within ``start + cpu_initialization_period`` (strictly after
       ``now``): unready if Ready is False or the metric sample is older than
       one window after the last readiness transition; afterwards: unready only
       if Ready is False and the pod never became ready
       (``start + delay`` strictly after the transition);
    5. otherwise ready.  Memory and custom metrics never look at readiness.
    """
    ready = 0
    unready: set[str] = set()
    missing: set[str] = set()
    ignored: set[str] = set()
    # now.Before(start + cpuInit) <=> start is After(now - cpuInit): one cut for every pod
    init_start = cut(now, -cpu_initialization_period)
    for pod in pods:
        if pod.deleted or pod.phase == POD_FAILED:
            ignored.add(pod.name)
            continue
        if pod.phase == POD_PENDING:
            unready.add(pod.name)
            continue
        metric = metrics.get(pod.name)
        if metric is None:
            missing.add(pod.name)
            continue
        if resource == CPU:
            if pod.ready is None or pod.start_time is None:
                is_unready = True
            elif init_start(pod.start_time) > 0:
                # still initialising: StartTime + cpuInit is After now
                is_unready = pod.ready == CONDITION_FALSE or time_before(
                    metric.timestamp, pod.ready_transition_time, metric.window
                )
            else:
                # StartTime + delay is After the Ready transition: never became ready
                is_unready = pod.ready == CONDITION_FALSE and time_before(
                    pod.ready_transition_time, pod.start_time, delay_of_initial_readiness_status
                )
            if is_unready:
                unready.add(pod.name)
                continue
        ready += 1
    return PodGroups(ready, frozenset(unready), frozenset(missing), frozenset(ignored))


def calculate_requests(
    pods: Sequence[PodInfo],
    container: str,
    resource: str,
    *,
    pod_level_resources: bool = True,
) -> dict[str, int]:
    """``calculateRequests``: the request of ``resource`` of every listed pod
    (ignored and unready pods included), in milli-units.

    With a ``container``, that container's request (restartable init containers
    included in the search); a container that is not there raises ``container C
    not found in Pod P``.  Without one, the pod-level request when
    ``pod_level_resources`` (feature gate PodLevelResources, beta and on since
    1.34) and the pod sets pod-level requests, else the sum over the app
    containers and the restartable (sidecar) init containers.  A container
    without the request raises ``missing request for R in container C of Pod P``.
    """
    requests: dict[str, int] = {}
    for pod in pods:
        if pod_level_resources and pod.pod_requests is not None and not container:
            if resource not in pod.pod_requests:
                raise HPAMetricError(f"missing pod-level request for {resource} in Pod {pod.name}")
            requests[pod.name] = pod.pod_requests[resource]
            continue
        requests[pod.name] = _requests_from_containers(pod, container, resource)
    return requests


def _requests_from_containers(pod: PodInfo, container: str, resource: str) -> int:
    containers = pod.containers if not pod.init_containers else \
        list(pod.containers) + [c for c in pod.init_containers if c.restart_policy_always]
    request = 0
    for c in containers:
        if container == "" or container == c.name:
            if resource not in c.requests:
                raise HPAMetricError(
                    f"missing request for {resource} in container {c.name} of Pod {pod.name}"
                )
            request += c.requests[resource]
        if container == c.name:
            return request
    if container != "":
        raise HPAMetricError(f"container {container} not found in Pod {pod.name}")
    return request


def ready_pods_count(pods: Sequence[PodInfo]) -> int:
    """``getReadyPodsCount``: pods ``Running`` with Ready ``True`` (Object and
    External Value targets scale by this count).  No pod at all raises
    ``no pods returned by selector while calculating replica count``."""
    if not pods:
        raise HPAMetricError("no pods returned by selector while calculating replica count")
    return sum(1 for p in pods if p.phase == POD_RUNNING and p.ready == CONDITION_TRUE)
