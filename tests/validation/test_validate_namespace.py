"""Namespace validation: TestValidateNamespace, TestValidateNamespaceUpdate,
TestValidateNamespaceStatusUpdate and TestValidateNamespaceFinalizeUpdate
(pkg/apis/core/validation/validation_test.go), through kubekit's registry
(create and update) and the subresource validators."""

from __future__ import annotations

from typing import Any

import pytest

from kubekit.validation import InvalidError, check, validate, validate_update
from kubekit.validation.namespace import validate_namespace_finalize_update, validate_namespace_status_update

NOW = "2023-11-14T22:13:20Z"


def ns(name: str = "", *, labels=None, namespace=None, fins=None, phase=None, deleting=False) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "resourceVersion": "1"}
    if labels is not None:
        m["labels"] = labels
    if namespace is not None:
        m["namespace"] = namespace
    if deleting:
        m["deletionTimestamp"] = NOW
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": m}
    if fins is not None:
        out["spec"] = {"finalizers": fins}
    if phase is not None:
        out["status"] = {"phase": phase}
    return out


VALID_LABELS = {"a": "b"}
INVALID_LABELS = {"NoUppercaseOrSpecialCharsLike=Equals": "b"}


@pytest.mark.parametrize("obj", [
    ns("abc", labels=VALID_LABELS),
    ns("abc-123", fins=["example.com/something", "example.com/other"]),
])
def test_validate_namespace_success(obj):
    assert validate(obj) == []


@pytest.mark.parametrize("case, obj, field, says", [
    # upstream's table only asks for an error; the field and its kind are checked here too
    ("zero-length name", ns(""), "metadata.name", "Required value"),
    ("defined-namespace", ns("abc-123", namespace="makesnosense"), "metadata.namespace", "Forbidden: not allowed on this type"),
    ("invalid-labels", ns("abc", labels=INVALID_LABELS), "metadata.labels", "Invalid value"),
])
def test_validate_namespace_errors(case, obj, field, says):
    errs = validate(obj)
    assert [e.field for e in errs] == [field], case
    assert says in str(errs[0])


def test_error_messages():
    with pytest.raises(InvalidError) as ei:
        check(ns("Bad_Name", fins=["foo", "example.com/ok"]))
    msg = str(ei.value)
    assert msg.startswith('Namespace "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": '
                          "a lowercase RFC 1123 label must consist of")
    # upstream's quirk: a create reports spec finalizers without an index
    assert 'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully ' \
           'qualified' in msg
    errs = validate(ns("abc", namespace="x"))
    assert [str(e) for e in errs] == ["metadata.namespace: Forbidden: not allowed on this type"]


FINALIZE_UPDATE = [
    (ns(), ns(), True),
    (ns("foo"), ns("foo", fins=["Foo"]), False),
    (ns("foo", fins=["foo.com/bar"]), ns("foo", fins=["foo.com/bar", "what.com/bar"]), True),
    (ns("fooemptyfinalizer", fins=["foo.com/bar"]), ns("fooemptyfinalizer", fins=["", "foo.com/bar", "what.com/bar"]),
     False),
]


@pytest.mark.parametrize("old, new, valid", FINALIZE_UPDATE)
def test_validate_namespace_finalize_update(old, new, valid):
    assert (validate_namespace_finalize_update(new, old) == []) is valid


def test_finalize_reports_the_index():
    errs = validate_namespace_finalize_update(ns("foo", fins=["example.com/a", "Foo"]), ns("foo"))
    assert [e.field for e in errs] == ["spec.finalizers[1]"]


STATUS_UPDATE = [
    (ns(), ns(phase="Active"), True),
    (ns("foo"), ns("foo", deleting=True, phase="Terminating"), False),     # cannot set deletionTimestamp via status
    (ns("foo", deleting=True), ns("foo", deleting=True, phase="Terminating"), True),    # can update phase
    (ns("foo"), ns("foo", phase="Terminating"), False),
    (ns("foo"), ns("bar", phase="Terminating"), False),
]


@pytest.mark.parametrize("old, new, valid", STATUS_UPDATE)
def test_validate_namespace_status_update(old, new, valid):
    assert (validate_namespace_status_update(new, old) == []) is valid


def test_status_phase_messages():
    errs = validate_namespace_status_update(ns("foo", phase="Terminating"), ns("foo"))
    assert [str(e) for e in errs] == ['status.Phase: Invalid value: "Terminating": may only be \'Active\' if '
                                      '`deletionTimestamp` is empty']
    errs = validate_namespace_status_update(ns("foo", deleting=True, phase="Active"), ns("foo", deleting=True))
    assert [str(e) for e in errs] == ['status.Phase: Invalid value: "Active": may only be \'Terminating\' if '
                                      '`deletionTimestamp` is not empty']


UPDATE = [
    (ns(), ns(), True),
    (ns("foo1"), ns("bar1"), False),
    (ns("foo2", labels={"foo": "bar"}), ns("foo2", labels={"foo": "baz"}), True),
    (ns("foo3"), ns("foo3", labels={"foo": "baz"}), True),
    (ns("foo4", labels={"bar": "foo"}), ns("foo4", labels={"foo": "baz"}), True),
    (ns("foo5", labels={"foo": "baz"}), ns("foo5", labels={"Foo": "baz"}), True),
    (ns("foo6", labels={"foo": "baz"}), ns("foo6", labels={"Foo": "baz"}, fins=["kubernetes"], phase="Terminating"),
     True),
]


@pytest.mark.parametrize("old, new, valid", UPDATE)
def test_validate_namespace_update(old, new, valid):
    assert (validate_update(new, old, defaults=False) == []) is valid


# -- pkg/apis/core/v1/defaults.go: SetDefaults_Namespace, SetDefaults_NamespaceStatus ---------------
def test_defaults_label_the_namespace_with_its_name_and_an_empty_phase_is_active():
    from kubekit.validation import apply_defaults

    out = apply_defaults(ns("team-a", labels={"kubernetes.io/metadata.name": "other", "a": "b"}))
    assert out["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a", "a": "b"}
    assert apply_defaults(ns("team-a"))["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}
    assert "labels" not in apply_defaults({"apiVersion": "v1", "kind": "Namespace", "metadata": {}})["metadata"]
    assert apply_defaults(ns("team-a", phase=""))["status"] == {"phase": "Active"}
    assert apply_defaults(ns("team-a", phase="Terminating"))["status"] == {"phase": "Terminating"}
