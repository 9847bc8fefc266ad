"""Table tests of the PV controller's pure matching functions, transcribed
from kubernetes/kubernetes ``pkg/controller/volume/persistentvolume/index_test.go``
(``TestMatchVolume``, ``TestMatchingWithBoundVolumes``,
``TestFindingVolumeWithDifferentAccessModes``, ``TestFindingPreboundVolumes``,
``TestBestMatchDelayed``/``TestFindMatchVolumeWithNode``) and
``pkg/volume/util/util_test.go`` (``TestCheckNodeAffinity``)."""

from __future__ import annotations

import pytest

from kubekit.controllers.persistentvolume_rules import (
    check_access_modes, check_node_affinity, check_volume_satisfy_claim, claim_names_of_pod, default_storage_class,
    find_best_match_for_claim, find_matching_volume, intersect_node_selector_terms, is_volume_bound_to_claim,
    volume_mode_mismatch,
)

RWO, ROX, RWX = "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"


def volume(name, size, modes, *, claim_ref=None, labels=None, cls="", phase="Available", mode=None, affinity=None,
           deleting=False):
    m = {"name": name, "uid": name, "labels": labels or {}}
    if deleting:
        m["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec = {"capacity": {"storage": size}, "accessModes": list(modes), "hostPath": {"path": "/x"}}
    if claim_ref is not None:
        spec["claimRef"] = claim_ref
    if cls:
        spec["storageClassName"] = cls
    if mode:
        spec["volumeMode"] = mode
    if affinity is not None:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": affinity}}
    return {"metadata": m, "spec": spec, "status": {"phase": phase}}


def make_pvc(size, modes=(ROX, RWO), *, selector=None, cls=None, mode=None, name="claim01", uid="claim01-uid"):
    """``makePVC``: claim01 in myns asking ROX+RWO."""
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if selector is not None:
        spec["selector"] = selector
    if cls is not None:
        spec["storageClassName"] = cls
    if mode:
        spec["volumeMode"] = mode
    return {"metadata": {"name": name, "namespace": "myns", "uid": uid}, "spec": spec}


def create_test_volumes():
    """``createTestVolumes`` (GCE/Glusterfs volumes, here plain hostPath
    ones: only capacity, modes, claimRef, labels and class matter)."""
    gce, nfs = (RWO, ROX), (RWO, ROX, RWX)
    return [
        volume("gce-pd-10", "10G", gce),
        volume("gce-pd-20", "20G", gce, claim_ref={"uid": "def456"}),
        volume("nfs-5", "5G", nfs),
        volume("gce-pd-1", "1G", gce, claim_ref={"uid": "abc123"}),
        volume("nfs-10", "10G", nfs),
        volume("gce-pd-5", "5G", gce),
        volume("nfs-1", "1G", nfs),
        volume("gce-pd-2", "20000G", (RWO,), labels={"should-exist": "true"}),
        volume("gce-pd-silver1", "10000G", (RWO,), labels={"should-exist": "true"}, cls="silver"),
        volume("gce-pd-silver2", "100G", (RWO,), cls="silver"),
        volume("gce-pd-gold", "50G", (RWO,), cls="gold"),
        volume("gce-pd-block", "10G", gce, mode="Block"),   # not upstream's: the volumeMode filter
    ]


@pytest.mark.parametrize("name,expected,claim", [
    ("successful-match-gce-10", "gce-pd-10", make_pvc("8G")),
    ("successful-match-nfs-5", "nfs-5", make_pvc("5G", (ROX, RWO, RWX))),
    ("successful-skip-1g-bound-volume", "gce-pd-5", make_pvc("1G")),
    ("successful-no-match", None, make_pvc("999G")),
    ("successful-no-match-due-to-label", None, make_pvc("999G", selector={"matchLabels": {"should-not-exist": "true"}})),
    ("successful-no-match-due-to-size-constraint-with-label-selector", None,
     make_pvc("20000G", selector={"matchLabels": {"should-exist": "true"}})),
    ("successful-match-due-with-constraint-and-label-selector", "gce-pd-2",
     make_pvc("20000G", (RWO,), selector={"matchLabels": {"should-exist": "true"}})),
    ("successful-match-with-class", "gce-pd-silver1",
     make_pvc("1G", (RWO,), cls="silver", selector={"matchLabels": {"should-exist": "true"}})),
    ("successful-match-with-class-and-labels", "gce-pd-silver2", make_pvc("1G", (RWO,), cls="silver")),
    ("successful-match-very-large", None, make_pvc("100000G")),
    ("successful-match-exact-extremely-large", "gce-pd-2", make_pvc("20000G", (RWO,))),
    ("successful-match-block-volume-mode", "gce-pd-block", make_pvc("8G", mode="Block")),
    ("failed-match-gold-too-big", None, make_pvc("100G", (RWO,), cls="gold")),
    ("successful-match-gold", "gce-pd-gold", make_pvc("20G", (RWO,), cls="gold")),
])
def test_match_volume(name, expected, claim):
    """``TestMatchVolume``."""
    got = find_best_match_for_claim(claim, create_test_volumes())
    assert (got["metadata"]["name"] if got else None) == expected, name


def test_matching_with_bound_volumes():
    """``TestMatchingWithBoundVolumes``: of two equal volumes the unbound one."""
    vols = [volume("gce001", "1G", (RWO, ROX), claim_ref={"uid": "abc123"}), volume("gce002", "1G", (RWO, ROX))]
    assert find_best_match_for_claim(make_pvc("1G"), vols)["metadata"]["name"] == "gce002"


def test_finding_volume_with_different_access_modes():
    """``TestFindingVolumeWithDifferentAccessModes``: the fewest modes that
    contain the requested ones win."""
    gce = volume("gce", "10G", (RWO, ROX))
    ebs = volume("ebs", "10G", (RWO,))
    nfs = volume("nfs", "10G", (RWO, ROX, RWX))

    def best(modes, vols):
        return find_best_match_for_claim(make_pvc("1G", modes), vols)["metadata"]["name"]

    vols = [gce, ebs, nfs]
    assert best((RWO,), vols) == "ebs"
    assert best((RWO, ROX), vols) == "gce"
    assert best((RWX, RWO, ROX), vols) == "nfs"         # the order of the requested modes does not matter
    assert best((RWX,), vols) == "nfs"                   # fewer modes requested still match
    ebs_bound = volume("ebs", "10G", (RWO,), claim_ref={"name": "other"})
    assert best((RWO,), [gce, ebs_bound, nfs]) == "gce"  # the exact match is bound: next level up
    gce_bound = volume("gce", "10G", (RWO, ROX), claim_ref={"name": "other"})
    assert best((RWO,), [gce_bound, ebs_bound, nfs]) == "nfs"
    assert best((ROX,), [gce, ebs_bound, nfs]) == "gce"  # partial mode request


def test_finding_prebound_volumes():
    """``TestFindingPreboundVolumes``: a volume pre-bound to the claim wins
    over a better free one, unless it is too small or lacks the access modes."""
    claim = make_pvc("1Gi", (RWO,), name="claim01")
    ref = {"kind": "PersistentVolumeClaim", "namespace": "myns", "name": "claim01", "uid": "claim01-uid"}

    def test_volume(name, size, modes=(RWO,), claim_ref=None):
        return volume(name, size, modes, claim_ref=claim_ref)

    def best(*vols):
        return find_best_match_for_claim(claim, vols)["metadata"]["name"]

    pv1, pv5, pv8 = test_volume("pv1", "1Gi"), test_volume("pv5", "5Gi"), test_volume("pv8", "8Gi")
    bad_size, bad_mode = test_volume("pvBadSize", "1Mi"), test_volume("pvBadMode", "1Gi", (ROX,))
    assert best(pv1, pv5, pv8, bad_size, bad_mode) == "pv1"                    # exact match on size
    pv1_other = test_volume("pv1", "1Gi", claim_ref={"name": "foo", "namespace": "bar"})
    assert best(pv1_other, pv5, pv8, bad_size, bad_mode) == "pv5"              # pre-bound elsewhere: next size
    assert best(pv1, pv5, test_volume("pv8", "8Gi", claim_ref=ref), bad_size, bad_mode) == "pv8"
    assert best(pv1, pv5, pv8, test_volume("pvBadSize", "1Mi", claim_ref=ref), bad_mode) == "pv1"
    assert best(pv1, pv5, pv8, bad_size, test_volume("pvBadMode", "1Gi", (ROX,), claim_ref=ref)) == "pv1"


def test_delayed_binding_only_returns_prebound_volumes():
    """``TestBestMatchDelayed``: with delayBinding and no node the PV
    controller does not pick free volumes."""
    claim = make_pvc("1G", (RWO,))
    free = volume("free", "1G", (RWO,))
    assert find_best_match_for_claim(claim, [free], delay_binding=True) is None
    pre = volume("pre", "1G", (RWO,), claim_ref={"namespace": "myns", "name": "claim01"})
    assert find_best_match_for_claim(claim, [free, pre], delay_binding=True)["metadata"]["name"] == "pre"


def test_skips_deleting_and_non_available_volumes():
    claim = make_pvc("1G", (RWO,))
    assert find_best_match_for_claim(claim, [volume("d", "1G", (RWO,), deleting=True)]) is None
    assert find_best_match_for_claim(claim, [volume("r", "1G", (RWO,), phase="Released")]) is None


def _affinity(node):
    return [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]


def test_find_matching_volume_with_node():
    """``TestFindMatchVolumeWithNode``: the node must satisfy the volume's
    affinity, and in the scheduler path the access modes are checked."""
    claim = make_pvc("1G", (RWO,))
    node1 = {"metadata": {"name": "node1", "labels": {"kubernetes.io/hostname": "node1"}}}
    node2 = {"metadata": {"name": "node2", "labels": {"kubernetes.io/hostname": "node2"}}}
    v1 = volume("local-1", "1G", (RWO,), affinity=_affinity("node1"))
    v2 = volume("local-2", "2G", (RWO,), affinity=_affinity("node2"))
    rox = volume("rox-on-2", "1G", (ROX,), affinity=_affinity("node2"))
    assert find_matching_volume(claim, [v1, v2, rox], node=node1)["metadata"]["name"] == "local-1"
    assert find_matching_volume(claim, [v1, v2, rox], node=node2)["metadata"]["name"] == "local-2"
    assert find_matching_volume(claim, [v1, v2], node=node2, excluded={"local-2"}) is None
    pre = volume("pre", "1G", (RWO,), affinity=_affinity("node1"), claim_ref={"namespace": "myns",
                                                                                 "name": "claim01"})
    assert find_matching_volume(claim, [pre, v2], node=node2) is None   # pre-bound but unreachable: no match


@pytest.mark.parametrize("terms,labels,ok", [
    (None, {}, True),                                                                     # no affinity
    (_affinity("node1"), {"kubernetes.io/hostname": "node1"}, True),
    (_affinity("node1"), {"kubernetes.io/hostname": "node2"}, False),
    ([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
      {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}], {"zone": "b"}, True),   # ORed
    ([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                            {"key": "rack", "operator": "Exists"}]}], {"zone": "a"}, False),           # ANDed
    ([{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}], {"zone": "c"}, True),
])
def test_check_node_affinity(terms, labels, ok):
    """``TestCheckNodeAffinity``."""
    v = volume("v", "1G", (RWO,), affinity=terms) if terms is not None else volume("v", "1G", (RWO,))
    assert check_node_affinity(v, labels) is ok


