package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the tool relaunches itself with the Vector API, the child's command line, and its stderr: passed
 * on unchanged (a progress bar's carriage returns included) but for the JVM's incubator warning.
 */
class VectorRelaunchTest {
    @Test
    void relaunchesOnlyWhenTheModuleOrLibjsigIsMissingHereButAvailableAndNotTurnedOff() {
        String jsig = "/jdk/lib/libjsig.so";
        assertEquals(new VectorRelaunch.Plan(true, null), VectorRelaunch.plan(false, true, null, false, null, null, null));
        assertEquals(new VectorRelaunch.Plan(true, jsig), VectorRelaunch.plan(false, true, jsig, false, null, null, null));
        assertEquals(new VectorRelaunch.Plan(false, jsig), VectorRelaunch.plan(true, true, jsig, false, null, null, null),
                "module there, libjsig missing");
        assertFalse(VectorRelaunch.plan(true, true, null, false, null, null, null).wanted(), "nothing missing");
        assertFalse(VectorRelaunch.plan(false, false, null, false, null, null, null).wanted(), "no such module in the runtime");
        assertEquals(new VectorRelaunch.Plan(false, jsig), VectorRelaunch.plan(false, false, jsig, false, null, null, null),
                "no module to add, libjsig to preload");
        for (String[] off : new String[][] {{"1", null, null}, {null, "false", null}, {null, null, "FALSE"}}) {
            assertFalse(VectorRelaunch.plan(false, true, jsig, false, off[0], off[1], off[2]).wanted(),
                    "inside the child, -Dlossengine.relaunch=false or LOSSENGINE_RELAUNCH=false");
        }
        assertFalse(VectorRelaunch.plan(false, true, jsig, true, null, null, null).wanted(), "module path");
        assertTrue(VectorRelaunch.plan(false, true, null, false, null, "true", null).wanted());
    }

    @Test
    void theChildGetsTheSameOptionsClassPathAndArgumentsPlusTheModule() {
        List<String> cmd = VectorRelaunch.command("/jdk/bin/java", List.of("-Xmx2g", "-Dx=y"), true, "lossengine.jar",
                new String[] {"bench", "--json"});
        assertEquals(List.of("/jdk/bin/java", "-Xmx2g", "-Dx=y", "--enable-native-access=ALL-UNNAMED", "--add-modules",
                "jdk.incubator.vector", "-cp", "lossengine.jar", "io.github.lossengine.cli.Main", "bench", "--json"), cmd);
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "-cp", "lossengine.jar",
                        "io.github.lossengine.cli.Main", "info"),
                VectorRelaunch.command("/jdk/bin/java", List.of(), false, "lossengine.jar", new String[] {"info"}));
    }

    @Test
    void nativeAccessTheUserChoseIsKept() {
        assertEquals(List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED,foo", "-cp", "lossengine.jar",
                        "io.github.lossengine.cli.Main", "info"),
                VectorRelaunch.command("/jdk/bin/java", List.of("--enable-native-access=ALL-UNNAMED,foo"), false,
                        "lossengine.jar", new String[] {"info"}));
    }

    @Test
    void libjsigIsPreloadedAheadOfWhatTheEnvironmentHad() {
        assertEquals("/jdk/lib/libjsig.so", VectorRelaunch.preload("/jdk/lib/libjsig.so", null));
        assertEquals("/jdk/lib/libjsig.so", VectorRelaunch.preload("/jdk/lib/libjsig.so", " "));
        assertEquals("/jdk/lib/libjsig.so:/opt/libx.so", VectorRelaunch.preload("/jdk/lib/libjsig.so", "/opt/libx.so"));
    }

    @Test
    void theJvmsIncubatorWarningIsDroppedAndEverythingElseKept() throws Exception {
        assertEquals("lossengine: bad --rows\nWARNING: something else\n",
                copied("WARNING: Using incubator modules: jdk.incubator.vector\nlossengine: bad --rows\n"
                        + "WARNING: something else\n"));
        assertEquals("a\r\nb\n", copied("WARNING: Using incubator modules: jdk.incubator.vector\r\na\r\nb\n"));
        assertEquals("a\n", copied("a\nWARNING: Using incubator modules: jdk.incubator.vector\n"));
    }

    @Test
    void progressBarRedrawsPassThroughByteForByte() throws Exception {
        String bar = "\rbar 1\rbar 2\n";
        assertEquals(bar, copied(bar));
        assertEquals(bar, copied("WARNING: Using incubator modules: jdk.incubator.vector\n" + bar));
    }

    @Test
    void onlyTheWholeWarningLineIsDropped() throws Exception {
        for (String kept : List.of("", "\n", "\n\n", "WARNING: Using incubator", "\rWARNING: Using incubator modules: "
                + "jdk.incubator.vector\n", "WARNING: Using incubator modules: jdk.incubator.vector2\n",
                "WARNING: Using incubator modules: jdk.incubator.vector\rbar\n",
                "WARNING: Using incubator modules: jdk.incubator.vector", "x WARNING: Using incubator modules: "
                        + "jdk.incubator.vector\n", "é ü\r€\n")) {
            assertEquals(kept, copied(kept), kept);
        }
    }

    @Test
    void eachReadIsPassedOnAtOnce() throws Exception {
        byte[] redraw = "\rbar 1".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int[] flushed = {-1};
        OutputStream watched = new FilterOutputStream(sink) {
            @Override
            public void flush() {
                flushed[0] = sink.size();
            }
        };
        // a stream that delivers the redraw and then waits: the redraw must be out before the wait ends
        InputStream in = new InputStream() {
            private int calls;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (calls++ == 0) {
                    System.arraycopy(redraw, 0, b, off, redraw.length);
                    return redraw.length;
                }
                assertEquals(redraw.length, flushed[0], "the redraw waits for more input");
                return -1;
            }
        };
        VectorRelaunch.copyErrors(in, watched);
        assertEquals("\rbar 1", sink.toString(StandardCharsets.UTF_8));
    }

    private static String copied(String in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorRelaunch.copyErrors(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
