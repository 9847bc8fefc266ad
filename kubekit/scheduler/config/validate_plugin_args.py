"""Stage 3, plugin args: pkg/scheduler/apis/config/validation/validation_pluginargs.go."""

from __future__ import annotations

import re
from typing import Callable, Sequence

from kubekit.scheduler.config.field_errors import (
    _duplicate,
    _FieldError,
    _forbidden,
    _go_string_slice,
    _GoRepr,
    _invalid,
    _not_supported,
    _Path,
    _required,
)
from kubekit.scheduler.config.name_validation import _is_qualified_name, _is_valid_label_value, _validate_label_name
from kubekit.scheduler.config.registry import _VersionSpec


_SCORING_TYPES = ("LeastAllocated", "MostAllocated", "RequestedToCapacityRatio")
_MAX_CUSTOM_PRIORITY_SCORE = 10


# validation_pluginargs.go
def _validate_default_preemption(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    pct, ab = a.get("minCandidateNodesPercentage", 0), a.get("minCandidateNodesAbsolute", 0)
    if not 0 <= pct <= 100:
        errs.append(_invalid(p.child("minCandidateNodesPercentage"), pct, "not in valid range [0, 100]"))
    if ab < 0:
        errs.append(_invalid(p.child("minCandidateNodesAbsolute"), ab, "not in valid range [0, inf)"))
    if pct == 0 and ab == 0:
        errs.append(_invalid(p.child("minCandidateNodesPercentage"), pct,
                             "cannot be zero at the same time as minCandidateNodesAbsolute"))
        errs.append(_invalid(p.child("minCandidateNodesAbsolute"), ab,
                             "cannot be zero at the same time as minCandidateNodesPercentage"))
    return errs


def _validate_inter_pod_affinity(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    w = a.get("hardPodAffinityWeight", 0)
    if not 0 <= w <= 100:
        return [_invalid(p.child("hardPodAffinityWeight"), w, "not in valid range [0, 100]")]
    return []


def _validate_pod_topology_spread(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    dtype = a.get("defaultingType", "")
    constraints = a.get("defaultConstraints") or []
    if dtype not in ("System", "List"):
        errs.append(_not_supported(p.child("defaultingType"), dtype, ["System", "List"]))
    elif dtype == "System" and constraints:
        errs.append(_invalid(p.child("defaultingType"), dtype, "when .defaultConstraints are not empty"))
    cp = p.child("defaultConstraints")
    for i, c in enumerate(constraints):
        ip = cp.index(i)
        if c.get("maxSkew", 0) <= 0:
            errs.append(_invalid(ip.child("maxSkew"), c.get("maxSkew", 0), "not in valid range (0, inf)"))
        key = c.get("topologyKey", "")
        if not key:
            errs.append(_required(ip.child("topologyKey"), "can not be empty"))
        else:
            errs.extend(_validate_label_name(key, ip.child("topologyKey")))
        action = c.get("whenUnsatisfiable", "")
        if not action:
            errs.append(_required(ip.child("whenUnsatisfiable"), "can not be empty"))
        elif action not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(_not_supported(ip.child("whenUnsatisfiable"), action, ["DoNotSchedule", "ScheduleAnyway"]))
        if "labelSelector" in c:
            errs.append(_forbidden(ip.child("labelSelector"), "constraint must not define a selector, as they deduced for each pod"))
        for other in constraints[:i]:
            if other.get("topologyKey", "") == key and other.get("whenUnsatisfiable", "") == action:
                errs.append(_duplicate(ip, f"{{{key}, {action}}}"))
                break
    return errs


def _validate_function_shape(shape: Sequence[dict] | None, p: _Path) -> list[_FieldError]:
    if not shape:
        return [_required(p, "at least one point must be specified")]
    errs = []
    for i in range(1, len(shape)):
        if shape[i - 1].get("utilization", 0) >= shape[i].get("utilization", 0):
            errs.append(_invalid(p.index(i).child("utilization"), shape[i].get("utilization", 0),
                                 "values must be sorted in increasing order"))
            break
    for i, pt in enumerate(shape):
        u, s = pt.get("utilization", 0), pt.get("score", 0)
        if not 0 <= u <= 100:
            errs.append(_invalid(p.index(i).child("utilization"), u, "not in valid range [0, 100]"))
        if not 0 <= s <= _MAX_CUSTOM_PRIORITY_SCORE:
            errs.append(_invalid(p.index(i).child("score"), s, f"not in valid range [0, {_MAX_CUSTOM_PRIORITY_SCORE}]"))
    return errs


def _validate_resources(resources: Sequence[dict], p: _Path) -> list[_FieldError]:
    errs = []
    for i, r in enumerate(resources):
        w = r.get("weight", 0)
        if w <= 0 or w > 100:
            errs.append(_invalid(p.index(i).child("weight"), w,
                                 f"resource weight of {r.get('name', '')} not in valid range (0, 100]"))
    return errs


def _validate_balanced_allocation(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    seen: set[str] = set()
    for i, r in enumerate(a.get("resources") or ()):
        rp = p.child("resources").index(i)
        name = r.get("name", "")
        if name in seen:
            errs.append(_duplicate(rp.child("name"), name))
        else:
            seen.add(name)
        if r.get("weight", 0) != 1:
            errs.append(_invalid(rp.child("weight"), r.get("weight", 0), "must be 1"))
    return errs


def _validate_node_affinity(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    aff = a.get("addedAffinity")
    if aff is None:
        return []
    errs: list[_FieldError] = []
    base = p.child("addedAffinity")
    req = aff.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        tp = base.child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
        for i, term in enumerate(req.get("nodeSelectorTerms") or ()):
            errs.extend(_validate_node_selector_term(term, tp.index(i)))
    for i, term in enumerate(aff.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
        if term.get("weight", 0) == 0:
            continue
        errs.extend(_validate_node_selector_term(term.get("preference") or {},
                                                 base.child("preferredDuringSchedulingIgnoredDuringExecution").index(i)))
    return errs


_NODE_SELECTOR_OPS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")


def _validate_node_selector_term(term: dict, p: _Path) -> list[_FieldError]:
    """component-helpers nodeaffinity newNodeSelectorTerm + labels.NewRequirement."""
    errs: list[_FieldError] = []
    for i, expr in enumerate(term.get("matchExpressions") or ()):
        ep = p.child("matchExpressions").index(i)
        op, key, vals = expr.get("operator", ""), expr.get("key", ""), expr.get("values")
        if op not in _NODE_SELECTOR_OPS:
            errs.append(_not_supported(ep.child("operator"), op, _NODE_SELECTOR_OPS))
            continue
        key_errs = _is_qualified_name(key)
        if key_errs:
            errs.append(_invalid(ep.child("key"), key, "; ".join(key_errs)))
        vp = ep.child("values")
        n = len(vals or ())
        if op in ("In", "NotIn") and n == 0:
            errs.append(_invalid(vp, _go_string_slice(vals), "for 'in', 'notin' operators, values set can't be empty"))
        elif op in ("Exists", "DoesNotExist") and n != 0:
            errs.append(_invalid(vp, _go_string_slice(vals), "values set must be empty for exists and does not exist"))
        elif op in ("Gt", "Lt"):
            if n != 1:
                errs.append(_invalid(vp, _go_string_slice(vals), "for 'Gt', 'Lt' operators, exactly one value is required"))
            for j, v in enumerate(vals or ()):
                if not re.fullmatch(r"[+-]?\d+", v) or not -(2**63) <= int(v) < 2**63:
                    errs.append(_invalid(vp.index(j), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
        for j, v in enumerate(vals or ()):
            value_errs = _is_valid_label_value(v)
            if value_errs:
                errs.append(_invalid(vp.index(j).key(key), v, "; ".join(value_errs)))
    for i, expr in enumerate(term.get("matchFields") or ()):
        fp = p.child("matchFields").index(i)
        op, vals = expr.get("operator", ""), expr.get("values")
        if op in ("In", "NotIn"):
            if len(vals or ()) != 1:
                errs.append(_invalid(fp.child("values"), _go_string_slice(vals), "must have one element"))
        else:
            errs.append(_not_supported(fp.child("operator"), op, ("In", "NotIn")))
    return errs


def _validate_volume_binding(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    if a.get("bindTimeoutSeconds", 0) < 0:
        errs.append(_invalid(p.child("bindTimeoutSeconds"), a["bindTimeoutSeconds"],
                             "invalid BindTimeoutSeconds, should not be a negative value"))
    if a.get("shape") is not None:
        # StorageCapacityScoring is alpha (off) in v1.34/v1.35.
        points = ", ".join(f"config.UtilizationShapePoint{{Utilization:{s.get('utilization', 0)}, Score:{s.get('score', 0)}}}"
                           for s in a["shape"])
        errs.append(_invalid(p.child("shape"), _GoRepr(f"[]config.UtilizationShapePoint{{{points}}}"),
                             "unexpected field `shape`, remove it or turn on the feature gate StorageCapacityScoring"))
    return errs


def _validate_dynamic_resources(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    ft = a.get("filterTimeout")
    if ft is not None and ft.ns < 0:
        errs.append(_invalid(p.child("filterTimeout"), _GoRepr(str(ft)), "must be zero or positive"))
    bt = a.get("bindingTimeout")
    if bt is not None:
        if not spec.dra_binding_timeout:
            errs.append(_forbidden(p.child("bindingTimeout"),
                                   "DRADeviceBindingConditions or DRAResourceClaimDeviceStatus feature gate is disabled"))
        elif bt.ns < 10**9:
            errs.append(_invalid(p.child("bindingTimeout"), _GoRepr(str(bt)), "must be at least 1 second"))
    return errs


_ARG_VALIDATORS: dict[str, Callable[[_Path, dict, _VersionSpec], list[_FieldError]]] = {
    "DefaultPreemption": _validate_default_preemption,
    "InterPodAffinity": _validate_inter_pod_affinity,
    "NodeAffinity": _validate_node_affinity,
    "NodeResourcesBalancedAllocation": _validate_balanced_allocation,
    # validation.go keys this validator "NodeResourcesFitArgs", so the config
    # stage never validates NodeResourcesFit's args; NewFit does (stage 4).
    "PodTopologySpread": _validate_pod_topology_spread,
    "VolumeBinding": _validate_volume_binding,
    "DynamicResources": _validate_dynamic_resources,
}


def _validate_fit_args(p: _Path | None, a: dict) -> list[_FieldError]:
    """ValidateNodeResourcesFitArgs as called by noderesources.NewFit (v1.34/v1.35)."""
    p = p or _Path()
    errs: list[_FieldError] = []
    for i, res in enumerate(a.get("ignoredResources") or ()):
        errs.extend(_validate_label_name(res, p.child("ignoredResources").index(i)))
    for i, group in enumerate(a.get("ignoredResourceGroups") or ()):
        gp = p.child("ignoredResourceGroups").index(i)
        if "/" in group:
            errs.append(_invalid(gp, group, "resource group name can't contain '/'"))
        errs.extend(_validate_label_name(group, gp))
    ss = a.get("scoringStrategy")
    sp = p.child("scoringStrategy")
    if ss is not None:
        if ss.get("type", "") not in _SCORING_TYPES:
            errs.append(_not_supported(sp.child("type"), ss.get("type", ""), _SCORING_TYPES))
        errs.extend(_validate_resources(ss.get("resources") or (), sp.child("resources")))
        rtcr = ss.get("requestedToCapacityRatio")
        if rtcr is not None:
            errs.extend(_validate_function_shape(rtcr.get("shape"), sp.child("shape")))
    return errs
