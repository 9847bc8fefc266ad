"""Server-side apply's merge, ownership and conflicts: a port of
``sigs.k8s.io/structured-merge-diff`` (``typed``: ``ToFieldSet``, ``Merge``,
``Compare``, ``RemoveItems``; ``merge``: ``Updater.Apply``,
``Updater.Update``, ``Conflict``/``Conflicts``).  Pure.

Schema
    Upstream walks values against an OpenAPI-derived schema.  Here a schema
    is a small tree of :class:`Map` (a struct with declared ``fields``, or a
    map with an ``element`` type; ``atomic`` for ``+structType=atomic`` /
    ``+mapType=atomic``), :class:`List` (``atomic``, ``associative`` with
    ``keys`` for ``+listType=map`` + ``+listMapKey``, ``associative``
    without keys for ``+listType=set``), :data:`SCALAR`, and :class:`Deduced`
    (``__untyped_deduced_``: maps granular, lists atomic).  :data:`DEDUCED`
    is upstream's deduced type (map keys are map elements);
    :data:`STRUCT_DEDUCED` is kubekit's lenient typed default: a field the
    kind's schema does not declare is treated as a declared struct field of
    deduced type (upstream would reject it as "field not declared in
    schema").

Differences from upstream, on purpose:

* a single API version per kind: no conversion between versions
  (``Converter``), a manager's ``APIVersion`` is only a label;
* a value whose JSON type differs from the schema (a string where a map is
  declared...) is treated as a leaf instead of a validation error;
* :func:`remove_items` drops a map key or list item whose content it
  removed entirely, where upstream leaves ``null`` (the typed Go round trip
  then omits it: the JSON kubekit stores is what upstream serves);
  ``Updater(..., keep_null=True)`` keeps upstream's ``null`` (the
  transcribed structured-merge-diff tests run that way);
* unions (``NormalizeUnions``) and schema-change reconciliation
  (``reconcileManagedFieldsWithSchemaChanges``) are not implemented.

Stored and applied values, as upstream since structured-merge-diff v4.4
(Kubernetes 1.29, ``typed.AllowDuplicates``): a key repeated in an
associative list of a *stored* object (the live object, the new object of a
create or update, the merge result) is allowed: its items are kept in
order, and the key is one member owned whole (not descended into); an apply
that sets that key replaces all of them with its one item.  Only the
*applied configuration* may not repeat a key (:class:`ApplyError`).  A
stored item that lacks a key field reads as the field's zero value (``""``;
``0`` for ``containerPort``), as upstream's typed Go round trip writes it;
in the applied configuration that is an :class:`ApplyError`.

The Kubernetes schema (:func:`schema_for`) holds the SSA markers of the kinds
kubekit serves, from ``k8s.io/api`` (``+listType``, ``+listMapKey``,
``+structType=atomic``, ``+mapType=atomic``).  It differs from the strategic
merge patch keys (:mod:`kubekit.api.strategicpatch`) where upstream's do:
container ``ports`` are keyed by ``containerPort`` *and* ``protocol``
(``protocol`` defaulting to ``TCP``, as the OpenAPI default upstream),
``topologySpreadConstraints`` by ``topologyKey`` and ``whenUnsatisfiable``;
``spec.selector`` (``LabelSelector``), ``OwnerReference``, ``ObjectReference``
(an Event's ``involvedObject``; a PV's ``claimRef`` is ``+structType=granular``)
and the ``*KeySelector`` structs are atomic; ``nodeSelector`` is an atomic map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubekit.api.fieldpath import _tree, path_string, recursive_difference, vkey

__all__ = ["Map", "List", "Deduced", "SCALAR", "DEDUCED", "STRUCT_DEDUCED", "ApplyError", "Conflict",
           "Conflicts", "VersionedSet", "Comparison", "Updater", "to_field_set", "merge", "compare",
           "remove_items", "ensure_named_fields_are_members", "schema_for", "KIND_SCHEMAS"]

_ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()


class ApplyError(ValueError):
    """A value server-side apply cannot handle (an associative list element
    without its key, duplicate keys in the applied configuration...)."""


# -- schema -------------------------------------------------------------------------------------
class _Scalar:
    def __repr__(self) -> str:
        return "SCALAR"


SCALAR: Any = _Scalar()


@dataclass(eq=False)
class Map:
    """A struct (``fields``) or a map (``element``); ``open``: keys not in
    ``fields`` count as declared struct fields (kubekit's lenient structs)."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    element: Any = None
    atomic: bool = False
    open: bool = False

    def field_type(self, k: str) -> tuple[Any, bool]:
        """(type, declared) of key ``k`` (upstream ``FindField`` else ``ElementType``)."""
        t = self.fields.get(k)
        if t is not None:
            return t, True
        return (self.element if self.element is not None else STRUCT_DEDUCED), self.open


@dataclass(eq=False)
class List:
    element: Any = None
    atomic: bool = True
    keys: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)    # key field defaults (OpenAPI ``default``)
    zeros: Mapping[str, Any] = field(default_factory=dict)       # key field zero values ("" unless listed)


