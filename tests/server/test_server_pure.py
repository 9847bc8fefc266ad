"""The server's pure parts: paths, merge patch, the Scale subresource, Status bodies."""

from __future__ import annotations

import pytest

from kubekit.errors import AlreadyExistsError, CompactedError, ConflictError, InvalidObjectError, NotFoundError, SelectorError
from kubekit.server.api import prepare_for_create
from kubekit.server.patch import merge_patch
from kubekit.server.routes import Route, RouteNotFound, parse_path, resources_from_kinds
from kubekit.server.scale import scale_of, selector_string, with_replicas
from kubekit.server.status import BadRequest, status_for
from kubekit.store import DEFAULT_KINDS

TABLE = resources_from_kinds(DEFAULT_KINDS)


@pytest.mark.parametrize("path, kind, ns, name, sub", [
    ("/api/v1/namespaces/default/pods", "Pod", "default", None, None),
    ("/api/v1/namespaces/default/pods/web", "Pod", "default", "web", None),
    ("/api/v1/namespaces/default/pods/web/status", "Pod", "default", "web", "status"),
    ("/api/v1/namespaces/default/pods/web/eviction", "Pod", "default", "web", "eviction"),
    ("/api/v1/namespaces/default/pods/web/log", "Pod", "default", "web", "log"),
    ("/api/v1/pods", "Pod", None, None, None),
    ("/api/v1/nodes", "Node", None, None, None),
    ("/api/v1/nodes/n1/status", "Node", None, "n1", "status"),
    ("/api/v1/namespaces", "Namespace", None, None, None),
    ("/api/v1/namespaces/kube-system", "Namespace", None, "kube-system", None),
    ("/api/v1/namespaces/default/events", "Event", "default", None, None),
    ("/apis/apps/v1/namespaces/prod/deployments/web/scale", "Deployment", "prod", "web", "scale"),
    ("/apis/apps/v1/replicasets", "ReplicaSet", None, None, None),
    ("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", "Lease", "kube-node-lease", "n1", None),
])
def test_paths_name_kind_namespace_name_and_subresource(path, kind, ns, name, sub):
    r = parse_path(path, TABLE)
    assert (r.resource.kind, r.namespace, r.name, r.subresource) == (kind, ns, name, sub)


@pytest.mark.parametrize("path", [
    "/", "/api", "/api/v2/pods", "/apis/apps/v1/pods",            # wrong group for pods
    "/api/v1/namespaces/default/nodes",                          # nodes are cluster-scoped
    "/api/v1/pods/web",                                          # a pod needs its namespace
    "/api/v1/namespaces/default/pods/web/scale",                 # pods have no scale
    "/apis/coordination.k8s.io/v1/namespaces/x/leases/l/status",  # leases have no status subresource
    "/api/v1/namespaces/default/pods/web/status/extra",
    "/api/v1/nodes/n1/log",                                      # only pods have logs
])
def test_unknown_paths_are_not_found(path):
    with pytest.raises(RouteNotFound):
        parse_path(path, TABLE)


def test_merge_patch_merges_maps_removes_nulls_and_replaces_lists():
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2], "k": "v"}
    assert merge_patch(target, {"a": {"b": None, "d": 3}, "l": [3], "k": None}) == {"a": {"c": 2, "d": 3}, "l": [3]}
    assert target == {"a": {"b": 1, "c": 2}, "l": [1, 2], "k": "v"}           # not modified
    assert merge_patch({"a": 1}, {"a": {"b": None}}) == {"a": {}}
    assert merge_patch({"a": 1}, [1]) == [1]


def test_scale_reads_and_writes_spec_replicas():
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "default", "resourceVersion": "7", "uid": "u"},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "tier": "fe"}}},
         "status": {"replicas": 2}}
    sc = scale_of(d)
    assert sc["kind"] == "Scale" and sc["apiVersion"] == "autoscaling/v1"
    assert sc["spec"] == {"replicas": 3}
    assert sc["status"] == {"replicas": 2, "selector": "app=web,tier=fe"}
    assert sc["metadata"]["resourceVersion"] == "7"
    new = with_replicas(d, {"spec": {"replicas": 5}, "metadata": {"resourceVersion": "9"}})
    assert new["spec"]["replicas"] == 5 and new["metadata"]["resourceVersion"] == "9"
    assert d["spec"]["replicas"] == 3
    with pytest.raises(BadRequest):
        with_replicas(d, {"spec": {"replicas": "five"}})


def test_selector_string_covers_expressions():
    sel = {"matchLabels": {"a": "1"}, "matchExpressions": [
        {"key": "b", "operator": "In", "values": ["x", "y"]}, {"key": "c", "operator": "NotIn", "values": ["z"]},
        {"key": "d", "operator": "Exists"}, {"key": "e", "operator": "DoesNotExist"}]}
    assert selector_string(sel) == "a=1,b in (x,y),c notin (z),d,!e"


