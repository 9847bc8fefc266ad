"""cgroups for kubekit's container runtime: create a container's cgroup, apply
its limits, put processes in it, read its usage, freeze, kill and remove it —
on cgroup v2, v1 and hybrid hosts, detected at run time.

    from kubekit.runtime.cgroups import open_driver
    driver = open_driver()                       # mode detected: "v1" | "v2" | "hybrid"
    cg = driver.create("/kubekit/pod1/c1", resources)
    cg.attach(pid)
    cg.stats()
    cg.destroy()

See ``docs/runtime-cgroups.md``.
"""

from kubekit.runtime.cgroups.base import Cgroup, CgroupDriver
from kubekit.runtime.cgroups.convert import Write, shares_to_weight, v1_writes, v2_writes
from kubekit.runtime.cgroups.detect import Hierarchy, detect_mode
from kubekit.runtime.cgroups.driver import open_driver
from kubekit.runtime.cgroups.stats import CgroupStats

__all__ = [
    "Cgroup", "CgroupDriver", "CgroupStats", "Hierarchy", "Write", "detect_mode", "open_driver", "shares_to_weight",
    "v1_writes", "v2_writes",
]
