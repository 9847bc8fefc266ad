"""kube-scheduler's own noderesources test tables, through both engines."""

from __future__ import annotations

import pytest

from k8s_harness import ENGINES, build
from k8s_tables.noderesources import (
    BALANCED_ALLOCATION_CASES,
    FIT_FILTER_CASES,
    FIT_SCORE_CASES,
    LEAST_ALLOCATED_CASES,
    MOST_ALLOCATED_CASES,
    RTCR_CASES,
    RTCR_FUNCTION_CASES,
)
from kubekit.scheduler.plugins.scoring import broken_linear


def _ids(cases):
    return [f"{c['test']}[{c['index']}] {c['name']}" for c in cases]


def _v1_cases(cases):
    # Cases built on the internal config without v1 defaulting (weight 0, empty
    # resource lists) cannot be expressed as a KubeSchedulerConfiguration v1.
    return [c for c in cases if not c.get("no_v1_defaulting")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", FIT_FILTER_CASES, ids=_ids(FIT_FILTER_CASES))
def test_fit_filter(case, engine):
    sched, pod = build(case, "NodeResourcesFit", engine)
    exp = sched.explain(pod)
    for node, want in case["expected_status"].items():
        got = exp.node(node)
        if want["code"] == "Success":
            assert got.feasible, (got.plugin, got.reasons)
        else:
            assert got.plugin == "NodeResourcesFit"
            assert got.code.k8s_name == want["code"]
            assert sorted(got.reasons) == sorted(want["reasons"])


SCORE_TABLES = [
    ("NodeResourcesFit", c) for c in _v1_cases(LEAST_ALLOCATED_CASES + MOST_ALLOCATED_CASES + RTCR_CASES + FIT_SCORE_CASES)
] + [("NodeResourcesBalancedAllocation", c) for c in _v1_cases(BALANCED_ALLOCATION_CASES)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("plugin,case", SCORE_TABLES, ids=[f"{p}:{i}" for p, i in zip([p for p, _ in SCORE_TABLES], _ids([c for _, c in SCORE_TABLES]))])
def test_scores(plugin, case, engine):
    sched, pod = build(case, plugin, engine, filters=False, score_only=plugin)
    exp = sched.explain(pod)
    if case.get("expected_prescore") == "Skip":
        assert plugin in exp.skipped_plugins
        assert all(plugin not in n.scores for n in exp.nodes)
        return
    for node, want in case["expected_scores"].items():
        assert exp.node(node).scores[plugin].normalized == want, node


INVALID_WEIGHT_CASES = [
    c for c in LEAST_ALLOCATED_CASES + MOST_ALLOCATED_CASES
    if c.get("expected_error") and any(r["weight"] != 0 for r in c["args"]["scoringStrategy"]["resources"]
                                       if r["weight"] < 0 or r["weight"] > 100)
]


@pytest.mark.parametrize("case", INVALID_WEIGHT_CASES, ids=_ids(INVALID_WEIGHT_CASES))
def test_invalid_resource_weights_are_rejected(case):
    """-1 and 101 are rejected with the field kube-scheduler names.  (A weight
    of 0 is valid in a v1 config: v1 defaulting turns it into 1, so those
    cases apply only to kube-scheduler's internal config type.)"""
    from kubekit import ConfigError

    with pytest.raises(ConfigError) as err:
        build(case, "NodeResourcesFit", "fast")
    assert case["expected_error"]["field"] in str(err.value)


def test_v1_cases_are_most_of_the_tables():
    total = len(LEAST_ALLOCATED_CASES + MOST_ALLOCATED_CASES + RTCR_CASES + FIT_SCORE_CASES + BALANCED_ALLOCATION_CASES)
    assert len(SCORE_TABLES) >= total - 10


@pytest.mark.parametrize("case", RTCR_FUNCTION_CASES, ids=[c["name"] for c in RTCR_FUNCTION_CASES])
def test_broken_linear_function(case):
    shape = [(p["utilization"], p["score"]) for p in case["shape"]]
    for a in case["assertions"]:
        assert broken_linear(shape, a["utilization"]) == a["expected"], a
