/* The vectorizable pass of the table scan (kubekit/_fast/_sched.pyx, _scan_dense).
 *
 * One branch-free loop over the slots [0, W) with every per-node column read
 * from its own contiguous array (the packed cluster is resource-major), so
 * the compiler turns it into SIMD code.  It computes, for every slot the
 * constraint table lets through, the fit filter's bits and the
 * LeastAllocated/MostAllocated and BalancedAllocation scores over
 * (cpu, memory) with the same integers as the scalar kernel: the quotients
 * are IEEE double divisions (one instruction for 8 lanes), exact for the
 * integer scores while allocatable is below 2**45 and the very divisions Go
 * makes for BalancedAllocation.  Slots with an allocatable of 0 or of 2**45
 * and more (or a negative request) are flagged, and the caller recomputes
 * them one by one with the scalar kernel.
 *
 * Twin: _table_node in _sched.pyx (and plugins.scoring in Python).
 *
 * On x86-64 with GCC the function is compiled twice (target_clones), once for
 * x86-64-v4 (AVX-512: 64-bit integer <-> double conversions and multiplies
 * vectorize) and once for the baseline, and the loader picks one at run time.
 * -ffp-contract=off (setup.py) keeps every clone free of fused multiply-adds,
 * so each lane rounds exactly as the scalar code does.
 */
#ifndef KK_SCANVEC_H
#define KK_SCANVEC_H

#include <stdint.h>
#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones) && !defined(KK_NO_CLONES)
#define KK_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
#endif
#endif

/* Whether the processor runs the vectorized clone.  Without AVX-512 (SSE2
 * has no 64-bit compares, AVX2 no 64-bit integer <-> double conversions) the
 * loop stays scalar and, visiting every slot, is slower than the table scan
 * over candidates only: the caller uses that instead. */
#ifdef KK_CLONES
static int kk_dense_available(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512cd");
}
#else
#define KK_CLONES
static int kk_dense_available(void) { return 0; }
#endif

#define KK_NO_TOTAL ((int64_t)(-9223372036854775807LL - 1))
#define KK_FAST_DIV_MAX ((int64_t)35184372088832LL) /* 2**45 */

typedef struct {
    /* per-node columns, each indexed by slot */
    const int64_t *a0, *a1;      /* allocatable cpu, memory */
    const int64_t *u0, *u1;      /* requested (plain) cpu, memory */
    const int64_t *z0, *z1;      /* NonZeroRequested cpu, memory */
    const double *i0, *i1;       /* 1.0 / allocatable (read by the scalar twin only) */
    const int64_t *npods, *maxpods;
    const uint8_t *tpl;          /* the constraint table: 0 = passes */
    int64_t *cmask;              /* scratch: -1 where tpl is 0, else 0 */
    /* the pod */
    int64_t q0, q1;              /* plain requests the fit filter compares */
    uint64_t fit_mask;           /* bits the fit filter reports: 1 cpu, 2 memory, 1 << 63 pods */
    int64_t fq0, fq1;            /* scoring (non-zero) requests */
    int64_t fw0, fw1, fwsum;
    double finv;                 /* 1.0 / fwsum */
    int fshift;                  /* fwsum == 1 << fshift, or -1 */
    int least;                   /* LeastAllocated (else MostAllocated) */
    int do_fit, do_ba;
    int64_t bq0, bq1;            /* BalancedAllocation requests */
    int64_t w_fit, w_ba, base_tot;
} kk_dense_in;

typedef struct {
    /* per-slot outputs */
    uint8_t *st;                 /* ST_* (the table's, or ST_FIT / ST_FEASIBLE) */
    uint64_t *bits;
    int64_t *fit;
    int64_t *ba;                 /* -1: a slot to recompute with the scalar kernel */
    int64_t *tot;                /* total without normalized plugins; KK_NO_TOTAL unless feasible */
} kk_dense_out;

/* The body of kk_scan_dense; ``dflt`` (a constant once inlined) says the
 * pod is scored with kube-scheduler's default profile (LeastAllocated over
 * cpu and memory with weights 1 and 1, NodeResourcesFit and
 * BalancedAllocation weighing 1 each), which removes the multiplies and the
 * general weighted mean from the loop. */
