"""The image store: import (OCI layouts, docker archives), names, resolve,
list, tag, remove and garbage collection, and concurrent use."""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import logging
import multiprocessing
import os
import shutil
import subprocess
import tarfile

import pytest
from images_helpers import entry, make_tar, sha, write_oci_layout

from kubekit.images import ImageError, read_docker_archive, read_oci_layout
from kubekit.images.errors import DigestMismatchError
from kubekit.images.imagestore import (
    DEFAULT_IMAGE_ROOT,
    GcReport,
    ImageNotFoundError,
    ImageStore,
    default_image_root,
)
from kubekit.images.layout import REF_NAME, Descriptor, host_platform
from kubekit.images.reference import parse_reference

BASE = make_tar([entry("bin/", "dir"), entry("bin/sh", data=b"#!sh", mode=0o755), entry("etc/", "dir"),
                 entry("etc/os-release", data=b"ID=test\n")])
APP = make_tar([entry("app/", "dir"), entry("app/run", data=b"run", mode=0o755)])
OTHER = make_tar([entry("other", data=b"other")])
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def store(scratch):
    return ImageStore(os.path.join(scratch, "store"))


def _layout(scratch, name="src"):
    """A layout: base (1 layer) as a:1, app (base + app) as example.com/b:2,
    and an app copy under the bare tag 'latest'."""
    path = os.path.join(scratch, name)
    write_oci_layout(path, [BASE], tag="a:1", config_extra={"created": "2020-09-13T12:26:40Z"})
    write_oci_layout(path, [BASE, APP], tag="example.com/b:2")
    write_oci_layout(path, [BASE, APP], tag="latest")
    return path


def write_docker_archive(path: str, images: list[tuple[list[bytes], list[str]]]) -> None:
    """A `docker save` tar: per image a config, its layers (gzipped) and RepoTags."""
    entries, seen = [], set()

    def add(tf, name, data):
        if name not in seen:
            seen.add(name)
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))

    with tarfile.open(path, "w") as tf:
        for layers, tags in images:
            config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                      "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in layers]}}
            cdata = json.dumps(config).encode()
            add(tf, sha(cdata)[7:] + ".json", cdata)
            names = []
            for t in layers:
                names.append(sha(t)[7:] + "/layer.tar")
                add(tf, names[-1], gzip.compress(t, mtime=0))
            entries.append({"Config": sha(cdata)[7:] + ".json", "RepoTags": tags, "Layers": names})
        add(tf, "manifest.json", json.dumps(entries).encode())


def _tree(dirs):
    out = set()
    for d in dirs:
        for dirpath, dirnames, filenames in os.walk(d):
            out |= {os.path.relpath(os.path.join(dirpath, n), d) for n in dirnames + filenames}
    return out


# ---------------------------------------------------------------- defaults

def test_default_root(monkeypatch):
    monkeypatch.delenv("KUBEKIT_IMAGE_ROOT", raising=False)
    assert default_image_root() == DEFAULT_IMAGE_ROOT == "/var/lib/kubekit/images"
    assert ImageStore().root == DEFAULT_IMAGE_ROOT          # nothing is created until used
    monkeypatch.setenv("KUBEKIT_IMAGE_ROOT", "/srv/images")
    assert ImageStore().root == "/srv/images" and ImageStore("/x").root == "/x"


# ---------------------------------------------------------------- import

def test_import_one_ref_under_a_name(store, scratch):
    src = _layout(scratch)
    refs = store.import_image(src, "latest", name="me/app:v1")
    assert refs == [parse_reference("docker.io/me/app:v1")]
    assert list(store.oci.refs()) == ["docker.io/me/app:v1"]
    img = store.resolve("me/app:v1")
    assert img.diff_ids == (sha(BASE), sha(APP))
    assert img.manifest_digest == read_oci_layout(src, "latest").manifest_digest
    assert store.has("docker.io/me/app:v1") and not store.has("me/app:v2")
    dirs = store.layers("me/app:v1")
    assert dirs == tuple(store.layer_store.path(d) for d in img.diff_ids)
    assert _tree(dirs) == {"bin", "bin/sh", "etc", "etc/os-release", "app", "app/run"}


