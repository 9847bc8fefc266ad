"""One reconcile step (:func:`hpa_decide`) against upstream's controller tests.

Transcribed from kubernetes/kubernetes ``pkg/controller/podautoscaler/horizontal_test.go``
(1.33+ text: ``monitor``, ``hpaSelectors``, ``ptr.To``): the *decision* part of
each ``testCase`` -- inputs -> ``expectedDesiredReplicas`` and the expected
conditions (type, status, reason; upstream clears the messages before comparing).
The fixture (pods, metrics, ``scaleUpLimitFactor = 8``, cpu-init 2 min,
readiness delay 10 s) is described in tests/autoscaling/hpa_builders.py.

Not transcribed (they test API plumbing, not the decision): the selector tests
(TestConditionInvalidSelector*, TestCondition*AmbiguousSelector*),
TestConditionFailedGetScale, TestConditionFailedUpdateScale,
TestAvoidUnnecessaryUpdates, TestMultipleHPAs, the event and monitor assertions.
"""

from __future__ import annotations

import math

import pytest

from kubekit.autoscaling import HPAInvalidMetricsError, MetricSpec, MetricTarget

from hpa_builders import COOL, HOT, conditions_of, reconcile, rules, status_ok

T, F = "True", "False"
R, FA = "Running", "Failed"
ONE = "1.0"

QPS_PODS_15 = (MetricSpec("Pods", "qps", MetricTarget.average(15000)), "pods")
QPS_PODS_20 = (MetricSpec("Pods", "qps", MetricTarget.average(20000)), "pods")


def obj(target: MetricTarget):
    return (MetricSpec("Object", "qps", target, described_kind="Deployment", described_name="some-deployment"),
            "object")


def ext(target: MetricTarget, feed="external"):
    return (MetricSpec("External", "qps", target, selector="&LabelSelector{}"), feed)


CHEDDAR = (MetricSpec("CheddarCheese", "", MetricTarget("")), "none")

READY_FOR_NEW_SCALE = ("AbleToScale", "True", "ReadyForNewScale")
GOT_SCALE = ("AbleToScale", "True", "SucceededGetScale")
RESCALED = [("AbleToScale", "True", "SucceededRescale")]


def limited(reason, status="True"):
    return ("ScalingLimited", status, reason)


def inactive(reason):
    return [GOT_SCALE, ("ScalingActive", "False", reason)]


