"""v1 PersistentVolume, PersistentVolumeClaim and storage.k8s.io/v1
StorageClass: defaulting and validation as the API server does them.

Sources (kubernetes/kubernetes):

* ``pkg/apis/core/v1/defaults.go`` -- ``SetDefaults_PersistentVolume``
  (``status.phase: Pending``, ``persistentVolumeReclaimPolicy: Retain``,
  ``volumeMode: Filesystem``), ``SetDefaults_PersistentVolumeClaim``
  (``status.phase: Pending``) and ``SetDefaults_PersistentVolumeClaimSpec``
  (``volumeMode: Filesystem``);
* ``pkg/apis/storage/v1/defaults.go`` -- ``SetDefaults_StorageClass``
  (``reclaimPolicy: Delete``, ``volumeBindingMode: Immediate``);
* ``pkg/apis/core/validation/validation.go`` -- ``ValidatePersistentVolume``
  / ``ValidatePersistentVolumeSpec`` (capacity ``storage`` only and positive,
  access modes, reclaim policy, volume mode, storage class name, exactly one
  volume source, ``local`` needs ``nodeAffinity``, ``hostPath`` without
  backsteps, no ``Recycle`` of ``/``), ``ValidatePersistentVolumeUpdate``
  (the source and volumeMode are immutable),
  ``ValidatePersistentVolumeClaim`` / ``ValidatePersistentVolumeClaimSpec``
  and ``ValidatePersistentVolumeClaimUpdate`` (the spec is immutable except
  ``resources.requests`` of a bound claim and ``volumeName`` while it is
  empty; a request may not shrink below ``status.capacity``);
* ``pkg/apis/storage/validation/validation.go`` -- ``ValidateStorageClass``
  and ``ValidateStorageClassUpdate``.

Only the volume sources kubekit can mount are accepted as PersistentVolume
sources: ``hostPath`` and ``local``.  Any other known source
(``nfs``, ``csi``, ...) is refused with ``Unsupported value``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.errors import QuantityError
from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, not_supported, required
from kubekit.validation.meta import (
    immutable,
    semantic,
    validate_label_selector,
    validate_object_meta,
    validate_object_meta_update,
)
from kubekit.validation.names import name_is_dns_subdomain
from kubekit.validation.resources import QUANTITY_FORMAT_ERROR, validate_resource_quantity_value
from kubekit.validation.scheduling import _node_selector_term

__all__ = [
    "ACCESS_MODES", "RECLAIM_POLICIES", "VOLUME_MODES", "BINDING_MODES",
    "default_persistent_volume", "default_persistent_volume_claim", "default_storage_class",
    "validate_persistent_volume", "validate_persistent_volume_update",
    "validate_persistent_volume_claim", "validate_persistent_volume_claim_update",
    "validate_storage_class", "validate_storage_class_update",
]

ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
SC_RECLAIM_POLICIES = ("Delete", "Retain")
VOLUME_MODES = ("Block", "Filesystem")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                   "Socket")
#: Every PersistentVolumeSource field name; only the first two are supported here.
SUPPORTED_PV_SOURCES = ("hostPath", "local")
KNOWN_PV_SOURCES = SUPPORTED_PV_SOURCES + (
    "gcePersistentDisk", "awsElasticBlockStore", "nfs", "rbd", "iscsi", "cinder", "cephfs", "fc", "flocker",
    "flexVolume", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos", "csi", "glusterfs")
RWOP_EXCLUSIVE = "may not use ReadWriteOncePod with other access modes"
PVC_IMMUTABLE = "spec is immutable after creation except resources.requests and volumeAttributesClassName for " \
                "bound claims"


# --- defaults ------------------------------------------------------------------------------

def default_persistent_volume(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``SetDefaults_PersistentVolume``."""
    out = copy.deepcopy(dict(obj))
    spec = out.setdefault("spec", {}) if isinstance(out.get("spec", {}), dict) else None
    if spec is not None:
        if not spec.get("persistentVolumeReclaimPolicy"):
            spec["persistentVolumeReclaimPolicy"] = "Retain"
        if not spec.get("volumeMode"):
            spec["volumeMode"] = "Filesystem"
    status = out.setdefault("status", {}) if isinstance(out.get("status", {}), dict) else None
    if status is not None and not status.get("phase"):
        status["phase"] = "Pending"
    return out


