package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Softmax cross-entropy on logits, PyTorch {@code cross_entropy}. Input: logits {@code z} [N, C]
 * (float32). Target, decided by its rank: class indices [N] (int32 or int64) or class
 * probabilities [N, C] (float32); a float [N] or an integer [N, C] target is refused.
 *
 * <p>With {@code log p = log_softmax(z)} (log-sum-exp taken with the row maximum), target
 * distribution {@code q} and class weights {@code w} (all 1 by default):
 * {@code l_i = -sum_c w_c q_c log p_c}, gradient {@code dl_i/dz_k = p_k sum_c w_c q_c - w_k q_k}
 * (with no smoothing or weights: {@code p - onehot}). A term with {@code w_c q_c = 0} contributes
 * exactly 0, even where {@code log p_c = -inf}. {@link Reduction#NONE} gives the N row losses.
 * {@link Reduction#MEAN} divides by {@code sum_i w_(y_i)} over rows not ignored for index targets
 * (smoothing term included), by N for probability targets, exactly as PyTorch.
 *
 * <p>The target distribution with label smoothing {@code eps}, over the {@code K} classes of the
 * row's support (its classes whose logit is not {@code -inf}; {@code K = C} without masks):
 * <ul>
 *   <li>index targets, {@link SmoothingConvention#UNIFORM} (PyTorch): {@code q = (1 - eps) onehot + eps / K};
 *   <li>index targets, {@link SmoothingConvention#OFF_TARGET}: {@code q_y = 1 - eps}, every other class
 *       of the support {@code eps / (K - 1)}; with no other class ({@code C = 1}) no smoothing, {@code q_y = 1};
 *   <li>probability targets {@code t}, UNIFORM (PyTorch): {@code q = t (1 - eps) + eps / K};
 *   <li>probability targets, OFF_TARGET: {@code q_c = t_c (1 - eps) + eps (T - t_c) / (K - 1)} with
 *       {@code T = sum_c t_c}: every class hands {@code eps} of its mass evenly to the others, so for
 *       targets summing to 1 this is {@code t (1 - eps) + eps (1 - t) / (C - 1)}, for one-hot targets
 *       the index convention, and {@code q} keeps the mass {@code T}; with {@code K = 1}, {@code q = t}.
 * </ul>
 * Probability targets must be finite and {@code >= 0}; like PyTorch, rows need not sum to 1.
 * Class indices must lie in {@code [0, C)} or equal {@link #ignoreIndex()}; other values are
 * refused with {@link io.github.lossengine.InvalidInputException} naming {@code target}, the
 * position and the value. {@link #classWeights()} must have C entries.
 *
 * <p>Rows whose target equals {@link #ignoreIndex()} contribute 0 loss and a zero gradient
 * (ignore_index does not apply to probability targets). When a MEAN has nothing to average
 * (every row ignored, or every target class of weight 0), {@link #allIgnored()} decides.
 *
 * <p>Masks: a class whose logit is {@code -inf} is removed from the support: it gets no smoothing
 * mass (a masked class keeps only its own target mass, {@code (1 - eps) t_c}), contributes 0 and
 * gets an exactly zero gradient, and the loss stays finite: the loss equals that of the same
 * problem without the masked classes (PyTorch gives NaN with smoothing). A row whose target class is
 * masked (or, for probability targets, with target mass on a masked class) has loss {@code +inf} and
 * the finite gradient {@code p_k sum_c w_c q_c - w_k q_k} on its open classes. A row whose classes
 * are all masked has loss {@code +inf} and a zero gradient. NaN or {@code +inf} logits give NaN.
 * Logits of any finite size (e.g. ±1e4) give finite, exact results.
 *
 * <p>Thread-safety: immutable.
 */
public record SoftmaxCrossEntropy(Reduction reduction, float[] classWeights, long ignoreIndex,
                                  double labelSmoothing, SmoothingConvention smoothing,
                                  AllIgnoredPolicy allIgnored) implements PredictionLoss {

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
}
