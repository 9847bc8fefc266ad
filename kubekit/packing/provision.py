"""Provisioning: the cheapest set of new nodes for pending pods, like the
cluster autoscaler's scale-up or Karpenter's provisioner.

**Input** (:class:`ProvisionRequest`): the pending pods' demands (pods × R,
exact integers), the node types (capacity per resource, a price per node, a
maximum count each), which pod may use which type (``allowed``: pods × types,
or groups × types with ``pod_groups`` — node selectors, node affinity, taints,
GPU model) and optional spread groups (pods of one group on distinct nodes:
a required pod anti-affinity on the hostname).

**Output** (:class:`NodeSet`): the nodes to create (a type each) and which pod
goes on which, with their total price.

**Algorithms.**

- :func:`provision_greedy`, the heuristic:

  - ``price-fit``: open one node at a time, of the type with the lowest
    *price per packed size*: for every type that still has nodes left, fill
    one hypothetical node by first fit decreasing over the unplaced pods it
    allows, and score it ``price / Σ size`` where a pod's size is
    ``Σ_r d_r / C_r`` (``C_r`` the largest capacity of any type); ties:
    more pods, lower price, lower type index.  It is the autoscaler's idea
    of scoring each node group by a simulated scale-up (its ``least-waste``
    and ``price`` expanders), applied repeatedly;
  - ``ffd`` / any name of :data:`kubekit.packing.HEURISTICS`: that reference
    heuristic on the problem whose bins are the available nodes (it opens the
    cheapest node a pod fits);
  - ``best`` (default): ``price-fit`` and every decreasing reference
    heuristic, keeping the cheapest complete result;

  then every result is *downsized*: each node, most expensive first, is
  switched to the cheapest type that still has nodes left and holds its pods
  (capacity, mask).
- :func:`provision`: CP-SAT (:func:`kubekit.packing.solve` on the same
  problem, objective ``cost``), warm-started from the heuristic, with a time
  limit; it returns the heuristic, the best set, the status, the proven
  bound (CP-SAT's and the lower bounds of :mod:`kubekit.packing.bounds`, the
  LP among them) and the gaps.  The exact result is never more expensive
  than the heuristic that warm-started it.

A node type is available ``min(max_count, number of pods)`` times (no
solution needs more nodes of a type than there are pods).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kubekit.packing.bounds import Bounds, lower_bounds
from kubekit.packing.exact import Solution, Status, solve
from kubekit.packing.heuristics import (
    DECREASING, HEURISTICS, Placement, item_order, normalization_weights, run_heuristic,
)
from kubekit.packing.problem import PackingError, PackingProblem, _int_array, check_assignment, exact_sum

__all__ = ["DEFAULT_CP_SAT_PARAMETERS", "GREEDY_METHODS", "NodeSet", "ProvisionError", "ProvisionRequest",
           "ProvisionResult", "provision", "provision_bound", "provision_greedy"]

GREEDY_METHODS: tuple[str, ...] = ("best", "price-fit", *HEURISTICS)

#: CP-SAT parameters :func:`provision` sets unless told otherwise.  The model
#: of :func:`kubekit.packing.solve` breaks the symmetry of identical nodes
#: itself; CP-SAT's own symmetry detection spends seconds of presolve on a
#: few hundred pods × nodes (measured on the OpenB sample, see
#: docs/packing-consolidation.md), so it is off.
DEFAULT_CP_SAT_PARAMETERS: Mapping[str, Any] = {"symmetry_level": 0}


class ProvisionError(PackingError):
    """A provisioning request is malformed or cannot be met (a node type with
    no capacity or a non-positive price, a pod that fits no node type)."""


@dataclass(frozen=True, slots=True, eq=False)
class ProvisionRequest:
    """Pending pods and node types.  ``allowed`` is pods × types (or groups ×
    types with ``pod_groups``); without it every pod may use every type.
    ``max_counts[t]`` is how many nodes of type ``t`` may be created.
    Construction validates everything and raises :class:`ProvisionError`
    naming the bad input; a pod that fits no node type is named with the
    reason for every type."""

    demands: np.ndarray
    type_capacities: np.ndarray
    type_prices: np.ndarray
    max_counts: np.ndarray
    # Optional inputs; __post_init__ stores them normalised (the annotations give the stored types).
    allowed: np.ndarray = None  # type: ignore[assignment]
    pod_groups: np.ndarray = None  # type: ignore[assignment]
    spread: np.ndarray = None  # type: ignore[assignment]
    resources: tuple[str, ...] = None  # type: ignore[assignment]
    pod_names: tuple[str, ...] | None = None
    type_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        try:
            demands = _int_array("demands", self.demands, 2)
            caps = _int_array("type_capacities", self.type_capacities, 2)
            prices = _int_array("type_prices", self.type_prices, 1)
            counts = _int_array("max_counts", self.max_counts, 1)
        except PackingError as exc:
            raise ProvisionError(str(exc)) from None
        n, dims = demands.shape
        T = caps.shape[0]
        if caps.shape[1] != dims:
            raise ProvisionError(f"type_capacities have {caps.shape[1]} resources per type but demands have {dims}")
        for name, arr in (("type_prices", prices), ("max_counts", counts)):
            if arr.shape[0] != T:
                raise ProvisionError(f"{name} has {arr.shape[0]} entries for {T} node types")
        resources = tuple(self.resources) if self.resources is not None else tuple(f"r{r}" for r in range(dims))
        if len(resources) != dims or len(set(resources)) != dims:
            raise ProvisionError(f"resources must name the {dims} resources once each, got {resources}")
        set_(self, "resources", resources)
        for attr, count, what in (("pod_names", n, "pods"), ("type_names", T, "node types")):
            names = getattr(self, attr)
            if names is not None:
                names = tuple(str(s) for s in names)
                if len(names) != count:
                    raise ProvisionError(f"{attr} has {len(names)} names for {count} {what}")
                if attr == "type_names" and len(set(names)) != count:
                    raise ProvisionError(f"type_names has duplicates: {names}")
                set_(self, attr, names)
        if n and (demands < 0).any():
            i, r = (int(v) for v in np.argwhere(demands < 0)[0])
            raise ProvisionError(f"pod {self.pod_label(i)} has a negative demand of {resources[r]}: {demands[i, r]}")
        for t in range(T):
            if (caps[t] < 0).any():
                r = int(np.flatnonzero(caps[t] < 0)[0])
                raise ProvisionError(f"node type {self.type_label(t)} has a negative capacity of {resources[r]}: "
                                     f"{caps[t, r]}")
            if dims and not caps[t].any():
                raise ProvisionError(f"node type {self.type_label(t)} has zero capacity in every resource")
            if prices[t] <= 0:
                raise ProvisionError(f"node type {self.type_label(t)} has price {prices[t]}: expected a positive "
                                     f"integer (a price in the smallest currency unit)")
            if counts[t] < 0:
                raise ProvisionError(f"node type {self.type_label(t)} has a negative max count: {counts[t]}")
        for name, arr in (("demands", demands), ("type_capacities", caps), ("type_prices", prices),
                          ("max_counts", counts)):
            set_(self, name, arr)

        if self.allowed is None:
            if self.pod_groups is not None:
                raise ProvisionError("pod_groups given without an allowed mask")
            allowed = np.ones((1, T), dtype=bool)
            groups = np.zeros(n, dtype=np.int64)
        else:
            allowed = np.asarray(self.allowed)
            if allowed.dtype != np.bool_:
                if not np.issubdtype(allowed.dtype, np.integer) or not np.isin(allowed, (0, 1)).all():
                    raise ProvisionError(f"allowed must be a boolean mask, got {allowed.dtype}")
                allowed = allowed.astype(bool)
            if allowed.ndim != 2 or allowed.shape[1] != T:
                raise ProvisionError(f"allowed must have shape (pods or groups, {T} types), got {allowed.shape}")
            if self.pod_groups is None:
                if allowed.shape[0] != n:
                    raise ProvisionError(f"allowed has {allowed.shape[0]} rows: without pod_groups it needs one "
                                         f"row per pod ({n})")
                groups = np.arange(n, dtype=np.int64)
            else:
                try:
                    groups = _int_array("pod_groups", self.pod_groups, 1)
                except PackingError as exc:
                    raise ProvisionError(str(exc)) from None
                if groups.shape[0] != n:
                    raise ProvisionError(f"pod_groups has {groups.shape[0]} entries for {n} pods")
                bad = np.flatnonzero((groups < 0) | (groups >= allowed.shape[0]))
                if len(bad):
                    i = int(bad[0])
                    raise ProvisionError(f"pod {self.pod_label(i)} is in group {groups[i]}, expected "
                                         f"0..{allowed.shape[0] - 1}")
        allowed = np.ascontiguousarray(allowed, dtype=bool).copy()
        allowed.setflags(write=False)
        groups = np.ascontiguousarray(groups, dtype=np.int64).copy()
        groups.setflags(write=False)
        set_(self, "allowed", allowed)
        set_(self, "pod_groups", groups)
        if self.spread is None:
            spread = np.full(n, -1, dtype=np.int64)
            spread.setflags(write=False)
        else:
            try:
                spread = _int_array("spread", self.spread, 1)
            except PackingError as exc:
                raise ProvisionError(str(exc)) from None
            if spread.shape[0] != n:
                raise ProvisionError(f"spread has {spread.shape[0]} entries for {n} pods")
            if (spread < -1).any():
                i = int(np.flatnonzero(spread < -1)[0])
                raise ProvisionError(f"pod {self.pod_label(i)} has spread group {spread[i]}, expected -1 or >= 0")
        set_(self, "spread", spread)

        self._check_every_pod_fits()
        avail = np.minimum(counts, n)
        total_nodes = int(avail.sum())
        ids, sizes = np.unique(spread[spread >= 0], return_counts=True)
        if len(sizes) and int(sizes.max()) > total_nodes:
            g = int(ids[np.argmax(sizes)])
            raise ProvisionError(f"spread group {g} has {int(sizes.max())} pods that need distinct nodes, but the "
                                 f"node types allow only {total_nodes} nodes in all")
        for r, name in enumerate(resources):
            need = exact_sum(demands[:, r])
            have = sum(int(caps[t, r]) * int(avail[t]) for t in range(T))
            if need > have:
                raise ProvisionError(f"the pods demand {need} of {name} in total but all node types at their max "
                                     f"counts provide only {have}: raise a max count or add a node type")

    # -- labels and sizes ------------------------------------------------------

    @property
    def n_pods(self) -> int:
        return int(self.demands.shape[0])

    @property
    def n_types(self) -> int:
        return int(self.type_capacities.shape[0])

    def pod_label(self, i: int) -> str:
        return f"{i} ({self.pod_names[i]!r})" if self.pod_names is not None else str(i)

    def type_label(self, t: int) -> str:
        return repr(self.type_names[t]) if self.type_names is not None else str(t)

    def type_name(self, t: int) -> str:
        return self.type_names[t] if self.type_names is not None else f"type{t}"

    def may_use(self, i: int, t: int) -> bool:
        return bool(self.allowed[self.pod_groups[i], t]) and bool((self.demands[i] <= self.type_capacities[t]).all())

    def _check_every_pod_fits(self) -> None:
        n, T = self.n_pods, self.n_types
        if n == 0:
            return
        fits = ((self.demands[:, None, :] <= self.type_capacities[None, :, :]).all(axis=2)
                & self.allowed[self.pod_groups] & (self.max_counts > 0)[None, :])
        bad = np.flatnonzero(~fits.any(axis=1))
        if not len(bad):
            return
        i = int(bad[0])
        if T == 0:
            raise ProvisionError(f"pod {self.pod_label(i)} fits no node type: there are no node types")
        reasons = []
        for t in range(T):
            why = []
            if not self.allowed[self.pod_groups[i], t]:
                why.append("not allowed by the pod's selector/affinity/tolerations")
            for r, name in enumerate(self.resources):
                if int(self.demands[i, r]) > int(self.type_capacities[t, r]):
                    why.append(f"{name} {int(self.demands[i, r])} > {int(self.type_capacities[t, r])}")
            if self.max_counts[t] == 0:
                why.append("max count 0")
            reasons.append(f"{self.type_label(t)}: {', '.join(why)}")
        more = f" ({len(bad) - 1} more pod(s) fit no type either)" if len(bad) > 1 else ""
        raise ProvisionError(f"pod {self.pod_label(i)} fits no node type{more}: {'; '.join(reasons)}")

    # -- the packing problem -----------------------------------------------------

    def available(self) -> np.ndarray:
        """Nodes available per type: ``min(max_count, pods)``."""
        return np.minimum(self.max_counts, self.n_pods)

    def to_problem(self) -> tuple[PackingProblem, np.ndarray]:
        """The packing problem whose bins are the available nodes (type ``t``
        gives ``available()[t]`` consecutive bins named ``<type>-<k>``), and
        the type of every bin."""
        avail = self.available()
        names = tuple(self.type_name(t) for t in range(self.n_types))
        p = PackingProblem.from_bin_types(self.demands, self.type_capacities, avail.tolist(), self.type_prices,
                                          type_allowed=self.allowed, type_names=names, item_groups=self.pod_groups,
                                          spread=self.spread, resources=self.resources, item_names=self.pod_names)
        bin_type = np.repeat(np.arange(self.n_types), avail)
        bin_type.setflags(write=False)
        return p, bin_type


# -- results ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class NodeSet:
    """New nodes and their pods: node ``k`` has type ``node_types[k]``;
    ``assignment[i]`` is pod ``i``'s node (``-1``: unplaced, listed in
    ``unplaced``).  ``cost`` is the total price."""

    request: ProvisionRequest
    method: str
    node_types: tuple[int, ...]
    assignment: np.ndarray
    cost: int
    unplaced: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return not self.unplaced

    @property
    def n_nodes(self) -> int:
        return len(self.node_types)

    def counts(self) -> dict[str, int]:
        """Nodes per type name (types not used are left out)."""
        out: dict[str, int] = {}
        for t in self.node_types:
            name = self.request.type_name(t)
            out[name] = out.get(name, 0) + 1
        return out

    def pods_on(self, k: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(self.assignment == k))

    def verify(self) -> None:
        """Raise :class:`ProvisionError` unless every placed pod's node is
        allowed for it, no node is over capacity, spread groups are on
        distinct nodes, no type is used more than its max count, the cost is
        the sum of prices, and (when complete) every pod is placed."""
        req = self.request
        n, K = req.n_pods, len(self.node_types)
        a = np.asarray(self.assignment)
        if a.shape != (n,):
            raise ProvisionError(f"assignment has shape {a.shape}, expected ({n},)")
        used = np.bincount(np.asarray(self.node_types, dtype=np.int64), minlength=req.n_types)
        for t in range(req.n_types):
            if used[t] > req.max_counts[t]:
                raise ProvisionError(f"{used[t]} nodes of type {req.type_label(t)}, over its max count "
                                     f"{req.max_counts[t]}")
        loads = [[0] * len(req.resources) for _ in range(K)]
        seen: dict[tuple[int, int], int] = {}
        for i in range(n):
            k = int(a[i])
            if k == -1:
                if i not in self.unplaced:
                    raise ProvisionError(f"pod {req.pod_label(i)} is not placed but not listed as unplaced")
                continue
            if not 0 <= k < K:
                raise ProvisionError(f"pod {req.pod_label(i)} is on node {k}, expected 0..{K - 1}")
            t = self.node_types[k]
            if not req.allowed[req.pod_groups[i], t]:
                raise ProvisionError(f"pod {req.pod_label(i)} is on node {k} of type {req.type_label(t)}, "
                                     f"which it may not use")
            for r in range(len(req.resources)):
                loads[k][r] += int(req.demands[i, r])
            g = int(req.spread[i])
            if g >= 0:
                if (g, k) in seen:
                    raise ProvisionError(f"pods {req.pod_label(seen[(g, k)])} and {req.pod_label(i)} of spread "
                                         f"group {g} share node {k}")
                seen[(g, k)] = i
        for k in range(K):
            t = self.node_types[k]
            for r, name in enumerate(req.resources):
                if loads[k][r] > int(req.type_capacities[t, r]):
                    raise ProvisionError(f"node {k} of type {req.type_label(t)} is over capacity in {name}: "
                                         f"{loads[k][r]} > {int(req.type_capacities[t, r])}")
        price = sum(int(req.type_prices[t]) for t in self.node_types)
        if price != self.cost:
            raise ProvisionError(f"cost {self.cost} is not the sum of the node prices ({price})")

    def to_placement(self, bin_type: np.ndarray) -> Placement:
        """This node set as a placement on :meth:`ProvisionRequest.to_problem`'s
        bins (node ``k`` of type ``t`` → the next free bin of type ``t``)."""
        first: dict[int, int] = {}
        for b, t in enumerate(np.asarray(bin_type).tolist()):
            first.setdefault(t, b)
        nxt = dict(first)
        node_bin = []
        for t in self.node_types:
            node_bin.append(nxt[t])
            nxt[t] += 1
        a = np.array([node_bin[k] if k >= 0 else -1 for k in self.assignment.tolist()], dtype=np.int64)
        a.setflags(write=False)
        return Placement(name=self.method, assignment=a, bins_used=len(self.node_types), cost=self.cost,
                         unplaced=self.unplaced)


def _node_set(req: ProvisionRequest, method: str, bin_type: np.ndarray, assignment: np.ndarray) -> NodeSet:
    """A NodeSet from a bin assignment (bins renumbered in order of use)."""
    a = np.asarray(assignment, dtype=np.int64)
    used = sorted(set(a[a >= 0].tolist()))
    index = {b: k for k, b in enumerate(used)}
    out = np.array([index[b] if b >= 0 else -1 for b in a.tolist()], dtype=np.int64)
    out.setflags(write=False)
    types = tuple(int(bin_type[b]) for b in used)
    return NodeSet(request=req, method=method, node_types=types, assignment=out,
                   cost=sum(int(req.type_prices[t]) for t in types),
                   unplaced=tuple(int(i) for i in np.flatnonzero(a < 0)))


# -- the heuristic ---------------------------------------------------------------

def _price_fit(req: ProvisionRequest, problem: PackingProblem) -> NodeSet:
    n, T, dims = req.n_pods, req.n_types, len(req.resources)
    w = normalization_weights(problem)
    dem = req.demands.tolist()
    size = [sum(wr * d for wr, d in zip(w, row)) for row in dem]
    order = item_order(problem, "sum").tolist()
    caps = req.type_capacities.tolist()
    prices = req.type_prices.tolist()
    left = req.available().tolist()
    ok = [[req.may_use(i, t) for t in range(T)] for i in range(n)]
    sp = req.spread.tolist()
    unplaced = list(order)
    node_types: list[int] = []
    assignment = [-1] * n
    while unplaced:
        best = None
        for t in range(T):
            if left[t] <= 0:
                continue
            res = list(caps[t])
            groups: set[int] = set()
            packed: list[int] = []
            for i in unplaced:
                if not ok[i][t] or (sp[i] >= 0 and sp[i] in groups):
                    continue
                d = dem[i]
                if all(d[r] <= res[r] for r in range(dims)):
                    for r in range(dims):
                        res[r] -= d[r]
                    packed.append(i)
                    if sp[i] >= 0:
                        groups.add(sp[i])
            if not packed:
                continue
            s = sum(size[i] for i in packed)
            ratio = Fraction(prices[t], s) if s > 0 else None
            key = (ratio is None, ratio if ratio is not None else 0, -len(packed), prices[t], t)
            if best is None or key < best[0]:
                best = (key, t, packed)
        if best is None:
            break
        _, t, packed = best
        k = len(node_types)
        node_types.append(t)
        left[t] -= 1
        for i in packed:
            assignment[i] = k
        done = set(packed)
        unplaced = [i for i in unplaced if i not in done]
    a = np.array(assignment, dtype=np.int64)
    a.setflags(write=False)
    return NodeSet(request=req, method="price-fit", node_types=tuple(node_types), assignment=a,
                   cost=sum(prices[t] for t in node_types), unplaced=tuple(sorted(unplaced)))


def _downsize(ns: NodeSet) -> NodeSet:
    """Switch each node, most expensive first, to the cheapest type with nodes
    left that allows and holds all its pods."""
    req = ns.request
    types = list(ns.node_types)
    if not types:
        return ns
    prices = req.type_prices.tolist()
    left = (req.max_counts - np.bincount(np.asarray(types, dtype=np.int64), minlength=req.n_types)).tolist()
    a = ns.assignment
    changed = False
    for k in sorted(range(len(types)), key=lambda k: (-prices[types[k]], k)):
        pods = np.flatnonzero(a == k)
        load = req.demands[pods].sum(axis=0) if len(pods) else np.zeros(len(req.resources), dtype=np.int64)
        okt = (req.type_capacities >= load).all(axis=1)
        for i in pods.tolist():
            okt &= req.allowed[req.pod_groups[i]]
        cur = types[k]
        cands = [t for t in np.flatnonzero(okt).tolist() if left[t] > 0 or t == cur]
        best = min(cands, key=lambda t: (prices[t], t)) if cands else cur
        if prices[best] < prices[cur]:
            left[cur] += 1
            left[best] -= 1
            types[k] = best
            changed = True
    if not changed:
        return ns
    return NodeSet(request=req, method=ns.method, node_types=tuple(types), assignment=ns.assignment,
                   cost=sum(prices[t] for t in types), unplaced=ns.unplaced)


def provision_greedy(request: ProvisionRequest, method: str = "best") -> NodeSet:
    """The heuristic node set (see the module doc): ``method`` is ``best``,
    ``price-fit`` or a reference heuristic name (``ffd-max``, ``bfd-sum-dot``
    ...).  The result is downsized; it may be incomplete (``unplaced``) when
    the max counts run out."""
    if method not in GREEDY_METHODS:
        raise ProvisionError(f"unknown provisioning heuristic {method!r}: expected best, price-fit or one of "
                             f"{', '.join(HEURISTICS)}")
    problem, bin_type = request.to_problem()
    return _greedy(request, problem, bin_type, method)


def _greedy(request: ProvisionRequest, problem: PackingProblem, bin_type: np.ndarray, method: str) -> NodeSet:
    names = ["price-fit", *DECREASING] if method == "best" else [method]
    best: NodeSet | None = None
    for name in names:
        if name == "price-fit":
            ns = _price_fit(request, problem)
        else:
            ns = _node_set(request, name, bin_type, run_heuristic(problem, name).assignment)
        ns = _downsize(ns)
        if best is None or (len(ns.unplaced), ns.cost) < (len(best.unplaced), best.cost):
            best = ns
    assert best is not None
    return best


def provision_bound(request: ProvisionRequest, *, lp: bool = True) -> int:
    """A lower bound on the cost of any node set that places every pod (the
    best of :func:`kubekit.packing.lower_bounds` for objective ``cost``)."""
    problem, _ = request.to_problem()
    return lower_bounds(problem, "cost", lp=lp).best


# -- exact -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class ProvisionResult:
    """The heuristic node set, the best one (CP-SAT's, or the heuristic's when
    CP-SAT did not improve on it; ``None`` without a complete set), the
    ``status`` and a proven lower ``bound`` on the cost."""

    heuristic: NodeSet
    best: NodeSet | None
    status: Status
    bound: int
    solution: Solution
    time_s: float

    @property
    def cost(self) -> int | None:
        return self.best.cost if self.best is not None else None

    @property
    def gap(self) -> float | None:
        """``(best.cost − bound) / bound``."""
        return _gap(self.cost, self.bound)

    @property
    def heuristic_gap(self) -> float | None:
        """``(heuristic.cost − bound) / bound`` (``None`` when incomplete)."""
        return _gap(self.heuristic.cost if self.heuristic.complete else None, self.bound)

    @property
    def heuristic_excess(self) -> float | None:
        """How much more the heuristic pays than the best set:
        ``(heuristic.cost − best.cost) / best.cost``."""
        if self.best is None or not self.heuristic.complete:
            return None
        return _gap(self.heuristic.cost, self.best.cost)

    @property
    def cp_sat_status(self) -> str | None:
        return self.solution.cp_sat_status


def _gap(value: int | None, bound: int) -> float | None:
    if value is None:
        return None
    if bound == 0:
        return 0.0 if value == 0 else math.inf
    return (value - bound) / bound


def provision(request: ProvisionRequest, *, time_limit_s: float = 10.0, workers: int = 1, method: str = "best",
              lp_bound: bool = True, seed: int = 0, cp_sat_parameters: Mapping[str, Any] | None = None,
              bounds: Bounds | None = None) -> ProvisionResult:
    """The heuristic (``method``, see :func:`provision_greedy`), then CP-SAT
    warm-started from it within ``time_limit_s`` on ``workers`` threads.
    When the heuristic already meets the lower bound CP-SAT is not run.
    ``cp_sat_parameters`` are added to :data:`DEFAULT_CP_SAT_PARAMETERS`."""
    if method not in GREEDY_METHODS:
        raise ProvisionError(f"unknown provisioning heuristic {method!r}: expected best, price-fit or one of "
                             f"{', '.join(HEURISTICS)}")
    t0 = time.perf_counter()
    problem, bin_type = request.to_problem()
    heur = _greedy(request, problem, bin_type, method)
    params = {**DEFAULT_CP_SAT_PARAMETERS, **(cp_sat_parameters or {})}
    sol = solve(problem, "cost", time_limit_s=time_limit_s, workers=workers, warm_start=heur.to_placement(bin_type),
                lp_bound=lp_bound, seed=seed, cp_sat_parameters=params, bounds=bounds)
    best: NodeSet | None = None
    if sol.assignment is not None:
        if sol.source == "warm-start":
            best = heur
        else:
            best = _downsize(_node_set(request, "cp-sat", bin_type, sol.assignment))
            if heur.complete and heur.cost <= best.cost:
                best = heur
        check_assignment(problem, best.to_placement(bin_type).assignment)
    status = sol.status
    if best is not None:
        if best.cost < sol.bound:
            raise AssertionError(f"node set of cost {best.cost} below the proven bound {sol.bound}")
        status = Status.OPTIMAL if best.cost == sol.bound else Status.FEASIBLE
    return ProvisionResult(heuristic=heur, best=best, status=status, bound=sol.bound, solution=sol,
                           time_s=time.perf_counter() - t0)
