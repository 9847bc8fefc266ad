"""Fixtures shared by every test directory."""

from __future__ import annotations

import os

# Every reuse of an object a watch delivered is checked against the stored
# bytes (kubekit.store.objects): a consumer changing a shared object fails
# the test that does it.  Set before kubekit is imported.
os.environ.setdefault("KUBEKIT_CHECK_SHARED", "1")
import shutil
import tempfile

import pytest

from kubekit.runtime.busybox import make_busybox_rootfs


@pytest.fixture(scope="session")
def rootfs() -> str:
    # Not under pytest's 0700 basetemp: a user-namespaced container's root
    # (an unprivileged host uid) must be able to traverse to its lower layer.
    top = tempfile.mkdtemp(prefix="kubekit-rootfs-")
    os.chmod(top, 0o755)
    try:
        yield make_busybox_rootfs(os.path.join(top, "rootfs"))
    finally:
        shutil.rmtree(top)
