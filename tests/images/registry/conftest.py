"""Fixtures for the registry client tests: real ``docker-registry``
instances (open, Basic auth, token auth) for the whole session, each on its
own loopback port and storage, stopped and removed at the end; a unique
repository name per test."""

from __future__ import annotations

import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from registry_server import (  # noqa: E402
    REGISTRY_BIN,
    run_basic_registry,
    run_registry,
    run_token_registry,
)

USERS = {"alice": "wonderland", "bob": "builder"}
GRANTS = {"alice": {"pull", "push"}, "bob": {"pull"}}     # token auth: bob may only pull

_names = itertools.count()


def _need_registry() -> None:
    if not os.access(REGISTRY_BIN, os.X_OK):
        pytest.skip(f"{REGISTRY_BIN} not installed (apt-get install docker-registry)")


@pytest.fixture(scope="session")
def registry():
    _need_registry()
    with run_registry() as reg:
        yield reg


@pytest.fixture(scope="session")
def tls_registry():
    _need_registry()
    with run_registry(tls=True) as reg:
        yield reg


@pytest.fixture(scope="session")
def basic_registry():
    _need_registry()
    with run_basic_registry(USERS) as reg:
        yield reg


@pytest.fixture(scope="session")
def token_registry():
    _need_registry()
    with run_token_registry(USERS, GRANTS) as pair:
        yield pair


@pytest.fixture
def repo(request) -> str:
    """A repository name no other test uses."""
    base = "".join(c if c.isalnum() else "-" for c in request.node.name.lower()).strip("-")[:40].strip("-")
    return f"kubekit/{base}-{next(_names)}"
