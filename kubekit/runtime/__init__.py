"""kubekit's container runtime: namespaces, cgroups, an overlay rootfs and
pivot_root, started from a Cython kernel with no helper process.

    from kubekit.runtime import Runtime, ContainerSpec, Resources
    rt = Runtime()
    status = rt.run(ContainerSpec(command=("/bin/true",), rootfs="/path/to/rootfs",
                                  resources=Resources(memory_limit=64 << 20)))

This package never imports numpy or the scheduler (``kubekit run`` starts
fast).
"""

from kubekit.runtime.container import Container, ExitStatus
from kubekit.runtime.runtime import Runtime
from kubekit.runtime.spec import ContainerSpec, IdMapping, Mount, Resources

__all__ = ["Container", "ContainerSpec", "ExitStatus", "IdMapping", "Mount", "Resources", "Runtime"]
