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

/*
 * The exact power of two that scales a row whose largest |entry| is m into [1, 2) when m >= 2^32, else
 * 1 (also for an infinite or NaN m). Squares and their sums over a row then stay inside float32
 * (they overflowed from |v| = 1.8e19, giving 1 or NaN for a cosine that is 0), and, being a power of
 * two, the scaling changes no digit of the result.
 */
DEVICE float le_norm_scale(float m) {
    return (m >= 4294967296.0f && !ISINF(m)) ? LDEXP(1.0f, -ILOGB(m)) : 1.0f;
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
        float mx = 0.0f;
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                mx = le_max(mx, FABS(x1[off + j] - x2[off + j] + eps));
            }
        }
        float k = le_norm_scale(le_seg_max(buf, mx, lane, seg));
        float sq = 0.0f;
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                float v = (x1[off + j] - x2[off + j] + eps) * k;
                sq += v * v;
            }
        }
        /* sq = |v|^2 k^2 */
        sq = le_seg_sum(buf, sq, lane, seg);
        if (active) {
            float yl = label[row];
            float l;
            float factor;
            if (yl == 0.0f) {
                l = 0.5f * sq / k / k;
                factor = 1.0f;
            } else {
                float dist = SQRT(sq) / k;
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

/*
 * k ||v||_p from the segment's max |v_j| (mx), the row's scale k (le_norm_scale) and the sum of the
 * terms (le_pnorm_term: |k v_j|^2, |k v_j| or (|v_j| / mx)^p).
 */
DEVICE float le_pnorm(float p, float mx, float k, float s) {
    if (p == 2.0f || p == 1.0f) {
        return p == 2.0f ? SQRT(s) : s;
    }
    if (mx == 0.0f || ISINF(mx) || ISNAN(mx)) {
        return mx;
    }
    return (mx * k) * POW(s, 1.0f / p);
}

/* The p-norm's term for element v: |k v|^2, |k v| or (|v| / mx)^p. */
DEVICE float le_pnorm_term(float p, float v, float mx, float k) {
    if (p == 2.0f) {
        return (v * k) * (v * k);
    }
    if (p == 1.0f) {
        return FABS(v * k);
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
 * triplet: max(0, margin + (d(a, pos) - d(a, neg))), d(u, v) = ||u - v + eps||_p; with swap d(a, neg)
 * becomes min(d(a, neg), d(pos, neg)), the gradient following the smaller (half each on a tie). Each
 * distance is summed scaled by its own power of two (le_norm_scale of its largest |difference|), so
 * it overflows only where the distance itself exceeds FLT_MAX (+Inf, as the CPU's float32-range
 * distance); the distances' difference comes first, so the margin is not lost when they dwarf it.
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
                mx[0] = le_max(mx[0], v0);
                mx[1] = le_max(mx[1], v1);
                mx[2] = le_max(mx[2], v2);
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
                    bx[k * GROUP_SIZE + t] = le_max(u, w);
                }
            }
            SYNC_THREADS;
        }
        for (int k = 0; k < 3; k++) {
            mx[k] = bx[k * GROUP_SIZE + t - lane];
        }
        SYNC_THREADS;
        float k0 = le_norm_scale(mx[0]);
        float k1 = le_norm_scale(mx[1]);
        float k2 = le_norm_scale(mx[2]);
        float sums[3] = {0.0f, 0.0f, 0.0f};
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                sums[0] += le_pnorm_term(p, a[off + j] - pos[off + j] + eps, mx[0], k0);
                sums[1] += le_pnorm_term(p, a[off + j] - neg[off + j] + eps, mx[1], k1);
                if (swap) {
                    sums[2] += le_pnorm_term(p, pos[off + j] - neg[off + j] + eps, mx[2], k2);
                }
            }
        }
        le_seg_sums(bx, sums, 3, lane, seg);
        if (active) {
            /* the scaled distances (k d), for the gradients */
            float sAp = le_pnorm(p, mx[0], k0, sums[0]);
            float sAn = le_pnorm(p, mx[1], k1, sums[1]);
            float sPn = swap ? le_pnorm(p, mx[2], k2, sums[2]) : LE_NAN;
            float dAp = sAp / k0;
            float dAn = sAn / k1;
            float dPn = swap ? sPn / k2 : LE_NAN;
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
                dNeg = le_min(dAn, dPn);
            }
            float inner = margin + (dAp - dNeg);
            float l = le_clamp0(inner);
            for (LONG j = lane; j < dim && (flags & 14); j += seg) {
                float gAj = 0.0f;
                float gPj = 0.0f;
                float gNj = 0.0f;
                if (!(inner < 0.0f)) {
                    float uAp = le_pnorm_grad(p, (a[off + j] - pos[off + j] + eps) * k0, sAp);
                    float uAn = wAn == 0.0f ? 0.0f : wAn * le_pnorm_grad(p, (a[off + j] - neg[off + j] + eps) * k1, sAn);
                    float uPn = wPn == 0.0f ? 0.0f : wPn * le_pnorm_grad(p, (pos[off + j] - neg[off + j] + eps) * k2, sPn);
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
 * y = -1: max(0, cos - margin) (the kink passes the gradient). Each row's x1 and x2 are scaled by
 * powers of two k1, k2 (le_norm_scale) before the sums, so the norms neither overflow nor lose digits:
 * with u' = k1 u, v' = k2 v, sq1' = |u'|^2 + 1e-12 k1^2 (and sq2'), denom' = sqrt(sq1') sqrt(sq2'),
 * cos = u'.v' / denom' and d cos / d u = k1 (v' / denom' - cos u' / sq1').
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
        float m1 = 0.0f;
        float m2 = 0.0f;
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                m1 = le_max(m1, FABS(x1[off + j]));
                m2 = le_max(m2, FABS(x2[off + j]));
            }
        }
        float k1 = le_norm_scale(le_seg_max(bx, m1, lane, seg));
        float k2 = le_norm_scale(le_seg_max(bx, m2, lane, seg));
        float sums[3] = {0.0f, 0.0f, 0.0f};
        if (active) {
            for (LONG j = lane; j < dim; j += seg) {
                float u = x1[off + j] * k1;
                float v = x2[off + j] * k2;
                sums[0] += u * v;
                sums[1] += u * u;
                sums[2] += v * v;
            }
        }
        le_seg_sums(bx, sums, 3, lane, seg);
        if (active) {
            float sq1 = sums[1] + 1e-12f * k1 * k1;
            float sq2 = sums[2] + 1e-12f * k2 * k2;
            float denom = SQRT(sq1) * SQRT(sq2);
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
                float u = x1[off + j] * k1;
                float v = x2[off + j] * k2;
                if (flags & 2) {
                    g1[off + j] = dl * k1 * (v / denom - cs * u / sq1) * scale;
                }
                if (flags & 4) {
                    g2[off + j] = dl * k2 * (u / denom - cs * v / sq2) * scale;
                }
            }
            if (lane == 0) {
                le_row_loss(values, row, l, flags, &acc);
            }
        }
    }
    le_group_partial(bx, acc, partials);
}
