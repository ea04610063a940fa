package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendInfo;
import io.github.lossengine.LossEngine;
import io.github.lossengine.spi.Probe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
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

    /** {@code info} with {@code -Dlossengine.backend=<forced>}: text and JSON. */
    private static CliRunner.Result[] infoForced(String forced) {
        String before = System.getProperty("lossengine.backend");
        System.setProperty("lossengine.backend", forced);
        try {
            return new CliRunner.Result[] {CliRunner.run("info"), CliRunner.run("info", "--json")};
        } finally {
            if (before == null) {
                System.clearProperty("lossengine.backend");
            } else {
                System.setProperty("lossengine.backend", before);
            }
        }
    }

    /** A forced backend rejects nothing, yet info still shows every other backend's status, CUDA's reason included. */
    private static void assertOthersShown(String forced) {
        Map<Backend, Probe> probes = LossEngine.probeBackends();
        CliRunner.Result[] r = infoForced(forced);
        assertEquals(0, r[0].status(), r[0].toString());
        assertTrue(r[0].out().contains("active backend: " + forced + " (requested by system property lossengine.backend=" + forced + ")"),
                r[0].out());
        assertFalse(r[0].out().contains("rejected "), r[0].out());
        for (Backend b : List.of(Backend.CPU, Backend.CUDA, Backend.OPENCL)) {
            if (!b.id().equals(forced)) {
                Probe p = probes.get(b);
                String line = "not used " + b.id() + ": " + (p.available() ? "available: " : "unavailable: ") + p.reason();
                assertTrue(r[0].outLines().contains(line), "expected the line '" + line + "' in " + r[0].out());
            }
        }
        assertEquals(0, r[1].status(), r[1].toString());
        Map<String, Object> j = JsonReader.object(r[1].outLines().get(0));
        assertEquals(forced, j.get("backend"));
        assertEquals(List.of(), j.get("rejected"));
        Map<?, ?> cuda = ((List<?>) j.get("not_used")).stream().map(o -> (Map<?, ?>) o)
                .filter(o -> "cuda".equals(o.get("backend"))).findFirst().orElseThrow();
        assertEquals(probes.get(Backend.CUDA).reason(), cuda.get("reason"));
        assertEquals(probes.get(Backend.CUDA).available(), cuda.get("available"));
        assertEquals(2, ((List<?>) j.get("not_used")).size(), j.toString());
    }

    @Test
    void infoWithTheCpuForcedStillShowsWhyCudaAndOpenClAreNotUsed() {
        assertOthersShown("cpu");
    }

    @Test
    void infoWithOpenClForcedStillShowsCudasReason() {
        Probe opencl = LossEngine.probeBackends().get(Backend.OPENCL);
        Assumptions.assumeTrue(opencl.available(), "no OpenCL device to force: " + opencl.reason());
        assertOthersShown("opencl");
    }

    @Test
    void othersAreTheBackendsTheReportDoesNotMention() {
        Map<Backend, Probe> probes = new LinkedHashMap<>();
        probes.put(Backend.CUDA, Probe.unavailable("libcuda.so.1 not found"));
        probes.put(Backend.OPENCL, Probe.explicitOnly("only an OpenCL CPU device"));
        probes.put(Backend.CPU, Probe.available("pure Java"));
        BackendInfo auto = new BackendInfo(Backend.CPU, "best available backend", "Java",
                List.of(new BackendInfo.Rejection(Backend.CUDA, "libcuda.so.1 not found"),
                        new BackendInfo.Rejection(Backend.OPENCL, "only an OpenCL CPU device")));
        assertEquals(List.of(), InfoCommand.others(auto, probes));
        BackendInfo forced = new BackendInfo(Backend.OPENCL, "requested", "PoCL", List.of());
        assertEquals(List.of(new InfoCommand.Other(Backend.CUDA, false, "libcuda.so.1 not found"),
                new InfoCommand.Other(Backend.CPU, true, "pure Java")), InfoCommand.others(forced, probes));
        assertEquals("not used cuda: unavailable: libcuda.so.1 not found", InfoCommand.others(forced, probes).get(0).toString());
    }
}
