package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fused element-wise loss gives the bits of its {@code float[]} call from every float32
 * storage kind ({@link StorageKindsTest#kinds}: a range of a bigger array, a heap buffer slice,
 * direct buffers of both byte orders), for every input and for the gradient, on a length that is not
 * a multiple of the block and spans several chunks; the storage around a range is never written.
 * Bit equality with the array means the buffers ran the fused kernels (block-staged), not the
 * double reference nor whole copies with another blocking.
 */
class PointwiseStorageTest {
    private static final int N = 70_001;

    static List<Loss> losses() {
        List<Loss> out = new ArrayList<>();
        for (String name : List.of("mse", "mae", "huber", "smooth_l1", "log_cosh", "binary_cross_entropy",
                "bce_with_logits", "focal", "kl_div", "hinge", "squared_hinge", "poisson_nll", "gaussian_nll")) {
            out.add(Losses.byName(name));
        }
        out.add(Losses.mse().reduction(Reduction.NONE));
        out.add(Losses.huber().reduction(Reduction.SUM));
        return out;
    }

    /** Inputs in each loss's domain: probabilities in (0, 1), targets in [0, 1] (hinge: ±1), variances > 0. */
    private static float[][] inputs(Loss loss) {
        SplittableRandom r = new SplittableRandom(loss.name().hashCode());
        int k = loss.inputNames().size();
        float[][] in = new float[k][N];
        for (int i = 0; i < N; i++) {
            in[0][i] = (float) (0.02 + 0.96 * r.nextDouble());
            in[1][i] = loss.name().endsWith("hinge") ? (r.nextBoolean() ? 1f : -1f) : (float) r.nextDouble();
            for (int j = 2; j < k; j++) {
                in[j][i] = (float) (0.1 + r.nextDouble());
            }
        }
        return in;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void everyStorageGivesTheArraysBits(Loss loss) {
        float[][] a = inputs(loss);
        CpuBackend cpu = new CpuBackend(2);
        Tensor[] arrays = new Tensor[a.length];
        for (int j = 0; j < a.length; j++) {
            arrays[j] = Tensor.of(a[j].clone());
        }
        Tensor g0 = Tensor.zeros(N);
        Tensor[] grads0 = new Tensor[a.length];
        grads0[0] = g0;
        LossResult want = cpu.compute(loss, arrays, grads0);
        for (String kind : StorageKindsTest.kinds(a[0], N).keySet()) {
            Tensor[] in = new Tensor[a.length];
            for (int j = 0; j < a.length; j++) {
                Map<String, Tensor> kinds = StorageKindsTest.kinds(a[j], N);
                in[j] = kinds.get(kind);
            }
            float[] big = new float[N + 10];
            java.util.Arrays.fill(big, 12345.5f);
            Tensor g = StorageKindsTest.gradient(kind, big, N, N);
            Tensor[] grads = new Tensor[a.length];
            grads[0] = g;
            LossResult got = cpu.compute(loss, in, grads);
            String what = loss + " from " + kind;
            if (loss.reduction() == Reduction.NONE) {
                assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what);
            } else {
                assertEquals(Double.doubleToLongBits(want.value()), Double.doubleToLongBits(got.value()), what
                        + ": " + want.value() + " vs " + got.value());
            }
            assertArrayEquals(g0.toFloatArray(), g.toFloatArray(), what + ": gradient");
            if (kind.equals("range of an array")) {
                for (int j : new int[] {0, 6, N + 7, N + 9}) {
                    assertEquals(12345.5f, big[j], what + ": the array around the gradient's range, at " + j);
                }
            }
        }
    }
}
