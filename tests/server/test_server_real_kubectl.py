"""The real ``kubectl`` against an in-process ``kubekit serve`` on loopback
TCP: discovery (aggregated, then legacy), server-side Tables, apply, scale,
delete, api-resources; with a local node (root) also exec, logs and top.

Each kubectl runs with a temporary kubeconfig and HOME (its discovery and
HTTP caches go there, not into ~/.kube), ``--request-timeout`` and a
subprocess timeout; the server and the temp directory are removed
afterwards.  Skipped only when no kubectl is on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

import pytest

from kubekit.kubectl.client import Client
from kubekit.server.app import Server, ServerConfig
from kubekit.server.testing import local_node_dirs, wait_for
from kubekit.store.kinds import DEFAULT_KINDS

KUBECTL = shutil.which("kubectl")
if KUBECTL is None:
    pytest.skip("kubectl not installed", allow_module_level=True)

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: kubekit
  cluster:
    server: http://{address}
contexts:
- name: kubekit
  context:
    cluster: kubekit
    user: kubekit
    namespace: default
current-context: kubekit
users:
- name: kubekit
  user: {{}}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: local/busybox:1
        command: ["/bin/sleep", "3600"]
"""


class Kubectl:
    """Runs the real kubectl against ``server`` with files under ``top``."""

    def __init__(self, server: Server, top: str) -> None:
        self.server, self.top = server, top
        self.kubeconfig = os.path.join(top, "kubeconfig")
        with open(self.kubeconfig, "w") as f:
            f.write(KUBECONFIG.format(address=server.address))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": top, "KUBECONFIG": self.kubeconfig,
                    "TMPDIR": top}           # kubectl diff's LIVE-*/MERGED-* directories

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([KUBECTL, "--request-timeout=20s", f"--cache-dir={self.top}/cache", *args],
                           input=stdin, env=self.env, capture_output=True, text=True, timeout=90)
        if check:
            assert p.returncode == 0, f"kubectl {' '.join(args)} exited {p.returncode}: {p.stderr}{p.stdout}"
        return p

    def out(self, *args: str, **kw) -> str:
        return self.run(*args, **kw).stdout

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.top, name)
        with open(path, "w") as f:
            f.write(text)
        return path


def table(text: str) -> tuple[list[str], list[list[str]]]:
    """kubectl's printed table: the header's columns (split on 2+ spaces) and the rows."""
    import re

    lines = [ln for ln in text.splitlines() if ln.strip()]
    split = [re.split(r"\s{2,}", ln.strip()) for ln in lines]
    return split[0], split[1:]


@pytest.fixture(scope="module")
def kubectl():
    top = tempfile.mkdtemp(prefix="kk-kubectl-")
    srv = None
    try:
        srv = Server(ServerConfig(socket_path=None, listen=("127.0.0.1", 0), data_dir=f"{top}/data", fsync=False,
                                  sim_nodes=2, sim_start_delay=0.0, hostpath_dir=f"{top}/hostpath"))
        srv.start()
        yield Kubectl(srv, top)
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(top, ignore_errors=True)


def test_kubectl_version(kubectl):
    v = json.loads(kubectl.out("version", "-o", "json"))
    assert v["serverVersion"]["gitVersion"] == "v1.34.0-kubekit"
    assert (v["serverVersion"]["major"], v["serverVersion"]["minor"]) == ("1", "34")
    assert (v["serverVersion"]["compiler"], v["serverVersion"]["gitTreeState"]) == ("cpython", "clean")


def test_kubectl_api_resources(kubectl):
    header, rows = table(kubectl.out("api-resources"))
    assert header == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    got = {r[0]: r for r in rows}
    for kind in DEFAULT_KINDS:
        assert got[kind.plural][-1] == kind.kind and got[kind.plural][-3] == kind.api_version
        assert got[kind.plural][-2] == str(kind.namespaced).lower()
    assert got["pods"][1] == "po" and got["deployments"][1] == "deploy" and got["storageclasses"][1] == "sc"
    names = kubectl.out("api-resources", "-o", "name", "--categories=all").split()
    assert set(names) == {"pods", "deployments.apps", "replicasets.apps", "horizontalpodautoscalers.autoscaling"}


def test_kubectl_get_nodes_wide(kubectl):
    header, rows = table(kubectl.out("get", "nodes"))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [r[0] for r in rows] == ["sim-node-0", "sim-node-1"] and {r[1] for r in rows} == {"Ready"}
    header, rows = table(kubectl.out("get", "nodes", "-o", "wide"))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                      "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert len(rows) == 2
    header, rows = table(kubectl.out("get", "no", "sim-node-1"))          # one object, by short name
    assert [r[0] for r in rows] == ["sim-node-1"]


