package io.github.lossengine.cpu;

/**
 * The float32 inner loops of the fused row and pair losses (cosine_embedding, triplet, contrastive,
 * margin_ranking, multi-class hinge), over one row (or one block of elements) of heap arrays given with their offsets.
 * Two implementations, {@link ScalarPairKernels} and {@code VectorPairKernels}.
 *
 * <p>The same bits from both: every element's value and gradient is the same float operations in the
 * same order, and every sum is taken the same way. A sum runs over blocks of {@link FloatKernels#BLOCK}
 * elements from the start of the row; within a block, the whole groups of {@link #LANES} elements go
 * into {@code LANES} float partial sums (element {@code j} of a group into partial {@code j}), the
 * elements after the last whole group into one more float sum in order; the partials are added into a
 * double in lane order, then the tail. The vector kernels do this with one float lane per partial
 * sum; the scalar kernels keep the partials in an array. A result therefore depends only on the
 * row's values and length (not on its offset, nor on the thread), so a row staged through scratch
 * gives the bits of the same row read in place. The vector kernels' lane count is the CPU's
 * ({@code VectorMath.L}: 8 with 256-bit vectors, 4 with 128-bit ones); the scalar kernels that
 * {@link ScalarKernels} hands out use {@value #LANES}, so the two sets agree bit for bit on every CPU
 * with 256-bit vectors (every x86 CPU with AVX2), and on a 128-bit CPU the vector set agrees with
 * {@code new ScalarPairKernels(4)}.
 *
 * <p>No library {@code Math} function whose last bit may depend on the JIT is used; NaN propagates
 * (the clamps keep it, as {@link Math#max(float, float)}). Stateless and thread-safe.
 */
interface PairKernels {
    /** The lanes of the sums of {@link ScalarKernels}' pair kernels: those of the 256-bit vector kernels. */
    int LANES = 8;

    /**
     * {@code sum_j t(v_j)} over {@code j < n} with {@code v_j = (a[ao + j] k - b[bo + j] k) + ke}
     * (the difference {@code a - b + eps} scaled by the power of two {@code k}, {@code ke = eps k}),
     * {@code t(v) = |v|} for {@code p = 1} and {@code v v} for {@code p = 2}.
     */
    double differenceSum(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p);

    /**
     * Writes {@code out[oo + j] = (c t(v_j)) s}, or {@code (out[oo + j] + c t(v_j)) s} when {@code add},
     * over {@code j < n}, with {@code v_j} as {@link #differenceSum}'s and {@code t(v) = sign(v)}
     * ({@link Math#signum(float)}) for {@code p = 1}, {@code v / norm} for {@code p = 2} (a division, so
     * that a row of one entry gives exactly ±1): a term of the gradient of a p-norm of the difference,
     * {@code c} its weight, {@code s} the reduction's scale on a row's last term (1, exact, on the
     * others).
     */
    void differenceTerm(float[] a, int ao, float[] b, int bo, int n, float k, float ke, int p, float norm, float c,
                        boolean add, float s, float[] out, int oo);

    /**
     * The sums of cosine_embedding over {@code j < n}, with {@code u_j = x[xo + j]} and
     * {@code v_j = y[yo + j]}: {@code sums[0] = sum u_j v_j}, {@code sums[1] = sum u_j u_j},
     * {@code sums[2] = sum v_j v_j}, in double: each product is exact, and the sums go into
     * {@code LANES / 2} double partial sums (the double lanes of a vector of {@code LANES} floats) in
     * the same pattern as the float sums, without blocks. A cosine near 1 and its gradient cancel, so
     * float32 sums (1e-6 relative over 1000 entries) were not enough; and no float32 square can
     * overflow or underflow a double.
     */
    void cosineSums(float[] x, int xo, float[] y, int yo, int n, double[] sums);

    /**
     * {@code out[oo + j] = (x[xo + j] alpha - y[yo + j] beta) s} over {@code j < n}, computed in double
     * and rounded once to float32: the gradient of a cosine, {@code s} the reduction's scale. (The two
     * products nearly cancel for nearly parallel rows; in float32 the difference lost up to 1e-4 of its
     * value.)
     */
    void combine(float[] x, int xo, double alpha, float[] y, int yo, double beta, double s, int n, float[] out, int oo);

    /**
     * margin_ranking over elements {@code [from, to)} (at most one {@link FloatKernels#BLOCK}):
     * {@code t = margin - y (x1 - x2)}, {@code l = max(0, t)} (NaN kept); where {@code t >= 0} the
     * gradients {@code g1 = -y gScale} and {@code g2 = y gScale}, 0 where {@code t < 0}, NaN where
     * {@code t} is NaN; writes {@code g1}, {@code g2} and {@code values} where non-null and returns the
     * sum of the losses.
     */
    double marginRanking(float[] x1, float[] x2, float[] y, float[] g1, float[] g2, float[] values, int from, int to,
                         float margin, float gScale);

    /**
     * One stretch of a Weston-Watkins multi-class hinge row: {@code z_j = x[j] + shift} for {@code j} in
     * {@code [from, to)}, active where {@code !(z_j <= 0)} (so NaN is active). Returns in {@code sums}
     * {@code sum h(z_j)} and {@code sum g_j} over the active {@code j}, with {@code h(z) = z} ({@code p = 1})
     * or {@code z^2} and {@code g_j = (wy h'(z_j)) scale} in float32 (NaN for a NaN {@code z_j}; the
     * derivative overflows before the reduction's scale, as the kernels'); writes {@code g[j] = g_j}
     * (0 where inactive) when {@code g} is non-null. Sums in blocks from {@code from}, as the others.
     */
    default void marginStretch(float[] x, int from, int to, float shift, int p, float wy, float scale, float[] g,
                               double[] sums) {
        marginStretch(x, from, to, shift, p, wy, scale, g, 0, sums);
    }

    /**
     * {@link #marginStretch(float[], int, int, float, int, float, float, float[], double[])} writing
     * {@code g_j} to {@code g[j + gShift]}: scores and gradient in views at different offsets of their
     * arrays. The same bits (the blocks and lanes count from {@code from}).
     */
    void marginStretch(float[] x, int from, int to, float shift, int p, float wy, float scale, float[] g, int gShift,
                       double[] sums);
}
