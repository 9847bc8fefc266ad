"""Build test images from Python: layer tars, OCI layouts, tree snapshots."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
from typing import Any

import pytest

MTIME = 1_600_000_000

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (device nodes, chown, trusted xattrs, mounts)")


def entry(name: str, kind: str = "file", data: bytes = b"", mode: int | None = None, uid: int = 0, gid: int = 0,
          link: str = "", dev: tuple[int, int] = (0, 0), xattrs: dict[str, bytes] | None = None,
          mtime: int = MTIME) -> tuple[tarfile.TarInfo, bytes | None]:
    ti = tarfile.TarInfo(name)
    ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
               "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}[kind]
    ti.mode = mode if mode is not None else (0o755 if kind == "dir" else 0o644)
    ti.uid, ti.gid, ti.mtime, ti.linkname = uid, gid, mtime, link
    ti.devmajor, ti.devminor = dev
    if xattrs:
        ti.pax_headers = {f"SCHILY.xattr.{k}": v.decode("utf-8", "surrogateescape") for k, v in xattrs.items()}
    if kind == "file":
        ti.size = len(data)
        return ti, data
    return ti, None


def make_tar(entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for ti, data in entries:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def dir_tar(root: str) -> bytes:
    """A layer tar of a directory tree (names relative to ``root``)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name in sorted(os.listdir(root)):
            tf.add(os.path.join(root, name), arcname=name)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _blob(layout: str, data: bytes) -> str:
    d = sha(data)
    p = os.path.join(layout, "blobs", "sha256")
    os.makedirs(p, exist_ok=True)
    with open(os.path.join(p, d[7:]), "wb") as f:
        f.write(data)
    return d


def write_oci_layout(layout: str, layers: list[bytes], tag: str = "latest", gzipped: bool | list[bool] = True,
                     config_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write (or add ``tag`` to) an OCI layout; returns the manifest."""
    os.makedirs(layout, exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    flags = gzipped if isinstance(gzipped, list) else [gzipped] * len(layers)
    ldescs = []
    for tar, gz in zip(layers, flags):
        blob = gzip.compress(tar, mtime=0) if gz else tar
        ldescs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else ""),
                       "digest": _blob(layout, blob), "size": len(blob)})
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in layers]}, **(config_extra or {})}
    cdata = json.dumps(config).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _blob(layout, cdata),
                           "size": len(cdata)},
                "layers": ldescs}
    mdata = json.dumps(manifest).encode()
    ipath = os.path.join(layout, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(ipath):
        with open(ipath) as f:
            index = json.load(f)
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "digest": _blob(layout, mdata), "size": len(mdata),
                               "annotations": {"org.opencontainers.image.ref.name": tag}})
    with open(ipath, "w") as f:
        json.dump(index, f)
    return manifest


def snapshot(root: str, mtimes: bool = False, xattrs: bool = True) -> dict[str, tuple]:
    """path -> (type, mode, uid, gid, content/target/rdev, hardlink group[, mtime])."""
    out: dict[str, tuple] = {}
    inodes: dict[tuple[int, int], str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            fmt = stat.S_IFMT(st.st_mode)
            if stat.S_ISREG(fmt):
                with open(p, "rb") as f:
                    what: Any = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(fmt):
                what = os.readlink(p)
            elif stat.S_ISCHR(fmt) or stat.S_ISBLK(fmt):
                what = (os.major(st.st_rdev), os.minor(st.st_rdev))
            else:
                what = None
            group = None
            if not stat.S_ISDIR(fmt) and st.st_nlink > 1:
                group = inodes.setdefault((st.st_dev, st.st_ino), rel)
            xa: Any = None
            if xattrs and not stat.S_ISLNK(fmt):
                xa = tuple(sorted((k, os.getxattr(p, k, follow_symlinks=False))
                                  for k in os.listxattr(p, follow_symlinks=False)))
            row = (fmt, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, what, group, xa)
            if mtimes and not stat.S_ISDIR(fmt):
                row += (st.st_mtime_ns // 1_000_000_000,)
            out[rel] = row
    return out
