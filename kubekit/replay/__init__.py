"""Replay real cluster traces through GPU-sharing placement policies
(``kubekit replay``): static packing, arrival/departure replay, and the FGD
paper's workload-inflation experiment, with a report per policy.

::

    from kubekit.replay import ReplayConfig, replay, write_report

    result = replay(ReplayConfig("openb", mode="inflate", policies=("fgd", "bestfit"), repeat=3))
    for r in result.summary():
        print(r.policy, r.unallocated_gpus, r.fragmented_gpus)
    write_report(result, "out/")          # report.md, results.json, PNG plots

Names are imported on first use, so ``kubekit.replay.cli`` (the argparse
side) loads without numpy.  See ``docs/replay.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_NAMES = {
    "ReplayConfig": "core", "ReplayResult": "core", "load_trace": "core", "replay": "core",
    "report_markdown": "core", "write_report": "core",
    "Run": "engine", "run_policy": "engine", "verify_placement": "engine",
    "Progress": "progress",
    "PolicyReport": "report", "curve": "report", "markdown_table": "report", "mean_reports": "report",
    "summarize": "report", "text_table": "report",
    "MODES": "workload", "ORDERS": "workload", "Workload": "workload", "arrival_workload": "workload",
    "inflate_workload": "workload", "static_workload": "workload", "trace_pods": "workload",
}

__all__ = [
    "MODES", "ORDERS", "PolicyReport", "Progress", "ReplayConfig", "ReplayResult", "Run", "Workload",
    "arrival_workload", "curve", "inflate_workload", "load_trace", "markdown_table", "mean_reports", "replay",
    "report_markdown", "run_policy", "static_workload", "summarize", "text_table", "trace_pods",
    "verify_placement", "write_report",
]

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.replay.core import ReplayConfig, ReplayResult, load_trace, replay, report_markdown, write_report
    from kubekit.replay.engine import Run, run_policy, verify_placement
    from kubekit.replay.progress import Progress
    from kubekit.replay.report import PolicyReport, curve, markdown_table, mean_reports, summarize, text_table
    from kubekit.replay.workload import (
        MODES, ORDERS, Workload, arrival_workload, inflate_workload, static_workload, trace_pods,
    )


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'kubekit.replay' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kubekit.replay.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))
