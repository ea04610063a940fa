package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.cpu.CpuBackendProvider;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Backend choice: ranking, overrides, rejections with reasons, and demanded backends. */
class BackendSelectionTest {

    /** A provider whose probe reports what the test says. */
    private static BackendProvider fake(Backend b, int rank, Probe probe, RuntimeException onOpen) {
        return fake(b, rank, () -> probe, onOpen);
    }

    /** A provider whose probe answers (or throws) what {@code probe} does. */
    private static BackendProvider fake(Backend b, int rank, Supplier<Probe> probe, RuntimeException onOpen) {
        return new BackendProvider() {
            @Override
            public Backend backend() {
                return b;
            }

            @Override
            public int rank() {
                return rank;
            }

            @Override
            public Probe probe() {
                return probe.get();
            }

            @Override
            public ComputeBackend open() {
                if (onOpen != null) {
                    throw onOpen;
                }
                return new CpuBackendProvider().open();
            }
        };
    }

    private static BackendSelector selector(Map<String, String> env, BackendProvider... providers) {
        return new BackendSelector(List.of(providers), env::get);
    }

    @Test
    void automaticSelectionRecordsEveryRejection() {
        BackendSelector s = selector(Map.of(),
                fake(Backend.CUDA, 300, Probe.unavailable("libcuda.so.1 not found"), null),
                fake(Backend.OPENCL, 200, Probe.explicitOnly("only an OpenCL CPU device (PoCL)"), null),
                new CpuBackendProvider());
        BackendInfo info = s.select(Backend.AUTO, "automatic selection").info();
        assertEquals(Backend.CPU, info.active());
        assertEquals(2, info.rejected().size());
        assertEquals(Backend.CUDA, info.rejected().get(0).backend());
        assertTrue(info.rejected().get(0).reason().contains("libcuda.so.1"));
        assertTrue(info.describe().contains("rejected opencl: only an OpenCL CPU device"), info.describe());
    }

    @Test
    void providerThatFailsToOpenFallsBackWithItsReason() {
        BackendSelector s = selector(Map.of(),
                fake(Backend.CUDA, 300, Probe.available("fake GPU"), new BackendUnavailableException(Backend.CUDA, "corrupt fatbin")),
                new CpuBackendProvider());
        BackendInfo info = s.select(Backend.AUTO, "automatic selection").info();
        assertEquals(Backend.CPU, info.active());
        assertTrue(info.rejected().stream().anyMatch(r -> r.backend() == Backend.CUDA && r.reason().contains("corrupt fatbin")),
                info.toString());
        // OpenCL has no provider in this set: that is recorded too
        assertTrue(info.rejected().stream().anyMatch(r -> r.backend() == Backend.OPENCL && r.reason().contains("no provider")));
    }

    @Test
    void demandedBackendThatIsUnavailableThrowsWithTheReason() {
        BackendSelector s = selector(Map.of(),
                fake(Backend.CUDA, 300, Probe.unavailable("libcuda.so.1 not found"), null), new CpuBackendProvider());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> s.select(Backend.CUDA, "test"));
        assertEquals(Backend.CUDA, e.backend());
        assertTrue(e.getMessage().contains("libcuda.so.1 not found"), e.getMessage());
        BackendUnavailableException none = assertThrows(BackendUnavailableException.class,
                () -> selector(Map.of(), new CpuBackendProvider()).select(Backend.OPENCL, "test"));
        assertTrue(none.getMessage().contains("no provider"), none.getMessage());
    }

    @Test
    void propertyWinsOverEnvironmentAndBothAreParsed() {
        BackendSelector both = selector(Map.of("property:lossengine.backend", "CPU", "env:LOSSENGINE_BACKEND", "cuda"),
                new CpuBackendProvider());
        assertEquals(Backend.CPU, both.requested().backend());
        assertTrue(both.requested().source().contains("system property"));
        BackendSelector env = selector(Map.of("env:LOSSENGINE_BACKEND", "opencl"), new CpuBackendProvider());
        assertEquals(Backend.OPENCL, env.requested().backend());
        assertEquals(Backend.AUTO, selector(Map.of(), new CpuBackendProvider()).requested().backend());
        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> selector(Map.of("env:LOSSENGINE_BACKEND", "tpu"), new CpuBackendProvider()).requested());
        assertTrue(bad.getMessage().contains("LOSSENGINE_BACKEND") && bad.getMessage().contains("tpu"), bad.getMessage());
    }

    @Test
    void requestedBackendIsNamedInTheReason() {
        BackendInfo info = selector(Map.of(), new CpuBackendProvider()).select(Backend.CPU, "system property lossengine.backend=cpu").info();
        assertEquals(Backend.CPU, info.active());
        assertTrue(info.reason().contains("lossengine.backend=cpu"), info.reason());
    }

    @Test
    void cpuIsFoundEvenWithoutServiceFiles() {
        assertTrue(BackendSelector.discover().stream().anyMatch(p -> p.backend() == Backend.CPU));
        try (LossEngine engine = LossEngine.create(Backend.CPU)) {
            assertEquals(Backend.CPU, engine.backend().active());
        }
    }

    @Test
    void closedEngineRefusesCalls() {
        LossEngine engine = LossEngine.create(Backend.CPU);
        engine.close();
        engine.close();
        assertThrows(IllegalStateException.class,
                () -> engine.compute(Losses.mse(), Tensor.of(new float[] {1}), Tensor.of(new float[] {2})));
    }

    @Test
    void probeAllReportsEveryBackendWithoutOpeningAny() {
        BackendProvider throwing = fake(Backend.CUDA, 300, () -> {
            throw new IllegalStateException("driver exploded");
        }, new IllegalStateException("probeAll must not open a backend"));
        Map<Backend, Probe> all = selector(Map.of(), throwing, new CpuBackendProvider()).probeAll();
        assertEquals(List.of(Backend.CUDA, Backend.CPU, Backend.OPENCL), List.copyOf(all.keySet()));
        assertTrue(all.get(Backend.CUDA).reason().contains("driver exploded"), all.toString());
        assertTrue(all.get(Backend.CPU).available());
        assertEquals(Probe.unavailable("no provider for it on the class path"), all.get(Backend.OPENCL));
    }
}
