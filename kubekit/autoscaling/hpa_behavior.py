"""HPA behavior: defaults, stabilization windows, scaling policies, scale events.

Mirrors ``pkg/apis/autoscaling/v2/defaults.go`` (``GenerateHPAScaleUpRules``,
``GenerateHPAScaleDownRules``, ``SetDefaults_HorizontalPodAutoscalerBehavior``)
and, in ``pkg/controller/podautoscaler/horizontal.go``,
``normalizeDesiredReplicasWithBehaviors``, ``maybeInitScaleDownStabilizationWindow``,
``stabilizeRecommendationWithBehaviors``, ``convertDesiredReplicasWithBehaviorRate``,
``calculateScaleUpLimitWithScalingRules``, ``calculateScaleDownLimitWithBehaviors``,
``getReplicasChangePerPeriod``, ``storeScaleEvent``, ``markScaleEventsOutdated``
and ``getLongestPolicyPeriod``.

Everything is pure: histories come in as tuples and the updated histories are
returned; ``now`` is a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from kubekit._fast._records import new_slots
from kubekit.autoscaling.hpa_errors import HPASpecError
from kubekit.autoscaling.hpa_gomath import MAX_INT32, MIN_INT32, compare, cut, float_cut, time_before, to_int32
from kubekit.autoscaling.hpa_types import (
    DISABLED_POLICY_SELECT,
    MAX_CHANGE_POLICY_SELECT,
    MIN_CHANGE_POLICY_SELECT,
    PERCENT_POLICY,
    PODS_POLICY,
    HPABehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    Normalization,
    ScaleEvent,
    TimestampedRecommendation,
)

__all__ = [
    "DEFAULT_SCALE_DOWN_RULES",
    "DEFAULT_SCALE_UP_RULES",
    "calculate_scale_down_limit_with_behaviors",
    "calculate_scale_up_limit_with_scaling_rules",
    "convert_desired_replicas_with_behavior_rate",
    "default_behavior",
    "generate_scale_down_rules",
    "generate_scale_up_rules",
    "get_longest_policy_period",
    "get_replicas_change_per_period",
    "mark_scale_events_outdated",
    "normalize_with_behaviors",
    "stabilize_recommendation_with_behaviors",
    "store_scale_event",
]

#: ``defaultHPAScaleUpRules``: no stabilization; add 4 pods or double, per 15s,
#: whichever allows more.
DEFAULT_SCALE_UP_RULES = HPAScalingRules(
    stabilization_window_seconds=0,
    select_policy=MAX_CHANGE_POLICY_SELECT,
    policies=(HPAScalingPolicy(PODS_POLICY, 4, 15), HPAScalingPolicy(PERCENT_POLICY, 100, 15)),
)

#: ``defaultHPAScaleDownRules``: the stabilization window is left unset (the
#: controller fills it from ``--horizontal-pod-autoscaler-downscale-stabilization``,
#: 300s); remove up to 100% per 15s.
DEFAULT_SCALE_DOWN_RULES = HPAScalingRules(
    stabilization_window_seconds=None,
    select_policy=MAX_CHANGE_POLICY_SELECT,
    policies=(HPAScalingPolicy(PERCENT_POLICY, 100, 15),),
)

_SELECT_POLICIES = (MAX_CHANGE_POLICY_SELECT, MIN_CHANGE_POLICY_SELECT, DISABLED_POLICY_SELECT)


def _copy_rules(src: HPAScalingRules | None, dst: HPAScalingRules) -> HPAScalingRules:
    """``copyHPAScalingRules``: every field set in ``src`` replaces ``dst``'s
    (a set policy list replaces the whole default list, even when empty)."""
    if src is None:
        return dst
    return HPAScalingRules(
        stabilization_window_seconds=(
            src.stabilization_window_seconds
            if src.stabilization_window_seconds is not None
            else dst.stabilization_window_seconds
        ),
        select_policy=src.select_policy if src.select_policy is not None else dst.select_policy,
        policies=src.policies if src.policies is not None else dst.policies,
        tolerance=src.tolerance if src.tolerance is not None else dst.tolerance,
    )


def generate_scale_up_rules(rules: HPAScalingRules | None) -> HPAScalingRules:
    """``GenerateHPAScaleUpRules``: ``rules`` with every unset field defaulted."""
    return _copy_rules(rules, DEFAULT_SCALE_UP_RULES)


def generate_scale_down_rules(rules: HPAScalingRules | None) -> HPAScalingRules:
    """``GenerateHPAScaleDownRules``: as :func:`generate_scale_up_rules`; the
    stabilization window stays ``None`` when unset."""
    return _copy_rules(rules, DEFAULT_SCALE_DOWN_RULES)


def default_behavior(behavior: HPABehavior | None) -> HPABehavior | None:
    """``SetDefaults_HorizontalPodAutoscalerBehavior``: a given behavior gets
    both directions fully defaulted; no behavior stays ``None`` (the legacy
    path, whose limits differ: see :mod:`kubekit.autoscaling.hpa_legacy`)."""
    if behavior is None:
        return None
    hit = _DEFAULTED.get(id(behavior))
    if hit is not None and hit[0] is behavior:
        return hit[1]
    out = HPABehavior(
        scale_up=generate_scale_up_rules(behavior.scale_up),
        scale_down=generate_scale_down_rules(behavior.scale_down),
    )
    if len(_DEFAULTED) >= _MEMO_SIZE:
        _DEFAULTED.clear()
    _DEFAULTED[id(behavior)] = (behavior, out)
    _DEFAULTED[id(out)] = (out, out)            # defaulting a defaulted behavior changes nothing
    return out


# Memos keyed by the identity of a (frozen) behavior: an entry holds the
# behavior itself, so its id cannot be reused while the entry lives, and the
# ``is`` check makes a hit mean "this very object".  The controller keeps one
# HPASpec per HPA generation, so each HPA's behavior is defaulted once.  The
# bound is far above the HPAs of a cluster (a resync visits them in turn, and
# a smaller bound would be cleared before any was seen again).
_MEMO_SIZE = 1 << 16
_DEFAULTED: dict[int, tuple[HPABehavior, HPABehavior]] = {}
_PREPARED: dict[int, tuple[HPABehavior, float, HPAScalingRules, HPAScalingRules]] = {}


def _prepared_rules(behavior: HPABehavior, downscale_stabilization_window: float) -> tuple[
        HPAScalingRules, HPAScalingRules]:
    """The defaulted, validated scale-up and scale-down rules of ``behavior``,
    the scale-down window filled from the controller flag (memoized: a pure
    function of the frozen behavior and the window)."""
    hit = _PREPARED.get(id(behavior))
    if hit is not None and hit[0] is behavior and hit[1] == downscale_stabilization_window:
        return hit[2], hit[3]
    defaulted = default_behavior(behavior)
    assert defaulted is not None and defaulted.scale_up is not None and defaulted.scale_down is not None
    up_rules, down_rules = defaulted.scale_up, defaulted.scale_down
    _check_rules(up_rules, "spec.behavior.scaleUp")
    _check_rules(down_rules, "spec.behavior.scaleDown")
    if down_rules.stabilization_window_seconds is None:
        down_rules = replace(down_rules, stabilization_window_seconds=int(downscale_stabilization_window))
    if len(_PREPARED) >= _MEMO_SIZE:
        _PREPARED.clear()
    _PREPARED[id(behavior)] = (behavior, downscale_stabilization_window, up_rules, down_rules)
    return up_rules, down_rules


def _check_rules(rules: HPAScalingRules, field: str) -> None:
    if rules.select_policy not in _SELECT_POLICIES:
        raise HPASpecError(
            f"{field}.selectPolicy: Unsupported value: {rules.select_policy!r}: "
            f"supported values: {', '.join(_SELECT_POLICIES)}"
        )
    for i, p in enumerate(rules.policies or ()):
        if p.type not in (PODS_POLICY, PERCENT_POLICY):
            raise HPASpecError(
                f"{field}.policies[{i}].type: Unsupported value: {p.type!r}: supported values: Pods, Percent"
            )


# -- stabilization ---------------------------------------------------------

_UNDECIDED = (-math.inf, math.inf)      # (lo, hi) no time is beyond: every time is compared exactly


def stabilize_recommendation_with_behaviors(
    current_replicas: int,
    desired_replicas: int,
    scale_up_window_seconds: float,
    scale_down_window_seconds: float,
    recommendations: Sequence[TimestampedRecommendation],
    now: float,
) -> tuple[int, str, str, tuple[TimestampedRecommendation, ...]]:
    """``stabilizeRecommendationWithBehaviors``: ``(recommendation, reason,
    message, new recommendations)``.

    The scale-up bound is the *lowest* of ``desired`` and the recommendations
    newer than the scale-up window, the scale-down bound the *highest* of
    ``desired`` and those newer than the scale-down window; the result is
    ``current`` brought within the bounds.  "Newer" is strict (``After``): a
    recommendation exactly one window old is out.  ``desired`` is recorded,
    overwriting the last recommendation older than both windows, or appended.
    """
    up = desired_replicas
    down = desired_replicas
    found_old = False
    old_index = 0
    up_plus, down_plus = -scale_up_window_seconds, -scale_down_window_seconds
    up_lo, up_hi = float_cut(now, up_plus) or _UNDECIDED
    down_lo, down_hi = float_cut(now, down_plus) or _UNDECIDED
    for i, rec in enumerate(recommendations):
        t = rec.timestamp
        # A plain time off both edges is decided by the float bounds; any
        # other is compared exactly (hpa_gomath.compare).  (``tf``: the
        # float, a C double in the compiled module: hpa_behavior.pxd.)
        if type(t) is float:
            tf = t
            if -1e12 < tf < 1e12 and (tf > up_hi or tf < up_lo) and (tf > down_hi or tf < down_lo):
                if tf > up_hi:                  # After(now - up window)
                    if rec.recommendation < up:
                        up = rec.recommendation
                if tf > down_hi:
                    if rec.recommendation > down:
                        down = rec.recommendation
                elif tf < up_lo:                # Before both
                    found_old = True
                    old_index = i
                continue
        vs_up, vs_down = compare(t, now, up_plus), compare(t, now, down_plus)
        if vs_up > 0:
            if rec.recommendation < up:
                up = rec.recommendation
        if vs_down > 0:
            if rec.recommendation > down:
                down = rec.recommendation
        elif vs_up < 0 and vs_down < 0:
            found_old = True
            old_index = i
    recommendation = current_replicas
    if recommendation < up:
        recommendation = up
    if recommendation > down:
        recommendation = down
    new = new_slots(TimestampedRecommendation, (desired_replicas, now))
    recs = list(recommendations)
    if found_old:
        recs[old_index] = new
    else:
        recs.append(new)
    if desired_replicas >= current_replicas:
        reason = "ScaleUpStabilized"
        message = "recent recommendations were lower than current one, applying the lowest recent recommendation"
    else:
        reason = "ScaleDownStabilized"
        message = "recent recommendations were higher than current one, applying the highest recent recommendation"
    return recommendation, reason, message, tuple(recs)


# -- rate limits -----------------------------------------------------------


def get_replicas_change_per_period(
    period_seconds: float, scale_events: Sequence[ScaleEvent], now: float
) -> int:
    """``getReplicasChangePerPeriod``: the replicas changed by the events
    strictly newer than ``now - period_seconds``."""
    start = cut(now, -period_seconds)
    return sum(e.replica_change for e in scale_events if start(e.timestamp) > 0)


def _period_start(
    current: int, policy: HPAScalingPolicy, up_events: Sequence[ScaleEvent],
    down_events: Sequence[ScaleEvent], now: float,
) -> int:
    added = get_replicas_change_per_period(policy.period_seconds, up_events, now)
    deleted = get_replicas_change_per_period(policy.period_seconds, down_events, now)
    return current - added + deleted


def calculate_scale_up_limit_with_scaling_rules(
    current_replicas: int,
    scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent],
    rules: HPAScalingRules,
    now: float,
) -> int:
    """``calculateScaleUpLimitWithScalingRules``: the most replicas the
    policies allow now.  Each policy starts from the replica count at the start
    of its period (current minus the replicas added plus those removed in the
    period); Pods adds ``value``, Percent gives
    ``ceil(start * (1 + value/100))``.  ``Max`` takes the largest, ``Min`` the
    smallest; ``Disabled`` returns ``current``."""
    if rules.select_policy == DISABLED_POLICY_SELECT:
        return current_replicas
    pick_min = rules.select_policy == MIN_CHANGE_POLICY_SELECT
    result = MAX_INT32 if pick_min else MIN_INT32
    for policy in rules.policies or ():
        start = _period_start(current_replicas, policy, scale_up_events, scale_down_events, now)
        if policy.type == PODS_POLICY:
            proposed = start + policy.value
        elif policy.type == PERCENT_POLICY:
            proposed = to_int32(float(math.ceil(float(start) * (1 + float(policy.value) / 100))))
        else:
            continue
        result = min(result, proposed) if pick_min else max(result, proposed)
    return result


def calculate_scale_down_limit_with_behaviors(
    current_replicas: int,
    scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent],
    rules: HPAScalingRules,
    now: float,
) -> int:
    """``calculateScaleDownLimitWithBehaviors``: the fewest replicas the
    policies allow now.  Pods removes ``value``; Percent gives
    ``int32(start * (1 - value/100))`` (truncated).  ``Max`` (the largest
    change) takes the smallest count, ``Min`` the largest; ``Disabled`` returns
    ``current``."""
    if rules.select_policy == DISABLED_POLICY_SELECT:
        return current_replicas
    pick_max = rules.select_policy == MIN_CHANGE_POLICY_SELECT
    result = MIN_INT32 if pick_max else MAX_INT32
    for policy in rules.policies or ():
        start = _period_start(current_replicas, policy, scale_up_events, scale_down_events, now)
        if policy.type == PODS_POLICY:
            proposed = start - policy.value
        elif policy.type == PERCENT_POLICY:
            proposed = to_int32(float(start) * (1 - float(policy.value) / 100))
        else:
            continue
        result = max(result, proposed) if pick_max else min(result, proposed)
    return result


def convert_desired_replicas_with_behavior_rate(
    current_replicas: int,
    desired_replicas: int,
    min_replicas: int,
    max_replicas: int,
    scale_up_rules: HPAScalingRules,
    scale_down_rules: HPAScalingRules,
    scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent],
    now: float,
) -> tuple[int, str, str]:
    """``convertDesiredReplicasWithBehaviorRate``: ``(replicas, reason, message)``.

    Scaling up, the limit (never below ``current``) and ``max_replicas`` cap
    the count (``ScaleUpLimit`` when the limit binds, else ``TooManyReplicas``);
    scaling down, the limit (never above ``current``) and ``min_replicas`` floor
    it (``ScaleDownLimit`` or ``TooFewReplicas``).  A ``desired`` equal to
    ``current`` is returned as is, min and max unchecked (the reconcile loop
    handles an out-of-range current count before normalizing).
    """
    if desired_replicas > current_replicas:
        limit = calculate_scale_up_limit_with_scaling_rules(
            current_replicas, scale_up_events, scale_down_events, scale_up_rules, now
        )
        if limit < current_replicas:
            limit = current_replicas
        maximum = max_replicas
        if maximum > limit:
            maximum = limit
            reason = "ScaleUpLimit"
            message = "the desired replica count is increasing faster than the maximum scale rate"
        else:
            reason = "TooManyReplicas"
            message = "the desired replica count is more than the maximum replica count"
        if desired_replicas > maximum:
            return maximum, reason, message
    elif desired_replicas < current_replicas:
        limit = calculate_scale_down_limit_with_behaviors(
            current_replicas, scale_up_events, scale_down_events, scale_down_rules, now
        )
        if limit > current_replicas:
            limit = current_replicas
        minimum = min_replicas
        if minimum < limit:
            minimum = limit
            reason = "ScaleDownLimit"
            message = "the desired replica count is decreasing faster than the maximum scale rate"
        else:
            reason = "TooFewReplicas"
            message = "the desired replica count is less than the minimum replica count"
        if desired_replicas < minimum:
            return minimum, reason, message
    return desired_replicas, "DesiredWithinRange", "the desired count is within the acceptable range"


# -- scale events ----------------------------------------------------------


def get_longest_policy_period(rules: HPAScalingRules) -> int:
    """``getLongestPolicyPeriod``: the longest ``periodSeconds`` (0 without policies)."""
    longest = 0
    for policy in rules.policies or ():
        if policy.period_seconds > longest:
            longest = policy.period_seconds
    return longest


def mark_scale_events_outdated(
    scale_events: Sequence[ScaleEvent], longest_policy_period: float, now: float
) -> tuple[ScaleEvent, ...]:
    """``markScaleEventsOutdated``: events strictly older than the longest
    period are flagged ``outdated`` (for reuse); the others keep their flag."""
    return tuple(
        replace(e, outdated=True) if time_before(e.timestamp, now, -longest_policy_period) else e
        for e in scale_events
    )


def store_scale_event(
    behavior: HPABehavior | None,
    scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent],
    prev_replicas: int,
    new_replicas: int,
    now: float,
) -> tuple[tuple[ScaleEvent, ...], tuple[ScaleEvent, ...]]:
    """``storeScaleEvent``: ``(scale-up events, scale-down events)`` after a
    rescale from ``prev_replicas`` to ``new_replicas``.  Without a behavior
    nothing is stored.  Otherwise the direction's events older than its longest
    policy period are marked outdated, and the change (absolute) overwrites the
    *last* outdated event or is appended."""
    ups = tuple(scale_up_events)
    downs = tuple(scale_down_events)
    if behavior is None:
        return ups, downs
    if new_replicas > prev_replicas:
        rules = behavior.scale_up if behavior.scale_up is not None else DEFAULT_SCALE_UP_RULES
        return _store(ups, new_replicas - prev_replicas, get_longest_policy_period(rules), now), downs
    rules = behavior.scale_down if behavior.scale_down is not None else DEFAULT_SCALE_DOWN_RULES
    return ups, _store(downs, prev_replicas - new_replicas, get_longest_policy_period(rules), now)


def _store(events: tuple[ScaleEvent, ...], change: int, longest: int, now: float) -> tuple[ScaleEvent, ...]:
    marked = list(mark_scale_events_outdated(events, longest, now))
    new = ScaleEvent(change, now, False)
    last_outdated = None
    for i, e in enumerate(marked):
        if e.outdated:
            last_outdated = i
    if last_outdated is None:
        marked.append(new)
    else:
        marked[last_outdated] = new
    return tuple(marked)


# -- the behavior path -----------------------------------------------------


def normalize_with_behaviors(
    current_replicas: int,
    desired_replicas: int,
    min_replicas: int,
    max_replicas: int,
    behavior: HPABehavior,
    recommendations: Sequence[TimestampedRecommendation],
    scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent],
    now: float,
    *,
    downscale_stabilization_window: float = 300.0,
) -> Normalization:
    """``normalizeDesiredReplicasWithBehaviors``: stabilize ``desired`` over
    the windows, then limit it by the policies and by min/max.

    ``behavior`` is defaulted first (:func:`default_behavior`); an unset
    scale-down window takes ``downscale_stabilization_window`` (the controller
    flag, 300s by default, truncated to whole seconds).  The returned
    :class:`Normalization` holds the ``AbleToScale`` reason (``ScaleUpStabilized``,
    ``ScaleDownStabilized`` or ``ReadyForNewScale``), the ``ScalingLimited``
    reason and the new recommendation history.  Scale events are not stored
    here: call :func:`store_scale_event` once the rescale happened.
    """
    return Normalization(*normalize_with_behaviors_as_tuple(
        current_replicas, desired_replicas, min_replicas, max_replicas, behavior, recommendations,
        scale_up_events, scale_down_events, now, downscale_stabilization_window,
    ))


def normalize_with_behaviors_as_tuple(
    current_replicas: int, desired_replicas: int, min_replicas: int, max_replicas: int, behavior: HPABehavior,
    recommendations: Sequence[TimestampedRecommendation], scale_up_events: Sequence[ScaleEvent],
    scale_down_events: Sequence[ScaleEvent], now: float, downscale_stabilization_window: float,
) -> tuple[int, int, str, str, str, str, tuple[TimestampedRecommendation, ...]]:
    """:func:`normalize_with_behaviors` as the plain tuple of the
    :class:`Normalization` fields, in order (for :func:`hpa_decide`, which
    reads them once: building the dataclass would cost more than the rest)."""
    up_rules, down_rules = _prepared_rules(behavior, downscale_stabilization_window)
    stabilized, reason, message, recs = stabilize_recommendation_with_behaviors(
        current_replicas,
        desired_replicas,
        up_rules.stabilization_window_seconds or 0,
        down_rules.stabilization_window_seconds or 0,
        recommendations,
        now,
    )
    if stabilized == desired_replicas:
        reason, message = "ReadyForNewScale", "recommended size matches current size"
    desired, limited_reason, limited_message = convert_desired_replicas_with_behavior_rate(
        current_replicas, stabilized, min_replicas, max_replicas, up_rules, down_rules,
        scale_up_events, scale_down_events, now,
    )
    return desired, stabilized, reason, message, limited_reason, limited_message, recs
