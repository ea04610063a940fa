package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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
        Tensor g0 = Tensor.zeros(N);
        LossResult want = compute(cpu, loss, arrays(a), g0);
        for (String kind : StorageKindsTest.kinds(a[0], N).keySet()) {
            Tensor[] in = new Tensor[a.length];
            for (int j = 0; j < a.length; j++) {
                Map<String, Tensor> kinds = StorageKindsTest.kinds(a[j], N);
                in[j] = kinds.get(kind);
            }
            float[] big = new float[N + 10];
            java.util.Arrays.fill(big, 12345.5f);
            Tensor g = StorageKindsTest.gradient(kind, big, N, N);
            String what = loss + " from " + kind;
            assertSameBits(loss, want, g0, compute(cpu, loss, in, g), g, what);
            if (kind.equals("range of an array")) {
                for (int j : new int[] {0, 6, N + 7, N + 9}) {
                    assertEquals(12345.5f, big[j], what + ": the array around the gradient's range, at " + j);
                }
            }
        }
        mixedStoragesAndOffsetsGiveTheArraysBits(cpu, loss, a, want, g0);
    }

    /**
     * Operands of different storage kinds and offsets in one call: heap views at distinct offsets
     * (run in place by the kernels that take offsets, staged by the others), a read-only heap buffer
     * (its array is hidden: staged), and a direct buffer beside views (staged). The bits of the
     * {@code float[]} call ({@code want}, gradient {@code g0}), and the array around a gradient view
     * untouched.
     */
    private static void mixedStoragesAndOffsetsGiveTheArraysBits(CpuBackend cpu, Loss loss, float[][] a,
                                                                 LossResult want, Tensor g0) {
        for (int mix = 0; mix < 3; mix++) {
            Tensor[] in = new Tensor[a.length];
            for (int j = 0; j < a.length; j++) {
                switch ((mix + j) % 3) {
                    case 0:
                        in[j] = view(a[j], 5 + 2 * j);
                        break;
                    case 1:
                        in[j] = mix == 2 ? Tensor.of(direct(a[j])) : Tensor.of(a[j].clone());
                        break;
                    default:
                        in[j] = mix == 1 ? Tensor.of(FloatBuffer.wrap(a[j].clone()).asReadOnlyBuffer())
                                : Tensor.of(FloatBuffer.wrap(pad(a[j], 3), 3, N).slice());
                        break;
                }
            }
            float[] big = new float[N + 20];
            java.util.Arrays.fill(big, 12345.5f);
            Tensor g = Tensor.ofRange(big, 11, N);
            String what = loss + " mix " + mix;
            assertSameBits(loss, want, g0, compute(cpu, loss, in, g), g, what);
            for (int j : new int[] {0, 10, N + 11, N + 19}) {
                assertEquals(12345.5f, big[j], what + ": the array around the gradient's range, at " + j);
            }
        }
    }

    /**
     * A validation refusal from an offset view or a direct buffer names the tensor's index, as from
     * the array: a bad label inside the whole vectors and in the last partial one.
     */
    @Test
    void refusalsFromViewsAndDirectBuffersNameTheTensorsIndex() {
        CpuBackend cpu = new CpuBackend(2);
        float[] x = new float[N];
        for (int bad : new int[] {1000, N - 1}) {
            float[] y = new float[N];
            java.util.Arrays.fill(y, 1f);
            y[bad] = 0.5f;
            String fromArray = assertThrows(RuntimeException.class,
                    () -> cpu.compute(Losses.hinge(), new Tensor[] {Tensor.of(x), Tensor.of(y)}, new Tensor[2]))
                    .getMessage();
            assertTrue(fromArray.contains(String.valueOf(bad)), fromArray);
            for (Tensor labels : List.of(view(y, 9), Tensor.of(direct(y)))) {
                String got = assertThrows(RuntimeException.class,
                        () -> cpu.compute(Losses.hinge(), new Tensor[] {Tensor.of(x), labels}, new Tensor[2]))
                        .getMessage();
                assertEquals(fromArray, got);
            }
        }
    }

    /** Whole-array copies of {@code a}'s rows. */
    private static Tensor[] arrays(float[][] a) {
        Tensor[] t = new Tensor[a.length];
        for (int j = 0; j < a.length; j++) {
            t[j] = Tensor.of(a[j].clone());
        }
        return t;
    }

    /** {@code loss} of {@code in} with the predictions' gradient into {@code g} (no other gradient). */
    private static LossResult compute(CpuBackend cpu, Loss loss, Tensor[] in, Tensor g) {
        Tensor[] grads = new Tensor[in.length];
        grads[0] = g;
        return cpu.compute(loss, in, grads);
    }

    /** {@code got} and its gradient {@code g} are the bits of {@code want} and {@code g0} (values for reduction none). */
    private static void assertSameBits(Loss loss, LossResult want, Tensor g0, LossResult got, Tensor g, String what) {
        if (loss.reduction() == Reduction.NONE) {
            assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what);
        } else {
            assertEquals(Double.doubleToLongBits(want.value()), Double.doubleToLongBits(got.value()), what
                    + ": " + want.value() + " vs " + got.value());
        }
        assertArrayEquals(g0.toFloatArray(), g.toFloatArray(), what + ": gradient");
    }

    /** {@code a} at {@code offset} of a larger array (guards around it), as a {@link Tensor#ofRange} view. */
    private static Tensor view(float[] a, int offset) {
        return Tensor.ofRange(pad(a, offset), offset, a.length);
    }

    private static float[] pad(float[] a, int offset) {
        float[] big = new float[a.length + offset + 4];
        java.util.Arrays.fill(big, -777f);
        System.arraycopy(a, 0, big, offset, a.length);
        return big;
    }

    private static FloatBuffer direct(float[] a) {
        FloatBuffer d = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        d.put(a).flip();
        return d;
    }
}
