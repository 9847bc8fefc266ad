"""pytest-benchmark suite for kubekit's container runtime: ``pytest bench/ --benchmark-only``.

Needs root and ``kubekit.runtime``; skipped otherwise.  The side-by-side
comparison with crun, runc and the unshare+chroot floor is
``python3 bench/runtime/compare.py`` (pytest-benchmark times one thing at a
time and cannot alternate runners).

- start-to-exit of ``/bin/true`` through ``Runtime.run`` (issue 3 section 6
  workload: pid+mnt+uts+ipc+net, busybox rootfs, 64 MiB / 500m / 64 pids),
  back to back and after an untimed 0.2 s pause (the RCU grace period on the
  first ``cgroup.procs`` write after a quiet spell);
- one ``stats()`` pass over N running ``sleep`` containers.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime"))

import peers
from compare import COLD_GAP_S, load_kubekit

STATS_CONTAINERS = 20

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces, cgroups, mounts)")


@pytest.fixture(scope="module")
def kk():
    lay = peers.Layout().prepare()
    harness, why = load_kubekit(lay.rootfs)
    if harness is None:
        pytest.skip(f"kubekit runtime unavailable: {why}")
    return harness


def test_start_true(benchmark, kk):
    rc = benchmark.pedantic(kk.run_true, rounds=50, iterations=1, warmup_rounds=3)
    benchmark.extra_info["workload"] = "issue 3 s6: /bin/true, 5 namespaces, busybox rootfs, 64Mi/500m/64"
    assert rc == 0


def test_start_true_cold(benchmark, kk):
    def setup():
        time.sleep(COLD_GAP_S)
        return (), {}

    rc = benchmark.pedantic(kk.run_true, setup=setup, rounds=20, iterations=1)
    benchmark.extra_info["untimed_pause_s"] = COLD_GAP_S
    assert rc == 0


@pytest.fixture
def running(kk):
    spec = kk.make_spec(("/bin/sleep", "1000"))
    cs = []
    try:
        for _ in range(STATS_CONTAINERS):
            c = kk.rt.create(spec)
            c.start()
            cs.append(c)
        yield cs
    finally:
        for c in cs:
            c.delete()


def test_stats_read(benchmark, running):
    def read_all():
        for c in running:
            c.stats()

    benchmark.pedantic(read_all, rounds=200, iterations=1, warmup_rounds=5)
    benchmark.extra_info["containers_per_round"] = len(running)
    benchmark.extra_info["note"] = "divide the round time by containers_per_round for one stats() read"
