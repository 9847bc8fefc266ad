"""Consolidation: an ordered plan of evictions, rebindings and node removals
that empties the most nodes (or lowers the total node cost most), within a
move budget and per-workload disruption limits, checked after every step.

This is the whole-cluster counterpart of the Kubernetes descheduler's
``HighNodeUtilization``, Karpenter's delete-consolidation and the cluster
autoscaler's scale-down simulation: given where every pod runs now, which
nodes can be emptied and removed, and in what order must pods move so that
nothing is ever over-committed and no workload loses more pods at once than
its disruption budget allows?

**Input** (:class:`ConsolidationProblem`): a :class:`PackingProblem` whose
bins are the current nodes and items the running pods, the current
``assignment`` (feasible and complete), and

- ``workloads[i]``: item ``i``'s workload label (``None``: none), with
  ``max_unavailable[w]`` the number of items of ``w`` that may be *in flight*
  (evicted, not yet bound again) at once, like a PodDisruptionBudget's
  ``maxUnavailable`` (pass what the budget still allows).  A limit of ``0``
  pins the workload; a workload without a limit (and an item without a
  workload) is unlimited unless ``default_max_unavailable`` is set;
- ``pinned``: items that must not move (Karpenter's ``do-not-disrupt`` pod
  annotation).  A node holding one cannot be removed;
- ``keep``: nodes that must not be removed (the autoscaler's
  ``scale-down-disabled`` node annotation).  They may still receive items;
- ``max_moves``: the move budget (evictions in the whole plan), a cap on
  how much one consolidation run may disrupt.

**Plan** (:class:`ConsolidationPlan`): steps executed in order —

- ``evict i from a``: item ``i`` leaves node ``a`` (its capacity is free at
  once) and is in flight;
- ``bind i to b``: the in-flight item ``i`` runs on node ``b``;
- ``remove b``: node ``b`` is empty, not needed, and leaves the cluster.

Consecutive evictions may run in parallel (the plan has already checked
that they do not exceed any disruption limit together).  A plan is valid when
replaying it from the current assignment (:func:`replay`) never breaks a rule:
an eviction takes a bound, unpinned item from the node it is on, keeps its
workload's in-flight count within the limit and the total number of
evictions within the budget; a bind puts an in-flight item on a node that
still exists, that its mask allows, that has room for it in every resource
and holds no item of its spread group; a removal takes an existing, empty node
that is not kept; at the end nothing is in flight.  :meth:`ConsolidationPlan.verify`
replays the plan and raises :class:`PlanError` naming the first bad step.

**Objective.**  ``"bins"``: the number of nodes left; ``"cost"``: their total
cost (``problem.costs``).  Either way lower is better; ``saving`` is what the
plan removes.

**Algorithms.**

- :func:`consolidate_greedy` (fast; the descheduler / autoscaler way):
  remove the empty nodes, then take drain candidates one at a time — nodes
  with fewest items first, then least utilized (``bins``), or highest cost per
  item moved (``cost``) — and try to re-place all their items on the other
  remaining nodes by best fit decreasing, nodes that stay anyway first; the
  drain is committed only if every item found a place and the move budget
  allows it.  A node that received items is never drained afterwards, so
  every item moves at most once.
- :func:`consolidate` (exact): a CP-SAT model over the final placement (which
  item ends where, which nodes stay), warm-started from the greedy plan and
  bounded by it, minimising the objective and then the number of moves, under
  the move budget, the pins, the kept nodes, capacity, masks and spread.  Its
  final placement is turned into an ordered plan by :func:`schedule_moves`;
  the result is never worse than the greedy plan, and comes with CP-SAT's
  proven bound, the status and the gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kubekit.packing.bounds import lower_bounds
from kubekit.packing.exact import Status
from kubekit.packing.heuristics import FITS, item_order, normalization_weights
from kubekit.packing.problem import (
    INT64_MAX, PackingError, PackingProblem, check_assignment, check_objective, exact_sum,
)

__all__ = [
    "BIND", "DEFAULT_CP_SAT_PARAMETERS", "EVICT", "GREEDY_FITS", "REMOVE", "ConsolidationPlan", "ConsolidationProblem", "PlanError",
    "ReplayResult", "Step", "consolidate", "consolidate_greedy", "consolidation_bound", "replay", "schedule_moves",
]

EVICT = "evict"
BIND = "bind"
REMOVE = "remove"
STEP_KINDS: tuple[str, ...] = (EVICT, BIND, REMOVE)

#: CP-SAT parameters :func:`consolidate` sets unless told otherwise.  The
#: current placement makes nodes distinguishable, and CP-SAT's symmetry
#: detection on the assignment model of a few hundred pods × nodes spends
#: seconds in presolve for no gain, so it is off.
DEFAULT_CP_SAT_PARAMETERS: Mapping[str, Any] = {"symmetry_level": 0}


class PlanError(PackingError):
    """A consolidation plan breaks a rule.  ``step`` is the 0-based index of
    the first bad step (``None`` when the plan as a whole is wrong, e.g. an
    item is still in flight at the end)."""

    def __init__(self, step: int | None, message: str) -> None:
        self.step = step
        self.message = message
        super().__init__(message)


class _Deadlock(Exception):
    """schedule_moves found no order for a final placement (internal)."""


# -- steps ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Step:
    """One step of a plan.  ``kind`` is ``"evict"`` (``item`` leaves
    ``bin``), ``"bind"`` (``item`` runs on ``bin``) or ``"remove"`` (``bin``
    leaves the cluster; ``item`` is ``-1``)."""

    kind: str
    bin: int
    item: int = -1

    @classmethod
    def evict(cls, item: int, bin: int) -> Step:
        return cls(EVICT, int(bin), int(item))

    @classmethod
    def bind(cls, item: int, bin: int) -> Step:
        return cls(BIND, int(bin), int(item))

    @classmethod
    def remove(cls, bin: int) -> Step:
        return cls(REMOVE, int(bin), -1)

    def describe(self, problem: PackingProblem | None = None) -> str:
        def item(i: int) -> str:
            return problem.item_label(i) if problem is not None and 0 <= i < problem.n_items else str(i)

        def node(b: int) -> str:
            return problem.bin_label(b) if problem is not None and 0 <= b < problem.n_bins else str(b)

        if self.kind == EVICT:
            return f"evict item {item(self.item)} from bin {node(self.bin)}"
        if self.kind == BIND:
            return f"bind item {item(self.item)} to bin {node(self.bin)}"
        if self.kind == REMOVE:
            return f"remove bin {node(self.bin)}"
        return f"{self.kind!r} step (bin {self.bin}, item {self.item})"

    def __str__(self) -> str:
        return self.describe()


# -- input ---------------------------------------------------------------------

def _index_set(what: str, values: Iterable[Any] | None, count: int, names: tuple[str, ...] | None,
               noun: str) -> frozenset[int]:
    """Indices from ints or names (when the problem has names)."""
    if values is None:
        return frozenset()
    if isinstance(values, (str, bytes)):
        values = [values]
    lookup = {name: k for k, name in enumerate(names)} if names is not None else {}
    out = set()
    for v in values:
        if isinstance(v, str):
            if v not in lookup:
                raise PackingError(f"{what}: no {noun} named {v!r}")
            out.add(lookup[v])
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            if not 0 <= int(v) < count:
                raise PackingError(f"{what}: {noun} {int(v)} is out of range 0..{count - 1}")
            out.add(int(v))
        else:
            raise PackingError(f"{what}: expected {noun} indices or names, got {v!r}")
    return frozenset(out)


def _count(what: str, value: Any, *, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 0:
        raise PackingError(f"{what} must be a non-negative integer{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True, eq=False)
class ConsolidationProblem:
    """The current placement and the rules a consolidation plan must keep
    (see the module doc).  Construction validates everything and raises
    :class:`PackingError` naming the bad input.  ``pinned`` and ``keep``
    accept indices or, when the problem has names, names."""

    problem: PackingProblem
    assignment: np.ndarray
    workloads: tuple[str | None, ...] | None = None
    max_unavailable: Mapping[str, int] = None  # type: ignore[assignment]  # stored as a dict
    default_max_unavailable: int | None = None
    pinned: frozenset[int] = frozenset()
    keep: frozenset[int] = frozenset()
    max_moves: int | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        p = self.problem
        if not isinstance(p, PackingProblem):
            raise PackingError(f"problem must be a PackingProblem, got {type(p).__name__}")
        n = p.n_items
        raw = np.asarray(self.assignment)
        if raw.shape != (n,):
            raise PackingError(f"assignment has shape {raw.shape}, expected ({n},): one bin per item")
        if n and (raw.dtype == np.bool_ or not np.issubdtype(raw.dtype, np.integer)):
            raise PackingError(f"assignment must hold integers, got {raw.dtype}")
        a = np.ascontiguousarray(raw, dtype=np.int64).copy()
        try:
            check_assignment(p, a, complete=True)
        except PackingError as exc:
            raise PackingError(f"the current assignment is not a valid placement: {exc}") from None
        a.setflags(write=False)
        set_(self, "assignment", a)

        if self.workloads is None:
            wl = None
        else:
            wl = tuple(self.workloads)
            if len(wl) != n:
                raise PackingError(f"workloads has {len(wl)} labels for {n} items")
            for i, w in enumerate(wl):
                if w is not None and not isinstance(w, str):
                    raise PackingError(f"item {p.item_label(i)} has workload {w!r}: expected a string or None")
        set_(self, "workloads", wl)
        labels = {w for w in (wl or ()) if w is not None}
        limits: dict[str, int] = {}
        for w, v in dict(self.max_unavailable or {}).items():
            if not isinstance(w, str):
                raise PackingError(f"max_unavailable keys must be workload names, got {w!r}")
            if w not in labels:
                raise PackingError(f"max_unavailable names workload {w!r}, which no item belongs to")
            limits[w] = _count(f"max_unavailable[{w!r}]", v, allow_none=False)  # type: ignore[assignment]
        set_(self, "max_unavailable", limits)
        set_(self, "default_max_unavailable", _count("default_max_unavailable", self.default_max_unavailable))
        set_(self, "max_moves", _count("max_moves", self.max_moves))
        set_(self, "pinned", _index_set("pinned", self.pinned, n, p.item_names, "item"))
        set_(self, "keep", _index_set("keep", self.keep, p.n_bins, p.bin_names, "bin"))

    # -- per-item rules ----------------------------------------------------------

    def workload(self, i: int) -> str | None:
        return self.workloads[i] if self.workloads is not None else None

    def limit(self, i: int) -> int | None:
        """How many items of item ``i``'s workload may be in flight at once
        (``None``: unlimited)."""
        w = self.workload(i)
        if w is not None and w in self.max_unavailable:
            return self.max_unavailable[w]
        return self.default_max_unavailable

    def movable(self, i: int) -> bool:
        """Item ``i`` may be evicted: not pinned and its limit is not 0."""
        return i not in self.pinned and self.limit(i) != 0

    def removable_bins(self) -> np.ndarray:
        """Bins a plan may remove: not kept and holding only movable items."""
        ok = np.ones(self.problem.n_bins, dtype=bool)
        ok[list(self.keep)] = False
        for i in range(self.problem.n_items):
            if not self.movable(i):
                ok[self.assignment[i]] = False
        return ok

    def value(self, alive: np.ndarray, objective: str) -> int:
        """The objective over the bins still present."""
        idx = np.flatnonzero(alive)
        return len(idx) if objective == "bins" else int(sum(int(c) for c in self.problem.costs[idx]))


# -- replay ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class ReplayResult:
    """The state after a valid plan: ``assignment`` (bin per item),
    ``removed`` bins in removal order, ``moves`` (evictions) and the largest
    number of items of each workload that were in flight at once."""

    assignment: np.ndarray
    removed: tuple[int, ...]
    moves: int
    peak_in_flight: Mapping[str, int]


def replay(cp: ConsolidationProblem, steps: Sequence[Step]) -> ReplayResult:
    """Replay ``steps`` from the current assignment, checking every rule after
    every step; raise :class:`PlanError` naming the first bad step."""
    p = cp.problem
    n, m, dims = p.n_items, p.n_bins, p.n_resources
    a = cp.assignment.tolist()
    caps = p.capacities.tolist()
    dem = p.demands.tolist()
    load = [[0] * dims for _ in range(m)]
    held = [0] * m
    spread_on: dict[tuple[int, int], int] = {}
    sp = p.spread.tolist()
    for i, b in enumerate(a):
        held[b] += 1
        for r in range(dims):
            load[b][r] += dem[i][r]
        if sp[i] >= 0:
            spread_on[(sp[i], b)] = i
    removed: list[int] = []
    gone = [False] * m
    in_flight: dict[int, int] = {}          # item -> bin it was evicted from
    flying: dict[str | None, int] = {}
    peak: dict[str, int] = {}
    moves = 0

    def fail(k: int, step: Step, why: str) -> PlanError:
        return PlanError(k, f"step {k} ({step.describe(p)}): {why}")

    for k, step in enumerate(steps):
        if not isinstance(step, Step):
            raise PlanError(k, f"step {k}: expected a Step, got {type(step).__name__}")
        b = step.bin
        if step.kind not in STEP_KINDS:
            raise fail(k, step, f"unknown step kind {step.kind!r}, expected one of {', '.join(STEP_KINDS)}")
        if not 0 <= b < m:
            raise fail(k, step, f"bin {b} is out of range 0..{m - 1}")
        if step.kind == REMOVE:
            if gone[b]:
                raise fail(k, step, "the bin was already removed")
            if b in cp.keep:
                raise fail(k, step, "the bin must be kept")
            if held[b]:
                raise fail(k, step, f"the bin still holds {held[b]} item(s)")
            gone[b] = True
            removed.append(b)
            continue
        i = step.item
        if not 0 <= i < n:
            raise fail(k, step, f"item {i} is out of range 0..{n - 1}")
        if step.kind == EVICT:
            if i in in_flight:
                raise fail(k, step, "the item is already in flight")
            if a[i] != b:
                raise fail(k, step, f"the item is on bin {p.bin_label(a[i])}, not on this bin")
            if i in cp.pinned:
                raise fail(k, step, "the item is pinned (must not move)")
            w = cp.workload(i)
            lim = cp.limit(i)
            now = flying.get(w, 0) + 1
            if lim is not None and now > lim:
                who = f"workload {w!r}" if w is not None else "items without a workload"
                raise fail(k, step, f"{who} would have {now} items in flight, more than its limit of {lim}")
            moves += 1
            if cp.max_moves is not None and moves > cp.max_moves:
                raise fail(k, step, f"this is eviction {moves}, over the move budget of {cp.max_moves}")
            flying[w] = now
            if w is not None:
                peak[w] = max(peak.get(w, 0), now)
            in_flight[i] = b
            a[i] = -1
            held[b] -= 1
            for r in range(dims):
                load[b][r] -= dem[i][r]
            if sp[i] >= 0:
                del spread_on[(sp[i], b)]
        else:  # BIND
            if i not in in_flight:
                raise fail(k, step, f"the item is not in flight (it is on bin {p.bin_label(a[i])})")
            if gone[b]:
                raise fail(k, step, "the bin was removed")
            if not p.allowed[p.item_groups[i], b]:
                raise fail(k, step, f"the item's feasibility group {int(p.item_groups[i])} does not allow the bin")
            for r in range(dims):
                if load[b][r] + dem[i][r] > caps[b][r]:
                    raise fail(k, step, f"the bin would be over capacity in {p.resources[r]}: "
                                        f"{load[b][r]} + {dem[i][r]} > {caps[b][r]}")
            if sp[i] >= 0 and (sp[i], b) in spread_on:
                raise fail(k, step, f"item {p.item_label(spread_on[(sp[i], b)])} of the same spread group "
                                    f"{sp[i]} is on the bin")
            del in_flight[i]
            w = cp.workload(i)
            flying[w] -= 1
            a[i] = b
            held[b] += 1
            for r in range(dims):
                load[b][r] += dem[i][r]
            if sp[i] >= 0:
                spread_on[(sp[i], b)] = i
    if in_flight:
        i = min(in_flight)
        raise PlanError(None, f"the plan ends with {len(in_flight)} item(s) in flight, "
                              f"e.g. item {p.item_label(i)} evicted from bin {p.bin_label(in_flight[i])}")
    out = np.array(a, dtype=np.int64)
    out.setflags(write=False)
    return ReplayResult(assignment=out, removed=tuple(removed), moves=moves, peak_in_flight=peak)


# -- the plan --------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class ConsolidationPlan:
    """An ordered plan and what it achieves.

    ``value_before`` / ``value_after``: the objective over the bins present
    before / after the plan.  ``bound``: a proven lower bound on
    ``value_after`` for every valid plan the method considers (see
    :func:`consolidate`); ``status`` is ``OPTIMAL`` when the plan meets it.
    ``method``: ``"greedy-<fit>"`` or ``"cp-sat"``; ``greedy`` is the greedy
    plan an exact run started from.
    """

    cluster: ConsolidationProblem
    objective: str
    steps: tuple[Step, ...]
    final_assignment: np.ndarray
    removed: tuple[int, ...]
    moves: int
    value_before: int
    value_after: int
    bound: int
    status: Status
    method: str
    greedy: ConsolidationPlan | None = None
    cp_sat_status: str | None = None
    cp_sat_bound: int | None = None
    repack: bool = False
    solve_time_s: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def saving(self) -> int:
        """``value_before - value_after``: nodes (or cost) removed."""
        return self.value_before - self.value_after

    @property
    def gap(self) -> float:
        """``(value_after − bound) / bound``."""
        if self.bound == 0:
            return 0.0 if self.value_after == 0 else math.inf
        return (self.value_after - self.bound) / self.bound

    def verify(self) -> ReplayResult:
        """Replay the steps against the problem (raising :class:`PlanError`
        at the first bad step) and check that the recorded outcome is what
        the replay produces."""
        res = replay(self.cluster, self.steps)
        if res.assignment.tolist() != self.final_assignment.tolist():
            diff = int(np.flatnonzero(res.assignment != self.final_assignment)[0])
            raise PlanError(None, f"the plan leaves item {self.cluster.problem.item_label(diff)} on bin "
                                  f"{res.assignment[diff]}, but its final_assignment says "
                                  f"{self.final_assignment[diff]}")
        if tuple(res.removed) != tuple(self.removed):
            raise PlanError(None, f"the plan removes bins {list(res.removed)}, but its removed says "
                                  f"{list(self.removed)}")
        if res.moves != self.moves:
            raise PlanError(None, f"the plan makes {res.moves} moves, but its moves says {self.moves}")
        alive = np.ones(self.cluster.problem.n_bins, dtype=bool)
        alive[list(res.removed)] = False
        after = self.cluster.value(alive, self.objective)
        if after != self.value_after:
            raise PlanError(None, f"the plan leaves {self.objective} {after}, but its value_after says "
                                  f"{self.value_after}")
        return res

    def describe(self) -> list[str]:
        """One line per step."""
        return [f"{k}: {s.describe(self.cluster.problem)}" for k, s in enumerate(self.steps)]


# -- scheduling a final placement into steps -------------------------------------

def schedule_moves(cp: ConsolidationProblem, final: Sequence[int] | np.ndarray,
                   node_order: Sequence[int] = ()) -> tuple[Step, ...]:
    """An ordered plan that takes the current assignment to ``final`` and
    removes every bin that ends empty (and is not kept).

    Items move directly from their bin to their final bin, in *waves*: the
    node being worked on (first in ``node_order`` — then by bin index —
    with items still to move) evicts as many of its items as the disruption
    limits allow and whose destination has room now, and they are bound
    straight away.  When nothing can move that way (items must swap), an item
    whose departure makes room for a blocked one is evicted and parked in
    flight until its own destination has room.  A bin is removed as soon as
    it is empty and none of its items is in flight.  Raises :class:`PlanError`
    when no order exists within the disruption limits (only possible when
    items move between bins that stay: evicting every item first always
    works, so only the limits can block it)."""
    try:
        return _schedule(cp, final, node_order)
    except _Deadlock as exc:
        raise PlanError(None, str(exc)) from None


def _schedule(cp: ConsolidationProblem, final: Sequence[int] | np.ndarray,
              node_order: Sequence[int]) -> tuple[Step, ...]:
    p = cp.problem
    n, m, dims = p.n_items, p.n_bins, p.n_resources
    fin = [int(b) for b in np.asarray(final).tolist()]
    if len(fin) != n:
        raise PackingError(f"final has {len(fin)} entries for {n} items")
    cur = cp.assignment.tolist()
    caps = p.capacities.tolist()
    dem = p.demands.tolist()
    sp = p.spread.tolist()
    load = [[0] * dims for _ in range(m)]
    held = [0] * m
    spread_cnt: dict[tuple[int, int], int] = {}
    for i, b in enumerate(cur):
        held[b] += 1
        for r in range(dims):
            load[b][r] += dem[i][r]
        if sp[i] >= 0:
            spread_cnt[(sp[i], b)] = spread_cnt.get((sp[i], b), 0) + 1
    ends_held = [0] * m
    for b in fin:
        ends_held[b] += 1
    to_remove = [b for b in range(m) if ends_held[b] == 0 and b not in cp.keep]
    order: list[int] = []
    seen = set()
    for b in list(node_order) + list(range(m)):
        if b not in seen:
            seen.add(b)
            order.append(int(b))
    rank = {b: k for k, b in enumerate(order)}
    to_remove.sort(key=lambda b: rank[b])
    rank_item = {int(i): k for k, i in enumerate(item_order(p, "max").tolist())} if n else {}
    pending: dict[int, list[int]] = {}
    for i in range(n):
        if fin[i] != cur[i]:
            if not cp.movable(i):
                raise PackingError(f"final moves item {p.item_label(i)}, which must not move")
            pending.setdefault(cur[i], []).append(i)
    for b in pending:
        pending[b].sort(key=lambda i: rank_item[i])
    in_flight: dict[int, int] = {}  # item -> source bin
    flying: dict[str | None, int] = {}
    from_bin = [0] * m              # items of a bin still in flight
    steps: list[Step] = []
    removed = [False] * m

    def fits(i: int, b: int, extra: list[int] | None = None) -> bool:
        row, cap, d = load[b], caps[b], dem[i]
        if extra is None:
            return all(row[r] + d[r] <= cap[r] for r in range(dims))
        return all(row[r] + extra[r] + d[r] <= cap[r] for r in range(dims))

    def slack(i: int, taken: dict[str | None, int]) -> bool:
        lim = cp.limit(i)
        w = cp.workload(i)
        return lim is None or flying.get(w, 0) + taken.get(w, 0) < lim

    def evict(i: int) -> None:
        b = cur[i]
        steps.append(Step.evict(i, b))
        in_flight[i] = b
        w = cp.workload(i)
        flying[w] = flying.get(w, 0) + 1
        from_bin[b] += 1
        held[b] -= 1
        for r in range(dims):
            load[b][r] -= dem[i][r]
        if sp[i] >= 0:
            spread_cnt[(sp[i], b)] -= 1
        cur[i] = -1
        pending[b].remove(i)

    def bind(i: int) -> None:
        b = fin[i]
        steps.append(Step.bind(i, b))
        src = in_flight.pop(i)
        w = cp.workload(i)
        flying[w] -= 1
        from_bin[src] -= 1
        held[b] += 1
        for r in range(dims):
            load[b][r] += dem[i][r]
        if sp[i] >= 0:
            spread_cnt[(sp[i], b)] = spread_cnt.get((sp[i], b), 0) + 1
        cur[i] = b

    def can_bind(i: int) -> bool:
        b = fin[i]
        return fits(i, b) and not (sp[i] >= 0 and spread_cnt.get((sp[i], b), 0))

    def removals() -> None:
        for b in to_remove:
            if not removed[b] and held[b] == 0 and from_bin[b] == 0 and not pending.get(b):
                steps.append(Step.remove(b))
                removed[b] = True

    removals()
    while any(pending.values()) or in_flight:
        progress = False
        for i in sorted(in_flight, key=lambda i: rank_item[i]):
            if can_bind(i):
                bind(i)
                progress = True
        for src in order:
            items = pending.get(src)
            if not items:
                continue
            wave: list[int] = []
            taken: dict[str | None, int] = {}
            extra: dict[int, list[int]] = {}
            groups: set[tuple[int, int]] = set()
            for i in items:
                b = fin[i]
                if not slack(i, taken):
                    continue
                if not fits(i, b, extra.get(b)):
                    continue
                if sp[i] >= 0 and (spread_cnt.get((sp[i], b), 0) or (sp[i], b) in groups):
                    continue
                wave.append(i)
                w = cp.workload(i)
                taken[w] = taken.get(w, 0) + 1
                row = extra.setdefault(b, [0] * dims)
                for r in range(dims):
                    row[r] += dem[i][r]
                if sp[i] >= 0:
                    groups.add((sp[i], b))
            if wave:
                for i in wave:
                    evict(i)
                for i in wave:
                    bind(i)
                progress = True
                break
        removals()
        if progress:
            continue
        # Blocked: park an item whose departure makes room for a blocked one.
        blocked_dst: dict[int, int] = {}
        for i in in_flight:
            blocked_dst[fin[i]] = blocked_dst.get(fin[i], 0) + 1
        for items in pending.values():
            for i in items:
                blocked_dst[fin[i]] = blocked_dst.get(fin[i], 0) + 1
        best = None
        for src, items in pending.items():
            for i in items:
                if slack(i, {}):
                    key = (-blocked_dst.get(src, 0), rank.get(src, src), rank_item[i])
                    if best is None or key < best[0]:
                        best = (key, i)
        if best is None:
            stuck = sorted(i for items in pending.values() for i in items)
            i = stuck[0]
            raise _Deadlock(
                f"no order moves item {p.item_label(i)} from bin {p.bin_label(cur[i])} to bin "
                f"{p.bin_label(fin[i])} within the disruption limits: {len(stuck)} item(s) wait for room that "
                f"only items of workloads already at their limit could free")
        evict(best[1])
        removals()
    return tuple(steps)


# -- shared helpers ----------------------------------------------------------------

def _fit_key(fit: str, problem: PackingProblem) -> Callable[[list[int], list[int], list[int]], Any]:
    """Larger is better: (demand, residual before, capacity) -> key.  The same
    measures as :mod:`kubekit.packing.heuristics`."""
    if fit not in FITS:
        raise PackingError(f"invalid fit measure {fit!r}: expected one of {', '.join(FITS)}")
    w = list(normalization_weights(problem))
    w2 = [x * x for x in w]
    if fit == "dot":
        return lambda d, res, cap: sum(a * b * c for a, b, c in zip(w2, d, res))
    if fit == "l2":
        return lambda d, res, cap: -sum((wr * (b - a)) ** 2 for wr, a, b in zip(w, d, res))
    return lambda d, res, cap: sum((Fraction(c - b + a, c) for a, b, c in zip(d, res, cap) if c > 0), Fraction(0))


def _utilization(load: list[int], cap: list[int]) -> Fraction:
    return sum((Fraction(v, c) for v, c in zip(load, cap) if c > 0), Fraction(0))


def consolidation_bound(cp: ConsolidationProblem, objective: str = "bins", *, lp: bool = False) -> int:
    """A lower bound on ``value_after`` of any valid plan, the largest of:

    - the packing lower bound of the items (:func:`kubekit.packing.lower_bounds`):
      the bins left must hold every item, so they are at least as many — or
      as costly — as the bins of an optimal packing;
    - the value of the bins that can never be removed (kept bins and bins
      holding an item that cannot move);
    - with a move budget ``B``: removing a set ``S`` of bins evicts every item
      on them at least once, so ``Σ_{b∈S} items(b) ≤ B``.  The most a plan can
      remove is then at most the optimum of that knapsack over the removable
      bins — for ``bins``, the most bins whose item counts, smallest first,
      add up to at most ``B``; for ``cost``, the floor of the fractional
      knapsack (bins by cost per item) — and the bound is the total value
      minus it.
    """
    check_objective(objective)
    b = int(lower_bounds(cp.problem, objective, lp=lp).best)
    removable = cp.removable_bins()
    b = max(b, cp.value(~removable, objective))
    if cp.max_moves is not None:
        m = cp.problem.n_bins
        count = np.bincount(cp.assignment, minlength=m).tolist()
        costs = [1] * m if objective == "bins" else [int(c) for c in cp.problem.costs]
        total = sum(costs)
        cand = [k for k in range(m) if removable[k]]
        free = sum(costs[k] for k in cand if count[k] == 0)
        heavy = [k for k in cand if count[k] > 0]
        heavy.sort(key=lambda k: (-Fraction(costs[k], count[k]), k))
        left, gain = cp.max_moves, Fraction(free)
        for k in heavy:
            if count[k] <= left:
                left -= count[k]
                gain += costs[k]
            else:
                gain += Fraction(costs[k] * left, count[k])
                break
        b = max(b, total - math.floor(gain))
    return b


def _make_plan(cp: ConsolidationProblem, objective: str, final: np.ndarray, steps: tuple[Step, ...],
               bound: int, method: str, **extra: Any) -> ConsolidationPlan:
    res = replay(cp, steps)  # a bug if this fails
    alive = np.ones(cp.problem.n_bins, dtype=bool)
    alive[list(res.removed)] = False
    after = cp.value(alive, objective)
    before = cp.value(np.ones(cp.problem.n_bins, dtype=bool), objective)
    if after < bound:
        raise AssertionError(f"plan value {after} below the proven bound {bound}")
    fa = np.asarray(res.assignment, dtype=np.int64).copy()
    fa.setflags(write=False)
    if fa.tolist() != [int(v) for v in np.asarray(final).tolist()]:
        raise AssertionError("the scheduled plan does not reach the final placement")
    return ConsolidationPlan(cluster=cp, objective=objective, steps=steps, final_assignment=fa,
                             removed=res.removed, moves=res.moves, value_before=before, value_after=after,
                             bound=bound, status=Status.OPTIMAL if after == bound else Status.FEASIBLE,
                             method=method, **extra)


# -- greedy ------------------------------------------------------------------------

GREEDY_FITS: tuple[str, ...] = ("best", *FITS)


def consolidate_greedy(cp: ConsolidationProblem, objective: str = "bins", *, fit: str = "best",
                       bound: int | None = None) -> ConsolidationPlan:
    """The greedy plan (see the module doc).

    Candidates, in order: empty removable bins first; then, for ``bins``,
    fewest items, then least utilized (``Σ_r load_r / cap_r``), then index;
    for ``cost``, highest ``cost / items``, then least utilized, then index
    (bins of cost 0 are not drained: removing them saves nothing).  A drain
    re-places the candidate's items, in decreasing-``max`` order, each on a
    remaining bin (not removed, not the candidate) that it fits — capacity,
    mask, spread.  Among those, bins that will stay anyway (they already
    received items, or cannot be removed) come first, so that items gather
    on few receivers and the other candidates stay drainable; then the best
    ``fit`` measure (``dot``: Tetris alignment; ``l2``; ``most``:
    kube-scheduler's MostAllocated, the pairing the descheduler documents for
    HighNodeUtilization); then the lowest index.  The drain is committed only
    if every item found a place and the moves fit the budget; a bin that
    received items is never drained afterwards.  ``fit="best"`` runs the
    three measures and keeps the best plan (value, then moves).  ``bound``
    may pass a precomputed :func:`consolidation_bound`."""
    check_objective(objective)
    if fit not in GREEDY_FITS:
        raise PackingError(f"invalid fit measure {fit!r}: expected one of {', '.join(GREEDY_FITS)}")
    t0 = time.perf_counter()
    best = None
    for f in (FITS if fit == "best" else (fit,)):
        final, order = _greedy_final(cp, objective, f)
        alive = np.ones(cp.problem.n_bins, dtype=bool)
        alive[order] = False
        key = (cp.value(alive, objective), int((final != cp.assignment).sum()))
        if best is None or key < best[0]:
            best = (key, final, order, f)
    assert best is not None
    _, final, order, f = best
    steps = _schedule(cp, final, order)
    if bound is None:
        bound = consolidation_bound(cp, objective)
    return _make_plan(cp, objective, final, steps, bound, f"greedy-{f}", solve_time_s=time.perf_counter() - t0)


def _greedy_final(cp: ConsolidationProblem, objective: str, fit: str) -> tuple[np.ndarray, list[int]]:
    """The greedy's final placement and the bins it removes, in order."""
    score = _fit_key(fit, cp.problem)
    p = cp.problem
    n, m, dims = p.n_items, p.n_bins, p.n_resources
    a = cp.assignment.tolist()
    caps = p.capacities.tolist()
    dem = p.demands.tolist()
    sp = p.spread.tolist()
    costs = p.costs.tolist()
    res = p.capacities.copy()               # residual capacity, int64 (loads never exceed capacity)
    on: list[list[int]] = [[] for _ in range(m)]
    for i, b in enumerate(a):
        on[b].append(i)
        res[b] -= p.demands[i]
    spread_bins: dict[int, np.ndarray] = {}
    for i, b in enumerate(a):
        if sp[i] >= 0:
            spread_bins.setdefault(sp[i], np.zeros(m, dtype=bool))[b] = True
    rank_item = {int(i): k for k, i in enumerate(item_order(p, "max").tolist())} if n else {}
    removable = cp.removable_bins()
    alive = np.ones(m, dtype=bool)
    received = np.zeros(m, dtype=bool)
    removal_order: list[int] = []
    used_moves = 0

    for b in range(m):
        if removable[b] and not on[b]:
            alive[b] = False
            removal_order.append(b)

    def load_of(b: int) -> list[int]:
        return [caps[b][r] - int(res[b, r]) for r in range(dims)]

    cands = [b for b in range(m) if removable[b] and on[b] and (objective == "bins" or costs[b] > 0)]
    if objective == "bins":
        cands.sort(key=lambda b: (len(on[b]), _utilization(load_of(b), caps[b]), b))
    else:
        cands.sort(key=lambda b: (-Fraction(costs[b], len(on[b])), _utilization(load_of(b), caps[b]), b))

    for b in cands:
        if received[b]:
            continue
        items = sorted(on[b], key=lambda i: rank_item[i])
        if cp.max_moves is not None and used_moves + len(items) > cp.max_moves:
            continue
        touched: list[tuple[int, int]] = []       # (item, destination), to commit or undo
        staying: set[int] = set()                 # destinations of this drain so far
        ok = True
        for i in items:
            d = p.demands[i]
            mask = alive & p.allowed[p.item_groups[i]] & (res >= d).all(axis=1)
            mask[b] = False
            if sp[i] >= 0:
                mask &= ~spread_bins[sp[i]]
            cand = np.flatnonzero(mask)
            if not len(cand):
                ok = False
                break
            dl = dem[i]
            best_key, dst = None, -1
            for c in cand.tolist():
                k = (bool(received[c] or c in staying or not removable[c]), score(dl, res[c].tolist(), caps[c]))
                if best_key is None or k > best_key:
                    best_key, dst = k, c
            touched.append((i, dst))
            staying.add(dst)
            res[dst] -= d
            if sp[i] >= 0:
                spread_bins[sp[i]][dst] = True
        if not ok:
            for i, dst in touched:
                res[dst] += p.demands[i]
                if sp[i] >= 0:
                    spread_bins[sp[i]][dst] = False
            continue
        for i, dst in touched:
            res[b] += p.demands[i]
            if sp[i] >= 0:
                spread_bins[sp[i]][b] = False
            a[i] = dst
            on[dst].append(i)
            received[dst] = True
        on[b] = []
        alive[b] = False
        removal_order.append(b)
        used_moves += len(items)

    return np.array(a, dtype=np.int64), removal_order


