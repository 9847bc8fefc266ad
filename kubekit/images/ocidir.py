"""An OCI image layout that kubekit writes to.

:func:`kubekit.images.layout.read_oci_layout` reads any layout; this class
*adds* to one, safely for concurrent writers in other threads and processes:

* a blob is written to ``blobs/tmp/``, hashed as it streams, checked against
  the digest (and size) it was promised, and only then renamed to
  ``blobs/<alg>/<hex>``.  Any error, including an interrupted stream, removes
  the temporary file, so the layout never holds a partial or wrong blob;
* ``index.json`` is rewritten whole (temporary file, ``fsync``, ``rename``)
  under an exclusive ``flock`` on ``.lock``, so references are never lost to a
  racing writer or a crash.

References are stored the way skopeo and containerd store them: the manifest
descriptor in ``index.json`` carries the annotation
``org.opencontainers.image.ref.name``.  kubekit's image store puts the full
reference there (``docker.io/library/busybox:latest``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from kubekit.images.errors import DigestMismatchError, ImageError
from kubekit.images.layout import MAX_JSON_BYTES, REF_NAME, Descriptor, _descriptors, _load_json, parse_digest

__all__ = ["BlobWriter", "OciDir"]

_LAYOUT_MARKER = b'{"imageLayoutVersion":"1.0.0"}'


class BlobWriter:
    """Streams one blob into the layout; see :meth:`OciDir.blob_writer`."""

    def __init__(self, fd: int, tmp: str, alg: str) -> None:
        self._fd, self.tmp = fd, tmp
        self._h = hashlib.new(alg)
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            self._h.update(view[:n])
            view = view[n:]
            self.size += n
        return len(data)

    @property
    def digest(self) -> str:
        return f"{self._h.name}:{self._h.hexdigest()}"


class OciDir:
    """The OCI image layout at ``path`` (created by :meth:`init`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)

    # -- layout ------------------------------------------------------------------
    def init(self) -> OciDir:
        """Make the layout if it does not exist yet (idempotent)."""
        os.makedirs(os.path.join(self.path, "blobs", "sha256"), mode=0o755, exist_ok=True)
        marker = os.path.join(self.path, "oci-layout")
        if not os.path.exists(marker):
            self._write_file(marker, _LAYOUT_MARKER)
        with self._locked():
            if not os.path.exists(self._index_path):
                self._write_index([])
        return self

    @property
    def _index_path(self) -> str:
        return os.path.join(self.path, "index.json")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(os.path.join(self.path, ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @staticmethod
    def _write_file(path: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.rename(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    # -- blobs -------------------------------------------------------------------
    def blob_path(self, digest: str) -> str:
        alg, hexd = parse_digest(digest, "blob digest")
        return os.path.join(self.path, "blobs", alg, hexd)

    def has_blob(self, digest: str) -> bool:
        return os.path.isfile(self.blob_path(digest))

    def blobs(self) -> list[str]:
        """Digests of every stored blob, sorted."""
        out = []
        for alg in ("sha256", "sha512"):
            d = os.path.join(self.path, "blobs", alg)
            if os.path.isdir(d):
                out += [f"{alg}:{h}" for h in os.listdir(d)]
        return sorted(out)

    def open_blob(self, digest: str) -> BinaryIO:
        try:
            return open(self.blob_path(digest), "rb")
        except FileNotFoundError:
            raise ImageError(f"{self.path}: no blob {digest}") from None

    def read_json_blob(self, digest: str, what: str = "blob") -> Any:
        """A JSON blob (manifest, index, config), verified against its digest."""
        alg, hexd = parse_digest(digest, f"{what} digest")
        with self.open_blob(digest) as f:
            data = f.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise ImageError(f"{what} {digest}: more than {MAX_JSON_BYTES} bytes of JSON")
        if hashlib.new(alg, data).hexdigest() != hexd:
            raise DigestMismatchError(f"{what} {digest} in {self.path}: content does not match its digest")
        return _load_json(data, f"{what} {digest}")

    @contextlib.contextmanager
    def blob_writer(self, digest: str | None = None, size: int | None = None) -> Iterator[BlobWriter]:
        """Write a blob.  When the block ends without an exception, the content
        is checked against ``digest`` and ``size`` (if given) and published;
        otherwise, or on a mismatch (:class:`DigestMismatchError`), nothing
        is left behind.  ``writer.digest`` names the blob afterwards."""
        alg = parse_digest(digest, "expected blob digest")[0] if digest is not None else "sha256"
        tmpdir = os.path.join(self.path, "blobs", "tmp")
        os.makedirs(tmpdir, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="blob-", dir=tmpdir)
        w = BlobWriter(fd, tmp, alg)
        try:
            yield w
            if size is not None and w.size != size:
                raise DigestMismatchError(f"blob {digest or '(new)'}: got {w.size} bytes, expected {size}")
            if digest is not None and w.digest != digest:
                raise DigestMismatchError(f"blob {digest}: content hashes to {w.digest}")
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.chmod(tmp, 0o644)
            final = self.blob_path(w.digest)
            os.makedirs(os.path.dirname(final), mode=0o755, exist_ok=True)
            os.rename(tmp, final)      # replaces an identical blob published meanwhile
        finally:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def write_blob(self, data: bytes, digest: str | None = None) -> str:
        """Store ``data``; its digest."""
        with self.blob_writer(digest, len(data)) as w:
            w.write(data)
        return w.digest

    def remove_blobs(self, keep: Iterable[str]) -> list[str]:
        """Remove every blob not in ``keep``; the removed digests.  Holds the
        lock, so it does not race a reference being added.  ``blobs/tmp/`` is
        left alone: a write may be in flight there (the image store clears it
        when its own lock says none is)."""
        keep = set(keep)
        with self._locked():
            doomed = [d for d in self.blobs() if d not in keep]
            for d in doomed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.blob_path(d))
        return doomed

    # -- references --------------------------------------------------------------
    def _read_index(self) -> dict:
        try:
            with open(self._index_path, "rb") as f:
                index = _load_json(f.read(MAX_JSON_BYTES), self._index_path)
        except FileNotFoundError:
            return {"schemaVersion": 2, "manifests": []}
        _descriptors(index, self._index_path)      # validates
        return index

    def _write_index(self, manifests: list[dict]) -> None:
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": manifests}
        self._write_file(self._index_path, json.dumps(index, indent=1, sort_keys=True).encode())

    def descriptors(self) -> list[Descriptor]:
        """Every descriptor in ``index.json``."""
        return _descriptors(self._read_index(), self._index_path)

    def refs(self) -> dict[str, Descriptor]:
        """Reference name -> manifest (or index) descriptor."""
        return {d.annotations[REF_NAME]: d for d in self.descriptors() if REF_NAME in d.annotations}

    def set_ref(self, name: str, desc: Descriptor) -> None:
        """Point ``name`` at ``desc`` (replacing what it named).  The blob must
        already be stored."""
        if not self.has_blob(desc.digest):
            raise ImageError(f"{self.path}: cannot name {desc.digest} {name!r}: the blob is not stored")
        entry: dict[str, Any] = {"mediaType": desc.media_type, "digest": desc.digest, "size": desc.size,
                                 "annotations": {**desc.annotations, REF_NAME: name}}
        if desc.platform:
            entry["platform"] = dict(desc.platform)
        with self._locked():
            kept = [m for m in self._read_index()["manifests"]
                    if (m.get("annotations") or {}).get(REF_NAME) != name]
            self._write_index(kept + [entry])

    def remove_ref(self, name: str) -> Descriptor | None:
        """Drop ``name``; what it named, or None if it named nothing."""
        with self._locked():
            manifests = self._read_index()["manifests"]
            hit = [m for m in manifests if (m.get("annotations") or {}).get(REF_NAME) == name]
            if not hit:
                return None
            self._write_index([m for m in manifests if m not in hit])
        return Descriptor.from_json(hit[0], f"{self._index_path} entry {name!r}")
