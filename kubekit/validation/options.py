"""Feature gates that change what validation accepts.

Defaults follow a Kubernetes v1.34/v1.35 API server with default gates.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_OPTIONS", "Options"]


@dataclass(frozen=True, slots=True)
class Options:
    """``toleration_comparison_operators``: the TaintTolerationComparisonOperators
    gate (alpha in v1.35, off by default) lets tolerations use ``Gt``/``Lt``.
    ``pod_level_resources``: PodLevelResources (beta and on since v1.34)
    validates ``spec.resources``; when off, kubekit ignores that field."""

    toleration_comparison_operators: bool = False
    pod_level_resources: bool = True


DEFAULT_OPTIONS = Options()
