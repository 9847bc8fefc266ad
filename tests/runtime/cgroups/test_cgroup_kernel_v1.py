"""The v1 and hybrid drivers on the real kernel: the kernel is the oracle.

Runs on hosts with cgroup v1 controllers (pure v1 or hybrid); each test runs
with the host's driver and, on a hybrid host, also with a pure-v1 driver over
the same v1 hierarchies (no unified tree: the freezer/SIGKILL kill path).
Numbers in the docstrings are the behaviours of notes §(e)."""

from __future__ import annotations

import errno
import os
import signal
import time

import pytest
from cgroup_helpers import leftovers, proc_cgroups

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import open_driver
from kubekit.runtime.cgroups.convert import parse_v1_limit
from kubekit.runtime.cgroups.v1 import seed_cpuset
from kubekit.runtime.spec import Resources

MiB = 1 << 20
UPDATE_BATS = Resources(memory_limit=33554432, memory_reservation=25165824, cpu_shares=100, cpu_quota=500000,
                        cpu_period=1000000, pids_limit=20)


@pytest.fixture(params=["host", "v1"])
def driver(request, host_mode):
    if host_mode == "v2":
        pytest.skip("no cgroup v1 hierarchies on this host")
    if request.param == "v1" and host_mode != "hybrid":
        pytest.skip("the forced-v1 variant only differs from the host driver on hybrid hosts")
    return open_driver() if request.param == "host" else open_driver(mode="v1")


