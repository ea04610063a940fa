package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Huber loss, PyTorch {@code huber_loss}: with {@code d = x - y},
 * {@code l = d^2 / 2} if {@code |d| < delta}, else {@code delta (|d| - delta / 2)}; gradient
 * {@code d}, or {@code delta sign(d)}. Default {@code delta = 1}. NaN propagates.
 *
 * <p>Thread-safety: immutable.
 */
public record Huber(Reduction reduction, double delta) implements PredictionLoss {

    public Huber {
        LossOptions.requireReduction(reduction, "huber", false);
        LossOptions.requirePositive("delta", delta);
    }

    public Huber() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Huber reduction(Reduction reduction) {
        return new Huber(reduction, delta);
    }

    /** The threshold between the quadratic and the linear part; finite and {@code > 0}. */
    public Huber delta(double delta) {
        return new Huber(reduction, delta);
    }

    @Override
    public String name() {
        return "huber";
    }
}
