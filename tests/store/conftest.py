"""Fixtures of the store tests: a data directory removed even on failure,
and stores that are closed even on failure."""

from __future__ import annotations

import random
import shutil
import tempfile

import pytest

from kubekit.clock import FakeClock
from kubekit.store import APIStore, MemoryKV


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="kubekit-store-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1_700_000_000.0)


@pytest.fixture
def memory_kv(clock):
    s = MemoryKV(clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def kv(memory_kv):
    return memory_kv


@pytest.fixture
def api(clock):
    kv = MemoryKV(clock)
    try:
        yield APIStore(kv, clock=clock, rng=random.Random(7))
    finally:
        kv.close()
