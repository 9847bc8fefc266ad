"""The HTTP API of a real ``kubekit serve`` (in a thread, on a temp unix socket
and data dir): CRUD, selectors, subresources, watch streams and the Status
bodies of errors."""

from __future__ import annotations

import os
import threading

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import running_server

PODS = "/api/v1/namespaces/default/pods"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


def pod(name, labels=None, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}], **spec}}


def deployment(name, replicas=2, image="nginx:1.25"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


@pytest.fixture(scope="module")
def server():
    # a control plane without nodes; pods the tests watch are bound to a node that does not
    # exist (``nodeName="nowhere"``), so the scheduler leaves them alone and the stream holds
    # exactly what the test wrote
    with running_server() as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for kind_path in (PODS, DEPLOYMENTS):
        for o in c.get(kind_path)["items"]:
            try:
                c.delete(f"{kind_path}/{o['metadata']['name']}", grace_period=0)
            except APIError:
                pass


def error_of(fn, *a, **kw) -> APIError:
    with pytest.raises(APIError) as ei:
        fn(*a, **kw)
    return ei.value


def test_healthz(server):
    assert Client(server.address).healthy()


def test_create_get_list_update_delete_a_pod(client):
    created = client.create(PODS, pod("p1", {"app": "a"}, nodeName="nowhere"))     # bound: the scheduler keeps off
    m = created["metadata"]
    assert m["namespace"] == "default" and m["uid"] and m["resourceVersion"]
    assert created["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"   # defaulted by validation
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}   # the pod strategy
    got = client.get(f"{PODS}/p1")
    assert got["spec"] == created["spec"] and got["metadata"]["uid"] == m["uid"]
    lst = client.get(PODS)
    assert lst["kind"] == "PodList" and [p["metadata"]["name"] for p in lst["items"]] == ["p1"]
    assert int(lst["metadata"]["resourceVersion"]) >= int(m["resourceVersion"])
    got["metadata"]["labels"]["tier"] = "fe"
    updated = client.update(f"{PODS}/p1", got)
    assert updated["metadata"]["labels"] == {"app": "a", "tier": "fe"}
    assert int(updated["metadata"]["resourceVersion"]) > int(m["resourceVersion"])
    client.delete(f"{PODS}/p1")
    e = error_of(client.get, f"{PODS}/p1")
    assert e.code == 404 and e.status["reason"] == "NotFound"


def test_errors_are_kubernetes_status_bodies(client):
    e = error_of(client.get, f"{PODS}/missing")
    assert e.status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": 'pods "missing" not found', "reason": "NotFound",
                        "details": {"name": "missing", "kind": "pods"}, "code": 404}
    client.create(PODS, pod("dup", nodeName="nowhere"))
    e = error_of(client.create, PODS, pod("dup"))
    assert (e.code, e.reason, str(e)) == (409, "AlreadyExists", 'pods "dup" already exists')
    stale = client.get(f"{PODS}/dup")
    fresh = dict(stale, metadata=dict(stale["metadata"], labels={"v": "2"}))
    client.update(f"{PODS}/dup", fresh)
    e = error_of(client.update, f"{PODS}/dup", dict(stale, metadata=dict(stale["metadata"], labels={"v": "3"})))
    assert (e.code, e.reason) == (409, "Conflict")
    assert "the object has been modified" in str(e)
    e = error_of(client.create, DEPLOYMENTS, dict(deployment("bad"), spec=dict(deployment("bad")["spec"], replicas=-1)))
    assert (e.code, e.reason) == (422, "Invalid")
    assert e.status["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.replicas",
                                              "message": "Invalid value: -1: must be greater than or equal to 0"}]
    e = error_of(client.get, "/api/v1/namespaces/default/widgets")
    assert (e.code, e.reason) == (404, "NotFound")
    e = error_of(client.get, PODS, labelSelector="app in (")
    assert (e.code, e.reason) == (400, "BadRequest")
    e = error_of(client.get, PODS, fieldSelector="spec.unknownField=x")
    assert e.code == 400 and "field label not supported" in str(e)
    e = error_of(client.update, f"{PODS}/dup", pod("other"))
    assert e.code == 400 and "does not match the name on the URL" in str(e)
    e = error_of(client._send, "PATCH", f"{PODS}/dup", body=[{"op": "add", "path": "/metadata/labels/a", "value": "1"}],
                 content_type="application/json-patch+json-seq")
    assert e.code == 415 and str(e) == ("the body of the request was in an unknown format - accepted media types "
                                        "include: application/json-patch+json, application/merge-patch+json, "
                                        "application/strategic-merge-patch+json, application/apply-patch+yaml")


