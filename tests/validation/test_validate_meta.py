"""Object metadata and label selectors: rows from
staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta_test.go and
pkg/apis/meta/v1/validation/validation_test.go; messages from objectmeta.go
and meta/v1/validation/validation.go."""

from __future__ import annotations

from typing import Any

import pytest

from kubekit.validation.field import Path
from kubekit.validation.meta import (
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)
from kubekit.validation.names import name_is_dns_subdomain


def meta_errors(meta: dict[str, Any], namespaced: bool = True) -> list[str]:
    return [str(e) for e in validate_object_meta(meta, namespaced, name_is_dns_subdomain, Path("metadata"))]


def ref(uid: str, controller: bool | None = None, **kw: Any) -> dict[str, Any]:
    out = {"apiVersion": "thirdpartyVersion", "kind": "thirdpartyKind", "name": "name", "uid": uid, **kw}
    if controller is not None:
        out["controller"] = controller
    return out


def test_valid_meta() -> None:
    assert meta_errors({"name": "a", "namespace": "ns", "labels": {"app": "x"}, "annotations": {"A/b": "c"}}) == []


def test_name_is_required() -> None:
    assert meta_errors({"namespace": "ns"}) == ["metadata.name: Required value: name or generateName is required"]


def test_generate_name_prefix_may_end_with_a_dash() -> None:
    assert meta_errors({"generateName": "web-", "name": "web-abcde", "namespace": "ns"}) == []
    assert meta_errors({"generateName": "Web-", "name": "web-abcde", "namespace": "ns"})[0].startswith(
        'metadata.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain'
    )


def test_namespace_rules() -> None:
    # TestValidateObjectMetaNamespaces: too long; cluster-scoped kinds may not set one
    long_ns = "a" * 64
    assert meta_errors({"name": "a", "namespace": long_ns}) == [
        f'metadata.namespace: Invalid value: "{long_ns}": must be no more than 63 characters'
    ]
    assert meta_errors({"name": "a", "namespace": "ns"}, namespaced=False) == [
        "metadata.namespace: Forbidden: not allowed on this type"
    ]


def test_owner_references() -> None:
    # TestValidateObjectMetaOwnerReferences "simple controller ref failure - two references with Controller set"
    refs = [ref("1", False), ref("2", True), ref("3", True), ref("4")]
    [err] = meta_errors({"name": "test", "namespace": "test", "ownerReferences": refs})
    assert err == (
        'metadata.ownerReferences: Invalid value: [{"apiVersion":"thirdpartyVersion","kind":"thirdpartyKind",'
        '"name":"name","uid":"1","controller":false},{"apiVersion":"thirdpartyVersion","kind":"thirdpartyKind",'
        '"name":"name","uid":"2","controller":true},{"apiVersion":"thirdpartyVersion","kind":"thirdpartyKind",'
        '"name":"name","uid":"3","controller":true},{"apiVersion":"thirdpartyVersion","kind":"thirdpartyKind",'
        '"name":"name","uid":"4"}]: Only one reference can have Controller set to true. Found "true" in '
        "references for thirdpartyKind/name and thirdpartyKind/name"
    )
    # "missing fields": every field is reported at ownerReferences.<field> (not indexed, as upstream)
    assert meta_errors({"name": "t", "namespace": "t", "ownerReferences": [{}]}) == [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ]
    # BannedOwners: core v1 Events cannot own objects
    [err] = meta_errors({"name": "t", "namespace": "t",
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "1"}]})
    assert err == (
        'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"1"}: '
        "/v1, Kind=Event is disallowed from being an owner"
    )


def test_annotations_size_limit() -> None:
    # TestValidateAnnotations / ValidateAnnotationsSize: 256 KiB of keys and values
    assert meta_errors({"name": "a", "namespace": "n", "annotations": {"a": "x" * (256 * 1024 - 1)}}) == []
    assert meta_errors({"name": "a", "namespace": "n", "annotations": {"a": "x" * (256 * 1024)}}) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]


def test_annotation_keys_are_case_insensitive_qualified_names() -> None:
    assert meta_errors({"name": "a", "namespace": "n", "annotations": {"Example.COM/Key": "v"}}) == []
    assert meta_errors({"name": "a", "namespace": "n", "annotations": {"a b": "v"}})[0].startswith(
        'metadata.annotations: Invalid value: "a b": name part must consist of'
    )


