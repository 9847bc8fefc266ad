"""Plain-value inputs and outputs of the HPA (autoscaling/v2) decision functions.

Conventions (the same as upstream's arithmetic, see docs/autoscaling-hpa.md):

* quantities are exact integers in **milli-units** (``Quantity.MilliValue()``):
  1 CPU = ``1000``, a 20-qps metric = ``20000``;
* times are **seconds since the Unix epoch** (``float`` or ``int``, what
  :meth:`kubekit.clock.Clock.now` returns); durations are seconds.  Go's zero
  ``time.Time`` (0001-01-01, what an unset ``LastTransitionTime`` or metric
  timestamp holds) is :data:`GO_ZERO_TIME`;
* ratios and tolerances are ``float`` (Go ``float64``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

__all__ = [
    "ABLE_TO_SCALE",
    "CONTAINER_RESOURCE",
    "CONDITION_FALSE",
    "CONDITION_TRUE",
    "CONDITION_UNKNOWN",
    "DISABLED_POLICY_SELECT",
    "EXTERNAL",
    "GO_ZERO_TIME",
    "MAX_CHANGE_POLICY_SELECT",
    "MIN_CHANGE_POLICY_SELECT",
    "OBJECT",
    "PERCENT_POLICY",
    "PODS",
    "PODS_POLICY",
    "POD_FAILED",
    "POD_PENDING",
    "POD_RUNNING",
    "POD_SUCCEEDED",
    "RESOURCE",
    "SCALING_ACTIVE",
    "SCALING_LIMITED",
    "AVERAGE_VALUE",
    "UTILIZATION",
    "VALUE",
    "Condition",
    "ContainerSpec",
    "ContainerUsage",
    "HPABehavior",
    "HPAControllerConfig",
    "HPAScalingPolicy",
    "HPAScalingRules",
    "HPASpec",
    "MetricProposal",
    "MetricSpec",
    "MetricTarget",
    "Normalization",
    "PodInfo",
    "PodMetric",
    "PodMetricsSample",
    "ReplicaResult",
    "ScaleEvent",
    "TimestampedRecommendation",
    "Tolerances",
    "slot_setters",
]

#: Go's zero ``time.Time`` (0001-01-01T00:00:00Z) in Unix seconds.
GO_ZERO_TIME: float = -62135596800.0

# Pod phases (core/v1 PodPhase).
POD_PENDING = "Pending"
POD_RUNNING = "Running"
POD_SUCCEEDED = "Succeeded"
POD_FAILED = "Failed"

# Condition statuses (core/v1 ConditionStatus).
CONDITION_TRUE = "True"
CONDITION_FALSE = "False"
CONDITION_UNKNOWN = "Unknown"

# Metric source types (autoscaling/v2 MetricSourceType).
RESOURCE = "Resource"
CONTAINER_RESOURCE = "ContainerResource"
PODS = "Pods"
OBJECT = "Object"
EXTERNAL = "External"

# Metric target types (autoscaling/v2 MetricTargetType).
UTILIZATION = "Utilization"
AVERAGE_VALUE = "AverageValue"
VALUE = "Value"

# Scaling policy types and select policies.
PODS_POLICY = "Pods"
PERCENT_POLICY = "Percent"
MAX_CHANGE_POLICY_SELECT = "Max"
MIN_CHANGE_POLICY_SELECT = "Min"
DISABLED_POLICY_SELECT = "Disabled"

# HPA condition types.
ABLE_TO_SCALE = "AbleToScale"
SCALING_ACTIVE = "ScalingActive"
SCALING_LIMITED = "ScalingLimited"


def slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """The setters of a frozen slots dataclass's fields, in field order: each
    slot's member descriptor ``__set__``, which is what the generated
    ``__init__`` reaches through ``object.__setattr__`` (past the frozen
    ``__setattr__``), without that call's name lookup and argument tuple.
    The few dataclasses built at every decision spell out their ``__init__``
    with them: the same signature, defaults and stored values, about half the
    cost (tests/autoscaling/test_hpa_decide_api.py compares the two)."""
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


def new_slots_py(cls: type, values: tuple) -> Any:
    """``cls(*values)``: the plain-Python twin of
    :func:`kubekit._fast._records.new_slots`, the C constructor the hot
    paths build these dataclasses with (every field given, in field order)."""
    return cls(*values)


@dataclass(frozen=True, slots=True)
class Tolerances:
    """Usage-ratio tolerances (upstream ``Tolerances``): a ratio ``r`` means "no
    change" when ``1 - scale_down <= r <= 1 + scale_up`` (both ends inclusive)."""

    scale_down: float = 0.1
    scale_up: float = 0.1

    def is_within(self, usage_ratio: float) -> bool:
        return (1.0 - self.scale_down) <= usage_ratio and usage_ratio <= (1.0 + self.scale_up)


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """A container of a pod spec: its name and its resource requests in
    milli-units (``{"cpu": 500}``).  A resource absent from ``requests`` has no
    request.  ``restart_policy_always`` marks a restartable (sidecar) init
    container; a plain init container never counts."""

    name: str
    requests: Mapping[str, int] = field(default_factory=dict)
    restart_policy_always: bool = False


