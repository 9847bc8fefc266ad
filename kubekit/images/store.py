"""A content-addressed store of unpacked layers.

Each layer is unpacked once, into ``ROOT/sha256/<hex of its diff ID>/``,
however many images share it.  The diff ID (the digest of the *uncompressed*
tar) names the directory, so the same layer shipped gzipped by one image and
plain by another is still stored once.  A layer directory holds overlay-style
whiteouts (see :mod:`kubekit.images.unpack`) and is meant to be used as a
read-only overlayfs lower directory as it is; :func:`overlay_lowerdir` stacks
an image's layers in the order the ``lowerdir=`` option wants.

Unpacking is atomic: a layer is written into ``ROOT/tmp/``, its blob digest
and diff ID are checked, and only then is it renamed into place.  Any error
(a hostile entry, a wrong digest, a full disk) removes the temporary directory;
the store never holds a partial layer.  A lock file (``ROOT/.lock``) is held
shared while unpacking and exclusively by :meth:`LayerStore.gc`, so a
collection never removes a layer that is being published.

The store's directories are ``0711``: other users cannot list them, but a
user-namespaced container's root (an unprivileged host uid) can reach the
layer directories its overlay stacks.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kubekit.images.errors import ImageError
from kubekit.images.layout import Image, Layer, parse_digest
from kubekit.images.unpack import unpack_layer

__all__ = ["DEFAULT_LAYER_ROOT", "LayerStore", "overlay_lowerdir"]

log = logging.getLogger(__name__)

DEFAULT_LAYER_ROOT = "/var/lib/kubekit/layers"


def overlay_lowerdir(paths: Iterable[str]) -> str:
    """Layer directories bottom first -> overlayfs's ``lowerdir=`` value
    (top first, ``:``-separated).  Paths with ``:`` or ``,`` are refused."""
    out = []
    for p in paths:
        if ":" in p or "," in p or "\\" in p:
            raise ImageError(f"layer path {p!r}: ':', ',' and '\\' cannot appear in an overlay lowerdir")
        out.append(p)
    if not out:
        raise ImageError("an overlay needs at least one lower directory")
    return ":".join(reversed(out))


@dataclass(frozen=True, slots=True)
class LayerStore:
    """The layer store rooted at ``root`` (made on first use)."""
    root: str = DEFAULT_LAYER_ROOT

    def path(self, diff_id: str) -> str:
        """Where the layer with this diff ID lives (whether or not it does)."""
        alg, hexd = parse_digest(diff_id, "diff ID")
        return os.path.join(self.root, alg, hexd)

    def has(self, diff_id: str) -> bool:
        return os.path.isdir(self.path(diff_id))

    def layers(self) -> list[str]:
        """The diff IDs of the stored layers, sorted."""
        out = []
        for alg in ("sha256", "sha512"):
            d = os.path.join(self.root, alg)
            if os.path.isdir(d):
                out += [f"{alg}:{h}" for h in os.listdir(d)]
        return sorted(out)

    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        os.makedirs(self.root, mode=0o711, exist_ok=True)
        fd = os.open(os.path.join(self.root, ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def ensure(self, image: Image, layer: Layer) -> str:
        """The directory of ``layer``, unpacking it from ``image`` first if the
        store does not hold it yet."""
        final = self.path(layer.diff_id)
        if os.path.isdir(final):
            return final
        with self._lock(exclusive=False):
            if os.path.isdir(final):
                return final
            tmproot = os.path.join(self.root, "tmp")
            os.makedirs(tmproot, mode=0o700, exist_ok=True)
            os.makedirs(os.path.dirname(final), mode=0o711, exist_ok=True)
            tmp = tempfile.mkdtemp(prefix=os.path.basename(final)[:16] + "-", dir=tmproot)
            try:
                os.chmod(tmp, 0o755)
                with image.open_layer(layer) as stream:
                    n = unpack_layer(stream, tmp, whiteouts="overlay")
                try:
                    os.rename(tmp, final)
                except OSError as e:
                    if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
                    log.debug("layer %s was published concurrently", layer.diff_id)
                    shutil.rmtree(tmp)
                else:
                    log.info("unpacked layer %s (%d entries) into %s", layer.diff_id, n, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return final

    def ensure_image(self, image: Image) -> tuple[str, ...]:
        """Every layer of ``image`` in the store; their directories, bottom first."""
        return tuple(self.ensure(image, layer) for layer in image.layers)

    def remove(self, diff_id: str) -> bool:
        """Remove one layer; False if it was not stored."""
        with self._lock(exclusive=True):
            return self._remove(diff_id)

    def _remove(self, diff_id: str) -> bool:
        final = self.path(diff_id)
        if not os.path.isdir(final):
            return False
        tmproot = os.path.join(self.root, "tmp")
        os.makedirs(tmproot, mode=0o700, exist_ok=True)
        doomed = tempfile.mkdtemp(prefix="gc-", dir=tmproot)
        os.rename(final, os.path.join(doomed, "layer"))     # disappears atomically
        shutil.rmtree(doomed)
        return True

    def gc(self, referenced: Iterable[str]) -> list[str]:
        """Remove every layer whose diff ID is not in ``referenced``, and what
        interrupted unpacks left in ``tmp/``.  Returns the removed diff IDs."""
        keep = set(referenced)
        for d in keep:
            parse_digest(d, "referenced diff ID")
        with self._lock(exclusive=True):
            removed = [d for d in self.layers() if d not in keep and self._remove(d)]
            tmproot = os.path.join(self.root, "tmp")
            if os.path.isdir(tmproot):
                for name in os.listdir(tmproot):
                    shutil.rmtree(os.path.join(tmproot, name), ignore_errors=True)
        return removed
