package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GEMMs of the fused linear cross-entropy ({@link BlockedGemm}, and the kernels' own, the
 * Vector API one when the tests run with the vectorised kernels) against double-precision products,
 * on shapes with every kind of tail (rows not a multiple of 4, columns not of 2 vectors or 64), and
 * the same bits whatever ranges the output is split into.
 */
class GemmTest {
    private static final int M = 13;
    private static final int N = 150;
    private static final int K = 37;

    private static List<Gemm> gemms() {
        return List.of(new BlockedGemm(), KernelSelection.kernels().gemm());
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static void assertNear(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    @ParameterizedTest(name = "M = {0}, N = {1}, K = {2}")
    @CsvSource({"13, 150, 37", "300, 70, 20"})
    void theThreeProductsMatchDoublePrecision(int m, int n, int k) {
        float[] a = random(m * k, 1);       // [m, k]
        float[] b = random(n * k, 2);       // [n, k]
        float[] dz = random(m * n, 3);      // [m, n] (300 rows: more than one cache block of them)
        for (Gemm g : gemms()) {
            String name = g.description();
            float[] z = new float[m * n];
            g.multiplyTransposed(a, 0, m, b, 0, n, k, z, n);
            double[] want = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        want[i * n + j] += (double) a[i * k + p] * b[j * k + p];
                    }
                }
            }
            assertNear(want, z, name + " A B^T");

            float[] dh = random(m * k, 4);  // overwritten
            g.multiply(dz, 0, m, n, b, k, dh, 0);
            double[] wantH = new double[m * k];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        wantH[i * k + p] += (double) dz[i * n + j] * b[j * k + p];
                    }
                }
            }
            assertNear(wantH, dh, name + " A B");

            float[] dw = new float[n * k];
            java.util.Arrays.fill(dw, 0.5f);
            g.addTransposedProduct(dz, m, n, a, 0, 0, n, k, dw);
            double[] wantW = new double[n * k];
            java.util.Arrays.fill(wantW, 0.5);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        wantW[j * k + p] += (double) dz[i * n + j] * a[i * k + p];
                    }
                }
            }
            assertNear(wantW, dw, name + " C + A^T B");
        }
    }

    @Test
    void splittingTheOutputIntoRangesKeepsEveryBit() {
        float[] a = random(M * K, 5);
        float[] b = random(N * K, 6);
        float[] dz = random(M * N, 7);
        for (Gemm g : gemms()) {
            float[] whole = new float[M * N];
            float[] parts = new float[M * N];
            g.multiplyTransposed(a, 0, M, b, 0, N, K, whole, N);
            g.multiplyTransposed(a, 0, M, b, 0, 64, K, parts, N);
            g.multiplyTransposed(a, 0, M, b, 64, N, K, parts, N);
            assertArrayEquals(whole, parts, g.description() + " A B^T in two column ranges");

            float[] h1 = new float[M * K];
            float[] h2 = new float[M * K];
            g.multiply(dz, 0, M, N, b, K, h1, 0);
            g.multiply(dz, 0, 5, N, b, K, h2, 0);
            g.multiply(dz, 5, M, N, b, K, h2, 0);
            assertArrayEquals(h1, h2, g.description() + " A B in two row ranges");

            float[] w1 = new float[N * K];
            float[] w2 = new float[N * K];
            g.addTransposedProduct(dz, M, N, a, 0, 0, N, K, w1);
            g.addTransposedProduct(dz, M, N, a, 0, 0, 7, K, w2);
            g.addTransposedProduct(dz, M, N, a, 0, 7, N, K, w2);
            assertArrayEquals(w1, w2, g.description() + " C + A^T B in two row ranges of C");
        }
    }

    @Test
    void aNanReachesItsRowAndNoOther() {
        float[] a = random(M * K, 8);
        a[2 * K + 5] = Float.NaN;
        float[] b = random(N * K, 9);
        for (Gemm g : gemms()) {
            float[] z = new float[M * N];
            g.multiplyTransposed(a, 0, M, b, 0, N, K, z, N);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    assertEquals(i == 2, Float.isNaN(z[i * N + j]), g.description() + " z[" + i + ", " + j + "]");
                }
            }
            assertTrue(Float.isFinite(z[0]));
        }
    }
}
