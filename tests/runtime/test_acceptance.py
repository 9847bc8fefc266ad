"""Issue 3 §5: the runtime under the real kernel, as root.  The kernel is the
oracle: what the payload sees, what the cgroup files hold, exit statuses."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import time

import pytest
from runtime_helpers import cgroup_dirs, run_capture

from kubekit.errors import CgroupError, ContainerError, RuntimeSpecError
from kubekit.runtime import ContainerSpec, IdMapping, Mount, Resources, caps
from kubekit.runtime.spec import DEFAULT_CAPABILITIES, DEFAULT_NAMESPACES

SLEEP = ("/bin/sleep", "1000")


def test_pid1_and_ppid0(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "echo $$; grep PPid /proc/1/status")), rootfs)
    assert st.code == 0 and st.reason == "Completed"
    assert out.split("\n")[:2] == ["1", "PPid:\t0"]


def test_only_lo_and_it_is_up(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags")),
                          rootfs)
    names, flags = out.split()
    assert (names, st.code) == ("lo", 0)
    assert int(flags, 16) & 0x1  # IFF_UP


def test_hostname_and_domainname(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "hostname; cat /proc/sys/kernel/domainname"),
                                        hostname="kk-box", domainname="kk.example"), rootfs)
    assert out.split() == ["kk-box", "kk.example"]


def test_hostname_without_uts_namespace_is_refused_and_leaves_nothing(runtime, rootfs):
    with pytest.raises(RuntimeSpecError, match="without a private UTS namespace"):
        runtime.create(ContainerSpec(command=("/bin/true",), rootfs=rootfs, hostname="h",
                                     namespaces=DEFAULT_NAMESPACES - {"uts"}))
    assert runtime.state.ids() == [] and os.listdir(runtime.containers_dir) == []


def _ns_inodes(pid: int | str) -> dict[str, int]:
    return {ns: os.stat(f"/proc/{pid}/ns/{ns}").st_ino for ns in ("pid", "mnt", "uts", "ipc", "net", "cgroup")}


def test_namespaces_differ_from_host_and_match_when_joined(runtime, rootfs):
    host = _ns_inodes("self")
    a = runtime.create(ContainerSpec(command=SLEEP, rootfs=rootfs))
    a.start()
    inside = _ns_inodes(a.pid)
    assert all(inside[ns] != host[ns] for ns in inside), (inside, host)
    join = {ns: f"/proc/{a.pid}/ns/{ns}" for ns in ("net", "ipc", "uts")}
    b = runtime.create(ContainerSpec(command=SLEEP, rootfs=rootfs, join_namespaces=join))
    b.start()
    joined = _ns_inodes(b.pid)
    assert {ns: joined[ns] for ns in join} == {ns: inside[ns] for ns in join}
    assert joined["pid"] != inside["pid"] and joined["mnt"] != inside["mnt"]
    b.delete()
    a.delete()


def test_masked_paths_read_empty_and_readonly_paths_refuse_writes(runtime, rootfs):
    from kubekit.runtime.spec import DEFAULT_MASKED_PATHS

    # Check every default masked path this host has with content (files: bytes, dirs: entries).
    present = {p: (len(os.listdir(p)) if os.path.isdir(p) else len(open(p, "rb").read(64)))
               for p in DEFAULT_MASKED_PATHS if os.path.exists(p)}
    files = [p for p, n in present.items() if n > 0 and not os.path.isdir(p)]
    dirs = [p for p, n in present.items() if n > 0 and os.path.isdir(p)]
    assert files and dirs, f"this host exposes too few masked paths to test: {present}"
    script = "; ".join([f"cat {p} | wc -c" for p in files] + [f"ls -A {p} | wc -l" for p in dirs] +
                       ["echo 1 > /proc/sys/kernel/ns_last_pid && echo WROTE || echo REFUSED",
                        "touch /sys/firmware/x 2>/dev/null && echo WROTE || echo REFUSED"])
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", script)), rootfs)
    lines = [line for line in out.split("\n") if line and not line.startswith("/bin/sh:")]
    assert lines == ["0"] * (len(files) + len(dirs)) + ["REFUSED", "REFUSED"], out


def test_default_capabilities_and_no_new_privs(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/cat", "/proc/self/status")), rootfs)
    proc = caps.parse_status(out)
    expected = caps.mask(DEFAULT_CAPABILITIES)
    assert proc.effective == proc.permitted == proc.bounding == expected
    assert proc.inheritable == 0 and "NoNewPrivs:\t1" in out


def test_empty_capabilities_and_no_new_privs_off(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/cat", "/proc/self/status"), capabilities=(),
                                        no_new_privileges=False), rootfs)
    proc = caps.parse_status(out)
    assert proc.effective == proc.permitted == proc.bounding == 0 and "NoNewPrivs:\t0" in out


def test_user_group_workdir_env(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "id -u; id -g; id -G; pwd; echo $GREETING"),
                                        uid=1000, gid=1001, additional_gids=(1002,), cwd="/tmp",
                                        env=("PATH=/bin", "GREETING=hi")), rootfs)
    assert out.split("\n")[:5] == ["1000", "1001", "1001 1002", "/tmp", "hi"], out


def test_limits_read_back(runtime, rootfs):
    res = Resources(memory_limit=33554432, cpu_quota=50000, cpu_period=100000, pids_limit=20, cpu_shares=512)
    c = runtime.create(ContainerSpec(command=SLEEP, rootfs=rootfs, resources=res))
    c.start()
    got = c.cgroup.read_resources()
    assert (got.memory_limit, got.cpu_quota, got.cpu_period, got.pids_limit) == (33554432, 50000, 100000, 20)
    if runtime.driver.mode in ("v1", "hybrid"):
        assert c.cgroup.read_file("memory", "memory.limit_in_bytes").strip() == "33554432"
        assert c.cgroup.read_file("cpu", "cpu.cfs_quota_us").strip() == "50000"
        assert c.cgroup.read_file("cpu", "cpu.shares").strip() == "512"
        assert c.cgroup.read_file("pids", "pids.max").strip() == "20"
    # The payload really is in those cgroups: its /proc/PID/cgroup names them.
    with open(f"/proc/{c.pid}/cgroup", encoding="ascii") as f:
        membership = f.read()
    assert c.cgroup.path in membership
    c.update(Resources(memory_limit=52428800))
    assert c.cgroup.read_resources().memory_limit == 52428800
    c.delete()


def test_lowering_memory_below_usage_is_refused(runtime, rootfs):
    # 40 MiB written to the container's /dev/shm (a tmpfs): charged to its
    # memory cgroup and held for as long as the file exists (no swap here).
    c = runtime.create(ContainerSpec(command=("/bin/sh", "-c",
                                              "dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null; sleep 1000"),
                                     rootfs=rootfs, resources=Resources(memory_limit=64 << 20)))
    c.start()
    deadline = time.monotonic() + 10
    while c.stats().memory_current < 30 << 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert c.stats().memory_current >= 30 << 20
    with pytest.raises(CgroupError):
        c.update(Resources(memory_limit=8 << 20))
    assert c.cgroup.read_resources().memory_limit == 64 << 20
    assert c.wait(timeout=0.1) is None  # still running
    c.delete()


def test_oom_gives_137_and_oomkilled(runtime, rootfs):
    st, _ = run_capture(runtime, dict(command=("/bin/tail", "/dev/zero"),
                                      resources=Resources(memory_limit=32 << 20)), rootfs)
    assert (st.code, st.signal, st.reason) == (137, signal.SIGKILL, "OOMKilled")


def test_killed_without_oom_is_error_not_oomkilled(runtime, rootfs):
    c = runtime.create(ContainerSpec(command=SLEEP, rootfs=rootfs, resources=Resources(memory_limit=32 << 20)))
    c.start()
    c.signal(signal.SIGKILL)
    st = c.wait()
    assert (st.code, st.reason) == (137, "Error")
    c.delete()


def test_fork_bomb_stops_at_pids_limit(runtime, rootfs):
    # A real fork bomb in a subshell; the init survives it and sleeps.
    bomb = "(b() { b | b & }; b) 2>/dev/null; exec sleep 1000"
    c = runtime.create(ContainerSpec(command=("/bin/sh", "-c", bomb), rootfs=rootfs, resources=Resources(pids_limit=16)))
    c.start()
    seen = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        seen.append(c.stats().pids_current)
        assert os.system("true") == 0  # the host can still fork
    assert max(seen) > 8 and all(n <= 16 for n in seen), seen
    refused = int(c.cgroup.read_file("pids", "pids.events").split()[1])
    assert refused > 0   # the kernel refused forks at the limit
    pids = c.cgroup.pids()
    c.delete()
    assert not any(os.path.exists(f"/proc/{p}") for p in pids)


def test_delete_kills_escaped_processes_and_leaves_nothing(runtime, rootfs):
    # Without a pid namespace (whose init's death would kill it), the init forks a
    # daemon that outlives it (setsid + double fork), then exits.
    c = runtime.create(ContainerSpec(command=("/bin/sh", "-c", "(setsid sleep 1000 &) ; exit 3"), rootfs=rootfs,
                                     namespaces=DEFAULT_NAMESPACES - {"pid"}))
    c.start()
    assert c.wait().code == 3
    left = c.cgroup.pids()
    assert left, "the escaped sleep should still be in the cgroup"
    c.delete()
    assert not any(os.path.exists(f"/proc/{p}") and open(f"/proc/{p}/cmdline", "rb").read().startswith(b"sleep")
                   for p in left)
    assert cgroup_dirs(runtime.cgroup_root + "/pod" + c.id) == []
    assert not os.path.exists(os.path.join(runtime.containers_dir, c.id))
    assert runtime.state.ids() == []


def test_exec_failure_names_the_step(runtime, rootfs):
    c = runtime.create(ContainerSpec(command=("/no/such/binary",), rootfs=rootfs))
    with pytest.raises(ContainerError, match=r"exec\(/no/such/binary\): No such file or directory"):
        c.start()
    c.delete()


def test_bad_volume_fails_in_the_child_and_cleans_up(runtime, rootfs, tmp_path):
    # The target's parent is a regular file in the rootfs: the kernel refuses the mkdir.
    with pytest.raises(ContainerError, match=r"mkdir\(/etc/passwd/sub\) for mount .*: Not a directory"):
        runtime.create(ContainerSpec(command=("/bin/true",), rootfs=rootfs,
                                     mounts=(Mount("/etc/passwd/sub", str(tmp_path)),)))
    assert runtime.state.ids() == [] and runtime.live == {}


def test_limit_the_kernel_refuses(runtime, rootfs):
    with pytest.raises(CgroupError, match="cfs_period_us|cpu.max"):
        runtime.create(ContainerSpec(command=("/bin/true",), rootfs=rootfs, resources=Resources(cpu_period=100)))
    assert runtime.state.ids() == [] and os.listdir(runtime.containers_dir) == []


def test_volumes_tmpfs_and_copy_on_write(runtime, rootfs, tmp_path):
    ro, rw = tmp_path / "ro", tmp_path / "rw"
    ro.mkdir()
    rw.mkdir()
    (ro / "f").write_text("data\n")
    script = ("cat /ro/f; echo x > /ro/g 2>/dev/null && echo RO-WRITABLE; echo out > /rw/o; "
              "echo t > /scratch/t && cat /scratch/t; echo new > /etc/hostname.new && cat /etc/hostname.new")
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", script),
                                        mounts=(Mount("/ro", str(ro), options=("ro",)), Mount("/rw", str(rw)),
                                                Mount("/scratch", kind="tmpfs", options=("size=1m",)))), rootfs)
    assert [w for w in out.split("\n") if w and not w.startswith("/bin/sh:")] == ["data", "t", "new"], out
    assert "can't create /ro/g: Read-only file system" in out
    assert (rw / "o").read_text() == "out\n"
    assert not os.path.exists(os.path.join(rootfs, "etc", "hostname.new"))  # the lower layer is untouched


def test_readonly_rootfs(runtime, rootfs):
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "touch /x && echo WROTE; touch /tmp/x || true"),
                                        readonly_rootfs=True), rootfs)
    assert "WROTE" not in out


def test_host_rootfs_is_read_only_below_the_overlay(runtime, tmp_path):
    marker = tmp_path / "host-marker"
    marker.write_text("host\n")
    script = f"cat {marker}; echo changed > {marker}; cat {marker}; ls /proc/self/ns/net"
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", script), host_rootfs=True))
    assert out.split()[:2] == ["host", "changed"], out
    assert marker.read_text() == "host\n"   # the write went to the container's upper layer


def test_user_namespace_maps(runtime, rootfs):
    maps = (IdMapping(0, 200000, 65536),)
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", "id -u; cat /proc/self/uid_map"),
                                        namespaces=DEFAULT_NAMESPACES | {"user"}, uid_mappings=maps,
                                        gid_mappings=maps), rootfs)
    lines = out.split("\n")
    assert st.code == 0, out
    assert lines[0] == "0" and lines[1].split() == ["0", "200000", "65536"]


def test_wait_async_and_exit_codes(runtime, rootfs):
    async def main():
        c = runtime.create(ContainerSpec(command=("/bin/sh", "-c", "sleep 0.2; exit 7"), rootfs=rootfs))
        c.start()
        st = await c.wait_async()
        c.delete()
        return st

    st = asyncio.run(main())
    assert (st.code, st.signal, st.reason) == (7, None, "Error")


def test_context_manager_deletes_on_error(runtime, rootfs):
    with pytest.raises(RuntimeError):
        with runtime.container(ContainerSpec(command=SLEEP, rootfs=rootfs)) as c:
            pid = c.pid
            raise RuntimeError("boom")
    assert c.status == "deleted" and not os.path.exists(f"/proc/{pid}")


def test_stats(runtime, rootfs):
    with runtime.container(ContainerSpec(command=("/bin/sh", "-c", "sleep 1000 & sleep 1000 & wait"), rootfs=rootfs,
                                         resources=Resources(memory_limit=64 << 20))) as c:
        deadline = time.monotonic() + 5
        while c.stats().pids_current < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        s = c.stats()
        assert s.pids_current == 3 and s.memory_current > 0 and s.cpu_usage_ns > 0 and s.oom_kills == 0


def test_pod_containers_share_net_ipc_uts_and_the_pod_cgroup(runtime, rootfs):
    pod = runtime.create_pod("p1", hostname="web-0", resources=Resources(memory_limit=128 << 20))
    try:
        r, w = os.pipe()
        a = pod.create(ContainerSpec(command=("/bin/sh", "-c", "hostname; sleep 1000"), rootfs=rootfs, stdout=w))
        b = pod.create(ContainerSpec(command=SLEEP, rootfs=rootfs))
        os.close(w)
        a.start()
        b.start()
        assert os.read(r, 100) == b"web-0\n"
        os.close(r)
        sandbox, ia, ib = _ns_inodes(pod.pid), _ns_inodes(a.pid), _ns_inodes(b.pid)
        for ns in ("net", "ipc", "uts"):
            assert sandbox[ns] == ia[ns] == ib[ns] != _ns_inodes("self")[ns]
        assert ia["pid"] != ib["pid"] and ia["mnt"] != ib["mnt"]
        pod_dir = f"{runtime.cgroup_root}/podp1"
        with open(f"/proc/{a.pid}/cgroup", encoding="ascii") as f:
            assert f"{pod_dir}/{a.id}" in f.read()
        assert runtime.driver.open(pod_dir).read_resources().memory_limit == 128 << 20
        # The sandbox holds no capabilities and none of the caller's fds.
        assert caps.read_proc_caps(pod.pid).effective == 0
        assert sorted(os.listdir(f"/proc/{pod.pid}/fd")) == []
    finally:
        pod.delete()
    assert cgroup_dirs(f"{runtime.cgroup_root}/podp1") == []
    assert runtime.state.ids() == []


def test_pod_refuses_container_hostnames_and_unshareable_namespaces(runtime, rootfs):
    with pytest.raises(RuntimeSpecError, match="only .* can be shared"):
        runtime.create_pod("p2", namespaces=frozenset({"net", "pid"}))
    pod = runtime.create_pod("p3")
    try:
        with pytest.raises(RuntimeSpecError, match="share the pod's hostname"):
            pod.create(ContainerSpec(command=SLEEP, rootfs=rootfs, hostname="x"))
    finally:
        pod.delete()


def test_device_cgroup_denies_devices_outside_the_allow_list(runtime, rootfs):
    if runtime.driver.mode == "v2":
        pytest.skip("cgroup v2 restricts devices with an eBPF program kubekit does not load (docs/runtime.md)")
    disk = next(os.stat(f"/dev/{d}") for d in sorted(os.listdir("/dev"))
                if d[:2] in ("vd", "sd", "nv") and stat.S_ISBLK(os.stat(f"/dev/{d}").st_mode))
    major, minor = os.major(disk.st_rdev), os.minor(disk.st_rdev)
    script = (f"mknod /tmp/disk b {major} {minor} && echo MADE; head -c 1 /tmp/disk >/dev/null && echo READ; "
              "head -c 1 /dev/urandom >/dev/null && echo URANDOM")
    st, out = run_capture(runtime, dict(command=("/bin/sh", "-c", script)), rootfs)
    assert "MADE" in out and "READ" not in out and "URANDOM" in out and "Operation not permitted" in out, out


def test_cgroup_namespace_is_rooted_at_the_containers_cgroups(runtime, rootfs):
    st, out = run_capture(runtime, {"command": ("/bin/cat", "/proc/self/cgroup")}, rootfs)
    lines = [line for line in out.splitlines() if line]
    assert st.code == 0 and lines, out
    # Every hierarchy (v1 ones and the unified one) shows the namespace root.
    assert all(line.split(":", 2)[2] == "/" for line in lines), out
