"""Revisions, new/old ReplicaSets, history clean-up, rollback.  Upstream tables:
``deployment/util/deployment_util_test.go`` (TestEqualIgnoreHash,
TestFindNewReplicaSet, TestFindOldReplicaSets, TestAnnotationUtils) and
``deployment/sync_test.go`` (TestDeploymentController_cleanupDeployment,
TestDeploymentController_cleanupDeploymentOrder).  Rollback rows are kubekit's,
derived from ``rollback.go``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ctrl_builders import NOW, deployment, rs
from kubekit.controllers.deployment_rules import nonnegative_int32_annotation
from kubekit.controllers import (
    cleanup_deployment, equal_ignore_hash, find_new_rs, find_old_rss, is_saturated, last_revision, max_revision,
    pod_template_hash, replicas_annotations_need_update, rollback_target, set_new_replica_set_annotations, set_replicas_annotations,
    template_for_rollback,
)

HASH = "pod-template-hash"


def pts(name, node, annotations, labels):
    """``generatePodTemplateSpec(name, nodeName, annotations, labels)``."""
    return {"metadata": {"name": name, "annotations": annotations, "labels": labels}, "spec": {"nodeName": node}}


EQUAL_IGNORE_HASH = [
    ("Same spec, same labels", pts("foo", "foo-node", {}, {HASH: "value-1", "something": "else"}),
     pts("foo", "foo-node", {}, {HASH: "value-1", "something": "else"}), True),
    ("Same spec, only pod-template-hash label value is different",
     pts("foo", "foo-node", {}, {HASH: "value-1", "something": "else"}),
     pts("foo", "foo-node", {}, {HASH: "value-2", "something": "else"}), True),
    ("Same spec, the former doesn't have pod-template-hash label", pts("foo", "foo-node", {}, {"something": "else"}),
     pts("foo", "foo-node", {}, {HASH: "value-2", "something": "else"}), True),
    ("Same spec, the label is different, the former doesn't have pod-template-hash label, same number of labels",
     pts("foo", "foo-node", {}, {"something": "else"}), pts("foo", "foo-node", {}, {HASH: "value-2"}), False),
    ("Same spec, the label is different, the latter doesn't have pod-template-hash label, same number of labels",
     pts("foo", "foo-node", {}, {HASH: "value-1"}), pts("foo", "foo-node", {}, {"something": "else"}), False),
    ("Same spec, the label is different, and the pod-template-hash label value is the same",
     pts("foo", "foo-node", {}, {HASH: "value-1"}), pts("foo", "foo-node", {}, {HASH: "value-1", "something": "else"}),
     False),
    ("Different spec, same labels", pts("foo", "foo-node", {"former": "value"}, {HASH: "value-1", "something": "else"}),
     pts("foo", "foo-node", {"latter": "value"}, {HASH: "value-1", "something": "else"}), False),
    ("Different spec, different pod-template-hash label value",
     pts("foo-1", "foo-node", {}, {HASH: "value-1", "something": "else"}),
     pts("foo-2", "foo-node", {}, {HASH: "value-2", "something": "else"}), False),
    ("Different spec, the former doesn't have pod-template-hash label",
     pts("foo-1", "foo-node-1", {}, {"something": "else"}),
     pts("foo-2", "foo-node-2", {}, {HASH: "value-2", "something": "else"}), False),
    ("Different spec, different labels", pts("foo", "foo-node-1", {}, {"something": "else"}),
     pts("foo", "foo-node-2", {}, {"nothing": "else"}), False),
]


@pytest.mark.parametrize("name,former,latter,expected", EQUAL_IGNORE_HASH,
                         ids=[f"TestEqualIgnoreHash/{r[0]}" for r in EQUAL_IGNORE_HASH])
def test_equal_ignore_hash(name, former, latter, expected):
    before = (repr(former), repr(latter))
    assert equal_ignore_hash(former, latter) is expected
    assert equal_ignore_hash(latter, former) is expected  # reverse order
    assert (repr(former), repr(latter)) == before  # inputs untouched (upstream: labels not nil-ed)


def _template(container_name):
    """``generateDeployment("nginx")``'s template, with a container name."""
    return {"metadata": {"labels": {"name": "nginx"}},
            "spec": {"containers": [{"name": container_name, "image": "nginx", "imagePullPolicy": "Always"}]}}


LATER, BEFORE = NOW + timedelta(minutes=1), NOW - timedelta(minutes=1)


