"""managedFields bookkeeping (kubekit.server.fieldmanager), against rows
transcribed from apimachinery's ``pkg/util/managedfields/internal`` tests.

Sources (github.com/kubernetes/kubernetes,
``staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal``):

* ``conflict_test.go``: ``TestNewConflictError`` (all 3 rows: an Update
  manager with time, two managers, a subresource);
* ``stripmeta.go`` (the stripped paths), ``managedfields.go``
  (``sortEncodedManagedFields``), ``capmanagers.go`` (the 10 Update entry
  cap), ``fieldmanager.go`` (``decodeLiveOrNew``, ``isResetManagedFields``),
  apiserver's ``prefixFromUserAgent``: behaviour rows written from the code.
"""

from __future__ import annotations

import pytest

from kubekit.api.fieldpath import field
from kubekit.api.serversideapply import Conflict, Conflicts
from kubekit.server.fieldmanager import (FieldManager, conflict_status, decode_managed_fields,
                                         encode_managed_fields, manager_from_user_agent)


def P(*names):
    return tuple(field(n) for n in names)


FOO = '{"manager":"foo","operation":"Update","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}'


def test_new_conflict_error_one_update_manager():
    st = conflict_status(Conflicts([Conflict(FOO, P("spec", "replicas"))]))
    assert (st["code"], st["reason"], st["status"]) == (409, "Conflict", "Failure")
    assert st["message"] == ('Apply failed with 1 conflict: conflict with "foo" using v1 at 2001-02-03T04:05:06Z: '
                             '.spec.replicas')
    assert st["details"] == {"causes": [{"reason": "FieldManagerConflict",
                                         "message": 'conflict with "foo" using v1 at 2001-02-03T04:05:06Z',
                                         "field": ".spec.replicas"}]}


def test_new_conflict_error_two_managers():
    st = conflict_status(Conflicts([Conflict(FOO, P("spec", "replicas")),
                                    Conflict('{"manager":"bar","operation":"Apply"}', P("metadata", "labels", "app"))]))
    assert st["message"] == ('Apply failed with 2 conflicts: conflicts with "bar":\n- .metadata.labels.app\n'
                             'conflicts with "foo" using v1 at 2001-02-03T04:05:06Z:\n- .spec.replicas')
    assert [c["message"] for c in st["details"]["causes"]] == [
        'conflict with "foo" using v1 at 2001-02-03T04:05:06Z', 'conflict with "bar"']


def test_new_conflict_error_subresource():
    m = '{"manager":"foo","operation":"Update","subresource":"scale","apiVersion":"v1","time":"2001-02-03T04:05:06Z"}'
    st = conflict_status(Conflicts([Conflict(m, P("spec", "replicas"))]))
    assert st["message"] == ('Apply failed with 1 conflict: conflict with "foo" with subresource "scale" using v1 '
                             'at 2001-02-03T04:05:06Z: .spec.replicas')


def test_manager_from_user_agent():
    assert manager_from_user_agent("kubectl/v1.34.0 (linux/amd64) kubernetes/abc") == "kubectl"
    assert manager_from_user_agent("kube-controller-manager/v1.34.0") == "kube-controller-manager"
    assert manager_from_user_agent("a\tb/c") == "ab"
    assert manager_from_user_agent("x" * 200) == "x" * 128
    assert manager_from_user_agent(None) == ""


def entry(manager, op, time=None, **kw):
    e = {"manager": manager, "operation": op, "apiVersion": "v1"}
    if time:
        e["time"] = time
    e.update(fieldsType="FieldsV1", fieldsV1={"f:data": {"f:" + manager: {}}}, **kw)
    return e


def test_entries_sort_apply_first_then_time_then_manager():
    es = [entry("z", "Update", "2020-01-01T00:00:02Z"), entry("b", "Update", "2020-01-01T00:00:01Z"),
          entry("y", "Apply", "2020-01-01T00:00:09Z"), entry("a", "Update", "2020-01-01T00:00:01Z")]
    managers, times = decode_managed_fields(es)
    assert [e["manager"] for e in encode_managed_fields(managers, times)] == ["y", "a", "b", "z"]
    assert encode_managed_fields(managers, times)[0] == es[2]


def test_update_strips_meta_and_merges_into_the_managers_entry():
    fm = FieldManager("ConfigMap", "v1")
    new = fm.update(None, {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "c", "namespace": "d", "labels": {"a": "1"}}}, "m")
    [e] = new["metadata"]["managedFields"]
    assert e["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}   # no name, namespace, kind...
    newer = fm.update(new, dict(new, data={"k": "v"}), "m")
    [e] = newer["metadata"]["managedFields"]
    assert e["fieldsV1"] == {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:a": {}}}}


def test_sent_managed_fields_are_kept_or_reset():
    fm = FieldManager("ConfigMap", "v1")
    live = fm.update(None, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}},
                     "m")
    mine = [entry("other", "Update", "2020-01-01T00:00:00Z")]
    kept = fm.update(live, dict(live, metadata=dict(live["metadata"], managedFields=mine)), "m")
    assert kept["metadata"]["managedFields"] == mine                 # nothing changed: no entry for m
    for reset in ([], [{}]):
        out = fm.update(live, dict(live, metadata=dict(live["metadata"], managedFields=reset)), "m")
        assert "managedFields" not in out["metadata"]


