package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Smooth L1 loss, PyTorch {@code smooth_l1_loss}: with {@code d = x - y},
 * {@code l = d^2 / (2 beta)} if {@code |d| < beta}, else {@code |d| - beta / 2}; gradient
 * {@code d / beta}, or {@code sign(d)}. {@code beta = 0} is the L1 loss. Default {@code beta = 1}.
 * Equal to {@code huber / beta} for {@code beta > 0}. NaN propagates.
 *
 * <p>Thread-safety: immutable.
 */
public record SmoothL1(Reduction reduction, double beta) implements PredictionLoss {

    public SmoothL1 {
        LossOptions.requireReduction(reduction, "smooth_l1", false);
        LossOptions.requireNonNegative("beta", beta);
    }

    public SmoothL1() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public SmoothL1 reduction(Reduction reduction) {
        return new SmoothL1(reduction, beta);
    }

    /** The threshold between the quadratic and the linear part; finite and {@code >= 0}. */
    public SmoothL1 beta(double beta) {
        return new SmoothL1(reduction, beta);
    }

    @Override
    public String name() {
        return "smooth_l1";
    }
}
