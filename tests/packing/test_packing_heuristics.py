"""The reference heuristics: hand-checked tables for every ordering, fit
measure and tie-break, and properties on generated problems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from kubekit.packing import (
    DECREASING, FITS, HEURISTICS, ORDERS, PackingError, PackingProblem, best_fit_decreasing, best_placement,
    check_assignment, first_fit_decreasing, item_order, run_heuristic,
)
from kubekit.packing.heuristics import normalization_weights
from packing_gen import problems

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_names():
    assert len(HEURISTICS) == 16 and len(DECREASING) == 12
    assert {"ffd-max", "bfd-sum-l2", "bfd-product-most", "ff", "bf-dot"} <= set(HEURISTICS)
    with pytest.raises(PackingError, match="unknown heuristic 'wfd'"):
        run_heuristic(PackingProblem([[1]], [[1]]), "wfd")
    with pytest.raises(PackingError, match="invalid item order 'size'"):
        first_fit_decreasing(PackingProblem([[1]], [[1]]), order="size")
    with pytest.raises(PackingError, match="invalid fit measure 'worst'"):
        best_fit_decreasing(PackingProblem([[1]], [[1]]), fit="worst")


@pytest.mark.parametrize("caps, weights", [
    ([[10, 100]], (10, 1)),
    ([[3, 4], [2, 4]], (4, 3)),          # C = max per resource = (3, 4), lcm 12
    ([[5, 0]], (1, 0)),                  # no bin has resource 1
])
def test_normalization_weights(caps, weights):
    assert normalization_weights(PackingProblem(np.zeros((0, 2), dtype=np.int64), caps)) == weights


# Capacity (10, 100): normalised sizes a=(.5,.1) b=(.2,.8) c=(.8,0) d=(.5,.5).
ORDER_ITEMS = [[5, 10], [2, 80], [8, 0], [5, 50]]


@pytest.mark.parametrize("order, expected", [
    ("max", [1, 2, 0, 3]),       # keys .5 .8 .8 .5; ties keep index order
    ("sum", [1, 3, 2, 0]),       # keys .6 1.0 .8 1.0
    ("product", [3, 1, 0, 2]),   # raw products 50 160 0 250
    ("none", [0, 1, 2, 3]),
])
def test_item_order(order, expected):
    p = PackingProblem.identical(ORDER_ITEMS, [10, 100])
    assert item_order(p, order).tolist() == expected


# One resource, three bins of 10, input order 5, 6, 3: the 3 goes to bin 0
# (residual 5) or bin 1 (residual 4).
@pytest.mark.parametrize("name, expected", [
    ("ff", [0, 1, 0]),           # first open bin that fits
    ("bf-l2", [0, 1, 1]),        # residual after: 2 vs 1
    ("bf-dot", [0, 1, 0]),       # alignment 3*5 vs 3*4
    ("bf-most", [0, 1, 1]),      # utilisation after: 8/10 vs 9/10
])
def test_fit_measures(name, expected):
    p = PackingProblem.identical([[5], [6], [3]], [10], n_bins=3)
    r = run_heuristic(p, name)
    assert r.assignment.tolist() == expected and r.bins_used == 2 and r.cost == 2


@pytest.mark.parametrize("name, expected", [
    ("bf-l2", [0, 1, 1]),    # normalised by the largest capacity (20): residual after 2/20 vs 1/20
    ("bf-most", [0, 1, 0]),  # each bin by its own capacity: 18/20 = 9/10, a tie -> earliest opened
    ("bf-dot", [0, 1, 0]),   # 3*5 vs 3*4
])
def test_most_allocated_normalises_per_bin(name, expected):
    # bins of 20 and 10; 15 opens bin 0 (residual 5); 6 does not fit there and opens bin 1 (residual 4)
    p = PackingProblem([[15], [6], [3]], [[20], [10]])
    assert run_heuristic(p, name).assignment.tolist() == expected


def test_opening_rule_cheapest_then_lowest_index():
    p = PackingProblem([[4], [8], [9]], [[10], [10], [10]], costs=[5, 2, 2])
    r = run_heuristic(p, "ff")
    assert r.assignment.tolist() == [1, 2, 0] and r.cost == 9 and r.bins_used == 3


def test_opening_skips_bins_the_item_does_not_fit_or_may_not_use():
    p = PackingProblem([[1], [7]], [[5], [10], [10]], costs=[1, 1, 1],
                       allowed=[[True, True, True], [True, False, True]], item_groups=[0, 1])
    # order max: the 7 first -> bin 0 too small, bin 1 masked -> bin 2; then the 1 fits bin 2
    assert run_heuristic(p, "ffd-max").assignment.tolist() == [2, 2]


def test_spread_group_members_get_distinct_bins():
    p = PackingProblem.identical([[1], [1], [1]], [10], spread=[0, 0, -1])
    for name in HEURISTICS:
        r = run_heuristic(p, name)
        assert r.assignment[0] != r.assignment[1] and r.bins_used == 2


def test_unplaced_items_are_reported():
    # item 0 takes the cheap bin 0, the only bin item 1's group allows
    p = PackingProblem([[10], [10]], [[10], [10]], costs=[1, 2], allowed=[[True, True], [True, False]])
    r = first_fit_decreasing(p)
    assert r.assignment.tolist() == [0, -1] and r.unplaced == (1,) and not r.complete
    assert best_placement(p).unplaced == (1,)


def test_exact_on_huge_integers():
    big = 2**62
    p = PackingProblem.identical([[big // 2, 1], [big // 2, 1], [1, 999]], [big, 1000])
    for name in HEURISTICS:
        r = run_heuristic(p, name)
        check_assignment(p, r.assignment)
        assert r.bins_used == 2


def test_best_placement_picks_the_fewest_bins_then_name_order():
    p = PackingProblem.identical([[5], [6], [3], [4], [2]], [10])
    best = best_placement(p)
    assert best.bins_used == min(run_heuristic(p, h).bins_used for h in DECREASING)
    assert best.name == next(h for h in DECREASING if run_heuristic(p, h).bins_used == best.bins_used)


@SETTINGS
@given(problems())
def test_every_placement_respects_capacity_mask_and_spread(p):
    for name in HEURISTICS:
        r = run_heuristic(p, name)
        check_assignment(p, r.assignment, complete=False)
        placed = r.assignment[r.assignment >= 0]
        assert r.bins_used == len(np.unique(placed))
        assert r.cost == int(p.costs[np.unique(placed)].sum())
        assert sorted(r.unplaced) == np.flatnonzero(r.assignment < 0).tolist()


@SETTINGS
@given(problems(masks=False, spread=False, identical=True))
def test_identical_bins_without_constraints_place_everything(p):
    q = PackingProblem.identical(p.demands, p.capacities[0])      # as many bins as items
    for name in HEURISTICS:
        assert run_heuristic(q, name).complete


@SETTINGS
@given(problems())
def test_heuristics_are_deterministic(p):
    for name in ("ffd-max", "bfd-sum-most", "bfd-product-l2", "bf-dot"):
        a, b = run_heuristic(p, name), run_heuristic(p, name)
        assert a.assignment.tolist() == b.assignment.tolist()


def test_orders_and_fits_are_exported():
    assert ORDERS == ("max", "sum", "product", "none") and FITS == ("dot", "l2", "most")
