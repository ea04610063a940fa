package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.cli.CliRunner;
import io.github.lossengine.cli.JarRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        long start = System.nanoTime();
        CliRunner.Result r = JarRunner.run(dir, List.of(), "demo");
        double seconds = (System.nanoTime() - start) / 1e9;
        String stdout = r.out();
        String stderr = r.err();
        assertEquals(0, r.status(), stdout + stderr);
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
