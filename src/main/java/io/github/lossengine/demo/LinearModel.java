package io.github.lossengine.demo;

/**
 * The demo's model: a score {@code z = w·x + b} per example, trained by plain gradient descent. The
 * engine gives {@code dL/dz}; the chain rule here turns it into {@code dL/dw = Σ_i dL/dz_i x_i} and
 * {@code dL/db = Σ_i dL/dz_i}, plus {@code 2 λ w} for an optional L2 penalty {@code λ |w|²}.
 */
final class LinearModel {
    private final double[] w;
    private double b;

    LinearModel(double[] w, double b) {
        this.w = w.clone();
        this.b = b;
    }

    /** The score of one example. */
    double score(double[] x) {
        double z = b;
        for (int j = 0; j < w.length; j++) {
            z += w[j] * x[j];
        }
        return z;
    }

    /** The scores of all examples, written into {@code z} (float32, as the engine takes them). */
    void scores(double[][] x, float[] z) {
        for (int i = 0; i < x.length; i++) {
            z[i] = (float) score(x[i]);
        }
    }

    /** One gradient-descent step from the engine's gradient with respect to the scores. */
    void step(double[][] x, double[] dLdz, double learningRate, double l2) {
        double[] gw = new double[w.length];
        double gb = 0;
        for (int i = 0; i < x.length; i++) {
            double g = dLdz[i];
            for (int j = 0; j < w.length; j++) {
                gw[j] += g * x[i][j];
            }
            gb += g;
        }
        for (int j = 0; j < w.length; j++) {
            w[j] -= learningRate * (gw[j] + 2 * l2 * w[j]);
        }
        b -= learningRate * gb;
    }

    /** A copy of the weights. */
    double[] weights() {
        return w.clone();
    }

    double bias() {
        return b;
    }
}
