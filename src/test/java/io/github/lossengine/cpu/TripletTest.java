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
import io.github.lossengine.loss.Triplet;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Triplet margin loss: hand examples, swap, ties, a double reference with finite differences, refused inputs. */
class TripletTest extends EmbeddingLossTest {
    private static final int N = 10;
    private static final int D = 4;

    private static void assertGrad(LossResult r, int k, float... expected) {
        assertArrayEquals(expected, r.gradient(k).toFloatArray(), 1e-7f, "gradient " + k);
    }

    @Test
    void threeFourFiveByHand() {
        // a = (0, 0), pos = (3, 4), neg = (0, 2), eps 0: d(a, pos) = 5, d(a, neg) = 2, l = 1 + 5 - 2 = 4
        Triplet t = Losses.triplet().eps(0);
        LossResult r = engine.compute(t, row(0, 0), row(3, 4), row(0, 2));
        assertEquals(4.0, r.value(), 1e-12);
        // d/da = (a - pos)/5 - (a - neg)/2 = (-0.6, -0.8) - (0, -1); d/dpos = (pos - a)/5; d/dneg = (a - neg)/2
        assertGrad(r, 0, -0.6f, 0.2f);
        assertGrad(r, 1, 0.6f, 0.8f);
        assertGrad(r, 2, 0f, -1f);
        // the negative far enough away: 1 + 5 - 10 < 0, loss and gradients 0
        LossResult far = engine.compute(t, row(0, 0), row(3, 4), row(6, 8));
        assertEquals(0.0, far.value(), 0);
        assertGrad(far, 0, 0, 0);
        assertGrad(far, 2, 0, 0);
    }

    @Test
    void clampPassesTheGradientAtZero() {
        // 1 + d(a, pos) - d(a, neg) = 1 + 5 - 6 = 0 exactly: loss 0, gradient as on the active side (clamp_min)
        LossResult r = engine.compute(Losses.triplet().eps(0), row(0, 0), row(3, 4), row(0, 6));
        assertEquals(0.0, r.value(), 0);
        assertGrad(r, 0, -0.6f, 0.2f);
        assertGrad(r, 1, 0.6f, 0.8f);
        assertGrad(r, 2, 0f, -1f);
    }

    @Test
    void swapUsesTheCloserOfAnchorAndPositiveToTheNegative() {
        // a = (0, 0), pos = (3, 4), neg = (3, 2): d(a, neg) = sqrt 13, d(pos, neg) = 2
        Tensor a = row(0, 0);
        Tensor pos = row(3, 4);
        Tensor neg = row(3, 2);
        Triplet t = Losses.triplet().eps(0);
        LossResult plain = engine.compute(t, a, pos, neg);
        assertEquals(1 + 5 - Math.sqrt(13), plain.value(), 1e-12);
        LossResult swapped = engine.compute(t.swap(true), a, pos, neg);
        assertEquals(1 + 5 - 2, swapped.value(), 1e-12);
        // through d(pos, neg): d/da = (a - pos)/5; d/dpos = (pos - a)/5 - (pos - neg)/2; d/dneg = (pos - neg)/2
        assertGrad(swapped, 0, -0.6f, -0.8f);
        assertGrad(swapped, 1, 0.6f, -0.2f);
        assertGrad(swapped, 2, 0f, 1f);
    }

    @Test
    void swapTieSplitsTheGradientAndZeroDistanceHasZeroGradient() {
        // anchor == positive: d(a, pos) = 0 (its gradient is 0), d(a, neg) = d(pos, neg) = 5, margin 6 -> l = 1.
        // PyTorch's minimum sends half the gradient to each of two equal distances.
        LossResult r = engine.compute(Losses.triplet().eps(0).margin(6).swap(true), row(0, 0), row(0, 0), row(3, 4));
        assertEquals(1.0, r.value(), 1e-12);
        assertGrad(r, 0, 0.3f, 0.4f);
        assertGrad(r, 1, 0.3f, 0.4f);
        assertGrad(r, 2, -0.6f, -0.8f);
    }

    @Test
    void manhattanAndCubicNormsByHand() {
        // p = 1: d(a, pos) = |0 - 1| + |0 - 2| = 3, d(a, neg) = |0 - 3| = 3, l = 1; gradient sign(a - pos) - sign(a - neg)
        LossResult l1 = engine.compute(Losses.triplet().eps(0).p(1), row(0, 0), row(1, 2), row(3, 0));
        assertEquals(1.0, l1.value(), 1e-12);
        assertGrad(l1, 0, 0f, -1f);
        assertGrad(l1, 1, 1f, 1f);
        assertGrad(l1, 2, -1f, 0f);
        // p = 3: d(a, pos) = (1 + 8)^(1/3), d(a, neg) = 3
        LossResult l3 = engine.compute(Losses.triplet().eps(0).p(3), row(0, 0), row(1, 2), row(3, 0));
        assertEquals(1 + Math.cbrt(9) - 3, l3.value(), 1e-12);
    }

