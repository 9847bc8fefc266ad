"""Test images for the registry tests, as OCI layouts: small generated
ones, a busybox one, and a multi-platform index."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import threading

from images_helpers import dir_tar as dir_layer, entry, make_tar, sha, write_oci_layout

from kubekit.images.layout import Descriptor, host_platform
from kubekit.images.ocidir import OciDir

OCI_TYPES = {"manifest": "application/vnd.oci.image.manifest.v1+json",
             "index": "application/vnd.oci.image.index.v1+json",
             "config": "application/vnd.oci.image.config.v1+json",
             "layer": "application/vnd.oci.image.layer.v1.tar+gzip"}
DOCKER_TYPES = {"manifest": "application/vnd.docker.distribution.manifest.v2+json",
                "index": "application/vnd.docker.distribution.manifest.list.v2+json",
                "config": "application/vnd.docker.container.image.v1+json",
                "layer": "application/vnd.docker.image.rootfs.diff.tar.gzip"}


def generated_layer(seed: int, files: int = 3, size: int = 50_000) -> bytes:
    """A layer tar of ``files`` pseudo-random (barely compressible) files."""
    rnd = random.Random(seed)
    entries = [entry(f"data{seed}", "dir")]
    entries += [entry(f"data{seed}/f{i}", data=rnd.randbytes(size)) for i in range(files)]
    return make_tar(entries)


def small_layout(path: str, seed: int = 0, tag: str = "latest", layers: int = 2) -> dict:
    """An image of ``layers`` generated layers (gzip); its manifest."""
    return write_oci_layout(path, [generated_layer(seed * 100 + i) for i in range(layers)], tag=tag)


def busybox_layout(path: str, rootfs: str, tag: str = "latest") -> dict:
    """A two-layer image: the busybox rootfs, then a layer that changes a
    file and adds a directory."""
    top = make_tar([entry("etc", "dir"), entry("etc/motd", data=b"hello from the registry tests\n"),
                    entry("srv", "dir", mode=0o750), entry("srv/app", data=b"#!/bin/sh\necho app\n", mode=0o755)])
    return write_oci_layout(path, [dir_layer(rootfs), top], tag=tag)


def _store_json(oci: OciDir, doc: dict, media_type: str, platform: dict | None = None) -> Descriptor:
    data = json.dumps(doc).encode()
    return Descriptor(media_type, oci.write_blob(data), len(data), {}, platform or {})


def _platform_manifest(oci: OciDir, os_: str, arch: str, layer: bytes, types: dict[str, str]) -> Descriptor:
    blob = gzip.compress(layer, mtime=0)
    ldesc = {"mediaType": types["layer"], "digest": oci.write_blob(blob), "size": len(blob)}
    config = {"architecture": arch, "os": os_, "config": {}, "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}
    cdesc = _store_json(oci, config, types["config"])
    manifest = {"schemaVersion": 2, "mediaType": types["manifest"],
                "config": {"mediaType": cdesc.media_type, "digest": cdesc.digest, "size": cdesc.size},
                "layers": [ldesc]}
    return _store_json(oci, manifest, types["manifest"], {"os": os_, "architecture": arch})


def other_arch() -> str:
    return "riscv64" if host_platform()[1] != "riscv64" else "s390x"


def multiarch_layout(path: str, tag: str = "multi", docker: bool = False) -> tuple[Descriptor, dict[str, Descriptor]]:
    """An index (a Docker manifest list with ``docker``) with a manifest for
    this machine and one for another architecture (different layers);
    (index descriptor, arch -> manifest)."""
    types = DOCKER_TYPES if docker else OCI_TYPES
    oci = OciDir(path).init()
    os_, arch = host_platform()
    children = {a: _platform_manifest(oci, os_, a, make_tar([entry(f"arch-{a}", data=a.encode() * 1000)]), types)
                for a in (other_arch(), arch)}
    index = {"schemaVersion": 2, "mediaType": types["index"],
             "manifests": [{"mediaType": d.media_type, "digest": d.digest, "size": d.size,
                            "platform": dict(d.platform)} for d in children.values()]}
    idesc = _store_json(oci, index, types["index"])
    oci.set_ref(tag, idesc)
    return idesc, children


def access_log(registry_log: str, repository: str) -> list[tuple[str, str, int]]:
    """(method, URI, status) of every request for ``repository`` in a
    registry's access log, in order."""
    out = []
    for m in re.finditer(r'"([A-Z]+) (/v2/\S+) HTTP/1\.1" (\d{3}) ', registry_log):
        if m.group(2).startswith(f"/v2/{repository}/"):
            out.append((m.group(1), m.group(2), int(m.group(3))))
    return out


class RecordingProgress:
    """Keeps every progress event: ("start"|"progress"|"done", digest, a, b)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self._lock = threading.Lock()

    def blob_start(self, digest: str, total: int, action: str) -> None:
        with self._lock:
            self.events.append(("start", digest, total, action))

    def blob_progress(self, digest: str, done: int, total: int) -> None:
        with self._lock:
            self.events.append(("progress", digest, done, total))

    def blob_done(self, digest: str, total: int, outcome: str) -> None:
        with self._lock:
            self.events.append(("done", digest, total, outcome))

    def outcomes(self) -> dict[str, str]:
        return {e[1]: e[3] for e in self.events if e[0] == "done"}


def assert_clean_failure(oci: OciDir, wrong_blob: str | None = None) -> None:
    """After a failed pull: no reference, no temporary blob, not the bad blob."""
    assert oci.refs() == {}
    tmp = os.path.join(oci.path, "blobs", "tmp")
    assert not os.path.isdir(tmp) or os.listdir(tmp) == []
    if wrong_blob is not None:
        assert not oci.has_blob(wrong_blob)
