# cython: freethreading_compatible = False
"""Scheduling kernels: filter and score every node for one pod, with no Python
call per node, and an incremental index that keeps the best node of a pod
template current as pods are bound.

Semantics are kube-scheduler's (v1.34/v1.35), integer for integer; the
plain-Python twins live in ``kubekit/scheduler/plugins`` and the equivalence
tests compare the two on generated clusters.

Node-affinity program (int64 words, built by ``kubekit/scheduler/compile.py``):
  term      = [body_len, n_expr, expr * n_expr]      (body_len: words after itself)
  expr      = [key, op, n, item * n]                 (key: label column, KEY_NAME or KEY_ABSENT;
                                                      items: value ids, or the integer for Gt/Lt)
  required  = [n_terms, term * n_terms]              (terms ORed)
  preferred = [n_terms, (weight, term) * n_terms]
"""

cimport cython
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, calloc
from libc.string cimport memcpy, memset

from kubekit._fast._libc cimport kk_int128, kk_uint128, sqrt, fabs

import numpy as np

cdef enum:
    MAX_RES = 63
    MAX_BA = 64

# --- public constants (mirrored by kubekit/scheduler/compile.py) -------------
STATUS_FEASIBLE = ST_FEASIBLE
STATUS_UNSCHEDULABLE = ST_UNSCHEDULABLE
STATUS_NODE_NAME = ST_NODE_NAME
STATUS_TAINT = ST_TAINT
STATUS_AFFINITY = ST_AFFINITY
STATUS_FIT = ST_FIT
STATUS_DEAD = ST_DEAD
TOO_MANY_PODS_BIT = 63
MAX_RESOURCES = MAX_RES
MAX_BALANCED_RESOURCES = MAX_BA


