"""Container images: OCI layouts and docker archives, layer unpacking and
the content-addressed layer store (see docs/images.md)."""

from kubekit.images.errors import DigestMismatchError, HostileArchiveError, ImageError
from kubekit.images.layout import (
    Image,
    Layer,
    read_docker_archive,
    read_image,
    read_oci_layout,
)
from kubekit.images.store import DEFAULT_LAYER_ROOT, LayerStore, overlay_lowerdir
from kubekit.images.unpack import flatten, unpack_layer

__all__ = [
    "DEFAULT_LAYER_ROOT",
    "DigestMismatchError",
    "HostileArchiveError",
    "Image",
    "ImageError",
    "Layer",
    "LayerStore",
    "flatten",
    "overlay_lowerdir",
    "read_docker_archive",
    "read_image",
    "read_oci_layout",
    "unpack_layer",
]
