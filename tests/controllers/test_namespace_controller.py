"""The namespace controller on the in-memory store and a fake clock: the
deleter's scenarios of namespaced_resources_deleter_test.go
(testSyncNamespaceThatIsTerminating, TestSyncNamespaceThatIsActive,
TestRetryOnConflictError, TestDeleteEncounters404), then whole clusters
whose namespaces are deleted through the API server's verbs."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane
from kubekit.controllers.namespace import ContentDeletionFailed, NamespaceController, NamespacedResourcesDeleter
from kubekit.controllers.namespace_rules import ResourcesRemaining
from kubekit.errors import ConflictError, NotFoundError
from kubekit.server.api import API, Request
from kubekit.server.routes import parse_path, resources_from_kinds
from kubekit.store import DEFAULT_KINDS, APIStore
from kubekit.store.kinds import Kind, with_graceful_pods
from kubekit.store.namespaces import NamespaceStore

START = 1_700_000_000.0


class Recorder:
    """Wraps an object and records ``(label, method, first argument)`` of each call."""

    def __init__(self, target, label, log):
        self._target, self._label, self._log = target, label, log

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            first = args[0] if args and isinstance(args[0], str) else ""
            self._log.append((self._label, name, first))
            return attr(*args, **kwargs)
        return call


def namespace(store, name="test", *, spec_fins=("kubernetes",), delete=True):
    ns = NamespaceStore(store)
    created = ns.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    if list(spec_fins) != ["kubernetes"]:
        ns.finalize(dict(created, spec={"finalizers": list(spec_fins)}))
    if delete:
        ns.delete("Namespace", None, name)
    return store.get("Namespace", None, name)


def recorded_deleter(store, **kw):
    log: list = []
    d = NamespacedResourcesDeleter(store, store.clock, **kw)
    d.store = Recorder(store, "store", log)
    d.namespaces = Recorder(d.namespaces, "ns", log)
    return d, log


def namespaced_kinds(store):
    return sorted(k.kind for k in store.kinds if k.namespaced)


# -- testSyncNamespaceThatIsTerminating ---------------------------------------------------------------
def test_pending_finalize():
    store = APIStore(clock=FakeClock(start=START))
    namespace(store)
    d, log = recorded_deleter(store)
    d.delete("test")
    assert ("store", "get", "Namespace") in log
    assert sorted({k for who, verb, k in log if (who, verb) == ("store", "list")}) == namespaced_kinds(store)
    assert ("ns", "update_status") in {(who, verb) for who, verb, _ in log}       # the conditions
    assert ("ns", "finalize") in {(who, verb) for who, verb, _ in log}
    with pytest.raises(NotFoundError):                                          # finalized: gone
        store.get("Namespace", None, "test")


def test_complete_finalize():
    store = APIStore(clock=FakeClock(start=START))
    namespace(store, spec_fins=())
    d, log = recorded_deleter(store)
    d.delete("test")
    assert log == [("store", "get", "Namespace")]


def test_group_version_resource_error_on_a_finalized_namespace():
    store = APIStore(clock=FakeClock(start=START))
    namespace(store, spec_fins=())
    d, log = recorded_deleter(store, discover=lambda: ([], RuntimeError("test error")))
    d.delete("test")
    assert log == [("store", "get", "Namespace")]


def test_group_version_resource_error_finalize():
    store = APIStore(clock=FakeClock(start=START))
    namespace(store)
    kinds = [k for k in store.kinds if k.namespaced]
    d, log = recorded_deleter(store, discover=lambda: (kinds, RuntimeError("test error")))
    with pytest.raises(ContentDeletionFailed, match="^test error$"):
        d.delete("test")
    assert ("ns", "finalize") not in {(who, verb) for who, verb, _ in log}
    ns = store.get("Namespace", None, "test")
    assert ns["status"]["phase"] == "Terminating" and ns["spec"]["finalizers"] == ["kubernetes"]
    conds = {c["type"]: c for c in ns["status"]["conditions"]}
    assert (conds["NamespaceDeletionDiscoveryFailure"]["status"],
            conds["NamespaceDeletionDiscoveryFailure"]["reason"],
            conds["NamespaceDeletionDiscoveryFailure"]["message"]) == ("True", "DiscoveryFailed", "test error")
    assert conds["NamespaceContentRemaining"]["status"] == "False"


def test_sync_namespace_that_is_active():
    """TestSyncNamespaceThatIsActive: one read, nothing else."""
    store = APIStore(clock=FakeClock(start=START))
    namespace(store, delete=False)
    d, log = recorded_deleter(store)
    d.delete("test")
    assert log == [("store", "get", "Namespace")]
    assert store.get("Namespace", None, "test")["status"] == {"phase": "Active"}


def test_retry_on_conflict_error():
    """TestRetryOnConflictError: a conflict is retried once with a fresh read."""
    store = APIStore(clock=FakeClock(start=START))
    ns = namespace(store, delete=False)
    tries = []

    def retry_once(latest):
        tries.append(latest["metadata"]["resourceVersion"])
        if len(tries) == 1:
            raise ConflictError("ERROR")
        return latest
    NamespacedResourcesDeleter(store, store.clock)._retry_on_conflict(ns, retry_once)
    assert len(tries) == 2


def test_a_replaced_namespace_is_an_error_across_retries():
    store = APIStore(clock=FakeClock(start=START))
    ns = namespace(store, delete=False)
    stale = dict(ns, metadata=dict(ns["metadata"], uid="another"))

    def always_conflict(_latest):
        raise ConflictError("ERROR")
    with pytest.raises(ContentDeletionFailed, match="namespace uid has changed across retries"):
        NamespacedResourcesDeleter(store, store.clock)._retry_on_conflict(stale, always_conflict)


def test_delete_encounters_404():
    """TestDeleteEncounters404: a discovered resource the server does not
    serve (kubekit: a kind the store has not registered) is skipped."""
    store = APIStore(clock=FakeClock(start=START))
    namespace(store)
    flakes = Kind("Flake", "example.com/v1", "flakes")
    d, log = recorded_deleter(store, discover=lambda: ([flakes], None))
    d.delete("test")
    with pytest.raises(NotFoundError):
        store.get("Namespace", None, "test")


# -- content with grace periods and finalizers (the deleter step by step) -------------------------------
def test_terminating_pods_give_an_estimate_then_an_error_then_the_namespace_goes():
    clock = FakeClock(start=START)
    store = APIStore(clock=clock, kinds=with_graceful_pods(DEFAULT_KINDS))
    namespace(store, "team", delete=False)
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "team"},
                  "spec": {"nodeName": "nowhere", "terminationGracePeriodSeconds": 30,
                           "containers": [{"name": "c", "image": "busybox"}]}})
    NamespaceStore(store).delete("Namespace", None, "team")
    d = NamespacedResourcesDeleter(store, clock)
    with pytest.raises(ResourcesRemaining) as ei:
        d.delete("team")
    assert ei.value.estimate == 30
    pod = store.get("Pod", "team", "p")
    assert pod["metadata"]["deletionTimestamp"]                       # deleted with its own grace period, still there
    conds = {c["type"]: c for c in store.get("Namespace", None, "team")["status"]["conditions"]}
    assert conds["NamespaceContentRemaining"]["message"] == "Some resources are remaining: pods. has 1 resource instances"
    assert conds["NamespaceDeletionContentFailure"]["status"] == "False"
    clock.advance(30)                           # the estimate ran out and the pod is still there: an error
    with pytest.raises(ContentDeletionFailed,
                       match="^unexpected items still remain in namespace: team for gvr: /v1, Resource=pods$"):
        d.delete("team")
    conds = {c["type"]: c for c in store.get("Namespace", None, "team")["status"]["conditions"]}
    assert conds["NamespaceDeletionContentFailure"]["message"] == (
        "Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: team for gvr: "
        "/v1, Resource=pods")
    store.delete("Pod", "team", "p", grace_period_seconds=0)         # the node agent's final delete
    d.delete("team")
    with pytest.raises(NotFoundError):
        store.get("Namespace", None, "team")


def test_objects_held_by_finalizers_wait_fifteen_seconds():
    clock = FakeClock(start=START)
    store = APIStore(clock=clock)
    namespace(store, "team", delete=False)
    store.create({"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "held", "namespace": "team", "finalizers": ["example.com/hold"]}})
    NamespaceStore(store).delete("Namespace", None, "team")
    d = NamespacedResourcesDeleter(store, clock)
    with pytest.raises(ResourcesRemaining) as ei:
        d.delete("team")
    assert ei.value.estimate == 15
    conds = {c["type"]: c for c in store.get("Namespace", None, "team")["status"]["conditions"]}
    assert conds["NamespaceFinalizersRemaining"]["message"] == (
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances")
    assert conds["NamespaceContentRemaining"]["message"] == (
        "Some resources are remaining: configmaps. has 1 resource instances")
    store.guaranteed_update("ConfigMap", "team", "held", lambda cm: dict(cm, metadata=dict(cm["metadata"],
                                                                                           finalizers=[])))
    d.delete("team")
    with pytest.raises(NotFoundError):
        store.get("Namespace", None, "team")


def test_another_spec_finalizer_keeps_the_namespace():
    store = APIStore(clock=FakeClock(start=START))
    namespace(store, spec_fins=("kubernetes", "example.com/mine"))
    NamespacedResourcesDeleter(store, store.clock).delete("test")
    ns = store.get("Namespace", None, "test")
    assert ns["spec"]["finalizers"] == ["example.com/mine"] and ns["status"]["phase"] == "Terminating"
    NamespaceStore(store).finalize(dict(ns, spec={}))
    with pytest.raises(NotFoundError):
        store.get("Namespace", None, "test")


# -- whole clusters on a fake clock: the controller driven by the control plane ----------------------
def deployment(name, ns, replicas):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


class Cluster:
    def __init__(self, kinds=DEFAULT_KINDS):
        self.clock = FakeClock(start=START)
        self.store = APIStore(clock=self.clock, kinds=kinds)
        self.cp = ControlPlane(self.clock, store=self.store, start_delay=1.0)
        self.cp.fleet.add_nodes(["node-0", "node-1"])
        self.controller = NamespaceController(self.store, self.clock)
        self.cp.add_component(self.controller)
        self.api = API(self.store)
        self.table = resources_from_kinds(self.store.kinds)
        for name in ("default", "team"):
            NamespaceStore(self.store).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def call(self, method, path, body=None):
        return self.api.handle(Request(method, parse_path(path, self.table), {}, body))

    def exists(self, kind, ns, name):
        try:
            self.store.get(kind, ns, name)
            return True
        except NotFoundError:
            return False

    def content(self, ns):
        return {k.kind: len(self.store.list(k.kind, ns)[0]) for k in self.store.kinds if k.namespaced
                and self.store.list(k.kind, ns)[0]}


def test_deleting_a_namespace_empties_it_and_then_it_goes():
    c = Cluster()
    c.call("POST", "/apis/apps/v1/namespaces/team/deployments", deployment("web", "team", 3))
    c.call("POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "cfg"}, "data": {"a": "b"}})
    c.call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("keep", "default", 1))
    c.cp.run_until(lambda: c.cp.count_pods("team", "Running") == 3 and c.cp.count_pods("default", "Running") == 1)
    code, out = c.call("DELETE", "/api/v1/namespaces/team")
    assert code == 200 and out["status"]["phase"] == "Terminating"
    deleted_at = c.clock.monotonic()
    c.cp.run_until(lambda: not c.exists("Namespace", None, "team"), max_sim_seconds=120)
    assert c.clock.monotonic() - deleted_at >= 5.0          # namespaceDeletionGracePeriod (simulated seconds)
    assert c.content("team") == {}
    assert c.cp.count_pods("default", "Running") == 1 and c.exists("Deployment", "default", "keep")
    code, out = c.call("POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "late"}, "data": {}})
    assert (code, out["message"]) == (404, 'namespaces "team" not found')


def test_while_terminating_creates_are_refused_and_the_status_tells_why():
    c = Cluster(kinds=with_graceful_pods(DEFAULT_KINDS))
    c.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slow", "namespace": "team"},
                    "spec": {"nodeName": "nowhere", "terminationGracePeriodSeconds": 60,
                             "containers": [{"name": "c", "image": "busybox"}]}})
    c.call("DELETE", "/api/v1/namespaces/team")
    c.cp.run_until(lambda: any(cd["type"] == "NamespaceContentRemaining" and cd["status"] == "True"
                               for cd in (c.store.get("Namespace", None, "team")["status"].get("conditions") or [])))
    code, out = c.call("POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "late"}, "data": {}})
    assert code == 403 and out["details"]["causes"][0]["reason"] == "NamespaceTerminating"
    pod = c.store.get("Pod", "team", "slow")
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 60
    # no node agent confirms the pod: the namespace waits (estimate, then errors retried with backoff)
    t0 = c.clock.monotonic()
    c.cp.run_until(lambda: c.clock.monotonic() - t0 > 120, max_sim_seconds=200)
    assert c.exists("Namespace", None, "team")
    conds = {cd["type"]: cd for cd in c.store.get("Namespace", None, "team")["status"]["conditions"]}
    assert conds["NamespaceDeletionContentFailure"]["status"] == "True"
    c.store.delete("Pod", "team", "slow", grace_period_seconds=0)        # --force
    c.cp.run_until(lambda: not c.exists("Namespace", None, "team"), max_sim_seconds=120)


def test_a_new_controller_finishes_a_namespace_it_did_not_see_deleted():
    """Level-triggered: the deletion is in the store, the controller's
    informer finds it when it starts (a restart, a new leader)."""
    c = Cluster()
    c.call("POST", "/api/v1/namespaces/team/configmaps", {"metadata": {"name": "cfg"}, "data": {}})
    NamespaceStore(c.store).delete("Namespace", None, "team")
    fresh = NamespaceController(c.store, c.clock)
    for _ in range(3):
        fresh.run_once()
        c.clock.advance(fresh.next_wakeup() or 0.0)
    fresh.run_once()
    assert not c.exists("Namespace", None, "team") and not c.exists("ConfigMap", "team", "cfg")
    for inf in fresh.informers:
        inf.stop()
