"""The HPA's remembered and batched paths equal the plain ones (hypothesis).

``group_pods`` and ``calculate_requests`` remember facts of a
:class:`SelectedPods` (the tuple the controller keeps per pod selection) in
it; a list or a plain tuple takes the plain per-pod loop.  ``signs`` is
``cut`` over a batch; ``default_behavior`` and the behavior's prepared rules
are memoized by the behavior's identity.  Each property runs both paths on
generated inputs, times around the cut included (float and exact, NaN, ints
and Fractions).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.autoscaling import (
    ContainerSpec,
    HPABehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    PodInfo,
    PodMetric,
    TimestampedRecommendation,
    calculate_requests,
    default_behavior,
    group_pods,
    normalize_with_behaviors,
    replicas_for_resource,
)
from kubekit.autoscaling.hpa_behavior import _copy_rules, generate_scale_down_rules, generate_scale_up_rules
from kubekit.autoscaling.hpa_errors import HPAError
from kubekit.autoscaling.hpa_gomath import cut, signs
from kubekit.autoscaling.hpa_pods import SelectedPods
from kubekit.autoscaling.hpa_types import Tolerances

NOW = 1_700_000_000.0
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: instants around ``NOW - 300`` (the cpu initialization cut) and ``NOW``:
#: exactly on it, a float ulp either side, sub-millisecond offsets, far away
_OFFSETS = st.sampled_from([0.0, 1e-7, -1e-7, 5e-4, -5e-4, 2e-3, -2e-3, 1.0, -1.0, 30.0, -30.0, 400.0, -400.0])
_BASES = st.sampled_from([NOW - 300, NOW, NOW - 3600, NOW + 15])


@st.composite
def _instant(draw):
    t = draw(_BASES) + draw(_OFFSETS)
    kind = draw(st.sampled_from(["float", "float", "float", "nextafter", "fraction", "int", "nan"]))
    if kind == "nextafter":
        return math.nextafter(t, draw(st.sampled_from([math.inf, -math.inf])))
    if kind == "fraction":
        return Fraction(t) + Fraction(draw(st.integers(-3, 3)), 10**9)
    if kind == "int":
        return int(t)
    if kind == "nan":
        return math.nan
    return t


@st.composite
def _pod(draw, i):
    phase = draw(st.sampled_from(["Running", "Running", "Running", "Pending", "Failed", "Succeeded"]))
    ready = draw(st.sampled_from(["True", "True", "True", "False", None]))
    start = draw(st.one_of(_instant(), st.none())) if draw(st.booleans()) else draw(_instant())
    containers = tuple(ContainerSpec(f"c{j}", draw(st.dictionaries(st.sampled_from(["cpu", "memory"]),
                                                                   st.integers(0, 4000), max_size=2)))
                       for j in range(draw(st.integers(0, 2))))
    return PodInfo(
        name=f"p-{draw(st.integers(0, i))}",          # names may repeat
        phase=phase, ready=ready, ready_transition_time=draw(_instant()), start_time=start,
        deleted=draw(st.booleans()) and draw(st.booleans()),
        containers=containers,
        init_containers=tuple(ContainerSpec("sidecar", {"cpu": 100}, restart_policy_always=True)
                              for _ in range(draw(st.integers(0, 1)))),
        pod_requests=draw(st.one_of(st.none(), st.just({"cpu": 700}))),
    )


@st.composite
def _pods(draw):
    n = draw(st.integers(1, 8))
    if draw(st.booleans()):       # the common shape: live, Ready, started at generated instants
        return [PodInfo(name=f"p-{i}", start_time=draw(_instant().filter(lambda t: t == t)),
                        ready_transition_time=draw(_instant()),
                        containers=(ContainerSpec("c", {"cpu": 500}),)) for i in range(n)]
    return [draw(_pod(n)) for _ in range(n)]


@st.composite
def _settled_pods(draw):
    """Live, Ready pods of distinct names with float times: the selections
    :func:`replicas_for_resource` takes in one pass."""
    return [PodInfo(name=f"p-{i}", start_time=draw(_BASES) + draw(_OFFSETS),
                    ready_transition_time=draw(_BASES) + draw(_OFFSETS),
                    containers=(ContainerSpec("c", {"cpu": draw(st.sampled_from([500, 250, 0])), "memory": 1000}),))
            for i in range(draw(st.integers(1, 8)))]


@st.composite
def _metrics(draw, pods):
    out = {}
    for p in pods:
        if draw(st.integers(0, 4)):
            out[p.name] = PodMetric(draw(st.integers(0, 3000)), draw(_instant()),
                                    draw(st.sampled_from([15.0, 60.0, 0.0])))
    return out


def _outcome(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except (HPAError, ValueError) as e:     # ValueError: a NaN time reaches an exact comparison
        return (type(e), str(e))


@SETTINGS
@given(data=st.data())
def test_group_pods_on_a_tuple_equals_the_plain_loop(data):
    pods = data.draw(_pods())
    metrics = data.draw(_metrics(pods))
    resource = data.draw(st.sampled_from(["cpu", "memory"]))
    now = data.draw(st.sampled_from([NOW, NOW + 1e-7, NOW + 300, NOW - 300]))
    init = data.draw(st.sampled_from([300.0, 0.0, 30.0]))
    as_tuple = SelectedPods(pods)
    want = _outcome(group_pods, list(pods), metrics, resource, init, 30.0, now)
    assert _outcome(group_pods, as_tuple, metrics, resource, init, 30.0, now) == want
    assert _outcome(group_pods, as_tuple, metrics, resource, init, 30.0, now) == want      # memo hit


@SETTINGS
@given(data=st.data())
def test_calculate_requests_on_a_tuple_equals_the_plain_loop(data):
    pods = SelectedPods(data.draw(_pods()))
    container = data.draw(st.sampled_from(["", "c", "c0", "sidecar", "nope"]))
    resource = data.draw(st.sampled_from(["cpu", "memory"]))
    plr = data.draw(st.booleans())
    want = _outcome(calculate_requests, list(pods), container, resource, pod_level_resources=plr)
    for _ in range(2):                                                            # miss, then hit
        assert _outcome(calculate_requests, pods, container, resource, pod_level_resources=plr) == want


def test_memoized_requests_are_the_callers_own():
    pods = SelectedPods([PodInfo("a", containers=(ContainerSpec("c", {"cpu": 500}),))])
    got = calculate_requests(pods, "", "cpu")
    got["a"] = 1
    assert calculate_requests(pods, "", "cpu") == {"a": 500}


def test_a_new_selection_of_the_same_names_is_recomputed():
    a = PodInfo("a", start_time=NOW, ready_transition_time=NOW, containers=(ContainerSpec("c", {"cpu": 500}),))
    b = PodInfo("a", start_time=NOW - 3600, ready_transition_time=NOW - 3600,
                containers=(ContainerSpec("c", {"cpu": 900}),))
    m = {"a": PodMetric(100, NOW - 100, 15.0)}
    assert group_pods(SelectedPods([a]), m, "cpu", 300.0, 30.0, NOW + 10).unready == {"a"}
    assert calculate_requests(SelectedPods([a]), "", "cpu") == {"a": 500}
    assert group_pods(SelectedPods([b]), m, "cpu", 300.0, 30.0, NOW + 10).ready_count == 1
    assert calculate_requests(SelectedPods([b]), "", "cpu") == {"a": 900}


@SETTINGS
@given(data=st.data())
def test_replicas_for_resource_of_a_selection_equals_the_plain_loop(data):
    """The one-pass path of a settled selection (every pod ready unless it
    lacks a metric or is initialising with an old sample) against the general
    path on a list, metrics of other pods and both tolerances' edges included."""
    pods = data.draw(st.one_of(_pods(), _settled_pods()))
    if data.draw(st.booleans()):        # a recent sample of every pod
        metrics = {p.name: PodMetric(data.draw(st.integers(0, 3000)), NOW + data.draw(_OFFSETS), 15.0)
                   for p in pods}
    else:
        metrics = data.draw(_metrics(pods))
    if data.draw(st.booleans()):
        metrics[f"other-{data.draw(st.integers(0, 2))}"] = PodMetric(data.draw(st.integers(0, 3000)), NOW - 5, 15.0)
    if data.draw(st.booleans()):
        metrics = dict(reversed(metrics.items()))
    resource = data.draw(st.sampled_from(["cpu", "cpu", "memory"]))
    container = data.draw(st.sampled_from(["", "", "c", "nope"]))
    target = data.draw(st.sampled_from([50, 80, 100, 150]))
    now = data.draw(st.sampled_from([NOW, NOW + 1e-7, NOW + 300, NOW - 300]))
    kwargs = dict(
        tolerances=Tolerances(*data.draw(st.sampled_from([(0.1, 0.1), (0.0, 0.0), (0.5, 0.02)]))),
        container=container,
        cpu_initialization_period=data.draw(st.sampled_from([300.0, 0.0, 30.0])),
        timestamp=data.draw(st.sampled_from([None, NOW - 7])),
    )
    current = data.draw(st.integers(1, 10))
    want = _outcome(replicas_for_resource, current, target, resource, list(pods), metrics, now, **kwargs)
    selection = SelectedPods(pods)
    for _ in range(2):                                                            # miss, then hit
        assert _outcome(replicas_for_resource, current, target, resource, selection, metrics, now, **kwargs) == want


