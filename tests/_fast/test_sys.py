"""The syscall layer (kubekit/_fast/_sys.pyx) against the real kernel, as root.

Every namespace, mount, hostname or capability change happens in a child
(clone3, clone or os.fork) that sends its findings back over a pipe and
``os._exit``s; the test process itself never changes.  The kernel is the
oracle: /proc/self/ns inodes, /proc/self/status, /proc/PID/cgroup.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pickle
import select
import signal
import socket
import time
import traceback
import uuid

import pytest

from kubekit._fast import _sys
from kubekit.runtime.cgroups import files as cgroup_files
from kubekit.runtime import caps
from kubekit.runtime.spec import DEFAULT_CAPABILITIES

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

UNIFIED = "/sys/fs/cgroup/unified"
NS_FLAGS = {
    "uts": _sys.CLONE_NEWUTS, "ipc": _sys.CLONE_NEWIPC, "net": _sys.CLONE_NEWNET,
    "mnt": _sys.CLONE_NEWNS, "cgroup": _sys.CLONE_NEWCGROUP,
    "pid_for_children": _sys.CLONE_NEWPID, "time_for_children": _sys.CLONE_NEWTIME,
}


# --- helpers ---------------------------------------------------------------------------

def ns_inode(name: str, pid: int | str = "self") -> int:
    return os.stat(f"/proc/{pid}/ns/{name}").st_ino


def _read_all(fd: int, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("child did not finish in time")
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _read_line(fd: int, timeout: float) -> bytes:
    """Read up to a newline (the writer may keep its end open)."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("child did not answer in time")
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data


