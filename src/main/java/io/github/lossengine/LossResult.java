package io.github.lossengine;

import java.util.Arrays;

/**
 * The result of one loss call: the reduced loss (or the per-element losses for
 * {@link Reduction#NONE}) and the gradients that were asked for.
 *
 * <p>Gradients are with respect to the inputs, of the reduced loss; with {@link Reduction#NONE},
 * of the sum of the per-element losses. Thread-safety: immutable once returned (the gradient
 * tensors are the caller's buffers when the caller supplied them).
 */
public final class LossResult {
    private final Reduction reduction;
    private final double value;
    private final Tensor values;
    private final Tensor[] gradients;
    private final Backend backend;
    private final RowStatistics statistics;

    /**
     * What softmax cross-entropy reports besides its value, for gradient accumulation and for
     * monitoring: this call's own MEAN denominator ({@code sum_i w_(y_i)} over rows not ignored for
     * class-index targets, {@code N} for probability targets, whatever {@code normalizer} replaced it
     * with), the z-loss part of the value (reduced as the value is: included in {@link #value()}), and
     * each row's log-sum-exp {@code [N]} (after the softcap; NaN for an ignored row, which is not
     * computed; {@code -inf} for a row whose logits are all {@code -inf}).
     */
    public record RowStatistics(double denominator, double zLoss, Tensor logSumExp) {
    }

    /**
     * For backend implementations.
     *
     * @param value     the reduced loss; ignored for {@link Reduction#NONE}
     * @param values    the per-element losses for {@link Reduction#NONE}, else {@code null}
     * @param gradients one entry per input, {@code null} where no gradient was computed
     */
    public LossResult(Backend backend, Reduction reduction, double value, Tensor values, Tensor[] gradients) {
        this(backend, reduction, value, values, gradients, null);
    }

    /** For backend implementations: as the other constructor, with softmax cross-entropy's statistics (or null). */
    public LossResult(Backend backend, Reduction reduction, double value, Tensor values, Tensor[] gradients,
                      RowStatistics statistics) {
        this.statistics = statistics;
        this.backend = backend;
        this.reduction = reduction;
        this.value = value;
        this.values = values;
        this.gradients = gradients.clone();
        if (reduction == Reduction.NONE && values == null) {
            throw new IllegalArgumentException("reduction NONE needs per-element values");
        }
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The backend that computed this result. */
    public Backend backend() {
        return backend;
    }

    /**
     * The reduced loss.
     *
     * @throws IllegalStateException for {@link Reduction#NONE}, which has no single value: use {@link #values()}
     */
    public double value() {
        if (reduction == Reduction.NONE) {
            throw new IllegalStateException("reduction NONE has one loss per element: use values()");
        }
        return value;
    }

    /** The per-element losses for {@link Reduction#NONE}; for other reductions a 1-element tensor holding {@link #value()}. */
    public Tensor values() {
        return values != null ? values : Tensor.of(new float[] {(float) value});
    }

    /** The gradient with respect to the first input (predictions, logits, anchor, ...). */
    public Tensor gradient() {
        return gradient(0);
    }

    /**
     * The gradient with respect to input {@code i}.
     *
     * @throws IllegalStateException when it was not computed (not asked for, or the input is labels)
     */
    public Tensor gradient(int i) {
        if (i < 0 || i >= gradients.length || gradients[i] == null) {
            throw new IllegalStateException("no gradient was computed for input " + i);
        }
        return gradients[i];
    }

    /** This result with {@code statistics} attached (for backend implementations). */
    public LossResult withStatistics(RowStatistics statistics) {
        return new LossResult(backend, reduction, value, values, gradients, statistics);
    }

    /**
     * This call's own MEAN denominator: {@code sum_i w_(y_i)} over the rows not ignored (their count
     * without class weights) for class-index targets, {@code N} for probability targets. It is what
     * {@link Reduction#MEAN} divides by unless {@code normalizer} is set; all-reduce it over
     * micro-batches or ranks to obtain the global normaliser.
     *
     * @throws IllegalStateException for losses that do not report it (all but softmax cross-entropy)
     */
    public double denominator() {
        return statistics().denominator();
    }

    /**
     * The z-loss part of {@link #value()} ({@code sum_i w_(y_i) coef lse_i^2}, reduced as the value:
     * times {@code 1 / denominator} (or {@code 1 / normalizer}) for MEAN); 0 without z-loss. For
     * {@link Reduction#NONE}, the sum over rows (the per-row values include their z-loss).
     *
     * @throws IllegalStateException for losses that do not report it
     */
    public double zLoss() {
        return statistics().zLoss();
    }

    /**
     * Each row's log-sum-exp {@code [N]} of the (soft-capped) logits, float32; NaN for ignored rows.
     *
     * @throws IllegalStateException for losses that do not report it
     */
    public Tensor logSumExp() {
        return statistics().logSumExp();
    }

    private RowStatistics statistics() {
        if (statistics == null) {
            throw new IllegalStateException("only softmax_cross_entropy reports a denominator, z-loss part and log-sum-exp");
        }
        return statistics;
    }

    /** Whether a gradient was computed for input {@code i}. */
    public boolean hasGradient(int i) {
        return i >= 0 && i < gradients.length && gradients[i] != null;
    }

    @Override
    public String toString() {
        return "LossResult[" + backend.id() + ", " + reduction + ", "
                + (reduction == Reduction.NONE ? values : Double.toString(value))
                + ", gradients " + Arrays.toString(gradients) + "]";
    }
}
