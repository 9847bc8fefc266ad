"""Go arithmetic the HPA relies on, reproduced exactly.

* Go integer division truncates toward zero (Python's ``//`` floors);
* Go ``float64`` is an IEEE double, as Python's ``float``; ``math.Ceil`` and
  ``float64(int64)`` round the same way as :func:`math.ceil` and :func:`float`;
* Go ``time.Time`` comparisons (``After``/``Before``) are strict; kubekit
  compares the given times exactly, so ``start + period`` is never rounded
  before the comparison: in floats when the two sides are more than 1 ms
  apart (float rounding of times near the epoch's 1.7e9 s is under 1 µs, so
  the sign is certain), exactly (:class:`fractions.Fraction`) otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Callable

__all__ = [
    "MAX_INT32",
    "MAX_INT64",
    "MIN_INT32",
    "ceil_to_int32",
    "compare",
    "cut",
    "float_cut",
    "go_div",
    "go_fdiv",
    "signs",
    "time_after",
    "time_before",
    "to_int32",
]

MAX_INT32 = 2**31 - 1
MIN_INT32 = -(2**31)
MAX_INT64 = 2**63 - 1


def go_div(a: int, b: int) -> int:
    """Go's ``a / b`` on integers: the quotient truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def go_fdiv(a: float, b: float) -> float:
    """Go's ``a / b`` on float64: a zero divisor gives ``±Inf`` (or ``NaN`` for
    ``0/0``) instead of raising."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def to_int32(x: float) -> int:
    """Go's ``int32(x)`` for a float that fits: truncation toward zero.  Go
    leaves out-of-range conversions implementation-defined; kubekit saturates
    them (upstream saturates explicitly where it guards)."""
    if math.isnan(x):
        return MIN_INT32
    if x >= MAX_INT32:
        return MAX_INT32
    if x <= MIN_INT32:
        return MIN_INT32
    return int(x)


def ceil_to_int32(x: float) -> int:
    """Go's ``int32(math.Ceil(x))``."""
    if math.isinf(x) or math.isnan(x):
        return to_int32(x)
    return to_int32(float(math.ceil(x)))


def _exact(t: float | int | Fraction) -> Fraction:
    return t if isinstance(t, Fraction) else Fraction(t)


_FLOAT_MARGIN = 1e-3      # seconds: beyond this, float rounding cannot flip the comparison
_PLAIN = (float, int)
_BOUND = 1e12             # plain times and durations below this (in magnitude) take the float path


def plain_times(times) -> bool:
    """Whether every time is a ``float`` or ``int`` (not a subclass) of
    magnitude below 1e12: the times :func:`float_cut`'s bounds apply to."""
    return all(type(t) in _PLAIN and -_BOUND < t < _BOUND for t in times)


def float_cut(base, plus=0.0) -> tuple[float, float] | None:
    """``(lo, hi)`` around the instant ``base + plus`` for comparing many
    :func:`plain_times` against it without a call per time: ``t > hi`` means
    ``t`` is After the instant and ``t < lo`` Before it, exactly; in between,
    ask :func:`time_after` / :func:`time_before`.  None when ``base`` or
    ``plus`` is not plain.  (The float sum and the bounds are each within
    half an ulp, under 2.5e-4 s at these magnitudes, of the exact values,
    and the bounds are 1 ms out: a time beyond one is beyond the instant.)"""
    if type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND:
        at = base + plus
        return at - _FLOAT_MARGIN, at + _FLOAT_MARGIN
    return None


def _compare(t, base, plus) -> int:
    """The sign of ``t - (base + plus)``, exactly."""
    if type(t) in _PLAIN and type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < t < _BOUND \
            and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND:
        d = t - (base + plus)
        if d > _FLOAT_MARGIN:
            return 1
        if d < -_FLOAT_MARGIN:
            return -1
        # Close: fsum rounds the exact sum of its (exactly representable)
        # terms correctly, so its sign is the exact sign (no underflow at
        # these magnitudes; ints below 1e12 convert exactly).
        e = math.fsum((t, -base, -plus))
        return (e > 0) - (e < 0)
    d = _exact(t) - (_exact(base) + _exact(plus))
    return (d > 0) - (d < 0)


def cut(base: float, plus: float = 0.0) -> Callable[[float], int]:
    """``sign(t)``: the sign of ``t - (base + plus)``, exactly, for many ``t``
    against one instant (a window's start): the float sum is taken once."""
    if type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND:
        at = base + plus

        def sign(t) -> int:
            if type(t) in _PLAIN and -_BOUND < t < _BOUND:
                d = t - at
                if d > _FLOAT_MARGIN:
                    return 1
                if d < -_FLOAT_MARGIN:
                    return -1
            return _compare(t, base, plus)
        return sign
    return lambda t: _compare(t, base, plus)


def signs(times: Sequence[float], base: float, plus: float = 0.0) -> list[int]:
    """``[cut(base, plus)(t) for t in times]`` without a call per time (the
    same float fast path, the same exact fallback)."""
    if not (type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND):
        return [_compare(t, base, plus) for t in times]
    at = base + plus
    out = []
    for t in times:
        if type(t) in _PLAIN and -_BOUND < t < _BOUND:
            d = t - at
            if d > _FLOAT_MARGIN:
                out.append(1)
                continue
            if d < -_FLOAT_MARGIN:
                out.append(-1)
                continue
        out.append(_compare(t, base, plus))
    return out


def compare(t: float, base: float, plus: float = 0.0) -> int:
    """The sign of ``t - (base + plus)`` (-1, 0 or 1), exactly."""
    return _compare(t, base, plus)


def time_after(t: float, base: float, plus: float = 0.0) -> bool:
    """Go's ``t.After(base.Add(plus))``, exactly."""
    if type(t) in _PLAIN and type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < t < _BOUND \
            and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND:       # _compare's float path, inline
        d = t - (base + plus)
        if d > _FLOAT_MARGIN:
            return True
        if d < -_FLOAT_MARGIN:
            return False
    return _compare(t, base, plus) > 0


def time_before(t: float, base: float, plus: float = 0.0) -> bool:
    """Go's ``t.Before(base.Add(plus))``, exactly."""
    if type(t) in _PLAIN and type(base) in _PLAIN and type(plus) in _PLAIN and -_BOUND < t < _BOUND \
            and -_BOUND < base < _BOUND and -_BOUND < plus < _BOUND:       # _compare's float path, inline
        d = t - (base + plus)
        if d < -_FLOAT_MARGIN:
            return True
        if d > _FLOAT_MARGIN:
            return False
    return _compare(t, base, plus) < 0
