package io.github.lossengine.cpu;

/** The logistic functions of the logit losses, stable over the whole double range including ±inf. */
final class LogisticMath {
    private LogisticMath() {
    }

    /** {@code log(1 + e^z)} as {@code max(z, 0) + log1p(e^-|z|)}: no overflow, {@code +inf} at {@code +inf}, 0 at {@code -inf}. */
    static double softplus(double z) {
        return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** {@code 1 / (1 + e^-z)}, evaluated on the side where the exponential cannot overflow. */
    static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /**
     * The binary cross-entropy of a logit, {@code posCoeff softplus(-x) + negCoeff softplus(x)}; a term
     * whose coefficient is 0 contributes exactly 0, also where its softplus is infinite.
     */
    static double crossEntropy(double x, double posCoeff, double negCoeff) {
        double pos = posCoeff == 0 ? 0.0 : posCoeff * softplus(-x);
        double neg = negCoeff == 0 ? 0.0 : negCoeff * softplus(x);
        return pos + neg;
    }
}
