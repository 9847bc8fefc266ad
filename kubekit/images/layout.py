"""Read OCI image layouts and ``docker save`` archives.

Both readers return an :class:`Image`: the config, and the layers bottom
first, each with the digest of its blob as stored and its *diff ID* (the
digest of the uncompressed tar, from the config's ``rootfs.diff_ids``).
Nothing is trusted: every JSON blob is checked against its digest when read,
and :meth:`Image.open_layer` checks the layer's blob digest and diff ID as the
tar is streamed (a mismatch raises when the ``with`` block ends, before a
caller can publish what it unpacked).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import platform
import re
import tarfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from kubekit.images.digest import parse_digest
from kubekit.images.errors import DigestMismatchError, ImageError

__all__ = [
    "Descriptor",
    "Image",
    "Layer",
    "host_platform",
    "layer_compression",
    "parse_digest",
    "read_docker_archive",
    "read_image",
    "read_oci_layout",
]

MAX_JSON_BYTES = 4 << 20     # manifests, indexes and configs are small; refuse huge "JSON"
REF_NAME = "org.opencontainers.image.ref.name"

_INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
_MANIFEST_TYPES = {
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
}
_LAYER_TYPES = {
    "application/vnd.oci.image.layer.v1.tar": "none",
    "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
    "application/vnd.docker.image.rootfs.diff.tar": "none",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
}


# ---------------------------------------------------------------- pure helpers

def layer_compression(media_type: str) -> str:
    """The compression of a layer blob from its media type: ``"gzip"`` or
    ``"none"``.  zstd and unknown types raise :class:`ImageError`."""
    comp = _LAYER_TYPES.get(media_type)
    if comp is None:
        raise ImageError(f"unsupported layer media type {media_type!r}: expected an OCI or Docker "
                         f"tar or tar+gzip layer")
    if comp == "zstd":
        raise ImageError(f"unsupported layer media type {media_type!r}: zstd layers are not supported yet")
    return comp


def sniff_compression(head: bytes, what: str) -> str:
    """Compression from a blob's first bytes (Docker archives carry no media types)."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        raise ImageError(f"{what}: zstd layers are not supported yet")
    return "none"


_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386", "ppc64le": "ppc64le",
         "s390x": "s390x", "riscv64": "riscv64"}


def host_platform() -> tuple[str, str]:
    """``("linux", GOARCH)`` for this machine, as image indexes name platforms."""
    m = platform.machine()
    return ("linux", _ARCH.get(m, m))


# ---------------------------------------------------------------- data

@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor (media type, digest, size)."""
    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict, compare=False)
    platform: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @staticmethod
    def from_json(obj: object, where: str) -> Descriptor:
        if not isinstance(obj, dict):
            raise ImageError(f"{where}: expected a descriptor object, got {type(obj).__name__}")
        mt, dg, sz = obj.get("mediaType"), obj.get("digest"), obj.get("size")
        if not isinstance(mt, str):
            raise ImageError(f"{where}.mediaType: expected a string, got {mt!r}")
        parse_digest(dg, f"{where}.digest")
        if not isinstance(sz, int) or isinstance(sz, bool) or sz < 0:
            raise ImageError(f"{where}.size: expected a non-negative integer, got {sz!r}")
        return Descriptor(mt, dg, sz, dict(obj.get("annotations") or {}), dict(obj.get("platform") or {}))


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer of an image.  ``digest`` names the blob as stored (maybe
    gzipped), ``diff_id`` the uncompressed tar; ``size`` is the blob's size or
    -1 when unknown.  ``location`` is where the blob lives in its source."""
    digest: str
    diff_id: str
    media_type: str
    compression: str
    size: int
    location: str


