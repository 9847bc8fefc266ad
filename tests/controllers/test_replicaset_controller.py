"""The ReplicaSet controller on a real (in-memory) store and a fake clock."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.controllers.replicaset import ReplicaSetController, controller_of
from kubekit.store import APIStore


def rs(name="web", replicas=3, labels=None, min_ready=0):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "minReadySeconds": min_ready, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}


def world():
    clock = FakeClock()
    store = APIStore(clock=clock)
    ctrl = ReplicaSetController(store, clock)
    return store, clock, ctrl


def pods_of(store, name="web"):
    items, _ = store.list("Pod", "default")
    return [p for p in items if (controller_of(p) or {}).get("name") == name]


def settle(ctrl, rounds=5):
    for _ in range(rounds):
        ctrl.run_once()


def test_creates_the_missing_pods_with_owner_references_and_status():
    store, clock, ctrl = world()
    store.create(rs(replicas=3))
    ctrl.start()
    settle(ctrl)
    pods = pods_of(store)
    assert len(pods) == 3
    assert all(p["metadata"]["name"].startswith("web-") and p["metadata"]["labels"] == {"app": "web"} for p in pods)
    ref = controller_of(pods[0])
    assert ref["kind"] == "ReplicaSet" and ref["blockOwnerDeletion"] is True
    st = store.get("ReplicaSet", "default", "web")["status"]
    assert st["replicas"] == 3 and st["observedGeneration"] == 1


def test_expectations_stop_a_stale_cache_from_creating_twice():
    store, clock, ctrl = world()
    store.create(rs(replicas=2))
    ctrl.start()
    ctrl.sync()
    ctrl.reconcile("default/web")             # creates 2; the pod informer has not seen them yet
    ctrl.reconcile("default/web")             # stale cache: must not create 2 more
    assert len(pods_of(store)) == 2
    settle(ctrl)
    assert len(pods_of(store)) == 2


def test_scale_down_deletes_unscheduled_pods_first():
    store, clock, ctrl = world()
    store.create(rs(replicas=3))
    ctrl.start()
    settle(ctrl)
    pods = sorted(pods_of(store), key=lambda p: p["metadata"]["name"])
    for p in pods[:2]:                      # two of them are bound and running
        store.guaranteed_update("Pod", "default", p["metadata"]["name"],
                                lambda c: {**c, "spec": {**c["spec"], "nodeName": "n1"}})
    store.guaranteed_update("ReplicaSet", "default", "web", lambda r: {**r, "spec": {**r["spec"], "replicas": 2}})
    settle(ctrl)
    left = sorted(p["metadata"]["name"] for p in pods_of(store))
    assert left == sorted(p["metadata"]["name"] for p in pods[:2])


def test_a_deleted_pod_is_replaced():
    store, clock, ctrl = world()
    store.create(rs(replicas=2))
    ctrl.start()
    settle(ctrl)
    victim = pods_of(store)[0]["metadata"]["name"]
    store.delete("Pod", "default", victim)
    settle(ctrl)
    names = [p["metadata"]["name"] for p in pods_of(store)]
    assert len(names) == 2 and victim not in names


def test_adopts_matching_orphans_and_releases_pods_that_stop_matching():
    store, clock, ctrl = world()
    store.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "orphan", "namespace": "default", "labels": {"app": "web"}},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    store.create(rs(replicas=2))
    ctrl.start()
    settle(ctrl)
    owned = pods_of(store)
    assert len(owned) == 2 and "orphan" in [p["metadata"]["name"] for p in owned]
    other = next(p for p in owned if p["metadata"]["name"] != "orphan")["metadata"]["name"]
    store.guaranteed_update("Pod", "default", other,
                            lambda p: {**p, "metadata": {**p["metadata"], "labels": {"app": "debug"}}})
    settle(ctrl)
    released = store.get("Pod", "default", other)
    assert controller_of(released) is None           # released, not deleted
    assert len(pods_of(store)) == 2                   # and replaced


def test_available_replicas_wait_for_min_ready_seconds():
    store, clock, ctrl = world()
    store.create(rs(replicas=1, min_ready=30))
    ctrl.start()
    settle(ctrl)
    (p,) = pods_of(store)
    now = __import__("kubekit.store.meta", fromlist=["rfc3339"]).rfc3339(clock.now())
    store.guaranteed_update("Pod", "default", p["metadata"]["name"], lambda c: {**c, "status": {
        "phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}},
        status=True)
    settle(ctrl)
    st = store.get("ReplicaSet", "default", "web")["status"]
    assert (st["readyReplicas"], st.get("availableReplicas", 0)) == (1, 0)
    wake = ctrl.next_wakeup()
    assert wake is not None and 29 <= wake <= 32
    clock.advance(wake)
    settle(ctrl)
    assert store.get("ReplicaSet", "default", "web")["status"]["availableReplicas"] == 1


def test_the_status_from_the_tally_matches_a_pass_over_the_stored_pods():
    """The controller counts its pods through a tally kept by the pod
    informer's events; after adoption, release, readiness flips, a deletion
    and label changes, the status it writes is the one replicaset_status
    computes from the pods in the store, and the tally is a recount."""
    import datetime as dt

    from kubekit.controllers.replicaset_rules import pod_tally_key, replicaset_status
    from kubekit.store.meta import rfc3339

    store, clock, ctrl = world()
    store.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "orphan", "namespace": "default", "labels": {"app": "web", "x": "1"}},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    store.create(rs(replicas=5))
    ctrl.start()
    settle(ctrl)
    names = sorted(p["metadata"]["name"] for p in pods_of(store))
    now = rfc3339(clock.now())
    for i, name in enumerate(names[:3]):
        store.guaranteed_update("Pod", "default", name, lambda c, i=i: {**c, "status": {
            "phase": "Running", "conditions": [{"type": "Ready", "status": "True" if i else "False",
                                                "lastTransitionTime": now}]}}, status=True)
    store.guaranteed_update("Pod", "default", names[3],
                            lambda p: {**p, "metadata": {**p["metadata"], "labels": {"app": "debug"}}})
    store.delete("Pod", "default", names[4])
    settle(ctrl)
    web = store.get("ReplicaSet", "default", "web")
    owned = pods_of(store)
    assert len([p for p in owned if not p["metadata"].get("deletionTimestamp")]) == 5
    at = dt.datetime.fromtimestamp(clock.now(), dt.timezone.utc)
    assert web["status"] == replicaset_status(web, owned, at)
    assert web["status"]["readyReplicas"] == 2
    recount: dict = {}
    for p in ctrl.pods_owned_by(web["metadata"]["uid"]):
        recount[pod_tally_key(p)] = recount.get(pod_tally_key(p), 0) + 1
    assert ctrl._tally[web["metadata"]["uid"]] == recount


def test_a_pod_whose_uid_less_controller_reference_goes_becomes_an_orphan():
    """The index files a pod by its controller's uid; a reference without a
    uid (the store does not validate, only the API server does) files it
    under None.  When that reference goes, the pod is an orphan like any
    other: in the namespace's orphans, out of the None group, and adopted by
    the ReplicaSet that selects it."""
    store, clock, ctrl = world()
    store.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"},
                               "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone",
                                                    "controller": True}]},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    store.create(rs(replicas=1))
    ctrl.start()
    settle(ctrl)
    store.guaranteed_update("Pod", "default", "stray",
                            lambda p: {**p, "metadata": {k: v for k, v in p["metadata"].items()
                                                         if k != "ownerReferences"}})
    ctrl.pods.pump()
    assert "default/stray" in ctrl._orphans.get("default", {})
    assert ctrl.pods_owned_by(None) == []
    settle(ctrl)
    items, _ = store.list("Pod", "default")
    assert all(controller_of(p) is not None for p in items)       # adopted (and perhaps scaled down)
    assert len(pods_of(store)) == 1


class CountingStore:
    """An APIStore (extension type: its methods cannot be patched) seen
    through a proxy that counts reads and status writes, and can make the
    next status writes fail with a conflict."""

    def __init__(self, store, conflicts=0, error=None):
        from kubekit.errors import ConflictError

        self._store, self.gets, self.status_writes, self.conflicts = store, 0, 0, conflicts
        self.error = error or ConflictError

    def __getattr__(self, name):
        return getattr(self._store, name)

    def get(self, *args, **kwargs):
        self.gets += 1
        return self._store.get(*args, **kwargs)

    def update_status(self, obj, **kwargs):
        self.status_writes += 1
        if self.conflicts:
            self.conflicts -= 1
            raise self.error("the object has been modified")
        return self._store.update_status(obj, **kwargs)


def _status_write(conflicts, error=None):
    """The controller's status write of a fresh status (counts) on a
    ReplicaSet whose informer copy is current, with ``conflicts`` failures
    (``error``, default ConflictError) injected."""
    clock = FakeClock()
    store = APIStore(clock=clock)
    store.create(rs(replicas=0))
    proxy = CountingStore(store, conflicts, error)
    ctrl = ReplicaSetController(proxy, clock)
    ctrl.start()
    ctrl.sync()
    current = ctrl.owners.get("default/web")
    status = {"replicas": 0, "observedGeneration": 1, "availableReplicas": 0}
    try:
        ctrl._write_status(current, status)
        error = None
    except Exception as e:                       # noqa: BLE001 - the outcome is compared
        error = type(e).__name__
    return proxy, error, store.get("ReplicaSet", "default", "web").get("status")


def test_a_status_write_is_an_update_of_the_informers_copy_retried_once_after_a_read():
    """updateReplicaSetStatus: UpdateStatus of the cached ReplicaSet, no read
    first; after a failure one read and one more try (statusUpdateRetries = 1);
    a second failure is the reconcile's error."""
    want = {"replicas": 0, "observedGeneration": 1, "availableReplicas": 0}
    proxy, error, stored = _status_write(conflicts=0)
    assert (proxy.gets, proxy.status_writes, error, stored) == (0, 1, None, want)
    proxy, error, stored = _status_write(conflicts=1)
    assert (proxy.gets, proxy.status_writes, error, stored) == (1, 2, None, want)
    proxy, error, stored = _status_write(conflicts=2)
    assert (proxy.gets, proxy.status_writes, error) == (1, 2, "ConflictError")
    assert stored != want
    from kubekit.errors import StoreError                      # any error, not only a conflict, is retried once
    proxy, error, stored = _status_write(conflicts=1, error=StoreError)
    assert (proxy.gets, proxy.status_writes, error, stored) == (1, 2, None, want)


def test_a_status_write_from_a_stale_copy_conflicts_then_reads_the_latest():
    clock = FakeClock()
    store = APIStore(clock=clock)
    store.create(rs(replicas=0))
    proxy = CountingStore(store)
    ctrl = ReplicaSetController(proxy, clock)
    ctrl.start()
    ctrl.sync()
    stale = ctrl.owners.get("default/web")
    latest = store.get("ReplicaSet", "default", "web")
    moved = store.update({**latest, "metadata": {**latest["metadata"], "labels": {"x": "1"}}})  # unseen by the informer
    ctrl._write_status(stale, {"replicas": 0, "observedGeneration": 1})
    got = store.get("ReplicaSet", "default", "web")
    assert (proxy.gets, proxy.status_writes) == (1, 2)           # the stale copy's precondition failed once
    assert got["status"] == {"replicas": 0, "observedGeneration": 1}
    assert int(got["metadata"]["resourceVersion"]) > int(moved["metadata"]["resourceVersion"]) \
        > int(stale["metadata"]["resourceVersion"])              # written after the write the copy missed
