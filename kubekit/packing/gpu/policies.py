"""GPU-sharing placement policies as kube-scheduler style score plugins.

Every policy is a Score plugin (higher is better) over the nodes that pass
the Filter (:meth:`GpuCluster.feasible`), plus the Reserve step that picks
which GPUs of the chosen node the pod gets.  The scheduler
(:class:`kubekit.packing.gpu.schedule.GpuScheduler`) takes a node with the
highest score and breaks ties.

The six policies of the FGD paper, defined as in its simulator
(``hkust-adsl/kubernetes-scheduler-simulator``, ``pkg/simulator/plugin``).
``L`` is the GPU share left on the node (thousandths), ``g`` the pod's GPU
request in total (``gpu_count * gpu_milli``):

- **FGD** — the node (and for a sharing pod the GPU) where the node's
  fragmentation against the target workload grows least:
  ``F_n(before) − F_n(after)`` (:mod:`kubekit.packing.gpu.frag`).
- **BestFit** — the least resources left after placing, CPU and GPU
  weighted equally after normalising by the largest node the simulator
  assumes (128 cores, 8 GPUs): minimise ``(cpu_left − cpu) + 16·(L − g)``.
- **DotProduct** — with CPU and total GPU as the two dimensions, normalised
  the same way, the node whose *free* vector has the smallest dot product
  with the request: minimise ``cpu_left·cpu + 256·L·g`` (the simulator
  scores ``1 − dot/2``, so a larger dot product scores lower).
- **Packing** (GpuPacking) — tiers: a pod that fits on partly used GPUs
  scores ``100 − Σ⌊left·100/1000⌋/10`` (at least 50); one that needs free
  GPUs on a used node ``50 − free GPUs taken`` (at least 33); a node whose
  GPUs are all free ``max(33 − free GPUs, free GPUs)``.  CPU pods: 0
  everywhere.
- **Clustering** (GpuClustering) — pods of the same kind (``share``,
  ``1-gpu``, ``2-gpu``...) together: ``⌊25·(8000 − L)/8000⌋`` plus 75 on a
  node holding only that kind, 50 on a node holding it among others, 25 on a
  node without GPU pods, 0 otherwise.  CPU pods: 0 everywhere.
- **Random** — a feasible node drawn uniformly (seeded) scores 100, the
  others 0; a sharing pod gets a random GPU that fits.

GPU selection: FGD picks the GPU with the best score (lowest index among
equal ones); Random a uniformly random sufficient GPU; the others the
fullest GPU that still fits ("best").  A whole-GPU pod always takes the
first free GPUs by index.

**Exact or simulator scores.**  kubekit's default scores are the exact
integers above.  The simulator truncates FGD, BestFit and DotProduct scores
to integers 0–100 (``⌊100·sigmoid(Δ/1000)⌋`` for FGD, with the weights
normalised to sum to 1), which turns near-ties into random choices;
``scoring="simulator"`` reproduces that truncation (floating point, as the
simulator computes it).  Packing and Clustering are integers already.

Each policy has a pure scalar function over :class:`GpuNode` values (table
tests) and a batch ``score`` over node indices (the engine), tested to
agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Sequence

import numpy as np

from kubekit.packing.gpu.frag import FragTable, TargetWorkload, node_fragmentation
from kubekit.packing.gpu.model import (
    MILLI, GpuCluster, GpuNode, GpuPackingError, GpuPod, least_sufficient_gpus, subtract,
)

MAX_SPEC_CPU = 128_000
"""The simulator's normalising CPU (millicores): the largest node it assumes."""
MAX_SPEC_GPU = 8 * MILLI
"""The simulator's normalising GPU share (8 GPUs)."""
GPU_WEIGHT = MAX_SPEC_CPU // MAX_SPEC_GPU          # 16: one thousandth of a GPU weighs 16 millicores
MAX_SCORE = 100
SCORINGS = ("exact", "simulator")


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# -- pure scalar scores -----------------------------------------------------------------

