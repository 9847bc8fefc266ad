"""Field errors as Kubernetes prints them.

A port of ``k8s.io/apimachinery/pkg/util/validation/field`` (``path.go`` and
``errors.go``) and of ``NewInvalid`` in ``k8s.io/apimachinery/pkg/api/errors``:

* :class:`Path` prints ``spec.containers[1].resources.limits[cpu]`` exactly as
  ``field.Path.String()`` does (``Key`` subscripts are not quoted);
* :class:`FieldError` prints ``<field>: <body>`` where the body is
  ``Error.ErrorBody()``: ``Required value``, ``Invalid value: "x": detail``
  (strings with Go's ``%q``, numbers and booleans with ``%v``, anything else
  as Go's ``json.Marshal``), ``Unsupported value: "x": supported values: "a",
  "b"``, ``Too long: may not be more than 256 bytes``...;
* :func:`aggregate` is ``ErrorList.ToAggregate().Error()`` (duplicates
  dropped, ``[a, b]`` when there are several);
* :class:`InvalidError` is ``apierrors.NewInvalid``: the message
  ``Deployment.apps "web" is invalid: spec.replicas: ...`` and the
  ``metav1.Status`` the API server answers with (HTTP 422).
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.errors import InvalidObjectError

__all__ = [
    "ErrorType",
    "FieldError",
    "GoStruct",
    "InvalidError",
    "OMIT",
    "Path",
    "aggregate",
    "duplicate",
    "forbidden",
    "go_quote",
    "go_value",
    "internal",
    "invalid",
    "not_found",
    "not_supported",
    "qualified_kind",
    "required",
    "too_long",
    "too_many",
    "type_invalid",
]


# --- paths --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Path:
    """A field path.  ``Path("spec").child("containers").index(1)`` prints
    ``spec.containers[1]``; ``.key("cpu")`` appends ``[cpu]`` (unquoted, like
    Go).  ``Path("spec", "template")`` is ``field.NewPath("spec", "template")``.
    The empty path ``Path("")`` prints ``[]``, as Go's ``NewPath("")``."""

    _elems: tuple[tuple[bool, str], ...]  # (is_subscript, text)

    def __init__(self, name: str, *more: str) -> None:
        object.__setattr__(self, "_elems", tuple((False, n) for n in (name, *more)))

    @classmethod
    def _of(cls, elems: tuple[tuple[bool, str], ...]) -> Path:
        p = cls.__new__(cls)
        object.__setattr__(p, "_elems", elems)
        return p

    def child(self, name: str, *more: str) -> Path:
        return Path._of(self._elems + tuple((False, n) for n in (name, *more)))

    def index(self, i: int) -> Path:
        return Path._of(self._elems + ((True, str(i)),))

    def key(self, k: str) -> Path:
        return Path._of(self._elems + ((True, k),))

    def __str__(self) -> str:
        out: list[str] = []
        for i, (subscript, text) in enumerate(self._elems):
            if subscript or not text:
                # Go prints an element without a name as a subscript: NewPath("")
                # is "[]", as in ``[]: Too long: ...`` for a whole ConfigMap.
                out.append(f"[{text}]")
                continue
            if i > 0:
                out.append(".")
            out.append(text)
        return "".join(out)

    def __repr__(self) -> str:
        return f"Path({str(self)!r})"


# --- Go value printing -----------------------------------------------------


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: ``omitValue``: the body has no value part (``Too many: must have at most ...``).
OMIT: Any = _Omit()


class GoStruct(dict):  # type: ignore[type-arg]
    """A bad value that Go would hold as a struct: ``json.Marshal`` keeps the
    field order given here (a plain ``dict`` is a Go map: keys are sorted)."""


