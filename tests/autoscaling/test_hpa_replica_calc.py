"""The replica calculator against upstream's tables.

Transcribed from kubernetes/kubernetes
``pkg/controller/podautoscaler/replica_calculator_test.go`` (the table-driven
version with ``calcScenario``/``resourceCase``, ``Tolerances{scaleDown,scaleUp}``
and ``calculateRequests``; late-2025 master, the 1.35 line).  Each case cites
the Go test (and row) it comes from.  Fixture semantics: tests/autoscaling/hpa_builders.py.
"""

from __future__ import annotations

import math

import pytest

from kubekit.autoscaling import (
    GO_ZERO_TIME,
    ContainerSpec,
    HPAMetricError,
    PodInfo,
    PodMetric,
    Tolerances,
    calculate_requests,
    group_pods,
    replicas_for_external_per_pod,
    replicas_for_external_value,
    replicas_for_object_per_pod,
    replicas_for_object_value,
    replicas_for_pods_metric,
    replicas_for_resource,
)
from kubekit.autoscaling.hpa_gomath import MAX_INT32, MAX_INT64

from hpa_builders import (
    COOL,
    HOT,
    NOW,
    TEST_CPU_INIT,
    TEST_READINESS_DELAY,
    calc_pod_metrics,
    calc_pods,
    calc_samples,
    pod_levels,
)

T, F = "True", "False"
R, P, FA = "Running", "Pending", "Failed"
C = 2  # numContainersPerPod

# (TestReplicaCalcResourceScale row name, current, fixture kwargs, container, target,
#  expected replicas, utilization, raw value)
RESOURCE_SCALE = [
    ("scale up", 3, dict(requests=["1.0"] * 3, levels=pod_levels(300, 500, 700)), "", 30, 5, 50, C * 500),
    ("scale up: container metric", 3, dict(requests=["1.0"] * 3, levels=[[1000, 300], [1000, 500], [1000, 700]]),
     "container2", 30, 5, 50, 500),
    ("scale up: unready pod scales less", 3,
     dict(readiness=[F, T, T], requests=["1.0"] * 3, levels=pod_levels(300, 500, 700)), "", 30, 4, 60, C * 600),
    ("scale up: hot-CPU container scales less", 3,
     dict(start_times=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=[[0, 300], [0, 500], [0, 700]]),
     "container2", 30, 4, 60, 600),
    ("scale up: hot-CPU pod scales less", 3,
     dict(start_times=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=pod_levels(300, 500, 700)), "", 30, 4, 60,
     C * 600),
    ("no scale: unready pods ignored", 3,
     dict(readiness=[T, F, F], requests=["1.0"] * 3, levels=pod_levels(400, 500, 700)), "", 30, 3, 40, C * 400),
    ("no scale: hot-CPU pods ignored", 3,
     dict(readiness=[T, F, F], start_times=[COOL, HOT, HOT], requests=["1.0"] * 3,
          levels=pod_levels(400, 500, 700)), "", 30, 3, 40, C * 400),
    ("scale up: failed pods ignored", 2,
     dict(readiness=[T, T, F, F], phases=[R, R, FA, FA], requests=["1.0"] * 4, levels=pod_levels(500, 700)),
     "", 30, 4, 60, C * 600),
    ("scale up: failed pods ignored with missing container metric", 2,
     dict(readiness=[T, T, F, F], phases=[R, R, FA, FA], requests=["1.0"] * 4,
          levels=[[1000, 500], [9000, 700], [1000], [9000]]), "container2", 30, 4, 60, 600),
    ("scale up: container metrics with failed pods ignored", 2,
     dict(readiness=[T, T, F, F], phases=[R, R, FA, FA], requests=["1.0"] * 4,
          levels=[[1000, 500], [9000, 700]]), "container2", 30, 4, 60, 600),
    ("scale up: pods being deleted are ignored", 2,
     dict(readiness=[T, T, F, F], phases=[R] * 4, deleted=[False, False, True, True], requests=["1.0"] * 4,
          levels=pod_levels(500, 700)), "", 30, 4, 60, C * 600),
    ("scale up: container metrics with pods being deleted ignored", 2,
     dict(readiness=[T, T, F, F], phases=[R] * 4, deleted=[False, False, True, True], requests=["1.0"] * 4,
          levels=pod_levels(500, 700)), "container1", 30, 4, 60, 600),
    ("scale down", 5, dict(requests=["1.0"] * 5, levels=pod_levels(100, 300, 500, 250, 250)), "", 50, 3, 28,
     C * 280),
    ("scale down: container metric", 5,
     dict(requests=["1.0"] * 5, levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
     "container2", 50, 3, 28, 280),
    ("scale down: exclude unready pods", 5,
     dict(readiness=[T, T, T, F, F], requests=["1.0"] * 5, levels=pod_levels(100, 300, 500, 250, 250)), "", 50,
     2, 30, C * 300),
    ("scale down: container metric excludes unready pods", 5,
     dict(readiness=[T, T, T, F, F], requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]), "container2", 50, 2, 30, 300),
    ("scale down: exclude unscheduled pods", 5,
     dict(readiness=[T, F, F, F, F], phases=[R, P, P, P, P], requests=["1.0"] * 5, levels=pod_levels(100)), "",
     50, 1, 10, C * 100),
    ("scale down: container metric excludes unscheduled pods", 5,
     dict(readiness=[T, F, F, F, F], phases=[R, P, P, P, P], requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]), "container2", 50, 1, 10, 100),
    ("scale down: ignore hot-CPU pods", 5,
     dict(start_times=[COOL, COOL, COOL, HOT, HOT], requests=["1.0"] * 5, levels=pod_levels(100, 300, 500, 250, 250)),
     "", 50, 2, 30, C * 300),
    ("scale down: container metric ignores hot-CPU pods", 5,
     dict(start_times=[COOL, COOL, COOL, HOT, HOT], requests=["1.0"] * 5,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 1000], [1000, 1000]]), "container2", 50, 2, 30, 300),
    ("scale down: failed pods ignored", 5,
     dict(readiness=[T] * 5 + [F, F], phases=[R] * 5 + [FA, FA], requests=["1.0"] * 7,
          levels=pod_levels(100, 300, 500, 250, 250)), "", 50, 3, 28, C * 280),
    ("scale down: container metric with failed pods ignored", 5,
     dict(readiness=[T] * 5 + [F, F], phases=[R] * 5 + [FA, FA], requests=["1.0"] * 7,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]), "container2", 50, 3, 28, 280),
    ("scale down: pods being deleted are ignored", 5,
     dict(readiness=[T] * 5 + [F, F], phases=[R] * 7, deleted=[False] * 5 + [True, True], requests=["1.0"] * 7,
          levels=pod_levels(100, 300, 500, 250, 250)), "", 50, 3, 28, C * 280),
    ("scale down: still-running pods being deleted are ignored", 5,
     dict(readiness=[T] * 5 + [F, F], phases=[R] * 7, deleted=[False] * 5 + [True, True], requests=["1.0"] * 7,
          levels=[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]), "container2", 50, 3, 28, 280),
]


