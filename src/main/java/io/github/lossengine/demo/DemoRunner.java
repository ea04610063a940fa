package io.github.lossengine.demo;

import io.github.lossengine.BackendInfo;
import io.github.lossengine.LossEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the seven experiments of {@code lossengine demo} on the engine {@link LossEngine#create()}
 * picks, writes their charts and CSV files and an {@code index.html} into the output folder, and
 * returns the report. An experiment that fails (say, a loss the backend lacks) is recorded and the
 * others still run. Deterministic given the seed.
 */
public final class DemoRunner {
    private final Path outDir;
    private final long seed;
    private final TrainingProgress progress;
    private final PrintWriter log;

    /**
     * @param outDir   the output folder; created if missing, files of the same names replaced
     * @param seed     the seed of the synthetic data
     * @param progress the progress bar of the training runs
     * @param log      where a line per experiment goes as it runs
     */
    public DemoRunner(Path outDir, long seed, TrainingProgress progress, PrintWriter log) {
        this.outDir = outDir.toAbsolutePath().normalize();
        this.seed = seed;
        this.progress = progress;
        this.log = log;
    }

    /** The experiments, in the order of issue 4. */
    public static List<Experiment> experiments() {
        return List.of(new LearningSpeedExperiment(), new LogitLossesExperiment(), new CrossEntropyVariantsExperiment(),
                new SigmoidSaturationExperiment(), new RobustRegressionExperiment(), new MarginsExperiment(),
                new SoftmaxScoresExperiment());
    }

    /** Runs every experiment and writes {@code index.html}. */
    public DemoReport run() throws IOException {
        ensureHeadless();
        Files.createDirectories(outDir);
        long start = System.nanoTime();
        List<ExperimentReport> reports = new ArrayList<>();
        List<DemoReport.Failure> failures = new ArrayList<>();
        BackendInfo backend;
        try (LossEngine engine = LossEngine.create()) {
            backend = engine.backend();
            log.println("backend: " + BackendSummary.headline(backend) + "; details: lossengine info");
            log.flush();
            DemoContext context = new DemoContext(engine, seed, outDir, progress);
            List<Experiment> all = experiments();
            for (Experiment e : all) {
                long t0 = System.nanoTime();
                try {
                    ExperimentReport report = e.run(context);
                    reports.add(report);
                    log.printf("[%d/%d] %s (%.1f s)%n", e.number(), all.size(), e.title(), (System.nanoTime() - t0) / 1e9);
                } catch (RuntimeException failure) {
                    String reason = failure.getClass().getSimpleName() + ": " + failure.getMessage();
                    failures.add(new DemoReport.Failure(e.number(), e.title(), reason));
                    log.printf("[%d/%d] %s FAILED: %s%n", e.number(), all.size(), e.title(), reason);
                }
                log.flush();
            }
        }
        DemoReport report = new DemoReport(backend, seed, outDir, reports, failures, (System.nanoTime() - start) / 1e9);
        IndexPage.write(report, outDir.resolve(IndexPage.FILE));
        return report;
    }

    /** Charts are drawn off screen: never open a window, never need a display. */
    private static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