# (Go test, reconcile kwargs, expected desired replicas, expected conditions (None: statusOk))
ROWS = [
    ("TestScaleUp", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, cpu_target=30,
                         levels=[300, 500, 700], cpu_requests=[ONE] * 3), 5, None),
    ("TestScaleUpContainer",
     dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
          metrics=[(MetricSpec("ContainerResource", "cpu", MetricTarget.utilization(30), container="container1"),
                    "resource")],
          levels=[300, 500, 700], cpu_requests=[ONE] * 3), 5, None),
    ("TestScaleUpUnreadyLessScale", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                         cpu_target=30, levels=[300, 500, 700], cpu_requests=[ONE] * 3,
                                         readiness=[F, T, T]), 4, None),
    ("TestScaleUpHotCpuLessScale", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                        cpu_target=30, levels=[300, 500, 700], cpu_requests=[ONE] * 3,
                                        start_times=[HOT, COOL, COOL]), 4, None),
    ("TestScaleUpUnreadyNoScale", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                       cpu_target=30, levels=[400, 500, 700], cpu_requests=[ONE] * 3,
                                       readiness=[T, F, F]), 3, status_ok(READY_FOR_NEW_SCALE)),
    ("TestScaleUpHotCpuNoScale", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                      cpu_target=30, levels=[400, 500, 700], cpu_requests=[ONE] * 3,
                                      readiness=[T, F, F], start_times=[COOL, HOT, HOT]), 3,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestScaleUpIgnoresFailedPods", dict(min_replicas=2, max_replicas=6, spec_replicas=2, status_replicas=2,
                                          cpu_target=30, levels=[500, 700], cpu_requests=[ONE] * 4,
                                          readiness=[T, T, F, F], phases=[R, R, FA, FA]), 4, None),
    ("TestScaleUpIgnoresDeletionPods", dict(min_replicas=2, max_replicas=6, spec_replicas=2, status_replicas=2,
                                            cpu_target=30, levels=[500, 700], cpu_requests=[ONE] * 4,
                                            readiness=[T, T, F, F], phases=[R] * 4,
                                            deleted=[False, False, True, True]), 4, None),
    ("TestScaleUpDeployment (same decision as TestScaleUpReplicaSet)",
     dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, cpu_target=30,
          levels=[300, 500, 700], cpu_requests=[ONE] * 3), 5, None),
    ("TestScaleUpCM", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, metrics=[QPS_PODS_15],
                           levels=[20000, 10000, 30000], cpu_requests=[ONE] * 3), 4, None),
    ("TestScaleUpCMUnreadyAndHotCpuNoLessScale",
     dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, metrics=[QPS_PODS_15],
          levels=[50000, 10000, 30000], readiness=[T, T, F], start_times=[COOL, COOL, HOT], cpu_requests=[ONE] * 3),
     6, None),
    ("TestScaleUpCMUnreadyandCpuHot",
     dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, metrics=[QPS_PODS_15],
          levels=[50000, 15000, 30000], readiness=[F, T, F], start_times=[HOT, COOL, HOT], cpu_requests=[ONE] * 3),
     6, status_ok(limited("TooManyReplicas"))),
    ("TestScaleUpHotCpuNoScaleWouldScaleDown",
     dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, metrics=[QPS_PODS_15],
          levels=[50000, 15000, 30000], start_times=[HOT, COOL, HOT], cpu_requests=[ONE] * 3),
     6, status_ok(limited("TooManyReplicas"))),
    ("TestScaleUpCMObject", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                 metrics=[obj(MetricTarget.total(15000))], levels=[20000]), 4, None),
    ("TestScaleUpFromZeroCMObject", dict(min_replicas=0, max_replicas=6, spec_replicas=0, status_replicas=0,
                                         metrics=[obj(MetricTarget.total(15000))], levels=[20000]), 2, None),
    ("TestScaleUpFromZeroIgnoresToleranceCMObject",
     dict(min_replicas=0, max_replicas=6, spec_replicas=0, status_replicas=0,
          metrics=[obj(MetricTarget.total(1000))], levels=[1000]), 1, None),
    ("TestScaleUpPerPodCMObject", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                       metrics=[obj(MetricTarget.average(10000))], levels=[40000]), 4, None),
    ("TestScaleUpCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                   metrics=[ext(MetricTarget.total(6666))], levels=[8600]), 4, None),
    ("TestScaleUpPerPodCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                         metrics=[ext(MetricTarget.average(2222))], levels=[8600]), 4, None),
    ("TestScaleDown", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
                           levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5, recommendations=[]), 3, None),
    ("TestScaleDownContainerResource",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
          metrics=[(MetricSpec("ContainerResource", "cpu", MetricTarget.utilization(50), container="container2"),
                    "resource")],
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5, recommendations=[]), 3, None),
    ("TestScaleDownWithScalingRules",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          scale_up_rules=rules(0, 0, 100, 15, 30), levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5,
          recommendations=[]), 3, None),
    ("TestScaleUpOneMetricInvalid", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                         cpu_target=30, metrics=[CHEDDAR], levels=[300, 400, 500],
                                         cpu_requests=[ONE] * 3), 4, None),
    ("TestScaleUpFromZeroOneMetricInvalid",
     dict(min_replicas=0, max_replicas=6, spec_replicas=0, status_replicas=0, cpu_target=30, metrics=[CHEDDAR],
          levels=[300, 400, 500], cpu_requests=[ONE] * 3, recommendations=[]), 4, None),
    ("TestScaleUpBothMetricsEmpty", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                         metrics=[CHEDDAR], levels=[], cpu_requests=[ONE] * 3), 3,
     inactive("InvalidMetricSourceType")),
    ("TestScaleDownStabilizeInitialSize",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5, recommendations=None), 5,
     status_ok(("AbleToScale", "True", "ScaleDownStabilized"))),
    ("TestScaleDownCM", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                             metrics=[QPS_PODS_20], levels=[12000] * 5, cpu_requests=[ONE] * 5, recommendations=[]),
     3, None),
    ("TestScaleDownCMObject", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                   metrics=[obj(MetricTarget.total(20000))], levels=[12000], cpu_requests=[ONE] * 5,
                                   recommendations=[]), 3, None),
    ("TestScaleDownToZeroCMObject", dict(min_replicas=0, max_replicas=6, spec_replicas=5, status_replicas=5,
                                         metrics=[obj(MetricTarget.total(20000))], levels=[0], cpu_requests=[ONE] * 5,
                                         recommendations=[]), 0, None),
    ("TestScaleDownPerPodCMObject", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                         metrics=[obj(MetricTarget.average(20000))], levels=[60000],
                                         cpu_requests=[ONE] * 5, recommendations=[]), 3, None),
    ("TestScaleDownCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                     metrics=[ext(MetricTarget.total(14400))], levels=[8600], recommendations=[]),
     3, None),
    ("TestScaleDownToZeroCMExternal", dict(min_replicas=0, max_replicas=6, spec_replicas=5, status_replicas=5,
                                           metrics=[ext(MetricTarget.total(14400))], levels=[0], recommendations=[]),
     0, None),
    ("TestScaleDownPerPodCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                           metrics=[ext(MetricTarget.average(3000))], levels=[8600],
                                           recommendations=[]), 3, None),
    ("TestScaleDownIncludeUnreadyPods",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5, readiness=[T, T, T, F, F], recommendations=[]),
     2, None),
    ("TestScaleDownIgnoreHotCpuPods",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5, start_times=[COOL, COOL, COOL, HOT, HOT],
          recommendations=[]), 2, None),
    ("TestScaleDownIgnoresFailedPods",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 7, readiness=[T] * 5 + [F, F],
          phases=[R] * 5 + [FA, FA], recommendations=[]), 3, None),
    ("TestScaleDownIgnoresDeletionPods",
     dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
          levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 7, readiness=[T] * 5 + [F, F], phases=[R] * 7,
          deleted=[False] * 5 + [True, True], recommendations=[]), 3, None),
    ("TestTolerance", dict(min_replicas=1, max_replicas=5, spec_replicas=3, status_replicas=3, cpu_target=100,
                           levels=[1010, 1030, 1020], cpu_requests=["0.9", "1.0", "1.1"]), 3,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestToleranceCM", dict(min_replicas=1, max_replicas=5, spec_replicas=3, status_replicas=3,
                             metrics=[QPS_PODS_20], levels=[20000, 20001, 21000],
                             cpu_requests=["0.9", "1.0", "1.1"]), 3, status_ok(READY_FOR_NEW_SCALE)),
    ("TestToleranceCMObject", dict(min_replicas=1, max_replicas=5, spec_replicas=3, status_replicas=3,
                                   metrics=[obj(MetricTarget.total(20000))], levels=[20050],
                                   cpu_requests=["0.9", "1.0", "1.1"]), 3, status_ok(READY_FOR_NEW_SCALE)),
    ("TestToleranceCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4,
                                     metrics=[ext(MetricTarget.total(8666))], levels=[8600]), 4,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestTolerancePerPodCMObject", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4,
                                         metrics=[obj(MetricTarget.average(2200))], levels=[8600]), 4,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestTolerancePerPodCMExternal", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4,
                                           metrics=[ext(MetricTarget.average(2200))], levels=[8600]), 4,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestMinReplicas", dict(min_replicas=2, max_replicas=5, spec_replicas=3, status_replicas=3, cpu_target=90,
                             levels=[10, 95, 10], cpu_requests=["0.9", "1.0", "1.1"], recommendations=[]), 2,
     status_ok(limited("TooFewReplicas"))),
    ("TestZeroMinReplicasDesiredZero", dict(min_replicas=0, max_replicas=5, spec_replicas=3, status_replicas=3,
                                            cpu_target=90, levels=[0, 0, 0], cpu_requests=["0.9", "1.0", "1.1"],
                                            recommendations=[]), 0, status_ok(limited("DesiredWithinRange", "False"))),
    ("TestMinReplicasDesiredZero", dict(min_replicas=2, max_replicas=5, spec_replicas=3, status_replicas=3,
                                        cpu_target=90, levels=[0, 0, 0], cpu_requests=["0.9", "1.0", "1.1"],
                                        recommendations=[]), 2, status_ok(limited("TooFewReplicas"))),
    ("TestZeroReplicas", dict(min_replicas=3, max_replicas=5, spec_replicas=0, status_replicas=0, cpu_target=90,
                              levels=[], cpu_requests=[]), 0, inactive("ScalingDisabled")),
    ("TestTooFewReplicas", dict(min_replicas=3, max_replicas=5, spec_replicas=2, status_replicas=2, cpu_target=90,
                                levels=[], cpu_requests=[]), 3, RESCALED),
    ("TestTooManyReplicas", dict(min_replicas=3, max_replicas=5, spec_replicas=10, status_replicas=10, cpu_target=90,
                                 levels=[], cpu_requests=[]), 5, RESCALED),
    ("TestMaxReplicas", dict(min_replicas=2, max_replicas=5, spec_replicas=3, status_replicas=3, cpu_target=90,
                             levels=[8000, 9500, 1000], cpu_requests=["0.9", "1.0", "1.1"]), 5,
     status_ok(limited("TooManyReplicas"))),
    ("TestSuperfluousMetrics", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4,
                                    cpu_target=100, levels=[4000, 9500, 3000, 7000, 3200, 2000],
                                    cpu_requests=[ONE] * 4), 6, status_ok(limited("TooManyReplicas"))),
    ("TestMissingMetrics", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4, cpu_target=100,
                                levels=[400, 95], cpu_requests=[ONE] * 4, recommendations=[]), 3, None),
    ("TestEmptyMetrics", dict(min_replicas=2, max_replicas=6, spec_replicas=4, status_replicas=4, cpu_target=100,
                              levels=[], cpu_requests=[ONE] * 4), 4, inactive("FailedGetResourceMetric")),
    ("TestEmptyCPURequest", dict(min_replicas=1, max_replicas=5, spec_replicas=1, status_replicas=1,
                                 cpu_target=100, levels=[200], cpu_requests=[]), 1,
     inactive("FailedGetResourceMetric")),
    ("TestEventCreated", dict(min_replicas=1, max_replicas=5, spec_replicas=1, status_replicas=1, cpu_target=50,
                              levels=[200], cpu_requests=["0.2"]), 2, None),
    ("TestEventNotCreated", dict(min_replicas=1, max_replicas=5, spec_replicas=2, status_replicas=2, cpu_target=50,
                                 levels=[200, 200], cpu_requests=["0.4", "0.4"]), 2, status_ok(READY_FOR_NEW_SCALE)),
    ("TestMissingReports", dict(min_replicas=1, max_replicas=5, spec_replicas=4, status_replicas=4, cpu_target=50,
                                levels=[200], cpu_requests=["0.2"], recommendations=[]), 2, None),
    ("TestUpscaleCap", dict(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3,
                            scale_up_rules=rules(0, 0, 700, 60, 0), cpu_target=10, levels=[100, 200, 300],
                            cpu_requests=["0.1"] * 3), 24, status_ok(limited("ScaleUpLimit"))),
    ("TestUpscaleCapGreaterThanMaxReplicas",
     dict(min_replicas=1, max_replicas=20, spec_replicas=3, status_replicas=3, scale_up_rules=rules(0, 0, 700, 60, 0),
          cpu_target=10, levels=[100, 200, 300], cpu_requests=["0.1"] * 3), 20, status_ok(limited("TooManyReplicas"))),
    ("TestMoreReplicasThanSpecNoScale", dict(min_replicas=1, max_replicas=8, spec_replicas=4, status_replicas=5,
                                             cpu_target=50, levels=[500] * 5, cpu_requests=["1"] * 5), 4,
     status_ok(READY_FOR_NEW_SCALE)),
    ("TestScaleUpOneMetricEmpty", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                       cpu_target=30, metrics=[ext(MetricTarget.total(100), "external-error")],
                                       levels=[300, 400, 500], cpu_requests=[ONE] * 3), 4, None),
    ("TestNoScaleDownOneMetricInvalid", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                             cpu_target=50, metrics=[CHEDDAR], levels=[100, 300, 500, 250, 250],
                                             cpu_requests=[ONE] * 5, recommendations=[]), 5,
     inactive("InvalidMetricSourceType")),
    ("TestNoScaleDownOneMetricEmpty", dict(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5,
                                           cpu_target=50, metrics=[ext(MetricTarget.total(1000), "external-error")],
                                           levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5,
                                           recommendations=[]), 5, inactive("FailedGetExternalMetric")),
    ("TestConditionFailedGetMetrics/FailedGetResourceMetric",
     dict(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3, cpu_target=10, levels=[100, 200, 300],
          cpu_requests=["0.1"] * 3, fetch_error="something went wrong"), 3, inactive("FailedGetResourceMetric")),
    ("TestConditionFailedGetMetrics/FailedGetPodsMetric",
     dict(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3, metrics=[QPS_PODS_15],
          levels=[100, 200, 300], cpu_requests=["0.1"] * 3, fetch_error="something went wrong"), 3,
     inactive("FailedGetPodsMetric")),
    ("TestConditionFailedGetMetrics/FailedGetObjectMetric",
     dict(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3, metrics=[obj(MetricTarget.total(15000))],
          levels=[100, 200, 300], cpu_requests=["0.1"] * 3, fetch_error="something went wrong"), 3,
     inactive("FailedGetObjectMetric")),
    ("TestConditionFailedGetMetrics/FailedGetExternalMetric",
     dict(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3, metrics=[ext(MetricTarget.total(300))],
          levels=[100, 200, 300], cpu_requests=["0.1"] * 3, fetch_error="something went wrong"), 3,
     inactive("FailedGetExternalMetric")),
    ("TestConditionInvalidSourceType", dict(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3,
                                            metrics=[CHEDDAR], levels=[20000]), 3,
     inactive("InvalidMetricSourceType")),
    ("TestNoBackoffUpscaleCM", dict(min_replicas=1, max_replicas=5, spec_replicas=3, status_replicas=3,
                                    metrics=[QPS_PODS_15], levels=[20000, 10000, 30000], cpu_requests=[ONE] * 3), 4,
     status_ok(READY_FOR_NEW_SCALE, ("AbleToScale", "True", "SucceededRescale"), limited("DesiredWithinRange", "False"))),
    ("TestNoBackoffUpscaleCMNoBackoffCpu",
     dict(min_replicas=1, max_replicas=5, spec_replicas=3, status_replicas=3, cpu_target=10, metrics=[QPS_PODS_15],
          levels=[20000, 10000, 30000], cpu_requests=[ONE] * 3), 5,
     status_ok(READY_FOR_NEW_SCALE, ("AbleToScale", "True", "SucceededRescale"), limited("TooManyReplicas"))),
    ("TestStabilizeDownscale",
     dict(min_replicas=1, max_replicas=5, spec_replicas=4, status_replicas=4, cpu_target=100, levels=[50, 50, 50],
          cpu_requests=["0.1"] * 3, recommendations="stabilize-downscale"), 4,
     status_ok(READY_FOR_NEW_SCALE, ("AbleToScale", "True", "ScaleDownStabilized"))),
    ("TestScaleUpRCImmediately", dict(min_replicas=2, max_replicas=6, spec_replicas=1, status_replicas=1,
                                      levels=[0, 0, 0, 0], cpu_requests=[ONE] * 4), 2, RESCALED),
    ("TestScaleDownRCImmediately", dict(min_replicas=2, max_replicas=5, spec_replicas=6, status_replicas=6,
                                        cpu_target=50, levels=[8000, 9500, 1000],
                                        cpu_requests=["0.9", "1.0", "1.1"]), 5, RESCALED),
]


