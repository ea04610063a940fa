package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The direct-buffer kernels ({@link DirectBufferKernels}) exist where the Vector API kernels run on
 * Java 22 or later, and not on Java 17 or 18, and give the array kernels' bits: sums, gradients and values, block by
 * block at an offset into the buffers, with NaN, infinities, zeros and values on the kinks.
 */
class DirectBufferKernelsTest {
    private static final int N = 3 * FloatKernels.BLOCK;

    @Test
    void availableWithTheVectorApiFromJava22() {
        assertNull(new ScalarKernels().direct(), "the scalar kernels stage direct buffers");
        FloatKernels k = KernelSelection.kernels();
        int java = Runtime.version().feature();
        // 19 to 21 have the API as a preview, which may or may not resolve: not asserted
        if (!(k instanceof ScalarKernels) && (java >= 22 || java < 19)) {
            assertEquals(java >= 22, k.direct() != null, "direct-buffer kernels on Java " + java + " with "
                    + k.description());
        }
    }

    @Test
    void directKernelsGiveTheArrayKernelsBits() {
        FloatKernels k = KernelSelection.kernels();
        DirectBufferKernels d = k.direct();
        assumeTrue(d != null, "no direct-buffer kernels here (Java " + Runtime.version().feature() + ", "
                + k.description() + "): direct buffers are staged, which PointwiseStorageTest covers");
        float[] x = new float[N];
        float[] y = new float[N];
        float[] signs = new float[N];
        SplittableRandom r = new SplittableRandom(22);
        for (int i = 0; i < N; i++) {
            x[i] = (float) (3 * r.nextGaussian());
            y[i] = (float) (3 * r.nextGaussian());
            signs[i] = r.nextBoolean() ? 1f : -1f;
        }
        float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, 1e30f, -20f};
        System.arraycopy(edges, 0, x, FloatKernels.BLOCK + 3, edges.length);
        y[FloatKernels.BLOCK + 20] = x[FloatKernels.BLOCK + 20] + 1f; // |d| = 1: huber's kink
        List<Kernel> kernels = List.of(
                new Kernel("mse", false, (a, b, g, v, from, to) -> k.squaredError(a, b, g, v, from, to, 0.25f),
                        (a, b, g, v, from, to) -> d.squaredError(a, b, g, v, from, to, 0.25f)),
                new Kernel("huber 1", false,
                        (a, b, g, v, from, to) -> k.regression().piecewise(a, b, g, v, from, to, 1f, 1f, 1f, 0.25f),
                        (a, b, g, v, from, to) -> d.piecewise(a, b, g, v, from, to, 1f, 1f, 1f, 0.25f)),
                new Kernel("mae", false,
                        (a, b, g, v, from, to) -> k.regression().piecewise(a, b, g, v, from, to, 0f, 1f, 1f, 0.25f),
                        (a, b, g, v, from, to) -> d.piecewise(a, b, g, v, from, to, 0f, 1f, 1f, 0.25f)),
                new Kernel("smooth_l1 0.5", false,
                        (a, b, g, v, from, to) -> k.regression().piecewise(a, b, g, v, from, to, 0.5f, 2f, 1f, 0.25f),
                        (a, b, g, v, from, to) -> d.piecewise(a, b, g, v, from, to, 0.5f, 2f, 1f, 0.25f)),
                new Kernel("log_cosh", false,
                        (a, b, g, v, from, to) -> k.regression().logCosh(a, b, g, v, from, to, 0.25f),
                        (a, b, g, v, from, to) -> d.logCosh(a, b, g, v, from, to, 0.25f)),
                new Kernel("hinge", true, (a, b, g, v, from, to) -> k.hinge(a, b, g, v, from, to, 1f, 0.25f),
                        (a, b, g, v, from, to) -> d.hinge(a, b, g, v, from, to, 1f, 0.25f)),
                new Kernel("squared_hinge", true,
                        (a, b, g, v, from, to) -> k.squaredHinge(a, b, g, v, from, to, 1f, 0.25f),
                        (a, b, g, v, from, to) -> d.squaredHinge(a, b, g, v, from, to, 1f, 0.25f)));
        for (Kernel kernel : kernels) {
            float[] ya = kernel.signs() ? signs : y;
            Object xm = d.memory(direct(x));
            Object ym = d.memory(direct(ya));
            FloatBuffer gb = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.nativeOrder()).asFloatBuffer();
            Object gm = d.memory(gb);
            float[] g = new float[N];
            float[] values = new float[N];
            float[] directValues = new float[N];
            for (int from = 0; from < N; from += FloatKernels.BLOCK) {
                int to = from + FloatKernels.BLOCK;
                double want = kernel.onArrays().sum(x, ya, g, values, from, to);
                double got = kernel.onBuffers().sum(xm, ym, gm, directValues, from, to);
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                        kernel.name() + ", block at " + from + ": " + want + " vs " + got);
            }
            float[] dg = new float[N];
            gb.get(0, dg);
            assertArrayEquals(g, dg, kernel.name() + ": gradient");
            assertArrayEquals(values, directValues, kernel.name() + ": values");
        }
    }

    /** One block of a kernel on operands of type {@code T} (arrays or direct-buffer handles). */
    interface Call<T> {
        double sum(T x, T y, T g, float[] values, int from, int to);
    }

    /** A kernel's array and direct-buffer forms; {@code signs}: targets of ±1. */
    record Kernel(String name, boolean signs, Call<float[]> onArrays, Call<Object> onBuffers) {
    }

    /**
     * {@code a} in a direct buffer of native order one byte off the allocation's alignment (the
     * vector accesses need none), its position moved (element 0 stays at index 0).
     */
    private static FloatBuffer direct(float[] a) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length + 1).position(1).slice().order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(a);
        return b;
    }
}
