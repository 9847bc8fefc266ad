"""GPU nodes whose devices are not allocatable yet (cluster-autoscaler's
default custom-resources processor,
``processors/customresources/gpu_processor.go``:
``GpuCustomResourcesProcessor.FilterOutNodesWithUnreadyResources``).  Pure.

A GPU node registers and turns ``Ready`` before its device plugin (the GPU
driver) reports the GPUs: for minutes its allocatable ``nvidia.com/gpu`` is 0
(kubernetes/kubernetes#54959).  Upstream therefore treats a *ready* node that
should have GPUs but has none allocatable (neither ``nvidia.com/gpu`` nor
``microsoft.com/directx``) as *not ready*, with the reason ``ResourceUnready``
(``kube_util.GetUnreadyNodeCopy``): the clusterstate registry counts it *not
started* during ``MaxNodeStartupTime`` after its creation, *unready* and
*resource unready* afterwards.

Upstream knows a node should have GPUs from the cloud provider's GPU label
(``CloudProvider.GPULabel()``, e.g. ``cloud.google.com/gke-accelerator``) on
the node.  kubekit's simulated cloud has no GPU label: a node should have
GPUs when its group's template declares some (``NodeTemplate.extended``),
the template upstream's ``GetNodeGpuTarget`` falls back on for such a node.

:func:`node_gpu_resource` is upstream's ``GetNodeGpuConfig``
(``utils/gpu``: ``GetNodeGPUFromCloudProvider``): a node has GPUs when it
should (the label, here the template) or when any known GPU vendor resource
is allocatable; scale-down then judges it by that resource alone
(:mod:`.utilization`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.api.quantity import Quantity
from kubekit.errors import QuantityError

__all__ = ["DIRECTX_RESOURCE", "GPU_RESOURCE", "GPU_VENDOR_RESOURCES", "RESOURCE_UNREADY", "expects_gpu",
           "has_unready_gpu", "node_gpu_resource"]

GPU_RESOURCE = "nvidia.com/gpu"
"""Upstream's ``gpu.ResourceNvidiaGPU``."""

DIRECTX_RESOURCE = "microsoft.com/directx"
"""Upstream's ``gpu.ResourceDirectX``."""

GPU_VENDOR_RESOURCES = (GPU_RESOURCE, "habana.ai/gaudi", "gpu.intel.com/xe", "amd.com/gpu", DIRECTX_RESOURCE)
"""Upstream's ``gpu.GPUVendorResourceNames``, in its order."""

RESOURCE_UNREADY = "cluster-autoscaler.kubernetes.io/resource-not-ready"
"""Upstream's ``kube_util.ResourceUnready`` not-ready reason."""


def _nonzero(resources: Mapping[str, Any], name: str) -> bool:
    """The resource is present and not zero (``!found || q.IsZero()`` negated)."""
    value = resources.get(name)
    if value is None:
        return False
    try:
        return not Quantity.from_manifest(value).is_zero()
    except QuantityError:
        return False


def expects_gpu(capacity: Mapping[str, Any]) -> bool:
    """A node of a template with this capacity should have GPUs."""
    return _nonzero(capacity, GPU_RESOURCE) or _nonzero(capacity, DIRECTX_RESOURCE)


def has_unready_gpu(node: Mapping[str, Any], should_have_gpu: bool) -> bool:
    """``FilterOutNodesWithUnreadyResources``' test for a ready node: it
    should have GPUs, yet neither ``nvidia.com/gpu`` nor
    ``microsoft.com/directx`` is allocatable (missing or zero)."""
    if not should_have_gpu:
        return False
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    return not _nonzero(allocatable, GPU_RESOURCE) and not _nonzero(allocatable, DIRECTX_RESOURCE)


def node_gpu_resource(node: Mapping[str, Any], should_have_gpu: bool) -> str | None:
    """The GPU resource scale-down judges ``node`` by, None for a node
    without GPUs (``GetNodeGPUFromCloudProvider``): the first vendor
    resource allocatable and not zero (``DetectNodeGPUResourceName``), else
    ``nvidia.com/gpu`` for a node that should have GPUs whose driver is not
    up yet."""
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    for name in GPU_VENDOR_RESOURCES:
        if _nonzero(allocatable, name):
            return name
    return GPU_RESOURCE if should_have_gpu else None
