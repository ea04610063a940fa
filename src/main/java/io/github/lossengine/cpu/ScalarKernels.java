package io.github.lossengine.cpu;

/**
 * {@link FloatKernels} in plain Java: one element at a time, float sums over blocks of
 * {@link FloatKernels#BLOCK} elements added into a double. The fallback when the Vector API is not
 * enabled, and what the vector implementation is checked against.
 */
final class ScalarKernels implements FloatKernels {
    private static final ProbabilityKernels PROBABILITY = new ScalarProbabilityKernels();
    private static final RegressionKernels REGRESSION = new ScalarRegressionKernels();

    @Override
    public String description() {
        return "scalar Java";
    }

    @Override
    public float max(float[] a, int from, int to) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }

    @Override
    public int countNegativeInfinity(float[] a, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (a[i] == Float.NEGATIVE_INFINITY) {
                n++;
            }
        }
        return n;
    }

    @Override
    public double expSum(float[] z, int from, int to, float m, float[] out, int outFrom) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            // from 1 (taken off at the end): with s >= 1 >= e, (s - t) + e is each step's exact rounding error
            float s = 1;
            float lost = 0;
            for (int i = b; i < end; i++) {
                float e = FloatMath.exp(z[i] - m);
                if (out != null) {
                    out[outFrom + i - from] = e;
                }
                float t = s + e;
                lost += (s - t) + e;
                s = t;
            }
            total += ((double) s - 1) + lost;
        }
        return total;
    }

    @Override
    public void scale(float[] g, int from, int to, float f) {
        for (int i = from; i < to; i++) {
            g[i] *= f;
        }
    }

    @Override
    public void smoothedRow(float[] z, int zFrom, float[] g, int gFrom, float[] w, int wFrom, int len, float f,
                            float s, float m, double[] sums) {
        double distance = 0;
        double weight = 0;
        for (int b = 0; b < len; b += BLOCK) {
            int end = Math.min(len, b + BLOCK);
            float d = 0;
            float wsum = 0;
            for (int i = b; i < end; i++) {
                float zi = z[zFrom + i];
                boolean open = zi != Float.NEGATIVE_INFINITY;
                float wi = w == null ? 1f : w[wFrom + i];
                if (open) {
                    d += wi * (m - zi);
                    wsum += wi;
                }
                if (g != null) {
                    g[gFrom + i] = open ? g[gFrom + i] * f - s * wi : 0f;
                }
            }
            distance += d;
            weight += wsum;
        }
        sums[0] = distance;
        sums[1] = weight;
    }

    @Override
    public double squaredError(float[] x, float[] y, float[] g, float[] values, int from, int to, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            float s = 0;
            for (int i = b; i < end; i++) {
                float d = x[i] - y[i];
                float l = d * d;
                s += l;
                if (g != null) {
                    g[i] = (d + d) * gScale;
                }
                if (values != null) {
                    values[i] = l;
                }
            }
            total += s;
        }
        return total;
    }

    @Override
    public double hinge(float[] x, float[] y, float[] g, float[] values, int from, int to, float margin, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            float s = 0;
            for (int i = b; i < end; i++) {
                float t = margin - y[i] * x[i];
                // branch-free (the signs are random, a branch would be mispredicted half the time): a mask of
                // all ones where t >= 0 (sign bit clear; t == -0 only for a margin of -0), NaN apart (rare)
                int bits = Float.floatToRawIntBits(t);
                int open = ~(bits >> 31);
                float l = Float.intBitsToFloat(bits & open);
                float d = Float.intBitsToFloat(Float.floatToRawIntBits(-y[i] * gScale) & open);
                if (t != t) {
                    l = t;
                    d = t;
                }
                s += l;
                if (g != null) {
                    g[i] = d;
                }
                if (values != null) {
                    values[i] = l;
                }
            }
            total += s;
        }
        return total;
    }

    @Override
    public int firstNotPlusMinusOne(float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            if (y[i] != 1f && y[i] != -1f) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int firstOutside(float[] a, int from, int to, float lo, float hi) {
        for (int i = from; i < to; i++) {
            if (!(a[i] >= lo && a[i] <= hi)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public RegressionKernels regression() {
        return REGRESSION;
    }

    @Override
    public ProbabilityKernels probability() {
        return PROBABILITY;
    }

    /**
     * The common end of an element of the element-wise kernels: writes the gradient {@code dl} and the
     * value {@code l} of element {@code i} where those arrays are non-null; returns {@code sum + l}.
     */
    static float emit(float sum, float l, float dl, float[] g, float[] values, int i) {
        if (g != null) {
            g[i] = dl;
        }
        if (values != null) {
            values[i] = l;
        }
        return sum + l;
    }

    /** {@link #widenBFloat16} into {@code dst} from {@code at} on (the vector kernels' tails). */
    void widenBFloat16(short[] src, int from, float[] dst, int at, int n) {
        for (int j = 0; j < n; j++) {
            dst[at + j] = io.github.lossengine.HalfFloats.bfloat16ToFloat(src[from + j]);
        }
    }

    /** {@link #roundBFloat16} from {@code src[at]} on (the vector kernels' tails). */
    void roundBFloat16(float[] src, int at, short[] dst, int to, int n) {
        for (int j = 0; j < n; j++) {
            dst[to + j] = io.github.lossengine.HalfFloats.floatToBFloat16(src[at + j]);
        }
    }

    private static final PairKernels PAIR = new ScalarPairKernels(PairKernels.LANES);

    /** The pair kernels with the 256-bit vector kernels' {@value PairKernels#LANES} partial sums (same bits). */
    @Override
    public PairKernels pair() {
        return PAIR;
    }
}
