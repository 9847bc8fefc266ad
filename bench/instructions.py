"""Instruction counts of the control plane's hot paths, under valgrind: a
figure that does not move with the machine's load (wall time on a shared
2-core VM varies by 15% and more within minutes), for comparing two builds
side by side.

    python3 bench/instructions.py hour  [--repo DIR] [--start 120] [--end 420]
    python3 bench/instructions.py lease [--repo DIR] [--rounds 4] [--deliver]

``hour``: the instructions per simulated second of ``bench/hpa_sim_hour.py``'s
cluster (500 nodes, 200 HPAs, the same ``build()`` and ``simulate()``)
between simulated seconds ``--start`` and ``--end``, as the difference of two
runs under ``valgrind --tool=cachegrind --cache-sim=no`` that simulate
``--start`` and ``--end`` seconds.  Each run prints its decisions, scale
events and store revision: two builds compared side by side must show the
same ones, or they did not simulate the same thing.

``lease``: the instructions of one node lease renewal (the simulated
kubelet's update of its Lease, the store's write), counted by
``valgrind --tool=callgrind`` inside the renewals only: ``--rounds`` rounds
of 500 nodes, after 30 simulated seconds of start-up.  ``--deliver`` also
pumps the control plane's informers after each round, so the figure includes
delivering the watch event to the node lifecycle controller.

``--repo`` runs another checkout (built in place, for example a
``git worktree`` of an earlier commit) instead of this one.  The runs set
``PYTHONHASHSEED=0``.  Needs valgrind (Debian: ``apt-get install valgrind``);
each ``hour`` run takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _child_hour(repo: str, seconds: float) -> None:
    sys.path.insert(0, repo)
    sys.path.insert(0, os.path.join(repo, "bench"))
    import hpa_sim_hour as hour

    from kubekit.gcpolicy import control_plane_gc

    with control_plane_gc():
        cp, ctl, _ = hour.build(500, 200)
        hour.simulate(cp, seconds)
        print(f"decisions {ctl.decisions} rescales {ctl.rescales} rv {cp.store.list('Namespace')[1]}",
              file=sys.stderr)


def _child_lease(repo: str, rounds: int, deliver: bool) -> None:
    import functools

    sys.path.insert(0, repo)
    from kubekit.clock import FakeClock
    from kubekit.cluster.local import ControlPlane
    from kubekit.node.simulated import NodeTemplate

    clock = FakeClock()
    cp = ControlPlane(clock, start_delay=1.0)
    cp.fleet.add_nodes([f"node-{i:04d}" for i in range(500)], NodeTemplate(cpu="32", memory="256Gi"))
    t_end = clock.monotonic() + 30
    cp.run_until(lambda: clock.monotonic() >= t_end, max_sim_seconds=60)
    fleet = cp.fleet

    def renewals(_acc, n):
        for _ in range(n):
            clock.advance(10)
            wall = clock.now()
            for name in fleet.nodes:
                fleet._renew_lease(name, wall)
            if deliver:
                for inf in cp._informers:
                    inf.pump()
        return 0

    # valgrind counts only inside functools.reduce (--toggle-collect): the renewals
    functools.reduce(renewals, [rounds], 0)
    print(f"renewals {rounds * len(fleet.nodes)}", file=sys.stderr)


def _valgrind(tool: str, tool_args: list[str], args: list[str]) -> tuple[int, str]:
    """Run this script with ``args`` under valgrind's ``tool``: (instructions, the child's facts line)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", f"--tool={tool}", *tool_args, f"--{tool}-out-file={os.path.join(tmp, 'out')}",
               sys.executable, os.path.abspath(__file__), *args]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    m = re.search(r"(?:I\s+refs|Collected)\s*:\s*([\d,]+)", p.stderr)
    if m is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{p.stderr[-3000:]}")
    facts = [line for line in p.stderr.splitlines() if line.startswith(("decisions", "renewals"))]
    return int(m.group(1).replace(",", "")), (facts[-1] if facts else "")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    h = sub.add_parser("hour")
    h.add_argument("--repo", default=os.path.dirname(HERE))
    h.add_argument("--start", type=float, default=120.0)
    h.add_argument("--end", type=float, default=420.0)
    h.add_argument("--child", type=float, help=argparse.SUPPRESS)
    lease = sub.add_parser("lease")
    lease.add_argument("--repo", default=os.path.dirname(HERE))
    lease.add_argument("--rounds", type=int, default=4)
    lease.add_argument("--deliver", action="store_true")
    lease.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    repo = os.path.abspath(a.repo)
    if a.what == "hour":
        if a.child is not None:
            return _child_hour(repo, a.child)
        if not 0 <= a.start < a.end:
            ap.error("--start must be below --end")
        i0, f0 = _valgrind("cachegrind", ["--cache-sim=no"], ["hour", "--repo", repo, "--child", str(a.start)])
        i1, f1 = _valgrind("cachegrind", ["--cache-sim=no"], ["hour", "--repo", repo, "--child", str(a.end)])
        print(f"{repo}: at {a.start:g} s: {f0}; at {a.end:g} s: {f1}")
        print(f"{(i1 - i0) / (a.end - a.start) / 1e6:.2f} M instructions per simulated second "
              f"({a.start:g}..{a.end:g} s)")
    else:
        if a.child:
            return _child_lease(repo, a.rounds, a.deliver)
        args = ["lease", "--repo", repo, "--rounds", str(a.rounds), "--child"] + (["--deliver"] if a.deliver else [])
        n, facts = _valgrind("callgrind", ["--toggle-collect=functools_reduce"], args)
        if not facts:
            raise SystemExit("the child did not report how many renewals it made")
        renewals = int(facts.split()[-1])
        print(f"{repo}: {n / renewals:,.0f} instructions per lease renewal"
              f"{' with its delivery' if a.deliver else ''} ({renewals} renewals)")


if __name__ == "__main__":
    main()
