package io.github.lossengine.loss;

import io.github.lossengine.Reduction;

/**
 * Poisson negative log-likelihood, PyTorch {@code poisson_nll_loss}. With {@code logInput} (the
 * default) the input is {@code log(rate)}: {@code l = exp(x) - y x}, gradient {@code exp(x) - y};
 * otherwise the input is the rate: {@code l = x - y log(x + eps)}, gradient
 * {@code 1 - y / (x + eps)}. With {@code full}, Stirling's term
 * {@code y log y - y + log(2 pi y) / 2} is added where {@code y > 1} (it does not depend on the input, so
 * it adds no gradient). Input and target are float32 of one shape; the target has no gradient.
 * Defaults {@code logInput = true}, {@code full = false}, {@code eps = 1e-8}.
 * {@link Reduction#MEAN} divides by the element count; {@link Reduction#NONE} keeps the input's shape.
 *
 * <p>Refused (PyTorch checks neither): a negative or NaN target (a count or rate is {@code >= 0}; a
 * negative one makes the loss unbounded below), and, without {@code logInput}, a negative input (a
 * rate; PyTorch returns NaN from the log of a negative number). Departure from PyTorch: without
 * {@code logInput}, a zero target makes the {@code y log(x + eps)} term 0 (the limit {@code 0 log 0 = 0})
 * and its gradient term 0, so a zero rate with a zero count costs 0 with gradient 1 where PyTorch gives
 * NaN; a zero rate ({@code x + eps == 0}) with a positive count gives {@code +inf}, gradient
 * {@code -inf}. With {@code logInput}, {@code exp(x)} overflows to {@code +inf} for {@code x > ~709};
 * NaN inputs propagate.
 *
 * <p>Thread-safety: immutable.
 */
public record PoissonNll(Reduction reduction, boolean logInput, boolean full, double eps) implements PredictionLoss {

    public PoissonNll {
        LossOptions.requireReduction(reduction, "poisson_nll", false);
        LossOptions.requireNonNegative("eps", eps);
    }

    public PoissonNll() {
        this(Reduction.MEAN, true, false, 1e-8);
    }

    @Override
    public PoissonNll reduction(Reduction reduction) {
        return new PoissonNll(reduction, logInput, full, eps);
    }

    public PoissonNll logInput(boolean logInput) {
        return new PoissonNll(reduction, logInput, full, eps);
    }

    public PoissonNll full(boolean full) {
        return new PoissonNll(reduction, logInput, full, eps);
    }

    public PoissonNll eps(double eps) {
        return new PoissonNll(reduction, logInput, full, eps);
    }

    @Override
    public String name() {
        return "poisson_nll";
    }
}
