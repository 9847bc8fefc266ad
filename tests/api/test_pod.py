"""Pods from real manifests (kubekit/data/manifests, copied from
/work/shared/data/manifests with its README), defaulting, unsupported
features, field-path errors and round trips."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.api import (
    Container,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    Taint,
    Toleration,
    tolerates_taint,
)
from kubekit.api.pod import UNSUPPORTED_ANNOTATION
from kubekit.errors import ManifestError

DATA = Path(__file__).resolve().parents[2] / "kubekit" / "data" / "manifests"
Mi = 1024 * 1024
Gi = 1024 * Mi
POD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicationController", "ReplicaSet", "Job"}
DEFAULT_NZ = {"cpu": 100, "memory": 200 * Mi}


def docs(rel: str) -> list[dict]:
    with open(DATA / rel, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def one(rel: str, kind: str | None = None, name: str | None = None) -> Pod:
    for d in docs(rel):
        if (kind is None or d.get("kind") == kind) and (name is None or d["metadata"].get("name") == name):
            return Pod.from_manifest(d)
    raise LookupError((rel, kind, name))


# Every Pod-bearing document in kubekit/data/manifests, with what kubekit must make of it.
# key: (file, kind, metadata.name or generateName) -> expected attributes.
EX = "kubernetes-examples/"
WEB = "kubernetes-website/"
PERF = "kubernetes-scheduler-perf/templates__"
EXPECTED: dict[tuple[str, str, str], dict[str, Any]] = {
    (EX + "AI__vllm-deployment__vllm-deployment.yaml", "Deployment", "vllm-gemma-deployment"): dict(
        requests={"cpu": 2000, "memory": 10 * Gi, "ephemeral-storage": 10 * Gi, "nvidia.com/gpu": 1},
        nonzero={"cpu": 2000, "memory": 10 * Gi, "ephemeral-storage": 10 * Gi, "nvidia.com/gpu": 1},
        labels={"app": "gemma-server"},
    ),
    (EX + "archived__cockroachdb__cockroachdb-statefulset.yaml", "StatefulSet", "cockroachdb"): dict(
        requests={}, nonzero=DEFAULT_NZ, unsupported=("podAntiAffinity",),
        labels={"app": "cockroachdb"},
    ),
    (EX + "archived__cpu-manager__exclusive-1.yaml", "Pod", "exclusive-1"): dict(
        requests={"cpu": 1000, "memory": 256_000_000}, nonzero={"cpu": 1000, "memory": 256_000_000},
    ),
    (EX + "archived__cpu-manager__shared.yaml", "Pod", "shared"): dict(
        requests={"cpu": 100}, nonzero={"cpu": 100, "memory": 200 * Mi},
    ),
    (EX + "archived__newrelic-infrastructure__newrelic-infra-daemonset.yaml", "DaemonSet", "newrelic-infra-agent"): dict(
        requests={"cpu": 150}, nonzero={"cpu": 150, "memory": 200 * Mi}, labels={"name": "newrelic"},
    ),
    (EX + "archived__spark__spark-worker-controller.yaml", "ReplicationController", "spark-worker-controller"): dict(
        requests={"cpu": 100}, nonzero={"cpu": 100, "memory": 200 * Mi}, labels={"component": "spark-worker"},
    ),
    (EX + "archived__storage__redis__redis-master.yaml", "Pod", "redis-master"): dict(
        # limits-only cpu "0.1" defaults the request; the sentinel container requests nothing.
        requests={"cpu": 100}, nonzero={"cpu": 200, "memory": 400 * Mi},
        labels={"name": "redis", "redis-sentinel": "true", "role": "master"},
    ),
    (EX + "archived__storm__storm-worker-controller.yaml", "Deployment", "storm-worker-controller"): dict(
        requests={"cpu": 100, "memory": 100 * Mi}, nonzero={"cpu": 100, "memory": 100 * Mi}, unsupported=("hostPorts",),
    ),
    (EX + "databases__cassandra__cassandra-statefulset.yaml", "StatefulSet", "cassandra"): dict(
        requests={"cpu": 500, "memory": Gi}, nonzero={"cpu": 500, "memory": Gi},
    ),
    (EX + "web__guestbook__all-in-one__guestbook-all-in-one.yaml", "Deployment", "redis-master"): dict(
        requests={"cpu": 100, "memory": 100 * Mi}, labels={"app": "redis", "role": "master", "tier": "backend"},
    ),
    (EX + "web__guestbook__all-in-one__guestbook-all-in-one.yaml", "Deployment", "redis-replica"): dict(
        requests={"cpu": 100, "memory": 100 * Mi}, labels={"app": "redis", "role": "replica", "tier": "backend"},
    ),
    (EX + "web__guestbook__all-in-one__guestbook-all-in-one.yaml", "Deployment", "frontend"): dict(
        requests={"cpu": 100, "memory": 100 * Mi}, labels={"app": "guestbook", "tier": "frontend"},
    ),
    (EX + "web__guestbook__frontend-deployment.yaml", "Deployment", "frontend"): dict(
        requests={"cpu": 100, "memory": 100 * Mi}, nonzero={"cpu": 100, "memory": 100 * Mi},
    ),
    (PERF + "pod-default.yaml", "Pod", "pod-"): dict(
        requests={"cpu": 100, "memory": 500 * Mi}, nonzero={"cpu": 100, "memory": 500 * Mi},
    ),
    (PERF + "pod-high-priority-large-cpu.yaml", "Pod", "pod-h-"): dict(
        requests={"cpu": 9000, "memory": 500 * Mi}, priority=10,
    ),
    (PERF + "pod-with-node-affinity.yaml", "Pod", "node-affinity-"): dict(
        requests={"cpu": 100, "memory": 500 * Mi},
        affinity=NodeAffinity(
            required=(NodeSelectorTerm((NodeSelectorRequirement("topology.kubernetes.io/zone", "In", ("zone1", "zone2")),)),)
        ),
    ),
    (PERF + "pod-with-pod-anti-affinity.yaml", "Pod", "anti-affinity-pod-"): dict(
        requests={"cpu": 100, "memory": 500 * Mi}, unsupported=("podAntiAffinity",), labels={"color": "green"},
    ),
    (PERF + "pod-with-topology-spreading.yaml", "Pod", "spreading-pod-"): dict(
        requests={"cpu": 100, "memory": 500 * Mi}, unsupported=("topologySpreadConstraints",), labels={"color": "blue"},
    ),
    (WEB + "application__deployment-sidecar.yaml", "Deployment", "myapp"): dict(
        requests={}, nonzero={"cpu": 200, "memory": 400 * Mi}, labels={"app.kubernetes.io/name": "myapp"},
    ),
    (WEB + "application__php-apache.yaml", "Deployment", "php-apache"): dict(
        requests={"cpu": 200}, nonzero={"cpu": 200, "memory": 200 * Mi},
    ),
    (WEB + "application__zookeeper__zookeeper.yaml", "StatefulSet", "zk"): dict(
        requests={"cpu": 500, "memory": Gi}, unsupported=("podAntiAffinity",),
    ),
    (WEB + "controllers__daemonset.yaml", "DaemonSet", "fluentd-elasticsearch"): dict(
        requests={"cpu": 100, "memory": 200 * Mi}, namespace="kube-system",
        tolerations=(Toleration("node-role.kubernetes.io/master", "", "", "NoSchedule"),),
    ),
    (WEB + "pods__pod-nginx.yaml", "Pod", "nginx"): dict(
        requests={}, nonzero=DEFAULT_NZ, node_selector={"disktype": "ssd"}, labels={"env": "test"},
    ),
    (WEB + "pods__pod-with-affinity-anti-affinity.yaml", "Pod", "with-affinity-anti-affinity"): dict(
        requests={},
        affinity=NodeAffinity(
            required=(NodeSelectorTerm((NodeSelectorRequirement("kubernetes.io/os", "In", ("linux", "macOs")),)),),
            preferred=(
                PreferredSchedulingTerm(1, NodeSelectorTerm((NodeSelectorRequirement("label-1", "In", ("key-1",)),))),
                PreferredSchedulingTerm(50, NodeSelectorTerm((NodeSelectorRequirement("label-2", "In", ("key-2",)),))),
            ),
        ),
    ),
    (WEB + "pods__pod-with-numeric-toleration.yaml", "Pod", "nginx-numeric-toleration"): dict(
        tolerations=(Toleration("servicelevel.organization.example/agreed-service-level", "Gt", "900", "NoSchedule"),),
    ),
    (WEB + "pods__pod-with-pod-affinity.yaml", "Pod", "with-pod-affinity"): dict(
        requests={}, unsupported=("podAffinity", "podAntiAffinity"),
    ),
    (WEB + "pods__pod-with-toleration.yaml", "Pod", "nginx"): dict(
        tolerations=(Toleration("example-key", "Exists", "", "NoSchedule"),),
    ),
    (WEB + "pods__qos__qos-pod-2.yaml", "Pod", "qos-demo-2"): dict(
        requests={"memory": 100 * Mi}, nonzero={"cpu": 100, "memory": 100 * Mi}, namespace="qos-example",
    ),
    (WEB + "pods__qos__qos-pod-4.yaml", "Pod", "qos-demo-4"): dict(
        requests={"memory": 200 * Mi}, nonzero={"cpu": 200, "memory": 400 * Mi}, namespace="qos-example",
    ),
    (WEB + "pods__qos__qos-pod.yaml", "Pod", "qos-demo"): dict(
        requests={"cpu": 700, "memory": 200 * Mi}, nonzero={"cpu": 700, "memory": 200 * Mi}, namespace="qos-example",
    ),
    (WEB + "pods__resource__extended-resource-pod.yaml", "Pod", "extended-resource-demo"): dict(
        requests={"example.com/dongle": 3}, nonzero={"example.com/dongle": 3, **DEFAULT_NZ},
    ),
    (WEB + "pods__resource__pod-level-resources.yaml", "Pod", "pod-resources-demo"): dict(
        requests={"cpu": 1000, "memory": 100 * Mi}, nonzero={"cpu": 1000, "memory": 100 * Mi},
        namespace="pod-resources-example",
    ),
    (WEB + "pods__topology-spread-constraints__two-constraints.yaml", "Pod", "mypod"): dict(
        requests={}, unsupported=("topologySpreadConstraints",), labels={"foo": "bar"},
    ),
}


def _all_pod_documents() -> list[tuple[tuple[str, str, str], dict]]:
    out = []
    for path in sorted(DATA.glob("*/*.yaml")):
        if path.parent.name == "alibaba-openb":
            continue
        rel = f"{path.parent.name}/{path.name}"
        for d in docs(rel):
            if d.get("kind") in POD_KINDS:
                meta = d.get("metadata") or {}
                out.append(((rel, d["kind"], meta.get("name") or meta.get("generateName")), d))
    return out


ALL_DOCS = _all_pod_documents()


def test_every_pod_document_has_expectations() -> None:
    found = [k for k, _ in ALL_DOCS]
    assert len(found) == len(set(found)) == len(EXPECTED) == 33
    assert set(found) == set(EXPECTED)


@pytest.mark.parametrize(("key", "manifest"), ALL_DOCS, ids=[f"{k[0].split('/')[-1]}:{k[2]}" for k, _ in ALL_DOCS])
def test_manifest(key: tuple[str, str, str], manifest: dict) -> None:
    want = EXPECTED[key]
    pod = Pod.from_manifest(manifest)
    assert pod.name == key[2]
    assert pod.namespace == want.get("namespace", "default")
    assert pod.unsupported == want.get("unsupported", ())
    if "requests" in want:
        assert pod.requests == want["requests"]
    if "nonzero" in want:
        assert pod.nonzero_requests == want["nonzero"]
    if "labels" in want:
        assert pod.labels == want["labels"]
    assert pod.priority == want.get("priority", 0)
    assert pod.affinity == want.get("affinity")
    assert pod.tolerations == want.get("tolerations", ())
    assert pod.node_selector == want.get("node_selector", {})
    assert pod.scheduler_name == "default-scheduler" and pod.node_name == ""
    # Round trip, through YAML text too.
    assert Pod.from_manifest(pod.to_manifest()) == pod
    assert Pod.from_manifest(yaml.safe_load(yaml.safe_dump(pod.to_manifest()))) == pod


def test_non_pod_kinds_are_rejected_with_kind_path() -> None:
    seen = set()
    for path in sorted(DATA.glob("*/*.yaml")):
        if path.parent.name == "alibaba-openb":
            continue
        for d in docs(f"{path.parent.name}/{path.name}"):
            if d.get("kind") not in POD_KINDS:
                seen.add(d["kind"])
                with pytest.raises(ManifestError) as ei:
                    Pod.from_manifest(d)
                assert ei.value.path == "kind"
                assert repr(d["kind"]) in ei.value.message
    assert seen == {
        "Service", "PodDisruptionBudget", "StorageClass", "HorizontalPodAutoscaler", "LimitRange", "ResourceQuota", "Node"
    }


# --- focused manifest checks ----------------------------------------------------------------


def test_sidecar_manifest() -> None:
    pod = one(WEB + "application__deployment-sidecar.yaml")
    assert [c.name for c in pod.containers] == ["myapp"]
    (sidecar,) = pod.init_containers
    assert (sidecar.name, sidecar.restart_policy, sidecar.image) == ("logshipper", "Always", "alpine:latest")
    # The sidecar runs alongside myapp: both count with the 100m/200Mi defaults.
    assert pod.nonzero_requests == {"cpu": 200, "memory": 400 * Mi}
    assert "volumes.emptyDir" not in pod.unsupported and pod.unsupported == ()


def test_pod_level_resources_manifest() -> None:
    pod = one(WEB + "pods__resource__pod-level-resources.yaml")
    assert pod.pod_level_requests == {"cpu": 1000, "memory": 100 * Mi}
    assert pod.pod_level_limits == {"cpu": 1000, "memory": 200 * Mi}
    c1, c2 = pod.containers
    assert c1.requests == {"cpu": 500, "memory": 50 * Mi} and c1.limits == {"cpu": 500, "memory": 100 * Mi}
    assert c2.requests == {} and c2.limits == {}
    # Container aggregate would be 500m/50Mi; the pod-level values replace it.
    assert pod.requests == {"cpu": 1000, "memory": 100 * Mi}
    assert pod.to_manifest()["spec"]["resources"] == {
        "requests": {"cpu": "1", "memory": "100Mi"},
        "limits": {"cpu": "1", "memory": "200Mi"},
    }


def test_extended_resource_manifest() -> None:
    pod = one(WEB + "pods__resource__extended-resource-pod.yaml")
    (c,) = pod.containers
    assert c.requests == {"example.com/dongle": 3} and c.limits == {"example.com/dongle": 3}


def test_float_cpu_and_si_memory() -> None:
    assert one(EX + "archived__newrelic-infrastructure__newrelic-infra-daemonset.yaml").containers[0].requests == {"cpu": 150}
    pod = one(EX + "archived__cpu-manager__exclusive-1.yaml")
    assert pod.containers[0].limits == {"cpu": 1000, "memory": 256_000_000}
    assert pod.to_manifest()["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "256M"}


def test_requests_default_to_limits() -> None:
    pod = one(EX + "archived__storage__redis__redis-master.yaml")
    master, sentinel = pod.containers
    assert master.limits == {"cpu": 100} and master.requests == {"cpu": 100}
    assert sentinel.requests == {} and sentinel.limits == {}


def test_numeric_toleration_manifest_tolerates_higher_sla() -> None:
    pod = one(WEB + "pods__pod-with-numeric-toleration.yaml")
    (tol,) = pod.tolerations
    key = "servicelevel.organization.example/agreed-service-level"
    assert tolerates_taint(tol, Taint(key, "950", "NoSchedule"))
    assert not tolerates_taint(tol, Taint(key, "900", "NoSchedule"))
    assert not tolerates_taint(tol, Taint(key, "950", "NoExecute"))


def test_workload_naming_and_template_labels() -> None:
    pod = one(EX + "web__guestbook__all-in-one__guestbook-all-in-one.yaml", "Deployment", "redis-replica")
    assert pod.name == "redis-replica" and pod.labels == {"app": "redis", "role": "replica", "tier": "backend"}
    assert [c.name for c in pod.containers] == ["replica"]
    ds = one(WEB + "controllers__daemonset.yaml")
    assert ds.name == "fluentd-elasticsearch" and ds.namespace == "kube-system"
    assert ds.labels == {"name": "fluentd-elasticsearch"}  # the template's, not the DaemonSet's
    # name= overrides the workload name.
    (d,) = docs(WEB + "controllers__daemonset.yaml")
    assert Pod.from_manifest(d, name="fluentd-abc12").name == "fluentd-abc12"


def test_other_template_kinds() -> None:
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]}}
    assert Pod.from_manifest(template, name="bare").requests == {"cpu": 1000}
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(template)
    assert ei.value.path == "metadata.name"
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}, "spec": {"template": template}}
    assert Pod.from_manifest(job).name == "pi"
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello", "namespace": "jobs"},
            "spec": {"jobTemplate": {"spec": {"template": template}}}}
    p = Pod.from_manifest(cron)
    assert (p.name, p.namespace, p.labels) == ("hello", "jobs", {"a": "b"})
    pt = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "pt"}, "template": template}
    assert Pod.from_manifest(pt).name == "pt"
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"}, "spec": {"template": template}}
    assert Pod.from_manifest(rs).containers[0].requests == {"cpu": 1000}


# --- unsupported features ------------------------------------------------------------------


def _pod(spec: dict[str, Any], **meta: Any) -> dict:
    base = {"containers": [{"name": "c", "image": "pause"}]}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", **meta}, "spec": base}


@pytest.mark.parametrize(
    ("spec", "unsupported"),
    [
        ({"hostNetwork": True, "containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}, ("hostPorts",)),
        ({"hostNetwork": True}, ()),
        ({"containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}, ("hostPorts",)),
        # claims are checked by the scheduling loop (kubekit.cluster.volumebinding): not unsupported
        ({"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "x"}}]}, ()),
        ({"volumes": [{"name": "d", "ephemeral": {"volumeClaimTemplate": {}}}]}, ("volumes.ephemeral",)),
        ({"volumes": [{"name": "d", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}]}, ()),
        ({"resourceClaims": [{"name": "gpu"}]}, ("resourceClaims",)),
        ({"schedulingGates": [{"name": "wait"}]}, ("schedulingGates",)),
        ({"priorityClassName": "high"}, ("priorityClassName",)),
        ({"priorityClassName": "high", "priority": 1000}, ()),
        ({"runtimeClassName": "kata"}, ("runtimeClassName",)),
        ({"affinity": {"podAffinity": {"x": 1}, "podAntiAffinity": {"y": 1}, "nodeAffinity": {}}}, ("podAffinity", "podAntiAffinity")),
        ({"topologySpreadConstraints": [{"maxSkew": 1}]}, ("topologySpreadConstraints",)),
    ],
)
def test_unsupported_features(spec: dict, unsupported: tuple[str, ...]) -> None:
    pod = Pod.from_manifest(_pod(spec))
    assert pod.unsupported == unsupported
    again = Pod.from_manifest(pod.to_manifest())
    assert again == pod
    if unsupported:
        assert pod.to_manifest()["metadata"]["annotations"] == {UNSUPPORTED_ANNOTATION: ",".join(unsupported)}


def test_priority_and_scheduler_fields() -> None:
    pod = Pod.from_manifest(_pod({"priority": -5, "schedulerName": "my-scheduler", "nodeName": "node-1"}, uid="u-1"))
    assert (pod.priority, pod.scheduler_name, pod.node_name, pod.uid) == (-5, "my-scheduler", "node-1", "u-1")
    m = pod.to_manifest()
    assert m["spec"]["priority"] == -5 and m["spec"]["schedulerName"] == "my-scheduler" and m["metadata"]["uid"] == "u-1"
    assert Pod.from_manifest(m) == pod


# --- pod-level defaulting (defaults.go) ------------------------------------------------------


def test_pod_level_requests_default_from_limits_and_containers() -> None:
    spec = {
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
        "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m"}}}, {"name": "b"}],
    }
    pod = Pod.from_manifest(_pod(spec))
    # cpu: aggregate of container requests; memory: no container asks, so the pod limit.
    assert pod.pod_level_requests == {"cpu": 500, "memory": Gi}
    assert pod.requests == {"cpu": 500, "memory": Gi}
    assert Pod.from_manifest(pod.to_manifest()) == pod


def test_pod_level_requests_without_limits_are_not_defaulted() -> None:
    spec = {"resources": {"requests": {"cpu": "1"}}, "containers": [{"name": "a", "resources": {"requests": {"memory": "50Mi"}}}]}
    pod = Pod.from_manifest(_pod(spec))
    assert pod.pod_level_requests == {"cpu": 1000} and pod.pod_level_limits is None
    assert pod.requests == {"cpu": 1000, "memory": 50 * Mi}


def test_pod_level_hugepage_limits_default_from_containers() -> None:
    spec = {
        "resources": {"requests": {"cpu": "1"}},
        "containers": [{"name": "a", "resources": {"limits": {"hugepages-2Mi": "4Mi"}}}],
    }
    pod = Pod.from_manifest(_pod(spec))
    assert pod.pod_level_limits == {"hugepages-2Mi": 4 * Mi}
    # defaultPodRequests then copies the (defaulted) pod limit into requests.
    assert pod.pod_level_requests == {"cpu": 1000, "hugepages-2Mi": 4 * Mi}
    assert pod.requests == {"cpu": 1000, "hugepages-2Mi": 4 * Mi}


# --- malformed manifests: exact field paths ---------------------------------------------------

BASE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "containers": [
            {"name": "app", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m"}}},
            {"name": "log", "resources": {"requests": {"cpu": "50m"}}},
        ],
        "initContainers": [{"name": "init", "restartPolicy": "Always"}],
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                                              {"key": "disk", "operator": "In", "values": ["ssd"]}]}
                    ]
                },
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 10, "preference": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}}
                ],
            }
        },
        "nodeSelector": {"disktype": "ssd"},
    },
}
AFF = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"


def test_base_manifest_is_valid() -> None:
    pod = Pod.from_manifest(BASE)
    assert pod.requests == {"cpu": 150, "memory": 64 * Mi}
    assert pod.nonzero_requests == {"cpu": 250, "memory": 464 * Mi}


def _set(path: str, value: Any):
    def mutate(m: dict) -> None:
        obj: Any = m
        parts = path.split("/")
        for p in parts[:-1]:
            obj = obj[int(p)] if isinstance(obj, list) else obj[p]
        last = parts[-1]
        if value is _DELETE:
            del obj[last]
        elif isinstance(obj, list):
            obj[int(last)] = value
        else:
            obj[last] = value
    return mutate


_DELETE = object()


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (_set("spec/containers/1/resources/requests/cpu", "-1"), "spec.containers[1].resources.requests.cpu",
         "invalid value '-1': must be non-negative"),
        (_set("spec/containers/1/resources/requests/cpu", -1), "spec.containers[1].resources.requests.cpu",
         "invalid value '-1': must be non-negative"),
        (_set("spec/containers/0/resources/requests/memory", "12Qi"), "spec.containers[0].resources.requests.memory", "12Qi"),
        (_set("spec/containers/0/resources/requests/cpu", "1"), "spec.containers[0].resources.requests.cpu",
         "invalid value '1': must be less than or equal to cpu limit of 500m"),
        (_set("spec/containers/0/resources", "big"), "spec.containers[0].resources", "must be a mapping"),
        (_set("spec/containers/0/name", _DELETE), "spec.containers[0].name", "Required value"),
        (_set("spec/containers/0/name", "App_1"), "spec.containers[0].name", "'App_1'"),
        (_set("spec/initContainers/0/name", "app"), "spec.initContainers[0].name", "Duplicate value: 'app'"),
        (_set("spec/initContainers/0/restartPolicy", "Sometimes"), "spec.initContainers[0].restartPolicy", "'Sometimes'"),
        (_set("spec/containers", []), "spec.containers", "at least one container"),
        (_set("spec/containers", {"name": "x"}), "spec.containers", "must be a list"),
        (_set("spec/containers/0", "app"), "spec.containers[0]", "must be a mapping"),
        (_set("spec/tolerations/0/operator", "Equals"), "spec.tolerations[0].operator", "Unsupported value: 'Equals'"),
        (_set("spec/tolerations/0/effect", "NoSchedul"), "spec.tolerations[0].effect", "'NoSchedul'"),
        (_set("spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/1/values", []),
         f"{AFF}.matchExpressions[1].values", "must be specified when `operator` is 'In' or 'NotIn'"),
        (_set("spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/1/operator", "Gt"),
         f"{AFF}.matchExpressions[1].values[0]", "'ssd': for 'Gt', 'Lt' operators, the value must be an integer"),
        (_set("spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0/operator", "Exists"),
         f"{AFF}.matchExpressions[0].values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        (_set("spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/weight", 0),
         "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "must be in the range 1-100"),
        (_set("spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/weight", 101),
         "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "must be in the range 1-100"),
        (_set("spec/affinity", ["nodeAffinity"]), "spec.affinity", "must be a mapping"),
        (_set("metadata/labels/app", True), "metadata.labels[app]", "label values must be strings"),
        (_set("metadata/labels/app", "has space"), "metadata.labels[app]", "'has space'"),
        (_set("spec/nodeSelector/disktype", 1), "spec.nodeSelector[disktype]", "label values must be strings"),
        (_set("spec/priority", "high"), "spec.priority", "must be an integer"),
        (_set("spec/priority", 2**31), "spec.priority", "must be between"),
        (_set("spec/schedulerName", 5), "spec.schedulerName", "must be a string"),
        (_set("spec/overhead", {"cpu": "-10m"}), "spec.overhead.cpu", "invalid value '-10m': must be non-negative"),
        (_set("spec/resources", {"requests": {"ephemeral-storage": "1Gi"}}), "spec.resources.requests.ephemeral-storage", "Unsupported value"),
        (_set("spec/resources", {"requests": {"cpu": "100m"}}), "spec.resources.requests.cpu",
         "must be greater than or equal to aggregate container requests of 150m"),
        (_set("spec/resources", {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}), "spec.resources.requests.cpu",
         "must be less than or equal to cpu limit of 1"),
        (_set("metadata/name", _DELETE), "metadata.name", "Required value"),
        (_set("metadata/name", 42), "metadata.name", "must be a string"),
        (_set("spec", _DELETE), "spec", "Required value"),
        (_set("apiVersion", "v2"), "apiVersion", "'v2'"),
        (_set("kind", "Service"), "kind", "'Service'"),
    ],
)
def test_malformed_pod_manifest(mutate, path: str, message: str) -> None:
    m = copy.deepcopy(BASE)
    mutate(m)
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(m)
    assert ei.value.path == path
    assert message in ei.value.message
    assert str(ei.value) == f"{path}: {ei.value.message}"


def test_extended_request_without_limit() -> None:
    m = copy.deepcopy(BASE)
    m["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = 1
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(m)
    assert ei.value.path == "spec.containers[0].resources.limits[nvidia.com/gpu]"
    assert ei.value.message == "Required value: Limit must be set for non overcommitable resources"


def test_extended_resource_limit_only_is_valid() -> None:
    # A limit alone defaults the request, so request == limit holds.
    m = copy.deepcopy(BASE)
    m["spec"]["containers"][0]["resources"]["limits"] = {"nvidia.com/gpu": 1}
    assert Pod.from_manifest(m).containers[0].requests == {"cpu": 100, "memory": 64 * Mi, "nvidia.com/gpu": 1}


def test_extended_request_must_equal_limit() -> None:
    m = copy.deepcopy(BASE)
    m["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = 1
    m["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 2
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(m)
    assert ei.value.path == "spec.containers[0].resources.requests[nvidia.com/gpu]"
    assert "must be equal to nvidia.com/gpu limit of 2" in ei.value.message


def test_workload_errors_carry_template_path() -> None:
    (d,) = [x for x in docs(EX + "web__guestbook__frontend-deployment.yaml")]
    bad = copy.deepcopy(d)
    bad["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "-1"
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(bad)
    assert str(ei.value) == "spec.template.spec.containers[0].resources.requests.cpu: invalid value '-1': must be non-negative"
    bad = copy.deepcopy(d)
    bad["spec"]["template"]["metadata"]["labels"]["tier"] = 3
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(bad)
    assert ei.value.path == "spec.template.metadata.labels[tier]"
    bad = copy.deepcopy(d)
    del bad["spec"]["template"]
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(bad)
    assert ei.value.path == "spec.template"
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(["not", "a", "mapping"])  # type: ignore[arg-type]
    assert "must be a mapping" in str(ei.value)


# --- programmatic construction ----------------------------------------------------------------


def test_pod_simple() -> None:
    p = Pod.simple("p1")
    assert p.requests == {"cpu": 100, "memory": 500 * Mi} and p.nonzero_requests == p.requests
    (perf,) = docs(PERF + "pod-default.yaml")
    assert p.requests == Pod.from_manifest(perf).requests
    g = Pod.simple("g", cpu="2", memory=None, extra={"nvidia.com/gpu": 1}, priority=7, labels={"a": "b"},
                   tolerations=[Toleration("gpu", "Exists")])
    assert g.requests == {"cpu": 2000, "nvidia.com/gpu": 1}
    assert g.nonzero_requests == {"cpu": 2000, "nvidia.com/gpu": 1, "memory": 200 * Mi}
    assert g.containers[0].limits == {"nvidia.com/gpu": 1}
    assert (g.priority, g.labels, g.key) == (7, {"a": "b"}, "default/g")
    assert Pod.from_manifest(g.to_manifest()) == g
    with pytest.raises(ManifestError) as ei:
        Pod.simple("bad", cpu="-1")
    assert ei.value.path == "requests.cpu"


def test_pod_is_frozen_and_hashable() -> None:
    p = Pod(name="a", containers=(Container("c", {"cpu": 100}),))
    q = Pod(name="a", containers=[Container("c", {"cpu": 100})])  # lists become tuples
    assert p == q and hash(p) == hash(q) and len({p, q}) == 1
    with pytest.raises(AttributeError):
        p.priority = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.requests["cpu"] = 1  # type: ignore[index]
    assert p.labels == {} and p.node_selector == {}
    with pytest.raises(ManifestError):
        Container("c", {"cpu": -1})


# --- property: round trip of generated pods --------------------------------------------------

_names = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True)
_res = st.fixed_dictionaries(
    {},
    optional={
        "cpu": st.integers(0, 10**7),
        "memory": st.integers(0, 2**40),
        "ephemeral-storage": st.integers(0, 2**40),
    },
)


@st.composite
def _pods(draw: st.DrawFn) -> Pod:
    n = draw(st.integers(1, 3))
    cnames = draw(st.lists(_names, min_size=n + 2, max_size=n + 2, unique=True))
    containers = tuple(Container(cnames[i], draw(_res)) for i in range(n))
    inits = tuple(
        Container(cnames[n + i], draw(_res), {}, draw(st.sampled_from([None, "Always"]))) for i in range(draw(st.integers(0, 2)))
    )
    tols = tuple(
        draw(
            st.lists(
                st.sampled_from(
                    [Toleration("a", "Exists", "", "NoSchedule"), Toleration("b", "Equal", "v", ""), Toleration("", "Exists"),
                     Toleration("c", "Gt", "10", "NoExecute", 30)]
                ),
                max_size=3,
            )
        )
    )
    return Pod(
        name=draw(_names),
        namespace=draw(st.sampled_from(["default", "kube-system"])),
        labels=draw(st.dictionaries(_names, _names, max_size=3)),
        containers=containers,
        init_containers=inits,
        priority=draw(st.integers(-(2**31), 2**31 - 1)),
        node_selector=draw(st.dictionaries(_names, _names, max_size=2)),
        tolerations=tols,
        overhead=draw(st.sampled_from([{}, {"cpu": 250, "memory": 120 * Mi}])),
    )


@settings(max_examples=60, deadline=None)
@given(_pods())
def test_generated_pods_round_trip(pod: Pod) -> None:
    assert Pod.from_manifest(pod.to_manifest()) == pod


def test_pod_level_hugepages_need_equal_limit() -> None:
    spec = {
        "resources": {"requests": {"cpu": "1", "hugepages-2Mi": "4Mi"}, "limits": {"hugepages-2Mi": "8Mi"}},
        "containers": [{"name": "a"}],
    }
    with pytest.raises(ManifestError) as ei:
        Pod.from_manifest(_pod(spec))
    assert ei.value.path == "spec.resources.requests.hugepages-2Mi"
    assert "must be equal to hugepages-2Mi limit of 8Mi" in ei.value.message
