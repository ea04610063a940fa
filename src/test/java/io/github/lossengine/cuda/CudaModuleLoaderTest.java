package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.KernelSources;
import io.github.lossengine.spi.Probe;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The CUDA module choice and the classification of CUDA error codes without a GPU: the driver call
 * is simulated. A corrupt or missing fatbin, or one the driver finds no code in, falls back to PTX;
 * when the PTX cannot be loaded either, the reason names both attempts (and, for PTX ISA 9.0 on an
 * old driver, the R580 requirement). Codes that mean "unavailable" give the reason; other codes are
 * errors named with the call, and the probe logs them at WARN, as clean-up calls log their failures.
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
    void theKernelsResolvedAtOpenAreEveryKernelTheSourcesDefineAndTheCommittedPtxHasThemAll() {
        List<String> names = CudaModuleImage.kernelNames(KernelSources.classpath());
        String ptx = KernelSources.classpath().text(KernelSources.NATIVE + "lossengine.ptx");
        java.util.Set<String> entries = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.entry\\s+(\\w+)\\(").matcher(ptx);
        while (m.find()) {
            entries.add(m.group(1));
        }
        assertEquals(entries, new java.util.TreeSet<>(names), "the module as built defines exactly the sources' kernels");
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), "no kernel listed twice: " + names);
        assertTrue(names.contains("le_softmax_ce_f32") && names.contains("le_mse_f32") && names.contains("le_check_labels_i64"), names.toString());
    }

    @Test
    void errorCodesThatMeanUnavailable() {
        for (int code : new int[] {34, 35, 100, 209, 218, 221, 222}) {
            assertTrue(CudaErrors.meansUnavailable(code), "code " + code);
        }
        for (int code : new int[] {0, 2, 3, 200, 201, 700, 999}) {
            assertFalse(CudaErrors.meansUnavailable(code), "code " + code);
        }
        assertTrue(CudaErrors.explain(100).startsWith("no CUDA device"));
        assertTrue(CudaErrors.explain(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file")).contains("libcuda.so.1 not found"));
        assertTrue(CudaErrors.explain(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"))
                .contains("could not be loaded"));
    }

    @Test
    void errorCodesThatAreNotAboutTheImageFailTheLoadAtOnceWithTheirName() {
        FakeDriver oom = new FakeDriver(2);
        DeviceException e = assertThrows(DeviceException.class, () -> CudaModuleLoader.load(KernelSources.classpath(), oom));
        assertEquals("cannot load the kernels: cuModuleLoadData(fatbin) failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals(List.of("fatbin"), oom.seen, "no PTX attempt after an error that is not the image's");
        // an image the driver calls invalid is the image's problem: the PTX is tried, and its error is named
        FakeDriver invalid = new FakeDriver(CudaErrors.INVALID_IMAGE, 999);
        DeviceException both = assertThrows(DeviceException.class, () -> CudaModuleLoader.load(KernelSources.classpath(), invalid));
        assertEquals(List.of("fatbin", "PTX"), invalid.seen);
        assertTrue(both.getMessage().contains("fatbin: cuModuleLoadData(fatbin) failed: CUDA_ERROR_INVALID_IMAGE (200)"), both.getMessage());
        assertTrue(both.getMessage().contains("PTX: cuModuleLoadData(PTX) failed: CUDA_ERROR_UNKNOWN (999)"), both.getMessage());
        assertEquals("PTX", CudaModuleLoader.load(KernelSources.classpath(), new FakeDriver(CudaErrors.INVALID_IMAGE, 0)));
    }

    @Test
    void failureGivesTheReasonForUnavailableCodesAndNamesTheCallForErrors() {
        for (int code : new int[] {34, 35, 100, 209, 218, 221, 222}) {
            assertEquals(CudaErrors.explain(code), CudaErrors.failure("cuInit", code), "code " + code);
            assertFalse(CudaErrors.failure("cuInit", code).contains("cuInit"), "code " + code);
        }
        assertTrue(CudaErrors.failure("cuInit", 35).contains("R580"));
        assertEquals("cuInit failed: CUDA_ERROR_UNKNOWN (999)", CudaErrors.failure("cuInit", 999));
        assertEquals("cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY (2)", CudaErrors.failure("cuMemAlloc", 2));
        assertEquals("cuInit failed: CUDA error (12345)", CudaErrors.failure("cuInit", 12345));
    }

    /** The WARN events logged on the CUDA backend's logger while {@code action} runs. */
    private static <T> List<String> warnings(Supplier<T> action, List<T> result) {
        Logger log = (Logger) CudaErrors.LOG;
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            result.add(action.get());
        } finally {
            log.detachAppender(appender);
        }
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
            if (e.getLevel() == Level.WARN) {
                out.add(e.getFormattedMessage());
            }
        }
        return out;
    }

    @Test
    void probeRejectsUnavailableCodesQuietlyAndReportsOtherCodesAsErrors() {
        List<Probe> probes = new ArrayList<>();
        assertEquals(List.of(), warnings(() -> CudaBackendProvider.probeFailure("cuInit", CudaErrors.NO_DEVICE), probes));
        assertFalse(probes.get(0).available());
        assertEquals("no CUDA device: CUDA_ERROR_NO_DEVICE (100)", probes.get(0).reason());
        assertEquals(List.of("CUDA probe: cuInit failed: CUDA_ERROR_NOT_INITIALIZED (3)"),
                warnings(() -> CudaBackendProvider.probeFailure("cuInit", 3), probes));
        assertFalse(probes.get(1).available());
        assertEquals("cuInit failed: CUDA_ERROR_NOT_INITIALIZED (3)", probes.get(1).reason());
    }

    @Test
    void cleanUpFailuresAreLoggedNotThrown() {
        List<Boolean> ok = new ArrayList<>();
        assertEquals(List.of(), warnings(() -> CudaErrors.warnIfFailed(0, "cuMemFree"), ok));
        assertEquals(List.of("cuMemFree (64 bytes) failed: CUDA_ERROR_INVALID_CONTEXT (201)"),
                warnings(() -> CudaErrors.warnIfFailed(201, "cuMemFree (64 bytes)"), ok));
        assertEquals(List.of(true, false), ok);
    }
}
