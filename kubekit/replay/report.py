"""Per-policy reports: the numbers, the text table, the markdown page.

Every number is read at one *snapshot* of the run: its end for ``static``
and ``inflate``; for ``arrivals`` the first moment of peak load (the most
GPU allocated, or CPU when the replay has no GPU pods).  At the snapshot:

- ``nodes_used`` — the most nodes running at least one pod at any time
  (for static and inflate, the nodes in use at the end);
- ``lower_bound`` — no placement of the pods running at the snapshot fits
  on fewer nodes (:func:`kubekit.packing.lower_bounds` over CPU, memory and
  GPU thousandths: the volume bound at least, plus the LP with ``lp=True``;
  per-GPU shares and GPU models are relaxed away, which keeps it valid), so
  ``nodes_used >= lower_bound`` for every policy;
  ``gap = (nodes_used − lower_bound) / lower_bound``;
- ``utilization`` — allocated / capacity per resource;
- ``unallocated_gpus`` — GPU capacity not allocated, in GPUs;
- ``fragmented_gpus`` — the cluster's fragmentation against the target
  workload, in GPUs (:mod:`kubekit.packing.gpu.frag`).

``pods_placed + pods_unplaced == pods_total`` (arrivals counted once).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Sequence

import numpy as np

from kubekit.packing import PackingProblem, lower_bounds
from kubekit.packing.gpu import MILLI, GpuCluster
from kubekit.replay.engine import Run, node_capacities, pod_demands

RESOURCES = ("cpu", "memory", "gpu")


@dataclass(frozen=True)
class PolicyReport:
    policy: str
    seed: int
    pods_total: int
    pods_placed: int
    pods_unplaced: int
    snapshot: str
    nodes_used: int
    nodes_total: int
    lower_bound: int
    bounds: dict[str, int | None]
    gap: float | None
    utilization: dict[str, float]
    gpus_total: float
    unallocated_gpus: float
    fragmented_gpus: float
    pods_per_s: float
    schedule_seconds: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def snapshot_event(run: Run, mode: str) -> int:
    """The event the report reads: the last one, or for ``arrivals`` the
    first of peak load."""
    if len(run.nodes) == 0:
        return -1
    if mode != "arrivals":
        return len(run.nodes) - 1
    return int(np.argmax(run.alloc_gpu if run.resource == "gpu" else run.alloc_cpu))


def node_lower_bound(cluster: GpuCluster, pods, alive: np.ndarray, *, lp: bool = False) -> tuple[int, dict]:
    """A lower bound on the nodes that can hold the pods ``alive`` (and the
    individual bounds), from :mod:`kubekit.packing.bounds`."""
    if len(alive) == 0:
        return 0, {"volume": 0}
    problem = PackingProblem(pod_demands(pods, alive), node_capacities(cluster),
                             resources=("cpu_milli", "memory_bytes", "gpu_milli"))
    b = lower_bounds(problem, "bins", lp=lp)
    d = {k: v for k, v in b.as_dict().items() if k in ("volume", "l2", "clique", "spread", "lp")}
    return b.best, d


def summarize(run: Run, pods, cluster: GpuCluster, mode: str, *, lp: bool = False) -> PolicyReport:
    """The :class:`PolicyReport` of a run (``cluster`` is only read for its
    capacities and node count)."""
    e = snapshot_event(run, mode)
    total = int((run.arrived_at >= 0).sum())
    placed = run.placed
    cap = run.capacity
    if e >= 0:
        alive = run.alive_at(e)
        nodes_used = int(run.nodes.max())
        alloc = {"cpu": int(run.alloc_cpu[e]), "memory": int(run.alloc_memory[e]), "gpu": int(run.alloc_gpu[e])}
        frag = int(run.frag[e])
    else:
        alive = np.zeros(0, dtype=np.int64)
        nodes_used, alloc, frag = 0, {"cpu": 0, "memory": 0, "gpu": 0}, 0
    lb, bounds = node_lower_bound(cluster, pods, alive, lp=lp)
    capk = {"cpu": cap["cpu_milli"], "memory": cap["memory_bytes"], "gpu": cap["gpu_milli"]}
    util = {r: (alloc[r] / capk[r] if capk[r] else 0.0) for r in RESOURCES}
    frag_gpus = float(Fraction(frag, MILLI * run.target_weight)) if run.target_weight else 0.0
    gap = None if lb == 0 else (nodes_used - lb) / lb
    return PolicyReport(
        policy=run.policy, seed=run.seed, pods_total=total, pods_placed=placed, pods_unplaced=total - placed,
        snapshot="peak" if mode == "arrivals" else "end", nodes_used=nodes_used, nodes_total=run.nodes_total,
        lower_bound=lb, bounds=bounds, gap=gap, utilization=util, gpus_total=capk["gpu"] / MILLI,
        unallocated_gpus=(capk["gpu"] - alloc["gpu"]) / MILLI, fragmented_gpus=frag_gpus,
        pods_per_s=run.pods_per_s, schedule_seconds=run.schedule_seconds)


def mean_reports(reports: Sequence[PolicyReport]) -> PolicyReport:
    """The mean of several seeds' reports of one policy (``seed`` = -1 when
    there is more than one)."""
    if len(reports) == 1:
        return reports[0]
    r0 = reports[0]

    def m(attr: str) -> float:
        return float(np.mean([getattr(r, attr) for r in reports]))

    gaps = [r.gap for r in reports if r.gap is not None]
    return PolicyReport(
        policy=r0.policy, seed=-1, pods_total=round(m("pods_total")), pods_placed=round(m("pods_placed")),
        pods_unplaced=round(m("pods_total")) - round(m("pods_placed")), snapshot=r0.snapshot,
        nodes_used=round(m("nodes_used")), nodes_total=r0.nodes_total, lower_bound=round(m("lower_bound")),
        bounds={}, gap=float(np.mean(gaps)) if gaps else None,
        utilization={k: float(np.mean([r.utilization[k] for r in reports])) for k in RESOURCES},
        gpus_total=r0.gpus_total, unallocated_gpus=m("unallocated_gpus"), fragmented_gpus=m("fragmented_gpus"),
        pods_per_s=m("pods_per_s"), schedule_seconds=m("schedule_seconds"),
        extra={"seeds": [r.seed for r in reports],
               "unallocated_gpus_sd": float(np.std([r.unallocated_gpus for r in reports])),
               "fragmented_gpus_sd": float(np.std([r.fragmented_gpus for r in reports]))})


COLUMNS = ("policy", "placed", "unplaced", "nodes", "bound", "gap", "cpu%", "mem%", "gpu%", "unalloc GPU",
           "frag GPU", "pods/s")


def _row(r: PolicyReport) -> list[str]:
    gap = "–" if r.gap is None else f"{100 * r.gap:.1f}%"
    return [r.policy, f"{r.pods_placed:,}", f"{r.pods_unplaced:,}", f"{r.nodes_used:,}/{r.nodes_total:,}",
            f"{r.lower_bound:,}", gap, f"{100 * r.utilization['cpu']:.1f}", f"{100 * r.utilization['memory']:.1f}",
            f"{100 * r.utilization['gpu']:.1f}", f"{r.unallocated_gpus:,.1f}", f"{r.fragmented_gpus:,.1f}",
            f"{r.pods_per_s:,.0f}"]


def text_table(reports: Sequence[PolicyReport]) -> str:
    """An aligned plain-text table, one row per report."""
    rows = [list(COLUMNS)] + [_row(r) for r in reports]
    widths = [max(len(row[c]) for row in rows) for c in range(len(COLUMNS))]
    out = []
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [row[c].rjust(widths[c]) for c in range(1, len(COLUMNS))]
        out.append("  ".join(cells))
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(reports: Sequence[PolicyReport], *, seed_column: bool = False) -> str:
    head = (["seed"] if seed_column else []) + list(COLUMNS)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in reports:
        lines.append("| " + " | ".join(([str(r.seed)] if seed_column else []) + _row(r)) + " |")
    return "\n".join(lines) + "\n"


def curve(run: Run, *, max_percent: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, frag, unalloc)``: for every integer ``x`` = arrived workload in
    percent of the cluster's capacity of the curve resource, the mean over
    the events at that (rounded) point of fragmented and of unallocated GPU
    (or CPU) in percent of capacity; a point with no event borrows its
    neighbours ±1, as the FGD artifact's analysis does.  Points with neither
    are left out."""
    capm = run.capacity["gpu_milli"] if run.resource == "gpu" else run.capacity["cpu_milli"]
    if capm == 0 or len(run.arrived) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    pct = np.floor(100 * run.arrived / capm + 0.5).astype(np.int64)
    alloc = run.alloc_gpu if run.resource == "gpu" else run.alloc_cpu
    un = 100 * (capm - alloc) / capm
    fr = 100 * run.frag / (run.target_weight * capm) if run.target_weight and run.resource == "gpu" \
        else np.zeros(len(run.frag))
    top = int(pct.max()) if max_percent is None else max_percent
    xs, fs, us = [], [], []
    for x in range(0, top + 1):
        sel = pct == x
        if not sel.any():
            sel = (pct >= x - 1) & (pct <= x + 1)
            if not sel.any():
                continue
        xs.append(x)
        fs.append(float(fr[sel].mean()))
        us.append(float(un[sel].mean()))
    return np.array(xs), np.array(fs), np.array(us)


