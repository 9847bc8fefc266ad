"""Go's time comparisons: the float fast path agrees with exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from kubekit.autoscaling.hpa_gomath import compare, cut, float_cut, plain_times, time_after, time_before

times = st.one_of(st.floats(1.6e9, 1.8e9), st.integers(1_600_000_000, 1_800_000_000))
periods = st.one_of(st.floats(0, 3600), st.integers(0, 3600), st.sampled_from([15, 60, 300, 0.1, 1e-9]))


@given(times, times, periods, st.floats(-2e-3, 2e-3))
def test_the_fast_path_agrees_with_exact_arithmetic(t, base, plus, nudge):
    for tt in (t, base + plus + nudge):       # far apart, and within a few ms of equality
        exact = Fraction(tt) - (Fraction(base) + Fraction(plus))
        assert time_after(tt, base, plus) == (exact > 0)
        assert time_before(tt, base, plus) == (exact < 0)
        assert cut(base, -plus)(tt) == (Fraction(tt) - (Fraction(base) - Fraction(plus)) > 0) - \
            (Fraction(tt) - (Fraction(base) - Fraction(plus)) < 0)
        assert cut(base, plus)(tt) == (exact > 0) - (exact < 0)


def test_equal_and_rounded_sums_are_compared_exactly():
    base, plus = 1_700_000_000.1, 0.2
    t = base + plus                           # the float sum rounds; Go's Add would not
    exact = Fraction(t) - Fraction(base) - Fraction(plus)
    assert time_after(t, base, plus) == (exact > 0) and time_before(t, base, plus) == (exact < 0)
    assert not time_after(base, base) and not time_before(base, base)
    assert time_after(Fraction(3, 2), 1, Fraction(1, 3)) and time_before(1, 1, 1e-12)


def test_a_cut_compares_exactly_at_its_instant_and_off_the_float_path():
    base, plus = 1_700_000_000.1, 0.2
    t = base + plus
    exact = Fraction(t) - Fraction(base) - Fraction(plus)
    assert cut(base, plus)(t) == (exact > 0) - (exact < 0)
    assert cut(base)(base) == 0 and cut(1, Fraction(1, 3))(Fraction(3, 2)) == 1 and cut(1, 1e-12)(1) == -1


@given(times, periods, st.floats(-2e-3, 2e-3))
def test_before_a_deadline_equals_after_the_shifted_cut(now, period, nudge):
    """group_pods asks now.Before(start + period) as start.After(now - period)."""
    for start in (now - period + nudge, now - period, now):
        assert time_before(now, start, period) == (cut(now, -period)(start) > 0)


@given(st.one_of(times, st.floats(-1e13, 1e13)), times, st.one_of(periods, periods.map(lambda p: -p)),
       st.floats(-3e-3, 3e-3))
def test_float_cut_bounds_decide_exactly(t, base, plus, nudge):
    """A plain time beyond ``float_cut``'s bounds is After (or Before) the
    instant exactly; ``compare`` is the exact sign."""
    lo, hi = float_cut(base, plus)
    for tt in (t, base + plus + nudge):
        exact = Fraction(tt) - (Fraction(base) + Fraction(plus))
        assert compare(tt, base, plus) == (exact > 0) - (exact < 0)
        if plain_times([tt]) and tt > hi:
            assert exact > 0
        if plain_times([tt]) and tt < lo:
            assert exact < 0


def test_float_cut_and_plain_times_refuse_what_is_not_plain():
    assert float_cut(Fraction(1), 0.0) is None and float_cut(1.0, 1e12) is None and float_cut(True, 0) is None
    assert plain_times([1.0, 2, -3.5]) and plain_times([])
    assert not plain_times([1.0, Fraction(1)]) and not plain_times([float("nan")]) and not plain_times([1e12])
    assert not plain_times([float("inf")]) and not plain_times([True])
