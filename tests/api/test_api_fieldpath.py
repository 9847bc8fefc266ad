"""Field paths and the FieldsV1 encoding (kubekit.api.fieldpath), against
rows transcribed from structured-merge-diff's own tests.

Sources (github.com/kubernetes-sigs/structured-merge-diff):

* ``fieldpath/serialize_test.go``: ``TestSerializeV1GoldenData`` (both
  golden documents, byte for byte), ``TestDropUnknown``, ``TestSerialize``
  (random sets round-trip; 200 sets of 50 paths here, a seeded generator
  in the spirit of upstream's ``randomPathMaker``);
* ``merge/conflict_test.go``: the paths of ``TestNewFromSets``
  (``.list[id=2,key="a"].key``), with ``fieldpath/path.go``'s
  ``PathElement.String`` forms.
"""

from __future__ import annotations

import json
import random

import pytest

from kubekit.api.fieldpath import (field, from_fields_v1, index, iterate, key, path_string, pe_from_string,
                                   pe_to_string, recursive_difference, to_fields_v1, value_pe, vkey)

GOLDEN_V1 = [
    r'{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}',  # noqa: E501
    r'{"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\"name\":\"first\"}":{"k:{\"name\":\"first\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\"name\":\"first\"}":{"f:aad":{"f:aaf":{}}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"f:aaa":{"f:aad":{}}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"f:aac":{},"k:{\"name\":\"first\"}":{"i:3":{}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\"name\":\"first\"}":{},"i:2":{}},"v:\"aa\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\"name\":\"first\"}":{"f:aad":{}},"i:2":{}},"v:\"ab\"":{"f:aaf":{"i:4":{}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\"name\":\"second\"}":{"f:aaa":{}},"i:2":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\"aa\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}}',  # noqa: E501
]


def compact(d) -> str:
    return json.dumps(d, separators=(",", ":"))


@pytest.mark.parametrize("golden", GOLDEN_V1, ids=["flat", "nested"])
def test_serialize_v1_golden_data(golden):
    """``TestSerializeV1GoldenData``: decode then encode gives the same bytes."""
    s = from_fields_v1(json.loads(golden))
    assert compact(to_fields_v1(s)) == golden


def test_drop_unknown():
    """``TestDropUnknown``: an unknown path element prefix is skipped."""
    assert compact(to_fields_v1(from_fields_v1({"f:aaa": {}, "r:aab": {}}))) == '{"f:aaa":{}}'


_PES = [field(n) for n in ("aaa", "aab", "aac", "aad", "aae", "aaf")] + [
    key(name="first"), key(name="second"), key(port=443, protocol="tcp"), key(port=443, protocol="udp"),
    value_pe(1), value_pe(2), value_pe(3), value_pe("aa"), value_pe("ab"), value_pe(True),
    index(1), index(2), index(3), index(4)]


def test_serialize_round_trips_random_sets():
    """``TestSerialize``: random sets of 50 paths of 2 to 5 elements survive
    encoding and decoding."""
    rng = random.Random(1)
    for _ in range(200):
        s = frozenset(tuple(rng.choice(_PES) for _ in range(rng.randint(2, 5))) for _ in range(50))
        doc = to_fields_v1(s)
        assert from_fields_v1(json.loads(compact(doc))) == s


def test_a_member_with_children_carries_a_dot():
    s = {(field("spec"), field("containers"), key(name="web")),
         (field("spec"), field("containers"), key(name="web"), field("image"))}
    assert to_fields_v1(s) == {"f:spec": {"f:containers": {'k:{"name":"web"}': {".": {}, "f:image": {}}}}}


def test_path_element_strings():
    """``serialize-pe.go``: ``f:``, ``k:`` (keys sorted, Go's compact JSON),
    ``v:``, ``i:``."""
    assert pe_to_string(key(protocol="TCP", containerPort=80)) == 'k:{"containerPort":80,"protocol":"TCP"}'
    assert pe_to_string(value_pe("a<b")) == r'v:"a\u003cb"'
    for pe in _PES:
        assert pe_from_string(pe_to_string(pe)) == pe
    assert vkey(True) != vkey(1) and vkey(1) == vkey(1.0)


def test_path_strings():
    """``Path.String``, as apply conflicts print paths (``merge/conflict_test.go``)."""
    assert path_string((field("list"), key(key="a", id=2), field("key"))) == '.list[id=2,key="a"].key'
    assert path_string((field("spec"), field("replicas"))) == ".spec.replicas"
    assert path_string((field("finalizers"), value_pe("x"))) == '.finalizers[="x"]'
    assert path_string((field("args"), index(0))) == ".args[0]"


def test_iterate_order_and_recursive_difference():
    """``Set.Iterate``: members of a level before its children;
    ``Set.RecursiveDifference`` drops a member and everything under it."""
    s = {(field("value"),), (field("list"), key(key="a", id=2), field("key")), (field("b"),)}
    assert [path_string(p) for p in iterate(s)] == [".b", ".value", '.list[id=2,key="a"].key']
    t = {(field("status"),), (field("status"), field("phase")), (field("spec"), field("x"))}
    assert recursive_difference(t, {(field("status"),)}) == {(field("spec"), field("x"))}