static inline __attribute__((always_inline)) ptrdiff_t
kk_scan_dense_body(const kk_dense_in *restrict in, const kk_dense_out *restrict out, ptrdiff_t W, const int dflt)
{
    const int64_t *restrict a0p = in->a0, *restrict a1p = in->a1;
    const int64_t *restrict u0p = in->u0, *restrict u1p = in->u1;
    const int64_t *restrict z0p = in->z0, *restrict z1p = in->z1;
    const int64_t *restrict npods = in->npods, *restrict maxpods = in->maxpods;
    const uint8_t *restrict tpl = in->tpl;
    int64_t *restrict cmask = in->cmask;
    uint8_t *restrict st = out->st;
    uint64_t *restrict bitsp = out->bits;
    int64_t *restrict fitp = out->fit, *restrict bap = out->ba, *restrict totp = out->tot;
    const int64_t q0 = in->q0, q1 = in->q1, fq0 = in->fq0, fq1 = in->fq1;
    const int64_t fw0 = dflt ? 1 : in->fw0, fw1 = dflt ? 1 : in->fw1, fwsum = dflt ? 2 : in->fwsum;
    const double finv = dflt ? 0.5 : in->finv;
    const int fshift = dflt ? 1 : (in->fshift >= 0 ? in->fshift : 0), use_shift = dflt ? 1 : in->fshift >= 0;
    const int least = dflt ? 1 : in->least != 0, do_fit = dflt ? 1 : in->do_fit != 0;
    const int do_ba = dflt ? 1 : in->do_ba != 0;
    const int64_t bq0 = in->bq0, bq1 = in->bq1, base_tot = in->base_tot;
    const int64_t w_fit = dflt ? 1 : in->w_fit, w_ba = dflt ? 1 : in->w_ba;
    const uint64_t fit_mask = in->fit_mask;
    ptrdiff_t nslow = 0;
    const int64_t mleast = -(int64_t)least, mfit = -(int64_t)do_fit, mba = -(int64_t)do_ba;
    const int64_t mshift = -(int64_t)use_shift;
    for (ptrdiff_t n = 0; n < W; n++)
        cmask[n] = -(int64_t)(tpl[n] == 0);
    /* the outputs are the scan buffers, never the cluster's arrays */
#pragma GCC ivdep
    for (ptrdiff_t n = 0; n < W; n++) {
        const int64_t a0 = a0p[n], a1 = a1p[n];
        const int64_t cand = cmask[n] & 1;
        /* the fit filter */
        const uint64_t bits = (((uint64_t)(npods[n] + 1 > maxpods[n]) << 63)
                               | (uint64_t)(q0 > a0 - u0p[n]) | ((uint64_t)(q1 > a1 - u1p[n]) << 1)) & fit_mask;
        /* exact in doubles: 0 < a < 2**45 (else the scalar kernel decides) */
        const int64_t ok = (a0 > 0) & (a0 < KK_FAST_DIV_MAX) & (a1 > 0) & (a1 < KK_FAST_DIV_MAX);
        const int64_t mok = -ok;
        /* LeastAllocated: a - r (0 when r > a); MostAllocated: min(r, a) */
        const int64_t r0 = z0p[n] + fq0, r1 = z1p[n] + fq1;
        const int64_t neg = (r0 < 0) | (r1 < 0) | (u0p[n] + bq0 < 0) | (u1p[n] + bq1 < 0);
        const int64_t over0 = -(int64_t)(r0 > a0), over1 = -(int64_t)(r1 > a1);
        const int64_t l0 = (a0 - r0) & ~over0, l1 = (a1 - r1) & ~over1;
        const int64_t m0 = (a0 & over0) | (r0 & ~over0), m1 = (a1 & over1) | (r1 & ~over1);
        const int64_t x0 = ((l0 & mleast) | (m0 & ~mleast)) & mok;
        const int64_t x1 = ((l1 & mleast) | (m1 & ~mleast)) & mok;
        /* x * 100 / a, exactly: x * 100 < 2**52 and a < 2**45 are exact
         * doubles and the quotient q <= 100 is correctly rounded; an integer q
         * stays exact, any other is more than 1 / a > 2**-45 below the next
         * integer while the rounding moves it at most 2**-47, so truncating
         * gives Go's integer quotient (the scalar _mul100_div_small gets the
         * same without dividing) */
        const double ad0 = (double)((a0 & mok) | (1 & ~mok)), ad1 = (double)((a1 & mok) | (1 & ~mok));
        const int64_t s0 = (int64_t)((double)x0 * 100.0 / ad0);
        const int64_t s1 = (int64_t)((double)x1 * 100.0 / ad1);
        const int64_t num = s0 * fw0 + s1 * fw1;
        /* the weighted mean: a shift, or exact_div_inv */
        const int64_t qd = (int64_t)((double)num * finv);
        const int64_t qe = qd - (qd * fwsum > num) + ((qd + 1) * fwsum <= num);
        const int64_t fit = (((num >> fshift) & mshift) | (qe & ~mshift)) & mfit;
        /* BalancedAllocation, dividing exactly as Go does (balanced_cpu_mem;
         * the scalar _balanced_cm avoids most divisions); so 0 <= f <= 1 and
         * 50 <= v <= 100 here */
        const int64_t b0 = u0p[n] + bq0, b1 = u1p[n] + bq1;
        const int64_t mpos = -(ok & (neg ^ 1));
        double f0 = (double)(b0 & mpos) / ad0, f1 = (double)(b1 & mpos) / ad1;
        f0 = f0 < 1.0 ? f0 : 1.0;     /* min(f, 1) as minpd computes it */
        f1 = f1 < 1.0 ? f1 : 1.0;
        const double d = __builtin_fabs((f0 - f1) / 2);
        const int64_t ba = (int64_t)((1 - d) * 100.0) & mba;
        /* the scalar kernel decides an allocatable of 0 or >= 2**45, and a
         * negative request (no pod or node has one) */
        const int64_t slow = cand & ((ok ^ 1) | neg);
        const int64_t mfeas = -(cand & (bits == 0));
        fitp[n] = fit;
        bap[n] = ba | -slow;
        bitsp[n] = bits;
        totp[n] = ((w_fit * fit + w_ba * ba + base_tot) & mfeas) | (KK_NO_TOTAL & ~mfeas);
        cmask[n] = cand & (bits != 0) & 1;   /* now: 1 where the fit filter fails a candidate */
        nslow += slow;
    }
#pragma GCC ivdep
    for (ptrdiff_t n = 0; n < W; n++)
        st[n] = (uint8_t)(tpl[n] | (uint8_t)cmask[n] * 5);
    return nslow;
}

