"""Reading manifests for ``apply -f`` / ``delete -f``: a file, a directory
(its ``.yaml``, ``.yml`` and ``.json`` files in name order; ``recursive``
descends) or ``-`` for stdin; YAML multi-document and JSON; ``kind: List``
is flattened."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["ManifestReadError", "load_manifests", "manifest_files"]

_EXTENSIONS = (".yaml", ".yml", ".json")


class ManifestReadError(ValueError):
    pass


def manifest_files(path: str, *, recursive: bool = False) -> list[str]:
    if path == "-":
        return ["-"]
    if os.path.isdir(path):
        out = []
        for entry in sorted(os.listdir(path)):
            full = os.path.join(path, entry)
            if os.path.isdir(full):
                if recursive:
                    out += manifest_files(full, recursive=True)
            elif entry.endswith(_EXTENSIONS):
                out.append(full)
        return out
    if not os.path.exists(path):
        raise ManifestReadError(f'the path "{path}" does not exist')
    return [path]


def _documents(text: str, source: str) -> list[Any]:
    import yaml
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ManifestReadError(f"error parsing {source}: {e}") from None


def _flatten(doc: Any, source: str) -> list[dict]:
    if not isinstance(doc, dict):
        raise ManifestReadError(f"error parsing {source}: a manifest must be a mapping, got {type(doc).__name__}")
    if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and "items" in doc):
        out: list[dict] = []
        for item in doc.get("items") or []:
            out += _flatten(item, source)
        return out
    for field in ("apiVersion", "kind"):
        if not doc.get(field):
            raise ManifestReadError(f"error validating {source}: {field} not set in a document")
    return [doc]


def load_manifests(paths: list[str], *, recursive: bool = False) -> list[tuple[str, dict]]:
    """``(source file, manifest)`` for every object in ``paths``."""
    out: list[tuple[str, dict]] = []
    for p in paths:
        files = manifest_files(p, recursive=recursive)
        if not files:
            raise ManifestReadError(f'no manifests (.yaml, .yml, .json) found in "{p}"')
        for f in files:
            if f == "-":
                text, src = sys.stdin.read(), "STDIN"
            else:
                with open(f, encoding="utf-8") as fh:
                    text, src = fh.read(), f
            for doc in _documents(text, src):
                out += [(src, d) for d in _flatten(doc, src)]
    return out
