"""Deletion order of ReplicaSet pods.  Upstream tables from
``pkg/controller/controller_utils_test.go``: TestSortingActivePods and
TestSortingActivePodsWithRanks (equality and inequality tables; the stored
version toggles LogarithmicScaleDown/PodDeletionCost gates — both on here,
as in v1.34/v1.35)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrl_builders import NOW, pod
from kubekit.controllers import RankingFeatures, deletion_less, pods_to_delete, sort_for_deletion
from kubekit.controllers.pod_ranking import FeatureCache, logarithmic_rank_diff

COST = "controller.kubernetes.io/pod-deletion-cost"
THEN = NOW.replace(month=NOW.month - 1)  # now.AddDate(0, -1, 0)


def test_sorting_active_pods():
    """TestSortingActivePods "Sorts by active pod" (ActivePods.Less = ranks equal,
    no deletion cost, no logarithmic scale: sorted with Now zero)."""
    pods = [
        pod("unscheduled", node="", phase="Pending", restarts=[]),
        pod("scheduledButPending", node="bar", phase="Pending", restarts=[]),
        pod("unknownPhase", node="foo", phase="Unknown", restarts=[]),
        pod("runningButNotReady", node="foo", phase="Running", restarts=[]),
        pod("runningNoLastTransitionTime", node="foo", ready=True, restarts=[3, 0]),
        pod("runningWithLastTransitionTime", node="foo", ready=True, ready_since=NOW, restarts=[3, 0]),
        pod("runningLongerTime", node="foo", ready=True, ready_since=THEN, restarts=[3, 0]),
        pod("lowerContainerRestartCount", node="foo", ready=True, ready_since=THEN, restarts=[2, 1], created=NOW),
        pod("oldest", node="foo", ready=True, ready_since=THEN, restarts=[2, 1], created=THEN),
    ]
    want = [p["metadata"]["name"] for p in pods]
    rng = random.Random(7)
    for _ in range(20):
        shuffled = pods[:]
        rng.shuffle(shuffled)
        got = sort_for_deletion(shuffled, [0] * len(shuffled), None, RankingFeatures(pod_deletion_cost=False))
        assert [p["metadata"]["name"] for p in got] == want


def _p(name, node, phase, ready, restarts, ready_since, created, annotations=None):
    """``pod(...)`` helper of TestSortingActivePodsWithRanks (containerStatuses only when ready)."""
    return pod(name, node=node, phase=phase, ready=ready, restarts=restarts if ready else [],
               ready_since=ready_since, created=created, annotations=annotations)


H2, H5, H8 = NOW - timedelta(hours=2), NOW - timedelta(hours=5), NOW - timedelta(hours=8)
unscheduled = _p("unscheduled", "", "Pending", False, 0, None, None)
scheduled_pending = _p("pending", "node", "Pending", False, 0, None, None)
unknown_phase = _p("unknown-phase", "node", "Unknown", False, 0, None, None)
running_not_ready = _p("not-ready", "node", "Running", False, 0, None, None)
ready_no_ltt = _p("ready-no-last-transition-time", "node", "Running", True, 0, None, None)
ready_now = _p("ready-now", "node", "Running", True, 0, NOW, NOW)
ready_then = _p("ready-then", "node", "Running", True, 0, THEN, THEN)
ready_now_high_restarts = _p("ready-high-restarts", "node", "Running", True, 9001, NOW, NOW)
ready_now_created_then = _p("ready-now-created-then", "node", "Running", True, 0, NOW, THEN)
low_cost = _p("low-deletion-cost", "node", "Running", True, 0, NOW, THEN, {COST: "10"})
high_cost = _p("high-deletion-cost", "node", "Running", True, 0, NOW, THEN, {COST: "100"})
unscheduled_5h = _p("unscheduled-5-hours", "", "Pending", False, 0, H5, H5)
unscheduled_8h = _p("unscheduled-10-hours", "", "Pending", False, 0, H8, H8)
ready_2h = _p("ready-2-hours", "", "Running", True, 0, H2, THEN)
ready_5h = _p("ready-5-hours", "", "Running", True, 0, H5, THEN)
ready_8h = _p("ready-10-hours", "", "Running", True, 0, H8, THEN)

EQUALITY = [
    (unscheduled, None), (scheduled_pending, None), (unknown_phase, None), (running_not_ready, None),
    (ready_now_created_then, None), (ready_now, None), (ready_then, None), (ready_now_high_restarts, None),
    (ready_now_created_then, None), (unscheduled_5h, unscheduled_8h), (ready_5h, ready_8h),
]


@pytest.mark.parametrize("i", range(len(EQUALITY)), ids=[f"TestSortingActivePodsWithRanks/Equality tests {i}"
                                                         for i in range(len(EQUALITY))])
def test_ranking_equality(i):
    p1, p2 = EQUALITY[i]
    p2 = p2 or p1
    assert not deletion_less(p1, 1, p2, 1, NOW)
    assert not deletion_less(p2, 1, p1, 1, NOW)


# (lesser, lesser rank, greater, greater rank, features)
INEQUALITY = [
    (unscheduled, 1, scheduled_pending, 2, None),
    (unscheduled, 2, scheduled_pending, 1, None),
    (scheduled_pending, 1, unknown_phase, 2, None),
    (unknown_phase, 1, running_not_ready, 2, None),
    (running_not_ready, 1, ready_no_ltt, 1, None),
    (ready_no_ltt, 1, ready_now, 1, None),
    (ready_now, 2, ready_no_ltt, 1, None),
    (ready_now, 1, ready_then, 1, None),
    (ready_now, 2, ready_then, 1, None),
    (ready_now_high_restarts, 1, ready_now, 1, None),
    (ready_now, 2, ready_now_high_restarts, 1, None),
    (ready_now, 1, ready_now_created_then, 1, None),
    (ready_now_created_then, 2, ready_now, 1, None),
    (low_cost, 2, high_cost, 1, None),
    (high_cost, 2, low_cost, 1, RankingFeatures(pod_deletion_cost=False)),
    (ready_2h, 1, ready_5h, 1, None),
]


@pytest.mark.parametrize("i", range(len(INEQUALITY)), ids=[f"TestSortingActivePodsWithRanks/Inequality tests {i}"
                                                           for i in range(len(INEQUALITY))])
def test_ranking_inequality(i):
    lesser, lr, greater, gr, features = INEQUALITY[i]
    features = features or RankingFeatures()
    assert deletion_less(lesser, lr, greater, gr, NOW, features)
    assert not deletion_less(greater, gr, lesser, lr, NOW, features)


def test_logarithmic_buckets_tie_break_on_uid():
    # controller_utils.go: equal log2 buckets are ordered by UID (kubekit row).
    a = pod("a", node="n", ready=True, ready_since=H5, uid="b-uid")
    b = pod("b", node="n", ready=True, ready_since=H8, uid="a-uid")
    assert logarithmic_rank_diff(H5, H8, NOW) == 0
    assert deletion_less(b, 1, a, 1, NOW) and not deletion_less(a, 1, b, 1, NOW)
    # Without the logarithmic gate, the more recently ready pod goes first.
    plain = RankingFeatures(logarithmic_scale_down=False)
    assert deletion_less(a, 1, b, 1, NOW, plain)


def test_pods_to_delete_uses_related_pods_rank():
    # getPodsToDelete / getPodsRankedByRelatedPodsOnSameNode: a pod on a node
    # crowded with related pods goes first (kubekit row, not transcribed).
    crowded = pod("crowded", node="n1", ready=True, ready_since=THEN, created=THEN)
    alone = pod("alone", node="n2", ready=True, ready_since=THEN, created=THEN)
    related = [crowded, alone] + [pod(f"r{i}", node="n1") for i in range(3)] + [pod("gone", node="n2", phase="Failed")]
    assert [p["metadata"]["name"] for p in pods_to_delete([alone, crowded], related, 1, NOW)] == ["crowded"]
    # n == len(pods): no ranking, input order.
    assert [p["metadata"]["name"] for p in pods_to_delete([alone, crowded], related, 2, NOW)] == ["alone", "crowded"]


_NODES = ["", "n1", "n2"]
_TIMES = [None, H2, H5, H8, THEN, NOW]


@st.composite
def _pods(draw):
    n = draw(st.integers(1, 12))
    out = []
    for i in range(n):
        p = pod(f"p{i}", node=draw(st.sampled_from(_NODES)), phase=draw(st.sampled_from(["Pending", "Running",
                                                                                          "Unknown"])),
                ready=draw(st.booleans()), restarts=draw(st.integers(0, 2)), ready_since=draw(st.sampled_from(_TIMES)),
                created=draw(st.sampled_from(_TIMES)), uid=f"uid-{draw(st.integers(0, 5))}-{i}",
                annotations={COST: str(draw(st.integers(-1, 1)))} if draw(st.booleans()) else None)
        p["metadata"]["resourceVersion"] = "1"
        out.append(p)
    return out


@settings(max_examples=200, deadline=None)
@given(_pods(), st.data())
def test_feature_cache_gives_the_order_without_it(pods, data):
    """The controller's per-pod-version cache of ranking features changes no
    decision: the order equals the uncached one, also after pods changed
    (a new resourceVersion) between two rankings with one cache."""
    cache = FeatureCache()
    related = pods + [pod("r", node="n1")]
    n = data.draw(st.integers(0, len(pods)))
    assert pods_to_delete(pods, related, n, NOW, cache=cache) == pods_to_delete(pods, related, n, NOW)
    changed = []
    for i, p in enumerate(pods):
        if data.draw(st.booleans(), label=f"change {i}"):
            p = {**p, "metadata": {**p["metadata"], "resourceVersion": "2"},
                 "status": {**p["status"], "containerStatuses": [{"restartCount": 7}]},
                 "spec": {"nodeName": data.draw(st.sampled_from(_NODES), label=f"node {i}")}}
        changed.append(p)
    later = NOW + timedelta(hours=data.draw(st.integers(0, 9)))
    assert sort_for_deletion(changed, [0] * len(changed), later, cache=cache) == \
        sort_for_deletion(changed, [0] * len(changed), later)


def test_feature_cache_keys_on_the_version_and_skips_unversioned_pods():
    cache = FeatureCache(limit=2)
    a = pod("a", node="n1", uid="ua")
    a["metadata"]["resourceVersion"] = "1"
    cache.get(a)
    assert len(cache) == 1
    cache.get({**a, "metadata": {**a["metadata"], "resourceVersion": "2"}})
    assert len(cache) == 2
    cache.get(pod("b", uid="ub"))                      # no resourceVersion: computed, not kept
    assert len(cache) == 2
    b = pod("b", uid="ub")
    b["metadata"]["resourceVersion"] = "1"
    cache.get(b)                                      # at the limit the cache starts over
    assert len(cache) == 1
