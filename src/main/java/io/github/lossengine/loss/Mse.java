package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Mean squared error, PyTorch {@code mse_loss}: {@code l = (x - y)^2}, gradient {@code 2 (x - y)}.
 *
 * <p>No factor 1/2, as PyTorch; seeds 000 and 004 write MSE with a 1/2 (gradient {@code x - y}).
 * NaN or ±Inf in either input propagates to the loss and gradient.
 *
 * <p>Thread-safety: immutable.
 */
public record Mse(Reduction reduction) implements PredictionLoss {

    public Mse {
        LossOptions.requireReduction(reduction, "mse", false);
    }

    /** {@code mse} with {@link Reduction#MEAN}. */
    public Mse() {
        this(Reduction.MEAN);
    }

    @Override
    public Mse reduction(Reduction reduction) {
        return new Mse(reduction);
    }

    @Override
    public String name() {
        return "mse";
    }
}
