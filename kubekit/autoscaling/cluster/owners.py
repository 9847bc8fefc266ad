"""A pod's controller, read from the store: whether it exists (the drain
rules' ``ControllerNotFound``) and its scale (a PodDisruptionBudget's
``expectedPods``, as the disruption controller's finders resolve it: a
ReplicaSet owned by a Deployment counts as the Deployment)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.errors import KubekitError, NotFoundError

__all__ = ["StoreOwners", "controller_ref"]

_SCALABLE = ("ReplicaSet", "Deployment", "StatefulSet", "ReplicationController")


def controller_ref(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The owner reference with ``controller: true`` (``metav1.GetControllerOf``)."""
    for r in (pod.get("metadata") or {}).get("ownerReferences") or ():
        if r.get("controller"):
            return r
    return None


class StoreOwners:
    """Controller lookups against ``store``, cached for one pass (make a new
    one per decision: the cache never expires)."""

    def __init__(self, store) -> None:
        self.store = store
        self._cache: dict[tuple[str, str, str], Mapping[str, Any] | None] = {}

    def _get(self, kind: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        key = (kind, namespace, name)
        if key not in self._cache:
            try:
                self._cache[key] = self.store.get(kind, namespace, name)
            except (NotFoundError, KubekitError):
                self._cache[key] = None
        return self._cache[key]

    def known_kind(self, kind: str) -> bool:
        try:
            self.store.kinds.get(kind)
        except KubekitError:
            return False
        return True

    def controller_exists(self, pod: Mapping[str, Any]) -> bool:
        """The pod's controller can be found.  A controller of a kind this
        store does not serve (a DaemonSet, a Job) cannot be looked up and is
        taken to exist, as a lister that is not there cannot deny it."""
        ref = controller_ref(pod)
        if ref is None:
            return False
        return not self.known_kind(ref.get("kind", "")) or self.controller(pod) is not None

    def controller(self, pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The pod's controller object; None without one or when it is gone
        (or of a kind the store does not know)."""
        ref = controller_ref(pod)
        if ref is None:
            return None
        obj = self._get(ref.get("kind", ""), (pod.get("metadata") or {}).get("namespace") or "default",
                        ref.get("name", ""))
        if obj is None or (ref.get("uid") and obj["metadata"].get("uid") != ref["uid"]):
            return None
        return obj

    def scale(self, pod: Mapping[str, Any]) -> tuple[str, int] | None:
        """``(controller uid, spec.replicas)``: the :data:`ScaleLookup` of
        :mod:`.disruption`."""
        obj = self.controller(pod)
        if obj is None or obj.get("kind") not in _SCALABLE:
            return None
        if obj.get("kind") == "ReplicaSet":
            parent = controller_ref(obj)
            if parent is not None and parent.get("kind") == "Deployment":
                dep = self._get("Deployment", obj["metadata"].get("namespace") or "default", parent.get("name", ""))
                if dep is not None:
                    obj = dep
        return obj["metadata"].get("uid", ""), int((obj.get("spec") or {}).get("replicas", 1))
