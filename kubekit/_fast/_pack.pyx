# cython: freethreading_compatible = False
"""Batch placement kernel: first-fit and best-fit decreasing over many bins,
with an index over the bins instead of a scan.

Semantics are those of ``kubekit/packing/heuristics.py`` (the plain-Python
twin), decision for decision, plus an optional GPU-share model whose twin is
``kubekit/packing/batch.py``.  Layouts are in ``_pack.pxd``; the design and
its costs in ``docs/packing-kernel.md``.

The index, per bin *signature* (the bins whose mask column is the same, so an
item may use all of them or none):

* the **open tree**, a segment tree over the signature's open bins in the
  order they were opened, holding per node the component-wise maximum
  residual (and, for best fit, the minimum residual and the maximum
  capacity).  First fit descends to the leftmost leaf whose residual covers
  the demand.  Best fit is a branch and bound for the best K leaves: a
  subtree is pruned when the fit measure of a synthetic bin built from the
  node's maxima / minima (an upper bound on every leaf below) cannot beat the
  K-th best leaf found, ties on position included;
* the **unused tree**, the signature's unused bins ordered by (cost, index)
  with their capacities: opening a bin is the leftmost fitting leaf.

**Candidate cache** (best fit).  A search keeps the best K bins of the item's
*shape* (its demand row and group) and the K-th key T: every other feasible
bin scores below T.  Every placement is logged; the next item of the shape
re-checks only the bins logged since (a bin that changed may have risen above
T: it joins the cache), re-scores the cache and, when its best still beats T,
that bin is the answer with no tree search.  Otherwise it searches again.

Float scores decide every comparison that is clear by more than a relative
1e-12 (their error is below 1e-14); the rest are decided in exact multi-word
integer arithmetic, as the twin's Python integers and fractions would.

Residuals only shrink, so "item shape X fitted none of the first k open bins
of signature s" stays true; ``memo`` keeps that k per (shape, signature) and
``nofit`` marks shapes that fit no unused bin.

Also here: ``FgdIndex``, FGD's score (fragmentation gradient descent) with a
per-pod-shape segment-tree index (twin: ``kubekit.packing.gpu.policies.FGD``,
wrapper ``kubekit.packing.gpu.fgd_kernel``), and ``FragRows``, the per-node
refresh of ``FragTable``.
"""

from libc.stdint cimport int32_t, int64_t, uint64_t, uint8_t

from kubekit._fast._libc cimport kk_uint128, fabs

import numpy as np

cdef int64_t I64_MAX = 0x7FFFFFFFFFFFFFFF
cdef double EPS = 1e-12

FIRST = FIT_FIRST
DOT = FIT_DOT
L2 = FIT_L2
MOST = FIT_MOST
GPU_MILLI_PER_GPU = GPU_MILLI
DEFAULT_CACHE = 32


