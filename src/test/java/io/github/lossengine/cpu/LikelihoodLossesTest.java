package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.GaussianNll;
import io.github.lossengine.loss.PoissonNll;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import io.github.lossengine.testing.RefusalCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Poisson and Gaussian negative log-likelihoods: hand values, every option path, refusals. */
class LikelihoodLossesTest extends CpuEngineFixture {
    private static final Reduction[] REDUCTIONS = {Reduction.MEAN, Reduction.SUM, Reduction.NONE};
    // ---------------------------------------------------------------- Poisson

    @Test
    void poissonHandValues() {
        PoissonNll none = Losses.poissonNll().reduction(Reduction.NONE);
        // log-rate 0 (rate 1), count 5: exp(0) - 5 * 0 = 1, gradient 1 - 5; log-rate 1, count 0: e, gradient e
        LossResult r = engine.compute(none, t(0, 1), t(5, 0));
        assertEquals(1.0, r.values().getFloat(0), 0.0);
        assertEquals(Math.E, r.values().getFloat(1), 1e-6);
        assertEquals(-4f, r.gradient().getFloat(0));
        assertEquals(Math.E, r.gradient().getFloat(1), 1e-6);
        // full adds log(3!) ~ 3 log 3 - 3 + log(2 pi 3) / 2 for count 3; nothing for count 1 (y > 1 only)
        LossResult f = engine.compute(none.full(true), t(0, 0), t(3, 1));
        assertEquals(1 + 3 * Math.log(3) - 3 + 0.5 * Math.log(6 * Math.PI), f.values().getFloat(0), 1e-6);
        assertEquals(1.0, f.values().getFloat(1), 0.0);
        assertEquals(-2f, f.gradient().getFloat(0));
        // rate input: rate 2, count 4: 2 - 4 log 2, gradient 1 - 4 / 2
        LossResult p = engine.compute(none.logInput(false).eps(0), t(2), t(4));
        assertEquals(2 - 4 * Math.log(2), p.values().getFloat(0), 1e-6);
        assertEquals(-1f, p.gradient().getFloat(0));
    }

    @Test
    void poissonZeroRateZeroCountIsFinite() {
        // PyTorch computes 0 - 0 * log(0) = NaN here; we take 0 log 0 = 0 (the limit), so a zero rate costs
        // nothing where nothing was counted, and is infinitely unlikely where something was.
        LossResult r = engine.compute(Losses.poissonNll().logInput(false).eps(0).reduction(Reduction.NONE), t(0, 0), t(0, 2));
        assertEquals(0.0, r.values().getFloat(0), 0.0);
        assertEquals(1f, r.gradient().getFloat(0));
        assertEquals(Float.POSITIVE_INFINITY, r.values().getFloat(1));
        assertEquals(Float.NEGATIVE_INFINITY, r.gradient().getFloat(1));
    }

