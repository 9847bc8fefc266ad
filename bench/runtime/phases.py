"""Where kubekit's in-process start goes: per-phase times of ``Runtime.run`` (a diagnostic).

    sudo python3 bench/runtime/phases.py [-n 50] [--gap 0.2]

Wraps kubekit's internal steps with perf_counter timers (by name; a step that
no longer exists is skipped) and runs the compare.py workload n times.  The
names are private and may change: this is for whoever tunes the start path,
not a comparison.  ``--gap`` pauses (untimed) before each run, like the cold
runners of compare.py.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peers
from compare import load_kubekit

# (module, attribute path, label); nested labels are indented under their parent
STEPS = [
    ("kubekit.runtime.runtime", "Runtime.create", "create"),
    ("kubekit.runtime.cgroups.base", "CgroupDriver.create", "  cgroup mkdir + limits"),
    ("kubekit.runtime.plan", "build", "  plan.build"),
    ("kubekit._fast._spawn", "spawn", "  clone + child setup (_spawn.spawn)"),
    ("kubekit.runtime.cgroups.base", "Cgroup.attach", "  cgroup.procs writes (attach)"),
    ("kubekit.runtime.container", "Container._expect_wait", "  wait for the child's ready byte"),
    ("kubekit.runtime.runtime", "Runtime._mark", "  state record save"),
    ("kubekit.runtime.container", "Container.start", "start"),
    ("kubekit.runtime.container", "Container.wait", "wait (payload runs, exits, reaped)"),
    ("kubekit.runtime.container", "Container.delete", "delete"),
    ("kubekit.runtime.cgroups.base", "Cgroup.destroy", "  cgroup kill + rmdir"),
    ("kubekit.runtime.cgroups.base", "CgroupDriver.remove_if_empty", "  pod cgroup rmdir"),
    ("kubekit.runtime.runtime", "remove_bundle", "  remove the bundle (overlay dirs)"),
    ("kubekit.runtime.runtime", "remove_tree", "  remove the bundle (overlay dirs)"),
    ("kubekit.runtime.state", "StateDir.remove", "  state record unlink"),
]


def instrument(acc: dict) -> list[str]:
    import importlib

    missing = []
    for modname, attr, label in STEPS:
        try:
            mod = importlib.import_module(modname)
            owner = mod
            parts = attr.split(".")
            for p in parts[:-1]:
                owner = getattr(owner, p)
            orig = getattr(owner, parts[-1])
        except (ImportError, AttributeError):
            missing.append(f"{modname}.{attr}")
            continue

        def timed(*a, _orig=orig, _label=label, **k):
            t = time.perf_counter()
            try:
                return _orig(*a, **k)
            finally:
                acc[_label].append(time.perf_counter() - t)

        setattr(owner, parts[-1], timed)
    return missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--gap", type=float, default=0.0)
    ap.add_argument("--dir", default=peers.DEFAULT_DIR)
    a = ap.parse_args()
    lay = peers.Layout(a.dir).prepare()
    kk, why = load_kubekit(lay.rootfs)
    if kk is None:
        print(f"kubekit runtime unavailable: {why}")
        return 1
    acc: dict[str, list[float]] = collections.defaultdict(list)
    missing = instrument(acc)
    for _ in range(3):
        kk.run_true()
    acc.clear()
    total = []
    for _ in range(a.n):
        if a.gap:
            time.sleep(a.gap)
        t = time.perf_counter()
        kk.run_true()
        total.append(time.perf_counter() - t)
    print(f"Runtime.run, n={a.n}, gap {a.gap} s: median {statistics.median(total) * 1e3:.2f} ms "
          f"(loadavg {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    for label in dict.fromkeys(label for _, _, label in STEPS):
        xs = sorted(acc.get(label, []))
        if xs:
            print(f"  {label:42} median {statistics.median(xs) * 1e3:7.3f}  p90 {xs[int(0.9 * (len(xs) - 1))] * 1e3:7.3f} ms"
                  f"  ({len(xs) / a.n:g} per run)")
    if missing:
        print("  not instrumented (gone or renamed):", ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
