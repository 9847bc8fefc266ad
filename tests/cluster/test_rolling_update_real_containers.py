"""A rolling update on the local node, with real containers (issue 5 §7): a
Deployment's pods run as busybox ``httpd`` containers behind an httpGet
readiness probe, through the real scheduling loop, ReplicaSet and Deployment
controllers and node agent, on the real clock; while the pod template changes,
every change to the Deployment's pods is checked.  Needs root (namespaces,
cgroups, mounts), as CI runs it.

What is counted.  The Deployment controller guarantees *availability*: it
scales an old ReplicaSet down only by as many pods as are available beyond
``replicas - maxUnavailable`` (``reconcileOldReplicaSets``), and it never
counts a terminating pod (``deletionTimestamp`` set) as available, since such
a pod is on its way out whatever its Ready condition still says (with graceful
deletion the node keeps serving it until its containers stop).  So the
invariant checked is on pods that are Ready and not terminating; with
``minReadySeconds`` 0 that is exactly the controller's "available".  Counting
a terminating pod would hide a dip the controller caused; counting Running
instead of Ready would hide a pod counted too early (the containers here sleep
a second before they serve, so Running comes well before Ready).

How it is sampled.  A store watch on the Deployment's pods, opened before the
Deployment exists, replays every change in revision order; the count is taken
after each single event, so no momentary dip between two polls is missed.  The
Recreate test is the sampler's own check: that strategy must be seen
dropping to 0 Ready pods.
"""

from __future__ import annotations

import glob
import os
import time

import pytest

from kubekit.kubectl.client import Client
from kubekit.server.testing import local_node_dirs, running_server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

GUARD = 60.0                 # seconds before a wait gives up (a hang guard, not a performance assertion)
REPLICAS = 4
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
# the server sleeps a second before it listens: Running comes well before Ready
SERVE = ["/bin/sh", "-c", ("sleep 1; mkdir -p /tmp/w && echo $VERSION > /tmp/w/index.html && "
                           "exec httpd -f -p 8080 -h /tmp/w")]


def container(version: str) -> dict:
    return {"name": "web", "image": "local/busybox:1", "imagePullPolicy": "Never", "command": SERVE,
            "env": [{"name": "VERSION", "value": version}],
            "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}}


def deployment(name: str, strategy: dict) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": REPLICAS, "selector": {"matchLabels": labels}, "strategy": strategy,
                     "template": {"metadata": {"labels": labels},
                                  # httpd as PID 1 ignores SIGTERM: a deleted pod stays Terminating for 1 s
                                  "spec": {"terminationGracePeriodSeconds": 1,
                                           "containers": [container("v1")]}}}}


def is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def serving(pods: dict) -> list[str]:
    """The pods the Deployment controller counts as available (minReadySeconds 0): Ready, not terminating."""
    return sorted(n for n, p in pods.items() if is_ready(p) and not p["metadata"].get("deletionTimestamp"))


class ReadySampler:
    """Every change to the pods labelled ``app=<name>``, one event at a time,
    from a store watch (initial ADDED events for pods already there)."""

    def __init__(self, store, name: str) -> None:
        self.watch = store.watch("Pod", "default", label_selector=f"app={name}")
        self.pods: dict[str, dict] = {}
        self.trace: list[tuple[str, int, str, str]] = []      # after each event: (rv, serving, event, pod)
        self.warming: set[str] = set()                         # pods seen Running but not Ready yet

    def pump(self, timeout: float = 0.1) -> list[int]:
        """Apply the events that arrive within ``timeout``; the serving count after each."""
        counts = []
        for ev in self.watch.next_batch(timeout):
            m = ev.object["metadata"]
            if ev.type == "DELETED":
                self.pods.pop(m["name"], None)
            else:
                self.pods[m["name"]] = ev.object
                if (ev.object.get("status") or {}).get("phase") == "Running" and not is_ready(ev.object):
                    self.warming.add(m["name"])
            n = len(serving(self.pods))
            counts.append(n)
            self.trace.append((m.get("resourceVersion", ""), n, ev.type, m["name"]))
        return counts

    def until(self, done, what: str) -> list[int]:
        """Pump until ``done(pods)``; every serving count seen on the way."""
        seen: list[int] = []
        deadline = time.monotonic() + GUARD
        while not done(self.pods):
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; last events: {self.trace[-20:]}")
            seen += self.pump()
        return seen

    def close(self) -> None:
        self.watch.close()


