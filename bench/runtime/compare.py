"""kubekit's container start side by side with crun, runc and an unshare+chroot floor (issue 3, section 6).

    sudo python3 bench/runtime/compare.py [-n 100] [--cold-n 30] [--json out.json] [--md out.md]

One run, alternating rounds (A B C D E, B C D E A, ...): every sample is one start-to-exit of
``/bin/true`` in a container with pid+mnt+uts+ipc+net namespaces, pivot_root into a busybox
rootfs with /proc and /dev, memory 64 MiB, cpu 50000/100000, pids 64.

Three regimes, because on this kernel the first write to ``cgroup.procs`` after ~10-20 ms without
one waits for an RCU grace period (~8 ms), so what ran just before a start changes its time:

    b2b    back-to-back: the second of two starts of the same runner in its slot (a tight loop)
    alt    alternating: the first of those two, right after some other runner's start
    cold   after an untimed 0.2 s pause (the kubekit-api-cold and crun-cold runners)

Runners (``--only`` picks a subset by name):

    kubekit-api        Runtime().run(spec) in this process, timed around the call
    kubekit-cli        `kubekit run --rootfs R --memory 64Mi --cpus 500m --pids 64 --rm -- /bin/true`
    crun               `crun --root S run --bundle B ID`, from a worker in a private mount
                       namespace without /sys/fs/cgroup/unified (hybrid host; made once per run)
    runc               `runc --root S run --bundle B ID`
    floor              `unshare --fork --pid --mount --uts --ipc --net chroot R /bin/true` (no cgroups,
                       no /proc or /dev mounts: a lower bound, not an equivalent)
    kubekit-api-cold   kubekit-api after an untimed 0.2 s pause (--cold-n samples, spread over the rounds)
    crun-cold          crun after the same pause
    py-startup         `python3 -c pass`: the interpreter start every console script pays (info)
    py-import-cli      `python3 -c "import kubekit.cli, kubekit.api.quantity"` (info: what `kubekit run` imports)

External commands are timed with perf_counter around posix_spawn + wait4 (stdio on /dev/null).
Prints per runner and regime: median, p10, p90, mean, median cpu, the ratio of its median to
crun's median in the same regime, the median of per-round paired ratios, and whether each target
of issue 3 section 6 is met (in-process <= crun / 3, CLI <= crun) in the b2b and alt regimes.  Then, unless --no-extras:
100 containers started at once, stats reads per second, and the memory and fds this process
keeps per running container; and a leak check (fds, mounts, cgroup folders before and after).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import peers
from timing import Sample, call_once, close_logs, spawn_once, summarize

NAMESPACES = frozenset({"pid", "mnt", "uts", "ipc", "net"})
COLD_GAP_S = 0.2
# --rm: like `crun run`, remove everything at exit (without it kubekit keeps each upper layer)
CLI_FLAGS = ["--memory", "64Mi", "--cpus", "500m", "--pids", "64", "--rm"]


# -- kubekit ------------------------------------------------------------------------------------

class Kubekit:
    """kubekit's runtime, loaded lazily so the peers can be measured before it exists."""

    def __init__(self, rootfs: str):
        from kubekit.runtime import ContainerSpec, Resources, Runtime

        self.ContainerSpec = ContainerSpec
        self.Resources = Resources
        self.rootfs = rootfs
        self.rt = Runtime()
        self.spec = self.make_spec(("/bin/true",))

    def make_spec(self, command: tuple[str, ...], **kw):
        res = self.Resources(memory_limit=peers.MEMORY_LIMIT, cpu_quota=peers.CPU_QUOTA,
                             cpu_period=peers.CPU_PERIOD, pids_limit=peers.PIDS_LIMIT)
        return self.ContainerSpec(command=command, rootfs=self.rootfs, namespaces=NAMESPACES, resources=res, **kw)

    @staticmethod
    def exit_code(status) -> int:
        sig = getattr(status, "signal", None)
        if sig:
            return 128 + int(sig)
        return int(getattr(status, "code", 0) or 0)

    def run_true(self) -> int:
        return self.exit_code(self.rt.run(self.spec))

    def run_true_sample(self, gap_s: float) -> Sample:
        """One timed rt.run; an exception is a failed sample (its message kept), not the end of the run."""
        err = []

        def fn() -> int:
            try:
                return self.run_true()
            except Exception as e:  # noqa: BLE001
                err.append(f"{type(e).__name__}: {e}")
                return -1

        s = call_once(fn, gap_s)
        return Sample(s.wall_s, s.cpu_s, s.rc, 0, err[0] if err else "")


