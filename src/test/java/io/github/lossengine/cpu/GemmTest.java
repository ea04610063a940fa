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
 * The GEMMs of the fused linear cross-entropy. The Java range GEMMs ({@link BlockedGemm}, and the
 * kernels' own, the Vector API one when the tests run with the vectorised kernels) against
 * double-precision products, on shapes with every kind of tail (rows not a multiple of 4, columns
 * not of 2 vectors or 64), and the same bits whatever ranges the output is split into. Then every
 * {@link Gemm} through a whole call ({@link Gemm#open}, chunk after chunk), OpenBLAS included:
 * against double precision, and the same bits on 1, 2 and 3 threads and from run to run. OpenBLAS
 * must load here: the pom pins its linux-x86_64 natives.
 */
class GemmTest {
    private static final int M = 13;
    private static final int N = 150;
    private static final int K = 37;

    private static List<RangeGemm> gemms() {
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
        for (RangeGemm g : gemms()) {
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
        for (RangeGemm g : gemms()) {
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
        for (RangeGemm g : gemms()) {
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

    /** Every GEMM a call can use: the Java ones and OpenBLAS (which must load on linux-x86_64). */
    private static List<Gemm> allGemms() {
        List<Gemm> all = new java.util.ArrayList<>(gemms());
        all.add(OpenBlasGemm.load());
        return all;
    }

    @Test
    void openBlasLoadsAndIsChosenByDefault() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the pom pins OpenBLAS natives for linux-x86_64 only; this is " + System.getProperty("os.name") + "/"
                        + System.getProperty("os.arch"));
        GemmSelection.Choice auto = GemmSelection.choose("auto", KernelSelection.kernels());
        assertTrue(auto.gemm() instanceof OpenBlasGemm, auto.line());
        assertTrue(auto.line().contains("OpenBLAS cblas_sgemm"), auto.line());
        GemmSelection.Choice java = GemmSelection.choose("java", KernelSelection.kernels());
        assertTrue(java.gemm() instanceof RangeGemm, java.line());
        assertTrue(java.line().contains("lossengine.gemm=java"), java.line());
        assertTrue(GemmSelection.choose("openblas", KernelSelection.kernels()).gemm() instanceof OpenBlasGemm);
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GemmSelection.choose("mkl", KernelSelection.kernels()));
        assertTrue(bad.getMessage().contains("'mkl'"), bad.getMessage());
    }

    /** The three products of a whole call (chunks of {@code rows}) on {@code threads} threads: {logits, dh, dw}. */
    private static float[][] call(Gemm g, float[] h, float[] w, float[][] dz, int n, int d, int v, int rows, int threads) {
        float[] z = new float[n * v];
        float[] dh = new float[n * d];
        float[] dw = new float[v * d];
        float[] block = new float[rows * v];
        try (WorkerPool pool = new WorkerPool(threads); Gemm.Call c = g.open(w, d, v, rows, dw, pool)) {
            for (int r0 = 0, chunk = 0; r0 < n; r0 += rows, chunk++) {
                int m = Math.min(rows, n - r0);
                c.logits(h, r0 * d, m, block);
                System.arraycopy(block, 0, z, r0 * v, m * v);
                System.arraycopy(dz[chunk], 0, block, 0, m * v);
                c.gradients(block, m, dh, r0 * d, true);
            }
        }
        return new float[][] {z, dh, dw};
    }

    /** |actual - expected| <= 1e-6 of the sum of the products' magnitudes (a missing or wrong product is far more). */
    private static void assertWithin(double[] expected, double[] magnitude, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * magnitude[i] + 1e-30, what + "[" + i + "]");
        }
    }

    @Test
    void everyGemmThroughAWholeCallMatchesDoublePrecisionAndKeepsItsBitsOnAnyThreadCount() {
        int n = 11;
        int d = 19;
        int v = 4100; // two OpenBLAS parts (and tails of 64 and of vectors everywhere)
        int rows = 4;
        assertEquals(2, OpenBlasGemm.parts(v));
        float[] h = random(n * d, 11);
        float[] w = random(v * d, 12);
        int chunks = (n + rows - 1) / rows;
        float[][] dz = new float[chunks][];
        for (int c = 0; c < chunks; c++) {
            dz[c] = random(Math.min(rows, n - c * rows) * v, 20 + c);
        }
        double[] wantZ = new double[n * v];
        double[] wantH = new double[n * d];
        double[] wantW = new double[v * d];
        double[] absZ = new double[n * v];  // sums of |products|: float32 sums are within a small multiple of eps of them
        double[] absH = new double[n * d];
        double[] absW = new double[v * d];
        for (int i = 0; i < n; i++) {
            float[] g = dz[i / rows];
            int gi = i % rows;
            for (int j = 0; j < v; j++) {
                double s = 0;
                for (int p = 0; p < d; p++) {
                    s += (double) h[i * d + p] * w[j * d + p];
                    absZ[i * v + j] += Math.abs((double) h[i * d + p] * w[j * d + p]);
                    wantH[i * d + p] += (double) g[gi * v + j] * w[j * d + p];
                    absH[i * d + p] += Math.abs((double) g[gi * v + j] * w[j * d + p]);
                    wantW[j * d + p] += (double) g[gi * v + j] * h[i * d + p];
                    absW[j * d + p] += Math.abs((double) g[gi * v + j] * h[i * d + p]);
                }
                wantZ[i * v + j] = s;
            }
        }
        for (Gemm g : allGemms()) {
            String name = g.description();
            float[][] one = call(g, h, w, dz, n, d, v, rows, 1);
            assertWithin(wantZ, absZ, one[0], name + " logits");
            assertWithin(wantH, absH, one[1], name + " dh");
            assertWithin(wantW, absW, one[2], name + " dw");
            for (int threads : new int[] {1, 2, 3}) {
                float[][] again = call(g, h, w, dz, n, d, v, rows, threads);
                for (int q = 0; q < 3; q++) {
                    assertArrayEquals(one[q], again[q], name + " product " + q + " on " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aMissingOrUnloadableOpenBlasGivesAReasonThatSaysWhatToAdd() {
        String missing = GemmSelection.reason(new NoClassDefFoundError("org/bytedeco/javacpp/Pointer"));
        assertTrue(missing.contains("NoClassDefFoundError: org/bytedeco/javacpp/Pointer"), missing);
        assertTrue(missing.contains("add " + GemmSelection.COORDINATES), missing);
        String link = GemmSelection.reason(new UnsatisfiedLinkError("no jniopenblas_nolapack in java.library.path"));
        assertTrue(link.contains("UnsatisfiedLinkError: no jniopenblas_nolapack"), link);
        assertTrue(link.contains("native library for " + System.getProperty("os.name")), link);
        String selfTest = GemmSelection.reason(new IllegalStateException("OpenBLAS failed its self-test: c[0, 0] = 0.0"));
        assertEquals("IllegalStateException: OpenBLAS failed its self-test: c[0, 0] = 0.0", selfTest);
    }
}
