"""Strategic merge patch (``application/strategic-merge-patch+json``), a port
of ``k8s.io/apimachinery/pkg/util/strategicpatch/patch.go``.  Pure.

A strategic merge patch is a JSON merge patch (RFC 7386: maps merge, ``null``
deletes) in which some lists merge instead of being replaced: the API types
say which, with the struct tags ``patchStrategy`` and ``patchMergeKey``.
Here those tags are data, a :data:`Schema` per struct type (field name ->
:class:`Field`), so the functions can run with upstream's test schema as
well as with the Kubernetes one (:func:`schema_for`).

* :func:`strategic_merge_patch` applies a patch (``StrategicMergeMapPatch``);
* :func:`two_way_patch` diffs two documents (``CreateTwoWayMergeMapPatch``);
* :func:`three_way_patch` is client-side apply's patch
  (``CreateThreeWayMergePatch`` with ``overwrite=true``, what ``kubectl
  apply`` passes): changes and additions from ``current`` (live) to
  ``modified`` (new configuration), deletions from ``original`` (last
  applied) to ``modified``.

Directives, all as upstream implements them:

* ``$patch: replace`` in a map (the map replaces the original) or as an
  element of a merging list (the list's other elements replace it);
* ``$patch: delete`` in a map (the map becomes ``{}``) or as an element of a
  merging list (every element with that merge key value is removed);
  ``$patch: merge`` in a list is an error, as upstream ("merging lists cannot
  yet be specified in the patch");
* ``$retainKeys: [...]`` in a map whose field has the ``retainKeys``
  strategy: original keys not listed are cleared;
* ``$deleteFromPrimitiveList/<field>: [...]``: those values are removed from
  a list of scalars (never adds the list);
* ``$setElementOrder/<field>: [...]``: the order of a merging list's
  elements (patch and server-only elements interleaved as upstream's
  ``normalizeElementOrder`` does).

Without ``$setElementOrder`` the elements a patch names come first, then
those only the original had, as upstream: a patch adding a container
prepends it.  Nothing upstream implements is left out.

Differences from upstream, on purpose:

* a field the schema does not know is treated as a field without a strategy
  (maps merge, lists are replaced) where upstream's lookup fails with
  "unable to find api field" (for a map or list that changed);
* :func:`three_way_patch` never reports conflicts (``overwrite=true``, as
  kubectl apply);
* when applying, a value with nothing to merge into (a new key, a new list
  element) is merged into an empty value of its type, so directives inside
  it are applied, not stored, and its ``null`` values are dropped (upstream
  drops nulls there too, ``discardNullValuesFromPatch``, and drops unknown
  ``$...`` keys when it decodes the typed object; kubekit stores plain
  JSON);
* where upstream orders a merged list by a "server order" that Go's slice
  aliasing has already rewritten (a ``$patch: delete`` shifting the
  original list in place, then appends writing into its spare capacity),
  kubekit orders by the original list as it was (two upstream test rows
  differ in order only; see the tests);
* elements missing from an order list (upstream sorts with a comparator
  that is then not a strict order) keep their relative order, last.

Errors (an element without its merge key, a ``$setElementOrder`` list that
contradicts the patch's list, an unknown ``$patch``, a list of lists...) are
:class:`StrategicPatchError`, with upstream's messages where the tests
check them.

The Kubernetes schema (:data:`KIND_SCHEMAS`) holds the tagged fields of the
kinds kubekit serves, from ``k8s.io/api`` ``core/v1/types.go`` (PodSpec,
Container, EphemeralContainerCommon, PodStatus, NodeSpec, NodeStatus,
NamespaceStatus), ``apps/v1/types.go`` (DeploymentSpec.strategy
``retainKeys``, kubernetes/kubernetes#70436; Deployment/ReplicaSet status
conditions),
``autoscaling/v2/types.go`` and ``policy/v1/types.go`` (status conditions)
and ``k8s.io/apimachinery/pkg/apis/meta/v1/types.go`` (ObjectMeta
ownerReferences, finalizers).  Every other list is atomic (replaced), as
upstream: tolerations, node taints, command/args, envFrom, HPA metrics...
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kubekit.errors import KubekitError

__all__ = ["Field", "Schema", "StrategicPatchError", "strategic_merge_patch", "two_way_patch",
           "three_way_patch", "schema_for", "KIND_SCHEMAS"]

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList"
SET_ORDER = "$setElementOrder"


class StrategicPatchError(KubekitError, ValueError):
    """A patch (or document) strategic merge patch cannot process."""


@dataclass(frozen=True, slots=True)
class Field:
    """A field's patch metadata: ``strategy`` ``"merge"``, ``"replace"`` or
    ``""`` (none: maps merge, lists are replaced); ``merge_key`` for merging
    lists of maps; ``retain_keys`` (the ``retainKeys`` strategy); ``fields``
    the schema of the value's struct type (of the elements, for a list)."""
    strategy: str = ""
    merge_key: str = ""
    retain_keys: bool = False
    fields: Mapping[str, Field] | None = None


