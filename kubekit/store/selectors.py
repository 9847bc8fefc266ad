"""Label and field selectors, as ``k8s.io/apimachinery`` parses and matches them.

Label selector strings (``labels.Parse``)::

    app=web,tier!=db,env in (prod,staging),zone notin (a),gpu,!spot,cores>4

Requirements are ANDed.  ``=``/``==`` need the key with that value; ``!=``
and ``notin`` also match a missing key; ``in ()`` is the set ``{""}``;
``>``/``<`` compare integers.  Keys and values are validated as Kubernetes
does (qualified names; values of at most 63 characters).

``metav1.LabelSelector`` objects (``{"matchLabels": ..., "matchExpressions":
[...]}``) go through :func:`from_label_selector`: ``None`` selects nothing,
``{}`` everything.

Field selectors (``fields.ParseSelector``): ``metadata.name=x,spec.nodeName=,
status.phase!=Running`` with ``=``, ``==`` and ``!=`` only; ``\\,`` ``\\=``
``\\!`` and ``\\\\`` escape.  Which fields a kind supports is the kind's
(:mod:`.kinds`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from kubekit.api.validation import label_value_errors, qualified_name_errors
from kubekit.errors import SelectorError

__all__ = [
    "Requirement", "LabelSelector", "FieldRequirement", "FieldSelector",
    "parse_labels", "from_label_selector", "from_set", "parse_fields", "EVERYTHING", "NOTHING",
]

_OPS = ("in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt")
_BINARY = ["!=", "=", "==", "in", "notin", ">", "<"]


@dataclass(frozen=True, slots=True)
class Requirement:
    """``key op values``; ``op`` is one of ``=``, ``==``, ``!=``, ``in``,
    ``notin``, ``exists``, ``!`` (does not exist), ``gt``, ``lt``."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.op
        if op in ("=", "==", "in"):
            return self.key in labels and labels[self.key] in self.values
        if op in ("!=", "notin"):
            return self.key not in labels or labels[self.key] not in self.values
        if op == "exists":
            return self.key in labels
        if op == "!":
            return self.key not in labels
        # gt / lt
        if self.key not in labels:
            return False
        try:
            have = _parse_int(labels[self.key])
            want = _parse_int(self.values[0])
        except ValueError:
            return False
        return have > want if op == "gt" else have < want

    def __str__(self) -> str:
        op = self.op
        if op == "exists":
            return self.key
        if op == "!":
            return "!" + self.key
        if op in ("in", "notin"):
            return f"{self.key} {op} ({','.join(self.values)})"
        sym = {"gt": ">", "lt": "<"}.get(op, op)
        return f"{self.key}{sym}{self.values[0]}"


