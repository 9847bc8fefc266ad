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


def _stale_compiled_modules() -> list[str]:
    """Control-plane modules whose compiled extension (setup.py's
    COMPILED_PY, imported before the .py) is older than the .py beside it,
    or than its Cython declarations (the .pxd beside it): the tests would
    run yesterday's code."""
    import glob
    import sysconfig

    import kubekit

    root = os.path.dirname(kubekit.__file__)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    stale = []
    for ext in glob.glob(os.path.join(root, "**", "*" + suffix), recursive=True):
        source = ext[: -len(suffix)] + ".py"
        if not os.path.exists(source):
            continue
        declarations = ext[: -len(suffix)] + ".pxd"
        changed = max(os.path.getmtime(p) for p in (source, declarations) if os.path.exists(p))
        if changed > os.path.getmtime(ext):
            stale.append(os.path.relpath(source, root))
    return sorted(stale)


def pytest_configure(config):
    stale = _stale_compiled_modules()
    if stale:
        raise pytest.UsageError(
            "these modules changed after they were compiled; rebuild (python3 -m pip install --no-build-isolation "
            "-e .) or build without them (KUBEKIT_PURE_PYTHON=1): " + ", ".join(stale))

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
