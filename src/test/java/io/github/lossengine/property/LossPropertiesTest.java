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
import java.util.SplittableRandom;
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
    private static final float[] SHIFTS = {-1e4f, -3.5f, 0f, 2.25f, 1e4f};
    private static LossEngine engine;

    @BeforeContainer
    static void open() {
        engine = LossEngine.create(Backend.CPU);
    }

    @AfterContainer
    static void close() {
        engine.close();
    }

    /**
     * Every loss of the catalogue in every try (so each gets exactly as many tries as the property),
     * each with options drawn from the seed: see {@link Configured#draw}.
     */
    @Property(tries = 60)
    void finiteNonNegativeDeterministicAndReductionsAgree(@ForAll @IntRange(min = 1, max = 9) int n,
                                                          @ForAll @IntRange(min = 1, max = 12) int c,
                                                          @ForAll long seed) {
        for (String name : Losses.names()) {
            checkReductions(Configured.draw(name, n, c, seed));
        }
    }

    private static void checkReductions(Configured cfg) {
        Loss loss = cfg.loss();
        Tensor[] in = cfg.inputs();
        String name = loss.toString();
        LossResult none = engine.compute(loss.reduction(Reduction.NONE), in);
        LossResult sum = engine.compute(loss.reduction(Reduction.SUM), in);
        LossResult mean = engine.compute(loss, in);
        LossResult again = engine.compute(loss, in);

        double total = 0;
        double magnitude = 0;
        for (long i = 0; i < none.values().size(); i++) {
            float v = none.values().getFloat(i);
            assertTrue(Float.isFinite(v), name + ": per-element loss " + v + " at " + i);
            if (ValidInputs.NON_NEGATIVE.contains(loss.name())) {
                assertTrue(v >= 0, name + ": negative loss " + v + " at " + i);
            }
            total += v;
            magnitude += Math.abs(v);
        }
        assertTrue(Double.isFinite(sum.value()));
        assertEquals(total, sum.value(), 1e-6 * (magnitude + 1), name + ": NONE summed vs SUM");
        double count = cfg.denominator();
        assertEquals(sum.value() / count, mean.value(), 1e-6 * (Math.abs(mean.value()) + 1e-6),
                name + ": " + loss.reduction() + " vs SUM / " + count);

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
            // an entry that is a difference of float32 terms (p_k - q_k with label smoothing or probability
            // targets) carries their rounding, relative to the terms and not to itself: hence the floor, relative
            // to the input's largest entry
            double largest = 0;
            for (float v : gSum) {
                largest = Math.max(largest, Math.abs(v));
            }
            for (int i = 0; i < gSum.length; i++) {
                assertTrue(Float.isFinite(gSum[i]), name + ": gradient " + gSum[i]);
                assertEquals(gSum[i] / count, gMean[i], 1e-6 * (Math.abs(gSum[i]) + largest) / count + 1e-30,
                        name + ": " + loss.reduction() + " gradient at " + i);
            }
        }
    }

    @Property(tries = 40)
    void klDivRowsOfProbabilityTargetsAreNonNegative(@ForAll @IntRange(min = 1, max = 8) int n,
                                                     @ForAll @IntRange(min = 1, max = 20) int c,
                                                     @ForAll("scales") double scale,
                                                     @ForAll boolean logTarget,
                                                     @ForAll long seed) {
        // KL(p || q) = sum_k p_k (log p_k - log q_k) >= 0 per row when both rows are distributions (Gibbs)
        Tensor[] in = ValidInputs.of("kl_div", n, c, scale, seed);
        Tensor target = logTarget ? logOf(in[1]) : in[1];
        LossResult r = engine.evaluate(Losses.klDiv().logTarget(logTarget).reduction(Reduction.NONE), in[0], target);
        for (int i = 0; i < n; i++) {
            double row = 0;
            double abs = 0;
            for (int j = 0; j < c; j++) {
                float v = r.values().getFloat((long) i * c + j);
                assertTrue(Float.isFinite(v), "kl_div element " + v);
                row += v;
                abs += Math.abs(v);
            }
            // the float32 rows sum to 1 only within their rounding: allow that much below 0
            assertTrue(row >= -1e-6 * (abs + 1), "row " + i + " of kl_div sums to " + row);
        }
    }

    private static Tensor logOf(Tensor p) {
        float[] out = p.toFloatArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(out[i]);
        }
        return Tensor.of(out, p.shape());
    }

    @Property(tries = 150)
    void crossEntropyRowsSumToZeroAndIgnoreShifts(@ForAll @IntRange(min = 1, max = 8) int n,
                                                  @ForAll @IntRange(min = 1, max = 40) int c,
                                                  @ForAll("scales") double scale,
                                                  @ForAll long seed) {
        Tensor[] in = ValidInputs.of("softmax_cross_entropy", n, c, scale, seed);
        Loss ce = Losses.softmaxCrossEntropy().reduction(Reduction.NONE);
        LossResult r = engine.compute(ce, in);
        // a separate constant per row, from the same list as before
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] shift = new float[n];
        float[] shifted = in[0].toFloatArray();
        for (int i = 0; i < n; i++) {
            shift[i] = SHIFTS[rnd.nextInt(SHIFTS.length)];
            for (int j = 0; j < c; j++) {
                shifted[i * c + j] += shift[i];
            }
        }
        LossResult s = engine.compute(ce, Tensor.of(shifted, n, c), in[1]);
        float[] g = r.gradient().toFloatArray();
        float[] gs = s.gradient().toFloatArray();
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
            // adding a constant changes the logits' float rounding only: compare at the precision of the logits.
            // Each logit moves by at most half an ulp, so a logit difference by at most one ulp, and
            // p_k = exp(z_k - lse) by a factor within exp(+-2 ulp): |dp_k| <= 2 ulp p_k + float rounding.
            double ulps = Math.ulp((float) (Math.abs(shift[i]) + scale * 8));
            assertEquals(l, s.values().getFloat(i), 4 * ulps + 1e-6 * l, "row " + i + " (shift " + shift[i] + ") is shift-invariant");
            for (int j = 0; j < c; j++) {
                float p = g[i * c + j] + (j == in[1].getLong(i) ? 1 : 0);
                assertEquals(g[i * c + j], gs[i * c + j], 4 * ulps * p + 1e-6,
                        "gradient [" + i + ", " + j + "] (shift " + shift[i] + ") is shift-invariant");
            }
        }
    }

    @Property(tries = 100)
    void maskedLogitsGiveFiniteLossAndZeroGradient(@ForAll @IntRange(min = 1, max = 6) int n,
                                                   @ForAll @IntRange(min = 2, max = 30) int c,
                                                   @ForAll("smoothings") double eps,
                                                   @ForAll long seed) {
        Tensor[] in = ValidInputs.of("softmax_cross_entropy", n, c, 5.0, seed);
        float[] z = in[0].toFloatArray();
        SplittableRandom rnd = new SplittableRandom(seed);
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

    @Property(tries = 100)
    void sigmoidLossesTakeExtremeAndMaskedLogits(@ForAll("sigmoidLosses") String name,
                                                 @ForAll @IntRange(min = 1, max = 6) int n,
                                                 @ForAll @IntRange(min = 1, max = 12) int c,
                                                 @ForAll long seed) {
        // logits of +-1e4 (saturated: right, wrong or soft targets) and masks of -inf with target 0 (the
        // position is certainly negative): the loss is finite everywhere, exactly 0 where the prediction is
        // certain and right (-inf with target 0, +-1e4 with the matching hard target), and so is the gradient.
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n * c];
        float[] y = new float[n * c];
        boolean[] certain = new boolean[n * c];
        for (int i = 0; i < x.length; i++) {
            int kind = rnd.nextInt(5);
            float extreme = rnd.nextBoolean() ? 1e4f : -1e4f;
            if (kind == 0) {
                x[i] = Float.NEGATIVE_INFINITY;
                y[i] = 0;
                certain[i] = true;
            } else if (kind == 1) {
                x[i] = extreme;
                y[i] = extreme > 0 ? 1 : 0;
                certain[i] = true;
            } else if (kind == 2) {
                x[i] = extreme;
                y[i] = rnd.nextInt(3) == 0 ? (float) rnd.nextDouble() : extreme > 0 ? 0 : 1;
            } else {
                x[i] = (float) (6 * rnd.nextDouble() - 3);
                y[i] = (float) rnd.nextDouble();
            }
        }
        Loss loss = name.equals("focal")
                ? Losses.focal().gamma(new double[] {0, 1.5, 2}[rnd.nextInt(3)]).alpha(rnd.nextBoolean() ? 0.25 : -1)
                : Losses.bceWithLogits().posWeight(rnd.nextBoolean() ? null : new float[] {(float) (0.5 + 2 * rnd.nextDouble())});
        LossResult r = engine.compute(loss.reduction(Reduction.NONE), Tensor.of(x, n, c), Tensor.of(y, n, c));
        float[] g = r.gradient().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            float v = r.values().getFloat(i);
            String at = loss + " at logit " + x[i] + ", target " + y[i];
            assertTrue(Float.isFinite(v) && v >= 0, at + ": loss " + v);
            assertTrue(Float.isFinite(g[i]), at + ": gradient " + g[i]);
            if (certain[i]) {
                assertEquals(0f, v, at + ": loss of a certain, right prediction");
                assertEquals(0f, Math.abs(g[i]), at + ": gradient of a certain, right prediction");
            }
        }
        LossResult mean = engine.compute(loss, Tensor.of(x, n, c), Tensor.of(y, n, c));
        assertTrue(Double.isFinite(mean.value()) && mean.value() >= 0, loss + ": mean " + mean.value());
    }

    @Provide
    Arbitrary<String> sigmoidLosses() {
        return Arbitraries.of("bce_with_logits", "focal");
    }

    @Provide
    Arbitrary<Double> scales() {
        return Arbitraries.of(0.1, 1.0, 10.0, 1e4);
    }


    @Provide
    Arbitrary<Double> smoothings() {
        return Arbitraries.of(0.0, 0.1, 0.5);
    }
}
