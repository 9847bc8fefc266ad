"""The local image store: images by name.

``ROOT`` (default ``$KUBEKIT_IMAGE_ROOT`` or ``/var/lib/kubekit/images``)
holds two things:

``ROOT/oci/``
    an OCI image layout (:class:`~kubekit.images.ocidir.OciDir`): every blob
    (manifests, indexes, configs, compressed layers) once, and ``index.json``
    naming manifests by their *full* normalized reference
    (``docker.io/library/busybox:latest``).  skopeo and umoci read it as it
    is (``oci:ROOT/oci:docker.io/library/busybox:latest``).  A reference with
    a digest and no tag (``name@sha256:...``) may be stored too; that is how
    a pull by digest names what it fetched.
``ROOT/layers/``
    the :class:`~kubekit.images.store.LayerStore`: each layer unpacked once,
    by diff ID, ready to be an overlayfs lower directory.

Blobs enter only through :meth:`OciDir.blob_writer`, which checks each
against its digest before publishing it.  :meth:`ImageStore.gc` removes the
blobs no reference reaches (index -> manifests -> config and layers) and the
layer directories no stored image uses.

**Locking.** ``ROOT/.lock`` is taken shared by everything that adds to the
store (:meth:`ImageStore.import_image`, :meth:`ImageStore.layers`, builds,
and any writer that wraps its work in :meth:`ImageStore.lease`, as a
registry pull must) and exclusively by :meth:`ImageStore.gc`; so a collection
never sees blobs that are written but not yet named, and never removes them.
``index.json`` has its own lock (the OciDir's), so concurrent writers never
lose each other's references.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kubekit.images.errors import ImageError
from kubekit.images.layout import (
    _INDEX_TYPES,
    _MANIFEST_TYPES,
    MAX_JSON_BYTES,
    REF_NAME,
    Descriptor,
    Image,
    _archive_member,
    read_docker_archive,
    read_oci_layout,
)
from kubekit.images.ocidir import OciDir
from kubekit.images.reference import Reference, parse_reference
from kubekit.images.store import LayerStore

__all__ = [
    "DEFAULT_IMAGE_ROOT",
    "GcReport",
    "ImageNotFoundError",
    "ImageRecord",
    "ImageStore",
    "Removed",
    "default_image_root",
]

log = logging.getLogger(__name__)

DEFAULT_IMAGE_ROOT = "/var/lib/kubekit/images"
CONTAINERD_IMAGE_NAME = "io.containerd.image.name"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
_COPY_CHUNK = 1 << 20


def default_image_root() -> str:
    """``$KUBEKIT_IMAGE_ROOT``, else ``/var/lib/kubekit/images``."""
    return os.environ.get("KUBEKIT_IMAGE_ROOT") or DEFAULT_IMAGE_ROOT


class ImageNotFoundError(ImageError):
    """No stored image has the reference asked for."""


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One named image, as ``kubekit image ls`` shows it.  ``size`` is the
    sum of the config and layer blob sizes (compressed, as stored)."""
    reference: Reference
    manifest_digest: str
    config_digest: str
    created: str | None
    size: int
    layers: int


@dataclass(frozen=True, slots=True)
class GcReport:
    """What a collection removed: blob digests and layer diff IDs."""
    blobs: tuple[str, ...]
    layers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Removed:
    """What :meth:`ImageStore.remove` did: the reference names it dropped,
    and the collection that followed (None when the manifest is still named
    or ``prune`` was off)."""
    untagged: tuple[str, ...]
    collected: GcReport | None


