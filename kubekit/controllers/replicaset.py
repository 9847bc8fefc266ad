"""The ReplicaSet controller (``pkg/controller/replicaset/replica_set.go``):
keeps ``spec.replicas`` pods of a ReplicaSet alive.

``reconcile(key)`` reads the ReplicaSet and every pod of its namespace from
the informers' caches, then:

1. **claims** pods (the ControllerRefManager): orphans that match the
   selector are adopted (an ``ownerReference`` with ``controller: true`` is
   added); owned pods that no longer match are released;
2. if the **expectations** of its last action have been observed (so the
   caches are not stale), creates the missing pods in slow-start batches of
   1, 2, 4 ... (stopping at the first failed batch), or deletes the surplus
   in Kubernetes' deletion order (:func:`~kubekit.controllers.pod_ranking.pods_to_delete`);
3. writes the status (replicas, fullyLabeled, ready, available,
   terminating, observedGeneration, the ReplicaFailure condition) when it
   changed, and asks to be woken when a ready pod becomes available after
   ``minReadySeconds``.

The decisions are the pure functions of :mod:`kubekit.controllers.replicaset_rules`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from kubekit.controllers.informer import Informer, object_key
from kubekit.controllers.pod_ranking import FeatureCache, pods_to_delete
from kubekit.controllers.podutil import is_pod_active, pod_ready_time
from kubekit.controllers.timeutil import is_zero
from kubekit.controllers.replicaset_rules import BURST_REPLICAS, TallyKey, counts_from_tally, \
    manage_replicas_decision, pod_tally_key, replicaset_status, replicaset_status_from_counts, slow_start_batches
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import ConflictError, KubekitError, NotFoundError
from kubekit.controllers.label_selectors import label_selector

__all__ = ["Expectations", "ReplicaSetController", "controller_of", "pod_from_template"]

log = logging.getLogger(__name__)

STATUS_UPDATE_RETRIES = 1     # statusUpdateRetries (pkg/controller/replicaset/replica_set.go), updateReplicaSetStatus

EXPECTATIONS_TIMEOUT = 300.0     # client-go's ExpectationsTimeout


class Expectations:
    """client-go's ControllerExpectations: how many creations and which
    deletions a controller still waits to see in its caches.  Until they are
    observed (or 5 minutes pass), it must not act again on stale data."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self._adds: dict[str, int] = {}
        self._dels: dict[str, set[str]] = {}
        self._at: dict[str, float] = {}
        self._lock = threading.Lock()

    def expect(self, key: str, adds: int = 0, deletes: set[str] | None = None) -> None:
        with self._lock:
            self._adds[key] = adds
            self._dels[key] = set(deletes or ())
            self._at[key] = self.clock.monotonic()

    def lower_adds(self, key: str, n: int = 1) -> None:
        with self._lock:
            if key in self._adds:
                self._adds[key] -= n

    def deletion_observed(self, key: str, pod_key: str) -> None:
        with self._lock:
            self._dels.get(key, set()).discard(pod_key)

    def satisfied(self, key: str) -> bool:
        with self._lock:
            if key not in self._at:
                return True
            if self._adds[key] <= 0 and not self._dels[key]:
                return True
            return self.clock.monotonic() - self._at[key] > EXPECTATIONS_TIMEOUT

    def forget(self, key: str) -> None:
        with self._lock:
            self._adds.pop(key, None)
            self._dels.pop(key, None)
            self._at.pop(key, None)


