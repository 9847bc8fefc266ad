"""Fixtures for the image tests: a scratch directory removed even on failure,
and skips for what needs root or a tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from images_helpers import needs_root  # noqa: E402,F401  (re-exported for old imports)


@pytest.fixture
def scratch():
    top = tempfile.mkdtemp(prefix="kubekit-images-")
    os.chmod(top, 0o755)
    try:
        yield top
    finally:
        # unmount anything a failed test left mounted below top, then remove
        with open("/proc/self/mounts") as f:
            mounts = [line.split()[1] for line in f if line.split()[1].startswith(top)]
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", m], check=False)
        shutil.rmtree(top, ignore_errors=True)
    assert not os.path.exists(top)
