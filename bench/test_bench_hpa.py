"""pytest-benchmark: HPA decisions (``pytest bench/test_bench_hpa.py --benchmark-only``).

The inputs are those of ``bench/hpa_throughput.py`` (see its docstring): the
pure ``hpa_decide`` for 10,000 HPAs of 100 pods, and the controller's resync
(``HPAController.reconcile`` of every HPA over an in-memory store) for 2,000
HPAs of 100 pods.  The decisions-per-second figure is in ``extra_info``.
"""

from __future__ import annotations

from hpa_throughput import controller_setup, pure_inputs, run_controller, run_pure


def test_hpa_decide_10000_hpas_x_100_pods(benchmark):
    spec, pods, inputs = pure_inputs(10_000, 100)
    elapsed, rescales = benchmark.pedantic(run_pure, args=(spec, pods, inputs), rounds=3, iterations=1)
    benchmark.extra_info["decisions"] = len(inputs)
    benchmark.extra_info["rescales"] = rescales
    assert 0 < rescales < len(inputs)                  # a mix of changes and holds


def test_hpa_controller_resync_2000_hpas_x_100_pods(benchmark):
    ctl, keys = controller_setup(2_000, 100)
    run_controller(ctl, keys)                           # round 1 writes the statuses

    def resync():
        ctl.clock.advance(15)
        return run_controller(ctl, keys)

    benchmark.pedantic(resync, rounds=3, iterations=1)
    benchmark.extra_info["reconciles_per_round"] = len(keys)
    assert ctl.errors == 0 and ctl.decisions == 4 * len(keys)
