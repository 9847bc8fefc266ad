"""Label and field selectors.  The tables are Kubernetes' own
(k8s.io/apimachinery/pkg/labels/selector_test.go and fields/selector_test.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit.errors import SelectorError
from kubekit.store.selectors import (
    EVERYTHING, Requirement, from_label_selector, from_set, new_requirement, parse_fields, parse_labels,
)

# TestSelectorParse
GOOD = ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]
BAD = ["x=a||y=b", "x==a==b", "!x=a", "x<a"]


@pytest.mark.parametrize("s", GOOD)
def test_good_strings_parse_and_restring(s):
    assert str(parse_labels(s)) == s.replace(" ", "")


@pytest.mark.parametrize("s", BAD)
def test_bad_strings_are_errors(s):
    with pytest.raises(SelectorError):
        parse_labels(s)


def test_deterministic_parse():
    assert str(parse_labels("x=a,a=x")) == str(parse_labels("a=x,x=a")) == "a=x,x=a"


# TestSelectorMatches
@pytest.mark.parametrize("sel, labels, match", [
    ("", {"x": "y"}, True),
    ("x=y", {"x": "y"}, True),
    ("x=y,z=w", {"x": "y", "z": "w"}, True),
    ("x!=y,z!=w", {"x": "z", "z": "a"}, True),
    ("notin=in", {"notin": "in"}, True),
    ("x", {"x": "z"}, True),
    ("!x", {"y": "z"}, True),
    ("x>1", {"x": "2"}, True),
    ("x<1", {"x": "0"}, True),
    ("x=z", {}, False),
    ("x=y", {"x": "z"}, False),
    ("x=y,z=w", {"x": "w", "z": "w"}, False),
    ("x!=y,z!=w", {"x": "z", "z": "w"}, False),
    ("x", {"y": "z"}, False),
    ("!x", {"x": "z"}, False),
    ("x>1", {"x": "0"}, False),
    ("x<1", {"x": "2"}, False),
    ("foo=bar", {"foo": "bar", "baz": "blah"}, True),
    ("baz=blah", {"foo": "bar", "baz": "blah"}, True),
    ("foo=bar,baz=blah", {"foo": "bar", "baz": "blah"}, True),
    ("foo=blah", {"foo": "bar", "baz": "blah"}, False),
    ("baz=bar", {"foo": "bar", "baz": "blah"}, False),
    ("foo=bar,foobar=bar,baz=blah", {"foo": "bar", "baz": "blah"}, False),
    # TestRequirementSelectorMatching, as strings
    ("x in (foo),y notin (alpha)", {"x": "foo", "y": "baz"}, True),
    ("x in (foo),y in (alpha)", {"x": "foo", "y": "baz"}, False),
    ("x notin (),y", {"y": ""}, True),
    ("!x,y", {"y": ""}, True),
    ("x notin (),!y", {"y": ""}, False),
    ("x in ()", {"y": "baz"}, False),
    ("z>1", {"z": "2"}, True),
    ("z>1", {"z": "v2"}, False),
])
def test_selector_matches(sel, labels, match):
    assert parse_labels(sel).matches(labels) is match


# TestSetSelectorParser: input -> requirements (None: must not parse)
R = Requirement
SET_PARSER = [
    ("", ()),
    ("\rx", (R("x", "exists"),)),
    ("this-is-a-dns.domain.com/key-with-dash", (R("this-is-a-dns.domain.com/key-with-dash", "exists"),)),
    ("this-is-another-dns.domain.com/key-with-dash in (so,what)",
     (R("this-is-another-dns.domain.com/key-with-dash", "in", ("so", "what")),)),
    ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
     (R("0.1.2.domain/99", "notin", ("10.10.100.1", "tick.tack.clock")),)),
    ("foo  in\t (abc)", (R("foo", "in", ("abc",)),)),
    ("x notin\n (abc)", (R("x", "notin", ("abc",)),)),
    ("x  notin\t\t\t(abc,def)", (R("x", "notin", ("abc", "def")),)),
    ("x in (abc,def)", (R("x", "in", ("abc", "def")),)),
    ("x in (abc,)", (R("x", "in", ("", "abc")),)),
    ("x in ()", (R("x", "in", ("",)),)),
    ("x notin (abc,,def),bar,z in (),w",
     (R("bar", "exists"), R("w", "exists"), R("x", "notin", ("", "abc", "def")), R("z", "in", ("",)))),
    ("x,y in (a)", (R("x", "exists"), R("y", "in", ("a",)))),
    ("x=a", (R("x", "=", ("a",)),)),
    ("x>1", (R("x", "gt", ("1",)),)),
    ("x<7", (R("x", "lt", ("7",)),)),
    ("x=a,y!=b", (R("x", "=", ("a",)), R("y", "!=", ("b",)))),
    ("x=a,y!=b,z in (h,i,j)", (R("x", "=", ("a",)), R("y", "!=", ("b",)), R("z", "in", ("h", "i", "j")))),
    ("x=a||y=b", None),
    ("x,,y", None),
    (",x,y", None),
    ("x nott in (y)", None),
    ("x notin ( )", (R("x", "notin", ("",)),)),
    ("x notin (, a)", (R("x", "notin", ("", "a")),)),
    ("a in (xyz),", None),
    ("a in (xyz)b notin ()", None),
    ("a ", (R("a", "exists"),)),
    ("a in (x,y,notin, z,in)", (R("a", "in", ("in", "notin", "x", "y", "z")),)),
    ("a in (xyz abc)", None),
    ("a notin(", None),
    ("a (", None),
    ("(", None),
    ("x==a", (R("x", "==", ("a",)),)),
]


@pytest.mark.parametrize("s, want", SET_PARSER)
def test_set_selector_parser(s, want):
    if want is None:
        with pytest.raises(SelectorError):
            parse_labels(s)
    else:
        assert parse_labels(s).requirements == want


@pytest.mark.parametrize("s, message", [
    ("x=a,", "found '', expected: identifier after ','"),
    ("x ( ", "unable to parse requirement: found '(', expected: !=, =, ==, in, notin, >, <"),
    ("!x=a", "found '=', expected: ',' or 'end of string'"),
    ("x in (a b)", "found 'b', expected: ',' or ')'"),
    ("x<a", "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("-x=a", "invalid label key '-x'"),
    ("x=" + "a" * 64, "must be no more than 63 characters"),
])
def test_error_messages_name_the_bad_input(s, message):
    with pytest.raises(SelectorError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_labels(s)


# TestRequirementConstructor
@pytest.mark.parametrize("key, op, values, ok", [
    ("x", "in", [], False), ("x", "notin", [], False), ("x", "in", ["foo"], True), ("x", "notin", ["foo"], True),
    ("x", "exists", [], True), ("x", "!", [], True), ("1foo", "in", ["bar"], True), ("1234", "in", ["bar"], True),
    ("y", "gt", ["1"], True), ("z", "lt", ["6"], True), ("foo", "gt", ["bar"], False),
    ("barz", "lt", ["blah"], False), ("a" * 254, "exists", [], False),
    ("x", "=", ["a", "b"], False), ("x", "exists", ["a"], False), ("x", "~", ["a"], False),
    ("example.com/x", "exists", [], True), ("Example.com/x", "exists", [], False), ("/x", "exists", [], False),
])
def test_requirement_constructor(key, op, values, ok):
    if ok:
        new_requirement(key, op, values)
    else:
        with pytest.raises(SelectorError):
            new_requirement(key, op, values)


# TestToString (requirements built directly keep their order)
def test_to_string():
    sel = [new_requirement("x", "in", ["abc", "def"]), new_requirement("y", "notin", ["jkl"]),
           new_requirement("z", "exists")]
    assert ",".join(map(str, sel)) == "x in (abc,def),y notin (jkl),z"
    sel = [new_requirement("x", "notin", ["abc", "def"]), new_requirement("y", "!=", ["jkl"]),
           new_requirement("z", "!")]
    assert ",".join(map(str, sel)) == "x notin (abc,def),y!=jkl,!z"
    sel = [new_requirement("x", "gt", ["2"]), new_requirement("y", "lt", ["8"]), new_requirement("z", "exists")]
    assert ",".join(map(str, sel)) == "x>2,y<8,z"


# metav1.LabelSelectorAsSelector
@pytest.mark.parametrize("sel, labels, match", [
    (None, {"a": "b"}, False),
    ({}, {"a": "b"}, True),
    ({"matchLabels": {}}, {}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "db"}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}, {"tier": "b"}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"tier": ""}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {"tier": ""}, False),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]},
     {"app": "web"}, False),
])
def test_label_selector_objects(sel, labels, match):
    assert from_label_selector(sel).matches(labels) is match


@pytest.mark.parametrize("sel, message", [
    ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}, "'Gt' is not a valid label selector"),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}, "must be empty"),
    ({"matchLabels": {"a": "bad value"}}, "invalid label value 'bad value'"),
])
def test_invalid_label_selector_objects(sel, message):
    with pytest.raises(SelectorError, match=message):
        from_label_selector(sel)


def test_from_set_matches_like_selector_from_set():
    labels = {"foo": "bar", "baz": "blah"}
    for s in ({}, {"foo": "bar"}, {"baz": "blah"}, {"foo": "bar", "baz": "blah"}):
        assert from_set(s).matches(labels)
    assert from_set(None) is EVERYTHING and EVERYTHING.empty


label_values = st.sampled_from(["", "a", "b", "1", "22"])
label_sets = st.dictionaries(st.sampled_from(["x", "y", "z"]), label_values, max_size=3)


@given(labels=label_sets, key=st.sampled_from(["x", "y", "z"]), values=st.sets(label_values, min_size=1, max_size=3))
def test_notin_is_the_negation_of_in_and_parse_roundtrips(labels, key, values):
    inn = new_requirement(key, "in", values)
    notin = new_requirement(key, "notin", values)
    assert inn.matches(labels) != notin.matches(labels)
    for sel in (inn, notin):
        assert parse_labels(str(sel)).requirements == (sel,)


# fields: TestSelectorParse / TestSplitTerms / escaping
@pytest.mark.parametrize("s, want", [
    ("", ""),
    ("metadata.name=x,spec.nodeName=,status.phase!=Running", "metadata.name=x,spec.nodeName=,status.phase!=Running"),
    ("a==b", "a==b"),
    ("a=b\\,c", "a=b\\,c"),
    ("a=x\\=y\\!z\\\\", "a=x\\=y\\!z\\\\"),
])
def test_field_selector_parse_roundtrip(s, want):
    assert str(parse_fields(s)) == want


@pytest.mark.parametrize("s, message", [
    ("a", "invalid selector: 'a'; can't understand 'a'"),
    ("a=b,c", "can't understand 'c'"),
    ("a=b=c", "unescaped '='"),
    ("a=b\\x", "invalid escape sequence"),
    ("a=b\\", "trailing backslash"),
])
def test_field_selector_errors(s, message):
    with pytest.raises(SelectorError, match=message.replace("(", r"\(")):
        parse_fields(s)


@pytest.mark.parametrize("s, fields, match", [
    ("spec.nodeName=", {"spec.nodeName": ""}, True),
    ("spec.nodeName=", {"spec.nodeName": "n1"}, False),
    ("spec.nodeName==n1", {"spec.nodeName": "n1"}, True),
    ("status.phase!=Running", {"status.phase": "Pending"}, True),
    ("status.phase!=Running", {"status.phase": "Running"}, False),
    ("a=b,c=d", {"a": "b", "c": "d"}, True),
    ("a=b,c=d", {"a": "b", "c": "x"}, False),
    ("a=b\\,c", {"a": "b,c"}, True),
])
def test_field_selector_matches(s, fields, match):
    assert parse_fields(s).matches(fields) is match
