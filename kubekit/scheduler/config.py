"""Load kube-scheduler's own ``KubeSchedulerConfiguration`` (``kubescheduler.config.k8s.io/v1``).

A configuration goes through the same four stages as in kube-scheduler, and fails
at the first stage that finds a problem, with kube-scheduler's messages:

1. **decode** (``cmd/kube-scheduler/app/options/configfile.go`` ``loadConfig``):
   apiVersion/kind, strict decoding (unknown or duplicate fields are errors), Go
   types (``json: cannot unmarshal string into Go struct field ...``), plugin args
   of the in-tree ``<Plugin>Args`` kinds decoded strictly too;
2. **defaulting** (``pkg/scheduler/apis/config/v1/defaults.go`` and
   ``default_plugins.go``): parallelism 16, one ``default-scheduler`` profile, the
   v1 default plugins merged with the profile's plugins (``mergePlugins``), default
   args for every enabled in-tree plugin that has an args type;
3. **validation** (``pkg/scheduler/apis/config/validation/validation.go`` and
   ``validation_pluginargs.go``): every error is collected, like ``field.ErrorList``;
4. **framework construction** (``pkg/scheduler/framework/runtime/framework.go``
   ``NewFramework``/``expandMultiPointPlugins``, ``pkg/scheduler/profile/profile.go``):
   unknown plugin names (``FilterPlugin "Foo" does not exist``), plugins at an
   extension point they do not implement, duplicates, the NodeResourcesFit args
   (validated only here, by ``NewFit``), exactly one queue-sort plugin, at least
   one bind plugin, score weights.

The result is one :class:`Profile` per scheduler profile, with kube-scheduler's
final plugin list at every extension point.  See ``docs/scheduler-config.md``.

Targets Kubernetes v1.35 by default (``kubernetes_version="1.34"`` gives the
v1.34 defaults); the differences are listed in :data:`SUPPORTED_VERSIONS`' docs.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

import yaml

from kubekit.errors import ConfigError

log = logging.getLogger(__name__)

__all__ = [
    "API_VERSION",
    "BalancedAllocationArgs",
    "ConfigError",
    "DEFAULT_SCHEDULER_NAME",
    "EXTENSION_POINTS",
    "IMPLEMENTED_PLUGINS",
    "KIND",
    "NodeResourcesFitArgs",
    "Profile",
    "ResourceSpec",
    "SUPPORTED_VERSIONS",
    "SchedulerConfig",
    "ScoringStrategy",
    "UtilizationShapePoint",
    "default_config",
    "in_tree_plugins",
    "load_config",
]

GROUP = "kubescheduler.config.k8s.io"
API_VERSION = GROUP + "/v1"
KIND = "KubeSchedulerConfiguration"
DEFAULT_SCHEDULER_NAME = "default-scheduler"
SUPPORTED_VERSIONS = ("1.34", "1.35")
DEFAULT_VERSION = "1.35"

# The extension points of a profile, as spelled in the v1 API.
EXTENSION_POINTS = (
    "preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore",
    "score", "reserve", "permit", "preBind", "bind", "postBind",
)
_ALL_SETS = EXTENSION_POINTS + ("multiPoint",)

# framework.go getExtensionPoints: the order in which NewFramework fills (and
# MultiPoint-expands) the extension points, and the Go interface of each, which
# names the point in errors such as `FilterPlugin "Foo" does not exist`.
_FRAMEWORK_ORDER = (
    ("preFilter", "PreFilterPlugin"), ("filter", "FilterPlugin"),
    ("postFilter", "PostFilterPlugin"), ("reserve", "ReservePlugin"),
    ("preScore", "PreScorePlugin"), ("score", "ScorePlugin"),
    ("preBind", "PreBindPlugin"), ("bind", "BindPlugin"),
    ("postBind", "PostBindPlugin"), ("permit", "PermitPlugin"),
    ("preEnqueue", "PreEnqueuePlugin"), ("queueSort", "QueueSortPlugin"),
)

# The plugins kubekit's scheduler implements.
IMPLEMENTED_PLUGINS = frozenset({
    "PrioritySort", "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity",
    "NodeResourcesFit", "NodeResourcesBalancedAllocation", "DefaultBinder",
})

# In-tree registry (pkg/scheduler/framework/plugins/registry.go NewInTreeRegistry)
# and the extension points each plugin implements (its `var _ fwk.XPlugin = ...`
# assertions; cross-checked against pkg/scheduler/apis/config/testing/defaults
# ExpandedPluginsV1).
_POINTS_COMMON: dict[str, frozenset[str]] = {
    "SchedulingGates": frozenset({"preEnqueue"}),
    "PrioritySort": frozenset({"queueSort"}),
    "NodeUnschedulable": frozenset({"filter"}),
    "NodeName": frozenset({"filter"}),
    "TaintToleration": frozenset({"filter", "preScore", "score"}),
    "NodeAffinity": frozenset({"preFilter", "filter", "preScore", "score"}),
    "NodePorts": frozenset({"preFilter", "filter"}),
    "NodeResourcesFit": frozenset({"preFilter", "filter", "preScore", "score"}),
    "VolumeRestrictions": frozenset({"preFilter", "filter"}),
    "NodeVolumeLimits": frozenset({"preFilter", "filter"}),
    "VolumeBinding": frozenset({"preFilter", "filter", "reserve", "preBind", "preScore", "score"}),
    "VolumeZone": frozenset({"preFilter", "filter"}),
    "PodTopologySpread": frozenset({"preFilter", "filter", "preScore", "score"}),
    "InterPodAffinity": frozenset({"preFilter", "filter", "preScore", "score"}),
    "DynamicResources": frozenset({"preEnqueue", "preFilter", "filter", "postFilter", "reserve", "preBind"}),
    "DefaultPreemption": frozenset({"postFilter"}),
    "NodeResourcesBalancedAllocation": frozenset({"preScore", "score"}),
    "ImageLocality": frozenset({"score"}),
    "DefaultBinder": frozenset({"bind"}),
}


@dataclass(frozen=True)
class _VersionSpec:
    version: str
    points: Mapping[str, frozenset[str]]
    default_multipoint: tuple[tuple[str, int | None], ...]
    # DRADeviceBindingConditions: bindingTimeout in DynamicResourcesArgs allowed.
    dra_binding_timeout: bool


def _default_multipoint(dra_weight: int | None) -> tuple[tuple[str, int | None], ...]:
    # default_plugins.go getDefaultPlugins + applyFeatureGates with the release's
    # default-on gates: DynamicResourceAllocation (GA in v1.34) inserts
    # DynamicResources before DefaultPreemption; NodeDeclaredFeatures and
    # GangScheduling (alpha, off by default in v1.35) add nothing.
    return (
        ("SchedulingGates", None), ("PrioritySort", None), ("NodeUnschedulable", None),
        ("NodeName", None), ("TaintToleration", 3), ("NodeAffinity", 2), ("NodePorts", None),
        ("NodeResourcesFit", 1), ("VolumeRestrictions", None), ("NodeVolumeLimits", None),
        ("VolumeBinding", None), ("VolumeZone", None), ("PodTopologySpread", 2),
        ("InterPodAffinity", 2), ("DynamicResources", dra_weight), ("DefaultPreemption", None),
        ("NodeResourcesBalancedAllocation", 1), ("ImageLocality", 1), ("DefaultBinder", None),
    )


_VERSIONS: dict[str, _VersionSpec] = {
    "1.34": _VersionSpec(
        version="1.34",
        points=MappingProxyType(dict(_POINTS_COMMON)),
        default_multipoint=_default_multipoint(None),
        dra_binding_timeout=False,
    ),
    # v1.35: DynamicResources became a Score plugin with default weight 2
    # (kubernetes/kubernetes#134711, CHANGELOG-1.35.md); NodeDeclaredFeatures and
    # GangScheduling joined the in-tree registry (alpha, not in the defaults).
    "1.35": _VersionSpec(
        version="1.35",
        points=MappingProxyType({
            **_POINTS_COMMON,
            "DynamicResources": _POINTS_COMMON["DynamicResources"] | {"score"},
            "NodeDeclaredFeatures": frozenset({"preFilter", "filter"}),
            "GangScheduling": frozenset({"preEnqueue", "reserve", "permit"}),
        }),
        default_multipoint=_default_multipoint(2),
        dra_binding_timeout=True,
    ),
}

# validation.go invalidPluginsByVersion: names removed from the v1 registry.
_INVALID_IN_V1 = ("AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits")

# Registered `<Plugin>Args` kinds (types_pluginargs.go); args of other plugins
# stay raw (runtime.Unknown).
_ARGS_KINDS = (
    "DefaultPreemption", "DynamicResources", "InterPodAffinity", "NodeAffinity",
    "NodeResourcesBalancedAllocation", "NodeResourcesFit", "PodTopologySpread", "VolumeBinding",
)

_SCORING_TYPES = ("LeastAllocated", "MostAllocated", "RequestedToCapacityRatio")
_MAX_CUSTOM_PRIORITY_SCORE = 10
_MAX_NODE_SCORE = 100
_MAX_TOTAL_SCORE = 2**63 - 1


def in_tree_plugins(kubernetes_version: str = DEFAULT_VERSION) -> Mapping[str, frozenset[str]]:
    """The in-tree plugin names of a release and the extension points each implements."""
    return _spec(kubernetes_version).points


# --------------------------------------------------------------------------------------
# Public result types
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResourceSpec:
    name: str
    weight: int


@dataclass(frozen=True, slots=True)
class UtilizationShapePoint:
    utilization: int
    score: int


_CPU_MEMORY = (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))


@dataclass(frozen=True, slots=True)
class ScoringStrategy:
    type: str  # "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio"
    resources: tuple[ResourceSpec, ...]
    shape: tuple[UtilizationShapePoint, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeResourcesFitArgs:
    ignored_resources: tuple[str, ...] = ()
    ignored_resource_groups: tuple[str, ...] = ()
    scoring_strategy: ScoringStrategy = ScoringStrategy("LeastAllocated", _CPU_MEMORY)


@dataclass(frozen=True, slots=True)
class BalancedAllocationArgs:
    resources: tuple[ResourceSpec, ...] = _CPU_MEMORY


@dataclass(frozen=True, slots=True)
class Profile:
    """One scheduling profile with kube-scheduler's final plugin lists.

    Every list is in the order kube-scheduler runs the plugins; ``score`` holds
    ``(name, weight)``.  ``unimplemented`` names the recognised in-tree plugins
    enabled at some extension point that kubekit does not implement.
    """

    scheduler_name: str
    queue_sort: tuple[str, ...]
    pre_filter: tuple[str, ...]
    filter: tuple[str, ...]
    post_filter: tuple[str, ...]
    pre_score: tuple[str, ...]
    score: tuple[tuple[str, int], ...]
    reserve: tuple[str, ...]
    permit: tuple[str, ...]
    pre_bind: tuple[str, ...]
    bind: tuple[str, ...]
    post_bind: tuple[str, ...]
    fit_args: NodeResourcesFitArgs
    balanced_args: BalancedAllocationArgs
    plugin_args: Mapping[str, Any]
    percentage_of_nodes_to_score: int | None
    unimplemented: tuple[str, ...]
    pre_enqueue: tuple[str, ...] = ()

    def plugins_at(self, point: str) -> tuple[str, ...]:
        """The plugin names at an extension point spelled as in the v1 API."""
        if point == "score":
            return tuple(name for name, _ in self.score)
        try:
            return getattr(self, _POINT_ATTR[point])
        except KeyError:
            raise ValueError(f"unknown extension point {point!r}: expected one of {', '.join(EXTENSION_POINTS)}") from None


_POINT_ATTR = {
    "preEnqueue": "pre_enqueue", "queueSort": "queue_sort", "preFilter": "pre_filter",
    "filter": "filter", "postFilter": "post_filter", "preScore": "pre_score",
    "reserve": "reserve", "permit": "permit", "preBind": "pre_bind", "bind": "bind",
    "postBind": "post_bind",
}


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """A loaded, defaulted and validated KubeSchedulerConfiguration.

    ``percentage_of_nodes_to_score`` is kube-scheduler's defaulted global value:
    0 means "adaptive" (``max(50 - nodes/125, 5)`` percent).
    """

    profiles: tuple[Profile, ...]
    percentage_of_nodes_to_score: int | None
    parallelism: int
    pod_initial_backoff_seconds: int = 1
    pod_max_backoff_seconds: int = 10
    extenders: tuple[Mapping[str, Any], ...] = ()
    kubernetes_version: str = DEFAULT_VERSION

    def profile(self, scheduler_name: str) -> Profile:
        for p in self.profiles:
            if p.scheduler_name == scheduler_name:
                return p
        names = ", ".join(repr(p.scheduler_name) for p in self.profiles)
        raise KeyError(f"no profile with schedulerName {scheduler_name!r}; profiles: {names}")


# --------------------------------------------------------------------------------------
# Go-compatible error text (k8s.io/apimachinery/pkg/util/validation/field)
# --------------------------------------------------------------------------------------
class _GoRepr(str):
    """A value already rendered the way Go's field.Error prints it."""


