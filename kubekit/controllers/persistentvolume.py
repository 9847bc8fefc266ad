"""The PersistentVolume controller (kube-controller-manager's
``persistentvolume-binder``, ``pkg/controller/volume/persistentvolume/
pv_controller.go``), with the PVC and PV protection controllers
(``pkg/controller/volume/pvcprotection``, ``pvprotection``) and an in-process
hostPath provisioner.

Two kinds of keys go through one work queue: ``("claim", "ns/name")`` and
``("volume", "name")``.  Each reconcile reads the current objects from the
informers (level-triggered) and does what upstream's ``syncClaim`` /
``syncVolume`` do:

* **syncUnboundClaim** -- a claim without ``pv.kubernetes.io/bind-completed``:
  with no ``spec.volumeName``, the best Available volume
  (:func:`~kubekit.controllers.persistentvolume_rules.find_best_match_for_claim`)
  is bound; none: a claim without a class (``storageClassName`` unset) gets
  the default StorageClass (RetroactiveDefaultStorageClass), a
  WaitForFirstConsumer claim waits for the scheduler's
  ``volume.kubernetes.io/selected-node`` (events ``WaitForFirstConsumer`` /
  ``WaitForPodScheduled``), a claim with a class is provisioned
  (``kubekit.dev/hostpath``, or an ``ExternalProvisioning`` event for another
  provisioner), a claim without one gets ``FailedBinding`` "no persistent
  volumes available for this claim and no storage class is set".  With
  ``spec.volumeName`` (pre-bound claim) that volume is bound if it is free and
  satisfies the claim (``VolumeMismatch`` otherwise).
* **syncBoundClaim** -- a bound claim whose volume vanished or whose
  volume's claimRef does not carry its uid is ``Lost`` (``ClaimLost``,
  ``ClaimMisbound``); otherwise
  the binding is completed (both sides ``Bound``).  A request larger than
  the bound capacity is an expansion: done at once for a hostPath volume of
  this provisioner whose class sets ``allowVolumeExpansion``.
* **syncVolume** -- a free volume is ``Available``; a volume whose claim is
  gone is ``Released`` and its reclaim policy applied: ``Retain`` keeps it,
  ``Delete`` removes this provisioner's directory and the PV (any other
  volume goes ``Failed``: no deleter plugin), ``Recycle`` empties a hostPath
  or local directory and makes the volume ``Available`` again.
* **bind** -- ``claimRef`` (and ``pv.kubernetes.io/bound-by-controller``
  when the controller chose the volume) on the PV, ``Bound`` phase, then
  ``spec.volumeName``, ``bind-completed`` (and ``bound-by-controller``) on
  the claim and its ``Bound`` status with the volume's capacity and access
  modes.
* **protection** -- claims carry ``kubernetes.io/pvc-protection`` and volumes
  ``kubernetes.io/pv-protection``: a deleted claim stays (Terminating) while
  a scheduled pod names it (finished or not, until the pod object is gone, as
  upstream's ``podUsesPVC``); a deleted volume stays while Bound.

The decisions are the pure functions of
:mod:`kubekit.controllers.persistentvolume_rules`.
"""

from __future__ import annotations

import logging
import os

from kubekit.controllers.informer import Informer, object_key
from kubekit.controllers.persistentvolume_hostpath import HOSTPATH_PROVISIONER, HostPathProvisioner, \
    provisioned_volume_name, scrub
from kubekit.controllers.persistentvolume_rules import (
    ANN_BETA_STORAGE_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER,
    ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, PV_PROTECTION_FINALIZER,
    PVC_PROTECTION_FINALIZER, check_volume_satisfy_claim, claim_class, claim_names_of_pod, claim_request,
    default_storage_class, find_best_match_for_claim, find_matching_volume, is_volume_bound_to_claim,
    storage_quantity, volume_mode_mismatch,
)
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import AlreadyExistsError, ConflictError, KubekitError, NotFoundError

__all__ = ["PersistentVolumeController"]

log = logging.getLogger(__name__)

