"""``exec_in``: a further process inside a running container (runc exec),
checked against what the kernel reports — the same namespaces as the
container's init (``/proc/<pid>/ns/*`` inodes), the same cgroup (host view of
``/proc/<pid>/cgroup`` and the container's ``cgroup.procs``), the container's
root, hostname, user, env and workdir, exit codes, a memory limit that kills
the exec, and failures before ``execve`` named.  Needs root."""

from __future__ import annotations

import os
from dataclasses import replace as dataclasses_replace

import pytest

from kubekit.errors import ContainerError
from kubekit.runtime import ContainerSpec, Resources
from kubekit.runtime.execin import exec_in, run_in

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="exec needs root (namespaces, cgroups)")


@pytest.fixture
def box(runtime, rootfs):
    spec = ContainerSpec(command=("/bin/sh", "-c", "echo inside > /tmp/marker; exec sleep 300"),
                         rootfs=rootfs, hostname="boxhost", env=("PATH=/bin:/usr/bin", "GREETING=hi"),
                         cwd="/tmp", uid=1000, gid=1000, resources=Resources(memory_limit=48 << 20, pids_limit=64))
    c = runtime.create(spec)
    c.start()
    for _ in range(200):                       # the init wrote its marker
        r = run_in(c, ["/bin/cat", "/tmp/marker"])
        if r.stdout == b"inside\n":
            break
    try:
        yield c
    finally:
        c.delete()


def test_exec_runs_in_the_containers_namespaces_root_user_env_and_workdir(box):
    r = run_in(box, ["/bin/sh", "-c", "hostname; id -u; id -g; pwd; echo $GREETING; cat /tmp/marker; echo $$; "
                                      "echo err >&2; exit 3"])
    out = r.stdout.decode().splitlines()
    assert out[:6] == ["boxhost", "1000", "1000", "/tmp", "hi", "inside"]
    assert int(out[6]) > 1                     # a pid of the container's pid namespace, not the host's
    assert (r.code, r.stderr) == (3, b"err\n")


def test_exec_joins_every_namespace_and_the_cgroup_of_the_container(box):
    proc_r, proc_w = os.pipe()
    p = exec_in(box, ["/bin/sleep", "30"], stdout=proc_w)
    os.close(proc_w)
    try:
        for ns in ("mnt", "pid", "net", "ipc", "uts", "cgroup"):
            assert os.readlink(f"/proc/{p.pid}/ns/{ns}") == os.readlink(f"/proc/{box.pid}/ns/{ns}"), ns
        with open(f"/proc/{p.pid}/cgroup") as f_exec, open(f"/proc/{box.pid}/cgroup") as f_init:
            assert f_exec.read() == f_init.read()
        assert p.pid in box.cgroup.pids()
        # the exec's view: its cgroup is the container's cgroup namespace root, as the init's is
        r = run_in(box, ["/bin/sh", "-c", "cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup"])
        mine, init = r.stdout.decode().split("---\n")
        assert mine.strip() == init.strip() and all(line.endswith(":/") for line in mine.split())
    finally:
        p.kill()
        status = p.wait()
        os.close(proc_r)
    assert status.code == 137 and status.signal == 9


def test_exec_usage_counts_against_the_containers_memory_limit(box):
    # 64 MiB into a tmpfs-backed /dev/shm of a container limited to 48 MiB: the exec is OOM-killed
    r = run_in(box, ["/bin/sh", "-c", "head -c 67108864 /dev/zero > /dev/shm/fill; echo survived"])
    assert r.code == 137 and b"survived" not in r.stdout


def test_exec_with_stdin_and_overrides(box):
    r = run_in(box, ["/bin/sh", "-c", "cat; id -u; pwd; echo $X"], input=b"fed through stdin\n",
               uid=0, cwd="/", env=("PATH=/bin", "X=over"))
    assert r.stdout == b"fed through stdin\n0\n/\nover\n" and r.code == 0


def test_a_missing_command_is_reported_and_leaves_nothing(box):
    with pytest.raises(ContainerError) as e:
        run_in(box, ["/no/such/binary"])
    assert "exec(/no/such/binary)" in str(e.value) and "No such file" in str(e.value)
    assert box.cgroup.pids() == [box.pid]


def test_a_timeout_kills_the_exec(box):
    r = run_in(box, ["/bin/sleep", "60"], timeout=0.3)
    assert r.timed_out and r.code == -1
    assert box.cgroup.pids() == [box.pid]


def test_ids_and_groups_are_set_by_the_kernels_calls(runtime, rootfs):
    """The child sets groups, gid and uid with raw system calls (glibc's
    wrappers broadcast to threads the cloned child does not have and hung it
    in a futex when the caller was multi-threaded); the kernel reports the
    result, for a container's first process and an exec alike."""
    import threading

    busy = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True)
    busy.start()                               # the caller is multi-threaded, as the server is
    spec = ContainerSpec(command=("/bin/sh", "-c", "grep -E '^(Uid|Gid|Groups)' /proc/self/status; exec sleep 30"),
                         rootfs=rootfs, uid=1000, gid=1001, additional_gids=(1002, 1003))
    r, w = os.pipe()
    c = runtime.create(dataclasses_replace(spec, stdout=w))
    os.close(w)
    try:
        c.start()
        with os.fdopen(r, "rb") as f:
            first = b"".join(f.readline() for _ in range(3)).decode()
        ex = run_in(c, ["/bin/grep", "-E", "^(Uid|Gid|Groups)", "/proc/self/status"], uid=1004, gid=1005,
                    additional_gids=(1006,))
    finally:
        c.delete()
    assert first.split() == ["Uid:", "1000", "1000", "1000", "1000", "Gid:", "1001", "1001", "1001", "1001",
                             "Groups:", "1002", "1003"]
    assert ex.stdout.decode().split() == ["Uid:", "1004", "1004", "1004", "1004", "Gid:", "1005", "1005", "1005",
                                          "1005", "Groups:", "1006"]
