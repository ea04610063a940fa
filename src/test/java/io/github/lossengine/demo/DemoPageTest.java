package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendInfo;
import io.github.lossengine.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * The demo page and charts as a user meets them (issue 15): the backend in words with the raw reasons
 * in a details block, the versions, the articles named instead of "seeds", the results table grouped by
 * experiment and linked to the sections, chart 1's caption on the final accuracies, chart 2's hinge
 * gradient as a jump, the log axes' decade grid (chart 4) and chart 7 on a log axis.
 */
class DemoPageTest extends EngineFixture {
    @TempDir
    static Path out;
    static DemoReport report;
    static String html;

    @BeforeAll
    static void run() throws IOException {
        report = new DemoRunner(out, 42, TrainingProgress.silent(), new PrintWriter(new StringWriter())).run();
        html = Files.readString(out.resolve(IndexPage.FILE), StandardCharsets.UTF_8);
    }

    @Test
    void backendHeadlineInWordsAndTheRawReasonsInADetailsBlock() {
        BackendInfo info = new BackendInfo(Backend.CPU, "best available backend (automatic selection)", "Java 17, 2 threads",
                List.of(new BackendInfo.Rejection(Backend.CUDA, "no CUDA driver: libcuda.so.1 not found "
                                + "(java.lang.UnsatisfiedLinkError: Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\")"),
                        new BackendInfo.Rejection(Backend.OPENCL, "only an OpenCL CPU device: pthread (PoCL); used only when "
                                + "the opencl backend is asked for by name")));
        assertEquals("CPU backend (no CUDA driver found; OpenCL: CPU device only, not used by default)",
                BackendSummary.headline(info));
        assertEquals("CUDA backend (requested by system property lossengine.backend=cuda)", BackendSummary.headline(
                new BackendInfo(Backend.CUDA, "requested by system property lossengine.backend=cuda", "H200", List.of())));
        assertEquals("OpenCL: no usable OpenCL device", BackendSummary.shortReason(Backend.OPENCL,
                "no usable OpenCL device; skipped X: too old"));

        String headline = IndexPage.esc(BackendSummary.headline(report.backend()));
        String top = html.substring(0, html.indexOf("<details>"));
        assertTrue(top.contains("<p class=\"backend\">" + headline + "</p>"), top);
        assertFalse(top.contains("Error"), "no raw diagnostic above the details block: " + top);
        Matcher details = Pattern.compile("<details><summary>[^<]+</summary><pre>([^<]*)</pre></details>").matcher(html);
        assertTrue(details.find(), html);
        assertEquals(IndexPage.esc(report.backend().describe()), details.group(1));
    }

