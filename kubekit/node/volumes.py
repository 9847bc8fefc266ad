"""Setting up a pod's configMap, secret, downwardAPI and projected volumes on
the host (the kubelet's volume plugins' ``SetUpAt``), and removing them.

Each lives in ``<pod dir>/volumes/kubernetes.io~<plugin>/<volume name>``
(``configmap``, ``secret``, ``downward-api``, ``projected``, the kubelet's
plugin names) and is written by :class:`~kubekit.node.atomicwriter.AtomicWriter`.
Secret and projected volumes are a **tmpfs** mounted on that directory (the
kubelet wraps them in a memory-backed emptyDir), so secrets never reach a
disk; :func:`unmount_under` removes every mount below a pod's directory when
the pod goes (deepest first, lazily: a container that still holds one keeps
its own reference).  The containers get the directory bind-mounted read-only.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Mapping

from kubekit.node.atomicwriter import AtomicWriter

__all__ = ["PLUGIN_DIRS", "is_mount_point", "set_up_volume", "unmount_under", "volume_dir"]

log = logging.getLogger(__name__)

PLUGIN_DIRS = {"configMap": "kubernetes.io~configmap", "secret": "kubernetes.io~secret",
               "downwardAPI": "kubernetes.io~downward-api", "projected": "kubernetes.io~projected"}
_TMPFS = ("secret", "projected")
MNT_DETACH = 2
MS_NOSUID, MS_NODEV = 2, 4


def volume_dir(volume_root: str, kind: str, name: str) -> str:
    return os.path.join(volume_root, PLUGIN_DIRS[kind], name)


def _mounts():
    from kubekit.runtime.mountinfo import parse_mountinfo

    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        return parse_mountinfo(f.read())


def is_mount_point(path: str) -> bool:
    path = os.path.realpath(path)
    return any(m.mount_point == path for m in _mounts())


def set_up_volume(volume_root: str, kind: str, name: str, payload: Mapping[str, tuple[bytes, int]],
                  now: float) -> bool:
    """Make the volume's directory hold ``payload`` (mounting its tmpfs
    first for secret and projected volumes); True when files changed."""
    from kubekit._fast import _sys

    d = volume_dir(volume_root, kind, name)
    if not os.path.isdir(d):
        os.makedirs(d, 0o755)
    if kind in _TMPFS and not is_mount_point(d):
        _sys.mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    return AtomicWriter(d, f"volume {name}").write(payload, now)


def unmount_under(root: str) -> int:
    """Unmount (``MNT_DETACH``) every mount at or below ``root``, deepest
    first; the number unmounted."""
    from kubekit._fast import _sys

    root = os.path.realpath(root)
    found = sorted({m.mount_point for m in _mounts()
                    if m.mount_point == root or m.mount_point.startswith(root + "/")},
                   key=lambda p: p.count("/"), reverse=True)
    n = 0
    for point in found:
        try:
            _sys.umount2(point, MNT_DETACH)
            n += 1
        except OSError as e:
            if e.errno not in (errno.EINVAL, errno.ENOENT):
                raise
    return n