    static Stream<PoissonNll> poissonOptions() {
        List<PoissonNll> all = new ArrayList<>();
        for (boolean logInput : new boolean[] {true, false}) {
            for (boolean full : new boolean[] {false, true}) {
                for (double eps : new double[] {1e-8, 0.5}) {
                    for (Reduction r : REDUCTIONS) {
                        all.add(new PoissonNll(r, logInput, full, eps));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("poissonOptions")
    void poissonMatchesReferenceAndFiniteDifferences(PoissonNll loss) {
        RandomTensors rnd = new RandomTensors(23);
        Tensor x = loss.logInput() ? rnd.uniform(-2, 2, 4, 5) : rnd.uniform(0.05, 4, 4, 5);
        float[] counts = new float[20];
        for (int i = 0; i < counts.length; i++) {
            // whole counts 0..7, and every fourth a fraction (a rate as target), to cross y = 1 both ways
            counts[i] = rnd.nextInt(8) + (i % 4 == 0 ? 0.5f : 0f);
        }
        Tensor y = Tensor.of(counts, 4, 5);
        GradientCheck.PerElement terms = in -> {
            double[] out = new double[in[0].length];
            for (int i = 0; i < out.length; i++) {
                double xi = in[0][i];
                double yi = in[1][i];
                double l = loss.logInput() ? Math.exp(xi) - yi * xi : xi - yi * Math.log(xi + loss.eps());
                if (loss.full() && yi > 1) {
                    l += yi * Math.log(yi) - yi + 0.5 * Math.log(2 * Math.PI * yi);
                }
                out[i] = l;
            }
            return out;
        };
        GradientCheck.check(engine, loss, GradientCheck.reduced(loss.reduction(), -1, 4, terms), x, y);
    }

    @Test
    void poissonRefusals() {
        PoissonNll loss = Losses.poissonNll();
        Tensor x = Tensor.of(new float[] {-1, 0, 1, 2, 3, 4}, 2, 3);
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.of(new float[] {0, 1, -1, 0, 0, 0}, 2, 3)},
                "target", "target[0, 2] = -1", ">= 0");
        RefusalCheck.assertRefused(engine, loss.full(true),
                new Tensor[] {x, Tensor.of(new float[] {0, 1, 1, 0, Float.NaN, 0}, 2, 3)}, "target", "target[1, 1] = NaN");
        Tensor ok = Tensor.of(new float[] {0, 1, 2, 0, 1, 2}, 2, 3);
        // log-rates may be negative; rates may not
        assertDoesNotThrow(() -> engine.compute(loss, x, ok));
        RefusalCheck.assertRefused(engine, loss.logInput(false), new Tensor[] {x, ok}, "input", "input[0, 0] = -1", "logInput");
        RefusalCheck.assertRefused(engine, loss.logInput(false).eps(2),
                new Tensor[] {t(1, -0.5f), t(1, 1)}, "input", "input[1] = -0.5");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, t(1, 2, 3)}, "target", "[3]", "[2, 3]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.ofInts(new int[6], 2, 3)}, "target", "float32", "INT32");
    }

    // ---------------------------------------------------------------- Gaussian

    @Test
    void gaussianHandValues() {
        // mu 1, y 0, var 2: (log 2 + 1 / 2) / 2; gradients (mu - y) / v = 0.5, -0.5, (1 / v - d^2 / v^2) / 2 = 0.125
        LossResult r = engine.compute(Losses.gaussianNll().reduction(Reduction.SUM), t(1), t(0), t(2));
        assertEquals(0.5 * (Math.log(2) + 0.5), r.value(), 1e-12);
        assertEquals(0.5f, r.gradient(0).getFloat(0));
        assertEquals(-0.5f, r.gradient(1).getFloat(0));
        assertEquals(0.125f, r.gradient(2).getFloat(0));
        double full = engine.evaluate(Losses.gaussianNll().full(true), t(1), t(0), t(2)).value();
        assertEquals(0.5 * (Math.log(2) + 0.5) + 0.5 * Math.log(2 * Math.PI), full, 1e-12);
    }

    @Test
    void gaussianClampPassesTheGradient() {
        // var 0.1 below eps 0.5 is used as 0.5; PyTorch clamps in place under no_grad, so autograd sees no clamp
        // and differentiates as if var were 0.5: d/dv = (1 / 0.5 - 1 / 0.25) / 2 = -1 (not 0), d/dmu = 1 / 0.5.
        LossResult r = engine.compute(Losses.gaussianNll().eps(0.5).reduction(Reduction.SUM), t(1, 1), t(0, 0), t(0.1f, 0));
        assertEquals(2 * 0.5 * (Math.log(0.5) + 2), r.value(), 1e-12);
        assertArrayEquals(new float[] {2, 2}, r.gradient(0).toFloatArray(), 0f);
        assertArrayEquals(new float[] {-1, -1}, r.gradient(2).toFloatArray(), 0f);
    }

    @Test
    void gaussianNanVariancePropagates() {
        LossResult r = engine.compute(Losses.gaussianNll().reduction(Reduction.NONE), t(1, 1), t(0, 0), t(Float.NaN, 1));
        assertTrue(Float.isNaN(r.values().getFloat(0)));
        assertTrue(Float.isNaN(r.gradient(2).getFloat(0)));
        assertEquals(0.5, r.values().getFloat(1), 1e-7);
    }

    /** Input shape and an accepted variance shape. */
    static Stream<Arguments> gaussianOptions() {
        long[][][] layouts = {
                {{4, 3}, {4, 3}},
                {{4, 3}, {4}},
                {{4, 3}, {4, 1}},
                {{2, 3, 4}, {2, 3}},
                {{2, 3, 4}, {2, 3, 1}},
                {{2, 3, 4}, {2, 3, 4}},
                {{5}, {1}},
                {{4, 1}, {4}},
        };
        List<Arguments> all = new ArrayList<>();
        for (long[][] layout : layouts) {
            for (boolean full : new boolean[] {false, true}) {
                for (double eps : new double[] {1e-6, 0.25}) {
                    for (Reduction r : REDUCTIONS) {
                        all.add(Arguments.of(new GaussianNll(r, full, eps), layout[0], layout[1]));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("gaussianOptions")
    void gaussianMatchesReferenceAndFiniteDifferences(GaussianNll loss, long[] shape, long[] varShape) {
        RandomTensors rnd = new RandomTensors(29);
        Tensor mu = rnd.normal(1.5, shape);
        Tensor y = rnd.normal(1.5, shape);
        // variances stay clear of eps, where the clamp puts a kink in the reference
        Tensor var = rnd.uniform(loss.eps() + 0.05, 2.5, varShape);
        long n = mu.size();
        long perVar = n / var.size();
        GradientCheck.PerElement terms = in -> {
            double[] out = new double[(int) n];
            for (int i = 0; i < n; i++) {
                double v = Math.max(in[2][(int) (i / perVar)], loss.eps());
                double d = in[0][i] - in[1][i];
                out[i] = 0.5 * (Math.log(v) + d * d / v) + (loss.full() ? 0.5 * Math.log(2 * Math.PI) : 0);
            }
            return out;
        };
        GradientCheck.check(engine, loss, GradientCheck.reduced(loss.reduction(), n, shape[0], terms), mu, y, var);
    }

    @Test
    void gaussianNoneKeepsTheInputShape() {
        LossResult r = engine.compute(Losses.gaussianNll().reduction(Reduction.NONE),
                Tensor.of(new float[6], 2, 3), Tensor.of(new float[6], 2, 3), Tensor.of(new float[] {1, 1}, 2));
        assertArrayEquals(new long[] {2, 3}, r.values().shape());
        assertArrayEquals(new long[] {2}, r.gradient(2).shape());
    }

    @Test
    void gaussianRefusals() {
        GaussianNll loss = Losses.gaussianNll();
        Tensor mu = Tensor.of(new float[12], 4, 3);
        Tensor y = Tensor.of(new float[12], 4, 3);
        float[] neg = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        neg[4] = -0.5f;
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, Tensor.of(neg, 4, 3)},
                "var", "var[1, 1] = -0.5", ">= 0");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, t(1, 1, -2, 1)}, "var", "var[2] = -2");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, Tensor.of(new float[8], 4, 2)},
                "var", "[4, 2]", "[4, 3]", "[4, 1]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, t(1, 1, 1)}, "var", "[3]", "[4]");
        // one variance per column: newer PyTorch broadcasts it (pytorch#147522); we accept per-element and per-row only
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, Tensor.of(new float[] {1, 1, 1}, 1, 3)},
                "var", "[1, 3]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, Tensor.of(new float[12], 3, 4), Tensor.of(new float[12], 4, 3)},
                "target", "[3, 4]", "[4, 3]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {mu, y, Tensor.ofInts(new int[] {1, 1, 1, 1})},
                "var", "float32", "INT32");
        Tensor e = Tensor.of(new float[0], 0, 3);
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {e, Tensor.of(new float[0], 0, 3), Tensor.of(new float[0], 0)},
                "input", "empty");
    }

    @Test
    void gaussianZeroVarianceIsClampedNotRefused() {
        LossResult r = engine.compute(Losses.gaussianNll().reduction(Reduction.SUM), t(0), t(0), t(0));
        assertEquals(0.5 * Math.log(1e-6), r.value(), 1e-9);
        assertEquals(0.5 / 1e-6, r.gradient(2).getFloat(0), 1e-2);
    }
}
