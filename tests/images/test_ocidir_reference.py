"""Image references against distribution/reference's own test tables
(normalize_test.go, reference_test.go), and OciDir: verified atomic blobs
and locked references."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
from images_helpers import entry, make_tar, sha, write_oci_layout

from kubekit.images import ImageError, read_oci_layout
from kubekit.images.errors import DigestMismatchError
from kubekit.images.layout import REF_NAME, Descriptor
from kubekit.images.ocidir import OciDir
from kubekit.images.reference import Reference, parse_reference

D = "sha256:" + "f" * 64
D2 = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"

# ---------------------------------------------------------------- references

# TestParseRepositoryInfo: every spelling -> (familiar, full, domain, path)
REPOSITORY_INFO = [
    (["fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar"], "fooo/bar", "docker.io/fooo/bar", "docker.io",
     "fooo/bar"),
    (["ubuntu", "docker.io/library/ubuntu", "library/ubuntu"], "ubuntu", "docker.io/library/ubuntu", "docker.io",
     "library/ubuntu"),
    (["nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu"], "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu",
     "docker.io", "nonlibrary/ubuntu"),
    (["other/library", "docker.io/other/library"], "other/library", "docker.io/other/library", "docker.io",
     "other/library"),
    (["127.0.0.1:8000/private/moonbase"], "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase",
     "127.0.0.1:8000", "private/moonbase"),
    (["127.0.0.1:8000/privatebase"], "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000",
     "privatebase"),
    (["example.com/private/moonbase"], "example.com/private/moonbase", "example.com/private/moonbase", "example.com",
     "private/moonbase"),
    (["example.com:8000/privatebasee"], "example.com:8000/privatebasee", "example.com:8000/privatebasee",
     "example.com:8000", "privatebasee"),
    (["ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "index.docker.io/library/ubuntu-12.04-base"],
     "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base"),
    (["foo", "docker.io/library/foo", "docker.io/foo"], "foo", "docker.io/library/foo", "docker.io", "library/foo"),
    (["library/foo/bar", "docker.io/library/foo/bar"], "library/foo/bar", "docker.io/library/foo/bar", "docker.io",
     "library/foo/bar"),
    (["store/foo/bar", "docker.io/store/foo/bar"], "store/foo/bar", "docker.io/store/foo/bar", "docker.io",
     "store/foo/bar"),
    # upper case in the first component makes it a domain (upstream since v0.5)
    (["Foo/bar"], "Foo/bar", "Foo/bar", "Foo", "bar"),
    (["FOO/bar"], "FOO/bar", "FOO/bar", "FOO", "bar"),
]


@pytest.mark.parametrize("spellings,familiar,full,domain,path", REPOSITORY_INFO)
def test_repository_info(spellings, familiar, full, domain, path):
    for text in spellings:
        ref = parse_reference(text)
        assert (ref.registry, ref.repository, ref.name) == (domain, path, full), text
        assert ref.tag == "latest"
        assert ref.familiar() == familiar + ":latest"
        assert str(ref) == full + ":latest"


VALID = [
    "docker/docker", "library/debian", "debian", "docker.io/docker/docker", "docker.io/library/debian",
    "docker.io/debian", "index.docker.io/docker/docker", "index.docker.io/library/debian", "index.docker.io/debian",
    "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/library/debian", "127.0.0.1:5000/debian", "192.168.0.1",
    "192.168.0.1:80", "192.168.0.1:8/debian", "192.168.0.2:25000/debian",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "[fc00::1]:5000/docker",
    "[fc00::1]:5000/docker/docker", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
    "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "Docker/docker", "DOCKER/docker",
    "docker-rules/docker", "docker---rules/docker", "doc/docker", "d/docker", "jess/t", "dock__er/docker",
    "lowercase:Uppercase", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "foo_bar.com:8080", "foo/foo_bar.com:8080",
    "b.gcr.io/test.example.com/my-app:test.example.com", "xn--n3h.com/myimage:xn--n3h.com",
    "[2001:db8::1]/repo", "[2001:db8::]:5000/repo", "[::1]:5000/repo",
]

INVALID = [
    ("https://github.com/docker/docker", "not \\[registry/\\]repository"), ("docker/Docker", "must be lowercase"),
    ("-docker", "not"), ("-docker/docker", "not"), ("-docker.io/docker/docker", "not"), ("docker///docker", "not"),
    ("docker.io/docker/Docker", "must be lowercase"), ("docker.io/docker///docker", "not"), ("[fc00::1]", "not"),
    ("[fc00::1]:5000", "not"), ("fc00::1:5000/debian", "not"), ("[fe80::1%eth0]:5000/debian", "not"),
    ("[2001:db8:3:4::192.0.2.33]:5000/debian", "not"),
    ("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "64-hex"),
    ("docker-/docker", "not"), ("-docker-/docker", "not"), ("____/____", "not"), ("_docker/_docker", "not"),
    ("dock..er/docker", "not"), ("dock_.er/docker", "not"), ("dock-.er/docker", "not"), ("docker/", "not"),
    ("_".join(["this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255"] * 4) + "/docker",
     "longer than 255"),
    ("", "empty"), (":justtag", "not"), ("@" + D, "not"), ("Uppercase:tag", "must be lowercase"),
    ("test:5000/Uppercase/lowercase:tag", "must be lowercase"), ("aa/asdf$$^/aa", "not"),
    ("repo@sha256:ffffffffffffffffffffffffffffffffff", "expected 'sha256:'"),
    ("validname@invaliddigest:" + "f" * 64, "expected 'sha256:'"), (" busybox", "whitespace"),
    ("a/" * 128 + "a:tag", "longer than 255"),
]


@pytest.mark.parametrize("text", VALID)
def test_valid_references(text):
    parse_reference(text)


@pytest.mark.parametrize("text,why", INVALID)
def test_invalid_references(text, why):
    with pytest.raises(ImageError, match=why):
        parse_reference(text)


def test_path_length_counts_after_normalization():
    # upstream checks len(path) of the normalized name: "library/" counts, the domain does not
    assert parse_reference("a" * 247).repository == "library/" + "a" * 247
    with pytest.raises(ImageError, match="longer than 255"):
        parse_reference("a" * 248)
    assert parse_reference("example.com/" + "a" * 255).repository == "a" * 255
    assert parse_reference("a/" * 127 + "a:tag-puts-this-over-max").tag == "tag-puts-this-over-max"


# TestParseDockerRef (plus TagNameOnly), and tag-with-digest kept as ParseNormalizedNamed keeps it
@pytest.mark.parametrize("text,full", [
    ("busybox", "docker.io/library/busybox:latest"),
    ("busybox:latest", "docker.io/library/busybox:latest"),
    ("busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
     "docker.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"),
    ("library/busybox", "docker.io/library/busybox:latest"),
    ("docker.io/busybox", "docker.io/library/busybox:latest"),
    ("docker.io/library/busybox", "docker.io/library/busybox:latest"),
    ("docker.io/busybox:latest", "docker.io/library/busybox:latest"),
    ("library/busybox:latest", "docker.io/library/busybox:latest"),
    ("gcr.io/library/busybox", "gcr.io/library/busybox:latest"),
    (f"busybox:latest@{D2}", f"docker.io/library/busybox:latest@{D2}"),
    (f"test:5000/repo:tag@{D}", f"test:5000/repo:tag@{D}"),
    (f"[2001:db8::1]:5000/repo@{D}", f"[2001:db8::1]:5000/repo@{D}"),
    ("xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + "f" * 128, "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + "f" * 128),
])
def test_normalized_string(text, full):
    assert str(parse_reference(text)) == full


@pytest.mark.parametrize("text,familiar", [
    (f"busybox:latest@{D2}", f"busybox:latest@{D2}"), ("docker.io/library/redis:7", "redis:7"),
    ("docker.io/dmcgowan/myapp", "dmcgowan/myapp:latest"), ("localhost/x:1", "localhost/x:1"),
    (f"me/app@{D}", f"me/app@{D}"),
])
def test_familiar(text, familiar):
    assert parse_reference(text).familiar() == familiar


def test_reference_parts():
    ref = parse_reference(f"localhost:5000/a/b:v1@{D}")
    assert ref == Reference("localhost:5000", "a/b", "v1", D)
    assert ref.with_tag("v2") == Reference("localhost:5000", "a/b", "v2", None)
    assert ref.with_digest(D2) == Reference("localhost:5000", "a/b", None, D2)
    assert ref.api_host == "localhost:5000"
    assert parse_reference("busybox").api_host == "registry-1.docker.io"


# ---------------------------------------------------------------- OciDir

@pytest.fixture
def oci(scratch):
    return OciDir(os.path.join(scratch, "oci")).init()


def _tmp_files(oci: OciDir) -> list[str]:
    tmp = os.path.join(oci.path, "blobs", "tmp")
    return os.listdir(tmp) if os.path.isdir(tmp) else []


def test_init_is_idempotent_and_readable(oci):
    oci.init()
    with open(os.path.join(oci.path, "oci-layout")) as f:
        assert json.load(f) == {"imageLayoutVersion": "1.0.0"}
    assert oci.descriptors() == [] and oci.refs() == {} and oci.blobs() == []


def test_write_and_read_blobs(oci):
    d = oci.write_blob(b'{"a": 1}')
    assert d == sha(b'{"a": 1}') and oci.has_blob(d) and oci.blobs() == [d]
    assert oci.read_json_blob(d) == {"a": 1}
    with oci.open_blob(d) as f:
        assert f.read() == b'{"a": 1}'
    assert oci.write_blob(b'{"a": 1}', d) == d          # idempotent
    assert oci.blobs() == [d] and _tmp_files(oci) == []
    with pytest.raises(ImageError, match=f"no blob {D}"):
        oci.open_blob(D)
    with pytest.raises(ImageError, match="invalid blob digest '../x'"):
        oci.has_blob("../x")


@pytest.mark.parametrize("digest,size,why", [
    (D, None, f"blob {D}: content hashes to {sha(b'data')}"),
    (None, 3, "got 4 bytes, expected 3"),
    (sha(b"data"), 5, "got 4 bytes, expected 5"),
])
def test_blob_writer_refuses_wrong_content_and_leaves_nothing(oci, digest, size, why):
    with pytest.raises(DigestMismatchError, match=why), oci.blob_writer(digest, size) as w:
        w.write(b"da")
        w.write(memoryview(b"ta"))
    assert oci.blobs() == [] and _tmp_files(oci) == []


def test_blob_writer_interrupted_leaves_nothing(oci):
    with pytest.raises(KeyboardInterrupt), oci.blob_writer(sha(b"data")) as w:
        w.write(b"da")
        raise KeyboardInterrupt
    assert oci.blobs() == [] and _tmp_files(oci) == []


def test_read_json_blob_detects_corruption(oci):
    d = oci.write_blob(b'{"a": 1}')
    os.chmod(oci.blob_path(d), 0o644)
    with open(oci.blob_path(d), "wb") as f:
        f.write(b'{"a": 2}')
    with pytest.raises(DigestMismatchError, match=f"config {d} in .*: content does not match its digest"):
        oci.read_json_blob(d, "config")


def test_refs(oci):
    m1, m2 = oci.write_blob(b"{}"), oci.write_blob(b"[]")
    desc1 = Descriptor("application/vnd.oci.image.manifest.v1+json", m1, 2, {"x": "y"})
    desc2 = Descriptor("application/vnd.oci.image.index.v1+json", m2, 2, {}, {"os": "linux"})
    with pytest.raises(ImageError, match=f"cannot name {D} 'a:1': the blob is not stored"):
        oci.set_ref("a:1", Descriptor("application/vnd.oci.image.manifest.v1+json", D, 2))
    oci.set_ref("a:1", desc1)
    oci.set_ref("b:1", desc1)
    oci.set_ref("a:1", desc2)                          # replaces
    refs = oci.refs()
    assert sorted(refs) == ["a:1", "b:1"]
    assert refs["a:1"] == desc2 and refs["a:1"].platform == {"os": "linux"}
    assert refs["b:1"].annotations == {"x": "y", REF_NAME: "b:1"}
    assert oci.remove_ref("a:1") == desc2 and oci.remove_ref("a:1") is None
    assert list(oci.refs()) == ["b:1"] and [d.digest for d in oci.descriptors()] == [m1]


def test_remove_blobs_keeps_what_it_is_told(oci):
    keep, drop = oci.write_blob(b"keep"), oci.write_blob(b"drop")
    assert oci.remove_blobs([keep]) == [drop]
    assert oci.blobs() == [keep]


def test_layout_kubekit_writes_reads_back(oci, scratch):
    """A layout written through OciDir is read by read_oci_layout (and names
    survive a copy made by another writer's helper)."""
    src = os.path.join(scratch, "src")
    manifest = write_oci_layout(src, [make_tar([entry("f", data=b"x")])], tag="t")
    for d in [manifest["config"], *manifest["layers"]]:
        with open(os.path.join(src, "blobs", "sha256", d["digest"][7:]), "rb") as f:
            oci.write_blob(f.read(), d["digest"])
    mdata = json.dumps(manifest).encode()
    oci.set_ref("docker.io/library/x:t", Descriptor(manifest["mediaType"], oci.write_blob(mdata), len(mdata)))
    img = read_oci_layout(oci.path, "docker.io/library/x:t")
    assert img.config_digest == manifest["config"]["digest"] and len(img.layers) == 1


def _name_many(path: str, worker: int, n: int) -> None:
    oci = OciDir(path)
    for i in range(n):
        d = oci.write_blob(f"{worker}-{i}".encode())
        oci.set_ref(f"w{worker}:{i}", Descriptor("application/vnd.oci.image.manifest.v1+json", d, len(f"{worker}-{i}")))


def test_concurrent_writers_lose_no_reference(oci):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_name_many, args=(oci.path, w, 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0] * 4
    assert sorted(oci.refs()) == sorted(f"w{w}:{i}" for w in range(4) for i in range(25))
    assert len(oci.blobs()) == 100 and _tmp_files(oci) == []
