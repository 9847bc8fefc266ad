"""The plain-Python spawn twin (kubekit/runtime/spawn_twin.py) in real
namespaces, as root.  Each program ends by exec'ing /bin/sh, which writes what
the payload sees to fd 3 (a pipe back to the test); the kernel is the oracle.
Every test kills and reaps its children and closes its fds, even on failure."""

from __future__ import annotations

import errno
import os
import select
import signal
import stat
import struct
import time
import uuid

import pytest

from kubekit._fast import _sys
from kubekit.runtime.cgroups import files as cgroup_files
from kubekit.errors import ContainerError
from kubekit.runtime import caps, spawn_twin
from kubekit.runtime.ops import Code, Op, Program, read_report

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

SH = b"/bin/sh"
ENV = (b"PATH=/usr/sbin:/usr/bin:/sbin:/bin", b"LC_ALL=C")
PRIVATE = Op(Code.MOUNT, "make / rprivate", b=b"/", flags=_sys.MS_REC | _sys.MS_PRIVATE)
CONTAINER_NS = _sys.CLONE_NEWUTS | _sys.CLONE_NEWPID | _sys.CLONE_NEWNS | _sys.CLONE_NEWNET | _sys.CLONE_NEWIPC
PR_SET_NO_NEW_PRIVS = 38


