"""v1 Namespace: ``ValidateNamespace``, ``ValidateNamespaceUpdate``,
``ValidateNamespaceStatusUpdate`` and ``ValidateNamespaceFinalizeUpdate``
(``pkg/apis/core/validation/validation.go``).

* the name is a DNS-1123 label (``ValidateNamespaceName``); a namespace has
  no ``metadata.namespace``;
* each of ``spec.finalizers`` is a qualified name, and one without a ``/``
  must be a standard finalizer (``kubernetes``, ``orphan``,
  ``foregroundDeletion``) (``validateFinalizerName``).  Kept upstream quirk:
  a create reports them at ``spec.finalizers`` (no index), ``/finalize`` at
  ``spec.finalizers[i]``;
* ``/status``: ``status.phase`` must be ``Active`` without a
  ``deletionTimestamp`` and ``Terminating`` with one (reported at
  ``status.Phase``, upstream's spelling).

:func:`default_namespace` is ``SetDefaults_Namespace`` and
``SetDefaults_NamespaceStatus`` (``pkg/apis/core/v1/defaults.go``): the
label ``kubernetes.io/metadata.name`` is the name (when there is one), an
empty ``status.phase`` is ``Active``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, invalid
from kubekit.validation.meta import _STANDARD_FINALIZERS, validate_object_meta, validate_object_meta_update
from kubekit.validation.names import name_is_dns_label, qualified_name_errors

__all__ = ["default_namespace", "validate_namespace", "validate_namespace_finalize_update",
           "validate_namespace_status_update", "validate_namespace_update"]


def default_namespace(ns: Mapping[str, Any]) -> dict[str, Any]:
    """``SetDefaults_Namespace`` + ``SetDefaults_NamespaceStatus``."""
    from kubekit.store.namespaces import ACTIVE, with_name_label

    out = with_name_label(ns)
    status = out.get("status")
    if isinstance(status, Mapping) and not status.get("phase"):
        out["status"] = dict(status, phase=ACTIVE)
    return out


def _finalizer_name(value: str, path: Path) -> list[FieldError]:
    """validateFinalizerName: apimachinery's (a qualified name) and the core one."""
    errs = [invalid(path, value, m) for m in qualified_name_errors(value)]
    if "/" not in value and value not in _STANDARD_FINALIZERS:
        errs.append(invalid(path, value, "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


def _spec_finalizers(ns: Mapping[str, Any], errs: list[FieldError]) -> list[str]:
    spec = shape.mapping(ns.get("spec"), Path("spec"), errs)
    items = shape.sequence(spec.get("finalizers"), Path("spec", "finalizers"), errs)
    return [shape.string(v, Path("spec", "finalizers").index(i), errs) for i, v in enumerate(items)]


def validate_namespace(ns: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    errs = validate_object_meta(ns.get("metadata"), False, name_is_dns_label, Path("metadata"))
    for f in _spec_finalizers(ns, errs):
        errs += _finalizer_name(f, Path("spec", "finalizers"))
    return errs


def validate_namespace_update(new: Mapping[str, Any], old: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    return validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))


def validate_namespace_status_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    phase = shape.mapping(new.get("status"), Path("status"), errs).get("phase") or ""
    if not (new.get("metadata") or {}).get("deletionTimestamp"):
        if phase != "Active":
            errs.append(invalid(Path("status", "Phase"), phase, "may only be 'Active' if `deletionTimestamp` is empty"))
    elif phase != "Terminating":
        errs.append(invalid(Path("status", "Phase"), phase,
                            "may only be 'Terminating' if `deletionTimestamp` is not empty"))
    return errs


def validate_namespace_finalize_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    for i, f in enumerate(_spec_finalizers(new, errs)):
        errs += _finalizer_name(f, Path("spec", "finalizers").index(i))
    return errs
