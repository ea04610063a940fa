package io.github.lossengine.cpu;

/**
 * {@link ProbabilityKernels} in plain Java, one element at a time; each block's losses summed by
 * {@link ScalarKernels#laneSum} in the vector lanes' order (the same bits as the vector kernels');
 * the vector kernels' tails.
 */
final class ScalarProbabilityKernels implements ProbabilityKernels {

    /** The weight of element {@code i}: {@code w[i + shift]}, or 1 without weights. */
    private static float weight(float[] w, int i, int shift) {
        return w == null ? 1f : w[i + shift];
    }

    /** {@code c v}, exactly 0 where the coefficient {@code c} is 0 (also for an infinite or NaN {@code v}). */
    static float term(float c, float v) {
        return c == 0f ? 0f : c * v;
    }

    @Override
    public double bce(float[] p, float[] y, float[] w, int wShift, float[] g, float[] values, int from, int to,
                      float gScale) {
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float pi = p[i];
            float yi = y[i];
            float wi = weight(w, i, wShift);
            float pos = yi == 0f ? 0f : yi * Math.max(FloatMath.log(pi), LOG_FLOOR);
            float neg = yi == 1f ? 0f : (1f - yi) * Math.max(FloatMath.log1p(-pi), LOG_FLOOR);
            float dl = (pi - yi) / Math.max(pi * (1f - pi), BCE_EPSILON);
            ScalarKernels.emit(lanes, from, term(wi, 0f - (pos + neg)), term(wi, dl) * gScale, g, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }

    @Override
    public double bceWithLogits(float[] x, float[] y, float[] w, int wShift, float[] pw, int pShift, float[] g,
                                float[] values, int from, int to, float gScale) {
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float xi = x[i];
            float c1 = weight(pw, i, pShift) * y[i];
            float c0 = 1f - y[i];
            float e = FloatMath.exp(-Math.abs(xi));
            float one = 1f + e;
            float r = 1f / one;
            float sp = FloatMath.log1p(e, one, r);
            float l = term(c1, Math.max(-xi, 0f) + sp) + term(c0, Math.max(xi, 0f) + sp);
            boolean positive = xi >= 0f;
            float sigmoid = positive ? r : e * r;
            float sigmoidNeg = positive ? e * r : r;
            float dl = term(c0, sigmoid) - term(c1, sigmoidNeg);
            float wi = weight(w, i, wShift);
            ScalarKernels.emit(lanes, from, term(wi, l), term(wi, dl) * gScale, g, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }

    /** {@code u^gamma} for {@code u} in [0, 1]: the cases of {@link #focal}. */
    static float power(float u, float gamma) {
        if (gamma == 2f) {
            return u * u;
        }
        if (gamma == 1f) {
            return u;
        }
        return gamma == 0f ? 1f : FloatMath.exp(gamma * FloatMath.log(u));
    }

    @Override
    public double focal(float[] x, float[] y, float[] g, float[] values, int from, int to, float gamma, float alpha,
                        float gScale) {
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float xi = x[i];
            float yi = y[i];
            float ny = 1f - yi;
            float at = alpha < 0f ? 1f : alpha * yi + (1f - alpha) * ny;
            float e = FloatMath.exp(-Math.abs(xi));
            float one = 1f + e;
            float r = 1f / one;
            float sp = FloatMath.log1p(e, one, r);
            boolean positive = xi >= 0f;
            float p = positive ? r : e * r;
            float q = positive ? e * r : r;
            float ce = term(yi, Math.max(-xi, 0f) + sp) + term(ny, Math.max(xi, 0f) + sp);
            float u = p * ny + q * yi;
            float ug = power(u, gamma);
            float pq = p * q;
            float d = (p * ny - q * yi) * ug;
            if (gamma > 0f && pq > 0f) {
                d += gamma * ce * ug * (pq / u) * (1f - 2f * yi);
            }
            ScalarKernels.emit(lanes, from, at * ce * ug, (at * d) * gScale, g, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }

    @Override
    public double klDiv(float[] x, float[] t, float[] g, float[] values, int from, int to, boolean logTarget,
                        float gScale) {
        float[] lanes = ScalarKernels.lanes(to - from);
        for (int i = from; i < to; i++) {
            float ti = t[i];
            float prob = logTarget ? FloatMath.expAny(ti) : ti;
            float logT = logTarget ? ti : FloatMath.log(ti);
            ScalarKernels.emit(lanes, from, term(prob, logT - x[i]), term(prob, -1f) * gScale, g, values, i);
        }
        return ScalarKernels.laneSum(lanes, to - from);
    }
}
