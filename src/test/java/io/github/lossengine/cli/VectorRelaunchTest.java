package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the tool relaunches itself with the Vector API, the child's command line, and its filtered stderr. */
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
        String in = "WARNING: Using incubator modules: jdk.incubator.vector\nlossengine: bad --rows\n"
                + "WARNING: something else\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorRelaunch.copyLines(new BufferedReader(new StringReader(in)), out);
        assertEquals("lossengine: bad --rows\nWARNING: something else\n".replace("\n", System.lineSeparator()),
                out.toString(Charset.defaultCharset().name()));
    }
}
