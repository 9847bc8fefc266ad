"""``EtcdKV`` over several endpoints, as kube-apiserver's ``--etcd-servers``:
members that cannot be reached are passed over, and losing the member in use
of a real three-member cluster loses nothing."""

from __future__ import annotations

import socket
import time

import pytest

from etcd_server import etcd_cluster, etcd_server
from kubekit.store.etcd import EtcdError, EtcdKV, parse_endpoints


@pytest.mark.parametrize("given, want", [
    ("http://127.0.0.1:2379", [("http://127.0.0.1:2379", "127.0.0.1", 2379)]),
    ("http://a:1, http://b:2", [("http://a:1", "a", 1), ("http://b:2", "b", 2)]),
    (["http://etcd-0", "http://etcd-1:4001/"], [("http://etcd-0", "etcd-0", 2379), ("http://etcd-1:4001/", "etcd-1", 4001)]),
])
def test_endpoints_parse(given, want):
    assert list(parse_endpoints(given)) == want


@pytest.mark.parametrize("bad", ["", "127.0.0.1:2379", "https://a:2379", "http://a:2379,,http://b:2379",
                                 "http://a:99999", "http://a:2379/v3", []])
def test_bad_endpoints_are_refused(bad):
    with pytest.raises(ValueError, match="etcd endpoint|no etcd endpoint"):
        parse_endpoints(bad)


def _dead_url() -> str:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _events(watch, n: int, timeout: float = 10.0) -> list[tuple[str, str]]:
    got: list[tuple[str, str]] = []
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        got += [(e.type, e.kv.key) for e in watch.next_batch(0.5)]
    return got


def when_available(fn, timeout: float = 20.0):
    """``fn()``, tried again while the cluster answers *unavailable* (code
    14): right after the member in use is killed, the survivors may still be
    electing a leader.  A write tried again may have been applied the first
    time; the callers here only write what they can check."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except EtcdError as e:
            assert e.code == 14, e
            assert time.monotonic() < deadline, f"still unavailable after {timeout} s: {e}"
            time.sleep(0.2)


def test_an_endpoint_that_cannot_be_reached_is_passed_over():
    dead = _dead_url()
    with etcd_server() as url:
        kv = EtcdKV([dead, url])
        try:
            assert kv.endpoint == dead
            rev = kv.put("/a", b"1")                     # the write was never sent to the dead one: safe to move on
            assert kv.endpoint == url and kv.get("/a").value == b"1"
            w = kv.watch("/", prefix=True, start_revision=rev)
            assert _events(w, 1) == [("PUT", "/a")]
            w.close()
        finally:
            kv.close()


def test_no_endpoint_reachable_is_a_clear_error():
    kv = EtcdKV(f"{_dead_url()},{_dead_url()}")
    try:
        with pytest.raises(EtcdError, match="no etcd endpoint could be reached") as e:
            kv.put("/a", b"1")
        assert e.value.code == 14 and str(e.value).count("Connection refused") == 2
    finally:
        kv.close()


def test_losing_the_member_in_use_of_a_three_member_cluster():
    with etcd_cluster(3) as members:
        urls = [u for u, _ in members]
        kv = EtcdKV(",".join(urls))
        try:
            rev = kv.put("/a", b"1")
            w = kv.watch("/", prefix=True, start_revision=rev)
            assert _events(w, 1) == [("PUT", "/a")]
            first = kv.endpoint
            proc = dict(members)[first]
            proc.kill()
            proc.wait()
            assert when_available(lambda: kv.get("/a")).value == b"1"     # a read moves on to a live member ...
            assert kv.endpoint != first
            when_available(lambda: kv.put("/b", b"2"))                 # ... and so do the writes after it
            b = kv.get("/b")
            assert b.value == b"2" and b.mod_revision > rev and kv.range("/", prefix=True).count == 2
            # the old watch ends with an error (its member is gone); a new one from its revision misses nothing
            with pytest.raises(EtcdError, match="watch stream (broke|ended)"):
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    assert w.next_batch(0.5) == []
            w.close()
            w2 = when_available(lambda: kv.watch("/", prefix=True, start_revision=rev + 1))
            assert _events(w2, 1) == [("PUT", "/b")]
            w2.close()
            # a client that starts at the dead member finds the others
            other = EtcdKV(",".join([first] + [u for u in urls if u != first]))
            try:
                assert other.get("/b").value == b"2" and other.endpoint != first
            finally:
                other.close()
        finally:
            kv.close()


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_an_informer_carries_on_when_its_member_dies():
    """The API store and an informer on a three-member cluster: the member
    in use is killed; a write may then fail as unavailable (sent to the dead
    member, or during the survivors' leader election), and the caller tries
    again; the informer's broken watch resumes on a live member from its
    resourceVersion, so it sees every change once."""
    from kubekit.clock import RealClock
    from kubekit.controllers.informer import Informer
    from kubekit.errors import AlreadyExistsError, NotFoundError
    from kubekit.store import APIStore

    with etcd_cluster(3) as members:
        kv = EtcdKV([u for u, _ in members])
        store = APIStore(kv, clock=RealClock())
        seen: list[tuple[str, str]] = []
        inf = Informer(store, "Pod", "default")
        inf.add_handler(on_add=lambda o: seen.append(("add", o["metadata"]["name"])),
                        on_delete=lambda o: seen.append(("delete", o["metadata"]["name"])))
        try:
            inf.start()
            store.create(pod("a"))
            deadline = time.monotonic() + 10
            while ("add", "a") not in seen and time.monotonic() < deadline:
                inf.pump(0.2)
            first = kv.endpoint
            proc = dict(members)[first]
            proc.kill()
            proc.wait()
            for _ in range(100):
                try:
                    store.create(pod("b"))
                    break
                except EtcdError as e:
                    # unavailable: sent to the dead member, or the survivors are electing a new
                    # leader (it may or may not have been applied): try again
                    assert e.code == 14, e
                    time.sleep(0.2)
                except AlreadyExistsError:       # ... it was
                    break
            else:
                pytest.fail("the cluster stayed unavailable for 20 s")

            def delete_a():
                try:
                    store.delete("Pod", "default", "a")
                except NotFoundError:          # an earlier try was applied after all
                    pass
            when_available(delete_a)
            deadline = time.monotonic() + 20
            while ("delete", "a") not in seen and time.monotonic() < deadline:
                inf.pump(0.2)
            assert seen == [("add", "a"), ("add", "b"), ("delete", "a")]
            assert kv.endpoint != first
            assert [o["metadata"]["name"] for o in inf.list()] == ["b"]
        finally:
            inf.stop()
            store.close()
            kv.close()
