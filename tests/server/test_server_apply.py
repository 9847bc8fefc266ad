"""Server-side apply and managedFields over a real ``kubekit serve`` (in a
thread, on a temp unix socket): ``PATCH`` with
``application/apply-patch+yaml``, ``fieldManager`` and ``force``, as
apiserver's ``pkg/endpoints/handlers/fieldmanager`` serves them; Update
entries for creates, updates, patches and the status and scale
subresources."""

from __future__ import annotations

import json

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.testing import running_server

CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"
APPLY = "application/apply-patch+yaml"


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    for path in (CMS, DEPLOYMENTS, PODS):
        for o in c.get(path)["items"]:
            try:
                c.delete(f"{path}/{o['metadata']['name']}", grace_period=0)
            except APIError:
                pass


def cm(name, data=None, labels=None):
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    out = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    if data is not None:
        out["data"] = data
    return out


def deployment(name, replicas=2, env=None, image="nginx:1.25"):
    labels = {"app": name}
    c = {"name": "web", "image": image, "ports": [{"containerPort": 80}]}
    if env is not None:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    spec = {"selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [c]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def apply(c: Client, path: str, obj, manager: str | None, force: bool | None = None, raw: bytes | None = None):
    q = {"fieldManager": manager, "force": None if force is None else str(force).lower()}
    return c._send("PATCH", path, body=obj, content_type=APPLY, query=q)


def error_of(fn, *a, **kw) -> APIError:
    with pytest.raises(APIError) as ei:
        fn(*a, **kw)
    return ei.value


def managers(obj) -> dict:
    """(manager, operation, subresource) -> fieldsV1."""
    return {(e["manager"], e["operation"], e.get("subresource")): e["fieldsV1"]
            for e in obj["metadata"].get("managedFields") or []}


def test_apply_creates_and_records_an_apply_entry(client):
    out = apply(client, f"{CMS}/a", cm("a", {"k": "v"}, labels={"app": "x"}), "alice")
    assert out["data"] == {"k": "v"} and out["metadata"]["labels"] == {"app": "x"}
    [e] = out["metadata"]["managedFields"]
    assert list(e) == ["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1"]
    assert (e["manager"], e["operation"], e["apiVersion"], e["fieldsType"]) == ("alice", "Apply", "v1", "FieldsV1")
    assert e["fieldsV1"] == {"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}
    # the same configuration again changes nothing: no write, same resourceVersion
    again = apply(client, f"{CMS}/a", cm("a", {"k": "v"}, labels={"app": "x"}), "alice")
    assert again["metadata"]["resourceVersion"] == out["metadata"]["resourceVersion"]
    assert client.get(f"{CMS}/a") == out


def test_apply_creates_with_201_and_yaml_bodies(server, client):
    import http.client
    import socket

    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"

    class Conn(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(server.address)

    conn = Conn("localhost")
    conn.request("PATCH", f"{CMS}/y?fieldManager=yaml-user", body=body, headers={"Content-Type": APPLY})
    resp = conn.getresponse()
    out = json.loads(resp.read())
    conn.close()
    assert resp.status == 201 and out["data"] == {"k": "v"}
    assert managers(out) == {("yaml-user", "Apply", None): {"f:data": {"f:k": {}}}}


def test_two_appliers_conflict_share_and_force(client):
    path = f"{DEPLOYMENTS}/web"
    apply(client, path, deployment("web", replicas=2), "alice")
    # a different value for a field alice owns: 409, upstream's Status
    e = error_of(apply, client, path, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                      "spec": {"replicas": 3}}, "bob")
    assert (e.code, e.reason) == (409, "Conflict")
    assert str(e) == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    assert e.status["details"] == {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"',
                                               "field": ".spec.replicas"}]}
    assert client.get(path)["spec"]["replicas"] == 2
    # the same value: shared ownership, no conflict
    out = apply(client, path, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                               "spec": {"replicas": 2}}, "bob")
    m = managers(out)
    assert m[("bob", "Apply", None)] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" in m[("alice", "Apply", None)]["f:spec"]
    # force: bob takes the field, alice loses it
    out = apply(client, path, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                               "spec": {"replicas": 5}}, "bob", force=True)
    assert out["spec"]["replicas"] == 5
    m = managers(out)
    assert m[("bob", "Apply", None)] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in m[("alice", "Apply", None)]["f:spec"]
    # several conflicts, grouped by manager
    e = error_of(apply, client, path, deployment("web", replicas=7, image="nginx:1.26"), "carol")
    assert str(e) == ('Apply failed with 2 conflicts: conflicts with "alice":\n'
                      '- .spec.template.spec.containers[name="web"].image\n'
                      'conflicts with "bob":\n- .spec.replicas')


