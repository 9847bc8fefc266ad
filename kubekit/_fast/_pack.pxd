# The contract of kubekit's batch-placement kernel (kubekit/_fast/_pack.pyx).
#
# Sizes: N items, M bins, R resources, S bin signatures (bins with the same
# mask column: the set of item groups that may use them), C tree columns
# (R, or R + 2 with the GPU-share model: a bin's largest single-GPU share
# left and its number of wholly free GPUs).
#
# Inputs (C-contiguous, read-only; checked once by Packer.__init__):
#   demand      int64 [N, R]        cap       int64 [M, R]      cost int64 [M]
#   item_group  int64 [N]           spread    int64 [N]  (-1: none)
#   item_shape  int64 [N]  memo id: items with the same demand row and group (-1: no memo)
#   memo_off    int64 [n_shapes]    first memo cell of a shape (one cell per signature its group may use)
#   gsig_ptr    int64 [G + 1], gsig int64 [...]   CSR: the signatures group g may use
#   bin_sig     int64 [M]
#   unused_order int64 [M]          all bins sorted by (signature, cost, index)
#   inv_c, inv_c2  float64 [R]      1/C_r and 1/C_r^2 (0 where C_r = 0), C_r = max capacity
#   big_u       uint64 [R, L]       w_r^2 = (lcm(C)/C_r)^2 exactly, little-endian 64-bit limbs
#   allowed     uint8 [G, M]        the mask (must agree with gsig)
#
# Trees (one per signature, heap-numbered nodes 1..2P-1 at rows toff[s] + node):
#   omax  [rows, C]  open bins, slots in opening order: max residual per column (-1: no open bin)
#   omin  [rows, R]  the same slots: min residual (INT64_MAX: none)
#   ocap  [rows, R]  the same slots: max capacity (-1: none)
#   umax  [rows, R]  unused bins, slots by (cost, index): max capacity (-1: opened / padding)
#
# Best-fit candidate cache, one row per slot (shape s in slot s % n_cslots):
#   c_bins/c_f/c_ver [slots, 2K]   member bins, their last score and the bin version it was taken at
#   c_tf/c_tpos/c_tres/c_tcap      the threshold T: score, position, residual and capacity when set
#   log_bin [N]                    the bin of every placement, in order (what a cache re-checks)
#
# Error specs: methods that index memoryviews are `except -1/-2/-3 nogil` (the
# bounds-checked build raises IndexError through them); helpers on raw
# pointers are `noexcept nogil`.
from libc.stdint cimport int32_t, int64_t, uint64_t, uint8_t

cdef enum:
    FIT_FIRST = 0
    FIT_DOT = 1
    FIT_L2 = 2
    FIT_MOST = 3

cdef enum:
    GPU_MILLI = 1000     # one whole GPU in the share column
    STACK_MAX = 160      # tree-search stack: depth + 1 entries at most (depth <= 63)

# The item being placed: raw pointers into the Packer's per-item workspace.
cdef struct ItemC:
    Py_ssize_t i
    int64_t group
    int64_t spread
    const int64_t* d          # [R] the demand row
    int64_t* chk_col          # columns checked for fit: [0, then r with d_r > 0, then a GPU column]
    int64_t* chk_val          # the value each checked column must reach
    Py_ssize_t n_chk          # checked columns in the open trees (all)
    Py_ssize_t n_chk_res      # of which resource columns (the unused trees check only these)
    int64_t* act              # dot: resources with d_r > 0 and C_r > 0
    Py_ssize_t n_act

