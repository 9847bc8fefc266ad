"""PersistentVolumes through ``kubekit serve``: the default StorageClass
``standard`` exists at start, ``kubekit apply/get/delete`` work on pv, pvc
and storageclass (kubectl's columns), a claim is provisioned and bound by the
control plane, and -- with the local node, as root -- real containers share
data through a claim: a pod writes a file, is deleted, a second pod reading
the same claim (read-only) sees it; a pod whose claim is unbound waits."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from kubectl_helpers import k, ok
from kubekit.kubectl.client import Client
from kubekit.server.testing import local_node_dirs, running_server, wait_for

PODS = "/api/v1/namespaces/default/pods"
PVCS = "/api/v1/namespaces/default/persistentvolumeclaims"
PVS = "/api/v1/persistentvolumes"

CLAIM = """apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""

STATIC = """apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-1}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: manual
  hostPath: {path: /tmp/kubekit-static-1}
"""


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="kk-pv-")
    yield d
    shutil.rmtree(d)


def write(workdir, name, text) -> str:
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_cli_default_class_provisioning_static_binding_and_deletion(workdir):
    with running_server(sim_nodes=1) as srv:
        c = Client(srv.address)
        out = ok(srv, "get", "storageclass")
        assert out.splitlines()[0].split() == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                                               "ALLOWVOLUMEEXPANSION", "AGE"]
        assert out.splitlines()[1].split()[:6] == ["standard", "(default)", "kubekit.dev/hostpath", "Delete",
                                                   "Immediate", "false"]
        assert "persistentvolumeclaim/data created" in ok(srv, "apply", "-f", write(workdir, "c.yaml", CLAIM))
        wait_for(lambda: c.get(f"{PVCS}/data")["status"]["phase"] == "Bound", "the claim to be bound")
        claim = c.get(f"{PVCS}/data")
        volume = claim["spec"]["volumeName"]
        path = c.get(f"{PVS}/{volume}")["spec"]["hostPath"]["path"]
        assert path.startswith(os.path.join(srv.config.data_dir, "hostpath") + "/") and os.path.isdir(path)
        rows = ok(srv, "get", "pvc").splitlines()
        assert rows[0].split() == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS",
                                   "VOLUMEATTRIBUTESCLASS", "AGE"]
        assert rows[1].split()[:7] == ["data", "Bound", volume, "1Gi", "RWO", "standard", "<unset>"]
        rows = ok(srv, "get", "pv").splitlines()
        assert rows[0].split() == ["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY", "STATUS", "CLAIM",
                                   "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
        assert rows[1].split()[:8] == [volume, "1Gi", "RWO", "Delete", "Bound", "default/data", "standard",
                                       "<unset>"]
        # a static volume of a class without a provisioner, bound by a claim of that class
        ok(srv, "apply", "-f", write(workdir, "s.yaml", STATIC))
        ok(srv, "apply", "-f", write(workdir, "c2.yaml", CLAIM.replace("name: data", "name: manual-claim")
                                     .replace("spec:\n", "spec:\n  storageClassName: manual\n")))
        wait_for(lambda: c.get(f"{PVCS}/manual-claim")["status"]["phase"] == "Bound", "the static binding")
        assert c.get(f"{PVCS}/manual-claim")["spec"]["volumeName"] == "static-1"
        assert "RWO,ROX" in ok(srv, "get", "pv", "static-1")
        # invalid objects are refused with the API server's field errors
        rc, _, err = k(srv, "apply", "-f", write(workdir, "bad.yaml", STATIC.split("---\n")[1].replace(
            "hostPath: {path: /tmp/kubekit-static-1}", "local: {path: /x}")))
        assert rc == 1 and "spec.nodeAffinity: Required value: Local volume requires node affinity" in err
        # deleting the claims: Delete removes the volume and its directory, Retain keeps it Released
        assert 'persistentvolumeclaim "data" deleted' in ok(srv, "delete", "pvc", "data")
        ok(srv, "delete", "persistentvolumeclaims", "manual-claim")
        wait_for(lambda: volume not in ok(srv, "get", "pv"), "the provisioned volume to be deleted")
        assert not os.path.exists(path)
        wait_for(lambda: c.get(f"{PVS}/static-1")["status"]["phase"] == "Released", "the static volume released")
        assert 'persistentvolume "static-1" deleted' in ok(srv, "delete", "pv", "static-1")
        assert 'storageclass.storage.k8s.io "manual" deleted' in ok(srv, "delete", "sc", "manual")


# -- real containers on the local node ------------------------------------------------------------------

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")


def busybox_pod(name, script, claim, read_only=False, policy="Never"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": policy, "terminationGracePeriodSeconds": 0,
                     "nodeSelector": {"kubernetes.io/hostname": "node-a"},
                     "containers": [{"name": "app", "image": "local/busybox:1", "imagePullPolicy": "Never",
                                     "command": ["/bin/sh", "-c", script],
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim,
                                                                           "readOnly": read_only}}]}}


