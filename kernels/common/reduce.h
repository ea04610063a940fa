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
            buf[t] = (ISNAN(a) || ISNAN(b)) ? LE_NAN : FMAX(a, b);
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
 * Online softmax statistics: m is the running maximum and s = sum exp(z - m) over the values seen.
 * A -inf value (a masked logit) contributes nothing; NaN makes s NaN; +inf is turned into NaN by
 * le_online_finish. Start from m = -inf, s = 0.
 */
DEVICE void le_online_add(float* m, float* s, float z) {
    if (z > *m) {
        *s = *s * EXP(*m - z) + 1.0f;
        *m = z;
    } else if (z != -LE_INF) {
        *s += EXP(z - *m);
    }
}

/* s1 scaled from maximum m1 to maximum m (m >= m1); an empty part (s1 = 0) stays 0, NaN stays NaN. */
DEVICE float le_online_rescale(float m1, float s1, float m) {
    return s1 == 0.0f ? 0.0f : s1 * EXP(m1 - m);
}

/* Combines the segment's (m, s) pairs; every lane gets the row's (m, s). */
DEVICE void le_seg_online(LOCAL_ARG float* bm, LOCAL_ARG float* bs, float* m, float* s, int lane, int seg) {
    int t = LOCAL_ID;
    bm[t] = *m;
    bs[t] = *s;
    SYNC_THREADS;
    for (int k = seg >> 1; k > 0; k >>= 1) {
        if (lane < k) {
            float m1 = bm[t];
            float m2 = bm[t + k];
            float mm = FMAX(m1, m2);
            bs[t] = le_online_rescale(m1, bs[t], mm) + le_online_rescale(m2, bs[t + k], mm);
            bm[t] = mm;
        }
        SYNC_THREADS;
    }
    *m = bm[t - lane];
    *s = bs[t - lane];
    SYNC_THREADS;
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

/* le_seg_online and le_seg_sums in one tree: the row's (m, s) and nx sums. */
DEVICE void le_seg_online_sums(LOCAL_ARG float* bm, LOCAL_ARG float* bs, LOCAL_ARG float* buf, float* m, float* s,
                               float* x, int nx, int lane, int seg) {
    int t = LOCAL_ID;
    bm[t] = *m;
    bs[t] = *s;
    for (int j = 0; j < nx; j++) {
        buf[j * GROUP_SIZE + t] = x[j];
    }
    SYNC_THREADS;
    for (int k = seg >> 1; k > 0; k >>= 1) {
        if (lane < k) {
            float m1 = bm[t];
            float m2 = bm[t + k];
            float mm = FMAX(m1, m2);
            bs[t] = le_online_rescale(m1, bs[t], mm) + le_online_rescale(m2, bs[t + k], mm);
            bm[t] = mm;
            for (int j = 0; j < nx; j++) {
                buf[j * GROUP_SIZE + t] += buf[j * GROUP_SIZE + t + k];
            }
        }
        SYNC_THREADS;
    }
    *m = bm[t - lane];
    *s = bs[t - lane];
    for (int j = 0; j < nx; j++) {
        x[j] = buf[j * GROUP_SIZE + t - lane];
    }
    SYNC_THREADS;
}

/* After the reduction: a +inf maximum means an infinite logit, whose softmax is undefined: NaN. */
DEVICE void le_online_finish(float* m, float* s) {
    if (ISINF(*m) && *m > 0.0f) {
        *s = LE_NAN;
    }
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
