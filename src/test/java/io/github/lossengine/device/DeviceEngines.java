package io.github.lossengine.device;

import io.github.lossengine.Backend;
import io.github.lossengine.LossEngine;
import io.github.lossengine.cuda.CudaBackendProvider;
import io.github.lossengine.opencl.OpenClBackendProvider;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.Probe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Engines on the device backends for the parity tests, opened once per test JVM, and which device
 * backends a test run covers.
 *
 * <p>{@link #backends()} (the parity tests' {@code @MethodSource}) is the system property
 * {@code lossengine.test.devices}, {@code opencl,cuda} by default. Without an NVIDIA driver the pom's
 * {@code cuda-emulated} profile runs the default tests on {@code opencl} and the device tests twice
 * more on {@code cuda} over the emulated driver (fatbin, then PTX), with
 * {@code lossengine.test.cudaemu} naming the emulator's folder.
 *
 * <p>A backend whose probe finds no usable device makes the test skip (a JUnit assumption) with the
 * probe's reason, e.g. "cuda backend unavailable: no CUDA driver: libcuda.so.1 not found", never
 * silently. A backend whose probe finds a device but which then fails to open (a kernel that does
 * not compile, a corrupt module) fails the test. CUDA is required (an unavailable CUDA backend
 * fails) under the emulator, and on a GPU machine with {@code LOSSENGINE_REQUIRE_CUDA=1}. On CI
 * ({@code CI=true}) the OpenCL backend must be there (CI installs PoCL), and so must the emulator.
 */
public final class DeviceEngines {
    /** The system property naming the emulated driver's folder in the emulated CUDA test runs. */
    public static final String CUDAEMU = "lossengine.test.cudaemu";

    private static final Map<Backend, Object> ENGINES = new EnumMap<>(Backend.class);
    private static LossEngine cpu;

    private DeviceEngines() {
    }

    /** The device backends this test run covers ({@code lossengine.test.devices}). */
    public static List<Backend> backends() {
        List<Backend> out = new ArrayList<>();
        for (String s : System.getProperty("lossengine.test.devices", "opencl,cuda").split(",")) {
            if (!s.isBlank()) {
                out.add(Backend.valueOf(s.strip().toUpperCase(Locale.ROOT)));
            }
        }
        return out;
    }

    /** Whether this run is one of the emulated-CUDA runs. */
    public static boolean emulatedCuda() {
        return System.getProperty(CUDAEMU) != null && System.getProperty("lossengine.test.devices", "").equals("cuda");
    }

    /** The engine on {@code backend}, or an aborted test (JUnit assumption) with the reason it is unavailable. */
    public static synchronized LossEngine open(Backend backend) {
        if (backend == Backend.CUDA) {
            requireEmulatorBuilt();
        }
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
            if (backend == Backend.CUDA && (emulatedCuda() || "1".equals(System.getenv("LOSSENGINE_REQUIRE_CUDA")))) {
                Assertions.fail((emulatedCuda() ? "the emulated CUDA driver is built, " : "LOSSENGINE_REQUIRE_CUDA=1, ") + "but " + reason);
            }
            Assumptions.assumeTrue(false, reason);
        }
        LossEngine engine = (LossEngine) e;
        String image = System.getProperty("lossengine.test.cudaImage");
        if (backend == Backend.CUDA && image != null) {
            String detail = engine.backend().detail();
            Assertions.assertTrue(detail.contains("kernels from " + image + " "), "this run must load the " + image + ": " + detail);
        }
        return engine;
    }

    /**
     * In an emulated-CUDA run, skips (or on CI fails) with the build's reason when the emulator could
     * not be built here; otherwise returns.
     */
    public static void requireEmulatorBuilt() {
        String dir = System.getProperty(CUDAEMU);
        if (dir == null || !emulatedCuda()) {
            return;
        }
        Path lib = Paths.get(dir, "libcuda.so.1");
        if (Files.exists(lib)) {
            return;
        }
        String reason;
        try {
            reason = Files.readString(Paths.get(dir, "UNAVAILABLE"), StandardCharsets.UTF_8).strip();
        } catch (IOException ex) {
            reason = lib + " was not built (no " + dir + "/UNAVAILABLE either)";
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI must run the CUDA tests on the emulated driver: " + reason);
        }
        Assumptions.assumeTrue(false, reason);
    }

    private static BackendProvider provider(Backend b) {
        return switch (b) {
            case OPENCL -> new OpenClBackendProvider();
            case CUDA -> new CudaBackendProvider();
            default -> throw new IllegalArgumentException(b + " is not a device backend");
        };
    }

    /**
     * Closes the cached CUDA engine, so that the CUDA session can end (a test that needs a fresh
     * session, or that ends it with an injected fault); the next {@link #open} makes a new one.
     */
    public static synchronized void forgetCuda() {
        Object e = ENGINES.remove(Backend.CUDA);
        if (e instanceof LossEngine engine) {
            engine.close();
        }
    }

    /** The reference engine. */
    static synchronized LossEngine cpu() {
        if (cpu == null) {
            cpu = LossEngine.create(Backend.CPU);
        }
        return cpu;
    }
}