def _reap(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def in_child(fn, *, flags: int = 0, how: str = "clone3", timeout: float = 30.0):
    """Run ``fn()`` in a child made by ``how`` with clone ``flags``; return
    its (pickled) result.  An exception in the child is returned, not raised,
    so tests can inspect OSErrors; anything unpicklable fails the test."""
    r, w = os.pipe()
    pidfd = -1
    if how == "clone3":
        pid, pidfd = _sys.clone3(flags)
    elif how == "clone":
        pid = _sys.clone(flags)
    else:
        assert flags == 0
        pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(r)
            try:
                result = ("ok", fn())
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                result = ("raised", e, traceback.format_exc())
            try:
                data = pickle.dumps(result)
            except Exception:  # noqa: BLE001
                data = pickle.dumps(("error", repr(result)))
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    try:
        data = _read_all(r, timeout)
    finally:
        os.close(r)
        if pidfd >= 0:
            os.close(pidfd)
        _reap(pid)
    result = pickle.loads(data)
    if result[0] == "ok":
        return result[1]
    if result[0] == "raised":
        exc = result[1]
        exc.child_traceback = result[2]
        return exc
    pytest.fail(f"child result not picklable: {result[1]}")


def ok(value):
    """Fail with the child's traceback if the child raised."""
    if isinstance(value, BaseException):
        pytest.fail(f"child raised {value!r}\n{getattr(value, 'child_traceback', '')}")
    return value


@contextlib.contextmanager
def holder(flags: int, setup=lambda: None):
    """A child in new namespaces (``flags``) that runs ``setup()`` and then
    blocks until the block ends; yields its pid."""
    ready_r, ready_w = os.pipe()
    hold_r, hold_w = os.pipe()
    pid, pidfd = _sys.clone3(flags)
    if pid == 0:
        try:
            os.close(ready_r)
            os.close(hold_w)
            setup()
            os.write(ready_w, b"1\n")
            os.read(hold_r, 1)
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(hold_r)
    try:
        assert _read_line(ready_r, 30) == b"1\n", "holder failed to set up"
        yield pid
    finally:
        os.close(hold_w)
        os.close(ready_r)
        os.close(pidfd)
        _reap(pid)


def private_root() -> None:
    _sys.mount(None, "/", None, _sys.MS_REC | _sys.MS_PRIVATE)


def proc_status(field: str, pid: int | str = "self") -> str:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    raise KeyError(field)


# --- constants -----------------------------------------------------------------------------

def test_constants_are_the_kernel_abi():
    assert (_sys.CLONE_NEWNS, _sys.CLONE_NEWCGROUP, _sys.CLONE_NEWUTS, _sys.CLONE_NEWIPC) == (
        0x20000, 0x2000000, 0x4000000, 0x8000000)
    assert (_sys.CLONE_NEWUSER, _sys.CLONE_NEWPID, _sys.CLONE_NEWNET, _sys.CLONE_NEWTIME) == (
        0x10000000, 0x20000000, 0x40000000, 0x80)
    assert _sys.CLONE_INTO_CGROUP == 0x200000000 and _sys.CLONE_PIDFD == 0x1000
    assert (_sys.MS_RDONLY, _sys.MS_NOSUID, _sys.MS_NODEV, _sys.MS_NOEXEC, _sys.MS_REMOUNT) == (1, 2, 4, 8, 32)
    assert (_sys.MS_BIND, _sys.MS_MOVE, _sys.MS_REC) == (4096, 8192, 16384)
    assert (_sys.MS_PRIVATE, _sys.MS_SLAVE, _sys.MS_SHARED) == (1 << 18, 1 << 19, 1 << 20)
    assert (_sys.MS_RELATIME, _sys.MS_STRICTATIME, _sys.MNT_DETACH) == (1 << 21, 1 << 24, 2)
    assert (_sys.WEXITED, _sys.WNOHANG, _sys.WNOWAIT) == (os.WEXITED, os.WNOHANG, os.WNOWAIT)
    assert (_sys.CLD_EXITED, _sys.CLD_KILLED, _sys.CLD_DUMPED) == (os.CLD_EXITED, os.CLD_KILLED, os.CLD_DUMPED)


# --- clone3 / clone ---------------------------------------------------------------------------

def test_clone3_new_pid_namespace_gives_pid_1():
    def child():
        return os.getpid(), os.getppid(), ns_inode("uts")

    pid1, ppid, uts = ok(in_child(child, flags=_sys.CLONE_NEWPID | _sys.CLONE_NEWUTS))
    assert (pid1, ppid) == (1, 0)
    assert uts != ns_inode("uts")


def test_clone3_returns_a_pidfd_for_the_child():
    pid, pidfd = _sys.clone3()
    if pid == 0:
        os._exit(3)
    try:
        assert pidfd >= 0
        assert fcntl.fcntl(pidfd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_EXITED, 3)
    finally:
        os.close(pidfd)
        _reap(pid)


def test_legacy_clone_forks_into_new_namespaces():
    def child():
        return os.getpid(), ns_inode("uts"), ns_inode("pid")

    pid1, uts, pidns = ok(in_child(child, flags=_sys.CLONE_NEWPID | _sys.CLONE_NEWUTS, how="clone"))
    assert pid1 == 1
    assert uts != ns_inode("uts") and pidns != ns_inode("pid")


def test_clone_refuses_flags_that_break_fork_semantics():
    with pytest.raises(ValueError, match="fork semantics"):
        _sys.clone3(0x100)  # CLONE_VM
    with pytest.raises(ValueError, match="fork semantics"):
        _sys.clone(0x10000 | 0x800 | 0x100)  # CLONE_THREAD|CLONE_SIGHAND|CLONE_VM
    with pytest.raises(ValueError, match="CLONE_NEWTIME"):
        _sys.clone(_sys.CLONE_NEWTIME)


def test_clone3_error_names_the_step(tmp_path):
    # A regular file is not a cgroup v2 directory.
    path = tmp_path / "not-a-cgroup"
    path.write_text("")
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        with pytest.raises(OSError) as info:
            _sys.clone3(0, fd)
    finally:
        os.close(fd)
    assert info.value.errno == errno.EBADF
    assert info.value.filename == "clone3"


def test_clone3_into_cgroup_places_the_child_at_birth():
    name = f"kk-test-sys-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path = os.path.join(UNIFIED, name)
    os.mkdir(path)
    cgfd = -1
    pid = pidfd = -1
    go_r, go_w = os.pipe()
    try:
        cgfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        pid, pidfd = _sys.clone3(0, cgfd)
        if pid == 0:
            try:
                os.read(go_r, 1)
            finally:
                os._exit(0)
        with open(f"/proc/{pid}/cgroup") as f:
            assert f"0::/{name}\n" in f.read().splitlines(keepends=True)
        with open(os.path.join(path, "cgroup.procs")) as f:
            assert f.read().split() == [str(pid)]
        os.write(go_w, b"1")
        assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_EXITED, 0)
        pid = -1
    finally:
        os.close(go_r)
        os.close(go_w)
        if pid > 0:
            _reap(pid)
        if pidfd >= 0:
            os.close(pidfd)
        if cgfd >= 0:
            os.close(cgfd)
        cgroup_files.rmdir(path)   # retries the brief EBUSY after the last task exits
    assert not os.path.exists(path)


