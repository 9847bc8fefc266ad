"""The PersistentVolume controller on the in-memory store and a fake clock
(the scenarios of upstream's ``binder_test.go``, ``provision_test.go``,
``delete_test.go`` and ``recycle_test.go``, end to end through the store)."""

from __future__ import annotations

import os

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.events import events_for
from kubekit.controllers.persistentvolume import PersistentVolumeController
from kubekit.controllers.persistentvolume_hostpath import HostPathProvisioner
from kubekit.controllers.persistentvolume_rules import (
    ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, PVC_PROTECTION_FINALIZER,
)
from kubekit.errors import NotFoundError
from kubekit.store import APIStore


def pv(name, size="1Gi", modes=("ReadWriteOnce",), policy="Retain", cls=None, path=None, claim_ref=None,
       labels=None, node_affinity=None):
    spec = {"capacity": {"storage": size}, "accessModes": list(modes), "persistentVolumeReclaimPolicy": policy,
            "hostPath": {"path": path or f"/tmp/pv-test/{name}"}, "volumeMode": "Filesystem"}
    if cls is not None:
        spec["storageClassName"] = cls
    if claim_ref is not None:
        spec["claimRef"] = claim_ref
    if node_affinity is not None:
        spec["nodeAffinity"] = node_affinity
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": spec, "status": {"phase": "Pending"}}


def pvc(name, size="1Gi", modes=("ReadWriteOnce",), cls=None, volume_name=None, ns="default", selector=None,
        unset_class=False):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}, "volumeMode": "Filesystem"}
    if not unset_class:
        spec["storageClassName"] = cls if cls is not None else ""
    if volume_name:
        spec["volumeName"] = volume_name
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": ns},
            "spec": spec, "status": {"phase": "Pending"}}


def storage_class(name="standard", default=False, mode="Immediate", policy="Delete",
                  provisioner="kubekit.dev/hostpath", expand=None):
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
          "metadata": {"name": name, "annotations": {}}, "provisioner": provisioner, "reclaimPolicy": policy,
          "volumeBindingMode": mode}
    if default:
        sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] = "true"
    if expand is not None:
        sc["allowVolumeExpansion"] = expand
    return sc


@pytest.fixture
def world(tmp_path):
    clock = FakeClock()
    store = APIStore(clock=clock)
    ctrl = PersistentVolumeController(store, clock, provisioner=HostPathProvisioner(str(tmp_path / "hostpath")))
    ctrl.start()
    return store, clock, ctrl, tmp_path / "hostpath"


def settle(ctrl, rounds=10):
    for _ in range(rounds):
        if not ctrl.run_once() and not ctrl.sync():
            break


def get(store, kind, name, ns=None):
    return store.get(kind, ns if ns is not None else ("default" if kind == "PersistentVolumeClaim" else None), name)


def reasons(store, obj):
    return [(e["reason"], e["message"]) for e in events_for(store, obj)]


