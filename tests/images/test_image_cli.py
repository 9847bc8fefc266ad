"""``kubekit image``: run in-process through kubekit.images.cli.main, on a
real store in a scratch directory."""

from __future__ import annotations

import argparse
import json
import os

import pytest
from images_helpers import needs_root
from images_helpers import entry, make_tar, sha, write_oci_layout

from kubekit.images.cli import (
    add_image_parser,
    human_duration,
    human_size,
    main,
    split_source,
)
from kubekit.images.imagestore import ImageStore

LAYER = make_tar([entry("bin/", "dir"), entry("bin/tool", data=b"tool", mode=0o755)])


@pytest.mark.parametrize("n,text", [(0, "0B"), (999, "999B"), (1000, "1kB"), (1234, "1.23kB"),
                                    (1_234_567, "1.23MB"), (999_999, "1e+03kB"), (5_000_000_000, "5GB")])
def test_human_size(n, text):
    assert human_size(n) == text


@pytest.mark.parametrize("seconds,text", [
    (0, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"), (119, "About a minute"),
    (3599, "59 minutes"), (3600, "About an hour"), (5399, "About an hour"), (5400, "2 hours"),
    (47 * 3600, "47 hours"), (48 * 3600, "2 days"), (14 * 86400, "2 weeks"), (60 * 86400, "2 months"),
    (730 * 86400, "2 years"),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_split_source(scratch):
    layout = os.path.join(scratch, "layout")
    os.makedirs(layout)
    assert split_source(layout) == (layout, None)
    assert split_source(f"{layout}:v1") == (layout, "v1")
    assert split_source(f"{layout}:docker.io/me/app:v1") == (layout, "docker.io/me/app:v1")
    with pytest.raises(FileNotFoundError, match="no such OCI layout directory or docker archive"):
        split_source(os.path.join(scratch, "missing:v1"))


@pytest.fixture
def kk(scratch, capsys):
    """Run `kubekit image --root ROOT ...`; (exit code, stdout, stderr)."""
    root = os.path.join(scratch, "store")

    def run(*argv):
        code = main(["image", "--root", root, *argv])
        out = capsys.readouterr()
        return code, out.out, out.err
    run.root = root
    return run


def _layout(scratch):
    layout = os.path.join(scratch, "layout")
    write_oci_layout(layout, [LAYER], tag="v1", config_extra={"created": "2020-09-13T12:26:40Z"})
    return layout


def test_import_ls_tag_inspect_rm(kk, scratch):
    layout = _layout(scratch)
    assert kk("import", f"{layout}:v1", "--name", "me/tool:v1") == (0, "Loaded image: me/tool:v1\n", "")
    assert kk("tag", "me/tool:v1", "localhost:5000/tool") == (0, "", "")
    code, out, err = kk("ls")
    digest = ImageStore(kk.root).resolve("me/tool:v1").manifest_digest
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].split() == ["REPOSITORY", "TAG", "DIGEST", "CREATED", "SIZE"]
    rows = [line.split(None, 3) for line in lines[1:]]
    assert [r[:3] for r in rows] == [["me/tool", "v1", digest[7:19]],       # sorted by full name
                                     ["localhost:5000/tool", "latest", digest[7:19]]]
    assert rows[0][3].endswith(" years ago   " + rows[0][3].split()[-1]) and rows[0][3].split()[-1].endswith("B")
    assert lines[0].index("TAG") == lines[2].index("latest")             # aligned columns

    code, out, _ = kk("inspect", "me/tool:v1")
    (info,) = json.loads(out)
    assert code == 0 and info["Reference"] == "docker.io/me/tool:v1" and info["ManifestDigest"] == digest
    assert info["Names"] == ["docker.io/me/tool:v1", "localhost:5000/tool:latest"]
    assert info["Layers"][0]["DiffID"] == sha(LAYER) and info["Config"]["created"] == "2020-09-13T12:26:40Z"

    assert kk("rm", "me/tool:v1") == (0, "Untagged: docker.io/me/tool:v1\n", "")
    code, out, _ = kk("rm", "localhost:5000/tool", "nope:1")
    assert code == 1
    assert out.splitlines()[0] == "Untagged: localhost:5000/tool:latest"
    assert sum(line.startswith("Deleted: sha256:") for line in out.splitlines()) == 3
    assert kk("ls")[1].splitlines()[1:] == []


@needs_root
def test_build_and_prune(kk, scratch):
    layout = _layout(scratch)
    kk("import", f"{layout}:v1", "--name", "base:1")
    ctx = os.path.join(scratch, "ctx")
    os.makedirs(ctx)
    with open(os.path.join(ctx, "hello"), "w") as f:
        f.write("hi")
    code, out, err = kk("build", ctx, "-t", "me/app:v1", "--from", "base:1", "--entrypoint", '["/bin/tool"]',
                        "--cmd", "echo hi", "-e", "A=1", "-w", "/srv", "-u", "1000", "--label", "k=v",
                        "--expose", "80", "--created", "1700000000")
    store = ImageStore(kk.root)
    img = store.resolve("me/app:v1")
    assert (code, err) == (0, "") and out == f"Successfully built me/app:v1 {img.manifest_digest}\n"
    assert img.config["config"] == {"Entrypoint": ["/bin/tool"], "Cmd": ["/bin/sh", "-c", "echo hi"],
                                    "Env": ["A=1"], "WorkingDir": "/srv", "User": "1000", "Labels": {"k": "v"},
                                    "ExposedPorts": {"80/tcp": {}}}
    assert len(img.layers) == 2
    code, out, _ = kk("build", ctx, "-t", "me/app:scratch", "--from", "scratch", "--created", "1700000000")
    assert code == 0 and len(store.resolve("me/app:scratch").layers) == 1

    store.layers("me/app:v1")
    kk("rm", "--no-prune", "me/app:v1")
    code, out, _ = kk("prune")
    assert code == 0 and out.splitlines()[-1] == "Total: 2 blobs, 0 layers removed"   # manifest and config
    kk("rm", "--no-prune", "base:1", "me/app:scratch")
    code, out, _ = kk("prune")
    assert out.splitlines()[-1] == "Total: 6 blobs, 2 layers removed"
    assert sum(line.startswith("Deleted layer: sha256:") for line in out.splitlines()) == 2
    assert store.oci.blobs() == [] and store.layer_store.layers() == []


@pytest.mark.parametrize("argv,why", [
    (["inspect", "nope:1"], "kubekit image inspect: image 'nope:1' (docker.io/library/nope:1) is not in"),
    (["tag", "Bad/Ref:1", "x"], "kubekit image tag: invalid reference 'Bad/Ref:1': repository name must be lowercase"),
    (["tag", "a:1", "x"], "kubekit image tag: image 'a:1'"),
    (["import", "/nonexistent/dir:v1"], "kubekit image import: /nonexistent/dir:v1: no such OCI layout directory"),
    (["build", "/nonexistent", "-t", "x:1"], "kubekit image build: build context '/nonexistent' is not a directory"),
    (["build", "/", "-t", "x:1", "--label", "novalue"], "kubekit image build: --label 'novalue': expected KEY=VALUE"),
])
def test_errors_name_the_bad_input(kk, argv, why):
    code, out, err = kk(*argv)
    assert (code, out) == (1, "")
    assert err.startswith(why)


def test_root_from_the_environment(scratch, capsys, monkeypatch):
    root = os.path.join(scratch, "envstore")
    monkeypatch.setenv("KUBEKIT_IMAGE_ROOT", root)
    assert main(["image", "import", f"{_layout(scratch)}:v1", "--name", "x:1"]) == 0
    assert list(ImageStore(root).oci.refs()) == ["docker.io/library/x:1"]


def test_more_subcommands_can_join_the_image_group(scratch, capsys):
    """How `pull`/`push` will be added next to these."""
    ap = argparse.ArgumentParser(prog="kubekit")
    cmds = add_image_parser(ap.add_subparsers(dest="cmd", required=True))
    p = cmds.add_parser("pull")
    p.add_argument("ref")
    p.add_argument("--root")              # the registry CLI's own; argparse lets a subparser default shadow ours
    p.set_defaults(image_func=lambda args: print(f"pull {args.ref} into {args.root}") or 0)
    for argv, root in [(["image", "--root", scratch, "pull", "busybox"], scratch),
                       (["image", "pull", "busybox", "--root", "/r"], "/r"),
                       (["image", "--root", scratch, "pull", "busybox", "--root", "/r"], "/r")]:
        args = ap.parse_args(argv)
        assert args.func(args) == 0
        assert capsys.readouterr().out == f"pull busybox into {root}\n"


def test_ls_shows_a_pulls_digest_name_only_without_a_tag(kk, scratch):
    from kubekit.images.reference import parse_reference

    layout = _layout(scratch)
    kk("import", f"{layout}:v1", "--name", "reg.example/tool:v1")
    store = ImageStore(kk.root)
    desc = store.oci.refs()["reg.example/tool:v1"]
    store.record_digest_ref(parse_reference("reg.example/tool:v1"), desc)
    rows = [line.split()[:2] for line in kk("ls")[1].splitlines()[1:]]
    assert rows == [["reg.example/tool", "v1"]]
    kk("rm", "--no-prune", "reg.example/tool:v1")
    rows = [line.split()[:2] for line in kk("ls")[1].splitlines()[1:]]
    assert rows == [["reg.example/tool", "<none>"]]
