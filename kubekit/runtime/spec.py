"""What a container is: the plain, frozen description the runtime starts.

This mirrors the parts of the OCI runtime spec (``config.json``) that kubekit
implements.  Quantities are exact integers with the unit in the name; nothing
here touches the kernel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Docker's default capability set (moby oci/caps/defaults.go); every other
# capability is dropped from all five sets.
DEFAULT_CAPABILITIES: tuple[str, ...] = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
)

# runc's default masked and read-only paths (`runc spec`, libcontainer/specconv/example.go),
# plus /sys/devices/virtual/powercap which moby and containerd also mask.
DEFAULT_MASKED_PATHS: tuple[str, ...] = (
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap",
)
DEFAULT_READONLY_PATHS: tuple[str, ...] = (
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
)

# The namespaces a container gets by default: everything but user and time.
DEFAULT_NAMESPACES: frozenset[str] = frozenset({"pid", "mnt", "uts", "ipc", "net", "cgroup"})
NAMESPACE_TYPES: tuple[str, ...] = ("user", "pid", "mnt", "uts", "ipc", "net", "cgroup")

DEFAULT_ENV: tuple[str, ...] = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)


@dataclass(frozen=True, slots=True)
class Resources:
    """OCI ``linux.resources`` (the subset kubekit applies).  ``None`` = unset.

    memory_swap is memory+swap, as in OCI; -1 means unlimited for the memory
    fields, cpu_quota and pids_limit.
    """

    memory_limit: int | None = None
    memory_reservation: int | None = None
    memory_swap: int | None = None
    cpu_shares: int | None = None
    cpu_quota: int | None = None
    cpu_period: int | None = None
    cpuset_cpus: str | None = None
    cpuset_mems: str | None = None
    pids_limit: int | None = None
    unified: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mount:
    """A mount inside the container.  ``kind`` is ``bind`` or ``tmpfs``.

    ``options`` are OCI mount options: ``ro``/``rw``, ``nosuid``, ``nodev``,
    ``noexec``, ``size=64m``, ``mode=1777`` ...
    """

    destination: str
    source: str = ""
    kind: str = "bind"
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdMapping:
    container_id: int
    host_id: int
    size: int


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """A container: the process to run and the box it runs in.

    The root filesystem is an overlayfs whose read-only lower layers are one
    of: ``rootfs``, a directory; ``rootfs_layers``, an image's unpacked layer
    directories, bottom first (see :mod:`kubekit.images`); or, with
    ``host_rootfs=True``, the host's ``/`` (like ``bwrap --ro-bind / /``).
    Exactly one is given.  The container writes only to its own overlay upper
    directory, removed with the container.
    """

    command: tuple[str, ...]
    rootfs: str | None = None
    host_rootfs: bool = False
    rootfs_layers: tuple[str, ...] = ()
    env: tuple[str, ...] = DEFAULT_ENV
    cwd: str = "/"
    uid: int = 0
    gid: int = 0
    additional_gids: tuple[int, ...] = ()
    hostname: str | None = None
    domainname: str | None = None
    namespaces: frozenset[str] = DEFAULT_NAMESPACES
    # Namespaces to join instead of creating: type -> path (/proc/PID/ns/net ...).
    join_namespaces: Mapping[str, str] = field(default_factory=dict)
    uid_mappings: tuple[IdMapping, ...] = ()
    gid_mappings: tuple[IdMapping, ...] = ()
    mounts: tuple[Mount, ...] = ()
    resources: Resources = Resources()
    capabilities: tuple[str, ...] = DEFAULT_CAPABILITIES
    no_new_privileges: bool = True
    readonly_rootfs: bool = False
    masked_paths: tuple[str, ...] = DEFAULT_MASKED_PATHS
    readonly_paths: tuple[str, ...] = DEFAULT_READONLY_PATHS
    # Kill the container's init when the thread that started it dies.
    die_with_parent: bool = False
    # File descriptors for the payload's stdin/stdout/stderr (None: /dev/null).
    stdin: int | None = None
    stdout: int | None = None
    stderr: int | None = None


def lower_dirs(spec: ContainerSpec) -> tuple[str, ...]:
    """The spec's read-only lower layers, bottom first."""
    if spec.rootfs_layers:
        return tuple(p.rstrip("/") or "/" for p in spec.rootfs_layers)
    return (spec.rootfs.rstrip("/") or "/",) if spec.rootfs else ("/",)
