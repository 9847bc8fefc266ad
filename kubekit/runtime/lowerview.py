"""The merged, read-only view of an overlay's lower directories, as the
container will see it, read from the host before the overlay exists.

The parent needs it to resolve container paths (volume targets through the
image's symlinks, ``/etc/passwd`` for a ``User`` by name) without mounting
anything.  The rules are overlayfs' own (Documentation/filesystems/overlayfs.rst):

* the topmost layer holding a name wins;
* a character device 0/0 (a *whiteout*) hides the name in every layer below;
* a non-directory hides everything below it;
* a directory with ``trusted.overlay.opaque=y`` hides the directories of the
  same path below it; other directories merge with those below.

A plain rootfs directory or the host's ``/`` is a view of one layer.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

__all__ = ["LowerView"]

OPAQUE_XATTR = "trusted.overlay.opaque"


def _is_opaque(path: str) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


class LowerView:
    """Lower directories given bottom first, as images list their layers."""

    def __init__(self, lowers: Sequence[str]) -> None:
        if not lowers:
            raise ValueError("a lower view needs at least one directory")
        self.lowers = tuple(lowers)
        self._top_first = tuple(reversed(self.lowers))

    def find(self, cpath: str) -> str | None:
        """The host path of container path ``cpath`` (not following a final
        symlink), or None if no layer shows it."""
        parts = [p for p in cpath.split("/") if p not in ("", ".")]
        dirs = list(self._top_first)        # the directories merged at this level
        hit: str | None = dirs[0]
        for i, name in enumerate(parts):
            last = i == len(parts) - 1
            visible = []
            for j, base in enumerate(dirs):
                p = os.path.join(base, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                    break                              # whiteout
                visible.append(p)
                if not stat.S_ISDIR(st.st_mode):
                    break                              # a file hides the layers below
                if j < len(dirs) - 1 and _is_opaque(p):
                    break
                if last:
                    break                              # only the top entry is wanted
            if not visible:
                return None
            hit = visible[0]
            if last:
                break
            dirs = [v for v in visible if os.path.isdir(v) and not os.path.islink(v)]
            if not dirs:
                return None                            # a path through a non-directory
        return hit

    def exists(self, cpath: str) -> bool:
        return self.find(cpath) is not None

    def islink(self, cpath: str) -> bool:
        p = self.find(cpath)
        return p is not None and os.path.islink(p)

    def isdir(self, cpath: str) -> bool:
        """A directory, not through a final symlink."""
        p = self.find(cpath)
        return p is not None and os.path.isdir(p) and not os.path.islink(p)

    def readlink(self, cpath: str) -> str:
        p = self.find(cpath)
        if p is None:
            raise FileNotFoundError(cpath)
        return os.readlink(p)

    def read_text(self, cpath: str, limit: int = 1 << 20) -> str | None:
        """A small regular file's text (``/etc/passwd``), or None if the view
        has no regular file there.  Symlinks are not followed: a file an image
        links elsewhere is read through the caller's own resolution."""
        p = self.find(cpath)
        if p is None or not os.path.isfile(p) or os.path.islink(p):
            return None
        with open(p, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")


# The kernel copies mount(2)'s data into one page; overlayfs' options must fit.
MOUNT_DATA_MAX = 4095


def check_overlay_path(what: str, path: str) -> None:
    """Refuse a path overlayfs' ``lowerdir=``/``upperdir=`` options cannot carry."""
    if any(c in path for c in ",:\\"):
        from kubekit.errors import RuntimeSpecError

        raise RuntimeSpecError(f"{what}: {path!r} contains ',', ':' or '\\', which overlayfs options cannot carry")


def overlay_mount_data(lowers: Sequence[str], upper: str, work: str, userxattr: bool = False) -> tuple[str | None, str]:
    """The ``mount -t overlay`` option string for ``lowers`` (bottom first)
    and, when absolute layer paths would not fit in the page the kernel
    allows, the directory to ``chdir`` into first so that the layers can be
    named relative to it (Docker's overlay2 driver does the same).  Returns
    ``(chdir or None, data)``."""
    from kubekit.errors import RuntimeSpecError

    if not lowers:
        raise RuntimeSpecError("rootfs: an overlay needs at least one lower directory")
    for p in (*lowers, upper, work):
        check_overlay_path("rootfs", p)
    tail = f",upperdir={upper},workdir={work}" + (",userxattr" if userxattr else "")
    data = "lowerdir=" + ":".join(reversed(lowers)) + tail
    if len(data) <= MOUNT_DATA_MAX:
        return None, data
    base = os.path.commonpath(lowers)
    rel = [os.path.relpath(p, base) for p in lowers]
    data = "lowerdir=" + ":".join(reversed(rel)) + tail
    if len(data) > MOUNT_DATA_MAX:
        raise RuntimeSpecError(f"rootfs: {len(lowers)} layers make overlay options of {len(data)} bytes, more than "
                               f"the {MOUNT_DATA_MAX} one mount can carry")
    return base, data
