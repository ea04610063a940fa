package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import io.github.lossengine.testing.TrainingCeReference;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Softmax cross-entropy's z-loss, softcap and normaliser, the statistics it reports (denominator,
 * z-loss part, per-row log-sum-exp) and gradient accumulation with a global normaliser: value and
 * gradient against {@link TrainingCeReference} with finite differences, on the fused path (index
 * targets) and the reference (probability targets), every combination of the options.
 */
class SoftmaxTrainingOptionsTest extends CpuEngineFixture {
    static final int C = 7;
    static final int N = 6;

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        for (double coef : new double[] {0, 0.05}) {
            for (double cap : new double[] {0, 2.5}) {
                for (double norm : new double[] {0, 7.5}) {
                    for (boolean weighted : new boolean[] {false, true}) {
                        for (double eps : new double[] {0, 0.1}) {
                            for (int red = 0; red < 3; red++) {
                                if (norm != 0 && red != 2) {
                                    continue;
                                }
                                for (boolean prob : new boolean[] {false, true}) {
                                    out.add(Arguments.of(coef, cap, norm, weighted, eps, red, prob));
                                }
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    static SoftmaxCrossEntropy loss(double coef, double cap, double norm, float[] w, double eps, int red) {
        SoftmaxCrossEntropy l = Losses.softmaxCrossEntropy().reduction(new Reduction[] {Reduction.NONE, Reduction.SUM,
                Reduction.MEAN}[red]).zLoss(coef).labelSmoothing(eps).classWeights(w);
        if (cap != 0) {
            l = l.softcap(cap);
        }
        return norm != 0 ? l.normalizer(norm) : l;
    }

    static double[] toDouble(float[] w) {
        if (w == null) {
            return null;
        }
        double[] d = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            d[i] = w[i];
        }
        return d;
    }

    static Tensor probabilityTargets(RandomTensors r, int n, int c) {
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += p[i * c + j] = (float) r.nextDouble();
            }
            for (int j = 0; j < c; j++) {
                p[i * c + j] /= (float) s;
            }
        }
        return Tensor.of(p, n, c);
    }

    @ParameterizedTest
    @MethodSource("combinations")
    void valueGradientAndStatisticsMatchTheReference(double coef, double cap, double norm, boolean weighted, double eps,
                                                      int red, boolean prob) {
        RandomTensors r = new RandomTensors(11 + red);
        Tensor z = r.normal(2.0, N, C);
        float[] w = weighted ? new float[] {0.5f, 1.5f, 2f, 1f, 0.25f, 3f, 1f} : null;
        Tensor y = prob ? probabilityTargets(r, N, C) : Tensor.ofInts(new int[] {3, -100, 0, 6, 2, 5});
        SoftmaxCrossEntropy loss = loss(coef, cap, norm, w, eps, red);
        TrainingCeReference ref = new TrainingCeReference(C, prob, toDouble(w), -100, eps, cap, coef, red, norm);
        LossResult res = GradientCheck.check(engine, loss, ref, z, y);

        double[][] x = GradientCheck.toDouble(z, y);
        assertEquals(ref.denominator(x[1], N), res.denominator(), 1e-12, "denominator");
        double zPart = 0;
        for (int i = 0; i < N; i++) {
            zPart += ref.zPart(x[0], x[1], i);
            float lse = res.logSumExp().getFloat(i);
            if (!prob && i == 1) {
                assertTrue(Float.isNaN(lse), "an ignored row's lse is NaN");
            } else {
                assertEquals(ref.lse(x[0], i), lse, 1e-5 * Math.abs(ref.lse(x[0], i)) + 1e-6, "lse of row " + i);
            }
        }
        assertEquals(zPart * ref.scale(x[1], N), res.zLoss(), 1e-5 * Math.abs(zPart) + 1e-12, "z-loss part");
        if (coef == 0) {
            assertEquals(0.0, res.zLoss());
        }
    }

    @Test
    void zLossAddsCoefLseSquaredAndItsGradientIsTwoCoefLseP() {
        // one row, logits (1, 2, 3): lse = 3.40760596, p = softmax
        Tensor z = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        Tensor y = Tensor.ofInts(new int[] {0});
        LossResult plain = engine.compute(Losses.softmaxCrossEntropy(), z, y);
        LossResult withZ = engine.compute(Losses.softmaxCrossEntropy().zLoss(0.01), z, y);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(0.01 * lse * lse, withZ.value() - plain.value(), 1e-6);
        assertEquals(0.01 * lse * lse, withZ.zLoss(), 1e-6);
        for (int c = 0; c < 3; c++) {
            double p = Math.exp(c + 1 - lse);
            assertEquals(2 * 0.01 * lse * p, withZ.gradient().getFloat(c) - plain.gradient().getFloat(c), 1e-6);
        }
    }

    @Test
    void softcapKeepsMasksAndMapsLogitsThroughTanh() {
        float inf = Float.NEGATIVE_INFINITY;
        Tensor z = Tensor.of(new float[] {40, inf, -3, 1}, 1, 4);
        Tensor y = Tensor.ofInts(new int[] {2});
        LossResult r = engine.compute(Losses.softmaxCrossEntropy().softcap(10), z, y);
        double[] capped = {10 * Math.tanh(4), 10 * Math.tanh(-0.3), 10 * Math.tanh(0.1)};
        double lse = Math.log(Math.exp(capped[0]) + Math.exp(capped[1]) + Math.exp(capped[2]));
        assertEquals(lse - capped[1], r.value(), 1e-5);
        assertEquals(lse, r.logSumExp().getFloat(0), 1e-5);
        assertEquals(0f, r.gradient().getFloat(1), "a masked class stays masked: zero gradient");
        double p0 = Math.exp(capped[0] - lse);
        assertEquals(p0 * (1 - Math.tanh(4) * Math.tanh(4)), r.gradient().getFloat(0), 1e-6, "chain factor");
        // all masked: +inf loss, zero gradient, lse -inf
        LossResult all = engine.compute(Losses.softmaxCrossEntropy().softcap(10).reduction(Reduction.NONE),
                Tensor.of(new float[] {inf, inf}, 1, 2), Tensor.ofInts(new int[] {0}));
        assertEquals(Float.POSITIVE_INFINITY, all.values().getFloat(0));
        assertEquals(Float.NEGATIVE_INFINITY, all.logSumExp().getFloat(0));
        assertArrayEquals(new float[] {0, 0}, all.gradient().toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void badNormalizerIsRefusedNamingTheValue(double v) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Losses.softmaxCrossEntropy().normalizer(v));
        assertEquals("normalizer", e.argument());
        assertTrue(e.getMessage().contains(Double.toString(v)), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -2.0, Double.NaN, Double.POSITIVE_INFINITY})
    void badSoftcapIsRefusedNamingTheValue(double v) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Losses.softmaxCrossEntropy().softcap(v));
        assertEquals("softcap", e.argument());
        assertTrue(e.getMessage().contains(Double.toString(v)), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e-4, Double.NaN, Double.POSITIVE_INFINITY})
    void badZLossIsRefusedNamingTheValue(double v) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Losses.softmaxCrossEntropy().zLoss(v));
        assertEquals("z_loss", e.argument());
        assertTrue(e.getMessage().contains(Double.toString(v)), e.getMessage());
    }

    @Test
    void normalizerNeedsMean() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Losses.softmaxCrossEntropy().normalizer(10).reduction(Reduction.SUM));
        assertEquals("normalizer", e.argument());
        assertThrows(InvalidInputException.class, () -> Losses.softmaxCrossEntropy().reduction(Reduction.NONE).normalizer(3));
    }

    @Test
    void zLossOnAnAllIgnoredBatchFollowsThePolicy() {
        Tensor z = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor y = Tensor.ofInts(new int[] {-100, -100});
        SoftmaxCrossEntropy l = Losses.softmaxCrossEntropy().zLoss(0.1);
        LossResult zero = engine.compute(l, z, y);
        assertEquals(0.0, zero.value());
        assertEquals(0.0, zero.zLoss());
        assertEquals(0.0, zero.denominator());
        assertTrue(Double.isNaN(engine.compute(l.allIgnored(AllIgnoredPolicy.NAN), z, y).value()));
        assertTrue(Double.isNaN(engine.compute(l.allIgnored(AllIgnoredPolicy.NAN), z, y).zLoss()));
        assertThrows(InvalidInputException.class, () -> engine.compute(l.allIgnored(AllIgnoredPolicy.ERROR), z, y));
        // with a normaliser the mean is never 0/0: 0 and a zero gradient, whatever the policy
        LossResult g = engine.compute(l.allIgnored(AllIgnoredPolicy.ERROR).normalizer(5), z, y);
        assertEquals(0.0, g.value());
        assertArrayEquals(new float[4], g.gradient().toFloatArray());
    }

    /**
     * k micro-batches with normalizer = the global count give the whole batch's gradient and value;
     * the per-call MEAN (averaged over the micro-batches, as naive accumulation does) does not when
     * the micro-batches have uneven numbers of ignored rows.
     */
    @Test
    void gradientAccumulationWithAGlobalNormalizerEqualsTheWholeBatch() {
        int n = 12;
        RandomTensors r = new RandomTensors(5);
        float[] z = r.normal(1.5, n, C).floatArrayOrNull();
        int[] y = {1, -100, -100, -100, 4, 2, 0, 6, 3, 5, -100, 1};
        int[][] batches = {{0, 4}, {4, 8}, {8, 12}};
        SoftmaxCrossEntropy ce = Losses.softmaxCrossEntropy().zLoss(1e-3).softcap(5);
        LossResult whole = engine.compute(ce, Tensor.of(z, n, C), Tensor.ofInts(y));

        double global = 0;
        for (int[] b : batches) {
            global += engine.evaluate(ce, slice(z, b), slice(y, b)).denominator();
        }
        assertEquals(whole.denominator(), global);
        float[] accumulated = new float[n * C];
        float[] naive = new float[n * C];
        double value = 0;
        for (int[] b : batches) {
            LossResult part = engine.compute(ce.normalizer(global), slice(z, b), slice(y, b));
            LossResult own = engine.compute(ce, slice(z, b), slice(y, b));
            value += part.value();
            for (int i = 0; i < (b[1] - b[0]) * C; i++) {
                accumulated[b[0] * C + i] = part.gradient().getFloat(i);
                naive[b[0] * C + i] = own.gradient().getFloat(i) / batches.length;
            }
        }
        assertEquals(whole.value(), value, 1e-6 * Math.abs(whole.value()));
        float[] expected = whole.gradient().toFloatArray();
        assertArrayEquals(expected, accumulated, 1e-7f);
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - naive[i]));
        }
        assertTrue(maxDiff > 1e-2, "the per-call mean weights the micro-batches unevenly: max diff " + maxDiff);
    }

    static Tensor slice(float[] z, int[] b) {
        float[] out = new float[(b[1] - b[0]) * C];
        System.arraycopy(z, b[0] * C, out, 0, out.length);
        return Tensor.of(out, b[1] - b[0], C);
    }

    static Tensor slice(int[] y, int[] b) {
        int[] out = new int[b[1] - b[0]];
        System.arraycopy(y, b[0], out, 0, out.length);
        return Tensor.ofInts(out);
    }

    @Test
    void theReferenceAndTheFusedPathAgree() {
        RandomTensors r = new RandomTensors(3);
        Tensor z = r.normal(3.0, 9, 5000);
        Tensor y = r.indices(9, 5000);
        SoftmaxCrossEntropy l = Losses.softmaxCrossEntropy().zLoss(1e-2).softcap(4).labelSmoothing(0.1);
        LossResult fused = engine.compute(l, z, y);
        LossResult ref = new SoftmaxCrossEntropyCpu().compute(l, new Tensor[] {z, y}, new Tensor[] {Tensor.zeros(9, 5000), null});
        assertEquals(ref.value(), fused.value(), 1e-5 * Math.abs(ref.value()));
        assertEquals(ref.zLoss(), fused.zLoss(), 1e-5 * Math.abs(ref.zLoss()));
        assertArrayEquals(ref.logSumExp().toFloatArray(), fused.logSumExp().toFloatArray(), 1e-5f);
        float[] a = ref.gradient().toFloatArray();
        float[] b = fused.gradient().toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * Math.abs(a[i]) + 1e-9, "gradient " + i);
        }
    }
}