def load_kubekit(rootfs: str) -> tuple[Kubekit | None, str]:
    try:
        return Kubekit(rootfs), ""
    except Exception as e:  # noqa: BLE001 (ImportError while it is written, or a failing Runtime())
        return None, f"{type(e).__name__}: {e}"


def _is_python_script(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def cli_command() -> tuple[list[str], str]:
    """The `kubekit` console script (argv prefix) and a note on which one was chosen."""
    found = shutil.which("kubekit")
    if found and _is_python_script(found):
        return [found], f"console script {found} (shutil.which)"
    beside = os.path.join(sysconfig.get_path("scripts"), "kubekit")
    if _is_python_script(beside):
        why = f"shutil.which gave {found}, a wrapper (pyenv shim), not the script" if found else "not on PATH"
        return [beside], f"console script {beside} ({why})"
    return [sys.executable, "-m", "kubekit"], f"{sys.executable} -m kubekit (fallback: no console script found)"


def cli_env(scratch: str) -> dict[str, str]:
    """The environment for kubekit's CLI: this checkout's kubekit first on the path, and bytecode
    cached (under the scratch folder, not in the checkout) even where PYTHONDONTWRITEBYTECODE is
    set: an installed kubekit has its .pyc files, and recompiling every module on every start
    would time the compiler, not the CLI."""
    env = dict(os.environ)
    env["PYTHONPATH"] = peers.REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(scratch, "pycache")
    return env


# -- runners ------------------------------------------------------------------------------------

REGIMES = {
    "b2b": "back-to-back, right after a start of the same runner (what a tight loop measures)",
    "alt": "alternating, right after a different runner's start (order rotated every round)",
    "cold": f"after an untimed {COLD_GAP_S} s idle pause",
}


@dataclass
class Runner:
    name: str
    describe: str
    once: Callable[[float], Sample]          # gap_s -> sample
    gap_s: float = 0.0
    n: int = 0
    info: bool = False                       # reference row, not part of the comparison
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"b2b": [], "alt": [], "cold": []})
    error: str = ""


def preflight(name: str, fn: Callable[[], tuple[int, str]]) -> str:
    """Run a runner once with output captured; '' if it exits 0, else the reason."""
    try:
        rc, err = fn()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"
    return "" if rc == 0 else f"exit {rc}: {err.strip()[-400:]}"


def _captured(argv: list[str], env=None) -> tuple[int, str]:
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    return p.returncode, p.stderr


