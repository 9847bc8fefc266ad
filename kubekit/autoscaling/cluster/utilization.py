"""A node's utilization as scale-down judges it (cluster-autoscaler's
``simulator/utilization/info.go``: ``Calculate`` and
``CalculateUtilizationOfResource``).  Pure and exact (fractions).

* **Per resource**: Σ requests of the pods counted / (allocatable − Σ
  requests of the DaemonSet and mirror pods left out).  With
  ``ignore-daemonsets-utilization`` (``ignore-mirror-pods-utilization``)
  those pods leave the numerator *and* their requests leave the node's
  allocatable, so a node whose only other pod fills what the DaemonSets left
  is full.  Pods terminating for longer than their grace period are not
  counted (after the two checks above, as upstream orders them); finished
  pods never reach here (upstream's snapshot holds none).
* **A node without GPUs**: the larger of cpu and memory, ``memory`` on a
  tie (``if cpu > mem``).
* **A node with GPUs** (:func:`~.customresources.node_gpu_resource`): the GPU
  resource alone; cpu and memory are not computed (0).  A GPU resource with
  nothing allocatable (the driver is not installed yet) is 0, so such a
  node can still be scaled down.

* **A node without allocatable cpu or memory** (none, or 0): the utilization
  cannot be calculated; ``error`` says why (``failed to get memory``,
  ``cpu is 0``), as ``Calculate``'s error, and the eligibility check makes
  such a node ``UnexpectedError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kubekit.autoscaling.cluster.drainability import is_daemonset_pod, is_finished, is_long_terminating, is_mirror

__all__ = ["Utilization", "calculate", "node_utilization", "split_pods"]


@dataclass(frozen=True, slots=True)
class Utilization:
    """Upstream's ``utilization.Info``: ``gpu`` is None for a node without
    GPUs (then ``value`` is the larger of cpu and memory), else the GPU
    utilization of ``gpu_resource``, which is then the ``value``.  ``error``:
    why it could not be calculated ("" when it was; then all is 0, as the
    empty ``Info`` upstream's ``Calculate`` returns with its error)."""

    cpu: Fraction
    memory: Fraction
    gpu: Fraction | None = None
    gpu_resource: str = ""
    error: str = ""

    @property
    def value(self) -> Fraction:
        return self.gpu if self.gpu is not None else max(self.cpu, self.memory)

    @property
    def resource(self) -> str:
        if self.gpu is not None:
            return self.gpu_resource
        if self.error:
            return ""
        return "cpu" if self.cpu > self.memory else "memory"


def split_pods(pods: Iterable[Mapping[str, Any]], now: float, *, ignore_daemonsets: bool = False,
               ignore_mirror_pods: bool = False) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """``(pods counted, pods whose requests leave the allocatable)`` in
    ``CalculateUtilizationOfResource``'s order: DaemonSet pods left out,
    mirror pods left out, long-terminating pods dropped."""
    counted: list[Mapping[str, Any]] = []
    skipped: list[Mapping[str, Any]] = []
    for p in pods:
        if is_finished(p):
            continue
        if (ignore_daemonsets and is_daemonset_pod(p)) or (ignore_mirror_pods and is_mirror(p)):
            skipped.append(p)
        elif not is_long_terminating(p, now):
            counted.append(p)
    return counted, skipped


def _ratio(requested: int, allocatable: int) -> Fraction:
    return Fraction(requested, allocatable) if allocatable > 0 else Fraction(1)


def _sum(requests: Sequence[Mapping[str, int]], resource: str) -> int:
    return sum(r.get(resource, 0) for r in requests)


def calculate(allocatable: Mapping[str, int], counted: Sequence[Mapping[str, int]],
              skipped: Sequence[Mapping[str, int]] = (), *, gpu_resource: str | None = None) -> Utilization:
    """``Calculate`` on parsed quantities: ``counted`` and ``skipped`` are the
    requests of the two lists :func:`split_pods` returns; ``gpu_resource``
    the node's GPU resource (None: no GPUs)."""
    if gpu_resource is not None:
        alloc = allocatable.get(gpu_resource, 0)
        if alloc <= 0:
            return Utilization(Fraction(0), Fraction(0), Fraction(0), gpu_resource)       # GPU not ready yet
        gpu = _ratio(_sum(counted, gpu_resource), alloc - _sum(skipped, gpu_resource))
        return Utilization(Fraction(0), Fraction(0), gpu, gpu_resource)
    for resource in ("cpu", "memory"):          # CalculateUtilizationOfResource's checks, cpu first
        if resource not in allocatable:
            return Utilization(Fraction(0), Fraction(0), error=f"failed to get {resource}")
        if allocatable[resource] <= 0:
            return Utilization(Fraction(0), Fraction(0), error=f"{resource} is 0")
    cpu = _ratio(_sum(counted, "cpu"), allocatable["cpu"] - _sum(skipped, "cpu"))
    mem = _ratio(_sum(counted, "memory"), allocatable["memory"] - _sum(skipped, "memory"))
    return Utilization(cpu, mem)


def node_utilization(allocatable: Mapping[str, int], requests: Iterable[Mapping[str, int]]) -> Utilization:
    """Exact cpu/memory utilization of a node with ``allocatable`` holding
    pods that request ``requests`` (nothing left out; see :func:`calculate`
    for a node without allocatable cpu or memory)."""
    return calculate(allocatable, list(requests))
