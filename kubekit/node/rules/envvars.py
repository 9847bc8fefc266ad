"""A container's environment, as the kubelet's ``makeEnvironmentVariables``
(kubelet_pods.go) builds it, as a pure function of the pod, the container and
lookups for ConfigMaps and Secrets:

1. ``envFrom`` in order (later sources replace earlier keys): every key of the
   ConfigMap's ``data`` / the Secret's ``data`` (base64-decoded), with
   ``prefix``; a key that is not a valid variable name is skipped and reported
   as one ``InvalidEnvironmentVariableNames`` warning per source; a missing
   source fails unless ``optional``;
2. ``env`` in order, replacing ``envFrom``: a non-empty ``value`` has its
   ``$(VAR)`` references expanded against what is defined so far
   (:mod:`kubekit.node.rules.expansion`); otherwise ``valueFrom`` resolves
   ``fieldRef``, ``resourceFieldRef`` (limits defaulted to the node's
   allocatable), ``configMapKeyRef`` or ``secretKeyRef`` (a missing object or
   key with ``optional: true`` leaves the variable out).

Values from ``envFrom`` and ``valueFrom`` are never expanded.  Failures raise
:class:`EnvError` with the kubelet's message (``configmap "x" not found``,
``couldn't find key k in ConfigMap ns/x``); the agent reports it as
``CreateContainerConfigError``.  No service links (kubekit has no Services).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.node.rules.downward import limits_defaulted_to_allocatable, pod_field_value, resource_field_value
from kubekit.node.rules.errors import NodeRulesError
from kubekit.node.rules.expansion import expand, mapping_for

__all__ = ["EnvError", "EnvResult", "make_environment", "secret_bytes"]

Lookup = Callable[[str], "Mapping[str, Any] | None"]     # name -> the object, or None when not found


class EnvError(NodeRulesError):
    """The environment cannot be built (kubelet's ``CreateContainerConfigError``)."""

    reason = "CreateContainerConfigError"


@dataclass(frozen=True, slots=True)
class EnvResult:
    env: tuple[tuple[str, str], ...]           # in definition order
    warnings: tuple[tuple[str, str], ...]      # (event reason, message)


def secret_bytes(secret: Mapping[str, Any], key: str) -> bytes | None:
    """A Secret's value for ``key`` (``data`` is base64), or None."""
    data = secret.get("data") or {}
    if key not in data:
        return None
    return base64.b64decode(data[key] or "")


def _get(kind: str, name: str, cache: dict, lookup: Lookup) -> Mapping[str, Any] | None:
    if name not in cache:
        cache[name] = lookup(name)
    return cache[name]


def _not_found(kind: str, name: str) -> EnvError:
    return EnvError(f'{kind} "{name}" not found')


def _env_from(pod, container, get_config_map: Lookup, get_secret: Lookup, cms: dict, secrets: dict,
              env: dict[str, str], warnings: list[tuple[str, str]]) -> None:
    from kubekit.validation.names import env_var_name_errors

    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    for src in container.get("envFrom") or ():
        prefix = src.get("prefix") or ""
        if src.get("configMapRef") is not None:
            ref, kind, label = src["configMapRef"], "configmap", "configMap"
            obj = _get(kind, ref.get("name", ""), cms, get_config_map)
            values = {k: str(v) for k, v in ((obj or {}).get("data") or {}).items()}
        elif src.get("secretRef") is not None:
            ref, kind, label = src["secretRef"], "secret", "secret"
            obj = _get(kind, ref.get("name", ""), secrets, get_secret)
            values = {k: secret_bytes(obj, k).decode(errors="replace") for k in ((obj or {}).get("data") or {})}
        else:
            continue
        if obj is None:
            if ref.get("optional"):
                continue
            raise _not_found(kind, ref.get("name", ""))
        invalid = []
        for k, v in values.items():
            k = prefix + k
            if env_var_name_errors(k):
                invalid.append(k)
                continue
            env[k] = v
        if invalid:
            warnings.append(("InvalidEnvironmentVariableNames",
                             f"Keys [{', '.join(sorted(invalid))}] from the EnvFrom {label} {ns}/{ref.get('name', '')} "
                             "were skipped since they are considered invalid environment variable names."))


def _value_from(pod, container, vf: Mapping[str, Any], get_config_map: Lookup, get_secret: Lookup, cms: dict,
                secrets: dict, allocatable: Mapping[str, Any], host_ips: Sequence[str],
                pod_ips: Sequence[str]) -> str | None:
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    if vf.get("fieldRef") is not None:
        return pod_field_value(pod, str(vf["fieldRef"].get("fieldPath") or ""), host_ips=host_ips, pod_ips=pod_ips)
    if vf.get("resourceFieldRef") is not None:
        ref = vf["resourceFieldRef"]
        target = container
        if ref.get("containerName"):
            spec = pod.get("spec") or {}
            target = next((c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                           if c.get("name") == ref["containerName"]), None)
            if target is None:
                raise EnvError(f"container {ref['containerName']} not found")
        return resource_field_value(ref, limits_defaulted_to_allocatable(target, allocatable))
    for field, kind, label, cache, lookup in (("configMapKeyRef", "configmap", "ConfigMap", cms, get_config_map),
                                              ("secretKeyRef", "secret", "Secret", secrets, get_secret)):
        ref = vf.get(field)
        if ref is None:
            continue
        name, key, optional = ref.get("name", ""), ref.get("key", ""), bool(ref.get("optional"))
        obj = _get(kind, name, cache, lookup)
        if obj is None:
            if optional:
                return None
            raise _not_found(kind, name)
        if kind == "configmap":
            raw = (obj.get("data") or {}).get(key)
            value = None if raw is None else str(raw)
        else:
            b = secret_bytes(obj, key)
            value = None if b is None else b.decode(errors="replace")
        if value is None:
            if optional:
                return None
            raise EnvError(f"couldn't find key {key} in {label} {ns}/{name}")
        return value
    return ""


def make_environment(pod: Mapping[str, Any], container: Mapping[str, Any], *, get_config_map: Lookup,
                     get_secret: Lookup, allocatable: Mapping[str, Any] | None = None,
                     host_ips: Sequence[str] = (), pod_ips: Sequence[str] = ()) -> EnvResult:
    """The container's final environment (see the module docstring)."""
    cms: dict = {}
    secrets: dict = {}
    env: dict[str, str] = {}
    warnings: list[tuple[str, str]] = []
    _env_from(pod, container, get_config_map, get_secret, cms, secrets, env, warnings)
    mapping = mapping_for(env)            # reads ``env`` as it grows: earlier definitions only
    for var in container.get("env") or ():
        name = var.get("name")
        if not name:
            continue
        value = var.get("value") or ""
        if value:
            value = expand(value, mapping)
        elif var.get("valueFrom") is not None:
            got = _value_from(pod, container, var["valueFrom"], get_config_map, get_secret, cms, secrets,
                              allocatable or {}, host_ips, pod_ips)
            if got is None:
                continue                  # optional and missing: the variable is left out
            value = got
        env[name] = value
    return EnvResult(tuple(env.items()), tuple(warnings))
