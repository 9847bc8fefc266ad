"""Every heuristic's result next to the best lower bound: the gap a user reads
to know how far from optimal a placement can be at most.

Both ways of placing report it: the plain-Python reference heuristics
(``engine="python"``) and the Cython batch kernel (``engine="kernel"``,
:mod:`kubekit.packing.batch`), which gives the same placements::

    bounds, rows = evaluate_heuristics(p, "bins", engine="kernel")   # every heuristic, index built once
    placement, row = place_with_gap(p, "bfd", order="max", fit="dot")  # one kernel run and its gap

**Which bound.**  ``bounds.best`` of :func:`kubekit.packing.lower_bounds`:
the volume, Martello–Toth L2, spread and conflict-clique bounds (the clique
up to 3,000 items), and the LP relaxation with ``lp`` when the model has at
most ``lp_max_pairs`` item–class pairs (default :data:`LP_MAX_PAIRS`, where
GLOP takes a second or a few; above it the LP is skipped, so on 100,000
OpenB pods onto 10,000 nodes the bounds cost about 0.5 s, plus OR-Tools'
import once).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from kubekit.packing.batch import heuristic_args, place, prepare
from kubekit.packing.bounds import Bounds, lower_bounds
from kubekit.packing.heuristics import HEURISTICS, Placement, run_heuristic
from kubekit.packing.problem import PackingError, PackingProblem, check_objective

ENGINES: tuple[str, ...] = ("python", "kernel")
"""``python``: the reference heuristics (heuristics.py); ``kernel``: the
Cython batch kernel (batch.py), the same placements."""

LP_MAX_PAIRS = 20_000
"""The LP bound runs by default only up to this many item–class pairs
(measured: 20,000 pairs, 0.8 s with one bin class, 2.5 s with four; 100,000
pairs, 10 s; 80,000 pairs over four classes hit GLOP's 30 s limit)."""


def gap(objective: int, bound: int) -> float:
    """``(objective − bound) / bound``: at most this far above the optimum
    (``0.0`` when both are zero, ``inf`` when only the bound is)."""
    if bound == 0:
        return 0.0 if objective == 0 else math.inf
    return (objective - bound) / bound


@dataclass(frozen=True, slots=True)
class HeuristicResult:
    """One heuristic on one problem.  ``objective`` and ``gap`` are ``None``
    when some item was left unplaced (a bound on placing every item says
    nothing about a placement of some of them)."""

    name: str
    objective: int | None
    bins_used: int
    cost: int
    unplaced: int
    bound: int
    gap: float | None
    seconds: float


def result_row(placement: Placement, objective: str, bound: int, seconds: float = 0.0) -> HeuristicResult:
    """``placement``'s row: its objective and its gap to ``bound``."""
    obj = placement.objective(objective) if placement.complete else None
    return HeuristicResult(name=placement.name, objective=obj, bins_used=placement.bins_used, cost=placement.cost,
                           unplaced=len(placement.unplaced), bound=bound,
                           gap=None if obj is None else gap(obj, bound), seconds=seconds)


def _bounds(problem: PackingProblem, objective: str, bounds: Bounds | None, lp: bool, lp_max_pairs: int) -> Bounds:
    check_objective(objective)
    if bounds is None:
        return lower_bounds(problem, objective, lp=lp, lp_max_pairs=lp_max_pairs)
    if bounds.objective != objective:
        raise PackingError(f"bounds are for objective {bounds.objective!r}, expected {objective!r}")
    return bounds


def evaluate_heuristics(problem: PackingProblem, objective: str = "bins", names: Iterable[str] = HEURISTICS, *,
                        bounds: Bounds | None = None, lp: bool = True, lp_max_pairs: int = LP_MAX_PAIRS,
                        engine: str = "python", gpu_share: str | None = None,
                        clock: Callable[[], float] = time.perf_counter) -> tuple[Bounds, list[HeuristicResult]]:
    """Run each heuristic in ``names`` and give its gap to the best bound
    (``bounds``, else :func:`lower_bounds` with ``lp`` up to ``lp_max_pairs``
    item–class pairs; see the module doc).

    ``engine="python"`` runs the reference heuristics; ``engine="kernel"``
    builds the kernel's index once (:func:`kubekit.packing.batch.prepare`,
    optionally with the GPU-share model ``gpu_share``) and runs every name on
    it (:func:`kubekit.packing.batch.heuristic_args`: ``ff`` / ``bf-<fit>``
    are order ``none``).  The rows are the same either way but for
    ``seconds``, which for the kernel counts the run alone, not the index
    build.  The bounds ignore the GPU-share model (a relaxation: still valid)."""
    if engine not in ENGINES:
        raise PackingError(f"invalid engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if gpu_share is not None and engine != "kernel":
        raise PackingError("gpu_share needs engine='kernel': the reference heuristics know only vectors")
    names = list(names)
    args = [heuristic_args(name) for name in names]         # a bad name fails before any work
    bounds = _bounds(problem, objective, bounds, lp, lp_max_pairs)
    if engine == "kernel" and names:
        prepared = prepare(problem, gpu_share=gpu_share)

        def run(k: int) -> Placement:
            return prepared.place(*args[k])
    else:
        def run(k: int) -> Placement:
            return run_heuristic(problem, names[k])
    out = []
    for k in range(len(names)):
        t0 = clock()
        p = run(k)
        out.append(result_row(p, objective, bounds.best, clock() - t0))
    return bounds, out


def place_with_gap(problem: PackingProblem, algorithm: str = "bfd", order: str = "max", fit: str | None = "dot", *,
                   objective: str = "bins", bounds: Bounds | None = None, lp: bool = True,
                   lp_max_pairs: int = LP_MAX_PAIRS, gpu_share: str | None = None,
                   clock: Callable[[], float] = time.perf_counter) -> tuple[Placement, HeuristicResult]:
    """:func:`kubekit.packing.batch.place` (the Cython kernel) and its row:
    objective, the best bound (``bounds``, else :func:`lower_bounds` with the
    LP only up to ``lp_max_pairs`` item–class pairs — see the module doc),
    and the gap (``None`` if some item stayed unplaced).  ``seconds`` counts
    the index build and the run, not the bounds."""
    check_objective(objective)
    t0 = clock()
    p = place(problem, algorithm, order, fit, gpu_share=gpu_share)
    seconds = clock() - t0
    bounds = _bounds(problem, objective, bounds, lp, lp_max_pairs)
    return p, result_row(p, objective, bounds.best, seconds)


def markdown_table(results: Iterable[HeuristicResult]) -> str:
    """The results as a markdown table."""
    lines = ["| heuristic | objective | bound | gap | unplaced | seconds |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        obj = "–" if r.objective is None else str(r.objective)
        g = "–" if r.gap is None else f"{100 * r.gap:.2f}%"
        lines.append(f"| {r.name} | {obj} | {r.bound} | {g} | {r.unplaced} | {r.seconds:.4f} |")
    return "\n".join(lines) + "\n"
