"""The Cython engine: packed arrays, compiled pods, incremental indexes."""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from kubekit._fast import _sched
from kubekit.scheduler.compile import compile_constraints, register_resources, template_key, with_requests
from kubekit.scheduler.framework import Code, NodeInfo
from kubekit.scheduler.packed import PackedCluster
from kubekit.scheduler.plugins.node_affinity import REASON_ENFORCED as AFFINITY_ENFORCED_REASON
from kubekit.scheduler.plugins.node_affinity import REASON_POD as AFFINITY_REASON
from kubekit.scheduler.plugins.node_name import REASON as NODE_NAME_REASON
from kubekit.scheduler.plugins.node_unschedulable import REASON as UNSCHEDULABLE_REASON
from kubekit.scheduler.plugins.taint_toleration import untolerated_reason
from kubekit.scheduler.results import NodeExplanation, PluginScore

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Node, Pod
    from kubekit.scheduler.plan import Plan

ST_NAMES = {
    _sched.STATUS_UNSCHEDULABLE: "NodeUnschedulable",
    _sched.STATUS_NODE_NAME: "NodeName",
    _sched.STATUS_TAINT: "TaintToleration",
    _sched.STATUS_AFFINITY: "NodeAffinity",
    _sched.STATUS_FIT: "NodeResourcesFit",
}
_FIXED_REASONS = {
    _sched.STATUS_UNSCHEDULABLE: UNSCHEDULABLE_REASON,
    _sched.STATUS_NODE_NAME: NODE_NAME_REASON,
    _sched.STATUS_AFFINITY: AFFINITY_REASON,
}
TOO_MANY_PODS = np.uint64(1 << _sched.TOO_MANY_PODS_BIT)


