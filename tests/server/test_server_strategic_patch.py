"""Strategic merge patch (kubekit.api.strategicpatch), against rows
transcribed from upstream's own tests.

Source: k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go
(github.com/kubernetes/apimachinery, commit 930e0be7e50b533cbe3a76f80b0ac2cbca628099),
with its test schema (the ``MergeItem`` and ``RetainKeysMergeItem`` structs,
written out as :data:`MERGE_ITEM` below).  Transcribed verbatim:

* ``customStrategicMergePatchTestCaseData``: all 17 rows (apply only);
* ``customStrategicMergePatchRawTestCases``: all 10 rows ($setElementOrder,
  missing merge key, $deleteFromPrimitiveList; the error rows with
  upstream's ``ExpectedError`` substring);
* ``createStrategicMergePatchTestCaseData``: all 22 rows (two-way diff,
  two-way apply, three-way diff, three-way apply);
* ``strategicMergePatchRawTestCases``: all rows (the second, identical "add
  field to map in merging list" row once; the second "add field to map in
  merging list nested in merging list with deletion conflict" row, which
  reorders, is suffixed "(reordered)"), from "nested patch merge with empty
  list" to "delete and reorder in one list, reorder in another";
* ``replaceRawExtensionPatchTestCases``: both rows (``replacingItem`` has
  ``patchStrategy:"replace"``).
* ``TestUnknownField``: its 13 rows that merge (:data:`UNKNOWN_FIELDS`); its
  one error row is where kubekit differs on purpose.

As upstream, the rows of the YAML tables (``custom...TestCaseData``,
``createStrategicMergePatchTestCaseData``) are compared with merging lists
sorted by merge key (``sortMergeListsByName``: scalars sorted and
deduplicated, ``$retainKeys`` and ``$deleteFromPrimitiveList`` sorted); the
raw rows are compared as they are, list order included (two rows excepted,
see :data:`GO_ALIASING_ROWS`).  Upstream's "with conflict"
rows expect a conflict error when ``overwrite`` is false; kubekit implements
``overwrite=true`` only (kubectl apply's default), which those rows then
check, as upstream does.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from kubekit.api.strategicpatch import (Field, StrategicPatchError, schema_for, strategic_merge_patch,
                                        three_way_patch, two_way_patch)

MERGE_ITEM: dict[str, Field] = {}
RETAIN_KEYS_MERGE_ITEM = {
    "simpleMap": Field(),
    "mergingIntList": Field("merge"),
    "mergingList": Field("merge", "name", fields=MERGE_ITEM),
    "nonMergingList": Field(fields=MERGE_ITEM),
}
MERGE_ITEM.update({
    "mergingList": Field("merge", "name", fields=MERGE_ITEM),
    "nonMergingList": Field(fields=MERGE_ITEM),
    "mergingIntList": Field("merge"),
    "nonMergingIntList": Field(),
    "mergeItemPtr": Field("merge", "name", fields=MERGE_ITEM),
    "simpleMap": Field(),
    "replacingItem": Field("replace"),
    "retainKeysMap": Field(retain_keys=True, fields=RETAIN_KEYS_MERGE_ITEM),
    "retainKeysMergingList": Field("merge", "name", True, MERGE_ITEM),
})


def _fmt(v):
    return "<nil>" if v is None else ("true" if v is True else "false" if v is False else str(v))


def sort_merge_lists(m, schema):
    """Upstream's ``sortMergeListsByNameMap``."""
    out = {}
    for k, v in m.items():
        if k == "$retainKeys" or k.startswith("$deleteFromPrimitiveList"):
            v = sorted(v, key=_fmt)
        elif k.startswith("$setElementOrder") or k == "$patch":
            pass
        else:
            f = (schema or {}).get(k, Field())
            if isinstance(v, dict):
                v = sort_merge_lists(v, f.fields)
            elif isinstance(v, list) and f.strategy == "merge" and v:
                if isinstance(v[0], dict):
                    v = sorted((sort_merge_lists(e, f.fields) for e in v), key=lambda e: _fmt(e.get(f.merge_key)))
                else:
                    v = sorted({(type(x), x): x for x in v}.values(), key=_fmt)
        out[k] = v
    return out


def same(a, b, schema=MERGE_ITEM) -> bool:
    return sort_merge_lists(a, schema) == sort_merge_lists(b, schema)


def cases(text: str) -> list:
    rows = yaml.safe_load(textwrap.dedent(text))["testCases"]
    return [pytest.param(r, id=r["description"]) for r in rows]


# -- customStrategicMergePatchTestCaseData: apply twoWay to original, expect modified ---------
CUSTOM = """
testCases:
  - description: unique scalars when merging lists
    original:
      mergingIntList:
        - 1
        - 2
    twoWay:
      mergingIntList:
        - 2
        - 3
    modified:
      mergingIntList:
        - 1
        - 2
        - 3
  - description: delete map from nested map
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        $patch: delete
    modified:
      simpleMap:
        {}
  - description: delete all items from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - $patch: replace
    modified:
      mergingList: []
  - description: merge empty merging lists
    original:
      mergingList: []
    twoWay:
      mergingList: []
    modified:
      mergingList: []
  - description: delete all keys from map
    original:
      name: 1
      value: 1
    twoWay:
      $patch: replace
    modified: {}
  - description: add key and delete all keys from map
    original:
      name: 1
      value: 1
    twoWay:
      other: a
      $patch: replace
    modified:
      other: a
  - description: delete all duplicate entries in a merging list
    original:
      mergingList:
        - name: 1
        - name: 1
        - name: 2
          value: a
        - name: 3
        - name: 3
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 3
          $patch: delete
    modified:
      mergingList:
        - name: 2
          value: a
  - description: retainKeys map can add a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
    twoWay:
      retainKeysMap:
        value: bar
    modified:
      retainKeysMap:
        name: foo
        value: bar
  - description: retainKeys map can change a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap:
        value: b
    modified:
      retainKeysMap:
        name: foo
        value: b
  - description: retainKeys map can delete a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap:
        value: null
    modified:
      retainKeysMap:
        name: foo
  - description: retainKeys map merge an empty map
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap: {}
    modified:
      retainKeysMap:
        name: foo
        value: a
  - description: retainKeys list can add a field when no retainKeys directive present
    original:
      retainKeysMergingList:
      - name: bar
      - name: foo
    twoWay:
      retainKeysMergingList:
      - name: foo
        value: a
    modified:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: a
  - description: retainKeys list can change a field when no retainKeys directive present
    original:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: a
    twoWay:
      retainKeysMergingList:
      - name: foo
        value: b
    modified:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: b
  - description: retainKeys list can delete a field when no retainKeys directive present
    original:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: a
    twoWay:
      retainKeysMergingList:
      - name: foo
        value: null
    modified:
      retainKeysMergingList:
      - name: bar
      - name: foo
  - description: preserve the order from the patch in a merging list
    original:
      mergingList:
        - name: 1
        - name: 2
          value: b
        - name: 3
    twoWay:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
        - name: 2
          other: x
    modified:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
        - name: 2
          value: b
          other: x
  - description: preserve the order from the patch in a merging list 2
    original:
      mergingList:
        - name: 1
        - name: 2
          value: b
        - name: 3
    twoWay:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
    modified:
      mergingList:
        - name: 2
          value: b
        - name: 3
          value: c
        - name: 1
          value: a
  - description: preserve the order from the patch in a merging int list
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      mergingIntList:
        - 3
        - 1
        - 2
    modified:
      mergingIntList:
        - 3
        - 1
        - 2
  - description: preserve the order from the patch in a merging int list 2
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      mergingIntList:
        - 3
        - 1
    modified:
      mergingIntList:
        - 2
        - 3
        - 1
"""

