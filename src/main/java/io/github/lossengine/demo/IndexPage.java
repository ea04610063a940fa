package io.github.lossengine.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The {@code index.html} of the output folder: the backend in words (its probes' reasons in a
 * details block), the versions, the articles reproduced, the results table (one group of rows per
 * experiment, linked to its section), then every chart with what it reproduces, its two-line caption
 * and links to its CSV files. Self-contained (no scripts, no remote resources).
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
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n")
                .append("th{background:#f3f3f3}img{max-width:100%;border:1px solid #ddd}\n")
                .append("p.caption{margin:.4em 0 .2em;line-height:1.4}p.files{font-size:.9em;color:#555}\n")
                .append("details{margin:.3em 0 1em;font-size:.9em}details pre{white-space:pre-wrap;background:#f7f7f7;padding:.5em}\n")
                .append(".failed{color:#b00}\n</style>\n</head>\n<body>\n")
                .append("<h1>lossengine demo</h1>\n")
                .append("<p class=\"backend\">").append(esc(BackendSummary.headline(report.backend()))).append("</p>\n")
                .append("<details><summary>Why this backend (the probes' own words)</summary><pre>")
                .append(esc(report.backend().describe())).append("</pre></details>\n")
                .append("<p class=\"versions\">").append(esc(versions())).append("; seed of the synthetic data: ")
                .append(report.seed()).append("</p>\n")
                .append("<p>Every loss and gradient below was computed by the engine; the demo itself holds only the ")
                .append("models, the chain rule and gradient descent. The experiments reproduce claims of these articles:</p>\n<ul>\n")
                .append("<li>").append(esc(Sources.VARMA)).append(", experiments 1, 3, 4, 6 and 7;</li>\n")
                .append("<li>").append(esc(Sources.NOTES)).append(", experiments 2 and 5;</li>\n")
                .append("<li>").append(esc(Sources.TUTORIAL)).append(", experiment 5 too.</li>\n</ul>\n");

        h.append("<h2>Results</h2>\n<table>\n<tr><th>experiment</th><th>quantity</th><th>value</th></tr>\n");
        for (ExperimentReport r : report.reports()) {
            List<ResultRow> rows = r.results();
            for (int i = 0; i < rows.size(); i++) {
                h.append("<tr>");
                if (i == 0) {
                    h.append("<td rowspan=\"").append(rows.size()).append("\"><a href=\"#").append(anchor(r.number()))
                            .append("\">").append(r.number()).append(". ").append(esc(r.title())).append("</a></td>");
                }
                h.append("<td>").append(esc(rows.get(i).quantity())).append("</td><td>").append(esc(rows.get(i).value()))
                        .append("</td></tr>\n");
            }
        }
        for (DemoReport.Failure f : report.failures()) {
            h.append("<tr class=\"failed\"><td>").append(f.number()).append(". ").append(esc(f.title()))
                    .append("</td><td>failed</td><td>").append(esc(f.reason())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        for (ExperimentReport r : report.reports()) {
            h.append("<h2 id=\"").append(anchor(r.number())).append("\">").append(r.number()).append(". ")
                    .append(esc(r.title())).append("</h2>\n")
                    .append("<p class=\"reproduces\">Reproduces ").append(esc(Sources.REPRODUCES[r.number() - 1])).append(".</p>\n")
                    .append("<img src=\"").append(esc(r.png())).append("\" alt=\"").append(esc(r.title())).append("\">\n")
                    .append("<p class=\"caption\">").append(esc(r.caption().get(0))).append("<br>")
                    .append(esc(r.caption().get(1))).append("</p>\n<p class=\"files\">Numbers:");
            for (String csv : r.csvs()) {
                h.append(" <a href=\"").append(esc(csv)).append("\">").append(esc(csv)).append("</a>");
            }
            h.append(" <a href=\"#results\">(back to the results)</a></p>\n");
        }
        h.append("</body>\n</html>\n");
        Files.writeString(file, h.toString().replace("<h2>Results</h2>", "<h2 id=\"results\">Results</h2>"),
                StandardCharsets.UTF_8);
    }

    /** The id of experiment {@code number}'s section, which the results table links to. */
    static String anchor(int number) {
        return "experiment-" + number;
    }

    /** "lossengine 0.1.0, Java 17.0.15 (Eclipse Adoptium)": what made the page. */
    static String versions() {
        String version = "unknown";
        try (InputStream in = IndexPage.class.getResourceAsStream("/io/github/lossengine/cli/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        } catch (IOException e) {
            // "unknown"
        }
        return "lossengine " + version + ", Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ")";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
