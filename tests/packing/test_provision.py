"""Provisioning: hand-checked node sets, bad input named, and properties —
every node set is valid, CP-SAT is never more expensive than the heuristic
that warm-started it, and the lower bound is never above a feasible set (nor
above the brute-force optimum on tiny requests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kubekit.packing import HEURISTICS, Status
from kubekit.packing.provision import (
    GREEDY_METHODS, NodeSet, ProvisionError, ProvisionRequest, _downsize, provision, provision_bound,
    provision_greedy,
)
from packing_gen import brute_force

FAST = dict(time_limit_s=2.0, workers=1)


def four_threes(**kw):
    """Four pods of 3 cpu; small (4 cpu, price 3) and big (12 cpu, price 8)."""
    return ProvisionRequest([[3]] * 4, [[4], [12]], [3, 8], kw.pop("max_counts", [10, 10]),
                            type_names=["small", "big"], resources=["cpu"], **kw)


@pytest.mark.parametrize("method, counts, cost", [
    ("price-fit", {"big": 1}, 8),     # price per packed size: small 3 / (3/12) = 12, big 8 / (12/12) = 8
    ("ffd-max", {"small": 4}, 12),    # opens the cheapest node each pod fits: a small per pod
    ("best", {"big": 1}, 8),
])
def test_price_per_fit_prefers_the_big_node(method, counts, cost):
    ns = provision_greedy(four_threes(), method)
    ns.verify()
    assert ns.counts() == counts and ns.cost == cost and ns.complete


def test_max_counts_limit_the_types():
    ns = provision_greedy(four_threes(max_counts=[10, 0]), "best")
    assert ns.counts() == {"small": 4} and ns.cost == 12
    assert [ns.pods_on(k) for k in range(4)] == [(0,), (1,), (2,), (3,)]
    assert provision_greedy(four_threes(max_counts=[2, 1]), "price-fit").counts() == {"big": 1}


@pytest.mark.parametrize("counts, expected", [
    ([2, 1, 1], (1, 2)),     # node 0 (4+1 = 5 > 3: not tiny) -> medium; node 1 (2) -> tiny
    ([2, 0, 1], (0, 2)),     # no medium: node 0 stays big; node 1 -> tiny
    ([2, 1, 0], (1, 0)),     # no tiny: node 0 takes the only medium, node 1 stays big
])
def test_downsizing_switches_nodes_to_cheaper_types(counts, expected):
    # types: big (12, price 8), medium (6, price 5), tiny (3, price 2)
    req = ProvisionRequest([[4], [1], [2]], [[12], [6], [3]], [8, 5, 2], counts,
                           type_names=["big", "medium", "tiny"])
    ns = NodeSet(request=req, method="x", node_types=(0, 0), assignment=np.array([0, 0, 1]), cost=16, unplaced=())
    out = _downsize(ns)
    out.verify()
    assert out.node_types == expected
    assert out.cost == sum((8, 5, 2)[t] for t in expected)


def test_masks_send_gpu_pods_to_gpu_nodes():
    # pods: cpu, gpu; types: cpu-node (8, 0, price 4), gpu-node (8, 4, price 20)
    req = ProvisionRequest([[2, 1], [2, 0], [2, 0], [2, 0]], [[8, 0], [8, 4]], [4, 20], [5, 5],
                           resources=["cpu", "gpu"], type_names=["cpu-node", "gpu-node"],
                           allowed=[[False, True], [True, True]], pod_groups=[0, 1, 1, 1])
    r = provision(req, **FAST)
    assert r.best.counts() == {"gpu-node": 1} and r.cost == 20 and r.status == Status.OPTIMAL
    assert r.best.pods_on(0) == (0, 1, 2, 3)


def test_spread_needs_distinct_nodes():
    req = ProvisionRequest([[1]] * 3, [[10]], [7], [5], spread=[0, 0, 0])
    r = provision(req, **FAST)
    assert r.best.n_nodes == 3 and r.cost == 21 and r.bound == 21 and r.status == Status.OPTIMAL


def test_cp_sat_beats_the_heuristic():
    # three pods of 5; A (10, price 9), B (15, price 12).  Cheapest-node-first ffd: A (5, 5) + A (5) = 18.
    req = ProvisionRequest([[5], [5], [5]], [[10], [15]], [9, 12], [3, 3], type_names=["A", "B"])
    r = provision(req, method="ffd-max", **FAST)
    assert r.heuristic.cost == 18 and r.heuristic.counts() == {"A": 2}   # cheapest-first: A (5,5) + A (5)
    assert r.best.counts() == {"B": 1} and r.cost == 12 and r.status == Status.OPTIMAL
    assert r.heuristic_excess == pytest.approx(0.5) and r.gap == 0.0 and r.heuristic_gap == pytest.approx(0.5)
    assert provision_greedy(req, "price-fit").cost == 12  # price per packed size: A 9/(10/15), B 12/(15/15)


def test_no_pods():
    req = ProvisionRequest(np.zeros((0, 2), dtype=np.int64), [[4, 4]], [3], [2])
    r = provision(req, **FAST)
    assert r.best.n_nodes == 0 and r.cost == 0 and r.bound == 0 and r.status == Status.OPTIMAL


def test_counts_too_small_for_a_masked_pod_set_is_infeasible():
    # both pods need type x (one node), together they do not fit it; y cannot take them
    req = ProvisionRequest([[3], [3]], [[4], [10]], [1, 1], [1, 1], allowed=[[True, False], [True, False]])
    r = provision(req, **FAST)
    assert not r.heuristic.complete and r.heuristic.unplaced == (1,)
    assert r.best is None and r.status == Status.INFEASIBLE and r.cost is None and r.gap is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(demands=[[5, 1]], type_capacities=[[4, 4], [8, 0]], type_prices=[1, 2], max_counts=[1, 1],
          type_names=["a", "b"], pod_names=["p0"], resources=["cpu", "gpu"]),
     r"pod 0 \('p0'\) fits no node type: 'a': cpu 5 > 4; 'b': gpu 1 > 0"),
    (dict(demands=[[1], [9]], type_capacities=[[4], [4]], type_prices=[1, 1], max_counts=[1, 0],
          allowed=[[True, True], [False, True]], type_names=["x", "y"]),
     r"pod 1 fits no node type: 'x': not allowed by the pod's selector/affinity/tolerations, r0 9 > 4; "
     r"'y': r0 9 > 4, max count 0"),
    (dict(demands=[[1]], type_capacities=[[0, 0]], type_prices=[1], max_counts=[1]),
     r"type_capacities have 2 resources per type but demands have 1"),
    (dict(demands=[[1]], type_capacities=[[0]], type_prices=[1], max_counts=[1]),
     r"node type 0 has zero capacity in every resource"),
    (dict(demands=[[1]], type_capacities=[[4]], type_prices=[0], max_counts=[1], type_names=["free"]),
     r"node type 'free' has price 0: expected a positive integer"),
    (dict(demands=[[1]], type_capacities=[[4]], type_prices=[-3], max_counts=[1]), r"node type 0 has price -3"),
    (dict(demands=[[1]], type_capacities=[[-4]], type_prices=[1], max_counts=[1]),
     r"node type 0 has a negative capacity of r0: -4"),
    (dict(demands=[[1]], type_capacities=[[4]], type_prices=[1], max_counts=[-1]),
     r"node type 0 has a negative max count: -1"),
    (dict(demands=[[-1]], type_capacities=[[4]], type_prices=[1], max_counts=[1]),
     r"pod 0 has a negative demand of r0: -1"),
    (dict(demands=[[1.5]], type_capacities=[[4]], type_prices=[1], max_counts=[1]), r"demands must hold integers"),
    (dict(demands=[[3], [3]], type_capacities=[[4]], type_prices=[1], max_counts=[1]),
     r"the pods demand 6 of r0 in total but all node types at their max counts provide only 4"),
    (dict(demands=[[1], [1]], type_capacities=[[4]], type_prices=[1], max_counts=[1], spread=[0, 0]),
     r"spread group 0 has 2 pods that need distinct nodes, but the node types allow only 1 nodes in all"),
    (dict(demands=[[1]], type_capacities=[[4]], type_prices=[1, 2], max_counts=[1]),
     r"type_prices has 2 entries for 1 node types"),
    (dict(demands=[[1]], type_capacities=[[4]], type_prices=[1], max_counts=[1], allowed=[[True], [True]]),
     r"allowed has 2 rows: without pod_groups it needs one row per pod \(1\)"),
    (dict(demands=[[1]], type_capacities=[[4], [4]], type_prices=[1, 1], max_counts=[1, 1], type_names=["a", "a"]),
     r"type_names has duplicates"),
])
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ProvisionError, match=message):
        ProvisionRequest(**kwargs)


def test_unknown_method():
    with pytest.raises(ProvisionError, match="unknown provisioning heuristic 'cheapest'"):
        provision_greedy(four_threes(), "cheapest")
    assert set(HEURISTICS) < set(GREEDY_METHODS)


def test_verify_catches_a_bad_node_set():
    req = four_threes()
    ns = provision_greedy(req)
    over = NodeSet(request=req, method="x", node_types=(0,), assignment=np.zeros(4, dtype=np.int64), cost=3,
                   unplaced=())
    with pytest.raises(ProvisionError, match=r"node 0 of type 'small' is over capacity in cpu: 12 > 4"):
        over.verify()
    wrong_cost = NodeSet(request=req, method="x", node_types=ns.node_types, assignment=ns.assignment, cost=1,
                         unplaced=())
    with pytest.raises(ProvisionError, match=r"cost 1 is not the sum of the node prices \(8\)"):
        wrong_cost.verify()


# -- properties ---------------------------------------------------------------------------

@st.composite
def requests(draw, max_pods: int = 6, max_types: int = 3):
    dims = draw(st.integers(1, 2))
    T = draw(st.integers(1, max_types))
    caps = [[draw(st.integers(1, 10)) for _ in range(dims)] for _ in range(T)]
    prices = [draw(st.integers(1, 20)) for _ in range(T)]
    counts = [draw(st.integers(0, 3)) for _ in range(T)]
    n = draw(st.integers(0, max_pods))
    use_mask = draw(st.booleans())
    demands, allowed = [], []
    for _ in range(n):
        row = [draw(st.booleans()) for _ in range(T)] if use_mask else [True] * T
        ok = [t for t in range(T) if row[t] and counts[t] > 0]
        assume(ok)
        t = draw(st.sampled_from(ok))
        demands.append([draw(st.integers(0, c)) for c in caps[t]])
        allowed.append(row)
    spread = [draw(st.sampled_from([-1, -1, 0])) for _ in range(n)] if draw(st.booleans()) else None
    try:
        return ProvisionRequest(np.array(demands, dtype=np.int64).reshape(n, dims), caps, prices, counts,
                                allowed=allowed if use_mask and n else None, spread=spread)
    except ProvisionError:
        assume(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), st.sampled_from(GREEDY_METHODS[:4]))
def test_heuristic_node_sets_are_valid_and_above_the_bound(req, method):
    ns = provision_greedy(req, method)
    ns.verify()
    if ns.complete:
        assert provision_bound(req) <= ns.cost
        assert provision_bound(req, lp=False) <= ns.cost


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(max_pods=5))
def test_cp_sat_is_never_more_expensive_than_its_warm_start(req):
    r = provision(req, **FAST)
    r.heuristic.verify()
    problem, _ = req.to_problem()
    optimum = brute_force(problem, "cost")
    if optimum is None:
        assert r.best is None and not r.heuristic.complete
        return
    assert r.bound <= optimum
    assert r.best is not None
    r.best.verify()
    assert r.best.complete and r.bound <= optimum <= r.cost
    if r.heuristic.complete:
        assert r.cost <= r.heuristic.cost and r.bound <= r.heuristic.cost
    if r.status == Status.OPTIMAL:
        assert r.cost == optimum
