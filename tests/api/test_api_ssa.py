"""Server-side apply's merge, ownership and conflicts
(kubekit.api.serversideapply), against rows transcribed from
structured-merge-diff's own tests.

Sources (github.com/kubernetes-sigs/structured-merge-diff, ``merge/``):

* ``multiple_appliers_test.go``: ``TestMultipleAppliersSet`` (all 4 rows),
  ``testMultipleAppliersFieldUnsetting`` (all 6 rows, with every version
  ``v1``: kubekit has one version per kind, so the renaming converter is the
  identity), ``TestMultipleAppliersNestedType`` (all 6 rows),
  ``TestMultipleAppliersDeducedType`` (its row);
* ``deduced_test.go``: ``TestDeduced`` (every row but the one that needs
  version conversion);
* ``nested_test.go``: ``TestUpdateNestedType`` (the rows listed in
  :data:`NESTED_ROWS`);
* ``conflict_test.go``: ``TestNewFromSets`` (the message of several
  conflicts).

Their schemas (``associativeListParser``, ``structMultiversionParser``'s
``v1``, ``nestedTypeParser``, ``DeducedParser``) are written out below.  As
upstream's fixture (``internal/fixture/state.go``), the ops run from an
empty live object, an Apply expected to conflict must fail with exactly
those conflicts and change nothing, and the final object and managers
(set and API version) are compared.  The updater keeps upstream's ``null``
for what pruning empties (``keep_null``); kubekit's server drops it, as
the typed Go round trip does (:func:`test_pruning_drops_emptied_maps`).
"""

from __future__ import annotations

import textwrap

import pytest
import yaml

from kubekit.api.fieldpath import field, key, value_pe
from kubekit.api.serversideapply import (DEDUCED, SCALAR, ApplyError, Conflict, Conflicts, List, Map, Updater,
                                         compare, merge, schema_for, to_field_set)


# -- schemas -----------------------------------------------------------------------------------------
ASSOCIATIVE_LIST = Map(fields={"list": List(element=Map(fields={"name": SCALAR, "value": SCALAR}), atomic=False,
                                            keys=("name",))})
STRUCT_V1 = Map(fields={"struct": Map(fields={"name": SCALAR, "scalarField_v1": SCALAR,
                                              "complexField_v1": Map(fields={"name": SCALAR})}),
                        "version": SCALAR})
_SET = List(element=SCALAR, atomic=False)
_STRING_MAP = Map(element=SCALAR)
_RECURSIVE = Map()
_RECURSIVE.element = _RECURSIVE
NESTED = Map(fields={
    "listOfLists": List(element=Map(fields={"name": SCALAR, "value": _SET}), atomic=False, keys=("name",)),
    "listOfMaps": List(element=Map(fields={"name": SCALAR, "value": _STRING_MAP}), atomic=False, keys=("name",)),
    "mapOfLists": Map(element=_SET),
    "mapOfMaps": Map(element=_STRING_MAP),
    "mapOfMapsRecursive": _RECURSIVE,
    "struct": Map(fields={"name": SCALAR, "value": SCALAR}),
})


# -- the fixture -------------------------------------------------------------------------------------
def P(*parts):
    """``_P``: strings are field names, dicts list keys (``_KBF``), ``V(x)`` values."""
    return tuple(field(p) if isinstance(p, str) else key(**p) if isinstance(p, dict) else p for p in parts)


V = value_pe


def Y(text: str):
    return yaml.safe_load(textwrap.dedent(text)) or {}


def apply(manager, version, obj, conflicts=None):
    return ("apply", manager, version, obj, conflicts)


def force_apply(manager, version, obj):
    return ("force", manager, version, obj, None)


def update(manager, version, obj):
    return ("update", manager, version, obj, None)


def run(schema, ops):
    u = Updater(schema, keep_null=True)
    live: dict = {}
    managers: dict = {}
    for kind, manager, version, text, conflicts in ops:
        obj = Y(text)
        if kind == "update":
            managers = u.update(live, obj, version, managers, manager)
            live = obj
            continue
        try:
            new, managers = u.apply(live, obj, version, managers, manager, kind == "force")
        except Conflicts as e:
            assert conflicts is not None, f"unexpected conflicts: {e}"
            assert e.conflicts == conflicts
            continue
        assert conflicts is None, "expected conflicts"
        if new is not None:
            live = new
    return live, managers


def check(schema, ops, obj, managed=None):
    live, managers = run(schema, ops)
    assert live == Y(obj)
    if managed is not None:
        assert {m: (set(vs.set), vs.api_version) for m, vs in managers.items()} == \
            {m: (set(s), v) for m, (s, v) in managed.items()}


