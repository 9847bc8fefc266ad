"""The Cython batch-placement kernel (kubekit/_fast/_pack.pyx) against its
plain-Python twins: the reference heuristics (heuristics.py) for vector
problems, and batch.reference_place for the GPU-share model.  Every algorithm,
order and fit, on generated problems, with the candidate cache off, tiny
(so its threshold, overflow and log-gap paths run) and at its default."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.packing import (
    FITS, ORDERS, PackingError, PackingProblem, best_fit_decreasing, check_assignment, first_fit_decreasing,
    item_order,
)
from kubekit.packing.batch import (
    ALGORITHMS, GPU_MILLI, batch_item_order, default_cache_size, place, prepare, reference_place,
)
from packing_gen import problems

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RUNS = [("ffd", None)] + [("bfd", f) for f in FITS]
CACHES = (0, 2, None)


def reference(p: PackingProblem, alg: str, order: str, fit: str | None):
    return first_fit_decreasing(p, order) if alg == "ffd" else best_fit_decreasing(p, order, fit)


def same(a, b) -> None:
    assert a.name == b.name
    assert a.assignment.tolist() == b.assignment.tolist()
    assert (a.bins_used, a.cost, a.unplaced) == (b.bins_used, b.cost, b.unplaced)


def assert_kernel_matches_reference(p: PackingProblem, caches=CACHES, **kw) -> None:
    preps = [prepare(p, cache=c, **kw) for c in caches]
    for order in ORDERS:
        for alg, fit in RUNS:
            ref = reference(p, alg, order, fit)
            for prep in preps:
                got = prep.place(alg, order, fit)
                same(got, ref)
                check_assignment(p, got.assignment, complete=False)


@st.composite
def shaped_problems(draw, max_bins: int = 40, max_items: int = 160, big: bool | None = None, gpu: bool = False):
    """Larger problems built from a few bin and item shapes (so trees are
    several levels deep, many bins share a state and items repeat), with
    masks, costs and sometimes spread groups; ``big`` draws sizes up to
    2**62 (exact comparisons), ``gpu`` adds a GPU-share column."""
    dims = draw(st.integers(1, 4))
    big = draw(st.booleans()) if big is None else big
    top = 2**62 if big else 40
    n_bin_shapes = draw(st.integers(1, 4))
    bin_shapes = [draw(st.lists(st.integers(1, top), min_size=dims, max_size=dims)) for _ in range(n_bin_shapes)]
    m = draw(st.integers(1, max_bins))
    which = draw(st.lists(st.integers(0, n_bin_shapes - 1), min_size=m, max_size=m))
    caps = [list(bin_shapes[w]) for w in which]
    gpus = draw(st.lists(st.sampled_from([0, 1, 2, 4, 8]), min_size=m, max_size=m)) if gpu else None
    costs = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    n_groups = draw(st.integers(1, 3))
    allowed = [draw(st.lists(st.booleans(), min_size=m, max_size=m)) for _ in range(n_groups)]
    for row in allowed:
        row[draw(st.integers(0, m - 1))] = True
    n_item_shapes = draw(st.integers(1, 6))
    item_shapes = []
    for _ in range(n_item_shapes):
        g = draw(st.integers(0, n_groups - 1))
        b = draw(st.sampled_from([b for b in range(m) if allowed[g][b]]))
        div = draw(st.lists(st.integers(1, 8), min_size=dims, max_size=dims))
        zero = draw(st.lists(st.booleans(), min_size=dims, max_size=dims))
        row = [0 if z and draw(st.booleans()) else c // k for c, k, z in zip(caps[b], div, zero)]
        share = 0
        if gpu and gpus[b]:
            share = draw(st.sampled_from([0, 100, 250, 500, 700, 1000] + [1000 * k for k in (2, 4, 8) if k <= gpus[b]]))
        item_shapes.append((row, g, share))
    n = draw(st.integers(0, max_items))
    picks = draw(st.lists(st.integers(0, n_item_shapes - 1), min_size=n, max_size=n))
    demands = [list(item_shapes[k][0]) + ([item_shapes[k][2]] if gpu else []) for k in picks]
    groups = [item_shapes[k][1] for k in picks]
    if gpu:
        caps = [c + [1000 * g] for c, g in zip(caps, gpus)]
    spread = None
    if n and draw(st.integers(0, 3)) == 0:
        spread = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
    width = dims + (1 if gpu else 0)
    resources = tuple(f"r{r}" for r in range(dims)) + (("gpu_milli",) if gpu else ())
    try:
        return PackingProblem(demands if n else np.zeros((0, width), dtype=np.int64), caps, costs=costs,
                              allowed=allowed, item_groups=groups if n else None, spread=spread,
                              resources=resources)
    except PackingError:
        # a shape that fits no bin it may use, or more demand than capacity: draw again
        from hypothesis import reject
        reject()


# --- kernel == reference heuristics -----------------------------------------------------------

@SETTINGS
@given(problems(max_items=9, max_bins=5))
def test_kernel_matches_reference_on_small_problems(p):
    assert_kernel_matches_reference(p)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems())
def test_kernel_matches_reference_on_shaped_problems(p):
    assert_kernel_matches_reference(p, caches=(0, 1, 2, 3, None))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(big=True))
def test_kernel_matches_reference_on_huge_integers(p):
    assert_kernel_matches_reference(p, caches=(0, 2))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(), st.integers(1, 3), st.integers(0, 4))
def test_cache_slot_collisions_and_log_limits_change_nothing(p, slots, log):
    assert_kernel_matches_reference(p, caches=(2, 3), cache_slots=slots, cache_log=log)


@st.composite
def tie_problems(draw):
    """Identical bins of huge capacity (one resource slightly smaller, so the
    weights w_r = lcm(C) / C_r need several 64-bit limbs) and items that are
    permutations of one vector: bins whose residuals are permutations of one
    another tie, or nearly, and only exact arithmetic orders them."""
    dims = draw(st.integers(2, 6))
    cap = draw(st.integers(2**58, 2**62))
    caps_row = [cap - draw(st.sampled_from([0, 1, 12345]))] + [cap] * (dims - 1)
    m = draw(st.integers(2, 12))
    base = draw(st.lists(st.integers(cap // 40, cap // 5), min_size=dims, max_size=dims))
    n = draw(st.integers(1, 40))
    perms = draw(st.lists(st.permutations(list(range(dims))), min_size=n, max_size=n))
    demands = [[base[j] for j in perm] for perm in perms]
    try:
        return PackingProblem(demands, [caps_row] * m)
    except PackingError:
        from hypothesis import reject
        reject()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tie_problems())
def test_kernel_matches_reference_on_exact_ties(p):
    assert_kernel_matches_reference(p, caches=(0, 2))


@SETTINGS
@given(problems(max_items=9, max_bins=5))
def test_batch_item_order_is_the_reference_order(p):
    for order in ORDERS:
        assert batch_item_order(p, order).tolist() == item_order(p, order).tolist()


@SETTINGS
@given(problems(max_items=9, max_bins=5))
def test_python_twin_without_gpu_is_the_reference(p):
    for order in ORDERS:
        for alg, fit in RUNS:
            same(reference_place(p, alg, order, fit), reference(p, alg, order, fit))


# --- the GPU-share model ---------------------------------------------------------------------

def gpu_shares_fit(shares: list[int], n_gpus: int) -> bool:
    """Whether shares (each a share of one GPU, or whole GPUs as 1000*k) can
    be laid on n_gpus GPUs of 1000 each: the independent check, by search."""
    whole = sum(s // GPU_MILLI for s in shares if s >= GPU_MILLI)
    parts = sorted((s for s in shares if 0 < s < GPU_MILLI), reverse=True)
    free = n_gpus - whole
    if free < 0:
        return False

    def place(k: int, left: tuple[int, ...]) -> bool:
        if k == len(parts):
            return True
        tried = set()
        for j, x in enumerate(left):
            if x >= parts[k] and x not in tried:
                tried.add(x)
                if place(k + 1, left[:j] + (x - parts[k],) + left[j + 1:]):
                    return True
        return False

    return place(0, (GPU_MILLI,) * free)


def check_gpu(p: PackingProblem, assignment, col: int) -> None:
    for b in np.unique(assignment[assignment >= 0]).tolist():
        shares = p.demands[assignment == b, col].tolist()
        assert gpu_shares_fit(shares, int(p.capacities[b, col]) // GPU_MILLI), (b, shares)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(shaped_problems(gpu=True, max_bins=25, max_items=100))
def test_gpu_share_kernel_matches_its_twin(p):
    col = p.resources.index("gpu_milli")
    preps = [prepare(p, gpu_share="gpu_milli", cache=c) for c in CACHES]
    for order in ORDERS:
        for alg, fit in RUNS:
            ref = reference_place(p, alg, order, fit, gpu_share="gpu_milli")
            check_assignment(p, ref.assignment, complete=False)
            check_gpu(p, ref.assignment, col)
            for prep in preps:
                same(prep.place(alg, order, fit), ref)


def test_gpu_share_takes_the_tightest_gpu_and_whole_gpus_need_free_ones():
    # one node with 2 GPUs (and a costlier spare), input order: 600 -> GPU0 (400 left), 500 -> GPU1
    # (500 left), 300 -> GPU0, the tighter (100 left), 450 -> GPU1 (50 left; had the 300 gone to GPU1,
    # no GPU would have 450 left), a whole GPU -> the spare node: no GPU of node 0 is wholly free
    p = PackingProblem([[1, 600], [1, 500], [1, 300], [1, 450], [1, 1000]], [[10, 2000], [10, 2000]],
                       costs=[1, 5], resources=("cpu", "gpu_milli"))
    for alg, fit in RUNS:
        assert place(p, alg, "none", fit, gpu_share="gpu_milli").assignment.tolist() == [0, 0, 0, 0, 1]
        assert reference_place(p, alg, "none", fit, gpu_share="gpu_milli").assignment.tolist() == [0, 0, 0, 0, 1]


def test_gpu_share_is_per_gpu_not_a_total():
    # 600 + 500 + 300 leave 600 in total on node 0, but 100 and 500 per GPU: a 600 share needs node 1
    p = PackingProblem([[1, 600], [1, 500], [1, 300], [1, 600]], [[10, 2000], [10, 2000]],
                       resources=("cpu", "gpu_milli"))
    assert place(p, "ffd", "none", gpu_share="gpu_milli").assignment.tolist() == [0, 0, 0, 1]
    assert place(p, "ffd", "none").assignment.tolist() == [0, 0, 0, 0]       # the plain vector model
    same(place(p, "ffd", "none"), first_fit_decreasing(p, "none"))


def test_gpu_share_errors_name_the_bad_input():
    p = PackingProblem([[1, 1500]], [[1, 2000]], resources=("cpu", "gpu_milli"))
    with pytest.raises(PackingError, match=r"item 0 demands 1500 of gpu_milli"):
        place(p, gpu_share="gpu_milli")
    q = PackingProblem([[1, 500]], [[1, 2500]], resources=("cpu", "gpu_milli"))
    with pytest.raises(PackingError, match=r"bin 0 has 2500 of gpu_milli.*multiple of 1000"):
        place(q, gpu_share="gpu_milli")
    with pytest.raises(PackingError, match=r"gpu_share names resource 'gpu'"):
        place(q, gpu_share="gpu")


# --- properties of the result ------------------------------------------------------------------

@SETTINGS
@given(problems(max_items=12, max_bins=6))
def test_placements_respect_capacity_masks_and_spread(p):
    prep = prepare(p, cache=2)
    for order in ORDERS:
        for alg, fit in RUNS:
            r = prep.place(alg, order, fit)
            check_assignment(p, r.assignment, complete=False)
            used = np.unique(r.assignment[r.assignment >= 0])
            assert r.bins_used == len(used) and r.cost == int(p.costs[used].sum())
            assert r.unplaced == tuple(np.flatnonzero(r.assignment < 0).tolist())


def test_spread_groups_are_supported():
    p = PackingProblem.identical([[1]] * 4, [10], n_bins=4, spread=[0, 0, 0, -1])
    for alg, fit in RUNS:
        r = place(p, alg, "max", fit)
        assert len(set(r.assignment[:3].tolist())) == 3
        same(r, reference(p, alg, "max", fit))


def test_prepared_problem_runs_many_times_from_empty_bins():
    p = PackingProblem.identical([[3, 1], [2, 2], [4, 4], [1, 3]] * 5, [6, 6])
    prep = prepare(p)
    first = prep.place("bfd", "sum", "l2")
    for alg, fit in RUNS:
        prep.place(alg, "max", fit)
    same(prep.place("bfd", "sum", "l2"), first)
    stats = prep.stats
    assert stats["opened"] == first.bins_used and stats["index_bytes"] > 0


def test_cache_answers_repeated_shapes_without_searching():
    p = PackingProblem.identical([[1, 1]] * 200, [10, 10], n_bins=40)
    prep = prepare(p, cache=4)
    prep.place("bfd", "max", "dot")
    assert prep.stats["cache_hits"] > prep.stats["searches"]
    same(prep.place("bfd", "max", "dot"), best_fit_decreasing(p, "max", "dot"))


def test_exact_comparisons_decide_float_ties():
    # the first two items need a bin each; the third fits both, whose scores for it tie exactly or differ
    # by a few units in 2**63, far below what a double resolves: only exact arithmetic calls it as the twin
    c = 2**62 - 1
    exact = 0
    for a, b, d in ((2**61 + 1, 2**61 + 3, (5, 5)), (2**61 + 1, 2**61 + 2, (7, 11)), (2**61, 2**61 + 8, (3, 0))):
        p = PackingProblem([[a, b], [b, a], list(d)], [[c, c], [c - 1, c]], resources=("x", "y"))
        prep = prepare(p, cache=0)
        for order in ORDERS:
            for fit in FITS:
                same(prep.place("bfd", order, fit), best_fit_decreasing(p, order, fit))
                exact += prep.stats["exact_calls"]
    assert exact > 0


def test_default_cache_size_grows_with_the_cluster():
    assert [default_cache_size(n) for n in (10, 1_000, 10_000, 100_000, 10**6, 10**7)] == [16, 16, 32, 64, 128, 128]


def test_bad_arguments():
    p = PackingProblem([[1]], [[1]])
    with pytest.raises(PackingError, match="invalid algorithm 'wfd'"):
        place(p, "wfd")
    with pytest.raises(PackingError, match="invalid item order 'size'"):
        place(p, "ffd", "size")
    with pytest.raises(PackingError, match="invalid fit measure 'worst'"):
        place(p, "bfd", "max", "worst")
    assert ALGORITHMS == ("ffd", "bfd")
    # ffd ignores the fit measure (the reference has none)
    assert place(p, "ffd", "max", None).name == "ffd-max"


def test_empty_problems():
    p = PackingProblem(np.zeros((0, 2), dtype=np.int64), [[1, 1], [2, 2]])
    for alg, fit in RUNS:
        r = place(p, alg, "max", fit)
        assert r.assignment.shape == (0,) and r.bins_used == 0 and r.cost == 0


def test_packer_refuses_inconsistent_inputs():
    from kubekit._fast._pack import Packer

    def args(**over):
        a = dict(demand=[[1]], cap=[[1]], cost=[1], item_group=[0], spread=[-1], item_shape=[0], memo_off=[0],
                 gsig_ptr=[0, 1], gsig=[0], bin_sig=[0], unused_order=[0], inv_c=[1.0], inv_c2=[1.0],
                 big_u=np.ones((1, 1), dtype=np.uint64), allowed=np.ones((1, 1), dtype=bool))
        a.update(over)
        return a

    Packer(**args()).run([0], 1)
    with pytest.raises(ValueError, match="gsig does not match the allowed mask"):
        Packer(**args(allowed=np.zeros((1, 1), dtype=bool)))
    with pytest.raises(ValueError, match="item_group out of range"):
        Packer(**args(item_group=[3]))
    with pytest.raises(ValueError, match="permutation"):
        Packer(**args()).run([1], 1)
    with pytest.raises(ValueError, match="unknown fit id"):
        Packer(**args()).run([0], 7)
    with pytest.raises(ValueError, match="must share their demand row"):
        Packer(**args(demand=[[1], [0]], item_group=[0, 0], spread=[-1, -1], item_shape=[0, 0]))