# -- customStrategicMergePatchRawTestCases -------------------------------------------------------
CUSTOM_RAW = """
testCases:
  - description: $setElementOrder contains item that is not present in the list to be merged
    original:
      mergingList:
        - name: 1
        - name: 3
    twoWay:
      $setElementOrder/mergingList:
        - name: 3
        - name: 2
        - name: 1
      mergingList:
        - name: 3
          value: 3
        - name: 1
          value: 1
    modified:
      mergingList:
        - name: 3
          value: 3
        - name: 1
          value: 1
  - description: $setElementOrder contains item that is not present in the int list to be merged
    original:
      mergingIntList:
        - 1
        - 3
    twoWay:
      $setElementOrder/mergingIntList:
        - 3
        - 2
        - 1
    modified:
      mergingIntList:
        - 3
        - 1
  - description: should check if order in $setElementOrder and patch list match
    original:
      mergingList:
        - name: 1
        - name: 3
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 3
          value: 3
        - name: 1
          value: 1
    expectedError: doesn't match
  - description: should check if order in $setElementOrder and patch int list match
    original:
      mergingIntList:
        - 1
        - 3
        - 2
    twoWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
        - 3
      mergingIntList:
        - 3
        - 1
    expectedError: doesn't match
  - description: missing merge key should error out
    original:
      mergingList:
        - name: 1
          value: a
    twoWay:
      mergingList:
        - value: b
    expectedError: does not contain declared merge key
  - description: $deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list
    original:
      mergingIntList:
        - 1
        - 2
    twoWay:
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    modified:
      mergingIntList:
        - 1
        - 2
  - description: $deleteFromPrimitiveList on empty primitive list should not add the item to the list
    original:
      mergingIntList:
    twoWay:
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    modified:
      mergingIntList:
  - description: $deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list
    original:
      foo:
        - bar
    twoWay:
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    modified:
      foo:
        - bar
  - description: $deleteFromPrimitiveList should delete item from a list with merge patch strategy
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      $deleteFromPrimitiveList/mergingIntList:
        - 2
    modified:
      mergingIntList:
        - 1
        - 3
  - description: $deleteFromPrimitiveList should delete item from a list without merge patch strategy
    original:
      nonMergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      $deleteFromPrimitiveList/nonMergingIntList:
        - 2
    modified:
      nonMergingIntList:
        - 1
        - 3
"""


@pytest.mark.parametrize("c", cases(CUSTOM))
def test_upstream_custom_patches_apply(c):
    result = strategic_merge_patch(c.get("original") or {}, c["twoWay"], MERGE_ITEM)
    assert same(result, c.get("modified") or {}), result


@pytest.mark.parametrize("c", cases(CUSTOM_RAW))
def test_upstream_custom_raw_patches_apply(c):
    # upstream compares the raw rows' documents as they are: list order counts
    original = c.get("original") or {}
    if c.get("expectedError"):
        with pytest.raises(StrategicPatchError, match=c["expectedError"]):
            strategic_merge_patch(original, c["twoWay"], MERGE_ITEM)
        return
    assert strategic_merge_patch(original, c["twoWay"], MERGE_ITEM) == (c.get("modified") or {})


def test_applying_does_not_modify_the_arguments():
    original = {"mergingList": [{"name": 1, "value": 1}]}
    patch = {"mergingList": [{"name": 1, "$patch": "delete"}], "$setElementOrder/mergingList": []}
    assert strategic_merge_patch(original, patch, MERGE_ITEM) == {"mergingList": []}
    assert original == {"mergingList": [{"name": 1, "value": 1}]}
    assert patch == {"mergingList": [{"name": 1, "$patch": "delete"}], "$setElementOrder/mergingList": []}


# -- createStrategicMergePatchTestCaseData -------------------------------------------------------
CREATE = """
testCases:
  - description: nil original
    twoWay:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: nil patch
    original:
      name: 1
    twoWay:
      {}
    modified:
      name: 1
    current:
      name: 1
    threeWay:
      {}
    result:
      name: 1
  - description: add field to map
    original:
      name: 1
    twoWay:
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: add field to map with conflict
    original:
      name: 1
    twoWay:
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: a
      other: a
    threeWay:
      name: 1
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: add field and delete field from map
    original:
      name: 1
    twoWay:
      name: null
      value: 1
    modified:
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      name: null
      value: 1
    result:
      value: 1
      other: a
  - description: add field and delete field from map with conflict
    original:
      name: 1
    twoWay:
      name: null
      value: 1
    modified:
      value: 1
    current:
      name: a
      other: a
    threeWay:
      name: null
      value: 1
    result:
      value: 1
      other: a
  - description: delete field from nested map
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        key2: null
    modified:
      simpleMap:
        key1: 1
    current:
      simpleMap:
        key1: 1
        key2: 1
        other: a
    threeWay:
      simpleMap:
        key2: null
    result:
      simpleMap:
        key1: 1
        other: a
  - description: delete field from nested map with conflict
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        key2: null
    modified:
      simpleMap:
        key1: 1
    current:
      simpleMap:
        key1: a
        key2: 1
        other: a
    threeWay:
      simpleMap:
        key1: 1
        key2: null
    result:
      simpleMap:
        key1: 1
        other: a
  - description: delete all fields from map
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
    modified: {}
    current:
      name: 1
      value: 1
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: delete all fields from map with conflict
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
    modified: {}
    current:
      name: 1
      value: a
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: add field and delete all fields from map
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
      other: a
    modified:
      other: a
    current:
      name: 1
      value: 1
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: add field and delete all fields from map with conflict
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
      other: a
    modified:
      other: a
    current:
      name: 1
      value: 1
      other: b
    threeWay:
      name: null
      value: null
      other: a
    result:
      other: a
  - description: replace list of scalars
    original:
      nonMergingIntList:
        - 1
        - 2
    twoWay:
      nonMergingIntList:
        - 2
        - 3
    modified:
      nonMergingIntList:
        - 2
        - 3
    current:
      nonMergingIntList:
        - 1
        - 2
    threeWay:
      nonMergingIntList:
        - 2
        - 3
    result:
      nonMergingIntList:
        - 2
        - 3
  - description: replace list of scalars with conflict
    original:
      nonMergingIntList:
        - 1
        - 2
    twoWay:
      nonMergingIntList:
        - 2
        - 3
    modified:
      nonMergingIntList:
        - 2
        - 3
    current:
      nonMergingIntList:
        - 1
        - 4
    threeWay:
      nonMergingIntList:
        - 2
        - 3
    result:
      nonMergingIntList:
        - 2
        - 3
  - description: delete all maps from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList:
        - name: 1
        - name: 2
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: delete all maps from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          other: b
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: delete all maps from empty merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList: []
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: merge empty merging lists
    original:
      mergingList: []
    twoWay:
      {}
    modified:
      mergingList: []
    current:
      mergingList: []
    threeWay:
      {}
    result:
      mergingList: []
  - description: defined null values should propagate overwrite current fields (with conflict)
    original:
      name: 2
    twoWay:
      name: 1
      value: 1
      other: null
    twoWayResult:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
      other: null
    current:
      name: a
      other: a
    threeWay:
      name: 1
      value: 1
      other: null
    result:
      name: 1
      value: 1
  - description: defined null values should propagate removing original fields
    original:
      name: original-name
      value: original-value
    current:
      name: original-name
      value: original-value
      other: current-other
    modified:
      name: modified-name
      value: null
    twoWay:
      name: modified-name
      value: null
    twoWayResult:
      name: modified-name
    threeWay:
      name: modified-name
      value: null
    result:
      name: modified-name
      other: current-other
  - description: nil patch with retainKeys map
    original:
      name: a
      retainKeysMap:
        name: foo
    current:
      name: a
      value: b
      retainKeysMap:
        name: foo
    modified:
      name: a
      retainKeysMap:
        name: foo
    twoWay: {}
    threeWay: {}
    result:
      name: a
      value: b
      retainKeysMap:
        name: foo
  - description: retainKeys map with no change should not be present
    original:
      name: a
      retainKeysMap:
        name: foo
    current:
      name: a
      other: c
      retainKeysMap:
        name: foo
    modified:
      name: a
      value: b
      retainKeysMap:
        name: foo
    twoWay:
      value: b
    threeWay:
      value: b
    result:
      name: a
      value: b
      other: c
      retainKeysMap:
        name: foo
"""

