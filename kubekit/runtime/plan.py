"""Compile a ContainerSpec into the child's program (pure; no system calls
except reading the rootfs to resolve symlinks and stat volume sources).

The order follows crun's and runc's start sequence
(notes/container-runtime.md §b):

1. join namespaces given by path (``setns`` on fds the parent opened);
2. with a user namespace, wait for the parent to write the id maps;
3. make ``/`` recursively private, mount the overlay rootfs, then ``/proc``,
   a minimal ``/dev`` (+ pts, shm, fd links), read-only ``/sys`` and the
   volumes, all below the new root;
4. ``pivot_root(".", ".")`` and detach the old root (never a bare chroot);
5. masked and read-only paths, read-only root, hostname, ``lo`` up;
6. wait until the parent has put us in every cgroup and says start; then the
   cgroup namespace (v1), stdio, close-on-exec for every other fd, the
   bounding set, ids, capabilities, no_new_privs, workdir and ``execve``.
"""

from __future__ import annotations

import os
import signal
import stat
import struct
from dataclasses import dataclass

from kubekit.errors import RuntimeSpecError
from kubekit.runtime import caps
from kubekit.runtime.lowerview import LowerView, check_overlay_path, overlay_mount_data
from kubekit.runtime.ops import Code, Op, Program
from kubekit.runtime.spec import DEFAULT_ENV, ContainerSpec, Mount, lower_dirs

CLONE_FLAGS = {
    "mnt": 0x00020000, "cgroup": 0x02000000, "uts": 0x04000000, "ipc": 0x08000000,
    "user": 0x10000000, "pid": 0x20000000, "net": 0x40000000,
}
JOINABLE = ("net", "ipc", "uts", "cgroup")

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE, MS_STRICTATIME = 0x20, 0x1000, 0x4000, 0x40000, 0x1000000
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS = 1, 8, 38