@pytest.mark.parametrize("claim_modes,volume_modes,ok", [
    ((RWO,), (RWO,), True),
    ((RWO,), (RWO, ROX), True),
    ((RWO, RWX), (RWO,), False),
    ((), (RWO,), True),
    (("ReadWriteOncePod",), (RWO,), False),
    (("ReadWriteOncePod",), ("ReadWriteOncePod",), True),
])
def test_check_access_modes(claim_modes, volume_modes, ok):
    """``CheckAccessModes``: the volume offers every requested mode."""
    assert check_access_modes(make_pvc("1G", claim_modes), volume("v", "1G", volume_modes)) is ok


@pytest.mark.parametrize("claim_mode,volume_mode,mismatch", [
    (None, None, False), ("Filesystem", None, False), ("Block", None, True), ("Block", "Block", False),
    (None, "Block", True),
])
def test_volume_mode_mismatch(claim_mode, volume_mode, mismatch):
    """``TestCheckVolumeModeMismatches`` (unset is Filesystem)."""
    assert volume_mode_mismatch({"volumeMode": claim_mode} if claim_mode else {},
                                {"volumeMode": volume_mode} if volume_mode else {}) is mismatch


def test_is_volume_bound_to_claim_and_satisfy():
    claim = make_pvc("2G", (RWO,))
    assert not is_volume_bound_to_claim(volume("v", "1G", (RWO,)), claim)
    assert is_volume_bound_to_claim(volume("v", "1G", (RWO,), claim_ref={"namespace": "myns", "name": "claim01"}),
                                    claim)
    assert not is_volume_bound_to_claim(volume("v", "1G", (RWO,), claim_ref={"namespace": "other",
                                                                              "name": "claim01"}), claim)
    assert check_volume_satisfy_claim(volume("v", "1G", (RWO,)), claim) == "requested PV is too small"
    assert check_volume_satisfy_claim(volume("v", "2G", (RWO,), cls="x"), claim) == "storageClassName does not match"
    assert check_volume_satisfy_claim(volume("v", "2G", (ROX,)), claim) == "incompatible accessMode"
    assert check_volume_satisfy_claim(volume("v", "2G", (RWO,), mode="Block"), claim) == "incompatible volumeMode"
    assert check_volume_satisfy_claim(volume("v", "2G", (RWO, RWX)), claim) is None


