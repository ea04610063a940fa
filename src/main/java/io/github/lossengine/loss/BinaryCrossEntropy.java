package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Binary cross-entropy on probabilities, PyTorch {@code binary_cross_entropy}:
 * {@code l = -w [y max(log p, -100) + (1 - y) max(log(1 - p), -100)]}, the log clamped at -100 as
 * PyTorch does, so {@code p = 0} with {@code y = 1} costs 100, not {@code +inf}; gradient
 * {@code w (p - y) / max(p (1 - p), 1e-12)} (PyTorch's, so up to ±1e12 at {@code p} = 0 or 1).
 * Probabilities and targets must lie in [0, 1] (NaN refused, naming {@code input} or
 * {@code target}, the position and the value). Optional element weights {@code w} have as many
 * entries as the last dimension of the input (one per column, broadcast over rows) or as the whole
 * input; an element of weight 0 contributes exactly 0. {@link Reduction#MEAN} divides by the number
 * of elements (not by the weights), as PyTorch.
 *
 * <p>Thread-safety: immutable.
 */
public record BinaryCrossEntropy(Reduction reduction, float[] weight) implements PredictionLoss {

    public BinaryCrossEntropy {
        LossOptions.requireReduction(reduction, "binary_cross_entropy", false);
        weight = LossOptions.weights("weight", weight);
    }

    public BinaryCrossEntropy() {
        this(Reduction.MEAN, null);
    }

    @Override
    public BinaryCrossEntropy reduction(Reduction reduction) {
        return new BinaryCrossEntropy(reduction, weight);
    }

    /** Element weights, or {@code null} for none; copied. */
    public BinaryCrossEntropy weight(float[] weight) {
        return new BinaryCrossEntropy(reduction, weight);
    }

    /** A copy of the element weights, or {@code null}. */
    @Override
    public float[] weight() {
        return LossOptions.copy(weight);
    }

    @Override
    public String name() {
        return "binary_cross_entropy";
    }
}
