"""``create namespace`` / ``create configmap`` / ``create secret generic``:
their manifests, as kubectl builds them (``kubectl/pkg/cmd/create/
create_namespace.go``, ``create_configmap.go``, ``create_secret.go``).  Pure
except :func:`file_sources`, which reads files.

* ``--from-literal=KEY=VALUE`` (split at the first ``=``);
* ``--from-file=PATH`` (the key is the file's base name; a directory adds
  each regular file in it) or ``--from-file=KEY=PATH``;
* a key must be a valid config key; the same key twice is an error;
* a ConfigMap keeps UTF-8 content in ``data`` and anything else in
  ``binaryData``; a Secret's values are base64 in ``data``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from kubekit.kubectl.context import CommandError

__all__ = ["config_map_manifest", "file_sources", "literal", "namespace_manifest", "secret_manifest"]


def literal(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CommandError(f"invalid literal source {text}, expected key=value")
    return key, value


def file_sources(specs: Sequence[str]) -> list[tuple[str, bytes]]:
    """``(key, content)`` for each ``--from-file`` (reads the files)."""
    out: list[tuple[str, bytes]] = []
    for spec in specs:
        key, sep, path = spec.partition("=")
        if not sep:
            key, path = "", spec
        elif not key:
            raise CommandError(f"key names or file paths cannot be empty: {spec!r}")
        if os.path.isdir(path):
            if key:
                raise CommandError(f"cannot give a key name for a directory path: {spec!r}")
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if os.path.isfile(full):
                    with open(full, "rb") as f:
                        out.append((name, f.read()))
            continue
        try:
            with open(path, "rb") as f:
                out.append((key or os.path.basename(path), f.read()))
        except OSError as e:
            raise CommandError(f"error reading {path}: {e.strerror}") from None
    return out


def _check_key(key: str, kind: str) -> None:
    from kubekit.validation.names import config_map_key_errors

    errs = config_map_key_errors(key)
    if errs:
        raise CommandError(f'"{key}" is not a valid key name for a {kind}: {"; ".join(errs)}')


def _meta(name: str, namespace: str) -> dict:
    return {"name": name, "namespace": namespace}


def namespace_manifest(name: str) -> dict:
    """``NamespaceOptions.createNamespace``: a v1 Namespace with only its
    name (the typed object's empty ``spec`` and ``status`` as kubectl prints
    them); the server adds the ``kubernetes`` finalizer and the phase."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "spec": {}, "status": {}}


def config_map_manifest(name: str, namespace: str, literals: Sequence[str], files: Sequence[tuple[str, bytes]]) -> dict:
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    items = [(k, v.encode()) for k, v in map(literal, literals)] + list(files)
    for key, raw in items:
        _check_key(key, "ConfigMap")
        if key in data or key in binary:
            raise CommandError(f'cannot add key "{key}", another key by that name already exists in Data for '
                               f'ConfigMap "{name}"')
        try:
            data[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(raw).decode()
    out = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name, namespace), "data": data}
    if binary:
        out["binaryData"] = binary
    return out


def secret_manifest(name: str, namespace: str, literals: Sequence[str], files: Sequence[tuple[str, bytes]],
                    kind: str = "") -> dict:
    data: dict[str, str] = {}
    items = [(k, v.encode()) for k, v in map(literal, literals)] + list(files)
    for key, raw in items:
        _check_key(key, "Secret")
        if key in data:
            raise CommandError(f'cannot add key {key}, another key by that name already exists in data for '
                               f'Secret "{name}"')
        data[key] = base64.b64encode(raw).decode()
    out = {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(name, namespace), "data": data}
    if kind:
        out["type"] = kind
    return out
