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

    /**
     * For backend implementations.
     *
     * @param value     the reduced loss; ignored for {@link Reduction#NONE}
     * @param values    the per-element losses for {@link Reduction#NONE}, else {@code null}
     * @param gradients one entry per input, {@code null} where no gradient was computed
     */
    public LossResult(Backend backend, Reduction reduction, double value, Tensor values, Tensor[] gradients) {
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