@dataclass(frozen=True, slots=True)
class PodInfo:
    """What the HPA reads of a pod.

    ``ready`` is the status of the PodReady condition (``"True"``, ``"False"``,
    ``"Unknown"``) or ``None`` when the pod has no such condition;
    ``ready_transition_time`` its ``lastTransitionTime``.  ``start_time`` is
    ``status.startTime`` (``None`` when unset).  ``deleted`` is a set
    ``deletionTimestamp``.  ``pod_requests`` are pod-level requests
    (``spec.resources.requests``, PodLevelResources), ``None`` when unset."""

    name: str
    phase: str = POD_RUNNING
    ready: str | None = CONDITION_TRUE
    ready_transition_time: float = GO_ZERO_TIME
    start_time: float | None = GO_ZERO_TIME
    deleted: bool = False
    containers: tuple[ContainerSpec, ...] = ()
    init_containers: tuple[ContainerSpec, ...] = ()
    pod_requests: Mapping[str, int] | None = None


class PodMetric(NamedTuple):        # a NamedTuple: one per pod per decision, cheap to build
    """One pod's metric sample (upstream ``PodMetric``): ``value`` in
    milli-units, the sample's ``timestamp`` and its collection ``window``
    (seconds; metrics-server and the custom-metrics default is 60)."""

    value: int
    timestamp: float = GO_ZERO_TIME
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class ContainerUsage:
    """One container entry of a ``PodMetrics`` item: usage per resource in
    milli-units.  A resource absent from ``usage`` was not reported."""

    name: str
    usage: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PodMetricsSample:
    """One item of the resource metrics API (``metrics.k8s.io`` ``PodMetrics``)."""

    pod: str
    containers: tuple[ContainerUsage, ...]
    timestamp: float = GO_ZERO_TIME
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class MetricTarget:
    """``autoscaling/v2`` ``MetricTarget``.  As upstream, the decision looks at
    which value is set, not only at ``type``: ``average_utilization`` is a
    percentage of the request; ``average_value`` and ``value`` are milli-units."""

    type: str
    average_utilization: int | None = None
    average_value: int | None = None
    value: int | None = None

    @staticmethod
    def utilization(percent: int) -> MetricTarget:
        return MetricTarget(UTILIZATION, average_utilization=percent)

    @staticmethod
    def average(milli: int) -> MetricTarget:
        return MetricTarget(AVERAGE_VALUE, average_value=milli)

    @staticmethod
    def total(milli: int) -> MetricTarget:
        return MetricTarget(VALUE, value=milli)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """``autoscaling/v2`` ``MetricSpec``, flattened.

    ``type`` is ``Resource``, ``ContainerResource``, ``Pods``, ``Object`` or
    ``External``.  ``name`` is the resource name (``cpu``, ``memory``) for the
    resource kinds and the metric name otherwise; ``container`` is the
    ContainerResource container; ``described_kind`` the Object's
    ``describedObject.kind`` (it appears in messages only); ``selector`` the
    metric selector as text (it appears in messages only)."""

    type: str
    name: str
    target: MetricTarget
    container: str = ""
    described_kind: str = ""
    described_name: str = ""
    selector: str = "nil"


@dataclass(frozen=True, slots=True)
class HPAScalingPolicy:
    """``HPAScalingPolicy``: ``type`` ``Pods`` or ``Percent``."""

    type: str
    value: int
    period_seconds: int


@dataclass(frozen=True, slots=True)
class HPAScalingRules:
    """``HPAScalingRules`` of one direction.  ``None`` is an unset field, which
    :func:`~kubekit.autoscaling.hpa_behavior.default_behavior` fills.
    ``policies=()`` is a set-but-empty list, which is *not* replaced by the
    defaults (as upstream's ``from.Policies != nil``)."""

    stabilization_window_seconds: int | None = None
    select_policy: str | None = None
    policies: tuple[HPAScalingPolicy, ...] | None = None
    tolerance: float | None = None