Schema = Mapping[str, Field]
_NONE = Field()


def _lookup(schema: Schema | None, key: str) -> Field:
    return (schema or {}).get(key, _NONE)


# -- JSON value helpers (Go's reflect.TypeOf / == / fmt "%v") ---------------------------------
def _jtype(v: Any) -> str:
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "list"
    return type(v).__name__          # int, float, str


def _same(a: Any, b: Any) -> bool:
    """Go's ``==`` on two decoded JSON scalars (type and value)."""
    return _jtype(a) == _jtype(b) and a == b


def _deep_equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_deep_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_deep_equal, a, b))
    return _same(a, b)


def _fmt(v: Any) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _hashable(v: Any) -> tuple[str, Any]:
    return (_jtype(v), v if not isinstance(v, (dict, list)) else id(v))


def _sort_scalars(s: list) -> list:
    return sorted(s, key=_fmt)


def _dedupe(s: list) -> list:
    out: list = []
    seen: set = set()
    for v in s:
        h = _hashable(v)
        if h not in seen:
            seen.add(h)
            out.append(v)
    return out


def _element_kind(*lists: list) -> str:
    """``"map"``, ``"list"`` or the scalar type of every element (upstream's
    ``sliceElementType``)."""
    kind = None
    for s in lists:
        for v in s:
            t = _jtype(v)
            if kind is None:
                if t == "list":
                    raise StrategicPatchError("lists of lists are not supported")
                kind = t
            elif t != kind:
                raise StrategicPatchError(f"list element types are not identical: {list(lists)}")
    if kind is None:
        raise StrategicPatchError("no elements in any of the given slices")
    return kind


def _no_merge_key(m: Any, key: str) -> StrategicPatchError:
    return StrategicPatchError(f"map: {m} does not contain declared merge key: {key}")


def _check_map(v: Any) -> dict:
    if not isinstance(v, dict):
        raise StrategicPatchError(f"expected a map, but got {_jtype(v)}: {v!r}")
    return v


# -- diff (CreateTwoWayMergePatch / CreateThreeWayMergePatch) ---------------------------------
@dataclass(frozen=True, slots=True)
class _Diff:
    set_element_order: bool = False
    ignore_changes: bool = False       # IgnoreChangesAndAdditions
    ignore_deletions: bool = False
    retain_keys: bool = False          # BuildRetainKeysDirective


def two_way_patch(original: Mapping, modified: Mapping, schema: Schema | None) -> dict:
    """The patch that takes ``original`` to ``modified``."""
    return _diff_maps(copy.deepcopy(dict(original)), copy.deepcopy(dict(modified)), schema,
                      _Diff(set_element_order=True))


def three_way_patch(original: Mapping | None, modified: Mapping, current: Mapping, schema: Schema | None) -> dict:
    """kubectl apply's patch: what changed or was added from ``current`` to
    ``modified``, plus what was deleted from ``original`` to ``modified``
    (``{}`` when there is nothing to do)."""
    original_ = copy.deepcopy(dict(original or {}))
    modified_ = copy.deepcopy(dict(modified))
    current_ = copy.deepcopy(dict(current or {}))
    delta = _diff_maps(current_, modified_, schema, _Diff(ignore_deletions=True, set_element_order=True))
    deletions = _diff_maps(original_, modified_, schema, _Diff(set_element_order=True, ignore_changes=True))
    return _merge_map(deletions, delta, schema, merge_parallel=False, ignore_unmatched_nulls=False)


