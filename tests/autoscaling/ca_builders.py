"""Manifests and a simulated cluster with an autoscaler, for the cluster
autoscaler's tests."""

from __future__ import annotations

from kubekit.autoscaling.cluster import AutoscalerOptions, ClusterAutoscaler, FleetProvider, NodeGroup
from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane


def pod(name, *, ns="default", cpu="100m", memory="128Mi", node=None, labels=None, annotations=None, owner=None,
        ready=True, phase="Running", volumes=None, node_selector=None, deleting=None):
    m = {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}", "labels": dict(labels or {}),
         "annotations": dict(annotations or {})}
    if owner is not None:
        kind, oname = owner
        m["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": oname, "uid": f"uid-{oname}",
                                 "controller": True}]
    if deleting is not None:
        m["deletionTimestamp"] = deleting
    spec = {"containers": [{"name": "c", "image": "app", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
    if node:
        spec["nodeName"] = node
    if volumes:
        spec["volumes"] = volumes
    if node_selector:
        spec["nodeSelector"] = node_selector
    st = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": st}


def pdb(name, *, ns="default", selector=None, min_available=None, max_unavailable=None, policy=None):
    spec = {}
    if selector is not None:
        spec["selector"] = {"matchLabels": selector}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    if policy:
        spec["unhealthyPodEvictionPolicy"] = policy
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": ns},
            "spec": spec}


def deployment(name, replicas, *, cpu="1", memory="1Gi", node_selector=None, tolerations=None, annotations=None,
               ns="default"):
    labels = {"app": name}
    spec = {"containers": [{"name": "c", "image": "app", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels, "annotations": dict(annotations or {})},
                                  "spec": spec}}}


def scale(cp, name, replicas, ns="default"):
    cp.store.guaranteed_update("Deployment", ns, name,
                               lambda d: {**d, "spec": {**d["spec"], "replicas": replicas}})


def cluster(groups_spec, *, options=None, initial=None, start_delay=0.0):
    """A control plane with an autoscaler over ``groups_spec`` (``(name, min,
    max, template, kw)`` each); ``initial``: ``{group: count}`` nodes made
    up front.  Returns ``(cp, autoscaler, provider, groups)``."""
    cp = ControlPlane(FakeClock(), start_delay=start_delay)
    provider = FleetProvider(cp.fleet)
    groups = [NodeGroup(name, lo, hi, template, provider=provider, **kw) for name, lo, hi, template, kw in groups_spec]
    for g in groups:
        n = (initial or {}).get(g.name, 0)
        if n:
            provider.increase_size(g, n)
    ca = ClusterAutoscaler(cp.store, cp.clock, groups, pods=cp.pods, nodes=cp.nodes,
                           options=options or AutoscalerOptions())
    cp.add_component(ca)
    return cp, ca, provider, groups


def live_pods(cp, ns="default"):
    return [p for p in cp.pods.list() if p["metadata"].get("namespace") == ns
            and not p["metadata"].get("deletionTimestamp")]


def events(cp, reason):
    items, _ = cp.store.list("Event")
    return [e for e in items if e.get("reason") == reason]


def settle(cp, max_steps=10_000):
    """Step until nothing is left to do at this instant (the clock stands still)."""
    for _ in range(max_steps):
        if not cp.step():
            return
    raise AssertionError(f"the cluster was still busy after {max_steps} steps")
