package io.github.lossengine.cpu;

import static io.github.lossengine.testing.RefusalCheck.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Focal;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Binary cross-entropy (probabilities and logits) and sigmoid focal loss. */
class BinaryLossesTest extends CpuEngineFixture {
    private static final Reduction[] REDUCTIONS = {Reduction.NONE, Reduction.SUM, Reduction.MEAN};
    private static Tensor one(float v) {
        return Tensor.of(new float[] {v});
    }

    @Test
    void seedBinaryCrossEntropyAndItsDerivative() {
        // seed 003: L = -[y log p + (1 - y) log(1 - p)], dL/dp = -y/p + (1 - y)/(1 - p)
        for (float[] py : new float[][] {{0.8f, 1f}, {0.8f, 0f}, {0.3f, 1f}, {0.6f, 0.25f}}) {
            double p = py[0];
            double y = py[1];
            LossResult r = engine.compute(Losses.binaryCrossEntropy(), one(py[0]), one(py[1]));
            assertEquals(-(y * Math.log(p) + (1 - y) * Math.log(1 - p)), r.value(), 1e-7);
            assertEquals(-y / p + (1 - y) / (1 - p), r.gradient().getFloat(0), 1e-5);
        }
        // seed 000's binary example: the logistic cross-entropy's gradient with respect to the logit is sigma(z) - y
        LossResult r = engine.compute(Losses.bceWithLogits(), one(0.4f), one(1f));
        assertEquals(1 / (1 + Math.exp(-0.4)) - 1, r.gradient().getFloat(0), 1e-7);
    }

    @Test
    void binaryCrossEntropyClampsTheLogAtMinus100() {
        LossResult r = engine.compute(Losses.binaryCrossEntropy().reduction(Reduction.NONE),
                Tensor.of(new float[] {0f, 1f, 1f, 0f}), Tensor.of(new float[] {1f, 0f, 1f, 0f}));
        assertArrayEquals(new float[] {100f, 100f, 0f, 0f}, r.values().toFloatArray());
        // (p - y) / max(p (1 - p), 1e-12), as PyTorch
        assertArrayEquals(new float[] {-1e12f, 1e12f, 0f, 0f}, r.gradient().toFloatArray());
    }

    static double bce(double p, double y) {
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Elementwise reference with element weights (per column or per element) and a per-column parameter. */
    interface Term {
        double of(double x, double y, double c);
    }

    static double reduce(double[] x, double[] y, int cols, float[] w, float[] c, Term f, Reduction r) {
        double sum = GradientCheck.sum(terms(x, y, cols, w, c, f));
        return r == Reduction.MEAN ? sum / x.length : sum;
    }

    /** The weighted per-element losses that {@link #reduce} combines. */
    static double[] terms(double[] x, double[] y, int cols, float[] w, float[] c, Term f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double wi = w == null ? 1 : w[w.length == x.length ? i : i % cols];
            double ci = c == null ? 1 : c[c.length == 1 ? 0 : i % cols];
            out[i] = wi * f.of(x[i], y[i], ci);
        }
        return out;
    }

    static Stream<Arguments> weights() {
        return Stream.of(Arguments.of((Object) null),
                Arguments.of((Object) new float[] {0.5f, 2f, 1.5f}),
                Arguments.of((Object) new float[] {1, 2, 3, 0.5f, 0.25f, 1, 2, 0, 1, 1, 3, 2}));
    }

    @ParameterizedTest
    @MethodSource("weights")
    void binaryCrossEntropyMatchesReference(float[] w) {
        RandomTensors rnd = new RandomTensors(31);
        Tensor p = rnd.uniform(0.05, 0.95, 4, 3);
        Tensor y = rnd.uniform(0, 1, 4, 3);
        y.floatArrayOrNull()[0] = 1;
        y.floatArrayOrNull()[1] = 0;
        for (Reduction r : REDUCTIONS) {
            GradientCheck.check(engine, Losses.binaryCrossEntropy().weight(w).reduction(r),
                    in -> reduce(in[0], in[1], 3, w, null, (a, b, c) -> bce(a, b), r),
                    in -> terms(in[0], in[1], 3, w, null, (a, b, c) -> bce(a, b)), p, y);
        }
    }

    static Stream<Arguments> logitOptions() {
        float[] perColumn = {0.5f, 2f, 1.5f};
        float[] perElement = {1, 2, 3, 0.5f, 0.25f, 1, 2, 0, 1, 1, 3, 2};
        return Stream.of(
                Arguments.of(null, null),
                Arguments.of(perColumn, null),
                Arguments.of(perElement, null),
                Arguments.of(null, new float[] {3f}),
                Arguments.of(null, new float[] {0.5f, 4f, 0f}),
                Arguments.of(perElement, new float[] {0.5f, 4f, 2f}));
    }