def _diff_maps(original: dict, modified: dict, schema: Schema | None, o: _Diff) -> dict:
    patch: dict[str, Any] = {}
    retain: list[str] = []
    for key, mv in modified.items():
        if o.retain_keys and mv is not None:
            retain.append(key)
        if key not in original:
            if not o.ignore_changes:
                patch[key] = mv
            continue
        ov = original[key]
        if key == DIRECTIVE:
            if not isinstance(ov, str) or not isinstance(mv, str):
                raise StrategicPatchError(f"invalid value for special key: {DIRECTIVE}")
            if ov != mv:
                patch[key] = mv
            continue
        if _jtype(ov) != _jtype(mv):
            if not o.ignore_changes:
                patch[key] = mv
            continue
        if isinstance(ov, dict):
            f = _lookup(schema, key)
            if f.strategy == "replace":
                if not o.ignore_changes:
                    patch[key] = mv
            else:
                sub = _diff_maps(ov, mv, f.fields, replace(o, retain_keys=f.retain_keys))
                if sub:
                    patch[key] = sub
        elif isinstance(ov, list):
            f = _lookup(schema, key)
            if f.strategy == "merge":
                add, dele, order = _diff_lists(ov, mv, f.fields, f.merge_key, replace(o, retain_keys=f.retain_keys))
                if add:
                    patch[key] = add
                if dele:
                    patch[f"{DELETE_PRIMITIVE}/{key}"] = dele
                if order:
                    patch[f"{SET_ORDER}/{key}"] = order
            elif not o.ignore_changes and not _deep_equal(ov, mv):
                patch[key] = mv
        elif not o.ignore_changes and not _deep_equal(ov, mv):
            patch[key] = mv
    if not o.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[RETAIN_KEYS] = _sort_scalars(retain)
    return patch


def _diff_lists(original: list, modified: list, schema: Schema | None, merge_key: str,
                o: _Diff) -> tuple[list, list, list]:
    """(patch list, deletions from a list of scalars, ``$setElementOrder`` list)."""
    if not original:
        if not modified or o.ignore_changes:
            return [], [], []
        return modified, [], []
    kind = _element_kind(original, modified)
    order: list = []
    if kind == "map":
        patch_list, deletions = _diff_lists_of_maps(original, modified, schema, merge_key, o)
        patch_list = _normalize_slice_order(patch_list, modified, merge_key, kind)
        order_same = len(original) == len(modified) and all(
            _same(_check_map(a).get(merge_key), _check_map(b).get(merge_key)) for a, b in zip(original, modified))
        patch_list = patch_list + deletions
        if o.set_element_order and ((not o.ignore_changes and (patch_list or not order_same))
                                    or (not o.ignore_deletions and patch_list)):
            order = [{merge_key: v[merge_key]} for v in modified]
        return patch_list, [], order
    patch_list, deletions = _diff_lists_of_scalars(original, modified, o)
    patch_list = _normalize_slice_order(patch_list, modified, merge_key, kind)
    if o.set_element_order and ((not o.ignore_deletions and deletions)
                                or (not o.ignore_changes and not _deep_equal(original, modified))):
        order = list(modified)
    return patch_list, deletions, order


def _diff_lists_of_scalars(original: list, modified: list, o: _Diff) -> tuple[list, list]:
    orig, mod = _sort_scalars(original), _sort_scalars(modified)
    add: list = []
    deletions: list = []
    i = j = 0
    while i < len(orig) or j < len(mod):
        if i < len(orig) and j < len(mod) and _fmt(orig[i]) == _fmt(mod[j]):
            i += 1
            j += 1
        elif i >= len(orig) or (j < len(mod) and _fmt(orig[i]) > _fmt(mod[j])):
            if not o.ignore_changes:
                add.append(mod[j])
            j += 1
        else:
            if not o.ignore_deletions:
                deletions.append(orig[i])
            i += 1
    return add, _dedupe(deletions)