def build_runners(a, lay: peers.Layout, kk: Kubekit | None, worker: peers.NsWorker | None,
                  notes: list[str]) -> list[Runner]:
    runners: list[Runner] = []
    logs = os.path.join(lay.root, "logs")
    os.makedirs(logs, exist_ok=True)
    for name in os.listdir(logs):          # one run's stderr at a time
        if name.endswith(".stderr"):
            os.unlink(os.path.join(logs, name))

    def log(name: str) -> str:
        return os.path.join(logs, f"{name}.stderr")

    if kk is not None:
        runners.append(Runner("kubekit-api", "Runtime().run(spec), in this process",
                              kk.run_true_sample))
        prefix, how = cli_command()
        env = cli_env(lay.root)
        argv = prefix + ["run", "--rootfs", lay.rootfs] + CLI_FLAGS + ["--", "/bin/true"]
        notes.append(f"kubekit-cli: {how}; PYTHONPATH={peers.REPO}; PYTHONPYCACHEPREFIX={env['PYTHONPYCACHEPREFIX']}"
                     + ("; PYTHONDONTWRITEBYTECODE unset for it" if "PYTHONDONTWRITEBYTECODE" in os.environ else ""))
        r = Runner("kubekit-cli", " ".join(argv), lambda g, argv=argv: spawn_once(argv, env, g, log("kubekit-cli")))
        r.error = preflight(r.name, lambda: _captured(argv, env))
        runners.append(r)
    if worker is not None:
        crun = lay.runtime_argv("crun")
        r = Runner("crun", " ".join(crun) + ("  [in legacy mount ns]" if peers.crun_needs_legacy_ns() else ""),
                   lambda g: worker.run(crun, g, log("crun")))
        r.error = preflight(r.name, lambda: worker.check(crun)[::2])
        runners.append(r)
    runc = lay.runtime_argv("runc")
    r = Runner("runc", " ".join(runc), lambda g: spawn_once(runc, None, g, log("runc")))
    r.error = preflight(r.name, lambda: _captured(runc))
    runners.append(r)
    floor = lay.floor_argv()
    r = Runner("floor", " ".join(floor), lambda g: spawn_once(floor, None, g, log("floor")))
    r.error = preflight(r.name, lambda: _captured(floor))
    runners.append(r)
    if kk is not None:
        runners.append(Runner("kubekit-api-cold", f"kubekit-api after an untimed {COLD_GAP_S} s pause",
                              kk.run_true_sample, gap_s=COLD_GAP_S))
    if worker is not None:
        runners.append(Runner("crun-cold", f"crun after an untimed {COLD_GAP_S} s pause",
                              lambda g: worker.run(crun, g, log("crun")), gap_s=COLD_GAP_S))
    if kk is not None and not a.no_info:
        env = cli_env(lay.root)
        for name, code in (("py-startup", "pass"), ("py-import-cli", "import kubekit.cli, kubekit.api.quantity")):
            argv = [sys.executable, "-c", code]
            runners.append(Runner(name, f"{sys.executable} -c {code!r}",
                                  lambda g, argv=argv: spawn_once(argv, env, g), info=True))
    if a.only:
        wanted = set(a.only.split(","))
        runners = [r for r in runners if r.name in wanted]
    for r in runners:
        r.n = a.cold_n if r.gap_s else a.n
    if kk is not None:
        for r in runners:
            if r.name.startswith("kubekit-api"):
                r.error = preflight(r.name, lambda: (kk.run_true(), ""))
    return runners


def run_rounds(runners: list[Runner], n: int, warmup: int) -> None:
    """n rounds.  In each round every warm runner starts twice in a row: the first start follows a
    different runner's (regime "alt"), the second follows its own ("b2b").  The order of the warm
    runners rotates by one every round, so each sees every predecessor equally often.  Cold
    runners (fewer samples, spread evenly over the rounds) come last, each after its pause;
    reference rows (info) start once per round ("alt")."""
    live = [r for r in runners if not r.error]
    warm = [r for r in live if not r.gap_s]
    cold = [r for r in live if r.gap_s]
    for _ in range(warmup):
        for r in warm:
            r.once(0.0)
    t_start = time.perf_counter()
    for i in range(n):
        k = i % len(warm) if warm else 0
        for r in warm[k:] + warm[:k]:
            r.samples["alt"].append(r.once(0.0))
            if not r.info:
                r.samples["b2b"].append(r.once(0.0))
        for r in cold:
            if (i * r.n) // n != ((i + 1) * r.n) // n:
                r.samples["cold"].append(r.once(r.gap_s))
        if (i + 1) % 10 == 0 or i + 1 == n:
            print(f"  round {i + 1}/{n}  ({time.perf_counter() - t_start:.0f} s)", file=sys.stderr, flush=True)


def paired_ratio(rounds_a: list[Sample], rounds_b: list[Sample]) -> float | None:
    """Median of per-round a/b (both sampled every round)."""
    if not rounds_a or len(rounds_a) != len(rounds_b):
        return None
    return statistics.median(x.wall_s / y.wall_s for x, y in zip(rounds_a, rounds_b))


