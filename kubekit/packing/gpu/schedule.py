"""One scheduling cycle per pod: Filter, Score, select the host, Reserve, bind.

**Ties.**  Two rules, both seeded:

- ``order`` (default) — the nodes get a random order once, from the seed;
  among equal scores the node first in that order wins.  This is what the
  FGD paper's experiments do: its Kubernetes fork (``mental2008/kubernetes``
  v1.20.5-minor, ``selectHost``) keeps the lexicographically smallest node
  name "for reproducibility", and its simulator prefixes every node name
  with a seeded random permutation index.  Ties then resolve like first-fit
  over a shuffled node list, which packs.
- ``random`` — upstream kube-scheduler's ``selectHost``: uniform among the
  nodes with the highest score (reservoir sampling there, one draw here).

With one feasible node there is no scoring (as in kube-scheduler).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from kubekit.packing.gpu.frag import FragTable
from kubekit.packing.gpu.model import Binding, GpuCluster, GpuPackingError, GpuPod
from kubekit.packing.gpu.policies import FGD, ScorePlugin

TIE_BREAKS: tuple[str, ...] = ("order", "random")


def select_host(nodes: np.ndarray, scores: np.ndarray, *, rank: np.ndarray | None = None,
                rng: np.random.Generator | None = None) -> int:
    """The chosen node among ``nodes`` (ascending indices) with ``scores``:
    the highest score; ties to the smallest ``rank[node]`` when a rank is
    given, else uniformly with ``rng`` (else the lowest index)."""
    if len(nodes) == 0:
        raise GpuPackingError("select_host: no candidate nodes")
    best = nodes[scores == scores.max()]
    if len(best) == 1:
        return int(best[0])
    if rank is not None:
        return int(best[np.argmin(rank[best])])
    if rng is not None:
        return int(best[rng.integers(len(best))])
    return int(best[0])


class GpuScheduler:
    """Schedules pods one at a time onto ``cluster`` with ``policy``.

    ``seed`` seeds two independent streams: the node order (``order`` ties)
    and the draws of the cycle (``random`` ties, Random's choices)."""

    def __init__(self, cluster: GpuCluster, policy: ScorePlugin, *, frag: FragTable | None = None, seed: int = 0,
                 tie_break: str = "order") -> None:
        if tie_break not in TIE_BREAKS:
            raise GpuPackingError(f"invalid tie_break {tie_break!r}: expected one of {', '.join(TIE_BREAKS)}")
        self.cluster = cluster
        self.policy = policy
        self.tie_break = tie_break
        order_seq, draw_seq = np.random.SeedSequence(seed).spawn(2)
        self.rng = np.random.default_rng(draw_seq)
        perm = np.random.default_rng(order_seq).permutation(len(cluster))
        self.rank = np.empty(len(cluster), dtype=np.int64)
        self.rank[perm] = np.arange(len(cluster))
        policy.setup(cluster, frag, self.rng)
        # a policy with its own index (the FGD kernel) picks the host itself, with the same tie rule
        self._choose = getattr(policy, "choose", None)
        if self._choose is not None:
            policy.set_ties(self.rank if tie_break == "order" else None)

    def place(self, pod: GpuPod) -> Binding | None:
        """Schedule and bind one pod; ``None`` when no node fits it."""
        c = self.cluster
        if self._choose is not None:
            chosen = self._choose(pod, self.rng if self.tie_break == "random" else None)
            return None if chosen is None else c.bind(chosen[0], pod, chosen[1])
        nodes = np.flatnonzero(c.feasible(pod))
        if len(nodes) == 0:
            return None
        if len(nodes) == 1:
            node = int(nodes[0])
            if isinstance(self.policy, FGD) and pod.sharing:
                self.policy.score(pod, nodes)   # its GPU choice
        else:
            scores = self.policy.score(pod, nodes)
            node = select_host(nodes, scores, rank=self.rank if self.tie_break == "order" else None, rng=self.rng)
        return c.bind(node, pod, self.policy.select_gpus(node, pod))

    def remove(self, pod: GpuPod, binding: Binding) -> None:
        self.cluster.unbind(pod, binding)

    @property
    def batched(self) -> bool:
        """:meth:`place_batch` runs in one kernel call (FGD's kernel with
        ``order`` ties); otherwise it calls :meth:`place` per pod."""
        return hasattr(self.policy, "place_batch") and self.tie_break == "order"

    def place_batch(self, pods: Sequence[GpuPod]) -> tuple[np.ndarray, np.ndarray]:
        """Schedule and bind ``pods`` in order, as :meth:`place` one by one
        would: ``(node, gpus)``, ``node[i]`` pod ``i``'s node (-1: none fits),
        ``gpus[i, :gpu_count]`` its GPUs ascending (-1 after)."""
        if self.batched:
            return self.policy.place_batch(pods)
        node = np.full(len(pods), -1, dtype=np.int64)
        gpus = np.full((len(pods), max(self.cluster.max_gpus, 1)), -1, dtype=np.int64)
        for i, p in enumerate(pods):
            b = self.place(p)
            if b is not None:
                node[i] = b.node
                gpus[i, :len(b.gpus)] = b.gpus
        return node, gpus

    def place_all(self, pods: Sequence[GpuPod]) -> list[Binding | None]:
        if not self.batched:
            return [self.place(p) for p in pods]
        node, gpus = self.place_batch(pods)
        return [None if n < 0 else Binding(n, tuple(g[:p.gpu_count])) for n, g, p in
                zip(node.tolist(), gpus.tolist(), pods)]
