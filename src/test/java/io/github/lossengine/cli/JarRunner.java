package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code java [jvm options] -jar target/lossengine.jar args...} as a user would: a separate
 * process in {@code dir}, without a terminal, with none of the variables that would change what
 * the tool does (backend override, JVM options, the Vector API relaunch's own markers).
 */
public final class JarRunner {
    private JarRunner() {
    }

    /** The built jar; fails the test when the package phase has not made it. */
    public static Path jar() {
        Path jar = Paths.get("target", "lossengine.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "run after the package phase: " + jar);
        return jar;
    }

    /** Exit status, stdout and stderr of one run (at most 120 s). */
    public static CliRunner.Result run(Path dir, List<String> jvm, String... args) throws Exception {
        return run(dir, java.util.Map.of(), jvm, args);
    }

    /** {@link #run(Path, List, String...)} with {@code env} added to the environment. */
    public static CliRunner.Result run(Path dir, java.util.Map<String, String> env, List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("LOSSENGINE_BACKEND");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove(VectorRelaunch.MARKER);
        pb.environment().remove(VectorRelaunch.ENV);
        pb.environment().putAll(env);
        File out = dir.resolve("stdout.txt").toFile();
        File err = dir.resolve("stderr.txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time");
        return new CliRunner.Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }
}
