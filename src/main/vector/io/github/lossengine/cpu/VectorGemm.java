package io.github.lossengine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RangeGemm} on the JDK Vector API, what {@link VectorKernels#gemm()} gives where the CPU has
 * FMA: a register-blocked micro-kernel of 4 output rows x 2 vectors of columns (8 accumulators),
 * each product added with one fused multiply-add, along the contracted dimension in ascending order
 * (so every output entry is summed in the same fixed order as {@link BlockedGemm}'s, with FMA
 * rounding); the columns after the last pair of whole vectors go through {@link Math#fma} one by
 * one. No lane reduction anywhere: results never depend on the JIT. {@link #multiplyTransposed}
 * first transposes {@value BlockedGemm#COLUMNS} rows of B into a per-thread block, as
 * {@link BlockedGemm} does. Instantiated by {@link VectorKernels} only. Thread-safe.
 */
final class VectorGemm implements RangeGemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final int L = F.length();
    /** Rows of B per cache block in {@link #addTransposedProduct}. */
    private static final int SUM_ROWS = 128;
    private static final ThreadLocal<float[][]> BLOCK = ThreadLocal.withInitial(() -> new float[1][0]);

    @Override
    public String description() {
        return "lossengine's Vector API GEMM (" + F.vectorBitSize() + "-bit, FMA, float32 accumulation)";
    }

    @Override
    public void multiplyTransposed(float[] a, int aOff, int m, float[] b, int j0, int j1, int k, float[] c, int ldc) {
        float[][] holder = BLOCK.get();
        int cols = BlockedGemm.COLUMNS;
        if (holder[0].length < k * cols) {
            holder[0] = new float[k * cols];
        }
        float[] t = holder[0];
        for (int jb = j0; jb < j1; jb += cols) {
            int w = Math.min(cols, j1 - jb);
            for (int j = 0; j < w; j++) {
                int bo = (jb + j) * k;
                for (int p = 0; p < k; p++) {
                    t[p * w + j] = b[bo + p];
                }
            }
            for (int i = 0; i < m; i += 4) {
                int rows = Math.min(4, m - i);
                int a0 = aOff + i * k;
                panel(a, a0, k, 1, rows, t, 0, w, w, k, c, i * ldc + jb, ldc, false);
            }
        }
    }

    @Override
    public void multiply(float[] a, int i0, int i1, int n, float[] b, int k, float[] c, int cOff) {
        // B in blocks of rows that stay in the cache while every row of the range uses them; the sums
        // carry on from block to block, so the order along j is still ascending
        for (int jb = 0; jb < n; jb += BlockedGemm.ROWS) {
            int len = Math.min(BlockedGemm.ROWS, n - jb);
            for (int i = i0; i < i1; i += 4) {
                int rows = Math.min(4, i1 - i);
                panel(a, i * n + jb, n, 1, rows, b, jb * k, k, k, len, c, cOff + i * k, k, jb > 0);
            }
        }
        if (n == 0) {
            java.util.Arrays.fill(c, cOff + i0 * k, cOff + i1 * k, 0f);
        }
    }

    @Override
    public void addTransposedProduct(float[] a, int m, int n, float[] b, int bOff, int j0, int j1, int k, float[] c) {
        // B (the chunk's hidden rows) in blocks of SUM_ROWS rows that stay in the cache while every row
        // of C takes their products; C carries its sums from block to block, so i stays ascending
        for (int ib = 0; ib < m; ib += SUM_ROWS) {
            int len = Math.min(SUM_ROWS, m - ib);
            for (int j = j0; j < j1; j += 4) {
                int rows = Math.min(4, j1 - j);
                panel(a, ib * n + j, 1, n, rows, b, bOff + ib * k, k, k, len, c, j * k, k, true);
            }
        }
    }

    /**
     * Up to 4 rows {@code r} of C, columns {@code [0, width)}: {@code C[r, x] (+)= sum_q A(r, q) B(q, x)}
     * over {@code q} in {@code [0, len)}, ascending, with {@code A(r, q) = a[a0 + r aRow + q aStep]},
     * {@code B(q, x) = b[b0 + q bRow + x]} and {@code C[r, x] = c[c0 + r cRow + x]}.
     */
    private static void panel(float[] a, int a0, int aRow, int aStep, int rows, float[] b, int b0, int bRow, int width,
                              int len, float[] c, int c0, int cRow, boolean accumulate) {
        int x = 0;
        for (; x + 2 * L <= width; x += 2 * L) {
            tile(a, a0, aRow, aStep, rows, b, b0 + x, bRow, len, c, c0 + x, cRow, accumulate);
        }
        for (; x < width; x++) {
            for (int r = 0; r < rows; r++) {
                int at = c0 + r * cRow + x;
                float s = accumulate ? c[at] : 0f;
                int ar = a0 + r * aRow;
                for (int q = 0; q < len; q++) {
                    s = Math.fma(a[ar + q * aStep], b[b0 + q * bRow + x], s);
                }
                c[at] = s;
            }
        }
    }

    /** The micro-kernel: 4 rows (the missing ones computed from row 0 and not stored) x 2 vectors. */
    private static void tile(float[] a, int a0, int aRow, int aStep, int rows, float[] b, int b0, int bRow, int len,
                             float[] c, int c0, int cRow, boolean accumulate) {
        int r1 = rows > 1 ? aRow : 0;
        int r2 = rows > 2 ? 2 * aRow : 0;
        int r3 = rows > 3 ? 3 * aRow : 0;
        FloatVector s00 = init(c, c0, accumulate);
        FloatVector s01 = init(c, c0 + L, accumulate);
        FloatVector s10 = rows > 1 ? init(c, c0 + cRow, accumulate) : s00;
        FloatVector s11 = rows > 1 ? init(c, c0 + cRow + L, accumulate) : s01;
        FloatVector s20 = rows > 2 ? init(c, c0 + 2 * cRow, accumulate) : s00;
        FloatVector s21 = rows > 2 ? init(c, c0 + 2 * cRow + L, accumulate) : s01;
        FloatVector s30 = rows > 3 ? init(c, c0 + 3 * cRow, accumulate) : s00;
        FloatVector s31 = rows > 3 ? init(c, c0 + 3 * cRow + L, accumulate) : s01;
        for (int q = 0; q < len; q++) {
            int bo = b0 + q * bRow;
            FloatVector v0 = FloatVector.fromArray(F, b, bo);
            FloatVector v1 = FloatVector.fromArray(F, b, bo + L);
            int aq = a0 + q * aStep;
            FloatVector x0 = FloatVector.broadcast(F, a[aq]);
            s00 = x0.fma(v0, s00);
            s01 = x0.fma(v1, s01);
            FloatVector x1 = FloatVector.broadcast(F, a[aq + r1]);
            s10 = x1.fma(v0, s10);
            s11 = x1.fma(v1, s11);
            FloatVector x2 = FloatVector.broadcast(F, a[aq + r2]);
            s20 = x2.fma(v0, s20);
            s21 = x2.fma(v1, s21);
            FloatVector x3 = FloatVector.broadcast(F, a[aq + r3]);
            s30 = x3.fma(v0, s30);
            s31 = x3.fma(v1, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        if (rows > 1) {
            s10.intoArray(c, c0 + cRow);
            s11.intoArray(c, c0 + cRow + L);
        }
        if (rows > 2) {
            s20.intoArray(c, c0 + 2 * cRow);
            s21.intoArray(c, c0 + 2 * cRow + L);
        }
        if (rows > 3) {
            s30.intoArray(c, c0 + 3 * cRow);
            s31.intoArray(c, c0 + 3 * cRow + L);
        }
    }

    private static FloatVector init(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(F, c, at) : FloatVector.zero(F);
    }
}