class Deduced:
    """Upstream's ``__untyped_deduced_``: a map value is a granular map of
    deduced values, a list value an atomic list, anything else a scalar.
    ``struct``: map keys count as declared struct fields."""

    def __init__(self, struct: bool) -> None:
        self.struct = struct
        self.map = Map(fields={}, element=self, open=struct)
        self.list = List(element=self, atomic=True)

    def __repr__(self) -> str:
        return "STRUCT_DEDUCED" if self.struct else "DEDUCED"


DEDUCED = Deduced(struct=False)
STRUCT_DEDUCED = Deduced(struct=True)


def _resolve(t: Any, v: Any) -> Any:
    if isinstance(t, Deduced):
        if isinstance(v, dict) or v is None or v is _ABSENT:
            return t.map                # null: upstream's handleAtom tries the map first
        if isinstance(v, list):
            return t.list
        return SCALAR
    if v is _ABSENT or v is None:
        return t
    if isinstance(t, Map) and not isinstance(v, dict):
        return SCALAR
    if isinstance(t, List) and not isinstance(v, list):
        return SCALAR
    return t


def _list_pe(t: List, i: int, child: Any, live: bool = False) -> tuple:
    """``listItemToPathElement``.  ``live``: the item belongs to a stored
    object (the live object, a create's or update's new object, a merge
    result), which upstream reads back from the typed Go object: a missing
    key field is its zero value (``""``, ``0`` for ``containerPort``), a null
    item the zero struct; only an applied configuration is an error."""
    if t.atomic:
        return ("i", i)
    if t.keys:
        if not isinstance(child, dict):
            if not live:
                if child is None:
                    raise ApplyError("associative list with keys may not have a null element")
                raise ApplyError("associative list with keys may not have non-map elements")
            child = {}
        kv = []
        for k in t.keys:
            if k in child:
                kv.append((k, vkey(child[k])))
            elif k in t.defaults:
                kv.append((k, vkey(t.defaults[k])))
            elif live:
                kv.append((k, vkey(t.zeros.get(k, ""))))
            else:
                raise ApplyError(f'associative list with keys has an element that omits key field "{k}" '
                                 "(and doesn't have default value)")
        return ("k", tuple(sorted(kv)))
    if isinstance(child, (dict, list)) and not live:
        raise ApplyError("associative list without keys has an element that's a map type")
    return ("v", vkey(child))


