"""The CLI's decisions (pure): three-way apply, rollout status and undo,
drain filters, resource names, error lines."""

from __future__ import annotations

import json

import pytest

from kubekit.api.strategicpatch import schema_for, strategic_merge_patch
from kubekit.kubectl.client import APIError, ServerUnavailable
from kubekit.kubectl.context import CommandError, format_error
from kubekit.kubectl.drain_rules import ignorable_eviction_error, plan_drain
from kubekit.kubectl.resources import UnknownResource, resolve, split_type_name
from kubekit.kubectl.rollout_rules import (
    RolloutFailed, deployment_rollout_status, plan_rollback, restarted_template,
)
from kubekit.kubectl.threeway import (
    LAST_APPLIED, last_applied_of, patch_content_type, three_way_patch, with_last_applied,
)


# -- three-way apply (strategic merge patch, as kubectl apply) ---------------------------------
def test_first_apply_sets_what_differs_and_leaves_server_fields_alone():
    live = {"metadata": {"name": "w", "uid": "u"}, "spec": {"replicas": 1, "paused": False}, "status": {"x": 1}}
    modified = {"metadata": {"name": "w"}, "spec": {"replicas": 3}}
    assert three_way_patch(None, modified, live, "Deployment") == {"spec": {"replicas": 3}}


def test_a_field_removed_from_the_configuration_is_deleted_only_if_it_was_applied():
    original = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 3}}
    modified = {"metadata": {"labels": {"a": "1"}}, "spec": {}}
    live = {"metadata": {"labels": {"a": "1", "b": "2", "added-by-someone": "x"}}, "spec": {"replicas": 3, "paused": True}}
    assert three_way_patch(original, modified, live, "Deployment") == {"metadata": {"labels": {"b": None}},
                                                                        "spec": {"replicas": None}}


def test_unchanged_configuration_gives_an_empty_patch_despite_server_defaults_in_lists():
    applied = {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}
    live = {"spec": {"containers": [{"name": "c", "image": "nginx:1", "imagePullPolicy": "IfNotPresent"}],
                     "dnsPolicy": "ClusterFirst"}}
    assert three_way_patch(applied, applied, live, "Pod") == {}


def test_containers_merge_by_name_so_only_what_changed_is_sent():
    # (this used to send the whole containers list, a JSON merge patch replacing it)
    original = {"spec": {"containers": [{"name": "c", "image": "nginx:1", "resources": {"limits": {"cpu": "1"}}}]}}
    modified = {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}            # resources removed
    live = {"spec": {"containers": [{"name": "c", "image": "nginx:1", "resources": {"limits": {"cpu": "1"}},
                                     "imagePullPolicy": "IfNotPresent"}]}}
    assert three_way_patch(original, modified, live, "Pod") == {"spec": {
        "containers": [{"name": "c", "resources": None}], "$setElementOrder/containers": [{"name": "c"}]}}
    # someone edited the live container: apply restores what was applied, nothing more
    live2 = {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}
    assert three_way_patch(modified, modified, live2, "Pod") == {"spec": {
        "containers": [{"name": "c", "image": "nginx:1"}], "$setElementOrder/containers": [{"name": "c"}]}}


def pod_with_env(env, **container):
    return {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "i", "env": env, **container}]}}


