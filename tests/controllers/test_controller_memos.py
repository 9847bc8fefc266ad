"""The controllers' memos give what the functions they remember give: the
same results, the same errors each time, and no mix-up of equal values of
other types."""

from __future__ import annotations

import datetime as dt

import pytest

from kubekit.controllers.deployment_rules import resolve_fenceposts
from kubekit.controllers.deployment_status import new_condition
from kubekit.controllers.errors import IntOrStringError
from kubekit.controllers.jsonmemo import JsonMemo
from kubekit.controllers.label_selectors import label_selector
from kubekit.controllers.timeutil import format_time
from kubekit.errors import SelectorError
from kubekit.store.selectors import from_label_selector


def test_fenceposts_remembered_by_type_as_well_as_value():
    assert resolve_fenceposts(1, 0, 4) == (1, 0)
    with pytest.raises(IntOrStringError):            # True == 1, but a bool is no IntOrString
        resolve_fenceposts(True, 0, 4)
    assert resolve_fenceposts("25%", "25%", 10) == (3, 2)
    assert resolve_fenceposts("25%", "25%", 10) == (3, 2)


def test_fenceposts_errors_every_time_even_for_unhashable_values():
    for _ in range(2):
        with pytest.raises(IntOrStringError):
            resolve_fenceposts("5", None, 3)
        with pytest.raises(IntOrStringError):
            resolve_fenceposts(["25%"], None, 3)


def test_json_memo_builds_once_per_json_and_falls_back_for_other_data():
    calls = []

    def build(v):
        calls.append(v)
        return {"n": len(calls)}
    memo = JsonMemo(build, limit=2)
    assert memo({"a": 1}) is memo({"a": 1})
    assert memo({"a": True}) is not memo({"a": 1})      # 1 and true are different JSON
    assert len(calls) == 2
    memo({1, 2})                                        # a set is not JSON: built each time
    memo({1, 2})
    assert len(calls) == 4
    memo({"b": 1})                                      # past the limit the memo starts over
    assert memo({"a": 1}) == {"n": 6}


def test_label_selector_is_from_label_selector():
    sel = {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}
    assert label_selector(sel) == from_label_selector(sel)
    assert label_selector(sel) is label_selector(dict(sel))
    assert label_selector(None).matches({"app": "web"}) is False
    assert label_selector({}).matches({"app": "web"}) is True
    bad = {"matchExpressions": [{"key": "tier", "operator": "Near"}]}
    for _ in range(2):
        with pytest.raises(SelectorError):
            label_selector(bad)


def test_condition_stamps_follow_now():
    utc = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    plus2 = utc.astimezone(dt.timezone(dt.timedelta(hours=2)))
    naive = dt.datetime(2026, 1, 2, 3, 4, 6)
    for now in (utc, plus2, naive, utc, naive, dt.datetime(2026, 1, 2, 3, 4, 7, tzinfo=dt.timezone.utc)):
        c = new_condition("Available", "True", "R", "m", now)
        want = format_time(now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc))
        assert c["lastUpdateTime"] == c["lastTransitionTime"] == want


@pytest.mark.parametrize("text", ["2026-11-28T10:00:00Z", " 2026-11-28T10:00:00z ", "2026-11-28T10:00:00.5+02:00",
                                  "2026-11-28T10:00:00"])
def test_parse_time_remembers_a_text_as_one_datetime(text):
    from kubekit.controllers import timeutil

    first = timeutil.parse_time(text)
    assert timeutil.parse_time(text) is first                       # remembered: the same object
    timeutil._PARSED.clear()
    fresh = timeutil.parse_time(text)
    assert fresh == first and fresh is not first and fresh.utcoffset() == first.utcoffset()
    assert fresh.tzinfo is not None                                  # naive text is taken as UTC


def test_parse_time_refuses_bad_text_every_time():
    from kubekit.controllers import timeutil
    from kubekit.controllers.errors import ControllerInputError

    for _ in range(2):
        with pytest.raises(ControllerInputError, match="is not an RFC 3339 timestamp"):
            timeutil.parse_time("yesterday", "metadata.creationTimestamp")
    assert "yesterday" not in timeutil._PARSED
