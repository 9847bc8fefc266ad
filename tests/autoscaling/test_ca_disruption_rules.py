"""PodDisruptionBudget arithmetic (the disruption controller's status) and
the eviction check, as tables."""

from __future__ import annotations

import pytest
from ca_builders import pdb, pod

from kubekit.autoscaling.cluster.disruption import budget_status, check_eviction, pdb_covers, status_fields


def scale_of(replicas):
    """Every pod's controller is one Deployment of ``replicas``."""
    return lambda p: ("uid-web", replicas) if (p["metadata"].get("ownerReferences")) else None


def web(n, ready=None, deleting=()):
    ready = set(range(n)) if ready is None else set(ready)
    return [pod(f"w{i}", labels={"app": "web"}, owner=("ReplicaSet", "web-rs"), ready=i in ready,
                deleting="2023-01-01T00:00:00Z" if i in deleting else None) for i in range(n)]


@pytest.mark.parametrize("spec, pods, replicas, want", [
    # (expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed)
    ({"min_available": 2}, web(3), 3, (3, 2, 3, 1)),
    ({"min_available": 3}, web(3), 3, (3, 3, 3, 0)),
    ({"min_available": 5}, web(3), 3, (3, 5, 3, 0)),                 # never negative
    ({"min_available": 2}, web(3, ready=[0, 1]), 3, (3, 2, 2, 0)),   # an unready pod is not healthy
    ({"min_available": 2}, web(4, deleting=[3]), 4, (4, 2, 3, 1)),   # nor is one being deleted
    ({"min_available": "50%"}, web(3), 4, (4, 2, 3, 1)),             # percent of the controller's scale
    ({"min_available": "34%"}, web(3), 3, (3, 2, 3, 1)),             # rounded up: ceil(1.02) = 2
    ({"max_unavailable": 1}, web(3), 3, (3, 2, 3, 1)),
    ({"max_unavailable": 0}, web(3), 3, (3, 3, 3, 0)),
    ({"max_unavailable": "50%"}, web(4), 4, (4, 2, 4, 2)),
    ({"max_unavailable": "10%"}, web(4), 4, (4, 3, 4, 1)),           # ceil(0.4) = 1 unavailable
    ({"max_unavailable": 5}, web(3), 3, (3, 0, 3, 3)),               # desired never below 0
    ({}, web(3), 3, (0, 0, 3, 0)),                                   # neither: nothing expected, nothing allowed
    ({"min_available": 0}, [], 3, (0, 0, 0, 0)),                     # no pods: no disruptions
])
def test_budget_status_is_the_disruption_controllers(spec, pods, replicas, want):
    st = budget_status(pdb("b", selector={"app": "web"}, **spec), pods, scale_of(replicas))
    assert (st.expected_pods, st.desired_healthy, st.current_healthy, st.disruptions_allowed) == want


def test_a_covered_pod_without_a_controller_fails_safe_for_scale_based_budgets():
    pods = web(3) + [pod("bare", labels={"app": "web"})]
    st = budget_status(pdb("b", selector={"app": "web"}, max_unavailable=1), pods, scale_of(3))
    assert st.disruptions_allowed == 0 and "no controller" in st.error
    # the int minAvailable form needs no scale: it still counts
    st = budget_status(pdb("b", selector={"app": "web"}, min_available=1), pods, scale_of(3))
    assert (st.expected_pods, st.disruptions_allowed) == (4, 3)


def test_an_invalid_percent_fails_safe():
    st = budget_status(pdb("b", selector={"app": "web"}, max_unavailable="lots"), web(3), scale_of(3))
    assert st.disruptions_allowed == 0 and "percentage" in st.error


@pytest.mark.parametrize("budget, target, covered", [
    (pdb("b", selector={"app": "web"}), pod("p", labels={"app": "web"}), True),
    (pdb("b", selector={"app": "web"}), pod("p", labels={"app": "db"}), False),
    (pdb("b", selector={"app": "web"}), pod("p", ns="other", labels={"app": "web"}), False),
    (pdb("b", selector={}), pod("p", labels={"x": "y"}), True),      # policy/v1: empty selects all
    (pdb("b"), pod("p", labels={"x": "y"}), False),                  # no selector selects none
])
def test_which_pods_a_budget_covers(budget, target, covered):
    assert pdb_covers(budget, target) is covered


def test_status_fields_are_the_api_names():
    st = budget_status(pdb("b", selector={"app": "web"}, min_available=2), web(3), scale_of(3))
    assert status_fields(st, 4) == {"expectedPods": 3, "desiredHealthy": 2, "currentHealthy": 3,
                                    "disruptionsAllowed": 1, "observedGeneration": 4}


@pytest.mark.parametrize("target, budgets, code", [
    (web(3)[0], [pdb("b", selector={"app": "web"}, min_available=2)], 201),
    (web(3)[0], [pdb("b", selector={"app": "web"}, min_available=3)], 429),
    (web(3)[0], [], 201),
    (web(3)[0], [pdb("a", selector={"app": "web"}, min_available=0),
                 pdb("b", selector={"app": "web"}, min_available=0)], 500),
    ({**web(3)[0], "status": {"phase": "Pending"}}, [pdb("b", selector={"app": "web"}, min_available=3)], 201),
    ({**web(3)[0], "status": {"phase": "Succeeded"}}, [pdb("b", selector={"app": "web"}, min_available=3)], 201),
])
def test_the_eviction_check(target, budgets, code):
    pods = web(3)
    v = check_eviction(target, budgets, pods, scale_of(3))
    assert (v.allowed, v.code) == (code == 201, code)


def test_a_refused_eviction_says_why_in_the_api_servers_words():
    v = check_eviction(web(3)[0], [pdb("b", selector={"app": "web"}, min_available=3)], web(3), scale_of(3))
    assert v.message == ("Cannot evict pod as it would violate the pod's disruption budget. "
                         "The disruption budget b needs 3 healthy pods and has 3 currently")
    assert v.budget == "default/b"


@pytest.mark.parametrize("policy, min_available, allowed", [
    (None, 2, True),             # IfHealthyBudget: 2 healthy >= 2 desired, an unready pod may go
    (None, 3, False),            # the budget is not healthy: the unready pod needs a disruption
    ("AlwaysAllow", 3, True),
])
def test_unready_pods_follow_the_unhealthy_pod_eviction_policy(policy, min_available, allowed):
    pods = web(3, ready=[0, 1])
    v = check_eviction(pods[2], [pdb("b", selector={"app": "web"}, min_available=min_available, policy=policy)],
                       pods, scale_of(3))
    assert v.allowed is allowed