class FastEvaluation:
    """One pod filtered and scored over every node by :func:`_sched.place`
    (the scan of :func:`_sched.scan`), or the result of such a scan."""

    __slots__ = ("engine", "fp", "plan", "pod", "buffers", "status", "fitbits", "detail", "scores",
                 "n_feasible", "n_examined", "next_start", "best", "n_best")

    def __init__(self, engine: "FastEngine", fp: _sched.FastPod, plan: "Plan", pod: "Pod", start: int = 0,
                 limit: int = -1, result: tuple | None = None) -> None:
        self.engine = engine
        self.fp = fp
        self.plan = plan
        self.pod = pod
        # Output buffers are the engine's, reused by the next evaluation.
        buf = self.buffers = engine.scan_buffers()
        self.status, self.fitbits, self.detail, self.scores = buf.status, buf.fitbits, buf.detail, buf.scores
        if result is None:
            result = _sched.place(engine.packed.fast(), fp, buf, None, start, limit, engine.n_used,
                                  limit < 0 and engine.use_table(fp))
        self.n_feasible, self.n_examined, self.next_start, self.best, self.n_best = result[:5]

    def feasible_slots(self) -> np.ndarray:
        return np.flatnonzero(self.status == _sched.STATUS_FEASIBLE)

    def totals(self) -> dict[int, int]:
        return {int(s): int(self.scores[s, 6]) for s in self.feasible_slots()}

    def choose(self, rng: _sched.Rng) -> int:
        if self.n_best == 0:
            return -1
        k = rng.below(self.n_best) if self.n_best > 1 else 0
        return self.buffers.pick(self.best, k)

    def _fit_reasons(self, bits: int) -> list[str]:
        """fitsRequest's order: pods, cpu, memory, ephemeral-storage, then the
        scalar resources (a Go map in kube-scheduler; sorted here)."""
        out = ["Too many pods"] if bits & (1 << _sched.TOO_MANY_PODS_BIT) else []
        cols = self.engine.packed.res_col
        basic = list(PackedCluster.BASE_RESOURCES)
        for r in basic + sorted(r for r in cols if r not in basic):
            if bits & (1 << cols[r]):
                out.append(f"Insufficient {r}")
        return out

    def reason_counts(self) -> Counter:
        self.buffers.complete()
        c: Counter = Counter()
        st = self.status
        for code, reason in _FIXED_REASONS.items():
            k = int(np.count_nonzero(st == code))
            if code == _sched.STATUS_AFFINITY and k:
                enforced = int(np.count_nonzero((st == code) & (self.detail == 1)))
                if enforced:
                    c[AFFINITY_ENFORCED_REASON] += enforced
                k -= enforced
            if k:
                c[reason] += k
        tids = self.detail[st == _sched.STATUS_TAINT]
        if tids.size:
            taints = self.engine.packed.taints_by_id
            for tid, k in zip(*np.unique(tids, return_counts=True)):
                key, value, _ = taints[tid]
                c[untolerated_reason(key, value)] += int(k)
        fb = self.fitbits[st == _sched.STATUS_FIT]
        if fb.size:
            k = int(np.count_nonzero(fb & TOO_MANY_PODS))
            if k:
                c["Too many pods"] += k
            for r, col in self.engine.packed.res_col.items():
                k = int(np.count_nonzero(fb & np.uint64(1 << col)))
                if k:
                    c[f"Insufficient {r}"] += k
        return c

    def explain_node(self, slot: int, name: str) -> NodeExplanation | None:
        self.buffers.complete()
        st = int(self.status[slot])
        if st == _sched.STATUS_DEAD:
            return None
        if st != _sched.STATUS_FEASIBLE:
            plugin = ST_NAMES[st]
            code = Code.UNSCHEDULABLE_AND_UNRESOLVABLE
            if st == _sched.STATUS_TAINT:
                key, value, _ = self.engine.packed.taints_by_id[int(self.detail[slot])]
                reasons = [untolerated_reason(key, value)]
            elif st == _sched.STATUS_FIT:
                bits = int(self.fitbits[slot])
                reasons = self._fit_reasons(bits)
                alloc = self.engine.packed.alloc[slot]
                cols = self.engine.packed.res_col
                unresolvable = any(
                    q > alloc[cols[r]] for r, q in self.pod.requests.items() if r in cols and bits & (1 << cols[r])
                )
                code = Code.UNSCHEDULABLE_AND_UNRESOLVABLE if unresolvable else Code.UNSCHEDULABLE
            elif st == _sched.STATUS_AFFINITY and self.detail[slot] == 1:
                reasons = [AFFINITY_ENFORCED_REASON]
            else:
                reasons = [_FIXED_REASONS[st]]
            return NodeExplanation(name, code, tuple(reasons), plugin, {}, None)
        s = self.scores[slot]
        p = self.plan
        scores = {}
        if p.w_fit:
            scores["NodeResourcesFit"] = PluginScore(int(s[0]), int(s[0]), p.w_fit)
        if self.fp.scores_balanced:
            scores["NodeResourcesBalancedAllocation"] = PluginScore(int(s[1]), int(s[1]), p.w_ba)
        if p.w_taint:
            scores["TaintToleration"] = PluginScore(int(s[2]), int(s[4]), p.w_taint)
        if self.fp.scores_affinity:
            scores["NodeAffinity"] = PluginScore(int(s[3]), int(s[5]), p.w_aff)
        return NodeExplanation(name, Code.SUCCESS, (), "", scores, int(s[6]))


