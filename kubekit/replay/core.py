"""Load a trace, build the cluster and the workload, run every policy, report."""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from kubekit.packing.gpu import (
    DEFAULT_POPULARITY, ENGINES, POLICIES, SCORINGS, TIE_BREAKS, GpuCluster, GpuPackingError, TargetWorkload,
)
from kubekit.replay.batch import check_mode, replay_policy_names
from kubekit.replay.engine import Run, run_policy
from kubekit.replay.report import (
    PolicyReport, TimelinePoint, curve, fmt_bounds, markdown_table, mean_reports, summarize, time_means, timeline,
    timeline_markdown,
)
from kubekit.replay.workload import (
    MODES, ORDERS, Workload, arrival_workload, inflate_workload, static_workload, trace_pods,
)
from kubekit.traces import Trace, TraceError, load, load_sample, uniform_nodes

NODE_SETS = ("auto", "all", "gpu")
DEFAULT_NODE_SHAPE = (64_000, 256 << 30)
"""Nodes assumed for traces that publish none (Azure VM arrivals): 64 cores, 256 GiB."""


@dataclass(frozen=True)
class ReplayConfig:
    """What to replay and how (the CLI's options)."""

    trace: str
    path: str | None = None
    mode: str = "static"
    policies: tuple[str, ...] = tuple(POLICIES)
    seed: int = 0
    repeat: int = 1
    ratio: float = 1.3
    nodes: str = "auto"
    order: str = "trace"
    scoring: str = "exact"
    tie_break: str = "order"
    engine: str = "kernel"
    limit: int | None = None
    lp: bool = False
    popularity: int = DEFAULT_POPULARITY
    node_shape: tuple[int, int] | None = None
    node_count: int | None = None
    trace_options: dict[str, Any] = field(default_factory=dict)
    nodes_from: str | None = None
    """Another trace whose nodes are the cluster (``alibaba2018``, ``google2011``...)."""
    nodes_path: str | None = None
    """Its file or directory (default: its bundled sample)."""
    nodes_options: dict[str, Any] = field(default_factory=dict)
    timeline: int = 12
    """``arrivals``: windows of trace time in the timeline."""

    def __post_init__(self) -> None:
        def bad(what: str, value: object, allowed: Sequence[str]) -> GpuPackingError:
            return GpuPackingError(f"invalid {what} {value!r}: expected one of {', '.join(allowed)}")

        if self.mode not in MODES:
            raise bad("mode", self.mode, MODES)
        if self.nodes not in NODE_SETS:
            raise bad("node set", self.nodes, NODE_SETS)
        if self.order not in ORDERS:
            raise bad("order", self.order, ORDERS)
        if self.scoring not in SCORINGS:
            raise bad("scoring", self.scoring, SCORINGS)
        if self.tie_break not in TIE_BREAKS:
            raise bad("tie-break", self.tie_break, TIE_BREAKS)
        if self.engine not in ENGINES:
            raise bad("engine", self.engine, ENGINES)
        if self.repeat < 1:
            raise GpuPackingError(f"repeat {self.repeat}: expected >= 1")
        if not (self.ratio > 0 and math.isfinite(self.ratio)):
            raise GpuPackingError(f"ratio {self.ratio}: expected a positive number")
        if self.timeline < 1:
            raise GpuPackingError(f"timeline {self.timeline}: expected >= 1 windows")
        if self.limit is not None and self.limit < 1:
            raise GpuPackingError(f"limit {self.limit}: expected >= 1")
        object.__setattr__(self, "policies", tuple(replay_policy_names(list(self.policies))))
        check_mode(self.policies, self.mode)
        if self.nodes_from is None and (self.nodes_path is not None or self.nodes_options):
            raise GpuPackingError("--nodes-path/--nodes-option need --nodes-from TRACE")
        if self.nodes_from is not None and (self.node_shape is not None or self.node_count is not None):
            raise GpuPackingError("--node-shape/--node-count assume identical nodes; --nodes-from takes the nodes "
                                  f"of {self.nodes_from}: give one or the other")

    @property
    def seeds(self) -> list[int]:
        return [self.seed + k for k in range(self.repeat)]

    @property
    def gpu_only(self) -> bool:
        return self.nodes == "gpu" or (self.nodes == "auto" and self.mode == "inflate")


