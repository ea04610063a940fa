package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.spi.Benchmarking;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device backends' benchmark hooks ({@code lossengine bench --backend opencl|cuda}): a prepared
 * call on device-resident inputs gives the engine's own loss value, the same bits every time, and
 * refuses what the engine refuses; the device copy reports one positive time per repeat.
 */
class DeviceBenchmarkingTest {

    private static Benchmarking hooks(Backend backend) {
        Benchmarking b = DeviceEngines.open(backend).benchmarking();
        assertTrue(b != null, backend + " backend has no benchmark hooks");
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void preparedCallsGiveTheEnginesValueEveryTime(Backend backend) {
        LossEngine engine = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(11);
        Loss[] losses = {Losses.softmaxCrossEntropy().labelSmoothing(0.1), Losses.mse(), Losses.hinge(),
            Losses.multiclassHinge()};
        Tensor[][] inputs = {
            {r.normal(3, 33, 517), r.indices(33, 517)},
            {r.normal(1, 4000), r.normal(1, 4000)},
            {r.normal(1, 4000), r.signs(4000)},
            {r.normal(2, 20, 10), r.indices(20, 10)},
        };
        for (int k = 0; k < losses.length; k++) {
            double expected = engine.evaluate(losses[k], inputs[k]).value();
            try (Benchmarking.Call call = hooks(backend).prepare(losses[k], inputs[k])) {
                double first = call.run();
                assertEquals(expected, first, 0.0, losses[k].name() + ": the resident call's value is the engine's");
                for (int i = 0; i < 3; i++) {
                    assertEquals(Double.doubleToRawLongBits(first), Double.doubleToRawLongBits(call.run()),
                            losses[k].name() + ": repeated calls give the same bits");
                }
            }
        }
    }

    /**
     * Inputs assembled on the device from a host tile repeated along the first dimension (how
     * {@code bench} takes shapes of 2^31 elements and more, which no host array holds) give the
     * value of the same inputs repeated on the host, and refuse a bad label as a normal call does.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void repeatedTilesAreAssembledOnTheDevice(Backend backend) {
        LossEngine engine = DeviceEngines.open(backend);
        RandomTensors r = new RandomTensors(12);
        int rows = 5;
        int c = 301;
        int repeats = 7;
        Tensor z = r.normal(2, rows, c);
        Tensor y = r.indices(rows, c);
        float[] zAll = new float[rows * c * repeats];
        long[] yAll = new long[rows * repeats];
        for (int k = 0; k < repeats; k++) {
            System.arraycopy(z.toFloatArray(), 0, zAll, k * rows * c, rows * c);
            for (int i = 0; i < rows; i++) {
                yAll[k * rows + i] = y.getLong(i);
            }
        }
        Loss ce = Losses.softmaxCrossEntropy().labelSmoothing(0.05);
        double expected = engine.evaluate(ce, Tensor.of(zAll, rows * repeats, c), Tensor.ofLongs(yAll, rows * repeats)).value();
        try (Benchmarking.Call call = hooks(backend).prepareRepeated(ce, new Tensor[] {z, y}, repeats)) {
            assertEquals(expected, call.run(), 0.0, "the tiled device input is the repeated host input");
        }
        long[] bad = new long[rows];
        bad[rows - 1] = c;
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> hooks(backend).prepareRepeated(ce, new Tensor[] {z, Tensor.ofLongs(bad, rows)}, repeats));
        assertTrue(e.getMessage().contains(" = " + c), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void noneReductionRunsAndReportsNoScalar(Backend backend) {
        RandomTensors r = new RandomTensors(12);
        try (Benchmarking.Call call = hooks(backend).prepare(Losses.mse().reduction(Reduction.NONE),
                new Tensor[] {r.normal(1, 100), r.normal(1, 100)})) {
            assertTrue(Double.isNaN(call.run()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void invalidInputsAreRefusedAtPrepareWithTheEnginesMessage(Backend backend) {
        LossEngine engine = DeviceEngines.open(backend);
        Loss loss = Losses.softmaxCrossEntropy();
        Tensor logits = Tensor.of(new float[12], 3, 4);
        Tensor labels = Tensor.ofInts(new int[] {0, 7, 1}, 3);
        InvalidInputException direct = assertThrows(InvalidInputException.class, () -> engine.evaluate(loss, logits, labels));
        InvalidInputException hooked = assertThrows(InvalidInputException.class,
                () -> hooks(backend).prepare(loss, new Tensor[] {logits, labels}));
        assertEquals(direct.getMessage(), hooked.getMessage());
        assertTrue(hooked.getMessage().startsWith("target[1] = 7"), hooked.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void deviceCopyGivesOnePositiveTimePerRepeat(Backend backend) {
        Benchmarking b = hooks(backend);
        double[] s = b.copySeconds(1 << 20, 4);
        assertEquals(4, s.length);
        for (double x : s) {
            assertTrue(x > 0 && Double.isFinite(x), java.util.Arrays.toString(s));
        }
        String call = backend == Backend.CUDA ? "cuMemcpyDtoD" : "clEnqueueCopyBuffer";
        assertTrue(b.copyDescription().contains(call), b.copyDescription());
        assertThrows(IllegalArgumentException.class, () -> b.copySeconds(0, 4));
    }
}
