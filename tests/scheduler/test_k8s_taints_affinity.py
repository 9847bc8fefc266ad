"""kube-scheduler's own tables for TaintToleration, NodeAffinity,
NodeUnschedulable, NodeName, DefaultNormalizeScore, FitError and
numFeasibleNodesToFind, through both engines where a scheduler is involved."""

from __future__ import annotations

import pytest

from k8s_harness import ENGINES, UNNAMED, build
from k8s_tables.taints_affinity import (
    FIT_ERROR_MESSAGE_CASES,
    FIT_ERROR_MESSAGE_EXTENDED_CASES,
    NODE_AFFINITY_FILTER_CASES,
    NODE_AFFINITY_SCORE_CASES,
    NODE_NAME_CASES,
    NODE_UNSCHEDULABLE_CASES,
    NORMALIZE_SCORE_CASES,
    NUM_FEASIBLE_NODES_CASES,
    TAINT_FILTER_CASES,
    TAINT_FILTER_FEATURE_GATE_CASES,
    TAINT_SCORE_CASES,
)
from kubekit.errors import ManifestError
from kubekit.scheduler.framework import default_normalize_score
from kubekit.scheduler.results import fit_error_message
from kubekit.scheduler.scheduler import num_feasible_nodes_to_find

# kubekit implements TaintTolerationComparisonOperators (Gt/Lt tolerations) as
# enabled; the cases that pin the gate off test the other behaviour.
GATE_ON = [c for c in TAINT_FILTER_FEATURE_GATE_CASES if c.get("feature_gates", {}).get("TaintTolerationComparisonOperators", True)]
# This case's expected message is post-v1.35 master (the parse error as the
# status message); v1.34/v1.35, which kubekit follows, report the generic
# untolerated-taint reason, asserted in test_numeric_taint_parse_failure_v135.
POST_V135 = {"Pod with Gt toleration cannot be scheduled on node with non-numeric taint value"}
TAINT_FILTERS = [c for c in TAINT_FILTER_CASES + GATE_ON if c["name"] not in POST_V135]


def _ids(cases):
    return [c["name"][:90] for c in cases]


