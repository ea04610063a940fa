package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectBufferKernels#gaussian} (gaussian_nll on direct native-order buffers) gives the bits of
 * the array kernel ({@link LikelihoodKernels#gaussian}, its double variance gradient rounded to
 * float32 as the fused loss rounds it): each block's sum, values and the three gradients, with
 * variances below {@code eps}, zeros, NaN and infinities among the inputs, with and without
 * gradients. Runs where {@link DirectBufferKernels#gaussianInPlace()} (Java 22 and later, 512-bit
 * double vectors); elsewhere skipped saying why, and {@code RowAndLikelihoodStorageTest} covers the
 * staged path.
 */
class DirectGaussianKernelTest {
    private static final int N = 3 * FloatKernels.BLOCK;

    private static FloatBuffer direct(float[] a) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(a).clear();
        return b;
    }

    @Test
    void gaussianOnBuffersGivesTheArrayKernelsBits() {
        FloatKernels k = KernelSelection.kernels();
        DirectBufferKernels d = k.direct();
        assumeTrue(d != null && d.gaussianInPlace(), "no direct gaussian kernel here (Java "
                + Runtime.version().feature() + ", " + k.description() + (d == null ? "" : ", double vectors narrower"
                + " than 512 bits") + "): direct buffers are staged, which RowAndLikelihoodStorageTest covers");
        SplittableRandom r = new SplittableRandom(9);
        float[][] in = new float[3][N];
        for (int i = 0; i < N; i++) {
            in[0][i] = (float) r.nextGaussian();
            in[1][i] = (float) r.nextGaussian();
            in[2][i] = i % 13 == 0 ? 1e-9f : (float) r.nextDouble(0, 3);
        }
        float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 3e38f};
        System.arraycopy(edges, 0, in[0], 600, edges.length);
        System.arraycopy(edges, 0, in[2], 700, edges.length);
        for (boolean gradients : new boolean[] {true, false}) {
            Object[] h = new Object[6];
            FloatBuffer[] gb = new FloatBuffer[3];
            for (int i = 0; i < 3; i++) {
                h[i] = d.memory(direct(in[i]));
                gb[i] = gradients ? direct(new float[N]) : null;
                h[3 + i] = gradients ? d.memory(gb[i]) : null;
            }
            float[][] g = new float[3][N];
            float[] values = new float[N];
            float[] directValues = new float[N];
            double[] gv = new double[FloatKernels.BLOCK];
            for (int from = 0; from < N; from += FloatKernels.BLOCK) {
                int to = from + FloatKernels.BLOCK;
                double want = k.likelihood().gaussian(in[0], in[1], in[2], gradients ? g[0] : null,
                        gradients ? g[1] : null, gradients ? gv : null, values, from, to, 1e-6, 0.25, 0.5);
                for (int j = from; gradients && j < to; j++) {
                    g[2][j] = (float) gv[j - from];
                }
                double got = d.gaussian(h[0], h[1], h[2], h[3], h[4], h[5], directValues, from, to, 1e-6, 0.25, 0.5);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got),
                        "block at " + from + ": " + want + " vs " + got);
            }
            assertArrayEquals(values, directValues, "values");
            for (int i = 0; gradients && i < 3; i++) {
                float[] dg = new float[N];
                gb[i].get(0, dg);
                assertArrayEquals(g[i], dg, "gradient " + i);
            }
        }
    }
}
