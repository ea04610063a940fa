package io.github.lossengine.cpu;

import static io.github.lossengine.testing.RefusalCheck.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Softmax cross-entropy: seed examples, a double reference with finite differences, masks, policies, refusals. */
class SoftmaxCrossEntropyTest extends CpuEngineFixture {
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;
    private static Tensor logitsOf(double... probabilities) {
        float[] z = new float[probabilities.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.log(probabilities[i]);
        }
        return Tensor.of(z, 1, z.length);
    }

    private static double ce(float[] logits, int target) {
        return engine.evaluate(Losses.softmaxCrossEntropy(), Tensor.of(logits, 1, logits.length),
                Tensor.ofInts(new int[] {target})).value();
    }

    @Test
    void seedProbabilitiesGiveMinusLogOfTheTrueClass() {
        // seed 004: p = (0.1, 0.7, 0.2), y = class 2 of 3 (index 1): -log 0.7 ~ 0.357; 0.01 on the true class: ~ 4.605
        LossResult r = engine.compute(Losses.softmaxCrossEntropy(), logitsOf(0.1, 0.7, 0.2), Tensor.ofInts(new int[] {1}));
        assertEquals(0.357, r.value(), 5e-4);
        assertEquals(-Math.log(0.7), r.value(), 1e-6);
        double low = engine.evaluate(Losses.softmaxCrossEntropy(), logitsOf(0.495, 0.01, 0.495),
                Tensor.ofInts(new int[] {1})).value();
        assertEquals(4.605, low, 5e-4);
        // seeds 003/004: the gradient of softmax + cross-entropy is p - y
        assertArrayEquals(new float[] {0.1f, -0.3f, 0.2f}, r.gradient().toFloatArray(), 1e-6f);
    }

    @Test
    void seedScoresTenEightEightCostMoreThanTenMinusTen() {
        // seed 000: class 0 correct; CE = log(1 + sum_{j>0} e^(s_j - s_0))
        double close = ce(new float[] {10, 8, 8}, 0);
        double far = ce(new float[] {10, -10, -10}, 0);
        assertEquals(Math.log1p(2 * Math.exp(-2)), close, 1e-7);
        assertEquals(0.2395, close, 1e-4);
        assertEquals(Math.log1p(2 * Math.exp(-20)), far, 1e-15);
        assertTrue(close > far);
    }

    @Test
    void seedBaseTenExample() {
        // seed 000: "a score of 0.8 for the correct label: loss 0.09; 0.08: loss 1.09". Those are base-10 logs
        // (-log10 0.8 = 0.097, -log10 0.08 = 1.097, cut to two decimals); ours are natural logs, so divide by ln 10.
        double at08 = engine.evaluate(Losses.softmaxCrossEntropy(), logitsOf(0.8, 0.1, 0.1), Tensor.ofInts(new int[] {0})).value();
        double at008 = engine.evaluate(Losses.softmaxCrossEntropy(), logitsOf(0.08, 0.46, 0.46), Tensor.ofInts(new int[] {0})).value();
        assertEquals(-Math.log10(0.8), at08 / Math.log(10), 1e-6);
        assertEquals(-Math.log10(0.08), at008 / Math.log(10), 1e-6);
        assertEquals(0.09, at08 / Math.log(10), 0.01);
        assertEquals(1.09, at008 / Math.log(10), 0.01);
    }

    /** The reference: per row -sum_c w_c q_c (z_c - log sum exp z), reduced as PyTorch. */
    static double reference(double[] z, double[] target, boolean probabilities, int c, double[] w, long ignore,
                            double eps, SmoothingConvention conv, Reduction r) {
        int n = z.length / c;
        double denominator = 0;
        for (int i = 0; i < n; i++) {
            if (probabilities) {
                denominator += 1;
            } else {
                long y = (long) target[i];
                denominator += y == ignore ? 0 : w == null ? 1 : w[(int) y];
            }
        }
        double sum = GradientCheck.sum(rows(z, target, probabilities, c, w, ignore, eps, conv));
        return r == Reduction.MEAN ? sum / denominator : sum;
    }

