package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.cuda.CudaBackendProvider;
import io.github.lossengine.opencl.OpenClBackendProvider;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.Probe;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Engines on the device backends for the parity tests, opened once per test JVM.
 *
 * <p>A backend whose probe finds no usable device makes the test skip (a JUnit assumption) with the
 * probe's reason, e.g. "cuda backend unavailable: no CUDA driver: libcuda.so.1 not found", never
 * silently. A backend whose probe finds a device but which then fails to open (a kernel that does
 * not compile, a corrupt module) fails the test. On CI ({@code CI=true}) the OpenCL backend must be
 * there: CI installs PoCL so that the parity tests really run. On a GPU machine,
 * {@code LOSSENGINE_REQUIRE_CUDA=1} makes an unavailable CUDA backend fail instead of skip.
 */
public final class DeviceEngines {
    private static final Map<Backend, Object> ENGINES = new EnumMap<>(Backend.class);
    private static LossEngine cpu;

    private DeviceEngines() {
    }

    /** The engine on {@code backend}, or an aborted test (JUnit assumption) with the reason it is unavailable. */
    public static synchronized LossEngine open(Backend backend) {
        Object e = ENGINES.computeIfAbsent(backend, b -> {
            Probe probe = provider(b).probe();
            if (!probe.available()) {
                return b.id() + " backend unavailable: " + probe.reason();
            }
            return LossEngine.create(b);
        });
        if (e instanceof String reason) {
            if (backend == Backend.OPENCL && "true".equals(System.getenv("CI"))) {
                Assertions.fail("CI must run the OpenCL parity tests (ci/install-pocl.sh installs PoCL): " + reason);
            }
            if (backend == Backend.CUDA && "1".equals(System.getenv("LOSSENGINE_REQUIRE_CUDA"))) {
                Assertions.fail("LOSSENGINE_REQUIRE_CUDA=1 but " + reason);
            }
            Assumptions.assumeTrue(false, reason);
        }
        return (LossEngine) e;
    }

    private static BackendProvider provider(Backend b) {
        return switch (b) {
            case OPENCL -> new OpenClBackendProvider();
            case CUDA -> new CudaBackendProvider();
            default -> throw new IllegalArgumentException(b + " is not a device backend");
        };
    }

    /** The reference engine. */
    static synchronized LossEngine cpu() {
        if (cpu == null) {
            cpu = LossEngine.create(Backend.CPU);
        }
        return cpu;
    }
}
