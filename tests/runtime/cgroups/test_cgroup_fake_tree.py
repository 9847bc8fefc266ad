"""Drivers pointed at a fake tree of plain files under tmp_path: exactly what
they write, for the v2 controller files this host's kernel cannot show (its
v2 tree offers no resource controller), and the v1 parent seeding."""

from __future__ import annotations

import os

import pytest

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import open_driver
from kubekit.runtime.spec import Resources

MiB = 1 << 20


def read(path) -> str:
    with open(path) as f:
        return f.read()


@pytest.fixture
def v2tree(tmp_path):
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma\n")
    (root / "cgroup.subtree_control").write_text("")
    driver = open_driver(str(root), "v2")
    assert driver.plain and driver.mode == "v2"
    return driver, root


def test_create_enables_controllers_down_the_path_and_writes_limits(v2tree):
    driver, root = v2tree
    cg = driver.create("/kubekit/pod1/c1", Resources(
        memory_limit=52428800, memory_swap=96468992, memory_reservation=25165824, cpu_shares=1024,
        cpu_quota=500000, cpu_period=1000000, pids_limit=20, cpuset_cpus="0-1", cpuset_mems="0"))
    # every ancestor (root, /kubekit, /kubekit/pod1) gets what is needed and offered; the leaf none
    for d in (root, root / "kubekit", root / "kubekit" / "pod1"):
        assert read(d / "cgroup.subtree_control") == "+cpu +memory +pids +cpuset"
    leaf = root / "kubekit" / "pod1" / "c1"
    assert not (leaf / "cgroup.subtree_control").exists()
    assert {f: read(leaf / f) for f in sorted(os.listdir(leaf))} == {
        "cpu.max": "500000 1000000",
        "cpu.weight": "100",
        "cpuset.cpus": "0-1",
        "cpuset.mems": "0",
        "memory.low": "25165824",
        "memory.max": "52428800",
        "memory.swap.max": "44040192",
        "pids.max": "20",
    }
    assert cg.path == "/kubekit/pod1/c1" and cg.v2_dir == str(leaf)


def test_already_enabled_controllers_are_not_rewritten(v2tree):
    driver, root = v2tree
    (root / "cgroup.subtree_control").write_text("cpu memory pids io")
    driver.create("/k/c", Resources(pids_limit=5))
    assert read(root / "cgroup.subtree_control") == "cpu memory pids io"
    assert read(root / "k" / "cgroup.subtree_control") == "+cpu +memory +pids"


def test_only_offered_controllers_are_enabled(tmp_path):
    root = tmp_path / "cg"
    root.mkdir()
    (root / "cgroup.controllers").write_text("pids\n")
    driver = open_driver(str(root), "v2")
    driver.create("/k/c", Resources(pids_limit=5))
    assert read(root / "cgroup.subtree_control") == "+pids"
    with pytest.raises(CgroupError, match=r"controller 'memory' is not available under .*cg "
                                          r"\(cgroup.controllers: pids\); needed for memory.max=1048576"):
        driver.create("/k/d", Resources(memory_limit=MiB))
    assert not (root / "k" / "d").exists()


def test_unified_overrides_and_reads_back(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources(cpu_shares=3333, memory_limit=33554432,
                                         unified={"cpu.weight": "1234", "memory.max": "10485760",
                                                  "memory.min": "131072", "cgroup.max.depth": "3"}))
    leaf = root / "k" / "c"
    assert read(leaf / "cpu.weight") == "1234"          # crun test_resources_cpu_weight
    assert read(leaf / "memory.max") == "10485760"
    assert read(leaf / "memory.min") == "131072"
    assert read(leaf / "cgroup.max.depth") == "3"
    assert cg.read_file("", "cpu.weight") == "1234"


@pytest.mark.parametrize("unified, message", [
    ({"foo.bar": "1"}, "controller 'foo' is not available"),          # crun ..._invalid_controller
    ({"misc.max": "1"}, "controller 'misc' is not available"),
    ({"memory/x": "1"}, "must be a file name without '/'"),
    ({"memory": "1"}, "CONTROLLER.PARAMETER"),
])
def test_unified_errors_create_nothing(v2tree, unified, message):
    driver, root = v2tree
    with pytest.raises(CgroupError, match=message):
        driver.create("/k/c", Resources(unified=unified))
    assert not (root / "k").exists()


