package io.github.lossengine.cpu;

/**
 * The float32 inner loops of the fused CPU losses, over index ranges of heap arrays. Two
 * implementations: {@link ScalarKernels} (plain Java, always available) and {@code VectorKernels}
 * (the JDK Vector API, loaded by {@link KernelSelection} only when the {@code jdk.incubator.vector}
 * module is present).
 *
 * <p>Contract shared by both, which the fused losses rely on:
 * <ul>
 *   <li>Accuracy: sums of exponentials are compensated (Kahan) in every float lane, so that
 *       {@code log(1 + 1e-9)} survives; other sums are plain float sums per block.</li>
 *   <li>Determinism: every result depends only on the arguments (the range included), never on
 *       the thread or on whether the JIT has compiled the code. Sums are taken in float lanes over
 *       fixed blocks of {@link #BLOCK} elements and the lanes combined in a fixed order into a
 *       double; no operation with an unspecified order (such as {@code reduceLanes(ADD)}) and no
 *       library {@code exp} (whose last bit may differ between the interpreter and compiled
 *       code) is used: {@link FloatMath} holds the transcendental functions, fixed sequences of
 *       IEEE operations (fused multiply-adds on both paths where the CPU has FMA, decided once per
 *       JVM), which the vector kernels perform lane by lane.</li>
 *   <li>The same bits on both implementations: the scalar kernels sum in {@link #LANES} lanes as the
 *       vector ones do (see {@link ScalarKernels}), so every result (value, values, gradient) is the
 *       same bits wherever the vector kernels run {@link #LANES} float lanes (256-bit vectors:
 *       x86-64 with AVX2 or AVX-512); with 128-bit vectors their sums differ in the last bits.
 *       {@code VectorScalarBitsTest} checks every fused loss.</li>
 *   <li>NaN in an input shows in the outputs that depend on it.</li>
 * </ul>
 * Implementations are stateless and thread-safe.
 */
interface FloatKernels {
    /** Elements per partial float sum; lanes are combined into a double after each block. */
    int BLOCK = 512;

    /**
     * The float lanes of the partial sums: the vector kernels' lane count on CPUs with 256-bit
     * vectors or wider, which the scalar kernels reproduce (lane {@code l} of a block sums its
     * elements {@code l, l + LANES, ...} of the block's whole groups of {@code LANES}, the rest is one
     * more float sum), so that both give the same bits.
     */
    int LANES = 8;

    /** A one-line description of the implementation, e.g. "Java Vector API, 256-bit (8 float lanes)". */
    String description();

    /** The Java matrix products of the fused linear cross-entropy that go with these kernels (the fallback of {@link GemmSelection}). */
    default RangeGemm gemm() {
        return new BlockedGemm();
    }

    /** {@code max(a[from..to))} with {@link Math#max(float, float)} semantics (NaN wins); {@code -inf} when empty. */
    float max(float[] a, int from, int to);

    /** How many elements of {@code a[from..to)} are {@code -inf}. */
    int countNegativeInfinity(float[] a, int from, int to);

    /**
     * {@code sum exp(z[i] - m)} over {@code [from, to)}, with {@code m} not {@code -inf} and at least
     * every {@code z[i]}; writes each {@code exp(z[i] - m)} to {@code out[outFrom + i - from]} when
     * {@code out} is non-null. Compensated float sums (Neumaier) that start from 1, taken off in double
     * at the end: with the sum at least 1 and every term at most 1, each step's rounding error is
     * caught exactly, so a confident row's {@code 1 + 1e-9} keeps its {@code 1e-9} wherever its
     * maximum stands (Kahan's form folds the error into the next term, which a term of 1 rounds away).
     */
    double expSum(float[] z, int from, int to, float m, float[] out, int outFrom);

    /** {@code g[i] *= f} over {@code [from, to)}. */
    void scale(float[] g, int from, int to, float f);

    /**
     * The pass over a stretch of a row that needs the logits again (label smoothing, or masked
     * classes in a row that is NaN): over {@code i} in {@code [0, len)}, for the classes whose logit
     * {@code z[zFrom + i]} is not {@code -inf}, writes {@code g[gFrom + i] = g[gFrom + i] * f - s w[wFrom + i]}
     * (when {@code g} is non-null; masked classes get exactly 0), and returns in {@code sums} the
     * sums {@code sum w (m - z)} and {@code sum w} over those classes ({@code w} null: all 1).
     */
    void smoothedRow(float[] z, int zFrom, float[] g, int gFrom, float[] w, int wFrom, int len, float f, float s,
                     float m, double[] sums);

    /**
     * Squared error: {@code d = x - y}, returns {@code sum d^2}; writes {@code g[i] = (d + d) * gScale}
     * and {@code values[i] = d^2} where those arrays are non-null.
     */
    default double squaredError(float[] x, float[] y, float[] g, float[] values, int from, int to, float gScale) {
        return squaredError(x, 0, y, 0, g, 0, values, from, to, gScale);
    }

    /**
     * {@link #squaredError(float[], float[], float[], float[], int, int, float)} with element {@code i}
     * of the predictions, targets and gradient at {@code x[xo + i]}, {@code y[yo + i]} and
     * {@code g[go + i]} (views into larger arrays: {@link io.github.lossengine.Tensor#floatBackingOffset()}); {@code values[i]} as there. The
     * same operations and lane order: the bits do not depend on the offsets.
     */
    double squaredError(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                        float gScale);