# --- unshare / setns --------------------------------------------------------------------------

def test_unshare_gives_fresh_namespaces():
    host = {name: ns_inode(name) for name in NS_FLAGS}

    def child():
        before = {name: ns_inode(name) for name in NS_FLAGS}
        flags = 0
        for f in NS_FLAGS.values():
            flags |= f
        _sys.unshare(flags)
        # pid_for_children resolves only once the new namespace has its init.
        r, w = os.pipe()
        init = os.fork()
        if init == 0:
            os.close(w)
            os.read(r, 1)
            os._exit(0)
        try:
            return before, {name: ns_inode(name) for name in NS_FLAGS}
        finally:
            os.close(w)
            os.waitpid(init, 0)

    before, after = ok(in_child(child, how="fork"))
    assert before == host
    for name in NS_FLAGS:
        assert after[name] != host[name], name
    assert {name: ns_inode(name) for name in NS_FLAGS} == host  # the test process is untouched


def test_unshare_user_namespace():
    def child():
        _sys.unshare(_sys.CLONE_NEWUSER)
        return ns_inode("user")

    assert ok(in_child(child, how="fork")) != ns_inode("user")


def test_unshare_error_names_the_step():
    def child():
        _sys.unshare(-1)

    exc = in_child(child, how="fork")
    assert isinstance(exc, OSError) and exc.errno == errno.EINVAL and exc.filename == "unshare"


def test_setns_by_path_and_by_fd_joins_the_holders_namespaces():
    def setup():
        _sys.sethostname("kk-holder")

    with holder(_sys.CLONE_NEWUTS | _sys.CLONE_NEWNET | _sys.CLONE_NEWIPC, setup) as pid:
        want = {name: ns_inode(name, pid) for name in ("uts", "net", "ipc")}
        assert all(want[name] != ns_inode(name) for name in want)

        def child():
            _sys.setns(f"/proc/{pid}/ns/uts", _sys.CLONE_NEWUTS)
            _sys.setns(f"/proc/{pid}/ns/net".encode())  # nstype 0: any type
            fd = os.open(f"/proc/{pid}/ns/ipc", os.O_RDONLY | os.O_CLOEXEC)
            _sys.setns(fd, _sys.CLONE_NEWIPC)
            os.close(fd)
            return {name: ns_inode(name) for name in want}, socket.gethostname()

        got, hostname = ok(in_child(child, how="fork"))
    assert got == want
    assert hostname == "kk-holder"
    assert socket.gethostname() != "kk-holder"


def test_setns_errors_name_the_path():
    def child():
        out = []
        for target, nstype in (("/proc/self/ns/uts", _sys.CLONE_NEWNET), ("/nonexistent/ns", 0)):
            try:
                _sys.setns(target, nstype)
            except OSError as e:
                out.append((e.errno, e.filename, str(e)))
        try:
            _sys.setns(9999, 0)
        except OSError as e:
            out.append((e.errno, e.filename, str(e)))
        return out

    (e1, f1, s1), (e2, f2, _), (e3, f3, _) = ok(in_child(child, how="fork"))
    assert (e1, f1) == (errno.EINVAL, "/proc/self/ns/uts")
    assert "Invalid argument" in s1 and "/proc/self/ns/uts" in s1
    assert (e2, f2) == (errno.ENOENT, "/nonexistent/ns")
    assert e3 == errno.EBADF and "setns" in f3


