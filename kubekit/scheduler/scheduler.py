"""``kubekit.Scheduler``: kube-scheduler's decisions, embeddable.

The facade owns the node slots, the bound pods and the tie-breaking
generator; an engine (Cython ``fast`` or Python ``twin``) filters and scores.
User plugins run in Python at their extension points after the built-in
kernels (see docs/scheduler.md).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from kubekit._fast import _sched
from kubekit.errors import SchedulerError
from kubekit.scheduler.compile import template_key
from kubekit.scheduler.config import SchedulerConfig, load_config
from kubekit.scheduler.engine_fast import FastEngine
from kubekit.scheduler.engine_twin import TwinEngine
from kubekit.scheduler.framework import EXTENSION_POINTS, Code, CycleState, NodeInfo, Status
from kubekit.scheduler.plan import BUILTIN_SCORES, Plan
from kubekit.scheduler.plugins.node_affinity import REASON_CONFLICT, REASON_PREFILTER_ABSENT, prefilter_node_names
from kubekit.scheduler.results import (
    NO_NODES_AVAILABLE,
    BatchResult,
    Explanation,
    NodeExplanation,
    PluginScore,
    ScheduleResult,
    fit_error_message,
)
from kubekit.scheduler.rng import PyRng
from kubekit.scheduler.slots import SlotTable

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Node, Pod
    from kubekit.scheduler.config import Profile

log = logging.getLogger(__name__)

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
MIN_RUN_FOR_INDEX = 4  # replicas in a row before a template gets an incremental index
_UNSET: Any = object()


def num_feasible_nodes_to_find(percentage: int | None, num_all_nodes: int) -> int:
    """``numFeasibleNodesToFind``; ``None`` means every node (kubekit's
    default), 0 kube-scheduler's adaptive default."""
    if percentage is None or num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    n = num_all_nodes * percentage // 100
    return max(n, MIN_FEASIBLE_NODES_TO_FIND)


def pod_key(pod: "Pod") -> str:
    return f"{pod.namespace}/{pod.name}"


class _ProfileRuntime:
    """A profile with its plan and the user plugins at each extension point."""

    __slots__ = ("profile", "plan", "user", "has_user")

    def __init__(self, profile: "Profile", user_plugins: Mapping[str, object]) -> None:
        self.profile = profile
        self.plan = Plan.from_profile(profile)
        self.user: dict[str, list] = {point: [] for point in EXTENSION_POINTS}
        points = {
            "preFilter": profile.pre_filter,
            "filter": profile.filter,
            "preScore": profile.pre_score,
            "score": tuple(n for n, _ in profile.score),
            "reserve": profile.reserve,
            "bind": profile.bind,
        }
        weights = dict(profile.score)
        for point, names in points.items():
            for name in names:
                plugin = user_plugins.get(name)
                if plugin is None:
                    continue
                if not isinstance(plugin, EXTENSION_POINTS[point]):
                    continue
                self.user[point].append((plugin, weights.get(name, 1)) if point == "score" else plugin)
        self.has_user = any(self.user.values())


