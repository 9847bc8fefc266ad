"""Containers: names, images, ports, env, volume mounts, probes, lifecycle.

Ports of ``validateContainers``, ``validateInitContainers``,
``validateContainerCommon``, ``validateContainerPorts``, ``ValidateEnv``,
``ValidateEnvFrom``, ``ValidateVolumeMounts``, ``validatePullPolicy``, the
probe and handler checks and ``AccumulateUniqueHostPorts`` from
``pkg/apis/core/validation/validation.go`` (v1.34).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import (
    FieldError,
    Path,
    duplicate,
    forbidden,
    invalid,
    not_found,
    not_supported,
    required,
)
from kubekit.validation.meta import validate_nonnegative
from kubekit.validation.names import (
    config_map_key_errors,
    dns1123_label_errors,
    http_header_name_errors,
    name_is_dns_subdomain,
    port_name_errors,
    port_num_errors,
)
from kubekit.validation.resources import validate_container_resource_requirements

__all__ = ["relaxed_env_var_name_errors", "validate_containers", "validate_init_containers"]

_PULL_POLICIES = ("Always", "IfNotPresent", "Never")  # sets.List: sorted
_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List: sorted
_TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_HTTP_SCHEMES = ("HTTP", "HTTPS")
_ENV_FIELD_PATHS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)
# ConvertDownwardAPIFieldLabel("v1", ...): paths the conversion accepts.
_CONVERTIBLE_FIELD_PATHS = frozenset(_ENV_FIELD_PATHS) | {
    "metadata.annotations", "metadata.labels", "spec.restartPolicy", "spec.schedulerName", "status.phase",
}
_RESOURCE_FIELD_PATHS = (
    "limits.cpu", "limits.ephemeral-storage", "limits.memory",
    "requests.cpu", "requests.ephemeral-storage", "requests.memory",
)


def relaxed_env_var_name_errors(name: str) -> list[str]:
    """IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, GA and on in v1.34)."""
    if not name:
        return ["environment variable name must be non-empty"]
    if any(ord(c) > 127 or not c.isprintable() or c == "=" for c in name):
        return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    return []


def _name(value: Any, path: Path, errs: list[FieldError]) -> str:
    return shape.string(value, path, errs)


def _validate_ports(ports: list[Any], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, raw in enumerate(ports):
        p = path.index(i)
        port = shape.mapping(raw, p, errs)
        name = shape.string(port.get("name"), p.child("name"), errs)
        if name:
            msgs = port_name_errors(name)
            if msgs:
                errs += [invalid(p.child("name"), name, m) for m in msgs]
            elif name in names:
                errs.append(duplicate(p.child("name"), name))
            else:
                names.add(name)
        container_port = shape.integer(port.get("containerPort"), p.child("containerPort"), errs) or 0
        if container_port == 0:
            errs.append(required(p.child("containerPort")))
        else:
            errs += [invalid(p.child("containerPort"), container_port, m) for m in port_num_errors(container_port)]
        host_port = shape.integer(port.get("hostPort"), p.child("hostPort"), errs) or 0
        if host_port != 0:
            errs += [invalid(p.child("hostPort"), host_port, m) for m in port_num_errors(host_port)]
        protocol = shape.string(port.get("protocol"), p.child("protocol"), errs)
        if not protocol:
            errs.append(required(p.child("protocol")))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported(p.child("protocol"), protocol, _PROTOCOLS))
    return errs


def _validate_field_ref(ref: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    api_version = shape.string(ref.get("apiVersion"), path.child("apiVersion"), errs)
    field_path = shape.string(ref.get("fieldPath"), path.child("fieldPath"), errs)
    if not api_version:
        errs.append(required(path.child("apiVersion")))
        return
    if not field_path:
        errs.append(required(path.child("fieldPath")))
        return
    base, bracket, _ = field_path.partition("[")
    if bracket and base in ("metadata.annotations", "metadata.labels") and field_path.endswith("]"):
        return  # subscripted labels/annotations: qualified-name checks not ported
    if api_version != "v1":
        errs.append(invalid(path.child("fieldPath"), field_path,
                            f"error converting fieldPath: unsupported pod version: {api_version}"))
        return
    if field_path not in _CONVERTIBLE_FIELD_PATHS:
        errs.append(invalid(path.child("fieldPath"), field_path,
                            f"error converting fieldPath: field label not supported: {field_path}"))
        return
    if field_path not in _ENV_FIELD_PATHS:
        errs.append(not_supported(path.child("fieldPath"), field_path, sorted(_ENV_FIELD_PATHS)))


def _validate_key_selector(sel: Mapping[str, Any], path: Path, errs: list[FieldError]) -> None:
    name = shape.string(sel.get("name"), path.child("name"), errs)
    errs += [invalid(path.child("name"), name, m) for m in name_is_dns_subdomain(name, False)]
    key = shape.string(sel.get("key"), path.child("key"), errs)
    if not key:
        errs.append(required(path.child("key")))
    else:
        errs += [invalid(path.child("key"), key, m) for m in config_map_key_errors(key)]


def _validate_env(env: list[Any], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, raw in enumerate(env):
        p = path.index(i)
        var = shape.mapping(raw, p, errs)
        name = shape.string(var.get("name"), p.child("name"), errs)
        if not name:
            errs.append(required(p.child("name")))
        else:
            errs += [invalid(p.child("name"), name, m) for m in relaxed_env_var_name_errors(name)]
        value_from = var.get("valueFrom")
        if value_from is None:
            continue
        vp = p.child("valueFrom")
        source = shape.mapping(value_from, vp, errs)
        n = 0
        if source.get("fieldRef") is not None:
            n += 1
            _validate_field_ref(shape.mapping(source["fieldRef"], vp.child("fieldRef"), errs), vp.child("fieldRef"), errs)
        if source.get("resourceFieldRef") is not None:
            n += 1
            rp = vp.child("resourceFieldRef")
            ref = shape.mapping(source["resourceFieldRef"], rp, errs)
            resource = shape.string(ref.get("resource"), rp.child("resource"), errs)
            if not resource:
                errs.append(required(rp.child("resource")))
            elif resource not in _RESOURCE_FIELD_PATHS and not resource.startswith(("requests.hugepages-", "limits.hugepages-")):
                errs.append(not_supported(rp.child("resource"), resource, _RESOURCE_FIELD_PATHS))
        for key in ("configMapKeyRef", "secretKeyRef"):
            if source.get(key) is not None:
                n += 1
                _validate_key_selector(shape.mapping(source[key], vp.child(key), errs), vp.child(key), errs)
        if n == 0:
            errs.append(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        elif var.get("value"):
            errs.append(invalid(vp, "", "may not be specified when `value` is not empty"))
        elif n > 1:
            errs.append(invalid(vp, "", "may not have more than one field specified at a time"))
    return errs


def _validate_env_from(env_from: list[Any], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, raw in enumerate(env_from):
        p = path.index(i)
        src = shape.mapping(raw, p, errs)
        prefix = shape.string(src.get("prefix"), p.child("prefix"), errs)
        if prefix:
            errs += [invalid(p.child("prefix"), prefix, m) for m in relaxed_env_var_name_errors(prefix)]
        n = 0
        for key in ("configMapRef", "secretRef"):
            if src.get(key) is None:
                continue
            n += 1
            rp = p.child(key)
            ref = shape.mapping(src[key], rp, errs)
            name = shape.string(ref.get("name"), rp.child("name"), errs)
            if not name:
                errs.append(required(rp.child("name")))
            else:
                errs += [invalid(rp.child("name"), name, m) for m in name_is_dns_subdomain(name, True)]
        if n == 0:
            errs.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif n > 1:
            errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


def _validate_volume_mounts(mounts: list[Any], volumes: frozenset[str], path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    mount_points: set[str] = set()
    for i, raw in enumerate(mounts):
        p = path.index(i)
        m = shape.mapping(raw, p, errs)
        name = shape.string(m.get("name"), p.child("name"), errs)
        mount_path = shape.string(m.get("mountPath"), p.child("mountPath"), errs)
        if not name:
            errs.append(required(p.child("name")))
        if name not in volumes:
            errs.append(not_found(p.child("name"), name))
        if not mount_path:
            errs.append(required(p.child("mountPath")))
        if mount_path in mount_points:
            errs.append(invalid(p.child("mountPath"), mount_path, "must be unique"))
        mount_points.add(mount_path)
    return errs


def _validate_port_num_or_name(value: Any, path: Path) -> list[FieldError]:
    """ValidatePortNumOrName for an IntOrString."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [invalid(path, value, m) for m in port_num_errors(value)]
    if isinstance(value, str):
        return [invalid(path, value, m) for m in port_name_errors(value)]
    if value is None:
        return [invalid(path, 0, m) for m in port_num_errors(0)]
    return [invalid(path, value, "must be an integer or a string")]


