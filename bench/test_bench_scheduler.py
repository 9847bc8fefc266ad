"""pytest-benchmark suite: ``pytest bench/ --benchmark-only``.

Each round builds a fresh scheduler (not timed) and schedules the whole queue
with ``schedule_batch`` (timed): queued Pod objects to recorded bindings.
"""

from __future__ import annotations

import pytest

from kubekit import Scheduler
from workloads import workload_a, workload_b


def _run(benchmark, nodes, pods, engine="fast", rounds=5):
    def setup():
        return (Scheduler(nodes=nodes, engine=engine), pods), {}

    def target(sched, queue):
        return sched.schedule_batch(queue)

    result = benchmark.pedantic(target, setup=setup, rounds=rounds, iterations=1)
    benchmark.extra_info["pods"] = len(pods)
    benchmark.extra_info["nodes"] = len(nodes)
    benchmark.extra_info["placed"] = len(result.placements)
    assert len(result.placements) + len(result.unschedulable) == len(pods)


@pytest.mark.parametrize("n_nodes", [500, 5000, 15000])
def test_workload_a(benchmark, n_nodes):
    nodes, pods = workload_a(n_nodes, 10000)
    _run(benchmark, nodes, pods)


def test_workload_b(benchmark):
    nodes, pods = workload_b(5000, 10000)
    _run(benchmark, nodes, pods, rounds=3)


def test_workload_a_twin_500(benchmark):
    nodes, pods = workload_a(500, 200)
    _run(benchmark, nodes, pods, engine="twin", rounds=3)