def test_import_all_named_refs(store, scratch):
    src = _layout(scratch)
    os.unlink(os.path.join(src, "index.json"))              # keep only the whole-reference names
    write_oci_layout(src, [BASE], tag="a:1")
    write_oci_layout(src, [BASE, APP], tag="example.com/b:2")
    refs = store.import_image(src)
    assert sorted(map(str, refs)) == ["docker.io/library/a:1", "example.com/b:2"]
    assert sorted(store.oci.refs()) == ["docker.io/library/a:1", "example.com/b:2"]
    assert store.resolve("a:1").diff_ids == (sha(BASE),)
    # every blob the store holds is one of the two images' (base layer shared, stored once)
    want = set()
    for name in ("a:1", "example.com/b:2"):
        img = read_oci_layout(src, name)
        want |= {img.manifest_digest, img.config_digest, *(layer.digest for layer in img.layers)}
    assert set(store.oci.blobs()) == want


@pytest.mark.parametrize("ref,name,why", [
    (None, None, r"ref name 'latest' is only a tag; give the full name to store it under \(name='repo:latest'\)"),
    (None, "x:1", "3 manifests; a name applies to one"),
    ("nope", None, r"no manifest named 'nope' \(names: \['a:1', 'example.com/b:2', 'latest'\]\)"),
    ("a:1", "Bad/Name:x", "must be lowercase"),
    ("a:1", f"x:1@{sha(b'')}", "give a tag or a digest, not both"),
])
def test_import_oci_errors(store, scratch, ref, name, why):
    src = _layout(scratch)
    with pytest.raises(ImageError, match=why):
        store.import_image(src, ref, name)
    assert store.oci.refs() == {}


def test_import_missing_or_foreign_path(store, scratch):
    with pytest.raises(ImageError, match="neither an OCI layout directory nor a docker archive"):
        store.import_image(os.path.join(scratch, "nope.tar"))
    junk = os.path.join(scratch, "junk")
    with open(junk, "w") as f:
        f.write("not a tar")
    with pytest.raises(ImageError, match="neither an OCI layout directory nor a docker archive"):
        store.import_image(junk)


def test_import_refuses_a_corrupt_blob(store, scratch):
    src = _layout(scratch)
    layer = read_oci_layout(src, "example.com/b:2").layers[1]
    with open(os.path.join(src, layer.location), "r+b") as f:
        f.seek(20)
        f.write(b"XX")
    with pytest.raises(DigestMismatchError, match=f"blob {layer.digest}: content hashes to"):
        store.import_image(src, "example.com/b:2")
    assert store.oci.refs() == {}
    assert layer.digest not in store.oci.blobs()
    store.gc()                                               # what was copied before the bad blob is unnamed
    assert store.oci.blobs() == []


def test_import_index_keeps_the_platforms_present(store, scratch):
    src = os.path.join(scratch, "src")
    manifest = write_oci_layout(src, [BASE], tag="single")
    mdata = json.dumps(manifest).encode()
    os_, arch = host_platform()
    absent = sha(b"a manifest the layout does not hold")
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": MANIFEST, "digest": sha(mdata), "size": len(mdata), "platform": {"os": os_, "architecture": arch}},
        {"mediaType": MANIFEST, "digest": absent, "size": 9, "platform": {"os": os_, "architecture": "other"}}]}
    idata = json.dumps(index).encode()
    with open(os.path.join(src, "blobs", "sha256", sha(idata)[7:]), "wb") as f:
        f.write(idata)
    with open(os.path.join(src, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": index["mediaType"], "digest": sha(idata),
                                                      "size": len(idata), "annotations": {REF_NAME: "multi:1"}}]}, f)
    store.import_image(src)
    assert store.oci.refs()["docker.io/library/multi:1"].digest == sha(idata)
    img = store.resolve("multi:1")
    assert img.manifest_digest == sha(mdata) and img.diff_ids == (sha(BASE),)
    held = {sha(idata), sha(mdata), manifest["config"]["digest"], manifest["layers"][0]["digest"]}
    assert set(store.oci.blobs()) == held
    assert store.gc() == GcReport((), ())                   # the index reaches all of them
    assert set(store.oci.blobs()) == held


