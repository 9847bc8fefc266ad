"""coordination.k8s.io/v1 Lease: ``ValidateLease``, ``ValidateLeaseUpdate``,
``ValidateLeaseSpec`` and ``ValidateCoordinatedLeaseStrategy``
(``pkg/apis/coordination/validation/validation.go``).

Kept upstream quirk: a bad ``spec.strategy`` is reported at
``spec.strategy.strategy`` (the helper appends ``strategy`` to a path that
already ends with it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, not_supported
from kubekit.validation.meta import validate_object_meta, validate_object_meta_update
from kubekit.validation.names import name_is_dns_subdomain, qualified_name_errors

__all__ = ["validate_lease", "validate_lease_update"]

_LEASE_STRATEGIES = ("OldestEmulationVersion",)


def _validate_strategy(strategy: str, path: Path) -> list[FieldError]:
    if "/" not in strategy:
        if strategy not in _LEASE_STRATEGIES:
            return [not_supported(path.child("strategy"), strategy, _LEASE_STRATEGIES)]
        return []
    return [invalid(path.child("strategy"), strategy, m) for m in qualified_name_errors(strategy)]


def _validate_spec(raw: Any, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    spec = shape.mapping(raw, path, errs)
    duration = shape.integer(spec.get("leaseDurationSeconds"), path.child("leaseDurationSeconds"), errs)
    if duration is not None and duration <= 0:
        errs.append(invalid(path.child("leaseDurationSeconds"), duration, "must be greater than 0"))
    transitions = shape.integer(spec.get("leaseTransitions"), path.child("leaseTransitions"), errs)
    if transitions is not None and transitions < 0:
        errs.append(invalid(path.child("leaseTransitions"), transitions, "must be greater than or equal to 0"))
    strategy = spec.get("strategy")
    if strategy is not None:
        errs += _validate_strategy(shape.string(strategy, path.child("strategy"), errs), path.child("strategy"))
    if spec.get("preferredHolder") and not strategy:
        errs.append(forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"))
    return errs


def validate_lease(lease: Mapping[str, Any]) -> list[FieldError]:
    errs = validate_object_meta(lease.get("metadata"), True, name_is_dns_subdomain, Path("metadata"), core=False)
    return errs + _validate_spec(lease.get("spec"), Path("spec"))


def validate_lease_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"), core=False)
    return errs + _validate_spec(new.get("spec"), Path("spec"))
