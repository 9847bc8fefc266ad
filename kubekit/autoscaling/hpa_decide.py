"""One HPA reconcile step, as a pure function: the core of the controller loop.

:func:`hpa_decide` composes the decision functions the way
``reconcileAutoscaler`` of ``pkg/controller/podautoscaler/horizontal.go`` does,
without the API calls: it takes the HPA spec, the target's replica counts, the
selected pods, what was observed for each metric, the controller's memory
(recommendations and scale events) and ``now``; it returns the desired replica
count, the status conditions, and the new memory.  It assumes the scale update
succeeds (upstream records the scale event only then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kubekit._fast._records import new_slots
from kubekit.autoscaling.hpa_behavior import default_behavior, normalize_with_behaviors_as_tuple, store_scale_event
from kubekit.autoscaling.hpa_errors import HPAError, HPAInvalidMetricsError, HPASpecError
from kubekit.autoscaling.hpa_legacy import normalize_legacy
from kubekit.autoscaling.hpa_proposals import MetricInput, replicas_for_metric, replicas_for_metrics_as_tuple
from kubekit.autoscaling.hpa_types import (
    ABLE_TO_SCALE,
    CONDITION_FALSE,
    CONDITION_TRUE,
    SCALING_ACTIVE,
    SCALING_LIMITED,
    Condition,
    HPABehavior,
    HPAControllerConfig,
    HPASpec,
    MetricProposal,
    PodInfo,
    ScaleEvent,
    TimestampedRecommendation,
    Tolerances,
    slot_setters,
)

__all__ = ["HPADecision", "HPAState", "hpa_decide", "tolerances_for_hpa"]


@dataclass(frozen=True, slots=True)
class HPAState:
    """The controller's memory of one HPA.  ``recommendations=None`` means the
    controller has no entry yet (upstream then records ``current`` at ``now``
    before deciding, which holds a first scale-down for the window)."""

    recommendations: tuple[TimestampedRecommendation, ...] | None = None
    scale_up_events: tuple[ScaleEvent, ...] = ()
    scale_down_events: tuple[ScaleEvent, ...] = ()

    def __init__(self, recommendations: tuple[TimestampedRecommendation, ...] | None = None,
                 scale_up_events: tuple[ScaleEvent, ...] = (), scale_down_events: tuple[ScaleEvent, ...] = ()) -> None:
        _set_recommendations(self, recommendations)       # (hpa_types.slot_setters)
        _set_scale_up_events(self, scale_up_events)
        _set_scale_down_events(self, scale_down_events)


_set_recommendations, _set_scale_up_events, _set_scale_down_events = slot_setters(HPAState)


@dataclass(frozen=True, slots=True)
class HPADecision:
    """The outcome of :func:`hpa_decide`.

    ``desired_replicas`` is what the target should be scaled to (``current``
    when nothing changes); ``rescale`` whether that is a change; ``conditions``
    the ``AbleToScale``/``ScalingActive``/``ScalingLimited`` conditions in the
    order upstream first sets them; ``metric_results`` the per-metric proposal
    or error; ``error`` the error upstream's reconcile returns (a fatal one
    leaves the scale alone; a non-fatal one, some metrics invalid while the
    others scale up, comes with the scaling); ``state`` the new memory."""

    desired_replicas: int
    rescale: bool
    rescale_reason: str
    conditions: tuple[Condition, ...]
    metric_name: str
    metric_results: tuple[MetricProposal | HPAError, ...]
    state: HPAState
    error: HPAError | None = None

    def __init__(self, desired_replicas: int, rescale: bool, rescale_reason: str, conditions: tuple[Condition, ...],
                 metric_name: str, metric_results: tuple[MetricProposal | HPAError, ...], state: HPAState,
                 error: HPAError | None = None) -> None:
        _set_desired_replicas(self, desired_replicas)     # (hpa_types.slot_setters)
        _set_rescale(self, rescale)
        _set_rescale_reason(self, rescale_reason)
        _set_conditions(self, conditions)
        _set_metric_name(self, metric_name)
        _set_metric_results(self, metric_results)
        _set_state(self, state)
        _set_error(self, error)

    def condition(self, type_: str) -> Condition | None:
        for c in self.conditions:
            if c.type == type_:
                return c
        return None


(_set_desired_replicas, _set_rescale, _set_rescale_reason, _set_conditions, _set_metric_name, _set_metric_results,
 _set_state, _set_error) = slot_setters(HPADecision)


def tolerances_for_hpa(behavior: HPABehavior | None, config: HPAControllerConfig) -> Tolerances:
    """``tolerancesForHpa``: the cluster tolerance in both directions, replaced
    per direction by ``behavior.scale{Up,Down}.tolerance`` when the
    HPAConfigurableTolerance gate is on (``config.hpa_configurable_tolerance``)."""
    t = Tolerances(config.tolerance, config.tolerance)
    if behavior is None or not config.hpa_configurable_tolerance:
        return t
    down, up = t.scale_down, t.scale_up
    if behavior.scale_down is not None and behavior.scale_down.tolerance is not None:
        down = behavior.scale_down.tolerance
    if behavior.scale_up is not None and behavior.scale_up.tolerance is not None:
        up = behavior.scale_up.tolerance
    return Tolerances(down, up)


# -- what a decision reuses ---------------------------------------------------

# Both memos are bounded (cleared when full) and only ever hold immutable
# values, so a hit returns exactly what would be rebuilt.  The bound is far
# above the HPAs of a cluster (a resync visits them in turn).
_MEMO_SIZE = 1 << 16
_CONDITIONS: dict[tuple[str, str, str, str], Condition] = {}
_SPEC_FACTS: dict[int, tuple[HPASpec, HPAControllerConfig, HPABehavior | None, Tolerances, int]] = {}


def _condition(type_: str, status: str, reason: str, message: str) -> Condition:
    """``Condition(type_, status, reason, message)``, one object per distinct
    text: a Condition is frozen and holds only strings, so an equal one is
    interchangeable (and the few texts a cluster's HPAs produce recur at
    every sync)."""
    key = (type_, status, reason, message)
    got = _CONDITIONS.get(key)
    if got is None:
        if len(_CONDITIONS) >= _MEMO_SIZE:
            _CONDITIONS.clear()
        got = _CONDITIONS[key] = Condition(type_, status, reason, message)
    return got


def _spec_facts(spec: HPASpec, config: HPAControllerConfig) -> tuple[HPABehavior | None, Tolerances, int]:
    """``(defaulted behavior, tolerances, minReplicas)`` of ``spec`` under
    ``config``: a pure function of the two frozen objects, remembered by their
    identity (the controller keeps one HPASpec per HPA generation and one
    config).  An entry holds both objects, so their ids cannot be reused
    while it lives, and the ``is`` checks make a hit mean "these very objects"."""
    hit = _SPEC_FACTS.get(id(spec))
    if hit is not None and hit[0] is spec and hit[1] is config:
        return hit[2], hit[3], hit[4]
    behavior = default_behavior(spec.behavior)
    tolerances = tolerances_for_hpa(behavior, config)
    min_replicas = spec.min_replicas if spec.min_replicas is not None else 1
    if len(_SPEC_FACTS) >= _MEMO_SIZE:
        _SPEC_FACTS.clear()
    _SPEC_FACTS[id(spec)] = (spec, config, behavior, tolerances, min_replicas)
    return behavior, tolerances, min_replicas


_GOT_SCALE = Condition(
    ABLE_TO_SCALE, CONDITION_TRUE, "SucceededGetScale",
    "the HPA controller was able to get the target's current scale",
)
_SCALING_DISABLED = Condition(
    SCALING_ACTIVE, CONDITION_FALSE, "ScalingDisabled",
    "scaling is disabled since the replica count of the target is zero",
)


def _rescaled(desired: int) -> Condition:
    return _condition(
        ABLE_TO_SCALE, CONDITION_TRUE, "SucceededRescale",
        f"the HPA controller was able to update the target scale to {desired}",
    )


def _metric_results(
    spec: HPASpec,
    metric_inputs: Sequence[MetricInput],
    current_replicas: int,
    status_replicas: int,
    pods: Sequence[PodInfo],
    now: float,
    tolerances: Tolerances,
    config: HPAControllerConfig,
    pod_level_resources: bool,
    namespace: str,
) -> tuple[MetricProposal | HPAError, ...]:
    """Per metric spec, its proposal or the error it raised."""
    collected: list[MetricProposal | HPAError] = []
    for metric_spec, observed in zip(spec.metrics, metric_inputs):
        try:
            collected.append(
                replicas_for_metric(
                    metric_spec, observed, current_replicas, status_replicas, pods, now,
                    tolerances=tolerances,
                    cpu_initialization_period=config.cpu_initialization_period,
                    delay_of_initial_readiness_status=config.initial_readiness_delay,
                    pod_level_resources=pod_level_resources,
                    namespace=namespace,
                )
            )
        except HPAError as err:
            collected.append(err)
    return tuple(collected)


def hpa_decide(
    spec: HPASpec,
    current_replicas: int,
    pods: Sequence[PodInfo],
    metric_inputs: Sequence[MetricInput],
    now: float,
    *,
    status_replicas: int | None = None,
    state: HPAState = HPAState(),
    config: HPAControllerConfig = HPAControllerConfig(),
    namespace: str = "",
    pod_level_resources: bool = True,
) -> HPADecision:
    """One reconcile step of the HPA controller.

    ``current_replicas`` is the target's ``scale.spec.replicas``;
    ``status_replicas`` its ``scale.status.replicas`` (defaults to
    ``current_replicas``; per-pod Object and External targets divide by it).
    ``metric_inputs[i]`` is what was observed for ``spec.metrics[i]``.

    Steps (upstream ``reconcileAutoscaler``):

    1. ``minReplicas`` defaults to 1; the recommendation history starts with
       ``(current, now)`` if the controller has none;
    2. a target at 0 replicas with ``minReplicas != 0``: scaling is disabled;
       above ``maxReplicas`` or below ``minReplicas``: straight to the bound;
    3. otherwise one proposal per metric and the highest wins
       (:func:`~kubekit.autoscaling.hpa_proposals.replicas_for_metrics`);
    4. normalize: legacy path without a behavior, behavior path with one;
    5. on a change, record the scale event (behavior path only).

    The conditions are listed as upstream's ``setConditionInList`` leaves
    them: ``AbleToScale`` (set first, ``SucceededGetScale``, and updated in
    place), then ``ScalingActive`` and ``ScalingLimited`` when set.
    """
    if len(metric_inputs) != len(spec.metrics):
        raise HPASpecError(
            f"metric_inputs: {len(metric_inputs)} inputs for {len(spec.metrics)} metric specs"
        )
    if status_replicas is None:
        status_replicas = current_replicas
    behavior, tolerances, min_replicas = _spec_facts(spec, config)
    recommendations = state.recommendations
    if recommendations is None:
        recommendations = (TimestampedRecommendation(current_replicas, now),)
    ups, downs = state.scale_up_events, state.scale_down_events

    if current_replicas == 0 and min_replicas != 0:
        return HPADecision(
            current_replicas, False, "", (_GOT_SCALE, _SCALING_DISABLED), "", (),
            HPAState(recommendations, ups, downs),
        )
    if current_replicas > spec.max_replicas or current_replicas < min_replicas:
        if current_replicas > spec.max_replicas:
            desired, reason = spec.max_replicas, "Current number of replicas above Spec.MaxReplicas"
        else:
            desired, reason = min_replicas, "Current number of replicas below Spec.MinReplicas"
        ups, downs = store_scale_event(behavior, ups, downs, current_replicas, desired, now)
        return HPADecision(desired, True, reason, (_rescaled(desired),), "", (), HPAState(recommendations, ups, downs))

    results = _metric_results(
        spec, metric_inputs, current_replicas, status_replicas, pods, now, tolerances, config,
        pod_level_resources, namespace,
    )
    try:
        proposed, metric_name, _, error = replicas_for_metrics_as_tuple(current_replicas, results)
    except HPAInvalidMetricsError as err:
        active = _condition(
            SCALING_ACTIVE, CONDITION_FALSE, err.reason,
            f"the HPA was unable to compute the replica count: {err.first}",
        )
        return HPADecision(
            current_replicas, False, "", (_GOT_SCALE, active), "", results,
            HPAState(recommendations, ups, downs), err,
        )
    active = _condition(
        SCALING_ACTIVE, CONDITION_TRUE, "ValidMetricFound",
        f"the HPA was able to successfully calculate a replica count from {metric_name}",
    )
    desired = 0
    rescale_metric = ""
    if proposed > desired:
        desired = proposed
        rescale_metric = metric_name
    rescale_reason = ""
    if desired > current_replicas:
        rescale_reason = f"{rescale_metric} above target"
    if desired < current_replicas:
        rescale_reason = "All metrics below target"
    if behavior is None:
        norm = normalize_legacy(
            current_replicas, desired, min_replicas, spec.max_replicas, recommendations, now,
            downscale_stabilization_window=config.downscale_stabilization_window,
            scale_up_limit_factor=config.scale_up_limit_factor,
            scale_up_limit_minimum=config.scale_up_limit_minimum,
        )
        desired, stabilized = norm.desired, norm.stabilized
        able_reason, able_message = norm.able_to_scale_reason, norm.able_to_scale_message
        limited_reason, limited_message, recommendations = norm.limited_reason, norm.limited_message, norm.recommendations
    else:
        (desired, stabilized, able_reason, able_message, limited_reason, limited_message,
         recommendations) = normalize_with_behaviors_as_tuple(
            current_replicas, desired, min_replicas, spec.max_replicas, behavior,
            recommendations, ups, downs, now, config.downscale_stabilization_window,
        )
    limited = _condition(
        SCALING_LIMITED, CONDITION_TRUE if desired != stabilized else CONDITION_FALSE,
        limited_reason, limited_message,
    )
    if desired != current_replicas:
        ups, downs = store_scale_event(behavior, ups, downs, current_replicas, desired, now)
        able = _rescaled(desired)
    else:
        able = _condition(ABLE_TO_SCALE, CONDITION_TRUE, able_reason, able_message)
    # the path of every sync that computes a count: built by the C constructor (hpa_types.new_slots_py is its twin)
    return new_slots(HPADecision, (
        desired, desired != current_replicas, rescale_reason, (able, active, limited), metric_name, results,
        new_slots(HPAState, (recommendations, ups, downs)), error,
    ))
