"""The v2 driver on the real kernel's cgroup2 tree: /sys/fs/cgroup on a v2
host, /sys/fs/cgroup/unified on a hybrid one (where it offers no resource
controller, so limits there must be refused by name)."""

from __future__ import annotations

import errno
import os
import signal
import time

import pytest
from cgroup_helpers import leftovers, proc_cgroups

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import open_driver
from kubekit.runtime.spec import Resources

MiB = 1 << 20


@pytest.fixture
def driver(host_mode):
    if host_mode == "v1":
        pytest.skip("no cgroup2 tree on this host")
    return open_driver("/sys/fs/cgroup" if host_mode == "v2" else "/sys/fs/cgroup/unified", "v2")


def events(cg) -> dict[str, str]:
    return dict(line.split() for line in cg.read_file("", "cgroup.events").splitlines())


def wait_for(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_create_attach_kill_destroy_with_sub_cgroups(driver, prefix, procs):
    """15 on v2: cgroup.kill reaches the container's own sub-cgroups; rmdir
    bottom-up leaves nothing."""
    assert driver.mode == "v2" and not driver.plain
    cg = driver.create(prefix + "/pod/c", Resources())
    a, b = procs.sleep(), procs.sleep()
    cg.attach(a.pid)
    os.makedirs(cg.v2_dir + "/sub/deeper")
    with open(cg.v2_dir + "/sub/deeper/cgroup.procs", "w") as fp:
        fp.write(str(b.pid))
    assert proc_cgroups(a.pid)[""] == prefix + "/pod/c"
    assert proc_cgroups(b.pid)[""] == prefix + "/pod/c/sub/deeper"
    assert events(cg)["populated"] == "1"
    assert cg.pids() == sorted([a.pid, b.pid])
    cg.kill()
    assert events(cg)["populated"] == "0"
    assert a.wait(timeout=10) == -signal.SIGKILL and b.wait(timeout=10) == -signal.SIGKILL
    cg.destroy()
    cg.destroy()
    assert not os.path.exists(cg.v2_dir)
    assert driver.remove_if_empty(prefix + "/pod") and driver.remove_if_empty(prefix)
    assert leftovers(prefix) == []


def test_destroy_kills_first(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources())
    # python_in: the child forks only once it is attached, so all 8 land in the cgroup
    p = procs.python_in(cg, "import os, time\nfor _ in range(3):\n    os.fork()\ntime.sleep(100)")
    wait_for(lambda: len(cg.pids()) == 8)
    cg.destroy()
    assert p.wait(timeout=10) == -signal.SIGKILL
    assert leftovers(prefix + "/c") == []


def test_freeze_and_thaw_seen_in_cgroup_events(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources())
    p = procs.sleep()
    cg.attach(p.pid)
    assert events(cg)["frozen"] == "0"
    cg.freeze()
    assert events(cg)["frozen"] == "1" and cg.is_frozen()
    cg.thaw()
    assert events(cg)["frozen"] == "0" and not cg.is_frozen()
    cg.freeze()
    cg.kill()                         # a frozen cgroup can be killed
    assert p.wait(timeout=10) == -signal.SIGKILL
    cg.destroy()


def test_second_create_refused_when_not_empty_or_frozen(driver, prefix, procs):
    """13"""
    cg = driver.create(prefix + "/c", Resources())
    p = procs.sleep()
    cg.attach(p.pid)
    with pytest.raises(CgroupError, match=f"cgroup {prefix}/c is not empty") as e:
        driver.create(prefix + "/c", Resources())
    assert e.value.errno == errno.EBUSY
    cg.kill()
    cg.freeze()
    with pytest.raises(CgroupError, match="unexpectedly frozen"):
        driver.create(prefix + "/c", Resources())
    cg.thaw()
    assert driver.create(prefix + "/c", Resources()).path == prefix + "/c"
    cg.destroy()


def test_v2_fd_is_the_cgroup_directory(driver, prefix):
    cg = driver.create(prefix + "/c", Resources())
    fd = cg.v2_fd()
    try:
        assert os.readlink(f"/proc/self/fd/{fd}") == cg.v2_dir
        assert os.get_inheritable(fd) is False
    finally:
        os.close(fd)
    cg.destroy()


def test_limits_need_their_controller(driver, prefix):
    """Where the tree lacks a controller the limit is refused by name, and
    nothing is created; where it has it, the kernel holds the value (1, 10)."""
    r = Resources(memory_limit=33554432, pids_limit=20)
    available = driver.hierarchies[0].controllers
    if "memory" not in available:
        with pytest.raises(CgroupError, match=r"cgroup v2 controller '\w+' is not available under "):
            driver.create(prefix + "/c", r)
        assert leftovers(prefix) == []
        return
    cg = driver.create(prefix + "/c", r)
    assert cg.read_file("", "memory.max") == "33554432"
    assert cg.read_file("", "pids.max") == "20"
    cg.destroy()


def test_unified_core_keys_and_unknown_keys(driver, prefix):
    """12: a unified key is written last and reads back; an unknown key or
    controller is an error naming it."""
    cg = driver.create(prefix + "/c", Resources(unified={"cgroup.max.descendants": "5", "cgroup.max.depth": "2"}))
    assert cg.read_file("", "cgroup.max.descendants") == "5"
    assert cg.read_file("", "cgroup.max.depth") == "2"
    cg.update(Resources(unified={"cgroup.max.descendants": "7"}))
    assert cg.read_file("", "cgroup.max.descendants") == "7"
    with pytest.raises(CgroupError, match=r"write cgroup.nonexistent=1 in .*: No such file or directory "
                                          r"\(no such control file"):
        cg.update(Resources(unified={"cgroup.nonexistent": "1"}))
    with pytest.raises(CgroupError, match="controller 'foo' is not available"):
        cg.update(Resources(unified={"foo.bar": "1"}))
    with pytest.raises(CgroupError, match="write cgroup.max.depth=nope in .*: Invalid argument"):
        cg.update(Resources(unified={"cgroup.max.depth": "nope"}))
    cg.destroy()
    with pytest.raises(CgroupError, match="cgroup.bogus"):
        driver.create(prefix + "/d", Resources(unified={"cgroup.bogus": "1"}))
    assert not os.path.exists(driver.hierarchies[0].mount + prefix + "/d")


def test_stats_and_oom_kills_without_controllers(driver, prefix, procs):
    cg = driver.create(prefix + "/c", Resources())
    procs.python_in(cg, "x = sum(range(2_000_000))\nimport time\ntime.sleep(100)")
    wait_for(lambda: (cg.stats().cpu_usage_ns or 0) > 0)
    s = cg.stats()
    assert s.cpu_usage_ns > 0          # cpu.stat's usage_usec is there without the cpu controller
    available = driver.hierarchies[0].controllers
    if "memory" not in available:
        assert s.memory_current is None and s.memory_working_set is None and s.oom_kills is None
        assert cg.oom_kills() == 0
    else:
        assert s.memory_current > 0 and s.oom_kills == 0
    if "pids" not in available:
        assert s.pids_current is None
    else:
        assert s.pids_current == 1
    cg.destroy()


def test_read_resources_reports_what_the_tree_has(driver, prefix):
    cg = driver.create(prefix + "/c", Resources())
    r = cg.read_resources()
    if "memory" not in driver.hierarchies[0].controllers:
        assert r.memory_limit is None and r.memory_swap is None
    if "cpu" not in driver.hierarchies[0].controllers:
        assert r.cpu_quota is None and r.unified == {}
    cg.destroy()


def test_list_children_across_the_tree(driver, prefix):
    for name in ("b", "a"):
        driver.create(f"{prefix}/pod/{name}", Resources())
    assert driver.list_children(prefix + "/pod") == [prefix + "/pod/a", prefix + "/pod/b"]
    assert driver.list_children(prefix) == [prefix + "/pod"]
    assert not driver.remove_if_empty(prefix + "/pod")
    for child in driver.list_children(prefix + "/pod"):
        driver.open(child).destroy()
    assert driver.remove_if_empty(prefix + "/pod")
