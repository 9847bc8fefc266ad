"""autoscaling/v2 HorizontalPodAutoscaler: ``ValidateHorizontalPodAutoscaler``,
``ValidateHorizontalPodAutoscalerUpdate`` and their helpers
(``pkg/apis/autoscaling/validation/validation.go``, the v1.3x text with
ContainerResource metrics and behaviors), and the defaulting of
``pkg/apis/autoscaling/v2/defaults.go`` (``SetDefaults_HorizontalPodAutoscaler``,
``GenerateHPAScaleUpRules``/``GenerateHPAScaleDownRules``).

The HPAScaleToZero feature gate (alpha, off) is off: ``minReplicas`` must be
at least 1, unless the old object of an update already had 0 (as upstream).
``behavior.scale{Up,Down}.tolerance`` (HPAConfigurableTolerance) must be a
non-negative quantity (``ValidateNonnegativeQuantity``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, not_supported, required, type_invalid
from kubekit.validation.meta import validate_label_selector, validate_object_meta, validate_object_meta_update
from kubekit.validation.names import dns1123_label_errors, name_is_dns_subdomain
from kubekit.validation.resources import _validate_container_resource_name

__all__ = ["default_hpa", "validate_hpa", "validate_hpa_update", "MAX_PERIOD_SECONDS",
           "MAX_STABILIZATION_WINDOW_SECONDS"]

MAX_PERIOD_SECONDS = 1800
MAX_STABILIZATION_WINDOW_SECONDS = 3600
DEFAULT_CPU_UTILIZATION = 80

_SOURCE_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")     # sets.List(): sorted
_SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external",
                  "ContainerResource": "containerResource"}
_SELECT_POLICIES = ("Disabled", "Max", "Min")
_POLICY_TYPES = ("Percent", "Pods")


# -- defaulting -------------------------------------------------------------------------------

def _scale_up_rules() -> dict[str, Any]:
    return {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                         {"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _scale_down_rules() -> dict[str, Any]:
    return {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _fill(rules: Any, defaults: dict[str, Any]) -> Any:
    if rules is None:
        return defaults
    if not isinstance(rules, dict):
        return rules
    out = dict(rules)
    for key, value in defaults.items():
        if out.get(key) is None:
            out[key] = value
    return out


def default_hpa(hpa: Mapping[str, Any]) -> dict[str, Any]:
    """``SetDefaults_HorizontalPodAutoscaler``: ``minReplicas`` 1, no metrics
    -> cpu at 80% utilization, a set ``behavior`` has its unset rules and
    fields filled (a set policy list, even empty, is kept)."""
    out = copy.deepcopy(dict(hpa))
    spec = out.get("spec")
    if not isinstance(spec, dict):
        return out
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _fill(behavior.get("scaleUp"), _scale_up_rules())
        behavior["scaleDown"] = _fill(behavior.get("scaleDown"), _scale_down_rules())
    return out


# -- validation -------------------------------------------------------------------------------

def _path_segment_errors(name: str) -> list[str]:
    """``IsValidPathSegmentName``."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def _cross_version_ref(raw: Any, path: Path) -> list[FieldError]:
    """``ValidateCrossVersionObjectReference``."""
    errs: list[FieldError] = []
    ref = shape.mapping(raw, path, errs)
    for key in ("kind", "name"):
        value = shape.string(ref.get(key), path.child(key), errs)
        if not value:
            errs.append(required(path.child(key), ""))
        else:
            errs += [invalid(path.child(key), value, m) for m in _path_segment_errors(value)]
    return errs


def _quantity(raw: Any, path: Path, errs: list[FieldError]) -> Quantity | None:
    if raw is None:
        return None
    try:
        return Quantity.from_manifest(raw)
    except (ValueError, TypeError) as e:
        errs.append(type_invalid(path, raw, str(e)))
        return None


def _metric_target(raw: Any, path: Path, errs: list[FieldError]) -> dict[str, Any]:
    """``validateMetricTarget``; returns the target with parsed quantities."""
    target = shape.mapping(raw, path, errs)
    kind = shape.string(target.get("type"), path.child("type"), errs)
    if not kind:
        errs.append(required(path.child("type"), "must specify a metric target type"))
    if kind not in ("Utilization", "Value", "AverageValue"):
        errs.append(invalid(path.child("type"), kind, "must be either Utilization, Value, or AverageValue"))
    value = _quantity(target.get("value"), path.child("value"), errs)
    if value is not None and value.sign() != 1:
        errs.append(invalid(path.child("value"), str(value), "must be positive"))
    average = _quantity(target.get("averageValue"), path.child("averageValue"), errs)
    if average is not None and average.sign() != 1:
        errs.append(invalid(path.child("averageValue"), str(average), "must be positive"))
    utilization = shape.integer(target.get("averageUtilization"), path.child("averageUtilization"), errs)
    if utilization is not None and utilization < 1:
        errs.append(invalid(path.child("averageUtilization"), utilization, "must be greater than 0"))
    return {"value": value, "averageValue": average, "averageUtilization": utilization}


