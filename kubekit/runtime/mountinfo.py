"""Parsing /proc/self/mountinfo (pure) and the host mounts a host-rootfs
container sees read-only."""

from __future__ import annotations

from dataclasses import dataclass

# Host trees a container never inherits: it gets its own /proc, /dev and /sys.
PRIVATE_TREES = ("/proc", "/sys", "/dev")


@dataclass(frozen=True, slots=True)
class MountEntry:
    mount_id: int
    parent_id: int
    root: str
    mount_point: str
    fstype: str
    source: str
    super_options: str


def unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\ooo``."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        code = field[i + 1:i + 4]
        if field[i] == "\\" and len(code) == 3 and all(c in "01234567" for c in code):
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[MountEntry]:
    """The mounts of a mountinfo text, in order.  A line is ``ID PARENT
    MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS``;
    malformed lines are skipped."""
    entries = []
    for line in text.splitlines():
        f = line.split()
        try:
            sep = f.index("-", 6)
            ids = int(f[0]), int(f[1])
        except ValueError:
            continue
        if len(f) < sep + 4:
            continue
        entries.append(MountEntry(ids[0], ids[1], unescape(f[3]), unescape(f[4]), f[sep + 1],
                                  unescape(f[sep + 2]), f[sep + 3]))
    return entries


def host_submounts(entries: list[MountEntry], exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Mount points below ``/`` to bind read-only into a host-rootfs
    container, parents before children, skipping /proc, /sys, /dev and the
    runtime's own trees (``exclude``)."""
    skip = PRIVATE_TREES + exclude
    points = []
    for e in entries:
        mp = e.mount_point
        if mp == "/" or any(mp == t or mp.startswith(t.rstrip("/") + "/") for t in skip):
            continue
        if any(c in mp for c in ",:\\") or mp in points:
            continue
        points.append(mp)
    return tuple(sorted(points, key=lambda p: (p.count("/"), p)))


def read_host_submounts(exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return host_submounts(parse_mountinfo(f.read()), exclude)
