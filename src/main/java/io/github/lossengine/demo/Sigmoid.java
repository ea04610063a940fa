package io.github.lossengine.demo;

/** The logistic function of the demo's models, computed without overflow for any finite argument. */
final class Sigmoid {
    private Sigmoid() {
    }

    /** {@code 1 / (1 + e^-z)}. */
    static double of(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /** {@code σ'(z) = σ(z) (1 - σ(z))}. */
    static double derivative(double z) {
        double s = of(z);
        return s * (1.0 - s);
    }
}