def run_resource(current, fixture, container, target, tolerances=Tolerances(), timestamp=GO_ZERO_TIME,
                 pod_names=()):
    fx = dict(fixture)
    levels = fx.pop("levels")
    pods = calc_pods(current, **fx)
    samples = calc_samples(levels, pod_names=pod_names, timestamp=timestamp)
    return replicas_for_resource(
        current, target, "cpu", pods, samples, NOW, tolerances=tolerances, container=container,
        cpu_initialization_period=TEST_CPU_INIT, delay_of_initial_readiness_status=TEST_READINESS_DELAY,
    )


@pytest.mark.parametrize("name,current,fixture,container,target,replicas,util,raw", RESOURCE_SCALE,
                         ids=[r[0] for r in RESOURCE_SCALE])
def test_replica_calc_resource_scale(name, current, fixture, container, target, replicas, util, raw):
    """TestReplicaCalcResourceScale/<name>."""
    got = run_resource(current, fixture, container, target)
    assert (got.replicas, got.utilization, got.value) == (replicas, util, raw)
    assert got.timestamp == GO_ZERO_TIME


# (Go test, current, fixture, target, expected replicas, utilization, raw value[, tolerances])
RESOURCE_SINGLE = [
    ("TestReplicaCalcTolerance", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(1010, 1030, 1020)), 100, 3, 102, C * 1020, None),
    ("TestReplicaCalcSuperfluousMetrics", 4,
     dict(requests=["1.0"] * 4, levels=pod_levels(4000, 9500, 3000, 7000, 3200, 2000)), 100, 24, 587, C * 5875,
     None),
    ("TestReplicaCalcMissingMetrics", 4, dict(requests=["1.0"] * 4, levels=pod_levels(400, 95)), 100, 3, 24, 495,
     None),
    ("TestReplicaCalcMissingMetricsNoChangeEq", 2, dict(requests=["1.0"] * 2, levels=pod_levels(1000)), 100, 2, 100,
     C * 1000, None),
    ("TestReplicaCalcMissingMetricsNoChangeGt", 2, dict(requests=["1.0"] * 2, levels=pod_levels(1900)), 100, 2, 190,
     C * 1900, None),
    ("TestReplicaCalcMissingMetricsNoChangeLt", 2, dict(requests=["1.0"] * 2, levels=pod_levels(600)), 100, 2, 60,
     C * 600, None),
    ("TestReplicaCalcMissingMetricsUnreadyChange", 3,
     dict(readiness=[F, T, T], requests=["1.0"] * 3, levels=pod_levels(100, 450)), 50, 3, 45, C * 450, None),
    ("TestReplicaCalcMissingMetricsHotCpuNoChange", 3,
     dict(start_times=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=pod_levels(100, 450)), 50, 3, 45, C * 450,
     None),
    ("TestReplicaCalcMissingMetricsUnreadyScaleUp", 3,
     dict(readiness=[F, T, T], requests=["1.0"] * 3, levels=pod_levels(100, 2000)), 50, 4, 200, C * 2000, None),
    ("TestReplicaCalcMissingMetricsHotCpuScaleUp", 3,
     dict(readiness=[F, T, T], start_times=[HOT, COOL, COOL], requests=["1.0"] * 3, levels=pod_levels(100, 2000)),
     50, 4, 200, C * 2000, None),
    ("TestReplicaCalcMissingMetricsUnreadyScaleDown", 4,
     dict(readiness=[F, T, T, T], requests=["1.0"] * 4, levels=pod_levels(100, 100, 100)), 50, 3, 10, C * 100, None),
    ("TestReplicaCalcMissingMetricsScaleDownTargetOver100", 4,
     dict(readiness=[F, T, T, T], requests=["1.0", "1.0", "2.0", "2.0"], levels=pod_levels(200, 100, 100)), 300, 2,
     6, C * 100, None),
    ("TestReplicaCalcDuringRollingUpdateWithMaxSurge", 2,
     dict(phases=[R, R, R], requests=["1.0"] * 3, levels=pod_levels(100, 100)), 50, 2, 10, C * 100, None),
    ("TestReplicaCalcConfigurableTolerance/Outside of a 0% tolerance", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(909, 1010, 1111)), 100, 4, 101, C * 1010,
     Tolerances(0.0, 0.0)),
    ("TestReplicaCalcConfigurableTolerance/Within a 200% scale-up tolerance", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(1890, 1910, 1900)), 100, 3, 190, C * 1900,
     Tolerances(0.1, 2.0)),
    ("TestReplicaCalcConfigurableTolerance/Outside 8% scale-up tolerance (and superfuous scale-down tolerance)", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(1100, 1080, 1090)), 100, 4, 109, C * 1090,
     Tolerances(2.0, 0.08)),
    ("TestReplicaCalcConfigurableTolerance/Within a 36% scale-down tolerance", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(660, 640, 650)), 100, 3, 65, C * 650,
     Tolerances(0.36, 0.1)),
    ("TestReplicaCalcConfigurableTolerance/Outside a 34% scale-down tolerance", 3,
     dict(requests=["0.9", "1.0", "1.1"], levels=pod_levels(660, 640, 650)), 100, 2, 65, C * 650,
     Tolerances(0.34, 0.1)),
]


