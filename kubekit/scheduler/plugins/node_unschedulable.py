"""NodeUnschedulable: ``spec.unschedulable`` nodes reject pods that do not
tolerate the ``node.kubernetes.io/unschedulable:NoSchedule`` taint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit.api.affinity import Taint, tolerates_taint
from kubekit.scheduler.framework import SUCCESS, Code, CycleState, NodeInfo, Status

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod

UNSCHEDULABLE_TAINT = Taint(key="node.kubernetes.io/unschedulable", value="", effect="NoSchedule")
REASON = "node(s) were unschedulable"


def tolerates_unschedulable(pod: "Pod") -> bool:
    return any(tolerates_taint(t, UNSCHEDULABLE_TAINT) for t in pod.tolerations)


class NodeUnschedulable:
    name = "NodeUnschedulable"

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status:
        if not node.node.unschedulable or tolerates_unschedulable(pod):
            return SUCCESS
        return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), self.name)
