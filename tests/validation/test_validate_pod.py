"""v1 Pod validation.  Each row names the upstream test whose case it
transcribes (pkg/apis/core/validation/validation_test.go) and the expected
text is what the Go code prints (pkg/apis/core/validation/validation.go,
field/errors.go)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubekit.validation import InvalidError, Options, check, check_update, validate, validate_update

DNS_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
QUALIFIED_NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def pod(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"containers": [{"name": "ctr", "image": "image"}]}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": base}


def errors(obj: dict[str, Any], **kw: Any) -> list[str]:
    return [str(e) for e in validate(obj, **kw)]


def test_minimal_pod_is_valid() -> None:
    assert errors(pod()) == []


@pytest.mark.parametrize(
    "case,obj,expected",
    [
        # TestValidatePodSpec "bad empty containers" / validateContainers: Required when empty.
        ("no containers", pod(containers=[]), ["spec.containers: Required value"]),
        # TestValidateContainers "zero-length name"
        ("zero-length name", pod(containers=[{"name": "", "image": "image"}]),
         ["spec.containers[0].name: Required value"]),
        # TestValidateContainers "name > 63 characters" style: not a DNS-1123 label
        ("name not a DNS label", pod(containers=[{"name": "Bad_Name", "image": "image"}]),
         [f'spec.containers[0].name: Invalid value: "Bad_Name": {DNS_LABEL_MSG}']),
        ("name with dots", pod(containers=[{"name": "a.b", "image": "image"}]),
         ['spec.containers[0].name: Invalid value: "a.b": must not contain dots']),
        # TestValidateContainers "zero-length image"
        ("zero-length image", pod(containers=[{"name": "abc", "image": ""}]),
         ["spec.containers[0].image: Required value"]),
        # TestValidateContainers "name not unique"
        ("duplicate names", pod(containers=[{"name": "abc", "image": "image"}, {"name": "abc", "image": "image"}]),
         ['spec.containers[1].name: Duplicate value: "abc"']),
        # TestValidateInitContainers "duplicate names" (init vs regular)
        ("init name clashes with a container", pod(initContainers=[{"name": "ctr", "image": "image"}]),
         ['spec.initContainers[0].name: Duplicate value: "ctr"']),
        # TestValidatePullPolicy / validatePullPolicy
        ("bad pull policy", pod(containers=[{"name": "abc", "image": "image", "imagePullPolicy": "Sometimes"}]),
         ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
          '"Always", "IfNotPresent", "Never"']),
        # TestValidatePodSpec "bad restart policy" / validateRestartPolicy
        ("bad restart policy", pod(restartPolicy="UnlessStopped"),
         ['spec.restartPolicy: Unsupported value: "UnlessStopped": supported values: "Always", "OnFailure", "Never"']),
        # TestValidatePodSpec "bad dns policy"
        ("bad dns policy", pod(dnsPolicy="invalid"),
         ['spec.dnsPolicy: Unsupported value: "invalid": supported values: "ClusterFirstWithHostNet", '
          '"ClusterFirst", "Default", "None"']),
        # TestValidatePodDNSConfig "invalid: no dnsConfig for DNSNone"
        ("DNSNone without dnsConfig", pod(dnsPolicy="None"),
         ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]),
        # TestValidatePorts "zero container port" / "out of range" / "invalid protocol" / "name not unique"
        ("container port 0", pod(containers=[{"name": "a", "image": "i", "ports": [{"containerPort": 0}]}]),
         ["spec.containers[0].ports[0].containerPort: Required value"]),
        ("container port too big", pod(containers=[{"name": "a", "image": "i", "ports": [{"containerPort": 65536}]}]),
         ["spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive"]),
        ("host port negative", pod(containers=[{"name": "a", "image": "i", "ports": [{"containerPort": 80, "hostPort": -1}]}]),
         ["spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"]),
        ("bad protocol", pod(containers=[{"name": "a", "image": "i", "ports": [{"containerPort": 80, "protocol": "tcp"}]}]),
         ['spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']),
        ("duplicate port names", pod(containers=[{"name": "a", "image": "i", "ports": [
            {"name": "web", "containerPort": 80}, {"name": "web", "containerPort": 81}]}]),
         ['spec.containers[0].ports[1].name: Duplicate value: "web"']),
        ("port name without a letter", pod(containers=[{"name": "a", "image": "i", "ports": [
            {"name": "123", "containerPort": 80}]}]),
         ['spec.containers[0].ports[0].name: Invalid value: "123": must contain at least one letter (a-z)']),
        # checkHostPortConflicts (TestValidatePodSpec "host port conflicts")
        ("host port conflict", pod(containers=[
            {"name": "a", "image": "i", "ports": [{"containerPort": 80, "hostPort": 8080}]},
            {"name": "b", "image": "i", "ports": [{"containerPort": 81, "hostPort": 8080}]}]),
         ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']),
        # TestValidateEnv "zero-length name" and valueFrom with value
        ("env without name", pod(containers=[{"name": "a", "image": "i", "env": [{"value": "x"}]}]),
         ["spec.containers[0].env[0].name: Required value"]),
        ("env name with '='", pod(containers=[{"name": "a", "image": "i", "env": [{"name": "a=b"}]}]),
         ['spec.containers[0].env[0].name: Invalid value: "a=b": a valid environment variable name must consist '
          "only of printable ASCII characters other than '='"]),
        ("env value and valueFrom", pod(containers=[{"name": "a", "image": "i", "env": [
            {"name": "A", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]),
         ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty']),
        ("env unsupported fieldPath", pod(containers=[{"name": "a", "image": "i", "env": [
            {"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}}]}]),
         ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: '
          '"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", '
          '"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"']),
        # TestValidateVolumeMounts "name not found", "empty mountpath"
        ("mount of an unknown volume", pod(containers=[{"name": "a", "image": "i", "volumeMounts": [
            {"name": "missing", "mountPath": "/data"}]}]),
         ['spec.containers[0].volumeMounts[0].name: Not found: "missing"']),
        ("mount without path", pod(volumes=[{"name": "v", "emptyDir": {}}],
                                  containers=[{"name": "a", "image": "i", "volumeMounts": [{"name": "v"}]}]),
         ["spec.containers[0].volumeMounts[0].mountPath: Required value"]),
        # TestValidateVolumes "name not a DNS label", "duplicate names", "more than one source"
        ("volume name", pod(volumes=[{"name": "Bad", "emptyDir": {}}]),
         [f'spec.volumes[0].name: Invalid value: "Bad": {DNS_LABEL_MSG}']),
        ("duplicate volumes", pod(volumes=[{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}]),
         ['spec.volumes[1].name: Duplicate value: "v"']),
        ("two volume sources", pod(volumes=[{"name": "v", "emptyDir": {}, "hostPath": {"path": "/x"}}]),
         ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"]),
        # validateVolumeSource's own spelling of the path for a second downwardAPI source
        ("downwardAPI as a second source", pod(volumes=[{"name": "v", "secret": {"secretName": "s"}, "downwardAPI": {}}]),
         ["spec.volumes[0].downwarAPI: Forbidden: may not specify more than 1 volume type"]),
        # TestValidatePodSpec "bad activeDeadlineSeconds"
        ("activeDeadlineSeconds 0", pod(activeDeadlineSeconds=0),
         ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]),
        # TestValidatePodSpec "bad nodeName", "bad hostname", "bad priorityClassName"
        ("bad nodeName", pod(nodeName="Node_1"),
         ['spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of lower case '
          "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
          "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
          "[a-z0-9])?)*')"]),
        ("bad preemptionPolicy", pod(preemptionPolicy="Sometimes"),
         ['spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"']),
        # TestValidatePodSpec "bad nodeSelector" (ValidateLabels reports at the map's path)
        ("bad nodeSelector value", pod(nodeSelector={"disk": "ssd!"}),
         [f'spec.nodeSelector: Invalid value: "ssd!": {LABEL_VALUE_MSG}']),
        # TestValidatePodSpec "bad os"
        ("bad os", pod(os={"name": "plan9"}),
         ['spec.os: Unsupported value: "plan9": supported values: "linux", "windows"']),
        # TestValidatePodCreate: ephemeral containers only through the subresource
        ("ephemeral containers on create", pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}]),
         ["spec.ephemeralContainers: Forbidden: cannot be set on create"]),
        # TestValidatePodCreateWithSchedulingGates "create with nodeName"
        ("nodeName with scheduling gates", pod(nodeName="node", schedulingGates=[{"name": "foo"}]),
         ["spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"]),
        ("duplicate scheduling gates", pod(schedulingGates=[{"name": "foo"}, {"name": "foo"}]),
         ['spec.schedulingGates[1]: Duplicate value: "foo"']),
        # validateContainerOnlyForPod: pods (not templates) reject padded images
        ("image with whitespace", pod(containers=[{"name": "a", "image": " image "}]),
         ['spec.containers[0].image: Invalid value: " image ": must not have leading or trailing whitespace']),
        # validatePodHostNetworkDeps: a pod's hostPort must equal containerPort
        ("hostNetwork hostPort mismatch", pod(hostNetwork=True, containers=[
            {"name": "a", "image": "i", "ports": [{"containerPort": 80, "hostPort": 81}]}]),
         ["spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_pod_spec(case: str, obj: dict[str, Any], expected: list[str]) -> None:
    assert errors(obj) == expected


@pytest.mark.parametrize(
    "case,resources,expected",
    [
        # TestValidateResourceRequirements / validateResourceRequirements: request above limit
        ("request above limit", {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}},
         ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']),
        ("memory request above limit", {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}},
         ['spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi']),
        # ValidateResourceQuantityValue: negative quantities
        ("negative", {"requests": {"cpu": "-1"}},
         ['spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']),
        # extended resources are integers and may not be overcommitted
        ("fractional extended resource", {"requests": {"example.com/a": "500m"}, "limits": {"example.com/a": "500m"}},
         ['spec.containers[0].resources.limits[example.com/a]: Invalid value: "500m": must be an integer',
          'spec.containers[0].resources.requests[example.com/a]: Invalid value: "500m": must be an integer']),
        ("extended request without limit", {"requests": {"example.com/a": "1"}},
         ["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"]),
        ("extended request below limit", {"requests": {"example.com/a": "1"}, "limits": {"example.com/a": "2"}},
         ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/a limit of 2']),
        # validateContainerResourceName
        # (on a Pod, SetDefaults_Pod copies the limit into requests, so both are reported)
        ("unknown bare resource", {"limits": {"disk": "1"}},
         ['spec.containers[0].resources.limits[disk]: Invalid value: "disk": must be a standard resource type or fully qualified',
          'spec.containers[0].resources.limits[disk]: Invalid value: "disk": must be a standard resource for containers',
          'spec.containers[0].resources.requests[disk]: Invalid value: "disk": must be a standard resource type or fully qualified',
          'spec.containers[0].resources.requests[disk]: Invalid value: "disk": must be a standard resource for containers']),
        ("pods is not a container resource", {"requests": {"pods": "1"}},
         ['spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers']),
        # hugepages: multiple of the page size, and cpu or memory alongside
        ("hugepages without cpu or memory", {"limits": {"hugepages-2Mi": "2Mi"}, "requests": {"hugepages-2Mi": "2Mi"}},
         ["spec.containers[0].resources: Forbidden: HugePages require cpu or memory"]),
        ("hugepages not a multiple", {"limits": {"hugepages-2Mi": "3Mi", "memory": "1Gi"},
                                      "requests": {"hugepages-2Mi": "3Mi", "memory": "1Gi"}},
         ['spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
          'spec.containers[0].resources.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi']),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_container_resources(case: str, resources: dict[str, Any], expected: list[str]) -> None:
    obj = pod(containers=[{"name": "ctr", "image": "image", "resources": resources}])
    assert errors(obj) == expected


def test_limits_default_requests_so_a_lone_limit_is_valid() -> None:
    # SetDefaults_Pod copies limits into missing requests before validation.
    obj = pod(containers=[{"name": "ctr", "image": "image", "resources": {"limits": {"cpu": "1", "example.com/a": "2"}}}])
    assert errors(obj) == []


def _probe(**kw: Any) -> dict[str, Any]:
    probe: dict[str, Any] = {"tcpSocket": {"port": 80}}
    probe.update(kw)
    return probe


@pytest.mark.parametrize(
    "case,ctr,expected",
    [
        # TestValidateProbe: no handler
        ("no handler", {"livenessProbe": {"periodSeconds": 5}},
         ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]),
        # TestValidateHandler: more than one handler
        ("two handlers", {"readinessProbe": _probe(exec={"command": ["true"]})},
         ["spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"]),
        # TestValidateProbe negative fields
        ("negative period", {"readinessProbe": _probe(initialDelaySeconds=-1)},
         ["spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0"]),
        # validateLivenessProbe / validateStartupProbe: successThreshold must be 1
        ("liveness success threshold", {"livenessProbe": _probe(successThreshold=2)},
         ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]),
        ("startup success threshold", {"startupProbe": _probe(successThreshold=3)},
         ["spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"]),
        # validateReadinessProbe: terminationGracePeriodSeconds not allowed
        ("readiness grace period", {"readinessProbe": _probe(terminationGracePeriodSeconds=10)},
         ["spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"]),
        ("probe grace period 0", {"livenessProbe": _probe(terminationGracePeriodSeconds=0)},
         ["spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"]),
        # TestValidateHTTPGetAction: bad port and scheme
        ("http port 0", {"livenessProbe": {"httpGet": {"port": 0}}},
         ["spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"]),
        ("http scheme", {"livenessProbe": {"httpGet": {"port": 80, "scheme": "FTP"}}},
         ['spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']),
        ("exec without command", {"livenessProbe": {"exec": {}}},
         ["spec.containers[0].livenessProbe.exec.command: Required value"]),
        # validateSleepAction (PodLifecycleSleepActionAllowZero on)
        ("sleep longer than the grace period", {"lifecycle": {"preStop": {"sleep": {"seconds": 31}}}},
         ["spec.containers[0].lifecycle.preStop.sleep: Invalid value: 31: must be non-negative and less than "
          "terminationGracePeriodSeconds (30)"]),
        # validateContainers: restartPolicy only on init containers
        ("restartPolicy on a container", {"restartPolicy": "Always"},
         ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_probes_and_lifecycle(case: str, ctr: dict[str, Any], expected: list[str]) -> None:
    container = {"name": "ctr", "image": "image", **ctr}
    assert errors(pod(containers=[container])) == expected


@pytest.mark.parametrize(
    "case,init,expected",
    [
        # TestValidateInitContainers: sidecars (restartPolicy Always) may have probes
        ("sidecar with probes", {"restartPolicy": "Always", "readinessProbe": _probe()}, []),
        ("init container with a probe", {"livenessProbe": _probe()},
         ["spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"]),
        ("init restartPolicy Never", {"restartPolicy": "Never"},
         ['spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"']),
        ("sidecar bad liveness", {"restartPolicy": "Always", "livenessProbe": _probe(successThreshold=2)},
         ["spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_init_containers(case: str, init: dict[str, Any], expected: list[str]) -> None:
    assert errors(pod(initContainers=[{"name": "init", "image": "image", **init}])) == expected


@pytest.mark.parametrize(
    "case,toleration,expected",
    [
        # TestValidateTolerations (success cases)
        ("exists without key", {"operator": "Exists"}, []),
        ("equal with value", {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}, []),
        ("NoExecute with seconds", {"key": "foo", "effect": "NoExecute", "tolerationSeconds": 30}, []),
        # TestValidateTolerations (error cases)
        ("invalid key", {"key": "nospecialchars^=@", "operator": "Equal", "value": "bar", "effect": "NoSchedule"},
         [f'spec.tolerations[0].key: Invalid value: "nospecialchars^=@": {QUALIFIED_NAME_PART}']),
        ("empty key with Equal", {"operator": "Equal", "value": "bar", "effect": "NoSchedule"},
         ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, '
          'which means "match all values and all keys"']),
        ("Exists with value", {"key": "foo", "operator": "Exists", "value": "bar", "effect": "NoSchedule"},
         ['spec.tolerations[0].operator: Invalid value: "bar": value must be empty when `operator` is \'Exists\'']),
        ("seconds without NoExecute", {"key": "foo", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 20},
         ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set']),
        ("bad effect", {"key": "foo", "operator": "Exists", "effect": "NoRun"},
         ['spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']),
        ("bad operator", {"key": "foo", "operator": "In", "value": "bar"},
         ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"']),
        ("bad value", {"key": "foo", "value": "a b"},
         [f'spec.tolerations[0].operator: Invalid value: "a b": {LABEL_VALUE_MSG}']),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_tolerations(case: str, toleration: dict[str, Any], expected: list[str]) -> None:
    assert errors(pod(tolerations=[toleration])) == expected


def test_numeric_toleration_operators_follow_the_gate() -> None:
    tol = {"key": "level", "operator": "Gt", "value": "900", "effect": "NoSchedule"}
    assert errors(pod(tolerations=[tol])) == [
        'spec.tolerations[0].operator: Unsupported value: "Gt": supported values: "Equal", "Exists"'
    ]
    gate = Options(toleration_comparison_operators=True)
    assert errors(pod(tolerations=[tol]), options=gate) == []
    bad = dict(tol, value="0900")
    assert errors(pod(tolerations=[bad]), options=gate) == [
        "spec.tolerations[0].value: Invalid value: \"0900\": for 'Gt', 'Lt' operators the value must be a decimal "
        "integer in canonical form within int64 (no sign '+', no leading zeros)"
    ]


NODE_AFFINITY = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"


@pytest.mark.parametrize(
    "case,affinity,expected",
    [
        # TestValidateAffinity: invalid node selector requirements
        ("no terms", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}},
         [f"{NODE_AFFINITY}.nodeSelectorTerms: Required value: must have at least one node selector term"]),
        ("In without values", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In"}]}]}}},
         [f"{NODE_AFFINITY}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when "
          "`operator` is 'In' or 'NotIn'"]),
        ("bad operator", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "Near", "values": ["a"]}]}]}}},
         [f'{NODE_AFFINITY}.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator']),
        ("Gt with two values", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["1", "2"]}]}]}}},
         [f"{NODE_AFFINITY}.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single "
          "value when `operator` is 'Lt' or 'Gt'"]),
        ("matchFields key", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.labels", "operator": "In", "values": ["a"]}]}]}}},
         [f'{NODE_AFFINITY}.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key']),
        ("preferred weight", {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 101, "preference": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}]}},
         ["spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: "
          "must be in the range 1-100"]),
        # TestValidateAffinity "invalid podAffinity, empty topologyKey"
        ("empty topologyKey", {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "x"}}, "topologyKey": ""}]}},
         ["spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
          'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty',
          f'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": {QUALIFIED_NAME_PART}']),
        ("anti-affinity weight 0", {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]}},
         ["spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: "
          "must be in the range 1-100"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_affinity(case: str, affinity: dict[str, Any], expected: list[str]) -> None:
    assert errors(pod(affinity=affinity)) == expected


@pytest.mark.parametrize(
    "case,constraints,expected",
    [
        # TestValidateTopologySpreadConstraints
        ("maxSkew 0", [{"maxSkew": 0, "topologyKey": "k8s.io/zone", "whenUnsatisfiable": "DoNotSchedule"}],
         ["spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"]),
        ("empty topologyKey", [{"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "DoNotSchedule"}],
         ["spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty"]),
        ("bad whenUnsatisfiable", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "N/A"}],
         ['spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "N/A": supported values: '
          '"DoNotSchedule", "ScheduleAnyway"']),
        ("duplicate pair", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                            {"maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}],
         ['spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"']),
        ("minDomains with ScheduleAnyway", [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
                                             "minDomains": 3}],
         ["spec.topologySpreadConstraints[0].minDomains: Invalid value: 3: can only use minDomains if "
          "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_topology_spread(case: str, constraints: list[Any], expected: list[str]) -> None:
    assert errors(pod(topologySpreadConstraints=constraints)) == expected


def test_pod_level_resources_consistency() -> None:
    # validatePodResourceConsistency
    obj = pod(resources={"requests": {"cpu": "500m"}, "limits": {"cpu": "1"}},
              containers=[{"name": "a", "image": "i", "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}}])
    assert errors(obj) == [
        'spec.resources.requests[cpu]: Invalid value: "500m": must be greater than or equal to aggregate container requests of 1',
        'spec.resources.containers[0][cpu].limits: Invalid value: "2": must be less than or equal to pod limits of 1',
    ]


def test_pod_metadata() -> None:
    # TestValidatePod: bad name, namespace required (without the request namespace)
    obj = pod()
    obj["metadata"] = {"name": "Bad_Name"}
    got = errors(obj, defaults=False)
    assert got[0].startswith('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')
    assert got[1] == "metadata.namespace: Required value"
    # ... while check() fills the request namespace "default" like the API server.
    obj = pod()
    del obj["metadata"]["namespace"]
    assert check(obj)["metadata"]["namespace"] == "default"


def test_without_defaults_the_defaulted_fields_are_required() -> None:
    got = errors(pod(), defaults=False)
    assert got == [
        "spec.terminationGracePeriodSeconds: Required value",
        "spec.containers[0].terminationMessagePolicy: Required value",
        "spec.containers[0].imagePullPolicy: Required value",
        "spec.restartPolicy: Required value",
        "spec.dnsPolicy: Required value",
    ]


def test_check_raises_the_api_server_message() -> None:
    obj = pod(containers=[{"name": "ctr", "image": ""}], restartPolicy="Sometimes")
    with pytest.raises(InvalidError) as info:
        check(obj)
    assert str(info.value) == (
        'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: '
        '"Sometimes": supported values: "Always", "OnFailure", "Never"]'
    )
    assert info.value.status()["code"] == 422


# --- updates: ValidatePodUpdate (TestValidatePodUpdate) ------------------------


def stored(**spec: Any) -> dict[str, Any]:
    """A pod as the store holds it: defaulted, with a resourceVersion and uid.
    Updates below change a copy of it, as a client does after a GET."""
    obj = pod(**spec)
    obj["metadata"].update(resourceVersion="1", uid="u1")
    return check(obj)


def updated(old: dict[str, Any], change: Any) -> dict[str, Any]:
    new = copy.deepcopy(old)
    change(new)
    return new


def update_errors(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    return [str(e) for e in validate_update(new, old)]


def test_image_change_is_allowed() -> None:
    old = stored()
    new = updated(old, lambda p: p["spec"]["containers"][0].update(image="image:2"))
    assert update_errors(new, old) == []


def test_image_change_without_the_defaulted_pull_policy_changes_it() -> None:
    # An update is defaulted too: dropping imagePullPolicy while moving from an
    # untagged image (Always) to a tag (IfNotPresent) changes a forbidden field.
    old = stored()
    new = updated(old, lambda p: p["spec"]["containers"][0].update(image="image:2", imagePullPolicy=None))
    [err] = validate_update(new, old)
    assert err.field == "spec" and err.body().endswith("imagePullPolicy: 'Always' -> 'IfNotPresent'")


def test_adding_a_container_is_forbidden() -> None:
    old = stored()
    new = updated(old, lambda p: p["spec"]["containers"].append({"name": "two", "image": "image"}))
    assert update_errors(new, old) == ["spec.containers: Forbidden: pod updates may not add or remove containers"]


def test_other_spec_changes_are_forbidden() -> None:
    old = stored()
    new = updated(old, lambda p: p["spec"].update(nodeSelector={"disk": "ssd"}))
    [err] = validate_update(new, old)
    assert err.field == "spec"
    assert err.body().startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)\n"
    )


def test_active_deadline_rules() -> None:
    old = stored(activeDeadlineSeconds=100)
    lower = updated(old, lambda p: p["spec"].update(activeDeadlineSeconds=50))
    higher = updated(old, lambda p: p["spec"].update(activeDeadlineSeconds=200))
    removed = updated(old, lambda p: p["spec"].pop("activeDeadlineSeconds"))
    assert update_errors(lower, old) == []
    assert update_errors(higher, old) == [
        "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"
    ]
    assert update_errors(removed, old) == [
        "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"
    ]


def test_toleration_rules() -> None:
    tol = {"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}
    old = stored(tolerations=[tol])
    added = updated(old, lambda p: p["spec"]["tolerations"].append({"key": "b", "operator": "Exists"}))
    seconds = updated(old, lambda p: p["spec"]["tolerations"][0].update(tolerationSeconds=5))
    changed = updated(old, lambda p: p["spec"]["tolerations"][0].update(key="c"))
    assert update_errors(added, old) == []
    assert update_errors(seconds, old) == []
    assert update_errors(changed, old) == [
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
    ]


def test_scheduling_gates_can_only_be_removed() -> None:
    old = stored(schedulingGates=[{"name": "a"}])
    assert update_errors(updated(old, lambda p: p["spec"].pop("schedulingGates")), old) == []
    added = updated(old, lambda p: p["spec"]["schedulingGates"].append({"name": "b"}))
    assert update_errors(added, old) == [
        "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'b'"
    ]


def test_metadata_update_rules() -> None:
    # ValidateObjectMetaUpdate: resourceVersion required, name and uid immutable
    old = stored()
    new = updated(old, lambda p: p["metadata"].update(name="q", uid="u2", resourceVersion=""))
    assert update_errors(new, old) == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update',
        'metadata.name: Invalid value: "q": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
    ]
    with pytest.raises(InvalidError) as info:
        check_update(new, old)
    assert str(info.value).startswith('Pod "q" is invalid: [metadata.resourceVersion: ')