def test_kubectl_get_pods_when_there_are_none(kubectl):
    p = kubectl.run("get", "pods")
    assert p.stdout == "" and "No resources found in default namespace." in p.stderr


def test_kubectl_apply_needs_validate_false(kubectl):
    """kubectl's client-side validation downloads the OpenAPI schema, which
    kubekit does not serve (404): ``--validate=false`` is required."""
    path = kubectl.write("web-validate.yaml", DEPLOYMENT.replace("name: web\n", "name: web-validate\n", 1))
    p = kubectl.run("apply", "-f", path, check=False)
    assert p.returncode != 0 and "failed to download openapi" in p.stderr and "--validate=false" in p.stderr
    assert "web-validate" not in kubectl.out("get", "deploy", "-o", "name")


def test_kubectl_deployment_lifecycle(kubectl):
    c = Client(kubectl.server.address)
    path = kubectl.write("web.yaml", DEPLOYMENT)
    assert kubectl.out("apply", "--validate=false", "-f", path).strip() == "deployment.apps/web created"
    try:
        wait_for(lambda: (c.get("/apis/apps/v1/namespaces/default/deployments/web").get("status") or {})
                 .get("readyReplicas") == 2, "web's 2 pods to be ready")
        d = json.loads(kubectl.out("get", "deploy", "web", "-o", "json"))
        assert (d["kind"], d["spec"]["replicas"]) == ("Deployment", 2)
        assert "kubectl.kubernetes.io/last-applied-configuration" in d["metadata"]["annotations"]

        header, rows = table(kubectl.out("get", "deploy", "web"))
        assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"] and rows[0][:4] == ["web", "2/2", "2", "2"]
        header, rows = table(kubectl.out("get", "pods", "-o", "wide"))
        assert header[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] and header[5:7] == ["IP", "NODE"]
        assert len(rows) == 2 and {r[2] for r in rows} == {"Running"} and {r[6] for r in rows} <= {"sim-node-0",
                                                                                                     "sim-node-1"}
        header, rows = table(kubectl.out("get", "pods", "-A", "-l", "app=web", "--show-labels"))
        assert header[0] == "NAMESPACE" and header[-1] == "LABELS" and rows[0][0] == "default"
        assert rows[0][-1].startswith("app=web")
        assert kubectl.out("get", "pods", "-o", "name").count("pod/web-") == 2

        assert kubectl.out("scale", "deployment", "web", "--replicas=3").strip() == "deployment.apps/web scaled"
        assert c.get("/apis/apps/v1/namespaces/default/deployments/web")["spec"]["replicas"] == 3
        wait_for(lambda: len(c.get("/api/v1/namespaces/default/pods", labelSelector="app=web")["items"]) == 3,
                 "a third pod")
        header, rows = table(kubectl.out("get", "all"))
        assert "deployment.apps/web" in [r[0] for r in rows] and sum(r[0].startswith("pod/web-") for r in rows) == 3

        assert kubectl.out("apply", "--validate=false", "-f", path).strip() == "deployment.apps/web configured"
        assert c.get("/apis/apps/v1/namespaces/default/deployments/web")["spec"]["replicas"] == 2
    finally:
        out = kubectl.out("delete", "-f", path)
    assert out.strip() == 'deployment.apps "web" deleted'
    assert kubectl.out("get", "deploy", "-o", "name") == ""
    wait_for(lambda: not c.get("/api/v1/namespaces/default/pods")["items"], "the garbage collector to remove the pods")


def test_kubectl_get_unknown_object_and_resource(kubectl):
    p = kubectl.run("get", "deploy", "nope", check=False)
    assert p.returncode == 1 and 'deployments.apps "nope" not found' in p.stderr
    p = kubectl.run("get", "widgets", check=False)
    assert p.returncode == 1 and 'the server doesn\'t have a resource type "widgets"' in p.stderr


