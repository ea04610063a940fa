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
