"""The watch cache: indexed watches see exactly what unindexed, uncached
watches see, whatever the history; readers that fall behind its window, or
behind a compaction, behave as a direct watch would."""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.clock import FakeClock
from kubekit.errors import AlreadyExistsError, CompactedError, NotFoundError
from kubekit.store import APIStore
from kubekit.store.objects import ObjectWatch, _field_selector, _Filter, _label_selector
from kubekit.store.watchcache import CachedWatch, WatchCache


def pod(name, ns="default", node=None, app="web"):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
         "spec": {}}
    if node is not None:
        p["spec"]["nodeName"] = node
    return p


def direct_watch(api, kind, ns, rv, labels=None, fields=None):
    """The reference: an object watch straight on a KV watch, no cache."""
    k = api.kinds.get(kind)
    match = _Filter(k, _label_selector(labels), _field_selector(fields))
    return ObjectWatch(api.kv.watch(k.prefix(ns), prefix=True, start_revision=int(rv) + 1), match, [])


def summary(events):
    return [(e.type, e.object["metadata"]["name"], e.object["metadata"]["resourceVersion"]) for e in events]


def test_node_watchers_see_only_their_pods(api):
    api.watch("Pod").close()                       # the cache exists from here on
    _, rv = api.list("Pod")
    nodes = {n: api.watch("Pod", field_selector=f"spec.nodeName={n}", resource_version=rv) for n in ("n1", "n2")}
    unbound = api.watch("Pod", field_selector="spec.nodeName=", resource_version=rv)
    assert isinstance(unbound._w, CachedWatch) and unbound._w._index == ("spec.nodeName", "")
    p = api.create(pod("a"))
    p = api.update(p | {"spec": {"nodeName": "n1"}})             # bind
    p = api.update_status(p | {"status": {"phase": "Running"}})
    api.create(pod("b", node="n2"))
    api.delete("Pod", "default", "a")
    assert summary(unbound.poll()) == [("ADDED", "a", "2"), ("DELETED", "a", "3")]
    assert summary(nodes["n1"].poll()) == [("ADDED", "a", "3"), ("MODIFIED", "a", "4"), ("DELETED", "a", "6")]
    assert summary(nodes["n2"].poll()) == [("ADDED", "b", "5")]
    assert nodes["n2"].resource_version == "6"     # it has examined everything, not only its events


ops = st.lists(st.tuples(st.sampled_from(["create", "bind", "unbind", "label", "status", "delete"]),
                         st.integers(0, 5), st.sampled_from(["ns1", "ns2"]), st.sampled_from(["n1", "n2"])),
               max_size=40)
selectors = st.tuples(st.sampled_from([None, "ns1"]), st.sampled_from([None, "app=web", "app!=web"]),
                      st.sampled_from([None, "spec.nodeName=n1", "spec.nodeName=", "spec.nodeName!=n1",
                                       "spec.nodeName=n2,metadata.namespace=ns2"]))


