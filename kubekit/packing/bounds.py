"""Lower bounds on the number of bins, or on the total cost, of any complete
placement.  Every function returns an integer that no feasible placement can
beat; each docstring carries the one-line proof.

- :func:`volume_bound` — per resource, the capacity the used bins must
  together provide;
- :func:`l2_bound` — Martello–Toth L2 for bins that share a capacity in some
  resource, as the max over resources of the one-dimensional L2;
- :func:`clique_bound` — items that pairwise cannot share a bin need one
  bin each;
- :func:`spread_bound` — a spread group of ``k`` items needs ``k`` bins;
- :func:`lp_bound` — the LP relaxation of an aggregated assignment model,
  solved by GLOP and made rigorous by re-evaluating its Lagrangian dual bound
  in exact integer arithmetic (so GLOP's floating-point error cannot make it
  invalid);
- :func:`lower_bounds` — all of them and the best.

A bound on the number of bins ``k`` turns into a cost bound as the sum of the
``k`` cheapest bins' costs (a placement that uses at least ``k`` bins pays at
least that); :func:`count_to_cost` does it.
"""

from __future__ import annotations

import bisect
import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from kubekit.packing.heuristics import item_order
from kubekit.packing.problem import PackingError, PackingProblem, check_objective, exact_sum

log = logging.getLogger(__name__)

DUAL_SCALE_BITS = 48
"""LP duals are rounded to multiples of 2**-48 before the exact re-evaluation."""


def count_to_cost(problem: PackingProblem, k: int) -> int:
    """The least cost of any ``k`` bins: the sum of the ``k`` smallest costs."""
    if k <= 0:
        return 0
    costs = sorted(int(c) for c in problem.costs)
    return sum(costs[:k]) if k <= len(costs) else sum(costs) + 1


def _as_objective(problem: PackingProblem, count: int, objective: str) -> int:
    return count if objective == "bins" else count_to_cost(problem, count)


# -- volume -------------------------------------------------------------------

def volume_bound(problem: PackingProblem, objective: str = "bins") -> int:
    """Per resource ``r``, the bins used must together hold ``D_r = Σ_i d_ir``.

    - ``bins``: the least ``k`` such that the ``k`` largest capacities in
      ``r`` add up to ``D_r`` (any ``k`` bins hold at most that much); the
      max over ``r``.  With identical bins this is ``max_r ⌈D_r / C_r⌉``.
    - ``cost``: ``⌈z_r⌉`` where ``z_r`` is the optimum of the fractional
      covering problem ``min Σ c_b y_b  s.t.  Σ cap_br y_b ≥ D_r, 0 ≤ y ≤ 1``
      (a relaxation of choosing the used bins), solved exactly by taking bins
      in increasing ``c_b / cap_br``; the max over ``r``.  Costs are
      integers, so rounding up stays valid.

    A resource whose total demand exceeds the total capacity is refused at
    problem construction, so the covering problems are always feasible.
    """
    check_objective(objective)
    if problem.n_items == 0:
        return 0
    best = 0
    totals = [exact_sum(problem.demands[:, r]) for r in range(problem.n_resources)]
    for r, total in enumerate(totals):
        if total == 0:
            continue
        caps = [int(c) for c in problem.capacities[:, r]]
        if objective == "bins":
            acc, k = 0, 0
            for c in sorted(caps, reverse=True):
                acc += c
                k += 1
                if acc >= total:
                    break
            best = max(best, k)
        else:
            costs = [int(c) for c in problem.costs]
            order = sorted((b for b in range(len(caps)) if caps[b] > 0),
                           key=lambda b: Fraction(costs[b], caps[b]))
            need, z = total, Fraction(0)
            for b in order:
                if need <= 0:
                    break
                take = min(need, caps[b])
                z += Fraction(costs[b] * take, caps[b])
                need -= take
            best = max(best, math.ceil(z))
    return best


# -- Martello-Toth L2 --------------------------------------------------------------