def _rs_with(name, template, created, hash_value=None, replicas=1, uid=None):
    t = {"metadata": {"labels": dict(template["metadata"]["labels"])}, "spec": template["spec"]}
    if hash_value:
        t["metadata"]["labels"][HASH] = hash_value
    return rs(name, replicas, created=created, template=t, uid=uid)


dep = deployment(name="nginx", template=_template("nginx"))
new_rs = _rs_with("new", _template("nginx"), LATER, "hash")
new_rs_dup = _rs_with("new-dup", _template("nginx"), NOW, "different-hash")
old_rs = _rs_with("old", _template("nginx-old-1"), BEFORE)

FIND_NEW = [
    ("Get new ReplicaSet with the same template as Deployment spec but different pod-template-hash value",
     [new_rs, old_rs], "new"),
    ("Get the oldest new ReplicaSet when there are more than one ReplicaSet with the same template",
     [new_rs, old_rs, new_rs_dup], "new-dup"),
    ("Get nil new ReplicaSet", [old_rs], None),
]


@pytest.mark.parametrize("name,rs_list,expected", FIND_NEW, ids=[f"TestFindNewReplicaSet/{r[0]}" for r in FIND_NEW])
def test_find_new_replica_set(name, rs_list, expected):
    found = find_new_rs(dep, rs_list)
    assert (found["metadata"]["name"] if found else None) == expected


FIND_OLD = [
    ("Get old ReplicaSets", [new_rs, old_rs], ["old"], []),
    ("Get old ReplicaSets with no new ReplicaSet", [old_rs], ["old"], []),
    ("Get old ReplicaSets with two new ReplicaSets, only the oldest new ReplicaSet is seen as new ReplicaSet",
     [old_rs, new_rs, new_rs_dup], ["old", "new"], ["new"]),
    ("Get empty old ReplicaSets", [new_rs], [], []),
]


@pytest.mark.parametrize("name,rs_list,expected_all,expected_required", FIND_OLD,
                         ids=[f"TestFindOldReplicaSets/{r[0]}" for r in FIND_OLD])
def test_find_old_replica_sets(name, rs_list, expected_all, expected_required):
    # Upstream's oldRS has spec.replicas 0 (generateRS); newRS has 1.
    rs_list = [dict(r, spec=dict(r["spec"], replicas=0)) if r["metadata"]["name"] == "old" else r for r in rs_list]
    required, everything = find_old_rss(dep, rs_list)
    assert sorted(r["metadata"]["name"] for r in everything) == sorted(expected_all)
    assert [r["metadata"]["name"] for r in required] == expected_required
    # the controller passes the new RS it already found: the same answer
    assert find_old_rss(dep, rs_list, find_new_rs(dep, rs_list)) == (required, everything)


