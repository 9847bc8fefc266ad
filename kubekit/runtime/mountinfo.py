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


def _unescape(s: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo.
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and len(s[i + 1:i + 4]) == 3 and s[i + 1:i + 4].isdigit():
            out.append(chr(int(s[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[MountEntry]:
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, _, right = line.partition(" - ")
        f = left.split()
        r = right.split()
        entries.append(MountEntry(int(f[0]), int(f[1]), _unescape(f[3]), _unescape(f[4]), r[0],
                                  _unescape(r[1]) if len(r) > 1 else "", r[2] if len(r) > 2 else ""))
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
