"""Pure decision functions of the PersistentVolume controller and of volume
binding in the scheduler.

Transcribed from kubernetes/kubernetes:

* ``pkg/controller/volume/persistentvolume/util/util.go`` (and
  ``component-helpers/storage/volume``) -- :func:`find_matching_volume`
  (``FindMatchingVolume``), :func:`check_access_modes`
  (``CheckAccessModes``), :func:`volume_mode_mismatch`
  (``CheckVolumeModeMismatches``), :func:`is_volume_bound_to_claim`
  (``IsVolumeBoundToClaim``), :func:`claim_class` / :func:`volume_class`
  (``GetPersistentVolumeClaimClass`` / ``GetPersistentVolumeClass``);
* ``pkg/controller/volume/persistentvolume/index.go`` --
  :func:`find_best_match_for_claim` (``findBestMatchForClaim``: volumes
  grouped by their set of access modes, the groups that contain every
  requested mode tried fewest modes first, ``allPossibleMatchingAccessModes``);
* ``pkg/volume/util/util.go`` -- :func:`check_node_affinity`
  (``CheckNodeAffinity``);
* ``pkg/controller/volume/persistentvolume/pv_controller.go`` --
  :func:`check_volume_satisfy_claim` (``checkVolumeSatisfyClaim``),
  :func:`default_storage_class` (``GetDefaultClass`` of
  ``pkg/volume/util/storageclass``: the newest default class wins).

Objects are plain manifests (dicts); nothing here mutates its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.errors import KubekitError, QuantityError

__all__ = [
    "ANN_BIND_COMPLETED", "ANN_BOUND_BY_CONTROLLER", "ANN_SELECTED_NODE", "ANN_PROVISIONED_BY",
    "ANN_STORAGE_PROVISIONER", "ANN_BETA_STORAGE_PROVISIONER", "ANN_DEFAULT_CLASS", "ANN_BETA_DEFAULT_CLASS",
    "ANN_BETA_STORAGE_CLASS", "NO_PROVISIONER", "PVC_PROTECTION_FINALIZER", "PV_PROTECTION_FINALIZER",
    "claim_class", "volume_class", "check_access_modes", "volume_mode_mismatch", "is_volume_bound_to_claim",
    "check_node_affinity", "find_matching_volume", "find_best_match_for_claim", "check_volume_satisfy_claim",
    "default_storage_class", "storage_quantity", "claim_request", "intersect_node_selector_terms",
    "claim_names_of_pod", "is_default_class",
]

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
ANN_BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection"
PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection"


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def _annotations(obj: Mapping[str, Any]) -> Mapping[str, str]:
    return _meta(obj).get("annotations") or {}


def claim_class(claim: Mapping[str, Any]) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation wins over
    ``spec.storageClassName``; ``""`` for none."""
    ann = _annotations(claim)
    if ANN_BETA_STORAGE_CLASS in ann:
        return ann[ANN_BETA_STORAGE_CLASS]
    return _spec(claim).get("storageClassName") or ""


def volume_class(volume: Mapping[str, Any]) -> str:
    """``GetPersistentVolumeClass``."""
    ann = _annotations(volume)
    if ANN_BETA_STORAGE_CLASS in ann:
        return ann[ANN_BETA_STORAGE_CLASS]
    return _spec(volume).get("storageClassName") or ""


def storage_quantity(resources: Mapping[str, Any] | None) -> Quantity:
    """``resources["storage"]`` as a Quantity (zero when unset or unparseable,
    as Go's zero Quantity)."""
    raw = (resources or {}).get("storage")
    if raw is None:
        return Quantity(0)
    try:
        return Quantity.from_manifest(raw)
    except QuantityError:
        return Quantity(0)


def claim_request(claim: Mapping[str, Any]) -> Quantity:
    return storage_quantity((_spec(claim).get("resources") or {}).get("requests"))


def check_access_modes(claim: Mapping[str, Any], volume: Mapping[str, Any]) -> bool:
    """``CheckAccessModes``: the volume offers every mode the claim asks for."""
    offered = set(_spec(volume).get("accessModes") or ())
    return all(m in offered for m in _spec(claim).get("accessModes") or ())


