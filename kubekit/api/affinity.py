"""Taints, tolerations and node affinity: the types and their pure matching
functions, ported from Kubernetes.

Sources (kubernetes/kubernetes; the commit is the version read):

* ``staging/src/k8s.io/api/core/v1/toleration.go`` -- ``ToleratesTaint`` with
  the ``Lt``/``Gt`` comparison operators (TaintTolerationComparisonOperators,
  the version whose ``compareNumericValues`` checks
  ``content.IsDecimalInteger`` before ``strconv.ParseInt``).
* ``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go``
  @ ``1ca8f84eede93fa9b3577a07025ca90582b2ac46`` -- terms ORed, requirements
  ANDed, an empty term matches nothing, a term with a parse error matches
  nothing, ``matchFields`` only consulted when the node has a name.
* ``staging/src/k8s.io/apimachinery/pkg/labels/selector.go``
  @ ``008b3652959ca58af8be3fb5b6ecfe9ae7638282`` -- ``NewRequirement``
  (what makes a requirement unparseable) and ``Requirement.Matches``.
* ``pkg/apis/core/validation/validation.go``
  @ ``000f26050b9be6fb3d79fae95e06b47fc96128cd`` -- what the API server
  rejects, raised here as :class:`~kubekit.errors.ManifestError` at parse time.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.errors import ManifestError

__all__ = [
    "NO_SCHEDULE",
    "PREFER_NO_SCHEDULE",
    "NO_EXECUTE",
    "TAINT_EFFECTS",
    "Taint",
    "Toleration",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "PreferredSchedulingTerm",
    "NodeAffinity",
    "tolerates_taint",
    "tolerations_tolerate_taint",
    "find_untolerated_taint",
    "match_requirement",
    "match_term",
    "match_node_selector",
    "match_node_selector_labels",
    "match_required_node_affinity",
    "score_preferred_terms",
    "qualified_name_errors",
    "label_value_errors",
    "dns1123_subdomain_errors",
    "dns1123_label_errors",
    "parse_go_int64",
    "is_decimal_integer",
    "parse_labels",
    "parse_taints",
    "parse_tolerations",
    "parse_node_affinity",
]

from kubekit.api.validation import (  # noqa: E402  (re-exported for callers of kubekit.api.affinity)
    dns1123_label_errors,
    dns1123_subdomain_errors,
    label_value_errors,
    qualified_name_errors,
)

NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"
TAINT_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)

_TOLERATION_OPERATORS = ("Equal", "Exists", "Gt", "Lt")
_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_FIELD_OPERATORS = ("In", "NotIn")
OBJECT_NAME_FIELD = "metadata.name"

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def parse_go_int64(s: str) -> int | None:
    """``strconv.ParseInt(s, 10, 64)``: optional sign, ASCII digits only (no
    spaces, no underscores), within int64; ``None`` where Go returns an error.
    Leading zeros are accepted (``"0204"`` is 204)."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not all("0" <= ch <= "9" for ch in body):
        return None
    v = int(s)
    if v < _INT64_MIN or v > _INT64_MAX:
        return None
    return v


def is_decimal_integer(s: str) -> bool:
    """apimachinery ``content.IsDecimalInteger``: ``0`` or an optional ``-``
    then a non-zero digit and more digits -- no ``+``, no leading zeros."""
    n = len(s)
    if n == 0:
        return False
    i = 0
    if s[0] == "-":
        if n == 1:
            return False
        i = 1
    if s[i] == "0":
        return n == 1 and i == 0
    if not ("1" <= s[i] <= "9"):
        return False
    return all("0" <= ch <= "9" for ch in s[i + 1 :])