def default_persistent_volume_claim(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``SetDefaults_PersistentVolumeClaim`` and ``..._PersistentVolumeClaimSpec``."""
    out = copy.deepcopy(dict(obj))
    spec = out.setdefault("spec", {}) if isinstance(out.get("spec", {}), dict) else None
    if spec is not None and not spec.get("volumeMode"):
        spec["volumeMode"] = "Filesystem"
    status = out.setdefault("status", {}) if isinstance(out.get("status", {}), dict) else None
    if status is not None and not status.get("phase"):
        status["phase"] = "Pending"
    return out


def default_storage_class(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``SetDefaults_StorageClass``."""
    out = copy.deepcopy(dict(obj))
    if not out.get("reclaimPolicy"):
        out["reclaimPolicy"] = "Delete"
    if not out.get("volumeBindingMode"):
        out["volumeBindingMode"] = "Immediate"
    return out


# --- shared pieces -------------------------------------------------------------------------

def _access_modes(raw: Any, path: Path, errs: list[FieldError], *, required_detail: str) -> list[str]:
    modes = [shape.string(m, path.index(i), errs) for i, m in enumerate(shape.sequence(raw, path, errs))]
    if not modes:
        errs.append(required(path, required_detail))
    for m in modes:
        if m not in ACCESS_MODES:
            errs.append(not_supported(path, m, ACCESS_MODES))
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append(forbidden(path, RWOP_EXCLUSIVE))
    return modes


def _positive_quantity(name: str, raw: Any, path: Path, errs: list[FieldError]) -> Quantity | None:
    """A quantity that parses, ``ValidateResourceQuantityValue`` and
    ``ValidatePositiveQuantityValue`` ("must be greater than zero")."""
    try:
        q = Quantity.from_manifest(raw)
    except QuantityError:
        errs.append(invalid(path, raw, QUANTITY_FORMAT_ERROR))
        return None
    errs += validate_resource_quantity_value(name, q, path)
    if q.sign() <= 0:
        errs.append(invalid(path, str(q), "must be greater than zero"))
    return q


def _class_name(raw: Any, path: Path, errs: list[FieldError]) -> None:
    name = shape.string(raw, path, errs)
    if name:
        errs += [invalid(path, name, m) for m in name_is_dns_subdomain(name, False)]


def _volume_mode(raw: Any, path: Path, errs: list[FieldError]) -> None:
    mode = shape.string(raw, path, errs)
    if mode and mode not in VOLUME_MODES:
        errs.append(not_supported(path, mode, VOLUME_MODES))


def _no_backsteps(value: str, path: Path, errs: list[FieldError]) -> None:
    """``validatePathNoBacksteps``."""
    if ".." in value.replace("\\", "/").split("/"):
        errs.append(invalid(path, value, "must not contain '..'"))


def _node_selector(raw: Any, path: Path, errs: list[FieldError]) -> None:
    """``ValidateNodeSelector``: at least one term, each term valid."""
    selector = shape.mapping(raw, path, errs)
    tp = path.child("nodeSelectorTerms")
    terms = shape.sequence(selector.get("nodeSelectorTerms"), tp, errs)
    if not terms:
        errs.append(required(tp, "must have at least one node selector term"))
    for i, term in enumerate(terms):
        _node_selector_term(shape.mapping(term, tp.index(i), errs), False, tp.index(i), errs)


def _volume_node_affinity(raw: Any, path: Path, errs: list[FieldError]) -> bool:
    """``validateVolumeNodeAffinity``: whether it is specified."""
    if raw is None:
        return False
    na = shape.mapping(raw, path, errs)
    if na.get("required") is not None:
        _node_selector(na["required"], path.child("required"), errs)
    else:
        errs.append(required(path.child("required"), "must specify required node constraints"))
    return True


# --- PersistentVolume ----------------------------------------------------------------------

def _pv_sources(spec: Mapping[str, Any], path: Path, errs: list[FieldError]) -> str | None:
    present = [k for k in KNOWN_PV_SOURCES if spec.get(k) is not None]
    if not present:
        errs.append(required(path, "must specify a volume type"))
        return None
    for extra in present[1:]:
        errs.append(forbidden(path.child(extra), "may not specify more than 1 volume type"))
    source = present[0]
    if source not in SUPPORTED_PV_SOURCES:
        errs.append(not_supported(path.child(source), source, SUPPORTED_PV_SOURCES))
        return None
    sp = path.child(source)
    src = shape.mapping(spec.get(source), sp, errs)
    p = shape.string(src.get("path"), sp.child("path"), errs)
    if not p:
        errs.append(required(sp.child("path"), ""))
    else:
        _no_backsteps(p, sp.child("path"), errs)
    if source == "hostPath":
        kind = shape.string(src.get("type"), sp.child("type"), errs)
        if kind not in HOST_PATH_TYPES:
            errs.append(not_supported(sp.child("type"), kind, HOST_PATH_TYPES[1:]))
    return source


def _clean_path(p: str) -> str:
    """Go's ``path.Clean`` for an absolute or relative slash path (``//`` is
    ``/``, unlike ``os.path.normpath``, which keeps a leading ``//``)."""
    import posixpath

    out = posixpath.normpath(p)
    if out.startswith("//"):
        out = "/" + out.lstrip("/")
    return out


def validate_persistent_volume_spec(spec: Mapping[str, Any], path: Path) -> list[FieldError]:
    """``ValidatePersistentVolumeSpec``."""
    errs: list[FieldError] = []
    _access_modes(spec.get("accessModes"), path.child("accessModes"), errs, required_detail="")
    cp = path.child("capacity")
    capacity = shape.mapping(spec.get("capacity"), cp, errs)
    if not capacity:
        errs.append(required(cp, ""))
    if "storage" not in capacity or len(capacity) > 1:
        errs.append(not_supported(cp, sorted(capacity), ["storage"]))
    for name in sorted(capacity):
        _positive_quantity(str(name), capacity[name], cp.key(str(name)), errs)
    policy = shape.string(spec.get("persistentVolumeReclaimPolicy"), path.child("persistentVolumeReclaimPolicy"),
                          errs)
    if policy and policy not in RECLAIM_POLICIES:
        errs.append(not_supported(path.child("persistentVolumeReclaimPolicy"), policy, RECLAIM_POLICIES))
    _class_name(spec.get("storageClassName"), path.child("storageClassName"), errs)
    _volume_mode(spec.get("volumeMode"), path.child("volumeMode"), errs)
    affinity = _volume_node_affinity(spec.get("nodeAffinity"), path.child("nodeAffinity"), errs)
    source = _pv_sources(spec, path, errs)
    if source == "local" and not affinity:
        errs.append(required(path.child("nodeAffinity"), "Local volume requires node affinity"))
    if source == "hostPath" and policy == "Recycle":
        hp = shape.text(shape.entries(spec.get("hostPath")).get("path"))
        # upstream: path.Clean(hostPath.Path) == "/" ("/.", "/./", "//" are "/" too)
        if hp and _clean_path(hp) == "/":
            errs.append(forbidden(path.child("persistentVolumeReclaimPolicy"),
                                  "may not be 'recycle' for a hostPath mount of '/'"))
    if spec.get("claimRef") is not None:
        shape.mapping(spec.get("claimRef"), path.child("claimRef"), errs)
    return errs


def validate_persistent_volume(pv: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    """``ValidatePersistentVolume``."""
    errs = validate_object_meta(pv.get("metadata"), False, name_is_dns_subdomain, Path("metadata"))
    spec = shape.mapping(pv.get("spec"), Path("spec"), errs)
    return errs + validate_persistent_volume_spec(spec, Path("spec"))


def validate_persistent_volume_update(new: Mapping[str, Any], old: Mapping[str, Any],
                                      _options: Any = None) -> list[FieldError]:
    """``ValidatePersistentVolumeUpdate``: the volume source and volumeMode
    are immutable; a set ``nodeAffinity`` is immutable."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += validate_persistent_volume(new)
    ns, os_ = shape.entries(new.get("spec")), shape.entries(old.get("spec"))
    if any(semantic(ns.get(k)) != semantic(os_.get(k)) for k in KNOWN_PV_SOURCES):
        errs.append(forbidden(Path("spec", "persistentvolumesource"),
                              "spec.persistentvolumesource is immutable after creation"))
    errs += immutable(ns.get("volumeMode"), os_.get("volumeMode"), Path("spec", "volumeMode"))
    if os_.get("nodeAffinity") is not None and semantic(ns.get("nodeAffinity")) != semantic(os_["nodeAffinity"]):
        errs.append(invalid(Path("spec", "nodeAffinity"), ns.get("nodeAffinity"), "field is immutable"))
    return errs


# --- PersistentVolumeClaim -----------------------------------------------------------------

def _storage_request(spec: Mapping[str, Any]) -> Any:
    return shape.entries(shape.entries(spec.get("resources")).get("requests")).get("storage")


def validate_persistent_volume_claim_spec(spec: Mapping[str, Any], path: Path) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimSpec``."""
    errs: list[FieldError] = []
    _access_modes(spec.get("accessModes"), path.child("accessModes"), errs,
                  required_detail="at least 1 access mode is required")
    if spec.get("selector") is not None:
        errs += validate_label_selector(spec.get("selector"), path.child("selector"))
    rp = path.child("resources")
    resources = shape.mapping(spec.get("resources"), rp, errs)
    requests = shape.mapping(resources.get("requests"), rp.child("requests"), errs)
    if "storage" not in requests:
        errs.append(required(rp.key("storage"), ""))
    else:
        _positive_quantity("storage", requests["storage"], rp.key("storage"), errs)
    _class_name(spec.get("storageClassName"), path.child("storageClassName"), errs)
    _volume_mode(spec.get("volumeMode"), path.child("volumeMode"), errs)
    shape.string(spec.get("volumeName"), path.child("volumeName"), errs)
    return errs


def validate_persistent_volume_claim(pvc: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    """``ValidatePersistentVolumeClaim``."""
    errs = validate_object_meta(pvc.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    spec = shape.mapping(pvc.get("spec"), Path("spec"), errs)
    return errs + validate_persistent_volume_claim_spec(spec, Path("spec"))


def _quantity(raw: Any) -> Quantity | None:
    try:
        return Quantity.from_manifest(raw) if raw is not None else None
    except QuantityError:
        return None


def validate_persistent_volume_claim_update(new: Mapping[str, Any], old: Mapping[str, Any],
                                            _options: Any = None) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimUpdate``: the spec is immutable except
    ``volumeName`` while unset (binding) and ``resources.requests`` of a
    bound claim (expansion); a decrease must stay above ``status.capacity``
    (upstream forbids ``newSize <= statusSize``)."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += validate_persistent_volume_claim(new)
    ns, os_ = dict(shape.entries(new.get("spec"))), dict(shape.entries(old.get("spec")))
    if not os_.get("volumeName"):                  # binding: volumeName may be set once
        os_["volumeName"] = ns.get("volumeName")
    if os_.get("storageClassName") is None:        # RetroactiveDefaultStorageClass: an unset class may be set
        os_["storageClassName"] = ns.get("storageClassName")
    bound = shape.entries(old.get("status")).get("phase") == "Bound"
    if bound:                                      # expansion: requests may change
        os_["resources"] = {**shape.entries(os_.get("resources")),
                            "requests": shape.entries(ns.get("resources")).get("requests")}
    if semantic(ns) != semantic(os_):
        errs.append(forbidden(Path("spec"), PVC_IMMUTABLE))
    elif bound:
        new_q, old_q = _quantity(_storage_request(ns)), _quantity(_storage_request(shape.entries(old.get("spec"))))
        cap = _quantity(shape.entries(shape.entries(old.get("status")).get("capacity")).get("storage"))
        if new_q is not None and old_q is not None and new_q < old_q:
            if cap is None:
                errs.append(forbidden(Path("spec", "resources", "requests", "storage"),
                                      "field can not be less than previous value"))
            elif new_q <= cap:                     # upstream: newSize.Cmp(statusSize) <= 0
                errs.append(forbidden(Path("spec", "resources", "requests", "storage"),
                                      "field can not be less than status.capacity"))
    return errs


# --- StorageClass --------------------------------------------------------------------------

MAX_PROVISIONER_PARAMETER_SIZE = 256 * 1024
MAX_PROVISIONER_PARAMETER_LEN = 512


def validate_storage_class(sc: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    """``ValidateStorageClass``."""
    from kubekit.api.validation import qualified_name_errors

    errs = validate_object_meta(sc.get("metadata"), False, name_is_dns_subdomain, Path("metadata"))
    provisioner = shape.string(sc.get("provisioner"), Path("provisioner"), errs)
    if not provisioner:
        errs.append(required(Path("provisioner"), ""))
    else:
        errs += [invalid(Path("provisioner"), provisioner, m) for m in qualified_name_errors(provisioner.lower())]
    params = shape.string_map(sc.get("parameters"), Path("parameters"), errs)
    total = 0
    for k, v in params.items():
        if not k:
            errs.append(invalid(Path("parameters"), k, "field can not be empty."))
        total += len(k) + len(v)
    if len(params) > MAX_PROVISIONER_PARAMETER_LEN:
        errs.append(invalid(Path("parameters"), len(params),
                            f"Provisioner Parameters exceeded max allowed: {MAX_PROVISIONER_PARAMETER_LEN}"))
    if total > MAX_PROVISIONER_PARAMETER_SIZE:
        errs.append(invalid(Path("parameters"), total, f"must be less than {MAX_PROVISIONER_PARAMETER_SIZE}"))
    policy = shape.string(sc.get("reclaimPolicy"), Path("reclaimPolicy"), errs)
    if policy and policy not in SC_RECLAIM_POLICIES:
        errs.append(not_supported(Path("reclaimPolicy"), policy, SC_RECLAIM_POLICIES))
    mode = shape.string(sc.get("volumeBindingMode"), Path("volumeBindingMode"), errs)
    if not mode:
        errs.append(required(Path("volumeBindingMode"), ""))
    elif mode not in BINDING_MODES:
        errs.append(not_supported(Path("volumeBindingMode"), mode, BINDING_MODES))
    shape.boolean(sc.get("allowVolumeExpansion"), Path("allowVolumeExpansion"), errs)
    topo = sc.get("allowedTopologies")
    if topo is not None:
        tp = Path("allowedTopologies")
        for i, term in enumerate(shape.sequence(topo, tp, errs)):
            exprs = shape.sequence(shape.mapping(term, tp.index(i), errs).get("matchLabelExpressions"),
                                   tp.index(i).child("matchLabelExpressions"), errs)
            if not exprs:
                errs.append(required(tp.index(i).child("matchLabelExpressions"), "must have at least one label "
                                                                                  "expression"))
            for j, e in enumerate(exprs):
                ep = tp.index(i).child("matchLabelExpressions").index(j)
                e = shape.mapping(e, ep, errs)
                if not shape.string(e.get("key"), ep.child("key"), errs):
                    errs.append(required(ep.child("key"), ""))
                if not shape.sequence(e.get("values"), ep.child("values"), errs):
                    errs.append(required(ep.child("values"), "must specify as least one value for matchLabelExpression"))
    return errs


def validate_storage_class_update(new: Mapping[str, Any], old: Mapping[str, Any],
                                  _options: Any = None) -> list[FieldError]:
    """``ValidateStorageClassUpdate``: parameters, provisioner, reclaimPolicy
    and volumeBindingMode are immutable."""
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += validate_storage_class(new)
    if semantic(new.get("parameters")) != semantic(old.get("parameters")):
        errs.append(forbidden(Path("parameters"), "updates to parameters are forbidden."))
    if new.get("provisioner") != old.get("provisioner"):
        errs.append(forbidden(Path("provisioner"), "updates to provisioner are forbidden."))
    if new.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.append(forbidden(Path("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
    errs += immutable(new.get("volumeBindingMode"), old.get("volumeBindingMode"), Path("volumeBindingMode"))
    return errs
