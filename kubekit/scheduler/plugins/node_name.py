"""NodeName: a pod with ``spec.nodeName`` fits only the node of that name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit.scheduler.framework import SUCCESS, Code, CycleState, NodeInfo, Status

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod

REASON = "node(s) didn't match the requested node name"


class NodeName:
    name = "NodeName"

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status:
        if not pod.node_name or pod.node_name == node.name:
            return SUCCESS
        return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), self.name)
