"""A further process in a running container: ``runc exec``, without a helper.

:func:`exec_in` starts ``argv`` in ``container`` the way runc's ``nsexec``
does, through the same spawn kernel as a container's first process (the
child runs only the C program :func:`kubekit.runtime.plan.build_exec`
prepared):

* a short-lived thread joins the container's **pid** namespace (``setns``
  changes only that thread's namespace for children) and clones the child from
  there, so the child is born inside it; on cgroup v2 ``clone3(CLONE_INTO_CGROUP)``
  puts it in the container's cgroup at birth, and the parent writes it to the
  v1 hierarchies' ``cgroup.procs`` while the child waits — so the exec's
  usage counts against the container's limits before it runs a single
  instruction of the payload;
* the child joins the **ipc, uts, net, cgroup and mnt** namespaces of the
  container's init (fds the parent opened from ``/proc/<pid>/ns``; joining
  the mount namespace also gives the container's root and ``/``);
* then the container's user, groups, capabilities (bounding set and
  ``capset``), ``no_new_privs``, working directory and environment, as its
  first process got them (overridable per exec), and ``execve``.

The caller owns the child (a pidfd; :class:`ExecProcess`).  Containers with
a user namespace are refused (their id maps are not joined).

With ``tty=True`` (``runc exec -t``) the process gets a terminal instead of
the given stdio: the parent allocates a pty from the **container's own**
devpts (``/proc/<init>/root/dev/pts/ptmx``, so ``tty`` inside prints the
``/dev/pts/N`` the container sees, as runc's console does; the host's
``/dev/ptmx`` only when that is not possible), unlocks it, takes the slave
with ``TIOCGPTPEER``, sets the window size (``TIOCSWINSZ``) and chowns it
to the exec's user; the child's plan makes the slave its fds 0-2, calls
``setsid()`` and ``ioctl(0, TIOCSCTTY)`` before ``execve``; ``TERM``
defaults to ``xterm`` (as runc and the CRI runtimes set it).  The parent
keeps the master (:attr:`ExecProcess.pty`) and resizes it later
(:meth:`ExecProcess.resize`).  :func:`start_in` is the streaming form: the
parent's ends of pipes, or the pty, on the :class:`ExecProcess`.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import select
import signal
import stat
import struct
import termios
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubekit.errors import ContainerError
from kubekit.runtime import plan
from kubekit.runtime.container import ExitStatus, exit_reason
from kubekit.runtime.ops import read_report

if TYPE_CHECKING:
    from kubekit.runtime.container import Container

__all__ = ["ExecProcess", "ExecResult", "ExecStartError", "exec_in", "open_pty", "run_in", "start_in"]


class ExecStartError(ContainerError):
    """The exec'd process failed before ``execve`` (the step and errno it
    reported: command not found, a bad working directory...)."""

_CHUNK = 65536


class ExecProcess:
    """A process exec'd into a container: ``pid``, ``pidfd``, :meth:`wait`, :meth:`kill`.

    The pidfd stays open as long as the object lives, also once the process
    was reaped (then it just polls readable), so another thread may select
    on it while the container's delete reaps the process; it is closed when
    the object is collected.  ``on_reaped``: called with the object once it
    was reaped (the container drops it from :attr:`Container.execs`)."""

    def __init__(self, pid: int, pidfd: int, cgroup, on_reaped=None) -> None:
        self.pid, self.pidfd, self.cgroup = pid, pidfd, cgroup
        self.exit_status: ExitStatus | None = None
        self.on_reaped = on_reaped
        self._reaping = threading.Lock()    # one wait4 per child, whichever thread asks first
        # The parent's ends (start_in; pty also from exec_in(tty=True)); None: not asked for.
        self.stdin: int | None = None      # write: the process' stdin pipe
        self.stdout: int | None = None     # read: its stdout pipe
        self.stderr: int | None = None     # read: its stderr pipe
        self.pty: int | None = None        # read and write: the terminal's master

    def resize(self, width: int, height: int) -> None:
        """Set the terminal's window size (``TIOCSWINSZ`` on the master; the
        kernel sends the foreground process group SIGWINCH)."""
        if self.pty is not None:
            set_winsize(self.pty, width, height)

    def close_stdin(self) -> None:
        if self.stdin is not None:
            os.close(self.stdin)
            self.stdin = None

    def close_fds(self) -> None:
        """Close every parent end still open (closing the pty's master hangs
        the terminal up: its session gets SIGHUP)."""
        for name in ("stdin", "stdout", "stderr", "pty"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                os.close(fd)

    def wait(self, timeout: float | None = None) -> ExitStatus | None:
        """The exit status (reaping the child); None if it still runs after ``timeout``."""
        if self.exit_status is not None:
            return self.exit_status
        if timeout is not None and self.exit_status is None:
            ready, _, _ = select.select([self.pidfd], [], [], max(timeout, 0))
            if not ready:
                return None
        with self._reaping:
            if self.exit_status is None:
                self._reap()
        return self.exit_status

    def kill_and_reap(self) -> None:
        """SIGKILL the process if it still runs and reap it (the container's
        delete does this for execs nobody waited for)."""
        if self.exit_status is None:
            self.kill()
            self.wait()

    def _reap(self) -> None:
        _, status, ru = os.wait4(self.pid, 0)
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = 128 + sig if sig is not None else os.WEXITSTATUS(status)
        oom = sig == signal.SIGKILL and self.cgroup.oom_kills() > 0
        self.exit_status = ExitStatus(code, sig, exit_reason(code, sig, oom), ru.ru_utime, ru.ru_stime, ru.ru_maxrss)
        # The pidfd stays open: another thread may be selecting on it (__del__ closes it).
        on_reaped, self.on_reaped = self.on_reaped, None
        if on_reaped is not None:
            on_reaped(self)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` unless the process was reaped; a process another
        thread reaps meanwhile is not an error (the pidfd stays valid, the
        kernel answers ESRCH)."""
        if self.exit_status is None and self.pidfd >= 0:
            try:
                signal.pidfd_send_signal(self.pidfd, sig)
            except ProcessLookupError:
                pass

    def __del__(self) -> None:
        pidfd, self.pidfd = getattr(self, "pidfd", -1), -1
        if pidfd >= 0:
            try:
                os.close(pidfd)
            except OSError:
                pass


