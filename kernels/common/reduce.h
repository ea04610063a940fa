/*
 * Group reductions through local memory, shared by every kernel family.
 *
 * Geometry (mirrored by io.github.lossengine.kernel.Geometry): every group has GROUP_SIZE threads.
 * Row kernels split a group into segments of `seg` consecutive threads (seg a power of two, 1 to
 * GROUP_SIZE); each segment works on one row, so one group handles GROUP_SIZE / seg rows at a time.
 * All helpers below contain SYNC_THREADS: every thread of the group must call them, the same
 * number of times. The reduction trees have a fixed shape, so results are the same bits on every
 * run (no atomics on floats anywhere).
 */
#define GROUP_SIZE 256
/* Floats of local memory a group may use to keep its rows' inputs between the two passes. */
#define ROW_CACHE 4096
/* Most sums one reduction tree carries at once (le_seg_sums, le_seg_online_sums). */
#define MAX_SUMS 6

/*
 * max and min with a NaN operand giving NaN, as Java's Math.max and Math.min (the CPU backend);
 * IEEE fmax and fmin return the other operand, which turned a NaN variance into eps. Kernels use
 * these, never FMAX or FMIN directly, wherever an operand can be NaN.
 */
DEVICE float le_max(float a, float b) {
    return (ISNAN(a) || ISNAN(b)) ? LE_NAN : FMAX(a, b);
}

DEVICE float le_min(float a, float b) {
    return (ISNAN(a) || ISNAN(b)) ? LE_NAN : FMIN(a, b);
}

/* Sum of v over the calling thread's segment (lane = index within the segment); every lane gets it. */
DEVICE float le_seg_sum(LOCAL_ARG float* buf, float v, int lane, int seg) {
    int t = LOCAL_ID;
    buf[t] = v;
    SYNC_THREADS;
    for (int s = seg >> 1; s > 0; s >>= 1) {
        if (lane < s) {
            buf[t] += buf[t + s];
        }
        SYNC_THREADS;
    }
    float r = buf[t - lane];
    SYNC_THREADS;
    return r;
}

/* Maximum of v over the segment; NaN is propagated (a NaN anywhere gives NaN). */
DEVICE float le_seg_max(LOCAL_ARG float* buf, float v, int lane, int seg) {
    int t = LOCAL_ID;
    buf[t] = v;
    SYNC_THREADS;
    for (int s = seg >> 1; s > 0; s >>= 1) {
        if (lane < s) {
            float a = buf[t];
            float b = buf[t + s];
            buf[t] = le_max(a, b);
        }
        SYNC_THREADS;
    }
    float r = buf[t - lane];
    SYNC_THREADS;
    return r;
}

/* Sum over the whole group (one segment of GROUP_SIZE threads). */
DEVICE float le_group_sum(LOCAL_ARG float* buf, float v) {
    return le_seg_sum(buf, v, LOCAL_ID, LOCAL_SIZE);
}

/*
 * A row's loss l, reduced over its segment: stored in values[row] when NONE's per-row values are
 * wanted (flags & 1) and added to the thread's share of the batch total. Called by one lane per row.
 */
DEVICE void le_row_loss(GLOBAL float* RESTRICT values, LONG row, float l, int flags, float* acc) {
    if (flags & 1) {
        values[row] = l;
    }
    *acc += l;
}

/*
 * The group's share of the batch total: sums every thread's acc and writes it to partials[GROUP_ID]
 * for the fixed-order second stage. Every thread of the group must call it (it synchronises).
 */
DEVICE void le_group_partial(LOCAL_ARG float* buf, float acc, GLOBAL float* partials) {
    float total = le_group_sum(buf, acc);
    if (LOCAL_ID == 0) {
        partials[GROUP_ID] = total;
    }
}

/*
 * Online softmax statistics: m is the running maximum and r = sum exp(z - m) - 1 over the values
 * seen, the sum of exponentials less the maximum's own term exp(m - m) = 1. Keeping that 1 out of r
 * is what keeps a confident row accurate in float: for logits [10, -10, -10] the sum is 1 + 4.1e-9,
 * which rounds to 1 (a loss of 0), while r = 4.1e-9 and log(sum) = log1p(r) keep every digit.
 * A -inf value (a masked logit) contributes nothing; NaN makes r NaN; +inf is turned into NaN by
 * le_online_log_sum. Start from m = -inf, r = -1 (no values: a sum of 0).
 */
DEVICE void le_online_add(float* m, float* r, float z) {
    if (z > *m) {
        /* the old sum (r + 1) rescaled to the new maximum; the new maximum brings the 1 left out */
        *r = (*r + 1.0f) * EXP(*m - z);
        *m = z;
    } else if (z != -LE_INF) {
        *r += EXP(z - *m);
    }
}

