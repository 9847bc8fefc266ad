"""A minimal root filesystem from the host's static busybox.

``make_busybox_rootfs(dest)`` builds the kind of rootfs runc's and crun's
tests use: ``/bin/busybox`` plus one symlink per applet, and the empty
directories a container expects.  It needs Debian's ``busybox-static``.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from kubekit.errors import RuntimeSpecError

BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
ROOTFS_DIRS = ("bin", "dev", "etc", "proc", "sys", "tmp", "root", "usr/bin", "var", "run")


def find_static_busybox() -> str:
    for path in BUSYBOX_CANDIDATES:
        if os.path.isfile(path):
            out = subprocess.run(["file", "-L", path], capture_output=True, text=True).stdout if shutil.which("file") else ""
            if "dynamically linked" not in out:
                return path
    raise RuntimeSpecError("no static busybox found (install Debian's busybox-static)")


def make_busybox_rootfs(dest: str, busybox: str | None = None) -> str:
    """Populate ``dest`` (created if needed) and return it."""
    busybox = busybox or find_static_busybox()
    for d in ROOTFS_DIRS:
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    os.chmod(os.path.join(dest, "tmp"), 0o1777)
    target = os.path.join(dest, "bin", "busybox")
    if not os.path.exists(target):
        shutil.copy2(busybox, target)
    applets = subprocess.run([target, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        link = os.path.join(dest, "bin", applet)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    with open(os.path.join(dest, "etc", "passwd"), "w", encoding="ascii") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(dest, "etc", "group"), "w", encoding="ascii") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    return dest
