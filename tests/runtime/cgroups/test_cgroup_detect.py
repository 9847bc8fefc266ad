"""Mode detection and hierarchy discovery: pure parsers on table inputs, plus
the real host as a sanity check."""

from __future__ import annotations

import pytest

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups import detect_mode, open_driver
from kubekit.runtime.cgroups.detect import (
    CGROUP2_SUPER_MAGIC,
    CGROUP_SUPER_MAGIC,
    MODES,
    TMPFS_MAGIC,
    Hierarchy,
    classify_mode,
    parse_cgroup_mounts,
    parse_proc_cgroups,
    parse_proc_self_cgroup,
    v1_hierarchies_from,
)

EXT4_MAGIC = 0xEF53

# This machine (Firecracker guest, Debian 12): hybrid, every v1 controller on its own.
HYBRID_SEPARATE = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""

# systemd's legacy layout (Debian 10, CentOS 7): co-mounted cpu,cpuacct and
# net_cls,net_prio, optional fields before the separator, extra super options.
SYSTEMD_LEGACY = """\
25 19 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,xattr,name=systemd
30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
31 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,net_cls,net_prio
32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
33 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,clone_children,cpuset
34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
35 25 0:32 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,freezer
99 90 0:27 / /var/lib/docker/x/cpu rw - cgroup cgroup rw,cpu,cpuacct
"""

UNIFIED_ONLY = """\
22 27 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
"""

KNOWN = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "net_cls", "net_prio", "hugetlb"}


@pytest.mark.parametrize("root_magic, unified_magic, mode", [
    (CGROUP2_SUPER_MAGIC, None, "v2"),
    (CGROUP2_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, "v2"),
    (TMPFS_MAGIC, CGROUP2_SUPER_MAGIC, "hybrid"),
    (TMPFS_MAGIC, None, "v1"),
    (TMPFS_MAGIC, TMPFS_MAGIC, "v1"),              # an empty unified/ directory on the tmpfs
    (CGROUP_SUPER_MAGIC, None, "v1"),              # one v1 hierarchy mounted at the root itself
])
def test_classify_mode(root_magic, unified_magic, mode):
    assert classify_mode(root_magic, unified_magic) == mode


def test_classify_mode_refuses_other_file_systems():
    with pytest.raises(CgroupError, match=r"invalid file system type on /x: 0xef53"):
        classify_mode(EXT4_MAGIC, None, "/x")


def test_parse_cgroup_mounts():
    mounts = parse_cgroup_mounts(SYSTEMD_LEGACY)
    assert [m.mount_point for m in mounts][:3] == [
        "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu,cpuacct"]
    assert mounts[0].fstype == "cgroup2"
    assert mounts[2].super_options == ("rw", "cpu", "cpuacct")
    assert parse_cgroup_mounts("garbage\n\n1 2 3\n") == []


def test_parse_cgroup_mounts_unescapes():
    line = r"50 31 0:40 / /mnt/my\040cgroups rw - cgroup cgroup rw,pids" + "\n"
    assert parse_cgroup_mounts(line)[0].mount_point == "/mnt/my cgroups"


@pytest.mark.parametrize("text, root, expected", [
    (HYBRID_SEPARATE, "/sys/fs/cgroup", [
        ("/sys/fs/cgroup/cpu", {"cpu"}), ("/sys/fs/cgroup/cpuacct", {"cpuacct"}),
        ("/sys/fs/cgroup/cpuset", {"cpuset"}), ("/sys/fs/cgroup/memory", {"memory"}),
        ("/sys/fs/cgroup/devices", {"devices"}), ("/sys/fs/cgroup/freezer", {"freezer"}),
        ("/sys/fs/cgroup/blkio", {"blkio"}), ("/sys/fs/cgroup/pids", {"pids"}),
        ("/sys/fs/cgroup/systemd", {"name=systemd"}),
    ]),
    # co-mounted controllers are one hierarchy; the mount outside the root is ignored
    (SYSTEMD_LEGACY, "/sys/fs/cgroup", [
        ("/sys/fs/cgroup/systemd", {"name=systemd"}), ("/sys/fs/cgroup/cpu,cpuacct", {"cpu", "cpuacct"}),
        ("/sys/fs/cgroup/net_cls,net_prio", {"net_cls", "net_prio"}), ("/sys/fs/cgroup/memory", {"memory"}),
        ("/sys/fs/cgroup/cpuset", {"cpuset"}), ("/sys/fs/cgroup/pids", {"pids"}),
        ("/sys/fs/cgroup/freezer", {"freezer"}),
    ]),
    (UNIFIED_ONLY, "/sys/fs/cgroup", []),
    (HYBRID_SEPARATE, "/elsewhere", []),
])
def test_v1_hierarchies_from(text, root, expected):
    got = v1_hierarchies_from(parse_cgroup_mounts(text), KNOWN, root)
    assert [(h.mount, set(h.controllers)) for h in got] == expected
    assert all(h.version == 1 for h in got)


