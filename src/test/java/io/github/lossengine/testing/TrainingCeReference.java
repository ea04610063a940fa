package io.github.lossengine.testing;

/**
 * An independent double-precision reference of softmax cross-entropy with the large-model options:
 * softcap {@code z' = cap tanh(z / cap)} (cap 0: off), z-loss {@code coef w_y lse^2}, uniform label
 * smoothing {@code eps}, class weights, ignore_index (index targets) or probability targets, and
 * MEAN over {@code sum w_y} (or N for probabilities), or over a given normaliser. No masks.
 *
 * @param probabilities targets are [N, C] probabilities, else class indices [N]
 * @param reduction     0 NONE (the sum), 1 SUM, 2 MEAN
 * @param normalizer    0: this call's own denominator
 */
public record TrainingCeReference(int classes, boolean probabilities, double[] w, long ignore, double eps,
                                  double cap, double coef, int reduction, double normalizer)
        implements GradientCheck.Elementwise {

    /** The capped logits of row i. */
    private double[] capped(double[] z, int i) {
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            double v = z[i * classes + c];
            out[c] = cap == 0 ? v : cap * Math.tanh(v / cap);
        }
        return out;
    }

    /** Row i's log-sum-exp of the capped logits. */
    public double lse(double[] z, int i) {
        double[] v = capped(z, i);
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - m);
        }
        return m + Math.log(s);
    }

    private double weight(int c) {
        return w == null ? 1.0 : w[c];
    }

    /** Whether row i counts (not ignored). */
    private boolean counts(double[] t, int i) {
        return probabilities || (long) t[i] != ignore;
    }

    /** Row i's z-loss part (0 where ignored). */
    public double zPart(double[] z, double[] t, int i) {
        if (!counts(t, i)) {
            return 0;
        }
        double l = lse(z, i);
        double wy = probabilities ? 1.0 : weight((int) t[i]);
        return coef * wy * l * l;
    }

    @Override
    public double[] values(double[][] in) {
        double[] z = in[0];
        double[] t = in[1];
        int n = z.length / classes;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!counts(t, i)) {
                continue;
            }
            double[] v = capped(z, i);
            double l = lse(z, i);
            double ce = 0;
            for (int c = 0; c < classes; c++) {
                double q = probabilities ? t[i * classes + c] * (1 - eps) + eps / classes
                        : (c == (int) t[i] ? 1 - eps : 0) + eps / classes;
                ce += weight(c) * q * (l - v[c]);
            }
            out[i] = ce + zPart(z, t, i);
        }
        return out;
    }

    /** This call's own MEAN denominator. */
    public double denominator(double[] t, int n) {
        if (probabilities) {
            return n;
        }
        double d = 0;
        for (int i = 0; i < n; i++) {
            if ((long) t[i] != ignore) {
                d += weight((int) t[i]);
            }
        }
        return d;
    }

    /** The factor from the sum to the reduced value. */
    public double scale(double[] t, int n) {
        if (reduction != 2) {
            return 1;
        }
        double d = normalizer != 0 ? normalizer : denominator(t, n);
        return d == 0 ? 0 : 1 / d;
    }

    @Override
    public double value(double[][] in) {
        double[] v = values(in);
        return GradientCheck.sum(v) * scale(in[1], v.length);
    }
}
