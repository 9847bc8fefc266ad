"""The pure rules behind ``kubekit serve``'s node endpoints: the cpu rate
between two usage samples (what ``top`` and the autoscaler read), the
metrics API's quantities, and which log file answers a logs request."""

from __future__ import annotations

import pytest

from kubekit.server.metrics import (ContainerUsage, PodUsage, Sample, cpu_quantity, go_duration, memory_quantity,
                                    usage_between)
from kubekit.server.podlogs import LogTarget, last_lines, log_target
from kubekit.server.status import BadRequest


def c(cid, cpu_ns, mem):
    return {"id": cid, "cpu_ns": cpu_ns, "memory_bytes": mem}


def sample(t, **pods):
    return Sample(t, 1_800_000_000 + t, {k.replace("__", "/"): {"containers": v} for k, v in pods.items()})


@pytest.mark.parametrize("prev, cur, want", [
    # one container, 0.5 cpu-seconds over 2 s: 250m = 250,000,000 nanocores; memory from the newer sample
    (sample(10, default__web={"app": c("a0", 1_000_000_000, 10)}),
     sample(12, default__web={"app": c("a0", 1_500_000_000, 20)}),
     {"default/web": PodUsage((ContainerUsage("app", 250_000_000, 20),))}),
    # two containers: both rated, in name order; the pod's usage is their sum
    (sample(0, ns__p={"b": c("b0", 0, 1), "a": c("a0", 0, 2)}),
     sample(1, ns__p={"b": c("b0", 3, 5), "a": c("a0", 1_000_000_000, 7)}),
     {"ns/p": PodUsage((ContainerUsage("a", 1_000_000_000, 7), ContainerUsage("b", 3, 5)))}),
    # an idle container: a rate of 0
    (sample(0, ns__p={"a": c("a0", 5, 1)}), sample(4, ns__p={"a": c("a0", 5, 1)}),
     {"ns/p": PodUsage((ContainerUsage("a", 0, 1),))}),
    # a pod first seen in the newer sample: no rate yet
    (sample(0), sample(1, ns__new={"a": c("a0", 10, 1)}), {}),
    # a restarted container (new id), even with a larger counter: no rate across instances
    (sample(0, ns__p={"a": c("a0", 10, 1)}), sample(1, ns__p={"a": c("a1", 20, 1)}), {}),
    # a counter that went back: no rate
    (sample(0, ns__p={"a": c("a0", 10, 1)}), sample(1, ns__p={"a": c("a0", 5, 1)}), {}),
    # one of two containers without a rate: the pod is left out (metrics-server reports whole pods)
    (sample(0, ns__p={"a": c("a0", 0, 1)}), sample(1, ns__p={"a": c("a0", 9, 1), "b": c("b0", 1, 1)}), {}),
    # a pod with no running container: nothing to report
    (sample(0, ns__p={}), sample(1, ns__p={}), {}),
    # samples out of order or at the same instant: no rates
    (sample(5, ns__p={"a": c("a0", 0, 1)}), sample(5, ns__p={"a": c("a0", 9, 1)}), {}),
    (sample(6, ns__p={"a": c("a0", 0, 1)}), sample(5, ns__p={"a": c("a0", 9, 1)}), {}),
    # rounding to whole nanocores
    (sample(0, ns__p={"a": c("a0", 0, 0)}), sample(3, ns__p={"a": c("a0", 10, 0)}),
     {"ns/p": PodUsage((ContainerUsage("a", 3, 0),))}),
])
def test_usage_between(prev, cur, want):
    assert usage_between(prev, cur) == want


def test_pod_usage_sums():
    u = PodUsage((ContainerUsage("a", 5, 100), ContainerUsage("b", 7, 1)))
    assert (u.nanocores, u.memory_bytes) == (12, 101)


@pytest.mark.parametrize("fn, value, text", [
    (cpu_quantity, 0, "0"), (cpu_quantity, 12_345_678, "12345678n"), (cpu_quantity, 2_000_000_000, "2"),
    (cpu_quantity, 250_000_000, "250m"),
    (memory_quantity, 0, "0"), (memory_quantity, 3 << 20, "3Mi"), (memory_quantity, 240 << 10, "240Ki"),
    (memory_quantity, 12345, "12345"),
    (go_duration, 5.0, "5s"), (go_duration, 1.5004, "1.5s"), (go_duration, 0.25, "250ms"),
    (go_duration, 0.5079912, "507.991ms"),
])
def test_metrics_quantities(fn, value, text):
    assert fn(value) == text


