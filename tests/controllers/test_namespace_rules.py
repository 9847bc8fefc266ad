"""The namespace controller's pure decisions.  Tables from
pkg/controller/namespace/deletion/status_condition_utils_test.go
(TestUpdateConditions, TestProcessContentTotals) and
namespaced_resources_deleter_test.go (TestFinalized,
TestFinalizeNamespaceFunc); the estimate and remaining-content rules follow
namespaced_resources_deleter.go."""

from __future__ import annotations

import pytest

from kubekit.controllers.namespace_rules import (
    CONDITION_TYPES, FINALIZER_ESTIMATE_SECONDS, GVR, DiscoveryFailed, GVRDeletion, ResourcesRemaining,
    allowed_estimate, content_conditions, delete_content_condition, discovery_failure_condition, estimate_for_pods,
    finalize_spec, finalized, remaining_content, requeue_after, successful_condition, update_conditions,
)

T0, T1 = "2023-11-14T22:13:20Z", "2023-11-14T22:14:20Z"
DISCOVERY, GV_PARSING, CONTENT_FAILURE, CONTENT_REMAINING, FINALIZERS_REMAINING = CONDITION_TYPES


def ok(ctype):
    return successful_condition(ctype, T1)


def without_time(conds):
    return [{k: v for k, v in c.items() if k != "lastTransitionTime"} for c in conds]


# -- TestUpdateConditions ----------------------------------------------------------------------------
UPDATE_CONDITIONS = [
    ("leave unknown", [], [{"type": "unknown", "status": "True"}],
     [{"type": "unknown", "status": "True"}, ok(DISCOVERY), ok(GV_PARSING), ok(CONTENT_FAILURE),
      ok(CONTENT_REMAINING), ok(FINALIZERS_REMAINING)]),
    ("replace with success", [], [{"type": DISCOVERY, "status": "True"}],
     [ok(DISCOVERY), ok(GV_PARSING), ok(CONTENT_FAILURE), ok(CONTENT_REMAINING), ok(FINALIZERS_REMAINING)]),
    ("leave different order", [], [{"type": GV_PARSING, "status": "True"}, {"type": DISCOVERY, "status": "True"}],
     [ok(GV_PARSING), ok(DISCOVERY), ok(CONTENT_FAILURE), ok(CONTENT_REMAINING), ok(FINALIZERS_REMAINING)]),
    ("overwrite with failure",
     [{"type": GV_PARSING, "status": "True", "reason": "foo", "message": "bar"}],
     [{"type": GV_PARSING, "status": "False"}, {"type": DISCOVERY, "status": "True"}],
     [{"type": GV_PARSING, "status": "True", "reason": "foo", "message": "bar"}, ok(DISCOVERY), ok(CONTENT_FAILURE),
      ok(CONTENT_REMAINING), ok(FINALIZERS_REMAINING)]),
    ("write new failure",
     [{"type": GV_PARSING, "status": "True", "reason": "foo", "message": "bar"}],
     [{"type": DISCOVERY, "status": "True"}],
     [ok(DISCOVERY), {"type": GV_PARSING, "status": "True", "reason": "foo", "message": "bar"}, ok(CONTENT_FAILURE),
      ok(CONTENT_REMAINING), ok(FINALIZERS_REMAINING)]),
]


@pytest.mark.parametrize("name, new, starting, expected", UPDATE_CONDITIONS, ids=[c[0] for c in UPDATE_CONDITIONS])
def test_update_conditions(name, new, starting, expected):
    actual, changed = update_conditions(starting, new, T1)
    assert changed
    assert without_time(actual) == without_time(expected)


def test_update_conditions_keeps_the_transition_time_unless_the_status_changes():
    start = [dict(ok(t), lastTransitionTime=T0) for t in CONDITION_TYPES]
    same, changed = update_conditions(start, [], T1)
    assert not changed and same == start
    failing = {"type": CONTENT_REMAINING, "status": "True", "reason": "SomeResourcesRemain", "message": "m"}
    out, changed = update_conditions(start, [failing], T1)
    assert changed and out[3]["lastTransitionTime"] == T1 and out[0]["lastTransitionTime"] == T0
    reworded, changed = update_conditions(out, [dict(failing, message="m2")], "2023-11-14T22:15:20Z")
    assert changed and reworded[3]["message"] == "m2" and reworded[3]["lastTransitionTime"] == T1


# -- TestProcessContentTotals ------------------------------------------------------------------------
DS, DEPLOY = GVR("apps.k8s.io", "v1", "daemonsets"), GVR("apps.k8s.io", "v1", "deployments")
REMAINING = {"type": CONTENT_REMAINING, "status": "True", "reason": "SomeResourcesRemain",
             "message": "Some resources are remaining: daemonsets.apps.k8s.io has 5 resource instances, "
                        "deployments.apps.k8s.io has 5 resource instances"}
FINALIZERS = {"type": FINALIZERS_REMAINING, "status": "True", "reason": "SomeFinalizersRemain",
              "message": "Some content in the namespace has finalizers remaining: kubedb in 5 resource instances, "
                         "service-catalog in 6 resource instances"}