def _go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _go_value(v: Any) -> str:
    if isinstance(v, _GoRepr):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return _go_quote(v)
    return str(v)


def _go_string_slice(values: Sequence[str] | None) -> _GoRepr:
    if values is None:
        return _GoRepr("[]string(nil)")
    return _GoRepr("[]string{" + ", ".join(_go_quote(v) for v in values) + "}")


@dataclass(frozen=True, slots=True)
class _FieldError:
    type: str
    field: str
    value: str | None  # Go-rendered bad value, None when the type prints none
    detail: str = ""

    def __str__(self) -> str:
        body = self.type if self.value is None else f"{self.type}: {self.value}"
        if self.detail:
            body += f": {self.detail}"
        return f"{self.field}: {body}"


class _Path:
    """field.Path: ``profiles[0].pluginConfig[1].args``."""

    __slots__ = ("_s",)

    def __init__(self, s: str = "") -> None:
        self._s = s

    def child(self, *names: str) -> "_Path":
        s = self._s
        for n in names:
            s = f"{s}.{n}" if s else n
        return _Path(s)

    def index(self, i: int) -> "_Path":
        return _Path(f"{self._s}[{i}]")

    def key(self, k: str) -> "_Path":
        return _Path(f"{self._s}[{k}]")

    def __str__(self) -> str:
        return self._s


def _invalid(p: _Path, value: Any, detail: str) -> _FieldError:
    return _FieldError("Invalid value", str(p), _go_value(value), detail)


def _required(p: _Path, detail: str = "") -> _FieldError:
    return _FieldError("Required value", str(p), None, detail)


def _forbidden(p: _Path, detail: str) -> _FieldError:
    return _FieldError("Forbidden", str(p), None, detail)


def _duplicate(p: _Path, value: Any) -> _FieldError:
    return _FieldError("Duplicate value", str(p), _go_value(value))


def _not_supported(p: _Path, value: Any, valid: Sequence[str]) -> _FieldError:
    detail = "supported values: " + ", ".join(_go_quote(v) for v in valid) if valid else ""
    return _FieldError("Unsupported value", str(p), _go_value(value), detail)


def _aggregate_message(messages: Sequence[str]) -> str:
    """utilerrors.Aggregate.Error(): duplicates dropped, ``[a, b]`` when several."""
    seen: list[str] = []
    for m in messages:
        if m not in seen:
            seen.append(m)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def _fail(messages: Sequence[str]) -> ConfigError:
    err = ConfigError(_aggregate_message(messages))
    err.errors = tuple(messages)  # type: ignore[attr-defined]
    return err


# --------------------------------------------------------------------------------------
# Names and values (k8s.io/apimachinery/pkg/util/validation)
# --------------------------------------------------------------------------------------
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile("^" + _QNAME_FMT + "$")
_QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"
_LABEL_VALUE_RE = re.compile("^" + _LABEL_VALUE_FMT + "$")
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character")
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile("^" + _DNS1123_SUBDOMAIN_FMT + "$")
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                          "and must start and end with an alphanumeric character")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return msg + " (regex used for validation is '" + fmt + "')"
    msg += " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += "'" + ex + "', "
    return msg + "regex used for validation is '" + fmt + "')"


def _max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


