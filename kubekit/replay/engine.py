"""Replay one workload under one policy and record what happened.

After every event the engine records the cluster's allocated CPU, memory
and GPU, its fragmentation against the target workload, the nodes in use,
and the cumulative request of the pods that have arrived so far.  Scheduling
time is measured around each placement only (Filter + Score + bind), so
``pods_per_s`` is the scheduler's speed, not the bookkeeping's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from kubekit.packing.gpu import (
    MILLI, Binding, FragTable, GpuCluster, GpuPackingError, GpuScheduler, TargetWorkload, make_policy,
    model_allows,
)
from kubekit.replay.batch import BatchPlan, check_mode, is_batch
from kubekit.replay.progress import Progress
from kubekit.replay.workload import ARRIVE, Workload


@dataclass(eq=False)
class Run:
    """One policy on one workload.  Series have one entry per event (the
    state after it).  ``node[i]`` / ``gpus[i]``: where pod ``i`` was placed
    (-1 / ``()`` if it was not); ``arrived_at[i]`` / ``left_at[i]``: the
    event index of its arrival and departure (-1: none)."""

    policy: str
    seed: int
    resource: str                    # "gpu" or "cpu": the resource curves are drawn against
    capacity: dict[str, int]
    nodes_total: int
    target_weight: int
    arrived: np.ndarray              # cumulative request of arrived pods, in the curve resource's unit
    alloc_cpu: np.ndarray
    alloc_memory: np.ndarray
    alloc_gpu: np.ndarray
    frag: np.ndarray                 # Σ_n F_n (thousandths of a GPU × pods of the target)
    nodes: np.ndarray                # nodes in use
    node: np.ndarray
    gpus: list[tuple[int, ...]]
    arrived_at: np.ndarray
    left_at: np.ndarray
    decisions: int
    schedule_seconds: float
    wall_seconds: float
    extra: dict = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return int((self.node >= 0).sum())

    @property
    def pods_per_s(self) -> float:
        return self.decisions / self.schedule_seconds if self.schedule_seconds > 0 else float("inf")

    def alive_at(self, event: int) -> np.ndarray:
        """Indices of the pods placed and still running after event ``event``."""
        ok = (self.node >= 0) & (self.arrived_at <= event) & ((self.left_at < 0) | (self.left_at > event))
        return np.flatnonzero(ok)


def curve_resource(cluster: GpuCluster, pods) -> str:
    """``gpu`` when the cluster has GPUs and some pod asks for one, else ``cpu``."""
    return "gpu" if cluster.total_gpu_milli > 0 and any(p.gpu_count for p in pods) else "cpu"


def run_policy(workload: Workload, make_cluster: Callable[[], GpuCluster], policy: str, *,
               target: TargetWorkload, scoring: str = "exact", seed: int = 0, tie_break: str = "order",
               engine: str = "kernel", progress: bool | None = None, label: str | None = None,
               clock: Callable[[], float] = time.perf_counter) -> Run:
    """Replay ``workload`` on a fresh cluster from ``make_cluster`` with
    ``policy`` (a name, see :data:`kubekit.packing.gpu.POLICIES`, or a
    batch algorithm (:func:`kubekit.replay.batch.batch_policy`), whose
    events then follow the order it placed the pods in); ``engine`` picks
    FGD's implementation (``kernel`` or its twin ``python``)."""
    cluster = make_cluster()
    frag = FragTable(cluster, target, kernel=engine == "kernel")     # python: the numpy twin throughout
    pods = workload.pods
    sched_s = 0.0
    if is_batch(policy):
        # packs every pod at once; the events follow the order it placed them (kubekit.replay.batch)
        check_mode([policy], "arrivals" if workload.times is not None else "static")
        sched = plugin = BatchPlan(cluster, pods, policy, clock=clock)
        sched_s = plugin.seconds
        workload = replace(workload, events=tuple((ARRIVE, int(i)) for i in plugin.order))
    else:
        plugin = make_policy(policy, scoring, engine)
        sched = GpuScheduler(cluster, plugin, frag=frag, seed=seed, tie_break=tie_break)
    resource = curve_resource(cluster, pods)
    e = len(workload.events)
    series = {k: np.zeros(e, dtype=np.int64) for k in ("arrived", "cpu", "memory", "gpu", "frag", "nodes")}
    n = len(pods)
    node = np.full(n, -1, dtype=np.int64)
    gpus: list[tuple[int, ...]] = [()] * n
    arrived_at = np.full(n, -1, dtype=np.int64)
    left_at = np.full(n, -1, dtype=np.int64)
    live: list[Binding | None] = [None] * n
    arrived = cpu = mem = gpu = 0
    decisions = 0
    bar = Progress(e, label or plugin.label, enabled=progress)
    t_start = clock()
    for k, (kind, i) in enumerate(workload.events):
        p = pods[i]
        if kind == ARRIVE:
            arrived += p.gpu_total_milli if resource == "gpu" else p.cpu_milli
            arrived_at[i] = k
            t0 = clock()
            b = sched.place(p)
            sched_s += clock() - t0
            decisions += 1
            if b is not None:
                live[i] = b
                node[i] = b.node
                gpus[i] = b.gpus
                cpu += p.cpu_milli
                mem += p.memory_bytes
                gpu += p.gpu_total_milli
        else:
            b = live[i]
            if b is not None:
                sched.remove(p, b)
                live[i] = None
                left_at[i] = k
                cpu -= p.cpu_milli
                mem -= p.memory_bytes
                gpu -= p.gpu_total_milli
        series["arrived"][k] = arrived
        series["cpu"][k] = cpu
        series["memory"][k] = mem
        series["gpu"][k] = gpu
        series["frag"][k] = frag.total
        series["nodes"][k] = int(np.count_nonzero(cluster.pods_on))
        bar.update()
    bar.close()
    return Run(policy=plugin.label, seed=seed, resource=resource, capacity=cluster.capacity(),
               nodes_total=len(cluster), target_weight=target.total_weight, arrived=series["arrived"],
               alloc_cpu=series["cpu"], alloc_memory=series["memory"], alloc_gpu=series["gpu"], frag=series["frag"],
               nodes=series["nodes"], node=node, gpus=gpus, arrived_at=arrived_at, left_at=left_at,
               decisions=decisions, schedule_seconds=sched_s, wall_seconds=clock() - t_start)


