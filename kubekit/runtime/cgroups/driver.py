"""Opening the driver for this host's cgroup layout."""

from __future__ import annotations

import os

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups.base import CgroupDriver
from kubekit.runtime.cgroups.detect import (
    CGROUP2_SUPER_MAGIC,
    CGROUP_SUPER_MAGIC,
    DEFAULT_ROOT,
    MODES,
    Hierarchy,
    detect_mode,
    v1_hierarchies,
    v2_controllers,
)
from kubekit.runtime.cgroups.hybrid import HybridDriver
from kubekit.runtime.cgroups.v1 import V1Driver
from kubekit.runtime.cgroups.v2 import V2Driver


def _is_cgroupfs(path: str) -> bool:
    from kubekit._fast._cgstats import statfs_magic

    try:
        return statfs_magic(path) in (CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC)
    except OSError:
        return False


# The v1 controllers kubekit writes or reads (limits, stats, kill, devices).
# Hierarchies carrying none of them (name=systemd, blkio, net_cls, perf_event
# ...) are not joined: each joined hierarchy costs a mkdir, a cgroup.procs
# write and an rmdir per container.  runc joins every one; pass join=None.
USED_V1_CONTROLLERS = frozenset({"cpu", "cpuacct", "cpuset", "memory", "pids", "freezer", "devices"})


def open_driver(root: str = DEFAULT_ROOT, mode: str | None = None, *, mountinfo: str | None = None,
                proc_cgroups: str | None = None,
                join: frozenset[str] | None = USED_V1_CONTROLLERS) -> CgroupDriver:
    """The driver for the cgroup tree at ``root``.  ``mode`` (``"v1"``,
    ``"v2"``, ``"hybrid"``) is detected when None.  v1 and hybrid find their
    hierarchies in ``/proc/self/mountinfo`` (or the ``mountinfo`` text given:
    tests point it at a fake tree).  ``join`` chooses the v1 hierarchies to use
    (those carrying any of these controllers; None: all).  A root that is not
    cgroupfs is driven as a fake tree of plain files (writes create them)."""
    root = root.rstrip("/") or "/"
    if mode is None:
        mode = detect_mode(root)
    if mode not in MODES:
        raise CgroupError(f"invalid cgroup mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "v2":
        if not os.path.isdir(root):
            raise CgroupError(f"cgroup v2 root {root} is not a directory")
        hierarchies = [Hierarchy(root, 2, v2_controllers(root))]
        return V2Driver(root, hierarchies, plain=not _is_cgroupfs(root))
    hierarchies = v1_hierarchies(root, mountinfo, proc_cgroups)
    if join is not None:
        hierarchies = [h for h in hierarchies if h.controllers & join]
    if not hierarchies:
        raise CgroupError(f"no cgroup v1 hierarchy is mounted under {root} (mode {mode})")
    if mode == "hybrid":
        unified = f"{root}/unified"
        if not os.path.isdir(unified):
            raise CgroupError(f"hybrid cgroup mode needs the cgroup2 tree {unified}, which is missing")
        hierarchies.append(Hierarchy(unified, 2, v2_controllers(unified)))
    plain = not all(_is_cgroupfs(h.mount) for h in hierarchies)
    cls = HybridDriver if mode == "hybrid" else V1Driver
    return cls(root, hierarchies, plain=plain)
