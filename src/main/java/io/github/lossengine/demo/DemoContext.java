package io.github.lossengine.demo;

import io.github.lossengine.LossEngine;
import java.nio.file.Path;
import java.util.Random;

/**
 * What every experiment gets: the engine that computes all losses and gradients, the seed of the
 * synthetic data, the output folder, and the progress display for training runs.
 *
 * @param engine   computes every loss and gradient of the demo
 * @param seed     makes the run reproducible: the same seed gives the same data and numbers
 * @param outDir   where charts and CSV files go; exists
 * @param progress shows training progress, or nothing without a terminal
 */
public record DemoContext(LossEngine engine, long seed, Path outDir, TrainingProgress progress) {

    /** A random source for experiment {@code number}, fixed by the seed and independent of the others. */
    public Random random(int number) {
        return random(seed, number);
    }

    /** The random source experiment {@code number} uses for {@code seed}. */
    public static Random random(long seed, int number) {
        return new Random(seed * 1_000_003L + number);
    }

    /** The path of a file in the output folder. */
    public Path file(String name) {
        return outDir.resolve(name);
    }
}
