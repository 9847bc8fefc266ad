"""Unpacking one layer: entry types and metadata, whiteouts both ways, and
hostile archives (refused, nothing written outside)."""

from __future__ import annotations

import copy
import io
import os
import stat
import subprocess

import pytest
from images_helpers import needs_root
from images_helpers import MTIME, entry, make_tar, snapshot

from kubekit.images import HostileArchiveError, ImageError, unpack_layer
from kubekit.images.unpack import OPAQUE_XATTR, classify_whiteout, clean_name


@pytest.mark.parametrize("name,parts", [
    ("a", ("a",)), ("./a/b/", ("a", "b")), ("a//b", ("a", "b")), (".", ()), ("./", ()), ("a/./b", ("a", "b")),
    ("..a/b..", ("..a", "b..")),
])
def test_clean_name(name, parts):
    assert clean_name(name) == parts


@pytest.mark.parametrize("name,why", [("/etc/passwd", "absolute"), ("../x", "'..'"), ("a/../../x", "'..'"),
                                      ("a/..", "'..'"), ("a\0b", "NUL")])
def test_clean_name_refuses(name, why):
    with pytest.raises(HostileArchiveError, match=why):
        clean_name(name)


@pytest.mark.parametrize("base,want", [
    (".wh..wh..opq", ("opaque", None)), (".wh.foo", ("whiteout", "foo")), (".wh..wh.plnk", ("meta", None)),
    ("foo", ("plain", None)), ("x.wh.foo", ("plain", None)), (".wh..hidden", ("whiteout", ".hidden")),
])
def test_classify_whiteout(base, want):
    assert classify_whiteout(base) == want


@pytest.mark.parametrize("base", [".wh.", ".wh..", ".wh..."])
def test_classify_whiteout_refuses_empty(base):
    with pytest.raises(HostileArchiveError):
        classify_whiteout(base)


def _unpack(tar: bytes, dest: str, **kw) -> int:
    os.makedirs(dest, exist_ok=True)
    return unpack_layer(io.BytesIO(tar), dest, **kw)


@needs_root
def test_entry_types_and_metadata(scratch):
    dest = os.path.join(scratch, "l")
    tar = make_tar([
        entry("./", "dir", mode=0o755),
        entry("bin/", "dir", mode=0o711, uid=7, gid=8),
        entry("bin/tool", data=b"#!/bin/sh\n", mode=0o4755, uid=1000, gid=1001),
        entry("bin/tool2", "hard", link="bin/tool"),
        entry("bin/sh", "sym", link="/bin/busybox", uid=5, gid=6),
        entry("etc/conf", data=b"x=1", mode=0o600, xattrs={"user.k": b"v\xff"}),
        entry("dev/null", "chr", mode=0o666, dev=(1, 3)),
        entry("dev/sda", "blk", mode=0o660, dev=(8, 0)),
        entry("run/fifo", "fifo", mode=0o620),
        entry("ro/", "dir", mode=0o555),
        entry("ro/f", data=b"in a read-only dir"),
    ])
    assert _unpack(tar, dest) == 11
    snap = snapshot(dest, mtimes=True)
    assert snap["bin"][:4] == (stat.S_IFDIR, 0o711, 7, 8)
    assert snap["bin/tool"][:4] == (stat.S_IFREG, 0o4755, 1000, 1001)       # setuid survives chown
    assert snap["bin/tool2"][5] == snap["bin/tool"][5] == "bin/tool"         # one inode
    assert os.lstat(os.path.join(dest, "bin/tool")).st_nlink == 2
    assert snap["bin/sh"][:5] == (stat.S_IFLNK, 0o777, 5, 6, "/bin/busybox")
    assert snap["etc/conf"][6] == (("user.k", b"v\xff"),)
    assert snap["etc"][:4] == (stat.S_IFDIR, 0o755, 0, 0)                    # implicit parent
    assert snap["dev/null"][:5] == (stat.S_IFCHR, 0o666, 0, 0, (1, 3))
    assert snap["dev/sda"][:5] == (stat.S_IFBLK, 0o660, 0, 0, (8, 0))
    assert snap["run/fifo"][:2] == (stat.S_IFIFO, 0o620)
    assert snap["ro"][1] == 0o555
    assert snap["bin/tool"][-1] == MTIME and os.lstat(os.path.join(dest, "bin")).st_mtime == MTIME
    assert os.lstat(os.path.join(dest, "bin/sh")).st_mtime == MTIME


@needs_root
def test_later_entry_replaces_earlier(scratch):
    dest = os.path.join(scratch, "l")
    _unpack(make_tar([entry("a", data=b"1"), entry("a/", "dir"), entry("a/b", data=b"2"),
                      entry("a", "sym", link="x"), entry("c", data=b"old"), entry("c", data=b"new")]), dest)
    assert os.readlink(os.path.join(dest, "a")) == "x"
    with open(os.path.join(dest, "c"), "rb") as f:
        assert f.read() == b"new"


