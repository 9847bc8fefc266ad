"""Property test: a Deployment rolling from one template to another, driven
only by kubekit's decision functions, keeps the RollingUpdate guarantees and
converges.

Simulation (one tick = one deployment sync, then every ReplicaSet syncs, then
time advances one second):

* deployment sync = ``rolloutRolling``: create the new RS if missing (sized by
  ``new_rs_new_replicas``), else ``rolling_update_step``;
* ReplicaSet sync = ``manage_replicas_decision``; pods are created not ready
  and become ready after a per-pod delay drawn by hypothesis (0 = at once);
  deletions pick pods with ``pods_to_delete`` and remove them at once;
* statuses are recomputed with ``replicaset_status`` (minReadySeconds 0).

Invariants after every step: available pods >= replicas - maxUnavailable
(they start all available) and total pods <= replicas + maxSurge.  At the
end: only the new RS has pods, all available.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings, strategies as st

from ctrl_builders import NOW, ts
from kubekit.controllers import (
    is_pod_ready, manage_replicas_decision, max_surge, max_unavailable, new_rs_new_replicas, pods_to_delete,
    replicaset_status, rolling_update_step,
)

OLD_TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "web:1"}]}}
NEW_TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "web:2"}]}}

int_or_percent = st.one_of(st.integers(0, 4), st.sampled_from(["0%", "10%", "25%", "50%", "100%"]))


class Cluster:
    def __init__(self, replicas: int, surge, unavailable, delays: list[int]) -> None:
        self.d = {"metadata": {"name": "web"},
                  "spec": {"replicas": replicas, "template": NEW_TEMPLATE,
                           "strategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}}
        self.now = NOW
        self.delays = delays
        self.serial = 0
        self.pods: dict[str, list[dict]] = {"web-old": [self._pod("web-old", ready=True) for _ in range(replicas)]}
        self.rss = {"web-old": self._rs("web-old", replicas, OLD_TEMPLATE, NOW - timedelta(hours=1))}
        self.refresh_status()

    def _rs(self, name, replicas, template, created):
        return {"metadata": {"name": name, "uid": f"uid-{name}", "creationTimestamp": ts(created)},
                "spec": {"replicas": replicas, "template": template}, "status": {}}

    def _pod(self, owner: str, ready: bool) -> dict:
        self.serial += 1
        delay = self.delays[self.serial % len(self.delays)] if self.delays else 0
        return {"metadata": {"name": f"{owner}-{self.serial}", "uid": f"{self.serial:08d}",
                             "creationTimestamp": ts(self.now), "labels": {"app": "web"}},
                "spec": {"nodeName": f"node-{self.serial % 3}"},
                "status": {"phase": "Running" if ready else "Pending",
                           "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                           "lastTransitionTime": ts(self.now)}]},
                "ready_at": self.now if ready else self.now + timedelta(seconds=delay)}

    def refresh_status(self) -> None:
        for name, r in self.rss.items():
            r["status"] = replicaset_status(r, self.pods.get(name, []), self.now)

    def total_pods(self) -> int:
        return sum(len(p) for p in self.pods.values())

    def available_pods(self) -> int:
        return sum(1 for ps in self.pods.values() for p in ps if is_pod_ready(p))

    def deployment_sync(self) -> None:
        new_rs, old = self.rss.get("web-new"), [self.rss["web-old"]]
        if new_rs is None:
            new_rs = self._rs("web-new", 0, NEW_TEMPLATE, self.now)
            new_rs["spec"]["replicas"] = new_rs_new_replicas(self.d, old + [new_rs], new_rs)
            self.rss["web-new"] = new_rs
            self.pods["web-new"] = []
            return
        step = rolling_update_step(self.d, new_rs, old)
        for name, size in step.replicas.items():
            self.rss[name]["spec"]["replicas"] = size

    def replicaset_sync(self) -> None:
        related = [p for ps in self.pods.values() for p in ps]
        for name, r in self.rss.items():
            pods = self.pods[name]
            decision = manage_replicas_decision(pods, r["spec"]["replicas"])
            if decision.action == "create":
                pods.extend(self._pod(name, ready=False) for _ in range(decision.count))
            elif decision.action == "delete":
                doomed = {p["metadata"]["uid"] for p in pods_to_delete(pods, related, decision.count, self.now)}
                self.pods[name] = [p for p in pods if p["metadata"]["uid"] not in doomed]
        self.refresh_status()

    def tick(self) -> None:
        self.now += timedelta(seconds=1)
        for ps in self.pods.values():
            for p in ps:
                if not is_pod_ready(p) and p["ready_at"] <= self.now:
                    p["status"]["phase"] = "Running"
                    p["status"]["conditions"][0].update(status="True", lastTransitionTime=ts(self.now))
        self.refresh_status()

    def converged(self) -> bool:
        return (self.rss.get("web-new", {}).get("spec", {}).get("replicas") == self.d["spec"]["replicas"]
                and self.rss["web-old"]["spec"]["replicas"] == 0 and not self.pods["web-old"]
                and len(self.pods["web-new"]) == self.d["spec"]["replicas"]
                and self.available_pods() == self.d["spec"]["replicas"])


@settings(max_examples=150, deadline=None)
@given(replicas=st.integers(0, 12), surge=int_or_percent, unavailable=int_or_percent,
       delays=st.lists(st.integers(0, 4), min_size=1, max_size=8))
def test_rolling_update_respects_surge_and_unavailability(replicas, surge, unavailable, delays):
    cluster = Cluster(replicas, surge, unavailable, delays)
    lowest = replicas - max_unavailable(cluster.d)
    highest = replicas + max_surge(cluster.d)
    for _ in range(20 * (replicas + 2) + 10 * max(delays)):
        if cluster.converged():
            break
        for step in (cluster.deployment_sync, cluster.replicaset_sync, cluster.tick):
            step()
            assert cluster.available_pods() >= lowest, "availability dropped below replicas - maxUnavailable"
            assert cluster.total_pods() <= highest, "more pods than replicas + maxSurge"
    assert cluster.converged(), {n: (r["spec"]["replicas"], r["status"]) for n, r in cluster.rss.items()}
