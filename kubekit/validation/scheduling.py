"""Scheduling fields of a pod spec: tolerations, node selector terms, pod
(anti-)affinity, topology spread constraints.

Ports of ``ValidateTolerations``, ``validateTaintEffect``,
``validateOnlyAddedTolerations``, ``ValidateNodeSelectorRequirement``,
``ValidateNodeFieldSelectorRequirement``, ``ValidateNodeSelector``,
``ValidatePreferredSchedulingTerms`` and ``validatePodAffinityTerm(s)`` from
``pkg/apis/core/validation/validation.go`` (v1.34).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.api.affinity import is_decimal_integer, parse_go_int64
from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, not_supported, required
from kubekit.validation.meta import validate_label_name, validate_label_selector
from kubekit.validation.names import label_value_errors, name_is_dns_label, name_is_dns_subdomain
from kubekit.validation.options import Options

__all__ = [
    "TAINT_EFFECTS",
    "normalized_toleration",
    "validate_affinity",
    "validate_taint_effect",
    "validate_tolerations",
]

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def validate_taint_effect(effect: str, allow_empty: bool, path: Path) -> list[FieldError]:
    """validateTaintEffect."""
    if not allow_empty and not effect:
        return [required(path)]
    if effect not in TAINT_EFFECTS:
        return [not_supported(path, effect, TAINT_EFFECTS)]
    return []


def validate_tolerations(raw: Any, path: Path, options: Options) -> list[FieldError]:
    """ValidateTolerations.  ``Gt``/``Lt`` need the
    TaintTolerationComparisonOperators gate; their value rule and message
    follow :mod:`kubekit.api.affinity` (not verified against upstream)."""
    errs: list[FieldError] = []
    operators = ("Equal", "Exists", "Gt", "Lt") if options.toleration_comparison_operators else ("Equal", "Exists")
    for i, item in enumerate(shape.sequence(raw, path, errs)):
        p = path.index(i)
        tol = shape.mapping(item, p, errs)
        key = shape.string(tol.get("key"), p.child("key"), errs)
        op = shape.string(tol.get("operator"), p.child("operator"), errs)
        value = shape.string(tol.get("value"), p.child("value"), errs)
        effect = shape.string(tol.get("effect"), p.child("effect"), errs)
        seconds = shape.integer(tol.get("tolerationSeconds"), p.child("tolerationSeconds"), errs)
        if key:
            errs += validate_label_name(key, p.child("key"))
        if not key and op != "Exists":
            errs.append(invalid(p.child("operator"), op,
                                'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
        if seconds is not None and effect != "NoExecute":
            errs.append(invalid(p.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            msgs = label_value_errors(value)
            if msgs:
                errs.append(invalid(p.child("operator"), value, ";".join(msgs)))
        elif op == "Exists":
            if value:
                errs.append(invalid(p.child("operator"), value, "value must be empty when `operator` is 'Exists'"))
        elif op in operators:  # Gt / Lt with the gate on
            if not is_decimal_integer(value) or parse_go_int64(value) is None:
                errs.append(invalid(p.child("value"), value,
                                    "for 'Gt', 'Lt' operators the value must be a decimal integer in canonical "
                                    "form within int64 (no sign '+', no leading zeros)"))
        else:
            errs.append(not_supported(p.child("operator"), op, operators))
        if effect:
            errs += validate_taint_effect(effect, True, p.child("effect"))
    return errs


def normalized_toleration(t: Any) -> Any:
    """A toleration with Go's zero values filled in, for equality tests."""
    if not isinstance(t, dict):
        return t
    return (shape.text(t.get("key")), shape.text(t.get("operator")), shape.text(t.get("value")), shape.text(t.get("effect")))


# --- node affinity ------------------------------------------------------------


def _node_selector_requirement(req: Mapping[str, Any], allow_invalid_values: bool, path: Path,
                               errs: list[FieldError]) -> None:
    op = shape.string(req.get("operator"), path.child("operator"), errs)
    values = [shape.string(v, path.child("values").index(j), errs)
              for j, v in enumerate(shape.sequence(req.get("values"), path.child("values"), errs))]
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid(path.child("operator"), op, "not a valid selector operator"))
    errs += validate_label_name(shape.string(req.get("key"), path.child("key"), errs), path.child("key"))
    if not allow_invalid_values:
        for j, v in enumerate(values):
            errs += [invalid(path.child("values").index(j), v, m) for m in label_value_errors(v)]


