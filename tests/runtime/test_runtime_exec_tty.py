"""``exec_in(tty=True)`` / ``start_in``: an exec with a real terminal
(``runc exec -t``), checked against what the kernel reports: the terminal is
one of the container's own devpts (``tty`` names ``/dev/pts/0``), the
process leads a new session whose controlling terminal it is
(``/proc/<pid>/stat`` session and tty_nr, ``/dev/tty`` opens), the window
size comes from ``tty_size`` and ``resize``, ``TERM`` defaults to xterm,
the slave belongs to the exec's user, closing the master hangs the session
up.  The new SETCTTY op is run by the spawn kernel and its Python twin
alike.  Needs root."""

from __future__ import annotations

import errno
import os
import select
import signal
import time

import pytest

from kubekit._fast import _spawn
from kubekit.runtime import ContainerSpec, plan, spawn_twin
from kubekit.runtime.execin import open_pty, run_in, start_in
from kubekit.runtime.ops import Code, Op, Program, read_report

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="exec needs root (namespaces, cgroups)")
GUARD = 30.0


@pytest.fixture
def box(runtime, rootfs):
    spec = ContainerSpec(command=("/bin/sleep", "300"), rootfs=rootfs, hostname="ttybox",
                         env=("PATH=/bin:/usr/bin",), uid=1000, gid=1000)
    c = runtime.create(spec)
    c.start()
    try:
        yield c
    finally:
        c.delete()


@pytest.fixture
def start(box):
    """``start_in`` in ``box``; every process it started is killed, reaped
    and its fds closed before the box goes, even when a test fails (an
    unreaped exec would keep the container's pid namespace from dying)."""
    procs = []

    def run(argv, **kw):
        p = start_in(box, argv, **kw)
        procs.append(p)
        return p
    try:
        yield run
    finally:
        for p in procs:
            try:
                p.kill()
            except ProcessLookupError:
                pass
            p.wait()
            p.close_fds()


def read_all(fd: int) -> bytes:
    """The master's output until the terminal's last slave closed (EIO)."""
    out = bytearray()
    deadline = time.monotonic() + GUARD
    while True:
        if not select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0]:
            raise TimeoutError(f"no end of output: {bytes(out)!r}")
        try:
            data = os.read(fd, 65536)
        except OSError as e:
            assert e.errno == errno.EIO
            return bytes(out)
        if not data:
            return bytes(out)
        out += data


def read_until(fd: int, needle: bytes) -> bytes:
    out = bytearray()
    deadline = time.monotonic() + GUARD
    while needle not in out:
        assert select.select([fd], [], [], max(deadline - time.monotonic(), 0))[0], f"no {needle!r} in {out!r}"
        out += os.read(fd, 65536)
    return bytes(out)


def test_a_tty_exec_gets_a_controlling_terminal_of_the_containers_devpts(start):
    script = ("tty; stty size; echo TERM=$TERM; set -- $(cat /proc/$$/stat); echo pid=$$ sid=$6 tty_nr=$7; "
              "echo via-dev-tty > /dev/tty; stat -c 'owner=%u:%g' $(tty)")
    p = start(["/bin/sh", "-c", script], tty=True, tty_size=(100, 40))
    try:
        assert (p.stdin, p.stdout, p.stderr) == (None, None, None) and p.pty is not None
        lines = read_all(p.pty).decode().split("\r\n")
        status = p.wait()
    finally:
        p.close_fds()
    assert lines[:3] == ["/dev/pts/0", "40 100", "TERM=xterm"]
    pid, sid, tty_nr = (kv.split("=")[1] for kv in lines[3].split())
    assert pid == sid and int(tty_nr) == os.makedev(136, 0)      # session leader; /dev/pts/0 is its ctty
    assert lines[4:6] == ["via-dev-tty", "owner=1000:1000"] and status.code == 0


def test_the_callers_term_is_kept(start):
    p = start(["/bin/sh", "-c", "echo $TERM"], tty=True, env=("PATH=/bin", "TERM=vt100"))
    try:
        assert read_all(p.pty) == b"vt100\r\n"
        p.wait()
    finally:
        p.close_fds()


def test_resize_reaches_an_interactive_shell(start):
    p = start(["/bin/sh"], tty=True, tty_size=(80, 24))
    try:
        os.write(p.pty, b"stty size | sed 's/^/size=/'\n")
        read_until(p.pty, b"size=24 80")
        p.resize(132, 50)
        os.write(p.pty, b"stty size | sed 's/^/size=/'; exit 4\n")
        assert b"size=50 132" in read_all(p.pty)
        assert p.wait().code == 4
    finally:
        p.close_fds()


