"""Container images: OCI layouts and docker archives, layer unpacking and
the content-addressed layer store (see docs/images.md); the image store by
name, builds and pull policy (docs/images-store.md); registry push and pull
(docs/images-registry.md).

Names load on first use, so commands that never touch images (``kubekit
run --rootfs``) do not pay for tarfile, gzip or the HTTP client.
"""

from kubekit._lazy import lazy_names

_NAMES = {
    "build_image": "kubekit.images.build",
    "DigestMismatchError": "kubekit.images.errors",
    "HostileArchiveError": "kubekit.images.errors",
    "ImageError": "kubekit.images.errors",
    "DEFAULT_IMAGE_ROOT": "kubekit.images.imagestore",
    "ImageNotFoundError": "kubekit.images.imagestore",
    "ImageStore": "kubekit.images.imagestore",
    "Image": "kubekit.images.layout",
    "Layer": "kubekit.images.layout",
    "read_docker_archive": "kubekit.images.layout",
    "read_image": "kubekit.images.layout",
    "read_oci_layout": "kubekit.images.layout",
    "ensure_image": "kubekit.images.policy",
    "Reference": "kubekit.images.reference",
    "parse_reference": "kubekit.images.reference",
    "DEFAULT_LAYER_ROOT": "kubekit.images.store",
    "LayerStore": "kubekit.images.store",
    "overlay_lowerdir": "kubekit.images.store",
    "flatten": "kubekit.images.unpack",
    "unpack_layer": "kubekit.images.unpack",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_names(__name__, globals(), _NAMES)
