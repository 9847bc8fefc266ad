"""Pod classification and requests for the HPA replica calculator.

Mirrors ``groupPods``, ``calculateRequests`` (with ``calculatePodLevelRequests``
and ``calculatePodRequestsFromContainers``) and ``getReadyPodsCount`` of
``pkg/controller/podautoscaler/replica_calculator.go``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubekit.autoscaling.hpa_errors import HPAMetricError
from kubekit.autoscaling.hpa_gomath import (
    _BOUND,
    _FLOAT_MARGIN,
    _PLAIN,
    cut,
    float_cut,
    plain_times,
    time_after,
    time_before,
)
from kubekit.autoscaling.hpa_types import (
    CONDITION_FALSE,
    CONDITION_TRUE,
    POD_FAILED,
    POD_PENDING,
    POD_RUNNING,
    PodInfo,
    PodMetric,
)

__all__ = ["PodGroups", "SelectedPods", "calculate_requests", "group_pods", "ready_pods_count", "settled_requests"]

CPU = "cpu"


@dataclass(frozen=True, slots=True)
class PodGroups:
    """The result of ``groupPods``: how many pods count as ready, and the names
    of the unready, missing (no metric) and ignored (deleted or failed) pods."""

    ready_count: int
    unready: frozenset[str]
    missing: frozenset[str]
    ignored: frozenset[str]


_EMPTY: frozenset[str] = frozenset()


class SelectedPods(tuple):
    """The pods of one selection, as the controller holds them between syncs:
    a tuple of frozen :class:`PodInfo` that carries the facts derived from it
    (``facts``), so they are computed once per selection, not per sync.  It
    cannot change, so a remembered fact is exactly what would be recomputed;
    any other sequence of pods takes the plain per-pod loops."""

    facts: dict

    def __new__(cls, pods=()) -> SelectedPods:
        self = super().__new__(cls, pods)
        self.facts = {}
        return self


def _summary(pods: SelectedPods) -> tuple[bool, bool, float | None, tuple[str, ...]]:
    """``(live, settled, latest start, names)``: ``live`` when no pod is
    deleted, Failed or Pending; ``settled`` when moreover every pod is Ready
    ``True`` with a (non-NaN) start time, the latest of which is ``latest start``."""
    memo = pods.facts
    got = memo.get("summary")
    if got is None:
        live = all(not p.deleted and p.phase != POD_FAILED and p.phase != POD_PENDING for p in pods)
        settled = live and all(p.ready == CONDITION_TRUE and p.start_time is not None
                               and p.start_time == p.start_time for p in pods)
        latest = max(p.start_time for p in pods) if settled else None  # type: ignore[type-var]
        got = memo["summary"] = (live, settled, latest, tuple(p.name for p in pods))
    return got


def _latest_first(pods: SelectedPods) -> tuple[tuple[tuple[int, float, float], ...], bool]:
    """``(position, start time, readiness transition)`` of the pods of a
    settled selection by start time, latest first, and whether all those
    times are plain (:func:`~kubekit.autoscaling.hpa_gomath.plain_times`).  Remembered."""
    memo = pods.facts
    got = memo.get("latest_first")
    if got is None:
        order = sorted(range(len(pods)), key=lambda i: pods[i].start_time, reverse=True)
        rows = tuple((i, pods[i].start_time, pods[i].ready_transition_time) for i in order)
        plain = plain_times(r[1] for r in rows) and plain_times(r[2] for r in rows)
        got = memo["latest_first"] = (rows, plain)
    return got


def _young_unready(pods: SelectedPods, names: tuple[str, ...], metrics: Mapping[str, PodMetric],
                   cpu_initialization_period: float, now: float) -> list[str]:
    """The names of the pods of a live, settled selection that are still
    initialising (started After ``now - cpuInit``: the first ones, latest
    first) and have a sample Before their readiness transition plus its
    window: ``groupPods``' unready pods of such a selection (Ready is True)."""
    rows, plain = _latest_first(pods)
    bounds = float_cut(now, -cpu_initialization_period) if plain else None
    unready: list[str] = []
    get = metrics.get
    if bounds is None:
        for i, start, ready_at in rows:
            if not time_after(start, now, -cpu_initialization_period):
                break
            metric = get(names[i])
            if metric is not None and time_before(metric.timestamp, ready_at, metric.window):
                unready.append(names[i])
        return unready
    lo, hi = bounds
    for i, start, ready_at in rows:
        if start <= hi and (start < lo or not time_after(start, now, -cpu_initialization_period)):
            break
        metric = get(names[i])
        if metric is None:
            continue
        # time_before(sample, ready_at + window), its float path inline
        t, window = metric.timestamp, metric.window
        if type(t) in _PLAIN and type(window) in _PLAIN and -_BOUND < t < _BOUND and -_BOUND < window < _BOUND:
            d = t - (ready_at + window)
            if d < -_FLOAT_MARGIN or (d <= _FLOAT_MARGIN and time_before(t, ready_at, window)):
                unready.append(names[i])
        elif time_before(t, ready_at, window):
            unready.append(names[i])
    return unready


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
    # now.Before(start + cpuInit) <=> start is After(now - cpuInit)
    if type(pods) is SelectedPods and pods:
        live, settled, latest_start, names = _summary(pods)
        # Every pod live (not deleted, Failed or Pending) and, for cpu, Ready
        # with its start time not After ``now - cpuInit`` (the latest start
        # is not, and the comparison is exact, so no earlier one is): each
        # pod is ready if it has a metric and missing otherwise, as below.
        if live and (resource != CPU or (settled and not time_after(latest_start, now,
                                                                    -cpu_initialization_period))):
            absent = [n for n in names if metrics.get(n) is None]
            return PodGroups(len(names) - len(absent), _EMPTY, frozenset(absent), _EMPTY)
        if live and settled:
            # Only the pods started After ``now - cpuInit`` (the first ones by
            # start time, latest first) are initialising: Ready True, so each
            # is unready iff it has a sample older than a window after the
            # readiness transition.  Every other pod is ready iff it has a
            # metric, missing otherwise.
            unready_names = _young_unready(pods, names, metrics, cpu_initialization_period, now)
            absent = [n for n in names if metrics.get(n) is None]
            return PodGroups(len(names) - len(absent) - len(unready_names), frozenset(unready_names),
                             frozenset(absent), _EMPTY)
    init_start = cut(now, -cpu_initialization_period)
    ready = 0
    unready: set[str] = set()
    missing: set[str] = set()
    ignored: set[str] = set()
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


