package io.github.lossengine.cpu;

import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.cpu.FusedAssertions.Subject;
import io.github.lossengine.loss.PoissonNll;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused poisson_nll against its double-precision reference, for log_input and full (the Stirling
 * term) on and off, every reduction, on the Vector API and the scalar kernels, with zero counts and
 * rates near eps; and the same bits on 1, 2 and 3 threads (for SUM and MEAN).
 */
class FusedPoissonNllTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (int n : new int[] {13, 100_003}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (boolean logInput : new boolean[] {true, false}) {
                        for (boolean full : new boolean[] {false, true}) {
                            PoissonNll loss = new PoissonNll().reduction(r).logInput(logInput).full(full);
                            cases.add(Arguments.of(k, n, new Subject<>(loss, new PoissonNllCpu(), new FusedPoissonNll())));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    /** Log-rates of unit scale (or rates in (0, 6], some at 1e-9, below eps), counts 0 to 40 with many zeros and ones. */
    static Tensor[] inputs(int n, boolean logInput, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = logInput ? (float) rnd.nextGaussian() : (i % 17 == 3 ? 1e-9f : (float) (6 * (1 - rnd.nextDouble())));
            y[i] = i % 4 == 0 ? 0f : i % 4 == 1 ? 1f : rnd.nextInt(41);
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("cases")
    void matchesTheReferenceWithTheSameBitsOnAnyThreadCount(FloatKernels k, int n, Subject<PoissonNll> s) {
        Tensor[] in = inputs(n, s.loss().logInput(), n + s.loss().hashCode());
        s.assertMatchesReference(k, in);
        if (s.loss().reduction() != Reduction.NONE) {
            s.assertSameBits(k, in);
        }
    }
}