def test_import_docker_archive(store, scratch):
    archive = os.path.join(scratch, "img.tar")
    write_docker_archive(archive, [([BASE], ["busybox:1", "busybox:latest"]), ([BASE, APP], ["me/app:v1"])])
    refs = store.import_image(archive)
    assert sorted(map(str, refs)) == ["docker.io/library/busybox:1", "docker.io/library/busybox:latest",
                                      "docker.io/me/app:v1"]
    for tag in ("busybox:1", "me/app:v1"):
        want = read_docker_archive(archive, tag)
        got = store.resolve(tag)
        assert got.kind == "oci" and got.config_digest == want.config_digest
        assert [(x.digest, x.diff_id, x.media_type, x.size) for x in got.layers] == \
               [(x.digest, x.diff_id, x.media_type, x.size) for x in want.layers]
    assert store.resolve("busybox:1").manifest_digest == store.resolve("busybox:latest").manifest_digest
    assert _tree(store.layers("me/app:v1")) == {"bin", "bin/sh", "etc", "etc/os-release", "app", "app/run"}


def test_import_docker_archive_one_image_and_names(store, scratch):
    archive = os.path.join(scratch, "img.tar")
    write_docker_archive(archive, [([BASE], ["busybox:1"]), ([APP], [])])
    assert store.import_image(archive, "docker.io/library/busybox:1") == [parse_reference("busybox:1")]
    with pytest.raises(ImageError, match="2 images; a name applies to one"):
        store.import_image(archive, name="x:1")
    one = os.path.join(scratch, "one.tar")
    write_docker_archive(one, [([APP], [])])
    with pytest.raises(ImageError, match="has no name; give one"):
        store.import_image(one)
    assert store.import_image(one, name="app:1") == [parse_reference("app:1")]
    assert sorted(store.oci.refs()) == ["docker.io/library/app:1", "docker.io/library/busybox:1"]


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed (apt install skopeo)")
def test_import_skopeo_docker_archive(store, scratch):
    src = _layout(scratch)
    archive = os.path.join(scratch, "img.tar")
    subprocess.run(["skopeo", "copy", "--quiet", f"oci:{src}:example.com/b:2",
                    f"docker-archive:{archive}:example.com/b:2"], check=True, capture_output=True)
    assert store.import_image(archive) == [parse_reference("example.com/b:2")]
    assert store.resolve("example.com/b:2").diff_ids == (sha(BASE), sha(APP))
    assert _tree(store.layers("example.com/b:2")) == {"bin", "bin/sh", "etc", "etc/os-release", "app", "app/run"}


# ---------------------------------------------------------------- names

def test_resolve_by_digest(store, scratch):
    store.import_image(_layout(scratch), "a:1")
    digest = store.resolve("a:1").manifest_digest
    assert store.resolve(f"a@{digest}").manifest_digest == digest
    assert store.resolve(f"docker.io/library/a:other@{digest}").manifest_digest == digest   # the digest decides
    with pytest.raises(ImageNotFoundError, match=rf"image 'b@{digest}' \(docker.io/library/b@{digest}\) is not in"):
        store.resolve(f"b@{digest}")
    with pytest.raises(ImageNotFoundError, match="image 'a:2' .* is not in the image store"):
        store.resolve("a:2")
    with pytest.raises(ImageError, match="must be lowercase"):
        store.has("A/b/C")