@pytest.mark.parametrize("name,current,fixture,target,replicas,util,raw,tol", RESOURCE_SINGLE,
                         ids=[r[0] for r in RESOURCE_SINGLE])
def test_replica_calc_resource_cases(name, current, fixture, target, replicas, util, raw, tol):
    """The single-case resource tests of replica_calculator_test.go, by name."""
    got = run_resource(current, fixture, "", target, tolerances=tol or Tolerances())
    assert (got.replicas, got.utilization, got.value) == (replicas, util, raw)


def test_replica_calc_disjoint_resources_metrics():
    """TestReplicaCalcDisjointResourcesMetrics: metrics of a pod that is not listed."""
    with pytest.raises(HPAMetricError, match="no metrics returned matched known pods"):
        run_resource(1, dict(requests=["1.0"], levels=pod_levels(100)), "", 100, pod_names=["an-older-pod-name"])


def test_replica_calc_empty_metrics():
    """TestReplicaCalcEmptyMetrics."""
    with pytest.raises(HPAMetricError) as err:
        run_resource(4, dict(requests=["1.0"] * 3, levels=pod_levels()), "", 100)
    assert "unable to get metrics for resource cpu: no metrics returned from resource metrics API" in str(err.value)


def test_replica_calc_empty_cpu_request():
    """TestReplicaCalcEmptyCPURequest."""
    with pytest.raises(HPAMetricError, match="missing request for") as err:
        run_resource(1, dict(requests=[], levels=pod_levels(200)), "", 100)
    assert str(err.value) == "missing request for cpu in container container1 of Pod test-pod-0"


