"""The vector bin-packing problem: items with a demand per resource, bins with
a capacity per resource and a cost, which item may use which bin, and which
items must not share a bin.

Everything is an exact integer (``int64`` arrays, read-only).  A Kubernetes
cluster maps onto it directly: items are pods (requests in millicores, bytes,
GPU count...), bins are nodes (allocatable), the feasibility mask carries the
filters a pod's requests do not express (taints, node selectors, GPU model),
and a spread group is a hard pod anti-affinity on the hostname topology key.

Bins are individual nodes, not types: a node type available ``k`` times is
``k`` identical rows.  :meth:`PackingProblem.from_bin_types` builds those rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from kubekit.errors import KubekitError

Objective = Literal["bins", "cost"]
OBJECTIVES: tuple[str, ...] = ("bins", "cost")
INT64_MAX = int(np.iinfo(np.int64).max)


class PackingError(KubekitError, ValueError):
    """A packing problem is malformed or cannot be solved as asked (a negative
    size, an item that fits no bin, a spread group larger than the bins)."""


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise PackingError(f"invalid objective {objective!r}: expected one of {', '.join(OBJECTIVES)}")


def _int_array(name: str, value, ndim: int) -> np.ndarray:
    """``value`` as a fresh read-only C-contiguous int64 array of ``ndim``
    dimensions; floats and booleans are refused (requests are integers)."""
    try:
        raw = np.asarray(value)
    except (OverflowError, ValueError) as exc:
        raise PackingError(f"{name}: not an integer array ({exc})") from None
    if raw.dtype == object:
        try:
            if any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) for v in raw.ravel()):
                raise PackingError(f"{name} must hold integers, got {raw.dtype} values")
            raw = raw.astype(np.int64)
        except OverflowError:
            raise PackingError(f"{name}: a value does not fit in int64 (max {INT64_MAX})") from None
    if raw.size == 0 and raw.dtype == np.float64:  # np.asarray([]) is float64
        raw = raw.astype(np.int64)
    if raw.dtype == np.bool_ or not np.issubdtype(raw.dtype, np.integer):
        raise PackingError(f"{name} must hold integers, got {raw.dtype}")
    if raw.dtype == np.uint64 and raw.size and int(raw.max()) > INT64_MAX:
        raise PackingError(f"{name}: a value does not fit in int64 (max {INT64_MAX})")
    if raw.ndim != ndim:
        what = "items × resources" if ndim == 2 else "one value per row"
        raise PackingError(f"{name} must be a {ndim}-D array ({what}), got shape {raw.shape}")
    arr = np.ascontiguousarray(raw, dtype=np.int64).copy()
    arr.setflags(write=False)
    return arr


def exact_sum(values: np.ndarray) -> int:
    """The exact sum of non-negative int64 values as a Python int (numpy's own
    sum could wrap around): high and low 32-bit halves are summed apart."""
    v = np.asarray(values, dtype=np.int64)
    return (int((v >> 32).sum()) << 32) + int((v & 0xFFFFFFFF).sum())


def _first_negative(arr: np.ndarray) -> tuple[int, ...] | None:
    bad = np.argwhere(arr < 0)
    return tuple(int(v) for v in bad[0]) if len(bad) else None


@dataclass(frozen=True, slots=True, eq=False)
class PackingProblem:
    """``demands[i, r]`` of item ``i`` in resource ``r``; ``capacities[b, r]``
    of bin ``b``; ``costs[b]`` paid when bin ``b`` holds at least one item.

    ``allowed[g, b]`` says whether items of feasibility group ``g``
    (``item_groups[i] == g``) may use bin ``b``.  Without ``item_groups`` a
    mask of shape items × bins is per item; without ``allowed`` every item
    may use every bin.  ``spread[i]`` is item ``i``'s spread group (``-1``:
    none): items of one spread group sit on pairwise distinct bins.

    Construction validates everything and raises :class:`PackingError` naming
    the bad input; among others, an item that fits no bin at all (its demand
    exceeds every allowed bin's capacity) is refused here, so every solver
    may assume that each item, alone, fits somewhere.
    """

    # Inputs may be any integer array-likes (and None for the optional ones);
    # __post_init__ stores them normalised, so the annotations give the stored types.
    demands: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray = None  # type: ignore[assignment]
    allowed: np.ndarray = None  # type: ignore[assignment]
    item_groups: np.ndarray = None  # type: ignore[assignment]
    spread: np.ndarray = None  # type: ignore[assignment]
    resources: tuple[str, ...] = None  # type: ignore[assignment]
    item_names: tuple[str, ...] | None = None
    bin_names: tuple[str, ...] | None = None
    overflow: bool = False
    """Allow a total demand above the total capacity (a heuristic then
    leaves items unplaced; replay's inflate mode).  The bounds and the exact
    solver assume a complete placement exists: do not give them such a
    problem."""
    bin_class: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        demands = _int_array("demands", self.demands, 2)
        capacities = _int_array("capacities", self.capacities, 2)
        n, dims = demands.shape
        m = capacities.shape[0]
        if capacities.shape[1] != dims:
            raise PackingError(
                f"capacities have {capacities.shape[1]} resources per bin but demands have {dims} per item")
        resources = tuple(self.resources) if self.resources is not None else tuple(f"r{r}" for r in range(dims))
        if len(resources) != dims:
            raise PackingError(f"resources names {len(resources)} resources but demands have {dims}")
        if len(set(resources)) != len(resources):
            raise PackingError(f"resources has duplicate names: {resources}")
        set_(self, "resources", resources)
        for attr, count, what in (("item_names", n, "items"), ("bin_names", m, "bins")):
            names = getattr(self, attr)
            if names is not None:
                names = tuple(str(s) for s in names)
                if len(names) != count:
                    raise PackingError(f"{attr} has {len(names)} names for {count} {what}")
                set_(self, attr, names)
        set_(self, "demands", demands)
        set_(self, "capacities", capacities)

        bad = _first_negative(demands)
        if bad is not None:
            i, r = bad
            raise PackingError(f"item {self.item_label(i)} has a negative demand of {resources[r]}: {demands[i, r]}")
        bad = _first_negative(capacities)
        if bad is not None:
            b, r = bad
            raise PackingError(f"bin {self.bin_label(b)} has a negative capacity of {resources[r]}: {capacities[b, r]}")

        if self.costs is None:
            costs = np.ones(m, dtype=np.int64)
            costs.setflags(write=False)
        else:
            costs = _int_array("costs", self.costs, 1)
            if costs.shape[0] != m:
                raise PackingError(f"costs has {costs.shape[0]} entries for {m} bins")
            bad = _first_negative(costs)
            if bad is not None:
                raise PackingError(f"bin {self.bin_label(bad[0])} has a negative cost: {costs[bad[0]]}")
        set_(self, "costs", costs)

        allowed, groups = self.allowed, self.item_groups
        if allowed is None:
            if groups is not None:
                raise PackingError("item_groups given without an allowed mask")
            allowed = np.ones((1, m), dtype=bool)
            groups = np.zeros(n, dtype=np.int64)
        else:
            allowed = np.asarray(allowed)
            if allowed.dtype != np.bool_:
                if not np.issubdtype(allowed.dtype, np.integer) or not np.isin(allowed, (0, 1)).all():
                    raise PackingError(f"allowed must be a boolean mask, got {allowed.dtype}")
                allowed = allowed.astype(bool)
            if allowed.ndim != 2 or allowed.shape[1] != m:
                raise PackingError(f"allowed must have shape (groups, {m} bins), got {allowed.shape}")
            if groups is None:
                if allowed.shape[0] != n:
                    raise PackingError(
                        f"allowed has {allowed.shape[0]} rows: without item_groups it needs one row per item ({n})")
                groups = np.arange(n, dtype=np.int64)
            else:
                groups = _int_array("item_groups", groups, 1)
                if groups.shape[0] != n:
                    raise PackingError(f"item_groups has {groups.shape[0]} entries for {n} items")
                out = np.flatnonzero((groups < 0) | (groups >= allowed.shape[0]))
                if len(out):
                    i = int(out[0])
                    raise PackingError(
                        f"item {self.item_label(i)} is in feasibility group {groups[i]}, "
                        f"expected 0..{allowed.shape[0] - 1}")
        allowed = np.ascontiguousarray(allowed, dtype=bool).copy()
        allowed.setflags(write=False)
        groups = np.ascontiguousarray(groups, dtype=np.int64).copy()
        groups.setflags(write=False)
        set_(self, "allowed", allowed)
        set_(self, "item_groups", groups)

        if self.spread is None:
            spread = np.full(n, -1, dtype=np.int64)
            spread.setflags(write=False)
        else:
            spread = _int_array("spread", self.spread, 1)
            if spread.shape[0] != n:
                raise PackingError(f"spread has {spread.shape[0]} entries for {n} items")
            out = np.flatnonzero(spread < -1)
            if len(out):
                i = int(out[0])
                raise PackingError(f"item {self.item_label(i)} has spread group {spread[i]}, expected -1 (none) or >= 0")
            ids, counts = np.unique(spread[spread >= 0], return_counts=True)
            if len(counts) and counts.max() > m:
                g = int(ids[np.argmax(counts)])
                raise PackingError(
                    f"spread group {g} has {counts.max()} items but there are only {m} bins: "
                    f"its items need pairwise distinct bins")
        set_(self, "spread", spread)

        # Identical bins: same capacity row, cost and mask column.  Class ids
        # are numbered in order of first appearance.
        if m:
            key = np.concatenate([capacities, costs[:, None], allowed.T.astype(np.int64)], axis=1)
            _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
            rank = np.empty(len(first), dtype=np.int64)
            rank[np.argsort(first, kind="stable")] = np.arange(len(first))
            bin_class = rank[inverse.reshape(-1)]
        else:
            bin_class = np.zeros(0, dtype=np.int64)
        bin_class.setflags(write=False)
        set_(self, "bin_class", bin_class)

        self._check_every_item_fits()
        for r, name in enumerate(resources):
            need = exact_sum(demands[:, r])
            have = exact_sum(capacities[:, r])
            if need > have and not self.overflow:
                raise PackingError(f"the items demand {need} of {name} in total but all {m} bins together have "
                                   f"only {have}: no placement exists")

    # -- construction helpers ------------------------------------------------

    @classmethod
    def identical(cls, demands, capacity: Sequence[int], n_bins: int | None = None, *, cost: int = 1,
                  resources: Sequence[str] | None = None, **kwargs) -> "PackingProblem":
        """Identical bins of ``capacity``; ``n_bins`` defaults to the number of
        items (always enough when every item fits a bin)."""
        demands = _int_array("demands", demands, 2)
        n_bins = demands.shape[0] if n_bins is None else n_bins
        if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 0:
            raise PackingError(f"n_bins must be a non-negative integer, got {n_bins!r}")
        cap = _int_array("capacity", capacity, 1)
        caps = np.broadcast_to(cap, (int(n_bins), cap.shape[0]))
        return cls(demands, caps, costs=np.full(int(n_bins), cost, dtype=np.int64),
                   resources=None if resources is None else tuple(resources), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_bin_types(cls, demands, type_capacities, type_counts: Sequence[int], type_costs=None, *,
                       type_allowed=None, type_names: Sequence[str] | None = None, **kwargs) -> "PackingProblem":
        """Bins from types: type ``t`` gives ``type_counts[t]`` identical bins
        (named ``<type>-<k>``).  ``type_allowed`` is a groups × types mask."""
        caps = _int_array("type_capacities", type_capacities, 2)
        counts = _int_array("type_counts", type_counts, 1)
        if counts.shape[0] != caps.shape[0]:
            raise PackingError(f"type_counts has {counts.shape[0]} entries for {caps.shape[0]} bin types")
        if (counts < 0).any():
            t = int(np.flatnonzero(counts < 0)[0])
            raise PackingError(f"bin type {t} has a negative count: {counts[t]}")
        costs = np.ones(caps.shape[0], dtype=np.int64) if type_costs is None else _int_array("type_costs", type_costs, 1)
        if costs.shape[0] != caps.shape[0]:
            raise PackingError(f"type_costs has {costs.shape[0]} entries for {caps.shape[0]} bin types")
        idx = np.repeat(np.arange(caps.shape[0]), counts)
        names = tuple(type_names) if type_names is not None else tuple(f"type{t}" for t in range(caps.shape[0]))
        if len(names) != caps.shape[0]:
            raise PackingError(f"type_names has {len(names)} names for {caps.shape[0]} bin types")
        bin_names = tuple(f"{names[t]}-{k}" for t in range(caps.shape[0]) for k in range(int(counts[t])))
        allowed = None
        if type_allowed is not None:
            ta = np.asarray(type_allowed)
            if ta.ndim != 2 or ta.shape[1] != caps.shape[0]:
                raise PackingError(f"type_allowed must have shape (groups, {caps.shape[0]} types), got {ta.shape}")
            allowed = ta[:, idx]
        return cls(demands, caps[idx], costs=costs[idx], allowed=allowed,  # type: ignore[arg-type]
                   bin_names=bin_names, **kwargs)

    # -- sizes and labels ----------------------------------------------------

    @property
    def n_items(self) -> int:
        return int(self.demands.shape[0])

    @property
    def n_bins(self) -> int:
        return int(self.capacities.shape[0])

    @property
    def n_resources(self) -> int:
        return int(self.demands.shape[1])

    @property
    def n_bin_classes(self) -> int:
        return int(self.bin_class.max()) + 1 if self.n_bins else 0

    def item_label(self, i: int) -> str:
        return f"{i} ({self.item_names[i]!r})" if self.item_names is not None else str(i)

    def bin_label(self, b: int) -> str:
        return f"{b} ({self.bin_names[b]!r})" if self.bin_names is not None else str(b)

    def uniform_cost(self) -> int | None:
        """The common cost of all bins, or None when costs differ."""
        if self.n_bins == 0:
            return 1
        c = int(self.costs[0])
        return c if bool((self.costs == c).all()) else None

    def identical_bins(self) -> bool:
        """All bins have the same capacity and cost (the mask may differ)."""
        return self.n_bins == 0 or bool((self.capacities == self.capacities[0]).all()
                                        and (self.costs == self.costs[0]).all())

    # -- feasibility ---------------------------------------------------------

    def may_use(self, i: int, b: int) -> bool:
        """Item ``i`` alone fits bin ``b`` and the mask allows it."""
        return bool(self.allowed[self.item_groups[i], b]) and bool((self.demands[i] <= self.capacities[b]).all())

    def candidate_bins(self, i: int) -> np.ndarray:
        """The bins item ``i`` may use (alone), ascending."""
        ok = self.allowed[self.item_groups[i]] & (self.demands[i] <= self.capacities).all(axis=1)
        return np.flatnonzero(ok)

    def class_representatives(self) -> np.ndarray:
        """The first bin of every identical class, by class id."""
        reps = np.full(self.n_bin_classes, -1, dtype=np.int64)
        for b in range(self.n_bins - 1, -1, -1):
            reps[self.bin_class[b]] = b
        return reps

    def _check_every_item_fits(self) -> None:
        if self.n_items == 0:
            return
        reps = self.class_representatives()
        caps = self.capacities[reps]                      # classes × R
        allowed = self.allowed[:, reps]                   # groups × classes
        chunk = max(1, 2_000_000 // max(1, len(reps) * self.n_resources))
        for lo in range(0, self.n_items, chunk):
            d = self.demands[lo:lo + chunk]
            fits = (d[:, None, :] <= caps[None, :, :]).all(axis=2) & allowed[self.item_groups[lo:lo + chunk]]
            nofit = np.flatnonzero(~fits.any(axis=1))
            if len(nofit):
                i = lo + int(nofit[0])
                self._raise_no_fit(i)

    def _raise_no_fit(self, i: int) -> None:
        demand = ", ".join(f"{r}={int(v)}" for r, v in zip(self.resources, self.demands[i]))
        if self.n_bins == 0:
            raise PackingError(f"item {self.item_label(i)} fits no bin: there are no bins (demand {demand})")
        allowed = np.flatnonzero(self.allowed[self.item_groups[i]])
        if len(allowed) == 0:
            raise PackingError(
                f"item {self.item_label(i)} fits no bin: its feasibility group {self.item_groups[i]} "
                f"allows no bin (demand {demand})")
        short = []
        for r, name in enumerate(self.resources):
            most = int(self.capacities[allowed, r].max())
            if int(self.demands[i, r]) > most:
                short.append(f"{name} {int(self.demands[i, r])} > {most}")
        detail = "; ".join(short) if short else "no single allowed bin has enough of every resource at once"
        raise PackingError(
            f"item {self.item_label(i)} fits no bin: demand ({demand}) exceeds every allowed bin "
            f"({len(allowed)} of {self.n_bins}): {detail}")


def check_assignment(problem: PackingProblem, assignment, *, complete: bool = True) -> None:
    """Raise :class:`PackingError` unless ``assignment`` (bin per item, ``-1``
    for an unplaced item) respects capacity, the mask and the spread groups;
    with ``complete`` every item must be placed.  The independent checker every
    solver's output goes through in tests and benchmarks."""
    a = np.asarray(assignment)
    n, m = problem.n_items, problem.n_bins
    if a.shape != (n,):
        raise PackingError(f"assignment has shape {a.shape}, expected ({n},)")
    if not np.issubdtype(a.dtype, np.integer):
        raise PackingError(f"assignment must hold integers, got {a.dtype}")
    bad = np.flatnonzero((a < -1) | (a >= m))
    if len(bad):
        i = int(bad[0])
        raise PackingError(f"item {problem.item_label(i)} is assigned to bin {a[i]}, expected -1..{m - 1}")
    if complete and (a < 0).any():
        i = int(np.flatnonzero(a < 0)[0])
        raise PackingError(f"item {problem.item_label(i)} is not placed")
    placed = np.flatnonzero(a >= 0)
    groups_ok = problem.allowed[problem.item_groups[placed], a[placed]]
    if not groups_ok.all():
        i = int(placed[np.flatnonzero(~groups_ok)[0]])
        raise PackingError(f"item {problem.item_label(i)} is on bin {problem.bin_label(int(a[i]))}, "
                           f"which its feasibility group {problem.item_groups[i]} does not allow")
    loads = [[0] * problem.n_resources for _ in range(m)]
    for i in placed.tolist():
        row = loads[a[i]]
        for r in range(problem.n_resources):
            row[r] += int(problem.demands[i, r])
    for b in range(m):
        for r in range(problem.n_resources):
            if loads[b][r] > int(problem.capacities[b, r]):
                raise PackingError(f"bin {problem.bin_label(b)} is over capacity in {problem.resources[r]}: "
                                   f"{loads[b][r]} > {int(problem.capacities[b, r])}")
    seen: dict[tuple[int, int], int] = {}
    for i in placed.tolist():
        g = int(problem.spread[i])
        if g >= 0:
            key = (g, int(a[i]))
            if key in seen:
                raise PackingError(f"items {problem.item_label(seen[key])} and {problem.item_label(i)} of spread "
                                   f"group {g} share bin {problem.bin_label(int(a[i]))}")
            seen[key] = i


def used_bins(assignment: np.ndarray) -> np.ndarray:
    """The distinct bins an assignment uses, ascending."""
    a = np.asarray(assignment)
    return np.unique(a[a >= 0])


def objective_value(problem: PackingProblem, assignment, objective: str = "bins") -> int:
    """Number of used bins, or their total cost."""
    check_objective(objective)
    used = used_bins(assignment)
    if objective == "bins":
        return int(len(used))
    return int(sum(int(c) for c in problem.costs[used]))