def _open_namespaces(pid: int, namespaces) -> dict[str, int]:
    fds: dict[str, int] = {}
    try:
        for ns in (*plan.EXEC_NAMESPACES, "pid"):
            if ns in namespaces:
                fds[ns] = os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        for fd in fds.values():
            os.close(fd)
        raise ContainerError(e.errno or 0, f"exec: open /proc/{pid}/ns: {e.strerror}") from None
    return fds


_TIOCSPTLCK = 0x40045431      # _IOW('T', 0x31, int)
_TIOCGPTPEER = 0x5441         # _IO('T', 0x41), Linux 4.13
_WINSIZE = struct.Struct("HHHH")


def set_winsize(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, _WINSIZE.pack(max(0, min(height, 0xFFFF)), max(0, min(width, 0xFFFF)), 0, 0))


def open_pty(container: Container | None) -> tuple[int, int]:
    """``(master, slave)`` of a new terminal, both close-on-exec: from the
    container's own devpts instance when it has one (what ``ttyname`` in the
    container can name), else from the host's ``/dev/ptmx``."""
    flags = os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC
    if container is not None:
        try:
            master = os.open(f"/proc/{container.pid}/root/dev/pts/ptmx", flags | os.O_NOFOLLOW)
        except OSError:
            master = -1
        if master >= 0:
            try:
                st = os.fstat(master)
                if not stat.S_ISCHR(st.st_mode) or st.st_rdev != os.makedev(5, 2):
                    raise OSError(0, "not a ptmx")
                fcntl.ioctl(master, _TIOCSPTLCK, struct.pack("i", 0))
                slave = fcntl.ioctl(master, _TIOCGPTPEER, flags)
                return master, slave
            except OSError:
                os.close(master)
    master, slave = os.openpty()          # non-inheritable: close-on-exec
    return master, slave


