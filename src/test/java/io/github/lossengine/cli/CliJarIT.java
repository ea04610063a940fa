package io.github.lossengine.cli;

import static io.github.lossengine.cli.ComputeCommandTest.d;
import static io.github.lossengine.cli.ComputeCommandTest.f4;
import static io.github.lossengine.cli.ComputeCommandTest.f8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shaded {@code target/lossengine.jar} as a user would ({@code java -jar}, in a separate
 * process, with the JVM running the tests): {@code compute} with a gradient file, an error path,
 * {@code info} in both forms, and the jar's logging configuration.
 */
class CliJarIT {
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findJar() {
        jar = JarRunner.jar();
    }

    private CliRunner.Result java(String... args) throws Exception {
        return JarRunner.run(dir, List.of(), args);
    }

    @Test
    void computeWritesOneJsonLineAndTheGradient() throws Exception {
        Path a = NpyBytes.write(dir.resolve("a.npy"), f4(d(1, 2, 3, 4), 2, 2).bytes());
        Path b = NpyBytes.write(dir.resolve("b.npy"), f8(d(1.5, 2, 1, 4), 2, 2).bytes());
        Path g = dir.resolve("g.npy");
        CliRunner.Result r = java("compute", "--loss", "mse", "--input", a.toString(), "--target", b.toString(),
                "--grad-out", g.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.err(), "no logging below WARN by default");
        assertEquals(1, r.outLines().size(), r.out());
        Map<String, Object> json = JsonReader.object(r.outLines().get(0));
        assertEquals(1.0625, (Double) json.get("loss"), "(0.25 + 0 + 4 + 0) / 4");
        assertEquals("mse", json.get("name"));
        assertEquals("mean", json.get("reduction"));
        assertNotNull(json.get("backend"));
        Npy.NpyArray grad = Npy.read(g);
        assertArrayEquals(new long[] {2, 2}, grad.shape());
        assertArrayEquals(new float[] {-0.25f, 0, 1, 0}, grad.tensor().toFloatArray(), 1e-7f);
    }

    @Test
    void badInputExitsWithStatusTwoAndOneLine() throws Exception {
        Path a = NpyBytes.write(dir.resolve("a.npy"), f4(d(1, 2, 3, 4, 5, 6), 2, 3).bytes());
        Path b = NpyBytes.write(dir.resolve("b.npy"), f4(d(1, 2, 3, 4, 5, 6), 3, 2).bytes());
        Path g = dir.resolve("g.npy");
        CliRunner.Result r = java("compute", "--loss", "mse", "--input", a.toString(), "--target", b.toString(),
                "--grad-out", g.toString(), "--backend", "cpu");
        assertEquals(2, r.status(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("--target"), r.err());
        assertTrue(r.err().contains("[3, 2]"), r.err());
        assertFalse(r.err().contains("at io.github"), r.err());
        assertFalse(Files.exists(g), "no gradient file");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file");
        }
    }

    @Test
    void info() throws Exception {
        CliRunner.Result text = java("info");
        assertEquals(0, text.status(), text.toString());
        assertTrue(text.out().contains("active backend: "), text.out());
        assertTrue(text.out().contains("java: "), text.out());
        CliRunner.Result json = java("info", "--json");
        assertEquals(0, json.status(), json.toString());
        assertEquals(1, json.outLines().size(), json.out());
        Map<String, Object> j = JsonReader.object(json.outLines().get(0));
        assertTrue(List.of("cpu", "cuda", "opencl").contains(j.get("backend")), j.toString());
    }

    @Test
    void verboseLogsTheBackendChoiceOnStderrOnly() throws Exception {
        CliRunner.Result r = java("--verbose", "info", "--json");
        assertEquals(0, r.status(), r.toString());
        assertEquals(1, r.outLines().size(), "stdout carries only the JSON: " + r.out());
        assertTrue(r.err().contains("lossengine backend"), "INFO log of the choice on stderr: " + r.err());
    }

    @Test
    void versionAndUsageError() throws Exception {
        CliRunner.Result v = java("--version");
        assertEquals(0, v.status(), v.toString());
        assertTrue(v.out().startsWith("lossengine "), v.out());
        CliRunner.Result u = java("compute", "--input", "x.npy");
        assertEquals(2, u.status(), u.toString());
        assertEquals(1, u.errLines().size(), u.err());
    }

    @Test
    void onlyTheCliConfiguresLogging() throws IOException {
        try (JarFile cli = new JarFile(jar.toFile())) {
            assertNull(cli.getEntry("logback.xml"), "the runnable jar has no logback.xml");
            assertNotNull(cli.getEntry("io/github/lossengine/cli/logback-cli.xml"));
            assertNotNull(cli.getEntry("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"), "logback bundled");
            assertNotNull(cli.getEntry("META-INF/services/io.github.lossengine.spi.BackendProvider"));
        }
        try (Stream<Path> s = Files.list(Paths.get("target"))) {
            for (Path lib : s.filter(p -> p.getFileName().toString().matches("loss-engine-.*\\.jar")).collect(Collectors.toList())) {
                try (JarFile j = new JarFile(lib.toFile())) {
                    assertNull(j.getEntry("logback.xml"), lib + " must not configure its users' logging");
                    assertNull(j.getEntry("logback-test.xml"), lib.toString());
                }
            }
        }
    }
}
