"""Compile a pod against the packed cluster and a plan into a ``FastPod``.

Everything that depends only on the pod and the cluster's interned tables is
resolved here, once per pod template: request vectors, which taints the pod
tolerates, node affinity as an integer program, and the pod's side of every
score.  The kernel then touches only integers per node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

from kubekit._fast import _sched
from kubekit.api.affinity import NodeSelectorTerm, Taint, parse_go_int64, tolerates_taint
from kubekit.scheduler.packed import PackedCluster
from kubekit.scheduler.plan import STRATEGIES, Plan
from kubekit.scheduler.plugins.node_unschedulable import tolerates_unschedulable
from kubekit.scheduler.resource_names import CPU, EPHEMERAL_STORAGE, MEMORY, is_extended_resource_name, is_scalar_resource_name, is_tracked

if TYPE_CHECKING:  # pragma: no cover
    from kubekit.api import Pod

KEY_NAME = -2
KEY_ABSENT = -1
OPS = {"In": 0, "NotIn": 1, "Exists": 2, "DoesNotExist": 3, "Gt": 4, "Lt": 5}
OP_NEVER = 99  # an expression the API server would reject: it matches nothing
_BASIC = (CPU, MEMORY, EPHEMERAL_STORAGE)


def template_key(pod: "Pod") -> tuple:
    """Pods with equal keys schedule identically (replicas of one template).

    The pod's mappings are hashable frozen maps with cached hashes, so the
    key costs a tuple, not a sort."""
    nz = pod.nonzero_requests
    return (
        pod.requests,
        nz.get(CPU, 0),
        nz.get(MEMORY, 0),
        pod.node_name,
        pod.node_selector,
        pod.affinity,
        pod.tolerations,
    )


def _expr(packed: PackedCluster, key: int, op: str, values: Iterable[str]) -> list[int]:
    values = list(values)
    code = OPS.get(op, OP_NEVER)
    if code in (0, 1):
        return [key, code, len(values)] + [packed.intern_value(v) for v in values]
    if code in (2, 3):
        return [key, code, 0]
    if code in (4, 5):
        n = parse_go_int64(values[0]) if len(values) == 1 else None
        return [key, code, 1, n] if n is not None else [key, OP_NEVER, 0]
    return [key, OP_NEVER, 0]


def _term(packed: PackedCluster, exprs: list[list[int]]) -> list[int]:
    body = [len(exprs)] + [w for e in exprs for w in e]
    return [len(body)] + body


def _selector_term(packed: PackedCluster, term: NodeSelectorTerm) -> list[int]:
    exprs = [
        _expr(packed, packed.key_col.get(r.key, KEY_ABSENT), r.operator, r.values) for r in term.match_expressions
    ]
    for r in term.match_fields:
        if r.key == "metadata.name":
            exprs.append(_expr(packed, KEY_NAME, r.operator, r.values))
        else:
            exprs.append([KEY_ABSENT, OP_NEVER, 0])
    return _term(packed, exprs)


def _program(packed: PackedCluster, plan: Plan, pod: "Pod") -> tuple[np.ndarray, int, int, int, int, int]:
    prog: list[int] = [0]
    sel_off = req_off = pref_off = add_off = -1
    max_aff = 0
    if pod.node_selector:
        sel_off = len(prog)
        prog += _term(packed, [_expr(packed, packed.key_col.get(k, KEY_ABSENT), "In", [v]) for k, v in pod.node_selector.items()])
    aff = pod.affinity
    if aff is not None and aff.required is not None:
        req_off = len(prog)
        prog.append(len(aff.required))
        for t in aff.required:
            prog += _selector_term(packed, t)
    if plan.added_required:
        add_off = len(prog)
        prog.append(len(plan.added_required))
        for t in plan.added_required:
            prog += _selector_term(packed, t)
    preferred = preferred_terms(plan, pod)
    if preferred:
        pref_off = len(prog)
        prog.append(len(preferred))
        for p in preferred:
            prog.append(p.weight)
            prog += _selector_term(packed, p.preference)
            max_aff += p.weight
    return np.asarray(prog, np.int64), sel_off, req_off, pref_off, add_off, max_aff


def preferred_terms(plan: Plan, pod: "Pod") -> tuple:
    """The pod's preferred node-affinity terms plus the profile's added ones."""
    own = pod.affinity.preferred if pod.affinity is not None else ()
    return tuple(own) + tuple(plan.added_preferred)


def _taint_bits(packed: PackedCluster, pod: "Pod") -> np.ndarray:
    bits = np.zeros(max(1, len(packed.taints_by_id)), np.uint8)
    prefer_tols = [t for t in pod.tolerations if t.effect in ("", "PreferNoSchedule")]
    for tid, (key, value, effect) in enumerate(packed.taints_by_id):
        taint = Taint(key=key, value=value, effect=effect)
        if effect in ("NoSchedule", "NoExecute") and not any(tolerates_taint(t, taint) for t in pod.tolerations):
            bits[tid] |= 1
        if effect == "PreferNoSchedule" and not any(tolerates_taint(t, taint) for t in prefer_tols):
            bits[tid] |= 2
    return bits


def register_resources(packed: PackedCluster, pod: "Pod") -> None:
    cols = packed.res_col
    for r in pod.requests:
        if r not in cols and is_tracked(r):
            packed.resource_col(r)


def score_columns(packed: PackedCluster, plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per scoring resource of the profile (NodeResourcesFit's, then
    BalancedAllocation's): its column (-1 when the scheduler does not track
    it, or no node has it) and whether it is a scalar resource."""

    def side(names: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        names = list(names)
        cols = [packed.res_col.get(r, -1) if (r in _BASIC or is_scalar_resource_name(r)) else -1 for r in names]
        return np.asarray(cols, np.int32), np.asarray([is_scalar_resource_name(r) for r in names], np.uint8)

    return (*side(r for r, _ in plan.fit_resources), *side(plan.ba_resources))


def compile_constraints(packed: PackedCluster, plan: Plan, pod: "Pod") -> _sched.FastPod:
    """The request-independent part of a compiled pod (nodeName, tolerations,
    node affinity, the profile); :func:`with_requests` completes it.  Call
    :func:`register_resources` first so that the layout is final."""
    n_res = len(packed.res_col)
    check = np.ones(n_res, np.uint8)
    # Which columns the fit filter skips depends on the profile only.
    for r, c in packed.res_col.items():
        if is_extended_resource_name(r) and (r in plan.ignored or r.split("/")[0] in plan.ignored_groups):
            check[c] = 0
    columns = score_columns(packed, plan)
    fit_col, _, ba_col, _ = columns
    prog, sel_off, req_off, pref_off, add_off, max_aff = _program(packed, plan, pod)
    fp = _sched.FastPod(
        req=np.zeros(n_res, np.int64), check=check, nz_cpu=0, nz_mem=0,
        unsched_ok=tolerates_unschedulable(pod),
        want_name=packed.intern_value(pod.node_name) if pod.node_name else -1,
        taint_bad=_taint_bits(packed, pod), prog=prog, sel_off=sel_off, req_off=req_off, pref_off=pref_off, add_off=add_off,
        fit_col=fit_col, fit_req=np.zeros(len(fit_col), np.int64),
        fit_w=np.asarray([w for _, w in plan.fit_resources], np.int64),
        ba_col=ba_col, ba_req=np.zeros(len(ba_col), np.int64),
        w_fit=plan.w_fit, w_ba=plan.w_ba, w_taint=plan.w_taint,
        w_aff=plan.w_aff if pref_off >= 0 else 0, filters=plan.filters,
        strategy=STRATEGIES[plan.strategy],
        shape_u=np.asarray([u for u, _ in plan.shape], np.int64),
        shape_s=np.asarray([v for _, v in plan.shape], np.int64), max_aff=max_aff,
    )
    fp.set_score_columns(*columns)
    return fp


def with_requests(base: _sched.FastPod, packed: PackedCluster, plan: Plan, pod: "Pod",
                  columns: tuple[np.ndarray, ...] | None = None) -> _sched.FastPod:
    """``base`` (from :func:`compile_constraints`) with ``pod``'s requests;
    ``columns`` is :func:`score_columns` for the current layout (default:
    the ones ``base`` was compiled with)."""
    cols = packed.res_col
    req = [0] * len(cols)
    requests = pod.requests
    for r, q in requests.items():
        c = cols.get(r)
        if c is not None:
            req[c] = q
    nz = pod.nonzero_requests
    # BalancedAllocation's PreScore skips best-effort pods (kubernetes#129138).
    w_ba = 0
    for r in plan.ba_resources:
        if requests.get(r, 0) != 0:
            w_ba = plan.w_ba
            break
    if columns is None:
        return base.specialize_req(req, nz.get(CPU, 0), nz.get(MEMORY, 0), w_ba)
    return base.specialize(np.asarray(req, np.int64), nz.get(CPU, 0), nz.get(MEMORY, 0), *columns, w_ba)
