package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where JCuda's JNI library comes from, without a GPU: a truncated or foreign file in the extraction
 * folder is replaced atomically by the jar's bytes (JCuda itself would load it, and a truncated one
 * ends the JVM with SIGBUS), a verified one is kept, a folder where it cannot be replaced is an
 * error with the reason; and the cheap "no driver" check finds libcuda.so.1 where the loader would.
 */
class JCudaNativesTest {

    private static byte[] library() throws IOException {
        try (var in = JCudaNatives.class.getResourceAsStream("/lib/" + JCudaNatives.FILE)) {
            assertNotNull(in, "jcuda-natives is a test dependency: " + JCudaNatives.FILE);
            return in.readAllBytes();
        }
    }

    @Test
    void aTruncatedOrForeignFileIsReplacedByTheVerifiedLibrary(@TempDir Path dir) throws IOException {
        byte[] lib = library();
        Path target = dir.resolve(JCudaNatives.FILE);
        Files.write(target, Arrays.copyOf(lib, lib.length / 3)); // a killed extraction
        JCudaNatives.install(dir, lib);
        assertArrayEquals(lib, Files.readAllBytes(target));
        byte[] foreign = lib.clone();
        foreign[foreign.length / 2] ^= 1; // same size, other bytes: another user's build
        Files.write(target, foreign);
        JCudaNatives.install(dir, lib);
        assertArrayEquals(lib, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void aVerifiedFileIsKept(@TempDir Path dir) throws IOException {
        byte[] lib = library();
        JCudaNatives.install(dir, lib);
        Path target = dir.resolve(JCudaNatives.FILE);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(target, old);
        JCudaNatives.install(dir, lib);
        assertEquals(old, Files.getLastModifiedTime(target), "not rewritten");
    }

    @Test
    void aBadFileThatCannotBeReplacedIsAnErrorWithTheReason(@TempDir Path dir) throws IOException {
        byte[] lib = library();
        Path target = dir.resolve(JCudaNatives.FILE);
        Files.write(target, Arrays.copyOf(lib, 100));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            Path probe = dir.resolve("probe");
            boolean rootIgnoresPermissions;
            try {
                Files.createFile(probe);
                Files.delete(probe);
                rootIgnoresPermissions = true;
            } catch (IOException e) {
                rootIgnoresPermissions = false;
            }
            if (rootIgnoresPermissions) {
                // as root a read-only folder is still writable: the file is replaced, which is also right
                JCudaNatives.install(dir, lib);
                assertArrayEquals(lib, Files.readAllBytes(target));
            } else {
                IOException e = assertThrows(IOException.class, () -> JCudaNatives.install(dir, lib));
                assertTrue(e.getMessage().contains("differs from the jar's"), e.getMessage());
            }
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void prepareExtractsIntoTheConfiguredFolder(@TempDir Path dir) throws IOException {
        String saved = System.getProperty(JCudaNatives.DIR_PROPERTY);
        System.setProperty(JCudaNatives.DIR_PROPERTY, dir.resolve("natives").toString());
        try {
            Path got = JCudaNatives.prepare();
            assertEquals(dir.resolve("natives"), got);
            assertArrayEquals(library(), Files.readAllBytes(got.resolve(JCudaNatives.FILE)));
        } finally {
            if (saved == null) {
                System.clearProperty(JCudaNatives.DIR_PROPERTY);
            } else {
                System.setProperty(JCudaNatives.DIR_PROPERTY, saved);
            }
        }
    }

    @Test
    void loadFromPointsJCudaAtTheFolderOnlyDuringTheLoad(@TempDir Path dir) {
        String before = System.getProperty("java.io.tmpdir");
        String during = JCudaNatives.loadFrom(dir, () -> System.getProperty("java.io.tmpdir"));
        assertEquals(dir.toString(), during);
        assertEquals(before, System.getProperty("java.io.tmpdir"));
        assertThrows(IllegalStateException.class, () -> JCudaNatives.loadFrom(dir, () -> {
            throw new IllegalStateException("load failed");
        }));
        assertEquals(before, System.getProperty("java.io.tmpdir"), "restored after a failure too");
    }

    @Test
    void noDriverIsFoundCheaplyAndADriverAnywhereTheLoaderLooksIsNot(@TempDir Path root) throws IOException {
        String reason = JCudaNatives.noDriverReason(() -> null, root);
        assertNotNull(reason);
        assertTrue(reason.startsWith("no CUDA driver: libcuda.so.1 not found"), reason);

        Path emu = Files.createDirectories(root.resolve("opt/emu"));
        Files.write(emu.resolve("libcuda.so.1"), new byte[] {1});
        assertNull(JCudaNatives.noDriverReason(() -> "/nowhere:/opt/emu", root), "found through LD_LIBRARY_PATH");
        assertNotNull(JCudaNatives.noDriverReason(() -> "/nowhere", root));

        Files.createDirectories(root.resolve("etc"));
        Files.write(root.resolve("etc/ld.so.cache"), "ld.so-1.7.0\0libcudart.so.12\0libcuda.so.1\0/usr/lib/libcuda.so.1\0"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertNull(JCudaNatives.noDriverReason(() -> null, root), "found in the linker cache");
        Files.write(root.resolve("etc/ld.so.cache"), "ld.so-1.7.0\0libcuda.so.12\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertNotNull(JCudaNatives.noDriverReason(() -> null, root), "only an exact name counts");

        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        assertNull(JCudaNatives.noDriverReason(() -> null, root), "an NVIDIA kernel driver is loaded");
    }
}