def wait_for(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def cat(path: str) -> str:
    with open(path) as fp:
        return fp.read().strip()


def f(cg, controller, name):
    return cg.read_file(controller, name)


def assert_gone(prefix, path=""):
    left = [d for d in leftovers(prefix) if d.endswith(prefix + path) or (prefix + path + "/") in d]
    assert left == []


def test_limits_read_back(driver, prefix):
    """1, 2, 7, 9, 10, 11: every limit lands in its v1 file."""
    cg = driver.create(prefix + "/pod/c", Resources(
        memory_limit=33554432, memory_reservation=25165824, memory_swap=67108864, cpu_shares=100,
        cpu_quota=500000, cpu_period=1000000, pids_limit=20, cpuset_cpus="0", cpuset_mems="0"))
    assert f(cg, "memory", "memory.limit_in_bytes") == "33554432"
    assert f(cg, "memory", "memory.soft_limit_in_bytes") == "25165824"
    assert f(cg, "memory", "memory.memsw.limit_in_bytes") == "67108864"
    assert f(cg, "cpu", "cpu.shares") == "100"
    assert f(cg, "cpu", "cpu.cfs_quota_us") == "500000"
    assert f(cg, "cpu", "cpu.cfs_period_us") == "1000000"
    assert f(cg, "pids", "pids.max") == "20"
    assert f(cg, "cpuset", "cpuset.cpus") == "0"
    assert f(cg, "cpuset", "cpuset.mems") == "0"
    assert cg.read_resources() == Resources(
        memory_limit=33554432, memory_reservation=25165824, memory_swap=67108864, cpu_shares=100,
        cpu_quota=500000, cpu_period=1000000, pids_limit=20, cpuset_cpus="0", cpuset_mems="0")
    cg.destroy()
    assert_gone(prefix, "/pod/c")


def test_cpuset_parents_are_seeded(driver, prefix, procs):
    """11: a new cpuset cgroup is empty and refuses tasks; each level gets its parent's."""
    cg = driver.create(prefix + "/a/b/c", Resources())
    top = cg.dir_for("cpuset")
    root_cpus = cat(top[: -len(prefix + "/a/b/c")] + "/cpuset.cpus")
    for sub in ("", "/a", "/a/b", "/a/b/c"):
        assert cat(top[: -len("/a/b/c")] + sub + "/cpuset.cpus") == root_cpus
    p = procs.sleep()
    cg.attach(p.pid)                  # would be ENOSPC with an empty cpuset
    assert cg.pids() == [p.pid]
    cg.destroy()


def test_update_each_limit_on_a_running_cgroup(driver, prefix, procs):
    """24 (update.bats "common limits" and "cpu limits"), 3."""
    cg = driver.create(prefix + "/c", UPDATE_BATS)
    p = procs.sleep()
    cg.attach(p.pid)
    root_mem = cat(cg.dir_for("memory")[: -len(prefix + "/c")] + "/memory.limit_in_bytes")
    steps = [
        (Resources(memory_limit=67108864), "memory", "memory.limit_in_bytes", "67108864"),
        (Resources(memory_limit=50 * MiB), "memory", "memory.limit_in_bytes", "52428800"),
        (Resources(memory_reservation=33554432), "memory", "memory.soft_limit_in_bytes", "33554432"),
        (Resources(memory_swap=-1), "memory", "memory.memsw.limit_in_bytes", root_mem),
        (Resources(memory_swap=96468992), "memory", "memory.memsw.limit_in_bytes", "96468992"),
        (Resources(memory_limit=-1), "memory", "memory.limit_in_bytes", root_mem),
        (Resources(pids_limit=10), "pids", "pids.max", "10"),
        (Resources(pids_limit=-1), "pids", "pids.max", "max"),
        (Resources(cpu_period=900000), "cpu", "cpu.cfs_period_us", "900000"),
        (Resources(cpu_quota=600000), "cpu", "cpu.cfs_quota_us", "600000"),
        (Resources(cpu_quota=-1), "cpu", "cpu.cfs_quota_us", "-1"),
        (Resources(cpu_shares=200), "cpu", "cpu.shares", "200"),
        (Resources(cpuset_cpus="0"), "cpuset", "cpuset.cpus", "0"),
    ]
    for update, controller, name, expected in steps:
        cg.update(update)
        assert f(cg, controller, name) == expected, update
    # memory -1 lifted memsw too; quota stayed -1 when the period changed
    assert f(cg, "memory", "memory.memsw.limit_in_bytes") == root_mem
    assert f(cg, "cpu", "cpu.cfs_period_us") == "900000"
    # update.bats "set new memory to more than old swap": only works memsw-first
    cg.update(Resources(memory_limit=30 * MiB, memory_swap=50 * MiB))
    cg.update(Resources(memory_limit=60 * MiB, memory_swap=80 * MiB))
    assert f(cg, "memory", "memory.limit_in_bytes") == str(60 * MiB)
    assert f(cg, "memory", "memory.memsw.limit_in_bytes") == str(80 * MiB)
    cg.update(Resources(memory_limit=20 * MiB, memory_swap=40 * MiB))
    assert f(cg, "memory", "memory.memsw.limit_in_bytes") == str(40 * MiB)
    # back to the initial values in one update
    cg.update(UPDATE_BATS)
    r = cg.read_resources()
    assert (r.memory_limit, r.memory_reservation, r.cpu_shares, r.cpu_quota, r.cpu_period, r.pids_limit) == (
        33554432, 25165824, 100, 500000, 1000000, 20)
    assert p.poll() is None
    cg.destroy()
    assert p.wait(timeout=10) == -signal.SIGKILL
    assert_gone(prefix, "/c")


@pytest.mark.parametrize("pids, expected", [(0, "1"), (-1, "max"), (1, "1")])
def test_pids_limit_values(driver, prefix, pids, expected):
    """10: runc's cgroups.bats: pids.limit=0 means 1, -1 means unlimited."""
    cg = driver.create(prefix + "/c", Resources(pids_limit=pids))
    assert f(cg, "pids", "pids.max") == expected
    cg.destroy()


@pytest.mark.parametrize("resources, quota, period", [
    (Resources(cpu_period=1000000), "-1", "1000000"),      # update.bats "period with no quota"
    (Resources(cpu_quota=5000), "5000", "100000"),         # "quota with no period"
])
def test_cpu_quota_or_period_alone(driver, prefix, resources, quota, period):
    """8"""
    cg = driver.create(prefix + "/c", resources)
    assert (f(cg, "cpu", "cpu.cfs_quota_us"), f(cg, "cpu", "cpu.cfs_period_us")) == (quota, period)
    cg.destroy()


def test_period_below_kernel_minimum_fails_and_leaves_nothing(driver, prefix):
    """8: period 100 µs (< 1 ms): the kernel refuses; the error names file, value and
    directory; create removes what it made."""
    with pytest.raises(CgroupError) as e:
        driver.create(prefix + "/pod/c", Resources(cpu_quota=5000, cpu_period=100))
    assert e.value.errno == errno.EINVAL
    assert "write cpu.cfs_period_us=100 in " in str(e.value) and f"{prefix}/pod/c: Invalid argument" in str(e.value)
    assert leftovers(prefix) == []


@pytest.mark.parametrize("shares, stored", [(1, "2"), (500000, "262144")])
def test_clamped_cpu_shares_are_an_error(driver, prefix, shares, stored):
    """9: v1 clamps cpu.shares silently; runc reads it back and refuses."""
    with pytest.raises(CgroupError, match=f"invalid cpu_shares {shares}: the kernel stored {stored}"):
        driver.create(prefix + "/c", Resources(cpu_shares=shares))
    assert leftovers(prefix) == []


def test_unified_is_refused_on_v1(driver, prefix):
    """12 (cgroups.bats "cgroup v1 + unified resources should fail")."""
    with pytest.raises(CgroupError, match="invalid configuration"):
        driver.create(prefix + "/c", Resources(pids_limit=10, unified={"memory.min": "131072"}))
    assert leftovers(prefix) == []


def test_second_create_refused_when_not_empty_or_frozen(driver, prefix, procs):
    """13"""
    cg = driver.create(prefix + "/c", Resources(pids_limit=10))
    again = driver.create(prefix + "/c", Resources(pids_limit=11))      # empty: reused
    assert f(again, "pids", "pids.max") == "11"
    p = procs.sleep()
    cg.attach(p.pid)
    with pytest.raises(CgroupError, match=f"cgroup {prefix}/c is not empty"):
        driver.create(prefix + "/c", Resources())
    cg.kill()
    p.wait(timeout=10)
    cg.freeze()
    with pytest.raises(CgroupError, match=f"cgroup {prefix}/c is unexpectedly frozen"):
        driver.create(prefix + "/c", Resources())
    cg.thaw()
    cg.destroy()
    assert leftovers(prefix) == [d for d in leftovers(prefix) if d.endswith(prefix)]


def test_attach_joins_every_hierarchy(driver, prefix, procs):
    """14: the process shows the path in every v1 hierarchy and, on hybrid, as 0::."""
    cg = driver.create(prefix + "/pod/c", Resources())
    p = procs.sleep()
    cg.attach(p.pid)
    groups = proc_cgroups(p.pid)
    for h, _ in cg.dirs:
        key = set() if h.version == 2 else set(h.controllers)
        matching = [v for k, v in groups.items() if set(filter(None, k.split(","))) == key]
        assert matching == [prefix + "/pod/c"], (h, groups)
    if driver.mode == "hybrid":
        assert groups[""] == prefix + "/pod/c"
        fd = cg.v2_fd()
        try:
            assert os.readlink(f"/proc/self/fd/{fd}") == cg.v2_dir
        finally:
            os.close(fd)
    else:
        assert cg.v2_fd() is None
    cg.destroy()


def test_attach_without_v2(driver, prefix, procs):
    """CLONE_INTO_CGROUP already placed it in the v2 tree: only v1 is written."""
    cg = driver.create(prefix + "/c", Resources())
    p = procs.sleep()
    cg.attach(p.pid, include_v2=False)
    groups = proc_cgroups(p.pid)
    assert groups["memory"] == prefix + "/c"
    if driver.mode == "hybrid":
        assert groups[""] != prefix + "/c"
    assert cg.pids() == [p.pid]
    cg.destroy()                      # the v1 sweep kills what cgroup.kill could not reach
    assert p.wait(timeout=10) == -signal.SIGKILL
    assert leftovers(prefix + "/c") == []


def test_kill_and_destroy_with_sub_cgroups(driver, prefix, procs):
    """15 (delete.bats "delete --force ... with subcgroups"): processes in the
    container's own sub-cgroups die too and no directory is left anywhere."""
    cg = driver.create(prefix + "/pod/c", Resources(memory_limit=64 * MiB, pids_limit=50))
    a, b = procs.sleep(), procs.sleep()
    cg.attach(a.pid)
    for h, d in cg.dirs:              # what a container does inside: mkdir + move itself
        os.makedirs(d + "/sub/deeper")
        if "cpuset" in h.controllers:
            seed_cpuset(d, "/sub/deeper")
        with open(d + "/sub/deeper/cgroup.procs", "w") as fp:
            fp.write(str(b.pid))
    assert cg.pids() == sorted([a.pid, b.pid])
    cg.destroy()
    assert a.wait(timeout=10) == -signal.SIGKILL and b.wait(timeout=10) == -signal.SIGKILL
    assert [d for d in leftovers(prefix) if "/pod/c" in d] == []
    assert driver.remove_if_empty(prefix + "/pod") is True
    assert driver.remove_if_empty(prefix) is True
    assert leftovers(prefix) == []
    cg.destroy()                      # idempotent


def test_kill_a_frozen_cgroup(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources())
    # python_in: the child forks only once it is attached, so all 8 land in the cgroup
    p = procs.python_in(cg, "import os, time\nfor _ in range(3):\n    os.fork()\ntime.sleep(100)")
    deadline = time.monotonic() + 5
    while len(cg.pids()) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(cg.pids()) == 8
    cg.freeze()
    cg.kill()
    assert cg.pids() == []
    assert p.wait(timeout=10) == -signal.SIGKILL
    cg.destroy()
    assert leftovers(prefix + "/c") == []


def test_freeze_and_thaw(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources())
    p = procs.sleep()
    cg.attach(p.pid)
    cg.freeze()
    if driver.mode == "hybrid":
        assert "frozen 1" in f(cg, "", "cgroup.events").splitlines()
    else:
        assert f(cg, "freezer", "freezer.state") == "FROZEN"
    assert cg.is_frozen()
    cg.thaw()
    assert not cg.is_frozen()
    if driver.mode == "hybrid":
        assert "frozen 0" in f(cg, "", "cgroup.events").splitlines()
    else:
        assert f(cg, "freezer", "freezer.state") == "THAWED"
    cg.destroy()


def test_memory_update_below_usage_is_refused(driver, prefix, procs):
    """6: the kernel cannot reclaim anonymous memory without swap: EBUSY → a
    clear error, the old limit stays, the process keeps running."""
    with open("/proc/swaps") as fp:
        if len(fp.read().splitlines()) > 1:
            pytest.skip("swap is on: the kernel may reclaim to swap instead of refusing")
    cg = driver.create(prefix + "/c", Resources(memory_limit=256 * MiB))
    p = procs.python_in(cg, "b = bytearray(64 << 20)\nimport time\ntime.sleep(100)")
    wait_for(lambda: cg.stats().memory_current >= 64 * MiB)
    with pytest.raises(CgroupError, match=r"write memory.limit_in_bytes=16777216 in .*: refused, "
                                          r"the current usage \d+ cannot be reclaimed") as e:
        cg.update(Resources(memory_limit=16 * MiB))
    assert e.value.errno == errno.EBUSY
    assert f(cg, "memory", "memory.limit_in_bytes") == str(256 * MiB)
    assert p.poll() is None
    cg.destroy()


def test_real_oom_kill_is_counted(driver, prefix, procs):
    """5 (events.bats "events oom"): 200 MB under a 64 MiB limit with swap ==
    limit is SIGKILLed by the memcg OOM killer and oom_kills() counts it."""
    cg = driver.create(prefix + "/c", Resources(memory_limit=64 * MiB, memory_swap=64 * MiB))
    assert cg.oom_kills() == 0
    p = procs.python_in(cg, "b = bytearray(200 << 20)")
    assert p.wait(timeout=30) == -signal.SIGKILL
    assert cg.oom_kills() >= 1
    s = cg.stats()
    assert s.oom_kills >= 1 and s.memory_peak >= 60 * MiB
    cg.destroy()


def test_stats_of_a_running_cgroup(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources(memory_limit=256 * MiB))
    procs.python_in(cg, "b = bytearray(32 << 20)\nx = sum(range(3_000_000))\nimport time\ntime.sleep(100)")
    wait_for(lambda: (cg.stats().memory_current or 0) >= 32 * MiB and cg.stats().cpu_usage_ns > 0)
    s = cg.stats()
    assert s.memory_current >= 32 * MiB
    assert s.memory_peak >= s.memory_current
    assert 0 <= s.memory_working_set <= s.memory_current
    assert s.pids_current == 1
    assert s.cpu_usage_ns > 0
    assert s.oom_kills == 0
    assert cg.stats().cpu_usage_ns >= s.cpu_usage_ns
    assert cg._stat_files.open_count() == 6
    sf = cg._stat_files
    cg.destroy()
    assert sf.closed and cg._stat_files is None


def test_open_and_list_children(driver, prefix, procs):
    a = driver.create(prefix + "/pod/a", Resources())
    driver.create(prefix + "/pod/b", Resources())
    assert driver.list_children(prefix + "/pod") == [prefix + "/pod/a", prefix + "/pod/b"]
    assert prefix in driver.list_children("/")
    p = procs.sleep()
    a.attach(p.pid)
    again = driver.open(prefix + "/pod/a")
    assert again.pids() == [p.pid]
    assert driver.remove_if_empty(prefix + "/pod") is False
    for child in driver.list_children(prefix + "/pod"):
        driver.open(child).destroy()
    assert p.wait(timeout=10) == -signal.SIGKILL
    with pytest.raises(CgroupError) as e:
        driver.open(prefix + "/pod/a")
    assert e.value.errno == errno.ENOENT
    assert driver.remove_if_empty(prefix + "/pod") is True
    assert driver.list_children(prefix) == []


def test_read_file_errors(driver, prefix):
    cg = driver.create(prefix + "/c", Resources())
    with pytest.raises(CgroupError, match="read nope in"):
        cg.read_file("memory", "nope")
    with pytest.raises(CgroupError, match="controller 'rdma' is not mounted"):
        cg.read_file("rdma", "rdma.max")
    if driver.mode == "v1":
        with pytest.raises(CgroupError, match="no cgroup v2 tree"):
            cg.read_file("", "cgroup.events")
    cg.destroy()


def test_limit_v1_unlimited_reads_as_minus_one(driver, prefix):
    cg = driver.create(prefix + "/c", Resources(memory_limit=-1, pids_limit=-1, cpu_quota=-1))
    r = cg.read_resources()
    assert (r.memory_limit, r.memory_swap, r.pids_limit, r.cpu_quota) == (-1, -1, -1, -1)
    assert parse_v1_limit(f(cg, "memory", "memory.limit_in_bytes")) == -1
    cg.destroy()
