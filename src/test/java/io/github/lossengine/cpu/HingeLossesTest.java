package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.RandomTensors;
import io.github.lossengine.testing.RefusalCheck;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Binary hinge and squared hinge: the seeds' worked example, the kink, references, bad labels. */
class HingeLossesTest extends CpuEngineFixture {
    @Test
    void seedExampleLabelMinusOne() {
        // Seeds 000/001: label -1; score 0.2 costs 1.2, score -0.7 costs 0.3, score -1.1 costs nothing.
        Tensor x = Tensor.of(new float[] {0.2f, -0.7f, -1.1f});
        Tensor y = Tensor.of(new float[] {-1, -1, -1});
        LossResult r = engine.compute(Losses.hinge().reduction(Reduction.NONE), x, y);
        assertEquals(1.2, r.values().getFloat(0), 1e-6);
        assertEquals(0.3, r.values().getFloat(1), 1e-6);
        assertEquals(0.0, r.values().getFloat(2), 0.0);
        // gradient -y = +1 where the margin is violated, 0 where it is met
        assertEquals(1f, r.gradient().getFloat(0));
        assertEquals(1f, r.gradient().getFloat(1));
        assertEquals(0.0, r.gradient().getFloat(2), 0.0);
        assertEquals(1.5 / 3, engine.evaluate(Losses.hinge(), x, y).value(), 1e-6);
        // squared: 1.2^2 and 0.3^2, gradient -2 y max(0, 1 - y x)
        LossResult s = engine.compute(Losses.squaredHinge().reduction(Reduction.SUM), x, y);
        assertEquals(1.44 + 0.09, s.value(), 1e-6);
        assertEquals(2.4, s.gradient().getFloat(0), 1e-6);
        assertEquals(0.6, s.gradient().getFloat(1), 1e-6);
        assertEquals(0.0, s.gradient().getFloat(2), 0.0);
    }

    @Test
    void gradientAtTheKinkIsMinusY() {
        // y x == margin exactly: PyTorch's clamp passes the gradient, so it is -y, not 0
        Tensor x = Tensor.of(new float[] {-1f, 1f, 0.5f});
        Tensor y = Tensor.of(new float[] {-1f, 1f, 1f});
        LossResult r = engine.compute(Losses.hinge().reduction(Reduction.SUM), x, y);
        assertEquals(0.5, r.value(), 0.0);
        assertEquals(1f, r.gradient().getFloat(0));
        assertEquals(-1f, r.gradient().getFloat(1));
        assertEquals(-1f, r.gradient().getFloat(2));
        LossResult m = engine.compute(Losses.hinge().margin(0.5).reduction(Reduction.SUM), x, y);
        assertEquals(-1f, m.gradient().getFloat(2));
        assertEquals(0.0, m.gradient().getFloat(1), 0.0);
        // the squared hinge is smooth there: gradient 0 at the kink
        LossResult s = engine.compute(Losses.squaredHinge().reduction(Reduction.SUM), x, y);
        assertEquals(0.0, s.gradient().getFloat(0), 0.0);
        assertEquals(0.0, s.gradient().getFloat(1), 0.0);
    }

    @Test
    void nanScorePropagatesToValueAndGradient() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 3f});
        Tensor y = Tensor.of(new float[] {1f, 1f});
        for (Loss loss : new Loss[] {Losses.hinge(), Losses.squaredHinge()}) {
            LossResult r = engine.compute(loss.reduction(Reduction.NONE), x, y);
            assertTrue(Float.isNaN(r.values().getFloat(0)), loss.name());
            assertTrue(Float.isNaN(r.gradient().getFloat(0)), loss.name());
            assertEquals(0.0, r.values().getFloat(1), 0.0);
        }
    }

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of(Losses.hinge(), 1.0, (DoubleBinaryOperator) (x, y) -> Math.max(0, 1 - y * x)),
                Arguments.of(Losses.hinge().margin(0.5), 0.5, (DoubleBinaryOperator) (x, y) -> Math.max(0, 0.5 - y * x)),
                Arguments.of(Losses.hinge().margin(-0.25), -0.25, (DoubleBinaryOperator) (x, y) -> Math.max(0, -0.25 - y * x)),
                Arguments.of(Losses.squaredHinge(), 1.0, (DoubleBinaryOperator) (x, y) -> Math.pow(Math.max(0, 1 - y * x), 2)),
                Arguments.of(Losses.squaredHinge().margin(2), 2.0, (DoubleBinaryOperator) (x, y) -> Math.pow(Math.max(0, 2 - y * x), 2)));
    }

    @ParameterizedTest
    @MethodSource("losses")
    void matchesReferenceAndFiniteDifferences(Loss loss, double margin, DoubleBinaryOperator f) {
        RandomTensors rnd = new RandomTensors(11);
        Tensor x = rnd.uniform(-3, 3, 7, 4);
        Tensor y = rnd.signs(7, 4);
        float[] xs = x.floatArrayOrNull();
        for (int i = 0; i < xs.length; i++) {
            if (Math.abs(margin - y.getFloat(i) * xs[i]) < 1e-2) {
                xs[i] += 0.05f;
            }
        }
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            GradientCheck.check(engine, loss.reduction(r), GradientCheck.elementwise(r, 7, f), x, y);
        }
    }

    @Test
    void refusesLabelsOtherThanPlusMinusOne() {
        Tensor x = Tensor.of(new float[6], 2, 3);
        for (Loss loss : new Loss[] {Losses.hinge(), Losses.squaredHinge()}) {
            RefusalCheck.assertRefused(engine, loss,
                    new Tensor[] {x, Tensor.of(new float[] {1, -1, 1, 1, 1, 0.5f}, 2, 3)},
                    "target", "target[1, 2] = 0.5", "-1 or +1");
            RefusalCheck.assertRefused(engine, loss,
                    new Tensor[] {x, Tensor.of(new float[] {1, 0, 1, 1, 1, 1}, 2, 3)}, "target", "target[0, 1] = 0");
            RefusalCheck.assertRefused(engine, loss,
                    new Tensor[] {x, Tensor.of(new float[] {1, 1, 1, Float.NaN, 1, 1}, 2, 3)}, "target", "target[1, 0] = NaN");
        }
    }

    @Test
    void refusesShapeMismatchAndWrongDtype() {
        Tensor x = Tensor.of(new float[4]);
        for (Loss loss : new Loss[] {Losses.hinge(), Losses.squaredHinge()}) {
            RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.of(new float[] {1, 1, 1})},
                    "target", "[3]", "[4]");
            RefusalCheck.assertRefused(engine, loss, new Tensor[] {x, Tensor.ofInts(new int[] {1, -1, 1, 1})},
                    "target", "float32", "INT32");
        }
    }
}
