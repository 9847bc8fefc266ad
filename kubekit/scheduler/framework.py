"""The scheduling framework: statuses, cycle state and plugin interfaces.

This mirrors kube-scheduler's framework (``staging/src/k8s.io/kube-scheduler/
framework/interface.go``): one small interface per extension point, results
returned as data (:class:`Status`), never as exceptions.  Built-in plugins are
implemented twice: as Cython kernels over packed per-node arrays (the fast
path, ``kubekit/_fast/_sched.pyx``) and as the plain-Python plugins in
``kubekit/scheduler/plugins/`` which follow these interfaces (the twin).
Users register their own plugins against the same interfaces.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Node, Pod

MAX_NODE_SCORE = 100
MIN_NODE_SCORE = 0


class Code(enum.IntEnum):
    SUCCESS = 0
    ERROR = 1
    UNSCHEDULABLE = 2
    UNSCHEDULABLE_AND_UNRESOLVABLE = 3
    WAIT = 4
    SKIP = 5
    PENDING = 6

    @property
    def k8s_name(self) -> str:
        return _K8S_CODE_NAMES[self]


_K8S_CODE_NAMES = {
    Code.SUCCESS: "Success",
    Code.ERROR: "Error",
    Code.UNSCHEDULABLE: "Unschedulable",
    Code.UNSCHEDULABLE_AND_UNRESOLVABLE: "UnschedulableAndUnresolvable",
    Code.WAIT: "Wait",
    Code.SKIP: "Skip",
    Code.PENDING: "Pending",
}


@dataclass(frozen=True, slots=True)
class Status:
    """A plugin's verdict: a code, the reasons and the plugin that said it."""

    code: Code = Code.SUCCESS
    reasons: tuple[str, ...] = ()
    plugin: str = ""

    @property
    def ok(self) -> bool:
        return self.code == Code.SUCCESS

    @property
    def is_rejected(self) -> bool:
        return self.code in (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE)

    def __str__(self) -> str:
        return f"{self.code.k8s_name}: {', '.join(self.reasons)}" if self.reasons else self.code.k8s_name


SUCCESS = Status()


class CycleState(dict):
    """Per-pod scheduling-cycle scratch space (``CycleState`` in Go): plugins
    write what PreFilter / PreScore computed and read it back per node."""


@dataclass(slots=True)
class NodeInfo:
    """A node with the aggregate of the pods bound or assumed on it.

    ``requested`` is the plain sum of the pods' requests; ``nonzero_cpu_milli``
    and ``nonzero_memory_bytes`` are the sums with the scoring defaults for
    containers without requests (``NonZeroRequested`` in Go).
    """

    node: "Node"
    requested: dict[str, int] = field(default_factory=dict)
    nonzero_cpu_milli: int = 0
    nonzero_memory_bytes: int = 0
    pod_count: int = 0

    @property
    def name(self) -> str:
        return self.node.name

    def add_pod(self, pod: "Pod", sign: int = 1) -> None:
        for name, q in pod.requests.items():
            self.requested[name] = self.requested.get(name, 0) + sign * q
        nz = pod.nonzero_requests
        self.nonzero_cpu_milli += sign * nz.get("cpu", 0)
        self.nonzero_memory_bytes += sign * nz.get("memory", 0)
        self.pod_count += sign


@runtime_checkable
class PreFilterPlugin(Protocol):
    name: str

    def pre_filter(self, state: CycleState, pod: "Pod", nodes: list[NodeInfo]) -> Status: ...


@runtime_checkable
class FilterPlugin(Protocol):
    name: str

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status: ...


@runtime_checkable
class PreScorePlugin(Protocol):
    name: str

    def pre_score(self, state: CycleState, pod: "Pod", nodes: list[NodeInfo]) -> Status: ...


@runtime_checkable
class ScorePlugin(Protocol):
    name: str

    def score(self, state: CycleState, pod: "Pod", node: NodeInfo) -> tuple[int, Status]: ...


@runtime_checkable
class NormalizeScorePlugin(Protocol):
    name: str

    def normalize_score(self, state: CycleState, pod: "Pod", scores: dict[str, int]) -> Status: ...


@runtime_checkable
class ReservePlugin(Protocol):
    name: str

    def reserve(self, state: CycleState, pod: "Pod", node_name: str) -> Status: ...

    def unreserve(self, state: CycleState, pod: "Pod", node_name: str) -> None: ...


@runtime_checkable
class BindPlugin(Protocol):
    name: str

    def bind(self, state: CycleState, pod: "Pod", node_name: str) -> Status: ...


EXTENSION_POINTS: Mapping[str, Any] = {
    "preFilter": PreFilterPlugin,
    "filter": FilterPlugin,
    "preScore": PreScorePlugin,
    "score": ScorePlugin,
    "reserve": ReservePlugin,
    "bind": BindPlugin,
}


def default_normalize_score(max_priority: int, reverse: bool, scores: dict[str, int]) -> None:
    """``helper.DefaultNormalizeScore``: scale to [0, max_priority] by the
    highest score (Go integer division), optionally reversed.  In place."""
    max_count = max(scores.values(), default=0)
    if max_count == 0:
        if reverse:
            for k in scores:
                scores[k] = max_priority
        return
    for k, s in scores.items():
        s = max_priority * s // max_count  # both non-negative: // == Go's /
        scores[k] = max_priority - s if reverse else s