def test_a_volume_marked_for_deletion_does_not_satisfy_a_claim():
    """``checkVolumeSatisfyClaim``'s first check: the deletionTimestamp."""
    claim = make_pvc("1G", (RWO,))
    assert check_volume_satisfy_claim(volume("dying", "2G", (RWO,), deleting=True), claim) == \
        'the volume is marked for deletion "dying"'
    # before the size check, as upstream
    assert check_volume_satisfy_claim(volume("dying", "1M", (RWO,), deleting=True), claim) == \
        'the volume is marked for deletion "dying"'


def test_intersect_node_selector_terms_is_the_cross_product():
    a = [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
         {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]
    b = [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]
    out = intersect_node_selector_terms(a, b)
    assert out == [{"matchExpressions": a[0]["matchExpressions"] + b[0]["matchExpressions"]},
                   {"matchExpressions": a[1]["matchExpressions"] + b[0]["matchExpressions"]}]
    two = b + [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["n2"]}]}]
    out = intersect_node_selector_terms(a, two)           # (a1 or a2) and (b1 or b2): four terms
    assert [[e["values"][0] for e in t["matchExpressions"]] for t in out] == [
        ["a", "n1"], ["a", "n2"], ["b", "n1"], ["b", "n2"]]
    assert intersect_node_selector_terms(None, b) == b and intersect_node_selector_terms(a, None) == a
    assert intersect_node_selector_terms(None, None) is None
    fields = [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]
    assert intersect_node_selector_terms(b, fields) == [{**b[0], **fields[0]}]


