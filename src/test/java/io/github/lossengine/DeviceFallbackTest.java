package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.cpu.CpuBackendProvider;
import io.github.lossengine.cuda.CudaBackendProvider;
import io.github.lossengine.kernel.KernelSources;
import io.github.lossengine.opencl.OpenClBackendProvider;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What happens when a device backend cannot be used, decided from the backends' own probes (so the
 * same tests hold with no driver, with the emulated driver on {@code LD_LIBRARY_PATH}, and on a GPU
 * machine), and under simulated faults (a missing kernel resource, an OpenCL build failure, a forced backend that is
 * unavailable; the corrupt fatbin is in {@code cuda.CudaModuleLoaderTest}). Each ends on the CPU
 * with the reason recorded, or, when that backend was demanded, in an exception with the reason.
 */
class DeviceFallbackTest {

    /** The CUDA probe of this JVM (cached): what the tests below expect is decided from it, not from a folder scan. */
    private static Probe cuda() {
        return new CudaBackendProvider().probe();
    }

    @Test
    void cudaIsUnavailableWithTheProbesReasonOrOpensWhereADriverIs() {
        Probe probe = cuda();
        // probed once and cached: the second call (JCuda would now throw NoClassDefFoundError) says the same
        assertEquals(probe, new CudaBackendProvider().probe());
        if (probe.available()) {
            // a driver here (the emulated one under LD_LIBRARY_PATH, or a GPU): asking for it opens it
            try (LossEngine e = LossEngine.create(Backend.CUDA)) {
                assertEquals(Backend.CUDA, e.backend().active());
                assertTrue(e.backend().detail().startsWith("CUDA " + probe.reason()), e.backend().detail());
            }
            return;
        }
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> LossEngine.create(Backend.CUDA));
        assertEquals(Backend.CUDA, e.backend());
        assertTrue(e.getMessage().endsWith(probe.reason()), e.getMessage());
        if (probe.reason().startsWith("no CUDA driver")) {
            assertTrue(probe.reason().contains("libcuda.so.1 not found"), probe.reason());
        }
    }

    @Test
    void automaticSelectionTakesCudaWhereItIsAvailableElseEndsOnTheCpuAndRecordsWhy() {
        Probe cuda = cuda();
        BackendSelector s = new BackendSelector(BackendSelector.discover(), k -> null);
        Probe opencl = new OpenClBackendProvider().probe();
        BackendSelector.Selection sel = s.select(Backend.AUTO, "automatic selection");
        try (ComputeBackend b = sel.backend()) {
            BackendInfo info = sel.info();
            if (cuda.available()) {
                assertEquals(Backend.CUDA, info.active(), info.describe());
                return;
            }
            assertTrue(info.rejected().stream().anyMatch(r -> r.backend() == Backend.CUDA && r.reason().equals(cuda.reason())),
                    info.describe());
            if (opencl.available() && opencl.autoSelectable()) {
                assertEquals(Backend.OPENCL, info.active(), info.describe());
                return;
            }
            assertEquals(Backend.CPU, info.active());
            assertTrue(info.rejected().stream().anyMatch(r -> r.backend() == Backend.OPENCL && r.reason().equals(opencl.reason())),
                    info.describe());
        }
    }

    /** A provider that claims an auto-selectable OpenCL GPU but builds the given (faulty) kernel sources. */
    private static BackendProvider openClGpuWith(KernelSources sources) {
        OpenClBackendProvider real = new OpenClBackendProvider(sources);
        return new BackendProvider() {
            @Override
            public Backend backend() {
                return Backend.OPENCL;
            }

            @Override
            public int rank() {
                return 200;
            }

            @Override
            public Probe probe() {
                Probe p = real.probe();
                return p.available() ? Probe.available(p.reason()) : p;
            }

            @Override
            public ComputeBackend open() {
                return real.open();
            }
        };
    }

    private static KernelSources replacing(String file, Function<String, String> change) {
        KernelSources cp = KernelSources.classpath();
        return new KernelSources(name -> {
            if (name.equals(KernelSources.KERNELS + file)) {
                String text = change.apply(cp.text(name));
                return text == null ? null : (InputStream) new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            }
            return KernelSources.class.getClassLoader().getResourceAsStream(name);
        });
    }

    private static void requireOpenCl() {
        Probe p = new OpenClBackendProvider().probe();
        Assumptions.assumeTrue(p.available(), "no OpenCL device: " + p.reason());
    }

    @Test
    void missingKernelResourceFallsBackToTheCpuWithTheResourceNamed() {
        requireOpenCl();
        BackendProvider faulty = openClGpuWith(replacing("regression.cu", text -> null));
        BackendSelector s = new BackendSelector(List.of(faulty, new CpuBackendProvider()), k -> null);
        BackendInfo info = s.select(Backend.AUTO, "automatic selection").info();
        assertEquals(Backend.CPU, info.active());
        BackendInfo.Rejection r = info.rejected().stream().filter(x -> x.backend() == Backend.OPENCL).findFirst().orElseThrow();
        assertTrue(r.reason().contains("kernel resource missing") && r.reason().contains("regression.cu"), r.reason());
        // demanded: an exception with the same reason, no silent fallback
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> s.select(Backend.OPENCL, "test"));
        assertTrue(e.getMessage().contains("regression.cu"), e.getMessage());
    }

    @Test
    void openClBuildFailureFallsBackToTheCpuWithTheCompilerLog() {
        requireOpenCl();
        BackendProvider faulty = openClGpuWith(replacing("regression.cu", text -> text + "\nthis is not OpenCL C;\n"));
        BackendSelector s = new BackendSelector(List.of(faulty, new CpuBackendProvider()), k -> null);
        BackendInfo info = s.select(Backend.AUTO, "automatic selection").info();
        assertEquals(Backend.CPU, info.active());
        String reason = info.rejected().stream().filter(x -> x.backend() == Backend.OPENCL).findFirst().orElseThrow().reason();
        assertTrue(reason.contains("OpenCL kernel build failed") && reason.contains("error"), reason);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> faulty.open());
        assertTrue(e.getMessage().contains("OpenCL kernel build failed"), e.getMessage());
    }

    @Test
    void forcedBackendIsUsedOrIsAnErrorWithItsReason() {
        Probe cuda = cuda();
        BackendSelector s = new BackendSelector(BackendSelector.discover(), Map.of("env:" + BackendSelector.ENV, "cuda")::get);
        BackendSelector.Requested req = s.requested();
        assertEquals(Backend.CUDA, req.backend());
        if (cuda.available()) {
            try (ComputeBackend b = s.select(req.backend(), req.source()).backend()) {
                assertEquals(Backend.CUDA, b.kind());
            }
            return;
        }
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> s.select(req.backend(), req.source()));
        assertTrue(e.getMessage().endsWith(cuda.reason()), e.getMessage());
    }

    @Test
    void openClAskedForByNameUsesTheCpuDevice() {
        requireOpenCl();
        BackendSelector s = new BackendSelector(BackendSelector.discover(), Map.of("property:" + BackendSelector.PROPERTY, "opencl")::get);
        BackendSelector.Requested req = s.requested();
        BackendSelector.Selection sel = s.select(req.backend(), req.source());
        try (ComputeBackend b = sel.backend()) {
            assertEquals(Backend.OPENCL, sel.info().active());
            assertTrue(sel.info().reason().contains("lossengine.backend=opencl"), sel.info().reason());
            LossResult r = b.compute(Losses.mse(), new Tensor[] {Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {0, 0}, 2)},
                    new Tensor[2]);
            assertEquals(Backend.OPENCL, r.backend());
            assertEquals(2.5, r.value(), 1e-6);
        }
    }
}
