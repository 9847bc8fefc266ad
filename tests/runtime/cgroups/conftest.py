"""Fixtures for the cgroup layer's real-kernel tests: root only; each test
gets its own prefix, scrubbed (processes killed, directories removed in every
hierarchy) at teardown whether the test passed or not."""

from __future__ import annotations

import os
import secrets

import pytest
from cgroup_helpers import CGROUP_ROOT, Procs, cgroup_mounts, scrub


@pytest.fixture(scope="session")
def as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("cgroup tests need root")
    if not os.path.isdir(CGROUP_ROOT) or not cgroup_mounts():
        pytest.skip("no cgroup file system mounted")


@pytest.fixture(scope="session")
def host_mode(as_root) -> str:
    from kubekit.runtime.cgroups import detect_mode

    return detect_mode()


@pytest.fixture
def prefix(as_root):
    p = f"/kubekit-test-{secrets.token_hex(6)}"
    try:
        yield p
    finally:
        scrub(p)


@pytest.fixture
def procs():
    ps = Procs()
    try:
        yield ps
    finally:
        ps.close()
