"""``kubekit logs`` and ``kubekit top`` against a real ``kubekit serve`` with
its local node (real containers, as root) and one simulated node."""

from __future__ import annotations

import io
import os
import threading

import pytest
from kubectl_helpers import k, ok

from kubekit.kubectl.cli import run
from kubekit.kubectl.client import Client
from kubekit.server.testing import local_node_dirs, running_server, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

GUARD = 60.0          # seconds before a wait gives up (a hang guard, not a performance assertion)
PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture(scope="module")
def node_dirs(rootfs):
    with local_node_dirs(rootfs) as kw:
        yield kw


@pytest.fixture(scope="module")
def cluster(node_dirs):
    with running_server(sim_nodes=1, metrics_interval=0.2, **node_dirs) as srv:
        yield srv


@pytest.fixture
def client(cluster):
    c = Client(cluster.address)
    yield c
    for p in c.get("/api/v1/pods")["items"]:
        m = p["metadata"]
        c.delete(f"/api/v1/namespaces/{m['namespace']}/pods/{m['name']}", grace_period=0)
    wait_for(lambda: not cluster.local_node.agent.workers, "the local node to tear its pods down")


def pod(name, command=None, *, policy="Always", node="node-a", ns="default", containers=None, **extra):
    cs = containers or [{"name": "app", "command": command, **extra}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"nodeName": node, "restartPolicy": policy, "terminationGracePeriodSeconds": 0,
                     "containers": [{"image": "local/busybox:1", "imagePullPolicy": "Never", **c} for c in cs]}}


def running(c, name, ns="default", n=1) -> bool:
    sts = (c.get(f"/api/v1/namespaces/{ns}/pods/{name}").get("status") or {}).get("containerStatuses") or []
    return len(sts) == n and all("running" in (s.get("state") or {}) for s in sts)


