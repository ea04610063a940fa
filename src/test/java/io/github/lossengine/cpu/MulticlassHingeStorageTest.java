package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.MulticlassHinge;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused multi-class hinge (both variants, p = 1 and 2, class weights) takes every float32 storage
 * kind itself, staging rows: scores from a range of a bigger array, a heap buffer slice and direct
 * buffers of both byte orders, with gradients of each kind, give the array call's bits (values,
 * reduced value and gradient) on several chunks; the array around a gradient's range is never
 * written. Also the Vector API and scalar kernels bit for bit.
 */
class MulticlassHingeStorageTest {
    private static final int ROWS = 2001;
    private static final int CLASSES = 37;

    static Stream<MulticlassHinge> losses() {
        float[] w = FusedAssertions.positive(new Random(8), CLASSES);
        List<MulticlassHinge> out = new ArrayList<>();
        for (MulticlassHinge.Variant v : MulticlassHinge.Variant.values()) {
            for (int p = 1; p <= 2; p++) {
                out.add(new MulticlassHinge(Reduction.MEAN, v, p, 1.0, w));
                out.add(new MulticlassHinge(Reduction.NONE, v, p, 0.5, null));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void everyStorageGivesTheArraysBits(MulticlassHinge loss) {
        float[] x = FusedAssertions.logits(new Random(3), ROWS, CLASSES, 1.0);
        long[] y = new long[ROWS];
        Random rnd = new Random(4);
        for (int i = 0; i < ROWS; i++) {
            y[i] = rnd.nextInt(CLASSES);
        }
        Tensor target = Tensor.ofLongs(y, ROWS);
        try (CpuBackend cpu = new CpuBackend(2)) {
            Tensor g0 = Tensor.zeros(ROWS, CLASSES);
            LossResult want = cpu.compute(loss, new Tensor[] {Tensor.of(x, ROWS, CLASSES), target}, new Tensor[] {g0, null});
            for (var in : StorageKindsTest.kinds(x, ROWS, CLASSES).entrySet()) {
                for (String gKind : StorageKindsTest.kinds(new float[1], 1).keySet()) {
                    float[] big = new float[ROWS * CLASSES + 10];
                    Arrays.fill(big, 12345.5f);
                    Tensor g = StorageKindsTest.gradient(gKind, big, ROWS * CLASSES, ROWS, CLASSES);
                    Tensor[] inputs = {in.getValue(), target};
                    Tensor[] grads = {g, null};
                    assertTrue(new FusedMulticlassHinge().accepts(loss, inputs, grads), "the fused path takes " + in.getKey());
                    LossResult got = cpu.compute(loss, inputs, grads);
                    String what = loss + ", scores: " + in.getKey() + ", gradient: " + gKind;
                    if (loss.reduction() == Reduction.NONE) {
                        assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what);
                    } else {
                        assertEquals(Double.doubleToLongBits(want.value()), Double.doubleToLongBits(got.value()), what);
                    }
                    assertArrayEquals(g0.toFloatArray(), g.toFloatArray(), what + ": gradient");
                    if (gKind.equals("range of an array")) {
                        for (int j : new int[] {0, 6, big.length - 3, big.length - 1}) {
                            assertEquals(12345.5f, big[j], what + ": the array around the gradient's range, at " + j);
                        }
                    }
                }
            }
        }
    }

    /** The Vector API and the scalar kernels give the same bits (values, sums, gradients; rows of several blocks). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void vectorAndScalarKernelsGiveTheSameBits(MulticlassHinge loss) {
        org.junit.jupiter.api.Assumptions.assumeTrue(FusedEmbeddingLossesTest.vectorLanes() == PairKernels.LANES,
                "ScalarKernels' pair kernels have the 256-bit vector kernels' 8 lanes; this CPU's vectors have "
                        + FusedEmbeddingLossesTest.vectorLanes());
        for (int classes : new int[] {CLASSES, 1500}) {
            int rows = 41;
            float[] x = FusedAssertions.logits(new Random(classes), rows, classes, 1.0);
            long[] y = new long[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = (i * 7919L) % classes;
            }
            float[] w = loss.classWeights() == null ? null : FusedAssertions.positive(new Random(2), classes);
            MulticlassHinge l = new MulticlassHinge(loss.reduction(), loss.variant(), loss.p(), loss.margin(), w);
            Tensor[] in = {Tensor.of(x, rows, classes), Tensor.ofLongs(y, rows)};
            LossResult[] r = new LossResult[2];
            FloatKernels[] kernels = {KernelSelection.kernels(), new ScalarKernels()};
            for (int k = 0; k < 2; k++) {
                r[k] = new FusedMulticlassHinge().compute(l, in, new Tensor[] {Tensor.zeros(rows, classes), null}, kernels[k],
                        FusedAssertions.TWO);
            }
            if (l.reduction() == Reduction.NONE) {
                assertArrayEquals(r[1].values().toFloatArray(), r[0].values().toFloatArray(), l + " values");
            } else {
                assertEquals(Double.doubleToRawLongBits(r[1].value()), Double.doubleToRawLongBits(r[0].value()), l + " value");
            }
            assertArrayEquals(r[1].gradient().toFloatArray(), r[0].gradient().toFloatArray(), l + " gradient");
        }
    }
}
