package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.lossengine.Loss;
import io.github.lossengine.LossResult;
import io.github.lossengine.Losses;
import io.github.lossengine.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direct-buffer kernels ({@link DirectBufferKernels}) exist where the Vector API kernels run on
 * Java 17 and 18 (ByteBuffer views through {@link UnsafeBufferViews}) and on Java 22 or later
 * (MemorySegment), and give the array kernels' bits: sums, gradients and values, block by block at an
 * offset into the buffers, with NaN, infinities, zeros and values on the kinks, on buffers misaligned by
 * 0 to 3 bytes, slices and read-only views. Where a buffer cannot be read in place it is staged, with
 * the same bits.
 */
class DirectBufferKernelsTest {
    private static final int N = 3 * FloatKernels.BLOCK;

    @Test
    void inPlaceWithTheVectorApiOnJava17To18And22On() {
        assertNull(new ScalarKernels().direct(), "the scalar kernels stage direct buffers");
        assertTrue(new ScalarKernels().directBuffers().startsWith("staged: "));
        FloatKernels k = KernelSelection.kernels();
        assertTrue(KernelSelection.active().line().contains("direct buffers " + k.directBuffers()),
                KernelSelection.active().line());
        int java = Runtime.version().feature();
        // 19 to 21 have MemorySegment as a preview only and no fromByteBuffer: staged, not asserted
        if (!(k instanceof ScalarKernels) && (java >= 22 || java < 19)) {
            assertNotNull(k.direct(), "direct-buffer kernels on Java " + java + " with " + k.description() + ": "
                    + k.directBuffers());
            assertEquals(java >= 22 ? VectorDirectBufferKernels.SEGMENTS : VectorDirectBufferKernels.UNSAFE_VIEWS,
                    k.directBuffers());
        }
    }

    @Test
    void theDecisionStagesWhenNeitherApiOrNoViewResolves() {
        assertEquals(VectorDirectBufferKernels.SEGMENTS, VectorDirectBufferKernels.reads(true, false, null));
        assertEquals(VectorDirectBufferKernels.UNSAFE_VIEWS, VectorDirectBufferKernels.reads(false, true, null));
        assertEquals("staged: no Unsafe", VectorDirectBufferKernels.reads(false, true, "no Unsafe"));
        assertTrue(VectorDirectBufferKernels.reads(false, false, null).startsWith("staged: "));
    }

    @Test
    void byteOffsetsBeyondAnIntAreStaged() {
        int max = Integer.MAX_VALUE;
        assertTrue(UnsafeBufferViews.Bounds.fits(0, 10, 40));
        assertTrue(UnsafeBufferViews.Bounds.fits(3, 10, 43));
        assertFalse(UnsafeBufferViews.Bounds.fits(4, 10, 43), "past the ByteBuffer's end");
        assertFalse(UnsafeBufferViews.Bounds.fits(-4, 10, 43), "before its start");
        assertTrue(UnsafeBufferViews.Bounds.fits(3, max / 4, max));
        assertFalse(UnsafeBufferViews.Bounds.fits(4, max / 4, max), "the last byte beyond Integer.MAX_VALUE");
        assertFalse(UnsafeBufferViews.Bounds.fits(0, max / 4 + 1, 8L * max), "4 * floats overflows an int");
        assertFalse(UnsafeBufferViews.Bounds.fits(0, 1L << 31, 1L << 33), "a 2^31-float buffer");
        assertFalse(UnsafeBufferViews.Bounds.fits(1L << 31, 1, (1L << 31) + 4), "an offset beyond an int");
    }

    @Test
    void viewsOnJava17To18SeeTheFloatBuffersMemory() {
        // only where the ByteBuffer path is the one in use: elsewhere Unsafe is never looked up
        assumeTrue(VectorDirectBufferKernels.UNSAFE_VIEWS.equals(KernelSelection.kernels().directBuffers()),
                "ByteBuffer views are used only on Java 17 and 18 with the Vector API; here: "
                        + KernelSelection.kernels().directBuffers());
        assertNull(UnsafeBufferViews.REASON);
        ByteBuffer root = ByteBuffer.allocateDirect(4 * 20 + 3);
        for (int skew = 0; skew < 4; skew++) {
            FloatBuffer f = root.clear().position(skew).slice().order(ByteOrder.nativeOrder()).asFloatBuffer()
                    .position(2).slice();
            root.limit(1); // the user's position and limit of the root play no part
            ByteBuffer v = UnsafeBufferViews.view(f);
            assertNotNull(v, "skew " + skew);
            assertEquals(4 * f.limit(), v.capacity());
            for (int i = 0; i < f.capacity(); i++) {
                f.put(i, skew * 100 + i + 0.5f);
                assertEquals(skew * 100 + i + 0.5f, v.getFloat(4 * i), "skew " + skew + " element " + i);
            }
            v.putFloat(4 * 3, -9f);
            assertEquals(-9f, f.get(3));
            assertNotNull(UnsafeBufferViews.view(f.asReadOnlyBuffer()), "read-only views are read in place");
        }
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        assertNull(UnsafeBufferViews.view(ByteBuffer.allocateDirect(64).order(other).asFloatBuffer()), "other order");
        assertNull(UnsafeBufferViews.view(FloatBuffer.allocate(16)), "heap");
        assertNull(UnsafeBufferViews.view(null));
    }