def test_an_env_var_removed_from_the_manifest_is_deleted_and_one_added_by_someone_else_stays():
    original = pod_with_env([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    modified = pod_with_env([{"name": "A", "value": "1"}])
    live = pod_with_env([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "X", "value": "theirs"}],
                        imagePullPolicy="Always")
    patch = three_way_patch(original, modified, live)          # the kind comes from the configuration
    assert patch == {"spec": {"containers": [{"name": "c", "env": [{"name": "B", "$patch": "delete"}],
                                              "$setElementOrder/env": [{"name": "A"}]}],
                              "$setElementOrder/containers": [{"name": "c"}]}}
    assert strategic_merge_patch(live, patch, schema_for("Pod")) == pod_with_env(
        [{"name": "A", "value": "1"}, {"name": "X", "value": "theirs"}], imagePullPolicy="Always")


@pytest.mark.parametrize("kind, original, modified, live, patch", [
    # finalizers merge as a set: removing one of ours leaves theirs
    ("ConfigMap", {"metadata": {"finalizers": ["a", "b"]}}, {"metadata": {"finalizers": ["a"]}},
     {"metadata": {"finalizers": ["a", "b", "c"]}},
     {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"], "$setElementOrder/finalizers": ["a"]}}),
    # a changed Deployment strategy clears the old rollingUpdate ($retainKeys)
    ("Deployment", {"spec": {"strategy": {"type": "RollingUpdate"}}}, {"spec": {"strategy": {"type": "Recreate"}}},
     {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}}},
     {"spec": {"strategy": {"type": "Recreate", "$retainKeys": ["type"]}}}),
    # node taints have no patch strategy: the list is replaced whole
    ("Node", {"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}},
     {"spec": {"taints": [{"key": "b", "effect": "NoSchedule"}]}},
     {"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}, {"key": "z", "effect": "NoExecute"}]}},
     {"spec": {"taints": [{"key": "b", "effect": "NoSchedule"}]}}),
    # a kind without a schema: no merge keys, a plain JSON merge patch
    ("Widget", {"spec": {"items": [{"name": "a"}]}}, {"spec": {"items": [{"name": "b"}]}},
     {"spec": {"items": [{"name": "a"}, {"name": "z"}]}}, {"spec": {"items": [{"name": "b"}]}}),
])
def test_three_way_patches_follow_the_kinds_patch_strategies(kind, original, modified, live, patch):
    assert three_way_patch(original, modified, live, kind) == patch


def test_the_patch_type_is_strategic_for_built_in_kinds_only():
    assert patch_content_type("Deployment") == "application/strategic-merge-patch+json"
    assert patch_content_type("Widget") == "application/merge-patch+json"


def test_last_applied_annotation_round_trip():
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"keep": "me"}}}
    out = with_last_applied(obj)
    assert out["metadata"]["annotations"]["keep"] == "me"
    assert json.loads(out["metadata"]["annotations"][LAST_APPLIED]) == obj
    assert last_applied_of(out) == obj
    again = with_last_applied(out)               # the annotation never nests itself
    assert again == out
    assert last_applied_of({"metadata": {}}) is None


# -- rollout ------------------------------------------------------------------------------------
def dep(generation=2, observed=2, replicas=3, updated=3, total=3, available=3, reason=None, revision="2"):
    conds = [{"type": "Progressing", "status": "False" if reason else "True", "reason": reason or "NewReplicaSetAvailable"}]
    return {"metadata": {"name": "web", "generation": generation, "uid": "d1",
                         "annotations": {"deployment.kubernetes.io/revision": revision}},
            "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "web"}},
                                                        "spec": {"containers": [{"name": "c", "image": "v2"}]}}},
            "status": {"observedGeneration": observed, "updatedReplicas": updated, "replicas": total,
                       "availableReplicas": available, "conditions": conds}}


