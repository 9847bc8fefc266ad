"""Build an image: one layer from a directory, on top of a base image, with
a config.  Enough to package an app (what ``COPY . /`` plus ``ENTRYPOINT``,
``CMD``, ``ENV``, ``WORKDIR``, ``USER``, ``LABEL`` and ``EXPOSE`` do in a
Dockerfile), and reproducible: the same directory, options and ``created``
time give the same digests.

The layer tar is deterministic: entries sorted by name, uid/gid/mode as on
disk, no user or group names, mtimes clamped to the build time (as BuildKit's
``rewrite-timestamp`` does with ``SOURCE_DATE_EPOCH``), hardlinks stored once
and linked, xattrs as PAX ``SCHILY.xattr.*`` records; gzipped with a zero
header mtime and no file name.  The diff ID is the digest of the tar, the
blob digest that of the gzip stream.  Sockets cannot be archived and are
skipped (logged).
"""

from __future__ import annotations

import copy
import datetime as _dt
import gzip
import hashlib
import json
import logging
import os
import stat
import tarfile
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubekit.images.errors import ImageError
from kubekit.images.imagestore import OCI_CONFIG, OCI_MANIFEST, ImageStore
from kubekit.images.layout import Image, host_platform
from kubekit.images.reference import Reference, parse_reference

__all__ = ["LAYER_MEDIA_TYPE", "build_config", "build_epoch", "build_image", "layer_tar", "shell_form"]

log = logging.getLogger(__name__)

LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
_OCI_LAYER_TYPE = {
    "application/vnd.docker.image.rootfs.diff.tar.gzip": LAYER_MEDIA_TYPE,
    "application/vnd.docker.image.rootfs.diff.tar": "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
}
CREATED_BY = "kubekit build: COPY . /"      # the history entry; not the context's path, so a copy builds the same
_SKIPPED_XATTRS = ("trusted.overlay.",)        # the unpacker drops them anyway: a layer may not forge whiteouts


def build_epoch(created: int | None = None) -> int:
    """The build time in Unix seconds: ``created``, else
    ``$SOURCE_DATE_EPOCH``, else now."""
    if created is not None:
        return int(created)
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        try:
            return int(env)
        except ValueError:
            raise ImageError(f"SOURCE_DATE_EPOCH={env!r}: expected Unix seconds") from None
    return int(time.time())


def rfc3339(epoch: int) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shell_form(text: str) -> list[str]:
    """A command as the CLI takes it: a JSON array of strings (exec form), or
    any other text run by ``/bin/sh -c`` (shell form), as in a Dockerfile."""
    if text.lstrip().startswith("["):
        try:
            argv = json.loads(text)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
            return argv
    return ["/bin/sh", "-c", text]


# ---------------------------------------------------------------- the layer

class _Hashing:
    """A write-only file object that hashes what passes through to ``out``."""

    def __init__(self, out: Any) -> None:
        self.out, self.h, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.h.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        pass

    @property
    def digest(self) -> str:
        return "sha256:" + self.h.hexdigest()


def _tarinfo(path: str, name: str, st: os.stat_result, epoch: int) -> tarfile.TarInfo | None:
    ti = tarfile.TarInfo(name)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        ti.type = tarfile.DIRTYPE          # tarfile writes it as "name/"
    elif stat.S_ISREG(mode):
        ti.type, ti.size = tarfile.REGTYPE, st.st_size
    elif stat.S_ISLNK(mode):
        ti.type, ti.linkname = tarfile.SYMTYPE, os.readlink(path)
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        ti.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        ti.devmajor, ti.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    elif stat.S_ISFIFO(mode):
        ti.type = tarfile.FIFOTYPE
    else:
        log.warning("build: skipping %s: a socket cannot be put in a layer", path)
        return None
    ti.mode = stat.S_IMODE(mode)
    ti.uid, ti.gid, ti.uname, ti.gname = st.st_uid, st.st_gid, "", ""
    ti.mtime = min(int(st.st_mtime), epoch)
    if not stat.S_ISLNK(mode):
        xattrs = {}
        for key in sorted(os.listxattr(path, follow_symlinks=False)):
            if not key.startswith(_SKIPPED_XATTRS):
                value = os.getxattr(path, key, follow_symlinks=False)
                xattrs["SCHILY.xattr." + key] = value.decode("utf-8", "surrogateescape")
        ti.pax_headers = xattrs
    return ti


def _walk(context: str) -> Iterable[tuple[str, str]]:
    """(path, name in the layer) for everything below ``context``; symlinks
    are entries, never followed."""
    for dirpath, dirnames, filenames in os.walk(context):
        rel = os.path.relpath(dirpath, context)
        for n in dirnames + filenames:
            yield os.path.join(dirpath, n), (n if rel == "." else f"{rel}/{n}")


def layer_tar(context: str, out: Any, epoch: int) -> None:
    """Write the deterministic layer tar of ``context`` to ``out``."""
    seen: dict[tuple[int, int], str] = {}
    entries = sorted(_walk(context), key=lambda pn: pn[1])
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as tf:
        for path, name in entries:
            st = os.lstat(path)
            ti = _tarinfo(path, name, st, epoch)
            if ti is None:
                continue
            key = (st.st_dev, st.st_ino)
            if ti.type == tarfile.REGTYPE and st.st_nlink > 1:
                if key in seen:
                    ti.type, ti.linkname, ti.size = tarfile.LNKTYPE, seen[key], 0
                else:
                    seen[key] = name
            if ti.type == tarfile.REGTYPE:
                with open(path, "rb") as f:
                    tf.addfile(ti, f)
            else:
                tf.addfile(ti)


