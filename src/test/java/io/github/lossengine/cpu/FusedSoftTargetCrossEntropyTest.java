package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.ONE;
import static io.github.lossengine.cpu.FusedAssertions.assertMatchesReference;
import static io.github.lossengine.cpu.FusedAssertions.assertSameBits;
import static io.github.lossengine.cpu.FusedAssertions.assertSameRefusal;
import static io.github.lossengine.cpu.FusedAssertions.fused;
import static io.github.lossengine.cpu.FusedAssertions.logits;
import static io.github.lossengine.cpu.FusedAssertions.positive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.SmoothingConvention;
import io.github.lossengine.loss.SoftmaxCrossEntropy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused softmax cross-entropy with probability targets ({@link FusedSoftTargetCrossEntropy})
 * against the double-precision reference {@link SoftmaxCrossEntropyCpu}, on both kernel sets, for
 * every option that applies to probability targets; the same bits on 1, 2 and 3 threads, on both
 * kernel sets and from every storage; the reference's refusals.
 */
class FusedSoftTargetCrossEntropyTest {
    private static final FusedSoftmaxCrossEntropy FUSED = new FusedSoftmaxCrossEntropy();
    private static final SoftmaxCrossEntropyCpu REFERENCE = new SoftmaxCrossEntropyCpu();

    /** Logits with every third one masked (where {@code masks}), row 1 with a NaN logit. */
    static float[] logitRows(Random rnd, int rows, int classes, boolean masks) {
        float[] z = logits(rnd, rows, classes, 3.0);
        if (masks) {
            for (int i = 0; i < z.length; i += 3) {
                z[i] = Float.NEGATIVE_INFINITY;
            }
        }
        return z;
    }