def _sorted_by_merge_key(s: list, merge_key: str) -> list:
    for v in s:
        _check_map(v)
    return sorted(s, key=lambda m: _fmt(m.get(merge_key)))


def _diff_lists_of_maps(original: list, modified: list, schema: Schema | None, merge_key: str,
                        o: _Diff) -> tuple[list, list]:
    orig = _sorted_by_merge_key(original, merge_key)
    mod = _sorted_by_merge_key(modified, merge_key)
    patch: list = []
    deletions: list = []
    i = j = 0
    while i < len(orig) or j < len(mod):
        if i < len(orig) and merge_key not in orig[i]:
            raise _no_merge_key(orig[i], merge_key)
        if j < len(mod) and merge_key not in mod[j]:
            raise _no_merge_key(mod[j], merge_key)
        os_ = _fmt(orig[i][merge_key]) if i < len(orig) else ""
        ms = _fmt(mod[j][merge_key]) if j < len(mod) else ""
        if i < len(orig) and j < len(mod) and os_ == ms:
            sub = _diff_maps(orig[i], mod[j], schema, o)
            if sub:
                sub[merge_key] = mod[j][merge_key]
                patch.append(sub)
            i += 1
            j += 1
        elif i >= len(orig) or (j < len(mod) and os_ > ms):
            if not o.ignore_changes:
                patch.append(mod[j])
            j += 1
        else:
            if not o.ignore_deletions:
                deletions.append({merge_key: orig[i][merge_key], DIRECTIVE: "delete"})
            i += 1
    return patch, deletions


def _index(items: list, value: Any, merge_key: str, kind: str) -> int:
    get = (lambda x: x.get(merge_key) if isinstance(x, dict) else None) if kind == "map" else (lambda x: x)
    want = get(value)
    for i, v in enumerate(items):
        if _same(get(v), want):
            return i
    return -1


def _normalize_slice_order(to_sort: list, order: list, merge_key: str, kind: str) -> list:
    to_delete: list = []
    if kind == "map":
        for m in (*to_sort, *order):
            if merge_key not in _check_map(m):
                raise _no_merge_key(m, merge_key)
        to_delete = [v for v in to_sort if v.get(DIRECTIVE) == "delete"]
        to_sort = [v for v in to_sort if v.get(DIRECTIVE) != "delete"]

    def rank(v: Any) -> int:
        i = _index(order, v, merge_key, kind)
        return len(order) if i < 0 else i
    return sorted(to_sort, key=rank) + to_delete


def _merge_sorted_slice(left: list, right: list, server_order: list, merge_key: str, kind: str) -> list:
    out: list = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _normalize_element_order(patch: list, server_only: list, patch_order: list, server_order: list,
                             merge_key: str, kind: str) -> list:
    patch = _normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted_slice(server_only, patch, server_order, merge_key, kind)


# -- apply (StrategicMergeMapPatch) -------------------------------------------------------------
def strategic_merge_patch(original: Mapping, patch: Mapping, schema: Schema | None) -> dict:
    """``original`` with ``patch`` applied (neither is modified)."""
    if not isinstance(patch, Mapping):
        raise StrategicPatchError("a strategic merge patch must be a JSON object")
    out = _merge_map(copy.deepcopy(dict(original)), copy.deepcopy(dict(patch)), schema,
                     merge_parallel=True, ignore_unmatched_nulls=True)
    return out