# --- mounts ------------------------------------------------------------------------------------

def _mounts() -> list[list[str]]:
    with open("/proc/self/mountinfo") as f:
        return [line.split() for line in f]


def test_mount_and_umount2_in_a_private_mount_namespace(tmp_path):
    target = str(tmp_path)

    def child():
        private_root()
        _sys.mount("kk-tmpfs", target, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, "size=1m,mode=0700")
        mine = [m for m in _mounts() if m[4] == target]
        with open(os.path.join(target, "f"), "w") as f:
            f.write("x")
        _sys.mount(None, target, None, _sys.MS_REMOUNT | _sys.MS_BIND | _sys.MS_RDONLY | _sys.MS_NOSUID | _sys.MS_NODEV)
        try:
            with open(os.path.join(target, "g"), "w"):
                pass
            ro_error = None
        except OSError as e:
            ro_error = e.errno
        _sys.umount2(target)
        after_umount = [m for m in _mounts() if m[4] == target]
        _sys.mount(b"kk-tmpfs", target.encode(), b"tmpfs")
        _sys.umount2(target, _sys.MNT_DETACH)
        return mine, ro_error, after_umount, [m for m in _mounts() if m[4] == target]

    mine, ro_error, after_umount, after_detach = ok(in_child(child, flags=_sys.CLONE_NEWNS))
    assert len(mine) == 1
    options, sep = mine[0][5].split(","), mine[0].index("-")
    assert "nosuid" in options and "nodev" in options
    assert mine[0][sep + 1:sep + 3] == ["tmpfs", "kk-tmpfs"]
    assert "size=1024k" in mine[0][sep + 3] and "mode=700" in mine[0][sep + 3]
    assert ro_error == errno.EROFS
    assert after_umount == [] and after_detach == []
    assert not [m for m in _mounts() if m[4] == target]  # nothing leaked to the host
    assert os.listdir(target) == []


def test_mount_errors_name_the_target(tmp_path):
    def child():
        private_root()
        out = {}
        for key, call in {
            "missing": lambda: _sys.mount("tmpfs", "/nonexistent/kk-target", "tmpfs"),
            "bytes": lambda: _sys.mount(b"tmpfs", b"/nonexistent/kk-target", b"tmpfs"),
            "fstype": lambda: _sys.mount("x", str(tmp_path), "kk-no-such-fs"),
            "umount": lambda: _sys.umount2(str(tmp_path)),
        }.items():
            try:
                call()
                out[key] = None
            except OSError as e:
                out[key] = (e.errno, e.filename, str(e))
        return out

    out = ok(in_child(child, flags=_sys.CLONE_NEWNS))
    assert out["missing"] == (errno.ENOENT, "/nonexistent/kk-target",
                              "[Errno 2] No such file or directory: '/nonexistent/kk-target'")
    assert out["bytes"][:2] == (errno.ENOENT, b"/nonexistent/kk-target")
    assert out["fstype"][:2] == (errno.ENODEV, str(tmp_path))
    assert out["umount"][:2] == (errno.EINVAL, str(tmp_path))


def test_mount_refuses_embedded_nul():
    with pytest.raises(ValueError, match="null"):
        _sys.mount("tmpfs", "/tmp/a\0b", "tmpfs")


def test_pivot_root_into_a_tmpfs(tmp_path):
    root = str(tmp_path)

    def child():
        private_root()
        _sys.mount("tmpfs", root, "tmpfs")
        os.mkdir(os.path.join(root, "old"))
        open(os.path.join(root, "marker"), "w").close()
        _sys.pivot_root(root, os.path.join(root, "old"))
        os.chdir("/")
        seen = sorted(os.listdir("/"))
        old_has_proc = os.path.isdir("/old/proc/self")
        _sys.umount2("/old", _sys.MNT_DETACH)
        os.rmdir("/old")
        return seen, old_has_proc, sorted(os.listdir("/"))

    seen, old_has_proc, after = ok(in_child(child, flags=_sys.CLONE_NEWNS))
    assert seen == ["marker", "old"]
    assert old_has_proc
    assert after == ["marker"]
    assert os.listdir(root) == []