    /**
     * Probability rows that sum to 1 over the classes {@code z} leaves open (zero mass on masked
     * ones), with exact zeros; row 0 all zero when there are several rows.
     */
    static float[] targets(Random rnd, float[] z, int rows, int classes) {
        float[] t = new float[z.length];
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                int at = i * classes + c;
                boolean zero = z[at] == Float.NEGATIVE_INFINITY || rnd.nextInt(4) == 0;
                t[at] = zero ? 0f : rnd.nextFloat();
                sum += t[at];
            }
            for (int c = 0; c < classes && sum > 0; c++) {
                t[i * classes + c] /= (float) sum;
            }
        }
        if (rows > 1) {
            Arrays.fill(t, 0, classes, 0f);
        }
        return t;
    }

    static List<SoftmaxCrossEntropy> options(Reduction r, int classes, Random rnd) {
        float[] w = positive(rnd, classes);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy().reduction(r);
        List<SoftmaxCrossEntropy> o = new ArrayList<>();
        for (double eps : new double[] {0, 0.15}) {
            for (SmoothingConvention conv : SmoothingConvention.values()) {
                if (eps == 0 && conv == SmoothingConvention.OFF_TARGET) {
                    continue;
                }
                o.add(ce.labelSmoothing(eps, conv));
                o.add(ce.labelSmoothing(eps, conv).classWeights(w));
            }
        }
        o.add(ce.zLoss(1e-3));
        o.add(ce.zLoss(2e-3).classWeights(w).labelSmoothing(0.1));
        o.add(ce.softcap(4).labelSmoothing(0.05, SmoothingConvention.OFF_TARGET));
        if (r == Reduction.MEAN) {
            o.add(ce.normalizer(123.0).labelSmoothing(0.1));
        }
        return o;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int[] shape : new int[][] {{9, 7}, {5, 5003}}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (boolean masks : new boolean[] {false, true}) {
                        cases.add(Arguments.of(k, shape[0], shape[1], r, masks));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} masks={4}")
    @MethodSource("cases")
    void matchesTheReference(FloatKernels k, int rows, int classes, Reduction r, boolean masks) {
        Random rnd = new Random(31L * rows + classes);
        float[] z = logitRows(rnd, rows, classes, masks);
        float[] t = targets(rnd, z, rows, classes);
        Tensor zt = Tensor.of(z, rows, classes);
        Tensor tt = Tensor.of(t, rows, classes);
        for (SoftmaxCrossEntropy loss : options(r, classes, rnd)) {
            assertMatchesReference(loss, REFERENCE, FUSED, k, zt, tt);
        }
    }

    /**
     * Targets equal to the softmax itself (rounded to multiples of {@code 2^-24}): most entries of
     * {@code p W - a} cancel to about {@code 1e-4} of {@code a}, and float32's rounding of {@code p} is
     * a few thousandths of the result. The refinement in double keeps every entry within {@code 1e-7}
     * of its target mass of the reference's (then only the log-sum-exp's own rounding is left);
     * without it the error is {@code 6e-7}.
     */
    @ParameterizedTest
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void cancellingEntriesAreRefinedToTheReference(FloatKernels k) {
        int rows = 3;
        int classes = 1003;
        Random rnd = new Random(11);
        float[] z = new float[rows * classes];
        float[] t = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                z[i * classes + c] = (float) (rnd.nextGaussian() * 2);
                sum += Math.exp(z[i * classes + c]);
            }
            for (int c = 0; c < classes; c++) {
                // multiples of 2^-24: every float32 partial sum of the row's targets is exact, as W
                t[i * classes + c] = (float) (Math.rint(Math.exp(z[i * classes + c]) / sum * 0x1p24) * 0x1p-24);
            }
        }
        Tensor[] in = {Tensor.of(z, rows, classes), Tensor.of(t, rows, classes)};
        for (SoftmaxCrossEntropy loss : new SoftmaxCrossEntropy[] {new SoftmaxCrossEntropy(),
            new SoftmaxCrossEntropy().reduction(Reduction.SUM)}) {
            Tensor want = Tensor.zeros(rows, classes);
            Tensor got = Tensor.zeros(rows, classes);
            REFERENCE.compute(loss, in, new Tensor[] {want, null});
            fused(loss, FUSED, k, ONE, in, new Tensor[] {got, null});
            float[] w = want.toFloatArray();
            float[] g = got.toFloatArray();
            int cancelling = 0;
            double worst = 0;
            double scale = loss.reduction() == Reduction.MEAN ? 1.0 / rows : 1.0;
            for (int i = 0; i < w.length; i++) {
                worst = Math.max(worst, Math.abs(g[i] - w[i]) / (t[i] * scale));
                cancelling += Math.abs(w[i]) < 1e-3 * t[i] * scale ? 1 : 0;
            }
            double bound = TOLERANCE;
            double found = worst;
            assertTrue(found <= bound, () -> loss.reduction() + ": error " + found + " of the target mass");
            assertTrue(cancelling > w.length / 2, "most entries cancel: " + cancelling);
        }
    }

    /** The refined entries' error, relative to the target mass {@code a s}: 1.1e-8 measured; 6e-7 without refinement. */
    private static final double TOLERANCE = 1e-7;

    @Test
    void refinementExpIsWithinTenToTheMinusFourteenOfStrictMath() {
        Random rnd = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            double x = i < 100_000 ? -rnd.nextDouble() * 30 : (rnd.nextDouble() - 0.5) * 1400;
            double want = StrictMath.exp(x);
            double got = DoubleMath.exp(x);
            assertTrue(Math.abs(got - want) <= 1e-14 * want,
                    () -> "exp(" + x + ") = " + got + ", StrictMath " + want);
        }
        for (double x : new double[] {0.0, -0.0, -700.5, -745.2, -800, 710, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertEquals(StrictMath.exp(x), DoubleMath.exp(x),
                    () -> "exp(" + x + ")");
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void edgesMatchTheReference(FloatKernels k) {
        // row 0: a NaN logit; row 1: +inf; row 2: all masked; row 3: mass on a masked class (+inf);
        // row 4: all-zero targets; row 5: exp underflow next to a dominant class; row 6: a single open class
        float ninf = Float.NEGATIVE_INFINITY;
        float[] z = {
            1, Float.NaN, ninf, 2,
            Float.POSITIVE_INFINITY, 0, ninf, 1,
            ninf, ninf, ninf, ninf,
            ninf, 0, 1, 2,
            1, 2, 3, 4,
            -200, 0, 10, 10,
            ninf, 3, ninf, ninf};
        float[] t = {
            0.5f, 0.25f, 0, 0.25f,
            0.25f, 0.25f, 0, 0.5f,
            0.5f, 0, 0.5f, 0,
            0.5f, 0.25f, 0.25f, 0,
            0, 0, 0, 0,
            0.125f, 0, 0.5f, 0.375f,
            0, 1, 0, 0};
        Tensor zt = Tensor.of(z, 7, 4);
        Tensor tt = Tensor.of(t, 7, 4);
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
            for (SoftmaxCrossEntropy loss : options(r, 4, new Random(2))) {
                LossResult ref = assertMatchesReference(loss, REFERENCE, FUSED, k, zt, tt);
                if (r == Reduction.NONE) {
                    float[] v = ref.values().toFloatArray();
                    // +inf is a NaN row unless the softcap maps it to cap
                    assertTrue(Float.isNaN(v[0]) && (loss.softcap() != 0 || Float.isNaN(v[1])),
                            loss + ": NaN rows " + Arrays.toString(v));
                    assertEquals(Float.POSITIVE_INFINITY, v[2], loss + ": all masked");
                }
            }
        }
        // a confident row keeps its tiny loss: log(1 + 2e^-20)
        LossResult r = fused(new SoftmaxCrossEntropy(), FUSED, k, ONE, new Tensor[] {Tensor.of(new float[] {10, -10, -10},
                1, 3), Tensor.of(new float[] {1, 0, 0}, 1, 3)}, new Tensor[] {Tensor.zeros(1, 3), null});
        assertEquals(Math.log1p(2 * Math.exp(-20)), r.value(), 1e-15);
    }

    @ParameterizedTest
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void sameBitsOnOneTwoAndThreeThreads(FloatKernels k) {
        Random rnd = new Random(7);
        int rows = 67;
        int classes = 3001;
        float[] z = logitRows(rnd, rows, classes, true);
        Tensor[] in = {Tensor.of(z, rows, classes), Tensor.of(targets(rnd, z, rows, classes), rows, classes)};
        for (SoftmaxCrossEntropy loss : options(Reduction.MEAN, classes, rnd)) {
            assertSameBits(loss, FUSED, k, in);
        }
    }

    @Test
    void vectorAndScalarKernelsGiveTheSameBits() {
        Random rnd = new Random(8);
        int rows = 23;
        int classes = 5003;
        float[] z = logitRows(rnd, rows, classes, true);
        Tensor[] in = {Tensor.of(z, rows, classes), Tensor.of(targets(rnd, z, rows, classes), rows, classes)};
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM}) {
            for (SoftmaxCrossEntropy loss : options(r, classes, rnd)) {
                LossResult v = run(loss, KernelSelection.kernels(), in, Tensor.zeros(rows, classes));
                LossResult s = run(loss, new ScalarKernels(), in, Tensor.zeros(rows, classes));
                if (r != Reduction.NONE) {
                    assertEquals(Double.doubleToLongBits(s.value()), Double.doubleToLongBits(v.value()), loss + " value");
                } else {
                    assertArrayEquals(s.values().toFloatArray(), v.values().toFloatArray(), loss + " values");
                }
                assertArrayEquals(s.gradient().toFloatArray(), v.gradient().toFloatArray(), loss + " gradient");
            }
        }
    }

    private static LossResult run(SoftmaxCrossEntropy loss, FloatKernels k, Tensor[] in, Tensor g) {
        return fused(loss, FUSED, k, FusedAssertions.TWO, in, new Tensor[] {g, null});
    }

    /** Ranges of larger arrays, direct and heap buffers of both byte orders: the array's bits. */
    @Test
    void everyStorageGivesTheArraysBits() {
        Random rnd = new Random(9);
        int rows = 11;
        int classes = 1031;
        int n = rows * classes;
        float[] z = logitRows(rnd, rows, classes, true);
        float[] t = targets(rnd, z, rows, classes);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().labelSmoothing(0.1).zLoss(1e-3).reduction(Reduction.NONE);
        FloatKernels k = KernelSelection.kernels();
        LossResult want = run(loss, k, new Tensor[] {Tensor.of(z, rows, classes), Tensor.of(t, rows, classes)},
                Tensor.zeros(rows, classes));
        float[] pad = new float[n + 13];
        System.arraycopy(z, 0, pad, 5, n);
        float[] tpad = new float[n + 9];
        System.arraycopy(t, 0, tpad, 2, n);
        float[] gpad = new float[n + 7];
        LossResult ranged = run(loss, k, new Tensor[] {Tensor.ofRange(pad, 5, rows, classes),
            Tensor.ofRange(tpad, 2, rows, classes)}, Tensor.ofRange(gpad, 3, rows, classes));
        assertSame(want, ranged, Arrays.copyOfRange(gpad, 3, 3 + n), "ranges");
        for (boolean direct : new boolean[] {true, false}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                FloatBuffer zb = buffer(z, direct, order);
                FloatBuffer tb = buffer(t, direct, order);
                FloatBuffer gb = buffer(new float[n], direct, order);
                LossResult got = run(loss, k, new Tensor[] {Tensor.of(zb, rows, classes), Tensor.of(tb, rows, classes)},
                        Tensor.of(gb, rows, classes));
                float[] g = new float[n];
                gb.get(0, g);
                assertSame(want, got, g, (direct ? "direct " : "heap ") + order);
            }
        }
    }

    private static void assertSame(LossResult want, LossResult got, float[] gradient, String what) {
        assertArrayEquals(want.values().toFloatArray(), got.values().toFloatArray(), what + " values");
        assertArrayEquals(want.gradient().toFloatArray(), gradient, what + " gradient");
    }

    private static FloatBuffer buffer(float[] a, boolean direct, ByteOrder order) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(4 * a.length) : ByteBuffer.allocate(4 * a.length);
        FloatBuffer f = b.order(order).asFloatBuffer();
        f.put(a).flip();
        return f;
    }

    /** 16-bit logits and gradients: against the reference, and the float32 path's bits on the widened logits. */
    @ParameterizedTest
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void halfPrecisionLogits(FloatKernels k) {
        Random rnd = new Random(10);
        int rows = 6;
        int classes = 777;
        float[] z = logitRows(rnd, rows, classes, true);
        Tensor tt = Tensor.of(targets(rnd, z, rows, classes), rows, classes);
        for (DType half : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            short[] bits = new short[z.length];
            float[] wide = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                bits[i] = HalfFloats.round(half, z[i]);
                wide[i] = half == DType.BFLOAT16 ? HalfFloats.bfloat16ToFloat(bits[i]) : HalfFloats.float16ToFloat(bits[i]);
            }
            Tensor zh = half == DType.BFLOAT16 ? Tensor.ofBFloat16(bits, rows, classes) : Tensor.ofFloat16(bits, rows, classes);
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().labelSmoothing(0.1).reduction(Reduction.NONE);
            LossResult a = run(loss, k, new Tensor[] {zh, tt}, Tensor.zeros(rows, classes));
            LossResult b = run(loss, k, new Tensor[] {Tensor.of(wide, rows, classes), tt}, Tensor.zeros(rows, classes));
            assertArrayEquals(b.values().toFloatArray(), a.values().toFloatArray(), half + " values");
            assertArrayEquals(b.gradient().toFloatArray(), a.gradient().toFloatArray(), half + " gradient");
            LossResult h = run(loss, k, new Tensor[] {zh, tt}, Tensor.zeros(half, rows, classes));
            float[] want = b.gradient().toFloatArray();
            float[] got = h.gradient().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(HalfFloats.round(half, want[i]), HalfFloats.round(half, got[i]), half + " gradient " + i);
            }
            assertMatchesReference(loss, REFERENCE, FUSED, k, Tensor.of(wide, rows, classes), tt);
        }
    }

    @Test
    void refusesAsTheReference() {
        float[] z = {1, 2, 3, 4, 5, 6};
        Tensor zt = Tensor.of(z, 2, 3);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        for (float bad : new float[] {-0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] t = {0.5f, 0.5f, 0, 0, 1, 0};
            t[4] = bad;
            assertSameRefusal(ce, REFERENCE, FUSED, zt, Tensor.of(t, 2, 3));
        }
        assertSameRefusal(ce, REFERENCE, FUSED, zt, Tensor.of(new float[8], 2, 4));
        assertSameRefusal(ce.classWeights(new float[] {1, 2}), REFERENCE, FUSED, zt, Tensor.of(new float[6], 2, 3));
        assertSameRefusal(ce.reduction(Reduction.MEAN), REFERENCE, FUSED, Tensor.of(new float[0], 0, 3),
                Tensor.of(new float[0], 0, 3));
        assertFalse(FUSED.accepts(ce, new Tensor[] {zt, Tensor.ofInts(new int[6], 2, 3)}, new Tensor[] {null, null}),
                "integer targets of the logits' shape go to the reference, which refuses them");
    }
}