@settings(max_examples=60, deadline=None)
@given(ops=ops, watch_at=st.integers(0, 40), sel=selectors, capacity=st.sampled_from([3, 1000]))
def test_cached_watches_equal_direct_watches(ops, watch_at, sel, capacity):
    """Capacity 3 makes readers fall out of the cache's window and carry on
    on a direct watch; reading in the middle exercises a cache that fills as
    it goes."""
    api = APIStore(clock=FakeClock(), rng=random.Random(0))
    ns, labels, fields = sel
    try:
        api._caches["Pod"] = WatchCache(api.kv, api.kinds.get("Pod"), capacity=capacity)
        cached = direct = None
        got = []
        for n, (op, i, pns, node) in enumerate(ops + [("noop", 0, "ns1", "n1")]):
            if n == watch_at or (cached is None and n == len(ops)):
                rv = api.kv.revision
                cached = api.watch("Pod", ns, resource_version=rv, label_selector=labels, field_selector=fields)
                direct = direct_watch(api, "Pod", ns, rv, labels, fields)
            name = f"p{i}"
            try:
                if op == "create":
                    api.create(pod(name, pns, app="web" if i % 2 else "db"))
                elif op in ("bind", "unbind"):
                    api.guaranteed_update("Pod", pns, name, lambda o: o | {
                        "spec": {"nodeName": node} if op == "bind" else {}})
                elif op == "label":
                    api.guaranteed_update("Pod", pns, name, lambda o: o | {"metadata": o["metadata"] | {
                        "labels": {"app": "db" if o["metadata"]["labels"]["app"] == "web" else "web"}}})
                elif op == "status":
                    api.guaranteed_update("Pod", pns, name, lambda o: o | {"status": {"n": n}}, status=True)
                elif op == "delete":
                    api.delete("Pod", pns, name)
            except (AlreadyExistsError, NotFoundError):
                pass
            if cached is not None and n % 3 == 0:
                got += cached.poll()
        got += cached.poll()
        assert got == direct.poll()
        assert cached.resource_version == str(api.kv.revision)
    finally:
        api.kv.close()


def test_a_reader_behind_the_window_continues_directly(api):
    api._caches["Pod"] = WatchCache(api.kv, api.kinds.get("Pod"), capacity=2)
    w = api.watch("Pod", resource_version=api.kv.revision)
    api.watch("Pod", resource_version=api.kv.revision).poll()     # another reader pulls the cache along
    for i in range(10):
        api.create(pod(f"p{i}"))
        api.watch("Pod", resource_version=api.kv.revision).poll()
    assert len(api._caches["Pod"]._events) <= 4
    assert [e.object["metadata"]["name"] for e in w.poll()] == [f"p{i}" for i in range(10)]
    assert w._w._direct is not None


def test_a_compaction_past_the_cache_is_gone_for_its_readers(api):
    w = api.watch("Pod", resource_version=api.kv.revision)
    for i in range(4):
        api.create(pod(f"p{i}"))
    api.kv.compact(api.kv.revision)
    with pytest.raises(CompactedError):
        w.poll()
    w2 = api.watch("Pod")                             # a new watch gets a new cache
    api.create(pod("new"))
    assert [e.object["metadata"]["name"] for e in w2.poll()][-1] == "new"
    assert api._caches["Pod"].broken is None


def test_closing_ends_a_blocked_iteration(api):
    w = api.watch("Pod", field_selector="spec.nodeName=n1")
    got = []
    t = threading.Thread(target=lambda: got.extend(w))
    t.start()
    api.create(pod("a", node="n1"))
    for _ in range(1000):
        if got:
            break
        threading.Event().wait(0.01)
    w.close()
    t.join(30)
    assert not t.is_alive() and [e.type for e in got] == ["ADDED"]


def test_closing_the_store_ends_readers(clock):
    from kubekit.store import MemoryKV
    kv = MemoryKV(clock)
    api = APIStore(kv, clock=clock)
    w = api.watch("Pod")
    t = threading.Thread(target=lambda: list(w))
    t.start()
    kv.close()
    t.join(30)
    assert not t.is_alive()
    api.close()


def test_an_index_asked_for_late_covers_what_the_cache_already_holds(api):
    rv = api.kv.revision
    everything = api.watch("Pod", resource_version=rv)          # unindexed: the cache does not decode
    api.create(pod("a", node="n1"))
    api.create(pod("b", node="n2"))
    assert len(everything.poll()) == 2 and api._caches["Pod"]._index == {}
    late = api.watch("Pod", resource_version=rv, field_selector="spec.nodeName=n2")
    assert isinstance(late._w, CachedWatch)
    api.create(pod("c", node="n2"))
    assert summary(late.poll()) == [("ADDED", "b", "3"), ("ADDED", "c", "4")]
    with pytest.raises(ValueError, match="does not index 'spec.bogus'"):
        api._caches["Pod"].reader(rv, "/registry/pods/", ("spec.bogus", "x"))
