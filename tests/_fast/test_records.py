"""The records kernel (kubekit/_fast/_records.pyx) against its plain-Python
twins: new_tuple against kubekit.store.kv.new_tuple_py (``tuple.__new__``),
new_slots against kubekit.autoscaling.hpa_types.new_slots_py (``cls(*values)``)."""

from __future__ import annotations

import dataclasses
import gc
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit._fast._records import new_slots, new_tuple
from kubekit.autoscaling.hpa_decide import HPADecision, HPAState
from kubekit.autoscaling.hpa_proposals import MetricInput
from kubekit.autoscaling.hpa_types import MetricProposal, ReplicaResult, TimestampedRecommendation, new_slots_py
from kubekit.autoscaling.metrics_source import ResourceValue
from kubekit.store.kv import Compare, Event, KeyValue, Put, TxnResult, new_tuple_py
from kubekit.store.objects import WatchEvent

# the NamedTuples the store and the metrics source build with it, with their field count
CLASSES = [(KeyValue, 6), (Compare, 4), (Put, 3), (TxnResult, 3), (Event, 3), (WatchEvent, 2), (ResourceValue, 3)]

values = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8), st.binary(max_size=8),
                   st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _same(a, b) -> None:
    assert type(a) is type(b)
    assert a == b and tuple(a) == tuple(b)
    assert all(x is y for x, y in zip(a, b))                 # the very items, not copies
    assert gc.is_tracked(a) == gc.is_tracked(b)


@pytest.mark.parametrize("cls, n", CLASSES)
@given(data=st.data())
def test_matches_the_twin_for_the_stores_namedtuples(cls, n, data):
    items = tuple(data.draw(st.lists(values, min_size=n, max_size=n)))
    for _ in range(2):                           # the first call of a class goes through tuple.__new__, later ones not
        got, want = new_tuple(cls, items), new_tuple_py(cls, items)
        _same(got, want)
        assert got._fields == cls._fields and got[-1] is items[-1]


class Pair(NamedTuple):
    a: int
    b: int


class Sub(Pair):
    """A subclass of a NamedTuple: still built by tuple.__new__."""


@pytest.mark.parametrize("items", [lambda: [1, 2], lambda: iter((1, 2)), lambda: Pair(1, 2), lambda: ()],
                         ids=["list", "iterator", "namedtuple", "empty"])
def test_other_iterables_and_sizes_as_the_twin(items):
    for _ in range(2):                           # an iterator is used up: a fresh one for each call
        _same(new_tuple(Pair, items()), new_tuple_py(Pair, items()))


def test_a_subclass_of_a_namedtuple_as_the_twin():
    for _ in range(2):
        _same(new_tuple(Sub, (3, 4)), new_tuple_py(Sub, (3, 4)))


def test_tuple_itself_returns_the_items_as_the_twin():
    items = (1, 2, 3)
    assert new_tuple(tuple, items) is items and new_tuple_py(tuple, items) is items
    assert new_tuple(tuple, items) is items                  # still, on a later call


@pytest.mark.parametrize("cls, items", [(dict, ()), (int, (1,)), (Pair, 5)])
def test_the_twins_errors(cls, items):
    with pytest.raises(TypeError) as want:
        new_tuple_py(cls, items)
    for _ in range(2):
        with pytest.raises(TypeError) as got:
            new_tuple(cls, items)
        assert str(got.value) == str(want.value)


def test_a_kept_reference_outlives_the_items_tuple():
    items = (object(), "x")
    got = new_tuple(WatchEvent, items)
    got = new_tuple(WatchEvent, items)                       # the remembered-class path
    first = items[0]
    del items
    gc.collect()
    assert got.type is first and got.object == "x"


# -- new_slots ------------------------------------------------------------------------------------

# the frozen slots dataclasses the HPA's hot paths build with it
DATACLASSES = [ReplicaResult, MetricProposal, TimestampedRecommendation, MetricInput, HPAState, HPADecision]


@pytest.mark.parametrize("cls", DATACLASSES)
@given(data=st.data())
def test_new_slots_matches_the_twin(cls, data):
    n = len(dataclasses.fields(cls))
    items = tuple(data.draw(st.lists(values, min_size=n, max_size=n)))
    for _ in range(2):                           # the first call of a class checks it, later ones not
        got, want = new_slots(cls, items), new_slots_py(cls, items)
        assert type(got) is type(want) and got == want and repr(got) == repr(want)
        assert all(getattr(got, f.name) is v for f, v in zip(dataclasses.fields(cls), items))
        assert gc.is_tracked(got) == gc.is_tracked(want)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(got, dataclasses.fields(cls)[0].name, 1)


@dataclasses.dataclass(frozen=True)
class NoSlots:
    a: int


@dataclasses.dataclass(frozen=True, slots=True)
class PostInit:
    a: int

    def __post_init__(self):
        pass


@dataclasses.dataclass(frozen=True, slots=True)
class NotInInit:
    a: int
    b: int = dataclasses.field(default=0, init=False)


@pytest.mark.parametrize("cls, values, message", [
    (ReplicaResult, (1, 2), "ReplicaResult takes 4 values, got 2"),
    (ReplicaResult, (1, 2, 3, 4, 5), "ReplicaResult takes 4 values, got 5"),
    (int, (1,), "int is not a slots dataclass"),
    (NoSlots, (1,), "NoSlots is not a slots dataclass"),
    (PostInit, (1,), "PostInit has a __post_init__"),
    (NotInInit, (1, 2), "NotInInit.b is not a plain slot set by __init__"),
])
def test_new_slots_refuses_what_it_cannot_build_as_the_class_would(cls, values, message):
    for _ in range(2):
        with pytest.raises(TypeError, match=message):
            new_slots(cls, values)


def test_new_slots_keeps_its_values_alive():
    payload = [object()]
    got = new_slots(MetricProposal, (payload, "m"))
    del payload
    gc.collect()
    assert len(got.result) == 1 and got.metric_name == "m"
