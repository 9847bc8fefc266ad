"""From a loaded trace to the pods and events a replay schedules.

Three modes:

- ``static`` — every pod arrives once, in a given order (the trace's, by
  arrival time, or shuffled), nothing departs: static packing.
- ``arrivals`` — pods arrive and depart at their trace times; a departure
  frees what the pod held.  At equal times, departures of pods that arrived
  earlier go first, then arrivals, then departures of zero-length pods (so a
  pod always arrives before it leaves).  Pods without a departure run to the
  end.
- ``inflate`` — the FGD paper's experiment: the pods in a seeded random
  order, followed by clones of pods drawn uniformly (with replacement) from
  the workload until the next clone would push the total GPU request above
  ``ratio`` times the cluster's GPU capacity (the paper: 1.3); nothing
  departs.  (A ratio below the workload's own request drops random pods
  instead, as the simulator's tune-down does.)

The functions here are pure given their random generator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from kubekit.packing.gpu import GpuPod, pods_from_table
from kubekit.traces.model import MISSING, Trace, TraceError

MODES: tuple[str, ...] = ("static", "arrivals", "inflate")
ORDERS: tuple[str, ...] = ("trace", "arrival", "shuffle")
ARRIVE, DEPART = 0, 1


@dataclass(frozen=True, slots=True)
class Workload:
    """The pods of a replay and its events: ``events[k] = (kind, pod)`` with
    ``kind`` :data:`ARRIVE` or :data:`DEPART`, ``times[k]`` the trace time in
    seconds (``None`` for static and inflate)."""

    pods: tuple[GpuPod, ...]
    events: tuple[tuple[int, int], ...]
    times: tuple[int, ...] | None = None
    originals: int = 0
    """How many of ``pods`` come from the trace (the rest are clones)."""

    @property
    def arrivals(self) -> int:
        return sum(1 for k, _ in self.events if k == ARRIVE)


def trace_pods(trace: Trace) -> tuple[list[GpuPod], np.ndarray, np.ndarray]:
    """One :class:`GpuPod` per pod of the trace (replicas expanded), with the
    arrival and departure times (int64, :data:`MISSING` when unknown)."""
    table = trace.pods.expand()
    replica = np.asarray(table.replica)
    multi = bool(np.any(replica != 0))
    names = [f"{n}#{r}" if multi else str(n) for n, r in zip(table.name, replica.tolist())]
    return pods_from_table(table, names), np.asarray(table.arrival_s), np.asarray(table.departure_s)


def static_workload(pods: Sequence[GpuPod], arrival: np.ndarray | None = None, *, order: str = "trace",
                    rng: np.random.Generator | None = None) -> Workload:
    """All pods, once, in ``order``: ``trace`` (as given), ``arrival``
    (by arrival time, stable; unknown times last) or ``shuffle`` (seeded)."""
    n = len(pods)
    if order == "trace":
        idx = np.arange(n)
    elif order == "arrival":
        if arrival is None:
            raise TraceError(None, None, "order 'arrival' needs arrival times")
        key = np.where(arrival != MISSING, arrival, np.iinfo(np.int64).max)
        idx = np.argsort(key, kind="stable")
    elif order == "shuffle":
        idx = (rng or np.random.default_rng(0)).permutation(n)
    else:
        raise TraceError(None, None, f"invalid order {order!r}: expected one of {', '.join(ORDERS)}")
    return Workload(tuple(pods), tuple((ARRIVE, int(i)) for i in idx), None, n)


def arrival_workload(pods: Sequence[GpuPod], arrival: np.ndarray, departure: np.ndarray) -> Workload:
    """Arrivals and departures in time order (see the module docstring).
    Pods without an arrival time are refused."""
    arrival = np.asarray(arrival)
    departure = np.asarray(departure)
    missing = np.flatnonzero(arrival == MISSING)
    if len(missing):
        raise TraceError(None, None, f"{len(missing)} pods have no arrival time (first: {pods[missing[0]].name!r}): "
                                     f"mode 'arrivals' needs one for every pod; use mode 'static'")
    rows: list[tuple[int, int, int, int]] = []      # (time, rank, sequence, pod); rank 0 depart, 1 arrive, 2 depart
    for i in range(len(pods)):
        a = int(arrival[i])
        rows.append((a, 1, i, i))
        d = int(departure[i])
        if d != MISSING:
            rows.append((d, 0 if d > a else 2, i, i))
    rows.sort()
    events = tuple((ARRIVE if r == 1 else DEPART, p) for _, r, _, p in rows)
    return Workload(tuple(pods), events, tuple(t for t, _, _, _ in rows), len(pods))


def inflate_workload(pods: Sequence[GpuPod], gpu_capacity_milli: int, ratio: float, *,
                     rng: np.random.Generator) -> Workload:
    """The FGD paper's inflation (see the module docstring): the pods
    shuffled, then uniformly drawn clones named ``<name>-clone-<k>`` while
    the total GPU request stays within ``ratio × gpu_capacity_milli``."""
    if ratio <= 0:
        raise TraceError(None, None, f"inflation ratio {ratio}: expected > 0")
    total = sum(p.gpu_total_milli for p in pods)
    if gpu_capacity_milli <= 0 or total <= 0:
        raise TraceError(None, None, "mode 'inflate' needs GPU nodes and pods that request GPUs (cluster GPU "
                                     f"capacity {gpu_capacity_milli / 1000:g}, requested {total / 1000:g})")
    n = len(pods)
    by_name = sorted(range(n), key=lambda i: pods[i].name)
    order = [by_name[i] for i in rng.permutation(n)]
    out = [pods[i] for i in order]
    limit = ratio * gpu_capacity_milli
    while total > limit:                # a ratio below the workload: drop random pods (the simulator's tune-down)
        p = out.pop(int(rng.integers(len(out))))
        total -= p.gpu_total_milli
    originals = len(out)
    k = 0
    while True:
        src = pods[by_name[int(rng.integers(n))]]
        if total + src.gpu_total_milli > limit:
            break
        out.append(replace(src, name=f"{src.name}-clone-{k}"))
        total += src.gpu_total_milli
        k += 1
    return Workload(tuple(out), tuple((ARRIVE, i) for i in range(len(out))), None, originals)
