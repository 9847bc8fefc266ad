"""The API server's eviction subresource refuses evictions that would
violate a PodDisruptionBudget (429), as Kubernetes' does."""

from __future__ import annotations

from ca_builders import pdb, pod

from kubekit.clock import FakeClock
from kubekit.server.api import API, Request
from kubekit.server.routes import parse_path, resources_from_kinds
from kubekit.store import DEFAULT_KINDS, APIStore

TABLE = resources_from_kinds(DEFAULT_KINDS)


def evict(api, name):
    route = parse_path(f"/api/v1/namespaces/default/pods/{name}/eviction", TABLE)
    return api.handle(Request("POST", route, body={"apiVersion": "policy/v1", "kind": "Eviction",
                                                   "metadata": {"name": name, "namespace": "default"}}))


def store_with_pods(n, budget):
    store = APIStore(clock=FakeClock())
    # the API server admits evictions only in a namespace that exists (NamespaceLifecycle)
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    store.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-rs", "namespace": "default"},
                  "spec": {"replicas": n, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "c", "image": "app"}]}}}})
    uid = store.get("ReplicaSet", "default", "web-rs")["metadata"]["uid"]
    for i in range(n):
        p = pod(f"w{i}", labels={"app": "web"}, owner=("ReplicaSet", "web-rs"), node="n1")
        p["metadata"]["ownerReferences"][0]["uid"] = uid
        del p["metadata"]["uid"]
        created = store.create(p)
        store.guaranteed_update("Pod", "default", created["metadata"]["name"],
                                lambda cur: {**cur, "status": p["status"]}, status=True)
    if budget is not None:
        store.create(budget)
    return store


def test_an_eviction_within_the_budget_goes_through_and_the_next_is_refused():
    store = store_with_pods(3, pdb("web", selector={"app": "web"}, max_unavailable=1))
    api = API(store, validate=False)
    code, body = evict(api, "w0")
    assert code == 201 and body["status"] == "Success"
    gone = [p for p in store.list("Pod", "default")[0] if p["metadata"]["name"] == "w0"]
    assert gone == [] or gone[0]["metadata"].get("deletionTimestamp")
    code, body = evict(api, "w1")
    assert code == 429 and body["reason"] == "TooManyRequests"
    assert body["message"].startswith("Cannot evict pod as it would violate the pod's disruption budget.")
    assert body["details"]["causes"][0]["reason"] == "DisruptionBudget"
    w1 = store.get("Pod", "default", "w1")
    assert not w1["metadata"].get("deletionTimestamp")


def test_without_a_budget_evictions_are_deletes():
    store = store_with_pods(2, None)
    code, _ = evict(API(store, validate=False), "w0")
    assert code == 201


def test_a_pod_under_two_budgets_cannot_be_evicted():
    store = store_with_pods(2, pdb("a", selector={"app": "web"}, max_unavailable=2))
    store.create(pdb("b", selector={"app": "web"}, max_unavailable=2))
    code, body = evict(API(store, validate=False), "w0")
    assert code == 500 and "more than one PodDisruptionBudget" in body["message"]