def test_closing_the_master_hangs_the_session_up(box, start):
    p = start(["/bin/sh"], tty=True)
    try:
        os.write(p.pty, b"echo ready\n")
        read_until(p.pty, b"ready\r\n")
        os.close(p.pty)
        p.pty = None
        status = p.wait(timeout=GUARD)
    finally:
        p.close_fds()
    assert status is not None and status.signal == signal.SIGHUP
    assert box.cgroup.pids() == [box.pid]


def test_start_in_without_a_tty_gives_pipes(start):
    p = start(["/bin/sh", "-c", "cat; echo out; echo err >&2; tty"], stdin=True)
    try:
        assert p.pty is None and None not in (p.stdin, p.stdout, p.stderr)
        os.write(p.stdin, b"fed\n")
        p.close_stdin()
        out, err = read_all(p.stdout), read_all(p.stderr)
        assert p.wait().code == 1                                   # tty: not a tty
    finally:
        p.close_fds()
    assert (out, err) == (b"fed\nout\nnot a tty\n", b"err\n")
    q = start(["/bin/sh", "-c", "cat; echo done"], stdout=True, stderr=False)   # stdin: /dev/null
    try:
        assert (q.stdin, q.stderr) == (None, None) and read_all(q.stdout) == b"done\n"
        q.wait()
    finally:
        q.close_fds()


def test_without_tty_run_in_is_unchanged(box):
    r = run_in(box, ["/bin/sh", "-c", "tty; echo $TERM"])
    assert (r.code, r.stdout) == (0, b"not a tty\n\n")


def test_the_plan_sets_the_controlling_terminal_after_setsid():
    from kubekit.runtime.spec import DEFAULT_ENV

    spec = ContainerSpec(command=("/bin/true",), host_rootfs=True, env=DEFAULT_ENV, uid=1000)
    setup = plan.Setup(None, {}, (5, 5, 5), False, 40)  # type: ignore[arg-type]
    codes = [op.code for op in plan.build_exec(spec, setup, ("/bin/sh",), tty=True).ops]
    at = codes.index(Code.SETSID)
    assert codes[at + 1] == Code.SETCTTY and codes.index(Code.SETRESUID) > at + 1
    assert plan.build_exec(spec, setup, ("/bin/sh",), tty=True).ops[at + 1].arg == 0
    assert Code.SETCTTY not in [op.code for op in plan.build_exec(spec, setup, ("/bin/sh",)).ops]


@pytest.mark.parametrize("engine", [_spawn, spawn_twin], ids=["kernel", "twin"])
def test_setctty_op_in_the_kernel_and_the_twin(engine):
    """Both engines: after SETSID, SETCTTY on fd 0 (a terminal) makes it the
    controlling terminal; on a pipe it fails with ENOTTY at its index."""
    master, slave = open_pty(None)
    r, w = os.pipe()
    children = []
    try:
        prog = Program((Op(Code.DUP2, "stdin", arg=slave, flags=0), Op(Code.DUP2, "fd 3", arg=w, flags=3),
                        Op(Code.SETSID, "setsid"), Op(Code.SETCTTY, "ctty", arg=0),
                        Op(Code.EXEC, "sh", a=b"/usr/bin:/bin")),
                       (b"/bin/sh", b"-c", b"set -- $(cat /proc/$$/stat); echo $$ $6 $7 >&3; echo hi > /dev/tty"),
                       (b"PATH=/usr/bin:/bin",))
        pid, pidfd, sync_w, report_r, _ = engine.spawn(prog, 0)[:5]
        children.append((pid, pidfd))
        os.close(sync_w)
        os.close(w)
        w = -1
        assert read_report(report_r) is None
        os.close(report_r)
        out = b""
        while chunk := os.read(r, 4096):
            out += chunk
        pid_s, sid, tty_nr = out.split()
        assert pid_s == sid and int(tty_nr) == os.fstat(slave).st_rdev
        assert read_until(master, b"hi\r\n").endswith(b"hi\r\n")
        # on a pipe: ENOTTY, reported at the op's index
        bad = Program((Op(Code.DUP2, "stdin", arg=r, flags=0), Op(Code.SETSID, "setsid"),
                       Op(Code.SETCTTY, "ctty", arg=0)), (), ())
        pid2, pidfd2, sync_w2, report_r2, _ = engine.spawn(bad, 0)[:5]
        children.append((pid2, pidfd2))
        os.close(sync_w2)
        assert read_report(report_r2) == (2, errno.ENOTTY)
        os.close(report_r2)
    finally:
        for pid, pidfd in children:
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            os.close(pidfd)
        for fd in (master, slave, r, w):
            if fd >= 0:
                os.close(fd)


