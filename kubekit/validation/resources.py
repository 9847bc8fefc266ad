"""Resource names and quantities in container and pod resource requirements.

Ports of ``validateResourceRequirements``, ``validateContainerResourceName``,
``validatePodResourceName``, ``ValidateResourceQuantityValue`` and the
hugepages checks of ``pkg/apis/core/validation/validation.go`` (v1.34), on
top of kubekit's exact :class:`~kubekit.api.quantity.Quantity`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.api.resources import (
    is_extended_resource,
    is_hugepages_resource,
    is_integer_resource,
    is_native_resource,
    is_overcommit_allowed,
    is_supported_pod_level_resource,
)
from kubekit.errors import QuantityError
from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, not_supported, required
from kubekit.validation.meta import IS_NEGATIVE
from kubekit.validation.names import qualified_name_errors

__all__ = [
    "QUANTITY_FORMAT_ERROR",
    "aggregate_container_requests",
    "parse_resource_list",
    "validate_container_resource_requirements",
    "validate_pod_resource_requirements",
    "validate_resource_quantity_value",
]

#: resource.ErrFormatWrong: what the API server's decoder says of a bad quantity.
QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

# helper.IsStandardResourceName: standardResources plus hugepages-*.
_STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage",
    "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
})
_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_HUGEPAGE_SIZES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
                   "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def _is_standard_resource_name(name: str) -> bool:
    return name in _STANDARD_RESOURCES or is_hugepages_resource(name) or name.startswith("requests.hugepages-")


def _validate_resource_name(name: str, path: Path) -> list[FieldError]:
    """validateResourceName."""
    errs = [invalid(path, name, m) for m in qualified_name_errors(name)]
    if errs:
        return errs
    if "/" not in name and not _is_standard_resource_name(name):
        return [invalid(path, name, "must be a standard resource type or fully qualified")]
    return []


def _validate_container_resource_name(name: str, path: Path) -> list[FieldError]:
    """validateContainerResourceName."""
    errs = _validate_resource_name(name, path)
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not is_hugepages_resource(name):
            return errs + [invalid(path, name, "must be a standard resource for containers")]
    elif not is_native_resource(name) and not is_extended_resource(name):
        return errs + [invalid(path, name, "doesn't follow extended resource name standard")]
    return errs


def _validate_pod_resource_name(name: str, path: Path) -> list[FieldError]:
    """validatePodResourceName (PodLevelResources)."""
    errs = _validate_resource_name(name, path)
    if errs:
        return errs
    if not is_supported_pod_level_resource(name):
        return [not_supported(path, name, ["cpu", "memory"])]
    return []


def validate_resource_quantity_value(name: str, q: Quantity, path: Path) -> list[FieldError]:
    """ValidateResourceQuantityValue: not negative; whole for integer resources."""
    errs: list[FieldError] = []
    if q.sign() < 0:
        errs.append(invalid(path, str(q), IS_NEGATIVE))
    if is_integer_resource(name) and q.milli_value() % 1000 != 0:
        errs.append(invalid(path, str(q), "must be an integer"))
    return errs


def _hugepage_value_error(name: str, q: Quantity) -> str | None:
    """validateResourceQuantityHugePageValue / IsHugePageResourceValueDivisible."""
    size_text = name[len("hugepages-"):]
    try:
        size = Quantity.parse(size_text).value()
    except QuantityError:
        size = 0
    value = q.value()
    if size <= 0 or value % size != 0:
        return f"{q} is not positive integer multiple of {name}"
    return None


def parse_resource_list(raw: Any, path: Path, errs: list[FieldError]) -> dict[str, Quantity]:
    """A ResourceList: quantity strings or numbers.  A value that does not
    parse is reported with the decoder's message (the API server would fail
    the request with 400 before validation)."""
    out: dict[str, Quantity] = {}
    for name, value in shape.mapping(raw, path, errs).items():
        try:
            out[str(name)] = Quantity.from_manifest(value)
        except QuantityError:
            errs.append(invalid(path.key(str(name)), value, QUANTITY_FORMAT_ERROR))
    return out


def _validate_requirements(
    resources: Mapping[str, Any],
    name_fn: Callable[[str, Path], list[FieldError]],
    path: Path,
) -> list[FieldError]:
    errs: list[FieldError] = []
    lim_path, req_path = path.child("limits"), path.child("requests")
    limits = parse_resource_list(resources.get("limits"), lim_path, errs)
    requests = parse_resource_list(resources.get("requests"), req_path, errs)
    lim_cpu_mem = req_cpu_mem = lim_huge = req_huge = False
    for name, q in limits.items():
        p = lim_path.key(name)
        errs += name_fn(name, p)
        errs += validate_resource_quantity_value(name, q, p)
        if is_hugepages_resource(name):
            lim_huge = True
            if (msg := _hugepage_value_error(name, q)) is not None:
                errs.append(invalid(p, str(q), msg))
        lim_cpu_mem |= name in ("cpu", "memory")
    for name, q in requests.items():
        p = req_path.key(name)
        errs += name_fn(name, p)
        errs += validate_resource_quantity_value(name, q, p)
        if name in limits:
            limit = limits[name]
            if q != limit and not is_overcommit_allowed(name):
                errs.append(invalid(req_path, str(q), f"must be equal to {name} limit of {limit}"))
            elif q > limit:
                errs.append(invalid(req_path, str(q), f"must be less than or equal to {name} limit of {limit}"))
        elif not is_overcommit_allowed(name):
            errs.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        if is_hugepages_resource(name):
            req_huge = True
            if (msg := _hugepage_value_error(name, q)) is not None:
                errs.append(invalid(p, str(q), msg))
        req_cpu_mem |= name in ("cpu", "memory")
    if not lim_cpu_mem and not req_cpu_mem and (req_huge or lim_huge):
        errs.append(forbidden(path, "HugePages require cpu or memory"))
    return errs


def validate_container_resource_requirements(raw: Any, path: Path) -> list[FieldError]:
    """ValidateContainerResourceRequirements (claims not validated)."""
    errs: list[FieldError] = []
    resources = shape.mapping(raw, path, errs)
    return errs + _validate_requirements(resources, _validate_container_resource_name, path)


def validate_pod_resource_requirements(raw: Any, path: Path) -> list[FieldError]:
    """validatePodResourceRequirements (pod-level ``spec.resources``)."""
    errs: list[FieldError] = []
    resources = shape.mapping(raw, path, errs)
    return errs + _validate_requirements(resources, _validate_pod_resource_name, path)


def _add(into: dict[str, Quantity], more: Mapping[str, Quantity]) -> None:
    for k, v in more.items():
        into[k] = into[k] + v if k in into else v


def _max(into: dict[str, Quantity], other: Mapping[str, Quantity]) -> None:
    for k, v in other.items():
        if k not in into or v > into[k]:
            into[k] = v


def aggregate_container_requests(spec: Mapping[str, Any]) -> dict[str, Quantity]:
    """resourcehelper.AggregateContainerRequests: regular containers plus
    sidecars, or the largest init-container phase if that is more."""
    def requests(c: Any) -> dict[str, Quantity]:
        if not isinstance(c, dict) or not isinstance(c.get("resources"), dict):
            return {}
        return parse_resource_list(c["resources"].get("requests"), Path("x"), [])

    total: dict[str, Quantity] = {}
    for c in shape.items(spec.get("containers")):
        _add(total, requests(c))
    sidecars: dict[str, Quantity] = {}
    init_peak: dict[str, Quantity] = {}
    for c in shape.items(spec.get("initContainers")):
        reqs = requests(c)
        if isinstance(c, dict) and c.get("restartPolicy") == "Always":
            _add(sidecars, reqs)
            phase = dict(sidecars)
        else:
            phase = dict(sidecars)
            _add(phase, reqs)
        _max(init_peak, phase)
    _add(total, sidecars)
    _max(total, init_peak)
    return total
