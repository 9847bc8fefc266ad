"""Timing worker that lives in another mount namespace (crun on a hybrid host).

``peers.NsWorker`` starts this file as::

    unshare --mount --propagation private -- /bin/sh -c 'umount "$0" && exec "$@"' \
        /sys/fs/cgroup/unified  python3 nsworker.py

so the namespace is created (and cgroup2 unmounted) once for the whole run,
never per sample.  The parent sends one JSON object per line on stdin and
reads one JSON line back per request:

    {"op": "hello"}                          -> {"ok": true, "unified": <fstype or null>, "pid": ...}
    {"op": "run", "argv": [...], "gap": 0.2, "stderr_log": path}
                                             -> {"ok": true, "wall": s, "cpu": s, "rc": n, "rss": KiB, "err": "..."}
    {"op": "batch", "argvs": [[...], ...]}   -> {"ok": true, "wall": s, "fails": n}
    {"op": "check", "argv": [...]}           -> {"ok": true, "rc": n, "out": "...", "err": "..."}
    {"op": "quit"}                           -> exits

The sample itself is timed here, around posix_spawn + wait4, exactly as the
parent times the other external commands; the pipe round trip is not counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import spawn_batch, spawn_once


def unified_fstype() -> str | None:
    """fstype mounted exactly at /sys/fs/cgroup/unified in this mount namespace, or None."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if parts[4] == "/sys/fs/cgroup/unified":
                return parts[parts.index("-") + 1]
    return None


def main() -> int:
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        try:
            if op == "hello":
                res = {"ok": True, "unified": unified_fstype(), "pid": os.getpid()}
            elif op == "run":
                s = spawn_once(req["argv"], gap_s=float(req.get("gap", 0.0)), stderr_log=req.get("stderr_log"))
                res = {"ok": True, "wall": s.wall_s, "cpu": s.cpu_s, "rc": s.rc, "rss": s.maxrss_kib, "err": s.err}
            elif op == "batch":
                wall, fails = spawn_batch(req["argvs"])
                res = {"ok": True, "wall": wall, "fails": fails}
            elif op == "check":
                p = subprocess.run(req["argv"], capture_output=True, text=True, timeout=120, check=False)
                res = {"ok": True, "rc": p.returncode, "out": p.stdout, "err": p.stderr}
            elif op == "quit":
                return 0
            else:
                res = {"ok": False, "error": f"unknown op {op!r}"}
        except Exception as e:  # noqa: BLE001 (report, keep serving)
            res = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(res) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