@dataclass
class ReplayResult:
    config: ReplayConfig
    trace: Trace
    target: TargetWorkload
    cluster: GpuCluster                      # an untouched copy: capacities, names
    workloads: dict[int, Workload]
    runs: dict[str, list[Run]]
    reports: dict[str, list[PolicyReport]]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timelines: dict[str, list[list[TimelinePoint]]] = field(default_factory=dict)
    """``arrivals``: per policy, per seed, the replay in windows of trace time."""

    def time_means(self, policy: str, k: int = 0) -> dict[str, float]:
        """Means over trace time of run ``k`` of ``policy`` (``arrivals``)."""
        run = self.runs[policy][k]
        return time_means(run, self.workloads[run.seed].times or ())

    def summary(self) -> list[PolicyReport]:
        """One report per policy (the mean over seeds)."""
        return [mean_reports(rs) for rs in self.reports.values()]


def load_trace(config: ReplayConfig) -> Trace:
    """The bundled sample without a path, else the file or directory."""
    if config.path is None:
        return load_sample(config.trace, **config.trace_options)
    return load(config.trace, config.path, **config.trace_options)


def load_node_trace(config: ReplayConfig) -> Trace | None:
    """The ``--nodes-from`` trace (its bundled sample without ``nodes_path``), or ``None``."""
    if config.nodes_from is None:
        return None
    if config.nodes_path is None:
        tr = load_sample(config.nodes_from, **config.nodes_options)
    else:
        tr = load(config.nodes_from, config.nodes_path, **config.nodes_options)
    if len(tr.nodes) == 0:
        raise TraceError(None, None, f"--nodes-from {config.nodes_from}: {tr.source} has no nodes")
    return tr


# The loader option that states what a normalized column's full scale is, per column.
REFERENCE_OPTIONS = {"cpu_milli": "cpu_reference_milli", "memory_bytes": "memory_reference_bytes"}
_RESOURCE_WORDS = {"cpu_milli": "CPU", "memory_bytes": "memory"}


def check_node_units(pod_trace: Trace, node_trace: Trace, pod_options: dict[str, Any],
                     node_options: dict[str, Any], pods) -> list[str]:
    """Refuse to put ``pod_trace``'s pods on ``node_trace``'s nodes when
    their units or dimensions do not match; returns notes on what was
    assumed.  Raises :class:`TraceError` naming the mismatch and the option
    that resolves it.

    - Pods that request GPUs need GPU nodes.
    - A column normalized by either trace (e.g. Alibaba 2018 memory, Google
      2011 CPU and memory) only becomes comparable with the other trace's
      amounts through a reference size that the trace does not publish.
      kubekit uses a stated default for one trace on its own, but will not mix
      a default with another trace's units: the reference must be given
      (``--nodes-option`` / ``--trace-option KEY=VALUE``).  Within one trace
      family the normalization is shared, so nothing needs stating."""
    notes: list[str] = []
    pn, nn = pod_trace.name, node_trace.name
    gpu_pods = sum(1 for p in pods if p.gpu_count)
    gpu_nodes = int(np.count_nonzero(np.asarray(node_trace.nodes.gpu_count) > 0))
    if gpu_pods and not gpu_nodes:
        raise TraceError(None, None, f"{gpu_pods:,} of the {len(pods):,} {pn} pods request GPUs but the {nn} nodes "
                                     f"have none: the dimensions do not match (pick a node trace with GPUs, or "
                                     f"pods without)")
    if pn == nn:
        return notes
    for column, option in REFERENCE_OPTIONS.items():
        word = _RESOURCE_WORDS[column]
        for side, tr, opts, flag in (("node", node_trace, node_options, "--nodes-option"),
                                     ("pod", pod_trace, pod_options, "--trace-option")):
            sc = tr.scale(column)
            if sc is None:
                continue
            if option not in opts:
                other = node_trace if side == "pod" else pod_trace
                theirs = "normalized to its own machines" if other.scale(column) is not None else "absolute"
                raise TraceError(None, None,
                                 f"units do not match: {tr.name} {side} {word} is normalized ({sc.raw_columns}: "
                                 f"{_fmt_raw(sc.raw_full_scale)} = a machine size the trace does not publish), "
                                 f"{other.name}'s is {theirs}; state the size with {flag} {option}=N "
                                 f"(the loader's default is {sc.reference:,}, an assumption)")
            notes.append(f"{tr.name} {side} {word}: {sc.raw_columns} {_fmt_raw(sc.raw_full_scale)} = "
                         f"{sc.reference:,} ({option}, as stated)")
    return notes


