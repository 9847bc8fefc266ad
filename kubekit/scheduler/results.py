"""What the scheduler returns: placements, unschedulable results with
kube-scheduler's message, and the per-node explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from kubekit.scheduler.framework import Code

NO_NODES_AVAILABLE = "no nodes available to schedule pods"


def fit_error_message(num_all_nodes: int, reasons: Mapping[str, int], pre_filter_msg: str = "") -> str:
    """``FitError.Error()``: ``0/5 nodes are available: 3 Insufficient cpu,
    2 node(s) had untolerated taint {...}.`` — the reason histogram sorted as
    strings, as Go's ``sort.Strings`` does."""
    msg = f"0/{num_all_nodes} nodes are available:"
    if pre_filter_msg:
        return msg + f" {pre_filter_msg}."
    parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
    if parts:
        msg += f" {', '.join(parts)}."
    return msg


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    """One pod's outcome: the node, or why there is none."""

    pod: str
    node: str | None
    score: int | None = None
    feasible_nodes: int = 0
    evaluated_nodes: int = 0
    message: str = ""
    reasons: Mapping[str, int] = field(default_factory=dict)

    @property
    def scheduled(self) -> bool:
        return self.node is not None

    def __str__(self) -> str:
        return f"{self.pod} -> {self.node}" if self.node else f"{self.pod}: {self.message}"


@dataclass(frozen=True, slots=True)
class PluginScore:
    raw: int
    normalized: int
    weight: int

    @property
    def weighted(self) -> int:
        return self.normalized * self.weight


@dataclass(frozen=True, slots=True)
class NodeExplanation:
    node: str
    code: Code
    reasons: tuple[str, ...]
    plugin: str                      # the filter plugin that rejected the node, "" if feasible
    scores: Mapping[str, PluginScore]
    total: int | None                # None when the node was filtered out

    @property
    def feasible(self) -> bool:
        return self.code == Code.SUCCESS


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the pod lands where it does (``kubekit explain``)."""

    pod: str
    chosen: str | None
    message: str
    nodes: tuple[NodeExplanation, ...]
    skipped_plugins: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()

    def node(self, name: str) -> NodeExplanation:
        for n in self.nodes:
            if n.node == name:
                return n
        raise KeyError(name)

    def table(self) -> str:
        lines = []
        for n in sorted(self.nodes, key=lambda e: (-(e.total if e.total is not None else -1), e.node)):
            if n.total is None:
                lines.append(f"{n.node:30} filtered by {n.plugin}: {', '.join(n.reasons)}")
            else:
                parts = " ".join(f"{k}={s.normalized}x{s.weight}" for k, s in n.scores.items())
                mark = "*" if n.node == self.chosen else " "
                lines.append(f"{mark}{n.node:29} total={n.total:5d}  {parts}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class BatchResult:
    results: tuple[ScheduleResult, ...]

    @property
    def placements(self) -> dict[str, str]:
        return {r.pod: r.node for r in self.results if r.node is not None}

    @property
    def unschedulable(self) -> tuple[ScheduleResult, ...]:
        return tuple(r for r in self.results if r.node is None)
