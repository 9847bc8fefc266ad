"""Namespaces through a real ``kubekit serve`` over HTTP: NamespaceLifecycle's
answers (exact Status bodies), the namespace registry's verbs (delete,
``/status``, ``/finalize``), discovery, turning the plugin off, and a
Terminating namespace surviving a restart until the controller finishes it."""

from __future__ import annotations

import argparse
import shutil
import tempfile

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import running_server, wait_for


@pytest.fixture(scope="module")
def client():
    """A client of one server for the module (namespaces the tests make are deleted by them)."""
    with running_server() as srv:
        yield Client(srv.address)


def error_of(fn, *a, **kw) -> APIError:
    try:
        fn(*a, **kw)
    except APIError as e:
        return e
    raise AssertionError(f"{fn.__name__} succeeded")


def namespaces(c):
    return {n["metadata"]["name"] for n in c.get("/api/v1/namespaces")["items"]}


HELD = {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}, "data": {}}


def release(c, ns):
    """Let the held config map go, so the namespace can finish; wait until it has."""
    c.patch(f"/api/v1/namespaces/{ns}/configmaps/held", {"metadata": {"finalizers": None}})
    wait_for(lambda: ns not in namespaces(c), f"namespace {ns} to go")


def test_a_namespace_that_does_not_exist(client):
    e = error_of(client.create, "/api/v1/namespaces/nope/configmaps", {"metadata": {"name": "c"}, "data": {}})
    assert e.code == 404 and e.status == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'namespaces "nope" not found', "reason": "NotFound",
        "details": {"name": "nope", "kind": "namespaces"}, "code": 404}
    assert client.get("/api/v1/namespaces/nope/configmaps")["items"] == []       # reads are not admitted


def test_a_terminating_namespace(client):
    client.create("/api/v1/namespaces", {"metadata": {"name": "t1"}})
    client.create("/api/v1/namespaces/t1/configmaps", HELD)
    out = client.delete("/api/v1/namespaces/t1")
    assert out["kind"] == "Namespace" and out["status"]["phase"] == "Terminating" and out["metadata"]["deletionTimestamp"]
    e = error_of(client.create, "/apis/apps/v1/namespaces/t1/deployments",
                 {"metadata": {"generateName": "web-"}, "spec": {}})
    assert e.code == 403 and e.status == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "web-" is forbidden: unable to create new content in namespace t1 because it is '
                   "being terminated",
        "reason": "Forbidden",
        "details": {"name": "web-", "group": "apps", "kind": "deployments",
                    "causes": [{"reason": "NamespaceTerminating", "message": "namespace t1 is being terminated",
                                "field": "metadata.namespace"}]},
        "code": 403}
    # updates in a terminating namespace are admitted
    cm = client.patch("/api/v1/namespaces/t1/configmaps/held", {"metadata": {"labels": {"a": "b"}}})
    assert cm["metadata"]["labels"] == {"a": "b"}
    release(client, "t1")


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_the_immortal_namespaces(client, name):
    e = error_of(client.delete, f"/api/v1/namespaces/{name}")
    assert e.code == 403 and e.status["message"] == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    assert client.get(f"/api/v1/namespaces/{name}")["status"] == {"phase": "Active"}


def test_status_and_finalize_subresources(client):
    client.create("/api/v1/namespaces", {"metadata": {"name": "t2"}, "spec": {"finalizers": ["example.com/mine"]}})
    ns = client.get("/api/v1/namespaces/t2")
    assert ns["spec"]["finalizers"] == ["example.com/mine", "kubernetes"]
    e = error_of(client.update, "/api/v1/namespaces/t2/status", dict(ns, status={"phase": "Terminating"}))
    assert e.code == 422 and "status.Phase: Invalid value: \"Terminating\"" in e.status["message"]
    out = client.update("/api/v1/namespaces/t2/finalize", dict(ns, spec={"finalizers": ["kubernetes"]}))
    assert out["spec"] == {"finalizers": ["kubernetes"]}
    client.delete("/api/v1/namespaces/t2")
    wait_for(lambda: "t2" not in namespaces(client), "the controller to finish t2")


def test_discovery_lists_the_finalize_subresource(client):
    resources = {r["name"]: r for r in client.get("/api/v1")["resources"]}
    assert resources["namespaces/finalize"]["verbs"] == ["update"]
    assert resources["namespaces/finalize"]["kind"] == "Namespace"
    assert resources["namespaces"]["shortNames"] == ["ns"] and resources["namespaces"]["namespaced"] is False


def test_without_namespace_lifecycle_anything_goes():
    with running_server(disable_admission_plugins=("NamespaceLifecycle",)) as srv:
        c = Client(srv.address)
        out = c.create("/api/v1/namespaces/nope/configmaps", {"metadata": {"name": "c"}, "data": {}})
        assert out["metadata"]["namespace"] == "nope"
        c.delete("/api/v1/namespaces/nope/configmaps/c")


def test_the_serve_flag():
    from kubekit.server.cli import add_serve_parser, config_from_args

    ap = argparse.ArgumentParser()
    add_serve_parser(ap.add_subparsers())
    cfg = config_from_args(ap.parse_args(["serve", "--disable-admission-plugins", "NamespaceLifecycle"]))
    assert cfg.disable_admission_plugins == ("NamespaceLifecycle",)
    assert config_from_args(ap.parse_args(["serve"])).disable_admission_plugins == ()
    with pytest.raises(SystemExit, match="unknown plugin\\(s\\) AlwaysPullImages"):
        config_from_args(ap.parse_args(["serve", "--disable-admission-plugins", "AlwaysPullImages"]))


def test_a_terminating_namespace_survives_a_restart_and_is_then_finished():
    top = tempfile.mkdtemp(prefix="kk-nsr-")
    try:
        with running_server(data_dir=f"{top}/data") as srv:
            c = Client(srv.address)
            c.create("/api/v1/namespaces", {"metadata": {"name": "t3"}})
            c.create("/api/v1/namespaces/t3/configmaps", HELD)
            c.delete("/api/v1/namespaces/t3")
        with running_server(data_dir=f"{top}/data") as srv:
            c = Client(srv.address)
            assert c.get("/api/v1/namespaces/t3")["status"]["phase"] == "Terminating"
            release(c, "t3")
            assert c.get("/api/v1/namespaces/t3/configmaps")["items"] == []
    finally:
        shutil.rmtree(top, ignore_errors=True)
