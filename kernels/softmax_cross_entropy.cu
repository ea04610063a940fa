/*
 * Softmax cross-entropy (class-index and probability targets) and nll, as the CPU backend
 * (io.github.lossengine.cpu.SoftmaxCrossEntropyCpu, NllCpu): fused forward and backward, one
 * segment of `seg` threads per row (see common/reduce.h).
 *
 * Per row: pass 1 reads the logits once, keeping the online maximum m and sum of exponentials
 * (as r = sum - 1, so that log sum = log1p(r) keeps a confident row's tiny loss: common/reduce.h), the
 * support K (classes whose logit is not -inf) and the sums the smoothed, weighted target needs;
 * pass 2 writes the gradient (p_k W - w_k q_k) * scale and adds the loss sum_c w_c q_c (lse - z_c).
 * When the group's rows fit in local memory (cacheRow), pass 1 keeps them there and pass 2 reads
 * them back instead of reading global memory again. Masked (-inf) classes get no smoothing mass,
 * contribute 0 and get an exactly zero gradient; a masked class with target mass gives +inf.
 * Options: cap > 0 soft-caps every logit as it is read (le_softcap; the gradient gets its chain
 * factor); zcoef > 0 adds the z-loss coef w_y lse^2 to the row's loss and 2 coef w_y lse to W;
 * flags & 4 writes each row's lse (NaN where ignored). zt and gt are the types of the logits and
 * of the gradient (common/dtype.h): 16-bit logits are read, and a 16-bit gradient written, as 16
 * bits, with float32 math between (the gradient rounded once).
 */

/*
 * Checks class-index targets (each in [0, classes) or equal to ignoreIndex) and leaves per group the
 * MEAN denominator's partial sum: the weights w[y] of the rows not ignored (their count without weights).
 */
KERNEL void le_class_targets_i64(GLOBAL const LONG* RESTRICT target, LONG rows, LONG classes, LONG ignoreIndex,
                                 GLOBAL const float* RESTRICT w, int hasW, GLOBAL int* RESTRICT err,
                                 GLOBAL float* RESTRICT partials) {
    LOCAL float buf[GROUP_SIZE];
    float acc = 0.0f;
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < rows; i += stride) {
        LONG y = target[i];
        if (y == ignoreIndex) {
            continue;
        }
        if (y < 0 || y >= classes) {
            le_report_invalid(err, i);
        } else {
            acc += hasW ? w[y] : 1.0f;
        }
    }
    le_group_partial(buf, acc, partials);
}

/*
 * Logit soft-capping (cap > 0): cap tanh(v / cap); -inf (masked) stays -inf, NaN stays NaN, +inf
 * becomes cap. cap = 0: the logit as it is.
 */
DEVICE float le_softcap(float v, float cap) {
    return (cap > 0.0f && v != -LE_INF) ? cap * TANH(v / cap) : v;
}

/* The softcap's chain factor dz'/dz = 1 - (z' / cap)^2 on a gradient g of the capped logit v. */
DEVICE float le_softcap_grad(float g, float v, float cap) {
    float f = v / cap;
    return cap > 0.0f ? g * (1.0f - f * f) : g;
}

/* Logit c of the row at `off` (soft-capped), from the group's row cache when it holds the rows. */
DEVICE float le_row_logit(GLOBAL const float* RESTRICT z, int zt, LOCAL_ARG float* cache, int cacheRow, LONG off,
                          LONG cacheOff, LONG c, float cap) {
    return cacheRow ? cache[cacheOff + c] : le_softcap(le_load_as(z, off + c, zt), cap);
}

/* Logits c, c + seg, c + 2 seg, c + 3 seg of the row into v (as le_row_logit), the four loads in flight. */
DEVICE void le_row_logits4(GLOBAL const float* RESTRICT z, int zt, LOCAL_ARG float* cache, int cacheRow, LONG off,
                           LONG cacheOff, LONG c, LONG seg, float cap, float* v) {
    if (cacheRow) {
        for (int j = 0; j < 4; j++) {
            v[j] = cache[cacheOff + c + j * seg];
        }
    } else {
        le_load4_as(z, off + c, seg, zt, v);
        for (int j = 0; j < 4; j++) {
            v[j] = le_softcap(v[j], cap);
        }
    }
}

/* A row's log-sum-exp for the lse output: NaN for an ignored row (not computed). */
DEVICE void le_row_lse(GLOBAL float* RESTRICT lse, LONG row, int ignored, float m, float logs, int flags) {
    if (flags & 4) {
        lse[row] = ignored ? LE_NAN : m + logs;
    }
}

