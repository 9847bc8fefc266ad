"""Reading a container's cgroup stats: ``pytest bench/test_bench_cgstats.py --benchmark-only``.

One real cgroup (this host's driver: v1, v2 or hybrid) holding a Python
process with 32 MiB allocated, so ``memory.stat`` has real content.  Timed:

* ``stats``      — ``Cgroup.stats()``, the whole call the runtime makes
  (Cython kernel: 6 preads parsed in C, plus the CgroupStats record);
* ``kernel``     — the Cython ``StatFiles.read()`` alone;
* ``twin``       — the plain-Python twin ``PyStatFiles.read()`` on the same files;
* ``reopen``     — the naive way for comparison: open, read, close each file
  and parse in Python (what a reader without kept fds does).

Needs root; skipped otherwise.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import pytest

from kubekit.runtime.cgroups.stats import PyStatFiles, parse_field, stats_from_values


@pytest.fixture(scope="module")
def cgroup():
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from kubekit.runtime.cgroups import open_driver
    from kubekit.runtime.spec import Resources

    driver = open_driver()
    cg = driver.create(f"/kubekit-bench-{secrets.token_hex(4)}/c", Resources(memory_limit=256 << 20))
    r, w = os.pipe()
    code = f"import os\nos.read({r}, 1)\nb = bytearray(32 << 20)\nimport time\ntime.sleep(600)"
    p = subprocess.Popen([sys.executable, "-c", code], pass_fds=(r,))
    os.close(r)
    try:
        cg.attach(p.pid)
        os.write(w, b"x")
        os.close(w)
        deadline = time.monotonic() + 10
        while (cg.stats().memory_current or 0) < 32 << 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        yield cg
    finally:
        cg.destroy()
        p.wait()
        driver.remove_if_empty(cg.path.rsplit("/", 1)[0])


def _info(benchmark, cg):
    benchmark.extra_info["mode"] = cg.driver.mode
    benchmark.extra_info["files"] = sum(p is not None for p in cg._stat_plan().paths)


def test_stats(benchmark, cgroup):
    s = benchmark(cgroup.stats)
    _info(benchmark, cgroup)
    assert s.memory_current >= 32 << 20


def test_kernel(benchmark, cgroup):
    cgroup.stats()
    values = benchmark(cgroup._stat_files.read)
    _info(benchmark, cgroup)
    assert values[1] >= 32 << 20


def test_twin(benchmark, cgroup):
    plan = cgroup._stat_plan()
    twin = PyStatFiles(plan.paths, plan.fields)
    try:
        values = benchmark(twin.read)
    finally:
        twin.close()
    _info(benchmark, cgroup)
    assert values[1] >= 32 << 20


def test_reopen(benchmark, cgroup):
    plan = cgroup._stat_plan()

    def naive():
        datas = []
        for path in plan.paths:
            try:
                with open(path, "rb") as f:
                    datas.append(f.read())
            except (FileNotFoundError, TypeError):
                datas.append(None)
        return stats_from_values([None if datas[i] is None else parse_field(datas[i], k, s)
                                  for i, k, s in plan.fields])

    s = benchmark(naive)
    _info(benchmark, cgroup)
    assert s.memory_current >= 32 << 20
