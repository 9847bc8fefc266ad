"""NamespaceLifecycle admission: the pure decision (the cases of
k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission_test.go),
then the API server's verbs (in process, on a fake clock) going through it."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.errors import NotFoundError
from kubekit.server.admission import (
    CREATE, DELETE, UPDATE, Attributes, NamespaceLifecycle, namespace_lifecycle, needs_namespace,
)
from kubekit.server.api import API, Request
from kubekit.server.routes import parse_path, resources_from_kinds
from kubekit.server.status import status_for
from kubekit.store import APIStore
from kubekit.store.namespaces import NamespaceStore

# newHandlerForTest's immortal namespaces (the registered plugin adds kube-public)
TEST_IMMORTAL = {"default", "kube-system"}


def pod_attrs(op, namespace="test", name="123"):
    return Attributes(op, "Pod", "", "pods", namespace=namespace, name=name)


def ns_attrs(op, name):
    return Attributes(op, "Namespace", "", "namespaces", name=name)


def phase(p):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}, "status": {"phase": p}}


# -- admission_test.go ---------------------------------------------------------------------------
ADMIT_CASES = [
    # TestAccessReviewCheckOnMissingNamespace
    ("access review, missing namespace",
     Attributes(CREATE, "LocalSubjectAccesReview", "authorization.k8s.io", "localsubjectaccessreviews",
                namespace="test"), None, None),
    # TestAdmissionNamespaceDoesNotExist
    ("create, missing namespace", pod_attrs(CREATE), None, 404),
    ("update, missing namespace", pod_attrs(UPDATE), None, 404),
    ("delete, missing namespace", pod_attrs(DELETE), None, None),
    # TestAdmissionNamespaceActive
    ("create, active namespace", pod_attrs(CREATE), phase("Active"), None),
    # TestAdmissionNamespaceTerminating
    ("create, terminating namespace", pod_attrs(CREATE), phase("Terminating"), 403),
    ("update, terminating namespace", pod_attrs(UPDATE), phase("Terminating"), None),
    ("delete, terminating namespace", pod_attrs(DELETE), phase("Terminating"), None),
    ("delete namespace default", ns_attrs(DELETE, "default"), None, 403),
    ("delete namespace other", ns_attrs(DELETE, "other"), None, None),
]


@pytest.mark.parametrize("case, attrs, namespace, code", ADMIT_CASES, ids=[c[0] for c in ADMIT_CASES])
def test_admission_table(case, attrs, namespace, code):
    out = namespace_lifecycle(attrs, namespace, immortal=TEST_IMMORTAL)
    assert (out and out["code"]) == code


def test_the_terminating_cause():
    """TestAdmissionNamespaceTerminating's expectedCause, and the whole Status."""
    out = namespace_lifecycle(pod_attrs(CREATE), phase("Terminating"))
    assert out == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                   "message": 'pods "123" is forbidden: unable to create new content in namespace test because it '
                              "is being terminated",
                   "reason": "Forbidden",
                   "details": {"name": "123", "kind": "pods",
                               "causes": [{"reason": "NamespaceTerminating",
                                           "message": "namespace test is being terminated",
                                           "field": "metadata.namespace"}]},
                   "code": 403}


def test_the_missing_namespace_status_is_the_namespace_get_error():
    assert namespace_lifecycle(pod_attrs(UPDATE, namespace="x"), None) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'namespaces "x" not found', "reason": "NotFound",
        "details": {"name": "x", "kind": "namespaces"}, "code": 404}


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_the_immortal_namespaces(name):
    out = namespace_lifecycle(ns_attrs(DELETE, name), None)
    assert out["message"] == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    assert out["details"] == {"name": name, "kind": "namespaces"}


