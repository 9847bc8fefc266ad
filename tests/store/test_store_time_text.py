"""metav1.Time and metav1.MicroTime text: the fast paths give datetime's exact output."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from kubekit.store.meta import micro_time, rfc3339


def _reference_micro(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@given(st.floats(0, 4e9, allow_nan=False))
@example(1.7e9 + 0.5e-6)        # half a microsecond: rounds half to even
@example(1.7e9 + 1.5e-6)
@example(1.7e9 + 0.9999995)     # rounds up into the next second
@example(1700000000.9999999)
@example(0.0)
def test_micro_time_is_datetimes_text(ts):
    assert micro_time(ts) == _reference_micro(ts)


@given(st.floats(0, 4e9, allow_nan=False))
def test_rfc3339_is_datetimes_text_of_the_whole_second(ts):
    want = dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rfc3339(ts) == want
