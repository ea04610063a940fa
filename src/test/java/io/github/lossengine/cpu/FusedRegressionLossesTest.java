package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.FusedAssertions.fused;
import static io.github.lossengine.cpu.FusedAssertions.logits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.cpu.FusedAssertions.Subject;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.Huber;
import io.github.lossengine.loss.LogCosh;
import io.github.lossengine.loss.Mae;
import io.github.lossengine.loss.SmoothL1;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The fused mae, huber, smooth_l1 and log_cosh against their double-precision references (values and
 * gradients, every reduction, on the Vector API and the scalar kernels), at their edges (NaN, ±inf,
 * huge and tiny residuals, the kink of huber and smooth_l1, log_cosh beyond |d| = 44 where
 * {@code e^(-2|d|)} underflows), the two kernel implementations element for element, and the same
 * bits on 1, 2 and 3 threads.
 */
class FusedRegressionLossesTest {

    static List<Subject<?>> subjects(Reduction r) {
        return List.of(
                new Subject<>(new Mae().reduction(r), new MaeCpu(), new FusedMae()),
                new Subject<>(new Huber(r, 1.0), new HuberCpu(), new FusedHuber()),
                new Subject<>(new Huber(r, 0.3), new HuberCpu(), new FusedHuber()),
                new Subject<>(new SmoothL1(r, 1.0), new SmoothL1Cpu(), new FusedSmoothL1()),
                new Subject<>(new SmoothL1(r, 0.25), new SmoothL1Cpu(), new FusedSmoothL1()),
                new Subject<>(new SmoothL1(r, 0.0), new SmoothL1Cpu(), new FusedSmoothL1()),
                new Subject<>(new LogCosh().reduction(r), new LogCoshCpu(), new FusedLogCosh()));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int n : new int[] {13, 100_003}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (Subject<?> s : subjects(r)) {
                        cases.add(Arguments.of(k, n, s));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** Residuals of every scale, and x = y exactly; predictions of unit scale. */
    static Tensor[] inputs(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = logits(rnd, 1, n, 2.0);
        float[] y = logits(rnd, 1, n, 2.0);
        for (int i = 0; i < n; i += 5) {
            y[i] = x[i] + (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 8));
        }
        y[1] = x[1];
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("cases")
    void matchesTheReference(FloatKernels k, int n, Subject<?> s) {
        Tensor[] in = inputs(n, n + s.loss().hashCode());
        s.assertMatchesReference(k, in);
        // a 2-D shape
        s.assertMatchesReference(k, Tensor.of(in[0].toFloatArray(), 1, n), Tensor.of(in[1].toFloatArray(), 1, n));
    }

    /**
     * NaN, ±inf, residuals near FLT_MAX (whose squares overflow; the residual itself stays within
     * float32's range, see {@link FusedHuber}) and near 0, the kinks (|d| = delta,
     * beta exactly, and just inside and outside), log_cosh at |d| = 10, 44, 50, 1e10: in the vector
     * lanes and in the scalar tail alike (the edge values are repeated past the last whole vector).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void edgesMatchTheReference(FloatKernels k) {
        float max = Float.MAX_VALUE;
        float[] xs = {Float.NaN, 0, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, max, -max,
            2e19f, 1e-30f, 1e-38f, 1f, 0.3f, 0.25f, -1f, 1.0000001f, 0.99999994f, 10f, -44f, 44.5f, 50f, -1e10f, 0, 3f};
        float[] ys = {1, Float.NaN, 0, 5, Float.POSITIVE_INFINITY, 0, 1, -2e19f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, -0f, 3f};
        int n = xs.length * 2 + 3;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = xs[i % xs.length];
            y[i] = ys[i % xs.length];
        }
        for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
            for (Subject<?> s : subjects(r)) {
                s.assertMatchesReference(k, Tensor.of(x), Tensor.of(y));
            }
        }
    }

    /** log_cosh of tiny residuals keeps d^2 / 2 (no cancellation) and its gradient tanh(d) ~ d. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void logCoshKeepsTinyResiduals(FloatKernels k) {
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.pow(10, -1 - i * 0.2) * (i % 2 == 0 ? 1 : -1);
        }
        LossResult r = fused(new LogCosh().reduction(Reduction.NONE), new FusedLogCosh(), k, FusedAssertions.TWO,
                new Tensor[] {Tensor.of(x), Tensor.of(new float[x.length])}, new Tensor[] {Tensor.zeros(x.length), null});
        float[] v = r.values().toFloatArray();
        float[] g = r.gradient().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double d = x[i];
            double e = Math.expm1(Math.abs(d));
            double expected = Math.log1p(e * e / (2 * (1 + e)));       // log(cosh d) loses digits near 1
            assertEquals(expected, v[i], 2e-6 * expected, "log cosh " + d);
            assertEquals(Math.tanh(d), g[i], 2e-6 * Math.abs(Math.tanh(d)), "tanh " + d);
        }
    }

    /** Every element's value and gradient is the same bits on the Vector API and the scalar kernels. */
    @Test
    void vectorAndScalarKernelsGiveTheSameElements() {
        FloatKernels v = KernelSelection.kernels();
        FloatKernels s = new ScalarKernels();
        Tensor[] in = inputs(4099, 7);
        for (Subject<?> subject : subjects(Reduction.NONE)) {
            subject.assertSameElements(v, s, in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.lossengine.cpu.FusedAssertions#kernels")
    void resultsAreTheSameBitsOnOneTwoAndThreeThreads(FloatKernels k) {
        Tensor[] in = inputs(300_001, 3);
        for (Subject<?> s : subjects(Reduction.MEAN)) {
            s.assertSameBits(k, in);
        }
    }

    @Test
    void refusesWhatTheReferenceRefusesAndTakesOnlyFloat32Thresholds() {
        Tensor x = Tensor.of(new float[3]);
        Tensor y = Tensor.of(new float[4]);
        for (Subject<?> s : subjects(Reduction.MEAN)) {
            s.assertSameRefusal(x, y);
        }
        Tensor[] in = {Tensor.of(new float[4]), Tensor.of(new float[4])};
        Tensor[] g = {Tensor.zeros(4), null};
        assertFalse(new FusedHuber().accepts(new Huber().delta(1e-300), in, g), "a subnormal delta");
        assertFalse(new FusedHuber().accepts(new Huber().delta(1e300), in, g), "a delta beyond float32");
        assertFalse(new FusedSmoothL1().accepts(new SmoothL1().beta(1e-39), in, g), "1 / beta beyond float32");
        assertTrue(new FusedSmoothL1().accepts(new SmoothL1().beta(0), in, g), "L1");
    }
}