def pod(containers=("app",), inits=(), node="node-a", statuses=None, init_statuses=None):
    return {"metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"nodeName": node, "containers": [{"name": n} for n in containers],
                     "initContainers": [{"name": n} for n in inits]},
            "status": {"containerStatuses": statuses or [], "initContainerStatuses": init_statuses or []}}


def st(name="app", restarts=0, state=None, last=None):
    out = {"name": name, "restartCount": restarts, "state": state or {}}
    if last is not None:
        out["lastState"] = {"terminated": last}
    return out


RUNNING = {"running": {"startedAt": "x"}}
DONE = {"terminated": {"exitCode": 0, "reason": "Completed"}}
BACKOFF = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s"}}
CREATING = {"waiting": {"reason": "ContainerCreating"}}
EXIT1 = {"exitCode": 1, "reason": "Error"}


@pytest.mark.parametrize("p, container, previous, want", [
    # the only container, running: its current file, still being written
    (pod(statuses=[st(state=RUNNING)]), None, False, LogTarget("app", 0, True)),
    (pod(statuses=[st(restarts=2, state=RUNNING, last=EXIT1)]), "app", False, LogTarget("app", 2, True)),
    # previous of a running container: the instance before it
    (pod(statuses=[st(restarts=2, state=RUNNING, last=EXIT1)]), "app", True, LogTarget("app", 1, False)),
    # waiting to restart (CrashLoopBackOff): both read the instance that just ended
    (pod(statuses=[st(restarts=1, state=BACKOFF, last=EXIT1)]), None, False, LogTarget("app", 1, False)),
    (pod(statuses=[st(restarts=1, state=BACKOFF, last=EXIT1)]), None, True, LogTarget("app", 1, False)),
    # finished for good
    (pod(statuses=[st(state=DONE)]), None, False, LogTarget("app", 0, False)),
    # an init container, by name
    (pod(inits=("setup",), statuses=[st(state=CREATING)], init_statuses=[st("setup", state=DONE)]), "setup", False,
     LogTarget("setup", 0, False)),
    # one of two containers, by name
    (pod(containers=("a", "b"), statuses=[st("a", state=RUNNING), st("b", 3, RUNNING, EXIT1)]), "b", False,
     LogTarget("b", 3, True)),
])
def test_log_target(p, container, previous, want):
    assert log_target(p, container, previous) == want


@pytest.mark.parametrize("p, container, previous, message", [
    (pod(containers=("a", "b")), None, False, "a container name must be specified for pod web, choose one of: [a b]"),
    (pod(containers=("a", "b"), inits=("i",)), None, False,
     "a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]"),
    (pod(), "x", False, "container x is not valid for pod web"),
    (pod(node=None), None, False, "pod web does not have a host assigned"),
    (pod(), None, False, 'container "app" in pod "web" is not available'),
    (pod(statuses=[st(state=CREATING)]), None, False, 'container "app" in pod "web" is waiting to start: '
                                                      "ContainerCreating"),
    (pod(statuses=[st(state={})]), None, False, 'container "app" in pod "web" is waiting to start - no logs yet'),
    (pod(statuses=[st(state=RUNNING)]), None, True, 'previous terminated container "app" in pod "web" not found'),
])
def test_log_target_errors(p, container, previous, message):
    with pytest.raises(BadRequest) as ei:
        log_target(p, container, previous)
    assert str(ei.value) == message


@pytest.mark.parametrize("data, n, want", [
    (b"a\nb\nc\n", 1, b"c\n"), (b"a\nb\nc\n", 2, b"b\nc\n"), (b"a\nb\nc\n", 3, b"a\nb\nc\n"),
    (b"a\nb\nc\n", 10, b"a\nb\nc\n"), (b"a\nb\nc\n", 0, b""), (b"a\nb\nc\n", -1, b"a\nb\nc\n"),
    (b"a\nb\nc\n", None, b"a\nb\nc\n"), (b"a\nb\npartial", 1, b"partial"), (b"a\nb\npartial", 2, b"b\npartial"),
    (b"", 3, b""), (b"\n\n", 1, b"\n"),
])
def test_last_lines(data, n, want):
    assert last_lines(data, n) == want


def test_read_tail_matches_last_lines_on_a_large_file(tmp_path):
    from kubekit.server.podlogs import _read_tail
    data = b"".join(b"line %d %s\n" % (i, b"x" * (i % 50)) for i in range(5000))
    path = tmp_path / "0.log"
    path.write_bytes(data)
    for n in (0, 1, 7, 300, 4999, 5000, 6000, -1, None):
        with open(path, "rb") as f:
            assert _read_tail(f, n) == last_lines(data, n)
            assert f.read() == b""            # positioned at the end: a follow reads only what comes next


