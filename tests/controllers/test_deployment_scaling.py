"""Proportional scaling.  Upstream table: ``pkg/controller/deployment/sync_test.go``
TestScale (v1.3x version with ``ptr.To(intstr.FromInt32(...))`` rows).  Each RS
carries desired/max-replicas annotations computed from the row's oldDeployment,
as the upstream loop sets them; "failed rs update" is checked as a decision
(upstream then simulates the foo-v2 update failing)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ctrl_builders import deployment, rs
from kubekit.controllers import (
    find_active_or_latest, max_surge, replica_set_fraction, replica_set_proportion, scale_decision,
)

NEW_TS = datetime(2016, 5, 20, 2, 0, 0, tzinfo=timezone.utc)
OLD_TS = datetime(2016, 5, 20, 1, 0, 0, tzinfo=timezone.utc)
OLDER_TS = datetime(2016, 5, 20, 0, 0, 0, tzinfo=timezone.utc)


def d(replicas, surge=None, unavailable=None, template=None):
    """``newDeployment(name, replicas, nil, maxSurge, maxUnavailable, selector)``: surge/unavailable default 0."""
    return deployment(replicas=replicas, max_surge=0 if surge is None else surge,
                      max_unavailable=0 if unavailable is None else unavailable, template=template)


# (name, deployment, oldDeployment, newRS (name, size, ts) or None, oldRSs, expectedNew, expectedOld, desired overrides, newRS available)
SCALE = [
    ("normal scaling event: 10 -> 12", d(12), d(10), ("foo-v1", 10, NEW_TS), [], 12, [], {}),
    ("normal scaling event: 10 -> 5", d(5), d(10), ("foo-v1", 10, NEW_TS), [], 5, [], {}),
    ("proportional scaling: 5 -> 10", d(10), d(5), ("foo-v2", 2, NEW_TS), [("foo-v1", 3, OLD_TS)], 4, [6], {}),
    ("proportional scaling: 5 -> 3", d(3), d(5), ("foo-v2", 2, NEW_TS), [("foo-v1", 3, OLD_TS)], 1, [2], {}),
    ("proportional scaling: 9 -> 4", d(4), d(9), ("foo-v2", 8, NEW_TS), [("foo-v1", 1, OLD_TS)], 4, [0], {}),
    ("proportional scaling: 7 -> 10", d(10), d(7), ("foo-v3", 2, NEW_TS),
     [("foo-v2", 3, OLD_TS), ("foo-v1", 2, OLDER_TS)], 3, [4, 3], {}),
    ("proportional scaling: 13 -> 8", d(8), d(13), ("foo-v3", 2, NEW_TS),
     [("foo-v2", 8, OLD_TS), ("foo-v1", 3, OLDER_TS)], 1, [5, 2], {}),
    ("leftover distribution: 3 -> 4", d(4), d(3), ("foo-v3", 1, NEW_TS),
     [("foo-v2", 1, OLD_TS), ("foo-v1", 1, OLDER_TS)], 2, [1, 1], {}),
    ("leftover distribution: 3 -> 2", d(2), d(3), ("foo-v3", 1, NEW_TS),
     [("foo-v2", 1, OLD_TS), ("foo-v1", 1, OLDER_TS)], 1, [1, 0], {}),
    ("proportional scaling (no new rs): 4 -> 5", d(5), d(4), None,
     [("foo-v2", 2, OLD_TS), ("foo-v1", 2, OLDER_TS)], None, [3, 2], {}),
    ("proportional scaling: 6 -> 0", d(0), d(6), ("foo-v3", 3, NEW_TS),
     [("foo-v2", 2, OLD_TS), ("foo-v1", 1, OLDER_TS)], 0, [0, 0], {}),
    ("proportional scaling: 0 -> 6", d(6), d(6), ("foo-v3", 0, NEW_TS),
     [("foo-v2", 0, OLD_TS), ("foo-v1", 0, OLDER_TS)], 6, [0, 0], {}),
    ("failed rs update", d(5), d(5), ("foo-v3", 2, NEW_TS),
     [("foo-v2", 1, OLD_TS), ("foo-v1", 1, OLDER_TS)], 2, [2, 1], {"foo-v2": 3}),
    ("deployment with surge pods", d(20, surge=2), d(10, surge=2), ("foo-v2", 6, NEW_TS),
     [("foo-v1", 6, OLD_TS)], 11, [11], {}),
    ("change both surge and size", d(50, surge=6), d(10, surge=3), ("foo-v2", 5, NEW_TS),
     [("foo-v1", 8, OLD_TS)], 22, [34], {}),
    ("change both size and template", d(14, template={"metadata": {"labels": {"foo": "bar", "another": "label"}}}),
     d(10), None, [("foo-v2", 7, NEW_TS), ("foo-v1", 3, OLD_TS)], None, [10, 4], {}),
]


def _annotated(name, size, created, old_d, overrides, available=0):
    desired = overrides.get(name, old_d["spec"]["replicas"])
    return rs(name, size, created=created, available=available, annotations={
        "deployment.kubernetes.io/desired-replicas": str(desired),
        "deployment.kubernetes.io/max-replicas": str(desired + max_surge(old_d)),
    })


@pytest.mark.parametrize("name,dep,old_dep,new,olds,exp_new,exp_old,overrides", SCALE,
                         ids=[f"TestScale/{r[0]}" for r in SCALE])
def test_scale(name, dep, old_dep, new, olds, exp_new, exp_old, overrides):
    new_rs = _annotated(*new, old_dep, overrides) if new else None
    old_rss = [_annotated(*o, old_dep, overrides) for o in olds]
    outcome = scale_decision(dep, new_rs, old_rss)
    if new_rs is not None and exp_new is not None:
        assert outcome.replicas.get(new[0], new[1]) == exp_new
    assert [outcome.replicas.get(o[0], o[1]) for o in olds] == exp_old


def test_scale_saturated_but_broken_new_replica_set():
    # TestScale "saturated but broken new replica set does not affect old pods"
    dep = d(2, surge=1, unavailable=1)
    new_rs = _annotated("foo-v2", 2, NEW_TS, dep, {}, available=0)
    old_rs = _annotated("foo-v1", 1, OLD_TS, dep, {})
    assert scale_decision(dep, new_rs, [old_rs]).replicas == {}


def test_saturated_new_rs_scales_old_to_zero():
    # scale(): IsSaturated(newRS) -> every active old RS to 0 (kubekit row).
    dep = d(3, surge=1, unavailable=1)
    new_rs = _annotated("new", 3, NEW_TS, dep, {}, available=3)
    old_rs = _annotated("old", 1, OLD_TS, dep, {})
    assert scale_decision(dep, new_rs, [old_rs]).replicas == {"old": 0}


def _fraction_d(replicas, status_replicas=0, surge=0):
    dd = deployment(replicas=replicas, max_surge=surge, max_unavailable=1)
    dd["status"] = {"replicas": status_replicas}
    return dd


FRACTION = [
    ("empty deployment always scales to 0", _fraction_d(0), 10, None, -10),
    ("unsynced deployment does not scale when max-replicas annotation is missing (removed by a 3rd party)",
     _fraction_d(10), 5, None, 0),
    ("unsynced deployment does not scale when max-replicas annotation is incorrectly set to 0 (by a 3rd party)",
     _fraction_d(10), 5, "0", 0),
    ("scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is missing (removed by a 3rd party)",
     _fraction_d(120, 100), 50, None, 10),
    ("scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is incorrectly set to 0 (by a 3rd party)",
     _fraction_d(120, 100), 50, "0", 10),
    ("scale up by 1/5 should increase RS replicas by 1/5", _fraction_d(120), 50, "100", 10),
    ("scale up with maxSurge by 1/5 should increase RS replicas approximately by 1/5", _fraction_d(120, surge=10), 50,
     "110", 9),
    ("scale down by 1/6 should decrease RS replicas by 1/6", _fraction_d(10), 6, "12", -1),
    ("scale down with maxSurge by 1/6 should decrease RS replicas approximately by 1/6", _fraction_d(100, surge=10), 50,
     "130", -8),
]


@pytest.mark.parametrize("name,dep,rs_replicas,annotation,expected", FRACTION,
                         ids=[f"TestGetReplicaSetFraction/{r[0]}" for r in FRACTION])
def test_get_replica_set_fraction(name, dep, rs_replicas, annotation, expected):
    annotations = {} if annotation is None else {"deployment.kubernetes.io/max-replicas": annotation}
    assert replica_set_fraction(rs("t", rs_replicas, annotations=annotations), dep) == expected


def test_fraction_and_proportion():
    # getReplicaSetFraction rounds half away from zero (integer.RoundToInt32); kubekit rows.
    dep = d(5)
    r = rs("r", 1, annotations={"deployment.kubernetes.io/max-replicas": "2"})
    assert replica_set_fraction(r, dep) == 2   # round(1*5/2 = 2.5) = 3 -> +2
    assert replica_set_proportion(r, dep, 1, 0) == 1
    assert replica_set_proportion(r, dep, 3, 3) == 0
    assert replica_set_proportion(rs("empty", 0), dep, 3, 0) == 0
    # No annotation: fall back to the Deployment's status.replicas; 0 there -> 0.
    bare = rs("bare", 2)
    assert replica_set_fraction(bare, dep) == 0
    dep_with_status = d(6)
    dep_with_status["status"] = {"replicas": 3}
    assert replica_set_fraction(bare, dep_with_status) == 2


def test_find_active_or_latest():
    a = rs("a", 0, created=OLDER_TS)
    b = rs("b", 0, created=OLD_TS)
    assert find_active_or_latest(None, [a, b])["metadata"]["name"] == "b"
    assert find_active_or_latest(rs("n", 2, created=NEW_TS), [a, rs("c", 1)]) is None
    assert find_active_or_latest(None, []) is None
