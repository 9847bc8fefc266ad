"""Pulls from a real registry (docker-registry): by tag and by digest, of a
busybox image and a multi-platform index, through redirects, with progress
events, and skipping what the layout holds."""

from __future__ import annotations

import base64
import os

import pytest
from images_helpers import snapshot
from registry_images import (
    RecordingProgress,
    busybox_layout,
    multiarch_layout,
    other_arch,
    small_layout,
)
from registry_proxy import run_proxy

from kubekit.images.layout import host_platform, read_oci_layout
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import Credentials, RegistryClient, pull, push
from kubekit.images.store import LayerStore


def _trees(layout: str, ref: str, store_root: str) -> list[dict]:
    img = read_oci_layout(layout, ref)
    return [snapshot(d) for d in LayerStore(store_root).ensure_image(img)]


def test_pull_by_tag_and_by_digest_gives_the_pushed_tree(registry, repo, scratch, rootfs):
    src = os.path.join(scratch, "src")
    busybox_layout(src, rootfs)
    pushed = push(OciDir(src), "latest", f"{registry.addr}/{repo}:v1")
    by_tag, by_digest = OciDir(os.path.join(scratch, "tag")), OciDir(os.path.join(scratch, "digest"))

    got = pull(f"{registry.addr}/{repo}:v1", by_tag)
    got_d = pull(f"{registry.addr}/{repo}@{pushed.digest}", by_digest)

    assert got.digest == got_d.digest == pushed.digest
    assert by_tag.refs()[f"{registry.addr}/{repo}:v1"].digest == pushed.digest
    assert by_digest.refs()[f"{registry.addr}/{repo}@{pushed.digest}"].digest == pushed.digest
    source = read_oci_layout(src, "latest")
    for layout, ref in ((by_tag.path, f"{registry.addr}/{repo}:v1"), (by_digest.path, pushed.digest)):
        pulled = read_oci_layout(layout, ref)
        assert (pulled.config_digest, pulled.diff_ids) == (source.config_digest, source.diff_ids)
    want = _trees(src, "latest", os.path.join(scratch, "layers-src"))
    assert "bin/busybox" in want[0] and "srv/app" in want[1]
    assert _trees(by_tag.path, f"{registry.addr}/{repo}:v1", os.path.join(scratch, "layers-tag")) == want
    assert _trees(by_digest.path, pushed.digest, os.path.join(scratch, "layers-digest")) == want


def test_pull_with_tag_as_names_the_image_so(registry, repo, scratch):
    small_layout(os.path.join(scratch, "src"))
    push(OciDir(os.path.join(scratch, "src")), "latest", f"{registry.addr}/{repo}:v1")
    out = OciDir(os.path.join(scratch, "out"))
    pull(f"{registry.addr}/{repo}:v1", out, tag_as="local/name:x")
    assert list(out.refs()) == ["local/name:x"]


@pytest.mark.parametrize("docker", [False, True], ids=["oci-index", "docker-manifest-list"])
def test_pull_of_an_index_stores_it_and_this_machines_manifest(registry, repo, scratch, docker):
    src = os.path.join(scratch, "src")
    idesc, children = multiarch_layout(src, docker=docker)
    pushed = push(OciDir(src), "multi", f"{registry.addr}/{repo}:multi")
    assert pushed.digest == idesc.digest
    arch, other = host_platform()[1], other_arch()
    out = OciDir(os.path.join(scratch, "out"))

    got = pull(f"{registry.addr}/{repo}:multi", out)

    assert got.digest == idesc.digest and got.media_type == idesc.media_type
    assert out.has_blob(children[arch].digest) and not out.has_blob(children[other].digest)
    img = read_oci_layout(out.path, f"{registry.addr}/{repo}:multi")
    assert img.manifest_digest == children[arch].digest and img.config["architecture"] == arch
    assert not any(out.has_blob(layer_digest) for layer_digest in
                   _layers_of(OciDir(src), children[other].digest))

    other_out = OciDir(os.path.join(scratch, "other"))
    pull(f"{registry.addr}/{repo}:multi", other_out, platform=("linux", other))
    assert other_out.has_blob(children[other].digest) and not other_out.has_blob(children[arch].digest)
    assert read_oci_layout(other_out.path, None, platform=("linux", other)).config["architecture"] == other


def _layers_of(oci: OciDir, manifest_digest: str) -> list[str]:
    return [x["digest"] for x in oci.read_json_blob(manifest_digest)["layers"]]


def test_pull_of_an_index_without_this_platform_fails_clearly(registry, repo, scratch):
    src = os.path.join(scratch, "src")
    multiarch_layout(src)
    push(OciDir(src), "multi", f"{registry.addr}/{repo}:multi")
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(Exception, match=r"no manifest for linux/mips64 \(have \[") as e:
        pull(f"{registry.addr}/{repo}:multi", out, platform=("linux", "mips64"))
    assert repo in str(e.value)
    assert out.refs() == {}


def test_pull_reports_progress_and_skips_blobs_it_has(registry, repo, scratch):
    small_layout(os.path.join(scratch, "src"), layers=3)
    push(OciDir(os.path.join(scratch, "src")), "latest", f"{registry.addr}/{repo}:v1")
    blobs = [registry_blob for registry_blob in _manifest_blobs(OciDir(os.path.join(scratch, "src")))]
    out = OciDir(os.path.join(scratch, "out"))
    with run_proxy(registry.addr) as proxy:
        first = RecordingProgress()
        pull(f"{proxy.addr}/{repo}:v1", out, progress=first)
        again = RecordingProgress()
        pull(f"{proxy.addr}/{repo}:v1", out, progress=again, tag_as="second")
        gets = {d: proxy.blob_gets(d) for d, _ in blobs}

    assert first.outcomes() == {d: "downloaded" for d, _ in blobs}
    for digest, size in blobs:
        events = [e for e in first.events if e[1] == digest]
        assert events[0] == ("start", digest, size, "download") and events[-1] == ("done", digest, size, "downloaded")
        done = [e[2] for e in events if e[0] == "progress"]
        assert done == sorted(done) and done[-1] == size
    assert again.outcomes() == {d: "exists" for d, _ in blobs}
    assert [e for e in again.events if e[0] != "done"] == []
    assert gets == {d: 1 for d, _ in blobs}


def _manifest_blobs(oci: OciDir) -> list[tuple[str, int]]:
    m = oci.read_json_blob(oci.refs()["latest"].digest)
    return [(d["digest"], d["size"]) for d in [m["config"], *m["layers"]]]


def test_pull_follows_redirects_to_storage_without_sending_credentials_there(basic_registry, repo, scratch):
    creds = Credentials("alice", basic_registry.users["alice"])
    small_layout(os.path.join(scratch, "src"))
    push(OciDir(os.path.join(scratch, "src")), "latest", f"{basic_registry.addr}/{repo}:v1", credentials=creds)
    basic = "Basic " + base64.b64encode(f"alice:{creds.password}".encode()).decode()
    out = OciDir(os.path.join(scratch, "out"))
    with run_proxy(basic_registry.addr, redirect_blobs=True, upstream_auth=basic) as proxy:
        with RegistryClient(proxy.addr, credentials=creds) as client:
            pull(f"{proxy.addr}/{repo}:v1", out, client=client)
        storage = list(proxy.storage_auth)
    blobs = _manifest_blobs(OciDir(os.path.join(scratch, "src")))
    assert len(storage) == len(blobs) and storage == [None] * len(blobs)
    assert all(out.has_blob(d) for d, _ in blobs)