# -- strategicMergePatchRawTestCases (the first 25 rows) -----------------------------------------
CREATE_RAW = """
testCases:
  - description: nested patch merge with empty list
    original:
      name: hi
    current:
      name: hi
      mergingList:
      - name: hello2
    modified:
      name: hi
      mergingList:
      - name: hello
      - $patch: delete
        name: doesntexist
    twoWay:
      mergingList:
      - name: hello
      - $patch: delete
        name: doesntexist
    threeWay:
      $setElementOrder/mergingList:
      - name: hello
      - name: doesntexist
      mergingList:
      - name: hello
      - $patch: delete
        name: doesntexist
    twoWayResult:
      name: hi
      mergingList:
      - name: hello
    result:
      name: hi
      mergingList:
      - name: hello
      - name: hello2
  - description: delete items in lists of scalars
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    modified:
      mergingIntList:
        - 1
        - 2
    current:
      mergingIntList:
        - 1
        - 2
        - 3
        - 4
    threeWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    result:
      mergingIntList:
        - 1
        - 2
        - 4
  - description: delete all duplicate items in lists of scalars
    original:
      mergingIntList:
        - 1
        - 2
        - 3
        - 3
    twoWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    modified:
      mergingIntList:
        - 1
        - 2
    current:
      mergingIntList:
        - 1
        - 2
        - 3
        - 3
        - 4
    threeWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    result:
      mergingIntList:
        - 1
        - 2
        - 4
  - description: add and delete items in lists of scalars
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
        - 4
      $deleteFromPrimitiveList/mergingIntList:
        - 3
      mergingIntList:
        - 4
    modified:
      mergingIntList:
        - 1
        - 2
        - 4
    current:
      mergingIntList:
        - 1
        - 2
        - 3
        - 4
    threeWay:
      $setElementOrder/mergingIntList:
        - 1
        - 2
        - 4
      $deleteFromPrimitiveList/mergingIntList:
        - 3
    result:
      mergingIntList:
        - 1
        - 2
        - 4
  - description: merge lists of maps
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 4
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 4
          value: 4
        - name: 3
          value: 3
    modified:
      mergingList:
        - name: 4
          value: 4
        - name: 1
        - name: 2
          value: 2
        - name: 3
          value: 3
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 4
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 4
          value: 4
        - name: 3
          value: 3
    result:
      mergingList:
        - name: 4
          value: 4
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
        - name: 3
          value: 3
  - description: merge lists of maps with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 3
          value: 3
    modified:
      mergingList:
        - name: 1
        - name: 2
          value: 2
        - name: 3
          value: 3
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 3
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 2
          value: 2
        - name: 3
          value: 3
    result:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
        - name: 3
          value: 3
  - description: add field to map in merging list
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
    modified:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
    result:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: add field to map in merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
    modified:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          other: a
        - name: 3
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    result:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
        - name: 3
          value: 2
          other: b
  - description: add duplicate field to map in merging list
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
    modified:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay: {}
    result:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: add an item that already exists in current object in merging list
    original:
      mergingList:
        - name: 1
          value: a
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
        - name: 3
      mergingList:
        - name: 3
    modified:
      mergingList:
        - name: 1
          value: a
        - name: 2
        - name: 3
    current:
      mergingList:
        - name: 1
          value: a
          other: x
        - name: 2
        - name: 3
    threeWay: {}
    result:
      mergingList:
        - name: 1
          value: a
          other: x
        - name: 2
        - name: 3
  - description: add duplicate field to map in merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: 1
    modified:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 3
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 2
          value: 2
    result:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: replace map field value in merging list
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: a
    modified:
      mergingList:
        - name: 1
          value: a
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: a
    result:
      mergingList:
        - name: 1
          value: a
          other: a
        - name: 2
          value: 2
          other: b
  - description: replace map field value in merging list with conflict
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: a
    modified:
      mergingList:
        - name: 1
          value: a
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: 3
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: a
    result:
      mergingList:
        - name: 1
          value: a
          other: a
        - name: 2
          value: 2
          other: b
  - description: delete map from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
    current:
      mergingList:
        - name: 1
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 2
          other: b
  - description: delete map from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 2
          other: b
  - description: delete missing map from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
    current:
      mergingList:
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 2
          other: b
  - description: delete missing map from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
    current:
      mergingList:
        - name: 3
          other: a
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
      mergingList:
        - name: 2
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 2
        - name: 3
          other: a
  - description: add map and delete map from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
        - name: 3
      mergingList:
        - name: 3
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
        - name: 3
    current:
      mergingList:
        - name: 1
        - name: 2
          other: b
        - name: 4
          other: c
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
        - name: 3
      mergingList:
        - name: 3
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 2
          other: b
        - name: 4
          other: c
        - name: 3
  - description: add map and delete map from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 2
        - name: 3
      mergingList:
        - name: 3
        - name: 1
          $patch: delete
    modified:
      mergingList:
        - name: 2
        - name: 3
    current:
      mergingList:
        - name: 1
          other: a
        - name: 4
          other: c
    threeWay:
      $setElementOrder/mergingList:
        - name: 2
        - name: 3
      mergingList:
        - name: 2
        - name: 3
        - name: 1
          $patch: delete
    result:
      mergingList:
        - name: 4
          other: c
        - name: 2
        - name: 3
  - description: delete field from map in merging list
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    modified:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    result:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: delete field from map in merging list with conflict
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    modified:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          value: a
          other: a
        - name: 2
          value: 2
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    result:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
  - description: delete missing field from map in merging list
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    modified:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    result:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: delete missing field from map in merging list with conflict
    original:
      mergingList:
        - name: 1
          value: 1
        - name: 2
          value: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
    modified:
      mergingList:
        - name: 1
        - name: 2
          value: 2
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          value: null
        - name: 2
          value: 2
    result:
      mergingList:
        - name: 1
          other: a
        - name: 2
          value: 2
          other: b
  - description: replace non merging list nested in merging list
    original:
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
            - name: 2
              value: 2
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
    modified:
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
        - name: 2
    current:
      mergingList:
        - name: 1
          other: a
          nonMergingList:
            - name: 1
            - name: 2
              value: 2
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
    result:
      mergingList:
        - name: 1
          other: a
          nonMergingList:
            - name: 1
              value: 1
        - name: 2
          other: b
  - description: replace non merging list nested in merging list with value conflict
    original:
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
            - name: 2
              value: 2
        - name: 2
    twoWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
    modified:
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
        - name: 2
    current:
      mergingList:
        - name: 1
          other: a
          nonMergingList:
            - name: 1
              value: c
        - name: 2
          other: b
    threeWay:
      $setElementOrder/mergingList:
        - name: 1
        - name: 2
      mergingList:
        - name: 1
          nonMergingList:
            - name: 1
              value: 1
    result:
      mergingList:
        - name: 1
          other: a
          nonMergingList:
            - name: 1
              value: 1
        - name: 2
          other: b
"""


