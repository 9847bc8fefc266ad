"""API discovery (``/api``, ``/apis``, ``/api/v1``, ``/apis/G/V``, aggregated
``apidiscovery.k8s.io/v2``, ``/version``) and server-side ``Table``
printing, as kube-apiserver answers them: the pure documents
(:mod:`kubekit.server.discovery`, :mod:`kubekit.server.tables`), generated
from the registered kinds, and their content negotiation over HTTP."""

from __future__ import annotations

import json

import pytest

from kubekit.kubectl import tables as printers
from kubekit.kubectl.client import Client
from kubekit.server.discovery import (
    AGGREGATED_CONTENT_TYPE, NotAcceptable, media_types, aggregated_discovery, api_group_list, api_resource_list, api_versions,
    discovery_document, version_info, wants_aggregated,
)
from kubekit.server.routes import resources_from_kinds
from kubekit.server.status import BadRequest
from kubekit.server.tables import table_version, to_table, watch_tables
from kubekit.server.testing import running_server
from kubekit.store.kinds import DEFAULT_KINDS, Kind

#: what kubectl 1.32 sends
KUBECTL_DISCOVERY_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                            "application/json")
KUBECTL_GET_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                      "g=meta.k8s.io,application/json")
ROUTES = resources_from_kinds(DEFAULT_KINDS)


def by_name(resource_list):
    return {r["name"]: r for r in resource_list["resources"]}


# -- legacy discovery -----------------------------------------------------------------------
def test_every_registered_kind_is_listed_with_its_verbs_and_subresources():
    for kind in DEFAULT_KINDS:
        rl = api_resource_list(kind.api_version, ROUTES)
        assert rl["kind"] == "APIResourceList" and rl["groupVersion"] == kind.api_version
        entries = by_name(rl)
        e = entries[kind.plural]
        assert (e["kind"], e["namespaced"], e["singularName"]) == (kind.kind, kind.namespaced, kind.kind.lower())
        assert e["verbs"] == ["create", "delete", "get", "list", "patch", "update", "watch"]
        subs = {n.split("/", 1)[1] for n in entries if n.startswith(kind.plural + "/")}
        assert subs == set(ROUTES[kind.api_version][kind.plural].subresources)
        assert ("status" in subs) == kind.status_subresource