    /**
     * Binary hinge: {@code t = margin - y x}, returns {@code sum max(0, t)} (NaN propagates); writes
     * {@code g[i] = -y * gScale} where {@code t >= 0}, 0 where {@code t < 0}, NaN where {@code t} is NaN,
     * and {@code values[i] = max(0, t)} where those arrays are non-null.
     */
    default double hinge(float[] x, float[] y, float[] g, float[] values, int from, int to, float margin,
                         float gScale) {
        return hinge(x, 0, y, 0, g, 0, values, from, to, margin, gScale);
    }

    /** {@link #hinge(float[], float[], float[], float[], int, int, float, float)} at offsets, as {@link #squaredError(float[], int, float[], int, float[], int, float[], int, int, float)}. */
    double hinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                 float margin, float gScale);

    /**
     * Squared hinge: {@code h = max(0, margin - y x)} (NaN propagates), returns {@code sum h^2}; writes
     * {@code g[i] = ((-2 y) h) gScale} (the float32 derivative before the reduction's scale, so that it
     * overflows where the kernels' does) and {@code values[i] = h^2} where those arrays are non-null.
     */
    default double squaredHinge(float[] x, float[] y, float[] g, float[] values, int from, int to, float margin,
                                float gScale) {
        return squaredHinge(x, 0, y, 0, g, 0, values, from, to, margin, gScale);
    }

    /** {@link #squaredHinge(float[], float[], float[], float[], int, int, float, float)} at offsets, as {@link #squaredError(float[], int, float[], int, float[], int, float[], int, int, float)}. */
    double squaredHinge(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from, int to,
                        float margin, float gScale);

    /** The first index in {@code [from, to)} whose value is not exactly -1 or +1, or -1 when there is none. */
    int firstNotPlusMinusOne(float[] y, int from, int to);

    /**
     * The first index in {@code [from, to)} whose value lies outside {@code [lo, hi]} (NaN lies outside),
     * or -1 when there is none.
     */
    int firstOutside(float[] a, int from, int to, float lo, float hi);

    /**
     * How these kernels read direct native-order buffers, for the kernel description: {@code "in place (...)"}
     * with the mechanism, or {@code "staged: "} and why.
     */
    default String directBuffers() {
        return "staged: only the Vector API kernels read direct buffers in place";
    }

    /** The kernels that read direct native-order buffers in place, or null where there are none (see {@link DirectBufferKernels}). */
    default DirectBufferKernels direct() {
        return null;
    }

    /** The element-wise regression kernels (mae, huber, smooth_l1, log_cosh) of this implementation. */
    RegressionKernels regression();

    /** The element-wise likelihood kernels (bce, bce_with_logits, focal, kl_div) of this implementation. */
    ProbabilityKernels probability();

    /** The double-precision kernels of poisson_nll and gaussian_nll of this implementation. */
    LikelihoodKernels likelihood();

    /** The kernels of softmax cross-entropy with probability targets of this implementation. */
    default SoftTargetKernels softTargets() {
        return ScalarSoftTargetKernels.INSTANCE;
    }

    /** {@code dst[j] = } the float32 value of the bfloat16 {@code src[from + j]}, {@code j < n} (exact). */
    default void widenBFloat16(short[] src, int from, float[] dst, int n) {
        for (int j = 0; j < n; j++) {
            dst[j] = io.github.lossengine.HalfFloats.bfloat16ToFloat(src[from + j]);
        }
    }

    /**
     * {@link #widenBFloat16} into {@code dst[to ..]}, returning the maximum of the {@code n} values with
     * {@link #max} semantics (NaN wins, {@code +0} above {@code -0}; {@code -inf} when empty). The
     * vector kernels take the maximum on the 16-bit patterns themselves, as ordered integers.
     */
    default float widenMaxBFloat16(short[] src, int from, float[] dst, int to, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float v = io.github.lossengine.HalfFloats.bfloat16ToFloat(src[from + j]);
            dst[to + j] = v;
            m = Math.max(m, v);
        }
        return m;
    }

    /** {@code dst[j] = } the float32 value of the binary16 {@code src[from + j]}, {@code j < n} (exact). */
    default void widenFloat16(short[] src, int from, float[] dst, int n) {
        for (int j = 0; j < n; j++) {
            dst[j] = io.github.lossengine.HalfFloats.float16ToFloat(src[from + j]);
        }
    }

    /** {@code dst[to + j] = src[j]} rounded to binary16 as {@link io.github.lossengine.HalfFloats#floatToFloat16}, {@code j < n}. */
    default void roundFloat16(float[] src, short[] dst, int to, int n) {
        for (int j = 0; j < n; j++) {
            dst[to + j] = io.github.lossengine.HalfFloats.floatToFloat16(src[j]);
        }
    }

    /** {@code dst[to + j] = src[j]} rounded to bfloat16 (nearest even, NaN kept), {@code j < n}. */
    default void roundBFloat16(float[] src, short[] dst, int to, int n) {
        for (int j = 0; j < n; j++) {
            dst[to + j] = io.github.lossengine.HalfFloats.floatToBFloat16(src[j]);
        }
    }

    /** {@code out[outFrom + j] = g[from + j] * f} rounded to bfloat16 (as {@link #roundBFloat16}), for {@code from + j < to}. */
    default void scaleRoundBFloat16(float[] g, int from, int to, float f, short[] out, int outFrom) {
        for (int j = from; j < to; j++) {
            out[outFrom + j - from] = io.github.lossengine.HalfFloats.floatToBFloat16(g[j] * f);
        }
    }

    /** The row and pair loss kernels (cosine_embedding, triplet, contrastive, margin_ranking) of this implementation. */
    PairKernels pair();
}