def phase(c, name):
    return (c.get(f"{PODS}/{name}").get("status") or {}).get("phase")


def log_text(c, name) -> str:
    return b"".join(c.stream(f"{PODS}/{name}/log")).decode()


@root_only
def test_pods_share_data_through_a_claim_in_real_containers(rootfs):
    extra = tempfile.mkdtemp(prefix="kk-pv-static-")
    try:
        with local_node_dirs(rootfs) as kw, running_server(sim_nodes=0, **kw) as srv:
            c = Client(srv.address)
            try:
                c.create(PVCS, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                                "spec": {"accessModes": ["ReadWriteOnce"],
                                         "resources": {"requests": {"storage": "64Mi"}}}})
                c.create(PODS, busybox_pod("writer", "echo hello from writer > /data/msg && id -u > /data/uid",
                                           "data"))
                wait_for(lambda: phase(c, "writer") == "Succeeded", "the writer to finish")
                c.delete(f"{PODS}/writer", grace_period=0)
                wait_for(lambda: not any(p["metadata"]["name"] == "writer" for p in c.get(PODS)["items"]),
                         "the writer to be gone")
                c.create(PODS, busybox_pod("reader", "cat /data/msg; touch /data/x 2>/dev/null || echo read-only",
                                           "data", read_only=True))
                wait_for(lambda: phase(c, "reader") == "Succeeded", "the reader to finish")
                assert log_text(c, "reader") == "hello from writer\nread-only\n"
                volume = c.get(f"{PVCS}/data")["spec"]["volumeName"]
                path = c.get(f"{PVS}/{volume}")["spec"]["hostPath"]["path"]
                assert open(os.path.join(path, "msg")).read() == "hello from writer\n"

                # a pod whose claim is not bound waits, its container not started
                c.create(PVCS, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "later"},
                                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                                         "resources": {"requests": {"storage": "1Gi"}}}})
                waiting = busybox_pod("waiting", "cat /data/seed", "later")
                waiting["spec"]["nodeName"] = "node-a"          # bypass the scheduler: the node agent must wait
                c.create(PODS, waiting)

                def state():
                    cs = (c.get(f"{PODS}/waiting").get("status") or {}).get("containerStatuses") or [{}]
                    return cs[0].get("state") or {}
                wait_for(lambda: (state().get("waiting") or {}).get("reason") == "ContainerCreating",
                         "the container to wait")
                events = c.get("/api/v1/namespaces/default/events")["items"]
                assert any(e["reason"] == "FailedMount" and e["involvedObject"]["name"] == "waiting"
                           and "has non-bound phase" in e["message"] for e in events)
                with open(os.path.join(extra, "seed"), "w") as f:
                    f.write("seeded\n")
                c.create(PVS, {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "seeded"},
                               "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                        "hostPath": {"path": extra}}})
                wait_for(lambda: phase(c, "waiting") == "Succeeded", "the waiting pod to run once bound")
                assert log_text(c, "waiting") == "seeded\n"
            finally:
                for p in c.get(PODS)["items"]:
                    c.delete(f"{PODS}/{p['metadata']['name']}", grace_period=0)
                wait_for(lambda: not srv.local_node.agent.workers, "the local node to tear its pods down")
    finally:
        shutil.rmtree(extra, ignore_errors=True)