def fgd_score(node: GpuNode, pod: GpuPod, target: TargetWorkload, *,
              scoring: str = "exact") -> tuple[int, tuple[int, ...]]:
    """FGD's score and GPU choice.  Exact: ``F_n − F_n'`` (the decrease of
    the node's fragmentation; higher is better).  Simulator:
    ``⌊100·sigmoid((F_n − F_n')/(1000·W))⌋`` with ``W`` the target's total
    weight.  A sharing pod tries every GPU it fits on and keeps the best
    (lowest index among equal scores); other pods take
    :func:`least_sufficient_gpus`."""
    before = node_fragmentation(node, target)
    w = target.total_weight or 1

    def score(gpus: tuple[int, ...]) -> int:
        d = before - node_fragmentation(subtract(node, pod, gpus), target)
        return d if scoring == "exact" else int(MAX_SCORE * _sigmoid(d / (MILLI * w)))

    if pod.sharing:
        best: tuple[int, tuple[int, ...]] | None = None
        for i, g in enumerate(node.gpu_milli_left):
            if g >= pod.gpu_milli:
                s = score((i,))
                if best is None or s > best[0]:
                    best = (s, (i,))
        if best is None:
            raise GpuPackingError(f"sharing pod needs {pod.gpu_milli} on one GPU, node has {node.gpu_milli_left}")
        return best
    gpus = least_sufficient_gpus(node.gpu_milli_left, pod)
    return score(gpus), gpus


def best_fit_score(node: GpuNode, pod: GpuPod, *, scoring: str = "exact") -> int:
    """BestFit.  Exact: ``−((cpu_left − cpu) + 16·(L − g))``.  Simulator:
    ``⌊100·(1 − ½(cpu_left − cpu)/128000 − ½(L − g)/8000)⌋``."""
    cpu_rest = node.cpu_milli_left - pod.cpu_milli
    gpu_rest = node.gpu_left_total - pod.gpu_total_milli
    if scoring == "exact":
        return -(cpu_rest + GPU_WEIGHT * gpu_rest)
    return int((1.0 - (cpu_rest / MAX_SPEC_CPU * 0.5 + gpu_rest / MAX_SPEC_GPU * 0.5)) * MAX_SCORE)


def dot_product_score(node: GpuNode, pod: GpuPod, *, scoring: str = "exact") -> int:
    """DotProduct (the simulator's: CPU and total GPU, normalised by 128
    cores and 8 GPUs, smaller dot product of free and requested is better).
    Exact: ``−(cpu_left·cpu + 256·L·g)``.  Simulator:
    ``⌊100·(1 − (cpu_left·cpu/128000² + L·g/8000²)/2)⌋``."""
    if scoring == "exact":
        return -(node.cpu_milli_left * pod.cpu_milli + GPU_WEIGHT * GPU_WEIGHT * node.gpu_left_total
                 * pod.gpu_total_milli)
    dot = (node.cpu_milli_left / MAX_SPEC_CPU) * (pod.cpu_milli / MAX_SPEC_CPU) \
        + (node.gpu_left_total / MAX_SPEC_GPU) * (pod.gpu_total_milli / MAX_SPEC_GPU)
    return int(MAX_SCORE * (1.0 - dot / 2))


