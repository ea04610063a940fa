/*
 * Losses on rows of embeddings [N, D] (as io.github.lossengine.cpu.ContrastiveCpu, TripletCpu,
 * CosineEmbeddingCpu): one segment per row; the row's norms and dot products are segment sums, then
 * every lane writes its elements' gradients. Labels arrive as float32 (le_labels_to_f32_i64 converts
 * integer labels). flags: bit 0 values, bit k (k >= 1) the gradient of input k - 1.
 */

/* Integer labels as floats, for the embedding kernels. */
KERNEL void le_labels_to_f32_i64(GLOBAL const LONG* RESTRICT in, LONG n, GLOBAL float* RESTRICT out) {
    LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE;
    for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) {
        out[i] = (float) in[i];
    }
}

/* contrastive: v = x1 - x2 + eps, D = |v|; y = 0: D^2 / 2, gradient v; y = 1: max(0, m - D)^2 / 2, gradient -max(0, m - D) v / D. */
KERNEL void le_contrastive_f32(GLOBAL const float* RESTRICT x1, GLOBAL const float* RESTRICT x2,
                               GLOBAL const float* RESTRICT label, LONG rows, LONG dim, float margin, float eps,
                               int seg, float scale, int flags, GLOBAL float* RESTRICT values,
                               GLOBAL float* RESTRICT g1, GLOBAL float* RESTRICT g2, GLOBAL float* RESTRICT partials) {
    LOCAL float buf[GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * dim;
        float sq = 0.0f;
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                float v = x1[off + j] - x2[off + j] + eps;
                sq += v * v;
            }
        }
        sq = le_seg_sum(buf, sq, lane, seg);
        if (active) {
            float yl = label[row];
            float l;
            float factor;
            if (yl == 0.0f) {
                l = 0.5f * sq;
                factor = 1.0f;
            } else {
                float dist = SQRT(sq);
                float gap = le_clamp0(margin - dist);
                l = 0.5f * gap * gap;
                factor = dist == 0.0f ? 0.0f : -gap / dist;
            }
            for (LONG j = lane; j < dim && (flags & 6); j += seg) {
                float v = x1[off + j] - x2[off + j] + eps;
                float g = factor == 0.0f ? 0.0f : factor * v * scale;
                if (flags & 2) {
                    g1[off + j] = g;
                }
                if (flags & 4) {
                    g2[off + j] = factor == 0.0f ? 0.0f : -factor * v * scale;
                }
            }
            if (lane == 0) {
                le_row_loss(values, row, l, flags, &acc);
            }
        }
    }
    le_group_partial(buf, acc, partials);
}

/* ||v||_p from the segment's max |v_j| and sum of (|v_j| / max)^p (p = 1 and 2 summed directly). */
DEVICE float le_pnorm(float p, float mx, float s) {
    if (p == 2.0f || p == 1.0f) {
        return p == 2.0f ? SQRT(s) : s;
    }
    if (mx == 0.0f || ISINF(mx) || ISNAN(mx)) {
        return mx;
    }
    return mx * POW(s, 1.0f / p);
}

/* The p-norm's term for element v (|v|^2, |v| or (|v| / max)^p). */
DEVICE float le_pnorm_term(float p, float v, float mx) {
    if (p == 2.0f) {
        return v * v;
    }
    if (p == 1.0f) {
        return FABS(v);
    }
    return (mx == 0.0f || ISINF(mx) || ISNAN(mx)) ? 0.0f : POW(FABS(v) / mx, p);
}

/* d ||v||_p / d v: sign(v) (|v| / norm)^(p-1); 0 where the norm is 0. */
DEVICE float le_pnorm_grad(float p, float v, float norm) {
    if (norm == 0.0f) {
        return 0.0f;
    }
    if (p == 2.0f) {
        return v / norm;
    }
    if (p == 1.0f) {
        return le_sign(v);
    }
    return le_sign(v) * POW(FABS(v) / norm, p - 1.0f);
}

/*
 * triplet: max(0, margin + d(a, pos) - d(a, neg)), d(u, v) = ||u - v + eps||_p; with swap d(a, neg)
 * becomes min(d(a, neg), d(pos, neg)), the gradient following the smaller (half each on a tie).
 */
