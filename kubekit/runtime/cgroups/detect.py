"""Which cgroup layout the host has, and where each hierarchy is mounted.

Mode detection follows runc (``IsCgroup2UnifiedMode``) and crun
(``detect_cgroup_mode``): ``statfs`` of the cgroup root is cgroup2 → ``v2``;
otherwise (tmpfs holding v1 mounts) a cgroup2 ``<root>/unified`` → ``hybrid``,
else ``v1``.  v1 hierarchies come from ``/proc/self/mountinfo`` rather than
from assumed paths, so co-mounted controllers (``cpu,cpuacct``) and named
hierarchies (``name=systemd``) are found wherever they are mounted.

The parsers are pure (text in, data out); :func:`detect_mode` and
:func:`v1_hierarchies` are the thin effectful edges, and take the root and the
texts as arguments so tests can point them at a fake tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kubekit.errors import CgroupError
from kubekit.runtime.mountinfo import parse_mountinfo

CGROUP2_SUPER_MAGIC = 0x63677270
CGROUP_SUPER_MAGIC = 0x27E0EB
TMPFS_MAGIC = 0x01021994

MODES = ("v1", "v2", "hybrid")
DEFAULT_ROOT = "/sys/fs/cgroup"


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """One mounted cgroup tree.  ``version`` is 1 or 2; ``controllers`` are the
    v1 controllers bound to it (``name=systemd`` for a named hierarchy) or, on
    v2, the controllers its root offers (``cgroup.controllers``)."""

    mount: str
    version: int
    controllers: frozenset[str]

    @property
    def label(self) -> str:
        if self.version == 2:
            return "unified"
        return ",".join(sorted(self.controllers))


@dataclass(frozen=True, slots=True)
class CgroupMount:
    """A ``cgroup`` (v1) or ``cgroup2`` line of mountinfo."""

    mount_point: str
    root: str
    fstype: str
    super_options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ControllerInfo:
    """A line of ``/proc/cgroups``: hierarchy 0 = not bound to any v1 tree."""

    name: str
    hierarchy: int
    num_cgroups: int
    enabled: bool


def classify_mode(root_magic: int, unified_magic: int | None, root: str = DEFAULT_ROOT) -> str:
    """The mode from ``statfs(root).f_type`` and ``statfs(root/unified).f_type``
    (None: no such directory)."""
    if root_magic == CGROUP2_SUPER_MAGIC:
        return "v2"
    if root_magic not in (TMPFS_MAGIC, CGROUP_SUPER_MAGIC):
        raise CgroupError(f"invalid file system type on {root}: {root_magic:#x}, expected cgroup2 or a tmpfs "
                          "holding cgroup v1 mounts")
    return "hybrid" if unified_magic == CGROUP2_SUPER_MAGIC else "v1"


def detect_mode(root: str = DEFAULT_ROOT) -> str:
    """``"v1"``, ``"v2"`` or ``"hybrid"`` for the cgroup tree at ``root``."""
    from kubekit._fast._cgstats import statfs_magic

    try:
        root_magic = statfs_magic(root)
    except OSError as e:
        raise CgroupError(e.errno, f"statfs {root}: {e.strerror}", root) from None
    try:
        unified_magic = statfs_magic(os.path.join(root, "unified"))
    except OSError:
        unified_magic = None
    return classify_mode(root_magic, unified_magic, root)


def parse_cgroup_mounts(mountinfo: str) -> list[CgroupMount]:
    """The ``cgroup`` and ``cgroup2`` mounts of a mountinfo text, in order
    (malformed lines are skipped; see :func:`kubekit.runtime.mountinfo.parse_mountinfo`)."""
    return [CgroupMount(mount_point=e.mount_point, root=e.root, fstype=e.fstype,
                        super_options=tuple(e.super_options.split(",")))
            for e in parse_mountinfo(mountinfo) if e.fstype in ("cgroup", "cgroup2")]


def parse_proc_cgroups(text: str) -> dict[str, ControllerInfo]:
    """``/proc/cgroups``: controller name → its line."""
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 4 or not all(p.isdigit() for p in parts[1:4]):
            continue
        out[parts[0]] = ControllerInfo(parts[0], int(parts[1]), int(parts[2]), parts[3] == "1")
    return out


def parse_proc_self_cgroup(text: str) -> dict[str, str]:
    """``/proc/PID/cgroup``: ``"cpu,cpuacct"`` / ``"name=systemd"`` / ``""``
    (the v2 line ``0::/path``) → the path in that hierarchy."""
    out = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            out[parts[1]] = parts[2]
    return out


def mount_controllers(mount: CgroupMount, known: frozenset[str] | set[str]) -> frozenset[str]:
    """The controllers a v1 mount binds: super options that name a known
    controller, plus ``name=...`` for a named hierarchy."""
    return frozenset(o for o in mount.super_options if o in known or o.startswith("name="))


def _under(path: str, root: str) -> bool:
    root = root.rstrip("/")
    return path == root or path.startswith(root + "/")


def v1_hierarchies_from(mounts: list[CgroupMount], known: frozenset[str] | set[str], root: str) -> list[Hierarchy]:
    """The v1 hierarchies mounted under ``root``, one per distinct controller
    set (a hierarchy bind-mounted twice is listed once)."""
    seen: set[frozenset[str]] = set()
    out = []
    for m in mounts:
        if m.fstype != "cgroup" or not _under(m.mount_point, root):
            continue
        ctrls = mount_controllers(m, known)
        if not ctrls or ctrls in seen:
            continue
        seen.add(ctrls)
        out.append(Hierarchy(m.mount_point, 1, ctrls))
    return out


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def v1_hierarchies(root: str = DEFAULT_ROOT, mountinfo: str | None = None,
                   proc_cgroups: str | None = None) -> list[Hierarchy]:
    """The v1 hierarchies under ``root`` (``mountinfo`` / ``proc_cgroups``:
    texts to use instead of ``/proc/self/...``)."""
    if mountinfo is None:
        mountinfo = read_text("/proc/self/mountinfo")
    if proc_cgroups is None:
        try:
            proc_cgroups = read_text("/proc/cgroups")
        except OSError:
            proc_cgroups = ""
    known = set(parse_proc_cgroups(proc_cgroups)) | KNOWN_V1_CONTROLLERS
    return v1_hierarchies_from(parse_cgroup_mounts(mountinfo), known, root)


def v2_controllers(mount: str) -> frozenset[str]:
    """What ``<mount>/cgroup.controllers`` offers (empty if unreadable)."""
    try:
        return frozenset(read_text(os.path.join(mount, "cgroup.controllers")).split())
    except OSError:
        return frozenset()


# Every v1 controller Linux has had, for mountinfo lines when /proc/cgroups is
# unavailable (it is deprecated for v2-only kernels).
KNOWN_V1_CONTROLLERS = frozenset({
    "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "perf_event",
    "net_prio", "hugetlb", "pids", "rdma", "misc", "debug",
})
