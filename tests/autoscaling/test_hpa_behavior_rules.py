"""Behavior normalization against upstream's tables.

Transcribed from kubernetes/kubernetes ``pkg/controller/podautoscaler/horizontal_test.go``
(the version with the ``monitor`` package, ``hpaSelectors`` and ``ptr.To``: 1.33+)
-- TestScalingWithRules, TestStoreScaleEvents, TestNormalizeDesiredReplicasWithBehavior,
TestCalculateScaleUpLimitWithScalingRules, TestCalculateScaleDownLimitWithBehaviors --
and from ``pkg/apis/autoscaling/v2/defaults_test.go`` (TestGenerateScaleDownRules,
TestGenerateScaleUpRules).  Go's ``time.Now()`` is the fixed :data:`NOW`.
"""

from __future__ import annotations

import pytest

from kubekit.autoscaling import (
    HPABehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    ScaleEvent,
    TimestampedRecommendation,
    calculate_scale_down_limit_with_behaviors,
    calculate_scale_up_limit_with_scaling_rules,
    convert_desired_replicas_with_behavior_rate,
    default_behavior,
    generate_scale_down_rules,
    generate_scale_up_rules,
    get_replicas_change_per_period,
    stabilize_recommendation_with_behaviors,
    store_scale_event,
)

from hpa_builders import NOW, rules, uniform_events

E = uniform_events