def results_table(runners: list[Runner]) -> tuple[list[dict], dict]:
    """One row per (runner, regime) with samples; ratios against crun in the same regime."""
    crun = {"b2b": None, "alt": None, "cold": None}
    for r in runners:
        if r.name == "crun" and not r.error:
            crun["b2b"], crun["alt"] = r.samples["b2b"], r.samples["alt"]
        if r.name == "crun-cold" and not r.error:
            crun["cold"] = r.samples["cold"]
    rows = []
    for regime in REGIMES:
        for r in runners:
            if r.error:
                if regime == ("cold" if r.gap_s else "alt"):
                    rows.append({"runner": r.name, "regime": regime, "command": r.describe, "info": r.info,
                                 "error": r.error})
                continue
            xs = r.samples[regime]
            if not xs:
                continue
            row = {"runner": r.name, "regime": regime, "command": r.describe, "info": r.info}
            row.update(summarize(xs))
            errs: dict[str, int] = {}
            for x in xs:
                if x.rc != 0:
                    key = f"exit {x.rc}: {x.err or '(no stderr captured)'}"
                    errs[key] = errs.get(key, 0) + 1
            if errs:
                row["errors"] = sorted(([n, m] for m, n in errs.items()), reverse=True)[:3]
            base = crun[regime]
            if base:
                row["ratio_to_crun"] = round(statistics.median(s.wall_s for s in xs)
                                             / statistics.median(s.wall_s for s in base), 3)
                pr = paired_ratio(xs, base)
                row["paired_ratio_to_crun"] = None if pr is None else round(pr, 3)
            rows.append(row)
    med = {(row["runner"], row["regime"]): row["median_ms"] for row in rows if "median_ms" in row}
    targets = {}
    for regime in ("b2b", "alt"):
        c = med.get(("crun", regime))
        if c is None:
            continue
        if ("kubekit-api", regime) in med:
            v = med[("kubekit-api", regime)]
            targets[f"in-process <= crun/3 ({regime})"] = {"value_ms": v, "limit_ms": round(c / 3, 3), "met": v <= c / 3}
        if ("kubekit-cli", regime) in med:
            v = med[("kubekit-cli", regime)]
            targets[f"CLI <= crun ({regime})"] = {"value_ms": v, "limit_ms": c, "met": v <= c}
    c, v = med.get(("crun-cold", "cold")), med.get(("kubekit-api-cold", "cold"))
    if c is not None and v is not None:
        targets["(info) in-process <= crun/3 (cold)"] = {"value_ms": v, "limit_ms": round(c / 3, 3), "met": v <= c / 3}
    return rows, targets


# -- also report --------------------------------------------------------------------------------

def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def concurrent_start(kk: Kubekit, n: int) -> dict:
    """create+start n containers back to back (they run at once), then wait for all, then delete."""
    out: dict = {"n": n}
    cs = []
    t0 = time.perf_counter()
    try:
        for _ in range(n):
            c = kk.rt.create(kk.spec)
            c.start()
            cs.append(c)
        t_started = time.perf_counter()
        codes = [Kubekit.exit_code(c.wait()) for c in cs]
        t_exited = time.perf_counter()
    finally:
        t_del0 = time.perf_counter()
        for c in cs:
            c.delete()
        t_del1 = time.perf_counter()
    out.update({
        "first_create_to_all_started_ms": round((t_started - t0) * 1e3, 2),
        "first_create_to_all_exited_ms": round((t_exited - t0) * 1e3, 2),
        "per_container_ms": round((t_exited - t0) * 1e3 / n, 3),
        "delete_all_ms": round((t_del1 - t_del0) * 1e3, 2),
        "failures": sum(c != 0 for c in codes),
    })
    return out


def crun_concurrent(lay: peers.Layout, worker: peers.NsWorker, n: int) -> dict:
    """Reference: n `crun run` processes spawned at once, each with its own bundle and cgroup."""
    dirs = lay.prepare_batch("crun", n)
    argvs = [lay.runtime_argv("crun", d, f"{peers.ID_PREFIX}crun-b{i}") for i, d in enumerate(dirs)]
    wall, fails = worker.batch(argvs)
    return {"n": n, "first_spawn_to_all_exited_ms": round(wall * 1e3, 2),
            "per_container_ms": round(wall * 1e3 / n, 3), "failures": fails}


