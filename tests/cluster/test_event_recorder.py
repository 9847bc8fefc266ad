"""EventRecorder: repeats aggregate into one Event (count, lastTimestamp);
the correlator remembers at most MAX_REMEMBERED distinct events, as
client-go's LRU does."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.cluster import events as ev_mod
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


def test_the_correlator_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(ev_mod, "MAX_REMEMBERED", 3)
    clock = FakeClock()
    store = APIStore(clock=clock)
    rec = EventRecorder(store, clock, "c")
    for name in ("a", "b", "c"):
        rec.normal(pod(name), "Scheduled", "ok")
    rec.normal(pod("a"), "Scheduled", "ok")           # a is used again: b is now the oldest
    rec.normal(pod("d"), "Scheduled", "ok")           # forgets b
    assert len(rec._seen) == 3
    rec.normal(pod("a"), "Scheduled", "ok")
    rec.normal(pod("b"), "Scheduled", "ok")           # b was forgotten: a second Event object
    assert [e["count"] for e in events_for(store, pod("a"))] == [3]
    assert [e["count"] for e in events_for(store, pod("b"))] == [1, 1]
