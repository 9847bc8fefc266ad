"""A container's environment (kubelet_pods.go ``makeEnvironmentVariables``)
and the downward API's values: cases of upstream's
``TestMakeEnvironmentVariables`` as far as they apply (no service links),
``TestPodFieldSelectorRuntimeValue`` and the ``resource`` helpers'
``TestExtractContainerResourceValue`` rounding, transcribed."""

from __future__ import annotations

import base64

import pytest

from kubekit.node.rules.downward import format_map, pod_field_value, resource_field_value
from kubekit.node.rules.envvars import EnvError, make_environment
from kubekit.node.rules.errors import NodeRulesError


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


CONFIG_MAPS = {"test-config-map": {"data": {"REPLACE_ME": "FROM_CONFIG_MAP", "DUPE_TEST": "CONFIG_MAP",
                                            "EXPANSION_TEST": "$(REPLACE_ME)"}},
               "bad-keys": {"data": {"1234": "abc", "1z": "abc", "key": "value"}}}
SECRETS = {"test-secret": {"data": {"REPLACE_ME": b64("FROM_SECRET"), "DUPE_TEST": b64("SECRET")}},
           "bad-keys": {"data": {"1234": b64("abc"), "1z": b64("abc"), "key.1": b64("value")}}}
POD = {"metadata": {"name": "dapi-test-pod-name", "namespace": "test", "uid": "u-1",
                    "labels": {"b": "2", "a": "1"}, "annotations": {"note": "x"}},
       "spec": {"nodeName": "node-name", "serviceAccountName": "special",
                "containers": [{"name": "app"}]},
       "status": {}}
ALLOC = {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi"}


def env(container, pod=POD, config_maps=CONFIG_MAPS, secrets=SECRETS):
    return make_environment(pod, container, get_config_map=config_maps.get, get_secret=secrets.get,
                            allocatable=ALLOC, host_ips=["5.6.7.8"], pod_ips=["1.2.3.4", "fd00::6"])


def test_downward_api_pod():
    c = {"name": "app", "env": [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "POD_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "POD_SERVICE_ACCOUNT_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
        {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
        {"name": "POD_UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
        {"name": "LABEL_A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['a']"}}},
        {"name": "NOTE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['note']"}}},
    ]}
    assert dict(env(c).env) == {"POD_NAME": "dapi-test-pod-name", "POD_NAMESPACE": "test",
                                "POD_NODE_NAME": "node-name", "POD_SERVICE_ACCOUNT_NAME": "special",
                                "POD_IP": "1.2.3.4", "POD_IPS": "1.2.3.4,fd00::6", "HOST_IP": "5.6.7.8",
                                "POD_UID": "u-1", "LABEL_A": "1", "NOTE": "x"}


def test_config_map_env_from_with_prefix_and_env_overrides_and_expansion():
    c = {"name": "app",
         "envFrom": [{"configMapRef": {"name": "test-config-map"}},
                     {"prefix": "p_", "configMapRef": {"name": "test-config-map"}}],
         "env": [{"name": "TEST_LITERAL", "value": "test-test-test"},
                 {"name": "EXPANSION_TEST", "value": "$(REPLACE_ME)"},
                 {"name": "DUPE_TEST", "value": "ENV_VAR"}]}
    got = dict(env(c).env)
    assert got == {"REPLACE_ME": "FROM_CONFIG_MAP", "DUPE_TEST": "ENV_VAR", "EXPANSION_TEST": "FROM_CONFIG_MAP",
                   "p_REPLACE_ME": "FROM_CONFIG_MAP", "p_DUPE_TEST": "CONFIG_MAP", "p_EXPANSION_TEST": "$(REPLACE_ME)",
                   "TEST_LITERAL": "test-test-test"}


def test_secret_env_from_and_key_refs():
    c = {"name": "app", "envFrom": [{"secretRef": {"name": "test-secret"}}],
         "env": [{"name": "FROM_KEY", "valueFrom": {"secretKeyRef": {"name": "test-secret", "key": "REPLACE_ME"}}},
                 {"name": "CM_KEY", "valueFrom": {"configMapKeyRef": {"name": "test-config-map",
                                                                       "key": "DUPE_TEST"}}}]}
    assert dict(env(c).env) == {"REPLACE_ME": "FROM_SECRET", "DUPE_TEST": "SECRET", "FROM_KEY": "FROM_SECRET",
                                "CM_KEY": "CONFIG_MAP"}


@pytest.mark.parametrize("source,label", [("configMapRef", "configMap"), ("secretRef", "secret")])
def test_invalid_keys_are_skipped_with_one_event(source, label):
    result = env({"name": "app", "envFrom": [{source: {"name": "bad-keys"}}]})
    assert result.warnings == (("InvalidEnvironmentVariableNames",
                                f"Keys [1234, 1z] from the EnvFrom {label} test/bad-keys were skipped since they "
                                "are considered invalid environment variable names."),)
    assert [k for k, _ in result.env] in (["key"], ["key.1"])