@dataclass(frozen=True, slots=True)
class Image:
    """An image read from a layout or an archive (``kind`` is ``"oci"`` or
    ``"docker-archive"``).  ``config`` is the parsed config JSON."""
    kind: str
    path: str
    manifest_digest: str | None
    config_digest: str
    config: Mapping[str, Any] = field(compare=False)
    layers: tuple[Layer, ...]

    @property
    def diff_ids(self) -> tuple[str, ...]:
        return tuple(layer.diff_id for layer in self.layers)

    @contextlib.contextmanager
    def open_layer(self, layer: Layer) -> Iterator[BinaryIO]:
        """Stream ``layer`` as an uncompressed tar.  When the block ends
        without an exception, the rest of the blob is read and both its digest
        and the diff ID are checked; a mismatch raises
        :class:`DigestMismatchError`."""
        with _open_location(self, layer.location) as raw:
            outer = _Verifier(raw, layer.digest, layer.size, f"layer blob {layer.digest} in {self.path}")
            src: BinaryIO = outer  # type: ignore[assignment]
            gz = None
            if layer.compression == "gzip":
                gz = gzip.GzipFile(fileobj=outer, mode="rb")   # type: ignore[arg-type]
                src = gz  # type: ignore[assignment]
            inner = _Verifier(src, layer.diff_id, -1, f"uncompressed layer {layer.digest} (diff ID) in {self.path}")
            try:
                yield inner  # type: ignore[misc]
                inner.drain()
                outer.finish()          # the blob digest first: it names what is wrong more precisely
                inner.finish()
            finally:
                if gz is not None:
                    gz.close()


class _Verifier(io.RawIOBase):
    """Hashes what is read through it; :meth:`finish` reads the rest and
    compares the digest (and the size when known)."""

    def __init__(self, raw: Any, digest: str, size: int, what: str) -> None:
        self._raw, self._digest, self._size, self._what = raw, digest, size, what
        alg, self._hex = parse_digest(digest)
        self._h = hashlib.new(alg)
        self._n = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            data = self._raw.read(len(b))
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise ImageError(f"{self._what}: corrupt or truncated compressed stream: {e}") from e
        n = len(data)
        b[:n] = data
        self._h.update(data)
        self._n += n
        if self._size >= 0 and self._n > self._size:
            raise DigestMismatchError(f"{self._what}: more than the {self._size} bytes its descriptor says")
        return n

    def drain(self) -> None:
        while self.read(1 << 20):
            pass

    def finish(self) -> None:
        self.drain()
        if self._size >= 0 and self._n != self._size:
            raise DigestMismatchError(f"{self._what}: {self._n} bytes, its descriptor says {self._size}")
        got = self._h.hexdigest()
        if got != self._hex:
            raise DigestMismatchError(f"{self._what}: content hashes to {self._h.name}:{got}, expected {self._digest}")


# ---------------------------------------------------------------- sources

@contextlib.contextmanager
def _open_location(image: Image, location: str) -> Iterator[BinaryIO]:
    if image.kind == "oci":
        try:
            f = open(os.path.join(image.path, location), "rb")
        except OSError as e:
            raise ImageError(f"{image.path}: cannot open blob {location}: {e.strerror}") from e
        with f:
            yield f
    else:
        with tarfile.open(image.path, "r:") as tf:
            yield _archive_member(tf, location, image.path)


def _archive_member(tf: tarfile.TarFile, name: str, path: str) -> BinaryIO:
    try:
        f = tf.extractfile(name)
    except KeyError:
        f = None
    except tarfile.TarError as e:
        raise ImageError(f"{path}: cannot read {name!r}: {e}") from e
    if f is None:
        raise ImageError(f"{path}: no regular file {name!r} in the archive")
    return f  # type: ignore[return-value]


def _load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise ImageError(f"{what}: not valid JSON: {e}") from e


def _read_blob(layout: str, d: Descriptor, what: str) -> bytes:
    alg, hexd = parse_digest(d.digest, f"{what} digest")
    if d.size > MAX_JSON_BYTES:
        raise ImageError(f"{what} {d.digest}: {d.size} bytes, more than the {MAX_JSON_BYTES} allowed for JSON")
    p = os.path.join(layout, "blobs", alg, hexd)
    try:
        with open(p, "rb") as f:
            data = f.read(MAX_JSON_BYTES + 1)
    except OSError as e:
        raise ImageError(f"{layout}: cannot read {what} blob {d.digest}: {e.strerror}") from e
    got = hashlib.new(alg, data).hexdigest()
    if got != hexd:
        raise DigestMismatchError(f"{what} blob {d.digest} in {layout}: content hashes to {alg}:{got}")
    if len(data) != d.size:
        raise DigestMismatchError(f"{what} blob {d.digest} in {layout}: {len(data)} bytes, descriptor says {d.size}")
    return data


# ---------------------------------------------------------------- OCI layout

