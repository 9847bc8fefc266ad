"""The v1 Go types that strict decoding checks a document against.

``KubeSchedulerConfiguration`` and the registered ``<Plugin>Args`` kinds, each
field with its Go type, which kube-scheduler's messages name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kubekit.scheduler.config.api import _ALL_SETS, KIND


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
