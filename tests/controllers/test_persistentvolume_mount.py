"""The node agent's claim -> volume -> host path resolution (the kubelet's
``getPVCExtractPV`` messages), on the in-memory store."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.controllers.persistentvolume_mount import ClaimNotReady, claim_mount_path
from kubekit.store import APIStore


@pytest.fixture
def store():
    return APIStore(clock=FakeClock())


def claim(store, name="data", volume=None, phase="Pending"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    if volume:
        spec["volumeName"] = volume
    return store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                         "metadata": {"name": name, "namespace": "default"}, "spec": spec,
                         "status": {"phase": phase}})


def volume(store, name, source, uid=None):
    spec = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], **source}
    if uid is not None:
        spec["claimRef"] = {"namespace": "default", "name": "data", "uid": uid}
    return store.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": spec})


def test_missing_and_unbound_claims_are_not_ready(store):
    with pytest.raises(ClaimNotReady, match='persistentvolumeclaims "data" not found'):
        claim_mount_path(store, "default", "data")
    claim(store)
    with pytest.raises(ClaimNotReady) as e:
        claim_mount_path(store, "default", "data")
    assert str(e.value) == ('error processing PVC default/data: PVC default/data has non-bound phase ("Pending") '
                            'or empty pvc.Spec.VolumeName ("")')


def test_bound_claim_resolves_to_the_volume_path(store, tmp_path):
    c = claim(store, volume="v", phase="Bound")
    with pytest.raises(ClaimNotReady, match='persistentvolumes "v" not found'):
        claim_mount_path(store, "default", "data")
    target = tmp_path / "made-on-demand"
    volume(store, "v", {"hostPath": {"path": str(target), "type": "DirectoryOrCreate"}}, uid=c["metadata"]["uid"])
    assert claim_mount_path(store, "default", "data") == str(target) and target.is_dir()


def test_local_volume_must_exist_and_point_back(store, tmp_path):
    c = claim(store, volume="v", phase="Bound")
    volume(store, "v", {"local": {"path": str(tmp_path / "nope")}}, uid="someone-else")
    with pytest.raises(ClaimNotReady) as e:
        claim_mount_path(store, "default", "data")
    assert str(e.value) == ("error processing PVC default/data: found PV object v but its pv.Spec.ClaimRef.UID "
                            f"someone-else does not point to claim.UID {c['metadata']['uid']}")

    def fix(cur):
        cur["spec"]["claimRef"]["uid"] = c["metadata"]["uid"]
        return cur
    store.guaranteed_update("PersistentVolume", None, "v", fix)
    with pytest.raises(ClaimNotReady, match="does not exist on this node"):
        claim_mount_path(store, "default", "data")
    (tmp_path / "nope").mkdir()
    assert claim_mount_path(store, "default", "data") == str(tmp_path / "nope")


def test_a_claim_being_deleted_cannot_start_a_pod(store):
    c = claim(store, volume="v", phase="Bound")

    def hold(cur):
        cur["metadata"]["finalizers"] = ["kubernetes.io/pvc-protection"]
        return cur
    store.guaranteed_update("PersistentVolumeClaim", "default", "data", hold)
    store.delete("PersistentVolumeClaim", "default", "data")
    with pytest.raises(ClaimNotReady, match="can't start pod because PVC default/data is being deleted"):
        claim_mount_path(store, "default", "data")
    assert c


def test_the_volume_must_be_bound_to_the_claims_uid(store, tmp_path):
    """kubelet ``getPVSpec``: a volume without claimRef, or whose claimRef
    names the claim without its uid, is not mounted."""
    c = claim(store, volume="v", phase="Bound")
    (tmp_path / "d").mkdir()
    volume(store, "v", {"hostPath": {"path": str(tmp_path / "d")}})
    with pytest.raises(ClaimNotReady) as e:
        claim_mount_path(store, "default", "data")
    assert str(e.value) == ("error processing PVC default/data: found PV object v but it has a nil "
                            "pv.Spec.ClaimRef indicating it is not yet bound to the claim")

    def name_only(cur):
        cur["spec"]["claimRef"] = {"namespace": "default", "name": "data"}
        return cur
    store.guaranteed_update("PersistentVolume", None, "v", name_only)
    with pytest.raises(ClaimNotReady, match=f"pv.Spec.ClaimRef.UID  does not point to claim.UID {c['metadata']['uid']}"):
        claim_mount_path(store, "default", "data")
