"""The node agent with real containers: pods bound to the node run from an
image through kubekit's runtime; restarts, crash-loop backoff, init
containers, status and deletion.  Needs root (namespaces, cgroups, mounts)."""

from __future__ import annotations

import os
import time

import pytest
from agent_world import agent_world, run_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the node agent's tests start real containers (root)")


@pytest.fixture
def world(rootfs):
    with agent_world(rootfs) as w:
        yield w


def pod(name, command, policy="Always", inits=(), **container):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": "node-a", "restartPolicy": policy,
                     "initContainers": [{"name": f"init{i}", "image": "local/busybox:1", "command": cmd,
                                         "imagePullPolicy": "Never"} for i, cmd in enumerate(inits)],
                     "containers": [{"name": "app", "image": "local/busybox:1", "command": command,
                                     "imagePullPolicy": "Never", **container}]}}


def cond(p, t):
    return next((c["status"] for c in p["status"].get("conditions", []) if c["type"] == t), None)


def test_registers_the_node_with_allocatable_below_capacity(world):
    store, clock, agent, _ = world
    agent.run_once()
    node = store.get("Node", None, "node-a")
    cap, alloc = node["status"]["capacity"], node["status"]["allocatable"]
    assert int(cap["cpu"]) == os.cpu_count() and cap["pods"] == "110"
    from kubekit.api.quantity import Quantity
    assert Quantity(alloc["memory"]).value() == Quantity(cap["memory"]).value() - 100 * 2**20   # eviction 100Mi
    assert store.get("Lease", "kube-node-lease", "node-a")["spec"]["holderIdentity"] == "node-a"


def test_a_pod_runs_from_its_image_with_logs_and_ready_status(world):
    store, clock, agent, top = world
    store.create(pod("web", ["/bin/sh", "-c", "echo hello from $(hostname); sleep 30"],
                     resources={"limits": {"memory": "64Mi", "cpu": "500m"}}))
    p = run_until(agent, store, "web", lambda p: p.get("status", {}).get("phase") == "Running"
                  and cond(p, "Ready") == "True")
    (cs,) = p["status"]["containerStatuses"]
    assert "running" in cs["state"] and cs["restartCount"] == 0 and cs["ready"]
    logdir = f"{top}/logs/default_web_{p['metadata']['uid']}/app"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not open(f"{logdir}/0.log").read():
        time.sleep(0.05)
    assert open(f"{logdir}/0.log").read() == "hello from web\n"        # the pod's hostname


