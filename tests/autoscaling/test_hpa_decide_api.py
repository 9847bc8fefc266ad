"""hpa_decide and the public API: tolerance gate, state, error chains.

These are kubekit's own checks of how the upstream pieces compose (the
expected values are derived from upstream's code, not copied from a Go test;
each says which code it follows).
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from kubekit.autoscaling import (
    ContainerSpec,
    ContainerUsage,
    HPABehavior,
    HPAControllerConfig,
    HPADecision,
    HPAMetricError,
    HPAScalingRules,
    HPASpec,
    HPASpecError,
    HPAState,
    MetricInput,
    MetricProposal,
    MetricSpec,
    MetricTarget,
    PodInfo,
    PodMetric,
    PodMetricsSample,
    ReplicaResult,
    TimestampedRecommendation,
    Tolerances,
    hpa_decide,
    replicas_for_external_metric,
    replicas_for_object_metric,
    replicas_for_raw_resource,
    resource_metrics_from_samples,
    tolerances_for_hpa,
)

NOW = 1_700_000_000.0


def _pods(n, request=1000):
    return [PodInfo(name=f"p-{i}", start_time=NOW - 3600, ready_transition_time=NOW - 3600,
                    containers=(ContainerSpec("c", {"cpu": request}),)) for i in range(n)]


def _cpu(target):
    return MetricSpec("Resource", "cpu", MetricTarget.utilization(target))


def test_tolerances_for_hpa_follow_the_feature_gate():
    """tolerancesForHpa: behavior tolerances only with HPAConfigurableTolerance
    (off in 1.34, on by default from 1.35)."""
    behavior = HPABehavior(scale_up=HPAScalingRules(tolerance=0.02), scale_down=HPAScalingRules(tolerance=0.3))
    assert tolerances_for_hpa(behavior, HPAControllerConfig()) == Tolerances(0.3, 0.02)
    assert tolerances_for_hpa(behavior, HPAControllerConfig(hpa_configurable_tolerance=False)) == Tolerances(0.1, 0.1)
    assert tolerances_for_hpa(None, HPAControllerConfig(tolerance=0.2)) == Tolerances(0.2, 0.2)


def test_configurable_tolerance_changes_the_decision():
    """105% of target: inside the default 10% band, outside a 2% scale-up band."""
    pods = _pods(10)
    metrics = {p.name: PodMetric(1050, NOW, 60) for p in pods}
    behavior = HPABehavior(scale_up=HPAScalingRules(tolerance=0.02))
    spec = HPASpec(100, (_cpu(100),), 1, behavior)
    on = hpa_decide(spec, 10, pods, [MetricInput(pod_metrics=metrics)], NOW)
    off = hpa_decide(spec, 10, pods, [MetricInput(pod_metrics=metrics)], NOW,
                     config=HPAControllerConfig(hpa_configurable_tolerance=False))
    assert (on.desired_replicas, off.desired_replicas) == (11, 10)


def test_first_decision_records_the_current_count_and_holds_a_scale_down():
    """recordInitialRecommendation: with no history, ``(current, now)`` is
    recorded first, so the first scale-down is held for the window (legacy and
    default behavior alike)."""
    pods = _pods(4)
    metrics = {p.name: PodMetric(100, NOW, 60) for p in pods}
    for behavior in (None, HPABehavior()):
        spec = HPASpec(10, (_cpu(50),), 1, behavior)
        d = hpa_decide(spec, 4, pods, [MetricInput(pod_metrics=metrics)], NOW)
        assert d.desired_replicas == 4
        assert d.condition("AbleToScale").reason == "ScaleDownStabilized"
        assert [r.recommendation for r in d.state.recommendations] == [4, 1]
        later = hpa_decide(spec, 4, pods, [MetricInput(pod_metrics=metrics)], NOW + 301, state=d.state)
        assert later.desired_replicas == 1


def test_scale_events_are_stored_only_with_a_behavior():
    pods = _pods(2)
    metrics = {p.name: PodMetric(2000, NOW, 60) for p in pods}
    legacy = hpa_decide(HPASpec(10, (_cpu(50),), 1), 2, pods, [MetricInput(pod_metrics=metrics)], NOW,
                        state=HPAState(()))
    assert legacy.desired_replicas == 4 and legacy.state.scale_up_events == ()
    behavior = hpa_decide(HPASpec(10, (_cpu(50),), 1, HPABehavior()), 2, pods, [MetricInput(pod_metrics=metrics)],
                          NOW, state=HPAState(()))
    assert behavior.desired_replicas == 6  # max(2 + 4, 2 * 2) per 15 s
    assert [(e.replica_change, e.timestamp) for e in behavior.state.scale_up_events] == [(4, NOW)]
    assert behavior.condition("ScalingLimited").reason == "ScaleUpLimit"
    assert behavior.rescale_reason == "cpu resource utilization (percentage of request) above target"


def test_resource_error_chain_is_upstreams():
    """computeReplicasForMetric + computeStatusForResourceMetricGeneric +
    GetResourceReplicas wrap the metrics client's error in this order."""
    d = hpa_decide(HPASpec(6, (_cpu(100),), 2), 4, _pods(4), [MetricInput(pod_metrics=[])], NOW)
    assert d.desired_replicas == 4 and not d.rescale
    assert str(d.error.first) == (
        "failed to get cpu resource metric value: failed to get cpu utilization: "
        "unable to get metrics for resource cpu: no metrics returned from resource metrics API")
    assert d.condition("ScalingActive").reason == "FailedGetResourceMetric"