def _json_equal(a: Any, b: Any) -> bool:
    """``value.Equals``: numbers numerically, booleans apart from numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_json_equal, a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


# -- ToFieldSet ---------------------------------------------------------------------------------
def to_field_set(schema: Any, value: Any, *, live: bool = False) -> frozenset:
    """``TypedValue.ToFieldSet``: every leaf field, atomic value and list
    item the value holds, and the keys of maps that are not struct fields.
    A key repeated in an associative list is one member, owned whole (its
    items are not descended).  ``live``: a stored object (see
    :func:`_list_pe`), else an applied configuration (items lacking a key
    are an :class:`ApplyError`)."""
    out: set = set()
    _to_set(schema, value, (), out, live)
    out.discard(())
    return frozenset(out)


def _to_set(t: Any, v: Any, path: tuple, out: set, live: bool) -> None:
    a = _resolve(t, v)
    if a is SCALAR:
        out.add(path)
    elif isinstance(a, List):
        if a.atomic or v is None:
            out.add(path)
            return
        if not isinstance(v, list):
            return
        pes = [_list_pe(a, i, child, live) for i, child in enumerate(v)]
        seen: set = set()
        dups: set = set()
        for pe in pes:
            if pe in seen:
                if pe not in dups:
                    dups.add(pe)
                    out.add(path + (pe,))
            else:
                seen.add(pe)
        for pe, child in zip(pes, v):
            if pe in dups:
                continue
            p = path + (pe,)
            _to_set(a.element, child, p, out, live)
            out.add(p)
    else:
        if a.atomic or v is None:          # an explicit null is owned as a leaf (upstream's rows
            out.add(path)                  # multiple_appliers_recursive_map, struct_apply_remove_dangling)
            return
        if not isinstance(v, dict):
            return
        for k, val in v.items():
            ft, declared = a.field_type(k)
            p = path + (("f", k),)
            _to_set(ft, val, p, out, live)
            if not declared:
                out.add(p)


# -- merge / compare (the merging walker) --------------------------------------------------------
def _empty(v: Any) -> bool:
    return v is _ABSENT or v is None or len(v) == 0


class _Walker:
    """The merging walker (``mergingWalker``, ``compareWalker``): ``rule``
    for leaves, ``post`` after a non-leaf, ``comparing``: lists are visited
    as ``compareWalker`` does (duplicates compared whole); ``skip``: paths
    not walked at all (the ignored fields of a comparison)."""

    def __init__(self, rule, post=None, comparing: bool = False, skip: frozenset = frozenset()) -> None:
        self.rule, self.post, self.comparing, self.skip = rule, post, comparing, skip


def _walk(t: Any, lhs: Any, rhs: Any, path: tuple, w: _Walker) -> Any:
    rule = w.rule
    if not w.comparing and rhs is _ABSENT:
        return lhs                          # a live-only subtree merges into itself: not walked
    al = _resolve(t, lhs) if lhs is not _ABSENT else None
    ar = _resolve(t, rhs) if rhs is not _ABSENT else None
    if al is not None and ar is not None and type(al) is not type(ar):
        return rule(path, lhs, rhs)
    a = ar if ar is not None else al
    if a is SCALAR or a.atomic:
        return rule(path, lhs, rhs)
    if isinstance(a, List):
        if (_empty(lhs) or not isinstance(lhs, list)) and (_empty(rhs) or not isinstance(rhs, list)):
            return rule(path, lhs, rhs)                     # emptyPromoteToLeaf
        if w.comparing:
            out = _compare_list(a, lhs, rhs, path, w)
        else:
            out = _merge_list(a, lhs, rhs, path, w)
    else:
        if (_empty(lhs) or not isinstance(lhs, dict)) and (_empty(rhs) or not isinstance(rhs, dict)):
            return rule(path, lhs, rhs)
        out = _walk_map(a, lhs, rhs, path, w)
    if w.post is not None:
        w.post(path, lhs, rhs)
    return out


def _walk_map(a: Map, lhs: Any, rhs: Any, path: tuple, w: _Walker) -> Any:
    lm = lhs if isinstance(lhs, dict) else {}
    rm = rhs if isinstance(rhs, dict) else {}
    out: dict = {}
    skip = w.skip
    for k, lv in lm.items():
        p = path + (("f", k),)
        if skip and p in skip:
            continue
        o = _walk(a.field_type(k)[0], lv, rm.get(k, _ABSENT), p, w)
        if o is not _ABSENT:
            out[k] = o
    for k, rv in rm.items():
        if k in lm:
            continue
        p = path + (("f", k),)
        if skip and p in skip:
            continue
        o = _walk(a.field_type(k)[0], _ABSENT, rv, p, w)
        if o is not _ABSENT:
            out[k] = o
    return out if out else _ABSENT


_DUPLICATED: Any = type("_Duplicated", (), {"__repr__": lambda self: "<duplicated>"})()


def _index_list(a: List, lst: Any, live: bool) -> tuple[list, dict]:
    """``indexListPathElements``: the path element of every item, in order,
    and each element's item.  In an applied configuration (``live`` false)
    a repeated key is an :class:`ApplyError`; in a live object it is kept,
    its element mapped to :data:`_DUPLICATED` (upstream ``AllowDuplicates``:
    duplicated items are not merged with the applied one)."""
    pes: list = []
    observed: dict = {}
    for i, child in enumerate(lst if isinstance(lst, list) else ()):
        pe = _list_pe(a, i, child, live)
        if pe in observed:
            if not live:
                raise ApplyError(f"duplicate entries for key {path_string((pe,))}")
            observed[pe] = _DUPLICATED
        else:
            observed[pe] = child
        pes.append(pe)
    return pes, observed


def _merge_list(a: List, lhs: Any, rhs: Any, path: tuple, w: _Walker) -> Any:
    """``mergingWalker.visitListItems``: shared items in the right-hand
    side's order, left-only items where they were (every occurrence of a
    duplicated key included); a duplicated key the right-hand side also has
    becomes the right-hand side's one item."""
    rpes, robs = _index_list(a, rhs, live=False)
    lpes, lobs = _index_list(a, lhs, live=True)
    litems = lhs if isinstance(lhs, list) else []
    shared = [pe for pe in rpes if pe in lobs]
    si = 0
    nxt = shared[0] if shared else None
    merged_r: set = set()
    out: list = []

    def item(pe, lc, rc) -> None:
        if lc is _DUPLICATED:
            lc = _ABSENT
        o = _walk(a.element, lc, rc, path + (pe,), w)
        if o is not _ABSENT:
            out.append(o)

    li = ri = 0
    nl, nr = len(lpes), len(rpes)
    while li < nl or ri < nr:
        if li < nl and ri < nr:
            pe = lpes[li]
            if pe == rpes[ri]:
                merged_r.add(pe)
                item(pe, lobs[pe], robs[pe])
                li += 1
                ri += 1
                si += 1
                nxt = shared[si] if si < len(shared) else None
                continue
            if pe in robs and nxt is not None and nxt != pe:
                li += 1                                 # shared, but not the one for this round
                continue
        if li < nl:
            pe = lpes[li]
            if pe not in robs:
                item(pe, litems[li], _ABSENT)           # the item itself: duplicates are all kept
                li += 1
                continue
            if pe in merged_r:
                li += 1                                 # already merged with the right-hand side
        if ri < nr:
            pe = rpes[ri]
            merged_r.add(pe)
            item(pe, lobs.get(pe, _ABSENT), robs[pe])
            ri += 1
            if nxt is not None and nxt == pe:
                si += 1
                nxt = shared[si] if si < len(shared) else None
    return out if out else _ABSENT


