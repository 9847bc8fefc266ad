"""PersistentVolume, PersistentVolumeClaim and StorageClass validation: the
tables of upstream ``pkg/apis/core/validation/validation_test.go``
(TestValidatePersistentVolumes, TestValidatePersistentVolumeSourceUpdate,
TestValidatePersistentVolumeClaim / testValidatePVC,
TestValidatePersistentVolumeClaimUpdate, TestValidateLocalVolumes,
TestValidateVolumeNodeAffinityUpdate, TestAlphaVolumeMode) and
``pkg/apis/storage/validation/validation_test.go``
(TestValidateStorageClass, TestValidateStorageClassUpdate,
TestValidateAllowedTopologies) transcribed for the sources kubekit supports
(hostPath and local), plus the defaulting."""

from __future__ import annotations

import copy

import pytest

from kubekit.validation import check, check_update, validate, validate_update
from kubekit.validation.field import InvalidError

AFFINITY = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
    {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}]}}


def pv(name="foo", capacity=None, modes=("ReadWriteOnce",), source=None, policy=None, cls=None, mode=None,
       affinity=None, **spec_extra):
    spec = {"capacity": {"storage": "10G"} if capacity is None else capacity, "accessModes": list(modes)}
    spec.update(source if source is not None else {"hostPath": {"path": "/foo", "type": "DirectoryOrCreate"}})
    if policy is not None:
        spec["persistentVolumeReclaimPolicy"] = policy
    if cls is not None:
        spec["storageClassName"] = cls
    if mode is not None:
        spec["volumeMode"] = mode
    if affinity is not None:
        spec["nodeAffinity"] = affinity
    spec.update(spec_extra)
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "resourceVersion": "1"},
            "spec": spec}


def pvc(name="foo", ns="ns", modes=("ReadWriteOnce", "ReadOnlyMany"), requests=None, cls=None, mode=None,
        selector=None, volume_name=None, phase=None, capacity=None):
    spec = {"accessModes": list(modes),
            "resources": {"requests": {"storage": "10G"} if requests is None else requests}}
    if cls is not None:
        spec["storageClassName"] = cls
    if mode is not None:
        spec["volumeMode"] = mode
    if selector is not None:
        spec["selector"] = selector
    if volume_name is not None:
        spec["volumeName"] = volume_name
    out = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
           "metadata": {"name": name, "namespace": ns, "resourceVersion": "1"}, "spec": spec}
    if phase is not None:
        out["status"] = {"phase": phase}
        if capacity is not None:
            out["status"]["capacity"] = {"storage": capacity}
    return out


def sc(name="foo", provisioner="kubernetes.io/foo-provisioner", params=None, policy=None, mode=None, topo=None):
    out = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
           "metadata": {"name": name, "resourceVersion": "1"}, "provisioner": provisioner}
    if params is not None:
        out["parameters"] = params
    if policy is not None:
        out["reclaimPolicy"] = policy
    if mode is not None:
        out["volumeBindingMode"] = mode
    if topo is not None:
        out["allowedTopologies"] = topo
    return out


def errors(obj):
    return [str(e) for e in validate(obj)]


# --- PersistentVolume ----------------------------------------------------------------------

