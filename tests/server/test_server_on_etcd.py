"""``kubekit serve --etcd-servers``: the objects live in a real etcd, two
servers share them, only the elected leader runs the controllers, and when
it stops the other takes over."""

from __future__ import annotations

from etcd_server import etcd_server
from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import running_server, wait_for

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"
LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager"


def deployment(replicas: int) -> dict:
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "c", "image": "app", "resources": {"requests": {"cpu": "100m"}}}]}}}}


def holder(client: Client) -> str | None:
    """The leader's identity (None until the first server has created the Lease)."""
    try:
        return (client.get(LEASE).get("spec") or {}).get("holderIdentity")
    except APIError as e:
        if e.code != 404:
            raise
        return None


def running(client: Client) -> int:
    return sum(1 for p in client.get(PODS)["items"] if (p.get("status") or {}).get("phase") == "Running"
               and not p["metadata"].get("deletionTimestamp"))


def test_two_servers_share_one_etcd_and_one_leader_runs_the_controllers():
    with etcd_server() as url:
        with running_server(etcd_servers=url, data_dir=None) as a:
            ca = Client(a.address)
            wait_for(lambda: holder(ca) and a.control_plane.is_leader, "a to lead")
            with running_server(etcd_servers=url, data_dir=None, sim_nodes=2) as b:
                cb = Client(b.address)
                assert a.control_plane.is_leader and not b.control_plane.is_leader
                assert holder(ca) == a.control_plane.elector.identity
                ca.create(DEPLOY, deployment(3))
                wait_for(lambda: running(cb) == 3, "3 pods Running (made by a, run by b's simulated nodes)")
                assert len(ca.get(PODS)["items"]) == 3          # one set of controllers: no duplicates
                assert {p["metadata"]["name"] for p in ca.get(PODS)["items"]} == \
                       {p["metadata"]["name"] for p in cb.get(PODS)["items"]}
                a.stop()                                          # releases the lease
                wait_for(lambda: b.control_plane.is_leader, "b to take over", guard=30)
                assert holder(cb) == b.control_plane.elector.identity
                cb.patch(f"{DEPLOY}/web", {"spec": {"replicas": 4}})
                wait_for(lambda: running(cb) == 4, "the fourth pod, made by b", guard=60)
