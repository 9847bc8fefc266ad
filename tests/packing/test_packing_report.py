"""Heuristic results with their gap to the best lower bound (report.py), from
the reference heuristics and from the Cython kernel: the same rows either
way, and no gap is ever negative."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing import (
    HEURISTICS, LP_MAX_PAIRS, PackingError, PackingProblem, evaluate_heuristics, gap, lower_bounds, place_with_gap,
    run_heuristic,
)
from kubekit.packing.batch import heuristic_args
from kubekit.packing.report import markdown_table
from packing_gen import problems
from test_batch_kernel import shaped_problems

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OBJECTIVES = ("bins", "cost")


def row_key(r):
    """Everything in a row but the time."""
    return (r.name, r.objective, r.bins_used, r.cost, r.unplaced, r.bound, r.gap)


@pytest.mark.parametrize("name, args", [
    ("ffd-max", ("ffd", "max", None)),
    ("ffd-product", ("ffd", "product", None)),
    ("bfd-sum-l2", ("bfd", "sum", "l2")),
    ("bfd-max-most", ("bfd", "max", "most")),
    ("ff", ("ffd", "none", None)),
    ("bf-dot", ("bfd", "none", "dot")),
])
def test_heuristic_args(name, args):
    assert heuristic_args(name) == args


def test_every_heuristic_name_maps_to_the_kernel_run_of_that_name():
    p = PackingProblem.identical([[2, 3], [4, 1], [3, 3]], capacity=[6, 6])
    assert len({heuristic_args(h) for h in HEURISTICS}) == len(HEURISTICS)
    for h in HEURISTICS:
        placement, row = place_with_gap(p, *heuristic_args(h))
        assert placement.name == row.name == h


@pytest.mark.parametrize("objective, bound, expected", [
    (10, 8, 0.25),
    (8, 8, 0.0),
    (0, 0, 0.0),
    (3, 0, math.inf),
])
def test_gap(objective, bound, expected):
    assert gap(objective, bound) == expected


@SETTINGS
@given(problems(max_items=10, max_bins=5), st.sampled_from(OBJECTIVES))
def test_kernel_rows_equal_python_rows(p, objective):
    b_py, py = evaluate_heuristics(p, objective)
    b_k, kern = evaluate_heuristics(p, objective, engine="kernel")
    assert b_k.as_dict() == b_py.as_dict()
    assert [row_key(r) for r in kern] == [row_key(r) for r in py]
    assert [r.name for r in kern] == list(HEURISTICS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(max_bins=30, max_items=120), st.sampled_from(OBJECTIVES))
def test_kernel_rows_equal_python_rows_on_larger_problems(p, objective):
    b_py, py = evaluate_heuristics(p, objective, lp=False)
    _, kern = evaluate_heuristics(p, objective, bounds=b_py, engine="kernel")
    assert [row_key(r) for r in kern] == [row_key(r) for r in py]


@SETTINGS
@given(problems(max_items=10, max_bins=5), st.sampled_from(OBJECTIVES), st.sampled_from(HEURISTICS))
def test_place_with_gap_is_the_reference_placement_with_its_row(p, objective, name):
    placement, row = place_with_gap(p, *heuristic_args(name), objective=objective)
    ref = run_heuristic(p, name)
    assert placement.assignment.tolist() == ref.assignment.tolist()
    _, (expected,) = evaluate_heuristics(p, objective, [name])
    assert row_key(row) == row_key(expected)


def assert_no_gap_is_negative(bounds, rows, objective):
    assert rows
    for r in rows:
        assert r.bound == bounds.best
        if r.unplaced:
            assert r.objective is None and r.gap is None
        else:
            assert r.objective == (r.bins_used if objective == "bins" else r.cost)
            assert r.objective >= r.bound          # a heuristic never beats a valid bound
            assert r.gap >= 0


@SETTINGS
@given(problems(max_items=12, max_bins=6), st.sampled_from(OBJECTIVES))
def test_no_gap_is_negative(p, objective):
    bounds, rows = evaluate_heuristics(p, objective, engine="kernel")
    assert_no_gap_is_negative(bounds, rows, objective)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(max_bins=30, max_items=120), st.sampled_from(OBJECTIVES))
def test_no_gap_is_negative_on_larger_problems(p, objective):
    bounds, rows = evaluate_heuristics(p, objective, engine="kernel")
    assert_no_gap_is_negative(bounds, rows, objective)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(gpu=True, max_bins=25, max_items=100))
def test_no_gap_is_negative_with_the_gpu_share_model(p):
    # The bounds relax the per-GPU shares away, so they stay valid.
    bounds, rows = evaluate_heuristics(p, "bins", engine="kernel", gpu_share="gpu_milli")
    assert_no_gap_is_negative(bounds, rows, "bins")


def test_a_bound_met_is_a_zero_gap():
    # Two items of 6 on bins of 10: the volume bound (2) is met.
    p = PackingProblem.identical([[6], [6]], capacity=[10])
    _, row = place_with_gap(p, "ffd", "max", None)
    assert (row.objective, row.bound, row.gap) == (2, 2, 0.0)
    # One spread group of 3 items that would fit in one bin: the spread bound (3) is met.
    p = PackingProblem([[1], [1], [1]], [[10], [10], [10]], spread=[0, 0, 0])
    _, row = place_with_gap(p, "bfd", "max", "dot")
    assert (row.objective, row.bound, row.gap) == (3, 3, 0.0)


def test_unplaced_items_leave_the_gap_undefined():
    # One bin of 2 GPUs: shares of 0.6 and 0.6 take 0.6 of each GPU, so 0.7
    # fits the bin's total (0.8 left) but no single GPU: it stays unplaced.
    p = PackingProblem([[600], [600], [700]], [[2000]], resources=["gpu_milli"])
    placement, row = place_with_gap(p, "ffd", "none", None, gpu_share="gpu_milli")
    assert placement.unplaced == (2,)
    assert (row.unplaced, row.objective, row.gap, row.bound) == (1, None, None, 1)


def test_given_bounds_are_used_and_must_match_the_objective():
    p = PackingProblem.from_bin_types([[3, 3], [2, 2], [4, 1]], type_capacities=[[5, 5], [10, 10]],
                                      type_counts=[3, 1], type_costs=[1, 3])
    b = lower_bounds(p, "cost")
    _, row = place_with_gap(p, "bfd", "max", "l2", objective="cost", bounds=b)
    assert row.bound == b.best
    bounds, rows = evaluate_heuristics(p, "cost", ["ffd-max"], bounds=b, engine="kernel")
    assert bounds is b and rows[0].bound == b.best
    with pytest.raises(PackingError, match="bounds are for objective 'cost', expected 'bins'"):
        place_with_gap(p, bounds=b)


def test_lp_runs_only_within_lp_max_pairs():
    p = PackingProblem.identical([[3, 3], [2, 2], [4, 1]], capacity=[5, 5])   # 3 item-class pairs
    b, _ = evaluate_heuristics(p, names=[], engine="kernel")
    assert b.lp is not None and LP_MAX_PAIRS >= 3
    b, _ = evaluate_heuristics(p, names=[], engine="kernel", lp_max_pairs=2)
    assert b.lp is None
    b, _ = evaluate_heuristics(p, names=[], lp=False)
    assert b.lp is None


def test_bad_arguments():
    p = PackingProblem([[1]], [[1]])
    with pytest.raises(PackingError, match="invalid engine 'gpu'"):
        evaluate_heuristics(p, engine="gpu")
    with pytest.raises(PackingError, match="gpu_share needs engine='kernel'"):
        evaluate_heuristics(p, gpu_share="r0")
    with pytest.raises(PackingError, match="unknown heuristic 'wfd'"):
        evaluate_heuristics(p, names=["wfd"], engine="kernel")
    with pytest.raises(PackingError, match="invalid algorithm 'wf'"):
        place_with_gap(p, "wf")
    with pytest.raises(PackingError, match="invalid objective"):
        place_with_gap(p, objective="nodes")


def test_markdown_table():
    p = PackingProblem.identical([[6], [6]], capacity=[10])
    _, rows = evaluate_heuristics(p, names=["ffd-max"], engine="kernel", clock=iter([0.0, 0.5]).__next__)
    assert rows[0].seconds == 0.5
    assert markdown_table(rows).splitlines()[2] == "| ffd-max | 2 | 2 | 0.00% | 0 | 0.5000 |"
