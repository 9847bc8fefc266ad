"""Timing primitives shared by ``compare.py`` and the crun worker (``nsworker.py``).

One sample is one start-to-exit: ``time.perf_counter()`` just before
``posix_spawn`` and just after ``wait4`` reaps the child (external commands),
or around one call (in-process API).  Each sample also records the CPU time
the start cost: the child's rusage from ``wait4`` for external commands, the
caller's own plus its reaped children's for in-process calls.

Standard library only: the worker runs in a bare interpreter inside a private
mount namespace.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from dataclasses import dataclass

DEVNULL_ACTIONS = [
    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
]


@dataclass(frozen=True, slots=True)
class Sample:
    wall_s: float
    cpu_s: float
    rc: int
    maxrss_kib: int = 0
    err: str = ""          # the tail of the command's stderr when it failed (spawn_once with stderr_log)


_stderr_fds: dict[str, int] = {}


def spawn_once(argv: list[str], env: dict[str, str] | None = None, gap_s: float = 0.0,
               stderr_log: str | None = None) -> Sample:
    """posix_spawn ``argv`` (argv[0] an absolute path) with stdio on /dev/null, wait4, time it.

    ``gap_s`` sleeps before the start, untimed (a "cold" start).  ``stderr_log``: append the
    command's stderr to this file (opened once, kept open) and return its new tail on failure."""
    actions = DEVNULL_ACTIONS
    fd = -1
    if stderr_log:
        fd = _stderr_fds.get(stderr_log, -1)
        if fd < 0:
            fd = _stderr_fds[stderr_log] = os.open(stderr_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                                                   0o644)
        actions = DEVNULL_ACTIONS[:2] + [(os.POSIX_SPAWN_DUP2, fd, 2)]
        start = os.fstat(fd).st_size
    if gap_s:
        time.sleep(gap_s)
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ if env is None else env, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter()
    rc = os.waitstatus_to_exitcode(status)
    err = ""
    if rc != 0 and fd >= 0:
        with open(stderr_log, "rb") as f:
            f.seek(start)
            err = f.read()[-400:].decode(errors="replace").strip()
    return Sample(t1 - t0, ru.ru_utime + ru.ru_stime, rc, ru.ru_maxrss, err)


def close_logs() -> None:
    """Close the stderr log files spawn_once keeps open."""
    while _stderr_fds:
        os.close(_stderr_fds.popitem()[1])


def spawn_batch(argvs: list[list[str]], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Spawn every argv at once, then reap them all: (seconds from first spawn to last exit, failures)."""
    env = os.environ if env is None else env
    t0 = time.perf_counter()
    pids = [os.posix_spawn(a[0], a, env, file_actions=DEVNULL_ACTIONS) for a in argvs]
    fails = 0
    for pid in pids:
        _, status, _ = os.wait4(pid, 0)
        fails += os.waitstatus_to_exitcode(status) != 0
    return time.perf_counter() - t0, fails


def _cpu_now() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def call_once(fn, gap_s: float = 0.0) -> Sample:
    """Time one in-process call; ``fn()`` returns the exit code (0 = success)."""
    if gap_s:
        time.sleep(gap_s)
    c0 = _cpu_now()
    t0 = time.perf_counter()
    rc = fn()
    t1 = time.perf_counter()
    return Sample(t1 - t0, _cpu_now() - c0, rc)


def quantile(sorted_xs: list[float], q: float) -> float:
    """Linear-interpolated quantile of an already sorted list."""
    if not sorted_xs:
        return float("nan")
    pos = q * (len(sorted_xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def summarize(samples: list[Sample]) -> dict:
    """Milliseconds: median, p10, p90, mean, min, max of wall; median cpu; failures.

    (No max RSS: wait4's ru_maxrss of a posix_spawn'ed child starts from the spawning
    process's own RSS, because the vfork-style child shares its mm until exec.)"""
    walls = sorted(s.wall_s for s in samples)
    cpus = sorted(s.cpu_s for s in samples)
    if not walls:
        return {"n": 0}
    ms = lambda x: round(x * 1e3, 3)
    return {
        "n": len(walls),
        "median_ms": ms(statistics.median(walls)),
        "p10_ms": ms(quantile(walls, 0.10)),
        "p90_ms": ms(quantile(walls, 0.90)),
        "mean_ms": ms(statistics.fmean(walls)),
        "min_ms": ms(walls[0]),
        "max_ms": ms(walls[-1]),
        "cpu_median_ms": ms(statistics.median(cpus)),
        "failures": sum(s.rc != 0 for s in samples),
    }
