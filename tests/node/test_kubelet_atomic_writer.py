"""The kubelet's atomic writer (pkg/volume/util/atomic_writer_test.go:
TestValidatePath, TestPathsToRemove, TestWriteOnce, TestUpdate,
TestMultipleUpdates transcribed as far as they apply) and the volume payloads
(configmap/secret/downwardapi/projected ``MakePayload``/``CollectData``
tests), on a real directory."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from kubekit.node.atomicwriter import DATA_DIR, AtomicWriter, PayloadError, validate_path
from kubekit.node.rules.volume_payload import (
    VolumeError,
    configmap_payload,
    downward_payload,
    projected_payload,
    secret_payload,
)

NOW = 1_764_190_000.0


@pytest.mark.parametrize("name,path,valid", [
    ("valid 1", "i/am/well/behaved.txt", True),
    ("valid 2", "keepyourheaddownandfollowtherules.txt", True),
    ("max path length", "a" * 4097, False),
    ("max file length", "a" * 256, False),
    ("absolute failure", "/dev/null", False),
    ("reserved path", "..sneaky.txt", False),
    ("contains doubledot 1", "hello/there/../../../../../../etc/passwd", False),
    ("contains doubledot 2", "hello/../etc/somethingbad", False),
    ("empty", "", False),
])
def test_validate_path(name, path, valid):
    if valid:
        validate_path(path)
    else:
        with pytest.raises(PayloadError):
            validate_path(path)


def files(d):
    """What a reader sees through the user-visible names: {path: (content, mode)}."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(d, followlinks=True):
        rel = os.path.relpath(dirpath, d)
        if rel.split("/")[0].startswith(".."):
            continue
        dirnames[:] = [n for n in dirnames if not n.startswith("..")]
        for n in filenames:
            if n.startswith(".."):
                continue
            p = os.path.join(dirpath, n)
            out[os.path.normpath(os.path.join(rel, n))] = (open(p, "rb").read(), stat.S_IMODE(os.stat(p).st_mode))
    return out


@pytest.mark.parametrize("payload", [
    {"foo": (b"foo", 0o644), "bar": (b"bar", 0o644)},
    {"foo/bar.txt": (b"foo", 0o644), "bar/zab.txt": (b"bar", 0o644)},
    {"foo/bar/zab.txt": (b"foo", 0o400), "bar/zab/foo.txt": (b"bar", 0o755), "a/b/c/d.txt": (b"", 0o600)},
    {"foo.txt": (b"foo", 0o644), "bin": (bytes(range(256)), 0o644)},
])
def test_write_once(tmp_path, payload):
    w = AtomicWriter(str(tmp_path))
    assert w.write(payload, NOW) is True
    assert files(str(tmp_path)) == payload
    data = os.readlink(tmp_path / DATA_DIR)
    assert data.startswith("..2025_11_26_") and (tmp_path / data).is_dir()
    for top in {p.split("/")[0] for p in payload}:
        assert os.readlink(tmp_path / top) == f"{DATA_DIR}/{top}"
    assert w.write(payload, NOW) is False                        # unchanged: no new data directory
    assert os.readlink(tmp_path / DATA_DIR) == data


@pytest.mark.parametrize("first,second", [
    ({"foo": (b"foo", 0o644), "bar": (b"bar", 0o644)}, {"foo": (b"foo2", 0o644), "bar": (b"bar2", 0o644)}),
    ({"foo": (b"foo", 0o644), "bar": (b"bar", 0o644)}, {"foo": (b"foo", 0o644)}),                  # a file goes
    ({"foo/bar.txt": (b"foo", 0o644), "bar/zab.txt": (b"bar", 0o644)},
     {"foo/bar.txt": (b"foo", 0o644), "zab/bar/foo.txt": (b"new", 0o644)}),                       # a dir goes
    ({"foo": (b"foo", 0o644)}, {"foo": (b"foo", 0o600)}),                                          # mode only
    ({"foo": (b"foo", 0o644)}, {}),                                                                # emptied
])
def test_update(tmp_path, first, second):
    w = AtomicWriter(str(tmp_path))
    w.write(first, NOW)
    old = os.readlink(tmp_path / DATA_DIR)
    assert w.write(second, NOW + 1) is True
    assert files(str(tmp_path)) == second
    new = os.readlink(tmp_path / DATA_DIR)
    assert new != old and not (tmp_path / old).exists()          # the old version is removed
    visible = {n for n in os.listdir(tmp_path) if not n.startswith("..")}
    assert visible == {p.split("/")[0] for p in second}           # no dangling user-visible link


def test_multiple_updates_keep_one_data_dir(tmp_path):
    w = AtomicWriter(str(tmp_path))
    for i in range(5):
        w.write({"v": (str(i).encode(), 0o644), f"only{i}": (b"x", 0o644)}, NOW + i)
        assert files(str(tmp_path)) == {"v": (str(i).encode(), 0o644), f"only{i}": (b"x", 0o644)}
    assert sorted(n for n in os.listdir(tmp_path) if n.startswith("..2")) == [os.readlink(tmp_path / DATA_DIR)]


def test_a_reader_holding_the_old_file_keeps_old_content(tmp_path):
    w = AtomicWriter(str(tmp_path))
    w.write({"k": (b"old", 0o644)}, NOW)
    with open(tmp_path / "k", "rb") as f:
        w.write({"k": (b"new", 0o644)}, NOW + 1)
        assert f.read() == b"old"
    assert (tmp_path / "k").read_bytes() == b"new"


