package io.github.lossengine.property;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.ValidInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Properties every loss of the catalogue keeps, over random shapes and values. */
class LossPropertiesTest {
    private static LossEngine engine;

    @BeforeContainer
    static void open() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterContainer
    static void close() {
        engine.close();
    }

    @Provide
    Arbitrary<String> lossNames() {
        return Arbitraries.of(Losses.names().toArray(new String[0]));
    }

    @Property(tries = 200)
    void finiteNonNegativeDeterministicAndReductionsAgree(@ForAll("lossNames") String name,
                                                          @ForAll @IntRange(min = 1, max = 9) int n,
                                                          @ForAll @IntRange(min = 1, max = 12) int c,
                                                          @ForAll long seed) {
        Tensor[] in = ValidInputs.of(name, n, c, 3.0, seed);
        Loss loss = Losses.byName(name);
        LossResult none = engine.compute(loss.reduction(Reduction.NONE), in);
        LossResult sum = engine.compute(loss.reduction(Reduction.SUM), in);
        LossResult mean = engine.compute(loss, in);
        LossResult again = engine.compute(loss, in);

        double total = 0;
        double magnitude = 0;
        for (long i = 0; i < none.values().size(); i++) {
            float v = none.values().getFloat(i);
            assertTrue(Float.isFinite(v), name + ": per-element loss " + v + " at " + i);
            if (ValidInputs.NON_NEGATIVE.contains(name)) {
                assertTrue(v >= 0, name + ": negative loss " + v + " at " + i);
            }
            total += v;
            magnitude += Math.abs(v);
        }
        assertTrue(Double.isFinite(sum.value()));
        assertEquals(total, sum.value(), 1e-6 * (magnitude + 1), name + ": NONE summed vs SUM");
        long count = ValidInputs.ROW_LOSSES.contains(name) ? n : none.values().size();
        assertEquals(sum.value() / count, mean.value(), 1e-6 * (Math.abs(mean.value()) + 1e-6), name + ": MEAN vs SUM / count");

        assertEquals(Double.doubleToLongBits(mean.value()), Double.doubleToLongBits(again.value()), name + ": not deterministic");
        for (int k = 0; k < in.length; k++) {
            if (!loss.differentiable(k)) {
                continue;
            }
            float[] gNone = none.gradient(k).toFloatArray();
            float[] gSum = sum.gradient(k).toFloatArray();
            float[] gMean = mean.gradient(k).toFloatArray();
            assertArrayEquals(gNone, gSum, name + ": NONE gradient is that of the sum");
            assertArrayEquals(gMean, again.gradient(k).toFloatArray(), name + ": gradient not deterministic");
            for (int i = 0; i < gSum.length; i++) {
                assertTrue(Float.isFinite(gSum[i]), name + ": gradient " + gSum[i]);
                assertEquals(gSum[i] / count, gMean[i], 1e-6 * Math.abs(gSum[i] / count) + 1e-30, name + ": MEAN gradient");
            }
        }
    }

    @Property(tries = 150)
    void crossEntropyRowsSumToZeroAndIgnoreShifts(@ForAll @IntRange(min = 1, max = 8) int n,
                                                  @ForAll @IntRange(min = 1, max = 40) int c,
                                                  @ForAll("scales") double scale,
                                                  @ForAll("shifts") float shift,
                                                  @ForAll long seed) {
        Tensor[] in = ValidInputs.of("softmax_cross_entropy", n, c, scale, seed);
        Loss ce = Losses.softmaxCrossEntropy().reduction(Reduction.NONE);
        LossResult r = engine.compute(ce, in);
        float[] z = in[0].toFloatArray();
        float[] shifted = z.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += shift;
        }
        LossResult s = engine.compute(ce, Tensor.of(shifted, n, c), in[1]);
        float[] g = r.gradient().toFloatArray();
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double rowAbs = 0;
            for (int j = 0; j < c; j++) {
                rowSum += g[i * c + j];
                rowAbs += Math.abs(g[i * c + j]);
            }
            assertEquals(0, rowSum, 1e-6 * (rowAbs + 1), "row " + i + " of the CE gradient sums to 0");
            float l = r.values().getFloat(i);
            assertTrue(Float.isFinite(l) && l >= 0, "finite, non-negative loss " + l);
            // adding a constant changes the logits' float rounding only: compare at the precision of the logits
            double ulps = Math.ulp((float) (Math.abs(shift) + scale * 8));
            assertEquals(l, s.values().getFloat(i), 4 * ulps + 1e-6 * l, "row " + i + " is shift-invariant");
        }
    }

    @Property(tries = 100)
    void maskedLogitsGiveFiniteLossAndZeroGradient(@ForAll @IntRange(min = 1, max = 6) int n,
                                                   @ForAll @IntRange(min = 2, max = 30) int c,
                                                   @ForAll("smoothings") double eps,
                                                   @ForAll long seed) {
        Tensor[] in = ValidInputs.of("softmax_cross_entropy", n, c, 5.0, seed);
        float[] z = in[0].toFloatArray();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        boolean[] masked = new boolean[z.length];
        for (int i = 0; i < n; i++) {
            long target = in[1].getLong(i);
            for (int j = 0; j < c; j++) {
                if (j != target && rnd.nextInt(3) == 0) {
                    z[i * c + j] = Float.NEGATIVE_INFINITY;
                    masked[i * c + j] = true;
                }
            }
        }
        LossResult r = engine.compute(Losses.softmaxCrossEntropy().labelSmoothing(eps), Tensor.of(z, n, c), in[1]);
        assertTrue(Double.isFinite(r.value()) && r.value() >= 0, "loss " + r.value());
        float[] g = r.gradient().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertTrue(Float.isFinite(g[i]));
            if (masked[i]) {
                assertEquals(0f, Math.abs(g[i]), "gradient at a masked logit is exactly 0");
            }
        }
    }

    @Provide
    Arbitrary<Double> scales() {
        return Arbitraries.of(0.1, 1.0, 10.0, 1e4);
    }

    @Provide
    Arbitrary<Float> shifts() {
        return Arbitraries.of(-1e4f, -3.5f, 0f, 2.25f, 1e4f);
    }

    @Provide
    Arbitrary<Double> smoothings() {
        return Arbitraries.of(0.0, 0.1, 0.5);
    }
}