def test_kube_node_lease_and_other_namespace_operations_are_admitted():
    assert namespace_lifecycle(ns_attrs(DELETE, "kube-node-lease"), None) is None
    for op in (CREATE, UPDATE):
        assert namespace_lifecycle(ns_attrs(op, "default"), None) is None      # all operations on namespaces
    cluster_scoped = Attributes(CREATE, "Node", "", "nodes", name="n1")
    assert not needs_namespace(cluster_scoped) and namespace_lifecycle(cluster_scoped, None) is None


def test_a_grouped_resource_and_an_unnamed_create():
    a = Attributes(CREATE, "Deployment", "apps", "deployments", namespace="t", name="")
    out = namespace_lifecycle(a, phase("Terminating"))
    assert out["message"].startswith('deployments.apps "Unknown" is forbidden: ')
    assert out["details"]["group"] == "apps" and out["details"]["kind"] == "deployments"


def test_a_live_read_sees_a_deletion_at_once():
    """What TestAdmissionNamespaceForceLiveLookup guards upstream (a stale
    cache right after a namespace delete): the plugin reads the store, so the
    create right after the delete is refused."""
    store = APIStore(clock=FakeClock())
    NamespaceStore(store).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test"}})
    plugin = NamespaceLifecycle()
    assert plugin.admit(pod_attrs(CREATE), store) is None
    NamespaceStore(store).delete("Namespace", None, "test")
    assert plugin.admit(pod_attrs(CREATE), store)["code"] == 403


# -- the API server's verbs ------------------------------------------------------------------------
@pytest.fixture
def api():
    store = APIStore(clock=FakeClock(start=1_700_000_000.0))
    for name in ("default", "team"):
        NamespaceStore(store).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return API(store)


def call(api, method, path, body=None, content_type="application/json", **query):
    """``(code, body)`` as the HTTP transport answers (errors raised by the
    verbs become their Status)."""
    route = parse_path(path, resources_from_kinds(api.store.kinds))
    try:
        return api.handle(Request(method, route, query, body, content_type))
    except Exception as e:  # noqa: BLE001 - what the transport does
        st = status_for(e)
        return st["code"], st


def pod(name="p", **meta):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, **meta},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_every_write_verb_is_admitted(api):
    code, _ = call(api, "POST", "/api/v1/namespaces/team/pods", pod())
    assert code == 201
    call(api, "DELETE", "/api/v1/namespaces/team")                 # Terminating
    assert call(api, "POST", "/api/v1/namespaces/team/pods", pod("q"))[0] == 403
    assert call(api, "POST", "/api/v1/namespaces/team/configmaps",
                {"metadata": {"generateName": "cm-"}, "data": {}})[1]["details"]["name"] == "cm-"
    # server-side apply that would create: refused; updates of what exists: admitted
    code, out = call(api, "PATCH", "/api/v1/namespaces/team/pods/q", pod("q"), "application/apply-patch+yaml",
                     fieldManager="m")
    assert (code, out["reason"]) == (403, "Forbidden")
    code, out = call(api, "PATCH", "/api/v1/namespaces/team/pods/p", {"metadata": {"labels": {"a": "b"}}},
                     "application/merge-patch+json")
    assert code == 200 and out["metadata"]["labels"] == {"a": "b"}
    # an eviction is a create of pods/eviction
    code, out = call(api, "POST", "/api/v1/namespaces/team/pods/p/eviction",
                     {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}})
    assert code == 403 and out["message"].startswith('pods "p" is forbidden: unable to create new content')
    assert call(api, "DELETE", "/api/v1/namespaces/team/pods/p")[0] == 200     # deletes are always admitted


def test_a_missing_namespace_is_404_before_validation(api):
    bad = pod()
    bad["spec"]["containers"][0]["image"] = ""         # would be a 422
    code, out = call(api, "POST", "/api/v1/namespaces/nope/pods", bad)
    assert (code, out["message"]) == (404, 'namespaces "nope" not found')
    code, out = call(api, "POST", "/api/v1/namespaces/nope/pods", {**pod(), "metadata": {"name": "p"}})
    assert code == 404


