"""The informer: list then watch into a cache, handlers on every change,
and a relist when the watch's history was compacted away."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.controllers.informer import Informer, object_key
from kubekit.store import APIStore


def cm(name, value, ns="default"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"v": value}},
            "spec": {"containers": [{"name": "c", "image": "x"}]}}


def recorder(inf):
    seen = []
    inf.add_handler(lambda o: seen.append(("add", object_key(o))),
                    lambda old, new: seen.append(("update", object_key(new))),
                    lambda o: seen.append(("delete", object_key(o))))
    return seen


def test_list_then_watch_sees_everything_once():
    store = APIStore(clock=FakeClock())
    store.create(cm("a", "1"))
    inf = Informer(store, "Pod")
    seen = recorder(inf)
    inf.start()
    store.create(cm("b", "1"))
    store.guaranteed_update("Pod", "default", "a", lambda o: {**o, "metadata": {**o["metadata"], "labels": {"v": "2"}}})
    store.delete("Pod", "default", "b")
    inf.pump()
    assert seen == [("add", "default/a"), ("add", "default/b"), ("update", "default/a"), ("delete", "default/b")]
    assert [object_key(o) for o in inf.list()] == ["default/a"]
    assert inf.get("default/a")["metadata"]["labels"] == {"v": "2"}


def test_a_handler_added_late_sees_the_cache_first():
    store = APIStore(clock=FakeClock())
    store.create(cm("a", "1"))
    inf = Informer(store, "Pod").start()
    seen = recorder(inf)
    assert seen == [("add", "default/a")]


def test_relist_after_compaction_turns_the_difference_into_events():
    store = APIStore(clock=FakeClock())
    store.create(cm("keep", "1"))
    store.create(cm("gone", "1"))
    store.create(cm("changed", "1"))
    inf = Informer(store, "Pod")
    seen = recorder(inf)
    inf.start()
    seen.clear()
    inf.stop()                                     # the informer falls behind (a dropped connection)
    store.delete("Pod", "default", "gone")
    store.guaranteed_update("Pod", "default", "changed",
                            lambda o: {**o, "metadata": {**o["metadata"], "labels": {"v": "2"}}})
    store.create(cm("new", "1"))
    store.kv.compact(store.kv.revision)          # the informer's watch position is history now
    inf.pump()
    inf.pump()
    assert inf.relists == 1
    assert sorted(seen) == [("add", "default/new"), ("delete", "default/gone"), ("update", "default/changed")]
    assert sorted(object_key(o) for o in inf.list()) == ["default/changed", "default/keep", "default/new"]
    store.create(cm("after", "1"))                 # and it keeps watching
    inf.pump()
    assert ("add", "default/after") in seen


def test_the_namespace_index_follows_adds_updates_deletes_and_relists():
    store = APIStore(clock=FakeClock())
    store.create(cm("a", "1", ns="x"))
    inf = Informer(store, "Pod").start()
    store.create(cm("b", "1", ns="x"))
    store.create(cm("c", "1", ns="y"))
    inf.pump()
    names = lambda ns: sorted(o["metadata"]["name"] for o in inf.list_namespace(ns))  # noqa: E731
    assert names("x") == ["a", "b"] and names("y") == ["c"] and names("z") == []
    store.guaranteed_update("Pod", "x", "a", lambda o: {**o, "metadata": {**o["metadata"], "labels": {"v": "2"}}})
    store.delete("Pod", "y", "c")
    inf.pump()
    assert [o["metadata"]["labels"]["v"] for o in inf.list_namespace("x") if o["metadata"]["name"] == "a"] == ["2"]
    assert names("y") == []
    store.delete("Pod", "x", "b")
    store.kv.compact(store.kv.revision)            # the watch falls behind: relist
    inf._watch.close()
    inf._relist()
    assert names("x") == ["a"]
    assert sorted(o["metadata"]["name"] for o in inf.list()) == ["a"]


def test_a_broken_watch_is_watched_again_from_the_last_version():
    """A watch that ends with an error (an etcd member went away) is closed,
    and the next pump watches again from the informer's resourceVersion:
    nothing is missed or seen twice, and nothing is relisted."""
    from kubekit.errors import StoreError

    class Breaking:
        """The store, except that the next watch breaks after its first batch."""

        def __init__(self, store):
            self.store, self.watches = store, 0

        def __getattr__(self, name):
            return getattr(self.store, name)

        def watch(self, *a, **kw):
            self.watches += 1
            inner = self.store.watch(*a, **kw)
            if self.watches != 1:
                return inner

            class Once:
                def next_batch(self, timeout=None):
                    raise StoreError("the watch stream broke")

                def close(self):
                    inner.close()
            return Once()

    store = APIStore(clock=FakeClock())
    store.create(cm("a", "1"))
    wrapped = Breaking(store)
    inf = Informer(wrapped, "Pod")
    seen = recorder(inf)
    inf.start()
    store.create(cm("b", "1"))
    assert inf.pump() == 0                       # the first watch breaks: closed, nothing applied
    store.delete("Pod", "default", "a")
    assert inf.pump() == 2 and wrapped.watches == 2 and inf.relists == 0
    assert seen == [("add", "default/a"), ("add", "default/b"), ("delete", "default/a")]