def _parse_int(s: str) -> int:
    # strconv.ParseInt(s, 10, 64): optional sign, decimal digits only.
    if not re.fullmatch(r"[+-]?[0-9]+", s):
        raise ValueError(s)
    v = int(s)
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError(s)
    return v


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """Requirements, sorted by key; ``nothing`` is the selector of a nil
    metav1.LabelSelector (matches no object)."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        for r in self.requirements:
            if not r.matches(labels):
                return False
        return True

    @property
    def empty(self) -> bool:
        return not self.requirements and not self.nothing

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True)

# --- validation: k8s.io/apimachinery/pkg/util/validation (kubekit.api.validation) ---


def _validate_key(key: str) -> None:
    errs = qualified_name_errors(key)
    if errs:
        raise SelectorError(f"invalid label key {key!r}: {'; '.join(errs)}")


def _validate_value(key: str, value: str) -> None:
    errs = label_value_errors(value)
    if errs:
        raise SelectorError(f"invalid label value {value!r} for key {key!r}: {'; '.join(errs)}")


def new_requirement(key: str, op: str, values: Iterable[str] = ()) -> Requirement:
    """``labels.NewRequirement``: validates and sorts the values."""
    _validate_key(key)
    vals = tuple(sorted(set(values)))
    if op in ("in", "notin"):
        if not vals:
            raise SelectorError(f"{key}: for 'in', 'notin' operators, values set can't be empty")
    elif op in ("=", "==", "!="):
        if len(vals) != 1:
            raise SelectorError(f"{key}: exact-match compatibility requires one single value")
    elif op in ("exists", "!"):
        if vals:
            raise SelectorError(f"{key}: values set must be empty for exists and does not exist")
    elif op in ("gt", "lt"):
        if len(vals) != 1:
            raise SelectorError(f"{key}: for 'Gt', 'Lt' operators, exactly one value is required")
        try:
            _parse_int(vals[0])
        except ValueError:
            raise SelectorError(f"{key}: for 'Gt', 'Lt' operators, the value must be an integer, "
                                f"got {vals[0]!r}") from None
    else:
        raise SelectorError(f"operator {op!r} is not recognized")
    for v in vals:
        _validate_value(key, v)
    return Requirement(key, op, vals)


# --- the lexer and parser (labels/selector.go) ---

_ID, _END, _COMMA, _NOT, _EQ, _DEQ, _NEQ, _GT, _LT, _IN, _NOTIN, _OPAR, _CPAR = range(13)
_SYMBOLS = {"!": _NOT, "!=": _NEQ, "(": _OPAR, ")": _CPAR, ",": _COMMA, "=": _EQ, "==": _DEQ,
            ">": _GT, "<": _LT}
_SPECIAL = set("=!(),><")
_SPACE = set(" \t\r\n")


def _lex(s: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in _SPACE:
            i += 1
        if i >= n:
            out.append((_END, ""))
            return out
        c = s[i]
        if c in _SPECIAL:
            # the longest symbol that is a token
            j = i + 1
            while j < n and s[j] in _SPECIAL and s[i:j + 1] in _SYMBOLS:
                j += 1
            lit = s[i:j]
            out.append((_SYMBOLS[lit], lit))
            i = j
        else:
            j = i
            while j < n and s[j] not in _SPECIAL and s[j] not in _SPACE:
                j += 1
            lit = s[i:j]
            out.append((_IN if lit == "in" else _NOTIN if lit == "notin" else _ID, lit))
            i = j


class _Parser:
    def __init__(self, s: str) -> None:
        self.items = _lex(s)
        self.pos = 0

    def lookahead(self, values: bool) -> tuple[int, str]:
        tok, lit = self.items[self.pos]
        if values and tok in (_IN, _NOTIN):
            tok = _ID
        return tok, lit

    def consume(self, values: bool) -> tuple[int, str]:
        out = self.lookahead(values)
        self.pos += 1
        return out

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self.lookahead(True)
            if tok in (_ID, _NOT):
                reqs.append(self.requirement())
                t, lit2 = self.consume(True)
                if t == _END:
                    return reqs
                if t == _COMMA:
                    t2, lit3 = self.lookahead(True)
                    if t2 not in (_ID, _NOT):
                        raise SelectorError(f"found '{lit3}', expected: identifier after ','")
                else:
                    raise SelectorError(f"found '{lit2}', expected: ',' or 'end of string'")
            elif tok == _END:
                return reqs
            else:
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def requirement(self) -> Requirement:
        try:
            key, op = self.key_and_operator()
            if op in ("exists", "!"):
                return new_requirement(key, op)
            op = self.operator()
            values = self.values() if op in ("in", "notin") else self.exact_value()
            return new_requirement(key, op, values)
        except SelectorError as e:
            raise SelectorError(f"unable to parse requirement: {e}") from None

    def key_and_operator(self) -> tuple[str, str]:
        op = ""
        tok, lit = self.consume(True)
        if tok == _NOT:
            op = "!"
            tok, lit = self.consume(True)
        if tok != _ID:
            raise SelectorError(f"found '{lit}', expected: identifier")
        _validate_key(lit)
        if self.lookahead(True)[0] in (_END, _COMMA) and op != "!":
            op = "exists"
        return lit, op

    def operator(self) -> str:
        tok, lit = self.consume(False)
        ops = {_IN: "in", _EQ: "=", _DEQ: "==", _GT: "gt", _LT: "lt", _NOTIN: "notin", _NEQ: "!="}
        if tok not in ops:
            raise SelectorError(f"found '{lit}', expected: {', '.join(_BINARY)}")
        return ops[tok]

    def values(self) -> set[str]:
        tok, lit = self.consume(True)
        if tok != _OPAR:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead(True)
        if tok in (_ID, _COMMA):
            s = self.identifiers()
            if self.consume(True)[0] != _CPAR:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return s
        if tok == _CPAR:
            self.consume(True)
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def identifiers(self) -> set[str]:
        s: set[str] = set()
        while True:
            tok, lit = self.consume(True)
            if tok == _ID:
                s.add(lit)
                t2, lit2 = self.lookahead(True)
                if t2 == _COMMA:
                    continue
                if t2 == _CPAR:
                    return s
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _COMMA:
                if not s:
                    s.add("")
                t2, _ = self.lookahead(True)
                if t2 == _CPAR:
                    s.add("")
                    return s
                if t2 == _COMMA:
                    self.consume(True)
                    s.add("")
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        tok, _ = self.lookahead(True)
        if tok in (_END, _COMMA):
            return {""}
        tok, lit = self.consume(True)
        if tok == _ID:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


def parse_labels(selector: str) -> LabelSelector:
    """``labels.Parse``: a selector string to a :class:`LabelSelector`
    (requirements sorted by key, so ``str()`` is canonical)."""
    if not isinstance(selector, str):
        raise SelectorError(f"a label selector must be a string, got {type(selector).__name__}")
    reqs = _Parser(selector).parse()
    reqs.sort(key=lambda r: r.key)  # Go's sort.Sort(ByKey) on the parsed requirements
    return LabelSelector(tuple(reqs))


def from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """``labels.SelectorFromSet``: every key equal to its value (no validation)."""
    if not labels:
        return EVERYTHING
    return LabelSelector(tuple(Requirement(k, "=", (v,)) for k, v in sorted(labels.items())))


_EXPR_OPS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def from_label_selector(sel: Mapping | None) -> LabelSelector:
    """``metav1.LabelSelectorAsSelector``: ``None`` matches nothing, ``{}``
    everything; ``matchLabels`` and ``matchExpressions`` are ANDed."""
    if sel is None:
        return NOTHING
    match_labels = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    if not match_labels and not exprs:
        return EVERYTHING
    reqs = [new_requirement(k, "=", [v]) for k, v in match_labels.items()]
    for i, e in enumerate(exprs):
        op = _EXPR_OPS.get(e.get("operator"))
        if op is None:
            raise SelectorError(f"matchExpressions[{i}].operator: {e.get('operator')!r} is not a valid label "
                                "selector operator (expected In, NotIn, Exists or DoesNotExist)")
        reqs.append(new_requirement(e.get("key", ""), op, list(e.get("values") or [])))
    reqs.sort(key=lambda r: r.key)
    return LabelSelector(tuple(reqs))


# --- field selectors (fields/selector.go) ---


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    field: str
    op: str      # "=", "==" or "!="
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        have = fields.get(self.field)
        if self.op == "!=":
            return have != self.value
        return have == self.value


@dataclass(frozen=True, slots=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str]) -> bool:
        return all(r.matches(fields) for r in self.requirements)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(r.field for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def __str__(self) -> str:
        return ",".join(f"{r.field}{r.op}{_escape(r.value)}" for r in self.requirements)


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace("!", "\\!")


def _split_terms(s: str) -> list[str]:
    terms, start, i = [], 0, 0
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == ",":
            terms.append(s[start:i])
            start = i + 1
        i += 1
    terms.append(s[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    # The first unescaped operator; "!=" and "==" before "=".
    i = 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
        i += 1
    return None


def _unescape(v: str) -> str:
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\":
            if i + 1 >= len(v):
                raise SelectorError(f"invalid field selector value {v!r}: a trailing backslash")
            nxt = v[i + 1]
            if nxt not in "\\,=!":
                raise SelectorError(f"invalid field selector value {v!r}: invalid escape sequence '\\{nxt}'")
            out.append(nxt)
            i += 2
            continue
        if c in ",=":
            raise SelectorError(f"invalid field selector value {v!r}: unescaped {c!r}")
        out.append(c)
        i += 1
    return "".join(out)


def parse_fields(selector: str) -> FieldSelector:
    """``fields.ParseSelector``."""
    if not isinstance(selector, str):
        raise SelectorError(f"a field selector must be a string, got {type(selector).__name__}")
    if selector == "":
        return FieldSelector()
    reqs = []
    for term in _split_terms(selector):
        if term == "":
            continue
        parts = _split_term(term)
        if parts is None:
            raise SelectorError(f"invalid selector: '{selector}'; can't understand '{term}'")
        field, op, value = parts
        reqs.append(FieldRequirement(field, op, _unescape(value)))
    return FieldSelector(tuple(reqs))