def test_binds_an_unbound_claim_to_the_smallest_matching_volume_both_ways(world):
    store, _, ctrl, _ = world
    for name, size in (("big", "10Gi"), ("small", "2Gi"), ("tiny", "500Mi")):
        store.create(pv(name, size))
    store.create(pvc("data", "1Gi"))
    settle(ctrl)
    claim, vol = get(store, "PersistentVolumeClaim", "data"), get(store, "PersistentVolume", "small")
    assert claim["spec"]["volumeName"] == "small"
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}
    assert claim["metadata"]["annotations"] == {ANN_BIND_COMPLETED: "yes", ANN_BOUND_BY_CONTROLLER: "yes"}
    assert vol["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert vol["metadata"]["annotations"][ANN_BOUND_BY_CONTROLLER] == "yes"
    assert vol["status"]["phase"] == "Bound"
    assert get(store, "PersistentVolume", "big")["status"]["phase"] == "Available"
    assert get(store, "PersistentVolume", "tiny")["status"]["phase"] == "Available"
    assert PVC_PROTECTION_FINALIZER in claim["metadata"]["finalizers"]


def test_no_volume_and_no_class_is_pending_with_failed_binding(world):
    store, _, ctrl, _ = world
    store.create(pvc("data", "5Gi"))
    store.create(pv("small", "1Gi"))
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["status"]["phase"] == "Pending" and not claim["spec"].get("volumeName")
    assert ("FailedBinding", "no persistent volumes available for this claim and no storage class is set") in \
        reasons(store, claim)
    store.create(pv("large", "5Gi"))           # a volume appears: the claim binds (level-triggered)
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["spec"]["volumeName"] == "large"


def test_class_selector_and_access_modes_filter_volumes(world):
    store, _, ctrl, _ = world
    store.create(pv("gold", "1Gi", cls="gold"))
    store.create(pv("rwx", "1Gi", modes=("ReadWriteOnce", "ReadWriteMany")))
    store.create(pv("labelled", "3Gi", labels={"tier": "db"}))
    store.create(pvc("a", "1Gi", modes=("ReadWriteMany",)))
    store.create(pvc("b", "1Gi", selector={"matchLabels": {"tier": "db"}}))
    store.create(pvc("c", "1Gi", cls="gold", modes=("ReadWriteOnce",)))
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "a")["spec"]["volumeName"] == "rwx"
    assert get(store, "PersistentVolumeClaim", "b")["spec"]["volumeName"] == "labelled"
    assert get(store, "PersistentVolumeClaim", "c")["spec"]["volumeName"] == "gold"


def test_pre_bound_claim_and_pre_bound_volume(world):
    store, _, ctrl, _ = world
    store.create(pv("wanted", "1Gi"))
    store.create(pv("smaller-but-not-wanted", "1Gi"))
    store.create(pvc("named", "1Gi", volume_name="wanted"))
    store.create(pv("reserved", "5Gi", claim_ref={"namespace": "default", "name": "owner"}))
    store.create(pvc("other", "1Gi"))              # must not take the reserved volume
    settle(ctrl)
    named = get(store, "PersistentVolumeClaim", "named")
    assert named["status"]["phase"] == "Bound"
    assert ANN_BOUND_BY_CONTROLLER not in named["metadata"]["annotations"]      # the user chose the volume
    assert ANN_BOUND_BY_CONTROLLER in get(store, "PersistentVolume", "wanted")["metadata"]["annotations"]
    assert get(store, "PersistentVolume", "reserved")["status"]["phase"] == "Available"
    assert get(store, "PersistentVolumeClaim", "other")["spec"]["volumeName"] == "smaller-but-not-wanted"
    store.create(pvc("owner", "2Gi"))
    settle(ctrl)
    owner = get(store, "PersistentVolumeClaim", "owner")
    vol = get(store, "PersistentVolume", "reserved")
    assert owner["spec"]["volumeName"] == "reserved" and vol["spec"]["claimRef"]["uid"] == owner["metadata"]["uid"]
    assert ANN_BOUND_BY_CONTROLLER not in (vol["metadata"].get("annotations") or {})   # the user pre-bound it


def test_pre_bound_claim_to_a_volume_that_does_not_fit_is_a_volume_mismatch(world):
    store, _, ctrl, _ = world
    store.create(pv("small", "1Gi"))
    store.create(pvc("named", "5Gi", volume_name="small"))
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "named")
    assert claim["status"]["phase"] == "Pending"
    assert ("VolumeMismatch", 'Cannot bind to requested volume "small": requested PV is too small') in \
        reasons(store, claim)