cdef class Packer:
    cdef readonly Py_ssize_t n_items, n_bins, n_res, n_cols, n_sigs, n_groups, n_shapes
    cdef readonly Py_ssize_t n_limbs, n_work
    cdef readonly Py_ssize_t gpu_col
    cdef readonly Py_ssize_t cache_k     # K: size of the best-fit search set and per-shape cache
    cdef readonly Py_ssize_t n_cslots    # cache slots (a shape uses slot shape % n_cslots)
    cdef readonly Py_ssize_t cache_log   # most logged placements a cached answer re-checks
    # counters of the last run
    cdef readonly int64_t visits         # tree nodes examined
    cdef readonly int64_t exact_calls    # comparisons decided in multi-word integers
    cdef readonly int64_t opened         # bins opened
    cdef readonly int64_t searches       # best-fit tree searches
    cdef readonly int64_t cache_hits     # best-fit items answered by the cache
    # problem
    cdef const int64_t[:, ::1] demand
    cdef const int64_t[:, ::1] cap
    cdef const int64_t[::1] cost
    cdef const int64_t[::1] item_group
    cdef const int64_t[::1] spread
    cdef const int64_t[::1] item_shape
    cdef const int64_t[::1] memo_off
    cdef const int64_t[::1] gsig_ptr
    cdef const int64_t[::1] gsig
    cdef const int64_t[::1] bin_sig
    cdef const int64_t[::1] uslot_bin
    cdef const double[::1] inv_c
    cdef const double[::1] inv_c2
    cdef const uint64_t[:, ::1] big_u
    cdef const uint8_t[:, ::1] allowed   # [G, M]
    # layout
    cdef int64_t[::1] sig_P, sig_toff, sig_soff, sig_nb
    cdef int64_t[::1] bin_uslot
    cdef int64_t[::1] gpu_off
    # state
    cdef int64_t[:, ::1] omax
    cdef int64_t[:, ::1] omin
    cdef int64_t[:, ::1] ocap
    cdef int64_t[:, ::1] umax
    cdef int64_t[::1] oslot_bin, oslot_pos, n_open
    cdef int64_t[:, ::1] res
    cdef int64_t[::1] gpu_rem
    cdef int64_t[::1] bin_slot
    cdef int64_t[::1] bin_ver            # placements into the bin so far
    cdef int64_t[::1] sp_head, sp_next
    cdef int64_t[::1] memo
    cdef uint8_t[::1] nofit
    cdef int64_t[::1] log_bin            # the bin of every placement, in order
    cdef Py_ssize_t log_len
    cdef int64_t k_open
    # per-item workspace
    cdef int64_t[::1] w_chk_col, w_chk_val, w_act
    cdef int64_t[::1] syn_res, syn_cap
    cdef uint64_t[::1] big
    cdef ItemC it
    cdef int fit
    # best-fit search set: a binary heap of up to top_k bins, the worst at the root (top_min = 0)
    cdef int64_t[::1] top_bin, top_pos
    cdef double[::1] top_f
    cdef Py_ssize_t top_k, top_cnt, top_min
    # per-shape candidate cache, one row per slot: its bins, threshold T (score, position,
    # residual and capacity when T was set; tnone: no threshold) and log position
    cdef int64_t[::1] c_tag, c_cnt, c_tpos, c_logpos
    cdef int64_t[:, ::1] c_bins, c_ver, c_tres, c_tcap
    cdef double[:, ::1] c_f
    cdef uint8_t[::1] c_tnone
    cdef double[::1] c_tf

    cdef int _reset(self) except -1 nogil
    cdef int _run(self, const int64_t[::1] order, int64_t[::1] out) except -1 nogil
    cdef int _load_item(self, Py_ssize_t i) except -1 nogil
    cdef int _excluded(self, Py_ssize_t b) except -1 nogil
    cdef Py_ssize_t _leaf_row(self, Py_ssize_t b) except -1 nogil
    cdef int64_t _pos(self, Py_ssize_t b) except -1 nogil
    cdef Py_ssize_t _first_open(self, Py_ssize_t s, Py_ssize_t start) except -2 nogil
    cdef Py_ssize_t _first_unused(self, Py_ssize_t s) except -2 nogil
    cdef double _bound(self, Py_ssize_t row) except? -1e300 nogil
    cdef int _load_syn(self, Py_ssize_t row) except -1 nogil
    cdef int _exact(self, const int64_t* ra, const int64_t* ca, const int64_t* rb, const int64_t* cb) except -2 nogil
    cdef int _cmp_bins(self, Py_ssize_t a, double fa, Py_ssize_t b, double fb) except -2 nogil
    cdef int _prune(self, Py_ssize_t row, int64_t leftpos, double ub) except -1 nogil
    cdef int _top_swap(self, Py_ssize_t a, Py_ssize_t b) except -1 nogil
    cdef int _accept(self, Py_ssize_t b, double f, int64_t pos) except -1 nogil
    cdef Py_ssize_t _top_best(self) except -2 nogil
    cdef int _best_open(self, Py_ssize_t s, Py_ssize_t start) except -1 nogil
    cdef Py_ssize_t _search(self, Py_ssize_t j0, Py_ssize_t j1, Py_ssize_t moff, bint use_memo,
                            Py_ssize_t k) except -2 nogil
    cdef int _cache_store(self, Py_ssize_t slot, Py_ssize_t shape) except -1 nogil
    cdef int _above_t(self, Py_ssize_t slot, Py_ssize_t b, double f) except -1 nogil
    cdef Py_ssize_t _cache_query(self, Py_ssize_t slot) except -3 nogil
    cdef Py_ssize_t _open_bin(self, Py_ssize_t b) except -1 nogil
    cdef int _place(self, Py_ssize_t i, Py_ssize_t b) except -1 nogil
    cdef int _pull_open(self, Py_ssize_t s, Py_ssize_t slot) except -1 nogil

