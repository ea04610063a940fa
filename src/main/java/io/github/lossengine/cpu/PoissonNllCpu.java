package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.PoissonNll;

/**
 * CPU {@link PoissonNll}. With {@code logInput}: {@code exp(x) - y x}, gradient {@code exp(x) - y};
 * otherwise {@code x - y log(x + eps)}, gradient {@code 1 - y / (x + eps)}, where a zero count makes
 * the log term 0 (so a zero rate with a zero count is finite). {@code full} adds Stirling's
 * approximation of {@code log(y!)} where {@code y > 1}; it does not depend on {@code x}.
 */
final class PoissonNllCpu extends PointwiseCpu<PoissonNll> {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** The refusals' wording, shared with {@link FusedPoissonNll}. */
    static final String COUNTS = "Poisson counts must be >= 0";
    static final String RATES = "rates must be >= 0 when logInput is false (pass log-rates with logInput(true))";

    @Override
    protected double value(PoissonNll loss, double x, double y) {
        double l = loss.logInput() ? Math.exp(x) - y * x : x - (y == 0 ? 0.0 : y * Math.log(x + loss.eps()));
        if (loss.full() && y > 1) {
            l += y * Math.log(y) - y + 0.5 * Math.log(y) + HALF_LOG_2PI;
        }
        return l;
    }

    @Override
    protected double derivative(PoissonNll loss, double x, double y) {
        if (loss.logInput()) {
            return Math.exp(x) - y;
        }
        return 1 - (y == 0 ? 0.0 : y / (x + loss.eps()));
    }

    /** Counts must be {@code >= 0} (NaN refused); without {@code logInput} rates must be {@code >= 0}. */
    @Override
    protected void validate(PoissonNll loss, Tensor x, Tensor y) {
        for (long i = 0; i < y.size(); i++) {
            double v = y.getFloat(i);
            if (!(v >= 0)) {
                throw InvalidInputException.at(loss.inputNames().get(1), y, i, Checks.format(v), COUNTS);
            }
        }
        if (!loss.logInput()) {
            for (long i = 0; i < x.size(); i++) {
                double v = x.getFloat(i);
                if (v < 0) {
                    throw InvalidInputException.at(loss.inputNames().get(0), x, i, Checks.format(v), RATES);
                }
            }
        }
    }
}
