package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.LinearCrossEntropy;
import io.github.lossengine.testing.GradientCheck;
import io.github.lossengine.testing.TrainingCeReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite differences of an independent double-precision reference (the logits {@code h W^T + b} in
 * double, then {@link TrainingCeReference}) against the engine's three gradients, on small shapes.
 */
class LinearCrossEntropyGradientCheckTest extends CpuEngineFixture {
    static final int N = 5;
    static final int D = 3;
    static final int V = 4;

    static Stream<Arguments> cases() {
        double[] w = {0.5, 2.0, 1.0, 1.5};
        return Stream.of(
                Arguments.of("plain", Reduction.MEAN, false, null, 0.0, 0.0, 0.0, 0.0),
                Arguments.of("smoothing, bias", Reduction.SUM, true, null, 0.1, 0.0, 0.0, 0.0),
                Arguments.of("class weights, bias", Reduction.MEAN, true, w, 0.0, 0.0, 0.0, 0.0),
                Arguments.of("softcap and z-loss", Reduction.NONE, true, null, 0.0, 2.0, 0.05, 0.0),
                Arguments.of("everything, normalizer", Reduction.MEAN, true, w, 0.2, 3.0, 0.01, 7.0));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(String name, Reduction r, boolean bias, double[] classWeights, double eps,
                                         double cap, double coef, double normalizer) {
        LinearCrossEntropy loss = Losses.linearCrossEntropy().reduction(r).bias(bias).labelSmoothing(eps).zLoss(coef)
                .chunkRows(2);
        if (classWeights != null) {
            float[] fw = new float[V];
            for (int c = 0; c < V; c++) {
                fw[c] = (float) classWeights[c];
            }
            loss = loss.classWeights(fw);
        }
        if (cap != 0) {
            loss = loss.softcap(cap);
        }
        if (normalizer != 0) {
            loss = loss.normalizer(normalizer);
        }
        Tensor[] in = LinearCrossEntropyTest.inputs(N, D, V, bias, 21);
        int code = r == Reduction.NONE ? 0 : r == Reduction.SUM ? 1 : 2;
        TrainingCeReference ce = new TrainingCeReference(V, false, classWeights, -100, eps, cap, coef, code, normalizer);
        GradientCheck.Reference ref = x -> ce.value(new double[][] {logits(x, bias), x[2]});
        LossResult got = engine.compute(loss, in);
        double[][] x = GradientCheck.toDouble(in);
        double value = r == Reduction.NONE ? GradientCheck.sum(got.values()) : got.value();
        assertEquals(ref.value(x), value, 1e-5 * Math.max(1, Math.abs(value)), name + " value");
        int[] differentiable = bias ? new int[] {0, 1, 3} : new int[] {0, 1};
        for (int k : differentiable) {
            double[] fd = GradientCheck.finiteDifference(ref, x, k);
            assertNear(name + " gradient " + loss.inputNames().get(k), fd, got.gradient(k).toFloatArray());
        }
    }

    /** {@code h W^T + b} in double. */
    private static double[] logits(double[][] x, boolean bias) {
        double[] z = new double[N * V];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < V; j++) {
                double s = bias ? x[3][j] : 0;
                for (int p = 0; p < D; p++) {
                    s += x[0][i * D + p] * x[1][j * D + p];
                }
                z[i * V + j] = s;
            }
        }
        return z;
    }

    private static void assertNear(String what, double[] fd, float[] engine) {
        assertEquals(fd.length, engine.length, what);
        double largest = 0;
        for (double v : fd) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 1e-3, what + ": a vanishing gradient checks nothing");
        for (int i = 0; i < fd.length; i++) {
            double tol = 2e-5 * largest + 1e-4 * Math.abs(fd[i]);
            if (!(Math.abs(fd[i] - engine[i]) <= tol)) {
                fail(what + "[" + i + "]: engine " + engine[i] + ", finite difference " + fd[i] + ", tolerance " + tol);
            }
        }
    }
}
