package io.github.lossengine.cpu;

/**
 * {@link FloatKernels} in plain Java: one element at a time, with the sums the vector kernels take.
 * Within a block of {@link FloatKernels#BLOCK} elements, the whole groups of {@link FloatKernels#LANES}
 * elements are summed in {@code LANES} float partial sums (lane {@code l} takes the group's element
 * {@code l}, in order), the partial sums are added into a double in lane order, then the remaining
 * elements' own float sum is added. {@link #expSum} keeps its eight lanes in one loop, the
 * element-wise kernels write a block's losses to a scratch row that {@link #laneSum} adds, and
 * {@link #smoothedRow} (two sums) runs lane after lane, stepping by {@code LANES} through the cached
 * block (as the scalar twin of {@code PairKernels} does for the Weston-Watkins stretch). Every
 * element's operations are {@link FloatMath}'s, which {@code VectorMath} performs lane by lane, so a
 * result is the same bits as the Vector API kernels' wherever they run {@code LANES} lanes (256-bit
 * vectors or wider). The fallback when the Vector API is not enabled, and the vector kernels' tails.
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

    /**
     * The eight lanes in one loop (eight independent compensated sums, which the CPU overlaps): lane
     * {@code l} takes elements {@code b + l, b + l + 8, ...} in order, as a vector lane does.
     */
    @Override
    public double expSum(float[] z, int from, int to, float m, float[] out, int outFrom) {
        double total = 0;
        int shift = outFrom - from;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            int bound = bound(b, end);
            // each lane from 1 (taken off at the end): with s >= 1 >= e, (s - t) + e is each step's exact rounding error
            float s0 = 1, s1 = 1, s2 = 1, s3 = 1, s4 = 1, s5 = 1, s6 = 1, s7 = 1;
            float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
            for (int i = b; i < bound; i += LANES) {
                float e0 = exp(z, i + 0, m, out, shift);
                float t0 = s0 + e0;
                c0 += (s0 - t0) + e0;
                s0 = t0;
                float e1 = exp(z, i + 1, m, out, shift);
                float t1 = s1 + e1;
                c1 += (s1 - t1) + e1;
                s1 = t1;
                float e2 = exp(z, i + 2, m, out, shift);
                float t2 = s2 + e2;
                c2 += (s2 - t2) + e2;
                s2 = t2;
                float e3 = exp(z, i + 3, m, out, shift);
                float t3 = s3 + e3;
                c3 += (s3 - t3) + e3;
                s3 = t3;
                float e4 = exp(z, i + 4, m, out, shift);
                float t4 = s4 + e4;
                c4 += (s4 - t4) + e4;
                s4 = t4;
                float e5 = exp(z, i + 5, m, out, shift);
                float t5 = s5 + e5;
                c5 += (s5 - t5) + e5;
                s5 = t5;
                float e6 = exp(z, i + 6, m, out, shift);
                float t6 = s6 + e6;
                c6 += (s6 - t6) + e6;
                s6 = t6;
                float e7 = exp(z, i + 7, m, out, shift);
                float t7 = s7 + e7;
                c7 += (s7 - t7) + e7;
                s7 = t7;
            }
            double sums = (((((((0.0 + s0) + s1) + s2) + s3) + s4) + s5) + s6) + s7;
            double lost = (((((((0.0 + c0) + c1) + c2) + c3) + c4) + c5) + c6) + c7;
            long tail = expSum(z, bound, end, 1, m, out, shift);
            total += ((sums - LANES) + lost) + (((double) high(tail) - 1) + low(tail));
        }
        return total;
    }

    /** {@code exp(z[i] - m)}, also written to {@code out[i + shift]} when {@code out} is non-null. */
    private static float exp(float[] z, int i, float m, float[] out, int shift) {
        float e = FloatMath.exp(z[i] - m);
        if (out != null) {
            out[i + shift] = e;
        }
        return e;
    }

    /**
     * {@link #expSum} over {@code i = start, start + step, ... < end} (the tail of a block): the compensated
     * sum from 1 and its lost low part, as {@link #pair}; writes {@code out[i + shift]}.
     */
    private static long expSum(float[] z, int start, int end, int step, float m, float[] out, int shift) {
        // from 1 (taken off at the end): with s >= 1 >= e, (s - t) + e is each step's exact rounding error
        float s = 1;
        float lost = 0;
        for (int i = start; i < end; i += step) {
            float e = exp(z, i, m, out, shift);
            float t = s + e;
            lost += (s - t) + e;
            s = t;
        }
        return pair(s, lost);
    }

    /** Two floats in one long (no allocation): {@code a} in the high half, {@code b} in the low. */
    static long pair(float a, float b) {
        return ((long) Float.floatToRawIntBits(a) << 32) | (Float.floatToRawIntBits(b) & 0xffffffffL);
    }

    /** The first float of a {@link #pair}. */
    static float high(long pair) {
        return Float.intBitsToFloat((int) (pair >>> 32));
    }

    /** The second float of a {@link #pair}. */
    static float low(long pair) {
        return Float.intBitsToFloat((int) pair);
    }

    /** The end of {@code [from, to)}'s whole groups of {@link #LANES} elements. */
    static int bound(int from, int to) {
        return from + ((to - from) & -LANES);
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
            int bound = bound(b, end);
            double d = 0;
            double ws = 0;
            for (int l = 0; l < LANES; l++) {
                long lane = smoothed(z, zFrom, g, gFrom, w, wFrom, b + l, bound, LANES, f, s, m);
                d += high(lane);
                ws += low(lane);
            }
            long tail = smoothed(z, zFrom, g, gFrom, w, wFrom, bound, end, 1, f, s, m);
            distance += d + high(tail);
            weight += ws + low(tail);
        }
        sums[0] = distance;
        sums[1] = weight;
    }

    /** One lane of {@link #smoothedRow} over {@code i = start, start + step, ... < end}: its two float sums as a {@link #pair}. */
    private static long smoothed(float[] z, int zFrom, float[] g, int gFrom, float[] w, int wFrom, int start,
                                 int end, int step, float f, float s, float m) {
        float d = 0;
        float wsum = 0;
        for (int i = start; i < end; i += step) {
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
        return pair(d, wsum);
    }

    @Override
    public double squaredError(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                               int to, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            float[] lanes = lanes(end - b);
            for (int i = b; i < end; i++) {
                float d = x[xo + i] - y[yo + i];
                emit(lanes, b, d * d, (d + d) * gScale, g, go, values, i);
            }
            total += laneSum(lanes, end - b);
        }
        return total;
    }

    @Override
    public double hinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                        float margin, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            float[] lanes = lanes(end - b);
            for (int i = b; i < end; i++) {
                float yi = y[yo + i];
                float t = margin - yi * x[xo + i];
                // branch-free (the signs are random, a branch would be mispredicted half the time): a mask of
                // all ones where t >= 0 (sign bit clear; t == -0 only for a margin of -0), NaN apart (rare)
                int bits = Float.floatToRawIntBits(t);
                int open = ~(bits >> 31);
                float l = Float.intBitsToFloat(bits & open);
                float d = Float.intBitsToFloat(Float.floatToRawIntBits(-yi * gScale) & open);
                if (t != t) {
                    l = t;
                    d = t;
                }
                emit(lanes, b, l, d, g, go, values, i);
            }
            total += laneSum(lanes, end - b);
        }
        return total;
    }

    @Override
    public double squaredHinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                               int to, float margin, float gScale) {
        double total = 0;
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            float[] lanes = lanes(end - b);
            for (int i = b; i < end; i++) {
                float yi = y[yo + i];
                float h = Math.max(0f, margin - yi * x[xo + i]);
                emit(lanes, b, h * h, ((-2f * yi) * h) * gScale, g, go, values, i);
            }
            total += laneSum(lanes, end - b);
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

    @Override
    public LikelihoodKernels likelihood() {
        return ScalarLikelihoodKernels.INSTANCE;
    }

    /**
     * The common end of an element of the element-wise kernels: writes the gradient {@code dl} and the
     * value {@code l} of element {@code i} where those arrays are non-null, and {@code l} to
     * {@code lanes[i - from]} for {@link #laneSum}.
     */
    static void emit(float[] lanes, int from, float l, float dl, float[] g, float[] values, int i) {
        emit(lanes, from, l, dl, g, 0, values, i);
    }

    /** {@link #emit(float[], int, float, float, float[], float[], int)} with the gradient at {@code g[go + i]}. */
    static void emit(float[] lanes, int from, float l, float dl, float[] g, int go, float[] values, int i) {
        if (g != null) {
            g[go + i] = dl;
        }
        if (values != null) {
            values[i] = l;
        }
        lanes[i - from] = l;
    }

    /** This thread's row for {@code n <= BLOCK} element losses before {@link #laneSum} (the last {@link Scratch} row). */
    static float[] lanes(int n) {
        if (n > BLOCK) {
            throw new IllegalArgumentException(n + " elements in one block of at most " + BLOCK);
        }
        return Scratch.get(4)[3];
    }

    /**
     * {@code l[0 .. n)} summed as the vector kernels sum a block: {@link #LANES} float lanes over the
     * whole groups of {@code LANES} (lane {@code j} takes elements {@code j, j + LANES, ...}, in order),
     * the lanes added into a double in lane order, then the remaining elements' float sum. The eight
     * lanes are independent chains of additions, which the CPU overlaps.
     */
    static double laneSum(float[] l, int n) {
        int bound = n & -LANES;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < bound; i += LANES) {
            s0 += l[i];
            s1 += l[i + 1];
            s2 += l[i + 2];
            s3 += l[i + 3];
            s4 += l[i + 4];
            s5 += l[i + 5];
            s6 += l[i + 6];
            s7 += l[i + 7];
        }
        float tail = 0;
        for (int i = bound; i < n; i++) {
            tail += l[i];
        }
        return ((((((((0.0 + s0) + s1) + s2) + s3) + s4) + s5) + s6) + s7) + tail;
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