def test_an_update_of_a_missing_object_names_the_object(api):
    """Update admission runs once the object was read (upstream: in the
    update's transformers), so a missing object is the object's 404."""
    code, out = call(api, "PUT", "/api/v1/namespaces/nope/pods/p", pod())
    assert (code, out["message"]) == (404, 'pods "p" not found')


def test_objects_left_in_a_missing_namespace_cannot_be_updated(api):
    api.store.create({**pod("orphan"), "metadata": {"name": "orphan", "namespace": "gone"}})  # written in-process
    code, out = call(api, "PATCH", "/api/v1/namespaces/gone/pods/orphan", {"metadata": {"labels": {"a": "b"}}},
                     "application/merge-patch+json")
    assert (code, out["message"]) == (404, 'namespaces "gone" not found')
    assert call(api, "DELETE", "/api/v1/namespaces/gone/pods/orphan")[0] == 200


def test_dry_run_is_admitted_too(api):
    code, out = call(api, "POST", "/api/v1/namespaces/nope/pods", pod(), dryRun="All")
    assert code == 404
    code, out = call(api, "DELETE", "/api/v1/namespaces/default", dryRun="All")
    assert code == 403


def test_without_admission_anything_goes(api):
    open_api = API(api.store, admission=())
    assert open_api.handle(Request("POST", parse_path("/api/v1/namespaces/nope/pods",
                                                      resources_from_kinds(api.store.kinds)), {}, pod()))[0] == 201


def test_namespaces_through_the_api(api):
    code, out = call(api, "POST", "/api/v1/namespaces", {"metadata": {"name": "x"}, "status": {"phase": "Terminating"}})
    assert code == 201 and out["spec"] == {"finalizers": ["kubernetes"]} and out["status"] == {"phase": "Active"}
    code, out = call(api, "POST", "/api/v1/namespaces", {"metadata": {"name": "Bad_Name"}})
    assert (code, out["reason"]) == (422, "Invalid")
    # a PUT keeps spec.finalizers and status; /status changes the status; /finalize the finalizers
    _, cur = call(api, "GET", "/api/v1/namespaces/x")
    code, out = call(api, "PUT", "/api/v1/namespaces/x", {**cur, "metadata": {**cur["metadata"], "labels": {"a": "b"}},
                                                          "spec": {"finalizers": []}, "status": {}})
    assert code == 200 and out["metadata"]["labels"] == {"a": "b", "kubernetes.io/metadata.name": "x"}
    assert out["spec"] == {"finalizers": ["kubernetes"]} and out["status"] == {"phase": "Active"}
    code, out = call(api, "PUT", "/api/v1/namespaces/x/status", {**out, "status": {"phase": "Terminating"}})
    assert code == 422 and "may only be 'Active' if `deletionTimestamp` is empty" in out["message"]
    _, cur = call(api, "GET", "/api/v1/namespaces/x")
    code, out = call(api, "PUT", "/api/v1/namespaces/x/finalize", {**cur, "spec": {"finalizers": ["Bad"]}})
    assert code == 422 and out["details"]["causes"][0]["field"] == "spec.finalizers[0]"
    code, out = call(api, "PATCH", "/api/v1/namespaces/x/finalize", {"spec": {}}, "application/merge-patch+json")
    assert (code, out["reason"]) == (405, "MethodNotAllowed")
    # the first delete marks it and answers it; the namespace stays until finalized
    code, out = call(api, "DELETE", "/api/v1/namespaces/x")
    assert code == 200 and out["status"]["phase"] == "Terminating" and out["metadata"]["deletionTimestamp"]
    code, again = call(api, "DELETE", "/api/v1/namespaces/x")
    assert code == 200 and again["metadata"]["resourceVersion"] == out["metadata"]["resourceVersion"]
    code, fin = call(api, "PUT", "/api/v1/namespaces/x/finalize", {**out, "spec": {}})
    assert code == 200 and fin["spec"] == {}
    with pytest.raises(NotFoundError):
        api.store.get("Namespace", None, "x")