def test_delete_reaps_an_exec_nobody_waited_for(runtime, rootfs):
    """A process exec'd into a container and never waited for is a zombie
    once killed, and a zombie keeps the cgroup populated: the container's
    delete kills and reaps it instead of waiting forever."""
    import threading

    c = runtime.create(ContainerSpec(command=("/bin/sleep", "300"), rootfs=rootfs, env=("PATH=/bin:/usr/bin",)))
    c.start()
    proc = start_in(c, ["/bin/sleep", "300"])
    done = threading.Event()
    t = threading.Thread(target=lambda: (c.delete(), done.set()), daemon=True)
    t.start()
    try:
        assert done.wait(GUARD), "delete hung on the unreaped exec"
        assert proc.exit_status is not None and proc.exit_status.signal == signal.SIGKILL
    finally:
        if not done.is_set():                  # never leave the container behind
            proc.kill_and_reap()
            t.join(GUARD)
        proc.close_fds()


def test_delete_reaps_an_exec_its_caller_dropped(runtime, rootfs):
    """The container keeps its execs until they are reaped, not only while
    their caller holds them: a dropped ExecProcess is still a child to reap
    (and leaves the container's set once reaped)."""
    import gc
    import threading

    from kubekit.runtime.execin import exec_in

    c = runtime.create(ContainerSpec(command=("/bin/sleep", "300"), rootfs=rootfs, env=("PATH=/bin:/usr/bin",)))
    c.start()
    pid = exec_in(c, ["/bin/sleep", "300"]).pid       # the ExecProcess is dropped at once
    gc.collect()
    done = threading.Event()
    t = threading.Thread(target=lambda: (c.delete(), done.set()), daemon=True)
    t.start()
    try:
        assert done.wait(GUARD), "delete hung on the dropped exec"
        assert not c.execs
    finally:
        if not done.is_set():                  # never leave the container behind: reap the zombie ourselves
            try:
                os.kill(pid, signal.SIGKILL)   # our unreaped child: its pid cannot have been reused
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            t.join(GUARD)


def test_a_reaped_exec_leaves_the_containers_set(box):
    from kubekit.runtime.execin import exec_in

    proc = exec_in(box, ["/bin/true"])
    assert proc in box.execs
    assert proc.wait(GUARD) is not None and proc.exit_status.code == 0
    assert proc not in box.execs
    assert proc.pidfd >= 0                      # still open: another thread may be selecting on it
    proc.kill()                                 # reaped: nothing to do, no error


class _NoCgroup:
    def oom_kills(self) -> int:
        return 0


def test_kill_and_reap_races_wait_without_errors():
    """``kill_and_reap`` (the container's delete) while another thread waits
    for the same process: whichever reaps, the other sees the status; the
    kill of a process reaped meanwhile is no error."""
    import subprocess
    import threading

    from kubekit.runtime.execin import ExecProcess

    errors = []
    for _ in range(100):
        p = subprocess.Popen(["/bin/true"])
        proc = ExecProcess(p.pid, os.pidfd_open(p.pid), _NoCgroup())
        p.returncode = 0                        # the ExecProcess reaps it, not Popen
        barrier = threading.Barrier(2)

        def run(f):
            barrier.wait()
            try:
                f()
            except Exception as e:              # noqa: BLE001 - collected for the assertion
                errors.append(repr(e))
        ts = [threading.Thread(target=run, args=(f,)) for f in (proc.wait, proc.kill_and_reap)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(GUARD)
        assert proc.exit_status is not None
    assert errors == []


def test_select_on_the_pidfd_while_another_thread_reaps():
    """The pidfd stays valid (and readable) once another thread reaped the
    process, so a stream pumping it can select on it meanwhile."""
    import subprocess

    from kubekit.runtime.execin import ExecProcess

    p = subprocess.Popen(["/bin/sleep", "100"])
    proc = ExecProcess(p.pid, os.pidfd_open(p.pid), _NoCgroup())
    p.returncode = 0
    pidfd = proc.pidfd
    assert select.select([pidfd], [], [], 0)[0] == []
    proc.kill_and_reap()
    assert proc.exit_status.signal == signal.SIGKILL
    assert proc.pidfd == pidfd and select.select([proc.pidfd], [], [], GUARD)[0] == [pidfd]
    del proc
    import gc
    gc.collect()
    with pytest.raises(OSError):                 # closed with the object
        os.fstat(pidfd)