/* The sum r1 + 1 of a part with maximum m1, scaled to the maximum m (m >= m1); an empty part (r1 = -1) gives 0. */
DEVICE float le_online_part(float m1, float r1, float m) {
    return r1 == -1.0f ? 0.0f : (r1 + 1.0f) * EXP(m1 - m);
}

/*
 * Combines the online statistics (m1, r1) and (m2, r2) of two parts into (*m, *r): the part that
 * holds the maximum (the first on a tie) keeps its r; the other adds its whole sum, scaled.
 */
DEVICE void le_online_merge(float m1, float r1, float m2, float r2, float* m, float* r) {
    if (m1 >= m2) {
        *m = m1;
        *r = r1 + le_online_part(m2, r2, m1);
    } else {
        *m = m2;
        *r = r2 + le_online_part(m1, r1, m2);
    }
}

/*
 * Sums of nx <= MAX_SUMS values at once over the segment (one tree, so one set of barriers: fewer
 * barrier regions keep OpenCL CPU compilers such as PoCL fast); every lane gets the sums in x.
 * buf holds MAX_SUMS * GROUP_SIZE floats.
 */
DEVICE void le_seg_sums(LOCAL_ARG float* buf, float* x, int nx, int lane, int seg) {
    int t = LOCAL_ID;
    for (int j = 0; j < nx; j++) {
        buf[j * GROUP_SIZE + t] = x[j];
    }
    SYNC_THREADS;
    for (int k = seg >> 1; k > 0; k >>= 1) {
        if (lane < k) {
            for (int j = 0; j < nx; j++) {
                buf[j * GROUP_SIZE + t] += buf[j * GROUP_SIZE + t + k];
            }
        }
        SYNC_THREADS;
    }
    for (int j = 0; j < nx; j++) {
        x[j] = buf[j * GROUP_SIZE + t - lane];
    }
    SYNC_THREADS;
}

/*
 * The segment's online statistics (m, r) (le_online_merge in a fixed tree) and nx sums (as
 * le_seg_sums) in one tree; every lane gets the row's (m, r) and sums.
 */
DEVICE void le_seg_online_sums(LOCAL_ARG float* bm, LOCAL_ARG float* br, LOCAL_ARG float* buf, float* m, float* r,
                               float* x, int nx, int lane, int seg) {
    int t = LOCAL_ID;
    bm[t] = *m;
    br[t] = *r;
    for (int j = 0; j < nx; j++) {
        buf[j * GROUP_SIZE + t] = x[j];
    }
    SYNC_THREADS;
    for (int k = seg >> 1; k > 0; k >>= 1) {
        if (lane < k) {
            float mm;
            float rr;
            le_online_merge(bm[t], br[t], bm[t + k], br[t + k], &mm, &rr);
            bm[t] = mm;
            br[t] = rr;
            for (int j = 0; j < nx; j++) {
                buf[j * GROUP_SIZE + t] += buf[j * GROUP_SIZE + t + k];
            }
        }
        SYNC_THREADS;
    }
    *m = bm[t - lane];
    *r = br[t - lane];
    for (int j = 0; j < nx; j++) {
        x[j] = buf[j * GROUP_SIZE + t - lane];
    }
    SYNC_THREADS;
}

/*
 * After the reduction: log(sum exp(z - m)) = log1p(r) of the row; a +inf maximum means an infinite
 * logit, whose softmax is undefined: NaN. An empty row (every logit -inf) gives -inf.
 */
DEVICE float le_online_log_sum(float m, float r) {
    return (ISINF(m) && m > 0.0f) ? LE_NAN : LOG1P(r);
}

/*
 * One class's gradient factor p * big - a, with p = exp(e) the class's softmax probability
 * (e = z - m - log sum). Where p > 1/2 (at most one class of a row) it is big * (p - 1) + diff,
 * with p - 1 = expm1(e) and diff = big - a, which a caller that can form it without cancelling
 * passes as such: a confident row's p - 1 of -4e-9 survives, where exp(e) rounds to 1.
 */
DEVICE float le_softmax_grad_diff(float e, float big, float a, float diff) {
    return e > -0.6931472f ? big * EXPM1(e) + diff : EXP(e) * big - a;
}

/* le_softmax_grad_diff with diff = big - a. */
DEVICE float le_softmax_grad(float e, float big, float a) {
    return le_softmax_grad_diff(e, big, a, big - a);
}

/* Kahan-compensated accumulation, used where one thread adds many partial sums. */
DEVICE void le_kahan_add(float* sum, float* comp, float x) {
    float y = x - *comp;
    float t = *sum + y;
    if (ISINF(t) || ISNAN(t)) {
        /* a non-finite total stays what a plain sum gives (NaN for +inf + -inf) */
        *sum = *sum + x;
        *comp = 0.0f;
        return;
    }
    *comp = (t - *sum) - y;
    *sum = t;
}
