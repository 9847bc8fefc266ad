"""The child's program: the steps a new container's first process runs in C.

Between ``clone`` and ``execve`` the child may run only C that the parent
prepared (STYLE: "after fork, the child runs only C").  The parent therefore
compiles a :class:`~kubekit.runtime.spec.ContainerSpec` into a flat list of
:class:`Op` records (see :mod:`kubekit.runtime.plan`); the Cython kernel
``kubekit._fast._spawn`` executes them in order, and a plain-Python twin
(:mod:`kubekit.runtime.spawn_twin`) executes the same list in a forked child
so tests can compare the two.

Every op has a ``label`` naming the step and its path, e.g.
``pivot_root(/var/lib/kubekit/containers/abc/rootfs)``.  When an op fails
the child writes ``(index, errno)`` to the report pipe and ``_exit(127)``s; the
parent raises :class:`~kubekit.errors.ContainerError` with that label.

Operands: ``a``..``d`` are byte strings (paths, fs types, data), ``flags`` and
``arg`` are integers.  ``ignore_errno`` (when non-zero) turns a failure with
that errno into a silent skip.

Semantics of each code (the kernel and the twin implement exactly this):

===============  ================================================================
WAIT             announce "(index, 0)" on the report pipe, then read one byte
                 from the sync pipe; EOF (the parent gave up) is a failure with
                 errno ECANCELED.  The parent uses the announcements to know
                 the child reached a sync point (uid maps wanted, ready to exec)
MOUNT            ``mount(a or NULL, b, c or NULL, flags, d or NULL)`` (empty = NULL)
UMOUNT2          ``umount2(a, flags)``
MKDIR            ``mkdir(a, arg)``; EEXIST is success
MKNOD            ``mknod(a, arg, flags)`` (flags = the dev_t) under umask 0;
                 EEXIST is success
SYMLINK          ``symlink(a, b)``; EEXIST is success
TOUCH            create regular file ``a`` if missing (mode 0644)
CHDIR            ``chdir(a)``
PIVOT_ROOT       ``pivot_root(a, b)``
CHROOT           ``chroot(a)``
SETNS            ``setns(arg, flags)``: arg is an fd the parent opened
UNSHARE          ``unshare(flags)``
SETHOSTNAME      ``sethostname(a)``
SETDOMAINNAME    ``setdomainname(a)``
LO_UP            bring the loopback interface ``lo`` up (SIOCSIFFLAGS)
MASK             ``a`` missing: skip; a directory: read-only tmpfs over it;
                 otherwise bind ``/dev/null`` over it
READONLY         bind-mount ``a`` onto itself (recursively) and remount it
                 read-only, keeping its nosuid/nodev/noexec flags
PRCTL            ``prctl(arg, flags, 0, 0, 0)``
DROP_BOUNDING    for every capability 0..arg not in the 64-bit mask ``flags``:
                 ``prctl(PR_CAPBSET_DROP, cap)``
SETGROUPS        ``setgroups`` with ``a`` = packed native ``gid_t`` array
SETRESGID        ``setresgid(arg, arg, arg)``
SETRESUID        ``setresuid(arg, arg, arg)``
CAPSET           effective = permitted = mask ``flags``, inheritable = 0
                 (as Docker since CVE-2022-24769)
WRITE_FILE       open ``a`` write-only, write ``b``
CLOEXEC_FROM     mark every fd >= arg close-on-exec (close_range)
DUP2             ``dup2(arg, flags)``
SETSID           ``setsid()``
EXEC             ``execve`` of the prepared argv/envp; when argv[0] has no
                 ``/`` it is searched in ``a`` (a PATH string), as execvp does
PAUSE            sleep forever (``pause()``); a pod sandbox's holder process
CLOSE_FROM       close every fd >= arg (close_range); a PAUSE program drops the
                 caller's fds this way, and the parent sees EOF on the report pipe
SETCTTY          ``ioctl(arg, TIOCSCTTY, 0)``: make the terminal on fd ``arg``
                 the controlling terminal of the session (after SETSID); an
                 exec with a tty (``runc exec -t``)
===============  ================================================================
"""

from __future__ import annotations

import enum
import errno
import os
import struct
from dataclasses import dataclass

from kubekit.errors import ContainerError

# What the child writes on the report pipe: (op index, errno).
REPORT = struct.Struct("=ii")


class Code(enum.IntEnum):
    WAIT = 1
    MOUNT = 2
    UMOUNT2 = 3
    MKDIR = 4
    MKNOD = 5
    SYMLINK = 6
    TOUCH = 7
    CHDIR = 8
    PIVOT_ROOT = 9
    CHROOT = 10
    SETNS = 11
    UNSHARE = 12
    SETHOSTNAME = 13
    SETDOMAINNAME = 14
    LO_UP = 15
    MASK = 16
    READONLY = 17
    PRCTL = 18
    DROP_BOUNDING = 19
    SETGROUPS = 20
    SETRESGID = 21
    SETRESUID = 22
    CAPSET = 23
    WRITE_FILE = 24
    CLOEXEC_FROM = 25
    DUP2 = 26
    SETSID = 27
    EXEC = 28
    PAUSE = 29
    CLOSE_FROM = 30
    SETCTTY = 31


@dataclass(frozen=True, slots=True)
class Op:
    code: Code
    label: str
    a: bytes = b""
    b: bytes = b""
    c: bytes = b""
    d: bytes = b""
    flags: int = 0
    arg: int = 0
    ignore_errno: int = 0


@dataclass(frozen=True, slots=True)
class Program:
    """Everything the child needs: the ops, and argv/envp for EXEC."""

    ops: tuple[Op, ...]
    argv: tuple[bytes, ...]
    envp: tuple[bytes, ...]


def read_report(report_r: int) -> tuple[int, int] | None:
    """The child's ``(op index, errno)``, or None at EOF (the child exec'd, or
    exited without failing).  A child parked in PAUSE keeps the pipe open, so
    this blocks until it dies."""
    data = b""
    while len(data) < REPORT.size:
        chunk = os.read(report_r, REPORT.size - len(data))
        if not chunk:
            break
        data += chunk
    if not data:
        return None
    if len(data) != REPORT.size:
        raise ContainerError(errno.EIO, f"short report from the container's child: {data!r}")
    index, err = REPORT.unpack(data)
    return index, err