# -- strategicMergePatchRawTestCases, the remaining rows, and replaceRawExtensionPatchTestCases --------
# (flow style; content as upstream's)
CREATE_RAW_2 = """
testCases:
  - description: replace non merging list nested in merging list with deletion conflict
    original: {mergingList: [{name: 1, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]
    modified: {mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}, {name: 2}]}
    current: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 2, value: 2}]}, {name: 2, other: b}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]
    result: {mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]}
  - description: add field to map in merging list nested in merging list
    original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]
    modified: {mergingList: [{name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}
    current: {mergingList: [{name: 1, other: a, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]
    result: {mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]}
  - description: add field to map in merging list nested in merging list with value conflict
    original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]
    modified: {mergingList: [{name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}
    current:
      mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: a, other: c}, {name: 2, value: b, other: d}]},
                    {name: 2, other: b}]
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1,
                     mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}]
    result:
      mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1, other: c}, {name: 2, value: 2, other: d}]},
                    {name: 2, other: b}]
  - description: add field to map in merging list nested in merging list with deletion conflict
    original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]
    modified: {mergingList: [{name: 1, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}
    current: {mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]
    result:
      mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1}, {name: 2, value: 2, other: d}]},
                    {name: 2, other: b}]
  - description: add field to map in merging list nested in merging list with deletion conflict (reordered)
    original: {mergingList: [{name: 1, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]
    modified: {mergingList: [{name: 1, mergingList: [{name: 2, value: 2}, {name: 1, value: 1}]}, {name: 2}]}
    current: {mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]
    result:
      mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]},
                    {name: 2, other: b}]
  - description: add map to merging list by pointer
    original: {mergeItemPtr: [{name: 1}]}
    twoWay: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}
    modified: {mergeItemPtr: [{name: 1}, {name: 2}]}
    current: {mergeItemPtr: [{name: 1, other: a}, {name: 3}]}
    threeWay: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}
    result: {mergeItemPtr: [{name: 1, other: a}, {name: 2}, {name: 3}]}
  - description: add map to merging list by pointer with conflict
    original: {mergeItemPtr: [{name: 1}]}
    twoWay: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}
    modified: {mergeItemPtr: [{name: 1}, {name: 2}]}
    current: {mergeItemPtr: [{name: 3}]}
    threeWay: {$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 1}, {name: 2}]}
    result: {mergeItemPtr: [{name: 1}, {name: 2}, {name: 3}]}
  - description: add field to map in merging list by pointer
    original: {mergeItemPtr: [{name: 1, mergeItemPtr: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}]
      mergeItemPtr: [{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], name: 1, mergeItemPtr: [{name: 1, value: 1}]}]
    modified: {mergeItemPtr: [{name: 1, mergeItemPtr: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}
    current:
      mergeItemPtr: [{name: 1, other: a, mergeItemPtr: [{name: 1, other: a}, {name: 2, value: 2, other: b}]},
                     {name: 2, other: b}]
    threeWay:
      $setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}]
      mergeItemPtr: [{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], name: 1, mergeItemPtr: [{name: 1, value: 1}]}]
    result:
      mergeItemPtr: [{name: 1, other: a, mergeItemPtr: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]},
                     {name: 2, other: b}]
  - description: add field to map in merging list by pointer with conflict
    original: {mergeItemPtr: [{name: 1, mergeItemPtr: [{name: 1}, {name: 2, value: 2}]}, {name: 2}]}
    twoWay:
      $setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}]
      mergeItemPtr: [{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], name: 1, mergeItemPtr: [{name: 1, value: 1}]}]
    modified: {mergeItemPtr: [{name: 1, mergeItemPtr: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2}]}
    current:
      mergeItemPtr: [{name: 1, other: a, mergeItemPtr: [{name: 1, value: a}, {name: 2, value: 2, other: b}]},
                     {name: 2, other: b}]
    threeWay:
      $setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}]
      mergeItemPtr: [{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], name: 1, mergeItemPtr: [{name: 1, value: 1}]}]
    result:
      mergeItemPtr: [{name: 1, other: a, mergeItemPtr: [{name: 1, value: 1}, {name: 2, value: 2, other: b}]},
                     {name: 2, other: b}]
  - description: merge lists of scalars
    original: {mergingIntList: [1, 2]}
    twoWay: {$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}
    modified: {mergingIntList: [1, 2, 3]}
    current: {mergingIntList: [1, 2, 4]}
    threeWay: {$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}
    result: {mergingIntList: [1, 2, 3, 4]}
  - description: add duplicate field to map in merging int list
    original: {mergingIntList: [1, 2]}
    twoWay: {$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}
    modified: {mergingIntList: [1, 2, 3]}
    current: {mergingIntList: [1, 2, 3]}
    threeWay: {}
    result: {mergingIntList: [1, 2, 3]}
  - description: add an item in a list of primitives and preserve order
    original: {mergingIntList: [1, 2]}
    twoWay: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}
    modified: {mergingIntList: [3, 1, 2]}
    current: {mergingIntList: [1, 4, 2]}
    threeWay: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}
    result: {mergingIntList: [3, 1, 4, 2]}
  - description: delete an item in a list of primitives and preserve order
    original: {mergingIntList: [1, 2, 3]}
    twoWay: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}
    modified: {mergingIntList: [2, 1]}
    current: {mergingIntList: [1, 2, 3]}
    threeWay: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}
    result: {mergingIntList: [2, 1]}
  - description: add an item in a list and preserve order
    original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 3}, {name: 1}, {name: 2}], mergingList: [{name: 3, value: 3}]}
    modified: {mergingList: [{name: 3, value: 3}, {name: 1}, {name: 2, value: 2}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
    threeWay: {$setElementOrder/mergingList: [{name: 3}, {name: 1}, {name: 2}], mergingList: [{name: 3, value: 3}]}
    result: {mergingList: [{name: 3, value: 3}, {name: 1, other: a}, {name: 2, value: 2, other: b}]}
  - description: add multiple items in a list and preserve order
    original: {mergingList: [{name: 1}, {name: 2, value: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 4}, {name: 2}, {name: 3}]
      mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]
    modified: {mergingList: [{name: 1}, {name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 4}, {name: 2}, {name: 3}]
      mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]
    result: {mergingList: [{name: 1, other: a}, {name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
  - description: delete an item in a list and preserve order
    original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}
    modified: {mergingList: [{name: 2, value: 2}, {name: 1}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
    threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}
    result: {mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]}
  - description: change an item in a list and preserve order
    original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}, {name: 1}], mergingList: [{name: 3, value: x}]}
    modified: {mergingList: [{name: 2, value: 2}, {name: 3, value: x}, {name: 1}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
    threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 3}, {name: 1}], mergingList: [{name: 3, value: x}]}
    result: {mergingList: [{name: 2, value: 2, other: b}, {name: 3, value: x}, {name: 1, other: a}]}
  - description: add and delete an item in a list and preserve order
    original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 2, value: 2}]}
    twoWay:
      $setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}]
      mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]
    modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 1}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]}
    threeWay:
      $setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}]
      mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]
    result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]}
  - description: set elements order in a list
    original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}
    modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1}]}
    current: {mergingList: [{name: 1, other: a}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}]}
    threeWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}
    result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1, other: a}]}
  - description: set elements order in a list with server-only items
    original: {mergingList: [{name: 1}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}
    modified: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1}]}
    current: {mergingList: [{name: 1, other: a}, {name: 3, value: 3}, {name: 4, value: 4}, {name: 2, value: 2}, {name: 9}]}
    threeWay: {$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 3}, {name: 1}]}
    result: {mergingList: [{name: 4, value: 4}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 1, other: a}, {name: 9}]}
  - description: set elements order in a list with server-only items 2
    original: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 4, value: 4}]}
    twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
    modified: {mergingList: [{name: 2, value: 2}, {name: 1}, {name: 4, value: 4}, {name: 3, value: 3}]}
    current: {mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]}
    threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
    result: {mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]}
  - description: set elements order in a list with server-only items 3
    original: {mergingList: [{name: 1}, {name: 2, value: 2}, {name: 3, value: 3}, {name: 4, value: 4}]}
    twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
    modified: {mergingList: [{name: 2, value: 2}, {name: 1}, {name: 4, value: 4}, {name: 3, value: 3}]}
    current:
      mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 7}, {name: 9}, {name: 8}, {name: 3, value: 3},
                    {name: 4, value: 4}]
    threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]}
    result:
      mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 7}, {name: 9}, {name: 8}, {name: 4, value: 4},
                    {name: 3, value: 3}]
  - description: add an item in a int list and preserve order
    original: {mergingIntList: [1, 2]}
    twoWay: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}
    modified: {mergingIntList: [3, 1, 2]}
    current: {mergingIntList: [1, 2]}
    threeWay: {$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}
    result: {mergingIntList: [3, 1, 2]}
  - description: add multiple items in a int list and preserve order
    original: {mergingIntList: [1, 2]}
    twoWay: {$setElementOrder/mergingIntList: [1, 4, 2, 3], mergingIntList: [4, 3]}
    modified: {mergingIntList: [1, 4, 2, 3]}
    current: {mergingIntList: [1, 2]}
    threeWay: {$setElementOrder/mergingIntList: [1, 4, 2, 3], mergingIntList: [4, 3]}
    result: {mergingIntList: [1, 4, 2, 3]}
  - description: delete an item in a int list and preserve order
    original: {mergingIntList: [1, 3, 2]}
    twoWay: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}
    modified: {mergingIntList: [2, 1]}
    current: {mergingIntList: [1, 2, 3]}
    threeWay: {$setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3]}
    result: {mergingIntList: [2, 1]}
  - description: add and delete an item in a int list and preserve order
    original: {mergingIntList: [1, 3, 2]}
    twoWay: {$setElementOrder/mergingIntList: [4, 2, 1], mergingIntList: [4], $deleteFromPrimitiveList/mergingIntList: [3]}
    modified: {mergingIntList: [4, 2, 1]}
    current: {mergingIntList: [1, 2, 3]}
    threeWay: {$setElementOrder/mergingIntList: [4, 2, 1], mergingIntList: [4], $deleteFromPrimitiveList/mergingIntList: [3]}
    result: {mergingIntList: [4, 2, 1]}
  - description: set elements order in a int list
    original: {mergingIntList: [1, 3, 4, 2]}
    twoWay: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}
    modified: {mergingIntList: [4, 2, 3, 1]}
    current: {mergingIntList: [1, 3, 4, 2]}
    threeWay: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}
    result: {mergingIntList: [4, 2, 3, 1]}
  - description: set elements order in a int list with server-only items
    original: {mergingIntList: [1, 3, 4, 2]}
    twoWay: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}
    modified: {mergingIntList: [4, 2, 3, 1]}
    current: {mergingIntList: [1, 3, 4, 2, 9]}
    threeWay: {$setElementOrder/mergingIntList: [4, 2, 3, 1]}
    result: {mergingIntList: [4, 2, 3, 1, 9]}
  - description: set elements order in a int list with server-only items 2
    original: {mergingIntList: [1, 2, 3, 4]}
    twoWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
    modified: {mergingIntList: [2, 1, 4, 3]}
    current: {mergingIntList: [1, 2, 9, 3, 4]}
    threeWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
    result: {mergingIntList: [2, 1, 9, 4, 3]}
  - description: set elements order in a int list with server-only items 3
    original: {mergingIntList: [1, 2, 3, 4]}
    twoWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
    modified: {mergingIntList: [2, 1, 4, 3]}
    current: {mergingIntList: [1, 2, 7, 9, 8, 3, 4]}
    threeWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3]}
    result: {mergingIntList: [2, 1, 7, 9, 8, 4, 3]}
  - description: behavior of set element order for a merging list with duplicate
    original: {mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]}
    current: {mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]}
    modified: {mergingList: [{name: 2, value: dup1}, {name: 1}, {name: 4}, {name: 3}, {name: 2, value: dup2}]}
    twoWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]}
    twoWayResult: {mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]}
    threeWay: {$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]}
    result: {mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]}
  - description: behavior of set element order for a merging int list with duplicate
    original: {mergingIntList: [1, 2, 3, 2, 4]}
    current: {mergingIntList: [1, 2, 3, 2, 4]}
    modified: {mergingIntList: [2, 1, 4, 3, 2]}
    twoWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]}
    twoWayResult: {mergingIntList: [2, 2, 1, 4, 3]}
    threeWay: {$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]}
    result: {mergingIntList: [2, 2, 1, 4, 3]}
  - description: retainKeys map should clear defaulted field
    original: {}
    current: {retainKeysMap: {value: foo}}
    modified: {retainKeysMap: {other: bar}}
    twoWay: {retainKeysMap: {other: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [other], other: bar}}
    result: {retainKeysMap: {other: bar}}
  - description: retainKeys map should clear defaulted field with conflict (discriminated union)
    original: {}
    current: {retainKeysMap: {name: type1, value: foo}}
    modified: {retainKeysMap: {name: type2, other: bar}}
    twoWay: {retainKeysMap: {name: type2, other: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, other], name: type2, other: bar}}
    result: {retainKeysMap: {name: type2, other: bar}}
  - description: retainKeys map adds a field
    original: {retainKeysMap: {name: foo}}
    current: {retainKeysMap: {name: foo}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map adds a field and clear a field
    original: {retainKeysMap: {name: foo}}
    current: {retainKeysMap: {name: foo, other: a}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map deletes a field
    original: {retainKeysMap: {name: foo, value: bar}}
    current: {retainKeysMap: {name: foo, value: bar}}
    modified: {retainKeysMap: {name: foo}}
    twoWay: {retainKeysMap: {$retainKeys: [name], value: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name], value: null}}
    result: {retainKeysMap: {name: foo}}
  - description: retainKeys map deletes a field and clears a field
    original: {retainKeysMap: {name: foo, value: bar}}
    current: {retainKeysMap: {name: foo, value: bar, other: a}}
    modified: {retainKeysMap: {name: foo}}
    twoWay: {retainKeysMap: {$retainKeys: [name], value: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name], value: null}}
    result: {retainKeysMap: {name: foo}}
  - description: retainKeys map clears a field
    original: {retainKeysMap: {name: foo, value: bar}}
    current: {retainKeysMap: {name: foo, value: bar, other: a}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {}
    threeWay: {retainKeysMap: {$retainKeys: [name, value]}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map nested map with no change
    original: {retainKeysMap: {name: foo, simpleMap: {key1: a}}}
    current: {retainKeysMap: {name: foo, simpleMap: {key1: a}}}
    modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a}}}
    twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], value: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], value: bar}}
    result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a}}}
  - description: retainKeys map adds a field in a nested map
    original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a}}}
    current: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key3: c}}}
    modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b}}}
    twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: b}}}
    threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: b}}}
    result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b, key3: c}}}
  - description: retainKeys map deletes a field in a nested map
    original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b}}}
    current: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b, key3: c}}}
    modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a}}}
    twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: null}}}
    threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key2: null}}}
    result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key3: c}}}
  - description: retainKeys map changes a field in a nested map
    original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b}}}
    current: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: a, key2: b, key3: c}}}
    modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: x, key2: b}}}
    twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: x}}}
    threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: x}}}
    result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: x, key2: b, key3: c}}}
  - description: retainKeys map changes a field in a nested map with conflict
    original: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: old, key2: b}}}
    current: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: new, key2: b, key3: c}}}
    modified: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: modified, key2: b}}}
    twoWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: modified}}}
    threeWay: {retainKeysMap: {$retainKeys: [name, simpleMap, value], simpleMap: {key1: modified}}}
    result: {retainKeysMap: {name: foo, value: bar, simpleMap: {key1: modified, key2: b, key3: c}}}
  - description: retainKeys map replaces non-merging list
    original: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
    modified: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: c}, {name: b}]}}
    twoWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], nonMergingList: [{name: a}, {name: c}, {name: b}]}}
    threeWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], nonMergingList: [{name: a}, {name: c}, {name: b}]}}
    result: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: c}, {name: b}]}}
  - description: retainKeys map nested non-merging list with no change
    original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    modified: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
    twoWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], value: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], value: bar}}
    result: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
  - description: retainKeys map nested non-merging list with no change with conflict
    original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}, {name: c}]}}
    modified: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
    twoWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], value: bar}}
    threeWay: {retainKeysMap: {$retainKeys: [name, nonMergingList, value], value: bar, nonMergingList: [{name: a}, {name: b}]}}
    result: {retainKeysMap: {name: foo, value: bar, nonMergingList: [{name: a}, {name: b}]}}
  - description: retainKeys map deletes nested non-merging list
    original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map delete nested non-merging list with conflict
    original: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, nonMergingList: [{name: a}, {name: b}, {name: c}]}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, nonMergingList: null}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map nested merging int list with no change
    original: {retainKeysMap: {name: foo, mergingIntList: [1, 2]}}
    current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    modified: {retainKeysMap: {name: foo, value: bar, mergingIntList: [1, 2]}}
    twoWay: {retainKeysMap: {$retainKeys: [mergingIntList, name, value], value: bar}}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingIntList, name, value], $setElementOrder/mergingIntList: [1, 2], value: bar}
    result: {retainKeysMap: {name: foo, value: bar, mergingIntList: [1, 2, 3]}}
  - description: retainKeys map adds an item in nested merging int list
    original: {retainKeysMap: {name: foo, mergingIntList: [1, 2]}}
    current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    modified: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 4]}}
    twoWay:
      retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}
    threeWay:
      retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}
    result: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 4, 3]}}
  - description: retainKeys map deletes an item in nested merging int list
    original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}}
    modified: {retainKeysMap: {name: foo, mergingIntList: [1, 3]}}
    twoWay:
      retainKeysMap: {$retainKeys: [mergingIntList, name], $deleteFromPrimitiveList/mergingIntList: [2],
                      $setElementOrder/mergingIntList: [1, 3]}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingIntList, name], $deleteFromPrimitiveList/mergingIntList: [2],
                      $setElementOrder/mergingIntList: [1, 3]}
    result: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 4]}}
  - description: retainKeys map adds an item and deletes an item in nested merging int list
    original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3, 4]}}
    modified: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 5]}}
    twoWay:
      retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5],
                      $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingIntList, name], mergingIntList: [5],
                      $deleteFromPrimitiveList/mergingIntList: [2], $setElementOrder/mergingIntList: [1, 3, 5]}
    result: {retainKeysMap: {name: foo, mergingIntList: [1, 3, 5, 4]}}
  - description: retainKeys map deletes nested merging int list
    original: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    current: {retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}}
    modified: {retainKeysMap: {name: foo}}
    twoWay: {retainKeysMap: {$retainKeys: [name], mergingIntList: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name], mergingIntList: null}}
    result: {retainKeysMap: {name: foo}}
  - description: retainKeys map nested merging list with no change
    original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}]}}
    modified: {retainKeysMap: {name: foo, value: bar, mergingList: [{name: a}, {name: b}]}}
    twoWay: {retainKeysMap: {$retainKeys: [mergingList, name, value], value: bar}}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingList, name, value], $setElementOrder/mergingList: [{name: a}, {name: b}],
                      value: bar}
    result: {retainKeysMap: {name: foo, value: bar, mergingList: [{name: a}, {name: b}, {name: c}]}}
  - description: retainKeys map adds an item in nested merging list
    original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}}
    modified: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}]}}
    twoWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}],
                      mergingList: [{name: c}]}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}, {name: c}],
                      mergingList: [{name: c}]}
    result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: c}, {name: x}]}}
  - description: retainKeys map changes an item in nested merging list
    original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: foo}]}}
    current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: foo}, {name: x}]}}
    modified: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: bar}]}}
    twoWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}],
                      mergingList: [{name: b, value: bar}]}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}, {name: b}],
                      mergingList: [{name: b, value: bar}]}
    result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b, value: bar}, {name: x}]}}
  - description: retainKeys map deletes nested merging list
    original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
    modified: {retainKeysMap: {name: foo, value: bar}}
    twoWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, mergingList: null}}
    threeWay: {retainKeysMap: {$retainKeys: [name, value], value: bar, mergingList: null}}
    result: {retainKeysMap: {name: foo, value: bar}}
  - description: retainKeys map deletes an item in nested merging list
    original: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}]}}
    current: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}}
    modified: {retainKeysMap: {name: foo, mergingList: [{name: a}]}}
    twoWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}],
                      mergingList: [{name: b, $patch: delete}]}
    threeWay:
      retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}],
                      mergingList: [{name: b, $patch: delete}]}
    result: {retainKeysMap: {name: foo, mergingList: [{name: a}, {name: x}]}}
  - description: retainKeys list of maps clears a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: a, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    twoWay: {}
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
  - description: retainKeys list of maps clears a field with conflict
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: old}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: new, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: modified}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: modified}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: modified}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: modified}]}
  - description: retainKeys list of maps changes a field and clear a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: old}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: old, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: new}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: new}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: new}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: new}]}
  - description: retainKeys list of maps changes a field and clear a field with conflict
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: old}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: modified, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: new}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: new}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: new}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: new}]}
  - description: retainKeys list of maps adds a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: a}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: a}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
  - description: retainKeys list of maps adds a field and clear a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: a}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name, value], name: foo, value: a}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
  - description: retainKeys list of maps deletes a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo}]}
  - description: retainKeys list of maps deletes a field and clear a field
    original: {retainKeysMergingList: [{name: bar}, {name: foo, value: a}]}
    current: {retainKeysMergingList: [{name: bar}, {name: foo, value: a, other: x}]}
    modified: {retainKeysMergingList: [{name: bar}, {name: foo}]}
    twoWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]
    threeWay:
      $setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}]
      retainKeysMergingList: [{$retainKeys: [name], name: foo, value: null}]
    result: {retainKeysMergingList: [{name: bar}, {name: foo}]}
  - description: delete and reorder in one list, reorder in another
    original: {mergingList: [{name: a, value: a}, {name: b, value: b}], mergeItemPtr: [{name: c, value: c}, {name: d, value: d}]}
    current: {mergingList: [{name: a, value: a}, {name: b, value: b}], mergeItemPtr: [{name: c, value: c}, {name: d, value: d}]}
    modified: {mergingList: [{name: b, value: b}], mergeItemPtr: [{name: d, value: d}, {name: c, value: c}]}
    twoWay:
      $setElementOrder/mergingList: [{name: b}]
      $setElementOrder/mergeItemPtr: [{name: d}, {name: c}]
      mergingList: [{$patch: delete, name: a}]
    threeWay:
      $setElementOrder/mergingList: [{name: b}]
      $setElementOrder/mergeItemPtr: [{name: d}, {name: c}]
      mergingList: [{$patch: delete, name: a}]
    result: {mergingList: [{name: b, value: b}], mergeItemPtr: [{name: d, value: d}, {name: c, value: c}]}
  - description: replace RawExtension field, rest unchanched
    original:
      name: my-object
      value: some-value
      other: current-other
      replacingItem: {Some: Generic, Yaml: Inside, The: RawExtension, Field: Period}
    current:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Some: Generic, Yaml: Inside, The: RawExtension, Field: Period}
    modified:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    twoWay:
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    twoWayResult:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    threeWay:
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    result:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
  - description: replace RawExtension field and merge list
    original:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}]
      replacingItem: {Some: Generic, Yaml: Inside, The: RawExtension, Field: Period}
    current:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 3}]
      replacingItem: {Some: Generic, Yaml: Inside, The: RawExtension, Field: Period}
    modified:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    twoWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{name: 2}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    twoWayResult:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    threeWay:
      $setElementOrder/mergingList: [{name: 1}, {name: 2}]
      mergingList: [{name: 2}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
    result:
      name: my-object
      value: some-value
      other: current-other
      mergingList: [{name: 1}, {name: 2}, {name: 3}]
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}
"""