def test_fetch_error_chains_per_metric_type():
    """The wrapping of a metrics-API failure, per source type, as the nested
    ``fmt.Errorf`` calls of computeReplicasForMetric / computeStatusFor*Metric /
    the ReplicaCalculator build it."""
    from hpa_builders import reconcile

    def first_error(**kw):
        d = reconcile(min_replicas=1, max_replicas=100, spec_replicas=3, status_replicas=3, levels=[100, 200, 300],
                      cpu_requests=["0.1"] * 3, fetch_error="boom", **kw)
        return str(d.error.first)

    assert first_error(cpu_target=10) == (
        "failed to get cpu resource metric value: failed to get cpu utilization: "
        "unable to get metrics for resource cpu: boom")
    assert first_error(metrics=[(MetricSpec("Pods", "qps", MetricTarget.average(15000)), "pods")]) == (
        "failed to get pods metric value: unable to get metric qps: boom")
    assert first_error(metrics=[(MetricSpec("Object", "qps", MetricTarget.total(15000), described_kind="Deployment",
                                            described_name="some-deployment"), "object")]) == (
        "failed to get object metric value: unable to get metric qps: Deployment on test-namespace "
        "some-deployment/boom")
    assert first_error(metrics=[(MetricSpec("Object", "qps", MetricTarget.average(15000), described_kind="Deployment",
                                            described_name="some-deployment"), "object")]) == (
        "failed to get object metric value: failed to get qps object metric: unable to get metric qps: "
        "Deployment on test-namespace some-deployment/boom")
    assert first_error(metrics=[(MetricSpec("External", "qps", MetricTarget.average(300), selector="sel"),
                                 "external")]) == (
        "failed to get qps external metric value: failed to get qps external metric: "
        "unable to get external metric test-namespace/qps/sel: boom")
    assert first_error(metrics=[(MetricSpec("Resource", "memory", MetricTarget.average(300)), "resource")]) == (
        "failed to get memory resource metric value: failed to get memory usage: "
        "unable to get metrics for resource memory: boom")


def test_container_metric_missing_container():
    """Newest metrics client: a pod without the container is skipped (missing);
    older releases failed the call, which ``missing_container_is_error`` keeps."""
    samples = [PodMetricsSample("p-0", (ContainerUsage("a", {"cpu": 5}),), NOW),
               PodMetricsSample("p-1", (ContainerUsage("b", {"cpu": 7}),), NOW)]
    got, ts = resource_metrics_from_samples(samples, "cpu", "b")
    assert got == {"p-1": PodMetric(7, NOW, 60.0)} and ts == NOW
    with pytest.raises(HPAMetricError) as err:
        resource_metrics_from_samples(samples, "cpu", "b", missing_container_is_error=True, namespace="ns")
    assert str(err.value) == "failed to get container metrics: container b not present in metrics for pod ns/p-0"


def test_pod_scope_metric_is_missing_when_a_container_lacks_the_resource():
    """getPodMetrics: one container without the resource makes the pod missing."""
    samples = [PodMetricsSample("p-0", (ContainerUsage("a", {"cpu": 5}), ContainerUsage("b", {})), NOW),
               PodMetricsSample("p-1", (), NOW),
               PodMetricsSample("p-2", (ContainerUsage("a", {"cpu": 5}), ContainerUsage("b", {"cpu": 6})), NOW)]
    got, _ = resource_metrics_from_samples(samples, "cpu")
    assert got == {"p-2": PodMetric(11, NOW, 60.0)}