# -- multiple_appliers_test.go: TestMultipleAppliersSet ---------------------------------------------
SET_ROWS = {
    "remove_one": (
        [apply("apply-one", "v1", "list:\n- name: a\n- name: b\n"),
         apply("apply-two", "v2", "list:\n- name: c\n"),
         apply("apply-one", "v3", "list:\n- name: a\n")],
        "list:\n- name: a\n- name: c\n",
        {"apply-one": ({P("list", {"name": "a"}), P("list", {"name": "a"}, "name")}, "v3"),
         "apply-two": ({P("list", {"name": "c"}), P("list", {"name": "c"}, "name")}, "v2")}),
    "same_value_no_conflict": (
        [apply("apply-one", "v1", "list:\n- name: a\n  value: 0\n"),
         apply("apply-two", "v2", "list:\n- name: a\n  value: 0\n")],
        "list:\n- name: a\n  value: 0\n",
        {"apply-one": ({P("list", {"name": "a"}), P("list", {"name": "a"}, "name"),
                        P("list", {"name": "a"}, "value")}, "v1"),
         "apply-two": ({P("list", {"name": "a"}), P("list", {"name": "a"}, "name"),
                        P("list", {"name": "a"}, "value")}, "v2")}),
    "change_value_yes_conflict": (
        [apply("apply-one", "v1", "list:\n- name: a\n  value: 0\n"),
         apply("apply-two", "v2", "list:\n- name: a\n  value: 1\n",
               [Conflict("apply-one", P("list", {"name": "a"}, "value"))])],
        "list:\n- name: a\n  value: 0\n",
        {"apply-one": ({P("list", {"name": "a"}), P("list", {"name": "a"}, "name"),
                        P("list", {"name": "a"}, "value")}, "v1")}),
    "remove_one_keep_one": (
        [apply("apply-one", "v1", "list:\n- name: a\n- name: b\n- name: c\n"),
         apply("apply-two", "v2", "list:\n- name: c\n- name: d\n"),
         apply("apply-one", "v3", "list:\n- name: a\n")],
        "list:\n- name: a\n- name: c\n- name: d\n",
        {"apply-one": ({P("list", {"name": "a"}), P("list", {"name": "a"}, "name")}, "v3"),
         "apply-two": ({P("list", {"name": "c"}), P("list", {"name": "d"}), P("list", {"name": "c"}, "name"),
                        P("list", {"name": "d"}, "name")}, "v2")}),
}


@pytest.mark.parametrize("name", SET_ROWS)
def test_multiple_appliers_set(name):
    ops, obj, managed = SET_ROWS[name]
    check(ASSOCIATIVE_LIST, ops, obj, managed)


# -- multiple_appliers_test.go: testMultipleAppliersFieldUnsetting (v1, v1, v1) ------------------------
UNSET_ROWS = {
    "unset_scalar_sole_owner": (
        [apply("apply-one", "v1", "struct:\n  name: a\n  scalarField_v1: a\n"),
         apply("apply-one", "v1", "struct:\n  name: a\n")],
        "struct:\n  name: a\n",
        {"apply-one": ({P("struct", "name")}, "v1")}),
    "unset_scalar_shared_with_applier": (
        [apply("apply-one", "v1", "struct:\n  name: a\n  scalarField_v1: a\n"),
         apply("apply-two", "v1", "struct:\n  scalarField_v1: a\n"),
         apply("apply-one", "v1", "struct:\n  name: a\n")],
        "struct:\n  name: a\n  scalarField_v1: a\n",
        {"apply-one": ({P("struct", "name")}, "v1"),
         "apply-two": ({P("struct", "scalarField_v1")}, "v1")}),
    "unset_scalar_shared_with_updater": (
        [update("updater", "v1", "struct:\n  name: a\n  scalarField_v1: a\n"),
         apply("applier", "v1", "struct:\n  name: a\n  scalarField_v1: a\n"),
         apply("applier", "v1", "struct:\n  name: a\n")],
        "struct:\n  name: a\n  scalarField_v1: a\n",
        {"updater": ({P("struct"), P("struct", "name"), P("struct", "scalarField_v1")}, "v1"),
         "applier": ({P("struct", "name")}, "v1")}),
    "updater_claims_field": (
        [apply("applier", "v1", "struct:\n  name: a\n  scalarField_v1: a\n"),
         update("updater", "v1", "struct:\n  name: a\n  scalarField_v1: b\n")],
        "struct:\n  name: a\n  scalarField_v1: b\n",
        {"updater": ({P("struct", "scalarField_v1")}, "v1"),
         "applier": ({P("struct", "name")}, "v1")}),
    "unset_complex_sole_owner": (
        [apply("apply-one", "v1", "struct:\n  name: a\n  complexField_v1:\n    name: b\n"),
         apply("apply-one", "v1", "struct:\n  name: a\n")],
        "struct:\n  name: a\n",
        {"apply-one": ({P("struct", "name")}, "v1")}),
    "unset_complex_shared_with_applier": (
        [apply("apply-one", "v1", "struct:\n  name: a\n  complexField_v1:\n    name: b\n"),
         apply("apply-two", "v1", "struct:\n  complexField_v1:\n    name: b\n"),
         apply("apply-one", "v1", "struct:\n  name: a\n")],
        "struct:\n  name: a\n  complexField_v1:\n    name: b\n",
        {"apply-one": ({P("struct", "name")}, "v1"),
         "apply-two": ({P("struct", "complexField_v1", "name")}, "v1")}),
}


@pytest.mark.parametrize("name", UNSET_ROWS)
def test_multiple_appliers_field_unsetting(name):
    ops, obj, managed = UNSET_ROWS[name]
    check(STRUCT_V1, ops, obj, managed)


