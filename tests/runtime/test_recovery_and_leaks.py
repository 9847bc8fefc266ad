"""Crash recovery (the caller dies mid-start) and the leak soak of issue 3 §5."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest
from runtime_helpers import cgroup_dirs

from kubekit.runtime import ContainerSpec, Resources, Runtime

CRASHER = textwrap.dedent("""
    import os, signal, sys
    from kubekit.runtime import ContainerSpec, Runtime
    from kubekit.runtime.container import Container
    state, data, root, rootfs, point = sys.argv[1:]
    rt = Runtime(state_dir=state, data_dir=data, cgroup_root=root)
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if point == "spawned":     # after clone, before the child reports ready
        Container._expect_wait = die
    c = rt.create(ContainerSpec(command=("/bin/sleep", "1000"), rootfs=rootfs))
    if point == "created":
        die()
    c.start()
    print(c.pid, flush=True)
    die()
""")


@pytest.mark.parametrize("point", ["spawned", "created", "running"])
def test_next_runtime_sweeps_what_a_killed_caller_left(runtime, rootfs, point):
    state, data = os.path.dirname(runtime.state.dir), runtime.data_dir
    proc = subprocess.run([sys.executable, "-c", CRASHER, state, data, runtime.cgroup_root, rootfs, point],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    leftovers = runtime.state.ids()
    assert len(leftovers) == 1   # the record was written before anything else
    rec = runtime.state.load(leftovers[0])
    pids = []
    if point == "running":
        pids = [int(proc.stdout.split()[0])]
        assert os.path.exists(f"/proc/{pids[0]}")   # the orphaned payload is still running
    again = Runtime(state_dir=state, data_dir=data, cgroup_root=runtime.cgroup_root)
    assert again.state.ids() == []
    assert not os.path.exists(rec.bundle)
    assert [d for d in cgroup_dirs(runtime.cgroup_root) if not d.endswith(runtime.cgroup_root)] == []
    for p in pids:
        assert not os.path.exists(f"/proc/{p}") or open(f"/proc/{p}/stat").read().split()[2] == "Z"


def _snapshot(root: str) -> tuple:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        mounts = sorted(line.split()[4] for line in f)
    return len(os.listdir("/proc/self/fd")), mounts, sorted(cgroup_dirs(root))


def test_leak_soak_1000_cycles(runtime, rootfs):
    """1,000 create/start/kill/delete cycles, killed at random points; the
    caller's fds, the mount table and the cgroup tree end as they began."""
    rng = random.Random(1234)
    warm = runtime.create(ContainerSpec(command=("/bin/true",), rootfs=rootfs))
    warm.delete()
    before = _snapshot(runtime.cgroup_root)
    spec = ContainerSpec(command=("/bin/sh", "-c", "sleep 0.01"), rootfs=rootfs,
                         resources=Resources(memory_limit=32 << 20, pids_limit=16, cpu_quota=50000))
    outcomes = {"created": 0, "started": 0, "signalled": 0, "exited": 0}
    for i in range(1000):
        c = runtime.create(spec)
        point = rng.choice(list(outcomes))
        outcomes[point] += 1
        if point != "created":
            c.start()
        if point == "signalled":
            c.signal(signal.SIGKILL)
        if point in ("signalled", "exited"):
            c.wait()
        c.delete()
    assert runtime.live == {} and runtime.state.ids() == []
    assert _snapshot(runtime.cgroup_root) == before
    assert min(outcomes.values()) > 150
