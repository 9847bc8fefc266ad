"""PNG plots of replays (matplotlib, Agg backend: no display needed).

- :func:`plot_curves` — fragmented and unallocated GPU (or CPU) in percent
  of capacity against the arrived workload in percent of capacity, one line
  per policy (the mean over seeds): the FGD paper's figures.
- :func:`plot_timeline` — for arrival/departure replays, allocation,
  fragmentation and nodes in use over trace time.
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np

from kubekit.replay.engine import Run
from kubekit.replay.report import curve


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def mean_curve(runs: Sequence[Run]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Curves of several seeds averaged on their common points."""
    cs = [curve(r) for r in runs]
    common = set(cs[0][0].tolist())
    for c in cs[1:]:
        common &= set(c[0].tolist())
    xs = np.array(sorted(common))
    f = np.mean([[dict(zip(c[0].tolist(), c[1]))[x] for x in xs] for c in cs], axis=0) if len(xs) else xs
    u = np.mean([[dict(zip(c[0].tolist(), c[2]))[x] for x in xs] for c in cs], axis=0) if len(xs) else xs
    return xs, np.asarray(f, dtype=float), np.asarray(u, dtype=float)


def plot_curves(runs: Mapping[str, Sequence[Run]], out_dir: str, *, title: str = "") -> list[str]:
    """Write ``fragmented.png`` (GPU only) and ``unallocated.png``; returns the paths."""
    plt = _plt()
    first = next(iter(runs.values()))[0]
    res = first.resource.upper()
    paths = []
    kinds = [("unallocated", 2, f"unallocated {res} (% of capacity)")]
    if first.resource == "gpu":
        kinds.insert(0, ("fragmented", 1, "fragmented GPU (% of capacity)"))
    for name, col, ylabel in kinds:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
        top = 0.0
        lo, hi = float("inf"), 0.0
        for policy, rs in runs.items():
            c = mean_curve(rs)
            if len(c[0]):
                ax.plot(c[0], c[col], label=policy, linewidth=1.6)
                top = max(top, float(c[0][-1]))
                tail = c[col][c[0] >= 80]
                if len(tail):
                    lo, hi = min(lo, float(tail.min())), max(hi, float(tail.max()))
        if name == "unallocated" and top >= 100 and hi > 0:     # the interesting part: the cluster fills up
            ax.set_xlim(80, top + 1)
            ax.set_ylim(max(lo - 1, 0), hi + 1)
        ax.set_xlabel(f"arrived workload (% of cluster {res} capacity)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        if title:
            ax.set_title(title, fontsize=10)
        fig.tight_layout()
        path = os.path.join(out_dir, f"{name}.png")
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def plot_timeline(runs: Mapping[str, Sequence[Run]], times: Sequence[int], out_dir: str, *,
                  title: str = "") -> list[str]:
    """Write ``timeline.png``: allocation (and fragmentation) in percent of
    capacity and nodes in use against trace time (hours), first seed of
    each policy."""
    plt = _plt()
    t = (np.asarray(times, dtype=float) - float(times[0])) / 3600 if len(times) else np.zeros(0)
    first = next(iter(runs.values()))[0]
    gpu = first.resource == "gpu"
    rows = 3 if gpu else 2
    fig, axes = plt.subplots(rows, 1, figsize=(6.8, 2.4 * rows), dpi=110, sharex=True)
    for policy, rs in runs.items():
        r = rs[0]
        capm = r.capacity["gpu_milli"] if gpu else r.capacity["cpu_milli"]
        alloc = r.alloc_gpu if gpu else r.alloc_cpu
        axes[0].plot(t, 100 * alloc / max(capm, 1), label=policy, linewidth=1.0)
        if gpu:
            axes[1].plot(t, 100 * r.frag / max(r.target_weight * capm, 1), label=policy, linewidth=1.0)
        axes[-1].plot(t, r.nodes, label=policy, linewidth=1.0)
    axes[0].set_ylabel(f"allocated {'GPU' if gpu else 'CPU'} %")
    if gpu:
        axes[1].set_ylabel("fragmented GPU %")
    axes[-1].set_ylabel("nodes in use")
    axes[-1].set_xlabel("trace time (hours)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        axes[0].set_title(title, fontsize=10)
    fig.tight_layout()
    path = os.path.join(out_dir, "timeline.png")
    fig.savefig(path)
    plt.close(fig)
    return [path]
