"""apps/v1 Deployment and ReplicaSet.

Ports of ``ValidateDeployment``, ``ValidateDeploymentSpec``,
``ValidateDeploymentStrategy``, ``ValidateRollingUpdateDeployment``,
``ValidatePositiveIntOrPercent``, ``IsNotMoreThan100Percent``,
``ValidateReplicaSet(Spec)`` and ``ValidatePodTemplateSpecForReplicaSet``
(``pkg/apis/apps/validation/validation.go``, v1.34), plus the apps/v1 rule
of the registry strategies (``pkg/registry/apps/{deployment,replicaset}/
strategy.go``): ``spec.selector`` is immutable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import (
    FieldError,
    GoStruct,
    Path,
    forbidden,
    invalid,
    not_supported,
    required,
)
from kubekit.validation.meta import (
    FIELD_IMMUTABLE,
    label_selector_struct,
    selector_matches,
    semantic,
    validate_label_selector,
    validate_nonnegative,
    validate_object_meta,
    validate_object_meta_update,
)
from kubekit.validation.names import name_is_dns_subdomain, percent_errors
from kubekit.validation.options import DEFAULT_OPTIONS, Options
from kubekit.validation.pod import validate_pod_template_spec

__all__ = [
    "validate_deployment",
    "validate_deployment_update",
    "validate_replica_set",
    "validate_replica_set_update",
]


def _int_or_percent_value(v: Any) -> int:
    """getIntOrPercentValue: a valid percent's number, else IntValue()
    (``strconv.Atoi`` of a string, 0 when it does not parse)."""
    if isinstance(v, str):
        if not percent_errors(v):
            return int(v[:-1])
        return int(v) if re.fullmatch(r"[+-]?[0-9]+", v) else 0
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return 0


def _validate_int_or_percent(v: Any, path: Path) -> list[FieldError]:
    """ValidatePositiveIntOrPercent."""
    if isinstance(v, str):
        return [invalid(path, v, m) for m in percent_errors(v)]
    if isinstance(v, int) and not isinstance(v, bool):
        return validate_nonnegative(v, path)
    return [invalid(path, v, "must be an integer or percentage (e.g '5%%')")]


def _not_more_than_100_percent(v: Any, path: Path) -> list[FieldError]:
    if isinstance(v, str) and not percent_errors(v) and int(v[:-1]) > 100:
        return [invalid(path, v, "must not be greater than 100%")]
    return []


def _validate_rolling_update(ru: Mapping[str, Any], path: Path) -> list[FieldError]:
    """ValidateRollingUpdateDeployment."""
    max_unavailable, max_surge = ru.get("maxUnavailable"), ru.get("maxSurge")
    errs = _validate_int_or_percent(max_unavailable, path.child("maxUnavailable"))
    errs += _validate_int_or_percent(max_surge, path.child("maxSurge"))
    if _int_or_percent_value(max_unavailable) == 0 and _int_or_percent_value(max_surge) == 0:
        errs.append(invalid(path.child("maxUnavailable"), max_unavailable if max_unavailable is not None else 0,
                            "may not be 0 when `maxSurge` is 0"))
    return errs + _not_more_than_100_percent(max_unavailable, path.child("maxUnavailable"))


def _strategy_struct(strategy: Mapping[str, Any]) -> GoStruct:
    """The internal ``apps.DeploymentStrategy`` as json.Marshal prints it:
    internal types have no json tags, so Go's field names are the keys."""
    ru = strategy.get("rollingUpdate")
    rolling = None
    if isinstance(ru, dict):
        rolling = GoStruct(MaxUnavailable=ru.get("maxUnavailable", 0), MaxSurge=ru.get("maxSurge", 0))
    return GoStruct(Type=shape.text(strategy.get("type")), RollingUpdate=rolling)


def _validate_strategy(raw: Any, path: Path) -> list[FieldError]:
    """ValidateDeploymentStrategy."""
    errs: list[FieldError] = []
    strategy = shape.mapping(raw, path, errs)
    kind = shape.text(strategy.get("type"))
    if kind == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
    elif kind == "RollingUpdate":
        if strategy.get("rollingUpdate") is None:
            errs.append(required(path.child("rollingUpdate"), "this should be defaulted and never be nil"))
        else:
            ru = shape.mapping(strategy["rollingUpdate"], path.child("rollingUpdate"), errs)
            errs += _validate_rolling_update(ru, path.child("rollingUpdate"))
    else:
        errs.append(not_supported(path, _strategy_struct(strategy), ["Recreate", "RollingUpdate"]))
    return errs


