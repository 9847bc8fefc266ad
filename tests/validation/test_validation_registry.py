"""Dispatch on apiVersion/kind and registering more kinds."""

from __future__ import annotations

from typing import Any

import pytest

from kubekit.validation import (
    InvalidError,
    Options,
    check,
    is_registered,
    register,
    registered_kinds,
    validate,
    validate_update,
)
from kubekit.validation.field import FieldError, Path, required


def test_builtin_kinds() -> None:
    # a superset (a list's >= would compare lexicographically and break on any new kind sorting earlier)
    assert set(registered_kinds()) >= {
        ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("coordination.k8s.io/v1", "Lease"),
        ("events.k8s.io/v1", "Event"), ("v1", "Event"), ("v1", "Node"), ("v1", "Pod"),
        ("v1", "ConfigMap"), ("v1", "Secret"),
    }


def test_unknown_kinds_are_not_validated() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {}}
    assert not is_registered(svc)
    assert validate(svc) == []
    assert check(svc) == svc
    # the same kind under another apiVersion is another kind
    assert validate({"apiVersion": "apps/v1beta2", "kind": "Deployment", "spec": {"replicas": -1}}) == []


def test_not_an_object() -> None:
    assert [str(e) for e in validate([1, 2])] == ["[]: Invalid value: [1,2]: must be an object"]  # type: ignore[arg-type]


def test_register_a_kind() -> None:
    def validate_widget(obj: dict[str, Any], options: Options) -> list[FieldError]:
        return [] if obj.get("spec", {}).get("size") else [required(Path("spec", "size"))]

    register("Widget", validate_widget, api_version="example.com/v1", namespaced=False)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert [str(e) for e in validate(widget)] == ["spec.size: Required value"]
    # without validate_update an update is validated like a create
    assert [str(e) for e in validate_update(widget, widget)] == ["spec.size: Required value"]
    with pytest.raises(InvalidError) as info:
        check(widget)
    assert str(info.value) == 'Widget.example.com "w" is invalid: spec.size: Required value'
    assert "namespace" not in check({**widget, "spec": {"size": 1}})["metadata"]