def _kwargs(kw):
    kw = dict(kw)
    if kw.get("recommendations") == "stabilize-downscale":
        from kubekit.autoscaling import TimestampedRecommendation

        from hpa_builders import NOW

        kw["recommendations"] = [TimestampedRecommendation(10, NOW - 600), TimestampedRecommendation(4, NOW - 60)]
    return kw


@pytest.mark.parametrize("name,kwargs,desired,conditions", ROWS, ids=[r[0] for r in ROWS])
def test_reconcile_row(name, kwargs, desired, conditions):
    """horizontal_test.go <name>: expectedDesiredReplicas and expectedConditions."""
    decision = reconcile(**_kwargs(kwargs))
    assert decision.desired_replicas == desired
    assert conditions_of(decision) == (conditions if conditions is not None else status_ok())
    assert decision.rescale == (desired != kwargs["spec_replicas"])


def test_computed_tolerance_alg_implementation():
    """TestComputedToleranceAlgImplementation (the controller version), with the
    Go test's own arithmetic: a minimal scale-down, then none inside the band."""
    start_pods = 10
    total_used = start_pods * 150
    total_requested = 2 * total_used
    requested_to_used = float(total_requested // total_used)
    per_pod = total_requested // start_pods
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.01
    used_ratio = float(total_used) / float(float(total_requested) * target)
    final_pods = math.ceil(used_ratio * float(start_pods))
    requests = [f"{per_pod + d}m" for d in (100, -100, 10, -10, 2, -2, 1, -1, 0, 0)]
    common = dict(min_replicas=0, max_replicas=1000, spec_replicas=start_pods, status_replicas=start_pods,
                  levels=[total_used // 10] * 10, cpu_requests=requests, recommendations=[])
    decision = reconcile(cpu_target=int(target * 100), **common)
    assert decision.desired_replicas == final_pods == 9
    target = abs(1 / (requested_to_used * (1 - 0.1))) + 0.004
    decision = reconcile(cpu_target=int(target * 100), **common)
    assert decision.desired_replicas == start_pods
    assert conditions_of(decision) == status_ok(READY_FOR_NEW_SCALE)


def test_invalid_metric_error_text():
    """computeReplicasForMetrics' error for TestNoScaleDownOneMetricInvalid:
    ``invalid metrics (1 invalid out of 2), first error is: unknown metric source type "CheddarCheese"``."""
    decision = reconcile(min_replicas=2, max_replicas=6, spec_replicas=5, status_replicas=5, cpu_target=50,
                         metrics=[CHEDDAR], levels=[100, 300, 500, 250, 250], cpu_requests=[ONE] * 5,
                         recommendations=[])
    assert isinstance(decision.error, HPAInvalidMetricsError)
    assert str(decision.error) == (
        'invalid metrics (1 invalid out of 2), first error is: unknown metric source type "CheddarCheese"')
    assert decision.condition("ScalingActive").message == (
        'the HPA was unable to compute the replica count: unknown metric source type "CheddarCheese"')


def test_scale_up_with_one_invalid_metric_reports_the_error():
    """TestScaleUpOneMetricEmpty: the scale-up happens and the reconcile still
    returns the external metric's error."""
    decision = reconcile(min_replicas=2, max_replicas=6, spec_replicas=3, status_replicas=3, cpu_target=30,
                         metrics=[ext(MetricTarget.total(100), "external-error")], levels=[300, 400, 500],
                         cpu_requests=[ONE] * 3)
    assert decision.desired_replicas == 4
    assert decision.error is not None
    assert str(decision.error) == (
        "invalid metrics (1 invalid out of 2), first error is: failed to get qps external metric value: "
        "failed to get external metric qps: unable to get external metric test-namespace/qps/&LabelSelector{}: "
        "something went wrong")