def test_apply_fieldsv1_of_a_deployment_uses_list_map_keys(client):
    out = apply(client, f"{DEPLOYMENTS}/keys", deployment("keys", env={"A": "1"}), "alice")
    web = {".": {}, "f:env": {'k:{"name":"A"}': {".": {}, "f:name": {}, "f:value": {}}}, "f:image": {},
           "f:name": {}, "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}
    assert managers(out)[("alice", "Apply", None)] == {"f:spec": {
        "f:replicas": {}, "f:selector": {},
        "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                       "f:spec": {"f:containers": {'k:{"name":"web"}': web}}}}}


def test_removing_a_field_from_the_configuration_prunes_it(client):
    path = f"{DEPLOYMENTS}/prune"
    apply(client, path, deployment("prune", env={"A": "1", "B": "2"}), "alice")
    out = apply(client, path, deployment("prune", env={"A": "1"}), "alice")
    assert out["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
    # a label another applier also applied stays; only alice's ownership goes
    cpath = f"{CMS}/shared"
    apply(client, cpath, cm("shared", {"mine": "1", "both": "2"}), "alice")
    apply(client, cpath, cm("shared", {"both": "2"}), "bob")
    out = apply(client, cpath, cm("shared", {}), "alice")
    assert out["data"] == {"both": "2"}
    assert managers(out) == {("bob", "Apply", None): {"f:data": {"f:both": {}}}}


def test_a_field_another_manager_changed_is_not_pruned_by_the_applier(client):
    path = f"{CMS}/upd"
    apply(client, path, cm("upd", {"a": "1"}), "alice")
    client.patch(path, {"data": {"a": "2"}}, field_manager="editor")
    out = apply(client, path, cm("upd", {}), "alice")
    assert out["data"] == {"a": "2"}
    assert [k for k in managers(out)] == [("editor", "Update", None)]


def test_updates_record_update_managers(client, monkeypatch):
    import kubekit.kubectl.client as client_mod

    obj = client.create(CMS, cm("u", {"a": "1"}), field_manager="creator")
    [e] = obj["metadata"]["managedFields"]
    assert (e["manager"], e["operation"], e["apiVersion"]) == ("creator", "Update", "v1")
    assert e["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}        # data was added: the node is owned too
    # the manager defaults to the User-Agent's first segment (prefixFromUserAgent)
    monkeypatch.setattr(client_mod, "USER_AGENT", "my-controller/v1.2 (linux/amd64)")
    out = client.patch(f"{CMS}/u", {"data": {"b": "2"}, "metadata": {"labels": {"l": "x"}}})
    m = managers(out)
    assert m[("my-controller", "Update", None)] == {"f:data": {"f:b": {}},
                                                    "f:metadata": {"f:labels": {".": {}, "f:l": {}}}}
    # a PUT that changes what creator owned moves it
    cur = client.get(f"{CMS}/u")
    cur["data"]["a"] = "9"
    out = client._send("PUT", f"{CMS}/u", body=cur, query={"fieldManager": "putter"})
    m = managers(out)
    assert m[("creator", "Update", None)] == {"f:data": {}}          # .data itself is still creator's
    assert m[("putter", "Update", None)] == {"f:data": {"f:a": {}}}
    # managedFields sent back unchanged are kept; a write changing nothing adds no entry
    out2 = client._send("PUT", f"{CMS}/u", body=out, query={"fieldManager": "noop"})
    assert ("noop", "Update", None) not in managers(out2)
    assert managers(out2) == m


def test_status_and_scale_subresources_record_their_subresource(client):
    client.create(DEPLOYMENTS, deployment("sub", replicas=0), field_manager="creator")
    out = client.patch(f"{DEPLOYMENTS}/sub/scale", {"spec": {"replicas": 0}}, field_manager="noop-scaler")
    out = client.patch(f"{DEPLOYMENTS}/sub/scale", {"spec": {"replicas": 1}}, field_manager="scaler")
    d = client.get(f"{DEPLOYMENTS}/sub")
    m = managers(d)
    assert m[("scaler", "Update", "scale")] == {"f:spec": {"f:replicas": {}}}
    assert ("noop-scaler", "Update", "scale") not in m
    assert "f:replicas" not in m[("creator", "Update", None)]["f:spec"]
    p = client.create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                             "spec": {"nodeName": "nowhere", "containers": [{"name": "c", "image": "busybox"}]}})
    out = client.patch(f"{PODS}/p/status", {"status": {"message": "hello"}}, field_manager="kubelet")
    m = managers(out)
    assert m[("kubelet", "Update", "status")] == {"f:status": {"f:message": {}}}
    assert p["metadata"]["managedFields"][0]["manager"] == "kubekit"    # the client's User-Agent


def test_apply_errors_are_upstreams(client):
    path = f"{CMS}/err"
    e = error_of(apply, client, path, cm("err", {"a": "1"}), None)
    assert (e.code, e.reason) == (422, "Invalid")
    assert str(e) == 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    assert e.status["details"]["causes"] == [{"reason": "FieldValueRequired", "field": "fieldManager",
                                              "message": "Required value: is required for apply patch"}]
    e = error_of(client._send, "PATCH", path, body={"data": {}}, content_type="application/merge-patch+json",
                 query={"force": "true"})
    assert (e.code, str(e)) == (422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                                     'specified for non-apply patch')
    e = error_of(apply, client, path, dict(cm("err"), kind="Secret"), "alice")
    assert (e.code, str(e)) == (400, "invalid object type: /v1, Kind=Secret")
    e = error_of(apply, client, path, dict(cm("err"), metadata={"name": "err", "managedFields": []}), "alice")
    assert (e.code, str(e)) == (400, "metadata.managedFields must be nil")
    e = error_of(apply, client, path, cm("other"), "alice")
    assert e.code == 400 and "does not match the name on the URL" in str(e)
    e = error_of(apply, client, path, [1, 2], "alice")
    assert e.code == 400


def test_conflict_with_an_update_manager_names_its_version(client):
    client.create(DEPLOYMENTS, deployment("upd"), field_manager="kubectl-client-side-apply")
    e = error_of(apply, client, f"{DEPLOYMENTS}/upd", deployment("upd", replicas=4), "kubectl")
    assert str(e) == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
                      '.spec.replicas')


def test_apply_to_the_status_subresource(client):
    client.create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sp"},
                         "spec": {"nodeName": "nowhere", "containers": [{"name": "c", "image": "busybox"}]}})
    out = apply(client, f"{PODS}/sp/status", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sp"},
                                              "spec": {"nodeName": "elsewhere"},
                                              "status": {"message": "applied"}}, "status-applier")
    assert out["status"]["message"] == "applied" and out["spec"]["nodeName"] == "nowhere"
    got = client.get(f"{PODS}/sp")
    assert managers(got)[("status-applier", "Apply", "status")] == {"f:status": {"f:message": {}}}


