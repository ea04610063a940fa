package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Negative log-likelihood on log-probabilities, PyTorch {@code nll_loss}. Input {@code x} [N, C]
 * of log-probabilities, target class indices [N]: {@code l_i = -w_(y_i) x_(i, y_i)}; gradient
 * {@code -w_(y_i)} at the target class, 0 elsewhere. {@link Reduction#MEAN} divides by the sum of
 * the target weights over rows not ignored; {@link Reduction#NONE} gives the N row losses. Rows whose
 * target equals {@link #ignoreIndex()}, and rows whose target class has weight 0, contribute exactly
 * 0 (also where the input is {@code -inf}); {@link #allIgnored()} decides a mean with nothing to
 * average. A target log-probability of {@code -inf} gives {@code +inf}. NaN propagates. Class
 * indices outside {@code [0, C)} other than {@link #ignoreIndex()} are refused, naming
 * {@code target}, the position and the value; {@link #classWeights()} must have C entries.
 *
 * <p>Thread-safety: immutable.
 */
public record Nll(Reduction reduction, float[] classWeights, long ignoreIndex, AllIgnoredPolicy allIgnored)
        implements PredictionLoss {

    public Nll {
        LossOptions.requireReduction(reduction, "nll", false);
        classWeights = LossOptions.weights("weight", classWeights);
        java.util.Objects.requireNonNull(allIgnored, "allIgnored");
    }

    public Nll() {
        this(Reduction.MEAN, null, SoftmaxCrossEntropy.DEFAULT_IGNORE_INDEX, AllIgnoredPolicy.ZERO);
    }

    @Override
    public Nll reduction(Reduction reduction) {
        return new Nll(reduction, classWeights, ignoreIndex, allIgnored);
    }

    /** One weight per class, or {@code null}; copied. */
    public Nll classWeights(float[] classWeights) {
        return new Nll(reduction, classWeights, ignoreIndex, allIgnored);
    }

    /** The target value whose rows are skipped; default -100. */
    public Nll ignoreIndex(long ignoreIndex) {
        return new Nll(reduction, classWeights, ignoreIndex, allIgnored);
    }

    /** What a mean over an all-ignored batch gives; default {@link AllIgnoredPolicy#ZERO}. */
    public Nll allIgnored(AllIgnoredPolicy allIgnored) {
        return new Nll(reduction, classWeights, ignoreIndex, allIgnored);
    }

    @Override
    public float[] classWeights() {
        return LossOptions.copy(classWeights);
    }

    @Override
    public String name() {
        return "nll";
    }
}
