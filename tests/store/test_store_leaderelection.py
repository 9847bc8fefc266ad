"""Leader election: client-go's tryAcquireOrRenew as a table, then
candidates racing on a store with a fake clock."""

from __future__ import annotations

import threading

import pytest

from kubekit.store import LeaderElector
from kubekit.store.leaderelection import LeaderRecord, Observation, decide, record_of

T = 1000.0
MINE = LeaderRecord("me", 15, T - 100, T - 5, 3)
THEIRS = LeaderRecord("them", 15, T - 100, T - 5, 3)
FREE = LeaderRecord("", 1, T - 100, T - 5, 3)


@pytest.mark.parametrize("current, observed, now, action, record", [
    pytest.param(None, None, T, "create", LeaderRecord("me", 15, T, T, 0), id="no lease: create it"),
    pytest.param(THEIRS, None, T, "none", None, id="first sight of a held lease: wait a full duration"),
    pytest.param(THEIRS, Observation(THEIRS, T - 14), T, "none", None, id="observed 14 s ago: still valid"),
    pytest.param(THEIRS, Observation(THEIRS, T - 15), T, "update", LeaderRecord("me", 15, T, T, 4),
                 id="observed unchanged for the duration: take over"),
    pytest.param(THEIRS, Observation(LeaderRecord("them", 15, T - 100, T - 30, 3), T - 30), T, "none", None,
                 id="renewed since we looked: the clock restarts"),
    pytest.param(MINE, Observation(MINE, T - 5), T, "update", LeaderRecord("me", 15, T - 100, T, 3),
                 id="ours: renew, keep acquireTime and transitions"),
    pytest.param(MINE, Observation(MINE, T - 60), T, "update", LeaderRecord("me", 15, T - 100, T, 3),
                 id="ours even if we were slow: still a renew"),
    pytest.param(FREE, None, T, "update", LeaderRecord("me", 15, T, T, 4), id="released: take it at once"),
])
def test_decide(current, observed, now, action, record):
    d = decide(current, observed, "me", 15, now)
    assert d.action == action and d.record == record
    if current is not None and (observed is None or observed.record != current):
        assert d.observed == Observation(current, now)


def test_one_leader_and_failover_on_a_fake_clock(api, clock):
    a = LeaderElector(api, "kube-system", "scheduler", "a", clock=clock)
    b = LeaderElector(api, "kube-system", "scheduler", "b", clock=clock)
    assert a.try_acquire_or_renew() and a.is_leader
    assert not b.try_acquire_or_renew() and not b.is_leader
    for _ in range(20):                       # a renews every 2 s: b never gets it
        clock.advance(2)
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()
    clock.advance(14)                         # a stops renewing
    assert not b.try_acquire_or_renew()
    clock.advance(1)
    assert b.try_acquire_or_renew() and b.is_leader
    lease = api.get("Lease", "kube-system", "scheduler")
    rec = record_of(lease)
    assert rec.holder == "b" and rec.transitions == 1 and rec.acquire_time == clock.now()
    assert lease["spec"]["renewTime"].endswith("Z") and "." in lease["spec"]["renewTime"]
    assert not a.try_acquire_or_renew() and not a.is_leader   # a learns it lost


def test_release_hands_over_at_once(api, clock):
    a = LeaderElector(api, "ns", "l", "a", clock=clock)
    b = LeaderElector(api, "ns", "l", "b", clock=clock)
    a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    assert a.release() and not a.is_leader
    assert not a.release()
    assert b.try_acquire_or_renew()


def test_racing_candidates_elect_exactly_one(api, clock):
    electors = [LeaderElector(api, "ns", "race", f"c{i}", clock=clock) for i in range(8)]
    won = []
    barrier = threading.Barrier(len(electors))

    def run(e):
        barrier.wait()
        if e.try_acquire_or_renew():
            won.append(e.identity)

    threads = [threading.Thread(target=run, args=(e,)) for e in electors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert record_of(api.get("Lease", "ns", "race")).holder == won[0]
