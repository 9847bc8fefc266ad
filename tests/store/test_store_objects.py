"""The API server's storage role: metadata, optimistic concurrency, the
status subresource, selectors, finalizers and watches."""

from __future__ import annotations

import random
import uuid
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.clock import FakeClock
from kubekit.errors import AlreadyExistsError, CompactedError, ConflictError, InvalidObjectError, NotFoundError, \
    SelectorError
from kubekit.store import DEFAULT_KINDS, APIStore, MemoryKV
from kubekit.store.meta import (NAME_ALPHABET, generate_name, micro_time, parse_time, random_uid, rfc3339,
                                spec_changed)


def pod(name, ns="default", labels=None, node=None, **extra):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
         "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    if labels:
        p["metadata"]["labels"] = labels
    if node:
        p["spec"]["nodeName"] = node
    p.update(extra)
    return p


# ---------------------------------------------------------------- pure metadata functions

@pytest.mark.parametrize("ts, text", [
    (0, "1970-01-01T00:00:00Z"), (1_700_000_000.9, "2023-11-14T22:13:20Z"), (1_764_180_342, "2025-11-26T18:05:42Z"),
])
def test_rfc3339_is_seconds_in_utc(ts, text):
    assert rfc3339(ts) == text
    assert parse_time(text) == int(ts)


def test_micro_time_keeps_microseconds():
    assert micro_time(1_700_000_000.25) == "2023-11-14T22:13:20.250000Z"
    assert parse_time(micro_time(1_700_000_000.25)) == 1_700_000_000.25
    with pytest.raises(InvalidObjectError, match="invalid RFC 3339 time 'yesterday'"):
        parse_time("yesterday")


@pytest.mark.parametrize("base", ["web-", "", "x" * 80])
def test_generate_name(base):
    name = generate_name(base, random.Random(1))
    assert name.startswith(base[:58]) and len(name) == min(len(base), 58) + 5
    assert all(c in NAME_ALPHABET for c in name[len(base[:58]):])


@pytest.mark.parametrize("seed", range(20))
def test_generate_name_and_uid_draw_as_random_and_uuid_do(seed):
    """The inlined draws are twins of ``rng.choice`` and ``uuid.UUID``: the
    same text from the same seed, and the same state of the generator after."""
    fast, slow = random.Random(seed), random.Random(seed)
    for _ in range(100):
        assert generate_name("web-", fast) == "web-" + "".join(slow.choice(NAME_ALPHABET) for _ in range(5))
        uid = random_uid(fast)
        assert uid == str(uuid.UUID(int=slow.getrandbits(128), version=4))
        assert uuid.UUID(uid).version == 4 and uuid.UUID(uid).variant == uuid.RFC_4122
    assert fast.getstate() == slow.getstate()


@pytest.mark.parametrize("old, new, bumps", [
    ({"spec": {"a": 1}}, {"spec": {"a": 2}}, True),
    ({"spec": {"a": 1}}, {"spec": {"a": 1}, "status": {"x": 1}}, False),
    ({"spec": {"a": 1}, "metadata": {"labels": {}}}, {"spec": {"a": 1}, "metadata": {"labels": {"a": "b"}}}, False),
    ({"spec": {"a": 1}}, {}, True),
    ({"data": {"k": "v"}}, {"data": {"k": "w"}}, True),     # kinds without spec (ConfigMap-like)
    ({"spec": None}, {}, False), ({}, {"spec": None}, False),  # missing and null are the same
    ({"spec": {}}, {"spec": None}, True), ({"kind": "A", "apiVersion": "v1"}, {"kind": "B"}, False),
])
def test_generation_bumps_only_on_spec_changes(old, new, bumps):
    assert spec_changed(old, new) is bumps


_field = st.sampled_from(["spec", "data", "status", "metadata", "kind", "apiVersion", "rules"])
_value = st.one_of(st.none(), st.integers(0, 2), st.dictionaries(st.sampled_from("ab"), st.integers(0, 1), max_size=2))


@given(st.dictionaries(_field, _value), st.dictionaries(_field, _value))
def test_spec_changed_is_any_difference_outside_the_bookkeeping_fields(old, new):
    """Its twin: the definition, over the union of the two objects' fields."""
    keys = (set(old) | set(new)) - {"metadata", "status", "apiVersion", "kind"}
    assert spec_changed(old, new) is any(old.get(k) != new.get(k) for k in keys)


# ---------------------------------------------------------------- create / get

def test_create_sets_server_metadata(api, clock):
    p = api.create(pod("web", labels={"app": "web"}))
    m = p["metadata"]
    assert m["resourceVersion"] == "2" and m["generation"] == 1
    assert m["creationTimestamp"] == rfc3339(clock.now()) and len(m["uid"]) == 36
    assert api.get("Pod", "default", "web") == p
    assert api.get("pods", "default", "web") == p          # by plural too


def test_create_does_not_modify_its_argument_and_ignores_client_server_fields(api):
    arg = pod("web")
    arg["metadata"].update(resourceVersion="99", uid="mine", deletionTimestamp="2020-01-01T00:00:00Z")
    snapshot = repr(arg)
    p = api.create(arg)
    assert repr(arg) == snapshot
    assert p["metadata"]["uid"] != "mine" and "deletionTimestamp" not in p["metadata"]