@SETTINGS
@given(times=st.lists(_instant(), max_size=12), base=_instant(),
       plus=st.sampled_from([0.0, -300.0, -15.0, 30.0, -1e-7]))
def test_signs_equals_cut_per_time(times, base, plus):
    sign = cut(base, plus)
    assert _outcome(signs, times, base, plus) == _outcome(lambda: [sign(t) for t in times])


@pytest.mark.parametrize("t, want", [
    (NOW - 300, 0), (math.nextafter(NOW - 300, math.inf), 1), (math.nextafter(NOW - 300, -math.inf), -1),
    (Fraction(NOW - 300) + Fraction(1, 10**12), 1),
])
def test_signs_on_the_cut(t, want):
    assert signs([t], NOW, -300.0) == [want]


def _stabilize_plain(current, desired, up_w, down_w, recs, now):
    """``stabilizeRecommendationWithBehaviors`` as upstream loops, one cut per time."""
    up, down, found, idx = desired, desired, False, 0
    up_at, down_at = cut(now, -up_w), cut(now, -down_w)
    for i, r in enumerate(recs):
        if up_at(r.timestamp) > 0:
            up = min(r.recommendation, up)
        if down_at(r.timestamp) > 0:
            down = max(r.recommendation, down)
        if up_at(r.timestamp) < 0 and down_at(r.timestamp) < 0:
            found, idx = True, i
    rec = current
    if rec < up:
        rec = up
    if rec > down:
        rec = down
    new = list(recs)
    if found:
        new[idx] = TimestampedRecommendation(desired, now)
    else:
        new.append(TimestampedRecommendation(desired, now))
    return rec, tuple(new)


