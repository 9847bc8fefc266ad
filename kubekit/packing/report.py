"""Every heuristic's result next to the best lower bound: the gap a user reads
to know how far from optimal a placement can be at most."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from kubekit.packing.bounds import Bounds, lower_bounds
from kubekit.packing.heuristics import HEURISTICS, run_heuristic
from kubekit.packing.problem import PackingProblem, check_objective


def gap(objective: int, bound: int) -> float:
    """``(objective − bound) / bound``: at most this far above the optimum
    (``0.0`` when both are zero, ``inf`` when only the bound is)."""
    if bound == 0:
        return 0.0 if objective == 0 else math.inf
    return (objective - bound) / bound


@dataclass(frozen=True, slots=True)
class HeuristicResult:
    """One heuristic on one problem.  ``objective`` and ``gap`` are ``None``
    when some item was left unplaced."""

    name: str
    objective: int | None
    bins_used: int
    cost: int
    unplaced: int
    bound: int
    gap: float | None
    seconds: float


def evaluate_heuristics(problem: PackingProblem, objective: str = "bins", names: Iterable[str] = HEURISTICS, *,
                        bounds: Bounds | None = None, lp: bool = True,
                        clock: Callable[[], float] = time.perf_counter) -> tuple[Bounds, list[HeuristicResult]]:
    """Run each heuristic in ``names`` and give its gap to the best bound."""
    check_objective(objective)
    if bounds is None:
        bounds = lower_bounds(problem, objective, lp=lp)
    out = []
    for name in names:
        t0 = clock()
        p = run_heuristic(problem, name)
        dt = clock() - t0
        obj = p.objective(objective) if p.complete else None
        out.append(HeuristicResult(name=name, objective=obj, bins_used=p.bins_used, cost=p.cost,
                                   unplaced=len(p.unplaced), bound=bounds.best,
                                   gap=None if obj is None else gap(obj, bounds.best), seconds=dt))
    return bounds, out


def markdown_table(results: Iterable[HeuristicResult]) -> str:
    """The results as a markdown table."""
    lines = ["| heuristic | objective | bound | gap | unplaced | seconds |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        obj = "–" if r.objective is None else str(r.objective)
        g = "–" if r.gap is None else f"{100 * r.gap:.2f}%"
        lines.append(f"| {r.name} | {obj} | {r.bound} | {g} | {r.unplaced} | {r.seconds:.4f} |")
    return "\n".join(lines) + "\n"
