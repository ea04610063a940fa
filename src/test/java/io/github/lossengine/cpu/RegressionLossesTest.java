package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MSE, MAE, Huber, smooth L1 and log-cosh: seed examples, references, finite differences. */
class RegressionLossesTest extends CpuEngineFixture {
    private static double value(Loss loss, float x, float y) {
        return engine.evaluate(loss, Tensor.of(new float[] {x}), Tensor.of(new float[] {y})).value();
    }

    @Test
    void seedRegressionResidual() {
        // Seed 004 writes MSE with a 1/2: (1/2)(2.4 - 3.0)^2 = 0.18, and 0.045 at 2.7. PyTorch's mse_loss
        // (ours) has no 1/2, so it gives twice that; huber with delta 1 keeps the 1/2 and gives 0.18.
        assertEquals(0.36, value(Losses.mse(), 2.4f, 3.0f), 1e-6);
        assertEquals(0.18, value(Losses.huber(), 2.4f, 3.0f), 1e-6);
        assertEquals(0.09, value(Losses.mse(), 2.7f, 3.0f), 1e-6);
        assertEquals(0.045, value(Losses.huber(), 2.7f, 3.0f), 1e-6);
        // the seed's gradient of its 1/2-MSE is the residual -0.6; ours is twice the residual
        LossResult r = engine.compute(Losses.mse(), Tensor.of(new float[] {2.4f}), Tensor.of(new float[] {3.0f}));
        assertEquals(-1.2, r.gradient().getFloat(0), 1e-6);
    }

    @Test
    void robustLossesGrowLinearly() {
        // residual 10: MSE 100, MAE 10, Huber(1) 9.5, smooth L1(1) 9.5, log-cosh ~ 10 - log 2
        assertEquals(100, value(Losses.mse(), 10, 0), 1e-9);
        assertEquals(10, value(Losses.mae(), 10, 0), 1e-9);
        assertEquals(9.5, value(Losses.huber(), 10, 0), 1e-9);
        assertEquals(9.5, value(Losses.smoothL1(), 10, 0), 1e-9);
        double logCosh10 = 10 + Math.log1p(Math.exp(-20)) - Math.log(2);
        // the engine runs the fused float32 kernel (docs/PERFORMANCE.md: 1e-5 relative); the reference is exact
        assertEquals(logCosh10, value(Losses.logCosh(), 10, 0), 1e-5 * logCosh10);
        assertEquals(logCosh10, new LogCoshCpu().compute(Losses.logCosh(), new Tensor[] {Tensor.of(new float[] {10}),
                Tensor.of(new float[] {0})}, new Tensor[] {null, null}).value(), 1e-12);
        // the stable log-cosh form stays finite where cosh overflows
        assertEquals(1e4 - Math.log(2), value(Losses.logCosh(), 1e4f, 0), 1e-3);
    }

    @Test
    void l1GradientAtZeroIsZeroAndSmoothL1WithBetaZeroIsL1() {
        LossResult r = engine.compute(Losses.mae(), Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {1, 0}));
        assertEquals(0f, r.gradient().getFloat(0));
        assertEquals(0.5f, r.gradient().getFloat(1));
        assertEquals(value(Losses.mae(), 3, 1), value(Losses.smoothL1().beta(0), 3, 1), 0);
        assertEquals(value(Losses.mae(), 0.25f, 0), value(Losses.smoothL1().beta(0), 0.25f, 0), 0);
    }

    static Stream<Arguments> losses() {
        DoubleBinaryOperator mse = (x, y) -> (x - y) * (x - y);
        DoubleBinaryOperator mae = (x, y) -> Math.abs(x - y);
        DoubleBinaryOperator huber2 = (x, y) -> Math.abs(x - y) <= 2 ? 0.5 * (x - y) * (x - y) : 2 * (Math.abs(x - y) - 1);
        DoubleBinaryOperator smooth = (x, y) -> Math.abs(x - y) < 0.5 ? (x - y) * (x - y) : Math.abs(x - y) - 0.25;
        DoubleBinaryOperator logcosh = (x, y) -> Math.log(Math.cosh(x - y));
        return Stream.of(
                Arguments.of(Losses.mse(), mse),
                Arguments.of(Losses.mae(), mae),
                Arguments.of(Losses.huber().delta(2), huber2),
                Arguments.of(Losses.smoothL1().beta(0.5), smooth),
                Arguments.of(Losses.logCosh(), logcosh));
    }

    @ParameterizedTest
    @MethodSource("losses")
    void matchesReferenceAndFiniteDifferences(Loss loss, DoubleBinaryOperator f) {
        RandomTensors rnd = new RandomTensors(7);
        Tensor x = rnd.uniform(-4, 4, 6, 5);
        Tensor y = rnd.uniform(-4, 4, 6, 5);
        // keep |x - y| away from the kinks at 0, 0.5 (smooth L1) and 2 (Huber) so differences are smooth
        float[] xs = x.floatArrayOrNull();
        for (int i = 0; i < xs.length; i++) {
            double d = Math.abs(xs[i] - y.getFloat(i));
            if (d < 0.01 || Math.abs(d - 0.5) < 0.01 || Math.abs(d - 2) < 0.01) {
                xs[i] += 0.05f;
            }
        }
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            Loss l = loss.reduction(r);
            GradientCheck.check(engine, l, GradientCheck.elementwise(r, 6, f), x, y);
        }
    }

    @Test
    void reductionsAreConsistentAndInputsUntouched() {
        RandomTensors rnd = new RandomTensors(3);
        Tensor x = rnd.normal(2, 9, 4);
        Tensor y = rnd.normal(2, 9, 4);
        float[] xCopy = x.toFloatArray();
        float[] yCopy = y.toFloatArray();
        LossResult none = engine.compute(Losses.huber().reduction(Reduction.NONE), x, y);
        LossResult sum = engine.compute(Losses.huber().reduction(Reduction.SUM), x, y);
        LossResult mean = engine.compute(Losses.huber(), x, y);
        assertEquals(GradientCheck.sum(none.values()), sum.value(), 1e-5);
        assertEquals(sum.value() / 36, mean.value(), 1e-7);
        assertArrayEquals(none.gradient().toFloatArray(), sum.gradient().toFloatArray());
        assertArrayEquals(xCopy, x.toFloatArray());
        assertArrayEquals(yCopy, y.toFloatArray());
    }
}