def test_subresources_answer_as_upstream():
    core = by_name(api_resource_list("v1", ROUTES))
    assert core["pods/log"] == {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod",
                                "verbs": ["get"]}
    assert core["pods/exec"]["kind"] == "PodExecOptions" and core["pods/exec"]["verbs"] == ["create", "get"]
    assert core["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert (core["pods/eviction"]["group"], core["pods/eviction"]["version"], core["pods/eviction"]["kind"]) == \
        ("policy", "v1", "Eviction")
    assert core["nodes/status"]["namespaced"] is False
    apps = by_name(api_resource_list("apps/v1", ROUTES))
    scale = apps["deployments/scale"]
    assert (scale["group"], scale["version"], scale["kind"], scale["verbs"]) == \
        ("autoscaling", "v1", "Scale", ["get", "patch", "update"])
    assert "replicasets/scale" in apps and "events/status" not in core


def test_short_names_and_categories():
    entries = {}
    for api_version in ROUTES:
        entries.update(by_name(api_resource_list(api_version, ROUTES)))
    short = {n: e.get("shortNames") for n, e in entries.items() if "/" not in n}
    assert short["pods"] == ["po"] and short["nodes"] == ["no"] and short["deployments"] == ["deploy"]
    assert short["replicasets"] == ["rs"] and short["events"] == ["ev"] and short["namespaces"] == ["ns"]
    assert (short["persistentvolumes"], short["persistentvolumeclaims"], short["storageclasses"]) == \
        (["pv"], ["pvc"], ["sc"])
    assert short["horizontalpodautoscalers"] == ["hpa"] and short["configmaps"] == ["cm"]
    assert short["leases"] is None and short["secrets"] is None
    all_ = {n for n, e in entries.items() if "all" in (e.get("categories") or ())}
    assert all_ == {"pods", "deployments", "replicasets", "horizontalpodautoscalers"}


def test_a_kind_registered_later_is_served_without_any_list_to_update():
    kinds = DEFAULT_KINDS.copy()
    kinds.register(Kind("Widget", "example.com/v1alpha1", "widgets", namespaced=False))
    routes = resources_from_kinds(kinds)
    groups = {g["name"]: g for g in api_group_list(routes)["groups"]}
    assert groups["example.com"]["preferredVersion"] == {"groupVersion": "example.com/v1alpha1",
                                                         "version": "v1alpha1"}
    assert by_name(api_resource_list("example.com/v1alpha1", routes))["widgets/status"]["kind"] == "Widget"
    assert api_resource_list("example.com/v1alpha1", ROUTES) is None


def test_api_versions_and_group_list():
    assert api_versions("127.0.0.1:1")["versions"] == ["v1"]
    gl = api_group_list(ROUTES)
    assert gl["kind"] == "APIGroupList" and gl["apiVersion"] == "v1"
    names = [g["name"] for g in gl["groups"]]
    assert "" not in names
    assert set(names) == {k.api_version.rpartition("/")[0] for k in DEFAULT_KINDS} - {""}
    extra = {"metrics.k8s.io/v1beta1": {"resources": []}}
    assert "metrics.k8s.io" in [g["name"] for g in api_group_list(ROUTES, extra)["groups"]]


# -- aggregated discovery -------------------------------------------------------------------
def test_aggregated_is_chosen_only_when_asked_first():
    assert wants_aggregated(KUBECTL_DISCOVERY_ACCEPT)
    assert not wants_aggregated("application/json")
    assert not wants_aggregated(None)
    assert not wants_aggregated("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                                "application/json")
    assert not wants_aggregated("application/json, application/json;g=apidiscovery.k8s.io;v=v2;"
                                "as=APIGroupDiscoveryList")


def test_aggregated_documents_hold_the_legacy_ones():
    core = aggregated_discovery(ROUTES, core=True)
    assert (core["kind"], core["apiVersion"]) == ("APIGroupDiscoveryList", "apidiscovery.k8s.io/v2")
    [item] = core["items"]
    assert "name" not in item["metadata"]
    [v1] = item["versions"]
    assert v1["version"] == "v1" and v1["freshness"] == "Current"
    pods = next(r for r in v1["resources"] if r["resource"] == "pods")
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert (pods["scope"], pods["singularResource"], pods["shortNames"], pods["categories"]) == \
        ("Namespaced", "pod", ["po"], ["all"])
    assert {s["subresource"]: s["verbs"] for s in pods["subresources"]} == \
        {"eviction": ["create"], "exec": ["create", "get"], "log": ["get"], "status": ["get", "patch", "update"]}
    nodes = next(r for r in v1["resources"] if r["resource"] == "nodes")
    assert nodes["scope"] == "Cluster"
    groups = aggregated_discovery(ROUTES, core=False)
    names = [i["metadata"]["name"] for i in groups["items"]]
    assert names == [g["name"] for g in api_group_list(ROUTES)["groups"]]
    apps = groups["items"][names.index("apps")]["versions"][0]["resources"]
    deploy = next(r for r in apps if r["resource"] == "deployments")
    scale = next(s for s in deploy["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    served = {(av, r["resource"]) for i in core["items"] + groups["items"] for v in i["versions"]
              for r in v["resources"] for av in [f"{i['metadata'].get('name')}/{v['version']}".lstrip("/")
                                                 if i["metadata"].get("name") else v["version"]]}
    assert served == {(k.api_version, k.plural) for k in DEFAULT_KINDS}


def test_discovery_document_paths():
    assert discovery_document("/api", ROUTES)[1]["kind"] == "APIVersions"
    assert discovery_document("/apis/", ROUTES)[1]["kind"] == "APIGroupList"
    ctype, body = discovery_document("/apis", ROUTES, accept=KUBECTL_DISCOVERY_ACCEPT)
    assert ctype == AGGREGATED_CONTENT_TYPE and body["kind"] == "APIGroupDiscoveryList"
    assert discovery_document("/api/v1", ROUTES, accept=KUBECTL_DISCOVERY_ACCEPT)[1]["kind"] == "APIResourceList"
    assert discovery_document("/apis/apps/v1", ROUTES)[1]["groupVersion"] == "apps/v1"
    assert discovery_document("/apis/nope.io/v1", ROUTES) is None
    assert discovery_document("/api/v1/pods", ROUTES) is None
    assert discovery_document("/healthz", ROUTES) is None


def test_version_info():
    v = version_info()
    assert (v["major"], v["minor"], v["gitVersion"]) == ("1", "34", "v1.34.0-kubekit")
    assert v["platform"].startswith("linux/") and {"buildDate", "goVersion", "compiler", "gitCommit"} <= set(v)


# -- tables ---------------------------------------------------------------------------------
NOW = 1_800_000_000.0


def pod(name, node="n1", **meta):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "resourceVersion": "7", "uid": "u-" + name,
                         "labels": {"app": "web"}, "creationTimestamp": "2027-01-15T08:00:00Z", **meta},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.5",
                       "containerStatuses": [{"name": "c", "ready": True, "restartCount": 0,
                                              "state": {"running": {}}}]}}