def test_restart_never_reports_the_failure_and_frees_the_sandbox(world):
    store, clock, agent, _ = world
    store.create(pod("job", ["/bin/sh", "-c", "exit 3"], policy="Never"))
    p = run_until(agent, store, "job", lambda p: p.get("status", {}).get("phase") == "Failed")
    term = p["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (3, "Error")
    assert agent.workers[p["metadata"]["uid"]].sandbox is None


def test_crash_loop_backoff_then_restart(world):
    store, clock, agent, _ = world
    store.create(pod("crash", ["/bin/sh", "-c", "exit 1"]))
    # the first restart has no backoff; the second waits 10 s (on the agent's clock)
    p = run_until(agent, store, "crash", lambda p: any(
        (s.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"
        for s in p.get("status", {}).get("containerStatuses", [])))
    cs = p["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1 and cs["lastState"]["terminated"]["exitCode"] == 1
    assert "back-off 10s restarting failed container=app" in cs["state"]["waiting"]["message"]
    from kubekit.cluster.events import events_for

    uid = p["metadata"]["uid"]
    backoffs = [e for e in events_for(store, p) if e["reason"] == "BackOff"]   # one per wait, not per exit
    assert [(e["message"], e.get("count", 1)) for e in backoffs] == [
        (f"Back-off restarting failed container app in pod crash_default({uid})", 1)]
    clock.advance(10)
    p = run_until(agent, store, "crash", lambda p: p["status"]["containerStatuses"][0]["restartCount"] == 2)
    assert p["status"]["phase"] == "Running"


def test_init_containers_run_first_in_order(world):
    store, clock, agent, _ = world
    store.create(pod("ordered", ["/bin/sleep", "30"], inits=[["/bin/true"], ["/bin/sh", "-c", "exit 0"]]))
    p = run_until(agent, store, "ordered", lambda p: p.get("status", {}).get("phase") == "Running"
                  and cond(p, "Initialized") == "True")
    assert [s["state"]["terminated"]["reason"] for s in p["status"]["initContainerStatuses"]] == ["Completed"] * 2
    store.create(pod("stuck", ["/bin/sleep", "30"], policy="Never", inits=[["/bin/false"]]))
    p = run_until(agent, store, "stuck", lambda p: p.get("status", {}).get("phase") == "Failed")
    assert cond(p, "Initialized") == "False"
    assert p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") == "PodInitializing"


def test_a_deleted_pod_is_killed_after_its_grace_period(world):
    store, clock, agent, _ = world
    store.create(pod("victim", ["/bin/sleep", "300"]))
    p = run_until(agent, store, "victim", lambda p: p.get("status", {}).get("phase") == "Running")
    uid = p["metadata"]["uid"]
    store.delete("Pod", "default", "victim")
    agent.run_once()
    assert uid in agent.workers                  # sleep as PID 1 ignores SIGTERM: it waits for the deadline
    clock.advance(31)
    agent.run_once()
    assert uid not in agent.workers


def test_a_deployment_runs_as_real_containers_and_heals(world):
    from kubekit.cluster.local import ControlPlane

    store, clock, agent, _ = world
    cp = ControlPlane(clock, store=store)
    labels = {"app": "web"}
    store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                               {"name": "app", "image": "local/busybox:1", "imagePullPolicy": "Never",
                                "command": ["/bin/sleep", "300"],
                                "resources": {"requests": {"cpu": "100m", "memory": "32Mi"}}}]}}}})

    def settle(check, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            cp.step()
            agent.run_once()
            if check():
                return
            time.sleep(0.05)
            clock.advance(0.25)          # backoffs run on the cluster's clock
        raise AssertionError("the cluster did not settle")

    def running():
        items, _ = store.list("Pod", "default")
        return [p for p in items if p.get("status", {}).get("phase") == "Running"
                and p["status"]["containerStatuses"][0]["state"].get("running")]

    settle(lambda: len(running()) == 2)
    assert {p["spec"]["nodeName"] for p in running()} == {"node-a"}
    # a killed container is restarted in place (the first restart has no backoff)
    victim = running()[0]
    w = agent.workers[victim["metadata"]["uid"]]
    w.containers["app"].running.kill()
    settle(lambda: any(p["metadata"]["uid"] == victim["metadata"]["uid"] and
                       p["status"]["containerStatuses"][0]["restartCount"] == 1 for p in running()))
    # a deleted pod is replaced by the ReplicaSet and run again
    store.delete("Pod", "default", victim["metadata"]["name"])
    clock.advance(31)
    settle(lambda: len(running()) == 2 and victim["metadata"]["uid"] not in {p["metadata"]["uid"] for p in running()})
    settle(lambda: len(agent.workers) == 2)


def _probe_loop(agent, store, clock, name, check, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        agent.run_once()
        p = store.get("Pod", "default", name)
        if check(p):
            return p
        time.sleep(0.05)
        clock.advance(1.0)                 # probe periods run on the agent's clock
    raise AssertionError(f"pod {name}: {p.get('status')}")


HTTPD = ["/bin/sh", "-c", "mkdir -p /tmp/w && echo ok > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]


def test_readiness_probes_gate_ready(world):
    store, clock, agent, _ = world
    store.create(pod("served", HTTPD, readinessProbe={"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}))
    store.create(pod("dialled", HTTPD, readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1}))
    store.create(pod("nothing", HTTPD, readinessProbe={"tcpSocket": {"port": 9999}, "periodSeconds": 1}))
    for name in ("served", "dialled"):
        p = _probe_loop(agent, store, clock, name, lambda p: cond(p, "Ready") == "True")
        assert p["status"]["containerStatuses"][0]["ready"] is True
    p = store.get("Pod", "default", "nothing")
    assert p["status"]["phase"] == "Running" and cond(p, "Ready") == "False"
    assert p["status"]["containerStatuses"][0]["ready"] is False
    events = [e for e in store.list("Event", "default")[0] if e["involvedObject"]["name"] == "nothing"]
    assert any(e["reason"] == "Unhealthy" and "Readiness probe failed" in e["message"] for e in events)


def test_a_failing_liveness_probe_restarts_the_container(world):
    store, clock, agent, _ = world
    store.create(pod("sick", ["/bin/sleep", "300"],
                     livenessProbe={"exec": {"command": ["/bin/sh", "-c", "test -e /tmp/healthy"]},
                                    "periodSeconds": 1, "failureThreshold": 2}))
    _probe_loop(agent, store, clock, "sick", lambda p: p.get("status", {}).get("containerStatuses", [{}])[0]
                    .get("restartCount", 0) >= 1)
    events = [e["reason"] for e in store.list("Event", "default")[0] if e["involvedObject"]["name"] == "sick"]
    assert "Killing" in events and "Unhealthy" in events
    # an exec probe that passes keeps it alive: it runs inside the container (its /tmp)
    # (the startup probe holds the liveness probe back until the shell has
    # created the file, as a pod spec would, so a slow start is no failure)
    healthy = {"exec": {"command": ["/bin/sh", "-c", "test -e /tmp/healthy"]}, "periodSeconds": 1}
    store.create(pod("well", ["/bin/sh", "-c", "touch /tmp/healthy; exec sleep 300"],
                     startupProbe={**healthy, "failureThreshold": 60},
                     livenessProbe={**healthy, "failureThreshold": 1}))
    _probe_loop(agent, store, clock, "well", lambda p: p.get("status", {}).get("phase") == "Running")
    uid = store.get("Pod", "default", "well")["metadata"]["uid"]

    def liveness():
        return agent.workers[uid].containers["app"].probes["liveness"]      # a new value after each result
    deadline = time.monotonic() + 30
    while liveness().result_run < 3 and time.monotonic() < deadline:
        agent.run_once()
        clock.advance(1.0)
        time.sleep(0.05)
    probe = liveness()
    well = store.get("Pod", "default", "well")
    assert well["status"]["containerStatuses"][0]["restartCount"] == 0
    assert (probe.last_result, probe.result_run >= 3) == ("Success", True)     # it really ran, and passed


def test_volumes_empty_dir_shared_and_host_path_read_only(world):
    store, clock, agent, top = world
    os.makedirs(f"{top}/hostdata", exist_ok=True)
    with open(f"{top}/hostdata/motd", "w") as f:
        f.write("from the host\n")
    manifest = pod("vols", ["/bin/sh", "-c", "cat /shared/from-init /host/motd; touch /host/x 2>/dev/null || "
                                             "echo read-only; exec sleep 300"],
                   inits=[["/bin/sh", "-c", "echo from-init > /shared/from-init"]],
                   volumeMounts=[{"name": "scratch", "mountPath": "/shared"},
                                 {"name": "host", "mountPath": "/host", "readOnly": True}])
    manifest["spec"]["initContainers"][0]["volumeMounts"] = [{"name": "scratch", "mountPath": "/shared"}]
    manifest["spec"]["volumes"] = [{"name": "scratch", "emptyDir": {}},
                                   {"name": "host", "hostPath": {"path": f"{top}/hostdata", "type": "Directory"}}]
    store.create(manifest)
    p = run_until(agent, store, "vols", lambda p: p.get("status", {}).get("phase") == "Running")
    log = f"{top}/logs/default_vols_{p['metadata']['uid']}/app/0.log"
    end = time.monotonic() + 10
    while time.monotonic() < end and open(log).read().count("\n") < 3:
        time.sleep(0.05)
    assert open(log).read() == "from-init\nfrom the host\nread-only\n"
    uid = p["metadata"]["uid"]
    store.delete("Pod", "default", "vols")
    agent.run_once()                              # SIGTERM (sleep as PID 1 ignores it) ...
    clock.advance(31)
    agent.run_once()                              # ... and SIGKILL at the end of the grace period
    assert uid not in agent.workers
    assert not os.path.exists(os.path.join(agent.runtime.data_dir, "pods", uid))      # the emptyDir went too


def test_an_unsupported_volume_is_a_config_error(world):
    store, clock, agent, _ = world
    manifest = pod("cm", ["/bin/true"], volumeMounts=[{"name": "data", "mountPath": "/data"}])
    manifest["spec"]["volumes"] = [{"name": "data", "nfs": {"server": "nfs.example", "path": "/export"}}]
    store.create(manifest)
    p = run_until(agent, store, "cm", lambda p: p.get("status", {}).get("containerStatuses"))
    waiting = p["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "CreateContainerConfigError"
    assert "type nfs is not supported" in waiting["message"]