def test_update_keeps_the_other_half_of_cpu_max(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources(cpu_quota=500000, cpu_period=1000000))
    cpu_max = root / "k" / "c" / "cpu.max"
    steps = [  # update.bats "update cgroup cpu limits"
        (Resources(cpu_period=900000), "500000 900000"),
        (Resources(cpu_quota=600000), "600000 900000"),
        (Resources(cpu_quota=-1), "max 900000"),
        (Resources(cpu_quota=-1, cpu_period=100000), "max 100000"),
        (Resources(cpu_quota=500000, cpu_period=1000000), "500000 1000000"),
    ]
    for update, expected in steps:
        cg.update(update)
        assert read(cpu_max) == expected


def test_update_refuses_memory_below_usage_and_keeps_the_old_limit(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources(memory_limit=64 * MiB))
    leaf = root / "k" / "c"
    (leaf / "memory.current").write_text("41943040\n")
    with pytest.raises(CgroupError, match="rejecting memory_limit 33554432: at or below the current usage 41943040"):
        cg.update(Resources(memory_limit=32 * MiB, pids_limit=3))
    assert read(leaf / "memory.max") == str(64 * MiB)
    assert not (leaf / "pids.max").exists()                  # nothing at all was written
    cg.update(Resources(memory_limit=48 * MiB))
    assert read(leaf / "memory.max") == str(48 * MiB)


def test_update_swap_alone_uses_the_current_limit(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources(memory_limit=52428800))
    cg.update(Resources(memory_swap=96468992))
    assert read(root / "k" / "c" / "memory.swap.max") == "44040192"


def test_update_enables_a_controller_needed_later(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources())
    assert read(root / "cgroup.subtree_control") == "+cpu +memory +pids"
    cg.update(Resources(cpuset_cpus="1"))
    assert read(root / "k" / "cgroup.subtree_control").endswith("+cpuset")
    assert read(root / "k" / "c" / "cpuset.cpus") == "1"


def test_read_resources_round_trip(v2tree):
    driver, root = v2tree
    cg = driver.create("/k/c", Resources(memory_limit=52428800, memory_swap=96468992, memory_reservation=1024,
                                         cpu_shares=512, cpu_quota=5000, pids_limit=-1, cpuset_cpus="0"))
    got = cg.read_resources()
    assert got == Resources(memory_limit=52428800, memory_reservation=1024, memory_swap=96468992, cpu_quota=5000,
                            cpu_period=100000, cpuset_cpus="0", pids_limit=-1, unified={"cpu.weight": "59"})
    leaf = root / "k" / "c"
    before = {f: read(leaf / f) for f in os.listdir(leaf)}
    cg.update(got)
    assert {f: read(leaf / f) for f in os.listdir(leaf)} == before


def test_second_create_reuses_an_empty_cgroup_and_refuses_a_busy_or_frozen_one(v2tree):
    driver, root = v2tree
    driver.create("/k/c", Resources(pids_limit=1))
    driver.create("/k/c", Resources(pids_limit=2))             # empty: reused, limits rewritten
    assert read(root / "k" / "c" / "pids.max") == "2"
    (root / "k" / "c" / "cgroup.freeze").write_text("1")
    with pytest.raises(CgroupError, match="cgroup /k/c is unexpectedly frozen"):
        driver.create("/k/c", Resources())
    (root / "k" / "c" / "cgroup.freeze").write_text("0")
    (root / "k" / "c" / "cgroup.procs").write_text("4242\n")
    with pytest.raises(CgroupError, match=r"cgroup /k/c is not empty: processes \[4242\]"):
        driver.create("/k/c", Resources())


def test_destroy_list_children_remove_if_empty(v2tree):
    driver, root = v2tree
    a = driver.create("/k/pod/a", Resources(pids_limit=3))
    b = driver.create("/k/pod/b", Resources())
    (root / "k" / "pod" / "a" / "sub").mkdir()                # a sub-cgroup the container made
    assert driver.list_children("/k/pod") == ["/k/pod/a", "/k/pod/b"]
    assert driver.list_children("/") == ["/k"]
    assert driver.remove_if_empty("/k/pod") is False
    a.destroy()
    a.destroy()                                               # idempotent
    assert driver.list_children("/k/pod") == ["/k/pod/b"]
    b.destroy()
    assert driver.remove_if_empty("/k/pod") is True
    assert driver.remove_if_empty("/k/pod") is True           # already gone
    assert os.listdir(root / "k") == ["cgroup.subtree_control"]