def _node_field_selector_requirement(req: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    op = shape.string(req.get("operator"), path.child("operator"), errs)
    values = [v for v in shape.sequence(req.get("values"), path.child("values"), errs)]
    if op in ("In", "NotIn"):
        if len(values) != 1:
            errs.append(required(path.child("values"),
                                 "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
    else:
        errs.append(invalid(path.child("operator"), op, "not a valid selector operator"))
    key = shape.string(req.get("key"), path.child("key"), errs)
    if key != "metadata.name":
        errs.append(invalid(path.child("key"), key, "not a valid field selector key"))
    else:
        for j, v in enumerate(values):
            v = v if isinstance(v, str) else ""
            errs += [invalid(path.child("values").index(j), v, m) for m in name_is_dns_subdomain(v, False)]


def _node_selector_term(term: Mapping[str, Any], allow_invalid_values: bool, path: Path, errs: list[FieldError]) -> None:
    for j, req in enumerate(shape.sequence(term.get("matchExpressions"), path.child("matchExpressions"), errs)):
        p = path.child("matchExpressions").index(j)
        _node_selector_requirement(shape.mapping(req, p, errs), allow_invalid_values, p, errs)
    for j, req in enumerate(shape.sequence(term.get("matchFields"), path.child("matchFields"), errs)):
        p = path.child("matchFields").index(j)
        _node_field_selector_requirement(shape.mapping(req, p, errs), p, errs)


def _validate_node_affinity(na: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        rp = path.child("requiredDuringSchedulingIgnoredDuringExecution")
        selector = shape.mapping(req, rp, errs)
        terms = shape.sequence(selector.get("nodeSelectorTerms"), rp.child("nodeSelectorTerms"), errs)
        if not terms:
            errs.append(required(rp.child("nodeSelectorTerms"), "must have at least one node selector term"))
        for i, term in enumerate(terms):
            tp = rp.child("nodeSelectorTerms").index(i)
            _node_selector_term(shape.mapping(term, tp, errs), False, tp, errs)
    pp = path.child("preferredDuringSchedulingIgnoredDuringExecution")
    for i, item in enumerate(shape.sequence(na.get("preferredDuringSchedulingIgnoredDuringExecution"), pp, errs)):
        p = pp.index(i)
        term = shape.mapping(item, p, errs)
        weight = shape.integer(term.get("weight"), p.child("weight"), errs) or 0
        if weight <= 0 or weight > 100:
            errs.append(invalid(p.child("weight"), weight, "must be in the range 1-100"))
        # "we always allow invalid label-value for preferred affinity"
        _node_selector_term(shape.mapping(term.get("preference"), p.child("preference"), errs), True,
                            p.child("preference"), errs)


# --- pod affinity -------------------------------------------------------------


def _pod_affinity_term(term: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    errs += validate_label_selector(term.get("labelSelector"), path.child("labelSelector"))
    errs += validate_label_selector(term.get("namespaceSelector"), path.child("namespaceSelector"))
    for ns in shape.sequence(term.get("namespaces"), path.child("namespaces"), errs):
        ns = ns if isinstance(ns, str) else ""
        # upstream reports these at ".namespace" (singular)
        errs += [invalid(path.child("namespace"), ns, m) for m in name_is_dns_label(ns, False)]
    topology_key = shape.string(term.get("topologyKey"), path.child("topologyKey"), errs)
    if not topology_key:
        errs.append(required(path.child("topologyKey"), "can not be empty"))
    errs += validate_label_name(topology_key, path.child("topologyKey"))


def _validate_pod_affinity(pa: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    rp = path.child("requiredDuringSchedulingIgnoredDuringExecution")
    for i, term in enumerate(shape.sequence(pa.get("requiredDuringSchedulingIgnoredDuringExecution"), rp, errs)):
        _pod_affinity_term(shape.mapping(term, rp.index(i), errs), rp.index(i), errs)
    pp = path.child("preferredDuringSchedulingIgnoredDuringExecution")
    for i, item in enumerate(shape.sequence(pa.get("preferredDuringSchedulingIgnoredDuringExecution"), pp, errs)):
        p = pp.index(i)
        weighted = shape.mapping(item, p, errs)
        weight = shape.integer(weighted.get("weight"), p.child("weight"), errs) or 0
        if weight <= 0 or weight > 100:
            errs.append(invalid(p.child("weight"), weight, "must be in the range 1-100"))
        term = shape.mapping(weighted.get("podAffinityTerm"), p.child("podAffinityTerm"), errs)
        _pod_affinity_term(term, p.child("podAffinityTerm"), errs)


def validate_affinity(raw: Any, path: Path) -> list[FieldError]:
    """validateAffinity (matchLabelKeys/mismatchLabelKeys are not checked)."""
    errs: list[FieldError] = []
    if raw is None:
        return errs
    affinity = shape.mapping(raw, path, errs)
    if affinity.get("nodeAffinity") is not None:
        _validate_node_affinity(shape.mapping(affinity["nodeAffinity"], path.child("nodeAffinity"), errs),
                                path.child("nodeAffinity"), errs)
    for key in ("podAffinity", "podAntiAffinity"):
        if affinity.get(key) is not None:
            _validate_pod_affinity(shape.mapping(affinity[key], path.child(key), errs), path.child(key), errs)
    return errs