# -- multiple_appliers_test.go: TestMultipleAppliersNestedType / DeducedType ---------------------------
_A, _B = {"name": "a"}, {"name": "b"}
NESTED_APPLIER_ROWS = {
    "remove_one_keep_one_with_two_sub_items": (
        [apply("apply-one", "v1", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n"),
         apply("apply-two", "v2", "listOfLists:\n- name: b\n  value:\n  - d\n"),
         apply("apply-one", "v3", "listOfLists:\n- name: a\n")],
        "listOfLists:\n- name: a\n- name: b\n  value:\n  - d\n",
        {"apply-one": ({P("listOfLists", _A), P("listOfLists", _A, "name")}, "v3"),
         "apply-two": ({P("listOfLists", _B), P("listOfLists", _B, "name"),
                        P("listOfLists", _B, "value", V("d"))}, "v2")}),
    "remove_one_keep_one_with_dangling_subitem": (
        [apply("apply-one", "v1", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n"),
         apply("apply-two", "v2", "listOfLists:\n- name: b\n  value:\n  - d\n"),
         update("controller", "v2", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n  - d\n  - e\n"),
         apply("apply-one", "v3", "listOfLists:\n- name: a\n")],
        "listOfLists:\n- name: a\n- name: b\n  value:\n  - d\n  - e\n",
        {"apply-one": ({P("listOfLists", _A), P("listOfLists", _A, "name")}, "v3"),
         "apply-two": ({P("listOfLists", _B), P("listOfLists", _B, "name"),
                        P("listOfLists", _B, "value", V("d"))}, "v2"),
         "controller": ({P("listOfLists", _B, "value", V("e"))}, "v2")}),
    "remove_one_with_dangling_subitem_keep_one": (
        [apply("apply-one", "v1", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n"),
         apply("apply-two", "v2", "listOfLists:\n- name: a\n  value:\n  - b\n"),
         update("controller", "v2", "listOfLists:\n- name: a\n  value:\n  - b\n- name: b\n  value:\n  - c\n  - d\n"),
         apply("apply-one", "v3", "listOfLists:\n- name: a\n")],
        "listOfLists:\n- name: a\n  value:\n  - b\n",
        {"apply-one": ({P("listOfLists", _A), P("listOfLists", _A, "name")}, "v3"),
         "apply-two": ({P("listOfLists", _A), P("listOfLists", _A, "name"),
                        P("listOfLists", _A, "value", V("b"))}, "v2")}),
    "remove_one_with_managed_subitem_keep_one": (
        [apply("apply-one", "v1", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n"),
         apply("apply-two", "v2", "listOfLists:\n- name: a\n  value:\n  - b\n"),
         update("controller", "v2", "listOfLists:\n- name: a\n  value:\n  - b\n- name: b\n  value:\n  - c\n  - d\n"),
         apply("apply-one", "v3", "listOfLists:\n- name: a\n")],
        "listOfLists:\n- name: a\n  value:\n  - b\n",
        {"apply-one": ({P("listOfLists", _A), P("listOfLists", _A, "name")}, "v3"),
         "apply-two": ({P("listOfLists", _A), P("listOfLists", _A, "name"),
                        P("listOfLists", _A, "value", V("b"))}, "v2")}),
    "remove_one_keep_one_with_sub_item": (
        [apply("apply-one", "v1", "listOfLists:\n- name: a\n- name: b\n  value:\n  - c\n"),
         apply("apply-two", "v2", "listOfLists:\n- name: b\n  value:\n  - d\n"),
         apply("apply-one", "v3", "listOfLists:\n- name: a\n")],
        "listOfLists:\n- name: a\n- name: b\n  value:\n  - d\n",
        {"apply-one": ({P("listOfLists", _A), P("listOfLists", _A, "name")}, "v3"),
         "apply-two": ({P("listOfLists", _B), P("listOfLists", _B, "name"),
                        P("listOfLists", _B, "value", V("d"))}, "v2")}),
    "multiple_appliers_recursive_map": (
        [apply("apply-one", "v1", "mapOfMapsRecursive:\n  a:\n    b:\n  c:\n    d:\n"),
         apply("apply-two", "v2", "mapOfMapsRecursive:\n  a:\n  c:\n    d:\n"),
         update("controller-one", "v3", "mapOfMapsRecursive:\n  a:\n    b:\n      c:\n  c:\n    d:\n      e:\n"),
         update("controller-two", "v2",
                "mapOfMapsRecursive:\n  a:\n    b:\n      c:\n        d:\n  c:\n    d:\n      e:\n        f:\n"),
         update("controller-one", "v3", "mapOfMapsRecursive:\n  a:\n    b:\n      c:\n        d:\n          e:\n"
                                        "  c:\n    d:\n      e:\n        f:\n          g:\n"),
         apply("apply-one", "v4", "mapOfMapsRecursive:\n")],
        "mapOfMapsRecursive:\n  a:\n  c:\n    d:\n      e:\n        f:\n          g:\n",
        {"apply-one": ({P("mapOfMapsRecursive")}, "v4"),
         "apply-two": ({P("mapOfMapsRecursive", "a"), P("mapOfMapsRecursive", "c"),
                        P("mapOfMapsRecursive", "c", "d")}, "v2"),
         "controller-one": ({P("mapOfMapsRecursive", "c", "d", "e"),
                             P("mapOfMapsRecursive", "c", "d", "e", "f", "g")}, "v3"),
         "controller-two": ({P("mapOfMapsRecursive", "c", "d", "e", "f")}, "v2")}),
}


@pytest.mark.parametrize("name", NESTED_APPLIER_ROWS)
def test_multiple_appliers_nested_type(name):
    ops, obj, managed = NESTED_APPLIER_ROWS[name]
    check(NESTED, ops, obj, managed)


def test_multiple_appliers_deduced_type():
    """``multiple_appliers_recursive_map_deduced``."""
    check(DEDUCED,
          [apply("apply-one", "v1", "a:\n  b:\nc:\n  d:\n"),
           apply("apply-two", "v2", "a:\nc:\n  d:\n"),
           update("controller-one", "v3", "a:\n  b:\n    c:\nc:\n  d:\n    e:\n"),
           update("controller-two", "v2", "a:\n  b:\n    c:\n      d:\nc:\n  d:\n    e:\n      f:\n"),
           update("controller-one", "v3", "a:\n  b:\n    c:\n      d:\n        e:\nc:\n  d:\n    e:\n      f:\n        g:\n"),
           apply("apply-one", "v4", "")],
          "a:\nc:\n  d:\n    e:\n      f:\n        g:\n",
          {"apply-two": ({P("a"), P("c"), P("c", "d")}, "v2"),
           "controller-one": ({P("c", "d", "e"), P("c", "d", "e", "f", "g")}, "v3"),
           "controller-two": ({P("c", "d", "e", "f")}, "v2")})


# -- deduced_test.go: TestDeduced -----------------------------------------------------------------------
_NESTED_V1 = "a: 1\nb:\n  c:\n    d: 2\n    e:\n    - 1\n    - 2\n    - 3\n    f:\n    - name: n\n      value: 1\n"
_NESTED_CTRL = ("a: 1\nb:\n  c:\n    d: 3\n    e:\n    - 1\n    - 2\n    - 3\n    - 4\n    f:\n    - name: n\n"
                "      value: 2\ng: 5\n")
_NESTED_V2 = "a: 2\nb:\n  c:\n    d: 2\n    e:\n    - 3\n    - 2\n    - 1\n    f:\n    - name: n\n      value: 1\n"
DEDUCED_ROWS = {
    "leaf_apply_twice": (
        [apply("default", "v1", 'numeric: 1\nstring: "string"\n'),
         apply("default", "v1", 'numeric: 2\nstring: "string"\nbool: false\n')],
        'numeric: 2\nstring: "string"\nbool: false\n',
        {"default": ({P("numeric"), P("string"), P("bool")}, "v1")}),
    "leaf_apply_update_apply_no_conflict": (
        [apply("default", "v1", 'numeric: 1\nstring: "string"\n'),
         update("controller", "v1", 'numeric: 1\nstring: "string"\nbool: true\n'),
         apply("default", "v1", 'numeric: 2\nstring: "string"\n')],
        'numeric: 2\nstring: "string"\nbool: true\n',
        {"default": ({P("numeric"), P("string")}, "v1"), "controller": ({P("bool")}, "v1")}),
    "leaf_apply_update_apply_with_conflict": (
        [apply("default", "v1", 'numeric: 1\nstring: "string"\n'),
         update("controller", "v1", 'numeric: 1\nstring: "controller string"\nbool: true\n'),
         apply("default", "v1", 'numeric: 2\nstring: "user string"\n', [Conflict("controller", P("string"))]),
         force_apply("default", "v1", 'numeric: 2\nstring: "user string"\n')],
        'numeric: 2\nstring: "user string"\nbool: true\n',
        {"default": ({P("numeric"), P("string")}, "v1"), "controller": ({P("bool")}, "v1")}),
    "leaf_apply_twice_remove": (
        [apply("default", "v1", 'numeric: 1\nstring: "string"\nbool: false\n'),
         apply("default", "v1", 'string: "new string"\n')],
        'string: "new string"\n',
        {"default": ({P("string")}, "v1")}),
    "leaf_update_remove_empty_set": (
        [apply("default", "v1", 'string: "string"\n'),
         update("controller", "v1", 'string: "new string"\n')],
        'string: "new string"\n',
        {"controller": ({P("string")}, "v1")}),
    "apply_twice_list_is_atomic": (
        [apply("default", "v1", "list:\n- a\n- c\n"),
         apply("default", "v1", "list:\n- a\n- d\n- c\n- b\n")],
        "list:\n- a\n- d\n- c\n- b\n",
        {"default": ({P("list")}, "v1")}),
    "apply_update_apply_list": (
        [apply("default", "v1", "list:\n- a\n- c\n"),
         update("controller", "v1", "list:\n- a\n- b\n- c\n- d\n"),
         force_apply("default", "v1", "list:\n- a\n- b\n- c\n")],
        "list:\n- a\n- b\n- c\n",
        {"default": ({P("list")}, "v1")}),
    "leaf_apply_remove_empty_set": (
        [apply("default", "v1", 'string: "string"\n'),
         apply("default", "v1", "")],
        "",
        {}),
    "apply_update_apply_nested": (
        [apply("default", "v1", _NESTED_V1),
         update("controller", "v1", _NESTED_CTRL),
         apply("default", "v1", _NESTED_V2, [Conflict("controller", P("b", "c", "d")),
                                             Conflict("controller", P("b", "c", "e")),
                                             Conflict("controller", P("b", "c", "f"))]),
         force_apply("default", "v1", _NESTED_V2)],
        _NESTED_V2 + "g: 5\n",
        None),
}


@pytest.mark.parametrize("name", DEDUCED_ROWS)
def test_deduced(name):
    ops, obj, managed = DEDUCED_ROWS[name]
    check(DEDUCED, ops, obj, managed)


# -- nested_test.go: TestUpdateNestedType ---------------------------------------------------------------
NESTED_ROWS = {
    "listOfLists_change_value": (
        [apply("default", "v1", "listOfLists:\n- name: a\n  value:\n  - b\n  - c\n"),
         apply("default", "v1", "listOfLists:\n- name: a\n  value:\n  - a\n  - c\n")],
        "listOfLists:\n- name: a\n  value:\n  - a\n  - c\n",
        {"default": ({P("listOfLists", _A), P("listOfLists", _A, "name"), P("listOfLists", _A, "value", V("a")),
                      P("listOfLists", _A, "value", V("c"))}, "v1")}),
    "listOfLists_change_key_and_value": (
        [apply("default", "v1", "listOfLists:\n- name: a\n  value:\n  - b\n  - c\n"),
         apply("default", "v1", "listOfLists:\n- name: b\n  value:\n  - a\n  - c\n")],
        "listOfLists:\n- name: b\n  value:\n  - a\n  - c\n",
        {"default": ({P("listOfLists", _B), P("listOfLists", _B, "name"), P("listOfLists", _B, "value", V("a")),
                      P("listOfLists", _B, "value", V("c"))}, "v1")}),
    "listOfMaps_change_value": (
        [apply("default", "v1", 'listOfMaps:\n- name: a\n  value:\n    b: "x"\n    c: "y"\n'),
         apply("default", "v1", 'listOfMaps:\n- name: a\n  value:\n    a: "x"\n    c: "z"\n')],
        'listOfMaps:\n- name: a\n  value:\n    a: "x"\n    c: "z"\n',
        {"default": ({P("listOfMaps", _A), P("listOfMaps", _A, "name"), P("listOfMaps", _A, "value", "a"),
                      P("listOfMaps", _A, "value", "c")}, "v1")}),
    "mapOfLists_change_value": (
        [apply("default", "v1", "mapOfLists:\n  a:\n  - b\n  - c\n"),
         apply("default", "v1", "mapOfLists:\n  a:\n  - a\n  - c\n")],
        "mapOfLists:\n  a:\n  - a\n  - c\n",
        {"default": ({P("mapOfLists", "a"), P("mapOfLists", "a", V("a")), P("mapOfLists", "a", V("c"))}, "v1")}),
    "mapOfMaps_change_key_and_value": (
        [apply("default", "v1", 'mapOfMaps:\n  a:\n    b: "x"\n    c: "y"\n'),
         apply("default", "v1", 'mapOfMaps:\n  b:\n    a: "x"\n    c: "z"\n')],
        'mapOfMaps:\n  b:\n    a: "x"\n    c: "z"\n',
        {"default": ({P("mapOfMaps", "b"), P("mapOfMaps", "b", "a"), P("mapOfMaps", "b", "c")}, "v1")}),
    "mapOfMapsRecursive_change_middle_key": (
        [apply("default", "v1", "mapOfMapsRecursive:\n  a:\n    b:\n      c:\n"),
         apply("default", "v1", "mapOfMapsRecursive:\n  a:\n    d:\n      c:\n")],
        "mapOfMapsRecursive:\n  a:\n    d:\n      c:\n",
        {"default": ({P("mapOfMapsRecursive", "a"), P("mapOfMapsRecursive", "a", "d"),
                      P("mapOfMapsRecursive", "a", "d", "c")}, "v1")}),
    "struct_apply_remove_all": (
        [apply("default", "v1", "struct:\n  name: a\n  value: 1\n"),
         apply("default", "v1", "")],
        "",
        {}),
    "struct_apply_remove_dangling": (
        [apply("default", "v1", "struct:\n  name: a\n"),
         apply("default", "v1", "struct:\n")],
        "struct:\n",
        {"default": ({P("struct")}, "v1")}),
    "struct_apply_update_remove_all": (
        [apply("default", "v1", "struct:\n  name: a\n"),
         update("controller", "v1", "struct:\n  name: a\n  value: 1\n"),
         apply("default", "v1", "")],
        "struct:\n  value: 1\n",
        None),
    "struct_apply_update_dict_dangling": (
        [apply("default", "v1", "struct:\n  name: a\n"),
         update("controller", "v1", "struct:\n  name: a\n  value: 1\n"),
         apply("default", "v1", "struct: {}\n")],
        "struct:\n  value: 1\n",
        None),
    "struct_apply_update_took_over": (
        [apply("default", "v1", "struct:\n  name: a\n"),
         update("controller", "v1", "struct:\n  name: b\n  value: 1\n"),
         apply("default", "v1", "struct:\n")],
        "struct:\n  name: b\n  value: 1\n",
        None),
}


@pytest.mark.parametrize("name", NESTED_ROWS)
def test_update_nested_type(name):
    ops, obj, managed = NESTED_ROWS[name]
    check(NESTED, ops, obj, managed)


# -- conflict_test.go: TestNewFromSets -------------------------------------------------------------------
def test_conflicts_message_groups_by_sorted_manager():
    k = {"key": "a", "id": 2}
    got = Conflicts([Conflict("Bob", P("key")), Conflict("Bob", P("list", k, "id")),
                     Conflict("Alice", P("value")), Conflict("Alice", P("list", k, "key"))])
    assert str(got) == ('conflicts with "Alice":\n- .value\n- .list[id=2,key="a"].key\n'
                        'conflicts with "Bob":\n- .key\n- .list[id=2,key="a"].id')
    assert str(Conflicts([Conflict("Bob", P("key"))])) == 'conflict with "Bob": .key'


# -- the Kubernetes schema ----------------------------------------------------------------------------------
def test_container_ports_are_keyed_by_port_and_defaulted_protocol():
    """``+listMapKey=containerPort`` and ``+listMapKey=protocol``, protocol
    defaulting to TCP (the OpenAPI default); not the strategic merge key."""
    pod = {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80},
                                                             {"containerPort": 53, "protocol": "UDP"}]}]}}
    s = to_field_set(schema_for("Pod"), pod)
    assert P("spec", "containers", {"name": "web"}, "ports", {"containerPort": 80, "protocol": "TCP"}) in s
    assert P("spec", "containers", {"name": "web"}, "ports", {"containerPort": 53, "protocol": "UDP"}) in s


