package io.github.lossengine.cpu;

import java.nio.FloatBuffer;

/**
 * The element-wise kernels of {@link FloatKernels} and {@link RegressionKernels} reading and writing
 * direct {@link FloatBuffer}s of native byte order in place, through handles made once per call by
 * {@link #memory}, and the Weston-Watkins multi-class hinge's row stretch ({@link #marginStretch},
 * any range, its partial vectors through the scalar tail). Each element-wise call is one block of whole vectors ({@code to - from} a multiple of
 * {@link FloatKernels#LANES}, at most {@link FloatKernels#BLOCK}), with the operations and lane order
 * of the array kernels, so the same bits; a block with a remainder goes through the array kernels
 * (staged). Only the Vector API kernels have them: on Java 22 and later through
 * {@code MemorySegment.ofBuffer} and {@code FloatVector.fromMemorySegment}; on Java 17 and 18, whose
 * Vector API reads arrays and {@code ByteBuffer}s but never a {@code FloatBuffer}, through
 * {@code FloatVector.fromByteBuffer} on a {@code ByteBuffer} view of the same memory
 * ({@link UnsafeBufferViews}); 19 to 21 have neither without {@code --enable-preview}.
 * {@link FloatKernels#direct()} is null elsewhere, and {@link FloatKernels#directBuffers()} says which
 * (the kernel description of {@code KernelSelection}). Stateless and thread-safe.
 */
interface DirectBufferKernels {

    /**
     * A handle on the memory of {@code b} (direct, native order) from its element 0 to its limit, for the
     * methods below, or null when this buffer cannot be read in place (the caller stages it; on Java 17
     * and 18 a buffer that is not a view of a direct {@code ByteBuffer} within {@code int} byte offsets).
     */
    Object memory(FloatBuffer b);

    /**
     * The first index of {@code [from, to)} (a whole number of vectors) whose value is not exactly -1
     * or +1, or -1: {@link FloatKernels#firstNotPlusMinusOne} on a handle.
     */
    int firstNotPlusMinusOne(Object m, int from, int to);

    /**
     * {@link PairKernels#marginStretch(float[], int, int, float, int, float, float, float[], double[])}
     * on handles: scores {@code x} and gradient {@code g} (or null) direct buffers of native order, at
     * any {@code from} and {@code to}; each block's last partial vector goes through the scalar tail on
     * a few elements read from and written to {@code xb} and {@code gb} (the buffers behind the
     * handles). The same bits as the array kernel.
     */
    void marginStretch(Object x, FloatBuffer xb, int from, int to, float shift, int p, float wy, float scale, Object g,
                       FloatBuffer gb, double[] sums);

    /** Sets elements {@code [from, to)} of the buffer behind {@code m} to +0 (one fill of its memory). */
    void zero(Object m, long from, long to);

    /** {@link FloatKernels#squaredError(float[], float[], float[], float[], int, int, float)} on handles ({@code g} may be null). */
    double squaredError(Object x, Object y, Object g, float[] values, int from, int to, float gScale);

    /** {@link FloatKernels#hinge(float[], float[], float[], float[], int, int, float, float)} on handles. */
    double hinge(Object x, Object y, Object g, float[] values, int from, int to, float margin, float gScale);

    /** {@link FloatKernels#squaredHinge(float[], float[], float[], float[], int, int, float, float)} on handles. */
    double squaredHinge(Object x, Object y, Object g, float[] values, int from, int to, float margin, float gScale);

    /** {@link RegressionKernels#piecewise(float[], float[], float[], float[], int, int, float, float, float, float)} on handles. */
    double piecewise(Object x, Object y, Object g, float[] values, int from, int to, float beta, float quad, float lin,
                     float gScale);

    /** {@link RegressionKernels#logCosh(float[], float[], float[], float[], int, int, float)} on handles. */
    double logCosh(Object x, Object y, Object g, float[] values, int from, int to, float gScale);
}
