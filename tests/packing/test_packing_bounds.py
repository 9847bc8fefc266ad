"""Lower bounds: hand-checked tables, and validity against brute force and
against every heuristic on generated problems."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from kubekit.packing import (
    HEURISTICS, PackingError, PackingProblem, l2_bound, lower_bounds, lp_bound, martello_toth_l2, run_heuristic,
    spread_bound, volume_bound,
)
from kubekit.packing.bounds import clique_bound, conflict_matrix, count_to_cost, greedy_clique
from packing_gen import brute_force, problems

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("sizes, capacity, expected", [
    ([], 10, 0),
    ([0, 0], 0, 0),
    ([6, 6, 6, 6], 10, 4),            # L1 = 3; all > C/2
    ([5, 5, 5], 10, 2),               # 5 + 5 = 10 fits: not "large"
    ([5, 5, 5], 9, 3),                # odd capacity: 2*5 > 9
    ([8, 8, 8, 3, 3], 10, 4),         # K = 3: three 8s alone, the 3s need a fourth bin (L1 = 3)
    ([8, 8, 3, 3, 3], 10, 3),         # the 3s fill a third bin
    ([6, 6, 6, 4, 4, 4], 10, 3),      # 6 + 4 pairs
    ([7, 7, 7, 2, 2, 2], 10, 3),      # the 2s fit beside the 7s
    ([99, 1, 1, 1], 100, 2),          # K = 1: J1 = {99}, J3 = the 1s
    ([4, 4, 4], 10, 2),
])
def test_martello_toth_l2(sizes, capacity, expected):
    assert martello_toth_l2(sizes, capacity) == expected


def test_martello_toth_l2_errors():
    with pytest.raises(PackingError, match="size 11 exceeds the capacity 10"):
        martello_toth_l2([11], 10)
    with pytest.raises(PackingError, match="negative size -1"):
        martello_toth_l2([-1, 3], 10)


def test_volume_bound_heterogeneous():
    # capacities 10, 4, 4 (costs 10, 1, 1); total demand 13
    p = PackingProblem([[5], [4], [4]], [[10], [4], [4]], costs=[10, 1, 1])
    assert volume_bound(p, "bins") == 2              # 10 + 4 >= 13
    assert volume_bound(p, "cost") == 7              # the two 4s (cost 2) + 5/10 of the big bin (cost 5)


def test_volume_bound_identical_is_max_ceil():
    p = PackingProblem.identical([[3, 1], [3, 1], [3, 9]], [10, 10])
    assert volume_bound(p) == 2 and volume_bound(p, "cost") == 2


def test_clique_beats_l2_on_crossing_items():
    # pairwise conflicts in a different resource each; no resource alone sees it
    p = PackingProblem.identical([[6, 6, 1], [6, 1, 6], [1, 6, 6]], [10, 10, 10])
    b = lower_bounds(p)
    assert (b.volume, b.l2, b.clique, b.lp) == (2, 2, 3, 3)
    assert sorted(b.clique_items) == [0, 1, 2]


def test_conflict_matrix_and_greedy_clique():
    p = PackingProblem.identical([[6, 1], [6, 1], [1, 6], [1, 6]], [10, 10])
    c = conflict_matrix(p)
    assert c.tolist() == [[False, True, False, False], [True, False, False, False],
                          [False, False, False, True], [False, False, True, False]]
    assert len(greedy_clique(c)) == 2 and clique_bound(p) == 2


def test_conflicts_respect_masks_and_spread():
    # the two items fit together only in bin 1, which item 1 may not use
    p = PackingProblem([[3], [3], [1]], [[5], [10]], allowed=[[True, True], [True, False], [True, True]],
                       spread=[-1, 0, 0])
    c = conflict_matrix(p)
    assert c[0, 1] and c[1, 2] and not c[0, 2]


def test_spread_bound():
    p = PackingProblem.identical([[1], [1], [1], [1]], [10], spread=[0, 0, 0, 1], cost=3)
    assert spread_bound(p) == 3 and spread_bound(p, "cost") == 9
    assert lower_bounds(p).best == 3


def test_lp_bound_sees_the_mask():
    # item 0 may only use the expensive bins 0, 1; item 1 anything
    p = PackingProblem([[10], [10]], [[10], [10], [10], [10]], costs=[5, 5, 1, 1],
                       allowed=[[True, True, False, False], [True, True, True, True]], item_groups=[0, 1])
    assert volume_bound(p, "cost") == 2
    b = lower_bounds(p, "cost")
    assert b.lp == 6 and b.best == 6
    r = lp_bound(p, "cost")
    assert abs(r.lp_value - 6) < 1e-9 and Fraction(6) - r.safe_value < Fraction(1, 10**6)


def test_lp_bound_is_rounded_up_from_a_fractional_value():
    p = PackingProblem.identical([[4], [4], [4]], [10])
    r = lp_bound(p)
    assert abs(r.lp_value - 1.2) < 1e-9 and r.bound == 2


def test_lp_bound_skips_large_models():
    p = PackingProblem.identical([[1]] * 10, [10])
    assert lp_bound(p, max_pairs=5) is None
    assert lower_bounds(p, lp_max_pairs=5).lp is None


def test_l2_bound_needs_a_common_capacity():
    p = PackingProblem([[6], [6]], [[10], [12]])
    assert l2_bound(p) is None
    q = PackingProblem([[6, 1], [6, 1]], [[10, 5], [10, 7]])   # resource 0 is common
    assert l2_bound(q) == 2


def test_count_to_cost():
    p = PackingProblem([[1]], [[5], [5], [5]], costs=[4, 1, 3])
    assert [count_to_cost(p, k) for k in range(4)] == [0, 1, 4, 8]


def test_empty_problem_bounds_are_zero():
    p = PackingProblem(np.zeros((0, 1), dtype=np.int64), [[5]])
    assert lower_bounds(p).best == 0 and lower_bounds(p, "cost").best == 0


@SETTINGS
@given(problems(max_items=6, max_bins=3))
def test_every_bound_is_at_most_the_brute_force_optimum(p):
    for objective in ("bins", "cost"):
        opt = brute_force(p, objective)
        if opt is None:
            continue
        b = lower_bounds(p, objective)
        for name, value in b.as_dict().items():
            assert value is None or value <= opt, (objective, name, value, opt)


@SETTINGS
@given(problems())
def test_no_heuristic_beats_a_lower_bound(p):
    for objective in ("bins", "cost"):
        lb = lower_bounds(p, objective).best
        for name in HEURISTICS:
            r = run_heuristic(p, name)
            if r.complete:
                assert r.objective(objective) >= lb, (objective, name)


@SETTINGS
@given(problems(max_items=7, max_bins=4))
def test_lp_dual_bound_is_close_to_glop_value(p):
    for objective in ("bins", "cost"):
        r = lp_bound(p, objective)
        if r is not None:
            assert float(r.safe_value) <= r.lp_value + 1e-6 * (1 + abs(r.lp_value))
            assert float(r.safe_value) >= r.lp_value - 1e-6 * (1 + abs(r.lp_value))