@pytest.mark.parametrize("d, msg, done", [
    (dep(generation=3, observed=2), "Waiting for deployment spec update to be observed...", False),
    (dep(updated=1), 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...', False),
    (dep(total=5), 'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...', False),
    (dep(available=2), 'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...', False),
    (dep(), 'deployment "web" successfully rolled out', True),
])
def test_rollout_status_messages(d, msg, done):
    assert deployment_rollout_status(d) == (msg, done)


def test_rollout_status_failures():
    with pytest.raises(RolloutFailed, match='deployment "web" exceeded its progress deadline'):
        deployment_rollout_status(dep(reason="ProgressDeadlineExceeded"))
    with pytest.raises(RolloutFailed, match=r"desired revision \(5\) is different from the running revision \(2\)"):
        deployment_rollout_status(dep(), revision=5)


def rs(name, revision, image, owner="d1"):
    return {"metadata": {"name": name, "uid": name, "annotations": {"deployment.kubernetes.io/revision": str(revision),
                                                                    "note": f"from-{name}"},
                         "ownerReferences": [{"uid": owner, "controller": True, "kind": "Deployment", "name": "web"}],
                         "creationTimestamp": "2027-01-01T00:00:00Z"},
            "spec": {"replicas": 0, "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                                                 "spec": {"containers": [{"name": "c", "image": image}]}}}}


def test_undo_restores_the_previous_template_and_its_annotations():
    plan = plan_rollback(dep(), [rs("a", 1, "v1"), rs("b", 2, "v2"), rs("x", 7, "v9", owner="other")])
    assert plan.message == "rolled back"
    assert plan.template == {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "v1"}]}}
    assert plan.annotations == {"deployment.kubernetes.io/revision": "2", "note": "from-a"}


def test_undo_to_a_revision_and_its_failures():
    rss = [rs("a", 1, "v1"), rs("b", 2, "v2")]
    assert plan_rollback(dep(), rss, to_revision=2).template is None          # already the current template
    assert "skipped rollback" in plan_rollback(dep(), rss, to_revision=2).message
    with pytest.raises(RolloutFailed, match="unable to find specified revision 9 in history"):
        plan_rollback(dep(), rss, to_revision=9)
    with pytest.raises(RolloutFailed, match='no rollout history found for deployment "web"'):
        plan_rollback(dep(), [rs("b", 2, "v2")])
    paused = dep()
    paused["spec"]["paused"] = True
    with pytest.raises(RolloutFailed, match="paused"):
        plan_rollback(paused, rss)


def test_restart_sets_the_restarted_at_annotation_on_a_copy():
    t = {"metadata": {"labels": {"a": "1"}}, "spec": {}}
    out = restarted_template(t, "2027-01-01T00:00:00Z")
    assert out["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": "2027-01-01T00:00:00Z"}
    assert "annotations" not in t["metadata"]


# -- drain ----------------------------------------------------------------------------------------
def p(name, owner_kind=None, phase="Running", annotations=None, volumes=None, deleting=False):
    m = {"name": name, "namespace": "default", "annotations": annotations or {}}
    if owner_kind:
        m["ownerReferences"] = [{"kind": owner_kind, "name": "o", "uid": "o", "controller": True}]
    if deleting:
        m["deletionTimestamp"] = "2027-01-01T00:00:00Z"
    return {"metadata": m, "spec": {"volumes": volumes or []}, "status": {"phase": phase}}


def test_drain_evicts_managed_pods_and_refuses_the_rest_without_flags():
    pods = [p("rs-pod", "ReplicaSet"), p("ds-pod", "DaemonSet"), p("bare"), p("done", phase="Succeeded"),
            p("mirror", annotations={"kubernetes.io/config.mirror": "x"}), p("going", "ReplicaSet", deleting=True),
            p("scratch", "ReplicaSet", volumes=[{"name": "s", "emptyDir": {}}])]
    plan = plan_drain(pods)
    assert [q["metadata"]["name"] for q in plan.evict] == ["rs-pod", "done"]
    assert plan.errors == {
        "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)": ["default/ds-pod"],
        "cannot delete Pods that declare no controller (use --force to override)": ["default/bare"],
        "cannot delete Pods with local storage (use --delete-emptydir-data to override)": ["default/scratch"],
    }
    plan = plan_drain(pods, ignore_daemonsets=True, force=True, delete_emptydir_data=True)
    assert not plan.errors
    assert [q["metadata"]["name"] for q in plan.evict] == ["rs-pod", "bare", "done", "scratch"]
    assert plan.warnings == {"ignoring DaemonSet-managed Pods": ["default/ds-pod"],
                             "deleting Pods that declare no controller": ["default/bare"]}


