"""The built-in plugins in plain Python: the twins of the Cython kernels.

Each follows the extension-point interfaces of
:mod:`kubekit.scheduler.framework` and kube-scheduler's Go plugin of the same
name.  The fast engine never calls them; the twin engine
(``Scheduler(engine="twin")``) and the equivalence tests do.
"""

from kubekit.scheduler.plugins.node_affinity import NodeAffinity
from kubekit.scheduler.plugins.node_name import NodeName
from kubekit.scheduler.plugins.node_resources import BalancedAllocation, NodeResourcesFit
from kubekit.scheduler.plugins.node_unschedulable import NodeUnschedulable
from kubekit.scheduler.plugins.taint_toleration import TaintToleration

__all__ = [
    "BalancedAllocation",
    "NodeAffinity",
    "NodeName",
    "NodeResourcesFit",
    "NodeUnschedulable",
    "TaintToleration",
]
