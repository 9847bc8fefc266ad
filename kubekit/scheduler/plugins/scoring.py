"""Pure scoring functions of NodeResourcesFit and BalancedAllocation.

Integer for integer with kube-scheduler (``pkg/scheduler/framework/plugins/
noderesources``): Go's int64 division truncates toward zero, so
:func:`go_div` is used wherever an operand can be negative.
"""

from __future__ import annotations

import math
from typing import Sequence

MAX_NODE_SCORE = 100
MAX_CUSTOM_PRIORITY_SCORE = 10
MAX_UTILIZATION = 100


def go_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as Go's ``/`` on int64."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def least_requested_score(requested: int, capacity: int) -> int:
    """``leastRequestedScore``: the free fraction, 0..100."""
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def most_requested_score(requested: int, capacity: int) -> int:
    """``mostRequestedScore``: the used fraction, 0..100 (requests above
    capacity count as full)."""
    if capacity == 0:
        return 0
    if requested > capacity:
        requested = capacity
    return requested * MAX_NODE_SCORE // capacity


def broken_linear(shape: Sequence[tuple[int, int]], p: int) -> int:
    """``helper.BuildBrokenLinearFunction`` applied to ``p``; ``shape`` is
    ``(utilization, score)`` points with strictly increasing utilization."""
    for i, (u, s) in enumerate(shape):
        if p <= u:
            if i == 0:
                return shape[0][1]
            u0, s0 = shape[i - 1]
            return s0 + go_div((s - s0) * (p - u0), u - u0)
    return shape[-1][1]


def rtcr_resource_score(shape: Sequence[tuple[int, int]], requested: int, capacity: int) -> int:
    """RequestedToCapacityRatio's per-resource score; ``shape`` already scaled
    to 0..100 scores."""
    if capacity == 0 or requested > capacity:
        return broken_linear(shape, MAX_UTILIZATION)
    return broken_linear(shape, requested * MAX_UTILIZATION // capacity)


def go_round(x: float) -> int:
    """``math.Round``: half away from zero."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def strategy_score(
    strategy: str,
    requested: Sequence[int],
    allocatable: Sequence[int],
    weights: Sequence[int],
    shape: Sequence[tuple[int, int]] = (),
) -> int:
    """A node's NodeResourcesFit score from per-resource (requested,
    allocatable) pairs; pairs with allocatable 0 are left out."""
    num = wsum = 0
    for req, alloc, w in zip(requested, allocatable, weights):
        if alloc == 0:
            continue
        if strategy == "LeastAllocated":
            s = least_requested_score(req, alloc)
        elif strategy == "MostAllocated":
            s = most_requested_score(req, alloc)
        elif strategy == "RequestedToCapacityRatio":
            s = rtcr_resource_score(shape, req, alloc)
            if s <= 0:
                continue
        else:
            raise ValueError(f"unknown scoring strategy {strategy!r}")
        num += s * w
        wsum += w
    if wsum == 0:
        return 0
    if strategy == "RequestedToCapacityRatio":
        return go_round(float(num) / float(wsum))
    return num // wsum


def balanced_score(requested: Sequence[int], allocatable: Sequence[int]) -> int:
    """``balancedResourceScorer`` (v1.34/v1.35): 100 × (1 − std of the
    requested fractions), truncated; float64 maths as in Go."""
    fractions = []
    total = 0.0
    for req, alloc in zip(requested, allocatable):
        if alloc == 0:
            continue
        f = float(req) / float(alloc)
        if f > 1:
            f = 1.0
        total += f
        fractions.append(f)
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = total / float(len(fractions))
        acc = 0.0
        for f in fractions:
            acc = acc + (f - mean) * (f - mean)
        std = math.sqrt(acc / float(len(fractions)))
    return int((1 - std) * float(MAX_NODE_SCORE))
