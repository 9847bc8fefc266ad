# The contract of kubekit's scheduling kernels.  Layouts (all C-contiguous):
#   alloc, used : int64 [n_res, n_slots]   row 0 cpu (milli), 1 memory, 2 ephemeral-storage, then scalars
#   inv_alloc   : float64 [n_res, n_slots] 1 / alloc, for exact score divisions by multiplication
#   nzu         : int64 [2, n_slots]       NonZeroRequested cpu, memory
#   (resource-major, so that every column a scan reads is one contiguous
#   array: the vectorized scan in _scanvec.h loads them as vectors)
#   npods, maxpods : int64 [n_slots]
#   flags       : uint8 [n_slots]          bit 0 live, bit 1 spec.unschedulable
#   labels      : int32 [n_slots, n_keys]  interned value id, -1 = label absent
#   taints      : int32 [n_slots, n_taint_cols] interned taint id, -1 = none (node order kept)
#   name_id     : int32 [n_slots]          interned node name
#   val_isint, val_int : per interned value: parses as Go int64, and the value
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

# The vectorized pass of the table scan (C, compiled per instruction set with
# runtime dispatch): see _scanvec.h.
cdef extern from "_scanvec.h" nogil:
    ctypedef struct kk_dense_in:
        const int64_t* a0
        const int64_t* a1
        const int64_t* u0
        const int64_t* u1
        const int64_t* z0
        const int64_t* z1
        const double* i0         # 1.0 / allocatable (the scalar twin's reciprocal multiply)
        const double* i1
        const int64_t* npods
        const int64_t* maxpods
        const uint8_t* tpl
        int64_t* cmask
        int64_t q0, q1
        uint64_t fit_mask
        int64_t fq0, fq1, fw0, fw1, fwsum
        double finv
        int fshift, least, do_fit, do_ba
        int64_t bq0, bq1, w_fit, w_ba, base_tot
    ctypedef struct kk_dense_out:
        uint8_t* st
        uint64_t* bits
        int64_t* fit
        int64_t* ba
        int64_t* tot
    Py_ssize_t kk_scan_dense(const kk_dense_in* inp, const kk_dense_out* out, Py_ssize_t W)
    int64_t kk_max_total(const int64_t* tot, Py_ssize_t W)
    Py_ssize_t kk_count_total(const int64_t* tot, Py_ssize_t W, int64_t best)
    Py_ssize_t kk_nth_total(const int64_t* tot, Py_ssize_t W, int64_t best, Py_ssize_t k)
    Py_ssize_t kk_count_feasible(const uint8_t* st, Py_ssize_t W)
    int kk_dense_available()

cdef enum:
    FLAG_LIVE = 1
    FLAG_UNSCHEDULABLE = 2

# Filter plugin ids, in kube-scheduler's default order.  A node's status is the
# id of the first filter that rejected it, or ST_FEASIBLE.
cdef enum:
    ST_FEASIBLE = 0
    ST_UNSCHEDULABLE = 1
    ST_NODE_NAME = 2
    ST_TAINT = 3
    ST_AFFINITY = 4
    ST_FIT = 5
    ST_DEAD = 255

cdef enum:
    OP_IN = 0
    OP_NOT_IN = 1
    OP_EXISTS = 2
    OP_DOES_NOT_EXIST = 3
    OP_GT = 4
    OP_LT = 5

cdef enum:
    KEY_NAME = -2      # matchFields metadata.name
    KEY_ABSENT = -1    # a label key no node has

cdef enum:
    STRAT_LEAST = 0
    STRAT_MOST = 1
    STRAT_RTCR = 2

cdef struct ClusterC:
    Py_ssize_t n_slots
    Py_ssize_t n_res
    Py_ssize_t n_keys
    Py_ssize_t n_taint_cols
    const int64_t* alloc         # [n_res, n_slots]: alloc[r * n_slots + n]
    const double* inv_alloc      # [n_res, n_slots] 1.0 / alloc (0 where alloc is 0)
    int64_t* used
    int64_t* nzu
    int64_t* npods
    const int64_t* maxpods
    const uint8_t* flags
    const int32_t* labels
    const int32_t* taints
    const int32_t* name_id
    const uint8_t* val_isint
    const int64_t* val_int

cdef struct PodC:
    const int64_t* req          # [n_res] plain requests (filter, BalancedAllocation, binding)
    const uint8_t* check        # [n_res] 1 = the fit filter checks this column
    int n_chk                   # the columns the fit filter must compare (request > 0 and checked)
    int32_t chk_cols[63]
    bint fit_cpu_mem            # Least/MostAllocated over exactly (cpu, memory): the specialised path
    bint ba_cpu_mem             # BalancedAllocation over exactly (cpu, memory)
    int64_t nz_cpu
    int64_t nz_mem
    bint fast_ok                # scan_fast applies: cpu/memory scoring (or none), fit checks on cpu/memory only
    uint8_t chk_cpu             # the fit filter compares column 0 / column 1 (fast path)
    uint8_t chk_mem
    int fit_shift               # fit_wsum == 1 << fit_shift with positive weights (a shift divides), else -1
    uint8_t unsched_ok          # tolerates node.kubernetes.io/unschedulable:NoSchedule
    int32_t want_name           # -1: no spec.nodeName; else interned name (-3: no such node)
    const uint8_t* taint_bad    # [n_taint_ids] bit 0: untolerated NoSchedule/NoExecute, bit 1: untolerated PreferNoSchedule
    const int64_t* prog         # node-affinity program (see _sched.pyx)
    Py_ssize_t sel_off          # nodeSelector term, -1 none
    Py_ssize_t req_off          # required terms, -1 none
    Py_ssize_t pref_off         # preferred terms (the pod's and the profile's addedAffinity), -1 none
    Py_ssize_t add_off          # NodeAffinityArgs.addedAffinity required terms, -1 none
    # scoring, resolved for this pod against the profile
    Py_ssize_t n_fit
    const int32_t* fit_col      # -1 = skip this resource
    const int64_t* fit_req      # the pod's (non-zero for cpu/memory) request
    const int64_t* fit_w
    int64_t fit_wsum             # the sum of fit_w over the usable resources, and its reciprocal:
    double fit_inv_wsum          # the weighted mean divides by it when no resource is left out
    Py_ssize_t n_ba
    const int32_t* ba_col
    const int64_t* ba_req
    int64_t w_fit, w_ba, w_taint, w_aff   # 0 = plugin disabled or skipped for this pod
    uint8_t filters              # bit i set = filter plugin i (ST_*) enabled
    int strategy
    Py_ssize_t n_shape
    const int64_t* shape_u
    const int64_t* shape_s

cdef struct NodeEval:
    int status
    uint64_t fitbits             # bit c: column c insufficient; bit 63: too many pods
    int32_t detail               # TaintToleration: the failing taint id; NodeAffinity: 1 = scheduler-enforced (addedAffinity)
    int64_t fit
    int64_t ba
    int64_t traw
    int64_t araw

cdef int eval_node(const ClusterC* c, const PodC* p, Py_ssize_t n, NodeEval* out) noexcept nogil
cdef int64_t normalize(int64_t raw, int64_t mx, bint reverse) noexcept nogil
cdef uint64_t rng_next(uint64_t* state) noexcept nogil
cdef uint64_t rng_below(uint64_t* state, uint64_t n) noexcept nogil