def test_generate_name_and_already_exists(api):
    p = api.create(pod("", **{}) | {"metadata": {"generateName": "web-", "namespace": "default"}})
    assert p["metadata"]["name"].startswith("web-") and len(p["metadata"]["name"]) == 9
    api.create(pod("web"))
    with pytest.raises(AlreadyExistsError, match='pods "web" already exists'):
        api.create(pod("web"))
    api.create(pod("web", ns="other"))                     # names are per namespace


def test_a_taken_generated_name_is_drawn_again():
    """The API server's createWithGenerateNameRetry: a generated name that
    is taken is drawn afresh, up to 8 attempts in all."""
    rng = random.Random(7)
    api = APIStore(clock=FakeClock(), rng=rng)
    gen = pod("") | {"metadata": {"generateName": "web-", "namespace": "default"}}
    state = rng.getstate()
    first = api.create(gen)["metadata"]["name"]
    rng.setstate(state)                                # the next draw repeats the taken name
    second = api.create(gen)["metadata"]["name"]
    assert second != first and second.startswith("web-")
    assert {p["metadata"]["name"] for p in api.list("Pod")[0]} == {first, second}


def test_generated_names_give_up_after_eight_attempts():
    class Stuck(random.Random):
        draws = 0

        def getrandbits(self, k):                       # every name drawn is "web-" + 5 x NAME_ALPHABET[0]
            if k != 5:
                return super().getrandbits(k)               # the uid's 128 bits
            self.draws += 1
            return 0
    rng = Stuck(1)
    api = APIStore(clock=FakeClock(), rng=rng)
    gen = pod("") | {"metadata": {"generateName": "web-", "namespace": "default"}}
    name = api.create(gen)["metadata"]["name"]
    rng.draws = 0
    with pytest.raises(AlreadyExistsError, match=f'pods "{name}" already exists'):
        api.create(gen)
    assert rng.draws == 8 * 5                           # eight names drawn, five characters each
    assert len(api.list("Pod")[0]) == 1


@pytest.mark.parametrize("obj, message", [
    ({"kind": "Pod", "metadata": {}}, "metadata.name: Required value"),
    ({"kind": "Gadget", "metadata": {"name": "x"}}, "kind 'Gadget' is not registered"),
    ({"metadata": {"name": "x"}}, "kind: Required value"),
    ({"kind": "Node", "metadata": {"name": "n", "namespace": "default"}}, "Node is cluster-scoped"),
    ({"kind": "Pod", "apiVersion": "apps/v1", "metadata": {"name": "x"}}, "expected 'v1'"),
    ({"kind": "Pod", "metadata": {"name": "a/b"}}, "may not contain '/'"),
])
def test_invalid_objects_name_the_field(api, obj, message):
    with pytest.raises(InvalidObjectError, match=message):
        api.create(obj)


def test_namespaces_and_cluster_scoped_kinds(api):
    api.create({"kind": "Node", "metadata": {"name": "n1"}})
    assert api.get("Node", None, "n1")["apiVersion"] == "v1"
    assert api.create({"kind": "Pod", "metadata": {"name": "p"}})["metadata"]["namespace"] == "default"
    with pytest.raises(NotFoundError, match='pods "nope" not found'):
        api.get("Pod", "default", "nope")
    with pytest.raises(NotFoundError, match='deployments.apps "d" not found'):
        api.get("Deployment", "default", "d")


# ---------------------------------------------------------------- update

def test_stale_update_is_a_conflict_with_the_api_servers_message(api):
    p = api.create(pod("x"))
    fresh = api.update(p | {"spec": {"containers": [], "x": 1}})
    with pytest.raises(ConflictError) as e:
        api.update(p | {"spec": {"y": 2}})
    assert str(e.value) == ('Operation cannot be fulfilled on pods "x": the object has been modified; '
                            'please apply your changes to the latest version and try again')
    assert api.update(fresh | {"spec": {"y": 2}})["spec"] == {"y": 2}


def test_generation_and_server_owned_metadata_on_update(api):
    p = api.create(pod("x"))
    with pytest.raises(InvalidObjectError, match='metadata.uid: Invalid value: "forged": field is immutable'):
        api.update(p | {"metadata": p["metadata"] | {"uid": "forged"}})
    p2 = api.update(p | {"metadata": p["metadata"] | {"labels": {"a": "b"}, "generation": 9,
                                                      "creationTimestamp": "2000-01-01T00:00:00Z"}})
    assert p2["metadata"]["generation"] == 1 and p2["metadata"]["uid"] == p["metadata"]["uid"]
    assert p2["metadata"]["creationTimestamp"] == p["metadata"]["creationTimestamp"]
    assert p2["metadata"]["labels"] == {"a": "b"}
    p3 = api.update(p2 | {"spec": {"containers": [], "nodeName": "n"}})
    assert p3["metadata"]["generation"] == 2
    assert int(p3["metadata"]["resourceVersion"]) > int(p2["metadata"]["resourceVersion"])


