"""The legacy normalization path (an HPA without ``spec.behavior``).

Mirrors ``normalizeDesiredReplicas``, ``stabilizeRecommendation``,
``convertDesiredReplicasWithRules`` and ``calculateScaleUpLimit`` of
``pkg/controller/podautoscaler/horizontal.go``: the desired count is the highest
recommendation of the last 5 minutes (downscale stabilization), then capped at
``max(2 * current, 4)`` and at ``maxReplicas`` and floored at ``minReplicas``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubekit.autoscaling.hpa_gomath import time_before, to_int32
from kubekit.autoscaling.hpa_types import Normalization, TimestampedRecommendation

__all__ = [
    "SCALE_UP_LIMIT_FACTOR",
    "SCALE_UP_LIMIT_MINIMUM",
    "calculate_scale_up_limit",
    "convert_desired_replicas_with_rules",
    "normalize_legacy",
    "stabilize_recommendation",
]

#: Upstream's ``scaleUpLimitFactor`` and ``scaleUpLimitMinimum``.
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0


def calculate_scale_up_limit(
    current_replicas: int,
    factor: float = SCALE_UP_LIMIT_FACTOR,
    minimum: float = SCALE_UP_LIMIT_MINIMUM,
) -> int:
    """``calculateScaleUpLimit``: ``int32(math.Max(factor * current, minimum))``."""
    return to_int32(max(factor * float(current_replicas), minimum))


def convert_desired_replicas_with_rules(
    current_replicas: int,
    desired_replicas: int,
    min_replicas: int,
    max_replicas: int,
    *,
    scale_up_limit_factor: float = SCALE_UP_LIMIT_FACTOR,
    scale_up_limit_minimum: float = SCALE_UP_LIMIT_MINIMUM,
) -> tuple[int, str, str]:
    """``convertDesiredReplicasWithRules``: ``(replicas, reason, message)``.

    The cap is ``min(max_replicas, scale-up limit)`` (``ScaleUpLimit`` when the
    limit is the smaller, else ``TooManyReplicas``).  The minimum is checked
    first: a count below ``min_replicas`` becomes ``min_replicas``
    (``TooFewReplicas``) even if that is above the cap.
    """
    limit = calculate_scale_up_limit(current_replicas, scale_up_limit_factor, scale_up_limit_minimum)
    if max_replicas > limit:
        maximum = limit
        reason = "ScaleUpLimit"
        message = "the desired replica count is increasing faster than the maximum scale rate"
    else:
        maximum = max_replicas
        reason = "TooManyReplicas"
        message = "the desired replica count is more than the maximum replica count"
    if desired_replicas < min_replicas:
        return min_replicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
    if desired_replicas > maximum:
        return maximum, reason, message
    return desired_replicas, "DesiredWithinRange", "the desired count is within the acceptable range"


def stabilize_recommendation(
    desired_replicas: int,
    recommendations: Sequence[TimestampedRecommendation],
    now: float,
    window_seconds: float = 300.0,
) -> tuple[int, tuple[TimestampedRecommendation, ...]]:
    """``stabilizeRecommendation``: ``(highest recommendation, new history)``.

    The result is the highest of ``desired`` and every recommendation not older
    than ``now - window`` (a recommendation exactly one window old still counts:
    upstream tests ``Before(cutoff)`` here, unlike the behavior path).
    ``desired`` is recorded, overwriting the last older recommendation, or
    appended.
    """
    highest = desired_replicas
    found_old = False
    old_index = 0
    for i, rec in enumerate(recommendations):
        if time_before(rec.timestamp, now, -window_seconds):
            found_old = True
            old_index = i
        elif rec.recommendation > highest:
            highest = rec.recommendation
    recs = list(recommendations)
    new = TimestampedRecommendation(desired_replicas, now)
    if found_old:
        recs[old_index] = new
    else:
        recs.append(new)
    return highest, tuple(recs)


def normalize_legacy(
    current_replicas: int,
    desired_replicas: int,
    min_replicas: int,
    max_replicas: int,
    recommendations: Sequence[TimestampedRecommendation],
    now: float,
    *,
    downscale_stabilization_window: float = 300.0,
    scale_up_limit_factor: float = SCALE_UP_LIMIT_FACTOR,
    scale_up_limit_minimum: float = SCALE_UP_LIMIT_MINIMUM,
) -> Normalization:
    """``normalizeDesiredReplicas``: stabilize, then apply the legacy rules.

    ``AbleToScale`` is ``ScaleDownStabilized`` when the window raised the
    recommendation, else ``ReadyForNewScale``; ``ScalingLimited`` carries the
    reason of :func:`convert_desired_replicas_with_rules`.
    """
    stabilized, recs = stabilize_recommendation(
        desired_replicas, recommendations, now, downscale_stabilization_window
    )
    if stabilized != desired_replicas:
        able, able_message = (
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
        )
    else:
        able, able_message = "ReadyForNewScale", "recommended size matches current size"
    desired, reason, message = convert_desired_replicas_with_rules(
        current_replicas,
        stabilized,
        min_replicas,
        max_replicas,
        scale_up_limit_factor=scale_up_limit_factor,
        scale_up_limit_minimum=scale_up_limit_minimum,
    )
    return Normalization(desired, stabilized, able, able_message, reason, message, recs)
