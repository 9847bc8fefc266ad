"""What pull and push need to know about manifests and indexes: their
media type, the blobs a manifest names, the manifests an index names."""

from __future__ import annotations

from typing import Any

from kubekit.images.errors import ImageError
from kubekit.images.layout import (
    _INDEX_TYPES,
    _MANIFEST_TYPES,
    Descriptor,
    _descriptors,
    _load_json,
)

__all__ = ["INDEX_TYPES", "MANIFEST_TYPES", "index_children", "manifest_blobs", "media_type_of"]

INDEX_TYPES = frozenset(_INDEX_TYPES)
MANIFEST_TYPES = frozenset(_MANIFEST_TYPES)


def media_type_of(data: bytes, content_type: str | None, where: str) -> tuple[str, dict[str, Any]]:
    """(media type, parsed JSON) of a manifest or index.  The registry's
    ``Content-Type`` decides when it is a known type, else the document's
    ``mediaType``; anything else (schema 1, artifacts) is refused."""
    doc = _load_json(data, where)
    if not isinstance(doc, dict):
        raise ImageError(f"{where}: expected a JSON object, got {type(doc).__name__}")
    known = INDEX_TYPES | MANIFEST_TYPES
    declared = doc.get("mediaType")
    if content_type in known:
        mt = content_type
    elif declared in known:
        mt = declared
    elif "manifests" in doc and "layers" not in doc:
        mt = "application/vnd.oci.image.index.v1+json"
    elif "layers" in doc and "config" in doc:
        mt = "application/vnd.oci.image.manifest.v1+json"
    else:
        raise ImageError(f"{where}: unsupported manifest (Content-Type {content_type!r}, mediaType "
                         f"{declared!r}); expected an OCI or Docker v2 image manifest or index")
    if isinstance(declared, str) and declared in known and declared != mt:
        raise ImageError(f"{where}: served as {mt!r} but says it is {declared!r}")
    return mt, doc


def manifest_blobs(doc: dict[str, Any], where: str) -> list[Descriptor]:
    """The config, then the layers, of an image manifest."""
    config = Descriptor.from_json(doc.get("config"), f"{where}.config")
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise ImageError(f"{where}.layers: expected a list")
    return [config] + [Descriptor.from_json(x, f"{where}.layers[{i}]") for i, x in enumerate(layers)]


def index_children(doc: dict[str, Any], where: str) -> list[Descriptor]:
    """The manifests an index names."""
    return _descriptors(doc, where)
