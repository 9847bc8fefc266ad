"""Hypothesis strategies for small packing problems, and a brute-force oracle."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from kubekit.packing import PackingError, PackingProblem


@st.composite
def problems(draw, max_items: int = 7, max_bins: int = 4, max_resources: int = 3, masks: bool = True,
             spread: bool = True, costs: bool = True, identical: bool | None = None):
    """A valid problem: every item fits (alone) at least one bin its group allows."""
    dims = draw(st.integers(1, max_resources))
    m = draw(st.integers(1, max_bins))
    same = draw(st.booleans()) if identical is None else identical
    cap_row = st.lists(st.integers(0, 12), min_size=dims, max_size=dims)
    if same:
        caps = [draw(cap_row)] * m
    else:
        caps = draw(st.lists(cap_row, min_size=m, max_size=m))
    bin_costs = draw(st.lists(st.integers(0, 6), min_size=m, max_size=m)) if costs else [1] * m
    n_groups = draw(st.integers(1, 3)) if masks else 1
    allowed = [[True] * m for _ in range(n_groups)]
    if masks:
        allowed = [draw(st.lists(st.booleans(), min_size=m, max_size=m)) for _ in range(n_groups)]
        for row in allowed:
            if not any(row):
                row[draw(st.integers(0, m - 1))] = True
    n = draw(st.integers(0, max_items))
    demands, groups = [], []
    for _ in range(n):
        g = draw(st.integers(0, n_groups - 1))
        b = draw(st.sampled_from([b for b in range(m) if allowed[g][b]]))
        demands.append([draw(st.integers(0, c)) for c in caps[b]])
        groups.append(g)
    spread_ids = None
    if spread and n and draw(st.booleans()):
        spread_ids = [draw(st.integers(-1, 1)) for _ in range(n)]
    try:
        return PackingProblem(demands=demands if n else np.zeros((0, dims), dtype=np.int64),
                              capacities=caps, costs=bin_costs,
                              allowed=allowed if masks else None, item_groups=groups if masks else None,
                              spread=spread_ids)
    except PackingError:
        reject()


def brute_force(problem: PackingProblem, objective: str = "bins") -> int | None:
    """The optimum by enumerating every assignment (``None``: infeasible)."""
    n = problem.n_items
    if n == 0:
        return 0
    cands = [problem.candidate_bins(i).tolist() for i in range(n)]
    d = problem.demands.tolist()
    caps = problem.capacities.tolist()
    sp = problem.spread.tolist()
    costs = problem.costs.tolist()
    best = None
    for a in itertools.product(*cands):
        loads: dict[int, list[int]] = {}
        ok = True
        seen = set()
        for i, b in enumerate(a):
            row = loads.setdefault(b, [0] * problem.n_resources)
            for r, v in enumerate(d[i]):
                row[r] += v
                if row[r] > caps[b][r]:
                    ok = False
            if sp[i] >= 0:
                if (sp[i], b) in seen:
                    ok = False
                seen.add((sp[i], b))
            if not ok:
                break
        if not ok:
            continue
        val = len(loads) if objective == "bins" else sum(costs[b] for b in loads)
        if best is None or val < best:
            best = val
    return best