def test_raw_resource_average_value():
    """GetRawResourceReplicas / calcPlainMetricReplicas: an AverageValue target
    on memory (readiness not examined): 3 pods at 600Mi-ish against 400 ->
    ceil(1.5 * 3)."""
    pods = _pods(3)
    metrics = {p.name: PodMetric(600, NOW, 60) for p in pods}
    got = replicas_for_raw_resource(3, 400, "memory", pods, metrics, NOW)
    assert (got.replicas, got.utilization, got.value, got.timestamp) == (5, None, 600, NOW)


def test_object_and_external_dispatch():
    """computeStatusForObjectMetric / computeStatusForExternalMetric: which
    calculator and which replica count each target uses."""
    pods = _pods(3)
    assert replicas_for_object_metric(3, 5, MetricTarget.total(10000), 20000, pods).replicas == 6
    assert replicas_for_object_metric(3, 5, MetricTarget.average(10000), 20000, pods).replicas == 2
    assert replicas_for_external_metric(3, 5, MetricTarget.average(1000), [3000, 1000], pods).replicas == 4
    with pytest.raises(HPASpecError):
        replicas_for_object_metric(3, 3, MetricTarget("Utilization", average_utilization=50), 1, pods)
    with pytest.raises(HPAMetricError, match="no metrics returned from external metrics API"):
        replicas_for_external_metric(3, 3, MetricTarget.total(1), [], pods, metric_name="q", namespace="ns")


def test_several_metrics_take_the_highest():
    """computeReplicasForMetrics: the highest proposal and its metric name win."""
    pods = _pods(4)
    cpu = {p.name: PodMetric(500, NOW, 60) for p in pods}
    qps = {p.name: PodMetric(30000, NOW, 60) for p in pods}
    spec = HPASpec(20, (_cpu(50), MetricSpec("Pods", "qps", MetricTarget.average(10000))), 1)
    d = hpa_decide(spec, 4, pods, [MetricInput(pod_metrics=cpu), MetricInput(pod_metrics=qps)], NOW,
                   state=HPAState(()))
    assert d.desired_replicas == 8  # the legacy cap max(2 * 4, 4)
    assert d.condition("ScalingLimited").reason == "ScaleUpLimit"
    assert d.metric_name == "pods metric qps"
    assert [r.result.replicas for r in d.metric_results] == [4, 12]


def test_inputs_are_not_mutated():
    pods = _pods(3)
    metrics = {p.name: PodMetric(100, NOW, 60) for p in pods[:2]}
    before = dict(metrics)
    state = HPAState(())
    hpa_decide(HPASpec(6, (_cpu(50),), 1), 3, pods, [MetricInput(pod_metrics=metrics)], NOW, state=state)
    assert metrics == before and state == HPAState(())


def test_metric_inputs_must_match_specs():
    with pytest.raises(HPASpecError, match="metric_inputs"):
        hpa_decide(HPASpec(6, (_cpu(50),), 1), 3, _pods(3), [], NOW)


@pytest.mark.parametrize("cls", [TimestampedRecommendation, ReplicaResult, MetricProposal, HPAState, HPADecision,
                                 MetricInput])
def test_a_spelled_out_init_is_the_generated_one(cls):
    """The dataclasses built at every decision spell out their ``__init__``
    with their slots' setters (hpa_types.slot_setters): the signature, the
    defaults and the stored values are those of the ``__init__`` the
    dataclass would generate, and the instance stays frozen."""
    twin = dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
        frozen=True, slots=True,
    )
    assert inspect.signature(cls).parameters == inspect.signature(twin).parameters
    values = [object() for _ in dataclasses.fields(cls)]
    built, generated = cls(*values), twin(*values)
    assert [getattr(built, f.name) for f in dataclasses.fields(cls)] == values
    assert [getattr(built, f.name) for f in dataclasses.fields(cls)] == \
        [getattr(generated, f.name) for f in dataclasses.fields(twin)]
    assert cls(*values) == built and hash(cls(*values)) == hash(built)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.__setattr__(dataclasses.fields(cls)[0].name, 1)
    defaults = [f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING]
    required = values[:len(values) - len(defaults)]
    assert [getattr(cls(*required), f.name) for f in dataclasses.fields(cls)] == required + defaults