# (TestScalingWithRules row name, up events, down events, min, max, up rules, down rules,
#  current, prenormalized desired, expected replicas, expected condition)
SCALING_WITH_RULES = [
    ("prenormalized desired replicas within range", (), (), 3, 8, None, None, 5, 7, 7, "DesiredWithinRange"),
    ("prenormalized desired replicas < minReplicas", (), (), 2, 8, None, None, 3, 1, 2, "TooFewReplicas"),
    ("prenormalized desired replicas within range when minReplicas is 0", (), (), 0, 10, None, None, 1, 0, 0,
     "DesiredWithinRange"),
    ("maxReplicas is the limit because maxReplicas < scaleUpLimit", (), (), 1, 10, None, None, 20, 1000, 10,
     "TooManyReplicas"),
    ("desired replica count is more than the maximum replica count", (), (), 100, 150, None, None, 100, 1000, 150,
     "TooManyReplicas"),
    ("scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", (), (), 1, 2000,
     rules(0, 0, 1, 60, 0), None, 3, 1000, 4, "ScaleUpLimit"),
    # upstream marks this row testThis: true and returns early; its expectation holds here
    ("scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies", (), (), 3, 2000,
     None, rules(20, 60, 0, 0, 0), 1000, 3, 980, "ScaleDownLimit"),
    ("scaleUp with default behavior", (), (), 1, 1000, None, None, 10, 50, 20, "ScaleUpLimit"),
    ("scaleUp with pods policy larger than percent policy", (), (), 1, 1000, rules(100, 60, 100, 60, 0), None, 10,
     500, 110, "ScaleUpLimit"),
    ("scaleUp with percent policy larger than pods policy", (), (), 1, 1000, rules(2, 60, 100, 60, 0), None, 10, 500,
     20, "ScaleUpLimit"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy", (), (), 1, 1000, rules(100, 60, 0, 0, 0), None,
     10, 50, 50, "DesiredWithinRange"),
    ("scaleUp with spec MaxReplicas limitation with large percent policy", (), (), 1, 1000,
     rules(10000, 60, 0, 0, 0), None, 10, 50, 50, "DesiredWithinRange"),
    ("scaleUp with pod policy limitation", (), (), 1, 1000, rules(30, 60, 0, 0, 0), None, 10, 50, 40, "ScaleUpLimit"),
    ("scaleUp with percent policy limitation", (), (), 1, 1000, rules(0, 0, 200, 60, 0), None, 10, 50, 30,
     "ScaleUpLimit"),
    ("scaleDown with percent policy larger than pod policy", (), (), 1, 1000, None, rules(20, 60, 1, 60, 300), 100, 2,
     80, "ScaleDownLimit"),
    ("scaleDown with pod policy larger than percent policy", (), (), 1, 1000, None, rules(2, 60, 1, 60, 300), 100, 2,
     98, "ScaleDownLimit"),
    ("scaleDown with spec MinReplicas=nil limitation with large pod policy", (), (), 1, 1000, None,
     rules(100, 60, 0, 0, 300), 10, 0, 1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large pod policy", (), (), 1, 1000, None,
     rules(100, 60, 0, 0, 300), 10, 0, 1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large percent policy", (), (), 5, 1000, None,
     rules(0, 0, 100, 60, 300), 10, 2, 5, "TooFewReplicas"),
    ("scaleDown with pod policy limitation", (), (), 1, 1000, None, rules(5, 60, 0, 0, 300), 10, 2, 5,
     "ScaleDownLimit"),
    ("scaleDown with percent policy limitation", (), (), 1, 1000, None, rules(0, 0, 50, 60, 300), 10, 5, 5,
     "DesiredWithinRange"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy and events", E([1, 5, 9], 120), (), 1, 200,
     rules(300, 60, 0, 0, 0), None, 100, 500, 200, "TooManyReplicas"),
    ("scaleUp with spec MaxReplicas limitation with large percent policy and events", E([1, 5, 9], 120), (), 1, 200,
     rules(0, 0, 10000, 60, 0), None, 100, 500, 200, "TooManyReplicas"),
    ("scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
     E([1, 5, 9], 120), (), 1, 1000, rules(5, 120, 0, 0, 0), None, 100, 500, 100, "ScaleUpLimit"),
    ("scaleUp with pod policy and previous scale up events", E([1, 5, 9], 120), (), 1, 1000,
     rules(150, 120, 0, 0, 0), None, 100, 500, 235, "ScaleUpLimit"),
    ("scaleUp with percent policy and previous scale up events", E([1, 5, 9], 120), (), 1, 1000,
     rules(0, 0, 200, 120, 0), None, 100, 500, 255, "ScaleUpLimit"),
    ("scaleUp with percent policy and previous scale up and down events", E([4], 120), E([2], 120), 1, 1000,
     rules(0, 0, 300, 300, 0), None, 6, 24, 16, "ScaleUpLimit"),
    ("scaleDown with default policy and previous events", (), E([1, 5, 9], 120), 1, 1000, None, None, 10, 5, 5,
     "DesiredWithinRange"),
    ("scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", (),
     E([1, 5, 9], 120), 1, 1000, None, rules(115, 120, 0, 0, 300), 100, 0, 1, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large pod policy and previous events", (), E([1, 5, 9], 120),
     5, 1000, None, rules(130, 120, 0, 0, 300), 100, 0, 5, "TooFewReplicas"),
    ("scaleDown with spec MinReplicas limitation with large percent policy and previous events", (),
     E([1, 5, 9], 120), 5, 1000, None, rules(0, 0, 100, 120, 300), 100, 2, 5, "TooFewReplicas"),
    ("scaleDown with pod policy limitation and previous events", (), E([1, 5, 9], 120), 1, 1000, None,
     rules(5, 120, 0, 0, 300), 100, 2, 100, "ScaleDownLimit"),
    ("scaleDown with percent policy limitation and previous events", (), E([2, 4, 6], 120), 1, 1000, None,
     rules(0, 0, 50, 120, 300), 100, 0, 56, "ScaleDownLimit"),
    ("scaleDown with percent policy and previous scale up and down events", E([2], 120), E([4], 120), 1, 1000, None,
     rules(0, 0, 50, 180, 0), 10, 1, 6, "ScaleDownLimit"),
    ("scaleDown with previous events preventing further scale down", (), E([10, 10, 10], 120), 1, 1000, None,
     rules(0, 0, 10, 120, 300), 100, 0, 100, "ScaleDownLimit"),
    ("scaleDown with with previous events still allowing more scale down", (), E([10, 10, 10], 120), 1, 1000, None,
     rules(0, 0, 1000, 120, 300), 10, 5, 5, "DesiredWithinRange"),
    ("check 'outdated' flag for events for one behavior for up", E([8, 12, 9, 11], 120), (), 1, 1000,
     rules(1000, 60, 0, 0, 0), None, 100, 200, 200, "DesiredWithinRange"),
    ("check that events were not marked 'outdated' for two different policies in the behavior for up",
     E([8, 12, 9, 11], 120), (), 1, 1000, rules(1000, 120, 100, 60, 0), None, 100, 200, 200, "DesiredWithinRange"),
    ("check that events were marked 'outdated' for two different policies in the behavior for up",
     E([8, 12, 9, 11], 120), (), 1, 1000, rules(1000, 30, 100, 60, 0), None, 100, 200, 200, "DesiredWithinRange"),
    ("check 'outdated' flag for events for one behavior for down", (), E([8, 12, 9, 11], 120), 1, 1000, None,
     rules(1000, 60, 0, 0, 300), 100, 5, 5, "DesiredWithinRange"),
    ("check that events were not marked 'outdated' for two different policies in the behavior for down", (),
     E([8, 12, 9, 11], 120), 1, 1000, None, rules(1000, 120, 100, 60, 300), 100, 5, 5, "DesiredWithinRange"),
    ("check that events were marked 'outdated' for two different policies in the behavior for down", (),
     E([8, 12, 9, 11], 120), 1, 1000, None, rules(1000, 30, 100, 60, 300), 100, 5, 5, "DesiredWithinRange"),
]


