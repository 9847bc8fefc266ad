"""Properties of the HPA decision functions (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.autoscaling import (
    ContainerSpec,
    HPABehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    HPASpec,
    HPAState,
    MetricInput,
    MetricSpec,
    MetricTarget,
    PodInfo,
    PodMetric,
    Tolerances,
    TimestampedRecommendation,
    calculate_scale_up_limit,
    hpa_decide,
    normalize_legacy,
    normalize_with_behaviors,
    replicas_for_resource,
    store_scale_event,
)
from kubekit.autoscaling.hpa_gomath import go_div

NOW = 1_700_000_000.0
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pods(n, request=1000):
    return [PodInfo(name=f"p-{i}", start_time=NOW - 3600, ready_transition_time=NOW - 3600,
                    containers=(ContainerSpec("c", {"cpu": request}),)) for i in range(n)]


@SETTINGS
@given(a=st.integers(-10**12, 10**12), b=st.integers(-10**6, 10**6).filter(lambda x: x != 0))
def test_go_div_truncates_toward_zero(a, b):
    assert go_div(a, b) == math.trunc(Fraction(a, b))


@SETTINGS
@given(
    n=st.integers(1, 30),
    usage=st.lists(st.integers(0, 5000), min_size=30, max_size=30),
    target=st.integers(1, 300),
    current=st.integers(1, 50),
)
def test_within_tolerance_no_change(n, usage, target, current):
    """All pods ready with metrics: a ratio inside [0.9, 1.1] keeps the count;
    outside it the count is ceil(ratio * ready pods)."""
    pods = _pods(n)
    metrics = {f"p-{i}": PodMetric(usage[i], NOW, 60) for i in range(n)}
    got = replicas_for_resource(current, target, "cpu", pods, metrics, NOW)
    ratio = float(go_div(sum(usage[:n]) * 100, 1000 * n)) / float(target)
    if Tolerances().is_within(ratio):
        assert got.replicas == current
    else:
        assert got.replicas == math.ceil(ratio * n)
    assert got.utilization == go_div(sum(usage[:n]) * 100, 1000 * n)


@SETTINGS
@given(
    min_r=st.integers(1, 20),
    span=st.integers(0, 30),
    current=st.integers(1, 60),
    usage=st.integers(0, 20000),
    target=st.integers(1, 200),
    with_behavior=st.booleans(),
    history=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 900)), max_size=6),
)
def test_decision_always_within_min_max(min_r, span, current, usage, target, with_behavior, history):
    """Whatever the metrics and the history, one reconcile step lands in
    [minReplicas, maxReplicas] (a target at zero replicas is the only exception,
    and is excluded here)."""
    max_r = min_r + span
    pods = _pods(current)
    metrics = {p.name: PodMetric(usage, NOW, 60) for p in pods}
    spec = HPASpec(max_r, (MetricSpec("Resource", "cpu", MetricTarget.utilization(target)),), min_r,
                   HPABehavior() if with_behavior else None)
    state = HPAState(tuple(TimestampedRecommendation(r, NOW - ago) for r, ago in history))
    d = hpa_decide(spec, current, pods, [MetricInput(pod_metrics=metrics)], NOW, state=state)
    assert min_r <= d.desired_replicas <= max_r
    assert d.rescale == (d.desired_replicas != current)


@SETTINGS
@given(current=st.integers(0, 1000), desired=st.integers(0, 5000), min_r=st.integers(0, 10),
       max_r=st.integers(10, 5000))
def test_legacy_scale_up_never_exceeds_max_2c_4(current, desired, min_r, max_r):
    n = normalize_legacy(current, desired, min_r, max_r, (), NOW)
    if n.desired > current and n.desired > min_r:
        assert n.desired <= max(2 * current, 4)
        assert n.desired == calculate_scale_up_limit(current) or n.desired in (desired, max_r)


@st.composite
def _scaling(draw):
    kind = draw(st.sampled_from(["Pods", "Percent"]))
    value = draw(st.integers(1, 10)) if kind == "Pods" else draw(st.integers(10, 200))
    period = draw(st.sampled_from([15, 30, 60, 120]))
    return kind, value, period


@settings(max_examples=60, deadline=None)
@given(
    up=_scaling(),
    down=_scaling(),
    wishes=st.lists(st.integers(1, 200), min_size=1, max_size=25),
    start=st.integers(1, 50),
)
def test_rate_limits_never_exceeded_per_period(up, down, wishes, start):
    """Simulating reconciles every 15 s with one policy per direction: the net
    change inside any policy period never exceeds what the policy allows
    (Pods: ``value``; Percent: from the count at the period's start)."""
    up_rules = HPAScalingRules(0, "Max", (HPAScalingPolicy(up[0], up[1], up[2]),))
    down_rules = HPAScalingRules(0, "Max", (HPAScalingPolicy(down[0], down[1], down[2]),))
    behavior = HPABehavior(up_rules, down_rules)
    current = start
    ups, downs = (), ()
    recs = ()
    history = [(NOW - 10_000, current)]
    for k, wish in enumerate(wishes):
        now = NOW + 15 * k
        n = normalize_with_behaviors(current, wish, 1, 1000, behavior, recs, ups, downs, now)
        recs = n.recommendations
        new = n.desired
        # the count at the start of each period, from the replayed history
        for (kind, value, period), direction in ((up, 1), (down, -1)):
            before = [c for t, c in history if t <= now - period]
            at_start = before[-1] if before else history[0][1]
            change = (new - at_start) * direction
            if kind == "Pods":
                assert change <= max(value, (current - at_start) * direction)
            else:
                bound = at_start * value / 100 + 1
                assert change <= max(bound, (current - at_start) * direction)
        if new != current:
            ups, downs = store_scale_event(behavior, ups, downs, current, new, now)
            current = new
        history.append((now, current))


@SETTINGS
@given(ratio=st.floats(0.0, 3.0, allow_nan=False), down=st.floats(0, 1), up=st.floats(0, 2))
def test_tolerance_band_inclusive(ratio, down, up):
    t = Tolerances(down, up)
    assert t.is_within(ratio) == ((1.0 - down) <= ratio <= (1.0 + up))
    assert t.is_within(1.0)
