package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private String[] java(List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(Paths.get("target", "lossengine.jar").toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("LOSSENGINE_BACKEND");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove(VectorRelaunch.MARKER);
        pb.environment().remove(VectorRelaunch.ENV);
        File out = dir.resolve("out.txt").toFile();
        File err = dir.resolve("err.txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time");
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out.toPath(), StandardCharsets.UTF_8),
            Files.readString(err.toPath(), StandardCharsets.UTF_8)};
    }

    @Test
    void theJarRunsTheVectorKernelsWithoutTheFlag() throws Exception {
        String[] r = java(List.of(), "info");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("Java Vector API"), r[1]);
        assertEquals("", r[2], "no incubator warning, no logging below WARN");
    }

    @Test
    void withRelaunchTurnedOffTheScalarKernelsSayHowToEnableTheFastOnes() throws Exception {
        String[] r = java(List.of("-Dlossengine.relaunch=false"), "--verbose", "info");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("scalar Java"), r[1]);
        assertTrue(r[2].contains("lossengine CPU kernels: scalar Java") && r[2].contains("--add-modules jdk.incubator.vector"),
                "one INFO line names the path and the flag: " + r[2]);
    }

    @Test
    void benchJsonThroughTheJar() throws Exception {
        String[] r = java(List.of(), "bench", "--loss", "softmax_cross_entropy", "--rows", "16", "--classes", "64",
                "--backend", "cpu", "--iterations", "2", "--json");
        assertEquals("0", r[0], r[2]);
        assertEquals("", r[2]);
        assertEquals("softmax_cross_entropy", JsonReader.object(r[1].trim()).get("loss"));
        assertTrue(JsonReader.object(r[1].trim()).get("device").toString().contains("Java Vector API"), r[1]);
    }
}
