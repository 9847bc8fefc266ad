"""Fast paths agree with the general paths they skip.

A watch's ``idle()`` (the cheap "a poll now would find nothing and change
nothing" that informers' empty pumps rely on): whenever it says True,
``next_entries(0)`` / ``next_batch(0)`` return nothing and leave every
cursor and revision as they were -- through writes, deletes, compactions, a
cache window that overflows, bookmarks, selectors, indexed readers, WAL
durability and closes.  An update built on the object watches share gives
the same results, bytes and revisions as one built on the decoded bytes."""

from __future__ import annotations

import random

import pytest

from kubekit.clock import FakeClock
from kubekit.errors import CompactedError, NotFoundError
from kubekit.store import APIStore, MemoryKV
from kubekit.store.memory import KVWatch
from kubekit.store.watchcache import CachedWatch


def _source_state(src) -> tuple:
    if isinstance(src, KVWatch):
        return ("kv", src._cursor, src.revision, src._closed)
    assert isinstance(src, CachedWatch)
    c = src._cache
    direct = None if src._direct is None else _source_state(src._direct)
    return ("cache", src._cursor, src.revision, direct, c._base, len(c._events), c._examined,
            c._kvw._cursor, c._kvw.revision, c.broken is None)


def _watch_state(w) -> tuple:
    return (len(w._pending), w._sent, w.resource_version, _source_state(w._w))


def _check_idle_is_exact(w) -> bool:
    """If ``w`` says idle, the general path (the source's ``next_entries(0)``,
    then the bookmark rule) finds nothing and changes nothing."""
    if not w.idle():
        return False
    before = _watch_state(w)
    assert w._w.idle()
    assert w._next(0) == []                       # the source's general path
    assert w._bookmark is None or w._w.revision <= w._sent   # no bookmark due
    assert _watch_state(w) == before
    return True


def _pod(name, node):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                          "labels": {"app": "web" if node != "n2" else "db"}},
            "spec": {"nodeName": node}}


def _run(api: APIStore, rng: random.Random, steps: int) -> int:
    watches = []
    hits = 0

    def open_watch():
        fields = rng.choice([None, "spec.nodeName=n1", "metadata.name=p1"])
        labels = rng.choice([None, "app=web"])
        rv = rng.choice([None, str(api.kv.revision), str(max(1, api.kv.revision - 3))])
        try:
            watches.append(api.watch("Pod", "default", resource_version=rv, field_selector=fields,
                                     label_selector=labels, bookmarks=rng.random() < 0.5))
        except CompactedError:
            pass

    for _ in range(3):
        open_watch()
    for _ in range(steps):
        r = rng.random()
        name = f"p{rng.randrange(6)}"
        if r < 0.3:
            node = rng.choice(["n1", "n2", "n3"])
            try:
                cur = api.get("Pod", "default", name)
                api.update({**cur, "spec": {"nodeName": node}})
            except NotFoundError:
                api.create(_pod(name, node))
        elif r < 0.38:
            try:
                api.delete("Pod", "default", name)
            except NotFoundError:
                pass
        elif r < 0.42:
            api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{rng.randrange(10**6)}"}})
        elif r < 0.46 and api.kv.revision - 2 > api.kv.compact_revision:
            api.kv.compact(rng.randrange(api.kv.compact_revision + 1, api.kv.revision))
        elif r < 0.5:
            open_watch()
        elif r < 0.52 and watches:
            watches.pop(rng.randrange(len(watches))).close()
        elif r < 0.54:
            api._watch_cache(api.kinds.get("Pod")).capacity = rng.choice([2, 5, 10_000])
        elif watches:
            w = rng.choice(watches)
            try:
                w.next_batch(0)
            except CompactedError:
                watches.remove(w)
        for w in watches:
            hits += _check_idle_is_exact(w)
    return hits


@pytest.mark.parametrize("seed", range(12))
def test_idle_agrees_with_the_general_path(seed):
    clock = FakeClock(start=1_700_000_000.0)
    api = APIStore(MemoryKV(clock), clock=clock, rng=random.Random(seed))
    assert _run(api, random.Random(seed), 400) > 0


def test_idle_agrees_with_the_general_path_on_a_durable_store(data_dir):
    clock = FakeClock(start=1_700_000_000.0)
    kv = MemoryKV(clock, data_dir=data_dir, fsync=False)
    try:
        assert _run(APIStore(kv, clock=clock, rng=random.Random(7)), random.Random(7), 300) > 0
    finally:
        kv.close()


