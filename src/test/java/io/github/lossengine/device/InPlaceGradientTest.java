package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.lossengine.Backend;
import io.github.lossengine.InvalidInputException;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import io.github.lossengine.testing.RandomTensors;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code computeInPlace}: the gradient written over the logits is the same bits as
 * {@code compute}'s on the same backend (the CPU's fused and reference paths, and each device),
 * with every option; on bad input nothing is written; other losses and unsafe buffers are refused.
 */
class InPlaceGradientTest {

    static List<SoftmaxCrossEntropy> losses() {
        SoftmaxCrossEntropy b = Losses.softmaxCrossEntropy();
        return List.of(b, b.labelSmoothing(0.1).zLoss(1e-3), b.softcap(3).reduction(Reduction.SUM),
                b.labelSmoothing(0.2).classWeights(new float[] {1, 2, 0.5f, 1, 3, 1, 1, 1, 1, 2, 1}),
                b.zLoss(1e-2).softcap(2).normalizer(100).reduction(Reduction.MEAN));
    }

    static void sameAsCompute(LossEngine engine, int n, int c) {
        RandomTensors r = new RandomTensors(n * 31L + c);
        Tensor z = SoftmaxCrossEntropyParityTest.masked(r, n, c, 13, 2.0);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 5 == 2 ? -100 : r.nextInt(c);
        }
        Tensor p = SoftmaxCrossEntropyParityTest.probabilities(r, n, c);
        for (SoftmaxCrossEntropy loss : losses()) {
            SoftmaxCrossEntropy l = c == 11 || loss.classWeights() == null ? loss : loss.classWeights(null);
            for (Tensor target : new Tensor[] {Tensor.ofInts(y), p}) {
                Tensor logits = target == p ? r.normal(2.0, n, c) : z;
                LossResult expected = engine.compute(l, logits, target);
                Tensor copy = Tensor.of(logits.toFloatArray(), n, c);
                LossResult got = engine.computeInPlace(l, copy, target);
                assertSame(copy, got.gradient());
                assertArrayEquals(expected.gradient().toFloatArray(), copy.toFloatArray(), l + " on " + engine.backend().active());
                if (l.reduction() != Reduction.NONE) {
                    assertEquals(expected.value(), got.value());
                }
                assertArrayEquals(expected.logSumExp().toFloatArray(), got.logSumExp().toFloatArray());
            }
        }
    }

    @Test
    void cpuInPlaceIsComputesGradient() {
        LossEngine cpu = DeviceEngines.cpu();
        sameAsCompute(cpu, 9, 11);
        sameAsCompute(cpu, 3, 9000);
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void deviceInPlaceIsComputesGradient(Backend backend) {
        LossEngine dev = DeviceEngines.open(backend);
        sameAsCompute(dev, 9, 11);
        sameAsCompute(dev, 3, 9000);
    }

    static void nothingWrittenOnBadInput(LossEngine engine) {
        float[] z = {1, 2, 3, 4, 5, 6};
        Tensor logits = Tensor.of(z, 2, 3);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> engine.computeInPlace(Losses.softmaxCrossEntropy(), logits, Tensor.ofInts(new int[] {0, 3})));
        assertEquals("target", e.argument());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, z);
        assertThrows(InvalidInputException.class, () -> engine.computeInPlace(Losses.softmaxCrossEntropy(), logits,
                Tensor.of(new float[] {0.5f, 0.5f, 0, -1, 1, 1}, 2, 3)));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, z);
        e = assertThrows(InvalidInputException.class, () -> engine.computeInPlace(Losses.mse(), logits, logits));
        assertEquals("loss", e.argument());
        e = assertThrows(InvalidInputException.class, () -> engine.computeInPlace(Losses.softmaxCrossEntropy(),
                Tensor.of(FloatBuffer.wrap(z).asReadOnlyBuffer(), 2, 3), Tensor.ofInts(new int[] {0, 1})));
        assertEquals("input", e.argument());
        e = assertThrows(InvalidInputException.class, () -> engine.computeInPlace(Losses.softmaxCrossEntropy(),
                logits, Tensor.of(z, 2, 3)));
        assertEquals("target", e.argument());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, z);
    }

    @Test
    void cpuWritesNothingOnBadInput() {
        nothingWrittenOnBadInput(DeviceEngines.cpu());
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void deviceWritesNothingOnBadInput(Backend backend) {
        nothingWrittenOnBadInput(DeviceEngines.open(backend));
    }
}