def test_pivot_root_error_names_both_paths(tmp_path):
    new_root, put_old = str(tmp_path), str(tmp_path / "old")
    os.mkdir(put_old)

    def child():
        private_root()
        _sys.pivot_root(new_root, put_old)  # new_root is on the current root mount

    exc = in_child(child, flags=_sys.CLONE_NEWNS)
    assert isinstance(exc, OSError) and exc.errno == errno.EBUSY
    assert (exc.filename, exc.filename2) == (new_root, put_old)


# --- uts -----------------------------------------------------------------------------------------

def test_hostname_and_domainname_read_back():
    def child():
        _sys.sethostname("kk-test-host")
        _sys.setdomainname(b"kk.example")
        with open("/proc/sys/kernel/domainname") as f:
            domain = f.read().strip()
        return socket.gethostname(), os.uname().nodename, domain

    host = socket.gethostname()
    assert ok(in_child(child, flags=_sys.CLONE_NEWUTS)) == ("kk-test-host", "kk-test-host", "kk.example")
    assert socket.gethostname() == host


def test_sethostname_too_long_is_einval():
    def child():
        _sys.sethostname("x" * 65)

    exc = in_child(child, flags=_sys.CLONE_NEWUTS)
    assert isinstance(exc, OSError) and (exc.errno, exc.filename) == (errno.EINVAL, "sethostname")


# --- prctl ---------------------------------------------------------------------------------------

def test_no_new_privs_reads_back():
    host = proc_status("NoNewPrivs")

    def child():
        before = _sys.get_no_new_privs()
        _sys.set_no_new_privs()
        return before, _sys.get_no_new_privs(), proc_status("NoNewPrivs")

    before, after, status = ok(in_child(child, how="fork"))
    assert before == (host == "1")
    assert after is True and status == "1"
    assert proc_status("NoNewPrivs") == host


def test_pdeathsig_reads_back():
    def child():
        seen = [_sys.get_pdeathsig()]
        _sys.set_pdeathsig(signal.SIGTERM)
        seen.append(_sys.get_pdeathsig())
        _sys.set_pdeathsig(0)
        seen.append(_sys.get_pdeathsig())
        try:
            _sys.set_pdeathsig(1000)
        except OSError as e:
            seen.append((e.errno, e.filename))
        return seen

    assert ok(in_child(child, how="fork")) == [0, signal.SIGTERM, 0, (errno.EINVAL, "prctl(PR_SET_PDEATHSIG)")]


def test_pdeathsig_kills_the_orphan():
    """A grandchild with PDEATHSIG=SIGKILL dies when its parent exits; the
    test watches it through a pidfd (it is not the test's child)."""
    pid_r, pid_w = os.pipe()
    go_r, go_w = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(pid_r)
            os.close(go_w)
            grandchild = os.fork()
            if grandchild == 0:
                try:
                    _sys.set_pdeathsig(signal.SIGKILL)
                    os.write(pid_w, b"%d\n" % os.getpid())  # the middle waits for this
                    while True:
                        time.sleep(1)
                finally:
                    os._exit(0)
            os.read(go_r, 1)
        finally:
            os._exit(0)
    os.close(pid_w)
    os.close(go_r)
    pidfd = -1
    try:
        grandchild = int(_read_line(pid_r, 30))
        pidfd = _sys.pidfd_open(grandchild)
        assert not select.select([pidfd], [], [], 0)[0]  # alive
        os.write(go_w, b"1")  # the middle process exits
        os.waitpid(middle, 0)
        assert select.select([pidfd], [], [], 10)[0], "grandchild survived its parent"
    finally:
        os.close(pid_r)
        os.close(go_w)
        _reap(middle)
        if pidfd >= 0:
            with contextlib.suppress(OSError):
                _sys.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.close(pidfd)


