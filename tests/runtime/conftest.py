"""Fixtures for the runtime's real-kernel tests (root, namespaces, cgroups).

Every container a test makes lives under a unique cgroup root and temporary
state/data directories; teardown deletes what is left and then fails the
test if any cgroup directory, process or mount survived."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile

import pytest
from runtime_helpers import cgroup_dirs



@pytest.fixture
def world_tmp():
    """A temporary directory every uid can traverse (user-namespace tests)."""
    top = tempfile.mkdtemp(prefix="kubekit-test-")
    os.chmod(top, 0o711)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def runtime(world_tmp):
    from kubekit.runtime import Runtime

    root = f"/kubekit-test-{secrets.token_hex(4)}"
    rt = Runtime(state_dir=os.path.join(world_tmp, "state"), data_dir=os.path.join(world_tmp, "data"),
                 cgroup_root=root)
    try:
        yield rt
    finally:
        for c in list(rt.live.values()):
            c.delete()
        rt.sweep(include_exited=True)
        # Only the test's cgroup root itself may remain (the parent of all pods).
        leaked = [d for d in cgroup_dirs(root) if not d.endswith(root)]
        for d in sorted(cgroup_dirs(root), key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            assert world_tmp not in f.read(), "a container mount leaked into the host namespace"
        assert not leaked, f"cgroups left behind: {leaked}"