class ImageStore:
    """The image store rooted at ``root`` (created on first use)."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = os.fspath(root) if root is not None else default_image_root()
        self.oci = OciDir(os.path.join(self.root, "oci"))
        self.layer_store = LayerStore(os.path.join(self.root, "layers"))
        self._ready = False

    def _init(self) -> None:
        if not self._ready:
            os.makedirs(self.root, mode=0o700, exist_ok=True)
            self.oci.init()
            self._ready = True

    # -- locking ---------------------------------------------------------------
    @contextlib.contextmanager
    def _flock(self, mode: int) -> Iterator[None]:
        self._init()
        fd = os.open(os.path.join(self.root, ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)

    def lease(self) -> contextlib.AbstractContextManager[None]:
        """Hold while writing blobs and naming them (a registry pull must):
        :meth:`gc` waits until every lease is released.  Do not call
        :meth:`gc` or :meth:`remove` inside a lease (they would wait on it)."""
        return self._flock(fcntl.LOCK_SH)

    # -- names -----------------------------------------------------------------
    def _lookup(self, ref: Reference) -> tuple[str, Descriptor] | None:
        """The stored name and descriptor ``ref`` resolves to.  A reference
        with a digest matches a stored ``name@digest`` or any stored tag of
        the same repository naming that manifest."""
        refs = self.oci.refs()
        if ref.digest is None:
            key = str(ref)
            return (key, refs[key]) if key in refs else None
        hits = sorted((name, d) for name, d in refs.items()
                      if d.digest == ref.digest and _same_repository(name, ref))
        return hits[0] if hits else None

    def _require(self, text: str) -> tuple[Reference, str, Descriptor]:
        ref = parse_reference(text)
        hit = self._lookup(ref)
        if hit is None:
            raise ImageNotFoundError(f"image {text!r} ({ref}) is not in the image store {self.root}")
        return ref, hit[0], hit[1]

    def has(self, ref: str) -> bool:
        """Whether ``ref`` names a stored image (an invalid ``ref`` raises)."""
        self._init()
        return self._lookup(parse_reference(ref)) is not None

    def resolve(self, ref: str) -> Image:
        """The stored image ``ref`` names (an index resolves to this machine's
        platform); :class:`ImageNotFoundError` if there is none."""
        self._init()
        _, _, desc = self._require(ref)
        return read_oci_layout(self.oci.path, desc.digest)

    def names(self, manifest_digest: str) -> list[str]:
        """Every stored reference name that names ``manifest_digest``."""
        return sorted(n for n, d in self.oci.refs().items() if d.digest == manifest_digest)

    def list(self) -> list[ImageRecord]:
        """Every named image, sorted by reference.  An image that cannot be
        read (a blob missing) is logged and left out."""
        self._init()
        out = []
        for name, desc in sorted(self.oci.refs().items()):
            try:
                ref = parse_reference(name)
                img = read_oci_layout(self.oci.path, desc.digest)
            except ImageError as e:
                log.warning("image store %s: skipping %r: %s", self.root, name, e)
                continue
            size = os.path.getsize(self.oci.blob_path(img.config_digest)) + sum(max(layer.size, 0) for layer in img.layers)
            created = img.config.get("created")
            out.append(ImageRecord(ref, desc.digest, img.config_digest, created if isinstance(created, str) else None,
                                   size, len(img.layers)))
        return out

    def record_digest_ref(self, ref: Reference, desc: Descriptor) -> list[str]:
        """Name what a pull of ``ref`` stored (``desc``, its manifest or
        index, whose blobs must all be in the store): ``ref``'s tag, and the
        digest-only ``name@digest`` (the kubelet's "image ref", which
        :meth:`resolve` finds even after the tag moves).  Call it inside the
        pull's :meth:`lease`.  The names set."""
        if ref.digest is not None and ref.digest != desc.digest:
            raise ImageError(f"cannot record {ref} as {desc.digest}: the reference asks for another digest")
        names = [f"{ref.name}@{desc.digest}"] + ([f"{ref.name}:{ref.tag}"] if ref.tag is not None else [])
        bare = Descriptor(desc.media_type, desc.digest, desc.size, {}, desc.platform)
        for name in names:
            self.oci.set_ref(name, bare)
        return names

    def tag(self, src: str, dst: str) -> Reference:
        """Name the image ``src`` names also ``dst`` (a tag; replaces what
        ``dst`` named)."""
        self._init()
        _, _, desc = self._require(src)
        target = parse_reference(dst)
        if target.digest is not None:
            raise ImageError(f"cannot tag {src!r} as {dst!r}: a tag cannot carry a digest")
        self.oci.set_ref(str(target), desc)
        return target

    def remove(self, ref: str, prune: bool = True, in_use: Iterable[str] = ()) -> Removed:
        """Untag ``ref`` (for ``name@digest``: every name of that repository
        naming the manifest).  When no name is left on the manifest and
        ``prune`` is on, :meth:`gc` collects what nothing uses any more
        (``in_use`` as there)."""
        self._init()
        parsed, first, desc = self._require(ref)
        doomed = [first] if parsed.digest is None else \
            [n for n in self.names(desc.digest) if _same_repository(n, parsed)]
        untagged = tuple(n for n in doomed if self.oci.remove_ref(n) is not None)
        collected = None
        if prune and not self.names(desc.digest):
            collected = self.gc(in_use)
        return Removed(untagged, collected)

    # -- import ----------------------------------------------------------------
    def import_image(self, path: str | os.PathLike[str], ref: str | None = None,
                     name: str | None = None) -> list[Reference]:
        """Copy images into the store from an OCI layout directory (the one
        ``ref`` names, a ``org.opencontainers.image.ref.name`` or a manifest
        digest; all named ones if None) or a ``docker save`` archive (the
        image tagged ``ref``; all if None).  Each is stored under its full
        name: the ``io.containerd.image.name`` annotation, else a ref name
        that is a whole reference (``busybox:1``), else the archive's
        ``RepoTags``.  ``name`` overrides it and needs exactly one image.
        Returns the stored references."""
        src = os.fspath(path)
        with self.lease():
            if os.path.isdir(src):
                return self._import_oci(src, ref, name)
            return self._import_docker_archive(src, ref, name)

    def _name(self, names: list[str], name: str | None, what: str) -> list[Reference]:
        if name is not None:
            parsed = parse_reference(name)
            if parsed.digest is not None and parsed.tag is not None:
                raise ImageError(f"--name {name!r}: give a tag or a digest, not both")
            return [parsed]
        if not names:
            raise ImageError(f"{what} has no name; give one (name='repo:tag')")
        return [parse_reference(n) for n in names]

    def _import_oci(self, src: str, ref: str | None, name: str | None) -> list[Reference]:
        layout = OciDir(src)
        descs = layout.descriptors()
        if ref is not None:
            descs = [d for d in descs if ref in (d.digest, d.annotations.get(REF_NAME))]
            if not descs:
                raise ImageError(f"{src}: no manifest named {ref!r} (names: {sorted(layout.refs())})")
        elif name is None:
            descs = [d for d in descs if REF_NAME in d.annotations or CONTAINERD_IMAGE_NAME in d.annotations]
        if not descs:
            raise ImageError(f"{src}: no named manifest to import")
        if name is not None and len({d.digest for d in descs}) != 1:
            raise ImageError(f"{src}: {len(descs)} manifests; a name applies to one, pick it with a ref")
        named = [(d, self._name(_layout_names(d, src) if name is None else [], name, f"{src}: manifest {d.digest}"))
                 for d in descs]                # every name checked before anything is copied
        for d, refs in named:
            self._copy_tree(layout, d)
            bare = Descriptor(d.media_type, d.digest, d.size, {}, d.platform)
            for r in refs:
                self.oci.set_ref(str(r), bare)
        return [r for _, refs in named for r in refs]

    def _copy_tree(self, src: OciDir, desc: Descriptor, depth: int = 0) -> None:
        """Copy ``desc`` and what it points to, children first, so a stored
        manifest always has its blobs.  An index keeps the children the
        source has (a layout often holds one platform of a multi-arch image)."""
        if depth > 8:
            raise ImageError(f"{src.path}: indexes nested more than 8 deep at {desc.digest}")
        if desc.media_type in _INDEX_TYPES:
            index = src.read_json_blob(desc.digest, "index")
            kids = [Descriptor.from_json(m, f"index {desc.digest}.manifests[{i}]")
                    for i, m in enumerate(index.get("manifests") or [])]
            present = [k for k in kids if src.has_blob(k.digest)]
            if not present:
                raise ImageError(f"{src.path}: index {desc.digest} has none of its manifests in the layout")
            for k in present:
                self._copy_tree(src, k, depth + 1)
        elif desc.media_type in _MANIFEST_TYPES:
            manifest = src.read_json_blob(desc.digest, "manifest")
            for child in _manifest_blobs(manifest, desc.digest):
                self._copy_blob(src, child)
        else:
            raise ImageError(f"{src.path}: {desc.digest} has media type {desc.media_type!r}, "
                             f"expected an image manifest or index")
        self._copy_blob(src, desc)

    def _copy_blob(self, src: OciDir, desc: Descriptor) -> None:
        if self.oci.has_blob(desc.digest):
            return
        with src.open_blob(desc.digest) as f, self.oci.blob_writer(desc.digest, desc.size) as w:
            shutil.copyfileobj(f, w, _COPY_CHUNK)

    def _import_docker_archive(self, src: str, ref: str | None, name: str | None) -> list[Reference]:
        try:
            with tarfile.open(src, "r:") as tf:
                entries = json.loads(_archive_member(tf, "manifest.json", src).read(MAX_JSON_BYTES))
        except (OSError, tarfile.TarError, ValueError) as e:
            raise ImageError(f"{src}: neither an OCI layout directory nor a docker archive: {e}") from e
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ImageError(f"{src}:manifest.json: expected a list of objects")
        if ref is not None:
            img = read_docker_archive(src, ref)
            tagged = [(img, [ref])]
        else:
            if name is not None and len(entries) != 1:
                raise ImageError(f"{src}: {len(entries)} images; a name applies to one, pick it with a ref")
            tagged = []
            for e in entries:
                tags = [t for t in e.get("RepoTags") or [] if isinstance(t, str)]
                img = read_docker_archive(src, tags[0] if tags else None)
                tagged.append((img, tags))
        named = [(img, self._name(tags, name, f"{src}: image {img.config_digest}")) for img, tags in tagged]
        for img, refs in named:
            desc = self._store_archive_image(img)
            for r in refs:
                self.oci.set_ref(str(r), desc)
        return [r for _, refs in named for r in refs]

    def _store_archive_image(self, img: Image) -> Descriptor:
        """Write an archive image's config and layer blobs, and an OCI
        manifest for them; the manifest's descriptor."""
        with tarfile.open(img.path, "r:") as tf:
            _, config = _archive_config(tf, img)
            config_digest = self.oci.write_blob(config, img.config_digest)
            for layer in img.layers:
                if not self.oci.has_blob(layer.digest):
                    with self.oci.blob_writer(layer.digest, layer.size) as w:
                        shutil.copyfileobj(_archive_member(tf, layer.location, img.path), w, _COPY_CHUNK)
        manifest = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}
                       for layer in img.layers],
        }
        return self.write_manifest(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> Descriptor:
        """Store a manifest (canonical JSON); its descriptor.  Write it only
        after its config and layers, inside a :meth:`lease`."""
        data = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        return Descriptor(manifest["mediaType"], self.oci.write_blob(data), len(data))

    # -- layers and gc ------------------------------------------------------------
    def layers(self, ref: str) -> tuple[str, ...]:
        """The layer directories of ``ref``, bottom first, unpacked into the
        layer store if missing: what the runtime stacks as overlay lower
        directories (see :func:`~kubekit.images.store.overlay_lowerdir`)."""
        with self.lease():
            return self.layer_store.ensure_image(self.resolve(ref))

    def gc(self, in_use: Iterable[str] = ()) -> GcReport:
        """Remove every blob no reference reaches, temporary files of writes
        that died, and every unpacked layer no stored image uses ("garbage
        collection removes layers that no image references").  ``in_use``
        names layer directories that containers still stack (see
        :meth:`kubekit.runtime.state.StateDir.layers_in_use`): they stay,
        even if their image is gone, as Docker keeps an image a container uses."""
        keep = {self._diff_id_of(p) for p in in_use} - {None}
        with self._flock(fcntl.LOCK_EX):
            blobs, diff_ids = self._reachable()
            diff_ids |= keep
            removed = self.oci.remove_blobs(blobs)
            tmp = os.path.join(self.oci.path, "blobs", "tmp")
            if os.path.isdir(tmp):       # no lease is held, so no write is in flight
                for entry in os.listdir(tmp):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(tmp, entry))
            layers = self.layer_store.gc(diff_ids)
        log.info("image store %s: collected %d blobs and %d layers", self.root, len(removed), len(layers))
        return GcReport(tuple(removed), tuple(layers))

    def _diff_id_of(self, layer_dir: str) -> str | None:
        """``ROOT/layers/sha256/<hex>`` -> ``sha256:<hex>``; None for a
        directory that is not one of this store's layers."""
        parent, hexd = os.path.split(os.path.normpath(layer_dir))
        root, alg = os.path.split(parent)
        if os.path.normpath(root) != os.path.normpath(self.layer_store.root):
            return None
        return f"{alg}:{hexd}"

    def _reachable(self) -> tuple[set[str], set[str]]:
        """The blobs reachable from the references, and the diff IDs of every
        image they name.  Blobs a manifest names but the store lacks are
        simply not there; an unreadable config leaves its layers to gc
        (layer directories are a cache: they can be unpacked again)."""
        blobs: set[str] = set()
        diff_ids: set[str] = set()
        todo = list(self.oci.descriptors())
        while todo:
            desc = todo.pop()
            if desc.digest in blobs or not self.oci.has_blob(desc.digest):
                continue
            blobs.add(desc.digest)
            if desc.media_type in _INDEX_TYPES:
                index = self.oci.read_json_blob(desc.digest, "index")
                todo += [Descriptor.from_json(m, f"index {desc.digest}") for m in index.get("manifests") or []]
            elif desc.media_type in _MANIFEST_TYPES:
                manifest = self.oci.read_json_blob(desc.digest, "manifest")
                children = _manifest_blobs(manifest, desc.digest)
                blobs.update(c.digest for c in children)
                diff_ids.update(self._diff_ids(children[0]))
        return blobs, diff_ids

    def _diff_ids(self, config: Descriptor) -> list[str]:
        try:
            ids = self.oci.read_json_blob(config.digest, "config")["rootfs"]["diff_ids"]
        except (ImageError, KeyError, TypeError) as e:
            log.warning("image store %s: config %s unreadable (%s); its layers are not kept", self.root,
                        config.digest, e)
            return []
        return [d for d in ids if isinstance(d, str)]