def test_finalizers() -> None:
    # TestValidateFinalizersPreventConflictingFinalizers
    assert meta_errors({"name": "a", "namespace": "n", "finalizers": ["orphan", "foregroundDeletion"]}) == [
        'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and '
        "foregroundDeletion cannot be both set"
    ]
    # validateKubeFinalizerName (core): a bare name must be a standard finalizer
    assert meta_errors({"name": "a", "namespace": "n", "finalizers": ["kubernetes", "example.com/x", "custom"]}) == [
        'metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'
    ]


def test_negative_generation() -> None:
    assert meta_errors({"name": "a", "namespace": "n", "generation": -1}) == [
        "metadata.generation: Invalid value: -1: must be greater than or equal to 0"
    ]


def update_errors(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    return [str(e) for e in validate_object_meta_update(new, old, Path("metadata"))]


def test_meta_update() -> None:
    old = {"name": "a", "namespace": "n", "uid": "u", "resourceVersion": "1", "generation": 2,
           "creationTimestamp": "2024-01-01T00:00:00Z"}
    assert update_errors(dict(old), old) == []
    # TestObjectMetaGenerationUpdate
    assert update_errors(dict(old, generation=1), old) == ["metadata.generation: Invalid value: 1: must not be decremented"]
    # TestValidateObjectMetaUpdateIgnoresCreationTimestamp is about unset vs set; a changed value is immutable
    assert update_errors(dict(old, creationTimestamp="2025-01-01T00:00:00Z"), old) == [
        'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable'
    ]
    # TestValidateObjectMetaUpdatePreventsDeletionFieldMutation
    assert update_errors(dict(old, deletionTimestamp="2024-02-01T00:00:00Z"), old) == [
        'metadata.deletionTimestamp: Invalid value: "2024-02-01T00:00:00Z": field is immutable'
    ]
    assert update_errors(dict(old, namespace="other"), old) == [
        'metadata.namespace: Invalid value: "other": field is immutable'
    ]
    # TestValidateFinalizersUpdate: no new finalizers once deleting
    deleting = dict(old, deletionTimestamp="2024-02-01T00:00:00Z", finalizers=["x/y"])
    assert update_errors(dict(deleting, finalizers=["x/y", "x/z"]), deleting) == [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new '
        'finalizers []string{"x/z"}'
    ]


def test_labels() -> None:
    # TestValidateLabels: keys and values are reported at the map's path
    errs = [str(e) for e in validate_labels({"a" * 64: "v", "k": "v" * 64}, Path("labels"))]
    assert errs == [
        f'labels: Invalid value: "{"a" * 64}": name part must be no more than 63 characters',
        f'labels: Invalid value: "{"v" * 64}": must be no more than 63 characters',
    ]


@pytest.mark.parametrize(
    "selector,expected",
    [
        # TestValidateLabelSelector (meta/v1/validation)
        ({"matchExpressions": [{"key": "k", "operator": "In"}]},
         ["s.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
        ({"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["a"]}]},
         ["s.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
        ({"matchExpressions": [{"key": "k", "operator": "In", "values": ["a b"]}]},
         ['s.matchExpressions[0].values[0]: Invalid value: "a b": a valid label must be an empty string or consist '
          "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
          "'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?"
          "[A-Za-z0-9])?')"]),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}, []),
    ],
)
def test_label_selector(selector: dict[str, Any], expected: list[str]) -> None:
    assert [str(e) for e in validate_label_selector(selector, Path("s"))] == expected


def test_real_server_message_for_two_controllers() -> None:
    # The JSON rendering of a real v1.3x API server, as quoted in crossplane/crossplane#7708-era reports:
    # 'metadata.ownerReferences: Invalid value: [{"apiVersion":...,"controller":true,"blockOwnerDeletion":true},...]'
    refs = [
        {"apiVersion": "pkg.crossplane.io/v1", "kind": "FunctionRevision", "name": "fn-a", "uid": "u1",
         "controller": True, "blockOwnerDeletion": True},
        {"apiVersion": "pkg.crossplane.io/v1", "kind": "FunctionRevision", "name": "fn-b", "uid": "u2",
         "controller": True, "blockOwnerDeletion": True},
    ]
    [err] = meta_errors({"name": "sa", "namespace": "ns", "ownerReferences": refs})
    assert err == (
        'metadata.ownerReferences: Invalid value: [{"apiVersion":"pkg.crossplane.io/v1","kind":"FunctionRevision",'
        '"name":"fn-a","uid":"u1","controller":true,"blockOwnerDeletion":true},{"apiVersion":"pkg.crossplane.io/v1",'
        '"kind":"FunctionRevision","name":"fn-b","uid":"u2","controller":true,"blockOwnerDeletion":true}]: '
        'Only one reference can have Controller set to true. Found "true" in references for FunctionRevision/fn-a '
        "and FunctionRevision/fn-b"
    )
