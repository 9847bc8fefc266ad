"""``create configmap`` / ``create secret generic`` manifests (kubectl's
create_configmap.go / create_secret.go behaviour) and how ``exec`` splits
what follows POD.  Pure, plus files in a temporary directory."""

from __future__ import annotations

import base64

import pytest

from kubekit.kubectl.cmd_exec import split_command
from kubekit.kubectl.context import CommandError
from kubekit.kubectl.create_rules import config_map_manifest, file_sources, literal, secret_manifest


def test_literals_split_at_the_first_equals():
    assert literal("a=b=c") == ("a", "b=c") and literal("k=") == ("k", "")
    for bad in ("novalue", "=v"):
        with pytest.raises(CommandError, match="expected key=value"):
            literal(bad)


def test_config_map_from_literals_and_files(tmp_path):
    (tmp_path / "app.properties").write_text("mode=fast\n")
    (tmp_path / "blob.bin").write_bytes(b"\xff\x00")
    d = tmp_path / "dir"
    d.mkdir()
    (d / "one").write_text("1")
    (d / "two").write_text("2")
    (d / "sub").mkdir()                                    # not a regular file: skipped
    files = file_sources([str(tmp_path / "app.properties"), f"renamed={tmp_path / 'blob.bin'}", str(d)])
    cm = config_map_manifest("web", "ns", ["greeting=hello"], files)
    assert cm == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "ns"},
                  "data": {"greeting": "hello", "app.properties": "mode=fast\n", "one": "1", "two": "2"},
                  "binaryData": {"renamed": base64.b64encode(b"\xff\x00").decode()}}


def test_secret_values_are_base64_and_the_type_is_kept():
    s = secret_manifest("db", "ns", ["password=s3cret"], [("ca.crt", b"\x00cert")], "kubernetes.io/basic-auth")
    assert s["type"] == "kubernetes.io/basic-auth"
    assert {k: base64.b64decode(v) for k, v in s["data"].items()} == {"password": b"s3cret", "ca.crt": b"\x00cert"}
    assert "type" not in secret_manifest("db", "ns", ["a=b"], [])        # the server defaults Opaque


@pytest.mark.parametrize("build,message", [
    (lambda: config_map_manifest("web", "ns", ["a=1", "a=2"], []),
     'cannot add key "a", another key by that name already exists in Data for ConfigMap "web"'),
    (lambda: secret_manifest("db", "ns", ["a=1"], [("a", b"2")]),
     'cannot add key a, another key by that name already exists in data for Secret "db"'),
    (lambda: config_map_manifest("web", "ns", ["a*b=1"], []), '"a\\*b" is not a valid key name for a ConfigMap'),
    (lambda: secret_manifest("db", "ns", ["..=1"], []), '"\\.\\." is not a valid key name for a Secret'),
    (lambda: file_sources(["/no/such/file"]), "error reading /no/such/file"),
    (lambda: file_sources(["=x"]), "key names or file paths cannot be empty"),
])
def test_refusals(build, message):
    with pytest.raises(CommandError, match=message):
        build()


@pytest.mark.parametrize("rest,want", [
    (["ls"], (["ls"], None, False)),
    (["--", "sh", "-c", "echo hi"], (["sh", "-c", "echo hi"], None, False)),
    (["-c", "side", "-i", "--", "cat"], (["cat"], "side", True)),
    (["--container=side", "--", "ls", "--", "x"], (["ls", "--", "x"], "side", False)),
])
def test_split_command(rest, want):
    assert split_command(rest) == want


def test_connection_flags_after_pod_are_refused():
    with pytest.raises(CommandError, match="only -c and -i may follow POD"):
        split_command(["-n", "other", "--", "ls"])