def _validate_handler(handler: Mapping[str, Any], kinds: tuple[str, ...], grace: int | None, path: Path) -> list[FieldError]:
    """validateHandler: exactly one of exec/httpGet/tcpSocket/grpc (probes)
    or exec/httpGet/tcpSocket/sleep (lifecycle)."""
    errs: list[FieldError] = []
    count = 0
    for kind in ("exec", "httpGet", "tcpSocket", "grpc", "sleep"):
        if kind not in kinds or handler.get(kind) is None:
            continue
        if count > 0:
            errs.append(forbidden(path.child(kind), "may not specify more than 1 handler type"))
            continue
        count += 1
        hp = path.child(kind)
        action = shape.mapping(handler[kind], hp, errs)
        if kind == "exec":
            if not shape.sequence(action.get("command"), hp.child("command"), errs):
                errs.append(required(hp.child("command")))
        elif kind == "httpGet":
            if not shape.string(action.get("path"), hp.child("path"), errs):
                errs.append(required(hp.child("path")))
            errs += _validate_port_num_or_name(action.get("port"), hp.child("port"))
            scheme = shape.string(action.get("scheme"), hp.child("scheme"), errs)
            if scheme not in _HTTP_SCHEMES:
                errs.append(not_supported(hp.child("scheme"), scheme, _HTTP_SCHEMES))
            for header in shape.sequence(action.get("httpHeaders"), hp.child("httpHeaders"), errs):
                hname = header.get("name", "") if isinstance(header, dict) else ""
                errs += [invalid(hp.child("httpHeaders"), hname, m) for m in http_header_name_errors(hname)]
        elif kind == "tcpSocket":
            errs += _validate_port_num_or_name(action.get("port"), hp.child("port"))
        elif kind == "grpc":
            port = shape.integer(action.get("port"), hp.child("port"), errs) or 0
            errs += [invalid(hp.child("port"), port, m) for m in port_num_errors(port)]
        else:  # sleep; PodLifecycleSleepActionAllowZero is on (beta) in v1.34
            seconds = shape.integer(action.get("seconds"), hp.child("seconds"), errs) or 0
            if grace is not None and (seconds < 0 or seconds > grace):
                errs.append(invalid(hp, seconds, f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"))
    if count == 0:
        errs.append(required(path, "must specify a handler type"))
    return errs


_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")


def _validate_probe(raw: Any, grace: int | None, path: Path, kind: str) -> list[FieldError]:
    if raw is None:
        return []
    errs: list[FieldError] = []
    probe = shape.mapping(raw, path, errs)
    errs += _validate_handler(probe, _PROBE_HANDLERS, grace, path)
    for name in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs += validate_nonnegative(shape.integer(probe.get(name), path.child(name), errs), path.child(name))
    tgps = shape.integer(probe.get("terminationGracePeriodSeconds"), path.child("terminationGracePeriodSeconds"), errs)
    if tgps is not None and tgps <= 0:
        errs.append(invalid(path.child("terminationGracePeriodSeconds"), tgps, "must be greater than 0"))
    if kind in ("liveness", "startup"):
        success = probe.get("successThreshold") or 0
        if success != 1:
            errs.append(invalid(path.child("successThreshold"), success, "must be 1"))
    elif tgps is not None:
        errs.append(invalid(path.child("terminationGracePeriodSeconds"), tgps, "must not be set for readinessProbes"))
    return errs


def _validate_lifecycle(raw: Any, grace: int | None, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    lifecycle = shape.mapping(raw, path, errs)
    for hook in ("postStart", "preStop"):
        if lifecycle.get(hook) is not None:
            handler = shape.mapping(lifecycle[hook], path.child(hook), errs)
            errs += _validate_handler(handler, _LIFECYCLE_HANDLERS, grace, path.child(hook))
    return errs


def _validate_probes(ctr: Mapping[str, Any], grace: int | None, path: Path) -> list[FieldError]:
    errs: list[FieldError] = []
    if ctr.get("lifecycle") is not None:
        errs += _validate_lifecycle(ctr["lifecycle"], grace, path.child("lifecycle"))
    errs += _validate_probe(ctr.get("livenessProbe"), grace, path.child("livenessProbe"), "liveness")
    errs += _validate_probe(ctr.get("readinessProbe"), grace, path.child("readinessProbe"), "readiness")
    errs += _validate_probe(ctr.get("startupProbe"), grace, path.child("startupProbe"), "startup")
    return errs


def _validate_common(ctr: Mapping[str, Any], volumes: frozenset[str], path: Path) -> list[FieldError]:
    """validateContainerCommon."""
    errs: list[FieldError] = []
    name = shape.string(ctr.get("name"), path.child("name"), errs)
    if not name:
        errs.append(required(path.child("name")))
    else:
        errs += [invalid(path.child("name"), name, m) for m in dns1123_label_errors(name)]
    if not shape.string(ctr.get("image"), path.child("image"), errs):
        errs.append(required(path.child("image")))
    policy = shape.string(ctr.get("terminationMessagePolicy"), path.child("terminationMessagePolicy"), errs)
    if not policy:
        errs.append(required(path.child("terminationMessagePolicy")))
    elif policy not in _TERMINATION_MESSAGE_POLICIES:
        errs.append(not_supported(path.child("terminationMessagePolicy"), policy, _TERMINATION_MESSAGE_POLICIES))
    errs += _validate_ports(shape.sequence(ctr.get("ports"), path.child("ports"), errs), path.child("ports"))
    errs += _validate_env(shape.sequence(ctr.get("env"), path.child("env"), errs), path.child("env"))
    errs += _validate_env_from(shape.sequence(ctr.get("envFrom"), path.child("envFrom"), errs), path.child("envFrom"))
    mounts = shape.sequence(ctr.get("volumeMounts"), path.child("volumeMounts"), errs)
    errs += _validate_volume_mounts(mounts, volumes, path.child("volumeMounts"))
    pull = shape.string(ctr.get("imagePullPolicy"), path.child("imagePullPolicy"), errs)
    if not pull:
        errs.append(required(path.child("imagePullPolicy")))
    elif pull not in _PULL_POLICIES:
        errs.append(not_supported(path.child("imagePullPolicy"), pull, _PULL_POLICIES))
    errs += validate_container_resource_requirements(ctr.get("resources"), path.child("resources"))
    return errs


def _host_port_conflicts(containers: list[Mapping[str, Any]], path: Path) -> list[FieldError]:
    """checkHostPortConflicts / AccumulateUniqueHostPorts."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for ci, ctr in enumerate(containers):
        for pi, port in enumerate(shape.items(ctr.get("ports"))):
            if not isinstance(port, dict):
                continue
            host_port = port.get("hostPort") or 0
            if host_port == 0:
                continue
            key = f"{shape.text(port.get('protocol'))}/{shape.text(port.get('hostIP'))}/{host_port}"
            if key in seen:
                errs.append(duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key))
            else:
                seen.add(key)
    return errs


def _as_containers(raw: Any, path: Path, errs: list[FieldError]) -> list[Mapping[str, Any]]:
    return [shape.mapping(c, path.index(i), errs) for i, c in enumerate(shape.sequence(raw, path, errs))]


def validate_containers(raw: Any, volumes: frozenset[str], grace: int | None, path: Path) -> list[FieldError]:
    """validateContainers: at least one; unique names; probes; no restartPolicy."""
    errs: list[FieldError] = []
    containers = _as_containers(raw, path, errs)
    if not containers:
        return errs + [required(path)]
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        p = path.index(i)
        errs += _validate_common(ctr, volumes, p)
        name = shape.text(ctr.get("name"))
        if name in names:
            errs.append(duplicate(p.child("name"), name))
        else:
            names.add(name)
        errs += _validate_probes(ctr, grace, p)
        if ctr.get("restartPolicy") is not None:
            errs.append(forbidden(p.child("restartPolicy"), "may not be set for non-init containers"))
    return errs + _host_port_conflicts(containers, path)


def validate_init_containers(
    raw: Any, regular: Any, volumes: frozenset[str], grace: int | None, path: Path
) -> list[FieldError]:
    """validateInitContainers: names unique across init and regular
    containers; ``restartPolicy: Always`` (a sidecar) is the only value and
    allows lifecycle and probes."""
    errs: list[FieldError] = []
    containers = _as_containers(raw, path, errs)
    names = {shape.text(c.get("name")) for c in shape.items(regular) if isinstance(c, dict)}
    for i, ctr in enumerate(containers):
        p = path.index(i)
        errs += _validate_common(ctr, volumes, p)
        restart_always = False
        if ctr.get("restartPolicy") is not None:
            policy = shape.string(ctr["restartPolicy"], p.child("restartPolicy"), errs)
            if policy != "Always":
                errs.append(not_supported(p.child("restartPolicy"), policy, ["Always"]))
            restart_always = policy == "Always"
        name = shape.text(ctr.get("name"))
        if name in names:
            errs.append(duplicate(p.child("name"), name))
        elif name:
            names.add(name)
        # Upstream checks each init container on its own, indexing it as [0].
        errs += _host_port_conflicts([ctr], path)
        if restart_always:
            errs += _validate_probes(ctr, grace, p)
        else:
            for hook in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if ctr.get(hook) is not None:
                    errs.append(forbidden(p.child(hook), "may not be set for init containers without restartPolicy=Always"))
    return errs
