"""Object metadata, labels and label selectors.

Ports of ``ValidateObjectMeta`` / ``ValidateObjectMetaUpdate`` /
``ValidateAnnotations`` / ``ValidateOwnerReferences`` / ``ValidateFinalizers``
(``k8s.io/apimachinery/pkg/api/validation/objectmeta.go``), the core
additions (``validateKubeFinalizerName`` in
``pkg/apis/core/validation/validation.go``), and ``ValidateLabels`` /
``ValidateLabelSelector`` (``k8s.io/apimachinery/pkg/apis/meta/v1/validation``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import (
    FieldError,
    GoStruct,
    Path,
    forbidden,
    invalid,
    required,
    too_long,
)
from kubekit.validation.names import (
    label_value_errors,
    name_is_dns_label,
    qualified_name_errors,
)

__all__ = [
    "FIELD_IMMUTABLE",
    "NameFn",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "immutable",
    "label_selector_struct",
    "selector_matches",
    "semantic",
    "validate_annotations",
    "validate_label_name",
    "validate_label_selector",
    "validate_labels",
    "validate_nonnegative",
    "validate_object_meta",
    "validate_object_meta_update",
]

NameFn = Callable[[str, bool], list[str]]

FIELD_IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


def validate_nonnegative(value: int | None, path: Path) -> list[FieldError]:
    """ValidateNonnegativeField."""
    if value is not None and value < 0:
        return [invalid(path, value, IS_NEGATIVE)]
    return []


def semantic(value: Any) -> Any:
    """The form ``apiequality.Semantic.DeepEqual`` compares: unset, null,
    empty lists/maps/strings and ``false`` are all Go's zero value, so they
    are dropped from maps before comparing.  (Zero numbers are kept: many
    numeric fields are pointers, for which 0 differs from unset.)"""
    if isinstance(value, dict):
        out = {k: semantic(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != [] and v != "" and v is not False}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


def immutable(new: Any, old: Any, path: Path) -> list[FieldError]:
    """ValidateImmutableField: ``Invalid value: <new>: field is immutable``."""
    return [] if new == old else [invalid(path, new, FIELD_IMMUTABLE)]


def validate_label_name(name: str, path: Path) -> list[FieldError]:
    return [invalid(path, name, m) for m in qualified_name_errors(name)]


def validate_labels(labels: Mapping[str, str], path: Path) -> list[FieldError]:
    """ValidateLabels: keys and values are reported at the map's path."""
    errs: list[FieldError] = []
    for k, v in labels.items():
        errs += validate_label_name(k, path)
        errs += [invalid(path, v, m) for m in label_value_errors(v)]
    return errs


def validate_annotations(annotations: Mapping[str, str], path: Path) -> list[FieldError]:
    """ValidateAnnotations: keys are qualified names (case-insensitive), and
    keys plus values may not exceed 256 KiB in total."""
    errs = [invalid(path, k, m) for k in annotations for m in qualified_name_errors(k.lower())]
    total = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _owner_ref_struct(ref: Mapping[str, Any]) -> GoStruct:
    out = GoStruct(apiVersion=shape.text(ref.get("apiVersion")), kind=shape.text(ref.get("kind")),
                   name=shape.text(ref.get("name")), uid=shape.text(ref.get("uid")))
    for opt in ("controller", "blockOwnerDeletion"):
        if ref.get(opt) is not None:
            out[opt] = ref[opt]
    return out


