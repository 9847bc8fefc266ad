"""Zone states, rates, the token bucket and the rate-limited queue of the
node lifecycle controller's NoExecute tainting (``node_lifecycle_controller.go``,
``rate_limited_queue.go``, ``golang.org/x/time/rate``)."""

from __future__ import annotations

import pytest

from kubekit.controllers.nodelifecycle_zones import (
    FULL_DISRUPTION, INITIAL, NORMAL, PARTIAL_DISRUPTION, RateLimitedQueue, TokenBucket, compute_zone_state,
    disruption_decision, zone_key, zone_qps,
)

T, F, U = "True", "False", "Unknown"


@pytest.mark.parametrize("labels, key", [
    (None, ""), ({}, ""), ({"kubernetes.io/hostname": "n"}, ""),
    ({"topology.kubernetes.io/zone": "z1"}, ":\x00:z1"),
    ({"topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z1"}, "r:\x00:z1"),
    ({"failure-domain.beta.kubernetes.io/region": "r0", "failure-domain.beta.kubernetes.io/zone": "z0"}, "r0:\x00:z0"),
    ({"topology.kubernetes.io/zone": "z1", "failure-domain.beta.kubernetes.io/zone": "z0"}, ":\x00:z1"),
    ({"topology.kubernetes.io/region": "", "topology.kubernetes.io/zone": ""}, ""),
])
def test_zone_key(labels, key):
    assert zone_key(labels) == key


# (ready statuses, not ready, state): ComputeZoneState
ZONE_STATES = [
    ([], 0, NORMAL),
    ([T, T, T], 0, NORMAL),
    ([U], 1, FULL_DISRUPTION),
    ([F, U, U], 3, FULL_DISRUPTION),
    ([T, U, U], 2, NORMAL),                       # not more than 2 not ready
    ([T, T, U, U, U], 3, PARTIAL_DISRUPTION),     # 3/5 = 0.6 >= 0.55
    ([T, T, T, U, U, U], 3, NORMAL),              # 3/6 = 0.5
    ([T] * 9 + [U] * 11, 11, PARTIAL_DISRUPTION),   # 0.55 exactly, in float32
    ([T] * 10 + [U] * 11, 11, NORMAL),            # 0.5238
]


@pytest.mark.parametrize("statuses, not_ready, state", ZONE_STATES)
def test_compute_zone_state(statuses, not_ready, state):
    assert compute_zone_state(statuses) == (not_ready, state)


def test_zone_rates():
    assert zone_qps(NORMAL, 3) == zone_qps(FULL_DISRUPTION, 3) == zone_qps(INITIAL, 3) == 0.1
    assert zone_qps(PARTIAL_DISRUPTION, 50) == 0.0                # small zone: tainting stops
    assert zone_qps(PARTIAL_DISRUPTION, 51) == 0.01               # large zone: the secondary rate


def test_the_token_bucket_starts_full_and_refills_at_qps():
    b = TokenBucket(0.1)
    assert b.try_accept(100.0)
    assert not b.try_accept(100.0) and not b.try_accept(109.9)
    assert b.ready_at(105.0) == pytest.approx(110.0)
    assert b.try_accept(110.0)
    assert not b.try_accept(115.0)                # a refused try changes nothing
    assert b.try_accept(120.0)
    never = TokenBucket(0.0)
    assert not never.try_accept(0.0) and never.ready_at(0.0) is None


def test_the_queue_releases_one_node_per_token_and_remembers_who_left():
    q = RateLimitedQueue(0.1)
    tainted = []

    def taint(name):
        tainted.append(name)
        return True, 0.0
    assert q.add("a", 0.0) and q.add("b", 0.0) and not q.add("a", 1.0)
    q.try_(taint, 0.0)
    assert tainted == ["a"] and len(q) == 1
    assert not q.add("a", 1.0)                     # taken out, still known: not queued again
    q.try_(taint, 5.0)
    assert tainted == ["a"] and q.next_try(5.0) == pytest.approx(10.0)
    q.try_(taint, 10.0)
    assert tainted == ["a", "b"] and q.next_try(10.0) is None
    assert q.remove("a") is False and q.add("a", 11.0)   # forgotten: may come back
    q.try_(taint, 19.0)
    assert tainted == ["a", "b"]
    q.try_(taint, 20.0)
    assert tainted == ["a", "b", "a"]


def test_a_try_that_fails_is_retried_later_and_removal_cancels():
    q = RateLimitedQueue(1.0)
    calls = []
    q.add("a", 0.0)
    q.add("b", 0.0)
    q.try_(lambda n: (calls.append(n) or False, 5.0), 0.0)
    assert calls == ["a"] and "a" in q
    assert q.remove("b")
    q.try_(lambda n: (calls.append(n) or True, 0.0), 3.0)       # a not due until 5 s (the token is spent anyway)
    assert calls == ["a"]
    q.try_(lambda n: (calls.append(n) or True, 0.0), 6.0)
    assert calls == ["a", "a"] and len(q) == 0


def test_swapping_the_limiter_keeps_a_drained_bucket_drained():
    q = RateLimitedQueue(0.1)
    q.add("a", 0.0)
    q.try_(lambda n: (True, 0.0), 0.0)               # the token is spent
    q.swap_limiter(0.01, 1.0)
    q.add("b", 1.0)
    q.try_(lambda n: (True, 0.0), 1.0)
    assert "b" in q and q.next_try(1.0) == pytest.approx(101.0)
    q.swap_limiter(0.0, 2.0)
    assert q.next_try(2.0) is None
    q.swap_limiter(0.1, 3.0)                          # the never-limiter has no token: the new one starts drained
    assert q.next_try(3.0) == pytest.approx(13.0)


def test_disruption_decisions():
    # first pass: unseen zones are Initial and move to their state
    d = disruption_decision({}, {"a": [T, T], "b": [T]})
    assert d.states == {"a": NORMAL, "b": NORMAL} and d.rates == {"a": 0.1, "b": 0.1}
    # a small zone in partial disruption stops; the other keeps its rate
    d = disruption_decision({"a": NORMAL, "b": NORMAL}, {"a": [T, U, U, U], "b": [T]})
    assert d.states == {"a": PARTIAL_DISRUPTION, "b": NORMAL} and d.rates == {"a": 0.0}
    # a zone fully down while another is up: full disruption taints at the normal rate
    d = disruption_decision({"a": NORMAL, "b": NORMAL}, {"a": [U, U], "b": [T]})
    assert d.states == {"a": FULL_DISRUPTION, "b": NORMAL} and d.rates == {"a": 0.1}
    assert not d.enter_master_disruption
    # every zone down: master disruption, tainting stops everywhere
    d = disruption_decision({"a": FULL_DISRUPTION, "b": NORMAL}, {"a": [U, U], "b": [U]})
    assert d.enter_master_disruption and d.rates == {"a": 0.0, "b": 0.0}
    assert d.states == {"a": FULL_DISRUPTION, "b": FULL_DISRUPTION}
    # still all down: nothing changes
    d = disruption_decision(d.states, {"a": [U, U], "b": [U]})
    assert not d.enter_master_disruption and d.rates == {}
    # one zone back: leave master disruption, rates reset for every zone
    d = disruption_decision(d.states, {"a": [U, U], "b": [T]})
    assert d.exit_master_disruption and d.states == {"a": FULL_DISRUPTION, "b": NORMAL}
    assert d.rates == {"a": 0.1, "b": 0.1}
    # a zone without nodes is dropped
    assert disruption_decision({"a": NORMAL, "gone": NORMAL}, {"a": [T]}).states == {"a": NORMAL}