/* Returns the number of slots flagged (ba -1).  ST_FIT is 5, ST_FEASIBLE 0.
 * The main loop reads and writes 64-bit lanes only (bytes would make the
 * vectorization factor 64 and spill); the byte-wide table and statuses are
 * converted in two small loops around it. */
KK_CLONES
static ptrdiff_t kk_scan_dense(const kk_dense_in *restrict in, const kk_dense_out *restrict out, ptrdiff_t W)
{
    if (in->least && in->do_fit && in->do_ba && in->fshift == 1 && in->fw0 == 1 && in->fw1 == 1
            && in->w_fit == 1 && in->w_ba == 1)
        return kk_scan_dense_body(in, out, W, 1);
    return kk_scan_dense_body(in, out, W, 0);
}

/* max of tot[0, W) */
KK_CLONES
static int64_t kk_max_total(const int64_t *restrict tot, ptrdiff_t W)
{
    int64_t best = KK_NO_TOTAL;
    for (ptrdiff_t n = 0; n < W; n++)
        best = tot[n] > best ? tot[n] : best;
    return best;
}

/* how many of tot[0, W) equal best */
KK_CLONES
static ptrdiff_t kk_count_total(const int64_t *restrict tot, ptrdiff_t W, int64_t best)
{
    ptrdiff_t k = 0;
    for (ptrdiff_t n = 0; n < W; n++)
        k += tot[n] == best;
    return k;
}

/* how many of st[0, W) are 0 (ST_FEASIBLE) */
static ptrdiff_t kk_count_feasible(const uint8_t *restrict st, ptrdiff_t W)
{
    ptrdiff_t k = 0;
    for (ptrdiff_t n = 0; n < W; n++)
        k += st[n] == 0;
    return k;
}

/* the slot of the k-th (0-based) entry of tot[0, W) equal to best, -1 if none:
 * counted 64 slots at a time, then found within the block */
static ptrdiff_t kk_nth_total(const int64_t *restrict tot, ptrdiff_t W, int64_t best, ptrdiff_t k)
{
    ptrdiff_t n = 0;
    for (; n + 64 <= W; n += 64) {
        ptrdiff_t c = kk_count_total(tot + n, 64, best);
        if (c > k)
            break;
        k -= c;
    }
    for (; n < W; n++) {
        if (tot[n] == best) {
            if (k == 0)
                return n;
            k--;
        }
    }
    return -1;
}

#endif