def test_table_version_follows_the_accept_header():
    assert table_version(KUBECTL_GET_ACCEPT) == "v1"
    assert table_version("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json") == "v1beta1"
    assert table_version("application/json") is None
    assert table_version(None) is None
    assert table_version("application/json;as=Table;v=v9;g=meta.k8s.io,application/json") is None
    assert table_version("application/json, application/json;as=Table;v=v1;g=meta.k8s.io") is None


def test_a_list_as_a_table_has_kubekit_gets_columns_and_rows():
    pods = [pod("a"), pod("b", node="n2")]
    t = to_table({"kind": "PodList", "metadata": {"resourceVersion": "9", "continue": "c1"}, "items": pods},
                 "Pod", now=NOW)
    assert (t["kind"], t["apiVersion"], t["metadata"]) == ("Table", "meta.k8s.io/v1",
                                                           {"resourceVersion": "9", "continue": "c1"})
    defs = t["columnDefinitions"]
    assert [d["name"].upper() for d in defs] == printers.columns("Pod", wide=True)
    assert [d["priority"] for d in defs] == [0] * len(printers.columns("Pod")) + [1] * 4
    assert defs[0]["format"] == "name" and all({"name", "type", "format", "description", "priority"} <= set(d)
                                               for d in defs)
    assert [r["cells"] for r in t["rows"]] == printers.table_for("Pod", pods, NOW, wide=True).rows
    assert t["rows"][1]["cells"][6] == "n2"
    obj = t["rows"][0]["object"]
    assert obj == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": pods[0]["metadata"]}


def test_every_printed_kind_and_the_default_table():
    for kind in DEFAULT_KINDS:
        t = to_table({"items": []}, kind.kind, now=NOW)
        try:
            want = printers.columns(kind.kind, wide=True)
        except KeyError:                  # no printer in kubekit get (PodDisruptionBudget): the default table
            want = ["NAME", "AGE"]
        assert [d["name"].upper() for d in t["columnDefinitions"]] == want
    t = to_table({"metadata": {"name": "w1", "creationTimestamp": "2027-01-15T08:00:00Z"}}, "Widget", now=NOW)
    assert [d["name"] for d in t["columnDefinitions"]] == ["Name", "Age"]
    assert t["rows"][0]["cells"][0] == "w1"


