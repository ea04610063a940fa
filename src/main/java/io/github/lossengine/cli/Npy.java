package io.github.lossengine.cli;

import io.github.lossengine.DType;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Read: C order only, dtypes {@code <f4}, {@code <f8}, {@code <f2}, {@code <i4} and {@code <i8} (what NumPy
 * writes for float32, float64, float16, int32 and int64 on every little-endian machine); {@code <f2}
 * (IEEE half) is read as a {@link DType#FLOAT16} tensor of its bits. {@code <f8} is
 * converted to float32, since lossengine computes in float32; {@code <i4} becomes an int32 tensor and
 * {@code <i8} an int64 tensor. Everything else is refused with an {@link NpyFormatException} naming
 * the file and the problem: a bad magic string, an unknown format version, a malformed header
 * (parsed as {@code numpy.lib.format} parses it, see {@link NpyHeader}: exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape}, none twice, the shape a tuple of
 * non-negative ints), a dimension or an element count beyond the largest Java array, an array larger
 * than the JVM's heap (checked against the header before any data is read),
 * big-endian or native-order ({@code >}, {@code =}) dtypes, any other dtype, Fortran order (for
 * arrays of rank 2 or more; for rank 0 and 1 it is the same layout as C order), data shorter or
 * longer than the shape says.
 *
 * <p>A 0-d array (shape {@code ()}, what {@code np.save("x.npy", 3.0)} writes) holds one element; its
 * tensor has shape {@code [1]}, and {@link NpyArray#shape()} keeps the file's {@code ()} so that a
 * gradient can be written back with the shape of its input.
 *
 * <p>Write: always {@code <f4}, format 1.0 (2.0 only if the header would not fit in 65535 bytes),
 * header padded with spaces and ended with a newline so that the data starts at a multiple of 64
 * bytes, as NumPy does.
 *
 * <p>Thread-safety: stateless; the static methods may be called from any thread.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int MAX_HEADER = 1 << 20;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int CHUNK = 1 << 16;
    /** The share of the JVM's maximum heap that the inputs and gradients of a command may take. */
    static final double HEAP_SHARE = 0.8;

    private Npy() {
    }

    /**
     * One array read from a file.
     *
     * @param descr  the dtype as the file names it, e.g. {@code <f8}
     * @param shape  the shape as the file gives it ({@code []} for a 0-d array)
     * @param tensor the data: float32 for {@code <f4}/{@code <f8}, int32 or int64 for the integer
     *               dtypes; shape {@code [1]} for a 0-d array
     */
    public record NpyArray(String descr, long[] shape, Tensor tensor) {
        public NpyArray {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The data as float32, converting integer arrays (a copy only when a conversion is needed). */
        public Tensor asFloat() {
            if (tensor.dtype() == DType.FLOAT32 || tensor.dtype().isHalf()) {
                return tensor;
            }
            return Tensor.of(tensor.toFloatArray(), tensor.shape());
        }
    }

    /**
     * What a header declares: the dtype, its size in bytes, the shape (as the file gives it) and the
     * number of elements.
     */
    public record Header(String descr, int itemSize, long[] shape, long count) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Bytes of data the file holds after its header. */
        public long dataBytes() {
            return count * itemSize;
        }

        /** Bytes of heap the array read takes: float32 for {@code <f4}/{@code <f8}, int32 or int64 otherwise. */
        public long heapBytes() {
            return count * (descr.equals("<i8") ? 8 : descr.equals("<f2") ? 2 : 4);
        }
    }

    /**
     * Reads an array. The header is checked first: before any data is read, a regular file shorter or
     * longer than its header says is refused, and so is an array larger than the JVM's heap.
     *
     * @throws NpyFormatException when the file is not an {@code .npy} file this reader accepts, or
     *                            does not fit the heap
     * @throws IOException        when it cannot be read
     */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            String source = file.toString();
            Prefix p = prefix(in, source);
            if (Files.isRegularFile(file)) {
                long expected = p.headerEnd + p.header.dataBytes();
                long size = Files.size(file);
                if (size < expected) {
                    throw new NpyFormatException(source, "truncated: file ends " + (expected - size)
                            + " bytes short of the data: shape " + Arrays.toString(p.header.shape) + " of "
                            + p.header.descr + " needs " + p.header.dataBytes() + " bytes");
                }
                if (size > expected) {
                    throw trailing(source, p.header);
                }
            }
            return data(in, source, p.header);
        }
    }

    /** Reads only the header of {@code file}: what it declares, without reading the data. */
    public static Header header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return prefix(in, file.toString()).header;
        }
    }

    /** Reads an array from a stream; {@code source} names it in messages. The stream is not closed. */
    public static NpyArray read(InputStream in, String source) throws IOException {
        return data(in, source, prefix(in, source).header);
    }

    /** The header, and the offset of the data. */
    private record Prefix(Header header, long headerEnd) {
    }

    private static Prefix prefix(InputStream in, String source) throws IOException {
        byte[] prefix = readFully(in, MAGIC.length + 2, source, "the magic string and version");
        if (!Arrays.equals(Arrays.copyOf(prefix, MAGIC.length), MAGIC)) {
            throw new NpyFormatException(source, "not a NumPy .npy file (bad magic string)");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        int lengthBytes;
        if (major == 1 && minor == 0) {
            lengthBytes = 2;
        } else if ((major == 2 || major == 3) && minor == 0) {
            lengthBytes = 4;
        } else {
            throw new NpyFormatException(source, "unsupported .npy format version " + major + "." + minor
                    + " (1.0, 2.0 and 3.0 are read)");
        }
        byte[] len = readFully(in, lengthBytes, source, "the header length");
        long headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xffffL;
        if (lengthBytes == 4) {
            headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xffffffffL;
        }
        if (headerLength > MAX_HEADER) {
            throw new NpyFormatException(source, "header length " + headerLength + " is implausibly large");
        }
        byte[] headerBytes = readFully(in, (int) headerLength, source, "the header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = parseHeader(header, source);
        return new Prefix(h, MAGIC.length + 2 + lengthBytes + headerLength);
    }

    private static NpyFormatException trailing(String source, Header h) {
        return new NpyFormatException(source, "unexpected bytes after the data of shape "
                + Arrays.toString(h.shape) + " (" + h.dataBytes() + " bytes of " + h.descr + ")");
    }

    /** Reads the data in chunks straight into the tensor's array (no second copy of the file in memory). */
    private static NpyArray data(InputStream in, String source, Header h) throws IOException {
        requireHeap(source, h);
        int n = (int) h.count;
        long[] tensorShape = h.shape.length == 0 ? new long[] {1} : h.shape;
        float[] floats = null;
        short[] halves = null;
        int[] ints = null;
        long[] longs = null;
        try {
            switch (h.descr) {
                case "<f4", "<f8" -> floats = new float[n];
                case "<f2" -> halves = new short[n];
                case "<i4" -> ints = new int[n];
                default -> longs = new long[n];
            }
        } catch (OutOfMemoryError e) {
            throw tooLarge(source, h, h.heapBytes(), "");
        }
        int per = CHUNK / h.itemSize;
        byte[] chunk = new byte[(int) Math.min((long) per * h.itemSize, Math.max(h.dataBytes(), 1))];
        for (int done = 0; done < n; ) {
            int m = Math.min(per, n - done);
            int got = in.readNBytes(chunk, 0, m * h.itemSize);
            if (got < m * h.itemSize) {
                long missing = h.dataBytes() - ((long) done * h.itemSize + got);
                throw new NpyFormatException(source, "truncated: file ends " + missing + " bytes short of the data: shape "
                        + Arrays.toString(h.shape) + " of " + h.descr + " needs " + h.dataBytes() + " bytes");
            }
            ByteBuffer buf = ByteBuffer.wrap(chunk, 0, got).order(ByteOrder.LITTLE_ENDIAN);
            switch (h.descr) {
                case "<f4" -> buf.asFloatBuffer().get(floats, done, m);
                case "<f8" -> {
                    for (int i = 0; i < m; i++) {
                        floats[done + i] = (float) buf.getDouble(8 * i);
                    }
                }
                case "<f2" -> buf.asShortBuffer().get(halves, done, m);
                case "<i4" -> buf.asIntBuffer().get(ints, done, m);
                default -> buf.asLongBuffer().get(longs, done, m);
            }
            done += m;
        }
        if (in.read() != -1) {
            throw trailing(source, h);
        }
        Tensor t = floats != null ? Tensor.of(floats, tensorShape) : halves != null ? Tensor.ofFloat16(halves, tensorShape)
                : ints != null ? Tensor.ofInts(ints, tensorShape) : Tensor.ofLongs(longs, tensorShape);
        return new NpyArray(h.descr, h.shape, t);
    }

    /** Refuses an array whose heap array alone would not fit the JVM's maximum heap. */
    private static void requireHeap(String source, Header h) throws NpyFormatException {
        if (h.heapBytes() > Runtime.getRuntime().maxMemory()) {
            throw tooLarge(source, h, h.heapBytes(), "");
        }
    }

    /**
     * One line: the file, its shape and dtype, the bytes {@code needed} (this array, or, {@code what}
     * says, all inputs and gradients of a command) against the JVM's maximum heap, and the
     * {@code -Xmx} to run with.
     */
    static NpyFormatException tooLarge(String source, Header h, long needed, String what) {
        long max = Runtime.getRuntime().maxMemory();
        long gib = 1L << 30;
        return new NpyFormatException(source, String.format(java.util.Locale.ROOT,
                "shape %s of %s (%d bytes of data)%s needs %.2f GiB of heap, more than the JVM's maximum heap of %.2f GiB;"
                        + " run java -Xmx%dg -jar lossengine.jar ...", Arrays.toString(h.shape), h.descr, h.dataBytes(),
                what, needed / (double) gib, max / (double) gib, (long) Math.ceil(needed / HEAP_SHARE / gib) + 1));
    }

    private static Header parseHeader(String header, String source) throws NpyFormatException {
        NpyHeader.Values v;
        try {
            v = NpyHeader.parse(header);
        } catch (NpyHeader.MalformedException e) {
            throw new NpyFormatException(source, e.getMessage());
        }
        if (!(v.descr() instanceof String d)) {
            throw new NpyFormatException(source, "structured dtype 'descr': " + v.descr()
                    + " is not supported (accepted: <f4, <f8, <f2, <i4, <i8)");
        }
        int itemSize = itemSize(d, source);
        long[] dims = v.shape();
        if (v.fortranOrder() && dims.length > 1) {
            throw new NpyFormatException(source, "Fortran-order arrays are not supported; save a C-order array "
                    + "(np.ascontiguousarray)");
        }
        long count = 1;
        for (long dim : dims) {
            count = multiply(count, dim);
        }
        if (count > MAX_ELEMENTS) {
            throw new NpyFormatException(source, "shape " + Arrays.toString(dims) + " has "
                    + (count == Long.MAX_VALUE ? "more than 2^63" : Long.toString(count))
                    + " elements, more than " + MAX_ELEMENTS + " (the largest Java array)");
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > MAX_ELEMENTS) {
                // zero elements, but a dimension no tensor index can address
                throw new NpyFormatException(source, "shape " + Arrays.toString(dims) + ": dimension " + i + " = "
                        + dims[i] + " is more than " + MAX_ELEMENTS + " (the largest Java array)");
            }
        }
        return new Header(d, itemSize, dims, count);
    }

    /** {@code a * b} for non-negative factors, saturated at {@code Long.MAX_VALUE} (a zero factor gives 0). */
    private static long multiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static int itemSize(String descr, String source) throws NpyFormatException {
        switch (descr) {
            case "<f2":
                return 2;
            case "<f4":
            case "<i4":
                return 4;
            case "<f8":
            case "<i8":
                return 8;
            default:
                break;
        }
        String why;
        if (descr.startsWith(">")) {
            why = "big-endian dtype '" + descr + "' is not supported";
        } else if (descr.startsWith("=")) {
            why = "native-order dtype '" + descr + "' is ambiguous";
        } else {
            why = "dtype '" + descr + "' is not supported";
        }
        throw new NpyFormatException(source, why + " (accepted: <f4, <f8, <f2, <i4, <i8)");
    }

    private static byte[] readFully(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new NpyFormatException(source, "truncated: file ends " + (n - b.length) + " bytes short of "
                    + what);
        }
        return b;
    }

    /**
     * Writes a float tensor as {@code <f4} with the given shape (whose element count must equal the
     * tensor's; pass the tensor's own shape, or e.g. {@code []} to write a 0-d array).
     */
    public static void writeFloat32(Path file, Tensor t, long... shape) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeFloat32(out, t, shape);
        }
    }

    /** As {@link #writeFloat32(Path, Tensor, long...)}, to a stream, which is not closed. */
    public static void writeFloat32(OutputStream out, Tensor t, long... shape) throws IOException {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("only float32 tensors are written, got " + t);
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != t.size()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + count
                    + " elements, the tensor " + t.size());
        }
        out.write(header(shape));
        int n = (int) t.size();
        ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(n, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(t.getFloat(i));
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** The magic, version, length and padded header for a {@code <f4} C-order array of this shape. */
    static byte[] header(long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        int lengthBytes = 2;
        int total = paddedTotal(MAGIC.length + 2 + lengthBytes + dict.length() + 1);
        if (total - MAGIC.length - 2 - lengthBytes > 0xffff) {
            lengthBytes = 4;
            total = paddedTotal(MAGIC.length + 2 + lengthBytes + dict.length() + 1);
        }
        int headerLength = total - MAGIC.length - 2 - lengthBytes;
        String text = dict + " ".repeat(headerLength - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (lengthBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lengthBytes == 2) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static int paddedTotal(int minimum) {
        return (minimum + ALIGN - 1) / ALIGN * ALIGN;
    }
}
