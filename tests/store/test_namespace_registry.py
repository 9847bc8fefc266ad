"""The namespace registry: its strategy (pure) and :class:`NamespaceStore`
over a real :class:`APIStore` (on a fake clock), and the garbage collector
going through it."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.errors import ConflictError, NotFoundError
from kubekit.store import APIStore, GarbageCollector
from kubekit.store.namespaces import (
    NamespaceStore, delete_finalizers, plan_delete, prepare_for_create, prepare_for_finalize,
    prepare_for_status_update, prepare_for_update, should_delete_during_update, writer_for,
)
from kubekit.validation import validate, validate_update
from kubekit.validation.namespace import validate_namespace_status_update

NOW = 1_700_000_000.0
NAME_LABEL = "kubernetes.io/metadata.name"


def ns(name="foo", *, rv=None, deleting=False, fins=None, meta_fins=None, phase=None):
    m = {"name": name}
    if rv is not None:
        m["resourceVersion"] = rv
    if deleting:
        m["deletionTimestamp"] = "2023-11-14T22:13:20Z"
    if meta_fins is not None:
        m["finalizers"] = list(meta_fins)
    out = {"apiVersion": "v1", "kind": "Namespace", "metadata": m, "spec": {}}
    if fins is not None:
        out["spec"]["finalizers"] = list(fins)
    if phase is not None:
        out["status"] = {"phase": phase}
    return out


# -- pkg/registry/core/namespace/strategy_test.go --------------------------------------------------
def test_namespace_strategy():
    """TestNamespaceStrategy."""
    namespace = ns("foo", rv="10", phase="Terminating")
    created = prepare_for_create(namespace)
    assert created["status"]["phase"] == "Active"                  # "do not allow setting phase on create"
    assert created["spec"]["finalizers"] == ["kubernetes"]         # "should have added kubernetes finalizer"
    assert validate(created) == []
    invalid = ns("bar", rv="4")
    updated = prepare_for_update(invalid, created)
    assert updated["spec"]["finalizers"] == ["kubernetes"]         # "should have preserved old.spec.finalizers"
    assert validate_update(updated, created) != []                 # the name changed: "Expected a validation error"
    assert updated["metadata"]["resourceVersion"] == "4"           # "should not be mutated"


def test_namespace_status_strategy():
    """TestNamespaceStatusStrategy."""
    old = ns("foo", rv="10", deleting=True, fins=["kubernetes"], phase="Active")
    new = ns("foo", rv="9", deleting=True, phase="Terminating")
    out = prepare_for_status_update(new, old)
    assert out["status"]["phase"] == "Terminating"                 # "should allow change of phase"
    assert out["spec"]["finalizers"] == ["kubernetes"]             # "should have preserved old finalizers"
    assert validate_namespace_status_update(out, old) == []
    assert out["metadata"]["resourceVersion"] == "9"


def test_namespace_finalize_strategy():
    """TestNamespaceFinalizeStrategy."""
    old = ns("foo", rv="10", fins=["kubernetes", "example.com/org"], phase="Active")
    new = ns("foo", rv="9", fins=["example.com/foo"], phase="Terminating")
    out = prepare_for_finalize(new, old)
    assert out["status"]["phase"] == "Active"                      # "should not allow change of phase"
    assert out["spec"]["finalizers"] == ["example.com/foo"]        # "should have modified finalizers"
    assert validate_namespace_status_update(out, old) == []
    assert out["metadata"]["resourceVersion"] == "9"


def test_create_appends_the_kubernetes_finalizer_after_the_clients_own():
    assert prepare_for_create(ns(fins=["example.com/a"]))["spec"]["finalizers"] == ["example.com/a", "kubernetes"]
    assert prepare_for_create(ns(fins=["kubernetes", "example.com/a"]))["spec"]["finalizers"] == [
        "kubernetes", "example.com/a"]


# -- ShouldDeleteNamespaceDuringUpdate (storage.go) + the generic ShouldDeleteDuringUpdate ---------
@pytest.mark.parametrize("new, old, gone", [
    (ns(), ns(deleting=True), True),                                           # nothing holds it
    (ns(fins=["kubernetes"]), ns(deleting=True), False),                       # spec.finalizers hold it
    (ns(meta_fins=["example.com/foo"]), ns(deleting=True), False),             # metadata.finalizers hold it
    (ns(), ns(), False),                                                       # not being deleted
])
def test_should_delete_during_update(new, old, gone):
    assert should_delete_during_update(new, old) is gone


def test_a_grace_period_pending_keeps_the_object():
    old = ns(deleting=True)
    old["metadata"]["deletionGracePeriodSeconds"] = 30
    assert should_delete_during_update(ns(), old) is False
    old["metadata"]["deletionGracePeriodSeconds"] = 0
    assert should_delete_during_update(ns(), old) is True


# -- storage_test.go: TestDeleteWithGCFinalizers ---------------------------------------------------
GC_FINALIZERS = [
    # (name, propagation, orphanDependents, existing, remaining)
    ("nil-with-orphan", None, None, ["orphan"], {"orphan"}),
    ("nil-with-delete", None, None, ["foregroundDeletion"], {"foregroundDeletion"}),
    ("nil-without-finalizers", None, None, [], set()),
    ("propagation-background-with-orphan", "Background", None, ["orphan"], set()),
    ("propagation-background-with-delete", "Background", None, ["foregroundDeletion"], set()),
    ("propagation-background-without-finalizers", "Background", None, [], set()),
    ("propagation-foreground-with-orphan", "Foreground", None, ["orphan"], {"foregroundDeletion"}),
    ("propagation-foreground-with-delete", "Foreground", None, ["foregroundDeletion"], {"foregroundDeletion"}),
    ("propagation-foreground-without-finalizers", "Foreground", None, [], {"foregroundDeletion"}),
    ("propagation-orphan-with-orphan", "Orphan", None, ["orphan"], {"orphan"}),
    ("propagation-orphan-with-delete", "Orphan", None, ["foregroundDeletion"], {"orphan"}),
    ("propagation-orphan-without-finalizers", "Orphan", None, [], {"orphan"}),
    ("orphan-dependents-with-orphan", None, True, ["orphan"], {"orphan"}),
    ("orphan-dependents-with-delete", None, True, ["foregroundDeletion"], {"orphan"}),
    ("orphan-dependents-without-finalizers", None, True, [], {"orphan"}),
]


@pytest.mark.parametrize("name, propagation, orphan, existing, remaining", GC_FINALIZERS,
                         ids=[t[0] for t in GC_FINALIZERS])
def test_delete_with_gc_finalizers(name, propagation, orphan, existing, remaining):
    fins = delete_finalizers(existing, propagation, orphan)
    assert set(fins) == remaining and len(fins) == len(remaining)
    # and through the storage's delete: the namespace is marked, not removed
    store = NamespaceStore(APIStore(clock=FakeClock(start=NOW)))
    store.create(dict(ns(name, meta_fins=existing, fins=[])))
    marked = store.delete("Namespace", None, name, propagation=propagation, orphan_dependents=orphan)
    assert set(marked["metadata"].get("finalizers") or []) == remaining
    assert marked["status"]["phase"] == "Terminating" and marked["metadata"]["deletionTimestamp"]


def test_other_finalizers_are_kept_in_order():
    assert delete_finalizers(["a.io/x", "orphan", "b.io/y"], "Foreground", None) == [
        "a.io/x", "b.io/y", "foregroundDeletion"]


def test_plan_delete_preconditions():
    stored = ns("foo", rv="7")
    stored["metadata"]["uid"] = "u1"
    p = plan_delete(stored, now=NOW, preconditions={"uid": "u2"})
    assert (p.action, p.message) == ("conflict", "Precondition failed: UID in precondition: u2, UID in object meta: u1")
    p = plan_delete(stored, now=NOW, preconditions={"resourceVersion": "6"})
    assert p.message == "Precondition failed: ResourceVersion in precondition: 6, ResourceVersion in object meta: 7"
    p = plan_delete(stored, now=NOW, preconditions={"uid": "u1", "resourceVersion": "7"})
    assert p.action == "mark" and p.obj["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:20Z"


# -- NamespaceStore over a real store (storage_test.go's delete / update / finalize tests) ----------
@pytest.fixture
def nstore():
    return NamespaceStore(APIStore(clock=FakeClock(start=NOW)))


def deleting_namespace(nstore, name, *, spec_fins, meta_fins=()):
    """A namespace being deleted, with these finalizers (reached through the
    registry's own verbs: create, /finalize, delete)."""
    created = nstore.create(ns(name, meta_fins=list(meta_fins) or None))
    if spec_fins != ["kubernetes"]:
        nstore.finalize(dict(created, spec={"finalizers": list(spec_fins)}))
    marked = nstore.delete("Namespace", None, name)
    assert marked["metadata"]["deletionTimestamp"] and marked["status"]["phase"] == "Terminating"
    assert marked["spec"].get("finalizers", []) == list(spec_fins)
    return nstore.store.get("Namespace", None, name)


def test_create_sets_fields(nstore):
    """TestCreateSetsFields."""
    out = nstore.create(ns("foo"))
    got = nstore.store.get("Namespace", None, "foo")
    assert got["metadata"]["uid"] and got["status"] == {"phase": "Active"} and out["spec"] == {"finalizers": ["kubernetes"]}


def test_delete_namespace_with_incomplete_finalizers(nstore):
    """TestDeleteNamespaceWithIncompleteFinalizers: the delete answers the namespace, which stays."""
    deleting_namespace(nstore, "foo", spec_fins=["kubernetes"])
    out = nstore.delete("Namespace", None, "foo")
    assert out["metadata"]["name"] == "foo"
    assert nstore.store.get("Namespace", None, "foo")["status"]["phase"] == "Terminating"


def test_delete_namespace_with_complete_finalizers(nstore):
    """TestDeleteNamespaceWithCompleteFinalizers."""
    deleting_namespace(nstore, "foo", spec_fins=[])
    nstore.delete("Namespace", None, "foo")
    with pytest.raises(NotFoundError):
        nstore.store.get("Namespace", None, "foo")


def test_update_deleting_namespace_with_incomplete_metadata_finalizers(nstore):
    cur = deleting_namespace(nstore, "foo", spec_fins=[], meta_fins=["example.com/foo"])
    nstore.update(cur)
    assert nstore.store.get("Namespace", None, "foo")


def test_update_deleting_namespace_with_incomplete_spec_finalizers(nstore):
    cur = deleting_namespace(nstore, "foo", spec_fins=["kubernetes"])
    cur["metadata"]["labels"] = {"a": "b"}
    nstore.update(cur)
    assert nstore.store.get("Namespace", None, "foo")["metadata"]["labels"] == {"a": "b", NAME_LABEL: "foo"}


def test_update_deleting_namespace_with_complete_finalizers(nstore):
    cur = deleting_namespace(nstore, "foo", spec_fins=[], meta_fins=["example.com/foo"])
    del cur["metadata"]["finalizers"]
    nstore.update(cur)
    with pytest.raises(NotFoundError):
        nstore.store.get("Namespace", None, "foo")


def test_finalize_deleting_namespace_with_complete_finalizers(nstore):
    cur = deleting_namespace(nstore, "foo", spec_fins=["kubernetes"])
    nstore.finalize(dict(cur, spec={}))
    with pytest.raises(NotFoundError):
        nstore.store.get("Namespace", None, "foo")


def test_finalize_deleting_namespace_with_incomplete_metadata_finalizers(nstore):
    cur = deleting_namespace(nstore, "foo", spec_fins=["kubernetes"], meta_fins=["example.com/foo"])
    nstore.finalize(dict(cur, spec={}))
    got = nstore.store.get("Namespace", None, "foo")
    assert got["spec"] == {} and got["metadata"]["finalizers"] == ["example.com/foo"]


def test_an_update_cannot_change_spec_finalizers_or_status(nstore):
    cur = nstore.create(ns("foo"))
    out = nstore.update(dict(cur, spec={"finalizers": []}, status={"phase": "Terminating"}))
    assert out["spec"] == {"finalizers": ["kubernetes"]} and out["status"] == {"phase": "Active"}


def test_a_status_update_changes_only_the_status(nstore):
    cur = nstore.create(ns("foo"))
    out = nstore.update_status(dict(cur, spec={}, status={"phase": "Active", "conditions": [{"type": "X"}]},
                                    metadata=dict(cur["metadata"], labels={"x": "y"})))
    assert out["spec"] == {"finalizers": ["kubernetes"]} and out["metadata"]["labels"] == {NAME_LABEL: "foo"}
    assert out["status"]["conditions"] == [{"type": "X"}]


def test_a_stale_resource_version_is_a_conflict(nstore):
    cur = nstore.create(ns("foo"))
    nstore.update(dict(cur, metadata=dict(cur["metadata"], labels={"a": "1"})))
    with pytest.raises(ConflictError, match='Operation cannot be fulfilled on namespaces "foo"'):
        nstore.update(dict(cur, metadata=dict(cur["metadata"], labels={"a": "2"})))


def test_deleting_twice_keeps_the_first_deletion_timestamp(nstore):
    nstore.create(ns("foo"))
    first = nstore.delete("Namespace", None, "foo")
    nstore.store.clock.advance(60)
    again = nstore.delete("Namespace", None, "foo")
    assert again["metadata"]["deletionTimestamp"] == first["metadata"]["deletionTimestamp"]
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]     # nothing written


