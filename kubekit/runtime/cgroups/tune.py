"""Host tuning for container starts: cgroup ``favordynmods``.

Every migration into a cgroup (a write to ``cgroup.procs``) takes the
kernel's cgroup threadgroup lock; by default its first taker after a quiet
spell waits an RCU grace period, about 8 ms here (notes/container-runtime.md).
kubekit's start path avoids it where it can (clone3 CLONE_INTO_CGROUP on v2)
and overlaps it elsewhere; on v1 and hybrid hosts the kernel's own remedy is
the ``favordynmods`` mount option (Linux >= 6.0, boot option
``cgroup_favordynmods=true`` since 6.7), which trades slightly slower forks
and exits for migrations that never wait.  Measured on this project's
reference VM (kernel 6.18): a migration after 0.2 s idle took 7.9 ms
without it and 0.2 ms with it.

This is a host-wide setting, like a sysctl, so kubekit never changes it on
its own: :func:`enable_favordynmods` (``kubekit cgroups --favordynmods``) is
an explicit opt-in for the operator.  On some kernels (6.18 here) the
remount switches the lock to a per-threadgroup one that stays in effect until
reboot even if the option is later removed.
"""

from __future__ import annotations

from kubekit.runtime.mountinfo import MountEntry, parse_mountinfo

OPTION = "favordynmods"
# Superblock options that describe the mount rather than configure it.
_NOT_CONFIG = {"rw", "ro", "seclabel"}


def favordynmods_mounts(entries: list[MountEntry]) -> dict[str, bool]:
    """Each cgroup mount point -> whether favordynmods is on (pure)."""
    return {e.mount_point: OPTION in e.super_options.split(",")
            for e in entries if e.fstype in ("cgroup", "cgroup2")}


def remount_data(entry: MountEntry) -> str:
    """The option string that turns favordynmods on while keeping the
    mount's other settings (nsdelegate, memory_recursiveprot, the v1
    controller list ...): a remount replaces the whole set (pure)."""
    opts = [o for o in entry.super_options.split(",") if o and o not in _NOT_CONFIG and o != OPTION]
    return ",".join([*opts, OPTION])


def tuning_target(entries: list[MountEntry], root: str = "/sys/fs/cgroup") -> MountEntry | None:
    """The mount to remount: the cgroup2 tree (the root on v2, ``unified`` on
    hybrid), else the first v1 hierarchy.  The threadgroup lock is global,
    so one mount is enough."""
    cgroups = [e for e in entries if e.fstype in ("cgroup", "cgroup2") and
               (e.mount_point == root or e.mount_point.startswith(root.rstrip("/") + "/"))]
    v2 = [e for e in cgroups if e.fstype == "cgroup2"]
    return (v2 or cgroups or [None])[0]


def read_mountinfo() -> list[MountEntry]:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return parse_mountinfo(f.read())


def enable_favordynmods(root: str = "/sys/fs/cgroup") -> str:
    """Remount the host's cgroup tree with favordynmods; returns the mount
    point.  Raises OSError from mount(2) (EINVAL on kernels before 6.0)."""
    from kubekit._fast import _sys

    target = tuning_target(read_mountinfo(), root)
    if target is None:
        raise FileNotFoundError(f"no cgroup file system is mounted under {root}")
    _sys.mount(None, target.mount_point, None, _sys.MS_REMOUNT, remount_data(target))
    return target.mount_point
