"""HorizontalPodAutoscaler validation and defaulting, transcribed from
upstream ``pkg/apis/autoscaling/validation/validation_test.go``
(``TestValidateHorizontalPodAutoscaler`` success and error cases,
``TestValidateBehaviorInvalid``; the v1.3x file with ``utilpointer`` and
ContainerResource cases) into autoscaling/v2 manifests.

As upstream, each error case calls the validation directly (no defaulting)
and checks that the *first* error contains the case's message.  One row
differs in printing only: upstream prints a ``core.ResourceName`` value
unquoted (``Invalid value: InvalidResource``); kubekit quotes every string.
"""

from __future__ import annotations

import pytest

from kubekit.validation import apply_defaults, check, validate
from kubekit.validation.field import InvalidError

RC = {"kind": "ReplicationController", "name": "myrc"}
CPU70 = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}


def hpa(spec: dict, **meta) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "myautoscaler", "namespace": "default", **meta}, "spec": spec}


def spec(metrics=None, ref=RC, min_replicas=1, max_replicas=5, behavior=None) -> dict:
    out = {"scaleTargetRef": dict(ref), "minReplicas": min_replicas, "maxReplicas": max_replicas}
    if metrics is not None:
        out["metrics"] = metrics
    if behavior is not None:
        out["behavior"] = behavior
    return out


def target(type_, **kw):
    return {"type": type_, **kw}


def container(name="cpu", c="test-application", t=None):
    src = {"target": t or target("Utilization", averageUtilization=70)}
    if name:
        src["name"] = name
    if c:
        src["container"] = c
    return [{"type": "ContainerResource", "containerResource": src}]


SUCCESS = [
    spec([CPU70]),
    spec(),
    spec([{"type": "Resource", "resource": {"name": "cpu", "target": target("AverageValue", averageValue="300m")}}]),
    spec([{"type": "Pods", "pods": {"metric": {"name": "somemetric"},
                                    "target": target("AverageValue", averageValue="300m")}}]),
    spec(container(c="test-container")),
    spec(container(c="test-container", t=target("AverageValue", averageValue="300m"))),
    spec([{"type": "Object", "object": {"describedObject": RC, "metric": {"name": "somemetric"},
                                        "target": target("Value", value="300m")}}]),
    spec([{"type": "External", "external": {"metric": {"name": "somemetric",
                                                       "selector": {"matchLabels": {"label": "value"}}},
                                            "target": target("Value", value="300m")}}]),
    spec([{"type": "External", "external": {"metric": {"name": "somemetric",
                                                       "selector": {"matchLabels": {"label": "value"}}},
                                            "target": target("AverageValue", averageValue="300m")}}]),
]


@pytest.mark.parametrize("s", SUCCESS)
def test_valid_autoscalers(s):
    assert validate(hpa(s), defaults=False) == []


