"""Reading manifest dicts without crashing on the wrong JSON type.

The API server decodes a manifest into Go structs before validating it, so
``replicas: "3"`` never reaches validation (the request fails with 400
BadRequest).  kubekit validates plain dicts, so each accessor here checks the
type and, on a mismatch, records a ``FieldValueTypeInvalid`` error (printed
``Invalid value``) and returns the Go zero value, so validation goes on.
``None`` (YAML ``null`` or a missing key) is the zero value, as in Go.
"""

from __future__ import annotations

from typing import Any

from kubekit.validation.field import FieldError, Path, type_invalid

__all__ = ["boolean", "entries", "integer", "items", "mapping", "sequence", "string", "string_map", "text"]


def mapping(value: Any, path: Path, errs: list[FieldError]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    errs.append(type_invalid(path, value, "must be an object"))
    return {}


def sequence(value: Any, path: Path, errs: list[FieldError]) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    errs.append(type_invalid(path, value, "must be a list"))
    return []


def string(value: Any, path: Path, errs: list[FieldError]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    errs.append(type_invalid(path, value, "must be a string"))
    return ""


def integer(value: Any, path: Path, errs: list[FieldError]) -> int | None:
    """An integer field; ``None`` when unset (a Go nil pointer)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    errs.append(type_invalid(path, value, "must be an integer"))
    return None


def boolean(value: Any, path: Path, errs: list[FieldError]) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    errs.append(type_invalid(path, value, "must be a boolean"))
    return None


def string_map(value: Any, path: Path, errs: list[FieldError]) -> dict[str, str]:
    """A ``map[string]string`` (labels, annotations, nodeSelector)."""
    out: dict[str, str] = {}
    for k, v in mapping(value, path, errs).items():
        if not isinstance(k, str):
            errs.append(type_invalid(path, k, "keys must be strings"))
            continue
        if v is None:
            v = ""
        if not isinstance(v, str):
            errs.append(type_invalid(path.key(k), v, "must be a string"))
            continue
        out[k] = v
    return out


def items(value: Any) -> list[Any]:
    """``value`` if it is a list, else ``[]`` (for loops that must not fail;
    the type error itself is reported where the field is validated)."""
    return value if isinstance(value, list) else []


def entries(value: Any) -> dict[str, Any]:
    """``value`` if it is a dict, else ``{}``."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    """``value`` if it is a string, else ``""``."""
    return value if isinstance(value, str) else ""
