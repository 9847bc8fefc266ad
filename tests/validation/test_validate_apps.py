"""apps/v1 Deployment and ReplicaSet validation; rows from
pkg/apis/apps/validation/validation_test.go (TestValidateDeployment,
TestValidateDeploymentStrategy..., TestValidateReplicaSet,
TestValidateReplicaSetUpdate) and pkg/registry/apps/deployment/strategy_test.go
(selector immutability), messages from pkg/apis/apps/validation/validation.go."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubekit.validation import InvalidError, check, check_update, validate, validate_update


def deployment(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "selector": {"matchLabels": {"name": "abc"}},
        "template": {
            "metadata": {"labels": {"name": "abc"}},
            "spec": {"containers": [{"name": "nginx", "image": "image"}]},
        },
    }
    base.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": base}


def replica_set(**spec: Any) -> dict[str, Any]:
    obj = deployment(**spec)
    obj["kind"] = "ReplicaSet"
    return obj


def errors(obj: dict[str, Any]) -> list[str]:
    return [str(e) for e in validate(obj)]


def test_valid_deployment_and_replica_set() -> None:
    assert errors(deployment()) == []
    assert errors(replica_set()) == []


def test_negative_replicas_message() -> None:
    with pytest.raises(InvalidError) as info:
        check(deployment(replicas=-1))
    assert str(info.value) == (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )
    with pytest.raises(InvalidError) as info:
        check(replica_set(replicas=-1))
    assert str(info.value) == (
        'ReplicaSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )


def _strategy(**rolling: Any) -> dict[str, Any]:
    return {"type": "RollingUpdate", "rollingUpdate": rolling}


@pytest.mark.parametrize(
    "case,spec,expected",
    [
        # TestValidateDeployment "selector does not match template labels"
        ("selector mismatch", {"selector": {"matchLabels": {"name": "def"}}},
         ['spec.template.metadata.labels: Invalid value: {"name":"abc"}: `selector` does not match template `labels`']),
        # "empty selector"
        ("empty selector", {"selector": {}},
         ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]),
        # "missing selector": Required, and a nil selector matches nothing
        ("missing selector", {"selector": None},
         ["spec.selector: Required value",
          'spec.template.metadata.labels: Invalid value: {"name":"abc"}: `selector` does not match template `labels`']),
        ("bad selector operator", {"selector": {"matchExpressions": [{"key": "name", "operator": "Near"}]}},
         ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
          'spec.selector: Invalid value: {"matchExpressions":[{"key":"name","operator":"Near"}]}: invalid label selector']),
        # "restartPolicy must be Always"
        ("restartPolicy OnFailure", {"template": {"metadata": {"labels": {"name": "abc"}},
                                                  "spec": {"restartPolicy": "OnFailure",
                                                           "containers": [{"name": "c", "image": "i"}]}}},
         ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']),
        ("activeDeadlineSeconds", {"template": {"metadata": {"labels": {"name": "abc"}},
                                                "spec": {"activeDeadlineSeconds": 10,
                                                         "containers": [{"name": "c", "image": "i"}]}}},
         ["spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"]),
        # template labels are validated at spec.template.labels (ObjectMeta is embedded in Go)
        ("bad template label", {"selector": {"matchLabels": {"name": "abc"}},
                                "template": {"metadata": {"labels": {"name": "abc", "bad key!": "x"}},
                                             "spec": {"containers": [{"name": "c", "image": "i"}]}}},
         ['spec.template.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '
          "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
          "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
        # the template's pod spec is validated too
        ("template container without image", {"template": {"metadata": {"labels": {"name": "abc"}},
                                                           "spec": {"containers": [{"name": "c"}]}}},
         ["spec.template.spec.containers[0].image: Required value"]),
        # TestValidateDeploymentStrategy / ValidateRollingUpdateDeployment
        ("both zero", {"strategy": _strategy(maxSurge=0, maxUnavailable=0)},
         ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
        ("both zero percent", {"strategy": _strategy(maxSurge="0%", maxUnavailable="0%")},
         ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0']),
        ("maxUnavailable > 100%", {"strategy": _strategy(maxUnavailable="110%")},
         ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": must not be greater than 100%']),
        ("negative maxSurge", {"strategy": _strategy(maxSurge=-1)},
         ["spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"]),
        ("bad percent", {"strategy": _strategy(maxSurge="20")},
         ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "20": a valid percent string must be a numeric '
          "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]),
        ("Recreate with rollingUpdate", {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
         ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]),
        ("unknown strategy", {"strategy": {"type": "Canary"}},
         [# (the internal apps.DeploymentStrategy has no json tags: Go's field names print)
         'spec.strategy: Unsupported value: {"Type":"Canary","RollingUpdate":null}: supported values: "Recreate", "RollingUpdate"']),
        # TestValidateDeployment progressDeadlineSeconds / revisionHistoryLimit / minReadySeconds
        ("progress deadline not above minReady", {"minReadySeconds": 60, "progressDeadlineSeconds": 60},
         ["spec.progressDeadlineSeconds: Invalid value: 60: must be greater than minReadySeconds"]),
        ("negative revisionHistoryLimit", {"revisionHistoryLimit": -2},
         ["spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"]),
        ("negative minReadySeconds", {"minReadySeconds": -1},
         ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_deployment_spec(case: str, spec: dict[str, Any], expected: list[str]) -> None:
    assert errors(deployment(**spec)) == expected


@pytest.mark.parametrize(
    "case,spec,expected",
    [
        # TestValidateReplicaSet: the same selector/template rules (and upstream's "deployment" wording)
        ("empty selector", {"selector": {}},
         ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]),
        ("selector mismatch", {"selector": {"matchExpressions": [{"key": "name", "operator": "NotIn", "values": ["abc"]}]}},
         ['spec.template.metadata.labels: Invalid value: {"name":"abc"}: `selector` does not match template `labels`']),
        ("negative minReadySeconds", {"minReadySeconds": -5},
         ["spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_replica_set_spec(case: str, spec: dict[str, Any], expected: list[str]) -> None:
    assert errors(replica_set(**spec)) == expected


def test_deployment_name_and_namespace() -> None:
    obj = deployment()
    obj["metadata"]["name"] = "Web"
    assert errors(obj)[0].startswith('metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain')


@pytest.mark.parametrize("factory", [deployment, replica_set])
def test_selector_is_immutable_in_apps_v1(factory: Any) -> None:
    old = check(factory())
    old["metadata"]["resourceVersion"] = "5"
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"name": "abc", "tier": "web"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "web"
    assert [str(e) for e in validate_update(new, old)] == [
        'spec.selector: Invalid value: {"matchLabels":{"name":"abc","tier":"web"}}: field is immutable'
    ]
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 5
    assert check_update(scaled, old)["spec"]["replicas"] == 5


def test_real_server_message_for_a_long_volume_name() -> None:
    # As reported from a real API server in DecisionsDev/odm-docker-kubernetes#129: a 74-character volume
    # name fails the DNS-1123 label length, so its mount is "Not found".
    long_name = "ssl-cert-microsoft-rsa-root-certificate-authority-2017-trusted-cert-volume"
    obj = deployment(template={"metadata": {"labels": {"name": "abc"}}, "spec": {
        "volumes": [{"name": long_name, "secret": {"secretName": "s"}}],
        "containers": [{"name": "c", "image": "i", "volumeMounts": [{"name": long_name, "mountPath": "/certs"}]}]}})
    assert errors(obj) == [
        f'spec.template.spec.volumes[0].name: Invalid value: "{long_name}": must be no more than 63 characters',
        f'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "{long_name}"',
    ]
