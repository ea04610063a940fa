package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.testing.LinearCrossEntropyRefusals;
import io.github.lossengine.testing.RandomTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code linear_cross_entropy} on the device backends (the built-in tiled GEMM kernel, the fused
 * cross-entropy kernel per chunk) against the CPU: every option, with and without bias, chunks of
 * 1, 7 and the default, the shape the issue names (N = 512, D = 256, V = 50000), and the same
 * refusals as the CPU's before anything is written. Tolerance 2e-5 relative to each entry and to
 * the tensor's largest (float32 sums over D and V terms in another order).
 */
class LinearCrossEntropyDeviceTest {
    static final Parity.Tol TOL = new Parity.Tol(2e-5, 1e-6, 1e-9);

    static Tensor[] inputs(int n, int d, int v, boolean bias, long seed) {
        RandomTensors r = new RandomTensors(seed);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 5 == 3 ? -100 : r.nextInt(v);
        }
        Tensor h = r.normal(1, n, d);
        Tensor w = r.normal(1 / Math.sqrt(d), v, d);
        Tensor target = Tensor.ofLongs(t, n);
        return bias ? new Tensor[] {h, w, target, r.normal(0.2, v)} : new Tensor[] {h, w, target};
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void everyOptionMatchesTheCpu(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        float[] cw = new float[70];
        for (int c = 0; c < cw.length; c++) {
            cw[c] = 0.5f + (c % 3);
        }
        LinearCrossEntropy plain = Losses.linearCrossEntropy();
        LinearCrossEntropy[] losses = {plain, plain.bias(true).chunkRows(7), plain.reduction(Reduction.NONE).chunkRows(1),
            plain.bias(true).reduction(Reduction.SUM).labelSmoothing(0.1, SmoothingConvention.OFF_TARGET),
            plain.labelSmoothing(0.05).classWeights(cw).zLoss(1e-3).softcap(5).chunkRows(16),
            plain.bias(true).normalizer(20).chunkRows(9)};
        for (LinearCrossEntropy loss : losses) {
            Tensor[] in = inputs(37, 29, 70, loss.bias(), 5);
            LossResult dev = Parity.check(device, loss, TOL, in);
            LossResult cpu = DeviceEngines.cpu().compute(loss, in);
            assertEquals(cpu.denominator(), dev.denominator(), 1e-9, "denominator of " + loss);
            Parity.assertClose(cpu.logSumExp().toFloatArray(), dev.logSumExp().toFloatArray(), 2e-5, "lse of " + loss);
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void theIssuesShapeMatchesTheCpu(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1);
        Tensor[] in = inputs(512, 256, 50000, true, 6);
        // one device call (determinism is checked on the small shapes): the products take a while on PoCL
        LossResult cpu = DeviceEngines.cpu().compute(loss, in);
        LossResult dev = device.compute(loss, in);
        assertEquals(backend, dev.backend());
        Parity.assertValue(cpu.value(), dev.value(), new Parity.Tol(5e-5, 1e-6), "value");
        for (int g : new int[] {0, 1, 3}) {
            Parity.assertClose(cpu.gradient(g).toFloatArray(), dev.gradient(g).toFloatArray(), 5e-5, "gradient " + g);
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void badInputsAreRefusedAsOnTheCpu(Backend backend) {
        LinearCrossEntropyRefusals.assertAll(DeviceEngines.open(backend));
    }
}
