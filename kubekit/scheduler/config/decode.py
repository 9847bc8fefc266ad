"""Stage 1: strict decoding (sigs.k8s.io/json strict unmarshal into the v1 Go types).

``cmd/kube-scheduler/app/options/configfile.go`` ``loadConfig``: apiVersion/kind,
unknown fields, Go type errors, and the in-tree plugin args decoded strictly too.
"""

from __future__ import annotations

import base64
from typing import Any, Mapping, Sequence

from kubekit.scheduler.config.api import API_VERSION, GROUP, KIND
from kubekit.scheduler.config.durations import _Duration, _parse_go_duration
from kubekit.scheduler.config.field_errors import _fail, _go_json, _go_quote
from kubekit.scheduler.config.schema import (
    _ARGS_SCHEMAS,
    _List,
    _Map,
    _RawArgs,
    _REGISTERED_KINDS,
    _Scalar,
    _Struct,
    _TOP,
)


_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, Mapping):
        return "object"
    return "value"


class _Decoder:
    def __init__(self) -> None:
        self.type_error: str | None = None
        self.strict: list[str] = []

    def _type_error(self, value: str, struct: str, stack: Sequence[str], go_type: str) -> None:
        if self.type_error is None:
            field_path = ".".join(stack)
            if struct or field_path:
                self.type_error = (f"json: cannot unmarshal {value} into Go struct field "
                                   f"{struct}.{field_path} of type {go_type}")
            else:
                self.type_error = f"json: cannot unmarshal {value} into Go value of type {go_type}"

    def decode(self, node: Any, v: Any, struct: str, stack: tuple[str, ...], path: str) -> Any:
        """Returns the decoded value, or _ABSENT for null / a failed conversion."""
        if v is None:
            return _ABSENT
        if isinstance(node, _Struct):
            if not isinstance(v, Mapping):
                self._type_error(_json_kind(v), struct, stack, node.go)
                return _ABSENT
            out: dict[str, Any] = {}
            for key, val in v.items():
                if not isinstance(key, str):
                    key = str(key)
                sub = node.fields.get(key)
                sub_path = f"{path}.{key}" if path else key
                if sub is None:
                    self.strict.append(f"unknown field {_go_quote(sub_path)}")
                    continue
                dec = self.decode(sub, val, node.name, stack + (key,), sub_path)
                if dec is not _ABSENT:
                    out[key] = dec
            return out
        if isinstance(node, _List):
            if not isinstance(v, (list, tuple)):
                self._type_error(_json_kind(v), struct, stack, node.go)
                return _ABSENT
            items = []
            for i, item in enumerate(v):
                dec = self.decode(node.elem, item, struct, stack, f"{path}[{i}]")
                items.append(_zero(node.elem) if dec is _ABSENT else dec)
            return items
        if isinstance(node, _Map):
            if not isinstance(v, Mapping):
                self._type_error(_json_kind(v), struct, stack, node.go)
                return _ABSENT
            out2 = {}
            for key, val in v.items():
                dec = self.decode(node.elem, val, struct, stack, path)
                out2[str(key)] = _zero(node.elem) if dec is _ABSENT else dec
            return out2
        if isinstance(node, _RawArgs):
            return _plain(v)
        return self._scalar(node, v, struct, stack)

    def _scalar(self, node: _Scalar, v: Any, struct: str, stack: tuple[str, ...]) -> Any:
        go = node.go
        kind = _json_kind(v)
        if go == "string":
            if kind == "string":
                return v
        elif go == "bool":
            if kind == "bool":
                return v
        elif go in ("int32", "int64"):
            if kind == "number":
                if isinstance(v, float) and not v.is_integer():
                    self._type_error(f"number {v!r}", struct, stack, go)
                    return _ABSENT
                n = int(v)
                lo, hi = _INT_RANGES[go]
                if not lo <= n <= hi:
                    self._type_error(f"number {n}", struct, stack, go)
                    return _ABSENT
                return n
        elif go == "float32":
            if kind == "number":
                return float(v)
        elif go == "[]uint8":
            if kind == "string":
                try:
                    return base64.b64decode(v, validate=True)
                except ValueError:
                    if self.type_error is None:
                        self.type_error = "illegal base64 data"
                    return _ABSENT
        elif go == "duration":
            # metav1.Duration.UnmarshalJSON: a string for time.ParseDuration.
            if kind == "string":
                try:
                    return _Duration(_parse_go_duration(v))
                except ValueError as e:
                    if self.type_error is None:
                        self.type_error = str(e)
                    return _ABSENT
            if self.type_error is None:
                self.type_error = f"json: cannot unmarshal {kind} into Go value of type string"
            return _ABSENT
        self._type_error(kind, struct, stack, go if go != "duration" else "string")
        return _ABSENT


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _zero(node: Any) -> Any:
    if isinstance(node, _Struct) or isinstance(node, _Map):
        return {}
    if isinstance(node, _List):
        return None
    return {"string": "", "bool": False, "int32": 0, "int64": 0, "float32": 0.0}.get(getattr(node, "go", ""), None)