def test_refs_set_directly_on_the_oci_dir(store, scratch):
    """What a registry pull does: blobs into store.oci inside a lease, then a
    digest-only name and a tag; the store reads, lists and keeps them."""
    src = _layout(scratch)
    img = read_oci_layout(src, "a:1")
    with store.lease():
        desc = _pull_blobs(store, src, "a:1")
        store.oci.set_ref(f"registry.example/pulled@{img.manifest_digest}", desc)
        store.oci.set_ref("registry.example/pulled:v1", desc)
    assert store.resolve(f"registry.example/pulled@{img.manifest_digest}").diff_ids == (sha(BASE),)
    recs = store.list()
    assert [(str(r.reference), r.manifest_digest) for r in recs] == [
        ("registry.example/pulled:v1", img.manifest_digest),
        (f"registry.example/pulled@{img.manifest_digest}", img.manifest_digest)]
    assert recs[1].reference.tag is None
    assert store.gc() == GcReport((), ())
    removed = store.remove(f"registry.example/pulled@{img.manifest_digest}")   # every name of that repo and digest
    assert sorted(removed.untagged) == ["registry.example/pulled:v1", f"registry.example/pulled@{img.manifest_digest}"]
    assert store.oci.blobs() == []


def test_list(store, scratch):
    src = _layout(scratch)
    store.import_image(src, "a:1")
    store.import_image(src, "example.com/b:2")
    recs = store.list()
    assert [str(r.reference) for r in recs] == ["docker.io/library/a:1", "example.com/b:2"]
    a = read_oci_layout(src, "a:1")
    blob_sizes = os.path.getsize(store.oci.blob_path(a.config_digest)) + sum(x.size for x in a.layers)
    assert (recs[0].manifest_digest, recs[0].config_digest, recs[0].created, recs[0].size, recs[0].layers) == \
           (a.manifest_digest, a.config_digest, "2020-09-13T12:26:40Z", blob_sizes, 1)
    assert (recs[1].created, recs[1].layers) == (None, 2)


def test_list_skips_a_broken_image_and_says_so(store, scratch, caplog):
    src = _layout(scratch)
    store.import_image(src, "a:1")
    store.import_image(src, "example.com/b:2")
    os.unlink(store.oci.blob_path(store.resolve("example.com/b:2").config_digest))
    with caplog.at_level(logging.WARNING, logger="kubekit.images.imagestore"):
        assert [str(r.reference) for r in store.list()] == ["docker.io/library/a:1"]
    assert "skipping 'example.com/b:2'" in caplog.text


def test_tag(store, scratch):
    store.import_image(_layout(scratch), "a:1")
    assert str(store.tag("a:1", "localhost:5000/a:copy")) == "localhost:5000/a:copy"
    assert store.resolve("localhost:5000/a:copy") == store.resolve("a:1")
    with pytest.raises(ImageError, match="a tag cannot carry a digest"):
        store.tag("a:1", f"a@{sha(b'')}")
    with pytest.raises(ImageNotFoundError):
        store.tag("nope:1", "x:1")


# ---------------------------------------------------------------- remove and gc

def test_remove_collects_what_nothing_uses(store, scratch):
    src = _layout(scratch)
    store.import_image(src, "a:1")
    store.import_image(src, "example.com/b:2")
    store.tag("a:1", "a:alias")
    a, b = store.resolve("a:1"), store.resolve("example.com/b:2")
    store.layers("a:1")
    store.layers("example.com/b:2")
    assert store.layer_store.layers() == sorted([sha(BASE), sha(APP)])

    kept = store.remove("a:1")                              # a:alias still names it: nothing collected
    assert kept.untagged == ("docker.io/library/a:1",) and kept.collected is None
    assert a.manifest_digest in store.oci.blobs()

    gone = store.remove("a:alias")
    assert gone.collected == GcReport(tuple(sorted([a.manifest_digest, a.config_digest])), ())
    assert store.layer_store.layers() == sorted([sha(BASE), sha(APP)])        # b still uses the base layer
    assert _tree(store.layers("example.com/b:2")) == {"bin", "bin/sh", "etc", "etc/os-release", "app", "app/run"}

    last = store.remove("example.com/b:2")
    assert set(last.collected.blobs) == {b.manifest_digest, b.config_digest, *(x.digest for x in b.layers)}
    assert sorted(last.collected.layers) == sorted([sha(BASE), sha(APP)])
    assert store.oci.blobs() == [] and store.layer_store.layers() == [] and store.oci.refs() == {}
    with pytest.raises(ImageNotFoundError, match="image 'a:1'"):
        store.remove("a:1")


