"""The table scan (``_sched.scan(..., use_table=True)`` and ``_sched.place``)
and its scoring shortcuts equal the per-node kernel and the Python twins.

The per-node kernel (``use_table=False``) is itself checked against the
plain-Python plugins by ``test_equivalence.py``; here the constraint tables,
the candidate-only scan, the in-kernel choice and the division-free score
arithmetic are compared with it on generated clusters, pods and profiles
whose scoring is over cpu and memory (the profiles the table scan serves).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generators import node_manifest, scenario
from kubekit import Node, Pod, Scheduler
from kubekit._fast import _sched
from kubekit.scheduler.compile import score_columns, with_requests
from kubekit.scheduler.plugins.scoring import balanced_score, least_requested_score, most_requested_score

FEAS, FIT, DEAD = _sched.STATUS_FEASIBLE, _sched.STATUS_FIT, _sched.STATUS_DEAD
PROFILE = "default-scheduler"
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def cpu_mem_config(draw):
    """None (the default profile) or a profile scoring cpu and memory only."""
    if draw(st.booleans()):
        return None
    ss = {"type": draw(st.sampled_from(["LeastAllocated", "MostAllocated"])),
          "resources": [{"name": "cpu", "weight": draw(st.integers(1, 5))},
                        {"name": "memory", "weight": draw(st.integers(1, 5))}]}
    profile: dict = {"schedulerName": PROFILE, "pluginConfig": [{"name": "NodeResourcesFit", "args": {"scoringStrategy": ss}}]}
    if draw(st.integers(0, 2)) == 0:
        profile["plugins"] = {"score": {"enabled": [
            {"name": name, "weight": draw(st.integers(-3, 5))}
            for name in draw(st.lists(st.sampled_from(["NodeResourcesFit", "NodeResourcesBalancedAllocation",
                                                       "TaintToleration", "NodeAffinity"]), max_size=3, unique=True))
        ]}}
    return {"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration", "profiles": [profile]}


def _build(sc, config):
    s = Scheduler(config, seed=sc["seed"])
    for m in sc["nodes"]:
        s.add_node(Node.from_manifest(m))
    for m, node in sc["existing"]:
        s.assume(Pod.from_manifest(m), node)
    return s


def _scan(s, fp, use_table):
    eng = s.engine
    fc = eng.packed.fast()
    n = fc.n_slots
    out = (np.empty(n, np.uint8), np.full(n, 7, np.uint64), np.full(n, -7, np.int32), np.full((n, 7), -9, np.int64))
    r = _sched.scan(fc, fp, *out, 0, -1, eng.n_used, use_table)
    return (r, *out)


def _assert_same(a, b):
    """Equal results where the scan's contract defines them."""
    (ra, sa, fa, da, ca), (rb, sb, fb, db, cb) = a, b
    assert ra == rb
    assert np.array_equal(sa, sb)
    fit = sa == FIT
    assert np.array_equal(fa[fit], fb[fit])
    rejected = (sa != FEAS) & (sa != DEAD)
    assert np.array_equal(da[rejected], db[rejected])
    feasible = sa == FEAS
    assert np.array_equal(ca[feasible], cb[feasible])


@settings(max_examples=200, **SETTINGS)
@given(scenario(max_nodes=10, max_pods=8), cpu_mem_config())
def test_table_scan_equals_node_by_node(sc, config):
    s = _build(sc, config)
    plan = s._profiles[PROFILE].plan
    for m in sc["pods"]:
        pod = Pod.from_manifest(m)
        _, fp = s.engine.compiled(PROFILE, plan, pod)
        _assert_same(_scan(s, fp, True), _scan(s, fp, False))


@settings(max_examples=150, **SETTINGS)
@given(scenario(max_nodes=10, max_pods=8), cpu_mem_config(), st.integers(0, 2**64 - 1))
def test_place_chooses_as_scan_and_pick(sc, config, seed):
    """place(): the same scan (once completed), the k-th best node in slot
    order for the same draw, the same generator state after, and the bind."""
    s = _build(sc, config)
    eng = s.engine
    plan = s._profiles[PROFILE].plan
    for m in sc["pods"]:
        pod = Pod.from_manifest(m)
        _, fp = eng.compiled(PROFILE, plan, pod)
        want = _scan(s, fp, False)
        nfeas, _, _, best, nbest = want[0]
        ref = _sched.Rng(seed)
        slot = -1
        if nbest:
            k = ref.below(nbest) if nbest > 1 else 0
            slot = _sched.pick_nth_best(want[1], want[4], best, k)
        for use_table in (False, True):
            buf = eng.scan_buffers()
            rng = _sched.Rng(seed)
            r = _sched.place(eng.packed.fast(), fp, buf, rng, 0, -1, eng.n_used, use_table, False)
            buf.complete()
            assert r == (*want[0][:5], slot)
            assert rng.state == ref.state
            _assert_same((want[0], buf.status, buf.fitbits, buf.detail, buf.scores), want)
        if slot >= 0:
            used = eng.packed.used[slot].copy()
            r = _sched.place(eng.packed.fast(), fp, eng.scan_buffers(), _sched.Rng(seed), 0, -1, eng.n_used, True, True)
            assert r[5] == slot
            assert np.array_equal(eng.packed.used[slot], used + fp_requests(eng, pod))
        seed = (seed * 6364136223846793005 + 1) % 2**64


def fp_requests(eng, pod):
    req = np.zeros(eng.packed.used.shape[1], np.int64)
    for r, q in pod.requests.items():
        c = eng.packed.res_col.get(r)
        if c is not None:
            req[c] = q
    return req