def _merge_map(original: dict | None, patch: dict, schema: Schema | None, *, merge_parallel: bool,
               ignore_unmatched_nulls: bool) -> dict:
    if DIRECTIVE in patch:
        d = patch[DIRECTIVE]
        if d == "replace":
            del patch[DIRECTIVE]
            return patch
        if d == "delete":
            return {}
        raise StrategicPatchError(f"Unknown patch type: {d}, in map: {patch}")
    if original is None:
        original = {}
    kw = {"merge_parallel": merge_parallel, "ignore_unmatched_nulls": ignore_unmatched_nulls}
    _apply_retain_keys(original, patch, merge_parallel)
    _merge_set_element_order(original, patch, schema, kw)
    for k, pv in patch.items():
        is_delete_list = False
        if k.startswith(DELETE_PRIMITIVE):
            if not merge_parallel:
                original[k] = pv
                continue
            k = _extract_key(k, DELETE_PRIMITIVE)
            is_delete_list = True
        if pv is None:
            original.pop(k, None)
            if ignore_unmatched_nulls:
                continue
        f = _lookup(schema, k)
        if k not in original or _jtype(original[k]) != _jtype(pv):
            if not is_delete_list:
                original[k] = _new_value(pv, f, kw) if merge_parallel else pv
            continue
        ov = original[k]
        if isinstance(ov, dict):
            original[k] = pv if f.strategy == "replace" else _merge_map(ov, pv, f.fields, **kw)
        elif isinstance(ov, list):
            original[k] = _merge_slice_field(ov, pv, f, is_delete_list, kw)
        else:
            original[k] = pv
    return original


def _merge_slice_field(original: list, patch: Any, f: Field, is_delete_list: bool, kw: dict) -> list:
    if not isinstance(patch, list):
        raise StrategicPatchError(f"expected a list, but got {_jtype(patch)}: {patch!r}")
    if f.strategy == "merge" or is_delete_list:
        return _merge_slice(original, patch, f.fields, f.merge_key, is_delete_list, kw)
    return patch


def _new_value(pv: Any, f: Field, kw: dict) -> Any:
    """A patch value with nothing to merge into: merged into an empty value
    of its type, so its directives are applied rather than stored (upstream
    test "nested patch merge with empty list"), and without nulls."""
    if isinstance(pv, dict):
        return pv if f.strategy == "replace" else _merge_map({}, pv, f.fields, **kw)
    if isinstance(pv, list) and f.strategy == "merge":
        return _merge_slice([], pv, f.fields, f.merge_key, False, kw)
    return _without_nulls(pv)


def _without_nulls(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _without_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_without_nulls(x) for x in v]
    return v


def _extract_key(s: str, prefix: str) -> str:
    head, sep, rest = s.partition("/")
    if not sep or head != prefix:
        what = {DELETE_PRIMITIVE: "primitive list", SET_ORDER: "$setElementOrder list"}.get(prefix, prefix)
        raise StrategicPatchError(f"invalid patch format of {what}: {s!r}")
    return rest


def _apply_retain_keys(original: dict, patch: dict, merge_parallel: bool) -> None:
    if RETAIN_KEYS not in patch:
        return
    keys = patch.pop(RETAIN_KEYS)
    if not merge_parallel:
        if RETAIN_KEYS in original:
            if not _deep_equal(original[RETAIN_KEYS], keys):
                raise StrategicPatchError(f"{original[RETAIN_KEYS]} and {keys} are not deep equal: this may happen "
                                          "when calculating the 3-way diff patch")
        else:
            original[RETAIN_KEYS] = keys
        return
    if not isinstance(keys, list):
        raise StrategicPatchError("invalid patch format of retainKeys: $retainKeys must be a list")
    allowed = {_hashable(k) for k in keys}
    for k, v in patch.items():
        if v is None or k.startswith((DELETE_PRIMITIVE, SET_ORDER)):
            continue
        if _hashable(k) not in allowed:
            raise StrategicPatchError(f"invalid patch format of retainKeys: {k!r} is in the patch but not in "
                                      f"$retainKeys {keys}")
    for k in list(original):
        if _hashable(k) not in allowed:
            del original[k]


