"""LowerView resolves paths through stacked layers exactly as overlayfs
does: checked against a real read-only overlay mount of the same layers."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from kubekit.errors import RuntimeSpecError
from kubekit.runtime.lowerview import MOUNT_DATA_MAX, LowerView, overlay_mount_data
from kubekit.runtime.plan import secure_join

OPAQUE = "trusted.overlay.opaque"


def _mk(root, rel, kind="file", target=""):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if kind == "file":
        with open(p, "w") as f:
            f.write(rel)
    elif kind == "dir":
        os.makedirs(p, exist_ok=True)
    elif kind == "sym":
        os.symlink(target, p)
    elif kind == "wh":
        os.mknod(p, stat.S_IFCHR | 0o000, os.makedev(0, 0))


@pytest.fixture
def layers(tmp_path):
    base, mid, top = (str(tmp_path / n) for n in ("base", "mid", "top"))
    for rel in ("a/x", "a/y", "c/keep", "d/inside", "e/deep/f", "etc/passwd"):
        _mk(base, rel)
    _mk(base, "b", "sym", "a")
    _mk(base, "abs", "sym", "/e/deep")
    _mk(mid, "a/x", "wh")                 # hides base's a/x
    _mk(mid, "c/new")
    os.setxattr(os.path.join(mid, "c"), OPAQUE, b"y")   # hides base's c/keep
    _mk(mid, "d")                         # a file over base's directory d/
    _mk(mid, "e", "dir")                  # merges with base's e/
    _mk(top, "a/z")
    _mk(top, "a/x")                       # comes back above the whiteout
    _mk(top, "e/deep", "wh")              # hides e/deep of every layer below
    _mk(top, "etc/passwd")                # the top one wins
    return [base, mid, top]


def _all_paths(layers):
    out = set()
    for root in layers:
        for dirpath, dirs, files in os.walk(root):
            for n in dirs + files:
                out.add("/" + os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out | {"/nope", "/a/nope", "/d/inside/x"})


def _kind(path):
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return "dir" if stat.S_ISDIR(st.st_mode) else "sym" if stat.S_ISLNK(st.st_mode) else "file"


def test_lower_view_agrees_with_a_real_overlay(layers, tmp_path):
    paths = _all_paths(layers)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    probe = ("import json, os, stat, sys\n"
             "def k(p):\n"
             "    try: st = os.lstat(p)\n"
             "    except OSError: return None\n"
             "    return 'dir' if stat.S_ISDIR(st.st_mode) else 'sym' if stat.S_ISLNK(st.st_mode) else 'file'\n"
             f"print(json.dumps({{p: k({str(mnt)!r} + p) for p in {paths!r}}}))\n")
    lowerdir = ":".join(reversed(layers))
    # A private mount namespace: the overlay disappears with the process.
    out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                          f'mount -t overlay overlay -o lowerdir={lowerdir} {mnt} && exec "$0" -c "$1"',
                          sys.executable, probe], capture_output=True, text=True, check=True).stdout
    kernel = json.loads(out)
    view = LowerView(layers)
    ours = {p: (_kind(view.find(p)) if view.find(p) else None) for p in paths}
    assert ours == kernel
    # The cases the fixture was built for, spelled out.
    assert kernel["/a/x"] == "file" and kernel["/c/keep"] is None and kernel["/c/new"] == "file"
    assert kernel["/d"] == "file" and kernel["/d/inside"] is None and kernel["/e/deep"] is None
    assert view.find("/etc/passwd") == os.path.join(layers[2], "etc/passwd")


def test_secure_join_follows_symlinks_of_lower_layers(layers):
    view = LowerView(layers)
    assert secure_join(view, "/b/z") == "/a/z"             # base's symlink b -> a, top's a/z
    assert secure_join(view, "/abs/f") == "/e/deep/f"      # absolute link resolved inside the root
    assert view.isdir("/a") and not view.exists("/e/deep/f") and view.islink("/b")


def test_overlay_mount_data_switches_to_relative_names_when_long():
    short = overlay_mount_data(["/l/base", "/l/top"], "/c/u", "/c/w")
    assert short == (None, "lowerdir=/l/top:/l/base,upperdir=/c/u,workdir=/c/w")
    many = [f"/var/lib/kubekit/images/layers/sha256/{i:064x}" for i in range(50)]
    chdir, data = overlay_mount_data(many, "/c/u", "/c/w", userxattr=True)
    assert chdir == "/var/lib/kubekit/images/layers/sha256"
    assert data.startswith(f"lowerdir={49:064x}:{48:064x}:") and data.endswith(",workdir=/c/w,userxattr")
    assert len(data) <= MOUNT_DATA_MAX
    with pytest.raises(RuntimeSpecError, match="more than the 4095"):
        overlay_mount_data(many * 3, "/c/u", "/c/w")
    with pytest.raises(RuntimeSpecError, match="cannot carry"):
        overlay_mount_data(["/a:b"], "/c/u", "/c/w")