def settled_requests(pods: SelectedPods, container: str, resource: str, pod_level_resources: bool
                     ) -> tuple[dict[str, tuple[int, float, float]], float | None, float | None] | None:
    """``(rows, earliest start, latest start)`` of a selection whose every pod
    counts as ready unless it has no metric or (cpu) is still initialising
    with a sample older than its readiness; ``rows`` maps each name to
    ``(request, start time, readiness transition)``.  Such a selection is
    non-empty and live (no pod deleted, Failed or Pending), its names are
    distinct, its requests of ``resource`` all known and, for cpu, it is
    settled (Ready True, a start time) with
    :func:`~kubekit.autoscaling.hpa_gomath.plain_times` start and readiness
    times (the starts are None for other resources).  None for any other
    selection.  Remembered."""
    memo = pods.facts
    key = ("settled_requests", container, resource, pod_level_resources)
    got = memo.get(key, _UNKNOWN)
    if got is _UNKNOWN:
        got = memo[key] = _settled_requests(pods, container, resource, pod_level_resources)
    return got


_UNKNOWN = object()


def _settled_requests(pods: SelectedPods, container: str, resource: str, pod_level_resources: bool
                      ) -> tuple[dict[str, tuple[int, float, float]], float | None, float | None] | None:
    if not pods:
        return None
    live, settled, _, names = _summary(pods)
    if not live or len(set(names)) != len(names):
        return None
    cpu = resource == CPU
    if cpu and not (settled and plain_times(p.start_time for p in pods)
                    and plain_times(p.ready_transition_time for p in pods)):
        return None
    try:
        requests = _calculate_requests(pods, container, resource, pod_level_resources)
    except HPAMetricError:
        return None
    rows = {p.name: (requests[p.name], p.start_time, p.ready_transition_time) for p in pods}
    if not cpu:
        return rows, None, None
    return rows, min(p.start_time for p in pods), max(p.start_time for p in pods)  # type: ignore[type-var]


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
    if type(pods) is SelectedPods:
        memo = pods.facts
        key = ("requests", container, resource, pod_level_resources)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _calculate_requests(pods, container, resource, pod_level_resources)
        return dict(got)
    return _calculate_requests(pods, container, resource, pod_level_resources)


def _calculate_requests(pods: Sequence[PodInfo], container: str, resource: str,
                        pod_level_resources: bool) -> dict[str, int]:
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
