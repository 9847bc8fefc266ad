"""A whole simulated cluster on a fake clock: apply a Deployment, and the
store, controllers, scheduler and simulated nodes bring it to Running."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane
from kubekit.node.simulated import NodeTemplate


def deployment(name, replicas, cpu="100m", image="app:v1"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image,
                                                           "resources": {"requests": {"cpu": cpu}}}]}}}}


def test_a_deployment_becomes_running_on_simulated_nodes():
    cp = ControlPlane(FakeClock(), start_delay=2.0)
    cp.fleet.add_nodes([f"n{i}" for i in range(5)], NodeTemplate(cpu="4"))
    cp.store.create(deployment("web", 30))
    took = cp.run_until(lambda: cp.count_pods("default", "Running") == 30)
    assert 2.0 <= took < 60
    pods = cp.pods.list()
    per_node = {}
    for p in pods:
        per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1
    assert sorted(per_node.values()) == [6, 6, 6, 6, 6]       # LeastAllocated spreads them evenly
    cp.run_until(lambda: cp.store.get("Deployment", "default", "web").get("status", {}).get("availableReplicas") == 30,
                 max_sim_seconds=30)


def test_pods_that_do_not_fit_stay_pending_until_nodes_are_added():
    cp = ControlPlane(FakeClock())
    cp.fleet.add_nodes(["n0"], NodeTemplate(cpu="1"))
    cp.store.create(deployment("big", 4, cpu="500m"))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 2)
    cp.run_until(lambda: cp.scheduler.queue.counts()["unschedulable"] == 2)
    cp.fleet.add_nodes(["n1"], NodeTemplate(cpu="1"))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 4)
    assert {p["spec"]["nodeName"] for p in cp.pods.list()} == {"n0", "n1"}


def test_a_rolling_update_on_the_simulated_cluster_completes():
    cp = ControlPlane(FakeClock(), start_delay=1.0)
    cp.fleet.add_nodes([f"n{i}" for i in range(4)], NodeTemplate(cpu="8"))
    cp.store.create(deployment("web", 12))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 12)
    cp.store.guaranteed_update("Deployment", "default", "web", lambda d: {**d, "spec": {**d["spec"], "template": {
        **d["spec"]["template"], "spec": {"containers": [{"name": "c", "image": "app:v2",
                                                         "resources": {"requests": {"cpu": "100m"}}}]}}}})

    def done():
        pods = [p for p in cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
        return len(pods) == 12 and all(p["spec"]["containers"][0]["image"] == "app:v2" and
                                       p.get("status", {}).get("phase") == "Running" for p in pods)
    cp.run_until(done)
    cp.run_until(lambda: (lambda st: (st.get("updatedReplicas"), st.get("availableReplicas")) == (12, 12))(
        cp.store.get("Deployment", "default", "web").get("status", {})), max_sim_seconds=30)


def test_only_the_leader_runs_controllers_and_another_takes_over():
    from kubekit.store import APIStore

    clock = FakeClock()
    store = APIStore(clock=clock)
    a = ControlPlane(clock, store=store, identity="cp-a")
    b = ControlPlane(clock, store=store, identity="cp-b")
    a.fleet.add_nodes(["n0"], NodeTemplate(cpu="4"))
    a.step()
    b.step()
    assert a.is_leader and not b.is_leader
    store.create(deployment("web", 3))
    for _ in range(20):
        a.step()
        b.step()
        clock.advance(0.5)
    assert a.count_pods("default", "Running") == 3
    assert b.scheduler.attempts == [] and len(a.scheduler.attempts) == 3
    # a stops (its process died): after the 15 s lease, b leads and schedules
    store.guaranteed_update("Deployment", "default", "web", lambda d: {**d, "spec": {**d["spec"], "replicas": 5}})
    waited = 0.0
    while not b.is_leader:
        b.step()
        clock.advance(1.0)
        waited += 1.0
    assert 14 <= waited <= 18
    b.fleet.add_nodes(["n0"], NodeTemplate(cpu="4"))     # the node's kubelet, now talking to b's world
    b.run_until(lambda: b.count_pods("default", "Running") == 5)
    assert len(b.scheduler.attempts) == 2


def test_scaling_in_the_middle_of_a_rollout_still_converges():
    # Found by the convergence state machine: 5 replicas, a rollout starts, then
    # a scale to 6 whose surge room (6 + 2) the ReplicaSets already fill.  The
    # sizes stay, but every active ReplicaSet's desired-replicas annotation must
    # move to 6, or the scaling event never ends and the rollout stalls.
    cp = ControlPlane(FakeClock(), start_delay=1.0)
    cp.fleet.add_nodes([f"n{i}" for i in range(4)], NodeTemplate(cpu="2"))
    cp.store.create(deployment("a", 5, cpu="250m"))
    for _ in range(2):
        cp.step()
    cp.clock.advance(0.5)
    cp.step()
    cp.store.guaranteed_update("Deployment", "default", "a", lambda d: {**d, "spec": {**d["spec"], "template": {
        **d["spec"]["template"], "spec": {"containers": [{"name": "c", "image": "app:v2",
                                                         "resources": {"requests": {"cpu": "250m"}}}]}}}})
    cp.step()
    cp.clock.advance(0.5)
    cp.step()
    cp.store.guaranteed_update("Deployment", "default", "a", lambda d: {**d, "spec": {**d["spec"], "replicas": 6}})

    def done():
        pods = [p for p in cp.pods.list() if not p["metadata"].get("deletionTimestamp")]
        return len(pods) == 6 and all(p["spec"]["containers"][0]["image"] == "app:v2" and
                                      p.get("status", {}).get("phase") == "Running" for p in pods)
    cp.run_until(done, max_sim_seconds=600)
    assert {rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"]
            for rs in cp.store.list("ReplicaSet", "default")[0]} == {"6"}


def test_removing_a_simulated_node_deletes_it_its_lease_and_its_pods_and_the_replicaset_replaces_them():
    cp = ControlPlane(FakeClock())
    cp.fleet.add_nodes(["n0", "n1"], NodeTemplate(cpu="2"))
    cp.store.create(deployment("web", 4, cpu="500m"))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 4)
    on_n1 = {p["metadata"]["name"] for p in cp.pods.list() if p["spec"]["nodeName"] == "n1"}
    assert on_n1
    assert cp.fleet.remove_nodes(["n1", "nope"]) == 1
    assert [n["metadata"]["name"] for n in cp.store.list("Node")[0]] == ["n0"]
    assert [le["metadata"]["name"] for le in cp.store.list("Lease", "kube-node-lease")[0]] == ["n0"]
    cp.run_until(lambda: cp.count_pods("default", "Running") == 4 and
                 not on_n1 & {p["metadata"]["name"] for p in cp.pods.list()})
    assert {p["spec"]["nodeName"] for p in cp.pods.list()} == {"n0"}


def test_a_namespace_usage_model_answers_for_the_running_pods_of_each_namespace():
    clock = FakeClock()
    cp = ControlPlane(clock)
    calls = []

    def per_namespace(ns, running, now):
        calls.append((ns, sorted(running)))
        share = 1000 // len(running)
        return {**dict.fromkeys(running, (share, int(now))), f"{ns}/not-running": (1, 1)}
    cp.fleet.add_nodes(["n0"], NodeTemplate(cpu="8"))
    cp.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    cp.store.create(deployment("web", 3))
    cp.store.create({**deployment("api", 2), "metadata": {"name": "api", "namespace": "other"}})
    cp.run_until(lambda: cp.count_pods(phase="Running") == 5)
    per_pod = cp.fleet.usage()
    cp.fleet.namespace_usage_model = per_namespace
    now = clock.monotonic()
    web = cp.fleet.usage("default")
    assert sorted(web) == sorted(cp.fleet.running_in("default")) and len(web) == 3    # the extra key is left out
    assert set(web.values()) == {(333, int(now))}
    assert calls == [("default", sorted(web))]
    everything = cp.fleet.usage()
    assert everything.keys() == per_pod.keys()                       # the same pods as the per-pod path
    assert {k: v for k, v in everything.items() if k.startswith("other/")} == {
        k: (500, int(now)) for k in cp.fleet.running_in("other")}
    assert cp.fleet.usage("nowhere") == {} and calls[-1][0] != "nowhere"    # no running pods: not asked


def test_a_usage_model_gives_each_running_pod_its_usage_at_the_clock_time():
    clock = FakeClock()
    cp = ControlPlane(clock)
    cp.fleet.usage_model = lambda pod, now: (int(now * 10), len(pod["metadata"]["name"]))
    cp.fleet.add_nodes(["n0"], NodeTemplate(cpu="4"))
    cp.store.create(deployment("web", 2))
    cp.run_until(lambda: cp.count_pods("default", "Running") == 2)
    clock.advance(5)
    now = clock.monotonic()
    got = cp.fleet.usage()
    assert sorted(got) == sorted(f"default/{p['metadata']['name']}" for p in cp.pods.list())
    assert all(v == (int(now * 10), len(k.split("/")[1])) for k, v in got.items())
    assert cp.fleet.usage("default") == got and cp.fleet.usage("other") == {}
    assert cp.fleet.running_in("default").keys() == got.keys()
    victim = cp.pods.list()[0]["metadata"]["name"]
    cp.store.delete("Pod", "default", victim, grace_period_seconds=0)
    cp.sync()
    assert f"default/{victim}" not in cp.fleet.running_in("default") and len(cp.fleet.usage("default")) == 1