def test_kubectl_typed_create_is_refused_as_protobuf(kubectl):
    """``kubectl create configmap`` (and the other generators) send protobuf,
    which kubekit does not decode: a 415, as a server without protobuf would."""
    p = kubectl.run("create", "configmap", "c1", "--from-literal=a=b", check=False)
    assert p.returncode == 1 and "the body of the request was in an unknown format" in p.stderr


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  a: "{value}"
"""


def test_kubectl_diff_and_server_dry_runs_write_nothing(kubectl):
    c = Client(kubectl.server.address)
    path = kubectl.write("dry.yaml", CONFIGMAP.format(name="dry", value="1"))
    assert kubectl.out("apply", "--validate=false", "-f", path).strip() == "configmap/dry created"
    live = c.get("/api/v1/namespaces/default/configmaps/dry")
    changed = kubectl.write("dry2.yaml", CONFIGMAP.format(name="dry", value="2"))
    rev = kubectl.server.kv.revision
    p = kubectl.run("diff", "-f", changed, check=False)
    assert p.returncode == 1, p.stderr                       # 1: there are differences
    assert '-  a: "1"' in p.stdout and '+  a: "2"' in p.stdout
    assert kubectl.out("apply", "--dry-run=server", "--validate=false", "-f", changed).strip() == \
        "configmap/dry configured (server dry run)"
    new = kubectl.write("dry3.yaml", CONFIGMAP.format(name="dry-new", value="3"))
    p = kubectl.run("diff", "-f", new, check=False)
    assert p.returncode == 1 and '+  a: "3"' in p.stdout
    assert kubectl.out("delete", "--dry-run=server", "configmap", "dry").strip() == \
        'configmap "dry" deleted (server dry run)'
    assert kubectl.server.kv.revision == rev                 # nothing written
    assert c.get("/api/v1/namespaces/default/configmaps/dry") == live
    assert kubectl.out("get", "configmap", "-o", "name").split() == ["configmap/dry"]
    kubectl.out("delete", "-f", path)


def test_kubectl_patch_json_and_rollout_undo(kubectl):
    c = Client(kubectl.server.address)
    deploy = "/apis/apps/v1/namespaces/default/deployments/undo"
    path = kubectl.write("undo.yaml", DEPLOYMENT.replace("name: web\n", "name: undo\n", 1)
                         .replace("{app: web}", "{app: undo}").replace("replicas: 2", "replicas: 1"))
    kubectl.out("apply", "--validate=false", "-f", path)
    try:
        out = kubectl.out("patch", "deployment", "undo", "--type=json", "-p",
                          '[{"op": "replace", "path": "/spec/template/spec/containers/0/image", '
                          '"value": "local/busybox:2"}]')
        assert out.strip() == "deployment.apps/undo patched"
        wait_for(lambda: len(c.get("/apis/apps/v1/namespaces/default/replicasets", labelSelector="app=undo")
                             ["items"]) == 2, "the second ReplicaSet")
        p = kubectl.run("patch", "deployment", "undo", "--type=json", "-p",
                        '[{"op": "test", "path": "/spec/replicas", "value": 9}]', check=False)
        assert p.returncode == 1 and "The request is invalid" in p.stderr
        assert kubectl.out("rollout", "undo", "deployment/undo").strip() == "deployment.apps/undo rolled back"
        assert c.get(deploy)["spec"]["template"]["spec"]["containers"][0]["image"] == "local/busybox:1"
    finally:
        kubectl.out("delete", "-f", path)


# -- with a local node: exec, logs, top ----------------------------------------------------
@pytest.fixture(scope="module")
def local_kubectl(rootfs):
    if os.geteuid() != 0:
        pytest.skip("the local node starts real containers (root)")
    top = tempfile.mkdtemp(prefix="kk-kubectl-node-")
    srv = None
    try:
        with local_node_dirs(rootfs) as kw:
            try:
                srv = Server(ServerConfig(socket_path=None, listen=("127.0.0.1", 0), data_dir=f"{top}/data",
                                          fsync=False, hostpath_dir=f"{top}/hostpath", metrics_interval=0.2, **kw))
                srv.start()
                yield Kubectl(srv, top)
            finally:
                if srv is not None:
                    srv.stop()
    finally:
        shutil.rmtree(top, ignore_errors=True)


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: shell
spec:
  nodeName: node-a
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: local/busybox:1
    imagePullPolicy: Never
    command: ["/bin/sh", "-c", "echo hello from shell; exec /bin/sleep 300"]
"""


def test_kubectl_exec_logs_and_top(local_kubectl):
    k = local_kubectl
    c = Client(k.server.address)
    path = k.write("shell.yaml", POD)
    assert k.out("create", "--validate=false", "-f", path).strip() == "pod/shell created"
    try:
        wait_for(lambda: (c.get("/api/v1/namespaces/default/pods/shell").get("status") or {}).get("phase")
                 == "Running", "the pod to run")
        assert k.out("exec", "shell", "--", "/bin/echo", "hi there") == "hi there\n"
        p = k.run("exec", "shell", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3", check=False)
        assert (p.returncode, p.stdout) == (3, "out\n") and "err" in p.stderr
        assert k.out("exec", "-i", "shell", "--", "/bin/cat", stdin="piped\n") == "piped\n"
        wait_for(lambda: "hello from shell" in k.out("logs", "shell"), "the pod's log")
        wait_for(lambda: k.run("top", "pod", "shell", check=False).returncode == 0, "pod metrics")
        header, rows = table(k.out("top", "pod", "shell"))
        assert header[0] == "NAME" and rows[0][0] == "shell"
    finally:
        k.run("delete", "pod", "shell", "--wait=false", check=False)
        wait_for(lambda: not k.server.local_node.agent.workers, "the local node to tear the pod down")
