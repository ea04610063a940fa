package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MarginRanking;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import io.github.lossengine.testing.RefusalCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Margin ranking: hand values, the kink, references with gradients for x1 and x2, bad input. */
class MarginRankingTest extends CpuEngineFixture {
    @Test
    void handValues() {
        // y = 1 asks for x1 > x2: the pair (1, 2) is misordered by 1, the pair (2, 1) is fine
        LossResult r = engine.compute(Losses.marginRanking().reduction(Reduction.NONE), t(1, 2), t(2, 1), t(1, 1));
        assertArrayEquals(new float[] {1, 0}, r.values().toFloatArray(), 0f);
        assertArrayEquals(new float[] {-1, 0}, r.gradient(0).toFloatArray(), 0f);
        assertArrayEquals(new float[] {1, 0}, r.gradient(1).toFloatArray(), 0f);
        assertFalse(r.hasGradient(2), "labels have no gradient");
        // margin 0.5 and y = -1 on the second pair: max(0, (2 - 1) + 0.5) = 1.5
        LossResult m = engine.compute(Losses.marginRanking().margin(0.5).reduction(Reduction.SUM), t(1, 2), t(2, 1), t(1, -1));
        assertEquals(1.5 + 1.5, m.value(), 0.0);
        assertArrayEquals(new float[] {-1, 1}, m.gradient(0).toFloatArray(), 0f);
        assertArrayEquals(new float[] {1, -1}, m.gradient(1).toFloatArray(), 0f);
        assertEquals(1.5, engine.evaluate(Losses.marginRanking().margin(0.5), t(1, 2), t(2, 1), t(1, -1)).value(), 0.0);
    }

    @Test
    void gradientPassesAtTheKink() {
        // -y (x1 - x2) + margin == 0 exactly: loss 0, gradient -y and +y as PyTorch's clamp gives
        LossResult r = engine.compute(Losses.marginRanking().margin(1).reduction(Reduction.SUM), t(2, 0), t(1, 1), t(1, -1));
        assertEquals(0.0, r.value(), 0.0);
        assertArrayEquals(new float[] {-1, 1}, r.gradient(0).toFloatArray(), 0f);
        assertArrayEquals(new float[] {1, -1}, r.gradient(1).toFloatArray(), 0f);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5, -0.3})
    void matchesReferenceAndFiniteDifferences(double margin) {
        RandomTensors rnd = new RandomTensors(17);
        Tensor x1 = rnd.uniform(-2, 2, 5, 3);
        Tensor x2 = rnd.uniform(-2, 2, 5, 3);
        Tensor y = rnd.signs(5, 3);
        float[] a = x1.floatArrayOrNull();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(-y.getFloat(i) * (a[i] - x2.getFloat(i)) + margin) < 1e-2) {
                a[i] += 0.05f;
            }
        }
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            MarginRanking loss = Losses.marginRanking().margin(margin).reduction(r);
            GradientCheck.PerElement terms = in -> {
                double[] out = new double[in[0].length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Math.max(0, -in[2][i] * (in[0][i] - in[1][i]) + margin);
                }
                return out;
            };
            GradientCheck.check(engine, loss, GradientCheck.reduced(r, -1, 5, terms), x1, x2, y);
        }
    }

    @Test
    void refusesBadLabelsShapesAndTypes() {
        MarginRanking loss = Losses.marginRanking();
        Tensor x = t(1, 2, 3, 4);
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, x, t(1, -1, 1, 0)}, "y", "y[3] = 0", "-1 or +1");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, x, t(1, 2, 1, 1)}, "y", "y[1] = 2");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, t(1, 2, 3), t(1, 1, 1, 1)}, "x2", "[3]", "[4]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, x, t(1, 1)}, "y", "[2]", "[4]");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, x, Tensor.ofInts(new int[] {1, 1, 1, 1})},
                "y", "float32", "INT32");
        RefusalCheck.assertRefused(engine, loss, new Tensor[] {Tensor.ofLongs(new long[] {1, 2, 3, 4}), x, t(1, 1, 1, 1)},
                "x1", "float32", "INT64");
    }

    @Test
    void emptyInput() {
        Tensor e = Tensor.of(new float[0]);
        LossResult sum = engine.compute(Losses.marginRanking().reduction(Reduction.SUM), e, e, Tensor.of(new float[0]));
        assertEquals(0.0, sum.value(), 0.0);
        RefusalCheck.assertRefused(engine, Losses.marginRanking(), new Tensor[] {e, Tensor.of(new float[0]), Tensor.of(new float[0])},
                "x1", "empty");
    }
}
