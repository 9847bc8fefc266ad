"""kubekit: Kubernetes-exact scheduling and container runtime, Cython-accelerated.

The public surface::

    from kubekit import Quantity, Pod, Node, Scheduler
"""

from kubekit.api import Node, Pod, Quantity
from kubekit.errors import ConfigError, KubekitError, ManifestError, QuantityError, SchedulerError
from kubekit.scheduler import BatchResult, Explanation, ScheduleResult, Scheduler, load_config

__version__ = "0.1.0"

__all__ = [
    "BatchResult", "ConfigError", "Explanation", "KubekitError", "ManifestError", "Node", "Pod", "Quantity",
    "QuantityError", "ScheduleResult", "Scheduler", "SchedulerError", "load_config", "__version__",
]
