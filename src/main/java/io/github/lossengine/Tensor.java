package io.github.lossengine;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A view of a dense, row-major (C order) array with a shape: the one input and output type of
 * lossengine.
 *
 * <p>A tensor wraps caller storage without copying: a heap {@code float[]}, {@code int[]} or
 * {@code long[]}, a {@link FloatBuffer} (heap or direct), or for the 16-bit float types
 * ({@link DType#BFLOAT16}, {@link DType#FLOAT16}) a {@code short[]} or {@link ShortBuffer} of bit
 * patterns, or a range of a {@code float[]} ({@link #ofRange}). 16-bit elements are read as their
 * exact float32 values and written rounded to nearest even ({@link HalfFloats}). Element positions are {@code long} so
 * that storage kinds with more than 2<sup>31</sup> elements (device memory) can be added without
 * changing callers; the storage kinds available today hold at most {@code Integer.MAX_VALUE}
 * elements.
 *
 * <p>lossengine never writes into a tensor passed as an input. It writes only into tensors passed as
 * gradient outputs.
 *
 * <p>Thread-safety: a tensor is as thread-safe as its storage (what a call does with storage another
 * thread writes: {@link LossEngine}, "Inputs during a call"). The view itself is immutable; a
 * {@link FloatBuffer} is read with absolute get and put, which never move its position.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final long size;
    private final float[] floats;
    private final FloatBuffer buffer;
    private final int[] ints;
    private final long[] longs;
    private final short[] shorts;
    private final ShortBuffer shortBuffer;

    private Tensor(DType dtype, long[] shape, float[] floats, FloatBuffer buffer, int[] ints, long[] longs,
                   long capacity) {
        this(dtype, shape, floats, buffer, ints, longs, null, null, capacity);
    }

    private Tensor(DType dtype, long[] shape, float[] floats, FloatBuffer buffer, int[] ints, long[] longs,
                   short[] shorts, ShortBuffer shortBuffer, long capacity) {
        this.shorts = shorts;
        this.shortBuffer = shortBuffer;
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = elements(this.shape);
        if (n != capacity) {
            throw new IllegalArgumentException("shape " + Arrays.toString(this.shape) + " has " + n
                    + " elements but the storage holds " + capacity);
        }
        this.size = n;
        this.floats = floats;
        this.buffer = buffer;
        this.ints = ints;
        this.longs = longs;
    }

    /** Wraps a {@code float[]} without copying. With no shape given, the tensor is 1-D. */
    public static Tensor of(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return new Tensor(DType.FLOAT32, shapeOr(shape, data.length), data, null, null, null, data.length);
    }

    /**
     * Wraps a {@link FloatBuffer} without copying; elements are {@code buffer.get(0)} to
     * {@code buffer.get(limit - 1)}, independent of its position.
     */
    public static Tensor of(FloatBuffer data, long... shape) {
        Objects.requireNonNull(data, "data");
        return new Tensor(DType.FLOAT32, shapeOr(shape, data.limit()), null, data, null, null, data.limit());
    }

    /**
     * Wraps {@code data[offset ..]} without copying: a view of part of a larger array (a partial
     * batch, one micro-batch of a bigger buffer). With no shape given, the view runs to the end of
     * the array. The view is a heap {@link FloatBuffer} slice, and computes as fast as a whole array.
     *
     * @throws IllegalArgumentException when {@code offset} is negative or the shape does not fit
     *                                  between {@code offset} and the end of {@code data}
     */
    public static Tensor ofRange(float[] data, int offset, long... shape) {
        Objects.requireNonNull(data, "data");
        if (offset < 0 || offset > data.length) {
            throw new IllegalArgumentException("offset " + offset + " is outside the array of " + data.length + " floats");
        }
        long[] s = shapeOr(shape, data.length - offset);
        long n = elements(s);
        if (n > data.length - (long) offset) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " has " + n + " elements but the array holds "
                    + (data.length - offset) + " from offset " + offset);
        }
        return of(FloatBuffer.wrap(data, offset, (int) n).slice(), s);
    }

    /** Wraps bfloat16 bit patterns (the top 16 bits of each float32) without copying. */
    public static Tensor ofBFloat16(short[] bits, long... shape) {
        return ofHalf(DType.BFLOAT16, bits, shape);
    }

    /** Wraps IEEE binary16 bit patterns without copying. */
    public static Tensor ofFloat16(short[] bits, long... shape) {
        return ofHalf(DType.FLOAT16, bits, shape);
    }

    /** Wraps a {@link ShortBuffer} of bfloat16 bit patterns without copying (absolute get/put, 0 to limit - 1). */
    public static Tensor ofBFloat16(ShortBuffer bits, long... shape) {
        return ofHalf(DType.BFLOAT16, bits, shape);
    }

    /** Wraps a {@link ShortBuffer} of IEEE binary16 bit patterns without copying. */
    public static Tensor ofFloat16(ShortBuffer bits, long... shape) {
        return ofHalf(DType.FLOAT16, bits, shape);
    }

    private static Tensor ofHalf(DType dtype, short[] bits, long[] shape) {
        Objects.requireNonNull(bits, "bits");
        return new Tensor(dtype, shapeOr(shape, bits.length), null, null, null, null, bits, null, bits.length);
    }

    private static Tensor ofHalf(DType dtype, ShortBuffer bits, long[] shape) {
        Objects.requireNonNull(bits, "bits");
        return new Tensor(dtype, shapeOr(shape, bits.limit()), null, null, null, null, null, bits, bits.limit());
    }

    /**
     * A new zero-filled tensor of {@code dtype} ({@link DType#FLOAT32}, {@link DType#BFLOAT16} or
     * {@link DType#FLOAT16}) on the heap.
     */
    public static Tensor zeros(DType dtype, long... shape) {
        if (!dtype.isHalf()) {
            if (dtype != DType.FLOAT32) {
                throw new IllegalArgumentException("zeros of " + dtype + ": only float types");
            }
            return zeros(shape);
        }
        long n = elements(shape);
        if (n > MAX_ARRAY) {
            throw new InvalidInputException("shape", Arrays.toString(shape) + " has " + n
                    + " elements, more than a heap array holds (" + MAX_ARRAY + ")");
        }
        return ofHalf(dtype, new short[(int) n], shape);
    }

    /** Wraps an {@code int[]} of class indices without copying. */
    public static Tensor ofInts(int[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return new Tensor(DType.INT32, shapeOr(shape, data.length), null, null, data, null, data.length);
    }

    /** Wraps a {@code long[]} of class indices without copying. */
    public static Tensor ofLongs(long[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        return new Tensor(DType.INT64, shapeOr(shape, data.length), null, null, null, data, data.length);
    }

    /**
     * A new zero-filled float tensor of the given shape, on the heap.
     *
     * @throws InvalidInputException (argument {@code shape}) for a negative dimension, or more elements
     *                               than a heap array holds
     */
    public static Tensor zeros(long... shape) {
        long n = elements(shape);
        if (n > MAX_ARRAY) {
            throw new InvalidInputException("shape", Arrays.toString(shape) + " has " + n
                    + " elements, more than a heap array holds (" + MAX_ARRAY + ")");
        }
        return of(new float[(int) n], shape);
    }

    /** The largest heap array the JVM allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * The number of elements of {@code shape}: 0 when a dimension is 0, whatever the others are.
     *
     * @throws InvalidInputException (argument {@code shape}) for a negative dimension, or a product
     *                               beyond {@code Long.MAX_VALUE}
     */
    static long elements(long[] shape) {
        long n = 1;
        boolean overflow = false;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw InvalidInputException.at("shape", d, Long.toString(shape[d]), "dimensions must be >= 0");
            }
            if (shape[d] == 0) {
                n = 0;
            } else if (n != 0 && n > Long.MAX_VALUE / shape[d]) {
                overflow = true;
            } else {
                n *= shape[d];
            }
        }
        if (overflow && n != 0) {
            throw new InvalidInputException("shape", Arrays.toString(shape) + " has more than 2^63 elements");
        }
        return overflow ? 0 : n;
    }

    private static long[] shapeOr(long[] shape, long length) {
        return shape == null || shape.length == 0 ? new long[] {length} : shape;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Extent of dimension {@code d}; negative {@code d} counts from the end. */
    public long dim(int d) {
        return shape[d < 0 ? shape.length + d : d];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** True when both shapes are equal. */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Element {@code i} (row-major position) as a float; integer types are converted. */
    public float getFloat(long i) {
        switch (dtype) {
            case FLOAT32:
                return floats != null ? floats[(int) i] : buffer.get((int) i);
            case INT32:
                return ints[(int) i];
            case INT64:
                return longs[(int) i];
            default:
                return HalfFloats.widen(dtype, shorts != null ? shorts[(int) i] : shortBuffer.get((int) i));
        }
    }

    /** Element {@code i} as a double (exact for every type but large {@code INT64} values). */
    public double getDouble(long i) {
        return dtype == DType.INT64 ? (double) longs[(int) i] : getFloat(i);
    }

    /** Element {@code i} of an integer tensor. */
    public long getLong(long i) {
        switch (dtype) {
            case INT32:
                return ints[(int) i];
            case INT64:
                return longs[(int) i];
            default:
                throw new IllegalStateException("getLong on a " + dtype + " tensor");
        }
    }

    /** Writes element {@code i} of a float tensor (a 16-bit one rounded to nearest even). */
    public void setFloat(long i, float v) {
        if (floats != null) {
            floats[(int) i] = v;
        } else if (buffer != null) {
            buffer.put((int) i, v);
        } else if (shorts != null) {
            shorts[(int) i] = HalfFloats.round(dtype, v);
        } else if (shortBuffer != null) {
            shortBuffer.put((int) i, HalfFloats.round(dtype, v));
        } else {
            throw new IllegalStateException("setFloat on a " + dtype + " tensor");
        }
    }

    /**
     * Copies elements {@code [from, from + len)} of a float tensor into {@code dst[off .. off + len)}:
     * one bulk copy for float32 storage (arrays and buffers, heap or direct, of either byte order),
     * the exact float32 values for 16-bit ones.
     *
     * @throws IndexOutOfBoundsException when the range is outside the tensor or {@code dst}
     * @throws IllegalStateException     for an integer tensor
     */
    public void read(long from, float[] dst, int off, int len) {
        Objects.checkFromIndexSize(from, len, size);
        Objects.checkFromIndexSize(off, len, dst.length);
        int at = (int) from;
        if (floats != null) {
            System.arraycopy(floats, at, dst, off, len);
        } else if (buffer != null) {
            buffer.get(at, dst, off, len);
        } else if (!isFloat()) {
            throw new IllegalStateException("read on a " + dtype + " tensor");
        } else {
            for (int j = 0; j < len; j++) {
                dst[off + j] = getFloat(at + j);
            }
        }
    }

    /**
     * Writes {@code src[off .. off + len)} into elements {@code [from, from + len)} of a float tensor
     * (rounded to nearest even for a 16-bit one): one bulk copy for float32 storage.
     *
     * @throws IndexOutOfBoundsException when the range is outside the tensor or {@code src}
     * @throws IllegalStateException     for an integer tensor
     * @throws java.nio.ReadOnlyBufferException for a read-only buffer
     */
    public void write(long from, float[] src, int off, int len) {
        Objects.checkFromIndexSize(from, len, size);
        Objects.checkFromIndexSize(off, len, src.length);
        int at = (int) from;
        if (floats != null) {
            System.arraycopy(src, off, floats, at, len);
        } else if (buffer != null) {
            buffer.put(at, src, off, len);
        } else if (!isFloat()) {
            throw new IllegalStateException("write on a " + dtype + " tensor");
        } else {
            for (int j = 0; j < len; j++) {
                setFloat(at + j, src[off + j]);
            }
        }
    }

    /** True when a float tensor can be written (a heap array, or a buffer that is not read-only). */
    public boolean isWritable() {
        return floats != null || shorts != null || (buffer != null && !buffer.isReadOnly())
                || (shortBuffer != null && !shortBuffer.isReadOnly());
    }

    /** True for the float types (float32 and the 16-bit ones). */
    public boolean isFloat() {
        return !dtype.isInteger();
    }

    /** The wrapped {@code short[]} of a 16-bit float tensor, or {@code null} when the storage is something else. */
    public short[] shortArrayOrNull() {
        return shorts;
    }

    /** The wrapped {@code float[]}, or {@code null} when the storage is something else. */
    public float[] floatArrayOrNull() {
        return floats;
    }

    /**
     * The heap {@code float[]} that holds this float32 tensor's elements, element {@code i} at
     * {@code floatBackingOffset() + i}: the wrapped array, or the array behind a heap
     * {@link FloatBuffer} that is not read-only (a slice, a {@link #ofRange} view); {@code null} for
     * other storage (direct and read-only buffers, other dtypes). Writing into it writes the tensor.
     */
    public float[] floatBackingArrayOrNull() {
        return backingArray();
    }

    /** The wrapped {@link FloatBuffer} (element {@code i} at its index {@code i}), or {@code null} when the storage is something else. */
    public FloatBuffer floatBufferOrNull() {
        return buffer;
    }

    /** The index of element 0 in {@link #floatBackingArrayOrNull()} (0 where there is none). */
    public int floatBackingOffset() {
        return backingArray() == null ? 0 : arrayOffset();
    }

    /**
     * Whether the float storage of this tensor and {@code other} may overlap, as far as Java can tell:
     * the same {@link FloatBuffer} object, or the same array (wrapped directly or behind a writable
     * heap buffer) in overlapping ranges. Distinct direct buffers over the same native memory, and
     * read-only heap buffers (whose array is hidden), are not detected.
     */
    boolean sharesStorageWith(Tensor other) {
        if (buffer != null && buffer == other.buffer) {
            return true;
        }
        if (shortBuffer != null && shortBuffer == other.shortBuffer) {
            return true;
        }
        short[] sa = shortArray();
        if (sa != null && sa == other.shortArray()) {
            long start = shortOffset();
            long otherStart = other.shortOffset();
            return size != 0 && other.size != 0 && start < otherStart + other.size && otherStart < start + size;
        }
        float[] a = backingArray();
        if (a == null || a != other.backingArray() || size == 0 || other.size == 0) {
            return false;
        }
        long start = arrayOffset();
        long otherStart = other.arrayOffset();
        return start < otherStart + other.size && otherStart < start + size;
    }

    private short[] shortArray() {
        if (shorts != null) {
            return shorts;
        }
        return shortBuffer != null && shortBuffer.hasArray() ? shortBuffer.array() : null;
    }

    private int shortOffset() {
        return shorts != null ? 0 : shortBuffer.arrayOffset();
    }

    private float[] backingArray() {
        if (floats != null) {
            return floats;
        }
        return buffer != null && buffer.hasArray() ? buffer.array() : null;
    }

    private int arrayOffset() {
        return floats != null ? 0 : buffer.arrayOffset();
    }

    /** Copies the elements into a new {@code float[]}. */
    public float[] toFloatArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + size + " elements does not fit a heap array");
        }
        float[] out = new float[(int) size];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** Formats a row-major position as a multi-index, e.g. {@code [2, 5]}. */
    public String indexString(long flat) {
        if (shape.length <= 1) {
            return "[" + flat + "]";
        }
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            long extent = Math.max(1, shape[d]);
            idx[d] = rest % extent;
            rest /= extent;
        }
        StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < idx.length; d++) {
            sb.append(d == 0 ? "" : ", ").append(idx[d]);
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
