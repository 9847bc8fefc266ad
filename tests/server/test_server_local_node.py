"""``kubekit serve`` with its local node (real containers, as root): pods
scheduled onto it run; their logs (full, tail, follow, previous) and usage
(the metrics API) are served; errors are Status bodies with kubelet's and the
API server's messages.  The server stops every container it started."""

from __future__ import annotations

import glob
import http.client
import os

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import local_node_dirs, running_server, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

GUARD = 60.0          # seconds before a wait gives up (a hang guard, not a performance assertion)
PODS = "/api/v1/namespaces/default/pods"
METRICS = "/apis/metrics.k8s.io/v1beta1"


@pytest.fixture(scope="module")
def server(rootfs):
    with local_node_dirs(rootfs) as kw, running_server(sim_nodes=1, metrics_interval=0.2, **kw) as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for p in c.get(PODS)["items"]:
        c.delete(f"{PODS}/{p['metadata']['name']}", grace_period=0)
    wait_for(lambda: not server.local_node.agent.workers, "the local node to tear its pods down")


def pod(name, command, *, policy="Always", node="node-a", containers=None, **extra):
    """A busybox pod bound to ``node`` (None: left to the scheduler, which may only pick node-a); no grace
    period, so a deleted pod's ``sleep`` (which ignores SIGTERM as PID 1) goes at once."""
    cs = containers or [{"name": "app", "command": command, **extra}]
    spec = {"restartPolicy": policy, "terminationGracePeriodSeconds": 0,
            "containers": [{"image": "local/busybox:1", "imagePullPolicy": "Never", **c} for c in cs]}
    if node is None:
        spec["nodeSelector"] = {"kubernetes.io/hostname": "node-a"}
    else:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def status_of(c, name, container="app") -> dict:
    st = c.get(f"{PODS}/{name}").get("status") or {}
    return next((s for s in st.get("containerStatuses") or [] if s["name"] == container), {})


def running(c, name, container="app", restarts=0) -> bool:
    s = status_of(c, name, container)
    return "running" in (s.get("state") or {}) and s.get("restartCount") == restarts


def log_text(c, name, **query) -> str:
    return b"".join(c.stream(f"{PODS}/{name}/log", **query)).decode()


def error_of(fn, *a, **kw) -> APIError:
    with pytest.raises(APIError) as ei:
        fn(*a, **kw)
    return ei.value


def test_the_local_node_is_registered_next_to_the_simulated_one(server, client):
    # the local node registers from the control loop, shortly after the socket is up
    def names():
        return sorted(n["metadata"]["name"] for n in client.get("/api/v1/nodes")["items"])
    wait_for(lambda: names() == ["node-a", "sim-node-0"], "the local node to register")
    assert client.get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a")["spec"][
        "holderIdentity"] == "node-a"


def test_a_scheduled_pod_runs_and_its_log_is_served(server, client):
    client.create(PODS, pod("web", ["/bin/sh", "-c", "for i in 1 2 3 4; do echo line $i; done; sleep 300"],
                            node=None))
    wait_for(lambda: client.get(f"{PODS}/web")["spec"].get("nodeName") == "node-a", "the pod to be scheduled")
    wait_for(lambda: running(client, "web"), "the pod to run")
    wait_for(lambda: log_text(client, "web") == "line 1\nline 2\nline 3\nline 4\n", "the log")
    assert log_text(client, "web", tailLines=2) == "line 3\nline 4\n"
    assert log_text(client, "web", tailLines=0) == ""
    assert log_text(client, "web", limitBytes=8) == "line 1\nl"
    assert log_text(client, "web", container="app") == "line 1\nline 2\nline 3\nline 4\n"


def test_log_errors_are_status_bodies(server, client):
    client.create(PODS, pod("two", None, containers=[{"name": "a", "command": ["/bin/sleep", "300"]},
                                                     {"name": "b", "command": ["/bin/sleep", "300"]}]))
    client.create(PODS, pod("elsewhere", ["/bin/sleep", "300"], node="sim-node-0"))
    wait_for(lambda: running(client, "two", "a") and running(client, "two", "b"), "both containers to run")
    cases = [
        (("two",), {}, 400, "a container name must be specified for pod two, choose one of: [a b]"),
        (("two",), {"container": "c"}, 400, "container c is not valid for pod two"),
        (("two",), {"container": "a", "previous": "true"}, 400,
         'previous terminated container "a" in pod "two" not found'),
        (("elsewhere",), {}, 400, 'pod "elsewhere" runs on node "sim-node-0", which runs no containers kubekit '
                                  'serve can read logs from: the server has its local node "node-a"'),
        (("nope",), {}, 404, 'pods "nope" not found'),
        (("two",), {"tailLines": "x"}, 400, "tailLines: expected an integer, got 'x'"),
    ]
    for (name,), query, code, message in cases:
        e = error_of(log_text, client, name, **query)
        assert (e.code, e.status["message"]) == (code, message)
        assert e.status["kind"] == "Status"
    assert log_text(client, "two", container="b") == ""


