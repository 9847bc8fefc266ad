"""The pods/binding subresource: nodeName and PodScheduled in one write."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.errors import ConflictError, NotFoundError
from kubekit.store import APIStore


def _pod(store, name="p"):
    return store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                         "spec": {"containers": [{"name": "c", "image": "x"}]}})


def test_bind_sets_node_and_condition_in_one_revision():
    store = APIStore(clock=FakeClock())
    p = _pod(store)
    before = store.kv.revision
    out = store.bind("default", "p", "n1", uid=p["metadata"]["uid"])
    assert store.kv.revision == before + 1
    got = store.get("Pod", "default", "p")
    assert got["spec"]["nodeName"] == "n1" == out["spec"]["nodeName"]
    (c,) = got["status"]["conditions"]
    assert (c["type"], c["status"]) == ("PodScheduled", "True")


def test_bind_refuses_a_bound_pod_a_missing_one_and_a_different_uid():
    store = APIStore(clock=FakeClock())
    p = _pod(store)
    store.bind("default", "p", "n1")
    with pytest.raises(ConflictError, match='pod p is already assigned to node "n1"'):
        store.bind("default", "p", "n2")
    with pytest.raises(NotFoundError):
        store.bind("default", "absent", "n1")
    _pod(store, "q")
    with pytest.raises(NotFoundError):
        store.bind("default", "q", "n1", uid=p["metadata"]["uid"])