class Scheduler:
    """Places pods on nodes exactly as kube-scheduler's default plugins do.

    >>> s = Scheduler(nodes=[Node.simple("n1", cpu="4", memory="32Gi")])
    >>> s.schedule(Pod.simple("p", cpu="100m", memory="500Mi")).node
    'n1'
    """

    def __init__(
        self,
        config: Mapping | str | SchedulerConfig | None = None,
        *,
        nodes: Iterable["Node"] = (),
        seed: int = 0,
        engine: str = "fast",
        plugins: Mapping[str, object] | None = None,
        percentage_of_nodes_to_score: int | None = _UNSET,
    ) -> None:
        self.user_plugins = dict(plugins or {})
        for name, plugin in self.user_plugins.items():
            if getattr(plugin, "name", name) != name:
                raise SchedulerError(f"plugin registered as {name!r} calls itself {plugin.name!r}")
        if isinstance(config, SchedulerConfig):
            self.config = config
        else:
            self.config = load_config(config, extra_plugins=self.user_plugins.keys())
        self._profiles = {p.scheduler_name: _ProfileRuntime(p, self.user_plugins) for p in self.config.profiles}
        if engine == "fast":
            self.engine: FastEngine | TwinEngine = FastEngine()
            self._rng: Any = _sched.Rng(seed)
        elif engine == "twin":
            self.engine = TwinEngine()
            self._rng = PyRng(seed)
        else:
            raise SchedulerError(f"unknown engine {engine!r}: expected 'fast' or 'twin'")
        self.seed = seed
        self._pct_override = percentage_of_nodes_to_score
        self._slots = SlotTable()
        self._keep_nodes = engine == "twin" or any(p.has_user for p in self._profiles.values())
        self._nodes: dict[str, "Node"] = {}
        self._bound: dict[str, tuple[int, "Pod", str]] = {}
        self._on_slot: dict[int, set[str]] = {}
        self._next_start: dict[str, int] = {}
        self._warned: set[str] = set()
        for node in nodes:
            self.add_node(node)

    # -- cluster state ---------------------------------------------------------------
    @property
    def node_names(self) -> list[str]:
        return [n for n in self._slots.names if n is not None]

    def __len__(self) -> int:
        return len(self._slots)

    def add_node(self, node: "Node") -> None:
        slot = self._slots.add(node.name)
        self.engine.write_node(slot, node)
        if self._keep_nodes:
            self._nodes[node.name] = node

    def update_node(self, node: "Node") -> None:
        slot = self._slots.get(node.name)
        self.engine.write_node(slot, node)
        if self._keep_nodes:
            self._nodes[node.name] = node

    def remove_node(self, name: str) -> list[str]:
        """Remove a node; returns the keys of the pods that were on it (they
        are forgotten)."""
        slot = self._slots.remove(name)
        self.engine.remove_node(slot)
        self._nodes.pop(name, None)
        gone = sorted(self._on_slot.pop(slot, set()))
        for key in gone:
            del self._bound[key]
        return gone

    def assume(self, pod: "Pod", node_name: str) -> None:
        """Account ``pod`` on ``node_name`` (kube-scheduler's assume)."""
        key = pod_key(pod)
        if key in self._bound:
            raise SchedulerError(f"pod {key} is already bound to {self._slots.names[self._bound[key][0]]}")
        slot = self._slots.get(node_name)
        rt = self._runtime(pod)
        prof = rt.profile.scheduler_name if rt else self.config.profiles[0].scheduler_name
        plan = rt.plan if rt else self._profiles[prof].plan
        self.engine.bind(prof, plan, pod, slot, 1)
        self._bound[key] = (slot, pod, prof)
        self._on_slot.setdefault(slot, set()).add(key)

    bind = assume

    def forget(self, pod: "Pod") -> str:
        """Remove ``pod``'s requests from its node; returns the node name."""
        key = pod_key(pod)
        try:
            slot, bound_pod, prof = self._bound.pop(key)
        except KeyError:
            raise SchedulerError(f"pod {key} is not bound") from None
        self.engine.bind(prof, self._profiles[prof].plan, bound_pod, slot, -1)
        self._on_slot[slot].discard(key)
        return self._slots.names[slot]

    def node_of(self, pod: "Pod | str") -> str | None:
        key = pod if isinstance(pod, str) else pod_key(pod)
        b = self._bound.get(key)
        return None if b is None else self._slots.names[b[0]]

    def node_info(self, name: str) -> NodeInfo:
        slot = self._slots.get(name)
        node = self._nodes.get(name)
        if node is None:
            raise SchedulerError("node objects are kept only by the twin engine or with user plugins")
        return self.engine.node_info(slot, node)

    def state_bytes(self) -> int:
        """Bytes held per the cluster state: packed arrays, plus an estimate of
        the name tables (see bench/report.py for the measured figure)."""
        return self.engine.state_bytes()

    # -- scheduling ------------------------------------------------------------------------
    def _runtime(self, pod: "Pod") -> _ProfileRuntime | None:
        return self._profiles.get(pod.scheduler_name)

    def _percentage(self, profile: "Profile") -> int | None:
        if self._pct_override is not _UNSET:
            return self._pct_override
        if profile.percentage_of_nodes_to_score is not None:
            return profile.percentage_of_nodes_to_score
        # The v1 default of the global value is 0 (adaptive); kubekit's default
        # is every node, so only a positive global value limits the search.
        # Pass percentage_of_nodes_to_score=0 for kube-scheduler's adaptive rule.
        pct = self.config.percentage_of_nodes_to_score
        return pct if pct else None

    def _warn_unsupported(self, pod: "Pod", rt: _ProfileRuntime) -> None:
        """Log once per feature the pod uses that this scheduler ignores
        (``Pod.unsupported``).  ``volumes.persistentVolumeClaim`` is not one of
        them: this Scheduler facade alone does not check claims either, but the
        scheduling loop (``kubekit.cluster.volumebinding``) does before it asks
        the scheduler, so a warning would be misleading."""
        for feature in getattr(pod, "unsupported", ()):
            if feature not in self._warned:
                self._warned.add(feature)
                log.warning("pod %s uses %s, which kubekit's scheduler does not implement; it is ignored", pod_key(pod), feature)

    def _evaluate(self, rt: _ProfileRuntime, pod: "Pod", use_limit: bool = True):
        prof = rt.profile
        n = len(self._slots)
        limit = -1
        start = 0
        if use_limit:
            pct = self._percentage(prof)
            want = num_feasible_nodes_to_find(pct, n)
            if want < n:
                limit = want
                start = self._next_start.get(prof.scheduler_name, 0)
        if isinstance(self.engine, FastEngine):
            ev = self.engine.evaluate(prof.scheduler_name, rt.plan, pod, start, limit)
        else:
            ev = self.engine.evaluate_profile(prof, pod, start, limit)
        if limit >= 0:
            self._next_start[prof.scheduler_name] = ev.next_start
        if rt.has_user:
            ev = _UserPluginEvaluation(self, rt, pod, ev)
        return ev

    def _prefilter(self, rt: _ProfileRuntime, pod: "Pod") -> tuple[frozenset[str] | None, bool]:
        if "NodeAffinity" not in rt.profile.pre_filter:
            return None, False
        return prefilter_node_names(pod)

    def _unschedulable(self, pod: "Pod", ev, rt: _ProfileRuntime) -> ScheduleResult:
        n_all = len(self._slots)
        names, conflict = self._prefilter(rt, pod)
        if conflict:
            return ScheduleResult(pod_key(pod), None, None, 0, 0, fit_error_message(n_all, {}, REASON_CONFLICT), {REASON_CONFLICT: n_all})
        if getattr(ev, "pre_filter_status", None) is not None:
            msg = ", ".join(ev.pre_filter_status.reasons)
            return ScheduleResult(pod_key(pod), None, None, 0, 0, fit_error_message(n_all, {}, msg), {msg: n_all})
        if names is None:
            reasons = dict(ev.reason_counts())
        else:
            # Nodes outside NodeAffinity's PreFilterResult are never filtered:
            # they count under the PreFilter's reason.
            reasons = {}
            explicit = [n for n in names if n in self._slots]
            for name in explicit:
                e = ev.explain_node(self._slots.get(name), name)
                for r in e.reasons if e is not None else ():
                    reasons[r] = reasons.get(r, 0) + 1
            if n_all > len(explicit):
                reasons[REASON_PREFILTER_ABSENT] = n_all - len(explicit)
        return ScheduleResult(pod_key(pod), None, None, 0, ev.n_examined, fit_error_message(n_all, reasons), reasons)

    def schedule(self, pod: "Pod") -> ScheduleResult:
        """Choose a node for ``pod`` without changing the cluster state."""
        rt = self._runtime(pod)
        if rt is None:
            return ScheduleResult(pod_key(pod), None, message=f"no profile for schedulerName {pod.scheduler_name!r}")
        self._warn_unsupported(pod, rt)
        if len(self._slots) == 0:
            return ScheduleResult(pod_key(pod), None, message=NO_NODES_AVAILABLE)
        if self._fast_runs_ok(rt):
            # A template asked about again (replicas scheduled one by one, as
            # an embedding caller does) is answered from its replica index:
            # the same choice as a full scan, in O(log N) after each bind.
            key = template_key(pod)
            prof = rt.profile.scheduler_name
            if self.engine.has_index(prof, key) or self.engine.seen(prof, key) >= 2:
                slot, best, nfeas = self.engine.select(prof, rt.plan, pod, self._rng, key)
                if slot >= 0:
                    return ScheduleResult(pod_key(pod), self._slots.names[slot], best, nfeas, len(self._slots))
        ev = self._evaluate(rt, pod)
        slot = ev.choose(self._rng)
        if slot < 0:
            return self._unschedulable(pod, ev, rt)
        return ScheduleResult(pod_key(pod), self._slots.names[slot], int(ev.best), ev.n_feasible, ev.n_examined)

    def _fast_runs_ok(self, rt: _ProfileRuntime) -> bool:
        if not isinstance(self.engine, FastEngine) or rt.has_user:
            return False
        pct = self._percentage(rt.profile)
        return num_feasible_nodes_to_find(pct, len(self._slots)) >= len(self._slots)

    def schedule_batch(self, pods: Sequence["Pod"]) -> BatchResult:
        """Schedule a queue in priority order (PrioritySort: higher priority
        first, then queue order), binding each placement before the next pod."""
        keys = [pod_key(p) for p in pods]
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise SchedulerError(f"pod {dup} appears more than once in the batch")
        bound = next((k for k in keys if k in self._bound), None)
        if bound is not None:
            raise SchedulerError(f"pod {bound} is already bound to {self.node_of(bound)}")
        order = sorted(range(len(pods)), key=lambda i: -pods[i].priority)
        results: list[ScheduleResult | None] = [None] * len(pods)
        tkeys: list = [None] * len(pods)  # template keys, each computed once
        i = 0
        while i < len(order):
            pod = pods[order[i]]
            rt = self._runtime(pod)
            if rt is None or len(self._slots) == 0 or not self._fast_runs_ok(rt):
                results[order[i]] = self._schedule_and_bind(pod, rt)
                i += 1
                continue
            self._warn_unsupported(pod, rt)
            key = tkeys[order[i]]
            if key is None:
                key = template_key(pod)
            j = i + 1
            while j < len(order):
                q = pods[order[j]]
                if q.scheduler_name != pod.scheduler_name:
                    break
                qk = tkeys[order[j]] = template_key(q)
                if qk != key:
                    break
                j += 1
            if j - i < MIN_RUN_FOR_INDEX and not self.engine.has_index(rt.profile.scheduler_name, key):
                # A short run of a template not seen before: one scan per pod
                # is cheaper than building the template's index.
                for k in range(i, j):
                    results[order[k]] = self._place_one(rt, pods[order[k]], key)
            else:
                self._place_run(rt, [pods[k] for k in order[i:j]], [order[k] for k in range(i, j)], key, results)
            i = j
        return BatchResult(tuple(results))  # type: ignore[arg-type]

    def _place_one(self, rt: _ProfileRuntime, pod: "Pod", key: tuple) -> ScheduleResult:
        k = pod_key(pod)
        prof = rt.profile.scheduler_name
        slot, r = self.engine.place_one(prof, rt.plan, pod, self._rng, key)
        if slot < 0:
            return self._unschedulable(pod, self.engine.evaluation(prof, rt.plan, pod, r, key), rt)
        self._bound[k] = (slot, pod, prof)
        self._on_slot.setdefault(slot, set()).add(k)
        return ScheduleResult(k, self._slots.names[slot], r[3], r[0], r[1])

    def _place_run(self, rt: _ProfileRuntime, run: list["Pod"], idxs: list[int], key: tuple, results: list) -> None:
        prof = rt.profile.scheduler_name
        slots, totals, feasible = self.engine.place_run(prof, rt.plan, run[0], len(run), self._rng, key)
        names = self._slots.names
        n_live = len(self._slots)
        failed: ScheduleResult | None = None
        for pod, slot, total, nfeas, i in zip(run, slots.tolist(), totals.tolist(), feasible.tolist(), idxs):
            k = pod_key(pod)
            if slot >= 0:
                self._bound[k] = (slot, pod, prof)
                self._on_slot.setdefault(slot, set()).add(k)
                results[i] = ScheduleResult(k, names[slot], total, nfeas, n_live)
            else:
                if failed is None:
                    failed = self._unschedulable(pod, self._evaluate(rt, pod, use_limit=False), rt)
                results[i] = ScheduleResult(k, None, None, 0, failed.evaluated_nodes, failed.message, failed.reasons)

    def _schedule_and_bind(self, pod: "Pod", rt: _ProfileRuntime | None) -> ScheduleResult:
        res = self.schedule(pod)
        if res.node is None or rt is None:
            return res
        state = CycleState()
        for i, plugin in enumerate(rt.user["reserve"]):
            st = plugin.reserve(state, pod, res.node)
            if not st.ok:
                for done in reversed(rt.user["reserve"][: i + 1]):
                    done.unreserve(state, pod, res.node)
                return ScheduleResult(res.pod, None, message=f"running Reserve plugin {plugin.name!r}: {st}")
        self.assume(pod, res.node)
        for plugin in rt.user["bind"]:
            st = plugin.bind(state, pod, res.node)
            if st.code == Code.SKIP:
                continue
            if not st.ok:
                self.forget(pod)
                for done in reversed(rt.user["reserve"]):
                    done.unreserve(state, pod, res.node)
                return ScheduleResult(res.pod, None, message=f"running Bind plugin {plugin.name!r}: {st}")
            break
        return res

    def explain(self, pod: "Pod") -> Explanation:
        """Every node's filter status and scores for ``pod``, and the node
        :meth:`schedule` would choose now (the generator is not advanced)."""
        rt = self._runtime(pod)
        if rt is None:
            return Explanation(pod_key(pod), None, f"no profile for schedulerName {pod.scheduler_name!r}", ())
        if len(self._slots) == 0:
            return Explanation(pod_key(pod), None, NO_NODES_AVAILABLE, ())
        saved_start = dict(self._next_start)
        ev = self._evaluate(rt, pod)
        self._next_start = saved_start
        rng = type(self._rng)(0)
        rng.state = self._rng.state
        slot = ev.choose(rng)
        names = self._slots.names
        nodes = []
        for s, name in enumerate(names):
            if name is None:
                continue
            e = ev.explain_node(s, name)
            if e is not None:
                nodes.append(e)
        msg = "" if slot >= 0 else self._unschedulable(pod, ev, rt).message
        pf_names, conflict = self._prefilter(rt, pod)
        if conflict or pf_names is not None:
            reason = REASON_CONFLICT if conflict else REASON_PREFILTER_ABSENT
            nodes = [
                NodeExplanation(e.node, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (reason,), "NodeAffinity", {}, None)
                if conflict or e.node not in pf_names else e
                for e in nodes
            ]
        skipped = tuple(n for n, _ in rt.profile.score if n in BUILTIN_SCORES and not any(n in e.scores for e in nodes if e.feasible))
        return Explanation(
            pod_key(pod), names[slot] if slot >= 0 else None, msg, tuple(nodes),
            skipped if any(e.feasible for e in nodes) else (), tuple(getattr(pod, "unsupported", ())),
        )


