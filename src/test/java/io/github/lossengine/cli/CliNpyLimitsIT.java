package io.github.lossengine.cli;

import static io.github.lossengine.cli.NpyBytes.f4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, defects 10 and 11, on the jar: inputs larger than the heap, headers NumPy refuses. */
class CliNpyLimitsIT {
    @TempDir
    Path dir;

    @Test
    void aSparseNpyLargerThanTheHeapIsRefusedNamingTheFileAndTheXmx() throws Exception {
        // a valid 800 MB <f4 file (sparse: its data is a hole) read by a JVM of 64 MiB
        long n = 200_000_000L;
        Path big = NpyBytes.write(dir.resolve("big.npy"), NpyBytes.file(1, NpyBytes.dict("<f4", false, n), new byte[0]));
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(f.length() + 4 * n);
        }
        CliRunner.Result r = JarRunner.run(dir, List.of("-Xmx64m"), "compute", "--loss", "mse", "--input", big.toString(),
                "--target", big.toString(), "--grad-out", dir.resolve("g.npy").toString());
        // before: java.lang.OutOfMemoryError with a stack trace, exit 1
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.contains("--input " + big), line);
        assertTrue(line.contains("[200000000]") && line.contains("<f4"), line);
        assertTrue(line.matches(".*run java -Xmx\\d+g .*"), line);
        assertFalse(r.err().contains("OutOfMemoryError"), r.err());
        assertFalse(dir.resolve("g.npy").toFile().exists());
    }

    @Test
    void duplicateHeaderKeysAreRefused() throws Exception {
        Path x = NpyBytes.write(dir.resolve("x.npy"), f4(new float[] {1, 2, 3, 4}, 2, 2));
        Path twice = NpyBytes.write(dir.resolve("twice.npy"), NpyBytes.file(1,
                "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", new byte[16]));
        CliRunner.Result r = JarRunner.run(dir, List.of(), "compute", "--loss", "mse", "--input", x.toString(), "--target",
                twice.toString());
        // before: exit 0, the data read as <f4 (NumPy reads <f8, the last 'descr')
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("--target " + twice + ": malformed header: key 'descr' is given twice"), r.err());
    }
}
