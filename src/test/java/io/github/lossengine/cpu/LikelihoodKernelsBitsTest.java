package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LikelihoodKernels}: the Vector API twin ({@code VectorLikelihoodKernels}, which this test
 * JVM selects) and {@link ScalarLikelihoodKernels} give the same bits, kernel call by kernel call,
 * for the block's sum, every value and every gradient, with every option of poisson_nll
 * ({@code log_input}, {@code full}) and gaussian_nll ({@code full}'s constant, the clamp at
 * {@code eps}, per-element and per-row variances), on random inputs and on the edges: zeros of
 * both signs, negatives, infinities, NaN, counts of 0, between 0 and 1 and above 1, rates and
 * variances below {@code eps}, subnormal arguments of {@code log} and results of {@code exp}, and
 * losses and ratios beyond float32's range. Ranges start off a block boundary and end in ragged
 * tails (fewer than {@link LikelihoodKernels#LANES} elements, or none). NaN is compared as NaN
 * (its sign and payload are the hardware's). The fused tests
 * ({@code FusedPoissonNllTest}, {@code VectorScalarBitsTest}, {@code LikelihoodLossesTest}) check
 * the losses built on these kernels against the double reference.
 */
class LikelihoodKernelsBitsTest {
    private static final LikelihoodKernels SCALAR = ScalarLikelihoodKernels.INSTANCE;

    private static LikelihoodKernels vector() {
        return KernelSelection.kernels().likelihood();
    }

    @Test
    void theTestJvmRunsTheVectorTwin() {
        LikelihoodKernels v = vector();
        assertNotSame(SCALAR, v, "the likelihood kernels of " + KernelSelection.active().line()
                + " are the scalar ones: this CPU has no double vectors of 256 bits, so nothing is compared");
        assertEquals("VectorLikelihoodKernels", v.getClass().getSimpleName());
    }

    /** Ranges {@code [from, to)} of one block: whole groups and a tail, no tail, only a tail, empty. */
    private static final int[][] RANGES = {{0, 512}, {3, 512}, {0, 509}, {5, 300}, {0, 8}, {1, 7}, {7, 7}, {64, 133}};

    /** Edge values of a float input, mixed among random ones. */
    private static final float[] EDGES = {0f, -0f, 1f, -1f, 0.5f, 2f, 1e-9f, Float.MIN_VALUE, Float.MIN_NORMAL,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE, 88.8f,
        89f, 100f, 709f, 710f, -700f, -740f, -745f, -746f, 1e30f, -1e30f, 40f, 3e38f, -3e38f};

    /** {@code n} values: {@code scale} times Gaussians, every {@code every}-th an edge value. */
    private static float[] mixed(SplittableRandom r, int n, double scale, int every) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i % every == 0 ? EDGES[r.nextInt(EDGES.length)] : (float) (scale * gaussian(r));
        }
        return a;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Counts: 0, 1, fractions, integers to 40, every {@code every}-th an edge value. */
    private static float[] counts(SplittableRandom r, int n, int every) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(5);
            y[i] = i % every == 0 ? EDGES[r.nextInt(EDGES.length)]
                    : c == 0 ? 0f : c == 1 ? 1f : c == 2 ? r.nextFloat() : r.nextInt(41);
        }
        return y;
    }

    static Stream<Arguments> poissonCases() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean logInput : new boolean[] {true, false}) {
            for (boolean full : new boolean[] {false, true}) {
                for (double eps : new double[] {1e-8, 0.0, 0.25, 1e-310}) {
                    for (int every : new int[] {3, 1000}) {
                        cases.add(Arguments.of(logInput, full, eps, every));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "log_input={0} full={1} eps={2} edges every {3}")
    @MethodSource("poissonCases")
    void poissonTwinsGiveTheSameBits(boolean logInput, boolean full, double eps, int every) {
        SplittableRandom r = new SplittableRandom(Objects.hash(logInput, full, eps, every));
        int n = 512;
        for (int round = 0; round < 4; round++) {
            float[] x = mixed(r, n, logInput ? 3 : 1, every);
            if (!logInput && round % 2 == 0) {
                for (int i = 0; i < n; i++) {
                    x[i] = Math.abs(x[i]);
                }
            }
            float[] y = counts(r, n, every);
            float gScale = round == 3 ? 1f / 3 : 1f;
            for (int[] range : RANGES) {
                for (boolean outputs : new boolean[] {true, false}) {
                    float[][] v = outputs ? new float[][] {new float[n], new float[n]} : new float[2][];
                    float[][] s = outputs ? new float[][] {new float[n], new float[n]} : new float[2][];
                    double sv = vector().poisson(x, y, v[0], v[1], range[0], range[1], logInput, full, eps, gScale);
                    double ss = SCALAR.poisson(x, y, s[0], s[1], range[0], range[1], logInput, full, eps, gScale);
                    String what = "poisson log_input=" + logInput + " full=" + full + " eps=" + eps + " round "
                            + round + " range " + Arrays.toString(range);
                    assertEquals(Double.doubleToLongBits(ss), Double.doubleToLongBits(sv),
                            () -> what + ": scalar sum " + ss + ", vector " + sv);
                    assertArrayEquals(s[0], v[0], what + ": gradient");
                    assertArrayEquals(s[1], v[1], what + ": values");
                }
            }
        }
    }

    static Stream<Arguments> gaussianCases() {
        List<Arguments> cases = new ArrayList<>();
        for (double constant : new double[] {0.0, LikelihoodKernels.HALF_LOG_2PI}) {
            for (double eps : new double[] {1e-6, 0.0, 0.25, 1e-310}) {
                for (int run : new int[] {1, 7}) {
                    cases.add(Arguments.of(constant, eps, run));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "constant={0} eps={1} variance runs of {2}")
    @MethodSource("gaussianCases")
    void gaussianTwinsGiveTheSameBits(double constant, double eps, int run) {
        SplittableRandom r = new SplittableRandom(Objects.hash(constant, eps, run));
        int n = 512;
        for (int round = 0; round < 4; round++) {
            int every = round < 2 ? 5 : 1000;
            float[] mu = mixed(r, n, 2, every);
            float[] y = mixed(r, n, 2, every);
            float[] var = new float[n];
            for (int i = 0; i < n; i += run) {
                float v = i % (5 * run) == 0 ? EDGES[r.nextInt(EDGES.length)]
                        : r.nextInt(4) == 0 ? (float) (eps * r.nextDouble()) : 0.01f + 3 * r.nextFloat();
                Arrays.fill(var, i, Math.min(n, i + run), v);
            }
            double scale = round == 3 ? 1.0 / 3 : 1.0;
            for (int[] range : RANGES) {
                for (boolean outputs : new boolean[] {true, false}) {
                    float[][] fv = outputs ? new float[][] {new float[n], new float[n], new float[n]} : new float[3][];
                    float[][] fs = outputs ? new float[][] {new float[n], new float[n], new float[n]} : new float[3][];
                    double[] dv = outputs ? new double[n] : null;
                    double[] ds = outputs ? new double[n] : null;
                    double sv = vector().gaussian(mu, y, var, fv[0], fv[1], dv, fv[2], range[0], range[1], eps, constant,
                            scale);
                    double ss = SCALAR.gaussian(mu, y, var, fs[0], fs[1], ds, fs[2], range[0], range[1], eps, constant,
                            scale);
                    String what = "gaussian constant=" + constant + " eps=" + eps + " runs of " + run + " round "
                            + round + " range " + Arrays.toString(range);
                    assertEquals(Double.doubleToLongBits(ss), Double.doubleToLongBits(sv),
                            () -> what + ": scalar sum " + ss + ", vector " + sv);
                    assertArrayEquals(fs[0], fv[0], what + ": gradient of mu");
                    assertArrayEquals(fs[1], fv[1], what + ": gradient of y");
                    assertArrayEquals(fs[2], fv[2], what + ": values");
                    assertArrayEquals(ds, dv, what + ": gradient of var");
                }
            }
        }
    }

    /** The block sum's order: eight double lanes over whole groups of eight, in lane order, then the tail. */
    @Test
    void theBlockSumIsEightLanesThenTheTail() {
        float[] x = new float[19];
        float[] y = new float[19];
        float[] values = new float[19];
        // rates x with y = 0: each loss is x itself; 1e16 and 1 in the same lane lose the 1s, across lanes they do not
        Arrays.fill(x, 1f);
        x[0] = 1e16f;
        x[8] = -1e16f;
        double expect = 0.0;
        double[] lanes = new double[8];
        for (int i = 0; i < 16; i++) {
            lanes[i % 8] += x[i];
        }
        for (double l : lanes) {
            expect += l;
        }
        double tail = 0;
        for (int i = 16; i < 19; i++) {
            tail += x[i];
        }
        expect += tail;
        double sequential = 0;
        for (float xi : x) {
            sequential += xi;
        }
        assertTrue(expect != sequential, "the inputs tell the orders apart");
        for (LikelihoodKernels k : List.of(SCALAR, vector())) {
            assertEquals(expect, k.poisson(x, y, null, values, 0, 19, false, false, 0.0, 1f),
                    k.getClass().getSimpleName());
        }
    }

    /** {@code a} copied into a new array at {@code offset}, the rest a value the kernels would notice. */
    private static float[] at(float[] a, int offset) {
        float[] big = new float[a.length + offset + 3];
        Arrays.fill(big, 7.25f);
        System.arraycopy(a, 0, big, offset, a.length);
        return big;
    }

    /**
     * The offset entry points (each operand at its own offset: views into larger arrays) give, on both
     * twins, the bits of the call on the arrays at offset 0: the sum, every value and every gradient.
     */
    @Test
    void offsetsDoNotChangeTheBits() {
        SplittableRandom r = new SplittableRandom(41);
        int n = 512;
        float[] x = mixed(r, n, 2, 9);
        float[] rate = new float[n];
        float[] y = new float[n];
        float[] var = new float[n];
        for (int i = 0; i < n; i++) {
            rate[i] = Math.abs(x[i]);
            y[i] = (float) Math.floor(r.nextDouble(0, 6));
            var[i] = (float) r.nextDouble(0, 3);
        }
        for (LikelihoodKernels k : List.of(SCALAR, vector())) {
            for (int[] range : RANGES) {
                for (boolean logInput : new boolean[] {true, false}) {
                    float[] in = logInput ? x : rate;
                    float[] g = new float[n];
                    float[] v = new float[n];
                    double want = k.poisson(in, y, g, v, range[0], range[1], logInput, true, 1e-8, 0.5f);
                    float[] go = at(new float[n], 11);
                    float[] vo = new float[n];
                    double got = k.poisson(at(in, 3), 3, at(y, 5), 5, go, 11, vo, range[0], range[1], logInput, true,
                            1e-8, 0.5f);
                    String what = k.getClass().getSimpleName() + " poisson " + Arrays.toString(range) + " " + logInput;
                    assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), what);
                    assertArrayEquals(v, vo, what + " values");
                    assertArrayEquals(g, Arrays.copyOfRange(go, 11, 11 + n), what + " gradient");
                }
                float[][] f = new float[3][n];
                double[] dv = new double[n];
                double want = k.gaussian(x, y, var, f[0], f[1], dv, f[2], range[0], range[1], 1e-6, 0.5, 0.25);
                float[] gm = at(new float[n], 13);
                float[] gy = at(new float[n], 2);
                float[] vo = new float[n];
                double[] dvo = new double[n];
                double got = k.gaussian(new LikelihoodKernels.Offsets(at(x, 1), 1, at(y, 6), 6, at(var, 9), 9, gm, 13,
                        gy, 2), dvo, vo, range[0], range[1], 1e-6, 0.5, 0.25);
                String what = k.getClass().getSimpleName() + " gaussian " + Arrays.toString(range);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), what);
                assertArrayEquals(f[2], vo, what + " values");
                assertArrayEquals(f[0], Arrays.copyOfRange(gm, 13, 13 + n), what + " mean gradient");
                assertArrayEquals(f[1], Arrays.copyOfRange(gy, 2, 2 + n), what + " target gradient");
                assertArrayEquals(dv, dvo, what + " variance gradient");
            }
        }
    }

    /** The kernel selection's self-test compares the likelihood twins too, and notices a last-bit difference. */
    @Test
    void theSelfTestComparesTheLikelihoodTwins() {
        float[] z = {0.5f, -1.25f, 3f, 0f, 2.5f, -0.75f, 1f, 4f, -2f, 0.125f, 7f};
        assertEquals(null, KernelSelection.likelihoodSelfTest(vector(), z));
        LikelihoodKernels off = new LikelihoodKernels() {
            @Override
            public double poisson(float[] x, int xo, float[] y, int yo, float[] g, int go, float[] values, int from,
                                  int to, boolean logInput, boolean full, double eps, float gScale) {
                return SCALAR.poisson(x, xo, y, yo, g, go, values, from, to, logInput, full, eps, gScale);
            }

            @Override
            public double gaussian(Offsets a, double[] gVar, float[] values, int from, int to, double eps,
                                   double constant, double scale) {
                return Math.nextUp(SCALAR.gaussian(a, gVar, values, from, to, eps, constant, scale));
            }
        };
        String failure = KernelSelection.likelihoodSelfTest(off, z);
        assertTrue(failure != null && failure.contains("poisson_nll and gaussian_nll"), String.valueOf(failure));
    }
}