def test_generic_prctl():
    PR_GET_KEEPCAPS = 7

    def child():
        before = _sys.prctl(PR_GET_KEEPCAPS)
        _sys.prctl(_sys.PR_SET_KEEPCAPS, 1)
        return before, _sys.prctl(PR_GET_KEEPCAPS)

    assert ok(in_child(child, how="fork")) == (0, 1)
    with pytest.raises(OSError) as info:
        _sys.prctl(-1)
    assert info.value.errno == errno.EINVAL and info.value.filename == "prctl(-1)"


# --- capabilities -----------------------------------------------------------------------------------

def test_capget_matches_proc_status():
    status = caps.read_proc_caps()
    assert _sys.capget() == (status.effective, status.permitted, status.inheritable)
    with holder(0) as pid:
        other = caps.read_proc_caps(pid)
        assert _sys.capget(pid) == (other.effective, other.permitted, other.inheritable)
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    with pytest.raises(ProcessLookupError):
        _sys.capget(pid_max)


def test_cap_last_cap_is_the_kernels():
    with open("/proc/sys/kernel/cap_last_cap") as f:
        assert _sys.cap_last_cap() == int(f.read())
    # caps.CAP_NAMES must name every capability of the kernel kubekit runs on.
    assert _sys.cap_last_cap() == caps.LAST_CAP


def test_capset_and_bounding_drop_read_back_in_proc_status():
    keep = caps.mask(DEFAULT_CAPABILITIES)
    host = caps.read_proc_caps()

    def child():
        for cap in range(_sys.cap_last_cap() + 1):
            if not (keep >> cap) & 1 and _sys.cap_bound_read(cap):
                _sys.cap_bound_drop(cap)
        _sys.capset(keep, keep, 0)
        _sys.cap_ambient_clear()
        seen = (caps.read_proc_caps(), _sys.capget(),
                _sys.cap_bound_read(caps.number("CAP_NET_ADMIN")), _sys.cap_bound_read(caps.number("CAP_CHOWN")))
        errors = []
        for call in (lambda: _sys.capset(caps.ALL_MASK, caps.ALL_MASK, 0), lambda: _sys.cap_bound_read(1000)):
            try:
                call()
            except OSError as e:
                errors.append((e.errno, e.filename))
        return seen, errors

    (status, got, net_admin, chown), errors = ok(in_child(child, how="fork"))
    assert status.effective == status.permitted == keep
    assert status.inheritable == 0 and status.ambient == 0
    assert status.bounding == keep & host.bounding
    assert got == (keep, keep, 0)
    assert caps.names(status.effective) == tuple(sorted(DEFAULT_CAPABILITIES, key=caps.number))
    assert (net_admin, chown) == (False, True)
    assert errors == [(errno.EPERM, "capset"), (errno.EINVAL, "prctl(PR_CAPBSET_READ, 1000)")]
    assert caps.read_proc_caps() == host


# --- fds ---------------------------------------------------------------------------------------------

def test_close_range_cloexec_and_close():
    def child():
        fd = os.open("/dev/null", os.O_RDONLY)
        os.set_inheritable(fd, True)
        _sys.close_range(fd, fd, _sys.CLOSE_RANGE_CLOEXEC)
        inheritable = os.get_inheritable(fd)
        _sys.close_range(fd, fd)
        try:
            os.fstat(fd)
            closed = False
        except OSError:
            closed = True
        return inheritable, closed

    assert ok(in_child(child, how="fork")) == (False, True)


# --- pidfds and waiting --------------------------------------------------------------------------------

def _sleeper_clone3():
    pid, pidfd = _sys.clone3()
    if pid == 0:
        try:
            while True:
                time.sleep(1)
        finally:
            os._exit(0)
    return pid, pidfd


def test_pidfd_send_signal_kills_and_waitid_reports_it():
    pid, pidfd = _sleeper_clone3()
    try:
        assert _sys.waitid_pidfd(pidfd, _sys.WEXITED | _sys.WNOHANG) is None
        _sys.pidfd_send_signal(pidfd, signal.SIGKILL)
        assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_KILLED, signal.SIGKILL)
        with pytest.raises(ChildProcessError):  # reaped already
            _sys.waitid_pidfd(pidfd)
        with pytest.raises(ProcessLookupError) as info:
            _sys.pidfd_send_signal(pidfd, signal.SIGKILL)
        assert info.value.filename == "pidfd_send_signal"
    finally:
        os.close(pidfd)
        _reap(pid)


