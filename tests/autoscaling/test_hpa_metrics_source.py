"""The metrics interface of the HPA controller and its sources: the
simulated fleet, the real node agent's samples (metrics-server's rate
semantics), the settable custom/external source, and their combination."""

from __future__ import annotations

import pytest

from kubekit.autoscaling.metrics_source import (
    AgentMetrics,
    CombinedMetrics,
    FleetMetrics,
    MetricsSource,
    MetricsUnavailable,
    ObjectRef,
    ResourceValue,
    StaticMetrics,
    select_pods,
)
from kubekit.clock import FakeClock
from kubekit.server.metrics import MetricsSampler
from kubekit.store.selectors import EVERYTHING, NOTHING, parse_labels


def pod(ns, name, labels, containers=("app",)):
    return {"metadata": {"namespace": ns, "name": name, "labels": labels},
            "spec": {"containers": [{"name": c} for c in containers]}}


PODS = {
    "a/web-1": pod("a", "web-1", {"app": "web"}),
    "a/web-2": pod("a", "web-2", {"app": "web"}, containers=("app", "sidecar")),
    "a/db-1": pod("a", "db-1", {"app": "db"}),
    "b/web-1": pod("b", "web-1", {"app": "web"}),
}


@pytest.mark.parametrize("namespace, selector, expected", [
    ("a", parse_labels("app=web"), [("a/web-1", "web-1"), ("a/web-2", "web-2")]),
    ("a", EVERYTHING, [("a/web-1", "web-1"), ("a/web-2", "web-2"), ("a/db-1", "db-1")]),
    ("a", NOTHING, []),
    ("b", parse_labels("app=web"), [("b/web-1", "web-1")]),
    ("c", EVERYTHING, []),
    ("a", parse_labels("app=web,tier=x"), []),
])
def test_select_pods(namespace, selector, expected):
    assert list(select_pods(PODS, namespace, selector, PODS.get)) == expected


class _Fleet:
    """What FleetMetrics reads of a SimulatedFleet: usage(namespace), pods, clock."""

    def __init__(self, clock, usage):
        self.clock, self._usage, self.pods, self.calls = clock, usage, PODS, 0

    def usage(self, namespace=None):
        self.calls += 1
        return {k: v for k, v in self._usage.items() if namespace is None or k.startswith(namespace + "/")}


def test_fleet_metrics_by_selector_and_resource():
    clock = FakeClock()
    fleet = _Fleet(clock, {"a/web-1": (300, 1000), "a/web-2": (500, 2000), "a/db-1": (9, 9), "b/web-1": (7, 7)})
    m = FleetMetrics(fleet, window=30.0)
    assert isinstance(m, MetricsSource)
    now = clock.now()
    assert m.resource_metrics("cpu", "a", parse_labels("app=web")) == {
        "web-1": ResourceValue(300, now, 30.0), "web-2": ResourceValue(500, now, 30.0)}
    assert m.resource_metrics("memory", "a", parse_labels("app=web"))["web-2"].value == 2000
    # a ContainerResource query: pods that have the container
    assert set(m.resource_metrics("cpu", "a", parse_labels("app=web"), "sidecar")) == {"web-2"}
    assert fleet.calls == 1                        # one snapshot per namespace and clock instant
    m.resource_metrics("cpu", "b", EVERYTHING)
    assert fleet.calls == 2
    clock.advance(1)
    m.resource_metrics("cpu", "b", EVERYTHING)
    assert fleet.calls == 3
    with pytest.raises(MetricsUnavailable, match="no metrics returned from resource metrics API"):
        m.resource_metrics("cpu", "a", parse_labels("app=none"))
    with pytest.raises(MetricsUnavailable):
        m.pods_metric("qps", "a", EVERYTHING)


