package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The top command ({@code --help}, {@code --version}, usage errors) and {@code info}. */
class MainTest {
    @Test
    void helpListsTheSubcommands() {
        CliRunner.Result r = CliRunner.run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("compute"), r.out());
        assertTrue(r.out().contains("info"), r.out());
        assertTrue(r.out().contains("--verbose"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void everyCommandsSummaryIsOneCompleteSentenceOnOneLine() {
        List<String> lines = CliRunner.run("--help").outLines();
        int commands = lines.indexOf("Commands:");
        assertTrue(commands >= 0, lines.toString());
        List<String> listed = lines.subList(commands + 1, lines.size());
        for (String name : List.of("compute", "info", "demo", "bench")) {
            int at = -1;
            for (int i = 0; i < listed.size(); i++) {
                if (listed.get(i).startsWith("  " + name + " ")) {
                    at = i;
                }
            }
            assertTrue(at >= 0, name + " not listed: " + listed);
            String summary = listed.get(at).substring(2 + name.length()).trim();
            assertTrue(summary.endsWith("."), name + ": " + summary);
            assertTrue(at + 1 == listed.size() || !listed.get(at + 1).startsWith("    "),
                    name + "'s summary goes on: " + listed.get(at + 1));
        }
    }

    @Test
    void everyHelpFitsEightyColumnsWithItsFooterLinesAsWritten() {
        CommandLine top = new CommandLine(new Main());
        for (String name : List.of("", "compute", "info", "demo", "bench")) {
            CliRunner.Result r = name.isEmpty() ? CliRunner.run("--help") : CliRunner.run(name, "--help");
            assertEquals(0, r.status(), r.toString());
            for (String line : r.outLines()) {
                assertTrue(line.length() <= 80, name + ": " + line.length() + " columns: " + line);
            }
            CommandLine command = name.isEmpty() ? top : top.getSubcommands().get(name);
            for (String footer : command.getCommandSpec().usageMessage().footer()) {
                assertTrue(r.outLines().contains(footer), name + ": footer line wrapped: " + footer);
            }
        }
    }

    @Test
    void everyCommandHasTheStandardHelpAndVersionOptions() {
        for (String name : List.of("compute", "info", "demo", "bench")) {
            CliRunner.Result r = CliRunner.run(name, "--help");
            assertTrue(r.out().contains("-h, --help") && r.out().contains("-V, --version"), name + ": " + r.out());
            CliRunner.Result version = CliRunner.run(name, "-V");
            assertEquals(0, version.status(), version.toString());
            assertTrue(version.out().startsWith("lossengine "), version.out());
        }
    }

    @Test
    void computeHelpNamesEveryFlag() {
        CliRunner.Result r = CliRunner.run("compute", "--help");
        assertEquals(0, r.status());
        for (String flag : List.of("--loss", "--param", "--input", "--target", "--target2", "--weight", "--reduction",
                "--backend", "--grad-out", "--grad2-out", "--grad3-out")) {
            assertTrue(r.out().contains(flag), flag);
        }
    }

    @Test
    void versionNamesTheProjectVersion() {
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("lossengine "), r.out());
        assertFalse(r.out().contains("${"), "the version resource is filtered: " + r.out());
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRunner.Result r = CliRunner.run();
        assertEquals(2, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRunner.Result r = CliRunner.run("frobnicate");
        assertEquals(2, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("frobnicate"), r.err());
    }

    @Test
    void infoNamesTheActiveBackendAndTheRuntime() {
        CliRunner.Result r = CliRunner.run("info");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("active backend: "), r.out());
        assertTrue(r.out().contains("device: "), r.out());
        assertTrue(r.out().contains("java: " + System.getProperty("java.version")), r.out());
        assertTrue(r.out().contains("known backends: cpu, cuda, opencl"), r.out());
    }

    @Test
    void infoJsonIsOneObject() {
        CliRunner.Result r = CliRunner.run("info", "--json");
        assertEquals(0, r.status(), r.toString());
        assertEquals(1, r.outLines().size(), r.out());
        Map<String, Object> j = JsonReader.object(r.outLines().get(0));
        assertTrue(List.of("cpu", "cuda", "opencl").contains(j.get("backend")), j.toString());
        assertTrue(j.get("reason") instanceof String);
        assertTrue(j.get("detail") instanceof String);
        assertTrue(j.get("rejected") instanceof List);
        for (Object rej : (List<?>) j.get("rejected")) {
            assertTrue(((Map<?, ?>) rej).get("reason") instanceof String, rej.toString());
        }
        assertEquals(System.getProperty("java.version"), ((Map<?, ?>) j.get("java")).get("version"));
        assertEquals(List.of("cpu", "cuda", "opencl"), j.get("known_backends"));
    }
}