def _select(descs: list[Descriptor], ref: str | None, where: str) -> Descriptor:
    if ref is None:
        if len(descs) != 1:
            names = sorted({d.annotations.get(REF_NAME, d.digest) for d in descs})
            raise ImageError(f"{where}: {len(descs)} manifests, name one of {names}")
        return descs[0]
    if ref.startswith("sha256:"):
        hits = [d for d in descs if d.digest == ref]
    else:
        hits = [d for d in descs if d.annotations.get(REF_NAME) == ref]
    if not hits:
        names = sorted(d.annotations[REF_NAME] for d in descs if REF_NAME in d.annotations)
        raise ImageError(f"{where}: no manifest named {ref!r} (names: {names})")
    return hits[0]


def _pick_platform(descs: list[Descriptor], where: str, plat: tuple[str, str]) -> Descriptor:
    for d in descs:
        if (d.platform.get("os"), d.platform.get("architecture")) == plat:
            return d
    have = [f"{d.platform.get('os')}/{d.platform.get('architecture')}" for d in descs]
    raise ImageError(f"{where}: no manifest for {plat[0]}/{plat[1]} (have {have})")


def read_oci_layout(path: str | os.PathLike[str], ref: str | None = None,
                    platform: tuple[str, str] | None = None) -> Image:
    """Read the image ``ref`` (a ``org.opencontainers.image.ref.name`` such as
    ``"latest"``, or a manifest digest; ``None`` if the index has one) from the
    OCI image layout at ``path``.  Nested indexes resolve to ``platform``
    (default: this machine's)."""
    layout = os.fspath(path)
    try:
        with open(os.path.join(layout, "oci-layout"), "rb") as f:
            marker = _load_json(f.read(MAX_JSON_BYTES), f"{layout}/oci-layout")
        with open(os.path.join(layout, "index.json"), "rb") as f:
            index = _load_json(f.read(MAX_JSON_BYTES), f"{layout}/index.json")
    except OSError as e:
        raise ImageError(f"{layout}: not an OCI image layout: {e.strerror}: {e.filename}") from e
    if not isinstance(marker, dict) or marker.get("imageLayoutVersion") != "1.0.0":
        raise ImageError(f"{layout}/oci-layout: expected imageLayoutVersion '1.0.0', got {marker!r}")
    desc = _select(_descriptors(index, f"{layout}/index.json"), ref, f"{layout}/index.json")
    for _ in range(8):                      # nested indexes, bounded
        if desc.media_type in _INDEX_TYPES:
            sub = _load_json(_read_blob(layout, desc, "index"), f"index {desc.digest}")
            desc = _pick_platform(_descriptors(sub, f"index {desc.digest}"), f"index {desc.digest}",
                                  platform or host_platform())
            continue
        break
    if desc.media_type not in _MANIFEST_TYPES:
        raise ImageError(f"{layout}: manifest {desc.digest} has media type {desc.media_type!r}, expected an "
                         f"image manifest or index")
    manifest = _load_json(_read_blob(layout, desc, "manifest"), f"manifest {desc.digest}")
    if not isinstance(manifest, dict):
        raise ImageError(f"manifest {desc.digest}: expected an object")
    cdesc = Descriptor.from_json(manifest.get("config"), f"manifest {desc.digest}.config")
    config = _load_json(_read_blob(layout, cdesc, "config"), f"config {cdesc.digest}")
    diff_ids = _diff_ids(config, f"config {cdesc.digest}")
    raw_layers = manifest.get("layers")
    if not isinstance(raw_layers, list):
        raise ImageError(f"manifest {desc.digest}.layers: expected a list")
    if len(raw_layers) != len(diff_ids):
        raise ImageError(f"manifest {desc.digest}: {len(raw_layers)} layers but config {cdesc.digest} "
                         f"has {len(diff_ids)} diff_ids")
    layers = []
    for i, (obj, diff_id) in enumerate(zip(raw_layers, diff_ids)):
        d = Descriptor.from_json(obj, f"manifest {desc.digest}.layers[{i}]")
        alg, hexd = parse_digest(d.digest)
        layers.append(Layer(d.digest, diff_id, d.media_type, layer_compression(d.media_type), d.size,
                            os.path.join("blobs", alg, hexd)))
    return Image("oci", layout, desc.digest, cdesc.digest, config, tuple(layers))


def _descriptors(index: object, where: str) -> list[Descriptor]:
    if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
        raise ImageError(f"{where}: expected an object with a 'manifests' list")
    return [Descriptor.from_json(m, f"{where}.manifests[{i}]") for i, m in enumerate(index["manifests"])]


