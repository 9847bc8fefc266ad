"""Stage 4: framework construction (framework.go NewFramework, profile.go NewMap).

``pkg/scheduler/framework/runtime/framework.go`` ``NewFramework`` /
``expandMultiPointPlugins`` / ``getScoreWeights``: the final plugin list at every
extension point of a profile and its score weights, with kube-scheduler's errors
for unknown plugins, plugins at a point they do not implement, duplicates, the
NodeResourcesFit args (validated only here, by ``NewFit``), exactly one
queue-sort plugin, at least one bind plugin, and score-weight overflow.
"""

from __future__ import annotations

from typing import Mapping

from kubekit.scheduler.config.api import _ALL_SETS
from kubekit.scheduler.config.defaults import _InternalProfile
from kubekit.scheduler.config.field_errors import _aggregate_message, _go_quote
from kubekit.scheduler.config.registry import _implements
from kubekit.scheduler.config.validate_plugin_args import _validate_fit_args


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

_MAX_NODE_SCORE = 100
_MAX_TOTAL_SCORE = 2**63 - 1


class _FrameworkError(Exception):
    pass


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