def _is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def _is_qualified_name(value: str) -> list[str]:
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in _is_dns1123_subdomain(prefix))
    else:
        return ["a qualified name " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len_error(63))
    if not _QNAME_RE.match(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _is_valid_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.match(value):
        errs.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _validate_label_name(name: str, p: _Path) -> list[_FieldError]:
    return [_invalid(p, name, m) for m in _is_qualified_name(name)]


def _is_extended_resource_name(name: str) -> bool:
    # pkg/apis/core/v1/helper IsExtendedResourceName
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    return not _is_qualified_name("requests." + name)


# --------------------------------------------------------------------------------------
# Go durations (time.ParseDuration / Duration.String, used by metav1.Duration)
# --------------------------------------------------------------------------------------
_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_DUR_ITEM = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def _parse_go_duration(s: str) -> int:
    """Nanoseconds; raises ValueError with Go's message."""
    orig = s
    neg = False
    if s[:1] in "+-" and s:
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f"time: invalid duration {_go_quote(orig)}")
    total = Fraction(0)
    while s:
        m = _DUR_ITEM.match(s)
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {_go_quote(orig)}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {_go_quote(orig)}")
        if unit not in _UNITS:
            # Go's unit is everything up to the next '.' or digit.
            raise ValueError(f"time: unknown unit {_go_quote(unit)} in duration {_go_quote(orig)}")
        value = Fraction(int(whole or "0"))
        if frac:
            value += Fraction(int(frac), 10 ** len(frac))
        total += value * _UNITS[unit]
        s = s[m.end():]
    ns = int(total)
    if ns > 2**63 - 1:
        raise ValueError(f"time: invalid duration {_go_quote(orig)}")
    return -ns if neg else ns


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    digits = ""
    printed = False
    for _ in range(prec):
        d = v % 10
        printed = printed or d != 0
        if printed:
            digits = str(d) + digits
        v //= 10
    return ("." + digits if printed else ""), v


def _go_duration_str(ns: int) -> str:
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < 10**9:
        if u < 1000:
            out = f"{u}ns"
        elif u < 10**6:
            frac, whole = _fmt_frac(u, 3)
            out = f"{whole}{frac}µs"
        else:
            frac, whole = _fmt_frac(u, 6)
            out = f"{whole}{frac}ms"
    else:
        frac, secs = _fmt_frac(u, 9)
        out = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins > 0:
            out = f"{mins % 60}m" + out
            hours = mins // 60
            if hours > 0:
                out = f"{hours}h" + out
    return "-" + out if neg else out


@dataclass(frozen=True, slots=True)
class _Duration:
    ns: int

    def __str__(self) -> str:
        return _go_duration_str(self.ns)


# --------------------------------------------------------------------------------------
# Stage 1: strict decoding (sigs.k8s.io/json strict unmarshal into the v1 Go types)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scalar:
    go: str  # "string" | "bool" | "int32" | "int64" | "float32" | "[]uint8" | "duration"


@dataclass(frozen=True)
class _List:
    elem: Any
    go: str


@dataclass(frozen=True)
class _Map:
    elem: Any
    go: str


@dataclass(frozen=True)
class _Struct:
    name: str
    go: str
    fields: Mapping[str, Any]


class _RawArgs:
    go = "runtime.RawExtension"


_STR, _BOOL, _I32, _I64 = _Scalar("string"), _Scalar("bool"), _Scalar("int32"), _Scalar("int64")
_F32, _BYTES, _DUR = _Scalar("float32"), _Scalar("[]uint8"), _Scalar("duration")
_STRS = _List(_STR, "[]string")
_RAW = _RawArgs()
_TYPEMETA = {"apiVersion": _STR, "kind": _STR}

_PLUGIN = _Struct("Plugin", "v1.Plugin", {"name": _STR, "weight": _I32})
_PLUGIN_SET = _Struct("PluginSet", "v1.PluginSet", {
    "enabled": _List(_PLUGIN, "[]v1.Plugin"), "disabled": _List(_PLUGIN, "[]v1.Plugin")})
_PLUGINS = _Struct("Plugins", "v1.Plugins", {ep: _PLUGIN_SET for ep in _ALL_SETS})
_PLUGIN_CONFIG = _Struct("PluginConfig", "v1.PluginConfig", {"name": _STR, "args": _RAW})
_PROFILE = _Struct("KubeSchedulerProfile", "v1.KubeSchedulerProfile", {
    "schedulerName": _STR, "percentageOfNodesToScore": _I32, "plugins": _PLUGINS,
    "pluginConfig": _List(_PLUGIN_CONFIG, "[]v1.PluginConfig")})
_LEADER = _Struct("LeaderElectionConfiguration", "v1alpha1.LeaderElectionConfiguration", {
    "leaderElect": _BOOL, "leaseDuration": _DUR, "renewDeadline": _DUR, "retryPeriod": _DUR,
    "resourceLock": _STR, "resourceName": _STR, "resourceNamespace": _STR})
_CLIENT = _Struct("ClientConnectionConfiguration", "v1alpha1.ClientConnectionConfiguration", {
    "kubeconfig": _STR, "acceptContentTypes": _STR, "contentType": _STR, "qps": _F32, "burst": _I32})
_TLS = _Struct("ExtenderTLSConfig", "v1.ExtenderTLSConfig", {
    "insecure": _BOOL, "serverName": _STR, "certFile": _STR, "keyFile": _STR, "caFile": _STR,
    "certData": _BYTES, "keyData": _BYTES, "caData": _BYTES})
_MANAGED = _Struct("ExtenderManagedResource", "v1.ExtenderManagedResource", {
    "name": _STR, "ignoredByScheduler": _BOOL})
_EXTENDER = _Struct("Extender", "v1.Extender", {
    "urlPrefix": _STR, "filterVerb": _STR, "preemptVerb": _STR, "prioritizeVerb": _STR,
    "weight": _I64, "bindVerb": _STR, "enableHTTPS": _BOOL, "tlsConfig": _TLS, "httpTimeout": _DUR,
    "nodeCacheCapable": _BOOL, "managedResources": _List(_MANAGED, "[]v1.ExtenderManagedResource"),
    "ignorable": _BOOL})
_TOP = _Struct(KIND, "v1.KubeSchedulerConfiguration", {
    **_TYPEMETA, "parallelism": _I32, "leaderElection": _LEADER, "clientConnection": _CLIENT,
    "enableProfiling": _BOOL, "enableContentionProfiling": _BOOL, "percentageOfNodesToScore": _I32,
    "podInitialBackoffSeconds": _I64, "podMaxBackoffSeconds": _I64,
    "profiles": _List(_PROFILE, "[]v1.KubeSchedulerProfile"), "extenders": _List(_EXTENDER, "[]v1.Extender"),
    "delayCacheUntilActive": _BOOL})

# Plugin args (k8s.io/kube-scheduler/config/v1/types_pluginargs.go, core/v1 types).
_RESOURCE_SPEC = _Struct("ResourceSpec", "v1.ResourceSpec", {"name": _STR, "weight": _I64})
_RESOURCES = _List(_RESOURCE_SPEC, "[]v1.ResourceSpec")
_SHAPE_POINT = _Struct("UtilizationShapePoint", "v1.UtilizationShapePoint", {"utilization": _I32, "score": _I32})
_SHAPE = _List(_SHAPE_POINT, "[]v1.UtilizationShapePoint")
_SCORING = _Struct("ScoringStrategy", "v1.ScoringStrategy", {
    "type": _STR, "resources": _RESOURCES,
    "requestedToCapacityRatio": _Struct("RequestedToCapacityRatioParam", "v1.RequestedToCapacityRatioParam",
                                        {"shape": _SHAPE})})
_LABEL_SELECTOR = _Struct("LabelSelector", "v1.LabelSelector", {
    "matchLabels": _Map(_STR, "map[string]string"),
    "matchExpressions": _List(_Struct("LabelSelectorRequirement", "v1.LabelSelectorRequirement", {
        "key": _STR, "operator": _STR, "values": _STRS}), "[]v1.LabelSelectorRequirement")})
_TSC = _Struct("TopologySpreadConstraint", "v1.TopologySpreadConstraint", {
    "maxSkew": _I32, "topologyKey": _STR, "whenUnsatisfiable": _STR, "labelSelector": _LABEL_SELECTOR,
    "minDomains": _I32, "nodeAffinityPolicy": _STR, "nodeTaintsPolicy": _STR, "matchLabelKeys": _STRS})
_NSR = _Struct("NodeSelectorRequirement", "v1.NodeSelectorRequirement", {
    "key": _STR, "operator": _STR, "values": _STRS})