def test_at_most_ten_update_entries():
    fm = FieldManager("ConfigMap", "v1")
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    for i in range(12):
        obj = fm.update(obj, dict(obj, data={**obj["data"], f"k{i}": "v"}), f"m{i:02d}")
    names = [e["manager"] for e in obj["metadata"]["managedFields"]]
    assert len(names) == 10 and "ancient-changes" in names and "m00" not in names and "m11" in names


# -- decodeLiveOrNew: malformed managedFields ------------------------------------------------------------
def _live_with_alice():
    fm = FieldManager("ConfigMap", "v1")
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    return fm, dict(live, metadata=dict(live["metadata"], managedFields=[entry("alice", "Apply",
                                                                             "2020-01-01T00:00:00Z")]))


BAD_ENTRIES = {
    "fieldsType": [dict(entry("x", "Update"), fieldsType="FieldsV2")],
    "fieldsV1 child not an object": [dict(entry("x", "Update"), fieldsV1={"f:data": None})],
    "fieldsV1 a string": [dict(entry("x", "Update"), fieldsV1="x")],
    "an int time": [entry("x", "Update", 5)],
    "a time that is not RFC 3339": [entry("x", "Update", "yesterday")],
    "a list subresource": [dict(entry("x", "Update"), subresource=["status"])],
    "an int": 5,
    "a bool": True,
    "an object": {"manager": "x"},
}


@pytest.mark.parametrize("name", BAD_ENTRIES)
def test_undecodable_sent_managed_fields_fall_back_to_the_live_ones(name):
    """``decodeLiveOrNew``: managedFields that cannot be decoded are
    replaced by the live object's, and the writer's Update entry is
    recorded (they used to wipe every entry, or 500)."""
    fm, live = _live_with_alice()
    new = dict(live, data={"a": "1", "b": "2"}, metadata=dict(live["metadata"], managedFields=BAD_ENTRIES[name]))
    out = fm.update(live, new, "writer")
    got = {e["manager"]: e["fieldsV1"] for e in out["metadata"]["managedFields"]}
    assert got == {"alice": {"f:data": {"f:alice": {}}}, "writer": {"f:data": {"f:b": {}}}}


def test_undecodable_live_managed_fields_start_empty():
    fm = FieldManager("ConfigMap", "v1")
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "managedFields": 5}, "data": {}}
    out = fm.update(live, dict(live, data={"b": "2"}, metadata={"name": "c"}), "writer")
    assert [e["manager"] for e in out["metadata"]["managedFields"]] == ["writer"]
    out = fm.update(None, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "managedFields": True},
                           "data": {"b": "2"}}, "creator")
    assert [e["manager"] for e in out["metadata"]["managedFields"]] == ["creator"]


def test_times_are_read_as_times_and_served_in_utc():
    """``metav1.Time``: ``+05:00`` is served as UTC, entries sort by the
    instant, not the text."""
    es = [entry("z", "Update", "2025-01-01T03:00:00+05:00"), entry("q", "Update", "2025-01-01T00:00:00Z"),
          entry("p", "Update", "2024-12-31T23:30:00.5-01:00")]
    managers, times = decode_managed_fields(es)
    out = encode_managed_fields(managers, times)
    assert [(e["manager"], e["time"]) for e in out] == [
        ("z", "2024-12-31T22:00:00Z"), ("q", "2025-01-01T00:00:00Z"), ("p", "2025-01-01T00:30:00Z")]


def test_an_update_with_duplicate_keys_keeps_and_records_managed_fields():
    """The reviewer's t2/t6: a create or patch that repeats an env name
    used to wipe every managedFields entry."""
    fm = FieldManager("Pod", "v1", status_subresource=True)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "x",
                                    "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}]}}
    out = fm.update(None, pod, "creator")
    [e] = out["metadata"]["managedFields"]
    assert e["fieldsV1"]["f:spec"]["f:containers"]['k:{"name":"c"}']["f:env"] == {".": {}, 'k:{"name":"A"}': {}}
    applied = fm.apply(out, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"x": "y"}}},
                       "bob", False)
    assert applied["spec"] == pod["spec"]
    assert [e["manager"] for e in applied["metadata"]["managedFields"]] == ["bob", "creator"]
