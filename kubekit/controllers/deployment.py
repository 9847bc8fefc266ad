"""The Deployment controller (``pkg/controller/deployment``): rolls a
Deployment's pods from one template to the next through ReplicaSets.

``reconcile(key)`` follows ``syncDeployment``:

1. claim the ReplicaSets the Deployment owns (adopt matching orphans, release
   ones that stopped matching);
2. a deleted Deployment only gets its status; a paused one, or a *scaling
   event* (``spec.replicas`` differs from the ``desired-replicas`` annotation
   of its active ReplicaSets), is only scaled, proportionally across its
   ReplicaSets within ``maxSurge`` (``scale``);
3. otherwise the new ReplicaSet (template + ``pod-template-hash``, revision
   = max old revision + 1) is found or created, and one step of the strategy
   runs: **RollingUpdate** scales the new ReplicaSet up within ``maxSurge``,
   or else the old ones down within ``maxUnavailable`` (``rolloutRolling``);
   **Recreate** scales every old one to 0, waits until no old pod runs, then
   scales the new one up (``rolloutRecreate``);
4. once complete, old ReplicaSets past ``revisionHistoryLimit`` (and empty)
   are deleted; the status and the Progressing/Available conditions are
   written, and a look is scheduled at the progress deadline.

Every decision is a pure function from :mod:`kubekit.controllers`
(``deployment_rules``, ``deployment_scaling``, ``deployment_status``,
``deployment_history``); this class reads the caches and writes the store.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

from kubekit.controllers.deployment_history import (
    POD_TEMPLATE_HASH_LABEL,
    cleanup_deployment,
    find_new_rs,
    find_old_rss,
    max_revision,
    pod_template_hash,
    set_new_replica_set_annotations,
    set_replicas_annotations,
)
from kubekit.controllers.deployment_rules import (
    DESIRED_REPLICAS_ANNOTATION,
    RECREATE,
    deployment_replicas,
    max_surge,
    new_rs_new_replicas,
    recreate_step,
    rolling_update_step,
    strategy_type,
)
from kubekit.controllers.deployment_scaling import scale_decision
from kubekit.controllers.deployment_status import deployment_complete, progress_requeue_after, rollout_status
from kubekit.controllers.informer import Informer, object_key
from kubekit.controllers.replicaset import controller_of, owner_reference
from kubekit.controllers.rs_ordering import filter_active, rs_spec_replicas
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import AlreadyExistsError, NotFoundError
from kubekit.store import jsoncodec
from kubekit.controllers.label_selectors import label_selector

__all__ = ["DeploymentController"]

log = logging.getLogger(__name__)
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def _ns(obj: dict) -> str:
    return obj["metadata"].get("namespace", "default")


def _json_copy(obj: Any) -> Any:
    """A deep copy (upstream's ``DeepCopy``) of JSON data, as the store holds
    it, through orjson: ten times faster than :func:`copy.deepcopy`; any other
    data falls back to it."""
    try:
        return jsoncodec.loads(jsoncodec.dumps(obj))
    except TypeError:
        return copy.deepcopy(obj)


class DeploymentController(Controller):
    """See the module docstring."""

    name = "deployment"

    def __init__(self, store, clock, *, replicasets: Informer | None = None, pods: Informer | None = None,
                 deployments: Informer | None = None, events=None) -> None:
        super().__init__(store, clock)
        from kubekit.cluster.events import EventRecorder

        self.events = events or EventRecorder(store, clock, "deployment-controller")
        self.deployments = deployments if deployments is not None else Informer(store, "Deployment")
        self.replicasets = replicasets if replicasets is not None else Informer(store, "ReplicaSet")
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.informers = [self.deployments, self.replicasets, self.pods]
        self.deployments.add_handler(lambda d: self.enqueue(object_key(d)), lambda _o, n: self.enqueue(object_key(n)),
                                     lambda d: self.enqueue(object_key(d)))
        self.replicasets.add_handler(self._rs_changed, lambda _o, n: self._rs_changed(n), self._rs_changed)
        self.pods.add_handler(None, None, self._pod_deleted)   # Recreate waits for old pods to go

    # -- routing ----------------------------------------------------------------------------
    def _rs_changed(self, rs: dict) -> None:
        ref = controller_of(rs)
        if ref is not None and ref.get("kind") == "Deployment":
            self.enqueue(f"{_ns(rs)}/{ref['name']}")
        elif ref is None:
            for d in self.deployments.list_namespace(_ns(rs)):
                sel = (d.get("spec") or {}).get("selector")
                if sel and label_selector(sel).matches(rs["metadata"].get("labels") or {}):
                    self.enqueue(object_key(d))

    def _pod_deleted(self, pod: dict) -> None:
        ref = controller_of(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        rs = self.replicasets.get(f"{_ns(pod)}/{ref['name']}")
        owner = controller_of(rs) if rs is not None else None
        if owner is not None and owner.get("kind") == "Deployment":
            d = self.deployments.get(f"{_ns(pod)}/{owner['name']}")
            if d is not None and strategy_type(d) == RECREATE:
                self.enqueue(object_key(d))

    # -- reads ---------------------------------------------------------------------------------
    def _claim(self, d: dict) -> list[dict]:
        uid = d["metadata"]["uid"]
        sel = label_selector(d["spec"].get("selector"))
        out = []
        for rs in self.replicasets.list_namespace(_ns(d)):
            ref = controller_of(rs)
            matches = sel.matches(rs["metadata"].get("labels") or {})
            if ref is not None:
                if ref.get("uid") == uid:
                    if matches:
                        out.append(rs)
                    elif not d["metadata"].get("deletionTimestamp"):
                        self._set_owner(rs, None, uid)
                continue
            if matches and not d["metadata"].get("deletionTimestamp") and not rs["metadata"].get("deletionTimestamp"):
                adopted = self._set_owner(rs, owner_reference(d), uid)
                if adopted is not None:
                    out.append(adopted)
        return out

    def _set_owner(self, rs: dict, ref: dict | None, uid: str) -> dict | None:
        def change(cur: dict) -> dict | None:
            refs = [r for r in cur["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
            if ref is not None:
                if controller_of(cur) is not None:
                    return None
                refs.append(ref)
            cur["metadata"]["ownerReferences"] = refs
            return cur
        try:
            return self.store.guaranteed_update("ReplicaSet", _ns(rs), rs["metadata"]["name"], change)
        except NotFoundError:
            return None

    def _pods_by_rs_uid(self, rss: list[dict]) -> dict[str, list[dict]]:
        uids = {rs["metadata"]["uid"] for rs in rss}
        out: dict[str, list[dict]] = {u: [] for u in uids}
        for pod in (p for ns in {_ns(rs) for rs in rss} for p in self.pods.list_namespace(ns)):
            ref = controller_of(pod)
            if ref is not None and ref.get("uid") in uids:
                out[ref["uid"]].append(pod)
        return out

    # -- writes --------------------------------------------------------------------------------
    def _scale_rs(self, d: dict, rs: dict, replicas: int) -> dict:
        """``scaleReplicaSet``: set spec.replicas and the desired/max
        annotations; an event when the size changes."""
        want_ann, ann_changed = set_replicas_annotations(rs["metadata"].get("annotations") or {},
                                                         deployment_replicas(d),
                                                         deployment_replicas(d) + max_surge(d))
        old = rs_spec_replicas(rs)
        if old == replicas and not ann_changed:
            return rs

        def change(cur: dict) -> dict:
            cur["spec"]["replicas"] = replicas
            cur["metadata"]["annotations"] = want_ann
            return cur
        new = self.store.guaranteed_update("ReplicaSet", _ns(rs), rs["metadata"]["name"], change, handoff=True)
        if old != replicas:
            verb = "up" if replicas > old else "down"
            self.events.normal(d, "ScalingReplicaSet",
                               f"Scaled {verb} replica set {rs['metadata']['name']} from {old} to {replicas}")
        return new

    def _new_rs(self, d: dict, rss: list[dict], create: bool) -> tuple[dict | None, list[dict]]:
        """``getAllReplicaSetsAndSyncRevision``: the new RS (created if asked
        and missing) and the old ones; revisions kept in step."""
        new_rs = find_new_rs(d, rss)
        _, old_all = find_old_rss(d, rss, new_rs)
        revision = str(max_revision(old_all) + 1)
        if new_rs is not None:
            ann, changed = set_new_replica_set_annotations(d, new_rs["metadata"].get("annotations"), revision, True)
            mrs = d["spec"].get("minReadySeconds", 0)
            if changed or (new_rs["spec"].get("minReadySeconds", 0) != mrs):
                def change(cur: dict) -> dict:
                    cur["metadata"]["annotations"] = ann
                    cur["spec"]["minReadySeconds"] = mrs
                    return cur
                new_rs = self.store.guaranteed_update("ReplicaSet", _ns(new_rs), new_rs["metadata"]["name"], change)
            self._sync_revision(d, new_rs)
            return new_rs, old_all
        if not create:
            return None, old_all
        collisions = (d.get("status") or {}).get("collisionCount")
        template = _json_copy(d["spec"]["template"])
        h = pod_template_hash(template, collisions)
        tm = template.setdefault("metadata", {})
        tm["labels"] = {**(tm.get("labels") or {}), POD_TEMPLATE_HASH_LABEL: h}
        sel = _json_copy(d["spec"]["selector"])
        sel["matchLabels"] = {**(sel.get("matchLabels") or {}), POD_TEMPLATE_HASH_LABEL: h}
        candidate = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "metadata": {"name": f"{d['metadata']['name']}-{h}", "namespace": _ns(d),
                                  "labels": dict(tm["labels"]), "ownerReferences": [owner_reference(d)]},
                     "spec": {"replicas": 0, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                              "selector": sel, "template": template}}
        candidate["spec"]["replicas"] = new_rs_new_replicas(d, old_all, candidate)
        ann, _ = set_new_replica_set_annotations(d, {}, revision, False)
        candidate["metadata"]["annotations"] = ann
        try:
            created = self.store.create(candidate)
        except AlreadyExistsError:
            existing = self.store.get("ReplicaSet", _ns(d), candidate["metadata"]["name"])
            if (controller_of(existing) or {}).get("uid") == d["metadata"]["uid"] and \
                    find_new_rs(d, [existing]) is not None:
                return existing, old_all
            # A hash collision: bump collisionCount; the next sync picks another name.
            def bump(cur: dict) -> dict:
                st = cur.setdefault("status", {})
                st["collisionCount"] = int(st.get("collisionCount") or 0) + 1
                return cur
            self.store.guaranteed_update("Deployment", _ns(d), d["metadata"]["name"], bump, status=True)
            raise
        if created["spec"]["replicas"] > 0:
            self.events.normal(d, "ScalingReplicaSet", f"Scaled up replica set {created['metadata']['name']} "
                                                       f"from 0 to {created['spec']['replicas']}")
        self._sync_revision(d, created)
        return created, old_all

    def _sync_revision(self, d: dict, new_rs: dict) -> None:
        rev = (new_rs["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION)
        if rev is None or (d["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION) == rev:
            return

        def change(cur: dict) -> dict:
            cur["metadata"]["annotations"] = {**(cur["metadata"].get("annotations") or {}), REVISION_ANNOTATION: rev}
            return cur
        self.store.guaranteed_update("Deployment", _ns(d), d["metadata"]["name"], change)

    def _write_status(self, d: dict, status: dict) -> None:
        if (d.get("status") or {}) == status:
            return

        def put(cur: dict) -> dict | None:
            if cur.get("status") == status:
                return None
            cur["status"] = status
            return cur
        try:
            self.store.guaranteed_update("Deployment", _ns(d), d["metadata"]["name"], put, status=True, handoff=True)
        except NotFoundError:
            pass

    # -- reconcile -----------------------------------------------------------------------------
    def reconcile(self, key: str) -> Result:
        d = self.deployments.get(key)
        if d is None:
            return Result()
        # ``d`` is the informer's shared object: nothing below changes it (the
        # new ReplicaSet's template and selector are copies; writes go through
        # the store's update functions), so no deep copy is taken
        rss = self._claim(d)
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.timezone.utc)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, _ = self._new_rs(d, rss, create=False)
            self._write_status(d, rollout_status(d, rss, new_rs, now))
            return Result()
        if d["spec"].get("paused") or self._scaling_event(d, rss):
            new_rs, old_all = self._new_rs(d, rss, create=False)
            outcome = scale_decision(d, new_rs, old_all)
            by_name = {rs["metadata"]["name"]: rs for rs in rss}
            sizes = dict(outcome.replicas)
            if outcome.reason == "proportional":
                # upstream's scale() passes every active ReplicaSet to scaleReplicaSet,
                # which also refreshes the desired/max-replicas annotations of those whose
                # size stays; without that the scaling event never ends
                sizes = {rs["metadata"]["name"]: sizes.get(rs["metadata"]["name"], rs_spec_replicas(rs))
                         for rs in filter_active(rss)}
            for name, replicas in sizes.items():
                by_name[name] = self._scale_rs(d, by_name[name], replicas)
            rss = list(by_name.values())
            self._write_status(d, rollout_status(d, rss, new_rs and by_name.get(new_rs["metadata"]["name"]), now))
            return Result()
        if strategy_type(d) == RECREATE:
            return self._recreate(d, rss, now)
        return self._rolling(d, rss, now)

    def _scaling_event(self, d: dict, rss: list[dict]) -> bool:
        """``isScalingEvent``: an active RS whose desired-replicas annotation
        is not the Deployment's spec.replicas."""
        replicas = deployment_replicas(d)
        for rs in filter_active(rss):
            desired = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS_ANNOTATION)
            if desired is not None and desired.isdigit() and int(desired) != replicas:
                return True
        return False

    def _finish(self, d: dict, rss: list[dict], new_rs: dict | None, now) -> Result:
        status = rollout_status(d, rss, new_rs, now)
        if deployment_complete(d, status):
            _, old_all = find_old_rss(d, rss, new_rs)      # new_rs is find_new_rs(d, rss): see the callers
            for name in cleanup_deployment(d, old_all):
                try:
                    self.store.delete("ReplicaSet", _ns(d), name)
                except NotFoundError:
                    pass
        self._write_status(d, status)
        after = progress_requeue_after({**d, "status": status}, status, now)
        return Result(None if after is None else after.total_seconds() + 1.0)

    def _apply_sizes(self, d: dict, rss: list[dict], sizes: dict[str, int]) -> list[dict]:
        by_name = {rs["metadata"]["name"]: rs for rs in rss}
        for name, replicas in sizes.items():
            by_name[name] = self._scale_rs(d, by_name[name], replicas)
        return list(by_name.values())

    def _rolling(self, d: dict, rss: list[dict], now) -> Result:
        new_rs, _ = self._new_rs(d, rss, create=True)
        if all(rs["metadata"]["uid"] != new_rs["metadata"]["uid"] for rs in rss):
            rss = rss + [new_rs]
        else:
            rss = [new_rs if rs["metadata"]["uid"] == new_rs["metadata"]["uid"] else rs for rs in rss]
        # new_rs is still find_new_rs(d, rss): the oldest match of the list
        # it came from, or created because that list had none
        _, old_all = find_old_rss(d, rss, new_rs)
        step = rolling_update_step(d, new_rs, old_all)
        rss = self._apply_sizes(d, rss, step.replicas)
        new_rs = next(rs for rs in rss if rs["metadata"]["uid"] == new_rs["metadata"]["uid"])
        return self._finish(d, rss, new_rs, now)

    def _recreate(self, d: dict, rss: list[dict], now) -> Result:
        new_rs, old_all = self._new_rs(d, rss, create=False)
        step = recreate_step(d, new_rs, old_all, self._pods_by_rs_uid(rss))
        if step.phase == "create-new-rs":
            new_rs, _ = self._new_rs(d, rss, create=True)
            rss = rss + [new_rs]
            if rs_spec_replicas(new_rs) != step.new_rs_replicas:
                rss = self._apply_sizes(d, rss, {new_rs["metadata"]["name"]: step.new_rs_replicas})
        else:
            rss = self._apply_sizes(d, rss, step.replicas)
        new_rs = find_new_rs(d, rss)
        return self._finish(d, rss, new_rs, now)
