"""The store's update preparation copies with ``copy_mapping`` (``dict.copy``
for a dict, ``dict(m)`` for another mapping) and reads each server-owned
field of the old metadata once.  Its results must be those of the plain
key-by-key form it replaced, for dicts (also ones with a removed key in
their table) and for other mappings."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.errors import InvalidObjectError
from kubekit.store import DEFAULT_KINDS
from kubekit.store.meta import copy_mapping, prepare_status_update, prepare_update

SERVER_OWNED = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                "namespace", "name", "selfLink")


def reference_prepare_update(old, new, kind):
    """The form prepare_update had before copy_mapping (the twin it is checked against)."""
    out = dict(new)
    out["kind"], out["apiVersion"] = old["kind"], old["apiVersion"]
    meta = dict(new.get("metadata") or {})
    old_meta = old["metadata"]
    if meta.get("uid") and meta["uid"] != old_meta.get("uid"):
        raise InvalidObjectError("uid is immutable")
    for k in SERVER_OWNED:
        if k in old_meta:
            meta[k] = old_meta[k]
        else:
            meta.pop(k, None)
    meta.pop("resourceVersion", None)
    if kind.status_subresource:
        if "status" in old:
            out["status"] = old["status"]
        else:
            out.pop("status", None)
    if kind.generation and {k: v for k, v in old.items() if k not in ("metadata", "status", "apiVersion", "kind")} \
            != {k: v for k, v in out.items() if k not in ("metadata", "status", "apiVersion", "kind")}:
        meta["generation"] = int(old_meta.get("generation", 1)) + 1
    out["metadata"] = meta
    return out


class Plain(Mapping):
    """A mapping that is not a dict (what an embedder may pass)."""

    def __init__(self, d):
        self._d = dict(d)

    def __getitem__(self, k):
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


def with_a_removed_key(d: dict) -> dict:
    """``d`` (same items, same order) with the slot of a removed key in its table."""
    out = dict(d)
    out["zz-removed"] = 1
    del out["zz-removed"]
    return out


@pytest.mark.parametrize("make", [dict, with_a_removed_key, MappingProxyType, Plain],
                         ids=["dict", "dict-with-removed-key", "mappingproxy", "plain-mapping"])
def test_copy_mapping_is_a_new_shallow_dict_in_the_same_order(make):
    nested = {"a": 1}
    src = make({"name": "x", "resourceVersion": "7", "labels": nested})
    out = copy_mapping(src)
    assert type(out) is dict
    assert out == dict(src) and list(out) == list(src)
    assert out is not src
    assert out["labels"] is nested                  # shallow: values are shared
    out["name"] = "y"
    assert src["name"] == "x"


def _obj(kind, meta, spec, status):
    obj = {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": meta, "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


meta_values = st.one_of(st.text(max_size=5), st.integers(0, 5))
metas = st.dictionaries(st.sampled_from(SERVER_OWNED + ("resourceVersion", "labels", "finalizers")), meta_values,
                        max_size=8)
specs = st.dictionaries(st.sampled_from(("replicas", "renewTime", "holderIdentity")), st.integers(0, 3), max_size=3)
statuses = st.none() | st.dictionaries(st.sampled_from(("phase", "replicas")), st.integers(0, 3), max_size=2)
kinds = st.sampled_from([DEFAULT_KINDS.get(k) for k in ("Pod", "Lease", "Deployment", "ConfigMap", "Node")])
shapes = st.sampled_from([dict, with_a_removed_key, MappingProxyType, Plain])


@settings(max_examples=300, deadline=None)
@given(kind=kinds, old_meta=metas, new_meta=metas, old_spec=specs, new_spec=specs, old_status=statuses,
       new_status=statuses, shape=shapes, meta_shape=shapes)
def test_prepare_update_equals_the_key_by_key_form(kind, old_meta, new_meta, old_spec, new_spec, old_status,
                                                   new_status, shape, meta_shape):
    old_meta = {**old_meta, "name": "a", "uid": old_meta.get("uid", "u1")}
    if "generation" in old_meta:                    # a stored generation is a number
        old_meta["generation"] = len(str(old_meta["generation"]))
    new_meta.pop("uid", None)                       # a client that sends no uid (a mismatch raises, below)
    old = _obj(kind, old_meta, old_spec, old_status)
    new = shape({**_obj(kind, {}, new_spec, new_status), "metadata": meta_shape(new_meta)})
    got = prepare_update(old, new, kind)
    want = reference_prepare_update(old, new, kind)
    assert got == want
    assert list(got) == list(want) and list(got["metadata"]) == list(want["metadata"])
    assert got["metadata"] is not new["metadata"] and got is not new


def test_prepare_update_refuses_another_uid_from_any_mapping():
    kind = DEFAULT_KINDS.get("ConfigMap")
    old = _obj(kind, {"name": "a", "uid": "u1"}, {}, None)
    for shape in (dict, with_a_removed_key, MappingProxyType, Plain):
        with pytest.raises(InvalidObjectError, match="uid"):
            prepare_update(old, shape({**old, "metadata": {"name": "a", "uid": "u2"}}), kind)


@settings(max_examples=200, deadline=None)
@given(old_meta=metas, old_status=statuses, new_status=statuses, shape=shapes)
def test_prepare_status_update_keeps_all_but_status(old_meta, old_status, new_status, shape):
    kind = DEFAULT_KINDS.get("Pod")
    old = shape(_obj(kind, {**old_meta, "name": "a"}, {"x": 1}, old_status))
    new = _obj(kind, {"name": "a", "labels": "ignored"}, {"x": 2}, new_status)
    got = prepare_status_update(old, new)
    want = {**dict(old), "metadata": {k: v for k, v in old["metadata"].items() if k != "resourceVersion"}}
    if new_status is None:
        want.pop("status", None)
    else:
        want["status"] = new_status
    assert got == want and list(got["metadata"]) == list(want["metadata"])
    assert got["metadata"] is not old["metadata"]


@settings(max_examples=200, deadline=None)
@given(kind=kinds, old_meta=metas, old_spec=specs, new_spec=specs, old_status=statuses, new_status=statuses,
       shape=st.sampled_from([dict, with_a_removed_key]))
def test_prepare_update_of_an_object_built_on_the_stored_one(kind, old_meta, old_spec, new_spec, old_status,
                                                            new_status, shape):
    """A write built on the stored object itself (``{**stored, "spec": ...}``,
    as a lease renewal or a status write from an informer's copy): its
    metadata is the stored object's (a dict, as everything the store
    holds), which has the server-owned fields."""
    old_meta = shape({**old_meta, "name": "a", "uid": old_meta.get("uid", "u1"),
                      "generation": len(str(old_meta.get("generation", "")))})
    old = _obj(kind, old_meta, old_spec, old_status)
    new = {**old, "spec": new_spec}
    if new_status is not None:
        new["status"] = new_status
    assert new["metadata"] is old["metadata"]
    got = prepare_update(old, new, kind)
    want = reference_prepare_update(old, new, kind)
    assert got == want
    assert list(got) == list(want) and list(got["metadata"]) == list(want["metadata"])
    assert got["metadata"] is not old["metadata"] and "resourceVersion" not in got["metadata"]
