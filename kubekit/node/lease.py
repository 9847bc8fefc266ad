"""A node's heartbeat: its ``coordination.k8s.io/v1`` Lease in
``kube-node-lease``, renewed by the node's kubelet (real or simulated) and
read by the node lifecycle controller."""

from __future__ import annotations

from kubekit.errors import ConflictError, NotFoundError
from kubekit.store.meta import micro_time

__all__ = ["LEASE_DURATION", "LEASE_NAMESPACE", "renew_node_lease"]

LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION = 40          # kubelet's nodeLeaseDurationSeconds


def renew_node_lease(store, node: str, now: float, latest: dict[str, dict] | None = None) -> None:
    """Set the lease's ``renewTime`` to ``now``, creating the lease if it is missing.

    With ``latest`` (the caller's ``node -> lease`` last written), the renewal
    is an update of that copy, its resourceVersion the precondition, as
    kubelet's lease controller renews from its ``latestLease`` without a GET;
    a conflict (someone else wrote the lease) falls back to read-modify-write."""
    t = micro_time(now)
    cached = latest.get(node) if latest is not None else None
    if cached is not None:
        try:
            written = store.update({**cached, "spec": {**cached["spec"], "renewTime": t}}, handoff=True)
            latest[node] = written
            return
        except (ConflictError, NotFoundError):
            latest.pop(node, None)

    def renew(cur: dict) -> dict:
        cur["spec"]["renewTime"] = t
        return cur
    try:
        written = store.guaranteed_update("Lease", LEASE_NAMESPACE, node, renew)
    except NotFoundError:
        written = store.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                "metadata": {"name": node, "namespace": LEASE_NAMESPACE},
                                "spec": {"holderIdentity": node, "leaseDurationSeconds": LEASE_DURATION,
                                         "acquireTime": t, "renewTime": t}})
    if latest is not None:
        latest[node] = written
