"""The scheduler's view of the cluster, for simulations: a
:class:`~kubekit.scheduler.Scheduler` holding the given nodes and the pods
bound to them, built with the scheduling loop's own parsing
(:mod:`kubekit.cluster.podparse`, with its per-template cache), so a simulated placement is the real scheduler's
decision on the same state."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubekit.cluster.podparse import PodParser, parse_node
from kubekit.errors import KubekitError

__all__ = ["PodParser", "build_scheduler", "parse_node", "unbound"]

log = logging.getLogger(__name__)


def unbound(pod: Mapping[str, Any]) -> dict:
    """``pod`` as its replacement would be: not bound to any node."""
    spec = {k: v for k, v in (pod.get("spec") or {}).items() if k != "nodeName"}
    return {**pod, "spec": spec}


def build_scheduler(nodes: Iterable[Mapping[str, Any]], bound: Mapping[str, Sequence[Mapping[str, Any]]],
                    parse: PodParser, *, config=None, seed: int = 0):
    """A scheduler with ``nodes`` and, on each, the pods ``bound[node]``
    (pods that cannot be parsed or accounted are skipped with a warning, as
    the scheduling loop skips them)."""
    from kubekit.scheduler import Scheduler

    sched = Scheduler(config, nodes=[], seed=seed)
    for obj in nodes:
        try:
            sched.add_node(parse_node(obj))
        except KubekitError as e:
            log.warning("node %s left out of the simulation: %s", obj["metadata"]["name"], e)
    names = set(sched.node_names)
    for node, pods in bound.items():
        if node not in names:
            continue
        for obj in pods:
            try:
                sched.assume(parse(obj), node)
            except KubekitError as e:
                log.warning("pod %s left out of the simulation: %s", obj["metadata"].get("name"), e)
    return sched
