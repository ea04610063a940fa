package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Log-cosh: {@code l = log cosh(x - y)}, computed in the stable form
 * {@code |d| + log1p(exp(-2|d|)) - log 2} so it neither overflows nor loses precision for large
 * {@code |d|}; gradient {@code tanh(x - y)}. PyTorch has no log-cosh loss. NaN propagates.
 *
 * <p>Thread-safety: immutable.
 */
public record LogCosh(Reduction reduction) implements Loss {
    private static final List<String> INPUTS = List.of("input", "target");

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

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i == 0;
    }
}
