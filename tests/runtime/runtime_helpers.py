"""Helpers shared by the runtime tests."""

from __future__ import annotations

import os


def cgroup_mounts() -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return [line.split()[4] for line in f if line.split(" - ")[1].split()[0] in ("cgroup", "cgroup2")]


def cgroup_dirs(root: str) -> list[str]:
    found = []
    for mp in cgroup_mounts():
        top = mp + root
        for dirpath, _dirs, _files in os.walk(top):
            found.append(dirpath)
    return found


def run_capture(rt, spec_kw: dict, rootfs: str | None = None):
    """Run a container to completion; return (ExitStatus, stdout+stderr)."""
    from kubekit.runtime import ContainerSpec

    r, w = os.pipe()
    kw = dict(spec_kw)
    if "host_rootfs" not in kw:
        kw.setdefault("rootfs", rootfs)
    try:
        status = rt.run(ContainerSpec(stdout=w, stderr=w, **kw))
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        return status, f.read().decode()