def _compare_list(a: List, lhs: Any, rhs: Any, path: tuple, w: _Walker) -> Any:
    """``compareWalker.visitListItems``: items compared by key; a key
    repeated on both sides is compared whole (modified when the occurrences
    differ), a key that stops or starts being repeated is removed or added
    as one member."""
    occ_l: dict = {}
    occ_r: dict = {}
    order: list = []
    for i, child in enumerate(lhs if isinstance(lhs, list) else ()):
        pe = _list_pe(a, i, child, True)
        if pe not in occ_l:
            occ_l[pe] = []
            order.append(pe)
        occ_l[pe].append(child)
    for i, child in enumerate(rhs if isinstance(rhs, list) else ()):
        pe = _list_pe(a, i, child, True)
        if pe not in occ_r:
            occ_r[pe] = []
            if pe not in occ_l:
                order.append(pe)
        occ_r[pe].append(child)
    for pe in order:
        ls, rs = occ_l.get(pe, ()), occ_r.get(pe, ())
        p = path + (pe,)
        if len(ls) <= 1 and len(rs) <= 1:
            _walk(a.element, ls[0] if ls else _ABSENT, rs[0] if rs else _ABSENT, p, w)
        elif len(ls) >= 2 and len(rs) >= 2:
            w.rule(p, list(ls), list(rs))               # compared whole: modified when they differ
        elif len(ls) >= 2:
            if rs:
                _walk(a.element, _ABSENT, rs[0], p, w)
            w.post(p, list(ls), _ABSENT)                # removed
        else:
            if ls:
                _walk(a.element, ls[0], _ABSENT, p, w)
            w.post(p, _ABSENT, list(rs))                # added
    return _ABSENT