def _diff_ids(config: object, where: str) -> list[str]:
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(ids, list):
        raise ImageError(f"{where}: expected rootfs.diff_ids, a list of digests")
    for i, d in enumerate(ids):
        parse_digest(d, f"{where} rootfs.diff_ids[{i}]")
    return ids


# ---------------------------------------------------------------- docker save

def normalize_ref(ref: str) -> str:
    """Docker's short names -> full ones: ``busybox:1`` -> ``docker.io/library/busybox:1``,
    ``me/app:t`` -> ``docker.io/me/app:t``; names with a registry host stay."""
    first, _, rest = ref.partition("/")
    if not rest:
        return f"docker.io/library/{ref}"
    if "." in first or ":" in first or first == "localhost":
        return ref
    return f"docker.io/{ref}"


def _same_ref(a: str, b: str) -> bool:
    return a == b or normalize_ref(a) == normalize_ref(b)


def read_docker_archive(path: str | os.PathLike[str], ref: str | None = None) -> Image:
    """Read the image ``ref`` (a ``name:tag`` of its ``RepoTags``; ``None`` if
    the archive holds one image) from a ``docker save`` tar.  Layer blob
    digests are computed by reading each layer once."""
    archive = os.fspath(path)
    try:
        tf = tarfile.open(archive, "r:")
    except (OSError, tarfile.TarError) as e:
        raise ImageError(f"{archive}: not a docker archive: {e}") from e
    with tf:
        mf = _load_json(_archive_member(tf, "manifest.json", archive).read(MAX_JSON_BYTES), f"{archive}:manifest.json")
        if not isinstance(mf, list) or not mf or not all(isinstance(e, dict) for e in mf):
            raise ImageError(f"{archive}:manifest.json: expected a non-empty list of objects")
        if ref is None:
            if len(mf) != 1:
                raise ImageError(f"{archive}: {len(mf)} images, name one of "
                                 f"{sorted(t for e in mf for t in e.get('RepoTags') or [])}")
            entry = mf[0]
        else:
            hits = [e for e in mf if any(_same_ref(ref, t) for t in e.get("RepoTags") or [])]
            if not hits:
                raise ImageError(f"{archive}: no image tagged {ref!r} (tags: "
                                 f"{sorted(t for e in mf for t in e.get('RepoTags') or [])})")
            entry = hits[0]
        cname, lnames = entry.get("Config"), entry.get("Layers")
        if not isinstance(cname, str) or not isinstance(lnames, list) or not all(isinstance(n, str) for n in lnames):
            raise ImageError(f"{archive}:manifest.json: expected 'Config' (a name) and 'Layers' (a list of names)")
        cdata = _archive_member(tf, cname, archive).read(MAX_JSON_BYTES + 1)
        if len(cdata) > MAX_JSON_BYTES:
            raise ImageError(f"{archive}:{cname}: config larger than {MAX_JSON_BYTES} bytes")
        config_digest = "sha256:" + hashlib.sha256(cdata).hexdigest()
        m = re.search(r"([0-9a-f]{64})(\.json)?$", cname)
        if m and m.group(1) != config_digest[7:]:
            raise DigestMismatchError(f"{archive}:{cname}: config hashes to {config_digest}")
        config = _load_json(cdata, f"{archive}:{cname}")
        diff_ids = _diff_ids(config, f"{archive}:{cname}")
        if len(diff_ids) != len(lnames):
            raise ImageError(f"{archive}: {len(lnames)} layers but config has {len(diff_ids)} diff_ids")
        layers = []
        for name, diff_id in zip(lnames, diff_ids):
            f = _archive_member(tf, name, archive)
            h, n, head = hashlib.sha256(), 0, b""
            while chunk := f.read(1 << 20):
                if not head:
                    head = chunk[:8]
                h.update(chunk)
                n += len(chunk)
            comp = sniff_compression(head, f"{archive}:{name}")
            mt = ("application/vnd.oci.image.layer.v1.tar+gzip" if comp == "gzip"
                  else "application/vnd.oci.image.layer.v1.tar")
            layers.append(Layer("sha256:" + h.hexdigest(), diff_id, mt, comp, n, name))
    return Image("docker-archive", archive, None, config_digest, config, tuple(layers))


def read_image(path: str | os.PathLike[str], ref: str | None = None) -> Image:
    """An OCI layout if ``path`` is a directory, else a docker archive."""
    return read_oci_layout(path, ref) if os.path.isdir(path) else read_docker_archive(path, ref)