    /** The per-row losses of {@link #reference} (0 for an ignored row), as NONE gives them. */
    static double[] rows(double[] z, double[] target, boolean probabilities, int c, double[] w, long ignore,
                         double eps, SmoothingConvention conv) {
        int n = z.length / c;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] q = new double[c];
            if (probabilities) {
                double total = 0;
                for (int k = 0; k < c; k++) {
                    total += target[i * c + k];
                }
                for (int k = 0; k < c; k++) {
                    double t = target[i * c + k];
                    q[k] = conv == SmoothingConvention.UNIFORM ? t * (1 - eps) + eps / c
                            : c == 1 ? t : t * (1 - eps) + eps * (total - t) / (c - 1);
                }
            } else {
                long y = (long) target[i];
                if (y == ignore) {
                    continue;
                }
                for (int k = 0; k < c; k++) {
                    if (conv == SmoothingConvention.UNIFORM) {
                        q[k] = (k == y ? 1 - eps : 0) + eps / c;
                    } else {
                        q[k] = c == 1 ? 1 : k == y ? 1 - eps : eps / (c - 1);
                    }
                }
            }
            double s = 0;
            for (int k = 0; k < c; k++) {
                s += Math.exp(z[i * c + k]);
            }
            double lse = Math.log(s);
            for (int k = 0; k < c; k++) {
                out[i] -= (w == null ? 1 : w[k]) * q[k] * (z[i * c + k] - lse);
            }
        }
        return out;
    }

    static Stream<Arguments> options() {
        float[] w = {0.5f, 2f, 1f, 0.25f, 1.5f};
        List<Arguments> out = new ArrayList<>();
        for (float[] weights : new float[][] {null, w}) {
            for (long ignore : new long[] {SoftmaxCrossEntropy.DEFAULT_IGNORE_INDEX, 2}) {
                for (double eps : new double[] {0.0, 0.1}) {
                    for (SmoothingConvention conv : SmoothingConvention.values()) {
                        if (eps == 0 && conv == SmoothingConvention.OFF_TARGET) {
                            continue;
                        }
                        out.add(Arguments.of(weights, ignore, eps, conv));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("options")
    void indexTargetsMatchReferenceAndFiniteDifferences(float[] weights, long ignore, double eps, SmoothingConvention conv) {
        RandomTensors rnd = new RandomTensors(11);
        int n = 7;
        int c = 5;
        Tensor z = rnd.normal(2, n, c);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 3 + 1) % c;
        }
        y[4] = (int) (ignore == 2 ? 2 : ignore);
        Tensor t32 = Tensor.ofInts(y, n);
        long[] y64 = Arrays.stream(y).asLongStream().toArray();
        Tensor t64 = Tensor.ofLongs(y64, n);
        double[] wd = weights == null ? null : toDouble(weights);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
            SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().classWeights(weights).ignoreIndex(ignore)
                    .labelSmoothing(eps, conv).reduction(r);
            LossResult a = GradientCheck.check(engine, loss,
                    in -> reference(in[0], in[1], false, c, wd, ignore, eps, conv, r),
                    in -> rows(in[0], in[1], false, c, wd, ignore, eps, conv), z, t32);
            LossResult b = engine.compute(loss, z, t64);
            assertArrayEquals(a.gradient().toFloatArray(), b.gradient().toFloatArray(), "int64 targets as int32");
            // the ignored row: zero loss and zero gradient
            for (int k = 0; k < c; k++) {
                assertEquals(0f, a.gradient().getFloat(4 * c + k));
            }
            if (r == Reduction.NONE) {
                assertArrayEquals(new long[] {n}, a.values().shape());
                assertEquals(0f, a.values().getFloat(4));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("options")
    void probabilityTargetsMatchReferenceAndFiniteDifferences(float[] weights, long ignore, double eps,
                                                              SmoothingConvention conv) {
        RandomTensors rnd = new RandomTensors(5);
        int n = 6;
        int c = 5;
        Tensor z = rnd.normal(1.5, n, c);
        // rows need not sum to 1 (PyTorch does not require it): use raw uniform values, one row normalised
        Tensor t = rnd.uniform(0, 1, n, c);
        float[] ts = t.floatArrayOrNull();
        float s = 0;
        for (int k = 0; k < c; k++) {
            s += ts[k];
        }
        for (int k = 0; k < c; k++) {
            ts[k] /= s;
        }
        double[] wd = weights == null ? null : toDouble(weights);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
            // ignore_index does not apply to probability targets
            SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().classWeights(weights).ignoreIndex(ignore)
                    .labelSmoothing(eps, conv).reduction(r);
            GradientCheck.check(engine, loss, in -> reference(in[0], in[1], true, c, wd, ignore, eps, conv, r),
                    in -> rows(in[0], in[1], true, c, wd, ignore, eps, conv), z, t);
        }
    }

    @Test
    void oneHotProbabilityTargetsEqualIndexTargets() {
        RandomTensors rnd = new RandomTensors(8);
        Tensor z = rnd.normal(2, 4, 3);
        int[] y = {2, 0, 1, 1};
        float[] onehot = new float[12];
        for (int i = 0; i < 4; i++) {
            onehot[i * 3 + y[i]] = 1;
        }
        for (SmoothingConvention conv : SmoothingConvention.values()) {
            SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().labelSmoothing(0.2, conv);
            LossResult a = engine.compute(loss, z, Tensor.ofInts(y));
            LossResult b = engine.compute(loss, z, Tensor.of(onehot, 4, 3));
            // index and probability targets run different fused float32 kernels (FusedSoftmaxCrossEntropy,
            // FusedSoftTargetCrossEntropy): equal within the fused path's tolerance (docs/PERFORMANCE.md)
            assertEquals(b.value(), a.value(), 1e-6 * b.value());
            assertArrayEquals(b.gradient().toFloatArray(), a.gradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void smoothingConventionsDifferAsDocumented() {
        // C = 4, eps = 0.2, uniform logits (p = 1/4): UNIFORM q = (0.85, 0.05, 0.05, 0.05), OFF_TARGET q = (0.8, 0.2/3 ...);
        // with p uniform the loss is log 4 either way, the gradient p - q shows q
        Tensor z = Tensor.of(new float[4], 1, 4);
        Tensor y = Tensor.ofInts(new int[] {0});
        LossResult u = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.2), z, y);
        LossResult o = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.2, SmoothingConvention.OFF_TARGET), z, y);
        assertEquals(Math.log(4), u.value(), 1e-12);
        assertArrayEquals(new float[] {0.25f - 0.85f, 0.2f, 0.2f, 0.2f}, u.gradient().toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {0.25f - 0.8f, 0.25f - 0.2f / 3, 0.25f - 0.2f / 3, 0.25f - 0.2f / 3},
                o.gradient().toFloatArray(), 1e-7f);
        // OFF_TARGET with a single class has nowhere to spread: no smoothing
        LossResult one = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.3, SmoothingConvention.OFF_TARGET),
                Tensor.of(new float[] {1.5f}, 1, 1), y);
        assertEquals(0.0, one.value(), 0);
        assertEquals(0f, one.gradient().getFloat(0));
    }

    @Test
    void gradientRowsSumToZeroAndRowShiftChangesNothing() {
        RandomTensors rnd = new RandomTensors(21);
        Tensor z = rnd.normal(3, 5, 6);
        Tensor y = rnd.indices(5, 6);
        LossResult r = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.SUM), z, y);
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int k = 0; k < 6; k++) {
                s += r.gradient().getFloat(i * 6 + k);
            }
            assertEquals(0, s, 1e-6);
        }
        float[] shifted = z.toFloatArray();
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < 6; k++) {
                shifted[i * 6 + k] += 2.5f * (i + 1);
            }
        }
        LossResult s = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.SUM), Tensor.of(shifted, 5, 6), y);
        assertEquals(r.value(), s.value(), 1e-5);
        assertArrayEquals(r.gradient().toFloatArray(), s.gradient().toFloatArray(), 1e-6f);
    }

    @Test
    void extremeLogitsStayFiniteAndExact() {
        Tensor z = Tensor.of(new float[] {1e4f, -1e4f, 0f, 1e4f, -1e4f, 0f}, 2, 3);
        LossResult r = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.NONE), z, Tensor.ofInts(new int[] {0, 1}));
        // row 0 predicts its class with p = 1 - e^-1e4: loss 0; row 1's class sits 2e4 below the maximum
        assertEquals(0f, r.values().getFloat(0));
        assertEquals(2e4f, r.values().getFloat(1));
        assertArrayEquals(new float[] {0, 0, 0, 1, -1, 0}, r.gradient().toFloatArray());
        LossResult smooth = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.3), z, Tensor.ofInts(new int[] {0, 1}));
        assertTrue(Double.isFinite(smooth.value()));
        for (float g : smooth.gradient().toFloatArray()) {
            assertTrue(Float.isFinite(g));
        }
    }

    /** The reference for masked logits: a class whose logit is -inf leaves the support and gets no smoothing mass. */
    static double maskedReference(double[] z, int[] y, int c, double[] w, double eps, SmoothingConvention conv) {
        double sum = 0;
        double denominator = 0;
        for (int i = 0; i < y.length; i++) {
            List<Integer> support = new ArrayList<>();
            for (int k = 0; k < c; k++) {
                if (z[i * c + k] != NEG_INF) {
                    support.add(k);
                }
            }
            int others = support.size() - (support.contains(y[i]) ? 1 : 0);
            double s = 0;
            for (int k : support) {
                s += Math.exp(z[i * c + k]);
            }
            double lse = Math.log(s);
            for (int k : support) {
                double q;
                if (conv == SmoothingConvention.UNIFORM) {
                    q = (k == y[i] ? 1 - eps : 0) + eps / support.size();
                } else {
                    q = k == y[i] ? 1 - eps : eps / others;
                }
                sum -= (w == null ? 1 : w[k]) * q * (z[i * c + k] - lse);
            }
            denominator += w == null ? 1 : w[y[i]];
        }
        return sum / denominator;
    }

    static Stream<Arguments> maskOptions() {
        return Stream.of(
                Arguments.of(null, 0.0, SmoothingConvention.UNIFORM),
                Arguments.of(null, 0.1, SmoothingConvention.UNIFORM),
                Arguments.of(null, 0.1, SmoothingConvention.OFF_TARGET),
                Arguments.of(new float[] {0.5f, 2f, 1f, 3f}, 0.0, SmoothingConvention.UNIFORM),
                Arguments.of(new float[] {0.5f, 2f, 1f, 3f}, 0.2, SmoothingConvention.UNIFORM),
                Arguments.of(new float[] {0.5f, 2f, 1f, 3f}, 0.2, SmoothingConvention.OFF_TARGET));
    }

    @ParameterizedTest
    @MethodSource("maskOptions")
    void maskedLogitsLeaveTheSupport(float[] weights, double eps, SmoothingConvention conv) {
        int c = 4;
        float ninf = Float.NEGATIVE_INFINITY;
        float[] z = {0.3f, ninf, 1.2f, -0.4f,
                     ninf, 2.0f, ninf, 0.5f,
                     1.0f, -1.0f, 0.7f, ninf};
        int[] y = {2, 3, 0};
        SoftmaxCrossEntropy loss = Losses.softmaxCrossEntropy().classWeights(weights).labelSmoothing(eps, conv);
        LossResult r = engine.compute(loss, Tensor.of(z, 3, c), Tensor.ofInts(y));
        double[] wd = weights == null ? null : toDouble(weights);
        // the reference as a function of the unmasked logits only
        int[] open = new int[z.length];
        int m = 0;
        for (int i = 0; i < z.length; i++) {
            if (z[i] != ninf) {
                open[m++] = i;
            }
        }
        int free = m;
        GradientCheck.Reference packed = in -> {
            double[] full = new double[z.length];
            Arrays.fill(full, NEG_INF);
            for (int j = 0; j < free; j++) {
                full[open[j]] = in[0][j];
            }
            return maskedReference(full, y, c, wd, eps, conv);
        };
        double[][] x = {new double[free]};
        for (int j = 0; j < free; j++) {
            x[0][j] = z[open[j]];
        }
        assertTrue(Double.isFinite(r.value()));
        GradientCheck.assertClose(packed.value(x), r.value(), "masked value");
        double[] fd = GradientCheck.finiteDifference(packed, x, 0);
        float[] openGradient = new float[free];
        for (int j = 0; j < free; j++) {
            openGradient[j] = r.gradient().getFloat(open[j]);
        }
        // per entry relative, as GradientCheck.check: the masked positions are not inputs of the reference
        GradientCheck.assertGradient("gradient at the open logits", fd, openGradient, j -> r.gradient().indexString(open[(int) j]));
        for (int i = 0; i < z.length; i++) {
            if (z[i] == ninf) {
                assertEquals(0.0f, r.gradient().getFloat(i), "masked logit " + i);
            }
        }
    }

    @Test
    void maskedColumnsEqualDroppingThem() {
        // the same class masked in every row gives the loss of the problem without that class (smoothing included)
        RandomTensors rnd = new RandomTensors(4);
        Tensor small = rnd.normal(1, 3, 3);
        float[] wide = new float[12];
        for (int i = 0; i < 3; i++) {
            wide[i * 4] = small.getFloat(i * 3);
            wide[i * 4 + 1] = Float.NEGATIVE_INFINITY;
            wide[i * 4 + 2] = small.getFloat(i * 3 + 1);
            wide[i * 4 + 3] = small.getFloat(i * 3 + 2);
        }
        LossResult narrow = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.15).classWeights(new float[] {1, 2, 3}),
                small, Tensor.ofInts(new int[] {0, 2, 1}));
        LossResult masked = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.15).classWeights(new float[] {1, 9, 2, 3}),
                Tensor.of(wide, 3, 4), Tensor.ofInts(new int[] {0, 3, 2}));
        assertEquals(narrow.value(), masked.value(), 1e-12);
        for (int i = 0; i < 3; i++) {
            assertEquals(narrow.gradient().getFloat(i * 3), masked.gradient().getFloat(i * 4));
            assertEquals(0.0f, masked.gradient().getFloat(i * 4 + 1));
            assertEquals(narrow.gradient().getFloat(i * 3 + 1), masked.gradient().getFloat(i * 4 + 2));
            assertEquals(narrow.gradient().getFloat(i * 3 + 2), masked.gradient().getFloat(i * 4 + 3));
        }
    }

    @Test
    void maskedTargetClassAndFullyMaskedRow() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor z = Tensor.of(new float[] {ninf, 0f, (float) Math.log(3), ninf, ninf, ninf}, 2, 3);
        LossResult r = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.NONE), z, Tensor.ofInts(new int[] {0, 1}));
        // target class masked: loss +inf; gradient p_k on the open classes (p = 1/4, 3/4), 0 at the mask
        assertEquals(Float.POSITIVE_INFINITY, r.values().getFloat(0));
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f}, Arrays.copyOf(r.gradient().toFloatArray(), 3), 1e-7f);
        // a row with every class masked: loss +inf, gradient 0
        assertEquals(Float.POSITIVE_INFINITY, r.values().getFloat(1));
        assertArrayEquals(new float[] {0f, 0f, 0f}, Arrays.copyOfRange(r.gradient().toFloatArray(), 3, 6));
        // probability targets: a masked class with zero target mass is harmless, with mass it is +inf
        Tensor open = Tensor.of(new float[] {ninf, 0.5f, 0.5f}, 1, 3);
        assertTrue(Double.isFinite(engine.evaluate(Losses.softmaxCrossEntropy().labelSmoothing(0.1), open,
                Tensor.of(new float[] {0f, 0.25f, 0.75f}, 1, 3)).value()));
        assertEquals(Double.POSITIVE_INFINITY, engine.evaluate(Losses.softmaxCrossEntropy(), open,
                Tensor.of(new float[] {0.1f, 0.2f, 0.7f}, 1, 3)).value());
    }

    @Test
    void nanAndPositiveInfinityLogitsGiveNan() {
        Tensor y = Tensor.ofInts(new int[] {0});
        assertTrue(Double.isNaN(ce(new float[] {Float.NaN, 1f, 2f}, 0)));
        assertTrue(Double.isNaN(engine.evaluate(Losses.softmaxCrossEntropy(),
                Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1f}, 1, 2), y).value()));
    }

    @Test
    void allIgnoredPolicies() {
        Tensor z = new RandomTensors(2).normal(1, 3, 4);
        Tensor y = Tensor.ofInts(new int[] {-100, -100, -100});
        LossResult zero = engine.compute(Losses.softmaxCrossEntropy(), z, y);
        assertEquals(0.0, zero.value(), 0);
        assertArrayEquals(new float[12], zero.gradient().toFloatArray());
        LossResult nan = engine.compute(Losses.softmaxCrossEntropy().allIgnored(AllIgnoredPolicy.NAN), z, y);
        assertTrue(Double.isNaN(nan.value()));
        assertArrayEquals(new float[12], nan.gradient().toFloatArray());
        InvalidInputException e = assertRefused(engine, Losses.softmaxCrossEntropy().allIgnored(AllIgnoredPolicy.ERROR),
                new Tensor[] {z, y}, "target", "ignored");
        assertEquals("target", e.argument());
        // SUM and NONE have no 0/0: 0 and per-row zeros, whatever the policy
        assertEquals(0.0, engine.evaluate(Losses.softmaxCrossEntropy().allIgnored(AllIgnoredPolicy.ERROR)
                .reduction(Reduction.SUM), z, y).value(), 0);
        assertArrayEquals(new float[3], engine.evaluate(Losses.softmaxCrossEntropy().reduction(Reduction.NONE), z, y)
                .values().toFloatArray());
        // zero weight on every target class is the same 0/0
        LossResult zw = engine.compute(Losses.softmaxCrossEntropy().classWeights(new float[] {0, 1, 1, 1}).labelSmoothing(0.1),
                z, Tensor.ofInts(new int[] {0, 0, -100}));
        assertEquals(0.0, zw.value(), 0);
        assertArrayEquals(new float[12], zw.gradient().toFloatArray());
    }

    @Test
    void badInputsAreRefusedBeforeAnythingIsWritten() {
        Tensor z = new RandomTensors(9).normal(1, 4, 3);
        SoftmaxCrossEntropy ce = Losses.softmaxCrossEntropy();
        assertRefused(engine, ce, new Tensor[] {z, Tensor.ofInts(new int[] {0, 1, 3, 2})}, "target", "target[2] = 3", "[0, 3)");
        assertRefused(engine, ce, new Tensor[] {z, Tensor.ofLongs(new long[] {0, -1, 2, 2})}, "target", "target[1] = -1", "out of range");
        assertRefused(engine, ce.ignoreIndex(-1), new Tensor[] {z, Tensor.ofInts(new int[] {0, -1, 2, -100})},
                "target", "target[3] = -100");
        assertRefused(engine, ce, new Tensor[] {z, Tensor.of(new float[] {0, 1, 2, 1})}, "target", "int32 or int64", "FLOAT32");
        assertRefused(engine, ce, new Tensor[] {z, Tensor.ofInts(new int[12], 4, 3)}, "target", "float32", "INT32");
        assertRefused(engine, ce, new Tensor[] {z, Tensor.ofInts(new int[] {0, 1, 2})}, "target", "3 class indices for 4 rows");
        assertRefused(engine, ce, new Tensor[] {z, Tensor.of(new float[8], 4, 2)}, "target", "[4, 2]");
        assertRefused(engine, ce.classWeights(new float[] {1, 2}), new Tensor[] {z, Tensor.ofInts(new int[] {0, 1, 2, 1})},
                "weight", "2 class weights for 3 classes");
        float[] probs = new float[12];
        probs[7] = -0.5f;
        assertRefused(engine, ce, new Tensor[] {z, Tensor.of(probs, 4, 3)}, "target", "target[2, 1] = -0.5", ">= 0");
        probs[7] = Float.NaN;
        assertRefused(engine, ce, new Tensor[] {z, Tensor.of(probs, 4, 3)}, "target", "target[2, 1] = NaN");
        assertRefused(engine, ce, new Tensor[] {Tensor.of(new float[3]), Tensor.ofInts(new int[] {0})}, "input", "[N, C]");
        assertRefused(engine, ce, new Tensor[] {Tensor.of(new float[0], 2, 0), Tensor.ofInts(new int[] {-100, -100})},
                "input", "no classes");
        assertRefused(engine, ce, new Tensor[] {Tensor.of(new float[0], 0, 3), Tensor.ofInts(new int[0])}, "input", "empty");
    }

    @Test
    void inputsAreNeverWritten() {
        Tensor z = new RandomTensors(12).normal(2, 3, 4);
        Tensor t = new RandomTensors(13).uniform(0, 1, 3, 4);
        float[] zc = z.toFloatArray();
        float[] tc = t.toFloatArray();
        engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(0.1), z, t);
        assertArrayEquals(zc, z.toFloatArray());
        assertArrayEquals(tc, t.toFloatArray());
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