@SETTINGS
@given(current=st.integers(1, 20), desired=st.integers(1, 20),
       up_w=st.sampled_from([0, 15, 60]), down_w=st.sampled_from([0, 300, 60]),
       recs=st.lists(st.tuples(st.integers(1, 20), st.sampled_from([0.0, 15.0, 60.0, 300.0, 301.0, 1e-7, 5e-4])),
                     max_size=25))
def test_stabilization_equals_the_plain_loop(current, desired, up_w, down_w, recs):
    history = tuple(TimestampedRecommendation(r, NOW - age) for r, age in recs)
    behavior = HPABehavior(HPAScalingRules(stabilization_window_seconds=up_w),
                           HPAScalingRules(stabilization_window_seconds=down_w))
    norm = normalize_with_behaviors(current, desired, 1, 100, behavior, history, (), (), NOW)
    stabilized, new = _stabilize_plain(current, desired, up_w, down_w, history, NOW)
    assert (norm.stabilized, norm.recommendations) == (stabilized, new)


@SETTINGS
@given(current=st.integers(1, 20), desired=st.integers(1, 20),
       up_w=st.sampled_from([0, 15, 60]), down_w=st.sampled_from([0, 300, 60]),
       recs=st.lists(st.tuples(st.integers(1, 20), _instant()), max_size=12))
def test_stabilization_of_any_times_equals_the_plain_loop(current, desired, up_w, down_w, recs):
    """Times on and around both window starts, as floats, ulps, ints,
    Fractions and NaN: the bounds decide only what the cuts would."""
    history = tuple(TimestampedRecommendation(r, t) for r, t in recs)
    behavior = HPABehavior(HPAScalingRules(stabilization_window_seconds=up_w),
                           HPAScalingRules(stabilization_window_seconds=down_w))
    got = _outcome(lambda: normalize_with_behaviors(current, desired, 1, 100, behavior, history, (), (), NOW))
    want = _outcome(_stabilize_plain, current, desired, up_w, down_w, history, NOW)
    if isinstance(want, tuple) and len(want) == 2 and isinstance(want[0], type):
        assert got == want
    else:
        assert (got.stabilized, got.recommendations) == want