def test_a_namespace_delete_with_a_policy_sets_the_gc_finalizer(api):
    code, out = call(api, "DELETE", "/api/v1/namespaces/team", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                                "propagationPolicy": "Foreground"})
    assert code == 200 and out["metadata"]["finalizers"] == ["foregroundDeletion"]


def test_a_status_update_of_a_terminating_namespace_keeps_it_until_it_is_finalized(api):
    """A /status write records its managedFields in a second write; for a
    Namespace that write must go through the namespace registry too: the
    generic store would remove a deleted object without metadata.finalizers
    while spec.finalizers (``kubernetes``) still holds it, leaving its
    content behind (ShouldDeleteNamespaceDuringUpdate)."""
    call(api, "POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "cfg"}, "data": {}})
    call(api, "DELETE", "/api/v1/namespaces/team")
    _, cur = call(api, "GET", "/api/v1/namespaces/team")
    cur["status"]["conditions"] = [{"type": "example.com/Checked", "status": "True"}]
    code, out = call(api, "PUT", "/api/v1/namespaces/team/status", cur)
    assert code == 200 and out["status"]["conditions"] == cur["status"]["conditions"]
    code, got = call(api, "GET", "/api/v1/namespaces/team")
    assert code == 200 and got["status"]["phase"] == "Terminating" and got["spec"]["finalizers"] == ["kubernetes"]
    assert [m.get("subresource") for m in got["metadata"]["managedFields"]] == ["status"]     # the second write
    code, out = call(api, "PATCH", "/api/v1/namespaces/team/status", {"status": {"conditions": []}},
                     "application/merge-patch+json")
    assert code == 200 and call(api, "GET", "/api/v1/namespaces/team")[0] == 200


def test_namespaces_through_the_api_get_the_name_label_and_status_defaults(api):
    code, out = call(api, "POST", "/api/v1/namespaces", {"metadata": {"name": "y", "labels": {"a": "b"}}})
    assert code == 201 and out["metadata"]["labels"] == {"a": "b", "kubernetes.io/metadata.name": "y"}
    code, out = call(api, "POST", "/api/v1/namespaces", {"metadata": {"generateName": "g-"}})
    assert code == 201 and out["metadata"]["labels"] == {"kubernetes.io/metadata.name": out["metadata"]["name"]}
    code, out = call(api, "PATCH", "/api/v1/namespaces/y", {"metadata": {"labels": None}},
                     "application/merge-patch+json")
    assert code == 200 and out["metadata"]["labels"] == {"kubernetes.io/metadata.name": "y"}
    _, cur = call(api, "GET", "/api/v1/namespaces/y")
    code, out = call(api, "PUT", "/api/v1/namespaces/y/status", {**cur, "status": {}})     # phase defaults to Active
    assert code == 200 and out["status"] == {"phase": "Active"}


def test_spec_finalizers_are_a_reset_field_of_the_namespace(api):
    """namespaceStrategy.GetResetFields: status and spec.finalizers on the
    main resource (status on /finalize): nobody owns them there, so an apply
    that sets spec.finalizers conflicts with no one and changes nothing."""
    code, out = call(api, "POST", "/api/v1/namespaces", {"metadata": {"name": "z"}}, fieldManager="creator")
    assert code == 201
    assert [m["fieldsV1"] for m in out["metadata"]["managedFields"]] == [
        {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}}]
    code, out = call(api, "PATCH", "/api/v1/namespaces/z", {"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": "z", "labels": {"a": "b"}},
                                                           "spec": {"finalizers": ["example.com/x"]}},
                     "application/apply-patch+yaml", fieldManager="applier")
    assert code == 200, out
    assert out["spec"] == {"finalizers": ["kubernetes"]} and out["metadata"]["labels"]["a"] == "b"
    applier = [m for m in out["metadata"]["managedFields"] if m["manager"] == "applier"]
    assert applier[0]["fieldsV1"] == {"f:metadata": {"f:labels": {"f:a": {}}}}
