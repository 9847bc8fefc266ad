"""The simulated hour (``bench/hpa_sim_hour.py``) under several Python
interpreters, side by side: the same checkout and the same compiled modules,
one single-run process per interpreter in turn, round after round.

    python3 bench/interpreters.py [--runs 4] [--seconds 3600] PYTHON [PYTHON ...]

Each ``PYTHON`` must be a CPython of the version the modules were built for
(their ``cpython-3XX`` tag) with kubekit's runtime dependencies importable
(numpy, PyYAML, urllib3, orjson, sortedcontainers); it imports kubekit from
this checkout.  Debian's own ``/usr/bin/python3``, for example::

    /usr/bin/python3 -m venv /tmp/debian-python
    /tmp/debian-python/bin/pip install numpy PyYAML urllib3 orjson sortedcontainers
    python3 bench/interpreters.py python3 /tmp/debian-python/bin/python

Prints each interpreter's runs, their median and its ratio to the first
interpreter's.  Every run must make the same HPA decisions, scale events and
store revision, or the interpreters did not simulate the same thing and the
script stops.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
_FIGURES = {
    "wall": re.compile(r"\[gc control-plane\] wall \(median of 1\): ([\d.]+) s"),
    "decisions": re.compile(r"HPA decisions: (\d+)"),
    "rescales": re.compile(r"scale events \(target writes\): (\d+)"),
    "revision": re.compile(r"store revision (\d+)"),
}


def describe(python: str) -> str:
    """``version, executable`` of an interpreter, as it reports them."""
    out = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0], sys.executable)"],
                         capture_output=True, text=True, check=True).stdout.split()
    return f"{out[0]}, {os.path.realpath(out[1])}"


def one_run(python: str, seconds: float) -> dict[str, float]:
    """One simulated hour in a fresh process of ``python``: its figures."""
    cmd = [python, os.path.join(HERE, "hpa_sim_hour.py"), "--runs", "1", "--gc", "control-plane",
           "--seconds", str(seconds)]
    env = dict(os.environ, PYTHONPATH=REPO, OPENBLAS_NUM_THREADS="1")
    p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    figures = {}
    for name, pattern in _FIGURES.items():
        m = pattern.search(p.stdout)
        if m is None:
            raise SystemExit(f"{' '.join(cmd)}: no {name} in its output:\n{p.stdout[-3000:]}")
        figures[name] = float(m.group(1))
    return figures


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pythons", nargs="+", metavar="PYTHON")
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=3600.0)
    a = ap.parse_args(argv)
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    walls: dict[str, list[float]] = {p: [] for p in a.pythons}
    outcome = None
    for _ in range(a.runs):
        for python in a.pythons:
            r = one_run(python, a.seconds)
            same = (r["decisions"], r["rescales"], r["revision"])
            if outcome is not None and same != outcome:
                raise SystemExit(f"{python}: decisions, scale events, store revision {same} differ from {outcome}")
            outcome = same
            walls[python].append(r["wall"])
    print(f"# bench/hpa_sim_hour.py --runs 1 --gc control-plane --seconds {a.seconds:g}, {a.runs} rounds, "
          f"interpreters in turn; every run: {int(outcome[0])} decisions, {int(outcome[1])} scale events, "
          f"store revision {int(outcome[2])}")
    first = statistics.median(walls[a.pythons[0]])
    for python in a.pythons:
        med = statistics.median(walls[python])
        print(f"{python} ({describe(python)}): median {med:.2f} s [runs: {', '.join(f'{w:.2f}' for w in walls[python])}]"
              f"; {med / first:.2f}x the first")


if __name__ == "__main__":
    main(sys.argv[1:])