/*
 * LE_BATCH: the row loops of le_softmax_ce_f32 issue four independent loads per thread before the
 * arithmetic that waits on them. One load at a time (the online max/sum branches keep the compiler
 * from hoisting the next one) leaves a warp one 128-byte request in flight, about 1 MB across an
 * H100's resident warps, where ~2 MB (3.35 TB/s x ~600 ns) is needed to keep HBM busy. The
 * elements are still visited, and the sums formed, in the same order as before.
 */

/* Pass 1 on one logit: online max and sum, support count and weighted support; cached when the rows fit. */
DEVICE void le_ce_pass1(float v, LONG c, float* m, float* r, float* k, float* ws, GLOBAL const float* RESTRICT w,
                        int hasW, LOCAL_ARG float* cache, int cacheRow, LONG cacheOff) {
    if (cacheRow) {
        cache[cacheOff + c] = v;
    }
    le_online_add(m, r, v);
    if (v != -LE_INF) {
        *k += 1.0f;
        *ws += hasW ? w[c] : 1.0f;
    }
}

/* Pass 2 on one logit: writes its gradient (flags & 2) and returns its loss term w_c q_c (lse - z_c). */
DEVICE float le_ce_pass2(float v, LONG c, LONG y, float onT, float spread, int offTarget,
                         GLOBAL const float* RESTRICT w, int hasW, float m, float logs, float big, float scale,
                         int flags, GLOBAL float* RESTRICT grad, int gt, LONG off, float cap, float bigY) {
    int masked = v == -LE_INF;
    float q = c == y ? onT + ((offTarget || masked) ? 0.0f : spread) : (masked ? 0.0f : spread);
    float a = (hasW ? w[c] : 1.0f) * q;
    if (flags & 2) {
        /* the target class's W - a is bigY = W - w_y q_y, formed exactly (0 for a row of one open class) */
        float f = le_softmax_grad_diff((v - m) - logs, big, a, c == y ? bigY : big - a);
        le_store_as(grad, off + c, (masked ? 0.0f : le_softcap_grad(f, v, cap)) * scale + 0.0f, gt);
    }
    return (a != 0.0f && !masked) ? a * (logs - (v - m)) : 0.0f;
}