def test_retain_releases_the_volume_when_the_claim_is_deleted(world):
    store, _, ctrl, _ = world
    store.create(pv("keep", "1Gi", policy="Retain"))
    store.create(pvc("data"))
    settle(ctrl)
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    with pytest.raises(NotFoundError):
        get(store, "PersistentVolumeClaim", "data")
    vol = get(store, "PersistentVolume", "keep")
    assert vol["status"]["phase"] == "Released" and vol["spec"]["claimRef"]["name"] == "data"
    store.create(pvc("data"))                       # a new claim of the same name does not get it back
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["status"]["phase"] == "Pending"

    def reuse(cur):                                 # the administrator frees the volume for reuse
        del cur["spec"]["claimRef"]
        return cur
    store.guaranteed_update("PersistentVolume", None, "keep", reuse)
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["spec"]["volumeName"] == "keep"
    assert get(store, "PersistentVolume", "keep")["status"]["phase"] == "Bound"


def test_dynamic_provisioning_with_the_default_class_and_delete_policy(world):
    store, _, ctrl, base = world
    store.create(storage_class("standard", default=True))
    store.create(pvc("data", "3Gi", unset_class=True))
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["spec"]["storageClassName"] == "standard"          # retroactive default class
    assert claim["status"]["phase"] == "Bound"
    name = "pvc-" + claim["metadata"]["uid"]
    assert claim["spec"]["volumeName"] == name
    vol = get(store, "PersistentVolume", name)
    assert vol["metadata"]["annotations"][ANN_PROVISIONED_BY] == "kubekit.dev/hostpath"
    assert vol["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert vol["spec"]["capacity"] == {"storage": "3Gi"} and vol["status"]["phase"] == "Bound"
    path = vol["spec"]["hostPath"]["path"]
    assert path.startswith(str(base)) and os.path.isdir(path)
    assert "nodeAffinity" not in vol["spec"]
    assert any(r == "ProvisioningSucceeded" for r, _ in reasons(store, claim))
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    with pytest.raises(NotFoundError):
        get(store, "PersistentVolume", name)
    assert not os.path.exists(path)


def test_provisioned_volume_deleted_while_bound_still_removes_its_directory(world):
    """``kubectl delete pv`` while Bound (kept by pv-protection), then the
    claim deleted: the Delete policy still removes the backing directory."""
    store, _, ctrl, base = world
    store.create(storage_class("standard"))
    store.create(pvc("data", cls="standard"))
    settle(ctrl)
    name = get(store, "PersistentVolumeClaim", "data")["spec"]["volumeName"]
    path = get(store, "PersistentVolume", name)["spec"]["hostPath"]["path"]
    assert os.path.isdir(path)
    store.delete("PersistentVolume", None, name)
    settle(ctrl)
    assert get(store, "PersistentVolume", name)["metadata"].get("deletionTimestamp")
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl, 30)
    with pytest.raises(NotFoundError):
        get(store, "PersistentVolume", name)
    assert not os.path.exists(path)
    assert not list(base.iterdir())


def test_pre_bound_claim_to_a_volume_marked_for_deletion_stays_pending(world):
    """``checkVolumeSatisfyClaim``: a volume with a deletionTimestamp (kept
    by another finalizer) is not bound."""
    store, _, ctrl, _ = world
    v = pv("dying")
    v["metadata"]["finalizers"] = ["example.com/keep"]
    store.create(v)
    settle(ctrl)
    store.delete("PersistentVolume", None, "dying")
    store.create(pvc("c", volume_name="dying"))
    settle(ctrl)
    claim, vol = get(store, "PersistentVolumeClaim", "c"), get(store, "PersistentVolume", "dying")
    assert claim["status"]["phase"] == "Pending"
    assert not vol["spec"].get("claimRef") and vol["status"]["phase"] != "Bound"
    assert ("VolumeMismatch", 'Cannot bind to requested volume "dying": the volume is marked for deletion '
                              '"dying"') in reasons(store, claim)