def volume_mode_mismatch(claim_spec: Mapping[str, Any], volume_spec: Mapping[str, Any]) -> bool:
    """``CheckVolumeModeMismatches`` (unset is ``Filesystem``)."""
    return (claim_spec.get("volumeMode") or "Filesystem") != (volume_spec.get("volumeMode") or "Filesystem")


def is_volume_bound_to_claim(volume: Mapping[str, Any], claim: Mapping[str, Any]) -> bool:
    """``IsVolumeBoundToClaim``: the claimRef names the claim (and, when it
    has one, its uid)."""
    ref = _spec(volume).get("claimRef")
    if not ref:
        return False
    m = _meta(claim)
    if ref.get("name") != m.get("name") or (ref.get("namespace") or "") != (m.get("namespace") or ""):
        return False
    return not ref.get("uid") or ref.get("uid") == m.get("uid")


def _terms(selector: Any) -> list[dict]:
    return list((selector or {}).get("nodeSelectorTerms") or [])


def check_node_affinity(volume: Mapping[str, Any], labels: Mapping[str, str], node_name: str = "") -> bool:
    """``CheckNodeAffinity``: a volume without ``nodeAffinity.required`` fits
    every node; otherwise one of its terms must match the node (terms ORed,
    requirements ANDed)."""
    required = (_spec(volume).get("nodeAffinity") or {}).get("required")
    if required is None:
        return True
    from kubekit.api.affinity import match_node_selector, parse_node_affinity

    try:
        na = parse_node_affinity({"requiredDuringSchedulingIgnoredDuringExecution": required},
                                 "spec.nodeAffinity")
    except KubekitError:
        return False
    if na is None or na.required is None:
        return True
    return match_node_selector(na.required, labels, node_name)


def _selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    from kubekit.validation.meta import selector_matches

    ok = selector_matches(selector, labels)
    return True if ok is None else ok            # an empty selector is Everything


def find_matching_volume(claim: Mapping[str, Any], volumes: Iterable[Mapping[str, Any]], *,
                         node: Mapping[str, Any] | None = None, excluded: Iterable[str] = (),
                         delay_binding: bool = False) -> dict | None:
    """``FindMatchingVolume``: a volume pre-bound to the claim if any (and,
    given ``node``, that node fits its affinity; else None), otherwise the
    smallest Available volume of the claim's class, matching its selector,
    volumeMode and size (and, given ``node``, the node affinity and the
    access modes).  With ``delay_binding`` and no node (the PV controller on
    a WaitForFirstConsumer claim), only pre-bound volumes are returned."""
    requested = claim_request(claim)
    requested_class = claim_class(claim)
    selector = _spec(claim).get("selector")
    excluded = set(excluded)
    labels = (_meta(node).get("labels") or {}) if node is not None else {}
    node_name = _meta(node).get("name") or "" if node is not None else ""
    smallest, smallest_qty = None, None
    for volume in volumes:
        name = _meta(volume).get("name")
        if name in excluded:
            continue
        vspec = _spec(volume)
        if vspec.get("claimRef") and not is_volume_bound_to_claim(volume, claim):
            continue
        qty = storage_quantity(vspec.get("capacity"))
        if qty < requested:
            continue
        if volume_mode_mismatch(_spec(claim), vspec):
            continue
        if _meta(volume).get("deletionTimestamp"):
            continue
        affinity_ok = node is None or check_node_affinity(volume, labels, node_name)
        if is_volume_bound_to_claim(volume, claim):
            return dict(volume) if affinity_ok else None
        if node is None and delay_binding:
            continue
        if ((volume.get("status") or {}).get("phase")) != "Available":
            continue
        if selector is not None and not _selector_matches(selector, _meta(volume).get("labels") or {}):
            continue
        if volume_class(volume) != requested_class:
            continue
        if not affinity_ok:
            continue
        if node is not None and not check_access_modes(claim, volume):
            continue
        if smallest is None or smallest_qty > qty:
            smallest, smallest_qty = volume, qty
    return dict(smallest) if smallest is not None else None


