package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The checks shared by the tests of the fused float32 losses: a fused result against the
 * double-precision reference, the same bits on 1, 2 and 3 threads, the same refusal with nothing
 * written.
 *
 * <p>Tolerance (the one docs/PERFORMANCE.md states): loss values within {@code 1e-5} relative (plus
 * {@code 1e-6} absolute, for losses near 0); each gradient element within {@code 1e-5} relative
 * plus {@code 1e-6} of the largest gradient magnitude of the call. Infinities and NaN where the
 * reference has them.
 */
final class FusedAssertions {
    static final double VALUE_REL = 1e-5;
    static final double GRAD_REL = 1e-5;
    static final double GRAD_ABS = 1e-6;
    static final double VALUE_ABS = 1e-6;
    /** Pools of 1, 2 and 3 threads (daemon workers), shared by the test classes. */
    static final WorkerPool ONE = new WorkerPool(1);
    static final WorkerPool TWO = new WorkerPool(2);
    static final WorkerPool THREE = new WorkerPool(3);

    private FusedAssertions() {
    }

    /** The kernels this JVM selected (the Vector API ones in the test JVM) and the scalar ones. */
    static Stream<FloatKernels> kernels() {
        return Stream.of(KernelSelection.kernels(), new ScalarKernels());
    }

    /** A case: the loss, its reference and its fused implementation, and the checks on it. */
    record Subject<L extends Loss>(L loss, CpuLoss<L> reference, FusedLoss<L> fused) {
        @Override
        public String toString() {
            return loss.toString();
        }

        /** {@link FusedAssertions#assertMatchesReference} on {@code in}. */
        LossResult assertMatchesReference(FloatKernels k, Tensor... in) {
            return FusedAssertions.assertMatchesReference(loss, reference, fused, k, in);
        }


        /** {@link FusedAssertions#assertSameBits} on {@code in}. */
        void assertSameBits(FloatKernels k, Tensor[] in) {
            FusedAssertions.assertSameBits(loss, fused, k, in);
        }

        /** {@link FusedAssertions#assertSameRefusal} of {@code x, y}. */
        void assertSameRefusal(Tensor x, Tensor y) {
            FusedAssertions.assertSameRefusal(loss, reference, fused, x, y);
        }

        /** Every element's value (the loss must reduce with NONE) and gradient the same bits on {@code v} and {@code s}. */
        void assertSameElements(FloatKernels v, FloatKernels s, Tensor[] in) {
            long[] shape = in[0].shape();
            LossResult a = FusedAssertions.fused(loss, fused, v, ONE, in, new Tensor[] {Tensor.zeros(shape), null});
            LossResult b = FusedAssertions.fused(loss, fused, s, ONE, in, new Tensor[] {Tensor.zeros(shape), null});
            assertArrayEquals(b.values().toFloatArray(), a.values().toFloatArray(), this + " values");
            assertArrayEquals(b.gradient().toFloatArray(), a.gradient().toFloatArray(), this + " gradient");
        }
    }

    static <L extends Loss> void assertSameBits(L loss, FusedLoss<L> fused, FloatKernels k, Tensor[] in) {
        long[] shape = in[0].shape();
        LossResult[] results = new LossResult[3];
        WorkerPool[] pools = {ONE, TWO, THREE};
        for (int i = 0; i < 3; i++) {
            results[i] = fused(loss, fused, k, pools[i], in, new Tensor[] {Tensor.zeros(shape), null});
        }
        for (int i = 1; i < 3; i++) {
            assertEquals(Double.doubleToRawLongBits(results[0].value()), Double.doubleToRawLongBits(results[i].value()),
                    loss.name() + " value on " + (i + 1) + " threads");
            assertArrayEquals(results[0].gradient().toFloatArray(), results[i].gradient().toFloatArray(),
                    loss.name() + " gradient on " + (i + 1) + " threads");
        }
    }