def _metric_identifier(raw: Any, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    ident = shape.mapping(raw, path, errs)
    name = shape.string(ident.get("name"), path.child("name"), errs)
    if not name:
        errs.append(required(path.child("name"), "must specify a metric name"))
    else:
        errs += [invalid(path.child("name"), name, m) for m in _path_segment_errors(name)]
    return errs + validate_label_selector(ident.get("selector"), path.child("selector"))


def _resource_source(src: Mapping[str, Any], path: Path, container: bool) -> list[FieldError]:
    """``validateResourceSource`` / ``validateContainerResourceSource``."""
    errs: list[FieldError] = []
    name = shape.string(src.get("name"), path.child("name"), errs)
    if not name:
        errs.append(required(path.child("name"), "must specify a resource name"))
    elif container:
        errs += _validate_container_resource_name(name, path.child("name"))
    if container:
        cname = shape.string(src.get("container"), path.child("container"), errs)
        if not cname:
            errs.append(required(path.child("container"), "must specify a container"))
        else:
            errs += [invalid(path.child("container"), cname, m) for m in dns1123_label_errors(cname)]
    t = _metric_target(src.get("target"), path.child("target"), errs)
    tp = path.child("target")
    if t["averageUtilization"] is None and t["averageValue"] is None:
        errs.append(required(tp.child("averageUtilization"), "must set either a target raw value or a target utilization"))
    if t["averageUtilization"] is not None and t["averageValue"] is not None:
        errs.append(forbidden(tp.child("averageValue"), "may not set both a target raw value and a target utilization"))
    return errs


def _object_source(src: Mapping[str, Any], path: Path) -> list[FieldError]:
    errs = _cross_version_ref(src.get("describedObject"), path.child("describedObject"))
    errs += _metric_identifier(src.get("metric"), path.child("metric"))
    t = _metric_target(src.get("target"), path.child("target"), errs)
    if t["value"] is None and t["averageValue"] is None:
        errs.append(required(path.child("target", "averageValue"), "must set either a target value or averageValue"))
    return errs


def _external_source(src: Mapping[str, Any], path: Path) -> list[FieldError]:
    errs = _metric_identifier(src.get("metric"), path.child("metric"))
    t = _metric_target(src.get("target"), path.child("target"), errs)
    if t["value"] is None and t["averageValue"] is None:
        errs.append(required(path.child("target", "averageValue"),
                             "must set either a target value for metric or a per-pod target"))
    if t["value"] is not None and t["averageValue"] is not None:
        errs.append(forbidden(path.child("target", "value"),
                              "may not set both a target value for metric and a per-pod target"))
    return errs


def _pods_source(src: Mapping[str, Any], path: Path) -> list[FieldError]:
    errs = _metric_identifier(src.get("metric"), path.child("metric"))
    t = _metric_target(src.get("target"), path.child("target"), errs)
    if t["averageValue"] is None:
        errs.append(required(path.child("target", "averageValue"), "must specify a positive target averageValue"))
    return errs


_SOURCE_CHECKS = (
    ("object", lambda s, p: _object_source(s, p)),
    ("external", lambda s, p: _external_source(s, p)),
    ("pods", lambda s, p: _pods_source(s, p)),
    ("resource", lambda s, p: _resource_source(s, p, False)),
    ("containerResource", lambda s, p: _resource_source(s, p, True)),
)


def _metric_spec(raw: Any, path: Path) -> list[FieldError]:
    """``validateMetricSpec``: a known type, its member set, no other member."""
    errs: list[FieldError] = []
    spec = shape.mapping(raw, path, errs)
    kind = shape.string(spec.get("type"), path.child("type"), errs)
    if not kind:
        errs.append(required(path.child("type"), "must specify a metric source type"))
    if kind not in _SOURCE_TYPES:
        errs.append(not_supported(path.child("type"), kind, _SOURCE_TYPES))
    present: list[str] = []
    for member, check in _SOURCE_CHECKS:
        if spec.get(member) is not None:
            present.append(member)
            if len(present) == 1:
                errs += check(shape.mapping(spec.get(member), path.child(member), errs), path.child(member))
    expected = _SOURCE_FIELDS.get(kind, "")
    if expected and spec.get(expected) is None:
        errs.append(required(path.child(expected), "must populate information for the given metric source"))
    if not expected:
        errs.append(not_supported(path.child("type"), kind, _SOURCE_TYPES))
    if len(present) != 1:
        for member in sorted(m for m in present if m != expected):
            errs.append(forbidden(path.child(member), "must populate the given metric source only"))
    return errs


def _metrics(raw: Any, path: Path, min_replicas: int | None) -> list[FieldError]:
    errs: list[FieldError] = []
    items = shape.sequence(raw, path, errs)
    kinds = set()
    for i, m in enumerate(items):
        errs += _metric_spec(m, path.index(i))
        if isinstance(m, dict):
            kinds.add(m.get("type"))
    if min_replicas == 0 and not kinds & {"Object", "External"}:
        errs.append(forbidden(path, "must specify at least one Object or External metric to support scaling to "
                                    "zero replicas"))
    return errs


def _scaling_policy(raw: Any, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    policy = shape.mapping(raw, path, errs)
    kind = shape.string(policy.get("type"), path.child("type"), errs)
    if kind not in _POLICY_TYPES:
        errs.append(not_supported(path.child("type"), kind, _POLICY_TYPES))
    value = shape.integer(policy.get("value"), path.child("value"), errs) or 0
    if value <= 0:
        errs.append(invalid(path.child("value"), value, "must be greater than zero"))
    period = shape.integer(policy.get("periodSeconds"), path.child("periodSeconds"), errs) or 0
    if period <= 0:
        errs.append(invalid(path.child("periodSeconds"), period, "must be greater than zero"))
    if period > MAX_PERIOD_SECONDS:
        errs.append(invalid(path.child("periodSeconds"), period,
                            f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return errs


def _scaling_rules(raw: Any, path: Path) -> list[FieldError]:
    """``validateScalingRules``."""
    errs: list[FieldError] = []
    if raw is None:
        return errs
    rules = shape.mapping(raw, path, errs)
    window = shape.integer(rules.get("stabilizationWindowSeconds"), path.child("stabilizationWindowSeconds"), errs)
    if window is not None and window < 0:
        errs.append(invalid(path.child("stabilizationWindowSeconds"), window, "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        errs.append(invalid(path.child("stabilizationWindowSeconds"), window,
                            f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in _SELECT_POLICIES:
        errs.append(not_supported(path.child("selectPolicy"), select, _SELECT_POLICIES))
    policies = shape.sequence(rules.get("policies"), path.child("policies"), errs)
    if not policies:
        errs.append(required(path.child("policies"), "must specify at least one Policy"))
    for i, p in enumerate(policies):
        errs += _scaling_policy(p, path.child("policies").index(i))
    tolerance = _quantity(rules.get("tolerance"), path.child("tolerance"), errs)
    if tolerance is not None and tolerance.sign() < 0:
        errs.append(invalid(path.child("tolerance"), str(tolerance), "must be greater than or equal to 0"))
    return errs


def _spec(raw: Any, path: Path, min_lower_bound: int) -> list[FieldError]:
    """``validateHorizontalPodAutoscalerSpec``."""
    errs: list[FieldError] = []
    spec = shape.mapping(raw, path, errs)
    min_replicas = shape.integer(spec.get("minReplicas"), path.child("minReplicas"), errs)
    max_replicas = shape.integer(spec.get("maxReplicas"), path.child("maxReplicas"), errs) or 0
    if min_replicas is not None and min_replicas < min_lower_bound:
        errs.append(invalid(path.child("minReplicas"), min_replicas,
                            f"must be greater than or equal to {min_lower_bound}"))
    if max_replicas < 1:
        errs.append(invalid(path.child("maxReplicas"), max_replicas, "must be greater than 0"))
    if min_replicas is not None and max_replicas < min_replicas:
        errs.append(invalid(path.child("maxReplicas"), max_replicas, "must be greater than or equal to `minReplicas`"))
    errs += _cross_version_ref(spec.get("scaleTargetRef"), path.child("scaleTargetRef"))
    errs += _metrics(spec.get("metrics"), path.child("metrics"), min_replicas)
    behavior = spec.get("behavior")
    if behavior is not None:
        b = shape.mapping(behavior, path.child("behavior"), errs)
        errs += _scaling_rules(b.get("scaleUp"), path.child("behavior", "scaleUp"))
        errs += _scaling_rules(b.get("scaleDown"), path.child("behavior", "scaleDown"))
    return errs


def validate_hpa(hpa: Mapping[str, Any]) -> list[FieldError]:
    """``ValidateHorizontalPodAutoscaler`` (HPAScaleToZero off)."""
    errs = validate_object_meta(hpa.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    return errs + _spec(hpa.get("spec"), Path("spec"), 1)


def validate_hpa_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    """``ValidateHorizontalPodAutoscalerUpdate``: an HPA that already had
    ``minReplicas: 0`` may keep it."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    old_min = ((old.get("spec") or {}) if isinstance(old.get("spec"), dict) else {}).get("minReplicas")
    return errs + _spec(new.get("spec"), Path("spec"), 0 if old_min == 0 else 1)