def test_watchers_see_the_namespace_go_when_finalized(nstore):
    nstore.create(ns("foo"))
    marked = nstore.delete("Namespace", None, "foo")
    with nstore.store.watch("Namespace", resource_version=marked["metadata"]["resourceVersion"]) as w:
        nstore.finalize(dict(marked, spec={}))
        events = w.next_batch(1.0)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [("DELETED", "foo")]


def test_writer_for_picks_the_namespace_store():
    store = APIStore(clock=FakeClock(start=NOW))
    assert isinstance(writer_for(store, "Namespace"), NamespaceStore)
    assert writer_for(store, "Pod") is store


def test_the_garbage_collector_keeps_a_terminating_namespace_until_it_is_finalized():
    """An orphan-propagation delete gives the namespace the ``orphan``
    finalizer; the collector removes it, and the namespace must stay while
    ``spec.finalizers`` still holds it (ShouldDeleteNamespaceDuringUpdate)."""
    store = APIStore(clock=FakeClock(start=NOW))
    nstore = NamespaceStore(store)
    nstore.create(ns("foo"))
    marked = nstore.delete("Namespace", None, "foo", propagation="Orphan")
    assert marked["metadata"]["finalizers"] == ["orphan"]
    GarbageCollector(store).run_until_stable()
    cur = store.get("Namespace", None, "foo")
    assert not cur["metadata"].get("finalizers") and cur["spec"]["finalizers"] == ["kubernetes"]
    nstore.finalize(dict(cur, spec={}))
    with pytest.raises(NotFoundError):
        store.get("Namespace", None, "foo")


