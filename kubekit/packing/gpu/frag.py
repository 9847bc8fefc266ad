"""GPU fragmentation against a target workload (Weng et al., USENIX ATC'23).

**Target workload.**  The distribution of the pods a cluster expects:
"typical" pod shapes ``m = (cpu_milli, gpu_milli, gpu_count, gpu_models)``
with a weight ``w_m`` each (how many pods of that shape the workload has).
:meth:`TargetWorkload.from_pods` follows the FGD simulator's
``GetTypicalPods`` (popularity threshold 95 %, step 1, CPU pods included):
shapes sorted by count, most frequent first, are taken until they cover at
least 95 % of the pods.  Weights stay integer counts; the simulator divides
them by their sum, which scales every fragmentation by the same constant.

**Node fragmentation for one task shape ``m``** (``F_n(m)``, thousandths of
a GPU).  With ``L`` the GPU share left on node ``n`` in total:

- ``m`` asks for no GPU: ``L`` (a CPU task cannot use idle GPUs at all);
- the node's GPU model is not one ``m`` accepts: ``L``;
- the node cannot host ``m`` — fewer than ``gpu_count`` GPUs with
  ``gpu_milli`` left each, or less CPU left than ``m`` asks: ``L``;
- otherwise ``m`` fits, and the fragment is the share left on the GPUs
  too small for it: ``Σ_g left_g`` over GPUs with ``left_g < gpu_milli``.

Memory plays no part (as in the paper and its simulator).

**Node fragmentation** ``F_n = Σ_m w_m · F_n(m)`` (units: thousandths of a
GPU times pods); **cluster fragmentation** ``Σ_n F_n``; in GPUs it is
``Σ_n F_n / (1000 · Σ_m w_m)`` — the expected number of idle GPUs a task
drawn from the target workload could not use.

FGD places a pod where ``F_n`` grows least (:func:`fgd_delta`).
:class:`FragTable` keeps ``F_n`` for every node and the per-shape pieces it
is made of, updated when a node changes, so FGD scores all candidate nodes
in one numpy pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np

from kubekit.packing.gpu.model import MILLI, GpuCluster, GpuNode, GpuPackingError, GpuPod, model_allows

DEFAULT_POPULARITY = 95
"""Percent of the workload's pods the typical shapes must cover (the simulator's default)."""


@dataclass(frozen=True, slots=True)
class TaskShape:
    """One typical pod shape of the target workload and its weight (a count)."""

    cpu_milli: int
    gpu_milli: int
    gpu_count: int
    gpu_models: tuple[str, ...] | None
    weight: int

    @property
    def key(self) -> tuple:
        return (self.cpu_milli, self.gpu_milli, self.gpu_count, self.gpu_models)


def shape_key(pod: GpuPod) -> tuple:
    return (pod.cpu_milli, pod.gpu_milli, pod.gpu_count, pod.gpu_models)


def _order_key(item: tuple[tuple, int]) -> tuple:
    """Sorted descending by this: count, then CPU, share, GPU count, model list."""
    (cpu, milli, count, models), n = item
    return (n, cpu, milli, count, "|".join(models or ()))


@dataclass(frozen=True, slots=True)
class TargetWorkload:
    """Typical task shapes with integer weights (see the module docstring)."""

    shapes: tuple[TaskShape, ...]

    def __post_init__(self) -> None:
        for s in self.shapes:
            if s.weight <= 0:
                raise GpuPackingError(f"task shape {s.key} has weight {s.weight}: expected > 0")

    @property
    def total_weight(self) -> int:
        return sum(s.weight for s in self.shapes)

    def __len__(self) -> int:
        return len(self.shapes)

    @classmethod
    def of(cls, shapes: Iterable[tuple[GpuPod, int]]) -> "TargetWorkload":
        """From ``(pod, weight)`` pairs (table tests, hand-made workloads)."""
        return cls(tuple(TaskShape(p.cpu_milli, p.gpu_milli, p.gpu_count, p.gpu_models, int(w)) for p, w in shapes))

    @classmethod
    def from_pods(cls, pods: Iterable[GpuPod], *, popularity: int = DEFAULT_POPULARITY,
                  include_cpu_pods: bool = True) -> "TargetWorkload":
        """The typical shapes of ``pods``: by count, most frequent first
        (ties: larger CPU, share, GPU count, then model list first), until they
        cover at least ``popularity`` percent of the pods."""
        if not 0 < popularity <= 100:
            raise GpuPackingError(f"popularity {popularity}: expected a percent in (0, 100]")
        counts = Counter(shape_key(p) for p in pods if include_cpu_pods or p.gpu_count)
        total = sum(counts.values())
        chosen: list[TaskShape] = []
        covered = 0
        for key, n in sorted(counts.items(), key=_order_key, reverse=True):
            if covered * 100 >= popularity * total:
                break
            cpu, milli, count, models = key
            chosen.append(TaskShape(cpu, milli, count, models, n))
            covered += n
        return cls(tuple(chosen))

    def describe(self, limit: int = 10) -> str:
        w = self.total_weight
        lines = [f"{len(self.shapes)} typical shapes, {w} pods"]
        for s in self.shapes[:limit]:
            gpu = "cpu only" if s.gpu_count == 0 else f"{s.gpu_count} x {s.gpu_milli}m GPU"
            models = f" ({'|'.join(s.gpu_models)})" if s.gpu_models else ""
            lines.append(f"  {100 * s.weight / w:5.1f}%  cpu {s.cpu_milli}m, {gpu}{models}")
        if len(self.shapes) > limit:
            lines.append(f"  ... {len(self.shapes) - limit} more")
        return "\n".join(lines)


# -- the pure definitions ------------------------------------------------------------

def shape_fragment(node: GpuNode, shape: TaskShape) -> int:
    """``F_n(m)``: the GPU share (thousandths) on ``node`` that a task of
    ``shape`` cannot use (see the module docstring for the four cases)."""
    left = node.gpu_milli_left
    total = sum(left)
    if shape.gpu_milli == 0:
        return total
    if not model_allows(node.gpu_model, shape.gpu_models):
        return total
    if sum(1 for g in left if g >= shape.gpu_milli) < shape.gpu_count or node.cpu_milli_left < shape.cpu_milli:
        return total
    return sum(g for g in left if g < shape.gpu_milli)


def node_fragmentation(node: GpuNode, target: TargetWorkload) -> int:
    """``F_n = Σ_m w_m · F_n(m)`` (thousandths of a GPU times pods)."""
    return sum(s.weight * shape_fragment(node, s) for s in target.shapes)


def fragmented_gpus(total: int, target: TargetWorkload) -> Fraction:
    """A fragmentation total (sum of :func:`node_fragmentation`) in GPUs."""
    w = target.total_weight
    return Fraction(total, MILLI * w) if w else Fraction(0)


def fgd_delta(node: GpuNode, pod: GpuPod, gpus: Sequence[int], target: TargetWorkload) -> int:
    """How much ``F_n`` grows when the pod takes ``gpus`` on ``node``
    (negative when it shrinks).  FGD places the pod where this is least."""
    from kubekit.packing.gpu.model import subtract

    return node_fragmentation(subtract(node, pod, gpus), target) - node_fragmentation(node, target)


# -- the batch table ------------------------------------------------------------------

class FragTable:
    """``F_n`` for every node of a :class:`GpuCluster`, kept up to date as
    nodes change (it registers itself as a listener), with the pieces FGD
    needs to score hypothetical placements without copying nodes:

    - ``L[n]``: GPU share left;
    - ``H[n, m]``: GPUs with at least shape ``m``'s share left;
    - ``S[n, m]``: share left on the GPUs with less than that;
    - ``frag[n]``: ``F_n``.
    """

    def __init__(self, cluster: GpuCluster, target: TargetWorkload, *, kernel: bool = True) -> None:
        self.cluster = cluster
        self.target = target
        shapes = target.shapes
        self.t_cpu = np.array([s.cpu_milli for s in shapes], dtype=np.int64)
        self.t_milli = np.array([s.gpu_milli for s in shapes], dtype=np.int64)
        self.t_count = np.array([s.gpu_count for s in shapes], dtype=np.int64)
        self.t_weight = np.array([s.weight for s in shapes], dtype=np.int64)
        self.t_cpu_only = self.t_milli == 0
        # access[n, m]: node n's model is one shape m accepts (CPU-only shapes: irrelevant)
        self.access = np.stack([cluster.model_mask(s.gpu_models) if s.gpu_count else np.ones(len(cluster), bool)
                                for s in shapes], axis=1) if shapes else np.zeros((len(cluster), 0), bool)
        n = len(cluster)
        self.L = np.zeros(n, dtype=np.int64)
        self.H = np.zeros((n, len(shapes)), dtype=np.int64)
        self.S = np.zeros((n, len(shapes)), dtype=np.int64)
        self.frag = np.zeros(n, dtype=np.int64)
        self._total = 0
        self._refresh(np.arange(n))
        # one node at a time (every bind and unbind): the Cython twin of _refresh, unless kernel=False
        self._rows = None
        if kernel:
            from kubekit._fast._pack import FragRows

            self._rows = FragRows(cluster.cpu_left, cluster.gpu_left, self.access, self.t_cpu, self.t_milli,
                                  self.t_count, self.t_weight, self.L, self.H, self.S, self.frag)
        cluster.listeners.append(self.node_changed)

    @property
    def total(self) -> int:
        """Cluster fragmentation ``Σ_n F_n`` (kept as nodes change)."""
        return self._total

    def gpus(self) -> Fraction:
        """Cluster fragmentation in GPUs."""
        return fragmented_gpus(self.total, self.target)

    def node_changed(self, i: int) -> None:
        if self._rows is not None:
            self._total += self._rows.refresh(i)
        else:
            self._refresh(np.array([i]))

    def _refresh(self, idx: np.ndarray) -> None:
        c = self.cluster
        left = c.gpu_left[idx]                                   # k × G
        ge = left[:, :, None] >= self.t_milli[None, None, :]     # k × G × T
        self.L[idx] = left.sum(axis=1)
        self.H[idx] = ge.sum(axis=1)
        self.S[idx] = np.where(ge, 0, left[:, :, None]).sum(axis=1)
        new = self._frag(idx, c.cpu_left[idx], self.L[idx], self.H[idx], self.S[idx])
        self._total += int(new.sum()) - int(self.frag[idx].sum())
        self.frag[idx] = new

    def _frag(self, nodes: np.ndarray, cpu_left: np.ndarray, L: np.ndarray, H: np.ndarray,
              S: np.ndarray) -> np.ndarray:
        """``F`` for rows of (node, cpu left, L, H, S); ``nodes`` gives the
        model access row of each."""
        ok = (~self.t_cpu_only)[None, :] & self.access[nodes] & (H >= self.t_count[None, :]) \
            & (cpu_left[:, None] >= self.t_cpu[None, :])
        per_shape = np.where(ok, S, L[:, None])
        return per_shape @ self.t_weight

    def frag_after(self, nodes: np.ndarray, cpu_milli: int, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        """``F`` of each node in ``nodes`` after it gives ``cpu_milli`` and
        its GPUs change from shares ``old[p, j]`` to ``new[p, j]`` (one row
        per candidate, one column per GPU the pod takes)."""
        L = self.L[nodes] - (old - new).sum(axis=1)
        tm = self.t_milli[None, None, :]
        o, w = old[:, :, None], new[:, :, None]
        H = self.H[nodes] + ((w >= tm).astype(np.int64) - (o >= tm)).sum(axis=1)
        S = self.S[nodes] + (np.where(w < tm, w, 0) - np.where(o < tm, o, 0)).sum(axis=1)
        return self._frag(nodes, self.cluster.cpu_left[nodes] - cpu_milli, L, H, S)
