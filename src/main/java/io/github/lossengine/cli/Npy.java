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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Read: C order only, dtypes {@code <f4}, {@code <f8}, {@code <i4} and {@code <i8} (what NumPy
 * writes for float32, float64, int32 and int64 on every little-endian machine). {@code <f8} is
 * converted to float32, since lossengine computes in float32; {@code <i4} becomes an int32 tensor and
 * {@code <i8} an int64 tensor. Everything else is refused with an {@link NpyFormatException} naming
 * the file and the problem: a bad magic string, an unknown format version, a malformed header,
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

    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIM = Pattern.compile("\\s*(\\d+)[lL]?\\s*");

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
            if (tensor.dtype() == DType.FLOAT32) {
                return tensor;
            }
            return Tensor.of(tensor.toFloatArray(), tensor.shape());
        }
    }

    /**
     * Reads an array.
     *
     * @throws NpyFormatException when the file is not an {@code .npy} file this reader accepts
     * @throws IOException        when it cannot be read
     */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads an array from a stream; {@code source} names it in messages. The stream is not closed. */
    public static NpyArray read(InputStream in, String source) throws IOException {
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
        Header h = parseHeader(header.trim(), source);

        long count = 1;
        for (long d : h.shape) {
            count = Math.multiplyExact(count, d);
        }
        if (count > MAX_ELEMENTS) {
            throw new NpyFormatException(source, "shape " + Arrays.toString(h.shape) + " has " + count
                    + " elements, more than " + MAX_ELEMENTS + " (the largest Java array)");
        }
        int n = (int) count;
        long bytes = count * h.itemSize;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException(source, "data of " + bytes + " bytes is too large to read");
        }
        byte[] data = readFully(in, (int) bytes, source, "the data: shape " + Arrays.toString(h.shape)
                + " of " + h.descr + " needs " + bytes + " bytes");
        if (in.read() != -1) {
            throw new NpyFormatException(source, "unexpected bytes after the data of shape "
                    + Arrays.toString(h.shape) + " (" + bytes + " bytes of " + h.descr + ")");
        }
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] tensorShape = h.shape.length == 0 ? new long[] {1} : h.shape;
        Tensor t;
        switch (h.descr) {
            case "<f4": {
                float[] a = new float[n];
                buf.asFloatBuffer().get(a);
                t = Tensor.of(a, tensorShape);
                break;
            }
            case "<f8": {
                double[] d = new double[n];
                buf.asDoubleBuffer().get(d);
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) d[i];
                }
                t = Tensor.of(a, tensorShape);
                break;
            }
            case "<i4": {
                int[] a = new int[n];
                buf.asIntBuffer().get(a);
                t = Tensor.ofInts(a, tensorShape);
                break;
            }
            default: {
                long[] a = new long[n];
                buf.asLongBuffer().get(a);
                t = Tensor.ofLongs(a, tensorShape);
                break;
            }
        }
        return new NpyArray(h.descr, h.shape, t);
    }

    private record Header(String descr, int itemSize, long[] shape) {
    }

    private static Header parseHeader(String header, String source) throws NpyFormatException {
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new NpyFormatException(source, "malformed header (not a dictionary): " + abbreviate(header));
        }
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find()) {
            throw new NpyFormatException(source, "malformed header (no 'descr' string): " + abbreviate(header));
        }
        if (!fortran.find()) {
            throw new NpyFormatException(source, "malformed header (no 'fortran_order'): " + abbreviate(header));
        }
        if (!shape.find()) {
            throw new NpyFormatException(source, "malformed header (no 'shape' tuple): " + abbreviate(header));
        }
        String d = descr.group(1);
        int itemSize = itemSize(d, source);
        long[] dims = parseShape(shape.group(1), header, source);
        if (fortran.group(1).equals("True") && dims.length > 1) {
            throw new NpyFormatException(source, "Fortran-order arrays are not supported; save a C-order array "
                    + "(np.ascontiguousarray)");
        }
        return new Header(d, itemSize, dims);
    }

    private static int itemSize(String descr, String source) throws NpyFormatException {
        switch (descr) {
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
        throw new NpyFormatException(source, why + " (accepted: <f4, <f8, <i4, <i8)");
    }

    private static long[] parseShape(String inner, String header, String source) throws NpyFormatException {
        String s = inner.trim();
        if (s.isEmpty()) {
            return new long[0];
        }
        if (s.endsWith(",")) {
            s = s.substring(0, s.length() - 1);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            Matcher m = DIM.matcher(part);
            if (!m.matches()) {
                throw new NpyFormatException(source, "malformed shape (" + inner.trim() + ") in header " + abbreviate(header));
            }
            try {
                dims.add(Long.parseLong(m.group(1)));
            } catch (NumberFormatException e) {
                throw new NpyFormatException(source, "shape dimension " + m.group(1) + " is too large");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
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
