"""The plain-Python engine: kube-scheduler's framework loop over the twin
plugins, one Python call per node and plugin.  It is the reference the Cython
engine is tested against, and the baseline its speed is measured against."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from kubekit.scheduler.framework import SUCCESS, Code, CycleState, NodeInfo, Status
from kubekit.scheduler.plugins import (
    BalancedAllocation,
    NodeAffinity,
    NodeName,
    NodeResourcesFit,
    NodeUnschedulable,
    TaintToleration,
)
from kubekit.scheduler.plan import added_affinity
from kubekit.scheduler.results import NodeExplanation, PluginScore

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Node, Pod
    from kubekit.scheduler.config import Profile

FILTER_ORDER = ("NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodeResourcesFit")


def builtin_plugins(profile: "Profile") -> dict[str, object]:
    return {
        "NodeUnschedulable": NodeUnschedulable(),
        "NodeName": NodeName(),
        "TaintToleration": TaintToleration(),
        "NodeAffinity": NodeAffinity(added_affinity(profile)),
        "NodeResourcesFit": NodeResourcesFit(profile.fit_args),
        "NodeResourcesBalancedAllocation": BalancedAllocation(profile.balanced_args),
    }


class TwinEvaluation:
    def __init__(self, engine: "TwinEngine", profile: "Profile", pod: "Pod", start: int, limit: int) -> None:
        plugins = engine.plugins_for(profile)
        infos = engine.infos
        n = len(infos)
        state = CycleState()
        self.statuses: dict[int, Status] = {}
        feasible: list[int] = []
        examined = 0
        i = 0
        start = start if 0 <= start < max(n, 1) else 0
        filters = [plugins[f] for f in FILTER_ORDER if f in profile.filter]
        while i < n:
            slot = (start + i) % n
            i += 1
            info = infos[slot]
            if info is None:
                continue
            examined += 1
            status = SUCCESS
            for plugin in filters:
                status = plugin.filter(state, pod, info)
                if not status.ok:
                    break
            self.statuses[slot] = status
            if status.ok:
                feasible.append(slot)
                if 0 <= limit <= len(feasible):
                    break
        self.n_examined = examined
        self.next_start = (start + i) % n if n else 0
        self.n_feasible = len(feasible)
        self.feasible = sorted(feasible)
        # scoring
        self.scores: dict[int, dict[str, PluginScore]] = {s: {} for s in self.feasible}
        self.skipped: list[str] = []
        nodes = [infos[s] for s in self.feasible]
        for name, weight in profile.score:
            plugin = plugins.get(name)
            if plugin is None or not hasattr(plugin, "score"):
                continue
            if hasattr(plugin, "pre_score"):
                st = plugin.pre_score(state, pod, nodes)
                if st.code == Code.SKIP:
                    self.skipped.append(name)
                    continue
            raw = {s: plugin.score(state, pod, infos[s])[0] for s in self.feasible}
            norm = dict(raw)
            if hasattr(plugin, "normalize_score"):
                plugin.normalize_score(state, pod, norm)
            for s in self.feasible:
                self.scores[s][name] = PluginScore(raw[s], norm[s], weight)
        self._totals = {s: sum(p.weighted for p in self.scores[s].values()) for s in self.feasible}
        self.best = max(self._totals.values(), default=-1)
        self.n_best = sum(1 for t in self._totals.values() if t == self.best)

    def feasible_slots(self) -> list[int]:
        return self.feasible

    def totals(self) -> dict[int, int]:
        return dict(self._totals)

    def choose(self, rng) -> int:
        if self.n_best == 0:
            return -1
        k = rng.below(self.n_best) if self.n_best > 1 else 0
        for s in self.feasible:
            if self._totals[s] == self.best:
                if k == 0:
                    return s
                k -= 1
        raise AssertionError("tie count out of step")

    def reason_counts(self) -> Counter:
        c: Counter = Counter()
        for st in self.statuses.values():
            for r in st.reasons:
                c[r] += 1
        return c

    def explain_node(self, slot: int, name: str) -> NodeExplanation | None:
        st = self.statuses.get(slot)
        if st is None:
            return None
        if not st.ok:
            return NodeExplanation(name, st.code, st.reasons, st.plugin, {}, None)
        return NodeExplanation(name, Code.SUCCESS, (), "", dict(self.scores[slot]), self._totals[slot])


class TwinEngine:
    name = "twin"

    def __init__(self) -> None:
        self.infos: list[NodeInfo | None] = []
        self._plugins: dict[str, dict[str, object]] = {}

    def plugins_for(self, profile: "Profile") -> dict[str, object]:
        p = self._plugins.get(profile.scheduler_name)
        if p is None:
            p = self._plugins[profile.scheduler_name] = builtin_plugins(profile)
        return p

    def write_node(self, slot: int, node: "Node") -> None:
        while len(self.infos) <= slot:
            self.infos.append(None)
        old = self.infos[slot]
        if old is None:
            self.infos[slot] = NodeInfo(node)
        else:
            old.node = node

    def remove_node(self, slot: int) -> None:
        self.infos[slot] = None

    def node_info(self, slot: int, node: "Node") -> NodeInfo:
        return self.infos[slot]

    def bind(self, profile_name: str, plan, pod: "Pod", slot: int, sign: int = 1) -> None:
        self.infos[slot].add_pod(pod, sign)

    def evaluate_profile(self, profile: "Profile", pod: "Pod", start: int = 0, limit: int = -1) -> TwinEvaluation:
        return TwinEvaluation(self, profile, pod, start, limit)

    def has_index(self, profile_name: str, key: tuple) -> bool:
        return False

    def seen(self, profile_name: str, key: tuple) -> int:
        return 0

    def state_bytes(self) -> int:
        return 0