def _keep_rhs(path: tuple, lhs: Any, rhs: Any) -> Any:
    return rhs if rhs is not _ABSENT else lhs


def merge(schema: Any, live: Any, config: Any) -> Any:
    """``TypedValue.Merge``: ``config``'s leaves win, nothing is removed,
    list items merge by key, maps key by key.  ``live`` may repeat a key in
    an associative list (its items are kept) or lack a key field (read as its
    zero value); ``config`` may not (:class:`ApplyError`)."""
    out = _walk(schema, live, config, (), _Walker(_keep_rhs))
    return {} if out is _ABSENT else out


@dataclass(frozen=True)
class Comparison:
    """``typed.Comparison``: fields ``added``, ``modified`` and ``removed``
    from the left-hand to the right-hand value."""
    added: frozenset
    modified: frozenset
    removed: frozenset

    def exclude(self, fields: Iterable[tuple]) -> Comparison:
        """``Comparison.ExcludeFields``."""
        f = frozenset(fields)
        if not f:
            return self
        return Comparison(recursive_difference(self.added, f), recursive_difference(self.modified, f),
                          recursive_difference(self.removed, f))

    def is_same(self) -> bool:
        return not (self.added or self.modified or self.removed)


def compare(schema: Any, lhs: Any, rhs: Any, ignored: Iterable[tuple] = ()) -> Comparison:
    """``TypedValue.Compare`` (both sides stored objects: see
    :func:`_list_pe`); ``ignored`` paths are not walked (their changes are
    left out, as ``Comparison.ExcludeFields`` would)."""
    added: set = set()
    modified: set = set()
    removed: set = set()

    def rule(path, l_, r_):
        if l_ is _ABSENT:
            added.add(path)
        elif r_ is _ABSENT:
            removed.add(path)
        elif not _json_equal(l_, r_):
            modified.add(path)
        return r_ if r_ is not _ABSENT else l_

    def post(path, l_, r_):
        if l_ is _ABSENT:
            added.add(path)
        elif r_ is _ABSENT:
            removed.add(path)

    _walk(schema, lhs, rhs, (), _Walker(rule, post, comparing=True, skip=frozenset(ignored)))
    for s in (added, modified, removed):
        s.discard(())
    return Comparison(frozenset(added), frozenset(modified), frozenset(removed))


# -- RemoveItems ----------------------------------------------------------------------------------
def remove_items(schema: Any, value: Any, paths: Iterable[tuple], keep_null: bool = False) -> Any:
    """``TypedValue.RemoveItems``: ``value`` without the fields and list
    items of ``paths`` (a member removes everything under it).  A map or
    list emptied by the removal is dropped, or ``null`` with ``keep_null``
    (upstream)."""
    trie = _tree(paths)
    if not trie:
        return value
    out = _remove(schema, value, trie, None if keep_null else _ABSENT)
    return {} if out is _ABSENT or out is None else out


def _remove(t: Any, v: Any, trie: dict, emptied: Any) -> Any:
    a = _resolve(t, v)
    if a is SCALAR or a.atomic:
        return v
    if isinstance(a, List):
        if not isinstance(v, list) or not v:
            return v
        out = []
        for i, child in enumerate(v):
            e = trie.get(_list_pe(a, i, child, True))
            if e is not None:
                if e[0]:
                    continue
                if e[1]:
                    child = _remove(a.element, child, e[1], emptied)
                    if child is _ABSENT:
                        continue
            out.append(child)
        return out if out else emptied
    if not isinstance(v, dict) or not v:
        return v
    out_m = {}
    for k, val in v.items():
        e = trie.get(("f", k))
        if e is not None:
            if e[0]:
                continue
            if e[1]:
                val = _remove(a.field_type(k)[0], val, e[1], emptied)
                if val is _ABSENT:
                    continue
        out_m[k] = val
    return out_m if out_m else emptied