def test_bad_json_is_a_400(server):
    import http.client
    import json
    import socket
    conn = http.client.HTTPConnection("localhost")
    conn.sock = socket.socket(socket.AF_UNIX)
    conn.sock.connect(server.address)
    conn.request("POST", PODS, body=b"{not json", headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    body = json.loads(resp.read())
    conn.close()
    assert resp.status == 400 and body["reason"] == "BadRequest" and "not valid JSON" in body["message"]


def test_label_and_field_selectors(client):
    client.create(PODS, pod("a1", {"app": "a"}))
    client.create(PODS, pod("b1", {"app": "b"}, nodeName="n9"))
    client.create(PODS, pod("a2", {"app": "a", "tier": "fe"}))
    names = lambda **q: [p["metadata"]["name"] for p in client.get(PODS, **q)["items"]]  # noqa: E731
    assert names(labelSelector="app=a") == ["a1", "a2"]
    assert names(labelSelector="app=a,tier!=fe") == ["a1"]
    assert names(fieldSelector="spec.nodeName=n9") == ["b1"]
    assert names(fieldSelector="metadata.name=a2") == ["a2"]
    assert [p["metadata"]["name"] for p in client.get("/api/v1/pods", labelSelector="app")["items"]] == ["a1", "a2", "b1"]
    page = client.get(PODS, limit=2)
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    rest = client.get(PODS, limit=2, **{"continue": page["metadata"]["continue"]})
    assert [p["metadata"]["name"] for p in rest["items"]] == ["b1"] and "continue" not in rest["metadata"]


def test_merge_patch_and_status_subresource(client):
    client.create(PODS, pod("pp", {"app": "a"}, nodeName="nowhere"))
    out = client.patch(f"{PODS}/pp", {"metadata": {"labels": {"app": None, "x": "y"}}})
    assert out["metadata"]["labels"] == {"x": "y"}
    # a patch carrying a resourceVersion is conditional
    e = error_of(client.patch, f"{PODS}/pp", {"metadata": {"resourceVersion": "1", "labels": {"z": "1"}}})
    assert e.reason == "Conflict"
    # the main resource ignores status; the status subresource changes only status
    out = client.patch(f"{PODS}/pp", {"status": {"phase": "Running"}})
    assert out["status"]["phase"] == "Pending"
    out = client.patch(f"{PODS}/pp/status", {"status": {"phase": "Running"}, "metadata": {"labels": {"q": "1"}}})
    assert out["status"]["phase"] == "Running" and out["metadata"]["labels"] == {"x": "y"}


def test_scale_subresource(client):
    client.create(DEPLOYMENTS, deployment("sc", replicas=2))
    sc = client.get(f"{DEPLOYMENTS}/sc/scale")
    assert sc["kind"] == "Scale" and sc["spec"]["replicas"] == 2 and sc["status"]["selector"] == "app=sc"
    for _ in range(50):             # the Deployment controller writes too: read-modify-write until it sticks
        sc = client.get(f"{DEPLOYMENTS}/sc/scale")
        sc["spec"]["replicas"] = 4
        try:
            out = client.update(f"{DEPLOYMENTS}/sc/scale", sc)
            break
        except APIError as e:
            assert e.reason == "Conflict"
    assert out["spec"]["replicas"] == 4
    assert client.get(f"{DEPLOYMENTS}/sc")["spec"]["replicas"] == 4
    e = error_of(client.update, f"{DEPLOYMENTS}/sc/scale", sc)          # the old resourceVersion: a conflict
    assert e.reason == "Conflict"
    out = client.patch(f"{DEPLOYMENTS}/sc/scale", {"spec": {"replicas": 1}})
    assert out["spec"]["replicas"] == 1
    e = error_of(client.patch, f"{DEPLOYMENTS}/sc/scale", {"spec": {"replicas": -3}})
    assert (e.code, e.reason) == (422, "Invalid")
    e = error_of(client.get, f"{DEPLOYMENTS}/nope/scale")
    assert e.code == 404 and str(e) == 'deployments.apps "nope" not found'


def test_watch_from_a_list_resource_version_misses_nothing(client):
    client.create(PODS, pod("w0", nodeName="nowhere"))
    rv = client.get(PODS)["metadata"]["resourceVersion"]
    # writes after the list, before the watch opens: the watch must still deliver them
    client.create(PODS, pod("w1", nodeName="nowhere"))
    client.patch(f"{PODS}/w1", {"metadata": {"labels": {"v": "1"}}})
    client.delete(f"{PODS}/w0", grace_period=0)
    events = []
    for ev in client.watch(PODS, resource_version=rv, timeout_seconds=30):
        events.append((ev["type"], ev["object"]["metadata"]["name"]))
        if len(events) == 3:
            break
    assert events == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w0")]


def test_watch_streams_changes_as_they_happen(client):
    rv = client.get(PODS)["metadata"]["resourceVersion"]
    seen, opened = [], threading.Event()

    def consume():
        it = client.watch(PODS, resource_version=rv, timeout_seconds=30, labelSelector="app=s")
        opened.set()
        for ev in it:
            seen.append((ev["type"], ev["object"]["metadata"]["name"], ev["object"]["metadata"]["resourceVersion"]))
            if len(seen) == 2:
                return
    t = threading.Thread(target=consume)
    t.start()
    a = client.create(PODS, pod("s1", {"app": "s"}, nodeName="nowhere"))
    client.create(PODS, pod("other", {"app": "t"}, nodeName="nowhere"))     # filtered out by the selector
    b = client.create(PODS, pod("s2", {"app": "s"}, nodeName="nowhere"))
    t.join(60)
    assert not t.is_alive()
    assert seen == [("ADDED", "s1", a["metadata"]["resourceVersion"]), ("ADDED", "s2", b["metadata"]["resourceVersion"])]


def test_a_quiet_watch_outlives_the_request_timeout(server):
    quiet = Client(server.address, timeout=0.2)     # requests give up after 0.2 s; a watch must not
    events = list(quiet.watch("/api/v1/namespaces/quiet/pods", timeout_seconds=1))
    assert events == []                             # the server ended the stream, no socket timeout


def test_watch_without_resource_version_starts_with_the_current_objects(client):
    client.create(PODS, pod("e1"))
    it = client.watch(f"{PODS}/e1", timeout_seconds=30)     # a single object: fieldSelector metadata.name
    first = next(it)
    it.close()
    assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "e1")


