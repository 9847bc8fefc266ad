"""The in-tree plugin registry of each supported Kubernetes release.

Which plugins exist, the extension points each implements, the v1 default
plugin list of each release, and the registry a profile is checked against
(in-tree plugins plus the user's ``extra_plugins``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Collection, Iterable, Mapping

from kubekit.errors import ConfigError
from kubekit.scheduler.config.api import EXTENSION_POINTS


SUPPORTED_VERSIONS = ("1.34", "1.35")
DEFAULT_VERSION = "1.35"

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


def in_tree_plugins(kubernetes_version: str = DEFAULT_VERSION) -> Mapping[str, frozenset[str]]:
    """The in-tree plugin names of a release and the extension points each implements."""
    return _spec(kubernetes_version).points


def _spec(version: str) -> _VersionSpec:
    v = version[1:] if version.startswith("v") else version
    v = ".".join(v.split(".")[:2])
    try:
        return _VERSIONS[v]
    except KeyError:
        raise ValueError(f"unsupported kubernetes_version {version!r}: expected one of {', '.join(SUPPORTED_VERSIONS)}") from None


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
