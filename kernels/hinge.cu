/*
 * Hinge losses, as the CPU backend (io.github.lossengine.cpu.HingeCpu, SquaredHingeCpu,
 * MarginRankingCpu, MulticlassHingeCpu). At the kink the gradient passes (PyTorch's clamp):
 * d max(0, t)/dt = 1 at t = 0.
 *   hinge          element-wise, p0 = margin: max(0, margin - y x), gradient -y where margin - y x >= 0
 *   squared_hinge  element-wise, p0 = margin: max(0, margin - y x)^2, gradient -2 y max(0, margin - y x)
 *   margin_ranking x1, x2, y: max(0, -y (x1 - x2) + margin), gradients -y and +y where active
 *   multiclass_hinge [N, C] scores, one segment per row: Weston-Watkins (sum over j != y of
 *                  w_y h(margin - x_y + x_j) / C where positive) or Crammer-Singer (w_y h of the
 *                  largest, lowest index on ties, a NaN wins), h(z) = z or z^2
 */
#define LE_HINGE 0
#define LE_SQUARED_HINGE 1

DEVICE float le_hinge_eval(int kind, float xv, float yv, float cv, float p0, float p1, float p2, float* g) {
    float t = p0 - yv * xv;
    float h = le_clamp0(t);
    if (kind == LE_HINGE) {
        *g = -yv * le_gate(t);
        return h;
    }
    *g = -2.0f * yv * h;
    return h * h;
}

LE_POINTWISE_KERNEL(le_hinge_f32, le_hinge_eval, LE_HINGE)
LE_POINTWISE_KERNEL(le_squared_hinge_f32, le_hinge_eval, LE_SQUARED_HINGE)

/* flags: bit 0 values, bit 1 gradient of x1, bit 2 gradient of x2. */
KERNEL void le_margin_ranking_f32(GLOBAL const float* RESTRICT x1, GLOBAL const float* RESTRICT x2,
                                  GLOBAL const float* RESTRICT y, LONG n, float margin, float scale, int flags,
                                  GLOBAL float* RESTRICT values, GLOBAL float* RESTRICT g1,
                                  GLOBAL float* RESTRICT g2, GLOBAL float* RESTRICT partials) {
    LOCAL float buf[GROUP_SIZE];
    float acc = 0.0f;
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        float yi = y[i];
        float t = -yi * (x1[i] - x2[i]) + margin;
        float l = le_clamp0(t);
        float slope = yi * le_gate(t) * scale;
        if (flags & 1) {
            values[i] = l;
        }
        if (flags & 2) {
            g1[i] = -slope;
        }
        if (flags & 4) {
            g2[i] = slope;
        }
        acc += l;
    }
    le_group_partial(buf, acc, partials);
}

DEVICE float le_mc_h(int p, float z) {
    return p == 1 ? z : z * z;
}

DEVICE float le_mc_dh(int p, float z) {
    return ISNAN(z) ? z : (p == 1 ? 1.0f : 2.0f * z);
}

/* Whether Crammer-Singer candidate (j2, z2) beats (j1, z1): a NaN first (lowest index), then the larger z, then the lower index. */
DEVICE int le_cs_better(int j1, float z1, int j2, float z2) {
    if (j2 < 0) {
        return 0;
    }
    if (j1 < 0) {
        return 1;
    }
    int n1 = ISNAN(z1);
    int n2 = ISNAN(z2);
    if (n1 || n2) {
        return n1 && n2 ? j2 < j1 : n2;
    }
    return z2 > z1 || (z2 == z1 && j2 < j1);
}

/* The segment's best Crammer-Singer candidate (le_cs_better); every lane gets it. */
DEVICE void le_seg_cs_argmax(LOCAL_ARG float* bz, LOCAL_ARG int* bj, int* best, float* zBest, int lane, int seg) {
    int t = LOCAL_ID;
    bz[t] = *zBest;
    bj[t] = *best;
    SYNC_THREADS;
    for (int k = seg >> 1; k > 0; k >>= 1) {
        if (lane < k && le_cs_better(bj[t], bz[t], bj[t + k], bz[t + k])) {
            bj[t] = bj[t + k];
            bz[t] = bz[t + k];
        }
        SYNC_THREADS;
    }
    *best = bj[t - lane];
    *zBest = bz[t - lane];
    SYNC_THREADS;
}

KERNEL void le_multiclass_hinge_f32(GLOBAL const float* RESTRICT x, GLOBAL const LONG* RESTRICT target, LONG rows,
                                    LONG classes, GLOBAL const float* RESTRICT w, int hasW, float margin, int p,
                                    int crammer, int seg, float scale, int flags, GLOBAL float* RESTRICT values,
                                    GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials) {
    LOCAL float bz[GROUP_SIZE];
    LOCAL int bj[GROUP_SIZE];
    LOCAL float bx[MAX_SUMS * GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * classes;
        LONG y = active ? target[row] : 0;
        float xy = active ? x[off + y] : 0.0f;
        float wy = (hasW && active) ? w[y] : 1.0f;
        float sums[2] = {0.0f, 0.0f};
        int best = -1;
        float zBest = 0.0f;
        if (active) {
            if (!crammer) {
                wy = wy / (float) classes;
            }
            for (LONG j = lane; j < classes; j += seg) {
                if (j == y) {
                    continue;
                }
                float z = margin - xy + x[off + j];
                float gj = 0.0f;
                if (crammer) {
                    if ((z > 0.0f || ISNAN(z)) && le_cs_better(best, zBest, (int) j, z)) {
                        best = (int) j;
                        zBest = z;
                    }
                } else if (z > 0.0f || ISNAN(z)) {
                    sums[0] += wy * le_mc_h(p, z);
                    gj = wy * le_mc_dh(p, z) * scale;
                    sums[1] += gj;
                }
                if (flags & 2) {
                    grad[off + j] = gj;
                }
            }
        }
        /* both reductions run unconditionally: no barrier sits under a branch */
        le_seg_cs_argmax(bz, bj, &best, &zBest, lane, seg);
        le_seg_sums(bx, sums, 2, lane, seg);
        float l;
        if (crammer) {
            l = best < 0 ? 0.0f : wy * le_mc_h(p, zBest);
            if (active && lane == 0 && (flags & 2)) {
                float gj = best < 0 ? 0.0f : wy * le_mc_dh(p, zBest) * scale;
                grad[off + y] = -gj;
                if (best >= 0) {
                    grad[off + best] = gj;
                }
            }
        } else {
            l = sums[0];
            if (active && lane == 0 && (flags & 2)) {
                grad[off + y] = -sums[1];
            }
        }
        if (active && lane == 0) {
            le_row_loss(values, row, l, flags, &acc);
        }
    }
    le_group_partial(bz, acc, partials);
}
