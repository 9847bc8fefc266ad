"""JSON patch (RFC 6902, ``application/json-patch+json``): the operations on
their own (RFC 6902 appendix A), and through the HTTP API (``kubectl patch
--type=json`` sends these)."""

from __future__ import annotations

import pytest

from kubekit.kubectl.client import APIError, Client
from kubekit.server.patch import JSON_PATCH, JSONPatchError, json_patch
from kubekit.server.testing import running_server

# RFC 6902 appendix A: (doc, patch, result or None for an error)
APPENDIX_A = {
    "A.1 add an object member": ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}],
                                 {"baz": "qux", "foo": "bar"}),
    "A.2 add an array element": ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}],
                                 {"foo": ["bar", "qux", "baz"]}),
    "A.3 remove an object member": ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}],
                                    {"foo": "bar"}),
    "A.4 remove an array element": ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}],
                                    {"foo": ["bar", "baz"]}),
    "A.5 replace a value": ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}],
                            {"baz": "boo", "foo": "bar"}),
    "A.6 move a value": ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
                         [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
                         {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    "A.7 move an array element": ({"foo": ["all", "grass", "cows", "eat"]},
                                  [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
                                  {"foo": ["all", "cows", "eat", "grass"]}),
    "A.8 test a value: success": ({"baz": "qux", "foo": ["a", 2, "c"]},
                                  [{"op": "test", "path": "/baz", "value": "qux"},
                                   {"op": "test", "path": "/foo/1", "value": 2}],
                                  {"baz": "qux", "foo": ["a", 2, "c"]}),
    "A.9 test a value: error": ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], None),
    "A.10 add a nested member object": ({"foo": "bar"},
                                        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
                                        {"foo": "bar", "child": {"grandchild": {}}}),
    "A.11 ignore unrecognized elements": ({"foo": "bar"},
                                          [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
                                          {"foo": "bar", "baz": "qux"}),
    "A.12 add to a nonexistent target": ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], None),
    "A.14 ~ escape ordering": ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}],
                               {"/": 9, "~1": 10}),
    "A.15 compare strings and numbers": ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}],
                                         None),
    "A.16 add an array value": ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
                                {"foo": ["bar", ["abc", "def"]]}),
    # beyond the appendix
    "copy": ({"a": {"b": [1]}}, [{"op": "copy", "from": "/a/b", "path": "/c"}, {"op": "add", "path": "/c/-",
                                                                                "value": 2}],
             {"a": {"b": [1]}, "c": [1, 2]}),
    "~1 in a key": ({"labels": {}}, [{"op": "add", "path": "/labels/app.kubernetes.io~1name", "value": "x"}],
                    {"labels": {"app.kubernetes.io/name": "x"}}),
    "replace a missing member": ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], None),
    "remove a missing member": ({"a": 1}, [{"op": "remove", "path": "/b"}], None),
    "an index past the end": ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 2}], None),
    "a leading zero index": ({"a": [1, 2]}, [{"op": "remove", "path": "/a/01"}], None),
    "move into itself": ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/c"}], None),
    "an unknown op": ({"a": 1}, [{"op": "frob", "path": "/a"}], None),
    "a boolean is not a number": ({"a": 1}, [{"op": "test", "path": "/a", "value": True}], None),
    "all or nothing": ({"a": 1}, [{"op": "add", "path": "/b", "value": 2}, {"op": "test", "path": "/a", "value": 0}],
                       None),
    "test null": ({"a": None}, [{"op": "test", "path": "/a", "value": None}], {"a": None}),
}


@pytest.mark.parametrize("name", list(APPENDIX_A))
def test_json_patch_table(name):
    doc, patch, want = APPENDIX_A[name]
    before = repr(doc)
    if want is None:
        with pytest.raises(JSONPatchError):
            json_patch(doc, patch)
    else:
        assert json_patch(doc, patch) == want
    assert repr(doc) == before                     # the target is not modified


CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


@pytest.fixture(scope="module")
def client():
    with running_server() as srv:
        yield Client(srv.address)


def jp(c, path, ops, **query):
    return c._send("PATCH", path, body=ops, content_type=JSON_PATCH, query=query)


def test_json_patch_over_http(client):
    client.create(CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j1"}, "data": {"a": "1"}})
    out = jp(client, f"{CMS}/j1", [{"op": "test", "path": "/data/a", "value": "1"},
                                   {"op": "replace", "path": "/data/a", "value": "2"},
                                   {"op": "add", "path": "/metadata/labels", "value": {"x.io/y": "z"}}])
    assert out["data"] == {"a": "2"} and out["metadata"]["labels"] == {"x.io/y": "z"}
    assert client.get(f"{CMS}/j1")["data"] == {"a": "2"}


def test_json_patch_failed_test_is_422(client):
    client.create(CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j2"}, "data": {"a": "1"}})
    with pytest.raises(APIError) as ei:
        jp(client, f"{CMS}/j2", [{"op": "test", "path": "/data/a", "value": "0"},
                                 {"op": "replace", "path": "/data/a", "value": "2"}])
    assert (ei.value.code, ei.value.reason) == (422, "Invalid")
    assert str(ei.value) == "the server rejected our request due to an error in our request"
    assert client.get(f"{CMS}/j2")["data"] == {"a": "1"}
    with pytest.raises(APIError) as ei:             # not an array: 400
        jp(client, f"{CMS}/j2", {"op": "add"})
    assert ei.value.code == 400 and "cannot unmarshal object into Go value of type jsonpatch.Patch" in str(ei.value)


def test_json_patch_on_scale(client):
    client.create(DEPLOYMENTS, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "js"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "js"}},
                 "template": {"metadata": {"labels": {"app": "js"}},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    out = jp(client, f"{DEPLOYMENTS}/js/scale", [{"op": "replace", "path": "/spec/replicas", "value": 0}])
    assert out["spec"]["replicas"] == 0
    assert client.get(f"{DEPLOYMENTS}/js")["spec"]["replicas"] == 0
