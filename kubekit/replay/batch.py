"""FFD and BFD (``kubekit.packing.batch``, the Cython ``Packer``) as replay
policies, next to the GPU-sharing score plugins.

They are *batch* algorithms: they see every pod at once and place them in
decreasing size, so they run in the ``static`` and ``inflate`` modes only.
``ffd`` and ``bfd`` are order ``max`` (the largest normalized resource
first) and, for best fit, the dot-product fit; ``ffd-<order>`` and
``bfd-<order>-<fit>`` choose others, as :mod:`kubekit.packing.heuristics`
names them (orders ``max``, ``sum``, ``product``, ``none``; fits ``dot``,
``l2``, ``most``): ``--policy ffd-sum,bfd-max-l2``.  ``arrivals`` places each pod when it arrives and
frees it when it departs; an algorithm that sorts the whole workload first
has no meaning there (it would place pods before they arrive), so it is
refused (:func:`check_mode`).

A run: the pods become a :class:`~kubekit.packing.PackingProblem` (cpu_milli,
memory_bytes and gpu_milli, the GPU column in the kernel's GPU-share model:
a share of one GPU or whole GPUs), the GPU-model constraints become
feasibility groups, and pods that fit no node even when it is empty are left
out (unplaced).  The kernel packs them; the replay then binds every pod, in
the order the kernel placed them, on the node it chose, with the GPUs the
kernel's model takes (the tightest GPU that has the share, lowest index on
ties; whole GPUs: the lowest-indexed free ones, i.e.
:func:`~kubekit.packing.gpu.least_sufficient_gpus`), so the cluster state,
its fragmentation and every metric are computed as for the other policies.
``GpuCluster.bind`` re-checks every pod's fit, so a disagreement between the
kernel's model and the cluster's would raise.  Its curves follow that order
(decreasing size), not the workload's.  ``pods/s``: pods over the seconds of
building the kernel's index, packing and binding.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from kubekit.packing.gpu import MILLI, GpuCluster, GpuPackingError, GpuPod, least_sufficient_gpus, policy_names

BATCH_POLICIES: dict[str, str] = {"ffd": "FFD", "bfd": "BFD"}
"""Replay names of the batch algorithms with their default order and fit
(lower-case spelling -> name); :func:`batch_policy` also takes an order and
a fit."""


def batch_policy(name: str) -> str | None:
    """The canonical name of a batch policy (``FFD``, ``BFD``, ``FFD-sum``,
    ``BFD-max-l2``, ...), or None if ``name`` is not one.  A malformed
    ``ffd-...``/``bfd-...`` is an error naming the choices."""
    from kubekit.packing.heuristics import FITS, ORDERS

    low = name.strip().lower()
    if low in BATCH_POLICIES:
        return BATCH_POLICIES[low]
    alg, _, rest = low.partition("-")
    if alg not in BATCH_POLICIES or not rest:
        return None
    parts = rest.split("-")
    want = 1 if alg == "ffd" else 2
    if len(parts) != want or parts[0] not in ORDERS or (alg == "bfd" and parts[1] not in FITS):
        raise GpuPackingError(f"batch policy {name!r}: expected ffd-<order> or bfd-<order>-<fit> with an order "
                              f"of {', '.join(ORDERS)} and a fit of {', '.join(FITS)}")
    return "-".join([alg.upper(), *parts])


def batch_args(policy: str) -> tuple[str, str, str | None]:
    """``(algorithm, order, fit)`` of a canonical batch policy name."""
    alg, *rest = policy.split("-")
    if alg not in ("FFD", "BFD"):
        raise GpuPackingError(f"invalid batch policy {policy!r}: expected FFD, BFD, FFD-<order> or "
                              f"BFD-<order>-<fit>")
    order = rest[0] if rest else "max"
    fit = (rest[1] if len(rest) > 1 else "dot") if alg == "BFD" else None
    return alg.lower(), order, fit


def is_batch(policy: str) -> bool:
    """Whether a canonical policy name is one of the batch algorithms."""
    return policy.split("-")[0] in BATCH_POLICIES.values()


def replay_policy_names(names: Sequence[str]) -> list[str]:
    """Canonical names, in the order given: the batch ones (``ffd``,
    ``bfd``) and the score plugins' (:func:`~kubekit.packing.gpu.policy_names`;
    ``all`` = every score plugin)."""
    out: list[str] = []
    for s in (s.strip() for s in names):
        if s:
            batch = batch_policy(s)
            out += [n for n in ([batch] if batch else policy_names(s)) if n not in out]
    if not out:
        raise GpuPackingError("no policy given")
    return out


def check_mode(policies: Sequence[str], mode: str) -> None:
    """Refuse the batch policies in ``arrivals`` mode (see the module doc)."""
    batch = [p for p in policies if is_batch(p)]
    if batch and mode == "arrivals":
        raise GpuPackingError(f"{', '.join(batch)} pack a whole set of pods at once, largest first; mode 'arrivals' "
                              "places each pod when it arrives and frees it when it departs, which a batch "
                              "algorithm cannot do: use mode 'static' or 'inflate' for them")


class BatchPlan:
    """The kernel's placement of ``pods`` on ``cluster`` (empty), bound pod
    by pod through :meth:`place` in :attr:`order` (the scheduler interface
    the replay engine drives)."""

    def __init__(self, cluster: GpuCluster, pods: Sequence[GpuPod], policy: str, *,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        from kubekit.packing import PackingProblem
        from kubekit.packing.batch import prepare

        algorithm, order, fit = batch_args(policy)
        for p in pods:
            if p.gpu_count > 1 and p.gpu_milli < MILLI:
                raise GpuPackingError(f"pod {p.name!r} asks for {p.gpu_count} GPUs with {p.gpu_milli}/1000 each: "
                                      f"the batch kernel's GPU model has a share of one GPU or whole GPUs only; "
                                      f"{policy} cannot place it")
        self.cluster = cluster
        self.pods = pods
        self.label = policy
        t0 = clock()
        n = len(pods)
        demands = np.array([[p.cpu_milli, p.memory_bytes, p.gpu_total_milli] for p in pods],
                           dtype=np.int64).reshape(n, 3)
        caps = np.stack([cluster.cpu_capacity, cluster.memory_capacity, MILLI * cluster.gpu_count], axis=1)
        models = sorted({p.gpu_models for p in pods if p.gpu_count and p.gpu_models is not None})
        group_of = {m: g + 1 for g, m in enumerate(models)}               # group 0: any node
        groups = np.array([group_of.get(p.gpu_models, 0) if p.gpu_count else 0 for p in pods], dtype=np.int64)
        allowed = np.stack([np.ones(len(cluster), dtype=bool)] + [cluster.model_mask(m) for m in models])
        # pods that fit no empty node are left unplaced (PackingProblem refuses them)
        alone = ((demands[:, None, :] <= caps[None, :, :]).all(axis=2) & allowed[groups]).any(axis=1) \
            if len(cluster) else np.zeros(n, dtype=bool)
        keep = np.flatnonzero(alone)
        problem = PackingProblem(demands[keep], caps, allowed=allowed, item_groups=groups[keep],
                                 resources=("cpu_milli", "memory_bytes", "gpu_milli"), overflow=True)
        prepared = prepare(problem, gpu_share="gpu_milli")
        placement = prepared.place(algorithm, order=order, fit=fit)
        self.node = np.full(n, -1, dtype=np.int64)
        self.node[keep] = placement.assignment
        kernel_order = keep[prepared.item_order(order)]
        self.order = np.concatenate([kernel_order, np.setdiff1d(np.arange(n), keep)])
        """Pod indices in the order the kernel placed them (then the pods that fit no node)."""
        self.seconds = clock() - t0
        """Building the problem and the index, and packing."""
        self._next = 0

    def place(self, pod: GpuPod):
        """Bind the next pod of :attr:`order` (``pod`` must be it) where the kernel put it."""
        i = int(self.order[self._next])
        if self.pods[i] is not pod:
            raise GpuPackingError(f"BatchPlan.place: pod {pod.name!r} out of the plan's order")
        self._next += 1
        b = int(self.node[i])
        if b < 0:
            return None
        c = self.cluster
        return c.bind(b, pod, least_sufficient_gpus(c.gpu_left[b, :c.gpu_count[b]].tolist(), pod))

    def remove(self, pod: GpuPod, binding) -> None:
        raise GpuPackingError(f"{self.label} is a batch policy: pods do not depart")


__all__ = ["BATCH_POLICIES", "BatchPlan", "batch_args", "batch_policy", "check_mode", "is_batch",
           "replay_policy_names"]
