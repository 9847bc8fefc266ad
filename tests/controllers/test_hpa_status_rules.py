"""Table tests of the HPA controller's pure parts: the status it writes
(``setConditionInList``, ``setStatus``, the MetricStatus of each source), the
texts of its metric Events, and the manifest conversions."""

from __future__ import annotations

import pytest

from kubekit.autoscaling.hpa_errors import HPAMetricError
from kubekit.autoscaling.hpa_types import (
    GO_ZERO_TIME,
    Condition,
    ContainerSpec,
    HPAScalingPolicy,
    MetricProposal,
    MetricSpec,
    MetricTarget,
    ReplicaResult,
)
from kubekit.controllers.hpa_inputs import go_selector_text, hpa_spec_of, pod_info_of
from kubekit.controllers.hpa_status import hpa_status, metric_error_text, metric_status, set_condition

T0, T1 = "2026-01-01T00:00:00Z", "2026-01-01T00:00:15Z"


def test_set_condition_moves_the_transition_time_only_on_a_status_change():
    first = set_condition([], Condition("AbleToScale", "True", "A", "a"), T0)
    assert first == [{"type": "AbleToScale", "lastTransitionTime": T0, "status": "True", "reason": "A", "message": "a"}]
    same = set_condition(first, Condition("AbleToScale", "True", "B", "b"), T1)
    assert same[0]["lastTransitionTime"] == T0 and same[0]["reason"] == "B"
    flipped = set_condition(same, Condition("AbleToScale", "False", "C", "c"), T1)
    assert flipped[0]["lastTransitionTime"] == T1
    two = set_condition(flipped, Condition("ScalingActive", "True", "D", "d"), T1)
    assert [c["type"] for c in two] == ["AbleToScale", "ScalingActive"]
    assert first[0]["reason"] == "A"                          # inputs are not mutated


def test_hpa_status_keeps_what_upstream_keeps():
    old = {"currentReplicas": 2, "desiredReplicas": 5, "lastScaleTime": T0,
           "conditions": [{"type": "ScalingLimited", "status": "True", "reason": "X", "message": "x",
                           "lastTransitionTime": T0}]}
    kept = hpa_status(old, current_replicas=3, desired_replicas=None, current_metrics=None,
                      conditions=[Condition("ScalingActive", "False", "R", "m")], now=T1, rescaled=False)
    assert kept["desiredReplicas"] == 5 and kept["lastScaleTime"] == T0
    assert [c["type"] for c in kept["conditions"]] == ["ScalingLimited", "ScalingActive"]
    assert "currentMetrics" not in kept
    moved = hpa_status(old, current_replicas=3, desired_replicas=6, current_metrics=[{"type": ""}], conditions=[],
                       now=T1, rescaled=True)
    assert (moved["desiredReplicas"], moved["lastScaleTime"]) == (6, T1)
    # upstream's setStatus builds the status anew without observedGeneration: an old one is not kept
    assert "observedGeneration" not in hpa_status({**old, "observedGeneration": 4}, current_replicas=3,
                                                  desired_replicas=None, current_metrics=None, conditions=[],
                                                  now=T1, rescaled=False)


def _proposal(replicas=3, utilization=None, value=0):
    return MetricProposal(ReplicaResult(replicas, utilization, value, GO_ZERO_TIME), "m")


