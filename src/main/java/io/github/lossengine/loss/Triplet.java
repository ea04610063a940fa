package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Triplet margin loss, PyTorch {@code triplet_margin_loss}: inputs anchor {@code a}, positive and
 * negative, each [N, D]. With {@code d(u, v) = ||u - v + eps||_p}:
 * {@code l = max(0, margin + d(a, pos) - d(a, neg))}; with {@code swap}, {@code d(a, neg)} is
 * replaced by {@code min(d(a, neg), d(pos, neg))}. Gradients with respect to all three inputs; at
 * the kink ({@code l} exactly 0 before clamping) the gradient passes, as PyTorch's clamp. Defaults
 * {@code margin = 1}, {@code p = 2}, {@code eps = 1e-6}, no swap.
 *
 * <p>Thread-safety: immutable.
 */
public record Triplet(Reduction reduction, double margin, double p, double eps, boolean swap) implements Loss {
    private static final List<String> INPUTS = List.of("anchor", "positive", "negative");

    public Triplet {
        LossOptions.requireReduction(reduction, "triplet", false);
        LossOptions.requireFinite("margin", margin);
        LossOptions.requirePositive("p", p);
        if (p < 1) {
            throw new io.github.lossengine.InvalidInputException("p", "must be >= 1 (a norm), got " + p);
        }
        LossOptions.requireNonNegative("eps", eps);
    }

    public Triplet() {
        this(Reduction.MEAN, 1.0, 2.0, 1e-6, false);
    }

    @Override
    public Triplet reduction(Reduction reduction) {
        return new Triplet(reduction, margin, p, eps, swap);
    }

    public Triplet margin(double margin) {
        return new Triplet(reduction, margin, p, eps, swap);
    }

    /** The norm degree, {@code >= 1}. */
    public Triplet p(double p) {
        return new Triplet(reduction, margin, p, eps, swap);
    }

    public Triplet eps(double eps) {
        return new Triplet(reduction, margin, p, eps, swap);
    }

    public Triplet swap(boolean swap) {
        return new Triplet(reduction, margin, p, eps, swap);
    }

    @Override
    public String name() {
        return "triplet";
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
