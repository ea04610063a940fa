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
 * {@link DirectBufferKernels#marginStretch} (the Weston-Watkins multi-class hinge's stretch on direct
 * native-order buffers) gives the bits of the array kernel ({@link PairKernels#marginStretch}): both
 * sums and every gradient entry, for p = 1 and 2, on stretches that start and end off a vector and a
 * block boundary, span several blocks or fit in one partial vector, with NaN, infinities and zeros
 * among the scores; the gradient outside the stretch is not written; without a gradient the sums are
 * the same. Runs where {@link FloatKernels#direct()} has kernels (Java 17, 18, and 22 and later with the Vector
 * API); elsewhere it is skipped saying so, and {@code RowAndLikelihoodStorageTest} covers the staged
 * path.
 */
class DirectRowKernelsTest {
    private static final int N = 3 * FloatKernels.BLOCK + 37;

    @Test
    void marginStretchOnBuffersGivesTheArrayKernelsBits() {
        FloatKernels k = KernelSelection.kernels();
        DirectBufferKernels d = k.direct();
        assumeTrue(d != null, "no direct-buffer kernels here (Java " + Runtime.version().feature() + ", "
                + k.description() + "): direct scores are staged row by row, which RowAndLikelihoodStorageTest covers");
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) (2 * r.nextGaussian());
        }
        float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, -1f};
        System.arraycopy(edges, 0, x, 515, edges.length);
        FloatBuffer xb = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.nativeOrder()).asFloatBuffer();
        xb.put(x);
        Object xm = d.memory(xb);
        int[][] stretches = {{0, N}, {3, N - 2}, {1, 6}, {17, 17}, {510, 1030}, {511, 519}, {100, 612}};
        for (int p = 1; p <= 2; p++) {
            for (int[] s : stretches) {
                String what = "p=" + p + " [" + s[0] + ", " + s[1] + ")";
                float[] g = new float[N];
                java.util.Arrays.fill(g, 7f);
                FloatBuffer gb = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.nativeOrder()).asFloatBuffer();
                gb.put(g).clear();
                double[] want = new double[2];
                double[] got = new double[2];
                k.pair().marginStretch(x, s[0], s[1], 1f, p, 0.3f, 0.01f, g, want);
                d.marginStretch(xm, xb, s[0], s[1], 1f, p, 0.3f, 0.01f, d.memory(gb), gb, got);
                assertArrayEquals(want, got, what + ": sums");
                float[] dg = new float[N];
                gb.get(0, dg);
                assertArrayEquals(g, dg, what + ": gradient (7 outside the stretch)");
                double[] none = new double[2];
                d.marginStretch(xm, xb, s[0], s[1], 1f, p, 0.3f, 0.01f, null, null, none);
                assertArrayEquals(want, none, what + ": sums without a gradient");
            }
        }
        assertEquals(x[515], xb.get(515), 0f, "the scores are not written");
    }
}