def held_and_stats(kk: Kubekit, n: int, stats_seconds: float) -> dict:
    """Start n `sleep 1000` containers: what this process keeps per container, then stats reads/s.

    Meant to run in a fresh process (``held_in_child``): RSS deltas mean little in a process
    whose allocator already has free pools from earlier work."""
    spec = kk.make_spec(("/bin/sleep", "1000"))
    kk.rt.run(kk.spec)                 # one container first: lazy imports and caches are not per-container
    gc.collect()
    fd0, rss0 = _fd_count(), _rss_kib()
    out: dict = {"n": n, "baseline_rss_kib": rss0, "baseline_fds": fd0}
    tracemalloc.start()
    tm0 = tracemalloc.get_traced_memory()[0]
    cs = []
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            c = kk.rt.create(spec)
            c.start()
            cs.append(c)
        out["start_all_ms"] = round((time.perf_counter() - t0) * 1e3, 2)
        gc.collect()
        tm1 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        fd1, rss1 = _fd_count(), _rss_kib()
        out["memory"] = {
            "rss_kib_per_container": round((rss1 - rss0) / n, 1),
            "fds_per_container": round((fd1 - fd0) / n, 2),
            "tracemalloc_bytes_per_container": round((tm1 - tm0) / n),
        }
        # stats: one warm pass, then read every container in a loop for stats_seconds
        for c in cs:
            c.stats()
        reads = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < stats_seconds:
            for c in cs:
                c.stats()
            reads += len(cs)
        dt = time.perf_counter() - t0
        out["stats"] = {
            "containers": n, "reads": reads, "reads_per_s": round(reads / dt),
            "us_per_read": round(dt / reads * 1e6, 2), "target_us": 20, "met": dt / reads * 1e6 < 20,
            "sample": repr(cs[0].stats())[:300],
        }
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        t0 = time.perf_counter()
        for c in cs:
            c.delete()
        out["delete_all_ms"] = round((time.perf_counter() - t0) * 1e3, 2)
    gc.collect()
    out["after_delete"] = {"fd_delta": _fd_count() - fd0, "rss_kib_delta": _rss_kib() - rss0}
    return out


