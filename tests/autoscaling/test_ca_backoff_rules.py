"""Node-group backoff (cluster-autoscaler's exponential backoff): initial
duration, doubling only after the previous backoff ended, the cap, removal
on success and the reset timeout."""

from __future__ import annotations

import pytest

from kubekit.autoscaling.cluster.backoff import GroupBackoff


def test_failures_double_the_backoff_up_to_the_maximum():
    b = GroupBackoff(300, 1800, 10800)
    assert not b.is_backed_off("g", 0)
    # (failure time, until) : 300, then 600, 1200, 1800, 1800 once each backoff has ended
    rows = [(0, 300), (400, 1000), (1100, 2300), (2400, 4200), (4300, 6100)]
    for now, until in rows:
        assert b.backoff("g", now) == until
        assert b.is_backed_off("g", now) and b.is_backed_off("g", until - 1) and not b.is_backed_off("g", until)


def test_a_failure_during_a_backoff_keeps_its_duration():
    b = GroupBackoff(300, 1800, 10800)
    b.backoff("g", 0)
    assert b.backoff("g", 100) == 400                 # still 300 s, from the new failure
    assert b.backoff("g", 500) == 1100                # ended at 400: now doubled to 600
    assert b.is_backed_off("g", 600) and not b.is_backed_off("other", 600)


def test_success_and_the_reset_timeout_forget_the_failures():
    b = GroupBackoff(300, 1800, 10800)
    b.backoff("g", 0)
    b.backoff("g", 400)                               # 600 s
    b.remove("g")
    assert b.backoff("g", 1100) == 1400               # back to the initial 300 s
    b.remove_stale(1100 + 10800)                      # not older than the timeout yet
    assert b.info("g") is not None
    b.remove_stale(1100 + 10800 + 1)
    assert b.info("g") is None and b.backoff("g", 20000) == 20300


def test_durations_are_checked():
    with pytest.raises(ValueError, match="expected 0 < initial <= maximum"):
        GroupBackoff(600, 300)
