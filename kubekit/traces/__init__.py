"""Loaders for public cluster traces, in kubekit's units.

::

    from kubekit.traces import load, load_sample

    trace = load_sample("openb")                       # the small sample shipped with kubekit
    trace = load("openb", "/data/cluster-trace-gpu-v2023/csv", variant="gpushare100")
    trace.nodes.cpu_milli, trace.pods.memory_bytes     # read-only int64 columns
    trace.pods[0]                                      # one PodRecord

Trace families (one module each): ``openb`` (Alibaba GPU v2023, Kubernetes
units), ``alibaba2017`` (machines + batch tasks), ``alibaba2018``
(machine_meta), ``google2011`` (host sample), ``azure_v1`` (VM arrivals with
lifetimes).  Normalized traces are converted against a stated reference
machine recorded in ``Trace.scales``.  A malformed file raises
:class:`TraceError` with the path and line number.  See ``docs/traces.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from kubekit.traces.alibaba2017 import load_alibaba2017
from kubekit.traces.alibaba2018 import load_alibaba2018
from kubekit.traces.azure import load_azure_v1
from kubekit.traces.google2011 import attribute_label, load_google2011
from kubekit.traces.model import (
    MISSING, NodeRecord, NodeTable, PodRecord, PodTable, Scale, Trace, TraceError, present, uniform_nodes,
)
from kubekit.traces.openb import load_openb

__all__ = [
    "MISSING", "NodeRecord", "NodeTable", "PodRecord", "PodTable", "Scale", "Trace", "TraceError", "LOADERS",
    "SAMPLES", "attribute_label", "load", "load_alibaba2017", "load_alibaba2018", "load_azure_v1",
    "load_google2011", "load_openb", "load_sample", "present", "sample_path", "uniform_nodes",
]

#: Trace family name -> loader(path, **options).
LOADERS: dict[str, Callable[..., Trace]] = {
    "openb": load_openb,
    "alibaba2017": load_alibaba2017,
    "alibaba2018": load_alibaba2018,
    "google2011": load_google2011,
    "azure_v1": load_azure_v1,
}

#: Names of the samples shipped in ``kubekit/data/traces/`` (one per family).
SAMPLES: tuple[str, ...] = tuple(LOADERS)


def load(name: str, path: str | os.PathLike[str], **options: Any) -> Trace:
    """Load trace family ``name`` from ``path`` (a directory or a file; see
    each loader for its options)."""
    loader = LOADERS.get(name)
    if loader is None:
        raise TraceError(None, None, f"unknown trace {name!r}: expected one of {', '.join(LOADERS)}")
    return loader(path, **options)


def sample_path(name: str) -> Path:
    """The directory of the bundled sample ``name``."""
    if name not in LOADERS:
        raise TraceError(None, None, f"no bundled sample {name!r}: expected one of {', '.join(SAMPLES)}")
    root = resources.files("kubekit.data").joinpath("traces", name)
    if not isinstance(root, Path):  # pragma: no cover - zipped installs are not supported
        raise TraceError(str(root), None, "bundled samples need kubekit installed as files, not zipped")
    return root


def load_sample(name: str, **options: Any) -> Trace:
    """Load the small attributed sample of trace family ``name`` shipped with
    kubekit (``kubekit/data/traces/<name>/``, see its README for how the rows
    were chosen); ``options`` go to the loader, e.g.
    ``load_sample("openb", variant="gpuspec33")``."""
    return load(name, sample_path(name), **options)