def test_watch_from_a_compacted_revision_is_410_gone(server, client):
    """Like the API server, a watch older than the history is refused with
    410 Expired: before the stream (the 410 answer) or as its first event
    (an ERROR event holding the Status), depending on where the history ends."""
    leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
    for name in ("l1", "l2"):
        client.create(leases, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
                               "spec": {"holderIdentity": "me", "leaseDurationSeconds": 10}})
    server.kv.compact(server.kv.revision)
    try:
        first = next(client.watch(leases, resource_version="1", timeout_seconds=5))
        st = first["object"]
        assert first["type"] == "ERROR"
    except APIError as e:
        st = e.status
    assert (st["code"], st["reason"]) == (410, "Expired")
    assert st["message"].startswith("too old resource version: 2 (")


def test_deleting_a_deployment_collects_its_replica_sets(client):
    client.create(DEPLOYMENTS, deployment("gc", replicas=1))
    rs_path = "/apis/apps/v1/namespaces/default/replicasets"
    it = client.watch(rs_path, timeout_seconds=60)
    for ev in it:
        if ev["type"] == "ADDED" and ev["object"]["metadata"]["name"].startswith("gc-"):
            break
    it.close()
    rv = client.get(rs_path)["metadata"]["resourceVersion"]
    client.delete(f"{DEPLOYMENTS}/gc")
    deleted = None
    for ev in client.watch(rs_path, resource_version=rv, timeout_seconds=60):
        if ev["type"] == "DELETED" and ev["object"]["metadata"]["name"].startswith("gc-"):
            deleted = ev["object"]["metadata"]["name"]
            break
    assert deleted is not None
    assert not [rs for rs in client.get(rs_path)["items"] if rs["metadata"]["name"].startswith("gc-")]


