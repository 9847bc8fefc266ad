"""A node's heartbeat: its ``coordination.k8s.io/v1`` Lease in
``kube-node-lease``, renewed by the node's kubelet (real or simulated) and
read by the node lifecycle controller."""

from __future__ import annotations

from kubekit.errors import NotFoundError
from kubekit.store.meta import micro_time

__all__ = ["LEASE_DURATION", "LEASE_NAMESPACE", "renew_node_lease"]

LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION = 40          # kubelet's nodeLeaseDurationSeconds


def renew_node_lease(store, node: str, now: float) -> None:
    """Set the lease's ``renewTime`` to ``now``, creating the lease if it is missing."""
    t = micro_time(now)

    def renew(cur: dict) -> dict:
        cur["spec"]["renewTime"] = t
        return cur
    try:
        store.guaranteed_update("Lease", LEASE_NAMESPACE, node, renew)
    except NotFoundError:
        store.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                      "metadata": {"name": node, "namespace": LEASE_NAMESPACE},
                      "spec": {"holderIdentity": node, "leaseDurationSeconds": LEASE_DURATION,
                               "acquireTime": t, "renewTime": t}})