def test_v1_hierarchy_bind_mounted_twice_is_listed_once():
    text = SYSTEMD_LEGACY + "77 25 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
    got = v1_hierarchies_from(parse_cgroup_mounts(text), KNOWN, "/sys/fs/cgroup")
    assert [h.mount for h in got if "cpu" in h.controllers] == ["/sys/fs/cgroup/cpu,cpuacct"]


def test_parse_proc_cgroups():
    text = ("#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\nhugetlb\t0\t1\t1\n"
            "memory\t4\t27\t1\nrdma\t0\t1\t0\n")
    info = parse_proc_cgroups(text)
    assert set(info) == {"cpuset", "hugetlb", "memory", "rdma"}
    assert info["memory"].hierarchy == 4 and info["memory"].num_cgroups == 27 and info["memory"].enabled
    assert info["hugetlb"].hierarchy == 0          # on no v1 hierarchy: the v2 tree may offer it
    assert not info["rdma"].enabled


@pytest.mark.parametrize("text, expected", [
    ("0::/\n", {"": "/"}),
    ("9:name=systemd:/\n4:memory:/process_api/72e3\n2:cpu,cpuacct:/a\n0::/kubekit/p/c\n",
     {"name=systemd": "/", "memory": "/process_api/72e3", "cpu,cpuacct": "/a", "": "/kubekit/p/c"}),
    ("", {}),
])
def test_parse_proc_self_cgroup(text, expected):
    assert parse_proc_self_cgroup(text) == expected


def test_hierarchy_label():
    assert Hierarchy("/x", 1, frozenset({"cpuacct", "cpu"})).label == "cpu,cpuacct"
    assert Hierarchy("/x", 2, frozenset({"hugetlb"})).label == "unified"


# ---- the real host and fake trees ------------------------------------------------

def test_detect_mode_on_this_host(as_root):
    mode = detect_mode()
    assert mode in MODES
    with open("/proc/self/mountinfo") as f:
        mounts = parse_cgroup_mounts(f.read())
    by_point = {m.mount_point: m.fstype for m in mounts}
    if by_point.get("/sys/fs/cgroup") == "cgroup2":
        assert mode == "v2"
    elif by_point.get("/sys/fs/cgroup/unified") == "cgroup2":
        assert mode == "hybrid"
    else:
        assert mode == "v1"


def test_open_driver_on_this_host(as_root):
    d = open_driver()
    assert d.mode == detect_mode() and not d.plain
    versions = [h.version for h in d.hierarchies]
    assert versions.count(2) == (0 if d.mode == "v1" else 1)
    if d.mode != "v2":
        assert any("memory" in h.controllers for h in d.hierarchies if h.version == 1)


def test_detect_mode_of_a_plain_directory(tmp_path):
    from kubekit._fast._cgstats import statfs_magic

    (tmp_path / "unified").mkdir()
    if statfs_magic(str(tmp_path)) == TMPFS_MAGIC:
        assert detect_mode(str(tmp_path)) == "v1"
    else:
        with pytest.raises(CgroupError, match=f"invalid file system type on {tmp_path}"):
            detect_mode(str(tmp_path))


def test_detect_mode_of_a_missing_root(tmp_path):
    with pytest.raises(CgroupError, match="statfs .*missing: No such file"):
        detect_mode(str(tmp_path / "missing"))


def test_open_driver_fake_v1_tree_with_co_mounted_controllers(tmp_path):
    root = tmp_path / "cg"
    for name in ("cpu,cpuacct", "memory", "pids"):
        (root / name).mkdir(parents=True)
    mountinfo = "".join(
        f"{30 + i} 25 0:{40 + i} / {root}/{name} rw - cgroup cgroup rw,{name}\n"
        for i, name in enumerate(("cpu,cpuacct", "memory", "pids")))
    d = open_driver(str(root), "v1", mountinfo=mountinfo, proc_cgroups="")
    assert d.mode == "v1" and d.plain
    cg = d.cgroup_class(d, "/k/c")
    assert cg.dir_for("cpu") == cg.dir_for("cpuacct") == f"{root}/cpu,cpuacct/k/c"
    assert cg.dir_for("memory") == f"{root}/memory/k/c"
    assert cg.v2_fd() is None


def test_open_driver_errors(tmp_path):
    with pytest.raises(CgroupError, match="invalid cgroup mode 'v3'"):
        open_driver(str(tmp_path), "v3")
    with pytest.raises(CgroupError, match="no cgroup v1 hierarchy is mounted under"):
        open_driver(str(tmp_path), "v1", mountinfo="", proc_cgroups="")
    with pytest.raises(CgroupError, match="needs the cgroup2 tree"):
        open_driver(str(tmp_path), "hybrid",
                    mountinfo=f"1 2 0:3 / {tmp_path}/memory rw - cgroup cgroup rw,memory\n", proc_cgroups="")