def _validate_template_for_replica_set(spec: Mapping[str, Any], path: Path, options: Options) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet."""
    errs: list[FieldError] = []
    if spec.get("template") is None:
        return [required(path)]
    template = shape.mapping(spec["template"], path, errs)
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    labels = meta.get("labels")
    label_map = labels if isinstance(labels, dict) else {}
    if selector_matches(spec.get("selector"), label_map) is False:
        errs.append(invalid(path.child("metadata", "labels"), labels, "`selector` does not match template `labels`"))
    errs += validate_pod_template_spec(template, path, options)
    pod_spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    restart = shape.text(pod_spec.get("restartPolicy"))
    if restart != "Always":
        errs.append(not_supported(path.child("spec", "restartPolicy"), restart, ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden(path.child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return errs


def _validate_selector_and_template(spec: Mapping[str, Any], path: Path, options: Options) -> list[FieldError]:
    errs: list[FieldError] = []
    selector = spec.get("selector")
    selector_errs: list[FieldError] = []
    if selector is None:
        errs.append(required(path.child("selector")))
    else:
        selector_errs = validate_label_selector(selector, path.child("selector"))
        errs += selector_errs
        if isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.append(invalid(path.child("selector"), label_selector_struct(selector), "empty selector is invalid for deployment"))
    if selector_errs:  # metav1.LabelSelectorAsSelector fails on what validation rejected
        errs.append(invalid(path.child("selector"), label_selector_struct(selector), "invalid label selector"))
    else:
        errs += _validate_template_for_replica_set(spec, path.child("template"), options)
    return errs


def _int32(spec: Mapping[str, Any], key: str, path: Path, errs: list[FieldError]) -> int | None:
    return shape.integer(spec.get(key), path.child(key), errs)


def _validate_deployment_spec(raw: Any, path: Path, options: Options) -> list[FieldError]:
    errs: list[FieldError] = []
    spec = shape.mapping(raw, path, errs)
    errs += validate_nonnegative(_int32(spec, "replicas", path, errs), path.child("replicas"))
    errs += _validate_selector_and_template(spec, path, options)
    errs += _validate_strategy(spec.get("strategy"), path.child("strategy"))
    min_ready = _int32(spec, "minReadySeconds", path, errs) or 0
    errs += validate_nonnegative(min_ready, path.child("minReadySeconds"))
    errs += validate_nonnegative(_int32(spec, "revisionHistoryLimit", path, errs), path.child("revisionHistoryLimit"))
    deadline = _int32(spec, "progressDeadlineSeconds", path, errs)
    if deadline is not None:
        errs += validate_nonnegative(deadline, path.child("progressDeadlineSeconds"))
        if deadline <= min_ready:
            errs.append(invalid(path.child("progressDeadlineSeconds"), deadline, "must be greater than minReadySeconds"))
    return errs


def _validate_replica_set_spec(raw: Any, path: Path, options: Options) -> list[FieldError]:
    errs: list[FieldError] = []
    spec = shape.mapping(raw, path, errs)
    errs += validate_nonnegative(_int32(spec, "replicas", path, errs), path.child("replicas"))
    errs += validate_nonnegative(_int32(spec, "minReadySeconds", path, errs), path.child("minReadySeconds"))
    errs += _validate_selector_and_template(spec, path, options)
    return errs


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("spec") if isinstance(obj.get("spec"), dict) else {}


def _selector_immutable(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    """The apps/v1 registry strategies: ``spec.selector`` may not change."""
    new_sel, old_sel = _spec(new).get("selector"), _spec(old).get("selector")
    if semantic(new_sel) != semantic(old_sel):
        return [invalid(Path("spec").child("selector"), label_selector_struct(new_sel), FIELD_IMMUTABLE)]
    return []


def validate_deployment(obj: Mapping[str, Any], options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    errs = validate_object_meta(obj.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    return errs + _validate_deployment_spec(obj.get("spec"), Path("spec"), options)


def validate_deployment_update(new: Mapping[str, Any], old: Mapping[str, Any],
                               options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += _validate_deployment_spec(new.get("spec"), Path("spec"), options)
    return errs + _selector_immutable(new, old)


def validate_replica_set(obj: Mapping[str, Any], options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    errs = validate_object_meta(obj.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    return errs + _validate_replica_set_spec(obj.get("spec"), Path("spec"), options)


def validate_replica_set_update(new: Mapping[str, Any], old: Mapping[str, Any],
                                options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += _validate_replica_set_spec(new.get("spec"), Path("spec"), options)
    return errs + _selector_immutable(new, old)
