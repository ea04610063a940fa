package io.github.lossengine.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A {@link ByteBuffer} over the same memory as a direct {@link FloatBuffer}, for the Vector API of
 * Java 17 and 18, which reads and writes {@code ByteBuffer}s ({@code FloatVector.fromByteBuffer}) but
 * no {@code FloatBuffer}, and where Java has no public way from one to the other. A direct
 * {@code FloatBuffer} is always a view made by {@code asFloatBuffer} (of a {@code ByteBuffer}, or a
 * slice or duplicate of such a view) and keeps that {@code ByteBuffer} in its private field
 * {@code att}; both have the private field {@code Buffer.address}, the address of their element 0.
 * Both fields are read with {@code sun.misc.Unsafe} (module {@code jdk.unsupported}, reachable without
 * flags, as Netty's {@code PlatformDependent0} reads {@code Buffer.address}), found reflectively (no
 * compile-time reference) and only when this class initialises, which
 * {@code VectorDirectBufferKernels} does only where {@code MemorySegment.ofBuffer} does not resolve
 * (JDK 24 and later warn when Unsafe's memory-access methods are used; there the MemorySegment path
 * wins and this class is never loaded). The result is a slice of that {@code ByteBuffer} starting at
 * the float buffer's byte offset into it.
 *
 * <p>Every step that can fail (another JDK's internals, a security manager, a field not where it is
 * expected) makes {@link #REASON} non-null and {@link #view} answer null, which its callers take as
 * "stage this buffer through arrays"; nothing is thrown to a user. Before any view is trusted, a
 * self-test once per JVM writes known floats through a {@code FloatBuffer} view at an unaligned offset
 * and reads them through the derived {@code ByteBuffer}, and the reverse. Stateless after
 * initialisation and thread-safe.
 */
final class UnsafeBufferViews {
    /** Null when views work on this JVM, else why not (for the kernel description). */
    static final String REASON;
    private static final MethodHandle GET_LONG;
    private static final MethodHandle GET_OBJECT;
    private static final long ADDRESS;
    private static final long ATT_NATIVE;
    /** The class declaring {@code att} for native-order direct float buffers; only its instances are read. */
    private static final Class<?> ATT_OWNER;

    static {
        String reason = null;
        MethodHandle getLong = null;
        MethodHandle getObject = null;
        long address = -1;
        long att = -1;
        Class<?> owner = null;
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            MethodHandle offset = l.findVirtual(unsafeClass, "objectFieldOffset",
                    MethodType.methodType(long.class, Field.class)).bindTo(unsafe);
            getLong = l.findVirtual(unsafeClass, "getLong", MethodType.methodType(long.class, Object.class, long.class))
                    .bindTo(unsafe);
            getObject = l.findVirtual(unsafeClass, "getObject",
                    MethodType.methodType(Object.class, Object.class, long.class)).bindTo(unsafe);
            address = (long) offset.invokeExact(Buffer.class.getDeclaredField("address"));
            Field f = attField(ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asFloatBuffer().getClass());
            att = (long) offset.invokeExact(f);
            owner = f.getDeclaringClass();
        } catch (Throwable t) {
            reason = "no access to a direct FloatBuffer's ByteBuffer (" + t + ")";
        }
        GET_LONG = getLong;
        GET_OBJECT = getObject;
        ADDRESS = address;
        ATT_NATIVE = att;
        ATT_OWNER = owner;
        REASON = reason != null ? reason : selfTest();
    }

    private UnsafeBufferViews() {
    }

    /** The field {@code att} of {@code c} or its superclasses. */
    private static Field attField(Class<?> c) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                return k.getDeclaredField("att");
            } catch (NoSuchFieldException e) {
                // its superclass
            }
        }
        throw new NoSuchFieldException(c.getName() + ".att");
    }

    /**
     * A native-order {@code ByteBuffer} whose byte {@code 4 * i} is element {@code i} of {@code b} for
     * {@code i} below {@code b}'s limit, or null where there is none: views unavailable on this JVM,
     * {@code b} not direct or not of native order, or not what {@link Bounds#fits} accepts.
     */
    static ByteBuffer view(FloatBuffer b) {
        if (REASON != null || b == null || !b.isDirect() || b.order() != ByteOrder.nativeOrder()
                || !ATT_OWNER.isInstance(b)) {
            return null;
        }
        try {
            Object root = (Object) GET_OBJECT.invokeExact((Object) b, ATT_NATIVE);
            if (!(root instanceof ByteBuffer) || !((ByteBuffer) root).isDirect()) {
                return null;
            }
            ByteBuffer r = ((ByteBuffer) root).duplicate(); // the user's position and limit stay theirs
            long offset = (long) GET_LONG.invokeExact((Object) b, ADDRESS) - (long) GET_LONG.invokeExact((Object) r, ADDRESS);
            if (!Bounds.fits(offset, b.limit(), r.capacity())) {
                return null;
            }
            return r.clear().slice((int) offset, 4 * b.limit()).order(ByteOrder.nativeOrder());
        } catch (Throwable t) {
            return null; // stage this buffer
        }
    }

    /** Null when views read and write what a {@code FloatBuffer} does, at an unaligned offset; else what went wrong. */
    private static String selfTest() {
        try {
            ByteBuffer root = ByteBuffer.allocateDirect(4 * 40 + 3);
            FloatBuffer f = root.position(3).slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
            f = f.position(5).slice();
            ByteBuffer v = view(f);
            if (v == null || v.capacity() != 4 * f.capacity()) {
                return "the self-test found no view of a FloatBuffer";
            }
            for (int i = 0; i < f.capacity(); i++) {
                f.put(i, i * 1.5f - 7f);
            }
            for (int i = 0; i < f.capacity(); i++) {
                if (Float.floatToRawIntBits(v.getFloat(4 * i)) != Float.floatToRawIntBits(i * 1.5f - 7f)) {
                    return "the self-test read element " + i + " wrong through the view";
                }
                v.putFloat(4 * i, -i * 0.25f);
            }
            for (int i = 0; i < f.capacity(); i++) {
                if (Float.floatToRawIntBits(f.get(i)) != Float.floatToRawIntBits(-i * 0.25f)) {
                    return "the self-test wrote element " + i + " wrong through the view";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "the self-test failed: " + e;
        }
    }

    /** The offset arithmetic, in a class of its own so that testing it does not initialise (and look up Unsafe in) the outer one. */
    static final class Bounds {
        private Bounds() {
        }

        /**
         * Whether {@code floats} floats from byte {@code offset} lie inside a {@code ByteBuffer} of
         * {@code capacity} bytes and every byte offset of them ({@code 4 * i}, an {@code int} for
         * {@code fromByteBuffer}) fits an {@code int}; else the buffer is staged rather than read at an
         * overflowed offset.
         */
        static boolean fits(long offset, long floats, long capacity) {
            return offset >= 0 && floats >= 0 && floats <= Integer.MAX_VALUE / 4 && offset <= capacity
                    && 4 * floats <= capacity - offset && capacity <= Integer.MAX_VALUE;
        }
    }
}