def _fmt_raw(f) -> str:
    return str(f.numerator) if f.denominator == 1 else str(float(f))


def _cluster_factory(trace: Trace, config: ReplayConfig, pods, arrival, departure,
                     notes: list[str], node_trace: Trace | None = None) -> Callable[[], GpuCluster]:
    nodes = trace.nodes
    if node_trace is not None:
        nodes = node_trace.nodes
        where = config.nodes_path or "the bundled sample"
        notes.append(f"nodes: the {len(nodes):,} nodes of {node_trace.name} ({where}), not {trace.name}'s "
                     f"({len(trace.nodes):,})")
    elif len(nodes) == 0:
        cpu, mem = config.node_shape or DEFAULT_NODE_SHAPE
        count = config.node_count
        if count is None:
            d_cpu = sum(p.cpu_milli for p in pods)
            d_mem = sum(p.memory_bytes for p in pods)
            if config.mode == "arrivals":
                d_cpu, d_mem = _peak_demand(pods, arrival, departure)
            count = max(1, math.ceil(1.25 * max(d_cpu / cpu, d_mem / mem)))
        nodes = uniform_nodes(count, cpu_milli=cpu, memory_bytes=mem)
        notes.append(f"the trace publishes no nodes: {count} identical nodes of {cpu / 1000:g} cores and "
                     f"{mem / 2**30:g} GiB are assumed (--node-shape, --node-count)")
    elif config.node_shape is not None or config.node_count is not None:
        notes.append("--node-shape/--node-count ignored: the trace has its own nodes")
    gpu_only = config.gpu_only
    if gpu_only:
        gpu_nodes = int(np.count_nonzero(np.asarray(nodes.gpu_count) > 0))
        notes.append(f"nodes: the {gpu_nodes:,} GPU nodes of {len(nodes):,} (as the FGD paper's emulated cluster)")
    table = nodes
    return lambda: GpuCluster.from_table(table, gpu_only=gpu_only)


def _peak_demand(pods, arrival, departure) -> tuple[int, int]:
    ev = []
    for i, p in enumerate(pods):
        ev.append((int(arrival[i]), 1, p.cpu_milli, p.memory_bytes))
        if departure[i] != np.iinfo(np.int64).min:
            ev.append((int(departure[i]), 0, -p.cpu_milli, -p.memory_bytes))
    ev.sort()
    c = m = pc = pm = 0
    for _, _, dc, dm in ev:
        c += dc
        m += dm
        pc, pm = max(pc, c), max(pm, m)
    return pc, pm


