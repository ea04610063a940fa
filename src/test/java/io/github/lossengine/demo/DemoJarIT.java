package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command as a user runs it: {@code java -jar target/lossengine.jar demo} in a fresh
 * folder, in a separate process without a terminal. It leaves the charts in {@code ./lossengine-demo},
 * prints the folder and the summary on stdout, and nothing on stderr (no progress bar, no log noise).
 */
class DemoJarIT {

    @TempDir
    Path dir;

    @Test
    void demoLeavesTheChartsInItsDefaultFolder() throws Exception {
        Path jar = Paths.get("target", "lossengine.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "run after the package phase: " + jar);
        ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "demo").directory(dir.toFile());
        pb.environment().remove("LOSSENGINE_BACKEND");
        File out = dir.resolve("stdout.txt").toFile();
        File err = dir.resolve("stderr.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        long start = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time");
        double seconds = (System.nanoTime() - start) / 1e9;
        String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
        String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertEquals("", stderr);
        Path folder = dir.resolve("lossengine-demo").toRealPath();
        assertTrue(stdout.contains("output: " + folder), stdout);
        assertFalse(stdout.contains("\r"), stdout);
        assertTrue(Files.isRegularFile(folder.resolve("index.html")));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(7, files.filter(f -> f.toString().endsWith(".png")).count());
        }
        assertTrue(seconds < 60, "took " + seconds + " s");
        assertTrue(List.of(stdout.split("\n")).size() < 40, stdout);
    }
}
