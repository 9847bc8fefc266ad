"""Scale-down with per node group options (cluster-autoscaler's
``processors/nodegroupconfig``: ``GetScaleDownUtilizationThreshold`` and
``GetScaleDownUnneededTime`` answer per group, from the group's
``GetOptions`` or the global flags).  Pure.

:func:`~.scaledown.find_unneeded` and :func:`~.scaledown.select_removals`
take one threshold and one unneeded time; these two steps apply each
group's own before and after them, with the same verdicts and reasons:

* :func:`split_by_utilization`: a candidate at or above its group's
  threshold is ``NotUnderutilized`` (upstream's eligibility check,
  ``eligibility.Checker``, with the group's threshold); the rest go on to
  the move simulation;
* :func:`hold_not_unneeded_long_enough`: an unneeded node unneeded for less
  than its group's ``scale_down_unneeded_time`` stays
  (``NotUnneededLongEnough``, upstream's ``unneeded.Nodes.RemovableAt``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from kubekit.autoscaling.cluster.scaledown import (
    NOT_UNDERUTILIZED, NOT_UNNEEDED_LONG_ENOUGH, Candidate, NodeVerdict,
)

__all__ = ["hold_not_unneeded_long_enough", "split_by_utilization"]


def split_by_utilization(candidates: Sequence[Candidate], thresholds: Mapping[str, float]
                         ) -> tuple[list[NodeVerdict], list[Candidate]]:
    """``(verdicts of the candidates not underutilized, the others)``;
    ``thresholds``: per group."""
    over: list[NodeVerdict] = []
    under: list[Candidate] = []
    for c in candidates:
        limit = Fraction(str(thresholds[c.group]))
        if c.utilization.value >= limit:
            over.append(NodeVerdict(c.name, c.group, c.utilization, False, NOT_UNDERUTILIZED,
                                    f"utilization {float(c.utilization.value):.3f} is not below {float(limit):.3f}"))
        else:
            under.append(c)
    return over, under


def hold_not_unneeded_long_enough(verdicts: Sequence[NodeVerdict], since: Mapping[str, float], now: float,
                                  unneeded_times: Mapping[str, float]) -> tuple[list[NodeVerdict], dict[str, str]]:
    """``(the verdicts left to select removals from, reason per node held
    back)``; ``unneeded_times``: per group."""
    kept: list[NodeVerdict] = []
    held: dict[str, str] = {}
    for v in verdicts:
        if v.unneeded and now - since.get(v.node, now) < unneeded_times[v.group]:
            held[v.node] = NOT_UNNEEDED_LONG_ENOUGH
        else:
            kept.append(v)
    return kept, held
