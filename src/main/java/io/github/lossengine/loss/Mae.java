package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Mean absolute error (alias {@code l1}), PyTorch {@code l1_loss}: {@code l = |x - y|}, gradient
 * {@code sign(x - y)}, which is 0 where {@code x == y} (PyTorch's subgradient).
 * NaN propagates.
 *
 * <p>Thread-safety: immutable.
 */
public record Mae(Reduction reduction) implements PredictionLoss {

    public Mae {
        LossOptions.requireReduction(reduction, "mae", false);
    }

    /** {@code mae} with {@link Reduction#MEAN}. */
    public Mae() {
        this(Reduction.MEAN);
    }

    @Override
    public Mae reduction(Reduction reduction) {
        return new Mae(reduction);
    }

    @Override
    public String name() {
        return "mae";
    }
}