def test_bound_claim_whose_volume_names_another_claim_without_uid_is_misbound(world):
    """``syncBoundClaim``: a claimRef that is not this claim's uid (here
    another claim, no uid) makes the claim Lost; the volume is not taken back."""
    store, _, ctrl, _ = world
    store.create(pv("v"))
    store.create(pvc("a"))
    settle(ctrl)

    def repoint(cur):
        cur["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "b"}
        return cur
    store.guaranteed_update("PersistentVolume", None, "v", repoint)
    settle(ctrl)
    ctrl.enqueue(("claim", "default/a"))
    settle(ctrl)
    vol, claim = get(store, "PersistentVolume", "v"), get(store, "PersistentVolumeClaim", "a")
    assert vol["spec"]["claimRef"]["name"] == "b"
    assert claim["status"]["phase"] == "Lost"
    assert ("ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly") in \
        reasons(store, claim)


def test_delete_policy_on_a_volume_nobody_provisioned_fails(world):
    store, _, ctrl, _ = world
    store.create(pv("manual", policy="Delete"))
    store.create(pvc("data"))
    settle(ctrl)
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    vol = get(store, "PersistentVolume", "manual")
    assert vol["status"]["phase"] == "Failed"
    assert "no deletable volume plugin matched" in vol["status"]["message"]


def test_recycle_empties_the_directory_and_makes_the_volume_available(world, tmp_path):
    store, _, ctrl, _ = world
    d = tmp_path / "recycled"
    d.mkdir()
    store.create(pv("r", policy="Recycle", path=str(d)))
    store.create(pvc("data"))
    settle(ctrl)
    (d / "file").write_text("x")
    (d / "sub").mkdir()
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    vol = get(store, "PersistentVolume", "r")
    assert vol["status"]["phase"] == "Available" and "claimRef" not in vol["spec"]
    assert d.is_dir() and not list(d.iterdir())


@pytest.mark.parametrize("path", ["/", "/.", "/./", "//", "<link>"])
def test_recycle_never_scrubs_the_root_directory(world, tmp_path, monkeypatch, no_deletions, path):
    """Upstream's hostPath recycler refuses ``path.Clean(path) == "/"``;
    kubekit also refuses a path that resolves to ``/`` (a symlink)."""
    import kubekit.controllers.persistentvolume as mod

    calls = []
    monkeypatch.setattr(mod, "scrub", calls.append)
    if path == "<link>":
        link = tmp_path / "root-link"
        link.symlink_to("/")
        path = str(link)
    store, _, ctrl, _ = world
    store.create(pv("root", policy="Recycle", path=path))
    store.create(pvc("data"))
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["spec"]["volumeName"] == "root"
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    assert calls == [] and no_deletions == []
    vol = get(store, "PersistentVolume", "root")
    assert vol["status"]["phase"] == "Failed"
    assert "VolumeFailedRecycle" in [r for r, _ in reasons(store, vol)]


@pytest.fixture
def no_deletions(monkeypatch):
    """Every way scrub removes files, replaced by a recorder: a test of its
    guard must not be able to empty the host's root if the guard breaks
    (one run of an unguarded scrub("/") emptied this machine's /etc)."""
    import os
    import shutil

    removed: list[str] = []
    for mod, name in ((shutil, "rmtree"), (os, "unlink"), (os, "remove"), (os, "rmdir")):
        monkeypatch.setattr(mod, name, lambda path, *a, **k: removed.append(str(path)))
    return removed


def test_scrub_refuses_the_root_directory(tmp_path, no_deletions):
    from kubekit.controllers.persistentvolume_hostpath import scrub

    link = tmp_path / "root-link"
    link.symlink_to("/")
    for p in ("/", "/.", "//", str(link)):
        with pytest.raises(ValueError, match="root directory"):
            scrub(p)
    assert no_deletions == []


def test_scrub_empties_a_directory_and_keeps_it(tmp_path):
    from kubekit.controllers.persistentvolume_hostpath import scrub

    d = tmp_path / "vol"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "f").write_text("x")
    (d / ".hidden").write_text("y")
    (d / "link").symlink_to(tmp_path)             # a link is removed, not followed
    scrub(str(d))
    assert d.is_dir() and not list(d.iterdir()) and tmp_path.is_dir()


