"""favordynmods tuning: option strings and detection (pure).  Enabling it is
never done by the tests: it is a host-wide change an operator opts into."""

from kubekit.runtime.cgroups.tune import favordynmods_mounts, remount_data, tuning_target
from kubekit.runtime.mountinfo import parse_mountinfo

HYBRID = """\
31 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
32 31 0:27 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
33 31 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
34 31 0:29 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
"""
V2 = "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,seclabel,nsdelegate,memory_recursiveprot,favordynmods\n"
V1 = "33 31 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"


def test_target_is_the_v2_tree_when_there_is_one():
    assert tuning_target(parse_mountinfo(HYBRID)).mount_point == "/sys/fs/cgroup/unified"
    assert tuning_target(parse_mountinfo(V2)).mount_point == "/sys/fs/cgroup"
    assert tuning_target(parse_mountinfo(V1)).mount_point == "/sys/fs/cgroup/pids"
    assert tuning_target(parse_mountinfo("1 0 8:1 / / rw - ext4 /dev/vda rw\n")) is None


def test_remount_keeps_the_other_options():
    e = tuning_target(parse_mountinfo(HYBRID))
    assert remount_data(e) == "nsdelegate,favordynmods"
    assert remount_data(parse_mountinfo(V2)[0]) == "nsdelegate,memory_recursiveprot,favordynmods"
    assert remount_data(parse_mountinfo(V1)[0]) == "pids,favordynmods"


def test_detection():
    assert favordynmods_mounts(parse_mountinfo(HYBRID)) == {
        "/sys/fs/cgroup/unified": False, "/sys/fs/cgroup/cpu,cpuacct": False, "/sys/fs/cgroup/memory": False}
    assert favordynmods_mounts(parse_mountinfo(V2)) == {"/sys/fs/cgroup": True}
