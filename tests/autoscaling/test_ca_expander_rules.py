"""Expanders: least-waste, price, priority, most-pods and the chain with a
seeded random tie-break, as tables."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kubekit.autoscaling.cluster.expander import Expander, option_price_score, option_waste
from kubekit.autoscaling.cluster.scaleup import ScaleUpOption

GI = 1 << 30


def opt(group, nodes=1, pods=1, cpu=1000, mem=GI, node_cpu=4000, node_mem=16 * GI, price=1.0, priority=0):
    return ScaleUpOption(group, nodes, tuple(f"default/p{i}" for i in range(pods)), cpu, mem, node_cpu, node_mem,
                         price, priority)


@pytest.mark.parametrize("o, waste", [
    (opt("a", cpu=4000, mem=16 * GI), Fraction(0)),                          # a perfect fit
    (opt("a", cpu=2000, mem=8 * GI), Fraction(1)),                           # half of each idle
    (opt("a", nodes=2, cpu=4000, mem=8 * GI), Fraction(1, 2) + Fraction(3, 4)),
    (opt("a", cpu=1000, mem=0), Fraction(3, 4) + 1),
])
def test_least_waste_score(o, waste):
    assert option_waste(o) == waste


def test_price_score_is_node_price_over_pod_price():
    cheap_big = opt("big", cpu=4000, mem=16 * GI, price=0.4)
    assert option_price_score(cheap_big) == Fraction("0.4") / (4 * Fraction("0.033174") + 16 * Fraction("0.004446"))


@pytest.mark.parametrize("names, options, want", [
    ("least-waste", [opt("a", node_cpu=8000, node_mem=32 * GI), opt("b")], "b"),
    ("least-waste", [opt("a"), opt("b", node_cpu=16000)], "a"),
    ("price", [opt("a", price=2.0), opt("b", price=1.0)], "b"),
    ("price", [opt("a", nodes=3, price=1.0), opt("b", nodes=1, price=2.0)], "b"),
    ("priority", [opt("a", priority=1), opt("b", priority=10), opt("c", priority=5)], "b"),
    ("most-pods", [opt("a", pods=3), opt("b", pods=5)], "b"),
    # a chain: priority first, least-waste between the equally preferred
    ("priority,least-waste", [opt("a", priority=5, node_cpu=64000), opt("b", priority=5), opt("c", priority=1)], "b"),
    ("least-waste,priority", [opt("a", priority=5, node_cpu=64000), opt("b", priority=5), opt("c", priority=1)], "b"),
    ("random", [opt("only")], "only"),
])
def test_expanders_choose(names, options, want):
    assert Expander(names).best_option(options).group == want


def test_random_is_seeded_and_chooses_among_all():
    options = [opt(g) for g in "abcdef"]
    first = [Expander("random", seed=7).best_option(options).group for _ in range(3)]
    assert len(set(first)) == 1                       # the same seed, the same choice
    seen = {Expander("random", seed=s).best_option(options).group for s in range(60)}
    assert seen == set("abcdef")


def test_no_options_no_choice_and_unknown_names_are_refused():
    assert Expander("least-waste").best_option([]) is None
    with pytest.raises(ValueError, match="expected a comma-separated list"):
        Expander("cheapest")
