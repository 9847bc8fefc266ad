"""The cluster autoscaler's settings, named after its flags (defaults are
upstream's, see ``cluster-autoscaler/FAQ.md``), and the per node group
overrides of some of them (``config.NodeGroupAutoscalingOptions``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["AutoscalerOptions", "NodeGroupAutoscalingOptions"]


@dataclass(frozen=True, slots=True)
class AutoscalerOptions:
    scan_interval: float = 10.0                          # --scan-interval
    expander: str = "random"                             # --expander (a chain: "priority,least-waste")
    max_nodes_total: int = 0                             # --max-nodes-total (0: no limit)
    max_node_provision_time: float = 900.0               # --max-node-provision-time
    max_node_startup_time: float = 900.0                 # --max-node-startup-time (MaxNodeStartupTime)
    ok_total_unready_count: int = 3                      # --ok-total-unready-count
    max_total_unready_percentage: float = 45.0           # --max-total-unready-percentage
    initial_node_group_backoff_duration: float = 300.0   # --initial-node-group-backoff-duration
    max_node_group_backoff_duration: float = 1800.0      # --max-node-group-backoff-duration
    node_group_backoff_reset_timeout: float = 10800.0    # --node-group-backoff-reset-timeout
    scale_down_enabled: bool = True                      # --scale-down-enabled
    scale_down_delay_after_add: float = 600.0            # --scale-down-delay-after-add
    scale_down_delay_after_delete: float | None = None   # --scale-down-delay-after-delete (None: scan_interval)
    scale_down_delay_after_failure: float = 180.0        # --scale-down-delay-after-failure
    scale_down_unneeded_time: float = 600.0              # --scale-down-unneeded-time
    scale_down_utilization_threshold: float = 0.5        # --scale-down-utilization-threshold
    scale_down_gpu_utilization_threshold: float = 0.5    # --scale-down-gpu-utilization-threshold
    scale_down_unready_time: float = 1200.0              # --scale-down-unready-time
    scale_down_unready_enabled: bool = True              # --scale-down-unready-enabled
    max_empty_bulk_delete: int = 10                      # --max-empty-bulk-delete
    max_drain_parallelism: int = 1                       # --max-drain-parallelism
    skip_nodes_with_system_pods: bool = True             # --skip-nodes-with-system-pods
    skip_nodes_with_local_storage: bool = True           # --skip-nodes-with-local-storage
    ignore_daemonsets_utilization: bool = False          # --ignore-daemonsets-utilization
    ignore_mirror_pods_utilization: bool = False         # --ignore-mirror-pods-utilization
    write_status_configmap: bool = True                  # --write-status-configmap
    status_config_map_name: str = "cluster-autoscaler-status"   # --status-config-map-name
    namespace: str = "kube-system"                       # --namespace
    seed: int = 0                                        # the random expander's and the simulations' seed
    scheduler_config: Any = None                         # the scheduler configuration the simulations use

    def __post_init__(self) -> None:
        if self.scan_interval <= 0:
            raise ValueError(f"scan_interval {self.scan_interval}: expected a positive number of seconds")
        if self.max_node_provision_time <= 0:
            raise ValueError(f"max_node_provision_time {self.max_node_provision_time}: expected a positive "
                             f"number of seconds")
        if self.max_node_startup_time <= 0:
            raise ValueError(f"max_node_startup_time {self.max_node_startup_time}: expected a positive number of "
                             f"seconds")
        if self.ok_total_unready_count < 0 or not 0.0 <= self.max_total_unready_percentage <= 100.0:
            raise ValueError(f"ok_total_unready_count {self.ok_total_unready_count}, max_total_unready_percentage "
                             f"{self.max_total_unready_percentage}: expected a count >= 0 and a percentage")
        _check_group_values(self)

    @property
    def delay_after_delete(self) -> float:
        return self.scan_interval if self.scale_down_delay_after_delete is None else self.scale_down_delay_after_delete


@dataclass(frozen=True, slots=True)
class NodeGroupAutoscalingOptions:
    """A node group's own values of the options upstream lets a group
    override (``config.NodeGroupAutoscalingOptions``, returned by a cloud
    provider's ``NodeGroup.GetOptions``).  None: the group takes the global
    :class:`AutoscalerOptions` value (what upstream's
    ``DelegatingNodeGroupConfigProcessor`` falls back to when a provider
    does not implement ``GetOptions``).  ``zero_or_max_node_scaling``
    (``ZeroOrMaxNodeScaling``) is a group-only option upstream too: its
    global default is false."""

    scale_down_utilization_threshold: float | None = None
    scale_down_gpu_utilization_threshold: float | None = None
    scale_down_unneeded_time: float | None = None
    scale_down_unready_time: float | None = None
    max_node_provision_time: float | None = None
    ignore_daemonsets_utilization: bool | None = None
    zero_or_max_node_scaling: bool | None = None

    def __post_init__(self) -> None:
        _check_group_values(self)
        if self.max_node_provision_time is not None and self.max_node_provision_time <= 0:
            raise ValueError(f"max_node_provision_time {self.max_node_provision_time}: expected a positive "
                             f"number of seconds")

    def resolve(self, defaults: AutoscalerOptions) -> NodeGroupAutoscalingOptions:
        """Every option set: the group's value, else the global one
        (``GetOptions(defaults)`` followed by the config processor's
        ``GetMaxNodeProvisionTime`` & co)."""
        def pick(name: str):
            own = getattr(self, name)
            if own is not None:
                return own
            return getattr(defaults, name, False)      # zero_or_max_node_scaling: false unless a group says so
        return NodeGroupAutoscalingOptions(**{f.name: pick(f.name) for f in fields(self)})


def _check_group_values(o: AutoscalerOptions | NodeGroupAutoscalingOptions) -> None:
    """The checks the options a group may override share with the flags."""
    for name in ("scale_down_utilization_threshold", "scale_down_gpu_utilization_threshold"):
        t = getattr(o, name)
        if t is not None and not 0.0 <= t <= 1.0:
            raise ValueError(f"{name} {t}: expected a fraction between 0 and 1")
    for name in ("scale_down_unneeded_time", "scale_down_unready_time"):
        t = getattr(o, name)
        if t is not None and t < 0:
            raise ValueError(f"{name} {t}: expected a non-negative number of seconds")