def test_atomic_selector_and_granular_labels():
    dep = {"spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}}}}
    s = to_field_set(schema_for("Deployment"), dep)
    assert s == {P("spec", "selector"), P("spec", "template", "metadata", "labels", "app")}


def test_compare_reports_added_modified_removed():
    cmp = compare(DEDUCED, {"a": 1, "b": {"c": 2}}, {"a": 2, "d": [1]})
    assert (cmp.added, cmp.modified, cmp.removed) == ({P("d")}, {P("a")}, {P("b"), P("b", "c")})


def test_merge_keeps_live_items_and_takes_applied_order():
    live = {"list": [{"name": "a", "value": 1}, {"name": "x"}, {"name": "b"}]}
    got = merge(ASSOCIATIVE_LIST, live, {"list": [{"name": "b"}, {"name": "a", "value": 2}]})
    assert got == {"list": [{"name": "x"}, {"name": "b"}, {"name": "a", "value": 2}]}


def test_pruning_drops_emptied_maps():
    """kubekit's server mode (``keep_null=False``): what pruning empties is
    dropped, where upstream leaves ``null`` for Go to omit."""
    ops = [apply("apply-one", "v1", "mapOfMapsRecursive:\n  a:\n    b:\n"),
           apply("apply-one", "v1", "struct:\n  name: x\n")]
    u = Updater(NESTED)
    live, managers = {}, {}
    for _, m, v, text, _c in ops:
        new, managers = u.apply(live, Y(text), v, managers, m, False)
        live = new if new is not None else live
    assert live == {"struct": {"name": "x"}}


# -- duplicates_test.go: TestDuplicates (structured-merge-diff v4.4, Kubernetes 1.29) -------------------
DUPLICATES = Map(fields={
    "list": List(element=Map(fields={"name": SCALAR, "value1": SCALAR, "value2": SCALAR}), atomic=False,
                 keys=("name",)),
    "unrelated": SCALAR,
    "set": List(element=SCALAR, atomic=False),
})
_LIST_AAB = "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 2\n- name: b\n  value1: 3\n"
_B = (P("list", {"name": "b"}), P("list", {"name": "b"}, "name"), P("list", {"name": "b"}, "value1"))
_A_APPLIED = (P("list", {"name": "a"}), P("list", {"name": "a"}, "name"), P("list", {"name": "a"}, "value1"))
DUPLICATES_ROWS = {
    "sets/ownership/duplicates": (
        [update("updater-one", "v1", "set: [1, 1, 3, 4]\n")],
        "set: [1, 1, 3, 4]\n",
        {"updater-one": ({P("set"), P("set", V(1)), P("set", V(3)), P("set", V(4))}, "v1")}),
    "sets/ownership/add_duplicate": (
        [update("updater-one", "v1", "set: [1, 3, 4]\n"), update("updater-two", "v1", "set: [1, 1, 3, 4]\n")],
        "set: [1, 1, 3, 4]\n",
        {"updater-one": ({P("set"), P("set", V(3)), P("set", V(4))}, "v1"),
         "updater-two": ({P("set", V(1))}, "v1")}),
    "sets/ownership/remove_duplicate": (
        [update("updater-one", "v1", "set: [1, 1, 3, 4]\n"), update("updater-two", "v1", "set: [1, 3, 4]\n")],
        "set: [1, 3, 4]\n",
        {"updater-one": ({P("set"), P("set", V(3)), P("set", V(4))}, "v1"),
         "updater-two": ({P("set", V(1))}, "v1")}),
    "sets/merging/remove_duplicate": (
        [update("updater", "v1", "set: [1, 1, 3, 4]\n"),
         apply("applier", "v1", "set: [1]\n", [Conflict("updater", P("set", V(1)))]),
         force_apply("applier", "v1", "set: [1]\n")],
        "set: [1, 3, 4]\n",
        {"updater": ({P("set"), P("set", V(3)), P("set", V(4))}, "v1"), "applier": ({P("set", V(1))}, "v1")}),
    "sets/merging/ignore_duplicate": (
        [update("updater", "v1", "set: [1, 1, 3, 4]\n"), apply("applier", "v1", "set: [5]\n")],
        "set: [1, 1, 3, 4, 5]\n",
        {"updater": ({P("set"), P("set", V(1)), P("set", V(3)), P("set", V(4))}, "v1"),
         "applier": ({P("set", V(5))}, "v1")}),
    "list/ownership/duplicated_items": (
        [update("updater", "v1", _LIST_AAB)],
        _LIST_AAB,
        {"updater": ({P("list"), P("list", {"name": "a"}), *_B}, "v1")}),
    "list/ownership/change_duplicated_items": (
        [update("updater-one", "v1", _LIST_AAB),
         update("updater-two", "v1", "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 3\n- name: b\n  value1: 3\n")],
        "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 3\n- name: b\n  value1: 3\n",
        {"updater-one": ({P("list"), *_B}, "v1"), "updater-two": ({P("list", {"name": "a"})}, "v1")}),
    "list/ownership/change_fields_duplicated_items": (
        [update("updater-one", "v1", _LIST_AAB),
         update("updater-two", "v1", "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 2\n  value2: 3\n"
                                     "- name: b\n  value1: 3\n")],
        "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 2\n  value2: 3\n- name: b\n  value1: 3\n",
        {"updater-one": ({P("list"), *_B}, "v1"), "updater-two": ({P("list", {"name": "a"})}, "v1")}),
    "list/ownership/add_duplicated_items_different_field": (
        [update("updater-one", "v1", "list:\n- name: a\n  value1: 1\n- name: b\n  value1: 3\n"),
         update("updater-two", "v1", "list:\n- name: a\n  value1: 1\n- name: a\n  value2: 3\n- name: b\n  value1: 3\n")],
        "list:\n- name: a\n  value1: 1\n- name: a\n  value2: 3\n- name: b\n  value1: 3\n",
        {"updater-one": ({P("list"), *_B}, "v1"), "updater-two": ({P("list", {"name": "a"})}, "v1")}),
    "list/ownership/add_unrelated_to_list_with_duplicates": (
        [update("updater-one", "v1", "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 2\n"),
         update("updater-two", "v1", _LIST_AAB)],
        _LIST_AAB,
        {"updater-one": ({P("list"), P("list", {"name": "a"})}, "v1"), "updater-two": (set(_B), "v1")}),
    "list/merge/unrelated_with_duplicated_items": (
        [update("updater", "v1", _LIST_AAB), force_apply("applier", "v1", "unrelated: 5\n")],
        _LIST_AAB + "unrelated: 5\n",
        {"updater": ({P("list"), P("list", {"name": "a"}), *_B}, "v1"), "applier": ({P("unrelated")}, "v1")}),
    "list/merge/change_duplicated_item": (
        [update("updater", "v1", _LIST_AAB),
         apply("applier", "v1", "list:\n- name: a\n  value1: 3\n", [Conflict("updater", P("list", {"name": "a"}))]),
         force_apply("applier", "v1", "list:\n- name: a\n  value1: 3\n")],
        "list:\n- name: a\n  value1: 3\n- name: b\n  value1: 3\n",
        {"updater": ({P("list"), *_B}, "v1"), "applier": (set(_A_APPLIED), "v1")}),
    "list/merge/unchanged_duplicated_item": (
        [update("updater", "v1", _LIST_AAB),
         apply("applier", "v1", "list:\n- name: a\n  value1: 2\n", [Conflict("updater", P("list", {"name": "a"}))]),
         force_apply("applier", "v1", "list:\n- name: a\n  value1: 3\n")],
        "list:\n- name: a\n  value1: 3\n- name: b\n  value1: 3\n",
        {"updater": ({P("list"), *_B}, "v1"), "applier": (set(_A_APPLIED), "v1")}),
    "list/merge/change_non_duplicated_item": (
        [update("updater", "v1", _LIST_AAB), force_apply("applier", "v1", "list:\n- name: b\n  value1: 4\n")],
        "list:\n- name: a\n  value1: 1\n- name: a\n  value1: 2\n- name: b\n  value1: 4\n",
        {"updater": ({P("list"), P("list", {"name": "a"}), P("list", {"name": "b"}),
                      P("list", {"name": "b"}, "name")}, "v1"),
         "applier": (set(_B), "v1")}),
    "list/merge/apply_update_duplicates_apply_without": (
        [apply("applier", "v1", "list:\n- name: a\n  value1: 1\n- name: b\n  value1: 3\n"),
         update("updater", "v1", _LIST_AAB),
         apply("applier", "v1", "list:\n- name: b\n  value1: 3\n")],
        _LIST_AAB,
        {"applier": (set(_B), "v1"), "updater": ({P("list", {"name": "a"})}, "v1")}),
}


@pytest.mark.parametrize("name", DUPLICATES_ROWS)
def test_duplicates(name):
    """Duplicate keys in the live object (``typed.AllowDuplicates``): kept,
    owned whole, replaced by an apply that sets them."""
    check(DUPLICATES, *DUPLICATES_ROWS[name])


def test_applied_duplicates_are_an_error():
    with pytest.raises(ApplyError, match=r'duplicate entries for key \[name="a"\]'):
        Updater(DUPLICATES).apply({}, Y("list:\n- name: a\n- name: a\n"), "v1", {}, "m", False)


def test_live_duplicate_env_survives_an_unrelated_apply():
    """The reviewer's t2/t3: another manager's apply keeps both ``A``s."""
    env = [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "3"}]
    live = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "x", "env": env}]}}}}
    u = Updater(schema_for("Deployment"))
    managers = u.update({}, live, "apps/v1", {}, "creator")
    creator = managers["creator"].set
    base = ("spec", "template", "spec", "containers", {"name": "web"}, "env")
    assert P(*base, {"name": "A"}) in creator and P(*base, {"name": "A"}, "value") not in creator
    assert P(*base, {"name": "B"}, "value") in creator
    new, managers = u.apply(live, {"spec": {"replicas": 3}}, "apps/v1", managers, "bob", False)
    assert new["spec"]["template"]["spec"]["containers"][0]["env"] == env
    assert managers["creator"].set == creator


