"""The work queue against client-go's own tests (util/workqueue:
default_rate_limiters_test.go, queue_test.go, delaying_queue_test.go)."""

from __future__ import annotations

import heapq
import math
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.clock import FakeClock
from kubekit.controllers.workqueue import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    ShutDown,
    WorkQueue,
    default_controller_rate_limiter,
)

MS = 0.001


def test_item_exponential_failure_rate_limiter():  # TestItemExponentialFailureRateLimiter
    lim = ItemExponentialFailureRateLimiter(1 * MS, 1.0)
    assert [lim.when("one") for _ in range(5)] == pytest.approx([1 * MS, 2 * MS, 4 * MS, 8 * MS, 16 * MS])
    assert lim.num_requeues("one") == 5
    assert [lim.when("two") for _ in range(2)] == pytest.approx([1 * MS, 2 * MS])
    assert lim.num_requeues("two") == 2
    lim.forget("one")
    assert lim.num_requeues("one") == 0
    assert lim.when("one") == pytest.approx(1 * MS)


def test_item_exponential_failure_rate_limiter_overflow():  # ...OverFlow
    lim = ItemExponentialFailureRateLimiter(1 * MS, 1000.0)
    for _ in range(5):
        lim.when("one")
    assert lim.when("one") == pytest.approx(32 * MS)
    for _ in range(1000):
        lim.when("overflow1")
    assert lim.when("overflow1") == 1000.0
    lim = ItemExponentialFailureRateLimiter(60.0, 1000 * 3600.0)
    for _ in range(2):
        lim.when("two")
    assert lim.when("two") == pytest.approx(4 * 60.0)
    for _ in range(1000):
        lim.when("overflow2")
    assert lim.when("overflow2") == 1000 * 3600.0


def test_item_fast_slow_rate_limiter():  # TestItemFastSlowRateLimiter
    lim = ItemFastSlowRateLimiter(5 * MS, 10.0, 3)
    assert [lim.when("one") for _ in range(5)] == [5 * MS, 5 * MS, 5 * MS, 10.0, 10.0]
    assert lim.num_requeues("one") == 5
    assert [lim.when("two") for _ in range(2)] == [5 * MS, 5 * MS]
    lim.forget("one")
    assert lim.num_requeues("one") == 0 and lim.when("one") == 5 * MS


def test_max_of_rate_limiter():  # TestMaxOfRateLimiter
    lim = MaxOfRateLimiter(ItemFastSlowRateLimiter(5 * MS, 3.0, 3), ItemExponentialFailureRateLimiter(1 * MS, 1.0))
    assert [lim.when("one") for _ in range(5)] == pytest.approx([5 * MS, 5 * MS, 5 * MS, 3.0, 3.0])
    assert lim.num_requeues("one") == 5
    lim.forget("one")
    assert lim.num_requeues("one") == 0 and lim.when("one") == 5 * MS


def test_bucket_rate_limiter_spends_the_burst_then_paces():
    clock = FakeClock()
    lim = BucketRateLimiter(10.0, 100, clock)
    assert [lim.when(i) for i in range(100)] == [0.0] * 100
    assert lim.when("x") == pytest.approx(0.1)        # the 101st waits one token: 1/10 s
    assert lim.when("y") == pytest.approx(0.2)
    clock.advance(10.0)                               # refill, capped at the burst
    assert [lim.when(i) for i in range(97)] == [0.0] * 97


def test_default_controller_rate_limiter_is_the_larger_of_both():
    clock = FakeClock()
    lim = default_controller_rate_limiter(clock)
    assert lim.when("k") == pytest.approx(5 * MS)
    assert lim.when("k") == pytest.approx(10 * MS)
    for i in range(200):
        lim.when(f"other{i}")                         # drain the bucket
    assert lim.when("fresh") > 5 * MS                 # now the bucket decides


def test_basic_dedup_and_processing():  # TestBasic / TestAddWhileProcessing
    q = WorkQueue(FakeClock())
    q.add("a")
    q.add("a")
    q.add("b")
    assert len(q) == 2
    k = q.try_get()
    assert k == "a"
    q.add("a")                  # while processing: queued again only after done
    assert q.try_get() == "b"
    assert q.try_get() is None
    q.done("a")
    assert q.try_get() == "a"
    q.done("a")
    q.done("b")
    assert q.try_get() is None and len(q) == 0


def test_reinsert():  # TestReinsert
    q = WorkQueue(FakeClock())
    q.add("foo")
    i = q.try_get()
    q.add(i)
    q.done(i)
    assert q.try_get() == "foo"
    q.done("foo")
    assert len(q) == 0


def test_delaying_simple_queue():  # TestSimpleQueue
    clock = FakeClock()
    q = WorkQueue(clock)
    q.add_after("foo", 0.05)
    assert q.try_get() is None and q.waiting == 1
    assert q.next_ready_in() == pytest.approx(0.05)
    clock.advance(0.06)
    assert q.try_get() == "foo"
    q.done("foo")
    assert q.waiting == 0 and len(q) == 0


def test_delaying_dedup_keeps_the_earliest():  # TestDeduping
    clock = FakeClock()
    q = WorkQueue(clock)
    q.add_after("foo", 0.05)
    q.add_after("foo", 0.07)                 # later: ignored
    assert q.waiting == 1
    clock.advance(0.06)
    assert q.try_get() == "foo"
    q.done("foo")
    q.add_after("foo", 0.07)
    q.add_after("foo", 0.05)                 # earlier: replaces
    clock.advance(0.06)
    assert q.try_get() == "foo"
    q.done("foo")
    clock.advance(0.02)                      # the superseded 70 ms entry does not fire again
    assert q.try_get() is None and q.waiting == 0


