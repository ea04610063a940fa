package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar lossengine.jar} runs the vectorised CPU kernels without the user passing
 * {@code --add-modules} (the tool relaunches itself), keeps stderr clean, and falls back to the
 * scalar kernels, saying how to enable the fast ones, when relaunching is turned off.
 */
class VectorLaunchIT {
    @TempDir
    Path dir;

    @Test
    void theJarRunsTheVectorKernelsWithoutTheFlag() throws Exception {
        CliRunner.Result r = JarRunner.run(dir, List.of(), "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Java Vector API"), r.out());
        assertEquals("", r.err(), "no incubator warning, no logging below WARN");
    }

    @Test
    void withRelaunchTurnedOffTheScalarKernelsSayHowToEnableTheFastOnes() throws Exception {
        CliRunner.Result r = JarRunner.run(dir, List.of("-Dlossengine.relaunch=false"), "--verbose", "info");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("scalar Java"), r.out());
        assertTrue(r.err().contains("lossengine CPU kernels: scalar Java") && r.err().contains("--add-modules jdk.incubator.vector"),
                "one INFO line names the path and the flag: " + r.err());
    }

    @Test
    void benchJsonThroughTheJar() throws Exception {
        CliRunner.Result r = JarRunner.run(dir, List.of(), "bench", "--loss", "softmax_cross_entropy", "--rows", "16", "--classes", "64",
                "--backend", "cpu", "--iterations", "2", "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals("softmax_cross_entropy", JsonReader.object(r.out().trim()).get("loss"));
        assertTrue(JsonReader.object(r.out().trim()).get("device").toString().contains("Java Vector API"), r.out());
    }
}