def _spawn_in_pid_namespace(program, pid_ns_fd: int | None, cgroup_fd: int | None):
    """Clone from a thread that joined the container's pid namespace."""
    from kubekit._fast import _spawn, _sys

    out: list = [None]

    def run() -> None:
        try:
            if pid_ns_fd is not None:
                _sys.setns(pid_ns_fd, plan.CLONE_FLAGS["pid"])
            out[0] = _spawn.spawn(program, 0, -1 if cgroup_fd is None else cgroup_fd)
        except BaseException as e:   # noqa: BLE001 - handed to the caller's thread
            out[0] = e

    t = threading.Thread(target=run, name="kubekit-exec")
    t.start()
    t.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def exec_in(container: Container, argv, *, env=None, cwd: str | None = None, uid: int | None = None,
            gid: int | None = None, additional_gids=None, stdin: int | None = None, stdout: int | None = None,
            stderr: int | None = None, tty: bool = False, tty_size: tuple[int, int] | None = None) -> ExecProcess:
    """Start ``argv`` inside the running ``container`` (see the module
    docstring); ``None`` stdio is ``/dev/null``.  ``tty``: a new terminal
    is the process' stdio and controlling terminal instead (give no
    stdin/stdout/stderr); its master is ``proc.pty``, its size
    ``tty_size`` = (width, height).  A failure before ``execve`` (command
    not found, a bad working directory) raises ``ContainerError`` naming the
    step."""
    spec = container.spec
    if spec is None or container.status != "running" or container.pidfd < 0:
        raise ContainerError(0, f"container {container.id} is not running")
    if "user" in spec.namespaces:
        raise ContainerError(0, f"container {container.id}: exec into a user namespace is not supported")
    if tty and (stdin, stdout, stderr) != (None, None, None):
        raise ValueError("exec_in: a tty is the process' stdin, stdout and stderr")
    over = {k: v for k, v in (("env", None if env is None else tuple(env)), ("cwd", cwd), ("uid", uid), ("gid", gid),
                              ("additional_gids", None if additional_gids is None else tuple(additional_gids)))
            if v is not None}
    spec = dataclasses.replace(spec, **over)
    if tty and not any(e.startswith("TERM=") for e in spec.env):
        spec = dataclasses.replace(spec, env=(*spec.env, "TERM=xterm"))
    ns_fds = _open_namespaces(container.pid, spec.namespaces)
    opened = list(ns_fds.values())
    proc = None
    master = None
    try:
        signal.pidfd_send_signal(container.pidfd, 0)     # still our container's init: the ns fds are its
        if tty:
            master, slave = open_pty(container)
            opened.append(slave)
            if tty_size is not None:
                set_winsize(master, *tty_size)
            os.fchown(slave, spec.uid, spec.gid)
            stdin = stdout = stderr = slave
        stdio = []
        for fd, mode in ((stdin, os.O_RDONLY), (stdout, os.O_WRONLY), (stderr, os.O_WRONLY)):
            stdio.append(os.open("/dev/null", mode | os.O_CLOEXEC) if fd is None else os.dup(fd))
            opened.append(stdio[-1])
        cgroup_fd = container.cgroup.v2_fd()
        if cgroup_fd is not None:
            opened.append(cgroup_fd)
        setup = plan.Setup(None, {k: v for k, v in ns_fds.items() if k != "pid"},  # type: ignore[arg-type]
                           (stdio[0], stdio[1], stdio[2]), False, container.runtime.last_cap)
        program = plan.build_exec(spec, setup, tuple(argv), tty=tty)
        pid, pidfd, sync_w, report_r, into = _spawn_in_pid_namespace(program, ns_fds.get("pid"), cgroup_fd)
        proc = ExecProcess(pid, pidfd, container.cgroup, on_reaped=container.execs.discard)
        container.execs.add(proc)
        try:
            rec = read_report(report_r)                       # the WAIT before the payload
            if rec is not None and rec[1] == 0:
                container.cgroup.attach(pid, include_v2=not into)
                os.write(sync_w, b"\x01")
                rec = read_report(report_r)                   # EOF: execve succeeded
        finally:
            os.close(sync_w)
            os.close(report_r)
        if rec is not None:
            index, err = rec
            proc.kill()
            proc.wait()
            label = program.ops[index].label if 0 <= index < len(program.ops) else f"step {index}"
            raise ExecStartError(err, f"exec in {container.id}: {label}: {os.strerror(err)}" if err else label)
        proc.pty, master = master, None
        return proc
    except BaseException:
        if proc is not None and proc.exit_status is None:
            proc.kill()
            proc.wait()
        raise
    finally:
        if master is not None:
            os.close(master)
        for fd in opened:
            os.close(fd)