def _plain(v: Any) -> Any:
    """A JSON-like deep copy (mappings → dict, sequences → list)."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _decode_document(doc: Any, yaml_duplicates: Sequence[str]) -> dict[str, Any]:
    # runtime/serializer/json Serializer.Decode: meta.Interpret, then the GVK.
    if doc is not None and not isinstance(doc, Mapping):
        raise _fail([
            "couldn't get version/kind; json parse error: json: cannot unmarshal "
            f"{_json_kind(doc)} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
            "Kind string \"json:\\\"kind,omitempty\\\"\" }"])
    raw = dict(doc or {})
    api_version, kind = raw.get("apiVersion"), raw.get("kind")
    for name, value in (("apiVersion", api_version), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise _fail([f"couldn't get version/kind; json parse error: json: cannot unmarshal {_json_kind(value)} "
                         f"into Go struct field .{name} of type string"])
    data = _go_json(doc)
    if not kind:
        raise _fail([f"Object 'Kind' is missing in '{data}'"])
    if not api_version:
        raise _fail([f"Object 'apiVersion' is missing in '{data}'"])
    if api_version.count("/") > 1:
        raise _fail([f"unexpected GroupVersion string: {api_version}"])
    if api_version != API_VERSION or kind != KIND:
        raise _fail([f'no kind {_go_quote(kind)} is registered for version {_go_quote(api_version)} '
                     f'in scheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'])

    dec = _Decoder()
    top = dec.decode(_TOP, raw, "", (), "")
    if dec.type_error is not None:
        raise _fail([dec.type_error])
    strict = list(dec.strict)
    if yaml_duplicates:
        strict.append("error converting YAML to JSON: yaml: unmarshal errors:\n  " + "\n  ".join(yaml_duplicates))

    # KubeSchedulerConfiguration.DecodeNestedObjects: in-tree args kinds decoded
    # strictly; other args stay raw.
    for i, prof in enumerate(top.get("profiles") or ()):
        for j, pc in enumerate(prof.get("pluginConfig") or ()):
            name = pc.get("name", "")
            schema = _ARGS_SCHEMAS.get(name)
            if schema is None or "args" not in pc:
                pc["_typed"] = schema is not None
                continue
            where = f"decoding .profiles[{i}].pluginConfig[{j}]"
            args = pc["args"]
            if isinstance(args, Mapping):
                a_ver, a_kind = args.get("apiVersion"), args.get("kind")
                if a_ver not in (None, "", API_VERSION):
                    raise _fail([f"{where}: decoding args for plugin {name}: no kind {_go_quote(a_kind or schema.name)} "
                                 f"is registered for version {_go_quote(a_ver)} in scheme "
                                 '"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'])
                if a_kind not in (None, "", schema.name):
                    if a_kind not in _REGISTERED_KINDS:
                        raise _fail([f"{where}: decoding args for plugin {name}: no kind {_go_quote(a_kind)} is "
                                     f"registered for version {_go_quote(API_VERSION)} in scheme "
                                     '"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'])
                    raise _fail([f"{where}: args for plugin {name} were not of type {schema.name}.{GROUP}, "
                                 f"got {a_kind}.{GROUP}"])
            adec = _Decoder()
            decoded = adec.decode(schema, args, "", (), "")
            if adec.type_error is not None:
                raise _fail([f"{where}: decoding args for plugin {name}: {adec.type_error}"])
            if adec.strict:
                strict.append(f"{where}: strict decoding error: decoding args for plugin {name}: "
                              f"strict decoding error: {', '.join(adec.strict)}")
            pc["args"] = decoded
            pc["_typed"] = True
    if strict:
        raise _fail(["strict decoding error: " + ", ".join(strict)])
    return top
