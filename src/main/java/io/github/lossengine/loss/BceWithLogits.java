package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Binary cross-entropy on logits, PyTorch {@code binary_cross_entropy_with_logits}:
 * {@code l = w [pw y softplus(-x) + (1 - y) softplus(x)]} with {@code softplus(z) = log(1 + e^z)}
 * computed stably; gradient {@code w [(1 - y) sigmoid(x) - pw y sigmoid(-x)]}. A term whose
 * coefficient is 0 contributes exactly 0, so a masked logit {@code x = -inf} with {@code y = 0} gives
 * loss 0 and gradient 0 (PyTorch gives NaN), as does {@code x = +inf} with {@code y = 1}; a masked
 * logit with a positive target costs {@code +inf} with the finite gradient {@code -w pw y}. Logits of
 * any finite size (e.g. ±1e4) give finite, exact results. NaN logits give NaN. Targets must lie in
 * [0, 1] (NaN refused). Element weights {@code w}: one per column or one per element (an element of
 * weight 0 contributes exactly 0); {@code posWeight pw}: one per column (the last dimension) or a
 * single value. {@link Reduction#MEAN} divides by the number of elements.
 *
 * <p>Thread-safety: immutable.
 */
public record BceWithLogits(Reduction reduction, float[] weight, float[] posWeight) implements PredictionLoss {

    public BceWithLogits {
        LossOptions.requireReduction(reduction, "bce_with_logits", false);
        weight = LossOptions.weights("weight", weight);
        posWeight = LossOptions.weights("pos_weight", posWeight);
    }

    public BceWithLogits() {
        this(Reduction.MEAN, null, null);
    }

    @Override
    public BceWithLogits reduction(Reduction reduction) {
        return new BceWithLogits(reduction, weight, posWeight);
    }

    /** Element weights, or {@code null}; copied. */
    public BceWithLogits weight(float[] weight) {
        return new BceWithLogits(reduction, weight, posWeight);
    }

    /** Weights of the positive term, one per column or a single value, or {@code null}; copied. */
    public BceWithLogits posWeight(float... posWeight) {
        return new BceWithLogits(reduction, weight, posWeight);
    }

    @Override
    public float[] weight() {
        return LossOptions.copy(weight);
    }

    @Override
    public float[] posWeight() {
        return LossOptions.copy(posWeight);
    }

    @Override
    public String name() {
        return "bce_with_logits";
    }
}
