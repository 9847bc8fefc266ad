"""The node lifecycle controller's cheaper spellings equal what they replace:
``last_heartbeat`` is ``max`` of the times given (the first of equal ones),
``node_ready_status`` is the first Ready condition's status, and the
remembered ``_epoch`` is ``parse_time``; a Lease renewal is looked at
again exactly when its renewTime is not plainly later."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit.controllers import nodelifecycle
from kubekit.controllers.nodelifecycle_rules import last_heartbeat, node_ready_status, renewal_needs_look
from kubekit.store.meta import micro_time, parse_time, rfc3339

_times = st.one_of(st.none(), st.integers(0, 10), st.floats(0, 10, allow_nan=False))


@given(_times, _times, st.one_of(st.integers(0, 10), st.floats(0, 10, allow_nan=False)))
def test_last_heartbeat_is_max_of_the_times_given(node, lease, first):
    want = max(t for t in (node, lease, first) if t is not None)
    got = last_heartbeat(node, lease, first)
    assert got == want and type(got) is type(want)


_conditions = st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["Ready", "MemoryPressure", "DiskPressure"])},
    optional={"status": st.sampled_from(["True", "False", "Unknown", "", None])}), max_size=4)


@given(st.one_of(st.just({}), st.fixed_dictionaries({"status": st.one_of(
    st.none(), st.just({}), st.fixed_dictionaries({}, optional={"conditions": st.one_of(st.none(), _conditions)}))})))
def test_node_ready_status_is_the_first_ready_conditions_status(node):
    want = "Unknown"
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            want = c.get("status") or "Unknown"
            break
    assert node_ready_status(node) == want


@given(st.floats(1_600_000_000, 1_900_000_000, allow_nan=False), st.booleans())
def test_the_remembered_epoch_is_parse_time(ts, micro):
    text = micro_time(ts) if micro else rfc3339(ts)
    assert nodelifecycle._epoch(text) == parse_time(text)
    assert nodelifecycle._epoch(text) == parse_time(text)          # remembered
    assert nodelifecycle._epoch(None) is None and nodelifecycle._epoch("") is None


_T1, _T2 = "2026-11-28T10:00:00.000000Z", "2026-11-28T10:00:10.000000Z"

# (old spec, new spec, looked at again): the node lifecycle controller's Lease
# update handler marks the node for the next pass exactly when this is True
RENEWALS = [
    ({"renewTime": _T1}, {"renewTime": _T2}, False),               # a renewal: later, same width
    ({"renewTime": _T1}, {"renewTime": _T1}, False),               # unchanged
    ({"renewTime": _T2}, {"renewTime": _T1}, True),                # earlier
    ({"renewTime": _T1}, {"renewTime": "2026-11-28T10:00:10Z"}, True),   # another width: not plainly later
    ({}, {"renewTime": _T1}, True),                                # the first renewal time
    ({"renewTime": _T1}, {}, True),                                # the time went away
    (None, {"renewTime": _T1}, True),                              # no spec at all
    ({"renewTime": _T1}, None, True),
    ({}, {}, False),                                               # nothing either side: no change
    ({"renewTime": 5}, {"renewTime": 6}, True),                    # not RFC 3339 text: looked at
    ([], {"renewTime": _T1}, True),                                # a spec that is not a map
]


@pytest.mark.parametrize("old_spec,new_spec,want", RENEWALS)
def test_a_lease_renewal_is_looked_at_again_unless_plainly_later(old_spec, new_spec, want):
    old = {"metadata": {"name": "n"}} if old_spec is None else {"metadata": {"name": "n"}, "spec": old_spec}
    new = {"metadata": {"name": "n"}} if new_spec is None else {"metadata": {"name": "n"}, "spec": new_spec}
    assert renewal_needs_look(old, new) is want
