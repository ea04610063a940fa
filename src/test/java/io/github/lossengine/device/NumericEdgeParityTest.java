package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numeric defects of issue 10, one case each, on the CPU and on every device backend: a NaN that
 * IEEE fmax dropped, squares that overflowed float32, log_cosh's cancellation, triplet's lost margin.
 */
class NumericEdgeParityTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void aNanVarianceGivesNanNotAFiniteLoss(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        Tensor mu = Tensor.of(new float[] {1f, 2f}, 2);
        Tensor y = Tensor.of(new float[] {0f, 2.5f}, 2);
        Tensor var = Tensor.of(new float[] {Float.NaN, 1f}, 2);
        for (LossEngine e : new LossEngine[] {DeviceEngines.cpu(), device}) {
            LossResult r = e.compute(Losses.gaussianNll(), mu, y, var);
            // before: 499993 and gradients -1e6 / -5e11 on OpenCL (fmax(NaN, eps) = eps)
            assertTrue(Double.isNaN(r.value()), e.backend().active() + ": " + r.value());
            assertTrue(Float.isNaN(r.gradient(0).getFloat(0)), e.backend().active() + " gradient of mu");
            assertTrue(Float.isNaN(r.gradient(2).getFloat(0)), e.backend().active() + " gradient of var");
        }
        Parity.check(device, Losses.gaussianNll(), EmbeddingParityTest.TOL, mu, y, var);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void normsOfHugeRowsDoNotOverflow(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        for (float big : new float[] {1e19f, 3e19f, 1e30f}) {
            Tensor x = Tensor.of(new float[] {big, 1f}, 1, 2);
            Tensor one = Tensor.of(new float[] {1f}, 1);
            // before: 1 at 1e19 and NaN at 3e19 (x.x overflowed float32); the true loss is 0
            LossResult cos = device.compute(Losses.cosineEmbedding(), x, x, one);
            assertEquals(0.0, cos.value(), 1e-6, "cosine_embedding of a row with itself at " + big);
            Parity.check(device, Losses.cosineEmbedding(), EmbeddingParityTest.TOL, x, Tensor.of(new float[] {big, -2f}, 1, 2), one);
            Tensor far = Tensor.of(new float[] {-big, 3f}, 1, 2);
            for (double p : new double[] {1, 2, 3}) {
                // before: NaN from a coordinate of 1e20 on
                LossResult t = device.compute(Losses.triplet().p(p), x, Tensor.of(new float[] {0f, 0f}, 1, 2), far);
                assertTrue(Double.isFinite(t.value()), "triplet p=" + p + " at " + big + ": " + t.value());
                Parity.check(device, Losses.triplet().p(p), EmbeddingParityTest.TOL, x, Tensor.of(new float[] {0f, 0f}, 1, 2), far);
            }
            Parity.check(device, Losses.contrastive(), EmbeddingParityTest.TOL, x, far, one);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void logCoshKeepsTinyResiduals(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        SplittableRandom r = new SplittableRandom(10);
        int n = 20_000;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 0.01);
        }
        x[0] = 1e-3f;
        x[1] = 1e-4f;
        x[2] = 2e-7f;
        Tensor tx = Tensor.of(x, n);
        Tensor ty = Tensor.of(y, n);
        for (LossEngine e : new LossEngine[] {DeviceEngines.cpu(), device}) {
            LossResult res = e.compute(Losses.logCosh().reduction(Reduction.NONE), tx, ty);
            for (int i = 0; i < n; i++) {
                double d = x[i];
                // log cosh d = d^2/2 - d^4/12 + ..., exact to double for |d| <= 0.01
                double exact = d * d / 2 - d * d * d * d / 12;
                float v = res.values().getFloat(i);
                // before: 4.6 % off at 1e-3, 100 % at 1e-4, negative at 2e-7 (412 of 200,000 draws negative)
                assertTrue(v >= 0 && Math.abs(v - exact) <= 1e-5 * exact + 1e-30,
                        e.backend().active() + ": log_cosh(" + d + ") = " + v + ", exact " + exact);
            }
        }
        Parity.check(device, Losses.logCosh(), RegressionParityTest.TOL, tx, ty);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void tripletKeepsTheMarginWhenDistancesDwarfIt(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        for (float big : new float[] {1e8f, 1e19f}) {
            // d(a, pos) = d(a, neg) = big: the loss is the margin, and the hinge is active
            Tensor a = Tensor.of(new float[] {0f, 0f}, 1, 2);
            Tensor pos = Tensor.of(new float[] {big, 0f}, 1, 2);
            Tensor neg = Tensor.of(new float[] {0f, big}, 1, 2);
            for (LossEngine e : new LossEngine[] {DeviceEngines.cpu(), device}) {
                LossResult res = e.compute(Losses.triplet().eps(0), a, pos, neg);
                // before: 0 (from 1e19 on the CPU, 1e8 on OpenCL) while the gradient was non-zero
                assertEquals(1.0, res.value(), 1e-6, e.backend().active() + " at " + big);
                assertEquals(1f, res.gradient(0).getFloat(1), 1e-6f, e.backend().active() + " gradient at " + big);
            }
        }
    }
}
