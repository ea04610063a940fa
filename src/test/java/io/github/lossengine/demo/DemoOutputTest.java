package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.cli.Main;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo, run twice with the same seed (once through the command, once through the runner):
 * every experiment runs, the CSVs are byte-identical, index.html shows every chart, and every chart
 * is a readable PNG of a sane size. Also: without a terminal, the command's output is plain text.
 */
class DemoOutputTest {
    private static final long SEED = 42;

    @TempDir
    static Path tmp;
    static Path first;
    static Path second;
    static int exitCode;
    static String commandOutput;
    static String commandErrors;
    static DemoReport report;

    @BeforeAll
    static void runTwice() throws IOException {
        first = tmp.resolve("first");
        second = tmp.resolve("second");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exitCode = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "demo", "--out", first.toString(), "--seed", Long.toString(SEED));
        commandOutput = out.toString();
        commandErrors = err.toString();
        report = new DemoRunner(second, SEED, TrainingProgress.silent(), new PrintWriter(new StringWriter())).run();
    }

    @Test
    void everyExperimentRuns() {
        assertEquals(0, exitCode, commandOutput + commandErrors);
        assertTrue(report.complete(), () -> report.failures().toString());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7),
                report.reports().stream().map(ExperimentReport::number).collect(Collectors.toList()));
    }

    @Test
    void sameSeedGivesIdenticalCsvs() throws IOException {
        Set<String> csvs = files(first, ".csv");
        assertEquals(files(second, ".csv"), csvs);
        assertTrue(csvs.size() >= 7, csvs.toString());
        for (String name : csvs) {
            assertArrayEquals(Files.readAllBytes(first.resolve(name)), Files.readAllBytes(second.resolve(name)), name);
        }
    }

    @Test
    void anotherSeedGivesOtherData() throws IOException {
        Path other = tmp.resolve("other-seed");
        Files.createDirectories(other);
        try (var engine = io.github.lossengine.LossEngine.create()) {
            new LearningSpeedExperiment().run(new DemoContext(engine, SEED + 1, other, TrainingProgress.silent()));
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(first.resolve("01-learning-speed.csv")),
                Files.readAllBytes(other.resolve("01-learning-speed.csv"))));
    }

    @Test
    void indexShowsEveryChartAndLinksEveryCsv() throws IOException {
        String html = Files.readString(first.resolve("index.html"), StandardCharsets.UTF_8);
        Set<String> images = matches(html, "<img src=\"([^\"]+)\"");
        assertEquals(files(first, ".png"), images);
        assertEquals(7, images.size());
        Set<String> links = matches(html, "<a href=\"([^\"]+\\.csv)\"");
        assertEquals(files(first, ".csv"), links);
        // a two-line caption under every chart, and the results table
        assertEquals(7, count(html, "<p class=\"caption\">[^<]+<br>[^<]+</p>"));
        assertTrue(html.contains("<h2 id=\"results\">Results</h2>"));
        for (ExperimentReport r : report.reports()) {
            for (ResultRow row : r.results()) {
                assertTrue(html.contains(IndexPage.esc(row.value())), row.toString());
            }
        }
    }

    @Test
    void everyChartDecodesAtASaneSize() throws IOException {
        for (String name : files(first, ".png")) {
            BufferedImage image = ImageIO.read(first.resolve(name).toFile());
            assertNotNull(image, name + " does not decode");
            assertTrue(image.getWidth() >= 600 && image.getWidth() <= 2000, name + " width " + image.getWidth());
            assertTrue(image.getHeight() >= 300 && image.getHeight() <= 2000, name + " height " + image.getHeight());
        }
    }

    @Test
    void commandPrintsTheFolderAndTheSummaryAsPlainText() {
        assertTrue(commandOutput.contains("output: " + first.toAbsolutePath().normalize()), commandOutput);
        assertTrue(commandOutput.contains("backend: "), commandOutput);
        for (ExperimentReport r : report.reports()) {
            for (ResultRow row : r.results()) {
                assertTrue(commandOutput.contains(row.quantity()), row.quantity());
            }
        }
        // no terminal here: no progress bar, so no carriage returns or escape sequences
        assertFalse(commandOutput.contains("\r") || commandOutput.contains("\u001b"), commandOutput);
        assertFalse(commandErrors.contains("\r") || commandErrors.contains("\u001b"), commandErrors);
        assertTrue(commandOutput.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)),
                "not plain ASCII: " + commandOutput);
        assertTrue(commandOutput.lines().count() < 40, "more than a screen: " + commandOutput);
    }

    @Test
    void helpListsTheCommandAndItsOptions() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help"));
        assertTrue(out.toString().contains("demo"), out.toString());
        StringWriter demoHelp = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(demoHelp, true), new PrintWriter(new StringWriter(), true),
                "demo", "--help"));
        assertTrue(demoHelp.toString().contains("--out=DIR") && demoHelp.toString().contains("--seed=S"), demoHelp.toString());
    }

    @Test
    void badOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "demo", "--seed", "many"));
        assertTrue(err.toString().contains("--seed"), err.toString());
    }

    private static Set<String> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** How many times {@code regex} matches in {@code text}. */
    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