def go_quote(s: str) -> str:
    """``strconv.Quote``: double quotes, Go escapes, printable Unicode kept."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == " " or (ch.isprintable() and o != 0xFFFD or ch == "\ufffd"):
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF:  # lone surrogate: Go sees invalid UTF-8
            out.append("\\ufffd")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _go_float(f: float) -> str:
    """``fmt.Sprintf("%v", f)`` for a float64: strconv's ``'g'`` with the
    shortest digits, which switches to ``1e+06`` form when the decimal
    exponent is < -4 or >= 6 (the "shortest" precision rule)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    digits, exp = _shortest_digits(abs(f))
    sign = "-" if f < 0 else ""
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= exp + 1:
        return sign + digits + "0" * (exp + 1 - len(digits))
    return f"{sign}{digits[: exp + 1]}.{digits[exp + 1 :]}"


def _shortest_digits(f: float) -> tuple[str, int]:
    r = repr(f)
    if "e" in r or "E" in r:
        m, _, ex = r.lower().partition("e")
        exp = int(ex)
    else:
        m, exp = r, 0
    if "." in m:
        ip, fp = m.split(".")
    else:
        ip, fp = m, ""
    if fp == "0":
        fp = ""
    digits = (ip + fp).lstrip("0")
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    point = len(ip) + exp  # position of the decimal point in ip+fp
    exp10 = point - lead_zeros - 1
    digits = digits.rstrip("0") or "0"
    return digits, exp10


