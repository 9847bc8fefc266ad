"""Go-compatible error text (k8s.io/apimachinery/pkg/util/validation/field).

Values rendered the way Go prints them, ``field.Path`` and ``field.Error``, and
``utilerrors.Aggregate`` for the :class:`ConfigError` a failing stage raises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from kubekit.errors import ConfigError


class _GoRepr(str):
    """A value already rendered the way Go's field.Error prints it."""


def _go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _go_value(v: Any) -> str:
    if isinstance(v, _GoRepr):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return _go_quote(v)
    return str(v)


def _go_string_slice(values: Sequence[str] | None) -> _GoRepr:
    if values is None:
        return _GoRepr("[]string(nil)")
    return _GoRepr("[]string{" + ", ".join(_go_quote(v) for v in values) + "}")


@dataclass(frozen=True, slots=True)
class _FieldError:
    type: str
    field: str
    value: str | None  # Go-rendered bad value, None when the type prints none
    detail: str = ""

    def __str__(self) -> str:
        body = self.type if self.value is None else f"{self.type}: {self.value}"
        if self.detail:
            body += f": {self.detail}"
        return f"{self.field}: {body}"


class _Path:
    """field.Path: ``profiles[0].pluginConfig[1].args``."""

    __slots__ = ("_s",)

    def __init__(self, s: str = "") -> None:
        self._s = s

    def child(self, *names: str) -> "_Path":
        s = self._s
        for n in names:
            s = f"{s}.{n}" if s else n
        return _Path(s)

    def index(self, i: int) -> "_Path":
        return _Path(f"{self._s}[{i}]")

    def key(self, k: str) -> "_Path":
        return _Path(f"{self._s}[{k}]")

    def __str__(self) -> str:
        return self._s


def _invalid(p: _Path, value: Any, detail: str) -> _FieldError:
    return _FieldError("Invalid value", str(p), _go_value(value), detail)


def _required(p: _Path, detail: str = "") -> _FieldError:
    return _FieldError("Required value", str(p), None, detail)


def _forbidden(p: _Path, detail: str) -> _FieldError:
    return _FieldError("Forbidden", str(p), None, detail)


def _duplicate(p: _Path, value: Any) -> _FieldError:
    return _FieldError("Duplicate value", str(p), _go_value(value))


def _not_supported(p: _Path, value: Any, valid: Sequence[str]) -> _FieldError:
    detail = "supported values: " + ", ".join(_go_quote(v) for v in valid) if valid else ""
    return _FieldError("Unsupported value", str(p), _go_value(value), detail)


def _aggregate_message(messages: Sequence[str]) -> str:
    """utilerrors.Aggregate.Error(): duplicates dropped, ``[a, b]`` when several."""
    seen: list[str] = []
    for m in messages:
        if m not in seen:
            seen.append(m)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def _fail(messages: Sequence[str]) -> ConfigError:
    err = ConfigError(_aggregate_message(messages))
    err.errors = tuple(messages)  # type: ignore[attr-defined]
    return err


def _go_json(v: Any) -> str:
    """json.Marshal of the YAMLToJSON result: sorted keys, compact."""
    try:
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(v)
