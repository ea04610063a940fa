/*
 * Divergence and likelihood losses (element-wise; see common/pointwise.h), as the CPU backend
 * (io.github.lossengine.cpu.KlDivCpu, PoissonNllCpu):
 *   kl_div       p0 = 1 for log targets: t (log t - x) or e^t (t - x); a zero target probability gives 0
 *   poisson_nll  p0 = 1 for log input, p1 = 1 for the Stirling term, p2 = eps
 */
#define LE_KL_DIV 0
#define LE_POISSON_NLL 1

DEVICE float le_divergence_eval(int kind, float xv, float yv, float cv, float p0, float p1, float p2, float* g) {
    if (kind == LE_KL_DIV) {
        float prob = p0 != 0.0f ? EXP(yv) : yv;
        if (prob == 0.0f) {
            *g = 0.0f;
            return 0.0f;
        }
        float logT = p0 != 0.0f ? yv : LOG(yv);
        *g = -prob;
        return prob * (logT - xv);
    }
    float l;
    if (p0 != 0.0f) {
        float e = EXP(xv);
        l = e - yv * xv;
        *g = e - yv;
    } else {
        l = xv - (yv == 0.0f ? 0.0f : yv * LOG(xv + p2));
        *g = 1.0f - (yv == 0.0f ? 0.0f : yv / (xv + p2));
    }
    if (p1 != 0.0f && yv > 1.0f) {
        l += yv * LOG(yv) - yv + 0.5f * LOG(yv) + 0.91893853320467274f;
    }
    return l;
}

LE_POINTWISE_KERNEL(le_kl_div_f32, le_divergence_eval, LE_KL_DIV)
LE_POINTWISE_KERNEL(le_poisson_nll_f32, le_divergence_eval, LE_POISSON_NLL)

/*
 * gaussian_nll of mean mu, target y and variance var (as GaussianNllCpu): v = max(var, eps) (NaN kept),
 * d = mu - y, l = (log v + d^2 / v) / 2 (+ log(2 pi) / 2 with full); gradients d / v, -d / v and
 * (1 / v - d^2 / v^2) / 2. One variance serves rowLength consecutive elements (1: one per element;
 * the last dimension: one per row), one segment per variance, whose gradient is the segment's sum.
 * flags: bit 0 values, bits 1, 2, 3 the gradients of mu, y, var.
 */
KERNEL void le_gaussian_nll_f32(GLOBAL const float* RESTRICT mu, GLOBAL const float* RESTRICT y,
                                GLOBAL const float* RESTRICT var, LONG rows, LONG rowLength, float halfLog2Pi,
                                float eps, int seg, float scale, int flags, GLOBAL float* RESTRICT values,
                                GLOBAL float* RESTRICT gMu, GLOBAL float* RESTRICT gY, GLOBAL float* RESTRICT gVar,
                                GLOBAL float* RESTRICT partials) {
    LOCAL float buf[GROUP_SIZE];
    int lane = LOCAL_ID & (seg - 1);
    int slot = LOCAL_ID / seg;
    int perGroup = GROUP_SIZE / seg;
    float acc = 0.0f;
    for (LONG first = (LONG) GROUP_ID * perGroup; first < rows; first += (LONG) NUM_GROUPS * perGroup) {
        LONG row = first + slot;
        int active = row < rows;
        float v = active ? le_max(var[row], eps) : 1.0f;
        float dv = 0.0f;
        if (active) {
            LONG off = row * rowLength;
            for (LONG j = lane; j < rowLength; j += seg) {
                float d = mu[off + j] - y[off + j];
                /* d (d / v), not d^2 / v: d^2 overflows float32 from |d| = 1.8e19 while the quotient may not */
                float r = d / v;
                float q = d * r;
                float l = 0.5f * (LOG(v) + q) + halfLog2Pi;
                float g = r * scale;
                if (flags & 1) {
                    values[off + j] = l;
                }
                if (flags & 2) {
                    gMu[off + j] = g;
                }
                if (flags & 4) {
                    gY[off + j] = -g;
                }
                dv += 0.5f * (1.0f / v - r * r) * scale;
                acc += l;
            }
        }
        dv = le_seg_sum(buf, dv, lane, seg);
        if (active && lane == 0 && (flags & 8)) {
            gVar[row] = dv;
        }
    }
    le_group_partial(buf, acc, partials);
}