def test_invalid_payload_writes_nothing(tmp_path):
    with pytest.raises(PayloadError):
        AtomicWriter(str(tmp_path)).write({"ok": (b"", 0o644), "../escape": (b"", 0o644)}, NOW)
    assert os.listdir(tmp_path) == []


# -- payloads (pkg/volume/configmap|secret|downwardapi|projected tests) ------------------------------

def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


CM = {"data": {"foo": "foo", "bar": "bar"}, "binaryData": {"bin": b64(b"\x00\xff")}}


@pytest.mark.parametrize("name,source,want", [
    ("no overrides", {"name": "cm"}, {"foo": (b"foo", 0o644), "bar": (b"bar", 0o644), "bin": (b"\x00\xff", 0o644)}),
    ("basic 1", {"name": "cm", "items": [{"key": "foo", "path": "path/to/foo.txt"}]},
     {"path/to/foo.txt": (b"foo", 0o644)}),
    ("subdirs", {"name": "cm", "items": [{"key": "foo", "path": "path/to/1/2/3/foo.txt"}]},
     {"path/to/1/2/3/foo.txt": (b"foo", 0o644)}),
    ("multiple keys", {"name": "cm", "items": [{"key": "foo", "path": "path/to/foo.txt"},
                                              {"key": "bar", "path": "another/path/to/bar.txt"}]},
     {"path/to/foo.txt": (b"foo", 0o644), "another/path/to/bar.txt": (b"bar", 0o644)}),
    ("default mode", {"name": "cm", "defaultMode": 0o400}, {"foo": (b"foo", 0o400), "bar": (b"bar", 0o400),
                                                           "bin": (b"\x00\xff", 0o400)}),
    ("item mode", {"name": "cm", "defaultMode": 0o400,
                   "items": [{"key": "foo", "path": "foo.txt", "mode": 0o600}, {"key": "bar", "path": "bar.txt"}]},
     {"foo.txt": (b"foo", 0o600), "bar.txt": (b"bar", 0o400)}),
    ("optional missing key", {"name": "cm", "optional": True, "items": [{"key": "zab", "path": "z"},
                                                                       {"key": "foo", "path": "f"}]},
     {"f": (b"foo", 0o644)}),
])
def test_configmap_payload(name, source, want):
    assert configmap_payload(source, CM) == want, name


def test_configmap_payload_failures():
    with pytest.raises(VolumeError, match="configmap references non-existent config key: zab"):
        configmap_payload({"name": "cm", "items": [{"key": "zab", "path": "z"}]}, CM)
    with pytest.raises(VolumeError, match='configmap "cm" not found'):
        configmap_payload({"name": "cm"}, None)
    assert configmap_payload({"name": "cm", "optional": True}, None) == {}


def test_secret_payload():
    s = {"data": {"user": b64("admin"), "pass": b64(b"\x01\x02")}}
    assert secret_payload({"secretName": "s"}, s) == {"user": (b"admin", 0o644), "pass": (b"\x01\x02", 0o644)}
    assert secret_payload({"secretName": "s", "items": [{"key": "user", "path": "u"}]}, s) == {"u": (b"admin", 0o644)}
    with pytest.raises(VolumeError, match="secret references non-existent secret key: nope"):
        secret_payload({"secretName": "s", "items": [{"key": "nope", "path": "n"}]}, s)
    with pytest.raises(VolumeError, match='secret "s" not found'):
        secret_payload({"secretName": "s"}, None)


POD = {"metadata": {"name": "web", "namespace": "ns", "labels": {"b": "2", "a": "1"}},
       "spec": {"containers": [{"name": "app", "resources": {"limits": {"memory": "64Mi"}}}]}}


def test_downward_payload():
    src = {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                     {"path": "./dir/../name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 0o400},
                     {"path": "mem", "resourceFieldRef": {"containerName": "app", "resource": "limits.memory",
                                                          "divisor": "1Mi"}},
                     {"path": "cpu", "resourceFieldRef": {"containerName": "app", "resource": "limits.cpu"}}]}
    assert downward_payload(src, POD, {"cpu": "2"}) == {"labels": (b'a="1"\nb="2"', 0o644), "name": (b"web", 0o400),
                                                         "mem": (b"64", 0o644), "cpu": (b"2", 0o644)}
    with pytest.raises(VolumeError, match="unsupported fieldPath: spec.nodeName"):
        downward_payload({"items": [{"path": "n", "fieldRef": {"fieldPath": "spec.nodeName"}}]}, POD, {})


def test_projected_payload_merges_sources_in_order_under_its_default_mode():
    cms = {"cm": CM}
    secrets = {"s": {"data": {"foo": b64("from-secret")}}}
    src = {"defaultMode": 0o440, "sources": [
        {"configMap": {"name": "cm", "items": [{"key": "foo", "path": "foo"}]}},
        {"secret": {"name": "s"}},                                           # its foo replaces the ConfigMap's
        {"configMap": {"name": "absent", "optional": True}},
        {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}
    assert projected_payload(src, POD, cms.get, secrets.get, {}) == {"foo": (b"from-secret", 0o440),
                                                                    "ns": (b"ns", 0o440)}
    with pytest.raises(VolumeError, match="serviceAccountToken is not supported"):
        projected_payload({"sources": [{"serviceAccountToken": {"path": "t"}}]}, POD, cms.get, secrets.get, {})