def replay(config: ReplayConfig, *, trace: Trace | None = None, progress: bool | None = None,
           log: Callable[[str], None] | None = None) -> ReplayResult:
    """Run ``config``: every policy on every seed's workload."""
    t0 = time.perf_counter()
    if trace is None:
        trace = load_trace(config)
    if trace.pods.total == 0:
        hint = ""
        if len(trace.nodes):
            hint = (f"; it publishes machines only: use them as the nodes for another trace's pods, e.g. "
                    f"kubekit replay azure_v1 --nodes-from {trace.name}")
        raise TraceError(None, None, f"{trace.name} has no pods to replay ({trace.source}){hint}")
    node_trace = load_node_trace(config)
    pods, arrival, departure = trace_pods(trace)
    notes: list[str] = []
    if node_trace is not None:
        notes += check_node_units(trace, node_trace, config.trace_options, config.nodes_options, pods)
    if config.limit is not None and config.limit < len(pods):
        keep = np.arange(config.limit)
        if config.mode == "arrivals" or config.order == "arrival":
            key = np.where(arrival != np.iinfo(np.int64).min, arrival, np.iinfo(np.int64).max)
            keep = np.sort(np.argsort(key, kind="stable")[:config.limit])
        pods = [pods[i] for i in keep]
        arrival, departure = arrival[keep], departure[keep]
        notes.append(f"--limit: the first {config.limit:,} pods only")
    make_cluster = _cluster_factory(trace, config, pods, arrival, departure, notes, node_trace)
    cluster = make_cluster()
    target = TargetWorkload.from_pods(pods, popularity=config.popularity)
    workloads: dict[int, Workload] = {}
    for s in config.seeds:
        rng = np.random.default_rng(np.random.SeedSequence([s, 1]))
        if config.mode == "static":
            workloads[s] = static_workload(pods, arrival, order=config.order, rng=rng)
        elif config.mode == "arrivals":
            workloads[s] = arrival_workload(pods, arrival, departure)
        else:
            workloads[s] = inflate_workload(pods, cluster.total_gpu_milli, config.ratio, rng=rng)
    runs: dict[str, list[Run]] = {}
    reports: dict[str, list[PolicyReport]] = {}
    timelines: dict[str, list[list[TimelinePoint]]] = {}
    for name in config.policies:
        for s in config.seeds:
            run = run_policy(workloads[s], make_cluster, name, target=target, scoring=config.scoring, seed=s,
                             tie_break=config.tie_break, engine=config.engine, progress=progress,
                             label=f"{name} s{s}" if config.repeat > 1 else None)
            rep = summarize(run, workloads[s].pods, cluster, config.mode, lp=config.lp)
            runs.setdefault(run.policy, []).append(run)
            reports.setdefault(run.policy, []).append(rep)
            if config.mode == "arrivals":
                w = workloads[s]
                timelines.setdefault(run.policy, []).append(timeline(run, w.events, w.times or (), config.timeline))
            if log:
                log(f"{run.policy} seed {s}: {rep.pods_placed}/{rep.pods_total} placed, "
                    f"{run.schedule_seconds:.1f} s")
    return ReplayResult(config, trace, target, cluster, workloads, runs, reports, notes,
                        time.perf_counter() - t0, timelines)


# -- writing -----------------------------------------------------------------------------