def test_a_closed_store_or_watch_is_not_idle_until_looked_at():
    clock = FakeClock(start=1_700_000_000.0)
    kv = MemoryKV(clock)
    api = APIStore(kv, clock=clock)
    w = api.watch("Pod", "default", resource_version=str(kv.revision))
    direct = kv.watch("/registry/pods/", prefix=True)
    assert w.next_batch(0) == [] and direct.next_entries(0) == []
    assert w.idle() and direct.idle()
    api.create(_pod("p1", "n1"))
    assert not w.idle() and not direct.idle()          # something new: look
    assert len(w.next_batch(0)) == 1 and w.next_batch(0) == [] and w.idle()
    direct.close()
    assert not direct.idle()
    kv.close()
    assert not w.idle()                                # the close moved the epoch
    assert w.next_batch(0) == []


def _updates_with_and_without_shared(seed: int, steps: int) -> None:
    """The same updates on two stores, one always building on the decoded
    bytes (its shared objects forgotten before each write), one building on
    the shared objects: the same results, bytes and revisions."""
    rng = random.Random(seed)
    stores = []
    for _ in range(2):
        clock = FakeClock(start=1_700_000_000.0)
        stores.append(APIStore(MemoryKV(clock), clock=clock, rng=random.Random(seed)))
    watches = [s.watch("Lease", "ns") for s in stores]
    latest: list[dict | None] = [None, None]
    for step in range(steps):
        outs = []
        for i, s in enumerate(stores):
            if i == 0:
                s._seen.clear()
            cur = latest[i]
            if cur is None:
                out = s.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                "metadata": {"name": "l1", "namespace": "ns", "labels": {"a": "1"}},
                                "spec": {"holderIdentity": "n1", "renewTime": "t0"}})
            else:
                r = random.Random(seed * 1000 + step).random()
                if r < 0.4:
                    new = {**cur, "spec": {**cur["spec"], "renewTime": f"t{step}"}}
                elif r < 0.55:
                    new = dict(cur)                                              # no change: no write
                elif r < 0.7:
                    new = {**cur, "metadata": {**cur["metadata"], "labels": {"a": str(step)}}}   # metadata only
                elif r < 0.85:
                    m = {k: v for k, v in cur["metadata"].items() if k != "resourceVersion"}
                    new = {**cur, "metadata": m}                                  # unconditional
                else:
                    new = {**cur, "status": {"x": step}}
                out = s.update(new, handoff=rng.random() < 0.5 if i == 0 else True)
            latest[i] = out
            s.kv.tick()
            outs.append((out, s.kv.get("/registry/leases/ns/l1"), [(e.type, e.object) for e in
                                                                   watches[i].next_batch(0)]))
        assert outs[0] == outs[1]


@pytest.mark.parametrize("seed", range(6))
def test_updates_built_on_shared_objects_equal_updates_built_on_the_bytes(seed):
    _updates_with_and_without_shared(seed, 60)


def test_a_deleted_event_shares_the_last_shared_object():
    """A DELETED event built on the object watches shared at the deleted
    revision equals the one decoded from the previous bytes, carries the
    deletion's resourceVersion, and leaves the shared object as it was."""
    clock = FakeClock(start=1_700_000_000.0)
    events = {}
    for share in (True, False):
        api = APIStore(MemoryKV(clock), clock=clock, rng=random.Random(7))
        w = api.watch("Pod", "default")
        api.create(_pod("p1", "n1"))
        (added,) = w.next_batch(0)
        before = {**added.object, "metadata": dict(added.object["metadata"])}
        if not share:
            api._seen.clear()                     # no shared object: the general path decodes the bytes
        gone = api.delete("Pod", "default", "p1")
        (deleted,) = w.next_batch(0)
        assert deleted.type == "DELETED"
        assert deleted.object["metadata"]["resourceVersion"] == gone["metadata"]["resourceVersion"]
        assert deleted.object["metadata"]["resourceVersion"] != added.object["metadata"]["resourceVersion"]
        assert added.object == before
        assert (deleted.object["spec"] is added.object["spec"]) is share
        assert "/registry/pods/default/p1" not in api._seen
        events[share] = deleted.object
    assert events[True] == events[False]