@pytest.mark.parametrize("metric, result, expected", [
    ({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
     _proposal(utilization=90, value=450),
     {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 90, "averageValue": "450m"}}}),
    ({"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}},
     _proposal(value=2 * 1024**3 * 1000),
     {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "2147483648"}}}),
    ({"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                         "target": {"type": "Utilization", "averageUtilization": 60}}},
     _proposal(utilization=30, value=1500),
     {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                         "current": {"averageUtilization": 30, "averageValue": "1500m"}}}),
    ({"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
     _proposal(value=20_500),
     {"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "20500m"}}}),
    ({"type": "Object", "object": {"describedObject": {"kind": "Ingress", "name": "i"}, "metric": {"name": "rps"},
                                   "target": {"type": "Value", "value": "100"}}},
     _proposal(value=300_000),
     {"type": "Object", "object": {"describedObject": {"kind": "Ingress", "name": "i"}, "metric": {"name": "rps"},
                                   "current": {"value": "300"}}}),
    ({"type": "Object", "object": {"describedObject": {"kind": "Ingress", "name": "i"}, "metric": {"name": "rps"},
                                   "target": {"type": "AverageValue", "averageValue": "100"}}},
     _proposal(value=7000),
     {"type": "Object", "object": {"metric": {"name": "rps"}, "current": {"averageValue": "7"}}}),
    ({"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "Value", "value": "10"}}},
     _proposal(value=25_000),
     {"type": "External", "external": {"metric": {"name": "q"}, "current": {"value": "25"}}}),
    ({"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "AverageValue", "averageValue": "1"}}},
     _proposal(value=3000),
     {"type": "External", "external": {"metric": {"name": "q"}, "current": {"averageValue": "3"}}}),
    ({"type": "Resource", "resource": {"name": "cpu"}}, HPAMetricError("boom"), {"type": ""}),
])
def test_metric_status_per_source(metric, result, expected):
    assert metric_status(metric, result) == expected


@pytest.mark.parametrize("spec, full, event", [
    (MetricSpec("Resource", "cpu", MetricTarget.utilization(50)),
     "failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: x",
     "failed to get cpu utilization: unable to get metrics for resource cpu: x"),
    (MetricSpec("ContainerResource", "cpu", MetricTarget.utilization(50), container="app"),
     "failed to get app container metric value: failed to get cpu utilization: y",
     "failed to get cpu utilization: y"),
    (MetricSpec("Pods", "qps", MetricTarget.average(1)),
     "failed to get pods metric value: unable to get metric qps: z", "unable to get metric qps: z"),
    (MetricSpec("Object", "rps", MetricTarget.average(1)),
     "failed to get object metric value: failed to get rps object metric: unable to get metric rps: w",
     "unable to get metric rps: w"),
    (MetricSpec("External", "q", MetricTarget.total(1)),
     "failed to get q external metric value: failed to get external metric q: unable to get external metric v",
     "unable to get external metric v"),
    (MetricSpec("Foo", "q", MetricTarget.total(1)), 'unknown metric source type "Foo"', 'unknown metric source type "Foo"'),
])
def test_metric_event_text_is_the_unwrapped_error(spec, full, event):
    assert metric_error_text(spec, HPAMetricError(full)) == event


def test_go_selector_text():
    assert go_selector_text(None) == "nil"
    assert go_selector_text({"matchLabels": {"b": "2", "a": "1"},
                             "matchExpressions": [{"key": "k", "operator": "In", "values": ["x", "y"]}]}) == (
        "&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement"
        "{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}")


def test_hpa_spec_of_a_manifest():
    spec = hpa_spec_of({"spec": {
        "maxReplicas": 7, "minReplicas": 2,
        "metrics": [{"type": "Resource", "resource": {"name": "memory",
                                                      "target": {"type": "AverageValue", "averageValue": "1Mi"}}},
                    {"type": "External", "external": {"metric": {"name": "q", "selector": {"matchLabels": {"a": "b"}}},
                                                      "target": {"type": "Value", "value": "1500m"}}}],
        "behavior": {"scaleUp": {"policies": [{"type": "Pods", "value": 2, "periodSeconds": 30}], "tolerance": "0.05"}},
    }})
    assert (spec.max_replicas, spec.min_replicas) == (7, 2)
    assert spec.metrics[0] == MetricSpec("Resource", "memory", MetricTarget("AverageValue", average_value=1048576000))
    assert spec.metrics[1].target.value == 1500 and spec.metrics[1].selector.startswith("&LabelSelector{")
    assert spec.behavior.scale_up.policies == (HPAScalingPolicy("Pods", 2, 30),)
    assert spec.behavior.scale_up.tolerance == 0.05 and spec.behavior.scale_down is None
    defaulted = hpa_spec_of({"spec": {"maxReplicas": 3}})
    assert defaulted.metrics == (MetricSpec("Resource", "cpu", MetricTarget.utilization(80)),)
    assert defaulted.min_replicas is None and defaulted.behavior is None


def test_pod_info_of_a_pod():
    pod = {"metadata": {"name": "p", "deletionTimestamp": "2026-01-01T00:01:00Z"},
           "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "1Ki"}}}],
                    "initContainers": [{"name": "s", "restartPolicy": "Always",
                                        "resources": {"requests": {"cpu": "1"}}}]},
           "status": {"phase": "Running", "startTime": T0,
                      "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": T1}]}}
    info = pod_info_of(pod)
    assert (info.name, info.phase, info.ready, info.deleted) == ("p", "Running", "True", True)
    assert info.ready_transition_time - info.start_time == 15
    assert info.containers == (ContainerSpec("a", {"cpu": 250, "memory": 1024_000}),)
    assert info.init_containers == (ContainerSpec("s", {"cpu": 1000}, restart_policy_always=True),)
    assert info.pod_requests is None
    bare = pod_info_of({"metadata": {"name": "q"}, "spec": {}, "status": {}})
    assert (bare.phase, bare.ready, bare.start_time) == ("Pending", None, None)
