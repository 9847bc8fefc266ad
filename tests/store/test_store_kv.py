"""The KV contract, checked on the in-memory KV and on a real etcd
(``EtcdKV`` over Debian's etcd-server 3.4): revisions, transactions,
historical reads, watches from a revision, compaction and leases."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubekit.errors import CompactedError, LeaseNotFoundError
from kubekit.store import Compare, Delete, Get, KeyValue, MemoryKV, Put
from kubekit.store.etcd import EtcdKV
from kubekit.store.kv import prefix_end

from etcd_server import etcd_server


@pytest.fixture(params=["memory", "etcd"])
def kv(request):
    """Each contract test runs on MemoryKV and on a fresh etcd."""
    if request.param == "memory":
        yield request.getfixturevalue("memory_kv")
        return
    with etcd_server() as url:
        s = EtcdKV(url)
        try:
            yield s
        finally:
            s.close()


@pytest.mark.parametrize("prefix, end", [("/a/", "/a0"), ("a", "b"), ("a\U0010ffff", "b"), ("", "\0")])
def test_prefix_end_is_etcds(prefix, end):
    assert prefix_end(prefix) == end


def test_revisions_versions_and_create_revision(kv):
    assert kv.revision == 1                 # as etcd: an empty store is at revision 1
    assert kv.put("/a", b"1") == 2
    assert kv.put("/b", b"1") == 3
    assert kv.put("/a", b"2") == 4
    a = kv.get("/a")
    assert a == KeyValue("/a", b"2", create_revision=2, mod_revision=4, version=2)
    assert kv.delete("/a") == 1
    assert kv.revision == 5 and kv.get("/a") is None
    kv.put("/a", b"3")                      # recreated: a new life
    assert kv.get("/a") == KeyValue("/a", b"3", 6, 6, 1)
    assert kv.delete("/missing") == 0 and kv.revision == 6   # no change, no revision (as etcd)


def test_range_prefix_limit_and_order(kv):
    for k in ["/r/pods/b", "/r/pods/a", "/r/podsx", "/r/nodes/n", "/r/pods/c"]:
        kv.put(k, b"")
    r = kv.range("/r/pods/", prefix=True)
    assert [x.key for x in r.kvs] == ["/r/pods/a", "/r/pods/b", "/r/pods/c"] and r.count == 3 and not r.more
    r = kv.range("/r/pods/", prefix=True, limit=2)
    assert [x.key for x in r.kvs] == ["/r/pods/a", "/r/pods/b"] and r.count == 3 and r.more
    assert kv.range("", prefix=True).count == 5
    assert kv.range("/r/pods/a").kvs[0].key == "/r/pods/a"
    with pytest.raises(ValueError, match="future"):
        kv.range("/r", revision=99)


@pytest.mark.parametrize("target, op, value, ok", [
    ("mod", "=", 3, True), ("mod", "=", 2, False), ("mod", "<", 4, True), ("mod", ">", 3, False),
    ("create", "=", 2, True), ("version", "=", 2, True), ("version", "!=", 2, False),
    ("value", "=", b"v2", True), ("value", "=", b"v1", False), ("lease", "=", 0, True),
])
def test_txn_compares(kv, target, op, value, ok):
    kv.put("/k", b"v1")
    kv.put("/k", b"v2")
    r = kv.txn([Compare("/k", target, op, value)], [Put("/k", b"yes")], [Put("/k", b"no")])
    assert r.succeeded is ok and kv.get("/k").value == (b"yes" if ok else b"no")


def test_txn_is_one_revision_and_missing_keys_compare_as_zero(kv):
    r = kv.txn([Compare("/x", "create", "=", 0), Compare("/y", "version", "=", 0)],
               [Put("/x", b"1"), Put("/y", b"2"), Get("/x")])
    assert r.succeeded and r.revision == 2
    assert kv.get("/x").mod_revision == kv.get("/y").mod_revision == 2
    assert r.responses[0] is None and r.responses[2].kvs[0].value == b"1"   # reads see earlier ops
    r = kv.txn([Compare("/x", "create", "=", 0)], [Put("/x", b"again")], [Get("/x")])
    assert not r.succeeded and r.revision == 2 and r.responses[0].kvs[0].value == b"1"
    r = kv.txn([], [Delete("/", prefix=True)])
    assert r.revision == 3 and {kv.key for kv in r.responses[0]} == {"/x", "/y"}
    with pytest.raises(ValueError, match="duplicate key"):
        kv.txn([], [Put("/z", b""), Put("/z", b"")])
    with pytest.raises(TypeError, match="not a transaction operation"):
        kv.txn([], ["put"])
    assert kv.revision == 3


def test_concurrent_compare_and_swap_increments_lose_nothing(kv):
    kv.put("/n", b"0")

    def worker():
        for _ in range(200):
            while True:
                cur = kv.get("/n")
                r = kv.txn([Compare("/n", "mod", "=", cur.mod_revision)], [Put("/n", b"%d" % (int(cur.value) + 1))])
                if r.succeeded:
                    break

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert kv.get("/n").value == b"800" and kv.get("/n").version == 801


def test_watch_from_a_revision_replays_history_then_follows(kv):
    kv.put("/p/a", b"1")
    kv.put("/q/z", b"1")
    kv.put("/p/a", b"2")
    kv.delete("/p/a")
    w = kv.watch("/p/", prefix=True, start_revision=2)
    evs = w.next_batch(5)                        # (etcd's stream delivers them a moment later)
    assert [(e.type, e.kv.key, e.revision) for e in evs] == [("PUT", "/p/a", 2), ("PUT", "/p/a", 4),
                                                            ("DELETE", "/p/a", 5)]
    assert evs[0].prev_kv is None and evs[1].prev_kv.value == b"1" and evs[2].prev_kv.value == b"2"
    assert w.revision == 5 and w.poll() == []
    kv.put("/p/b", b"x")
    assert [e.kv.key for e in w.next_batch(5)] == ["/p/b"]
    one = kv.watch("/p/b", start_revision=1)     # a single key
    assert [e.revision for e in one.next_batch(5)] == [6]
    now = kv.watch("/p/", prefix=True)           # default: only what comes next
    assert now.poll() == []
    w.close()
    assert w.next_batch(5) == [] and list(w) == []


def test_blocking_watch_is_woken_by_a_write_and_by_close(kv):
    w = kv.watch("/", prefix=True)
    got = []
    t = threading.Thread(target=lambda: got.extend(w))
    t.start()
    kv.put("/a", b"1")
    kv.put("/b", b"1")
    for _ in range(1000):
        if len(got) == 2:
            break
        threading.Event().wait(0.01)
    w.close()
    t.join(30)
    assert not t.is_alive() and [e.kv.key for e in got] == ["/a", "/b"]


def test_compaction(kv):
    for i in range(2, 7):
        kv.put("/k", b"%d" % i)          # revisions 2..6
    kv.compact(4)
    assert kv.compact_revision == 4
    assert kv.range("/k", revision=4).kvs[0].value == b"4"      # etcd: the compacted revision is readable
    with pytest.raises(CompactedError) as e:
        kv.range("/k", revision=3)
    assert e.value.compact_revision == 4
    assert [e.revision for e in kv.watch("/k", start_revision=4).next_batch(5)] == [4, 5, 6]   # and watchable
    with pytest.raises(CompactedError, match="required revision 3 has been compacted"):
        kv.watch("/k", start_revision=3)
    with pytest.raises(CompactedError):
        kv.compact(4)
    with pytest.raises(ValueError, match="store is at 6"):
        kv.compact(9)


def test_a_watch_overtaken_by_compaction_reports_it(memory_kv):
    """(In-memory only: etcd sends a watch its events as they happen, so a
    watch its client has not read yet is not behind on the server.)"""
    kv = memory_kv
    kv.put("/k", b"1")
    w = kv.watch("/k", start_revision=2)
    kv.put("/k", b"2")
    kv.put("/k", b"3")
    kv.compact(4)
    with pytest.raises(CompactedError):
        w.poll()


def test_leases_expire_on_the_clock_and_take_their_keys(memory_kv, clock):
    kv = memory_kv
    lid = kv.grant(10)
    kv.put("/nodes/a", b"hb", lease=lid)
    kv.put("/other", b"x")
    clock.advance(9)
    assert kv.keepalive(lid) == 10
    clock.advance(9)
    assert kv.tick() == 0 and kv.get("/nodes/a") is not None
    info = kv.time_to_live(lid)
    assert info.ttl == 10 and info.remaining == pytest.approx(1) and info.keys == ("/nodes/a",)
    w = kv.watch("/", prefix=True)
    clock.advance(1)
    assert kv.get("/nodes/a") is None          # reads expire due leases too
    assert kv.get("/other") is not None
    [ev] = w.poll()
    assert ev.type == "DELETE" and ev.kv.key == "/nodes/a"
    with pytest.raises(LeaseNotFoundError, match=f"lease {lid} not found"):
        kv.keepalive(lid)
    with pytest.raises(LeaseNotFoundError):
        kv.put("/x", b"", lease=lid)


def test_revoke_deletes_all_keys_in_one_revision_and_reattach_detaches(kv):
    a, b = kv.grant(60), kv.grant(60)
    kv.put("/a1", b"", lease=a)
    kv.put("/a2", b"", lease=a)
    kv.put("/moved", b"", lease=a)
    kv.put("/moved", b"", lease=b)     # now on b only
    rev = kv.revision
    kv.revoke(a)
    assert kv.revision == rev + 1
    assert kv.get("/a1") is None and kv.get("/a2") is None and kv.get("/moved") is not None
    assert kv.leases() == [b]
    with pytest.raises(ValueError, match="at least 1 second"):
        kv.grant(0)


# ---------------------------------------------------------------- a model

KEYS = ["/a/1", "/a/2", "/b/1", "/b/2"]
op_strategy = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS), st.binary(max_size=3)),
    st.tuples(st.just("del"), st.sampled_from(KEYS)),
    st.tuples(st.just("delp"), st.sampled_from(["/a/", "/b/", "/"])),
    st.tuples(st.just("cas"), st.sampled_from(KEYS), st.integers(0, 7), st.binary(max_size=3)),
    st.tuples(st.just("putif"), st.sampled_from(KEYS), st.integers(0, 7), st.binary(max_size=3)),
    st.tuples(st.just("compact"), st.integers(0, 30)),
)


class Model:
    """A dumb, obviously right etcd: the whole state at every revision."""

    def __init__(self):
        self.states = [{}, {}]   # revisions 0 and 1: empty (etcd's first write is revision 2)
        self.events = []    # (rev, type, key, value)

    def apply(self, changes):
        if not changes:
            return
        st_ = dict(self.states[-1])
        rev = len(self.states)
        for typ, key, value in changes:
            if typ == "PUT":
                prev = st_.get(key)
                st_[key] = (value, prev[1] if prev else rev, rev, prev[3] + 1 if prev else 1)
            else:
                del st_[key]
            self.events.append((rev, typ, key, value))
        self.states.append(st_)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op_strategy, max_size=25))
def test_memory_kv_equals_the_model(ops):
    kv = MemoryKV()
    m = Model()
    try:
        for op in ops:
            cur = m.states[-1]
            if op[0] == "put":
                kv.put(op[1], op[2])
                m.apply([("PUT", op[1], op[2])])
            elif op[0] == "del":
                kv.delete(op[1])
                m.apply([("DELETE", op[1], b"")] if op[1] in cur else [])
            elif op[0] == "delp":
                kv.delete(op[1], prefix=True)
                m.apply([("DELETE", k, b"") for k in sorted(cur) if k.startswith(op[1])])
            elif op[0] == "cas":
                _, key, mod, value = op
                ok = (cur[key][2] if key in cur else 0) == mod
                r = kv.txn([Compare(key, "mod", "=", mod)], [Put(key, value)])
                assert r.succeeded == ok
                m.apply([("PUT", key, value)] if ok else [])
            elif op[0] == "putif":          # MemoryKV's answer to that transaction: the revision or 0
                _, key, mod, value = op
                ok = (cur[key][2] if key in cur else 0) == mod
                assert kv.put_if_mod(key, mod, value) == (len(m.states) if ok else 0)
                m.apply([("PUT", key, value)] if ok else [])
            elif op[0] == "compact" and kv.compact_revision < op[1] <= kv.revision:
                kv.compact(op[1])
            assert kv.revision == len(m.states) - 1
        floor = max(kv.compact_revision, 0)
        for rev in range(max(floor, 2), kv.revision + 1):
            got = {x.key: (x.value, x.create_revision, x.mod_revision, x.version)
                   for x in kv.range("/", prefix=True, revision=rev).kvs}
            assert got == m.states[rev], rev
        for start in range(max(floor, 1), kv.revision + 2):
            evs = kv.watch("/a/", prefix=True, start_revision=start).poll()
            want = [(r, t, k, v) for r, t, k, v in m.events if r >= start and k.startswith("/a/")]
            assert [(e.revision, e.type, e.kv.key, e.kv.value) for e in evs] == want
    finally:
        kv.close()


def test_put_if_mod_refuses_an_unknown_lease_as_the_transaction_does(memory_kv):
    with pytest.raises(LeaseNotFoundError):
        memory_kv.txn([Compare("/k", "mod", "=", 0)], [Put("/k", b"1", 12345)])
    with pytest.raises(LeaseNotFoundError):
        memory_kv.put_if_mod("/k", 0, b"1", 12345)
    assert memory_kv.get("/k") is None and memory_kv.revision == 1
    lease = memory_kv.grant(30)
    rev = memory_kv.put_if_mod("/k", 0, b"1", lease)
    assert rev == memory_kv.revision and memory_kv.get("/k").lease == lease
    assert memory_kv.put_if_mod("/k", 0, b"2") == 0 and memory_kv.get("/k").value == b"1"


def test_history_is_compacted_automatically():
    kv = MemoryKV(history=10)
    try:
        for i in range(100):
            kv.put("/k", b"%d" % i)
        assert 70 <= kv.compact_revision <= 90
        assert kv.range("/k", revision=95).kvs[0].value == b"93"
        with pytest.raises(CompactedError):
            kv.watch("/k", start_revision=50)
    finally:
        kv.close()


def test_memory_kv_satisfies_the_kv_protocol(kv):
    from kubekit.store import KV, Watch
    assert isinstance(kv, KV)
    assert isinstance(kv.watch("/"), Watch)


def test_range_end_is_etcds_half_open_interval(kv):
    for k in ["a", "b", "c", "d"]:
        kv.put(k, b"1")
    rev = kv.revision
    kv.delete("b")
    assert [x.key for x in kv.range("b", range_end="d").kvs] == ["c"]
    assert [x.key for x in kv.range("b", range_end="d", revision=rev).kvs] == ["b", "c"]
    assert [x.key for x in kv.range("b", range_end="\0").kvs] == ["c", "d"]


def test_etcd_leases_expire_on_etcds_clock_and_take_their_keys():
    """On etcd the leader expires leases in real time (tick does nothing)."""
    import time

    with etcd_server() as url:
        kv = EtcdKV(url)
        try:
            lid = kv.grant(2)
            kv.put("/nodes/a", b"hb", lease=lid)
            kv.put("/other", b"x")
            info = kv.time_to_live(lid)
            assert info.ttl == 2 and 0 < info.remaining <= 2 and info.keys == ("/nodes/a",)
            assert kv.keepalive(lid) == 2
            w = kv.watch("/", prefix=True)
            deadline = time.monotonic() + 15
            while kv.get("/nodes/a") is not None:
                assert kv.tick() == 0 and time.monotonic() < deadline
                time.sleep(0.1)
            assert kv.get("/other") is not None
            [ev] = w.next_batch(5)
            assert ev.type == "DELETE" and ev.kv.key == "/nodes/a" and ev.prev_kv.value == b"hb"
            w.close()
            with pytest.raises(LeaseNotFoundError):
                kv.keepalive(lid)
            with pytest.raises(LeaseNotFoundError):
                kv.put("/x", b"", lease=lid)
        finally:
            kv.close()
