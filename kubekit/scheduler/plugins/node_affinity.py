"""NodeAffinity: ``nodeSelector`` and required node affinity filter;
preferred terms add their weights to the score (normalized)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit.api.affinity import match_node_selector, match_term
from kubekit.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Code, CycleState, NodeInfo, Status, default_normalize_score

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod

REASON_POD = "node(s) didn't match Pod's node affinity/selector"
REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity"


def required_match(pod: "Pod", node: NodeInfo) -> bool:
    labels = node.node.labels
    if any(labels.get(k) != v for k, v in pod.node_selector.items()):
        return False
    aff = pod.affinity
    if aff is not None and aff.required is not None:
        return match_node_selector(aff.required, labels, node.name)
    return True


def preferred_score(terms, node: NodeInfo) -> int:
    return sum(t.weight for t in terms if match_term(t.preference, node.node.labels, node.name))


class NodeAffinity:
    """``added`` is NodeAffinityArgs.addedAffinity (a NodeAffinity or None):
    its required terms filter first, its preferred terms add to the pod's."""

    name = "NodeAffinity"

    def __init__(self, added=None) -> None:
        self.added_required = added.required if added is not None else None
        self.added_preferred = tuple(added.preferred) if added is not None else ()

    def _preferred(self, pod: "Pod") -> tuple:
        own = pod.affinity.preferred if pod.affinity is not None else ()
        return tuple(own) + self.added_preferred

    def filter(self, state: CycleState, pod: "Pod", node: NodeInfo) -> Status:
        if self.added_required is not None and not match_node_selector(self.added_required, node.node.labels, node.name):
            return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_ENFORCED,), self.name)
        if required_match(pod, node):
            return SUCCESS
        return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_POD,), self.name)

    def pre_score(self, state: CycleState, pod: "Pod", nodes: list[NodeInfo]) -> Status:
        terms = self._preferred(pod)
        if not terms:
            return Status(Code.SKIP, plugin=self.name)
        state[self.name] = terms
        return SUCCESS

    def score(self, state: CycleState, pod: "Pod", node: NodeInfo) -> tuple[int, Status]:
        return preferred_score(state[self.name], node), SUCCESS

    def normalize_score(self, state: CycleState, pod: "Pod", scores: dict[str, int]) -> Status:
        default_normalize_score(MAX_NODE_SCORE, False, scores)
        return SUCCESS


REASON_CONFLICT = "pod affinity terms conflict"
REASON_PREFILTER_ABSENT = "node(s) didn't satisfy plugin(s) [NodeAffinity]"


def prefilter_node_names(pod: "Pod") -> tuple[frozenset[str] | None, bool]:
    """NodeAffinity's PreFilter result: the node names the required terms
    restrict the pod to through ``matchFields metadata.name In`` (None: no
    restriction), and whether the terms conflict (no node can match)."""
    aff = pod.affinity
    if aff is None or not aff.required:
        return None, False
    names: set[str] | None = None
    for term in aff.required:
        term_names: set[str] | None = None
        for r in term.match_fields:
            if r.key == "metadata.name" and r.operator == "In":
                s = set(r.values)
                term_names = s if term_names is None else term_names & s
        if term_names is None:
            return None, False  # this term does not pin node names: all nodes remain
        names = term_names if names is None else names | term_names
    if names is not None and not names:
        return None, True
    return (frozenset(names) if names else None), False
