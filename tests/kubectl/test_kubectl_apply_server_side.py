"""``kubekit apply --server-side`` against a real ``kubekit serve``: the
manifest is sent whole as an apply patch (field manager ``kubectl`` unless
``--field-manager``), conflicts fail with kubectl's message unless
``--force-conflicts``, fields dropped from the manifest are pruned; ``get -o
yaml`` hides ``managedFields`` unless ``--show-managed-fields``, as kubectl."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile

import pytest
import yaml

from kubekit.kubectl.cli import run
from kubekit.kubectl.client import Client
from kubekit.server.testing import running_server

DEP = "/apis/apps/v1/namespaces/default/deployments/web"


def manifest(replicas: int | None = 1, env: dict[str, str] | None = None) -> dict:
    c: dict = {"name": "web", "image": "nginx:1.25"}
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    spec: dict = {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [c]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


@pytest.fixture
def srv():
    with running_server() as s:
        yield s


@pytest.fixture
def path():
    d = tempfile.mkdtemp(prefix="kk-ssa-")
    yield os.path.join(d, "web.yaml")
    shutil.rmtree(d)


def kubekit(srv, *argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run([*argv, "--socket", srv.address], out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


def apply(srv, path, obj, *flags) -> tuple[int, str, str]:
    with open(path, "w") as f:
        yaml.safe_dump(obj, f)
    return kubekit(srv, "apply", "--server-side", "-f", path, *flags)


def entries(srv) -> dict:
    d = Client(srv.address).get(DEP)
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in d["metadata"]["managedFields"]}


def test_server_side_apply_creates_conflicts_forces_and_prunes(srv, path):
    assert apply(srv, path, manifest(env={"A": "1", "B": "2"})) == (0, "deployment.apps/web serverside-applied\n", "")
    assert ("kubectl", "Apply") in entries(srv)
    # another manager wanting other replicas: kubectl's conflict message, nothing changes
    rc, out, err = apply(srv, path, manifest(replicas=3), "--field-manager", "ci")
    assert rc == 1 and out == ""
    assert err.startswith('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas\n'
                          "Please review the fields above--they currently have other managers.")
    assert err.rstrip().endswith("See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts")
    assert Client(srv.address).get(DEP)["spec"]["replicas"] == 1
    rc, out, err = apply(srv, path, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                     "spec": {"replicas": 3}}, "--field-manager", "ci", "--force-conflicts")
    assert (rc, out, err) == (0, "deployment.apps/web serverside-applied\n", "")
    e = entries(srv)
    assert e[("ci", "Apply")] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in e[("kubectl", "Apply")]["f:spec"]
    # kubectl drops B (and replicas, now ci's): B is pruned, replicas stays
    assert apply(srv, path, manifest(replicas=None, env={"A": "1"}))[0] == 0
    d = Client(srv.address).get(DEP)
    assert d["spec"]["replicas"] == 3
    assert d["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]


def test_force_conflicts_needs_server_side(srv, path):
    with open(path, "w") as f:
        yaml.safe_dump(manifest(), f)
    rc, _, err = kubekit(srv, "apply", "-f", path, "--force-conflicts")
    assert rc == 1 and "--force-conflicts only works with --server-side" in err


def test_client_side_apply_is_an_update_manager_server_side_apply_conflicts_with(srv, path):
    with open(path, "w") as f:
        json.dump(manifest(replicas=2), f)
    assert kubekit(srv, "apply", "-f", path)[:2] == (0, "deployment.apps/web created\n")
    assert ("kubectl-client-side-apply", "Update") in entries(srv)
    rc, _, err = apply(srv, path, manifest(replicas=4))
    assert rc == 1
    assert 'conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' in err
    # the same values: the server-side applier co-owns them, no conflict
    assert apply(srv, path, manifest(replicas=2))[0] == 0
    assert "f:replicas" in entries(srv)[("kubectl", "Apply")]["f:spec"]


def test_get_hides_managed_fields_unless_asked(srv, path):
    apply(srv, path, manifest())
    rc, out, _ = kubekit(srv, "get", "deployment", "web", "-o", "yaml")
    assert rc == 0 and "managedFields" not in yaml.safe_load(out)["metadata"]
    rc, out, _ = kubekit(srv, "get", "deployments", "-o", "json", "--show-managed-fields")
    [item] = json.loads(out)["items"]
    assert [e["manager"] for e in item["metadata"]["managedFields"]] == ["kubectl"]
