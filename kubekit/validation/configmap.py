"""v1 ConfigMap and Secret: ``ValidateConfigMap``, ``ValidateConfigMapUpdate``,
``ValidateSecret``, ``ValidateSecretUpdate`` (``pkg/apis/core/validation/
validation.go``) and the API server's defaulting and conversion of Secrets
(``SetDefaults_Secret``: type ``Opaque``; the v1 conversion merges
``stringData`` into ``data``, ``stringData`` winning, and drops it).

* keys of ``data`` / ``binaryData`` are config keys (``[-._a-zA-Z0-9]+``, at
  most 253 characters, not ``.`` or ``..``); a ConfigMap key may not be in both;
* the values together are at most 1 MiB (``MaxSecretSize``);
* a Secret's type asks for its keys: ``kubernetes.io/tls`` tls.crt and
  tls.key, ``kubernetes.io/dockerconfigjson`` .dockerconfigjson (JSON),
  ``kubernetes.io/dockercfg`` .dockercfg (JSON), ``kubernetes.io/basic-auth``
  username or password, ``kubernetes.io/ssh-auth`` a non-empty
  ssh-privatekey, ``kubernetes.io/service-account-token`` the
  service-account name annotation.  Upstream's field paths are kept, quirks
  included (``data[%s][username]``);
* updates: a Secret's ``type`` is immutable, and once ``immutable: true`` is
  set neither it nor the data may change.

Values in ``data`` / ``binaryData`` are base64 in the manifest; an undecodable
one is a field error here (the API server refuses it while decoding, a 400).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import FieldError, Path, forbidden, invalid, required, too_long
from kubekit.validation.meta import immutable, validate_object_meta, validate_object_meta_update
from kubekit.validation.names import config_map_key_errors, name_is_dns_subdomain

__all__ = ["MAX_SECRET_SIZE", "default_secret", "validate_config_map", "validate_config_map_update",
           "validate_secret", "validate_secret_update"]

MAX_SECRET_SIZE = 1 * 1024 * 1024
IMMUTABLE_SET = "field is immutable when `immutable` is set"
REDACTED = "<secret contents redacted>"


def default_secret(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Type ``Opaque`` when empty; ``stringData`` merged into ``data`` (base64) and dropped."""
    out = dict(obj)
    if not out.get("type"):
        out["type"] = "Opaque"
    string_data = out.pop("stringData", None)
    if isinstance(string_data, Mapping) and string_data:
        data = dict(out.get("data") or {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        out["data"] = data
    return out


def _decode(values: Mapping[str, Any], path: Path, errs: list[FieldError], what: str) -> dict[str, bytes]:
    out = {}
    for k in sorted(values):
        v = values[k]
        try:
            out[k] = base64.b64decode(v if isinstance(v, str) else "", validate=True) if v else b""
            if v and not isinstance(v, str):
                raise binascii.Error("not a string")
        except (binascii.Error, ValueError) as e:
            errs.append(invalid(path.key(k), what, f"illegal base64 data: {e}"))
    return out


def _keys(values: Mapping[str, Any], path: Path) -> list[FieldError]:
    return [invalid(path.key(k), k, m) for k in sorted(values) for m in config_map_key_errors(k)]


def validate_config_map(cm: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    errs = validate_object_meta(cm.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    data = shape.string_map(cm.get("data"), Path("data"), errs)
    binary = _decode(shape.mapping(cm.get("binaryData"), Path("binaryData"), errs), Path("binaryData"), errs,
                     "<binary data>")
    errs += _keys(data, Path("data"))
    errs += [invalid(Path("data").key(k), k, "duplicate of key present in binaryData")
             for k in sorted(data) if k in binary]
    errs += _keys(binary, Path("binaryData"))
    total = sum(len(v.encode()) for v in data.values()) + sum(len(v) for v in binary.values())
    if total > MAX_SECRET_SIZE:
        errs.append(too_long(Path(""), MAX_SECRET_SIZE))
    return errs


def _immutable_errors(new: Mapping[str, Any], old: Mapping[str, Any], fields: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    errs = []
    if new.get("immutable") is not True:
        errs.append(forbidden(Path("immutable"), IMMUTABLE_SET))
    for f in fields:
        if (new.get(f) or {}) != (old.get(f) or {}):
            errs.append(forbidden(Path(f), IMMUTABLE_SET))
    return errs


def validate_config_map_update(new: Mapping[str, Any], old: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += _immutable_errors(new, old, ("data", "binaryData"))
    return errs + validate_config_map(new)


def _is_json(raw: bytes) -> str | None:
    """None when ``raw`` is a JSON object, else the reason."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        return str(e)
    return None if isinstance(value, dict) else "json: cannot unmarshal into Go value of type map[string]interface {}"


def validate_secret(secret: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    errs = validate_object_meta(secret.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    data_path = Path("data")
    data = _decode(shape.mapping(secret.get("data"), data_path, errs), data_path, errs, REDACTED)
    errs += _keys(data, data_path)
    if sum(len(v) for v in data.values()) > MAX_SECRET_SIZE:
        errs.append(too_long(data_path, MAX_SECRET_SIZE))
    kind = secret.get("type") or ""
    annotations = (secret.get("metadata") or {}).get("annotations") or {}
    if kind == "kubernetes.io/service-account-token":
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.append(required(Path("metadata", "annotations").key("kubernetes.io/service-account.name"), ""))
    elif kind in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if kind == "kubernetes.io/dockercfg" else ".dockerconfigjson"
        if key not in data:
            errs.append(required(data_path.key(key), ""))
        else:
            why = _is_json(data[key])
            if why is not None:
                errs.append(invalid(data_path.key(key), REDACTED, why))
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:     # either may be empty, one must be present
            errs += [required(Path("data[%s]").key("username"), ""), required(Path("data[%s]").key("password"), "")]
    elif kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            errs.append(required(Path("data[%s]").key("ssh-privatekey"), ""))
    elif kind == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                errs.append(required(data_path.key(key), ""))
    return errs


def validate_secret_update(new: Mapping[str, Any], old: Mapping[str, Any], _options: Any = None) -> list[FieldError]:
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    errs += immutable(new.get("type") or "", old.get("type") or "", Path("type"))
    errs += _immutable_errors(new, old, ("data",))
    return errs + validate_secret(new)