def test_follow_streams_until_the_container_exits(server, client):
    script = "trap 'echo two; exit 0' TERM; echo one; while :; do sleep 0.1; done"
    client.create(PODS, pod("job", ["/bin/sh", "-c", script], policy="Never"))
    wait_for(lambda: running(client, "job"), "the pod to run")
    wait_for(lambda: log_text(client, "job") == "one\n", "the first line")
    stream = client.stream(f"{PODS}/job/log", follow="true")
    assert next(stream) == b"one\n"
    # the container is still running: the stream stays open; make it print and exit
    uid = client.get(f"{PODS}/job")["metadata"]["uid"]
    pids = container_pids(server, uid)
    assert pids
    os.kill(pids[0], 15)
    rest = b"".join(stream)                          # ends by itself once the container exited
    assert rest == b"two\n"
    wait_for(lambda: client.get(f"{PODS}/job")["status"].get("phase") == "Succeeded", "the pod to succeed")
    assert log_text(client, "job") == "one\ntwo\n"
    assert log_text(client, "job", follow="true") == "one\ntwo\n"     # a finished container: no waiting


def test_a_follower_that_goes_away_ends_its_stream(server, client):
    client.create(PODS, pod("quiet", ["/bin/sh", "-c", "echo hi; sleep 300"]))
    wait_for(lambda: running(client, "quiet"), "the pod to run")
    wait_for(lambda: log_text(client, "quiet") == "hi\n", "the log")
    conn, resp = client._send("GET", f"{PODS}/quiet/log", query={"follow": "true"}, stream=True)
    assert resp.read1(100) == b"hi\n"
    # the earlier requests' connections end on their own; the follow's stays open while its container runs
    wait_for(lambda: len(server.http._conns) == 1, "only the follow connection to be open")
    conn.close()
    wait_for(lambda: len(server.http._conns) == 0, "the server to end the follow")


def container_pids(server, uid: str) -> list[int]:
    """The host pids in the pod's ``app`` containers' cgroups (v2, or any v1 hierarchy)."""
    cg = server.config.cgroup_root
    pids: set[int] = set()
    for procs in glob.glob(f"/sys/fs/cgroup{cg}/pod{uid}/*-app-*/cgroup.procs") + \
            glob.glob(f"/sys/fs/cgroup/*{cg}/pod{uid}/*-app-*/cgroup.procs"):
        with open(procs) as f:
            pids.update(int(x) for x in f.read().split())
    return sorted(pids)


def test_previous_reads_the_instance_before_a_restart(server, client):
    client.create(PODS, pod("flaky", ["/bin/sh", "-c", "echo run $(cat /proc/sys/kernel/random/uuid); sleep 300"]))
    wait_for(lambda: running(client, "flaky"), "the pod to run")
    first = wait_for(lambda: log_text(client, "flaky"), "the first run's line")
    e = error_of(log_text, client, "flaky", previous="true")
    assert e.status["message"] == 'previous terminated container "app" in pod "flaky" not found'
    uid = client.get(f"{PODS}/flaky")["metadata"]["uid"]
    for pid in container_pids(server, uid):
        os.kill(pid, 9)
    wait_for(lambda: running(client, "flaky", restarts=1), "the restart (the first one has no backoff)")
    second = wait_for(lambda: log_text(client, "flaky"), "the second run's line")
    assert first.startswith("run ") and second.startswith("run ") and first != second
    assert log_text(client, "flaky", previous="true") == first
    logdir = f"{server.config.pod_log_dir}/default_flaky_{uid}/app"
    assert sorted(os.listdir(logdir)) == ["0.log", "1.log"]
    assert open(f"{logdir}/0.log").read() == first and open(f"{logdir}/1.log").read() == second