def controller_of(obj: dict) -> dict | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def owner_reference(owner: dict) -> dict:
    return {"apiVersion": owner.get("apiVersion", "apps/v1"), "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def pod_from_template(rs: dict) -> dict:
    """The pod a ReplicaSet creates (``GetPodFromTemplate``)."""
    t = rs["spec"]["template"]
    tm = t.get("metadata") or {}
    m = {"generateName": f"{rs['metadata']['name']}-", "namespace": rs["metadata"].get("namespace", "default"),
         "labels": dict(tm.get("labels") or {}), "ownerReferences": [owner_reference(rs)]}
    if tm.get("annotations"):
        m["annotations"] = dict(tm["annotations"])
    if tm.get("finalizers"):
        m["finalizers"] = list(tm["finalizers"])
    # The template's spec is shared by every pod of a batch (a deep copy per pod
    # cost more than the create itself): the ReplicaSet's and the pods' watch
    # objects are all read-only, so nothing ever changes it.
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": t.get("spec") or {}}


class ReplicaSetController(Controller):
    """See the module docstring."""

    name = "replicaset"
    kind = "ReplicaSet"

    def __init__(self, store, clock, *, pods: Informer | None = None, owners: Informer | None = None,
                 burst: int = BURST_REPLICAS, events=None) -> None:
        super().__init__(store, clock)
        from kubekit.cluster.events import EventRecorder

        self.burst = burst
        self.events = events or EventRecorder(store, clock, "replicaset-controller")
        self.expectations = Expectations(clock)
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.owners = owners if owners is not None else Informer(store, self.kind)
        self.informers = [self.owners, self.pods]
        # pods by controlling owner uid, and orphans by namespace: a reconcile
        # looks at its own pods, not at every pod of the namespace
        self._by_owner: dict[str, dict[str, dict]] = {}
        self._orphans: dict[str, dict[str, dict]] = {}
        # and, per owner uid, how many of its pods have each pod_tally_key:
        # the status counts without visiting thousands of pods per sync
        self._tally: dict[str, dict[TallyKey, int]] = {}
        self._tallied: dict[str, TallyKey] = {}     # owned pod's key -> its tally key
        self._keys: dict[TallyKey, TallyKey] = {}   # the tally keys in use, interned
        self._ranking = FeatureCache()              # deletion-order features per pod version
        self.owners.add_handler(lambda o: self.enqueue(object_key(o)), lambda _o, n: self.enqueue(object_key(n)),
                                self._owner_deleted)
        # one handler per pod event keeps the index, then routes the event
        # (each finds the pod's controller reference once)
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)

    # -- the pod index ------------------------------------------------------------------
    def _index_remove(self, pod: dict, key: str, ref: dict | None) -> None:
        if ref is not None:
            uid = ref.get("uid")
            group = self._by_owner.get(uid)
            if group is not None:
                if group.pop(key, None) is not None:
                    tally = self._tally[uid]
                    tk = self._tallied.pop(key)
                    n = tally[tk] - 1
                    if n:
                        tally[tk] = n
                    else:
                        del tally[tk]
                if not group:
                    del self._by_owner[uid]
                    del self._tally[uid]
        else:
            self._orphans.get(pod["metadata"].get("namespace", "default"), {}).pop(key, None)

    def _tally_key(self, pod: dict) -> TallyKey:
        tk = pod_tally_key(pod)
        # one shared key object per distinct key (thousands of replicas
        # share a few): the collector has one tuple to track, not one per pod
        if len(self._keys) >= 4096:
            self._keys.clear()        # only sharing is lost: keys compare by value
        return self._keys.setdefault(tk, tk)

    def _index_add(self, pod: dict, key: str, ref: dict | None) -> None:
        if ref is not None:
            uid = ref.get("uid")
            self._by_owner.setdefault(uid, {})[key] = pod
            tally = self._tally.setdefault(uid, {})
            tk = self._tallied[key] = self._tally_key(pod)
            tally[tk] = tally.get(tk, 0) + 1
        else:
            self._orphans.setdefault(pod["metadata"].get("namespace", "default"), {})[key] = pod

    def _index_update(self, old: dict, new: dict, key: str, old_ref: dict | None, ref: dict | None) -> None:
        # the fast path needs a controller before and after (a uid-less
        # reference and no reference both give uid None)
        uid = ref.get("uid") if ref is not None else None
        group = self._by_owner.get(uid) if ref is not None and old_ref is not None and old_ref.get("uid") == uid \
            else None
        if group is None or key not in group:
            self._index_remove(old, key, old_ref)
            self._index_add(new, key, ref)
            return
        group[key] = new                              # same owner: move the pod's tally only if its key changed
        tk = self._tally_key(new)
        old_tk = self._tallied[key]
        if tk != old_tk:
            tally = self._tally[uid]
            n = tally[old_tk] - 1
            if n:
                tally[old_tk] = n
            else:
                del tally[old_tk]
            tally[tk] = tally.get(tk, 0) + 1
            self._tallied[key] = tk

    def pods_owned_by(self, uid: str) -> list[dict]:
        return list(self._by_owner.get(uid, {}).values())

    # -- event routing ------------------------------------------------------------------
    def _owner_deleted(self, obj: dict) -> None:
        key = object_key(obj)
        self.expectations.forget(key)
        self.enqueue(key)

    def _owner_key(self, pod: dict, ref: dict | None) -> str | None:
        if ref is None or ref.get("kind") != self.kind:
            return None
        return f"{pod['metadata'].get('namespace', 'default')}/{ref['name']}"

    def _orphan_candidates(self, pod: dict) -> list[str]:
        """ReplicaSets whose selector matches an orphan pod (they may adopt it)."""
        ns = pod["metadata"].get("namespace", "default")
        labels = pod["metadata"].get("labels") or {}
        out = []
        for rs in self.owners.list_namespace(ns):
            sel = (rs.get("spec") or {}).get("selector")
            if sel and label_selector(sel).matches(labels):
                out.append(object_key(rs))
        return out

    def _pod_added(self, pod: dict) -> None:
        ref = controller_of(pod)
        self._index_add(pod, object_key(pod), ref)
        key = self._owner_key(pod, ref)
        if key is not None:
            self.expectations.lower_adds(key)
            self.enqueue(key)
        elif ref is None:
            for k in self._orphan_candidates(pod):
                self.enqueue(k)

    def _pod_updated(self, old: dict, new: dict) -> None:
        pod_key = object_key(new)
        ref = controller_of(new)
        old_ref = ref if old["metadata"].get("ownerReferences") == new["metadata"].get("ownerReferences") \
            else controller_of(old)
        self._index_update(old, new, pod_key, old_ref, ref)
        key = self._owner_key(new, ref)
        if new["metadata"].get("deletionTimestamp") and key is not None:
            self.expectations.deletion_observed(key, pod_key)
        old_key = key if old_ref is ref else self._owner_key(old, old_ref)
        if old_key is not None and old_key != key:
            self.enqueue(old_key)
        if key is not None:
            self.enqueue(key)
        elif ref is None:
            for k in self._orphan_candidates(new):
                self.enqueue(k)

    def _pod_deleted(self, pod: dict) -> None:
        ref = controller_of(pod)
        pod_key = object_key(pod)
        self._index_remove(pod, pod_key, ref)
        key = self._owner_key(pod, ref)
        if key is not None:
            self.expectations.deletion_observed(key, pod_key)
            self.enqueue(key)

    # -- reconcile ----------------------------------------------------------------------
    def _claim(self, rs: dict, pods: list[dict]) -> list[dict]:
        """Adopt matching orphans, release owned pods that stopped matching;
        the pods this ReplicaSet owns afterwards."""
        uid = rs["metadata"]["uid"]
        sel = label_selector(rs["spec"].get("selector"))
        owned = []
        deleting = bool(rs["metadata"].get("deletionTimestamp"))
        for pod in pods:
            ref = controller_of(pod)
            matches = sel.matches(pod["metadata"].get("labels") or {})
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if matches or pod["metadata"].get("deletionTimestamp"):
                    owned.append(pod)
                elif not deleting:
                    self._set_owner(pod, None, uid)
                continue
            if matches and not deleting and not pod["metadata"].get("deletionTimestamp") and is_pod_active(pod):
                adopted = self._set_owner(pod, owner_reference(rs), uid)
                if adopted is not None:
                    owned.append(adopted)
        return owned

    def _set_owner(self, pod: dict, ref: dict | None, uid: str) -> dict | None:
        m = pod["metadata"]

        def change(cur: dict) -> dict | None:
            refs = [r for r in cur["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
            if ref is not None:
                if controller_of(cur) is not None:
                    return None                      # someone adopted it first
                refs.append(ref)
            cur["metadata"]["ownerReferences"] = refs
            return cur
        try:
            return self.store.guaranteed_update("Pod", m.get("namespace"), m["name"], change)
        except NotFoundError:
            return None

    def reconcile(self, key: str) -> Result:
        ns, _, name = key.partition("/")
        rs = self.owners.get(key)
        if rs is None:
            self.expectations.forget(key)
            return Result()
        uid = rs["metadata"]["uid"]
        group = self._by_owner.get(uid) or {}
        orphans = list(self._orphans.get(ns, {}).values())
        owned_ok = self._owned_all_match(rs, uid)
        adopted = self._claim(rs, orphans) if orphans else []
        now = self.clock.now()
        at = dt.datetime.fromtimestamp(now, dt.timezone.utc)
        if owned_ok and not adopted and not int(rs["spec"].get("minReadySeconds") or 0):
            # Every owned pod stays owned and available = ready: the counts
            # come from the tally, not from a pass over the pods.
            template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
            counts = counts_from_tally(self._tally.get(uid, {}), template_labels)
            error = self._manage_if_due(rs, key, counts.active,
                                        lambda: [p for p in group.values() if is_pod_active(p)])
            self._write_status(rs, replicaset_status_from_counts(rs, counts, at, error))
            return Result()
        owned = (list(group.values()) if owned_ok else self._claim(rs, list(group.values()))) + adopted
        active = [p for p in owned if is_pod_active(p)]
        error = self._manage_if_due(rs, key, len(active), lambda: active)
        self._write_status(rs, replicaset_status(rs, owned, at, error))
        return Result(self._available_recheck(rs, active, now))

    def _owned_all_match(self, rs: dict, uid: str) -> bool:
        """Whether every pod this ReplicaSet controls still matches its
        selector or is being deleted (so the claim keeps them all), judged
        once per distinct label set of the tally."""
        sel = label_selector(rs["spec"].get("selector"))
        return all(deleting or sel.matches(dict(labels)) for labels, _terminal, deleting, _ready
                   in self._tally.get(uid, {}))

    def _manage_if_due(self, rs: dict, key: str, n_active: int, active: Callable[[], list[dict]]) -> str | None:
        if self.expectations.satisfied(key) and not rs["metadata"].get("deletionTimestamp"):
            return self._manage(rs, key, n_active, active)
        return None

    def _manage(self, rs: dict, key: str, n_active: int, active: Callable[[], list[dict]]) -> str | None:
        """Create or delete pods toward ``spec.replicas``; ``active()`` lists
        the active pods (only a deletion needs them)."""
        desired = int(rs["spec"].get("replicas", 1))
        decision = manage_replicas_decision(n_active, desired, self.burst)
        if decision.action == "create":
            self.expectations.expect(key, adds=decision.count)
            created = 0
            for batch in slow_start_batches(decision.count):
                errors = 0
                for _ in range(batch):
                    try:
                        self.store.create(pod_from_template(rs), handoff=True)    # built for this write
                        created += 1
                    except (KubekitError, ValueError) as e:
                        errors += 1
                        self.expectations.lower_adds(key)
                        self.events.warning(rs, "FailedCreate", f"Error creating: {e}")
                if errors:
                    # creations never attempted are not expected either
                    self.expectations.lower_adds(key, decision.count - created - errors)
                    return f"failed to create pods: {errors} of {batch} in a batch failed"
                self.events.normal(rs, "SuccessfulCreate", f"Created {batch} pod(s)")
            return None
        if decision.action == "delete":
            related = self._related_pods(rs)
            now = dt.datetime.fromtimestamp(self.clock.now(), dt.timezone.utc)
            doomed = pods_to_delete(active(), related, decision.count, now, cache=self._ranking)
            self.expectations.expect(key, deletes={object_key(p) for p in doomed})
            for pod in doomed:
                m = pod["metadata"]
                try:
                    self.store.delete("Pod", m.get("namespace"), m["name"])
                    self.events.normal(rs, "SuccessfulDelete", f"Deleted pod: {m['name']}")
                except NotFoundError:
                    self.expectations.deletion_observed(key, object_key(pod))
                except (ConflictError, KubekitError) as e:
                    self.expectations.deletion_observed(key, object_key(pod))
                    return f"failed to delete pod {m['name']}: {e}"
        return None

    def _related_pods(self, rs: dict) -> list[dict]:
        """Active pods of every ReplicaSet with the same controlling owner
        (a Deployment's old and new ReplicaSets), for the deletion rank."""
        owner = controller_of(rs)
        if owner is None:
            uids = {rs["metadata"]["uid"]}
        else:
            uids = {o["metadata"]["uid"] for o in self.owners.list_namespace(rs["metadata"].get("namespace", "default"))
                    if (controller_of(o) or {}).get("uid") == owner.get("uid")}
        return [p for uid in uids for p in self.pods_owned_by(uid) if is_pod_active(p)]

    def _write_status(self, rs: dict, status: dict) -> None:
        """``updateReplicaSetStatus``: UpdateStatus of the informer's copy with
        the new status (its resourceVersion the precondition, nothing read
        first); after an error, read the latest and try once more
        (``statusUpdateRetries`` = 1).  A second error fails the reconcile,
        which is retried with backoff; a ReplicaSet that is gone needs no
        status (Kubernetes returns the NotFound and its next sync finds
        nothing)."""
        if (rs.get("status") or {}) == status:
            return
        m = rs["metadata"]
        obj = rs
        for attempt in range(STATUS_UPDATE_RETRIES + 1):
            try:
                self.store.update_status({**obj, "status": status}, handoff=True)     # status: built for this write
                return
            except NotFoundError:
                return
            except KubekitError:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
            try:
                obj = self.store.get(self.kind, m.get("namespace"), m["name"])
            except NotFoundError:
                return

    def _available_recheck(self, rs: dict, active: list[dict], now: float) -> float | None:
        """Seconds until a ready pod passes ``minReadySeconds`` (then the
        available count changes without any event)."""
        mrs = int(rs["spec"].get("minReadySeconds") or 0)
        if mrs <= 0:
            return None
        waits = []
        for p in active:
            ready_at = pod_ready_time(p)          # the zero time unless Ready
            since = None if is_zero(ready_at) else ready_at.timestamp()
            if since is not None and now - since < mrs:
                waits.append(mrs - (now - since) + 1)
        return min(waits) if waits else None
