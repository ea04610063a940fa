package io.github.lossengine.loss;

import io.github.lossengine.Loss;
import io.github.lossengine.Reduction;
import java.util.List;

/**
 * Triplet margin loss, PyTorch {@code triplet_margin_loss}: inputs anchor {@code a}, positive and
 * negative, each float32 [N, D] of one shape (PyTorch also takes unbatched [D] inputs; here a single
 * triplet is passed as [1, D]). With {@code d(u, v) = ||u - v + eps||_p} (eps added to each
 * coordinate difference, real {@code p >= 1}): {@code l = max(0, margin + d(a, pos) - d(a, neg))};
 * with {@code swap}, {@code d(a, neg)} is replaced by {@code min(d(a, neg), d(pos, neg))}. MEAN
 * divides the sum by {@code N}, NONE returns the [N] triplet losses.
 *
 * <p>Gradients with respect to all three inputs, through
 * {@code d||v||_p / dv_j = sign(v_j) |v_j|^(p-1) / ||v||_p^(p-1)}; where {@code ||v||_p = 0} that
 * gradient is 0 (as PyTorch's {@code norm}). At the kink ({@code margin + d(a, pos) - d(neg)}
 * exactly 0) the gradient passes, as PyTorch's {@code clamp_min}. With swap the gradient goes
 * through the smaller distance; on a tie {@code d(a, neg) = d(pos, neg)} each gets half, as
 * PyTorch's {@code minimum}. For {@code p} other than 1 and 2 the norm is computed scaled by the
 * largest coordinate, so a large {@code p} does not overflow. NaN in a row makes that row's loss
 * (and a reduced value) NaN and reaches its gradients, at least at the NaN coordinates.
 * Defaults {@code margin = 1}, {@code p = 2}, {@code eps = 1e-6}, no swap.
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
