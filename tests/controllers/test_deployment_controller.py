"""The Deployment and ReplicaSet controllers together on a real (in-memory)
store and a fake clock; a stand-in kubelet marks pods ready."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.controllers.deployment import DeploymentController
from kubekit.controllers.informer import Informer
from kubekit.controllers.replicaset import ReplicaSetController, controller_of
from kubekit.store import APIStore
from kubekit.store.meta import rfc3339


def deployment(name="web", replicas=4, image="v1", strategy=None):
    labels = {"app": name}
    spec = {"replicas": replicas, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "c", "image": f"busybox:{image}"}]}}}
    if strategy:
        spec["strategy"] = strategy
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": spec}


class Cluster:
    def __init__(self):
        self.clock = FakeClock()
        self.store = APIStore(clock=self.clock)
        pods, rss = Informer(self.store, "Pod"), Informer(self.store, "ReplicaSet")
        self.rsc = ReplicaSetController(self.store, self.clock, pods=pods, owners=rss)
        self.dc = DeploymentController(self.store, self.clock, replicasets=rss, pods=pods)
        self.ready_each_step = 1_000_000

    def start(self):
        self.dc.start()
        self.rsc.start()

    def kubelet(self, limit):
        """Make up to ``limit`` not-yet-ready pods Running and Ready."""
        items, _ = self.store.list("Pod", "default")
        now = rfc3339(self.clock.now())
        n = 0
        for p in items:
            if n >= limit:
                break
            if p.get("status", {}).get("phase") == "Running" or p["metadata"].get("deletionTimestamp"):
                continue
            self.store.guaranteed_update("Pod", "default", p["metadata"]["name"], lambda c: {**c, "status": {
                "phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}},
                status=True)
            n += 1
        return n

    def step(self):
        did = self.dc.run_once() + self.rsc.run_once()
        did += self.kubelet(self.ready_each_step)
        self.clock.advance(1)
        return did

    def pods(self):
        items, _ = self.store.list("Pod", "default")
        return [p for p in items if not p["metadata"].get("deletionTimestamp")]

    def rss(self):
        items, _ = self.store.list("ReplicaSet", "default")
        return items


def _settle(c, rounds=40):
    for _ in range(rounds):
        c.step()


def test_a_deployment_gets_a_replicaset_and_pods():
    c = Cluster()
    c.store.create(deployment(replicas=4))
    c.start()
    _settle(c)
    (rs,) = c.rss()
    assert rs["metadata"]["name"].startswith("web-") and rs["spec"]["replicas"] == 4
    assert rs["metadata"]["labels"]["pod-template-hash"] in rs["metadata"]["name"]
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert len(c.pods()) == 4
    d = c.store.get("Deployment", "default", "web")
    st = d["status"]
    assert (st["replicas"], st["updatedReplicas"], st["availableReplicas"]) == (4, 4, 4)
    conds = {x["type"]: x for x in st["conditions"]}
    assert conds["Available"]["status"] == "True"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"


@pytest.mark.parametrize("replicas,surge,unavail", [(4, 1, 1), (10, 3, 2)])
def test_rolling_update_respects_max_surge_and_max_unavailable(replicas, surge, unavail):
    c = Cluster()
    c.store.create(deployment(replicas=replicas))
    c.start()
    _settle(c)
    c.ready_each_step = 1                          # pods become ready one at a time: a slow rollout
    c.store.guaranteed_update("Deployment", "default", "web", lambda d: {**d, "spec": {
        **d["spec"], "template": {**d["spec"]["template"], "spec": {"containers": [
            {"name": "c", "image": "busybox:v2"}]}}}})
    for _ in range(200):
        c.step()
        pods = c.pods()
        ready = [p for p in pods if p.get("status", {}).get("phase") == "Running"]
        assert len(pods) <= replicas + surge, "more pods than replicas + maxSurge"
        assert len(ready) >= replicas - unavail, "fewer ready pods than replicas - maxUnavailable"
    rss = {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in c.rss()}
    assert rss["busybox:v2"]["spec"]["replicas"] == replicas and rss["busybox:v1"]["spec"]["replicas"] == 0
    assert rss["busybox:v2"]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert all(p["spec"]["containers"][0]["image"] == "busybox:v2" for p in c.pods())
    st = c.store.get("Deployment", "default", "web")["status"]
    assert (st["updatedReplicas"], st["availableReplicas"]) == (replicas, replicas)


def test_recreate_removes_every_old_pod_before_the_new_ones():
    c = Cluster()
    c.store.create(deployment(replicas=3, strategy={"type": "Recreate"}))
    c.start()
    _settle(c)
    c.store.guaranteed_update("Deployment", "default", "web", lambda d: {**d, "spec": {
        **d["spec"], "template": {**d["spec"]["template"], "spec": {"containers": [
            {"name": "c", "image": "busybox:v2"}]}}}})
    for _ in range(60):
        c.step()
        images = {p["spec"]["containers"][0]["image"] for p in c.pods()}
        assert len(images) <= 1, f"old and new pods at once: {images}"
    assert [p["spec"]["containers"][0]["image"] for p in c.pods()] == ["busybox:v2"] * 3


def test_scaling_a_deployment_scales_its_replicaset():
    c = Cluster()
    c.store.create(deployment(replicas=2))
    c.start()
    _settle(c)
    c.store.guaranteed_update("Deployment", "default", "web", lambda d: {**d, "spec": {**d["spec"], "replicas": 5}})
    _settle(c)
    (rs,) = c.rss()
    assert rs["spec"]["replicas"] == 5 and len(c.pods()) == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"


def test_revision_history_limit_deletes_empty_old_replicasets():
    c = Cluster()
    d = deployment(replicas=1)
    d["spec"]["revisionHistoryLimit"] = 1
    c.store.create(d)
    c.start()
    _settle(c)
    for v in ("v2", "v3", "v4"):
        c.store.guaranteed_update("Deployment", "default", "web", lambda d, v=v: {**d, "spec": {
            **d["spec"], "template": {**d["spec"]["template"], "spec": {"containers": [
                {"name": "c", "image": f"busybox:{v}"}]}}}})
        _settle(c)
    images = sorted(rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in c.rss())
    assert images == ["busybox:v3", "busybox:v4"]          # the new one and one old
    assert all(controller_of(rs)["kind"] == "Deployment" for rs in c.rss())
