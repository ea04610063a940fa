package io.github.lossengine.demo;

import java.util.ArrayList;
import java.util.List;

/** The one-screen summary {@code lossengine demo} prints: where the files are and the results table. */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** The summary as lines of text, each at most about 100 characters wide. */
    public static List<String> lines(DemoReport report) {
        List<String> out = new ArrayList<>();
        out.add(String.format(java.util.Locale.ROOT, "lossengine demo: %d of %d experiments in %.1f s, seed %d, backend %s",
                report.reports().size(), report.reports().size() + report.failures().size(), report.seconds(),
                report.seed(), report.backend().active().id()));
        out.add("output: " + report.outDir() + " (open " + IndexPage.FILE + ")");
        out.add("");
        int width = "quantity".length();
        for (ExperimentReport r : report.reports()) {
            for (ResultRow row : r.results()) {
                width = Math.max(width, row.quantity().length());
            }
        }
        String format = " %-2s %-" + width + "s  %s";
        out.add(String.format(format, "#", "quantity", "value"));
        out.add(" " + "-".repeat(3 + width + 2 + 24));
        for (ExperimentReport r : report.reports()) {
            for (ResultRow row : r.results()) {
                out.add(String.format(format, row.experiment(), row.quantity(), row.value()));
            }
        }
        for (DemoReport.Failure f : report.failures()) {
            out.add(String.format(format, f.number(), f.title(), "FAILED: " + f.reason()));
        }
        return out;
    }
}
