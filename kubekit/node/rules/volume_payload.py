"""What a configMap, secret, downwardAPI or projected volume holds: the
kubelet's ``MakePayload`` / ``CollectData`` (pkg/volume/{configmap,secret,
downwardapi,projected}), as pure functions from the source and the objects to
``{relative path: (bytes, mode)}``, which :mod:`kubekit.node.atomicwriter`
writes.

* without ``items`` every key becomes a file of ``defaultMode``
  (ConfigMap ``data`` and ``binaryData``, Secret ``data`` base64-decoded);
* with ``items`` only the listed keys, at ``path``, with ``mode`` or
  ``defaultMode``; a listed key the object lacks fails
  (``configmap references non-existent config key: k``) unless ``optional``;
* a missing object fails (``configmap "x" not found``) unless ``optional``,
  which gives an empty volume;
* ``projected`` merges its sources in order (a later path replaces an earlier
  one) under the projected ``defaultMode``; ``serviceAccountToken`` and
  ``clusterTrustBundle`` sources are not supported (kubekit has no token
  issuer) and fail.

``defaultMode`` defaults to 0644 as the API server does.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from kubekit.node.rules.downward import limits_defaulted_to_allocatable, resource_field_value, volume_field_value
from kubekit.node.rules.errors import NodeRulesError

__all__ = ["VolumeError", "configmap_payload", "downward_payload", "projected_payload", "secret_payload",
           "volume_payload", "PROJECTED_KINDS", "TMPFS_KINDS"]

DEFAULT_MODE = 0o644
Payload = dict[str, tuple[bytes, int]]
Lookup = Callable[[str], "Mapping[str, Any] | None"]

#: the volume kinds this module projects, and those the kubelet backs with memory (tmpfs)
PROJECTED_KINDS = ("configMap", "secret", "downwardAPI", "projected")
TMPFS_KINDS = ("secret", "projected")


class VolumeError(NodeRulesError):
    """A volume cannot be set up (the kubelet's ``FailedMount``; the pod's
    containers wait in ``ContainerCreating``)."""

    reason = "ContainerCreating"


def _keyed(values: Mapping[str, bytes], items, default_mode: int, optional: bool, what: str) -> Payload:
    if not items:
        return {k: (v, default_mode) for k, v in values.items()}
    out: Payload = {}
    for it in items:
        key = it.get("key", "")
        if key not in values:
            if optional:
                continue
            raise VolumeError(f"{what} references non-existent {'config' if what == 'configmap' else 'secret'} "
                              f"key: {key}")
        mode = it.get("mode")
        out[it.get("path", "")] = (values[key], default_mode if mode is None else int(mode))
    return out


def configmap_payload(source: Mapping[str, Any], cm: Mapping[str, Any] | None, default_mode: int | None = None) -> Payload:
    mode = _mode(source, default_mode)
    optional = bool(source.get("optional"))
    if cm is None:
        if optional:
            return {}
        raise VolumeError(f'configmap "{source.get("name", "")}" not found')
    values = {k: str(v).encode() for k, v in (cm.get("data") or {}).items()}
    values.update({k: base64.b64decode(v or "") for k, v in (cm.get("binaryData") or {}).items()})
    return _keyed(values, source.get("items"), mode, optional, "configmap")


def secret_payload(source: Mapping[str, Any], secret: Mapping[str, Any] | None, default_mode: int | None = None,
                   name_field: str = "secretName") -> Payload:
    mode = _mode(source, default_mode)
    optional = bool(source.get("optional"))
    if secret is None:
        if optional:
            return {}
        raise VolumeError(f'secret "{source.get(name_field, "")}" not found')
    values = {k: base64.b64decode(v or "") for k, v in (secret.get("data") or {}).items()}
    return _keyed(values, source.get("items"), mode, optional, "secret")


def downward_payload(source: Mapping[str, Any], pod: Mapping[str, Any], allocatable: Mapping[str, Any],
                     default_mode: int | None = None) -> Payload:
    """``downwardapi.CollectData``: each item's ``fieldRef`` (metadata) or
    ``resourceFieldRef`` (of ``containerName``) at its cleaned ``path``."""
    mode = _mode(source, default_mode)
    out: Payload = {}
    errors = []
    spec = pod.get("spec") or {}
    for it in source.get("items") or ():
        path = posixpath.normpath(it.get("path", ""))
        item_mode = mode if it.get("mode") is None else int(it["mode"])
        try:
            if it.get("fieldRef") is not None:
                data = volume_field_value(pod, str(it["fieldRef"].get("fieldPath") or ""))
            elif it.get("resourceFieldRef") is not None:
                ref = it["resourceFieldRef"]
                c = next((c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                          if c.get("name") == ref.get("containerName")), None)
                if c is None:
                    raise NodeRulesError(f"container {ref.get('containerName')} not found")
                data = resource_field_value(ref, limits_defaulted_to_allocatable(c, allocatable))
            else:
                continue
        except NodeRulesError as e:
            errors.append(str(e))
            continue
        out[path] = (data.encode(), item_mode)
    if errors:
        raise VolumeError("; ".join(errors))
    return out


def projected_payload(source: Mapping[str, Any], pod: Mapping[str, Any], get_config_map: Lookup,
                      get_secret: Lookup, allocatable: Mapping[str, Any]) -> Payload:
    mode = _mode(source, None)
    out: Payload = {}
    for src in source.get("sources") or ():
        if src.get("configMap") is not None:
            cm = src["configMap"]
            out.update(configmap_payload(cm, get_config_map(cm.get("name", "")), mode))
        elif src.get("secret") is not None:
            s = src["secret"]
            out.update(secret_payload(s, get_secret(s.get("name", "")), mode, name_field="name"))
        elif src.get("downwardAPI") is not None:
            out.update(downward_payload(src["downwardAPI"], pod, allocatable, mode))
        else:
            kind = next(iter(src), "?")
            raise VolumeError(f"projected source {kind} is not supported by kubekit's node agent "
                              "(configMap, secret and downwardAPI are)")
    return out


def _mode(source: Mapping[str, Any], inherited: int | None) -> int:
    if inherited is not None:
        return inherited
    m = source.get("defaultMode")
    return DEFAULT_MODE if m is None else int(m)


def volume_payload(volume: Mapping[str, Any], pod: Mapping[str, Any], *, get_config_map: Lookup,
                   get_secret: Lookup, allocatable: Mapping[str, Any]) -> Payload:
    """The payload of one pod volume of a kind in :data:`PROJECTED_KINDS`."""
    if volume.get("configMap") is not None:
        src = volume["configMap"]
        return configmap_payload(src, get_config_map(src.get("name", "")))
    if volume.get("secret") is not None:
        src = volume["secret"]
        return secret_payload(src, get_secret(src.get("secretName", "")))
    if volume.get("downwardAPI") is not None:
        return downward_payload(volume["downwardAPI"], pod, allocatable)
    if volume.get("projected") is not None:
        return projected_payload(volume["projected"], pod, get_config_map, get_secret, allocatable)
    raise VolumeError(f'volume "{volume.get("name")}": not a configMap, secret, downwardAPI or projected volume')