def _validate_owner_references(refs: list[Any], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    first_controller = ""
    for i, raw in enumerate(refs):
        ref = shape.mapping(raw, path.index(i), errs)
        api_version = shape.string(ref.get("apiVersion"), path.child("apiVersion"), errs)
        kind = shape.string(ref.get("kind"), path.child("kind"), errs)
        name = shape.string(ref.get("name"), path.child("name"), errs)
        uid = shape.string(ref.get("uid"), path.child("uid"), errs)
        group, _, version = api_version.rpartition("/")
        if not version:
            errs.append(invalid(path.child("apiVersion"), api_version, "version must not be empty"))
        if not kind:
            errs.append(invalid(path.child("kind"), kind, "must not be empty"))
        if not name:
            errs.append(invalid(path.child("name"), name, "must not be empty"))
        if not uid:
            errs.append(invalid(path.child("uid"), uid, "must not be empty"))
        if (group, version, kind) == ("", "v1", "Event"):
            errs.append(invalid(path, _owner_ref_struct(ref), "/v1, Kind=Event is disallowed from being an owner"))
        if ref.get("controller") is True:
            current = f"{kind}/{name}"
            if first_controller:
                errs.append(
                    invalid(
                        path,
                        [_owner_ref_struct(r) if isinstance(r, dict) else r for r in refs],
                        'Only one reference can have Controller set to true. Found "true" in references '
                        f"for {first_controller} and {current}",
                    )
                )
            else:
                first_controller = current
    return errs


def _validate_finalizers(finalizers: list[str], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    for f in finalizers:
        errs += [invalid(path, f, m) for m in qualified_name_errors(f)]
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.append(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
    return errs


def _kube_finalizer_names(finalizers: list[str], path: Path) -> list[FieldError]:
    """validateKubeFinalizerName (pkg/apis/core/validation)."""
    return [
        invalid(path.index(i), f, "name is neither a standard finalizer name nor is it fully qualified")
        for i, f in enumerate(finalizers)
        if "/" not in f and f not in _STANDARD_FINALIZERS
    ]


def _strings(value: Any, path: Path, errs: list[FieldError]) -> list[str]:
    return [shape.string(v, path.index(i), errs) for i, v in enumerate(shape.sequence(value, path, errs))]


def _common(meta: Mapping[str, Any], namespaced: bool, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    namespace = shape.string(meta.get("namespace"), path.child("namespace"), errs)
    if namespaced:
        if not namespace:
            errs.append(required(path.child("namespace")))
        else:
            errs += [invalid(path.child("namespace"), namespace, m) for m in name_is_dns_label(namespace, False)]
    elif namespace:
        errs.append(forbidden(path.child("namespace"), "not allowed on this type"))
    errs += validate_nonnegative(shape.integer(meta.get("generation"), path.child("generation"), errs),
                                 path.child("generation"))
    errs += validate_labels(shape.string_map(meta.get("labels"), path.child("labels"), errs), path.child("labels"))
    errs += validate_annotations(shape.string_map(meta.get("annotations"), path.child("annotations"), errs),
                                 path.child("annotations"))
    refs = shape.sequence(meta.get("ownerReferences"), path.child("ownerReferences"), errs)
    errs += _validate_owner_references(refs, path.child("ownerReferences"))
    finalizers = _strings(meta.get("finalizers"), path.child("finalizers"), errs)
    errs += _validate_finalizers(finalizers, path.child("finalizers"))
    return errs


def validate_object_meta(meta_raw: Any, namespaced: bool, name_fn: NameFn, path: Path, *,
                         core: bool = True) -> list[FieldError]:
    """ValidateObjectMeta.  ``core=True`` is the flavour of
    ``pkg/apis/core/validation`` (also validateKubeFinalizerName); ``False``
    is apimachinery's, which Lease uses.  The name must already be generated
    from ``generateName``."""
    errs: list[FieldError] = []
    meta = shape.mapping(meta_raw, path, errs)
    generate_name = shape.string(meta.get("generateName"), path.child("generateName"), errs)
    if generate_name:
        errs += [invalid(path.child("generateName"), generate_name, m) for m in name_fn(generate_name, True)]
    name = shape.string(meta.get("name"), path.child("name"), errs)
    if not name:
        errs.append(required(path.child("name"), "name or generateName is required"))
    else:
        errs += [invalid(path.child("name"), name, m) for m in name_fn(name, False)]
    errs += _common(meta, namespaced, path)
    if core:
        finalizers = [f for f in shape.items(meta.get("finalizers")) if isinstance(f, str)]
        errs += _kube_finalizer_names(finalizers, path.child("finalizers"))
    return errs


def validate_object_meta_update(new_raw: Any, old_raw: Any, path: Path, *, core: bool = True) -> list[FieldError]:
    """ValidateObjectMetaUpdate: resourceVersion required, generation not
    decremented, name/namespace/uid/creationTimestamp/deletionTimestamp/
    deletionGracePeriodSeconds immutable, labels etc. still valid."""
    errs: list[FieldError] = []
    new = shape.mapping(new_raw, path, errs)
    old = shape.mapping(old_raw, path, [])
    if old.get("deletionTimestamp") is not None:
        new_finalizers = {f for f in shape.items(new.get("finalizers")) if isinstance(f, str)}
        added = sorted(new_finalizers - {f for f in shape.items(old.get("finalizers")) if isinstance(f, str)})
        if added:
            listed = "[]string{" + ", ".join(f'"{f}"' for f in added) + "}"
            errs.append(forbidden(path.child("finalizers"),
                                  f"no new finalizers can be added if the object is being deleted, found new finalizers {listed}"))
    rv = shape.string(new.get("resourceVersion"), path.child("resourceVersion"), errs)
    if not rv:
        errs.append(invalid(path.child("resourceVersion"), rv, "must be specified for an update"))
    new_gen = new.get("generation") or 0
    old_gen = old.get("generation") or 0
    if isinstance(new_gen, int) and isinstance(old_gen, int) and new_gen < old_gen:
        errs.append(invalid(path.child("generation"), new_gen, "must not be decremented"))
    for key, zero in (("name", ""), ("namespace", ""), ("uid", ""), ("creationTimestamp", None),
                      ("deletionTimestamp", None), ("deletionGracePeriodSeconds", None)):
        new_v = new.get(key) if new.get(key) is not None else zero
        old_v = old.get(key) if old.get(key) is not None else zero
        errs += immutable(new_v, old_v, path.child(key))
    errs += validate_labels(shape.string_map(new.get("labels"), path.child("labels"), errs), path.child("labels"))
    errs += validate_annotations(shape.string_map(new.get("annotations"), path.child("annotations"), errs),
                                 path.child("annotations"))
    refs = shape.sequence(new.get("ownerReferences"), path.child("ownerReferences"), errs)
    errs += _validate_owner_references(refs, path.child("ownerReferences"))
    finalizers = _strings(new.get("finalizers"), path.child("finalizers"), errs)
    errs += _validate_finalizers(finalizers, path.child("finalizers"))
    if core:
        errs += _kube_finalizer_names(finalizers, path.child("finalizers"))
    return errs


# --- label selectors ----------------------------------------------------------

_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(raw: Any, path: Path, *, allow_invalid_label_value: bool = False) -> list[FieldError]:
    """ValidateLabelSelector (``nil`` is valid)."""
    errs: list[FieldError] = []
    if raw is None:
        return errs
    sel = shape.mapping(raw, path, errs)
    errs += validate_labels(shape.string_map(sel.get("matchLabels"), path.child("matchLabels"), errs),
                            path.child("matchLabels"))
    exprs = shape.sequence(sel.get("matchExpressions"), path.child("matchExpressions"), errs)
    for i, raw_expr in enumerate(exprs):
        p = path.child("matchExpressions").index(i)
        expr = shape.mapping(raw_expr, p, errs)
        op = shape.string(expr.get("operator"), p.child("operator"), errs)
        values = _strings(expr.get("values"), p.child("values"), errs)
        if op in ("In", "NotIn"):
            if not values:
                errs.append(required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(p.child("operator"), op, "not a valid selector operator"))
        errs += validate_label_name(shape.string(expr.get("key"), p.child("key"), errs), p.child("key"))
        if not allow_invalid_label_value:
            for j, v in enumerate(values):
                errs += [invalid(p.child("values").index(j), v, m) for m in label_value_errors(v)]
    return errs


def label_selector_struct(raw: Any) -> Any:
    """A LabelSelector as Go's json.Marshal prints it (``omitempty`` fields)."""
    if not isinstance(raw, dict):
        return raw
    out = GoStruct()
    if raw.get("matchLabels"):
        out["matchLabels"] = raw["matchLabels"]
    if isinstance(raw.get("matchExpressions"), list) and raw["matchExpressions"]:
        exprs = []
        for e in raw["matchExpressions"]:
            if isinstance(e, dict):
                ge = GoStruct(key=shape.text(e.get("key")), operator=shape.text(e.get("operator")))
                if e.get("values"):
                    ge["values"] = e["values"]
                exprs.append(ge)
            else:
                exprs.append(e)
        out["matchExpressions"] = exprs
    return out


def selector_matches(raw: Any, labels: Mapping[str, str]) -> bool | None:
    """``LabelSelectorAsSelector(sel).Matches(labels)``; ``None`` when the
    selector is empty (``Everything``: callers skip the check).  A ``nil``
    selector is ``Nothing`` and matches no labels."""
    if raw is None:
        return False
    if not isinstance(raw, dict):
        return False
    match_labels = raw.get("matchLabels") or {}
    exprs = raw.get("matchExpressions") or []
    if not match_labels and not exprs:
        return None
    if not isinstance(match_labels, dict) or not isinstance(exprs, list):
        return False
    for k, v in match_labels.items():
        if labels.get(k) != v:
            return False
    for e in exprs:
        if not isinstance(e, dict):
            return False
        key, op, values = e.get("key"), e.get("operator"), shape.items(e.get("values"))
        values = [v for v in values if isinstance(v, str)]
        if op == "In" and not (key in labels and labels[key] in values):
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
