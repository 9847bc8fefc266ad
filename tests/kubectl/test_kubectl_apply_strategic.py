"""``kubekit apply`` against a real ``kubekit serve`` sends a strategic
three-way patch, as kubectl apply does: lists with a merge key merge
element by element."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile

import pytest

from kubekit.kubectl.cli import run
from kubekit.kubectl.client import STRATEGIC_MERGE_PATCH, Client
from kubekit.server.testing import running_server


def manifest(env: dict[str, str], strategy: str | None = None) -> dict:
    spec = {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "web", "image": "nginx:1.25", "env": [{"name": k, "value": v} for k, v in env.items()]}]}}}
    if strategy:
        spec["strategy"] = {"type": strategy}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


@pytest.fixture
def srv():
    with running_server() as s:
        yield s


@pytest.fixture
def path():
    d = tempfile.mkdtemp(prefix="kk-apply-")
    yield os.path.join(d, "web.json")
    shutil.rmtree(d)


def apply(srv, path, obj) -> str:
    with open(path, "w") as f:
        json.dump(obj, f)
    out, err = io.StringIO(), io.StringIO()
    rc = run(["apply", "-f", path, "--socket", srv.address], out=out, err=err)
    assert rc == 0, err.getvalue()
    return out.getvalue()


def env_of(srv) -> list[dict]:
    d = Client(srv.address).get("/apis/apps/v1/namespaces/default/deployments/web")
    return d["spec"]["template"]["spec"]["containers"][0]["env"]


def test_apply_removes_only_the_env_var_dropped_from_the_manifest(srv, path):
    assert apply(srv, path, manifest({"A": "1", "B": "2"})) == "deployment.apps/web created\n"
    # someone else adds an env var to the live object
    Client(srv.address).patch("/apis/apps/v1/namespaces/default/deployments/web", {"spec": {"template": {"spec": {
        "containers": [{"name": "web", "env": [{"name": "X", "value": "theirs"}]}]}}}},
        content_type=STRATEGIC_MERGE_PATCH)
    assert env_of(srv) == [{"name": "X", "value": "theirs"}, {"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    # the same manifest again: nothing changes, but the live list is not in the manifest's order,
    # so the patch carries $setElementOrder and kubectl's answer is "configured", as upstream
    assert apply(srv, path, manifest({"A": "1", "B": "2"})) == "deployment.apps/web configured\n"
    assert env_of(srv) == [{"name": "X", "value": "theirs"}, {"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert apply(srv, path, manifest({"A": "1"})) == "deployment.apps/web configured\n"
    assert env_of(srv) == [{"name": "X", "value": "theirs"}, {"name": "A", "value": "1"}]
    assert apply(srv, path, manifest({"C": "3", "A": "1"})) == "deployment.apps/web configured\n"
    assert env_of(srv) == [{"name": "C", "value": "3"}, {"name": "X", "value": "theirs"}, {"name": "A", "value": "1"}]
    # a manifest equal to the live list: unchanged
    Client(srv.address).patch("/apis/apps/v1/namespaces/default/deployments/web", {"spec": {"template": {"spec": {
        "containers": [{"name": "web", "env": [{"name": "X", "$patch": "delete"}]}]}}}},
        content_type=STRATEGIC_MERGE_PATCH)
    assert apply(srv, path, manifest({"C": "3", "A": "1"})) == "deployment.apps/web unchanged\n"


def test_apply_switching_the_strategy_type_clears_rolling_update(srv, path):
    apply(srv, path, manifest({}, strategy="RollingUpdate"))
    d = Client(srv.address).get("/apis/apps/v1/namespaces/default/deployments/web")
    assert "rollingUpdate" in d["spec"]["strategy"]          # defaulted by the server
    assert apply(srv, path, manifest({}, strategy="Recreate")) == "deployment.apps/web configured\n"
    d = Client(srv.address).get("/apis/apps/v1/namespaces/default/deployments/web")
    assert d["spec"]["strategy"] == {"type": "Recreate"}
    assert apply(srv, path, manifest({}, strategy="Recreate")) == "deployment.apps/web unchanged\n"


def test_a_patch_that_cannot_be_computed_is_an_error_not_a_traceback(srv, path):
    """An env entry without its merge key (``name``) cannot be diffed by key:
    the apply of that manifest fails with a message, the next manifest in
    the same run is still applied."""
    apply(srv, path, manifest({"A": "1"}))
    bad = manifest({"A": "1"})
    bad["spec"]["template"]["spec"]["containers"][0]["env"].append({"value": "no name"})
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}}
    with open(path, "w") as f:
        f.write(json.dumps({"apiVersion": "v1", "kind": "List", "items": [bad, other]}))
    out, err = io.StringIO(), io.StringIO()
    rc = run(["apply", "-f", path, "--socket", srv.address], out=out, err=err)
    assert rc == 1
    assert "deployments/web" in err.getvalue() or "deployment.apps/web" in err.getvalue(), err.getvalue()
    assert "cannot compute the patch" in err.getvalue() and "Traceback" not in err.getvalue()
    assert out.getvalue() == "configmap/cfg created\n"