# --- multi-word unsigned integers ---------------------------------------------
cdef inline void big_zero(uint64_t* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        a[j] = 0


cdef inline void big_addmul(uint64_t* acc, Py_ssize_t nacc, const uint64_t* u, Py_ssize_t nu,
                            uint64_t x) noexcept nogil:
    """acc += u * x (acc has room: nacc > nu)."""
    cdef kk_uint128 t
    cdef uint64_t carry = 0
    cdef Py_ssize_t j
    if x == 0:
        return
    for j in range(nu):
        t = <kk_uint128>u[j] * x + acc[j] + carry
        acc[j] = <uint64_t>t
        carry = <uint64_t>(t >> 64)
    j = nu
    while carry and j < nacc:
        t = <kk_uint128>acc[j] + carry
        acc[j] = <uint64_t>t
        carry = <uint64_t>(t >> 64)
        j += 1


cdef inline void big_mul64(uint64_t* a, Py_ssize_t n, uint64_t x) noexcept nogil:
    """a *= x in place (the top limb must have room)."""
    cdef kk_uint128 t
    cdef uint64_t carry = 0
    cdef Py_ssize_t j
    for j in range(n):
        t = <kk_uint128>a[j] * x + carry
        a[j] = <uint64_t>t
        carry = <uint64_t>(t >> 64)


cdef inline void big_add(uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil:
    cdef kk_uint128 t
    cdef uint64_t carry = 0
    cdef Py_ssize_t j
    for j in range(n):
        t = <kk_uint128>a[j] + b[j] + carry
        a[j] = <uint64_t>t
        carry = <uint64_t>(t >> 64)


cdef inline void big_mul(uint64_t* out, const uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil:
    """out[0:2n] = a[0:n] * b[0:n]."""
    cdef Py_ssize_t j
    big_zero(out, 2 * n)
    for j in range(n):
        big_addmul(out + j, 2 * n - j, a, n, b[j])


cdef inline int big_cmp(const uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j = n - 1
    while j >= 0:
        if a[j] != b[j]:
            return 1 if a[j] > b[j] else -1
        j -= 1
    return 0


cdef inline void _fraction_sum(uint64_t* num, uint64_t* den, uint64_t* tmp, Py_ssize_t nm, const int64_t* res,
                               const int64_t* cap, const int64_t* d, Py_ssize_t R) noexcept nogil:
    """num / den = sum over r with cap_r > 0 of (cap_r - res_r + d_r) / cap_r."""
    cdef Py_ssize_t r, k
    cdef int64_t c
    big_zero(num, nm)
    big_zero(den, nm)
    den[0] = 1
    for r in range(R):
        c = cap[r]
        if c <= 0:
            continue
        for k in range(nm):
            tmp[k] = den[k]
        big_mul64(tmp, nm, <uint64_t>(c - res[r] + d[r]))
        big_mul64(num, nm, <uint64_t>c)
        big_add(num, tmp, nm)
        big_mul64(den, nm, <uint64_t>c)


cdef inline int fcmp(double a, double b) noexcept nogil:
    """1: a > b for sure, -1: a < b for sure, 0: too close to call (both carry
    a relative error far below EPS)."""
    cdef double tol = EPS * (fabs(a) + fabs(b))
    if a - b > tol:
        return 1
    if b - a > tol:
        return -1
    return 0


cdef inline bint row_fits(const int64_t* row, const int64_t* col, const int64_t* val, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        if row[col[k]] < val[k]:
            return False
    return True


cdef class Packer:
    """One batch-placement problem, prepared once, run any number of times
    (``run(order, fit)``); ``kubekit.packing.batch`` builds the inputs.
    ``cache`` is K, the best-fit candidate cache size per item shape (0 or
    1: no cache, every best-fit item runs a tree search); ``cache_slots``
    how many shapes keep a cache at once (shape s uses slot s % slots);
    ``cache_log`` how many logged placements a cached answer may re-check
    before a search is cheaper (-1: 16 K).  None of them changes an answer."""

    def __init__(self, demand, cap, cost, item_group, spread, item_shape, memo_off, gsig_ptr, gsig, bin_sig,
                 unused_order, inv_c, inv_c2, big_u, allowed, Py_ssize_t gpu_col=-1, Py_ssize_t cache=DEFAULT_CACHE,
                 Py_ssize_t cache_slots=4096, Py_ssize_t cache_log=-1):
        def i64(name, a, ndim):
            a = np.ascontiguousarray(a, dtype=np.int64)
            if a.ndim != ndim:
                raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
            return a
        demand = i64("demand", demand, 2)
        cap = i64("cap", cap, 2)
        n, R = demand.shape
        m = cap.shape[0]
        if cap.shape[1] != R:
            raise ValueError(f"cap has {cap.shape[1]} resources, demand {R}")
        if R < 1:
            raise ValueError("at least one resource is needed")
        cost = i64("cost", cost, 1)
        item_group = i64("item_group", item_group, 1)
        spread = i64("spread", spread, 1)
        item_shape = i64("item_shape", item_shape, 1)
        memo_off = i64("memo_off", memo_off, 1)
        gsig_ptr = i64("gsig_ptr", gsig_ptr, 1)
        gsig = i64("gsig", gsig, 1)
        bin_sig = i64("bin_sig", bin_sig, 1)
        unused_order = i64("unused_order", unused_order, 1)
        inv_c = np.ascontiguousarray(inv_c, dtype=np.float64)
        inv_c2 = np.ascontiguousarray(inv_c2, dtype=np.float64)
        big_u = np.ascontiguousarray(big_u, dtype=np.uint64)
        allowed = np.ascontiguousarray(allowed).view(np.uint8) if np.asarray(allowed).dtype == np.bool_ \
            else np.ascontiguousarray(allowed, dtype=np.uint8)
        G = gsig_ptr.shape[0] - 1
        S = int(bin_sig.max()) + 1 if m else 0
        n_shapes = memo_off.shape[0]
        for name, a, size in (("cost", cost, m), ("item_group", item_group, n), ("spread", spread, n),
                              ("item_shape", item_shape, n), ("bin_sig", bin_sig, m),
                              ("unused_order", unused_order, m), ("inv_c", inv_c, R), ("inv_c2", inv_c2, R)):
            if a.shape[0] != size:
                raise ValueError(f"{name} has {a.shape[0]} entries, expected {size}")
        if big_u.ndim != 2 or big_u.shape[0] != R or big_u.shape[1] < 1:
            raise ValueError(f"big_u must have shape ({R}, limbs), got {big_u.shape}")
        if allowed.ndim != 2 or allowed.shape[0] != G or allowed.shape[1] != m:
            raise ValueError(f"allowed must have shape ({G}, {m}), got {allowed.shape}")
        if (demand < 0).any() or (cap < 0).any():
            raise ValueError("demands and capacities must be non-negative")
        if G < 1 or gsig_ptr[0] != 0 or (np.diff(gsig_ptr) < 0).any() or gsig_ptr[G] != gsig.shape[0]:
            raise ValueError("gsig_ptr is not a CSR pointer array over gsig")
        if n and ((item_group < 0).any() or (item_group >= G).any()):
            raise ValueError("item_group out of range")
        if m and ((bin_sig < 0).any()):
            raise ValueError("bin_sig out of range")
        if gsig.shape[0] and ((gsig < 0).any() or (gsig >= S).any()):
            raise ValueError("gsig names a signature with no bin")
        if m and not np.array_equal(np.sort(unused_order), np.arange(m)):
            raise ValueError("unused_order is not a permutation of the bins")
        if m and (np.diff(bin_sig[unused_order]) < 0).any():
            raise ValueError("unused_order must list the bins signature by signature")
        if m:
            # the signature lists must agree with the mask: group g may use bin b iff b's signature is g's
            sig_ok = np.zeros((G, S), dtype=bool)
            grp_of = np.repeat(np.arange(G), np.diff(gsig_ptr))
            sig_ok[grp_of, gsig] = True
            if not np.array_equal(sig_ok[:, bin_sig], allowed.astype(bool)):
                raise ValueError("gsig does not match the allowed mask")
        if (spread < -1).any():
            raise ValueError("spread ids must be >= -1")
        if n and ((item_shape < -1).any() or (item_shape >= n_shapes).any()):
            raise ValueError("item_shape out of range")
        memo_size = 0
        if n_shapes:
            has = item_shape >= 0
            shp = item_shape[has]
            grp = item_group[has]
            if (memo_off < 0).any():
                raise ValueError("memo_off must be non-negative")
            first_group = np.full(n_shapes, -1, dtype=np.int64)
            first_group[shp] = grp
            if (first_group[shp] != grp).any():
                raise ValueError("items of one shape must share their group")
            rows = demand[has]
            first_row = np.zeros((n_shapes, R), dtype=np.int64)
            first_row[shp] = rows
            if (first_row[shp] != rows).any():
                raise ValueError("items of one shape must share their demand row")
            need = np.zeros(n_shapes, dtype=np.int64)
            need[shp] = gsig_ptr[grp + 1] - gsig_ptr[grp]
            memo_size = int((memo_off + need).max())
        if gpu_col >= R or gpu_col < -1:
            raise ValueError(f"gpu_col {gpu_col} out of range")
        if cache < 0 or cache_slots < 1:
            raise ValueError("cache must be >= 0 and cache_slots >= 1")
        gpu_off = np.zeros(m + 1, dtype=np.int64)
        if gpu_col >= 0:
            gcap = cap[:, gpu_col]
            if (gcap % GPU_MILLI).any():
                raise ValueError(f"GPU-share capacities must be multiples of {GPU_MILLI}")
            gd = demand[:, gpu_col]
            if ((gd > GPU_MILLI) & (gd % GPU_MILLI != 0)).any():
                raise ValueError(f"a GPU-share demand above {GPU_MILLI} must be whole GPUs")
            gpu_off[1:] = np.cumsum(gcap // GPU_MILLI)
        self.n_items, self.n_res, self.n_bins = n, R, m
        self.n_sigs, self.n_groups, self.n_shapes = S, G, n_shapes
        self.gpu_col = gpu_col
        self.n_cols = R + (2 if gpu_col >= 0 else 0)
        self.demand, self.cap, self.cost = demand, cap, cost
        self.item_group, self.spread, self.item_shape = item_group, spread, item_shape
        self.memo_off, self.gsig_ptr, self.gsig = memo_off, gsig_ptr, gsig
        self.bin_sig, self.uslot_bin = bin_sig, unused_order
        self.inv_c, self.inv_c2, self.big_u = inv_c, inv_c2, big_u
        self.allowed = allowed
        self.gpu_off = gpu_off

        # one open tree and one unused tree per signature
        nb = np.bincount(bin_sig, minlength=S).astype(np.int64) if m else np.zeros(0, dtype=np.int64)
        P = np.ones(S, dtype=np.int64)
        for s in range(S):
            while P[s] < nb[s]:
                P[s] *= 2
        toff = np.zeros(S, dtype=np.int64)
        soff = np.zeros(S, dtype=np.int64)
        if S:
            toff[1:] = np.cumsum(2 * P)[:S - 1]
            soff[1:] = np.cumsum(nb)[:S - 1]
        rows = int((2 * P).sum())
        self.sig_P, self.sig_toff, self.sig_soff, self.sig_nb = P, toff, soff, nb
        bin_uslot = np.empty(m, dtype=np.int64)
        bin_uslot[unused_order] = np.arange(m, dtype=np.int64) - soff[bin_sig[unused_order]]
        self.bin_uslot = bin_uslot

        C = self.n_cols
        self.omax = np.empty((rows, C), dtype=np.int64)
        self.omin = np.empty((rows, R), dtype=np.int64)
        self.ocap = np.empty((rows, R), dtype=np.int64)
        self.umax = np.empty((rows, R), dtype=np.int64)
        self.oslot_bin = np.empty(m, dtype=np.int64)
        self.oslot_pos = np.empty(m, dtype=np.int64)
        self.n_open = np.zeros(S, dtype=np.int64)
        self.res = np.empty((m, R), dtype=np.int64)
        self.gpu_rem = np.empty(int(gpu_off[m]), dtype=np.int64)
        self.bin_slot = np.empty(m, dtype=np.int64)
        self.bin_ver = np.empty(m, dtype=np.int64)
        self.sp_head = np.empty(m, dtype=np.int64)
        self.sp_next = np.empty(n, dtype=np.int64)
        self.memo = np.zeros(max(memo_size, 1), dtype=np.int64)
        self.nofit = np.zeros(max(n_shapes, 1), dtype=np.uint8)
        self.w_chk_col = np.empty(C + 1, dtype=np.int64)
        self.w_chk_val = np.empty(C + 1, dtype=np.int64)
        self.w_act = np.empty(R, dtype=np.int64)
        self.syn_res = np.empty(R, dtype=np.int64)
        self.syn_cap = np.empty(R, dtype=np.int64)
        self.n_limbs = big_u.shape[1] + 3
        nm = R + 2
        self.n_work = max(2 * self.n_limbs, 6 * nm + 4 * nm)
        self.big = np.zeros(self.n_work, dtype=np.uint64)
        self.log_bin = np.empty(max(n, 1), dtype=np.int64)
        # best-fit search set and per-shape candidate cache
        K = cache if cache > 1 else 1
        self.cache_k = K
        self.cache_log = 16 * K if cache_log < 0 else cache_log
        self.top_bin = np.empty(K, dtype=np.int64)
        self.top_pos = np.empty(K, dtype=np.int64)
        self.top_f = np.empty(K, dtype=np.float64)
        NS = min(cache_slots, max(n_shapes, 1)) if K > 1 else 1
        self.n_cslots = NS
        self.c_tag = np.empty(NS, dtype=np.int64)
        self.c_cnt = np.zeros(NS, dtype=np.int64)
        self.c_bins = np.empty((NS, 2 * K), dtype=np.int64)
        self.c_ver = np.empty((NS, 2 * K), dtype=np.int64)
        self.c_f = np.empty((NS, 2 * K), dtype=np.float64)
        self.c_tnone = np.zeros(NS, dtype=np.uint8)
        self.c_tf = np.zeros(NS, dtype=np.float64)
        self.c_tpos = np.zeros(NS, dtype=np.int64)
        self.c_tres = np.zeros((NS, R), dtype=np.int64)
        self.c_tcap = np.zeros((NS, R), dtype=np.int64)
        self.c_logpos = np.zeros(NS, dtype=np.int64)
        self.fit = FIT_FIRST

    def run(self, order, int fit):
        """Place the items in ``order`` (a permutation of the items) with
        ``fit`` (FIRST, DOT, L2 or MOST); returns the bin per item, -1 for
        an item that fits nowhere."""
        order = np.ascontiguousarray(order, dtype=np.int64)
        if order.ndim != 1 or order.shape[0] != self.n_items:
            raise ValueError(f"order must list the {self.n_items} items, got shape {order.shape}")
        if self.n_items and (order.min() < 0 or order.max() >= self.n_items
                             or not (np.bincount(order, minlength=self.n_items) == 1).all()):
            raise ValueError("order must be a permutation of the items")
        if fit not in (FIT_FIRST, FIT_DOT, FIT_L2, FIT_MOST):
            raise ValueError(f"unknown fit id {fit}")
        out = np.full(self.n_items, -1, dtype=np.int64)
        cdef const int64_t[::1] o = order
        cdef int64_t[::1] a = out
        self.fit = fit
        with nogil:
            self._run(o, a)
        return out

    @property
    def bins_opened_order(self):
        """The bins of the last run in the order they were opened."""
        out = np.empty(self.opened, dtype=np.int64)
        pos = np.asarray(self.oslot_pos)
        bins = np.asarray(self.oslot_bin)
        soff = np.asarray(self.sig_soff)
        n_open = np.asarray(self.n_open)
        for s in range(self.n_sigs):
            sl = slice(soff[s], soff[s] + n_open[s])
            out[pos[sl]] = bins[sl]
        return out

    @property
    def nbytes(self):
        """Bytes of index, state and caches this packer holds."""
        arrays = [self.omax, self.omin, self.ocap, self.umax, self.oslot_bin, self.oslot_pos, self.res,
                  self.gpu_rem, self.bin_slot, self.sp_head, self.sp_next, self.memo, self.nofit, self.log_bin,
                  self.c_bins, self.c_tres, self.c_tcap]
        total = 0
        for a in arrays:
            total += np.asarray(a).nbytes
        return total

    # --- state ------------------------------------------------------------------
    cdef int _reset(self) except -1 nogil:
        cdef Py_ssize_t s, x, r, q, b, P, toff, soff, nb, j
        cdef Py_ssize_t R = self.n_res, C = self.n_cols
        self.visits = 0
        self.exact_calls = 0
        self.opened = 0
        self.searches = 0
        self.cache_hits = 0
        self.k_open = 0
        self.log_len = 0
        for x in range(self.omax.shape[0]):
            for r in range(C):
                self.omax[x, r] = -1
            for r in range(R):
                self.omin[x, r] = I64_MAX
                self.ocap[x, r] = -1
        for b in range(self.n_bins):
            for r in range(R):
                self.res[b, r] = self.cap[b, r]
            self.sp_head[b] = -1
            self.bin_ver[b] = 0
        for j in range(self.gpu_rem.shape[0]):
            self.gpu_rem[j] = GPU_MILLI
        for j in range(self.memo.shape[0]):
            self.memo[j] = 0
        for j in range(self.nofit.shape[0]):
            self.nofit[j] = 0
        for j in range(self.n_cslots):
            self.c_tag[j] = -1
        for s in range(self.n_sigs):
            self.n_open[s] = 0
            P = self.sig_P[s]
            toff = self.sig_toff[s]
            soff = self.sig_soff[s]
            nb = self.sig_nb[s]
            for q in range(P):
                if q < nb:
                    b = self.uslot_bin[soff + q]
                    for r in range(R):
                        self.umax[toff + P + q, r] = self.cap[b, r]
                else:
                    for r in range(R):
                        self.umax[toff + P + q, r] = -1
            x = P - 1
            while x >= 1:
                for r in range(R):
                    self.umax[toff + x, r] = max(self.umax[toff + 2 * x, r], self.umax[toff + 2 * x + 1, r])
                x -= 1
        return 0

    cdef int _load_item(self, Py_ssize_t i) except -1 nogil:
        cdef Py_ssize_t r, k = 0, R = self.n_res
        cdef int64_t v, g
        cdef ItemC* it = &self.it
        it.i = i
        it.group = self.item_group[i]
        it.spread = self.spread[i]
        it.d = &self.demand[i, 0]
        it.chk_col = &self.w_chk_col[0]
        it.chk_val = &self.w_chk_val[0]
        it.act = &self.w_act[0]
        # column 0 always: an unopened / removed slot holds -1 there
        self.w_chk_col[0] = 0
        self.w_chk_val[0] = self.demand[i, 0]
        k = 1
        it.n_act = 0
        for r in range(R):
            v = self.demand[i, r]
            if r > 0 and v > 0:
                self.w_chk_col[k] = r
                self.w_chk_val[k] = v
                k += 1
            if v > 0 and self.inv_c2[r] > 0:
                self.w_act[it.n_act] = r
                it.n_act += 1
        it.n_chk_res = k
        if self.gpu_col >= 0:
            g = self.demand[i, self.gpu_col]
            if 0 < g < GPU_MILLI:
                self.w_chk_col[k] = R                  # a GPU with the share left
                self.w_chk_val[k] = g
                k += 1
            elif g >= GPU_MILLI:
                self.w_chk_col[k] = R + 1              # enough wholly free GPUs
                self.w_chk_val[k] = g // GPU_MILLI
                k += 1
        it.n_chk = k
        return 0

    cdef int _excluded(self, Py_ssize_t b) except -1 nogil:
        """An item of the current item's spread group already sits in bin b."""
        cdef int64_t j
        if self.it.spread < 0:
            return 0
        j = self.sp_head[b]
        while j >= 0:
            if self.spread[j] == self.it.spread:
                return 1
            j = self.sp_next[j]
        return 0

    cdef inline Py_ssize_t _leaf_row(self, Py_ssize_t b) except -1 nogil:
        cdef Py_ssize_t s = self.bin_sig[b]
        return self.sig_toff[s] + self.sig_P[s] + self.bin_slot[b]

    cdef inline int64_t _pos(self, Py_ssize_t b) except -1 nogil:
        return self.oslot_pos[self.sig_soff[self.bin_sig[b]] + self.bin_slot[b]]

    # --- first fit ----------------------------------------------------------------
    cdef Py_ssize_t _first_open(self, Py_ssize_t s, Py_ssize_t start) except -2 nogil:
        """The leftmost open slot >= start of signature s that the item fits
        (capacity, GPUs, spread), or -1."""
        cdef Py_ssize_t stk_x[STACK_MAX]
        cdef Py_ssize_t stk_lo[STACK_MAX]
        cdef Py_ssize_t stk_sz[STACK_MAX]
        cdef Py_ssize_t sp = 1, x, lo, sz, half
        cdef Py_ssize_t toff = self.sig_toff[s], limit = self.n_open[s]
        cdef ItemC* it = &self.it
        stk_x[0] = 1
        stk_lo[0] = 0
        stk_sz[0] = self.sig_P[s]
        while sp:
            sp -= 1
            x = stk_x[sp]
            lo = stk_lo[sp]
            sz = stk_sz[sp]
            if lo + sz <= start or lo >= limit:
                continue
            self.visits += 1
            if not row_fits(&self.omax[toff + x, 0], it.chk_col, it.chk_val, it.n_chk):
                continue
            if sz == 1:
                if self._excluded(self.oslot_bin[self.sig_soff[s] + lo]):
                    continue
                return lo
            half = sz >> 1
            stk_x[sp] = 2 * x + 1
            stk_lo[sp] = lo + half
            stk_sz[sp] = half
            stk_x[sp + 1] = 2 * x
            stk_lo[sp + 1] = lo
            stk_sz[sp + 1] = half
            sp += 2
        return -1

    cdef Py_ssize_t _first_unused(self, Py_ssize_t s) except -2 nogil:
        """The leftmost unused slot of signature s (cheapest, then lowest
        index) whose capacity covers the demand, or -1."""
        cdef Py_ssize_t stk_x[STACK_MAX]
        cdef Py_ssize_t stk_sz[STACK_MAX]
        cdef Py_ssize_t sp = 1, x, sz
        cdef Py_ssize_t toff = self.sig_toff[s], P = self.sig_P[s]
        cdef ItemC* it = &self.it
        stk_x[0] = 1
        stk_sz[0] = P
        while sp:
            sp -= 1
            x = stk_x[sp]
            sz = stk_sz[sp]
            self.visits += 1
            if not row_fits(&self.umax[toff + x, 0], it.chk_col, it.chk_val, it.n_chk_res):
                continue
            if sz == 1:
                return x - P
            stk_x[sp] = 2 * x + 1
            stk_sz[sp] = sz >> 1
            stk_x[sp + 1] = 2 * x
            stk_sz[sp + 1] = sz >> 1
            sp += 2
        return -1

    # --- best fit: scores and comparisons -------------------------------------------
    cdef double _bound(self, Py_ssize_t row) except? -1e300 nogil:
        """The fit measure (larger is better; l2 negated) of the synthetic bin
        of a tree node: its maximum residual (dot), its minimum residual
        raised to the demand (l2), that and its maximum capacity (most).  It
        bounds every feasible leaf below the node, and is the leaf's own
        score at a leaf."""
        cdef const int64_t* d = self.it.d
        cdef const int64_t* mx
        cdef const int64_t* mn
        cdef const int64_t* cp
        cdef const double* ic2 = &self.inv_c2[0]
        cdef Py_ssize_t k, r, R = self.n_res
        cdef double s = 0.0, t
        cdef int64_t v
        if self.fit == FIT_DOT:
            mx = &self.omax[row, 0]
            for k in range(self.it.n_act):
                r = self.it.act[k]
                s += (<double>d[r] * <double>mx[r]) * ic2[r]
            return s
        mn = &self.omin[row, 0]
        if self.fit == FIT_L2:
            for r in range(R):
                v = mn[r]
                if v > d[r] and ic2[r] > 0:
                    t = <double>(v - d[r])
                    s += (t * t) * ic2[r]
            return -s
        cp = &self.ocap[row, 0]
        for r in range(R):
            if cp[r] > 0:
                v = mn[r] if mn[r] > d[r] else d[r]
                s += <double>(cp[r] - v + d[r]) / <double>cp[r]
        return s

    cdef int _load_syn(self, Py_ssize_t row) except -1 nogil:
        """The node's synthetic bin (see _bound) into syn_res / syn_cap."""
        cdef Py_ssize_t r
        cdef const int64_t* d = self.it.d
        for r in range(self.n_res):
            if self.fit == FIT_DOT:
                self.syn_res[r] = self.omax[row, r]
            else:
                self.syn_res[r] = self.omin[row, r] if self.omin[row, r] > d[r] else d[r]
                self.syn_cap[r] = self.ocap[row, r]
        return 0

    cdef int _exact(self, const int64_t* ra, const int64_t* ca, const int64_t* rb, const int64_t* cb) except -2 nogil:
        """The sign of score(a) - score(b), exactly (the twin's integers and
        fractions); ra/rb residuals before the item, ca/cb capacities."""
        cdef Py_ssize_t r, k, R = self.n_res, L = self.n_limbs, nu = self.big_u.shape[1], nm
        cdef const int64_t* d = self.it.d
        cdef uint64_t* A
        cdef uint64_t* B
        cdef kk_uint128 p
        cdef int64_t x
        cdef bint same = True
        # identical on every component the measure reads: equal, no arithmetic needed
        if self.fit == FIT_DOT:
            for k in range(self.it.n_act):
                r = self.it.act[k]
                if ra[r] != rb[r]:
                    same = False
                    break
        elif self.fit == FIT_L2:
            for r in range(R):
                if self.inv_c2[r] > 0 and ra[r] != rb[r]:
                    same = False
                    break
        else:
            for r in range(R):
                if (ca[r] > 0) != (cb[r] > 0) or (ca[r] > 0 and (ca[r] != cb[r] or ra[r] != rb[r])):
                    same = False
                    break
        if same:
            return 0
        self.exact_calls += 1
        A = &self.big[0]
        if self.fit == FIT_DOT or self.fit == FIT_L2:
            # sum_r w_r^2 * d_r * res_r (dot) or sum_r w_r^2 * (res_r - d_r)^2 (l2)
            B = A + L
            big_zero(A, 2 * L)
            for r in range(R):
                if self.inv_c2[r] <= 0 or (self.fit == FIT_DOT and d[r] == 0):
                    continue
                if self.fit == FIT_DOT:
                    p = <kk_uint128>(<uint64_t>d[r]) * <uint64_t>ra[r]
                else:
                    x = ra[r] - d[r]
                    p = <kk_uint128>(<uint64_t>x) * <uint64_t>x
                big_addmul(A, L, &self.big_u[r, 0], nu, <uint64_t>p)
                big_addmul(A + 1, L - 1, &self.big_u[r, 0], nu, <uint64_t>(p >> 64))
                if self.fit == FIT_DOT:
                    p = <kk_uint128>(<uint64_t>d[r]) * <uint64_t>rb[r]
                else:
                    x = rb[r] - d[r]
                    p = <kk_uint128>(<uint64_t>x) * <uint64_t>x
                big_addmul(B, L, &self.big_u[r, 0], nu, <uint64_t>p)
                big_addmul(B + 1, L - 1, &self.big_u[r, 0], nu, <uint64_t>(p >> 64))
            if self.fit == FIT_DOT:
                return big_cmp(A, B, L)
            return big_cmp(B, A, L)         # l2: a smaller residual norm is better
        # most: sum_r (cap_r - res_r + d_r) / cap_r over cap_r > 0, as num / den per side
        nm = R + 2
        _fraction_sum(A, A + nm, A + 4 * nm, nm, ra, ca, d, R)
        _fraction_sum(A + 2 * nm, A + 3 * nm, A + 4 * nm, nm, rb, cb, d, R)
        big_mul(A + 5 * nm, A, A + 3 * nm, nm)           # num_a * den_b
        big_mul(A + 7 * nm, A + 2 * nm, A + nm, nm)      # num_b * den_a
        return big_cmp(A + 5 * nm, A + 7 * nm, 2 * nm)

    cdef int _cmp_bins(self, Py_ssize_t a, double fa, Py_ssize_t b, double fb) except -2 nogil:
        """Key order of two open bins for the current item: score, then the
        earlier-opened bin first.  1: a is better."""
        cdef int f = fcmp(fa, fb)
        if f != 0:
            return f
        f = self._exact(&self.res[a, 0], &self.cap[a, 0], &self.res[b, 0], &self.cap[b, 0])
        if f != 0:
            return f
        return 1 if self._pos(a) < self._pos(b) else (-1 if self._pos(a) > self._pos(b) else 0)

    # --- best fit: the search for the K best bins -------------------------------------
    cdef int _prune(self, Py_ssize_t row, int64_t leftpos, double ub) except -1 nogil:
        """1 when no feasible leaf under the node (bound ub, leftmost open
        position leftpos) can enter the search set: the set is full and the
        bound is below its worst member, or equal to it while every leaf under
        the node was opened later."""
        cdef int f, e
        cdef Py_ssize_t w
        if self.top_cnt < self.top_k:
            return 0
        w = self.top_min
        f = fcmp(ub, self.top_f[w])
        if f < 0:
            return 1
        if f > 0:
            return 0
        self._load_syn(row)
        e = self._exact(&self.syn_res[0], &self.syn_cap[0], &self.res[self.top_bin[w], 0],
                        &self.cap[self.top_bin[w], 0])
        if e < 0:
            return 1
        if e == 0 and leftpos > self.top_pos[w]:
            return 1
        return 0

    cdef inline int _top_swap(self, Py_ssize_t a, Py_ssize_t b) except -1 nogil:
        cdef int64_t tb = self.top_bin[a], tp = self.top_pos[a]
        cdef double tf = self.top_f[a]
        self.top_bin[a] = self.top_bin[b]
        self.top_pos[a] = self.top_pos[b]
        self.top_f[a] = self.top_f[b]
        self.top_bin[b] = tb
        self.top_pos[b] = tp
        self.top_f[b] = tf
        return 0

    cdef int _accept(self, Py_ssize_t b, double f, int64_t pos) except -1 nogil:
        """Put a leaf that beats the set's worst member into the set (a binary
        heap with the worst member at the root: top_min is always 0)."""
        cdef Py_ssize_t j, c, p, n
        if self.top_cnt < self.top_k:
            j = self.top_cnt
            self.top_cnt += 1
            self.top_bin[j] = b
            self.top_f[j] = f
            self.top_pos[j] = pos
            while j > 0:
                p = (j - 1) >> 1
                if self._cmp_bins(self.top_bin[j], self.top_f[j], self.top_bin[p], self.top_f[p]) >= 0:
                    break
                self._top_swap(j, p)
                j = p
            return 0
        self.top_bin[0] = b
        self.top_f[0] = f
        self.top_pos[0] = pos
        j = 0
        n = self.top_cnt
        while True:
            c = 2 * j + 1
            if c >= n:
                break
            if c + 1 < n and self._cmp_bins(self.top_bin[c + 1], self.top_f[c + 1], self.top_bin[c], self.top_f[c]) < 0:
                c += 1
            if self._cmp_bins(self.top_bin[c], self.top_f[c], self.top_bin[j], self.top_f[j]) >= 0:
                break
            self._top_swap(j, c)
            j = c
        return 0

    cdef Py_ssize_t _top_best(self) except -2 nogil:
        """The best member of the search set (index), -1 when empty."""
        cdef Py_ssize_t j, w = 0
        if self.top_cnt == 0:
            return -1
        for j in range(1, self.top_cnt):
            if self._cmp_bins(self.top_bin[j], self.top_f[j], self.top_bin[w], self.top_f[w]) > 0:
                w = j
        return w

    cdef int _best_open(self, Py_ssize_t s, Py_ssize_t start) except -1 nogil:
        """Branch and bound over signature s's open slots >= start, adding
        the leaves that enter the best-K set."""
        cdef Py_ssize_t stk_x[STACK_MAX]
        cdef Py_ssize_t stk_lo[STACK_MAX]
        cdef Py_ssize_t stk_sz[STACK_MAX]
        cdef double stk_f[STACK_MAX]
        cdef Py_ssize_t sp = 0, x, lo, sz, half, c0, c1, first, b
        cdef Py_ssize_t toff = self.sig_toff[s], soff = self.sig_soff[s], limit = self.n_open[s]
        cdef double ub, f0 = 0.0, f1 = 0.0
        cdef bint ok0, ok1
        cdef ItemC* it = &self.it
        self.visits += 1
        if not row_fits(&self.omax[toff + 1, 0], it.chk_col, it.chk_val, it.n_chk):
            return 0
        stk_x[0] = 1
        stk_lo[0] = 0
        stk_sz[0] = self.sig_P[s]
        stk_f[0] = self._bound(toff + 1)
        sp = 1
        while sp:
            sp -= 1
            x = stk_x[sp]
            lo = stk_lo[sp]
            sz = stk_sz[sp]
            ub = stk_f[sp]
            first = lo if lo >= start else start
            if self._prune(toff + x, self.oslot_pos[soff + first], ub):
                continue
            if sz == 1:
                b = self.oslot_bin[soff + lo]
                if self._excluded(b):
                    continue
                # not pruned: strictly better than the worst member, or as good and opened earlier
                self._accept(b, ub, self.oslot_pos[soff + lo])
                continue
            half = sz >> 1
            c0 = 2 * x
            c1 = 2 * x + 1
            ok0 = lo + half > start and lo < limit
            ok1 = lo + half < limit
            self.visits += ok0 + ok1
            if ok0:
                ok0 = row_fits(&self.omax[toff + c0, 0], it.chk_col, it.chk_val, it.n_chk)
            if ok1:
                ok1 = row_fits(&self.omax[toff + c1, 0], it.chk_col, it.chk_val, it.n_chk)
            if ok0:
                f0 = self._bound(toff + c0)
            if ok1:
                f1 = self._bound(toff + c1)
            # push the worse child first, so the better one (left on a tie) is explored first
            if ok0 and ok1 and f1 > f0:
                stk_x[sp] = c0
                stk_lo[sp] = lo
                stk_sz[sp] = half
                stk_f[sp] = f0
                stk_x[sp + 1] = c1
                stk_lo[sp + 1] = lo + half
                stk_sz[sp + 1] = half
                stk_f[sp + 1] = f1
                sp += 2
                continue
            if ok1:
                stk_x[sp] = c1
                stk_lo[sp] = lo + half
                stk_sz[sp] = half
                stk_f[sp] = f1
                sp += 1
            if ok0:
                stk_x[sp] = c0
                stk_lo[sp] = lo
                stk_sz[sp] = half
                stk_f[sp] = f0
                sp += 1
        return 0

    cdef Py_ssize_t _search(self, Py_ssize_t j0, Py_ssize_t j1, Py_ssize_t moff, bint use_memo,
                            Py_ssize_t k) except -2 nogil:
        """The best k open candidates over the item's signatures into the
        search set; returns the best bin, or -1."""
        cdef Py_ssize_t j, s, start, w
        self.searches += 1
        self.top_k = k
        self.top_cnt = 0
        self.top_min = 0
        for j in range(j0, j1):
            s = self.gsig[j]
            start = self.memo[moff + j - j0] if use_memo else 0
            if start < self.n_open[s]:
                self._best_open(s, start)
        w = self._top_best()
        return self.top_bin[w] if w >= 0 else -1

    # --- best fit: the per-shape candidate cache ------------------------------------
    cdef int _cache_store(self, Py_ssize_t slot, Py_ssize_t shape) except -1 nogil:
        """Keep the search set as the shape's cache; T is its worst member,
        or none when the set holds every feasible bin."""
        cdef Py_ssize_t j, r, b
        self.c_tag[slot] = shape
        self.c_cnt[slot] = self.top_cnt
        for j in range(self.top_cnt):
            b = self.top_bin[j]
            self.c_bins[slot, j] = b
            self.c_f[slot, j] = self.top_f[j]
            self.c_ver[slot, j] = self.bin_ver[b]
        self.c_logpos[slot] = self.log_len
        if self.top_cnt < self.top_k:
            self.c_tnone[slot] = 1
            return 0
        self.c_tnone[slot] = 0
        j = self.top_min
        b = self.top_bin[j]
        self.c_tf[slot] = self.top_f[j]
        self.c_tpos[slot] = self.top_pos[j]
        for r in range(self.n_res):
            self.c_tres[slot, r] = self.res[b, r]
            self.c_tcap[slot, r] = self.cap[b, r]
        return 0

    cdef int _above_t(self, Py_ssize_t slot, Py_ssize_t b, double f) except -1 nogil:
        """Bin b (score f) beats the cache's threshold T."""
        cdef int e
        if self.c_tnone[slot]:
            return 1
        e = fcmp(f, self.c_tf[slot])
        if e == 0:
            e = self._exact(&self.res[b, 0], &self.cap[b, 0], &self.c_tres[slot, 0], &self.c_tcap[slot, 0])
        if e == 0:
            e = 1 if self._pos(b) < self.c_tpos[slot] else -1
        return 1 if e > 0 else 0

    cdef Py_ssize_t _cache_query(self, Py_ssize_t slot) except -3 nogil:
        """The best bin from the shape's cache: a bin, -1 (no open bin fits),
        or -2 (undecided: search)."""
        cdef Py_ssize_t e, n, b, row, best = -1, kmax = self.c_bins.shape[1]
        cdef int64_t j, g = self.it.group
        cdef double f, fbest = 0.0
        cdef ItemC* it = &self.it
        if self.log_len - self.c_logpos[slot] > self.cache_log:
            return -2
        # bins changed since the cache was synced may have risen above T
        for j in range(self.c_logpos[slot], self.log_len):
            b = self.log_bin[j]
            if not self.allowed[g, b]:
                continue
            row = self._leaf_row(b)
            if not row_fits(&self.omax[row, 0], it.chk_col, it.chk_val, it.n_chk):
                continue
            f = self._bound(row)
            if not self._above_t(slot, b, f):
                continue
            n = self.c_cnt[slot]
            for e in range(n):
                if self.c_bins[slot, e] == b:
                    break
            else:
                if n == kmax:
                    self.c_tag[slot] = -1
                    return -2
                self.c_bins[slot, n] = b
                self.c_f[slot, n] = f
                self.c_ver[slot, n] = self.bin_ver[b]
                self.c_cnt[slot] = n + 1
        self.c_logpos[slot] = self.log_len
        # the best cached bin; a bin changed since it was scored is re-checked
        # (one that no longer fits never will again, and leaves the cache)
        n = 0
        for e in range(self.c_cnt[slot]):
            b = self.c_bins[slot, e]
            f = self.c_f[slot, e]
            if self.c_ver[slot, e] != self.bin_ver[b]:
                row = self._leaf_row(b)
                if not row_fits(&self.omax[row, 0], it.chk_col, it.chk_val, it.n_chk):
                    continue
                f = self._bound(row)
            self.c_bins[slot, n] = b
            self.c_f[slot, n] = f
            self.c_ver[slot, n] = self.bin_ver[b]
            n += 1
            if best < 0 or f > fbest + EPS * (fabs(f) + fabs(fbest)) or (
                    f >= fbest - EPS * (fabs(f) + fabs(fbest)) and self._cmp_bins(b, f, best, fbest) > 0):
                best = b
                fbest = f
        self.c_cnt[slot] = n
        if best < 0:
            return -1 if self.c_tnone[slot] else -2
        if self._above_t(slot, best, fbest):
            return best
        return -2

    # --- updates ------------------------------------------------------------------
    cdef int _pull_open(self, Py_ssize_t s, Py_ssize_t slot) except -1 nogil:
        """Recompute the open tree of signature s above a changed leaf, stopping
        where nothing changes."""
        cdef Py_ssize_t toff = self.sig_toff[s], x = (self.sig_P[s] + slot) >> 1, r
        cdef Py_ssize_t R = self.n_res, C = self.n_cols, a, b
        cdef int64_t v
        cdef bint changed
        while x >= 1:
            changed = False
            a = toff + 2 * x
            b = a + 1
            for r in range(C):
                v = max(self.omax[a, r], self.omax[b, r])
                if v != self.omax[toff + x, r]:
                    self.omax[toff + x, r] = v
                    changed = True
            if self.fit == FIT_L2 or self.fit == FIT_MOST:
                for r in range(R):
                    v = min(self.omin[a, r], self.omin[b, r])
                    if v != self.omin[toff + x, r]:
                        self.omin[toff + x, r] = v
                        changed = True
                    v = max(self.ocap[a, r], self.ocap[b, r])
                    if v != self.ocap[toff + x, r]:
                        self.ocap[toff + x, r] = v
                        changed = True
            if not changed:
                break
            x >>= 1
        return 0

    cdef Py_ssize_t _open_bin(self, Py_ssize_t b) except -1 nogil:
        """Move bin b from the unused tree to the end of the open tree; returns its slot."""
        cdef Py_ssize_t s = self.bin_sig[b], toff = self.sig_toff[s], P = self.sig_P[s]
        cdef Py_ssize_t x = P + self.bin_uslot[b], r, q
        cdef Py_ssize_t R = self.n_res
        for r in range(R):
            self.umax[toff + x, r] = -1
        x >>= 1
        while x >= 1:
            for r in range(R):
                self.umax[toff + x, r] = max(self.umax[toff + 2 * x, r], self.umax[toff + 2 * x + 1, r])
            x >>= 1
        q = self.n_open[s]
        self.n_open[s] = q + 1
        self.oslot_bin[self.sig_soff[s] + q] = b
        self.oslot_pos[self.sig_soff[s] + q] = self.k_open
        self.k_open += 1
        self.opened += 1
        self.bin_slot[b] = q
        for r in range(R):
            self.ocap[toff + P + q, r] = self.cap[b, r]
        return q

    cdef int _place(self, Py_ssize_t i, Py_ssize_t b) except -1 nogil:
        """Put item i in open bin b: residuals, GPU slots, spread list, open tree, log."""
        cdef Py_ssize_t s = self.bin_sig[b], q = self.bin_slot[b], row, r, j, j0, j1, pick
        cdef Py_ssize_t R = self.n_res
        cdef int64_t g, need, mx, full, v
        for r in range(R):
            self.res[b, r] -= self.demand[i, r]
        row = self.sig_toff[s] + self.sig_P[s] + q
        for r in range(R):
            self.omax[row, r] = self.res[b, r]
            self.omin[row, r] = self.res[b, r]
        if self.gpu_col >= 0:
            j0 = self.gpu_off[b]
            j1 = self.gpu_off[b + 1]
            g = self.demand[i, self.gpu_col]
            if 0 < g < GPU_MILLI:
                # the tightest GPU that still has the share, lowest index on ties
                pick = -1
                for j in range(j0, j1):
                    v = self.gpu_rem[j]
                    if v >= g and (pick < 0 or v < self.gpu_rem[pick]):
                        pick = j
                self.gpu_rem[pick] -= g
            elif g >= GPU_MILLI:
                need = g // GPU_MILLI
                for j in range(j0, j1):
                    if need == 0:
                        break
                    if self.gpu_rem[j] == GPU_MILLI:
                        self.gpu_rem[j] = 0
                        need -= 1
            mx = 0
            full = 0
            for j in range(j0, j1):
                if self.gpu_rem[j] > mx:
                    mx = self.gpu_rem[j]
                if self.gpu_rem[j] == GPU_MILLI:
                    full += 1
            self.omax[row, R] = mx
            self.omax[row, R + 1] = full
        if self.spread[i] >= 0:
            self.sp_next[i] = self.sp_head[b]
            self.sp_head[b] = i
        self._pull_open(s, q)
        self.log_bin[self.log_len] = b
        self.log_len += 1
        self.bin_ver[b] += 1
        return 0

    # --- the run ------------------------------------------------------------------
    cdef int _run(self, const int64_t[::1] order, int64_t[::1] out) except -1 nogil:
        cdef Py_ssize_t t, i, j, j0, j1, s, q, shape, moff, b, best_b, u, start, slot = 0
        cdef int64_t best_pos, pos, no
        cdef bint memo_ok, cached
        self._reset()
        for t in range(self.n_items):
            i = order[t]
            self._load_item(i)
            j0 = self.gsig_ptr[self.it.group]
            j1 = self.gsig_ptr[self.it.group + 1]
            shape = self.item_shape[i]
            moff = self.memo_off[shape] if shape >= 0 else 0
            memo_ok = shape >= 0 and self.it.spread < 0
            best_b = -1
            if self.fit == FIT_FIRST:
                best_pos = I64_MAX
                for j in range(j0, j1):
                    s = self.gsig[j]
                    no = self.n_open[s]
                    start = self.memo[moff + j - j0] if shape >= 0 else 0
                    q = -1
                    if start < no:
                        q = self._first_open(s, start)
                    if memo_ok:
                        self.memo[moff + j - j0] = q if q >= 0 else no
                    if q >= 0:
                        pos = self.oslot_pos[self.sig_soff[s] + q]
                        if pos < best_pos:
                            best_pos = pos
                            best_b = self.oslot_bin[self.sig_soff[s] + q]
            else:
                cached = memo_ok and self.cache_k > 1
                best_b = -2
                if cached:
                    slot = shape % self.n_cslots
                    if self.c_tag[slot] == shape:
                        best_b = self._cache_query(slot)
                        if best_b != -2:
                            self.cache_hits += 1
                if best_b == -2:
                    best_b = self._search(j0, j1, moff, shape >= 0, self.cache_k if cached else 1)
                    if cached:
                        self._cache_store(slot, shape)
                    if best_b < 0 and memo_ok:
                        for j in range(j0, j1):
                            self.memo[moff + j - j0] = self.n_open[self.gsig[j]]
            if best_b < 0:
                # open the cheapest unused bin the item fits, lowest index on ties
                if shape < 0 or not self.nofit[shape]:
                    for j in range(j0, j1):
                        s = self.gsig[j]
                        u = self._first_unused(s)
                        if u >= 0:
                            b = self.uslot_bin[self.sig_soff[s] + u]
                            if best_b < 0 or self.cost[b] < self.cost[best_b] or (
                                    self.cost[b] == self.cost[best_b] and b < best_b):
                                best_b = b
                    if best_b < 0 and shape >= 0:
                        self.nofit[shape] = 1
                if best_b < 0:
                    continue
                self._open_bin(best_b)
            self._place(i, best_b)
            out[i] = best_b
        return 0


# --- FGD ------------------------------------------------------------------------
cdef int64_t I64_MIN = -0x7FFFFFFFFFFFFFFF - 1


cdef inline void gpus_for_target(const int64_t[:, ::1] gpu_left, Py_ssize_t n, Py_ssize_t G, int64_t tm,
                                 int64_t* h, int64_t* s) noexcept nogil:
    """Of node n's GPUs: how many have at least ``tm`` left (``h``), and the
    sum of what the others have left (``s``): FGD's H and S for one target."""
    cdef Py_ssize_t j
    cdef int64_t g
    h[0] = 0
    s[0] = 0
    for j in range(G):
        g = gpu_left[n, j]
        if g >= tm:
            h[0] += 1
        else:
            s[0] += g


def fgd_tree_levels(Py_ssize_t n):
    """The layout of an ``FgdIndex`` tree over ``n`` nodes: per level (0 =
    the leaves, the last = the root) its offset, its width and how many of
    its entries are real (the rest is padding).  Below the root every width
    is a multiple of 8: entry j of level k+1 is the best of entries
    8j..8j+7 of level k, one 64-byte line of scores."""
    off, width, real = [], [], []
    r = max(n, 1)
    w = -(-r // 8) * 8
    total = 0
    while True:
        off.append(total)
        width.append(w)
        real.append(r)
        total += w
        if w == 1:
            break
        r = w // 8
        w = 1 if r == 1 else -(-r // 8) * 8
    return off, width, real


def fgd_slot_bytes(Py_ssize_t n) -> int:
    """Bytes of one ``FgdIndex`` cache slot (tree) over ``n`` nodes: an
    int64 score and an int32 count per tree entry."""
    off, width, _ = fgd_tree_levels(n)
    return 12 * sum(width)


cdef inline void best8(const int64_t* sc, const int32_t* ct, int64_t* best, int32_t* count) noexcept nogil:
    """The best of 8 consecutive entries and how many leaves reach it (0 when none is feasible)."""
    cdef int64_t m = sc[0]
    cdef int32_t c = 0
    cdef int j
    for j in range(1, 8):
        if sc[j] > m:
            m = sc[j]
    for j in range(8):
        if sc[j] == m:
            c += ct[j]
    best[0] = m
    count[0] = c


cdef class FgdIndex:
    """FGD's score (Weng et al., USENIX ATC'23) for every node, with an
    index: ``best(shape)`` answers "which feasible node scores highest, ties
    to the lowest leaf position" without scanning the nodes.

    Semantics are those of ``kubekit.packing.gpu.policies.FGD`` (the
    plain-Python twin) and ``GpuScheduler``'s host selection; the wrapper is
    ``kubekit.packing.gpu.fgd_kernel``.  The score of node ``n`` for a pod is
    ``q(F_n - F_n')``: ``F_n`` the node's fragmentation against the target
    workload, ``F_n'`` after the pod is placed (a sharing pod: on the GPU
    that scores best, lowest index among equals), ``q`` the identity
    (exact) or the simulator's 0-100 truncation, given as thresholds.

    Feasibility may also check (``extra``) each node's ephemeral storage
    (``storage_left``) and pod limit (``pods_on < pod_limit``), and a
    shape may carry a node mask (``add_shape(..., node_mask)``: the nodes
    the scheduler's non-resource filters let the pod use).

    The index.  A score depends only on the node's own state and the pod's
    *shape* (its requests, GPU models and node mask); eligibility is the
    only part that depends on the node's identity, so it is checked
    outside the state memo.  Each cache slot holds an 8-ary
    max tree over the nodes for one shape (``fgd_tree_levels``): per tree
    entry the best score below and how many leaves reach it.  Every node change is appended to a change
    log; a query for a shape re-scores only the nodes logged since its slot
    was last brought up to date (O(log N) each), or rebuilds the slot from
    every node when it was given to the shape (the least recently used
    slot) or lags by more than N entries; a rebuild scores each distinct
    node state once (node states are interned as they change).
    Leaves are ordered by ``pos`` (the tie order: the seeded node rank, or
    the node index), so the leftmost best leaf is the node
    ``select_host`` picks, and ``kth`` gives the k-th best for random ties.
    """

    def __init__(self, cpu_left, mem_left, gpu_left, model, Py_ssize_t n_models, t_cpu, t_milli, t_count, t_weight,
                 t_access, pos, thresholds=None, Py_ssize_t cache_slots=64, Py_ssize_t state_capacity=0,
                 storage_left=None, pods_on=None, pod_limit=None):
        def i64(name, a, ndim, shape=None):
            a = np.asarray(a)
            if a.dtype != np.int64 or a.ndim != ndim or not a.flags.c_contiguous:
                raise ValueError(f"{name} must be a C-contiguous {ndim}-D int64 array, got {a.dtype} {a.shape}")
            if shape is not None and a.shape[0] != shape:
                raise ValueError(f"{name} has {a.shape[0]} rows, expected {shape}")
            return a
        cpu_left = i64("cpu_left", cpu_left, 1)
        n = cpu_left.shape[0]
        mem_left = i64("mem_left", mem_left, 1, n)
        gpu_left = i64("gpu_left", gpu_left, 2, n)
        model = i64("model", model, 1, n)
        if n and ((model < -1).any() or (model >= n_models).any()):
            raise ValueError("model out of range")
        # optional limits: storage_left and pods_on are written by place (the cluster's own arrays)
        if pod_limit is not None and pods_on is None:
            raise ValueError("pod_limit needs pods_on")
        self.extra = storage_left is not None or pod_limit is not None
        storage_left = np.full(n, I64_MAX, dtype=np.int64) if storage_left is None else \
            i64("storage_left", storage_left, 1, n)
        pods_on = np.zeros(n, dtype=np.int64) if pods_on is None else i64("pods_on", pods_on, 1, n)
        pod_limit = np.full(n, I64_MAX, dtype=np.int64) if pod_limit is None else i64("pod_limit", pod_limit, 1, n)
        self.storage_left, self.pods_on, self.pod_limit = storage_left, pods_on, pod_limit
        t_cpu = np.ascontiguousarray(t_cpu, dtype=np.int64)
        T = t_cpu.shape[0]
        t_milli = np.ascontiguousarray(t_milli, dtype=np.int64)
        t_count = np.ascontiguousarray(t_count, dtype=np.int64)
        t_weight = np.ascontiguousarray(t_weight, dtype=np.int64)
        t_access = np.ascontiguousarray(t_access, dtype=np.uint8).reshape(T, n_models + 1)
        for name, a in (("t_milli", t_milli), ("t_count", t_count), ("t_weight", t_weight)):
            if a.shape[0] != T:
                raise ValueError(f"{name} has {a.shape[0]} entries, expected {T}")
        pos = np.ascontiguousarray(pos, dtype=np.int64)
        if pos.shape[0] != n or not np.array_equal(np.sort(pos), np.arange(n)):
            raise ValueError("pos must be a permutation of the nodes")
        if thresholds is None:
            self.simulator = False
            self.thr = np.zeros(0, dtype=np.int64)
        else:
            thr = np.ascontiguousarray(thresholds, dtype=np.int64)
            if thr.ndim != 1 or (np.diff(thr) < 0).any():
                raise ValueError("thresholds must be non-decreasing")
            self.simulator = True
            self.thr = thr
        if cache_slots < 1:
            raise ValueError("cache_slots must be >= 1")
        self.n_nodes, self.n_gpus, self.n_targets, self.n_models = n, gpu_left.shape[1], T, n_models
        self.cpu_left, self.mem_left, self.gpu_left, self.model = cpu_left, mem_left, gpu_left, model
        self.t_cpu, self.t_milli, self.t_count, self.t_weight, self.t_access = t_cpu, t_milli, t_count, t_weight, \
            t_access
        if n >= 2 ** 31:
            raise ValueError("at most 2**31 - 1 nodes")
        off, width, real = fgd_tree_levels(n)
        self.n_levels = len(off)
        self.tree_width = sum(width)
        self.lvl_off = np.array(off, dtype=np.int64)
        self.lvl_width = np.array(width, dtype=np.int64)
        self.lvl_real = np.array(real, dtype=np.int64)
        self.pos = pos
        leaf_node = np.full(width[0], -1, dtype=np.int64)
        leaf_node[pos] = np.arange(n, dtype=np.int64)
        self.leaf_node = leaf_node
        self.n_slots = cache_slots
        self.tscore = np.empty((cache_slots, self.tree_width), dtype=np.int64)
        self.tcount = np.empty((cache_slots, self.tree_width), dtype=np.int32)
        self.slot_tag = np.full(cache_slots, -1, dtype=np.int64)
        self.slot_log = np.zeros(cache_slots, dtype=np.int64)
        self.slot_used = np.full(cache_slots, -1, dtype=np.int64)
        self.shape_slot = np.full(8, -1, dtype=np.int64)
        self.log = np.zeros(n + 1, dtype=np.int64)
        self.log_len = 0
        self.stamp = np.zeros(max(n, 1), dtype=np.int64)
        self.stamp_now = 0
        self.L = np.zeros(n, dtype=np.int64)
        self.frag = np.zeros(n, dtype=np.int64)
        self.H = np.zeros((n, T), dtype=np.int64)
        self.S = np.zeros((n, T), dtype=np.int64)
        self.w_old = np.zeros(max(self.n_gpus, 1), dtype=np.int64)
        self.w_new = np.zeros(max(self.n_gpus, 1), dtype=np.int64)
        # state ids before the table is refilled from the nodes (at least one per node)
        cap = max(4 * n, 64) if state_capacity <= 0 else max(state_capacity, n, 1)
        self.state_id = np.zeros(max(n, 1), dtype=np.int64)
        self.st_row = np.zeros((cap, 5 + self.n_gpus), dtype=np.int64)
        table = 1
        while table < 2 * cap:
            table *= 2
        self.st_table = np.full(table, -1, dtype=np.int64)
        self.n_states = 0
        self.memo_val = np.zeros(cap, dtype=np.int64)
        self.memo_gen = np.zeros(cap, dtype=np.int64)
        self.memo_now = 0
        self.s_cpu = np.zeros(8, dtype=np.int64)
        self.s_mem = np.zeros(8, dtype=np.int64)
        self.s_count = np.zeros(8, dtype=np.int64)
        self.s_milli = np.zeros(8, dtype=np.int64)
        self.s_storage = np.zeros(8, dtype=np.int64)
        self.s_mask = np.full(8, -1, dtype=np.int64)
        self.s_models = np.zeros((8, n_models + 1), dtype=np.uint8)
        self.masks = np.zeros((1, max(n, 1)), dtype=np.uint8)
        self.n_masks = 0
        self.mask_ids = {}
        self.n_shapes = 0
        self.total = 0
        cdef Py_ssize_t i, n_c = self.n_nodes
        with nogil:
            for i in range(n_c):
                self._refresh(i)

    def add_shape(self, int64_t cpu_milli, int64_t memory_bytes, int64_t gpu_count, int64_t gpu_milli,
                  models_ok, node_mask=None, int64_t storage_bytes=0) -> int:
        """Register a pod shape; returns its id.  ``models_ok`` (M + 1 bools):
        column 0 "a node without GPU", column k + 1 model k.  ``node_mask``
        (N bools, ``None``: every node): the nodes the pod may use at all.
        ``storage_bytes``: its ephemeral storage (checked when the index
        was given ``storage_left``)."""
        ok = np.ascontiguousarray(models_ok, dtype=np.uint8).reshape(self.n_models + 1)
        if cpu_milli < 0 or memory_bytes < 0 or gpu_count < 0 or gpu_milli < 0 or gpu_milli > GPU_MILLI \
                or (gpu_count == 0) != (gpu_milli == 0) or storage_bytes < 0:
            raise ValueError("invalid pod shape")
        cdef Py_ssize_t s = self.n_shapes, row = -1
        if node_mask is not None:
            m = np.ascontiguousarray(np.asarray(node_mask).astype(bool), dtype=np.uint8)
            if m.shape != (self.n_nodes,):
                raise ValueError(f"node_mask must have one entry per node ({self.n_nodes}), got shape {m.shape}")
            key = m.tobytes()
            row = self.mask_ids.get(key, -1)
            if row < 0:
                row = self.n_masks
                if row == self.masks.shape[0]:
                    self.masks = np.concatenate([self.masks, np.zeros_like(self.masks)])
                np.asarray(self.masks)[row, :self.n_nodes] = m
                self.mask_ids[key] = row
                self.n_masks = row + 1
        if s == self.s_cpu.shape[0]:
            self.s_cpu = np.concatenate([self.s_cpu, np.zeros(s, dtype=np.int64)])
            self.s_mem = np.concatenate([self.s_mem, np.zeros(s, dtype=np.int64)])
            self.s_count = np.concatenate([self.s_count, np.zeros(s, dtype=np.int64)])
            self.s_milli = np.concatenate([self.s_milli, np.zeros(s, dtype=np.int64)])
            self.s_storage = np.concatenate([self.s_storage, np.zeros(s, dtype=np.int64)])
            self.s_mask = np.concatenate([self.s_mask, np.full(s, -1, dtype=np.int64)])
            self.s_models = np.concatenate([self.s_models, np.zeros((s, self.n_models + 1), dtype=np.uint8)])
            self.shape_slot = np.concatenate([self.shape_slot, np.full(s, -1, dtype=np.int64)])
        self.s_cpu[s], self.s_mem[s], self.s_count[s], self.s_milli[s] = cpu_milli, memory_bytes, gpu_count, gpu_milli
        self.s_storage[s], self.s_mask[s] = storage_bytes, row
        np.asarray(self.s_models)[s] = ok
        self.n_shapes = s + 1
        return s

    def node_changed(self, Py_ssize_t i) -> None:
        """Node ``i``'s state changed (a bind or an unbind): re-derive its
        pieces and log it."""
        if not 0 <= i < self.n_nodes:
            raise IndexError(f"node {i} out of range")
        with nogil:
            self._refresh(i)
            self.log[self.log_len % self.log.shape[0]] = i
            self.log_len += 1

    def best(self, Py_ssize_t shape):
        """``(node, ties)``: the feasible node with the best score for
        ``shape``, first in leaf order, and how many nodes share that score
        (``(-1, 0)`` when no node is feasible)."""
        cdef Py_ssize_t slot, v
        if not 0 <= shape < self.n_shapes:
            raise IndexError(f"shape {shape} out of range")
        with nogil:
            slot = self._sync(shape)
            self.queries += 1
            v = self._leftmost_best(slot)
        if v < 0:
            return -1, 0
        return v, int(self.tcount[slot, self.tree_width - 1])

    def place(self, shapes, int64_t[::1] cpu_left, int64_t[::1] mem_left, int64_t[:, ::1] gpu_left,
              int64_t[::1] out_node, int64_t[:, ::1] out_gpus) -> int:
        """Place a sequence of pods, one after the other, as ``best`` (ties
        to the first node in leaf order) and ``gpus`` would, binding each into
        the cluster's arrays before the next: ``shapes[i]`` is pod ``i``'s
        shape; ``out_node[i]`` its node (-1: no node fits, nothing bound),
        ``out_gpus[i, :gpu_count]`` its GPUs in ascending order (-1 after).
        ``cpu_left``, ``mem_left`` and ``gpu_left`` are writable views of the
        very arrays the index reads (the cluster's); the index's
        ``storage_left`` and ``pods_on`` (the cluster's when it was given
        them) are updated too, so later pods see them.  Every changed node
        is refreshed and logged as ``node_changed`` would.  Returns the
        number of pods placed.  The caller keeps the rest of the cluster's
        bookkeeping (GPU pods by kind, other listeners) for the changed
        nodes."""
        cdef const int64_t[::1] sh = np.ascontiguousarray(shapes, dtype=np.int64)
        cdef Py_ssize_t n_pods = sh.shape[0], i, j, slot, n, N = self.n_nodes, G = self.n_gpus
        cdef int64_t s, placed = 0, c, milli
        if cpu_left.shape[0] != N or mem_left.shape[0] != N or gpu_left.shape[0] != N or gpu_left.shape[1] != G:
            raise ValueError("cpu_left, mem_left, gpu_left must be the index's arrays")
        if N and (&cpu_left[0] != &self.cpu_left[0] or &mem_left[0] != &self.mem_left[0]
                  or (G and &gpu_left[0, 0] != &self.gpu_left[0, 0])):
            raise ValueError("cpu_left, mem_left, gpu_left must be the index's arrays (the same memory)")
        if out_node.shape[0] != n_pods or out_gpus.shape[0] != n_pods or out_gpus.shape[1] < G:
            raise ValueError(f"out_node/out_gpus must have {n_pods} rows (out_gpus at least {G} columns)")
        for i in range(n_pods):
            if not 0 <= sh[i] < self.n_shapes:
                raise IndexError(f"shape {sh[i]} out of range")
        with nogil:
            for i in range(n_pods):
                s = sh[i]
                for j in range(out_gpus.shape[1]):
                    out_gpus[i, j] = -1
                slot = self._sync(s)
                self.queries += 1
                n = self._leftmost_best(slot)
                out_node[i] = n
                if n < 0:
                    continue
                self._pick_gpus(s, n, &out_gpus[i, 0])
                cpu_left[n] -= self.s_cpu[s]
                mem_left[n] -= self.s_mem[s]
                self.storage_left[n] -= self.s_storage[s]
                self.pods_on[n] += 1
                milli = self.s_milli[s]
                for c in range(self.s_count[s]):
                    gpu_left[n, out_gpus[i, c]] -= milli
                self._refresh(n)
                self.log[self.log_len % self.log.shape[0]] = n
                self.log_len += 1
                placed += 1
        return placed

    def kth(self, Py_ssize_t shape, int64_t k) -> int:
        """The ``k``-th (from 0, in leaf order) of the nodes with the best
        score for ``shape``."""
        cdef Py_ssize_t slot, i = 0, lv, c, base, root = self.tree_width - 1
        cdef int64_t top
        if not 0 <= shape < self.n_shapes:
            raise IndexError(f"shape {shape} out of range")
        with nogil:
            slot = self._sync(shape)
            top = self.tscore[slot, root]
        if top == I64_MIN or not 0 <= k < self.tcount[slot, root]:
            raise IndexError(f"no {k}-th best node")
        with nogil:
            for lv in range(self.n_levels - 1, 0, -1):
                base = self.lvl_off[lv - 1] + 8 * i
                for c in range(8):
                    if self.tscore[slot, base + c] == top:
                        if k < self.tcount[slot, base + c]:
                            break
                        k -= self.tcount[slot, base + c]
                i = 8 * i + c
        return int(self.leaf_node[i])

    def score(self, Py_ssize_t shape, Py_ssize_t node):
        """``(score, gpu)`` of ``node`` for ``shape`` computed afresh
        (``gpu``: a sharing pod's best GPU, else -1), or ``None`` when the pod
        does not fit."""
        cdef Py_ssize_t gpu = -1
        cdef int64_t v
        if not 0 <= shape < self.n_shapes or not 0 <= node < self.n_nodes:
            raise IndexError("shape or node out of range")
        with nogil:
            v = self._score(shape, node, &gpu)
        return None if v == I64_MIN else (int(v), int(gpu))

    def gpus(self, Py_ssize_t shape, Py_ssize_t node) -> tuple:
        """The GPUs the pod takes on ``node``: a sharing pod the one FGD
        scores best (lowest index among equals); others the ``gpu_count``
        GPUs with the least share that suffices, lowest index first
        (``least_sufficient_gpus``), returned sorted."""
        cdef int64_t[::1] out
        cdef int r
        if not 0 <= shape < self.n_shapes or not 0 <= node < self.n_nodes:
            raise IndexError("shape or node out of range")
        out = np.empty(max(self.n_gpus, 1), dtype=np.int64)
        with nogil:
            r = self._pick_gpus(shape, node, &out[0])
        if r < 0:
            raise ValueError(f"shape {shape} does not fit node {node}")
        return tuple(int(out[c]) for c in range(r))

    @property
    def node_frag(self):
        """``F_n`` of every node (a copy)."""
        return np.asarray(self.frag).copy()

    # -- internals (nogil) ------------------------------------------------------
    cdef int _refresh(self, Py_ssize_t n) except -1 nogil:
        cdef Py_ssize_t j, m
        cdef int64_t g, Lv = 0
        for j in range(self.n_gpus):
            Lv += self.gpu_left[n, j]
        self.L[n] = Lv
        for m in range(self.n_targets):
            gpus_for_target(self.gpu_left, n, self.n_gpus, self.t_milli[m], &self.H[n, m], &self.S[n, m])
        g = self._frag_after(n, self.cpu_left[n], 0)
        self.total += g - self.frag[n]
        self.frag[n] = g
        self._intern(n)
        return 0

    cdef int _intern(self, Py_ssize_t n) except -1 nogil:
        """state_id[n] := the id of node n's state, added if new.  A full
        table is emptied and refilled from the nodes' current states (old
        ids are then meaningless, so the rebuild memo is invalidated)."""
        cdef Py_ssize_t m, first = n, last = n + 1, j, G = self.n_gpus, mask = self.st_table.shape[0] - 1, e
        cdef int64_t sid, st = 0, room = 0
        cdef uint64_t h
        if self.n_states == self.st_row.shape[0]:
            self.state_resets += 1
            self.memo_now += 1
            for e in range(self.st_table.shape[0]):
                self.st_table[e] = -1
            self.n_states = 0
            first = 0
            last = self.n_nodes
        for m in range(first, last):
            h = <uint64_t>(self.model[m] + 2) * <uint64_t>0x9E3779B97F4A7C15ULL
            h = (h ^ <uint64_t>self.cpu_left[m]) * <uint64_t>0xBF58476D1CE4E5B9ULL
            h = (h ^ <uint64_t>self.mem_left[m]) * <uint64_t>0x94D049BB133111EBULL
            if self.extra:      # storage and "room for one more pod" decide feasibility: part of the state
                st = self.storage_left[m]
                room = self.pods_on[m] < self.pod_limit[m]
                h = (h ^ <uint64_t>st) * <uint64_t>0xBF58476D1CE4E5B9ULL
                h = (h ^ <uint64_t>room) * <uint64_t>0x94D049BB133111EBULL
            for j in range(G):
                h = (h ^ <uint64_t>self.gpu_left[m, j]) * <uint64_t>0x9E3779B97F4A7C15ULL
            e = <Py_ssize_t>((h ^ (h >> 31)) & <uint64_t>mask)
            while True:
                sid = self.st_table[e]
                if sid < 0:
                    sid = self.n_states
                    self.n_states += 1
                    self.st_row[sid, 0] = self.model[m]
                    self.st_row[sid, 1] = self.cpu_left[m]
                    self.st_row[sid, 2] = self.mem_left[m]
                    self.st_row[sid, 3] = st
                    self.st_row[sid, 4] = room
                    for j in range(G):
                        self.st_row[sid, 5 + j] = self.gpu_left[m, j]
                    self.st_table[e] = sid
                    break
                if self.st_row[sid, 0] == self.model[m] and self.st_row[sid, 1] == self.cpu_left[m] \
                        and self.st_row[sid, 2] == self.mem_left[m] and self.st_row[sid, 3] == st \
                        and self.st_row[sid, 4] == room:
                    j = 0
                    while j < G and self.st_row[sid, 5 + j] == self.gpu_left[m, j]:
                        j += 1
                    if j == G:
                        break
                e = (e + 1) & mask
            self.state_id[m] = sid
        return 0

    cdef int64_t _frag_after(self, Py_ssize_t n, int64_t cpu_after, Py_ssize_t k) except? -1 nogil:
        """F of node n after it gives CPU down to cpu_after and its GPUs
        w_old[:k] become w_new[:k] (thousandths)."""
        cdef Py_ssize_t j, m
        cdef Py_ssize_t col = self.model[n] + 1
        cdef int64_t Lv = self.L[n], F = 0, tm, h, s, o, w
        for j in range(k):
            Lv -= self.w_old[j] - self.w_new[j]
        for m in range(self.n_targets):
            tm = self.t_milli[m]
            if tm == 0 or not self.t_access[m, col] or cpu_after < self.t_cpu[m]:
                F += self.t_weight[m] * Lv
                continue
            h = self.H[n, m]
            s = self.S[n, m]
            for j in range(k):
                o = self.w_old[j]
                w = self.w_new[j]
                if w >= tm:
                    h += 1
                else:
                    s += w
                if o >= tm:
                    h -= 1
                else:
                    s -= o
            F += self.t_weight[m] * (s if h >= self.t_count[m] else Lv)
        return F

    cdef int64_t _quant(self, int64_t d) except? -1 nogil:
        cdef Py_ssize_t lo = 0, hi, mid
        if not self.simulator:
            return d
        hi = self.thr.shape[0]
        while lo < hi:              # the number of thresholds <= d
            mid = (lo + hi) // 2
            if self.thr[mid] <= d:
                lo = mid + 1
            else:
                hi = mid
        return lo

    cdef int64_t _score(self, Py_ssize_t s, Py_ssize_t n, Py_ssize_t* gpu) except? -2 nogil:
        """The quantised score of node n for shape s, I64_MIN if it does
        not fit or the shape's node mask excludes it; *gpu: a sharing
        pod's best GPU (else -1)."""
        cdef int64_t row = self.s_mask[s]
        if row >= 0 and not self.masks[row, n]:
            gpu[0] = -1
            return I64_MIN
        return self._score_state(s, n, gpu)

    cdef int64_t _score_state(self, Py_ssize_t s, Py_ssize_t n, Py_ssize_t* gpu) except? -2 nogil:
        """``_score`` without the node mask: a function of node n's state
        (``state_id``) and the shape alone."""
        cdef int64_t c = self.s_cpu[s], milli = self.s_milli[s], count = self.s_count[s]
        cdef int64_t g, v, best = I64_MIN, cpu_after
        cdef Py_ssize_t j, jj, k, enough = 0
        cdef bint seen
        gpu[0] = -1
        if self.cpu_left[n] < c or self.mem_left[n] < self.s_mem[s]:
            return I64_MIN
        if self.extra and (self.storage_left[n] < self.s_storage[s] or self.pods_on[n] >= self.pod_limit[n]):
            return I64_MIN
        cpu_after = self.cpu_left[n] - c
        if count == 0:
            return self._quant(self.frag[n] - self._frag_after(n, cpu_after, 0))
        if not self.s_models[s, self.model[n] + 1]:
            return I64_MIN
        for j in range(self.n_gpus):
            if self.gpu_left[n, j] >= milli:
                enough += 1
        if enough < count:
            return I64_MIN
        if count == 1 and milli < GPU_MILLI:
            for j in range(self.n_gpus):
                g = self.gpu_left[n, j]
                if g < milli:
                    continue
                seen = False            # an equal share earlier scores the same: keep the earlier GPU
                for jj in range(j):
                    if self.gpu_left[n, jj] == g:
                        seen = True
                        break
                if seen:
                    continue
                self.w_old[0] = g
                self.w_new[0] = g - milli
                v = self._quant(self.frag[n] - self._frag_after(n, cpu_after, 1))
                if v > best:
                    best = v
                    gpu[0] = j
            return best
        if milli == GPU_MILLI:
            for k in range(count):
                self.w_old[k] = GPU_MILLI
                self.w_new[k] = 0
            return self._quant(self.frag[n] - self._frag_after(n, cpu_after, count))
        # several partial GPUs: the count least sufficient shares (w_new holds the picked indices meanwhile)
        self._least_sufficient(n, milli, count, &self.w_new[0])
        for k in range(count):
            self.w_old[k] = self.gpu_left[n, self.w_new[k]]
        for k in range(count):
            self.w_new[k] = self.w_old[k] - milli
        return self._quant(self.frag[n] - self._frag_after(n, cpu_after, count))

    cdef Py_ssize_t _leftmost_best(self, Py_ssize_t slot) noexcept nogil:
        """The node at the leftmost leaf with the slot's best score (-1: none feasible)."""
        cdef const int64_t* sc = &self.tscore[slot, 0]
        cdef int64_t top = sc[self.tree_width - 1]
        cdef Py_ssize_t i = 0, lv, c
        cdef const int64_t* row
        if top == I64_MIN:
            return -1
        for lv in range(self.n_levels - 1, 0, -1):
            row = sc + self.lvl_off[lv - 1] + 8 * i
            c = 0
            while row[c] != top:
                c += 1
            i = 8 * i + c
        return self.leaf_node[i]

    cdef int _pick_gpus(self, Py_ssize_t s, Py_ssize_t n, int64_t* dst) except -1 nogil:
        """dst[:count] := the GPUs shape s takes on node n, ascending: a
        sharing pod the one FGD scores best (lowest index among equals);
        others the count GPUs with the least share that suffices, lowest
        index first (``least_sufficient_gpus``).  Returns count, or -2 when
        the pod does not fit (never inside ``place``: the node is feasible)."""
        cdef int64_t milli = self.s_milli[s], count = self.s_count[s], t
        cdef Py_ssize_t gpu = -1, c, k
        if count == 0:
            return 0
        if count == 1 and milli < GPU_MILLI:
            self._score(s, n, &gpu)
            if gpu < 0:
                return -2
            dst[0] = gpu
            return 1
        if self._least_sufficient(n, milli, count, dst) < 0:
            return -2
        for c in range(1, count):           # insertion sort: ascending GPU indices
            t = dst[c]
            k = c - 1
            while k >= 0 and dst[k] > t:
                dst[k + 1] = dst[k]
                k -= 1
            dst[k + 1] = t
        return <int>count

    cdef int _least_sufficient(self, Py_ssize_t n, int64_t milli, int64_t count, int64_t* dst) noexcept nogil:
        """dst[:count] := node n's count GPUs with the least share >= milli,
        ties to the lower index, in selection order; -1 if there are fewer."""
        cdef Py_ssize_t c, j, k, best
        cdef int64_t g
        cdef bint taken
        for c in range(count):
            best = -1
            for j in range(self.n_gpus):
                g = self.gpu_left[n, j]
                if g < milli:
                    continue
                taken = False
                for k in range(c):
                    if dst[k] == j:
                        taken = True
                        break
                if not taken and (best < 0 or g < self.gpu_left[n, best]):
                    best = j
            if best < 0:
                return -1
            dst[c] = best
        return 0

    cdef int64_t _rebuild_score(self, Py_ssize_t s, Py_ssize_t n) except? -2 nogil:
        """``_score_state(s, n)`` during a rebuild, memoised by node state: a
        score is a function of the node's model, CPU, memory, storage, room
        for a pod and GPU shares alone (``frag``, ``L``, ``H``, ``S`` derive
        from them), so a node in the same state as one scored earlier in
        this rebuild gets its score.  The node mask (identity, not state) is
        the caller's to check."""
        cdef int64_t sid = self.state_id[n], v
        cdef Py_ssize_t dummy
        if self.memo_gen[sid] == self.memo_now:
            self.reused += 1
            return self.memo_val[sid]
        v = self._score_state(s, n, &dummy)
        self.memo_gen[sid] = self.memo_now
        self.memo_val[sid] = v
        return v

    cdef int _set_leaf(self, Py_ssize_t slot, Py_ssize_t n, int64_t v) except -1 nogil:
        """Leaf of node n := score v, and its ancestors; stops at the first
        entry whose (score, count) is unchanged (those above depend only
        on it and its unchanged siblings)."""
        cdef int64_t* sc = &self.tscore[slot, 0]
        cdef int32_t* ct = &self.tcount[slot, 0]
        cdef Py_ssize_t i = self.pos[n], lv, base, up
        cdef int32_t c = 0 if v == I64_MIN else 1, bc
        cdef int64_t bv
        if sc[i] == v and ct[i] == c:
            return 0
        sc[i] = v
        ct[i] = c
        for lv in range(1, self.n_levels):
            base = self.lvl_off[lv - 1] + (i & ~(<Py_ssize_t>7))
            best8(sc + base, ct + base, &bv, &bc)
            i >>= 3
            up = self.lvl_off[lv] + i
            if sc[up] == bv and ct[up] == bc:
                return 0
            sc[up] = bv
            ct[up] = bc
        return 0

    cdef Py_ssize_t _sync(self, Py_ssize_t s) except -1 nogil:
        """Bring the slot of shape s up to date (taking the least recently
        used slot if s has none); returns the slot."""
        cdef Py_ssize_t slot = self.shape_slot[s], u, n, lv, j, base
        cdef int64_t e, row = self.s_mask[s]
        cdef Py_ssize_t dummy
        cdef int64_t* sc
        cdef int32_t* ct
        if slot < 0 or self.slot_tag[slot] != s:
            slot = 0
            for u in range(1, self.n_slots):
                if self.slot_used[u] < self.slot_used[slot]:
                    slot = u
            self.slot_tag[slot] = -1
            self.shape_slot[s] = slot
        self.slot_used[slot] = self.queries
        if self.slot_tag[slot] != s or self.log_len - self.slot_log[slot] > self.n_nodes:
            self.rebuilds += 1
            self.memo_now += 1
            sc = &self.tscore[slot, 0]
            ct = &self.tcount[slot, 0]
            for u in range(self.lvl_width[0]):
                n = self.leaf_node[u]
                if n < 0 or (row >= 0 and not self.masks[row, n]):
                    sc[u] = I64_MIN
                else:
                    sc[u] = self._rebuild_score(s, n)
                ct[u] = 0 if sc[u] == I64_MIN else 1
            for lv in range(1, self.n_levels):
                base = self.lvl_off[lv]
                for j in range(self.lvl_real[lv]):
                    best8(sc + self.lvl_off[lv - 1] + 8 * j, ct + self.lvl_off[lv - 1] + 8 * j,
                          &sc[base + j], &ct[base + j])
                for j in range(self.lvl_real[lv], self.lvl_width[lv]):
                    sc[base + j] = I64_MIN
                    ct[base + j] = 0
            self.slot_tag[slot] = s
        else:
            self.stamp_now += 1
            e = self.log_len - 1
            while e >= self.slot_log[slot]:     # newest first; a node logged twice is scored once
                n = self.log[e % self.log.shape[0]]
                if self.stamp[n] != self.stamp_now:
                    self.stamp[n] = self.stamp_now
                    self.rescored += 1
                    self._set_leaf(slot, n, self._score(s, n, &dummy))
                e -= 1
        self.slot_log[slot] = self.log_len
        return slot


cdef class FragRows:
    """Re-derive one node's fragmentation pieces in place (``FragTable``'s
    single-node refresh; its numpy ``_refresh`` is the twin):
    ``L[n]``, ``H[n, m]``, ``S[n, m]`` and ``frag[n]``, returning the change
    of ``frag[n]``."""

    def __init__(self, cpu_left, gpu_left, access, t_cpu, t_milli, t_count, t_weight, L, H, S, frag):
        self.cpu_left, self.gpu_left = cpu_left, gpu_left
        self.access = np.ascontiguousarray(access).view(np.uint8)
        self.t_cpu, self.t_milli, self.t_count, self.t_weight = t_cpu, t_milli, t_count, t_weight
        self.L, self.H, self.S, self.frag = L, H, S, frag
        n = self.cpu_left.shape[0]
        T = self.t_cpu.shape[0]
        for name, a, shape in (("gpu_left", self.gpu_left.shape[0], n), ("access", self.access.shape[0], n),
                               ("access columns", self.access.shape[1], T), ("L", self.L.shape[0], n),
                               ("H", self.H.shape[0], n), ("H columns", self.H.shape[1], T),
                               ("S", self.S.shape[0], n), ("S columns", self.S.shape[1], T),
                               ("frag", self.frag.shape[0], n), ("t_milli", self.t_milli.shape[0], T),
                               ("t_count", self.t_count.shape[0], T), ("t_weight", self.t_weight.shape[0], T)):
            if a != shape:
                raise ValueError(f"{name}: {a}, expected {shape}")

    def refresh(self, Py_ssize_t n) -> int:
        """Refresh node ``n``; returns ``frag[n]`` new minus old."""
        cdef int64_t d
        if not 0 <= n < self.cpu_left.shape[0]:
            raise IndexError(f"node {n} out of range")
        with nogil:
            d = self._refresh(n)
        return d

    cdef int64_t _refresh(self, Py_ssize_t n) except? -1 nogil:
        cdef Py_ssize_t j, m, G = self.gpu_left.shape[1]
        cdef int64_t tm, h, s, Lv = 0, F = 0, old
        for j in range(G):
            Lv += self.gpu_left[n, j]
        self.L[n] = Lv
        for m in range(self.t_cpu.shape[0]):
            tm = self.t_milli[m]
            gpus_for_target(self.gpu_left, n, G, tm, &self.H[n, m], &self.S[n, m])
            h = self.H[n, m]
            s = self.S[n, m]
            if tm != 0 and self.access[n, m] and h >= self.t_count[m] and self.cpu_left[n] >= self.t_cpu[m]:
                F += self.t_weight[m] * s
            else:
                F += self.t_weight[m] * Lv
        old = self.frag[n]
        self.frag[n] = F
        return F - old