_NSRS = _List(_NSR, "[]v1.NodeSelectorRequirement")
_NST = _Struct("NodeSelectorTerm", "v1.NodeSelectorTerm", {"matchExpressions": _NSRS, "matchFields": _NSRS})
_NODE_AFFINITY = _Struct("NodeAffinity", "v1.NodeAffinity", {
    "requiredDuringSchedulingIgnoredDuringExecution": _Struct("NodeSelector", "v1.NodeSelector", {
        "nodeSelectorTerms": _List(_NST, "[]v1.NodeSelectorTerm")}),
    "preferredDuringSchedulingIgnoredDuringExecution": _List(
        _Struct("PreferredSchedulingTerm", "v1.PreferredSchedulingTerm", {"weight": _I32, "preference": _NST}),
        "[]v1.PreferredSchedulingTerm")})

_ARGS_SCHEMAS: dict[str, _Struct] = {
    "DefaultPreemption": _Struct("DefaultPreemptionArgs", "v1.DefaultPreemptionArgs", {
        **_TYPEMETA, "minCandidateNodesPercentage": _I32, "minCandidateNodesAbsolute": _I32}),
    "DynamicResources": _Struct("DynamicResourcesArgs", "v1.DynamicResourcesArgs", {
        **_TYPEMETA, "filterTimeout": _DUR, "bindingTimeout": _DUR}),
    "InterPodAffinity": _Struct("InterPodAffinityArgs", "v1.InterPodAffinityArgs", {
        **_TYPEMETA, "hardPodAffinityWeight": _I32, "ignorePreferredTermsOfExistingPods": _BOOL}),
    "NodeAffinity": _Struct("NodeAffinityArgs", "v1.NodeAffinityArgs", {**_TYPEMETA, "addedAffinity": _NODE_AFFINITY}),
    "NodeResourcesBalancedAllocation": _Struct(
        "NodeResourcesBalancedAllocationArgs", "v1.NodeResourcesBalancedAllocationArgs",
        {**_TYPEMETA, "resources": _RESOURCES}),
    "NodeResourcesFit": _Struct("NodeResourcesFitArgs", "v1.NodeResourcesFitArgs", {
        **_TYPEMETA, "ignoredResources": _STRS, "ignoredResourceGroups": _STRS, "scoringStrategy": _SCORING}),
    "PodTopologySpread": _Struct("PodTopologySpreadArgs", "v1.PodTopologySpreadArgs", {
        **_TYPEMETA, "defaultConstraints": _List(_TSC, "[]v1.TopologySpreadConstraint"), "defaultingType": _STR}),
    "VolumeBinding": _Struct("VolumeBindingArgs", "v1.VolumeBindingArgs", {
        **_TYPEMETA, "bindTimeoutSeconds": _I64, "shape": _SHAPE}),
}

_REGISTERED_KINDS = frozenset({KIND} | {s.name for s in _ARGS_SCHEMAS.values()})
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


