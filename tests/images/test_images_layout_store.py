"""Reading OCI layouts and docker archives, the layer store, and the
cross-check against umoci (and skopeo's docker archives)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess

import pytest
from images_helpers import needs_root
from images_helpers import entry, make_tar, sha, snapshot, write_oci_layout

from kubekit.images import (
    DigestMismatchError,
    HostileArchiveError,
    ImageError,
    LayerStore,
    flatten,
    overlay_lowerdir,
    read_docker_archive,
    read_image,
    read_oci_layout,
)
from kubekit.images.layout import layer_compression, normalize_ref, parse_digest

HEX = "a" * 64


@pytest.mark.parametrize("mt,comp", [
    ("application/vnd.oci.image.layer.v1.tar", "none"), ("application/vnd.oci.image.layer.v1.tar+gzip", "gzip"),
    ("application/vnd.docker.image.rootfs.diff.tar.gzip", "gzip"),
    ("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "gzip"),
])
def test_layer_compression(mt, comp):
    assert layer_compression(mt) == comp


@pytest.mark.parametrize("mt,why", [("application/vnd.oci.image.layer.v1.tar+zstd", "zstd"),
                                    ("text/plain", "unsupported layer media type 'text/plain'")])
def test_layer_compression_refuses(mt, why):
    with pytest.raises(ImageError, match=why):
        layer_compression(mt)


@pytest.mark.parametrize("d,ok", [(f"sha256:{HEX}", True), (f"sha256:{HEX.upper()}", False), ("sha256:abc", False),
                                  (f"md5:{HEX}", False), (f"sha256:../{HEX[3:]}", False), (None, False),
                                  ("sha512:" + "b" * 128, True)])
def test_parse_digest(d, ok):
    if ok:
        assert parse_digest(d)[1] == d.split(":")[1]
    else:
        with pytest.raises(ImageError, match="expected 'sha256:'"):
            parse_digest(d)


@pytest.mark.parametrize("ref,full", [("busybox:1", "docker.io/library/busybox:1"), ("me/app:t", "docker.io/me/app:t"),
                                      ("reg.io/a/b:t", "reg.io/a/b:t"), ("localhost/x:1", "localhost/x:1"),
                                      ("host:5000/x:1", "host:5000/x:1")])
def test_normalize_ref(ref, full):
    assert normalize_ref(ref) == full


def test_overlay_lowerdir():
    assert overlay_lowerdir(["/l/base", "/l/mid", "/l/top"]) == "/l/top:/l/mid:/l/base"
    with pytest.raises(ImageError, match="':'"):
        overlay_lowerdir(["/a:b"])
    with pytest.raises(ImageError, match="at least one"):
        overlay_lowerdir([])


BASE = make_tar([entry("./", "dir"), entry("etc/", "dir"), entry("etc/os-release", data=b"ID=test\n"),
                 entry("bin/", "dir"), entry("bin/busybox", data=b"\x7fELF...", mode=0o755),
                 entry("bin/sh", "sym", link="busybox"), entry("bin/ls", "hard", link="bin/busybox"),
                 entry("var/", "dir"), entry("var/cache/", "dir", mode=0o700, uid=33, gid=33),
                 entry("var/cache/a", data=b"a", uid=33, gid=33), entry("var/cache/b/", "dir"),
                 entry("var/cache/b/c", data=b"c"), entry("tmp/", "dir", mode=0o1777),
                 entry("old", data=b"old"), entry("olddir/", "dir"), entry("olddir/x", data=b"x"),
                 entry("dev/", "dir"), entry("dev/null", "chr", mode=0o666, dev=(1, 3)),
                 entry("run/", "dir"), entry("run/fifo", "fifo", mode=0o600)])
APP = make_tar([entry("app/", "dir", uid=1000, gid=1000, mode=0o750),
                entry("app/run", data=b"#!/bin/sh\necho hi\n", mode=0o4755, uid=1000, gid=1000),
                entry("app/run-again", "hard", link="app/run"), entry(".wh.old"), entry(".wh.olddir"),
                entry("var/", "dir"), entry("var/cache/", "dir", mode=0o755, uid=33, gid=33),
                entry("var/cache/.wh..wh..opq"), entry("var/cache/fresh", data=b"fresh"),
                entry("etc/", "dir"), entry("etc/os-release", data=b"ID=app\n", mode=0o444)])
TOP = make_tar([entry("app/", "dir", uid=1000, gid=1000, mode=0o750), entry("app/config", data=b"k=v", mode=0o640, uid=1000, gid=1000), entry("app/.wh.run-again"),
                entry("bin/sh", "sym", link="/bin/busybox")])


def _image(scratch, name="img", gz=(True, False, True), tag="latest"):
    layout = os.path.join(scratch, name)
    write_oci_layout(layout, [BASE, APP, TOP], tag=tag, gzipped=list(gz))
    return layout


def test_read_oci_layout(scratch):
    layout = _image(scratch)
    img = read_oci_layout(layout, "latest")
    assert img.diff_ids == (sha(BASE), sha(APP), sha(TOP))
    assert [lay.compression for lay in img.layers] == ["gzip", "none", "gzip"]
    assert img.layers[1].digest == sha(APP) and img.config["os"] == "linux"
    assert read_image(layout) == img                                     # one manifest: no ref needed
    write_oci_layout(layout, [BASE], tag="base")
    with pytest.raises(ImageError, match=r"2 manifests, name one of \['base', 'latest'\]"):
        read_oci_layout(layout)
    with pytest.raises(ImageError, match=r"no manifest named 'nope' \(names: \['base', 'latest'\]\)"):
        read_oci_layout(layout, "nope")
    assert read_oci_layout(layout, "base").diff_ids == (sha(BASE),)
    with pytest.raises(ImageError, match="not an OCI image layout"):
        read_oci_layout(os.path.join(scratch, "missing"))


def _corrupt(layout: str, digest: str, data: bytes) -> None:
    p = os.path.join(layout, "blobs", "sha256", digest[7:])
    os.chmod(p, 0o644)
    with open(p, "wb") as f:
        f.write(data)


def test_corrupt_manifest_refused(scratch):
    layout = _image(scratch)
    with open(os.path.join(layout, "index.json")) as f:
        mdigest = json.load(f)["manifests"][0]["digest"]
    _corrupt(layout, mdigest, b'{"schemaVersion": 2}' + b" " * 10)
    with pytest.raises(DigestMismatchError, match=f"manifest blob {mdigest}"):
        read_oci_layout(layout)


@needs_root
def test_store_shares_layers_and_collects(scratch):
    store = LayerStore(os.path.join(scratch, "layers"))
    a = read_oci_layout(_image(scratch, "a", gz=(True, True, True)))
    b_layout = os.path.join(scratch, "b")
    write_oci_layout(b_layout, [BASE, APP], gzipped=[False, False])       # same layers, stored uncompressed
    b = read_oci_layout(b_layout)
    pa = store.ensure_image(a)
    assert pa == tuple(store.path(d) for d in a.diff_ids)
    assert pa[0].endswith("/sha256/" + sha(BASE)[7:])
    inode = os.stat(pa[0]).st_ino
    pb = store.ensure_image(b)
    assert pb == pa[:2] and os.stat(pb[0]).st_ino == inode                # unpacked once
    assert store.layers() == sorted(a.diff_ids)
    assert store.gc(b.diff_ids) == [sha(TOP)]
    assert store.layers() == sorted(b.diff_ids) and not os.path.exists(pa[2])
    assert store.remove(sha(APP)) and not store.remove(sha(APP))
    assert store.gc([]) == [sha(BASE)] and store.layers() == []
    assert os.listdir(os.path.join(store.root, "tmp")) == []


@needs_root
def test_store_refuses_hostile_layer_and_stays_unchanged(scratch):
    store = LayerStore(os.path.join(scratch, "layers"))
    good = read_oci_layout(_image(scratch, "good"))
    store.ensure_image(good)
    before = snapshot(store.root)
    bad_tar = make_tar([entry("ok", data=b"fine"), entry("l", "sym", link="/"), entry("l/etc/evil", data=b"x")])
    layout = os.path.join(scratch, "bad")
    write_oci_layout(layout, [BASE, bad_tar])
    bad = read_oci_layout(layout)
    with pytest.raises(HostileArchiveError, match="'l/etc/evil'"):
        store.ensure_image(bad)
    assert not os.path.exists("/etc/evil")
    assert not store.has(bad.diff_ids[1])
    assert snapshot(store.root) == before                               # tmp/ is empty again
    assert os.listdir(os.path.join(store.root, "tmp")) == []


@needs_root
@pytest.mark.parametrize("damage", ["blob", "diff_id", "truncated"])
def test_store_refuses_wrong_digest(scratch, damage):
    store = LayerStore(os.path.join(scratch, "layers"))
    layout = os.path.join(scratch, "img")
    manifest = write_oci_layout(layout, [BASE, APP], gzipped=[True, False])
    ldigest = manifest["layers"][1]["digest"]
    if damage == "blob":        # same size, one byte changed: the blob digest catches it
        data = bytearray(APP)
        data[600] ^= 1
        _corrupt(layout, ldigest, bytes(data))
        why = f"layer blob {ldigest}.*content hashes to"
    elif damage == "truncated":
        _corrupt(layout, manifest["layers"][0]["digest"], gzip.compress(BASE)[:200])
        why = "corrupt or truncated compressed stream"
    else:                       # the config lies about the uncompressed content
        cfg_path = os.path.join(layout, "blobs", "sha256", manifest["config"]["digest"][7:])
        with open(cfg_path) as f:
            cfg = json.load(f)
        cfg["rootfs"]["diff_ids"][1] = sha(b"something else")
        shutil.rmtree(layout)
        write_oci_layout(layout, [BASE, APP], gzipped=[True, False])
        # rewrite with the lying config by hand
        from images_helpers import _blob
        cdata = json.dumps(cfg).encode()
        m = dict(manifest, config={"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": _blob(layout, cdata), "size": len(cdata)})
        mdata = json.dumps(m).encode()
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [{"mediaType": m["mediaType"], "digest": _blob(layout, mdata),
                                                          "size": len(mdata)}]}, f)
        why = "diff ID.*content hashes to"
    img = read_oci_layout(layout)
    with pytest.raises((DigestMismatchError, ImageError), match=why):
        store.ensure_image(img)
    assert [d for d in store.layers() if d not in (sha(BASE),)] == []
    assert os.listdir(os.path.join(store.root, "tmp")) == []


def _umoci(*args):
    subprocess.run(["umoci", *args], check=True, capture_output=True)


needs_umoci = pytest.mark.skipif(shutil.which("umoci") is None, reason="umoci is not installed (apt install umoci)")


@needs_root
@needs_umoci
def test_cross_check_with_umoci(scratch):
    """flatten() and the overlay-merged store layers equal `umoci unpack`."""
    layout = _image(scratch)
    bundle = os.path.join(scratch, "bundle")
    _umoci("unpack", "--image", f"{layout}:latest", bundle)
    want = snapshot(os.path.join(bundle, "rootfs"), mtimes=True)
    assert "old" not in want and want["var/cache/fresh"] and "var/cache/a" not in want  # umoci applied whiteouts

    img = read_oci_layout(layout, "latest")
    flat = os.path.join(scratch, "flat")
    flatten(img, flat)
    assert snapshot(flat, mtimes=True) == want

    store = LayerStore(os.path.join(scratch, "layers"))
    lower = overlay_lowerdir(store.ensure_image(img))
    merged = os.path.join(scratch, "merged")
    os.makedirs(merged)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", f"ro,lowerdir={lower}", merged], check=True)
    try:
        # xattrs differ by design (the merged view hides trusted.overlay.*; umoci sets none)
        got = snapshot(merged, mtimes=True, xattrs=False)
    finally:
        subprocess.run(["umount", merged], check=True)
    # overlayfs reports a lower file's st_nlink as its layer directory has it (app/run
    # has a hardlink whited out above), so hardlink groups are compared on flatten() only
    strip = lambda snap: {k: v[:5] + v[6:] for k, v in snap.items()}
    assert strip(got) == strip(snapshot(os.path.join(bundle, "rootfs"), mtimes=True, xattrs=False))


@needs_root
@needs_umoci
def test_read_umoci_layout_and_skopeo_docker_archive(scratch):
    """A layout umoci wrote, and the docker archive skopeo makes of it, flatten to umoci's rootfs."""
    src = os.path.join(scratch, "src")
    os.makedirs(os.path.join(src, "d"))
    with open(os.path.join(src, "d", "f"), "w") as f:
        f.write("hello")
    os.chmod(os.path.join(src, "d", "f"), 0o600)
    os.chown(os.path.join(src, "d", "f"), 12, 34)
    os.symlink("d/f", os.path.join(src, "link"))
    layout = os.path.join(scratch, "layout")
    _umoci("init", "--layout", layout)
    _umoci("new", "--image", f"{layout}:t")
    _umoci("insert", "--image", f"{layout}:t", src, "/srv")
    _umoci("insert", "--image", f"{layout}:t", "--whiteout", "/srv/link")
    bundle = os.path.join(scratch, "bundle")
    _umoci("unpack", "--image", f"{layout}:t", bundle)
    want = snapshot(os.path.join(bundle, "rootfs"), mtimes=True)
    assert "srv/d/f" in want and "srv/link" not in want

    img = read_oci_layout(layout, "t")
    assert len(img.layers) == 2
    flat = os.path.join(scratch, "flat")
    flatten(img, flat)
    assert snapshot(flat, mtimes=True) == want

    if shutil.which("skopeo") is None:
        pytest.skip("skopeo is not installed: docker-archive half not run")
    archive = os.path.join(scratch, "img.tar")
    subprocess.run(["skopeo", "copy", "--quiet", f"oci:{layout}:t", f"docker-archive:{archive}:example/img:t"],
                   check=True, capture_output=True)
    dimg = read_docker_archive(archive, "example/img:t")
    assert read_image(archive) == dimg
    assert dimg.diff_ids == img.diff_ids
    with pytest.raises(ImageError, match=r"no image tagged 'other:1' \(tags: \['docker.io/example/img:t'\]\)"):
        read_docker_archive(archive, "other:1")
    dflat = os.path.join(scratch, "dflat")
    flatten(dimg, dflat)
    assert snapshot(dflat, mtimes=True) == want
    store = LayerStore(os.path.join(scratch, "layers"))
    assert store.ensure_image(dimg) == tuple(store.path(d) for d in img.diff_ids)