def start_in(container: Container, argv, *, stdin: bool = False, stdout: bool = True, stderr: bool = True,
             tty: bool = False, tty_size: tuple[int, int] | None = None, **kw) -> ExecProcess:
    """:func:`exec_in` for streaming (``kubectl exec`` over a WebSocket): the
    parent's ends of new pipes on ``proc.stdin`` (write), ``proc.stdout``
    and ``proc.stderr`` (read), each only when asked for (else the process
    has ``/dev/null``); with ``tty`` one terminal, ``proc.pty``, for all
    three.  The caller closes them (:meth:`ExecProcess.close_fds`)."""
    if tty:
        return exec_in(container, argv, tty=True, tty_size=tty_size, **kw)
    pipes = {name: os.pipe2(os.O_CLOEXEC) for name, want in (("stdin", stdin), ("stdout", stdout),
                                                               ("stderr", stderr)) if want}
    child = {name: (r if name == "stdin" else w) for name, (r, w) in pipes.items()}
    try:
        proc = exec_in(container, argv, stdin=child.get("stdin"), stdout=child.get("stdout"),
                       stderr=child.get("stderr"), **kw)
    except BaseException:
        for r, w in pipes.values():
            os.close(r)
            os.close(w)
        raise
    for name, (r, w) in pipes.items():
        os.close(child[name])
        setattr(proc, name, w if name == "stdin" else r)
    return proc


@dataclass(frozen=True, slots=True)
class ExecResult:
    code: int               # the exit code, 128 + signal when killed; -1 on a timeout
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


def run_in(container: Container, argv, *, input: bytes = b"", timeout: float | None = None,
           max_output: int = 16 << 20, **kw) -> ExecResult:
    """:func:`exec_in` with pipes: feed ``input``, collect stdout and stderr
    (each cut at ``max_output`` bytes) until the process exits; after
    ``timeout`` seconds it is killed (``timed_out``)."""
    import time

    fds = [os.pipe2(os.O_CLOEXEC) for _ in range(3)]
    (in_r, in_w), (out_r, out_w), (err_r, err_w) = fds
    try:
        proc = exec_in(container, argv, stdin=in_r, stdout=out_w, stderr=err_w, **kw)
    except BaseException:
        for pair in fds:
            for fd in pair:
                os.close(fd)
        raise
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    bufs = {out_r: bytearray(), err_r: bytearray()}
    pending = memoryview(input)
    writers = [in_w] if pending else []
    if not pending:
        os.close(in_w)
    deadline = None if timeout is None else time.monotonic() + timeout
    timed_out = False
    exited = False
    try:
        readers = [out_r, err_r]
        while readers or writers:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                timed_out = True
                break
            # Once the process exited, take only what is already written: a
            # background child may hold the pipes open forever.
            r, w, _ = select.select(readers + ([] if exited else [proc.pidfd]), writers, [], 0 if exited else left)
            if exited and not r:
                break
            if proc.pidfd in r:
                exited = True
                for fd in writers:                             # nobody reads stdin any more
                    os.close(fd)
                writers = []
                r = [fd for fd in r if fd != proc.pidfd]
            for fd in w:
                try:
                    n = os.write(fd, pending[:_CHUNK])
                except BrokenPipeError:
                    n = len(pending)
                pending = pending[n:]
                if not pending:
                    os.close(fd)
                    writers.remove(fd)
            for fd in r:
                data = os.read(fd, _CHUNK)
                if not data:
                    readers.remove(fd)
                elif len(bufs[fd]) < max_output:
                    bufs[fd] += data[:max_output - len(bufs[fd])]
        if timed_out:
            proc.kill()
        status = proc.wait()
    finally:
        for fd in writers:
            os.close(fd)
        os.close(out_r)
        os.close(err_r)
    assert status is not None
    return ExecResult(-1 if timed_out else status.code, bytes(bufs[out_r]), bytes(bufs[err_r]), timed_out)