def _merge_set_element_order(original: dict, patch: dict, schema: Schema | None, kw: dict) -> None:
    """``$setElementOrder/<field>``: merge the field's list and order it
    (upstream's ``mergePatchIntoOriginal``)."""
    for key in [k for k in patch if k.startswith(SET_ORDER)]:
        order = patch.pop(key)
        if not kw["merge_parallel"]:
            if key in original:
                if not _deep_equal(original[key], order):
                    raise StrategicPatchError(f"invalid patch format of $setElementOrder list: {key!r} differs")
            else:
                original[key] = order
        if not isinstance(order, list):
            raise StrategicPatchError(f"invalid patch format of $setElementOrder list: {key!r} is not a list")
        field = _extract_key(key, SET_ORDER)
        found_original = original.get(field) is not None
        found_patch = field in patch
        orig_list = original.get(field) if found_original else []
        patch_list = patch.get(field) if found_patch else []
        if not isinstance(orig_list, list):
            raise StrategicPatchError(f"expected a list at {field!r}, but got {_jtype(orig_list)}")
        if not isinstance(patch_list, list):
            raise StrategicPatchError(f"expected a list at {field!r} in the patch, but got {_jtype(patch_list)}")
        f = _lookup(schema, field)
        _validate_set_order(patch_list, order, f.merge_key)
        if found_original and found_patch:
            merged = _merge_slice_field(orig_list, patch_list, f, False, kw)
        elif found_original:
            merged = orig_list
        elif found_patch:
            merged = patch_list
        else:
            continue
        if not orig_list and not patch_list:
            original[field] = merged
            patch.pop(field, None)
            continue
        kind = _element_kind(orig_list, patch_list)
        patch_items, server_only = _partition(merged, order, f.merge_key)
        original[field] = _normalize_element_order(patch_items, server_only, order, orig_list, f.merge_key, kind)
        patch.pop(field, None)


def _validate_set_order(patch_list: list, order: list, merge_key: str) -> None:
    if not order or not patch_list:
        return
    items = [v for v in patch_list if not (merge_key and isinstance(v, dict) and v.get(DIRECTIVE) == "delete")]
    pi = oi = 0
    while pi < len(items) and oi < len(order):
        if isinstance(items[pi], dict) and DIRECTIVE in items[pi]:
            pi += 1
            continue
        if merge_key:
            a, b = _check_map(items[pi]), _check_map(order[oi])
            if merge_key not in a:
                raise _no_merge_key(a, merge_key)
            if merge_key not in b:
                raise _no_merge_key(b, merge_key)
            equal = _same(a[merge_key], b[merge_key])
        else:
            equal = _same(items[pi], order[oi])
        if equal:
            pi += 1
        oi += 1
    if pi < len(items) and oi >= len(order):
        raise StrategicPatchError(f"The order in patch list:\n{patch_list}\n doesn't match {SET_ORDER} list:\n{order}\n")


def _partition(merged: list, by: list, merge_key: str) -> tuple[list, list]:
    """(elements present in ``by``, the others), in ``merged`` order."""
    inside: list = []
    outside: list = []
    if not merge_key:
        keys = {_hashable(v) for v in by}
        for v in merged:
            (inside if _hashable(v) in keys else outside).append(v)
        return inside, outside
    for v in merged:
        if merge_key not in _check_map(v):
            raise _no_merge_key(v, merge_key)
        found = any(isinstance(b, dict) and merge_key in b and _same(b[merge_key], v[merge_key]) for b in by)
        (inside if found else outside).append(v)
    return inside, outside


def _merge_slice(original: list, patch: list, schema: Schema | None, merge_key: str, is_delete_list: bool,
                 kw: dict) -> list:
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind != "map":
        if kw["merge_parallel"] and is_delete_list:
            drop = {_hashable(v) for v in patch}
            return [v for v in original if _hashable(v) not in drop]
        merged = _dedupe(original + patch)
    else:
        if not merge_key:
            raise StrategicPatchError("cannot merge lists without merge key for type map")
        original, patch = _merge_special_elements(original, patch, merge_key)
        merged = list(original)
        for v in patch:
            if merge_key not in v:
                raise _no_merge_key(v, merge_key)
            at = next((i for i, m in enumerate(merged) if merge_key in m and _same(m[merge_key], v[merge_key])), -1)
            if at >= 0:
                merged[at] = _merge_map(merged[at], v, schema, **kw)
            else:
                merged.append(_merge_map({}, v, schema, **kw) if kw["merge_parallel"] else v)
    patch_items, server_only = _partition(merged, patch, merge_key)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _merge_special_elements(original: list, patch: list, merge_key: str) -> tuple[list, list]:
    """Apply the ``$patch`` elements of a merging list: ``delete`` removes
    every original element with that key, ``replace`` makes the patch's other
    elements the list."""
    rest: list = []
    replace_ = False
    for v in patch:
        if DIRECTIVE not in v:
            rest.append(v)
            continue
        d = v[DIRECTIVE]
        if d == "delete":
            if merge_key not in v:
                raise _no_merge_key(v, merge_key)
            original = [m for m in original if not (merge_key in m and _same(m[merge_key], v[merge_key]))]
        elif d == "replace":
            replace_ = True
        elif d == "merge":
            raise StrategicPatchError("merging lists cannot yet be specified in the patch")
        else:
            raise StrategicPatchError(f"Unknown patch type: {d}, in map: {v}")
    if replace_:
        return rest, []
    return original, rest


