"""Volume binding in the scheduling loop (upstream
``pkg/scheduler/framework/plugins/volumebinding``): claims that do not exist
or are unbound in Immediate mode keep a pod pending, a bound volume's node
affinity restricts its nodes, WaitForFirstConsumer claims are given the
chosen node and provisioned or bound there.  The SchedulingLoop, the PV
controller and the store run on a fake clock."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.events import events_for
from kubekit.cluster.scheduling import SchedulingLoop
from kubekit.cluster.volumebinding import _with_required_terms, uses_claims
from kubekit.controllers.persistentvolume import PersistentVolumeController
from kubekit.controllers.persistentvolume_hostpath import HostPathProvisioner
from kubekit.controllers.persistentvolume_rules import ANN_SELECTED_NODE
from kubekit.store import APIStore


def node(name):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {}, "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                                   "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}


def pod(name, *claims, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}],
                     "volumes": [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}}
                                 for i, c in enumerate(claims)], **spec}}


def local_pv(name, node_name, size="1Gi", cls="", modes=("ReadWriteOnce",)):
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls,
                     "persistentVolumeReclaimPolicy": "Retain", "local": {"path": f"/mnt/{name}"},
                     "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                         {"key": "kubernetes.io/hostname", "operator": "In", "values": [node_name]}]}]}}},
            "status": {"phase": "Pending"}}


def pvc(name, cls="", size="1Gi"):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                     "storageClassName": cls}, "status": {"phase": "Pending"}}


def sc(name, mode="WaitForFirstConsumer", provisioner="kubekit.dev/hostpath"):
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": provisioner, "reclaimPolicy": "Delete", "volumeBindingMode": mode}


@pytest.fixture
def world(tmp_path):
    clock = FakeClock()
    store = APIStore(clock=clock)
    for n in ("node-0", "node-1", "node-2"):
        store.create(node(n))
    loop = SchedulingLoop(store, clock, seed=1)
    ctrl = PersistentVolumeController(store, clock, pods=loop.pods,
                                      provisioner=HostPathProvisioner(str(tmp_path / "hp")))
    loop.start()
    ctrl.start()
    return store, clock, loop, ctrl


def run(loop, ctrl, clock, rounds=20):
    for _ in range(rounds):
        did = loop.run_once() + ctrl.run_once()
        if not did:
            clock.advance(10)                        # let backoffs end


def bound_node(store, name):
    return store.get("Pod", "default", name)["spec"].get("nodeName")


def failed_scheduling(store, name):
    p = store.get("Pod", "default", name)
    return [e["message"] for e in events_for(store, p) if e["reason"] == "FailedScheduling"]


def test_missing_claim_keeps_the_pod_pending_until_it_exists(world):
    store, clock, loop, ctrl = world
    store.create(pod("web", "data"))
    run(loop, ctrl, clock, 3)
    assert bound_node(store, "web") is None
    assert failed_scheduling(store, "web")[-1] == '0/3 nodes are available: persistentvolumeclaim "data" not found.'
    store.create(local_pv("pv-1", "node-2"))
    store.create(pvc("data"))
    run(loop, ctrl, clock)
    assert bound_node(store, "web") == "node-2"      # the bound local volume's node


def test_unbound_immediate_claim_is_unschedulable(world):
    store, clock, loop, ctrl = world
    store.create(pvc("data", size="5Gi"))             # no volume, no class: stays Pending
    store.create(pod("web", "data"))
    run(loop, ctrl, clock, 3)
    assert bound_node(store, "web") is None
    assert failed_scheduling(store, "web")[-1] == \
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    cond = next(c for c in store.get("Pod", "default", "web")["status"]["conditions"] if c["type"] == "PodScheduled")
    assert cond["reason"] == "Unschedulable"


def test_volume_node_affinity_conflict_message(world):
    store, clock, loop, ctrl = world
    store.create(local_pv("pv-1", "node-1"))
    store.create(pvc("data"))
    run(loop, ctrl, clock, 3)
    store.create(pod("web", "data", nodeSelector={"kubernetes.io/hostname": "node-0"}))
    run(loop, ctrl, clock, 3)
    assert bound_node(store, "web") is None
    assert failed_scheduling(store, "web")[-1] == (
        "0/3 nodes are available: 1 node(s) had volume node affinity conflict, "
        "2 node(s) didn't match Pod's node affinity/selector.")


def test_bound_claim_to_a_missing_volume(world):
    store, clock, loop, ctrl = world
    claim = pvc("data")
    claim["spec"]["volumeName"] = "gone"
    store.create(claim)
    store.create(pod("web", "data"))
    loop.run_once()
    assert failed_scheduling(store, "web")[-1] == \
        "0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)."


def test_wait_for_first_consumer_provisions_on_the_chosen_node(world):
    store, clock, loop, ctrl = world
    store.create(sc("local-path"))
    store.create(pvc("data", cls="local-path"))
    run(loop, ctrl, clock, 3)
    assert store.get("PersistentVolumeClaim", "default", "data")["status"]["phase"] == "Pending"
    store.create(pod("web", "data"))
    run(loop, ctrl, clock)
    chosen = bound_node(store, "web")
    assert chosen is not None
    claim = store.get("PersistentVolumeClaim", "default", "data")
    assert claim["metadata"]["annotations"][ANN_SELECTED_NODE] == chosen
    assert claim["status"]["phase"] == "Bound"
    pv = store.get("PersistentVolume", None, claim["spec"]["volumeName"])
    assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == [chosen]
    # a second pod of the same claim now follows the volume
    store.create(pod("web2", "data"))
    run(loop, ctrl, clock)
    assert bound_node(store, "web2") == chosen


def test_wait_for_first_consumer_with_static_local_volumes(world):
    store, clock, loop, ctrl = world
    store.create(sc("local-storage", provisioner="kubernetes.io/no-provisioner"))
    store.create(local_pv("local-on-1", "node-1", cls="local-storage"))
    store.create(pvc("data", cls="local-storage"))
    store.create(pod("web", "data"))
    run(loop, ctrl, clock)
    assert bound_node(store, "web") == "node-1"
    assert store.get("PersistentVolumeClaim", "default", "data")["spec"]["volumeName"] == "local-on-1"
    store.create(pvc("more", cls="local-storage"))       # no volume left for this one
    store.create(pod("web2", "more"))
    run(loop, ctrl, clock, 4)
    assert bound_node(store, "web2") is None
    assert failed_scheduling(store, "web2")[-1] == \
        "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind."


def test_pods_without_claims_take_the_fast_path(world):
    store, clock, loop, ctrl = world
    store.create(pod("plain"))
    run(loop, ctrl, clock, 2)
    assert bound_node(store, "plain") is not None
    assert loop._volumes is None                      # no volume informers were started


def test_uses_claims_and_affinity_intersection():
    assert uses_claims(pod("x", "c")) and not uses_claims(pod("y"))
    p = pod("x", "c", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
                              {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}})
    vol = [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]
    out = _with_required_terms(p, [vol])
    terms = out["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"]
    assert [len(t["matchExpressions"]) for t in terms] == [2, 2]
    assert all(t["matchExpressions"][1]["values"] == ["n1"] for t in terms)
    assert p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"][0]["matchExpressions"] == [{"key": "zone", "operator": "In", "values": ["a"]}]
