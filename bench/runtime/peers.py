"""The peers kubekit's container start is compared with: crun, runc and an unshare+chroot floor.

Everything lives under a scratch folder (``--dir``, default ``$KUBEKIT_BENCH_DIR`` or
``/tmp/kubekit-bench``)::

    rootfs/                     busybox rootfs (kubekit.runtime.busybox.make_busybox_rootfs)
    bundle/{crun,runc}/config.json   the OCI config each runtime starts (root.path = the rootfs)
    check/{crun,runc}/config.json    the same container running a probe script instead of /bin/true
    batch/<runtime>/b<i>/config.json one bundle per container for the concurrent-start run
    state/{crun,runc}/          --root state folders, so nothing lands in /run

and the only other things touched are the ``kubekit-bench`` cgroup folders the peers create in
every hierarchy (``cleanup()`` removes them, killing anything left inside first).

The workload (issue 3, section 6): ``/bin/true``, no terminal, pid+mount+uts+ipc+network
namespaces, pivot_root into the busybox rootfs with /proc and /dev, memory 64 MiB, cpu quota
50000/period 100000, pids 64, cgroupsPath ``/kubekit-bench/<runtime>``.

``config.json`` is written from a dict (``oci_config``), not patched from ``crun spec``.
Everything besides the workload is what ``runc spec`` / ``crun spec`` (runc 1.1.5, crun 1.8.1)
emit, so crun and runc do the work they do by default:

* mounts: /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), /sys/fs/cgroup (ro);
  ``mounts="kubekit"`` drops /dev/mqueue and /sys/fs/cgroup to match kubekit's own list
  (/proc, a minimal /dev with pts and shm, /sys ro);
* maskedPaths and readonlyPaths: runc's defaults (kubekit masks the same list plus
  /sys/devices/virtual/powercap);
* capabilities: the spec default (AUDIT_WRITE, KILL, NET_BIND_SERVICE in bounding, effective,
  permitted and ambient); kubekit keeps Docker's 14 by default: one capset either way;
* noNewPrivileges, RLIMIT_NOFILE 1024/1024, root read-only, the default device cgroup rule
  (deny all; both runtimes then allow their default device list);
* left out: ``hostname`` (the spec default sets one; kubekit's benchmark spec sets none).

On a hybrid host crun refuses every container while ``/sys/fs/cgroup/unified`` lists a
controller; ``NsWorker`` runs crun from a worker process living in a private mount namespace
where that mount is gone (crun then runs in its legacy v1 mode, applying the same limits).
The namespace is made once for the whole run, never per sample.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if REPO not in sys.path:   # run from a checkout: the repo's kubekit, whatever is installed
    sys.path.insert(1, REPO)

from timing import Sample

DEFAULT_DIR = os.environ.get("KUBEKIT_BENCH_DIR", "/tmp/kubekit-bench")
CGROUP_ROOT = "/sys/fs/cgroup"
UNIFIED = "/sys/fs/cgroup/unified"
CG_PREFIX = "kubekit-bench"          # every peer cgroup is /kubekit-bench/...
ID_PREFIX = "kkb-"                   # every peer container id starts with this

# The workload of issue 3 section 6.
ARGS = ("/bin/true",)
MEMORY_LIMIT = 64 << 20
CPU_QUOTA = 50000
CPU_PERIOD = 100000
PIDS_LIMIT = 64
NAMESPACES = ("pid", "network", "ipc", "uts", "mount")     # OCI names, in `crun spec` order

PROBE_SCRIPT = (
    'cat /proc/self/cgroup | grep -E ":(memory|pids|cpu,cpuacct|cpu):|^0::" ; '
    "for f in memory/memory.limit_in_bytes memory.max pids/pids.max pids.max "
    "cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu.max; do "
    '[ -e /sys/fs/cgroup/$f ] && echo "$f=$(cat /sys/fs/cgroup/$f)"; done; '
    'echo pid=$$; echo mounts=$(cut -d" " -f2 /proc/self/mounts | tr "\\n" " "); '
    'grep -E "^(NoNewPrivs|CapEff)" /proc/self/status; '
    'echo netdevs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")'
)

_DEFAULT_MOUNTS = [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
]
_KUBEKIT_LIKE = ("/proc", "/dev", "/dev/pts", "/dev/shm", "/sys")
_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
_MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
           "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def oci_config(root_path: str, cgroups_path: str, args: tuple[str, ...] = ARGS,
               mounts: str = "default") -> dict:
    """The OCI config.json (runtime-spec 1.0.2) for one benchmark container."""
    if mounts not in ("default", "kubekit"):
        raise ValueError(f"mounts must be 'default' or 'kubekit', not {mounts!r}")
    mount_list = [dict(m) for m in _DEFAULT_MOUNTS
                  if mounts == "default" or m["destination"] in _KUBEKIT_LIKE]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: list(_CAPS) for k in ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": root_path, "readonly": True},
        "mounts": mount_list,
        "linux": {
            "resources": {
                "devices": [{"allow": False, "access": "rwm"}],
                "memory": {"limit": MEMORY_LIMIT},
                "cpu": {"quota": CPU_QUOTA, "period": CPU_PERIOD},
                "pids": {"limit": PIDS_LIMIT},
            },
            "cgroupsPath": cgroups_path,
            "namespaces": [{"type": t} for t in NAMESPACES],
            "maskedPaths": list(_MASKED),
            "readonlyPaths": list(_READONLY),
        },
    }


def _write_json(path: str, data: dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def _make_busybox_rootfs():
    """kubekit.runtime.busybox.make_busybox_rootfs; loaded from its file if the package's
    ``__init__`` does not import (the runtime is being written while the peers are measured)."""
    try:
        from kubekit.runtime.busybox import make_busybox_rootfs
    except ImportError:
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "_kubekit_busybox", os.path.join(REPO, "kubekit", "runtime", "busybox.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        make_busybox_rootfs = mod.make_busybox_rootfs
    return make_busybox_rootfs


def _which(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin")
    if not path:
        raise FileNotFoundError(f"{name} not found on PATH (apt-get install {name})")
    return path


class Layout:
    """Paths under the scratch folder, and the peers' command lines."""

    def __init__(self, root: str = DEFAULT_DIR, mounts: str = "default"):
        self.root = os.path.abspath(root)
        self.mounts = mounts
        self.rootfs = os.path.join(self.root, "rootfs")
        self.bundle = os.path.join(self.root, "bundle")
        self.check_bundle = os.path.join(self.root, "check")
        self.batch_dir = os.path.join(self.root, "batch")
        self.state = {rt: os.path.join(self.root, "state", rt) for rt in ("crun", "runc")}

    def prepare(self) -> Layout:
        """Build the rootfs (once) and (re)write the bundles' config.json."""
        if not os.path.exists(os.path.join(self.rootfs, "bin", "true")):
            _make_busybox_rootfs()(self.rootfs)
        for d in self.state.values():
            os.makedirs(d, exist_ok=True)
        # cgroupsPath lives in config.json: one bundle per runtime, sharing the rootfs.
        for rt in ("crun", "runc"):
            _write_json(os.path.join(self.bundle_for(rt), "config.json"),
                        oci_config(self.rootfs, f"/{CG_PREFIX}/{rt}", mounts=self.mounts))
            _write_json(os.path.join(self.check_bundle, rt, "config.json"),
                        oci_config(self.rootfs, f"/{CG_PREFIX}/check-{rt}", ("/bin/sh", "-c", PROBE_SCRIPT),
                                   mounts=self.mounts))
        return self

    def bundle_for(self, runtime: str) -> str:
        return os.path.join(self.bundle, runtime)

    def prepare_batch(self, runtime: str, n: int) -> list[str]:
        """n bundles with distinct cgroups for n containers started at once; returns their dirs."""
        dirs = []
        for i in range(n):
            d = os.path.join(self.batch_dir, runtime, f"b{i}")
            _write_json(os.path.join(d, "config.json"),
                        oci_config(self.rootfs, f"/{CG_PREFIX}/batch-{runtime}/b{i}", mounts=self.mounts))
            dirs.append(d)
        return dirs

    # -- command lines (argv[0] absolute: posix_spawn does no PATH search) --
    def runtime_argv(self, runtime: str, bundle: str | None = None, cid: str | None = None) -> list[str]:
        return [_which(runtime), "--root", self.state[runtime], "run", "--bundle",
                bundle or self.bundle_for(runtime), cid or f"{ID_PREFIX}{runtime}"]

    def floor_argv(self) -> list[str]:
        return [_which("unshare"), "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                _which("chroot"), self.rootfs, "/bin/true"]

    def check_argv(self, runtime: str) -> list[str]:
        return self.runtime_argv(runtime, os.path.join(self.check_bundle, runtime), f"{ID_PREFIX}check-{runtime}")


# -- cgroup mode --------------------------------------------------------------------------------

def _mount_fstype(path: str) -> str | None:
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if parts[4] == path:
                return parts[parts.index("-") + 1]
    return None


def cgroup_mode() -> str:
    """'unified', 'hybrid' (v1 + a cgroup2 mount at unified/) or 'legacy'."""
    if _mount_fstype(CGROUP_ROOT) == "cgroup2":
        return "unified"
    return "hybrid" if _mount_fstype(UNIFIED) == "cgroup2" else "legacy"


def crun_needs_legacy_ns() -> bool:
    """crun 1.8 refuses hybrid hosts whose cgroup2 mount lists any controller."""
    if cgroup_mode() != "hybrid":
        return False
    try:
        with open(os.path.join(UNIFIED, "cgroup.controllers")) as f:
            return bool(f.read().split())
    except OSError:
        return False


def legacy_ns_prefix() -> list[str]:
    """argv prefix: a private mount namespace without the cgroup2 mount (empty when not needed)."""
    if not crun_needs_legacy_ns():
        return []
    return [_which("unshare"), "--mount", "--propagation", "private", "--",
            "/bin/sh", "-c", 'umount "$0" && exec "$@"', UNIFIED]


class NsWorker:
    """A timing worker (nsworker.py) in crun's legacy mount namespace, driven over pipes."""

    def __init__(self) -> None:
        argv = legacy_ns_prefix() + [sys.executable, os.path.join(HERE, "nsworker.py")]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        hello = self._ask({"op": "hello"})
        self.pid = hello["pid"]
        self.unified = hello["unified"]
        if crun_needs_legacy_ns() and self.unified == "cgroup2":
            raise RuntimeError("nsworker: /sys/fs/cgroup/unified is still mounted in the worker")

    def _ask(self, req: dict) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"nsworker died (exit {self.proc.wait()})")
        res = json.loads(line)
        if not res.get("ok"):
            raise RuntimeError(f"nsworker: {res.get('error')}")
        return res

    def run(self, argv: list[str], gap_s: float = 0.0, stderr_log: str | None = None) -> Sample:
        r = self._ask({"op": "run", "argv": argv, "gap": gap_s, "stderr_log": stderr_log})
        return Sample(r["wall"], r["cpu"], r["rc"], r["rss"], r.get("err", ""))

    def batch(self, argvs: list[list[str]]) -> tuple[float, int]:
        r = self._ask({"op": "batch", "argvs": argvs})
        return r["wall"], r["fails"]

    def check(self, argv: list[str]) -> tuple[int, str, str]:
        r = self._ask({"op": "check", "argv": argv})
        return r["rc"], r["out"], r["err"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe and not pipe.closed:
                pipe.close()


# -- cleanup ------------------------------------------------------------------------------------

def bench_cgroup_dirs() -> list[str]:
    """Every /sys/fs/cgroup/<hierarchy>/kubekit-bench (and /sys/fs/cgroup/kubekit-bench on v2)."""
    out = []
    for top in [os.path.join(CGROUP_ROOT, CG_PREFIX)] + [
            os.path.join(CGROUP_ROOT, h, CG_PREFIX) for h in sorted(os.listdir(CGROUP_ROOT))]:
        if os.path.isdir(top):
            out.append(top)
    return out


def _procs_under(top: str) -> set[int]:
    pids = set()
    for d, _, _ in os.walk(top):
        try:
            with open(os.path.join(d, "cgroup.procs")) as f:
                pids.update(int(x) for x in f.read().split())
        except OSError:
            pass
    return pids


def remove_cgroup_tree(top: str) -> bool:
    """Kill what is left in ``top`` and rmdir it bottom-up; True when it is gone."""
    for _ in range(50):
        pids = _procs_under(top)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for d, _, _ in sorted(os.walk(top, topdown=False), key=lambda t: -t[0].count("/")):
            try:
                os.rmdir(d)
            except OSError:
                pass
        if not os.path.exists(top):
            return True
        time.sleep(0.02)
    return False


def _list_ids(argv: list[str]) -> list[str]:
    p = subprocess.run(argv, capture_output=True, text=True, check=False)
    return [x for x in p.stdout.split() if x.startswith(ID_PREFIX)] if p.returncode == 0 else []


def cleanup(layout: Layout) -> list[str]:
    """Delete leftover peer containers and bench cgroups; returns what could not be removed."""
    problems = []
    if shutil.which("runc") or os.path.exists("/usr/sbin/runc"):
        runc = _which("runc")
        for cid in _list_ids([runc, "--root", layout.state["runc"], "list", "-q"]):
            subprocess.run([runc, "--root", layout.state["runc"], "delete", "-f", cid], capture_output=True, check=False)
    if shutil.which("crun"):
        crun = legacy_ns_prefix() + [_which("crun"), "--root", layout.state["crun"]]
        for cid in _list_ids(crun + ["list", "-q"]):
            subprocess.run(crun + ["delete", "-f", cid], capture_output=True, check=False)
    for top in bench_cgroup_dirs():
        if not remove_cgroup_tree(top):
            problems.append(top)
    return problems


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="build or clean the peers' rootfs and bundles")
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--mounts", choices=("default", "kubekit"), default="default")
    ap.add_argument("--clean", action="store_true", help="only remove leftover containers and cgroups")
    a = ap.parse_args()
    lay = Layout(a.dir, a.mounts)
    left = cleanup(lay)
    if not a.clean:
        lay.prepare()
        print(f"rootfs {lay.rootfs}; bundles {lay.bundle}/{{crun,runc}}; cgroup mode {cgroup_mode()}; "
              f"crun needs legacy ns: {crun_needs_legacy_ns()}")
    if left:
        print("not removed:", *left)
