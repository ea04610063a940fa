/*
 * The shape shared by element-wise losses l(x, y) of a prediction x and a target y of the same
 * shape (as io.github.lossengine.cpu.PointwiseCpu): one grid-stride pass computes each element's
 * loss and derivative, writes the per-element loss (reduction NONE) and the scaled gradient, and
 * leaves one partial sum per group.
 *
 * Kernel parameters, in order (LE_POINTWISE_PARAMS):
 *   x, y, n      inputs, n elements each
 *   w, wlen      element weights: wlen == 0 none, wlen == n one per element, else one per entry of
 *                the last dimension (index i % lastDim); an element of weight 0 gives exactly 0
 *   c, clen      a per-column parameter (pos_weight): clen == 0 none (1), 1 one value, else one per
 *                entry of the last dimension
 *   lastDim      extent of the last dimension
 *   p0, p1, p2   the loss's options (delta, beta, margin, gamma, flags, ...)
 *   scale        the reduction's factor (1/n for MEAN, 1 otherwise), folded into the gradient
 *   flags        bit 0: write values[i]; bit 1: write grad[i]
 *   partials     one float per group: the group's sum of the weighted losses
 */
#define LE_POINTWISE_PARAMS GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT y, LONG n, \
    GLOBAL const float* RESTRICT w, LONG wlen, GLOBAL const float* RESTRICT c, LONG clen, LONG lastDim, \
    float p0, float p1, float p2, float scale, int flags, \
    GLOBAL float* RESTRICT values, GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials

/*
 * Defines kernel NAME for the element loss EVAL(KIND, x, y, c, p0, p1, p2, &g), which returns the
 * loss of one element and stores dl/dx in g.
 */
#define LE_POINTWISE_KERNEL(NAME, EVAL, KIND) \
    KERNEL void NAME(LE_POINTWISE_PARAMS) { \
        LOCAL float buf[GROUP_SIZE]; \
        float acc = 0.0f; \
        LONG stride = (LONG) NUM_GROUPS * GROUP_SIZE; \
        for (LONG i = (LONG) GROUP_ID * GROUP_SIZE + LOCAL_ID; i < n; i += stride) { \
            float wi = wlen == 0 ? 1.0f : w[wlen == n ? i : i % lastDim]; \
            float ci = clen == 0 ? 1.0f : c[clen == 1 ? 0 : i % lastDim]; \
            float g = 0.0f; \
            float l = 0.0f; \
            if (wi != 0.0f) { \
                l = wi * EVAL(KIND, x[i], y[i], ci, p0, p1, p2, &g); \
                g = wi * g * scale; \
            } \
            if (flags & 1) { \
                values[i] = l; \
            } \
            if (flags & 2) { \
                grad[i] = g; \
            } \
            acc += l; \
        } \
        le_group_partial(buf, acc, partials); \
    }

/* sign(d), 0 at 0, NaN for NaN (Java's Math.signum). */
DEVICE float le_sign(float d) {
    return d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : d);
}

/* max(0, t) with NaN kept (Java's Math.max), unlike fmax. */
DEVICE float le_clamp0(float t) {
    return t >= 0.0f ? t : (t < 0.0f ? 0.0f : t);
}

/* d max(0, t)/dt as PyTorch: 1 for t >= 0 (the kink passes), 0 for t < 0, NaN for NaN. */
DEVICE float le_gate(float t) {
    return t >= 0.0f ? 1.0f : (t < 0.0f ? 0.0f : t);
}

/* log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|). */
DEVICE float le_softplus(float z) {
    return le_max(z, 0.0f) + LOG1P(EXP(-FABS(z)));
}

/* 1 / (1 + e^-z), on the side where the exponential cannot overflow. */
DEVICE float le_sigmoid(float z) {
    if (z >= 0.0f) {
        return 1.0f / (1.0f + EXP(-z));
    }
    float e = EXP(z);
    return e / (1.0f + e);
}

/* posCoeff softplus(-x) + negCoeff softplus(x); a term with coefficient 0 is exactly 0. */
DEVICE float le_logit_cross_entropy(float xv, float posCoeff, float negCoeff) {
    float pos = posCoeff == 0.0f ? 0.0f : posCoeff * le_softplus(-xv);
    float neg = negCoeff == 0.0f ? 0.0f : negCoeff * le_softplus(xv);
    return pos + neg;
}
