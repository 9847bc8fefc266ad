"""HorizontalPodAutoscaler (autoscaling/v2) decisions, as pure functions.

Exact ports of the Kubernetes HPA controller's decision code (v1.34/v1.35):
the replica calculator (:mod:`.hpa_replicas`), the per-metric proposals and
their maximum (:mod:`.hpa_proposals`), the legacy normalization
(:mod:`.hpa_legacy`), behaviors (:mod:`.hpa_behavior`) and one reconcile step
(:mod:`.hpa_decide`).  Inputs and outputs are frozen dataclasses of plain
values (:mod:`.hpa_types`); time is always a parameter.  See
``docs/autoscaling-hpa.md``.
"""

from kubekit.autoscaling.hpa_behavior import (
    DEFAULT_SCALE_DOWN_RULES,
    DEFAULT_SCALE_UP_RULES,
    calculate_scale_down_limit_with_behaviors,
    calculate_scale_up_limit_with_scaling_rules,
    convert_desired_replicas_with_behavior_rate,
    default_behavior,
    generate_scale_down_rules,
    generate_scale_up_rules,
    get_longest_policy_period,
    get_replicas_change_per_period,
    mark_scale_events_outdated,
    normalize_with_behaviors,
    stabilize_recommendation_with_behaviors,
    store_scale_event,
)
from kubekit.autoscaling.hpa_decide import HPADecision, HPAState, hpa_decide, tolerances_for_hpa
from kubekit.autoscaling.hpa_errors import (
    HPAError,
    HPAInvalidMetricsError,
    HPAMetricError,
    HPASpecError,
)
from kubekit.autoscaling.hpa_legacy import (
    calculate_scale_up_limit,
    convert_desired_replicas_with_rules,
    normalize_legacy,
    stabilize_recommendation,
)
from kubekit.autoscaling.hpa_metrics import (
    metric_usage_ratio,
    resource_metrics_from_samples,
    resource_utilization_ratio,
)
from kubekit.autoscaling.hpa_pods import PodGroups, calculate_requests, group_pods, ready_pods_count
from kubekit.autoscaling.hpa_proposals import (
    MetricInput,
    MetricsProposal,
    replicas_for_metric,
    replicas_for_metrics,
)
from kubekit.autoscaling.hpa_replicas import (
    replicas_for_external_metric,
    replicas_for_external_per_pod,
    replicas_for_external_value,
    replicas_for_object_metric,
    replicas_for_object_per_pod,
    replicas_for_object_value,
    replicas_for_pods_metric,
    replicas_for_raw_resource,
    replicas_for_resource,
)
from kubekit.autoscaling.hpa_types import (
    GO_ZERO_TIME,
    Condition,
    ContainerSpec,
    ContainerUsage,
    HPABehavior,
    HPAControllerConfig,
    HPAScalingPolicy,
    HPAScalingRules,
    HPASpec,
    MetricProposal,
    MetricSpec,
    MetricTarget,
    Normalization,
    PodInfo,
    PodMetric,
    PodMetricsSample,
    ReplicaResult,
    ScaleEvent,
    TimestampedRecommendation,
    Tolerances,
)

__all__ = [
    "DEFAULT_SCALE_DOWN_RULES",
    "DEFAULT_SCALE_UP_RULES",
    "GO_ZERO_TIME",
    "Condition",
    "ContainerSpec",
    "ContainerUsage",
    "HPABehavior",
    "HPAControllerConfig",
    "HPADecision",
    "HPAError",
    "HPAInvalidMetricsError",
    "HPAMetricError",
    "HPAScalingPolicy",
    "HPAScalingRules",
    "HPASpec",
    "HPASpecError",
    "HPAState",
    "MetricInput",
    "MetricProposal",
    "MetricSpec",
    "MetricTarget",
    "MetricsProposal",
    "Normalization",
    "PodGroups",
    "PodInfo",
    "PodMetric",
    "PodMetricsSample",
    "ReplicaResult",
    "ScaleEvent",
    "TimestampedRecommendation",
    "Tolerances",
    "calculate_requests",
    "calculate_scale_down_limit_with_behaviors",
    "calculate_scale_up_limit",
    "calculate_scale_up_limit_with_scaling_rules",
    "convert_desired_replicas_with_behavior_rate",
    "convert_desired_replicas_with_rules",
    "default_behavior",
    "generate_scale_down_rules",
    "generate_scale_up_rules",
    "get_longest_policy_period",
    "get_replicas_change_per_period",
    "group_pods",
    "hpa_decide",
    "mark_scale_events_outdated",
    "metric_usage_ratio",
    "normalize_legacy",
    "normalize_with_behaviors",
    "ready_pods_count",
    "replicas_for_external_metric",
    "replicas_for_external_per_pod",
    "replicas_for_external_value",
    "replicas_for_metric",
    "replicas_for_metrics",
    "replicas_for_object_metric",
    "replicas_for_object_per_pod",
    "replicas_for_object_value",
    "replicas_for_pods_metric",
    "replicas_for_raw_resource",
    "replicas_for_resource",
    "resource_metrics_from_samples",
    "resource_utilization_ratio",
    "stabilize_recommendation",
    "stabilize_recommendation_with_behaviors",
    "store_scale_event",
    "tolerances_for_hpa",
]
