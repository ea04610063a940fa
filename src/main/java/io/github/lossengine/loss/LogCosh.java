package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Log-cosh: {@code l = log cosh(x - y)}, computed in the stable form
 * {@code |d| + log1p(exp(-2|d|)) - log 2} so it neither overflows nor loses precision for large
 * {@code |d|}; gradient {@code tanh(x - y)}. PyTorch has no log-cosh loss. NaN propagates.
 *
 * <p>Thread-safety: immutable.
 */
public record LogCosh(Reduction reduction) implements PredictionLoss {

    public LogCosh {
        LossOptions.requireReduction(reduction, "log_cosh", false);
    }

    /** {@code log_cosh} with {@link Reduction#MEAN}. */
    public LogCosh() {
        this(Reduction.MEAN);
    }

    @Override
    public LogCosh reduction(Reduction reduction) {
        return new LogCosh(reduction);
    }

    @Override
    public String name() {
        return "log_cosh";
    }
}