@pytest.fixture(params=[True, False], ids=["graceful-deletion", "immediate-deletion"])
def cluster(request, rootfs):
    """``kubekit serve`` with its local node (node-a, the only node), with
    Kubernetes' graceful pod deletion (a deleted pod stays Terminating until
    the node stopped it) or the server's default immediate one; afterwards no
    container, cgroup or mount of it is left (the server's own stop, before
    local_node_dirs' safety net)."""
    with local_node_dirs(rootfs) as kw:
        top = os.path.dirname(kw["image_root"])
        with running_server(graceful_pod_deletion=request.param, **kw) as srv:
            yield srv
        cg = kw["cgroup_root"]
        left = [d for d in [f"/sys/fs/cgroup{cg}", *glob.glob(f"/sys/fs/cgroup/*{cg}")] if os.path.isdir(d)]
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            mounts = [line.split()[4] for line in f if line.split()[4].startswith(top)]
        assert (left, mounts) == ([], []), "the local node left cgroups or mounts behind"


def new_template_hash(store, name: str) -> str | None:
    """The pod-template-hash of the Deployment's current ReplicaSet (the one
    whose template it runs now); None while there is none (Recreate creates it
    once the old pods are gone)."""
    d = store.get("Deployment", "default", name)
    env = d["spec"]["template"]["spec"]["containers"][0]["env"]
    rss, _ = store.list("ReplicaSet", "default", label_selector=f"app={name}")
    new = [rs for rs in rss if rs["spec"]["template"]["spec"]["containers"][0]["env"] == env]
    assert len(new) <= 1, new
    return new[0]["metadata"]["labels"]["pod-template-hash"] if new else None


def roll_out(srv, name: str, strategy: dict) -> tuple[list[int], ReadySampler]:
    """Create the Deployment, wait for every replica to be Ready, change the
    template (VERSION=v2) and follow the rollout to its end: every pod on the
    new ReplicaSet, Ready, the old ones gone (not even terminating) and the
    Deployment's status complete.  Returns the serving counts seen from the
    change to the end."""
    client = Client(srv.address)
    sampler = ReadySampler(srv.store, name)
    try:
        client.create(DEPLOYMENTS, deployment(name, strategy))
        sampler.until(lambda pods: len(serving(pods)) == REPLICAS == len(pods), "every replica to be Ready")
        old_hash = new_template_hash(srv.store, name)

        client.patch(f"{DEPLOYMENTS}/{name}", {"spec": {"template": {"spec": {"containers": [container("v2")]}}}})
        seen = [len(serving(sampler.pods))]

        def rolled_out(pods):
            new = new_template_hash(srv.store, name)
            return new not in (None, old_hash) and len(pods) == REPLICAS and len(serving(pods)) == REPLICAS and all(
                p["metadata"]["labels"]["pod-template-hash"] == new for p in pods.values())
        seen += sampler.until(rolled_out, "the rollout to finish")

        def complete():
            d = srv.store.get("Deployment", "default", name)
            st = d.get("status") or {}
            return (st.get("observedGeneration", 0) >= d["metadata"]["generation"] and
                    st.get("updatedReplicas") == st.get("availableReplicas") == st.get("replicas") == REPLICAS)
        deadline = time.monotonic() + GUARD
        while not complete():
            assert time.monotonic() < deadline, srv.store.get("Deployment", "default", name).get("status")
            seen += sampler.pump()
        rss, _ = srv.store.list("ReplicaSet", "default", label_selector=f"app={name}")
        assert {rs["metadata"]["labels"]["pod-template-hash"]: rs["spec"]["replicas"] for rs in rss} == {
            old_hash: 0, new_template_hash(srv.store, name): REPLICAS}
        assert all(c["env"] == [{"name": "VERSION", "value": "v2"}]
                   for p in sampler.pods.values() for c in p["spec"]["containers"])
        return seen, sampler
    finally:
        sampler.close()


def test_a_rolling_update_keeps_replicas_minus_max_unavailable_ready(cluster):
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}
    seen, sampler = roll_out(cluster, "web", strategy)
    floor = REPLICAS - 1
    assert min(seen) >= floor, f"Ready pods dipped to {min(seen)} < {floor}: {sampler.trace}"
    # the sampler really followed a rollout: old pods went, new ones became Ready, one event at a time
    assert len(seen) > 2 * REPLICAS
    assert sum(1 for _, _, t, _ in sampler.trace if t == "DELETED") >= REPLICAS
    # and Ready meant the probe passed: every new pod was Running, not Ready, first (a controller
    # taking Running for available would have dipped above)
    assert set(sampler.pods) <= sampler.warming


@pytest.mark.parametrize("cluster", [True], ids=["graceful-deletion"], indirect=True)
def test_recreate_drops_to_zero_ready_pods(cluster):
    """Recreate stops every old pod before the first new one starts: the
    sampler must see the count at 0 (it would catch the dip above)."""
    seen, sampler = roll_out(cluster, "batch", {"type": "Recreate"})
    assert min(seen) == 0, sampler.trace
    assert seen[0] == REPLICAS and seen[-1] == REPLICAS