TERMINAL = ("Succeeded", "Failed")
NO_CLASS_MESSAGE = "no persistent volumes available for this claim and no storage class is set"


def _clean(path: str) -> str:
    """Go's ``path.Clean`` (``os.path.normpath``, and ``//`` is ``/``)."""
    out = os.path.normpath(path)
    return "/" + out.lstrip("/") if out.startswith("//") else out


class PersistentVolumeController(Controller):
    """See the module docstring.  ``provisioner`` (a
    :class:`~kubekit.controllers.persistentvolume_hostpath.HostPathProvisioner`)
    serves StorageClasses whose provisioner is ``kubekit.dev/hostpath``;
    without one such claims wait as for an external provisioner."""

    name = "persistentvolume-binder"

    def __init__(self, store, clock, *, pods: Informer | None = None, provisioner: HostPathProvisioner | None = None,
                 events=None) -> None:
        super().__init__(store, clock)
        from kubekit.cluster.events import EventRecorder

        self.events = events or EventRecorder(store, clock, "persistentvolume-controller")
        self.provisioner = provisioner
        self.volumes = Informer(store, "PersistentVolume")
        self.claims = Informer(store, "PersistentVolumeClaim")
        self.classes = Informer(store, "StorageClass")
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.informers = [self.classes, self.volumes, self.claims, self.pods]
        self._claim_pods: dict[tuple[str, str], set[str]] = {}     # (ns, claim) -> keys of pods naming it
        self._pod_claims: dict[str, tuple[tuple[str, str], ...]] = {}
        self.volumes.add_handler(self._volume_changed, lambda _o, n: self._volume_changed(n), self._volume_changed)
        self.claims.add_handler(self._claim_changed, lambda _o, n: self._claim_changed(n), self._claim_deleted)
        self.classes.add_handler(self._class_changed, lambda _o, n: self._class_changed(n), None)
        self.pods.add_handler(self._pod_changed, lambda _o, n: self._pod_changed(n), self._pod_deleted)

    # -- event routing ------------------------------------------------------------------
    def _volume_changed(self, pv: dict) -> None:
        self.enqueue(("volume", pv["metadata"]["name"]))
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref and ref.get("name"):
            self.enqueue(("claim", f"{ref.get('namespace') or 'default'}/{ref['name']}"))
        elif (pv.get("status") or {}).get("phase") == "Available":
            # a free volume: the pending claims may take it (upstream waits for its 15 s resync)
            for pvc in self.claims.list():
                if not (pvc.get("spec") or {}).get("volumeName"):
                    self.enqueue(("claim", object_key(pvc)))

    def _claim_changed(self, pvc: dict) -> None:
        self.enqueue(("claim", object_key(pvc)))

    def _claim_deleted(self, pvc: dict) -> None:
        """``deleteClaim``: the volume it was bound to is synced (released)."""
        name = (pvc.get("spec") or {}).get("volumeName")
        if name:
            self.enqueue(("volume", name))
        for pv in self.volumes.list():
            if is_volume_bound_to_claim(pv, pvc):
                self.enqueue(("volume", pv["metadata"]["name"]))

    def _class_changed(self, sc: dict) -> None:
        """A new or changed class may let pending claims get a default class or be provisioned."""
        for pvc in self.claims.list():
            if (pvc.get("status") or {}).get("phase") != "Bound":
                self.enqueue(("claim", object_key(pvc)))

    def _pod_changed(self, pod: dict) -> None:
        key = object_key(pod)
        ns = pod["metadata"].get("namespace") or "default"
        claims = tuple((ns, c) for c in claim_names_of_pod(pod))
        old = self._pod_claims.get(key, ())
        if not claims and not old:
            return                                       # the fast path: pods without claims
        for c in old:
            if c not in claims:
                self._unindex(c, key)
        for c in claims:
            self._claim_pods.setdefault(c, set()).add(key)
        if claims:
            self._pod_claims[key] = claims
        else:
            self._pod_claims.pop(key, None)
        for c in set(old) | set(claims):
            self.enqueue(("claim", f"{c[0]}/{c[1]}"))

    def _pod_deleted(self, pod: dict) -> None:
        key = object_key(pod)
        for c in self._pod_claims.pop(key, ()):
            self._unindex(c, key)
            self.enqueue(("claim", f"{c[0]}/{c[1]}"))

    def _unindex(self, claim: tuple[str, str], pod_key: str) -> None:
        keys = self._claim_pods.get(claim)
        if keys is not None:
            keys.discard(pod_key)
            if not keys:
                del self._claim_pods[claim]

    def pods_using(self, namespace: str, claim: str) -> list[dict]:
        out = []
        for k in sorted(self._claim_pods.get((namespace, claim), ())):
            p = self.pods.get(k)
            if p is not None:
                out.append(p)
        return out

    # -- reconcile ----------------------------------------------------------------------
    def reconcile(self, key) -> Result:
        kind, name = key
        if kind == "claim":
            claim = self.claims.get(name)
            if claim is not None:
                self.sync_claim(claim)
        else:
            volume = self.volumes.get(name)
            if volume is not None:
                self.sync_volume(volume)
        return Result()

    # -- claims -------------------------------------------------------------------------
    def sync_claim(self, claim: dict) -> None:
        """``syncClaim`` after the PVC protection controller's part."""
        claim = self._protect_claim(claim)
        if claim is None or claim["metadata"].get("deletionTimestamp"):
            return
        if ANN_BIND_COMPLETED not in (claim["metadata"].get("annotations") or {}):
            self._sync_unbound_claim(claim)
        else:
            self._sync_bound_claim(claim)

    def _claim_in_use(self, claim: dict) -> bool:
        """``podUsesPVC``: a scheduled pod (``spec.nodeName`` set) names it in
        a ``persistentVolumeClaim`` volume.  As upstream, its phase does not
        matter: a Succeeded or Failed pod still holds the claim until the pod
        object is deleted (``podIsShutDown`` only applies to ephemeral
        volumes, which kubekit does not model)."""
        m = claim["metadata"]
        return any((p.get("spec") or {}).get("nodeName")
                   for p in self.pods_using(m.get("namespace") or "default", m["name"]))

    def _protect_claim(self, claim: dict) -> dict | None:
        m = claim["metadata"]
        finalizers = list(m.get("finalizers") or ())
        if m.get("deletionTimestamp"):
            if PVC_PROTECTION_FINALIZER in finalizers and not self._claim_in_use(claim):
                self._update_meta("PersistentVolumeClaim", claim, remove_finalizer=PVC_PROTECTION_FINALIZER)
            return None
        if PVC_PROTECTION_FINALIZER not in finalizers:
            return self._update_meta("PersistentVolumeClaim", claim, add_finalizer=PVC_PROTECTION_FINALIZER)
        return claim

    def _sync_unbound_claim(self, claim: dict) -> None:
        spec = claim.get("spec") or {}
        if not spec.get("volumeName"):
            class_name = claim_class(claim)
            sc = self.classes.get(class_name) if class_name else None
            delay = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
            node_name = (claim["metadata"].get("annotations") or {}).get(ANN_SELECTED_NODE)
            volumes = self.volumes.list()
            volume = find_best_match_for_claim(claim, volumes, delay_binding=delay)
            if volume is None and delay and node_name:
                # the scheduler chose a node: a free volume reachable from it (upstream's
                # scheduler binds it in PreBind; here the controller does, with the same match)
                volume = find_matching_volume(claim, volumes, node=self._node(node_name))
            if volume is not None:
                self._bind(volume, claim)
                return
            if self._assign_default_class(claim):
                return
            if delay and not node_name:
                self._wait_for_first_consumer(claim)
            elif class_name:
                self._set_claim_status(claim, "Pending")
                self._provision(claim, sc, class_name)
                return
            else:
                self.events.normal(claim, "FailedBinding", NO_CLASS_MESSAGE)
            self._set_claim_status(claim, "Pending")
            return
        volume = self.volumes.get(spec["volumeName"])
        if volume is None:                                 # the named volume does not exist (yet)
            self._set_claim_status(claim, "Pending")
            return
        if not (volume.get("spec") or {}).get("claimRef"):
            why = check_volume_satisfy_claim(volume, claim)
            if why is not None:
                self.events.warning(claim, "VolumeMismatch",
                                    f'Cannot bind to requested volume "{volume["metadata"]["name"]}": {why}')
                self._set_claim_status(claim, "Pending")
                return
            self._bind(volume, claim)
        elif is_volume_bound_to_claim(volume, claim):
            self._bind(volume, claim)
        else:
            self.events.warning(claim, "FailedBinding",
                                f'volume "{volume["metadata"]["name"]}" already bound to a different claim.')
            if ANN_BOUND_BY_CONTROLLER in (claim["metadata"].get("annotations") or {}):
                raise KubekitError(f"invalid binding of claim {object_key(claim)!r} to volume "
                                   f"{volume['metadata']['name']!r}: volume already claimed")
            self._set_claim_status(claim, "Pending")

    def _sync_bound_claim(self, claim: dict) -> None:
        name = (claim.get("spec") or {}).get("volumeName")
        if not name:
            self._set_claim_status(claim, "Lost", event=("ClaimLost", "Bound claim has lost reference to "
                                                                      "PersistentVolume. Data on the volume is lost!"))
            return
        volume = self.volumes.get(name)
        if volume is None:
            self._set_claim_status(claim, "Lost", event=("ClaimLost", "Bound claim has lost its PersistentVolume. "
                                                                      "Data on the volume is lost!"))
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref and ref.get("uid") != claim["metadata"].get("uid"):
            # upstream syncBoundClaim: no claimRef or this claim's uid binds again; any other claimRef
            # (another claim, or one without uid) is a different claimant: this claim is Lost
            self._set_claim_status(claim, "Lost", event=("ClaimMisbound", "Two claims are bound to the same volume, "
                                                                          "this one is bound incorrectly"))
            return
        claim = self._bind(volume, claim) or claim
        self._maybe_expand(claim)

    def _wait_for_first_consumer(self, claim: dict) -> None:
        """``emitEventForUnboundDelayBindingClaim``."""
        m = claim["metadata"]
        users = self.pods_using(m.get("namespace") or "default", m["name"])
        scheduled = [p["spec"]["nodeName"] for p in users if (p.get("spec") or {}).get("nodeName")
                     and not p["metadata"].get("deletionTimestamp")
                     and (p.get("status") or {}).get("phase") not in TERMINAL]
        if scheduled:
            # a pod using it was bound without the scheduler's selected-node write (bound by hand, or that
            # write failed): the claim follows the pod, as the scheduler would have made it
            def select(cur: dict) -> dict | None:
                ann = cur["metadata"].setdefault("annotations", {})
                if ann.get(ANN_SELECTED_NODE) or (cur.get("spec") or {}).get("volumeName"):
                    return None
                ann[ANN_SELECTED_NODE] = scheduled[0]
                return cur
            self._update("PersistentVolumeClaim", claim, select)
            return
        waiting = [p["metadata"]["name"] for p in users
                   if not (p.get("spec") or {}).get("nodeName") and not p["metadata"].get("deletionTimestamp")]
        if len(waiting) > 1:
            self.events.normal(claim, "WaitForPodScheduled", f"waiting for pods {','.join(waiting)} to be scheduled")
        elif waiting:
            self.events.normal(claim, "WaitForPodScheduled", f"waiting for pod {waiting[0]} to be scheduled")
        else:
            self.events.normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")

    def _assign_default_class(self, claim: dict) -> bool:
        """``assignDefaultStorageClass``: a claim whose ``storageClassName``
        is unset (not ``""``) gets the default class, if there is one."""
        spec = claim.get("spec") or {}
        if spec.get("storageClassName") is not None or ANN_BETA_STORAGE_CLASS in (
                claim["metadata"].get("annotations") or {}):
            return False
        sc = default_storage_class(self.classes.list())
        if sc is None:
            return False

        def put(cur: dict) -> dict | None:
            s = cur.setdefault("spec", {})
            if s.get("storageClassName") is not None:
                return None
            s["storageClassName"] = sc["metadata"]["name"]
            return cur
        self._update("PersistentVolumeClaim", claim, put)
        return True

    def _node(self, name: str) -> dict:
        try:
            return self.store.get("Node", None, name)
        except NotFoundError:
            return {"metadata": {"name": name, "labels": {}}}

    # -- provisioning -------------------------------------------------------------------
    def _provision(self, claim: dict, sc: dict | None, class_name: str) -> None:
        """``provisionClaim`` / ``provisionClaimOperation``."""
        if sc is None:
            self.events.warning(claim, "ProvisioningFailed", f'storageclass.storage.k8s.io "{class_name}" not found')
            return
        provisioner = sc.get("provisioner") or ""
        if self.volumes.get(provisioned_volume_name(claim)) is not None:
            return                                        # provisioned already: its sync binds it
        claim = self._set_claim_provisioner(claim, provisioner) or claim
        if provisioner != HOSTPATH_PROVISIONER or self.provisioner is None:
            self.events.normal(claim, "ExternalProvisioning",
                               f"Waiting for a volume to be created either by the external provisioner "
                               f"'{provisioner}' or manually by the system administrator. If volume creation is "
                               "delayed, please verify that the provisioner is running and correctly registered.")
            return
        self.events.normal(claim, "Provisioning", f'External provisioner is provisioning volume for claim '
                                                  f'"{object_key(claim)}"')
        try:
            pv = self.provisioner.provision(claim, sc)
        except OSError as e:
            self.events.warning(claim, "ProvisioningFailed", f"failed to provision volume with StorageClass "
                                                             f'"{class_name}": {e}')
            raise
        try:
            self.store.create(pv)
        except AlreadyExistsError:
            return
        except KubekitError as e:
            self.events.warning(claim, "ProvisioningFailed", f"failed to provision volume with StorageClass "
                                                             f'"{class_name}": {e}')
            try:
                self.provisioner.delete(pv)
            except (OSError, ValueError):
                log.warning("could not remove %s after a failed provisioning", pv["spec"]["hostPath"]["path"])
            raise
        self.events.normal(claim, "ProvisioningSucceeded",
                           f"Successfully provisioned volume {pv['metadata']['name']} using {provisioner}")

    def _set_claim_provisioner(self, claim: dict, provisioner: str) -> dict | None:
        """``setClaimProvisioner``: both annotations name the provisioner."""
        ann = claim["metadata"].get("annotations") or {}
        if ann.get(ANN_STORAGE_PROVISIONER) == provisioner and ann.get(ANN_BETA_STORAGE_PROVISIONER) == provisioner:
            return None

        def put(cur: dict) -> dict:
            a = cur["metadata"].setdefault("annotations", {})
            a[ANN_STORAGE_PROVISIONER] = a[ANN_BETA_STORAGE_PROVISIONER] = provisioner
            return cur
        return self._update("PersistentVolumeClaim", claim, put)

    def _maybe_expand(self, claim: dict) -> None:
        """A bound claim asking for more than it has (``spec.resources.requests``
        above ``status.capacity``): a hostPath volume of this provisioner whose
        class allows expansion is grown at once (nothing to resize on disk)."""
        status = claim.get("status") or {}
        if status.get("phase") != "Bound":
            return
        want, have = claim_request(claim), storage_quantity(status.get("capacity"))
        if want <= have:
            return
        volume = self.volumes.get((claim.get("spec") or {}).get("volumeName") or "")
        sc = self.classes.get(claim_class(claim)) if claim_class(claim) else None
        if volume is None or sc is None or not sc.get("allowVolumeExpansion") or self.provisioner is None \
                or not self.provisioner.owns(volume):
            self.events.warning(claim, "VolumeResizeFailed", "only dynamically provisioned pvc can be resized and "
                                                             "the storageclass that provisions the pvc must support "
                                                             "resize")
            return
        size = claim["spec"]["resources"]["requests"]["storage"]

        def grow(cur: dict) -> dict | None:
            cap = cur["spec"].setdefault("capacity", {})
            if storage_quantity(cap) >= want:
                return None
            cap["storage"] = size
            return cur
        self._update("PersistentVolume", volume, grow)

        def status_grow(cur: dict) -> dict | None:
            st = cur.setdefault("status", {})
            if storage_quantity(st.get("capacity")) >= want:
                return None
            st["capacity"] = {**(st.get("capacity") or {}), "storage": size}
            return cur
        self._update("PersistentVolumeClaim", claim, status_grow, status=True)
        self.events.normal(claim, "VolumeResizeSuccessful", "Resize volume succeeded")

    # -- volumes ------------------------------------------------------------------------
    def sync_volume(self, volume: dict) -> None:
        """``syncVolume`` after the PV protection controller's part."""
        m = volume["metadata"]
        finalizers = list(m.get("finalizers") or ())
        if m.get("deletionTimestamp"):
            if PV_PROTECTION_FINALIZER in finalizers and (volume.get("status") or {}).get("phase") != "Bound":
                self._update_meta("PersistentVolume", volume, remove_finalizer=PV_PROTECTION_FINALIZER)
                return
        elif PV_PROTECTION_FINALIZER not in finalizers:
            volume = self._update_meta("PersistentVolume", volume, add_finalizer=PV_PROTECTION_FINALIZER)
            if volume is None:
                return
        spec = volume.get("spec") or {}
        ref = spec.get("claimRef")
        phase = (volume.get("status") or {}).get("phase")
        if not ref or not ref.get("uid"):
            # unused, or reserved for a claim that has not bound yet (its sync does it)
            self._set_volume_phase(volume, "Available")
            return
        claim = self.claims.get(f"{ref.get('namespace') or 'default'}/{ref.get('name')}")
        if claim is None and phase not in ("Released", "Failed"):
            try:                                          # the cache may lag behind the API: ask it
                claim = self.store.get("PersistentVolumeClaim", ref.get("namespace") or "default", ref.get("name"))
            except NotFoundError:
                claim = None
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = None                                  # deleted, and another made with the same name
        if claim is None:
            if phase not in ("Released", "Failed"):
                volume = self._set_volume_phase(volume, "Released") or volume
            self._reclaim(volume)
            return
        claim_spec = claim.get("spec") or {}
        if not claim_spec.get("volumeName"):
            if volume_mode_mismatch(claim_spec, spec):
                self.events.warning(volume, "VolumeMismatch",
                                    f'Cannot bind PersistentVolume to requested PersistentVolumeClaim '
                                    f'"{claim["metadata"]["name"]}" due to incompatible volumeMode.')
                self.events.warning(claim, "VolumeMismatch",
                                    f'Cannot bind PersistentVolume "{m["name"]}" to requested '
                                    "PersistentVolumeClaim due to incompatible volumeMode.")
                return
            self.enqueue(("claim", object_key(claim)))    # the claim's sync finishes the binding
            return
        if claim_spec["volumeName"] == m["name"]:
            self._set_volume_phase(volume, "Bound")
            return
        # bound to a claim that is bound to another volume
        ann = m.get("annotations") or {}
        if ann.get(ANN_PROVISIONED_BY) and spec.get("persistentVolumeReclaimPolicy") == "Delete":
            if phase not in ("Released", "Failed"):
                volume = self._set_volume_phase(volume, "Released") or volume
            self._reclaim(volume)
            return
        self._unbind_volume(volume)

    def _reclaim(self, volume: dict) -> None:
        """``reclaimVolume``."""
        policy = (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") or "Retain"
        name = volume["metadata"]["name"]
        if policy == "Retain":
            return
        if policy == "Recycle":
            spec = volume.get("spec") or {}
            path = ((spec.get("hostPath") or spec.get("local")) or {}).get("path")
            if not path or not path.startswith("/"):
                self._fail(volume, "VolumeFailedRecycle", "No recycler plugin found for the volume!")
                return
            if _clean(path) == "/" or os.path.realpath(path) == "/":
                # upstream's hostPath recycler refuses path.Clean(path) == "/"; a path that resolves
                # to "/" through a symlink is refused as well: never empty the root directory
                self._fail(volume, "VolumeFailedRecycle", f"Recycle failed: refusing to recycle {path!r}: "
                                                          "it is the root directory")
                return
            try:
                if os.path.isdir(path):
                    scrub(path)
            except (OSError, ValueError) as e:
                self._fail(volume, "VolumeFailedRecycle", f"Recycle failed: {e}")
                return
            self.events.normal(volume, "VolumeRecycled", "Volume recycled")
            self._unbind_volume(volume)
            return
        # Delete: also for a volume already being deleted (``kubectl delete pv`` while Bound, kept by
        # pv-protection): its backing storage must still go (upstream's deleteVolumeOperation does not
        # look at the deletionTimestamp)
        if self.provisioner is None or not self.provisioner.owns(volume):
            self._fail(volume, "VolumeFailedDelete", f'error getting deleter volume plugin for volume "{name}": '
                                                     "no deletable volume plugin matched")
            return
        try:
            self.provisioner.delete(volume)
        except (OSError, ValueError) as e:
            self._fail(volume, "VolumeFailedDelete", str(e))
            return
        if volume["metadata"].get("deletionTimestamp"):
            return                                        # deleted already: pv-protection lets it go
        try:
            self.store.delete("PersistentVolume", None, name)
        except NotFoundError:
            pass

    def _fail(self, volume: dict, reason: str, message: str) -> None:
        self.events.warning(volume, reason, message)
        self._set_volume_phase(volume, "Failed", message)

    def _unbind_volume(self, volume: dict) -> None:
        """``unbindVolume``: a volume the controller bound is freed; one the
        user pre-bound keeps its claimRef without the uid."""
        def put(cur: dict) -> dict:
            ann = cur["metadata"].get("annotations") or {}
            if ANN_BOUND_BY_CONTROLLER in ann:
                cur["spec"].pop("claimRef", None)
                ann.pop(ANN_BOUND_BY_CONTROLLER, None)
                cur["metadata"]["annotations"] = ann
            elif cur["spec"].get("claimRef"):
                cur["spec"]["claimRef"] = {k: v for k, v in cur["spec"]["claimRef"].items() if k != "uid"}
            return cur
        updated = self._update("PersistentVolume", volume, put)
        if updated is not None:
            self._set_volume_phase(updated, "Available")

    # -- binding ------------------------------------------------------------------------
    def _bind(self, volume: dict, claim: dict) -> dict | None:
        """``bind``: volume to claim, volume Bound, claim to volume, claim
        Bound.  Returns the claim as written."""
        cm = claim["metadata"]
        taken: list[dict] = []

        def bind_volume(cur: dict) -> dict | None:
            ref = (cur.get("spec") or {}).get("claimRef") or {}
            if ref and not is_volume_bound_to_claim(cur, claim):
                # the informer was stale: another claim took the volume in the meantime.  Upstream's
                # Update carries the cached resourceVersion and fails with a conflict; never overwrite
                taken.append(ref)
                return None
            dirty = False
            by_controller = not is_volume_bound_to_claim(cur, claim)
            if ref.get("name") != cm["name"] or (ref.get("namespace") or "default") != (cm.get("namespace") or
                                                                                     "default") \
                    or ref.get("uid") != cm.get("uid"):
                cur.setdefault("spec", {})["claimRef"] = {
                    "kind": "PersistentVolumeClaim", "namespace": cm.get("namespace") or "default",
                    "name": cm["name"], "uid": cm.get("uid"), "apiVersion": "v1",
                    "resourceVersion": cm.get("resourceVersion")}
                dirty = True
            ann = cur["metadata"].setdefault("annotations", {})
            if by_controller and ANN_BOUND_BY_CONTROLLER not in ann:
                ann[ANN_BOUND_BY_CONTROLLER] = "yes"
                dirty = True
            return cur if dirty else None
        volume_name = volume["metadata"]["name"]
        volume = self._update("PersistentVolume", volume, bind_volume)
        if taken:
            # the key is retried with backoff and the claim matched again against the fresh cache
            raise ConflictError(f'Operation cannot be fulfilled on persistentvolumes "{volume_name}": the object '
                                "has been modified; please apply your changes to the latest version and try again")
        if volume is None:
            return None
        self._set_volume_phase(volume, "Bound")

        def bind_claim(cur: dict) -> dict | None:
            spec = cur.setdefault("spec", {})
            ann = cur["metadata"].setdefault("annotations", {})
            dirty = False
            if spec.get("volumeName") != volume["metadata"]["name"]:
                spec["volumeName"] = volume["metadata"]["name"]
                if ANN_BOUND_BY_CONTROLLER not in ann:
                    ann[ANN_BOUND_BY_CONTROLLER] = "yes"
                dirty = True
            if ANN_BIND_COMPLETED not in ann:
                ann[ANN_BIND_COMPLETED] = "yes"
                dirty = True
            return cur if dirty else None
        claim = self._update("PersistentVolumeClaim", claim, bind_claim)
        if claim is None:
            return None
        return self._set_claim_status(claim, "Bound", volume) or claim

    # -- writes -------------------------------------------------------------------------
    def _update(self, kind: str, obj: dict, mutate, *, status: bool = False) -> dict | None:
        m = obj["metadata"]
        uid = m.get("uid")

        def guarded(cur: dict) -> dict | None:
            if uid and cur["metadata"].get("uid") != uid:
                return None                               # a new object with the same name: not ours to change
            return mutate(cur)
        try:
            return self.store.guaranteed_update(kind, m.get("namespace"), m["name"], guarded, status=status)
        except NotFoundError:
            return None

    def _update_meta(self, kind: str, obj: dict, *, add_finalizer: str | None = None,
                     remove_finalizer: str | None = None) -> dict | None:
        def put(cur: dict) -> dict | None:
            fins = list(cur["metadata"].get("finalizers") or ())
            if add_finalizer and add_finalizer not in fins and not cur["metadata"].get("deletionTimestamp"):
                fins.append(add_finalizer)
            elif remove_finalizer and remove_finalizer in fins:
                fins.remove(remove_finalizer)
            else:
                return None
            cur["metadata"]["finalizers"] = fins
            return cur
        return self._update(kind, obj, put)

    def _set_volume_phase(self, volume: dict, phase: str, message: str = "") -> dict | None:
        """``updateVolumePhase``."""
        st = volume.get("status") or {}
        if st.get("phase") == phase and (st.get("message") or "") == message:
            return volume

        def put(cur: dict) -> dict | None:
            s = cur.setdefault("status", {})
            if s.get("phase") == phase and (s.get("message") or "") == message:
                return None
            if s.get("phase") != phase:
                from kubekit.store.meta import rfc3339
                s["lastPhaseTransitionTime"] = rfc3339(self.clock.now())
            s["phase"] = phase
            if message:
                s["message"] = message
            else:
                s.pop("message", None)
            return cur
        return self._update("PersistentVolume", volume, put, status=True)

    def _set_claim_status(self, claim: dict, phase: str, volume: dict | None = None, *,
                          event: tuple[str, str] | None = None) -> dict | None:
        """``updateClaimStatus`` (and ``...WithEvent``): the phase, and the
        volume's access modes and capacity (reset without a volume)."""
        def put(cur: dict) -> dict | None:
            s = cur.setdefault("status", {})
            before = dict(s)
            s["phase"] = phase
            if volume is not None:
                vspec = volume.get("spec") or {}
                s["accessModes"] = list(vspec.get("accessModes") or ())
                cap = (vspec.get("capacity") or {}).get("storage")
                if cap is not None and (s.get("capacity") or {}).get("storage") is None:
                    s["capacity"] = {"storage": cap}
            else:
                s.pop("accessModes", None)
                s.pop("capacity", None)
            return cur if s != before else None
        st = claim.get("status") or {}
        if st.get("phase") == phase and volume is None and "capacity" not in st and "accessModes" not in st:
            return claim
        updated = self._update("PersistentVolumeClaim", claim, put, status=True)
        if event is not None and updated is not None and st.get("phase") != phase:
            self.events.warning(claim, *event)
        return updated

