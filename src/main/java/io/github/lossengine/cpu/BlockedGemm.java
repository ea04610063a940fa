package io.github.lossengine.cpu;

import java.util.Arrays;

/**
 * {@link RangeGemm} in plain Java, blocked for the caches, with every inner loop a contiguous
 * {@code c[j] += a * b[j]} (which the JIT compiles to vector instructions; no reduction across
 * lanes, so the float32 sums keep their fixed order and the same bits in the interpreter and in
 * compiled code).
 * <ul>
 *   <li>{@link #multiplyTransposed}: {@value #COLUMNS} rows of B at a time are transposed into a
 *       per-thread [k, {@value #COLUMNS}] block, then each row of C gets the {@code k} products
 *       {@code a[i, p] * Bt[p, :]} added over its {@value #COLUMNS} columns;
 *   <li>{@link #multiply}: B in blocks of {@value #ROWS} rows (they stay in the cache while every
 *       row of the range uses them), row {@code j} of the block added to row {@code i} of C times
 *       {@code a[i, j]};
 *   <li>{@link #addTransposedProduct}: row {@code j} of C gets {@code a[i, j] * b[i, :]} for each
 *       {@code i} in turn.
 * </ul>
 * Where HotSpot uses FMA ({@link FloatMath#FMA}) each product is added with {@link Math#fma}, which
 * is what {@code VectorGemm} does in the same order: the two give the same bits.
 * A product with a zero factor is still added (so that NaN and infinities propagate as in the
 * unfused products). Thread-safe: the transposed block is per thread.
 */
final class BlockedGemm implements RangeGemm {
    /** Columns of C per transposed block of B. */
    static final int COLUMNS = 64;
    /** Rows of B per cache block in {@link #multiply}. */
    static final int ROWS = 64;
    private static final ThreadLocal<float[][]> BLOCK = ThreadLocal.withInitial(() -> new float[1][0]);

    @Override
    public String description() {
        return "lossengine's blocked Java GEMM (float32 accumulation)";
    }

    @Override
    public void multiplyTransposed(float[] a, int aOff, int m, float[] b, int j0, int j1, int k, float[] c, int ldc) {
        float[][] holder = BLOCK.get();
        if (holder[0].length < k * COLUMNS) {
            holder[0] = new float[k * COLUMNS];
        }
        float[] t = holder[0];
        for (int jb = j0; jb < j1; jb += COLUMNS) {
            int w = Math.min(COLUMNS, j1 - jb);
            for (int j = 0; j < w; j++) {
                int bo = (jb + j) * k;
                for (int p = 0; p < k; p++) {
                    t[p * w + j] = b[bo + p];
                }
            }
            for (int i = 0; i < m; i++) {
                int co = i * ldc + jb;
                Arrays.fill(c, co, co + w, 0f);
                int ao = aOff + i * k;
                for (int p = 0; p < k; p++) {
                    axpy(a[ao + p], t, p * w, c, co, w);
                }
            }
        }
    }

    @Override
    public void multiply(float[] a, int i0, int i1, int n, float[] b, int k, float[] c, int cOff) {
        for (int i = i0; i < i1; i++) {
            Arrays.fill(c, cOff + i * k, cOff + (i + 1) * k, 0f);
        }
        for (int jb = 0; jb < n; jb += ROWS) {
            int je = Math.min(n, jb + ROWS);
            for (int i = i0; i < i1; i++) {
                int co = cOff + i * k;
                int ao = i * n;
                for (int j = jb; j < je; j++) {
                    axpy(a[ao + j], b, j * k, c, co, k);
                }
            }
        }
    }

    @Override
    public void addTransposedProduct(float[] a, int m, int n, float[] b, int bOff, int j0, int j1, int k, float[] c) {
        for (int j = j0; j < j1; j++) {
            int co = j * k;
            for (int i = 0; i < m; i++) {
                axpy(a[i * n + j], b, bOff + i * k, c, co, k);
            }
        }
    }

    /**
     * {@code y[yo + q] += s * x[xo + q]} for {@code q} in {@code [0, len)}, the multiply-add fused
     * where {@link FloatMath#FMA} (as {@code VectorGemm}'s, so that both give the same bits).
     */
    private static void axpy(float s, float[] x, int xo, float[] y, int yo, int len) {
        if (FloatMath.FMA) {
            for (int q = 0; q < len; q++) {
                y[yo + q] = Math.fma(s, x[xo + q], y[yo + q]);
            }
        } else {
            for (int q = 0; q < len; q++) {
                y[yo + q] += s * x[xo + q];
            }
        }
    }
}
