package io.github.lossengine.cli;

import static io.github.lossengine.cli.NpyBytes.f4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's CLI file defects, run on the jar as a user would: the CLI never replaces a device, FIFO
 * or symbolic link, never overwrites an input or loses a gradient to another, and never reports
 * success when its result could not be written.
 */
class CliFileSafetyIT {
    @TempDir
    Path dir;
    private Path x;
    private Path y;

    @BeforeEach
    void inputs() throws Exception {
        x = NpyBytes.write(dir.resolve("x.npy"), f4(new float[] {1, 2, 3, 4}, 2, 2));
        y = NpyBytes.write(dir.resolve("y.npy"), f4(new float[] {1.5f, 2, 1, 4}, 2, 2));
    }

    /** Runs {@code sh -c 'umask 027; exec java -jar lossengine.jar args'} in {@code dir}, stdout to {@code out}. */
    private CliRunner.Result run(File out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 027; exec \"$0\" \"$@\"",
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JarRunner.jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("LOSSENGINE_BACKEND");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        File err = dir.resolve("stderr.txt").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in time");
        String o = out.getPath().startsWith("/dev/") ? "" : Files.readString(out.toPath(), StandardCharsets.UTF_8);
        return new CliRunner.Result(p.exitValue(), o, Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    private CliRunner.Result compute(String... gradArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("compute", "--loss", "mse", "--input", x.toString(), "--target", y.toString()));
        args.addAll(List.of(gradArgs));
        return run(dir.resolve("stdout.txt").toFile(), args.toArray(new String[0]));
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static void sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).inheritIO().start();
        assertEquals(0, p.waitFor(), command);
    }

    @Test
    void aCharacterDeviceIsWrittenInPlaceNeverReplaced() throws Exception {
        // as root, make our own null device (mknod), so that a regression cannot replace the real /dev/null
        boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim());
        Path dev = root ? dir.resolve("null") : Paths.get("/dev/null");
        if (root) {
            sh("mknod '" + dev + "' c 1 3 && chmod 666 '" + dev + "'");
        }
        CliRunner.Result r = compute("--grad-out", dev.toString());
        assertEquals(0, r.status(), r.toString());
        // before: replaced by a regular 0600 file (as root), or refused because /dev is not writable
        assertEquals(0020000, mode(dev) & 0170000, dev + " is still a character device");
        assertEquals("", tempFiles(), "no temporary file left");
    }

    @Test
    void aFifoIsWrittenInPlace() throws Exception {
        Path fifo = dir.resolve("pipe");
        sh("mkfifo '" + fifo + "'");
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        CliRunner.Result r = compute("--grad-out", fifo.toString());
        assertEquals(0, r.status(), r.toString());
        byte[] got = read.get(60, TimeUnit.SECONDS);
        assertEquals((byte) 0x93, got[0], "the reader got the .npy");
        assertArrayEquals(new float[] {-0.25f, 0, 1, 0}, Npy.read(new java.io.ByteArrayInputStream(got), "fifo").tensor().toFloatArray(), 1e-7f);
        assertEquals(0010000, mode(fifo) & 0170000, "still a FIFO");
    }

    @Test
    void aSymlinkIsResolvedAndKept() throws Exception {
        Path real = Files.write(dir.resolve("real.npy"), new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), real);
        CliRunner.Result r = compute("--grad-out", link.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertArrayEquals(new float[] {-0.25f, 0, 1, 0}, Npy.read(real).tensor().toFloatArray(), 1e-7f);
        // a link to a FIFO-like special file outside: /proc/self/fd/1 resolves to stdout's file, never replaced
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.npy"), dir.resolve("nowhere.npy"));
        CliRunner.Result d = compute("--grad-out", dangling.toString());
        assertEquals(2, d.status(), d.toString());
        assertTrue(Files.isSymbolicLink(dangling));
    }

    @Test
    void aGradientThatNamesAnInputOrAnotherGradientIsRefused() throws Exception {
        byte[] before = Files.readAllBytes(x);
        for (String name : new String[] {x.toString(), "./x.npy", dir.resolve("sub/../x.npy").toString()}) {
            Files.createDirectories(dir.resolve("sub"));
            CliRunner.Result r = compute("--grad-out", name);
            // before: exit 0, x.npy overwritten with the gradient
            assertEquals(2, r.status(), name + ": " + r);
            assertEquals(1, r.errLines().size(), r.err());
            assertArrayEquals(before, Files.readAllBytes(x), name + ": the input is unchanged");
        }
        Path real = Files.createDirectories(dir.resolve("out"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
        Path sign = NpyBytes.write(dir.resolve("s.npy"), f4(new float[] {1, -1, 1, 1}, 2, 2));
        CliRunner.Result r = run(dir.resolve("stdout.txt").toFile(), "compute", "--loss", "margin_ranking", "--input",
                x.toString(), "--target", y.toString(), "--target2", sign.toString(), "--grad-out",
                real.resolve("g.npy").toString(), "--grad2-out", alias.resolve("g.npy").toString());
        // before: exit 0, one gradient silently lost
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("same file"), r.err());
    }

    @Test
    void aResultThatCannotBeWrittenIsNotASuccess() throws Exception {
        CliRunner.Result r = run(new File("/dev/full"), "compute", "--loss", "mse", "--input", x.toString(), "--target",
                y.toString());
        // before: exit 0 with nothing written
        assertNotEquals(0, r.status(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        CliRunner.Result info = run(new File("/dev/full"), "info");
        assertNotEquals(0, info.status(), info.toString());
    }

    @Test
    void smallFileFaults() throws Exception {
        // the umask is honoured (0666 & ~027 = 0640), as NumPy's np.save; before: always 0600
        Path g = dir.resolve("g.npy");
        assertEquals(0, compute("--grad-out", g.toString()).status());
        assertEquals(0640, mode(g) & 0777);
        // a 254-character name fits (before: the temporary suffix made it too long)
        Path longName = dir.resolve("g".repeat(250) + ".npy");
        CliRunner.Result r = compute("--grad-out", longName.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(Files.isRegularFile(longName));
        // a trailing slash names a directory (before: accepted)
        assertEquals(2, compute("--grad-out", dir.resolve("x2.npy") + "/").status());
        // an empty input name says so (before: "Is a directory")
        CliRunner.Result empty = run(dir.resolve("stdout.txt").toFile(), "compute", "--loss", "mse", "--input", "", "--target",
                y.toString());
        assertEquals(2, empty.status(), empty.toString());
        assertTrue(empty.err().contains("empty file name"), empty.err());
        assertEquals("", tempFiles());
    }

    private String tempFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return String.join(" ", s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList());
        }
    }
}
