"""Stage 3: validation (pkg/scheduler/apis/config/validation/validation.go).

Every error is collected, like ``field.ErrorList``; the plugin args validators
are in :mod:`.validate_plugin_args`.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from kubekit.scheduler.config.api import API_VERSION, EXTENSION_POINTS
from kubekit.scheduler.config.defaults import _Internal, _InternalProfile, _PSet
from kubekit.scheduler.config.field_errors import (
    _duplicate,
    _FieldError,
    _go_json,
    _go_quote,
    _GoRepr,
    _invalid,
    _Path,
    _required,
)
from kubekit.scheduler.config.name_validation import _is_extended_resource_name, _is_qualified_name
from kubekit.scheduler.config.registry import _INVALID_IN_V1, _VersionSpec
from kubekit.scheduler.config.validate_plugin_args import _ARG_VALIDATORS


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