def test_add_two_fire_early():  # TestAddTwoFireEarly
    clock = FakeClock()
    q = WorkQueue(clock)
    q.add_after("foo", 1.0)
    q.add_after("bar", 0.05)
    clock.advance(0.06)
    assert q.try_get() == "bar"
    q.add_after("foo", 0.02)                 # moves foo earlier
    clock.advance(0.03)
    assert q.try_get() == "foo"


def test_rate_limited_requeue_and_forget():  # rate_limiting_queue_test.go TestRateLimitingQueue
    clock = FakeClock()
    q = WorkQueue(clock, ItemExponentialFailureRateLimiter(1 * MS, 1.0))
    q.add_rate_limited("one")
    assert q.next_ready_in() == pytest.approx(1 * MS)
    q.add_rate_limited("one")              # 2 ms; the earlier 1 ms wait stands
    assert q.num_requeues("one") == 2 and q.waiting == 1
    q.add_rate_limited("two")
    clock.advance(1 * MS)
    assert {q.try_get(), q.try_get()} == {"one", "two"}
    q.forget("one")
    assert q.num_requeues("one") == 0 and q.num_requeues("two") == 1


def test_blocking_get_and_shutdown():
    q = WorkQueue(FakeClock())
    got = []
    t = threading.Thread(target=lambda: got.append(q.get(timeout=5)))
    t.start()
    q.add("k")
    t.join(5)
    assert got == ["k"]
    q.done("k")
    assert q.get(timeout=0.01) is None
    q.add("last")
    q.shutdown()
    q.add("ignored")
    assert q.get() == "last"               # what was queued still drains
    with pytest.raises(ShutDown):
        q.get()


def test_blocked_getters_are_woken_by_add_and_done():
    q = WorkQueue(FakeClock())
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(q.get(timeout=10))) for _ in range(2)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while q._getters < 2 and time.monotonic() < deadline:     # both wait on the condition
        time.sleep(0.001)
    start = time.monotonic()
    q.add("a")
    q.add("b")
    for t in threads:
        t.join(5)
    assert sorted(got) == ["a", "b"] and time.monotonic() - start < 5
    q.add("a")                       # added while held: queued again by done, which wakes a getter
    t = threading.Thread(target=lambda: got.append(q.get(timeout=10)))
    t.start()
    while q._getters < 1 and time.monotonic() < deadline + 5:
        time.sleep(0.001)
    q.done("a")
    t.join(5)
    assert got[-1] == "a"


class _HeapDelays:
    """The delayed part of the queue as it was kept before (one heap of
    ``(ready at, seq, key)``): the twin the bucketed one is checked against."""

    def __init__(self, queue: WorkQueue) -> None:
        self.q, self.heap, self.at, self.seq = queue, [], {}, 0

    def add_after(self, key, seconds: float) -> None:
        if seconds <= 0:
            self.q.add(key)
            return
        at = self.q.clock.monotonic() + seconds
        if self.at.get(key, math.inf) <= at:
            return
        self.at[key] = at
        heapq.heappush(self.heap, (at, self.seq, key))
        self.seq += 1

    def promote(self) -> None:
        now = self.q.clock.monotonic()
        while self.heap and self.heap[0][0] <= now:
            at, _, key = heapq.heappop(self.heap)
            if self.at.get(key) == at:
                del self.at[key]
                self.q.add(key)

    def next_ready_in(self) -> float | None:
        if len(self.q):
            return 0.0
        while self.heap and self.at.get(self.heap[0][2]) != self.heap[0][0]:
            heapq.heappop(self.heap)
        return None if not self.heap else max(0.0, self.heap[0][0] - self.q.clock.monotonic())


_ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 5)),
    st.tuples(st.just("after"), st.integers(0, 5), st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.5])),
    st.tuples(st.just("get")),
    st.tuples(st.just("done"), st.integers(0, 5)),
    st.tuples(st.just("tick"), st.sampled_from([0.0, 0.5, 1.0, 3.0])),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_ops)
def test_delayed_keys_come_out_as_from_one_heap(ops):
    """Keys added with add_after are released in the order of one heap of
    (time, seq): by time, keys of one time in the order they were added, a
    key superseded by an earlier add_after released once, at the earlier
    time; next_ready_in agrees."""
    clock_a, clock_b = FakeClock(), FakeClock()
    a = WorkQueue(clock_a, rate_limiter=ItemExponentialFailureRateLimiter(0.01, 1.0))
    b = WorkQueue(clock_b, rate_limiter=ItemExponentialFailureRateLimiter(0.01, 1.0))
    twin = _HeapDelays(b)
    for op in ops:
        if op[0] == "add":
            a.add(op[1])
            b.add(op[1])
        elif op[0] == "after":
            a.add_after(op[1], op[2])
            twin.add_after(op[1], op[2])
        elif op[0] == "get":
            twin.promote()
            assert a.try_get() == b.try_get()
        elif op[0] == "done":
            a.done(op[1])
            b.done(op[1])
        else:
            clock_a.advance(op[1])
            clock_b.advance(op[1])
        twin.promote()
        assert a.next_ready_in() == twin.next_ready_in()
        assert a.waiting == len(twin.at)


def test_keys_due_at_one_time_come_out_in_the_order_they_were_added():
    clock = FakeClock()
    q = WorkQueue(clock)
    for key, delay in (("b", 2.0), ("c", 1.0), ("a", 1.0), ("d", 1.0), ("c", 1.5)):   # c: the earlier time stays
        q.add_after(key, delay)
    clock.advance(1.0)
    assert [q.try_get() for _ in range(4)] == ["c", "a", "d", None]
    clock.advance(1.0)
    assert q.try_get() == "b" and q.waiting == 0 and q.next_ready_in() is None
