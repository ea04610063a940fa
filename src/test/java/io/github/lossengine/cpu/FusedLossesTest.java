package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.assertMatchesReference;
import static io.github.lossengine.cpu.FusedAssertions.assertSameBits;
import static io.github.lossengine.cpu.FusedAssertions.assertSameRefusal;
import static io.github.lossengine.cpu.FusedAssertions.fused;
import static io.github.lossengine.cpu.FusedAssertions.logits;
import static io.github.lossengine.cpu.FusedAssertions.positive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.Hinge;
import io.github.lossengine.loss.Mse;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.loss.SquaredHinge;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused float32 losses against the double-precision reference implementations, for every option,
 * on both kernel implementations (the Vector API one, which this test JVM enables, and the scalar
 * fallback), and bitwise equal across thread counts 1, 2 and 3.
 *
 * <p>Tolerance (the one docs/PERFORMANCE.md states): loss values within {@code 1e-5} relative (plus
 * {@code 1e-6} of the reduction's scale per row, for losses near 0); each gradient element within
 * {@code 1e-5} relative plus {@code 1e-6} of the largest gradient magnitude of the call. Infinities
 * and NaN where the reference has them.
 */
class FusedLossesTest {
    private static final WorkerPool one = FusedAssertions.ONE;
    private static final WorkerPool two = FusedAssertions.TWO;

    static Stream<FloatKernels> kernels() {
        return FusedAssertions.kernels();
    }

    @Test
    void theTestJvmRunsTheVectorKernels() {
        assertTrue(KernelSelection.active().vectorised(), KernelSelection.active().line());
    }

    // ---- softmax cross-entropy

    /** Every option combination, on rows small (one block) and long (several blocks, ragged tails). */
    static Stream<Arguments> crossEntropyCases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] shapes = {{9, 7}, {5, 5003}};
        for (FloatKernels k : kernels().toArray(FloatKernels[]::new)) {
            for (int[] shape : shapes) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (boolean weights : new boolean[] {false, true}) {
                        for (double eps : new double[] {0, 0.15}) {
                            for (SmoothingConvention conv : SmoothingConvention.values()) {
                                if (eps == 0 && conv == SmoothingConvention.OFF_TARGET) {
                                    continue;
                                }
                                for (boolean masks : new boolean[] {false, true}) {
                                    cases.add(Arguments.of(k, shape[0], shape[1], r, weights, eps, conv, masks));
                                }
                            }
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} weights={4} eps={5} {6} masks={7}")
    @MethodSource("crossEntropyCases")
    void crossEntropyMatchesTheReference(FloatKernels k, int rows, int classes, Reduction r, boolean weights,
                                         double eps, SmoothingConvention conv, boolean masks) {
        Random rnd = new Random(31L * rows + classes);
        float[] z = logits(rnd, rows, classes, 3.0);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(classes);
        }
        y[1] = -100;                                       // an ignored row
        if (masks) {
            for (int i = 0; i < z.length; i += 3) {
                z[i] = Float.NEGATIVE_INFINITY;            // masked classes everywhere
            }
            z[2 * classes + y[2]] = Float.NEGATIVE_INFINITY;   // row 2: its target class is masked
            Arrays.fill(z, 3 * classes, 4 * classes, Float.NEGATIVE_INFINITY);  // row 3: all masked
        }
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().reduction(r).labelSmoothing(eps, conv);
        if (weights) {
            loss = loss.classWeights(positive(rnd, classes));
        }
        assertMatchesReference(loss, new SoftmaxCrossEntropyCpu(), new FusedSoftmaxCrossEntropy(), k,
                Tensor.of(z, rows, classes), Tensor.ofInts(y));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void crossEntropyEdgeCases(FloatKernels k) {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        // NaN and +inf logits next to masked ones; a logit far below the others (exp underflow)
        float[] z = {
            1, Float.NaN, Float.NEGATIVE_INFINITY, 2,
            Float.POSITIVE_INFINITY, 0, Float.NEGATIVE_INFINITY, 1,
            1e4f, -1e4f, 0, 1e4f,
            -200, 0, 10, 10};
        Tensor zt = Tensor.of(z, 4, 4);
        Tensor yt = Tensor.ofInts(new int[] {0, 1, 2, 0});
        for (double eps : new double[] {0, 0.1}) {
            assertMatchesReference(ce.labelSmoothing(eps).reduction(Reduction.NONE), new SoftmaxCrossEntropyCpu(),
                    new FusedSoftmaxCrossEntropy(), k, zt, yt);
        }
        // a dominant true class: log(1 + 2e^-20) survives (compensated exp sums)
        float[] close = {10, -10, -10};
        LossResult r = fused(ce, new FusedSoftmaxCrossEntropy(), k, one, new Tensor[] {Tensor.of(close, 1, 3),
                Tensor.ofInts(new int[] {0})}, new Tensor[] {Tensor.zeros(1, 3), null});
        assertEquals(Math.log1p(2 * Math.exp(-20)), r.value(), 1e-15);
        // all rows ignored, each policy; int64 targets
        for (AllIgnoredPolicy p : new AllIgnoredPolicy[] {AllIgnoredPolicy.ZERO, AllIgnoredPolicy.NAN}) {
            assertMatchesReference(ce.allIgnored(p), new SoftmaxCrossEntropyCpu(), new FusedSoftmaxCrossEntropy(), k,
                    Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.ofLongs(new long[] {-100, -100}));
        }
    }

    /**
     * Confident rows wherever their maximum stands (first, middle, last; in a later block of a long
     * row): each row's loss is log1p(sum_{j != y} e^(z_j - z_y)), matched to 1e-6 of itself plus
     * 1e-15 (the double log of 1 + tiny), on the fused kernels and on the reference (probability
     * targets). A float sum that starts small and then meets the maximum's 1 rounds the tail away
     * (Kahan's form keeps the error in the next term, which the 1 absorbs): losses near 1e-9 came out 0.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void confidentRowsKeepTheirTinyLossWhereverTheMaximumStands(FloatKernels k) {
        Random rnd = new Random(5);
        for (int classes : new int[] {3, 17, 1500}) {
            int rows = 30;
            float[] z = logits(rnd, rows, classes, 1.0);
            int[] y = new int[rows];
            float[] onehot = new float[rows * classes];
            double[] expected = new double[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? classes / 2 : classes - 1;
                int off = i * classes;
                z[off + y[i]] = 4 + i;                       // leads of ~3 to ~33: losses down to ~1e-14
                onehot[off + y[i]] = 1;
                double excess = 0;
                for (int j = 0; j < classes; j++) {
                    if (j != y[i]) {
                        excess += Math.exp((double) z[off + j] - z[off + y[i]]);
                    }
                }
                expected[i] = Math.log1p(excess);
            }
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().reduction(Reduction.NONE);
            Tensor zt = Tensor.of(z, rows, classes);
            float[] fusedValues = fused(loss, new FusedSoftmaxCrossEntropy(), k, two,
                    new Tensor[] {zt, Tensor.ofInts(y)}, new Tensor[] {Tensor.zeros(rows, classes), null}).values().toFloatArray();
            float[] referenceValues = new SoftmaxCrossEntropyCpu().compute(loss,
                    new Tensor[] {zt, Tensor.of(onehot, rows, classes)}, new Tensor[] {null, null}).values().toFloatArray();
            for (int i = 0; i < rows; i++) {
                double tol = 1e-6 * expected[i] + 1e-15;
                String where = "row " + i + " of " + rows + "x" + classes + " (target " + y[i] + ")";
                assertEquals(expected[i], fusedValues[i], tol, "fused, " + where);
                assertEquals(expected[i], referenceValues[i], tol, "reference, " + where);
            }
        }
    }

    @Test
    void crossEntropyRefusesWhatTheReferenceRefusesAndWritesNothing() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        Tensor z = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor[] bad = {Tensor.ofInts(new int[] {0, 3}), Tensor.ofInts(new int[] {0}), Tensor.ofInts(new int[] {-1, 0})};
        for (Tensor target : bad) {
            assertSameRefusal(ce, new SoftmaxCrossEntropyCpu(), new FusedSoftmaxCrossEntropy(), z, target);
        }
        assertSameRefusal(ce.classWeights(new float[] {1, 2}), new SoftmaxCrossEntropyCpu(),
                new FusedSoftmaxCrossEntropy(), z, Tensor.ofInts(new int[] {0, 1}));
        assertSameRefusal(ce.allIgnored(AllIgnoredPolicy.ERROR), new SoftmaxCrossEntropyCpu(),
                new FusedSoftmaxCrossEntropy(), z, Tensor.ofInts(new int[] {-100, -100}));
    }

    // ---- element-wise

    static Stream<Arguments> pointwiseCases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : kernels().toArray(FloatKernels[]::new)) {
            for (int n : new int[] {13, 100_003}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    cases.add(Arguments.of(k, n, r));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("pointwiseCases")
    void mseMatchesTheReference(FloatKernels k, int n, Reduction r) {
        Random rnd = new Random(n);
        float[] x = logits(rnd, 1, n, 2.0);
        float[] y = logits(rnd, 1, n, 2.0);
        x[5] = Float.NaN;
        x[7] = Float.POSITIVE_INFINITY;
        assertMatchesReference(new Mse(r), new MseCpu(), new FusedMse(), k, Tensor.of(x), Tensor.of(y));
        // a 2-D shape
        assertMatchesReference(new Mse(r), new MseCpu(), new FusedMse(), k, Tensor.of(x.clone(), 1, n),
                Tensor.of(y.clone(), 1, n));
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("pointwiseCases")
    void hingeMatchesTheReference(FloatKernels k, int n, Reduction r) {
        Random rnd = new Random(n + 1);
        float[] x = logits(rnd, 1, n, 2.0);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        x[3] = y[3];                 // at the kink: y x = margin, the gradient passes (-y)
        x[4] = Float.NaN;
        x[6] = Float.NEGATIVE_INFINITY;
        for (double margin : new double[] {1, 0.5}) {
            assertMatchesReference(new Hinge(r, margin), new HingeCpu(), new FusedHinge(), k, Tensor.of(x), Tensor.of(y));
        }
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("pointwiseCases")
    void squaredHingeMatchesTheReference(FloatKernels k, int n, Reduction r) {
        Random rnd = new Random(n + 7);
        float[] x = logits(rnd, 1, n, 2.0);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextBoolean() ? 1f : -1f;
        }
        x[3] = y[3];                 // at the kink: y x = margin, value and gradient 0
        x[4] = Float.NaN;
        x[6] = Float.NEGATIVE_INFINITY;
        x[7] = 3e19f * y[7] * -1f;   // h = 3e19: h^2 beyond FLT_MAX, +Inf as the reference's element
        for (double margin : new double[] {1, 0.5}) {
            assertMatchesReference(new SquaredHinge(r, margin), new SquaredHingeCpu(), new FusedSquaredHinge(), k,
                    Tensor.of(x), Tensor.of(y));
        }
    }

    @Test
    void squaredHingeRefusesTheFirstBadLabelAsTheReferenceDoes() {
        int n = 100_003;
        float[] y = new float[n];
        Arrays.fill(y, -1f);
        y[50_001] = 0f;
        y[90_000] = Float.NaN;
        assertSameRefusal(new SquaredHinge(), new SquaredHingeCpu(), new FusedSquaredHinge(), Tensor.of(new float[n]),
                Tensor.of(y));
    }

    @Test
    void hingeRefusesTheFirstBadLabelAsTheReferenceDoes() {
        int n = 100_003;
        float[] y = new float[n];
        Arrays.fill(y, 1f);
        y[70_001] = 0.5f;
        y[90_000] = Float.NaN;
        assertSameRefusal(new Hinge(), new HingeCpu(), new FusedHinge(), Tensor.of(new float[n]), Tensor.of(y));
        assertSameRefusal(new Mse(), new MseCpu(), new FusedMse(), Tensor.of(new float[3]), Tensor.of(new float[4]));
    }

    // ---- multi-class hinge

    static Stream<Arguments> multiclassHingeCases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : kernels().toArray(FloatKernels[]::new)) {
            for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
                for (int p : new int[] {1, 2}) {
                    for (boolean weights : new boolean[] {false, true}) {
                        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                            cases.add(Arguments.of(k, v, p, weights, r));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} p={2} weights={3} {4}")
    @MethodSource("multiclassHingeCases")
    void multiclassHingeMatchesTheReference(FloatKernels k, MulticlassHinge.Variant v, int p, boolean weights,
                                            Reduction r) {
        Random rnd = new Random(p * 7 + (weights ? 1 : 0));
        for (int[] shape : new int[][] {{6, 1}, {11, 9}, {40, 1003}}) {
            int rows = shape[0];
            int classes = shape[1];
            float[] x = logits(rnd, rows, classes, 1.0);
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = rnd.nextInt(classes);
            }
            if (classes > 2) {
                x[1] = Float.NaN;                          // row 0: a NaN score
            }
            MulticlassHinge loss = new MulticlassHinge(r, v, p, 0.75, weights ? positive(rnd, classes) : null);
            assertMatchesReference(loss, new MulticlassHingeCpu(), new FusedMulticlassHinge(), k,
                    Tensor.of(x, rows, classes), Tensor.ofInts(y));
        }
    }

    @Test
    void multiclassHingeRefusesWhatTheReferenceRefuses() {
        assertSameRefusal(new MulticlassHinge(), new MulticlassHingeCpu(), new FusedMulticlassHinge(),
                Tensor.of(new float[6], 2, 3), Tensor.ofInts(new int[] {0, 3}));
    }

    // ---- the kernels themselves

    @Test
    void expIsWithinTwoUlpAndExactAtTheEdges() {
        for (float x = -87.3f; x <= 0f; x += 0.000731f) {
            float e = FloatMath.exp(x);
            double exact = Math.exp(x);
            assertTrue(Math.abs(e - exact) <= 2 * Math.ulp((float) exact), () -> "exp(" + e + ")");
        }
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-100f));
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    }

    @Test
    void vectorAndScalarExponentialsAgreeWithinOneUlp() {
        FloatKernels v = KernelSelection.kernels();
        FloatKernels s = new ScalarKernels();
        Random rnd = new Random(5);
        float[] z = logits(rnd, 1, 4099, 30.0);
        z[17] = Float.NEGATIVE_INFINITY;
        z[18] = Float.NaN;
        float[] ev = new float[z.length];
        float[] es = new float[z.length];
        v.expSum(z, 0, z.length, 40f, ev, 0);
        s.expSum(z, 0, z.length, 40f, es, 0);
        for (int i = 0; i < z.length; i++) {
            if (Float.isNaN(es[i]) || es[i] == 0f) {
                assertEquals(es[i], ev[i], "exp(" + z[i] + " - 40)");
            } else {
                assertTrue(Math.abs(es[i] - ev[i]) <= Math.ulp(es[i]), "exp(" + z[i] + " - 40)");
            }
        }
        assertEquals(s.max(z, 0, z.length), v.max(z, 0, z.length));
        assertEquals(s.countNegativeInfinity(z, 0, z.length), v.countNegativeInfinity(z, 0, z.length));
    }

    // ---- determinism across thread counts

    @ParameterizedTest
    @MethodSource("kernels")
    void resultsAreTheSameBitsOnOneTwoAndThreeThreads(FloatKernels k) {
        Random rnd = new Random(99);
        int rows = 67;
        int classes = 3001;
        float[] z = logits(rnd, rows, classes, 4.0);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = rnd.nextInt(classes);
        }
        Tensor[] ce = {Tensor.of(z, rows, classes), Tensor.ofInts(y)};
        SoftmaxCrossEntropy smooth = new SoftmaxCrossEntropy().labelSmoothing(0.1)
                .classWeights(positive(rnd, classes));
        assertSameBits(new SoftmaxCrossEntropy(), new FusedSoftmaxCrossEntropy(), k, ce);
        assertSameBits(smooth, new FusedSoftmaxCrossEntropy(), k, ce);
        assertSameBits(new MulticlassHinge(), new FusedMulticlassHinge(), k, ce);
        float[] x = logits(rnd, 1, 300_001, 1.0);
        float[] t = logits(rnd, 1, 300_001, 1.0);
        assertSameBits(new Mse(), new FusedMse(), k, new Tensor[] {Tensor.of(x), Tensor.of(t)});
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] > 0 ? 1f : -1f;
        }
        assertSameBits(new Hinge(), new FusedHinge(), k, new Tensor[] {Tensor.of(x), Tensor.of(t)});
        assertSameBits(new SquaredHinge(), new FusedSquaredHinge(), k, new Tensor[] {Tensor.of(x), Tensor.of(t)});
    }

    /**
     * Issue 10, defect 5: at +-FLT_MAX the fused paths keep the reference's (and the kernels') overflow
     * policy. Before: mse and Weston-Watkins p = 2 folded MEAN's 1/n into the gradient before 2 d
     * overflowed (finite, where the reference and the kernels give +-Inf), and the smoothed
     * cross-entropy's float32 sum of w_c (m - z_c) overflowed (+Inf, where the reference gives the
     * finite loss).
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void overflowAtFltMaxFollowsTheReference(FloatKernels k) {
        float max = Float.MAX_VALUE;
        assertMatchesReference(new Mse(), new MseCpu(), new FusedMse(), k,
                Tensor.of(new float[] {max, 1, 2, 3, -max, 0, 0, 0}), Tensor.of(new float[] {-1, 0, 0, 0, 1, 0, 0, 0}));
        MulticlassHinge ww = new MulticlassHinge().p(2).classWeights(new float[] {2, 1, 1, 0.5f});
        assertMatchesReference(ww, new MulticlassHingeCpu(), new FusedMulticlassHinge(), k,
                Tensor.of(new float[] {-max, 0, 1, 2, 0, 1, 2, 3}, 2, 4), Tensor.ofInts(new int[] {0, 3}));
        for (SmoothingConvention conv : SmoothingConvention.values()) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy().labelSmoothing(0.1, conv);
            LossResult ref = assertMatchesReference(ce, new SoftmaxCrossEntropyCpu(), new FusedSoftmaxCrossEntropy(), k,
                    Tensor.of(new float[] {-max, -max, 0, 1, 0, 1, 2, 3}, 2, 4), Tensor.ofInts(new int[] {2, 0}));
            assertTrue(Double.isFinite(ref.value()), "the true loss is finite: " + ref.value());
        }
        // Crammer-Singer shares the reference's row: its unscaled derivative 2 z beyond FLT_MAX is +-Inf (was finite)
        LossResult cs = fused(new MulticlassHinge().variant(MulticlassHinge.Variant.CRAMMER_SINGER).p(2),
                new FusedMulticlassHinge(), k, two, new Tensor[] {Tensor.of(new float[] {-max, 0, 1, 2}, 1, 4),
                    Tensor.ofInts(new int[] {0})}, new Tensor[] {Tensor.zeros(1, 4), null});
        // (z_1, z_2, z_3 = FLT_MAX + 1, + 2, + 3 are one double: the tie goes to the lowest index)
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0, 0}, cs.gradient().toFloatArray());
    }

    @Test
    void selectionFallsBackToScalarAndSaysHowToEnableTheVectorPath() {
        KernelSelection.Choice absent = KernelSelection.choose(null, false, null);
        assertFalse(absent.vectorised());
        assertTrue(absent.line().contains("--add-modules jdk.incubator.vector"), absent.line());
        KernelSelection.Choice off = KernelSelection.choose("false", true, null);
        assertFalse(off.vectorised());
        assertTrue(off.line().contains("-Dlossengine.vector=false"), off.line());
        KernelSelection.Choice noC2 = KernelSelection.choose(null, true, "the C2 compiler is off");
        assertFalse(noC2.vectorised());
        KernelSelection.Choice on = KernelSelection.choose(null, true, null);
        assertTrue(on.vectorised(), on.line());
        assertNull(KernelSelection.selfTest(new ScalarKernels()), "the self-test passes for kernels that agree");
    }
}
