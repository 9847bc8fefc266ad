"""Expanders: which scale-up option to take when several node groups would
help (the cluster autoscaler's ``expander`` package).  Pure.

Each expander is a small filter plugin, ``best_options(options) -> options``
(the subset it likes best).  ``--expander`` names a chain, e.g.
``priority,least-waste``: each filter narrows what the previous one kept,
and a seeded ``random`` choice breaks the remaining tie (as upstream's
chain always falls back to random).

* ``least-waste``: the least idle cpu + memory fraction after the scale-up,
  ``(avail_cpu - requested_cpu)/avail_cpu + (avail_mem - requested_mem)/avail_mem``
  over the new nodes (``expander/waste``);
* ``price``: the lowest ratio of the new nodes' price to the price of the
  pods they take, a pod priced by its requests at GCE's on-demand rates
  (0.033174 per core-hour, 0.004446 per GiB-hour, the ratio upstream's GCE
  pricing model uses); upstream's extra "preferred node size" penalty is
  not modelled;
* ``priority``: the highest ``NodeGroup.priority`` (upstream reads the
  priorities from the ``cluster-autoscaler-priority-expander`` ConfigMap as
  name regexes; here each group carries its own);
* ``most-pods``: the most pods helped;
* ``random``: any, with a seeded generator (deterministic per seed).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Protocol

from kubekit.autoscaling.cluster.scaleup import ScaleUpOption

__all__ = ["EXPANDERS", "Expander", "ExpanderFilter", "LeastWaste", "MostPods", "Price", "Priority",
           "option_price_score", "option_waste"]

CPU_CORE_HOUR = Fraction("0.033174")
MEMORY_GIB_HOUR = Fraction("0.004446")
GIB = 1 << 30


class ExpanderFilter(Protocol):
    name: str

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]: ...


def _lowest(options: Sequence[ScaleUpOption], score) -> list[ScaleUpOption]:
    if not options:
        return []
    scores = [score(o) for o in options]
    best = min(scores)
    return [o for o, s in zip(options, scores) if s == best]


def option_waste(o: ScaleUpOption) -> Fraction:
    """The least-waste score (exact): idle cpu fraction + idle memory fraction."""
    total = Fraction(0)
    for req, per_node in ((o.requested_cpu_milli, o.node_cpu_milli), (o.requested_memory_bytes, o.node_memory_bytes)):
        avail = per_node * o.node_count
        if avail > 0:
            total += Fraction(avail - req, avail)
    return total


def option_price_score(o: ScaleUpOption) -> Fraction:
    """Node price over the pods' price (lower is better)."""
    pods = Fraction(o.requested_cpu_milli, 1000) * CPU_CORE_HOUR + \
        Fraction(o.requested_memory_bytes, GIB) * MEMORY_GIB_HOUR
    nodes = Fraction(str(o.price)) * o.node_count
    return nodes / pods if pods > 0 else Fraction(10**18) + nodes


class LeastWaste:
    name = "least-waste"

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]:
        return _lowest(options, option_waste)


class Price:
    name = "price"

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]:
        return _lowest(options, option_price_score)


class Priority:
    name = "priority"

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]:
        return _lowest(options, lambda o: -o.priority)


class MostPods:
    name = "most-pods"

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]:
        return _lowest(options, lambda o: -len(o.pods))


class _Everything:
    name = "random"

    def best_options(self, options: Sequence[ScaleUpOption]) -> list[ScaleUpOption]:
        return list(options)


EXPANDERS: dict[str, type] = {c.name: c for c in (LeastWaste, Price, Priority, MostPods, _Everything)}


class Expander:
    """A chain of expander filters (``"priority,least-waste"``), then a
    seeded random pick among what is left."""

    def __init__(self, names: str = "random", *, seed: int = 0) -> None:
        parts = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in parts if n not in EXPANDERS]
        if unknown or not parts:
            raise ValueError(f"expander {names!r}: expected a comma-separated list of "
                             f"{', '.join(sorted(EXPANDERS))}")
        self.names = tuple(parts)
        self.filters: list[ExpanderFilter] = [EXPANDERS[n]() for n in parts]
        self._rng = random.Random(seed)

    def best_option(self, options: Sequence[ScaleUpOption]) -> ScaleUpOption | None:
        left = sorted(options, key=lambda o: o.group)
        for f in self.filters:
            if len(left) <= 1:
                break
            left = f.best_options(left)
        if not left:
            return None
        return left[0] if len(left) == 1 else self._rng.choice(left)
