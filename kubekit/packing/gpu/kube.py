"""From Kubernetes objects to the GPU-sharing model.

``gpu_cluster_from_objects(pods, nodes)`` turns :class:`kubekit.Pod` and
:class:`kubekit.Node` objects into a :class:`GpuCluster` and one
:class:`GpuPod` per pod, so FGD and the other GPU policies place real pods
under the scheduler's rules.  It reads what
:func:`kubekit.packing.cluster.problem_from_cluster` reads (``Pod.requests``:
init containers, sidecars and overhead counted as Kubernetes does;
``Node.allocatable``) and reuses its filters:

* **eligibility** — :func:`~kubekit.packing.cluster.pod_may_use`
  (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity with
  ``nodeSelector`` and the required terms), computed once per group of pods
  with the same constraints and registered with
  :meth:`GpuCluster.add_node_group` (a pod every node accepts gets no group);
* **resources** — ``cpu``, ``memory``, ``ephemeral-storage`` (the node's
  allocatable, 0 when absent, as kube-scheduler's NodeResourcesFit has it;
  left out entirely when no pod asks for any) and ``pods`` (one per pod
  against the node's allocatable ``pods``, 0 when absent);
* **GPUs** — a node has ``nvidia.com/gpu`` GPUs, or OpenB's
  ``alibabacloud.com/gpu-count`` (its ``alibabacloud.com/gpu-milli`` is
  1000 per GPU, as in Alibaba's published OpenB Node manifests and
  ``NodeTable.to_nodes``).  A pod asks for whole GPUs with
  ``nvidia.com/gpu: k``, or with OpenB's ``alibabacloud.com/gpu-milli``
  extended resource in thousandths: below 1000 a share of one GPU, else a
  multiple of 1000 (``k`` whole GPUs; the same convention as the batch
  kernel's ``gpu_share`` column).  The OpenB *simulator* puts the share in
  pod annotations instead, which :class:`kubekit.Pod` does not keep.  Both
  spellings name the same GPUs here;
* **GPU model** — the node label ``alibabacloud.com/gpu-card-model`` (OpenB),
  else NVIDIA GPU feature discovery's ``nvidia.com/gpu.product``, else
  :data:`UNKNOWN_MODEL`.  A GPU pod whose ``nodeSelector`` names the model
  label gets that model as its ``gpu_models`` (so the fragmentation target
  sees it); any other model constraint (node affinity) acts through
  eligibility only.

A pod no node can take (its filters rule every node out, or no node it may
use is big enough for it even empty) raises :class:`PackingError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from kubekit.api.resources import CPU, EPHEMERAL_STORAGE, MEMORY, PODS
from kubekit.packing.cluster import eligibility_groups
from kubekit.packing.gpu.model import MILLI, GpuCluster, GpuPod
from kubekit.packing.problem import PackingError
from kubekit.traces.model import GPU_COUNT_RESOURCE, GPU_MILLI_RESOURCE, GPU_MODEL_LABEL

if TYPE_CHECKING:
    from kubekit.api import Node, Pod

NVIDIA_GPU_RESOURCE = "nvidia.com/gpu"
NVIDIA_PRODUCT_LABEL = "nvidia.com/gpu.product"
MODEL_LABELS = (GPU_MODEL_LABEL, NVIDIA_PRODUCT_LABEL)
"""Node labels that name the GPU model, in the order they are tried."""
UNKNOWN_MODEL = "unknown"
"""The GPU model of a GPU node with none of :data:`MODEL_LABELS`."""

__all__ = ["MODEL_LABELS", "NVIDIA_GPU_RESOURCE", "NVIDIA_PRODUCT_LABEL", "UNKNOWN_MODEL", "gpu_cluster_from_objects",
           "node_gpus", "pod_gpus"]


def node_gpus(allocatable: Mapping[str, int], labels: Mapping[str, str], name: str = "") -> tuple[int, str | None]:
    """``(gpu_count, model)`` of a node (pure): ``nvidia.com/gpu``, else
    ``alibabacloud.com/gpu-count``, else ``alibabacloud.com/gpu-milli`` /
    1000; the model from :data:`MODEL_LABELS` (``None`` without GPUs)."""
    if NVIDIA_GPU_RESOURCE in allocatable:
        count = allocatable[NVIDIA_GPU_RESOURCE]
    elif GPU_COUNT_RESOURCE in allocatable:
        count = allocatable[GPU_COUNT_RESOURCE]
    else:
        milli = allocatable.get(GPU_MILLI_RESOURCE, 0)
        if milli % MILLI:
            raise PackingError(f"node {name!r}: {GPU_MILLI_RESOURCE} {milli} is not whole GPUs "
                               f"(expected a multiple of {MILLI})")
        count = milli // MILLI
    if not count:
        return 0, None
    model = next((labels[k] for k in MODEL_LABELS if labels.get(k)), UNKNOWN_MODEL)
    return int(count), model


def pod_gpus(requests: Mapping[str, int], name: str = "") -> tuple[int, int]:
    """``(gpu_count, gpu_milli)`` of a pod (pure): ``nvidia.com/gpu: k`` is
    ``(k, 1000)``; ``alibabacloud.com/gpu-milli: g`` is ``(1, g)`` below
    1000, else ``(g / 1000, 1000)``; an ``alibabacloud.com/gpu-count``
    request must agree."""
    whole = requests.get(NVIDIA_GPU_RESOURCE, 0)
    milli = requests.get(GPU_MILLI_RESOURCE, 0)
    if whole and milli:
        raise PackingError(f"pod {name}: asks for both {NVIDIA_GPU_RESOURCE} and {GPU_MILLI_RESOURCE}; "
                           f"expected one of them")
    if whole:
        count, share = whole, MILLI
    elif milli < MILLI:
        count, share = (1, milli) if milli else (0, 0)
    elif milli % MILLI == 0:
        count, share = milli // MILLI, MILLI
    else:
        raise PackingError(f"pod {name}: {GPU_MILLI_RESOURCE} {milli} is neither a share of one GPU "
                           f"(1-{MILLI - 1}) nor whole GPUs (a multiple of {MILLI})")
    asked = requests.get(GPU_COUNT_RESOURCE)
    if asked is not None and asked != count:
        raise PackingError(f"pod {name}: {GPU_COUNT_RESOURCE} {asked} disagrees with its GPU request "
                           f"({count} GPU(s) of {share} thousandths)")
    return int(count), int(share)


def _pod_models(pod: Pod) -> tuple[str, ...] | None:
    for label in MODEL_LABELS:
        value = pod.node_selector.get(label)
        if value:
            return (value,)
    return None


def gpu_cluster_from_objects(pods: Sequence[Pod], nodes: Sequence[Node]) -> tuple[GpuCluster, list[GpuPod]]:
    """The GPU cluster of ``nodes`` (empty) and one :class:`GpuPod` per pod
    (named ``namespace/name``), with the scheduler's non-resource filters as
    node groups.  Raises :class:`PackingError` naming a pod no node can take."""
    if not nodes:
        raise PackingError("no nodes: a cluster needs at least one node")
    allocs = [n.allocatable or {} for n in nodes]
    gpus = [node_gpus(a, n.labels, n.name) for a, n in zip(allocs, nodes)]
    with_storage = any(p.requests.get(EPHEMERAL_STORAGE, 0) for p in pods)
    cluster = GpuCluster(
        [n.name for n in nodes], [a.get(CPU, 0) for a in allocs], [a.get(MEMORY, 0) for a in allocs],
        [g for g, _ in gpus], [m for _, m in gpus],
        ephemeral_storage_bytes=[a.get(EPHEMERAL_STORAGE, 0) for a in allocs] if with_storage else None,
        max_pods=[a.get(PODS, 0) for a in allocs])
    item_groups, allowed = eligibility_groups(pods, nodes)
    node_group = [-1 if row.all() else cluster.add_node_group(row) for row in allowed]   # -1: every node
    out: list[GpuPod] = []
    checked: dict[GpuPod, bool] = {}
    for p, g in zip(pods, item_groups.tolist()):
        group = node_group[g]
        req = p.requests
        count, share = pod_gpus(req, p.key)
        gp = GpuPod(req.get(CPU, 0), req.get(MEMORY, 0), count, share, _pod_models(p) if count else None, p.key,
                    ephemeral_storage_bytes=req.get(EPHEMERAL_STORAGE, 0), node_group=group)
        shape = replace(gp, name="")
        if shape not in checked:
            checked[shape] = bool(cluster.feasible(gp).any())
        if not checked[shape]:
            raise PackingError(f"pod {p.key}: no node it may use has room for it even empty (cpu, memory, "
                               f"ephemeral-storage, pods, GPUs and GPU model)")
        out.append(gp)
    return cluster, out
