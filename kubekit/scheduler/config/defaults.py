"""Stage 2: defaulting (pkg/scheduler/apis/config/v1/defaults.go, default_plugins.go).

Parallelism 16, one ``default-scheduler`` profile, the v1 default plugins merged
with the profile's plugins (``mergePlugins``), default args for every enabled
in-tree plugin that has an args type.  The result is the internal config that
validation and framework construction read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from kubekit.scheduler.config.api import _ALL_SETS, DEFAULT_SCHEDULER_NAME
from kubekit.scheduler.config.durations import _Duration
from kubekit.scheduler.config.registry import _VersionSpec
from kubekit.scheduler.config.schema import _ARGS_SCHEMAS


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