# -- exact -----------------------------------------------------------------------

def consolidate(cp: ConsolidationProblem, objective: str = "bins", *, time_limit_s: float = 10.0,
                workers: int = 1, repack: bool = True, fit: str = "best", seed: int = 0, lp_bound: bool = True,
                greedy: ConsolidationPlan | None = None, log_search: bool = False,
                cp_sat_parameters: Mapping[str, Any] | None = None) -> ConsolidationPlan:
    """The best plan CP-SAT finds within ``time_limit_s``, never worse than
    the greedy plan.

    **Model.**  ``x[i,b]`` (item ``i`` ends on bin ``b``; only bins ``i`` fits
    alone and its mask allows; items that cannot move are fixed), ``y[b]``
    (bin ``b`` stays)::

        ExactlyOne(x[i,·])               Σ_i d_ir x[i,b] ≤ C_br y[b]       x[i,b] ⇒ y[b]
        AtMostOne(x[i,b] : i ∈ spread group, b)                            y[b] = 1 for kept bins
        Σ_i (1 − x[i,a_i]) ≤ max_moves   P ≤ P_greedy                       P ≥ consolidation_bound
        minimise  W·P + Σ_i (1 − x[i,a_i])       W = movable items + 1

    where ``P`` is ``Σ y`` (``bins``) or ``Σ c_b y_b`` (``cost``): the
    objective first, then the fewest moves.  With ``repack=False`` only the
    items of removed bins may move (``y[a_i] ⇒ x[i,a_i]``), the form of the
    greedy plans.

    **Plan.**  :func:`schedule_moves` orders the final placement.  Without
    repacking every move goes to a bin that only gains items, so an order
    always exists; with repacking, disruption limits can forbid every order
    (two items of a workload limited to 1 that must swap); then the model is
    solved again without repacking in the time left, and the greedy plan is
    the fallback.

    **Bound.**  Any valid plan's end state is a solution of the model (an
    item moved twice still counts one displacement, at most its evictions),
    so ``floor(CP-SAT bound / W)`` bounds ``value_after`` of every valid plan
    (with ``repack=False``: of every plan that moves only items of removed
    bins); it is combined with :func:`consolidation_bound` (with the LP
    bound of :mod:`kubekit.packing.bounds` unless ``lp_bound=False``; the
    greedy alone computes it without the LP).
    """
    check_objective(objective)
    if time_limit_s <= 0:
        raise PackingError(f"time_limit_s must be positive, got {time_limit_s}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PackingError(f"workers must be a positive integer, got {workers!r}")
    try:
        from ortools.sat.python import cp_model
    except ImportError as exc:  # pragma: no cover - ortools is an optional extra
        raise PackingError("the exact consolidation needs OR-Tools: pip install ortools") from exc
    p = cp.problem
    for r, name in enumerate(p.resources):
        if exact_sum(p.capacities[:, r]) > INT64_MAX // 2:
            raise PackingError(f"total {name} is too large for CP-SAT's 64-bit arithmetic: express {name} in a "
                               f"coarser unit")
    t0 = time.perf_counter()
    base_bound = consolidation_bound(cp, objective, lp=lp_bound)
    if greedy is None:
        greedy = consolidate_greedy(cp, objective, fit=fit, bound=base_bound)
    elif greedy.cluster is not cp or greedy.objective != objective:
        raise PackingError("greedy must be a plan for the same ConsolidationProblem and objective")
    if objective == "cost" and exact_sum(p.costs) * (p.n_items + 2) > INT64_MAX // 2:
        raise PackingError("the total bin cost is too large for CP-SAT's 64-bit arithmetic")
    if greedy.value_after <= base_bound:
        return _replace_plan(greedy, method=greedy.method, greedy=greedy, bound=base_bound, repack=repack,
                             solve_time_s=time.perf_counter() - t0,
                             notes=("the greedy plan meets the lower bound; CP-SAT not run",))

    params = dict(DEFAULT_CP_SAT_PARAMETERS)
    params.update(cp_sat_parameters or {})
    deadline = t0 + float(time_limit_s)
    notes: list[str] = []
    best_bound = base_bound
    attempts = [repack] if not repack else [True, False]
    cp_status: str | None = None
    cp_bound: int | None = None
    for attempt_repack in attempts:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            notes.append("no time left for CP-SAT")
            break
        outcome = _solve_model(cp, objective, greedy, base_bound, attempt_repack, deadline, workers, seed,
                               log_search, cp_model, params)
        cp_status = outcome["status"]
        if outcome["bound"] is not None and (attempt_repack or not repack):
            cp_bound = outcome["bound"]
            best_bound = max(best_bound, outcome["bound"])
        final = outcome["final"]
        if final is None:
            notes.append(f"CP-SAT ({'repack' if attempt_repack else 'drain-only'}) found no plan: {cp_status}")
            break
        key = (outcome["primary"], outcome["moves"])
        if key >= (greedy.value_after, greedy.moves):
            notes.append("CP-SAT did not improve on the greedy plan")
            break
        order = _drain_order(cp, final)
        try:
            steps = _schedule(cp, final, order)
        except _Deadlock as exc:
            notes.append(f"the repacking placement has no order within the disruption limits ({exc}); "
                         f"solved again without repacking")
            continue
        plan = _make_plan(cp, objective, final, steps, best_bound, "cp-sat", greedy=greedy,
                          cp_sat_status=cp_status, cp_sat_bound=cp_bound, repack=attempt_repack,
                          solve_time_s=time.perf_counter() - t0, notes=tuple(notes))
        return plan
    return _replace_plan(greedy, method=greedy.method, greedy=greedy, bound=best_bound, cp_sat_status=cp_status,
                         cp_sat_bound=cp_bound, repack=repack, solve_time_s=time.perf_counter() - t0,
                         notes=tuple(notes))


def _replace_plan(plan: ConsolidationPlan, *, bound: int, **changes: Any) -> ConsolidationPlan:
    kw = {f: getattr(plan, f) for f in ConsolidationPlan.__dataclass_fields__}
    kw.update(changes)
    kw["bound"] = bound
    if plan.value_after < bound:
        raise AssertionError(f"plan value {plan.value_after} below the proven bound {bound}")
    kw["status"] = Status.OPTIMAL if plan.value_after == bound else Status.FEASIBLE
    return ConsolidationPlan(**kw)


def _drain_order(cp: ConsolidationProblem, final: np.ndarray) -> list[int]:
    """Bins to work on first: those that end empty, fewest items first."""
    a = cp.assignment
    counts = np.bincount(a, minlength=cp.problem.n_bins)
    ends = np.bincount(final, minlength=cp.problem.n_bins)
    emptied = [b for b in range(cp.problem.n_bins) if ends[b] == 0]
    emptied.sort(key=lambda b: (int(counts[b]), b))
    return emptied


def _solve_model(cp: ConsolidationProblem, objective: str, greedy: ConsolidationPlan, lb: int, repack: bool,
                 deadline: float, workers: int, seed: int, log_search: bool, cp_model: Any,
                 params: Mapping[str, Any]) -> dict[str, Any]:
    p = cp.problem
    n, m, dims = p.n_items, p.n_bins, p.n_resources
    a = cp.assignment.tolist()
    dem = p.demands.tolist()
    caps = p.capacities.tolist()
    sp = p.spread.tolist()
    costs = p.costs.tolist()
    movable = [cp.movable(i) for i in range(n)]
    W = sum(movable) + 1

    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{b}") for b in range(m)]
    fixed_load = [[0] * dims for _ in range(m)]
    fixed_spread: dict[tuple[int, int], int] = {}
    x: dict[tuple[int, int], Any] = {}
    per_bin: list[list[int]] = [[] for _ in range(m)]
    stay: list[Any] = []
    for i in range(n):
        if not movable[i]:
            b = a[i]
            model.add(y[b] == 1)
            for r in range(dims):
                fixed_load[b][r] += dem[i][r]
            if sp[i] >= 0:
                fixed_spread[(sp[i], b)] = fixed_spread.get((sp[i], b), 0) + 1
            continue
        bins = p.candidate_bins(i).tolist()
        vs = []
        for b in bins:
            v = model.new_bool_var(f"x{i}_{b}")
            x[(i, b)] = v
            per_bin[b].append(i)
            vs.append(v)
            model.add_implication(v, y[b])
        model.add_exactly_one(vs)
        stay.append(x[(i, a[i])])
        if not repack:
            model.add_implication(y[a[i]], x[(i, a[i])])
    for b in cp.keep:
        model.add(y[b] == 1)
    for b in range(m):
        items = per_bin[b]
        for r in range(dims):
            terms = [(x[(i, b)], dem[i][r]) for i in items if dem[i][r]]
            if fixed_load[b][r] + sum(d for _, d in terms) > caps[b][r]:
                model.add(sum(d * v for v, d in terms) + fixed_load[b][r] <= caps[b][r] * y[b])
        groups: dict[int, list[Any]] = {}
        for i in items:
            if sp[i] >= 0:
                groups.setdefault(sp[i], []).append(x[(i, b)])
        for g, vs in sorted(groups.items()):
            if len(vs) + fixed_spread.get((g, b), 0) > 1:
                if fixed_spread.get((g, b), 0):
                    for v in vs:
                        model.add(v == 0)
                else:
                    model.add_at_most_one(vs)
    moves = len(stay) - cp_model.LinearExpr.sum(stay) if stay else 0
    if cp.max_moves is not None and stay:
        model.add(moves <= cp.max_moves)
    weights = [1 if objective == "bins" else costs[b] for b in range(m)]
    primary = cp_model.LinearExpr.weighted_sum(y, weights)
    model.add(primary <= greedy.value_after)
    model.add(primary >= lb)
    model.minimize(W * primary + moves)
    g = greedy.final_assignment.tolist()
    alive = set(range(m)) - set(greedy.removed)
    for (i, b), v in x.items():
        model.add_hint(v, int(g[i] == b))
    for b in range(m):
        model.add_hint(y[b], int(b in alive))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log_search)
    for key, value in params.items():
        if not hasattr(solver.parameters, key):
            raise PackingError(f"unknown CP-SAT parameter {key!r}")
        setattr(solver.parameters, key, value)
    code = solver.solve(model)
    status = solver.status_name(code)
    out: dict[str, Any] = {"status": status, "final": None, "bound": None, "primary": None, "moves": None}
    if code == cp_model.INFEASIBLE and repack:
        # Every valid plan's end state satisfies the repack model, the greedy plan's among them.
        raise AssertionError(f"CP-SAT proved infeasible a consolidation model the greedy plan satisfies ({status})")
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        final = np.array(a, dtype=np.int64)
        for (i, b), v in x.items():
            if solver.boolean_value(v):
                final[i] = b
        # Bins left: those that hold an item or are kept (empty ones are removed).
        ends = np.bincount(final, minlength=m) > 0
        ends[list(cp.keep)] = True
        out["final"] = final
        out["primary"] = cp.value(ends, objective)
        out["moves"] = int((final != cp.assignment).sum())
        total_bound = math.ceil(solver.best_objective_bound - 1e-6)
        out["bound"] = total_bound // W
        if code == cp_model.OPTIMAL:
            out["bound"] = max(out["bound"], (int(round(solver.objective_value)) // W))
    return out
