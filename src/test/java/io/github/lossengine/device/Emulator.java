package io.github.lossengine.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;

/**
 * The emulated CUDA driver's fault injection (src/test/native/cudaemu/README.md): its control file,
 * named by {@code CUDAEMU_CONTROL}, holds {@code KEY=VALUE} lines that override its environment and
 * are re-read when the file changes. Only in the {@code cuda-emulated} test runs.
 */
final class Emulator {
    private static final AtomicLong VERSION = new AtomicLong();

    private Emulator() {
    }

    /** Whether this JVM runs on the emulated driver with a control file. */
    static boolean active() {
        return DeviceEngines.emulatedCuda() && System.getenv("CUDAEMU_CONTROL") != null;
    }

    /** Skips, with the reason, a test that needs fault injection, where there is none (e.g. a real GPU). */
    static void require() {
        Assumptions.assumeTrue(active(), "needs the emulated CUDA driver's fault injection (the cuda-emulated test runs of"
                + " mvn verify); this run is on " + (DeviceEngines.emulatedCuda() ? "the emulator without CUDAEMU_CONTROL" : "a real driver"));
    }

    /**
     * Replaces the control file's settings with {@code keyValues} (key, value, key, value, ...);
     * with none, clears them. Does nothing outside the emulated runs. Written to a temporary file
     * and renamed, so the emulator never reads half a file; a version line makes every write differ.
     */
    static void set(String... keyValues) {
        if (!active()) {
            return;
        }
        StringBuilder sb = new StringBuilder("# written by the tests, version " + VERSION.incrementAndGet() + "\n");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            sb.append(keyValues[i]).append('=').append(keyValues[i + 1]).append('\n');
        }
        Path control = Paths.get(System.getenv("CUDAEMU_CONTROL"));
        try {
            Files.createDirectories(control.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(control.toAbsolutePath().getParent(), ".control", ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, control, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