def ns_inode(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


class Runner:
    """Spawns through the twin and cleans up whatever a test leaves."""

    def __init__(self) -> None:
        self.children: list[spawn_twin.Spawned] = []
        self.fds: list[int] = []

    def pipe(self) -> tuple[int, int]:
        r, w = os.pipe()
        self.fds += [r, w]
        return r, w

    def close(self, fd: int) -> None:
        if fd in self.fds:
            self.fds.remove(fd)
            os.close(fd)

    def spawn(self, ops, argv=(), flags: int = 0, cgroup_fd: int = -1) -> spawn_twin.Spawned:
        s = spawn_twin.spawn(Program(tuple(ops), tuple(argv), ENV), flags, cgroup_fd)
        self.children.append(s)
        self.fds += [s.pidfd, s.sync_w, s.report_r]
        return s

    def run(self, ops, script: str | None = None, flags: int = 0, argv=None):
        """Run ops (then DUP2 to fd 3 and EXEC ``sh -c script`` if given);
        return (fd-3 output, report, (pid, si_code, si_status))."""
        r, w = self.pipe()
        ops = list(ops)
        if script is not None:
            ops += [Op(Code.DUP2, "fd 3", arg=w, flags=3), Op(Code.EXEC, "exec", a=b"/usr/bin:/bin")]
            argv = (SH, b"-c", script.encode())
        s = self.spawn(ops, argv or (), flags)
        self.close(w)
        out = read_all(r)
        report = read_report(s.report_r)
        return out.decode(), report, self.wait(s)

    def wait(self, s: spawn_twin.Spawned, timeout: float = 30.0):
        if not select.select([s.pidfd], [], [], timeout)[0]:
            raise TimeoutError(f"child {s.pid} did not exit")
        return _sys.waitid_pidfd(s.pidfd)

    def cleanup(self) -> None:
        """Kill and reap every child, close every fd; safe to call twice."""
        children, self.children = self.children, []
        fds, self.fds = self.fds, []
        for s in children:
            try:
                _sys.pidfd_send_signal(s.pidfd, signal.SIGKILL)
            except OSError:
                pass
            try:
                _sys.waitid_pidfd(s.pidfd)
            except OSError:
                pass
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def runner():
    r = Runner()
    try:
        yield r
    finally:
        r.cleanup()


def read_all(fd: int, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("no EOF from the child")
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def fields(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


EXITED_0 = _sys.CLD_EXITED, 0


# --- a container-like start ---------------------------------------------------------------

def test_namespaces_hostname_lo_and_pid_1(runner):
    script = r"""{
echo hostname=$(cat /proc/sys/kernel/hostname)
echo domainname=$(cat /proc/sys/kernel/domainname)
echo pid=$$
echo ppid=$(awk '/^PPid/{print $2}' /proc/1/status)
echo links=$(ls /sys/class/net)
echo lo_flags=$(cat /sys/class/net/lo/flags)
for ns in uts pid mnt net ipc; do echo ns_$ns=$(stat -L -c %i /proc/self/ns/$ns); done
} >&3"""
    ops = [
        PRIVATE,
        Op(Code.SETHOSTNAME, "sethostname", a=b"kk-twin"),
        Op(Code.SETDOMAINNAME, "setdomainname", a=b"twin.example"),
        Op(Code.LO_UP, "lo up"),
        Op(Code.MOUNT, "proc", a=b"proc", b=b"/proc", c=b"proc",
           flags=_sys.MS_NOSUID | _sys.MS_NODEV | _sys.MS_NOEXEC),
        Op(Code.MOUNT, "sysfs", a=b"sysfs", b=b"/sys", c=b"sysfs",
           flags=_sys.MS_NOSUID | _sys.MS_NODEV | _sys.MS_NOEXEC | _sys.MS_RDONLY),
    ]
    out, report, (_pid, code, status) = runner.run(ops, script, CONTAINER_NS)
    assert report is None and (code, status) == EXITED_0
    got = fields(out)
    assert got["hostname"] == "kk-twin" and got["domainname"] == "twin.example"
    assert got["pid"] == "1" and got["ppid"] == "0"
    assert got["links"] == "lo"
    assert int(got["lo_flags"], 16) & 0x1  # IFF_UP
    for ns in ("uts", "pid", "mnt", "net", "ipc"):
        assert int(got[f"ns_{ns}"]) != ns_inode(ns), ns
    with open("/proc/sys/kernel/hostname") as f:
        assert f.read().strip() != "kk-twin"


# --- failure reports -------------------------------------------------------------------------

def test_failing_op_reports_its_index_and_errno(runner, tmp_path):
    ops = [PRIVATE, Op(Code.SETHOSTNAME, "sethostname", a=b"kk"),
           Op(Code.MKDIR, "mkdir", a=str(tmp_path / "missing" / "sub").encode(), arg=0o755),
           Op(Code.EXEC, "exec", a=b"/bin")]
    out, report, (_pid, code, status) = runner.run(ops, flags=_sys.CLONE_NEWNS | _sys.CLONE_NEWUTS, argv=(b"true",))
    assert report == (2, errno.ENOENT)
    assert (code, status) == (_sys.CLD_EXITED, 127)
    assert out == ""


def test_ignore_errno_skips_and_eexist_is_success(runner, tmp_path):
    existing = str(tmp_path).encode()
    ops = [Op(Code.MKDIR, "mkdir", a=str(tmp_path / "missing" / "sub").encode(), arg=0o755, ignore_errno=errno.ENOENT),
           Op(Code.MKDIR, "mkdir existing", a=existing, arg=0o755),
           Op(Code.SYMLINK, "symlink", a=b"target", b=existing),
           Op(Code.TOUCH, "touch existing", a=existing)]
    out, report, (_, code, status) = runner.run(ops, "echo ok >&3")
    assert (out, report, code, status) == ("ok\n", None, *EXITED_0)


def test_a_program_without_exec_exits_0(runner, tmp_path):
    target = tmp_path / "made"
    _, report, (_, code, status) = runner.run([Op(Code.MKDIR, "mkdir", a=str(target).encode(), arg=0o700)])
    assert report is None and (code, status) == EXITED_0
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_unknown_op_code_reports_einval(runner):
    _, report, (_, code, status) = runner.run([Op(99, "bogus")])  # type: ignore[arg-type]
    assert report == (0, errno.EINVAL) and (code, status) == (_sys.CLD_EXITED, 127)


def test_bad_programs_are_refused_before_cloning(runner):
    with pytest.raises(ValueError, match="argv"):
        runner.spawn([Op(Code.EXEC, "exec")])
    with pytest.raises(ValueError, match="NUL"):
        runner.spawn([Op(Code.MKDIR, "mkdir", a=b"/tmp/a\0b")])
    assert runner.children == []


def test_clone_failure_closes_everything_and_restores_the_mask(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    before = sorted(os.listdir("/proc/self/fd"))
    try:
        with pytest.raises(OSError) as info:
            spawn_twin.spawn(Program((), (), ()), 0, fd)  # not a cgroup v2 directory
    finally:
        after = sorted(os.listdir("/proc/self/fd"))
        os.close(fd)
    assert info.value.errno == errno.EBADF and info.value.filename == "clone3"
    assert after == before
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


# --- WAIT / PAUSE / signals -------------------------------------------------------------------

def test_wait_announces_itself_and_blocks_until_the_parent_writes(runner):
    s = runner.spawn([Op(Code.SETSID, "setsid"), Op(Code.WAIT, "wait"), Op(Code.WAIT, "wait again"),
                      Op(Code.EXEC, "exec")], (SH, b"-c", b"exit 7"))
    assert read_report(s.report_r) == (1, 0)  # reached op 1
    time.sleep(0.05)
    assert _sys.waitid_pidfd(s.pidfd, _sys.WEXITED | _sys.WNOHANG) is None
    os.write(s.sync_w, b"\0")
    assert read_report(s.report_r) == (2, 0)
    os.write(s.sync_w, b"\0")
    assert read_report(s.report_r) is None  # exec'd
    assert runner.wait(s)[1:] == (_sys.CLD_EXITED, 7)


def test_wait_reports_ecanceled_when_the_parent_gives_up(runner):
    s = runner.spawn([Op(Code.WAIT, "wait"), Op(Code.EXEC, "exec")], (SH, b"-c", b"exit 7"))
    assert read_report(s.report_r) == (0, 0)
    runner.close(s.sync_w)
    assert read_report(s.report_r) == (0, errno.ECANCELED)
    assert runner.wait(s)[1:] == (_sys.CLD_EXITED, 127)


def test_signal_dispositions_and_mask_are_reset_in_the_child(runner):
    # Python ignores SIGPIPE; the twin blocks everything across the clone.
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    out, report, _ = runner.run([], "grep -E '^Sig(Blk|Ign)' /proc/self/status >&3")
    assert report is None
    assert out.split() == ["SigBlk:", "0000000000000000", "SigIgn:", "0000000000000000"]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask


def test_pause_holds_and_dies_of_sigint_with_the_default_action(runner):
    # Python's SIGINT handler would raise KeyboardInterrupt; reset to SIG_DFL it kills.
    s = runner.spawn([Op(Code.SETHOSTNAME, "sethostname", a=b"kk-paused"), Op(Code.PAUSE, "pause")],
                     flags=_sys.CLONE_NEWUTS)
    time.sleep(0.1)
    assert _sys.waitid_pidfd(s.pidfd, _sys.WEXITED | _sys.WNOHANG) is None
    _sys.pidfd_send_signal(s.pidfd, signal.SIGINT)
    assert runner.wait(s)[1:] == (_sys.CLD_KILLED, signal.SIGINT)


# --- namespaces by op --------------------------------------------------------------------------

def test_setns_op_joins_a_paused_holders_uts_namespace(runner):
    holder = runner.spawn([Op(Code.SETHOSTNAME, "sethostname", a=b"kk-holder"), Op(Code.WAIT, "ready"),
                           Op(Code.PAUSE, "pause")], flags=_sys.CLONE_NEWUTS)
    assert read_report(holder.report_r) == (1, 0)  # the hostname is set
    nsfd = os.open(f"/proc/{holder.pid}/ns/uts", os.O_RDONLY | os.O_CLOEXEC)
    runner.fds.append(nsfd)
    out, report, _ = runner.run([Op(Code.SETNS, "setns uts", arg=nsfd, flags=_sys.CLONE_NEWUTS)],
                                "cat /proc/sys/kernel/hostname >&3; stat -L -c %i /proc/self/ns/uts >&3")
    assert report is None
    assert out.split() == ["kk-holder", str(ns_inode("uts", holder.pid))]


def test_unshare_op(runner):
    out, report, _ = runner.run([Op(Code.UNSHARE, "unshare ipc", flags=_sys.CLONE_NEWIPC)],
                                "stat -L -c %i /proc/self/ns/ipc >&3")
    assert report is None
    assert int(out) != ns_inode("ipc")


# --- identity and capabilities --------------------------------------------------------------------

def test_setgroups_setresgid_setresuid(runner):
    ops = [Op(Code.SETGROUPS, "setgroups", a=struct.pack("=2I", 65534, 100)),
           Op(Code.SETRESGID, "setresgid", arg=65534),
           Op(Code.SETRESUID, "setresuid", arg=65534)]
    out, report, _ = runner.run(ops, "grep -E '^(Uid|Gid|Groups|CapEff):' /proc/self/status >&3")
    assert report is None
    got = {line.split(":")[0]: line.split(":")[1].split() for line in out.splitlines()}
    assert got["Uid"] == ["65534"] * 4 and got["Gid"] == ["65534"] * 4
    assert sorted(got["Groups"]) == ["100", "65534"]
    assert got["CapEff"] == ["0000000000000000"]


def test_no_new_privs_bounding_and_capset(runner):
    keep = caps.mask(("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"))
    ops = [Op(Code.PRCTL, "no_new_privs", arg=PR_SET_NO_NEW_PRIVS, flags=1),
           Op(Code.DROP_BOUNDING, "bounding", flags=keep, arg=_sys.cap_last_cap()),
           Op(Code.CAPSET, "capset", flags=keep)]
    out, report, _ = runner.run(ops, "cat /proc/self/status >&3")
    assert report is None
    got = caps.parse_status(out)
    assert got.effective == got.permitted == got.bounding == keep
    assert got.inheritable == 0 and got.ambient == 0
    assert "NoNewPrivs:\t1" in out


# --- a root file system -----------------------------------------------------------------------------

def test_pivot_root_into_a_tmpfs_with_masks_and_readonly_paths(runner, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    r = str(root).encode()
    ops = [
        PRIVATE,
        Op(Code.MOUNT, "root tmpfs", a=b"tmpfs", b=r, c=b"tmpfs", d=b"mode=0755"),
        Op(Code.MKDIR, "mkdir usr", a=r + b"/usr", arg=0o755),
        Op(Code.MOUNT, "bind usr", a=b"/usr", b=r + b"/usr", flags=_sys.MS_BIND | _sys.MS_REC),
        *[Op(Code.SYMLINK, f"symlink {d}", a=b"usr/" + d, b=r + b"/" + d) for d in (b"bin", b"lib", b"lib64", b"sbin")],
        *[Op(Code.MKDIR, f"mkdir {d}", a=r + b"/" + d, arg=0o755) for d in (b"proc", b"dev", b"data", b"data/secret")],
        Op(Code.MKNOD, "dev/null", a=r + b"/dev/null", arg=stat.S_IFCHR | 0o666, flags=os.makedev(1, 3)),
        Op(Code.TOUCH, "touch", a=r + b"/data/touched"),
        Op(Code.WRITE_FILE, "write", a=r + b"/data/touched", b=b"hello"),
        Op(Code.TOUCH, "touch", a=r + b"/data/secret/key"),
        Op(Code.TOUCH, "touch again", a=r + b"/data/secret/key"),  # exists: nothing to do
        Op(Code.WRITE_FILE, "write secret", a=r + b"/data/secret/key", b=b"s3cret"),
        Op(Code.MOUNT, "proc", a=b"proc", b=r + b"/proc", c=b"proc", flags=_sys.MS_NOSUID | _sys.MS_NODEV | _sys.MS_NOEXEC),
        Op(Code.CHDIR, "chdir root", a=r),
        Op(Code.PIVOT_ROOT, "pivot_root", a=b".", b=b"."),
        Op(Code.UMOUNT2, "detach old root", a=b".", flags=_sys.MNT_DETACH),
        Op(Code.CHDIR, "chdir /", a=b"/"),
        Op(Code.MASK, "mask file", a=b"/proc/timer_list"),
        Op(Code.MASK, "mask dir", a=b"/data/secret"),
        Op(Code.MASK, "mask missing", a=b"/data/nothing-here"),
        Op(Code.READONLY, "ro /proc/sys", a=b"/proc/sys"),
        Op(Code.READONLY, "ro /data", a=b"/data"),
    ]
    script = r"""{
echo root=$(ls / | tr '\n' ,)
echo touched=$(cat /data/touched)
echo timer_list=$(wc -c < /proc/timer_list)
echo secret=$(ls -A /data/secret | tr '\n' ,)
echo null=$(stat -c %F,%t,%T,%a /dev/null)
if (echo x > /data/new) 2>/dev/null; then echo data_rw=yes; else echo data_rw=no; fi
if (echo x > /proc/sys/kernel/hostname) 2>/dev/null; then echo procsys_rw=yes; else echo procsys_rw=no; fi
if touch /data/secret/x 2>/dev/null; then echo secret_rw=yes; else echo secret_rw=no; fi
echo procsys_opts=$(grep ' /proc/sys ' /proc/self/mountinfo | cut -d' ' -f6)
echo data_opts=$(grep ' /data ' /proc/self/mountinfo | tail -1 | cut -d' ' -f6)
echo root_mounts=$(cut -d' ' -f5 /proc/self/mountinfo | grep -c '^/$')
echo pid=$$
} >&3"""
    out, report, (_, code, status) = runner.run(ops, script, _sys.CLONE_NEWNS | _sys.CLONE_NEWPID)
    assert report is None, (report, ops[report[0]].label if report else None)
    assert (code, status) == EXITED_0
    got = fields(out)
    assert got["root"] == "bin,data,dev,lib,lib64,proc,sbin,usr,"
    assert got["touched"] == "hello"
    assert got["timer_list"] == "0"  # non-empty on the host
    assert got["secret"] == ""
    assert got["null"] == "character special file,1,3,666"
    assert (got["data_rw"], got["procsys_rw"], got["secret_rw"]) == ("no", "no", "no")
    assert got["procsys_opts"].startswith("ro,") and "nosuid" in got["procsys_opts"]
    assert got["data_opts"].startswith("ro")
    assert got["root_mounts"] == "1"  # the old root is gone
    assert got["pid"] == "1"
    assert os.listdir(root) == []  # the tmpfs never reached the host


# --- fds and sessions --------------------------------------------------------------------------------

def test_close_from_closes_the_callers_fds(runner):
    r, w = runner.pipe()
    # The child's copy of w is closed by CLOSE_FROM, so the parent sees EOF while
    # the child is still parked in PAUSE (how a pod holder drops its fds).
    s = runner.spawn([Op(Code.CLOSE_FROM, "close fds", arg=3), Op(Code.PAUSE, "pause")])
    runner.close(w)
    assert read_all(r, 10) == b""
    assert read_report(s.report_r) is None  # the report pipe went the same way
    assert _sys.waitid_pidfd(s.pidfd, _sys.WEXITED | _sys.WNOHANG) is None
    _sys.pidfd_send_signal(s.pidfd, signal.SIGKILL)
    assert runner.wait(s)[1:] == (_sys.CLD_KILLED, signal.SIGKILL)


def test_cloexec_from_closes_leaked_fds_at_exec(runner):
    leak = os.open("/dev/null", os.O_RDONLY)  # inheritable on purpose
    runner.fds.append(leak)
    os.set_inheritable(leak, True)
    assert leak > 3
    script = "ls /proc/$$/fd | tr '\\n' ' ' >&3"
    without, report1, _ = runner.run([], script)
    with_, report2, _ = runner.run([Op(Code.CLOEXEC_FROM, "cloexec", arg=4)], script)
    assert report1 is None and report2 is None
    assert str(leak) in without.split()
    assert str(leak) not in with_.split() and "3" in with_.split()


def test_setsid_makes_the_payload_a_session_leader(runner):
    script = "echo $$ $(cut -d' ' -f6 /proc/$$/stat) >&3"
    out, report, _ = runner.run([Op(Code.SETSID, "setsid")], script)
    pid, sid = out.split()
    assert report is None and pid == sid
    out, _, _ = runner.run([], script)
    pid, sid = out.split()
    assert sid == str(os.getsid(0)) != pid


# --- exec ---------------------------------------------------------------------------------------------

def test_exec_searches_path_like_execvp(runner, tmp_path):
    noexec = tmp_path / "kk-cmd"
    noexec.write_text("#!/bin/sh\necho hi\n")
    noexec.chmod(0o644)
    cases = [
        # ENOENT and ENOTDIR entries are skipped; an empty entry is the cwd (/ here).
        ((b"sh", b"-c", b"echo found >&3"), b"/nonexistent:/etc/passwd::/usr/bin:/bin", None),
        ((b"kk-no-such-command",), b"/usr/bin:/bin", errno.ENOENT),
        ((b"kk-cmd",), str(tmp_path).encode() + b":/usr/bin", errno.EACCES),  # the first real error wins
        ((b"/nonexistent/sh",), b"/usr/bin:/bin", errno.ENOENT),  # a slash: no search
    ]
    for argv, path, err in cases:
        r, w = runner.pipe()
        # index 0: DUP2, index 1: EXEC
        s = runner.spawn([Op(Code.DUP2, "fd 3", arg=w, flags=3), Op(Code.EXEC, "exec", a=path)], argv)
        runner.close(w)
        out = read_all(r)
        assert read_report(s.report_r) == (None if err is None else (1, err)), argv
        assert runner.wait(s)[1:] == (_sys.CLD_EXITED, 0 if err is None else 127), argv
        if err is None:
            assert out == b"found\n"


def test_exec_passes_argv_and_envp(runner):
    r, w = runner.pipe()
    s = runner.spawn([Op(Code.DUP2, "fd 3", arg=w, flags=3), Op(Code.EXEC, "exec", a=b"/bin")],
                     (b"sh", b"-c", b'echo "$0|$1|$KK_VAR|$PATH" >&3', b"zero", b"one"))
    runner.close(w)
    # ENV is fixed by Runner.spawn; KK_VAR is unset there.
    assert read_all(r) == b"zero|one||/usr/sbin:/usr/bin:/sbin:/bin\n"
    assert read_report(s.report_r) is None


# --- cgroups -------------------------------------------------------------------------------------------

def test_spawn_into_a_cgroup_v2_directory(runner):
    path = f"/sys/fs/cgroup/unified/kk-test-twin-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.mkdir(path)
    try:
        cgfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        runner.fds.append(cgfd)
        s = runner.spawn([Op(Code.WAIT, "wait"), Op(Code.EXEC, "exec")], (b"/bin/true",), cgroup_fd=cgfd)
        assert s.into_cgroup
        assert read_report(s.report_r) == (0, 0)
        with open(f"/proc/{s.pid}/cgroup") as f:
            assert "0::/" + os.path.basename(path) in f.read().splitlines()
        os.write(s.sync_w, b"\0")
        assert read_report(s.report_r) is None
        assert runner.wait(s)[1:] == EXITED_0
    finally:
        runner.cleanup()
        cgroup_files.rmdir(path)   # retries the brief EBUSY after the last task exits
    assert not os.path.exists(path)


# --- read_report ---------------------------------------------------------------------------------------

def test_read_report():
    r, w = os.pipe()
    try:
        os.write(w, struct.pack("=ii", 4, errno.EINVAL))
        assert read_report(r) == (4, errno.EINVAL)
        os.write(w, b"\1\2\3")
        os.close(w)
        w = -1
        with pytest.raises(ContainerError, match="short report"):
            read_report(r)
        assert read_report(r) is None
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