def report_markdown(result: ReplayResult, plots: Sequence[str] = (), command: str | None = None) -> str:
    c = result.config
    cl = result.cluster
    w0 = next(iter(result.workloads.values()))
    lines = [f"# kubekit replay: {c.trace} ({c.mode})", ""]
    lines += [f"- **Trace:** {result.trace.source}" + ("" if c.path else " — the bundled sample"),
              f"- **Cluster:** {len(cl):,} nodes, {cl.total_gpu_milli // 1000:,} GPUs, "
              f"{int(cl.cpu_capacity.sum()) / 1000:,.0f} cores, {int(cl.memory_capacity.sum()) / 2**30:,.0f} GiB",
              f"- **Workload:** {w0.originals:,} pods from the trace"
              + (f" + {len(w0.pods) - w0.originals:,} clones (inflated to {c.ratio:g}× the GPU capacity)"
                 if c.mode == "inflate" else "")
              + (f", {len(w0.events):,} events" if c.mode == "arrivals" else ""),
              f"- **Mode:** {c.mode}" + (f", order {c.order}" if c.mode == "static" else ""),
              f"- **Policies:** {', '.join(result.runs)}; scoring {c.scoring}; ties {c.tie_break}; "
              f"seeds {', '.join(map(str, c.seeds))}",
              f"- **Target workload** (fragmentation): {result.target.describe(0).splitlines()[0]} "
              f"(popularity {c.popularity}%)"]
    if command:
        lines.append(f"- **Command:** `{command}`")
    lines += [f"- **Time:** {result.seconds:.1f} s in all"]
    lines += [f"- Note: {n}" for n in result.notes]
    snap = "the end of the replay" if c.mode != "arrivals" else \
        "the first moment of peak load (`nodes`: the most in use at any time)"
    lines += ["", "## Results", "",
              f"Read at {snap}"
              + (" (mean over seeds)" if c.repeat > 1 else "")
              + ". `nodes`: in use / in the cluster; `bound`: no placement of the pods running then uses fewer "
                "nodes (kubekit.packing lower bounds); `gap` = nodes/bound − 1; `unalloc GPU`: GPUs not "
                "allocated; `frag GPU`: GPUs fragmented for the target workload; `pods/s`: scheduling decisions "
                "per second of Filter+Score+bind.", "",
              markdown_table(result.summary())]
    if c.repeat > 1:
        lines += ["### Every run", "", markdown_table([r for rs in result.reports.values() for r in rs],
                                                      seed_column=True)]
    if result.timelines:
        lines += ["## Timeline", "",
                  f"The replay in {c.timeline} windows of trace time: what arrived, was placed, could not be placed "
                  "and departed in each, and the state at its end"
                  + (" (first seed)" if c.repeat > 1 else "") + ".", ""]
        for name, tls in result.timelines.items():
            lines += [f"### {name}", "", timeline_markdown(tls[0], result.time_means(name))]
    lines += ["### Lower bounds", ""]
    for name, rs in result.reports.items():
        lines.append(f"- {name}: " + "; ".join(f"seed {r.seed}: {fmt_bounds(r.bounds)}" for r in rs))
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{os.path.splitext(os.path.basename(p))[0]}]({os.path.basename(p)})" for p in plots]
    lines += ["", "## Target workload", "", "```", result.target.describe(40), "```", ""]
    return "\n".join(lines) + "\n"


def write_report(result: ReplayResult, out_dir: str, *, command: str | None = None, plots: bool = True) -> list[str]:
    """Write ``report.md``, ``results.json`` and the PNG plots into
    ``out_dir``; returns the paths written."""
    from kubekit.replay.plots import plot_curves, plot_timeline

    os.makedirs(out_dir, exist_ok=True)
    pngs: list[str] = []
    title = f"{result.config.trace} ({result.config.mode})"
    if plots:
        if result.config.mode == "arrivals":
            times = next(iter(result.workloads.values())).times or ()
            pngs = plot_timeline(result.runs, times, out_dir, title=title)
        else:
            pngs = plot_curves(result.runs, out_dir, title=title)
    md = os.path.join(out_dir, "report.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write(report_markdown(result, pngs, command))
    js = os.path.join(out_dir, "results.json")
    data = {
        "config": asdict(result.config),
        "summary": [r.as_dict() for r in result.summary()],
        "runs": [r.as_dict() for rs in result.reports.values() for r in rs],
        "curves": {name: [dict(zip(("x", "fragmented", "unallocated"), (v.tolist() for v in curve(run))),
                               seed=run.seed) for run in runs]
                   for name, runs in result.runs.items()} if result.config.mode != "arrivals" else {},
        "notes": result.notes,
        "timeline": {name: [dict(seed=run.seed, points=[p.as_dict() for p in tl], means=time_means(
            run, result.workloads[run.seed].times or ())) for run, tl in zip(result.runs[name], tls)]
            for name, tls in result.timelines.items()},
    }
    with open(js, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, default=str)
    return [md, js, *pngs]
