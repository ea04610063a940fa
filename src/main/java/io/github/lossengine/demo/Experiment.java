package io.github.lossengine.demo;

import java.io.IOException;

/**
 * One experiment of {@code lossengine demo}: computes its numbers with the engine of the context,
 * writes a PNG chart and the CSV of the numbers behind it into the output folder, and reports.
 */
public interface Experiment {

    /** 1 to 7, the order of issue 4. */
    int number();

    /** A short title, e.g. "Learning speed: cross-entropy vs MSE under a sigmoid". */
    String title();

    /** Runs the experiment and writes its files. */
    ExperimentReport run(DemoContext context) throws IOException;
}
