"""Pushes to a real registry (docker-registry): monolithic and chunked
uploads (checked in the registry's access log), cross-repository mounts,
skipping blobs the registry has, indexes, and the digest reported."""

from __future__ import annotations

import math
import os

import pytest
from registry_images import (
    RecordingProgress,
    access_log,
    multiarch_layout,
    small_layout,
)

from kubekit.images.errors import ImageError
from kubekit.images.layout import read_oci_layout
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import PushOptions, RegistryClient, pull, push


def _blobs(oci: OciDir, name: str = "latest") -> list[tuple[str, int]]:
    m = oci.read_json_blob(oci.refs()[name].digest)
    return [(d["digest"], d["size"]) for d in [m["config"], *m["layers"]]]


def _round_trip(registry, ref: str, src: OciDir, scratch: str) -> None:
    out = OciDir(os.path.join(scratch, "back"))
    got = pull(ref, out)
    assert got.digest == src.refs()["latest"].digest
    a, b = read_oci_layout(src.path, "latest"), read_oci_layout(out.path, ref)
    assert (a.config_digest, [x.digest for x in a.layers]) == (b.config_digest, [x.digest for x in b.layers])


def test_monolithic_push_uses_one_put_per_blob_and_reports_the_digest(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, layers=2)
    progress = RecordingProgress()

    desc = push(src, "latest", f"{registry.addr}/{repo}:v1", progress=progress)

    assert desc.digest == src.refs()["latest"].digest
    blobs = _blobs(src)
    assert progress.outcomes() == {d: "uploaded" for d, _ in blobs}
    log = access_log(registry.log(), repo)
    assert [m for m, _, _ in log if m == "PATCH"] == []
    puts = [(uri, status) for m, uri, status in log if m == "PUT" and "/blobs/uploads/" in uri]
    assert len(puts) == len(blobs) and all(status == 201 for _, status in puts)
    assert ("PUT", f"/v2/{repo}/manifests/v1", 201) in log
    with RegistryClient(registry.addr) as client:
        _, _, header_digest = client.get_manifest(repo, "v1")
    assert header_digest == desc.digest
    _round_trip(registry, f"{registry.addr}/{repo}:v1", src, scratch)


def test_chunked_push_patches_chunk_by_chunk_following_location(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=3, layers=2)
    chunk = 32 * 1024

    push(src, "latest", f"{registry.addr}/{repo}:v1", options=PushOptions(chunk_size=chunk, jobs=1))

    log = access_log(registry.log(), repo)
    patches = [(uri, status) for m, uri, status in log if m == "PATCH"]
    assert len(patches) == sum(math.ceil(size / chunk) for _, size in _blobs(src))
    assert all(status == 202 for _, status in patches)
    # each PATCH goes to the Location the previous answer gave (its _state changes)
    assert len({uri for uri, _ in patches}) == len(patches)
    finals = [uri for m, uri, status in log if m == "PUT" and "/blobs/uploads/" in uri and status == 201]
    assert len(finals) == len(_blobs(src)) and all("digest=sha256" in uri for uri in finals)
    _round_trip(registry, f"{registry.addr}/{repo}:v1", src, scratch)


def test_push_mounts_blobs_from_another_repository(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=5)
    push(src, "latest", f"{registry.addr}/{repo}-base:v1")
    progress = RecordingProgress()

    push(src, "latest", f"{registry.addr}/{repo}:v1", options=PushOptions(mount_from=f"{repo}-base"),
         progress=progress)

    blobs = _blobs(src)
    assert progress.outcomes() == {d: "mounted" for d, _ in blobs}
    log = access_log(registry.log(), repo)
    mounts = [(uri, status) for m, uri, status in log if m == "POST" and "mount=" in uri]
    assert len(mounts) == len(blobs) and {status for _, status in mounts} == {201}
    assert [m for m, uri, _ in log if m in ("PATCH", "PUT") and "/blobs/uploads/" in uri] == []
    _round_trip(registry, f"{registry.addr}/{repo}:v1", src, scratch)


def test_push_uploads_when_a_mount_is_refused(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=6)
    progress = RecordingProgress()
    push(src, "latest", f"{registry.addr}/{repo}:v1", options=PushOptions(mount_from=f"{repo}-empty"),
         progress=progress)
    assert progress.outcomes() == {d: "uploaded" for d, _ in _blobs(src)}
    mounts = [status for m, uri, status in access_log(registry.log(), repo) if m == "POST" and "mount=" in uri]
    assert mounts and set(mounts) == {202}
    _round_trip(registry, f"{registry.addr}/{repo}:v1", src, scratch)


def test_push_skips_blobs_the_registry_has(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=7)
    push(src, "latest", f"{registry.addr}/{repo}:v1")
    before = len(access_log(registry.log(), repo))
    progress = RecordingProgress()
    push(src, "latest", f"{registry.addr}/{repo}:v2", progress=progress)
    assert progress.outcomes() == {d: "exists" for d, _ in _blobs(src)}
    later = access_log(registry.log(), repo)[before:]
    assert {m for m, _, _ in later} == {"HEAD", "PUT"}
    assert [uri for m, uri, _ in later if m == "PUT"] == [f"/v2/{repo}/manifests/v2"]


def test_push_of_an_index_pushes_its_manifests_first(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    idesc, children = multiarch_layout(src.path)
    desc = push(src, "multi", f"{registry.addr}/{repo}:multi")
    assert desc.digest == idesc.digest
    manifest_puts = [uri for m, uri, s in access_log(registry.log(), repo) if m == "PUT" and "/manifests/" in uri]
    assert manifest_puts[-1] == f"/v2/{repo}/manifests/multi"
    assert sorted(manifest_puts[:-1]) == sorted(f"/v2/{repo}/manifests/{d.digest}" for d in children.values())


def test_push_of_a_partly_pulled_index_names_the_missing_manifest(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    multiarch_layout(src.path)
    push(src, "multi", f"{registry.addr}/{repo}:multi")
    pulled = OciDir(os.path.join(scratch, "pulled"))
    pull(f"{registry.addr}/{repo}:multi", pulled)
    with pytest.raises(ImageError, match=r"not stored \(a pull keeps only this machine's manifest"):
        push(pulled, f"{registry.addr}/{repo}:multi", f"{registry.addr}/{repo}-copy:multi")


def test_push_source_must_exist_and_digest_must_match(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path)
    with pytest.raises(ImageError, match=r"no image named 'nope' \(names: \['latest'\]\)"):
        push(src, "nope", f"{registry.addr}/{repo}:v1")
    with pytest.raises(ImageError, match="the digest differs"):
        push(src, "latest", f"{registry.addr}/{repo}@sha256:{'0' * 64}")
    desc = push(src, "latest", f"{registry.addr}/{repo}@{src.refs()['latest'].digest}")
    assert ("PUT", f"/v2/{repo}/manifests/{desc.digest}", 201) in access_log(registry.log(), repo)
