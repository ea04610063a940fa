package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.GaussianNll;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused gaussian_nll against its double-precision reference ({@link GaussianNllCpu}) within
 * {@link FusedAssertions}' tolerance, for {@code full} on and off, a small and the default
 * {@code eps} (with variances below it, which the clamp raises), every reduction, per-element and
 * per-row variances, on the Vector API and the scalar kernels: the value and the three gradients.
 * Also the same bits on 1, 2 and 3 threads, and from heap arrays (which the kernels read in place)
 * and direct buffers (staged through scratch).
 */
class FusedGaussianNllTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (FloatKernels k : FusedAssertions.kernels().toArray(FloatKernels[]::new)) {
            for (long[] varShape : new long[][] {{300, 37}, {300}}) {
                for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
                    for (boolean full : new boolean[] {false, true}) {
                        for (double eps : new double[] {1e-6, 0.05}) {
                            cases.add(Arguments.of(k, varShape, new GaussianNll(r, full, eps)));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    /** mu and y [300, 37] of unit scale, some fits close; variances in (0, 3], every seventh below 0.05, one 0. */
    static Tensor[] inputs(long[] varShape, long seed) {
        Random rnd = new Random(seed);
        int n = 300 * 37;
        float[] mu = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            mu[i] = (float) rnd.nextGaussian();
            y[i] = i % 5 == 0 ? mu[i] + (float) (1e-4 * rnd.nextGaussian()) : (float) rnd.nextGaussian();
        }
        int vars = Math.toIntExact(varShape.length == 1 ? varShape[0] : varShape[0] * varShape[1]);
        float[] var = new float[vars];
        for (int i = 0; i < vars; i++) {
            var[i] = i % 7 == 3 ? 0.05f * rnd.nextFloat() : 0.01f + 3 * rnd.nextFloat();
        }
        var[1] = 0f;
        return new Tensor[] {Tensor.of(mu, 300, 37), Tensor.of(y, 300, 37), Tensor.of(var, varShape)};
    }

    private static LossResult run(GaussianNll loss, FloatKernels k, WorkerPool pool, Tensor[] in) {
        Tensor[] grads = {Tensor.zeros(in[0].shape()), Tensor.zeros(in[1].shape()), Tensor.zeros(in[2].shape())};
        FusedGaussianNll fused = new FusedGaussianNll();
        assertTrue(fused.accepts(loss, in, grads), "the fused path takes this call");
        return fused.compute(loss, in, grads, k, pool);
    }

    private static Tensor direct(Tensor t) {
        float[] a = t.toFloatArray();
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(a).flip();
        return Tensor.of(b, t.shape());
    }

    @ParameterizedTest(name = "{0} var {1} {2}")
    @MethodSource("cases")
    void matchesTheReferenceWithTheSameBitsOnAnyThreadCountAndStorage(FloatKernels k, long[] varShape,
                                                                         GaussianNll loss) {
        Tensor[] in = inputs(varShape, varShape.length * 31L + loss.hashCode());
        Tensor[] refGrads = {Tensor.zeros(in[0].shape()), Tensor.zeros(in[1].shape()), Tensor.zeros(in[2].shape())};
        LossResult ref = new GaussianNllCpu().compute(loss, in, refGrads);
        LossResult got = run(loss, k, FusedAssertions.THREE, in);
        String what = loss + " var " + java.util.Arrays.toString(varShape) + " on " + k.description();
        if (loss.reduction() == Reduction.NONE) {
            FusedAssertions.assertValuesClose(ref.values().toFloatArray(), got.values().toFloatArray(),
                    FusedAssertions.VALUE_ABS, what);
        } else {
            FusedAssertions.assertValueClose(ref.value(), got.value(), FusedAssertions.VALUE_ABS, what);
        }
        for (int i = 0; i < 3; i++) {
            FusedAssertions.assertGradientClose(ref.gradient(i).toFloatArray(), got.gradient(i).toFloatArray(),
                    what + ": gradient " + i);
        }
        LossResult[] others = {run(loss, k, FusedAssertions.ONE, in), run(loss, k, FusedAssertions.TWO, in),
            run(loss, k, FusedAssertions.TWO, new Tensor[] {direct(in[0]), direct(in[1]), direct(in[2])})};
        String[] names = {"1 thread", "2 threads", "direct buffers"};
        for (int o = 0; o < others.length; o++) {
            String w = what + " on " + names[o];
            if (loss.reduction() == Reduction.NONE) {
                assertArrayEquals(got.values().toFloatArray(), others[o].values().toFloatArray(), w + ": values");
            } else {
                assertEquals(Double.doubleToLongBits(got.value()), Double.doubleToLongBits(others[o].value()), w);
            }
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(got.gradient(i).toFloatArray(), others[o].gradient(i).toFloatArray(),
                        w + ": gradient " + i);
            }
        }
    }
}
