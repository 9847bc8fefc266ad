"""Public result types: the frozen dataclasses :func:`load_config` returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kubekit.scheduler.config.api import EXTENSION_POINTS
from kubekit.scheduler.config.registry import DEFAULT_VERSION


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