class _UserPluginEvaluation:
    """Runs the user's Python plugins over the nodes the built-in kernels
    passed: Filter (in profile order), then PreScore/Score/NormalizeScore,
    adding weight × score to the built-in total."""

    def __init__(self, sched: Scheduler, rt: _ProfileRuntime, pod: "Pod", base) -> None:
        self.base = base
        self.n_examined = base.n_examined
        self.next_start = base.next_start
        self.pre_filter_status: Status | None = None
        names = sched._slots.names
        state = CycleState()
        infos = {s: sched.engine.node_info(s, sched._nodes[names[s]]) for s in base.feasible_slots()}
        for plugin in rt.user["preFilter"]:
            st = plugin.pre_filter(state, pod, list(infos.values()))
            if st.is_rejected or st.code == Code.ERROR:
                self.pre_filter_status = st
                infos = {}
                break
        self.user_status: dict[int, Status] = {}
        for s, info in list(infos.items()):
            for plugin in rt.user["filter"]:
                st = plugin.filter(state, pod, info)
                if not st.ok:
                    self.user_status[s] = Status(st.code, st.reasons, plugin.name)
                    del infos[s]
                    break
        self.feasible = sorted(infos)
        base_totals = base.totals()
        self._totals = {s: base_totals[s] for s in self.feasible}
        self.user_scores: dict[int, dict[str, PluginScore]] = {s: {} for s in self.feasible}
        nodes = [infos[s] for s in self.feasible]
        skipped = set()
        for plugin in rt.user["preScore"]:
            if plugin.pre_score(state, pod, nodes).code == Code.SKIP:
                skipped.add(plugin.name)
        for plugin, weight in rt.user["score"]:
            if plugin.name in skipped:
                continue
            raw = {names[s]: plugin.score(state, pod, infos[s])[0] for s in self.feasible}
            norm = dict(raw)
            if hasattr(plugin, "normalize_score"):
                plugin.normalize_score(state, pod, norm)
            for s in self.feasible:
                sc = norm[names[s]]
                if not 0 <= sc <= 100:
                    raise SchedulerError(f"plugin {plugin.name!r} returned score {sc} for {names[s]}: expected 0..100")
                self.user_scores[s][plugin.name] = PluginScore(raw[names[s]], sc, weight)
                self._totals[s] += sc * weight
        self.n_feasible = len(self.feasible)
        self.best = max(self._totals.values(), default=-1)
        self.n_best = sum(1 for t in self._totals.values() if t == self.best)

    def feasible_slots(self):
        return self.feasible

    def totals(self):
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
        return -1

    def reason_counts(self):
        c = self.base.reason_counts()
        for st in self.user_status.values():
            for r in st.reasons:
                c[r] += 1
        return c

    def explain_node(self, slot: int, name: str):
        e = self.base.explain_node(slot, name)
        if e is None or not e.feasible:
            return e
        st = self.user_status.get(slot)
        if st is not None:
            return NodeExplanation(name, st.code, st.reasons, st.plugin, {}, None)
        if slot not in self._totals:
            return NodeExplanation(name, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, (), "PreFilter", {}, None)
        scores = dict(e.scores)
        scores.update(self.user_scores[slot])
        return NodeExplanation(name, Code.SUCCESS, (), "", scores, self._totals[slot])