@pytest.mark.parametrize(
    "name,ups,downs,min_r,max_r,up_rules,down_rules,current,desired,expected,condition",
    SCALING_WITH_RULES, ids=[r[0] for r in SCALING_WITH_RULES],
)
def test_scaling_with_rules(name, ups, downs, min_r, max_r, up_rules, down_rules, current, desired, expected,
                            condition):
    """TestScalingWithRules/<row>: convertDesiredReplicasWithBehaviorRate with
    the rules passed through GenerateHPAScale{Up,Down}Rules."""
    replicas, reason, _ = convert_desired_replicas_with_behavior_rate(
        current, desired, min_r, max_r, generate_scale_up_rules(up_rules), generate_scale_down_rules(down_rules),
        ups, downs, NOW,
    )
    assert (replicas, reason) == (expected, condition)


def _ev(change, seconds_ago, outdated=False):
    return ScaleEvent(change, NOW - seconds_ago, outdated)


# (TestStoreScaleEvents row, previous events, expected new events (change, outdated), rules, expected change in 60s)
STORE_SCALE_EVENTS = [
    ("empty entries with default behavior", [], [], None, 0),
    ("empty entries with two-policy-behavior", [], [(5, False)], rules(10, 60, 100, 60, 0), 0),
    ("one outdated entry to be kept untouched without behavior", [_ev(7, 61)], [(7, False)], None, 0),
    ("one outdated entry to be replaced with behavior", [_ev(7, 61)], [(5, False)], rules(10, 60, 100, 60, 0), 0),
    ("one actual entry to be not touched with behavior", [_ev(7, 58)], [(7, False), (5, False)],
     rules(10, 60, 100, 60, 0), 7),
    ("two entries, one of them to be replaced", [_ev(7, 61), _ev(6, 59)], [(5, False), (6, False)],
     rules(10, 60, 0, 0, 0), 6),
    ("replace one entry, use policies with different periods", [_ev(8, 29), _ev(6, 59), _ev(7, 61), _ev(9, 61)],
     [(8, False), (6, False), (7, True), (5, False)], rules(10, 60, 100, 30, 0), 14),
    ("two entries, both actual", [_ev(7, 58), _ev(6, 59)], [(7, False), (6, False), (5, False)],
     rules(10, 120, 100, 30, 0), 13),
]


@pytest.mark.parametrize("name,prev,new,scaling_rules,change", STORE_SCALE_EVENTS,
                         ids=[r[0] for r in STORE_SCALE_EVENTS])
