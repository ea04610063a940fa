package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import io.github.lossengine.loss.MulticlassHinge.Variant;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import io.github.lossengine.testing.RefusalCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Multi-class hinge, both variants: seed example, CS231n example, kinks, references, bad input. */
class MulticlassHingeTest extends CpuEngineFixture {
    private static final int N = 6;
    private static final int C = 4;
    private static LossResult run(MulticlassHinge loss, float[] scores, int... target) {
        return engine.compute(loss, Tensor.of(scores, target.length, scores.length / target.length), Tensor.ofInts(target));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void seedScoresMeetTheMarginSoCostNothing(Variant variant) {
        // Seeds 000/001: scores [10, 8, 8] and [10, -10, -10] with the first class correct: the correct score
        // beats the others by more than the margin (1), so the multi-class hinge is 0 for both rows.
        LossResult r = run(Losses.multiclassHinge().variant(variant).reduction(Reduction.NONE),
                new float[] {10, 8, 8, 10, -10, -10}, 0, 0);
        assertEquals(0.0, r.values().getFloat(0), 0.0);
        assertEquals(0.0, r.values().getFloat(1), 0.0);
        for (int i = 0; i < 6; i++) {
            assertEquals(0.0, r.gradient().getFloat(i), 0.0);
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void seed002HingeCannotTellTenNineNineFromTenMinusTen(Variant variant) {
        // Seed 002 (002_e81d6a4a1fca4c8d.txt, "Hinge Loss vs Cross-Entropy Loss"): "the cross-entropy loss would
        // invoke a much higher loss if our (un-normalized) scores were [10, 9, 9] versus [10, -10, -10], while the
        // hinge loss (with a margin of 1) would not differentiate between the 2 different scores."
        // The first class is the correct one. For [10, 9, 9] the margin is met exactly: z_j = 1 - 10 + 9 = 0.
        Tensor scores = Tensor.of(new float[] {10, 9, 9, 10, -10, -10}, 2, 3);
        Tensor target = Tensor.ofInts(new int[] {0, 0});
        LossResult hinge = engine.compute(Losses.multiclassHinge().variant(variant).margin(1).reduction(Reduction.NONE),
                scores, target);
        assertEquals(0.0f, hinge.values().getFloat(0), variant + ": [10, 9, 9] costs nothing");
        assertEquals(0.0f, hinge.values().getFloat(1), variant + ": [10, -10, -10] costs nothing");
        // not differentiated in the gradient either: z = 0 is not a violation (PyTorch counts z > 0)
        assertArrayEquals(new float[6], hinge.gradient().toFloatArray(), 0f, variant + ": gradient");

        LossResult ce = engine.compute(Losses.softmaxCrossEntropy().reduction(Reduction.NONE), scores, target);
        double close = ce.values().getFloat(0);
        double far = ce.values().getFloat(1);
        // CE = log(1 + sum_{j>0} e^(s_j - s_0)): log(1 + 2/e) ~ 0.551 against log(1 + 2 e^-20) ~ 4.1e-9
        assertEquals(Math.log1p(2 * Math.exp(-1)), close, 1e-6);
        assertEquals(Math.log1p(2 * Math.exp(-20)), far, 1e-6 * far);
        assertTrue(close > 1e6 * far, "cross-entropy is much higher for [10, 9, 9]: " + close + " vs " + far);
    }

    @Test
    void westonWatkinsIsCs231nDividedByC() {
        // PyTorch's multi_margin_loss divides the Weston-Watkins sum by C; CS231n's SVM loss does not.
        // CS231n's example: scores [3.2, 5.1, -1.7], true class 0, margin 1:
        // max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0 = 2.9.
        float[] scores = {3.2f, 5.1f, -1.7f};
        double ww = run(Losses.multiclassHinge(), scores, 0).value();
        assertEquals(2.9, ww * 3, 1e-5);
        // Crammer-Singer keeps only the largest violation, 2.9, undivided
        assertEquals(2.9, run(Losses.multiclassHinge().variant(Variant.CRAMMER_SINGER), scores, 0).value(), 1e-5);
        // squared: 2.9^2 / 3
        assertEquals(2.9 * 2.9 / 3, run(Losses.multiclassHinge().p(2), scores, 0).value(), 1e-5);
    }

    @Test
    void marginExactlyMetContributesNoGradient() {
        // z_1 = 1 - 2 + 1 = 0 exactly: PyTorch counts z > 0 only, so class 1 is inactive
        LossResult r = run(Losses.multiclassHinge().reduction(Reduction.SUM), new float[] {2, 1, 2.5f}, 0);
        // z_2 = 1.5 is active: loss 1.5 / 3, gradient +1/3 at class 2 and -1/3 at the true class
        assertEquals(0.5, r.value(), 1e-12);
        assertEquals(-1.0 / 3, r.gradient().getFloat(0), 1e-7);
        assertEquals(0.0, r.gradient().getFloat(1), 0.0);
        assertEquals(1.0 / 3, r.gradient().getFloat(2), 1e-7);
        for (Variant v : Variant.values()) {
            LossResult k = run(Losses.multiclassHinge().variant(v).p(2), new float[] {2, 1, 0.5f}, 0);
            assertEquals(0.0, k.value(), 0.0);
            assertArrayEquals(new float[3], k.gradient().toFloatArray(), 0f);
        }
    }

    @Test
    void crammerSingerTiesGoToTheLowestClass() {
        LossResult r = run(Losses.multiclassHinge().variant(Variant.CRAMMER_SINGER).reduction(Reduction.SUM),
                new float[] {0, 1, 1}, 0);
        assertEquals(2.0, r.value(), 0.0);
        assertArrayEquals(new float[] {-1, 1, 0}, r.gradient().toFloatArray(), 0f);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void oneClassCostsNothing(Variant variant) {
        LossResult r = run(Losses.multiclassHinge().variant(variant), new float[] {5, -3}, 0, 0);
        assertEquals(0.0, r.value(), 0.0);
        assertArrayEquals(new float[2], r.gradient().toFloatArray(), 0f);
    }

    @Test
    void nanScorePropagates() {
        for (Variant v : Variant.values()) {
            LossResult r = run(Losses.multiclassHinge().variant(v).reduction(Reduction.NONE),
                    new float[] {Float.NaN, 0, 0, 5, 0, 0}, 0, 0);
            assertTrue(Float.isNaN(r.values().getFloat(0)), v.name());
            assertTrue(Float.isNaN(r.gradient().getFloat(0)), v.name());
            assertEquals(0.0, r.values().getFloat(1), 0.0);
        }
    }

    @Test
    void meanDividesByRowsNotByWeightsAndLongIndicesAgree() {
        float[] scores = {0, 1, 2, 3, 1, 0};
        MulticlassHinge weighted = Losses.multiclassHinge().classWeights(new float[] {2, 1, 5});
        double sum = run(weighted.reduction(Reduction.SUM), scores, 0, 2).value();
        // row 0: w_0 (2 + 3) / 3 = 10/3; row 1: w_2 (max(0, 1 - 0 + 3) + max(0, 1 - 0 + 1)) / 3 = 5 * 6 / 3 = 10
        assertEquals(10.0 / 3 + 10, sum, 1e-12);
        assertEquals(sum / 2, run(weighted, scores, 0, 2).value(), 1e-12);
        LossResult ints = run(weighted, scores, 0, 2);
        LossResult longs = engine.compute(weighted, Tensor.of(scores, 2, 3), Tensor.ofLongs(new long[] {0, 2}));
        assertEquals(ints.value(), longs.value(), 0.0);
        assertArrayEquals(ints.gradient().toFloatArray(), longs.gradient().toFloatArray(), 0f);
    }

    static Stream<MulticlassHinge> options() {
        List<MulticlassHinge> all = new ArrayList<>();
        for (Variant v : Variant.values()) {
            for (int p = 1; p <= 2; p++) {
                for (float[] w : new float[][] {null, {0.5f, 2f, 1f, 3f}}) {
                    for (double margin : new double[] {1.0, 0.7}) {
                        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                            all.add(new MulticlassHinge(r, v, p, margin, w));
                        }
                    }
                }
            }
        }
        return all.stream();
    }

    /** The loss of one row in double precision, written from the definition. */
    private static double referenceRow(MulticlassHinge loss, double[] x, int row, int y) {
        double w = loss.classWeights() == null ? 1.0 : loss.classWeights()[y];
        double total = 0;
        double worst = 0;
        for (int j = 0; j < C; j++) {
            if (j != y) {
                double z = loss.margin() - x[row * C + y] + x[row * C + j];
                double h = Math.pow(Math.max(0, z), loss.p());
                total += h;
                worst = Math.max(worst, h);
            }
        }
        return loss.variant() == Variant.WESTON_WATKINS ? w * total / C : w * worst;
    }

    @ParameterizedTest
    @MethodSource("options")
    void matchesReferenceAndFiniteDifferences(MulticlassHinge loss) {
        RandomTensors rnd = new RandomTensors(5);
        Tensor target = rnd.indices(N, C);
        float[] xs = new float[N * C];
        for (int i = 0; i < N; i++) {
            fillAwayFromKinks(rnd, xs, i, target.getLong(i), loss.margin());
        }
        Tensor x = Tensor.of(xs, N, C);
        GradientCheck.PerElement rows = in -> {
            double[] out = new double[N];
            for (int i = 0; i < N; i++) {
                out[i] = referenceRow(loss, in[0], i, (int) in[1][i]);
            }
            return out;
        };
        GradientCheck.check(engine, loss, GradientCheck.reduced(loss.reduction(), N, N, rows), x, target);
    }

    /** Random scores for one row whose every z_j, and the gap between the two largest, is 1e-2 from 0. */
    private static void fillAwayFromKinks(RandomTensors rnd, float[] xs, int row, long y, double margin) {
        while (true) {
            for (int j = 0; j < C; j++) {
                xs[row * C + j] = (float) (4 * rnd.nextDouble() - 2);
            }
            double[] z = new double[C];
            boolean ok = true;
            for (int j = 0; j < C && ok; j++) {
                z[j] = j == y ? Double.NEGATIVE_INFINITY : margin - xs[(int) (row * C + y)] + xs[row * C + j];
                ok = j == y || Math.abs(z[j]) > 1e-2;
            }
            for (int a = 0; a < C && ok; a++) {
                for (int b = a + 1; b < C && ok; b++) {
                    ok = a == y || b == y || Math.abs(z[a] - z[b]) > 1e-2;
                }
            }
            if (ok) {
                return;
            }
        }
    }

    @Test
    void refusesBadIndicesShapesAndTypes() {
        Tensor x = Tensor.of(new float[6], 2, 3);
        MulticlassHinge loss = Losses.multiclassHinge();
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.ofInts(new int[] {0, 3})},
                "target", "target[1] = 3", "[0, 3)");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.ofLongs(new long[] {-1, 0})},
                "target", "target[0] = -1", "out of range");
        RefusalCheck.assertRefused(engine, loss.variant(Variant.CRAMMER_SINGER),
                new Tensor[] {x, Tensor.ofLongs(new long[] {0, 1L << 40})}, "target", "target[1] = " + (1L << 40));
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.of(new float[] {0, 1})},
                "target", "int32 or int64", "FLOAT32");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.ofInts(new int[] {0, 1, 2})},
                "target", "3 class indices", "2 rows");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {Tensor.of(new float[6]), Tensor.ofInts(new int[] {0, 1})},
                "input", "[N, C]", "[6]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {Tensor.ofInts(new int[6], 2, 3), Tensor.ofInts(new int[] {0, 1})},
                "input", "float32", "INT32");
        RefusalCheck.assertRefused(engine, loss.classWeights(new float[] {1, 1}),
                new Tensor[] {x, Tensor.ofInts(new int[] {0, 1})}, "weight", "2 class weights", "C = 3");
    }

    @Test
    void emptyBatch() {
        Tensor x = Tensor.of(new float[0], 0, 3);
        Tensor t = Tensor.ofInts(new int[0], 0);
        assertEquals(0.0, engine.compute(Losses.multiclassHinge().reduction(Reduction.SUM), x, t).value(), 0.0);
        assertEquals(0, engine.compute(Losses.multiclassHinge().reduction(Reduction.NONE), x, t).values().size());
        RefusalCheck.assertRefused(engine, Losses.multiclassHinge(), new Tensor[] {x, t}, "input", "empty");
    }
}