def ensure_named_fields_are_members(schema: Any, s: Iterable[tuple]) -> frozenset:
    """``Set.EnsureNamedFieldsAreMembers``: ``s`` plus every struct field
    (not map key) that has descendants in ``s``."""
    out = set(s)
    memo: dict = {(): schema}

    def type_at(p: tuple) -> Any:
        if p in memo:
            return memo[p]
        parent = type_at(p[:-1])
        kind, c = p[-1]
        t = None
        if parent is not None:
            if kind == "f":
                m = parent.map if isinstance(parent, Deduced) else parent
                if isinstance(m, Map):
                    t = m.field_type(c)[0]
            else:
                lst = parent.list if isinstance(parent, Deduced) else parent
                if isinstance(lst, List):
                    t = lst.element
        memo[p] = t
        return t

    def declares(p: tuple) -> bool:
        parent = type_at(p[:-1])
        name = p[-1][1]
        if isinstance(parent, Deduced):
            return parent.struct
        if isinstance(parent, Map):
            return name in parent.fields or parent.open
        return False

    for p in list(out):
        for j in range(1, len(p)):
            q = p[:j]
            if q[-1][0] == "f" and q not in out and declares(q):
                out.add(q)
    return frozenset(out)


# -- the updater ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VersionedSet:
    """``fieldpath.VersionedSet``: a manager's fields, at ``api_version``,
    ``applied`` for an Apply manager."""
    set: frozenset
    api_version: str
    applied: bool = False


@dataclass(frozen=True)
class Conflict:
    """``merge.Conflict``: ``manager`` owns ``path``."""
    manager: str
    path: tuple

    def __str__(self) -> str:
        return f'conflict with "{self.manager}": {path_string(self.path)}'


