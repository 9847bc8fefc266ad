"""Manifests to the scheduler's objects, as the scheduling loop (and every
simulation of it, such as the cluster autoscaler's) parses them.

:class:`PodParser` caches the parse per pod template: replicas differ only in
name, uid and node, so the parse is keyed on everything else (labels,
annotations, namespace, spec without ``nodeName``) and a copy with those
three fields set is returned — the same object ``Pod.from_manifest`` builds.
"""

from __future__ import annotations

import copy

__all__ = ["PodParser", "parse_node"]

CACHE_SIZE = 4096


def parse_node(obj: dict):
    """``Node.from_manifest``."""
    from kubekit.api import Node

    return Node.from_manifest(obj)


class PodParser:
    """``parser(manifest) -> Pod``, cached per template (see the module docstring)."""

    __slots__ = ("_parsed",)

    def __init__(self) -> None:
        self._parsed: dict[bytes, object] = {}

    def __call__(self, obj: dict):
        from kubekit.api import Pod
        from kubekit.store import jsoncodec

        m, spec = obj["metadata"], obj.get("spec") or {}
        node = spec.get("nodeName") or ""
        key = jsoncodec.dumps((m.get("labels"), m.get("annotations"), m.get("namespace"),
                               {k: v for k, v in spec.items() if k != "nodeName"} if node else spec))
        proto = self._parsed.get(key)
        if proto is None:
            pod = Pod.from_manifest(obj)
            if len(self._parsed) < CACHE_SIZE:
                self._parsed[key] = pod
            return pod
        pod = copy.copy(proto)
        name = m.get("name") or m.get("generateName") or ""
        for attr, value in (("name", name), ("uid", m.get("uid") or ""), ("node_name", node)):
            object.__setattr__(pod, attr, value)
        return pod