# -- the kubernetes.io/metadata.name label (defaults.go SetDefaults_Namespace, strategy.go Canonicalize) ----

def test_every_namespace_is_labelled_with_its_name(nstore):
    """The label is set on create (whatever the client sent), kept on every
    update and /finalize, and a generated name gets it too."""
    created = nstore.create(dict(ns("foo"), metadata={"name": "foo", "labels": {NAME_LABEL: "bar", "a": "b"}}))
    assert created["metadata"]["labels"] == {NAME_LABEL: "foo", "a": "b"}
    assert nstore.store.get("Namespace", None, "foo")["metadata"]["labels"] == {NAME_LABEL: "foo", "a": "b"}
    out = nstore.update(dict(created, metadata=dict(created["metadata"], labels={"c": "d"})))
    assert out["metadata"]["labels"] == {"c": "d", NAME_LABEL: "foo"}
    out = nstore.finalize(dict(out, metadata=dict(out["metadata"], labels={}), spec={"finalizers": ["kubernetes"]}))
    assert out["metadata"]["labels"] == {NAME_LABEL: "foo"}
    generated = nstore.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"generateName": "gen-"}})
    name = generated["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5
    assert nstore.store.get("Namespace", None, name)["metadata"]["labels"] == {NAME_LABEL: name}


def test_the_strategy_labels_the_namespace():
    assert prepare_for_create(ns("foo"))["metadata"]["labels"] == {NAME_LABEL: "foo"}
    assert prepare_for_update(ns("foo"), prepare_for_create(ns("foo")))["metadata"]["labels"] == {NAME_LABEL: "foo"}
    assert prepare_for_finalize(ns("foo"), ns("foo"))["metadata"]["labels"] == {NAME_LABEL: "foo"}
    assert "labels" not in prepare_for_create({"metadata": {"generateName": "x-"}})["metadata"]
