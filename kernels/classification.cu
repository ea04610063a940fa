/*
 * Binary classification losses (element-wise; see common/pointwise.h), as the CPU backend
 * (io.github.lossengine.cpu.BinaryCrossEntropyCpu, BceWithLogitsCpu, FocalCpu):
 *   binary_cross_entropy  on probabilities, logs floored at -100, gradient denominator floored at 1e-12
 *   bce_with_logits       c = pos_weight: c y softplus(-x) + (1 - y) softplus(x)
 *   focal                 p0 = gamma, p1 = alpha (negative: no balancing), torchvision's form
 */
#define LE_BCE 0
#define LE_BCE_LOGITS 1
#define LE_FOCAL 2

DEVICE float le_classification_eval(int kind, float xv, float yv, float cv, float p0, float p1, float p2, float* g) {
    if (kind == LE_BCE) {
        float pos = yv == 0.0f ? 0.0f : yv * le_max(LOG(xv), -100.0f);
        float neg = yv == 1.0f ? 0.0f : (1.0f - yv) * le_max(LOG1P(-xv), -100.0f);
        *g = (xv - yv) / le_max(xv * (1.0f - xv), 1e-12f);
        float l = -(pos + neg);
        return l == 0.0f ? 0.0f : l;
    }
    if (kind == LE_BCE_LOGITS) {
        float neg = yv == 1.0f ? 0.0f : (1.0f - yv) * le_sigmoid(xv);
        float pos = (yv == 0.0f || cv == 0.0f) ? 0.0f : cv * yv * le_sigmoid(-xv);
        *g = neg - pos;
        return le_logit_cross_entropy(xv, cv * yv, 1.0f - yv);
    }
    /* focal: u = 1 - p_t, ce = y softplus(-x) + (1 - y) softplus(x), l = a_t ce u^gamma */
    float p = le_sigmoid(xv);
    float q = le_sigmoid(-xv);
    float u = p * (1.0f - yv) + q * yv;
    float ce = le_logit_cross_entropy(xv, yv, 1.0f - yv);
    float ug = POW(u, p0);
    float at = p1 < 0.0f ? 1.0f : p1 * yv + (1.0f - p1) * (1.0f - yv);
    float d = (p * (1.0f - yv) - q * yv) * ug;
    float pq = p * q;
    if (p0 > 0.0f && pq > 0.0f) {
        d += p0 * ce * ug * (pq / u) * (1.0f - 2.0f * yv);
    }
    *g = at * d;
    return at * ce * ug;
}

LE_POINTWISE_KERNEL(le_binary_cross_entropy_f32, le_classification_eval, LE_BCE)
LE_POINTWISE_KERNEL(le_bce_with_logits_f32, le_classification_eval, LE_BCE_LOGITS)
LE_POINTWISE_KERNEL(le_focal_f32, le_classification_eval, LE_FOCAL)
