"""Removing a node, as the cluster autoscaler's actuator does: taint it
``ToBeDeletedByClusterAutoscaler:NoSchedule`` (no new pods), evict the pods
that must move through the eviction check (PodDisruptionBudgets respected),
then delete it through its group's provider.  An eviction a budget refuses
aborts the removal: the taint comes off and the node stays.

:func:`eviction_verdict` is the check the API server's eviction
subresource makes too (``kubekit/server/api.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.autoscaling.cluster.disruption import EvictionVerdict, check_eviction
from kubekit.autoscaling.cluster.owners import StoreOwners
from kubekit.errors import ConflictError, NotFoundError

__all__ = ["TO_BE_DELETED_TAINT", "DrainResult", "drain_node", "eviction_verdict", "evict_pod", "with_taint",
           "without_taint"]

log = logging.getLogger(__name__)

TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler"


def with_taint(node: dict, key: str, value: str, effect: str = "NoSchedule") -> dict | None:
    """``node`` with the taint added (None if it already has it): a
    ``guaranteed_update`` mutation."""
    spec = node.setdefault("spec", {})
    taints = list(spec.get("taints") or [])
    if any(t.get("key") == key and t.get("effect") == effect for t in taints):
        return None
    spec["taints"] = taints + [{"key": key, "value": value, "effect": effect}]
    return node


def without_taint(node: dict, key: str) -> dict | None:
    spec = node.setdefault("spec", {})
    taints = list(spec.get("taints") or [])
    kept = [t for t in taints if t.get("key") != key]
    if len(kept) == len(taints):
        return None
    spec["taints"] = kept
    return node


def eviction_verdict(store, namespace: str, name: str, owners: StoreOwners | None = None) -> EvictionVerdict:
    """May the pod be evicted now (read from ``store``)?  Raises
    :class:`NotFoundError` for a missing pod."""
    pod = store.get("Pod", namespace, name)
    pdbs, _ = store.list("PodDisruptionBudget", namespace)
    if not pdbs:
        return EvictionVerdict(True, 201)
    pods, _ = store.list("Pod", namespace)
    return check_eviction(pod, pdbs, pods, (owners or StoreOwners(store)).scale)


def evict_pod(store, pod: Mapping[str, Any], owners: StoreOwners | None = None) -> EvictionVerdict:
    """Evict ``pod`` (the eviction subresource: check, then a graceful
    delete of that very pod)."""
    m = pod["metadata"]
    ns = m.get("namespace") or "default"
    try:
        verdict = eviction_verdict(store, ns, m["name"], owners)
        if verdict.allowed:
            store.delete("Pod", ns, m["name"], preconditions={"uid": m.get("uid", "")} if m.get("uid") else None)
    except (NotFoundError, ConflictError):
        return EvictionVerdict(True, 201, "already gone")
    return verdict


@dataclass(frozen=True, slots=True)
class DrainResult:
    removed: bool
    evicted: tuple[str, ...] = ()
    message: str = ""


def drain_node(store, now_wall: float, node: str, pods: Sequence[Mapping[str, Any]], delete) -> DrainResult:
    """Taint ``node``, evict ``pods``, and call ``delete()`` (the provider's
    node deletion); on a refused eviction untaint the node and stop."""
    try:
        store.guaranteed_update("Node", None, node, lambda n: with_taint(n, TO_BE_DELETED_TAINT, str(int(now_wall))))
    except NotFoundError:
        return DrainResult(False, (), f"node {node} is gone")
    owners = StoreOwners(store)
    evicted: list[str] = []
    for pod in pods:
        verdict = evict_pod(store, pod, owners)
        name = f"{pod['metadata'].get('namespace') or 'default'}/{pod['metadata']['name']}"
        if not verdict.allowed:
            try:
                store.guaranteed_update("Node", None, node, lambda n: without_taint(n, TO_BE_DELETED_TAINT))
            except NotFoundError:
                pass
            return DrainResult(False, tuple(evicted), f"failed to evict pod {name} within allowed timeout "
                                                      f"(last error: {verdict.message})")
        evicted.append(name)
    delete()
    return DrainResult(True, tuple(evicted))