    @Test
    void zeroClearsExactlyTheRange() {
        DirectBufferKernels d = KernelSelection.kernels().direct();
        assumeTrue(d != null, "no direct-buffer kernels here: " + KernelSelection.kernels().directBuffers());
        int n = 100;
        for (int skew = 0; skew < 4; skew++) {
            float[] junk = new float[n];
            java.util.Arrays.fill(junk, 7.5f);
            FloatBuffer b = direct(junk, skew);
            Object m = d.memory(b);
            d.zero(m, 3, 3 + 2 * FloatKernels.LANES + 5);
            d.zero(m, 90, 90);
            for (int i = 0; i < n; i++) {
                boolean cleared = i >= 3 && i < 3 + 2 * FloatKernels.LANES + 5;
                assertEquals(cleared ? 0f : 7.5f, b.get(i), "skew " + skew + ", element " + i);
            }
        }
    }

    /** A buffer no view can be made of is staged: the fused losses give the arrays' bits. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mse", "huber", "log_cosh", "hinge"})
    void buffersThatCannotBeReadInPlaceAreStaged(String name) {
        FloatKernels k = KernelSelection.kernels();
        DirectBufferKernels d = k.direct();
        assumeTrue(d != null, "no direct-buffer kernels here: " + k.directBuffers());
        DirectBufferKernels none = (DirectBufferKernels) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DirectBufferKernels.class}, (p, m, a) -> {
                    if (m.getName().equals("memory")) {
                        return null;
                    }
                    throw new AssertionError("called " + m.getName() + " after memory() answered null");
                });
        FloatKernels staging = (FloatKernels) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {FloatKernels.class}, (p, m, a) -> {
                    if (m.getName().equals("direct")) {
                        return none;
                    }
                    try {
                        return m.invoke(k, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Loss loss = Losses.byName(name);
        int n = 2 * FloatKernels.BLOCK + 13;
        SplittableRandom r = new SplittableRandom(17);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = name.equals("hinge") ? (r.nextBoolean() ? 1f : -1f) : (float) r.nextGaussian();
        }
        Tensor g0 = Tensor.zeros(n);
        LossResult want = new CpuBackend(2, k).compute(loss, new Tensor[] {Tensor.of(x), Tensor.of(y)},
                new Tensor[] {g0, null});
        for (FloatKernels kernels : List.of(k, staging)) {
            FloatBuffer gb = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            LossResult got = new CpuBackend(2, kernels).compute(loss,
                    new Tensor[] {Tensor.of(direct(x)), Tensor.of(direct(y))}, new Tensor[] {Tensor.of(gb), null});
            String what = name + (kernels == k ? " in place" : " staged");
            assertEquals(Double.doubleToLongBits(want.value()), Double.doubleToLongBits(got.value()), what);
            float[] dg = new float[n];
            gb.get(0, dg);
            assertArrayEquals(g0.toFloatArray(), dg, what + ": gradient");
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
        for (int skew = 0; skew < 4; skew++) {
          for (Kernel kernel : kernels) {
            float[] ya = kernel.signs() ? signs : y;
            Object xm = d.memory(direct(x, skew));
            Object ym = d.memory(sliceOfAView(ya, skew).asReadOnlyBuffer());
            FloatBuffer gb = direct(new float[N], 3 - skew);
            Object gm = d.memory(gb);
            assertNotNull(xm, "skew " + skew);
            assertNotNull(ym, "skew " + skew);
            assertNotNull(gm, "skew " + skew);
            float[] g = new float[N];
            float[] values = new float[N];
            float[] directValues = new float[N];
            for (int from = 0; from < N; from += FloatKernels.BLOCK) {
                int to = from + FloatKernels.BLOCK;
                double want = kernel.onArrays().sum(x, ya, g, values, from, to);
                double got = kernel.onBuffers().sum(xm, ym, gm, directValues, from, to);
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                        kernel.name() + ", skew " + skew + ", block at " + from + ": " + want + " vs " + got);
            }
            float[] dg = new float[N];
            gb.get(0, dg);
            assertArrayEquals(g, dg, kernel.name() + ": gradient");
            assertArrayEquals(values, directValues, kernel.name() + ": values");
          }
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
     * {@code a} in a direct buffer of native order {@code skew} bytes off the allocation's alignment (the
     * vector accesses need none).
     */
    private static FloatBuffer direct(float[] a, int skew) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length + skew).position(skew).slice()
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(a);
        return b;
    }

    private static FloatBuffer direct(float[] a) {
        return direct(a, 1);
    }

    /**
     * {@code a} as a slice, 5 elements in, of a float view of a byte slice {@code skew} bytes into a
     * direct buffer whose own position and limit then move (element 0 stays at index 0).
     */
    private static FloatBuffer sliceOfAView(float[] a, int skew) {
        ByteBuffer root = ByteBuffer.allocateDirect(4 * (a.length + 9) + skew);
        FloatBuffer b = root.position(skew).slice().order(ByteOrder.nativeOrder()).asFloatBuffer().position(5).slice();
        b.put(a).flip();
        b.position(7);
        root.position(9).limit(12);
        return b;
    }
}
