"""The CLI against a real ``kubekit serve`` (in a thread, temp socket and
data dir, three simulated nodes): apply, get, describe, scale, rollout,
cordon, drain, delete, and the errors a user sees."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import threading
import time

import pytest
from kubectl_helpers import k, ok

from kubekit.kubectl.cli import run
from kubekit.server.testing import running_server

GUARD = 120.0      # seconds before a wait gives up (a hang guard, not a performance assertion)


def manifest(name="web", replicas=3, image="nginx:1.25"):
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
"""


@pytest.fixture
def cluster():
    with running_server(sim_nodes=3) as srv:
        yield srv


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="kk-cli-")
    yield d
    shutil.rmtree(d)


def write(workdir, name, text) -> str:
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def pods(srv, selector="app=web") -> list[dict]:
    return json.loads(ok(srv, "get", "pods", "-l", selector, "-o", "json"))["items"]


def wait_for(predicate, what: str):
    deadline = time.monotonic() + GUARD
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def running(srv, n, selector="app=web") -> bool:
    ps = [p for p in pods(srv, selector) if not p["metadata"].get("deletionTimestamp")]
    return len(ps) == n and all((p.get("status") or {}).get("phase") == "Running" for p in ps)


def test_apply_get_scale_and_rollouts(cluster, workdir):
    path = write(workdir, "web.yaml", manifest())
    assert ok(cluster, "apply", "-f", path) == "deployment.apps/web created\n"
    out = ok(cluster, "rollout", "status", "deployment/web", "--timeout", str(GUARD))
    assert out.splitlines()[-1] == 'deployment "web" successfully rolled out'
    wait_for(lambda: running(cluster, 3), "3 running pods")
    table = ok(cluster, "get", "pods").splitlines()
    assert table[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(table) == 4 and all(line.split()[1:3] == ["1/1", "Running"] for line in table[1:])
    wide = ok(cluster, "get", "pods", "-o", "wide").splitlines()
    assert wide[0].split()[5:7] == ["IP", "NODE"] and all("sim-node-" in line for line in wide[1:])
    assert ok(cluster, "apply", "-f", path) == "deployment.apps/web unchanged\n"
    assert ok(cluster, "get", "deploy").splitlines()[1].split()[:4] == ["web", "3/3", "3", "3"]

    assert ok(cluster, "scale", "deployment/web", "--replicas=5") == "deployment.apps/web scaled\n"
    ok(cluster, "rollout", "status", "deployment/web", "--timeout", str(GUARD))
    wait_for(lambda: running(cluster, 5), "5 running pods")
    rc, _, err = k(cluster, "scale", "deployment/web", "--replicas=2", "--current-replicas=3")
    assert rc == 1 and err == "error: Expected replicas to be 3, was 5\n"

    # a new image: configured, a new ReplicaSet, the rollout finishes
    v2 = write(workdir, "web.yaml", manifest(replicas=5, image="nginx:1.26"))
    assert ok(cluster, "apply", "-f", v2) == "deployment.apps/web configured\n"
    out = ok(cluster, "rollout", "status", "deployment/web", "--timeout", str(GUARD))
    assert out.splitlines()[-1] == 'deployment "web" successfully rolled out'
    assert len(ok(cluster, "get", "rs").splitlines()) == 3
    history = ok(cluster, "rollout", "history", "deployment/web").splitlines()
    assert [line.split()[0] for line in history[2:]] == ["1", "2"]

    assert ok(cluster, "rollout", "undo", "deployment/web") == "deployment.apps/web rolled back\n"
    ok(cluster, "rollout", "status", "deployment/web", "--timeout", str(GUARD))
    d = json.loads(ok(cluster, "get", "deployment", "web", "-o", "json"))
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    rc, _, err = k(cluster, "rollout", "undo", "deployment/web", "--to-revision=9")
    assert rc == 1 and err == "error: unable to find specified revision 9 in history\n"

    assert ok(cluster, "rollout", "restart", "deployment/web") == "deployment.apps/web restarted\n"
    ok(cluster, "rollout", "status", "deployment/web", "--timeout", str(GUARD))
    d = json.loads(ok(cluster, "get", "deploy/web", "-o", "json"))
    assert "kubectl.kubernetes.io/restartedAt" in d["spec"]["template"]["metadata"]["annotations"]
    wait_for(lambda: running(cluster, 5) and all(
        "kubectl.kubernetes.io/restartedAt" in (p["metadata"].get("annotations") or {}) for p in pods(cluster)),
        "every pod replaced by the restart")


def test_output_formats(cluster, workdir):
    ok(cluster, "apply", "-f", write(workdir, "web.yaml", manifest(replicas=1)))
    assert ok(cluster, "get", "deploy", "-o", "name") == "deployment.apps/web\n"
    import yaml
    y = yaml.safe_load(ok(cluster, "get", "deployment", "web", "-o", "yaml"))
    assert y["kind"] == "Deployment" and y["metadata"]["name"] == "web"
    lst = json.loads(ok(cluster, "get", "nodes", "-o", "json"))
    assert lst["kind"] == "List" and [n["metadata"]["name"] for n in lst["items"]] == [
        "sim-node-0", "sim-node-1", "sim-node-2"]
    nodes = ok(cluster, "get", "no").splitlines()
    assert nodes[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes[1].split()[:3] == ["sim-node-0", "Ready", "<none>"]
    allns = ok(cluster, "get", "pods", "-A").splitlines()
    assert allns[0].split()[:2] == ["NAMESPACE", "NAME"]
    rc, out, err = k(cluster, "get", "pods", "-n", "empty")
    assert rc == 0 and out == "" and err == "No resources found in empty namespace.\n"
    rc, _, err = k(cluster, "get", "pods", "-o", "toml")
    assert rc == 1 and "allowed formats are: wide,yaml,json,name" in err


def test_describe_pod_shows_the_scheduled_event(cluster, workdir):
    ok(cluster, "apply", "-f", write(workdir, "web.yaml", manifest(replicas=1)))
    wait_for(lambda: running(cluster, 1), "the pod running")
    name = pods(cluster)[0]["metadata"]["name"]
    text = ok(cluster, "describe", "pod", name)
    lines = text.splitlines()
    assert lines[0].split() == ["Name:", name]
    assert any(line.split()[:2] == ["Status:", "Running"] for line in lines)
    assert any(line.startswith("Controlled By:") and "ReplicaSet/web-" in line for line in lines)
    events = lines[lines.index("Events:") + 1:]
    assert events[0].split() == ["Type", "Reason", "Age", "From", "Message"]
    scheduled = [e for e in events if e.split()[:2] == ["Normal", "Scheduled"]]
    assert len(scheduled) == 1
    assert "default-scheduler" in scheduled[0] and f"Successfully assigned default/{name} to sim-node-" in scheduled[0]
    dtext = ok(cluster, "describe", "deployment", "web")
    assert "ScalingReplicaSet" in dtext and "Replicas:" in dtext


def test_cordon_and_drain_move_pods_to_other_nodes(cluster, workdir):
    assert ok(cluster, "cordon", "sim-node-2") == "node/sim-node-2 cordoned\n"
    assert ok(cluster, "cordon", "sim-node-2") == "node/sim-node-2 already cordoned\n"
    assert "Ready,SchedulingDisabled" in ok(cluster, "get", "node", "sim-node-2")
    assert ok(cluster, "uncordon", "sim-node-2") == "node/sim-node-2 uncordoned\n"

    ok(cluster, "apply", "-f", write(workdir, "web.yaml", manifest(replicas=6)))
    wait_for(lambda: running(cluster, 6), "6 running pods")
    on0 = {p["metadata"]["name"] for p in pods(cluster) if p["spec"]["nodeName"] == "sim-node-0"}
    assert on0          # LeastAllocated spreads 6 pods over 3 empty nodes
    # an unmanaged pod on node 0: drain refuses without --force
    bare = write(workdir, "bare.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bare, labels: {app: bare}}\n"
                                       "spec:\n  nodeName: sim-node-0\n  containers: [{name: c, image: busybox:1}]\n")
    assert ok(cluster, "apply", "-f", bare) == "pod/bare created\n"
    rc, out, err = k(cluster, "drain", "sim-node-0")
    assert rc == 1
    assert out == "node/sim-node-0 cordoned\n"
    assert ('error: unable to drain node "sim-node-0" due to error: cannot delete Pods that declare no controller '
            "(use --force to override): default/bare") in err

    rc, out, err = k(cluster, "drain", "sim-node-0", "--force")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "node/sim-node-0 already cordoned"
    assert {line.split()[-1] for line in lines if line.startswith("evicting pod")} == {
        f"default/{n}" for n in on0 | {"bare"}}
    assert {line.split()[0] for line in lines if line.endswith(" evicted")} == {f"pod/{n}" for n in on0 | {"bare"}}
    assert lines[-1] == "node/sim-node-0 drained"
    assert "Warning: deleting Pods that declare no controller: default/bare" in err
    # the ReplicaSet replaces the evicted pods on the other nodes
    wait_for(lambda: running(cluster, 6), "6 running pods again")
    assert {p["spec"]["nodeName"] for p in pods(cluster)} <= {"sim-node-1", "sim-node-2"}
    assert not {p["metadata"]["name"] for p in pods(cluster)} & on0
    assert pods(cluster, "app=bare") == []


def test_apply_a_directory_and_namespaces(cluster, workdir):
    app = os.path.join(workdir, "app")
    os.makedirs(app)
    pod_in_ops = ("apiVersion: v1\nkind: Pod\nmetadata: {name: tool, namespace: ops}\n"
                  "spec:\n  containers: [{name: c, image: busybox:1}]\n")
    write(app, "1-deploy.yaml", manifest(replicas=1))
    write(app, "2-pod.yaml", pod_in_ops)
    rc, out, err = k(cluster, "apply", "-f", app)         # the namespace does not exist: NamespaceLifecycle says 404
    assert rc == 1 and out == "deployment.apps/web created\n"
    assert 'Error from server (NotFound): namespaces "ops" not found' in err
    write(app, "0-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n")
    out = ok(cluster, "apply", "-f", app)
    assert out == "namespace/ops created\ndeployment.apps/web unchanged\npod/tool created\n"
    assert "tool" in ok(cluster, "get", "pods", "-n", "ops")
    rc, _, err = k(cluster, "apply", "-f", app, "-n", "dev")
    assert rc == 1
    assert ('error: the namespace from the provided object "ops" does not match the namespace "dev". You must '
            "pass '--namespace=ops' to perform this operation.") in err
    assert ok(cluster, "apply", "-f", app) == ("namespace/ops unchanged\ndeployment.apps/web unchanged\n"
                                             "pod/tool unchanged\n")


def test_delete_by_name_and_file(cluster, workdir):
    path = write(workdir, "web.yaml", manifest(replicas=2))
    ok(cluster, "apply", "-f", path)
    wait_for(lambda: running(cluster, 2), "2 running pods")
    victim = pods(cluster)[0]["metadata"]["name"]
    assert ok(cluster, "delete", "pod", victim) == f'pod "{victim}" deleted\n'
    wait_for(lambda: running(cluster, 2) and victim not in {p["metadata"]["name"] for p in pods(cluster)},
             "the replacement pod")
    assert ok(cluster, "delete", "-f", path) == 'deployment.apps "web" deleted\n'
    wait_for(lambda: pods(cluster) == [], "the garbage collector to remove the pods")
    assert "No resources found" in k(cluster, "get", "rs")[2]
    rc, _, err = k(cluster, "delete", "deploy", "web")
    assert rc == 1 and err == 'Error from server (NotFound): deployments.apps "web" not found\n'
    assert k(cluster, "delete", "deploy", "web", "--ignore-not-found")[0] == 0


def test_get_watch_streams_changes(cluster, workdir):
    ok(cluster, "apply", "-f", write(workdir, "web.yaml", manifest(replicas=1)))
    out, err = io.StringIO(), io.StringIO()
    rc: list[int] = []
    t = threading.Thread(target=lambda: rc.append(run(
        ["get", "deployments", "-w", "--request-timeout", "10", "--socket", cluster.address], out=out, err=err)))
    t.start()
    wait_for(lambda: out.getvalue().startswith("NAME"), "the initial list")
    ok(cluster, "scale", "deploy/web", "--replicas=2")
    t.join(GUARD)
    assert not t.is_alive() and rc == [0], err.getvalue()
    rows = [line.split() for line in out.getvalue().splitlines()[1:]]
    assert rows and all(r[0] == "web" for r in rows)
    assert rows[0][1].endswith("/1")                           # the initial list
    assert any(r[1].endswith("/2") for r in rows)              # the scale, as a watch event


def test_errors_speak_plainly(cluster, workdir):
    rc, out, err = k(cluster, "get", "pods", "nope")
    assert (rc, out, err) == (1, "", 'Error from server (NotFound): pods "nope" not found\n')
    rc, _, err = k(cluster, "describe", "pod", "nope")
    assert (rc, err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    rc, _, err = k(cluster, "get", "widgets")
    assert (rc, err) == (1, 'error: the server doesn\'t have a resource type "widgets"\n')
    bad = write(workdir, "bad.yaml", manifest(replicas=-1))
    rc, _, err = k(cluster, "apply", "-f", bad)
    assert rc == 1
    assert err == ('The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or '
                   "equal to 0\n")
    rc, _, err = k(cluster, "apply", "-f", os.path.join(workdir, "missing.yaml"))
    assert rc == 1 and "does not exist" in err
    # no local node: no metrics source, and a simulated node's pod has no logs
    rc, out, err = k(cluster, "top", "pods")
    assert (rc, out, err) == (1, "", "error: Metrics API not available\n")
    rc, out, err = k(cluster, "logs", "nope")
    assert (rc, out, err) == (1, "", 'Error from server (NotFound): pods "nope" not found\n')


def test_a_server_that_is_not_running():
    gone = tempfile.mkdtemp(prefix="kk-gone-")
    try:
        out, err = io.StringIO(), io.StringIO()
        rc = run(["get", "pods", "--socket", f"{gone}/kubekit.sock"], out=out, err=err)
        assert rc == 1 and out.getvalue() == ""
        assert err.getvalue() == (f"The connection to the server at {gone}/kubekit.sock was refused - "
                                  "is kubekit serve running?\n")
    finally:
        shutil.rmtree(gone)


def test_a_conflict_is_reported_as_such(cluster):
    from kubekit.kubectl.client import APIError, Client
    from kubekit.kubectl.context import format_error
    c = Client(cluster.address)
    node = c.get("/api/v1/nodes/sim-node-0")
    c.patch("/api/v1/nodes/sim-node-0", {"metadata": {"labels": {"x": "1"}}})
    with pytest.raises(APIError) as ei:
        c.update("/api/v1/nodes/sim-node-0", node)
    assert format_error(ei.value) == (
        'Error from server (Conflict): Operation cannot be fulfilled on nodes "sim-node-0": the object has been '
        "modified; please apply your changes to the latest version and try again")