HOSTILE = [
    ("dotdot", [entry("../escaped", data=b"x")], "'..'"),
    ("dotdot-deep", [entry("a/b/../../../escaped", data=b"x")], "'..'"),
    ("absolute", [entry("/tmp/escaped", data=b"x")], "absolute"),
    ("symlink-parent-out", [entry("l", "sym", link="{outside}"), entry("l/escaped", data=b"x")], "symlink"),
    ("symlink-parent-dotdot", [entry("l", "sym", link=".."), entry("l/escaped", data=b"x")], "symlink"),
    ("symlink-parent-dir-entry", [entry("l", "sym", link="{outside}"), entry("l/sub/", "dir")], "symlink"),
    ("symlink-parent-whiteout", [entry("l", "sym", link="{outside}"), entry("l/.wh.victim")], "symlink"),
    ("symlink-parent-opaque", [entry("l", "sym", link="{outside}"), entry("l/.wh..wh..opq")], "symlink"),
    ("hardlink-out", [entry("h", "hard", link="../victim")], "'..'"),
    ("hardlink-absolute", [entry("h", "hard", link="/etc/passwd")], "absolute"),
    ("hardlink-not-in-layer", [entry("h", "hard", link="etc/passwd")], "not a file written earlier"),
    ("hardlink-to-dir", [entry("d/", "dir"), entry("h", "hard", link="d")], "not a file written earlier"),
    ("hardlink-through-symlink", [entry("l", "sym", link="{outside}"), entry("h", "hard", link="l/victim")],
     "not a file written earlier"),
    ("empty-whiteout", [entry(".wh.")], "names no file"),
    ("root-not-dir", [entry("./", "file")], "root must be a directory"),
]


@needs_root
@pytest.mark.parametrize("mode", ["overlay", "apply"])
@pytest.mark.parametrize("case,entries,why", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_layer_refused(scratch, case, entries, why, mode):
    outside = os.path.join(scratch, "outside")
    os.makedirs(outside)
    with open(os.path.join(outside, "victim"), "w") as f:
        f.write("keep me")
    dest = os.path.join(scratch, "dest", "layer")
    fixed = []
    for ti, data in entries:
        ti = copy.copy(ti)
        ti.linkname = ti.linkname.replace("{outside}", outside)
        fixed.append((ti, data))
    before = snapshot(scratch)
    with pytest.raises(HostileArchiveError, match=why) as ei:
        _unpack(make_tar(fixed), dest, whiteouts=mode)
    assert fixed[-1][0].name.rstrip("/") in str(ei.value)                  # the message names the entry
    after = snapshot(scratch)
    assert {k: v for k, v in after.items() if not k.startswith("dest")} == \
           {k: v for k, v in before.items() if not k.startswith("dest")}
    assert not os.path.exists(os.path.join(scratch, "escaped")) and not os.path.exists("/tmp/escaped")


def test_devices_need_root(scratch, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(HostileArchiveError, match="device nodes can only be made as root"):
        _unpack(make_tar([entry("dev/x", "chr", dev=(1, 3))]), os.path.join(scratch, "l"), same_owner=False)


def test_not_a_tar(scratch):
    with pytest.raises(ImageError, match="layer tar"):
        _unpack(b"this is not a tar archive" * 40, os.path.join(scratch, "l"))


LOWER = [entry("keep", data=b"k"), entry("gone", data=b"g"), entry("gonedir/", "dir"), entry("gonedir/f", data=b"f"),
         entry("opq/", "dir"), entry("opq/lower", data=b"l"), entry("opq/sub/", "dir"), entry("opq/sub/deep", data=b"d")]
UPPER = [entry(".wh.gone"), entry(".wh.gonedir"), entry("opq/", "dir", mode=0o750), entry("opq/.wh..wh..opq"),
         entry("opq/sub/new", data=b"n"), entry("new", data=b"n"), entry(".wh.new"), entry(".wh..wh.plnk")]
MERGED = {"keep", "opq", "opq/sub", "opq/sub/new", "new"}


@needs_root
def test_apply_whiteouts(scratch):
    dest = os.path.join(scratch, "flat")
    _unpack(make_tar(LOWER), dest, whiteouts="apply")
    _unpack(make_tar(UPPER), dest, whiteouts="apply")
    assert set(snapshot(dest)) == MERGED
    assert stat.S_IMODE(os.lstat(os.path.join(dest, "opq")).st_mode) == 0o750


@needs_root
def test_overlay_whiteouts_and_kernel_merge(scratch):
    """The layer directories, stacked by the real overlayfs, show what applying gives."""
    lower, upper, merged = (os.path.join(scratch, n) for n in ("lower", "upper", "merged"))
    _unpack(make_tar(LOWER), lower)
    _unpack(make_tar(UPPER), upper)
    snap = snapshot(upper)
    assert snap["gone"][:5] == (stat.S_IFCHR, 0, 0, 0, (0, 0))
    assert snap["gonedir"][:5] == (stat.S_IFCHR, 0, 0, 0, (0, 0))
    assert "new" in snap and snap["new"][0] == stat.S_IFREG                  # same-layer file survives
    assert os.getxattr(os.path.join(upper, "opq"), OPAQUE_XATTR) == b"y"
    os.makedirs(merged)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={upper}:{lower}", merged], check=True)
    try:
        assert set(snapshot(merged, xattrs=False)) == MERGED
    finally:
        subprocess.run(["umount", merged], check=True)


@needs_root
def test_tar_cannot_forge_overlay_xattrs(scratch):
    dest = os.path.join(scratch, "l")
    _unpack(make_tar([entry("d/", "dir", xattrs={"trusted.overlay.opaque": b"y", "user.ok": b"1"})]), dest)
    assert os.listxattr(os.path.join(dest, "d")) == ["user.ok"]
