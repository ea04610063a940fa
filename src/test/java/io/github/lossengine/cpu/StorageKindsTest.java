package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.testing.RandomTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same call from every float32 storage kind gives the same bits: a whole {@code float[]}, a
 * range of a bigger array ({@link Tensor#ofRange}), a heap {@code FloatBuffer} slice, and direct
 * buffers of both byte orders, for the logits and for the gradient. Bit equality with the array
 * means the buffers ran the fused kernels, not the double-precision reference (whose last bits
 * differ). The caller's storage around a range is never written.
 */
class StorageKindsTest {
    private static final float GUARD = 12345.5f;

    /** {@code a} in each storage kind, as a tensor of {@code shape}. */
    static Map<String, Tensor> kinds(float[] a, long... shape) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("array", Tensor.of(a.clone(), shape));
        float[] big = new float[a.length + 10];
        java.util.Arrays.fill(big, GUARD);
        System.arraycopy(a, 0, big, 7, a.length);
        out.put("range of an array", Tensor.ofRange(big, 7, shape));
        out.put("heap buffer slice", Tensor.of(FloatBuffer.wrap(big.clone(), 7, a.length).slice(), shape));
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            FloatBuffer d = ByteBuffer.allocateDirect(4 * a.length).order(order).asFloatBuffer();
            d.put(a).flip();
            out.put("direct " + order, Tensor.of(d, shape));
        }
        return out;
    }

    /** A zero gradient of {@code n} elements in the storage kind named {@code kind}, and the big array behind a range. */
    static Tensor gradient(String kind, float[] big, int n, long... shape) {
        switch (kind) {
            case "array":
                return Tensor.zeros(shape);
            case "range of an array":
                return Tensor.ofRange(big, 7, shape);
            case "heap buffer slice":
                return Tensor.of(FloatBuffer.wrap(big, 7, n).slice(), shape);
            default:
                ByteOrder order = kind.endsWith(ByteOrder.BIG_ENDIAN.toString()) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                return Tensor.of(ByteBuffer.allocateDirect(4 * n).order(order).asFloatBuffer(), shape);
        }
    }

    @Test
    void softmaxCrossEntropyGivesTheSameBitsFromEveryStorage() {
        RandomTensors r = new RandomTensors(21);
        int rows = 33;
        int classes = 3000;
        float[] z = r.normal(3, rows, classes).toFloatArray();
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % 5 == 2 ? -100 : (i * 97) % classes;
        }
        Tensor target = Tensor.ofInts(y);
        for (Loss loss : List.of(Losses.softmaxCrossEntropy(), Losses.softmaxCrossEntropy().labelSmoothing(0.1).zLoss(1e-3),
                Losses.softmaxCrossEntropy().softcap(4).reduction(Reduction.NONE))) {
            CpuBackend cpu = new CpuBackend(2);
            Tensor g0 = Tensor.zeros(rows, classes);
            LossResult want = cpu.compute(loss, new Tensor[] {Tensor.of(z, rows, classes), target}, new Tensor[] {g0, null});
            for (Map.Entry<String, Tensor> in : kinds(z, rows, classes).entrySet()) {
                for (String gKind : List.of("array", "range of an array", "direct " + ByteOrder.BIG_ENDIAN, "heap buffer slice")) {
                    float[] big = new float[rows * classes + 10];
                    java.util.Arrays.fill(big, GUARD);
                    Tensor g = gradient(gKind, big, rows * classes, rows, classes);
                    LossResult got = cpu.compute(loss, new Tensor[] {in.getValue(), target}, new Tensor[] {g, null});
                    String what = loss + ", logits: " + in.getKey() + ", gradient: " + gKind;
                    if (loss.reduction() == Reduction.NONE) {
                        assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what);
                    } else {
                        assertEquals(Double.doubleToLongBits(want.value()), Double.doubleToLongBits(got.value()), what);
                    }
                    assertArrayEquals(g0.toFloatArray(), g.toFloatArray(), what);
                    if (!gKind.startsWith("direct")) {
                        for (int j : new int[] {0, 6, big.length - 3, big.length - 1}) {
                            assertEquals(GUARD, big[j], what + ": the array around the gradient's range, at " + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rangesAndBulkCopiesCheckTheirBounds() {
        float[] a = new float[10];
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofRange(a, 4, 7));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofRange(a, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofRange(a, 11));
        assertEquals(6, Tensor.ofRange(a, 4).size());
        Tensor t = Tensor.ofRange(a, 4, 2, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> t.read(5, new float[4], 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.write(0, new float[2], 1, 2));
        t.write(1, new float[] {5f, 6f}, 0, 2);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 5, 6, 0, 0, 0}, a);
        float[] back = new float[3];
        t.read(0, back, 1, 2);
        assertArrayEquals(new float[] {0, 0, 5}, back);
    }
}