# ---------------------------------------------------------------- helpers

def _same_repository(stored_name: str, ref: Reference) -> bool:
    try:
        return parse_reference(stored_name).name == ref.name
    except ImageError:
        return False


def _manifest_blobs(manifest: object, digest: str) -> list[Descriptor]:
    """A manifest's config descriptor, then its layers'."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("layers"), list):
        raise ImageError(f"manifest {digest}: expected an object with 'config' and a 'layers' list")
    out = [Descriptor.from_json(manifest.get("config"), f"manifest {digest}.config")]
    out += [Descriptor.from_json(m, f"manifest {digest}.layers[{i}]") for i, m in enumerate(manifest["layers"])]
    return out


def _layout_names(desc: Descriptor, src: str) -> list[str]:
    """The full reference a source layout gives a manifest, if any: the
    containerd image-name annotation, or a ref name that is more than a tag."""
    if CONTAINERD_IMAGE_NAME in desc.annotations:
        return [desc.annotations[CONTAINERD_IMAGE_NAME]]
    ref_name = desc.annotations.get(REF_NAME)
    if ref_name is None:
        return []
    if "/" not in ref_name and ":" not in ref_name:
        raise ImageError(f"{src}: ref name {ref_name!r} is only a tag; give the full name to store it under "
                         f"(name='repo:{ref_name}')")
    return [ref_name]


def _archive_config(tf: tarfile.TarFile, img: Image) -> tuple[str, bytes]:
    """The archive member holding ``img``'s config, and its bytes (checked
    against the config digest the archive was read with)."""
    entries = json.loads(_archive_member(tf, "manifest.json", img.path).read(MAX_JSON_BYTES))
    for e in entries:
        if e.get("Layers") == [layer.location for layer in img.layers] and isinstance(e.get("Config"), str):
            data = _archive_member(tf, e["Config"], img.path).read(MAX_JSON_BYTES + 1)
            if "sha256:" + hashlib.sha256(data).hexdigest() == img.config_digest:
                return e["Config"], data
    raise ImageError(f"{img.path}: the config {img.config_digest} is gone: the archive changed while it was imported")
