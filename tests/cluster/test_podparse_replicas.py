"""PodParser's per-template cache: a replica's parse is exactly
``Pod.from_manifest`` of its manifest."""

from __future__ import annotations

import copy

from kubekit.api import Pod
from kubekit.cluster.podparse import PodParser

TEMPLATE = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-aaaaa", "namespace": "shop", "uid": "u-1", "labels": {"app": "web"}},
            "spec": {"priority": 7, "nodeSelector": {"disk": "ssd"},
                     "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                     "initContainers": [{"name": "init", "image": "i", "resources": {"requests": {"cpu": "1"}}}],
                     "containers": [{"name": "app", "image": "a",
                                     "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}]}}


def replica(name: str, uid: str, node: str | None) -> dict:
    m = copy.deepcopy(TEMPLATE)
    m["metadata"].update(name=name, uid=uid)
    if node:
        m["spec"]["nodeName"] = node
    return m


def test_cached_replicas_equal_a_fresh_parse():
    parse = PodParser()
    for name, uid, node in [("web-aaaaa", "u-1", None), ("web-bbbbb", "u-2", None), ("web-ccccc", "u-3", "n7"),
                            ("web-ddddd", "u-4", "n8")]:
        manifest = replica(name, uid, node)
        got = parse(manifest)
        want = Pod.from_manifest(manifest)
        assert got == want
        assert (got.name, got.uid, got.node_name) == (name, uid, node or "")
        assert got.requests == want.requests and got.nonzero_requests == want.nonzero_requests


def test_a_replica_does_not_change_the_cached_parse():
    parse = PodParser()
    first = parse(replica("web-aaaaa", "u-1", None))
    parse(replica("web-bbbbb", "u-2", None))
    assert (first.name, first.uid) == ("web-aaaaa", "u-1")
