"""Resource-name classes, as ``k8s.io/kubernetes/pkg/apis/core/v1/helper`` and
``pkg/scheduler/util`` define them."""

from __future__ import annotations

from kubekit.api.resources import is_extended_resource as is_extended_resource_name
from kubekit.api.resources import is_native_resource

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
DEFAULT_NAMESPACE_PREFIX = "kubernetes.io/"

__all__ = ["is_extended_resource_name", "is_native_resource", "is_prefixed_native_resource", "is_scalar_resource_name", "is_tracked"]


def is_prefixed_native_resource(name: str) -> bool:
    return DEFAULT_NAMESPACE_PREFIX in name


def is_hugepage_resource_name(name: str) -> bool:
    return name.startswith("hugepages-")


def is_attachable_volume_resource_name(name: str) -> bool:
    return name.startswith("attachable-volumes-")


def is_scalar_resource_name(name: str) -> bool:
    """Resources the scheduler tracks besides cpu, memory, ephemeral-storage
    and pods; any other name in a request is ignored by the scheduler."""
    return (
        is_extended_resource_name(name)
        or is_hugepage_resource_name(name)
        or is_prefixed_native_resource(name)
        or is_attachable_volume_resource_name(name)
    )


def is_tracked(name: str) -> bool:
    """Whether the scheduler's NodeInfo accounts this resource at all."""
    return name in (CPU, MEMORY, EPHEMERAL_STORAGE) or is_scalar_resource_name(name)
