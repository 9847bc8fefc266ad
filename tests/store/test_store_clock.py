"""The injected clock: fake time moves only when told, and timers fire in
deadline order exactly when it passes them."""

from __future__ import annotations

import threading

import pytest

from kubekit.clock import Clock, FakeClock, RealClock


def test_both_clocks_satisfy_the_protocol():
    assert isinstance(RealClock(), Clock)
    assert isinstance(FakeClock(), Clock)


@pytest.mark.parametrize("steps, timers, fired", [
    ([], [1.0], [False]),
    ([0.5], [1.0], [False]),
    ([1.0], [1.0], [True]),                     # a deadline equal to now is due
    ([0.4, 0.6], [1.0, 2.0], [True, False]),
    ([2.5], [1.0, 2.0, 3.0], [True, True, False]),
    ([0.0], [0.0], [True]),                     # a zero delay fires at once
    ([5.0], [-1.0], [True]),                    # so does a negative one
])
def test_fake_timers_fire_when_time_reaches_them(steps, timers, fired):
    c = FakeClock()
    ts = [c.after(d) for d in timers]
    for s in steps:
        c.advance(s)
    assert [t.fired for t in ts] == fired


def test_fake_time_moves_wall_and_monotonic_together_and_sleep_advances():
    c = FakeClock(start=100.0, monotonic_start=5.0)
    c.advance(1.5)
    assert (c.now(), c.monotonic()) == (101.5, 6.5)
    c.sleep(2)
    assert (c.now(), c.monotonic()) == (103.5, 8.5)
    c.step(0.5)
    assert c.now() == 104.0
    c.set_wall(50.0)
    assert (c.now(), c.monotonic()) == (50.0, 9.0)
    with pytest.raises(ValueError, match="backwards"):
        c.advance(-1)


def test_timers_fire_in_deadline_order_and_release_a_waiting_thread():
    c = FakeClock()
    order = []
    late, early = c.after(2.0), c.after(1.0)
    waiter_done = threading.Event()

    def waiter():
        early.wait(30)
        order.append("early")
        late.wait(30)
        order.append("late")
        waiter_done.set()

    t = threading.Thread(target=waiter)
    t.start()
    try:
        assert c.pending_timers == 2
        c.advance(3.0)
        assert waiter_done.wait(30)
    finally:
        c.advance(10)
        t.join(30)
    assert order == ["early", "late"] and c.pending_timers == 0


def test_real_clock_timer_fires():
    c = RealClock()
    t = c.after(0.01)
    assert t.wait(30)
    assert c.after(0).fired
    t2 = c.after(60)
    t2.cancel()
    assert not t2.fired
    assert c.monotonic() <= c.monotonic()