def test_a_field_an_update_manager_also_owns_is_not_pruned(client):
    path = f"{CMS}/co"
    client.create(CMS, cm("co", {"a": "1"}), field_manager="creator")
    apply(client, path, cm("co", {"a": "1", "b": "2"}), "alice")     # same value for a: shared with creator
    out = apply(client, path, cm("co", {}), "alice")
    assert out["data"] == {"a": "1"}                                   # b pruned, a kept: creator owns it
    assert list(managers(out)) == [("creator", "Update", None)]


def test_yaml_keys_that_are_not_strings_are_converted_as_upstream(server, client):
    """sigs.k8s.io/yaml's YAML-to-JSON: ``1:`` is ``"1"``, ``yes:``/``on:``
    (YAML 1.1 booleans) ``"true"``; they used to be 500s."""
    import http.client
    import socket

    raw = (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yk\n  labels:\n    yes: a\n"
           b"  annotations:\n    on: b\ndata:\n  1: a\n  2024-01-01: c\n")

    class Conn(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(server.address)

    conn = Conn("localhost")
    conn.request("PATCH", f"{CMS}/yk?fieldManager=m", body=raw, headers={"Content-Type": APPLY})
    resp = conn.getresponse()
    out = json.loads(resp.read())
    conn.close()
    assert resp.status == 201, out
    assert out["data"] == {"1": "a", "2024-01-01": "c"}
    assert out["metadata"]["labels"] == {"true": "a"} and out["metadata"]["annotations"] == {"true": "b"}
    assert managers(out)[("m", "Apply", None)] == {
        "f:data": {"f:1": {}, "f:2024-01-01": {}},
        "f:metadata": {"f:annotations": {"f:true": {}}, "f:labels": {"f:true": {}}}}


def test_duplicate_env_names_in_the_live_object_survive_and_are_tracked(client):
    """The reviewer's t2/t3/t6: duplicates in the live object are kept by an
    unrelated apply, a create or patch that has them records managedFields."""
    env = [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
           "spec": {"nodeName": "nowhere", "containers": [{"name": "c", "image": "busybox", "env": env}]}}
    created = client.create(PODS, pod, field_manager="creator")
    fields = managers(created)[("creator", "Update", None)]
    assert fields["f:spec"]["f:containers"]['k:{"name":"c"}']["f:env"] == {".": {}, 'k:{"name":"A"}': {}}
    out = apply(client, f"{PODS}/dup", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup",
                                                                                        "labels": {"x": "y"}}}, "bob")
    assert out["spec"]["containers"][0]["env"] == env
    assert set(managers(out)) == {("creator", "Update", None), ("bob", "Apply", None)}
    apply(client, f"{DEPLOYMENTS}/dupd", deployment("dupd"), "alice")
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25", "env": env}]}}}}
    out = client.patch(f"{DEPLOYMENTS}/dupd", patch, field_manager="patcher")
    assert set(managers(out)) == {("alice", "Apply", None), ("patcher", "Update", None)}


