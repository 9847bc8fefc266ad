"""The Cython spawn kernel against its plain-Python twin (STYLE: every
kernel has a twin).  Hypothesis builds programs of file-system and mount ops
run in a private mount namespace on a scratch tmpfs; both engines must leave
the same tree behind (dumped by `find` exec'd at the end, inside the child's
namespace) and report the same failing op and errno."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit._fast import _spawn
from kubekit.runtime import spawn_twin
from kubekit.runtime.ops import Code, Op, Program, read_report

CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE, MS_BIND, MS_RDONLY = 0x4000, 0x40000, 0x1000, 0x1
FIND = shutil.which("find") or "/usr/bin/find"
NAMES = ["a", "b", "c", "a/b", "a/c", "b/a", "missing/x", "a/b/c"]


def _path(scratch: str, name: str) -> bytes:
    return f"{scratch}/{name}".encode()


@st.composite
def programs(draw, scratch: str):
    ops = [Op(Code.MOUNT, "make / rprivate", b=b"/", flags=MS_REC | MS_PRIVATE),
           Op(Code.MOUNT, "scratch tmpfs", a=b"tmpfs", b=scratch.encode(), c=b"tmpfs", d=b"size=1m"),
           Op(Code.MKDIR, "mkdir a", a=_path(scratch, "a"), arg=0o755),
           Op(Code.MKDIR, "mkdir b", a=_path(scratch, "b"), arg=0o700)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["mkdir", "symlink", "touch", "write", "mknod", "mask", "readonly", "bind",
                                     "tmpfs", "umount", "chdir"]))
        p = _path(scratch, draw(st.sampled_from(NAMES)))
        q = _path(scratch, draw(st.sampled_from(NAMES)))
        # Mostly tolerate the errno a random op is likely to meet, so most
        # programs run to the end; a third fail and compare (index, errno).
        ignore = draw(st.sampled_from([0, 2, 17, 20, 22, 16]))
        if kind == "mkdir":
            ops.append(Op(Code.MKDIR, "mkdir", a=p, arg=draw(st.sampled_from([0o755, 0o700, 0o1777])),
                          ignore_errno=ignore))
        elif kind == "symlink":
            ops.append(Op(Code.SYMLINK, "symlink", a=draw(st.sampled_from([b"a", b"../b", b"/nonexistent"])), b=p,
                          ignore_errno=ignore))
        elif kind == "touch":
            ops.append(Op(Code.TOUCH, "touch", a=p, ignore_errno=ignore))
        elif kind == "write":
            ops.append(Op(Code.WRITE_FILE, "write", a=p, b=draw(st.binary(max_size=20)), ignore_errno=ignore))
        elif kind == "mknod":
            ops.append(Op(Code.MKNOD, "mknod", a=p, arg=stat.S_IFCHR | 0o666, flags=os.makedev(1, 3),
                          ignore_errno=ignore))
        elif kind == "mask":
            ops.append(Op(Code.MASK, "mask", a=p))
        elif kind == "readonly":
            ops.append(Op(Code.READONLY, "readonly", a=p, ignore_errno=ignore))
        elif kind == "bind":
            ops.append(Op(Code.MOUNT, "bind", a=q, b=p, flags=MS_BIND, ignore_errno=ignore))
        elif kind == "tmpfs":
            ops.append(Op(Code.MOUNT, "tmpfs", a=b"tmpfs", b=p, c=b"tmpfs", flags=draw(st.sampled_from([0, MS_RDONLY])),
                          ignore_errno=ignore))
        elif kind == "umount":
            ops.append(Op(Code.UMOUNT2, "umount", a=p, ignore_errno=ignore))
        else:
            ops.append(Op(Code.CHDIR, "chdir", a=p, ignore_errno=ignore))
    return ops


def run(engine, ops: list[Op], scratch: str, out_w: int):
    dump = Program(tuple(ops) + (
        Op(Code.DUP2, "stdout", arg=out_w, flags=1),
        Op(Code.EXEC, "find", a=b"/usr/bin:/bin"),
    ), (FIND.encode(), scratch.encode(), b"-printf", b"%P %y %m %s %l\\n"), (b"LC_ALL=C",))
    pid, pidfd, sync_w, report_r, _into = engine.spawn(dump, CLONE_NEWNS)[:5]
    rep = read_report(report_r)
    os.close(report_r)
    os.close(sync_w)
    os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return rep, status


def observe(engine, ops, scratch):
    r, w = os.pipe()
    try:
        rep, status = run(engine, ops, scratch, w)
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        tree = sorted(f.read().decode().splitlines()) if rep is None else None
    return rep, os.waitstatus_to_exitcode(status), tree


@pytest.fixture(scope="module")
def scratch():
    path = tempfile.mkdtemp(prefix="kubekit-spawn-eq-")
    try:
        yield path
    finally:
        os.rmdir(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_kernel_and_twin_agree(scratch, data):
    ops = data.draw(programs(scratch))
    kernel = observe(_spawn, ops, scratch)
    twin = observe(spawn_twin, ops, scratch)
    assert kernel == twin
    # The host never sees the child's mounts.
    assert os.listdir(scratch) == []


def test_failure_reports_index_and_errno_alike(scratch):
    ops = [Op(Code.MKDIR, "mkdir", a=b"/nonexistent-kubekit/x", arg=0o755)]
    assert observe(_spawn, ops, scratch)[:2] == observe(spawn_twin, ops, scratch)[:2] == ((0, 2), 127)
