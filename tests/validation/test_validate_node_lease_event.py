"""Node (TestValidateNode, TestValidateNodeUpdate in
pkg/apis/core/validation/validation_test.go), Lease (TestValidateLease,
TestValidateLeaseSpec in pkg/apis/coordination/validation/validation_test.go)
and Event (TestValidateEventForCoreV1Events, TestValidateEventForNewV1EventsAPI,
TestValidateEventUpdate in pkg/apis/core/validation/events_test.go)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubekit.validation import InvalidError, check, validate, validate_update


QUALIFIED_NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def node(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}, "spec": spec,
            "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}


def errors(obj: dict[str, Any]) -> list[str]:
    return [str(e) for e in validate(obj)]


def test_valid_node() -> None:
    assert errors(node(taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}],
                       podCIDRs=["10.0.0.0/24", "fd00::/64"])) == []


@pytest.mark.parametrize(
    "case,obj,expected",
    [
        # TestValidateNode "missing-taint-effect", "invalid-taint-effect", "duplicated-taints-with-same-key-effect"
        # (taints are reported under metadata.taints: ValidateNode builds the path from "metadata")
        ("missing taint effect", node(taints=[{"key": "dedicated", "value": "special-user-3"}]),
         ["metadata.taints[0].effect: Required value"]),
        ("invalid taint effect", node(taints=[{"key": "dedicated", "value": "x", "effect": "NoScheduleNoAdmit"}]),
         ['metadata.taints[0].effect: Unsupported value: "NoScheduleNoAdmit": supported values: "NoSchedule", '
          '"PreferNoSchedule", "NoExecute"']),
        ("duplicated taints", node(taints=[{"key": "dedicated", "value": "a", "effect": "NoSchedule"},
                                           {"key": "dedicated", "value": "b", "effect": "NoSchedule"}]),
         ['metadata.taints[1]: Duplicate value: {"Key":"dedicated","Value":"b","Effect":"NoSchedule","TimeAdded":null}: '
          "taints must be unique by key and effect pair"]),
        ("same key, other effect", node(taints=[{"key": "dedicated", "effect": "NoSchedule"},
                                                {"key": "dedicated", "effect": "NoExecute"}]), []),
        # "invalid-podCIDR", "duplicate-pod-cidr", "multi-family podCIDRs"
        ("bad podCIDR", node(podCIDRs=["192.168.0.0"]),
         ['spec.podCIDRs[0]: Invalid value: "192.168.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']),
        ("two IPv4 podCIDRs", node(podCIDRs=["10.0.0.0/24", "10.0.1.0/24"]),
         ['spec.podCIDRs: Invalid value: ["10.0.0.0/24","10.0.1.0/24"]: may specify no more than one CIDR for each IP family']),
        ("duplicate podCIDRs", node(podCIDRs=["10.0.0.0/24", "10.0.0.0/24"]),
         ['spec.podCIDRs: Invalid value: ["10.0.0.0/24","10.0.0.0/24"]: may specify no more than one CIDR for each IP family',
          'spec.podCIDRs[1]: Duplicate value: "10.0.0.0/24"']),
        # ValidateNodeResources: capacity paths are children (status.capacity.<name>)
        # (allocatable defaults to capacity, so it is reported too)
        ("negative capacity", {**node(), "status": {"capacity": {"memory": "-1"}}},
         ['status.capacity.memory: Invalid value: "-1": must be greater than or equal to 0',
          'status.allocatable.memory: Invalid value: "-1": must be greater than or equal to 0']),
        ("fractional extended capacity", {**node(), "status": {"capacity": {"example.com/gpu": "1.5"}}},
         ['status.capacity.example.com/gpu: Invalid value: "1500m": must be an integer',
          'status.allocatable.example.com/gpu: Invalid value: "1500m": must be an integer']),
        # Nodes are cluster-scoped
        ("namespace on a node", {**node(), "metadata": {"name": "n", "namespace": "default"}},
         ["metadata.namespace: Forbidden: not allowed on this type"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_node(case: str, obj: dict[str, Any], expected: list[str]) -> None:
    assert errors(obj) == expected


def test_node_update_rules() -> None:
    # TestValidateNodeUpdate: podCIDRs and providerID only go from "" to a value
    old = check(node(podCIDRs=["10.0.0.0/24"], providerID="aws://1"))
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["spec"].update(podCIDRs=["10.0.1.0/24"], providerID="aws://2")
    assert [str(e) for e in validate_update(new, old)] == [
        'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
        'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]
    taints = copy.deepcopy(old)
    taints["spec"]["taints"] = [{"key": "a", "effect": "NoSchedule"}]
    taints["spec"]["unschedulable"] = True
    assert validate_update(taints, old) == []


def lease(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "kube-scheduler", "namespace": "kube-system"}, "spec": spec}


@pytest.mark.parametrize(
    "case,spec,expected",
    [
        ("valid", {"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 0}, []),
        # TestValidateLeaseSpec
        ("zero duration", {"leaseDurationSeconds": 0},
         ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]),
        ("negative transitions", {"leaseTransitions": -1},
         ["spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"]),
        ("preferredHolder without strategy", {"preferredHolder": "b"},
         ["spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined"]),
        # ValidateCoordinatedLeaseStrategy (called with ".strategy" and appending it again)
        ("unknown strategy", {"strategy": "NewestEmulationVersion"},
         ['spec.strategy.strategy: Unsupported value: "NewestEmulationVersion": supported values: "OldestEmulationVersion"']),
        ("custom strategy", {"strategy": "example.com/Custom"}, []),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_lease(case: str, spec: dict[str, Any], expected: list[str]) -> None:
    assert errors(lease(**spec)) == expected


def test_lease_error_is_qualified_with_its_group() -> None:
    with pytest.raises(InvalidError) as info:
        check(lease(leaseDurationSeconds=-3))
    assert str(info.value) == (
        'Lease.coordination.k8s.io "kube-scheduler" is invalid: spec.leaseDurationSeconds: Invalid value: -3: '
        "must be greater than 0"
    )


def core_event(**fields: Any) -> dict[str, Any]:
    obj = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"},
           "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "Started"}
    obj.update(fields)
    return obj


def new_event(**fields: Any) -> dict[str, Any]:
    obj = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"},
           "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "kubekit.dev/scheduler",
           "reportingInstance": "scheduler-1", "action": "Binding", "reason": "Scheduled", "type": "Normal",
           "regarding": {"kind": "Pod", "name": "p", "namespace": "default"}, "note": "ok"}
    obj.update(fields)
    return obj


@pytest.mark.parametrize(
    "case,obj,expected",
    [
        # TestValidateEventForCoreV1Events
        ("valid v1", core_event(), []),
        ("namespace mismatch", core_event(involvedObject={"kind": "Pod", "name": "p", "namespace": "other"}),
         ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']),
        # v1 keeps legacy validation only: a bad type is accepted
        ("v1 ignores type", core_event(type="Strange"), []),
        ("v1 with eventTime needs reporting fields", core_event(eventTime="2024-01-01T00:00:00.000000Z"),
         # (an empty reportingController also fails IsQualifiedName, as upstream)
         ["reportingController: Required value",
          'reportingController: Invalid value: "": name part must be non-empty',
          f'reportingController: Invalid value: "": {QUALIFIED_NAME_PART}',
          "reportingInstance: Required value", "action: Required value"]),
        # TestValidateEventForNewV1EventsAPI
        ("valid events.k8s.io/v1", new_event(), []),
        ("bad type", new_event(type="Info"), ['type: Invalid value: "": has invalid value: Info']),
        ("deprecated count set", new_event(deprecatedCount=2), ['count: Invalid value: "": needs to be unset']),
        ("note too long", new_event(note="x" * 1025), ['message: Invalid value: "": can have at most 1024 characters']),
        ("series count", new_event(series={"count": 1, "lastObservedTime": "2024-01-01T00:00:00.000000Z"}),
         ['series.count: Invalid value: "": should be at least 2']),
        # IsQualifiedName's wording for 3 segments (newer master's content.IsLabelKey says "a valid label key")
        ("bad reportingController", new_event(reportingController="a/b/c"),
         ['reportingController: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '
          "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
          "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
          "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_event(case: str, obj: dict[str, Any], expected: list[str]) -> None:
    assert errors(obj) == expected


def test_events_v1_update_is_immutable() -> None:
    # TestValidateEventUpdate (events.k8s.io): everything but metadata and series
    old = new_event()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["note"] = "changed"
    new["regarding"] = {"kind": "Pod", "name": "q", "namespace": "default"}
    assert [str(e) for e in validate_update(new, old)] == [
        'involvedObject: Invalid value: {"Kind":"Pod","Namespace":"default","Name":"q","UID":"","APIVersion":"",'
        '"ResourceVersion":"","FieldPath":""}: field is immutable',
        'message: Invalid value: "changed": field is immutable',
    ]
    series = copy.deepcopy(old)
    series["series"] = {"count": 2, "lastObservedTime": "2024-01-01T00:01:00.000000Z"}
    assert validate_update(series, old) == []