ERRORS = [
    (spec([CPU70], ref={"name": "myrc"}), "scaleTargetRef.kind: Required"),
    (spec(container(), ref={"name": "myrc"}), "scaleTargetRef.kind: Required"),
    (spec([CPU70], ref={"kind": "..", "name": "myrc"}), "scaleTargetRef.kind: Invalid"),
    (spec(container(), ref={"kind": "..", "name": "myrc"}), "scaleTargetRef.kind: Invalid"),
    (spec([CPU70], ref={"kind": "ReplicationController"}), "scaleTargetRef.name: Required"),
    (spec([CPU70], ref={"kind": "ReplicationController", "name": ".."}), "scaleTargetRef.name: Invalid"),
    (spec(ref={}, min_replicas=-1), "must be greater than or equal to 1"),
    (spec(ref={}, min_replicas=7), "must be greater than or equal to `minReplicas`"),
    (spec([{"type": "Resource", "resource": {"name": "cpu", "target": target(
        "Utilization", averageUtilization=70, averageValue="300m")}}]),
     "may not set both a target raw value and a target utilization"),
    (spec(container(t=target("Utilization", averageUtilization=70, averageValue="300m"))),
     "may not set both a target raw value and a target utilization"),
    (spec([{"type": "Resource", "resource": {"target": target("Utilization", averageUtilization=70)}}]),
     "must specify a resource name"),
    (spec(container(name="")), "must specify a resource name"),
    (spec(container(name="InvalidResource")), "must be a standard resource type or fully qualified"),
    (spec([{"type": "Resource", "resource": {"name": "cpu", "target": target(
        "Utilization", averageUtilization=-10)}}]), "must be greater than 0"),
    (spec(container(t=target("Utilization", averageUtilization=-10))), "must be greater than 0"),
    (spec(container(c="", t=target("Utilization", averageUtilization=-10))), "must specify a container"),
    (spec(container(c="---***", t=target("Utilization", averageUtilization=-10))), 'Invalid value: "---***"'),
    (spec([{"type": "Resource", "resource": {"name": "cpu", "target": target("Value")}}]),
     "must set either a target raw value or a target utilization"),
    (spec(container(t=target("Value"))), "must set either a target raw value or a target utilization"),
    (spec([{"type": "Pods", "pods": {"metric": {}, "target": target("Value", averageValue="100m")}}]),
     "must specify a metric name"),
    (spec([{"type": "Pods", "pods": {"metric": {"name": "somemetric"}, "target": target("Value")}}]),
     "must specify a positive target averageValue"),
    (spec([{"type": "Object", "object": {"describedObject": RC, "metric": {"name": "somemetric"},
                                         "target": target("Value")}}]),
     "must set either a target value or averageValue"),
    (spec([{"type": "Object", "object": {"describedObject": {"name": "myrc"}, "metric": {"name": "somemetric"},
                                         "target": target("Value", value="100m")}}]),
     "object.describedObject.kind: Required"),
    # the metric source type
    (spec([{"type": "Foo", "resource": CPU70["resource"]}]), 'type: Unsupported value: "Foo"'),
    (spec([{"resource": CPU70["resource"]}]), "type: Required value: must specify a metric source type"),
    (spec([{"type": "Pods", "resource": CPU70["resource"]}]),
     "spec.metrics[0].pods: Required value: must populate information for the given metric source"),
    (spec([{"type": "External", "external": {"metric": {"name": "m"}, "target": target(
        "Value", value="1", averageValue="1")}}]),
     "may not set both a target value for metric and a per-pod target"),
    (spec([{"type": "Resource", "resource": {"name": "cpu", "target": target("Bogus", averageUtilization=5)}}]),
     "must be either Utilization, Value, or AverageValue"),
]


@pytest.mark.parametrize("s, msg", ERRORS)
def test_invalid_autoscalers(s, msg):
    errs = validate(hpa(s), defaults=False)
    assert errs, msg
    assert msg in str(errs[0])


def test_only_the_given_metric_source_may_be_set():
    errs = validate(hpa(spec([{**CPU70, "pods": {"metric": {"name": "m"},
                                                 "target": target("AverageValue", averageValue="1")}}])),
                    defaults=False)
    assert "spec.metrics[0].resource: Forbidden: must populate the given metric source only" not in map(str, errs)
    assert "spec.metrics[0].pods: Forbidden: must populate the given metric source only" in map(str, errs)


SIMPLE = [{"type": "Pods", "value": 1, "periodSeconds": 1}]

# TestValidateBehaviorInvalid
BEHAVIOR_ERRORS = [
    ({"scaleUp": {"selectPolicy": "Min"}}, "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy"),
    ({"scaleUp": {"stabilizationWindowSeconds": 3601, "selectPolicy": "Min", "policies": SIMPLE}},
     "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600"),
    ({"scaleUp": {"policies": [{"type": "Pods", "value": 7, "periodSeconds": 1801}]}},
     "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800"),
    ({"scaleUp": {"selectPolicy": "incorrect", "policies": [{"type": "Pods", "value": 7, "periodSeconds": 8}]}},
     'spec.behavior.scaleUp.selectPolicy: Unsupported value: "incorrect": supported values: "Disabled", "Max", "Min"'),
    ({"scaleUp": {"policies": [{"type": "hm", "value": 7, "periodSeconds": 8}]}},
     'spec.behavior.scaleUp.policies[0].type: Unsupported value: "hm": supported values: "Percent", "Pods"'),
    ({"scaleUp": {"policies": [{"type": "Pods", "value": 8}]}},
     "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater than zero"),
    ({"scaleUp": {"policies": [{"type": "Pods", "periodSeconds": 8}]}},
     "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero"),
    ({"scaleUp": {"policies": [{"type": "Pods", "periodSeconds": -1, "value": 1}]}},
     "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: -1: must be greater than zero"),
    ({"scaleUp": {"policies": [{"type": "Pods", "periodSeconds": 1, "value": -1}]}},
     "spec.behavior.scaleUp.policies[0].value: Invalid value: -1: must be greater than zero"),
    ({"scaleDown": {"selectPolicy": "Min"}},
     "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy"),
    ({"scaleDown": {"stabilizationWindowSeconds": 3601, "selectPolicy": "Min", "policies": SIMPLE}},
     "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600"),
    ({"scaleDown": {"policies": [{"type": "Percent", "value": 7, "periodSeconds": 1801}]}},
     "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800"),
    ({"scaleDown": {"selectPolicy": "incorrect", "policies": [{"type": "Pods", "value": 7, "periodSeconds": 8}]}},
     'spec.behavior.scaleDown.selectPolicy: Unsupported value: "incorrect": supported values: "Disabled", "Max", "Min"'),
    ({"scaleDown": {"policies": [{"type": "hm", "value": 7, "periodSeconds": 8}]}},
     'spec.behavior.scaleDown.policies[0].type: Unsupported value: "hm": supported values: "Percent", "Pods"'),
    ({"scaleDown": {"policies": [{"type": "Pods", "value": 8}]}},
     "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 0: must be greater than zero"),
    ({"scaleDown": {"policies": [{"type": "Pods", "periodSeconds": 8}]}},
     "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero"),
    ({"scaleDown": {"policies": [{"type": "Pods", "periodSeconds": -1, "value": 1}]}},
     "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: -1: must be greater than zero"),
    ({"scaleDown": {"policies": [{"type": "Pods", "periodSeconds": 1, "value": -1}]}},
     "spec.behavior.scaleDown.policies[0].value: Invalid value: -1: must be greater than zero"),
    # not in the Go table: the lower window bound and the tolerance (HPAConfigurableTolerance)
    ({"scaleDown": {"stabilizationWindowSeconds": -1, "policies": SIMPLE}},
     "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero"),
    ({"scaleUp": {"tolerance": "-0.1", "policies": SIMPLE}},
     'spec.behavior.scaleUp.tolerance: Invalid value: "-100m": must be greater than or equal to 0'),
]