def test_invalid_keys_made_valid_by_a_prefix():
    result = env({"name": "app", "envFrom": [{"prefix": "p_", "configMapRef": {"name": "bad-keys"}}]})
    assert dict(result.env) == {"p_1234": "abc", "p_1z": "abc", "p_key": "value"} and result.warnings == ()


@pytest.mark.parametrize("container,message", [
    ({"envFrom": [{"configMapRef": {"name": "missing"}}]}, 'configmap "missing" not found'),
    ({"envFrom": [{"secretRef": {"name": "missing"}}]}, 'secret "missing" not found'),
    ({"env": [{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "missing", "key": "k"}}}]},
     'configmap "missing" not found'),
    ({"env": [{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "test-config-map", "key": "nokey"}}}]},
     "couldn't find key nokey in ConfigMap test/test-config-map"),
    ({"env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "test-secret", "key": "nokey"}}}]},
     "couldn't find key nokey in Secret test/test-secret"),
    ({"env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "missing", "key": "k"}}}]},
     'secret "missing" not found'),
])
def test_missing_sources_fail_with_the_kubelets_message(container, message):
    with pytest.raises(EnvError) as e:
        env({"name": "app", **container})
    assert str(e.value) == message and e.value.reason == "CreateContainerConfigError"


@pytest.mark.parametrize("container", [
    {"envFrom": [{"configMapRef": {"name": "missing", "optional": True}}]},
    {"envFrom": [{"secretRef": {"name": "missing", "optional": True}}]},
    {"env": [{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "missing", "key": "k", "optional": True}}}]},
    {"env": [{"name": "K", "valueFrom": {"configMapKeyRef": {"name": "test-config-map", "key": "no",
                                                             "optional": True}}}]},
    {"env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "missing", "key": "k", "optional": True}}}]},
    {"env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "test-secret", "key": "no", "optional": True}}}]},
])
def test_optional_missing_sources_leave_the_variable_out(container):
    assert env({"name": "app", **container}).env == ()


def test_expansion_uses_only_earlier_definitions_and_an_empty_value_is_kept():
    c = {"name": "app", "env": [{"name": "LATER_REF", "value": "$(B)"}, {"name": "B", "value": "b"},
                                {"name": "EMPTY", "value": ""}, {"name": "BOTH", "value": "$(B)$(EMPTY)$$(B)"}]}
    assert env(c).env == (("LATER_REF", "$(B)"), ("B", "b"), ("EMPTY", ""), ("BOTH", "b$(B)"))


def test_resource_field_refs_default_to_allocatable_and_round_up():
    c = {"name": "app", "resources": {"limits": {"cpu": "250m"}, "requests": {"memory": "100Mi"}},
         "env": [{"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                 {"name": "CPU_M", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
                 {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Gi"}}},
                 {"name": "REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}},
                 {"name": "REQ_CPU", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu"}}}]}
    assert dict(env(c).env) == {"CPU": "1", "CPU_M": "250", "MEM": "8", "REQ": "100", "REQ_CPU": "0"}


@pytest.mark.parametrize("resource,divisor,limits,want", [
    ("limits.cpu", "", {"cpu": "1"}, "1"),
    ("limits.cpu", "", {"cpu": "1001m"}, "2"),          # rounded up to whole cores
    ("limits.cpu", "1m", {"cpu": "1001m"}, "1001"),
    ("limits.cpu", "100m", {"cpu": "250m"}, "3"),
    ("limits.memory", "", {"memory": "1Mi"}, "1048576"),
    ("limits.memory", "1Mi", {"memory": "1500Ki"}, "2"),
    ("limits.memory", "1M", {"memory": "1Mi"}, "2"),     # 1048576 / 1000000 rounded up
    ("limits.ephemeral-storage", "1Gi", {"ephemeral-storage": "1Gi"}, "1"),
    ("limits.hugepages-2Mi", "1Mi", {"hugepages-2Mi": "4Mi"}, "4"),
])
def test_resource_field_value(resource, divisor, limits, want):
    ref = {"resource": resource, **({"divisor": divisor} if divisor else {})}
    assert resource_field_value(ref, {"resources": {"limits": limits}}) == want


def test_unsupported_paths_fail():
    with pytest.raises(NodeRulesError, match="unsupported container resource : limits.gpu"):
        resource_field_value({"resource": "limits.gpu"}, {})
    with pytest.raises(NodeRulesError, match="unsupported fieldPath: spec.hostname"):
        pod_field_value(POD, "spec.hostname")


def test_whole_label_map_is_formatted_sorted_and_quoted():
    assert pod_field_value(POD, "metadata.labels") == 'a="1"\nb="2"'
    assert format_map({"k": 'say "hi"\n'}) == 'k="say \\"hi\\"\\n"'