# Multi-word unsigned integers (little-endian 64-bit limbs), for the exact
# comparisons when two float scores are too close to call.
cdef void big_zero(uint64_t* a, Py_ssize_t n) noexcept nogil
cdef void big_addmul(uint64_t* acc, Py_ssize_t nacc, const uint64_t* u, Py_ssize_t nu, uint64_t x) noexcept nogil
cdef void big_mul64(uint64_t* a, Py_ssize_t n, uint64_t x) noexcept nogil
cdef void big_add(uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil
cdef void big_mul(uint64_t* out, const uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil
cdef int big_cmp(const uint64_t* a, const uint64_t* b, Py_ssize_t n) noexcept nogil


# FGD (fragmentation gradient descent) scoring with a per-pod-shape index.
# Sizes: N nodes, G GPU columns (GpuCluster.gpu_left), T target shapes,
# M GPU models (column 0 of a model mask = "no GPU", column k + 1 = model k).
#
# Live inputs (the GpuCluster's own arrays, read only, re-read on every call):
#   cpu_left, mem_left int64 [N]   gpu_left int64 [N, G]   model int64 [N] (-1: none)
# Optional limits (extra: either given): storage_left int64 [N], and pods_on
#   against pod_limit int64 [N]; storage_left and pods_on are written by place
#   (the index's own arrays when not given: no storage limit, I64_MAX pods)
# Target workload: t_cpu, t_milli, t_count, t_weight int64 [T]; t_access uint8 [T, M + 1]
# Per node (kept by node_changed): L [N], H [N, T] (GPUs with >= t_milli left),
#   S [N, T] (share left on the others), frag [N] = F_n
# Pod shapes (add_shape): s_cpu, s_mem, s_count, s_milli, s_storage [cap]; s_models uint8 [cap, M + 1];
#   s_mask [cap]: the shape's row of masks (uint8 [n_masks, N], 1: the node passes the
#   pod's non-resource filters), -1: every node
# Index: one segment tree per cache slot over leaf positions (pos[n]: the tie
#   order), heap-numbered 1..2P-1, interleaved in tree [slots, 4P]: tree[slot, 2u] the
#   best score below node u (I64_MIN: no feasible node), tree[slot, 2u + 1] how
#   many leaves below reach it.
#   A slot holds one shape (slot_tag) as of change-log entry slot_log; shape_slot
#   [cap] its slot (-1: none); a shape without one takes the least recently used
#   slot (slot_used: the query count when last used).
cdef class FgdIndex:
    cdef readonly Py_ssize_t n_nodes, n_gpus, n_targets, n_models, n_slots, n_shapes
    cdef readonly bint simulator
    cdef readonly bint extra               # storage or pod limits are checked
    cdef readonly int64_t total            # cluster fragmentation, sum of frag
    # counters
    cdef readonly int64_t rebuilds         # slot (re)built from every node
    cdef readonly int64_t rescored         # node scores recomputed from the change log
    cdef readonly int64_t queries
    cdef readonly int64_t reused           # rebuild leaves copied from a node in the same state
    cdef readonly int64_t state_resets     # times the state table filled up and was rebuilt
    cdef const int64_t[::1] cpu_left, mem_left, model
    cdef const int64_t[:, ::1] gpu_left
    cdef int64_t[::1] storage_left, pods_on
    cdef const int64_t[::1] pod_limit
    cdef const int64_t[::1] t_cpu, t_milli, t_count, t_weight
    cdef const uint8_t[:, ::1] t_access
    cdef const int64_t[::1] thr            # simulator: score = #{k : d >= thr[k]}
    cdef const int64_t[::1] pos
    cdef int64_t[::1] leaf_node            # [width of level 0]: node at a leaf, -1 padding
    cdef int64_t[::1] L, frag
    cdef int64_t[:, ::1] H, S
    cdef int64_t[::1] s_cpu, s_mem, s_count, s_milli, s_storage, s_mask
    cdef uint8_t[:, ::1] s_models
    cdef uint8_t[:, ::1] masks
    cdef readonly Py_ssize_t n_masks
    cdef dict mask_ids                     # mask bytes -> row of masks
    # the per-shape trees: 8-ary, level 0 the leaves (leaf pos[n] = node n),
    # level k+1 entry j the best of level k entries 8j..8j+7; level k starts at
    # lvl_off[k] and has lvl_width[k] entries (a multiple of 8 below the root,
    # padding: score I64_MIN, count 0); the root is level n_levels - 1
    cdef readonly Py_ssize_t n_levels, tree_width
    cdef int64_t[::1] lvl_off, lvl_width, lvl_real
    cdef int64_t[:, ::1] tscore             # [slot, tree_width] best score below (I64_MIN: none feasible)
    cdef int32_t[:, ::1] tcount             # [slot, tree_width] how many leaves reach it
    cdef int64_t[::1] slot_tag, slot_log, slot_used, shape_slot
    cdef int64_t[::1] log
    cdef int64_t log_len
    cdef int64_t[::1] stamp
    cdef int64_t stamp_now
    cdef int64_t[::1] w_old, w_new         # workspace [G]
    # node states, interned: state_id[n] names node n's (model, cpu, memory,
    # storage, room for a pod, GPU shares; storage and room stay 0 without
    # extra); st_row[id] is that state (5 + G values), st_table an
    # open-addressing hash of the ids (-1 empty).  A score depends only on
    # the state and the shape, so a rebuild scores each state once
    # (memo_val[id] valid when memo_gen[id] == memo_now).
    cdef int64_t[::1] state_id
    cdef int64_t[:, ::1] st_row
    cdef int64_t[::1] st_table
    cdef int64_t n_states
    cdef int64_t[::1] memo_val, memo_gen
    cdef int64_t memo_now

    cdef int _refresh(self, Py_ssize_t n) except -1 nogil
    cdef int _intern(self, Py_ssize_t n) except -1 nogil
    cdef int64_t _frag_after(self, Py_ssize_t n, int64_t cpu_after, Py_ssize_t k) except? -1 nogil
    cdef int64_t _quant(self, int64_t d) except? -1 nogil
    cdef int64_t _score(self, Py_ssize_t s, Py_ssize_t n, Py_ssize_t* gpu) except? -2 nogil
    cdef int64_t _score_state(self, Py_ssize_t s, Py_ssize_t n, Py_ssize_t* gpu) except? -2 nogil
    cdef int _set_leaf(self, Py_ssize_t slot, Py_ssize_t n, int64_t v) except -1 nogil
    cdef Py_ssize_t _sync(self, Py_ssize_t s) except -1 nogil
    cdef int64_t _rebuild_score(self, Py_ssize_t s, Py_ssize_t n) except? -2 nogil
    cdef Py_ssize_t _leftmost_best(self, Py_ssize_t slot) noexcept nogil
    cdef int _pick_gpus(self, Py_ssize_t s, Py_ssize_t n, int64_t* dst) except -1 nogil
    cdef int _least_sufficient(self, Py_ssize_t n, int64_t milli, int64_t count, int64_t* dst) noexcept nogil


# FragTable's per-node refresh (kubekit/packing/gpu/frag.py; its numpy
# _refresh is the twin).  access uint8 [N, T]; L, H, S, frag as in FgdIndex,
# owned by the FragTable and written here.
cdef class FragRows:
    cdef const int64_t[::1] cpu_left
    cdef const int64_t[:, ::1] gpu_left
    cdef const uint8_t[:, ::1] access
    cdef const int64_t[::1] t_cpu, t_milli, t_count, t_weight
    cdef int64_t[::1] L, frag
    cdef int64_t[:, ::1] H, S
    cdef int64_t _refresh(self, Py_ssize_t n) except? -1 nogil