def check_two_way(c, eq):
    original, modified = c.get("original") or {}, c.get("modified") or {}
    patch = two_way_patch(original, modified, MERGE_ITEM)
    assert eq(patch, c["twoWay"]), patch
    result = strategic_merge_patch(original, patch, MERGE_ITEM)
    assert eq(result, c.get("twoWayResult") or modified), result


def check_three_way(c, eq):
    original, modified, current = c.get("original"), c.get("modified") or {}, c.get("current") or {}
    patch = three_way_patch(original, modified, current, MERGE_ITEM)
    assert eq(patch, c["threeWay"]), patch
    result = strategic_merge_patch(current, patch, MERGE_ITEM)
    assert eq(result, c.get("result") or {}), result


def exactly(a, b) -> bool:
    return a == b


@pytest.mark.parametrize("c", cases(CREATE))
def test_upstream_two_way_patches(c):
    check_two_way(c, same)


@pytest.mark.parametrize("c", cases(CREATE))
def test_upstream_three_way_patches(c):
    check_three_way(c, same)


# upstream compares the raw rows' patches and results as they are: list order counts
@pytest.mark.parametrize("c", cases(CREATE_RAW) + cases(CREATE_RAW_2))
def test_upstream_raw_two_way_patches(c):
    check_two_way(c, exactly)