KERNEL void le_softmax_ce_f32(GLOBAL const float* RESTRICT z, GLOBAL const LONG* RESTRICT target, LONG rows,
                              LONG classes, GLOBAL const float* RESTRICT w, int hasW, LONG ignoreIndex,
                              float eps, int offTarget, int seg, int cacheRow, float scale, int flags,
                              float zcoef, float cap, int zt, int gt, GLOBAL float* RESTRICT values,
                              GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials, GLOBAL float* RESTRICT lse) {
    LOCAL float bm[GROUP_SIZE];
    LOCAL float br[GROUP_SIZE];
    LOCAL float bx[MAX_SUMS * GROUP_SIZE];
    LOCAL float cache[ROW_CACHE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    LONG cacheOff = (LONG) slot * classes;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * classes;
        LONG y = active ? target[row] : ignoreIndex;
        int ignored = !active || y == ignoreIndex;
        /* pass 1: online max and sum, support, weighted support */
        float m = -LE_INF;
        float r = -1.0f;
        float k = 0.0f;
        float ws = 0.0f;
        if (!ignored) {
            /* four loads issued before the math that waits on them (LE_BATCH), then the rest one by one */
            LONG c = lane;
            for (; c + 3 * (LONG) seg < classes; c += 4 * (LONG) seg) {
                float v[4];
                le_load4_as(z, off + c, seg, zt, v);
                le_ce_pass1(le_softcap(v[0], cap), c, &m, &r, &k, &ws, w, hasW, cache, cacheRow, cacheOff);
                le_ce_pass1(le_softcap(v[1], cap), c + seg, &m, &r, &k, &ws, w, hasW, cache, cacheRow, cacheOff);
                le_ce_pass1(le_softcap(v[2], cap), c + 2 * seg, &m, &r, &k, &ws, w, hasW, cache, cacheRow, cacheOff);
                le_ce_pass1(le_softcap(v[3], cap), c + 3 * seg, &m, &r, &k, &ws, w, hasW, cache, cacheRow, cacheOff);
            }
            for (; c < classes; c += seg) {
                le_ce_pass1(le_softcap(le_load_as(z, off + c, zt), cap), c, &m, &r, &k, &ws, w, hasW, cache, cacheRow, cacheOff);
            }
        }
        float sums[2] = {k, ws};
        le_seg_online_sums(bm, br, bx, &m, &r, sums, 2, lane, seg);
        k = sums[0];
        ws = sums[1];
        float logs = le_online_log_sum(m, r);
        /* the smoothed target: q_y = onT (+ spread under the uniform convention), q_c = spread elsewhere */
        float zy = ignored ? 0.0f : le_row_logit(z, zt, cache, cacheRow, off, cacheOff, y, cap);
        int ymask = zy == -LE_INF;
        float wy = (hasW && !ignored) ? w[y] : 1.0f;
        float spread;
        float onT;
        float big;
        if (offTarget) {
            float others = k - (ymask ? 0.0f : 1.0f);
            spread = others == 0.0f ? 0.0f : eps / others;
            onT = others == 0.0f ? 1.0f : 1.0f - eps;
            big = spread * (ws - (ymask ? 0.0f : wy)) + wy * onT;
        } else {
            spread = eps / k;
            onT = 1.0f - eps;
            big = spread * ws + wy * onT;
        }
        /* z-loss coef w_y lse^2: its gradient 2 coef w_y lse p_k joins W, which multiplies p_k */
        float lseRow = m + logs;
        int zterm = zcoef > 0.0f && !ignored && wy != 0.0f;
        /* W - w_y q_y, the target's p W - a at p = 1, formed without cancelling: spread (W_s - w_y) (+ z-loss) */
        float bigY = spread * (ws - (ymask ? 0.0f : wy));
        if (zterm) {
            big += 2.0f * zcoef * wy * lseRow;
            bigY += 2.0f * zcoef * wy * lseRow;
        }
        /* pass 2: loss and gradient */
        float l = 0.0f;
        if (!ignored && k > 0.0f) {
            /* as pass 1: four reads in flight, then the rest; the loss adds up in the same order */
            LONG c = lane;
            for (; c + 3 * (LONG) seg < classes; c += 4 * (LONG) seg) {
                float v[4];
                le_row_logits4(z, zt, cache, cacheRow, off, cacheOff, c, seg, cap, v);
                float v0 = v[0];
                float v1 = v[1];
                float v2 = v[2];
                float v3 = v[3];
                l += le_ce_pass2(v0, c, y, onT, spread, offTarget, w, hasW, m, logs, big, scale, flags, grad, gt, off, cap, bigY);
                l += le_ce_pass2(v1, c + seg, y, onT, spread, offTarget, w, hasW, m, logs, big, scale, flags, grad, gt, off, cap, bigY);
                l += le_ce_pass2(v2, c + 2 * seg, y, onT, spread, offTarget, w, hasW, m, logs, big, scale, flags, grad, gt, off, cap, bigY);
                l += le_ce_pass2(v3, c + 3 * seg, y, onT, spread, offTarget, w, hasW, m, logs, big, scale, flags, grad, gt, off, cap, bigY);
            }
            for (; c < classes; c += seg) {
                float v = le_row_logit(z, zt, cache, cacheRow, off, cacheOff, c, cap);
                l += le_ce_pass2(v, c, y, onT, spread, offTarget, w, hasW, m, logs, big, scale, flags, grad, gt, off, cap, bigY);
            }
        } else if (active && (flags & 2)) {
            for (LONG c = lane; c < classes; c += seg) {
                le_store_as(grad, off + c, 0.0f, gt);
            }
        }
        l = le_seg_sum(bm, l, lane, seg);
        if (zterm) {
            l += zcoef * wy * lseRow * lseRow;
        }
        if (ignored) {
            l = 0.0f;
        } else if (k == 0.0f || (ymask && wy * onT != 0.0f && !ISNAN(m + logs))) {
            l = LE_INF;
        }
        if (lane == 0 && active) {
            le_row_loss(values, row, l, flags, &acc);
            le_row_lse(lse, row, ignored, m, logs, flags);
        }
    }
    le_group_partial(bm, acc, partials);
}

/*
 * Probability targets t [rows, classes]. Pass 1 also sums A = sum_c w_c t_c, B = sum over the
 * support of w_c t_c and T = sum_c t_c, which give W = sum_c w_c q_c without another pass:
 * uniform W = (1 - eps) A + eps/K Ws; off-target W = onT A + spread (T Ws - B).
 */
