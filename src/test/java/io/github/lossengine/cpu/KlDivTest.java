package io.github.lossengine.cpu;

import static io.github.lossengine.testing.RefusalCheck.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.KlDiv;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kullback-Leibler divergence: reference, finite differences, batchmean versus mean, zero targets, refusals. */
class KlDivTest extends CpuEngineFixture {
    @Test
    void batchmeanIsTheKlDivergenceAndMeanIsNot() {
        // KL(P || Q) with P = (1/2, 1/2), Q = (1/4, 3/4): (1/2) ln 2 + (1/2) ln(2/3), per row; two identical rows
        float lq0 = (float) Math.log(0.25);
        float lq1 = (float) Math.log(0.75);
        Tensor x = Tensor.of(new float[] {lq0, lq1, lq0, lq1}, 2, 2);
        Tensor t = Tensor.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 2, 2);
        double kl = 0.5 * Math.log(2) + 0.5 * Math.log(2.0 / 3);
        assertEquals(kl, engine.evaluate(Losses.klDiv().reduction(Reduction.BATCHMEAN), x, t).value(), 1e-7);
        assertEquals(kl / 2, engine.evaluate(Losses.klDiv(), x, t).value(), 1e-7);
        assertEquals(2 * kl, engine.evaluate(Losses.klDiv().reduction(Reduction.SUM), x, t).value(), 1e-7);
        // the same with log targets
        Tensor logT = Tensor.of(new float[] {(float) Math.log(0.5), (float) Math.log(0.5), (float) Math.log(0.5),
            (float) Math.log(0.5)}, 2, 2);
        assertEquals(kl, engine.evaluate(Losses.klDiv().logTarget(true).reduction(Reduction.BATCHMEAN), x, logT).value(), 1e-7);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesReferenceAndFiniteDifferences(boolean logTarget) {
        RandomTensors rnd = new RandomTensors(71);
        Tensor x = rnd.uniform(-4, 0, 3, 5);
        Tensor t = logTarget ? rnd.uniform(-5, 0.5, 3, 5) : rnd.uniform(0.01, 1, 3, 5);
        if (!logTarget) {
            t.floatArrayOrNull()[3] = 0f;
        }
        for (Reduction r : Reduction.values()) {
            KlDiv loss = Losses.klDiv().logTarget(logTarget).reduction(r);
            GradientCheck.check(engine, loss, GradientCheck.elementwise(r, 3, (xi, ti) -> {
                double p = logTarget ? Math.exp(ti) : ti;
                double logP = logTarget ? ti : Math.log(ti);
                return p == 0 ? 0 : p * (logP - xi);
            }), x, t);
        }
    }

    @Test
    void zeroTargetsMakeMaskedInputsHarmless() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {ninf, (float) Math.log(0.5), (float) Math.log(0.5)}, 1, 3);
        LossResult r = engine.compute(Losses.klDiv().reduction(Reduction.SUM), x, Tensor.of(new float[] {0f, 0.5f, 0.5f}, 1, 3));
        assertEquals(0.0, r.value(), 1e-7);
        assertArrayEquals(new float[] {0f, -0.5f, -0.5f}, r.gradient().toFloatArray());
        LossResult logs = engine.compute(Losses.klDiv().logTarget(true).reduction(Reduction.SUM), x,
                Tensor.of(new float[] {ninf, (float) Math.log(0.5), (float) Math.log(0.5)}, 1, 3));
        assertEquals(0.0, logs.value(), 1e-7);
        assertEquals(0f, logs.gradient().getFloat(0));
        // a masked input under positive target mass is an infinite divergence
        assertEquals(Double.POSITIVE_INFINITY, engine.evaluate(Losses.klDiv(), x, Tensor.of(new float[] {0.2f, 0.4f, 0.4f}, 1, 3)).value());
    }

    @Test
    void badInputsAreRefused() {
        Tensor x = Tensor.of(new float[] {-1f, -2f, -0.5f, -3f}, 2, 2);
        assertRefused(engine, Losses.klDiv(), new Tensor[] {x, Tensor.of(new float[] {0.5f, 0.5f, -0.25f, 1.25f}, 2, 2)},
                "target", "target[1, 0] = -0.25", ">= 0");
        assertRefused(engine, Losses.klDiv(), new Tensor[] {x, Tensor.of(new float[] {0.5f, Float.NaN, 0.25f, 0.75f}, 2, 2)},
                "target", "target[0, 1] = NaN");
        assertRefused(engine, Losses.klDiv(), new Tensor[] {x, Tensor.of(new float[] {0.5f, 0.5f}, 2)}, "target", "shape");
        assertRefused(engine, Losses.klDiv().reduction(Reduction.BATCHMEAN), new Tensor[] {Tensor.of(new float[0], 0, 2),
            Tensor.of(new float[0], 0, 2)}, "input", "empty");
        // log targets may be negative
        assertEquals(4, engine.compute(Losses.klDiv().logTarget(true), x, Tensor.of(new float[] {-1f, -1f, -2f, -2f}, 2, 2))
                .gradient().size());
    }
}
