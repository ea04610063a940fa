package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Backend;
import io.github.lossengine.DType;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.testing.HalfTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 {@code linear_cross_entropy} on the device backends (hidden, weight and bias
 * all of one 16-bit type, widened on the device: the weight once, hidden chunk by chunk), checked
 * against:
 * <ul>
 * <li>the same device on the widened float32 inputs: the same value bit for bit, and every 16-bit
 * gradient exactly that float32 gradient rounded once (dW and db accumulated in float32);</li>
 * <li>the CPU on the same 16-bit inputs: the value within the float32 parity tolerance, and each
 * 16-bit gradient entry one of the values the CPU's float32 gradient rounds to within that
 * tolerance ({@code 5e-5} of the tensor's largest entry), i.e. between {@code round(cpu - tol)} and
 * {@code round(cpu + tol)}.</li>
 * </ul>
 * Ignored rows have an exactly zero dH row; float32 gradient buffers get the float32 gradients;
 * {@code ShortBuffer} inputs and gradient buffers give the bits of {@code short[]} ones.
 * The mixed-dtype refusals run on every backend in {@link LinearCrossEntropyDeviceTest} (the shared
 * {@code LinearCrossEntropyRefusals}).
 */
class LinearCrossEntropyHalfDeviceTest {
    @ParameterizedTest
    @MethodSource("io.github.lossengine.device.DeviceEngines#backends")
    void sixteenBitInputsAreTheFloat32PathRoundedOnceAndMatchTheCpu(Backend backend) {
        LossEngine device = DeviceEngines.open(backend);
        float[] cw = new float[70];
        for (int c = 0; c < cw.length; c++) {
            cw[c] = 0.5f + (c % 3);
        }
        LinearCrossEntropy plain = Losses.linearCrossEntropy();
        LinearCrossEntropy[] losses = {plain.bias(true).chunkRows(7), plain.reduction(Reduction.NONE).chunkRows(1),
            plain.bias(true).reduction(Reduction.SUM).labelSmoothing(0.1, SmoothingConvention.OFF_TARGET),
            plain.bias(true).labelSmoothing(0.05).classWeights(cw).zLoss(1e-3).softcap(5).chunkRows(16)};
        for (DType dtype : HalfPrecisionTest.HALVES) {
            for (LinearCrossEntropy loss : losses) {
                // D = 29 and odd chunks: rows start at odd 16-bit offsets
                Tensor[] in = HalfTensors.round(LinearCrossEntropyDeviceTest.inputs(37, 29, 70, loss.bias(), 5), dtype);
                String what = dtype + " " + loss + " on " + backend;
                LossResult dev = device.compute(loss, in);
                LossResult dev32 = device.compute(loss, HalfTensors.widen(in));
                LossResult cpu = DeviceEngines.cpu().compute(loss, in);
                LossResult cpu32 = DeviceEngines.cpu().compute(loss, HalfTensors.widen(in));
                if (loss.reduction() == Reduction.NONE) {
                    assertArrayEquals(dev32.values().toFloatArray(), dev.values().toFloatArray(), what + " values");
                    Parity.assertClose(cpu.values().toFloatArray(), dev.values().toFloatArray(), 2e-5, what + " values");
                } else {
                    assertEquals(dev32.value(), dev.value(), 0.0, what + " value");
                    Parity.assertValue(cpu.value(), dev.value(), LinearCrossEntropyDeviceTest.TOL, what + " value");
                }
                for (int g : loss.bias() ? new int[] {0, 1, 3} : new int[] {0, 1}) {
                    assertEquals(dtype, dev.gradient(g).dtype(), what + ": gradient " + g + " in the input's dtype");
                    assertArrayEquals(HalfTensors.round(dev32.gradient(g), dtype).toFloatArray(),
                            dev.gradient(g).toFloatArray(), what + ": gradient " + g + " is the float32 one rounded once");
                    double[] expected = doubles(cpu32.gradient(g));
                    String against = what + ": gradient " + g + " against the CPU";
                    HalfTensors.assertOneRounding(against, expected, dev.gradient(g), 5e-5 * HalfTensors.largest(against, expected));
                }
                for (int i = 0; i < 37; i++) {
                    if (in[2].getLong(i) == -100) {
                        for (int p = 0; p < 29; p++) {
                            assertEquals(0f, Math.abs(dev.gradient(0).getFloat(i * 29L + p)), what + ": ignored row " + i);
                        }
                    }
                }
            }
            // float32 buffers for 16-bit inputs: the float32 gradients
            LinearCrossEntropy loss = plain.bias(true).chunkRows(9);
            Tensor[] in = HalfTensors.round(LinearCrossEntropyDeviceTest.inputs(37, 29, 70, true, 6), dtype);
            Tensor[] g = {Tensor.zeros(37, 29), Tensor.zeros(70, 29), null, Tensor.zeros(70)};
            device.computeInto(loss, in, g);
            LossResult dev32 = device.compute(loss, HalfTensors.widen(in));
            for (int k : new int[] {0, 1, 3}) {
                assertArrayEquals(dev32.gradient(k).toFloatArray(), g[k].toFloatArray(), dtype + " float32 gradient " + k);
            }
            // ShortBuffer views (heap and direct) of the inputs and of 16-bit gradient buffers: the same bits
            LossResult expected = device.compute(loss, in);
            for (boolean direct : new boolean[] {false, true}) {
                Tensor[] views = in.clone();
                Tensor[] g16 = new Tensor[4];
                for (int k : new int[] {0, 1, 3}) {
                    views[k] = HalfTensors.shortBuffer(in[k], direct);
                    g16[k] = HalfTensors.shortBuffer(HalfTensors.round(Tensor.zeros(in[k].shape()), dtype), direct);
                }
                LossResult got = device.computeInto(loss, views, g16);
                assertEquals(expected.value(), got.value(), 0.0, dtype + " ShortBuffer direct=" + direct);
                for (int k : new int[] {0, 1, 3}) {
                    assertArrayEquals(expected.gradient(k).toFloatArray(), g16[k].toFloatArray(),
                            dtype + " ShortBuffer direct=" + direct + " gradient " + k);
                }
            }
        }
    }

    private static double[] doubles(Tensor t) {
        double[] a = new double[Math.toIntExact(t.size())];
        for (int i = 0; i < a.length; i++) {
            a[i] = t.getFloat(i);
        }
        return a;
    }
}
