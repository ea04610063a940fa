package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Sigmoid focal loss, torchvision {@code sigmoid_focal_loss}: with {@code p = sigmoid(x)},
 * {@code ce = bce_with_logits(x, y)}, {@code p_t = p y + (1 - p)(1 - y)} and
 * {@code a_t = alpha y + (1 - alpha)(1 - y)}: {@code l = a_t ce (1 - p_t)^gamma} (with
 * {@code 0^0 = 1}); a negative {@code alpha} turns the {@code a_t} factor off. Defaults
 * {@code gamma = 2}, {@code alpha = 0.25}. Unlike torchvision (default reduction "none"), the default
 * reduction is {@link Reduction#MEAN}, as for every loss here. Targets must lie in [0, 1].
 *
 * <p>Gradient, with {@code q = 1 - p} and {@code u = 1 - p_t}:
 * {@code dl/dx = a_t [(p - y) u^gamma + gamma ce u^(gamma - 1) p q (1 - 2y)]}; the second term is
 * 0 for {@code gamma = 0} and where {@code p q} underflows to 0 (its limit), so {@code gamma < 1}
 * at {@code p_t = 1} and logits of any size (±1e4, ±inf) give finite values, never NaN:
 * {@code x = -inf, y = 0} and {@code x = +inf, y = 1} cost 0 with gradient 0.
 *
 * <p>Thread-safety: immutable.
 */
public record Focal(Reduction reduction, double gamma, double alpha) implements PredictionLoss {

    public Focal {
        LossOptions.requireReduction(reduction, "focal", false);
        LossOptions.requireNonNegative("gamma", gamma);
        LossOptions.requireFinite("alpha", alpha);
        if (alpha > 1) {
            throw new io.github.lossengine.InvalidInputException("alpha", "must be <= 1 (or negative to disable), got " + alpha);
        }
    }

    public Focal() {
        this(Reduction.MEAN, 2.0, 0.25);
    }

    @Override
    public Focal reduction(Reduction reduction) {
        return new Focal(reduction, gamma, alpha);
    }

    /** The focusing exponent; finite and {@code >= 0}. */
    public Focal gamma(double gamma) {
        return new Focal(reduction, gamma, alpha);
    }

    /** The positive-class balance in [0, 1], or negative for none. */
    public Focal alpha(double alpha) {
        return new Focal(reduction, gamma, alpha);
    }

    @Override
    public String name() {
        return "focal";
    }
}
