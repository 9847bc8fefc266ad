"""Garbage collection: the pure plan (a table) and the collector on a store."""

from __future__ import annotations

import pytest

from kubekit.errors import NotFoundError
from kubekit.store import DEFAULT_KINDS, GarbageCollector
from kubekit.store.gc import Action, plan


def obj(kind, name, uid, ns="default", owners=(), finalizers=(), deleting=False, block=False):
    m = {"name": name, "uid": uid}
    if ns:
        m["namespace"] = ns
    if owners:
        m["ownerReferences"] = [{"apiVersion": "v1", "kind": k, "name": n, "uid": u,
                                 **({"blockOwnerDeletion": True} if block else {})} for k, n, u in owners]
    if finalizers:
        m["finalizers"] = list(finalizers)
    if deleting:
        m["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"kind": kind, "metadata": m}


RS = obj("ReplicaSet", "rs", "u-rs")
POD = obj("Pod", "p", "u-p", owners=[("ReplicaSet", "rs", "u-rs")])
POD_BLOCKING = obj("Pod", "p", "u-p", owners=[("ReplicaSet", "rs", "u-rs")], block=True)


@pytest.mark.parametrize("objects, want", [
    pytest.param([RS, POD], [], id="owner alive: nothing"),
    pytest.param([POD], [Action("delete", "Pod", "default", "p", "u-p")], id="owner gone: delete"),
    pytest.param([obj("ReplicaSet", "rs", "other-uid"), POD], [Action("delete", "Pod", "default", "p", "u-p")],
                 id="owner replaced (same name, new uid): gone"),
    pytest.param([obj("Deployment", "rs", "u-rs"), POD], [Action("delete", "Pod", "default", "p", "u-p")],
                 id="uid matches but kind does not: gone"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", ns="elsewhere"), POD],
                 [Action("delete", "Pod", "default", "p", "u-p")], id="owner in another namespace: gone"),
    pytest.param([obj("Node", "rs", "u-rs", ns=None), obj("Pod", "p", "u-p", owners=[("Node", "rs", "u-rs")])],
                 [], id="cluster-scoped owner of a namespaced dependent"),
    pytest.param([RS, obj("Pod", "p", "u-p", owners=[("ReplicaSet", "rs", "u-rs"), ("ReplicaSet", "x", "u-x")])],
                 [Action("remove_owner_refs", "Pod", "default", "p", "u-p", owner_uids=("u-x",))],
                 id="one owner of two gone: drop the dangling reference"),
    pytest.param([obj("Pod", "p", "u-p", owners=[("ReplicaSet", "rs", "u-rs")], deleting=True)], [],
                 id="a dependent already being deleted is left alone"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["orphan"], deleting=True), POD],
                 [Action("remove_owner_refs", "Pod", "default", "p", "u-p", owner_uids=("u-rs",))],
                 id="orphan: dependents first lose the reference"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["orphan"], deleting=True)],
                 [Action("remove_finalizer", "ReplicaSet", "default", "rs", "u-rs", finalizer="orphan")],
                 id="orphan: then the finalizer goes"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["orphan"])], [],
                 id="a finalizer without deletionTimestamp does nothing"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["foregroundDeletion"], deleting=True), POD_BLOCKING],
                 [Action("delete", "Pod", "default", "p", "u-p", propagation="Foreground")],
                 id="foreground: delete dependents, wait for blocking ones"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["foregroundDeletion"], deleting=True), POD],
                 [Action("delete", "Pod", "default", "p", "u-p", propagation="Foreground"),
                  Action("remove_finalizer", "ReplicaSet", "default", "rs", "u-rs", finalizer="foregroundDeletion")],
                 id="foreground: non-blocking dependents do not hold the owner"),
    pytest.param([obj("ReplicaSet", "rs", "u-rs", finalizers=["foregroundDeletion"], deleting=True),
                  obj("Pod", "p", "u-p", owners=[("ReplicaSet", "rs", "u-rs")], block=True, deleting=True)],
                 [], id="foreground: a blocking dependent being deleted still holds the owner"),
])
def test_plan(objects, want):
    assert plan(objects, DEFAULT_KINDS) == want


def owner_ref(o, block=False):
    ref = {"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"],
           "uid": o["metadata"]["uid"], "controller": True}
    if block:
        ref["blockOwnerDeletion"] = True
    return ref


def tree(api, block=False):
    """A Deployment owning a ReplicaSet owning three pods."""
    d = api.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {}})
    rs = api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "metadata": {"name": "web-1", "ownerReferences": [owner_ref(d, block)]}, "spec": {}})
    pods = [api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": f"web-1-{i}", "ownerReferences": [owner_ref(rs, block)]}, "spec": {}}) for i in range(3)]
    return d, rs, pods


def names(api, kind):
    return sorted(o["metadata"]["name"] for o in api.list(kind)[0])


def test_background_deletion_collects_the_whole_tree(api):
    tree(api)
    api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bystander"}, "spec": {}})
    gc = GarbageCollector(api)
    assert gc.run_until_stable() == 1                  # nothing to do while owners live
    api.delete("Deployment", "default", "web")
    gc.run_until_stable()
    assert names(api, "ReplicaSet") == [] and names(api, "Pod") == ["bystander"]


def test_orphan_deletion_keeps_dependents_and_drops_their_reference(api):
    d, rs, pods = tree(api)
    api.delete("ReplicaSet", "default", "web-1", propagation="Orphan")
    assert names(api, "ReplicaSet") == ["web-1"]      # held by the orphan finalizer
    GarbageCollector(api).run_until_stable()
    assert names(api, "ReplicaSet") == []
    assert names(api, "Pod") == ["web-1-0", "web-1-1", "web-1-2"]
    assert all("ownerReferences" not in p["metadata"] for p in api.list("Pod")[0])


def test_foreground_deletion_waits_for_blocking_dependents(api):
    tree(api, block=True)
    api.delete("Deployment", "default", "web", propagation="Foreground")
    gc = GarbageCollector(api)
    gc.sweep()
    # the deployment is still there, marked, while its dependents go
    d = api.get("Deployment", "default", "web")
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"] and d["metadata"]["deletionTimestamp"]
    gc.run_until_stable()
    assert names(api, "Deployment") == names(api, "ReplicaSet") == names(api, "Pod") == []


def test_a_replaced_object_is_not_collected_by_a_stale_plan(api):
    d, rs, pods = tree(api)
    stale = plan([pods[0]], DEFAULT_KINDS)          # planned as if its owner were gone
    gc = GarbageCollector(api)
    api.delete("Pod", "default", "web-1-0")
    api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1-0"}, "spec": {}})
    with pytest.raises(Exception, match="Precondition failed: UID"):
        gc._apply(stale[0])
    assert names(api, "Pod") == ["web-1-0", "web-1-1", "web-1-2"]
    with pytest.raises(NotFoundError):
        gc._apply(Action("remove_finalizer", "Pod", "default", "gone", "u", finalizer="x"))