def held_in_child(a) -> dict:
    """held_and_stats in a fresh interpreter (this file with --held-child); its JSON result."""
    argv = [sys.executable, os.path.abspath(__file__), "--held-child", "--held", str(a.held),
            "--stats-seconds", str(a.stats_seconds), "--dir", a.dir]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if p.returncode != 0:
        return {"error": f"child exit {p.returncode}: {p.stderr.strip()[-400:]}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


# -- probe: what each container sees -------------------------------------------------------------

def probe(lay: peers.Layout, kk: Kubekit | None, worker: peers.NsWorker) -> str:
    """Run peers.PROBE_SCRIPT in each runtime's container and collect what it prints."""
    out = []
    rc, so, se = worker.check(lay.check_argv("crun"))
    out.append(f"== crun (exit {rc})\n{so}{se}")
    p = subprocess.run(lay.check_argv("runc"), capture_output=True, text=True, check=False)
    out.append(f"== runc (exit {p.returncode})\n{p.stdout}{p.stderr}")
    if kk is not None:
        r, w = os.pipe()
        try:
            st = kk.rt.run(kk.make_spec(("/bin/sh", "-c", peers.PROBE_SCRIPT), stdout=w, stderr=w))
        finally:
            os.close(w)
        with os.fdopen(r) as f:
            out.append(f"== kubekit-api ({st})\n{f.read()}")
        # kubekit mounts no cgroupfs in the container: read its limits on the host side
        c = kk.rt.create(kk.make_spec(("/bin/sleep", "1000")))
        try:
            c.start()
            cg = c.record.cgroup
            lines = []
            for f in ("memory/memory.limit_in_bytes", "pids/pids.max", "cpu/cpu.cfs_quota_us",
                      "cpu/cpu.cfs_period_us", "memory.max", "pids.max", "cpu.max"):
                h, _, name = f.rpartition("/")
                path = os.path.join(peers.CGROUP_ROOT, h, cg.lstrip("/"), name)
                if os.path.exists(path):
                    with open(path) as fh:
                        lines.append(f"{f}={fh.read().strip()}")
            with open(f"/proc/{c.pid}/cgroup") as fh:
                lines.append("host view of /proc/PID/cgroup: " + " ".join(fh.read().split()))
            out.append(f"== kubekit-api, host side of a running container's cgroup {cg}\n" + "\n".join(lines) + "\n")
        finally:
            c.delete()
        prefix, _ = cli_command()
        p = subprocess.run(prefix + ["run", "--rootfs", lay.rootfs] + CLI_FLAGS + ["--", "/bin/sh", "-c",
                           peers.PROBE_SCRIPT], capture_output=True, text=True, env=cli_env(lay.root), check=False)
        out.append(f"== kubekit-cli (exit {p.returncode})\n{p.stdout}{p.stderr}")
    return "\n".join(out)


# -- leak check ---------------------------------------------------------------------------------

def kubekit_cgroup_dirs() -> int:
    """Folders under /kubekit in every hierarchy (kubekit's own cgroup prefix)."""
    count = 0
    for h in [""] + sorted(os.listdir(peers.CGROUP_ROOT)):
        top = os.path.join(peers.CGROUP_ROOT, h, "kubekit")
        if os.path.isdir(top):
            count += sum(1 for _ in os.walk(top))
    return count


def _count_entries(path: str) -> int:
    try:
        return sum(len(dirs) + len(files) for _, dirs, files in os.walk(path))
    except OSError:
        return 0


LEAK_KEYS = ("fds", "mounts", "kubekit_cgroup_dirs", "run_kubekit_entries", "var_lib_kubekit_entries")


def snapshot() -> dict:
    with open("/proc/self/mountinfo") as f:
        mounts = sum(1 for _ in f)
    return {"fds": _fd_count(), "mounts": mounts, "kubekit_cgroup_dirs": kubekit_cgroup_dirs(),
            "run_kubekit_entries": _count_entries("/run/kubekit"),
            "var_lib_kubekit_entries": _count_entries("/var/lib/kubekit"),
            "bench_cgroup_dirs": len(peers.bench_cgroup_dirs())}


# -- output -------------------------------------------------------------------------------------

def machine() -> dict:
    def first_line(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"
    rev = first_line(["git", "-C", peers.REPO, "rev-parse", "--short", "HEAD"])
    dirty = bool(subprocess.run(["git", "-C", peers.REPO, "status", "--porcelain"],
                                capture_output=True, text=True, check=False).stdout.strip())
    return {"kernel": platform.release(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "crun": first_line(["crun", "--version"]), "runc": first_line([peers._which("runc"), "--version"]),
            "cgroup_mode": peers.cgroup_mode(), "crun_legacy_ns": peers.crun_needs_legacy_ns(),
            "kubekit_rev": rev + ("+dirty" if dirty else ""), "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def fmt_text(report: dict) -> str:
    L = []
    m = report["machine"]
    L.append(f"# {report['command']}")
    L.append(f"# kernel {m['kernel']}, {m['cpus']} cpus, python {m['python']}, {m['crun']}, {m['runc']}, "
             f"cgroups {m['cgroup_mode']}, kubekit {m['kubekit_rev']}, {m['date']}, "
             f"loadavg {m['loadavg_start']} -> {m.get('loadavg_end', '?')}")
    for n in report["notes"]:
        L.append(f"# {n}")
    L.append("")
    hdr = f"{'runner':18} {'regime':6} {'n':>4} {'median':>8} {'p10':>8} {'p90':>8} {'mean':>8} {'cpu':>7} {'/crun':>6} {'paired':>6} {'fail':>4}"
    L.append(hdr + "   (ms; /crun = median / crun's median in the same regime; paired = median of per-round ratios)")
    for r in report["runners"]:
        if "error" in r:
            L.append(f"{r['runner']:18} {r['regime']:6} unavailable: {r['error']}")
            continue
        ratio = f"{r['ratio_to_crun']:6.2f}" if r.get("ratio_to_crun") is not None else f"{'-':>6}"
        paired = f"{r['paired_ratio_to_crun']:6.2f}" if r.get("paired_ratio_to_crun") is not None else f"{'-':>6}"
        L.append(f"{r['runner']:18} {r['regime']:6} {r['n']:4d} {r['median_ms']:8.2f} {r['p10_ms']:8.2f} {r['p90_ms']:8.2f} "
                 f"{r['mean_ms']:8.2f} {r['cpu_median_ms']:7.2f} {ratio} {paired} {r['failures']:4d}"
                 + ("  (info)" if r["info"] else ""))
    for r in report["runners"]:
        for n, msg in r.get("errors", []):
            L.append(f"  failures {r['runner']} ({r['regime']}): {n} x {msg}")
    L.append("")
    L += [f"regime {k}: {v}" for k, v in REGIMES.items()]
    if report["targets"]:
        L.append("")
        for name, t in report["targets"].items():
            L.append(f"target {name:40} {t['value_ms']:8.2f} ms vs limit {t['limit_ms']:8.2f} ms: "
                     f"{'MET' if t['met'] else 'NOT MET'}")
    ex = report.get("extras") or {}
    if ex:
        L.append("")
    for k, v in ex.items():
        L.append(f"{k}: {json.dumps(v)}")
    L.append("")
    L.append(f"leak check (before -> after): {json.dumps(report.get('leaks')) if report.get('leaks') else 'no change'} "
             f"in {', '.join(LEAK_KEYS)}")
    return "\n".join(L)


def fmt_md(report: dict) -> str:
    m = report["machine"]
    machine_line = (f"Machine: kernel {m['kernel']}, {m['cpus']} cpus, Python {m['python']}, {m['crun']}, {m['runc']}, "
                    f"cgroups {m['cgroup_mode']}; kubekit {m['kubekit_rev']}; {m['date']}; "
                    f"load average {m['loadavg_start']} at the start, {m.get('loadavg_end', '?')} at the end.")
    L = [f"Command: `{report['command']}`", "", machine_line, ""]
    L += [f"- {n}" for n in report["notes"]] + [""]
    L.append("| runner | regime | n | median ms | p10 | p90 | mean | cpu ms | median / crun | paired ratio | fails |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["runners"]:
        if "error" in r:
            L.append(f"| {r['runner']} | {r['regime']} | – | unavailable: {r['error'][:120]} | | | | | | | |")
            continue
        ratio = f"{r['ratio_to_crun']:.2f}" if r.get("ratio_to_crun") is not None else "–"
        paired = f"{r['paired_ratio_to_crun']:.2f}" if r.get("paired_ratio_to_crun") is not None else "–"
        L.append(f"| {r['runner']}{' (info)' if r['info'] else ''} | {r['regime']} | {r['n']} | {r['median_ms']:.2f} | {r['p10_ms']:.2f} | "
                 f"{r['p90_ms']:.2f} | {r['mean_ms']:.2f} | {r['cpu_median_ms']:.2f} | {ratio} | {paired} | {r['failures']} |")
    fails = [f"- failures of {r['runner']} ({r['regime']}): {n} × `{msg}`"
             for r in report["runners"] for n, msg in r.get("errors", [])]
    if fails:
        L += [""] + fails
    L += [""] + [f"- regime **{k}**: {v}" for k, v in REGIMES.items()]
    if report["targets"]:
        L += ["", "| target | value ms | limit ms | met |", "|---|---:|---:|---|"]
        for name, t in report["targets"].items():
            L.append(f"| {name} | {t['value_ms']:.2f} | {t['limit_ms']:.2f} | {'yes' if t['met'] else '**no**'} |")
    ex = report.get("extras") or {}
    if ex:
        L += ["", "Also:", ""]
        L += [f"- **{k}**: `{json.dumps(v)}`" for k, v in ex.items()]
    L += ["", f"Leak check (before → after) of {', '.join(LEAK_KEYS)}: "
          + (f"`{json.dumps(report['leaks'])}`" if report.get("leaks") else "no change")]
    seen = {}
    for r in report["runners"]:
        seen.setdefault(r["runner"], r["command"])
    L += ["", "Runner commands:", ""] + [f"- {k}: `{v}`" for k, v in seen.items()]
    return "\n".join(L) + "\n"


# -- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100, help="rounds (samples per warm runner), default 100")
    ap.add_argument("--cold-n", type=int, default=30, help="samples per cold runner, spread over the rounds")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--dir", default=peers.DEFAULT_DIR, help="scratch folder (rootfs, bundles, peer state)")
    ap.add_argument("--peer-mounts", choices=("default", "kubekit"), default="default",
                    help="peers' mount list: runc/crun spec defaults, or only kubekit's (/proc /dev /dev/pts "
                         "/dev/shm /sys)")
    ap.add_argument("--only", help="comma-separated runner names")
    ap.add_argument("--no-kubekit", action="store_true", help="peers only")
    ap.add_argument("--no-info", action="store_true", help="skip the py-startup / py-import-cli reference rows")
    ap.add_argument("--no-extras", action="store_true", help="skip concurrent start, stats, memory")
    ap.add_argument("--concurrent", type=int, default=100)
    ap.add_argument("--held", type=int, default=50, help="running containers for the memory and stats figures")
    ap.add_argument("--stats-seconds", type=float, default=2.0)
    ap.add_argument("--probe", action="store_true",
                    help="only run a probe script in each runtime's container (limits, pid, mounts, caps, "
                         "netdevs it sees) and print what it saw")
    ap.add_argument("--json", help="write the report as JSON here")
    ap.add_argument("--md", help="write the report as Markdown here")
    ap.add_argument("--held-child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        ap.error("needs root (namespaces, cgroups, mounts)")
    if a.held_child:
        kk, why = load_kubekit(peers.Layout(a.dir).rootfs)
        if kk is None:
            print(why, file=sys.stderr)
            return 1
        print(json.dumps(held_and_stats(kk, a.held, a.stats_seconds)))
        return 0

    command = "python3 bench/runtime/compare.py " + " ".join(sys.argv[1:] if argv is None else argv)
    lay = peers.Layout(a.dir, a.peer_mounts)
    notes: list[str] = []
    left = peers.cleanup(lay)
    if left:
        notes.append(f"could not remove before the run: {left}")
    lay.prepare()
    notes.append(f"peers' config.json: runtime-spec defaults with mounts={a.peer_mounts}; rootfs {lay.rootfs}")
    kk, why = (None, "--no-kubekit") if a.no_kubekit else load_kubekit(lay.rootfs)
    if kk is None:
        notes.append(f"kubekit runtime not measured: {why}")
    before = snapshot()
    worker = None
    report: dict = {"command": command, "machine": machine(), "notes": notes}
    try:
        worker = peers.NsWorker()
        if a.probe:
            print(probe(lay, kk, worker))
            return 0
        if peers.crun_needs_legacy_ns():
            notes.append(f"crun runs from worker pid {worker.pid} in a private mount ns without {peers.UNIFIED} "
                         f"(made once for the run)")
        runners = build_runners(a, lay, kk, worker, notes)
        names = " ".join(r.name for r in runners if not r.error)
        notes.append(f"runners: {names}; warm ones rotate by one every round and start twice in their slot "
                     f"(alt, then b2b); cold ones after each round's warm ones, every "
                     f"~{max(1, a.n // max(1, a.cold_n))} rounds; {a.warmup} warm-up rounds")
        print(f"{a.n} rounds: {names}", file=sys.stderr)
        run_rounds(runners, a.n, a.warmup)
        report["runners"], report["targets"] = results_table(runners)
        extras: dict = {}
        if kk is not None and not a.no_extras:
            for label, fn in (
                    (f"kubekit {a.concurrent} concurrent", lambda: concurrent_start(kk, a.concurrent)),
                    (f"crun {a.concurrent} concurrent (reference)", lambda: crun_concurrent(lay, worker, a.concurrent)),
                    (f"kubekit {a.held} running containers (fresh process)", lambda: held_in_child(a))):
                print(f"  {label} ...", file=sys.stderr, flush=True)
                try:
                    extras[label] = fn()
                except Exception as e:  # noqa: BLE001
                    extras[label] = {"error": f"{type(e).__name__}: {e}"}
        report["extras"] = extras
    finally:
        if worker is not None:
            worker.close()
        close_logs()
        gc.collect()
        after = snapshot()
        report["machine"]["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        left = peers.cleanup(lay)
        report["leaks"] = {k: [before[k], after[k]] for k in before if before[k] != after[k] and k != "bench_cgroup_dirs"}
        if left:
            notes.append(f"could not remove after the run: {left}")
    text = fmt_text(report)
    print(text)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    if a.md:
        with open(a.md, "w", encoding="utf-8") as f:
            f.write(fmt_md(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
