package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuBLAS probe on a fake file-system root: JCublas and its JNI library are on the test class
 * path (optional dependencies of the build), so the answer turns on {@code libcublas.so.12} alone.
 */
class CublasProbeTest {
    @TempDir
    Path root;

    @Test
    void withoutLibcublasTheLineGivesTheReasonAndTheFallback() {
        String line = CublasProbe.line(() -> null, root);
        assertEquals("cublas: unavailable: libcublas.so.12 not found (the NVIDIA driver does not provide it: install the"
                + " CUDA toolkit or nvidia-cublas-cu12 and put its folder on LD_LIBRARY_PATH); linear_cross_entropy uses"
                + " the built-in GEMM kernel", line);
    }

    @Test
    void libcublasOnTheLibraryPathOrInTheToolkitIsFound() throws IOException {
        Path dir = Files.createDirectories(root.resolve("opt/cublas"));
        Files.createFile(dir.resolve("libcublas.so.12"));
        assertNull(CublasProbe.unavailableReason(() -> "/opt/cublas", root));
        Path toolkit = Files.createDirectories(root.resolve("usr/local/cuda/lib64"));
        Files.createFile(toolkit.resolve("libcublas.so.12"));
        String line = CublasProbe.line(() -> null, root);
        assertTrue(line.startsWith("cublas: libcublas.so.12 and JCublas 12.6.0 found;"), line);
        assertTrue(line.contains("uses cuBLAS on CUDA when libJCublas2 loads and cublasCreate succeeds, else the built-in"
                + " GEMM kernel"), line);
        assertFalse(line.contains("not implemented"), line);
    }
}