# --- types -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taint:
    """A node taint.  ``effect`` is NoSchedule, PreferNoSchedule or NoExecute."""

    key: str
    value: str = ""
    effect: str = NO_SCHEDULE

    @classmethod
    def from_manifest(cls, m: object, path: str) -> Taint:
        d = _mapping(m, path)
        key = _string(d, "key", path, default="")
        value = _string(d, "value", path, default="")
        effect = _string(d, "effect", path, default="")
        _raise_first(qualified_name_errors(key), f"{path}.key", key)
        _raise_first(label_value_errors(value), f"{path}.value", value)
        if not effect:
            raise ManifestError(f"{path}.effect", "Required value")
        if effect not in TAINT_EFFECTS:
            raise ManifestError(f"{path}.effect", _not_supported(effect, TAINT_EFFECTS))
        return cls(key, value, effect)

    def to_manifest(self) -> dict[str, str]:
        out = {"key": self.key}
        if self.value:
            out["value"] = self.value
        out["effect"] = self.effect
        return out


@dataclass(frozen=True, slots=True)
class Toleration:
    """A pod toleration.  ``operator`` ``""`` means Equal (Go's zero value);
    ``Gt``/``Lt`` compare integers.  Empty ``key`` (with Exists) matches every
    taint; empty ``effect`` matches every effect."""

    key: str = ""
    operator: str = ""
    value: str = ""
    effect: str = ""
    toleration_seconds: int | None = None

    @classmethod
    def from_manifest(cls, m: object, path: str) -> Toleration:
        """Parse one toleration, with ValidateTolerations' rules."""
        d = _mapping(m, path)
        key = _string(d, "key", path, default="")
        operator = _string(d, "operator", path, default="")
        value = _string(d, "value", path, default="")
        effect = _string(d, "effect", path, default="")
        seconds = d.get("tolerationSeconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)):
            raise ManifestError(
                f"{path}.tolerationSeconds", f"invalid value {seconds!r}: must be an integer"
            )
        if key:
            _raise_first(qualified_name_errors(key), f"{path}.key", key)
        if not key and operator != "Exists":
            raise ManifestError(
                f"{path}.operator",
                f"invalid value {operator!r}: operator must be Exists when `key` is empty, "
                'which means "match all values and all keys"',
            )
        if seconds is not None and effect != NO_EXECUTE:
            raise ManifestError(
                f"{path}.effect",
                f"invalid value {effect!r}: effect must be 'NoExecute' when `tolerationSeconds` is set",
            )
        if operator in ("", "Equal"):
            _raise_first(label_value_errors(value), f"{path}.value", value)
        elif operator == "Exists":
            if value:
                raise ManifestError(
                    f"{path}.value",
                    f"invalid value {value!r}: value must be empty when `operator` is 'Exists'",
                )
        elif operator in ("Gt", "Lt"):
            if not is_decimal_integer(value) or parse_go_int64(value) is None:
                raise ManifestError(
                    f"{path}.value",
                    f"invalid value {value!r}: for 'Gt', 'Lt' operators the value must be a "
                    "decimal integer in canonical form within int64 (no sign '+', no leading zeros)",
                )
        else:
            raise ManifestError(f"{path}.operator", _not_supported(operator, _TOLERATION_OPERATORS))
        if effect and effect not in TAINT_EFFECTS:
            raise ManifestError(f"{path}.effect", _not_supported(effect, TAINT_EFFECTS))
        return cls(key, operator, value, effect, seconds)

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.key:
            out["key"] = self.key
        if self.operator:
            out["operator"] = self.operator
        if self.value:
            out["value"] = self.value
        if self.effect:
            out["effect"] = self.effect
        if self.toleration_seconds is not None:
            out["tolerationSeconds"] = self.toleration_seconds
        return out


@dataclass(frozen=True, slots=True)
class NodeSelectorRequirement:
    """``key operator values``: In, NotIn, Exists, DoesNotExist, Gt, Lt (for
    ``matchFields``: In or NotIn on ``metadata.name``)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.values, tuple):
            object.__setattr__(self, "values", tuple(self.values))

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "operator": self.operator}
        if self.values:
            out["values"] = list(self.values)
        return out


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """Requirements ANDed.  A term with neither list matches no node."""

    match_expressions: tuple[NodeSelectorRequirement, ...] = ()
    match_fields: tuple[NodeSelectorRequirement, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.match_expressions, tuple):
            object.__setattr__(self, "match_expressions", tuple(self.match_expressions))
        if not isinstance(self.match_fields, tuple):
            object.__setattr__(self, "match_fields", tuple(self.match_fields))

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.match_expressions:
            out["matchExpressions"] = [r.to_manifest() for r in self.match_expressions]
        if self.match_fields:
            out["matchFields"] = [r.to_manifest() for r in self.match_fields]
        return out


@dataclass(frozen=True, slots=True)
class PreferredSchedulingTerm:
    """A preference worth ``weight`` (1..100) on nodes matching ``preference``."""

    weight: int
    preference: NodeSelectorTerm

    def to_manifest(self) -> dict[str, Any]:
        return {"weight": self.weight, "preference": self.preference.to_manifest()}


@dataclass(frozen=True, slots=True)
class NodeAffinity:
    """``required`` is the terms of requiredDuringSchedulingIgnoredDuringExecution
    (``None``: no requirement; ``()``: a selector with no terms, matching
    nothing); ``preferred`` the weighted soft terms."""

    required: tuple[NodeSelectorTerm, ...] | None = None
    preferred: tuple[PreferredSchedulingTerm, ...] = ()

    def __post_init__(self) -> None:
        if self.required is not None and not isinstance(self.required, tuple):
            object.__setattr__(self, "required", tuple(self.required))
        if not isinstance(self.preferred, tuple):
            object.__setattr__(self, "preferred", tuple(self.preferred))

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.required is not None:
            out["requiredDuringSchedulingIgnoredDuringExecution"] = {
                "nodeSelectorTerms": [t.to_manifest() for t in self.required]
            }
        if self.preferred:
            out["preferredDuringSchedulingIgnoredDuringExecution"] = [
                p.to_manifest() for p in self.preferred
            ]
        return out


# --- taints and tolerations ------------------------------------------------------


def _compare_numeric(tol_value: str, taint_value: str, operator: str) -> bool:
    """compareNumericValues: both must be canonical decimal int64 strings."""
    if not is_decimal_integer(tol_value) or not is_decimal_integer(taint_value):
        return False
    t = parse_go_int64(tol_value)
    n = parse_go_int64(taint_value)
    if t is None or n is None:
        return False
    if operator == "Lt":
        return n < t
    if operator == "Gt":
        return n > t
    return False


def tolerates_taint(tol: Toleration, taint: Taint, *, comparison_operators: bool = True) -> bool:
    """Toleration.ToleratesTaint.  ``comparison_operators`` is the
    TaintTolerationComparisonOperators gate: when off, Gt/Lt never tolerate."""
    if tol.effect and tol.effect != taint.effect:
        return False
    if tol.key and tol.key != taint.key:
        return False
    op = tol.operator
    if op in ("", "Equal"):
        return tol.value == taint.value
    if op == "Exists":
        return True
    if op in ("Lt", "Gt"):
        if not comparison_operators:
            return False
        return _compare_numeric(tol.value, taint.value, op)
    return False


def tolerations_tolerate_taint(
    tolerations: Iterable[Toleration], taint: Taint, *, comparison_operators: bool = True
) -> bool:
    """TolerationsTolerateTaint: any toleration tolerates the taint."""
    return any(
        tolerates_taint(t, taint, comparison_operators=comparison_operators) for t in tolerations
    )


def find_untolerated_taint(
    taints: Iterable[Taint],
    tolerations: Iterable[Toleration],
    effects: Collection[str] | None = None,
    *,
    comparison_operators: bool = True,
) -> Taint | None:
    """FindMatchingUntoleratedTaint: the first taint whose effect is in
    ``effects`` (every effect if ``None``) that no toleration tolerates."""
    tols = tuple(tolerations)
    for taint in taints:
        if effects is not None and taint.effect not in effects:
            continue
        if not tolerations_tolerate_taint(tols, taint, comparison_operators=comparison_operators):
            return taint
    return None


# --- node selector matching ------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _expression_valid(key: str, operator: str, values: tuple[str, ...]) -> bool:
    """Would labels.NewRequirement (via nodeSelectorRequirementsAsSelector)
    accept this requirement?  An invalid one makes its whole term match no
    node (LazyErrorNodeSelector)."""
    if operator not in _SELECTOR_OPERATORS:
        return False
    if qualified_name_errors(key):
        return False
    if operator in ("In", "NotIn"):
        if not values:
            return False
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            return False
    else:  # Gt, Lt
        if len(values) != 1 or parse_go_int64(values[0]) is None:
            return False
    return not any(label_value_errors(v) for v in values)


def _field_valid(req: NodeSelectorRequirement) -> bool:
    """nodeSelectorRequirementsAsFieldSelector: In/NotIn with exactly one value."""
    return req.operator in _FIELD_OPERATORS and len(req.values) == 1


def _expression_matches(req: NodeSelectorRequirement, labels: Mapping[str, str]) -> bool:
    """labels.Requirement.Matches for an already-valid requirement."""
    op = req.operator
    if op == "In":
        return req.key in labels and labels[req.key] in req.values
    if op == "NotIn":
        return req.key not in labels or labels[req.key] not in req.values
    if op == "Exists":
        return req.key in labels
    if op == "DoesNotExist":
        return req.key not in labels
    if op in ("Gt", "Lt"):
        if req.key not in labels:
            return False
        have = parse_go_int64(labels[req.key])
        want = parse_go_int64(req.values[0])
        if have is None or want is None:
            return False
        return have > want if op == "Gt" else have < want
    return False


def match_requirement(req: NodeSelectorRequirement, labels: Mapping[str, str]) -> bool:
    """Does one ``matchExpressions`` requirement match the node's labels?
    A requirement Kubernetes cannot parse (bad key, bad operator, wrong number
    of values, a non-integer Gt/Lt value, an invalid label value) matches
    nothing.  ``Gt``/``Lt`` parse both sides with Go's ParseInt (leading zeros
    allowed: ``"0206" Gt "0204"``)."""
    if not _expression_valid(req.key, req.operator, req.values):
        return False
    return _expression_matches(req, labels)


def _field_matches(req: NodeSelectorRequirement, node_name: str) -> bool:
    # fields.Set{"metadata.name": name}.Get(key): "" for any other key.
    have = node_name if req.key == OBJECT_NAME_FIELD else ""
    if req.operator == "In":
        return have == req.values[0]
    return have != req.values[0]


def match_term(term: NodeSelectorTerm, labels: Mapping[str, str], node_name: str) -> bool:
    """nodeSelectorTerm.match.  Empty term: no match.  A term with any
    unparseable requirement: no match.  ``matchFields`` is only consulted for
    a node that has a name (``extractNodeFields`` is empty otherwise)."""
    if not term.match_expressions and not term.match_fields:
        return False
    for req in term.match_expressions:
        if not _expression_valid(req.key, req.operator, req.values):
            return False
    for req in term.match_fields:
        if not _field_valid(req):
            return False
    for req in term.match_expressions:
        if not _expression_matches(req, labels):
            return False
    if term.match_fields and node_name:
        for req in term.match_fields:
            if not _field_matches(req, node_name):
                return False
    return True


def match_node_selector(
    terms: Iterable[NodeSelectorTerm], labels: Mapping[str, str], node_name: str
) -> bool:
    """A NodeSelector: terms ORed.  No terms: no match."""
    return any(match_term(t, labels, node_name) for t in terms)


def match_node_selector_labels(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """``spec.nodeSelector`` (labels.SelectorFromSet): every key present with
    exactly that value."""
    for key, value in selector.items():
        if key not in labels or labels[key] != value:
            return False
    return True


def match_required_node_affinity(
    node_selector: Mapping[str, str] | None,
    affinity: NodeAffinity | None,
    labels: Mapping[str, str],
    node_name: str,
) -> bool:
    """RequiredNodeAffinity.Match: ``spec.nodeSelector`` and the required node
    affinity terms must both hold."""
    if node_selector and not match_node_selector_labels(node_selector, labels):
        return False
    if affinity is not None and affinity.required is not None:
        return match_node_selector(affinity.required, labels, node_name)
    return True


def score_preferred_terms(
    preferred: Iterable[PreferredSchedulingTerm], labels: Mapping[str, str], node_name: str
) -> int:
    """PreferredSchedulingTerms.Score: the sum of the weights of the matching
    terms (weight-0 and empty terms skipped)."""
    score = 0
    for p in preferred:
        if p.weight == 0:
            continue
        if match_term(p.preference, labels, node_name):
            score += p.weight
    return score


# --- manifest parsing helpers ------------------------------------------------------


def _mapping(m: object, path: str) -> Mapping[str, Any]:
    if not isinstance(m, Mapping):
        raise ManifestError(path, f"must be a mapping, got {type(m).__name__} {m!r}")
    return m


def _string(d: Mapping[str, Any], key: str, path: str, *, default: str | None = None) -> str:
    v = d.get(key)
    if v is None:
        if default is None:
            raise ManifestError(f"{path}.{key}", "Required value")
        return default
    if not isinstance(v, str):
        raise ManifestError(f"{path}.{key}", f"invalid value {v!r}: must be a string")
    return v


def _list(v: object, path: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise ManifestError(path, f"must be a list, got {type(v).__name__} {v!r}")
    return v


def _raise_first(errs: list[str], path: str, value: object) -> None:
    if errs:
        raise ManifestError(path, f"invalid value {value!r}: {errs[0]}")


def _not_supported(value: str, supported: Iterable[str]) -> str:
    return f"Unsupported value: {value!r}: supported values: " + ", ".join(
        f'"{s}"' for s in supported
    )


def parse_labels(raw: object, path: str) -> dict[str, str]:
    """A label map (metadata.labels, spec.nodeSelector) with ValidateLabels'
    rules: qualified-name keys, string label values."""
    if raw is None:
        return {}
    d = _mapping(raw, path)
    out: dict[str, str] = {}
    for k, v in d.items():
        if not isinstance(k, str):
            raise ManifestError(path, f"invalid label key {k!r}: must be a string")
        kpath = f"{path}[{k}]"
        if not isinstance(v, str):
            raise ManifestError(kpath, f"invalid value {v!r}: label values must be strings (quote it)")
        _raise_first(qualified_name_errors(k), kpath, k)
        _raise_first(label_value_errors(v), kpath, v)
        out[k] = v
    return out


def parse_taints(raw: object, path: str) -> tuple[Taint, ...]:
    """``spec.taints`` with validateNodeTaints' rules, including uniqueness by
    (key, effect)."""
    taints: list[Taint] = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(_list(raw, path)):
        p = f"{path}[{i}]"
        taint = Taint.from_manifest(t, p)
        if (taint.key, taint.effect) in seen:
            raise ManifestError(
                p, f"Duplicate value: {taint.key}:{taint.effect}: taints must be unique by key and effect pair"
            )
        seen.add((taint.key, taint.effect))
        taints.append(taint)
    return tuple(taints)


def parse_tolerations(raw: object, path: str) -> tuple[Toleration, ...]:
    return tuple(Toleration.from_manifest(t, f"{path}[{i}]") for i, t in enumerate(_list(raw, path)))


def _parse_values(d: Mapping[str, Any], path: str) -> tuple[str, ...]:
    vals = _list(d.get("values"), f"{path}.values")
    for j, v in enumerate(vals):
        if not isinstance(v, str):
            raise ManifestError(f"{path}.values[{j}]", f"invalid value {v!r}: must be a string (quote it)")
    return tuple(vals)


def _parse_expression(m: object, path: str, allow_invalid_label_values: bool) -> NodeSelectorRequirement:
    """ValidateNodeSelectorRequirement, plus labels.NewRequirement's integer
    check for Gt/Lt (the API server accepts a non-integer there, but the
    scheduler can then never match the term, so kubekit rejects it)."""
    d = _mapping(m, path)
    key = _string(d, "key", path, default="")
    op = _string(d, "operator", path, default="")
    values = _parse_values(d, path)
    vpath = f"{path}.values"
    if op in ("In", "NotIn"):
        if not values:
            raise ManifestError(vpath, "Required value: must be specified when `operator` is 'In' or 'NotIn'")
    elif op in ("Exists", "DoesNotExist"):
        if values:
            raise ManifestError(
                vpath,
                f"Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist' (got {list(values)!r})",
            )
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            raise ManifestError(
                vpath,
                f"Required value: must be specified single value when `operator` is 'Lt' or 'Gt' (got {list(values)!r})",
            )
        if parse_go_int64(values[0]) is None:
            raise ManifestError(
                f"{vpath}[0]",
                f"invalid value {values[0]!r}: for 'Gt', 'Lt' operators, the value must be an integer",
            )
    else:
        raise ManifestError(
            f"{path}.operator",
            f"invalid value {op!r}: not a valid selector operator (one of {', '.join(_SELECTOR_OPERATORS)})",
        )
    _raise_first(qualified_name_errors(key), f"{path}.key", key)
    if not allow_invalid_label_values:
        for j, v in enumerate(values):
            _raise_first(label_value_errors(v), f"{vpath}[{j}]", v)
    return NodeSelectorRequirement(key, op, values)


def _parse_field(m: object, path: str) -> NodeSelectorRequirement:
    """ValidateNodeFieldSelectorRequirement."""
    d = _mapping(m, path)
    key = _string(d, "key", path, default="")
    op = _string(d, "operator", path, default="")
    values = _parse_values(d, path)
    if op in _FIELD_OPERATORS:
        if len(values) != 1:
            raise ManifestError(
                f"{path}.values",
                "Required value: must be only one value when `operator` is 'In' or 'NotIn' for node "
                f"field selector (got {list(values)!r})",
            )
    else:
        raise ManifestError(f"{path}.operator", f"invalid value {op!r}: not a valid selector operator (In or NotIn)")
    if key != OBJECT_NAME_FIELD:
        raise ManifestError(f"{path}.key", f"invalid value {key!r}: not a valid field selector key (only metadata.name)")
    for j, v in enumerate(values):
        _raise_first(dns1123_subdomain_errors(v), f"{path}.values[{j}]", v)
    return NodeSelectorRequirement(key, op, values)


def _parse_term(m: object, path: str, allow_invalid_label_values: bool) -> NodeSelectorTerm:
    d = _mapping(m, path)
    exprs = tuple(
        _parse_expression(e, f"{path}.matchExpressions[{j}]", allow_invalid_label_values)
        for j, e in enumerate(_list(d.get("matchExpressions"), f"{path}.matchExpressions"))
    )
    fields = tuple(
        _parse_field(e, f"{path}.matchFields[{j}]")
        for j, e in enumerate(_list(d.get("matchFields"), f"{path}.matchFields"))
    )
    return NodeSelectorTerm(exprs, fields)


def parse_node_affinity(raw: object, path: str) -> NodeAffinity | None:
    """``spec.affinity.nodeAffinity`` (``path`` names that field) with
    validateNodeAffinity's rules; ``None`` if it sets nothing."""
    if raw is None:
        return None
    d = _mapping(raw, path)
    required: tuple[NodeSelectorTerm, ...] | None = None
    rpath = f"{path}.requiredDuringSchedulingIgnoredDuringExecution"
    req = d.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        rd = _mapping(req, rpath)
        tpath = f"{rpath}.nodeSelectorTerms"
        terms = _list(rd.get("nodeSelectorTerms"), tpath)
        if not terms:
            raise ManifestError(tpath, "Required value: must have at least one node selector term")
        required = tuple(_parse_term(t, f"{tpath}[{i}]", False) for i, t in enumerate(terms))
    ppath = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    preferred: list[PreferredSchedulingTerm] = []
    for i, p in enumerate(_list(d.get("preferredDuringSchedulingIgnoredDuringExecution"), ppath)):
        ip = f"{ppath}[{i}]"
        pd = _mapping(p, ip)
        w = pd.get("weight")
        if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= 100:
            raise ManifestError(f"{ip}.weight", f"invalid value {w!r}: must be in the range 1-100")
        pref = pd.get("preference")
        if pref is None:
            raise ManifestError(f"{ip}.preference", "Required value")
        # Preferred terms may carry invalid label values (they can still
        # succeed on a single-node cluster), as validation.go allows.
        preferred.append(PreferredSchedulingTerm(w, _parse_term(pref, f"{ip}.preference", True)))
    if required is None and not preferred:
        return None
    return NodeAffinity(required, tuple(preferred))
