"""The exact solver: a CP-SAT model of the packing problem, warm-started by
the best reference heuristic and combined with the lower bounds.

**Model.**  ``x[i, b]`` (item ``i`` in bin ``b``) exists only where the item
fits the bin alone and the mask allows it; ``y[b]`` says bin ``b`` is used::

    ExactlyOne(x[i, ·])                         every item is placed
    Σ_i d_ir x[i, b] ≤ C_br y[b]                capacity (written only where the
                                                eligible items could overflow)
    x[i, b] ⇒ y[b]                              a bin holding an item is used
    AtMostOne(x[i, b] : i ∈ G)                  spread group G, every bin b
    Σ_b C_br y[b] ≥ Σ_i d_ir                    volume (redundant, helps the LP)
    LB ≤ objective ≤ UB                         the bounds and the warm start
    minimise Σ_b y[b]   or   Σ_b c_b y[b]

**Symmetry.**  Bins of one class (same capacity, cost and mask column) are
interchangeable: every constraint and the objective are invariant when two of
them swap contents.  So any placement can be relabelled, within each class,
so that the used bins come first, ordered by the smallest rank of the items
they hold (ranks: the class's eligible items in decreasing-``max`` order).
The model keeps only such placements:

- ``y[b] ≥ y[b+1]`` for consecutive bins of a class;
- the item of rank ``k`` in class ``t`` may only use the first ``k+1`` bins
  of the class (after relabelling, the ``j``-th used bin's smallest rank is
  at least ``j``);
- ranks put the conflict clique of :mod:`~kubekit.packing.bounds` first;
  with a single class its ``k``-th item is then in bin ``k`` (the ``k``
  items ranked before it sit in ``k`` distinct bins, none with it), so those
  assignments are fixed;
- a class keeps only as many bins as an optimum can use: the warm start's
  objective ``UB`` caps them at ``UB`` bins (``bins``) or ``UB // c_t``
  (``cost``, ``c_t > 0``), and never more than the number of items.

The warm start is relabelled the same way before it is given as a hint, so
the hint satisfies every constraint.

**Result.**  The returned solution is never worse than the warm start (if
CP-SAT ends with a worse or no solution, the warm start is returned), and
its ``bound`` is the larger of CP-SAT's proven objective bound and the lower
bounds of :mod:`kubekit.packing.bounds`.  When the warm start already meets
the lower bound it is optimal and CP-SAT is not run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

import numpy as np

from kubekit.packing.bounds import Bounds, lower_bounds
from kubekit.packing.heuristics import DECREASING, Placement, best_placement, item_order
from kubekit.packing.problem import (
    INT64_MAX, PackingError, PackingProblem, check_assignment, check_objective, exact_sum, objective_value,
    used_bins,
)


class Status(str, Enum):
    OPTIMAL = "OPTIMAL"        # objective == bound: proven optimal
    FEASIBLE = "FEASIBLE"      # a complete placement, not proven optimal
    INFEASIBLE = "INFEASIBLE"  # proven: no complete placement exists
    UNKNOWN = "UNKNOWN"        # no placement found, none proven impossible


@dataclass(frozen=True, slots=True, eq=False)
class Solution:
    """``assignment[i]`` is item ``i``'s bin (``None`` without a solution);
    ``objective`` its number of bins or cost; ``bound`` a proven lower bound
    on the optimum.  ``source`` says which found the placement:
    ``"cp-sat"``, ``"warm-start"`` (CP-SAT did not improve on it or was not
    run).  ``proof`` says what proved the bound: ``"cp-sat"`` or
    ``"bounds"``."""

    status: Status
    objective_kind: str
    assignment: np.ndarray | None
    objective: int | None
    bound: int
    bins_used: int | None
    cost: int | None
    source: str
    proof: str
    warm_start: Placement | None
    lower_bounds: Bounds
    cp_sat_status: str | None
    cp_sat_bound: int | None
    build_time_s: float
    solve_time_s: float

    @property
    def gap(self) -> float | None:
        """``(objective − bound) / bound``; ``None`` without a solution."""
        if self.objective is None:
            return None
        if self.bound == 0:
            return 0.0 if self.objective == 0 else math.inf
        return (self.objective - self.bound) / self.bound


def _class_layout(problem: PackingProblem):
    reps = problem.class_representatives()
    class_bins: list[list[int]] = [[] for _ in range(len(reps))]
    for b, t in enumerate(problem.bin_class.tolist()):
        class_bins[t].append(b)
    fits = ((problem.demands[:, None, :] <= problem.capacities[reps][None, :, :]).all(axis=2)
            & problem.allowed[problem.item_groups][:, reps])
    return reps, class_bins, fits


def symmetry_order(problem: PackingProblem, clique: Iterable[int] = ()) -> np.ndarray:
    """The items as the symmetry breaking ranks them: the ``clique`` first
    (in its order), then the others in decreasing-``max`` order."""
    first = [int(i) for i in clique]
    seen = set(first)
    return np.array(first + [i for i in item_order(problem, "max").tolist() if i not in seen], dtype=np.int64)


def symmetry_ranks(problem: PackingProblem, fits: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``rank[i, t]``: item ``i``'s position among the items eligible for class
    ``t`` in ``order`` (``-1`` where not eligible)."""
    rank = np.full(fits.shape, -1, dtype=np.int64)
    for t in range(fits.shape[1]):
        elig = order[fits[order, t]]
        rank[elig, t] = np.arange(len(elig))
    return rank


