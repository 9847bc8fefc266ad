"""Kernel-level checks of kubekit/_fast/_sched.pyx against its Python twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit import Node, Pod, Scheduler
from kubekit.api import Taint
from kubekit._fast import _sched
from kubekit.scheduler.rng import PyRng


@given(st.integers(0, 2**64 - 1), st.lists(st.integers(1, 2**40), min_size=1, max_size=50))
def test_rng_matches_python_twin(seed, bounds):
    c, p = _sched.Rng(seed), PyRng(seed)
    for n in bounds:
        assert c.below(n) == p.below(n)
        assert c.next() == p.next()


def _cluster(n, seed):
    rng = np.random.default_rng(seed)
    nodes = []
    for i in range(n):
        taints = tuple(Taint("spot", str(int(rng.integers(0, 2))), "PreferNoSchedule") for _ in range(int(rng.integers(0, 2))))
        nodes.append(Node.simple(f"n{i}", cpu=str(int(rng.integers(1, 9))), memory=f"{int(rng.integers(1, 33))}Gi",
                                 pods=int(rng.integers(1, 20)), labels={"zone": f"z{i % 3}"}, taints=taints))
    return Scheduler(nodes=nodes, seed=seed)


PREFERRING = Pod.from_manifest({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "300m", "memory": "700Mi"}}}],
             "tolerations": [{"key": "spot", "operator": "Equal", "value": "1", "effect": "PreferNoSchedule"}],
             "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                 {"weight": 7, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}}]}}},
})


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**32), st.integers(1, 80))
def test_incremental_index_equals_scan(n, seed, binds):
    """After any sequence of binds the index's totals equal a full scan's,
    including the normalized TaintToleration and NodeAffinity parts (whose
    maxima move as nodes fill up and drop out)."""
    s = _cluster(n, seed)
    eng = s.engine
    rt = s._profiles["default-scheduler"]
    key, fp = eng.compiled("default-scheduler", rt.plan, PREFERRING)
    idx = eng.index(key, fp)
    out, totals, feas = (np.full(binds, -1, np.int64) for _ in range(3))
    done = idx.place_run(_sched.Rng(seed), binds, out, totals, feas)
    ev = eng.evaluate("default-scheduler", rt.plan, PREFERRING)
    used = eng.n_used
    want = np.where(ev.status[:used] == _sched.STATUS_FEASIBLE, ev.scores[:used, 6], _sched.NO_TOTAL_SCORE)
    assert np.array_equal(idx.totals()[:used], want)
    assert idx.n_feasible == ev.n_feasible
    # every placement respected capacity: the packed usage never exceeds allocatable
    p = eng.packed
    assert (p.used[:n] <= p.alloc[:n]).all()
    assert (p.npods[:n] <= p.maxpods[:n]).all()
    assert done == int((out >= 0).sum())


def test_scan_marks_every_slot():
    s = _cluster(10, 1)
    s.remove_node("n3")
    eng = s.engine
    rt = s._profiles["default-scheduler"]
    ev = eng.evaluate("default-scheduler", rt.plan, Pod.simple("p"))
    assert ev.status[3] == _sched.STATUS_DEAD
    assert ev.n_examined == 9
    assert ev.n_feasible == 9
