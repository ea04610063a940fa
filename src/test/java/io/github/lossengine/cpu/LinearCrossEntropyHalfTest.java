package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.testing.HalfTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 {@code linear_cross_entropy} on the CPU (hidden, weight and bias all of one
 * 16-bit type), checked two ways:
 * <ul>
 * <li>against the unfused double-precision reference computed on the widened 16-bit inputs: the
 * value within float32's tolerance, and each 16-bit gradient element one of the 16-bit values that a
 * float32 result within float32's tolerance of the reference ({@code 1e-4} of the tensor's largest
 * entry, {@link LinearCrossEntropyTest#assertClose}) rounds to, i.e. between
 * {@code round(ref - tol)} and {@code round(ref + tol)} (rounding is monotone): one 16-bit rounding
 * on top of the float32 error, no more;</li>
 * <li>against the float32 path on the widened inputs: the same value bit for bit, and every
 * gradient exactly that float32 gradient rounded once to nearest even (dW and db accumulated in
 * float32, not in 16 bits).</li>
 * </ul>
 * Also: ignored rows' dH exactly 0, float32 gradients on request, every storage kind, the reference
 * path without vector kernels.
 */
class LinearCrossEntropyHalfTest extends CpuEngineFixture {
    static final int N = 37;
    static final int D = 19;
    static final int V = 131;
    static final DType[] HALVES = {DType.BFLOAT16, DType.FLOAT16};

    static Stream<Arguments> cases() {
        List<Object[]> options = new ArrayList<>();
        for (Object[] o : LinearCrossEntropyTest.options()) {
            String name = (String) o[0];
            if (name.equals("plain") || name.equals("ignore_index 7") || name.equals("everything")) {
                options.add(o);
            }
        }
        List<Arguments> out = new ArrayList<>();
        for (DType d : HALVES) {
            for (Object[] o : options) {
                for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                    for (boolean bias : new boolean[] {false, true}) {
                        out.add(Arguments.of(d, o[0], o[1], r, bias));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {3} bias={4}")
    @MethodSource("cases")
    void matchesTheReferenceAndIsTheFloat32PathRoundedOnce(DType dtype, String name,
                                                           UnaryOperator<LinearCrossEntropy> option, Reduction r,
                                                           boolean bias) {
        LinearCrossEntropy base = option.apply(Losses.linearCrossEntropy().reduction(r).bias(bias));
        Tensor[] in = HalfTensors.round(LinearCrossEntropyTest.inputs(N, D, V, bias, 21), dtype);
        if (base.ce().ignoreIndex() != -100) {
            long[] t = new long[N];
            for (int i = 0; i < N; i++) {
                t[i] = in[2].getLong(i) == -100 ? base.ce().ignoreIndex() : in[2].getLong(i);
            }
            in[2] = Tensor.ofLongs(t, N);
        }
        Tensor[] in32 = HalfTensors.widen(in);
        UnfusedLinearCrossEntropy ref = UnfusedLinearCrossEntropy.of(base, in32);
        for (int chunk : new int[] {1, 7, N}) {
            LinearCrossEntropy loss = base.chunkRows(chunk);
            String what = dtype + " " + name + " " + r + " bias=" + bias + " chunk=" + chunk;
            LossResult got = engine.compute(loss, in);
            LossResult f32 = engine.compute(loss, in32);
            assertRoundedOnce(what, f32, got, dtype, bias);
            assertAgainstReference(what, ref, got, r, bias);
            assertIgnoredRowsAreZero(what, in[2], loss.ce().ignoreIndex(), got.gradient(0));
        }
    }

    /** {@code got} (16-bit inputs) is {@code f32} (their float32 values): the same value, each gradient rounded once. */
    static void assertRoundedOnce(String what, LossResult f32, LossResult got, DType dtype, boolean bias) {
        if (f32.reduction() == Reduction.NONE) {
            assertArrayEquals(f32.values().toFloatArray(), got.values().toFloatArray(), what + " values");
        } else {
            assertEquals(f32.value(), got.value(), 0.0, what + " value");
        }
        assertArrayEquals(f32.logSumExp().toFloatArray(), got.logSumExp().toFloatArray(), what + " lse");
        for (int g : bias ? new int[] {0, 1, 3} : new int[] {0, 1}) {
            assertEquals(dtype, got.gradient(g).dtype(), what + ": gradient " + g + " in the input's dtype");
            assertArrayEquals(HalfTensors.round(f32.gradient(g), dtype).toFloatArray(), got.gradient(g).toFloatArray(),
                    what + ": gradient " + g + " is the float32 gradient rounded once");
        }
    }

    static void assertAgainstReference(String what, UnfusedLinearCrossEntropy ref, LossResult got, Reduction r,
                                       boolean bias) {
        if (r == Reduction.NONE) {
            float[] expected = ref.ce().values().toFloatArray();
            float[] actual = got.values().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])), what + " values[" + i + "]");
            }
        } else {
            assertEquals(ref.value(), got.value(), 2e-5 * Math.max(1, Math.abs(ref.value())), what + " value");
        }
        assertOneRounding(what + " dL/dhidden", ref.dh(), got.gradient(0));
        assertOneRounding(what + " dL/dweight", ref.dw(), got.gradient(1));
        if (bias) {
            assertOneRounding(what + " dL/dbias", ref.db(), got.gradient(3));
        }
    }

    /**
     * Each 16-bit entry lies between the roundings of {@code expected -+ tol}, {@code tol} being
     * float32's tolerance ({@code 1e-4} of the largest |expected|): what rounding once a float32
     * result within that tolerance can give.
     */
    static void assertOneRounding(String what, double[] expected, Tensor actual) {
        double tol = 1e-4 * HalfTensors.largest(what, expected);
        int exact = HalfTensors.assertOneRounding(what, expected, actual, tol);
        // most entries are the correctly rounded reference itself (the rest one ulp off, near a midpoint)
        assertTrue(exact >= 0.9 * expected.length, what + ": only " + exact + " of " + expected.length
                + " entries are the correctly rounded reference");
    }

    static void assertIgnoredRowsAreZero(String what, Tensor target, long ignoreIndex, Tensor dh) {
        int d = (int) dh.dim(1);
        int ignored = 0;
        for (int i = 0; i < target.size(); i++) {
            if (target.getLong(i) == ignoreIndex) {
                ignored++;
                for (int p = 0; p < d; p++) {
                    assertEquals(0f, Math.abs(dh.getFloat((long) i * d + p)), what + ": ignored row " + i + " of dH");
                }
            }
        }
        assertTrue(ignored > 0, what + ": the inputs have ignored rows");
    }

    @Test
    void float32GradientBuffersGetTheFloat32PathsGradients() {
        for (DType dtype : HALVES) {
            Tensor[] in = HalfTensors.round(LinearCrossEntropyTest.inputs(N, D, V, true, 22), dtype);
            LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(6);
            LossResult f32 = engine.compute(loss, HalfTensors.widen(in));
            Tensor[] g = {Tensor.zeros(N, D), Tensor.zeros(V, D), null, Tensor.zeros(V)};
            LossResult got = engine.computeInto(loss, in, g);
            assertEquals(f32.value(), got.value(), 0.0, dtype + " value");
            for (int k : new int[] {0, 1, 3}) {
                assertArrayEquals(f32.gradient(k).toFloatArray(), g[k].toFloatArray(), dtype + " float32 gradient " + k);
            }
            // one gradient in 16 bits, the others in float32: each as asked
            Tensor dw16 = HalfTensors.round(Tensor.zeros(V, D), dtype);
            engine.computeInto(loss, in, null, dw16, null, Tensor.zeros(V));
            assertArrayEquals(HalfTensors.round(f32.gradient(1), dtype).toFloatArray(), dw16.toFloatArray(), dtype + " dW");
        }
    }

    @Test
    void everyStorageKindGivesTheSameBits() {
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).zLoss(1e-3).chunkRows(5);
        for (DType dtype : HALVES) {
            Tensor[] in = HalfTensors.round(LinearCrossEntropyTest.inputs(N, D, V, true, 23), dtype);
            LossResult expected = engine.compute(loss, in);
            for (boolean direct : new boolean[] {false, true}) {
                Tensor[] viaBuffers = in.clone();
                for (int i : new int[] {0, 1, 3}) {
                    viaBuffers[i] = HalfTensors.shortBuffer(in[i], direct);
                }
                Tensor[] g = new Tensor[4];
                for (int i : new int[] {0, 1, 3}) {
                    g[i] = HalfTensors.shortBuffer(HalfTensors.round(Tensor.zeros(in[i].shape()), dtype), direct);
                }
                LossResult got = engine.computeInto(loss, viaBuffers, g);
                assertEquals(expected.value(), got.value(), 0.0, dtype + " direct=" + direct);
                for (int i : new int[] {0, 1, 3}) {
                    assertArrayEquals(expected.gradient(i).toFloatArray(), g[i].toFloatArray(),
                            dtype + " ShortBuffer direct=" + direct + " gradient " + i);
                }
            }
        }
        // float32 in FloatBuffers (direct, both byte orders) and array ranges: staged the same way
        Tensor[] in = LinearCrossEntropyTest.inputs(N, D, V, true, 24);
        LossResult expected = engine.compute(loss, in);
        for (int kind = 0; kind < 3; kind++) {
            Tensor[] viaBuffers = in.clone();
            Tensor[] g = new Tensor[4];
            for (int i : new int[] {0, 1, 3}) {
                viaBuffers[i] = floatStorage(in[i], kind);
                g[i] = floatStorage(Tensor.zeros(in[i].shape()), kind);
            }
            LossResult got = engine.computeInto(loss, viaBuffers, g);
            assertEquals(expected.value(), got.value(), 0.0, "float32 storage " + kind);
            for (int i : new int[] {0, 1, 3}) {
                assertArrayEquals(expected.gradient(i).toFloatArray(), g[i].toFloatArray(), "float32 storage " + kind
                        + " gradient " + i);
            }
        }
    }

    /** {@code t}'s float32 values in a direct little-endian (0) or big-endian (1) buffer, or a range of a larger array (2). */
    static Tensor floatStorage(Tensor t, int kind) {
        float[] a = t.toFloatArray();
        if (kind == 2) {
            float[] larger = new float[a.length + 3];
            System.arraycopy(a, 0, larger, 3, a.length);
            return Tensor.ofRange(larger, 3, t.shape());
        }
        ByteOrder order = kind == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(order).asFloatBuffer();
        b.put(a).clear();
        return Tensor.of(b, t.shape());
    }

    @Test
    void theReferencePathRoundsItsFloat32ResultOnce() {
        LinearCrossEntropy loss = Losses.linearCrossEntropy().bias(true).labelSmoothing(0.1).chunkRows(5);
        try (CpuBackend scalar = new CpuBackend(1, null)) {
            for (DType dtype : HALVES) {
                Tensor[] in = HalfTensors.round(LinearCrossEntropyTest.inputs(N, D, V, true, 25), dtype);
                Tensor[] g16 = {HalfTensors.round(Tensor.zeros(N, D), dtype), HalfTensors.round(Tensor.zeros(V, D), dtype),
                    null, HalfTensors.round(Tensor.zeros(V), dtype)};
                Tensor[] g32 = {Tensor.zeros(N, D), Tensor.zeros(V, D), null, Tensor.zeros(V)};
                LossResult got = scalar.compute(loss, in, g16);
                LossResult f32 = scalar.compute(loss, HalfTensors.widen(in), g32);
                assertRoundedOnce("reference path " + dtype, f32, got, dtype, true);
                assertAgainstReference("reference path " + dtype, UnfusedLinearCrossEntropy.of(loss, HalfTensors.widen(in)), got,
                        Reduction.MEAN, true);
            }
        }
    }
}