# -- stored items lacking their key field ----------------------------------------------------------------
def test_a_stored_item_without_its_key_reads_as_the_zero_value():
    """The reviewer's t15/t7: a condition without ``type`` in the live
    object is ``k:{"type":""}`` (upstream's typed round trip writes
    ``type: ""``): applies and updates go on; only an applied item without
    its key is an error."""
    sc = schema_for("Namespace")
    live = {"metadata": {"name": "n"}, "status": {"conditions": [{"status": "True"}, {"type": "Ready"}]}}
    assert P("status", "conditions", {"type": ""}, "status") in to_field_set(sc, live, live=True)
    u = Updater(sc, {P("status")})
    new, managers = u.apply(live, {"metadata": {"labels": {"a": "b"}}}, "v1", {}, "alice", False)
    assert new["status"] == live["status"] and new["metadata"]["labels"] == {"a": "b"}
    status = Updater(sc, {P("spec"), P("metadata")})
    changed = {**live, "status": {"conditions": [{"status": "False"}, {"type": "Ready"}]}}
    managers = status.update(live, changed, "v1", managers, "kubelet")
    assert managers["kubelet"].set == {P("status", "conditions", {"type": ""}, "status")}
    with pytest.raises(ApplyError, match='omits key field "type"'):
        status.apply(live, {"status": {"conditions": [{"status": "True"}]}}, "v1", managers, "x", True)


