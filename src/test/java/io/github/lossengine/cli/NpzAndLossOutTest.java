package io.github.lossengine.cli;

import static io.github.lossengine.cli.ComputeCommandTest.d;
import static io.github.lossengine.cli.ComputeCommandTest.f4;
import static io.github.lossengine.cli.ComputeCommandTest.i4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compute --input F.npz:NAME} (numpy.savez / savez_compressed archives) and {@code --loss-out}. */
class NpzAndLossOutTest {
    @TempDir
    Path dir;

    /** A zip of {@code name.npy} entries, as numpy.savez (stored) or savez_compressed (deflated) writes. */
    static Path npz(Path file, boolean compressed, Map<String, byte[]> arrays) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : arrays.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                if (!compressed) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    @Test
    void npzInputsGiveWhatTheSameNpyFilesGive() throws Exception {
        byte[] logits = f4(d(2, 1, 0.1, 0.5, 2.5, -1), 2, 3).bytes();
        byte[] labels = i4(d(0, 1), 2).bytes();
        for (boolean compressed : new boolean[] {false, true}) {
            Path z = npz(dir.resolve("batch" + compressed + ".npz"), compressed,
                    new java.util.LinkedHashMap<>(Map.of("logits", logits, "labels", labels)));
            CliRunner.Result fromNpz = CliRunner.run("compute", "--loss", "cross_entropy", "--input", z + ":logits",
                    "--target", z + ":labels");
            CliRunner.Result fromNpy = CliRunner.run("compute", "--loss", "softmax_cross_entropy",
                    "--input", NpyBytes.write(dir.resolve("l.npy"), logits).toString(),
                    "--target", NpyBytes.write(dir.resolve("y.npy"), labels).toString());
            assertEquals(0, fromNpz.status(), fromNpz.toString());
            assertEquals(JsonReader.object(fromNpy.out()).get("loss"), JsonReader.object(fromNpz.out()).get("loss"));
        }
    }

    @Test
    void npzErrorsNameTheArchiveAndItsArrays() throws Exception {
        Path z = npz(dir.resolve("two.npz"), true, new java.util.TreeMap<>(Map.of("a", f4(d(1), 1).bytes(),
                "b", f4(d(2), 1).bytes())));
        CliRunner.Result missing = CliRunner.run("compute", "--loss", "mse", "--input", z + ":c", "--target", z + ":b");
        assertEquals(2, missing.status(), missing.toString());
        assertEquals(1, missing.errLines().size(), missing.err());
        assertTrue(missing.err().contains("--input " + z + ":c: no array 'c' in the archive; it holds [a, b]"), missing.err());

        CliRunner.Result unnamed = CliRunner.run("compute", "--loss", "mse", "--input", z.toString(), "--target", z + ":b");
        assertEquals(2, unnamed.status(), unnamed.toString());
        assertTrue(unnamed.err().contains("holds 2 arrays [a, b]: name one, as " + z + ":NAME"), unnamed.err());

        Path one = npz(dir.resolve("one.npz"), false, Map.of("x", f4(d(3), 1).bytes()));
        CliRunner.Result single = CliRunner.run("compute", "--loss", "mse", "--input", one.toString(), "--target", z + ":a");
        assertEquals(0, single.status(), single.toString());
        assertEquals(4.0, ((Number) JsonReader.object(single.out()).get("loss")).doubleValue(), 1e-6, "(3 - 1)^2");

        Path notZip = Files.writeString(dir.resolve("bad.npz"), "hello");
        CliRunner.Result bad = CliRunner.run("compute", "--loss", "mse", "--input", notZip + ":x", "--target", z + ":a");
        assertEquals(2, bad.status(), bad.toString());
        assertTrue(bad.err().contains("not a NumPy .npz archive"), bad.err());
        CliRunner.Result absent = CliRunner.run("compute", "--loss", "mse", "--input", dir.resolve("no.npz") + ":x",
                "--target", z + ":a");
        assertEquals(2, absent.status(), absent.toString());
        assertTrue(absent.err().contains("no such file"), absent.err());
    }

    @Test
    void lossOutWritesThePerElementLossesInsteadOfListingThem() throws Exception {
        Path x = NpyBytes.write(dir.resolve("x.npy"), f4(d(1, 2, 3, 4, 5, 6), 2, 3).bytes());
        Path y = NpyBytes.write(dir.resolve("y.npy"), f4(d(1, 1, 1, 1, 1, 1), 2, 3).bytes());
        Path out = dir.resolve("losses.npy");
        CliRunner.Result r = CliRunner.run("compute", "--loss", "mse", "--reduction", "none", "--input", x.toString(),
                "--target", y.toString(), "--loss-out", out.toString());
        assertEquals(0, r.status(), r.toString());
        Map<String, Object> json = JsonReader.object(r.out());
        assertFalse(json.containsKey("loss"), "no list in the line: " + r.out());
        assertEquals(out.toString(), json.get("loss_file"));
        Npy.NpyArray written = Npy.read(out);
        assertEquals("<f4", written.descr());
        assertArrayEquals(new long[] {2, 3}, written.shape());
        Tensor t = written.tensor();
        for (int i = 0; i < 6; i++) {
            assertEquals(i * i, t.getDouble(i), 0.0, "(x - 1)^2 at " + i);
        }
    }

    @Test
    void lossOutIsRefusedWithoutReductionNoneAndWritesNothing() throws Exception {
        Path x = NpyBytes.write(dir.resolve("x.npy"), f4(d(1, 2), 2).bytes());
        Path out = dir.resolve("l.npy");
        CliRunner.Result r = CliRunner.run("compute", "--loss", "mse", "--input", x.toString(), "--target", x.toString(),
                "--loss-out", out.toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("--loss-out " + out + ": only with --reduction=none (the mean loss is one number"), r.err());
        assertFalse(Files.exists(out));
        CliRunner.Result same = CliRunner.run("compute", "--loss", "mse", "--reduction", "none", "--input", x.toString(),
                "--target", x.toString(), "--grad-out", out.toString(), "--loss-out", out.toString());
        assertEquals(2, same.status(), same.toString());
        assertTrue(same.err().contains("the same file is given for a gradient"), same.err());
        assertFalse(Files.exists(out));
    }
}
