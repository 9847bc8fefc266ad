"""The scheduling queue against kube-scheduler's rules
(pkg/scheduler/backend/queue/scheduling_queue.go and its tests)."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.scheduler.queue import SchedulingQueue, backoff_duration


@pytest.mark.parametrize("attempts,expected", [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (6, 10), (60, 10)])
def test_backoff_duration(attempts, expected):  # TestBackOffFlow: 1s doubling to the 10s max
    assert backoff_duration(attempts) == expected


def test_backoff_duration_custom_bounds():  # calculateBackoffDuration with other flags
    assert [backoff_duration(a, 0.5, 3.0) for a in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_pop_order_is_priority_then_age():  # TestPriorityQueue_Add / PrioritySort
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("low-old", "p", priority=0)
    clock.advance(1)
    q.add("high", "p", priority=100)
    clock.advance(1)
    q.add("low-new", "p", priority=0)
    q.add("mid", "p", priority=10)
    assert [q.pop().key for _ in range(4)] == ["high", "mid", "low-old", "low-new"]
    assert q.pop() is None


def test_unschedulable_waits_for_an_event_then_goes_to_active():
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    info = q.pop()
    q.add_unschedulable(info, ["NodeResourcesFit"])
    assert q.counts()["unschedulable"] == 1 and q.pop() is None
    assert q.next_ready_in() == pytest.approx(300.0)        # only the 5-minute flush would free it
    clock.advance(2)                                        # backoff (1 s) is over by the time the event comes
    assert q.move_all_to_active_or_backoff("NodeAdd") == 1
    assert q.pop().key == "a"


def test_event_during_backoff_moves_to_backoffq():  # MoveAllToActiveOrBackoffQueue with isPodBackingoff
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    q.add_unschedulable(q.pop())
    q.move_all_to_active_or_backoff("NodeAdd")               # still within its 1 s backoff
    assert q.counts()["backoff"] == 1 and q.pop() is None
    assert q.next_ready_in() == pytest.approx(1.0)
    clock.advance(1.0)
    assert q.pop().key == "a"


def test_move_request_during_the_cycle_sends_the_pod_to_backoff():  # TestPriorityQueue_AddUnschedulableIfNotPresent_Backoff
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    info = q.pop()
    cycle = q.scheduling_cycle
    q.move_all_to_active_or_backoff("NodeAdd")               # an event while "a" was being scheduled
    q.add_unschedulable(info, cycle=cycle)
    assert q.counts() == {"active": 0, "backoff": 1, "unschedulable": 0, "inflight": 0}


def test_backoff_grows_with_attempts():
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    waits = []
    for _ in range(6):
        info = q.pop()
        q.add_backoff(info)
        waits.append(q.next_ready_in())
        clock.advance(waits[-1])
    assert waits == pytest.approx([1, 2, 4, 8, 10, 10])


def test_unschedulable_leftovers_are_flushed_after_five_minutes():  # flushUnschedulablePodsLeftover
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    q.add_unschedulable(q.pop())
    clock.advance(300.0)
    assert q.pop() is None                                  # not *longer* than the maximum yet
    clock.advance(0.001)
    assert q.pop().key == "a"


def test_update_retries_an_unschedulable_pod_and_delete_forgets():
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "v1")
    q.add("b", "v1")
    q.add_unschedulable(q.pop())
    clock.advance(5)
    q.update("a", "v2")
    assert q.pop().key == "b"                                # "a" was re-added later
    info = q.pop()
    assert (info.key, info.pod, info.attempts) == ("a", "v2", 2)
    q.delete("a")
    q.add_unschedulable(info)                                # a late result for a deleted pod is dropped
    assert len(q) == 1 and "a" not in q                      # only b, in flight
    q.done("b")
    assert len(q) == 0 and q.next_ready_in() is None


def test_at_exactly_the_maximum_the_queue_says_wait_a_little_not_ready_now():
    # next_ready_in() == 0 with nothing to pop made SchedulingLoop.run_once spin
    # forever when a fake clock landed exactly on the 300 s leftover deadline
    clock = FakeClock()
    q = SchedulingQueue(clock)
    q.add("a", "pod-a")
    q.add_unschedulable(q.pop())
    clock.advance(300.0)
    wait = q.next_ready_in()
    assert 0.0 < wait <= 1e-3 and q.pop() is None
    clock.advance(wait)
    assert q.next_ready_in() == 0.0 and q.pop().key == "a"


def test_the_scheduling_loop_returns_when_the_clock_sits_on_the_deadline():
    from kubekit.cluster.local import ControlPlane
    from kubekit.node.simulated import NodeTemplate

    clock = FakeClock()
    cp = ControlPlane(clock)
    cp.fleet.add_nodes(["n0"], NodeTemplate(cpu="1"))
    cp.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "default"},
                     "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "2"}}}]}})
    cp.run_until(lambda: cp.scheduler.queue.counts()["unschedulable"] == 1)
    since = next(iter(cp.scheduler.queue._unschedulable.values())).unschedulable_since
    clock.advance(since + 300.0 - clock.monotonic())
    assert cp.scheduler.run_once() == 0          # returns (it used to loop forever)
    assert cp.scheduler.next_wakeup() > 0