@pytest.mark.parametrize("obj, kept", [
    # kept by the strategies that set it: Pod, Deployment, ReplicaSet, PodDisruptionBudget (and custom kinds)
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}, True),
    ({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 1}}, True),
    ({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {"replicas": 1}}, True),
    ({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "b"}, "spec": {"minAvailable": 1}},
     True),
    # no generation at all: their strategies never set one
    ({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l", "namespace": "kube-node-lease"},
      "spec": {"holderIdentity": "n"}}, False),
    ({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "spec": {"unschedulable": False}}, False),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}, False),
    ({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
      "spec": {"minReplicas": 1, "maxReplicas": 3}}, False),
    ({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "v"}, "spec": {"storageClassName": "a"}},
     False),
])
def test_generation_only_for_the_kinds_kubernetes_keeps_it_for(api, obj, kept):
    created = api.create(obj)
    assert created["metadata"].get("generation") == (1 if kept else None)
    field = "data" if "data" in obj else "spec"
    changed = {**created, field: {**created[field], "x": "changed"},
               "metadata": {**created["metadata"], "generation": 7}}      # a client's generation is never taken
    updated = api.update(changed)
    assert updated["metadata"].get("generation") == (2 if kept else None)
    assert updated[field]["x"] == "changed"


def test_status_is_a_subresource(api):
    p = api.create(pod("x"))
    p2 = api.update(p | {"status": {"phase": "Running"}})          # ignored by the main resource
    # a new pod starts Pending (the pod strategy's PrepareForCreate); the main resource cannot change it
    assert p2["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert p2["metadata"]["resourceVersion"] == p["metadata"]["resourceVersion"]
    s = api.update_status(p | {"status": {"phase": "Running"}, "spec": {"ignored": True},
                               "metadata": p["metadata"] | {"labels": {"ignored": "yes"}}})
    assert s["status"] == {"phase": "Running"} and s["spec"] == p["spec"] and "labels" not in s["metadata"]
    assert s["metadata"]["generation"] == 1
    u = api.update(s | {"spec": {"containers": [], "nodeName": "n1"}, "status": {"phase": "Failed"}})
    assert u["status"] == {"phase": "Running"} and u["spec"]["nodeName"] == "n1"
    lease = api.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": "l", "namespace": "kube-node-lease"}, "spec": {}})
    with pytest.raises(InvalidObjectError, match="Lease has no status subresource"):
        api.update_status(lease)


def test_a_no_op_update_writes_nothing(api):
    p = api.create(pod("x"))
    rev = api.kv.revision
    assert api.update(p) == p
    assert api.kv.revision == rev


def test_unconditional_update_and_missing_object(api):
    api.create(pod("x"))
    obj = pod("x")
    obj["spec"]["nodeName"] = "n"
    assert api.update(obj)["spec"]["nodeName"] == "n"     # no resourceVersion: last write wins
    with pytest.raises(NotFoundError):
        api.update(pod("missing"))


def test_guaranteed_update_retries_until_every_increment_lands(api):
    api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"}, "spec": {"n": 0}})

    def bump(o):
        o["spec"]["n"] += 1
        return o

    threads = [threading.Thread(target=lambda: [api.guaranteed_update("Pod", "default", "c", bump)
                                                for _ in range(50)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = api.get("Pod", "default", "c")
    assert got["spec"]["n"] == 200 and got["metadata"]["generation"] == 201
    assert api.guaranteed_update("Pod", "default", "c", lambda o: None) == got


# ---------------------------------------------------------------- list and selectors

def test_list_with_selectors_and_namespaces(api):
    api.create(pod("a", "ns1", {"app": "web", "tier": "fe"}, node="n1"))
    api.create(pod("b", "ns1", {"app": "web"}))
    api.create(pod("c", "ns1x", {"app": "db"}, node="n1"))
    api.create(pod("d", "ns2", {"app": "web"}, node="n2"))
    names = lambda items: [i["metadata"]["name"] for i in items]  # noqa: E731
    items, rv = api.list("Pod")
    assert names(items) == ["a", "b", "c", "d"] and rv == "5"
    assert names(api.list("Pod", "ns1")[0]) == ["a", "b"]              # not ns1x
    assert names(api.list("Pod", label_selector="app=web")[0]) == ["a", "b", "d"]
    assert names(api.list("Pod", label_selector="app in (web,db),!tier")[0]) == ["b", "c", "d"]
    assert names(api.list("Pod", field_selector="spec.nodeName=")[0]) == ["b"]
    assert names(api.list("Pod", field_selector="spec.nodeName=n1,metadata.namespace!=ns1")[0]) == ["c"]
    assert names(api.list("Pod", "ns1", label_selector="app=web", field_selector="metadata.name=a")[0]) == ["a"]
    with pytest.raises(SelectorError, match="field label not supported: spec.bogus"):
        api.list("Pod", field_selector="spec.bogus=1")


# ---------------------------------------------------------------- delete, finalizers

def test_delete_without_finalizers_removes_at_once(api):
    p = api.create(pod("x"))
    gone = api.delete("Pod", "default", "x")
    assert gone["metadata"]["uid"] == p["metadata"]["uid"]
    with pytest.raises(NotFoundError):
        api.get("Pod", "default", "x")
    with pytest.raises(NotFoundError):
        api.delete("Pod", "default", "x")


def test_delete_preconditions(api):
    p = api.create(pod("x"))
    with pytest.raises(ConflictError, match='on pods "x": Precondition failed: UID in precondition: other, '
                                            'UID in object meta: ' + p["metadata"]["uid"]):
        api.delete("Pod", "default", "x", preconditions={"uid": "other"})
    with pytest.raises(ConflictError, match="ResourceVersion in precondition: 7"):
        api.delete("Pod", "default", "x", preconditions={"resourceVersion": "7"})
    api.delete("Pod", "default", "x", preconditions={"uid": p["metadata"]["uid"], "resourceVersion": "2"})


def test_finalizers_hold_deletion_until_the_last_one_goes(api, clock):
    p = pod("x")
    p["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    api.create(p)
    w = api.watch("Pod", resource_version=api.kv.revision)
    clock.advance(5)
    marked = api.delete("Pod", "default", "x")
    assert marked["metadata"]["deletionTimestamp"] == rfc3339(clock.now())
    assert api.get("Pod", "default", "x")["metadata"]["deletionGracePeriodSeconds"] == 0
    again = api.delete("Pod", "default", "x")                       # idempotent while pending
    assert again["metadata"]["resourceVersion"] == marked["metadata"]["resourceVersion"]
    cur = api.get("Pod", "default", "x")
    cur["metadata"]["deletionTimestamp"] = "2000-01-01T00:00:00Z"   # clients cannot move it
    cur["metadata"]["finalizers"] = ["example.com/b"]
    cur = api.update(cur)
    assert cur["metadata"]["deletionTimestamp"] == marked["metadata"]["deletionTimestamp"]
    cur["metadata"]["finalizers"] = []
    api.update(cur)
    with pytest.raises(NotFoundError):
        api.get("Pod", "default", "x")
    assert [e.type for e in w.poll()] == ["MODIFIED", "MODIFIED", "DELETED"]


def test_propagation_policies_set_the_gc_finalizers(api):
    for policy, fin in (("Orphan", ["orphan"]), ("Foreground", ["foregroundDeletion"])):
        api.create(pod(policy.lower()))
        assert api.delete("Pod", "default", policy.lower(), propagation=policy)["metadata"]["finalizers"] == fin
    with pytest.raises(InvalidObjectError, match="Unsupported value: 'Sideways'"):
        api.delete("Pod", "default", "orphan", propagation="Sideways")


# ---------------------------------------------------------------- watch

def test_watch_from_a_resource_version(api):
    api.create(pod("a"))
    _, rv = api.list("Pod")
    api.create(pod("b"))
    b = api.get("Pod", "default", "b")
    api.update(b | {"spec": {"x": 1}})
    api.delete("Pod", "default", "a")
    w = api.watch("Pod", resource_version=rv)
    evs = w.poll()
    assert [(e.type, e.object["metadata"]["name"], e.object["metadata"]["resourceVersion"]) for e in evs] == [
        ("ADDED", "b", "3"), ("MODIFIED", "b", "4"), ("DELETED", "a", "5")]
    assert w.resource_version == "5"


def test_watch_without_a_version_starts_with_the_current_objects(api):
    api.create(pod("a"))
    api.create(pod("b", "other"))
    w = api.watch("Pod", "default")
    api.create(pod("c"))
    assert [(e.type, e.object["metadata"]["name"]) for e in w.poll()] == [("ADDED", "a"), ("ADDED", "c")]


def test_watch_with_selectors_sees_objects_enter_and_leave(api):
    w = api.watch("Pod", resource_version="0", label_selector="app=web", field_selector="spec.nodeName=")
    p = api.create(pod("p", labels={"app": "db"}))                  # not selected
    p = api.update(p | {"metadata": p["metadata"] | {"labels": {"app": "web"}}})   # enters
    p = api.update(p | {"metadata": p["metadata"] | {"annotations": {"x": "y"}}})  # stays
    p = api.update(p | {"spec": p["spec"] | {"nodeName": "n1"}})  # bound: leaves the field selector
    api.delete("Pod", "default", "p")                              # not selected: no event
    evs = [(e.type, e.object["metadata"]["resourceVersion"]) for e in w.poll()]
    assert evs == [("ADDED", "3"), ("MODIFIED", "4"), ("DELETED", "5")]


def test_watch_from_a_compacted_version_is_gone(api):
    for i in range(4):
        api.create(pod(f"p{i}"))
    api.kv.compact(3)
    with pytest.raises(CompactedError):
        api.watch("Pod", resource_version="1")


def test_list_then_watch_has_no_gap_and_no_duplicate_under_concurrent_writers(api):
    """Writers create, update and delete pods while a reader lists and then
    watches from the list's resourceVersion; replaying the watch onto the
    list must give exactly the final state, with strictly increasing
    versions and no event at or before the list's version."""
    stop = threading.Event()
    errors = []

    def writer(w):
        rng = random.Random(w)
        try:
            for i in range(300):
                name = f"w{w}-{rng.randrange(20)}"
                try:
                    if rng.random() < 0.5:
                        api.create(pod(name, labels={"w": str(w)}))
                    elif rng.random() < 0.6:
                        api.guaranteed_update("Pod", "default", name,
                                              lambda o: o | {"spec": {"i": i}})
                    else:
                        api.delete("Pod", "default", name)
                except (AlreadyExistsError, NotFoundError):
                    pass
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    for round_ in range(3):
        threads = [threading.Thread(target=writer, args=(round_ * 10 + w,)) for w in range(3)]
        for t in threads:
            t.start()
        items, rv = api.list("Pod")
        state = {i["metadata"]["name"]: i for i in items}
        w = api.watch("Pod", resource_version=rv)
        for t in threads:
            t.join()
        stop.set()
        last = int(rv)
        final_rv = api.kv.revision
        while int(w.resource_version) < final_rv:
            for e in w.next_batch(5):
                v = int(e.object["metadata"]["resourceVersion"])
                assert v > last, "an event at or before one already seen"
                last = v
                name = e.object["metadata"]["name"]
                if e.type == "ADDED":
                    assert name not in state
                    state[name] = e.object
                elif e.type == "MODIFIED":
                    assert name in state
                    state[name] = e.object
                else:
                    del state[name]
        w.close()
        assert not errors
        assert state == {i["metadata"]["name"]: i for i in api.list("Pod")[0]}


def test_objects_survive_a_restart_with_the_same_versions(data_dir, clock):
    kv = MemoryKV(clock, data_dir=data_dir)
    try:
        api = APIStore(kv, clock=clock)
        p = api.create(pod("x", labels={"a": "b"}))
        p = api.update_status(p | {"status": {"phase": "Running"}})
    finally:
        kv.close()
    kv = MemoryKV(clock, data_dir=data_dir)
    try:
        assert APIStore(kv, clock=clock).get("Pod", "default", "x") == p
    finally:
        kv.close()


def test_no_new_finalizers_once_deleting(api):
    p = pod("x")
    p["metadata"]["finalizers"] = ["a"]
    api.create(p)
    cur = api.delete("Pod", "default", "x")
    cur["metadata"]["finalizers"] = ["a", "b"]
    with pytest.raises(InvalidObjectError, match=r"no new finalizers can be added .* found new finalizers \['b'\]"):
        api.update(cur)


def test_bookmarks_carry_the_version_to_resume_from(api):
    w = api.watch("Pod", resource_version="0", label_selector="app=web", bookmarks=True)
    api.create(pod("other", labels={"app": "db"}))
    [bm] = w.next_batch(0.01)
    assert bm.type == "BOOKMARK" and bm.object == {"apiVersion": "v1", "kind": "Pod",
                                                   "metadata": {"resourceVersion": "2"}}
    assert w.next_batch(0.01) == []          # nothing new: no second bookmark
    api.create(pod("web", labels={"app": "web"}))
    assert [e.type for e in w.next_batch(0.01)] == ["ADDED"]


ops = st.lists(st.tuples(st.sampled_from(["create", "label", "spec", "delete"]), st.integers(0, 4)), max_size=30)


@settings(max_examples=50, deadline=None)
@given(ops=ops, split=st.integers(0, 30), selector=st.sampled_from([None, "app=web", "app!=web"]))
def test_list_at_any_point_then_watch_replays_to_the_final_list(ops, split, selector):
    """For any history and any moment: the list at that moment plus the
    watch from its resourceVersion, replayed, is the final list."""
    api = APIStore(clock=FakeClock(), rng=random.Random(0))
    try:
        listed = rv = None
        for n, (op, i) in enumerate(ops + [("noop", 0)]):
            if n == split or (listed is None and n == len(ops)):
                listed, rv = api.list("Pod", label_selector=selector)
            name = f"p{i}"
            try:
                if op == "create":
                    api.create(pod(name, labels={"app": "web" if i % 2 else "db"}))
                elif op == "label":
                    api.guaranteed_update("Pod", "default", name, lambda o: o | {"metadata": o["metadata"] | {
                        "labels": {"app": "db" if o["metadata"]["labels"]["app"] == "web" else "web"}}})
                elif op == "spec":
                    api.guaranteed_update("Pod", "default", name, lambda o: o | {"spec": {"n": n}})
                elif op == "delete":
                    api.delete("Pod", "default", name)
            except (AlreadyExistsError, NotFoundError):
                pass
        state = {o["metadata"]["name"]: o for o in listed}
        for e in api.watch("Pod", resource_version=rv, label_selector=selector).poll():
            name = e.object["metadata"]["name"]
            assert (name in state) == (e.type != "ADDED")
            if e.type == "DELETED":
                del state[name]
            else:
                state[name] = e.object
        assert state == {o["metadata"]["name"]: o for o in api.list("Pod", label_selector=selector)[0]}
    finally:
        api.kv.close()


@pytest.mark.parametrize("now, ttl, prev_expiry, reuse", [
    (0, 3600, 3600 + 60, True),       # granted just now with the extra minute
    (0, 3600, 3600 + 61, False),      # would outlive the TTL by more than the window
    (0, 3600, 3600, False),           # would not outlive the TTL
    (30, 3600, 3600 + 60, True),
    (60, 3600, 3600 + 60, False),     # the window has passed
    (0, 100, 105, True),              # 5% of a short TTL
    (0, 100, 106, False),
])
def test_ttl_lease_reuse(now, ttl, prev_expiry, reuse):
    from kubekit.store.objects import reuse_lease
    assert reuse_lease(now, ttl, prev_expiry) is reuse


def event(name, count=1):
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "Scheduled", "count": count}


def test_events_expire_an_hour_after_their_last_write(api, clock):
    api.create(event("e1"))
    api.create(event("e2"))
    k1, k2 = (api.kv.get(f"/registry/events/default/{n}") for n in ("e1", "e2"))
    assert k1.lease and k1.lease == k2.lease                  # writes close in time share a lease
    clock.advance(1800)
    e2 = api.get("Event", "default", "e2")
    api.update(e2 | {"count": 2})                             # a write restarts the hour
    clock.advance(1800 + 61)
    api.kv.tick()
    names = [e["metadata"]["name"] for e in api.list("Event")[0]]
    assert names == ["e2"]
    assert [p["metadata"]["name"] for p in api.list("Pod")[0]] == []    # other kinds carry no lease
    clock.advance(1800)
    api.kv.tick()
    assert api.list("Event")[0] == []


# ---------------------------------------------------------------- graceful deletion

from kubekit.store.meta import pod_grace_period, plan_delete  # noqa: E402

BOUND = {"spec": {"nodeName": "n1"}}


@pytest.mark.parametrize("p, requested, period", [
    (BOUND, None, 30),
    ({"spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 5}}, None, 5),
    ({"spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 5}}, 2, 2),
    (BOUND, 0, 0),
    (BOUND, -3, 1),
    ({"spec": {}}, 30, 0),                                           # unbound: no node to wait for
    ({"spec": {"nodeName": "n1"}, "status": {"phase": "Succeeded"}}, None, 0),
    ({"spec": {"nodeName": "n1"}, "status": {"phase": "Failed"}}, 10, 0),
    ({"spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}, None, 30),
])
def test_pod_grace_period(p, requested, period):
    assert pod_grace_period(p, requested) == period


T0 = 1_700_000_000
MARKED = {"generation": 2, "deletionTimestamp": rfc3339(T0 + 30), "deletionGracePeriodSeconds": 30}


@pytest.mark.parametrize("meta, fins, grace, action, changes", [
    ({"generation": 1}, [], None, "delete", {}),
    ({"generation": 1}, [], 0, "delete", {}),
    ({"generation": 1}, ["f"], None, "update",
     {"generation": 2, "finalizers": ["f"], "deletionTimestamp": rfc3339(T0), "deletionGracePeriodSeconds": 0}),
    ({"generation": 1}, [], 30, "update",
     {"generation": 2, "deletionTimestamp": rfc3339(T0 + 30), "deletionGracePeriodSeconds": 30}),
    (MARKED, [], 30, "none", {}),                                  # pending: unchanged
    (MARKED, [], 60, "none", {}),                                  # a longer grace does not extend it
    (MARKED, [], 10, "update", {"deletionTimestamp": rfc3339(T0 + 10), "deletionGracePeriodSeconds": 10}),
    (MARKED, [], 0, "delete", {}),                                 # the final delete
    (MARKED, ["f"], 0, "update",
     {"finalizers": ["f"], "deletionTimestamp": rfc3339(T0), "deletionGracePeriodSeconds": 0}),
    ({"generation": 2, "finalizers": ["f"], "deletionTimestamp": rfc3339(T0 - 5), "deletionGracePeriodSeconds": 0},
     ["f"], None, "none", {}),
    # an object without a generation (its kind keeps none) gets none by being marked (BeforeDelete: only if > 0)
    ({}, ["f"], None, "update", {"finalizers": ["f"], "deletionTimestamp": rfc3339(T0), "deletionGracePeriodSeconds": 0}),
])
def test_plan_delete(meta, fins, grace, action, changes):
    got_action, got = plan_delete(meta, fins, grace, T0)
    assert got_action == action
    if action == "update":
        assert got == {**meta, **changes}
    else:
        assert got == meta


@pytest.fixture
def graceful(clock):
    from kubekit.store.kinds import with_graceful_pods
    kv = MemoryKV(clock)
    try:
        yield APIStore(kv, clock=clock, kinds=with_graceful_pods(DEFAULT_KINDS), rng=random.Random(1))
    finally:
        kv.close()


def test_a_bound_pod_waits_for_its_node_agent(graceful, clock):
    api = graceful
    p = api.create(pod("x", node="n1"))
    marked = api.delete("Pod", "default", "x")
    m = marked["metadata"]
    assert m["deletionTimestamp"] == rfc3339(clock.now() + 30) and m["deletionGracePeriodSeconds"] == 30
    assert m["generation"] == p["metadata"]["generation"] + 1
    # the node agent reports the containers stopping: an update, not a deletion
    s = api.update_status(marked | {"status": {"phase": "Running", "reason": "Terminating"}})
    assert s["metadata"]["deletionGracePeriodSeconds"] == 30
    assert api.delete("Pod", "default", "x")["metadata"]["resourceVersion"] == s["metadata"]["resourceVersion"]
    api.delete("Pod", "default", "x", grace_period_seconds=0)
    with pytest.raises(NotFoundError):
        api.get("Pod", "default", "x")


def test_unbound_pods_and_other_kinds_go_at_once(graceful):
    api = graceful
    api.create(pod("unbound"))
    api.delete("Pod", "default", "unbound")
    api.create({"kind": "Node", "metadata": {"name": "n1"}})
    api.delete("Node", None, "n1")
    assert api.list("Pod")[0] == [] and api.list("Node")[0] == []


# ---------------------------------------------------------------- pages

def test_pages_are_a_consistent_snapshot(api):
    for i in range(10):
        api.create(pod(f"p{i:02d}", labels={"odd": str(i % 2)}))
    api.create(pod("zz", ns="other"))
    page, rv, token = api.list_page("Pod", "default", limit=4)
    assert [p["metadata"]["name"] for p in page] == ["p00", "p01", "p02", "p03"] and token
    api.delete("Pod", "default", "p05")                  # changes after the first page are not seen
    api.create(pod("p04a"))
    seen = [p["metadata"]["name"] for p in page]
    while token:
        page, rv2, token = api.list_page("Pod", "default", limit=4, continue_=token)
        assert rv2 == rv
        seen += [p["metadata"]["name"] for p in page]
    assert seen == [f"p{i:02d}" for i in range(10)]
    odd, _, token = api.list_page("Pod", limit=2, label_selector="odd=1")   # a new list: p05 is gone
    assert [p["metadata"]["name"] for p in odd] == ["p01", "p03"]
    rest, _, last = api.list_page("Pod", limit=2, label_selector="odd=1", continue_=token)
    assert [p["metadata"]["name"] for p in rest] == ["p07", "p09"] and last   # other/zz is left to examine
    assert api.list_page("Pod", limit=2, label_selector="odd=1", continue_=last)[::2] == ([], "")


def test_a_stale_or_bad_continue_token(api):
    for i in range(3):
        api.create(pod(f"p{i}"))
    _, _, token = api.list_page("Pod", limit=1)
    with pytest.raises(InvalidObjectError, match="continue key is not valid"):
        api.list_page("Pod", limit=1, continue_="bm9wZQ==")
    api.create(pod("later"))
    api.kv.compact(api.kv.revision)
    with pytest.raises(CompactedError):
        api.list_page("Pod", limit=1, continue_=token)
    with pytest.raises(InvalidObjectError, match="limit: Invalid value: 0"):
        api.list_page("Pod", limit=0)


def test_pods_are_deleted_at_once_unless_graceful_deletion_is_on(api):
    assert not DEFAULT_KINDS.get("Pod").graceful_deletion
    api.create(pod("x", node="n1"))
    api.delete("Pod", "default", "x", grace_period_seconds=30)
    assert api.list("Pod")[0] == []


# ---------------------------------------------------------------- writes that build on a watch's object

def _watched(api: APIStore):
    """A pod watch from now on, and a function that pumps it (what an informer does)."""
    w = api.watch("Pod", resource_version=api.list("Pod")[1])
    return w, lambda: w.next_batch(0)


def _sequence(api: APIStore, pump) -> None:
    api.create(pod("a", labels={"app": "web"}))
    pump()
    api.bind("default", "a", "n1")
    pump()
    cur = api.get("Pod", "default", "a")
    cur["status"]["phase"] = "Running"
    api.update_status(cur)
    pump()
    api.update({**api.get("Pod", "default", "a"), "metadata": {**cur["metadata"], "labels": {"app": "db"},
                                                               "resourceVersion": None}})
    pump()
    api.guaranteed_update("Pod", "default", "a", lambda p: {**p, "metadata": {**p["metadata"], "annotations": {"x": "1"}}})
    pump()
    api.delete("Pod", "default", "a", grace_period_seconds=0)
    pump()


def _count_decodes(monkeypatch) -> list[bytes]:
    """The bytes the store decodes from now on (``objects._loads`` recorded)."""
    from kubekit.store import objects

    decodes: list[bytes] = []
    real = objects._loads
    monkeypatch.setattr(objects, "_loads", lambda b: decodes.append(b) or real(b))
    return decodes


def test_writes_that_reuse_a_watched_object_store_the_same_bytes_as_writes_that_decode():
    """The store remembers what its watches decoded and a write to a key
    still at that revision starts from it: the stored values and revisions
    are byte for byte those of a store without a watch (which decodes)."""
    plain, watched = APIStore(clock=FakeClock(), rng=random.Random(7)), APIStore(clock=FakeClock(), rng=random.Random(7))
    _sequence(plain, lambda: None)
    w, pump = _watched(watched)
    _sequence(watched, pump)
    assert [(e.key, e.value, e.mod_revision) for e in watched.kv.range("/", range_end="\0").kvs] == \
        [(e.key, e.value, e.mod_revision) for e in plain.kv.range("/", range_end="\0").kvs]
    history = [(h.type, h.kv.value) for h in plain.kv.watch("/", prefix=True, start_revision=2).next_batch(0)]
    assert [(h.type, h.kv.value) for h in watched.kv.watch("/", prefix=True, start_revision=2).next_batch(0)] == history
    assert watched._seen == {}                    # the delete was seen: nothing of the pod is remembered
    w.close()


def test_a_write_reuses_the_watched_object_and_leaves_it_unchanged():
    api = APIStore(clock=FakeClock())
    w, pump = _watched(api)
    api.create(pod("a"))
    (ev,) = pump()
    key = "/registry/pods/default/a"
    assert api._seen[key] == (int(ev.object["metadata"]["resourceVersion"]), ev.object)   # remembered: the same dict
    before = repr(ev.object)
    api.bind("default", "a", "n1")
    assert repr(ev.object) == before and "nodeName" not in ev.object["spec"]             # built on, never changed
    assert api.get("Pod", "default", "a")["spec"]["nodeName"] == "n1"
    w.close()


def test_a_receiver_that_changes_a_watched_object_is_caught(monkeypatch):
    """With KUBEKIT_CHECK_SHARED (on in this suite) a write that would build
    on a changed watch object raises instead of storing the change."""
    from kubekit.store import objects

    monkeypatch.setattr(objects, "_CHECK_SHARED", True)
    api = APIStore(clock=FakeClock())
    w, pump = _watched(api)
    api.create(pod("a"))
    (ev,) = pump()
    ev.object["spec"]["containers"][0]["image"] = "changed"          # a receiver breaking the read-only rule
    with pytest.raises(AssertionError, match="was changed by its receiver"):
        api.bind("default", "a", "n1")
    assert "nodeName" not in api.get("Pod", "default", "a")["spec"]
    assert api.get("Pod", "default", "a")["spec"]["containers"][0]["image"] == "busybox"
    w.close()


def test_watches_of_one_change_share_one_object_and_a_bind_is_never_decoded(monkeypatch):
    from kubekit.store import objects

    api = APIStore(clock=FakeClock())
    (w1, pump1), (w2, pump2) = _watched(api), _watched(api)
    api.create(pod("a"))
    (e1,), (e2,) = pump1(), pump2()
    assert e1.object is e2.object                        # decoded once for both watches
    decodes = _count_decodes(monkeypatch)
    out = api.bind("default", "a", "n1")
    (b1,), (b2,) = pump1(), pump2()
    assert decodes == [] and b1.object is b2.object      # the bind's own object, for every watch
    stored = api.kv.get("/registry/pods/default/a")
    objects.check_unchanged(b1.object, stored)           # exactly what the store holds at that revision
    assert b1.object == out and b1.object is not out     # the caller got its own top level
    assert b1.object["metadata"]["resourceVersion"] == str(stored.mod_revision)
    w1.close()
    w2.close()


def _status_put(status):
    def put(cur):
        cur["status"] = status
        return cur
    return put


# (the write, how many decodes the write itself makes); each writes a pod whose status is STATUS
_HANDOFF_WRITES = {
    "update_status": (lambda api, added, handoff: api.update_status({**added, "status": STATUS}, handoff=handoff), 0),
    "create": (lambda api, added, handoff: api.create({**pod("b"), "status": STATUS}, handoff=handoff), 0),
    # guaranteed_update reads the object for mutate: one decode of its own either way
    "guaranteed_update": (lambda api, added, handoff: api.guaranteed_update(
        "Pod", "default", "a", _status_put(STATUS), status=True, handoff=handoff), 1),
}
STATUS = {"phase": "Running"}


@pytest.mark.parametrize("handoff", [True, False])
@pytest.mark.parametrize("write", sorted(_HANDOFF_WRITES))
def test_a_handed_off_write_is_delivered_without_decoding(monkeypatch, write, handoff):
    from kubekit.store import objects

    api = APIStore(clock=FakeClock())
    w, pump = _watched(api)
    api.create(pod("a"))
    (added,) = pump()
    decodes = _count_decodes(monkeypatch)
    do, own_decodes = _HANDOFF_WRITES[write]
    out = do(api, added.object, handoff)
    (ev,) = pump()
    assert len(decodes) == own_decodes + (0 if handoff else 1)      # without handoff the watch decodes it
    assert ev.object == out
    key = f"/registry/pods/default/{out['metadata']['name']}"
    objects.check_unchanged(ev.object, api.kv.get(key))
    assert (ev.object is out) == handoff          # handed off: the caller's result is the shared object
    if write != "create":                         # (a create's status is the pod strategy's own)
        assert ev.object["status"] == STATUS
        assert (ev.object["status"] is STATUS) == handoff     # what was handed in is the store's now
    w.close()


def test_get_shared_returns_the_watched_object_or_decodes_once_and_keeps_it(monkeypatch):
    """``get_shared``: the object a watch delivered at the key's revision
    (nothing decoded); without one, decoded once, and then the object a
    watch of that revision delivers; always what the store holds."""
    from kubekit.store import objects

    api = APIStore(clock=FakeClock())
    w, pump = _watched(api)
    api.create(pod("a"))
    (added,) = pump()
    decodes = _count_decodes(monkeypatch)
    assert api.get_shared("Pod", "default", "a") is added.object and decodes == []
    api.create(pod("b"))                         # not pumped yet: no watch decoded it
    got = api.get_shared("Pod", "default", "b")
    assert len(decodes) == 1 and api.get_shared("Pod", "default", "b") is got and len(decodes) == 1
    objects.check_unchanged(got, api.kv.get("/registry/pods/default/b"))
    (ev,) = pump()
    assert ev.object is got and len(decodes) == 1                  # the watch shares the read's object
    api.bind("default", "b", "n1")                                  # a newer revision: never the old object
    fresh = api.get_shared("Pod", "default", "b")
    assert fresh is not got and fresh["spec"]["nodeName"] == "n1" and "nodeName" not in got["spec"]
    with pytest.raises(NotFoundError):
        api.get_shared("Pod", "default", "missing")
    w.close()
