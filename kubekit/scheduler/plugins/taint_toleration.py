"""TaintToleration: NoSchedule/NoExecute taints filter, PreferNoSchedule
taints lower the score (reverse-normalized)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit.api.affinity import tolerates_taint
from kubekit.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Code, CycleState, NodeInfo, Status, default_normalize_score

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod

FILTER_EFFECTS = ("NoSchedule", "NoExecute")


# v1.34+: the message no longer names the taint (older releases printed
# "node(s) had untolerated taint {key: value}").
REASON_UNTOLERATED = "node(s) had untolerated taint(s)"


def untolerated_reason(key: str, value: str) -> str:
    return REASON_UNTOLERATED


class TaintToleration:
    name = "TaintToleration"

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status:
        for taint in node.node.taints:
            if taint.effect not in FILTER_EFFECTS:
                continue
            if not any(tolerates_taint(t, taint) for t in pod.tolerations):
                return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (untolerated_reason(taint.key, taint.value),), self.name)
        return SUCCESS

    def pre_score(self, state: CycleState, pod: "Pod", nodes: list[NodeInfo]) -> Status:
        state[self.name] = [t for t in pod.tolerations if t.effect in ("", "PreferNoSchedule")]
        return SUCCESS

    def score(self, state: CycleState, pod: "Pod", node: NodeInfo) -> tuple[int, Status]:
        tols = state[self.name]
        count = sum(
            1
            for taint in node.node.taints
            if taint.effect == "PreferNoSchedule" and not any(tolerates_taint(t, taint) for t in tols)
        )
        return count, SUCCESS

    def normalize_score(self, state: CycleState, pod: "Pod", scores: dict[str, int]) -> Status:
        default_normalize_score(MAX_NODE_SCORE, True, scores)
        return SUCCESS
