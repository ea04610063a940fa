package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.Arrays;
import java.util.List;

/**
 * Gaussian negative log-likelihood, PyTorch {@code gaussian_nll_loss}: float32 inputs mean {@code mu},
 * target {@code y} (the shape of {@code mu}) and variance {@code v}. With {@code v' = max(v, eps)}:
 * {@code l = (log v' + (mu - y)^2 / v') / 2}, plus {@code log(2 pi) / 2} per element with {@code full}.
 * Gradients with respect to all three: {@code (mu - y) / v'}, {@code -(mu - y) / v'} and
 * {@code (1 / v' - (mu - y)^2 / v'^2) / 2}. The clamp passes the gradient: where {@code v < eps} the
 * variance gradient is this formula at {@code v' = eps}, not 0, because PyTorch clamps a clone in
 * place under {@code torch.no_grad()} ({@code var = var.clone(); with torch.no_grad():
 * var.clamp_(min=eps)}), so autograd never sees the clamp.
 *
 * <p>Accepted variance shapes, for {@code mu} of shape {@code [d0, ..., dk]}: the same shape (one
 * variance per element), or one variance per row, a row being the last dimension:
 * {@code [d0, ..., d(k-1)]} or {@code [d0, ..., d(k-1), 1]} (for {@code mu} [N, D]: [N] or [N, 1]; for
 * a 1-D {@code mu}: [1]). A per-row variance's gradient sums over its row. Any other shape is refused;
 * newer PyTorch (after pytorch#147522) also broadcasts a size-1 variance dimension other than the last,
 * which we do not. PyTorch broadcasts the target too; we require the shape of {@code mu}.
 * {@link Reduction#MEAN} divides by the element count of {@code mu} (whatever the variance layout);
 * {@link Reduction#NONE} keeps the shape of {@code mu}.
 *
 * <p>Negative variances are refused with position and value (PyTorch raises too); a zero variance is
 * clamped to {@code eps}; NaN in any input propagates to the loss and the gradients.
 * Defaults {@code full = false}, {@code eps = 1e-6}.
 *
 * <p>Thread-safety: immutable.
 */
public record GaussianNll(Reduction reduction, boolean full, double eps) implements Loss {
    private static final List<String> INPUTS = List.of("input", "target", "var");

    public GaussianNll {
        LossOptions.requireReduction(reduction, "gaussian_nll", false);
        LossOptions.requirePositive("eps", eps);
    }

    public GaussianNll() {
        this(Reduction.MEAN, false, 1e-6);
    }

    @Override
    public GaussianNll reduction(Reduction reduction) {
        return new GaussianNll(reduction, full, eps);
    }

    public GaussianNll full(boolean full) {
        return new GaussianNll(reduction, full, eps);
    }

    public GaussianNll eps(double eps) {
        return new GaussianNll(reduction, full, eps);
    }

    @Override
    public String name() {
        return "gaussian_nll";
    }

    @Override
    public List<String> inputNames() {
        return INPUTS;
    }

    @Override
    public boolean differentiable(int i) {
        return i >= 0 && i < 3;
    }

    /** How {@code var} holds the variances, from its shape and the input's (every backend accepts the same). */
    public enum VarianceLayout {
        /** var has the input's shape: one variance per element. */
        PER_ELEMENT,
        /** var has the input's shape without its last dimension, or with it 1: one variance per row. */
        PER_ROW,
        /** Neither: refused. */
        NEITHER;

        /** The layout of a {@code var} of shape {@code var} for an input of shape {@code input}. */
        public static VarianceLayout of(long[] input, long[] var) {
            if (Arrays.equals(var, input)) {
                return PER_ELEMENT;
            }
            if (input.length >= 1) {
                long[] rows = Arrays.copyOf(input, input.length - 1);
                long[] rowsOne = input.clone();
                rowsOne[input.length - 1] = 1;
                if ((rows.length > 0 && Arrays.equals(var, rows)) || Arrays.equals(var, rowsOne)) {
                    return PER_ROW;
                }
            }
            return NEITHER;
        }
    }
}