def canonical_assignment(problem: PackingProblem, assignment, ranks: np.ndarray,
                         class_bins: list[list[int]]) -> np.ndarray:
    """Relabel bins within each identical class so that used bins come first,
    ordered by the smallest rank of their items (the form the symmetry
    breaking keeps).  The result is as feasible and as good as the input."""
    a = np.asarray(assignment, dtype=np.int64)
    out = a.copy()
    for t, bins in enumerate(class_bins):
        used = [b for b in bins if (a == b).any()]
        used.sort(key=lambda b: int(ranks[a == b, t].min()))
        for new, old in zip(bins, used):
            out[a == old] = new
    return out


def solve(problem: PackingProblem, objective: str = "bins", *, time_limit_s: float = 10.0, workers: int = 1,
          warm_start: Placement | None | bool = True, heuristics: Iterable[str] = DECREASING,
          lp_bound: bool = True, symmetry: bool = True, skip_if_proven: bool = True, seed: int = 0,
          log_search: bool = False, bounds: Bounds | None = None,
          cp_sat_parameters: dict[str, object] | None = None) -> Solution:
    """Solve ``problem`` for ``objective`` (``"bins"`` or ``"cost"``).

    ``warm_start``: ``True`` runs :func:`best_placement` over ``heuristics``;
    a :class:`Placement` is used as given; ``False``/``None`` starts cold.
    ``time_limit_s`` and ``workers`` go to CP-SAT (``num_workers``);
    ``seed`` is its ``random_seed``.  ``bounds`` may pass precomputed
    :func:`lower_bounds` for the same objective.
    """
    check_objective(objective)
    if time_limit_s <= 0:
        raise PackingError(f"time_limit_s must be positive, got {time_limit_s}")
    if workers < 1:
        raise PackingError(f"workers must be at least 1, got {workers}")
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:  # pragma: no cover - ortools is an optional extra
        raise PackingError("the exact solver needs OR-Tools: pip install ortools") from exc
    for r, name in enumerate(problem.resources):
        total = max(exact_sum(problem.demands[:, r]), exact_sum(problem.capacities[:, r]))
        if total > INT64_MAX // 2:
            raise PackingError(f"total {name} ({total}) is too large for CP-SAT's 64-bit arithmetic: "
                               f"express {name} in a coarser unit")
    if objective == "cost" and exact_sum(problem.costs) > INT64_MAX // 2:
        raise PackingError("the total bin cost is too large for CP-SAT's 64-bit arithmetic")

    t0 = time.perf_counter()
    if bounds is None:
        bounds = lower_bounds(problem, objective, lp=lp_bound)
    elif bounds.objective != objective:
        raise PackingError(f"bounds were computed for objective {bounds.objective!r}, not {objective!r}")
    lb = bounds.best

    if warm_start is True:
        hint = best_placement(problem, objective, heuristics)
    elif warm_start is False or warm_start is None:
        hint = None
    elif isinstance(warm_start, Placement):
        hint = warm_start
        check_assignment(problem, hint.assignment, complete=False)
    else:
        raise PackingError(f"warm_start must be True, False, None or a Placement, got {type(warm_start).__name__}")
    # The warm start counts (as a hint and an upper bound) only when complete.
    hint_a0: np.ndarray | None = None
    hint_obj: int | None = None
    if hint is not None and hint.complete:
        hint_a0 = np.asarray(hint.assignment, dtype=np.int64)
        hint_obj = objective_value(problem, hint_a0, objective)

    def result(status: Status, assignment: np.ndarray | None, source: str, proof: str, bound: int,
               cp_status: str | None = None, cp_bound: int | None = None, build: float = 0.0,
               solve_t: float = 0.0) -> Solution:
        obj: int | None
        nb: int | None
        cost: int | None
        if assignment is not None:
            assignment = np.asarray(assignment, dtype=np.int64).copy()
            assignment.setflags(write=False)
            used = used_bins(assignment)
            obj = objective_value(problem, assignment, objective)
            nb, cost = int(len(used)), int(sum(int(c) for c in problem.costs[used]))
        else:
            obj = nb = cost = None
        return Solution(status=status, objective_kind=objective, assignment=assignment, objective=obj, bound=bound,
                        bins_used=nb, cost=cost, source=source, proof=proof, warm_start=hint, lower_bounds=bounds,
                        cp_sat_status=cp_status, cp_sat_bound=cp_bound, build_time_s=build, solve_time_s=solve_t)

    if hint_obj is not None and hint_obj < lb:
        raise AssertionError(f"lower bound {lb} above the warm start's objective {hint_obj}")
    if hint_a0 is not None and hint_obj == lb and skip_if_proven:
        return result(Status.OPTIMAL, hint_a0, "warm-start", "bounds", lb,
                      build=time.perf_counter() - t0)

    n = problem.n_items
    reps, class_bins, fits = _class_layout(problem)
    T = len(reps)
    ranks = symmetry_ranks(problem, fits, symmetry_order(problem, bounds.clique_items)) if symmetry else None
    costs = problem.costs.tolist()

    # Bins kept per class.
    kept: list[list[int]] = []
    for t in range(T):
        c = costs[reps[t]]
        cap = min(len(class_bins[t]), n)
        if hint_obj is not None:
            if objective == "bins":
                cap = min(cap, hint_obj)
            elif c > 0:
                cap = min(cap, hint_obj // c)
        kept.append(class_bins[t][:cap] if symmetry else class_bins[t])
    hint_a: np.ndarray | None = None
    if hint_a0 is not None:
        hint_a = canonical_assignment(problem, hint_a0, ranks, class_bins) if ranks is not None else hint_a0

    model = cp_model.CpModel()
    y: dict[int, cp_model.IntVar] = {}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_item: list[list[cp_model.IntVar]] = [[] for _ in range(n)]
    per_bin: dict[int, list[int]] = {}
    for t in range(T):
        eligible = np.flatnonzero(fits[:, t]).tolist()
        for pos, b in enumerate(kept[t]):
            y[b] = model.new_bool_var(f"y{b}")
            items = eligible if ranks is None else [i for i in eligible if ranks[i, t] >= pos]
            per_bin[b] = items
            for i in items:
                v = model.new_bool_var(f"x{i}_{b}")
                x[(i, b)] = v
                per_item[i].append(v)
    for i in range(n):
        if not per_item[i]:
            # Only possible when the warm start's bound cut away every bin the item can use,
            # which cannot happen for a complete warm start; report it as a bug.
            raise AssertionError(f"item {i} has no bin left in the CP-SAT model")
        model.add_exactly_one(per_item[i])
    demands = problem.demands.tolist()
    for b, items in per_bin.items():
        cap = problem.capacities[b].tolist()
        for i in items:
            model.add_implication(x[(i, b)], y[b])
        for r in range(problem.n_resources):
            terms = [(x[(i, b)], demands[i][r]) for i in items if demands[i][r]]
            if sum(d for _, d in terms) > cap[r]:
                model.add(sum(d * v for v, d in terms) <= cap[r] * y[b])
        groups: dict[int, list[cp_model.IntVar]] = {}
        for i in items:
            g = int(problem.spread[i])
            if g >= 0:
                groups.setdefault(g, []).append(x[(i, b)])
        for g in sorted(groups):
            if len(groups[g]) > 1:
                model.add_at_most_one(groups[g])
    if symmetry:
        for t in range(T):
            for b0, b1 in zip(kept[t], kept[t][1:]):
                model.add_implication(y[b1], y[b0])
        if T == 1:
            # One class: the k-th clique item has rank k and shares no bin with the
            # k items before it, so after relabelling it opens bin k.
            for k, i in enumerate(bounds.clique_items):
                if k < len(kept[0]):
                    model.add(x[(i, kept[0][k])] == 1)
    bins = sorted(y)
    for r in range(problem.n_resources):
        total = exact_sum(problem.demands[:, r])
        if total:
            model.add(sum(int(problem.capacities[b, r]) * y[b] for b in bins) >= total)
    weights = [1 if objective == "bins" else costs[b] for b in bins]
    obj_expr = cp_model.LinearExpr.weighted_sum([y[b] for b in bins], weights)
    model.add(obj_expr >= lb)
    if hint_obj is not None:
        model.add(obj_expr <= hint_obj)
    model.minimize(obj_expr)
    if hint_a is not None:
        for (i, b), v in x.items():
            model.add_hint(v, int(hint_a[i] == b))
        used = set(hint_a.tolist())
        for b in bins:
            model.add_hint(y[b], int(b in used))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log_search)
    for key, value in (cp_sat_parameters or {}).items():
        if not hasattr(solver.parameters, key):
            raise PackingError(f"unknown CP-SAT parameter {key!r}")
        setattr(solver.parameters, key, value)
    t1 = time.perf_counter()
    build = t1 - t0
    code = solver.solve(model)
    solve_t = time.perf_counter() - t1
    cp_status = solver.status_name(code)

    if code == cp_model.INFEASIBLE:
        if hint_obj is not None:
            raise AssertionError("CP-SAT proved infeasible a model that the warm start satisfies")
        return result(Status.INFEASIBLE, None, "cp-sat", "cp-sat", lb, cp_status, None, build, solve_t)
    found: np.ndarray | None = None
    found_obj: int | None = None
    cp_bound: int | None = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = np.full(n, -1, dtype=np.int64)
        for (i, b), v in x.items():
            if solver.boolean_value(v):
                found[i] = b
        check_assignment(problem, found)  # a bug if this fails
        cp_bound = math.ceil(solver.best_objective_bound - 1e-6)
        found_obj = objective_value(problem, found, objective)
    bound = max(lb, cp_bound) if cp_bound is not None else lb
    if code == cp_model.OPTIMAL and found_obj is not None:
        bound = max(bound, found_obj)
    best: np.ndarray
    if found is not None and found_obj is not None and (hint_obj is None or found_obj <= hint_obj):
        best, source, best_obj = found, "cp-sat", found_obj
    elif hint_a0 is not None and hint_obj is not None:
        best, source, best_obj = hint_a0, "warm-start", hint_obj
    else:
        return result(Status.UNKNOWN, None, "cp-sat", "bounds", bound, cp_status, cp_bound, build, solve_t)
    if best_obj < bound:
        raise AssertionError(f"solution of objective {best_obj} below the proven bound {bound}")
    status = Status.OPTIMAL if best_obj == bound else Status.FEASIBLE
    proof = "cp-sat" if cp_bound is not None and cp_bound >= bound else "bounds"
    return result(status, best, source, proof, bound, cp_status, cp_bound, build, solve_t)