def find_best_match_for_claim(claim: Mapping[str, Any], volumes: Sequence[Mapping[str, Any]], *,
                              delay_binding: bool = False) -> dict | None:
    """``findBestMatchForClaim`` (index.go): the volumes are indexed by
    their set of access modes; every set containing all requested modes is
    searched with :func:`find_matching_volume`, fewest modes first, so a
    ReadWriteOnce claim prefers a ReadWriteOnce volume to a
    ReadWriteOnce+ReadWriteMany one even when that one is smaller."""
    groups: dict[frozenset[str], list[Mapping[str, Any]]] = {}
    for v in volumes:
        groups.setdefault(frozenset(_spec(v).get("accessModes") or ()), []).append(v)
    wanted = set(_spec(claim).get("accessModes") or ())
    candidates = sorted((modes for modes in groups if wanted <= modes), key=lambda m: (len(m), sorted(m)))
    for modes in candidates:
        best = find_matching_volume(claim, groups[modes], delay_binding=delay_binding)
        if best is not None:
            return best
    return None


def check_volume_satisfy_claim(volume: Mapping[str, Any], claim: Mapping[str, Any]) -> str | None:
    """``checkVolumeSatisfyClaim``: why a volume the claim names cannot be
    bound to it (None when it can)."""
    if _meta(volume).get("deletionTimestamp"):
        return f'the volume is marked for deletion "{_meta(volume).get("name") or ""}"'
    requested = claim_request(claim)
    capacity = storage_quantity(_spec(volume).get("capacity"))
    if capacity < requested:
        return "requested PV is too small"
    if volume_class(volume) != claim_class(claim):
        return "storageClassName does not match"
    if volume_mode_mismatch(_spec(claim), _spec(volume)):
        return "incompatible volumeMode"
    if not check_access_modes(claim, volume):
        return "incompatible accessMode"
    return None


def is_default_class(sc: Mapping[str, Any]) -> bool:
    """``IsDefaultAnnotation``: either annotation set to ``"true"``."""
    ann = _annotations(sc)
    return ann.get(ANN_DEFAULT_CLASS) == "true" or ann.get(ANN_BETA_DEFAULT_CLASS) == "true"


def default_storage_class(classes: Iterable[Mapping[str, Any]]) -> dict | None:
    """``GetDefaultClass``: of the classes marked default, the newest
    (``creationTimestamp``; equal timestamps: the first name in ascending
    order); None if none is."""
    defaults = [sc for sc in classes if is_default_class(sc)]
    if not defaults:
        return None
    # newest first; equal timestamps: the name ascending (upstream sorts by creationTimestamp
    # descending and then by name)
    defaults.sort(key=lambda sc: _meta(sc).get("name") or "")
    defaults.sort(key=lambda sc: _meta(sc).get("creationTimestamp") or "", reverse=True)
    return dict(defaults[0])


def intersect_node_selector_terms(a: Sequence[Mapping[str, Any]] | None,
                                  b: Sequence[Mapping[str, Any]] | None) -> list[dict] | None:
    """The intersection of two NodeSelectors (terms ORed, requirements
    ANDed): the cross product of their terms, each pair's matchExpressions
    and matchFields concatenated.  ``None`` stands for "no constraint"."""
    if a is None:
        return None if b is None else [dict(t) for t in b]
    if b is None:
        return [dict(t) for t in a]
    out = []
    for ta in a:
        for tb in b:
            term: dict[str, Any] = {}
            exprs = list(ta.get("matchExpressions") or ()) + list(tb.get("matchExpressions") or ())
            fields = list(ta.get("matchFields") or ()) + list(tb.get("matchFields") or ())
            if exprs:
                term["matchExpressions"] = exprs
            if fields:
                term["matchFields"] = fields
            out.append(term)
    return out


def claim_names_of_pod(pod: Mapping[str, Any]) -> list[str]:
    """The claims a pod's volumes name (``persistentVolumeClaim.claimName``),
    in order, without repeats."""
    out: list[str] = []
    for vol in (_spec(pod).get("volumes") or ()):
        src = vol.get("persistentVolumeClaim") if isinstance(vol, Mapping) else None
        if isinstance(src, Mapping):
            name = src.get("claimName") or ""
            if name and name not in out:
                out.append(name)
    return out