@pytest.mark.parametrize("err, code, reason", [
    (NotFoundError('pods "x" not found'), 404, "NotFound"),
    (AlreadyExistsError('pods "x" already exists'), 409, "AlreadyExists"),
    (ConflictError("Operation cannot be fulfilled"), 409, "Conflict"),
    (CompactedError(3, 10), 410, "Expired"),
    (SelectorError("unable to parse requirement"), 400, "BadRequest"),
    (BadRequest("bad json"), 400, "BadRequest"),
    (InvalidObjectError("metadata.name: Required value"), 422, "Invalid"),
    (RuntimeError("boom"), 500, "InternalError"),
])
def test_errors_become_status_bodies_with_their_codes(err, code, reason):
    st = status_for(err)
    assert (st["kind"], st["status"], st["code"], st["reason"]) == ("Status", "Failure", code, reason)
    assert st["message"]


def test_a_validation_error_keeps_its_exact_status():
    from kubekit.validation import InvalidError, check
    with pytest.raises(InvalidError) as ei:
        check({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}})
    assert status_for(ei.value) == ei.value.status()


def test_create_takes_the_namespace_from_the_url_and_resets_status():
    route = parse_path("/api/v1/namespaces/prod/pods", TABLE)
    out = prepare_for_create({"metadata": {"name": "p", "resourceVersion": "5"}, "status": {"phase": "Running"}}, route)
    assert out["kind"] == "Pod" and out["apiVersion"] == "v1"
    assert out["metadata"] == {"name": "p", "namespace": "prod"}
    assert out["status"] == {"phase": "Pending"}
    with pytest.raises(BadRequest, match="namespace"):
        prepare_for_create({"metadata": {"name": "p", "namespace": "other"}}, route)
    with pytest.raises(BadRequest, match="kind"):
        prepare_for_create({"kind": "Node", "metadata": {"name": "p"}}, route)
    node_route = Route(parse_path("/api/v1/nodes", TABLE).resource)
    node = prepare_for_create({"metadata": {"name": "n"}, "status": {"capacity": {"cpu": "1"}}}, node_route)
    assert node["status"] == {"capacity": {"cpu": "1"}} and "namespace" not in node["metadata"]


def test_serve_options_run_a_local_node_unless_told_not_to():
    import argparse

    from kubekit.server.cli import add_serve_parser, config_from_args

    ap = argparse.ArgumentParser()
    add_serve_parser(ap.add_subparsers(dest="cmd"))
    cfg = config_from_args(ap.parse_args(["serve", "--socket", "/tmp/x.sock"]))
    assert (cfg.local_node, cfg.node_name, cfg.image_root, cfg.pod_log_dir, cfg.metrics_interval) == (
        True, None, None, "/var/log/pods", 5.0)
    assert (cfg.runtime_state_dir, cfg.runtime_data_dir, cfg.cgroup_root) == (None, None, None)   # the env's defaults
    cfg = config_from_args(ap.parse_args(["serve", "--no-local-node", "--node-name", "node-a.lab", "--image-root",
                                          "/srv/images", "--pod-log-dir", "/srv/logs", "--metrics-interval", "0.5"]))
    assert (cfg.local_node, cfg.node_name, cfg.image_root, cfg.pod_log_dir, cfg.metrics_interval) == (
        False, "node-a.lab", "/srv/images", "/srv/logs", 0.5)
    cfg = config_from_args(ap.parse_args(["serve", "--etcd-servers", "http://10.0.0.1:2379,http://10.0.0.2:2379"]))
    assert cfg.etcd_servers == "http://10.0.0.1:2379,http://10.0.0.2:2379" and cfg.compaction_interval == 300.0
    assert config_from_args(ap.parse_args(["serve", "--etcd-compaction-interval", "0"])).compaction_interval == 0
    for bad in (["--node-name", "Node_A"], ["--metrics-interval", "0"], ["--etcd-servers", "10.0.0.1:2379"],
                ["--etcd-servers", "http://10.0.0.1:2379,,http://10.0.0.2:2379"], ["--etcd-compaction-interval", "-1"],
                ["--etcd-compaction-interval", "nan"]):
        with pytest.raises(SystemExit):
            config_from_args(ap.parse_args(["serve", *bad]))


def test_the_default_node_name_is_a_dns_label_from_the_hostname(monkeypatch):
    import socket

    from kubekit.server.localnode import default_node_name

    for host, name in (("MyHost.example.com", "myhost"), ("build_box-7", "build-box-7"), ("", "localhost"),
                       ("-x-", "x")):
        monkeypatch.setattr(socket, "gethostname", lambda h=host: h)
        assert default_node_name() == name
