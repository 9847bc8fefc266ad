"""A node's Lease renewal (kubelet's lease controller): from the copy last
written when the caller keeps one, falling back to read-modify-write when
someone else wrote the lease or it is gone."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.node.lease import LEASE_DURATION, LEASE_NAMESPACE, renew_node_lease
from kubekit.store import APIStore
from kubekit.store.meta import micro_time


def _lease(store, node="n1") -> dict:
    return store.get("Lease", LEASE_NAMESPACE, node)


def test_renewals_from_the_last_written_copy_and_after_a_foreign_write():
    clock = FakeClock()
    store = APIStore(clock=clock)
    latest: dict[str, dict] = {}
    renew_node_lease(store, "n1", clock.now(), latest)          # created
    first = _lease(store)
    assert first["spec"]["holderIdentity"] == "n1" and first["spec"]["leaseDurationSeconds"] == LEASE_DURATION
    assert latest["n1"]["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    clock.advance(10)
    renew_node_lease(store, "n1", clock.now(), latest)          # an update of the cached copy
    assert _lease(store)["spec"]["renewTime"] == micro_time(clock.now())
    assert latest["n1"]["metadata"]["resourceVersion"] == _lease(store)["metadata"]["resourceVersion"]
    # someone else writes the lease: the cached copy is stale, the renewal still lands
    store.guaranteed_update("Lease", LEASE_NAMESPACE, "n1",
                            lambda cur: {**cur, "spec": {**cur["spec"], "holderIdentity": "other"}})
    clock.advance(10)
    renew_node_lease(store, "n1", clock.now(), latest)
    now = _lease(store)
    assert now["spec"]["renewTime"] == micro_time(clock.now()) and now["spec"]["holderIdentity"] == "other"
    # the lease is deleted: it is created again
    store.delete("Lease", LEASE_NAMESPACE, "n1")
    clock.advance(10)
    renew_node_lease(store, "n1", clock.now(), latest)
    assert _lease(store)["spec"]["acquireTime"] == micro_time(clock.now())


def test_without_a_cache_every_renewal_reads_first():
    clock = FakeClock()
    store = APIStore(clock=clock)
    renew_node_lease(store, "n1", clock.now())
    clock.advance(10)
    renew_node_lease(store, "n1", clock.now())
    assert _lease(store)["spec"]["renewTime"] == micro_time(clock.now())