def test_store_scale_events(name, prev, new, scaling_rules, change):
    """TestStoreScaleEvents/<row>, scale-up then scale-down by 5 from 10."""
    assert get_replicas_change_per_period(60, prev, NOW) == change
    up_behavior = None if scaling_rules is None else HPABehavior(scale_up=scaling_rules)
    ups, downs = store_scale_event(up_behavior, prev, (), 10, 15, NOW)
    assert [(e.replica_change, e.outdated) for e in ups] == new
    assert downs == ()
    down_behavior = None if scaling_rules is None else HPABehavior(scale_down=scaling_rules)
    ups, downs = store_scale_event(down_behavior, (), prev, 10, 5, NOW)
    assert [(e.replica_change, e.outdated) for e in downs] == new
    assert ups == ()


def _rec(value, minutes_ago):
    return TimestampedRecommendation(value, NOW - 60 * minutes_ago)


# (TestNormalizeDesiredReplicasWithBehavior row, recommendations, current, prenormalized, expected stabilized,
#  expected stored recommendation values or None, up window, down window)
NORMALIZE_WITH_BEHAVIOR = [
    ("empty recommendations for scaling down", [], 100, 5, 5, [5], 0, 0),
    ("simple scale down stabilization", [_rec(4, 2), _rec(5, 1)], 100, 3, 5, [4, 5, 3], 0, 180),
    ("simple scale up stabilization", [_rec(4, 2), _rec(5, 1)], 1, 7, 4, [4, 5, 7], 300, 0),
    ("no scale down stabilization", [_rec(1, 2), _rec(2, 1)], 100, 3, 3, [1, 2, 3], 300, 0),
    ("no scale up stabilization", [_rec(4, 2), _rec(5, 1)], 1, 3, 3, [4, 5, 3], 0, 300),
    ("no scale down stabilization, reuse recommendation element", [_rec(10, 10), _rec(9, 9)], 100, 3, 3, [10, 3], 0,
     0),
    ("no scale up stabilization, reuse recommendation element", [_rec(10, 10), _rec(9, 9)], 1, 100, 100, [10, 100], 0,
     0),
    ("scale down stabilization, reuse one of obsolete recommendation element",
     [_rec(10, 10), _rec(4, 1), _rec(5, 2), _rec(9, 9)], 100, 3, 5, [10, 4, 5, 3], 0, 180),
    ("scale up stabilization, reuse one of obsolete recommendation element",
     [_rec(10, 100), _rec(6, 1), _rec(5, 2), _rec(9, 3)], 1, 100, 5, [100, 6, 5, 9], 300, 0),
    ("scale up and down stabilization, do not scale up when prenormalized rec goes down",
     [_rec(2, 100), _rec(3, 3)], 2, 1, 2, None, 300, 300),
    ("scale up and down stabilization, do not scale down when prenormalized rec goes up",
     [_rec(2, 100), _rec(1, 3)], 2, 3, 2, None, 300, 300),
]


@pytest.mark.parametrize("name,recs,current,desired,stabilized,stored,up_window,down_window",
                         NORMALIZE_WITH_BEHAVIOR, ids=[r[0] for r in NORMALIZE_WITH_BEHAVIOR])
def test_normalize_desired_replicas_with_behavior(name, recs, current, desired, stabilized, stored, up_window,
                                                  down_window):
    """TestNormalizeDesiredReplicasWithBehavior/<row> (stabilizeRecommendationWithBehaviors)."""
    got, _, _, new_recs = stabilize_recommendation_with_behaviors(
        current, desired, up_window, down_window, recs, NOW
    )
    assert got == stabilized
    if stored is not None:
        assert [r.recommendation for r in new_recs] == stored
    assert tuple(recs) == tuple(recs)  # the input history is untouched (pure)


def test_calculate_scale_up_limit_with_scaling_rules():
    """TestCalculateScaleUpLimitWithScalingRules: Min of Pods 2 and Percent 50 from 1."""
    got = calculate_scale_up_limit_with_scaling_rules(1, (), (), HPAScalingRules(
        stabilization_window_seconds=300, select_policy="Min",
        policies=(HPAScalingPolicy("Pods", 2, 60), HPAScalingPolicy("Percent", 50, 60))), NOW)
    assert got == 2


