"""``kubekit create namespace``, ``get namespaces|ns``, ``apply`` of a
Namespace manifest and ``delete namespace`` against a real ``kubekit serve``
(in a thread, temp socket and data dir, one simulated node), with the
NamespaceLifecycle admission and the namespace controller running."""

from __future__ import annotations

import json
import os
import shutil
import tempfile

import pytest
import yaml
from kubectl_helpers import k, ok

from kubekit.kubectl.client import Client
from kubekit.server.testing import running_server, wait_for


@pytest.fixture(scope="module")
def cluster():
    with running_server(sim_nodes=1) as srv:
        yield srv


def gone(srv, name):
    return name not in {n["metadata"]["name"] for n in Client(srv.address).get("/api/v1/namespaces")["items"]}


def test_get_namespaces_lists_the_system_namespaces_with_kubectls_columns(cluster):
    lines = ok(cluster, "get", "namespaces").splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert rows == {"default": "Active", "kube-node-lease": "Active", "kube-public": "Active", "kube-system": "Active"}
    assert ok(cluster, "get", "ns", "default").splitlines()[1].split()[:2] == ["default", "Active"]


def test_create_namespace_then_delete_it_with_its_content(cluster):
    assert ok(cluster, "create", "namespace", "team-a") == "namespace/team-a created\n"
    ns = json.loads(ok(cluster, "get", "ns", "team-a", "-o", "json"))
    assert ns["spec"] == {"finalizers": ["kubernetes"]} and ns["status"] == {"phase": "Active"}
    c = Client(cluster.address)
    c.create("/api/v1/namespaces/team-a/configmaps", {"metadata": {"name": "cfg"}, "data": {"a": "b"}})
    c.create("/api/v1/namespaces/team-a/pods", {"metadata": {"name": "p"},
                                                "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    rc, out, err = k(cluster, "delete", "namespace", "team-a")      # waits until it is gone
    assert (rc, out, err) == (0, 'namespace "team-a" deleted\n', "")
    assert gone(cluster, "team-a")
    for path in ("/api/v1/namespaces/team-a/configmaps", "/api/v1/namespaces/team-a/pods"):
        assert c.get(path)["items"] == []
    rc, out, err = k(cluster, "create", "configmap", "late", "-n", "team-a", "--from-literal", "a=b")
    assert rc == 1 and err == 'Error from server (NotFound): namespaces "team-a" not found\n'


def test_a_terminating_namespace_shows_terminating_and_refuses_new_content(cluster):
    ok(cluster, "create", "ns", "team-b")
    c = Client(cluster.address)
    # a finalizer keeps this config map, and so the namespace, until the test lets it go
    c.create("/api/v1/namespaces/team-b/configmaps",
             {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}, "data": {}})
    assert ok(cluster, "delete", "ns", "team-b", "--no-wait") == 'namespace "team-b" deleted\n'
    row = ok(cluster, "get", "ns", "team-b").splitlines()[1].split()
    assert row[:2] == ["team-b", "Terminating"]
    rc, _, err = k(cluster, "create", "configmap", "late", "-n", "team-b", "--from-literal", "a=b")
    assert rc == 1 and err == ('Error from server (Forbidden): configmaps "late" is forbidden: unable to create new '
                               'content in namespace team-b because it is being terminated\n')

    def finalizers_remaining():
        ns = c.get("/api/v1/namespaces/team-b")
        return [cd for cd in ns["status"].get("conditions") or []
                if cd["type"] == "NamespaceFinalizersRemaining" and cd["status"] == "True"]
    cond = wait_for(finalizers_remaining, "the controller to report the finalizer")[0]
    assert cond["message"] == ("Some content in the namespace has finalizers remaining: example.com/hold in 1 "
                               "resource instances")
    held = c.get("/api/v1/namespaces/team-b/configmaps/held")
    assert held["metadata"]["deletionTimestamp"]
    c.patch("/api/v1/namespaces/team-b/configmaps/held", {"metadata": {"finalizers": None}})
    wait_for(lambda: gone(cluster, "team-b"), "the namespace to go")


def test_apply_a_namespace_manifest(cluster):
    workdir = tempfile.mkdtemp(prefix="kk-ns-")
    try:
        path = os.path.join(workdir, "ns.yaml")
        with open(path, "w") as f:
            f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n  labels: {team: c}\n")
        assert ok(cluster, "apply", "-f", path) == "namespace/team-c created\n"
        assert ok(cluster, "apply", "-f", path) == "namespace/team-c unchanged\n"
        labels = yaml.safe_load(ok(cluster, "get", "ns", "team-c", "-o", "yaml"))["metadata"]["labels"]
        assert labels == {"team": "c", "kubernetes.io/metadata.name": "team-c"}      # the server's label
        assert ok(cluster, "delete", "-f", path) == 'namespace "team-c" deleted\n'
        assert gone(cluster, "team-c")
    finally:
        shutil.rmtree(workdir)


def test_the_system_namespaces_cannot_be_deleted(cluster):
    for name in ("default", "kube-system", "kube-public"):
        rc, out, err = k(cluster, "delete", "namespace", name)
        assert (rc, out) == (1, "")
        assert err == (f'Error from server (Forbidden): namespaces "{name}" is forbidden: this namespace may not '
                       "be deleted\n")
    assert not gone(cluster, "default")


def test_create_namespace_dry_run_and_errors(cluster):
    out = ok(cluster, "create", "namespace", "team-d", "--dry-run=client", "-o", "yaml")
    assert yaml.safe_load(out) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-d"},
                                   "spec": {}, "status": {}}
    assert gone(cluster, "team-d")
    rc, _, err = k(cluster, "create", "namespace", "Team_D")
    assert rc == 1 and err.startswith('The Namespace "Team_D" is invalid: metadata.name: Invalid value: "Team_D": '
                                      "a lowercase RFC 1123 label")
    ok(cluster, "create", "namespace", "team-d")
    rc, _, err = k(cluster, "create", "namespace", "team-d")
    assert rc == 1 and err == 'Error from server (AlreadyExists): namespaces "team-d" already exists\n'
    ok(cluster, "delete", "ns", "team-d")


def test_drain_waits_for_a_pod_whose_namespace_is_terminating(cluster):
    """kubectl's drain (since kubernetes#93947): an eviction refused because
    the pod's namespace is being terminated (403 with the NamespaceTerminating
    cause) is not an error; the namespace controller deletes the pod, drain
    waits for it to go."""
    ok(cluster, "create", "ns", "team-e")
    c = Client(cluster.address)
    c.create("/api/v1/namespaces/team-e/pods", {"metadata": {"name": "p"}, "spec": {
        "nodeName": "sim-node-0", "containers": [{"name": "c", "image": "busybox"}]}})
    ok(cluster, "delete", "ns", "team-e", "--no-wait")
    try:
        rc, out, err = k(cluster, "drain", "sim-node-0", "--force")     # well within the controller's 5 s
        assert rc == 0, err
        assert out.splitlines() == ["node/sim-node-0 cordoned", "evicting pod team-e/p", "pod/p evicted",
                                    "node/sim-node-0 drained"]
        assert "Forbidden" not in err
        wait_for(lambda: gone(cluster, "team-e"), "the namespace to go")
    finally:
        ok(cluster, "uncordon", "sim-node-0")