@dataclass(frozen=True)
class TimelinePoint:
    """One window ``[start_s, end_s)`` of an ``arrivals`` replay (the last
    window includes ``end_s``): what happened in it, and the state at its
    end (after its last event; a window without events carries the state
    before it)."""

    start_s: int
    end_s: int
    arrived: int
    placed: int
    unplaced: int
    departed: int
    running: int                 # pods running at the end
    nodes: int                   # nodes in use at the end
    nodes_peak: int              # the most nodes in use at any event of the window
    utilization: dict[str, float]
    unallocated_gpus: float
    fragmented_gpus: float

    def as_dict(self) -> dict:
        return asdict(self)


def timeline(run: Run, events: Sequence[tuple[int, int]], times: Sequence[int], points: int = 12
             ) -> list[TimelinePoint]:
    """The replay cut into ``points`` equal windows of trace time (fewer when
    the trace spans fewer seconds), from the first event's time to the
    last's.  ``events``/``times`` are the workload's."""
    from kubekit.replay.workload import ARRIVE

    if points < 1:
        raise ValueError(f"timeline points {points}: expected >= 1")
    n = len(events)
    if n == 0:
        return []
    t = np.asarray(times, dtype=np.int64)
    kind = np.array([k for k, _ in events], dtype=np.int64)
    pod = np.array([i for _, i in events], dtype=np.int64)
    k_idx = np.arange(n)
    arrive = kind == ARRIVE
    placed = arrive & (run.node[pod] >= 0)
    departed = ~arrive & (run.left_at[pod] == k_idx)
    running = np.cumsum(placed.astype(np.int64) - departed.astype(np.int64))
    t0, t1 = int(t[0]), int(t[-1])
    span = t1 - t0
    k = max(1, min(points, span)) if span else 1
    bounds = [t0 + -(-span * j // k) for j in range(k + 1)]
    lo_idx = np.searchsorted(t, bounds[:-1], side="left")
    hi_idx = np.searchsorted(t, bounds[1:], side="left")
    hi_idx[-1] = n
    cap = run.capacity
    capk = {"cpu": cap["cpu_milli"], "memory": cap["memory_bytes"], "gpu": cap["gpu_milli"]}
    out = []
    for j in range(k):
        lo, hi = int(lo_idx[j]), int(hi_idx[j])
        e = hi - 1                                    # state after the window's last event (-1: none yet)
        alloc = {"cpu": int(run.alloc_cpu[e]), "memory": int(run.alloc_memory[e]), "gpu": int(run.alloc_gpu[e])} \
            if e >= 0 else {"cpu": 0, "memory": 0, "gpu": 0}
        frag = int(run.frag[e]) if e >= 0 else 0
        out.append(TimelinePoint(
            start_s=bounds[j], end_s=bounds[j + 1], arrived=int(arrive[lo:hi].sum()), placed=int(placed[lo:hi].sum()),
            unplaced=int((arrive[lo:hi] & ~placed[lo:hi]).sum()), departed=int(departed[lo:hi].sum()),
            running=int(running[e]) if e >= 0 else 0, nodes=int(run.nodes[e]) if e >= 0 else 0,
            nodes_peak=int(run.nodes[lo:hi].max()) if hi > lo else (int(run.nodes[e]) if e >= 0 else 0),
            utilization={r: (alloc[r] / capk[r] if capk[r] else 0.0) for r in RESOURCES},
            unallocated_gpus=(capk["gpu"] - alloc["gpu"]) / MILLI,
            fragmented_gpus=float(Fraction(frag, MILLI * run.target_weight)) if run.target_weight else 0.0))
    return out


def time_means(run: Run, times: Sequence[int]) -> dict[str, float]:
    """Means over trace time (each event's state weighted by the seconds
    until the next event): utilization per resource, nodes in use and
    fragmented GPUs.  Empty when the trace spans no time."""
    t = np.asarray(times, dtype=np.int64)
    if len(t) < 2 or t[-1] == t[0]:
        return {}
    w = np.diff(t).astype(np.float64)
    span = float(t[-1] - t[0])
    cap = run.capacity
    out = {}
    for r, series, c in (("cpu", run.alloc_cpu, cap["cpu_milli"]), ("memory", run.alloc_memory, cap["memory_bytes"]),
                         ("gpu", run.alloc_gpu, cap["gpu_milli"])):
        out[r] = float((series[:-1] * w).sum() / span / c) if c else 0.0
    out["nodes"] = float((run.nodes[:-1] * w).sum() / span)
    out["fragmented_gpus"] = float((run.frag[:-1] * w).sum() / span / (MILLI * run.target_weight)) \
        if run.target_weight else 0.0
    return out


def timeline_markdown(points: Sequence[TimelinePoint], means: dict[str, float] | None = None) -> str:
    head = ("from (s)", "to (s)", "arrived", "placed", "unplaced", "departed", "running", "nodes", "peak nodes",
            "cpu%", "mem%", "gpu%", "unalloc GPU", "frag GPU")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---:"] * len(head)) + "|"]
    for p in points:
        u = p.utilization
        cells = [f"{p.start_s:,}", f"{p.end_s:,}", f"{p.arrived:,}", f"{p.placed:,}", f"{p.unplaced:,}",
                 f"{p.departed:,}", f"{p.running:,}", f"{p.nodes:,}", f"{p.nodes_peak:,}", f"{100 * u['cpu']:.1f}",
                 f"{100 * u['memory']:.1f}", f"{100 * u['gpu']:.1f}", f"{p.unallocated_gpus:,.1f}",
                 f"{p.fragmented_gpus:,.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if means:
        lines += ["", f"Means over trace time: cpu {100 * means['cpu']:.1f}%, memory {100 * means['memory']:.1f}%, "
                      f"gpu {100 * means['gpu']:.1f}%, {means['nodes']:,.1f} nodes in use, "
                      f"{means['fragmented_gpus']:,.1f} fragmented GPUs."]
    return "\n".join(lines) + "\n"


def fmt_bounds(bounds: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in bounds.items() if v is not None)


def percent(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.1f}%"
