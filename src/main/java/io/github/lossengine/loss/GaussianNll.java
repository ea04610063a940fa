package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Gaussian negative log-likelihood, PyTorch {@code gaussian_nll_loss}: inputs mean {@code mu},
 * target {@code y} and variance {@code v}. With {@code v' = max(v, eps)}:
 * {@code l = (log v' + (mu - y)^2 / v') / 2}, plus {@code log(2 pi) / 2} with {@code full}.
 * Gradients with respect to all three: {@code (mu - y) / v'}, {@code -(mu - y) / v'} and
 * {@code (1 / v' - (mu - y)^2 / v'^2) / 2} (the clamp passes the gradient, as PyTorch's in-place
 * clamp under no_grad). The variance has the input's shape, or one entry per row ([N] or [N, 1]).
 * Negative variances are refused. Defaults {@code full = false}, {@code eps = 1e-6}.
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
}
