"""Apply one layer tar to a directory, safely.

Every write is resolved ``openat``-style from a file descriptor on the
destination: parent directories are opened one component at a time with
``O_NOFOLLOW``, so a symlink an earlier entry made (or a lower layer left) is
never followed; a path whose parent is a symlink is refused.  Names with
``..`` components, absolute names, hardlinks to anything but an entry written
earlier in the same layer, and device nodes when not root are refused with
:class:`HostileArchiveError`.

Whiteouts have two modes:

``whiteouts="overlay"`` (the layer store)
    the layer directory *represents* whiteouts the way overlayfs does, so it
    can be stacked as a read-only lower directory: ``.wh.NAME`` becomes a
    character device 0/0 named ``NAME``, ``.wh..wh..opq`` sets the xattr
    ``trusted.overlay.opaque=y`` on its directory, and ``user.overlay.opaque=y``
    too, which is what an overlay mounted with ``userxattr`` (in a user
    namespace) reads.  Needs root.

``whiteouts="apply"`` (:func:`flatten`)
    layers are unpacked one over the other into one directory, and whiteouts
    delete: ``.wh.NAME`` removes ``NAME``; ``.wh..wh..opq`` empties its
    directory of everything not written by the same layer.

As the OCI image spec says, a whiteout hides only what lower layers hold: an
entry of the same layer survives it whatever the order in the tar.
``.wh..wh.*`` names other than the opaque marker (aufs bookkeeping) are
skipped, and so are ``trusted.overlay.*`` and ``user.overlay.*`` xattrs in the
tar (a layer must not forge whiteouts).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import tarfile
from collections.abc import Iterable
from typing import BinaryIO

from kubekit.images.errors import HostileArchiveError, ImageError
from kubekit.images.layout import Image

__all__ = ["OPAQUE_XATTR", "classify_whiteout", "clean_name", "flatten", "unpack_layer"]

log = logging.getLogger(__name__)

WH_PREFIX = ".wh."
WH_META_PREFIX = ".wh..wh."
WH_OPAQUE = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"
USER_OPAQUE_XATTR = "user.overlay.opaque"
XATTR_PAX = "SCHILY.xattr."

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

Parts = tuple[str, ...]


# ---------------------------------------------------------------- pure helpers

def clean_name(name: str, what: str = "entry") -> Parts:
    """A tar member name -> its path components below the layer root.
    ``./a//b/`` -> ``("a", "b")``; ``.`` -> ``()``.  Absolute names and any
    ``..`` component raise :class:`HostileArchiveError`."""
    if name.startswith("/"):
        raise HostileArchiveError(f"{what} {name!r}: absolute path, expected a path relative to the layer root")
    if "\0" in name:
        raise HostileArchiveError(f"{what} {name!r}: NUL byte in path")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if ".." in parts:
        raise HostileArchiveError(f"{what} {name!r}: '..' component would escape the layer root")
    return parts


def classify_whiteout(base: str) -> tuple[str, str | None]:
    """A file name -> ``("opaque", None)``, ``("whiteout", NAME)``,
    ``("meta", None)`` (other ``.wh..wh.`` names, skipped) or ``("plain", None)``."""
    if base == WH_OPAQUE:
        return ("opaque", None)
    if base.startswith(WH_META_PREFIX):
        return ("meta", None)
    if base.startswith(WH_PREFIX):
        target = base[len(WH_PREFIX):]
        if target in ("", ".", ".."):
            raise HostileArchiveError(f"whiteout {base!r}: names no file")
        return ("whiteout", target)
    return ("plain", None)


def _xattrs(ti: tarfile.TarInfo) -> list[tuple[str, bytes]]:
    out = []
    for k, v in ti.pax_headers.items():
        if k.startswith(XATTR_PAX):
            name = k[len(XATTR_PAX):]
            if name.startswith(("trusted.overlay.", "user.overlay.")):
                log.debug("skipping %s on %s: layers may not set overlay xattrs", name, ti.name)
                continue
            out.append((name, v.encode("utf-8", "surrogateescape")))
    return out


def _mtime_ns(ti: tarfile.TarInfo) -> int:
    return round(float(ti.mtime) * 1_000_000_000)


# ---------------------------------------------------------------- the unpacker

class _Unpacker:
    def __init__(self, dest: str, whiteouts: str, same_owner: bool) -> None:
        if whiteouts not in ("overlay", "apply"):
            raise ValueError(f"whiteouts={whiteouts!r}: expected 'overlay' or 'apply'")
        self.dest, self.mode, self.same_owner = dest, whiteouts, same_owner
        self.root = os.open(dest, _DIR_FLAGS)
        self.written: set[Parts] = set()       # entries of this layer
        self.ancestors: set[Parts] = set()     # their parent directories
        self.linkable: set[Parts] = set()      # non-directories of this layer (hardlink targets)
        self.dirs: dict[Parts, tarfile.TarInfo] = {}   # directory metadata, applied at the end

    def close(self) -> None:
        os.close(self.root)

    def _mark(self, parts: Parts, linkable: bool) -> None:
        self.written.add(parts)
        for i in range(len(parts)):
            self.ancestors.add(parts[:i])
        if linkable:
            self.linkable.add(parts)
        else:
            self.linkable.discard(parts)

    def _open_dir(self, parts: Parts, name: str, create: bool) -> int | None:
        """An fd on directory ``parts``, each component opened O_NOFOLLOW.
        Missing components are made (0755) when ``create``, else None."""
        fd = os.dup(self.root)
        try:
            for i, comp in enumerate(parts):
                try:
                    nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    os.mkdir(comp, 0o755, dir_fd=fd)
                    nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise HostileArchiveError(
                            f"entry {name!r}: {'/'.join(parts[:i + 1])!r} is a symlink or not a directory; "
                            f"refusing to write through it") from None
                    raise
                os.close(fd)
                fd = nfd
            return fd
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def _lstat(name: str, pfd: int) -> os.stat_result | None:
        try:
            return os.lstat(name, dir_fd=pfd)
        except FileNotFoundError:
            return None

    @staticmethod
    def _remove(name: str, pfd: int, st: os.stat_result) -> None:
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(name, dir_fd=pfd)
        else:
            os.unlink(name, dir_fd=pfd)

    # -- entries

    def entry(self, tf: tarfile.TarFile, ti: tarfile.TarInfo) -> None:
        parts = clean_name(ti.name)
        if not parts:
            if not ti.isdir():
                raise HostileArchiveError(f"entry {ti.name!r}: the layer root must be a directory")
            self.dirs[()] = ti
            return
        kind, target = classify_whiteout(parts[-1])
        if kind == "meta":
            return
        if kind == "opaque":
            self._opaque(parts[:-1], ti.name)
            return
        if kind == "whiteout":
            self._whiteout(parts[:-1] + (target,), ti.name)  # type: ignore[operator]
            return
        if (ti.ischr() or ti.isblk()) and os.geteuid() != 0:
            raise HostileArchiveError(f"entry {ti.name!r}: device nodes can only be made as root")
        if not (ti.isreg() or ti.isdir() or ti.issym() or ti.islnk() or ti.ischr() or ti.isblk() or ti.isfifo()):
            raise ImageError(f"entry {ti.name!r}: unsupported tar entry type {ti.type!r}")
        link_parts: Parts = ()
        if ti.islnk():
            link_parts = clean_name(ti.linkname, f"hardlink {ti.name!r} ->")
            if link_parts not in self.linkable:
                raise HostileArchiveError(f"hardlink {ti.name!r} -> {ti.linkname!r}: the target is not a file "
                                          f"written earlier in this layer")
        pfd = self._open_dir(parts[:-1], ti.name, create=True)
        assert pfd is not None
        base = parts[-1]
        try:
            st = self._lstat(base, pfd)
            if st is not None and not (ti.isdir() and stat.S_ISDIR(st.st_mode)):
                self._remove(base, pfd, st)
                st = None
            if ti.isdir():
                if st is None:
                    os.mkdir(base, 0o700, dir_fd=pfd)
                self.dirs[parts] = ti
            elif ti.isreg():
                self._file(tf, ti, base, pfd)
            elif ti.issym():
                os.symlink(ti.linkname, base, dir_fd=pfd)
                self._meta_path(ti, base, pfd, symlink=True)
            elif ti.islnk():
                spfd = self._open_dir(link_parts[:-1], ti.linkname, create=False)
                if spfd is None:
                    raise HostileArchiveError(f"hardlink {ti.name!r} -> {ti.linkname!r}: target is gone")
                try:
                    os.link(link_parts[-1], base, src_dir_fd=spfd, dst_dir_fd=pfd, follow_symlinks=False)
                finally:
                    os.close(spfd)
            else:
                if ti.isfifo():
                    os.mkfifo(base, 0o600, dir_fd=pfd)
                else:
                    kind_bits = stat.S_IFCHR if ti.ischr() else stat.S_IFBLK
                    os.mknod(base, kind_bits | 0o600, os.makedev(ti.devmajor, ti.devminor), dir_fd=pfd)
                self._meta_path(ti, base, pfd, symlink=False)
        finally:
            os.close(pfd)
        self._mark(parts, linkable=not ti.isdir())

    def _file(self, tf: tarfile.TarFile, ti: tarfile.TarInfo, base: str, pfd: int) -> None:
        fd = os.open(base, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=pfd)
        try:
            src = tf.extractfile(ti)
            assert src is not None
            with open(fd, "wb", closefd=False) as out:
                shutil.copyfileobj(src, out, 1 << 20)
            self._meta_fd(ti, fd)
        finally:
            os.close(fd)

    def _meta_fd(self, ti: tarfile.TarInfo, fd: int) -> None:
        if self.same_owner:
            os.fchown(fd, ti.uid, ti.gid)
        os.fchmod(fd, ti.mode & 0o7777)
        for k, v in _xattrs(ti):
            os.setxattr(fd, k, v)
        t = _mtime_ns(ti)
        os.utime(fd, ns=(t, t))

    def _meta_path(self, ti: tarfile.TarInfo, base: str, pfd: int, symlink: bool) -> None:
        # the leaf was just made by us and is not followed (symlink) or not a symlink
        if self.same_owner:
            os.chown(base, ti.uid, ti.gid, dir_fd=pfd, follow_symlinks=False)
        if not symlink:
            os.chmod(base, ti.mode & 0o7777, dir_fd=pfd)
        for k, v in _xattrs(ti):
            os.setxattr(f"/proc/self/fd/{pfd}/{base}", k, v, follow_symlinks=False)
        t = _mtime_ns(ti)
        os.utime(base, ns=(t, t), dir_fd=pfd, follow_symlinks=False)

    # -- whiteouts

    def _whiteout(self, parts: Parts, name: str) -> None:
        if parts in self.written:
            return                                   # same-layer entries survive their whiteout
        pfd = self._open_dir(parts[:-1], name, create=self.mode == "overlay")
        if pfd is None:
            return
        try:
            st = self._lstat(parts[-1], pfd)
            if st is not None:
                self._remove(parts[-1], pfd, st)
            if self.mode == "overlay":
                if os.geteuid() != 0:
                    raise HostileArchiveError(f"whiteout {name!r}: overlay whiteouts (0/0 character devices) "
                                              f"can only be made as root")
                os.mknod(parts[-1], stat.S_IFCHR | 0o000, os.makedev(0, 0), dir_fd=pfd)
        finally:
            os.close(pfd)

    def _opaque(self, parts: Parts, name: str) -> None:
        fd = self._open_dir(parts, name, create=True)
        assert fd is not None
        try:
            if self.mode == "overlay":
                os.setxattr(fd, OPAQUE_XATTR, b"y")
                os.setxattr(fd, USER_OPAQUE_XATTR, b"y")
            else:
                self._prune(fd, parts)
        finally:
            os.close(fd)
        if parts:
            self.ancestors.add(parts)

    def _prune(self, fd: int, parts: Parts) -> None:
        for child in os.listdir(fd):
            cp = parts + (child,)
            st = os.lstat(child, dir_fd=fd)
            if cp in self.written or cp in self.ancestors:
                if stat.S_ISDIR(st.st_mode):
                    cfd = os.open(child, _DIR_FLAGS, dir_fd=fd)
                    try:
                        self._prune(cfd, cp)
                    finally:
                        os.close(cfd)
            else:
                self._remove(child, fd, st)

    # -- the end

    def finish(self) -> None:
        for parts in sorted(self.dirs, key=len, reverse=True):
            ti = self.dirs[parts]
            try:
                fd = self._open_dir(parts, ti.name, create=False)
            except HostileArchiveError:
                continue                              # replaced later in the layer
            if fd is None:
                continue
            try:
                self._meta_fd(ti, fd)
            finally:
                os.close(fd)


def unpack_layer(tar_stream: BinaryIO, dest: str | os.PathLike[str], *, whiteouts: str = "overlay",
                 same_owner: bool | None = None) -> int:
    """Apply the uncompressed layer tar read from ``tar_stream`` to the
    existing directory ``dest``; returns the number of entries.  ``same_owner``
    (default: when root) sets each entry's uid/gid.  On error ``dest`` is left
    half-written: unpack into a directory you can throw away (the store does)."""
    u = _Unpacker(os.fspath(dest), whiteouts, os.geteuid() == 0 if same_owner is None else same_owner)
    n = 0
    try:
        try:
            with tarfile.open(fileobj=tar_stream, mode="r|") as tf:
                for ti in tf:
                    try:
                        u.entry(tf, ti)
                    except ImageError:
                        raise
                    except OSError as e:
                        raise ImageError(f"entry {ti.name!r}: {e.strerror or e}") from e
                    n += 1
        except tarfile.TarError as e:
            raise ImageError(f"layer tar: {e}") from e
        u.finish()
    finally:
        u.close()
    return n


def flatten(image: Image, dest: str | os.PathLike[str], *, same_owner: bool | None = None,
            layers: Iterable[int] | None = None) -> None:
    """Unpack ``image``'s layers, bottom first, into the one directory
    ``dest`` (made if missing), applying whiteouts: the image's root
    filesystem as ``umoci unpack`` or ``docker export`` would give it."""
    os.makedirs(dest, exist_ok=True)
    for i in (range(len(image.layers)) if layers is None else layers):
        layer = image.layers[i]
        with image.open_layer(layer) as stream:
            unpack_layer(stream, dest, whiteouts="apply", same_owner=same_owner)
