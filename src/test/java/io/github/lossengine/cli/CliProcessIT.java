package io.github.lossengine.cli;

import static io.github.lossengine.cli.NpyBytes.f4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, defects 13 and 14, on the jar: a stopped {@code compute} leaves no temporary file; the
 * self-relaunch applies {@code JAVA_TOOL_OPTIONS} once, runs under a debugger, and its child ends
 * with a SIGKILLed parent without writing outputs.
 *
 * <p>A gradient written in place to a FIFO that no one reads blocks the tool after its temporary
 * files exist and before any is moved into place: the state in which to stop it, reached without
 * timing.
 */
class CliProcessIT {
    @TempDir
    Path dir;
    private Path x;
    private Path y;
    private Path sign;

    @BeforeEach
    void inputs() throws Exception {
        x = NpyBytes.write(dir.resolve("x.npy"), f4(new float[] {1, 2, 3, 4}, 2, 2));
        y = NpyBytes.write(dir.resolve("y.npy"), f4(new float[] {1.5f, 2, 1, 4}, 2, 2));
        sign = NpyBytes.write(dir.resolve("s.npy"), f4(new float[] {1, -1, 1, 1}, 2, 2));
    }

    private Process start(List<String> jvm, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(JarRunner.jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        for (String v : new String[] {"LOSSENGINE_BACKEND", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", VectorRelaunch.MARKER,
            VectorRelaunch.ENV}) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        return pb.redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
    }

    private CliRunner.Result finish(Process p) throws Exception {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        return new CliRunner.Result(p.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    /** margin_ranking with its first gradient to {@code g.npy} (a temporary file first) and its second to {@code fifo}. */
    private String[] blockedOnAFifo(Path fifo) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        return new String[] {"compute", "--loss", "margin_ranking", "--backend", "cpu", "--input", x.toString(), "--target",
            y.toString(), "--target2", sign.toString(), "--grad-out", dir.resolve("g.npy").toString(), "--grad2-out",
            fifo.toString()};
    }

    /** Waits (no time limit but the test's) until the tool has created its temporary file. */
    private void awaitTempFile(Process p) throws Exception {
        while (tempFiles().isEmpty()) {
            assertTrue(p.isAlive(), "the tool is still running");
            Thread.sleep(20);
        }
    }

    private List<String> tempFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void aStoppedComputeLeavesNoTemporaryFile() throws Exception {
        Process p = start(List.of(), Map.of(), blockedOnAFifo(dir.resolve("fifo")));
        awaitTempFile(p);
        List<ProcessHandle> children = p.children().toList();
        p.destroy(); // SIGTERM, to the parent; its shutdown hook stops the child the same way
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        for (ProcessHandle c : children) {
            c.onExit().get(60, TimeUnit.SECONDS);
        }
        // before (f1edbeb^): .lossengine-*.tmp left behind
        assertEquals(List.of(), tempFiles());
        assertFalse(Files.exists(dir.resolve("g.npy")), "no output written");
    }

    @Test
    void aSigkilledParentTakesItsChildWithIt() throws Exception {
        Process p = start(List.of(), Map.of(), blockedOnAFifo(dir.resolve("fifo")));
        awaitTempFile(p);
        List<ProcessHandle> children = p.children().toList();
        assertEquals(1, children.size(), "the tool relaunched itself once");
        ProcessHandle child = children.get(0);
        p.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
        try {
            // before: the child kept running (blocked on the FIFO here; elsewhere it went on to write its outputs)
            assertTrue(child.onExit().get(60, TimeUnit.SECONDS) != null && !child.isAlive(), "the child ended");
        } catch (java.util.concurrent.TimeoutException e) {
            child.destroyForcibly();
            throw new AssertionError("the child outlived its SIGKILLed parent", e);
        }
        assertEquals(List.of(), tempFiles(), "the child removed its temporary file");
        assertFalse(Files.exists(dir.resolve("g.npy")), "no output written");
    }

    @Test
    void javaToolOptionsAreAppliedOnceNotAgainInTheChild() throws Exception {
        // the JVM prints "Picked up JAVA_TOOL_OPTIONS" each time it applies them
        CliRunner.Result r = finish(start(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Dlossengine.test.tool=1"), "compute", "--loss",
                "mse", "--input", x.toString(), "--target", y.toString()));
        assertEquals(0, r.status(), r.toString());
        // before: twice, once in the parent and once in the child (a -javaagent ran twice, JDWP failed)
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS")).count(), r.err());
    }

    @Test
    void underADebuggerTheToolRunsInTheDebuggedJvm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRunner.Result r = finish(start(List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port),
                Map.of(), "compute", "--loss", "mse", "--input", x.toString(), "--target", y.toString()));
        // before: the child got the agent too and could not bind the parent's port (exit 1 or 2)
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("{\"loss\"")), r.out());
        assertFalse(new File(dir.toFile(), "g.npy").exists());
    }
}
