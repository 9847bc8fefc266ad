"""The scheduling loop on a real (in-memory) store and a fake clock."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.events import events_for
from kubekit.cluster.conditions import set_condition
from kubekit.cluster.scheduling import SchedulingLoop
from kubekit.store import APIStore


def node(name, cpu="4", memory="8Gi", pods="110", **extra):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": extra.get("spec", {}),
            "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": pods},
                       "allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}}


def pod(name, cpu="1", memory="1Gi", ns="default", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                                     "resources": {"requests": {"cpu": cpu, "memory": memory}}}], **spec}}


@pytest.fixture
def world():
    clock = FakeClock()
    store = APIStore(clock=clock)
    loop = SchedulingLoop(store, clock, seed=1)
    return store, clock, loop


def cond(p, type_):
    return next(c for c in p["status"]["conditions"] if c["type"] == type_)


def test_pending_pods_are_bound_with_condition_and_event(world):
    store, clock, loop = world
    for i in range(3):
        store.create(node(f"n{i}"))
    loop.start()
    for i in range(6):
        store.create(pod(f"p{i}"))
    assert loop.run_once() == 6
    pods, _ = store.list("Pod")
    assert all(p["spec"].get("nodeName") for p in pods)
    # LeastAllocated spreads 6 equal pods over 3 equal nodes: two each.
    per_node = sorted(sum(1 for p in pods if p["spec"]["nodeName"] == f"n{i}") for i in range(3))
    assert per_node == [2, 2, 2]
    p0 = store.get("Pod", "default", "p0")
    assert cond(p0, "PodScheduled")["status"] == "True"
    (ev,) = events_for(store, p0)
    assert (ev["reason"], ev["type"]) == ("Scheduled", "Normal")
    assert ev["message"] == f"Successfully assigned default/p0 to {p0['spec']['nodeName']}"


def test_unschedulable_pod_waits_for_a_node_that_fits(world):
    store, clock, loop = world
    store.create(node("small", cpu="2"))
    loop.start()
    store.create(pod("big", cpu="8"))
    loop.run_once()
    big = store.get("Pod", "default", "big")
    assert not big["spec"].get("nodeName")
    c = cond(big, "PodScheduled")
    assert (c["status"], c["reason"]) == ("False", "Unschedulable")
    assert c["message"] == "0/1 nodes are available: 1 Insufficient cpu."
    (ev,) = events_for(store, big)
    assert (ev["reason"], ev["type"], ev["message"]) == ("FailedScheduling", "Warning", c["message"])
    assert loop.queue.counts()["unschedulable"] == 1
    clock.advance(60)
    assert loop.run_once() == 0                       # no event, nothing retried (only the 5-minute flush would)
    store.create(node("large", cpu="16"))
    loop.run_once()
    assert store.get("Pod", "default", "big")["spec"]["nodeName"] == "large"
    assert cond(store.get("Pod", "default", "big"), "PodScheduled")["status"] == "True"


def test_a_deleted_pod_frees_its_node_for_a_waiting_one(world):
    store, clock, loop = world
    store.create(node("only", cpu="2"))
    loop.start()
    store.create(pod("first", cpu="1500m"))
    loop.run_once()
    store.create(pod("second", cpu="1500m"))
    loop.run_once()
    assert not store.get("Pod", "default", "second")["spec"].get("nodeName")
    store.delete("Pod", "default", "first")
    clock.advance(loop.next_wakeup() or 0)
    loop.run_once()
    assert store.get("Pod", "default", "second")["spec"]["nodeName"] == "only"


def test_finished_pods_release_their_resources(world):
    store, clock, loop = world
    store.create(node("only", cpu="1"))
    loop.start()
    store.create(pod("job", cpu="1"))
    store.create(pod("next", cpu="1"))
    loop.run_once()
    assert store.get("Pod", "default", "job")["spec"]["nodeName"] == "only"
    store.guaranteed_update("Pod", "default", "job",
                            lambda p: {**p, "status": {**p.get("status", {}), "phase": "Succeeded"}}, status=True)
    clock.advance(loop.next_wakeup() or 0)
    loop.run_once()
    assert store.get("Pod", "default", "next")["spec"]["nodeName"] == "only"


def test_repeated_failures_aggregate_into_one_event(world):
    store, clock, loop = world
    store.create(node("small", cpu="1"))
    loop.start()
    store.create(pod("big", cpu="4"))
    for _ in range(3):
        loop.run_once()
        store.guaranteed_update("Node", None, "small", lambda n: {**n, "metadata": {**n["metadata"], "labels": {
            **n["metadata"]["labels"], "touch": str(clock.now())}}})
        clock.advance(20)                              # past the backoff: the node update retries it
    (ev,) = events_for(store, store.get("Pod", "default", "big"))
    assert ev["reason"] == "FailedScheduling" and ev["count"] >= 3


def test_other_schedulers_pods_and_bound_pods_are_left_alone(world):
    store, clock, loop = world
    store.create(node("n0"))
    loop.start()
    store.create(pod("theirs", schedulerName="my-scheduler"))
    store.create(pod("preset", nodeName="n0", cpu="3"))
    store.create(pod("ours", cpu="2"))
    loop.run_once()
    assert not store.get("Pod", "default", "theirs")["spec"].get("nodeName")
    # The pre-bound pod is accounted: 3 of 4 cpus are taken, so "ours" (2) cannot fit.
    assert not store.get("Pod", "default", "ours")["spec"].get("nodeName")
    assert [a.pod for a in loop.attempts] == ["default/ours"]


def test_a_pod_bound_by_someone_else_meanwhile_is_not_bound_twice(world):
    store, clock, loop = world
    store.create(node("n0"))
    store.create(node("n1"))
    loop.start()
    store.create(pod("raced"))
    loop.sync()
    store.guaranteed_update("Pod", "default", "raced", lambda p: {**p, "spec": {**p["spec"], "nodeName": "n1"}})
    attempt = loop.schedule_one()              # the loop has not seen the binding yet
    assert attempt.node is None and "already assigned to node" in attempt.message
    loop.run_once()
    assert store.get("Pod", "default", "raced")["spec"]["nodeName"] == "n1"
    assert loop.scheduler.node_of("default/raced") == "n1"


def test_set_condition_moves_the_transition_time_only_on_a_status_change():
    st = {}
    assert set_condition(st, "Ready", "False", "t1", "ContainersNotReady")
    assert not set_condition(st, "Ready", "False", "t2", "ContainersNotReady")
    assert set_condition(st, "Ready", "False", "t3", "Other")
    assert st["conditions"][0]["lastTransitionTime"] == "t1"
    assert set_condition(st, "Ready", "True", "t4")
    c = st["conditions"][0]
    assert (c["status"], c["lastTransitionTime"], "reason" in c) == ("True", "t4", False)
