"""Defaulting before validation.  Rows from pkg/apis/apps/v1/defaults_test.go
(TestSetDefaultDeployment, TestSetDefaultReplicaSetReplicas,
TestDefaultRequestIsNotSetForReplicaSet) and pkg/apis/core/v1/defaults_test.go
(TestSetDefaultProbe, TestSetDefaultPodSpecHostNetwork,
TestSetDefaultNodeStatusAllocatable, TestSetDefaultSchedulerName); image pull
policies from SetDefaults_Container + parsers.ParseImageName."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubekit.validation import apply_defaults
from kubekit.validation.defaults import (
    default_deployment,
    default_node,
    default_pod,
    default_replica_set,
    image_tag,
    pull_policy_for,
    with_generated_name,
)

DEFAULT_TEMPLATE_SPEC = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
}


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "spec": spec}


@pytest.mark.parametrize(
    "original,expected",
    [
        # TestSetDefaultDeployment rows (apps/v1)
        ({}, {"replicas": 1, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
              "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}),
        ({"replicas": 5, "strategy": {"rollingUpdate": {"maxSurge": 5}}},
         {"replicas": 5, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 5, "maxUnavailable": "25%"}},
          "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}),
        ({"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": None}},
         {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
          "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}),
        ({"replicas": 5, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 0},
         {"replicas": 5, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 0, "progressDeadlineSeconds": 600}),
        ({"replicas": 5, "strategy": {"type": "Recreate"}, "progressDeadlineSeconds": 30, "revisionHistoryLimit": 2},
         {"replicas": 5, "strategy": {"type": "Recreate"}, "progressDeadlineSeconds": 30, "revisionHistoryLimit": 2}),
    ],
)
def test_set_default_deployment(original: dict[str, Any], expected: dict[str, Any]) -> None:
    before = copy.deepcopy(original)
    got = default_deployment(deployment(original))["spec"]
    assert original == before  # pure: the argument is untouched
    template = got.pop("template")
    assert template == {"spec": DEFAULT_TEMPLATE_SPEC}
    assert got == expected


@pytest.mark.parametrize("replicas,expected", [(None, 1), (0, 0), (3, 3)])
def test_set_default_replica_set_replicas(replicas: int | None, expected: int) -> None:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"foo": "bar"}}}}}
    assert default_replica_set(rs)["spec"]["replicas"] == expected


def test_default_request_is_not_set_for_replica_set() -> None:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"replicas": 3, "template": {"spec": {
        "containers": [{"resources": {"limits": {"cpu": "100m"}}}]}}}}
    ctr = default_replica_set(rs)["spec"]["template"]["spec"]["containers"][0]
    assert "requests" not in ctr["resources"]


def test_pod_requests_default_to_limits() -> None:
    # SetDefaults_Pod (TestSetDefaultRequestsPod)
    pod = {"spec": {"containers": [{"resources": {"limits": {"cpu": "100m"}, "requests": {"memory": "1Gi"}}}],
                    "initContainers": [{"resources": {"limits": {"memory": "2Gi"}}}]}}
    got = default_pod(pod)["spec"]
    assert got["containers"][0]["resources"]["requests"] == {"memory": "1Gi", "cpu": "100m"}
    assert got["initContainers"][0]["resources"]["requests"] == {"memory": "2Gi"}
    assert got["enableServiceLinks"] is True


def test_set_default_probe() -> None:
    pod = default_pod({"spec": {"containers": [{"livenessProbe": {}}]}})
    assert pod["spec"]["containers"][0]["livenessProbe"] == {
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
    }


def test_set_default_pod_spec_host_network() -> None:
    spec = {"hostNetwork": True, "containers": [{"ports": [{"containerPort": 8080}]}],
            "initContainers": [{"ports": [{"containerPort": 8080}]}]}
    got = default_pod({"spec": spec})["spec"]
    assert got["containers"][0]["ports"][0] == {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}
    assert got["initContainers"][0]["ports"][0]["hostPort"] == 8080


def test_set_default_scheduler_name_and_container_fields() -> None:
    got = default_pod({"spec": {"containers": [{"name": "c", "image": "nginx",
                                                 "readinessProbe": {"httpGet": {"port": 80}}}]}})["spec"]
    assert got["schedulerName"] == "default-scheduler"
    ctr = got["containers"][0]
    assert ctr["terminationMessagePath"] == "/dev/termination-log"
    assert ctr["terminationMessagePolicy"] == "File"
    assert ctr["readinessProbe"]["httpGet"] == {"port": 80, "path": "/", "scheme": "HTTP"}


@pytest.mark.parametrize(
    "capacity,allocatable,expected",
    [
        # TestSetDefaultNodeStatusAllocatable
        ({"cpu": "1000m", "memory": "10G"}, {"cpu": "500m", "memory": "5G"}, {"cpu": "500m", "memory": "5G"}),
        (None, {"cpu": "500m", "memory": "5G"}, {"cpu": "500m", "memory": "5G"}),
        ({"cpu": "1000m", "memory": "10G"}, None, {"cpu": "1000m", "memory": "10G"}),
        (None, None, None),
    ],
)
def test_set_default_node_status_allocatable(capacity: Any, allocatable: Any, expected: Any) -> None:
    node = {"status": {"capacity": capacity, "allocatable": allocatable}}
    assert default_node(node)["status"]["allocatable"] == expected


@pytest.mark.parametrize(
    "image,tag,policy",
    [
        ("nginx", "latest", "Always"),
        ("nginx:latest", "latest", "Always"),
        ("nginx:1.25", "1.25", "IfNotPresent"),
        ("registry.k8s.io/pause:3.9", "3.9", "IfNotPresent"),
        ("localhost:5000/app", "latest", "Always"),
        ("app@sha256:" + "a" * 64, "", "IfNotPresent"),
        ("app:v1@sha256:" + "a" * 64, "v1", "IfNotPresent"),
        ("Invalid/Name", "", "IfNotPresent"),  # does not parse: tag "" (error ignored upstream)
    ],
)
def test_image_pull_policy(image: str, tag: str, policy: str) -> None:
    assert image_tag(image) == tag
    assert pull_policy_for(image) == policy


def test_explicit_pull_policy_is_kept() -> None:
    pod = default_pod({"spec": {"containers": [{"image": "nginx", "imagePullPolicy": "Never"}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Never"


def test_request_namespace_and_generated_name() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"}, "spec": {}}
    got = apply_defaults(pod, namespace="team-a", generate_name=lambda base: base + "abcde")
    assert got["metadata"] == {"generateName": "web-", "name": "web-abcde", "namespace": "team-a"}
    # Nodes are cluster-scoped: no namespace is added
    node = apply_defaults({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}})
    assert "namespace" not in node["metadata"]
    # a set name wins over generateName
    named = with_generated_name({"metadata": {"name": "x", "generateName": "y-"}})
    assert named["metadata"]["name"] == "x"


def test_generated_names_follow_the_simple_name_generator() -> None:
    got = apply_defaults({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "a" * 70}})
    name = got["metadata"]["name"]
    assert len(name) == 63 and name.startswith("a" * 58)
    assert set(name[58:]) <= set("bcdfghjklmnpqrstvwxz2456789")
