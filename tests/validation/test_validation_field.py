"""kubekit.validation.field against apimachinery's field package and
apierrors.NewInvalid (k8s.io/apimachinery/pkg/util/validation/field/errors.go,
path.go, errors_test.go; k8s.io/apimachinery/pkg/api/errors/errors.go)."""

from __future__ import annotations

import pytest

from kubekit.errors import InvalidObjectError, StoreError
from kubekit.validation.field import (
    ErrorType,
    FieldError,
    GoStruct,
    InvalidError,
    Path,
    aggregate,
    duplicate,
    forbidden,
    go_quote,
    internal,
    invalid,
    not_found,
    not_supported,
    required,
    too_long,
    too_many,
)


@pytest.mark.parametrize(
    "path,expected",
    [
        (Path("spec"), "spec"),
        (Path("spec", "template", "spec"), "spec.template.spec"),
        (Path("spec").child("containers").index(1).child("name"), "spec.containers[1].name"),
        # Key subscripts are not quoted (path.go: fmt.Fprintf(buf, "[%s]", p.index)).
        (Path("spec").child("containers").index(0).child("resources", "limits").key("cpu"),
         "spec.containers[0].resources.limits[cpu]"),
        (Path("metadata", "annotations").key("example.com/a"), "metadata.annotations[example.com/a]"),
        (Path("spec").index(2).index(3), "spec[2][3]"),
        # NewPath("") prints "[]" (as in ValidateConfigMap's whole-object TooLong).
        (Path(""), "[]"),
    ],
)
def test_path_string(path: Path, expected: str) -> None:
    assert str(path) == expected


# TestMakeFuncs (errors_test.go): each constructor's type.
@pytest.mark.parametrize(
    "err,expected",
    [
        (invalid(Path("f"), "v", "d"), ErrorType.INVALID),
        (not_supported(Path("f"), "v", []), ErrorType.NOT_SUPPORTED),
        (duplicate(Path("f"), "v"), ErrorType.DUPLICATE),
        (not_found(Path("f"), "v"), ErrorType.NOT_FOUND),
        (required(Path("f"), "d"), ErrorType.REQUIRED),
        (internal(Path("f"), "e"), ErrorType.INTERNAL),
    ],
)
def test_make_funcs(err: FieldError, expected: ErrorType) -> None:
    assert err.type is expected


@pytest.mark.parametrize(
    "err,body",
    [
        # TestNotSupported
        (not_supported(Path("f"), "v", ["a", "b", "c"]), 'Unsupported value: "v": supported values: "a", "b", "c"'),
        # TestErrorBody "int" / "intPtr"
        (invalid(Path("bla"), 2, "details"), "Invalid value: 2: details"),
        # nil: json.Marshal(nil) (the JSON-rendering ErrorBody of current apimachinery)
        (invalid(Path("bla"), None, "details"), "Invalid value: null: details"),
        # %q for strings, %v for bools, json.Marshal for maps (keys sorted) and structs (field order)
        (invalid(Path("f"), 'a"b\n', "d"), 'Invalid value: "a\\"b\\n": d'),
        (invalid(Path("f"), True, "d"), "Invalid value: true: d"),
        (invalid(Path("f"), {"b": "2", "a": "1"}, "d"), 'Invalid value: {"a":"1","b":"2"}: d'),
        (invalid(Path("f"), GoStruct(key="k", effect="NoSchedule"), "d"), 'Invalid value: {"key":"k","effect":"NoSchedule"}: d'),
        (invalid(Path("f"), ["a<b"], "d"), 'Invalid value: ["a\\u003cb"]: d'),
        (invalid(Path("f"), 1.5, "d"), "Invalid value: 1.5: d"),
        (invalid(Path("f"), 1e6, "d"), "Invalid value: 1e+06: d"),
        (required(Path("f")), "Required value"),
        (required(Path("f"), "name or generateName is required"), "Required value: name or generateName is required"),
        (forbidden(Path("f"), "may not be set"), "Forbidden: may not be set"),
        (duplicate(Path("f"), "x"), 'Duplicate value: "x"'),
        (not_found(Path("f"), "vol"), 'Not found: "vol"'),
        (not_supported(Path("f"), "v", []), 'Unsupported value: "v"'),
        # TooLong / TooMany wording of errors.go
        (too_long(Path("f"), 262144), "Too long: may not be more than 262144 bytes"),
        (too_long(Path("f"), 1), "Too long: may not be more than 1 byte"),
        (too_long(Path("f"), -1), "Too long: value is too long"),
        (too_many(Path("f"), 5, 3), "Too many: 5: must have at most 3 items"),
        (too_many(Path("f"), 2, 1), "Too many: 2: must have at most 1 item"),
        (too_many(Path("f"), -1, -1), "Too many: has too many items"),
        (internal(Path("f"), "boom"), "Internal error: boom"),
    ],
)
def test_error_body(err: FieldError, body: str) -> None:
    assert err.body() == body
    assert str(err) == f"f: {body}" or str(err) == f"bla: {body}"


def test_go_quote() -> None:
    assert go_quote("plain") == '"plain"'
    assert go_quote("tab\there") == '"tab\\there"'
    assert go_quote("\x00\x7f") == '"\\x00\\x7f"'
    assert go_quote("é日本") == '"é日本"'
    assert go_quote("\u200b") == '"\\u200b"'


# TestToAggregate: duplicates collapse; one error prints bare, several in brackets.
def test_aggregate() -> None:
    a = invalid(Path("f"), "v", "d")
    b = internal(Path(""), "e")
    assert aggregate([]) == ""
    assert aggregate([a]) == 'f: Invalid value: "v": d'
    assert aggregate([a, a]) == 'f: Invalid value: "v": d'
    assert aggregate([a, b, a]) == '[f: Invalid value: "v": d, []: Internal error: e]'


def test_invalid_error_message_and_status() -> None:
    errs = [
        invalid(Path("spec", "replicas"), -1, "must be greater than or equal to 0"),
        required(Path("spec", "selector")),
    ]
    err = InvalidError("Deployment", "apps", "web", errs)
    assert isinstance(err, InvalidObjectError) and isinstance(err, StoreError) and isinstance(err, ValueError)
    assert str(err) == (
        'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, '
        "spec.selector: Required value]"
    )
    assert err.status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": str(err),
        "reason": "Invalid",
        "details": {
            "name": "web",
            "group": "apps",
            "kind": "Deployment",
            "causes": [
                {"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0",
                 "field": "spec.replicas"},
                {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
            ],
        },
        "code": 422,
    }


def test_invalid_error_core_kind_has_no_group() -> None:
    err = InvalidError("Pod", "", "p", [required(Path("spec", "containers"))])
    assert str(err) == 'Pod "p" is invalid: spec.containers: Required value'
    assert "group" not in err.status()["details"]
    assert str(InvalidError("Lease", "coordination.k8s.io", "l", [])) == 'Lease.coordination.k8s.io "l" is invalid'