# --- deterministic tie-breaking -----------------------------------------------
cdef inline uint64_t rng_next(uint64_t* state) noexcept nogil:
    """splitmix64."""
    state[0] += <uint64_t>0x9E3779B97F4A7C15
    cdef uint64_t z = state[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef inline uint64_t rng_below(uint64_t* state, uint64_t n) noexcept nogil:
    """A number in [0, n): the high word of a 64x64 multiply."""
    return <uint64_t>(((<kk_uint128>rng_next(state)) * n) >> 64)


cdef class Rng:
    """The seeded generator that breaks score ties (twin: ``kubekit.scheduler.rng``)."""
    cdef public uint64_t state

    def __init__(self, uint64_t seed=0):
        self.state = seed

    def next(self):
        return rng_next(&self.state)

    def below(self, uint64_t n):
        return rng_below(&self.state, n)


# --- packed cluster and pod ------------------------------------------------------
cdef uint64_t _next_stamp = 0


cdef inline uint64_t _new_stamp() noexcept:
    global _next_stamp
    _next_stamp += 1
    return _next_stamp


cdef class FastCluster:
    """Pointers into the cluster state's numpy arrays (which it keeps alive).

    ``stamp`` identifies the node rows' constraint data (flags, labels,
    taints, names): it is fresh for every cluster object and after every
    :meth:`touch`, and keys the per-pod constraint tables of :func:`scan`."""
    cdef ClusterC c
    cdef object _keep
    cdef readonly uint64_t stamp

    def __init__(self, int64_t[:, ::1] alloc, const double[:, ::1] inv_alloc, int64_t[:, ::1] used, int64_t[:, ::1] nzu,
                 int64_t[::1] npods, int64_t[::1] maxpods, uint8_t[::1] flags,
                 int32_t[:, ::1] labels, int32_t[:, ::1] taints, int32_t[::1] name_id,
                 uint8_t[::1] val_isint, int64_t[::1] val_int):
        # alloc, inv_alloc, used: [n_res, n_slots]; nzu: [2, n_slots] (one
        # contiguous row per resource, which the vectorized scan reads)
        n = alloc.shape[1]
        if not (used.shape[1] == nzu.shape[1] == npods.shape[0] == maxpods.shape[0] == flags.shape[0]
                == labels.shape[0] == taints.shape[0] == name_id.shape[0] == inv_alloc.shape[1] == n):
            raise ValueError("cluster arrays disagree on the slot count")
        if used.shape[0] != alloc.shape[0] or inv_alloc.shape[0] != alloc.shape[0] \
                or nzu.shape[0] != 2 or alloc.shape[0] > MAX_RES or alloc.shape[0] < 2:
            raise ValueError("bad resource column count")
        if val_isint.shape[0] != val_int.shape[0] or val_int.shape[0] == 0:
            raise ValueError("value tables disagree")
        if labels.shape[1] == 0 or taints.shape[1] == 0 or n == 0:
            raise ValueError("cluster arrays need at least one row and column")
        self._keep = (alloc, inv_alloc, used, nzu, npods, maxpods, flags, labels, taints, name_id, val_isint, val_int)
        self.c.n_slots = n
        self.c.n_res = alloc.shape[0]
        self.c.n_keys = labels.shape[1]
        self.c.n_taint_cols = taints.shape[1]
        self.c.alloc = &alloc[0, 0]
        self.c.inv_alloc = &inv_alloc[0, 0]
        self.c.used = &used[0, 0]
        self.c.nzu = &nzu[0, 0]
        self.c.npods = &npods[0]
        self.c.maxpods = &maxpods[0]
        self.c.flags = &flags[0]
        self.c.labels = &labels[0, 0]
        self.c.taints = &taints[0, 0]
        self.c.name_id = &name_id[0]
        self.c.val_isint = &val_isint[0]
        self.c.val_int = &val_int[0]
        self.stamp = _new_stamp()

    def touch(self):
        """A node row's flags, labels, taints or name changed (not its
        requests): constraint tables built before are stale."""
        self.stamp = _new_stamp()

    @property
    def n_slots(self):
        return self.c.n_slots


cdef class FastPod:
    """A pod compiled against a cluster layout and a profile."""
    cdef PodC p
    cdef object _keep
    cdef void* _own             # request vectors of a specialized pod (malloc'd)
    # The constraint table (see build_constraints), owned by the base pod
    # (the one compile_constraints made) and shared by its specializations.
    cdef FastPod _base
    cdef void* _tbl                # one block: tpl[N] uint8, then cand[M], ctraw[M], caff[M] int32
    cdef uint8_t* _tpl             # per slot: ST_* of the constraint filters (ST_DEAD: empty slot)
    cdef int32_t* _cand            # the slots that pass them, in slot order
    cdef int32_t* _ctraw           # per candidate: untolerated PreferNoSchedule taints
    cdef int32_t* _caff            # per candidate: raw NodeAffinity score (NULL: not scored)
    cdef Py_ssize_t _n_cand, _n_live, _pre_n
    cdef bint _raw_any             # some candidate has a PreferNoSchedule count or a NodeAffinity score
    cdef uint64_t _pre_stamp
    cdef public Py_ssize_t scans   # how often the engine scanned for this base (it builds a table from the second)
    cdef int32_t* _cols            # fit_rcol[n_fit], ba_rcol[n_ba], then fit_scalar, ba_scalar as int32 (specialize_req)
    cdef readonly Py_ssize_t n_taint_ids
    cdef readonly Py_ssize_t n_res
    cdef readonly int64_t max_aff

    def __init__(self, *, int64_t[::1] req, uint8_t[::1] check, int64_t nz_cpu, int64_t nz_mem,
                 bint unsched_ok, int32_t want_name, uint8_t[::1] taint_bad, int64_t[::1] prog,
                 Py_ssize_t sel_off, Py_ssize_t req_off, Py_ssize_t pref_off, Py_ssize_t add_off,
                 int32_t[::1] fit_col, int64_t[::1] fit_req, int64_t[::1] fit_w,
                 int32_t[::1] ba_col, int64_t[::1] ba_req,
                 int64_t w_fit, int64_t w_ba, int64_t w_taint, int64_t w_aff, int filters,
                 int strategy, int64_t[::1] shape_u, int64_t[::1] shape_s, int64_t max_aff):
        if req.shape[0] != check.shape[0] or req.shape[0] > MAX_RES:
            raise ValueError("bad request vector")
        if fit_col.shape[0] != fit_req.shape[0] or fit_col.shape[0] != fit_w.shape[0]:
            raise ValueError("bad scoring resources")
        if ba_col.shape[0] != ba_req.shape[0] or ba_col.shape[0] > MAX_BA:
            raise ValueError("bad balanced-allocation resources")
        if shape_u.shape[0] != shape_s.shape[0] or (strategy == STRAT_RTCR and shape_u.shape[0] == 0):
            raise ValueError("bad shape")
        if prog.shape[0] == 0 or taint_bad.shape[0] == 0:
            raise ValueError("empty program or taint table")
        self._keep = (req, check, taint_bad, prog, fit_col, fit_req, fit_w, ba_col, ba_req, shape_u, shape_s)
        self.n_taint_ids = taint_bad.shape[0]
        self.n_res = req.shape[0]
        self.max_aff = max_aff
        self.p.req = &req[0]
        self.p.check = &check[0]
        self.p.nz_cpu = nz_cpu
        self.p.nz_mem = nz_mem
        self.p.unsched_ok = unsched_ok
        self.p.want_name = want_name
        self.p.taint_bad = &taint_bad[0]
        self.p.prog = &prog[0]
        self.p.sel_off = sel_off
        self.p.req_off = req_off
        self.p.pref_off = pref_off
        self.p.add_off = add_off
        self.p.n_fit = fit_col.shape[0]
        self.p.fit_col = &fit_col[0] if fit_col.shape[0] else NULL
        self.p.fit_req = &fit_req[0] if fit_req.shape[0] else NULL
        self.p.fit_w = &fit_w[0] if fit_w.shape[0] else NULL
        self.p.n_ba = ba_col.shape[0]
        self.p.ba_col = &ba_col[0] if ba_col.shape[0] else NULL
        self.p.ba_req = &ba_req[0] if ba_req.shape[0] else NULL
        self.p.w_fit = w_fit
        self.p.w_ba = w_ba
        self.p.w_taint = w_taint
        self.p.w_aff = w_aff
        self.p.filters = <uint8_t>filters
        self.p.strategy = strategy
        self.p.n_shape = shape_u.shape[0]
        self.p.shape_u = &shape_u[0] if shape_u.shape[0] else NULL
        self.p.shape_s = &shape_s[0] if shape_s.shape[0] else NULL
        self._derive()

    def __cinit__(self):
        self._own = NULL
        self._cols = NULL
        self._tbl = NULL
        self._pre_stamp = 0
        self._pre_n = 0

    def __dealloc__(self):
        free(self._own)
        free(self._cols)
        free(self._tbl)

    @property
    def base(self):
        """The compiled pod whose constraints this one shares (itself for a
        pod made by compile_constraints)."""
        return self if self._base is None else self._base

    @property
    def fast_path(self):
        """Whether :func:`scan` can use the constraint-table kernel for this pod."""
        return bool(self.p.fast_ok)

    @property
    def constraint_table_bytes(self):
        """Bytes held by this pod's constraint table (0 when none)."""
        if self._tbl == NULL:
            return 0
        return self._pre_n + self._n_cand * sizeof(int32_t) * (3 if self._caff != NULL else 2)

    def drop_constraint_table(self):
        """Free the constraint table (it is rebuilt when next needed)."""
        free(self._tbl)
        self._tbl = NULL
        self._pre_n = 0
        self._n_cand = 0
        self._pre_stamp = 0

    def constraint_table(self):
        """(status per slot, candidate slots, their PreferNoSchedule counts,
        their NodeAffinity raw scores or None) as numpy arrays, for tests;
        None when not built."""
        if self._tbl == NULL:
            return None
        m = self._n_cand
        tpl = np.array(<uint8_t[:self._pre_n]>self._tpl, dtype=np.uint8)
        if m == 0:
            return tpl, np.zeros(0, np.int32), np.zeros(0, np.int32), None if self._caff == NULL else np.zeros(0, np.int32)
        return (tpl, np.array(<int32_t[:m]>self._cand, dtype=np.int32), np.array(<int32_t[:m]>self._ctraw, dtype=np.int32),
                None if self._caff == NULL else np.array(<int32_t[:m]>self._caff, dtype=np.int32))

    @property
    def scores_balanced(self):
        """Whether BalancedAllocation scores this pod (PreScore did not skip)."""
        return self.p.w_ba != 0

    @property
    def scores_affinity(self):
        """Whether NodeAffinity scores this pod (it has preferred terms)."""
        return self.p.w_aff != 0

    cdef void _derive(self) noexcept:
        """The fields that follow from the request and scoring vectors."""
        cdef Py_ssize_t i
        self.p.fit_wsum = 0
        for i in range(self.p.n_fit):
            if self.p.fit_col[i] >= 0:
                self.p.fit_wsum += self.p.fit_w[i]
        self.p.fit_inv_wsum = 1.0 / self.p.fit_wsum if self.p.fit_wsum else 0.0
        self.p.n_chk = 0
        for i in range(self.n_res):
            if self.p.req[i] > 0 and self.p.check[i]:
                self.p.chk_cols[self.p.n_chk] = <int32_t>i
                self.p.n_chk += 1
        self.p.fit_cpu_mem = (self.p.strategy != STRAT_RTCR and self.p.n_fit == 2
                              and self.p.fit_col[0] == 0 and self.p.fit_col[1] == 1)
        self.p.ba_cpu_mem = self.p.n_ba == 2 and self.p.ba_col[0] == 0 and self.p.ba_col[1] == 1
        cdef bint ok = True
        self.p.chk_cpu = 0
        self.p.chk_mem = 0
        for i in range(self.p.n_chk):
            if self.p.chk_cols[i] == 0:
                self.p.chk_cpu = 1
            elif self.p.chk_cols[i] == 1:
                self.p.chk_mem = 1
            else:
                ok = False
        self.p.fit_shift = -1
        if self.p.fit_cpu_mem and self.p.fit_w[0] > 0 and self.p.fit_w[1] > 0 and self.p.fit_wsum > 0 \
                and (self.p.fit_wsum & (self.p.fit_wsum - 1)) == 0:
            self.p.fit_shift = 0
            while (<int64_t>1 << self.p.fit_shift) != self.p.fit_wsum:
                self.p.fit_shift += 1
        self.p.fast_ok = (ok and (self.p.w_fit == 0 or (self.p.fit_cpu_mem and self.p.strategy != STRAT_RTCR))
                          and (self.p.w_ba == 0 or self.p.ba_cpu_mem)
                          and self.max_aff < 0x7FFFFFFF)

    def set_score_columns(self, const int32_t[::1] fit_rcol, const uint8_t[::1] fit_scalar,
                          const int32_t[::1] ba_rcol, const uint8_t[::1] ba_scalar):
        """Keep the profile's scoring columns (see :meth:`specialize`) for
        :meth:`specialize_req`."""
        cdef Py_ssize_t nf = self.p.n_fit, nb = self.p.n_ba, i
        if fit_rcol.shape[0] != nf or fit_scalar.shape[0] != nf or ba_rcol.shape[0] != nb or ba_scalar.shape[0] != nb:
            raise ValueError("set_score_columns: vectors do not match the compiled pod")
        free(self._cols)
        self._cols = <int32_t*>malloc((2 * (nf + nb) + 1) * sizeof(int32_t))
        if self._cols == NULL:
            raise MemoryError()
        for i in range(nf):
            self._cols[i] = fit_rcol[i]
            self._cols[nf + nb + i] = fit_scalar[i]
        for i in range(nb):
            self._cols[nf + i] = ba_rcol[i]
            self._cols[2 * nf + nb + i] = ba_scalar[i]

    def specialize_req(self, list req, int64_t nz_cpu, int64_t nz_mem, int64_t w_ba):
        """:meth:`specialize` with the columns given to :meth:`set_score_columns`
        and ``req`` as a list of ints (one per resource column)."""
        cdef Py_ssize_t i, nres = self.n_res, nf = self.p.n_fit, nb = self.p.n_ba
        if self._cols == NULL:
            raise ValueError("specialize_req: set_score_columns was not called")
        if len(req) != nres:
            raise ValueError("specialize: vectors do not match the compiled pod")
        cdef int64_t* rp = <int64_t*>malloc((nres + 1) * sizeof(int64_t) + nf + nb + 1)
        if rp == NULL:
            raise MemoryError()
        cdef uint8_t* scp = <uint8_t*>(rp + nres + 1)
        try:
            for i in range(nres):
                rp[i] = req[i]
            for i in range(nf + nb):
                scp[i] = <uint8_t>self._cols[nf + nb + i]
            return self._specialize(rp, nz_cpu, nz_mem, self._cols, scp, self._cols + nf, scp + nf, w_ba)
        finally:
            free(rp)

    def specialize(self, const int64_t[::1] req, int64_t nz_cpu, int64_t nz_mem,
                   const int32_t[::1] fit_rcol, const uint8_t[::1] fit_scalar,
                   const int32_t[::1] ba_rcol, const uint8_t[::1] ba_scalar, int64_t w_ba):
        """This compiled pod with the given requests: everything that does not
        depend on requests (taints, affinity, profile) is shared.

        ``req`` is the plain request per resource column, ``nz_*`` the
        non-zero (scoring) cpu and memory.  ``fit_rcol`` / ``ba_rcol`` give
        each scoring resource's column (-1: none) and ``*_scalar`` whether it
        is a scalar resource, which is left out when the pod requests none of
        it (``calculateResourceAllocatableRequest``).  ``w_ba`` is the
        BalancedAllocation weight for this pod (0 when PreScore skips it).
        """
        if req.shape[0] != self.n_res or fit_rcol.shape[0] != self.p.n_fit or fit_scalar.shape[0] != self.p.n_fit \
                or ba_rcol.shape[0] != self.p.n_ba or ba_scalar.shape[0] != self.p.n_ba:
            raise ValueError("specialize: vectors do not match the compiled pod")
        return self._specialize(&req[0] if req.shape[0] else NULL, nz_cpu, nz_mem,
                                &fit_rcol[0] if fit_rcol.shape[0] else NULL, &fit_scalar[0] if fit_scalar.shape[0] else NULL,
                                &ba_rcol[0] if ba_rcol.shape[0] else NULL, &ba_scalar[0] if ba_scalar.shape[0] else NULL, w_ba)

    cdef FastPod _specialize(self, const int64_t* req, int64_t nz_cpu, int64_t nz_mem, const int32_t* fit_rcol,
                             const uint8_t* fit_scalar, const int32_t* ba_rcol, const uint8_t* ba_scalar, int64_t w_ba):
        cdef Py_ssize_t nres = self.n_res, nf = self.p.n_fit, nb = self.p.n_ba, i
        cdef int32_t rc
        cdef int64_t v
        cdef FastPod q = FastPod.__new__(FastPod)
        q.p = self.p
        q._keep = self
        q._base = self if self._base is None else self._base
        q.n_taint_ids = self.n_taint_ids
        q.n_res = nres
        q.max_aff = self.max_aff
        q._own = malloc((nres + nf + nb) * sizeof(int64_t) + (nf + nb) * sizeof(int32_t) + 8)
        if q._own == NULL:
            raise MemoryError()
        cdef int64_t* r = <int64_t*>q._own
        cdef int64_t* fr = r + nres
        cdef int64_t* br = fr + nf
        cdef int32_t* fc = <int32_t*>(br + nb)
        cdef int32_t* bc = fc + nf
        for i in range(nres):
            r[i] = req[i]
        for i in range(nf):
            rc = fit_rcol[i]
            v = nz_cpu if rc == 0 else (nz_mem if rc == 1 else (req[rc] if rc >= 0 else 0))
            fr[i] = v
            fc[i] = -1 if rc < 0 or (fit_scalar[i] and v == 0) else rc
        for i in range(nb):
            rc = ba_rcol[i]
            v = req[rc] if rc >= 0 else 0
            br[i] = v
            bc[i] = -1 if rc < 0 or (ba_scalar[i] and v == 0) else rc
        q.p.req = r
        q.p.nz_cpu = nz_cpu
        q.p.nz_mem = nz_mem
        q.p.fit_req = fr if nf else NULL
        q.p.fit_col = fc if nf else NULL
        q.p.ba_req = br if nb else NULL
        q.p.ba_col = bc if nb else NULL
        q.p.w_ba = w_ba
        q._derive()
        return q


cdef inline bint _check_fits(FastCluster fc, FastPod fp) except False:
    if fp.n_res != fc.c.n_res:
        raise ValueError("pod compiled for another resource layout")
    return True


# --- node affinity --------------------------------------------------------------
cdef bint match_term(const ClusterC* c, const int64_t* prog, Py_ssize_t pos, Py_ssize_t n) noexcept nogil:
    cdef int64_t n_expr = prog[pos + 1]
    cdef Py_ssize_t q = pos + 2
    cdef int64_t key, op, cnt, k
    cdef int32_t v
    cdef bint ok
    if n_expr == 0:
        return False          # an empty term selects no node
    for _ in range(n_expr):
        key = prog[q]
        op = prog[q + 1]
        cnt = prog[q + 2]
        if key == KEY_NAME:
            v = c.name_id[n]
        elif key == KEY_ABSENT:
            v = -1
        else:
            v = c.labels[n * c.n_keys + key]
        if op == OP_IN or op == OP_NOT_IN:
            ok = False
            if v >= 0:
                for k in range(cnt):
                    if prog[q + 3 + k] == v:
                        ok = True
                        break
            if op == OP_NOT_IN:
                ok = not ok
        elif op == OP_EXISTS:
            ok = v >= 0
        elif op == OP_DOES_NOT_EXIST:
            ok = v < 0
        elif op == OP_GT:
            ok = v >= 0 and c.val_isint[v] and c.val_int[v] > prog[q + 3]
        elif op == OP_LT:
            ok = v >= 0 and c.val_isint[v] and c.val_int[v] < prog[q + 3]
        else:
            ok = False
        if not ok:
            return False
        q += 3 + cnt
    return True


cdef bint match_any(const ClusterC* c, const int64_t* prog, Py_ssize_t pos, Py_ssize_t n) noexcept nogil:
    cdef int64_t n_terms = prog[pos]
    cdef Py_ssize_t q = pos + 1
    for _ in range(n_terms):
        if match_term(c, prog, q, n):
            return True
        q += 1 + prog[q]
    return False


cdef int64_t preferred_weight(const ClusterC* c, const int64_t* prog, Py_ssize_t pos, Py_ssize_t n) noexcept nogil:
    cdef int64_t n_terms = prog[pos]
    cdef Py_ssize_t q = pos + 1
    cdef int64_t total = 0
    for _ in range(n_terms):
        if match_term(c, prog, q + 1, n):
            total += prog[q]
        q += 2 + prog[q + 1]
    return total


# --- resource scores ---------------------------------------------------------------
# Score weights may be negative (kube-scheduler accepts them), so totals can be
# negative: the "no total" sentinel is the smallest int64.
cdef int64_t NO_TOTAL = -9223372036854775807 - 1
NO_TOTAL_SCORE = NO_TOTAL

cdef int64_t SAFE = 72057594037927936  # 2**56: below this, x * 100 cannot overflow int64

cdef inline int64_t _within_one(int64_t q, int64_t n, int64_t d) noexcept nogil:
    """The exact ``n / d`` from an estimate ``q`` off by at most one."""
    if q * d > n:
        return q - 1
    if (q + 1) * d <= n:
        return q + 1
    return q


cdef inline int64_t exact_div(int64_t n, int64_t d) noexcept nogil:
    """``n / d`` for 0 <= n, 0 < d, when the quotient is small (a score): a
    double division is within one of it."""
    return _within_one(<int64_t>(<double>n / <double>d), n, d)


cdef inline int64_t exact_div_inv(int64_t n, int64_t d, double inv) noexcept nogil:
    """``n / d`` (small quotient) from the reciprocal ``inv`` = 1.0 / d: no
    division at all."""
    return _within_one(<int64_t>(<double>n * inv), n, d)


cdef inline int64_t mul100_div(int64_t x, int64_t d, double inv) noexcept nogil:
    """``x * 100 / d`` in Go's integer arithmetic, for 0 <= x <= d (a score or
    a utilization, so the quotient is at most 100)."""
    if x < SAFE:
        return exact_div_inv(x * 100, d, inv)
    return <int64_t>((<kk_int128>x * 100) // d)


cdef inline int64_t broken_linear(const PodC* p, int64_t u) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(p.n_shape):
        if u <= p.shape_u[i]:
            if i == 0:
                return p.shape_s[0]
            return p.shape_s[i - 1] + (p.shape_s[i] - p.shape_s[i - 1]) * (u - p.shape_u[i - 1]) // (p.shape_u[i] - p.shape_u[i - 1])
    return p.shape_s[p.n_shape - 1]


cdef inline int64_t go_round(double x) noexcept nogil:
    if x >= 0:
        return <int64_t>(x + 0.5) if x + 0.5 < 9.2e18 else <int64_t>x
    return -<int64_t>(-x + 0.5)


cdef inline int64_t fit_score_cpu_mem(const ClusterC* c, const PodC* p, Py_ssize_t n) noexcept nogil:
    """fit_score for Least/MostAllocated over (cpu, memory) when the node has
    both: the same arithmetic without the per-resource bookkeeping."""
    cdef Py_ssize_t N = c.n_slots
    cdef int64_t a0 = c.alloc[n], a1 = c.alloc[N + n]
    cdef int64_t r0 = c.nzu[n] + p.fit_req[0], r1 = c.nzu[N + n] + p.fit_req[1]
    cdef int64_t s0, s1
    if p.strategy == STRAT_LEAST:
        s0 = 0 if r0 > a0 else mul100_div(a0 - r0, a0, c.inv_alloc[n])
        s1 = 0 if r1 > a1 else mul100_div(a1 - r1, a1, c.inv_alloc[N + n])
    else:
        s0 = mul100_div(a0 if r0 > a0 else r0, a0, c.inv_alloc[n])
        s1 = mul100_div(a1 if r1 > a1 else r1, a1, c.inv_alloc[N + n])
    if p.fit_shift >= 0:     # a power-of-two weight sum over non-negative scores: the same quotient
        return (s0 * p.fit_w[0] + s1 * p.fit_w[1]) >> p.fit_shift
    return exact_div_inv(s0 * p.fit_w[0] + s1 * p.fit_w[1], p.fit_wsum, p.fit_inv_wsum)


cdef inline int64_t balanced_cpu_mem(const ClusterC* c, const PodC* p, Py_ssize_t n) noexcept nogil:
    """balanced_score over (cpu, memory) when the node has both."""
    cdef Py_ssize_t N = c.n_slots
    cdef double f0 = <double>(c.used[n] + p.ba_req[0]) / <double>c.alloc[n]
    cdef double f1 = <double>(c.used[N + n] + p.ba_req[1]) / <double>c.alloc[N + n]
    if f0 > 1:
        f0 = 1.0
    if f1 > 1:
        f1 = 1.0
    return <int64_t>((1 - fabs((f0 - f1) / 2)) * 100.0)


cdef int64_t fit_score(const ClusterC* c, const PodC* p, Py_ssize_t n) noexcept nogil:
    cdef int64_t num = 0, wsum = 0, a, rq, s, w
    cdef double inv
    cdef int32_t col
    cdef Py_ssize_t i
    for i in range(p.n_fit):
        col = p.fit_col[i]
        if col < 0:
            continue
        a = c.alloc[col * c.n_slots + n]
        if a == 0:
            continue
        inv = c.inv_alloc[col * c.n_slots + n]
        if col < 2:
            rq = c.nzu[col * c.n_slots + n] + p.fit_req[i]
        else:
            rq = c.used[col * c.n_slots + n] + p.fit_req[i]
        w = p.fit_w[i]
        if p.strategy == STRAT_LEAST:
            s = 0 if rq > a else mul100_div(a - rq, a, inv)
        elif p.strategy == STRAT_MOST:
            s = mul100_div(a if rq > a else rq, a, inv)
        else:
            s = broken_linear(p, 100 if rq > a else mul100_div(rq, a, inv))
            if s <= 0:
                continue
        num += s * w
        wsum += w
    if wsum == 0:
        return 0
    if p.strategy == STRAT_RTCR:
        return go_round(<double>num / <double>wsum)
    if wsum == p.fit_wsum:
        return exact_div_inv(num, wsum, p.fit_inv_wsum)
    return exact_div(num, wsum)


cdef int64_t balanced_score(const ClusterC* c, const PodC* p, Py_ssize_t n) noexcept nogil:
    cdef double fr[MAX_BA]
    cdef double total = 0.0, f, mean, acc, std = 0.0
    cdef int cnt = 0
    cdef int64_t a, rq
    cdef int32_t col
    cdef Py_ssize_t i
    for i in range(p.n_ba):
        col = p.ba_col[i]
        if col < 0:
            continue
        a = c.alloc[col * c.n_slots + n]
        if a == 0:
            continue
        rq = c.used[col * c.n_slots + n] + p.ba_req[i]
        f = <double>rq / <double>a
        if f > 1:
            f = 1.0
        total += f
        fr[cnt] = f
        cnt += 1
    if cnt == 2:
        std = fabs((fr[0] - fr[1]) / 2)
    elif cnt > 2:
        mean = total / <double>cnt
        acc = 0.0
        for i in range(cnt):
            acc = acc + (fr[i] - mean) * (fr[i] - mean)
        std = sqrt(acc / <double>cnt)
    return <int64_t>((1 - std) * 100.0)


# --- one node ----------------------------------------------------------------------
cdef inline int _constraints(const ClusterC* c, const PodC* p, Py_ssize_t n, int32_t* detail, int64_t* traw_out) noexcept nogil:
    """The filters that depend only on the node's flags, name, taints and
    labels (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, in
    kube-scheduler's order): the failing filter's ST_* or ST_FEASIBLE (ST_DEAD
    for an empty slot).  Sets ``detail`` (the failing taint id; 1 for
    addedAffinity) and, when feasible, ``traw`` (untolerated PreferNoSchedule taints)."""
    cdef uint8_t fl = c.flags[n]
    cdef uint8_t f = p.filters
    cdef Py_ssize_t j
    cdef int32_t t
    cdef uint8_t b
    cdef int64_t traw = 0
    cdef const int32_t* row
    detail[0] = -1
    traw_out[0] = 0
    if not (fl & FLAG_LIVE):
        return ST_DEAD
    if (f & (1 << ST_UNSCHEDULABLE)) and (fl & FLAG_UNSCHEDULABLE) and not p.unsched_ok:
        return ST_UNSCHEDULABLE
    if (f & (1 << ST_NODE_NAME)) and p.want_name != -1 and p.want_name != c.name_id[n]:
        return ST_NODE_NAME
    row = c.taints + n * c.n_taint_cols
    for j in range(c.n_taint_cols):
        t = row[j]
        if t < 0:
            break
        b = p.taint_bad[t]
        if (b & 1) and (f & (1 << ST_TAINT)):
            detail[0] = t
            return ST_TAINT
        if b & 2:
            traw += 1
    if f & (1 << ST_AFFINITY):
        if p.add_off >= 0 and not match_any(c, p.prog, p.add_off, n):
            detail[0] = 1
            return ST_AFFINITY
        if (p.sel_off >= 0 and not match_term(c, p.prog, p.sel_off, n)) or \
           (p.req_off >= 0 and not match_any(c, p.prog, p.req_off, n)):
            return ST_AFFINITY
    traw_out[0] = traw
    return ST_FEASIBLE


cdef inline int _eval(const ClusterC* c, const PodC* p, Py_ssize_t n, NodeEval* out) noexcept nogil:
    cdef Py_ssize_t j, r
    cdef int64_t q
    cdef uint64_t bits = 0
    cdef bint both
    out.fitbits = 0
    out.fit = 0
    out.ba = 0
    out.traw = 0
    out.araw = 0
    out.status = _constraints(c, p, n, &out.detail, &out.traw)
    if out.status != ST_FEASIBLE:
        return 0
    if p.filters & (1 << ST_FIT):
        if c.npods[n] + 1 > c.maxpods[n]:
            bits |= (<uint64_t>1) << 63
        for j in range(p.n_chk):
            r = p.chk_cols[j]
            q = p.req[r]
            if q > c.alloc[r * c.n_slots + n] - c.used[r * c.n_slots + n]:
                bits |= (<uint64_t>1) << r
        if bits:
            out.status = ST_FIT
            out.fitbits = bits
            out.traw = 0
            return 0
    both = c.alloc[n] != 0 and c.alloc[c.n_slots + n] != 0
    if p.w_fit:
        out.fit = fit_score_cpu_mem(c, p, n) if p.fit_cpu_mem and both else fit_score(c, p, n)
    if p.w_ba:
        out.ba = balanced_cpu_mem(c, p, n) if p.ba_cpu_mem and both else balanced_score(c, p, n)
    if p.w_aff and p.pref_off >= 0:
        out.araw = preferred_weight(c, p.prog, p.pref_off, n)
    return 0


cdef int eval_node(const ClusterC* c, const PodC* p, Py_ssize_t n, NodeEval* out) noexcept nogil:
    """Filter and score one node (the kernels inline ``_eval``)."""
    return _eval(c, p, n, out)


cdef inline int64_t normalize(int64_t raw, int64_t mx, bint reverse) noexcept nogil:
    """``DefaultNormalizeScore`` for one score given the maximum."""
    cdef int64_t s
    if mx == 0:
        return 100 if reverse else raw
    s = 100 * raw // mx
    return 100 - s if reverse else s


cdef inline int64_t total_of(const PodC* p, int64_t fit, int64_t ba, int64_t traw, int64_t araw,
                             int64_t mt, int64_t ma) noexcept nogil:
    cdef int64_t tot = p.w_fit * fit + p.w_ba * ba
    if p.w_taint:
        tot += p.w_taint * normalize(traw, mt, True)
    if p.w_aff:
        tot += p.w_aff * normalize(araw, ma, False)
    return tot


cdef inline void _track_best(int64_t tot, int64_t* best, Py_ssize_t* nat) noexcept nogil:
    """Keep the highest total and how many nodes reach it."""
    if tot > best[0] or nat[0] == 0:
        best[0] = tot
        nat[0] = 1
    elif tot == best[0]:
        nat[0] += 1


# --- constraint tables -----------------------------------------------------------------
# A compiled pod's constraint filters depend on the node rows' flags, names,
# taints and labels, never on requests, so pods that differ only in their
# requests share one table: the status of every slot under those filters (a
# template the scan copies), and the slots that pass them (the only ones the
# scan visits) with their untolerated PreferNoSchedule count and, with
# preferred terms, their raw NodeAffinity score.  FastCluster.stamp says when
# it is stale.
cdef int _build_constraints(FastCluster fc, FastPod fp) except -1:
    cdef FastPod b = fp if fp._base is None else fp._base
    cdef const ClusterC* c = &fc.c
    cdef const PodC* p = &fp.p
    cdef Py_ssize_t N = c.n_slots, n, m = 0, live = 0
    cdef int st
    cdef int32_t det
    cdef int64_t traw
    cdef bint want_aff = p.w_aff != 0 and p.pref_off >= 0
    if b._tbl != NULL and b._pre_stamp == fc.stamp and b._pre_n == N and (b._caff != NULL) == want_aff:
        return 0
    free(b._tbl)
    b._tbl = NULL
    b._pre_n = 0
    b._n_cand = 0
    cdef uint8_t* tpl = <uint8_t*>malloc(N)
    if tpl == NULL:
        raise MemoryError()
    with nogil:
        for n in range(N):
            st = _constraints(c, p, n, &det, &traw)
            tpl[n] = <uint8_t>st
            if st == ST_FEASIBLE:
                m += 1
            if st != ST_DEAD:
                live += 1
    cdef Py_ssize_t off = (N + 7) // 8 * 8
    cdef void* blk = malloc(off + m * sizeof(int32_t) * (3 if want_aff else 2) + 8)
    if blk == NULL:
        free(tpl)
        raise MemoryError()
    memcpy(blk, tpl, N)
    free(tpl)
    b._tbl = blk
    b._tpl = <uint8_t*>blk
    b._cand = <int32_t*>(<char*>blk + off)
    b._ctraw = b._cand + m
    b._caff = b._ctraw + m if want_aff else NULL
    m = 0
    with nogil:
        for n in range(N):
            if b._tpl[n] == ST_FEASIBLE:
                _constraints(c, p, n, &det, &traw)
                b._cand[m] = <int32_t>n
                b._ctraw[m] = <int32_t>traw
                if want_aff:
                    b._caff[m] = <int32_t>preferred_weight(c, p.prog, p.pref_off, n)
                m += 1
    b._raw_any = False
    for n in range(m):
        if b._ctraw[n] > 0 or (want_aff and b._caff[n] > 0):
            b._raw_any = True
            break
    b._n_cand = m
    b._n_live = live
    b._pre_n = N
    b._pre_stamp = fc.stamp
    return 0


def build_constraints(FastCluster fc, FastPod fp):
    """Build (or keep, when current) the constraint table :func:`scan` uses
    with ``use_table``; shared by every pod specialized from ``fp.base``."""
    _check_fits(fc, fp)
    _build_constraints(fc, fp)


cdef struct ScanAcc:
    bint partial            # scores columns 2..5 of feasible slots not written: they are (0, 0, 100, 0)
    bint detail_partial     # detail of slots the constraint filters reject not written
    bint feas_partial       # the feasible list not written (only its length, nfeas)
    Py_ssize_t examined
    Py_ssize_t nfeas
    Py_ssize_t nat
    int64_t mt
    int64_t ma
    int64_t best


cdef inline void _feasible(const PodC* p, Py_ssize_t n, int64_t fit, int64_t ba, int64_t traw, int64_t araw,
                           int64_t* sc, Py_ssize_t rs, Py_ssize_t cs, int32_t* feas, ScanAcc* acc) noexcept nogil:
    """Record a feasible node's scores; its total as if no node had a raw
    TaintToleration or NodeAffinity score (the common case), redone by
    _renormalize if one had."""
    cdef int64_t tot
    feas[acc.nfeas] = <int32_t>n
    acc.nfeas += 1
    sc[n * rs] = fit
    sc[n * rs + 1 * cs] = ba
    sc[n * rs + 2 * cs] = traw
    sc[n * rs + 3 * cs] = araw
    if traw > acc.mt:
        acc.mt = traw
    if araw > acc.ma:
        acc.ma = araw
    sc[n * rs + 4 * cs] = 100
    sc[n * rs + 5 * cs] = 0
    tot = total_of(p, fit, ba, 0, 0, 0, 0)
    sc[n * rs + 6 * cs] = tot
    _track_best(tot, &acc.best, &acc.nat)


cdef void _renormalize(const PodC* p, int64_t* sc, Py_ssize_t rs, Py_ssize_t cs, const int32_t* feas,
                       ScanAcc* acc) noexcept nogil:
    cdef Py_ssize_t k, n
    cdef int64_t tot
    acc.nat = 0
    acc.best = NO_TOTAL
    for k in range(acc.nfeas):
        n = feas[k]
        sc[n * rs + 4 * cs] = normalize(sc[n * rs + 2 * cs], acc.mt, True)
        sc[n * rs + 5 * cs] = normalize(sc[n * rs + 3 * cs], acc.ma, False)
        tot = total_of(p, sc[n * rs], sc[n * rs + 1 * cs], sc[n * rs + 2 * cs], sc[n * rs + 3 * cs], acc.mt, acc.ma)
        sc[n * rs + 6 * cs] = tot
        _track_best(tot, &acc.best, &acc.nat)


cdef int64_t FAST_DIV_MAX = 35184372088832  # 2**45: below this a reciprocal multiply is off by at most -1


cdef inline int64_t _mul100_div_small(int64_t x, int64_t d, double inv) noexcept nogil:
    """``x * 100 / d`` for 0 <= x <= d < 2**45 and ``inv`` = 1.0 / d
    (correctly rounded).  Then n = 100x < 2**52 is exact, the product
    n * inv is within 100 * 2**-52 (< 2.3e-14) of n / d, and a non-integer
    n / d is at least 1/d > 2**-45 from an integer: truncating gives the
    quotient or, when n / d is an integer, possibly one less."""
    cdef int64_t n = x * 100
    cdef int64_t q = <int64_t>(<double>n * inv)
    return q + ((q + 1) * d <= n)


cdef inline int64_t _balanced_cm(int64_t num0, int64_t a0, double inv0, int64_t num1, int64_t a1,
                                 double inv1) noexcept nogil:
    """balanced_cpu_mem from (requested, allocatable, 1.0 / allocatable) per
    resource, without dividing when it can: num * inv is within 3 ulp of
    the quotient Go computes, so the final value ``(1 - |f0 - f1| / 2) * 100``
    is within 1e-13 of Go's, and truncates the same when no integer lies
    within 1e-12 of it.  Otherwise (rare) it divides exactly as Go does."""
    cdef double f0 = <double>num0 * inv0, f1 = <double>num1 * inv1, v
    cdef int64_t lo, hi
    if f0 > 1:
        f0 = 1.0
    if f1 > 1:
        f1 = 1.0
    v = (1 - fabs((f0 - f1) / 2)) * 100.0
    lo = <int64_t>(v - 1e-12)
    hi = <int64_t>(v + 1e-12)
    if lo == hi:
        return lo
    f0 = <double>num0 / <double>a0
    f1 = <double>num1 / <double>a1
    if f0 > 1:
        f0 = 1.0
    if f1 > 1:
        f1 = 1.0
    return <int64_t>((1 - fabs((f0 - f1) / 2)) * 100.0)


cdef inline kk_dense_in _table_args(const ClusterC* c, const PodC* p, const uint8_t* tpl, int64_t* scratch) noexcept nogil:
    """What a table scan reads per candidate (for a pod with ``fast_ok``),
    resolved once per scan: the arguments of kk_scan_dense, which
    _table_node takes by value too, so that the compiler keeps them in
    registers (the outputs could alias anything behind a pointer)."""
    cdef kk_dense_in t
    cdef Py_ssize_t N = c.n_slots
    cdef bint do_fit = p.w_fit != 0, do_ba = p.w_ba != 0
    t.a0 = c.alloc
    t.a1 = c.alloc + N
    t.u0 = c.used
    t.u1 = c.used + N
    t.z0 = c.nzu
    t.z1 = c.nzu + N
    t.i0 = c.inv_alloc
    t.i1 = c.inv_alloc + N
    t.npods = c.npods
    t.maxpods = c.maxpods
    t.tpl = tpl
    t.cmask = scratch
    t.q0 = p.req[0]
    t.q1 = p.req[1]
    t.fit_mask = 0
    if p.filters & (1 << ST_FIT):
        t.fit_mask = ((<uint64_t>1) << 63) | (<uint64_t>p.chk_cpu) | ((<uint64_t>p.chk_mem) << 1)
    t.fq0 = p.fit_req[0] if do_fit else 0
    t.fq1 = p.fit_req[1] if do_fit else 0
    t.fw0 = p.fit_w[0] if do_fit else 0
    t.fw1 = p.fit_w[1] if do_fit else 0
    t.fwsum = p.fit_wsum
    t.finv = p.fit_inv_wsum
    t.fshift = p.fit_shift
    t.least = p.strategy == STRAT_LEAST
    t.do_fit = do_fit
    t.do_ba = do_ba
    t.bq0 = p.ba_req[0] if do_ba else 0
    t.bq1 = p.ba_req[1] if do_ba else 0
    t.w_fit = p.w_fit
    t.w_ba = p.w_ba
    t.base_tot = total_of(p, 0, 0, 0, 0, 0, 0)
    return t


cdef inline uint64_t _table_node(const ClusterC* c, const PodC* p, const kk_dense_in t, Py_ssize_t n,
                                  int64_t* fit_out, int64_t* ba_out) noexcept nogil:
    """One candidate of a table scan (a pod with ``fast_ok``; ``t`` from
    _table_args): its fit-filter bits (the return value) and its cpu/memory
    scores, as _eval computes them.  The scalar twin of one lane of
    kk_scan_dense (_scanvec.h)."""
    cdef uint64_t bits = 0
    cdef int64_t a0 = t.a0[n], a1 = t.a1[n], r0, r1, s0, s1, fit = 0, ba = 0
    if t.fit_mask:
        bits = (((<uint64_t>(t.npods[n] + 1 > t.maxpods[n])) << 63) | <uint64_t>(t.q0 > a0 - t.u0[n])
                | (<uint64_t>(t.q1 > a1 - t.u1[n]) << 1)) & t.fit_mask
    if a0 != 0 and a1 != 0:
        if t.do_fit:
            r0 = t.z0[n] + t.fq0
            r1 = t.z1[n] + t.fq1
            if t.least:
                r0 = 0 if r0 > a0 else a0 - r0
                r1 = 0 if r1 > a1 else a1 - r1
            else:
                r0 = a0 if r0 > a0 else r0
                r1 = a1 if r1 > a1 else r1
            if a0 < FAST_DIV_MAX and a1 < FAST_DIV_MAX:
                s0 = _mul100_div_small(r0, a0, t.i0[n])
                s1 = _mul100_div_small(r1, a1, t.i1[n])
            else:
                s0 = mul100_div(r0, a0, t.i0[n])
                s1 = mul100_div(r1, a1, t.i1[n])
            if t.fshift >= 0:
                fit = (s0 * t.fw0 + s1 * t.fw1) >> t.fshift
            else:
                fit = exact_div_inv(s0 * t.fw0 + s1 * t.fw1, t.fwsum, t.finv)
        if t.do_ba:
            ba = _balanced_cm(t.u0[n] + t.bq0, a0, t.i0[n], t.u1[n] + t.bq1, a1, t.i1[n])
    elif bits == 0:
        if t.do_fit:
            fit = fit_score(c, p, n)
        if t.do_ba:
            ba = balanced_score(c, p, n)
    fit_out[0] = fit
    ba_out[0] = ba
    return bits


cdef void _scan_table(const ClusterC* c, const PodC* p, const uint8_t* tpl, const int32_t* cand,
                      const int32_t* ctraw, const int32_t* caff, Py_ssize_t M, Py_ssize_t n_live,
                      uint8_t* st, uint64_t* fitbits, int32_t* detail, int64_t* sc, Py_ssize_t rs, Py_ssize_t cs,
                      int32_t* feas, ScanAcc* acc) noexcept nogil:
    """The whole scan (no limit) for a pod with ``fast_ok``: the statuses of
    the constraint filters are copied from the table (``tpl``), and only the
    slots that pass them (``cand``) are visited.  Same results as _eval per
    node, except that ``detail`` of the slots the constraints reject is left
    to ScanBuffers.complete (and ``fitbits`` is meaningful for ST_FIT slots
    only, ``scores`` for feasible ones).

    Two passes over the candidates: the first computes every candidate's fit
    bits and cpu/memory scores into ``fitbits`` and ``scores`` (short,
    independent iterations, so the processor overlaps their long floating
    point chains), the second keeps the feasible ones and the best total.
    What the loops read is resolved once (_table_args, by value).  :func:`scan`
    always takes this path, :func:`place` when _scan_dense does not apply."""
    cdef Py_ssize_t n, k
    cdef int64_t w
    cdef uint64_t bits
    cdef int64_t tot, araw
    cdef int64_t w_fit = p.w_fit, w_ba = p.w_ba
    cdef int64_t base_tot = total_of(p, 0, 0, 0, 0, 0, 0)
    cdef Py_ssize_t nfeas = 0, nat = 0
    cdef int64_t mt = 0, ma = 0, best = NO_TOTAL
    cdef int64_t fit, ba
    cdef kk_dense_in t = _table_args(c, p, tpl, NULL)
    memcpy(st, tpl, c.n_slots)
    # pass 1: fit bits and scores of every candidate
    for k in range(M):
        n = cand[k]
        fitbits[n] = _table_node(c, p, t, n, &fit, &ba)
        sc[n * rs] = fit
        sc[n * rs + 1 * cs] = ba
    # pass 2: statuses, the feasible list, the best total (as _feasible, with
    # the accumulators in registers; columns 2..5 are written after the loop
    # or on demand, see ScanBuffers.complete)
    for k in range(M):
        n = cand[k]
        bits = fitbits[n]
        if bits:
            st[n] = ST_FIT
            detail[n] = -1
            continue
        w = ctraw[k]
        araw = caff[k] if caff != NULL else 0
        feas[nfeas] = <int32_t>n
        nfeas += 1
        if w > mt:
            mt = w
        if araw > ma:
            ma = araw
        tot = w_fit * sc[n * rs] + w_ba * sc[n * rs + 1 * cs] + base_tot
        sc[n * rs + 6 * cs] = tot
        if tot > best or nat == 0:
            best = tot
            nat = 1
        elif tot == best:
            nat += 1
    acc.examined += n_live
    acc.nfeas += nfeas
    acc.mt = mt
    acc.ma = ma
    acc.best = best
    acc.nat = nat
    acc.detail_partial = True
    if mt > 0 or ma > 0:
        nfeas = 0
        for k in range(M):     # the feasible slots are a subsequence of the candidates
            n = cand[k]
            if nfeas < acc.nfeas and feas[nfeas] == n:
                sc[n * rs + 2 * cs] = ctraw[k]
                sc[n * rs + 3 * cs] = caff[k] if caff != NULL else 0
                nfeas += 1
        # _renormalize follows (it writes columns 4..6)
    else:
        acc.partial = True


cdef int64_t DENSE_MAX_WEIGHT = 1099511627776  # 2**40: totals of feasible nodes stay far from NO_TOTAL
# Whether this processor runs the vectorized scan (AVX-512; see _scanvec.h).
DENSE_SCAN_AVAILABLE = kk_dense_available() != 0
DENSE_OFF = 0       # place() scans tables with _scan_table
DENSE_AUTO = 1      # ... with _scan_dense when the table has enough candidates (the default)
DENSE_ALWAYS = 2    # ... with _scan_dense whenever it applies (tests)
cdef int _dense_mode = DENSE_AUTO if DENSE_SCAN_AVAILABLE else DENSE_OFF


def set_dense_scan(int mode):
    """Choose how :func:`place` scans constraint tables (DENSE_OFF, DENSE_AUTO
    or DENSE_ALWAYS; always DENSE_OFF on a processor without the vectorized
    scan); returns the previous mode.  For tests and benchmarks: every mode
    gives the same results."""
    global _dense_mode
    if mode not in (DENSE_OFF, DENSE_AUTO, DENSE_ALWAYS):
        raise ValueError(f"set_dense_scan: unknown mode {mode}")
    old = _dense_mode
    _dense_mode = mode if DENSE_SCAN_AVAILABLE else DENSE_OFF
    return old


cdef inline bint _dense_ok(const PodC* p) noexcept nogil:
    """Whether _scan_dense applies to a pod with ``fast_ok``: weights small
    enough that no feasible total can be NO_TOTAL (it marks the others)."""
    return (-DENSE_MAX_WEIGHT < p.w_fit < DENSE_MAX_WEIGHT and -DENSE_MAX_WEIGHT < p.w_ba < DENSE_MAX_WEIGHT
            and -DENSE_MAX_WEIGHT < p.w_taint < DENSE_MAX_WEIGHT and -DENSE_MAX_WEIGHT < p.w_aff < DENSE_MAX_WEIGHT)


cdef void _scan_dense(const ClusterC* c, const PodC* p, FastPod b, Py_ssize_t W, uint8_t* st, uint64_t* fitbits,
                      int64_t* sc, Py_ssize_t cs, int32_t* feas, int64_t* scratch, ScanAcc* acc) noexcept nogil:
    """The table scan of _scan_table (same results) for the column-major
    score buffers of :class:`ScanBuffers` (score column j of slot n at
    ``sc[j * cs + n]``), over every slot below ``W`` rather than the table's
    candidates: one vectorized pass (kk_scan_dense) writes the statuses,
    fit bits, scores and totals of all of them (``sc`` column 6 is NO_TOTAL
    for the slots that are not feasible), the slots it flags (score column 1
    set to -1) are redone by _table_node, and the best total and its ties
    are counted over column 6.
    The feasible list is left to ScanBuffers.complete unless a candidate has
    a raw TaintToleration or NodeAffinity score (then the totals are
    renormalized, as after _scan_table)."""
    cdef Py_ssize_t n, k, nf, M = b._n_cand
    cdef kk_dense_in inp
    cdef kk_dense_out out
    cdef uint64_t bits
    cdef int64_t fit, ba, w, araw, mt = 0, ma = 0
    cdef Py_ssize_t N = c.n_slots
    cdef int64_t* tot = sc + 6 * cs
    memcpy(st, b._tpl, N)
    inp = _table_args(c, p, b._tpl, scratch)
    out.st = st
    out.bits = fitbits
    out.fit = sc
    out.ba = sc + cs
    out.tot = tot
    if kk_scan_dense(&inp, &out, W):
        for n in range(W):
            if sc[cs + n] < 0 and b._tpl[n] == ST_FEASIBLE:
                bits = _table_node(c, p, inp, n, &fit, &ba)
                fitbits[n] = bits
                sc[n] = fit
                sc[cs + n] = ba
                st[n] = ST_FIT if bits else ST_FEASIBLE
                tot[n] = NO_TOTAL if bits else p.w_fit * fit + p.w_ba * ba + inp.base_tot
    acc.examined += b._n_live
    acc.nfeas = kk_count_feasible(st, W)
    acc.best = NO_TOTAL
    acc.nat = 0
    if acc.nfeas:
        acc.best = kk_max_total(tot, W)
        acc.nat = kk_count_total(tot, W, acc.best)
    acc.mt = 0
    acc.ma = 0
    acc.detail_partial = True
    if not b._raw_any:
        acc.partial = True
        acc.feas_partial = True
        return
    nf = 0
    for k in range(M):     # the feasible slots are a subsequence of the candidates
        n = b._cand[k]
        if st[n] == ST_FEASIBLE:
            feas[nf] = <int32_t>n
            nf += 1
            w = b._ctraw[k]
            araw = b._caff[k] if b._caff != NULL else 0
            if w > mt:
                mt = w
            if araw > ma:
                ma = araw
            sc[2 * cs + n] = w
            sc[3 * cs + n] = araw
    acc.mt = mt
    acc.ma = ma
    if mt > 0 or ma > 0:
        _renormalize(p, sc, 1, cs, feas, acc)
    else:
        acc.partial = True


cdef void _build_feas(const uint8_t* st, Py_ssize_t N, int32_t* feas) noexcept nogil:
    """The feasible list (slot order) a dense scan left out."""
    cdef Py_ssize_t n, k = 0
    for n in range(N):
        if st[n] == ST_FEASIBLE:
            feas[k] = <int32_t>n
            k += 1


cdef void _complete_detail(const ClusterC* c, const PodC* p, const uint8_t* st, int32_t* detail) noexcept nogil:
    """``detail`` of the slots a table scan's constraint filters rejected,
    recomputed (the cluster rows are those of the scan)."""
    cdef Py_ssize_t n
    cdef int64_t traw
    for n in range(c.n_slots):
        if st[n] == ST_TAINT or st[n] == ST_AFFINITY or st[n] == ST_UNSCHEDULABLE or st[n] == ST_NODE_NAME:
            _constraints(c, p, n, &detail[n], &traw)
        elif st[n] == ST_FIT:
            detail[n] = -1


cdef void _complete(int64_t* sc, Py_ssize_t rs, Py_ssize_t cs, const int32_t* feas, Py_ssize_t nfeas) noexcept nogil:
    """Columns 2..5 of a partial scan: no feasible node had a raw
    TaintToleration or NodeAffinity score, so they are 0, 0, 100, 0."""
    cdef Py_ssize_t k, n
    for k in range(nfeas):
        n = feas[k]
        sc[n * rs + 2 * cs] = 0
        sc[n * rs + 3 * cs] = 0
        sc[n * rs + 4 * cs] = 100
        sc[n * rs + 5 * cs] = 0


def balanced_cm(int64_t num0, int64_t a0, int64_t num1, int64_t a1):
    """The table scan's BalancedAllocation score over (cpu, memory) with the
    requested ``num*`` and allocatable ``a*`` (> 0) of each, for tests
    (twin: ``plugins.scoring.balanced_score``)."""
    if a0 <= 0 or a1 <= 0 or num0 < 0 or num1 < 0:
        raise ValueError("balanced_cm: allocatable must be positive, requests non-negative")
    return _balanced_cm(num0, a0, 1.0 / <double>a0, num1, a1, 1.0 / <double>a1)


def mul100_div_small(int64_t x, int64_t d):
    """``x * 100 // d`` as the table scan computes it (0 <= x <= d < 2**45),
    for tests (twin: ``plugins.scoring.most_requested_score``)."""
    if not (0 <= x <= d < FAST_DIV_MAX) or d == 0:
        raise ValueError("mul100_div_small: needs 0 <= x <= d < 2**45, d > 0")
    return _mul100_div_small(x, d, 1.0 / <double>d)


# --- full scan -----------------------------------------------------------------------
cdef int _scan_c(FastCluster fc, FastPod fp, uint8_t* st, uint64_t* fitbits, int32_t* detail, int64_t* sc,
                 Py_ssize_t rs, Py_ssize_t cs, int32_t* feas, Py_ssize_t start, Py_ssize_t limit, Py_ssize_t n_used, bint use_table,
                 ScanAcc* acc, Py_ssize_t* next_start, int64_t* scratch=NULL) except -1:
    """The scan behind :func:`scan` and :func:`place` (``feas``: room for
    ``n_slots`` slot numbers; on return it lists the feasible slots in scan
    order, unless ``acc.feas_partial``).  With ``scratch`` (``n_slots`` int64)
    and column-major scores (``rs`` 1), a table scan is the vectorized
    _scan_dense."""
    cdef const ClusterC* c = &fc.c
    cdef const PodC* p = &fp.p
    cdef Py_ssize_t N = c.n_slots, i = 0, n
    cdef NodeEval ev
    cdef FastPod b
    cdef Py_ssize_t W = N if n_used < 0 or n_used > N else n_used
    if start < 0 or start >= W:
        start = 0
    acc.partial = False
    acc.detail_partial = False
    acc.feas_partial = False
    acc.examined = 0
    acc.nfeas = 0
    acc.nat = 0
    acc.mt = 0
    acc.ma = 0
    acc.best = NO_TOTAL
    if use_table and p.fast_ok and limit < 0:
        _build_constraints(fc, fp)
        b = fp if fp._base is None else fp._base
        # The dense scan visits every slot below W, at about a quarter of
        # what _scan_table spends per candidate: it wins unless the
        # constraints leave few candidates (a narrow nodeSelector).
        if scratch != NULL and rs == 1 and _dense_mode != DENSE_OFF and _dense_ok(p) \
                and (_dense_mode == DENSE_ALWAYS or b._n_cand * 4 > W):
            with nogil:
                _scan_dense(c, p, b, W, st, fitbits, sc, cs, feas, scratch, acc)
            next_start[0] = 0
            return 0
        with nogil:
            _scan_table(c, p, b._tpl, b._cand, b._ctraw, b._caff, b._n_cand, b._n_live, st, fitbits, detail, sc,
                        rs, cs, feas, acc)
            if acc.mt > 0 or acc.ma > 0:
                _renormalize(p, sc, rs, cs, feas, acc)
        next_start[0] = 0
        return 0
    with nogil:
        memset(st, ST_DEAD, N)
        n = start - 1
        while i < W:
            n += 1
            if n == W:
                n = 0
            i += 1
            if not (c.flags[n] & FLAG_LIVE):
                continue
            acc.examined += 1
            _eval(c, p, n, &ev)
            st[n] = <uint8_t>ev.status
            if ev.status == ST_FEASIBLE:
                _feasible(p, n, ev.fit, ev.ba, ev.traw, ev.araw, sc, rs, cs, feas, acc)
                if limit >= 0 and acc.nfeas >= limit:
                    break
            else:
                fitbits[n] = ev.fitbits
                detail[n] = ev.detail
        if acc.mt > 0 or acc.ma > 0:
            _renormalize(p, sc, rs, cs, feas, acc)
    next_start[0] = (start + i) % W if W else 0
    return 0


def scan(FastCluster fc, FastPod fp, uint8_t[::1] status, uint64_t[::1] fitbits, int32_t[::1] detail,
         int64_t[:, ::1] scores, Py_ssize_t start=0, Py_ssize_t limit=-1, Py_ssize_t n_used=-1,
         bint use_table=False):
    """Filter and score every live node (from slot ``start``, wrapping, until
    ``limit`` feasible nodes are found when ``limit`` >= 0).  The search
    wraps at ``n_used``, the number of slots ever used (default: all).

    Writes per slot: ``status`` (ST_*), ``fitbits``, ``detail`` and
    ``scores[slot] = (fit, balanced, taint raw, affinity raw, taint norm,
    affinity norm, total)``; slots not examined get ST_DEAD.  Returns
    ``(n_feasible, n_examined, next_start, max_total, n_at_max)``.

    ``use_table``: for a whole scan of a pod with ``fast_path``, read the
    constraint filters from the pod's constraint table (built or refreshed
    here, see :func:`build_constraints`) instead of evaluating them per node.
    The results are the same.
    """
    _check_fits(fc, fp)
    cdef Py_ssize_t N = fc.c.n_slots, nxt = 0
    cdef ScanAcc acc
    if status.shape[0] < N or fitbits.shape[0] < N or detail.shape[0] < N or scores.shape[0] < N or scores.shape[1] != 7:
        raise ValueError("output arrays too small")
    cdef int32_t* feas = <int32_t*>malloc(N * sizeof(int32_t))
    if feas == NULL:
        raise MemoryError()
    try:
        _scan_c(fc, fp, &status[0], &fitbits[0], &detail[0], &scores[0, 0], 7, 1, feas, start, limit, n_used,
                use_table, &acc, &nxt)
        if acc.partial:
            _complete(&scores[0, 0], 7, 1, feas, acc.nfeas)
        if acc.detail_partial:
            _complete_detail(&fc.c, &fp.p, &status[0], &detail[0])
    finally:
        free(feas)
    return acc.nfeas, acc.examined, nxt, acc.best, acc.nat


cdef class ScanBuffers:
    """Output arrays for :func:`place`, one row per slot, reused pod after
    pod (the same layout :func:`scan` writes)."""
    cdef readonly object status, fitbits, detail, scores
    cdef uint8_t* st
    cdef uint64_t* fb
    cdef int32_t* det
    cdef int64_t* sc
    cdef int32_t* feas
    cdef int64_t* scratch          # of the vectorized scan: one int64 per slot
    cdef readonly Py_ssize_t size
    cdef Py_ssize_t nfeas
    cdef bint partial, detail_partial, feas_partial
    cdef FastCluster _fc
    cdef FastPod _fp

    def __cinit__(self):
        self.feas = NULL
        self.scratch = NULL
        self.nfeas = 0
        self.partial = False
        self.detail_partial = False
        self.feas_partial = False

    def complete(self):
        """Write what the last :func:`place` left out: ``scores`` columns 2..5
        and ``detail`` of the slots the constraint filters rejected (call it
        before the cluster changes)."""
        if self.feas_partial:
            _build_feas(self.st, min(self.size, self._fc.c.n_slots), self.feas)
            self.feas_partial = False
        if self.partial:
            _complete(self.sc, 1, self.size, self.feas, self.nfeas)
            self.partial = False
        if self.detail_partial:
            if self._fc.c.n_slots > self.size or self._fp.n_res != self._fc.c.n_res:
                raise ValueError("the cluster changed since the scan")
            _complete_detail(&self._fc.c, &self._fp.p, self.st, self.det)
            self.detail_partial = False

    def __init__(self, Py_ssize_t n):
        if n <= 0:
            raise ValueError("ScanBuffers needs at least one slot")
        self.status = np.empty(n, np.uint8)
        self.fitbits = np.zeros(n, np.uint64)
        self.detail = np.full(n, -1, np.int32)
        # one row per score column (the scan writes each as a dense array),
        # seen as (slot, column) like scan's output
        cols = np.zeros((7, n), np.int64)
        self.scores = cols.T
        cdef uint8_t[::1] a = self.status
        cdef uint64_t[::1] b = self.fitbits
        cdef int32_t[::1] d = self.detail
        cdef int64_t[:, ::1] e = cols
        self.st = &a[0]
        self.fb = &b[0]
        self.det = &d[0]
        self.sc = &e[0, 0]
        self.feas = <int32_t*>malloc(n * sizeof(int32_t))
        self.scratch = <int64_t*>malloc(n * sizeof(int64_t))
        if self.feas == NULL or self.scratch == NULL:
            raise MemoryError()
        self.size = n

    def __dealloc__(self):
        free(self.feas)
        free(self.scratch)

    def pick(self, int64_t best, Py_ssize_t k):
        """The slot of the ``k``-th (0-based, slot order) feasible node whose
        total is ``best`` (:func:`pick_nth_best` on these arrays)."""
        return _pick_slot_order(self.st, self.sc, 1, self.size, self.size, best, k)

    @property
    def nbytes(self):
        return self.size * (sizeof(uint8_t) + sizeof(uint64_t) + sizeof(int32_t) + 8 * sizeof(int64_t) + sizeof(int32_t))


def place(FastCluster fc, FastPod fp, ScanBuffers buf, Rng rng, Py_ssize_t start=0, Py_ssize_t limit=-1,
          Py_ssize_t n_used=-1, bint use_table=False, bint do_bind=False):
    """:func:`scan` into ``buf``, then choose as the engines do: ``k =
    rng.below(ties)`` when more than one node ties for the best total (no
    draw otherwise), the ``k``-th tied node in slot order; with ``do_bind``
    the pod is bound there.  Returns ``(n_feasible, n_examined, next_start,
    max_total, n_at_max, slot)`` (slot -1: none feasible, or ``rng`` is
    None: no choice; ``rng`` is not advanced then).

    Columns 0, 1 and 6 of ``buf.scores`` are always written; columns 2..5
    (when no node has a raw TaintToleration or NodeAffinity score) and
    ``detail`` of slots rejected by a constraint table only once
    :meth:`ScanBuffers.complete` is called; ``fitbits`` is meaningful for
    ST_FIT slots only."""
    _check_fits(fc, fp)
    cdef Py_ssize_t N = fc.c.n_slots, nxt = 0, k, j, n, slot = -1, N_buf = buf.size
    cdef ScanAcc acc
    if buf.size < N:
        raise ValueError("output arrays too small")
    buf.partial = False
    buf.detail_partial = False
    buf.feas_partial = False
    _scan_c(fc, fp, buf.st, buf.fb, buf.det, buf.sc, 1, N_buf, buf.feas, start, limit, n_used, use_table, &acc, &nxt,
            buf.scratch)
    buf.nfeas = acc.nfeas
    buf.partial = acc.partial
    buf.detail_partial = acc.detail_partial
    buf.feas_partial = acc.feas_partial
    buf._fc = fc
    buf._fp = fp
    cdef Py_ssize_t W = N if n_used < 0 or n_used > N else n_used
    # ``feas`` lists the feasible slots in slot order when the scan started at
    # slot 0 (a whole scan with the table always does)
    cdef bint in_order = start <= 0 or start >= W or (use_table and fp.p.fast_ok and limit < 0)
    if acc.nat > 0 and rng is not None:
        k = <Py_ssize_t>rng_below(&rng.state, <uint64_t>acc.nat) if acc.nat > 1 else 0
        if acc.feas_partial:   # a dense scan: column 6 is NO_TOTAL but for feasible slots
            slot = kk_nth_total(buf.sc + 6 * N_buf, W, acc.best, k)
        elif in_order:
            for j in range(acc.nfeas):
                n = buf.feas[j]
                if buf.sc[n + 6 * N_buf] == acc.best:
                    if k == 0:
                        slot = n
                        break
                    k -= 1
        else:
            slot = _pick_slot_order(buf.st, buf.sc, 1, N_buf, N, acc.best, k)
        if do_bind and slot >= 0:
            bind_c(&fc.c, &fp.p, slot, 1)
    return acc.nfeas, acc.examined, nxt, acc.best, acc.nat, slot


def pick_nth_best(uint8_t[::1] status, int64_t[:, ::1] scores, int64_t best, Py_ssize_t k):
    """The slot of the ``k``-th (0-based, slot order) feasible node whose total is ``best``."""
    if scores.shape[0] < status.shape[0] or scores.shape[1] != 7:
        raise ValueError("scores must be (n_slots, 7)")
    if status.shape[0] == 0:
        return -1
    return _pick_slot_order(&status[0], &scores[0, 0], 7, 1, status.shape[0], best, k)


cdef Py_ssize_t _pick_slot_order(const uint8_t* st, const int64_t* sc, Py_ssize_t rs, Py_ssize_t cs, Py_ssize_t N,
                                 int64_t best, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t n
    for n in range(N):
        if st[n] == ST_FEASIBLE and sc[n * rs + 6 * cs] == best:
            if k == 0:
                return n
            k -= 1
    return -1


# --- binding ----------------------------------------------------------------------------
cdef inline void bind_c(ClusterC* c, const PodC* p, Py_ssize_t n, int64_t sign) noexcept nogil:
    cdef Py_ssize_t r
    for r in range(c.n_res):
        c.used[r * c.n_slots + n] += sign * p.req[r]
    c.nzu[n] += sign * p.nz_cpu
    c.nzu[c.n_slots + n] += sign * p.nz_mem
    c.npods[n] += sign


def bind(FastCluster fc, FastPod fp, Py_ssize_t slot, int64_t sign=1):
    """Add (sign 1) or remove (sign -1) the pod's requests on ``slot``."""
    _check_fits(fc, fp)
    if slot < 0 or slot >= fc.c.n_slots:
        raise IndexError(slot)
    bind_c(&fc.c, &fp.p, slot, sign)


# --- incremental index -----------------------------------------------------------------
cdef class TemplateIndex:
    """The best node for one compiled pod, kept current under binds.

    A max segment tree over slots holds each node's total score (NO_TOTAL when
    infeasible) with the count of slots at the maximum, so the winner and the
    k-th tied slot are found in O(log N).  Normalized plugins depend on the
    maximum raw score over feasible nodes: histograms of those raw scores
    detect when that maximum moves, and then every total is recomputed.
    Exactly the same choices as :func:`scan` with the same generator.
    """
    cdef FastCluster fc
    cdef FastPod fp
    cdef Py_ssize_t size
    cdef int64_t* mx
    cdef int32_t* cnt
    cdef int64_t* traw
    cdef int64_t* araw
    cdef int64_t* thist
    cdef int64_t* ahist
    cdef Py_ssize_t tmax_cap, amax_cap
    cdef int64_t mt, ma
    cdef readonly Py_ssize_t n_feasible
    cdef public object seq
    cdef readonly Py_ssize_t rebuilds

    def __cinit__(self):
        self.mx = NULL
        self.cnt = NULL
        self.traw = NULL
        self.araw = NULL
        self.thist = NULL
        self.ahist = NULL

    def __init__(self, FastCluster fc, FastPod fp):
        _check_fits(fc, fp)
        self.fc = fc
        self.fp = fp
        self.seq = None
        self.rebuilds = 0
        cdef Py_ssize_t N = fc.c.n_slots
        self.size = 1
        while self.size < N:
            self.size *= 2
        self.tmax_cap = fc.c.n_taint_cols + 1
        self.amax_cap = fp.max_aff + 1
        self.mx = <int64_t*>malloc(2 * self.size * sizeof(int64_t))
        self.cnt = <int32_t*>malloc(2 * self.size * sizeof(int32_t))
        self.traw = <int64_t*>calloc(N, sizeof(int64_t))
        self.araw = <int64_t*>calloc(N, sizeof(int64_t))
        self.thist = <int64_t*>calloc(self.tmax_cap, sizeof(int64_t))
        self.ahist = <int64_t*>calloc(self.amax_cap, sizeof(int64_t))
        if not (self.mx and self.cnt and self.traw and self.araw and self.thist and self.ahist):
            raise MemoryError()
        self.rebuild()

    def __dealloc__(self):
        free(self.mx)
        free(self.cnt)
        free(self.traw)
        free(self.araw)
        free(self.thist)
        free(self.ahist)

    @property
    def cluster(self):
        return self.fc

    @property
    def pod(self):
        return self.fp

    cdef inline void _pull(self, Py_ssize_t i) noexcept nogil:
        cdef Py_ssize_t l = 2 * i, r = 2 * i + 1
        if self.mx[l] > self.mx[r]:
            self.mx[i] = self.mx[l]
            self.cnt[i] = self.cnt[l]
        elif self.mx[l] < self.mx[r]:
            self.mx[i] = self.mx[r]
            self.cnt[i] = self.cnt[r]
        else:
            self.mx[i] = self.mx[l]
            self.cnt[i] = self.cnt[l] + self.cnt[r]

    cdef void _rebuild_c(self) noexcept nogil:
        cdef const ClusterC* c = &self.fc.c
        cdef const PodC* p = &self.fp.p
        cdef Py_ssize_t N = c.n_slots, n, i
        cdef NodeEval ev
        cdef int64_t* fit = self.mx + self.size     # leaves hold the totals
        for i in range(self.tmax_cap):
            self.thist[i] = 0
        for i in range(self.amax_cap):
            self.ahist[i] = 0
        self.mt = 0
        self.ma = 0
        self.n_feasible = 0
        for n in range(N):
            _eval(c, p, n, &ev)
            if ev.status == ST_FEASIBLE:
                self.n_feasible += 1
                self.traw[n] = ev.traw
                self.araw[n] = ev.araw
                self.thist[ev.traw] += 1
                self.ahist[ev.araw] += 1
                if ev.traw > self.mt:
                    self.mt = ev.traw
                if ev.araw > self.ma:
                    self.ma = ev.araw
                self.mx[self.size + n] = p.w_fit * ev.fit + p.w_ba * ev.ba   # partial; normalized parts below
                self.cnt[self.size + n] = 1
            else:
                self.traw[n] = -1
                self.araw[n] = -1
                self.mx[self.size + n] = NO_TOTAL
                self.cnt[self.size + n] = 0
        for n in range(N, self.size):
            self.mx[self.size + n] = NO_TOTAL
            self.cnt[self.size + n] = 0
        for n in range(N):
            if self.traw[n] >= 0:
                self.mx[self.size + n] += total_of(p, 0, 0, self.traw[n], self.araw[n], self.mt, self.ma)
        i = self.size - 1
        while i >= 1:
            self._pull(i)
            i -= 1

    def rebuild(self):
        with nogil:
            self._rebuild_c()
        self.rebuilds += 1

    cdef int _update_c(self, Py_ssize_t n) noexcept nogil:
        """Re-evaluate one slot.  Returns 1 when a normalization maximum moved
        and the whole index was rebuilt."""
        cdef const ClusterC* c = &self.fc.c
        cdef const PodC* p = &self.fp.p
        cdef NodeEval ev
        cdef int64_t mt = self.mt, ma = self.ma
        cdef Py_ssize_t i
        if self.traw[n] >= 0:
            self.thist[self.traw[n]] -= 1
            self.ahist[self.araw[n]] -= 1
            self.n_feasible -= 1
        _eval(c, p, n, &ev)
        if ev.status == ST_FEASIBLE:
            self.n_feasible += 1
            self.traw[n] = ev.traw
            self.araw[n] = ev.araw
            self.thist[ev.traw] += 1
            self.ahist[ev.araw] += 1
        else:
            self.traw[n] = -1
            self.araw[n] = -1
        while mt > 0 and self.thist[mt] == 0:
            mt -= 1
        if ev.status == ST_FEASIBLE and ev.traw > mt:
            mt = ev.traw
        while ma > 0 and self.ahist[ma] == 0:
            ma -= 1
        if ev.status == ST_FEASIBLE and ev.araw > ma:
            ma = ev.araw
        if (p.w_taint and mt != self.mt) or (p.w_aff and ma != self.ma):
            self._rebuild_c()
            return 1
        self.mt = mt
        self.ma = ma
        i = self.size + n
        if ev.status == ST_FEASIBLE:
            self.mx[i] = total_of(p, ev.fit, ev.ba, ev.traw, ev.araw, mt, ma)
            self.cnt[i] = 1
        else:
            self.mx[i] = NO_TOTAL
            self.cnt[i] = 0
        i //= 2
        while i >= 1:
            self._pull(i)
            i //= 2
        return 0

    def update(self, Py_ssize_t slot):
        if slot < 0 or slot >= self.fc.c.n_slots:
            raise IndexError(slot)
        cdef int r
        with nogil:
            r = self._update_c(slot)
        self.rebuilds += r

    def update_many(self, int64_t[::1] slots):
        cdef Py_ssize_t i, N = self.fc.c.n_slots
        cdef int r = 0
        for i in range(slots.shape[0]):
            if slots[i] < 0 or slots[i] >= N:
                raise IndexError(slots[i])
        with nogil:
            for i in range(slots.shape[0]):
                r += self._update_c(slots[i])
        self.rebuilds += r

    cdef Py_ssize_t _select_c(self, uint64_t* rng) noexcept nogil:
        cdef int64_t best = self.mx[1]
        cdef int64_t k
        cdef Py_ssize_t i = 1
        if self.cnt[1] == 0:
            return -1
        k = 0
        if self.cnt[1] > 1:
            k = <int64_t>rng_below(rng, <uint64_t>self.cnt[1])
        while i < self.size:
            if self.mx[2 * i] == best:
                if k < self.cnt[2 * i]:
                    i = 2 * i
                    continue
                k -= self.cnt[2 * i]
            i = 2 * i + 1
        return i - self.size

    def best(self):
        """(max total, number of nodes at it); (NO_TOTAL, 0) when no node is feasible."""
        return self.mx[1], self.cnt[1]

    def select(self, Rng rng):
        """The chosen slot (ties broken with ``rng``), or -1 if none is feasible."""
        return self._select_c(&rng.state)

    def place_run(self, Rng rng, Py_ssize_t count, int64_t[::1] out, int64_t[::1] out_total, int64_t[::1] out_feasible):
        """Schedule ``count`` pods of this template one after another: choose,
        bind, update.  Writes the chosen slots, the winning totals and the
        feasible-node counts to the ``out`` arrays and returns how many were
        placed (stops at the first pod that fits nowhere)."""
        cdef Py_ssize_t k, slot, done = 0
        cdef int r = 0
        if out.shape[0] < count or out_total.shape[0] < count or out_feasible.shape[0] < count:
            raise ValueError("out too small")
        with nogil:
            for k in range(count):
                slot = self._select_c(&rng.state)
                if slot < 0:
                    break
                out_total[k] = self.mx[1]
                out_feasible[k] = self.n_feasible
                bind_c(&self.fc.c, &self.fp.p, slot, 1)
                r += self._update_c(slot)
                out[k] = slot
                done += 1
        self.rebuilds += r
        return done

    @property
    def nbytes(self):
        """Bytes this index holds in C."""
        return (2 * self.size * (sizeof(int64_t) + sizeof(int32_t)) + 2 * self.fc.c.n_slots * sizeof(int64_t)
                + (self.tmax_cap + self.amax_cap) * sizeof(int64_t))

    def totals(self):
        """Every slot's total score (NO_TOTAL = infeasible), for tests."""
        return np.array(<int64_t[:self.fc.c.n_slots]>(self.mx + self.size), dtype=np.int64)