    static <L extends Loss> LossResult fused(L loss, FusedLoss<L> fused, FloatKernels k, WorkerPool pool,
                                                     Tensor[] in, Tensor[] grads) {
        assertTrue(fused.accepts(loss, in, grads), "the fused path takes this call");
        return fused.compute(loss, in, grads, k, pool);
    }

    static <L extends Loss> LossResult assertMatchesReference(L loss, CpuLoss<L> reference, FusedLoss<L> fused,
                                                                FloatKernels k, Tensor... in) {
        long[] shape = in[0].shape();
        LossResult ref = reference.compute(loss, in, new Tensor[] {Tensor.zeros(shape), null});
        // with a gradient, on three threads; without one (evaluate)
        LossResult got = fused(loss, fused, k, THREE, in, new Tensor[] {Tensor.zeros(shape), null});
        LossResult valueOnly = fused(loss, fused, k, TWO, in, new Tensor[] {null, null});
        String what = loss + " on " + k.description();
        if (loss.reduction() == Reduction.NONE) {
            float[] rv = ref.values().toFloatArray();
            assertValuesClose(rv, got.values().toFloatArray(), VALUE_ABS, what);
            assertValuesClose(rv, valueOnly.values().toFloatArray(), VALUE_ABS, what + " (value only)");
        } else {
            assertValueClose(ref.value(), got.value(), VALUE_ABS, what);
            assertValueClose(ref.value(), valueOnly.value(), VALUE_ABS, what + " (value only)");
        }
        assertGradientClose(ref.gradient().toFloatArray(), got.gradient().toFloatArray(), what + ": gradient");
        return ref;
    }

    static void assertValueClose(double ref, double got, double abs, String what) {
        assertClose(ref, got, VALUE_REL * Math.abs(ref) + abs, () -> what + ": value");
    }

    static void assertValuesClose(float[] ref, float[] got, double abs, String what) {
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            int at = i;
            assertClose(ref[i], got[i], VALUE_REL * Math.abs(ref[i]) + abs, () -> what + ": value " + at);
        }
    }

    static void assertClose(double ref, double got, double tol, java.util.function.Supplier<String> what) {
        if (Double.isNaN(ref) || Double.isInfinite(ref)) {
            assertEquals(ref, got, what);
            return;
        }
        assertTrue(Math.abs(ref - got) <= tol, () -> what.get() + ": reference " + ref + ", fused " + got
                + " (tolerance " + tol + ")");
    }

    static <L extends Loss> void assertSameRefusal(L loss, CpuLoss<L> reference, FusedLoss<L> fused,
                                                           Tensor x, Tensor y) {
        Tensor[] in = {x, y};
        InvalidInputException expected = assertThrows(InvalidInputException.class,
                () -> reference.compute(loss, in, new Tensor[] {Tensor.zeros(x.shape()), null}));
        float[] sentinel = new float[(int) x.size()];
        Arrays.fill(sentinel, 42f);
        Tensor g = Tensor.of(sentinel.clone(), x.shape());
        assertTrue(fused.accepts(loss, in, new Tensor[] {g, null}));
        InvalidInputException got = assertThrows(InvalidInputException.class,
                () -> fused.compute(loss, in, new Tensor[] {g, null}, KernelSelection.kernels(), TWO));
        assertEquals(expected.getMessage(), got.getMessage());
        assertArrayEquals(sentinel, g.toFloatArray(), "nothing written");
    }

    static float[] logits(Random rnd, int rows, int classes, double sigma) {
        float[] z = new float[rows * classes];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return z;
    }

    static float[] positive(Random rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.25f + rnd.nextFloat() * 2;
        }
        return w;
    }

    /** Each element within {@code GRAD_REL} of itself plus {@code GRAD_ABS} of the largest finite reference element. */
    static void assertGradientClose(float[] rg, float[] fg, String what) {
        assertEquals(rg.length, fg.length, what + ": length");
        double max = 0;
        for (float v : rg) {
            if (Float.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int i = 0; i < rg.length; i++) {
            int at = i;
            assertClose(rg[i], fg[i], GRAD_REL * Math.abs(rg[i]) + GRAD_ABS * max, () -> what + " element " + at);
        }
    }
}