def test_remove_without_prune_then_gc(store, scratch):
    store.import_image(_layout(scratch), "a:1")
    img = store.resolve("a:1")
    store.layers("a:1")
    assert store.remove("a:1", prune=False).collected is None
    orphan = store.oci.write_blob(b"orphan")
    os.makedirs(os.path.join(store.oci.path, "blobs", "tmp"), exist_ok=True)
    with open(os.path.join(store.oci.path, "blobs", "tmp", "blob-dead"), "w") as f:
        f.write("a write that died")
    report = store.gc()
    assert report == GcReport(tuple(sorted([img.manifest_digest, img.config_digest, img.layers[0].digest, orphan])),
                              (sha(BASE),))
    assert os.listdir(os.path.join(store.oci.path, "blobs", "tmp")) == []
    assert store.gc() == GcReport((), ())


def test_lease_keeps_gc_out(store):
    lock = os.path.join(store.root, ".lock")
    with store.lease():
        fd = os.open(lock, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)       # what gc takes
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)            # another writer may share
        finally:
            os.close(fd)
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- concurrency

def _importer(root: str, src: str, worker: int, rounds: int) -> None:
    store = ImageStore(root)
    for i in range(rounds):
        store.import_image(src, "example.com/b:2", name=f"w{worker}:{i}")
        store.layers(f"w{worker}:{i}")
        if i % 2:
            store.remove(f"w{worker}:{i - 1}")              # removes and collects, racing the others


def _collector(root: str, rounds: int) -> None:
    store = ImageStore(root)
    for _ in range(rounds):
        store.gc()


def test_concurrent_imports_and_gc_lose_nothing(store, scratch):
    src = _layout(scratch)
    store.import_image(src, "a:1")                          # gives the store its directories first
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_importer, args=(store.root, src, w, 6)) for w in range(2)]
    procs.append(ctx.Process(target=_collector, args=(store.root, 15)))
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0, 0, 0]
    names = sorted(store.oci.refs())
    assert names == sorted(["docker.io/library/a:1"] + [f"docker.io/library/w{w}:{i}" for w in range(2)
                                                        for i in (1, 3, 5)])
    for name in names:
        img = store.resolve(name)
        for layer in img.layers:
            assert store.oci.has_blob(layer.digest)
        assert _tree(store.layers(name)) >= {"bin/sh", "etc/os-release"}


def _pull_blobs(store, src, name):
    """Copy one image's blobs from a layout into store.oci, as a pull does; its manifest descriptor."""
    img = read_oci_layout(src, name)
    for d in [img.config_digest, *(x.digest for x in img.layers), img.manifest_digest]:
        with open(os.path.join(src, "blobs", "sha256", d[7:]), "rb") as f:
            store.oci.write_blob(f.read(), d)
    return Descriptor(MANIFEST, img.manifest_digest, os.path.getsize(store.oci.blob_path(img.manifest_digest)))


def test_record_digest_ref(store, scratch):
    src = _layout(scratch)
    with store.lease():
        desc = _pull_blobs(store, src, "a:1")
        names = store.record_digest_ref(parse_reference("registry.example/a:1"), desc)
    assert names == [f"registry.example/a@{desc.digest}", "registry.example/a:1"]
    assert sorted(store.oci.refs()) == sorted(names)
    store.remove("registry.example/a:1")                     # the tag moves away; the digest name stays
    assert store.resolve(f"registry.example/a@{desc.digest}").diff_ids == (sha(BASE),)
    assert store.record_digest_ref(parse_reference(f"registry.example/a@{desc.digest}"), desc) == [names[0]]
    with pytest.raises(ImageError, match="the reference asks for another digest"):
        store.record_digest_ref(parse_reference(f"registry.example/a@{sha(b'other')}"), desc)
