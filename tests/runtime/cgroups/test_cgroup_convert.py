"""Table tests of OCI Resources → cgroup writes (pure; no kernel).

Rows come from runc's tests/integration/update.bats and cgroups.bats, crun's
tests/tests_libcrun_cgroup.c and tests/test_resources.py, and the
conversion tables in opencontainers/cgroups (utils_test.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit.errors import CgroupError
from kubekit.runtime.cgroups.convert import (
    Write,
    check_memory_update,
    check_shares_readback,
    controllers_of,
    cpu_max_value,
    parse_cpu_max,
    parse_v1_limit,
    parse_v2_limit,
    pids_value,
    shares_to_weight,
    swap_to_v2,
    v1_writes,
    v2_writes,
)
from kubekit.runtime.spec import Resources

MiB = 1 << 20

# update.bats setup(): the container every runc update test starts from.
UPDATE_BATS = Resources(memory_limit=33554432, memory_reservation=25165824, cpu_shares=100, cpu_quota=500000,
                        cpu_period=1000000, pids_limit=20)


@pytest.mark.parametrize("shares, weight", [
    (0, 0),            # unset (crun test_convert_shares_to_weight)
    (1, 1),
    (2, 1),
    (3, 2),
    (100, 17),
    (512, 59),
    (1024, 100),       # the default maps to v2's default weight
    (2048, 174),
    (3333, 256),
    (4096, 303),
    (262143, 10000),
    (262144, 10000),
    (500000, 10000),
])
def test_shares_to_weight(shares, weight):
    assert shares_to_weight(shares) == weight


def test_shares_to_weight_rejects_negative():
    with pytest.raises(CgroupError, match="cpu_shares -1"):
        shares_to_weight(-1)


@given(st.integers(2, 262144), st.integers(2, 262144))
def test_shares_to_weight_is_monotone_and_in_range(a, b):
    lo, hi = sorted((a, b))
    assert 1 <= shares_to_weight(lo) <= shares_to_weight(hi) <= 10000


@pytest.mark.parametrize("limit, value", [(None, None), (-1, "max"), (0, "1"), (1, "1"), (20, "20")])
def test_pids_value(limit, value):
    assert pids_value(limit) == value


def test_pids_value_rejects_below_minus_one():
    with pytest.raises(CgroupError, match="pids_limit -2"):
        pids_value(-2)


# ---- v1 ------------------------------------------------------------------------

def W(c, n, v, **kw):
    return Write(c, n, v, **kw)


@pytest.mark.parametrize("resources, current, writes", [
    (Resources(), None, []),
    (UPDATE_BATS, None, [
        W("memory", "memory.limit_in_bytes", "33554432"),
        W("memory", "memory.soft_limit_in_bytes", "25165824"),
        W("cpu", "cpu.shares", "100"),
        W("cpu", "cpu.cfs_period_us", "1000000", retry_after_next=True),
        W("cpu", "cpu.cfs_quota_us", "500000"),
        W("pids", "pids.max", "20"),
    ]),
    # cpuset first (runc's subsystem order)
    (Resources(cpuset_cpus="1", cpuset_mems="0", pids_limit=-1), None, [
        W("cpuset", "cpuset.cpus", "1"), W("cpuset", "cpuset.mems", "0"), W("pids", "pids.max", "max"),
    ]),
    (Resources(cpuset_cpus="", pids_limit=0), None, [W("pids", "pids.max", "1")]),
    # memory -1 and swap unset: memsw lifted first (it must stay >= the limit)
    (Resources(memory_limit=-1), None, [
        W("memory", "memory.memsw.limit_in_bytes", "-1", optional=True),
        W("memory", "memory.limit_in_bytes", "-1"),
    ]),
    (Resources(memory_swap=-1), None, [W("memory", "memory.memsw.limit_in_bytes", "-1")]),
    # new cgroup (unlimited): limit then memsw
    (Resources(memory_limit=30 * MiB, memory_swap=50 * MiB), None, [
        W("memory", "memory.limit_in_bytes", str(30 * MiB)),
        W("memory", "memory.memsw.limit_in_bytes", str(50 * MiB)),
    ]),
    # update.bats "set new memory to more than old swap": 30M/50M → 60M/80M, memsw first
    (Resources(memory_limit=60 * MiB, memory_swap=80 * MiB), 30 * MiB, [
        W("memory", "memory.memsw.limit_in_bytes", str(80 * MiB)),
        W("memory", "memory.limit_in_bytes", str(60 * MiB)),
    ]),
    # shrinking both: limit first
    (Resources(memory_limit=20 * MiB, memory_swap=40 * MiB), 60 * MiB, [
        W("memory", "memory.limit_in_bytes", str(20 * MiB)),
        W("memory", "memory.memsw.limit_in_bytes", str(40 * MiB)),
    ]),
    (Resources(memory_limit=64 * MiB, memory_swap=-1), 30 * MiB, [
        W("memory", "memory.memsw.limit_in_bytes", "-1"),
        W("memory", "memory.limit_in_bytes", str(64 * MiB)),
    ]),
    # quota/period alone (update.bats "set cpu period with no quota" / "quota with no period")
    (Resources(cpu_period=1000000), None, [W("cpu", "cpu.cfs_period_us", "1000000")]),
    (Resources(cpu_quota=5000), None, [W("cpu", "cpu.cfs_quota_us", "5000")]),
    (Resources(cpu_quota=-1), None, [W("cpu", "cpu.cfs_quota_us", "-1")]),
    # 0 is unset, as in runc
    (Resources(memory_limit=0, cpu_shares=0, cpu_quota=0, cpu_period=0), None, []),
])
def test_v1_writes(resources, current, writes):
    assert v1_writes(resources, current_memory_limit=current) == writes


@pytest.mark.parametrize("resources, message", [
    (Resources(unified={"memory.min": "131072"}), "invalid configuration"),      # cgroups.bats
    (Resources(memory_limit=-5), "invalid memory_limit -5"),
    (Resources(memory_limit=64 * MiB, memory_swap=32 * MiB), "memory_swap 33554432.*>= memory_limit 67108864"),
    (Resources(cpu_period=-1), "invalid cpu_period -1"),
    (Resources(cpu_quota=-7), "invalid cpu_quota -7"),
    (Resources(cpu_shares=-3), "invalid cpu_shares -3"),
    (Resources(pids_limit=-9), "invalid pids_limit -9"),
])
def test_v1_writes_errors(resources, message):
    with pytest.raises(CgroupError, match=message):
        v1_writes(resources)


# ---- v2 ------------------------------------------------------------------------

@pytest.mark.parametrize("resources, writes", [
    (Resources(), []),
    (UPDATE_BATS, [
        W("pids", "pids.max", "20"),
        W("memory", "memory.max", "33554432"),
        W("memory", "memory.low", "25165824"),
        W("cpu", "cpu.weight", "17"),
        W("cpu", "cpu.max", "500000 1000000"),
    ]),
    # update.bats: limit 52428800 + swap 96468992 → memory.swap.max 44040192
    (Resources(memory_limit=52428800, memory_swap=96468992), [
        W("memory", "memory.swap.max", "44040192"), W("memory", "memory.max", "52428800"),
    ]),
    (Resources(memory_limit=30 * MiB, memory_swap=50 * MiB), [
        W("memory", "memory.swap.max", str(20 * MiB)), W("memory", "memory.max", str(30 * MiB)),
    ]),
    # swap == limit: no swap at all
    (Resources(memory_limit=64 * MiB, memory_swap=64 * MiB), [
        W("memory", "memory.swap.max", "0", optional=True), W("memory", "memory.max", str(64 * MiB)),
    ]),
    # memory -1 (swap unset) → both unlimited; swap -1 → max
    (Resources(memory_limit=-1), [
        W("memory", "memory.swap.max", "max", optional=True), W("memory", "memory.max", "max"),
    ]),
    (Resources(memory_limit=64 * MiB, memory_swap=-1), [
        W("memory", "memory.swap.max", "max", optional=True), W("memory", "memory.max", str(64 * MiB)),
    ]),
    (Resources(memory_reservation=-1), [W("memory", "memory.low", "max")]),
    # update.bats cpu: quota -1 → "max PERIOD"; period only → "max PERIOD"; quota only → "QUOTA 100000"
    (Resources(cpu_quota=-1, cpu_period=900000), [W("cpu", "cpu.max", "max 900000")]),
    (Resources(cpu_period=1000000), [W("cpu", "cpu.max", "max 1000000")]),
    (Resources(cpu_quota=5000), [W("cpu", "cpu.max", "5000 100000")]),
    (Resources(cpu_quota=30000), [W("cpu", "cpu.max", "30000 100000")]),
    (Resources(cpu_period=100), [W("cpu", "cpu.max", "max 100")]),    # the kernel refuses it
    (Resources(pids_limit=-1), [W("pids", "pids.max", "max")]),
    (Resources(pids_limit=0), [W("pids", "pids.max", "1")]),
    (Resources(cpuset_cpus="0", cpuset_mems="0"), [W("cpuset", "cpuset.cpus", "0"), W("cpuset", "cpuset.mems", "0")]),
    # cgroups.bats "resources.unified override": unified last, overriding
    (Resources(memory_limit=33554432, memory_swap=33554432, cpu_shares=3333, cpu_quota=40000, cpu_period=100000,
               unified={"memory.min": "131072", "memory.max": "10485760", "pids.max": "42",
                        "cpu.max": "5000 50000", "cpu.weight": "42"}), [
        W("memory", "memory.swap.max", "0", optional=True),
        W("memory", "memory.max", "33554432"),
        W("cpu", "cpu.weight", "256"),
        W("cpu", "cpu.max", "40000 100000"),
        W("memory", "memory.min", "131072"),
        W("memory", "memory.max", "10485760"),
        W("pids", "pids.max", "42"),
        W("cpu", "cpu.max", "5000 50000"),
        W("cpu", "cpu.weight", "42"),
    ]),
    (Resources(unified={"cpu.weight": "1234"}), [W("cpu", "cpu.weight", "1234")]),   # crun test_resources_cpu_weight
    (Resources(unified={"cgroup.max.descendants": "5"}), [W("cgroup", "cgroup.max.descendants", "5")]),
])
def test_v2_writes(resources, writes):
    assert v2_writes(resources) == writes


@pytest.mark.parametrize("resources, message", [
    (Resources(memory_swap=96468992), "needs a memory_limit"),
    (Resources(memory_limit=-1, memory_swap=96468992), "needs a memory_limit"),
    (Resources(memory_limit=64 * MiB, memory_swap=32 * MiB), ">= memory_limit"),
    (Resources(unified={"memory/../../x": "1"}), "without '/'"),
    (Resources(unified={"memorymax": "1"}), "CONTROLLER.PARAMETER"),
    (Resources(unified={".max": "1"}), "CONTROLLER.PARAMETER"),
    (Resources(unified={"memory.max": 5}), "expected a string"),
    (Resources(cpu_quota=-2), "invalid cpu_quota -2"),
])
def test_v2_writes_errors(resources, message):
    with pytest.raises(CgroupError, match=message):
        v2_writes(resources)


@pytest.mark.parametrize("resources, current_cpu, current_mem, writes", [
    # update.bats "update cgroup cpu limits": each update keeps the other half
    (Resources(cpu_period=900000), (500000, 1000000), None, [W("cpu", "cpu.max", "500000 900000")]),
    (Resources(cpu_quota=600000), (500000, 900000), None, [W("cpu", "cpu.max", "600000 900000")]),
    (Resources(cpu_quota=-1), (600000, 900000), None, [W("cpu", "cpu.max", "max 900000")]),
    (Resources(cpu_period=50000), (-1, 100000), None, [W("cpu", "cpu.max", "max 50000")]),
    # swap alone on an update: against the limit the kernel holds
    (Resources(memory_swap=96468992), None, 52428800, [W("memory", "memory.swap.max", "44040192")]),
])
def test_v2_update_writes(resources, current_cpu, current_mem, writes):
    assert v2_writes(resources, current_cpu_max=current_cpu, current_memory_limit=current_mem) == writes


@pytest.mark.parametrize("swap, limit, expected", [
    (None, None, None),
    (-1, None, -1),
    (-1, -1, -1),
    (None, -1, -1),
    (-1, 1000, -1),
    (1000, 1000, 0),
    (2000, 1000, 1000),
])
def test_swap_to_v2(swap, limit, expected):
    assert swap_to_v2(swap, limit) == expected


@pytest.mark.parametrize("swap, limit", [(500, 1000), (1000, None), (1000, -1)])
def test_swap_to_v2_errors(swap, limit):
    with pytest.raises(CgroupError, match="memory_swap"):
        swap_to_v2(swap, limit)


@pytest.mark.parametrize("quota, period, current, expected", [
    (None, None, None, None),
    (None, None, (5, 6), None),
    (500000, 1000000, None, "500000 1000000"),
    (-1, None, None, "max 100000"),
    (None, 1000000, None, "max 1000000"),
    (5000, None, None, "5000 100000"),
    (None, 900000, (500000, 1000000), "500000 900000"),
    (0, 900000, None, "max 900000"),       # quota 0 = unset
])
def test_cpu_max_value(quota, period, current, expected):
    assert cpu_max_value(quota, period, current) == expected


def test_controllers_of():
    writes = v2_writes(Resources(pids_limit=5, memory_limit=MiB, unified={"cgroup.max.depth": "2", "io.weight": "50"}))
    assert controllers_of(writes) == ["pids", "memory", "io"]


@pytest.mark.parametrize("limit, usage, refused", [
    (None, 100, False), (-1, 100, False), (200, 100, False), (100, 100, True), (50, 100, True), (50, None, False),
])
def test_check_memory_update(limit, usage, refused):
    if refused:
        with pytest.raises(CgroupError, match=f"rejecting memory_limit {limit}.*usage {usage}"):
            check_memory_update(limit, usage)
    else:
        check_memory_update(limit, usage)


@pytest.mark.parametrize("text, value", [
    ("9223372036854771712\n", -1), ("9223372036854710272", -1), ("33554432\n", 33554432), ("-1", -1), ("0", 0),
])
def test_parse_v1_limit(text, value):
    assert parse_v1_limit(text) == value


@pytest.mark.parametrize("text, value", [("max\n", -1), ("52428800\n", 52428800), ("0", 0)])
def test_parse_v2_limit(text, value):
    assert parse_v2_limit(text) == value


@pytest.mark.parametrize("text, value", [("max 100000\n", (-1, 100000)), ("500000 1000000", (500000, 1000000))])
def test_parse_cpu_max(text, value):
    assert parse_cpu_max(text) == value


def test_parse_cpu_max_error():
    with pytest.raises(CgroupError, match="invalid cpu.max 'max'"):
        parse_cpu_max("max")


def test_check_shares_readback():
    check_shares_readback(100, 100)
    with pytest.raises(CgroupError, match="cpu_shares 1: the kernel stored 2"):
        check_shares_readback(1, 2)