TERMINATING = {"reason": "NamespaceTerminating", "message": "namespace t is being terminated",
               "field": "metadata.namespace"}


@pytest.mark.parametrize("code, status, ignorable", [
    (403, {"reason": "Forbidden", "details": {"causes": [TERMINATING]}}, True),
    (403, {"reason": "Forbidden", "details": {"causes": [{"reason": "Other"}, TERMINATING]}}, True),
    (403, {"reason": "Forbidden", "details": {"name": "p", "kind": "pods"}}, False),     # forbidden for another reason
    (429, {"reason": "TooManyRequests", "details": {"causes": [{"reason": "DisruptionBudget"}]}}, False),
    (500, {"reason": "InternalError", "details": {"causes": [TERMINATING]}}, False),
])
def test_an_eviction_refused_in_a_terminating_namespace_is_ignorable(code, status, ignorable):
    """drain.go evictPods: IsForbidden(err) && HasStatusCause(err, NamespaceTerminatingCause)."""
    assert ignorable_eviction_error(code, status) is ignorable


# -- names and errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("name, kind", [
    ("po", "Pod"), ("pods", "Pod"), ("Pod", "Pod"), ("no", "Node"), ("deploy", "Deployment"),
    ("deployments.apps", "Deployment"), ("rs", "ReplicaSet"), ("ev", "Event"), ("ns", "Namespace"),
    ("lease", "Lease"),
])
def test_resource_names(name, kind):
    assert resolve(name).kind == kind


def test_type_name_forms():
    assert [(t.kind, n) for t, n in split_type_name(["pods"])] == [("Pod", None)]
    assert [(t.kind, n) for t, n in split_type_name(["po", "a", "b"])] == [("Pod", "a"), ("Pod", "b")]
    assert [(t.kind, n) for t, n in split_type_name(["deploy/web", "pod/x"])] == [("Deployment", "web"), ("Pod", "x")]
    assert [t.kind for t, _ in split_type_name(["pods,deploy"])] == ["Pod", "Deployment"]
    with pytest.raises(UnknownResource, match='the server doesn\'t have a resource type "widgets"'):
        resolve("widgets")
    with pytest.raises(ValueError):
        split_type_name(["deploy/web", "x"])


def test_error_lines_read_like_kubectl():
    assert format_error(ServerUnavailable("/run/kubekit/kubekit.sock")) == (
        "The connection to the server at /run/kubekit/kubekit.sock was refused - is kubekit serve running?")
    assert format_error(APIError(404, {"reason": "NotFound", "message": 'pods "x" not found'})) == (
        'Error from server (NotFound): pods "x" not found')
    assert format_error(APIError(409, {"reason": "Conflict", "message": "Operation cannot be fulfilled"})) == (
        "Error from server (Conflict): Operation cannot be fulfilled")
    invalid = {"reason": "Invalid", "message": "...", "details": {"kind": "Deployment", "name": "web", "causes": [
        {"field": "spec.replicas", "message": "Invalid value: -1: must be greater than or equal to 0"}]}}
    assert format_error(APIError(422, invalid)) == (
        'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
    assert format_error(CommandError("boom")) == "error: boom"


@pytest.mark.parametrize("text,seconds", [("60s", 60.0), ("2m30s", 150.0), ("1h", 3600.0), ("500ms", 0.5),
                                          ("5", 5.0), ("1.5", 1.5)])
def test_durations_parse_like_kubectl(text, seconds):
    from kubekit.kubectl.cli import duration

    assert duration(text) == seconds


def test_a_bad_duration_is_refused():
    import argparse

    from kubekit.kubectl.cli import duration

    with pytest.raises(argparse.ArgumentTypeError, match="invalid duration '5x'"):
        duration("5x")
