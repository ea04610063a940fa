package io.github.lossengine.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds {@code .npy} bytes by hand, following the NumPy format specification, independently of
 * {@link Npy}: test inputs of every dtype and version, and malformed files.
 */
final class NpyBytes {
    private NpyBytes() {
    }

    /** The header dictionary NumPy writes, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
    static String dict(String descr, boolean fortran, long... shape) {
        StringBuilder t = new StringBuilder();
        for (int k = 0; k < shape.length; k++) {
            t.append(k == 0 ? "" : ", ").append(shape[k]);
        }
        if (shape.length == 1) {
            t.append(',');
        }
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + t + "), }";
    }

    /** A complete file: magic, version {@code major}.0, header length, header padded to 64 bytes, data. */
    static byte[] file(int major, String dict, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 6 + 2 + lenBytes + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        int headerLen = total - 6 - 2 - lenBytes;
        String header = dict + " ".repeat(headerLen - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (lenBytes == 2) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(header.getBytes(StandardCharsets.UTF_8)).put(data);
        return b.array();
    }

    static byte[] f4(float[] v, long... shape) {
        ByteBuffer b = le(4 * v.length);
        for (float x : v) {
            b.putFloat(x);
        }
        return file(1, dict("<f4", false, shape), b.array());
    }

    static byte[] f8(double[] v, long... shape) {
        ByteBuffer b = le(8 * v.length);
        for (double x : v) {
            b.putDouble(x);
        }
        return file(1, dict("<f8", false, shape), b.array());
    }

    static byte[] i4(int[] v, long... shape) {
        ByteBuffer b = le(4 * v.length);
        for (int x : v) {
            b.putInt(x);
        }
        return file(1, dict("<i4", false, shape), b.array());
    }

    static byte[] i8(long[] v, long... shape) {
        ByteBuffer b = le(8 * v.length);
        for (long x : v) {
            b.putLong(x);
        }
        return file(1, dict("<i8", false, shape), b.array());
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }
}
