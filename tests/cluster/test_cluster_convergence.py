"""Hypothesis stateful test of the simulated cluster (issue 5 §7): random
sequences of apply, scale, pod deletions, node failures and recoveries,
restarts of the whole control plane from its persisted store (the WAL), and
time passing.  After every step no node is over-committed; after the cluster
settles every Deployment has exactly its replicas Running, on Ready nodes, as
long as the healthy nodes can hold them."""

from __future__ import annotations

import shutil
import tempfile
import weakref

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane
from kubekit.node.simulated import NodeTemplate
from kubekit.store import APIStore, MemoryKV

NODES = ["n0", "n1", "n2", "n3"]
NODE_CPU_MILLI = 2000
APPS = ["a", "b"]
POD_CPU_MILLI = 250


def deployment(name: str, replicas: int, image: str = "app:v1") -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "c", "image": image, "resources": {"requests": {"cpu": f"{POD_CPU_MILLI}m"}}}]}}}}


class ClusterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="kubekit-converge-")
        # hypothesis may drop a machine without teardown(): remove the directory anyway
        weakref.finalize(self, shutil.rmtree, self.dir, True)
        self.clock = FakeClock()
        self.kv = None
        self.down: set[str] = set()
        self._boot()
        self.replicas: dict[str, int] = {}

    def _boot(self) -> None:
        """A control plane (and simulated kubelets) over the store persisted in ``self.dir``."""
        self.kv = MemoryKV(self.clock, data_dir=self.dir, fsync=False)
        self.cp = ControlPlane(self.clock, store=APIStore(self.kv, clock=self.clock), start_delay=1.0)
        self.cp.fleet.add_nodes(NODES, NodeTemplate(cpu=str(NODE_CPU_MILLI // 1000)))
        for node in self.down:
            self.cp.fleet.stop_node(node)

    @rule()
    def restart_the_control_plane(self):
        """Every process restarts: the store recovers from its log, every
        controller relists, the kubelets come back with their pods."""
        before = {k: sorted((o["metadata"]["name"], o["metadata"]["resourceVersion"])
                            for o in self.cp.store.list(k)[0]) for k in ("Deployment", "ReplicaSet", "Pod")}
        rev = self.kv.revision
        self.kv.close()
        self._boot()
        after = {k: sorted((o["metadata"]["name"], o["metadata"]["resourceVersion"])
                           for o in self.cp.store.list(k)[0]) for k in ("Deployment", "ReplicaSet", "Pod")}
        assert after == before, "the restarted store lost or changed acknowledged objects"
        assert self.kv.revision >= rev

    # -- actions ---------------------------------------------------------------------
    @rule(app=st.sampled_from(APPS), replicas=st.integers(0, 8))
    def apply(self, app, replicas):
        if app in self.replicas:
            self.cp.store.guaranteed_update("Deployment", "default", app,
                                            lambda d: {**d, "spec": {**d["spec"], "replicas": replicas}})
        else:
            self.cp.store.create(deployment(app, replicas))
        self.replicas[app] = replicas

    @precondition(lambda self: bool(self.replicas))
    @rule(app=st.sampled_from(APPS), version=st.sampled_from(["v2", "v3"]))
    def roll(self, app, version):
        if app not in self.replicas:
            return
        tpl = deployment(app, 0, f"app:{version}")["spec"]["template"]
        self.cp.store.guaranteed_update("Deployment", "default", app,
                                        lambda d: {**d, "spec": {**d["spec"], "template": tpl}})

    @rule(index=st.integers(0, 50))
    def delete_a_pod(self, index):
        pods = self.cp.pods.list()
        if pods:
            p = pods[index % len(pods)]
            try:
                self.cp.store.delete("Pod", "default", p["metadata"]["name"])
            except KeyError:
                pass

    @precondition(lambda self: len(self.down) < 2)
    @rule(node=st.sampled_from(NODES))
    def fail_a_node(self, node):
        self.cp.fleet.stop_node(node)
        self.down.add(node)

    @precondition(lambda self: bool(self.down))
    @rule(data=st.data())
    def recover_a_node(self, data):
        node = data.draw(st.sampled_from(sorted(self.down)))
        self.cp.fleet.restart_node(node)
        self.down.discard(node)

    @rule(seconds=st.sampled_from([0.5, 5.0, 60.0]))
    def let_time_pass(self, seconds):
        self.cp.step()
        self.cp.clock.advance(seconds)
        self.cp.step()

    # -- properties -----------------------------------------------------------------
    @invariant()
    def no_node_is_over_committed(self):
        used: dict[str, int] = {}
        for p in self.cp.store.list("Pod", "default")[0]:
            node = p["spec"].get("nodeName")
            if node and p.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
                used[node] = used.get(node, 0) + POD_CPU_MILLI
        assert all(v <= NODE_CPU_MILLI for v in used.values()), used

    @invariant()
    def pod_counts_match_a_scan_of_the_cache(self):
        pods = [p for p in self.cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
        for phase in (None, "Pending", "Running"):
            for ns in (None, "default", "other"):
                want = sum(1 for p in pods if (ns is None or p["metadata"].get("namespace") == ns)
                           and (phase is None or (p.get("status") or {}).get("phase") == phase))
                assert self.cp.count_pods(ns, phase) == want, (ns, phase)

    def teardown(self):
        try:
            self._settle()
        finally:
            self.kv.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def _settle(self):
        # Every kubelet back, time enough for backoffs, evictions and rollouts.
        for node in sorted(self.down):
            self.cp.fleet.restart_node(node)
        want = dict(self.replicas)
        capacity = len(NODES) * (NODE_CPU_MILLI // POD_CPU_MILLI)
        if sum(want.values()) > capacity:
            return                               # more than the cluster holds: nothing to converge to

        def converged() -> bool:
            pods = [p for p in self.cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
            for app, n in want.items():
                mine = [p for p in pods if p["metadata"].get("labels", {}).get("app") == app]
                running = [p for p in mine if p.get("status", {}).get("phase") == "Running"]
                if len(mine) != n or len(running) != n:
                    return False
            return True
        self.cp.run_until(converged, max_sim_seconds=3600)
        self.no_node_is_over_committed()


ClusterMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=20, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_the_cluster_converges_and_never_over_commits = ClusterMachine.TestCase
