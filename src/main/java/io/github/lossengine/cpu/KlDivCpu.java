package io.github.lossengine.cpu;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Tensor;
import io.github.lossengine.loss.KlDiv;

/**
 * CPU {@link KlDiv}: {@code t (log t - x)} or, with {@code logTarget}, {@code e^t (t - x)}; gradient
 * {@code -t} or {@code -e^t}. A term whose target probability is 0 is exactly 0 (also where
 * {@code x = -inf}), with gradient 0.
 */
final class KlDivCpu extends PointwiseCpu<KlDiv> {
    /** The refusal of a target probability that is negative, infinite or NaN. */
    static final String PROBABILITIES =
            "probabilities must be finite and >= 0 (pass log-probabilities with logTarget(true))";

    @Override
    protected void validate(KlDiv loss, Tensor x, Tensor t) {
        if (loss.logTarget()) {
            return;
        }
        for (long i = 0; i < t.size(); i++) {
            double v = t.getFloat(i);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw InvalidInputException.at("target", t, i, Checks.format(v), PROBABILITIES);
            }
        }
    }

    @Override
    protected double value(KlDiv loss, double x, double t) {
        double prob = loss.logTarget() ? Math.exp(t) : t;
        if (prob == 0) {
            return 0.0;
        }
        double logT = loss.logTarget() ? t : Math.log(t);
        return prob * (logT - x);
    }

    @Override
    protected double derivative(KlDiv loss, double x, double t) {
        double prob = loss.logTarget() ? Math.exp(t) : t;
        return prob == 0 ? 0.0 : -prob;
    }
}
