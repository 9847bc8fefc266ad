"""PackingProblem: construction, validation messages, helpers."""

from __future__ import annotations

import numpy as np
import pytest

from kubekit.errors import KubekitError
from kubekit.packing import PackingError, PackingProblem, check_assignment, objective_value


def test_arrays_are_int64_read_only_copies():
    d = np.array([[1, 2], [3, 4]])
    p = PackingProblem(d, [[9, 9]], resources=["cpu", "mem"])
    assert p.demands.dtype == np.int64 and not p.demands.flags.writeable
    d[0, 0] = 99
    assert p.demands[0, 0] == 1
    assert p.costs.tolist() == [1] and p.spread.tolist() == [-1, -1]
    assert p.allowed.shape == (1, 1) and p.item_groups.tolist() == [0, 0]
    assert (p.n_items, p.n_bins, p.n_resources) == (2, 1, 2)


def test_packing_error_is_a_kubekit_value_error():
    assert issubclass(PackingError, KubekitError) and issubclass(PackingError, ValueError)


@pytest.mark.parametrize("kwargs, message", [
    (dict(demands=[[1, -2]], capacities=[[5, 5]], resources=["cpu", "mem"]),
     "item 0 has a negative demand of mem: -2"),
    (dict(demands=[[1, 2]], capacities=[[5, 5], [5, -1]]), "bin 1 has a negative capacity of r1: -1"),
    (dict(demands=[[1.5, 2]], capacities=[[5, 5]]), "demands must hold integers, got float64"),
    (dict(demands=[[True]], capacities=[[5]]), "demands must hold integers, got bool"),
    (dict(demands=[1, 2], capacities=[[5, 5]]), "demands must be a 2-D array (items × resources), got shape (2,)"),
    (dict(demands=[[1, 2]], capacities=[[5, 5, 5]]), "capacities have 3 resources per bin but demands have 2"),
    (dict(demands=[[2**70]], capacities=[[5]]), "demands: a value does not fit in int64"),
    (dict(demands=[[1]], capacities=[[5]], costs=[-3]), "bin 0 has a negative cost: -3"),
    (dict(demands=[[1]], capacities=[[5]], costs=[1, 2]), "costs has 2 entries for 1 bins"),
    (dict(demands=[[1]], capacities=[[5]], resources=["a", "b"]), "resources names 2 resources but demands have 1"),
    (dict(demands=[[6, 1]], capacities=[[5, 5], [4, 9]], resources=["cpu", "mem"]),
     "item 0 fits no bin: demand (cpu=6, mem=1) exceeds every allowed bin (2 of 2): cpu 6 > 5"),
    (dict(demands=[[5, 5]], capacities=[[9, 4], [4, 9]]),
     "item 0 fits no bin: demand (r0=5, r1=5) exceeds every allowed bin (2 of 2): no single allowed bin has "
     "enough of every resource at once"),
    (dict(demands=[[1], [1]], capacities=[[5], [5]], allowed=[[True, True], [False, False]], item_groups=[0, 1]),
     "item 1 fits no bin: its feasibility group 1 allows no bin (demand r0=1)"),
    (dict(demands=[[1], [3]], capacities=[[5], [2]], allowed=[[True, True], [False, True]]),
     "item 1 fits no bin: demand (r0=3) exceeds every allowed bin (1 of 2): r0 3 > 2"),
    (dict(demands=[[1]], capacities=np.zeros((0, 1), dtype=np.int64)), "item 0 fits no bin: there are no bins"),
    (dict(demands=[[1]], capacities=[[5]], allowed=[[True, False]]), "allowed must have shape (groups, 1 bins)"),
    (dict(demands=[[1]], capacities=[[5]], allowed=[[True]], item_groups=[2]),
     "item 0 is in feasibility group 2, expected 0..0"),
    (dict(demands=[[1]], capacities=[[5]], item_groups=[0]), "item_groups given without an allowed mask"),
    (dict(demands=[[1]], capacities=[[5]], allowed=[[0.5]]), "allowed must be a boolean mask"),
    (dict(demands=[[1], [1], [1]], capacities=[[5], [5]], spread=[4, 4, 4]),
     "spread group 4 has 3 items but there are only 2 bins"),
    (dict(demands=[[1]], capacities=[[5]], spread=[-2]), "item 0 has spread group -2, expected -1 (none) or >= 0"),
    (dict(demands=[[3], [3]], capacities=[[4], [1]]),
     "the items demand 6 of r0 in total but all 2 bins together have only 5: no placement exists"),
    (dict(demands=[[1]], capacities=[[5]], item_names=["a", "b"]), "item_names has 2 names for 1 items"),
])
def test_validation_names_the_bad_input(kwargs, message):
    with pytest.raises(PackingError) as exc:
        PackingProblem(**kwargs)
    assert message in str(exc.value)