    @ParameterizedTest
    @MethodSource("logitOptions")
    void bceWithLogitsMatchesReference(float[] w, float[] posWeight) {
        RandomTensors rnd = new RandomTensors(41);
        Tensor x = rnd.normal(3, 4, 3);
        Tensor y = rnd.uniform(0, 1, 4, 3);
        y.floatArrayOrNull()[0] = 1;
        y.floatArrayOrNull()[4] = 0;
        Term term = (a, b, pw) -> -(pw * b * Math.log(sigmoid(a)) + (1 - b) * Math.log(1 - sigmoid(a)));
        for (Reduction r : REDUCTIONS) {
            Loss loss = Losses.bceWithLogits().weight(w).posWeight(posWeight).reduction(r);
            GradientCheck.check(engine, loss, in -> reduce(in[0], in[1], 3, w, posWeight, term, r),
                    in -> terms(in[0], in[1], 3, w, posWeight, term), x, y);
        }
    }

    @Test
    void bceWithLogitsEqualsBceOfTheSigmoid() {
        RandomTensors rnd = new RandomTensors(2);
        Tensor x = rnd.normal(2, 10);
        Tensor y = rnd.uniform(0, 1, 10);
        float[] p = new float[10];
        for (int i = 0; i < 10; i++) {
            p[i] = (float) sigmoid(x.getFloat(i));
        }
        double logits = engine.evaluate(Losses.bceWithLogits(), x, y).value();
        double probs = engine.evaluate(Losses.binaryCrossEntropy(), Tensor.of(p), y).value();
        assertEquals(probs, logits, 1e-5);
    }

