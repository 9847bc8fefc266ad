"""Back-off tables transcribed from
staging/src/k8s.io/client-go/util/flowcontrol/backoff_test.go (TestSlowBackoff,
TestBackoffReset, TestBackoffHighWaterMark, TestBackoffGC,
TestIsInBackOffSinceUpdate) -- with client-go's default 2*max expiry -- and the
kubelet's crash-loop configuration (kubelet.go newCrashLoopBackOff, doBackOff)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kubekit.node.rules.backoff import (
    BackoffPolicy,
    backoff_gc_keeps,
    backoff_get,
    backoff_next,
    crash_loop_decision,
    go_duration,
    in_backoff_since,
    in_backoff_since_update,
    kubelet_crash_loop_policy,
)
from kubekit.node.rules.errors import NodeRulesError

T0 = 1_000_000.0


def client_go(initial, maximum):
    return BackoffPolicy(initial=initial, maximum=maximum, reset_after=None)


def test_slow_backoff():
    policy = client_go(1, 50)
    entry, now = None, T0
    for want in [0, 1, 2, 4, 8, 16, 32, 50, 50, 50]:
        now += 1
        assert backoff_get(entry) == want
        entry = backoff_next(entry, now, now, policy)


def test_backoff_reset():
    policy = client_go(1, 5)
    entry, now = None, T0
    for _ in range(6):
        now += 1
        entry = backoff_next(entry, now, now, policy)
    assert in_backoff_since(entry, now, now, policy)
    last_update = now
    now += 2 * 5 + 1
    assert not in_backoff_since(entry, last_update, now, policy)


def test_backoff_high_water_mark():
    policy = client_go(1, 5)
    entry, now = None, T0
    for _ in range(6):
        now += 1
        entry = backoff_next(entry, now, now, policy)
    now += 5 + 1
    entry = backoff_next(entry, now, now, policy)
    assert backoff_get(entry) == 5


def test_backoff_gc():
    policy = client_go(1, 5)
    entry, now = None, T0
    for _ in range(6):
        now += 1
        entry = backoff_next(entry, now, now, policy)
    now += 5 + 1
    assert backoff_gc_keeps(entry, now, policy)
    now += 5 + 1
    assert not backoff_gc_keeps(entry, now, policy)


IS_IN_BACKOFF_SINCE_UPDATE = [
    (0, False, 0), (1, False, 1), (2, True, 2), (3, False, 2), (4, True, 4), (5, True, 4), (6, True, 4),
    (7, False, 4), (8, True, 8), (9, True, 8), (10, True, 8), (11, True, 8), (12, True, 8), (13, True, 8),
    (14, True, 8), (15, False, 8), (16, True, 10), (17, True, 10), (18, True, 10), (19, True, 10),
    (20, True, 10), (21, True, 10), (22, True, 10), (23, True, 10), (24, True, 10), (25, False, 10),
    (26, True, 10), (27, True, 10), (28, True, 10), (29, True, 10), (30, True, 10), (31, True, 10),
    (32, True, 10), (33, True, 10), (34, True, 10), (35, False, 10), (56, False, 0), (57, False, 1),
]


def test_is_in_backoff_since_update():
    policy = client_go(1, 10)
    entry = None
    for tick, want_in, value in IS_IN_BACKOFF_SINCE_UPDATE:
        now = T0 + tick
        assert in_backoff_since_update(entry, now, policy) == want_in, tick
        if want_in:
            assert backoff_get(entry) == value, tick
        else:
            entry = backoff_next(entry, now, now, policy)


# ---- kubelet configuration ---------------------------------------------------

def test_kubelet_default_policy_is_10s_to_300s_reset_after_600s():
    p = kubelet_crash_loop_policy()
    assert (p.initial, p.maximum, p.reset_after) == (10, 300, 600)


@pytest.mark.parametrize(
    "max_period,reduced,want",
    [
        (None, False, (10, 300)),
        (None, True, (1, 60)),
        (100, False, (10, 100)),
        (5, False, (5, 5)),     # initial lowered to the configured max
        (5, True, (1, 5)),
    ],
)
def test_new_crash_loop_backoff(max_period, reduced, want):
    p = kubelet_crash_loop_policy(max_period, reduced_decay=reduced)
    assert (p.initial, p.maximum) == want


def test_bad_max_restart_period_is_rejected():
    with pytest.raises(NodeRulesError, match="maxContainerRestartPeriod"):
        kubelet_crash_loop_policy(0.5)


def test_crash_loop_sequence_and_message():
    """First restart is immediate (no entry yet); then each crash waits the
    current back-off, measured from the container's FinishedAt."""
    policy = kubelet_crash_loop_policy()
    finished = T0
    blocked, msg, entry = crash_loop_decision(None, finished, finished, policy)
    assert not blocked and entry.backoff == 10
    waits = []
    for _ in range(7):
        finished += 1  # the restarted container crashes after 1 s
        blocked, msg, same = crash_loop_decision(entry, finished, finished, policy, container_name="c", pod_full_name="p_ns(u)")
        assert blocked and same is entry
        assert msg == f"back-off {go_duration(entry.backoff)} restarting failed container=c pod=p_ns(u)"
        still, _, _ = crash_loop_decision(entry, finished, finished + entry.backoff - 0.001, policy)
        assert still
        waits.append(entry.backoff)
        blocked, _, entry = crash_loop_decision(entry, finished, finished + entry.backoff, policy)
        assert not blocked
        finished += waits[-1]
    assert waits == [10, 20, 40, 80, 160, 300, 300]


def test_crash_loop_resets_after_ten_minutes_of_running():
    policy = kubelet_crash_loop_policy()
    finished = T0
    _, _, entry = crash_loop_decision(None, finished, finished, policy)
    for _ in range(6):
        finished += 1 + entry.backoff
        _, _, entry = crash_loop_decision(entry, finished, finished + entry.backoff, policy)
    assert entry.backoff == 300
    # The container then ran more than 600 s after the entry's last update before failing: reset.
    late = entry.last_update + 601
    blocked, _, reset = crash_loop_decision(entry, late, late, policy)
    assert not blocked and reset.backoff == 10
    # Exactly 600 s is not "more than 600 s": still in back-off at 300 s.
    edge = entry.last_update + 600
    assert crash_loop_decision(entry, edge, edge, policy)[0]


def test_no_exited_instance_means_no_backoff():
    assert crash_loop_decision(None, None, T0, kubelet_crash_loop_policy()) == (False, "", None)


@pytest.mark.parametrize("seconds,text", [(10, "10s"), (300, "5m0s"), (160, "2m40s"), (3600, "1h0m0s"), (1.5, "1.5s"), (0, "0s")])
def test_go_duration(seconds, text):
    assert go_duration(seconds) == text


@given(
    st.floats(min_value=0.5, max_value=30),
    st.floats(min_value=1, max_value=600),
    st.lists(st.floats(min_value=0, max_value=2000), min_size=1, max_size=30),
)
def test_backoff_never_exceeds_max(initial, maximum, gaps):
    policy = kubelet_crash_loop_policy(maximum)
    entry, now = None, T0
    for gap in gaps:
        now += gap
        entry = backoff_next(entry, now, now, policy)
        assert 0 < entry.backoff <= policy.maximum
        assert entry.backoff >= policy.initial
