"""The kubelet's pure decision rules, exact to Kubernetes v1.34/v1.35.

Every function here is a pure function of plain values (pod manifests as
``dict``, small frozen dataclasses); time is always a parameter.  The node agent
does the I/O and calls these to decide.  See ``docs/node-rules.md``.

=====================  ==========================================================
module                 upstream
=====================  ==========================================================
``phase``              ``kubelet_pods.go`` ``getPhase``
``conditions``         ``status/generate.go`` Ready/ContainersReady/Initialized
``container_status``   ``kubelet_pods.go`` ``convertToAPIContainerStatuses``
``restart_policy``     ``ContainerShouldRestart`` / ``ShouldContainerBeRestarted``
``actions``            ``kuberuntime_manager.go`` ``computePodActions``
``backoff``            ``flowcontrol/backoff.go`` + kubelet ``doBackOff``
``probes``             ``prober/worker.go`` + probe defaults and result rules
``allocatable``        ``cm/node_container_manager_linux.go`` + ``MachineInfo``
``node_status``        ``nodestatus/setters.go`` conditions, lease timing
``termination``        grace periods (``pod_workers.go``, ``killContainer``)
``envvars``            ``kubelet_pods.go`` ``makeEnvironmentVariables``
``expansion``          ``third_party/forked/golang/expansion`` ``Expand``
``downward``           ``podFieldSelectorRuntimeValue``, ``ExtractContainerResourceValue``
``volume_payload``     configmap/secret/downwardapi/projected ``MakePayload``
=====================  ==========================================================
"""

from __future__ import annotations

from kubekit.node.rules.actions import ContainerToKill, PodActions, compute_pod_actions, pod_sandbox_changed
from kubekit.node.rules.allocatable import (
    DEFAULT_EVICTION_HARD,
    DEFAULT_MAX_PODS,
    allocatable_reservation,
    node_allocatable,
    node_allocatable_absolute,
    node_capacity,
    node_capacity_and_allocatable,
    validate_node_allocatable,
)
from kubekit.node.rules.backoff import (
    BackoffEntry,
    BackoffPolicy,
    backoff_next,
    crash_loop_decision,
    in_backoff_since,
    kubelet_crash_loop_policy,
)
from kubekit.node.rules.conditions import (
    PodCondition,
    containers_ready_condition,
    pod_initialized_condition,
    pod_ready_condition,
)
from kubekit.node.rules.container_status import container_statuses, runtime_exit_reason
from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.node_status import (
    NodeCondition,
    lease_renew_interval,
    pressure_condition,
    ready_condition,
    should_post_node_status,
)
from kubekit.node.rules.phase import has_any_regular_container_started, pod_phase
from kubekit.node.rules.probes import (
    ProbeSpec,
    ProbeState,
    ProbeTarget,
    container_ready,
    container_started,
    exec_probe_result,
    http_probe_result,
    new_probe_state,
    next_probe_time,
    probe_spec_from_manifest,
    probe_step,
)
from kubekit.node.rules.restart_policy import container_should_restart, should_container_be_restarted
from kubekit.node.rules.runtime_status import PodRuntimeStatus, RuntimeContainer, Sandbox
from kubekit.node.rules.termination import container_grace_period, kill_deadline, pod_grace_period, should_sigkill

__all__ = [
    "BackoffEntry", "BackoffPolicy", "ContainerToKill", "DEFAULT_EVICTION_HARD", "DEFAULT_MAX_PODS",
    "NodeCondition", "NodeRulesError", "PodActions", "PodCondition", "PodRuntimeStatus", "ProbeSpec",
    "ProbeState", "ProbeTarget", "RuntimeContainer", "Sandbox", "allocatable_reservation", "backoff_next",
    "compute_pod_actions", "container_grace_period", "container_ready", "container_should_restart",
    "container_started", "container_statuses", "containers_ready_condition", "crash_loop_decision",
    "exec_probe_result", "has_any_regular_container_started", "http_probe_result", "in_backoff_since",
    "kill_deadline", "kubelet_crash_loop_policy", "lease_renew_interval", "new_probe_state",
    "next_probe_time", "node_allocatable", "node_allocatable_absolute", "node_capacity",
    "node_capacity_and_allocatable", "pod_grace_period", "pod_initialized_condition", "pod_phase",
    "pod_ready_condition", "pod_sandbox_changed", "pressure_condition", "probe_spec_from_manifest",
    "probe_step", "ready_condition", "runtime_exit_reason", "should_container_be_restarted",
    "should_post_node_status", "should_sigkill", "validate_node_allocatable",
]