def verify_placement(cluster: GpuCluster, pods, nodes: np.ndarray, gpus: list[tuple[int, ...]],
                     alive: np.ndarray) -> None:
    """Raise :class:`GpuPackingError` unless the pods in ``alive`` (placed on
    ``nodes[i]``, GPUs ``gpus[i]``) fit an empty ``cluster`` together: CPU,
    memory, each GPU's share, distinct GPUs per pod, and GPU models.  An
    independent check of a run (it recomputes every total from scratch)."""
    n = len(cluster)
    cpu = np.zeros(n, dtype=object)
    mem = np.zeros(n, dtype=object)
    share = np.zeros((n, max(cluster.max_gpus, 1)), dtype=np.int64)
    for i in alive.tolist():
        p = pods[i]
        b = int(nodes[i])
        if not 0 <= b < n:
            raise GpuPackingError(f"pod {p.name!r} is on node {b}, expected 0..{n - 1}")
        cpu[b] += p.cpu_milli
        mem[b] += p.memory_bytes
        g = gpus[i]
        if len(g) != p.gpu_count or len(set(g)) != len(g):
            raise GpuPackingError(f"pod {p.name!r} holds GPUs {g}, expected {p.gpu_count} distinct ones")
        if p.gpu_count:
            m = int(cluster.model[b])
            if not model_allows(cluster.models[m] if m >= 0 else None, p.gpu_models):
                raise GpuPackingError(f"pod {p.name!r} accepts {p.gpu_models}, node {cluster.names[b]!r} has "
                                      f"{cluster.models[m] if m >= 0 else 'no GPU'}")
        for j in g:
            if not 0 <= j < cluster.gpu_count[b]:
                raise GpuPackingError(f"pod {p.name!r} holds GPU {j} of node {cluster.names[b]!r}, which has "
                                      f"{int(cluster.gpu_count[b])}")
            share[b, j] += p.gpu_milli
    for b in range(n):
        if cpu[b] > cluster.cpu_capacity[b] or mem[b] > cluster.memory_capacity[b]:
            raise GpuPackingError(f"node {cluster.names[b]!r} is over capacity: cpu {cpu[b]}/{cluster.cpu_capacity[b]}"
                                  f", memory {mem[b]}/{cluster.memory_capacity[b]}")
    if (share > MILLI).any():
        b, j = (int(v) for v in np.argwhere(share > MILLI)[0])
        raise GpuPackingError(f"GPU {j} of node {cluster.names[b]!r} is shared beyond one GPU: {share[b, j]}/{MILLI}")


def pod_demands(pods, idx: np.ndarray) -> np.ndarray:
    """cpu_milli, memory_bytes, GPU thousandths of the pods ``idx`` (k × 3)."""
    return np.array([[pods[i].cpu_milli, pods[i].memory_bytes, pods[i].gpu_total_milli] for i in idx.tolist()],
                    dtype=np.int64).reshape(len(idx), 3)


def node_capacities(cluster: GpuCluster) -> np.ndarray:
    return np.stack([cluster.cpu_capacity, cluster.memory_capacity, MILLI * cluster.gpu_count], axis=1)


__all__ = ["Run", "curve_resource", "node_capacities", "pod_demands", "run_policy", "verify_placement"]