# The devices every container gets (OCI runtime spec "Default Devices").
DEFAULT_DEVICES = (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0))
DEV_LINKS = (("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
             ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"))
MOUNT_FLAG_OPTIONS = {
    "ro": (MS_RDONLY, True), "rw": (MS_RDONLY, False), "nosuid": (MS_NOSUID, True), "suid": (MS_NOSUID, False),
    "nodev": (MS_NODEV, True), "dev": (MS_NODEV, False), "noexec": (MS_NOEXEC, True), "exec": (MS_NOEXEC, False),
}
PASSIVE_OPTIONS = {"bind", "rbind", "private", "rprivate"}
MAX_SYMLINKS = 255


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a container's files live on the host."""

    rootfs: str       # the merged overlay mount point (the new root)
    upper: str        # the copy-on-write top layer
    work: str         # overlayfs' work directory
    lowers: tuple[str, ...]   # the read-only lower layers, bottom first (image layers, a rootfs dir, or "/")


@dataclass(frozen=True, slots=True)
class Setup:
    """What the parent prepared for the child besides the spec."""

    layout: Layout
    ns_fds: dict[str, int]          # namespace type -> fd to setns into
    stdio: tuple[int, int, int]     # fds for the payload's 0, 1, 2
    # clone3(CLONE_INTO_CGROUP) puts the child in *all* its cgroups (pure v2);
    # otherwise v1 hierarchies are attached after clone, and the cgroup
    # namespace must wait for that, or its root would be the caller's cgroup.
    born_in_cgroups: bool
    last_cap: int
    host_submounts: tuple[str, ...] = ()


def clone_flags(spec: ContainerSpec, born_in_cgroups: bool) -> int:
    flags = 0
    for ns in spec.namespaces:
        if ns in spec.join_namespaces:
            continue
        if ns == "cgroup" and not born_in_cgroups:
            continue  # unshared after the parent attached us (see build)
        flags |= CLONE_FLAGS[ns]
    return flags


def validate(spec: ContainerSpec) -> None:
    """Refuse specs the runtime cannot honour, before anything is created."""
    if not spec.command:
        raise RuntimeSpecError("command: must not be empty")
    if (spec.rootfs is not None) + bool(spec.rootfs_layers) + spec.host_rootfs != 1:
        raise RuntimeSpecError("rootfs: give exactly one of a rootfs directory, image layers (rootfs_layers) "
                               "or host_rootfs=True")
    if spec.rootfs is not None and not os.path.isdir(spec.rootfs):
        raise RuntimeSpecError(f"rootfs: {spec.rootfs!r} is not a directory")
    for i, layer in enumerate(spec.rootfs_layers):
        if not os.path.isabs(layer) or not os.path.isdir(layer):
            raise RuntimeSpecError(f"rootfs_layers[{i}]: {layer!r} is not an absolute path to a directory")
    for p in lower_dirs(spec):
        check_overlay_path("rootfs", p)
    unknown = set(spec.namespaces) - set(CLONE_FLAGS)
    if unknown:
        raise RuntimeSpecError(f"namespaces: unknown {sorted(unknown)}; expected some of {sorted(CLONE_FLAGS)}")
    if "mnt" not in spec.namespaces:
        raise RuntimeSpecError("namespaces: a mount namespace is required (the rootfs is pivot_root'ed into)")
    for ns, path in spec.join_namespaces.items():
        if ns not in JOINABLE:
            raise RuntimeSpecError(f"join_namespaces: joining {ns!r} is not supported; joinable: {', '.join(JOINABLE)}")
        if not os.path.exists(path):
            raise RuntimeSpecError(f"join_namespaces: {ns} namespace path {path!r} does not exist")
    has_uts = "uts" in spec.namespaces and "uts" not in spec.join_namespaces
    if (spec.hostname or spec.domainname) and not has_uts:
        raise RuntimeSpecError("hostname: unable to set hostname without a private UTS namespace")
    if "user" in spec.namespaces and not (spec.uid_mappings and spec.gid_mappings):
        raise RuntimeSpecError("uid_mappings/gid_mappings: a user namespace needs both maps")
    if not os.path.isabs(spec.cwd):
        raise RuntimeSpecError(f"cwd: {spec.cwd!r} must be an absolute path")
    caps.mask(spec.capabilities)
    for m in spec.mounts:
        check_mount(m)


def check_mount(m: Mount) -> None:
    if not os.path.isabs(m.destination):
        raise RuntimeSpecError(f"mount {m.destination!r}: destination must be absolute")
    if m.kind not in ("bind", "tmpfs"):
        raise RuntimeSpecError(f"mount {m.destination!r}: kind {m.kind!r} is not supported (bind or tmpfs)")
    if m.kind == "bind" and not os.path.exists(m.source):
        raise RuntimeSpecError(f"mount {m.destination!r}: source {m.source!r} does not exist")
    for o in m.options:
        key = o.split("=", 1)[0]
        if o in MOUNT_FLAG_OPTIONS or o in PASSIVE_OPTIONS or (m.kind == "tmpfs" and key in ("size", "mode", "nr_inodes")):
            continue
        raise RuntimeSpecError(f"mount {m.destination!r}: unknown option {o!r}")


def secure_join(root: str | LowerView, path: str) -> str:
    """Resolve container ``path`` inside ``root`` (a directory, or the merged
    view of an image's layers) as the container would see it: symlinks are
    followed relative to the root and ``..`` never climbs above it (the idea
    of filepath-securejoin).  Returns a container path."""
    view = LowerView((root,)) if isinstance(root, str) else root
    parts = [p for p in path.split("/") if p not in ("", ".")]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        cpath = "/" + "/".join([*resolved, part])
        if view.islink(cpath):
            links += 1
            if links > MAX_SYMLINKS:
                raise RuntimeSpecError(f"path {path!r}: too many levels of symbolic links")
            target = view.readlink(cpath)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        resolved.append(part)
    return "/" + "/".join(resolved)


def _mkdir_chain(root: str, lower: LowerView, cpath: str, label: str) -> list[Op]:
    """MKDIRs for every component of resolved container path ``cpath``."""
    ops = []
    parts = [p for p in cpath.split("/") if p]
    for i in range(1, len(parts) + 1):
        sub = "/" + "/".join(parts[:i])
        if not lower.isdir(sub):
            ops.append(Op(Code.MKDIR, f"mkdir({sub}) for {label}", a=(root + sub).encode(), arg=0o755))
    return ops


def _flag_options(options: tuple[str, ...]) -> int:
    flags = 0
    for o in options:
        bit, on = MOUNT_FLAG_OPTIONS.get(o, (0, False))
        flags = flags | bit if on else flags & ~bit
    return flags


def mount_ops(root: str, lower: LowerView, m: Mount) -> list[Op]:
    dest = secure_join(lower, m.destination)
    target = root + dest if dest != "/" else root
    label = f"mount {m.source or m.kind} on {m.destination}"
    flags = _flag_options(m.options)
    if m.kind == "tmpfs":
        data = ",".join(o for o in m.options if "=" in o)
        ops = _mkdir_chain(root, lower, dest, label)
        return ops + [Op(Code.MOUNT, f"{label}: mount(tmpfs, {target})", a=b"tmpfs", b=target.encode(),
                         c=b"tmpfs", d=data.encode(), flags=flags)]
    is_dir = os.path.isdir(m.source)
    parent = os.path.dirname(dest)
    ops = _mkdir_chain(root, lower, dest if is_dir else parent, label)
    if not is_dir:
        ops.append(Op(Code.TOUCH, f"{label}: create {target}", a=target.encode()))
    ops.append(Op(Code.MOUNT, f"{label}: mount(bind {m.source}, {target})", a=m.source.encode(), b=target.encode(),
                  flags=MS_BIND | MS_REC))
    if flags & MS_RDONLY:
        ops.append(Op(Code.READONLY, f"{label}: remount read-only {target}", a=target.encode()))
    if flags & ~MS_RDONLY:
        ops.append(Op(Code.MOUNT, f"{label}: remount {target}", b=target.encode(),
                      flags=MS_BIND | MS_REMOUNT | flags))
    return ops


def rootfs_ops(spec: ContainerSpec, setup: Setup) -> list[Op]:
    lay = setup.layout
    root = lay.rootfs
    r = root.encode()
    userns = "user" in spec.namespaces
    view = LowerView(lay.lowers)
    # In a user namespace trusted.* xattrs need the init namespace's CAP_SYS_ADMIN: userxattr.
    chdir, data = overlay_mount_data(lay.lowers, lay.upper, lay.work, userxattr=userns)
    ops = [Op(Code.MOUNT, "make / rprivate", b=b"/", flags=MS_REC | MS_PRIVATE)]
    if chdir is not None:   # layer paths relative to their common parent, to fit mount(2)'s page
        ops.append(Op(Code.CHDIR, f"chdir({chdir}) to name the layers", a=chdir.encode()))
    ops.append(Op(Code.MOUNT, f"mount(overlay, {root})", a=b"overlay", b=r, c=b"overlay", d=data.encode()))
    for sub in setup.host_submounts:
        target = root + sub
        ops.append(Op(Code.MOUNT, f"mount(bind {sub}, {target})", a=sub.encode(), b=target.encode(), flags=MS_BIND))
        ops.append(Op(Code.READONLY, f"remount read-only {target}", a=target.encode()))
    for d in ("proc", "dev", "sys"):
        ops.append(Op(Code.MKDIR, f"mkdir({root}/{d})", a=f"{root}/{d}".encode(), arg=0o755))
    ops.append(Op(Code.MOUNT, f"mount(proc, {root}/proc)", a=b"proc", b=f"{root}/proc".encode(), c=b"proc",
                  flags=MS_NOSUID | MS_NODEV | MS_NOEXEC))
    dev = f"{root}/dev"
    ops.append(Op(Code.MOUNT, f"mount(tmpfs, {dev})", a=b"tmpfs", b=dev.encode(), c=b"tmpfs",
                  d=b"mode=755,size=65536k", flags=MS_NOSUID | MS_STRICTATIME))
    for name, major, minor in DEFAULT_DEVICES:
        path = f"{dev}/{name}".encode()
        if userns:  # mknod is not allowed in a user namespace: bind the host's node
            ops.append(Op(Code.TOUCH, f"create {dev}/{name}", a=path))
            ops.append(Op(Code.MOUNT, f"mount(bind /dev/{name}, {dev}/{name})", a=f"/dev/{name}".encode(), b=path,
                          flags=MS_BIND))
        else:
            ops.append(Op(Code.MKNOD, f"mknod({dev}/{name})", a=path, arg=stat.S_IFCHR | 0o666,
                          flags=os.makedev(major, minor)))
    for d in ("pts", "shm"):
        ops.append(Op(Code.MKDIR, f"mkdir({dev}/{d})", a=f"{dev}/{d}".encode(), arg=0o755))
    ops.append(Op(Code.MOUNT, f"mount(devpts, {dev}/pts)", a=b"devpts", b=f"{dev}/pts".encode(), c=b"devpts",
                  d=b"newinstance,ptmxmode=0666,mode=0620", flags=MS_NOSUID | MS_NOEXEC))
    ops.append(Op(Code.MOUNT, f"mount(tmpfs, {dev}/shm)", a=b"shm", b=f"{dev}/shm".encode(), c=b"tmpfs",
                  d=b"mode=1777,size=65536k", flags=MS_NOSUID | MS_NODEV | MS_NOEXEC))
    for target, name in DEV_LINKS:
        ops.append(Op(Code.SYMLINK, f"symlink({dev}/{name})", a=target.encode(), b=f"{dev}/{name}".encode()))
    ops.append(Op(Code.MOUNT, f"mount(sysfs, {root}/sys)", a=b"sysfs", b=f"{root}/sys".encode(), c=b"sysfs",
                  flags=MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))
    for m in sorted(spec.mounts, key=lambda m: m.destination.rstrip("/").count("/")):
        ops += mount_ops(root, view, m)
    # Like runc, make the working directory if the image lacks it (as root, before any mount covers it).
    if spec.cwd != "/" and not any(m.destination.rstrip("/") == spec.cwd.rstrip("/") for m in spec.mounts):
        ops += _mkdir_chain(root, view, secure_join(view, spec.cwd), f"workdir {spec.cwd}")
    ops += [
        Op(Code.CHDIR, f"chdir({root})", a=r),
        Op(Code.PIVOT_ROOT, f"pivot_root({root})", a=b".", b=b"."),
        Op(Code.UMOUNT2, "umount2(old root)", a=b".", flags=MNT_DETACH),
        Op(Code.CHDIR, "chdir(/)", a=b"/"),
    ]
    for p in spec.masked_paths:
        ops.append(Op(Code.MASK, f"mask {p}", a=p.encode()))
    for p in spec.readonly_paths:
        ops.append(Op(Code.READONLY, f"read-only {p}", a=p.encode(), ignore_errno=2))
    if spec.readonly_rootfs:
        ops.append(Op(Code.MOUNT, "remount / read-only", b=b"/", flags=MS_BIND | MS_REMOUNT | MS_RDONLY))
    return ops


def identity_ops(spec: ContainerSpec, setup: Setup) -> list[Op]:
    keep = caps.mask(spec.capabilities)
    ops = [Op(Code.DROP_BOUNDING, "drop capabilities from the bounding set", flags=keep, arg=setup.last_cap)]
    if spec.uid != 0:
        ops.append(Op(Code.PRCTL, "prctl(PR_SET_KEEPCAPS)", arg=PR_SET_KEEPCAPS, flags=1))
    gids = struct.pack(f"={len(spec.additional_gids)}I", *spec.additional_gids)
    if "user" not in spec.namespaces or spec.additional_gids:
        ops.append(Op(Code.SETGROUPS, f"setgroups({list(spec.additional_gids)})", a=gids))
    ops.append(Op(Code.SETRESGID, f"setresgid({spec.gid})", arg=spec.gid))
    ops.append(Op(Code.SETRESUID, f"setresuid({spec.uid})", arg=spec.uid))
    if spec.uid != 0:
        ops.append(Op(Code.PRCTL, "prctl(PR_SET_KEEPCAPS, 0)", arg=PR_SET_KEEPCAPS, flags=0))
    ops.append(Op(Code.CAPSET, f"capset({','.join(spec.capabilities) or 'none'})", flags=keep))
    if spec.no_new_privileges:
        ops.append(Op(Code.PRCTL, "prctl(PR_SET_NO_NEW_PRIVS)", arg=PR_SET_NO_NEW_PRIVS, flags=1))
    return ops


def payload_ops(spec: ContainerSpec, setup: Setup, *, tty: bool = False) -> list[Op]:
    """The last steps before ``execve``, for a container's first process and
    an exec alike: stdio, close-on-exec for the rest, a new session (with
    ``tty``, stdin -- a terminal -- becomes its controlling terminal), the
    identity (:func:`identity_ops`) and the working directory."""
    ops = [Op(Code.DUP2, f"dup2(stdio {target})", arg=fd, flags=target) for fd, target in zip(setup.stdio, (0, 1, 2))]
    ops.append(Op(Code.CLOEXEC_FROM, "close_range(3.., CLOEXEC)", arg=3))
    ops.append(Op(Code.SETSID, "setsid()"))
    if tty:
        ops.append(Op(Code.SETCTTY, "ioctl(0, TIOCSCTTY): the controlling terminal", arg=0))
    ops += identity_ops(spec, setup)
    ops.append(Op(Code.CHDIR, f"chdir({spec.cwd})", a=spec.cwd.encode()))
    return ops


def exec_path(env: tuple[str, ...]) -> bytes:
    for kv in env:
        if kv.startswith("PATH="):
            return kv[5:].encode()
    return DEFAULT_ENV[0][5:].encode()


def build(spec: ContainerSpec, setup: Setup, *, pause: bool = False) -> Program:
    """The child's program for ``spec``.  ``pause=True`` ends in PAUSE
    instead of EXEC: a pod sandbox that only holds its namespaces."""
    ops: list[Op] = []
    if spec.die_with_parent:
        ops.append(Op(Code.PRCTL, "prctl(PR_SET_PDEATHSIG)", arg=PR_SET_PDEATHSIG, flags=int(signal.SIGKILL)))
    for ns in JOINABLE:
        if ns in setup.ns_fds:
            ops.append(Op(Code.SETNS, f"setns({spec.join_namespaces[ns]})", arg=setup.ns_fds[ns],
                          flags=CLONE_FLAGS[ns]))
    if "user" in spec.namespaces:
        # Born as the host's root, which the maps leave unmapped: become the
        # namespace's root (a mapped host id) before touching any file.
        ops += [Op(Code.WAIT, "wait for the uid/gid maps"),
                Op(Code.SETRESGID, "setresgid(0) in the user namespace", arg=0),
                Op(Code.SETRESUID, "setresuid(0) in the user namespace", arg=0)]
    ops += rootfs_ops(spec, setup)
    if spec.hostname:
        ops.append(Op(Code.SETHOSTNAME, f"sethostname({spec.hostname})", a=spec.hostname.encode()))
    if spec.domainname:
        ops.append(Op(Code.SETDOMAINNAME, f"setdomainname({spec.domainname})", a=spec.domainname.encode()))
    if "net" in spec.namespaces and "net" not in spec.join_namespaces:
        ops.append(Op(Code.LO_UP, "bring up lo"))
    ops.append(Op(Code.WAIT, "wait for start"))
    if "cgroup" in spec.namespaces and "cgroup" not in spec.join_namespaces and not setup.born_in_cgroups:
        ops.append(Op(Code.UNSHARE, "unshare(CLONE_NEWCGROUP)", flags=CLONE_FLAGS["cgroup"]))
    ops += payload_ops(spec, setup)
    if pause:
        ops.append(Op(Code.PAUSE, "pause()"))
        return Program(tuple(ops), (), ())
    ops.append(Op(Code.EXEC, f"exec({spec.command[0]})", a=exec_path(spec.env)))
    return Program(tuple(ops), tuple(a.encode() for a in spec.command), tuple(e.encode() for e in spec.env))


SANDBOX_NAMESPACES = frozenset({"net", "ipc", "uts"})


def build_sandbox(hostname: str | None, namespaces: frozenset[str], last_cap: int) -> Program:
    """A pod sandbox's holder process (Kubernetes' pause container): it only
    owns the namespaces the pod's containers join, in C, with no image, no
    capabilities and no privileges, until it is killed."""
    if not namespaces <= SANDBOX_NAMESPACES:
        raise RuntimeSpecError(f"pod namespaces: only {sorted(SANDBOX_NAMESPACES)} can be shared, "
                               f"not {sorted(namespaces - SANDBOX_NAMESPACES)}")
    if hostname and "uts" not in namespaces:
        raise RuntimeSpecError("hostname: unable to set hostname without a private UTS namespace")
    ops: list[Op] = []
    if hostname:
        ops.append(Op(Code.SETHOSTNAME, f"sethostname({hostname})", a=hostname.encode()))
    if "net" in namespaces:
        ops.append(Op(Code.LO_UP, "bring up lo"))
    ops += [
        Op(Code.WAIT, "wait for start"),
        Op(Code.CLOSE_FROM, "close_range(0..)", arg=0),
        Op(Code.SETSID, "setsid()"),
        Op(Code.DROP_BOUNDING, "drop the bounding set", flags=0, arg=last_cap),
        Op(Code.CAPSET, "capset(none)", flags=0),
        Op(Code.PRCTL, "prctl(PR_SET_NO_NEW_PRIVS)", arg=PR_SET_NO_NEW_PRIVS, flags=1),
        Op(Code.CHDIR, "chdir(/)", a=b"/"),
        Op(Code.PAUSE, "pause()"),
    ]
    return Program(tuple(ops), (), ())



#: the order an exec joins a running container's namespaces (pid is joined by
#: the cloning thread, so the child is born in it); mnt last: it changes the root
EXEC_NAMESPACES = ("ipc", "uts", "net", "cgroup", "mnt")


def build_exec(spec: ContainerSpec, setup: Setup, argv: tuple[str, ...], *, tty: bool = False) -> Program:
    """The program of a process exec'd into a running container (``runc
    exec``): join the container's namespaces (``setup.ns_fds``, opened from
    its init's ``/proc/<pid>/ns``), wait while the parent puts it in the
    container's v1 cgroups, then the container's stdio rules, identity
    (``spec``'s user, groups, capabilities, no_new_privs), working directory
    and ``execve`` of ``argv`` with ``spec.env``.  ``tty`` (``runc exec
    -t``): the stdio is a terminal's slave, made the new session's
    controlling terminal (``setsid`` then ``TIOCSCTTY``)."""
    if not argv:
        raise RuntimeSpecError("exec: the command must not be empty")
    ops: list[Op] = []
    for ns in EXEC_NAMESPACES:
        if ns in setup.ns_fds:
            ops.append(Op(Code.SETNS, f"setns(container {ns} namespace)", arg=setup.ns_fds[ns], flags=CLONE_FLAGS[ns]))
    ops.append(Op(Code.WAIT, "wait for the cgroups"))
    ops += payload_ops(spec, setup, tty=tty)
    ops.append(Op(Code.EXEC, f"exec({argv[0]})", a=exec_path(spec.env)))
    return Program(tuple(ops), tuple(a.encode() for a in argv), tuple(e.encode() for e in spec.env))