@pytest.mark.parametrize("resource, index", [("cpu", 0), ("memory", 1), ("gpu", None)])
@pytest.mark.parametrize("namespace, selector", [
    ("a", parse_labels("app=web")), ("a", EVERYTHING), ("a", NOTHING), ("b", parse_labels("app=web")),
    ("c", EVERYTHING), ("a", parse_labels("app=web,tier=x")),
])
def test_fleet_metrics_answer_what_select_pods_selects(resource, index, namespace, selector):
    """The values of exactly the pods select_pods selects (a pod the
    informer lost is skipped unless the selector is empty); an unknown
    resource has no values, but matched pods still make it an answer."""
    clock = FakeClock()
    usage = {"a/web-1": (300, 1000), "a/web-2": (500, 2000), "a/db-1": (9, 9), "b/web-1": (7, 7), "a/gone": (1, 1)}
    m = FleetMetrics(_Fleet(clock, usage), window=15.0)
    selected = list(select_pods({k: v for k, v in usage.items()}, namespace, selector, PODS.get))
    if not selected:
        with pytest.raises(MetricsUnavailable):
            m.resource_metrics(resource, namespace, selector)
        return
    got = m.resource_metrics(resource, namespace, selector)
    want = {} if index is None else {name: ResourceValue(usage[key][index], clock.now(), 15.0)
                                     for key, name in selected}
    assert got == want
    assert all(type(v) is ResourceValue for v in got.values())


def _agent_usage(cpu_ns_web1, cpu_ns_web2, web2_id="c2"):
    return {
        "a/web-1": {"containers": {"app": {"id": "c1", "cpu_ns": cpu_ns_web1, "memory_bytes": 50 << 20}}},
        "a/web-2": {"containers": {"app": {"id": web2_id, "cpu_ns": cpu_ns_web2, "memory_bytes": 10 << 20},
                                   "sidecar": {"id": "s2", "cpu_ns": 0, "memory_bytes": 1 << 20}}},
    }


def test_agent_metrics_from_two_samples():
    clock = FakeClock()
    samples = iter([_agent_usage(1_000_000_000, 0), _agent_usage(3_500_000_000, 1_000_005_000)])
    sampler = MetricsSampler(lambda: next(samples), clock, interval=5.0)
    m = AgentMetrics(sampler, pods=PODS)
    sampler.run_once()
    with pytest.raises(MetricsUnavailable):                  # one sample: no rate yet
        m.resource_metrics("cpu", "a", EVERYTHING)
    clock.advance(5)
    sampler.run_once()
    cpu = m.resource_metrics("cpu", "a", parse_labels("app=web"))
    # rates over the 5 s between the samples; timestamp = the newer sample
    assert cpu["web-1"] == ResourceValue(500, clock.now(), 5.0)              # 2.5e9 ns / 5 s = 500m
    assert cpu["web-2"].value == 201                                         # 200001000n: MilliValue() rounds up
    mem = m.resource_metrics("memory", "a", EVERYTHING)
    assert mem["web-1"].value == 50 << 20 and mem["web-2"].value == (10 << 20) + (1 << 20)
    assert m.resource_metrics("memory", "a", EVERYTHING, "sidecar") == {"web-2": ResourceValue(1 << 20, clock.now(), 5.0)}


def test_agent_metrics_skip_a_restarted_container():
    clock = FakeClock()
    samples = iter([_agent_usage(0, 0), _agent_usage(5_000_000_000, 5_000_000_000, web2_id="c2-restarted")])
    sampler = MetricsSampler(lambda: next(samples), clock, interval=5.0)
    sampler.run_once()
    clock.advance(5)
    sampler.run_once()
    assert set(AgentMetrics(sampler, pods=PODS).resource_metrics("cpu", "a", EVERYTHING)) == {"web-1"}


def test_static_metrics_serve_what_was_set():
    clock = FakeClock()
    s = StaticMetrics(clock)
    with pytest.raises(MetricsUnavailable, match="could not find the metric qps"):
        s.pods_metric("qps", "a", EVERYTHING)
    s.set_pods_metric("a", "qps", {"web-1": 1500})
    s.set_object_metric("a", "rps", ObjectRef("Ingress", "main"), 42_000)
    s.set_external_metric("a", "queue", [1000, 2000])
    assert s.pods_metric("qps", "a", EVERYTHING) == ({"web-1": 1500}, clock.now())
    assert s.object_metric("rps", "a", ObjectRef("Ingress", "main")) == (42_000, clock.now())
    assert s.external_metric("queue", "a") == ([1000, 2000], clock.now())
    with pytest.raises(MetricsUnavailable):
        s.object_metric("rps", "a", ObjectRef("Ingress", "other"))
    with pytest.raises(MetricsUnavailable):
        s.resource_metrics("cpu", "a", EVERYTHING)