    @Test
    void bceWithLogitsMasksAndExtremes() {
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {-inf, inf, 1e4f, -1e4f, 1e4f, -1e4f});
        Tensor y = Tensor.of(new float[] {0f, 1f, 0f, 1f, 1f, 0f});
        LossResult r = engine.compute(Losses.bceWithLogits().reduction(Reduction.NONE), x, y);
        assertArrayEquals(new float[] {0f, 0f, 1e4f, 1e4f, 0f, 0f}, r.values().toFloatArray());
        assertArrayEquals(new float[] {0f, 0f, 1f, -1f, 0f, 0f}, r.gradient().toFloatArray());
        // a masked logit with a positive target costs +inf, with a finite gradient
        LossResult bad = engine.compute(Losses.bceWithLogits(), one(-inf), one(1f));
        assertEquals(Double.POSITIVE_INFINITY, bad.value());
        assertEquals(-1f, bad.gradient().getFloat(0));
    }

    @Test
    void zeroElementWeightRemovesAnInfiniteTerm() {
        LossResult r = engine.compute(Losses.bceWithLogits().weight(new float[] {0f, 1f}).reduction(Reduction.SUM),
                Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0f}), Tensor.of(new float[] {1f, 1f}));
        assertEquals(Math.log(2), r.value(), 1e-7);            // the fused float32 kernel: ln 2 to float32
        assertArrayEquals(new float[] {0f, -0.5f}, r.gradient().toFloatArray());
    }

    /** torchvision's sigmoid_focal_loss, term by term. */
    static double focal(double x, double y, double gamma, double alpha) {
        double p = sigmoid(x);
        double ce = -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        double pt = p * y + (1 - p) * (1 - y);
        double l = ce * Math.pow(1 - pt, gamma);
        return alpha >= 0 ? (alpha * y + (1 - alpha) * (1 - y)) * l : l;
    }

    static Stream<Arguments> focalOptions() {
        return Stream.of(Arguments.of(2.0, 0.25), Arguments.of(0.0, 0.25), Arguments.of(2.0, -1.0),
                Arguments.of(0.0, -1.0), Arguments.of(0.5, 0.75), Arguments.of(3.5, 0.5));
    }

    @ParameterizedTest
    @MethodSource("focalOptions")
    void focalMatchesTorchvisionAndFiniteDifferences(double gamma, double alpha) {
        RandomTensors rnd = new RandomTensors(53);
        Tensor x = rnd.normal(2.5, 5, 4);
        Tensor y = rnd.uniform(0, 1, 5, 4);
        float[] ys = y.floatArrayOrNull();
        for (int i = 0; i < 12; i++) {
            ys[i] = i % 2;
        }
        for (Reduction r : REDUCTIONS) {
            Focal loss = Losses.focal().gamma(gamma).alpha(alpha).reduction(r);
            Term term = (a, b, c) -> focal(a, b, gamma, alpha);
            GradientCheck.check(engine, loss, in -> reduce(in[0], in[1], 4, null, null, term, r),
                    in -> terms(in[0], in[1], 4, null, null, term), x, y);
        }
    }

    @Test
    void focalWithGammaZeroAndNoAlphaIsBceWithLogits() {
        RandomTensors rnd = new RandomTensors(6);
        Tensor x = rnd.normal(3, 3, 5);
        Tensor y = rnd.uniform(0, 1, 3, 5);
        LossResult f = engine.compute(Losses.focal().gamma(0).alpha(-1), x, y);
        LossResult b = engine.compute(Losses.bceWithLogits(), x, y);
        assertEquals(b.value(), f.value(), 1e-12);
        assertArrayEquals(b.gradient().toFloatArray(), f.gradient().toFloatArray(), 1e-7f);
    }

    @Test
    void focalStaysFiniteAtExtremeLogits() {
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {1e4f, -1e4f, 1e4f, -1e4f, -inf, inf, 40f});
        Tensor y = Tensor.of(new float[] {1f, 1f, 0f, 0f, 0f, 1f, 1f});
        for (double gamma : new double[] {0.0, 0.5, 2.0}) {
            LossResult r = engine.compute(Losses.focal().gamma(gamma).alpha(0.25).reduction(Reduction.NONE), x, y);
            float[] v = r.values().toFloatArray();
            float[] g = r.gradient().toFloatArray();
            // confident and right: 0; confident and wrong by 1e4: a_t * 1e4 with slope a_t
            assertEquals(0f, v[0]);
            assertEquals(0.25f * 1e4f, v[1]);
            assertEquals(0.75f * 1e4f, v[2]);
            assertEquals(0f, v[3]);
            assertEquals(0f, v[4]);
            assertEquals(0f, v[5]);
            assertArrayEquals(new float[] {0f, -0.25f, 0.75f, 0f, 0f, 0f}, java.util.Arrays.copyOf(g, 6), "gamma " + gamma);
            // x = 40, y = 1: 1 - p_t = e^-40 / (1 + e^-40); the gradient -a_t (1 + gamma) u^(1 + gamma) to first order
            double u = Math.exp(-40);
            assertEquals(-0.25 * (1 + gamma) * Math.pow(u, 1 + gamma), g[6], 1e-3 * Math.pow(u, 1 + gamma) + 1e-45);
            assertTrue(Float.isFinite(v[6]));
        }
    }

    @Test
    void badInputsAreRefused() {
        Tensor p = Tensor.of(new float[] {0.2f, 1.5f, 0.3f, 0.4f}, 2, 2);
        Tensor ok = Tensor.of(new float[] {0.2f, 0.5f, 0.3f, 0.4f}, 2, 2);
        Tensor y = Tensor.of(new float[] {1f, 0f, 0f, 1f}, 2, 2);
        assertRefused(engine, Losses.binaryCrossEntropy(), new Tensor[] {p, y}, "input", "input[0, 1] = 1.5", "[0, 1]");
        assertRefused(engine, Losses.binaryCrossEntropy(), new Tensor[] {Tensor.of(new float[] {Float.NaN, 0.5f}),
                Tensor.of(new float[] {1f, 0f})}, "input", "input[0] = NaN");
        assertRefused(engine, Losses.binaryCrossEntropy(), new Tensor[] {ok, Tensor.of(new float[] {1f, 0f, -0.1f, 1f}, 2, 2)},
                "target", "target[1, 0] = -0.1");
        assertRefused(engine, Losses.binaryCrossEntropy(), new Tensor[] {ok, Tensor.of(new float[] {1f, 0f}, 2)}, "target", "shape");
        assertRefused(engine, Losses.binaryCrossEntropy().weight(new float[] {1, 2, 3}), new Tensor[] {ok, y}, "weight", "3 entries");
        assertRefused(engine, Losses.bceWithLogits(), new Tensor[] {ok, Tensor.of(new float[] {1f, 2f, 0f, 1f}, 2, 2)},
                "target", "target[0, 1] = 2");
        assertRefused(engine, Losses.bceWithLogits().posWeight(1f, 2f, 3f), new Tensor[] {ok, y}, "pos_weight", "3 entries");
        assertRefused(engine, Losses.bceWithLogits(), new Tensor[] {ok, Tensor.ofInts(new int[] {1, 0, 0, 1}, 2, 2)},
                "target", "float32");
        assertRefused(engine, Losses.focal(), new Tensor[] {ok, Tensor.of(new float[] {1f, 0f, 0f, Float.NaN}, 2, 2)},
                "target", "target[1, 1] = NaN");
    }
}
