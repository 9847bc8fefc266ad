"""kubekit: Kubernetes-exact scheduling and container runtime, Cython-accelerated.

The public surface::

    from kubekit import Quantity, Pod, Node, Scheduler
    from kubekit.runtime import Runtime, ContainerSpec, Resources

Names are imported on first use (PEP 562), so ``kubekit run`` and other
runtime-only paths never load numpy or the scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit._lazy import lazy_names

from kubekit.errors import (
    CgroupError, ConfigError, ContainerError, KubekitError, ManifestError, QuantityError, RuntimeSpecError,
    SchedulerError,
)

__version__ = "0.1.0"

_LAZY = {
    "Node": "kubekit.api", "Pod": "kubekit.api", "Quantity": "kubekit.api",
    "BatchResult": "kubekit.scheduler", "Explanation": "kubekit.scheduler", "ScheduleResult": "kubekit.scheduler",
    "Scheduler": "kubekit.scheduler", "load_config": "kubekit.scheduler",
}

if TYPE_CHECKING:
    from kubekit.api import Node, Pod, Quantity
    from kubekit.scheduler import BatchResult, Explanation, ScheduleResult, Scheduler, load_config


__getattr__, __dir__ = lazy_names('kubekit', globals(), _LAZY)


__all__ = [
    "BatchResult", "CgroupError", "ConfigError", "ContainerError", "Explanation", "KubekitError", "ManifestError",
    "Node", "Pod", "Quantity", "QuantityError", "RuntimeSpecError", "ScheduleResult", "Scheduler", "SchedulerError",
    "load_config", "__version__",
]