KERNEL void le_softmax_ce_soft_f32(GLOBAL const float* RESTRICT z, GLOBAL const float* RESTRICT t, LONG rows,
                                   LONG classes, GLOBAL const float* RESTRICT w, int hasW, float eps,
                                   int offTarget, int seg, int cacheRow, float scale, int flags, float zcoef,
                                   float cap, int zt, int gt, GLOBAL float* RESTRICT values,
                                   GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials,
                                   GLOBAL float* RESTRICT lse) {
    LOCAL float bm[GROUP_SIZE];
    LOCAL float br[GROUP_SIZE];
    LOCAL float bx[MAX_SUMS * GROUP_SIZE];
    LOCAL float cache[ROW_CACHE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    LONG cacheOff = (LONG) slot * classes;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * classes;
        float m = -LE_INF;
        float r = -1.0f;
        float k = 0.0f;
        float ws = 0.0f;
        float sa = 0.0f;
        float sb = 0.0f;
        float st = 0.0f;
        if (active) {
            for (LONG c = lane; c < classes; c += seg) {
                float v = le_softcap(le_load_as(z, off + c, zt), cap);
                float tc = t[off + c];
                float wc = hasW ? w[c] : 1.0f;
                if (cacheRow) {
                    cache[cacheOff + c] = v;
                }
                le_online_add(&m, &r, v);
                sa += wc * tc;
                st += tc;
                if (v != -LE_INF) {
                    k += 1.0f;
                    ws += wc;
                    sb += wc * tc;
                }
            }
        }
        float sums[5] = {k, ws, sa, sb, st};
        le_seg_online_sums(bm, br, bx, &m, &r, sums, 5, lane, seg);
        k = sums[0];
        ws = sums[1];
        sa = sums[2];
        sb = sums[3];
        st = sums[4];
        float logs = le_online_log_sum(m, r);
        float spread;
        float onT;
        float big;
        if (offTarget) {
            spread = k == 1.0f ? 0.0f : eps / (k - 1.0f);
            onT = k == 1.0f ? 1.0f : 1.0f - eps;
            big = onT * sa + spread * (st * ws - sb);
        } else {
            spread = eps / k;
            onT = 1.0f - eps;
            big = onT * sa + spread * ws;
        }
        float lseRow = m + logs;
        int zterm = zcoef > 0.0f && active;
        if (zterm) {
            big += 2.0f * zcoef * lseRow;
        }
        float l = 0.0f;
        float inf = 0.0f;
        if (active && k > 0.0f) {
            for (LONG c = lane; c < classes; c += seg) {
                float v = le_row_logit(z, zt, cache, cacheRow, off, cacheOff, c, cap);
                float tc = t[off + c];
                int masked = v == -LE_INF;
                float q = masked ? onT * tc : onT * tc + spread * (offTarget ? le_max(st - tc, 0.0f) : 1.0f);
                float a = (hasW ? w[c] : 1.0f) * q;
                if (a != 0.0f) {
                    if (masked) {
                        inf = 1.0f;
                    } else {
                        l += a * (logs - (v - m));
                    }
                }
                if (flags & 2) {
                    le_store_as(grad, off + c, (masked ? 0.0f
                            : le_softcap_grad(le_softmax_grad((v - m) - logs, big, a), v, cap)) * scale + 0.0f, gt);
                }
            }
        } else if (active && (flags & 2)) {
            for (LONG c = lane; c < classes; c += seg) {
                le_store_as(grad, off + c, 0.0f, gt);
            }
        }
        float ends[2] = {l, inf};
        le_seg_sums(bx, ends, 2, lane, seg);
        l = ends[0] + (zterm ? zcoef * lseRow * lseRow : 0.0f);
        inf = ends[1];
        if (k == 0.0f || (inf > 0.0f && !ISNAN(m + logs))) {
            l = LE_INF;
        }
        if (lane == 0 && active) {
            le_row_loss(values, row, l, flags, &acc);
            le_row_lse(lse, row, 0, m, logs, flags);
        }
    }
    le_group_partial(bm, acc, partials);
}

/*
 * nll on log-probabilities x [rows, classes]: l = -w_y x_y, gradient -w_y * scale at the target
 * class and 0 elsewhere; ignored rows and rows of weight 0 give exactly 0. xt, gt: the types of x
 * and of the gradient (common/dtype.h).
 */
KERNEL void le_nll_f32(GLOBAL const float* RESTRICT x, GLOBAL const LONG* RESTRICT target, LONG rows,
                       LONG classes, GLOBAL const float* RESTRICT w, int hasW, LONG ignoreIndex, int seg,
                       float scale, int flags, int xt, int gt, GLOBAL float* RESTRICT values,
                       GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials) {
    LOCAL float buf[GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        if (row < rows) {
            LONG off = row * classes;
            LONG y = target[row];
            float wy = (y == ignoreIndex || !hasW) ? 1.0f : w[y];
            int skip = y == ignoreIndex || wy == 0.0f;
            if (flags & 2) {
                for (LONG c = lane; c < classes; c += seg) {
                    le_store_as(grad, off + c, (!skip && c == y) ? -wy * scale : 0.0f, gt);
                }
            }
            if (lane == 0) {
                le_row_loss(values, row, skip ? 0.0f : -wy * le_load_as(x, off + y, xt), flags, &acc);
            }
        }
    }
    le_group_partial(buf, acc, partials);
}
