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
    void relaunchesOnlyWhenTheModuleIsMissingHereButAvailableAndNotTurnedOff() {
        assertTrue(VectorRelaunch.wanted(false, true, false, null, null, null));
        assertFalse(VectorRelaunch.wanted(true, true, false, null, null, null), "already enabled");
        assertFalse(VectorRelaunch.wanted(false, false, false, null, null, null), "no such module in the runtime");
        assertFalse(VectorRelaunch.wanted(false, true, true, null, null, null), "module path");
        assertFalse(VectorRelaunch.wanted(false, true, false, "1", null, null), "inside the child");
        assertFalse(VectorRelaunch.wanted(false, true, false, null, "false", null), "-Dlossengine.relaunch=false");
        assertFalse(VectorRelaunch.wanted(false, true, false, null, null, "FALSE"), "LOSSENGINE_RELAUNCH=false");
        assertTrue(VectorRelaunch.wanted(false, true, false, null, "true", null));
    }

    @Test
    void theChildGetsTheSameOptionsClassPathAndArgumentsPlusTheModule() {
        List<String> cmd = VectorRelaunch.command("/jdk/bin/java", List.of("-Xmx2g", "-Dx=y"), "lossengine.jar",
                new String[] {"bench", "--json"});
        assertEquals(List.of("/jdk/bin/java", "-Xmx2g", "-Dx=y", "--add-modules", "jdk.incubator.vector", "-cp",
                "lossengine.jar", "io.github.lossengine.cli.Main", "bench", "--json"), cmd);
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