def test_item_names_appear_in_messages():
    with pytest.raises(PackingError, match=r"item 1 \('web-1'\) has a negative demand of r0: -1"):
        PackingProblem([[1], [-1]], [[5]], item_names=["web-0", "web-1"])


def test_per_item_mask_without_groups():
    p = PackingProblem([[1], [1]], [[5], [5]], allowed=[[True, False], [False, True]])
    assert p.item_groups.tolist() == [0, 1]
    assert p.candidate_bins(0).tolist() == [0] and p.candidate_bins(1).tolist() == [1]


def test_bin_classes_group_identical_bins_by_capacity_cost_and_mask():
    p = PackingProblem([[1, 1]], [[4, 4], [8, 8], [4, 4], [4, 4], [4, 4]], costs=[1, 2, 1, 1, 3],
                       allowed=[[True, True, True, False, True]], item_groups=[0])
    # bins 0 and 2 are identical; 3 differs by mask, 4 by cost, 1 by capacity
    assert p.bin_class.tolist() == [0, 1, 0, 2, 3]
    assert p.class_representatives().tolist() == [0, 1, 3, 4]


def test_identical_and_from_bin_types():
    p = PackingProblem.identical([[1, 2], [3, 4]], capacity=[5, 6])
    assert p.n_bins == 2 and p.capacities.tolist() == [[5, 6], [5, 6]] and p.identical_bins()
    q = PackingProblem.from_bin_types([[1], [2]], type_capacities=[[4], [8]], type_counts=[2, 1], type_costs=[3, 5],
                                      type_names=["small", "big"], type_allowed=[[True, False], [True, True]],
                                      item_groups=[0, 1])
    assert q.bin_names == ("small-0", "small-1", "big-0")
    assert q.costs.tolist() == [3, 3, 5] and q.allowed.tolist() == [[True, True, False], [True, True, True]]
    with pytest.raises(PackingError, match="bin type 1 has a negative count: -1"):
        PackingProblem.from_bin_types([[1]], [[4], [8]], [2, -1])
    with pytest.raises(PackingError, match="n_bins must be a non-negative integer"):
        PackingProblem.identical([[1]], [4], n_bins=-1)


def test_empty_problem_is_valid():
    p = PackingProblem(np.zeros((0, 2), dtype=np.int64), [[1, 1]])
    assert p.n_items == 0
    check_assignment(p, np.zeros(0, dtype=np.int64))


@pytest.mark.parametrize("assignment, message", [
    ([0, 0, 1], "bin 0 is over capacity in r0: 6 > 5"),
    ([1, -1, 0], "item 1 is not placed"),
    ([0, 1, 2], "item 2 is assigned to bin 2, expected -1..1"),
    ([0, 1], "assignment has shape (2,), expected (3,)"),
])
def test_check_assignment(assignment, message):
    p = PackingProblem([[3], [3], [2]], [[5], [5]])
    with pytest.raises(PackingError) as exc:
        check_assignment(p, np.array(assignment))
    assert message in str(exc.value)


def test_check_assignment_mask_and_spread():
    p = PackingProblem([[1], [1]], [[5], [5]], allowed=[[True, False], [True, True]], spread=[0, 0])
    check_assignment(p, np.array([0, 1]))
    with pytest.raises(PackingError, match="item 0 is on bin 1, which its feasibility group 0 does not allow"):
        check_assignment(p, np.array([1, 0]))
    with pytest.raises(PackingError, match="items 0 and 1 of spread group 0 share bin 0"):
        check_assignment(p, np.array([0, 0]))
    check_assignment(p, np.array([0, -1]), complete=False)


def test_objective_value():
    p = PackingProblem([[1], [1], [1]], [[5], [5], [5]], costs=[4, 2, 7])
    a = np.array([2, 1, 2])
    assert objective_value(p, a, "bins") == 2 and objective_value(p, a, "cost") == 9
    with pytest.raises(PackingError, match="invalid objective 'money'"):
        objective_value(p, a, "money")