def gpu_packing_score(node: GpuNode, pod: GpuPod) -> int:
    """GpuPacking's tiers (integers, as the simulator computes them)."""
    if pod.gpu_count == 0:
        return 0
    left = node.gpu_milli_left
    free = node.free_gpus
    if free == len(left):
        return max(MAX_SCORE // 3 - free, free)
    gpus = least_sufficient_gpus(left, pod)
    free_used = sum(1 for i in gpus if left[i] == MILLI)
    if free_used:
        return max(MAX_SCORE // 2 - free_used, MAX_SCORE // 3)
    ratio = sum(left[i] * 100 // MILLI for i in gpus)
    return max(MAX_SCORE - ratio // 10, MAX_SCORE // 2)


def gpu_clustering_score(node: GpuNode, kinds: Mapping[str, int], pod: GpuPod) -> int:
    """GpuClustering (integers, as the simulator computes them); ``kinds``
    counts the GPU pods on the node by :attr:`GpuPod.kind`."""
    if pod.gpu_count == 0:
        return 0
    present = {k for k, v in kinds.items() if v > 0}
    base = (MAX_SCORE // 4) * (MAX_SPEC_GPU - node.gpu_left_total) // MAX_SPEC_GPU
    if pod.kind in present:
        return base + (MAX_SCORE * 3 // 4 if len(present) == 1 else MAX_SCORE // 2)
    return base + (MAX_SCORE // 4 if not present else 0)


# -- the plugins (batch) --------------------------------------------------------------------

class ScorePlugin:
    """A placement policy: ``score`` every candidate node for a pod (an
    int64 array, higher is better) and ``select_gpus`` on the chosen node.
    ``setup`` is called once with the cluster, the fragmentation table of the
    target workload and the seeded generator."""

    name: ClassVar[str] = ""
    uses_scoring: ClassVar[bool] = False

    def __init__(self, scoring: str = "exact") -> None:
        if scoring not in SCORINGS:
            raise GpuPackingError(f"invalid scoring {scoring!r}: expected one of {', '.join(SCORINGS)}")
        self.scoring = scoring
        self.cluster: GpuCluster | None = None
        self.frag: FragTable | None = None
        self.rng: np.random.Generator = np.random.default_rng(0)

    @property
    def label(self) -> str:
        return self.name + ("[sim]" if self.uses_scoring and self.scoring == "simulator" else "")

    def setup(self, cluster: GpuCluster, frag: FragTable | None, rng: np.random.Generator) -> None:
        self.cluster, self.frag, self.rng = cluster, frag, rng

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def select_gpus(self, node: int, pod: GpuPod) -> tuple[int, ...]:
        c = self._c()
        return least_sufficient_gpus(c.gpu_left[node, :int(c.gpu_count[node])].tolist(), pod)

    def _c(self) -> GpuCluster:
        if self.cluster is None:
            raise GpuPackingError(f"policy {self.name} used before setup()")
        return self.cluster


class Random(ScorePlugin):
    """One feasible node drawn uniformly scores 100, the others 0 (the
    simulator's RandomScore PreScore), so the tie rule never matters."""

    name = "Random"

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        s = np.zeros(len(nodes), dtype=np.int64)
        s[self.rng.integers(len(nodes))] = MAX_SCORE
        return s

    def select_gpus(self, node: int, pod: GpuPod) -> tuple[int, ...]:
        if not pod.sharing:
            return super().select_gpus(node, pod)
        c = self._c()
        ok = np.flatnonzero(c.gpu_left[node, :int(c.gpu_count[node])] >= pod.gpu_milli)
        return (int(ok[self.rng.integers(len(ok))]),)


def _trunc(x: np.ndarray) -> np.ndarray:
    return np.trunc(x).astype(np.int64)


def fgd_quantize(decrease: np.ndarray, total_weight: int) -> np.ndarray:
    """The simulator's FGD score of fragmentation decreases (an int64
    array): ``⌊100·sigmoid(Δ/(1000·W))⌋``, in numpy floating point."""
    x = decrease / (MILLI * max(total_weight, 1))
    return _trunc(MAX_SCORE / (1.0 + np.exp(-x)))


class BestFit(ScorePlugin):
    name = "BestFit"
    uses_scoring = True

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        c = self._c()
        cpu_rest = c.cpu_left[nodes] - pod.cpu_milli
        gpu_rest = c.gpu_left[nodes].sum(axis=1) - pod.gpu_total_milli
        if self.scoring == "exact":
            return -(cpu_rest + GPU_WEIGHT * gpu_rest)
        return _trunc((1.0 - (cpu_rest / MAX_SPEC_CPU * 0.5 + gpu_rest / MAX_SPEC_GPU * 0.5)) * MAX_SCORE)


class DotProduct(ScorePlugin):
    name = "DotProduct"
    uses_scoring = True

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        c = self._c()
        cpu_left = c.cpu_left[nodes]
        gpu_left = c.gpu_left[nodes].sum(axis=1)
        if self.scoring == "exact":
            return -(cpu_left * pod.cpu_milli + GPU_WEIGHT * GPU_WEIGHT * gpu_left * pod.gpu_total_milli)
        dot = (cpu_left / MAX_SPEC_CPU) * (pod.cpu_milli / MAX_SPEC_CPU) \
            + (gpu_left / MAX_SPEC_GPU) * (pod.gpu_total_milli / MAX_SPEC_GPU)
        return _trunc(MAX_SCORE * (1.0 - dot / 2))


class GpuPacking(ScorePlugin):
    name = "Packing"

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        if pod.gpu_count == 0:
            return np.zeros(len(nodes), dtype=np.int64)
        c = self._c()
        left = c.gpu_left[nodes]
        free = (left == MILLI).sum(axis=1)
        all_free = np.maximum(MAX_SCORE // 3 - free, free)
        if pod.sharing:
            least = np.where(left >= pod.gpu_milli, left, MILLI + 1).min(axis=1)
            shared = np.maximum(MAX_SCORE - (least * 100 // MILLI) // 10, MAX_SCORE // 2)
            tier = np.where(least == MILLI, max(MAX_SCORE // 2 - 1, MAX_SCORE // 3), shared)
        elif pod.gpu_milli == MILLI:
            tier = np.full(len(nodes), max(MAX_SCORE // 2 - pod.gpu_count, MAX_SCORE // 3), dtype=np.int64)
        else:   # several partial GPUs: not in OpenB; the scalar rule per node
            tier = np.array([gpu_packing_score(c.node(int(n)), pod) for n in nodes], dtype=np.int64)
        return np.where(free == c.gpu_count[nodes], all_free, tier).astype(np.int64)


class GpuClustering(ScorePlugin):
    name = "Clustering"

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        if pod.gpu_count == 0:
            return np.zeros(len(nodes), dtype=np.int64)
        c = self._c()
        base = (MAX_SCORE // 4) * (MAX_SPEC_GPU - c.gpu_left[nodes].sum(axis=1)) // MAX_SPEC_GPU
        kind = pod.kind
        bonus = np.empty(len(nodes), dtype=np.int64)
        for j, n in enumerate(nodes.tolist()):
            kinds = c.affinity[n]
            if kinds.get(kind, 0) > 0:
                bonus[j] = MAX_SCORE * 3 // 4 if len(kinds) == 1 else MAX_SCORE // 2
            else:
                bonus[j] = MAX_SCORE // 4 if not kinds else 0
        return base + bonus


class FGD(ScorePlugin):
    """Fragmentation Gradient Descent (needs the fragmentation table)."""

    name = "FGD"
    uses_scoring = True

    def setup(self, cluster: GpuCluster, frag: FragTable | None, rng: np.random.Generator) -> None:
        if frag is None:
            raise GpuPackingError("FGD needs a target workload (a fragmentation table)")
        super().setup(cluster, frag, rng)
        self._choice: tuple[GpuPod, dict[int, tuple[int, ...]]] | None = None

    def _quantize(self, decrease: np.ndarray) -> np.ndarray:
        if self.scoring == "exact":
            return decrease
        assert self.frag is not None
        return fgd_quantize(decrease, self.frag.target.total_weight)

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        c, f = self._c(), self.frag
        assert f is not None
        if pod.sharing:
            left = c.gpu_left[nodes]
            rows, cols = np.nonzero(left >= pod.gpu_milli)     # row-major: by node, then GPU index
            cand = nodes[rows]
            old = left[rows, cols][:, None]
            after = f.frag_after(cand, pod.cpu_milli, old, old - pod.gpu_milli)
            s = self._quantize(f.frag[cand] - after)
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            best = np.maximum.reduceat(s, starts)
            counts = np.diff(np.r_[starts, len(rows)])
            hit = np.flatnonzero(s == np.repeat(best, counts))
            seg = np.repeat(np.arange(len(starts)), counts)[hit]
            _, first = np.unique(seg, return_index=True)
            gpu = cols[hit[first]]
            self._choice = (pod, {int(n): (int(g),) for n, g in zip(nodes[rows[starts]].tolist(), gpu.tolist())})
            return best
        k = pod.gpu_count
        if k == 0:
            old = np.zeros((len(nodes), 0), dtype=np.int64)
            new = old
        elif pod.gpu_milli == MILLI:
            old = np.full((len(nodes), k), MILLI, dtype=np.int64)
            new = np.zeros_like(old)
        else:   # several partial GPUs: the least sufficient ones (not in OpenB)
            left = c.gpu_left[nodes]
            old = np.array([[left[j, i] for i in least_sufficient_gpus(left[j, :int(c.gpu_count[n])].tolist(), pod)]
                            for j, n in enumerate(nodes.tolist())], dtype=np.int64).reshape(len(nodes), k)
            new = old - pod.gpu_milli
        self._choice = None
        return self._quantize(f.frag[nodes] - f.frag_after(nodes, pod.cpu_milli, old, new))

    def select_gpus(self, node: int, pod: GpuPod) -> tuple[int, ...]:
        if pod.sharing:
            if self._choice is not None and self._choice[0] is pod and node in self._choice[1]:
                return self._choice[1][node]
            assert self.frag is not None
            return fgd_score(self._c().node(node), pod, self.frag.target, scoring=self.scoring)[1]
        return super().select_gpus(node, pod)


POLICIES: dict[str, type[ScorePlugin]] = {
    "FGD": FGD, "BestFit": BestFit, "DotProduct": DotProduct, "Packing": GpuPacking, "Clustering": GpuClustering,
    "Random": Random,
}
"""The policies by name, in the paper's order of presentation (FGD first)."""

_ALIASES = {k.lower(): k for k in POLICIES} | {"dotprod": "DotProduct", "gpupacking": "Packing",
                                               "gpuclustering": "Clustering", "best-fit": "BestFit",
                                               "dot-product": "DotProduct"}


def policy_names(spec: str | Sequence[str]) -> list[str]:
    """Canonical policy names from ``"all"``, ``"fgd,bestfit"`` or a list
    (case-insensitive; ``dotprod``, ``gpupacking``, ``gpuclustering`` are
    accepted)."""
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
    if items == ["all"]:
        return list(POLICIES)
    out = []
    for s in items:
        name = _ALIASES.get(s.lower())
        if name is None:
            raise GpuPackingError(f"unknown policy {s!r}: expected one of {', '.join(POLICIES)} or 'all'")
        if name not in out:
            out.append(name)
    if not out:
        raise GpuPackingError("no policy given")
    return out


ENGINES: tuple[str, ...] = ("kernel", "python")
"""How FGD is computed: the Cython index (``kubekit.packing.gpu.fgd_kernel``)
or the plain-Python/numpy twin (:class:`FGD`).  Same placements."""


def make_policy(name: str, scoring: str = "exact", engine: str = "kernel") -> ScorePlugin:
    """A fresh plugin by (case-insensitive) name.  ``engine`` picks FGD's
    implementation (the other policies have only one)."""
    if engine not in ENGINES:
        raise GpuPackingError(f"invalid engine {engine!r}: expected one of {', '.join(ENGINES)}")
    canonical = policy_names(name)[0]
    if canonical == "FGD" and engine == "kernel":
        from kubekit.packing.gpu.fgd_kernel import FGDKernel

        return FGDKernel(scoring)
    return POLICIES[canonical](scoring)