# Two rows' upstream results order the elements by an artefact of Go slices: deleting an element
# shifts the original list in place and appends may write into its spare capacity, and that
# mutated list is then used as the "server order" (patch.go, mergePatchIntoOriginal).  kubekit
# orders by the live list as it was; for these two rows it compares the content only.
GO_ALIASING_ROWS = {"add map and delete map from merging list",
                    "add map and delete map from merging list with conflict"}


@pytest.mark.parametrize("c", cases(CREATE_RAW) + cases(CREATE_RAW_2))
def test_upstream_raw_three_way_patches(c):
    check_three_way(c, same if c["description"] in GO_ALIASING_ROWS else exactly)


# -- TestUnknownField: fields the schema does not know ---------------------------------------------
# (original, current, modified, two-way patch, two-way result, three-way patch, three-way result),
# JSON as upstream's rows.  Upstream's one error row ("diff": a changed map under an unknown field
# is "unable to find api field") is where kubekit differs on purpose: the field is taken as having
# no strategy, and the map is diffed.
UNKNOWN_FIELDS = {
    "no diff": (
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{}', '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{}', '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}'),
    "no diff even if modified null": (
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{"key":null},"name":"foo","scalar":true}',
        '{"complex_nullable":{"key":null}}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{},"name":"foo","scalar":true}',
        '{"complex_nullable":{"key":null}}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{},"name":"foo","scalar":true}'),
    "discard nulls in nested and adds not nulls": (
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{"key":{"keynotnull":"value","keynull":null}},'
        '"name":"foo","scalar":true}',
        '{"complex_nullable":{"key":{"keynotnull":"value","keynull":null}}}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{"key":{"keynotnull":"value"}},"name":"foo",'
        '"scalar":true}',
        '{"complex_nullable":{"key":{"keynotnull":"value","keynull":null}}}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":{"key":{"keynotnull":"value"}},"name":"foo",'
        '"scalar":true}'),
    "discard if modified all nulls": (
        '{}', '{}', '{"complex":{"nested":null}}',
        '{"complex":{"nested":null}}', '{"complex":{}}', '{"complex":{"nested":null}}', '{"complex":{}}'),
    "add only not nulls": (
        '{}', '{}', '{"complex":{"nested":null,"nested2":"foo"}}',
        '{"complex":{"nested":null,"nested2":"foo"}}', '{"complex":{"nested2":"foo"}}',
        '{"complex":{"nested":null,"nested2":"foo"}}', '{"complex":{"nested2":"foo"}}'),
    "null values in original are preserved": (
        '{"thing":null}', '{"thing":null}', '{"nested":{"value":5},"thing":null}',
        '{"nested":{"value":5}}', '{"nested":{"value":5},"thing":null}',
        '{"nested":{"value":5}}', '{"nested":{"value":5},"thing":null}'),
    "nested null values in original are preserved": (
        '{"complex":{"key":null},"thing":null}', '{"complex":{"key":null},"thing":null}',
        '{"complex":{"key":null},"nested":{"value":5},"thing":null}',
        '{"nested":{"value":5}}', '{"complex":{"key":null},"nested":{"value":5},"thing":null}',
        '{"nested":{"value":5}}', '{"complex":{"key":null},"nested":{"value":5},"thing":null}'),
    "add empty slices": (
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":[],"name":"foo","scalar":true}',
        '{"complex_nullable":[]}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":[],"name":"foo","scalar":true}',
        '{"complex_nullable":[]}',
        '{"array":[1,2,3],"complex":{"nested":true},"complex_nullable":[],"name":"foo","scalar":true}'),
    "filter nulls from nested slices": (
        '{}', '{}', '{"complex_nullable":[{"inner_one":{"key_one":"foo","key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":"foo","key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":"foo"}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":"foo","key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":"foo"}}]}'),
    "filter if slice is all empty": (
        '{}', '{}', '{"complex_nullable":[{"inner_one":{"key_one":null,"key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":null,"key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{}}]}',
        '{"complex_nullable":[{"inner_one":{"key_one":null,"key_two":null}}]}',
        '{"complex_nullable":[{"inner_one":{}}]}'),
    "not filter nulls from non-associative slice": (
        '{}', '{}', '{"complex_nullable":["key1",null,"key2"]}',
        '{"complex_nullable":["key1",null,"key2"]}', '{"complex_nullable":["key1",null,"key2"]}',
        '{"complex_nullable":["key1",null,"key2"]}', '{"complex_nullable":["key1",null,"key2"]}'),
    "added only": (
        '{"name":"foo"}', '{"name":"foo"}', '{"name":"foo","scalar":true,"complex":{"nested":true},"array":[1,2,3]}',
        '{"array":[1,2,3],"complex":{"nested":true},"scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"scalar":true}',
        '{"array":[1,2,3],"complex":{"nested":true},"name":"foo","scalar":true}'),
    "removed only": (
        '{"name":"foo","scalar":true,"complex":{"nested":true}}',
        '{"name":"foo","scalar":true,"complex":{"nested":true},"array":[1,2,3]}', '{"name":"foo"}',
        '{"complex":null,"scalar":null}', '{"name":"foo"}',
        '{"complex":null,"scalar":null}', '{"array":[1,2,3],"name":"foo"}'),
}