class _Window:
    def __init__(self, prev, cur):
        self.w = (prev, cur)

    def window(self):
        return self.w


def test_metrics_api_bodies_from_two_samples():
    """PodMetrics per pod of the node (labels and selectors from the store), NodeMetrics the sum of its pods."""
    from kubekit.errors import NotFoundError
    from kubekit.server.metrics import MetricsAPI
    from kubekit.store import APIStore

    store = APIStore()
    for name, node, labels in (("web", "node-a", {"app": "web"}), ("db", "node-a", {"app": "db"}),
                               ("far", "sim-node-0", {"app": "web"})):
        store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                                      "labels": labels},
                      "spec": {"nodeName": node, "containers": [{"name": "app", "image": "x"}]}})
    store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a", "labels": {"zone": "z"}},
                  "spec": {}})
    # the agent samples its own pods only ("far" runs on another node)
    prev = sample(100, default__web={"app": c("w", 0, 0)}, default__db={"app": c("d", 0, 0)})
    cur = sample(102, default__web={"app": c("w", 1_000_000_000, 3 << 20)},
                 default__db={"app": c("d", 200_000_000, 1 << 20)})
    api = MetricsAPI(store, _Window(prev, cur), "node-a")
    code, body = api.handle("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", {})
    assert code == 200 and body["kind"] == "PodMetricsList"
    assert [(i["metadata"]["name"], i["containers"]) for i in body["items"]] == [
        ("db", [{"name": "app", "usage": {"cpu": "100m", "memory": "1Mi"}}]),
        ("web", [{"name": "app", "usage": {"cpu": "500m", "memory": "3Mi"}}])]
    web = body["items"][1]
    assert web["metadata"]["labels"] == {"app": "web"} and web["window"] == "2s"
    assert web["timestamp"] == "2027-01-15T08:01:42Z"
    _, body = api.handle("/apis/metrics.k8s.io/v1beta1/pods", {"labelSelector": "app=web"})
    assert [i["metadata"]["name"] for i in body["items"]] == ["web"]
    _, one = api.handle("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db", {})
    assert one["kind"] == "PodMetrics" and one["metadata"]["name"] == "db"
    _, nodes = api.handle("/apis/metrics.k8s.io/v1beta1/nodes", {})
    assert [(n["metadata"]["name"], n["usage"]) for n in nodes["items"]] == [
        ("node-a", {"cpu": "600m", "memory": "4Mi"})]
    assert nodes["items"][0]["metadata"]["labels"] == {"zone": "z"}
    assert api.handle("/apis/metrics.k8s.io/v1beta1/nodes", {"labelSelector": "zone=y"})[1]["items"] == []
    with pytest.raises(NotFoundError, match='podmetrics.metrics.k8s.io "default/far" not found'):
        api.handle("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/far", {})
    with pytest.raises(NotFoundError, match='nodemetrics.metrics.k8s.io "sim-node-0" not found'):
        api.handle("/apis/metrics.k8s.io/v1beta1/nodes/sim-node-0", {})
    # before two samples: nothing yet
    empty = MetricsAPI(store, _Window(None, None), "node-a")
    empty.sampler.window = lambda: None
    assert empty.handle("/apis/metrics.k8s.io/v1beta1/nodes", {})[1]["items"] == []
    assert empty.handle("/apis/metrics.k8s.io/v1beta1/pods", {})[1]["items"] == []


def test_the_sampler_keeps_the_last_two_samples():
    from kubekit.clock import FakeClock
    from kubekit.server.metrics import MetricsSampler

    clock = FakeClock()
    counter = iter(range(100))
    sampler = MetricsSampler(lambda: {"n": next(counter)}, clock, interval=5)
    assert sampler.window() is None
    sampler.run_once()
    assert sampler.window() is None and sampler.next_wakeup() == 5
    sampler.run_once()                              # not due yet: no sample
    clock.advance(5)
    sampler.run_once()
    prev, cur = sampler.window()
    assert (prev.pods, cur.pods, cur.time - prev.time) == ({"n": 0}, {"n": 1}, 5)
    clock.advance(7)
    sampler.run_once()
    prev, cur = sampler.window()
    assert (prev.pods, cur.pods, cur.time - prev.time) == ({"n": 1}, {"n": 2}, 7)

    def broken():
        raise OSError("the cgroup went away")
    sampler.source = broken
    clock.advance(5)
    assert sampler.run_once() == 0 and sampler.window()[1].pods == {"n": 2}      # a failed sample is skipped
