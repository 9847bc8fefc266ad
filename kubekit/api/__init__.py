"""kubekit's object model: quantities, resource lists, pods, nodes, taints,
tolerations and node affinity.  See docs/api-objects.md.

Names are imported on first use (PEP 562): ``kubekit run`` needs only
``Quantity`` and does not pay for the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubekit._lazy import lazy_names

_LAZY = {
    "Quantity": "kubekit.api.quantity",
    "CPU": "kubekit.api.resources",
    "DEFAULT_MEMORY_REQUEST": "kubekit.api.resources",
    "DEFAULT_MILLI_CPU_REQUEST": "kubekit.api.resources",
    "EPHEMERAL_STORAGE": "kubekit.api.resources",
    "MEMORY": "kubekit.api.resources",
    "PODS": "kubekit.api.resources",
    "FrozenMap": "kubekit.api.resources",
    "format_quantity": "kubekit.api.resources",
    "nonzero_requests": "kubekit.api.resources",
    "parse_resource_list": "kubekit.api.resources",
    "pod_requests": "kubekit.api.resources",
    "NO_EXECUTE": "kubekit.api.affinity",
    "NO_SCHEDULE": "kubekit.api.affinity",
    "PREFER_NO_SCHEDULE": "kubekit.api.affinity",
    "NodeAffinity": "kubekit.api.affinity",
    "NodeSelectorRequirement": "kubekit.api.affinity",
    "NodeSelectorTerm": "kubekit.api.affinity",
    "PreferredSchedulingTerm": "kubekit.api.affinity",
    "Taint": "kubekit.api.affinity",
    "Toleration": "kubekit.api.affinity",
    "find_untolerated_taint": "kubekit.api.affinity",
    "match_node_selector": "kubekit.api.affinity",
    "match_node_selector_labels": "kubekit.api.affinity",
    "match_requirement": "kubekit.api.affinity",
    "match_required_node_affinity": "kubekit.api.affinity",
    "match_term": "kubekit.api.affinity",
    "score_preferred_terms": "kubekit.api.affinity",
    "tolerates_taint": "kubekit.api.affinity",
    "tolerations_tolerate_taint": "kubekit.api.affinity",
    "Container": "kubekit.api.pod",
    "Pod": "kubekit.api.pod",
    "Node": "kubekit.api.node",
}

if TYPE_CHECKING:
    from kubekit.api.quantity import Quantity
    from kubekit.api.resources import (
        CPU,
        DEFAULT_MEMORY_REQUEST,
        DEFAULT_MILLI_CPU_REQUEST,
        EPHEMERAL_STORAGE,
        MEMORY,
        PODS,
        FrozenMap,
        format_quantity,
        nonzero_requests,
        parse_resource_list,
        pod_requests,
    )
    from kubekit.api.affinity import (
        NO_EXECUTE,
        NO_SCHEDULE,
        PREFER_NO_SCHEDULE,
        NodeAffinity,
        NodeSelectorRequirement,
        NodeSelectorTerm,
        PreferredSchedulingTerm,
        Taint,
        Toleration,
        find_untolerated_taint,
        match_node_selector,
        match_node_selector_labels,
        match_requirement,
        match_required_node_affinity,
        match_term,
        score_preferred_terms,
        tolerates_taint,
        tolerations_tolerate_taint,
    )
    from kubekit.api.pod import Container, Pod
    from kubekit.api.node import Node


__getattr__, __dir__ = lazy_names('kubekit.api', globals(), _LAZY)


__all__ = [
    "Quantity",
    "CPU",
    "MEMORY",
    "EPHEMERAL_STORAGE",
    "PODS",
    "DEFAULT_MILLI_CPU_REQUEST",
    "DEFAULT_MEMORY_REQUEST",
    "FrozenMap",
    "parse_resource_list",
    "format_quantity",
    "pod_requests",
    "nonzero_requests",
    "NO_SCHEDULE",
    "PREFER_NO_SCHEDULE",
    "NO_EXECUTE",
    "Taint",
    "Toleration",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "PreferredSchedulingTerm",
    "NodeAffinity",
    "tolerates_taint",
    "tolerations_tolerate_taint",
    "find_untolerated_taint",
    "match_requirement",
    "match_term",
    "match_node_selector",
    "match_node_selector_labels",
    "match_required_node_affinity",
    "score_preferred_terms",
    "Container",
    "Pod",
    "Node",
]
