package io.github.lossengine.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code index.html} of the output folder: the results table, then every chart with its
 * two-line caption and links to its CSV files. Self-contained (no scripts, no remote resources).
 */
final class IndexPage {
    static final String FILE = "index.html";

    private IndexPage() {
    }

    static void write(DemoReport report, Path file) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>lossengine demo</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}\n")
                .append("th{background:#f3f3f3}img{max-width:100%;border:1px solid #ddd}\n")
                .append("p.caption{margin:.4em 0 .2em;line-height:1.4}p.files{font-size:.9em;color:#555}\n")
                .append(".failed{color:#b00}\n</style>\n</head>\n<body>\n")
                .append("<h1>lossengine demo</h1>\n<p>Backend: ").append(esc(report.backend().toString()))
                .append("<br>Seed: ").append(report.seed()).append("<br>Every loss and gradient below was computed by ")
                .append("the engine; the demo itself holds only the models, the chain rule and gradient descent.</p>\n");

        h.append("<h2>Results</h2>\n<table>\n<tr><th>#</th><th>experiment</th><th>quantity</th><th>value</th></tr>\n");
        for (ExperimentReport r : report.reports()) {
            for (ResultRow row : r.results()) {
                h.append("<tr><td>").append(row.experiment()).append("</td><td>").append(esc(r.title()))
                        .append("</td><td>").append(esc(row.quantity())).append("</td><td>").append(esc(row.value()))
                        .append("</td></tr>\n");
            }
        }
        for (DemoReport.Failure f : report.failures()) {
            h.append("<tr class=\"failed\"><td>").append(f.number()).append("</td><td>").append(esc(f.title()))
                    .append("</td><td>failed</td><td>").append(esc(f.reason())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        for (ExperimentReport r : report.reports()) {
            h.append("<h2 id=\"experiment-").append(r.number()).append("\">").append(r.number()).append(". ")
                    .append(esc(r.title())).append("</h2>\n")
                    .append("<img src=\"").append(esc(r.png())).append("\" alt=\"").append(esc(r.title())).append("\">\n")
                    .append("<p class=\"caption\">").append(esc(r.caption().get(0))).append("<br>")
                    .append(esc(r.caption().get(1))).append("</p>\n<p class=\"files\">Numbers:");
            for (String csv : r.csvs()) {
                h.append(" <a href=\"").append(esc(csv)).append("\">").append(esc(csv)).append("</a>");
            }
            h.append("</p>\n");
        }
        h.append("</body>\n</html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