# -- the Kubernetes schema ----------------------------------------------------------------------
def _merge(key: str = "", fields: Schema | None = None, *, retain: bool = False) -> Field:
    return Field("merge", key, retain, fields)


def _struct(fields: Schema) -> Field:
    return Field(fields=fields)


_CONDITIONS = {"conditions": _merge("type")}
_OBJECT_META: Schema = {"ownerReferences": _merge("uid"), "finalizers": _merge()}
_CONTAINER: Schema = {
    "ports": _merge("containerPort"),
    "env": _merge("name"),
    "volumeMounts": _merge("mountPath"),
    "volumeDevices": _merge("devicePath"),
}
_POD_SPEC: Schema = {
    "volumes": _merge("name", retain=True),
    "initContainers": _merge("name", _CONTAINER),
    "containers": _merge("name", _CONTAINER),
    "ephemeralContainers": _merge("name", _CONTAINER),
    "imagePullSecrets": _merge("name"),
    "hostAliases": _merge("ip"),
    "topologySpreadConstraints": _merge("topologyKey"),
    "schedulingGates": _merge("name"),
    "resourceClaims": _merge("name", retain=True),
}
_POD_STATUS: Schema = {
    "conditions": _merge("type"),
    "podIPs": _merge("ip"),
    "hostIPs": _merge("ip"),
    "resourceClaimStatuses": _merge("name", retain=True),
}
_TEMPLATE = _struct({"metadata": _struct(_OBJECT_META), "spec": _struct(_POD_SPEC)})


def _kind(spec: Schema | None = None, status: Schema | None = None) -> Schema:
    out: dict[str, Field] = {"metadata": _struct(_OBJECT_META)}
    if spec is not None:
        out["spec"] = _struct(spec)
    if status is not None:
        out["status"] = _struct(status)
    return out


#: the schema of each kind kubekit serves, by kind name
KIND_SCHEMAS: Mapping[str, Schema] = {
    "Pod": _kind(_POD_SPEC, _POD_STATUS),
    "Node": _kind({"podCIDRs": _merge()}, {"conditions": _merge("type"), "addresses": _merge("type")}),
    "Namespace": _kind({}, _CONDITIONS),
    "Event": _kind(),
    "Deployment": _kind({"template": _TEMPLATE, "strategy": Field(retain_keys=True)}, _CONDITIONS),
    "ReplicaSet": _kind({"template": _TEMPLATE}, _CONDITIONS),
    "Lease": _kind({}),
    "ConfigMap": _kind(),
    "Secret": _kind(),
    "HorizontalPodAutoscaler": _kind({}, _CONDITIONS),
    "PodDisruptionBudget": _kind({}, _CONDITIONS),
    # storage (docs/persistent-volumes.md): their lists are atomic upstream, but a claim's conditions
    "PersistentVolume": _kind({}),
    "PersistentVolumeClaim": _kind({}, _CONDITIONS),
    "StorageClass": _kind(),
}


def schema_for(kind: str) -> Schema | None:
    """The strategic merge patch schema of ``kind``; None when kubekit has
    none (upstream answers 415 for a strategic merge patch of a custom
    resource)."""
    return KIND_SCHEMAS.get(kind)
