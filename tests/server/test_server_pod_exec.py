"""``pods/{name}/exec`` end to end: ``kubekit serve`` with its local node runs
the command inside the pod's real container (its hostname, its cgroup, its
env from a ConfigMap), returns stdout, stderr and the exit code, feeds stdin,
and answers bad requests with Status bodies.  Needs root."""

from __future__ import annotations

import base64
import os

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import local_node_dirs, running_server, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture(scope="module")
def server(rootfs):
    with local_node_dirs(rootfs) as kw, running_server(sim_nodes=1, **kw) as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for p in c.get(PODS)["items"]:
        c.delete(f"{PODS}/{p['metadata']['name']}", grace_period=0)
    for cm in c.get("/api/v1/namespaces/default/configmaps")["items"]:
        c.delete(f"/api/v1/namespaces/default/configmaps/{cm['metadata']['name']}")
    wait_for(lambda: not server.local_node.agent.workers, "the local node to tear its pods down")


def pod(name, containers, node="node-a"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                     "containers": [{"image": "local/busybox:1", "imagePullPolicy": "Never",
                                     "command": ["/bin/sleep", "300"], **c} for c in containers]}}


def running(c, name, container="app"):
    st = c.get(f"{PODS}/{name}").get("status") or {}
    s = next((s for s in st.get("containerStatuses") or [] if s["name"] == container), {})
    return "running" in (s.get("state") or {})


def decoded(r):
    return r["exitCode"], base64.b64decode(r["stdout"]).decode(), base64.b64decode(r["stderr"]).decode()


def test_exec_runs_in_the_pods_container_with_its_env_and_cgroup(server, client):
    client.create("/api/v1/namespaces/default/configmaps",
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}})
    client.create(PODS, pod("shell", [{"name": "app", "envFrom": [{"configMapRef": {"name": "settings"}}]}]))
    wait_for(lambda: running(client, "shell"), "the pod to run")
    code, out, err = decoded(client.exec(f"{PODS}/shell", ["/bin/sh", "-c",
                                                           "hostname; echo $mode; cat /proc/self/cgroup; "
                                                           "echo oops >&2; exit 7"]))
    lines = out.splitlines()
    assert (code, err, lines[:2]) == (7, "oops\n", ["shell", "fast"])
    assert lines[2:] and all(line.endswith(":/") for line in lines[2:])    # the container's cgroup namespace root
    # stdin is fed to the command
    code, out, _ = decoded(client.exec(f"{PODS}/shell", ["/bin/cat"], stdin=b"piped in\n"))
    assert (code, out) == (0, "piped in\n")
    code, _, err = decoded(client.exec(f"{PODS}/shell", ["/no/such"]))
    assert code == 127 and "No such file or directory" in err


def test_exec_errors_are_status_bodies(server, client):
    client.create(PODS, pod("two", [{"name": "a"}, {"name": "b"}]))
    client.create(PODS, pod("far", [{"name": "app"}], node="sim-node-0"))
    wait_for(lambda: running(client, "two", "a") and running(client, "two", "b"), "both containers to run")
    cases = [
        ("two", ["true"], None, 400, "a container name must be specified for pod two, choose one of: [a b]"),
        ("two", ["true"], "c", 400, "container c is not valid for pod two"),
        ("two", [], "a", 400, "you must specify at least one command for the container"),
        ("far", ["true"], None, 400, 'pod "far" runs on node "sim-node-0", where kubekit serve cannot exec: the '
                                     'server has its local node "node-a"'),
        ("nope", ["true"], None, 404, 'pods "nope" not found'),
    ]
    for name, command, container, code, message in cases:
        with pytest.raises(APIError) as ei:
            client.exec(f"{PODS}/{name}", command, container=container)
        assert (ei.value.code, ei.value.status["message"]) == (code, message)
    assert decoded(client.exec(f"{PODS}/two", ["/bin/sh", "-c", "exit 0"], container="b"))[0] == 0


def kubekit(server, *argv):
    import io

    from kubekit.kubectl.cli import run

    out, err = io.StringIO(), io.StringIO()
    if argv[0] == "exec":           # flags before POD: what follows it is the command
        args = [argv[0], "--socket", server.address, *argv[1:]]
    else:
        args = [*argv, "--socket", server.address]
    rc = run(args, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


class _Stdin:
    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)


def test_kubekit_create_and_exec_commands(server, client, monkeypatch):
    assert kubekit(server, "create", "configmap", "web-config", "--from-literal=greeting=hello",
                   "--from-literal=colour=blue") == (0, "configmap/web-config created\n", "")
    assert kubekit(server, "create", "secret", "generic", "web-secret", "--from-literal=password=s3cret") == (
        0, "secret/web-secret created\n", "")
    rc, out, _ = kubekit(server, "get", "configmaps")
    assert rc == 0 and out.split("\n")[1].split()[:2] == ["web-config", "2"]
    rc, out, _ = kubekit(server, "describe", "secret", "web-secret")
    assert rc == 0 and "password:  6 bytes" in out and "s3cret" not in out
    client.create(PODS, pod("cli", [{"name": "app", "env": [
        {"name": "G", "valueFrom": {"configMapKeyRef": {"name": "web-config", "key": "greeting"}}},
        {"name": "P", "valueFrom": {"secretKeyRef": {"name": "web-secret", "key": "password"}}}]}]))
    wait_for(lambda: running(client, "cli"), "the pod to run")
    got = kubekit(server, "exec", "cli", "--", "/bin/sh", "-c", "echo $G $P; hostname")
    assert got == (0, "hello s3cret\ncli\n", ""), got[2]
    assert kubekit(server, "exec", "cli", "-c", "app", "--", "/bin/sh", "-c", "echo no >&2; exit 4") == (
        4, "", "no\ncommand terminated with exit code 4\n")
    monkeypatch.setattr("sys.stdin", _Stdin(b"through -i\n"))
    assert kubekit(server, "exec", "cli", "-i", "--", "/bin/cat") == (0, "through -i\n", "")
    rc, _, err = kubekit(server, "exec", "nope", "--", "true")
    assert rc == 1 and 'pods "nope" not found' in err