def _check_filter(case, plugin, engine):
    sched, pod = build(case, plugin, engine, filter_only=plugin)
    exp = sched.explain(pod)
    for node, want in case["expected_status"].items():
        got = exp.node(node or UNNAMED)
        if want["code"] == "Success":
            assert got.feasible, (got.plugin, got.reasons)  # only `plugin` filters here
        else:
            assert got.plugin == plugin, (got.plugin, got.reasons)
            assert got.code.k8s_name == want["code"]
            assert list(got.reasons) == want["reasons"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", TAINT_FILTERS, ids=_ids(TAINT_FILTERS))
def test_taint_filter(case, engine):
    _check_filter(case, "TaintToleration", engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", [c for c in TAINT_FILTER_CASES + TAINT_FILTER_FEATURE_GATE_CASES if c["name"] in POST_V135])
def test_numeric_taint_parse_failure_v135(case, engine):
    sched, pod = build(case, "TaintToleration", engine, filter_only="TaintToleration")
    for node in case["expected_status"]:
        got = sched.explain(pod).node(node or UNNAMED)
        assert got.code.k8s_name == "UnschedulableAndUnresolvable"
        assert got.reasons == ("node(s) had untolerated taint(s)",)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", NODE_UNSCHEDULABLE_CASES, ids=_ids(NODE_UNSCHEDULABLE_CASES))
def test_node_unschedulable(case, engine):
    _check_filter(case, "NodeUnschedulable", engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", NODE_NAME_CASES, ids=_ids(NODE_NAME_CASES))
def test_node_name(case, engine):
    _check_filter(case, "NodeName", engine)


def _affinity_filter_ok(case):
    return case.get("expected_prefilter", {}) is None or (case.get("expected_prefilter") or {}).get("code") != "UnschedulableAndUnresolvable"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", NODE_AFFINITY_FILTER_CASES, ids=_ids(NODE_AFFINITY_FILTER_CASES))
def test_node_affinity_filter(case, engine):
    try:
        sched, pod = build(case, "NodeAffinity", engine, filter_only="NodeAffinity")
    except ManifestError as err:
        # An invalid requirement in a *required* term is rejected by API-server
        # validation, which kubekit applies when reading the manifest; Go's
        # plugin test (which skips validation) expects the node rejected.
        assert "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution" in err.path
        assert all(w["code"] != "Success" for w in case["expected_status"].values())
        return
    exp = sched.explain(pod)
    pf = case.get("expected_prefilter") or {}
    for node, want in case["expected_status"].items():
        got = exp.node(node or UNNAMED)
        if pf.get("code") == "UnschedulableAndUnresolvable":
            # PreFilter rejects: every node carries the PreFilter's reason.
            assert not got.feasible and got.reasons == tuple(pf["reasons"])
        elif pf.get("node_names") is not None and node not in pf["node_names"]:
            assert not got.feasible and got.plugin == "NodeAffinity"
        elif want["code"] == "Success":
            assert got.feasible, (got.plugin, got.reasons)
        else:
            assert got.plugin == "NodeAffinity"
            assert got.code.k8s_name == want["code"]
            assert list(got.reasons) == want["reasons"]


SCORE_CASES = [("TaintToleration", c) for c in TAINT_SCORE_CASES] + [
    ("NodeAffinity", c) for c in NODE_AFFINITY_SCORE_CASES if (c.get("expected_prescore") or {}).get("code") != "Error"
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("plugin,case", SCORE_CASES, ids=[f"{p}:{c['name'][:70]}" for p, c in SCORE_CASES])
def test_scores(plugin, case, engine):
    sched, pod = build(case, plugin, engine, filters=False, score_only=plugin)
    exp = sched.explain(pod)
    if (case.get("expected_prescore") or {}).get("code") == "Skip":
        assert plugin in exp.skipped_plugins
        return
    for node, want in case["expected_scores"].items():
        n = exp.node(node or UNNAMED)
        if plugin in exp.skipped_plugins:
            # kube-scheduler's test runs Score even after PreScore skipped; a
            # skipped plugin adds nothing, which its 0s express.
            assert plugin not in n.scores and want == 0, node
        else:
            assert n.scores[plugin].normalized == want, node


@pytest.mark.parametrize("case", [c for c in NODE_AFFINITY_SCORE_CASES if (c.get("expected_prescore") or {}).get("code") == "Error"])
def test_broken_affinity_is_rejected_at_parse(case):
    # kube-scheduler's PreScore reports the parse error; kubekit rejects the
    # manifest up front, naming the field.
    from k8s_harness import pod_from_go

    with pytest.raises(ManifestError) as err:
        pod_from_go(case["pod"])
    assert "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key" in err.value.path


@pytest.mark.parametrize("case", NORMALIZE_SCORE_CASES, ids=_ids(NORMALIZE_SCORE_CASES))
def test_default_normalize_score(case):
    scores = {str(i): s for i, s in enumerate(case["scores"])}
    default_normalize_score(case["max"], case["reverse"], scores)
    assert list(scores.values()) == case["expected"]


@pytest.mark.parametrize("case", FIT_ERROR_MESSAGE_CASES, ids=_ids(FIT_ERROR_MESSAGE_CASES))
def test_fit_error_message(case):
    reasons: dict[str, int] = {}
    for rs in case["node_reasons"].values():
        for r in rs:
            reasons[r] = reasons.get(r, 0) + 1
    assert fit_error_message(case["num_all_nodes"], reasons) == case["expected"]


@pytest.mark.parametrize(
    "case", [c for c in FIT_ERROR_MESSAGE_EXTENDED_CASES if not c.get("post_filter_msg")], ids=lambda c: c["name"][:60]
)
def test_fit_error_message_prefilter(case):
    reasons: dict[str, int] = {}
    for rs in case["node_reasons"].values():
        for r in rs:
            reasons[r] = reasons.get(r, 0) + 1
    for r in case.get("absent_nodes_reasons") or ():
        reasons[r] = reasons.get(r, 0) + case["num_all_nodes"] - len(case["node_reasons"])
    assert fit_error_message(case["num_all_nodes"], reasons, case.get("pre_filter_msg", "")) == case["expected"]


@pytest.mark.parametrize("case", NUM_FEASIBLE_NODES_CASES, ids=_ids(NUM_FEASIBLE_NODES_CASES))
def test_num_feasible_nodes_to_find(case):
    pct = case["percentage"]
    # kube-scheduler's "unset" is its adaptive default, which kubekit spells 0
    # (kubekit's own default, None, scores every node).
    assert num_feasible_nodes_to_find(0 if pct is None else pct, case["num_all_nodes"]) == case["expected"]
