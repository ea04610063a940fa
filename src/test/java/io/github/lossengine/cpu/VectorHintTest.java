package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Without the Vector API, a library user with no SLF4J provider still learns, once, on stderr, how
 * to enable the fast kernels; {@code -Dlossengine.vector.quiet=true} silences it; nothing is printed
 * when the vector path is on or the scalar one was asked for.
 */
class VectorHintTest {
    private static final String HINT = "lossengine: CPU kernels: scalar Java";

    @Test
    void theHintIsForAnUnaskedScalarPathThatNoLoggerShows() {
        KernelSelection.Choice absent = KernelSelection.choose(null, false, null);
        String hint = KernelSelection.stderrHint(absent, false, null, null);
        assertTrue(hint != null && hint.startsWith(HINT) && hint.contains("--add-modules jdk.incubator.vector")
                && hint.contains("-Dlossengine.vector.quiet=true"), String.valueOf(hint));
        assertNull(KernelSelection.stderrHint(absent, true, null, null), "the INFO line is logged: no second copy");
        assertNull(KernelSelection.stderrHint(absent, false, null, " TRUE "), "silenced");
        assertEquals(hint, KernelSelection.stderrHint(absent, false, null, "false"), "quiet=false is not quiet");
        KernelSelection.Choice off = KernelSelection.choose("false", true, null);
        assertNull(KernelSelection.stderrHint(off, false, "false", null), "the user asked for the scalar path");
        KernelSelection.Choice on = KernelSelection.choose(null, true, null);
        assertNull(KernelSelection.stderrHint(on, false, null, null), "nothing to enable");
        KernelSelection.Choice noC2 = KernelSelection.choose(null, true, "the C2 compiler is off");
        assertTrue(KernelSelection.stderrHint(noC2, false, null, null).contains("the C2 compiler is off"));
    }

    @Test
    void aJvmWithoutTheVectorApiOrAnSlf4jProviderPrintsItOnce() throws Exception {
        Run r = run();
        assertTrue(r.out.startsWith("scalar Java"), r.out);
        List<String> hints = r.err.lines().filter(l -> l.startsWith(HINT)).collect(Collectors.toList());
        assertEquals(1, hints.size(), "once per JVM, though two engines ran: " + r.err);
        assertTrue(hints.get(0).contains("--add-modules jdk.incubator.vector"), hints.get(0));
    }

    @Test
    void thePropertySilencesItAndTheVectorApiNeedsNone() throws Exception {
        Run quiet = run("-Dlossengine.vector.quiet=true");
        assertTrue(quiet.out.startsWith("scalar Java"), quiet.out);
        assertTrue(quiet.err.lines().noneMatch(l -> l.startsWith("lossengine:")), quiet.err);
        Run vector = run("--add-modules", "jdk.incubator.vector");
        assertTrue(vector.out.startsWith("Java Vector API"), vector.out);
        assertTrue(vector.err.lines().noneMatch(l -> l.startsWith("lossengine:")), vector.err);
    }

    private record Run(String out, String err) {
    }

    /** {@link VectorHintMain} in a fresh JVM on this test's class path less logback (so SLF4J has no provider). */
    private static Run run(String... jvmArgs) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("logback")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", cp, VectorHintMain.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
        String e = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), e);
        return new Run(new String(out, StandardCharsets.UTF_8).trim(), e);
    }
}
