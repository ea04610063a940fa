package io.github.lossengine.cli;

import io.github.lossengine.Loss;
import io.github.lossengine.Tensor;

/**
 * Bench access to what {@code lossengine bench} uses and the public API does not expose: its valid
 * inputs for every loss of the catalogue, from a fixed seed, and the least bytes a call moves. Bench
 * code only (src/bench), so that the comparison and the CLI time the same inputs.
 */
public final class BenchCatalogue {
    private BenchCatalogue() {
    }

    /** {@code lossengine bench}'s inputs of {@code loss} with {@code shape} (row losses: [N, C]), from {@code seed}. */
    public static Tensor[] inputs(Loss loss, long[] shape, long seed) {
        return new BenchInputs(seed).of(loss, shape);
    }

    /** Whether {@code bench} takes the loss's inputs as [N, C] rows. */
    public static boolean rowLoss(String lossName) {
        return BenchInputs.ROW_LOSSES.contains(lossName);
    }

    /** The least bytes one call moves: every input read, every gradient written. */
    public static long bytesMoved(Loss loss, Tensor[] inputs) {
        return BenchCommand.bytesMoved(loss, inputs);
    }

    /** The bytes of the gradients one call writes. */
    public static long gradientBytes(Loss loss, Tensor[] inputs) {
        return BenchCommand.gradientBytes(loss, inputs);
    }
}