def test_one_object_and_include_object():
    p = pod("a")
    t = to_table(p, "Pod", now=NOW, include_object="Object", version="v1beta1")
    assert t["apiVersion"] == "meta.k8s.io/v1beta1" and t["metadata"] == {"resourceVersion": "7"}
    [row] = t["rows"]
    assert row["object"] == p and row["cells"][0] == "a"
    assert "object" not in to_table(p, "Pod", now=NOW, include_object="None")["rows"][0]
    assert to_table(p, "Pod", now=NOW, headers=False)["columnDefinitions"] == []
    with pytest.raises(BadRequest):
        to_table(p, "Pod", now=NOW, include_object="Everything")


# -- over HTTP ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


def request(srv, method, path, accept=None, body=None, content_type="application/json"):
    conn = Client(srv.address)._connection(10)
    try:
        headers = {"Connection": "close"}
        if accept is not None:
            headers["Accept"] = accept
        if body is not None:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, resp.getheader("Content-Type"), raw
    finally:
        conn.close()


def test_http_discovery_and_negotiation(server):
    code, ctype, raw = request(server, "GET", "/api", accept=KUBECTL_DISCOVERY_ACCEPT)
    assert (code, ctype) == (200, AGGREGATED_CONTENT_TYPE) and json.loads(raw)["kind"] == "APIGroupDiscoveryList"
    code, ctype, raw = request(server, "GET", "/apis", accept="application/json")
    assert (code, ctype) == (200, "application/json") and json.loads(raw)["kind"] == "APIGroupList"
    code, ctype, raw = request(server, "GET", "/api")
    assert json.loads(raw)["kind"] == "APIVersions"
    code, _, raw = request(server, "GET", "/api/v1")
    assert code == 200 and "pods/log" in by_name(json.loads(raw))
    code, _, raw = request(server, "GET", "/apis/apps/v1")
    assert code == 200 and "deployments/scale" in by_name(json.loads(raw))
    assert "metrics.k8s.io" not in [g["name"] for g in json.loads(request(server, "GET", "/apis")[2])["groups"]]
    code, _, raw = request(server, "GET", "/apis/nope.io/v1")
    assert code == 404 and json.loads(raw)["reason"] == "NotFound"
    code, _, raw = request(server, "GET", "/openapi/v2")
    assert code == 404
    code, _, raw = request(server, "GET", "/version")
    assert json.loads(raw) == version_info()


def test_http_tables(server):
    c = Client(server.address)
    c.create("/api/v1/namespaces/default/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t1"},
                                                 "spec": {"nodeName": "nowhere",
                                                          "containers": [{"name": "c", "image": "busybox"}]}})
    try:
        code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods", accept=KUBECTL_GET_ACCEPT)
        t = json.loads(raw)
        assert (code, ctype, t["kind"]) == (200, "application/json;as=Table;v=v1;g=meta.k8s.io", "Table")
        assert [r["cells"][0] for r in t["rows"]] == ["t1"]
        assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
        code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods/t1?includeObject=None",
                                   accept=KUBECTL_GET_ACCEPT)
        t = json.loads(raw)
        assert t["kind"] == "Table" and t["rows"][0]["cells"][6] == "nowhere" and "object" not in t["rows"][0]
        code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods/t1", accept="application/json")
        assert (ctype, json.loads(raw)["kind"]) == ("application/json", "Pod")
        code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods/t1/status",
                                   accept=KUBECTL_GET_ACCEPT)
        assert json.loads(raw)["kind"] == "Pod"
        code, _, raw = request(server, "GET", "/api/v1/namespaces/default/pods/nope", accept=KUBECTL_GET_ACCEPT)
        assert (code, json.loads(raw)["kind"]) == (404, "Status")
        code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1",
                                   accept=KUBECTL_GET_ACCEPT)
        [ev] = [json.loads(line) for line in raw.splitlines() if line.strip()]
        assert ctype.startswith("application/json;as=Table") and ev["type"] == "ADDED"
        assert ev["object"]["kind"] == "Table" and ev["object"]["rows"][0]["cells"][0] == "t1"
    finally:
        c.delete("/api/v1/namespaces/default/pods/t1", grace_period=0)