def test_combined_metrics_merge_and_fall_through():
    clock = FakeClock()
    fleet = FleetMetrics(_Fleet(clock, {"a/web-1": (300, 1)}))
    custom = StaticMetrics(clock)
    custom.set_external_metric("a", "queue", [5])
    real = FleetMetrics(_Fleet(clock, {"a/web-2": (700, 1), "a/web-1": (1, 1)}))
    both = CombinedMetrics(fleet, custom, real)
    cpu = both.resource_metrics("cpu", "a", EVERYTHING)
    assert {k: v.value for k, v in cpu.items()} == {"web-1": 300, "web-2": 700}    # first source wins a pod
    assert both.external_metric("queue", "a") == ([5], clock.now())
    with pytest.raises(MetricsUnavailable):
        both.pods_metric("qps", "a", EVERYTHING)
    with pytest.raises(ValueError):
        CombinedMetrics()


class _TrackedPods(dict):
    """An informer's face for FleetMetrics: ``get`` plus handlers, called as
    an informer calls them when a pod is put or deleted."""

    def add_handler(self, on_add=None, on_update=None, on_delete=None):
        self.handlers = (on_add, on_update, on_delete)

    def put(self, key, obj):
        old = self.get(key)
        self[key] = obj
        if old is None:
            self.handlers[0](obj)
        else:
            self.handlers[1](old, obj)

    def remove(self, key):
        self.handlers[2](self.pop(key))


def test_fleet_metrics_remember_a_selection_until_a_pod_of_the_namespace_changes():
    """With an informer, which keys a selector takes is remembered per
    namespace until a pod event there; every answer is select_pods'."""
    clock = FakeClock()
    pods = _TrackedPods()
    usage = {"a/web-1": (300, 1), "a/web-2": (500, 2), "a/db-1": (9, 9), "b/web-1": (7, 7), "a/gone": (1, 1)}
    fleet = _Fleet(clock, usage)
    fleet.pods = pods
    m = FleetMetrics(fleet, window=15.0)
    for key, obj in PODS.items():
        pods.put(key, obj)
    web = parse_labels("app=web")

    def check(namespace, selector):
        want = {name: ResourceValue(usage[key][0], clock.now(), 15.0)
                for key, name in select_pods({k: v for k, v in usage.items() if k.startswith(namespace + "/")},
                                             namespace, selector, pods.get)}
        if not want:
            with pytest.raises(MetricsUnavailable):
                m.resource_metrics("cpu", namespace, selector)
            return
        assert m.resource_metrics("cpu", namespace, selector) == want
        assert m.resource_metrics("cpu", namespace, selector) == want            # remembered

    check("a", web)
    pods.put("a/web-2", pod("a", "web-2", {"app": "db"}))                   # relabelled: no longer selected
    check("a", web)
    assert set(m.resource_metrics("cpu", "a", parse_labels("app=db"))) == {"web-2", "db-1"}
    pods.put("a/gone", pod("a", "gone", {"app": "web"}))                    # the informer now has it
    check("a", web)
    pods.remove("a/web-1")
    check("a", web)
    pods.put("b/web-1", pod("b", "web-1", {"app": "none"}))
    check("b", web)
    check("a", EVERYTHING)
    clock.advance(1)
    check("a", web)
    again = parse_labels("app=web")                 # an equal selector, another object: remembered apart
    assert again == web and again is not web
    check("a", again)
    pods.put("a/web-3", pod("a", "web-3", {"app": "web"}))
    usage["a/web-3"] = (1, 1)
    clock.advance(1)
    check("a", again)
    check("a", web)
