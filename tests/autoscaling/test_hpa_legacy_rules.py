"""The legacy normalization path (no ``spec.behavior``) against upstream's tables.

Transcribed from kubernetes/kubernetes ``pkg/controller/podautoscaler/horizontal_test.go``:
TestNormalizeDesiredReplicas (``stabilizeRecommendation``) and
TestConvertDesiredReplicasWithRules.  That test file sets
``scaleUpLimitFactor = 8`` in its ``init()``; the rows below use the same.
"""

from __future__ import annotations

import pytest

from kubekit.autoscaling import (
    TimestampedRecommendation,
    calculate_scale_up_limit,
    convert_desired_replicas_with_rules,
    normalize_legacy,
    stabilize_recommendation,
)

from hpa_builders import NOW


def _rec(value, minutes_ago):
    return TimestampedRecommendation(value, NOW - 60 * minutes_ago)


# (TestNormalizeDesiredReplicas row, recommendations, prenormalized, expected stabilized, expected log length)
NORMALIZE = [
    ("empty log", [], 5, 5, 1),
    ("stabilize", [_rec(4, 2), _rec(5, 1)], 3, 5, 3),
    ("no stabilize", [_rec(1, 2), _rec(2, 1)], 3, 3, 3),
    ("no stabilize - old recommendations", [_rec(10, 10), _rec(9, 9)], 3, 3, 2),
    ("stabilize - old recommendations", [_rec(10, 10), _rec(4, 1), _rec(5, 2), _rec(9, 9)], 3, 5, 4),
]


@pytest.mark.parametrize("name,recs,desired,stabilized,length", NORMALIZE, ids=[r[0] for r in NORMALIZE])
def test_normalize_desired_replicas(name, recs, desired, stabilized, length):
    """TestNormalizeDesiredReplicas/<row>: 5-minute downscale stabilization."""
    got, new_recs = stabilize_recommendation(desired, recs, NOW, 300.0)
    assert got == stabilized
    assert len(new_recs) == length


# (TestConvertDesiredReplicasWithRules annotation, current, desired, min, max, expected, condition)
CONVERT = [
    ("prenormalized desired replicas within range", 5, 7, 3, 8, 7, "DesiredWithinRange"),
    ("prenormalized desired replicas < minReplicas", 3, 1, 2, 8, 2, "TooFewReplicas"),
    ("prenormalized desired zeroed replicas within range", 1, 0, 0, 10, 0, "DesiredWithinRange"),
    ("maxReplicas is the limit because maxReplicas < scaleUpLimit", 20, 1000, 1, 10, 10, "TooManyReplicas"),
    ("scaleUpLimit is the limit because scaleUpLimit < maxReplicas", 3, 1000, 1, 2000,
     calculate_scale_up_limit(3, 8.0), "ScaleUpLimit"),
]


@pytest.mark.parametrize("name,current,desired,min_r,max_r,expected,condition", CONVERT, ids=[r[0] for r in CONVERT])
def test_convert_desired_replicas_with_rules(name, current, desired, min_r, max_r, expected, condition):
    """TestConvertDesiredReplicasWithRules/<annotation> (scaleUpLimitFactor 8, as the test file)."""
    got, reason, _ = convert_desired_replicas_with_rules(current, desired, min_r, max_r, scale_up_limit_factor=8.0)
    assert (got, reason) == (expected, condition)


def test_scale_up_limit_production_values():
    """With the production factor (2.0) and minimum (4.0): ``max(2c, 4)``."""
    assert [calculate_scale_up_limit(c) for c in (0, 1, 2, 3, 10)] == [4, 4, 4, 6, 20]
    assert calculate_scale_up_limit(3, 8.0) == 24
    got, reason, msg = convert_desired_replicas_with_rules(3, 1000, 1, 2000)
    assert (got, reason) == (6, "ScaleUpLimit")
    assert msg == "the desired replica count is increasing faster than the maximum scale rate"


def test_min_is_checked_before_the_scale_up_cap():
    """convertDesiredReplicasWithRules checks the minimum first: below min gives
    min even if min is above the cap."""
    got, reason, _ = convert_desired_replicas_with_rules(1, 0, 10, 20)
    assert (got, reason) == (10, "TooFewReplicas")


def test_normalize_legacy_conditions_and_messages():
    """normalizeDesiredReplicas: AbleToScale ScaleDownStabilized when the window
    raised the count; ScalingLimited True when the rules changed it."""
    n = normalize_legacy(5, 3, 1, 10, [_rec(5, 1)], NOW)
    assert (n.desired, n.able_to_scale_reason, n.limited_reason, n.scaling_limited) == (
        5, "ScaleDownStabilized", "DesiredWithinRange", False)
    assert n.able_to_scale_message == (
        "recent recommendations were higher than current one, applying the highest recent recommendation")
    n = normalize_legacy(5, 30, 1, 10, [], NOW)
    assert (n.desired, n.able_to_scale_reason, n.limited_reason, n.scaling_limited) == (
        10, "ReadyForNewScale", "TooManyReplicas", True)
    assert [r.recommendation for r in n.recommendations] == [30]


def test_legacy_window_edge_is_inclusive():
    """stabilizeRecommendation drops a recommendation only when it is strictly
    ``Before(now - window)``: exactly 300s old still counts (unlike the behavior
    path, whose ``After`` test drops it)."""
    got, _ = stabilize_recommendation(1, [TimestampedRecommendation(9, NOW - 300)], NOW, 300.0)
    assert got == 9
    got, _ = stabilize_recommendation(1, [TimestampedRecommendation(9, NOW - 300.001)], NOW, 300.0)
    assert got == 1
