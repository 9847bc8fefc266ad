"""Pure decision functions of the ReplicaSet and Deployment controllers.

They follow kube-controller-manager (v1.34/v1.35 behaviour; see
``docs/controllers-rules.md``) and take plain values: Kubernetes manifests as
dicts, counts, and an injected ``now``.  They return plain results and never
mutate their inputs, so a controller loop can be built on top of them.

Modules:

* :mod:`~kubekit.controllers.podutil` — pod predicates (active, ready, available...).
* :mod:`~kubekit.controllers.pod_ranking` — which pods a ReplicaSet deletes first.
* :mod:`~kubekit.controllers.replicaset_rules` — manageReplicas, slow start, RS status.
* :mod:`~kubekit.controllers.intorstr` — IntOrString percentages.
* :mod:`~kubekit.controllers.deployment_rules` — fenceposts, rolling and recreate steps.
* :mod:`~kubekit.controllers.deployment_scaling` — proportional scaling.
* :mod:`~kubekit.controllers.deployment_status` — Deployment status and conditions.
* :mod:`~kubekit.controllers.deployment_history` — revisions, new/old RS, clean-up, rollback, hash.
"""

from __future__ import annotations

from kubekit.controllers.deployment_history import (
    RollbackDecision, cleanup_deployment, deployment_annotations_for_rollback, equal_ignore_hash, find_new_rs,
    find_old_rss, last_revision, max_revision, pod_template_hash, replicas_annotations_need_update, rollback_target,
    set_new_replica_set_annotations, set_replicas_annotations, template_for_rollback,
)
from kubekit.controllers.deployment_rules import (
    OldReplicaSetsDecision, RecreateStep, RollingStep, ScaleDecision, cleanup_unhealthy_replicas, is_saturated,
    max_surge, max_unavailable, min_available, new_rs_new_replicas, old_pods_running, recreate_step,
    reconcile_new_replica_set, reconcile_old_replica_sets, resolve_fenceposts, rolling_update_step,
    scale_down_old_replica_sets_for_rolling_update,
)
from kubekit.controllers.deployment_scaling import (
    ScaleOutcome, find_active_or_latest, replica_set_fraction, replica_set_proportion, scale_decision,
)
from kubekit.controllers.deployment_status import (
    deployment_complete, deployment_progressing, deployment_status, deployment_timed_out, progress_requeue_after,
    rollout_status,
)
from kubekit.controllers.errors import ControllerInputError, IntOrStringError
from kubekit.controllers.pod_ranking import (
    RankingFeatures, deletion_less, pods_to_delete, ranks_by_related_pods_on_same_node, sort_for_deletion,
)
from kubekit.controllers.podutil import (
    is_pod_active, is_pod_available, is_pod_ready, is_pod_terminating, pod_deletion_cost,
)
from kubekit.controllers.replicaset_rules import (
    ManageReplicasDecision, SlowStartResult, manage_replicas_decision, replicaset_status, simulate_slow_start,
    slow_start_batches,
)

__all__ = [
    "ControllerInputError", "IntOrStringError",
    "is_pod_active", "is_pod_ready", "is_pod_available", "is_pod_terminating", "pod_deletion_cost",
    "RankingFeatures", "deletion_less", "sort_for_deletion", "ranks_by_related_pods_on_same_node", "pods_to_delete",
    "ManageReplicasDecision", "manage_replicas_decision", "slow_start_batches", "SlowStartResult",
    "simulate_slow_start", "replicaset_status",
    "resolve_fenceposts", "max_unavailable", "max_surge", "min_available", "new_rs_new_replicas", "is_saturated",
    "ScaleDecision", "reconcile_new_replica_set", "OldReplicaSetsDecision", "reconcile_old_replica_sets",
    "cleanup_unhealthy_replicas", "scale_down_old_replica_sets_for_rolling_update", "RollingStep",
    "rolling_update_step", "old_pods_running", "RecreateStep", "recreate_step",
    "ScaleOutcome", "scale_decision", "replica_set_fraction", "replica_set_proportion", "find_active_or_latest",
    "deployment_status", "rollout_status", "deployment_complete", "deployment_progressing", "deployment_timed_out",
    "progress_requeue_after",
    "max_revision", "last_revision", "set_new_replica_set_annotations", "set_replicas_annotations",
    "replicas_annotations_need_update", "deployment_annotations_for_rollback", "equal_ignore_hash", "find_new_rs",
    "find_old_rss", "pod_template_hash", "cleanup_deployment", "RollbackDecision", "rollback_target",
    "template_for_rollback",
]
