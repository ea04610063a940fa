package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Softmax cross-entropy on logits, PyTorch {@code cross_entropy}. Input: logits {@code z} [N, C].
 * Target: class indices [N] (int32 or int64) or class probabilities [N, C] (float).
 *
 * <p>With {@code log p = log_softmax(z)} (log-sum-exp taken with the row maximum), target
 * distribution {@code q} (the one-hot target, smoothed per {@link #smoothing()}, or the given
 * probabilities smoothed as PyTorch does) and class weights {@code w} (all 1 by default):
 * {@code l_i = -sum_c w_c q_c log p_c}, gradient {@code dl_i/dz_k = p_k sum_c w_c q_c - w_k q_k}
 * (with no smoothing or weights: {@code p - onehot}). {@link Reduction#MEAN} divides by
 * {@code sum_i w_(y_i)} over rows not ignored for index targets, by N for probability targets,
 * exactly as PyTorch.
 *
 * <p>Rows whose target equals {@link #ignoreIndex()} contribute 0 loss and a zero gradient; when
 * every row is ignored, {@link #allIgnored()} decides. A class whose logit is {@code -inf} (a mask)
 * is removed from the support: it gets no smoothing mass, contributes 0 and gets an exactly zero
 * gradient, and the loss stays finite (PyTorch gives NaN with smoothing). A row whose target class
 * is masked has loss {@code +inf}. NaN or {@code +inf} logits give NaN.
 *
 * <p>Thread-safety: immutable.
 */
public record SoftmaxCrossEntropy(Reduction reduction, float[] classWeights, long ignoreIndex,
                                  double labelSmoothing, SmoothingConvention smoothing,
                                  AllIgnoredPolicy allIgnored) implements Loss {
    private static final List<String> INPUTS = List.of("input", "target");

    /** PyTorch's default {@code ignore_index}. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    public SoftmaxCrossEntropy {
        LossOptions.requireReduction(reduction, "softmax_cross_entropy", false);
        classWeights = LossOptions.weights("weight", classWeights);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new io.github.lossengine.InvalidInputException("label_smoothing", "must lie in [0, 1], got " + labelSmoothing);
        }
        java.util.Objects.requireNonNull(smoothing, "smoothing");
        java.util.Objects.requireNonNull(allIgnored, "allIgnored");
    }

    public SoftmaxCrossEntropy() {
        this(Reduction.MEAN, null, DEFAULT_IGNORE_INDEX, 0.0, SmoothingConvention.UNIFORM, AllIgnoredPolicy.ZERO);
    }

    @Override
    public SoftmaxCrossEntropy reduction(Reduction reduction) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    /** One weight per class ({@code C} entries, finite, {@code >= 0}), or {@code null}; copied. */
    public SoftmaxCrossEntropy classWeights(float[] classWeights) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    /** The target value whose rows are skipped; default -100. */
    public SoftmaxCrossEntropy ignoreIndex(long ignoreIndex) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    /** Label smoothing {@code eps} in [0, 1]; default 0. */
    public SoftmaxCrossEntropy labelSmoothing(double labelSmoothing) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    /** Label smoothing {@code eps} spread by the given convention. */
    public SoftmaxCrossEntropy labelSmoothing(double labelSmoothing, SmoothingConvention smoothing) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    /** What a mean over an all-ignored batch gives; default {@link AllIgnoredPolicy#ZERO}. */
    public SoftmaxCrossEntropy allIgnored(AllIgnoredPolicy allIgnored) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored);
    }

    @Override
    public float[] classWeights() {
        return LossOptions.copy(classWeights);
    }

    @Override
    public String name() {
        return "softmax_cross_entropy";
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
