"""FGD through the Cython index (``kubekit._fast._pack.FgdIndex``).

:class:`FGDKernel` is a drop-in for :class:`~kubekit.packing.gpu.policies.FGD`
(its plain-Python/numpy twin, tested to make the same placements): same
scores (exact or the simulator's truncation), same GPU choice, same host
selection with either tie rule.  Instead of scoring every feasible node per
pod, it asks the index for the best node of the pod's *shape*; the index
re-scores only the nodes that changed since that shape was last asked (see
the kernel's docstring and ``docs/replay.md``).

The simulator's truncation ``⌊100·sigmoid(Δ/(1000·W))⌋`` is a
non-decreasing step function of the integer decrease ``Δ``; the kernel gets
its 100 steps as integer thresholds found by bisection with the twin's own
numpy function (:func:`simulator_thresholds`), so both sides truncate
identically, without the kernel calling ``exp``.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from kubekit.packing.gpu.frag import FragTable
from kubekit.packing.gpu.model import MILLI, GpuCluster, GpuPackingError, GpuPod
from kubekit.packing.gpu.policies import FGD, MAX_SCORE, fgd_quantize

DEFAULT_SLOT_BYTES = 256 << 20
"""The least memory for the per-shape trees (12 bytes per tree entry, about
8/7 N entries per slot: ``fgd_slot_bytes``) when the budget is chosen automatically (see :func:`slot_budget`)."""
MAX_SLOTS = 4096


MAX_SLOT_BYTES = 2 << 30


def slot_budget() -> int:
    """The default tree budget: :data:`MAX_SLOT_BYTES`, or a quarter of the
    machine's memory if that is less (never under :data:`DEFAULT_SLOT_BYTES`).
    The trees are allocated uninitialised and slots are taken in order as pod
    shapes appear, so only the slots of the shapes in use cost memory (about
    14 bytes per node per shape); a shape without a slot costs an O(N)
    rebuild every time it returns."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return DEFAULT_SLOT_BYTES
    return max(DEFAULT_SLOT_BYTES, min(MAX_SLOT_BYTES, physical // 4))


def simulator_thresholds(total_weight: int, bound: int) -> np.ndarray:
    """``thr[k - 1]`` (k = 1..100): the smallest integer ``Δ`` in
    ``[-bound, bound]`` with ``fgd_quantize(Δ) >= k`` (``bound + 1`` if none;
    ``INT64_MIN`` if every ``Δ`` qualifies).  For ``|Δ| <= bound``,
    ``fgd_quantize(Δ)`` is then the number of thresholds ``<= Δ``."""
    k = np.arange(1, MAX_SCORE + 1, dtype=np.int64)
    lo = np.full(MAX_SCORE, -bound - 1, dtype=np.int64)       # q(lo) < k, by convention at -bound-1
    hi = np.full(MAX_SCORE, bound + 1, dtype=np.int64)        # q(hi) >= k, by convention at bound+1
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            break
        mid = lo + (hi - lo) // 2
        ok = fgd_quantize(mid, total_weight) >= k
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid, lo)
    return np.where(hi <= -bound, np.iinfo(np.int64).min, hi)


def _models_ok(cluster: GpuCluster, models: tuple[str, ...] | None) -> np.ndarray:
    """Column 0: a node without GPU; column k + 1: model k (as ``GpuCluster.model_mask``)."""
    ok = np.zeros(len(cluster.models) + 1, dtype=np.uint8)
    if models is None:
        ok[:] = 1
    else:
        for k, m in enumerate(cluster.models):
            ok[k + 1] = m in models
    return ok


def build_index(cluster: GpuCluster, frag: FragTable, scoring: str, pos: np.ndarray,
                slot_bytes: int | None = None, state_capacity: int = 0):
    """An ``FgdIndex`` over ``cluster``'s live arrays for ``frag``'s target
    workload, leaves in ``pos`` order; it listens to the cluster's changes.
    It gets the cluster's ``pods_on`` always (``place`` counts the pods it
    binds), and its storage and pod limits when the cluster has any."""
    from kubekit._fast._pack import FgdIndex, fgd_slot_bytes

    t = frag.target
    n_models = len(cluster.models)
    access = np.zeros((len(t.shapes), n_models + 1), dtype=np.uint8)
    for m, s in enumerate(t.shapes):
        access[m] = _models_ok(cluster, s.gpu_models) if s.gpu_count else 1
    thr = None
    if scoring == "simulator":
        thr = simulator_thresholds(t.total_weight, max(t.total_weight, 1) * MILLI * max(cluster.max_gpus, 1))
    if slot_bytes is None:
        slot_bytes = slot_budget()
    slots = int(min(MAX_SLOTS, max(1, slot_bytes // fgd_slot_bytes(len(cluster)))))
    index = FgdIndex(cluster.cpu_left, cluster.memory_left, cluster.gpu_left, cluster.model, n_models,
                     frag.t_cpu, frag.t_milli, frag.t_count, frag.t_weight, access, pos, thr, slots,
                     state_capacity, storage_left=cluster.storage_left if cluster.has_storage_limit else None,
                     pods_on=cluster.pods_on, pod_limit=cluster.pod_limit if cluster.has_pod_limit else None)
    cluster.listeners.append(index.node_changed)
    return index


class FGDKernel(FGD):
    """FGD with the Cython index (its twin: :class:`FGD`).  Used through
    :class:`~kubekit.packing.gpu.schedule.GpuScheduler`, which calls
    :meth:`set_ties` once and then :meth:`choose` per pod."""

    engine = "kernel"
    slot_bytes: int | None = None
    """Memory for the index's per-shape trees; None: :func:`slot_budget`
    (tests shrink it to one slot)."""
    state_capacity: int = 0
    """Node states the index interns before it refills its table from the
    nodes' current states; 0: four per node (tests shrink it to force refills)."""

    def setup(self, cluster, frag, rng) -> None:
        super().setup(cluster, frag, rng)
        self.index = None
        self._shape_ids: dict[tuple, int] = {}
        self._kinds: list[str] = []                             # GPU-pod kinds (GpuPod.kind) seen so far
        self._shape_kind = np.zeros(0, dtype=np.int64)          # per shape: index into _kinds, -1 without GPU

    def set_ties(self, rank: np.ndarray | None) -> None:
        """``rank``: the seeded node order (``order`` ties); ``None``: ties
        by node index, drawn uniformly by :meth:`choose`'s generator."""
        c = self._c()
        assert self.frag is not None
        pos = np.arange(len(c), dtype=np.int64) if rank is None else np.asarray(rank, dtype=np.int64)
        self.index = build_index(c, self.frag, self.scoring, pos, self.slot_bytes, self.state_capacity)

    def _shape(self, pod: GpuPod) -> int:
        key = (pod.cpu_milli, pod.memory_bytes, pod.gpu_count, pod.gpu_milli, pod.gpu_models,
               pod.ephemeral_storage_bytes, pod.node_group)
        sid = self._shape_ids.get(key)
        if sid is None:
            c = self._c()
            sid = self.index.add_shape(pod.cpu_milli, pod.memory_bytes, pod.gpu_count, pod.gpu_milli,
                                       _models_ok(c, pod.gpu_models), c.eligible(pod),
                                       pod.ephemeral_storage_bytes if c.has_storage_limit else 0)
            self._shape_ids[key] = sid
            kind = -1
            if pod.gpu_count:
                if pod.kind not in self._kinds:
                    self._kinds.append(pod.kind)
                kind = self._kinds.index(pod.kind)
            self._shape_kind = np.append(self._shape_kind, np.int64(kind))
        return sid

    def choose(self, pod: GpuPod, rng: np.random.Generator | None = None) -> tuple[int, tuple[int, ...]] | None:
        """The node and GPUs for ``pod`` (``None``: no node fits).  With
        ``rng``, ties are uniform among the best nodes in index order (one
        draw, only when there is a tie), as ``select_host`` does."""
        if self.index is None:
            raise GpuPackingError("FGDKernel.choose before set_ties()")
        sid = self._shape(pod)
        node, ties = self.index.best(sid)
        if node < 0:
            return None
        if ties > 1 and rng is not None:
            node = self.index.kth(sid, int(rng.integers(ties)))
        return node, self.index.gpus(sid, node)

    def place_batch(self, pods: Sequence[GpuPod]) -> tuple[np.ndarray, np.ndarray]:
        """Place ``pods`` one after the other in one kernel call, as
        :meth:`choose` with ``order`` ties followed by ``GpuCluster.bind``
        would, and bind them: ``(node, gpus)`` with ``node[i]`` pod ``i``'s
        node (-1: no node fits) and ``gpus[i, :gpu_count]`` its GPUs
        (ascending, -1 after)."""
        if self.index is None:
            raise GpuPackingError("FGDKernel.place_batch before set_ties()")
        c = self._c()
        sid = np.fromiter((self._shape(p) for p in pods), dtype=np.int64, count=len(pods))
        node = np.empty(len(pods), dtype=np.int64)
        gpus = np.empty((len(pods), max(c.max_gpus, 1)), dtype=np.int64)
        self.index.place(sid, c.cpu_left, c.memory_left, c.gpu_left, node, gpus)
        c.record_binds(node, self._shape_kind[sid], self._kinds, self.index.node_changed)
        return node, gpus

    def score(self, pod: GpuPod, nodes: np.ndarray) -> np.ndarray:
        """The batch scores, computed by the kernel node by node (tests)."""
        if self.index is None:
            self.set_ties(None)
        sid = self._shape(pod)
        out = np.empty(len(nodes), dtype=np.int64)
        for j, n in enumerate(np.asarray(nodes).tolist()):
            r = self.index.score(sid, n)
            if r is None:
                raise GpuPackingError(f"pod does not fit node {n}")
            out[j] = r[0]
        return out

    def select_gpus(self, node: int, pod: GpuPod) -> tuple[int, ...]:
        if self.index is None:
            self.set_ties(None)
        return self.index.gpus(self._shape(pod), node)
