"""Interoperability with skopeo, both ways: what skopeo pushes kubekit
pulls, what kubekit pushes skopeo copies and inspects, digests agreeing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from registry_images import busybox_layout, multiarch_layout

from kubekit.images.layout import read_oci_layout
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import pull, push

SKOPEO = shutil.which("skopeo")
pytestmark = pytest.mark.skipif(SKOPEO is None, reason="skopeo not installed (apt-get install skopeo)")


def skopeo(*args: str) -> str:
    r = subprocess.run([SKOPEO, "--insecure-policy", *args], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"skopeo {' '.join(args)} failed: {r.stderr}"
    return r.stdout


@pytest.mark.parametrize("fmt, media_type", [
    ("oci", "application/vnd.oci.image.manifest.v1+json"),
    ("v2s2", "application/vnd.docker.distribution.manifest.v2+json"),     # skopeo converts to Docker's types
])
def test_kubekit_pulls_what_skopeo_pushed(registry, repo, scratch, rootfs, fmt, media_type):
    src = os.path.join(scratch, "src")
    busybox_layout(src, rootfs, tag="v1")
    skopeo("copy", "--dest-tls-verify=false", "--format", fmt, f"oci:{src}:v1",
           f"docker://{registry.addr}/{repo}:v1")
    inspected = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{registry.addr}/{repo}:v1"))
    out = OciDir(os.path.join(scratch, "out"))

    desc = pull(f"{registry.addr}/{repo}:v1", out)

    assert desc.digest == inspected["Digest"] and desc.media_type == media_type
    pulled, source = read_oci_layout(out.path, f"{registry.addr}/{repo}:v1"), read_oci_layout(src, "v1")
    assert [x.digest for x in pulled.layers] == inspected["Layers"] == [x.digest for x in source.layers]
    assert pulled.diff_ids == source.diff_ids


def test_skopeo_copies_what_kubekit_pushed(registry, repo, scratch, rootfs):
    src = OciDir(os.path.join(scratch, "src"))
    busybox_layout(src.path, rootfs, tag="v1")
    desc = push(src, "v1", f"{registry.addr}/{repo}:v1")
    inspected = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{registry.addr}/{repo}:v1"))
    dest = os.path.join(scratch, "dest")

    skopeo("copy", "--src-tls-verify=false", f"docker://{registry.addr}/{repo}:v1", f"oci:{dest}:copied")

    copied = read_oci_layout(dest, "copied")
    assert inspected["Digest"] == desc.digest == copied.manifest_digest
    assert inspected["Layers"] == [x.digest for x in read_oci_layout(src.path, "v1").layers]
    assert [x.digest for x in copied.layers] == inspected["Layers"]


def test_skopeo_sees_the_index_kubekit_pushed(registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    idesc, children = multiarch_layout(src.path)
    push(src, "multi", f"{registry.addr}/{repo}:multi")
    raw = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{registry.addr}/{repo}:multi"))
    assert sorted(m["digest"] for m in raw["manifests"]) == sorted(d.digest for d in children.values())
    digest = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{registry.addr}/{repo}:multi"))["Digest"]
    assert digest == idesc.digest
