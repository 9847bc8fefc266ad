"""Reference placement heuristics: first-fit and best-fit decreasing.

These are the plain-Python twins a Cython batch kernel is tested against, so
every step is specified exactly and computed in exact integers (or exact
fractions); nothing depends on floating point or on hash order.

**Normalisation.**  Resources have different units, so orderings and the
dot-product and L2 fit measures compare *normalised* sizes ``d_r / C_r``,
where ``C_r`` is the largest capacity of any bin in resource ``r``.  To stay
in integers every normalised value is multiplied by ``D = lcm(C_r)`` (over
resources with ``C_r > 0``): the weight of resource ``r`` is
``w_r = D // C_r`` (``0`` when ``C_r == 0``; items then demand ``0`` of
it, or they would fit no bin).  Python integers do not overflow.

**Item orderings** (decreasing key; equal keys keep ascending item index):

- ``max``: ``max_r w_r·d_r`` — the largest normalised dimension;
- ``sum``: ``Σ_r w_r·d_r``;
- ``product``: ``Π_r d_r`` — the volume (normalising multiplies every
  item's product by the same constant, so it does not change the order);
- ``none``: input order (plain first-fit / best-fit, not decreasing).

**Placing an item.**  *Open* bins are those already holding an item, kept in
the order they were opened.  A bin is a *candidate* for item ``i`` when
``load + d_i <= capacity`` in every resource, ``allowed[item_groups[i], b]``
holds, and no item of ``i``'s spread group is already in it.

- First fit: the earliest-opened candidate (Johnson's FF).
- Best fit: the candidate with the best fit measure; ties go to the
  earliest-opened candidate.

  - ``dot`` (Tetris alignment; Panigrahy et al.'s DotProduct): maximise
    ``Σ_r w_r²·d_r·res_r`` where ``res`` is the bin's residual capacity
    before the item is added;
  - ``l2``: minimise ``Σ_r (w_r·(res_r − d_r))²``, the squared norm of the
    normalised residual after the item is added;
  - ``most`` (kube-scheduler's MostAllocated, without its rounding):
    maximise ``Σ_r (load_r + d_r) / cap_r`` over resources with
    ``cap_r > 0``, an exact :class:`fractions.Fraction` — each bin is
    normalised by its *own* capacity, as kube-scheduler does per node.

- With no open candidate a bin is opened: among unused bins that the item
  fits (capacity and mask), the cheapest; among equally cheap ones, the
  lowest index.  If there is none the item stays unplaced (``-1``) and the
  next item is tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterable

import numpy as np

from kubekit.packing.problem import PackingError, PackingProblem, check_objective

ORDERS: tuple[str, ...] = ("max", "sum", "product", "none")
FITS: tuple[str, ...] = ("dot", "l2", "most")


@dataclass(frozen=True, slots=True, eq=False)
class Placement:
    """A heuristic's result.  ``assignment[i]`` is item ``i``'s bin, ``-1``
    when it could not be placed (then ``unplaced`` lists it)."""

    name: str
    assignment: np.ndarray
    bins_used: int
    cost: int
    unplaced: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return not self.unplaced

    def objective(self, objective: str = "bins") -> int:
        check_objective(objective)
        return self.bins_used if objective == "bins" else self.cost


def normalization_weights(problem: PackingProblem) -> tuple[int, ...]:
    """``w_r = lcm(C) // C_r`` with ``C_r`` the largest capacity in resource
    ``r`` (``0`` for a resource no bin has)."""
    if problem.n_bins == 0:
        return tuple(1 for _ in range(problem.n_resources))
    caps = [int(c) for c in problem.capacities.max(axis=0)]
    d = 1
    for c in caps:
        if c > 0:
            d = math.lcm(d, c)
    return tuple(d // c if c > 0 else 0 for c in caps)


def item_order(problem: PackingProblem, order: str = "max") -> np.ndarray:
    """The items in placement order for ``order`` (see the module doc)."""
    if order not in ORDERS:
        raise PackingError(f"invalid item order {order!r}: expected one of {', '.join(ORDERS)}")
    n = problem.n_items
    if order == "none":
        return np.arange(n, dtype=np.int64)
    w = normalization_weights(problem)
    rows = problem.demands.tolist()
    if order == "max":
        keys = [max((wr * d for wr, d in zip(w, row)), default=0) for row in rows]
    elif order == "sum":
        keys = [sum(wr * d for wr, d in zip(w, row)) for row in rows]
    else:
        keys = [math.prod(row) for row in rows]
    return np.array(sorted(range(n), key=lambda i: (-keys[i], i)), dtype=np.int64)


def _fit_score(fit: str, w2: list[int], w: list[int]) -> Callable[[list[int], list[int], list[int]], Any]:
    """A key where larger is better: (demand, residual before, bin capacity)."""
    if fit == "dot":
        return lambda d, res, cap: sum(a * b * c for a, b, c in zip(w2, d, res))
    if fit == "l2":
        return lambda d, res, cap: -sum((wr * (b - a)) ** 2 for wr, a, b in zip(w, d, res))
    if fit == "most":
        return lambda d, res, cap: sum((Fraction(c - b + a, c) for a, b, c in zip(d, res, cap) if c > 0), Fraction(0))
    raise PackingError(f"invalid fit measure {fit!r}: expected one of {', '.join(FITS)}")


def _pack(problem: PackingProblem, order: np.ndarray, fit: str | None, name: str) -> Placement:
    n, m, dims = problem.n_items, problem.n_bins, problem.n_resources
    demands = problem.demands
    capacities = problem.capacities
    allowed = problem.allowed
    groups = problem.item_groups
    spread = problem.spread
    costs = problem.costs.tolist()

    # Unused bins per identical class, ascending; a pointer to the next one.
    reps = problem.class_representatives()
    class_bins: list[list[int]] = [[] for _ in range(len(reps))]
    for b, t in enumerate(problem.bin_class.tolist()):
        class_bins[t].append(b)
    class_next = [0] * len(reps)
    class_caps = capacities[reps] if len(reps) else np.zeros((0, dims), dtype=np.int64)
    class_cost = [costs[b] for b in reps.tolist()]

    open_ids = np.zeros(m, dtype=np.int64)          # bins in opening order
    open_res = np.zeros((m, dims), dtype=np.int64)  # their residual capacity, same order
    k = 0
    spread_pos: dict[int, list[int]] = {}           # spread group -> positions of its bins
    assignment = np.full(n, -1, dtype=np.int64)
    unplaced: list[int] = []

    if fit is not None:
        w = list(normalization_weights(problem))
        score = _fit_score(fit, [x * x for x in w], w)

    for i in order.tolist():
        d = demands[i]
        pos = -1
        if k:
            ok = (open_res[:k] >= d).all(axis=1) & allowed[groups[i], open_ids[:k]]
            g = int(spread[i])
            if g >= 0 and g in spread_pos:
                ok[spread_pos[g]] = False
            cand = np.flatnonzero(ok)
            if len(cand):
                if fit is None:
                    pos = int(cand[0])
                else:
                    dl = d.tolist()
                    best = None
                    for p in cand.tolist():
                        s = score(dl, open_res[p].tolist(), capacities[open_ids[p]].tolist())
                        if best is None or s > best:
                            best, pos = s, p
        if pos < 0:
            # Open the cheapest unused bin the item fits; ties: lowest index.
            fits = (class_caps >= d).all(axis=1) & allowed[groups[i], reps]
            choice = None
            for t in np.flatnonzero(fits).tolist():
                if class_next[t] < len(class_bins[t]):
                    key = (class_cost[t], class_bins[t][class_next[t]])
                    if choice is None or key < choice[0]:
                        choice = (key, t)
            if choice is None:
                unplaced.append(i)
                continue
            t = choice[1]
            b = class_bins[t][class_next[t]]
            class_next[t] += 1
            pos = k
            open_ids[k] = b
            open_res[k] = capacities[b]
            k += 1
        open_res[pos] -= d
        assignment[i] = open_ids[pos]
        g = int(spread[i])
        if g >= 0:
            spread_pos.setdefault(g, []).append(pos)

    assignment.setflags(write=False)
    used = open_ids[:k]
    return Placement(name=name, assignment=assignment, bins_used=k,
                     cost=sum(costs[b] for b in used.tolist()), unplaced=tuple(sorted(unplaced)))


def first_fit_decreasing(problem: PackingProblem, order: str = "max") -> Placement:
    """First fit over the items in ``order`` (``none``: plain first fit)."""
    return _pack(problem, item_order(problem, order), None, heuristic_name(order, None))


def best_fit_decreasing(problem: PackingProblem, order: str = "max", fit: str = "dot") -> Placement:
    """Best fit by ``fit`` over the items in ``order``."""
    if fit not in FITS:
        raise PackingError(f"invalid fit measure {fit!r}: expected one of {', '.join(FITS)}")
    return _pack(problem, item_order(problem, order), fit, heuristic_name(order, fit))


def heuristic_name(order: str, fit: str | None) -> str:
    """``ffd-<order>``, ``bfd-<order>-<fit>``; ``ff`` / ``bf-<fit>`` for input order."""
    if fit is None:
        return "ff" if order == "none" else f"ffd-{order}"
    return f"bf-{fit}" if order == "none" else f"bfd-{order}-{fit}"


def _parse_name(name: str) -> tuple[str, str | None]:
    for order in ORDERS:
        if name == heuristic_name(order, None):
            return order, None
        for fit in FITS:
            if name == heuristic_name(order, fit):
                return order, fit
    raise PackingError(f"unknown heuristic {name!r}: expected one of {', '.join(HEURISTICS)}")


HEURISTICS: tuple[str, ...] = tuple(
    heuristic_name(o, f) for o in ORDERS for f in (None, *FITS))
"""Every heuristic by name, e.g. ``ffd-max``, ``bfd-sum-l2``, ``bf-dot``."""

DECREASING: tuple[str, ...] = tuple(h for h in HEURISTICS if h.startswith(("ffd", "bfd")))


def run_heuristic(problem: PackingProblem, name: str) -> Placement:
    """Run one heuristic by name (see :data:`HEURISTICS`)."""
    order, fit = _parse_name(name)
    return _pack(problem, item_order(problem, order), fit, name)


def best_placement(problem: PackingProblem, objective: str = "bins",
                   names: Iterable[str] = DECREASING) -> Placement:
    """The best complete placement among ``names`` (fewest unplaced items
    first, then the objective, then the order of ``names``)."""
    check_objective(objective)
    best = None
    for name in names:
        p = run_heuristic(problem, name)
        key = (len(p.unplaced), p.objective(objective))
        if best is None or key < best[0]:
            best = (key, p)
    if best is None:
        raise PackingError("best_placement needs at least one heuristic name")
    return best[1]
