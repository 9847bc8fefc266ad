"""The API store on a real etcd: resourceVersions are etcd revisions,
optimistic concurrency, list-then-watch without a gap, deletes, and a whole
simulated control plane."""

from __future__ import annotations

import time

import pytest

from etcd_server import etcd_server
from kubekit.clock import RealClock
from kubekit.errors import ConflictError
from kubekit.store import APIStore
from kubekit.store.etcd import EtcdKV


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


@pytest.fixture
def on_etcd():
    with etcd_server() as url:
        kv = EtcdKV(url)
        store = APIStore(kv, clock=RealClock())
        try:
            yield store, kv
        finally:
            store.close()
            kv.close()


def test_objects_versions_and_watches_are_etcds(on_etcd):
    store, kv = on_etcd
    a = store.create(pod("a"))
    assert a["metadata"]["resourceVersion"] == str(kv.revision) == "2"
    assert kv.get("/registry/pods/default/a") is not None         # where the API server keeps it
    items, rv = store.list("Pod", "default")
    w = store.watch("Pod", "default", resource_version=rv)
    store.update({**a, "metadata": {**a["metadata"], "labels": {"x": "1"}}})
    with pytest.raises(ConflictError):
        store.update({**a, "metadata": {**a["metadata"], "labels": {"x": "2"}}})    # a stale resourceVersion
    store.create(pod("b"))
    store.delete("Pod", "default", "a")
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 3 and time.monotonic() < deadline:
        got += [(e.type, e.object["metadata"]["name"]) for e in w.next_batch(1)]
    w.close()
    assert got == [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]
    assert [p["metadata"]["name"] for p in store.list("Pod", "default")[0]] == ["b"]


def test_a_simulated_control_plane_runs_on_etcd(on_etcd):
    from kubekit.cluster.local import ControlPlane
    from kubekit.node.simulated import NodeTemplate

    store, kv = on_etcd
    cp = ControlPlane(store.clock, store)
    cp.fleet.add_nodes(["n0", "n1"], NodeTemplate(cpu="4"))
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                               {"name": "c", "image": "x", "resources": {"requests": {"cpu": "100m"}}}]}}}})
    deadline = time.monotonic() + 30
    while cp.count_pods("default", "Running") < 3:
        assert time.monotonic() < deadline, "the pods did not run"
        cp.step()
        time.sleep(0.01)
    pods, _ = store.list("Pod", "default")
    assert len(pods) == 3 and {p["spec"]["nodeName"] for p in pods} <= {"n0", "n1"}
    assert len(kv.range("/registry/pods/default/", prefix=True).kvs) == 3


def test_a_lost_connection_is_reported_and_a_write_is_never_sent_twice():
    """A kept connection the server closed is noticed before anything is
    sent on it, so the write is known not to have happened; a connection
    that breaks *after* a write was sent makes it ambiguous, and it is not
    sent again (a read is)."""
    import socket
    import threading

    from kubekit.store.etcd import EtcdError

    with etcd_server() as url:
        kv = EtcdKV(url)
        kv.put("/a", b"1")                         # the thread's connection is now open
    try:
        with pytest.raises(EtcdError, match="no etcd endpoint could be reached"):
            kv.put("/a", b"2")                     # never sent: the server had closed the connection
    finally:
        kv.close()

    # a server that reads each request and hangs up without answering
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    requests = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                requests.append(conn.recv(65536).split(b" ", 2)[1])

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    kv = EtcdKV(f"http://127.0.0.1:{srv.getsockname()[1]}")
    try:
        with pytest.raises(EtcdError, match="the write may or may not have been applied"):
            kv.put("/a", b"2")
        assert requests == [b"/v3/kv/txn"]            # sent once (a put is a one-op transaction)
        with pytest.raises(EtcdError, match="tried 2 times"):
            kv.get("/a")
        assert requests[1:] == [b"/v3/kv/range", b"/v3/kv/range"]     # a read is sent again, once per member + 1
    finally:
        kv.close()
        srv.close()
        t.join(5)