def test_graceful_pod_deletion_waits_for_the_node():
    with running_server(graceful_pod_deletion=True, sim_nodes=1) as srv:
        client = Client(srv.address)
        client.create(PODS, pod("stuck", nodeName="nowhere"))       # no agent on that node
        marked = client.delete(f"{PODS}/stuck")
        assert marked["metadata"]["deletionTimestamp"] and marked["metadata"]["deletionGracePeriodSeconds"] == 30
        assert client.get(f"{PODS}/stuck")["metadata"]["deletionTimestamp"]
        client.delete(f"{PODS}/stuck", grace_period=0)               # what the node agent would do
        assert error_of(client.get, f"{PODS}/stuck").code == 404
        # a simulated node confirms a deletion at once
        rv = client.get(PODS)["metadata"]["resourceVersion"]
        client.create(PODS, pod("sim", nodeName="sim-node-0"))
        client.delete(f"{PODS}/sim")
        for ev in client.watch(PODS, resource_version=rv, timeout_seconds=60, fieldSelector="metadata.name=sim"):
            if ev["type"] == "DELETED":
                break
        assert error_of(client.get, f"{PODS}/sim").code == 404


def test_objects_survive_a_restart_on_the_same_data_dir():
    import shutil
    import tempfile
    data = tempfile.mkdtemp(prefix="kk-data-")
    try:
        with running_server(data_dir=data) as srv:
            Client(srv.address).create(PODS, pod("keep", {"app": "k"}))
            with pytest.raises(OSError, match="in use by another kubekit serve"):
                with running_server(data_dir=data):
                    pass
        with running_server(data_dir=data) as srv:
            got = Client(srv.address).get(f"{PODS}/keep")
            assert got["metadata"]["labels"] == {"app": "k"}
    finally:
        shutil.rmtree(data)


def test_stop_ends_open_watches_and_removes_the_socket():
    before = set(threading.enumerate())
    with running_server() as srv:
        client = Client(srv.address)
        it = client.watch(PODS, timeout_seconds=3600)
        seen, done = threading.Event(), threading.Event()

        def consume():
            for _ in it:
                seen.set()
            done.set()
        t = threading.Thread(target=consume)
        t.start()
        client.create(PODS, pod("x"))
        # The watch is open once it has delivered x (a watch without a
        # resourceVersion starts with the current objects, so x arrives
        # whichever of the two requests the server takes first).  Stopping
        # before the server has accepted the watch would test a different
        # thing: a request refused during shutdown.
        assert seen.wait(30)
        srv.stop()
        t.join(30)
        assert done.is_set()
        assert not os.path.exists(srv.config.socket_path)
        left = [th.name for th in set(threading.enumerate()) - before if th.name.startswith("kubekit")]
        assert left == []


def test_the_system_namespaces_exist_and_are_active(client):
    """kube-apiserver's system-namespaces controller: default, kube-system,
    kube-public and kube-node-lease exist from the start (kubectl get ns)."""
    items = client.get("/api/v1/namespaces")["items"]
    phases = {ns["metadata"]["name"]: ns["status"]["phase"] for ns in items}
    assert {n: phases.get(n) for n in ("default", "kube-system", "kube-public", "kube-node-lease")} == \
        dict.fromkeys(("default", "kube-system", "kube-public", "kube-node-lease"), "Active")
