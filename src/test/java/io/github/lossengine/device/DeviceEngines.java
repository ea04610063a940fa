package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.LossEngine;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Engines on the device backends for the parity tests, opened once per test JVM. A backend that
 * cannot be opened here makes the test skip with the backend's own reason (e.g. "cuda backend
 * unavailable: no CUDA driver: libcuda.so.1 not found"), never silently.
 */
final class DeviceEngines {
    private static final Map<Backend, Object> ENGINES = new EnumMap<>(Backend.class);
    private static LossEngine cpu;

    private DeviceEngines() {
    }

    /** The engine on {@code backend}, or an aborted test (JUnit assumption) with the reason it is unavailable. */
    static synchronized LossEngine open(Backend backend) {
        Object e = ENGINES.computeIfAbsent(backend, b -> {
            try {
                return LossEngine.create(b);
            } catch (BackendUnavailableException ex) {
                return ex.getMessage();
            }
        });
        if (e instanceof String reason) {
            Assumptions.assumeTrue(false, reason);
        }
        return (LossEngine) e;
    }

    /** The reference engine. */
    static synchronized LossEngine cpu() {
        if (cpu == null) {
            cpu = LossEngine.create(Backend.CPU);
        }
        return cpu;
    }
}
