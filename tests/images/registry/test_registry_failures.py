"""Pulls that fail must fail clearly and leave no partial blob and no
reference: a registry that is down, a blob or manifest corrupted on the
way, a blob cut off mid-transfer, an unknown tag."""

from __future__ import annotations

import json
import os

import pytest
from registry_images import assert_clean_failure, small_layout
from registry_proxy import run_proxy
from registry_server import free_port

from kubekit.images.errors import DigestMismatchError
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import RegistryClient, RegistryError, pull, push


@pytest.fixture
def pushed(registry, repo, scratch):
    """An image in ``repo``: (source layout, manifest digest, [(blob, size)])."""
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=11, layers=2)
    desc = push(src, "latest", f"{registry.addr}/{repo}:v1")
    m = src.read_json_blob(desc.digest)
    return src, desc.digest, [(d["digest"], d["size"]) for d in [m["config"], *m["layers"]]]


def test_registry_down(scratch):
    addr = f"127.0.0.1:{free_port()}"          # nothing listens there
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(RegistryError, match=rf"GET manifest {addr}/app:v1: cannot reach registry {addr} "
                                            r"\(http://.*\): .*(refused|Connection)") as e:
        pull(f"{addr}/app:v1", out)
    assert e.value.status is None
    assert_clean_failure(out)


def test_unknown_tag_names_the_registry_error(registry, repo, scratch):
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(RegistryError, match=rf"GET manifest {registry.addr}/{repo}:nope: registry {registry.addr} "
                                            r"answered 404 Not Found: MANIFEST_UNKNOWN: manifest unknown") as e:
        pull(f"{registry.addr}/{repo}:nope", out)
    assert e.value.status == 404 and e.value.codes == ("MANIFEST_UNKNOWN",)
    assert_clean_failure(out)


@pytest.mark.parametrize("which", [1, 2])            # a layer; the config is index 0
def test_corrupted_blob_is_refused_and_not_kept(registry, repo, scratch, pushed, which):
    _, _, blobs = pushed
    bad = blobs[which][0]
    out = OciDir(os.path.join(scratch, "out"))
    with run_proxy(registry.addr) as proxy:
        proxy.faults[bad] = "corrupt"
        with pytest.raises(DigestMismatchError, match=rf"blob {proxy.addr}/{repo}@{bad}: .*content hashes to"):
            pull(f"{proxy.addr}/{repo}:v1", out, jobs=1)
    assert_clean_failure(out, bad)


def test_blob_cut_off_mid_transfer_is_refused_and_not_kept(registry, repo, scratch, pushed):
    _, _, blobs = pushed
    bad, size = blobs[2]
    out = OciDir(os.path.join(scratch, "out"))
    with run_proxy(registry.addr) as proxy:
        proxy.faults[bad] = "truncate"
        with pytest.raises(RegistryError, match=rf"blob {proxy.addr}/{repo}@{bad}: transfer broken after "
                                                rf"\d+ of {size} bytes"):
            pull(f"{proxy.addr}/{repo}:v1", out)
    assert_clean_failure(out, bad)


@pytest.mark.parametrize("by", ["tag", "digest"])
def test_corrupted_manifest_is_refused(registry, repo, scratch, pushed, by):
    _, digest, blobs = pushed
    out = OciDir(os.path.join(scratch, "out"))
    with run_proxy(registry.addr) as proxy:
        key = "v1" if by == "tag" else digest
        proxy.faults[key] = "corrupt"
        ref = f"{proxy.addr}/{repo}:v1" if by == "tag" else f"{proxy.addr}/{repo}@{digest}"
        expected = "the registry's Docker-Content-Digest says" if by == "tag" else f"expected {digest}"
        with pytest.raises(DigestMismatchError, match=rf"manifest {proxy.addr}/{repo}.*content hashes to "
                                                      rf"sha256:[0-9a-f]+, {expected}"):
            pull(ref, out)
        assert sum(proxy.blob_gets(d) for d, _ in blobs) == 0          # nothing fetched after a bad manifest
    assert_clean_failure(out, digest)
    assert out.blobs() == []


def test_manifest_naming_a_blob_under_the_wrong_digest(registry, repo, scratch):
    """The registry itself serves content that does not match the manifest's
    descriptor (a layer pushed, then the manifest edited to claim another
    size): the pull refuses it."""
    src = OciDir(os.path.join(scratch, "src"))
    manifest = small_layout(src.path, seed=12, layers=1)
    push(src, "latest", f"{registry.addr}/{repo}:good")
    manifest["layers"][0]["size"] -= 1                        # the descriptor lies about the blob
    data = json.dumps(manifest).encode()
    with RegistryClient(registry.addr) as client:
        client.put_manifest(repo, "liar", data, manifest["mediaType"])
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(DigestMismatchError, match=rf"{registry.addr}/{repo}@{manifest['layers'][0]['digest']}"):
        pull(f"{registry.addr}/{repo}:liar", out)
    assert_clean_failure(out, manifest["layers"][0]["digest"])