@pytest.mark.parametrize("behavior, msg", BEHAVIOR_ERRORS)
def test_invalid_behaviors(behavior, msg):
    errs = validate(hpa(spec([CPU70], behavior=behavior)), defaults=False)
    assert errs and msg in str(errs[0])


def test_defaults_fill_min_replicas_metrics_and_behavior_rules():
    d = apply_defaults(hpa({"scaleTargetRef": RC, "maxReplicas": 3, "behavior": {"scaleDown": {"policies": []}}}))
    s = d["spec"]
    assert s["minReplicas"] == 1
    assert s["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]
    assert s["behavior"]["scaleUp"] == {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]}
    # a set (even empty) policy list is kept, so validation then refuses it
    assert s["behavior"]["scaleDown"] == {"policies": [], "selectPolicy": "Max"}
    with pytest.raises(InvalidError) as e:
        check(d)
    assert str(e.value) == ('HorizontalPodAutoscaler.autoscaling "myautoscaler" is invalid: '
                            "spec.behavior.scaleDown.policies: Required value: must specify at least one Policy")
    assert "stabilizationWindowSeconds" not in apply_defaults(hpa({**spec(), "behavior": {}}))["spec"]["behavior"][
        "scaleDown"]                               # the controller's flag (300 s) decides


def test_min_replicas_zero_only_when_the_old_object_had_it():
    from kubekit.validation import validate_update

    old = hpa(spec([CPU70]), resourceVersion="1")
    new = hpa(spec([CPU70], min_replicas=0), resourceVersion="1")
    assert "must be greater than or equal to 1" in str(validate_update(new, old, defaults=False)[0])
    old0 = hpa(spec([{"type": "External", "external": {"metric": {"name": "q"}, "target": target(
        "Value", value="1")}}], min_replicas=0), resourceVersion="1")
    assert validate_update(old0, old0, defaults=False) == []
    assert "must specify at least one Object or External metric" in str(
        validate_update(hpa(spec([CPU70], min_replicas=0), resourceVersion="1"), old0, defaults=False)[0])


def test_the_api_server_path_validates_hpas():
    from kubekit.server.api import API, Request
    from kubekit.server.routes import parse_path, resources_from_kinds
    from kubekit.store import APIStore

    store = APIStore()
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})   # admission needs it
    api = API(store)
    table = resources_from_kinds(store.kinds)
    route = parse_path("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", table)
    with pytest.raises(InvalidError, match="spec.maxReplicas: Invalid value: 0: must be greater than 0"):
        api.handle(Request("POST", route, body=hpa(spec(max_replicas=0, min_replicas=None))))
    code, out = api.handle(Request("POST", route, body=hpa({"scaleTargetRef": RC, "maxReplicas": 3})))
    assert code == 201 and out["spec"]["minReplicas"] == 1 and out["spec"]["metrics"][0]["resource"]["name"] == "cpu"