def test_annotation_utils():
    """TestAnnotationUtils (v1.35-era): SetNewReplicaSetAnnotations 11..20 with a 5-char
    history limit, SetReplicasAnnotations, IsSaturated."""
    d = deployment(name="nginx", template=_template("nginx"))
    d["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "1"}
    annotations: dict = {}
    for i in range(10, 20):
        annotations, _ = set_new_replica_set_annotations(d, annotations, str(i + 1), True, 5)
        if i >= 12:
            assert annotations["deployment.kubernetes.io/revision-history"] == f"{i - 1},{i}"
        assert annotations["deployment.kubernetes.io/revision"] == str(i + 1)
    annotations, updated = set_replicas_annotations(annotations, 10, 11)
    assert updated
    assert annotations["deployment.kubernetes.io/desired-replicas"] == "10"
    assert annotations["deployment.kubernetes.io/max-replicas"] == "11"
    annotations["deployment.kubernetes.io/desired-replicas"] = "1"
    saturated = rs("t", 1, available=1, annotations=annotations)
    assert is_saturated(d, saturated)


NEED_UPDATE = [
    ("test Annotations nil", None, True),
    ("test desiredReplicas update", {"deployment.kubernetes.io/desired-replicas": "8",
                                     "deployment.kubernetes.io/max-replicas": "20"}, True),
    ("test maxReplicas update", {"deployment.kubernetes.io/desired-replicas": "10",
                                 "deployment.kubernetes.io/max-replicas": "16"}, True),
    ("test needn't update", {"deployment.kubernetes.io/desired-replicas": "10",
                             "deployment.kubernetes.io/max-replicas": "20"}, False),
]


@pytest.mark.parametrize("name,annotations,expected", NEED_UPDATE,
                         ids=[f"TestReplicasAnnotationsNeedUpdate/{r[0]}" for r in NEED_UPDATE])
def test_replicas_annotations_need_update(name, annotations, expected):
    assert replicas_annotations_need_update(annotations, 10, 20) is expected


NON_NEGATIVE = [
    ("invalid empty", None, 0, False),
    ("invalid", "invalid", 0, False),
    ("invalid negative ", "-1", 0, False),
    ("valid zero", "0", 0, True),
    ("valid", "13", 13, True),
    ("valid max", str(2**31 - 1), 2**31 - 1, True),
    ("invalid max out of range", str(2**31), 0, False),
    ("invalid max out of range 2", str(2**32), 0, False),
]


@pytest.mark.parametrize("name,value,expected,valid", NON_NEGATIVE,
                         ids=[f"TestGetNonNegativeInt32FromAnnotation/{r[0]}" for r in NON_NEGATIVE])
def test_non_negative_int32_annotation(name, value, expected, valid):
    annotations = {"foo": "2"} if value is not None else {}
    if value is not None:
        annotations["test"] = value
    assert nonnegative_int32_annotation(rs("t", 0, annotations=annotations), "test") == (expected, valid)


def test_revision_history_annotation():
    # SetNewReplicaSetAnnotations (kubekit rows): re-using an RS records its old revisions,
    # oldest dropped past the character limit; other Deployment annotations are copied.
    d = deployment()
    d["metadata"]["annotations"] = {"team": "a", "kubectl.kubernetes.io/last-applied-configuration": "{}"}
    ann, changed = set_new_replica_set_annotations(d, {"deployment.kubernetes.io/revision": "2"}, "5", True)
    assert changed and ann == {"team": "a", "deployment.kubernetes.io/revision": "5",
                               "deployment.kubernetes.io/revision-history": "2"}
    ann, _ = set_new_replica_set_annotations(d, {**ann, "deployment.kubernetes.io/revision": "7",
                                                 "deployment.kubernetes.io/revision-history": "2,5"}, "9", True, 4)
    assert ann["deployment.kubernetes.io/revision-history"] == "5,7"
    ann, changed = set_new_replica_set_annotations(d, {"deployment.kubernetes.io/revision": "9"}, "3", True)
    assert ann["deployment.kubernetes.io/revision"] == "9" and changed  # team annotation copied, revision kept
    fresh, _ = set_new_replica_set_annotations(deployment(replicas=4, max_surge=1), {}, "1", False)
    assert (fresh["deployment.kubernetes.io/desired-replicas"], fresh["deployment.kubernetes.io/max-replicas"]) == ("4", "5")


def _status_rs(name, spec, status):
    """``newRSWithStatus(name, specReplicas, statusReplicas, selector)``."""
    return rs(name, spec, status_replicas=status)


already_deleted = _status_rs("foo-1", 0, 0)
already_deleted["metadata"]["deletionTimestamp"] = "2025-06-15T12:00:00Z"

CLEANUP = [
    ([_status_rs("foo-1", 0, 0), _status_rs("foo-2", 0, 0), _status_rs("foo-3", 0, 0)], 1, 2),
    ([_status_rs("foo-1", 0, 0), _status_rs("foo-2", 0, 1), _status_rs("foo-3", 1, 0), _status_rs("foo-4", 1, 1)], 0, 1),
    ([_status_rs("foo-1", 0, 0), _status_rs("foo-2", 0, 0)], 0, 2),
    ([_status_rs("foo-1", 1, 1), _status_rs("foo-2", 1, 1)], 0, 0),
    ([already_deleted], 0, 0),
    ([_status_rs("foo-1", 0, 0), _status_rs("foo-2", 0, 0), _status_rs("foo-3", 0, 0)], 2**31 - 1, 0),
]


@pytest.mark.parametrize("old_rss,limit,expected", CLEANUP,
                         ids=[f"TestDeploymentController_cleanupDeployment/{i}" for i in range(len(CLEANUP))])
def test_cleanup_deployment(old_rss, limit, expected):
    assert len(cleanup_deployment(deployment(revision_history_limit=limit), old_rss)) == expected


def _rev_rs(name, replicas, offset_minutes, revision):
    """``newRSWithRevisionAndCreationTimestamp``."""
    annotations = {"deployment.kubernetes.io/revision": revision} if revision else {}
    return rs(name, replicas, created=NOW + timedelta(minutes=offset_minutes), annotations=annotations)


CLEANUP_ORDER = [
    ([_rev_rs("foo-1", 0, -1, "1"), _rev_rs("foo-2", 0, 0, "2")], 1, {"foo-1"}),
    ([_rev_rs("foo-1", 0, -1, "2"), _rev_rs("foo-2", 0, 0, "1")], 1, {"foo-2"}),
    ([_rev_rs("foo-1", 0, -1, "1"), _rev_rs("foo-2", 0, 0, "")], 1, {"foo-2"}),
    ([_rev_rs("foo-1", 0, -1, ""), _rev_rs("foo-2", 0, 0, "2")], 1, {"foo-1"}),
    ([_rev_rs("foo-1", 1, -1, "1"), _rev_rs("foo-2", 0, 0, "2"), _rev_rs("foo-3", 0, 1, "3")], 1, {"foo-2"}),
    ([_rev_rs("foo-1", 1, -1, "1"), _rev_rs("foo-2", 1, 0, "2"), _rev_rs("foo-3", 0, 1, "3")], 1, set()),
    ([_rev_rs("foo-1", 0, -1, "3"), _rev_rs("foo-2", 0, 0, "1"), _rev_rs("foo-3", 0, 1, "4"),
      _rev_rs("foo-4", 0, 2, "2")], 2, {"foo-2", "foo-4"}),
]


@pytest.mark.parametrize("old_rss,limit,expected", CLEANUP_ORDER,
                         ids=[f"TestDeploymentController_cleanupDeploymentOrder/{i}" for i in range(len(CLEANUP_ORDER))])
def test_cleanup_deployment_order(old_rss, limit, expected):
    assert set(cleanup_deployment(deployment(revision_history_limit=limit), old_rss)) == expected


def test_cleanup_skips_unobserved_generation_and_default_limit():
    # cleanupDeployment also keeps an RS whose generation is not yet observed (kubekit row);
    # an absent revisionHistoryLimit is the apps/v1 default 10.
    pending = _rev_rs("foo-1", 0, -1, "1")
    pending["metadata"]["generation"] = 2
    pending["status"]["observedGeneration"] = 1
    assert cleanup_deployment(deployment(revision_history_limit=0), [pending]) == []
    eleven = [_rev_rs(f"r{i}", 0, i, str(i)) for i in range(11)]
    d = deployment()
    assert cleanup_deployment(d, eleven) == ["r0"]


def test_revisions_and_rollback_target():
    # MaxRevision / LastRevision and rollback.go (kubekit rows).
    v1 = _rs_with("v1", _template("one"), BEFORE)
    v1["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "1"}
    v2 = _rs_with("v2", _template("two"), NOW)
    v2["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "2"}
    v3 = _rs_with("v3", _template("nginx"), LATER, "h")
    v3["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": "3"}
    bad = rs("bad", 0, annotations={"deployment.kubernetes.io/revision": "x"})
    all_rs = [v1, v2, v3, bad]
    assert (max_revision(all_rs), last_revision(all_rs)) == (3, 2)
    previous = rollback_target(dep, all_rs)
    assert (previous.target["metadata"]["name"], previous.revision, previous.reason) == ("v2", 2, "DeploymentRollback")
    assert rollback_target(dep, all_rs, 1).target["metadata"]["name"] == "v1"
    unchanged = rollback_target(dep, all_rs, 3)
    assert unchanged.reason == "DeploymentRollbackTemplateUnchanged"
    missing = rollback_target(dep, all_rs, 7)
    assert (missing.target, missing.reason, missing.message) == (
        None, "DeploymentRollbackRevisionNotFound", "Unable to find the revision to rollback to.")
    assert rollback_target(dep, [v3]).message == "Unable to find last revision."
    assert HASH not in template_for_rollback(v3)["metadata"]["labels"]


def test_pod_template_hash_role():
    # Role of controller.ComputeHash (TestComputeHash: collision counts give different hashes);
    # the *values* are kubekit's own, not Kubernetes'.
    t = _template("nginx")
    h = pod_template_hash(t)
    assert h == pod_template_hash(_template("nginx"))
    assert h != pod_template_hash(_template("other"))
    assert pod_template_hash(t, 1) != pod_template_hash(t, 2)
    assert pod_template_hash({}, None) != pod_template_hash({}, 2**31 - 1)
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789") and 1 <= len(h) <= 10
    assert pod_template_hash({}) == "".join("bcdfghjklmnpqrstvwxz2456789"[ord(c) % 27] for c in str(_fnv(b"{}")))


def _fnv(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def test_rollback_annotations():
    # SetDeploymentAnnotationsTo (kubekit row): skipped keys stay from the Deployment, the rest come from the RS.
    from kubekit.controllers import deployment_annotations_for_rollback
    got = deployment_annotations_for_rollback(
        {"deployment.kubernetes.io/revision": "4", "team": "old", "gone": "x"},
        {"deployment.kubernetes.io/revision": "2", "team": "new"})
    assert got == {"deployment.kubernetes.io/revision": "4", "team": "new"}