class FastEngine:
    """Cluster state as packed arrays; pods compiled once per template."""

    name = "fast"

    def __init__(self, max_templates: int = 16, max_compiled: int = 512, max_tables: int = 16) -> None:
        self.packed = PackedCluster()
        self._compiled: OrderedDict = OrderedDict()
        self._indexes: OrderedDict = OrderedDict()
        self.max_templates = max_templates
        self.max_compiled = max_compiled
        self._buffers: _sched.ScanBuffers | None = None
        self._seen: dict = {}
        self._evicted: set = set()
        self._bases: OrderedDict = OrderedDict()
        self.n_used = 0  # slots ever used (the scan's wrap-around bound)
        self.max_tables = max_tables
        self._tables: OrderedDict = OrderedDict()  # id(base pod) -> base pod holding a constraint table

    def scan_buffers(self) -> _sched.ScanBuffers:
        n = self.packed.capacity
        b = self._buffers
        if b is None or b.size != n:
            b = self._buffers = _sched.ScanBuffers(n)
        return b

    def use_table(self, fp: _sched.FastPod) -> bool:
        """Whether a full scan of ``fp`` reads its constraints from a table
        (``_sched.build_constraints``): from the second scan of pods sharing
        its constraints on, for at most ``max_tables`` constraint sets."""
        if not fp.fast_path:
            return False
        b = fp.base
        b.scans += 1
        if b.scans < 2:
            return False
        t = self._tables
        k = id(b)
        if t.get(k) is b:
            t.move_to_end(k)
            return True
        t[k] = b
        if len(t) > self.max_tables:
            _, old = t.popitem(last=False)
            old.drop_constraint_table()
        return True

    # -- cluster ------------------------------------------------------------------
    def write_node(self, slot: int, node: "Node") -> None:
        self.packed.write_node(slot, node)
        self.n_used = max(self.n_used, slot + 1)

    def remove_node(self, slot: int) -> None:
        self.packed.clear_slot(slot)

    def node_info(self, slot: int, node: "Node") -> NodeInfo:
        p = self.packed
        requested = {r: int(p.used[slot, c]) for r, c in p.res_col.items() if p.used[slot, c]}
        return NodeInfo(node, requested, int(p.nzu[slot, 0]), int(p.nzu[slot, 1]), int(p.npods[slot]))

    # -- pods ---------------------------------------------------------------------
    def compiled(self, profile_name: str, plan: "Plan", pod: "Pod", key: tuple | None = None) -> tuple[tuple, _sched.FastPod]:
        key = (profile_name, template_key(pod) if key is None else key)
        p = self.packed
        hit = self._compiled.get(key)
        if hit is not None and hit[0] == p.layout and hit[1] == p.taint_version:
            # (the template's resources were registered when it was compiled,
            # and columns are never removed)
            self._compiled.move_to_end(key)
            return key, hit[2]
        register_resources(p, pod)
        # Pods that differ only in their requests share the compiled
        # constraints (nodeName, selector, affinity, tolerations).
        skey = (profile_name, key[1][3:])
        base = self._bases.get(skey)
        if base is None or base[0] != p.layout or base[1] != p.taint_version:
            base = (p.layout, p.taint_version, compile_constraints(p, plan, pod))
            self._bases[skey] = base
            if len(self._bases) > self.max_compiled:
                self._bases.popitem(last=False)
        fp = with_requests(base[2], p, plan, pod)
        self._compiled[key] = (p.layout, p.taint_version, fp)
        if len(self._compiled) > self.max_compiled:
            self._compiled.popitem(last=False)
        return key, fp

    def bind(self, profile_name: str, plan: "Plan", pod: "Pod", slot: int, sign: int = 1) -> None:
        _, fp = self.compiled(profile_name, plan, pod)
        _sched.bind(self.packed.fast(), fp, slot, sign)
        self.packed.log(slot)

    def evaluate(self, profile_name: str, plan: "Plan", pod: "Pod", start: int = 0, limit: int = -1,
                 key: tuple | None = None) -> FastEvaluation:
        _, fp = self.compiled(profile_name, plan, pod, key)
        return FastEvaluation(self, fp, plan, pod, start, limit)

    def place_one(self, profile_name: str, plan: "Plan", pod: "Pod", rng: _sched.Rng, key: tuple) -> tuple[int, tuple]:
        """Scan, choose and bind one pod; returns (slot or -1, the scan's
        result: ``(n_feasible, n_examined, next_start, best, n_best, slot)``,
        see :meth:`evaluation`)."""
        _, fp = self.compiled(profile_name, plan, pod, key)
        p = self.packed
        buf = self.scan_buffers()
        r = _sched.place(p.fast(), fp, buf, rng, 0, -1, self.n_used, self.use_table(fp), True)
        slot = r[5]
        if slot >= 0:
            p.log(slot)
        return slot, r

    def evaluation(self, profile_name: str, plan: "Plan", pod: "Pod", result: tuple, key: tuple) -> FastEvaluation:
        """The :class:`FastEvaluation` of the last :meth:`place_one` (its
        ``result``), read from the scan buffers (valid until the next scan)."""
        _, fp = self.compiled(profile_name, plan, pod, key)
        return FastEvaluation(self, fp, plan, pod, result=result)

    def has_index(self, profile_name: str, key: tuple) -> bool:
        return (profile_name, key) in self._indexes

    def seen(self, profile_name: str, key: tuple) -> int:
        """How many times this template has been asked about (capped); 0 for
        a template whose index was evicted (more templates in rotation than
        indexes kept: rebuilding would cost more than scanning)."""
        k = (profile_name, key)
        if k in self._evicted:
            return 0
        n = self._seen.get(k, 0) + 1
        if n <= 2:
            self._seen[k] = n
            if len(self._seen) > 4 * self.max_compiled:
                self._seen.clear()
        return n

    def select(self, profile_name: str, plan: "Plan", pod: "Pod", rng: _sched.Rng, key: tuple) -> tuple[int, int, int]:
        """The node the template's index chooses now (no binding): (slot or -1,
        total, feasible nodes)."""
        key, fp = self.compiled(profile_name, plan, pod, key)
        idx = self.index(key, fp)
        best, _ = idx.best()
        return idx.select(rng), best, idx.n_feasible

    def index(self, key: tuple, fp: _sched.FastPod) -> _sched.TemplateIndex:
        """The template's index, brought up to date with the change log."""
        p = self.packed
        fc = p.fast()
        idx = self._indexes.get(key)
        if idx is None or idx.cluster is not fc or idx.pod is not fp:
            idx = _sched.TemplateIndex(fc, fp)
            idx.seq = p.change_seq
            self._indexes[key] = idx
            if len(self._indexes) > self.max_templates:
                gone, _ = self._indexes.popitem(last=False)
                self._evicted.add(gone)
                if len(self._evicted) > 4 * self.max_compiled:
                    self._evicted.clear()
            return idx
        self._indexes.move_to_end(key)
        changed = p.changes_since(idx.seq)
        if changed is None or len(changed) > fc.n_slots // 2:
            idx.rebuild()
        elif len(changed) == 1:
            idx.update(changed[0])
        elif changed:
            idx.update_many(np.unique(np.asarray(changed, np.int64)))
        idx.seq = p.change_seq
        return idx

    def place_run(self, profile_name: str, plan: "Plan", pod: "Pod", count: int, rng: _sched.Rng,
                  key: tuple | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Place ``count`` replicas of ``pod``'s template; returns the slots
        (``-1`` from the first replica that fits nowhere), the winning totals
        and the feasible-node counts."""
        key, fp = self.compiled(profile_name, plan, pod, key)
        idx = self.index(key, fp)
        out = np.full(count, -1, np.int64)
        totals = np.zeros(count, np.int64)
        feasible = np.zeros(count, np.int64)
        done = idx.place_run(rng, count, out, totals, feasible)
        p = self.packed
        for s in out[:done].tolist():
            p.log(s)
        idx.seq = p.change_seq
        return out, totals, feasible

    def cache_bytes(self) -> int:
        """Bytes held by the replica indexes, the constraint tables and the
        scan buffers (caches)."""
        n = sum(idx.nbytes for idx in self._indexes.values())
        n += sum(b.constraint_table_bytes for b in self._tables.values())
        return n + (self._buffers.nbytes if self._buffers is not None else 0)

    def state_bytes(self) -> int:
        return self.packed.nbytes()

