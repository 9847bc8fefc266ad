"""``dryRun=All`` on every write verb: the answer is what a real write would
answer (codes, defaulting, validation, conflicts), and nothing is written:
no new store revision, no watch event, no managedFields change."""

from __future__ import annotations

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import running_server

CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
DRY = {"dryRun": "All"}


def cm(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for o in c.get(CMS)["items"]:
        try:
            c.delete(f"{CMS}/{o['metadata']['name']}")
        except APIError:
            pass


class NoWrite:
    """Asserts the block changed neither the KV's revision nor any watched object."""

    def __init__(self, server, client):
        self.server, self.client = server, client

    def __enter__(self):
        self.rev = self.server.kv.revision
        self.list_rv = self.client.get(CMS)["metadata"]["resourceVersion"]
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert self.server.kv.revision == self.rev
            conn, resp = self.client._send("GET", CMS, query={"watch": "1", "resourceVersion": self.list_rv,
                                                              "timeoutSeconds": "1"}, stream=True)
            try:
                assert resp.read().strip() == b""          # no watch event
            finally:
                conn.close()


def send(c, method, path, body=None, ctype="application/json", **query):
    return c._send(method, path, body=body, content_type=ctype, query=query)


def test_dry_run_create(server, client):
    with NoWrite(server, client):
        out = send(client, "POST", CMS, cm("a", x="1"), **DRY)
    assert out["metadata"]["name"] == "a" and out["data"] == {"x": "1"}
    assert out["metadata"].get("uid") and "resourceVersion" not in out["metadata"]
    with pytest.raises(APIError) as ei:
        client.get(f"{CMS}/a")
    assert ei.value.code == 404
    client.create(CMS, cm("a"))
    with NoWrite(server, client), pytest.raises(APIError) as ei:    # the conflict checks still run
        send(client, "POST", CMS, cm("a"), **DRY)
    assert ei.value.code == 409


def test_dry_run_create_validates(server, client):
    with NoWrite(server, client), pytest.raises(APIError) as ei:
        send(client, "POST", CMS, cm("Not_A_Name"), **DRY)
    assert ei.value.code == 422


def test_dry_run_update_and_patches(server, client):
    live = client.create(CMS, cm("b", x="1"))
    rv = live["metadata"]["resourceVersion"]
    with NoWrite(server, client):
        put = send(client, "PUT", f"{CMS}/b", dict(live, data={"x": "2"}), **DRY)
        merge = send(client, "PATCH", f"{CMS}/b", {"data": {"y": "3"}}, "application/merge-patch+json", **DRY)
        smp = send(client, "PATCH", f"{CMS}/b", {"data": {"y": "4"}}, "application/strategic-merge-patch+json",
                   **DRY)
        jp = send(client, "PATCH", f"{CMS}/b", [{"op": "add", "path": "/data/z", "value": "5"}],
                  "application/json-patch+json", **DRY)
        ap = send(client, "PATCH", f"{CMS}/b", cm("b", w="6"), "application/apply-patch+yaml",
                  fieldManager="tester", **DRY)
        with pytest.raises(APIError) as ei:        # a stale resourceVersion is still a 409
            send(client, "PUT", f"{CMS}/b", dict(live, metadata=dict(live["metadata"], resourceVersion="1")), **DRY)
        assert ei.value.code == 409
    assert put["data"] == {"x": "2"} and merge["data"] == {"x": "1", "y": "3"}
    assert smp["data"] == {"x": "1", "y": "4"} and jp["data"] == {"x": "1", "z": "5"}
    assert ap["data"]["w"] == "6" and "tester" in [m["manager"] for m in ap["metadata"]["managedFields"]]
    for out in (put, merge, smp, jp, ap):
        assert out["metadata"]["resourceVersion"] == rv
    assert client.get(f"{CMS}/b") == live            # data and managedFields untouched


def test_dry_run_apply_creates_nothing(server, client):
    with NoWrite(server, client):
        out = send(client, "PATCH", f"{CMS}/c", cm("c", x="1"), "application/apply-patch+yaml",
                   fieldManager="tester", **DRY)
    assert out["data"] == {"x": "1"} and "resourceVersion" not in out["metadata"]
    with pytest.raises(APIError) as ei:
        client.get(f"{CMS}/c")
    assert ei.value.code == 404


def test_dry_run_delete(server, client):
    live = client.create(CMS, cm("d", x="1"))
    with NoWrite(server, client):
        out = send(client, "DELETE", f"{CMS}/d", **DRY)
        body = send(client, "DELETE", f"{CMS}/d", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                   "dryRun": ["All"], "propagationPolicy": "Background"})
    assert out["metadata"]["name"] == "d" and body["metadata"]["name"] == "d"
    assert client.get(f"{CMS}/d") == live
    with NoWrite(server, client), pytest.raises(APIError) as ei:
        send(client, "DELETE", f"{CMS}/nope", **DRY)
    assert ei.value.code == 404


def test_dry_run_delete_with_finalizer(server, client):
    o = cm("e")
    o["metadata"]["finalizers"] = ["example.com/hold"]
    live = client.create(CMS, o)
    with NoWrite(server, client):
        out = send(client, "DELETE", f"{CMS}/e", **DRY)
    assert out["metadata"].get("deletionTimestamp")        # as it would be marked
    assert client.get(f"{CMS}/e") == live
    client.patch(f"{CMS}/e", {"metadata": {"finalizers": None}})


@pytest.mark.parametrize("method,options,body", [("POST", "CreateOptions", cm("f")),
                                                 ("PUT", "UpdateOptions", cm("f")),
                                                 ("PATCH", "PatchOptions", {}),
                                                 ("DELETE", "DeleteOptions", None)])
def test_dry_run_unsupported_value(server, client, method, options, body):
    path = CMS if method == "POST" else f"{CMS}/f"
    with NoWrite(server, client), pytest.raises(APIError) as ei:
        send(client, method, path, body, "application/merge-patch+json" if method == "PATCH" else "application/json",
             dryRun="x")
    assert ei.value.code == 422
    msg = 'dryRun: Unsupported value: []string{"x"}: supported values: "All"'
    assert ei.value.status["message"] == f'{options}.meta.k8s.io "" is invalid: {msg}'
    assert ei.value.status["details"]["causes"][0]["field"] == "dryRun"