@pytest.mark.parametrize("row", UNKNOWN_FIELDS.values(), ids=list(UNKNOWN_FIELDS))
def test_upstream_unknown_fields(row):
    original, current, modified, two, two_result, three, three_result = map(json.loads, row)
    patch = two_way_patch(original, modified, MERGE_ITEM)
    assert (patch, strategic_merge_patch(original, patch, MERGE_ITEM)) == (two, two_result)
    patch = three_way_patch(original, modified, current, MERGE_ITEM)
    assert (patch, strategic_merge_patch(current, patch, MERGE_ITEM)) == (three, three_result)


def test_a_changed_map_under_an_unknown_field_is_diffed_where_upstream_fails():
    original = {"complex": {"nested": True}, "name": "foo"}
    modified = {"complex": {"nested": False}, "name": "foo"}
    assert two_way_patch(original, modified, MERGE_ITEM) == {"complex": {"nested": False}}


def test_the_preserve_order_rows_keep_the_patch_order_exactly():
    for c in cases(CUSTOM):
        c = c.values[0]
        if c["description"].startswith("preserve the order"):
            assert strategic_merge_patch(c["original"], c["twoWay"], MERGE_ITEM) == c["modified"], c["description"]


# -- the Kubernetes schema -----------------------------------------------------------------------
def pod_spec(*containers, **spec):
    return {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": list(containers), **spec}}


# Without ``$setElementOrder`` upstream puts the patch's elements first, then the ones only
# the server had (``normalizeElementOrder``): a patch adding an element prepends it.
@pytest.mark.parametrize("kind, live, patch, result", [
    # containers merge by name, env by name, ports by containerPort, volumeMounts by mountPath
    ("Pod", pod_spec({"name": "a", "image": "i:1", "env": [{"name": "X", "value": "1"}]}, {"name": "b", "image": "j"}),
     {"spec": {"containers": [{"name": "a", "env": [{"name": "Y", "value": "2"}]}]}},
     pod_spec({"name": "a", "image": "i:1", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]},
              {"name": "b", "image": "j"})),
    ("Pod", pod_spec({"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "name": "x"}],
                      "volumeMounts": [{"mountPath": "/d", "name": "v"}]}),
     {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 81, "$patch": "delete"}],
                               "volumeMounts": [{"mountPath": "/e", "name": "w"}]}]}},
     pod_spec({"name": "a", "ports": [{"containerPort": 80}],
               "volumeMounts": [{"mountPath": "/e", "name": "w"}, {"mountPath": "/d", "name": "v"}]})),
    # a container deleted by name; initContainers too
    ("Pod", pod_spec({"name": "a"}, {"name": "b"}, initContainers=[{"name": "i"}]),
     {"spec": {"containers": [{"name": "a", "$patch": "delete"}], "initContainers": [{"name": "j"}]}},
     pod_spec({"name": "b"}, initContainers=[{"name": "j"}, {"name": "i"}])),
    # volumes merge by name with retainKeys: the volume source is swapped
    ("Pod", pod_spec(volumes=[{"name": "v", "emptyDir": {}}, {"name": "w", "emptyDir": {}}]),
     {"spec": {"volumes": [{"name": "v", "hostPath": {"path": "/x"}, "$retainKeys": ["hostPath", "name"]}]}},
     pod_spec(volumes=[{"name": "v", "hostPath": {"path": "/x"}}, {"name": "w", "emptyDir": {}}])),
    # tolerations have no strategy: replaced
    ("Pod", pod_spec(tolerations=[{"key": "a"}]), {"spec": {"tolerations": [{"key": "b"}]}},
     pod_spec(tolerations=[{"key": "b"}])),
    # status conditions merge by type
    ("Pod", {"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]}},
     {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
     {"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]}}),
    # node: addresses by type, taints replaced, podCIDRs a set
    ("Node", {"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}], "podCIDRs": ["10.0.0.0/24"]},
              "status": {"addresses": [{"type": "InternalIP", "address": "10.1.1.1"}]}},
     {"spec": {"taints": [{"key": "b", "effect": "NoSchedule"}], "podCIDRs": ["fd00::/64"]},
      "status": {"addresses": [{"type": "Hostname", "address": "n1"}]}},
     {"spec": {"taints": [{"key": "b", "effect": "NoSchedule"}], "podCIDRs": ["fd00::/64", "10.0.0.0/24"]},
      "status": {"addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "10.1.1.1"}]}}),
    # ownerReferences by uid, finalizers a set, on any kind
    ("ConfigMap", {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}], "finalizers": ["x"]}},
     {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}], "finalizers": ["y", "x"]}},
     {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}, {"uid": "1", "name": "a"}],
                   "finalizers": ["y", "x"]}}),
    # a Deployment's pod template merges containers as a Pod's spec does
    ("Deployment", {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "i:1"}, {"name": "b"}]}}}},
     {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "i:2"}]}}}},
     {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "i:2"}, {"name": "b"}]}}}}),
])
def test_kubernetes_schema_patches(kind, live, patch, result):
    assert strategic_merge_patch(live, patch, schema_for(kind)) == result