@SETTINGS
@given(up=st.one_of(st.none(), st.builds(HPAScalingRules, st.one_of(st.none(), st.integers(0, 600)),
                                         st.sampled_from([None, "Max", "Min", "Disabled"]),
                                         st.one_of(st.none(), st.just((HPAScalingPolicy("Pods", 2, 60),))))),
       down=st.one_of(st.none(), st.builds(HPAScalingRules, st.one_of(st.none(), st.integers(0, 600)))))
def test_default_behavior_memo_equals_the_defaulting(up, down):
    behavior = HPABehavior(up, down)
    want = HPABehavior(generate_scale_up_rules(up), generate_scale_down_rules(down))
    assert default_behavior(behavior) == want
    assert default_behavior(behavior) == want                 # hit
    assert default_behavior(default_behavior(behavior)) == want
    assert _copy_rules(None, want.scale_up) == want.scale_up


@pytest.mark.parametrize("start, unready", [
    (NOW - 300, False),                                   # exactly on the cut: not After it, initialised
    (math.nextafter(NOW - 300, math.inf), True),          # one ulp later: still initialising
    (Fraction(NOW - 300) + Fraction(1, 10**12), True),
    (NOW - 301, False),
])
@pytest.mark.parametrize("shape", [SelectedPods, tuple, list])
def test_the_initialisation_cut_is_strict(start, unready, shape):
    """A Ready pod whose sample predates its readiness transition plus a
    window is unready only while ``start + cpuInit`` is After ``now``; an
    older pod beside it keeps the batch path honest."""
    old = PodInfo("old", start_time=NOW - 3600, ready_transition_time=NOW - 3600)
    pod = PodInfo("new", start_time=start, ready_transition_time=NOW - 10)
    metrics = {"old": PodMetric(100, NOW - 30, 15.0), "new": PodMetric(100, NOW - 30, 15.0)}
    got = group_pods(shape([old, pod]), metrics, "cpu", 300.0, 30.0, NOW)
    assert got.unready == ({"new"} if unready else set())
    assert got.ready_count == (1 if unready else 2)


@pytest.mark.parametrize("age, overwritten", [(60.0, False), (60.0 + 1e-6, True), (59.0, False)])
def test_a_recommendation_on_the_window_edge_is_not_overwritten(age, overwritten):
    """Only a recommendation Before both windows (strictly) is reused."""
    history = (TimestampedRecommendation(7, NOW - age), TimestampedRecommendation(5, NOW - 1))
    behavior = HPABehavior(HPAScalingRules(stabilization_window_seconds=60),
                           HPAScalingRules(stabilization_window_seconds=0))
    norm = normalize_with_behaviors(5, 5, 1, 100, behavior, history, (), (), NOW)
    want = ((TimestampedRecommendation(5, NOW), history[1]) if overwritten
            else (*history, TimestampedRecommendation(5, NOW)))
    assert norm.recommendations == want


@pytest.mark.parametrize("sample, unready", [
    (NOW - 15.0, False),                                  # exactly readiness + window: not Before it
    (math.nextafter(NOW - 15.0, -math.inf), True),
    (math.nextafter(NOW - 15.0, math.inf), False),
    (Fraction(NOW - 15) - Fraction(1, 10**12), True),
    (int(NOW - 15), False),
])
def test_an_initialising_pods_sample_on_its_readiness_edge(sample, unready):
    """The one-pass path of replicas_for_resource decides a sample against
    readiness + window exactly, as group_pods does."""
    pods = [PodInfo(name, start_time=NOW - 10, ready_transition_time=NOW - 30,
                    containers=(ContainerSpec("c", {"cpu": 1000}),)) for name in ("a", "b")]
    metrics = {"a": PodMetric(900, sample, 15.0), "b": PodMetric(900, NOW, 15.0)}
    assert group_pods(pods, metrics, "cpu", 300.0, 30.0, NOW).unready == ({"a"} if unready else set())
    want = replicas_for_resource(2, 50, "cpu", pods, metrics, NOW)
    assert replicas_for_resource(2, 50, "cpu", SelectedPods(pods), metrics, NOW) == want