# ---------------------------------------------------------------- the config

def _merge_env(env: list[str], overrides: Iterable[str]) -> list[str]:
    """Docker's ENV: a key already set is replaced where it stands, a new
    one appended."""
    out = list(env)
    for item in overrides:
        key, eq, _ = item.partition("=")
        if not eq or not key:
            raise ImageError(f"env {item!r}: expected KEY=VALUE")
        keys = [e.partition("=")[0] for e in out]
        if key in keys:
            out[keys.index(key)] = item
        else:
            out.append(item)
    return out


def _port(p: str) -> str:
    port, _, proto = str(p).partition("/")
    if not port.isdigit() or not 0 < int(port) < 65536 or proto not in ("", "tcp", "udp", "sctp"):
        raise ImageError(f"exposed port {p!r}: expected PORT[/tcp|udp|sctp]")
    return f"{int(port)}/{proto or 'tcp'}"


def build_config(base: Mapping[str, Any] | None, diff_id: str, *, epoch: int, created_by: str,
                 entrypoint: Sequence[str] | None = None, cmd: Sequence[str] | None = None,
                 env: Iterable[str] = (), workdir: str | None = None, user: str | None = None,
                 labels: Mapping[str, str] | None = None, exposed_ports: Iterable[str] = ()) -> dict[str, Any]:
    """The config of an image that adds the layer ``diff_id`` to ``base``
    (a config, or None for scratch).  Docker's rules: setting the entrypoint
    clears an inherited Cmd unless ``cmd`` is given; env is merged by key;
    labels and exposed ports are merged."""
    if base is not None:
        config = copy.deepcopy(dict(base))
    else:
        os_, arch = host_platform()
        config = {"architecture": arch, "os": os_}
    run = dict(config.get("config") or {})
    if entrypoint is not None:
        run["Entrypoint"] = list(entrypoint)
        run.pop("Cmd", None)
    if cmd is not None:
        run["Cmd"] = list(cmd)
    merged_env = _merge_env(run.get("Env") or [], env)
    if merged_env:
        run["Env"] = merged_env
    if workdir is not None:
        run["WorkingDir"] = workdir
    if user is not None:
        run["User"] = user
    if labels:
        run["Labels"] = {**(run.get("Labels") or {}), **labels}
    ports = {_port(p): {} for p in exposed_ports}
    if ports:
        run["ExposedPorts"] = {**(run.get("ExposedPorts") or {}), **ports}
    config["config"] = run
    rootfs = config.get("rootfs") or {}
    config["rootfs"] = {"type": "layers", "diff_ids": [*(rootfs.get("diff_ids") or []), diff_id]}
    config["history"] = [*(config.get("history") or []), {"created": rfc3339(epoch), "created_by": created_by}]
    config["created"] = rfc3339(epoch)
    return config


# ---------------------------------------------------------------- the build

def build_image(store: ImageStore, context_dir: str | os.PathLike[str], *, tag: str, base: str | None = None,
                entrypoint: Sequence[str] | None = None, cmd: Sequence[str] | None = None, env: Iterable[str] = (),
                workdir: str | None = None, user: str | None = None, labels: Mapping[str, str] | None = None,
                exposed_ports: Iterable[str] = (), created: int | None = None) -> Reference:
    """Build ``tag`` from the files of ``context_dir`` (they become the new
    top layer, at ``/``) on top of ``base`` (a stored image; None is
    scratch); the stored reference.  ``created`` (Unix seconds; default
    ``$SOURCE_DATE_EPOCH``, else now) is the config's creation time and the
    latest mtime a file keeps."""
    context = os.fspath(context_dir)
    if not os.path.isdir(context):
        raise ImageError(f"build context {context!r} is not a directory")
    target = parse_reference(tag)
    if target.digest is not None:
        raise ImageError(f"build tag {tag!r}: a tag cannot carry a digest")
    epoch = build_epoch(created)
    with store.lease():
        base_image = store.resolve(base) if base is not None else None
        with store.oci.blob_writer() as blob, \
                gzip.GzipFile(filename="", mode="wb", fileobj=blob, mtime=0, compresslevel=6) as gz:
            tar = _Hashing(gz)
            layer_tar(context, tar, epoch)
        layer = {"mediaType": LAYER_MEDIA_TYPE, "digest": blob.digest, "size": blob.size}
        config = build_config(base_image.config if base_image else None, tar.digest, epoch=epoch,
                              created_by=CREATED_BY,
                              entrypoint=entrypoint, cmd=cmd, env=env, workdir=workdir, user=user,
                              labels=labels, exposed_ports=exposed_ports)
        cdata = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": store.oci.write_blob(cdata), "size": len(cdata)},
                    "layers": [*_base_layers(base_image), layer]}
        store.oci.set_ref(str(target), store.write_manifest(manifest))
    log.info("built %s: layer %s (diff ID %s)", target, blob.digest, tar.digest)
    return target


def _base_layers(image: Image | None) -> list[dict[str, Any]]:
    """The base's layer descriptors, Docker media types as their OCI
    equivalents (same bytes, same digests)."""
    if image is None:
        return []
    return [{"mediaType": _OCI_LAYER_TYPE.get(layer.media_type, layer.media_type), "digest": layer.digest,
             "size": layer.size} for layer in image.layers]