def test_calculate_scale_down_limit_with_behaviors():
    """TestCalculateScaleDownLimitWithBehaviors: Min of Pods 2 and Percent 50 from 5."""
    got = calculate_scale_down_limit_with_behaviors(5, (), (), HPAScalingRules(
        stabilization_window_seconds=300, select_policy="Min",
        policies=(HPAScalingPolicy("Pods", 2, 60), HPAScalingPolicy("Percent", 50, 60))), NOW)
    assert got == 3


def _policies(pods, pods_period, percent, percent_period):
    out = []
    if pods != 0 or pods_period != 0:
        out.append(HPAScalingPolicy("Pods", pods, pods_period))
    if percent != 0 or percent_period != 0:
        out.append(HPAScalingPolicy("Percent", percent, percent_period))
    return tuple(out) if out else None


# (row, pods, pods period, percent, percent period, window, select, expected policies, window, select)
GENERATE_SCALE_DOWN = [
    ("Default values", 0, 0, 0, 0, None, None, [("Percent", 100, 15)], None, "Max"),
    ("All parameters are specified", 1, 2, 3, 4, 25, "Max", [("Pods", 1, 2), ("Percent", 3, 4)], 25, "Max"),
    ("Percent policy is specified", 0, 0, 1, 2, None, "Min", [("Percent", 1, 2)], None, "Min"),
    ("Pods policy is specified", 3, 4, 0, 0, None, None, [("Pods", 3, 4)], None, "Max"),
]

GENERATE_SCALE_UP = [
    ("Default values", 0, 0, 0, 0, None, None, [("Pods", 4, 15), ("Percent", 100, 15)], 0, "Max"),
    ("All parameters are specified", 1, 2, 3, 4, 25, "Max", [("Pods", 1, 2), ("Percent", 3, 4)], 25, "Max"),
    ("Pod policy is specified", 1, 2, 0, 0, None, "Min", [("Pods", 1, 2)], 0, "Min"),
    ("Percent policy is specified", 0, 0, 7, 10, None, None, [("Percent", 7, 10)], 0, "Max"),
    ("Pod policy and stabilization window are specified", 4, 2, 0, 0, 25, None, [("Pods", 4, 2)], 25, "Max"),
    ("Percent policy and stabilization window are specified", 0, 0, 7, 60, 25, None, [("Percent", 7, 60)], 25,
     "Max"),
]


@pytest.mark.parametrize("name,pods,pp,pct,pctp,window,select,policies,exp_window,exp_select",
                         GENERATE_SCALE_DOWN, ids=[r[0] for r in GENERATE_SCALE_DOWN])
def test_generate_scale_down_rules(name, pods, pp, pct, pctp, window, select, policies, exp_window, exp_select):
    """defaults_test.go TestGenerateScaleDownRules/<row>."""
    got = generate_scale_down_rules(HPAScalingRules(window, select, _policies(pods, pp, pct, pctp)))
    assert [(p.type, p.value, p.period_seconds) for p in got.policies] == policies
    assert (got.stabilization_window_seconds, got.select_policy) == (exp_window, exp_select)


@pytest.mark.parametrize("name,pods,pp,pct,pctp,window,select,policies,exp_window,exp_select",
                         GENERATE_SCALE_UP, ids=[r[0] for r in GENERATE_SCALE_UP])
def test_generate_scale_up_rules(name, pods, pp, pct, pctp, window, select, policies, exp_window, exp_select):
    """defaults_test.go TestGenerateScaleUpRules/<row>."""
    got = generate_scale_up_rules(HPAScalingRules(window, select, _policies(pods, pp, pct, pctp)))
    assert [(p.type, p.value, p.period_seconds) for p in got.policies] == policies
    assert (got.stabilization_window_seconds, got.select_policy) == (exp_window, exp_select)


def test_default_behavior_keeps_legacy_path_and_tolerance():
    """SetDefaults_HorizontalPodAutoscalerBehavior: no behavior stays nil (legacy
    path); a given behavior gets both directions; a set tolerance is copied."""
    assert default_behavior(None) is None
    got = default_behavior(HPABehavior(scale_down=HPAScalingRules(tolerance=0.05)))
    assert got.scale_up == generate_scale_up_rules(None)
    assert got.scale_down.tolerance == 0.05
    assert got.scale_down.stabilization_window_seconds is None
