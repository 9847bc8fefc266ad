"""The plain-Python twin of the spawn kernel (``kubekit._fast._spawn``).

``spawn(program, clone_flags, cgroup_fd)`` forks a child with clone3 that runs
``program.ops`` (:mod:`kubekit.runtime.ops`) in order, here with ``os.*`` and
``_sys.*`` calls instead of C.  It is the readable statement of what each op
does; tests run the same programs through both engines and compare.

The protocol both engines share:

* two O_CLOEXEC pipes: *sync* (parent writes, the child's WAIT reads one
  byte) and *report* (the child writes, the parent reads);
* the parent blocks every signal across the clone, so no handler of the
  parent runs in the child; the child resets every disposition to SIG_DFL and
  unblocks everything before its first op;
* WAIT announces ``(i, 0)`` on the report pipe before it blocks, so the
  parent knows the child reached that sync point;
* when op ``i`` fails with an errno (other than its ``ignore_errno``), the
  child writes ``struct.pack("=ii", i, errno)`` to the report pipe and
  ``_exit(127)``s.  An EXEC that succeeds closes the report pipe (it is
  O_CLOEXEC), so the parent reads EOF: see :func:`read_report`;
* a program that ends without EXEC or PAUSE ``_exit(0)``s.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
import stat
import struct
import termios
from collections.abc import Callable
from typing import NamedTuple, NoReturn

from kubekit._fast import _sys
from kubekit.runtime.ops import REPORT, Code, Op, Program


_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_IFREQ = struct.Struct("16sh22x")  # struct ifreq: name, ifr_flags, rest of the union


class Spawned(NamedTuple):
    pid: int
    pidfd: int
    sync_w: int
    report_r: int
    into_cgroup: bool  # the child was born in cgroup_fd (CLONE_INTO_CGROUP)


def spawn(program: Program, clone_flags: int, cgroup_fd: int = -1) -> Spawned:
    """Clone a child that runs ``program``; the caller owns every returned fd."""
    _check(program)
    sync_r, sync_w = os.pipe2(os.O_CLOEXEC)
    report_r, report_w = os.pipe2(os.O_CLOEXEC)
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        pid, pidfd = _sys.clone3(clone_flags, cgroup_fd)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        for fd in (sync_r, sync_w, report_r, report_w):
            os.close(fd)
        raise
    if pid == 0:
        _child(program, sync_r, sync_w, report_r, report_w)
    signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    os.close(sync_r)
    os.close(report_w)
    return Spawned(pid, pidfd, sync_w, report_r, cgroup_fd >= 0)


def _check(program: Program) -> None:
    """What the kernel refuses before cloning (it builds C strings)."""
    if not program.argv and any(op.code == Code.EXEC for op in program.ops):
        raise ValueError("EXEC needs a non-empty argv")
    # SETGROUPS carries a binary gid array in a, WRITE_FILE binary content in b.
    strings = [x for op in program.ops for x in (
        op.a if op.code != Code.SETGROUPS else b"", op.b if op.code != Code.WRITE_FILE else b"", op.c, op.d)]
    for s in (*program.argv, *program.envp, *strings):
        if b"\0" in s:
            raise ValueError(f"embedded NUL byte in {s!r}")


# --- the child -------------------------------------------------------------------------

class _Ctx(NamedTuple):
    """What an op may need besides its operands."""

    program: Program
    op_index: int  # of the op being run
    sync_r: int
    report_w: int


def _child(program: Program, sync_r: int, sync_w: int, report_r: int, report_w: int) -> NoReturn:
    try:
        os.close(sync_w)
        os.close(report_r)
        for sig in signal.valid_signals():
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                try:
                    signal.signal(sig, signal.SIG_DFL)
                except (OSError, ValueError):
                    pass
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        for index, op in enumerate(program.ops):
            try:
                OPS[op.code](op, _Ctx(program, index, sync_r, report_w))
            except OSError as e:
                if op.ignore_errno and e.errno == op.ignore_errno:
                    continue
                _fail(report_w, index, e.errno or errno.EINVAL)
            except BaseException:  # noqa: BLE001 - any non-OSError failure is reported as EINVAL
                _fail(report_w, index, errno.EINVAL)
        os._exit(0)
    finally:
        os._exit(127)


def _fail(report_w: int, index: int, err: int) -> NoReturn:
    try:
        os.write(report_w, REPORT.pack(index, err))
    finally:
        os._exit(127)


# --- the ops: each does exactly what the ops.py docstring says -----------------------------

def _wait(op: Op, ctx: _Ctx) -> None:
    os.write(ctx.report_w, REPORT.pack(ctx.op_index, 0))  # "reached this sync point"
    if not os.read(ctx.sync_r, 1):
        raise OSError(errno.ECANCELED, os.strerror(errno.ECANCELED))


def _mount(op: Op, ctx: _Ctx) -> None:
    _sys.mount(op.a or None, op.b, op.c or None, op.flags, op.d or None)


def _umount2(op: Op, ctx: _Ctx) -> None:
    _sys.umount2(op.a, op.flags)


def _exists_ok(fn: Callable[[], object]) -> None:
    try:
        fn()
    except FileExistsError:
        pass


def _mkdir(op: Op, ctx: _Ctx) -> None:
    _exists_ok(lambda: os.mkdir(op.a, op.arg))


def _mknod(op: Op, ctx: _Ctx) -> None:
    old = os.umask(0)  # the node gets exactly mode `arg`
    try:
        _exists_ok(lambda: os.mknod(op.a, op.arg, op.flags))
    finally:
        os.umask(old)


def _symlink(op: Op, ctx: _Ctx) -> None:
    _exists_ok(lambda: os.symlink(op.a, op.b))


def _touch(op: Op, ctx: _Ctx) -> None:
    _exists_ok(lambda: os.close(os.open(op.a, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)))


def _chdir(op: Op, ctx: _Ctx) -> None:
    os.chdir(op.a)


def _pivot_root(op: Op, ctx: _Ctx) -> None:
    _sys.pivot_root(op.a, op.b)


def _chroot(op: Op, ctx: _Ctx) -> None:
    os.chroot(op.a)


def _setns(op: Op, ctx: _Ctx) -> None:
    _sys.setns(op.arg, op.flags)


def _unshare(op: Op, ctx: _Ctx) -> None:
    _sys.unshare(op.flags)


def _sethostname(op: Op, ctx: _Ctx) -> None:
    _sys.sethostname(op.a)


def _setdomainname(op: Op, ctx: _Ctx) -> None:
    _sys.setdomainname(op.a)


def _lo_up(op: Op, ctx: _Ctx) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        _name, flags = _IFREQ.unpack(fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, _IFREQ.pack(b"lo", 0)))
        fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, _IFREQ.pack(b"lo", flags | _IFF_UP))


def _mask(op: Op, ctx: _Ctx) -> None:
    try:
        st = os.stat(op.a)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        _sys.mount(b"tmpfs", op.a, b"tmpfs", _sys.MS_RDONLY)
    else:
        _sys.mount(b"/dev/null", op.a, None, _sys.MS_BIND)


# statvfs flag -> mount flag a read-only remount must keep (the kernel refuses to
# clear a locked one).  The atime flags are kept too, like the kernel's op.
_KEPT_FLAGS = (
    (os.ST_NOSUID, _sys.MS_NOSUID), (os.ST_NODEV, _sys.MS_NODEV), (os.ST_NOEXEC, _sys.MS_NOEXEC),
    (os.ST_NOATIME, _sys.MS_NOATIME), (os.ST_NODIRATIME, _sys.MS_NODIRATIME), (os.ST_RELATIME, _sys.MS_RELATIME),
)


def _readonly(op: Op, ctx: _Ctx) -> None:
    _sys.mount(op.a, op.a, None, _sys.MS_BIND | _sys.MS_REC)
    f_flag = os.statvfs(op.a).f_flag
    kept = 0
    for st_flag, ms_flag in _KEPT_FLAGS:
        if f_flag & st_flag:
            kept |= ms_flag
    _sys.mount(op.a, op.a, None, _sys.MS_BIND | _sys.MS_REMOUNT | _sys.MS_RDONLY | kept)


def _prctl(op: Op, ctx: _Ctx) -> None:
    _sys.prctl(op.arg, op.flags)


def _drop_bounding(op: Op, ctx: _Ctx) -> None:
    for cap in range(op.arg + 1):
        if not (op.flags >> cap) & 1:
            try:
                _sys.cap_bound_drop(cap)
            except OSError as e:
                if e.errno != errno.EINVAL:  # a capability this kernel does not have
                    raise


def _setgroups(op: Op, ctx: _Ctx) -> None:
    n = len(op.a) // 4  # gid_t is 4 bytes; a trailing partial entry is ignored, as in C
    os.setgroups(list(struct.unpack(f"={n}I", op.a[: 4 * n])))


def _setresgid(op: Op, ctx: _Ctx) -> None:
    os.setresgid(op.arg, op.arg, op.arg)


def _setresuid(op: Op, ctx: _Ctx) -> None:
    os.setresuid(op.arg, op.arg, op.arg)


def _capset(op: Op, ctx: _Ctx) -> None:
    _sys.capset(op.flags, op.flags, 0)


def _write_file(op: Op, ctx: _Ctx) -> None:
    fd = os.open(op.a, os.O_WRONLY | os.O_CLOEXEC)
    try:
        view = memoryview(op.b)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _cloexec_from(op: Op, ctx: _Ctx) -> None:
    _sys.close_range(op.arg, 0xFFFFFFFF, _sys.CLOSE_RANGE_CLOEXEC)


def _dup2(op: Op, ctx: _Ctx) -> None:
    os.dup2(op.arg, op.flags)  # inheritable, as dup2(2) leaves the new fd


def _setsid(op: Op, ctx: _Ctx) -> None:
    os.setsid()


def _exec(op: Op, ctx: _Ctx) -> None:
    argv = list(ctx.program.argv)
    # os.execve takes a mapping; an envp entry without "=" cannot be passed.
    env = dict(entry.split(b"=", 1) for entry in ctx.program.envp if b"=" in entry)
    name = argv[0]
    if b"/" in name:
        os.execve(name, argv, env)
    if not name:
        raise OSError(errno.ENOENT, os.strerror(errno.ENOENT))
    first_error: OSError | None = None
    for directory in op.a.split(b":"):  # execvp: an empty entry is the cwd
        try:
            os.execve((directory or b".") + b"/" + name, argv, env)
        except OSError as e:
            if e.errno not in (errno.ENOENT, errno.ENOTDIR) and first_error is None:
                first_error = e
    raise first_error or OSError(errno.ENOENT, os.strerror(errno.ENOENT))


def _close_from(op: Op, ctx: _Ctx) -> None:
    _sys.close_range(op.arg, 0xFFFFFFFF, 0)


def _setctty(op: Op, ctx: _Ctx) -> None:
    fcntl.ioctl(op.arg, termios.TIOCSCTTY, 0)


def _pause(op: Op, ctx: _Ctx) -> None:
    while True:
        signal.pause()


OPS: dict[Code, Callable[[Op, _Ctx], None]] = {
    Code.WAIT: _wait,
    Code.MOUNT: _mount,
    Code.UMOUNT2: _umount2,
    Code.MKDIR: _mkdir,
    Code.MKNOD: _mknod,
    Code.SYMLINK: _symlink,
    Code.TOUCH: _touch,
    Code.CHDIR: _chdir,
    Code.PIVOT_ROOT: _pivot_root,
    Code.CHROOT: _chroot,
    Code.SETNS: _setns,
    Code.UNSHARE: _unshare,
    Code.SETHOSTNAME: _sethostname,
    Code.SETDOMAINNAME: _setdomainname,
    Code.LO_UP: _lo_up,
    Code.MASK: _mask,
    Code.READONLY: _readonly,
    Code.PRCTL: _prctl,
    Code.DROP_BOUNDING: _drop_bounding,
    Code.SETGROUPS: _setgroups,
    Code.SETRESGID: _setresgid,
    Code.SETRESUID: _setresuid,
    Code.CAPSET: _capset,
    Code.WRITE_FILE: _write_file,
    Code.CLOEXEC_FROM: _cloexec_from,
    Code.DUP2: _dup2,
    Code.SETSID: _setsid,
    Code.EXEC: _exec,
    Code.PAUSE: _pause,
    Code.CLOSE_FROM: _close_from,
    Code.SETCTTY: _setctty,
}
assert set(OPS) == set(Code)
