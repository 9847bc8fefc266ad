"""Image build: the deterministic layer tar, the config rules, and the built
image cross-checked with umoci (unpack) and skopeo (inspect)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest
from images_helpers import needs_root
from images_helpers import snapshot, write_oci_layout

from kubekit.images import ImageError
from kubekit.images.build import (
    CREATED_BY,
    LAYER_MEDIA_TYPE,
    build_config,
    build_epoch,
    build_image,
    shell_form,
)
from kubekit.images.imagestore import ImageNotFoundError, ImageStore
from kubekit.images.layout import host_platform

EPOCH = 1_700_000_000
OLD = 1_500_000_000
FUTURE = 2_000_000_000
DIFF = "sha256:" + "d" * 64


@pytest.fixture
def store(scratch):
    return ImageStore(os.path.join(scratch, "store"))


def _context(scratch, name="ctx"):
    """Files of every kind an app brings: dirs, modes, owners, a hardlink, a
    symlink, a fifo, an xattr; one mtime older and one newer than EPOCH."""
    ctx = os.path.join(scratch, name)
    os.makedirs(os.path.join(ctx, "app", "data"))
    with open(os.path.join(ctx, "app", "run"), "w") as f:
        f.write("#!/bin/sh\necho hi\n")
    os.chmod(os.path.join(ctx, "app", "run"), 0o4755)
    with open(os.path.join(ctx, "app", "data", "config.json"), "w") as f:
        f.write('{"k": 1}')
    os.chmod(os.path.join(ctx, "app", "data"), 0o750)
    os.link(os.path.join(ctx, "app", "run"), os.path.join(ctx, "app", "run-again"))
    os.symlink("run", os.path.join(ctx, "app", "link"))
    os.mkfifo(os.path.join(ctx, "app", "pipe"))
    os.setxattr(os.path.join(ctx, "app", "data", "config.json"), "user.origin", b"test\xff")
    os.chown(os.path.join(ctx, "app", "data"), 1234, 5678)
    os.chown(os.path.join(ctx, "app", "data", "config.json"), 1234, 5678)
    for dirpath, dirnames, filenames in os.walk(ctx):
        for n in dirnames + filenames:
            os.utime(os.path.join(dirpath, n), (OLD, OLD), follow_symlinks=False)
    os.utime(os.path.join(ctx, "app", "data", "config.json"), (FUTURE, FUTURE))
    return ctx


def _layer_bytes(store, ref):
    img = store.resolve(ref)
    with open(store.oci.blob_path(img.layers[-1].digest), "rb") as f:
        return img, f.read()


# ---------------------------------------------------------------- pure parts

@pytest.mark.parametrize("text,argv", [
    ('["/app/run", "--port", "80"]', ["/app/run", "--port", "80"]),
    ("echo hi && sleep 1", ["/bin/sh", "-c", "echo hi && sleep 1"]),
    ('["not", 1]', ["/bin/sh", "-c", '["not", 1]']),
    ("[broken", ["/bin/sh", "-c", "[broken"]),
    ("[]", []),
])
def test_shell_form(text, argv):
    assert shell_form(text) == argv


def test_build_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    assert build_epoch(99) == 99 and build_epoch() == 1234
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ImageError, match="SOURCE_DATE_EPOCH='soon': expected Unix seconds"):
        build_epoch()


BASE_RUN = {"Entrypoint": ["/e0"], "Cmd": ["c0"], "Env": ["PATH=/bin", "A=0"], "Labels": {"l": "base"},
            "ExposedPorts": {"22/tcp": {}}, "WorkingDir": "/w0", "User": "u0"}


@pytest.mark.parametrize("kw,want", [
    ({}, BASE_RUN),
    ({"entrypoint": ["/e1"]}, {**{k: v for k, v in BASE_RUN.items() if k != "Cmd"}, "Entrypoint": ["/e1"]}),
    ({"entrypoint": ["/e1"], "cmd": ["c1"]}, {**BASE_RUN, "Entrypoint": ["/e1"], "Cmd": ["c1"]}),
    ({"cmd": ["c1"]}, {**BASE_RUN, "Cmd": ["c1"]}),
    ({"entrypoint": []}, {**{k: v for k, v in BASE_RUN.items() if k != "Cmd"}, "Entrypoint": []}),
    ({"env": ["A=1", "B=2", "PATH=/usr/bin:/bin"]}, {**BASE_RUN, "Env": ["PATH=/usr/bin:/bin", "A=1", "B=2"]}),
    ({"env": ["A=x=y"]}, {**BASE_RUN, "Env": ["PATH=/bin", "A=x=y"]}),
    ({"labels": {"l": "new", "m": "2"}}, {**BASE_RUN, "Labels": {"l": "new", "m": "2"}}),
    ({"exposed_ports": ["80", "53/udp"]}, {**BASE_RUN, "ExposedPorts": {"22/tcp": {}, "80/tcp": {}, "53/udp": {}}}),
    ({"workdir": "/srv", "user": "1000:1000"}, {**BASE_RUN, "WorkingDir": "/srv", "User": "1000:1000"}),
])
def test_build_config_rules(kw, want):
    base = {"architecture": "arm64", "variant": "v8", "os": "linux", "config": BASE_RUN,
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "b" * 64]},
            "history": [{"created_by": "base"}], "created": "2001-01-01T00:00:00Z"}
    got = build_config(base, DIFF, epoch=EPOCH, created_by="test", **kw)
    assert got["config"] == want
    assert got["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + "b" * 64, DIFF]}
    assert got["history"] == [{"created_by": "base"}, {"created": "2023-11-14T22:13:20Z", "created_by": "test"}]
    assert (got["created"], got["architecture"], got["variant"]) == ("2023-11-14T22:13:20Z", "arm64", "v8")
    assert base["config"] is BASE_RUN and BASE_RUN["Cmd"] == ["c0"]                # the base is not changed


def test_build_config_from_scratch():
    got = build_config(None, DIFF, epoch=0, created_by="x", cmd=["/app"])
    os_, arch = host_platform()
    assert got == {"architecture": arch, "os": os_, "config": {"Cmd": ["/app"]},
                   "rootfs": {"type": "layers", "diff_ids": [DIFF]}, "created": "1970-01-01T00:00:00Z",
                   "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "x"}]}


@pytest.mark.parametrize("kw,why", [
    ({"env": ["NOVALUE"]}, "env 'NOVALUE': expected KEY=VALUE"),
    ({"env": ["=v"]}, "env '=v': expected KEY=VALUE"),
    ({"exposed_ports": ["http"]}, "exposed port 'http': expected PORT"),
    ({"exposed_ports": ["70000"]}, "exposed port '70000'"),
    ({"exposed_ports": ["80/icmp"]}, "exposed port '80/icmp'"),
])
def test_build_config_refuses(kw, why):
    with pytest.raises(ImageError, match=why):
        build_config(None, DIFF, epoch=0, created_by="x", **kw)


# ---------------------------------------------------------------- builds

@needs_root
def test_layer_tar_is_deterministic_and_faithful(store, scratch):
    ctx = _context(scratch)
    ref = build_image(store, ctx, tag="app:v1", created=EPOCH, cmd=["/app/run"])
    img, blob = _layer_bytes(store, "app:v1")
    assert str(ref) == "docker.io/library/app:v1"
    assert blob[4:8] == b"\0\0\0\0"                         # gzip header mtime 0
    tar = gzip.decompress(blob)
    assert img.layers[-1].diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()
    assert img.layers[-1].media_type == LAYER_MEDIA_TYPE
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        members = {m.name: m for m in tf.getmembers()}
    assert list(members) == sorted(members) == [     # tarfile reads "app/" back as "app"
        "app", "app/data", "app/data/config.json", "app/link", "app/pipe", "app/run", "app/run-again"]
    assert all(m.uname == "" and m.gname == "" for m in members.values())
    cfg = members["app/data/config.json"]
    assert (cfg.uid, cfg.gid, cfg.mtime) == (1234, 5678, EPOCH)                 # clamped to the build time
    assert cfg.pax_headers["SCHILY.xattr.user.origin"].encode("utf-8", "surrogateescape") == b"test\xff"
    assert (members["app/data"].mode, members["app/run"].mode, members["app/run"].mtime) == (0o750, 0o4755, OLD)
    hard = [m for m in (members["app/run"], members["app/run-again"]) if m.islnk()]
    assert len(hard) == 1 and hard[0].linkname in ("app/run", "app/run-again")
    assert members["app/link"].issym() and members["app/link"].linkname == "run"
    assert members["app/pipe"].isfifo()

    # same input, same digests; also from a copy elsewhere
    again = build_image(store, ctx, tag="app:v2", created=EPOCH, cmd=["/app/run"])
    copy = os.path.join(scratch, "elsewhere", "copy")
    os.makedirs(os.path.dirname(copy))
    subprocess.run(["cp", "-a", ctx, copy], check=True)
    elsewhere = build_image(store, copy, tag="app:v3", created=EPOCH, cmd=["/app/run"])
    digests = {store.resolve(str(r)).manifest_digest for r in (ref, again, elsewhere)}
    assert digests == {img.manifest_digest}
    later = build_image(store, ctx, tag="app:v4", created=EPOCH + 1, cmd=["/app/run"])
    assert store.resolve(str(later)).manifest_digest != img.manifest_digest


@needs_root
def test_build_from_scratch_unpacks_to_the_context(store, scratch):
    ctx = _context(scratch)
    build_image(store, ctx, tag="app:v1", created=EPOCH, entrypoint=["/app/run"], env=["A=1"])
    img = store.resolve("app:v1")
    assert len(img.layers) == 1 and img.config["config"] == {"Entrypoint": ["/app/run"], "Env": ["A=1"]}
    assert img.config["history"] == [{"created": "2023-11-14T22:13:20Z", "created_by": CREATED_BY}]
    (layer_dir,) = store.layers("app:v1")
    assert snapshot(layer_dir) == snapshot(ctx)
    mtimes = {k: v[-1] for k, v in snapshot(layer_dir, mtimes=True).items() if not os.path.isdir(
        os.path.join(layer_dir, k))}
    assert mtimes["app/data/config.json"] == EPOCH and mtimes["app/run"] == OLD


@needs_root
def test_build_on_a_base(store, scratch):
    from images_helpers import entry, make_tar, sha

    base_tar = make_tar([entry("bin/", "dir"), entry("bin/sh", data=b"#!sh", mode=0o755)])
    layout = os.path.join(scratch, "layout")
    write_oci_layout(layout, [base_tar], tag="base:1", config_extra={
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]}, "history": [{"created_by": "base layer"}]})
    store.import_image(layout)
    ctx = _context(scratch)
    build_image(store, ctx, tag="me/app:v1", base="base:1", entrypoint=["/app/run"], env=["PATH=/app:/bin"],
                labels={"org.opencontainers.image.title": "app"}, workdir="/app", user="1234", created=EPOCH)
    base, app = store.resolve("base:1"), store.resolve("me/app:v1")
    assert app.diff_ids[:1] == base.diff_ids == (sha(base_tar),)
    assert app.layers[0].digest == base.layers[0].digest
    assert app.config["config"] == {"Entrypoint": ["/app/run"], "Env": ["PATH=/app:/bin"], "WorkingDir": "/app",
                                    "User": "1234", "Labels": {"org.opencontainers.image.title": "app"}}
    assert [h["created_by"] for h in app.config["history"]] == ["base layer", CREATED_BY]
    dirs = store.layers("me/app:v1")
    assert len(dirs) == 2 and os.path.isfile(os.path.join(dirs[0], "bin", "sh"))
    assert snapshot(dirs[1]) == snapshot(ctx)


@needs_root
@pytest.mark.skipif(shutil.which("umoci") is None or shutil.which("skopeo") is None,
                    reason="umoci and skopeo are not installed (apt install umoci skopeo)")
def test_umoci_and_skopeo_read_the_built_image(store, scratch):
    ctx = _context(scratch)
    build_image(store, ctx, tag="localhost:5000/me/app:v1", created=EPOCH, cmd=["/app/run"], env=["A=1"],
                labels={"k": "v"}, exposed_ports=["8080"])
    name = "localhost:5000/me/app:v1"
    bundle = os.path.join(scratch, "bundle")
    subprocess.run(["umoci", "unpack", "--image", f"{store.oci.path}:{name}", bundle], check=True,
                   capture_output=True)
    rootfs = os.path.join(bundle, "rootfs")
    assert snapshot(rootfs, mtimes=True) == snapshot(store.layers(name)[0], mtimes=True)
    assert snapshot(rootfs) == snapshot(ctx)
    out = subprocess.run(["skopeo", "inspect", f"oci:{store.oci.path}:{name}"], check=True, capture_output=True,
                         text=True).stdout
    info = json.loads(out)
    img = store.resolve(name)
    assert info["Digest"] == img.manifest_digest
    assert info["Layers"] == [x.digest for x in img.layers]
    assert (info["Env"], info["Labels"], info["Created"]) == (["A=1"], {"k": "v"}, "2023-11-14T22:13:20Z")
    raw = json.loads(subprocess.run(["skopeo", "inspect", "--config", f"oci:{store.oci.path}:{name}"], check=True,
                                    capture_output=True, text=True).stdout)
    assert raw["config"]["ExposedPorts"] == {"8080/tcp": {}} and raw["config"]["Cmd"] == ["/app/run"]


def test_build_refuses(store, scratch):
    ctx = os.path.join(scratch, "ctx")
    os.makedirs(ctx)
    with pytest.raises(ImageError, match="build context '.*/nope' is not a directory"):
        build_image(store, os.path.join(scratch, "nope"), tag="x:1")
    with pytest.raises(ImageError, match="a tag cannot carry a digest"):
        build_image(store, ctx, tag="x@sha256:" + "a" * 64)
    with pytest.raises(ImageNotFoundError, match="image 'missing:1'"):
        build_image(store, ctx, tag="x:1", base="missing:1")
    assert store.oci.blobs() == [] and store.oci.refs() == {}


@needs_root
def test_a_docker_media_type_base_becomes_oci_layers(store, scratch):
    """A base stored with a Docker v2 manifest: the built OCI manifest names
    the same layer blobs with the OCI media types (same bytes, same digests)."""
    from images_helpers import entry, make_tar, sha

    from kubekit.images.layout import Descriptor

    layer = gzip.compress(make_tar([entry("base", data=b"b")]), mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [sha(gzip.decompress(layer))]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                      "digest": store.oci.init().write_blob(config), "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                       "digest": store.oci.write_blob(layer), "size": len(layer)}]}).encode()
    store.oci.set_ref("docker.io/library/dbase:1", Descriptor(
        "application/vnd.docker.distribution.manifest.v2+json", store.oci.write_blob(manifest), len(manifest)))
    ctx = os.path.join(scratch, "ctx")
    os.makedirs(ctx)
    build_image(store, ctx, tag="app:1", base="dbase:1", created=EPOCH)
    built = store.oci.read_json_blob(store.resolve("app:1").manifest_digest)
    assert built["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert built["layers"][0] == {"mediaType": LAYER_MEDIA_TYPE, "digest": sha(layer), "size": len(layer)}
    assert os.path.isfile(os.path.join(store.layers("app:1")[0], "base"))
