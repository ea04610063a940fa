package io.github.lossengine.device;

import static io.github.lossengine.testing.HalfTensors.round;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.ReferenceLosses;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 inputs: every loss that takes them, on the CPU and each device, against the
 * same loss computed on the inputs' exact float32 values by the CPU's double-precision reference
 * path: values within the float32 tolerance, the 16-bit gradient within one ulp of that reference
 * rounded to the format; a float32 gradient on request equal to the float32 path's; the losses that
 * do not take them refuse them.
 */
class HalfPrecisionTest {
    static final DType[] HALVES = {DType.BFLOAT16, DType.FLOAT16};

    /** The exact float32 values of a tensor. */
    static Tensor widened(Tensor t) {
        return t.isFloat() ? Tensor.of(t.toFloatArray(), t.shape()) : t;
    }

    /** Loss, inputs (float32; rounded to the 16-bit type for the test), and whether input 1 is rounded too. */
    record Case(Loss loss, Tensor x, Tensor y, boolean roundTarget) {
    }

    static List<Case> cases() {
        RandomTensors r = new RandomTensors(8);
        List<Case> out = new ArrayList<>();
        Tensor z = SoftmaxCrossEntropyParityTest.masked(r, 17, 301, 11, 3.0);
        int[] y = new int[17];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 6 == 3 ? -100 : r.nextInt(301);
        }
        SoftmaxCrossEntropy ce = Losses.softmaxCrossEntropy();
        for (SoftmaxCrossEntropy l : List.of(ce, ce.labelSmoothing(0.1).zLoss(1e-3), ce.softcap(5).reduction(Reduction.NONE),
                ce.classWeights(SoftmaxCrossEntropyParityTest.weights(r, 301)).normalizer(50))) {
            out.add(new Case(l, z, Tensor.ofInts(y), false));
        }
        out.add(new Case(ce.labelSmoothing(0.05), r.normal(2, 5, 9000), r.indices(5, 9000), false));
        out.add(new Case(ce, r.normal(2, 6, 7), SoftmaxCrossEntropyParityTest.probabilities(r, 6, 7), true));
        Tensor logp = r.uniform(-6, -0.01, 9, 12);
        out.add(new Case(Losses.nll(), logp, r.indices(9, 12), false));
        out.add(new Case(Losses.nll().reduction(Reduction.SUM), logp, r.indices(9, 12), false));
        Tensor a = r.normal(1.5, 8, 33);
        Tensor b = r.normal(1.5, 8, 33);
        out.add(new Case(Losses.mse(), a, b, true));
        out.add(new Case(Losses.mae().reduction(Reduction.SUM), a, b, true));
        out.add(new Case(Losses.huber().delta(0.7), a, b, true));
        out.add(new Case(Losses.smoothL1().beta(0.3).reduction(Reduction.NONE), a, b, true));
        out.add(new Case(Losses.bceWithLogits(), a, r.uniform(0, 1, 8, 33), true));
        out.add(new Case(Losses.hinge(), a, r.signs(8, 33), true));
        out.add(new Case(Losses.multiclassHinge(), r.normal(1, 8, 12), r.indices(8, 12), false));
        out.add(new Case(Losses.klDiv().reduction(Reduction.BATCHMEAN), r.uniform(-5, -0.1, 8, 6), r.uniform(0.01, 1, 8, 6), true));
        return out;
    }

    /** Ordered distance between two 16-bit patterns (in ulps); NaN must meet NaN, infinities exactly. */
    static void assertWithinOneUlp(Tensor expected, Tensor got, String what) {
        assertEquals(expected.dtype(), got.dtype(), what);
        for (int i = 0; i < expected.size(); i++) {
            float e = expected.getFloat(i);
            float g = got.getFloat(i);
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                assertTrue(Float.compare(e, g) == 0 || (Float.isNaN(e) && Float.isNaN(g)), what + " at " + i);
                continue;
            }
            short eb = HalfFloats.round(expected.dtype(), e);
            short gb = HalfFloats.round(expected.dtype(), g);
            if (Math.abs(ordered(eb) - ordered(gb)) > 1) {
                fail(what + ": element " + i + " expected " + e + ", got " + g + " (more than one ulp)");
            }
        }
    }

    private static int ordered(short bits) {
        int b = bits & 0xffff;
        return (b & 0x8000) != 0 ? -(b & 0x7fff) : b;
    }

    static void check(LossEngine engine, Case c, DType dtype) {
        Tensor x = round(c.x(), dtype);
        Tensor y = c.roundTarget() ? round(c.y(), dtype) : c.y();
        // the reference on the exact float values, in double (the CPU reference path)
        LossResult ref = ReferenceLosses.compute(c.loss(), widened(x), widened(y));
        LossResult got = engine.compute(c.loss(), x, y);
        String what = c.loss() + " " + dtype + " on " + engine.backend().active();
        if (c.loss().reduction() == Reduction.NONE) {
            Parity.assertClose(ref.values().toFloatArray(), got.values().toFloatArray(), 2e-5, what);
        } else {
            Parity.assertValue(ref.value(), got.value(), new Parity.Tol(2e-5, 1e-6), what);
        }
        assertEquals(dtype, got.gradient().dtype(), "the gradient comes in the input's dtype");
        assertWithinOneUlp(round(ref.gradient(), dtype), got.gradient(), what);
        // float32 on request: a float32 buffer gets the float32 path's gradient on the same values
        Tensor g32 = Tensor.zeros(x.shape());
        engine.computeInto(c.loss(), new Tensor[] {x, y}, g32);
        LossResult f32 = engine.compute(c.loss(), widened(x), widened(y));
        assertArrayEquals(f32.gradient().toFloatArray(), g32.toFloatArray(), 1e-6f * max(f32.gradient()) + 1e-12f, what);
    }

    private static float max(Tensor t) {
        float m = 0;
        for (int i = 0; i < t.size(); i++) {
            if (Float.isFinite(t.getFloat(i))) {
                m = Math.max(m, Math.abs(t.getFloat(i)));
            }
        }
        return m;
    }

    @Test
    void cpuTakesHalfInputs() {
        for (Case c : cases()) {
            for (DType d : HALVES) {
                check(DeviceEngines.cpu(), c, d);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void devicesTakeHalfInputs(Backend backend) {
        LossEngine dev = DeviceEngines.open(backend);
        for (Case c : cases()) {
            for (DType d : HALVES) {
                check(dev, c, d);
            }
        }
    }

    @Test
    void theFusedFloat32GradientOfBf16LogitsIsTheFloat32PathsBitForBit() {
        RandomTensors r = new RandomTensors(4);
        Tensor x = round(r.normal(3, 7, 5000), DType.BFLOAT16);
        Tensor y = r.indices(7, 5000);
        Tensor g = Tensor.zeros(7, 5000);
        SoftmaxCrossEntropy l = Losses.softmaxCrossEntropy().labelSmoothing(0.1);
        LossResult half = DeviceEngines.cpu().computeInto(l, new Tensor[] {x, y}, g);
        LossResult f32 = DeviceEngines.cpu().compute(l, widened(x), y);
        assertArrayEquals(f32.gradient().toFloatArray(), g.toFloatArray());
        assertEquals(f32.value(), half.value());
        // the bfloat16 gradient is that float32 gradient rounded once (with and without smoothing)
        for (SoftmaxCrossEntropy loss : List.of(l, Losses.softmaxCrossEntropy())) {
            Tensor g16 = DeviceEngines.cpu().compute(loss, x, y).gradient();
            Tensor g32 = DeviceEngines.cpu().compute(loss, widened(x), y).gradient();
            assertArrayEquals(round(g32, DType.BFLOAT16).toFloatArray(), g16.toFloatArray(), loss.toString());
        }
    }

    @Test
    void bigLogitsMasksAndASingleFiniteClassInBf16() {
        float inf = Float.NEGATIVE_INFINITY;
        Tensor z = round(Tensor.of(new float[] {3e38f, -3e38f, 0, inf, inf, 5, inf, 2, inf}, 3, 3), DType.BFLOAT16);
        Tensor y = Tensor.ofInts(new int[] {0, 2, 1});
        for (SoftmaxCrossEntropy l : List.of(Losses.softmaxCrossEntropy().reduction(Reduction.NONE),
                Losses.softmaxCrossEntropy().softcap(30).zLoss(1e-4).reduction(Reduction.NONE))) {
            LossResult r = DeviceEngines.cpu().compute(l, z, y);
            LossResult ref = ReferenceLosses.compute(l, widened(z), y);
            assertArrayEquals(ref.values().toFloatArray(), r.values().toFloatArray(), 1e-4f);
            assertWithinOneUlp(round(ref.gradient(), DType.BFLOAT16), r.gradient(), l.toString());
            assertEquals(0f, r.gradient().getFloat(3), "masked: zero gradient");
        }
    }

    @Test
    void shortBufferViewsAndInPlaceHalfGradients() {
        RandomTensors r = new RandomTensors(6);
        Tensor x = round(r.normal(2, 4, 10), DType.FLOAT16);
        short[] bits = x.shortArrayOrNull().clone();
        Tensor y = r.indices(4, 10);
        LossResult expected = DeviceEngines.cpu().compute(Losses.softmaxCrossEntropy(), x, y);
        Tensor view = Tensor.ofFloat16(ShortBuffer.wrap(bits.clone()), 4, 10);
        LossResult viaBuffer = DeviceEngines.cpu().compute(Losses.softmaxCrossEntropy(), view, y);
        assertArrayEquals(expected.gradient().toFloatArray(), viaBuffer.gradient().toFloatArray());
        Tensor inPlace = Tensor.ofFloat16(bits, 4, 10);
        DeviceEngines.cpu().computeInPlace(Losses.softmaxCrossEntropy(), inPlace, y);
        assertArrayEquals(expected.gradient().toFloatArray(), inPlace.toFloatArray());
        assertEquals(DType.FLOAT16, expected.gradient().dtype());
    }

    @Test
    void theOtherLossesRefuseHalfInputs() {
        RandomTensors r = new RandomTensors(2);
        Tensor x = round(r.normal(1, 4, 3), DType.BFLOAT16);
        for (Loss l : List.of(Losses.logCosh(), Losses.focal(), Losses.binaryCrossEntropy(), Losses.poissonNll())) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> DeviceEngines.cpu().compute(l, x, Tensor.zeros(4, 3)));
            assertEquals("input", e.argument(), l.name());
            assertTrue(e.getMessage().contains("BFLOAT16") && e.getMessage().contains("softmax_cross_entropy"), e.getMessage());
        }
    }
}
