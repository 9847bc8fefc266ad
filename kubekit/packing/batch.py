"""Batch placement at cluster scale: first-fit and best-fit decreasing in the
Cython kernel ``kubekit._fast._pack``, with an index over the bins instead of
a scan (issue 7 §1).

::

    from kubekit.packing import PackingProblem
    from kubekit.packing.batch import place, prepare

    p = PackingProblem(demands, capacities, allowed=allowed, item_groups=groups)
    placement = place(p, "bfd", order="max", fit="dot")   # a heuristics.Placement
    prepared = prepare(p)                                   # index built once...
    prepared.place("ffd", order="sum")                      # ...run many times

With its gap to the best lower bound: :func:`kubekit.packing.place_with_gap`
and ``evaluate_heuristics(p, engine="kernel")`` (report.py).

**Same answers as the reference.**  For every algorithm, order and fit the
assignment is exactly that of :func:`kubekit.packing.heuristics.first_fit_decreasing`
/ :func:`~kubekit.packing.heuristics.best_fit_decreasing` on the same problem
(same bins, same tie-breaks: earliest-opened candidate; a new bin is the
cheapest unused one, lowest index on ties).  Masks (``allowed`` /
``item_groups``) and spread groups are respected.

**GPU sharing** (an extension of :class:`~kubekit.packing.problem.PackingProblem`,
which knows only vectors).  ``gpu_share="gpu_milli"`` names a resource column
that counts thousandths of a GPU.  A bin's capacity there must be a multiple
of 1000: ``cap / 1000`` GPUs, each with its own remaining share (1000 when
free).  An item's demand ``g`` there is either a share of ONE GPU
(``0 < g < 1000``, OpenB's ``gpu_milli`` with ``num_gpu == 1``) or whole GPUs
(``g = 1000·k``, OpenB's ``num_gpu == k``); other values are refused.  A bin
fits the item only if, besides the vector test (which sees the column as the
bin's total share left), one of its GPUs has ``g`` left (a share) or ``k`` of
its GPUs are wholly free.  Placing a share takes it from the tightest GPU that
has it (lowest GPU index on ties); whole GPUs are the lowest-indexed free
ones.  Fit measures and orderings see only the vector.  The plain-Python
twin of this model is :func:`reference_place` (with ``gpu_share=None`` it is
the reference heuristics again, which the tests check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kubekit.packing.heuristics import (
    FITS, ORDERS, Placement, _fit_score, _parse_name, heuristic_name, normalization_weights,
)
from kubekit.packing.problem import PackingError, PackingProblem, exact_sum

__all__ = ["ALGORITHMS", "GPU_MILLI", "PreparedBatch", "batch_item_order", "default_cache_size", "gpu_share_column",
           "heuristic_args", "place", "prepare", "reference_place"]

ALGORITHMS: tuple[str, ...] = ("ffd", "bfd")
GPU_MILLI = 1000
_FIT_ID = {None: 0, "dot": 1, "l2": 2, "most": 3}


def _check_args(algorithm: str, order: str, fit: str | None) -> str | None:
    if algorithm not in ALGORITHMS:
        raise PackingError(f"invalid algorithm {algorithm!r}: expected one of {', '.join(ALGORITHMS)}")
    if order not in ORDERS:
        raise PackingError(f"invalid item order {order!r}: expected one of {', '.join(ORDERS)}")
    if algorithm == "ffd":
        return None
    if fit not in FITS:
        raise PackingError(f"invalid fit measure {fit!r}: expected one of {', '.join(FITS)}")
    return fit


def heuristic_args(name: str) -> tuple[str, str, str | None]:
    """``(algorithm, order, fit)`` of a reference heuristic's name (see
    :data:`kubekit.packing.heuristics.HEURISTICS`), for :meth:`PreparedBatch.place`:
    ``ffd-max`` -> ``("ffd", "max", None)``, ``bfd-sum-l2`` -> ``("bfd", "sum", "l2")``,
    ``ff`` -> ``("ffd", "none", None)``, ``bf-dot`` -> ``("bfd", "none", "dot")``."""
    order, fit = _parse_name(name)
    return ("ffd" if fit is None else "bfd"), order, fit


def gpu_share_column(problem: PackingProblem, gpu_share: str | None) -> int:
    """The column of resource ``gpu_share`` (``-1`` for None), checked for the
    GPU-share model: capacities whole GPUs, demands a share of one GPU or
    whole GPUs."""
    if gpu_share is None:
        return -1
    if gpu_share not in problem.resources:
        raise PackingError(f"gpu_share names resource {gpu_share!r}, but the problem's resources are "
                           f"{', '.join(problem.resources)}")
    col = problem.resources.index(gpu_share)
    caps = problem.capacities[:, col]
    bad = np.flatnonzero(caps % GPU_MILLI)
    if len(bad):
        b = int(bad[0])
        raise PackingError(f"bin {problem.bin_label(b)} has {int(caps[b])} of {gpu_share}: with gpu_share the "
                           f"capacity must be whole GPUs, a multiple of {GPU_MILLI}")
    d = problem.demands[:, col]
    bad = np.flatnonzero((d > GPU_MILLI) & (d % GPU_MILLI != 0))
    if len(bad):
        i = int(bad[0])
        raise PackingError(f"item {problem.item_label(i)} demands {int(d[i])} of {gpu_share}: with gpu_share a "
                           f"demand is a share of one GPU (1-{GPU_MILLI}) or whole GPUs (a multiple of {GPU_MILLI})")
    return col


# --- the item order, exactly as heuristics.item_order, computed per distinct row ---------
def _unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-D int64 array (in an arbitrary but fixed
    order) and, per row, the index of its distinct row.  Rows are grouped by
    a 64-bit hash, then checked equal to their group's first row; on a
    collision (never seen) the rows are compared as bytes instead."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    n, k = a.shape
    if n == 0:
        return a.reshape(0, k), np.zeros(0, dtype=np.int64)
    if k == 0:
        return np.zeros((1, 0), dtype=np.int64), np.zeros(n, dtype=np.int64)
    h = np.full(n, 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(k):
            h ^= a[:, c].view(np.uint64)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(29)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    rows = a[first]
    if not np.array_equal(rows[inverse], a):
        v = a.view(np.dtype((np.void, a.dtype.itemsize * k))).ravel()
        _, first, inverse = np.unique(v, return_index=True, return_inverse=True)
        rows, inverse = a[first], inverse.reshape(-1).astype(np.int64)
    return rows, inverse


def _order_from_rows(problem: PackingProblem, order: str, rows: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    n = problem.n_items
    if order == "none":
        return np.arange(n, dtype=np.int64)
    w = normalization_weights(problem)
    keys = []
    for row in rows.tolist():
        if order == "max":
            keys.append(max((wr * d for wr, d in zip(w, row)), default=0))
        elif order == "sum":
            keys.append(sum(wr * d for wr, d in zip(w, row)))
        else:
            keys.append(math.prod(row))
    rank_of = {k: r for r, k in enumerate(sorted(set(keys)))}
    rank = np.array([rank_of[k] for k in keys], dtype=np.int64)[inverse]
    return np.argsort(-rank, kind="stable").astype(np.int64)


def batch_item_order(problem: PackingProblem, order: str = "max") -> np.ndarray:
    """:func:`kubekit.packing.heuristics.item_order`, the same permutation,
    with the exact (Python-integer) keys computed once per distinct demand
    row rather than once per item."""
    if order not in ORDERS:
        raise PackingError(f"invalid item order {order!r}: expected one of {', '.join(ORDERS)}")
    rows, inverse = _unique_rows(problem.demands)
    return _order_from_rows(problem, order, rows, inverse)


# --- preparing the kernel's inputs --------------------------------------------------------
def _limbs(values: list[int]) -> np.ndarray:
    """Non-negative Python ints as rows of little-endian uint64 limbs."""
    width = max(1, max((v.bit_length() + 63) // 64 for v in values) if values else 1)
    out = np.zeros((len(values), width), dtype=np.uint64)
    mask = (1 << 64) - 1
    for r, v in enumerate(values):
        for j in range(width):
            out[r, j] = (v >> (64 * j)) & mask
    return out


@dataclass(frozen=True, slots=True, eq=False)
class PreparedBatch:
    """A problem with its kernel index built; :meth:`place` runs any
    algorithm / order / fit on it (each run starts from empty bins)."""

    problem: PackingProblem
    gpu_share: str | None
    packer: Any = field(repr=False)
    _rows: np.ndarray = field(repr=False)
    _row_of_item: np.ndarray = field(repr=False)
    _orders: dict = field(default_factory=dict, repr=False)

    def item_order(self, order: str) -> np.ndarray:
        if order not in ORDERS:
            raise PackingError(f"invalid item order {order!r}: expected one of {', '.join(ORDERS)}")
        if order not in self._orders:
            self._orders[order] = _order_from_rows(self.problem, order, self._rows, self._row_of_item)
        return self._orders[order]

    def place(self, algorithm: str = "bfd", order: str = "max", fit: str | None = "dot") -> Placement:
        fit = _check_args(algorithm, order, fit)
        perm = self.item_order(order)
        assignment = self.packer.run(perm, _FIT_ID[fit])
        return _placement(self.problem, assignment, heuristic_name(order, fit),
                          self.packer.bins_opened_order)

    @property
    def stats(self) -> dict[str, int]:
        """Counters of the last run: tree nodes visited, comparisons decided
        exactly, bins opened, best-fit searches and cache answers, and the
        bytes of index and state the kernel holds."""
        k = self.packer
        return {"visits": int(k.visits), "exact_calls": int(k.exact_calls), "opened": int(k.opened),
                "searches": int(k.searches), "cache_hits": int(k.cache_hits), "index_bytes": int(k.nbytes)}


def _placement(problem: PackingProblem, assignment: np.ndarray, name: str, opened: np.ndarray) -> Placement:
    assignment.setflags(write=False)
    unplaced = tuple(np.flatnonzero(assignment < 0).tolist())
    cost = exact_sum(problem.costs[opened]) if len(opened) else 0
    return Placement(name=name, assignment=assignment, bins_used=int(len(opened)), cost=cost, unplaced=unplaced)


def default_cache_size(n_bins: int) -> int:
    """K for ``n_bins`` bins: the power of two at or above sqrt(n_bins / 32),
    within 16..128.  A search costs about as much as the bins near the best
    score and then serves about K items, so K ~ sqrt(N) balances the two
    (see docs/packing-kernel.md)."""
    k = 16
    while k < 128 and k * k * 32 < n_bins:
        k *= 2
    return k


def prepare(problem: PackingProblem, *, gpu_share: str | None = None, cache: int | None = None,
            cache_slots: int = 4096, cache_log: int = -1) -> PreparedBatch:
    """Build the kernel's inputs and index for ``problem`` (see the module doc
    for ``gpu_share``).  ``cache`` is K, the best-fit candidate cache per
    item shape (None: :func:`default_cache_size`; 0: no cache);
    ``cache_slots`` and ``cache_log`` tune it further (see
    ``kubekit._fast._pack.Packer``).  They change the speed, never the
    answer."""
    from kubekit._fast._pack import Packer

    m, R = problem.n_bins, problem.n_resources
    if R == 0:
        raise PackingError("the batch kernel needs at least one resource")
    gcol = gpu_share_column(problem, gpu_share)

    # signatures: bins with the same mask column
    allowed = problem.allowed
    if m:
        cols = np.ascontiguousarray(allowed.T, dtype=np.uint8)
        _, sig_first, bin_sig = np.unique(cols.view(np.dtype((np.void, cols.shape[1]))).ravel(),
                                          return_index=True, return_inverse=True)
        bin_sig = bin_sig.reshape(-1).astype(np.int64)
        ok = allowed[:, sig_first]                          # groups x signatures
    else:
        bin_sig = np.zeros(0, dtype=np.int64)
        ok = np.zeros((allowed.shape[0], 0), dtype=bool)
    gsig_ptr = np.zeros(allowed.shape[0] + 1, dtype=np.int64)
    gsig_ptr[1:] = np.cumsum(ok.sum(axis=1))
    gsig = np.nonzero(ok)[1].astype(np.int64)               # row-major: per group, ascending signature

    # shapes: distinct (demand row, group), for the memo and the orderings
    groups = problem.item_groups
    keyed = np.concatenate([problem.demands, groups[:, None]], axis=1)
    shape_rows, item_shape = _unique_rows(keyed)
    n_shapes = shape_rows.shape[0]
    shape_group = shape_rows[:, R] if n_shapes else np.zeros(0, dtype=np.int64)
    per_shape = gsig_ptr[shape_group + 1] - gsig_ptr[shape_group]
    memo_off = np.zeros(n_shapes, dtype=np.int64)
    if n_shapes > 1:
        memo_off[1:] = np.cumsum(per_shape)[:-1]

    unused_order = np.lexsort((np.arange(m), problem.costs, bin_sig)).astype(np.int64)

    w = normalization_weights(problem)
    cmax = problem.capacities.max(axis=0) if m else np.zeros(R, dtype=np.int64)
    inv_c = np.array([1.0 / float(c) if c > 0 else 0.0 for c in cmax.tolist()])
    inv_c2 = inv_c * inv_c
    big_u = _limbs([x * x for x in w])

    packer = Packer(problem.demands, problem.capacities, problem.costs, groups, problem.spread, item_shape,
                    memo_off, gsig_ptr, gsig, bin_sig, unused_order, inv_c, inv_c2, big_u, allowed, gcol,
                    default_cache_size(m) if cache is None else cache, cache_slots, cache_log)
    return PreparedBatch(problem=problem, gpu_share=gpu_share, packer=packer,
                         _rows=shape_rows[:, :R], _row_of_item=item_shape)


def place(problem: PackingProblem, algorithm: str = "bfd", order: str = "max", fit: str | None = "dot", *,
          gpu_share: str | None = None) -> Placement:
    """Place every item with first-fit (``"ffd"``) or best-fit (``"bfd"``)
    decreasing in ``order`` (``max``, ``sum``, ``product``, ``none``) by the
    fit measure ``fit`` (``dot``, ``l2``, ``most``; ignored by ``ffd``).
    The same :class:`Placement` as the reference heuristics, computed by the
    Cython kernel."""
    _check_args(algorithm, order, fit)
    return prepare(problem, gpu_share=gpu_share).place(algorithm, order, fit)


# --- the plain-Python twin (with the GPU-share model) --------------------------------------
def reference_place(problem: PackingProblem, algorithm: str = "bfd", order: str = "max", fit: str | None = "dot",
                    *, gpu_share: str | None = None) -> Placement:
    """The kernel's semantics in plain Python, exact integers and fractions
    throughout: heuristics.py's ``_pack`` step for step, plus the GPU-share
    model's per-GPU check and choice.  Slow (a scan per item); for tests."""
    fit = _check_args(algorithm, order, fit)
    gcol = gpu_share_column(problem, gpu_share)
    n, m, dims = problem.n_items, problem.n_bins, problem.n_resources
    demands = problem.demands.tolist()
    caps = problem.capacities.tolist()
    allowed = problem.allowed
    groups = problem.item_groups.tolist()
    spread = problem.spread.tolist()
    costs = problem.costs.tolist()
    w = list(normalization_weights(problem))
    score = _fit_score(fit, [x * x for x in w], w) if fit is not None else None

    def gpus_fit(gpu: list[int], g: int) -> bool:
        if g == 0:
            return True
        if g < GPU_MILLI:
            return any(x >= g for x in gpu)
        return sum(1 for x in gpu if x == GPU_MILLI) >= g // GPU_MILLI

    def take_gpus(gpu: list[int], g: int) -> None:
        if g == 0:
            return
        if g < GPU_MILLI:
            pick = min((x, j) for j, x in enumerate(gpu) if x >= g)[1]
            gpu[pick] -= g
            return
        need = g // GPU_MILLI
        for j, x in enumerate(gpu):
            if need and x == GPU_MILLI:
                gpu[j] = 0
                need -= 1

    opened: list[int] = []                   # bins in opening order
    res: dict[int, list[int]] = {}
    gpus: dict[int, list[int]] = {}
    groups_in: dict[int, set[int]] = {}
    unused = sorted(range(m), key=lambda b: (costs[b], b))
    used = [False] * m
    assignment = np.full(n, -1, dtype=np.int64)
    for i in _order_from_rows(problem, order, *_unique_rows(problem.demands)).tolist():
        d = demands[i]
        g = d[gcol] if gcol >= 0 else 0
        best = None
        for b in opened:
            if not allowed[groups[i], b] or any(r < x for r, x in zip(res[b], d)):
                continue
            if spread[i] >= 0 and spread[i] in groups_in[b]:
                continue
            if gcol >= 0 and not gpus_fit(gpus[b], g):
                continue
            if score is None:
                best = b
                break
            s = score(d, res[b], caps[b])
            if best is None or s > best[0]:
                best = (s, b)
        b = best if score is None or best is None else best[1]
        if b is None:
            b = next((u for u in unused if not used[u] and allowed[groups[i], u]
                      and all(c >= x for c, x in zip(caps[u], d))), None)
            if b is None:
                continue
            used[b] = True
            opened.append(b)
            res[b] = list(caps[b])
            gpus[b] = [GPU_MILLI] * (caps[b][gcol] // GPU_MILLI) if gcol >= 0 else []
            groups_in[b] = set()
        for r in range(dims):
            res[b][r] -= d[r]
        if gcol >= 0:
            take_gpus(gpus[b], g)
        if spread[i] >= 0:
            groups_in[b].add(spread[i])
        assignment[i] = b
    return _placement(problem, assignment, heuristic_name(order, fit), np.array(opened, dtype=np.int64))
