package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jcuda.CudaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of {@link CublasGemm} that need no GPU: status codes reported as exceptions (JCublas2's
 * exceptions mode, which a program may turn on JVM-wide) mapped back to the codes, and a missing
 * {@code libcublas.so.12} choosing the built-in kernel with the probe's reason before anything loads.
 */
class CublasGemmTest {
    @TempDir
    Path root;

    @Test
    void statusesThrownAsExceptionsAreMappedBackToTheirCodes() {
        assertEquals(0, CublasGemm.rc(() -> 0));
        assertEquals(15, CublasGemm.rc(() -> 15));
        assertEquals(3, CublasGemm.rc(() -> {
            throw new CudaException("CUBLAS_STATUS_ALLOC_FAILED");
        }));
        assertEquals(7, CublasGemm.rc(() -> {
            throw new CudaException(" CUBLAS_STATUS_INVALID_VALUE\n");
        }));
        assertEquals(14, CublasGemm.rc(() -> {
            throw new CudaException("something else");
        }), "an unknown message is an internal error");
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED (15)", CublasGemm.status(15));
    }

    @Test
    void withoutLibcublasTheChoiceIsTheBuiltInKernelWithTheProbesReason() throws IOException {
        Files.createDirectories(root.resolve("empty"));
        CublasGemm.Choice c = CublasGemm.open(null, () -> "/empty", root);
        assertEquals(io.github.lossengine.kernel.BuiltInGemm.INSTANCE, c.gemm());
        assertEquals(null, c.cublas());
        assertTrue(c.line().startsWith(CublasGemm.FALLBACK + "libcublas.so.12 not found"), c.line());
    }
}