KERNEL void le_triplet_f32(GLOBAL const float* RESTRICT a, GLOBAL const float* RESTRICT pos,
                           GLOBAL const float* RESTRICT neg, LONG rows, LONG dim, float margin, float p, float eps,
                           int swap, int seg, float scale, int flags, GLOBAL float* RESTRICT values,
                           GLOBAL float* RESTRICT gA, GLOBAL float* RESTRICT gP, GLOBAL float* RESTRICT gN,
                           GLOBAL float* RESTRICT partials) {
    LOCAL float bx[MAX_SUMS * GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    int t = LOCAL_ID;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * dim;
        /* segment maxima of |v| for the three differences (NaN kept), for p other than 1 and 2 */
        float mx[3] = {0.0f, 0.0f, 0.0f};
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                float v0 = FABS(a[off + j] - pos[off + j] + eps);
                float v1 = FABS(a[off + j] - neg[off + j] + eps);
                float v2 = swap ? FABS(pos[off + j] - neg[off + j] + eps) : 0.0f;
                mx[0] = (ISNAN(v0) || ISNAN(mx[0])) ? LE_NAN : FMAX(mx[0], v0);
                mx[1] = (ISNAN(v1) || ISNAN(mx[1])) ? LE_NAN : FMAX(mx[1], v1);
                mx[2] = (ISNAN(v2) || ISNAN(mx[2])) ? LE_NAN : FMAX(mx[2], v2);
            }
        }
        for (int k = 0; k < 3; k++) {
            bx[k * GROUP_SIZE + t] = mx[k];
        }
        SYNC_THREADS;
        for (int s = seg >> 1; s > 0; s >>= 1) {
            if (lane < s) {
                for (int k = 0; k < 3; k++) {
                    float u = bx[k * GROUP_SIZE + t];
                    float w = bx[k * GROUP_SIZE + t + s];
                    bx[k * GROUP_SIZE + t] = (ISNAN(u) || ISNAN(w)) ? LE_NAN : FMAX(u, w);
                }
            }
            SYNC_THREADS;
        }
        for (int k = 0; k < 3; k++) {
            mx[k] = bx[k * GROUP_SIZE + t - lane];
        }
        SYNC_THREADS;
        float sums[3] = {0.0f, 0.0f, 0.0f};
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                sums[0] += le_pnorm_term(p, a[off + j] - pos[off + j] + eps, mx[0]);
                sums[1] += le_pnorm_term(p, a[off + j] - neg[off + j] + eps, mx[1]);
                if (swap) {
                    sums[2] += le_pnorm_term(p, pos[off + j] - neg[off + j] + eps, mx[2]);
                }
            }
        }
        le_seg_sums(bx, sums, 3, lane, seg);
        if (active) {
            float dAp = le_pnorm(p, mx[0], sums[0]);
            float dAn = le_pnorm(p, mx[1], sums[1]);
            float dPn = swap ? le_pnorm(p, mx[2], sums[2]) : LE_NAN;
            float wAn = 1.0f;
            float wPn = 0.0f;
            float dNeg = dAn;
            if (swap) {
                if (dPn < dAn) {
                    wAn = 0.0f;
                    wPn = 1.0f;
                } else if (!(dAn < dPn)) {
                    wAn = 0.5f;
                    wPn = 0.5f;
                }
                dNeg = (ISNAN(dAn) || ISNAN(dPn)) ? LE_NAN : FMIN(dAn, dPn);
            }
            float inner = margin + dAp - dNeg;
            float l = le_clamp0(inner);
            for (LONG j = lane; j < dim && (flags & 14); j += seg) {
                float gAj = 0.0f;
                float gPj = 0.0f;
                float gNj = 0.0f;
                if (!(inner < 0.0f)) {
                    float uAp = le_pnorm_grad(p, a[off + j] - pos[off + j] + eps, dAp);
                    float uAn = wAn == 0.0f ? 0.0f : wAn * le_pnorm_grad(p, a[off + j] - neg[off + j] + eps, dAn);
                    float uPn = wPn == 0.0f ? 0.0f : wPn * le_pnorm_grad(p, pos[off + j] - neg[off + j] + eps, dPn);
                    gAj = (uAp - uAn) * scale;
                    gPj = (-uAp - uPn) * scale;
                    gNj = (uAn + uPn) * scale;
                }
                if (flags & 2) {
                    gA[off + j] = gAj;
                }
                if (flags & 4) {
                    gP[off + j] = gPj;
                }
                if (flags & 8) {
                    gN[off + j] = gNj;
                }
            }
            if (lane == 0) {
                le_row_loss(values, row, l, flags, &acc);
            }
        }
    }
    le_group_partial(bx, acc, partials);
}

/*
 * cosine_embedding: cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)); y = 1: 1 - cos;
 * y = -1: max(0, cos - margin) (the kink passes the gradient).
 */
KERNEL void le_cosine_embedding_f32(GLOBAL const float* RESTRICT x1, GLOBAL const float* RESTRICT x2,
                                    GLOBAL const float* RESTRICT label, LONG rows, LONG dim, float margin, int seg,
                                    float scale, int flags, GLOBAL float* RESTRICT values,
                                    GLOBAL float* RESTRICT g1, GLOBAL float* RESTRICT g2,
                                    GLOBAL float* RESTRICT partials) {
    LOCAL float bx[MAX_SUMS * GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        LONG off = row * dim;
        float sums[3] = {0.0f, 0.0f, 0.0f};
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                float u = x1[off + j];
                float v = x2[off + j];
                sums[0] += u * v;
                sums[1] += u * u;
                sums[2] += v * v;
            }
        }
        le_seg_sums(bx, sums, 3, lane, seg);
        if (active) {
            float sq1 = sums[1] + 1e-12f;
            float sq2 = sums[2] + 1e-12f;
            float denom = SQRT(sq1 * sq2);
            float cs = sums[0] / denom;
            float l;
            float dl;
            if (label[row] == 1.0f) {
                l = 1.0f - cs;
                dl = -1.0f;
            } else {
                float inner = cs - margin;
                l = le_clamp0(inner);
                dl = inner < 0.0f ? 0.0f : 1.0f;
            }
            for (LONG j = lane; j < dim && (flags & 6); j += seg) {
                float u = x1[off + j];
                float v = x2[off + j];
                if (flags & 2) {
                    g1[off + j] = dl * (v / denom - cs * u / sq1) * scale;
                }
                if (flags & 4) {
                    g2[off + j] = dl * (u / denom - cs * v / sq2) * scale;
                }
            }
            if (lane == 0) {
                le_row_loss(values, row, l, flags, &acc);
            }
        }
    }
    le_group_partial(bx, acc, partials);
}
