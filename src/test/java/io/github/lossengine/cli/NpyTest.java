package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.DType;
import io.github.lossengine.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Npy}: round trips, every accepted dtype and version, and every refused format. */
class NpyTest {
    @TempDir
    Path dir;

    static Stream<long[]> shapes() {
        return Stream.of(new long[0], new long[] {0}, new long[] {3}, new long[] {2, 3}, new long[] {2, 0, 4},
                new long[] {1, 1, 1, 5});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void roundTripKeepsShapeAndBits(long[] shape) throws IOException {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] special = {Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3.25f};
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i < special.length ? special[i] : i * 0.37f - 1;
        }
        Path f = dir.resolve("x.npy");
        Npy.writeFloat32(f, Tensor.of(data, shape.length == 0 ? new long[] {1} : shape), shape);
        Npy.NpyArray a = Npy.read(f);
        assertEquals("<f4", a.descr());
        assertArrayEquals(shape, a.shape());
        assertEquals(DType.FLOAT32, a.tensor().dtype());
        assertArrayEquals(shape.length == 0 ? new long[] {1} : shape, a.tensor().shape());
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(a.tensor().getFloat(i)), "element " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void writerProducesTheBytesTheFormatSpecifies(long[] shape) throws IOException {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = 1.5f * i;
        }
        Path f = dir.resolve("w.npy");
        Npy.writeFloat32(f, Tensor.of(data, shape.length == 0 ? new long[] {1} : shape), shape);
        byte[] written = Files.readAllBytes(f);
        assertArrayEquals(NpyBytes.f4(data, shape), written);
        int headerLen = ByteBuffer.wrap(written, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        assertEquals(1, written[6], "format version 1.0");
        assertEquals(0, (10 + headerLen) % 64, "data starts at a multiple of 64 bytes");
        assertEquals('\n', written[10 + headerLen - 1], "header ends with a newline");
        String header = new String(written, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': ("), header);
        assertEquals(10 + headerLen + 4L * n, written.length);
    }

    @Test
    void float64IsConvertedToFloat32() throws IOException {
        double[] v = {0.1, -1e-3, 1e40, Double.NaN, 3};
        Npy.NpyArray a = Npy.read(NpyBytes.write(dir.resolve("d.npy"), NpyBytes.f8(v, 5)));
        assertEquals("<f8", a.descr());
        assertEquals(DType.FLOAT32, a.tensor().dtype());
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToIntBits((float) v[i]), Float.floatToIntBits(a.tensor().getFloat(i)));
        }
        assertEquals(Float.POSITIVE_INFINITY, a.tensor().getFloat(2), "1e40 overflows float32");
    }

    @Test
    void int32AndInt64StayIntegers() throws IOException {
        Npy.NpyArray a = Npy.read(NpyBytes.write(dir.resolve("i.npy"), NpyBytes.i4(new int[] {3, -100, 7, 0}, 2, 2)));
        assertEquals(DType.INT32, a.tensor().dtype());
        assertArrayEquals(new long[] {2, 2}, a.tensor().shape());
        assertEquals(-100, a.tensor().getLong(1));
        Npy.NpyArray b = Npy.read(NpyBytes.write(dir.resolve("l.npy"), NpyBytes.i8(new long[] {1L << 40, -5}, 2)));
        assertEquals(DType.INT64, b.tensor().dtype());
        assertEquals(1L << 40, b.tensor().getLong(0));
        assertEquals(-5, b.tensor().getLong(1));
        assertArrayEquals(new float[] {3, -100, 7, 0}, a.asFloat().toFloatArray());
        assertEquals(DType.FLOAT32, b.asFloat().dtype());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void versions2And3AreRead(int major) throws IOException {
        ByteBuffer data = NpyBytes.le(8);
        data.putFloat(1.25f).putFloat(-2f);
        Path f = NpyBytes.write(dir.resolve("v.npy"), NpyBytes.file(major, NpyBytes.dict("<f4", false, 2), data.array()));
        assertArrayEquals(new float[] {1.25f, -2f}, Npy.read(f).tensor().toFloatArray());
    }

    @Test
    void zeroDimensionalArrayIsOneElement() throws IOException {
        Npy.NpyArray a = Npy.read(NpyBytes.write(dir.resolve("s.npy"), NpyBytes.f8(new double[] {2.5})));
        assertArrayEquals(new long[0], a.shape());
        assertArrayEquals(new long[] {1}, a.tensor().shape());
        assertEquals(2.5f, a.tensor().getFloat(0));
    }

    @Test
    void headerVariantsNumPyMayWrite() throws IOException {
        ByteBuffer data = NpyBytes.le(12);
        data.putFloat(1).putFloat(2).putFloat(3);
        // double quotes, other key order, Python 2 long suffix, and a 1-D "Fortran" array (same layout)
        for (String dict : new String[] {
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3,)}",
            "{'shape': (3L,), 'fortran_order': False, 'descr': '<f4'}",
            "{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }"}) {
            Path f = NpyBytes.write(dir.resolve("h.npy"), NpyBytes.file(1, dict, data.array()));
            assertArrayEquals(new float[] {1, 2, 3}, Npy.read(f).tensor().toFloatArray(), dict);
        }
    }

    static Stream<Arguments> refused() {
        byte[] four = new byte[4];
        byte[] good = NpyBytes.f4(new float[] {1, 2}, 2);
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        byte[] version4 = good.clone();
        version4[6] = 4;
        byte[] version11 = good.clone();
        version11[7] = 1;
        return Stream.of(
                Arguments.of("empty file", new byte[0], "truncated"),
                Arguments.of("bad magic", badMagic, "magic"),
                Arguments.of("text file", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII), "magic"),
                Arguments.of("version 4.0", version4, "version 4.0"),
                Arguments.of("version 1.1", version11, "version 1.1"),
                Arguments.of("big-endian float32", NpyBytes.file(1, NpyBytes.dict(">f4", false, 1), four), "big-endian"),
                Arguments.of("big-endian int64", NpyBytes.file(1, NpyBytes.dict(">i8", false, 1), new byte[8]), "big-endian"),
                Arguments.of("native order", NpyBytes.file(1, NpyBytes.dict("=f4", false, 1), four), "'=f4'"),
                Arguments.of("uint16", NpyBytes.file(1, NpyBytes.dict("<u2", false, 2), four), "'<u2'"),
                Arguments.of("bool", NpyBytes.file(1, NpyBytes.dict("|b1", false, 4), four), "'|b1'"),
                Arguments.of("uint32", NpyBytes.file(1, NpyBytes.dict("<u4", false, 1), four), "'<u4'"),
                Arguments.of("int8", NpyBytes.file(1, NpyBytes.dict("|i1", false, 4), four), "'|i1'"),
                Arguments.of("complex64", NpyBytes.file(1, NpyBytes.dict("<c8", false, 1), new byte[8]), "'<c8'"),
                Arguments.of("structured", NpyBytes.file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", four), "descr"),
                Arguments.of("Fortran order", NpyBytes.file(1, NpyBytes.dict("<f4", true, 2, 2), new byte[16]), "Fortran"),
                Arguments.of("truncated data", Arrays.copyOf(good, good.length - 1), "truncated"),
                Arguments.of("truncated header", Arrays.copyOf(good, 30), "truncated"),
                Arguments.of("trailing bytes", Arrays.copyOf(good, good.length + 4), "after the data"),
                Arguments.of("not a dict", NpyBytes.file(1, "['<f4', False, (2,)]", new byte[8]), "malformed header"),
                Arguments.of("no shape", NpyBytes.file(1, "{'descr': '<f4', 'fortran_order': False, }", new byte[8]), "shape"),
                Arguments.of("bad shape", NpyBytes.file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", new byte[8]), "unexpected 'x'"),
                Arguments.of("negative dimension", NpyBytes.file(1, NpyBytes.dict("<f4", false, -2), new byte[8]), "malformed shape"));
    }

    /**
     * Issue 10, defect 11: headers that {@code numpy.lib.format} refuses (or, for a key given twice,
     * that readers would read differently). Before, the first match of each key was taken and the rest
     * ignored: each of these was read (or, for shapes that overflow, ended in an ArithmeticException).
     */
    static Stream<Arguments> refusedAsNumPyRefuses() {
        byte[] eight = new byte[8];
        String shape2 = "'fortran_order': False, 'shape': (2,)";
        return Stream.of(
                Arguments.of("descr twice", "{'descr': '<f4', 'descr': '<f8', " + shape2 + ", }", eight, "'descr' is given twice"),
                Arguments.of("shape twice", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (1,), }", eight,
                        "'shape' is given twice"),
                Arguments.of("extra key", "{'descr': '<f4', " + shape2 + ", 'extra': 1, }", eight, "expected exactly"),
                Arguments.of("shape a list", "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", eight, "not a tuple"),
                Arguments.of("shape an int", "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", eight, "not a tuple"),
                Arguments.of("shape of bools", "{'descr': '<f4', 'fortran_order': False, 'shape': (True, True), }", new byte[4],
                        "not an int"),
                Arguments.of("fortran_order 0", "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", eight, "not True or False"),
                Arguments.of("NUL byte", "{'descr': '<f4', " + shape2 + ", }\0", eight, "NUL"),
                Arguments.of("rank 65", "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + "), }", new byte[4],
                        "rank 65"),
                Arguments.of("text after the dict", "{'descr': '<f4', " + shape2 + "} 1", eight, "text after"),
                Arguments.of("product beyond int64", "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }",
                        eight, "more than 2^63 elements"),
                Arguments.of("dimension beyond int64", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                        eight, "beyond int64"),
                Arguments.of("dimension 2^31 of zero elements", "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 0), }",
                        new byte[0], "dimension 0 = 2147483648"),
                Arguments.of("elements beyond a Java array", "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }",
                        eight, "the largest Java array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedAsNumPyRefuses")
    void headersNumPyRefusesAreRefused(String what, String dict, byte[] data, String expected) throws IOException {
        Path f = NpyBytes.write(dir.resolve("h.npy"), NpyBytes.file(1, dict, data));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }

    @Test
    void pythonLiteralsNumPyAccepts() throws IOException {
        ByteBuffer data = NpyBytes.le(8);
        data.putFloat(1).putFloat(2);
        // a comment, a +sign, no spaces, newlines between items, a trailing comma in the shape
        for (String dict : new String[] {
            "{'descr': '<f4', # the dtype\n 'fortran_order': False, 'shape': (2,)}",
            "{'descr':'<f4','fortran_order':False,'shape':(+2,)}",
            "{\n 'descr': \"<f4\",\n 'fortran_order': False,\n 'shape': (2,),\n}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2,)}"}) {
            Path f = NpyBytes.write(dir.resolve("p.npy"), NpyBytes.file(1, dict, data.array()));
            assertArrayEquals(new float[] {1, 2}, Npy.read(f).tensor().toFloatArray(), dict);
        }
        Path under = NpyBytes.write(dir.resolve("u.npy"), NpyBytes.file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1_0,)}",
                new byte[40]));
        assertArrayEquals(new long[] {10}, Npy.read(under).shape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithAMessageNamingTheFile(String what, byte[] bytes, String expected) throws IOException {
        Path f = NpyBytes.write(dir.resolve("bad-" + what.replace(' ', '_') + ".npy"), bytes);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
    }

    @Test
    void writerRefusesAShapeThatDoesNotMatch() {
        Tensor t = Tensor.of(new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> Npy.writeFloat32(dir.resolve("x.npy"), t, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> Npy.writeFloat32(dir.resolve("y.npy"), Tensor.ofInts(new int[2]), 2));
    }
}
