"""Real Kubernetes manifests shipped with kubekit (see manifests/README.md
for sources, commits and licenses): the scheduler_perf templates used by the
benchmarks, and Alibaba's 1,213-node OpenB cluster used by ``kubekit demo``."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def manifest_text(path: str) -> str:
    return resources.files(__name__).joinpath("manifests", path).read_text(encoding="utf-8")


def load_manifests(path: str) -> list[dict[str, Any]]:
    """Every document of a shipped manifest file (``folder/file.yaml``)."""
    return [d for d in yaml.safe_load_all(manifest_text(path)) if d]


def load_manifest(path: str) -> dict[str, Any]:
    docs = load_manifests(path)
    if len(docs) != 1:
        raise ValueError(f"{path} holds {len(docs)} documents, expected 1")
    return docs[0]