def test_http_protobuf_bodies_are_415(server):
    code, _, raw = request(server, "POST", "/api/v1/namespaces/default/configmaps", body=b"k8s\x00\n",
                           content_type="application/vnd.kubernetes.protobuf")
    assert (code, json.loads(raw)["reason"]) == (415, "UnsupportedMediaType")


def test_http_unknown_api_is_404_whatever_the_body(server):
    """kubectl auth can-i POSTs a protobuf SelfSubjectAccessReview: the path is
    not served, so 404 (routing comes before the body's content type)."""
    code, _, raw = request(server, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                           body=b"k8s\x00\n", content_type="application/vnd.kubernetes.protobuf")
    assert (code, json.loads(raw)["reason"]) == (404, "NotFound")
    code, _, raw = request(server, "POST", "/apis/nope.io/v1/things", body=b"{}", content_type="application/cbor")
    assert code == 404


def test_watch_tables_have_headers_on_the_first_event_only():
    events = [{"type": "ADDED", "object": pod("a")}, None, {"type": "BOOKMARK", "object": {"kind": "Pod"}},
              {"type": "MODIFIED", "object": pod("a")}, {"type": "DELETED", "object": pod("b")}]
    out = list(watch_tables(events, "Pod"))
    assert [e["type"] for e in out] == ["ADDED", "BOOKMARK", "MODIFIED", "DELETED"]
    assert [d["name"].upper() for d in out[0]["object"]["columnDefinitions"]] == printers.columns("Pod", wide=True)
    assert out[2]["object"]["columnDefinitions"] == [] and out[3]["object"]["columnDefinitions"] == []
    assert out[3]["object"]["rows"][0]["cells"][0] == "b"


def test_accept_q_values_order_and_q0_is_dropped():
    assert [m for m, _ in media_types("text/html;q=0.5, application/json;q=0.9, */*;q=0.1")] == \
        ["application/json", "text/html", "*/*"]
    assert media_types("application/json;q=0, text/plain") == [("text/plain", {})]
    assert media_types("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.8") == \
        [("application/json", {"as": "Table", "v": "v1", "g": "meta.k8s.io"})]
    # plain JSON preferred by q over a Table listed first
    assert table_version("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json") is None
    assert table_version("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io") == "v1"
    assert table_version("application/json;as=Table;v=v1;g=meta.k8s.io;q=0,application/json") is None
    assert not wants_aggregated("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,"
                                "application/json")
    assert wants_aggregated("application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;"
                            "as=APIGroupDiscoveryList")
    assert table_version("*/*") is None and table_version("application/*") is None


def test_nothing_acceptable_is_406():
    for accept in ("application/json;as=Table;v=v2;g=meta.k8s.io", "text/html", "application/json;q=0",
                   "application/json;as=Table;v=v1;g=meta.k8s.io;q=0, text/html"):
        with pytest.raises(NotAcceptable, match="only the following media types are accepted: application/json"):
            table_version(accept)
    with pytest.raises(NotAcceptable):
        wants_aggregated("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
    with pytest.raises(NotAcceptable):
        discovery_document("/apis/apps/v1", ROUTES, accept="text/html")


def test_http_406(server):
    for path in ("/api/v1/namespaces/default/pods", "/api/v1/nodes/nope", "/api", "/apis/apps/v1",
                 "/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1"):
        for accept in ("application/json;as=Table;v=v2;g=meta.k8s.io", "text/html"):
            code, ctype, raw = request(server, "GET", path, accept=accept)
            st = json.loads(raw)
            assert (code, ctype) == (406, "application/json"), (path, accept, raw)
            assert (st["kind"], st["reason"], st["code"]) == ("Status", "NotAcceptable", 406)
            assert st["message"] == "only the following media types are accepted: application/json"
    code, _, raw = request(server, "GET", "/api/v1/namespaces/default/pods", accept="*/*")
    assert code == 200 and json.loads(raw)["kind"] == "PodList"
    code, ctype, raw = request(server, "GET", "/api/v1/namespaces/default/pods",
                               accept="text/html, application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5")
    assert code == 200 and json.loads(raw)["kind"] == "Table"