@settings(max_examples=100, **SETTINGS)
@given(scenario(max_nodes=8, max_pods=5), cpu_mem_config(), st.data())
def test_tables_follow_node_changes(sc, config, data):
    """A table built before update_node / remove_node / add_node is rebuilt
    (the cluster's stamp moved), so the table scan still equals the per-node one."""
    s = _build(sc, config)
    plan = s._profiles[PROFILE].plan
    pods = [Pod.from_manifest(m) for m in sc["pods"]]
    for p in pods:
        _scan(s, s.engine.compiled(PROFILE, plan, p)[1], True)
    names = s.node_names
    for name in data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        s.update_node(Node.from_manifest(data.draw(node_manifest(name))))
    if len(names) > 1 and data.draw(st.booleans()):
        s.remove_node(names[0])
    if data.draw(st.booleans()):
        s.add_node(Node.from_manifest(data.draw(node_manifest("late"))))
    for p in pods:
        _, fp = s.engine.compiled(PROFILE, plan, p)
        _assert_same(_scan(s, fp, True), _scan(s, fp, False))


@settings(max_examples=100, **SETTINGS)
@given(scenario(max_nodes=6, max_pods=6))
def test_specialize_req_equals_specialize(sc):
    """with_requests without columns (FastPod.specialize_req, the columns kept
    by compile_constraints) compiles the same pod as with them (specialize)."""
    s = _build(sc, sc["config"])
    eng = s.engine
    plan = s._profiles[PROFILE].plan
    for m in sc["pods"]:
        pod = Pod.from_manifest(m)
        _, compiled = eng.compiled(PROFILE, plan, pod)
        base = compiled.base
        a = with_requests(base, eng.packed, plan, pod)
        b = with_requests(base, eng.packed, plan, pod, score_columns(eng.packed, plan))
        assert a.fast_path == b.fast_path == compiled.fast_path
        assert a.scores_balanced == b.scores_balanced
        _assert_same(_scan(s, a, False), _scan(s, b, False))
        _assert_same(_scan(s, a, True), _scan(s, compiled, False))


BIG = 2**45 - 1


@st.composite
def quotient_cases(draw):
    """(x, d) with 0 <= x <= d < 2**45, often with 100 * x a multiple of d
    (the case a reciprocal multiply gets one too low)."""
    d = draw(st.one_of(st.integers(1, 10**6), st.integers(1, BIG), st.sampled_from([1, 3, 7, 100, 2**32, BIG, BIG - 1])))
    if draw(st.booleans()):
        q = draw(st.integers(0, 100))
        if (q * d) % 100 == 0:
            return q * d // 100, d
    return draw(st.integers(0, d)), d


@given(quotient_cases())
@example((0, 1))
@example((BIG, BIG))
@example((3, 3))
def test_mul100_div_small_matches_go(case):
    x, d = case
    assert _sched.mul100_div_small(x, d) == most_requested_score(x, d) == x * 100 // d
    assert _sched.mul100_div_small(d - x, d) == least_requested_score(x, d)


@st.composite
def balanced_cases(draw):
    """(requested, allocatable) of cpu and memory, often with equal fractions
    or fractions 2k/100 apart (an integer score, where the division-free
    estimate must fall back to dividing), and over-committed ones."""
    a0 = draw(st.one_of(st.integers(1, 10**5), st.integers(1, 2**50)))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        m = draw(st.integers(1, 1000))
        n0 = draw(st.integers(0, a0))
        return n0, a0, n0 * m, a0 * m
    if kind == 1:
        t = draw(st.integers(1, 10**9))
        j = draw(st.integers(0, 50))
        n1 = draw(st.integers(0, 100 * t - 2 * j * t))
        return n1 + 2 * j * t, 100 * t, n1, 100 * t
    a1 = draw(st.one_of(st.integers(1, 10**5), st.integers(1, 2**50)))
    hi = 2 if kind == 3 else 1
    return draw(st.integers(0, hi * a0)), a0, draw(st.integers(0, hi * a1)), a1


@given(balanced_cases())
@example((0, 1, 0, 1))
@example((1, 1, 0, 1))
@example((500, 1000, 500, 1000))
@example((3, 3, 1, 3))
def test_balanced_cm_matches_go(case):
    n0, a0, n1, a1 = case
    assert _sched.balanced_cm(n0, a0, n1, a1) == balanced_score([n0, n1], [a0, a1])


def test_constraint_tables_are_capped_and_counted():
    """At most max_tables constraint tables are kept (least recently used
    first out), and cache_bytes counts them."""
    nodes = [Node.simple(f"n{i}", cpu="4", memory="8Gi", labels={"zone": f"z{i % 5}"}) for i in range(20)]
    s = Scheduler(nodes=nodes)
    eng = s.engine
    eng.max_tables = 2
    pods = [Pod.simple(f"p{z}-{i}", cpu=f"{100 + i}m", memory="64Mi", node_selector={"zone": f"z{z}"})
            for z in range(4) for i in range(3)]
    for p in pods:
        r = s.schedule(p)
        assert r.node is not None
        s.assume(p, r.node)
    assert len(eng._tables) == 2
    assert all(b.constraint_table_bytes > 0 for b in eng._tables.values())
    assert eng.cache_bytes() >= sum(b.constraint_table_bytes for b in eng._tables.values())
    twin = Scheduler(nodes=nodes, engine="twin")
    for p in pods:
        twin.assume(p, twin.schedule(p).node)
    assert [s.node_of(p) for p in pods] == [twin.node_of(p) for p in pods]
