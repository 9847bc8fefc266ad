"""A cluster autoscaler (kubernetes/autoscaler's cluster-autoscaler): node
groups that grow for pending pods and shrink when nodes stay unneeded, with
drains that respect PodDisruptionBudgets.  See ``docs/autoscaling-cluster.md``.

::

    from kubekit.autoscaling.cluster import AutoscalerOptions, ClusterAutoscaler, FleetProvider, NodeGroup
    from kubekit.node.simulated import NodeTemplate

    fleet = FleetProvider(cp.fleet)
    groups = [NodeGroup("small", 0, 10, NodeTemplate(cpu="4", memory="16Gi"), price=0.2, provider=fleet)]
    cp.add_component(ClusterAutoscaler(cp.store, cp.clock, groups, pods=cp.pods, nodes=cp.nodes))

Names load on first use, so the API server's eviction check
(:mod:`.removal`) does not import the scheduler.
"""

from typing import TYPE_CHECKING

from kubekit._lazy import lazy_names

_M = "kubekit.autoscaling.cluster."
_LAZY = {
    "ClusterAutoscaler": _M + "autoscaler",
    "AutoscalerOptions": _M + "options",
    "NodeGroup": _M + "nodegroups", "FleetProvider": _M + "nodegroups", "FixedProvider": _M + "nodegroups",
    "GROUP_LABEL": _M + "nodegroups",
    "Expander": _M + "expander", "EXPANDERS": _M + "expander",
    "BudgetStatus": _M + "disruption", "EvictionVerdict": _M + "disruption", "budget_status": _M + "disruption",
    "check_eviction": _M + "disruption",
    "BlockingReason": _M + "drainability", "DrainPlan": _M + "drainability", "pods_to_move": _M + "drainability",
    "PdbStatusWriter": _M + "pdbstatus",
    "TO_BE_DELETED_TAINT": _M + "removal", "drain_node": _M + "removal", "eviction_verdict": _M + "removal",
}

if TYPE_CHECKING:
    from kubekit.autoscaling.cluster.autoscaler import ClusterAutoscaler
    from kubekit.autoscaling.cluster.disruption import BudgetStatus, EvictionVerdict, budget_status, check_eviction
    from kubekit.autoscaling.cluster.drainability import BlockingReason, DrainPlan, pods_to_move
    from kubekit.autoscaling.cluster.expander import EXPANDERS, Expander
    from kubekit.autoscaling.cluster.nodegroups import GROUP_LABEL, FixedProvider, FleetProvider, NodeGroup
    from kubekit.autoscaling.cluster.options import AutoscalerOptions
    from kubekit.autoscaling.cluster.pdbstatus import PdbStatusWriter
    from kubekit.autoscaling.cluster.removal import TO_BE_DELETED_TAINT, drain_node, eviction_verdict

__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)
__all__ = [
    "AutoscalerOptions", "BlockingReason", "BudgetStatus", "ClusterAutoscaler", "DrainPlan", "EXPANDERS",
    "EvictionVerdict", "Expander", "FixedProvider", "FleetProvider", "GROUP_LABEL", "NodeGroup", "PdbStatusWriter",
    "TO_BE_DELETED_TAINT", "budget_status", "check_eviction", "drain_node", "eviction_verdict", "pods_to_move",
]