@dataclass(frozen=True, slots=True)
class HPABehavior:
    """``HorizontalPodAutoscalerBehavior``."""

    scale_up: HPAScalingRules | None = None
    scale_down: HPAScalingRules | None = None


@dataclass(frozen=True, slots=True)
class HPASpec:
    """What the decision reads of an HPA spec.  ``min_replicas=None`` means
    unset (upstream defaults it to 1); ``behavior=None`` selects the legacy
    normalization path."""

    max_replicas: int
    metrics: tuple[MetricSpec, ...]
    min_replicas: int | None = None
    behavior: HPABehavior | None = None


@dataclass(frozen=True, slots=True)
class TimestampedRecommendation:
    """A stored, unstabilized recommendation (upstream ``timestampedRecommendation``)."""

    recommendation: int
    timestamp: float

    def __init__(self, recommendation: int, timestamp: float) -> None:
        _set_recommendation(self, recommendation)
        _set_recommendation_timestamp(self, timestamp)


_set_recommendation, _set_recommendation_timestamp = slot_setters(TimestampedRecommendation)


@dataclass(frozen=True, slots=True)
class ScaleEvent:
    """A stored scale event (upstream ``timestampedScaleEvent``):
    ``replica_change`` is the absolute number of replicas added (in the
    scale-up list) or removed (in the scale-down list)."""

    replica_change: int
    timestamp: float
    outdated: bool = False


@dataclass(frozen=True, slots=True)
class ReplicaResult:
    """What one replica calculation returns.

    ``replicas`` is the proposal.  ``utilization`` is the current utilization
    percentage (Utilization targets only, else ``None``); ``value`` the current
    raw value in milli-units (the average per pod for resource and Pods
    metrics, the metric for Object/External Value, the per-pod average for
    AverageValue on Object/External).  ``timestamp`` is the metric timestamp
    upstream returns (Go's zero time where upstream returns one)."""

    replicas: int
    utilization: int | None
    value: int
    timestamp: float

    def __init__(self, replicas: int, utilization: int | None, value: int, timestamp: float) -> None:
        _set_replicas(self, replicas)
        _set_utilization(self, utilization)
        _set_value(self, value)
        _set_result_timestamp(self, timestamp)


_set_replicas, _set_utilization, _set_value, _set_result_timestamp = slot_setters(ReplicaResult)


@dataclass(frozen=True, slots=True)
class MetricProposal:
    """A replica proposal for one metric spec, as ``computeReplicasForMetric``
    returns it: the result, the metric's description (``cpu resource utilization
    (percentage of request)``...)."""

    result: ReplicaResult
    metric_name: str

    def __init__(self, result: ReplicaResult, metric_name: str) -> None:
        _set_result(self, result)
        _set_metric_name(self, metric_name)


_set_result, _set_metric_name = slot_setters(MetricProposal)


@dataclass(frozen=True, slots=True)
class Condition:
    """An HPA status condition."""

    type: str
    status: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Normalization:
    """The outcome of normalizing a desired replica count (legacy or behavior
    path): ``desired`` and the ``AbleToScale``/``ScalingLimited`` conditions
    upstream sets, plus the new recommendation history (pure: a new tuple)."""

    desired: int
    stabilized: int
    able_to_scale_reason: str
    able_to_scale_message: str
    limited_reason: str
    limited_message: str
    recommendations: tuple[TimestampedRecommendation, ...]

    @property
    def scaling_limited(self) -> bool:
        """Upstream sets ``ScalingLimited`` to True when the rate or range
        changed the stabilized recommendation."""
        return self.desired != self.stabilized


@dataclass(frozen=True, slots=True)
class HPAControllerConfig:
    """kube-controller-manager's HPA settings (``config/v1alpha1/defaults.go``)
    and the feature gate the decision depends on.

    ``hpa_configurable_tolerance``: honour ``behavior.scale{Up,Down}.tolerance``
    (feature gate HPAConfigurableTolerance: alpha, off, in 1.33 and 1.34; beta,
    on, from 1.35).  The default follows 1.35.  ``scale_up_limit_factor`` and
    ``scale_up_limit_minimum`` are upstream's package variables of the legacy
    path (2.0 and 4.0; the upstream controller tests set the factor to 8)."""

    tolerance: float = 0.1
    cpu_initialization_period: float = 300.0
    initial_readiness_delay: float = 30.0
    downscale_stabilization_window: float = 300.0
    sync_period: float = 15.0
    scale_up_limit_factor: float = 2.0
    scale_up_limit_minimum: float = 4.0
    hpa_configurable_tolerance: bool = True