    @Test
    void defaultEpsIsAddedBeforeTheNorm() {
        // pos = neg, so with no eps the loss would be exactly the margin; eps shifts both differences equally,
        // and d(a, pos) = ||(-3 + 1e-6, -4 + 1e-6)||
        LossResult r = engine.compute(Losses.triplet().margin(0.5), row(0, 0), row(3, 4), row(3, 4));
        assertEquals(0.5, r.value(), 1e-12);
        LossResult q = engine.compute(Losses.triplet(), row(0, 0), row(3, 4), row(0, 0));
        double dAp = Math.hypot(-3 + 1e-6, -4 + 1e-6);
        double dAn = Math.sqrt(2) * 1e-6;
        // the engine's fused float32 path is within 1e-7 here; without eps the value would be 1 + 5 - 0, 1.4e-6 away
        assertEquals(1 + dAp - dAn, q.value(), 1e-7);
    }

    private static double distance(double[] u, double[] v, int i, double p, double eps) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += Math.pow(Math.abs(u[i * D + j] - v[i * D + j] + eps), p);
        }
        return Math.pow(s, 1 / p);
    }

    /** The reference: the per-triplet losses. */
    private static double[] rows(double[][] in, Triplet t) {
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            double dAp = distance(in[0], in[1], i, t.p(), t.eps());
            double dAn = distance(in[0], in[2], i, t.p(), t.eps());
            if (t.swap()) {
                dAn = Math.min(dAn, distance(in[1], in[2], i, t.p(), t.eps()));
            }
            out[i] = Math.max(0, t.margin() + dAp - dAn);
        }
        return out;
    }

    /** Whether any coordinate difference is within 0.01 of 0 (a kink of |.| for p = 1, and rough for p < 2). */
    private static boolean nearZeroCoordinate(double[] u, double[] v, int i, double eps) {
        for (int j = 0; j < D; j++) {
            if (Math.abs(u[i * D + j] - v[i * D + j] + eps) < 0.01) {
                return true;
            }
        }
        return false;
    }

    /**
     * Random triplets away from every kink of {@code t}: the margin boundary, a swap tie, a zero
     * coordinate difference. Rows are redrawn until they are; the negative is shifted by a random
     * offset so that some rows are inactive, or (odd rows) drawn near the positive. Checks that active and inactive rows both occur, and,
     * with swap, rows where the swap changes the distance used.
     */
    private static Tensor[] triplets(RandomTensors rnd, Triplet t) {
        float[][] x = new float[3][N * D];
        int active = 0;
        int swapped = 0;
        for (int i = 0; i < N; i++) {
            while (true) {
                double shift = 8 * rnd.nextDouble();
                for (int j = 0; j < D; j++) {
                    x[0][i * D + j] = (float) (2 * rnd.nextDouble() - 1);
                    x[1][i * D + j] = (float) (2 * rnd.nextDouble() - 1);
                    // odd rows: the negative near the positive, where swap matters
                    x[2][i * D + j] = i % 2 == 1 ? (float) (x[1][i * D + j] + 1.2 * rnd.nextDouble() - 0.6)
                            : (float) (2 * rnd.nextDouble() - 1 + (j == 0 ? shift : 0));
                }
                double[][] d = GradientCheck.toDouble(Tensor.of(x[0]), Tensor.of(x[1]), Tensor.of(x[2]));
                double dAp = distance(d[0], d[1], i, t.p(), t.eps());
                double dAn = distance(d[0], d[2], i, t.p(), t.eps());
                double dPn = distance(d[1], d[2], i, t.p(), t.eps());
                double dNeg = t.swap() ? Math.min(dAn, dPn) : dAn;
                boolean kink = Math.abs(t.margin() + dAp - dNeg) < 0.01
                        || (t.swap() && Math.abs(dAn - dPn) < 0.01)
                        || nearZeroCoordinate(d[0], d[1], i, t.eps()) || nearZeroCoordinate(d[0], d[2], i, t.eps())
                        || nearZeroCoordinate(d[1], d[2], i, t.eps());
                if (!kink) {
                    boolean on = t.margin() + dAp - dNeg > 0;
                    active += on ? 1 : 0;
                    swapped += on && dPn < dAn ? 1 : 0;
                    break;
                }
            }
        }
        assertTrue(active > 0 && active < N, "test data: active and inactive rows (" + active + " active)");
        if (t.swap()) {
            assertTrue(swapped > 0, "test data: an active row where swap picks d(pos, neg)");
        }
        return new Tensor[] {Tensor.of(x[0], N, D), Tensor.of(x[1], N, D), Tensor.of(x[2], N, D)};
    }

    @Test
    void matchesReferenceAndFiniteDifferencesForEveryOption() {
        RandomTensors rnd = new RandomTensors(23);
        for (double p : new double[] {1, 1.5, 2, 3}) {
            for (boolean swap : new boolean[] {false, true}) {
                for (double[] marginEps : new double[][] {{1, 1e-6}, {0.5, 0}, {2, 0.05}}) {
                    Triplet base = Losses.triplet().p(p).swap(swap).margin(marginEps[0]).eps(marginEps[1]);
                    Tensor[] in = triplets(rnd, base);
                    for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                        Triplet t = base.reduction(r);
                        GradientCheck.check(engine, t, GradientCheck.reduced(r, N, N, x -> rows(x, t)), in);
                    }
                }
            }
        }
    }

    @Test
    void nanPropagatesToItsRowOnly() {
        Tensor a = Tensor.of(new float[] {Float.NaN, 0, 0, 0}, 2, 2);
        Tensor pos = Tensor.of(new float[] {3, 4, 3, 4}, 2, 2);
        Tensor neg = Tensor.of(new float[] {0, 2, 0, 2}, 2, 2);
        LossResult r = engine.compute(Losses.triplet().eps(0).reduction(Reduction.NONE), a, pos, neg);
        assertTrue(Float.isNaN(r.values().getFloat(0)));
        assertEquals(4f, r.values().getFloat(1), 1e-6f);
        assertTrue(Float.isNaN(r.gradient(0).getFloat(0)) && Float.isNaN(r.gradient(2).getFloat(1)));
        assertEquals(-0.6f, r.gradient(0).getFloat(2), 1e-7f);
        assertTrue(Double.isNaN(engine.evaluate(Losses.triplet(), a, pos, neg).value()));
    }

    @Test
    void largeNormDegreeDoesNotOverflow() {
        // p = 200 on coordinates near 1e3: |v|^p alone overflows a double, the norm is still about max |v|
        Tensor a = row(1000, -900, 0);
        Tensor pos = row(0, 0, 0);
        Tensor neg = row(0, 0, 5000);
        LossResult r = engine.compute(Losses.triplet().eps(0).p(200).margin(4500), a, pos, neg);
        double dAp = 1000 * Math.pow(1 + Math.pow(0.9, 200), 1.0 / 200);
        double dAn = 5000 * Math.pow(1 + Math.pow(0.2, 200) + Math.pow(0.18, 200), 1.0 / 200);
        assertEquals(4500 + dAp - dAn, r.value(), 1e-9);
        assertTrue(Float.isFinite(r.gradient(0).getFloat(0)));
        assertEquals(1.0, r.gradient(0).getFloat(0), 1e-6);
    }

    @Test
    void reductionsAgreeAndInputsAreUntouched() {
        RandomTensors rnd = new RandomTensors(9);
        assertReductionsAgree(Losses.triplet().swap(true), rnd.normal(1, N, D), rnd.normal(1, N, D), rnd.normal(1, N, D));
    }

    @Test
    void refusesShapeMismatchesAndWrongTypes() {
        Tensor x = Tensor.of(new float[6], 3, 2);
        assertRefused(Losses.triplet(), "negative",
                new Tensor[] {x, Tensor.of(new float[6], 3, 2), Tensor.of(new float[9], 3, 3)}, "[3, 3]", "[3, 2]");
        assertRefused(Losses.triplet(), "positive",
                new Tensor[] {x, Tensor.of(new float[4], 2, 2), Tensor.of(new float[6], 3, 2)}, "[2, 2]", "[3, 2]");
        assertRefused(Losses.triplet(), "anchor",
                new Tensor[] {Tensor.of(new float[6], 6), Tensor.of(new float[6], 6), Tensor.of(new float[6], 6)}, "[N, D]", "[6]");
        assertRefused(Losses.triplet(), "positive",
                new Tensor[] {x, Tensor.ofLongs(new long[6], 3, 2), Tensor.of(new float[6], 3, 2)}, "float32", "INT64");
    }

    @Test
    void refusesNormDegreeBelowOne() {
        Executable e = () -> Losses.triplet().p(0.5);
        InvalidInputException ex = assertThrows(InvalidInputException.class, e);
        assertEquals("p", ex.argument());
    }
}