def test_default_storage_class_newest_wins():
    def sc(name, ts, default=True):
        return {"metadata": {"name": name, "creationTimestamp": ts, "annotations": {
            "storageclass.kubernetes.io/is-default-class": "true" if default else "false"}}}
    assert default_storage_class([sc("a", "2026-01-01T00:00:00Z"), sc("b", "2026-02-01T00:00:00Z"),
                                  sc("c", "2026-03-01T00:00:00Z", default=False)])["metadata"]["name"] == "b"
    assert default_storage_class([sc("c", "2026-03-01T00:00:00Z", default=False)]) is None
    # equal timestamps: the name ascending (upstream: newest first, then Name <)
    same = "2026-04-01T00:00:00Z"
    for order in (("b", "a", "c"), ("c", "b", "a"), ("a", "c", "b")):
        assert default_storage_class([sc(n, same) for n in order])["metadata"]["name"] == "a"
    assert default_storage_class([sc("a", "2026-01-01T00:00:00Z"), sc("z", same), sc("y", same)]
                                 )["metadata"]["name"] == "y"
    beta = {"metadata": {"name": "beta", "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"}}}
    assert default_storage_class([beta])["metadata"]["name"] == "beta"


def test_claim_names_of_pod():
    pod = {"spec": {"volumes": [{"name": "a", "persistentVolumeClaim": {"claimName": "x"}}, {"name": "b", "emptyDir": {}},
                                {"name": "c", "persistentVolumeClaim": {"claimName": "y"}},
                                {"name": "d", "persistentVolumeClaim": {"claimName": "x"}}]}}
    assert claim_names_of_pod(pod) == ["x", "y"]
    assert claim_names_of_pod({"spec": {}}) == []