def test_waitid_wnowait_leaves_the_child_waitable():
    pid, pidfd = _sys.clone3()
    if pid == 0:
        os._exit(7)
    try:
        assert _sys.waitid_pidfd(pidfd, _sys.WEXITED | _sys.WNOWAIT) == (pid, _sys.CLD_EXITED, 7)
        assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_EXITED, 7)
    finally:
        os.close(pidfd)
        _reap(pid)


def test_pidfd_open_on_a_forked_child():
    pid = os.fork()
    if pid == 0:
        try:
            while True:
                time.sleep(1)
        finally:
            os._exit(0)
    pidfd = -1
    try:
        pidfd = _sys.pidfd_open(pid)
        assert fcntl.fcntl(pidfd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        _sys.pidfd_send_signal(pidfd, signal.SIGKILL)
        assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_KILLED, signal.SIGKILL)
    finally:
        if pidfd >= 0:
            os.close(pidfd)
        _reap(pid)
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    with pytest.raises(ProcessLookupError) as info:
        _sys.pidfd_open(pid_max)
    assert info.value.filename == f"pidfd_open({pid_max})"
    with pytest.raises(OSError) as info:
        _sys.pidfd_send_signal(9999, signal.SIGKILL)
    assert info.value.errno == errno.EBADF


@pytest.mark.parametrize("wait", ["waitid_pidfd", "wait4"])
def test_waits_retry_on_eintr_after_running_handlers(wait):
    pid, pidfd = _sys.clone3()
    if pid == 0:
        try:
            time.sleep(0.3)
        finally:
            os._exit(4)
    hits = []

    def handler(signum, frame):
        hits.append(signum)
        if len(hits) == 2:
            raise KeyboardInterrupt  # a raising handler ends the wait (PEP 475)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        if wait == "waitid_pidfd":
            assert _sys.waitid_pidfd(pidfd) == (pid, _sys.CLD_EXITED, 4)
        else:
            got_pid, status, _ = _sys.wait4(pid)
            assert (got_pid, os.waitstatus_to_exitcode(status)) == (pid, 4)
        assert hits == [signal.SIGALRM]
        pid2, pidfd2 = _sleeper_clone3()
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            with pytest.raises(KeyboardInterrupt):
                if wait == "waitid_pidfd":
                    _sys.waitid_pidfd(pidfd2)
                else:
                    _sys.wait4(pid2)
        finally:
            os.close(pidfd2)
            _reap(pid2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        os.close(pidfd)
        _reap(pid)


def test_wait4_returns_status_and_rusage():
    pid = os.fork()
    if pid == 0:
        try:
            block = b"\x01" * (64 << 20)  # touch 64 MiB
            t0 = time.process_time()
            while time.process_time() - t0 < 0.05:
                pass
            del block
        finally:
            os._exit(5)
    try:
        got_pid, status, ru = _sys.wait4(pid)
    finally:
        _reap(pid)
    assert got_pid == pid
    assert os.waitstatus_to_exitcode(status) == 5
    assert isinstance(ru, _sys.Rusage)
    assert ru.maxrss_kib >= 64 * 1024
    assert ru.utime_s + ru.stime_s >= 0.04
    assert ru.minflt > 0 and ru.majflt >= 0 and ru.nvcsw >= 0 and ru.nivcsw >= 0


def test_wait4_wnohang_and_no_child():
    pid = os.fork()
    if pid == 0:
        try:
            while True:
                time.sleep(1)
        finally:
            os._exit(0)
    try:
        assert _sys.wait4(pid, _sys.WNOHANG) == (0, 0, _sys.Rusage(0.0, 0.0, 0, 0, 0, 0, 0))
        os.kill(pid, signal.SIGKILL)
        got_pid, status, _ = _sys.wait4(pid)
        assert got_pid == pid and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    finally:
        _reap(pid)
    with pytest.raises(ChildProcessError) as info:
        _sys.wait4(pid)
    assert info.value.filename == f"wait4({pid})"
