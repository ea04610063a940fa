package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Kullback-Leibler divergence, PyTorch {@code kl_div}: input {@code x} holds log-probabilities,
 * target {@code t} probabilities (or log-probabilities with {@code logTarget}). Pointwise
 * {@code l = t (log t - x)} ({@code xlogy(t, t) - t x}), or {@code exp(t) (t - x)} with
 * {@code logTarget}; gradient {@code -t} (or {@code -exp(t)}). A term with {@code t = 0} is 0 even
 * where {@code x = -inf} (a masked class), with gradient 0, so masks never produce NaN; a masked
 * class with positive target mass gives {@code +inf}. Without {@code logTarget}, targets must be
 * finite and {@code >= 0} (negative, NaN and infinite targets are refused, naming {@code target},
 * the position and the value); like PyTorch, they need not sum to 1. Log targets may be any value
 * ({@code -inf} is probability 0).
 *
 * <p>{@link Reduction#MEAN} divides by the number of elements and is not the KL divergence;
 * {@link Reduction#BATCHMEAN} divides by {@code N = shape[0]} and is.
 *
 * <p>Thread-safety: immutable.
 */
public record KlDiv(Reduction reduction, boolean logTarget) implements PredictionLoss {

    public KlDiv {
        LossOptions.requireReduction(reduction, "kl_div", true);
    }

    public KlDiv() {
        this(Reduction.MEAN, false);
    }

    @Override
    public KlDiv reduction(Reduction reduction) {
        return new KlDiv(reduction, logTarget);
    }

    /** Whether the target holds log-probabilities. */
    public KlDiv logTarget(boolean logTarget) {
        return new KlDiv(reduction, logTarget);
    }

    @Override
    public String name() {
        return "kl_div";
    }
}