@pytest.mark.parametrize("name,obj,want", [
    ("good-volume", pv(), []),
    ("good-volume-with-capacity-unit", pv(capacity={"storage": "10Gi"}), []),
    ("good-volume-without-capacity-unit", pv(capacity={"storage": "10"}), []),
    ("good-volume-with-storage-class", pv(cls="valid"), []),
    ("good-volume-with-retain-policy", pv(policy="Retain"), []),
    ("good-volume-with-volume-mode", pv(mode="Block"), []),
    ("good-local-volume", pv(source={"local": {"path": "/foo"}}, affinity=AFFINITY), []),
    ("good-volume-rwop", pv(modes=("ReadWriteOncePod",)), []),
    ("invalid-accessmode", pv(modes=("fakemode",)),
     ['spec.accessModes: Unsupported value: "fakemode": supported values: "ReadOnlyMany", "ReadWriteMany", '
      '"ReadWriteOnce", "ReadWriteOncePod"']),
    ("invalid-reclaimpolicy", pv(policy="fakeReclaimPolicy"),
     ['spec.persistentVolumeReclaimPolicy: Unsupported value: "fakeReclaimPolicy": supported values: "Delete", '
      '"Recycle", "Retain"']),
    ("unexpected-namespace", {**pv(), "metadata": {"name": "foo", "namespace": "unexpected-namespace"}},
     ["metadata.namespace: Forbidden: not allowed on this type"]),
    ("missing-volume-source", pv(source={}), ["spec: Required value: must specify a volume type"]),
    ("bad-name", pv(name="123*Bad(Name"), None),
    ("missing-name", pv(name=""), ["metadata.name: Required value: name or generateName is required"]),
    ("missing-capacity", pv(capacity={}),
     ["spec.capacity: Required value", 'spec.capacity: Unsupported value: []: supported values: "storage"']),
    ("bad-volume-zero-capacity", pv(capacity={"storage": "0"}),
     ['spec.capacity[storage]: Invalid value: "0": must be greater than zero']),
    ("missing-accessmodes", pv(modes=()), ["spec.accessModes: Required value"]),
    ("too-many-sources", pv(source={"hostPath": {"path": "/foo"}, "local": {"path": "/bar"}}, affinity=AFFINITY),
     ["spec.local: Forbidden: may not specify more than 1 volume type"]),
    ("host-path-illegal-path", pv(source={"hostPath": {"path": "/a/.."}}),
     ["spec.hostPath.path: Invalid value: \"/a/..\": must not contain '..'"]),
    ("host-path-illegal-path-backsteps", pv(source={"hostPath": {"path": "/a/../b"}}), None),
    ("bad-hostpath-type", pv(source={"hostPath": {"path": "/foo", "type": "Nonsense"}}), None),
    ("bad-recycle-do-not-want", pv(source={"hostPath": {"path": "/"}}, policy="Recycle"),
     ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]),
    # path.Clean(path) == "/": a recycler would empty the root directory
    ("bad-recycle-root-dot", pv(source={"hostPath": {"path": "/."}}, policy="Recycle"),
     ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]),
    ("bad-recycle-root-dot-slash", pv(source={"hostPath": {"path": "/./"}}, policy="Recycle"),
     ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]),
    ("bad-recycle-root-double-slash", pv(source={"hostPath": {"path": "//"}}, policy="Recycle"),
     ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]),
    ("good-recycle-dot-subdir", pv(source={"hostPath": {"path": "/./srv"}}, policy="Recycle"), []),
    ("invalid-storage-class-name", pv(cls="-invalid-"), None),
    ("bad-volume-mode", pv(mode="fakeVolumeMode"),
     ['spec.volumeMode: Unsupported value: "fakeVolumeMode": supported values: "Block", "Filesystem"']),
    ("bad-rwop-with-others", pv(modes=("ReadWriteOncePod", "ReadWriteMany")),
     ["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"]),
    ("bad-capacity-resource", pv(capacity={"storage": "10G", "cpu": "1"}), None),
    ("unsupported-source", pv(source={"nfs": {"server": "x", "path": "/y"}}),
     ['spec.nfs: Unsupported value: "nfs": supported values: "hostPath", "local"']),
    # TestValidateLocalVolumes
    ("local-volume-no-affinity", pv(source={"local": {"path": "/foo"}}),
     ["spec.nodeAffinity: Required value: Local volume requires node affinity"]),
    ("local-volume-empty-path", pv(source={"local": {"path": ""}}, affinity=AFFINITY),
     ["spec.local.path: Required value"]),
    ("local-volume-backsteps", pv(source={"local": {"path": "/foo/.."}}, affinity=AFFINITY), None),
    ("local-volume-empty-affinity", pv(source={"local": {"path": "/foo"}}, affinity={}),
     ["spec.nodeAffinity.required: Required value: must specify required node constraints"]),
    ("affinity-no-terms", pv(affinity={"required": {"nodeSelectorTerms": []}}),
     ["spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term"]),
    ("affinity-bad-operator", pv(affinity={"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "k", "operator": "Bogus", "values": ["v"]}]}]}}), None),
    ("claim-ref-not-an-object", pv(claimRef="ns/name"), ['spec.claimRef: Invalid value: "ns/name": must be an object']),
])
def test_validate_persistent_volumes(name, obj, want):
    got = errors(obj)
    if want is None:
        assert got, name
    else:
        assert got == want, name


def test_persistent_volume_defaults():
    out = check(pv())
    assert out["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert out["spec"]["volumeMode"] == "Filesystem"
    assert out["status"] == {"phase": "Pending"}


@pytest.mark.parametrize("name,change,ok", [
    ("no change", lambda s: None, True),
    ("capacity may change", lambda s: s["capacity"].update(storage="20G"), True),
    ("reclaim policy may change", lambda s: s.update(persistentVolumeReclaimPolicy="Delete"), True),
    ("claimRef may be set", lambda s: s.update(claimRef={"namespace": "ns", "name": "c"}), True),
    ("source is immutable", lambda s: s["hostPath"].update(path="/bar"), False),
    ("volume mode is immutable", lambda s: s.update(volumeMode="Block"), False),
])
def test_validate_persistent_volume_update(name, change, ok):
    """``TestValidatePersistentVolumeSourceUpdate`` / ``TestValidatePVVolumeModeUpdate``."""
    old = pv(policy="Retain", mode="Filesystem")
    new = copy.deepcopy(old)
    change(new["spec"])
    errs = [str(e) for e in validate_update(new, old)]
    assert (not errs) is ok, (name, errs)
    if name == "source is immutable":
        assert errs == ["spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after "
                        "creation"]


def test_volume_node_affinity_is_immutable_once_set():
    """``TestValidateVolumeNodeAffinityUpdate`` (nil to set is allowed)."""
    old = pv(source={"local": {"path": "/foo"}}, affinity=AFFINITY)
    new = copy.deepcopy(old)
    new["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] = ["node-2"]
    assert any("spec.nodeAffinity" in str(e) and "immutable" in str(e) for e in validate_update(new, old))
    no_affinity = pv()
    with_affinity = pv(affinity=AFFINITY)
    assert validate_update(with_affinity, no_affinity) == []


# --- PersistentVolumeClaim -----------------------------------------------------------------

@pytest.mark.parametrize("name,obj,want", [
    ("good-claim", pvc(selector={"matchExpressions": [{"key": "key2", "operator": "Exists"}]}), []),
    ("good-claim-rwop", pvc(modes=("ReadWriteOncePod",)), []),
    ("good-claim-class", pvc(cls="standard"), []),
    ("good-claim-empty-class", pvc(cls=""), []),
    ("good-claim-volume-mode-block", pvc(mode="Block"), []),
    ("invalid-claim-zero-capacity", pvc(requests={"storage": "0G"}),
     ['spec.resources[storage]: Invalid value: "0": must be greater than zero']),
    ("invalid-label-selector", pvc(selector={"matchExpressions": [{"key": "key2", "operator": "InvalidOp",
                                                                   "values": ["value1", "value2"]}]}), None),
    ("invalid-accessmode", pvc(modes=("fakemode",)), None),
    ("no-access-modes", pvc(modes=()), ["spec.accessModes: Required value: at least 1 access mode is required"]),
    ("no-resource-requests", pvc(requests={}), ["spec.resources[storage]: Required value"]),
    ("invalid-resource-requests", pvc(requests={"memory": "10G"}), ["spec.resources[storage]: Required value"]),
    ("negative-storage-request", pvc(requests={"storage": "-10G"}),
     ['spec.resources[storage]: Invalid value: "-10G": must be greater than or equal to 0',
      'spec.resources[storage]: Invalid value: "-10G": must be greater than zero']),
    ("invalid-storage-class-name", pvc(cls="-invalid-"), None),
    ("invalid-volume-mode", pvc(mode="fakeVolumeMode"),
     ['spec.volumeMode: Unsupported value: "fakeVolumeMode": supported values: "Block", "Filesystem"']),
    ("rwop-with-other-modes", pvc(modes=("ReadWriteOncePod", "ReadWriteOnce")),
     ["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"]),
    ("bad-quantity", pvc(requests={"storage": "ten gigs"}), None),
])
def test_validate_persistent_volume_claim(name, obj, want):
    got = errors(obj)
    if want is None:
        assert got, name
    else:
        assert got == want, name


def test_persistent_volume_claim_defaults():
    out = check(pvc())
    assert out["spec"]["volumeMode"] == "Filesystem" and out["status"] == {"phase": "Pending"}


IMMUTABLE = ("spec: Forbidden: spec is immutable after creation except resources.requests and "
             "volumeAttributesClassName for bound claims")


@pytest.mark.parametrize("name,old,new,want", [
    ("valid-update-volume-name-on-unbound", pvc(), pvc(volume_name="volume"), []),
    ("invalid-update-change-volume-name", pvc(volume_name="volume"), pvc(volume_name="other"), [IMMUTABLE]),
    ("invalid-update-change-access-modes", pvc(), pvc(modes=("ReadWriteOnce",)), [IMMUTABLE]),
    ("invalid-update-change-storage-class", pvc(cls="foo"), pvc(cls="bar"), [IMMUTABLE]),
    ("invalid-update-change-selector", pvc(), pvc(selector={"matchLabels": {"a": "b"}}), [IMMUTABLE]),
    ("invalid-update-change-volume-mode", pvc(mode="Filesystem"), pvc(mode="Block"), [IMMUTABLE]),
    ("valid-expand-bound-claim", pvc(phase="Bound", capacity="10G"),
     pvc(phase="Bound", capacity="10G", requests={"storage": "15G"}), []),
    ("invalid-expand-unbound-claim", pvc(phase="Pending"), pvc(phase="Pending", requests={"storage": "15G"}),
     [IMMUTABLE]),
    ("invalid-shrink-below-capacity", pvc(phase="Bound", capacity="10G"),
     pvc(phase="Bound", capacity="10G", requests={"storage": "5G"}),
     ["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"]),
    # upstream invalid-expand-shrink-to-status-resize-enabled: newSize <= statusSize is forbidden
    ("invalid-shrink-to-status-capacity", pvc(phase="Bound", capacity="10G", requests={"storage": "20G"}),
     pvc(phase="Bound", capacity="10G", requests={"storage": "10G"}),
     ["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"]),
    ("valid-shrink-to-capacity-after-failed-expansion", pvc(phase="Bound", capacity="10G", requests={"storage": "20G"}),
     pvc(phase="Bound", capacity="10G", requests={"storage": "12G"}), []),
    ("valid-set-default-class-retroactively", pvc(), pvc(cls="standard"), []),
])
def test_validate_persistent_volume_claim_update(name, old, new, want):
    """``TestValidatePersistentVolumeClaimUpdate`` (with
    RecoverVolumeExpansionFailure and RetroactiveDefaultStorageClass, both GA)."""
    assert [str(e) for e in validate_update(new, old)] == want, name


# --- StorageClass --------------------------------------------------------------------------

@pytest.mark.parametrize("name,obj,want", [
    ("no parameters", sc(), []),
    ("some parameters", sc(params={"kubernetes.io/foo-parameter": "free/form/string", "foo-parameter": "free-form",
                                   "foo-parameter2": '{"embedded": "json", "with": {"structures":"inside"}}'}), []),
    ("retain policy", sc(policy="Retain"), []),
    ("wait for first consumer", sc(mode="WaitForFirstConsumer"), []),
    ("empty provisioner", sc(provisioner=""), ["provisioner: Required value"]),
    ("invalid provisioner", sc(provisioner="kubernetes.io/invalid/provisioner"), None),
    ("invalid empty parameter name", sc(params={"": "value"}), ['parameters: Invalid value: "": field can not be empty.']),
    ("invalid reclaimpolicy", sc(policy="invalid"),
     ['reclaimPolicy: Unsupported value: "invalid": supported values: "Delete", "Retain"']),
    ("invalid binding mode", sc(mode="invalid"),
     ['volumeBindingMode: Unsupported value: "invalid": supported values: "Immediate", "WaitForFirstConsumer"']),
    ("topology without expressions", sc(topo=[{"matchLabelExpressions": []}]), None),
    ("topology key without values", sc(topo=[{"matchLabelExpressions": [{"key": "zone", "values": []}]}]), None),
    ("namespace forbidden", {**sc(), "metadata": {"name": "foo", "namespace": "x"}},
     ["metadata.namespace: Forbidden: not allowed on this type"]),
])
def test_validate_storage_class(name, obj, want):
    """``TestValidateStorageClass`` (after defaulting: Delete, Immediate)."""
    got = errors(obj)
    if want is None:
        assert got, name
    else:
        assert got == want, name


def test_storage_class_defaults_and_update():
    out = check(sc())
    assert out["reclaimPolicy"] == "Delete" and out["volumeBindingMode"] == "Immediate"
    old = sc(params={"a": "b"})
    new = sc(params={"a": "c"}, policy="Retain", provisioner="example.com/other")
    msgs = [str(e) for e in validate_update(new, old)]
    assert "parameters: Forbidden: updates to parameters are forbidden." in msgs
    assert "provisioner: Forbidden: updates to provisioner are forbidden." in msgs
    assert "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden." in msgs
    labels_only = copy.deepcopy(old)
    labels_only["metadata"]["labels"] = {"x": "y"}
    assert validate_update(labels_only, old) == []
    with pytest.raises(InvalidError, match='StorageClass.storage.k8s.io "foo" is invalid'):
        check_update(sc(mode="WaitForFirstConsumer"), sc())
