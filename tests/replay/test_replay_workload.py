"""Workloads of the three replay modes, and the progress bar."""

from __future__ import annotations

import io

import numpy as np
import pytest

from kubekit.packing.gpu import GpuPod
from kubekit.replay import Progress, arrival_workload, inflate_workload, static_workload
from kubekit.replay.workload import ARRIVE, DEPART
from kubekit.traces import MISSING, TraceError


def pods(n: int, gpu: int = 500) -> list[GpuPod]:
    return [GpuPod(1000, 0, 1, gpu, name=f"p{i}") for i in range(n)]


def test_static_orders():
    ps = pods(4)
    arrival = np.array([30, 10, MISSING, 10])
    assert [i for _, i in static_workload(ps).events] == [0, 1, 2, 3]
    assert [i for _, i in static_workload(ps, arrival, order="arrival").events] == [1, 3, 0, 2]   # stable, unknown last
    a = static_workload(ps, order="shuffle", rng=np.random.default_rng(7)).events
    assert sorted(i for _, i in a) == [0, 1, 2, 3]
    assert a == static_workload(ps, order="shuffle", rng=np.random.default_rng(7)).events
    with pytest.raises(TraceError, match="invalid order 'size'"):
        static_workload(ps, order="size")


def test_arrival_events_in_time_order():
    ps = pods(4)
    # p0 runs 0-10; p1 arrives at 10 (after p0 leaves); p2 is zero-length at 10; p3 never leaves
    arrival = np.array([0, 10, 10, 5])
    departure = np.array([10, 20, 10, MISSING])
    w = arrival_workload(ps, arrival, departure)
    assert w.events == ((ARRIVE, 0), (ARRIVE, 3), (DEPART, 0), (ARRIVE, 1), (ARRIVE, 2), (DEPART, 2), (DEPART, 1))
    assert w.times == (0, 5, 10, 10, 10, 10, 20)
    assert w.arrivals == 4
    with pytest.raises(TraceError, match="1 pods have no arrival time \\(first: 'p1'\\)"):
        arrival_workload(ps[:2], np.array([0, MISSING]), np.array([MISSING, MISSING]))


def test_inflation():
    ps = pods(10, 500) + [GpuPod(2000, name="cpu")]             # 5 GPUs requested
    w = inflate_workload(ps, 10_000, 1.3, rng=np.random.default_rng(1))
    total = sum(p.gpu_total_milli for p in w.pods)
    assert total <= 13_000 < total + 500                         # stops at the first clone that would not fit
    assert w.originals == 11 and sorted(p.name for p in w.pods[:11]) == sorted(p.name for p in ps)
    assert all("-clone-" in p.name for p in w.pods[11:])
    assert [k for k, _ in w.events] == [ARRIVE] * len(w.pods)
    # the same seed, the same workload
    assert w == inflate_workload(ps, 10_000, 1.3, rng=np.random.default_rng(1))
    # below the workload's own request: random pods are dropped
    small = inflate_workload(ps, 10_000, 0.2, rng=np.random.default_rng(1))
    assert sum(p.gpu_total_milli for p in small.pods) <= 2000 and small.originals == len(small.pods)
    with pytest.raises(TraceError, match="needs GPU nodes and pods that request GPUs"):
        inflate_workload([GpuPod(1000)], 10_000, 1.3, rng=np.random.default_rng(1))


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_progress_bar():
    out = io.StringIO()
    Progress(10, "x", stream=out).update(10)                     # StringIO is no TTY: silent
    assert out.getvalue() == ""
    clock = FakeClock()
    bar = Progress(4, "FGD", stream=out, enabled=True, width=8, clock=clock)
    clock.t = 1.0
    bar.update(2)
    bar.update(1)                                                # within 0.2 s: not redrawn
    clock.t = 2.0
    bar.update(1)
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    assert "[####....]  50.0% 2/4 2/s" in text and "[########] 100.0% 4/4 2/s" in text
