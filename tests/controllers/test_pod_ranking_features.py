"""sort_for_deletion compares precomputed features; they must decide every
pair exactly as deletion_less (the transcription of ActivePodsWithRanks.Less) does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from kubekit.controllers.pod_ranking import (
    RankingFeatures,
    _features,
    _less,
    deletion_less,
    sort_for_deletion,
)
from kubekit.controllers.timeutil import ZERO_TIME

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _ts(offset):
    return None if offset is None else (NOW - timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


pods = st.builds(
    lambda i, node, phase, ready, ready_at, cost, restarts, created, uid: {
        "metadata": {"name": f"p{i}", "uid": uid, "creationTimestamp": _ts(created),
                     **({"annotations": {"controller.kubernetes.io/pod-deletion-cost": cost}} if cost else {})},
        "spec": {"nodeName": node},
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                                   "lastTransitionTime": _ts(ready_at)}],
                   "containerStatuses": [{"name": "c", "restartCount": restarts}]}},
    st.integers(0, 10**6), st.sampled_from(["", "n1", "n2"]), st.sampled_from(["Pending", "Unknown", "Running"]),
    st.booleans(), st.one_of(st.none(), st.sampled_from([0, 1, 2, 5, 60, 61, 4000, 5000])),
    st.sampled_from(["", "0", "5", "-3", "x"]), st.integers(0, 3),
    st.one_of(st.none(), st.sampled_from([0, 3, 7, 100, 101, 90000])), st.sampled_from(["a", "b", "c"]))


@settings(max_examples=300)
@given(st.lists(st.tuples(pods, st.integers(0, 3)), min_size=2, max_size=8), st.booleans(), st.booleans(),
       st.booleans())
def test_features_decide_like_deletion_less(items, cost, log, zero_now):
    feats = RankingFeatures(pod_deletion_cost=cost, logarithmic_scale_down=log)
    now = None if zero_now else NOW
    ref = ZERO_TIME if now is None else NOW
    f = [_features(p, r, ref, feats) for p, r in items]
    for i, (pi, ri) in enumerate(items):
        for j, (pj, rj) in enumerate(items):
            assert _less(f[i], f[j]) == deletion_less(pi, ri, pj, rj, now, feats)


def test_sort_for_deletion_still_orders_unscheduled_then_not_ready_first():
    a = {"metadata": {"name": "a", "uid": "a"}, "spec": {"nodeName": "n1"},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
    b = {"metadata": {"name": "b", "uid": "b"}, "spec": {"nodeName": ""}, "status": {"phase": "Pending"}}
    c = {"metadata": {"name": "c", "uid": "c"}, "spec": {"nodeName": "n1"},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}}
    assert [p["metadata"]["name"] for p in sort_for_deletion([a, b, c], [1, 1, 1], NOW)] == ["b", "c", "a"]