class Conflicts(Exception):
    """``merge.Conflicts``: what an apply without ``force`` would take from
    other managers; its text is upstream's ``Conflicts.Error``."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.conflicts) == 1:
            return str(self.conflicts[0])
        by: dict[str, list] = {}
        for c in self.conflicts:
            by.setdefault(c.manager, []).append(c.path)
        lines = []
        for m in sorted(by):
            lines.append(f'conflicts with "{m}":')
            lines += [f"- {path_string(p)}" for p in by[m]]
        return "\n".join(lines)


def _sorted_paths(s: Iterable[tuple]) -> list:
    from kubekit.api.fieldpath import iterate
    return iterate(s)


class Updater:
    """``merge.Updater`` for one schema.  ``ignored``: fields no manager
    may own (upstream ``IgnoredFields``, the registry strategies'
    ``ResetFieldsStrategy``: ``status`` for the main resource of a kind with
    a status subresource)."""

    def __init__(self, schema: Any, ignored: Iterable[tuple] = (), *, keep_null: bool = False) -> None:
        self.schema = schema
        self.ignored = frozenset(ignored)
        self.keep_null = keep_null

    def _update(self, old: Any, new: Any, managers: dict, workflow: str, force: bool) -> tuple[dict, Comparison]:
        cmp = compare(self.schema, old, new, self.ignored).exclude(self.ignored)
        changed = cmp.modified | cmp.added
        conflicts: dict[str, frozenset] = {}
        for m, vs in managers.items():
            if m == workflow:
                continue
            cs = vs.set & changed
            if cs:
                conflicts[m] = cs
        if not force and conflicts:
            raise Conflicts([Conflict(m, p) for m in sorted(conflicts) for p in _sorted_paths(conflicts[m])])
        out = {}
        for m, vs in managers.items():
            s = vs.set
            if m != workflow:
                s = s - conflicts.get(m, frozenset()) - cmp.removed
            if s:
                out[m] = VersionedSet(s, vs.api_version, vs.applied)
        return out, cmp

    def update(self, live: Any, new: Any, version: str, managers: Mapping[str, VersionedSet],
               manager: str) -> dict:
        """``Updater.Update``: after a create, update or patch, ``manager``
        owns what it changed; the others lose what it changed or removed."""
        out, cmp = self._update(live, new, dict(managers), manager, True)
        prev = out.get(manager)
        s = ((prev.set if prev else frozenset()) - cmp.removed) | cmp.modified | cmp.added
        s = recursive_difference(s, self.ignored)
        if s:
            out[manager] = VersionedSet(s, version, False)
        else:
            out.pop(manager, None)
        return out

    def apply(self, live: Any, config: Any, version: str, managers: Mapping[str, VersionedSet], manager: str,
              force: bool) -> tuple[Any, dict]:
        """``Updater.Apply``: ``config`` merged into ``live``, fields
        ``manager`` applied before but not now pruned, ownership updated.
        Returns (the new object, or None when nothing changed; managers).
        Raises :class:`Conflicts` unless ``force``."""
        managers = dict(managers)
        new = merge(self.schema, live, config)
        last = managers.get(manager)
        s = recursive_difference(to_field_set(self.schema, config), self.ignored)
        managers[manager] = VersionedSet(s, version, True)
        new = self._prune(new, managers, last)
        managers, _ = self._update(live, new, managers, manager, force)
        return (None if _json_equal(live, new) else new), managers

    def _prune(self, merged: Any, managers: dict, last: VersionedSet | None) -> Any:
        """``Updater.prune``: remove what ``last`` held unless a manager
        (this applier's new configuration included) owns it."""
        if last is None or not last.set:
            return merged
        sc, kn = self.schema, self.keep_null
        last_n = ensure_named_fields_are_members(sc, last.set)
        pruned = remove_items(sc, merged, last_n, kn)
        managed: set = set()
        for vs in managers.values():
            managed |= vs.set
        merged_n = ensure_named_fields_are_members(sc, to_field_set(sc, merged, live=True))
        pruned_n = ensure_named_fields_are_members(sc, to_field_set(sc, pruned, live=True))
        managed_n = ensure_named_fields_are_members(sc, managed)
        pruned = remove_items(sc, merged, merged_n - (pruned_n | managed_n), kn)   # addBackOwnedItems
        pruned_n = ensure_named_fields_are_members(sc, to_field_set(sc, pruned, live=True))
        return remove_items(sc, merged, (merged_n - pruned_n) & last_n, kn)         # addBackDanglingItems


# -- the Kubernetes schema -------------------------------------------------------------------------
def _struct(**fields: Any) -> Map:
    return Map(fields=fields, open=True)


def _map(element: Any = SCALAR) -> Map:
    return Map(fields={}, element=element)


def _list_map(*keys: str, element: Any = None, defaults: Mapping[str, Any] | None = None,
              zeros: Mapping[str, Any] | None = None) -> List:
    return List(element=element if element is not None else STRUCT_DEDUCED, atomic=False, keys=keys,
                defaults=defaults or {}, zeros=zeros or {})


_ATOMIC = Map(atomic=True)                  # +structType=atomic / +mapType=atomic
_ATOMIC_LIST = List(element=STRUCT_DEDUCED, atomic=True)
_SET = List(element=SCALAR, atomic=False)   # +listType=set
_CONDITIONS = _list_map("type")

_OBJECT_META = _struct(labels=_map(), annotations=_map(), finalizers=_SET,
                       ownerReferences=_list_map("uid", element=_ATOMIC), managedFields=_ATOMIC_LIST)
_KEY_SELECTOR = _ATOMIC
_ENV_VAR = _struct(valueFrom=_struct(fieldRef=_KEY_SELECTOR, resourceFieldRef=_KEY_SELECTOR,
                                     configMapKeyRef=_KEY_SELECTOR, secretKeyRef=_KEY_SELECTOR))
_RESOURCES = _struct(limits=_map(), requests=_map(), claims=_list_map("name"))
_CONTAINER = _struct(
    ports=_list_map("containerPort", "protocol", defaults={"protocol": "TCP"}, zeros={"containerPort": 0}),
    env=_list_map("name", element=_ENV_VAR),
    volumeMounts=_list_map("mountPath"),
    volumeDevices=_list_map("devicePath"),
    resources=_RESOURCES,
)
_NODE_SELECTOR = _ATOMIC                     # core/v1 NodeSelector: +structType=atomic
_POD_SPEC = _struct(
    volumes=_list_map("name"),
    initContainers=_list_map("name", element=_CONTAINER),
    containers=_list_map("name", element=_CONTAINER),
    ephemeralContainers=_list_map("name", element=_CONTAINER),
    imagePullSecrets=_list_map("name"),
    hostAliases=_list_map("ip"),
    topologySpreadConstraints=_list_map("topologyKey", "whenUnsatisfiable",
                                        element=_struct(labelSelector=_ATOMIC)),
    schedulingGates=_list_map("name"),
    resourceClaims=_list_map("name"),
    nodeSelector=_ATOMIC,
    overhead=_map(),
    affinity=_struct(nodeAffinity=_struct(requiredDuringSchedulingIgnoredDuringExecution=_NODE_SELECTOR)),
)
_POD_STATUS = _struct(conditions=_CONDITIONS, podIPs=_list_map("ip"), hostIPs=_list_map("ip"),
                      resourceClaimStatuses=_list_map("name"))
_TEMPLATE = _struct(metadata=_OBJECT_META, spec=_POD_SPEC)


def _kind(spec: Map | None = None, status: Map | None = None, **fields: Any) -> Map:
    f: dict[str, Any] = {"metadata": _OBJECT_META, **fields}
    if spec is not None:
        f["spec"] = spec
    if status is not None:
        f["status"] = status
    return _struct(**f)


_STATUS_WITH_CONDITIONS = _struct(conditions=_CONDITIONS)
_OBJECT_REFERENCE = _ATOMIC                 # core/v1 ObjectReference: +structType=atomic

#: the SSA schema of each kind kubekit serves, by kind name
KIND_SCHEMAS: Mapping[str, Map] = {
    "Pod": _kind(_POD_SPEC, _POD_STATUS),
    "Node": _kind(_struct(podCIDRs=_SET),
                  _struct(conditions=_CONDITIONS, addresses=_list_map("type"), capacity=_map(), allocatable=_map())),
    "Namespace": _kind(_struct(), _STATUS_WITH_CONDITIONS),
    "Event": _kind(involvedObject=_OBJECT_REFERENCE, related=_OBJECT_REFERENCE),
    "Deployment": _kind(_struct(template=_TEMPLATE, selector=_ATOMIC), _STATUS_WITH_CONDITIONS),
    "ReplicaSet": _kind(_struct(template=_TEMPLATE, selector=_ATOMIC), _STATUS_WITH_CONDITIONS),
    "Lease": _kind(_struct()),
    "ConfigMap": _kind(data=_map(), binaryData=_map()),
    "Secret": _kind(data=_map(), stringData=_map()),
    "HorizontalPodAutoscaler": _kind(_struct(), _STATUS_WITH_CONDITIONS),
    "PodDisruptionBudget": _kind(_struct(selector=_ATOMIC), _struct(conditions=_CONDITIONS,
                                                                     disruptedPods=_map())),
    "PersistentVolume": _kind(_struct(capacity=_map(), accessModes=_ATOMIC_LIST,
                                      claimRef=_struct(),           # +structType=granular (overrides the type's)
                                      mountOptions=_ATOMIC_LIST, nodeAffinity=_struct(required=_NODE_SELECTOR)),
                              _struct()),
    "PersistentVolumeClaim": _kind(_struct(accessModes=_ATOMIC_LIST, selector=_ATOMIC,
                                           resources=_struct(limits=_map(), requests=_map()),
                                           dataSource=_ATOMIC,      # TypedLocalObjectReference
                                           dataSourceRef=_struct()),
                                   _struct(accessModes=_ATOMIC_LIST, capacity=_map(), conditions=_CONDITIONS,
                                           allocatedResources=_map(), allocatedResourceStatuses=_map())),
    "StorageClass": _kind(parameters=_map(), mountOptions=_ATOMIC_LIST, allowedTopologies=_ATOMIC_LIST),
}

_GENERIC = _kind()


def schema_for(kind: str | None) -> Map:
    """The SSA schema of ``kind``; a kind without one (registered beyond the
    built-in kinds) gets lenient typed deduction (maps granular, lists atomic)."""
    return KIND_SCHEMAS.get(kind or "", _GENERIC)