    @Test
    void pageShowsTheLossengineAndJavaVersions() throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Main.class.getResourceAsStream("version.properties")) {
            p.load(in);
        }
        String version = p.getProperty("version");
        assertFalse(version.contains("${"), "filtered by Maven: " + version);
        assertTrue(html.contains("lossengine " + version + ", Java " + System.getProperty("java.version")), html);
    }

    @Test
    void articlesAreNamedAndNoSeedNumbersRemain() {
        assertTrue(html.contains(IndexPage.esc(Sources.VARMA)), html);
        assertTrue(html.contains("Picking Loss Functions") && html.contains("Rohan Varma") && html.contains("2018"));
        for (ExperimentReport r : report.reports()) {
            assertTrue(html.contains("<p class=\"reproduces\">Reproduces " + IndexPage.esc(Sources.REPRODUCES[r.number() - 1])),
                    "experiment " + r.number());
        }
        assertFalse(Pattern.compile("(?i)seeds?[ ']+0\\d\\d|seeds'|the seed says|seed article").matcher(html).find(), html);
        StringWriter help = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(help, true), new PrintWriter(new StringWriter(), true), "demo", "--help"));
        String words = help.toString().replaceAll("\\s+", " ");
        assertTrue(words.contains("Rohan Varma, \"Picking Loss Functions: A comparison between MSE, Cross Entropy, and Hinge Loss\" (2018)"),
                words);
        assertFalse(Pattern.compile("(?i)seeds|seed 0\\d\\d").matcher(help.toString()).find(), help.toString());
    }

    @Test
    void resultsTableNamesEachExperimentOnceAndLinksToItsSection() {
        String table = html.substring(html.indexOf("<h2 id=\"results\">"), html.indexOf("</table>"));
        for (ExperimentReport r : report.reports()) {
            String link = "<td rowspan=\"" + r.results().size() + "\"><a href=\"#experiment-" + r.number() + "\">"
                    + r.number() + ". " + IndexPage.esc(r.title()) + "</a></td>";
            assertEquals(1, count(table, Pattern.quote(link)), link);
            assertEquals(1, count(table, Pattern.quote(IndexPage.esc(r.title()))), "title once: " + r.title());
            assertEquals(1, count(html, Pattern.quote("<h2 id=\"experiment-" + r.number() + "\">")), "the link's target");
        }
        int rows = report.reports().stream().mapToInt(r -> r.results().size()).sum();
        assertEquals(rows + 1, count(table, "<tr>"), "a header and one row per result");
    }

    @Test
    void chart1CaptionSaysWhichLossEndsWithTheHigherAccuracy() {
        LearningSpeedExperiment.Result r = new LearningSpeedExperiment().compute(engine, 42, TrainingProgress.silent());
        double ce = r.crossEntropy().finalAccuracy();
        double mse = r.mse().finalAccuracy();
        assertEquals(0.945, ce, 1e-9);
        assertEquals(0.960, mse, 1e-9);
        String caption = report.reports().get(0).caption().get(1);
        assertTrue(caption.contains("After 300 epochs MSE ends with the higher training accuracy (0.960 vs 0.945)"), caption);
        assertTrue(html.contains("training accuracy after 300 epochs: CE / MSE</td><td>0.945 / 0.960"), html);
    }

    @Test
    void chart2DrawsTheHingeGradientAsAJumpNotAVerticalLine() {
        LogitLossesExperiment.Result r = new LogitLossesExperiment().compute(engine);
        XYChart chart = new XYChart(400, 300);
        LogitLossesExperiment.hingeGradientJump(chart, r);
        assertEquals(3, chart.getSeriesCollection().size());
        XYSeries left = chart.getSeries("hinge (jumps from −1 to 0 at z = 1)");
        XYSeries right = chart.getSeries(LogitLossesExperiment.HINGE_RIGHT_PIECE);
        XYSeries kink = chart.getSeries(LogitLossesExperiment.HINGE_KINK);
        // each piece is flat: no segment joins -1 to 0
        assertEquals(-1.0, left.getYMin());
        assertEquals(-1.0, left.getYMax());
        assertEquals(0.0, right.getYMin());
        assertEquals(0.0, right.getYMax());
        assertEquals(1.0, left.getXMax());
        assertTrue(right.getXMin() > 1.0, "the right piece starts after the kink: " + right.getXMin());
        assertEquals(1.0, kink.getXMin());
        assertEquals(-1.0, kink.getYMin(), "the engine's value at the kink (the gradient passes, as PyTorch's clamp)");
        assertFalse(right.isShowInLegend() || kink.isShowInLegend(), "one legend entry for the hinge");
    }

    @Test
    void logAxesHaveOneGridLinePerDecadeAndNoMinorGrid() {
        XYChart chart = Charts.xy("t", "x", "y");
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        double[] range = Charts.logYAxis(chart, new double[] {3e-9, 0.5});
        assertEquals(1e-9, range[0], 1e-24);
        assertEquals(1.0, range[1]);
        assertFalse(chart.getStyler().isPlotGridHorizontalLinesVisible(), "XChart's 1..9 x 10^k grid is off");
        long decadeLines = chart.getSeriesCollection().stream().filter(s -> s.getName().startsWith(Charts.DECADE_LINE)).count();
        assertEquals(8, decadeLines, "10^-8 .. 10^-1, between the axis ends");
        assertTrue(chart.getSeriesCollection().stream()
                .filter(s -> s.getName().startsWith(Charts.DECADE_LINE)).noneMatch(XYSeries::isShowInLegend));
    }

    @Test
    void chart7UsesALogAxisOnWhichTheTinyBarShows() {
        SoftmaxScoresExperiment.Result r = new SoftmaxScoresExperiment().compute(engine);
        CategoryChart chart = SoftmaxScoresExperiment.bars("t", "loss", "ce", r.crossEntropy(), "hinge: 0 / 0");
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertTrue(chart.getStyler().getYAxisMin() < r.crossEntropy()[1] / 10, "4e-9 is a visible bar");
        assertTrue(chart.getStyler().getYAxisMax() >= r.crossEntropy()[0]);
        assertEquals("10⁻¹⁰", SoftmaxScoresExperiment.tickText(1e-10));
        assertEquals("4.12e-09", SoftmaxScoresExperiment.tickText(r.crossEntropy()[1]));
        assertEquals("0.2395", SoftmaxScoresExperiment.tickText(r.crossEntropy()[0]));
    }

    private static int count(String text, String regex) {
        return DemoOutputTest.count(text, regex);
    }
}