CONTENT_TOTALS = [
    ("nothing", {}, {}, []),
    ("just remaining", {DS: 5, DEPLOY: 5}, {}, [REMAINING]),
    ("just finalizers", {}, {"service-catalog": 6, "kubedb": 5}, [FINALIZERS]),
    ("both", {DS: 5, DEPLOY: 5}, {"service-catalog": 6, "kubedb": 5}, [REMAINING, FINALIZERS]),
]


@pytest.mark.parametrize("name, gvrs, finalizers, expected", CONTENT_TOTALS, ids=[c[0] for c in CONTENT_TOTALS])
def test_process_content_totals(name, gvrs, finalizers, expected):
    assert without_time(content_conditions(gvrs, finalizers, T1)) == without_time(expected)


def test_the_core_group_prints_with_a_trailing_dot():
    (cond,) = content_conditions({GVR("", "v1", "pods"): 2}, {}, T1)
    assert cond["message"] == "Some resources are remaining: pods. has 2 resource instances"


# -- namespaced_resources_deleter_test.go --------------------------------------------------------------
def test_finalized():
    """TestFinalized."""
    assert not finalized({"spec": {"finalizers": ["a", "b"]}})
    assert finalized({"spec": {"finalizers": []}}) and finalized({"spec": {}}) and finalized({})


def test_finalize_namespace_func():
    """TestFinalizeNamespaceFunc: one finalizer remains, the other one."""
    assert finalize_spec({"spec": {"finalizers": ["kubernetes", "other"]}}, "kubernetes") == ["other"]
    assert finalize_spec({"spec": {"finalizers": ["z.io/b", "kubernetes", "a.io/a", "a.io/a"]}}, "kubernetes") == [
        "a.io/a", "z.io/b"]                                        # a sorted set, as sets.String.List()


# -- estimates (estimateGracefulTermination, estimateGracefulTerminationForPods) --------------------------
def pod(grace=None, phase="Running"):
    spec = {} if grace is None else {"terminationGracePeriodSeconds": grace}
    return {"spec": spec, "status": {"phase": phase}}


@pytest.mark.parametrize("pods, estimate", [
    ([], 0),
    ([pod(30), pod(45), pod(10)], 45),
    ([pod(30), pod(120, "Succeeded"), pod(90, "Failed")], 30),      # finished pods do not count
    ([pod(None)], 0),                                               # no grace period: no estimate
])
def test_estimate_for_pods(pods, estimate):
    assert estimate_for_pods(pods) == estimate


@pytest.mark.parametrize("estimate, elapsed, allowed", [(30, 0, 30), (30, 29.9, 30), (30, 30, 0), (30, 31, 0),
                                                         (0, 0, 0)])
def test_allowed_estimate(estimate, elapsed, allowed):
    assert allowed_estimate(estimate, 1000.0, 1000.0 + elapsed) == allowed


# -- what is left of a resource (the end of deleteAllContentForGroupVersionResource) ----------------------
PODS = GVR("", "v1", "pods")


def item(*finalizers):
    return {"metadata": {"finalizers": list(finalizers)} if finalizers else {}}


@pytest.mark.parametrize("estimate, remaining, result, error", [
    (30, [], GVRDeletion(0, 0), None),
    (30, [item(), item("a.io/x")], GVRDeletion(30, 2, {"a.io/x": 1}), None),
    (0, [item("a.io/x"), item("a.io/x", "b.io/y")], GVRDeletion(FINALIZER_ESTIMATE_SECONDS, 2, {"a.io/x": 2, "b.io/y": 1}),
     None),
    (0, [item()], GVRDeletion(0, 1), "unexpected items still remain in namespace: team for gvr: /v1, Resource=pods"),
])
def test_remaining_content(estimate, remaining, result, error):
    assert remaining_content("team", PODS, estimate, remaining) == (result, error)


def test_gvr_strings():
    assert str(GVR.of("apps/v1", "deployments")) == "apps/v1, Resource=deployments"
    assert GVR.of("v1", "pods") == PODS


# -- the other conditions and the requeue --------------------------------------------------------------
def test_delete_content_condition():
    assert delete_content_condition([], T1) is None
    cond = delete_content_condition(["b failed", "a failed"], T1)
    assert (cond["type"], cond["status"], cond["reason"]) == (CONTENT_FAILURE, "True", "ContentDeletionFailed")
    assert cond["message"] == "Failed to delete all resource types, 2 remaining: a failed, b failed"


def test_discovery_failure_condition():
    err = DiscoveryFailed({"metrics.k8s.io/v1beta1": "the server is currently unable to handle the request"})
    cond = discovery_failure_condition(err, T1)
    assert (cond["type"], cond["status"], cond["reason"]) == (DISCOVERY, "True", "DiscoveryFailed")
    assert cond["message"] == ("Discovery failed for some groups, 1 failing: unable to retrieve the complete list of "
                               "server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the "
                               "request")
    assert discovery_failure_condition(RuntimeError("test error"), T1)["message"] == "test error"


@pytest.mark.parametrize("estimate, delay", [(0, 1.0), (1, 1.0), (15, 8.0), (30, 16.0), (31, 16.0)])
def test_requeue_after(estimate, delay):
    assert requeue_after(estimate) == delay


def test_resources_remaining_message():
    assert str(ResourcesRemaining(30)) == "some content remains in the namespace, estimate 30 seconds before it is removed"