def test_compare_does_not_walk_ignored_fields():
    sc = schema_for("Namespace")
    cmp = compare(sc, {"status": {"conditions": [{"a": 1}]}}, {"status": {"conditions": [{"a": 2}]}},
                  ignored={P("status")})
    assert cmp.is_same()


def test_every_served_kind_has_an_ssa_schema():
    """docs/server-side-apply.md: "the SSA markers of the kinds kubekit
    serves"; PersistentVolumeClaim conditions are keyed by ``type``,
    ObjectReference is atomic, a PV's claimRef granular."""
    from kubekit.api.serversideapply import KIND_SCHEMAS
    from kubekit.store import DEFAULT_KINDS

    assert sorted(k.kind for k in DEFAULT_KINDS if k.kind not in KIND_SCHEMAS) == []
    pvc = {"spec": {"accessModes": ["ReadWriteOnce"], "selector": {"matchLabels": {"a": "b"}}},
           "status": {"conditions": [{"type": "Resizing", "status": "True"}]}}
    assert to_field_set(schema_for("PersistentVolumeClaim"), pvc) == {
        P("spec", "accessModes"), P("spec", "selector"), P("status", "conditions", {"type": "Resizing"}),
        P("status", "conditions", {"type": "Resizing"}, "type"),
        P("status", "conditions", {"type": "Resizing"}, "status")}
    ev = {"involvedObject": {"kind": "Pod", "name": "p"}}
    assert to_field_set(schema_for("Event"), ev) == {P("involvedObject")}
    pv = {"spec": {"claimRef": {"name": "c"}, "mountOptions": ["ro"]}}
    assert to_field_set(schema_for("PersistentVolume"), pv) == {P("spec", "claimRef", "name"),
                                                               P("spec", "mountOptions")}
