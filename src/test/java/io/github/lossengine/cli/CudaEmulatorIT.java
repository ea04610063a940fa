package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar target/lossengine.jar} on the emulated CUDA driver (src/test/native/cudaemu), as a
 * user without a GPU can run it: {@code info} names CUDA and where its kernels came from; JCuda's JNI
 * library is taken from a verified private copy, so a truncated or foreign file where JCuda would
 * have extracted it (a killed JVM, two JVMs starting together, another user's /tmp) ends in CUDA
 * working, not in SIGBUS; a probe-time driver fault falls back to the CPU with the reason; and
 * {@code bench --backend cuda} runs. Needs the emulator, which the cuda-emulated profile builds
 * (skipped with the build's reason where it could not be built, failed on CI).
 */
class CudaEmulatorIT {
    private static Path emulator;

    @BeforeAll
    static void requireEmulator() throws IOException {
        String dir = System.getProperty("lossengine.test.cudaemu");
        Assumptions.assumeTrue(dir != null, "no emulated CUDA driver in this build (the cuda-emulated profile is off: this"
                + " machine has an NVIDIA driver)");
        emulator = Paths.get(dir);
        if (!Files.exists(emulator.resolve("libcuda.so.1"))) {
            Path why = emulator.resolve("UNAVAILABLE");
            String reason = Files.exists(why) ? Files.readString(why, StandardCharsets.UTF_8).strip() : "not built";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI must run the emulated CUDA driver: " + reason);
            }
            Assumptions.assumeTrue(false, reason);
        }
    }

    private static Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", emulator.toString());
        env.put("CUDAEMU_KERNELS", Paths.get("kernels").toAbsolutePath().toString());
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static CliRunner.Result run(Path dir, Map<String, String> env, List<String> jvm, String... args) throws Exception {
        CliRunner.Result r = JarRunner.run(dir, env, jvm, args);
        if (r.status() > 128) {
            fail("the JVM died with signal " + (r.status() - 128) + "\nstderr:\n" + r.err());
        }
        return r;
    }

    @Test
    void infoShowsCudaActiveAndWhereTheKernelsCameFrom(@TempDir Path dir) throws Exception {
        CliRunner.Result r = run(dir, env(), List.of(), "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("active backend: cuda"), r.out());
        assertTrue(r.out().contains("kernels from fatbin"), r.out());
        CliRunner.Result ptx = run(dir, env("CUDAEMU_REFUSE_FATBIN", "1"), List.of(), "info");
        assertEquals(0, ptx.status(), ptx.err());
        assertTrue(ptx.out().contains("active backend: cuda") && ptx.out().contains("kernels from PTX"), ptx.out());
    }

    @Test
    void aTruncatedOrForeignJCudaLibraryWhereJCudaExtractsIsNeverLoaded(@TempDir Path dir) throws Exception {
        byte[] lib;
        try (var in = getClass().getResourceAsStream("/lib/libJCudaDriver-12.6.0-linux-x86_64.so")) {
            lib = in.readAllBytes();
        }
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path natives = Files.createDirectories(dir.resolve("natives"));
        // JCuda's own extraction target: a killed extraction left half a file
        Files.write(tmp.resolve("libJCudaDriver-12.6.0-linux-x86_64.so"), java.util.Arrays.copyOf(lib, lib.length / 2));
        // and the private folder holds another build of the same size
        byte[] foreign = lib.clone();
        foreign[lib.length / 3] ^= 0x55;
        Files.write(natives.resolve("libJCudaDriver-12.6.0-linux-x86_64.so"), foreign);
        List<String> jvm = new ArrayList<>(List.of("-Djava.io.tmpdir=" + tmp, "-Dlossengine.nativeDir=" + natives));
        CliRunner.Result r = run(dir, env(), jvm, "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("active backend: cuda"), r.out());
        assertTrue(java.util.Arrays.equals(lib, Files.readAllBytes(natives.resolve("libJCudaDriver-12.6.0-linux-x86_64.so"))),
                "the foreign copy was replaced by the jar's");
    }

    @Test
    void aBadLibraryThatCannotBeReplacedEndsInACleanFallbackWithTheReason(@TempDir Path dir) throws Exception {
        Path natives = Files.createDirectories(dir.resolve("natives"));
        // something that is not the library stands where it goes, and cannot be replaced by it
        Files.createDirectories(natives.resolve("libJCudaDriver-12.6.0-linux-x86_64.so").resolve("junk"));
        CliRunner.Result r = run(dir, env(), List.of("-Dlossengine.nativeDir=" + natives), "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("active backend: cpu"), r.out());
        assertTrue(r.out().contains("rejected cuda: the JCuda driver binding could not be prepared: "), r.out());
    }

    @Test
    void aDriverThatFailsAtInitFallsBackToTheCpuWithTheReason(@TempDir Path dir) throws Exception {
        CliRunner.Result r = run(dir, env("CUDAEMU_INIT_RESULT", "999"), List.of(), "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("active backend: cpu"), r.out());
        assertTrue(r.out().contains("rejected cuda: cuInit failed: CUDA_ERROR_UNKNOWN (999)"), r.out());
        CliRunner.Result old = run(dir, env("CUDAEMU_DRIVER_VERSION", "12060"), List.of(), "info");
        assertTrue(old.out().contains("rejected cuda: the NVIDIA driver supports CUDA 12.6"), old.out());
        CliRunner.Result none = run(dir, env("CUDAEMU_INIT_RESULT", "100"), List.of(), "info");
        assertTrue(none.out().contains("rejected cuda: no CUDA device: CUDA_ERROR_NO_DEVICE (100)"), none.out());
    }

    @Test
    void benchRunsOnTheEmulatedDevice(@TempDir Path dir) throws Exception {
        CliRunner.Result r = run(dir, env(), List.of(), "bench", "--backend", "cuda", "--loss", "softmax_cross_entropy",
                "--rows", "64", "--classes", "1000", "--iterations", "3", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"backend\": \"cuda\"") || r.out().contains("\"backend\":\"cuda\""), r.out());
        assertTrue(r.out().contains("\"resident\": true") || r.out().contains("\"resident\":true"), r.out());
    }
}
