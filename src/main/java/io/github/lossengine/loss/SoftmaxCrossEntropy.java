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
 * <p>Large-model training options (each off by default; they compose with every option above and
 * with both target kinds):
 * <ul>
 *   <li>{@link #softcap(double) softcap} {@code cap > 0} (Gemma 2): every logit becomes
 *       {@code z' = cap tanh(z / cap)} before the softmax; everything above is then computed on
 *       {@code z'}, and the gradient gets the chain factor {@code dz'/dz = 1 - (z' / cap)^2}. A
 *       {@code -inf} (masked) logit stays {@code -inf}; NaN stays NaN; {@code +inf} becomes {@code cap}
 *       (its gradient 0), as {@code cap * tanh(z / cap)} gives in PyTorch.
 *   <li>{@link #zLoss(double) z-loss} {@code coef >= 0} (PaLM): each row not ignored adds
 *       {@code coef w_y lse^2} ({@code lse} of the soft-capped logits; {@code w_y = 1} without class
 *       weights and for probability targets), weighted and reduced like the row's cross-entropy, so
 *       MEAN stays {@code sum_i l_i / sum_i w_(y_i)}. Its gradient is {@code 2 coef w_y lse p_k}.
 *       Liger's {@code lse_square_scale} does not weight it by the class weight (the two agree
 *       without weights). {@link io.github.lossengine.LossResult#zLoss()} reports its part of the value.
 *   <li>{@link #normalizer(double) normalizer} {@code > 0}, with {@link Reduction#MEAN} only: MEAN
 *       divides by it instead of this call's own denominator ({@code sum_i w_(y_i)} or {@code N}),
 *       which {@link io.github.lossengine.LossResult#denominator()} still reports, so that micro-batches
 *       or ranks can all-reduce their denominators and each call divide by the global one. With a
 *       normaliser the mean is never 0/0, so {@link #allIgnored()} does not apply (an all-ignored call
 *       gives 0 and a zero gradient).
 * </ul>
 * {@link io.github.lossengine.LossResult#logSumExp()} gives every row's {@code lse} (after softcap).
 * NaN and infinities in the logits behave as above, on the soft-capped values.
 *
 * <p>Thread-safety: immutable.
 */
public record SoftmaxCrossEntropy(Reduction reduction, float[] classWeights, long ignoreIndex,
                                  double labelSmoothing, SmoothingConvention smoothing,
                                  AllIgnoredPolicy allIgnored, double zLoss, double softcap,
                                  double normalizer) implements PredictionLoss {

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
        if (!(zLoss >= 0) || Double.isInfinite(zLoss)) {
            throw new io.github.lossengine.InvalidInputException("z_loss", "must be finite and >= 0, got " + zLoss);
        }
        if (softcap != OFF) {
            LossOptions.requirePositive("softcap", softcap);
        }
        if (normalizer != OFF) {
            LossOptions.requirePositive("normalizer", normalizer);
            if (reduction != Reduction.MEAN) {
                throw new io.github.lossengine.InvalidInputException("normalizer", normalizer
                        + " replaces the MEAN denominator and applies to reduction MEAN only, got " + reduction);
            }
        }
    }

    /** The value of {@link #softcap()} and {@link #normalizer()} when the option is off. */
    public static final double OFF = 0.0;

    public SoftmaxCrossEntropy() {
        this(Reduction.MEAN, null, DEFAULT_IGNORE_INDEX, 0.0, SmoothingConvention.UNIFORM, AllIgnoredPolicy.ZERO,
                0.0, OFF, OFF);
    }

    /** Z-loss coefficient {@code coef >= 0} (finite); default 0 (off). See the class comment. */
    public SoftmaxCrossEntropy zLoss(double coef) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                coef, softcap, normalizer);
    }

    /**
     * Logit soft-capping {@code z <- cap tanh(z / cap)} before the softmax, {@code cap > 0} (finite).
     *
     * @throws io.github.lossengine.InvalidInputException (argument {@code softcap}) for {@code cap <= 0}, NaN or infinite
     */
    public SoftmaxCrossEntropy softcap(double cap) {
        if (cap == OFF) {
            LossOptions.requirePositive("softcap", cap);
        }
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, cap, normalizer);
    }

    /**
     * The denominator of {@link Reduction#MEAN}, replacing this call's own (a global count of target
     * tokens, or sum of their weights, across micro-batches or ranks).
     *
     * @throws io.github.lossengine.InvalidInputException (argument {@code normalizer}) for a value
     *         {@code <= 0}, NaN or infinite, or with a reduction other than MEAN
     */
    public SoftmaxCrossEntropy normalizer(double normalizer) {
        if (normalizer == OFF) {
            LossOptions.requirePositive("normalizer", normalizer);
        }
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** This loss without a normaliser: MEAN divides by each call's own denominator again. */
    public SoftmaxCrossEntropy withoutNormalizer() {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, OFF);
    }

    @Override
    public SoftmaxCrossEntropy reduction(Reduction reduction) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** One weight per class ({@code C} entries, finite, {@code >= 0}), or {@code null}; copied. */
    public SoftmaxCrossEntropy classWeights(float[] classWeights) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** The target value whose rows are skipped; default -100. */
    public SoftmaxCrossEntropy ignoreIndex(long ignoreIndex) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** Label smoothing {@code eps} in [0, 1]; default 0. */
    public SoftmaxCrossEntropy labelSmoothing(double labelSmoothing) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** Label smoothing {@code eps} spread by the given convention. */
    public SoftmaxCrossEntropy labelSmoothing(double labelSmoothing, SmoothingConvention smoothing) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
    }

    /** What a mean over an all-ignored batch gives; default {@link AllIgnoredPolicy#ZERO}. */
    public SoftmaxCrossEntropy allIgnored(AllIgnoredPolicy allIgnored) {
        return new SoftmaxCrossEntropy(reduction, classWeights, ignoreIndex, labelSmoothing, smoothing, allIgnored,
                zLoss, softcap, normalizer);
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
