"""The vectorized table scan (``_sched.place`` on a processor with AVX-512,
``kubekit/_fast/_scanvec.h``) equals the scalar table scan, the per-node
kernel and the Python twin.

Its lanes compute the cpu/memory scores with double arithmetic that is exact
only for allocatable below 2**45 and BalancedAllocation values away from an
integer; everything else is flagged and recomputed by the scalar kernel.  The
clusters here are built to hit those edges: zero and huge allocatable (near,
at and beyond 2**45, beyond 2**53), over-committed nodes, requests that make
scores exact integers, nodes the constraint filters or the fit filter
reject, and many equal nodes (ties).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit import Node, Pod, Scheduler
from kubekit._fast import _sched
from kubekit.api import Taint
from test_fast_paths import PROFILE, SETTINGS, _assert_same, _scan
E45 = 2**45

# cpu in millicores, memory in bytes
CPU_MILLI = [0, 1, 100, 999, 1000, 2000, 3000, 4000, 64000, E45 // 1000 * 1000 - 1000, E45 // 1000 * 1000,
             (E45 // 1000 + 1) * 1000, 2**53 // 1000 * 1000, 2**60 // 1000 * 1000]
MEM_BYTES = [0, 1, 2**20, 3 * 2**30, 8 * 2**30, 32 * 2**30, E45 - 1, E45, E45 + 1, 2**53 + 1, 2**62]


def _cpu(milli: int) -> str:
    return f"{milli}m"


@st.composite
def edge_node(draw, i):
    cpu = draw(st.one_of(st.sampled_from(CPU_MILLI), st.integers(0, 10**6)))
    mem = draw(st.one_of(st.sampled_from(MEM_BYTES), st.integers(0, 2**40)))
    taints = ()
    if draw(st.integers(0, 4)) == 0:
        taints = (Taint("dedicated", draw(st.sampled_from(["a", "b"])),
                        draw(st.sampled_from(["NoSchedule", "PreferNoSchedule"]))),)
    return Node.simple(f"n{i}", cpu=_cpu(cpu), memory=str(mem), pods=draw(st.integers(0, 4)), taints=taints,
                       labels={"zone": draw(st.sampled_from(["z1", "z2"]))})


@st.composite
def edge_pod(draw, i, nodes):
    """A pod whose requests are often a node's allocatable or a simple
    fraction of it (integer scores) or zero (best effort)."""
    def qty(alloc_list, small):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            return 0
        if kind == 1:
            a = draw(st.sampled_from(alloc_list))
            q = a * draw(st.sampled_from([1, 2, 3])) // draw(st.sampled_from([1, 2, 4, 5, 10, 100]))
            return min(q, 2**62)     # quantities the packed int64 arrays hold
        return draw(st.integers(0, small))
    cpu = qty([n.allocatable.get("cpu", 0) for n in nodes], 3000)
    mem = qty([n.allocatable.get("memory", 0) for n in nodes], 4 * 2**30)
    kw = {}
    if draw(st.integers(0, 3)) == 0:
        kw["node_selector"] = {"zone": draw(st.sampled_from(["z1", "z2"]))}
    return Pod.simple(f"p{i}", cpu=_cpu(cpu), memory=str(mem), **kw)


@st.composite
def edge_cluster(draw):
    n = draw(st.integers(1, 40))
    if draw(st.booleans()):     # many equal nodes: ties
        proto = draw(edge_node(0))
        nodes = [Node.simple(f"n{i}", cpu=_cpu(proto.allocatable.get("cpu", 0)),
                             memory=str(proto.allocatable.get("memory", 0)), pods=110) for i in range(n)]
    else:
        nodes = [draw(edge_node(i)) for i in range(n)]
    pods = [draw(edge_pod(i, nodes)) for i in range(draw(st.integers(1, 12)))]
    removed = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    return nodes, pods, removed, draw(st.integers(0, 2**32))


def _scheduler(nodes, removed, seed, engine="fast"):
    s = Scheduler(seed=seed, engine=engine)
    for node in nodes:
        s.add_node(node)
    for i in removed:
        if len(s.node_names) > 1:
            s.remove_node(nodes[i].name)
    return s


def _place(s, fp, seed, mode):
    eng = s.engine
    old = _sched.set_dense_scan(mode)
    try:
        buf = eng.scan_buffers()
        rng = _sched.Rng(seed)
        r = _sched.place(eng.packed.fast(), fp, buf, rng, 0, -1, eng.n_used, True, False)
        buf.complete()
        return r, rng.state, (r[:5], buf.status.copy(), buf.fitbits.copy(), buf.detail.copy(), buf.scores.copy())
    finally:
        _sched.set_dense_scan(old)


@settings(max_examples=300, **SETTINGS)
@given(edge_cluster())
def test_dense_scan_equals_table_scan_and_node_by_node(case):
    nodes, pods, removed, seed = case
    s = _scheduler(nodes, removed, seed)
    eng = s.engine
    plan = s._profiles[PROFILE].plan
    for pod in pods:
        _, fp = eng.compiled(PROFILE, plan, pod)
        want = _scan(s, fp, False)
        _assert_same(_scan(s, fp, True), want)
        nbest, ref = want[0][4], _sched.Rng(seed)      # the choice: the k-th best in slot order
        k = ref.below(nbest) if nbest > 1 else 0
        slot = _sched.pick_nth_best(want[1], want[4], want[0][3], k) if nbest else -1
        for mode in (_sched.DENSE_ALWAYS, _sched.DENSE_OFF, _sched.DENSE_AUTO):
            r, state, got = _place(s, fp, seed, mode)
            _assert_same(got, want)
            assert r[5] == slot
            assert state == (ref.state if nbest else seed)
            if mode == _sched.DENSE_ALWAYS:
                dense_r, dense_state = r, state
            else:
                assert (r, state) == (dense_r, dense_state)
        if dense_r[5] >= 0:     # bind there, so that later pods see a fuller node
            _sched.bind(eng.packed.fast(), fp, dense_r[5])
            eng.packed.log(dense_r[5])
        seed = (seed * 6364136223846793005 + 1) % 2**64


@settings(max_examples=100, **SETTINGS)
@given(edge_cluster())
def test_dense_scan_schedules_as_the_twin(case):
    """A whole queue: the same nodes, scores and failure reasons as the
    plain-Python engine."""
    nodes, pods, removed, seed = case
    old = _sched.set_dense_scan(_sched.DENSE_ALWAYS)
    try:
        fast = _scheduler(nodes, removed, seed)
        twin = _scheduler(nodes, removed, seed, engine="twin")
        assert fast.schedule_batch(pods).results == twin.schedule_batch(pods).results
    finally:
        _sched.set_dense_scan(old)


def test_dense_scan_modes():
    """On a processor with AVX-512 the table scans of place() take the
    vectorized path by default (the tests above then compare it); elsewhere
    every mode is DENSE_OFF."""
    old = _sched.set_dense_scan(_sched.DENSE_ALWAYS)
    try:
        want = _sched.DENSE_ALWAYS if _sched.DENSE_SCAN_AVAILABLE else _sched.DENSE_OFF
        assert _sched.set_dense_scan(_sched.DENSE_AUTO) == want
        with pytest.raises(ValueError):
            _sched.set_dense_scan(7)
    finally:
        _sched.set_dense_scan(old)
    assert old == (_sched.DENSE_AUTO if _sched.DENSE_SCAN_AVAILABLE else _sched.DENSE_OFF)


@pytest.mark.parametrize("dense", [_sched.DENSE_ALWAYS, _sched.DENSE_OFF])
def test_dense_scan_edges_by_hand(dense):
    """Zero, 2**45 - 1, 2**45 and 2**60 allocatable side by side, with a pod
    whose requests make exact-integer scores, on a cluster with free slots
    (a removed node) and a tainted node."""
    nodes = [
        Node.simple("zero-cpu", cpu="0", memory="8Gi", pods=10),
        Node.simple("below", cpu=_cpu(E45 // 1000 * 1000 - 1000), memory=str(E45 - 1), pods=10),
        Node.simple("at", cpu=_cpu(E45 // 1000 * 1000), memory=str(E45), pods=10),
        Node.simple("huge", cpu=_cpu(2**60 // 1000 * 1000), memory=str(2**62), pods=10),
        Node.simple("gone", cpu="4", memory="8Gi", pods=10),
        Node.simple("tainted", cpu="4", memory="8Gi", pods=10, taints=(Taint("k", "v", "NoSchedule"),)),
        Node.simple("even", cpu="4", memory="8Gi", pods=10),
        Node.simple("even2", cpu="4", memory="8Gi", pods=10),
    ]
    pods = [Pod.simple("best-effort", cpu="0", memory="0"), Pod.simple("half", cpu="2", memory="4Gi"),
            Pod.simple("quarter", cpu="1", memory="2Gi"), Pod.simple("full", cpu="4", memory="8Gi"),
            Pod.simple("too-big", cpu="5", memory="1Gi")]
    old = _sched.set_dense_scan(dense)
    try:
        fast = _scheduler(nodes, [4], 7)
        twin = _scheduler(nodes, [4], 7, engine="twin")
        # the first pods of a template scan without a table: repeat each
        got = [fast.schedule(p) for p in pods for _ in range(3)]
        want = [twin.schedule(p) for p in pods for _ in range(3)]
        assert got == want
        assert fast.schedule_batch(pods).results == twin.schedule_batch(pods).results
    finally:
        _sched.set_dense_scan(old)
