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
    claim["metadata"]["annotations"] = {"pv.kubernetes.io/bind-completed": "yes"}
    store.create(claim)
    store.create(pod("web", "data"))
    loop.run_once()
    assert failed_scheduling(store, "web")[-1] == \
        "0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)."


def test_a_claim_with_a_volume_name_but_no_bind_completed_is_not_bound_yet(world):
    """``isPVCFullyBound``: ``spec.volumeName`` alone (the PV controller has
    not finished binding) is an unbound claim: Immediate mode keeps the pod
    pending with upstream's message, whatever volume it names."""
    store, clock, loop, ctrl = world
    store.create(local_pv("pv-1", "node-1"))
    claim = pvc("data")
    claim["spec"]["volumeName"] = "pv-1"
    store.create(claim)
    store.create(pod("web", "data"))
    loop.run_once()
    assert bound_node(store, "web") is None
    assert failed_scheduling(store, "web")[-1] == \
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    run(loop, ctrl, clock)                            # the PV controller completes the binding
    assert "pv.kubernetes.io/bind-completed" in store.get("PersistentVolumeClaim", "default", "data")["metadata"][
        "annotations"]
    assert bound_node(store, "web") == "node-1"


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


@pytest.mark.parametrize("seed", range(6))
def test_pods_sharing_a_wait_for_first_consumer_claim_land_on_its_selected_node(tmp_path, seed):
    """binder.go FindPodVolumes: once the first pod's node is written as the
    claim's ``volume.kubernetes.io/selected-node``, the second pod (scheduled
    before the PV controller acts) fits that node only."""
    clock = FakeClock()
    store = APIStore(clock=clock)
    for n in ("node-0", "node-1", "node-2"):
        store.create(node(n))
    loop = SchedulingLoop(store, clock, seed=seed)
    ctrl = PersistentVolumeController(store, clock, pods=loop.pods,
                                      provisioner=HostPathProvisioner(str(tmp_path / "hp")))
    loop.start()
    ctrl.start()
    store.create(sc("wffc"))
    store.create(pvc("shared", cls="wffc"))
    store.create(pod("a", "shared"))
    store.create(pod("b", "shared"))
    for _ in range(5):
        loop.run_once()                               # both pods placed before the PV controller runs
    selected = store.get("PersistentVolumeClaim", "default", "shared")["metadata"]["annotations"][ANN_SELECTED_NODE]
    run(loop, ctrl, clock)
    assert bound_node(store, "a") == bound_node(store, "b") == selected
    claim = store.get("PersistentVolumeClaim", "default", "shared")
    assert claim["metadata"]["annotations"][ANN_SELECTED_NODE] == selected
    pv = store.get("PersistentVolume", None, claim["spec"]["volumeName"])
    assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == \
        [selected]


def test_selected_node_of_a_delayed_claim_restricts_the_pod_and_is_never_overwritten(world):
    store, clock, loop, ctrl = world
    store.create(sc("wffc", provisioner="example.com/external"))   # nobody provisions: the claim stays unbound
    claim = pvc("data", cls="wffc")
    claim["metadata"]["annotations"] = {ANN_SELECTED_NODE: "node-1"}
    store.create(claim)
    store.create(pod("web", "data"))
    run(loop, ctrl, clock, 4)
    assert bound_node(store, "web") == "node-1"
    gone = pvc("elsewhere", cls="wffc")
    gone["metadata"]["annotations"] = {ANN_SELECTED_NODE: "node-9"}        # a node that is not there
    store.create(gone)
    store.create(pod("web2", "elsewhere"))
    run(loop, ctrl, clock, 4)
    assert bound_node(store, "web2") is None
    assert failed_scheduling(store, "web2")[-1] == \
        "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind."
    # select_node keeps an existing value
    loop._volumes.select_node(store.get("Pod", "default", "web"), ["data"], "node-2")
    assert store.get("PersistentVolumeClaim", "default", "data")["metadata"]["annotations"][ANN_SELECTED_NODE] == \
        "node-1"


def test_a_pod_with_a_claim_logs_no_unsupported_feature_warning(world, caplog):
    """The scheduling loop handles claims: the scheduler's "does not
    implement; it is ignored" warning must not name them."""
    import logging

    store, clock, loop, ctrl = world
    store.create(sc("local-path"))
    store.create(pvc("data", cls="local-path"))
    store.create(pod("web", "data"))
    with caplog.at_level(logging.WARNING):
        run(loop, ctrl, clock)
    assert bound_node(store, "web") is not None
    assert not [r for r in caplog.records if "persistentVolumeClaim" in r.getMessage()]