def _go_json(v: Any) -> str:
    """json.Marshal of the YAMLToJSON result: sorted keys, compact."""
    try:
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(v)


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate keys (goyaml's strict conversion does)
    and keeps timestamps as strings (YAMLToJSON does not parse them)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []


def _construct_mapping(loader: _YamlLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                loader.duplicates.append(f"line {key_node.start_mark.line + 1}: key {_go_quote(str(key))} already set in map")
            seen.add(key)
        except TypeError:
            pass
    return loader.construct_mapping(node, deep=True)


_YamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _parse_yaml(text: str) -> tuple[Any, list[str]]:
    loader = _YamlLoader(text)
    try:
        doc = loader.get_single_data()
    except yaml.YAMLError as e:
        raise _fail([f"error converting YAML to JSON: yaml: {e}"]) from None
    finally:
        loader.dispose()
    return doc, loader.duplicates


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


# --------------------------------------------------------------------------------------
# Stage 2: defaulting (pkg/scheduler/apis/config/v1/defaults.go, default_plugins.go)
# --------------------------------------------------------------------------------------
@dataclass
class _PSet:
    enabled: list[tuple[str, int | None]] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)


def _plugin_sets(plugins: Mapping[str, Any] | None) -> dict[str, _PSet] | None:
    if plugins is None:
        return None
    out = {}
    for ep in _ALL_SETS:
        ps = plugins.get(ep) or {}
        out[ep] = _PSet(
            [(p.get("name", ""), p.get("weight")) for p in ps.get("enabled") or ()],
            [p.get("name", "") for p in ps.get("disabled") or ()],
        )
    return out


def _merge_plugin_set(default: _PSet, custom: _PSet) -> _PSet:
    """default_plugins.go mergePluginSet."""
    disabled = list(custom.disabled) + list(default.disabled)
    disabled_set = set(disabled)
    custom_index: dict[str, int] = {}
    for i, (name, _) in enumerate(custom.enabled):
        custom_index[name] = i  # the last occurrence wins, like the Go map
    replaced: set[int] = set()
    enabled: list[tuple[str, int | None]] = []
    if "*" not in disabled_set:
        for plugin in default.enabled:
            if plugin[0] in disabled_set:
                continue
            idx = custom_index.get(plugin[0])
            if idx is not None:
                plugin = custom.enabled[idx]
                replaced.add(idx)
            enabled.append(plugin)
    for i, plugin in enumerate(custom.enabled):
        if i not in replaced:
            enabled.append(plugin)
    return _PSet(enabled, disabled)


def _merge_plugins(default: Mapping[str, _PSet], custom: Mapping[str, _PSet] | None) -> dict[str, _PSet]:
    """default_plugins.go mergePlugins (public for table tests)."""
    if custom is None:
        return {ep: _PSet(list(default[ep].enabled), list(default[ep].disabled)) for ep in _ALL_SETS}
    return {ep: _merge_plugin_set(default.get(ep, _PSet()), custom.get(ep, _PSet())) for ep in _ALL_SETS}


def _default_plugins(spec: _VersionSpec) -> dict[str, _PSet]:
    sets = {ep: _PSet() for ep in _ALL_SETS}
    sets["multiPoint"] = _PSet(list(spec.default_multipoint))
    return sets


def _default_resources(resources: list[dict] | None) -> list[dict]:
    if not resources:
        return [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]
    out = []
    for r in resources:
        r = dict(r)
        if not r.get("weight"):
            r["weight"] = 1
        out.append(r)
    return out


def _default_args(name: str, args: dict) -> dict:
    """The SetDefaults_<Kind>Args functions; returns a new dict."""
    a = dict(args)
    if name == "DefaultPreemption":
        a.setdefault("minCandidateNodesPercentage", 10)
        a.setdefault("minCandidateNodesAbsolute", 100)
    elif name == "InterPodAffinity":
        a.setdefault("hardPodAffinityWeight", 1)
    elif name == "VolumeBinding":
        # StorageCapacityScoring is alpha (off) in v1.34 and v1.35: no default shape.
        a.setdefault("bindTimeoutSeconds", 600)
    elif name == "NodeResourcesBalancedAllocation":
        a["resources"] = _default_resources(a.get("resources"))
    elif name == "PodTopologySpread":
        if not a.get("defaultingType"):
            a["defaultingType"] = "System"
    elif name == "NodeResourcesFit":
        ss = a.get("scoringStrategy")
        if ss is None:
            ss = {"type": "LeastAllocated"}
        ss = dict(ss)
        ss["resources"] = _default_resources(ss.get("resources"))
        a["scoringStrategy"] = ss
    elif name == "DynamicResources":
        # DRASchedulerFilterTimeout is beta (on) in v1.34 and v1.35.
        a.setdefault("filterTimeout", _Duration(10 * 10**9))
    return a


@dataclass
class _InternalProfile:
    scheduler_name: str
    percentage: int | None
    plugins: dict[str, _PSet]
    plugin_config: list[dict]  # {"name", "args" (dict|raw|None), "_typed"}


@dataclass
class _Internal:
    raw: dict
    parallelism: int
    percentage: int
    pod_initial_backoff: int
    pod_max_backoff: int
    leader: dict
    client: dict
    profiles: list[_InternalProfile]
    extenders: list[dict]


def _apply_defaults(top: dict, spec: _VersionSpec) -> _Internal:
    """SetDefaults_KubeSchedulerConfiguration."""
    profiles_raw = list(top.get("profiles") or ())
    if not profiles_raw:
        profiles_raw = [{}]
    if len(profiles_raw) == 1 and "schedulerName" not in profiles_raw[0]:
        profiles_raw[0] = {**profiles_raw[0], "schedulerName": DEFAULT_SCHEDULER_NAME}
    profiles = []
    for prof in profiles_raw:
        plugins = _merge_plugins(_default_plugins(spec), _plugin_sets(prof.get("plugins")))
        configs = []
        existing = set()
        for pc in prof.get("pluginConfig") or ():
            pc = dict(pc)
            existing.add(pc.get("name", ""))
            if pc.get("_typed") and isinstance(pc.get("args", {}), dict):
                pc["args"] = _default_args(pc.get("name", ""), pc.get("args") or {})
            configs.append(pc)
        enabled_names = sorted({n for ep in _ALL_SETS for n, _ in plugins[ep].enabled})
        for name in enabled_names:
            if name in existing or name not in _ARGS_SCHEMAS:
                continue
            configs.append({"name": name, "args": _default_args(name, {}), "_typed": True, "_defaulted": True})
        profiles.append(_InternalProfile(prof.get("schedulerName", ""), prof.get("percentageOfNodesToScore"),
                                         plugins, configs))

    leader = dict(top.get("leaderElection") or {})
    leader.setdefault("resourceLock", "")
    if not leader["resourceLock"]:
        leader["resourceLock"] = "leases"
    if not leader.get("resourceNamespace"):
        leader["resourceNamespace"] = "kube-system"
    if not leader.get("resourceName"):
        leader["resourceName"] = "kube-scheduler"
    for key, secs in (("leaseDuration", 15), ("renewDeadline", 10), ("retryPeriod", 2)):
        if leader.get(key, _Duration(0)).ns == 0:
            leader[key] = _Duration(secs * 10**9)
    leader.setdefault("leaderElect", True)
    client = dict(top.get("clientConnection") or {})
    if not client.get("contentType"):
        client["contentType"] = "application/vnd.kubernetes.protobuf"
    if not client.get("qps"):
        client["qps"] = 50.0
    if not client.get("burst"):
        client["burst"] = 100
    return _Internal(
        raw=top,
        parallelism=top.get("parallelism", 16),
        percentage=top.get("percentageOfNodesToScore", 0),
        pod_initial_backoff=top.get("podInitialBackoffSeconds", 1),
        pod_max_backoff=top.get("podMaxBackoffSeconds", 10),
        leader=leader,
        client=client,
        profiles=profiles,
        extenders=list(top.get("extenders") or ()),
    )


# --------------------------------------------------------------------------------------
# Stage 3: validation (validation.go, validation_pluginargs.go)
# --------------------------------------------------------------------------------------
def _validate(cfg: _Internal, spec: _VersionSpec) -> list[_FieldError]:
    errs: list[_FieldError] = []
    # component-base ValidateClientConnectionConfiguration / ValidateLeaderElectionConfiguration
    if cfg.client.get("burst", 0) < 0:
        errs.append(_invalid(_Path("clientConnection.burst"), cfg.client["burst"], "must be non-negative"))
    le, lp = cfg.leader, _Path("leaderElection")
    if le.get("leaderElect"):
        for key in ("leaseDuration", "renewDeadline", "retryPeriod"):
            if le[key].ns <= 0:
                errs.append(_invalid(lp.child(key), _GoRepr(str(le[key])), "must be greater than zero"))
        if le["leaseDuration"].ns <= le["renewDeadline"].ns:
            errs.append(_invalid(lp.child("leaseDuration"), _GoRepr(str(le["renewDeadline"])),
                                 "LeaseDuration must be greater than RenewDeadline"))
        for key in ("resourceLock", "resourceNamespace", "resourceName"):
            if not le.get(key):
                errs.append(_invalid(lp.child(key), le.get(key, ""), f"{key} is required"))
        if le["resourceLock"] != "leases":
            errs.append(_invalid(lp.child("resourceLock"), le["resourceLock"], 'resourceLock value must be "leases"'))

    if cfg.parallelism <= 0:
        errs.append(_invalid(_Path("parallelism"), cfg.parallelism, "should be an integer value greater than zero"))

    profiles_path = _Path("profiles")
    if not cfg.profiles:
        errs.append(_required(profiles_path))
    else:
        seen: dict[str, int] = {}
        for i, prof in enumerate(cfg.profiles):
            p = profiles_path.index(i)
            errs.extend(_validate_profile(p, prof, spec))
            if prof.scheduler_name in seen:
                # Go prints the *field.Path it was given as a struct dump; kubekit
                # prints the path it names.
                errs.append(_duplicate(p.child("schedulerName"),
                                       str(profiles_path.index(seen[prof.scheduler_name]).child("schedulerName"))))
            seen[prof.scheduler_name] = i
        errs.extend(_validate_common_queue_sort(profiles_path, cfg.profiles))

    errs.extend(_validate_percentage(_Path("percentageOfNodesToScore"), cfg.percentage))
    if cfg.pod_initial_backoff <= 0:
        errs.append(_invalid(_Path("podInitialBackoffSeconds"), cfg.pod_initial_backoff, "must be greater than 0"))
    if cfg.pod_max_backoff < cfg.pod_initial_backoff:
        errs.append(_invalid(_Path("podMaxBackoffSeconds"), cfg.pod_max_backoff,
                             "must be greater than or equal to PodInitialBackoffSeconds"))
    errs.extend(_validate_extenders(_Path("extenders"), cfg.extenders))
    return errs


def _validate_percentage(p: _Path, value: int | None) -> list[_FieldError]:
    if value is not None and not 0 <= value <= 100:
        return [_invalid(p, value, "not in valid range [0-100]")]
    return []


def _validate_profile(p: _Path, prof: _InternalProfile, spec: _VersionSpec) -> list[_FieldError]:
    errs: list[_FieldError] = []
    if not prof.scheduler_name:
        errs.append(_required(p.child("schedulerName")))
    errs.extend(_validate_percentage(p.child("percentageOfNodesToScore"), prof.percentage))
    # validatePluginConfig: removed plugins at every extension point (not multiPoint).
    for ep in EXTENSION_POINTS:
        for i, (name, _) in enumerate(prof.plugins[ep].enabled):
            if name in _INVALID_IN_V1:
                errs.append(_invalid(p.child("plugins", ep, "enabled").index(i), name,
                                     f'was invalid in version "{API_VERSION}" (KubeSchedulerConfiguration is version "{API_VERSION}")'))
    seen: set[str] = set()
    for j, pc in enumerate(prof.plugin_config):
        if pc.get("_defaulted"):
            continue
        pcp = p.child("pluginConfig").index(j)
        name = pc.get("name", "")
        if name in seen:
            errs.append(_duplicate(pcp, name))
        else:
            seen.add(name)
        if name in _INVALID_IN_V1:
            errs.append(_invalid(pcp, name, f'was invalid in version "{API_VERSION}" (KubeSchedulerConfiguration is version "{API_VERSION}")'))
        elif name in _ARG_VALIDATORS and pc.get("_typed"):
            errs.extend(_ARG_VALIDATORS[name](pcp.child("args"), pc.get("args") or {}, spec))
    return errs


def _plugin_set_key(ps: _PSet) -> tuple:
    # apiequality.Semantic.DeepEqual on the internal PluginSet (nil == empty).
    return (tuple((n, w or 0) for n, w in ps.enabled), tuple(ps.disabled))


def _validate_common_queue_sort(path: _Path, profiles: Sequence[_InternalProfile]) -> list[_FieldError]:
    errs: list[_FieldError] = []
    canon = profiles[0].plugins["queueSort"]
    qs_name = canon.enabled[0][0] if canon.enabled else ""
    if len(canon.enabled) > 1:
        errs.append(_invalid(path.index(0).child("plugins", "queueSort", "Enabled"), len(canon.enabled),
                             "only one queue sort plugin can be enabled"))
    qs_args = None
    for pc in profiles[0].plugin_config:
        if qs_name and pc.get("name") == qs_name:
            qs_args = pc.get("args")
    for i in range(1, len(profiles)):
        curr = profiles[i].plugins["queueSort"]
        if _plugin_set_key(curr) != _plugin_set_key(canon):
            errs.append(_invalid(path.index(i).child("plugins", "queueSort"), _GoRepr(_go_plugin_set(curr)),
                                 "must be the same for all profiles"))
        for pc in profiles[i].plugin_config:
            if pc.get("name") == qs_name and pc.get("args") != qs_args:
                errs.append(_invalid(path.index(i).child("pluginConfig", "args"), _GoRepr(_go_json(pc.get("args"))),
                                     "queueSort must be the same for all profiles"))
    return errs


def _go_plugin_set(ps: _PSet) -> str:
    def plugins(items: Iterable[tuple[str, int]]) -> str:
        inner = ", ".join(f'config.Plugin{{Name:{_go_quote(n)}, Weight:{w}}}' for n, w in items)
        return f"[]config.Plugin{{{inner}}}" if inner else "[]config.Plugin(nil)"
    return (f"config.PluginSet{{Enabled:{plugins((n, w or 0) for n, w in ps.enabled)}, "
            f"Disabled:{plugins((n, 0) for n in ps.disabled)}}}")


def _validate_extenders(path: _Path, extenders: Sequence[dict]) -> list[_FieldError]:
    errs: list[_FieldError] = []
    binders = 0
    managed: set[str] = set()
    for i, ext in enumerate(extenders):
        p = path.index(i)
        if ext.get("prioritizeVerb") and ext.get("weight", 0) <= 0:
            errs.append(_invalid(p.child("weight"), ext.get("weight", 0), "must have a positive weight applied to it"))
        if ext.get("bindVerb"):
            binders += 1
        for j, res in enumerate(ext.get("managedResources") or ()):
            rp = p.child("managedResources").index(j).child("name")
            name = res.get("name", "")
            name_errs = [_invalid(rp, name, m) for m in _is_qualified_name(name)]
            if not name_errs and not _is_extended_resource_name(name):
                name_errs = [_invalid(rp, name, "is an invalid extended resource name")]
            errs.extend(name_errs)
            if name in managed:
                errs.append(_invalid(rp, name, "duplicate extender managed resource name"))
            managed.add(name)
    if binders > 1:
        errs.append(_invalid(path, f"found {binders} extenders implementing bind", "only one extender can implement bind"))
    return errs


# validation_pluginargs.go
def _validate_default_preemption(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    pct, ab = a.get("minCandidateNodesPercentage", 0), a.get("minCandidateNodesAbsolute", 0)
    if not 0 <= pct <= 100:
        errs.append(_invalid(p.child("minCandidateNodesPercentage"), pct, "not in valid range [0, 100]"))
    if ab < 0:
        errs.append(_invalid(p.child("minCandidateNodesAbsolute"), ab, "not in valid range [0, inf)"))
    if pct == 0 and ab == 0:
        errs.append(_invalid(p.child("minCandidateNodesPercentage"), pct,
                             "cannot be zero at the same time as minCandidateNodesAbsolute"))
        errs.append(_invalid(p.child("minCandidateNodesAbsolute"), ab,
                             "cannot be zero at the same time as minCandidateNodesPercentage"))
    return errs


def _validate_inter_pod_affinity(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    w = a.get("hardPodAffinityWeight", 0)
    if not 0 <= w <= 100:
        return [_invalid(p.child("hardPodAffinityWeight"), w, "not in valid range [0, 100]")]
    return []


def _validate_pod_topology_spread(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    dtype = a.get("defaultingType", "")
    constraints = a.get("defaultConstraints") or []
    if dtype not in ("System", "List"):
        errs.append(_not_supported(p.child("defaultingType"), dtype, ["System", "List"]))
    elif dtype == "System" and constraints:
        errs.append(_invalid(p.child("defaultingType"), dtype, "when .defaultConstraints are not empty"))
    cp = p.child("defaultConstraints")
    for i, c in enumerate(constraints):
        ip = cp.index(i)
        if c.get("maxSkew", 0) <= 0:
            errs.append(_invalid(ip.child("maxSkew"), c.get("maxSkew", 0), "not in valid range (0, inf)"))
        key = c.get("topologyKey", "")
        if not key:
            errs.append(_required(ip.child("topologyKey"), "can not be empty"))
        else:
            errs.extend(_validate_label_name(key, ip.child("topologyKey")))
        action = c.get("whenUnsatisfiable", "")
        if not action:
            errs.append(_required(ip.child("whenUnsatisfiable"), "can not be empty"))
        elif action not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(_not_supported(ip.child("whenUnsatisfiable"), action, ["DoNotSchedule", "ScheduleAnyway"]))
        if "labelSelector" in c:
            errs.append(_forbidden(ip.child("labelSelector"), "constraint must not define a selector, as they deduced for each pod"))
        for other in constraints[:i]:
            if other.get("topologyKey", "") == key and other.get("whenUnsatisfiable", "") == action:
                errs.append(_duplicate(ip, f"{{{key}, {action}}}"))
                break
    return errs


def _validate_function_shape(shape: Sequence[dict] | None, p: _Path) -> list[_FieldError]:
    if not shape:
        return [_required(p, "at least one point must be specified")]
    errs = []
    for i in range(1, len(shape)):
        if shape[i - 1].get("utilization", 0) >= shape[i].get("utilization", 0):
            errs.append(_invalid(p.index(i).child("utilization"), shape[i].get("utilization", 0),
                                 "values must be sorted in increasing order"))
            break
    for i, pt in enumerate(shape):
        u, s = pt.get("utilization", 0), pt.get("score", 0)
        if not 0 <= u <= 100:
            errs.append(_invalid(p.index(i).child("utilization"), u, "not in valid range [0, 100]"))
        if not 0 <= s <= _MAX_CUSTOM_PRIORITY_SCORE:
            errs.append(_invalid(p.index(i).child("score"), s, f"not in valid range [0, {_MAX_CUSTOM_PRIORITY_SCORE}]"))
    return errs


def _validate_resources(resources: Sequence[dict], p: _Path) -> list[_FieldError]:
    errs = []
    for i, r in enumerate(resources):
        w = r.get("weight", 0)
        if w <= 0 or w > 100:
            errs.append(_invalid(p.index(i).child("weight"), w,
                                 f"resource weight of {r.get('name', '')} not in valid range (0, 100]"))
    return errs


def _validate_balanced_allocation(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    seen: set[str] = set()
    for i, r in enumerate(a.get("resources") or ()):
        rp = p.child("resources").index(i)
        name = r.get("name", "")
        if name in seen:
            errs.append(_duplicate(rp.child("name"), name))
        else:
            seen.add(name)
        if r.get("weight", 0) != 1:
            errs.append(_invalid(rp.child("weight"), r.get("weight", 0), "must be 1"))
    return errs


def _validate_node_affinity(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    aff = a.get("addedAffinity")
    if aff is None:
        return []
    errs: list[_FieldError] = []
    base = p.child("addedAffinity")
    req = aff.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        tp = base.child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
        for i, term in enumerate(req.get("nodeSelectorTerms") or ()):
            errs.extend(_validate_node_selector_term(term, tp.index(i)))
    for i, term in enumerate(aff.get("preferredDuringSchedulingIgnoredDuringExecution") or ()):
        if term.get("weight", 0) == 0:
            continue
        errs.extend(_validate_node_selector_term(term.get("preference") or {},
                                                 base.child("preferredDuringSchedulingIgnoredDuringExecution").index(i)))
    return errs


_NODE_SELECTOR_OPS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")


def _validate_node_selector_term(term: dict, p: _Path) -> list[_FieldError]:
    """component-helpers nodeaffinity newNodeSelectorTerm + labels.NewRequirement."""
    errs: list[_FieldError] = []
    for i, expr in enumerate(term.get("matchExpressions") or ()):
        ep = p.child("matchExpressions").index(i)
        op, key, vals = expr.get("operator", ""), expr.get("key", ""), expr.get("values")
        if op not in _NODE_SELECTOR_OPS:
            errs.append(_not_supported(ep.child("operator"), op, _NODE_SELECTOR_OPS))
            continue
        key_errs = _is_qualified_name(key)
        if key_errs:
            errs.append(_invalid(ep.child("key"), key, "; ".join(key_errs)))
        vp = ep.child("values")
        n = len(vals or ())
        if op in ("In", "NotIn") and n == 0:
            errs.append(_invalid(vp, _go_string_slice(vals), "for 'in', 'notin' operators, values set can't be empty"))
        elif op in ("Exists", "DoesNotExist") and n != 0:
            errs.append(_invalid(vp, _go_string_slice(vals), "values set must be empty for exists and does not exist"))
        elif op in ("Gt", "Lt"):
            if n != 1:
                errs.append(_invalid(vp, _go_string_slice(vals), "for 'Gt', 'Lt' operators, exactly one value is required"))
            for j, v in enumerate(vals or ()):
                if not re.fullmatch(r"[+-]?\d+", v) or not -(2**63) <= int(v) < 2**63:
                    errs.append(_invalid(vp.index(j), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
        for j, v in enumerate(vals or ()):
            value_errs = _is_valid_label_value(v)
            if value_errs:
                errs.append(_invalid(vp.index(j).key(key), v, "; ".join(value_errs)))
    for i, expr in enumerate(term.get("matchFields") or ()):
        fp = p.child("matchFields").index(i)
        op, vals = expr.get("operator", ""), expr.get("values")
        if op in ("In", "NotIn"):
            if len(vals or ()) != 1:
                errs.append(_invalid(fp.child("values"), _go_string_slice(vals), "must have one element"))
        else:
            errs.append(_not_supported(fp.child("operator"), op, ("In", "NotIn")))
    return errs


def _validate_volume_binding(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    if a.get("bindTimeoutSeconds", 0) < 0:
        errs.append(_invalid(p.child("bindTimeoutSeconds"), a["bindTimeoutSeconds"],
                             "invalid BindTimeoutSeconds, should not be a negative value"))
    if a.get("shape") is not None:
        # StorageCapacityScoring is alpha (off) in v1.34/v1.35.
        points = ", ".join(f"config.UtilizationShapePoint{{Utilization:{s.get('utilization', 0)}, Score:{s.get('score', 0)}}}"
                           for s in a["shape"])
        errs.append(_invalid(p.child("shape"), _GoRepr(f"[]config.UtilizationShapePoint{{{points}}}"),
                             "unexpected field `shape`, remove it or turn on the feature gate StorageCapacityScoring"))
    return errs


def _validate_dynamic_resources(p: _Path, a: dict, spec: _VersionSpec) -> list[_FieldError]:
    errs = []
    ft = a.get("filterTimeout")
    if ft is not None and ft.ns < 0:
        errs.append(_invalid(p.child("filterTimeout"), _GoRepr(str(ft)), "must be zero or positive"))
    bt = a.get("bindingTimeout")
    if bt is not None:
        if not spec.dra_binding_timeout:
            errs.append(_forbidden(p.child("bindingTimeout"),
                                   "DRADeviceBindingConditions or DRAResourceClaimDeviceStatus feature gate is disabled"))
        elif bt.ns < 10**9:
            errs.append(_invalid(p.child("bindingTimeout"), _GoRepr(str(bt)), "must be at least 1 second"))
    return errs


_ARG_VALIDATORS: dict[str, Callable[[_Path, dict, _VersionSpec], list[_FieldError]]] = {
    "DefaultPreemption": _validate_default_preemption,
    "InterPodAffinity": _validate_inter_pod_affinity,
    "NodeAffinity": _validate_node_affinity,
    "NodeResourcesBalancedAllocation": _validate_balanced_allocation,
    # validation.go keys this validator "NodeResourcesFitArgs", so the config
    # stage never validates NodeResourcesFit's args; NewFit does (stage 4).
    "PodTopologySpread": _validate_pod_topology_spread,
    "VolumeBinding": _validate_volume_binding,
    "DynamicResources": _validate_dynamic_resources,
}


def _validate_fit_args(p: _Path | None, a: dict) -> list[_FieldError]:
    """ValidateNodeResourcesFitArgs as called by noderesources.NewFit (v1.34/v1.35)."""
    p = p or _Path()
    errs: list[_FieldError] = []
    for i, res in enumerate(a.get("ignoredResources") or ()):
        errs.extend(_validate_label_name(res, p.child("ignoredResources").index(i)))
    for i, group in enumerate(a.get("ignoredResourceGroups") or ()):
        gp = p.child("ignoredResourceGroups").index(i)
        if "/" in group:
            errs.append(_invalid(gp, group, "resource group name can't contain '/'"))
        errs.extend(_validate_label_name(group, gp))
    ss = a.get("scoringStrategy")
    sp = p.child("scoringStrategy")
    if ss is not None:
        if ss.get("type", "") not in _SCORING_TYPES:
            errs.append(_not_supported(sp.child("type"), ss.get("type", ""), _SCORING_TYPES))
        errs.extend(_validate_resources(ss.get("resources") or (), sp.child("resources")))
        rtcr = ss.get("requestedToCapacityRatio")
        if rtcr is not None:
            errs.extend(_validate_function_shape(rtcr.get("shape"), sp.child("shape")))
    return errs


# --------------------------------------------------------------------------------------
# Stage 4: framework construction (framework.go NewFramework, profile.go NewMap)
# --------------------------------------------------------------------------------------
class _FrameworkError(Exception):
    pass


_ANY_POINT = frozenset(EXTENSION_POINTS) - {"queueSort"}


def _registry(spec: _VersionSpec, extra: Collection[str] | Mapping[str, Any]) -> dict[str, frozenset[str] | None]:
    reg: dict[str, frozenset[str] | None] = dict(spec.points)
    declared = extra if isinstance(extra, Mapping) else None
    for name in extra:
        if not isinstance(name, str):
            raise TypeError(f"extra_plugins holds {name!r}: expected plugin names (str)")
        if name in reg:
            raise ConfigError(f"a plugin named {name} already exists")
        points: frozenset[str] | None = None
        value = declared.get(name) if declared is not None else None
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)) and value is not None:
            value = list(value)
            if all(isinstance(v, str) for v in value):
                unknown = [v for v in value if v not in EXTENSION_POINTS]
                if unknown:
                    raise ValueError(f"extra_plugins[{name!r}] names unknown extension points {unknown}: "
                                     f"expected some of {', '.join(EXTENSION_POINTS)}")
                points = frozenset(value)
        reg[name] = points
    return reg


def _implements(registry: Mapping[str, frozenset[str] | None], name: str, point: str) -> bool:
    pts = registry[name]
    # A user plugin whose extension points are not declared is taken to implement
    # every point but queueSort (kubekit cannot look at a Go type's methods).
    return (point in _ANY_POINT) if pts is None else (point in pts)


def _framework(prof: _InternalProfile, registry: Mapping[str, frozenset[str] | None]) -> tuple[dict[str, list[str]], dict[str, int]]:
    plugins = prof.plugins
    needed = {n for ep in _ALL_SETS for n, _ in plugins[ep].enabled}
    # Plugin factories of needed plugins; only NewFit validates args kubekit knows
    # to fail here (the others were validated in stage 3).
    if "NodeResourcesFit" in needed:
        args = next((pc.get("args") for pc in prof.plugin_config if pc.get("name") == "NodeResourcesFit"), None)
        if isinstance(args, dict):
            ferrs = _validate_fit_args(None, args)
            if ferrs:
                raise _FrameworkError(f'initializing plugin "NodeResourcesFit": {_aggregate_message([str(e) for e in ferrs])}')
            ss = args.get("scoringStrategy") or {}
            if ss.get("type") == "RequestedToCapacityRatio" and ss.get("requestedToCapacityRatio") is None:
                # v1.34/v1.35 dereference the nil pointer here and crash; this is
                # the message v1.36 gives (kubernetes/kubernetes#132120).
                raise _FrameworkError('initializing plugin "NodeResourcesFit": scoringStrategy.requestedToCapacityRatio: '
                                      "Required value: must be specified when type is RequestedToCapacityRatio")

    lists: dict[str, list[str]] = {}
    for ep, iface in _FRAMEWORK_ORDER:  # updatePluginList
        seen: set[str] = set()
        out: list[str] = []
        for name, _ in plugins[ep].enabled:
            if name not in registry:
                raise _FrameworkError(f'{iface} "{name}" does not exist')
            if registry[name] is not None and ep not in registry[name]:
                raise _FrameworkError(f'plugin "{name}" does not extend {iface} plugin')
            if name in seen:
                raise _FrameworkError(f'plugin "{name}" already registered as "{iface}"')
            seen.add(name)
            out.append(name)
        lists[ep] = out

    multi = plugins["multiPoint"].enabled
    if multi:  # expandMultiPointPlugins
        for ep, iface in _FRAMEWORK_ORDER:
            enabled_set: list[str] = []
            for name, _ in plugins[ep].enabled:
                if name not in enabled_set:
                    enabled_set.append(name)
            disabled = set(plugins[ep].disabled)
            if "*" in disabled:
                continue
            mp_enabled: list[str] = []
            overrides: list[str] = []
            for name, _ in multi:
                if name not in registry:
                    raise _FrameworkError(f'{iface} "{name}" does not exist')
                if not _implements(registry, name, ep):
                    continue
                if name in disabled:
                    continue
                if name in enabled_set:
                    if name not in overrides:
                        overrides.append(name)
                    continue
                if name in mp_enabled:
                    raise _FrameworkError(f'plugin "{name}" already registered as "{iface}"')
                mp_enabled.append(name)
            lists[ep] = ([n for n in enabled_set if n in overrides] + mp_enabled
                         + [n for n in enabled_set if n not in overrides])

    if len(lists["queueSort"]) != 1:
        raise _FrameworkError(f"only one queue sort plugin required for profile with scheduler name "
                              f"{_go_quote(prof.scheduler_name)}, but got {len(lists['queueSort'])}")
    if not lists["bind"]:
        raise _FrameworkError(f"at least one bind plugin is needed for profile with scheduler name "
                              f"{_go_quote(prof.scheduler_name)}")

    # getScoreWeights: Score.Enabled then MultiPoint.Enabled; the first weight wins,
    # 0 (or unset) means 1.  Weights are not range-checked by kube-scheduler v1.
    weights: dict[str, int] = {}
    total = 0
    for name, weight in list(plugins["score"].enabled) + list(multi):
        if name in weights or not _implements(registry, name, "score"):
            continue
        w = weight or 1
        weights[name] = w
        if w * _MAX_NODE_SCORE > _MAX_TOTAL_SCORE - total:
            raise _FrameworkError("total score of Score plugins could overflow")
        total += w * _MAX_NODE_SCORE
    for name in lists["score"]:
        weights.setdefault(name, 1)
    return lists, weights


# --------------------------------------------------------------------------------------
# Building the public objects
# --------------------------------------------------------------------------------------
def _freeze(v: Any) -> Any:
    if isinstance(v, _Duration):
        return str(v)
    if isinstance(v, Mapping):
        return MappingProxyType({k: _freeze(x) for k, x in v.items()})
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    return v


def _fit_args(args: dict | None) -> NodeResourcesFitArgs:
    args = _default_args("NodeResourcesFit", args or {})
    ss = args["scoringStrategy"]
    stype = ss.get("type", "")
    shape: tuple[UtilizationShapePoint, ...] = ()
    if stype == "RequestedToCapacityRatio" and ss.get("requestedToCapacityRatio") is not None:
        shape = tuple(UtilizationShapePoint(p.get("utilization", 0), p.get("score", 0))
                      for p in ss["requestedToCapacityRatio"].get("shape") or ())
    return NodeResourcesFitArgs(
        ignored_resources=tuple(args.get("ignoredResources") or ()),
        ignored_resource_groups=tuple(args.get("ignoredResourceGroups") or ()),
        scoring_strategy=ScoringStrategy(
            stype, tuple(ResourceSpec(r.get("name", ""), r["weight"]) for r in ss["resources"]), shape),
    )


def _balanced_args(args: dict | None) -> BalancedAllocationArgs:
    args = _default_args("NodeResourcesBalancedAllocation", args or {})
    return BalancedAllocationArgs(tuple(ResourceSpec(r.get("name", ""), r["weight"]) for r in args["resources"]))


def _public_args(pc: dict) -> Any:
    args = pc.get("args")
    if pc.get("_typed") and isinstance(args, dict):
        args = {k: v for k, v in args.items() if k not in ("apiVersion", "kind")}
    return _freeze(args if args is not None else {})


_UNIMPLEMENTED_SCAN = ("preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore",
                       "score", "reserve", "permit", "preBind", "bind", "postBind")


def _build_profile(prof: _InternalProfile, lists: dict[str, list[str]], weights: dict[str, int],
                   spec: _VersionSpec) -> Profile:
    configs = {pc.get("name", ""): pc for pc in prof.plugin_config}
    fit = configs.get("NodeResourcesFit")
    ba = configs.get("NodeResourcesBalancedAllocation")
    plugin_args = {name: _public_args(pc) for name, pc in configs.items()
                   if name not in ("NodeResourcesFit", "NodeResourcesBalancedAllocation")}
    unimplemented: list[str] = []
    for ep in _UNIMPLEMENTED_SCAN:
        for name in lists[ep]:
            if name in spec.points and name not in IMPLEMENTED_PLUGINS and name not in unimplemented:
                unimplemented.append(name)
    return Profile(
        scheduler_name=prof.scheduler_name,
        queue_sort=tuple(lists["queueSort"]),
        pre_filter=tuple(lists["preFilter"]),
        filter=tuple(lists["filter"]),
        post_filter=tuple(lists["postFilter"]),
        pre_score=tuple(lists["preScore"]),
        score=tuple((name, weights[name]) for name in lists["score"]),
        reserve=tuple(lists["reserve"]),
        permit=tuple(lists["permit"]),
        pre_bind=tuple(lists["preBind"]),
        bind=tuple(lists["bind"]),
        post_bind=tuple(lists["postBind"]),
        fit_args=_fit_args(fit.get("args") if fit and isinstance(fit.get("args"), dict) else None),
        balanced_args=_balanced_args(ba.get("args") if ba and isinstance(ba.get("args"), dict) else None),
        plugin_args=MappingProxyType(plugin_args),
        percentage_of_nodes_to_score=prof.percentage,
        unimplemented=tuple(unimplemented),
        pre_enqueue=tuple(lists["preEnqueue"]),
    )


def _spec(version: str) -> _VersionSpec:
    v = version[1:] if version.startswith("v") else version
    v = ".".join(v.split(".")[:2])
    try:
        return _VERSIONS[v]
    except KeyError:
        raise ValueError(f"unsupported kubernetes_version {version!r}: expected one of {', '.join(SUPPORTED_VERSIONS)}") from None


def load_config(
    source: Mapping | str | None = None,
    *,
    extra_plugins: Collection[str] = (),
    kubernetes_version: str = DEFAULT_VERSION,
) -> SchedulerConfig:
    """Load, default and validate a KubeSchedulerConfiguration.

    ``source`` is the parsed document (a mapping), its YAML/JSON text, or None for
    kube-scheduler's default configuration.  ``extra_plugins`` names the user's
    plugins (valid in any enabled list); a mapping ``{name: ("filter", "score")}``
    also declares the extension points each implements, which MultiPoint
    expansion needs (undeclared: every point but queueSort).

    Raises :class:`ConfigError` with ``.errors`` holding every message of the
    failing stage.
    """
    spec = _spec(kubernetes_version)
    registry = _registry(spec, extra_plugins)
    duplicates: list[str] = []
    if source is None:
        doc: Any = {"apiVersion": API_VERSION, "kind": KIND}
    elif isinstance(source, str):
        doc, duplicates = _parse_yaml(source)
    elif isinstance(source, Mapping):
        doc = _plain(source)
    else:
        raise TypeError(f"source is a {type(source).__name__}: expected a mapping, YAML text or None")

    top = _decode_document(doc, duplicates)
    cfg = _apply_defaults(top, spec)
    errs = _validate(cfg, spec)
    if errs:
        raise _fail([str(e) for e in errs])

    profiles: list[Profile] = []
    failures: list[str] = []
    first_qs: tuple[str, Any] | None = None
    for prof in cfg.profiles:
        try:
            lists, weights = _framework(prof, registry)
        except _FrameworkError as e:
            failures.append(f"initializing profiles: creating profile for scheduler name {prof.scheduler_name}: {e}")
            continue
        # profile.go cfgValidator: one queue sort plugin (and args) for all profiles.
        qs = lists["queueSort"][0]
        qs_args = next((pc.get("args") for pc in prof.plugin_config if pc.get("name") == qs), None)
        if first_qs is None:
            first_qs = (qs, qs_args)
        elif first_qs[0] != qs:
            failures.append(f"initializing profiles: different queue sort plugins for profile "
                            f"{_go_quote(prof.scheduler_name)}: {_go_quote(qs)}, first: {_go_quote(first_qs[0])}")
            continue
        elif first_qs[1] != qs_args:
            failures.append(f"initializing profiles: different queue sort plugin args for profile "
                            f"{_go_quote(prof.scheduler_name)}")
            continue
        profiles.append(_build_profile(prof, lists, weights, spec))
    if failures:
        raise _fail(failures)

    for p in profiles:
        if p.unimplemented:
            log.debug("profile %s enables plugins kubekit does not implement: %s",
                      p.scheduler_name, ", ".join(p.unimplemented))
    return SchedulerConfig(
        profiles=tuple(profiles),
        percentage_of_nodes_to_score=cfg.percentage,
        parallelism=cfg.parallelism,
        pod_initial_backoff_seconds=cfg.pod_initial_backoff,
        pod_max_backoff_seconds=cfg.pod_max_backoff,
        extenders=tuple(_freeze(e) for e in cfg.extenders),
        kubernetes_version=spec.version,
    )


def default_config(*, kubernetes_version: str = DEFAULT_VERSION) -> SchedulerConfig:
    """kube-scheduler's configuration when it is started without ``--config``."""
    return load_config(None, kubernetes_version=kubernetes_version)