def test_logs(cluster, client):
    client.create(PODS, pod("web", ["/bin/sh", "-c", "echo one; echo two; echo three >&2; sleep 300"]))
    client.create(PODS, pod("two", containers=[{"name": "a", "command": ["/bin/sh", "-c", "echo from a; sleep 300"]},
                                               {"name": "b", "command": ["/bin/sh", "-c", "echo from b; sleep 300"]}]))
    wait_for(lambda: running(client, "web") and running(client, "two", n=2), "the pods to run")
    wait_for(lambda: k(cluster, "logs", "web")[1] == "one\ntwo\nthree\n", "the log")     # stdout and stderr
    assert ok(cluster, "logs", "pod/web", "--tail", "1") == "three\n"
    assert ok(cluster, "logs", "web", "--tail=0") == ""
    assert ok(cluster, "logs", "web", "--limit-bytes", "5") == "one\nt"
    wait_for(lambda: k(cluster, "logs", "two", "-c", "b")[1] == "from b\n", "b's log")
    rc, out, err = k(cluster, "logs", "two")
    assert (rc, out, err) == (0, "from a\n", 'Defaulted container "a" out of: a, b\n')
    rc, out, err = k(cluster, "logs", "web", "-p")
    assert (rc, out, err) == (1, "", 'Error from server (BadRequest): previous terminated container "app" in pod '
                                     '"web" not found\n')
    rc, out, err = k(cluster, "logs", "web", "-c", "x")
    assert (rc, err) == (1, "Error from server (BadRequest): container x is not valid for pod web\n")
    rc, out, err = k(cluster, "logs", "nope")
    assert (rc, err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    rc, out, err = k(cluster, "logs", "deployment/web")
    assert (rc, err) == (1, "error: logs: 'deployment/web': only pods are supported (POD or pod/POD)\n")
    rc, out, err = k(cluster, "logs")
    assert (rc, err) == (1, "error: expected POD: kubekit logs POD [-c CONTAINER]\n")


def test_logs_follow_ends_with_the_container(cluster, client):
    # prints, waits until it finds a file the test creates in its root (through /proc/<pid>/root), prints, exits
    script = "echo start; while [ ! -e /go ]; do sleep 0.05; done; echo done"
    client.create(PODS, pod("job", ["/bin/sh", "-c", script], policy="Never"))
    wait_for(lambda: running(client, "job"), "the pod to run")
    wait_for(lambda: k(cluster, "logs", "job")[1] == "start\n", "the first line")
    out, err = io.StringIO(), io.StringIO()
    result = {}
    t = threading.Thread(target=lambda: result.setdefault(
        "rc", run(["logs", "-f", "job", "--socket", cluster.address], out=out, err=err)))
    t.start()
    try:
        wait_for(lambda: out.getvalue() == "start\n", "the follower to print the first line")
        assert t.is_alive()                                   # the container still runs: still following
        agent = cluster.local_node.agent
        uid = client.get(f"{PODS}/job")["metadata"]["uid"]
        pid = agent.workers[uid].containers["app"].running.pid
        with open(f"/proc/{pid}/root/go", "w"):
            pass
    finally:
        t.join(GUARD)
    assert not t.is_alive() and result["rc"] == 0
    assert out.getvalue() == "start\ndone\n" and err.getvalue() == ""


def test_top_pods_and_nodes(cluster, client):
    client.create(PODS, pod("busy", ["/bin/sh", "-c", "while :; do :; done"]))
    client.create(PODS, pod("idle", ["/bin/sleep", "300"]))
    if not any(n["metadata"]["name"] == "other" for n in client.get("/api/v1/namespaces")["items"]):
        client.create("/api/v1/namespaces", {"metadata": {"name": "other"}})     # admission: it must exist
    client.create("/api/v1/namespaces/other/pods", pod("elsewhere", ["/bin/sleep", "300"], ns="other"))
    wait_for(lambda: running(client, "busy") and running(client, "idle") and running(client, "elsewhere", "other"),
             "the pods to run")

    def busy_cpu():
        rc, out, _ = k(cluster, "top", "pods", "--no-headers")
        rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()} if rc == 0 else {}
        return rows.get("busy") and int(rows["busy"][0].rstrip("m")) > 0 and "idle" in rows and rows
    rows = wait_for(busy_cpu, "a cpu rate for the busy pod")

    def all_sampled():
        # A pod is listed once it is in both of the sampler's last two samples (as metrics-server
        # lists only pods it has a rate for), so the pod started last may need one more sample.
        rc, out, _ = k(cluster, "top", "pods", "-A", "--no-headers")
        return rc == 0 and ("other", "elsewhere") in {tuple(line.split()[:2]) for line in out.splitlines()}
    wait_for(all_sampled, "a sample window holding the pod in the other namespace")
    assert set(rows) == {"busy", "idle"}                         # the namespace's pods only
    assert rows["busy"][0].endswith("m") and rows["busy"][1].endswith("Mi")
    assert int(rows["busy"][0][:-1]) <= 1000 * os.cpu_count()
    out = ok(cluster, "top", "pods")
    assert out.splitlines()[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    out = ok(cluster, "top", "pods", "-A")
    assert out.splitlines()[0].split() == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert {tuple(line.split()[:2]) for line in out.splitlines()[1:]} == {
        ("default", "busy"), ("default", "idle"), ("other", "elsewhere")}
    out = ok(cluster, "top", "pod", "idle", "--containers")
    assert out.splitlines()[0].split() == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert out.splitlines()[1].split()[:2] == ["idle", "app"]
    assert ok(cluster, "top", "pods", "--sort-by", "cpu", "--no-headers").splitlines()[0].split()[0] == "busy"

    out = ok(cluster, "top", "nodes")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"]
    name, cpu, cpu_pct, mem, mem_pct = lines[1].split()
    assert name == "node-a" and cpu.endswith("m") and cpu_pct.endswith("%") and mem.endswith("Mi")
    assert mem_pct.endswith("%")
    assert lines[2].split() == ["sim-node-0", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]
    assert ok(cluster, "top", "node", "node-a").splitlines()[1].split()[0] == "node-a"

    rc, out, err = k(cluster, "top", "pod", "nope")
    assert (rc, err) == (1, 'Error from server (NotFound): podmetrics.metrics.k8s.io "default/nope" not found\n')
    rc, out, err = k(cluster, "top", "pods", "-n", "empty")
    assert (rc, out, err) == (0, "", "No resources found in empty namespace.\n")
    rc, out, err = k(cluster, "top", "deployments")
    assert (rc, err) == (1, 'error: top: unknown resource \'deployments\': expected "pods" or "nodes"\n')


def test_top_before_two_samples(rootfs):
    """A window needs two samples: until then kubectl's 'metrics not available yet'."""
    with local_node_dirs(rootfs) as kw, running_server(**dict(kw, node_name="node-b", metrics_interval=3600.0)) as srv:
        c = Client(srv.address)
        wait_for(lambda: c.get("/api/v1/nodes")["items"], "the node to register")
        assert k(srv, "top", "nodes") == (1, "", "error: metrics not available yet\n")
        c.create(PODS, pod("idle", ["/bin/sleep", "300"], node="node-b"))
        assert k(srv, "top", "pods") == (1, "", "error: metrics not available yet\n")
        assert k(srv, "top", "pods", "-n", "empty") == (0, "", "No resources found in empty namespace.\n")
