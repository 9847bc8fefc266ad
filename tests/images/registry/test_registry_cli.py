"""The command functions ``kubekit image pull``/``push`` will call, run on
a parsed command line against a real registry and a scratch image store."""

from __future__ import annotations

import argparse
import os

import pytest
from registry_images import small_layout

from kubekit.images.errors import ImageError
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import AuthError, push
from kubekit.images.registry.cli import (
    add_pull_arguments,
    add_push_arguments,
    client_options,
    cmd_pull,
    cmd_push,
    parse_creds,
    parse_platform,
)


def _parse(add, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add(parser)
    return parser.parse_args(argv)


def test_cli_pull_then_push_through_the_image_store(registry, repo, scratch, capsys):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=21)
    pushed = push(src, "latest", f"{registry.addr}/{repo}:v1")
    root = os.path.join(scratch, "store")

    assert cmd_pull(_parse(add_pull_arguments, [f"{registry.addr}/{repo}:v1", "--root", root])) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"{registry.addr}/{repo}:v1 {pushed.digest}"
    assert "downloaded" in out.err
    layers = os.path.join(root, "layers", "sha256")
    assert len(os.listdir(layers)) == 2                      # unpacked into the layer store

    argv = [f"{registry.addr}/{repo}:v1", f"{registry.addr}/{repo}-copy:v2", "--root", root, "-q",
            "--chunk-size", "65536", "--mount-from", repo]
    assert cmd_push(_parse(add_push_arguments, argv)) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"{registry.addr}/{repo}-copy:v2 {pushed.digest}" and out.err == ""


@pytest.mark.parametrize("argv, expected", [
    (["r/x"], {"auth_file": None, "tls_verify": True, "plain_http": None}),
    (["r/x", "--creds", "u:p:q", "--authfile", "/a.json"],
     {"auth_file": "/a.json", "tls_verify": True, "plain_http": None, "credentials": ("u", "p:q")}),
    (["r/x", "--no-tls-verify"], {"auth_file": None, "tls_verify": False, "plain_http": None}),
    (["r/x", "--plain-http"], {"auth_file": None, "tls_verify": True, "plain_http": True}),
    (["r/x", "--no-plain-http"], {"auth_file": None, "tls_verify": True, "plain_http": False}),
])
def test_client_options(argv, expected):
    opts = client_options(_parse(add_pull_arguments, argv))
    if "credentials" in opts:
        opts["credentials"] = (opts["credentials"].username, opts["credentials"].password)
    assert opts == expected


def test_parse_creds_and_platform():
    assert parse_platform("linux/arm64") == ("linux", "arm64")
    for bad in ("linux", "/arm64", "linux/arm/v7"):
        with pytest.raises(ImageError, match="expected OS/ARCH"):
            parse_platform(bad)
    with pytest.raises(AuthError, match="expected USER:PASSWORD"):
        parse_creds("nopassword")
