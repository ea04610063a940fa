package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.RegressionKernels.LOG_COSH_LINEAR;
import static io.github.lossengine.cpu.VectorMath.sumLanes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectBufferKernels} on the Vector API. On Java 22 and later a direct buffer's memory is a
 * {@code java.lang.foreign.MemorySegment} ({@code MemorySegment.ofBuffer}), read and written with
 * {@code FloatVector.fromMemorySegment} and {@code intoMemorySegment} in native byte order. On Java 17
 * and 18 (where those do not exist, and where {@code fromByteBuffer} still does: it went in Java 19)
 * it is a {@code ByteBuffer} over the same memory from {@link UnsafeBufferViews}, read and written with
 * {@code FloatVector.fromByteBuffer} and {@code intoByteBuffer}; {@link UnsafeBufferViews} is only
 * loaded (and {@code sun.misc.Unsafe} only looked up) where the MemorySegment path does not resolve.
 * The library compiles for Java 17 and runs on 25, so both are method handles looked up once, typed
 * {@code (species, Object memory, long byte offset, order)} (the {@code int} offset of
 * {@code fromByteBuffer} narrowed by {@code explicitCastArguments}; a view is at most
 * {@code Integer.MAX_VALUE} bytes, {@link UnsafeBufferViews.Bounds#fits}); {@link #INSTANCE} is null,
 * and direct buffers are staged, where neither resolves or the views fail their self-test
 * ({@link #READS} says which). As {@code static final} constants C2 inlines the handles into the loops
 * like direct calls. Measured: mse 16M on one thread, Temurin 25, 1.17x the {@code float[]} kernel's
 * time under a load of 7 on 2 cores (staged copies about 2x); the storage table on JDK 17 in
 * bench/performance-notes.md, "Storage kinds". The row kernels live in {@link VectorDirectRowKernels}, on this class's
 * {@link #load} and {@link #store}. Each lane computes what the array kernels' lane computes
 * ({@link VectorKernels}, {@link VectorRegressionKernels}), so the bits are the same. Stateless and
 * thread-safe.
 */
final class VectorDirectBufferKernels implements DirectBufferKernels {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = VectorMath.L;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final String IN_PLACE = "in place";
    static final String SEGMENTS = IN_PLACE + " (MemorySegment)";
    static final String UNSAFE_VIEWS = IN_PLACE + " (ByteBuffer via Unsafe, Java 17-18)";

    /** {@code MemorySegment.ofBuffer}, or null where direct buffers are read as {@code ByteBuffer}s or staged. */
    private static final MethodHandle OF_BUFFER;
    /** {@code (species, memory, byte offset, order)}: {@code fromMemorySegment} or {@code fromByteBuffer}. */
    private static final MethodHandle LOAD;
    /** {@code (vector, memory, byte offset, order)}: {@code intoMemorySegment} or {@code intoByteBuffer}. */
    private static final MethodHandle STORE;
    private static final MethodHandle SLICE;
    private static final MethodHandle FILL;
    /** How direct buffers are read, for the kernel description: in place (and how) or staged (and why). */
    static final String READS;
    /** The kernels, or null where direct buffers are staged (see {@link #READS}). */
    static final VectorDirectBufferKernels INSTANCE;

    static {
        MethodHandle of = null;
        MethodHandle load = null;
        MethodHandle store = null;
        MethodHandle slice = null;
        MethodHandle fill = null;
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        try {
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            of = l.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class))
                    .asType(MethodType.methodType(Object.class, Buffer.class));
            load = l.findStatic(FloatVector.class, "fromMemorySegment",
                            MethodType.methodType(FloatVector.class, VectorSpecies.class, segment, long.class, ByteOrder.class))
                    .asType(MethodType.methodType(FloatVector.class, VectorSpecies.class, Object.class, long.class,
                            ByteOrder.class));
            store = l.findVirtual(FloatVector.class, "intoMemorySegment",
                            MethodType.methodType(void.class, segment, long.class, ByteOrder.class))
                    .asType(MethodType.methodType(void.class, FloatVector.class, Object.class, long.class, ByteOrder.class));
            slice = l.findVirtual(segment, "asSlice", MethodType.methodType(segment, long.class, long.class))
                    .asType(MethodType.methodType(Object.class, Object.class, long.class, long.class));
            fill = l.findVirtual(segment, "fill", MethodType.methodType(segment, byte.class))
                    .asType(MethodType.methodType(Object.class, Object.class, byte.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            of = null; // before Java 22 (19 to 21 without --enable-preview)
        }
        boolean byteBuffers = false;
        if (of == null) {
            try {
                // Java 17 and 18 only; the int byte offset is narrowed from the long the kernels pass
                load = MethodHandles.explicitCastArguments(l.findStatic(FloatVector.class, "fromByteBuffer",
                                MethodType.methodType(FloatVector.class, VectorSpecies.class, ByteBuffer.class, int.class,
                                        ByteOrder.class)),
                        MethodType.methodType(FloatVector.class, VectorSpecies.class, Object.class, long.class, ByteOrder.class));
                store = MethodHandles.explicitCastArguments(l.findVirtual(FloatVector.class, "intoByteBuffer",
                                MethodType.methodType(void.class, ByteBuffer.class, int.class, ByteOrder.class)),
                        MethodType.methodType(void.class, FloatVector.class, Object.class, long.class, ByteOrder.class));
                byteBuffers = true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                load = null;
                store = null;
            }
        }
        // UnsafeBufferViews is loaded (and Unsafe looked up) only here, never where MemorySegment resolved
        READS = reads(of != null, byteBuffers, byteBuffers ? UnsafeBufferViews.REASON : null);
        OF_BUFFER = of;
        LOAD = load;
        STORE = store;
        SLICE = slice;
        FILL = fill;
        INSTANCE = READS.startsWith(IN_PLACE) ? new VectorDirectBufferKernels() : null;
    }

    /**
     * How direct buffers are read, from what resolved: {@link #SEGMENTS} where {@code MemorySegment.ofBuffer}
     * and {@code fromMemorySegment} did, else {@link #UNSAFE_VIEWS} where {@code fromByteBuffer} did and
     * {@link UnsafeBufferViews} works ({@code viewsFailure} null), else {@code "staged: "} and why.
     */
    static String reads(boolean segments, boolean byteBuffers, String viewsFailure) {
        if (segments) {
            return SEGMENTS;
        }
        if (!byteBuffers) {
            return "staged: neither FloatVector.fromMemorySegment (Java 22+) nor fromByteBuffer (Java 17-18) resolves";
        }
        return viewsFailure == null ? UNSAFE_VIEWS : "staged: " + viewsFailure;
    }

    private VectorDirectBufferKernels() {
    }

    @Override
    public Object memory(FloatBuffer b) {
        if (OF_BUFFER == null) {
            return UnsafeBufferViews.view(b);
        }
        try {
            return (Object) OF_BUFFER.invokeExact((Buffer) b.duplicate().position(0));
        } catch (Throwable t) {
            return null; // staged
        }
    }

    @Override
    public int firstNotPlusMinusOne(Object m, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> bad = load(m, i).abs().compare(VectorOperators.NE, 1f);
            if (bad.anyTrue()) {
                return i + bad.firstTrue();
            }
        }
        return -1;
    }

    @Override
    public void marginStretch(Object x, FloatBuffer xb, int from, int to, float shift, int p, float wy, float scale,
                              Object g, FloatBuffer gb, double[] sums) {
        VectorDirectRowKernels.marginStretch(x, xb, from, to, shift, p, wy, scale, g, gb, sums);
    }

    @Override
    public void zero(Object m, long from, long to) {
        if (FILL == null) {
            ByteBuffer b = (ByteBuffer) m;
            int i = Math.toIntExact(from);
            int end = Math.toIntExact(to);
            FloatVector z = FloatVector.zero(F);
            for (; i <= end - L; i += L) {
                store(z, m, i);
            }
            for (; i < end; i++) {
                b.putFloat(4 * i, 0f);
            }
            return;
        }
        try {
            Object s = (Object) SLICE.invokeExact(m, 4 * from, 4 * (to - from));
            Object filled = (Object) FILL.invokeExact(s, (byte) 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static FloatVector load(Object m, int i) {
        try {
            return (FloatVector) LOAD.invokeExact(F, m, 4L * i, ORDER);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void store(FloatVector v, Object m, int i) {
        try {
            STORE.invokeExact(v, m, 4L * i, ORDER);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new IllegalStateException(t);
    }

    /** Writes the lanes' gradients and values at {@code i} where wanted; returns {@code acc + l}. */
    private static FloatVector emit(FloatVector acc, FloatVector l, FloatVector dl, Object g, float[] values, int i) {
        if (g != null) {
            store(dl, g, i);
        }
        if (values != null) {
            l.intoArray(values, i);
        }
        return acc.add(l);
    }

    @Override
    public double squaredError(Object x, Object y, Object g, float[] values, int from, int to, float gScale) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < to; i += L) {
            FloatVector d = load(x, i).sub(load(y, i));
            FloatVector l = d.mul(d);
            acc = emit(acc, l, d.add(d).mul(gScale), g, values, i);
        }
        return sumLanes(acc);
    }

    @Override
    public double hinge(Object x, Object y, Object g, float[] values, int from, int to, float margin, float gScale) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc = zero;
        for (int i = from; i < to; i += L) {
            FloatVector yi = load(y, i);
            FloatVector t = FloatVector.broadcast(F, margin).sub(yi.mul(load(x, i)));
            FloatVector l = zero.max(t);
            FloatVector gi = yi.mul(-gScale).blend(0f, t.compare(VectorOperators.LT, 0f));
            acc = emit(acc, l, gi.blend(Float.NaN, t.test(VectorOperators.IS_NAN)), g, values, i);
        }
        return sumLanes(acc);
    }

    @Override
    public double squaredHinge(Object x, Object y, Object g, float[] values, int from, int to, float margin,
                               float gScale) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc = zero;
        for (int i = from; i < to; i += L) {
            FloatVector yi = load(y, i);
            FloatVector h = zero.max(FloatVector.broadcast(F, margin).sub(yi.mul(load(x, i))));
            FloatVector l = h.mul(h);
            acc = emit(acc, l, yi.mul(-2f).mul(h).mul(gScale), g, values, i);
        }
        return sumLanes(acc);
    }

    @Override
    public double piecewise(Object x, Object y, Object g, float[] values, int from, int to, float beta, float quad,
                            float lin, float gScale) {
        float half = 0.5f * beta;
        FloatVector acc = FloatVector.zero(F);
        for (int i = from; i < to; i += L) {
            FloatVector d = load(x, i).sub(load(y, i));
            FloatVector a = d.abs();
            VectorMask<Float> inside = a.compare(VectorOperators.LT, beta);
            FloatVector l = a.sub(half).mul(lin).blend(a.mul(0.5f).mul(a).mul(quad), inside);
            FloatVector dl = VectorRegressionKernels.signum(d).mul(lin).blend(d.mul(quad), inside);
            acc = emit(acc, l, dl.mul(gScale), g, values, i);
        }
        return sumLanes(acc);
    }

    /** As {@code VectorRegressionKernels.logCosh}: a gradient loop and a value loop (each small enough to inline), the second behind a handle. */
    @Override
    public double logCosh(Object x, Object y, Object g, float[] values, int from, int to, float gScale) {
        float[][] s = Scratch.get(2);
        float[] abs = s[0];
        float[] u = s[1];
        for (int i = from; i < to; i += L) {
            FloatVector d = load(x, i).sub(load(y, i));
            FloatVector a = d.abs();
            FloatVector e = VectorMath.expm1(a);
            FloatVector q = e.mul(e.add(2f));
            FloatVector t = q.div(q.add(2f)).blend(1f, a.compare(VectorOperators.GE, LOG_COSH_LINEAR));
            if (g != null) {
                store(t.blend(t.neg(), d.compare(VectorOperators.LT, 0f)).mul(gScale), g, i);
            }
            a.intoArray(abs, i - from);
            e.mul(e).div(e.add(1f).mul(2f)).intoArray(u, i - from);
        }
        return VectorRegressionKernels.logCoshValues(logCoshValues, values, from, to, abs, u);
    }

    /** The value loop behind a handle C2 does not inline, as {@code VectorRegressionKernels} calls it (its Javadoc says why). */
    private final MethodHandle logCoshValues = VectorRegressionKernels.valuesLoop();
}