def test_replica_calc_computed_tolerance_alg_implementation():
    """TestReplicaCalcComputedToleranceAlgImplementation, both halves, computed
    with the Go test's own arithmetic."""
    start_pods = 10
    total_used = start_pods * 150
    total_requested = 2 * total_used
    requested_to_used = float(total_requested // total_used)
    per_pod = total_requested // start_pods
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.01
    final_target = int(target * 100)
    used_ratio = float(total_used) / float(float(total_requested) * target)
    final_pods = math.ceil(used_ratio * float(start_pods))
    requests = [f"{per_pod + d}m" for d in (100, -100, 10, -10, 2, -2, 1, -1, 0, 0)]
    fixture = dict(requests=requests, levels=pod_levels(*([total_used // 10] * 10)))
    got = run_resource(start_pods, fixture, "", final_target)
    assert (got.replicas, got.utilization, got.value) == (
        final_pods, (total_used * 100) // total_requested, C * total_used // 10)
    assert final_pods == 9
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.004
    got = run_resource(start_pods, fixture, "", int(target * 100))
    assert got.replicas == start_pods


# -- plain (Pods) metrics, Object and External ------------------------------------


# (Go test, current, pod levels, target, expected replicas, expected usage, readiness, start times)
PODS_METRIC = [
    ("TestReplicaCalcScaleUpCM", 3, [20000, 10000, 30000], 15000, 4, 20000, None, None),
    ("TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale", 3, [50000, 10000, 30000], 15000, 6, 30000,
     [T, T, F], [COOL, COOL, HOT]),
    ("TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown", 3, [50000, 15000, 30000], 15000, 7, 31666,
     [F, T, F], [HOT, COOL, HOT]),
    ("TestReplicaCalcScaleDownCM", 5, [12000] * 5, 20000, 3, 12000, None, None),
    ("TestReplicaCalcToleranceCM", 3, [20000, 21000, 21000], 20000, 3, 20666, None, None),
    ("TestPlainMetricReplicaCalcMissingMetricsNoChangeEq", 5, [20000, 19000, 21000], 20000, 5, 20000, None, None),
]


@pytest.mark.parametrize("name,current,levels,target,replicas,usage,readiness,starts", PODS_METRIC,
                         ids=[r[0] for r in PODS_METRIC])
def test_replica_calc_pods_metric(name, current, levels, target, replicas, usage, readiness, starts):
    """Pods metrics (GetMetricReplicas): readiness is never examined."""
    pods = calc_pods(current, readiness=readiness, start_times=starts)
    got = replicas_for_pods_metric(current, target, "qps", pods, calc_pod_metrics(levels), NOW,
                                   cpu_initialization_period=TEST_CPU_INIT,
                                   delay_of_initial_readiness_status=TEST_READINESS_DELAY)
    assert (got.replicas, got.value) == (replicas, usage)


def test_replica_calc_configurable_tolerance_cm():
    """TestReplicaCalcConfigurableToleranceCM: a 1% scale-up tolerance."""
    got = replicas_for_pods_metric(3, 20000, "qps", calc_pods(3), calc_pod_metrics([20000, 21000, 21000]), NOW,
                                   tolerances=Tolerances(0.1, 0.01))
    assert (got.replicas, got.value) == (4, 20666)


def test_replica_calc_during_rolling_update_with_max_surge_cm():
    """TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM."""
    got = replicas_for_pods_metric(2, 17000, "qps", calc_pods(2, phases=[R, R, R]),
                                   calc_pod_metrics([10000, 10000]), NOW)
    assert (got.replicas, got.value) == (2, 10000)


# (Go test, current, usage, target, expected replicas, readiness, tolerances)
OBJECT_VALUE = [
    ("TestReplicaCalcScaleUpCMObject", 3, 20000, 15000, 4, None, None),
    ("TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods", 3, 50000, 10000, 5, [F, T, F], None),
    ("TestReplicaCalcScaleDownCMObject", 5, 12000, 20000, 3, None, None),
    ("TestReplicaCalcToleranceCMObject", 3, 20666, 20000, 3, None, None),
    ("TestReplicaCalcConfigurableToleranceCMObject", 3, 20666, 20000, 4, None, Tolerances(0.1, 0.01)),
    ("TestReplicaCalcScaleUpOverflow", 3, MAX_INT64, 1, MAX_INT32, None, None),
]


@pytest.mark.parametrize("name,current,usage,target,replicas,readiness,tol", OBJECT_VALUE,
                         ids=[r[0] for r in OBJECT_VALUE])
def test_replica_calc_object_value(name, current, usage, target, replicas, readiness, tol):
    """Object metrics with a Value target (GetObjectMetricReplicas)."""
    got = replicas_for_object_value(current, target, usage, calc_pods(current, readiness=readiness),
                                    tolerances=tol or Tolerances())
    assert (got.replicas, got.value) == (replicas, usage)
    assert got.timestamp == GO_ZERO_TIME  # upstream drops the metric timestamp here


# (Go test, status replicas, usage, per-pod target, expected replicas, expected per-pod usage, tolerances)
OBJECT_PER_POD = [
    ("TestReplicaCalcScaleUpCMPerPodObject", 3, 20000, 5000, 4, 6667, None),
    ("TestReplicaCalcScaleDownPerPodCMObject", 5, 6000, 2000, 3, 1200, None),
    ("TestReplicaCalcTolerancePerPodCMObject", 4, 20166, 5000, 4, 5042, None),
    ("TestReplicaCalcConfigurableTolerancePerPodCMObject", 4, 20208, 5000, 5, 5052, Tolerances(0.1, 0.01)),
]


@pytest.mark.parametrize("name,status,usage,target,replicas,per_pod,tol", OBJECT_PER_POD,
                         ids=[r[0] for r in OBJECT_PER_POD])
def test_replica_calc_object_per_pod(name, status, usage, target, replicas, per_pod, tol):
    """Object metrics with an AverageValue target (GetObjectPerPodMetricReplicas)."""
    got = replicas_for_object_per_pod(status, target, usage, tolerances=tol or Tolerances())
    assert (got.replicas, got.value) == (replicas, per_pod)


# (Go test, current, values, target, expected replicas, expected usage, readiness, tolerances)
EXTERNAL_VALUE = [
    ("TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods", 3, [8600], 4400, 2, 8600, [F, T, F], None),
    ("TestReplicaCalcScaleDownCMExternal", 5, [8600], 14334, 3, 8600, None, None),
    ("TestReplicaCalcToleranceCMExternal", 3, [8600], 8888, 3, 8600, None, None),
    ("TestReplicaCalcConfigurableToleranceCMExternal", 3, [8900], 8800, 4, 8900, None, Tolerances(0.1, 0.01)),
    ("TestReplicaCalcExternalMetricUsageOverflow", 3, [MAX_INT64 // 2 + 1, MAX_INT64 // 2 + 1], MAX_INT64, 3,
     MAX_INT64, None, None),
]


@pytest.mark.parametrize("name,current,values,target,replicas,usage,readiness,tol", EXTERNAL_VALUE,
                         ids=[r[0] for r in EXTERNAL_VALUE])
def test_replica_calc_external_value(name, current, values, target, replicas, usage, readiness, tol):
    """External metrics with a Value target (GetExternalMetricReplicas)."""
    got = replicas_for_external_value(current, target, values, calc_pods(current, readiness=readiness),
                                      tolerances=tol or Tolerances())
    assert (got.replicas, got.value) == (replicas, usage)


# (Go test, status replicas, values, per-pod target, expected replicas, expected per-pod usage, tolerances)
EXTERNAL_PER_POD = [
    ("TestReplicaCalcScaleUpPerPodCMExternal", 3, [8600], 2150, 4, 2867, None),
    ("TestReplicaCalcScaleDownPerPodCMExternal", 5, [8600], 2867, 3, 1720, None),
    ("TestReplicaCalcTolerancePerPodCMExternal", 3, [8600], 2900, 3, 2867, None),
    ("TestReplicaCalcConfigurableTolerancePerPodCMExternal", 3, [8600], 2800, 4, 2867, Tolerances(0.1, 0.01)),
    ("TestExternalPerPodMetricReplicaOverflow", 1, [MAX_INT64], 1, MAX_INT32, MAX_INT64, None),
    ("TestExternalPerPodMetricUsageOverflow", 1, [MAX_INT64], MAX_INT64, 1, MAX_INT64, None),
]


@pytest.mark.parametrize("name,status,values,target,replicas,per_pod,tol", EXTERNAL_PER_POD,
                         ids=[r[0] for r in EXTERNAL_PER_POD])
def test_replica_calc_external_per_pod(name, status, values, target, replicas, per_pod, tol):
    """External metrics with an AverageValue target (GetExternalPerPodMetricReplicas)."""
    got = replicas_for_external_per_pod(status, target, values, tolerances=tol or Tolerances())
    assert (got.replicas, got.value) == (replicas, per_pod)


# -- groupPods ---------------------------------------------------------------


def _pod(name, phase="Succeeded", start=None, ready=None, transition=GO_ZERO_TIME, deleted=False):
    return PodInfo(name=name, phase=phase, ready=ready, ready_transition_time=transition, start_time=start,
                   deleted=deleted)


# (TestGroupPods row, pods, metrics, resource, ready count, unready, missing, ignored)
GROUP_PODS = [
    ("void", [], {}, "cpu", 0, set(), set(), set()),
    ("count in a ready pod - memory", [_pod("bentham")], {"bentham": PodMetric(1, NOW, 60)}, "memory", 1, set(),
     set(), set()),
    ("unready a pod without ready condition - CPU", [_pod("lucretius", start=NOW)], {"lucretius": PodMetric(1)},
     "cpu", 0, {"lucretius"}, set(), set()),
    ("count in a ready pod with fresh metrics during initialization period - CPU",
     [_pod("bentham", start=NOW - 60, ready=T, transition=NOW - 30)], {"bentham": PodMetric(1, NOW, 30)}, "cpu", 1,
     set(), set(), set()),
    ("unready a ready pod without fresh metrics during initialization period - CPU",
     [_pod("bentham", start=NOW - 60, ready=T, transition=NOW - 30)], {"bentham": PodMetric(1, NOW, 60)}, "cpu", 0,
     {"bentham"}, set(), set()),
    ("unready an unready pod during initialization period - CPU",
     [_pod("lucretius", start=NOW - 600, ready=F, transition=NOW - 594)], {"lucretius": PodMetric(1)}, "cpu", 0,
     {"lucretius"}, set(), set()),
    ("count in a ready pod without fresh metrics after initialization period - CPU",
     [_pod("bentham", start=NOW - 180, ready=T, transition=NOW - 180)], {"bentham": PodMetric(1, NOW - 120, 60)},
     "cpu", 1, set(), set(), set()),
    ("count in an unready pod that was ready after initialization period - CPU",
     [_pod("lucretius", start=NOW - 600, ready=F, transition=NOW - 540)], {"lucretius": PodMetric(1)}, "cpu", 1,
     set(), set(), set()),
    ("unready pod that has never been ready after initialization period - CPU",
     [_pod("lucretius", start=NOW - 600, ready=F, transition=NOW - 590)], {"lucretius": PodMetric(1)}, "cpu", 1,
     set(), set(), set()),
    ("a missing pod", [_pod("epicurus", start=NOW - 180)], {}, "cpu", 0, set(), {"epicurus"}, set()),
    ("several pods",
     [_pod("lucretius", start=NOW), _pod("niccolo", start=NOW - 180, ready=T, transition=NOW - 180),
      _pod("epicurus", start=NOW - 180)],
     {"lucretius": PodMetric(1), "niccolo": PodMetric(1)}, "cpu", 1, {"lucretius"}, {"epicurus"}, set()),
    ("pending pods are unreadied", [_pod("unscheduled", phase="Pending")], {}, "cpu", 0, {"unscheduled"}, set(),
     set()),
    ("ignore pods with deletion timestamps", [_pod("deleted", phase="Pending", deleted=True)],
     {"deleted": PodMetric(1)}, "cpu", 0, set(), set(), {"deleted"}),
    ("ignore pods in a failed state", [_pod("failed", phase="Failed")], {"failed": PodMetric(1)}, "cpu", 0, set(),
     set(), {"failed"}),
]


@pytest.mark.parametrize("name,pods,metrics,resource,ready,unready,missing,ignored", GROUP_PODS,
                         ids=[r[0] for r in GROUP_PODS])
def test_group_pods(name, pods, metrics, resource, ready, unready, missing, ignored):
    """TestGroupPods/<row>.  Go builds these rows with ``time.Now()`` at slightly
    different instants; here every time is relative to one ``NOW``.  The row
    "unready pod that has never been ready..." expects the pod *ready*: start +
    10s is not strictly after a transition at start + 10s."""
    got = group_pods(pods, metrics, resource, TEST_CPU_INIT, TEST_READINESS_DELAY, NOW)
    assert (got.ready_count, set(got.unready), set(got.missing), set(got.ignored)) == (
        ready, unready, missing, ignored)


# -- calculateRequests ---------------------------------------------------------


def _rpod(containers, init=(), pod_requests=None):
    return PodInfo(name="test-pod", containers=tuple(containers), init_containers=tuple(init),
                   pod_requests=pod_requests)


C1 = ContainerSpec("container1", {"cpu": 100})
C2 = ContainerSpec("container2", {"cpu": 50})

# (TestCalculateRequests row, pods, container, PodLevelResources enabled, expected requests or error text)
CALCULATE_REQUESTS = [
    ("void", [], "", False, {}),
    ("Sum container requests if pod-level feature is disabled", [_rpod([C1, C2])], "", False, {"test-pod": 150}),
    ("Pod-level resources are enabled, but not set: fallback to sum container requests", [_rpod([C1, C2])], "", True,
     {"test-pod": 150}),
    ("Pod-level resources override container requests when feature enabled and pod resources specified",
     [_rpod([C1, C2], pod_requests={"cpu": 800})], "", True, {"test-pod": 800}),
    ("Fail if at least one of the containers is missing requests and pod-level feature/requests are not set",
     [_rpod([ContainerSpec("container1"), C2])], "", False,
     "missing request for cpu in container container1 of Pod test-pod"),
    ("Pod-level resources override missing container requests when feature enabled and pod resources specified",
     [_rpod([ContainerSpec("container1"), C2], pod_requests={"cpu": 800})], "", True, {"test-pod": 800}),
    ("Container: if a container name is specified, calculate requests only for that container", [_rpod([C1, C2])],
     "container1", False, {"test-pod": 100}),
    ("Container: if a container name is specified, calculate requests only for that container and ignore pod-level "
     "requests", [_rpod([C1, C2], pod_requests={"cpu": 800})], "container1", True, {"test-pod": 100}),
    ("pod with restartable init containers",
     [_rpod([C1], init=[ContainerSpec("init-container1", {"cpu": 20}),
                        ContainerSpec("restartable-container1", {"cpu": 50}, restart_policy_always=True)])],
     "", False, {"test-pod": 150}),
]


@pytest.mark.parametrize("name,pods,container,pod_level,expected", CALCULATE_REQUESTS,
                         ids=[r[0] for r in CALCULATE_REQUESTS])
def test_calculate_requests(name, pods, container, pod_level, expected):
    """TestCalculateRequests/<row>."""
    if isinstance(expected, str):
        with pytest.raises(HPAMetricError) as err:
            calculate_requests(pods, container, "cpu", pod_level_resources=pod_level)
        assert str(err.value) == expected
    else:
        assert calculate_requests(pods, container, "cpu", pod_level_resources=pod_level) == expected


def test_calculate_pod_requests_from_containers_non_existent_container():
    """TestCalculatePodRequestsFromContainers_NonExistentContainer."""
    pod = PodInfo(name="test-pod", containers=(ContainerSpec("container1", {"cpu": 100}),))
    with pytest.raises(HPAMetricError) as err:
        calculate_requests([pod], "non-existent-container", "cpu")
    assert str(err.value) == "container non-existent-container not found in Pod test-pod"
