"""Taints, tolerations and node affinity.

Tables ported from kubernetes/kubernetes:

* ``staging/src/k8s.io/api/core/v1/toleration_test.go`` -- TestTolerationToleratesTaint
  and TestCompareNumericValues, from the stored version with the
  TaintTolerationComparisonOperators cases (the code-search index did not expose
  that version's commit; the plain Equal/Exists cases are also in the version at
  ``4a0608cb77f6a53af41cb4a453af104a4d4a0610``).
* ``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go``
  @ ``04791b4906602ffda5ccf9bc4c84d3329f1d7080`` -- TestNodeSelectorMatch,
  TestPreferredSchedulingTermsScore, TestNodeSelectorRequirementsAsSelector,
  TestPodMatchesNodeSelectorAndAffinityTerms.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit.api import (
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PreferredSchedulingTerm,
    Taint,
    Toleration,
    find_untolerated_taint,
    match_node_selector,
    match_node_selector_labels,
    match_required_node_affinity,
    match_requirement,
    match_term,
    score_preferred_terms,
    tolerates_taint,
    tolerations_tolerate_taint,
)
from kubekit.api.affinity import (
    _compare_numeric,
    dns1123_subdomain_errors,
    is_decimal_integer,
    label_value_errors,
    parse_go_int64,
    parse_labels,
    parse_node_affinity,
    parse_taints,
    parse_tolerations,
    qualified_name_errors,
)
from kubekit.errors import ManifestError

NS, NE, PNS = "NoSchedule", "NoExecute", "PreferNoSchedule"

# --- toleration_test.go: TestTolerationToleratesTaint ----------------------------------

SLA = "node.kubernetes.io/sla"


@pytest.mark.parametrize(
    ("description", "tol", "taint", "expected"),
    [
        (
            "same key and effect, operator Exists, taint has no value",
            Toleration("foo", "Exists", "", NS),
            Taint("foo", "", NS),
            True,
        ),
        (
            "same key and effect, operator Exists, taint has some value",
            Toleration("foo", "Exists", "", NS),
            Taint("foo", "bar", NS),
            True,
        ),
        (
            "same effect, empty key and operator Exists means match all taints",
            Toleration("", "Exists", "", NS),
            Taint("foo", "bar", NS),
            True,
        ),
        (
            "same key, effect and value, operator Equal",
            Toleration("foo", "Equal", "bar", NS),
            Taint("foo", "bar", NS),
            True,
        ),
        (
            "same key and effect, different values, operator Equal",
            Toleration("foo", "Equal", "value1", NS),
            Taint("foo", "value2", NS),
            False,
        ),
        (
            "same key and value, different effects, operator Equal",
            Toleration("foo", "Equal", "bar", NS),
            Taint("foo", "bar", NE),
            False,
        ),
        ("Gt: taint value less than toleration value", Toleration(SLA, "Gt", "950", NS), Taint(SLA, "800", NS), False),
        ("Gt: taint value greater than toleration value", Toleration(SLA, "Gt", "750", NS), Taint(SLA, "950", NS), True),
        ("Lt: taint value greater than toleration value", Toleration(SLA, "Lt", "800", NS), Taint(SLA, "950", NS), False),
        ("Lt: taint value less than toleration value", Toleration(SLA, "Lt", "950", NS), Taint(SLA, "800", NS), True),
        ("Gt: equal numeric values", Toleration(SLA, "Gt", "950", NS), Taint(SLA, "950", NS), False),
        ("Gt: taint with non-numeric value", Toleration(SLA, "Gt", "950", NS), Taint(SLA, "high", NS), False),
        ("Gt: negative values, taint below", Toleration("test-key", "Gt", "-100", NS), Taint("test-key", "-200", NS), False),
        (
            "Gt: large int64 values, taint below",
            Toleration("test-key", "Gt", "9223372036854775806", NS),
            Taint("test-key", "100", NS),
            False,
        ),
    ],
)
def test_toleration_tolerates_taint(description: str, tol: Toleration, taint: Taint, expected: bool) -> None:
    assert tolerates_taint(tol, taint) is expected, description


def test_comparison_operators_gate_off() -> None:
    # enableComparisonOperators == false: Lt/Gt never tolerate.
    assert tolerates_taint(Toleration(SLA, "Gt", "750", NS), Taint(SLA, "950", NS)) is True
    assert tolerates_taint(Toleration(SLA, "Gt", "750", NS), Taint(SLA, "950", NS), comparison_operators=False) is False


def test_empty_operator_means_equal_and_empty_effect_matches_all() -> None:
    assert tolerates_taint(Toleration("foo", "", "bar", ""), Taint("foo", "bar", NE))
    assert not tolerates_taint(Toleration("foo", "", "bar", ""), Taint("foo", "baz", NE))
    assert not tolerates_taint(Toleration("foo", "Bogus", "bar", ""), Taint("foo", "bar", NE))


# --- toleration_test.go: TestCompareNumericValues --------------------------------------


@pytest.mark.parametrize(
    ("tol_val", "taint_val", "op", "expected"),
    [
        ("100", "200", "Gt", True),
        ("200", "100", "Gt", False),
        ("100", "100", "Gt", False),
        ("-100", "-50", "Gt", True),
        ("-50", "-100", "Gt", False),
        ("0", "1", "Gt", True),
        ("9223372036854775806", "9223372036854775807", "Gt", True),
        ("200", "100", "Lt", True),
        ("100", "200", "Lt", False),
        ("100", "100", "Lt", False),
        ("-50", "-100", "Lt", True),
        ("-100", "-50", "Lt", False),
        ("0", "-1", "Lt", True),
        ("abc", "100", "Gt", False),
        ("", "100", "Gt", False),
        ("0100", "200", "Gt", False),  # leading zero
        ("+100", "200", "Gt", False),  # plus sign
        ("100.5", "200", "Gt", False),
        ("-", "100", "Gt", False),
        ("100", "xyz", "Gt", False),
        ("100", "", "Gt", False),
        ("100", "0200", "Gt", False),
        ("100", "+200", "Lt", False),
        ("100", " 200 ", "Lt", False),
        ("100", "100", "Equal", False),
        ("100", "100", "Exists", False),
        ("0", "0", "Gt", False),
        ("0", "0", "Lt", False),
        ("0", "9223372036854775807", "Gt", True),
        ("0", "-9223372036854775808", "Lt", True),
    ],
)
def test_compare_numeric_values(tol_val: str, taint_val: str, op: str, expected: bool) -> None:
    assert _compare_numeric(tol_val, taint_val, op) is expected


def test_compare_numeric_out_of_int64_range() -> None:
    assert _compare_numeric("0", "9223372036854775808", "Gt") is False


# --- FindMatchingUntoleratedTaint ---------------------------------------------------------


def test_find_untolerated_taint() -> None:
    taints = (Taint("a", "1", PNS), Taint("b", "", NS), Taint("c", "x", NE))
    tols = (Toleration("b", "Exists", "", NS),)
    assert find_untolerated_taint(taints, tols) == Taint("a", "1", PNS)
    assert find_untolerated_taint(taints, tols, {NS, NE}) == Taint("c", "x", NE)
    assert find_untolerated_taint(taints, tols, {NS}) is None
    assert find_untolerated_taint(taints, (Toleration("", "Exists"),)) is None
    assert find_untolerated_taint((), ()) is None
    assert tolerations_tolerate_taint(tols, Taint("b", "zzz", NS))
    assert not tolerations_tolerate_taint((), Taint("b", "zzz", NS))


# --- requirement matching (labels.Requirement.Matches) ------------------------------------


R = NodeSelectorRequirement


@pytest.mark.parametrize(
    ("req", "labels", "expected"),
    [
        (R("foo", "In", ("bar", "baz")), {"foo": "bar"}, True),
        (R("foo", "In", ("bar",)), {}, False),
        (R("foo", "NotIn", ("bar",)), {}, True),
        (R("foo", "NotIn", ("bar",)), {"foo": "bar"}, False),
        (R("foo", "NotIn", ("bar",)), {"foo": "qux"}, True),
        (R("foo", "Exists"), {"foo": ""}, True),
        (R("foo", "Exists"), {"fo": "x"}, False),
        (R("foo", "DoesNotExist"), {"fo": "x"}, True),
        (R("foo", "DoesNotExist"), {"foo": "x"}, False),
        (R("kernel-version", "Gt", ("0204",)), {"kernel-version": "0206"}, True),  # ParseInt: leading zeros ok
        (R("n", "Gt", ("5",)), {"n": "5"}, False),
        (R("n", "Gt", ("5",)), {"n": "+6"}, True),
        (R("n", "Lt", ("5",)), {"n": "-6"}, True),
        (R("n", "Lt", ("5",)), {"n": "4.0"}, False),  # label not an integer
        (R("n", "Lt", ("5",)), {}, False),
        (R("n", "Gt", ("x",)), {"n": "9"}, False),  # unparseable requirement
        (R("n", "Gt", ("1", "2")), {"n": "9"}, False),
        (R("foo", "Exists", ("bar",)), {"foo": "bar"}, False),  # values with Exists: parse error
        (R("foo", "In", ()), {"foo": "bar"}, False),
        (R("invalid key", "In", ("v",)), {"invalid key": "v"}, False),
        (R("foo", "NotIn", ("invalid value: ___@#$%^",)), {"foo": "bar"}, False),
        (R("foo", "Equals", ("bar",)), {"foo": "bar"}, False),  # not a node selector operator
    ],
)
def test_match_requirement(req: NodeSelectorRequirement, labels: dict, expected: bool) -> None:
    assert match_requirement(req, labels) is expected


# --- nodeaffinity_test.go: TestNodeSelectorMatch -----------------------------------------

T = NodeSelectorTerm
NAME_IN_HOST1 = R("metadata.name", "In", ("host_1",))
LABEL_1 = R("label_1", "In", ("label_1_val",))


def test_node_selector_invalid_terms_match_nothing() -> None:
    """The wantErr case: each invalid term is a parse error and matches no
    node; the valid term between them still works (LazyErrorNodeSelector)."""
    bad_fields = T(match_fields=(R("metadata.name", "In", ("host_1", "host_2")),))
    good = T((LABEL_1,), (NAME_IN_HOST1,))
    bad_key = T((R("invalid key", "In", ("label_value",)),))
    labels = {"label_1": "label_1_val", "invalid key": "label_value"}
    assert not match_term(bad_fields, labels, "host_1")
    assert not match_term(bad_key, labels, "host_1")
    assert match_node_selector((bad_fields, good, bad_key), labels, "host_1")
    assert not match_node_selector((bad_fields, bad_key), labels, "host_1")


@pytest.mark.parametrize(
    ("name", "terms", "node_name", "labels", "want"),
    [
        ("node matches field selector, but not labels", (T((LABEL_1,), (NAME_IN_HOST1,)),), "host_1", {}, False),
        (
            "node matches field selector and label selector",
            (T((LABEL_1,), (NAME_IN_HOST1,)),),
            "host_1",
            {"label_1": "label_1_val"},
            True,
        ),
        ("second term matches", (T((LABEL_1,)), T(match_fields=(NAME_IN_HOST1,))), "host_1", {}, True),
    ],
)
def test_node_selector_match(name: str, terms, node_name: str, labels: dict, want: bool) -> None:
    assert match_node_selector(terms, labels, node_name) is want, name


def test_match_fields_ignored_for_nameless_node() -> None:
    # extractNodeFields is empty for a node without a name, so matchFields is skipped.
    assert match_term(T(match_fields=(NAME_IN_HOST1,)), {}, "")
    assert not match_term(T(match_fields=(NAME_IN_HOST1,)), {}, "host_2")
    assert match_term(T(match_fields=(R("metadata.name", "NotIn", ("host_1",)),)), {}, "host_2")


def test_empty_term_and_no_terms_match_nothing() -> None:
    assert not match_term(T(), {"a": "b"}, "n")
    assert not match_node_selector((), {"a": "b"}, "n")


# --- TestPreferredSchedulingTermsScore ----------------------------------------------------


def test_preferred_scheduling_terms_score() -> None:
    terms = (
        PreferredSchedulingTerm(5, T(match_fields=(NAME_IN_HOST1,))),
        PreferredSchedulingTerm(7, T((R("unknown_label", "In", ("unknown_label_val",)),))),
        PreferredSchedulingTerm(11, T((LABEL_1,))),
    )
    assert score_preferred_terms(terms, {"label_1": "label_1_val"}, "host_1") == 16


def test_preferred_invalid_but_no_weight_scores_zero() -> None:
    terms = (PreferredSchedulingTerm(0, T(match_fields=(R("metadata.name", "In", ("host_1", "host_2")),))),)
    assert score_preferred_terms(terms, {}, "host_1") == 0


# --- TestNodeSelectorRequirementsAsSelector -----------------------------------------------


def test_requirements_as_selector() -> None:
    assert not match_term(T(()), {"foo": "bar"}, "")  # nil / empty -> labels.Nothing()
    assert match_term(T((R("foo", "In", ("bar", "baz")),)), {"foo": "baz"}, "")
    assert not match_term(T((R("foo", "Exists", ("bar", "baz")),)), {"foo": "baz"}, "")  # error
    assert match_term(T((R("foo", "Gt", ("1",)),)), {"foo": "2"}, "")
    assert match_term(T((R("bar", "Lt", ("7",)),)), {"bar": "6"}, "")


# --- TestPodMatchesNodeSelectorAndAffinityTerms ------------------------------------------


def _req(*terms: NodeSelectorTerm) -> NodeAffinity:
    return NodeAffinity(required=terms)


@pytest.mark.parametrize(
    ("name", "node_selector", "affinity", "labels", "node_name", "want"),
    [
        ("no selector", None, None, {}, "", True),
        ("missing labels", {"foo": "bar"}, None, {}, "", False),
        ("same labels", {"foo": "bar"}, None, {"foo": "bar"}, "", True),
        ("node labels are superset", {"foo": "bar"}, None, {"foo": "bar", "baz": "blah"}, "", True),
        ("node labels are subset", {"foo": "bar", "baz": "blah"}, None, {"foo": "bar"}, "", False),
        ("In operator matches", None, _req(T((R("foo", "In", ("bar", "value2")),))), {"foo": "bar"}, "", True),
        (
            "Gt operator matches",
            None,
            _req(T((R("kernel-version", "Gt", ("0204",)),))),
            {"kernel-version": "0206"},
            "",
            True,
        ),
        ("NotIn operator matches", None, _req(T((R("mem-type", "NotIn", ("DDR", "DDR2")),))), {"mem-type": "DDR3"}, "", True),
        ("Exists operator matches", None, _req(T((R("GPU", "Exists"),))), {"GPU": "NVIDIA-GRID-K1"}, "", True),
        ("affinity doesn't match labels", None, _req(T((R("foo", "In", ("value1", "value2")),))), {"foo": "bar"}, "", False),
        ("nil []NodeSelectorTerm", None, NodeAffinity(required=()), {"foo": "bar"}, "", False),
        ("empty MatchExpressions matches nothing", None, _req(T(())), {"foo": "bar"}, "", False),
        ("no Affinity", None, None, {"foo": "bar"}, "", True),
        ("Affinity but nil NodeSelector", None, NodeAffinity(required=None), {"foo": "bar"}, "", True),
        (
            "multiple matchExpressions ANDed, match",
            None,
            _req(T((R("GPU", "Exists"), R("GPU", "NotIn", ("AMD", "INTER"))))),
            {"GPU": "NVIDIA-GRID-K1"},
            "",
            True,
        ),
        (
            "multiple matchExpressions ANDed, no match",
            None,
            _req(T((R("GPU", "Exists"), R("GPU", "In", ("AMD", "INTER"))))),
            {"GPU": "NVIDIA-GRID-K1"},
            "",
            False,
        ),
        (
            "multiple NodeSelectorTerms ORed",
            None,
            _req(T((R("foo", "In", ("bar", "value2")),)), T((R("diffkey", "In", ("wrong", "value2")),))),
            {"foo": "bar"},
            "",
            True,
        ),
        ("affinity and nodeSelector both satisfied", {"foo": "bar"}, _req(T((R("foo", "Exists"),))), {"foo": "bar"}, "", True),
        (
            "affinity matches but nodeSelector not",
            {"foo": "bar"},
            _req(T((R("foo", "Exists"),))),
            {"foo": "barrrrrr"},
            "",
            False,
        ),
        (
            "invalid value in affinity term",
            None,
            _req(T((R("foo", "NotIn", ("invalid value: ___@#$%^",)),))),
            {"foo": "bar"},
            "",
            False,
        ),
        ("matchFields In matches", None, _req(T(match_fields=(R("metadata.name", "In", ("node_1",)),))), {}, "node_1", True),
        (
            "matchFields In does not match",
            None,
            _req(T(match_fields=(R("metadata.name", "In", ("node_1",)),))),
            {},
            "node_2",
            False,
        ),
        (
            "two terms: matchFields no, matchExpressions yes",
            None,
            _req(T(match_fields=(R("metadata.name", "In", ("node_1",)),)), T((R("foo", "In", ("bar",)),))),
            {"foo": "bar"},
            "node_2",
            True,
        ),
        (
            "one term: matchFields no, matchExpressions yes",
            None,
            _req(T((R("foo", "In", ("bar",)),), (R("metadata.name", "In", ("node_1",)),))),
            {"foo": "bar"},
            "node_2",
            False,
        ),
        (
            "one term: both match",
            None,
            _req(T((R("foo", "In", ("bar",)),), (R("metadata.name", "In", ("node_1",)),))),
            {"foo": "bar"},
            "node_1",
            True,
        ),
        (
            "two terms: neither matches",
            None,
            _req(T(match_fields=(R("metadata.name", "In", ("node_1",)),)), T((R("foo", "In", ("not-match-to-bar",)),))),
            {"foo": "bar"},
            "node_2",
            False,
        ),
    ],
)
def test_pod_matches_node_selector_and_affinity_terms(name, node_selector, affinity, labels, node_name, want) -> None:
    assert match_required_node_affinity(node_selector, affinity, labels, node_name) is want, name


def test_node_selector_labels_empty_value() -> None:
    assert match_node_selector_labels({"a": ""}, {"a": ""})
    assert not match_node_selector_labels({"a": ""}, {})


# --- validation primitives ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("foo", True),
        ("kubernetes.io/os", True),
        ("servicelevel.organization.example/agreed-service-level", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("invalid key", False),
        ("/foo", False),
        ("Example.com/foo", False),  # prefix must be lowercase DNS
        ("a/b/c", False),
        ("", False),
        ("-foo", False),
    ],
)
def test_qualified_name(value: str, ok: bool) -> None:
    assert (not qualified_name_errors(value)) is ok


def test_label_values_and_dns() -> None:
    assert not label_value_errors("") and not label_value_errors("my_value.1")
    assert label_value_errors("a b") and label_value_errors("x" * 64) and label_value_errors("-a")
    assert not dns1123_subdomain_errors("openb-node-0001")
    assert dns1123_subdomain_errors("host_1") and dns1123_subdomain_errors("Node")


@pytest.mark.parametrize(
    ("s", "want"),
    [("0", 0), ("-12", -12), ("+12", 12), ("0204", 204), ("", None), ("1_000", None), (" 1", None), ("1.0", None),
     ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None), ("-9223372036854775808", -(2**63)), ("+", None)],
)
def test_parse_go_int64(s: str, want: int | None) -> None:
    assert parse_go_int64(s) == want


@pytest.mark.parametrize(
    ("s", "want"),
    [("0", True), ("950", True), ("-7", True), ("-0", False), ("07", False), ("+7", False), ("", False), ("-", False), ("1a", False)],
)
def test_is_decimal_integer(s: str, want: bool) -> None:
    assert is_decimal_integer(s) is want


@given(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1))
def test_numeric_toleration_agrees_with_integers(t: int, n: int) -> None:
    tol_gt = Toleration("k", "Gt", str(t), NS)
    tol_lt = Toleration("k", "Lt", str(t), NS)
    taint = Taint("k", str(n), NS)
    assert tolerates_taint(tol_gt, taint) is (n > t)
    assert tolerates_taint(tol_lt, taint) is (n < t)


# --- parsing (API validation rules) --------------------------------------------------------


def test_parse_tolerations_ok() -> None:
    tols = parse_tolerations(
        [
            {"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"},
            {"operator": "Exists"},
            {"key": "k", "operator": "Gt", "value": "900", "effect": "NoSchedule"},
            {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
        "spec.tolerations",
    )
    assert tols == (
        Toleration("node-role.kubernetes.io/master", "", "", NS),
        Toleration("", "Exists"),
        Toleration("k", "Gt", "900", NS),
        Toleration("k", "Exists", "", NE, 300),
    )
    assert [t.to_manifest() for t in tols][3] == {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}


@pytest.mark.parametrize(
    ("tol", "path", "fragment"),
    [
        ({"key": "k", "operator": "Equals"}, "spec.tolerations[0].operator", "Unsupported value: 'Equals'"),
        ({"value": "v"}, "spec.tolerations[0].operator", "operator must be Exists when `key` is empty"),
        ({"key": "k", "operator": "Exists", "value": "v"}, "spec.tolerations[0].value", "value must be empty"),
        ({"key": "k", "effect": "NoSchedulee"}, "spec.tolerations[0].effect", "Unsupported value: 'NoSchedulee'"),
        ({"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}, "spec.tolerations[0].effect", "must be 'NoExecute'"),
        ({"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": "5"}, "spec.tolerations[0].tolerationSeconds", "'5'"),
        ({"key": "k", "operator": "Gt", "value": "0900"}, "spec.tolerations[0].value", "'0900'"),
        ({"key": "k", "operator": "Lt", "value": "high"}, "spec.tolerations[0].value", "'high'"),
        ({"key": "k", "operator": "Equal", "value": 900}, "spec.tolerations[0].value", "must be a string"),
        ({"key": "bad key", "operator": "Exists"}, "spec.tolerations[0].key", "'bad key'"),
        ({"key": "k", "value": "a b"}, "spec.tolerations[0].value", "'a b'"),
        ("k", "spec.tolerations[0]", "must be a mapping"),
    ],
)
def test_parse_toleration_errors(tol: object, path: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as ei:
        parse_tolerations([tol], "spec.tolerations")
    assert ei.value.path == path
    assert fragment in ei.value.message


def test_parse_taints_errors() -> None:
    assert parse_taints([{"key": "foo", "effect": "NoSchedule"}], "spec.taints") == (Taint("foo", "", NS),)
    for taints, path, fragment in [
        ([{"key": "foo"}], "spec.taints[0].effect", "Required value"),
        ([{"key": "foo", "effect": "Never"}], "spec.taints[0].effect", "Unsupported value: 'Never'"),
        ([{"effect": "NoSchedule"}], "spec.taints[0].key", "name part must be non-empty"),
        ([{"key": "a", "value": "x y", "effect": "NoSchedule"}], "spec.taints[0].value", "'x y'"),
        ([{"key": "a", "effect": NS}, {"key": "a", "value": "2", "effect": NS}], "spec.taints[1]", "unique by key and effect"),
    ]:
        with pytest.raises(ManifestError) as ei:
            parse_taints(taints, "spec.taints")
        assert ei.value.path == path
        assert fragment in ei.value.message
    # Same key with different effects is fine.
    assert len(parse_taints([{"key": "a", "effect": NS}, {"key": "a", "effect": NE}], "spec.taints")) == 2


def test_parse_labels_errors() -> None:
    assert parse_labels({"app.kubernetes.io/name": "zk", "empty": ""}, "metadata.labels") == {
        "app.kubernetes.io/name": "zk",
        "empty": "",
    }
    with pytest.raises(ManifestError) as ei:
        parse_labels({"redis-sentinel": True}, "metadata.labels")
    assert ei.value.path == "metadata.labels[redis-sentinel]" and "True" in ei.value.message
    with pytest.raises(ManifestError) as ei:
        parse_labels({"bad key": "x"}, "spec.nodeSelector")
    assert ei.value.path == "spec.nodeSelector[bad key]"
    with pytest.raises(ManifestError) as ei:
        parse_labels(["a"], "spec.nodeSelector")
    assert ei.value.path == "spec.nodeSelector"


NA = "spec.affinity.nodeAffinity"
REQ = f"{NA}.requiredDuringSchedulingIgnoredDuringExecution"
PREF = f"{NA}.preferredDuringSchedulingIgnoredDuringExecution"


def _na(*exprs: dict, fields: list | None = None) -> dict:
    term: dict = {"matchExpressions": list(exprs)}
    if fields is not None:
        term["matchFields"] = fields
    return {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        (_na({"key": "a", "operator": "In", "values": ["x"]}, {"key": "b", "operator": "In", "values": []}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[1].values", "must be specified when `operator` is 'In' or 'NotIn'"),
        (_na({"key": "b", "operator": "NotIn"}), f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values", "Required value"),
        (_na({"key": "b", "operator": "Exists", "values": ["x"]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values", "may not be specified"),
        (_na({"key": "b", "operator": "Gt", "values": ["1", "2"]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values", "single value"),
        (_na({"key": "b", "operator": "Lt"}), f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values", "single value"),
        (_na({"key": "b", "operator": "Gt", "values": ["abc"]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values[0]", "must be an integer"),
        (_na({"key": "b", "operator": "Equals", "values": ["x"]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].operator", "not a valid selector operator"),
        (_na({"key": "bad key", "operator": "Exists"}), f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].key", "'bad key'"),
        (_na({"key": "b", "operator": "In", "values": ["x y"]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values[0]", "'x y'"),
        (_na({"key": "b", "operator": "In", "values": [1]}),
         f"{REQ}.nodeSelectorTerms[0].matchExpressions[0].values[0]", "must be a string"),
        (_na(fields=[{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]),
         f"{REQ}.nodeSelectorTerms[0].matchFields[0].values", "only one value"),
        (_na(fields=[{"key": "metadata.name", "operator": "Exists"}]),
         f"{REQ}.nodeSelectorTerms[0].matchFields[0].operator", "not a valid selector operator"),
        (_na(fields=[{"key": "metadata.labels", "operator": "In", "values": ["a"]}]),
         f"{REQ}.nodeSelectorTerms[0].matchFields[0].key", "not a valid field selector key"),
        (_na(fields=[{"key": "metadata.name", "operator": "In", "values": ["Host_1"]}]),
         f"{REQ}.nodeSelectorTerms[0].matchFields[0].values[0]", "'Host_1'"),
        ({"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}},
         f"{REQ}.nodeSelectorTerms", "at least one node selector term"),
        ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {}}]}, f"{PREF}[0].weight", "1-100"),
        ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 101, "preference": {}}]}, f"{PREF}[0].weight", "101"),
        ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": "5", "preference": {}}]}, f"{PREF}[0].weight", "'5'"),
        ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5}]}, f"{PREF}[0].preference", "Required value"),
        ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "preference": {"matchExpressions": [
            {"key": "k", "operator": "Gt"}]}}]}, f"{PREF}[0].preference.matchExpressions[0].values", "single value"),
    ],
)
def test_parse_node_affinity_errors(raw: dict, path: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as ei:
        parse_node_affinity(raw, NA)
    assert ei.value.path == path
    assert fragment in ei.value.message
    assert str(ei.value).startswith(path + ": ")


def test_preferred_terms_allow_invalid_label_values() -> None:
    # ValidatePreferredSchedulingTerms passes allowInvalidLabelValue=true.
    na = parse_node_affinity(
        {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 3, "preference": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["x y"]}]}}]},
        NA,
    )
    assert na == NodeAffinity(None, (PreferredSchedulingTerm(3, T((R("k", "In", ("x y",)),))),))
    # ... but such a term can never match (labels.NewRequirement rejects it).
    assert score_preferred_terms(na.preferred, {"k": "x y"}, "n") == 0


def test_parse_node_affinity_round_trip() -> None:
    raw = {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux", "macOs"]}]},
            {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}]},
        ]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 50, "preference": {"matchExpressions": [{"key": "label-2", "operator": "Exists"}]}},
        ],
    }
    na = parse_node_affinity(raw, NA)
    assert na is not None
    assert na.to_manifest() == raw
    assert parse_node_affinity(na.to_manifest(), NA) == na
    assert parse_node_affinity({}, NA) is None