def _go_json(value: Any) -> str:
    """``json.Marshal``: compact, map keys sorted, HTML characters escaped."""
    text = json.dumps(_sorted_maps(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028"
    ).replace("\u2029", "\\u2029")


def _sorted_maps(value: Any) -> Any:
    if isinstance(value, GoStruct):
        return {k: _sorted_maps(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {k: _sorted_maps(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_sorted_maps(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def go_value(value: Any) -> str:
    """How ``ErrorBody`` prints a bad value (after the type's name)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return go_quote(value)
    try:
        return _go_json(value)
    except (TypeError, ValueError):
        return repr(value)


# --- errors -------------------------------------------------------------------


class ErrorType(enum.Enum):
    """``field.ErrorType``: the value is the machine-readable reason (the
    ``reason`` of a Status cause), :attr:`text` what ``String()`` prints."""

    NOT_FOUND = "FieldValueNotFound"
    REQUIRED = "FieldValueRequired"
    DUPLICATE = "FieldValueDuplicate"
    INVALID = "FieldValueInvalid"
    NOT_SUPPORTED = "FieldValueNotSupported"
    FORBIDDEN = "FieldValueForbidden"
    TOO_LONG = "FieldValueTooLong"
    TOO_MANY = "FieldValueTooMany"
    INTERNAL = "InternalError"
    TYPE_INVALID = "FieldValueTypeInvalid"

    @property
    def text(self) -> str:
        return _TYPE_TEXT[self]


_TYPE_TEXT = {
    ErrorType.NOT_FOUND: "Not found",
    ErrorType.REQUIRED: "Required value",
    ErrorType.DUPLICATE: "Duplicate value",
    ErrorType.INVALID: "Invalid value",
    ErrorType.NOT_SUPPORTED: "Unsupported value",
    ErrorType.FORBIDDEN: "Forbidden",
    ErrorType.TOO_LONG: "Too long",
    ErrorType.TOO_MANY: "Too many",
    ErrorType.INTERNAL: "Internal error",
    ErrorType.TYPE_INVALID: "Invalid value",
}

_NO_VALUE_TYPES = frozenset({ErrorType.REQUIRED, ErrorType.FORBIDDEN, ErrorType.TOO_LONG, ErrorType.INTERNAL})


@dataclass(frozen=True, slots=True)
class FieldError:
    """``field.Error``: ``str(e)`` is Go's ``Error()``, :meth:`body` its
    ``ErrorBody()``."""

    type: ErrorType
    field: str
    bad_value: Any = ""
    detail: str = ""

    def body(self) -> str:
        if self.type in _NO_VALUE_TYPES or self.bad_value is OMIT:
            s = self.type.text
        else:
            s = f"{self.type.text}: {go_value(self.bad_value)}"
        if self.detail:
            s += f": {self.detail}"
        return s

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def with_detail(self, detail: str) -> FieldError:
        return FieldError(self.type, self.field, self.bad_value, detail)


def required(path: Path, detail: str = "") -> FieldError:
    return FieldError(ErrorType.REQUIRED, str(path), "", detail)


def invalid(path: Path, value: Any, detail: str) -> FieldError:
    return FieldError(ErrorType.INVALID, str(path), value, detail)


def not_supported(path: Path, value: Any, valid_values: Sequence[str]) -> FieldError:
    detail = ""
    if valid_values:
        detail = "supported values: " + ", ".join(go_quote(str(v)) for v in valid_values)
    return FieldError(ErrorType.NOT_SUPPORTED, str(path), value, detail)


def duplicate(path: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.DUPLICATE, str(path), value, "")


def forbidden(path: Path, detail: str) -> FieldError:
    return FieldError(ErrorType.FORBIDDEN, str(path), "", detail)


def not_found(path: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.NOT_FOUND, str(path), value, "")


def too_long(path: Path, max_length: int) -> FieldError:
    if max_length >= 0:
        msg = f"may not be more than {max_length} {'byte' if max_length == 1 else 'bytes'}"
    else:
        msg = "value is too long"
    return FieldError(ErrorType.TOO_LONG, str(path), "<value omitted>", msg)


def too_many(path: Path, actual: int, max_quantity: int) -> FieldError:
    if max_quantity >= 0:
        msg = f"must have at most {max_quantity} {'item' if max_quantity == 1 else 'items'}"
    else:
        msg = "has too many items"
    return FieldError(ErrorType.TOO_MANY, str(path), actual if actual >= 0 else OMIT, msg)


def internal(path: Path, message: str) -> FieldError:
    return FieldError(ErrorType.INTERNAL, str(path), None, message)


def type_invalid(path: Path, value: Any, detail: str) -> FieldError:
    """``field.TypeInvalid``: the value has the wrong JSON type.  (The API
    server rejects those while decoding, before validation; kubekit reports
    them as field errors so that validation never crashes on a bad shape.)"""
    return FieldError(ErrorType.TYPE_INVALID, str(path), value, detail)


def aggregate(errors: Iterable[FieldError]) -> str:
    """``ErrorList.ToAggregate().Error()``; ``""`` for no errors."""
    seen: list[str] = []
    for e in errors:
        msg = str(e)
        if msg not in seen:
            seen.append(msg)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]" if seen else ""


def dedup(errors: Iterable[FieldError]) -> list[FieldError]:
    """ToAggregate's filtering: the first error of each message."""
    out: list[FieldError] = []
    seen: set[str] = set()
    for e in errors:
        msg = str(e)
        if msg not in seen:
            seen.add(msg)
            out.append(e)
    return out


def qualified_kind(kind: str, group: str) -> str:
    """``schema.GroupKind.String()``: ``Pod``, ``Deployment.apps``."""
    return f"{kind}.{group}" if group else kind


class InvalidError(InvalidObjectError):
    """``apierrors.NewInvalid``: an object failed validation.

    ``str(err)`` is the API server's message, e.g. ``Deployment.apps "web" is
    invalid: spec.replicas: Invalid value: -1: must be greater than or equal
    to 0``; :meth:`status` is the ``metav1.Status`` body of the 422 answer."""

    def __init__(self, kind: str, group: str, name: str, errors: Sequence[FieldError]) -> None:
        self.kind = kind
        self.group = group
        self.name = name
        self.errors: tuple[FieldError, ...] = tuple(errors)
        qk = qualified_kind(kind, group)
        agg = aggregate(self.errors)
        self.message = f"{qk} {go_quote(name)} is invalid: {agg}" if agg else f"{qk} {go_quote(name)} is invalid"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict[str, Any]:
        """The ``metav1.Status`` as JSON-ready dict (``omitempty`` fields
        left out, as Go serializes it)."""
        details: dict[str, Any] = {"name": self.name}
        if self.group:
            details["group"] = self.group
        details["kind"] = self.kind
        details["causes"] = [
            {"reason": e.type.value, "message": e.body(), "field": e.field} for e in self.errors
        ]
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": "Invalid",
            "details": details,
            "code": 422,
        }
