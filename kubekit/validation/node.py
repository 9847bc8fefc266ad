"""v1 Node: ``ValidateNode`` and ``ValidateNodeUpdate``
(``pkg/apis/core/validation/validation.go``, v1.34).

Upstream quirks kept on purpose: taints are reported under
``metadata.taints[i]`` (ValidateNode builds the path from ``metadata``), and
capacity paths are ``status.capacity.<name>`` (children, not keys).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.errors import QuantityError
from kubekit.validation import shape
from kubekit.validation.field import (
    FieldError,
    GoStruct,
    Path,
    duplicate,
    forbidden,
    invalid,
)
from kubekit.validation.meta import validate_label_name, validate_object_meta, validate_object_meta_update
from kubekit.validation.names import label_value_errors, name_is_dns_subdomain
from kubekit.validation.resources import QUANTITY_FORMAT_ERROR, validate_resource_quantity_value
from kubekit.validation.scheduling import validate_taint_effect

__all__ = ["validate_node", "validate_node_update"]

_CIDR_ERROR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _taint_struct(t: Mapping[str, Any]) -> GoStruct:
    """The internal ``core.Taint`` as json.Marshal prints it (internal types
    have no json tags: Go's field names are the keys)."""
    return GoStruct(Key=shape.text(t.get("key")), Value=shape.text(t.get("value")), Effect=shape.text(t.get("effect")),
                    TimeAdded=t.get("timeAdded"))


def _validate_taints(raw: Any, path: Path) -> list[FieldError]:
    """validateNodeTaints: key, value, effect; unique by (key, effect)."""
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(shape.sequence(raw, path, errs)):
        p = path.index(i)
        taint = shape.mapping(item, p, errs)
        key = shape.string(taint.get("key"), p.child("key"), errs)
        value = shape.string(taint.get("value"), p.child("value"), errs)
        effect = shape.string(taint.get("effect"), p.child("effect"), errs)
        errs += validate_label_name(key, p.child("key"))
        msgs = label_value_errors(value)
        if msgs:
            errs.append(invalid(p.child("value"), value, ";".join(msgs)))
        errs += validate_taint_effect(effect, False, p.child("effect"))
        if (key, effect) in seen:
            errs.append(duplicate(p, _taint_struct(taint)).with_detail("taints must be unique by key and effect pair"))
            continue
        seen.add((key, effect))
    return errs


def _validate_resources(status: Mapping[str, Any]) -> list[FieldError]:
    """ValidateNodeResources: capacity and allocatable quantities."""
    errs: list[FieldError] = []
    for section in ("capacity", "allocatable"):
        for name, raw in shape.mapping(status.get(section), Path("status", section), errs).items():
            p = Path("status", section, str(name))
            try:
                q = Quantity.from_manifest(raw)
            except QuantityError:
                errs.append(invalid(p, raw, QUANTITY_FORMAT_ERROR))
                continue
            errs += validate_resource_quantity_value(str(name), q, p)
    return errs


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _validate_pod_cidrs(cidrs: list[Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    path = Path("spec", "podCIDRs")
    nets = []
    for i, value in enumerate(cidrs):
        value = value if isinstance(value, str) else ""
        net = _network(value)
        if net is None:
            errs.append(invalid(path.index(i), value, _CIDR_ERROR))
        nets.append(net)
    if len(cidrs) > 1:
        versions = [n.version for n in nets if n is not None]
        dual_stack = None not in nets and sorted(versions) == [4, 6]
        if not dual_stack or len(cidrs) > 2:
            errs.append(invalid(path, list(cidrs), "may specify no more than one CIDR for each IP family"))
        seen: set[Any] = set()
        for i, value in enumerate(cidrs):
            if value in seen:
                errs.append(duplicate(path.index(i), value))
            seen.add(value)
    return errs


def _parts(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    spec = node.get("spec") if isinstance(node.get("spec"), dict) else {}
    status = node.get("status") if isinstance(node.get("status"), dict) else {}
    return spec, status


def validate_node(node: Mapping[str, Any]) -> list[FieldError]:
    """ValidateNode (node-specific annotations are not checked)."""
    errs = validate_object_meta(node.get("metadata"), False, name_is_dns_subdomain, Path("metadata"))
    spec, status = _parts(node)
    if spec.get("taints"):
        errs += _validate_taints(spec["taints"], Path("metadata").child("taints"))
    errs += _validate_resources(status)
    if spec.get("podCIDRs"):
        errs += _validate_pod_cidrs(shape.sequence(spec["podCIDRs"], Path("spec", "podCIDRs"), errs))
    return errs


def _address_struct(a: Any) -> Any:
    if isinstance(a, dict):
        return GoStruct(Type=shape.text(a.get("type")), Address=shape.text(a.get("address")))
    return a


def validate_node_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    """ValidateNodeUpdate: podCIDRs and providerID may only be set once."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    spec, status = _parts(new)
    old_spec, _ = _parts(old)
    errs += _validate_resources(status)
    seen: list[Any] = []
    for i, address in enumerate(shape.items(status.get("addresses"))):
        key = _address_struct(address)
        if key in seen:
            errs.append(duplicate(Path("status", "addresses").index(i), key))
        seen.append(key)
    old_cidrs, new_cidrs = shape.items(old_spec.get("podCIDRs")), shape.items(spec.get("podCIDRs"))
    if old_cidrs:
        msg = 'node updates may not change podCIDR except from "" to valid'
        if len(old_cidrs) != len(new_cidrs):
            errs.append(forbidden(Path("spec", "podCIDRs"), msg))
        else:
            errs += [forbidden(Path("spec", "podCIDRs"), msg) for a, b in zip(old_cidrs, new_cidrs) if a != b]
    old_provider = shape.text(old_spec.get("providerID"))
    if old_provider and old_provider != shape.text(spec.get("providerID")):
        errs.append(forbidden(Path("spec", "providerID"), 'node updates may not change providerID except from "" to valid'))
    if spec.get("taints"):
        errs += _validate_taints(spec["taints"], Path("metadata").child("taints"))
    if shape.text(spec.get("externalID")) != shape.text(old_spec.get("externalID")):
        errs.append(forbidden(Path("spec", "externalID"), "may not be updated"))
    return errs