def martello_toth_l2(sizes: Sequence[int], capacity: int) -> int:
    """The Martello–Toth (1990) bound L2 for one-dimensional bin packing with
    identical bins of ``capacity``.

    For ``0 ≤ K ≤ C/2`` let ``J1 = {s > C−K}``, ``J2 = {C/2 < s ≤ C−K}``,
    ``J3 = {K ≤ s ≤ C/2}``.  Items of ``J1 ∪ J2`` are larger than ``C/2``,
    so each needs its own bin, and no ``J3`` item fits next to a ``J1`` item;
    ``J3`` items can use at most the room left in the ``J2`` bins, so
    ``L(K) = |J1| + |J2| + max(0, ⌈(Σ J3 − (|J2|·C − Σ J2)) / C⌉)`` bins are
    needed.  ``L2 = max_K L(K)``, attained at ``K = 0`` (where it equals
    ``⌈Σ s / C⌉``) or at a size ``≤ C/2``.  Integer arithmetic throughout.
    """
    if isinstance(capacity, bool) or int(capacity) != capacity or capacity < 0:
        raise PackingError(f"martello_toth_l2: capacity must be a non-negative integer, got {capacity!r}")
    C = int(capacity)
    s = sorted(int(v) for v in sizes if int(v) != 0)
    if not s:
        return 0
    if s[0] < 0:
        raise PackingError(f"martello_toth_l2: negative size {s[0]}")
    if s[-1] > C:
        raise PackingError(f"martello_toth_l2: size {s[-1]} exceeds the capacity {C}")
    prefix = [0]
    for v in s:
        prefix.append(prefix[-1] + v)
    half = C // 2                                  # s <= C/2  <=>  s <= C // 2 for integers
    hi3 = bisect.bisect_right(s, half)             # s[:hi3] are the items <= C/2
    candidates = sorted({0, *s[:hi3]})
    best = 0
    for K in candidates:
        j1 = len(s) - bisect.bisect_right(s, C - K)
        lo2, hi2 = hi3, bisect.bisect_right(s, C - K)
        n2 = hi2 - lo2
        sum2 = prefix[hi2] - prefix[lo2]
        lo3 = bisect.bisect_left(s, K)
        sum3 = prefix[hi3] - prefix[lo3]
        rest = sum3 - (n2 * C - sum2)
        extra = -(-rest // C) if rest > 0 else 0
        best = max(best, j1 + n2 + extra)
    return best


def l2_bound(problem: PackingProblem, objective: str = "bins") -> int | None:
    """Max over resources ``r`` in which all bins have the same capacity of
    the one-dimensional :func:`martello_toth_l2` of the items' sizes in ``r``
    (a vector packing is a one-dimensional packing in each resource, so each
    is valid).  ``None`` when no resource has a common capacity."""
    check_objective(objective)
    if problem.n_bins == 0:
        return None
    best = None
    for r in range(problem.n_resources):
        col = problem.capacities[:, r]
        if (col == col[0]).all():
            v = martello_toth_l2(problem.demands[:, r].tolist(), int(col[0]))
            best = v if best is None else max(best, v)
    return None if best is None else _as_objective(problem, best, objective)


# -- conflict clique ------------------------------------------------------------------

def conflict_matrix(problem: PackingProblem) -> np.ndarray:
    """``conflict[i, j]``: items ``i`` and ``j`` can never share a bin — for
    every bin both may use (capacity and mask), ``d_i + d_j`` exceeds its
    capacity in some resource — or they are in the same spread group."""
    n = problem.n_items
    reps = problem.class_representatives()
    caps = problem.capacities[reps]
    fits = ((problem.demands[:, None, :] <= caps[None, :, :]).all(axis=2)
            & problem.allowed[problem.item_groups][:, reps])                # items x classes
    together = np.zeros((n, n), dtype=bool)
    d = problem.demands
    for t in range(len(reps)):
        both = fits[:, t][:, None] & fits[:, t][None, :]
        ok = np.ones((n, n), dtype=bool)
        for r in range(problem.n_resources):
            # d_ir + d_jr <= C_tr  <=>  d_ir <= C_tr - d_jr (no overflow: both terms are in [0, C_tr])
            ok &= d[:, r][:, None] <= (caps[t, r] - d[:, r])[None, :]
        together |= both & ok
    conflict = ~together
    sp = problem.spread
    conflict |= (sp[:, None] == sp[None, :]) & (sp[:, None] >= 0)
    np.fill_diagonal(conflict, False)
    return conflict


def greedy_clique(conflict: np.ndarray, start_order: Sequence[int] | None = None) -> list[int]:
    """A clique of the conflict graph by Johnson's (1974) greedy rule: take
    the vertex of highest degree among the remaining candidates (lowest index
    on ties), keep only its neighbours, repeat.  With ``start_order`` the
    first vertex is the first of that order instead."""
    n = conflict.shape[0]
    cand = np.ones(n, dtype=bool)
    clique: list[int] = []
    first = True
    while cand.any():
        idx = np.flatnonzero(cand)
        if first and start_order is not None and len(start_order):
            v = int(start_order[0])
        else:
            deg = conflict[np.ix_(idx, idx)].sum(axis=1)
            v = int(idx[int(np.argmax(deg))])
        first = False
        clique.append(v)
        cand &= conflict[v]
        cand[v] = False
    return clique


def conflict_clique(problem: PackingProblem, *, max_items: int = 3000) -> list[int] | None:
    """Items that pairwise can never share a bin (see :func:`conflict_matrix`),
    the larger of two greedy cliques (Johnson's rule, and the same started
    from the largest item); ``None`` above ``max_items`` items."""
    n = problem.n_items
    if n == 0:
        return []
    if n > max_items:
        log.info("conflict clique skipped: %d items > max_items=%d", n, max_items)
        return None
    conflict = conflict_matrix(problem)
    a = greedy_clique(conflict)
    b = greedy_clique(conflict, item_order(problem, "max").tolist())
    return a if len(a) >= len(b) else b


def clique_bound(problem: PackingProblem, objective: str = "bins", *, max_items: int = 3000) -> int | None:
    """Items that pairwise cannot share a bin need one bin each, so the size
    of any clique of the conflict graph is a bound (the bound the
    vectorpack_cor2024 paper combines with the volume bound); ``None`` above
    ``max_items`` items."""
    check_objective(objective)
    clique = conflict_clique(problem, max_items=max_items)
    return None if clique is None else _as_objective(problem, len(clique), objective)


# -- spread --------------------------------------------------------------------

def spread_bound(problem: PackingProblem, objective: str = "bins") -> int:
    """The items of one spread group are on pairwise distinct bins, so the
    largest group's size is a bound on the number of bins."""
    check_objective(objective)
    g = problem.spread[problem.spread >= 0]
    k = int(np.bincount(g).max()) if len(g) else 0
    k = max(k, 1 if problem.n_items else 0)
    return _as_objective(problem, k, objective)


# -- LP relaxation ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LpResult:
    """``bound``: the rigorous integer bound; ``lp_value``: GLOP's objective
    (floating point, for information); ``safe_value``: the exact dual bound
    it was rounded up from; ``rows``/``columns``: the LP's size."""

    bound: int
    lp_value: float
    safe_value: Fraction
    rows: int
    columns: int


def lp_bound(problem: PackingProblem, objective: str = "bins", *, max_pairs: int = 200_000,
             time_limit_s: float = 30.0, clique: Sequence[int] | None = None) -> LpResult | None:
    """The LP relaxation of the assignment model aggregated over classes of
    identical bins (same capacity, cost and mask column), solved with GLOP.

    For class ``t`` (``n_t`` bins of capacity ``C_t`` and cost ``c_t``):
    ``x_it ∈ [0, 1]`` for every item ``i`` that fits a bin of class ``t``
    (capacity and mask), ``y_t ∈ [0, n_t]``, and::

        min  Σ_t c_t y_t                          (c_t = 1 for "bins")
        Σ_t x_it = 1                              every item is placed
        Σ_i d_ir x_it ≤ C_tr y_t                  capacity of the used class-t bins
        x_it ≤ y_t                                a used class has a used bin
        Σ_{i ∈ B_tr} x_it ≤ y_t                   B_tr: items larger than C_tr/2 in resource r
        Σ_{i ∈ G} x_it ≤ y_t                      G: a spread group
        Σ_{i ∈ K} x_it ≤ y_t                      K: ``clique``, items pairwise
                                                  unable to share a bin

    **Valid**: any placement gives a feasible point — ``x_it = 1`` if ``i``
    is in a class-``t`` bin, ``y_t`` = the number of used class-``t`` bins:
    their loads fit their capacities, and items of ``B_tr`` (two of them
    would exceed ``C_tr`` together), of ``G`` or of ``K`` are on distinct bins, so at most ``y_t`` of
    them are in class ``t``.  Its cost equals the placement's, so the LP
    optimum is a lower bound.

    **Rigorous**: GLOP's dual values ``π`` are rounded to multiples of
    ``2**-48`` and the Lagrangian bound ``Σ_k π_k·b_k + Σ_j min over the
    column's bounds of (c − Aᵀπ)_j·z_j`` (``b_k`` the row's lower or upper
    side according to the sign of ``π_k``) is evaluated exactly in
    integers.  Weak duality makes this a lower bound for *any* ``π``, so
    floating-point error in the solver can only weaken it, never invalidate
    it; the objective is an integer, so it is rounded up.

    Returns ``None`` when the model would have more than ``max_pairs``
    item–class pairs, or GLOP does not reach an optimum.
    """
    check_objective(objective)
    try:
        from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - ortools is an optional extra
        raise PackingError("lp_bound needs OR-Tools: pip install ortools") from exc

    n, dims = problem.n_items, problem.n_resources
    if n == 0:
        return LpResult(0, 0.0, Fraction(0), 0, 0)
    reps = problem.class_representatives()
    T = len(reps)
    counts = np.bincount(problem.bin_class, minlength=T).tolist()
    caps = problem.capacities[reps].tolist()
    costs = [int(problem.costs[b]) if objective == "cost" else 1 for b in reps.tolist()]
    demands = problem.demands.tolist()
    fits = ((problem.demands[:, None, :] <= problem.capacities[reps][None, :, :]).all(axis=2)
            & problem.allowed[problem.item_groups][:, reps])
    pairs = int(fits.sum())
    if pairs > max_pairs:
        log.info("lp_bound skipped: %d item-class pairs > max_pairs=%d", pairs, max_pairs)
        return None

    # Columns: y_t then x_it.  col_lo/col_hi are integer bounds, col_cost the objective.
    col_hi: list[int] = list(counts)
    col_cost: list[int] = list(costs)
    x_col: dict[tuple[int, int], int] = {}
    for i in range(n):
        for t in np.flatnonzero(fits[i]).tolist():
            x_col[(i, t)] = len(col_hi)
            col_hi.append(1)
            col_cost.append(0)
    # Rows: (lo, hi, [(col, coef)]) with lo/hi None for -inf/+inf; integer data.
    rows: list[tuple[int | None, int | None, list[tuple[int, int]]]] = []
    by_item: list[list[int]] = [[] for _ in range(n)]
    by_class: list[list[int]] = [[] for _ in range(T)]
    for (i, t) in x_col:
        by_item[i].append(t)
        by_class[t].append(i)
    for i in range(n):
        rows.append((1, 1, [(x_col[(i, t)], 1) for t in by_item[i]]))
    for t in range(T):
        items = by_class[t]
        for r in range(dims):
            terms = [(x_col[(i, t)], demands[i][r]) for i in items if demands[i][r]]
            if terms and sum(c for _, c in terms) > caps[t][r]:
                rows.append((None, 0, terms + [(t, -caps[t][r])]))
        for i in items:
            rows.append((None, 0, [(x_col[(i, t)], 1), (t, -1)]))
        for r in range(dims):
            big = [i for i in items if 2 * demands[i][r] > caps[t][r]]
            if len(big) > 1:
                rows.append((None, 0, [(x_col[(i, t)], 1) for i in big] + [(t, -1)]))
        if clique is not None:
            in_t = [i for i in clique if fits[i, t]]
            if len(in_t) > 1:
                rows.append((None, 0, [(x_col[(i, t)], 1) for i in in_t] + [(t, -1)]))
        members: dict[int, list[int]] = {}
        for i in items:
            g = int(problem.spread[i])
            if g >= 0:
                members.setdefault(g, []).append(i)
        for g in sorted(members):
            if len(members[g]) > 1:
                rows.append((None, 0, [(x_col[(i, t)], 1) for i in members[g]] + [(t, -1)]))

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover
        raise PackingError("OR-Tools was built without GLOP")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    inf = solver.infinity()
    cols = [solver.NumVar(0.0, float(hi), f"z{j}") for j, hi in enumerate(col_hi)]
    cons = []
    for lo, hi, terms in rows:
        c = solver.Constraint(-inf if lo is None else float(lo), inf if hi is None else float(hi))
        for j, a in terms:
            c.SetCoefficient(cols[j], float(a))
        cons.append(c)
    obj = solver.Objective()
    for j, c in enumerate(col_cost):
        if c:
            obj.SetCoefficient(cols[j], float(c))
    obj.SetMinimization()
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        log.info("lp_bound: GLOP status %s, no bound", status)
        return None
    lp_value = obj.Value()

    # Exact Lagrangian bound from the rounded duals (all integers, scaled by 2**S).
    S = DUAL_SCALE_BITS
    total = 0
    reduced = [c << S for c in col_cost]
    for (lo, hi, terms), con in zip(rows, cons):
        p = con.dual_value()
        if not math.isfinite(p):
            continue
        pi = round(p * (1 << S))
        if pi > 0:
            if lo is None:
                continue
            total += pi * lo
        elif pi < 0:
            if hi is None:
                continue
            total += pi * hi
        else:
            continue
        for j, a in terms:
            reduced[j] -= pi * a
    for j, rc in enumerate(reduced):
        if rc < 0:
            total += rc * col_hi[j]            # columns are >= 0: min at the upper bound
    safe = Fraction(total, 1 << S)
    bound = max(0, math.ceil(safe))
    return LpResult(bound=bound, lp_value=lp_value, safe_value=safe, rows=len(rows), columns=len(cols))


# -- all of them ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bounds:
    """Every bound computed for one problem and objective; ``None`` where a
    bound does not apply (L2 without a common capacity) or was not run.
    ``clique_items`` is the conflict clique found (the exact solver uses it
    for symmetry breaking)."""

    objective: str
    volume: int
    l2: int | None
    clique: int | None
    spread: int
    lp: int | None
    lp_value: float | None = None
    clique_items: tuple[int, ...] = ()

    @property
    def best(self) -> int:
        return max(v for v in self.as_dict().values() if v is not None)

    def as_dict(self) -> dict[str, int | None]:
        return {"volume": self.volume, "l2": self.l2, "clique": self.clique, "spread": self.spread, "lp": self.lp}


def lower_bounds(problem: PackingProblem, objective: str = "bins", *, lp: bool = True,
                 lp_max_pairs: int = 200_000, clique_max_items: int = 3000) -> Bounds:
    """All bounds for ``objective``; the LP one only with ``lp`` and when the
    model has at most ``lp_max_pairs`` item–class pairs, the clique one up to
    ``clique_max_items`` items."""
    check_objective(objective)
    clique = conflict_clique(problem, max_items=clique_max_items)
    lp_res = lp_bound(problem, objective, max_pairs=lp_max_pairs, clique=clique) if lp else None
    return Bounds(objective=objective, volume=volume_bound(problem, objective), l2=l2_bound(problem, objective),
                  clique=None if clique is None else _as_objective(problem, len(clique), objective),
                  spread=spread_bound(problem, objective), lp=None if lp_res is None else lp_res.bound,
                  lp_value=None if lp_res is None else lp_res.lp_value, clique_items=tuple(clique or ()))


def lower_bound(problem: PackingProblem, objective: str = "bins", *, lp: bool = True) -> int:
    """The best of :func:`lower_bounds`."""
    return lower_bounds(problem, objective, lp=lp).best