def test_every_served_kind_has_a_schema():
    from kubekit.store import DEFAULT_KINDS

    assert sorted(k.kind for k in DEFAULT_KINDS if schema_for(k.kind) is None) == []
    assert schema_for("Widget") is None


@pytest.mark.parametrize("content_type, kind, accepted", [
    ("application/merge-patch+json", "Pod", True),
    ("application/merge-patch+json; charset=utf-8", "Widget", True),
    ("application/strategic-merge-patch+json", "Pod", True),
    ("application/strategic-merge-patch+json", None, True),          # the Scale subresource
    ("application/strategic-merge-patch+json", "Widget", False),     # no schema: as upstream for a CRD
    ("application/json-patch+json", "Pod", True),
    ("application/json-patch+json", "Widget", True),             # JSON patch: every kind
    ("application/json-patch+json", None, True),
    ("application/apply-patch+yaml", "Pod", False),
    ("", "Pod", False),
])
def test_which_patch_types_the_server_applies(content_type, kind, accepted):
    from kubekit.server.patch import patch_type
    from kubekit.server.status import UnsupportedMediaType

    if accepted:
        assert patch_type(content_type, kind) == content_type.split(";")[0]
    else:
        with pytest.raises(UnsupportedMediaType, match="the body of the request was in an unknown format"):
            patch_type(content_type, kind)


def test_a_patch_strategic_merge_cannot_apply_is_a_bad_request():
    from kubekit.server.patch import STRATEGIC_MERGE_PATCH, apply_patch
    from kubekit.server.status import BadRequest

    with pytest.raises(BadRequest, match="does not contain declared merge key: name"):
        apply_patch(STRATEGIC_MERGE_PATCH, pod_spec({"name": "a"}), {"spec": {"containers": [{"image": "x"}]}}, "Pod")


# -- over HTTP ------------------------------------------------------------------------------------
def test_kubekit_serve_applies_strategic_merge_patches():
    from kubekit.kubectl.client import STRATEGIC_MERGE_PATCH, APIError, Client
    from kubekit.server.testing import running_server

    pods = "/api/v1/namespaces/default/pods"
    with running_server() as srv:
        c = Client(srv.address)
        c.create(pods, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sp"},
                        "spec": {"nodeName": "nowhere", "containers": [
                            {"name": "a", "image": "busybox:1.36", "env": [{"name": "X", "value": "1"}]},
                            {"name": "b", "image": "busybox:1.36"}]}})
        body = {"metadata": {"labels": {"l": "1"}}, "spec": {"containers": [{"name": "b", "image": "busybox:1.37"}]}}
        out = c.patch(f"{pods}/sp", body, content_type=STRATEGIC_MERGE_PATCH)
        a, b = out["spec"]["containers"]
        assert out["metadata"]["labels"] == {"l": "1"}
        assert (a["name"], a["image"], a["env"]) == ("a", "busybox:1.36", [{"name": "X", "value": "1"}])
        assert (b["name"], b["image"]) == ("b", "busybox:1.37")
        # the same body as a JSON merge patch replaces the list: a pod may not drop a container
        with pytest.raises(APIError) as ei:
            c.patch(f"{pods}/sp", body)
        assert ei.value.code == 422
        with pytest.raises(APIError) as ei:
            c.patch(f"{pods}/sp", {"spec": {"containers": [{"image": "x"}]}}, content_type=STRATEGIC_MERGE_PATCH)
        assert (ei.value.code, ei.value.reason) == (400, "BadRequest")
        assert "does not contain declared merge key: name" in str(ei.value)


def test_a_kind_without_a_schema_takes_merge_patches_only():
    from kubekit.server.api import API, Request
    from kubekit.server.routes import parse_path, resources_from_kinds
    from kubekit.server.status import UnsupportedMediaType
    from kubekit.store import DEFAULT_KINDS, APIStore
    from kubekit.store.kinds import Kind

    kinds = DEFAULT_KINDS.copy()
    kinds.register(Kind("Widget", "example.com/v1", "widgets", status_subresource=False))
    store = APIStore(kinds=kinds)
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})   # admission needs it
    api = API(store, validate=False)
    table = resources_from_kinds(kinds)
    path = "/apis/example.com/v1/namespaces/default/widgets"
    api.handle(Request("POST", parse_path(path, table), body={"metadata": {"name": "w"}, "spec": {"l": [{"name": "a"}]}}))
    route = parse_path(f"{path}/w", table)
    with pytest.raises(UnsupportedMediaType, match="accepted media types include: application/json-patch\\+json, "
                                                   "application/merge-patch\\+json, application/apply-patch\\+yaml$"):
        api.handle(Request("PATCH", route, body={"spec": {"l": [{"name": "b"}]}},
                           content_type="application/strategic-merge-patch+json"))
    code, out = api.handle(Request("PATCH", route, body={"spec": {"l": [{"name": "b"}]}},
                                   content_type="application/merge-patch+json"))
    assert (code, out["spec"]) == (200, {"l": [{"name": "b"}]})
