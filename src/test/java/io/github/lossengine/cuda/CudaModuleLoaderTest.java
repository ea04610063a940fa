package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.KernelSources;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CUDA module choice without a GPU: the driver call is simulated. A corrupt or missing fatbin,
 * or one the driver finds no code in, falls back to PTX; when the PTX cannot be loaded either, the
 * reason names both attempts (and, for PTX ISA 9.0 on an old driver, the R580 requirement).
 */
class CudaModuleLoaderTest {

    private static KernelSources with(String file, byte[] bytes) {
        return new KernelSources(name -> {
            if (name.equals(KernelSources.NATIVE + file)) {
                return bytes == null ? null : new ByteArrayInputStream(bytes);
            }
            return KernelSources.class.getClassLoader().getResourceAsStream(name);
        });
    }

    /** Records which images the "driver" was given and answers with the codes in order. */
    private static final class FakeDriver implements CudaModuleLoader.Loader {
        final List<String> seen = new ArrayList<>();
        private final int[] codes;

        FakeDriver(int... codes) {
            this.codes = codes;
        }

        @Override
        public int load(byte[] image) {
            boolean ptx = image[image.length - 1] == 0 && new String(image, 0, 200, java.nio.charset.StandardCharsets.US_ASCII).contains(".version");
            seen.add(ptx ? "PTX" : "fatbin");
            return codes[seen.size() - 1];
        }
    }

    @Test
    void theFatbinIsLoadedFirst() {
        FakeDriver d = new FakeDriver(0);
        assertEquals("fatbin", CudaModuleLoader.load(KernelSources.classpath(), d));
        assertEquals(List.of("fatbin"), d.seen);
    }

    @Test
    void noCodeForThisGpuFallsBackToNulTerminatedPtx() {
        FakeDriver d = new FakeDriver(CudaErrors.NO_BINARY_FOR_GPU, 0);
        assertEquals("PTX", CudaModuleLoader.load(KernelSources.classpath(), d));
        assertEquals(List.of("fatbin", "PTX"), d.seen);
    }

    @Test
    void corruptFatbinIsNotHandedToTheDriver() {
        byte[] corrupt = KernelSources.classpath().bytes(KernelSources.NATIVE + "lossengine.fatbin");
        corrupt[1] ^= 0x55;
        FakeDriver d = new FakeDriver(0);
        assertEquals("PTX", CudaModuleLoader.load(with("lossengine.fatbin", corrupt), d));
        assertEquals(List.of("PTX"), d.seen);
    }

    @Test
    void oldDriverRejectingThePtxMakesTheBackendUnavailableWithTheReason() {
        FakeDriver d = new FakeDriver(CudaErrors.NO_BINARY_FOR_GPU, CudaErrors.UNSUPPORTED_PTX_VERSION);
        DeviceException e = assertThrows(DeviceException.class, () -> CudaModuleLoader.load(KernelSources.classpath(), d));
        assertTrue(e.getMessage().contains("CUDA_ERROR_NO_BINARY_FOR_GPU (209)"), e.getMessage());
        assertTrue(e.getMessage().contains("R580"), e.getMessage());
    }

    @Test
    void missingImagesAreNamed() {
        KernelSources none = new KernelSources(name -> null);
        DeviceException e = assertThrows(DeviceException.class, () -> CudaModuleLoader.load(none, new FakeDriver(0, 0)));
        assertTrue(e.getMessage().contains("lossengine.fatbin") && e.getMessage().contains("lossengine.ptx"), e.getMessage());
    }

    @Test
    void errorCodesThatMeanUnavailable() {
        for (int code : new int[] {34, 100, 209, 218, 221, 222}) {
            assertTrue(CudaErrors.meansUnavailable(code), "code " + code);
        }
        assertFalse(CudaErrors.meansUnavailable(2));
        assertTrue(CudaErrors.explain(100).startsWith("no CUDA device"));
        assertTrue(CudaErrors.explain(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file")).contains("libcuda.so.1 not found"));
        assertTrue(CudaErrors.explain(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"))
                .contains("could not be loaded"));
    }
}