def test_open_and_invalid_paths(v2tree):
    driver, _ = v2tree
    with pytest.raises(CgroupError, match="cgroup /k/none does not exist") as e:
        driver.open("/k/none")
    assert e.value.errno == 2
    driver.create("/k/c", Resources())
    assert driver.open("//k/c/").path == "/k/c"
    for bad in ("k/c", "/k/../c", "/", "/k/./c"):
        with pytest.raises(CgroupError, match="invalid cgroup path"):
            driver.create(bad, Resources())


def test_failed_write_removes_what_create_made(v2tree, monkeypatch):
    driver, root = v2tree
    from kubekit.runtime.cgroups import files

    real = files.write_file

    def refuse_pids(directory, name, value, *, create=False):
        if name == "pids.max":
            raise CgroupError(22, f"write {name}={value} in {directory}: Invalid argument", f"{directory}/{name}")
        return real(directory, name, value, create=create)

    monkeypatch.setattr(files, "write_file", refuse_pids)
    (root / "pod").mkdir()                                    # exists before: stays
    with pytest.raises(CgroupError, match=r"write pids.max=7 in .*/pod/c: Invalid argument"):
        driver.create("/pod/c", Resources(pids_limit=7))
    assert sorted(os.listdir(root / "pod")) == ["cgroup.subtree_control"]


# ---- a fake v1 tree ------------------------------------------------------------

@pytest.fixture
def v1tree(tmp_path):
    root = tmp_path / "cg"
    names = ("cpuset", "cpu,cpuacct", "memory", "pids")
    for name in names:
        (root / name).mkdir(parents=True)
    (root / "cpuset" / "cpuset.cpus").write_text("0-3\n")
    (root / "cpuset" / "cpuset.mems").write_text("0\n")
    mountinfo = "".join(f"{30 + i} 25 0:{40 + i} / {root}/{n} rw - cgroup cgroup rw,{n}\n" for i, n in enumerate(names))
    return open_driver(str(root), "v1", mountinfo=mountinfo, proc_cgroups=""), root


def test_v1_seeds_cpuset_down_the_path_and_writes_per_controller(v1tree):
    driver, root = v1tree
    (root / "cpuset" / "pod").mkdir()
    (root / "cpuset" / "pod" / "cpuset.cpus").write_text("1-2\n")     # an existing level keeps its own
    driver.create("/pod/c", Resources(cpu_shares=100, cpu_quota=5000, memory_limit=MiB, pids_limit=0))
    assert read(root / "cpuset" / "pod" / "cpuset.cpus") == "1-2\n"
    assert read(root / "cpuset" / "pod" / "cpuset.mems") == "0"
    assert read(root / "cpuset" / "pod" / "c" / "cpuset.cpus") == "1-2"
    assert read(root / "cpuset" / "pod" / "c" / "cpuset.mems") == "0"
    assert read(root / "cpu,cpuacct" / "pod" / "c" / "cpu.shares") == "100"
    assert read(root / "cpu,cpuacct" / "pod" / "c" / "cpu.cfs_quota_us") == "5000"
    assert read(root / "memory" / "pod" / "c" / "memory.limit_in_bytes") == str(MiB)
    assert read(root / "pids" / "pod" / "c" / "pids.max") == "1"


def test_v1_missing_controller_is_named(tmp_path):
    root = tmp_path / "cg"
    (root / "memory").mkdir(parents=True)
    driver = open_driver(str(root), "v1", mountinfo=f"1 2 0:3 / {root}/memory rw - cgroup cgroup rw,memory\n",
                         proc_cgroups="")
    with pytest.raises(CgroupError, match="cgroup v1 controller 'pids' is not mounted under .*; needed for pids.max=4"):
        driver.create("/c", Resources(pids_limit=4))
    assert not (root / "memory" / "c").exists()
