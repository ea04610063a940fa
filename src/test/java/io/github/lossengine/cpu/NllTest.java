package io.github.lossengine.cpu;

import static io.github.lossengine.testing.RefusalCheck.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.AllIgnoredPolicy;
import io.github.lossengine.loss.Nll;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Negative log-likelihood: reference and finite differences, agreement with softmax cross-entropy, policies, refusals. */
class NllTest extends CpuEngineFixture {
    static double reference(double[] x, double[] y, int c, float[] w, long ignore, Reduction r) {
        double denominator = 0;
        for (double yd : y) {
            long yi = (long) yd;
            denominator += yi == ignore ? 0 : w == null ? 1 : w[(int) yi];
        }
        double sum = GradientCheck.sum(rows(x, y, c, w, ignore));
        return r == Reduction.MEAN ? sum / denominator : sum;
    }

    /** The per-row losses -w_y x[i, y] (0 for an ignored row), as NONE gives them. */
    static double[] rows(double[] x, double[] y, int c, float[] w, long ignore) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            long yi = (long) y[i];
            if (yi != ignore) {
                out[i] = -(w == null ? 1 : w[(int) yi]) * x[i * c + (int) yi];
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesReferenceAndFiniteDifferences(boolean weighted) {
        RandomTensors rnd = new RandomTensors(17);
        int n = 8;
        int c = 4;
        Tensor x = rnd.uniform(-5, 0, n, c);
        int[] y = {0, 3, -100, 1, 2, 3, 1, -100};
        float[] w = weighted ? new float[] {0.3f, 1.7f, 2f, 0.9f} : null;
        for (long ignore : new long[] {-100, 3}) {
            int[] yy = y.clone();
            if (ignore == 3) {
                yy[2] = 0;
                yy[7] = 2;
            }
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                Nll loss = Losses.nll().classWeights(w).ignoreIndex(ignore).reduction(r);
                GradientCheck.check(engine, loss, in -> reference(in[0], in[1], c, w, ignore, r),
                        in -> rows(in[0], in[1], c, w, ignore), x, Tensor.ofInts(yy));
            }
        }
    }

    @Test
    void nllOfLogSoftmaxIsSoftmaxCrossEntropy() {
        RandomTensors rnd = new RandomTensors(3);
        Tensor z = rnd.normal(2, 5, 3);
        float[] logp = new float[15];
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int k = 0; k < 3; k++) {
                s += Math.exp(z.getFloat(i * 3 + k));
            }
            for (int k = 0; k < 3; k++) {
                logp[i * 3 + k] = (float) (z.getFloat(i * 3 + k) - Math.log(s));
            }
        }
        Tensor y = Tensor.ofLongs(new long[] {2, 0, 1, 1, 0});
        float[] w = {1f, 0.5f, 2f};
        double nll = engine.evaluate(Losses.nll().classWeights(w), Tensor.of(logp, 5, 3), y).value();
        double ce = engine.evaluate(Losses.softmaxCrossEntropy().classWeights(w), z, y).value();
        assertEquals(ce, nll, 1e-6);
    }

    @Test
    void maskedTargetIsInfiniteUnlessItsWeightIsZero() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {ninf, -0.5f, ninf, -1f}, 2, 2);
        LossResult r = engine.compute(Losses.nll().reduction(Reduction.NONE), x, Tensor.ofInts(new int[] {0, 1}));
        assertEquals(Float.POSITIVE_INFINITY, r.values().getFloat(0));
        assertEquals(1f, r.values().getFloat(1));
        assertArrayEquals(new float[] {-1, 0, 0, -1}, r.gradient().toFloatArray());
        LossResult zeroWeight = engine.compute(Losses.nll().classWeights(new float[] {0, 1}).reduction(Reduction.SUM),
                x, Tensor.ofInts(new int[] {0, 1}));
        assertEquals(1.0, zeroWeight.value(), 0);
        assertArrayEquals(new float[] {0, 0, 0, -1}, zeroWeight.gradient().toFloatArray());
    }

    @Test
    void allIgnoredPolicies() {
        Tensor x = new RandomTensors(1).uniform(-3, 0, 2, 3);
        Tensor y = Tensor.ofInts(new int[] {-100, -100});
        LossResult zero = engine.compute(Losses.nll(), x, y);
        assertEquals(0.0, zero.value(), 0);
        assertArrayEquals(new float[6], zero.gradient().toFloatArray());
        LossResult nan = engine.compute(Losses.nll().allIgnored(AllIgnoredPolicy.NAN), x, y);
        assertTrue(Double.isNaN(nan.value()));
        assertArrayEquals(new float[6], nan.gradient().toFloatArray());
        assertRefused(engine, Losses.nll().allIgnored(AllIgnoredPolicy.ERROR), new Tensor[] {x, y}, "target", "ignored");
    }

    @Test
    void badInputsAreRefused() {
        Tensor x = new RandomTensors(1).uniform(-3, 0, 3, 3);
        assertRefused(engine, Losses.nll(), new Tensor[] {x, Tensor.ofInts(new int[] {0, 7, 1})}, "target", "target[1] = 7", "[0, 3)");
        assertRefused(engine, Losses.nll(), new Tensor[] {x, Tensor.of(new float[] {0, 1, 1})}, "target", "int32 or int64");
        assertRefused(engine, Losses.nll(), new Tensor[] {x, Tensor.ofInts(new int[] {0, 1})}, "target", "2 class indices for 3 rows");
        assertRefused(engine, Losses.nll().classWeights(new float[] {1, 1, 1, 1}), new Tensor[] {x, Tensor.ofInts(new int[] {0, 1, 2})},
                "weight", "4 class weights for 3 classes");
        assertRefused(engine, Losses.nll(), new Tensor[] {Tensor.ofInts(new int[] {1, 2, 3}), Tensor.ofInts(new int[] {0, 1, 2})},
                "input", "float32");
    }
}
