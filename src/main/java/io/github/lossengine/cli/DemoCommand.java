package io.github.lossengine.cli;

import io.github.lossengine.demo.DemoReport;
import io.github.lossengine.demo.DemoRunner;
import io.github.lossengine.demo.SummaryTable;
import io.github.lossengine.demo.TrainingProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lossengine demo}: reproduces the loss experiments of the articles in {@code demo.Sources} on the engine and writes charts, CSV
 * files and an {@code index.html}; prints the output folder and a summary table. Exit code 0 when
 * every experiment ran, 1 when one failed (the others still run), 2 for bad options (picocli).
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Checks three articles' claims on losses with the engine, in charts.",
                "The articles: Rohan Varma, "
                        + "\"Picking Loss Functions: A comparison between MSE, Cross Entropy, and Hinge Loss\" (2018), "
                        + "experiments 1, 3, 4, 6, 7 (cross-entropy learns faster than MSE under a sigmoid, its two "
                        + "multi-class variants, the sigmoid's flat tails, the hinge's maximum margin, the scores "
                        + "[10, 8, 8] vs [10, -10, -10]); and the \"Loss Functions\" notes and tutorial (authors and years "
                        + "not stated), experiments 2 and 5 (hinge, cross-entropy and MSE against the logit; MSE, MAE, "
                        + "Huber and log-cosh with outliers). index.html says which claim each chart checks.",
                "Writes 7 charts (PNG), the numbers behind them (CSV) and an index.html to the output folder; "
                        + "prints the folder and a summary table.",
                "Deterministic given --seed; the backend is the one LossEngine.create() picks "
                        + "(-Dlossengine.backend / LOSSENGINE_BACKEND override it)."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("lossengine-demo");

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the synthetic data sets (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--no-progress", description = "Never draw progress bars (they are drawn only on an interactive terminal anyway).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (Files.exists(this.out) && !Files.isDirectory(this.out)) {
            throw new BadArgumentException("--out " + this.out + ": is a file, not a folder");
        }
        TrainingProgress progress = noProgress ? TrainingProgress.silent() : TrainingProgress.forConsole();
        DemoReport report;
        try {
            report = new DemoRunner(this.out, seed, progress, out).run();
        } catch (IOException e) {
            err.println("demo: cannot write to " + this.out.toAbsolutePath() + ": " + e);
            return 1;
        }
        out.println();
        SummaryTable.lines(report).forEach(out::println);
        out.flush();
        if (!report.complete()) {
            err.println("demo: " + report.failures().size() + " experiment(s) failed; see the table above");
            err.flush();
            return 1;
        }
        return 0;
    }
}