def _deletes(api: APIStore, w, share: bool) -> list:
    """Deletions of every kind of outcome, each result with its stored bytes
    and the watch's events (``share`` False: the store's shared objects are
    forgotten before each step, so every delete decodes the stored bytes)."""
    out = []

    def step(call):
        if not share:
            api._seen.clear()
        try:
            result = call()
        except Exception as e:                               # noqa: BLE001 - the error is the outcome compared
            result = (type(e).__name__, str(e))
        kv = api.kv.get("/registry/pods/default/p1")
        out.append((result, None if kv is None else kv.value, [(e.type, e.object) for e in w.next_batch(0)]))

    api.create({**_pod("p1", "n1"), "metadata": {**_pod("p1", "n1")["metadata"], "finalizers": ["x/keep"]}})
    step(lambda: api.delete("Pod", "default", "p1", preconditions={"uid": "wrong"}))      # refused
    step(lambda: api.delete("Pod", "default", "p1", grace_period_seconds=30))           # marked, grace 30
    step(lambda: api.delete("Pod", "default", "p1", grace_period_seconds=30))           # unchanged: none
    step(lambda: api.delete("Pod", "default", "p1", grace_period_seconds=10))           # a shorter grace
    step(lambda: api.delete("Pod", "default", "p1", grace_period_seconds=0, propagation="Orphan"))
    step(lambda: api.update({**api.get("Pod", "default", "p1"),
                             "metadata": {**api.get("Pod", "default", "p1")["metadata"], "finalizers": []}}))
    step(lambda: api.delete("Pod", "default", "p1", grace_period_seconds=0))            # gone
    return out


def test_deletes_built_on_shared_objects_equal_deletes_built_on_the_bytes(monkeypatch):
    """A delete builds on the object watches share at the key's revision (a
    copy of its top level) when there is one: the same results, bytes,
    revisions and events as a delete that decodes the stored bytes, and a
    marked object is delivered without being decoded."""
    from kubekit.store import objects

    runs = {}
    for share in (True, False):
        clock = FakeClock(start=1_700_000_000.0)
        api = APIStore(MemoryKV(clock), clock=clock, rng=random.Random(3))
        w = api.watch("Pod", "default")
        decodes = []
        real_loads = objects._loads
        monkeypatch.setattr(objects, "_loads", lambda b: decodes.append(b) or real_loads(b))
        runs[share] = (_deletes(api, w, share), len(decodes))
        monkeypatch.undo()
        w.close()
    assert runs[True][0] == runs[False][0]
    assert runs[True][1] < runs[False][1]


# -- where an object lives: _locate's dict path against its general path ------------------------

class _Meta(dict):
    """A dict subclass: not ``type(...) is dict``, so the general path runs."""


_LOCATE_CASES = [
    {"kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}},
    {"kind": "Pod", "metadata": {"name": "p"}},                              # default namespace
    {"kind": "pods", "metadata": {"name": "p", "namespace": ""}},            # a plural names the kind too
    {"kind": "Node", "metadata": {"name": "n"}},                             # cluster-scoped
    {"kind": "Node", "metadata": {"name": "n", "namespace": "ns"}},          # refused: cluster-scoped
    {"kind": "Pod", "metadata": {"namespace": "ns"}},                        # refused: no name
    {"kind": "Pod", "metadata": {"name": ""}},
    {"kind": "Pod"},
    {"metadata": {"name": "p"}},                                             # refused: no kind
    {"kind": "Widget", "metadata": {"name": "w"}},                           # refused: unknown kind
    {"kind": "Pod", "metadata": {"name": 7, "namespace": "ns"}},             # a name that is not text
    {"kind": "Pod", "metadata": None},
]


def _outcome(f, obj):
    try:
        return ("ok", f(obj))
    except Exception as e:          # the same error, type and text
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("obj", _LOCATE_CASES)
def test_locate_of_a_dict_is_its_general_path(obj):
    store = APIStore(MemoryKV(FakeClock()), clock=FakeClock())
    try:
        general = dict(obj)
        if isinstance(obj.get("metadata"), dict):
            general["metadata"] = _Meta(obj["metadata"])    # the dict path declines a metadata subclass
        want = _outcome(store._locate, _Meta(general))      # and an object that is not a plain dict
        assert _outcome(store._locate, obj) == want
    finally:
        store.kv.close()
