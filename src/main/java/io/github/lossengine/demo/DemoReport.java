package io.github.lossengine.demo;

import io.github.lossengine.BackendInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * What a demo run did: the backend, the seed, the output folder, each experiment's report, and the
 * experiments that failed with why.
 *
 * @param backend  the engine's backend and why it was chosen
 * @param seed     the seed of the synthetic data
 * @param outDir   the output folder, absolute
 * @param reports  the experiments that ran, in order
 * @param failures the experiments that did not, in order
 * @param seconds  wall time of the whole run
 */
public record DemoReport(BackendInfo backend, long seed, Path outDir, List<ExperimentReport> reports,
                         List<Failure> failures, double seconds) {

    /** An experiment that could not run, e.g. because the backend lacks one of its losses. */
    public record Failure(int number, String title, String reason) {
    }

    public DemoReport {
        reports = List.copyOf(reports);
        failures = List.copyOf(failures);
    }

    /** Whether every experiment ran. */
    public boolean complete() {
        return failures.isEmpty();
    }

    /** The report of experiment {@code number}. */
    public ExperimentReport report(int number) {
        return reports.stream().filter(r -> r.number() == number).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("experiment " + number + " did not run"));
    }
}
