"""The CP-SAT solver: hand-checked cases, and properties against brute force
and against the warm start on tiny generated problems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing import (
    PackingError, PackingProblem, Status, best_placement, check_assignment, first_fit_decreasing, lower_bounds,
    objective_value, solve,
)
from kubekit.packing.exact import _class_layout, canonical_assignment, symmetry_order, symmetry_ranks
from packing_gen import brute_force, problems

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = dict(time_limit_s=5.0, workers=1)


def test_mask_forces_an_expensive_bin():
    p = PackingProblem([[10], [10]], [[10], [10], [10], [10]], costs=[5, 5, 1, 1],
                       allowed=[[True, True, False, False], [True, True, True, True]], item_groups=[0, 1])
    s = solve(p, "cost", **FAST)
    assert s.status == Status.OPTIMAL and s.objective == 6 and s.bound == 6 and s.cost == 6
    assert s.assignment[0] in (0, 1) and s.assignment[1] in (2, 3)
    check_assignment(p, s.assignment)


def test_spread_group_needs_distinct_bins():
    p = PackingProblem.identical([[1], [1], [1], [1]], [10], spread=[0, 0, 0, -1])
    s = solve(p, **FAST)
    assert s.status == Status.OPTIMAL and s.objective == 3
    assert len(set(s.assignment[:3].tolist())) == 3


def test_infeasible_problem():
    # both items must be on bin 0 (mask) but are in one spread group
    p = PackingProblem([[1], [1]], [[5], [5]], allowed=[[True, False]], item_groups=[0, 0], spread=[0, 0])
    assert not best_placement(p).complete
    s = solve(p, **FAST)
    assert s.status == Status.INFEASIBLE and s.assignment is None and s.objective is None and s.gap is None


def test_cp_sat_completes_an_incomplete_warm_start():
    p = PackingProblem([[10], [10]], [[10], [10]], costs=[1, 2], allowed=[[True, True], [True, False]])
    assert first_fit_decreasing(p).unplaced == (1,)
    s = solve(p, "cost", **FAST)
    assert s.status == Status.OPTIMAL and s.objective == 3 and s.assignment.tolist() == [1, 0]
    assert s.source == "cp-sat"


def test_warm_start_meeting_the_bound_skips_cp_sat():
    p = PackingProblem.identical([[6], [4], [5], [5]], [10])
    s = solve(p, **FAST)
    assert s.status == Status.OPTIMAL and s.objective == 2 and s.source == "warm-start" and s.proof == "bounds"
    assert s.cp_sat_status is None and s.gap == 0.0
    t = solve(p, skip_if_proven=False, **FAST)
    assert t.status == Status.OPTIMAL and t.objective == 2 and t.cp_sat_status == "OPTIMAL"


def test_cp_sat_proves_what_the_bounds_cannot():
    # (7, 7) fits beside nothing; the other three fit pairwise but not all together.
    # Every bound says 2 (volume 19/10, largest clique 2); the optimum is 3.
    p = PackingProblem.identical([[4, 3], [7, 7], [2, 7], [6, 2]], [10, 10])
    b = lower_bounds(p)
    assert b.best == 2
    s = solve(p, bounds=b, **FAST)
    assert s.status == Status.OPTIMAL and s.objective == brute_force(p) and s.proof == "cp-sat"


def test_cold_start_and_explicit_warm_start():
    p = PackingProblem.identical([[5], [6], [3], [4], [2]], [10])
    cold = solve(p, warm_start=False, **FAST)
    assert cold.status == Status.OPTIMAL and cold.objective == 2 and cold.warm_start is None
    warm = solve(p, warm_start=first_fit_decreasing(p, "none"), **FAST)
    assert warm.status == Status.OPTIMAL and warm.objective == 2


@pytest.mark.parametrize("kwargs, message", [
    (dict(time_limit_s=0), "time_limit_s must be positive"),
    (dict(workers=0), "workers must be at least 1"),
    (dict(cp_sat_parameters={"no_such_field": 1}, skip_if_proven=False), "unknown CP-SAT parameter 'no_such_field'"),
    (dict(objective="money"), "invalid objective 'money'"),
    (dict(warm_start="ffd"), "warm_start must be True, False, None or a Placement"),
])
def test_solve_argument_errors(kwargs, message):
    p = PackingProblem.identical([[5], [6]], [10])
    with pytest.raises(PackingError) as exc:
        solve(p, **kwargs)
    assert message in str(exc.value)


def test_bounds_for_another_objective_are_refused():
    p = PackingProblem.identical([[5], [6]], [10])
    with pytest.raises(PackingError, match="bounds were computed for objective 'cost', not 'bins'"):
        solve(p, bounds=lower_bounds(p, "cost"))


def test_totals_beyond_cp_sat_range_are_refused():
    big = 2**62
    p = PackingProblem.identical([[big], [big]], [big], n_bins=2)
    with pytest.raises(PackingError, match="too large for CP-SAT's 64-bit arithmetic: express r0 in a coarser unit"):
        solve(p)


@SETTINGS
@given(problems(max_items=6, max_bins=3), st.sampled_from(["bins", "cost"]))
def test_optimal_equals_brute_force(p, objective):
    opt = brute_force(p, objective)
    s = solve(p, objective, **FAST)
    if opt is None:
        assert s.status == Status.INFEASIBLE
        return
    assert s.status == Status.OPTIMAL, s
    assert s.objective == opt == s.bound
    check_assignment(p, s.assignment)
    assert objective_value(p, s.assignment, objective) == opt


@SETTINGS
@given(problems(max_items=7, max_bins=4), st.sampled_from(["bins", "cost"]))
def test_never_worse_than_its_warm_start_and_bound_below_it(p, objective):
    warm = best_placement(p, objective)
    s = solve(p, objective, warm_start=warm, time_limit_s=0.05, workers=1)
    if warm.complete:
        assert s.objective is not None and s.objective <= warm.objective(objective)
        assert s.bound <= s.objective
        check_assignment(p, s.assignment)


@SETTINGS
@given(problems(max_items=6, max_bins=4), st.sampled_from(["bins", "cost"]))
def test_symmetry_breaking_keeps_the_optimum(p, objective):
    a = solve(p, objective, skip_if_proven=False, **FAST)
    b = solve(p, objective, symmetry=False, skip_if_proven=False, **FAST)
    assert a.status == b.status
    assert a.objective == b.objective


@SETTINGS
@given(problems(max_items=7, max_bins=5))
def test_canonical_warm_start_satisfies_the_symmetry_breaking(p):
    h = best_placement(p)
    if not h.complete:
        return
    b = lower_bounds(p)
    _, class_bins, fits = _class_layout(p)
    ranks = symmetry_ranks(p, fits, symmetry_order(p, b.clique_items))
    c = canonical_assignment(p, h.assignment, ranks, class_bins)
    check_assignment(p, c)
    assert objective_value(p, c, "bins") == h.bins_used and objective_value(p, c, "cost") == h.cost
    for t, bins in enumerate(class_bins):
        used = [(c == bb).any() for bb in bins]
        assert used == sorted(used, reverse=True)                # used bins first
        for pos, bb in enumerate(bins):
            assert all(ranks[i, t] >= pos for i in np.flatnonzero(c == bb))
    if len(class_bins) == 1:
        for k, i in enumerate(b.clique_items):
            assert c[i] == class_bins[0][k]
