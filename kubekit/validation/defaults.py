"""The API server's defaulting, for the kinds kubekit validates.

The API server defaults an object (``SetDefaults_*`` in
``pkg/apis/core/v1/defaults.go`` and ``pkg/apis/apps/v1/defaults.go``, plus
the generated ``+default`` markers) *before* it validates it, so validation
treats e.g. an empty ``imagePullPolicy`` as an error.  These functions are
pure: they return a new dict and never modify their argument.

Applied here:

* Pod (``SetDefaults_Pod``): requests default to limits (containers and
  init containers), ``enableServiceLinks: true``, with ``hostNetwork`` every
  container port's ``hostPort`` defaults to its ``containerPort``;
* every pod spec, also in templates (``SetDefaults_PodSpec``):
  ``dnsPolicy: ClusterFirst``, ``restartPolicy: Always``,
  ``securityContext: {}``, ``terminationGracePeriodSeconds: 30``,
  ``schedulerName: default-scheduler``;
* containers (``SetDefaults_Container``): ``imagePullPolicy`` Always for
  ``:latest`` or an untagged, undigested image, else IfNotPresent;
  ``terminationMessagePath: /dev/termination-log``,
  ``terminationMessagePolicy: File``; ports ``protocol: TCP``; probes
  ``timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1,
  failureThreshold: 3``; ``httpGet`` ``path: /`` and ``scheme: HTTP``;
  ``fieldRef.apiVersion: v1``;
* volumes: no source means ``emptyDir: {}`` (``SetDefaults_Volume``);
* Deployment (``SetDefaults_Deployment``): ``replicas: 1``, strategy
  RollingUpdate with ``maxUnavailable``/``maxSurge`` 25%,
  ``revisionHistoryLimit: 10``, ``progressDeadlineSeconds: 600``;
* ReplicaSet (``SetDefaults_ReplicaSet``): ``replicas: 1``;
* Node (``SetDefaults_NodeStatus``): ``allocatable`` defaults to ``capacity``.

Also the request handling that precedes validation (``rest.BeforeCreate``):
a namespaced object without ``metadata.namespace`` gets the request's
namespace (:func:`with_namespace`), and an object with ``generateName`` but
no ``name`` gets a generated name (:func:`with_generated_name`; the default
generator is the API server's random five-character suffix).

Not applied: ``SetDefaults_ResourceList``'s rounding up to milli-units,
pod-level resource defaults, secret/configMap volume ``defaultMode``,
service defaults and any kind not listed.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "default_deployment",
    "default_node",
    "default_pod",
    "default_pod_spec",
    "default_replica_set",
    "image_tag",
    "pull_policy_for",
    "simple_name_generator",
    "with_generated_name",
    "with_namespace",
]

# github.com/distribution/reference grammar (what parsers.ParseImageName uses).
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")
_HEX64 = re.compile(r"[a-f0-9]{64}")


def image_tag(image: str) -> str:
    """The tag ``parsers.ParseImageName`` returns: the image's tag, ``latest``
    when it has neither tag nor digest, ``""`` when it has only a digest or
    does not parse."""
    m = _REFERENCE.fullmatch(image)
    if m is None or len(m.group(1)) > 255 or _HEX64.fullmatch(image):
        return ""
    tag, digest = m.group(2) or "", m.group(3) or ""
    if not tag and not digest:
        return "latest"
    return tag


def pull_policy_for(image: str) -> str:
    """SetDefaults_Container's imagePullPolicy."""
    return "Always" if image_tag(image) == "latest" else "IfNotPresent"


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _setdefault(d: dict[str, Any], key: str, value: Any) -> None:
    """Go's ``if x == zero { x = value }``: unset, null or the zero value."""
    if d.get(key) in (None, "", 0) and not (isinstance(d.get(key), bool)):
        d[key] = value


def _default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        _setdefault(probe, key, value)
    _default_http_get(probe.get("httpGet"))


def _default_http_get(action: Any) -> None:
    if isinstance(action, dict):
        _setdefault(action, "path", "/")
        _setdefault(action, "scheme", "HTTP")


def _default_container(c: Any) -> None:
    if not isinstance(c, dict):
        return
    if not c.get("imagePullPolicy"):
        image = c.get("image")
        c["imagePullPolicy"] = pull_policy_for(image if isinstance(image, str) else "")
    _setdefault(c, "terminationMessagePath", "/dev/termination-log")
    _setdefault(c, "terminationMessagePolicy", "File")
    for port in _items(c.get("ports")):
        if isinstance(port, dict):
            _setdefault(port, "protocol", "TCP")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(c.get(key))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _default_http_get(lifecycle[hook].get("httpGet"))
    for var in _items(c.get("env")):
        if isinstance(var, dict) and isinstance(var.get("valueFrom"), dict):
            ref = var["valueFrom"].get("fieldRef")
            if isinstance(ref, dict):
                _setdefault(ref, "apiVersion", "v1")


_VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume",
    "azureDisk", "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
)


def _default_spec_in_place(spec: dict[str, Any]) -> None:
    _setdefault(spec, "dnsPolicy", "ClusterFirst")
    _setdefault(spec, "restartPolicy", "Always")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    _setdefault(spec, "schedulerName", "default-scheduler")
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for c in _items(spec.get(key)):
            _default_container(c)
    for vol in _items(spec.get("volumes")):
        if isinstance(vol, dict) and not any(vol.get(s) is not None for s in _VOLUME_SOURCES):
            vol["emptyDir"] = {}


def default_pod_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_PodSpec and the container/port/probe defaults."""
    out = copy.deepcopy(dict(spec))
    _default_spec_in_place(out)
    return out


def _copy_with(obj: Mapping[str, Any], fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(dict(obj))
    fn(out)
    return out


def _default_pod_in_place(pod: dict[str, Any]) -> None:
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    for key in ("containers", "initContainers"):
        for c in _items(spec.get(key)):
            if not isinstance(c, dict) or not isinstance(c.get("resources"), dict):
                continue
            limits = c["resources"].get("limits")
            if isinstance(limits, dict):
                requests = c["resources"].get("requests")
                if not isinstance(requests, dict):
                    requests = c["resources"]["requests"] = {}
                for name, value in limits.items():
                    requests.setdefault(name, value)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork") is True:
        for key in ("containers", "initContainers"):
            for c in _items(spec.get(key)):
                for port in _items(c.get("ports")) if isinstance(c, dict) else []:
                    if isinstance(port, dict) and not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    _default_spec_in_place(spec)


def default_pod(pod: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_Pod, then the pod spec defaults."""
    return _copy_with(pod, _default_pod_in_place)


def _template_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """``spec.template.spec``, created when unset (Go's template is a struct,
    never nil, so its pod spec is always defaulted)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if spec.get("template") is None:
        spec["template"] = {}
    template = spec["template"]
    if not isinstance(template, dict):
        return None
    if template.get("spec") is None:
        template["spec"] = {}
    return template["spec"] if isinstance(template["spec"], dict) else None


def _default_deployment_in_place(d: dict[str, Any]) -> None:
    spec = d.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    _setdefault(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        if not isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"] = {}
        ru = strategy["rollingUpdate"]
        if ru.get("maxUnavailable") is None:
            ru["maxUnavailable"] = "25%"
        if ru.get("maxSurge") is None:
            ru["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    if (ts := _template_spec(d)) is not None:
        _default_spec_in_place(ts)


def default_deployment(deployment: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_Deployment (apps/v1) and the template's pod spec defaults."""
    return _copy_with(deployment, _default_deployment_in_place)


def _default_replica_set_in_place(rs: dict[str, Any]) -> None:
    spec = rs.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if (ts := _template_spec(rs)) is not None:
        _default_spec_in_place(ts)


def default_replica_set(rs: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_ReplicaSet and the template's pod spec defaults."""
    return _copy_with(rs, _default_replica_set_in_place)


def _default_node_in_place(node: dict[str, Any]) -> None:
    status = node.get("status")
    if isinstance(status, dict) and status.get("allocatable") is None and status.get("capacity") is not None:
        status["allocatable"] = copy.deepcopy(status["capacity"])


def default_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """SetDefaults_NodeStatus."""
    return _copy_with(node, _default_node_in_place)


def with_namespace(obj: Mapping[str, Any], namespace: str = "default") -> dict[str, Any]:
    """The request's namespace for an object that names none (what
    ``rest.BeforeCreate`` does before validation)."""
    out = copy.deepcopy(dict(obj))
    meta = out.get("metadata")
    if meta is None:
        meta = out["metadata"] = {}
    if isinstance(meta, dict) and not meta.get("namespace"):
        meta["namespace"] = namespace
    return out


_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand
_MAX_NAME_LENGTH = 63
_RANDOM_LENGTH = 5
_MAX_GENERATED_NAME_LENGTH = _MAX_NAME_LENGTH - _RANDOM_LENGTH


def simple_name_generator(base: str) -> str:
    """names.SimpleNameGenerator: ``base`` (cut to 58 characters) plus five
    random characters.  Not deterministic, like the API server's."""
    if len(base) > _MAX_GENERATED_NAME_LENGTH:
        base = base[:_MAX_GENERATED_NAME_LENGTH]
    return base + "".join(random.choice(_ALPHANUMS) for _ in range(_RANDOM_LENGTH))


def with_generated_name(obj: Mapping[str, Any], generate: Callable[[str], str] = simple_name_generator) -> dict[str, Any]:
    """``metadata.name`` from ``metadata.generateName`` when the name is unset."""
    out = copy.deepcopy(dict(obj))
    meta = out.get("metadata")
    if isinstance(meta, dict) and not meta.get("name") and isinstance(meta.get("generateName"), str) and meta["generateName"]:
        meta["name"] = generate(meta["generateName"])
    return out
