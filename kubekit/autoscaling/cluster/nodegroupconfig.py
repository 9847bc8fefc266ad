"""Scale-down with per node group options (cluster-autoscaler's
``processors/nodegroupconfig``: ``GetScaleDownUtilizationThreshold``,
``GetScaleDownGpuUtilizationThreshold``, ``GetScaleDownUnneededTime`` and
``GetScaleDownUnreadyTime`` answer per group, from the group's
``GetOptions`` or the global flags: :meth:`.NodeGroup.get_options`).  Pure.

:func:`~.scaledown.find_unneeded` and :func:`~.scaledown.select_removals`
take one threshold and one unneeded time; these two steps apply each
group's own before and after them, with the same verdicts and reasons:

* :func:`split_by_utilization` (``eligibility.Checker``): a candidate
  whose utilization cannot be calculated is ``UnexpectedError``; with
  ``--scale-down-unready-enabled=false`` an unready candidate is
  ``ScaleDownUnreadyDisabled``; a candidate above its group's threshold is
  ``NotUnderutilized`` -- the GPU threshold for a node with GPUs (its
  utilization is then its GPU's), the ordinary one otherwise; the rest (at
  or below it) go on to the move simulation;
* :func:`hold_not_unneeded_long_enough` (``unneeded.Nodes.RemovableAt``): a
  ready unneeded node stays until it has been unneeded for longer than its
  group's ``scale_down_unneeded_time`` (``NotUnneededLongEnough``), an
  unready one until longer than its group's ``scale_down_unready_time``
  (``NotUnreadyLongEnough``): removable once ``since + time`` is before
  now, strictly, as upstream's ``!since.Add(t).Before(now)``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction

from kubekit.autoscaling.cluster.scaledown import (
    NOT_UNNEEDED_LONG_ENOUGH, NOT_UNREADY_LONG_ENOUGH, SCALE_DOWN_UNREADY_DISABLED, Candidate, NodeVerdict,
    utilization_verdict,
)

__all__ = ["hold_not_unneeded_long_enough", "removable_after", "split_by_utilization"]


def split_by_utilization(candidates: Sequence[Candidate], thresholds: Mapping[str, float],
                         gpu_thresholds: Mapping[str, float] | None = None, *,
                         scale_down_unready_enabled: bool = True) -> tuple[list[NodeVerdict], list[Candidate]]:
    """``(verdicts of the candidates not eligible, the others)``;
    ``thresholds`` and ``gpu_thresholds`` (default: ``thresholds``): per
    group."""
    over: list[NodeVerdict] = []
    under: list[Candidate] = []
    for c in candidates:
        if not scale_down_unready_enabled and not c.ready and not c.utilization.error:
            over.append(NodeVerdict(c.name, c.group, c.utilization, False, SCALE_DOWN_UNREADY_DISABLED,
                                    "scale-down of unready nodes is disabled"))
            continue
        per_group = gpu_thresholds if c.utilization.gpu is not None and gpu_thresholds is not None else thresholds
        ineligible = utilization_verdict(c, Fraction(str(per_group[c.group])))
        if ineligible is not None:
            over.append(ineligible)
        else:
            under.append(c)
    return over, under


def removable_after(ready: bool, unneeded_time: float, unready_time: float) -> tuple[float, str]:
    """``removableAt``'s choice for one node: how long it must have been
    unneeded, and the reason while it has not."""
    return (unneeded_time, NOT_UNNEEDED_LONG_ENOUGH) if ready else (unready_time, NOT_UNREADY_LONG_ENOUGH)


def hold_not_unneeded_long_enough(verdicts: Sequence[NodeVerdict], since: Mapping[str, float], now: float,
                                  unneeded_times: Mapping[str, float], unready_times: Mapping[str, float] | None = None,
                                  unready: Collection[str] = ()) -> tuple[list[NodeVerdict], dict[str, str]]:
    """``(the verdicts left to select removals from, reason per node held
    back)``; ``unneeded_times``, ``unready_times``: per group; ``unready``:
    the unready nodes."""
    kept: list[NodeVerdict] = []
    held: dict[str, str] = {}
    for v in verdicts:
        if v.unneeded:
            ready = v.node not in unready
            wait, reason = removable_after(ready, unneeded_times[v.group],
                                           (unready_times or unneeded_times)[v.group])
            if not since.get(v.node, now) + wait < now:
                held[v.node] = reason
                continue
        kept.append(v)
    return kept, held