def test_metrics_api_reports_cpu_as_a_rate_and_memory(server, client):
    from kubekit.api.quantity import Quantity

    client.create(PODS, pod("busy", ["/bin/sh", "-c", "while :; do :; done"],
                            resources={"limits": {"cpu": "500m", "memory": "64Mi"}}))
    client.create(PODS, pod("idle", ["/bin/sleep", "300"]))
    wait_for(lambda: running(client, "busy") and running(client, "idle"), "the pods to run")

    def metrics_of(name):
        items = client.get(f"{METRICS}/namespaces/default/pods")["items"]
        return next((m for m in items if m["metadata"]["name"] == name), None)

    busy = wait_for(lambda: (m := metrics_of("busy")) and Quantity(m["containers"][0]["usage"]["cpu"]).milli_value()
                    > 0 and m, "a cpu rate for the busy pod")
    assert busy["apiVersion"] == "metrics.k8s.io/v1beta1" and busy["kind"] == "PodMetrics"
    assert busy["metadata"]["namespace"] == "default" and busy["window"].endswith("s")
    (c,) = busy["containers"]
    assert c["name"] == "app" and c["usage"]["cpu"].endswith("n")
    assert 0 < Quantity(c["usage"]["cpu"]).value() <= os.cpu_count()
    assert 0 < Quantity(c["usage"]["memory"]).value() <= 64 << 20
    one = client.get(f"{METRICS}/namespaces/default/pods/busy")
    assert one["kind"] == "PodMetrics" and one["metadata"]["name"] == "busy"
    wait_for(lambda: metrics_of("idle"), "metrics for the idle pod")
    # the node: the sum over its pods, in one sample
    nodes = client.get(f"{METRICS}/nodes")
    assert nodes["kind"] == "NodeMetricsList" and [n["metadata"]["name"] for n in nodes["items"]] == ["node-a"]
    assert Quantity(nodes["items"][0]["usage"]["cpu"]).value() >= 0
    assert client.get(f"{METRICS}/nodes/node-a")["kind"] == "NodeMetrics"
    for path, message in ((f"{METRICS}/nodes/sim-node-0", 'nodemetrics.metrics.k8s.io "sim-node-0" not found'),
                          (f"{METRICS}/namespaces/default/pods/nope", 'podmetrics.metrics.k8s.io "default/nope" '
                                                                      'not found')):
        e = error_of(client.get, path)
        assert (e.code, e.status["message"]) == (404, message)
    assert client.get(METRICS)["kind"] == "APIResourceList"


def test_http_methods_other_than_get_are_refused(server, client):
    conn = client._connection(10)
    try:
        conn.request("POST", f"{PODS}/x/log", body=b"{}", headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 405
    finally:
        conn.close()
    assert isinstance(conn, http.client.HTTPConnection)


def test_stop_removes_even_containers_the_agent_does_not_know(rootfs):
    """The safety net of LocalNode.stop: whatever the runtime still holds goes too."""
    with local_node_dirs(rootfs) as kw:
        cg = kw["cgroup_root"]
        with running_server(**kw) as srv:
            stray = srv.local_node.runtime.create_pod("stray")          # not a pod of the store: the agent ignores it
            pid = stray.holder.pid
            assert os.path.exists(f"/proc/{pid}")
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
        assert [d for d in [f"/sys/fs/cgroup{cg}", *glob.glob(f"/sys/fs/cgroup/*{cg}")] if os.path.isdir(d)] == []


def test_graceful_deletion_waits_for_the_containers_then_the_node_confirms(rootfs):
    """With --graceful-pod-deletion a deleted pod stays Terminating while its containers get SIGTERM (and
    SIGKILL at the end of the grace period); the local node then deletes it for good."""
    with local_node_dirs(rootfs) as kw, running_server(graceful_pod_deletion=True, **kw) as srv:
        c = Client(srv.address)
        polite = pod("polite", ["/bin/sh", "-c", "trap 'exit 0' TERM; echo up; while :; do sleep 0.1; done"])
        polite["spec"]["terminationGracePeriodSeconds"] = 30          # it exits on SIGTERM, well before that
        stubborn = pod("stubborn", ["/bin/sleep", "300"])              # PID 1 ignores SIGTERM: killed at 1 s
        stubborn["spec"]["terminationGracePeriodSeconds"] = 1
        for p in (polite, stubborn):
            c.create(PODS, p)
        wait_for(lambda: running(c, "polite") and running(c, "stubborn"), "the pods to run")
        wait_for(lambda: log_text(c, "polite") == "up\n", "the trap to be set")
        pids = {name: container_pids(srv, c.get(f"{PODS}/{name}")["metadata"]["uid"])
                for name in ("polite", "stubborn")}
        for name in ("polite", "stubborn"):
            deleted = c.delete(f"{PODS}/{name}")
            assert deleted["metadata"].get("deletionTimestamp")           # marked, not gone
        wait_for(lambda: not c.get(PODS)["items"], "the node to confirm both deletions")
        assert not srv.local_node.agent.workers
        for name, ps in pids.items():
            assert ps and not any(os.path.exists(f"/proc/{pid}") for pid in ps), name