def test_a_second_claim_does_not_steal_a_volume_bound_from_a_stale_cache(world):
    """Two claims synced from the same informer snapshot both pick the one
    Available volume: the second bind must not overwrite the first claimRef
    (upstream's Update carries the cached resourceVersion and conflicts)."""
    store, clock, ctrl, _ = world
    store.create(pv("v"))
    settle(ctrl)
    store.create(pvc("a"))
    store.create(pvc("b"))
    for _ in range(30):
        ctrl.run_once()
        ctrl.sync()
        clock.advance(1)
    a, b = get(store, "PersistentVolumeClaim", "a"), get(store, "PersistentVolumeClaim", "b")
    vol = get(store, "PersistentVolume", "v")
    assert vol["spec"]["claimRef"]["name"] == "a" and vol["spec"]["claimRef"]["uid"] == a["metadata"]["uid"]
    assert vol["status"]["phase"] == "Bound"
    assert a["status"]["phase"] == "Bound" and a["spec"]["volumeName"] == "v"
    assert "ClaimMisbound" not in [r for r, _ in reasons(store, a)]
    assert b["status"]["phase"] == "Pending" and not b["spec"].get("volumeName")


def test_wait_for_first_consumer_provisions_for_the_selected_node(world):
    store, _, ctrl, _ = world
    store.create(storage_class("local", mode="WaitForFirstConsumer"))
    store.create(pvc("data", cls="local"))
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["status"]["phase"] == "Pending"
    assert ("WaitForFirstConsumer", "waiting for first consumer to be created before binding") in \
        reasons(store, claim)
    assert not store.list("PersistentVolume")[0]

    def select(cur):
        cur["metadata"].setdefault("annotations", {})[ANN_SELECTED_NODE] = "node-1"
        return cur
    store.guaranteed_update("PersistentVolumeClaim", "default", "data", select)
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["status"]["phase"] == "Bound"
    vol = get(store, "PersistentVolume", claim["spec"]["volumeName"])
    assert vol["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}]


def test_wait_for_first_consumer_binds_a_static_volume_of_the_selected_node(world):
    store, _, ctrl, _ = world
    store.create(storage_class("local-storage", mode="WaitForFirstConsumer", provisioner="kubernetes.io/no-provisioner"))
    for node in ("n1", "n2"):
        store.create({"apiVersion": "v1", "kind": "Node",
                      "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node}}})
        store.create(pv(f"local-{node}", cls="local-storage", node_affinity={"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}))
    c = pvc("data", cls="local-storage")
    c["metadata"]["annotations"] = {ANN_SELECTED_NODE: "n2"}
    store.create(c)
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["spec"]["volumeName"] == "local-n2"


def test_external_provisioner_and_missing_class_events(world):
    store, _, ctrl, _ = world
    store.create(storage_class("ext", provisioner="example.com/nfs"))
    store.create(pvc("a", cls="ext"))
    store.create(pvc("b", cls="nope"))
    settle(ctrl)
    a, b = get(store, "PersistentVolumeClaim", "a"), get(store, "PersistentVolumeClaim", "b")
    assert a["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "example.com/nfs"
    assert any(r == "ExternalProvisioning" and "'example.com/nfs'" in m for r, m in reasons(store, a))
    assert ("ProvisioningFailed", 'storageclass.storage.k8s.io "nope" not found') in reasons(store, b)


def test_claim_in_use_by_a_scheduled_pod_is_protected_from_deletion(world):
    store, _, ctrl, _ = world
    store.create(pv("v"))
    store.create(pvc("data"))
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user", "namespace": "default"},
                  "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}],
                           "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]},
                  "status": {"phase": "Running"}})
    settle(ctrl)
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["metadata"].get("deletionTimestamp")                # Terminating, kept by the finalizer
    assert get(store, "PersistentVolume", "v")["status"]["phase"] == "Bound"
    store.delete("Pod", "default", "user")
    settle(ctrl)
    with pytest.raises(NotFoundError):
        get(store, "PersistentVolumeClaim", "data")
    assert get(store, "PersistentVolume", "v")["status"]["phase"] == "Released"


def test_a_finished_scheduled_pod_still_protects_its_claim_an_unscheduled_one_does_not(world):
    """Upstream ``podUsesPVC``: a pod with ``spec.nodeName`` naming the claim
    keeps it whatever its phase (until the pod object is deleted); a pod
    that was never scheduled does not."""
    store, _, ctrl, _ = world
    store.create(pv("v"))
    store.create(pvc("data"))

    def user(name, node, phase):
        spec = {"containers": [{"name": "c", "image": "busybox"}],
                "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}
        if node:
            spec["nodeName"] = node
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                "spec": spec, "status": {"phase": phase}}
    store.create(user("done", "n1", "Succeeded"))
    store.create(user("waiting", None, "Pending"))

    def succeed(cur):
        cur["status"] = {"phase": "Succeeded"}
        return cur
    store.guaranteed_update("Pod", "default", "done", succeed, status=True)
    assert get(store, "Pod", "done", "default")["status"]["phase"] == "Succeeded"
    settle(ctrl)
    store.delete("PersistentVolumeClaim", "default", "data")
    settle(ctrl)
    assert get(store, "PersistentVolumeClaim", "data")["metadata"].get("deletionTimestamp")   # kept
    store.delete("Pod", "default", "done")
    settle(ctrl)
    with pytest.raises(NotFoundError):                # only the unscheduled pod is left: it does not hold it
        get(store, "PersistentVolumeClaim", "data")


def test_bound_volume_is_protected_and_a_claim_whose_volume_is_gone_is_lost(world):
    store, _, ctrl, _ = world
    store.create(pv("v"))
    store.create(pvc("data"))
    settle(ctrl)
    store.delete("PersistentVolume", None, "v")
    settle(ctrl)
    assert get(store, "PersistentVolume", "v")["metadata"].get("deletionTimestamp")   # kept while Bound

    def drop_finalizers(cur):                        # an administrator forces it away
        cur["metadata"]["finalizers"] = []
        return cur
    store.guaranteed_update("PersistentVolume", None, "v", drop_finalizers)
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["status"]["phase"] == "Lost"
    assert ("ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!") in \
        reasons(store, claim)


def test_expansion_of_a_provisioned_claim(world):
    store, _, ctrl, _ = world
    store.create(storage_class("grow", expand=True))
    store.create(storage_class("fixed", expand=False))
    store.create(pvc("a", "1Gi", cls="grow"))
    store.create(pvc("b", "1Gi", cls="fixed"))
    settle(ctrl)

    def bigger(cur):
        cur["spec"]["resources"]["requests"]["storage"] = "2Gi"
        return cur
    for name in ("a", "b"):
        store.guaranteed_update("PersistentVolumeClaim", "default", name, bigger)
    settle(ctrl)
    a, b = get(store, "PersistentVolumeClaim", "a"), get(store, "PersistentVolumeClaim", "b")
    assert a["status"]["capacity"] == {"storage": "2Gi"}
    assert get(store, "PersistentVolume", a["spec"]["volumeName"])["spec"]["capacity"] == {"storage": "2Gi"}
    assert b["status"]["capacity"] == {"storage": "1Gi"}
    assert any(r == "VolumeResizeFailed" for r, _ in reasons(store, b))


def test_wait_for_first_consumer_claim_of_a_pod_bound_by_hand_follows_the_pod(world):
    store, _, ctrl, _ = world
    store.create(storage_class("local", mode="WaitForFirstConsumer"))
    store.create(pvc("data", cls="local"))
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}],
                           "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}})
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert ("WaitForPodScheduled", "waiting for pod p to be scheduled") in reasons(store, claim)

    def bind(cur):
        cur["spec"]["nodeName"] = "node-7"
        return cur
    store.guaranteed_update("Pod", "default", "p", bind)
    settle(ctrl)
    claim = get(store, "PersistentVolumeClaim", "data")
    assert claim["metadata"]["annotations"][ANN_SELECTED_NODE] == "node-7"
    assert claim["status"]["phase"] == "Bound"
