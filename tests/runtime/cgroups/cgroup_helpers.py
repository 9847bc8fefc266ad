"""Helpers for the cgroup layer's real-kernel tests (imported by conftest.py
and the test modules; a unique module name, since tests/ has no packages).

Every test works under its own prefix ``/kubekit-test-<random>`` in every
mounted hierarchy.  Teardown kills whatever process is still in it, reaps the
test's children and removes the prefix bottom-up in every hierarchy, whether
the test passed or not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

CGROUP_ROOT = "/sys/fs/cgroup"


def cgroup_mounts() -> list[str]:
    out = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[0] in ("cgroup", "cgroup2"):
                out.append(left.split()[4])
    return out


def leftovers(prefix: str) -> list[str]:
    """Every directory under ``prefix`` in any mounted cgroup hierarchy."""
    found = []
    for mount in cgroup_mounts():
        for dirpath, _dirs, _files in os.walk(mount + prefix):
            found.append(dirpath)
    return found


def _procs(d: str) -> list[int]:
    try:
        with open(os.path.join(d, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def scrub(prefix: str) -> None:
    """Kill every process under ``prefix`` and remove its directories."""
    for _ in range(50):
        dirs = leftovers(prefix)
        pids = {p for d in dirs for p in _procs(d)}
        for d in dirs:
            for name, value in (("cgroup.freeze", "0"), ("freezer.state", "THAWED")):
                if os.path.exists(os.path.join(d, name)):
                    try:
                        with open(os.path.join(d, name), "w") as f:
                            f.write(value)
                    except OSError:
                        pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for d in sorted(dirs, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
        if not leftovers(prefix):
            return
        time.sleep(0.02)


class Procs:
    """Processes a test starts; all are killed and reaped at teardown."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def sleep(self, seconds: int = 100) -> subprocess.Popen:
        return self.start(["sleep", str(seconds)])

    def python(self, code: str) -> subprocess.Popen:
        return self.start([sys.executable, "-c", code])

    def start(self, argv: list[str], pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, pass_fds=pass_fds)
        self.started.append(p)
        return p

    def python_in(self, cg, code: str) -> subprocess.Popen:
        """Start Python ``code`` inside ``cg``: the child waits until it has
        been attached, so everything it allocates is charged there."""
        r, w = os.pipe()
        try:
            p = self.start([sys.executable, "-c", f"import os\nos.read({r}, 1)\nos.close({r})\n" + code],
                           pass_fds=(r,))
            cg.attach(p.pid)
            os.write(w, b"x")
        finally:
            os.close(r)
            os.close(w)
        return p

    def close(self) -> None:
        for p in self.started:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)


def proc_cgroups(pid: int) -> dict[str, str]:
    from kubekit.runtime.cgroups.detect import parse_proc_self_cgroup

    with open(f"/proc/{pid}/cgroup") as f:
        return parse_proc_self_cgroup(f.read())
