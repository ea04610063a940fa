/*
 * The shape shared by element-wise losses l(x, y) of a prediction x and a target y of the same
 * shape: one grid-stride pass computes each element's loss and derivative, writes the per-element
 * loss (reduction NONE) and the scaled gradient, and leaves one partial sum per group.
 *
 * Kernel parameters, in order (LE_POINTWISE_PARAMS):
 *   x, y      inputs, n elements each
 *   w, wlen   optional weights: wlen == 0 none, wlen == n one per element, else one per entry of
 *             the last dimension (index i % lastDim)
 *   p0, p1    the loss's options (delta, beta, margin, ...)
 *   scale     the reduction's factor (1/n for MEAN, 1 otherwise), folded into the gradient
 *   flags     bit 0: write values[i]; bit 1: write grad[i]
 *   partials  one float per group: the group's sum of the (weighted) losses
 */
#define LE_POINTWISE_PARAMS GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT y, LONG n, \
    GLOBAL const float* RESTRICT w, LONG wlen, LONG lastDim, float p0, float p1, float scale, int flags, \
    GLOBAL float* RESTRICT values, GLOBAL float* RESTRICT grad, GLOBAL float* RESTRICT partials

/* sign(d), 0 at 0, NaN for NaN (Java's Math.signum). */
DEVICE float le_sign(float d) {
    return d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : d);
}

/* The weight of element i. */
DEVICE float le_element_weight(GLOBAL const float* RESTRICT w, LONG wlen, LONG n, LONG lastDim, LONG i) {
    return wlen == 0 ? 1.0f : w[wlen == n ? i : i % lastDim];
}

/* Stores element i's loss l and derivative d (before weighting and scaling); returns the weighted loss. */
DEVICE float le_pointwise_store(float wi, float l, float d, float scale, int flags, LONG i,
                                GLOBAL float* RESTRICT values, GLOBAL float* RESTRICT grad) {
    float wl = wi * l;
    if (flags & 1) {
        values[i] = wl;
    }
    if (flags & 2) {
        grad[i] = wi * d * scale;
    }
    return wl;
}
