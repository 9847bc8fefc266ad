"""Building the public objects: a :class:`Profile` from a profile's final plugin lists."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from kubekit.scheduler.config.defaults import _default_args, _InternalProfile
from kubekit.scheduler.config.durations import _Duration
from kubekit.scheduler.config.registry import IMPLEMENTED_PLUGINS, _VersionSpec
from kubekit.scheduler.config.types import (
    BalancedAllocationArgs,
    NodeResourcesFitArgs,
    Profile,
    ResourceSpec,
    ScoringStrategy,
    UtilizationShapePoint,
)


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