def test_a_stored_condition_without_its_type_does_not_break_later_writes(client):
    """The reviewer's t15/t7: a status condition without ``type`` used to
    make every later apply a 400 and every update wipe managedFields."""
    apply(client, f"{DEPLOYMENTS}/notype", deployment("notype"), "alice")
    for _ in range(5):
        d = client.get(f"{DEPLOYMENTS}/notype")
        d["metadata"].pop("resourceVersion")
        d["status"] = {"conditions": [{"status": "True", "reason": "x"}]}
        try:
            client._send("PUT", f"{DEPLOYMENTS}/notype/status", body=d, query={"fieldManager": "kubelet"})
            break
        except APIError:
            continue
    d = client.get(f"{DEPLOYMENTS}/notype")
    kubelet = managers(d)[("kubelet", "Update", "status")]
    assert kubelet["f:status"]["f:conditions"]['k:{"type":""}'] == {".": {}, "f:reason": {}, "f:status": {}}
    out = apply(client, f"{DEPLOYMENTS}/notype", deployment("notype", replicas=3), "alice")
    assert out["spec"]["replicas"] == 3 and ("alice", "Apply", None) in managers(out)
    assert ("kubelet", "Update", "status") in managers(out)


def test_malformed_managed_fields_keep_the_live_entries(client):
    """``decodeLiveOrNew``: a create or PUT whose managedFields cannot be
    decoded (not a list, an int time...) uses the live entries and records
    the writer (they used to be wiped, or a 500)."""
    created = client.create(CMS, dict(cm("mal", {"a": "1"}), metadata={"name": "mal", "managedFields": 5}),
                            field_manager="creator")
    assert list(managers(created)) == [("creator", "Update", None)]
    o = client.get(f"{CMS}/mal")
    o["metadata"]["managedFields"] = [{"manager": "z", "operation": "Update", "apiVersion": "v1", "time": 5,
                                       "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}}]
    o["data"]["b"] = "2"
    out = client._send("PUT", f"{CMS}/mal", body=o, query={"fieldManager": "writer"})
    assert managers(out) == {("creator", "Update", None): {"f:data": {".": {}, "f:a": {}}},
                             ("writer", "Update", None): {"f:data": {"f:b": {}}}}
