"""Bin packing at cluster scale: the problem model, reference heuristics,
lower bounds and an exact CP-SAT solver (issue 7, section 2).

::

    from kubekit.packing import PackingProblem, best_fit_decreasing, lower_bounds, place_with_gap, solve

    p = PackingProblem.identical([[2, 3], [4, 1], [3, 3]], capacity=[6, 6])
    h = best_fit_decreasing(p, order="max", fit="dot")   # a Placement
    lower_bounds(p).best                                  # a proven lower bound
    s = solve(p, time_limit_s=5)                          # a Solution: status, objective, bound
    placement, row = place_with_gap(p, "bfd", "max", "dot")  # the Cython kernel, row.gap to the best bound

The bounds' LP and the exact solver need OR-Tools (``pip install ortools``);
it is imported only when they run.  See ``docs/packing.md``.
"""

from __future__ import annotations

from kubekit.packing.bounds import (
    Bounds, LpResult, clique_bound, l2_bound, lower_bound, lower_bounds, lp_bound, martello_toth_l2, spread_bound,
    volume_bound,
)
from kubekit.packing.cluster import problem_from_cluster
from kubekit.packing.exact import Solution, Status, solve
from kubekit.packing.heuristics import (
    DECREASING, FITS, HEURISTICS, ORDERS, Placement, best_fit_decreasing, best_placement, first_fit_decreasing,
    item_order, run_heuristic,
)
from kubekit.packing.instances import InstanceFormatError, KnownResult, load_summary, load_vbp, parse_vbp
from kubekit.packing.problem import PackingError, PackingProblem, check_assignment, objective_value
from kubekit.packing.report import ENGINES, LP_MAX_PAIRS, HeuristicResult, evaluate_heuristics, gap, place_with_gap

__all__ = [
    "Bounds", "DECREASING", "ENGINES", "FITS", "HEURISTICS", "HeuristicResult", "InstanceFormatError", "KnownResult",
    "LP_MAX_PAIRS", "LpResult", "ORDERS", "PackingError", "PackingProblem", "Placement", "Solution", "Status",
    "best_fit_decreasing", "best_placement", "check_assignment", "clique_bound", "evaluate_heuristics", "first_fit_decreasing",
    "gap", "item_order", "l2_bound", "load_summary", "load_vbp", "lower_bound", "lower_bounds", "lp_bound",
    "martello_toth_l2", "objective_value", "parse_vbp", "place_with_gap", "problem_from_cluster", "run_heuristic", "solve", "spread_bound", "volume_bound",
]
