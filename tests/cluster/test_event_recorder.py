"""EventRecorder and client-go's EventCorrelator: repeats are counted on one
Event (count, lastTimestamp), similar events are combined after ten
messages, a source's events about an object are rate-limited (25, then one
every five minutes), and the correlator's caches are LRUs."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.event_correlator import SPAM_QPS, EventCorrelator, TokenBucket
from kubekit.cluster.events import EventRecorder, events_for
from kubekit.store import APIStore


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": f"u-{name}"}}


def test_a_repeat_bumps_count_and_last_timestamp():
    clock = FakeClock()
    store = APIStore(clock=clock)
    rec = EventRecorder(store, clock, "default-scheduler")
    rec.warning(pod("a"), "FailedScheduling", "0/3 nodes are available")
    clock.advance(30)
    rec.warning(pod("a"), "FailedScheduling", "0/3 nodes are available")
    rec.warning(pod("a"), "FailedScheduling", "0/4 nodes are available")     # another message: another event
    got = events_for(store, pod("a"))
    assert [(e["message"], e["count"]) for e in got] == [("0/3 nodes are available", 2),
                                                         ("0/4 nodes are available", 1)]
    assert got[0]["lastTimestamp"] > got[0]["firstTimestamp"]


def test_the_correlator_forgets_the_least_recently_used():
    clock = FakeClock()
    store = APIStore(clock=clock)
    rec = EventRecorder(store, clock, "c", correlator=EventCorrelator(lru_size=3))
    for name in ("a", "b", "c"):
        rec.normal(pod(name), "Scheduled", "ok")
    rec.normal(pod("a"), "Scheduled", "ok")           # a is used again: b is now the oldest
    rec.normal(pod("d"), "Scheduled", "ok")           # forgets b
    rec.normal(pod("a"), "Scheduled", "ok")
    rec.normal(pod("b"), "Scheduled", "ok")           # b was forgotten: a second Event object
    assert [e["count"] for e in events_for(store, pod("a"))] == [3]
    assert [e["count"] for e in events_for(store, pod("b"))] == [1, 1]


def test_more_than_ten_messages_of_one_reason_become_one_combined_event():
    clock = FakeClock()
    store = APIStore(clock=clock)
    rec = EventRecorder(store, clock, "replicaset-controller")
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "default",
                                                                      "uid": "u-web"}}
    for i in range(12):
        clock.advance(1)
        rec.normal(rs, "SuccessfulCreate", f"Created pod: web-{i}")
    got = events_for(store, rs)
    assert [(e["message"], e["count"]) for e in got] == (
        [(f"Created pod: web-{i}", 1) for i in range(9)]
        + [("(combined from similar events): Created pod: web-11", 3)])      # the 10th, patched by the 11th and 12th
    combined = got[-1]
    assert combined["metadata"]["name"].startswith("web.") and combined["firstTimestamp"] < combined["lastTimestamp"]
    assert "reportingComponent" not in combined                              # upstream's aggregate copies no more
    rec.normal(rs, "SuccessfulCreate", "Created pod: web-0")                 # left the group: aggregated again
    assert events_for(store, rs)[-1]["count"] == 4
    rec.normal(rs, "SuccessfulCreate", "Created pod: web-11")                # still in the group (9 kept): its own
    assert [(e["message"], e["count"]) for e in events_for(store, rs)][-1] == ("Created pod: web-11", 1)
    clock.advance(601)                                                       # 10 minutes quiet: a new group
    rec.normal(rs, "SuccessfulCreate", "Created pod: web-99")
    assert events_for(store, rs)[-1]["message"] == "Created pod: web-99"


def test_a_source_sends_an_object_25_events_then_one_every_five_minutes():
    clock = FakeClock()
    store = APIStore(clock=clock)
    rec = EventRecorder(store, clock, "kubelet", host="node-a")
    p = pod("a")
    stored = [rec.warning(p, "BackOff", "Back-off restarting failed container") for _ in range(30)]
    assert [s is not None for s in stored] == [True] * 25 + [False] * 5 and rec.dropped == 5
    assert [e["count"] for e in events_for(store, p)] == [25]
    clock.advance(299)
    assert rec.warning(p, "BackOff", "Back-off restarting failed container") is None       # not a token yet
    clock.advance(1)
    again = rec.warning(p, "BackOff", "Back-off restarting failed container")
    assert again["count"] == 32                     # the dropped ones were counted all the same
    assert rec.warning(p, "BackOff", "Back-off restarting failed container") is None
    other = rec.warning(pod("b"), "BackOff", "Back-off restarting failed container")    # per object
    other_source = EventRecorder(store, clock, "kubelet", host="node-b").warning(p, "BackOff", "x")   # per source
    assert other is not None and other_source is not None


@pytest.mark.parametrize("t, accepted", [(0.0, True), (299.99, False), (300.0, True)])
def test_the_token_bucket_refills_at_go_float32_rate(t, accepted):
    bucket = TokenBucket(SPAM_QPS, 25)
    assert all(bucket.try_accept(0.0) for _ in range(25 if t else 24))
    if t:
        assert not bucket.try_accept(0.0)
    assert bucket.try_accept(t) is accepted
    assert SPAM_QPS == 0.0033333334140479565        # float32(1/300), as Go's defaultSpamQPS


def test_the_key_a_correlation_gives_is_its_events_key():
    from kubekit.cluster.event_correlator import event_key

    c = EventCorrelator()
    names = iter(range(1000))
    for i in range(40):
        ev = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"web.{i}", "namespace": "default"},
              "involvedObject": {"kind": "ReplicaSet", "namespace": "default", "name": "web", "uid": "u"},
              "reason": "SuccessfulCreate", "message": f"Created pod: web-{i % 13}", "type": "Normal",
              "source": {"component": "replicaset-controller"}, "count": 1, "reportingComponent": "rs"}
        r = c.correlate(ev, float(i), "t", lambda n: f"{n}.{next(names)}")
        if r.event is not None:
            assert r.key == event_key(r.event)
            c.update_state(r.event, r.key)


def _event(**fields) -> dict:
    ev = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e.1", "namespace": "default"},
          "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u", "apiVersion": "v1",
                             "fieldPath": "spec.containers{app}"},
          "reason": "Pulled", "message": "pulled", "type": "Normal", "count": 1,
          "source": {"component": "kubelet", "host": "node-1"}, "reportingComponent": "kubelet",
          "reportingInstance": "node-1"}
    for k, v in fields.items():
        if k in ev["involvedObject"]:
            ev["involvedObject"] = {**ev["involvedObject"], k: v}
        else:
            ev[k] = v
    return ev


def test_the_keys_are_client_gos_joined_fields():
    from kubekit.cluster.event_correlator import _keys, event_key

    spam, group, key = _keys(_event())
    # getSpamKey: Source.Component, Source.Host, InvolvedObject.Kind, .Namespace, .Name, .UID, .APIVersion
    assert spam == "kubeletnode-1Poddefaultwebuv1"
    # EventAggregatorByReasonFunc: the spam key's fields, Type, Reason, ReportingController, ReportingInstance
    assert group == "kubeletnode-1Poddefaultwebuv1NormalPulledkubeletnode-1"
    # getEventKey: ... Name, FieldPath, UID, APIVersion, Type, Reason, Message
    assert key == event_key(_event()) == "kubeletnode-1Poddefaultwebspec.containers{app}uv1NormalPulledpulled"


def test_events_whose_fields_only_split_differently_are_repeats_as_in_client_go():
    # strings.Join(..., ""): name "web" + fieldPath "x" and name "webx" + fieldPath "" give one key
    c = EventCorrelator()
    first = c.correlate(_event(name="webx", fieldPath=""), 0.0, "t0", str)
    c.update_state({**first.event, "metadata": {**first.event["metadata"], "resourceVersion": "5"}}, first.key)
    second = c.correlate(_event(name="web", fieldPath="x"), 1.0, "t1", str)
    assert second.update and second.event["count"] == 2
    assert second.event["metadata"]["name"] == "e.1" and second.event["metadata"]["resourceVersion"] == "5"
    third = c.correlate(_event(name="web", fieldPath="y"), 2.0, "t2", str)   # another key: a new event
    assert not third.update and third.event["count"] == 1
